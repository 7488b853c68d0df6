/*
 * http_client.h: a tiny HTTP/1.1 client over a socket, for tests that
 * drive a real `opex serve` on 127.0.0.1. One request per connection
 * (Connection: close); the response is read to the end of the stream.
 * Nothing here calls ck_assert: forked children may use it too.
 */
#ifndef OPEX_TESTS_HTTP_CLIENT_H
#define OPEX_TESTS_HTTP_CLIENT_H

#include <stddef.h>

#include "core/buf.h"

typedef struct opex_test_http_response {
	unsigned status;   /* 0 when no complete status line came back */
	char *head;        /* status line and headers, NUL-terminated */
	char *body;        /* the body, NUL-terminated (never NULL after a call) */
	size_t body_len;
} opex_test_http_response;

/* Seconds a request may wait for the server before it gives up. */
#define OPEX_TEST_HTTP_TIMEOUT 120

/**
 * Send `method target` to 127.0.0.1:`port` with `headers` (each line
 * "Name: value\r\n", may be NULL) and `body` (may be NULL), and read the
 * whole response into `out` (release it with
 * opex_test_http_response_release). Returns 0 when a response with a
 * status line came back, -1 when the connection was refused, reset or
 * timed out (then out->status is 0).
 */
int opex_test_http(opex_test_http_response *out, unsigned port,
	const char *method, const char *target, const char *headers,
	const char *body);

/**
 * Send the bytes `raw[0..len)` as they are (for malformed requests), close
 * the sending side, and read everything the server answers into `out`
 * (cleared first). Returns 0, or -1 when the connection was refused, reset
 * or timed out.
 */
int opex_test_http_exchange(opex_buf *out, unsigned port, const char *raw,
	size_t len);

/** Free what `res` holds; it is empty afterwards. */
void opex_test_http_response_release(opex_test_http_response *res);

/**
 * GET `target` and return the status (0: no answer); `body_out` (may be
 * NULL) receives the body, to free with opex_free.
 */
unsigned opex_test_http_get(unsigned port, const char *target,
	char **body_out);

#endif

/*
 * server_request.h: one request to an opex_server without a socket, as
 * the server suites make them (opex_server_handle). Nothing here calls
 * ck_assert: threads may use it.
 */
#ifndef OPEX_TESTS_SERVER_REQUEST_H
#define OPEX_TESTS_SERVER_REQUEST_H

#include <stdbool.h>
#include <stdio.h>

#include "server/server.h"

/**
 * Answer `method target` ("/path?query") with `token` as a bearer token
 * (NULL: anonymous) and `body` (may be NULL) into `res`, which this
 * initializes; release it with opex_server_response_release. Returns the
 * status.
 */
unsigned opex_test_server_request(opex_server_response *res,
	opex_server *server, const char *method, const char *target,
	const char *token, const char *body);

/** GET `target`: the status, and the body in `body_out` (may be NULL; free it). */
unsigned opex_test_server_get(opex_server *server, const char *target,
	const char *token, char **body_out);

/** Write the tokens-file line for `token` (its SHA-256) to `f`. */
void opex_test_put_token(FILE *f, const char *token, const char *person,
	bool partner);

#endif

/*
 * url_path_fuzzer.c: the whole input is a request target ("/path?query"),
 * sent as GET through opex_server_handle(): percent-decoding, UTF-8
 * checks, segment checks, query parsing and routing. A 5xx aborts.
 * The server is loaded once, as in http_request_fuzzer.c.
 */
#define _POSIX_C_SOURCE 200809L
#include "fuzz_server.h"
#include "core/memory.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	opex_server *server = opex_fuzz_server();
	opex_server_request req;
	opex_server_response res;
	const char *q;

	if (size > 64 * 1024)
		return 0;
	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.path = (const char *)data;
	q = memchr(data, '?', size);
	req.path_len = q ? (size_t)(q - (const char *)data) : size;
	req.query = q ? q + 1 : NULL;
	req.query_len = q ? size - req.path_len - 1 : 0;
	opex_server_response_init(&res);
	opex_server_handle(&res, server, &req);
	if (res.status >= 500)
		abort();
	opex_server_response_release(&res);
	return 0;
}

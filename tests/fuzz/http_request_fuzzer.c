/*
 * http_request_fuzzer.c: one HTTP request through opex_server_handle(),
 * without a socket. The input is split at newlines:
 *
 *   line 1          METHOD
 *   line 2          target (path and optional ?query)
 *   lines 3..blank  headers, "Name: value"
 *   the rest        the body
 *
 * The server is loaded once, over the opex source repository itself
 * (found from this file's path) or $OPEX_FUZZ_HANDBOOK. Any answer is
 * fine except a 5xx or a crash.
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

#define MAX_HEADERS 16

/* The next line of data[*pos..size), NUL-terminated in `copy`. */
static char *next_line(char *copy, size_t size, size_t *pos)
{
	char *line = copy + *pos;

	while (*pos < size && copy[*pos] != '\n')
		(*pos)++;
	if (*pos < size)
		copy[(*pos)++] = '\0';
	return line;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	opex_server *server = opex_fuzz_server();
	opex_server_header headers[MAX_HEADERS];
	opex_server_request req;
	opex_server_response res;
	char *copy, *target, *q;
	size_t pos = 0, count = 0;

	if (size > 1024 * 1024)
		return 0;
	copy = opex_malloc(size + 1);
	memcpy(copy, data, size);
	copy[size] = '\0';
	memset(&req, 0, sizeof(req));
	req.method = next_line(copy, size, &pos);
	target = next_line(copy, size, &pos);
	for (;;) {
		char *line, *colon;

		if (pos >= size)
			break;
		line = next_line(copy, size, &pos);
		if (*line == '\0')
			break;
		colon = strchr(line, ':');
		if (colon == NULL || count >= MAX_HEADERS)
			continue;
		*colon = '\0';
		headers[count].name = line;
		headers[count++].value = colon[1] == ' ' ? colon + 2 : colon + 1;
	}
	q = strchr(target, '?');
	req.path = target;
	req.path_len = q ? (size_t)(q - target) : strlen(target);
	req.query = q ? q + 1 : NULL;
	req.query_len = q ? strlen(q + 1) : 0;
	req.headers = headers;
	req.header_count = count;
	req.body = copy + pos;
	req.body_len = size - pos;
	opex_server_response_init(&res);
	opex_server_handle(&res, server, &req);
	if (res.status >= 500)
		abort();
	opex_server_response_release(&res);
	opex_free(copy);
	return 0;
}

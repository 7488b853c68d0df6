/* server_request.c: see server_request.h. */
#include "support/server_request.h"
#include "core/memory.h"
#include "core/sha256.h"

#include <stdio.h>
#include <string.h>

#include "core/banned.h"

unsigned opex_test_server_request(opex_server_response *res,
	opex_server *server, const char *method, const char *target,
	const char *token, const char *body)
{
	opex_server_request req;
	opex_server_header header;
	char auth[512];
	const char *q = strchr(target, '?');

	memset(&req, 0, sizeof(req));
	req.method = method;
	req.path = target;
	req.path_len = q ? (size_t)(q - target) : strlen(target);
	req.query = q ? q + 1 : NULL;
	req.query_len = q ? strlen(q + 1) : 0;
	if (token != NULL) {
		snprintf(auth, sizeof(auth), "Bearer %s", token);
		header.name = "Authorization";
		header.value = auth;
		req.headers = &header;
		req.header_count = 1;
	}
	req.body = body;
	req.body_len = body ? strlen(body) : 0;
	opex_server_response_init(res);
	opex_server_handle(res, server, &req);
	return res->status;
}

unsigned opex_test_server_get(opex_server *server, const char *target,
	const char *token, char **body_out)
{
	opex_server_response res;
	unsigned status = opex_test_server_request(&res, server, "GET", target,
		token, NULL);

	if (body_out != NULL)
		*body_out = opex_strdup(res.body.ptr ? res.body.ptr : "");
	opex_server_response_release(&res);
	return status;
}

void opex_test_put_token(FILE *f, const char *token, const char *person,
	bool partner)
{
	char hash[OPEX_SHA256_HEX_SIZE];

	opex_sha256_hex(hash, token, strlen(token));
	fprintf(f, "%s %s%s\n", hash, person, partner ? " partner" : "");
}

/* fuzz_server.c: one server per fuzz process, shared by the HTTP targets. */
#include "fuzz_server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

opex_server *opex_fuzz_server(void)
{
	/* libFuzzer calls the target repeatedly in one process: load once. */
	static opex_server *server;
	opex_server_options opts = OPEX_SERVER_OPTIONS_INIT;
	opex_error err = OPEX_ERROR_INIT;
	char root[4096];
	const char *env = getenv("OPEX_FUZZ_HANDBOOK");
	char *cut;

	if (server != NULL)
		return server;
	snprintf(root, sizeof(root), "%s", __FILE__);
	cut = strstr(root, "/tests/fuzz/");
	if (cut != NULL)
		*cut = '\0';
	opts.repo = env ? env : root;
	opts.poll_seconds = 0;
	opts.access_log = false;
	if (opex_server_new(&server, &opts, &err) < 0) {
		fprintf(stderr, "fuzz: %s\n", err.message);
		abort();
	}
	return server;
}

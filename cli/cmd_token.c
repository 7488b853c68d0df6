/*
 * cmd_token.c: `opex token new PERSON`: a fresh API token for the server.
 * The token is printed once; the tokens file keeps only its SHA-256.
 */
#include "cli/cli.h"
#include "server/server.h"

#include <stdio.h>
#include <string.h>

#include "core/banned.h"

static const char usage[] =
	"usage: opex token new PERSON [--auth FILE] [--partner]\n"
	"\n"
	"Print a fresh API token for PERSON (a roster id, or an id for an\n"
	"external partner agent) and add its SHA-256 to FILE (default:\n"
	"opex-tokens), the file given to 'opex serve --auth'. The token itself\n"
	"is not stored: keep it. Clients send 'Authorization: Bearer TOKEN'.\n"
	"\n"
	"  --auth FILE   the tokens file (created with mode 0600 if missing)\n"
	"  --partner     PERSON is an external partner: partner and public\n"
	"                articles only\n"
	"\n"
	"Exit status: 0 printed, 2 usage or file error.\n";

static int run(int argc, char **argv)
{
	const char *file = "opex-tokens", *person = NULL;
	char token[65];
	opex_error err = OPEX_ERROR_INIT;
	bool partner = false;
	int i;

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
			fputs(usage, stdout);
			return OPEX_EXIT_OK;
		}
		if (strcmp(arg, "--partner") == 0) {
			partner = true;
		} else if (strcmp(arg, "--auth") == 0 && i + 1 < argc) {
			file = argv[++i];
		} else if (strncmp(arg, "--auth=", 7) == 0) {
			file = arg + 7;
		} else if (arg[0] == '-') {
			fprintf(stderr, "opex token: unknown option '%s'\n", arg);
			return OPEX_EXIT_USAGE;
		} else if (i == 1 && strcmp(arg, "new") == 0) {
			continue;
		} else if (person == NULL && i > 1) {
			person = arg;
		} else {
			fprintf(stderr, "opex token: unexpected argument '%s'\n"
				"usage: see 'opex token --help'\n", arg);
			return OPEX_EXIT_USAGE;
		}
	}
	if (argc < 2 || strcmp(argv[1], "new") != 0 || person == NULL) {
		fputs(usage, stderr);
		return OPEX_EXIT_USAGE;
	}
	if (opex_server_token_new(token, file, person, partner, &err) < 0) {
		fprintf(stderr, "opex token: %s\n", err.message);
		return OPEX_EXIT_USAGE;
	}
	printf("%s\n", token);
	return OPEX_EXIT_OK;
}

const opex_cli_command opex_cli_token = {
	"token",
	"make an API token for 'opex serve --auth'",
	usage, 0, "", "", run
};

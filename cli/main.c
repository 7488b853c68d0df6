/* main.c: the `opex` program: one subcommand per job. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "core/banned.h"

#ifndef OPEX_VERSION
#define OPEX_VERSION "unknown"
#endif

static const opex_cli_command *const commands[] = {
	&opex_cli_lint,
	&opex_cli_articles,
	&opex_cli_show,
	&opex_cli_render,
	&opex_cli_diff,
	&opex_cli_index,
	&opex_cli_search,
	&opex_cli_serve,
	&opex_cli_token,
	&opex_cli_launch,
	&opex_cli_route,
	&opex_cli_kpi,
	&opex_cli_replies,
	&opex_cli_ack,
};

#define COMMAND_COUNT (sizeof(commands) / sizeof(commands[0]))

static void print_usage(FILE *out)
{
	size_t i;

	fputs("usage: opex [--help] [--version] COMMAND [ARGS]\n"
	      "\n"
	      "opex keeps a customer-operations handbook (articles, people,\n"
	      "process maps, launches) in git and checks, indexes and serves it.\n"
	      "\n"
	      "commands:\n", out);
	for (i = 0; i < COMMAND_COUNT; i++)
		fprintf(out, "  %-10s %s\n", commands[i]->name,
			commands[i]->summary);
	fputs("\nSee 'opex COMMAND --help' for one command.\n", out);
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		print_usage(stderr);
		return OPEX_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		print_usage(stdout);
		return OPEX_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("opex %s\n", OPEX_VERSION);
		return OPEX_EXIT_OK;
	}
	for (i = 0; i < COMMAND_COUNT; i++)
		if (strcmp(argv[1], commands[i]->name) == 0)
			return commands[i]->run(argc - 1, argv + 1);
	fprintf(stderr, "opex: '%s' is not an opex command\n\n", argv[1]);
	print_usage(stderr);
	return OPEX_EXIT_USAGE;
}

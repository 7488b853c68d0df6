/*
 * cli.h: what the subcommands of the `opex` program share.
 *
 * Every subcommand reads `opex COMMAND [REPO] [options]`, returns its exit
 * status (0 success, 1 findings/errors in the content, 2 usage or
 * repository error) and prints its own --help.
 */
#ifndef OPEX_CLI_H
#define OPEX_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "kb/kb.h"
#include "search/search.h"

enum { OPEX_EXIT_OK = 0, OPEX_EXIT_FINDINGS = 1, OPEX_EXIT_USAGE = 2 };

/* Options a subcommand may accept. */
enum opex_cli_accept {
	OPEX_CLI_ACCEPT_FORMAT = 1 << 0,
	OPEX_CLI_ACCEPT_PATH = 1 << 1,  /* a second positional: a handbook path */
	OPEX_CLI_ACCEPT_REVS = 1 << 2,  /* [REPO] REV1 REV2 [PATH] */
	OPEX_CLI_ACCEPT_OUTPUT = 1 << 3, /* -o FILE */
	/* search: [REPO] QUERY, --limit N, --offset N; index: --index PATH, --rebuild */
	OPEX_CLI_ACCEPT_QUERY = 1 << 8,
	OPEX_CLI_ACCEPT_INDEX = 1 << 9,
	/* route: --journey J, --market M, --language L */
	OPEX_CLI_ACCEPT_ROUTE = 1 << 10,
	/* render: --kpi, --metric NAME, --kpi-store PATH */
	OPEX_CLI_ACCEPT_KPI = 1 << 11
};

typedef struct opex_cli_command {
	const char *name;
	const char *summary;
	const char *usage;     /* full --help text */
	unsigned accept;       /* enum opex_cli_accept */
	const char *formats;   /* "text|json": allowed --format values */
	const char *default_format;
	int (*run)(int argc, char **argv);
} opex_cli_command;

typedef struct opex_cli_options {
	const char *repo;      /* default "." */
	const char *path;      /* the handbook path, with OPEX_CLI_ACCEPT_PATH (optional with _REVS) */
	const char *rev1, *rev2; /* with OPEX_CLI_ACCEPT_REVS */
	const char *output;    /* -o FILE; NULL: stdout */
	const char *rev;       /* NULL: HEAD */
	const char *format;
	int64_t now;           /* --now DATE; 0: the current time */
	bool no_cache;
	/* search and index (OPEX_CLI_ACCEPT_QUERY, OPEX_CLI_ACCEPT_INDEX) */
	const char *query;     /* the QUERY positional */
	const char *index;     /* --index PATH; NULL: the default */
	size_t limit, offset;  /* --limit (default 10), --offset */
	bool rebuild;          /* --rebuild */
	/* route (OPEX_CLI_ACCEPT_ROUTE); NULL: any */
	const char *journey, *market, *language;
	/* KPI overlay (OPEX_CLI_ACCEPT_KPI) */
	bool kpi;              /* --kpi */
	const char *metric;    /* --metric NAME; NULL: backlog */
	const char *kpi_store; /* --kpi-store PATH; NULL: the default store */
} opex_cli_options;

/**
 * Parse `argv` (argv[0] is the command name) for `cmd`. Returns -1 when
 * parsing succeeded, else the exit status to return at once (0 after
 * --help, 2 after a usage message on stderr).
 */
int opex_cli_parse(opex_cli_options *opts, const opex_cli_command *cmd,
	int argc, char **argv);

/**
 * Read the revision's people.yaml into `roster` (problems into `diags`);
 * a missing file is an empty roster.
 */
void opex_cli_read_roster(opex_kb_roster *roster, const opex_kb_repo *repo,
	opex_diag_list *diags);

/**
 * The value of option `name` at argv[*i], written "--name=v" or "--name v"
 * (then *i moves past v); "" when the value is missing, NULL when argv[*i]
 * is another option.
 */
const char *opex_cli_option_value(int argc, char **argv, int *i,
	const char *name);

/**
 * Load the handbook named by `opts`, printing a repository error to stderr.
 * Returns 0 or OPEX_EXIT_USAGE.
 */
int opex_cli_load(opex_kb_handbook **out, const opex_cli_options *opts,
	opex_diag_list *diags);

/**
 * True if whoever runs `opex NAME` is `person` of the roster: OPEX_USER (an
 * id or email) when set, else the git user.email in effect. Prints why not.
 */
bool opex_cli_identity_ok(const opex_kb_handbook *hb, const char *person,
	const char *name);

/** Write a buffer to stdout; 0 or OPEX_EXIT_USAGE when it failed to build. */
int opex_cli_print(const opex_buf *buf);

/**
 * Open the search index named by `opts` (--index, else the repository's
 * default) and bring it to the revision `opts` names, loading the handbook
 * only when the index is behind (or with --rebuild). Shows a progress bar
 * on a terminal when `progress` is set. `stats` may be NULL. Prints errors
 * as "opex NAME: ..."; returns 0 or OPEX_EXIT_USAGE.
 */
int opex_cli_index_sync(opex_search_index **out, opex_search_index_stats *stats,
	const opex_cli_options *opts, const char *name, bool progress);

extern const opex_cli_command opex_cli_lint;
extern const opex_cli_command opex_cli_articles;
extern const opex_cli_command opex_cli_show;
extern const opex_cli_command opex_cli_render;
extern const opex_cli_command opex_cli_diff;
extern const opex_cli_command opex_cli_index;
extern const opex_cli_command opex_cli_search;
extern const opex_cli_command opex_cli_serve;
extern const opex_cli_command opex_cli_token;
extern const opex_cli_command opex_cli_launch;
extern const opex_cli_command opex_cli_route;
extern const opex_cli_command opex_cli_kpi;
extern const opex_cli_command opex_cli_replies;
extern const opex_cli_command opex_cli_ack;

#endif

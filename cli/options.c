/* options.c: option parsing and handbook loading shared by subcommands. */
#include "cli/cli.h"
#include "core/limits.h"
#include "core/str.h"
#include "core/time.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

static int usage_error(const opex_cli_command *cmd, const char *fmt, ...)
	OPEX_PRINTF(2, 3);

static int usage_error(const opex_cli_command *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "opex %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: see 'opex %s --help'\n", cmd->name);
	return OPEX_EXIT_USAGE;
}

static bool format_allowed(const char *formats, const char *format)
{
	size_t n = strlen(format);
	const char *p = formats;

	while (p && *p) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);

		if (len == n && strncmp(p, format, n) == 0)
			return true;
		p = bar ? bar + 1 : NULL;
	}
	return false;
}

const char *opex_cli_option_value(int argc, char **argv, int *i,
	const char *name)
{
	size_t n = strlen(name);
	const char *arg = argv[*i];

	if (strncmp(arg, name, n) != 0)
		return NULL;
	if (arg[n] == '=')
		return arg + n + 1;
	if (arg[n] != '\0')
		return NULL;
	if (*i + 1 >= argc)
		return "";
	return argv[++*i];
}

/* --- search and index options (OPEX_CLI_ACCEPT_QUERY, _INDEX) --- */

/* A count for --limit or --offset: digits only, at most `max`. */
static int parse_count(size_t *out, const opex_cli_command *cmd,
	const char *name, const char *v, size_t max)
{
	size_t n = 0;
	const char *p;

	if (*v == '\0')
		return usage_error(cmd, "%s needs a number", name);
	for (p = v; *p; p++) {
		if (*p < '0' || *p > '9' || n > max)
			return usage_error(cmd, "%s: '%s' is not a number from 0 to %zu",
				name, v, max);
		n = n * 10 + (size_t)(*p - '0');
	}
	if (n > max)
		return usage_error(cmd, "%s: '%s' is not a number from 0 to %zu",
			name, v, max);
	*out = n;
	return -1;
}

/* One of the text options `names` into its field: -1 taken, 2 no value, 1 none of them. */
static int take_text(const char **fields[], const char *const names[],
	size_t count, const opex_cli_command *cmd, int argc, char **argv, int *i)
{
	size_t k;

	for (k = 0; k < count; k++) {
		const char *v = opex_cli_option_value(argc, argv, i, names[k]);

		if (v == NULL)
			continue;
		if (*v == '\0')
			return usage_error(cmd, "%s needs a value", names[k]);
		*fields[k] = v;
		return -1;
	}
	return 1;
}

static int parse_search_option(opex_cli_options *opts,
	const opex_cli_command *cmd, int argc, char **argv, int *i)
{
	const char *v = NULL;

	if (cmd->accept & OPEX_CLI_ACCEPT_QUERY) {
		v = opex_cli_option_value(argc, argv, i, "--limit");
		if (v != NULL)
			return parse_count(&opts->limit, cmd, "--limit", v, 1000);
		v = opex_cli_option_value(argc, argv, i, "--offset");
		if (v != NULL)
			return parse_count(&opts->offset, cmd, "--offset", v, 1000000);
	}
	if (cmd->accept & OPEX_CLI_ACCEPT_ROUTE) {
		static const char *const names[] = { "--journey", "--market", "--language" };
		const char **fields[] = { &opts->journey, &opts->market, &opts->language };
		int taken = take_text(fields, names, 3, cmd, argc, argv, i);

		if (taken != 1)
			return taken;
	}
	if (cmd->accept & OPEX_CLI_ACCEPT_KPI) {
		if (strcmp(argv[*i], "--kpi") == 0) {
			opts->kpi = true;
			return -1;
		}
		static const char *const names[] = { "--metric", "--kpi-store" };
		const char **fields[] = { &opts->metric, &opts->kpi_store };
		int taken = take_text(fields, names, 2, cmd, argc, argv, i);

		if (taken != 1)
			return taken;
	}
	if (cmd->accept & OPEX_CLI_ACCEPT_INDEX) {
		v = opex_cli_option_value(argc, argv, i, "--index");
		if (v != NULL) {
			if (*v == '\0')
				return usage_error(cmd, "%s needs a file name", "--index");
			opts->index = v;
			return -1;
		}
		if (strcmp(argv[*i], "--rebuild") == 0) {
			opts->rebuild = true;
			return -1;
		}
	}
	return 1;
}

/* Handle option argv[*i]: -1 taken, 0 or 2 an exit status, 1 not ours. */
static int parse_option(opex_cli_options *opts, const opex_cli_command *cmd,
	int argc, char **argv, int *i)
{
	opex_error err = OPEX_ERROR_INIT;
	const char *v = opex_cli_option_value(argc, argv, i, "--rev");

	if (v != NULL) {
		if (*v == '\0')
			return usage_error(cmd, "%s needs a revision", "--rev");
		opts->rev = v;
		return -1;
	}
	v = (cmd->accept & OPEX_CLI_ACCEPT_FORMAT)
		? opex_cli_option_value(argc, argv, i, "--format") : NULL;
	if (v != NULL) {
		if (!format_allowed(cmd->formats, v))
			return usage_error(cmd, "unknown format '%s'", v);
		opts->format = v;
		return -1;
	}
	v = opex_cli_option_value(argc, argv, i, "--now");
	if (v != NULL) {
		if (opex_time_parse_date(&opts->now, v, &err) < 0)
			return usage_error(cmd, "--now: %s", err.message);
		return -1;
	}
	v = (cmd->accept & OPEX_CLI_ACCEPT_OUTPUT)
		? opex_cli_option_value(argc, argv, i, "-o") : NULL;
	if (v == NULL && (cmd->accept & OPEX_CLI_ACCEPT_OUTPUT))
		v = opex_cli_option_value(argc, argv, i, "--output");
	if (v != NULL) {
		if (*v == '\0')
			return usage_error(cmd, "%s needs a file name", "-o");
		opts->output = v;
		return -1;
	}
	if (strcmp(argv[*i], "--no-cache") == 0) {
		opts->no_cache = true;
		return -1;
	}
	return parse_search_option(opts, cmd, argc, argv, i);
}

/* True if `arg` names a map rather than a repository or a revision. */
static bool looks_like_map(const char *arg)
{
	size_t n = strlen(arg);

	return strncmp(arg, "processes/", 10) == 0 ||
	       (n > 4 && strcmp(arg + n - 4, ".dot") == 0);
}

/* [REPO] REV1 REV2 [PATH]: with three, a map path last means no REPO. */
static int parse_revs(opex_cli_options *opts, const opex_cli_command *cmd,
	const char **pos, int npos)
{
	int first = 0;

	if (npos < 2)
		return usage_error(cmd, "%s", "give two revisions to compare");
	if (npos == 4 || (npos == 3 && !looks_like_map(pos[2]))) {
		opts->repo = pos[0];
		first = 1;
	}
	opts->rev1 = pos[first];
	opts->rev2 = pos[first + 1];
	if (first + 2 < npos)
		opts->path = pos[first + 2];
	return -1;
}

int opex_cli_parse(opex_cli_options *opts, const opex_cli_command *cmd,
	int argc, char **argv)
{
	const char *positional[4] = { NULL, NULL, NULL, NULL };
	int i, status, npos = 0;
	bool options_done = false;
	int maxpos = (cmd->accept & OPEX_CLI_ACCEPT_REVS) ? 4
		: (cmd->accept & (OPEX_CLI_ACCEPT_PATH | OPEX_CLI_ACCEPT_QUERY)) ? 2 : 1;

	memset(opts, 0, sizeof(*opts));
	opts->repo = ".";
	opts->format = cmd->default_format;
	opts->limit = 10;
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (!options_done && strcmp(arg, "--") == 0) {
			options_done = true;
			continue;
		}
		if (!options_done &&
		    (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0)) {
			fputs(cmd->usage, stdout);
			return OPEX_EXIT_OK;
		}
		if (options_done || arg[0] != '-' || arg[1] == '\0') {
			if (npos >= maxpos)
				return usage_error(cmd, "unexpected argument '%s'", arg);
			positional[npos++] = arg;
			continue;
		}
		status = parse_option(opts, cmd, argc, argv, &i);
		if (status == 1)
			return usage_error(cmd, "unknown option '%s'", arg);
		if (status >= 0)
			return status;
	}
	if (cmd->accept & OPEX_CLI_ACCEPT_REVS)
		return parse_revs(opts, cmd, positional, npos);
	if (cmd->accept & OPEX_CLI_ACCEPT_QUERY) {
		if (npos == 0)
			return usage_error(cmd, "%s", "what to search for? give a query");
		opts->query = positional[npos - 1];
		if (npos == 2)
			opts->repo = positional[0];
		return -1;
	}
	if (cmd->accept & OPEX_CLI_ACCEPT_PATH) {
		if (npos == 0)
			return usage_error(cmd, "%s", "which file? give a handbook path");
		opts->path = positional[npos - 1];
		if (npos == 2)
			opts->repo = positional[0];
	} else if (npos == 1) {
		opts->repo = positional[0];
	}
	return -1;
}

int opex_cli_load(opex_kb_handbook **out, const opex_cli_options *opts,
	opex_diag_list *diags)
{
	opex_kb_handbook_options hopts = OPEX_KB_HANDBOOK_OPTIONS_INIT;
	opex_error err = OPEX_ERROR_INIT;

	hopts.rev = opts->rev;
	hopts.now = opts->now;
	hopts.history_cache = opts->no_cache ? "" : NULL;
	hopts.article_cache = !opts->no_cache;
	if (opex_kb_handbook_load(out, opts->repo, &hopts, diags, &err) < 0) {
		fprintf(stderr, "opex: %s\n", err.message);
		return OPEX_EXIT_USAGE;
	}
	return 0;
}

int opex_cli_print(const opex_buf *buf)
{
	if (buf->failed) {
		fprintf(stderr, "opex: output too large\n");
		return OPEX_EXIT_USAGE;
	}
	fwrite(buf->ptr, 1, buf->len, stdout);
	return 0;
}

void opex_cli_read_roster(opex_kb_roster *roster, const opex_kb_repo *repo,
	opex_diag_list *diags)
{
	opex_buf buf = OPEX_BUF_INIT(OPEX_LIMIT_FILE_BYTES);

	if (opex_kb_repo_find(repo, "people.yaml") != NULL &&
	    opex_kb_repo_read(&buf, repo, "people.yaml", NULL) == 0)
		opex_kb_roster_parse(roster, "people.yaml", buf.ptr, buf.len,
			diags);
	opex_buf_release(&buf);
}


bool opex_cli_identity_ok(const opex_kb_handbook *hb, const char *person,
	const char *name)
{
	const opex_kb_roster *roster = opex_kb_handbook_roster(hb);
	const opex_kb_person *p = opex_kb_roster_person(roster, person);
	const char *env = getenv("OPEX_USER");
	opex_buf email = OPEX_BUF_INIT(OPEX_LIMIT_LINE_BYTES);
	opex_error err = OPEX_ERROR_INIT;
	bool ok = false;

	if (p == NULL) {
		fprintf(stderr, "opex %s: '%s' is not in the roster (people.yaml)\n",
			name, person);
		goto done;
	}
	if (env != NULL && env[0] != '\0') {
		ok = strcmp(env, p->id) == 0 ||
		     (p->email != NULL && opex_strcasecmp(env, p->email) == 0);
		if (!ok)
			fprintf(stderr, "opex %s: OPEX_USER is '%s', not '%s': refusing to act as someone else\n",
				name, env, person);
		goto done;
	}
	if (opex_kb_repo_user_email(&email, opex_kb_handbook_repo(hb), &err) < 0) {
		fprintf(stderr, "opex %s: cannot tell who you are (%s): set git user.email to %s's address or OPEX_USER\n",
			name, err.message, person);
		goto done;
	}
	ok = p->email != NULL && opex_strcasecmp(email.ptr, p->email) == 0;
	if (!ok)
		fprintf(stderr, "opex %s: your git user.email is '%s', but '%s' is %s in the roster: refusing to act as someone else\n",
			name, email.ptr, person, p->email ? p->email : "(no email)");
done:
	opex_buf_release(&email);
	return ok;
}

/*
 * cmd_ack.c: `opex ack`: required reading and its receipts on refs/opex/acks.
 *
 *   opex ack [REPO] PATH --as P [--read FILE]   0 recorded, 1 refused, 2 error
 *   opex ack list [REPO] [--format text|json]
 *   opex ack status [REPO] PATH [--as P] [--format text|json]
 *   opex ack verify [REPO]                      1 on any problem
 *
 * Who acknowledges: --as P must be the roster person whose email is the
 * git user.email in effect, or OPEX_USER (as for approvals).
 */
#include "cli/cli.h"
#include "core/limits.h"
#include "core/memory.h"
#include "core/path.h"
#include "core/time.h"
#include "launches/launches.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/banned.h"

static const char usage[] =
	"usage: opex ack [REPO] PATH --as PERSON [--read TRANSLATION]\n"
	"       opex ack list [REPO] [--format text|json]\n"
	"       opex ack status [REPO] PATH [--as PERSON] [--format text|json]\n"
	"       opex ack verify [REPO]\n"
	"\n"
	"Required reading: announcements (announcements/*.md), articles with\n"
	"acknowledge: [teams] and maps with acknowledge=\"teams\". A receipt\n"
	"pins the text it was given for; after an edit it is stale.\n"
	"\n"
	"  PATH              the item: an announcement, article or map\n"
	"  --as PERSON       who acknowledges: must match git user.email or OPEX_USER\n"
	"  --read FILE       the translation you read (default: the item)\n"
	"  --rev REV         the handbook revision (default: HEAD)\n"
	"  --now DATE        judge expiry and deadlines as of DATE\n"
	"  --format FORMAT   list and status: text or json\n"
	"\n"
	"Exit status: ack 0 when recorded, 1 when refused (not in the audience,\n"
	"acknowledged already, expired, no such item); status 1 while someone\n"
	"is missing; verify 1 on any problem; 2 for usage or repository errors.\n";

typedef struct ack_args {
	const char *sub;          /* "record", "list", "status", "verify" */
	const char *repo, *path, *as, *read, *rev, *format;
	int64_t now;
} ack_args;

static int fail_usage(const char *fmt, ...) OPEX_PRINTF(1, 2);

static int fail_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("opex ack: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nusage: see 'opex ack --help'\n", stderr);
	return OPEX_EXIT_USAGE;
}

static int parse(ack_args *a, int argc, char **argv)
{
	static const char *const names[] = { "--as", "--read", "--rev",
		"--format", NULL };
	const char *pos[2];
	size_t npos = 0;
	int i = 1;

	memset(a, 0, sizeof(*a));
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? OPEX_EXIT_USAGE : OPEX_EXIT_OK;
	}
	a->sub = "record";
	if (strcmp(argv[1], "list") == 0 || strcmp(argv[1], "status") == 0 ||
	    strcmp(argv[1], "verify") == 0)
		a->sub = argv[i++];
	for (; i < argc; i++) {
		const char *arg = argv[i], *v;
		const char **slot = NULL;
		size_t k;

		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			fputs(usage, stdout);
			return OPEX_EXIT_OK;
		}
		if (arg[0] != '-' || arg[1] == '\0') {
			if (npos >= 2)
				return fail_usage("unexpected argument '%s'", arg);
			pos[npos++] = arg;
			continue;
		}
		v = opex_cli_option_value(argc, argv, &i, "--now");
		if (v != NULL) {
			if (opex_time_parse_date(&a->now, v, NULL) < 0)
				return fail_usage("--now: '%s' is not a date", v);
			continue;
		}
		for (k = 0; names[k] != NULL && slot == NULL; k++) {
			v = opex_cli_option_value(argc, argv, &i, names[k]);
			if (v == NULL)
				continue;
			slot = k == 0 ? &a->as : k == 1 ? &a->read : k == 2 ? &a->rev
				: &a->format;
			if (*v == '\0')
				return fail_usage("%s needs a value", names[k]);
			*slot = v;
		}
		if (slot == NULL)
			return fail_usage("unknown option '%s'", arg);
	}
	/* Which positional is the repository: the one that is no handbook file. */
	if (npos == 2) {
		a->repo = pos[0];
		a->path = pos[1];
	} else if (npos == 1) {
		bool takes_path = strcmp(a->sub, "record") == 0 ||
			strcmp(a->sub, "status") == 0;

		if (takes_path)
			a->path = pos[0];
		else
			a->repo = pos[0];
	}
	if (a->repo == NULL)
		a->repo = ".";
	if (a->path != NULL && strncmp(a->path, "./", 2) == 0)
		a->path += 2;
	if (a->format == NULL)
		a->format = "text";
	if (strcmp(a->format, "text") != 0 && strcmp(a->format, "json") != 0)
		return fail_usage("--format must be text or json, not '%s'", a->format);
	if ((strcmp(a->sub, "record") == 0 || strcmp(a->sub, "status") == 0) &&
	    a->path == NULL)
		return fail_usage("%s needs the path of an item",
			strcmp(a->sub, "record") == 0 ? "acknowledging" : "status");
	if (strcmp(a->sub, "record") == 0 && a->as == NULL)
		return fail_usage("acknowledging needs --as PERSON");
	return -1;
}

/* The handbook, its maps, the receipts and their judgement. */
typedef struct ack_state {
	opex_kb_handbook *hb;
	opex_pm_map **maps;
	size_t map_count;
	opex_ack_log log;
	opex_ack_status st;
} ack_state;

static int state_load(ack_state *s, const ack_args *a)
{
	opex_cli_options opts;
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_error err = OPEX_ERROR_INIT;
	int status;

	memset(s, 0, sizeof(*s));
	memset(&opts, 0, sizeof(opts));
	opts.repo = a->repo;
	opts.rev = a->rev;
	opts.now = a->now;
	opts.format = "text";
	status = opex_cli_load(&s->hb, &opts, &diags);
	if (status != 0)
		goto done;
	s->map_count = opex_pm_maps_read_all(&s->maps,
		opex_kb_handbook_repo(s->hb), &diags);
	if (opex_ack_log_refresh(&s->log, opex_kb_handbook_repo(s->hb), NULL,
		&err) < 0) {
		fprintf(stderr, "opex ack: %s\n", err.message);
		status = OPEX_EXIT_USAGE;
		goto done;
	}
	opex_ack_evaluate(&s->st, s->hb, (const opex_pm_map *const *)s->maps,
		s->map_count, &s->log, a->now);
done:
	opex_diag_list_release(&diags);
	return status;
}

static void state_release(ack_state *s)
{
	opex_ack_status_release(&s->st);
	opex_ack_log_release(&s->log);
	opex_pm_maps_free(s->maps, s->map_count);
	opex_kb_handbook_free(s->hb);
}

static const opex_ack_item *find_item(const ack_state *s, const char *path)
{
	const opex_ack_item *item = opex_ack_status_find(&s->st, s->hb, path);

	if (item == NULL)
		fprintf(stderr, "opex ack: '%s' asks nobody to read it: it is no announcement, and no article or map with acknowledge\n",
			path);
	return item;
}

static int run_record(const ack_args *a)
{
	opex_buf why = OPEX_BUF_INIT(OPEX_LIMIT_LINE_BYTES);
	const opex_ack_item *item;
	const opex_kb_person *who;
	opex_error err = OPEX_ERROR_INIT;
	char commit[41];
	ack_state s;
	int status = state_load(&s, a);

	if (status != 0)
		goto done;
	status = OPEX_EXIT_FINDINGS;
	item = find_item(&s, a->path);
	if (item == NULL || !opex_cli_identity_ok(s.hb, a->as, "ack"))
		goto done;
	if (opex_ack_check(item, a->as, &why) != OPEX_ACK_OK) {
		fprintf(stderr, "opex ack: %s\n", why.ptr);
		goto done;
	}
	if (a->read != NULL && strcmp(a->read, item->path) != 0) {
		const opex_kb_article *r = opex_kb_handbook_find(s.hb, a->read);

		if (r == NULL || r->translation_of == NULL ||
		    strcmp(r->translation_of, item->path) != 0) {
			fprintf(stderr, "opex ack: --read '%s' is no translation of %s\n",
				a->read, item->path);
			status = OPEX_EXIT_USAGE;
			goto done;
		}
	}
	who = opex_kb_roster_person(opex_kb_handbook_roster(s.hb), a->as);
	if (opex_ack_append(commit, item, a->read, opex_kb_handbook_repo(s.hb),
		NULL, who, (int64_t)time(NULL), &err) < 0) {
		fprintf(stderr, "opex ack: %s\n", err.message);
		status = OPEX_EXIT_USAGE;
		goto done;
	}
	printf("%s: acknowledged %s (blob %.12s) as %.12s on %s\n", a->as,
		item->path, item->blob, commit, OPEX_ACK_REF);
	status = OPEX_EXIT_OK;
done:
	opex_buf_release(&why);
	state_release(&s);
	return status;
}

static const char *severity_of(const opex_ack_item *item)
{
	return item->kind == OPEX_ACK_ANNOUNCEMENT
		? opex_kb_notice_level_name(item->severity) : "-";
}

static json_t *item_json(const opex_ack_item *item)
{
	char due[32] = "";

	if (item->due != 0)
		opex_time_format_iso(due, sizeof(due), item->due);
	return json_pack("{s:s,s:s,s:s,s:s,s:b,s:b,s:s?,s:I,s:I,s:I,s:I,s:I}",
		"path", item->path, "kind", opex_ack_kind_name(item->kind),
		"title", item->title, "severity", severity_of(item),
		"required", item->required, "expired", item->expired,
		"due", item->due ? due : NULL,
		"readers", (json_int_t)item->reader_count,
		"current", (json_int_t)item->current,
		"stale", (json_int_t)item->stale,
		"missing", (json_int_t)item->missing,
		"overdue", (json_int_t)item->overdue);
}

static int print_json(json_t *root)
{
	char *text = json_dumps(root, JSON_INDENT(2) | JSON_ENSURE_ASCII);
	int status = text != NULL ? OPEX_EXIT_OK : OPEX_EXIT_USAGE;

	if (text != NULL)
		printf("%s\n", text);
	free(text);
	json_decref(root);
	return status;
}

static int run_list(const ack_args *a)
{
	ack_state s;
	size_t i;
	int status = state_load(&s, a);

	if (status != 0)
		goto done;
	if (strcmp(a->format, "json") == 0) {
		json_t *items = json_array();

		for (i = 0; i < s.st.count; i++)
			json_array_append_new(items, item_json(&s.st.items[i]));
		status = print_json(json_pack("{s:o,s:I}", "items", items,
			"problems", (json_int_t)s.st.problems.count));
		goto done;
	}
	for (i = 0; i < s.st.count; i++) {
		const opex_ack_item *it = &s.st.items[i];

		printf("%-13s %-9s %3zu/%zu current, %zu stale, %zu missing%s%s  %s\n",
			opex_ack_kind_name(it->kind), severity_of(it), it->current,
			it->reader_count, it->stale, it->missing,
			it->overdue ? ", overdue: " : "",
			it->overdue ? "yes" : "", it->path);
	}
	printf("%zu %s asking for reading, %zu receipts counted\n", s.st.count,
		s.st.count == 1 ? "item" : "items", s.st.counted);
done:
	state_release(&s);
	return status;
}

static void print_diff(const ack_state *s, const opex_ack_item *item,
	const opex_ack_reader *rd)
{
	opex_error err = OPEX_ERROR_INIT;
	opex_ack_diff diff;
	size_t i;

	if (opex_ack_diff_since(&diff, s->hb, item, rd->receipt, &err) < 0) {
		printf("what changed since you read it cannot be shown: %s\n",
			err.message);
		return;
	}
	printf("changed since you read it (%zu words added, %zu removed):\n",
		diff.added, diff.removed);
	for (i = 0; i < diff.count; i++) {
		const opex_ack_diff_run *r = &diff.runs[i];

		if (r->change == OPEX_ACK_SAME)
			printf("%s ", r->text);
		else
			printf("%s%s%s ", r->change == OPEX_ACK_ADDED ? "{+" : "[-",
				r->text, r->change == OPEX_ACK_ADDED ? "+}" : "-]");
	}
	printf("\n");
	opex_ack_diff_release(&diff);
}

static int run_status(const ack_args *a)
{
	const opex_ack_item *item;
	ack_state s;
	size_t i;
	int status = state_load(&s, a);

	if (status != 0)
		goto done;
	status = OPEX_EXIT_FINDINGS;
	item = find_item(&s, a->path);
	if (item == NULL)
		goto done;
	if (strcmp(a->format, "json") == 0) {
		json_t *root = item_json(item), *teams = json_array(),
			*readers = json_array();

		for (i = 0; i < item->team_count; i++)
			json_array_append_new(teams, json_pack("{s:s,s:I,s:I,s:I}",
				"team", item->teams[i].id,
				"members", (json_int_t)item->teams[i].members,
				"current", (json_int_t)item->teams[i].current,
				"stale", (json_int_t)item->teams[i].stale));
		for (i = 0; i < item->reader_count; i++) {
			const opex_ack_reader *rd = &item->readers[i];

			json_array_append_new(readers, json_pack("{s:s,s:s,s:b,s:s?}",
				"person", rd->person->id,
				"state", opex_ack_state_name(rd->state),
				"overdue", rd->overdue,
				"receipt", rd->receipt ? rd->receipt->commit : NULL));
		}
		json_object_set_new(root, "teams", teams);
		json_object_set_new(root, "readers", readers);
		print_json(root);
	} else {
		printf("%s: %s (%s), %zu of %zu read the text as it is\n",
			item->path, item->title, opex_ack_kind_name(item->kind),
			item->current, item->reader_count);
		for (i = 0; i < item->team_count; i++)
			printf("  team %-16s %zu/%zu current, %zu stale\n",
				item->teams[i].id, item->teams[i].current,
				item->teams[i].members, item->teams[i].stale);
		for (i = 0; i < item->reader_count; i++) {
			const opex_ack_reader *rd = &item->readers[i];
			char when[32] = "";

			if (rd->state == OPEX_ACK_CURRENT)
				continue;
			if (rd->receipt != NULL)
				opex_time_format_iso(when, sizeof(when),
					rd->receipt->time);
			printf("  %-7s %s%s%s%s", opex_ack_state_name(rd->state),
				rd->person->id, rd->receipt ? " (acknowledged " : "",
				when, rd->receipt ? " an older text)" : "");
			if (rd->overdue) {
				opex_time_format_iso(when, sizeof(when), item->due);
				printf(", overdue since %s", when);
			}
			printf("\n");
		}
	}
	if (a->as != NULL) {
		const opex_ack_reader *rd = opex_ack_item_reader(item, a->as);

		if (rd != NULL && rd->state == OPEX_ACK_STALE &&
		    strcmp(a->format, "text") == 0)
			print_diff(&s, item, rd);
	}
	status = item->current == item->reader_count ? OPEX_EXIT_OK
		: OPEX_EXIT_FINDINGS;
done:
	state_release(&s);
	return status;
}

static int run_verify(const ack_args *a)
{
	ack_state s;
	size_t i;
	int status = state_load(&s, a);

	if (status != 0)
		goto done;
	for (i = 0; i < s.st.problems.count; i++) {
		const opex_diag *d = &s.st.problems.items[i];

		printf("%s: %s: %s [%s]\n", d->path, opex_severity_name(d->severity),
			d->message, d->rule);
	}
	printf("%zu records, %zu receipts counted, %zu %s\n", s.log.count,
		s.st.counted, s.st.problems.count,
		s.st.problems.count == 1 ? "problem" : "problems");
	status = s.st.problems.count ? OPEX_EXIT_FINDINGS : OPEX_EXIT_OK;
done:
	state_release(&s);
	return status;
}

static int run(int argc, char **argv)
{
	ack_args a;
	int status = parse(&a, argc, argv);

	if (status >= 0)
		return status;
	if (strcmp(a.sub, "list") == 0)
		return run_list(&a);
	if (strcmp(a.sub, "status") == 0)
		return run_status(&a);
	if (strcmp(a.sub, "verify") == 0)
		return run_verify(&a);
	return run_record(&a);
}

const opex_cli_command opex_cli_ack = {
	"ack",
	"required reading: acknowledge announcements and changes, who read what",
	usage, 0, "text", "text", run
};

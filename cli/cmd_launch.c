/*
 * cmd_launch.c: `opex launch`, launch readiness: gates, checks, checklist
 * items and approvals recorded on refs/opex/approvals.
 *
 *   subcommand  arguments                                   exit status
 *   list        [REPO]                                      0; 2 repository error
 *   status      [REPO] PATH [--gate G] [--format F] [--kpi S]  0 passed, 1 not, 2 error
 *   approve     [REPO] PATH --gate G --as P [--comment T]   0 recorded, 1 refused, 2 error
 *   reject      ... --comment T                             same
 *   revoke      ... [--comment T]                           same
 *   waive       ... --comment T --until DATE --check C | --item N
 *   log         [REPO] [PATH] [--format text|json]          0
 *   verify      [REPO]                                      0 sound, 1 any problem
 *
 * Who is acting: --as P must be the roster person whose email is the git
 * user.email in effect, or OPEX_USER (a person id or email) for automation.
 */
#include "cli/cli.h"
#include "core/limits.h"
#include "core/memory.h"
#include "core/path.h"
#include "core/str.h"
#include "core/time.h"
#include "launches/launches.h"
#include "renderer/renderer.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/banned.h"

typedef struct launch_args {
	const char *sub;
	const char *repo, *path;
	const char *gate, *as, *comment, *until, *check, *item, *format, *rev;
	const char *kpi;                 /* the KPI store; NULL: the default */
	int64_t now;
} launch_args;

static const char usage[] =
	"usage: opex launch list [REPO]\n"
	"       opex launch status [REPO] launches/x.md [--gate G] [--format text|markdown|json|html] [--kpi PATH]\n"
	"       opex launch approve [REPO] launches/x.md --gate G --as PERSON [--comment TEXT]\n"
	"       opex launch reject  [REPO] launches/x.md --gate G --as PERSON --comment TEXT\n"
	"       opex launch revoke  [REPO] launches/x.md --gate G --as PERSON [--comment TEXT]\n"
	"       opex launch waive   [REPO] launches/x.md --gate G --as PERSON --comment TEXT\n"
	"                           --until DATE (--check NAME | --item N)\n"
	"       opex launch log [REPO] [launches/x.md] [--format text|json]\n"
	"       opex launch verify [REPO]\n"
	"\n"
	"Launch readiness. A launch file (launches/*.md) lists ordered gates, each\n"
	"with approvers, a quorum, automatic checks and task-list items; approvals\n"
	"are commits on refs/opex/approvals, pinned to the content approved.\n"
	"\n"
	"  --gate G         the gate (status: show only this gate)\n"
	"  --as PERSON      who acts: must match git user.email or OPEX_USER\n"
	"  --comment TEXT   required to reject and to waive\n"
	"  --until DATE     when a waiver expires (YYYY-MM-DD)\n"
	"  --check NAME     waive a failing check of the gate\n"
	"  --item N         waive checklist item N (numbered as in status)\n"
	"  --rev REV        the handbook revision (default: HEAD)\n"
	"  --now DATE       judge expiry (and the KPI checks' weeks) as of DATE\n"
	"  --kpi PATH       the KPI store (default: <git-dir>/opex/kpi.sqlite)\n"
	"  --format FORMAT  status: text, markdown, json or html; log: text or json\n"
	"\n"
	"Exit status: status 0 when the gate (or the whole launch) passed, 1 when\n"
	"not; approve and the others 0 when recorded, 1 when refused; verify 1 on\n"
	"any problem in the chain; 2 for usage or repository errors.\n";

static int fail_usage(const char *fmt, ...) OPEX_PRINTF(1, 2);

static int fail_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("opex launch: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nusage: see 'opex launch --help'\n", stderr);
	return OPEX_EXIT_USAGE;
}

static int parse(launch_args *a, int argc, char **argv)
{
	const char *pos[3];
	size_t npos = 0;
	int i;

	memset(a, 0, sizeof(*a));
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? OPEX_EXIT_USAGE : OPEX_EXIT_OK;
	}
	a->sub = argv[1];
	for (i = 2; i < argc; i++) {
		const char *arg = argv[i];
		const char **slot = NULL;
		const char *v;
		static const char *const names[] = { "--gate", "--as", "--comment",
			"--until", "--check", "--item", "--format", "--rev", "--kpi",
			NULL };
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
			slot = k == 0 ? &a->gate : k == 1 ? &a->as : k == 2 ? &a->comment :
				k == 3 ? &a->until : k == 4 ? &a->check : k == 5 ? &a->item :
				k == 6 ? &a->format : k == 7 ? &a->rev : &a->kpi;
			if (*v == '\0')
				return fail_usage("%s needs a value", names[k]);
			*slot = v;
		}
		if (slot == NULL)
			return fail_usage("unknown option '%s'", arg);
	}
	if (npos == 2) {
		a->repo = pos[0];
		a->path = pos[1];
	} else if (npos == 1) {
		if (opex_path_has_suffix(pos[0], ".md") && strcmp(a->sub, "list") != 0 &&
		    strcmp(a->sub, "verify") != 0)
			a->path = pos[0];
		else
			a->repo = pos[0];
	}
	if (a->repo == NULL)
		a->repo = ".";
	if (a->path != NULL && strncmp(a->path, "./", 2) == 0)
		a->path += 2;
	return -1;
}

static int load(opex_kb_handbook **hb, const launch_args *a, const char *rev)
{
	opex_cli_options opts;
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	int status;

	memset(&opts, 0, sizeof(opts));
	opts.repo = a->repo;
	opts.rev = rev;
	opts.now = a->now;
	opts.format = "text";
	status = opex_cli_load(hb, &opts, &diags);
	opex_diag_list_release(&diags);
	return status;
}

/* Read and parse the launch at a->path. */
static int read_launch(opex_launch **out, opex_buf *text,
	const opex_kb_handbook *hb, const char *path, opex_diag_list *diags)
{
	opex_error err = OPEX_ERROR_INIT;

	*out = NULL;
	if (opex_kb_repo_read(text, opex_kb_handbook_repo(hb), path, &err) < 0) {
		fprintf(stderr, "opex launch: cannot read '%s': %s\n", path, err.message);
		return OPEX_EXIT_USAGE;
	}
	*out = opex_launch_parse(path, text->ptr, text->len, diags);
	if (*out == NULL) {
		opex_buf b = OPEX_BUF_INIT(OPEX_LIMIT_RENDER_BYTES);

		opex_render_diags_text(&b, diags);
		fputs(b.ptr, stderr);
		opex_buf_release(&b);
		fprintf(stderr, "opex launch: '%s' is not a launch file\n", path);
		return OPEX_EXIT_USAGE;
	}
	return 0;
}

static int evaluate(opex_launch_status *st, opex_launch_approval_log *log,
	const opex_launch *l, const opex_buf *text, const opex_kb_handbook *hb,
	const launch_args *a)
{
	opex_launch_gate_options gopts = OPEX_LAUNCH_GATE_OPTIONS_INIT;
	opex_error err = OPEX_ERROR_INIT;

	gopts.now = a->now;
	gopts.kpi_store = a->kpi;
	if (opex_launch_approval_log_read(log, hb, &err) < 0 ||
	    opex_launch_gate_evaluate(st, l, text->ptr, text->len, hb, log, &gopts,
		&err) < 0) {
		fprintf(stderr, "opex launch: %s\n", err.message);
		return OPEX_EXIT_USAGE;
	}
	return 0;
}

static bool is_launch_path(const char *p)
{
	return opex_path_under(p, "launches") && opex_path_has_suffix(p, ".md");
}

static int run_list(const launch_args *a)
{
	opex_kb_handbook *hb = NULL;
	opex_buf text = OPEX_BUF_INIT(OPEX_LIMIT_FILE_BYTES);
	opex_launch_approval_log log;
	opex_error err = OPEX_ERROR_INIT;
	const opex_kb_repo *repo;
	size_t i, shown = 0;
	int status = load(&hb, a, a->rev);

	memset(&log, 0, sizeof(log));
	if (status != 0)
		goto done;
	if (opex_launch_approval_log_read(&log, hb, &err) < 0) {
		fprintf(stderr, "opex launch: %s\n", err.message);
		status = OPEX_EXIT_USAGE;
		goto done;
	}
	repo = opex_kb_handbook_repo(hb);
	for (i = 0; i < opex_kb_repo_count(repo); i++) {
		const opex_kb_entry *e = opex_kb_repo_entry(repo, i);
		opex_diag_list diags = OPEX_DIAG_LIST_INIT;
		opex_launch_status st;
		opex_launch_gate_options gopts = OPEX_LAUNCH_GATE_OPTIONS_INIT;
		opex_launch *l = NULL;
		char date[16] = "";

		if (!is_launch_path(e->path) || e->kind != OPEX_KB_ENTRY_FILE)
			continue;
		memset(&st, 0, sizeof(st));
		if (opex_kb_repo_read(&text, repo, e->path, &err) == 0)
			l = opex_launch_parse(e->path, text.ptr, text.len, &diags);
		gopts.now = a->now;
		gopts.kpi_store = a->kpi;
		if (l == NULL) {
			printf("%-44s %-12s %-8s %s\n", e->path, "-", "invalid",
				"(not a launch file: see opex lint)");
		} else if (opex_launch_gate_evaluate(&st, l, text.ptr, text.len, hb, &log,
				&gopts, &err) < 0) {
			printf("%-44s %-12s %-8s %s\n", e->path, "-", "error", err.message);
		} else {
			if (opex_launch_date(l))
				opex_time_format_date(date, sizeof(date),
					opex_launch_date(l));
			printf("%-44s %-12s %-8s %-10s %s\n", e->path,
				st.passed ? "(all)" : st.current < st.gate_count ?
				st.gates[st.current].gate->id : "-",
				st.passed ? "passed" : st.current < st.gate_count ?
				opex_launch_gate_state_name(st.gates[st.current].state) :
				"pending", date[0] ? date : "-",
				opex_launch_title(l) ? opex_launch_title(l) : "");
		}
		shown++;
		opex_launch_status_release(&st);
		opex_launch_free(l);
		opex_diag_list_release(&diags);
	}
	if (shown == 0)
		fprintf(stderr, "opex launch: no launches/*.md at %.10s\n",
			opex_kb_repo_commit(repo));
	status = OPEX_EXIT_OK;
done:
	opex_launch_approval_log_release(&log);
	opex_buf_release(&text);
	opex_kb_handbook_free(hb);
	return status;
}

static int run_status(const launch_args *a)
{
	opex_kb_handbook *hb = NULL;
	opex_buf text = OPEX_BUF_INIT(OPEX_LIMIT_FILE_BYTES);
	opex_buf out = OPEX_BUF_INIT(OPEX_LIMIT_RENDER_BYTES);
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_launch_status st;
	opex_launch_approval_log log;
	opex_render_checklist_options ropts = OPEX_RENDER_CHECKLIST_OPTIONS_INIT;
	opex_error err = OPEX_ERROR_INIT;
	opex_launch *l = NULL;
	const char *fmt = a->format ? a->format : "text";
	size_t i;
	int status;

	memset(&st, 0, sizeof(st));
	memset(&log, 0, sizeof(log));
	if (a->path == NULL)
		return fail_usage("%s needs a launch file (launches/x.md)", "status");
	if (strcmp(fmt, "text") == 0)
		ropts.format = OPEX_RENDER_CHECKLIST_TEXT;
	else if (strcmp(fmt, "markdown") == 0)
		ropts.format = OPEX_RENDER_CHECKLIST_MARKDOWN;
	else if (strcmp(fmt, "json") == 0)
		ropts.format = OPEX_RENDER_CHECKLIST_JSON;
	else if (strcmp(fmt, "html") == 0)
		ropts.format = OPEX_RENDER_CHECKLIST_HTML;
	else
		return fail_usage("unknown format '%s'", fmt);
	ropts.color = ropts.format == OPEX_RENDER_CHECKLIST_TEXT &&
		isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL;
	status = load(&hb, a, a->rev);
	if (status != 0)
		goto done;
	status = read_launch(&l, &text, hb, a->path, &diags);
	if (status != 0)
		goto done;
	if (a->gate != NULL) {
		ropts.gate = opex_launch_gate_find(l, a->gate);
		if (ropts.gate < 0) {
			fprintf(stderr, "opex launch: '%s' has no gate '%s'\n", a->path,
				a->gate);
			status = OPEX_EXIT_USAGE;
			goto done;
		}
	}
	status = evaluate(&st, &log, l, &text, hb, a);
	if (status != 0)
		goto done;
	for (i = 0; i < diags.count; i++)
		opex_diag_add(&st.problems, diags.items[i].severity,
			diags.items[i].rule, diags.items[i].path, diags.items[i].line,
			diags.items[i].col, "%s", diags.items[i].message);
	opex_diag_sort(&st.problems);
	if (opex_render_launch_status(&out, &st, &ropts, &err) < 0) {
		fprintf(stderr, "opex launch: %s\n", err.message);
		status = OPEX_EXIT_USAGE;
		goto done;
	}
	status = opex_cli_print(&out);
	if (status != 0)
		goto done;
	if (ropts.gate >= 0)
		status = st.gates[ropts.gate].state == OPEX_LAUNCH_GATE_PASSED ?
			OPEX_EXIT_OK : OPEX_EXIT_FINDINGS;
	else
		status = st.passed ? OPEX_EXIT_OK : OPEX_EXIT_FINDINGS;
done:
	opex_launch_status_release(&st);
	opex_launch_approval_log_release(&log);
	opex_launch_free(l);
	opex_diag_list_release(&diags);
	opex_buf_release(&out);
	opex_buf_release(&text);
	opex_kb_handbook_free(hb);
	return status;
}

static bool has_record(const opex_launch_approval_log *log, const char *launch,
	const char *gate, const char *person)
{
	size_t i;

	for (i = 0; i < log->count; i++)
		if (strcmp(log->items[i].launch, launch) == 0 &&
		    strcmp(log->items[i].gate, gate) == 0 &&
		    strcmp(log->items[i].person, person) == 0 &&
		    log->items[i].action != OPEX_LAUNCH_ACTION_REVOKE)
			return true;
	return false;
}

/* The usage a record action needs; 0 or the exit status. */
static int record_usage(const launch_args *a, opex_launch_action action)
{
	const char *name = opex_launch_action_name(action);

	if (a->path == NULL || a->gate == NULL || a->as == NULL)
		return fail_usage("%s needs a launch file, --gate G and --as PERSON",
			name);
	if ((action == OPEX_LAUNCH_ACTION_REJECT || action == OPEX_LAUNCH_ACTION_WAIVE) &&
	    (a->comment == NULL || a->comment[0] == '\0'))
		return fail_usage("%s needs --comment TEXT: say why", name);
	if (action == OPEX_LAUNCH_ACTION_WAIVE &&
	    (a->until == NULL || (a->check == NULL) == (a->item == NULL)))
		return fail_usage("%s needs --until DATE and one of --check NAME or --item N",
			name);
	if (a->comment != NULL && strlen(a->comment) > 4000)
		return fail_usage("%s: --comment is longer than 4000 bytes", name);
	return 0;
}

/*
 * Whether `a->as` may take `action` on the gate: an approver (approve,
 * reject), not excluded by separation of duties (approve), with a record
 * to revoke (revoke). A waiver may be requested by anyone; its co-signers
 * are checked. Says why not on stderr.
 */
static bool record_allowed(const launch_args *a, opex_launch_action action,
	const opex_launch_gate_status *gs, const opex_launch_approval_log *log,
	const opex_kb_roster *roster)
{
	size_t i, n = strlen(a->as);

	if (action != OPEX_LAUNCH_ACTION_REVOKE && action != OPEX_LAUNCH_ACTION_WAIVE &&
	    !opex_launch_gate_is_approver(gs->gate, roster, a->as)) {
		fprintf(stderr, "opex launch: '%s' is not an approver of gate '%s'\n",
			a->as, a->gate);
		return false;
	}
	for (i = 0; action == OPEX_LAUNCH_ACTION_APPROVE && i < gs->excluded_count; i++) {
		if (strncmp(gs->excluded[i], a->as, n) != 0 ||
		    gs->excluded[i][n] != ':')
			continue;
		fprintf(stderr, "opex launch: '%s' may not approve gate '%s': %s (separation of duties; the gate may set independent: false)\n",
			a->as, a->gate, gs->excluded[i] + n + 2);
		return false;
	}
	if (action == OPEX_LAUNCH_ACTION_REVOKE &&
	    !has_record(log, a->path, a->gate, a->as)) {
		fprintf(stderr, "opex launch: '%s' has nothing to revoke on gate '%s'\n",
			a->as, a->gate);
		return false;
	}
	return true;
}

/* A waiver's target ("check:NAME" or "item:TEXT") and until; 0 or the exit status. */
static int waiver_target(opex_launch_approval *rec, const launch_args *a,
	const opex_launch *l)
{
	opex_buf target = OPEX_BUF_INIT(OPEX_LIMIT_LINE_BYTES);
	opex_error err = OPEX_ERROR_INIT;
	int status = OPEX_EXIT_FINDINGS;

	if (a->check != NULL) {
		if (opex_launch_check_parse(a->check) < 0) {
			fprintf(stderr, "opex launch: unknown check '%s'\n", a->check);
			goto done;
		}
		opex_buf_printf(&target, "check:%s", a->check);
	} else {
		char *end = NULL;
		long n = strtol(a->item, &end, 10);

		if (end == a->item || *end != '\0' || n < 1 ||
		    (size_t)n > opex_launch_item_count(l)) {
			fprintf(stderr, "opex launch: no checklist item %s (see opex launch status)\n",
				a->item);
			goto done;
		}
		opex_buf_printf(&target, "item:%s",
			opex_launch_item_at(l, (size_t)n - 1)->text);
	}
	if (opex_time_parse_date(&rec->until, a->until, &err) < 0) {
		fprintf(stderr, "opex launch: --until: %s\n", err.message);
		status = OPEX_EXIT_USAGE;
		goto done;
	}
	rec->target = opex_buf_detach(&target, NULL);
	status = 0;
done:
	opex_buf_release(&target);
	return status;
}

static int run_record(const launch_args *a, opex_launch_action action)
{
	opex_kb_handbook *hb = NULL;
	opex_buf text = OPEX_BUF_INIT(OPEX_LIMIT_FILE_BYTES);
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_launch_status st;
	opex_launch_approval_log log;
	opex_launch_approval rec;
	opex_error err = OPEX_ERROR_INIT;
	opex_launch *l = NULL;
	const opex_kb_person *who;
	const opex_launch_gate_status *gs;
	char commit[41];
	long gi;
	int status;

	memset(&st, 0, sizeof(st));
	memset(&log, 0, sizeof(log));
	memset(&rec, 0, sizeof(rec));
	status = record_usage(a, action);
	if (status != 0)
		return status;
	status = load(&hb, a, a->rev);
	if (status != 0)
		goto done;
	status = read_launch(&l, &text, hb, a->path, &diags);
	if (status != 0)
		goto done;
	gi = opex_launch_gate_find(l, a->gate);
	if (gi < 0) {
		fprintf(stderr, "opex launch: '%s' has no gate '%s'\n", a->path, a->gate);
		status = OPEX_EXIT_USAGE;
		goto done;
	}
	if (!opex_cli_identity_ok(hb, a->as, "launch")) {
		status = OPEX_EXIT_FINDINGS;
		goto done;
	}
	who = opex_kb_roster_person(opex_kb_handbook_roster(hb), a->as);
	status = evaluate(&st, &log, l, &text, hb, a);
	if (status != 0)
		goto done;
	gs = &st.gates[gi];
	status = OPEX_EXIT_FINDINGS;
	if (!record_allowed(a, action, gs, &log, opex_kb_handbook_roster(hb)))
		goto done;
	opex_launch_approval_fill(&rec, action, a->path, gs, a->as,
		opex_kb_repo_commit(opex_kb_handbook_repo(hb)), (int64_t)time(NULL),
		a->comment);
	if (action == OPEX_LAUNCH_ACTION_WAIVE) {
		status = waiver_target(&rec, a, l);
		if (status != 0)
			goto done;
	}
	if (opex_launch_approval_append(commit, &rec, opex_kb_handbook_repo(hb),
		NULL, who, &err) < 0) {
		fprintf(stderr, "opex launch: %s\n", err.message);
		status = OPEX_EXIT_USAGE;
		goto done;
	}
	printf("%s: %s of gate '%s' recorded as %.12s on %s\n", a->as,
		opex_launch_action_name(action), a->gate, commit,
		OPEX_LAUNCH_APPROVALS_REF);
	status = OPEX_EXIT_OK;
done:
	opex_launch_approval_release(&rec);
	opex_launch_status_release(&st);
	opex_launch_approval_log_release(&log);
	opex_launch_free(l);
	opex_diag_list_release(&diags);
	opex_buf_release(&text);
	opex_kb_handbook_free(hb);
	return status;
}

static int run_log(const launch_args *a)
{
	opex_kb_handbook *hb = NULL;
	opex_buf out = OPEX_BUF_INIT(OPEX_LIMIT_RENDER_BYTES);
	opex_launch_approval_log log;
	opex_error err = OPEX_ERROR_INIT;
	int status = load(&hb, a, a->rev);

	memset(&log, 0, sizeof(log));
	if (status != 0)
		goto done;
	if (opex_launch_approval_log_read(&log, hb, &err) < 0) {
		fprintf(stderr, "opex launch: %s\n", err.message);
		status = OPEX_EXIT_USAGE;
		goto done;
	}
	if (a->format != NULL && strcmp(a->format, "json") == 0) {
		if (opex_render_approval_log_json(&out, &log, a->path, &err) < 0) {
			fprintf(stderr, "opex launch: %s\n", err.message);
			status = OPEX_EXIT_USAGE;
			goto done;
		}
	} else {
		opex_render_approval_log_text(&out, &log, a->path);
	}
	status = opex_cli_print(&out);
done:
	opex_launch_approval_log_release(&log);
	opex_buf_release(&out);
	opex_kb_handbook_free(hb);
	return status;
}

/* Recompute one record's digests at its revision; prints what is wrong. */
static bool verify_record(const launch_args *a, const opex_launch_approval *r)
{
	opex_kb_handbook *hb = NULL;
	opex_buf text = OPEX_BUF_INIT(OPEX_LIMIT_FILE_BYTES);
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_launch_digests d;
	opex_error err = OPEX_ERROR_INIT;
	opex_launch *l = NULL;
	opex_kb_handbook_options hopts = OPEX_KB_HANDBOOK_OPTIONS_INIT;
	bool ok = false;
	long gi;

	memset(&d, 0, sizeof(d));
	hopts.rev = r->revision;
	if (opex_kb_handbook_load(&hb, a->repo, &hopts, &diags, &err) < 0) {
		printf("%.12s: %s of %s by %s: its revision %.12s cannot be read: %s\n",
			r->commit, opex_launch_action_name(r->action), r->gate, r->person,
			r->revision, err.message);
		goto done;
	}
	if (opex_kb_repo_read(&text, opex_kb_handbook_repo(hb), r->launch, &err) < 0 ||
	    (l = opex_launch_parse(r->launch, text.ptr, text.len, &diags)) == NULL) {
		printf("%.12s: '%s' cannot be read at %.12s\n", r->commit, r->launch,
			r->revision);
		goto done;
	}
	gi = opex_launch_gate_find(l, r->gate);
	if (gi < 0) {
		printf("%.12s: '%s' has no gate '%s' at %.12s\n", r->commit, r->launch,
			r->gate, r->revision);
		goto done;
	}
	opex_launch_digests_compute(&d, l, text.ptr, text.len, (size_t)gi, hb);
	if (strcmp(d.scope, r->scope) != 0 || strcmp(d.policy, r->policy) != 0) {
		printf("%.12s: %s of %s by %s: the %s digest does not recompute at %.12s: the record was changed\n",
			r->commit, opex_launch_action_name(r->action), r->gate, r->person,
			strcmp(d.scope, r->scope) != 0 ? "scope" : "policy", r->revision);
		goto done;
	}
	ok = true;
done:
	opex_launch_digests_release(&d);
	opex_launch_free(l);
	opex_diag_list_release(&diags);
	opex_buf_release(&text);
	opex_kb_handbook_free(hb);
	return ok;
}

static int run_verify(const launch_args *a)
{
	opex_kb_handbook *hb = NULL;
	opex_launch_approval_log log;
	opex_error err = OPEX_ERROR_INIT;
	size_t i, bad = 0;
	int status = load(&hb, a, a->rev);

	memset(&log, 0, sizeof(log));
	if (status != 0)
		goto done;
	if (opex_launch_approval_log_read(&log, hb, &err) < 0) {
		fprintf(stderr, "opex launch: %s\n", err.message);
		status = OPEX_EXIT_USAGE;
		goto done;
	}
	for (i = 0; i < log.problems.count; i++) {
		printf("%s: %s [%s]\n", log.problems.items[i].path,
			log.problems.items[i].message, log.problems.items[i].rule);
		bad++;
	}
	for (i = 0; i < log.count; i++) {
		const opex_kb_person *p = opex_kb_roster_person(
			opex_kb_handbook_roster(hb), log.items[i].person);

		if (!verify_record(a, &log.items[i])) {
			bad++;
			continue;
		}
		if (p != NULL && p->email != NULL &&
		    opex_strcasecmp(p->email, log.items[i].author_email) != 0) {
			printf("%.12s: written as %s but the record names %s\n",
				log.items[i].commit, log.items[i].author_email,
				log.items[i].person);
			bad++;
		}
	}
	printf("%zu records, %zu %s\n", log.count, bad,
		bad == 1 ? "problem" : "problems");
	status = bad ? OPEX_EXIT_FINDINGS : OPEX_EXIT_OK;
done:
	opex_launch_approval_log_release(&log);
	opex_kb_handbook_free(hb);
	return status;
}

static int run(int argc, char **argv)
{
	launch_args a;
	int status = parse(&a, argc, argv);

	if (status >= 0)
		return status;
	if (strcmp(a.sub, "list") == 0)
		return run_list(&a);
	if (strcmp(a.sub, "status") == 0)
		return run_status(&a);
	if (strcmp(a.sub, "approve") == 0)
		return run_record(&a, OPEX_LAUNCH_ACTION_APPROVE);
	if (strcmp(a.sub, "reject") == 0)
		return run_record(&a, OPEX_LAUNCH_ACTION_REJECT);
	if (strcmp(a.sub, "revoke") == 0)
		return run_record(&a, OPEX_LAUNCH_ACTION_REVOKE);
	if (strcmp(a.sub, "waive") == 0)
		return run_record(&a, OPEX_LAUNCH_ACTION_WAIVE);
	if (strcmp(a.sub, "log") == 0)
		return run_log(&a);
	if (strcmp(a.sub, "verify") == 0)
		return run_verify(&a);
	return fail_usage("unknown subcommand '%s'", a.sub);
}

const opex_cli_command opex_cli_launch = {
	"launch",
	"launch readiness: gates, checks, checklists and approvals in git",
	usage, 0, "text", "text", run
};

/*
 * check_launch_cli.c: `opex launch` end to end on temporary handbooks:
 * gates pass, approvals go stale when a covered process changes (not when
 * it is reformatted), quorum, team approvers, separation of duties,
 * rejects, waivers that expire, and who may act.
 */
#define _POSIX_C_SOURCE 200809L /* setenv */

#include "support/repo_fixture.h"
#include "support/test_util.h"
#include "core/memory.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

/* 2026-01-01T00:00:00Z, then a day at a time */
#define T0 1767225600
#define DAY 86400

static const char people[] =
	"people:\n"
	"  - id: ann\n    name: Ann Ops\n    email: ann@example.com\n    teams: [ops]\n"
	"  - id: bob\n    name: Bob Ops\n    email: bob@example.com\n    teams: [ops]\n"
	"  - id: cat\n    name: Cat Ops\n    email: cat@example.com\n    teams: [ops]\n"
	"  - id: dan\n    name: Dan Owner\n    email: dan@example.com\n    teams: [ops]\n"
	"  - id: eve\n    name: Eve Editor\n    email: eve@example.com\n    teams: [content]\n"
	"teams:\n  - id: ops\n    name: Operations\n  - id: content\n    name: Content\n";

static const char map[] =
	"digraph refunds {\n"
	"  title=\"Refunds\"; owner=\"dan\"; champion=\"ann\";\n"
	"  start [kind=start, label=\"Refund asked\"];\n"
	"  act [kind=action, label=\"Refund\", article=\"articles/refunds.md\"];\n"
	"  done [kind=end, label=\"Refunded\"];\n"
	"  start -> act -> done;\n"
	"}\n";

/* The same map, written differently. */
static const char map_reformatted[] =
	"digraph refunds {\n"
	"  owner = \"dan\"\n  champion = \"ann\"\n  title = \"Refunds\"\n"
	"  done  [label=\"Refunded\", kind=end]\n"
	"  act   [article=\"articles/refunds.md\", label=\"Refund\", kind=action]\n"
	"  start [label=\"Refund asked\", kind=start]\n"
	"  start -> act\n  act -> done\n"
	"}\n";

/* A real change: the step's label. */
static const char map_changed[] =
	"digraph refunds {\n"
	"  title=\"Refunds\"; owner=\"dan\"; champion=\"ann\";\n"
	"  start [kind=start, label=\"Refund asked\"];\n"
	"  act [kind=action, label=\"Refund the card\", article=\"articles/refunds.md\"];\n"
	"  done [kind=end, label=\"Refunded\"];\n"
	"  start -> act -> done;\n"
	"}\n";

static const char article[] =
	"---\ntitle: Refunds\nowner: ann\nlanguage: en\n---\nHow to refund.\n";

static const char launch_fmt[] =
	"---\n"
	"title: Refunds in the app\n"
	"date: 2026-03-01\n"
	"owner: dan\n"
	"languages: [en]\n"
	"processes: [processes/refunds.dot]\n"
	"articles: [articles/refunds.md]\n"
	"stakeholders: [eve, content]\n"
	"gates:\n"
	"  - id: design\n"
	"    title: Design review\n"
	"    approvers: [ops]\n"
	"    quorum: 1\n"
	"    checks: [owners-known, articles-exist, steps-documented]\n"
	"  - id: go-live\n"
	"    title: Go-live\n"
	"    approvers: [ops]\n"
	"    quorum: 2\n"
	"    checks: [checklist-done, previous-gates]\n"
	"---\n"
	"# Refunds\n\n"
	"```\n- [ ] not an item: fenced code {gate: design}\n```\n\n"
	"- [x] Refund reasons agreed {gate: design}\n"
	"- [%c] Agents trained {gate: go-live}\n";

static opex_test_repo *repo;
static char launch_open[2048], launch_ticked[2048];

static void setup(void)
{
	snprintf(launch_open, sizeof(launch_open), launch_fmt, ' ');
	snprintf(launch_ticked, sizeof(launch_ticked), launch_fmt, 'x');
	repo = opex_test_repo_new(false);
	opex_test_repo_put(repo, "people.yaml", people);
	opex_test_repo_put(repo, "processes/refunds.dot", map);
	opex_test_repo_put(repo, "articles/refunds.md", article);
	opex_test_repo_commit(repo, "Eve Editor", "eve@example.com", T0,
		"handbook", NULL);
	opex_test_repo_put(repo, "launches/refunds.md", launch_open);
	opex_test_repo_commit(repo, "Dan Owner", "dan@example.com", T0 + DAY,
		"launch", NULL);
	unsetenv("OPEX_USER");
}

static void teardown(void)
{
	opex_test_repo_free(repo);
	repo = NULL;
	unsetenv("OPEX_USER");
}

/* Run `opex launch ARGS...` in the fixture as OPEX_USER=`who` (NULL: none). */
static int launch(char **out, const char *who, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int launch(char **out, const char *who, const char *fmt, ...)
{
	char args[4096], full[4400];
	char *o = NULL, *e = NULL;
	va_list ap;
	int status;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	if (who != NULL)
		setenv("OPEX_USER", who, 1);
	else
		unsetenv("OPEX_USER");
	snprintf(full, sizeof(full), "launch %s", args);
	/* The repository goes first: every subcommand takes [REPO]. */
	status = opex_test_run_opex(full, &o, &e);
	if (out != NULL) {
		size_t n = strlen(o), m = strlen(e);

		*out = opex_malloc(n + m + 1);
		memcpy(*out, o, n);
		memcpy(*out + n, e, m + 1);
	}
	opex_free(o);
	opex_free(e);
	return status;
}

static int act(const char *what, const char *gate, const char *who,
	const char *extra)
{
	char *out = NULL;
	int status = launch(&out, who, "%s '%s' launches/refunds.md --gate %s --as %s %s",
		what, opex_test_repo_path(repo), gate, who, extra ? extra : "");

	if (status != 0)
		fprintf(stderr, "%s by %s: %s", what, who, out);
	opex_free(out);
	return status;
}

static int status_of(char **out, const char *gate, const char *extra)
{
	char g[128] = "";

	if (gate != NULL)
		snprintf(g, sizeof(g), "--gate %s", gate);
	return launch(out, NULL, "status '%s' launches/refunds.md %s %s",
		opex_test_repo_path(repo), g, extra ? extra : "");
}

static void tick(const char *who, const char *email, int64_t t)
{
	opex_test_repo_put(repo, "launches/refunds.md", launch_ticked);
	opex_test_repo_commit(repo, who, email, t, "agents trained", NULL);
}

START_TEST(launch_cli__passes_all_gates)
{
	char *out = NULL;

	ck_assert_int_eq(status_of(&out, NULL, NULL), 1);
	ck_assert_ptr_nonnull(strstr(out, "pending"));
	opex_free(out);
	ck_assert_int_eq(act("approve", "design", "ann", NULL), 0);
	ck_assert_int_eq(status_of(NULL, "design", NULL), 0);
	tick("Eve Editor", "eve@example.com", T0 + 2 * DAY);
	/* Ticking an item keeps the design approval. */
	ck_assert_int_eq(status_of(NULL, "design", NULL), 0);
	ck_assert_int_eq(act("approve", "go-live", "bob", NULL), 0);
	ck_assert_int_eq(status_of(NULL, NULL, NULL), 1);
	ck_assert_int_eq(act("approve", "go-live", "cat", NULL), 0);
	ck_assert_int_eq(status_of(&out, NULL, NULL), 0);
	ck_assert_msg(strstr(out, "ticked by eve") != NULL, "%s", out);
	ck_assert_ptr_null(strstr(out, "not an item"));
	opex_free(out);
	ck_assert_int_eq(status_of(&out, NULL, "--format json"), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"passed\": true"));
	opex_free(out);
	ck_assert_int_eq(status_of(&out, NULL, "--format markdown"), 0);
	ck_assert_ptr_nonnull(strstr(out, "- [x] Agents trained"));
	opex_free(out);
	ck_assert_int_eq(status_of(&out, NULL, "--format html"), 0);
	ck_assert_ptr_nonnull(strstr(out, "<section class=\"launch-gate passed\">"));
	opex_free(out);
	ck_assert_int_eq(launch(&out, NULL, "list '%s'", opex_test_repo_path(repo)), 0);
	ck_assert_ptr_nonnull(strstr(out, "passed"));
	opex_free(out);
	ck_assert_int_eq(launch(&out, NULL, "verify '%s'", opex_test_repo_path(repo)), 0);
	ck_assert_ptr_nonnull(strstr(out, "3 records, 0 problems"));
	opex_free(out);
}
END_TEST

START_TEST(launch_cli__edit_stales_reformat_keeps)
{
	char *out = NULL;

	ck_assert_int_eq(act("approve", "design", "ann", NULL), 0);
	ck_assert_int_eq(status_of(NULL, "design", NULL), 0);
	opex_test_repo_put(repo, "processes/refunds.dot", map_reformatted);
	opex_test_repo_commit(repo, "Cat Ops", "cat@example.com", T0 + 3 * DAY,
		"reformat", NULL);
	ck_assert_int_eq(status_of(NULL, "design", NULL), 0);
	opex_test_repo_put(repo, "processes/refunds.dot", map_changed);
	opex_test_repo_commit(repo, "Cat Ops", "cat@example.com", T0 + 4 * DAY,
		"relabel", NULL);
	ck_assert_int_eq(status_of(&out, "design", NULL), 1);
	ck_assert_msg(strstr(out, "stale (processes/refunds.dot changed)") != NULL,
		"%s", out);
	ck_assert_ptr_nonnull(strstr(out, "design: Design review  pending"));
	opex_free(out);
	/* cat changed the scope since the gate passed: cat may not approve it. */
	ck_assert_int_eq(act("approve", "design", "cat", NULL), 1);
	ck_assert_int_eq(act("approve", "design", "bob", NULL), 0);
	ck_assert_int_eq(status_of(NULL, "design", NULL), 0);
}
END_TEST

START_TEST(launch_cli__quorum_needs_two_people)
{
	char *out = NULL;

	tick("Eve Editor", "eve@example.com", T0 + 2 * DAY);
	ck_assert_int_eq(act("approve", "design", "ann", NULL), 0);
	ck_assert_int_eq(act("approve", "go-live", "bob", NULL), 0);
	ck_assert_int_eq(act("approve", "go-live", "bob", NULL), 0);
	ck_assert_int_eq(status_of(&out, "go-live", NULL), 1);
	ck_assert_msg(strstr(out, "quorum: 1 of 2 fresh approvals") != NULL, "%s", out);
	opex_free(out);
	ck_assert_int_eq(act("approve", "go-live", "ann", NULL), 0);
	ck_assert_int_eq(status_of(NULL, "go-live", NULL), 0);
}
END_TEST

START_TEST(launch_cli__owner_cannot_approve)
{
	char *out = NULL;

	ck_assert_int_eq(act("approve", "design", "dan", NULL), 1);
	ck_assert_int_eq(status_of(&out, "design", NULL), 1);
	ck_assert_ptr_nonnull(strstr(out, "dan: owns the launch"));
	opex_free(out);
	/* eve is not an approver at all */
	ck_assert_int_eq(act("approve", "design", "eve", NULL), 1);
}
END_TEST

START_TEST(launch_cli__reject_blocks_until_revoked)
{
	char *out = NULL;

	ck_assert_int_eq(act("approve", "design", "ann", NULL), 0);
	ck_assert_int_eq(act("reject", "design", "bob", NULL), 2); /* no comment */
	ck_assert_int_eq(act("reject", "design", "bob",
		"--comment 'refund reasons miss chargebacks'"), 0);
	ck_assert_int_eq(status_of(&out, "design", NULL), 1);
	ck_assert_ptr_nonnull(strstr(out, "blocked"));
	ck_assert_ptr_nonnull(strstr(out, "refund reasons miss chargebacks"));
	opex_free(out);
	ck_assert_int_eq(act("revoke", "design", "cat", NULL), 1); /* nothing to revoke */
	ck_assert_int_eq(act("revoke", "design", "bob", NULL), 0);
	ck_assert_int_eq(status_of(NULL, "design", NULL), 0);
}
END_TEST

START_TEST(launch_cli__waiver_expires)
{
	char *out = NULL;

	ck_assert_int_eq(act("approve", "design", "ann", NULL), 0);
	ck_assert_int_eq(act("approve", "go-live", "ann", NULL), 0);
	ck_assert_int_eq(act("approve", "go-live", "bob", NULL), 0);
	ck_assert_int_eq(status_of(NULL, "go-live", "--now 2029-12-01"), 1);
	ck_assert_int_eq(act("waive", "go-live", "dan",
		"--item 2 --until 2030-01-01"), 2); /* no comment */
	ck_assert_int_eq(act("waive", "go-live", "dan",
		"--item 2 --until 2030-01-01 --comment 'training after launch'"), 0);
	ck_assert_int_eq(act("waive", "go-live", "ann",
		"--item 2 --until 2030-01-01 --comment 'agreed'"), 0);
	/* the quorum of 2 excludes the requester: one co-signer is not enough */
	ck_assert_int_eq(status_of(NULL, "go-live", "--now 2029-12-01"), 1);
	ck_assert_int_eq(act("waive", "go-live", "cat",
		"--item 2 --until 2030-01-01 --comment 'agreed'"), 0);
	ck_assert_int_eq(status_of(&out, "go-live", "--now 2029-12-01"), 0);
	ck_assert_msg(strstr(out, "[~] 2. Agents trained") != NULL, "%s", out);
	opex_free(out);
	ck_assert_int_eq(status_of(&out, "go-live", "--now 2030-06-01"), 1);
	ck_assert_msg(strstr(out, "expired") != NULL, "%s", out);
	opex_free(out);
}
END_TEST

START_TEST(launch_cli__identity)
{
	char *out = NULL;
	int status = launch(&out, "bob",
		"approve '%s' launches/refunds.md --gate design --as ann",
		opex_test_repo_path(repo));

	ck_assert_int_eq(status, 1);
	ck_assert_ptr_nonnull(strstr(out, "refusing to act as someone else"));
	opex_free(out);
	ck_assert_int_eq(launch(&out, "ann@example.com",
		"approve '%s' launches/refunds.md --gate design --as ann",
		opex_test_repo_path(repo)), 0);
	opex_free(out);
	ck_assert_int_eq(act("approve", "nope", "ann", NULL), 2);
	ck_assert_int_eq(launch(&out, NULL, "frobnicate"), 2);
	opex_free(out);
}
END_TEST

START_TEST(launch_cli__bad_launch_is_reported)
{
	char *out = NULL;

	opex_test_repo_put(repo, "launches/bad.md",
		"---\ntitle: Bad\ndate: 2026-13-45\nowner: zed\n"
		"processes: [processes/missing.dot]\narticles: [articles/missing.md]\n"
		"gates:\n"
		"  - id: a\n    approvers: [ghost]\n    quorum: 5\n    checks: [vibes]\n"
		"  - id: a\n    approvers: [ops]\n"
		"---\n- [ ] x {gate: nowhere}\n");
	opex_test_repo_commit(repo, "Eve Editor", "eve@example.com", T0 + 2 * DAY,
		"bad", NULL);
	ck_assert_int_eq(launch(&out, NULL, "status '%s' launches/bad.md",
		opex_test_repo_path(repo)), 1);
	ck_assert_msg(strstr(out, "date-invalid") && strstr(out, "check-unknown") &&
		strstr(out, "gate-duplicate") && strstr(out, "approver-unknown") &&
		strstr(out, "process-missing") && strstr(out, "article-missing") &&
		strstr(out, "quorum-too-large") && strstr(out, "item-gate-unknown") &&
		strstr(out, "person-unknown"), "%s", out);
	opex_free(out);
}
END_TEST

/* The KPI checks read the store --kpi names, and never create it. */
START_TEST(launch_cli__kpi_store_option)
{
	char *out = NULL, *dir = opex_test_tmpdir(), store[512];
	FILE *f;

	snprintf(store, sizeof(store), "%s/kpi.sqlite", dir);
	opex_test_repo_put(repo, "opex.yaml",
		"kpi:\n  sources:\n    - name: t\n      files: \"t*.csv\"\n"
		"      process: processes/refunds.dot\n"
		"      columns: {case: id, created: created}\n");
	opex_test_repo_put(repo, "launches/kpi.md",
		"---\ntitle: KPIs\ndate: 2026-03-02\nowner: dan\n"
		"processes: [processes/refunds.dot]\n"
		"capacity:\n  - journey: refunds\n    extra_contacts_per_week: -5\n"
		"    weeks: [2026-W10, 2026-W99]\n"
		"gates:\n  - id: a\n    title: A\n    approvers: [ops]\n"
		"    checks: [kpis-within-target, capacity-covered]\n---\n");
	opex_test_repo_commit(repo, "Eve Editor", "eve@example.com", T0 + 2 * DAY,
		"kpi launch", NULL);
	ck_assert_int_eq(launch(&out, NULL, "status '%s' launches/kpi.md --kpi '%s'",
		opex_test_repo_path(repo), store), 1);
	ck_assert_msg(strstr(out, "[FAIL] check kpis-within-target") &&
		strstr(out, "[FAIL] check capacity-covered") &&
		strstr(out, "no KPI store at") && strstr(out, store) &&
		strstr(out, "capacity-invalid") && strstr(out, "negative") &&
		strstr(out, "'2026-W99' is not an ISO week"), "%s", out);
	f = fopen(store, "rb");
	ck_assert_ptr_null(f);
	opex_free(out);
	opex_test_rmtree(dir);
}
END_TEST

/* One gate: the owner may approve, ann plus two of ops, approvals last 10 days. */
static const char launch_solo[] =
	"---\n"
	"title: Refund limits\n"
	"date: 2026-03-01\n"
	"owner: dan\n"
	"processes: [processes/refunds.dot]\n"
	"gates:\n"
	"  - id: solo\n"
	"    title: Sign-off\n"
	"    approvers: [ops]\n"
	"    quorum: {all_of: [{team: ops, n: 2}, {person: ann}]}\n"
	"    independent: false\n"
	"    valid_for: 10d\n"
	"    checks: [owners-known]\n"
	"---\n";

static int solo(const char *what, const char *who)
{
	char *out = NULL;
	int status = launch(&out, who,
		"%s '%s' launches/solo.md --gate solo --as %s", what,
		opex_test_repo_path(repo), who);

	if (status != 0)
		fprintf(stderr, "%s by %s: %s", what, who, out);
	opex_free(out);
	return status;
}

START_TEST(launch_cli__all_of_quorum_not_independent_valid_for)
{
	char *out = NULL;

	opex_test_repo_put(repo, "launches/solo.md", launch_solo);
	opex_test_repo_commit(repo, "Eve Editor", "eve@example.com", T0 + 2 * DAY,
		"solo launch", NULL);
	/* independent: false lets the owner approve */
	ck_assert_int_eq(solo("approve", "dan"), 0);
	ck_assert_int_eq(solo("approve", "bob"), 0);
	/* two of ops, but the person term (ann) is unfilled */
	ck_assert_int_eq(launch(&out, NULL, "status '%s' launches/solo.md",
		opex_test_repo_path(repo)), 1);
	opex_free(out);
	ck_assert_int_eq(solo("approve", "ann"), 0);
	ck_assert_int_eq(launch(&out, NULL, "status '%s' launches/solo.md",
		opex_test_repo_path(repo)), 0);
	opex_free(out);
	/* approvals were made now; far in the future they have expired */
	ck_assert_int_eq(launch(&out, NULL,
		"status '%s' launches/solo.md --now 2099-01-01",
		opex_test_repo_path(repo)), 1);
	ck_assert_msg(strstr(out, "expired") != NULL, "%s", out);
	opex_free(out);
}
END_TEST

Suite *suite_launch_cli(void)
{
	Suite *s = suite_create("cli_launch");
	TCase *tc = tcase_create("launch");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, launch_cli__passes_all_gates);
	tcase_add_test(tc, launch_cli__edit_stales_reformat_keeps);
	tcase_add_test(tc, launch_cli__quorum_needs_two_people);
	tcase_add_test(tc, launch_cli__owner_cannot_approve);
	tcase_add_test(tc, launch_cli__reject_blocks_until_revoked);
	tcase_add_test(tc, launch_cli__waiver_expires);
	tcase_add_test(tc, launch_cli__identity);
	tcase_add_test(tc, launch_cli__bad_launch_is_reported);
	tcase_add_test(tc, launch_cli__kpi_store_option);
	tcase_add_test(tc, launch_cli__all_of_quorum_not_independent_valid_for);
	suite_add_tcase(s, tc);
	return s;
}

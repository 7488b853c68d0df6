/*
 * check_launch.c: launch files as data: front matter, gates, the task-list
 * checklist, the normalized text of the scope digest, and hostile input
 * (each problem a diagnostic with its rule and line).
 */
#include <check.h>
#include <string.h>

#include "core/limits.h"
#include "core/memory.h"
#include "launches/launches.h"
#include "support/test_util.h"

#include "core/banned.h"

#define DAY 86400

static const char full_md[] =
	"---\n"                                               /* 1 */
	"title: Card launch\n"                                /* 2 */
	"date: 2027-03-01\n"                                  /* 3 */
	"owner: zoe\n"                                        /* 4 */
	"markets: id\n"                                       /* 5 */
	"languages: [en, id]\n"                               /* 6 */
	"processes: [processes/a.dot]\n"                      /* 7 */
	"articles:\n"                                         /* 8 */
	"  - articles/a.md\n"                                 /* 9 */
	"  - articles/b.md\n"                                 /* 10 */
	"stakeholders: [ops, sam]\n"                          /* 11 */
	"gates:\n"                                            /* 12 */
	"  - id: design\n"                                    /* 13 */
	"    title: Design\n"                                 /* 14 */
	"    approvers: [ops, sam]\n"                         /* 15 */
	"    quorum: 2\n"                                     /* 16 */
	"    checks:\n"                                       /* 17 */
	"      - processes-lint\n"                            /* 18 */
	"      - checklist-done\n"                            /* 19 */
	"    valid_for: 30d\n"                                /* 20 */
	"  - id: go-live\n"                                   /* 21 */
	"    approvers: [ops]\n"                              /* 22 */
	"    quorum: {all_of: [{team: ops, n: 2}, {person: sam}]}\n" /* 23 */
	"    independent: false\n"                            /* 24 */
	"---\n"                                               /* 25 */
	"# Checklist\n"                                       /* 26 */
	"- [ ] Capacity plan approved {gate: design}\n"       /* 27 */
	"- [x] Journeys listed {gate: go-live}\n"             /* 28 */
	"```\n"                                               /* 29 */
	"- [ ] not an item {gate: design}\n"                  /* 30 */
	"```\n"                                               /* 31 */
	"  * [X]   Runbook written  \n"                       /* 32 */
	"~~~~\n"                                              /* 33 */
	"- [x] still code\n"                                  /* 34 */
	"~~~~\n"                                              /* 35 */
	"- [x]not an item\n"                                  /* 36 */
	"+ [ ] Training done {gate: design}\r\n";             /* 37 */

static opex_launch *parse(const char *text, opex_diag_list *diags)
{
	return opex_launch_parse("launches/l.md", text, strlen(text), diags);
}

START_TEST(launches_launch__reads_front_matter)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_launch *l = parse(full_md, &diags);
	const opex_launch_name *n;

	ck_assert_ptr_nonnull(l);
	ck_assert_str_eq(opex_launch_path(l), "launches/l.md");
	ck_assert_str_eq(opex_launch_title(l), "Card launch");
	ck_assert_str_eq(opex_launch_owner(l), "zoe");
	ck_assert_uint_eq(opex_launch_owner_line(l), 4);
	ck_assert_int_eq(opex_launch_date(l), 1803859200); /* 2027-03-01 */
	/* one scalar is a list of one */
	ck_assert_uint_eq(opex_launch_list_count(l, OPEX_LAUNCH_MARKETS), 1);
	ck_assert_str_eq(opex_launch_list_item(l, OPEX_LAUNCH_MARKETS, 0)->name, "id");
	ck_assert_uint_eq(opex_launch_list_count(l, OPEX_LAUNCH_LANGUAGES), 2);
	ck_assert_uint_eq(opex_launch_list_count(l, OPEX_LAUNCH_PROCESSES), 1);
	ck_assert_uint_eq(opex_launch_list_count(l, OPEX_LAUNCH_ARTICLES), 2);
	n = opex_launch_list_item(l, OPEX_LAUNCH_ARTICLES, 1);
	ck_assert_str_eq(n->name, "articles/b.md");
	ck_assert_uint_eq(n->line, 10);
	n = opex_launch_list_item(l, OPEX_LAUNCH_STAKEHOLDERS, 1);
	ck_assert_str_eq(n->name, "sam");
	ck_assert_uint_eq(n->line, 11);
	ck_assert_uint_eq(opex_diag_count(&diags, OPEX_SEVERITY_ERROR), 0);
	opex_launch_free(l);
	opex_diag_list_release(&diags);
}
END_TEST

START_TEST(launches_launch__reads_gates)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_launch *l = parse(full_md, &diags);
	const opex_launch_gate *g;

	ck_assert_ptr_nonnull(l);
	ck_assert_uint_eq(opex_launch_gate_count(l), 2);
	ck_assert_int_eq(opex_launch_gate_find(l, "go-live"), 1);
	ck_assert_int_eq(opex_launch_gate_find(l, "launch"), -1);

	g = opex_launch_gate_at(l, 0);
	ck_assert_str_eq(g->id, "design");
	ck_assert_str_eq(g->title, "Design");
	ck_assert_uint_eq(g->line, 13);
	ck_assert_uint_eq(g->approver_count, 2);
	ck_assert_str_eq(g->approvers[1].name, "sam");
	ck_assert_uint_eq(g->approvers[1].line, 15);
	ck_assert_uint_eq(g->quorum, 2);
	ck_assert_uint_eq(g->term_count, 0);
	ck_assert_uint_eq(g->check_count, 2);
	ck_assert_int_eq(g->checks[0], OPEX_LAUNCH_CHECK_PROCESSES_LINT);
	ck_assert_int_eq(g->checks[1], OPEX_LAUNCH_CHECK_CHECKLIST_DONE);
	ck_assert_uint_eq(g->check_lines[1], 19);
	ck_assert_int_eq(g->valid_for, 30 * DAY);
	ck_assert(g->independent);              /* the default */
	ck_assert_ptr_nonnull(strstr(g->definition, "approver sam\n"));

	g = opex_launch_gate_at(l, 1);
	ck_assert_ptr_null(g->title);
	ck_assert_uint_eq(g->term_count, 2);
	ck_assert_str_eq(g->terms[0].team, "ops");
	ck_assert_ptr_null(g->terms[0].person);
	ck_assert_uint_eq(g->terms[0].n, 2);
	ck_assert_str_eq(g->terms[1].person, "sam");
	ck_assert_uint_eq(g->terms[1].n, 1);
	ck_assert_int_eq(g->valid_for, 0);
	ck_assert(!g->independent);
	ck_assert_ptr_nonnull(strstr(g->definition, "term team ops 2\n"));
	opex_launch_free(l);
	opex_diag_list_release(&diags);
}
END_TEST

START_TEST(launches_launch__reads_task_items)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_launch *l = parse(full_md, &diags);
	static const struct {
		const char *text, *gate;
		size_t gate_index;
		bool ticked;
		unsigned line;
	} want[] = {
		{ "Capacity plan approved", "design", 0, false, 27 },
		{ "Journeys listed", "go-live", 1, true, 28 },
		{ "Runbook written", NULL, 1, true, 32 },
		{ "Training done", "design", 0, false, 37 },
	};
	size_t i;

	ck_assert_ptr_nonnull(l);
	ck_assert_uint_eq(opex_launch_item_count(l), 4);
	for (i = 0; i < 4; i++) {
		const opex_launch_item *it = opex_launch_item_at(l, i);

		ck_assert_str_eq(it->text, want[i].text);
		if (want[i].gate == NULL)
			ck_assert_ptr_null(it->gate);
		else
			ck_assert_str_eq(it->gate, want[i].gate);
		ck_assert_uint_eq(it->gate_index, want[i].gate_index);
		ck_assert(it->ticked == want[i].ticked);
		ck_assert_uint_eq(it->line, want[i].line);
	}
	/* the item without a gate counts for the last one, with a warning */
	ck_assert(opex_test_has_diag(&diags, "item-gate-missing", "launches/l.md", 32));
	ck_assert_uint_eq(diags.count, 1);
	opex_launch_free(l);
	opex_diag_list_release(&diags);
}
END_TEST

START_TEST(launches_launch__hostile_input)
{
	static const struct {
		const char *name, *text;
		const char *rule;
		unsigned line;
		bool kept;          /* a launch is still returned */
	} cases[] = {
		{ "no front matter", "# Launch\n- [ ] a\n", "launch-invalid", 1, false },
		{ "empty file", "", "launch-invalid", 1, false },
		{ "never closed", "---\nowner: zoe\n", "launch-invalid", 1, false },
		{ "not a mapping", "---\n- a\n- b\n---\n", "launch-invalid", 0, false },
		{ "broken yaml", "---\nowner: zoe\ngates: [\n---\n", "launch-invalid", 0, false },
		{ "no owner", "---\ngates:\n  - id: g\n    approvers: [a]\n---\n",
		  "launch-invalid", 1, true },
		{ "owner a list", "---\nowner: [a, b]\ngates:\n  - id: g\n    approvers: [a]\n---\n",
		  "launch-invalid", 2, true },
		{ "processes a mapping", "---\nowner: zoe\nprocesses: {a: b}\ngates:\n"
		  "  - id: g\n    approvers: [a]\n---\n", "launch-invalid", 3, true },
		{ "nested names", "---\nowner: zoe\narticles:\n  - [a, b]\ngates:\n"
		  "  - id: g\n    approvers: [a]\n---\n", "launch-invalid", 4, true },
		{ "no gates", "---\nowner: zoe\n---\n", "launch-invalid", 1, true },
		{ "gates a scalar", "---\nowner: zoe\ngates: many\n---\n", "launch-invalid", 3, true },
		{ "gate a scalar", "---\nowner: zoe\ngates:\n  - g\n---\n", "launch-invalid", 4, true },
		{ "gate without id", "---\nowner: zoe\ngates:\n  - title: G\n---\n",
		  "launch-invalid", 4, true },
		{ "no approvers", "---\nowner: zoe\ngates:\n  - id: g\n---\n", "launch-invalid", 4, true },
		{ "quorum a word", "---\nowner: zoe\ngates:\n  - id: g\n    approvers: [a]\n"
		  "    quorum: two\n---\n", "launch-invalid", 6, true },
		{ "quorum zero", "---\nowner: zoe\ngates:\n  - id: g\n    approvers: [a]\n"
		  "    quorum: 0\n---\n", "launch-invalid", 6, true },
		{ "quorum too big", "---\nowner: zoe\ngates:\n  - id: g\n    approvers: [a]\n"
		  "    quorum: 99999999999999999999\n---\n", "launch-invalid", 6, true },
		{ "bad all_of term", "---\nowner: zoe\ngates:\n  - id: g\n    approvers: [a]\n"
		  "    quorum: {all_of: [{team: t, person: p}]}\n---\n", "launch-invalid", 6, true },
		{ "person term with n", "---\nowner: zoe\ngates:\n  - id: g\n    approvers: [a]\n"
		  "    quorum: {all_of: [{person: p, n: 2}]}\n---\n", "launch-invalid", 6, true },
		{ "checks a scalar", "---\nowner: zoe\ngates:\n  - id: g\n    approvers: [a]\n"
		  "    checks: processes-lint\n---\n", "launch-invalid", 6, true },
		{ "independent maybe", "---\nowner: zoe\ngates:\n  - id: g\n    approvers: [a]\n"
		  "    independent: maybe\n---\n", "launch-invalid", 6, true },
		{ "unknown check", "---\nowner: zoe\ngates:\n  - id: g\n    approvers: [a]\n"
		  "    checks:\n      - processes-lint\n      - vibes-good\n---\n",
		  "check-unknown", 8, true },
		{ "duplicate gate", "---\nowner: zoe\ngates:\n  - id: g\n    approvers: [a]\n"
		  "  - id: h\n    approvers: [a]\n  - id: g\n    approvers: [b]\n---\n",
		  "gate-duplicate", 8, true },
		{ "bad date", "---\nowner: zoe\ndate: 2027-13-45\ngates:\n  - id: g\n"
		  "    approvers: [a]\n---\n", "date-invalid", 3, true },
		{ "date a list", "---\nowner: zoe\ndate: [2027-01-01]\ngates:\n  - id: g\n"
		  "    approvers: [a]\n---\n", "date-invalid", 3, true },
		{ "bad valid_for", "---\nowner: zoe\ngates:\n  - id: g\n    approvers: [a]\n"
		  "    valid_for: 30x\n---\n", "date-invalid", 6, true },
		{ "unknown item gate", "---\nowner: zoe\ngates:\n  - id: g\n    approvers: [a]\n"
		  "---\n\n- [ ] ship it {gate: nope}\n", "item-gate-unknown", 8, true },
		{ "unknown field", "---\nowner: zoe\ncolour: red\ngates:\n  - id: g\n"
		  "    approvers: [a]\n---\n", "launch-invalid", 3, true },
		{ "invalid UTF-8", "---\nowner: z\xc3\x28\ngates: []\n---\n", "launch-invalid", 1, false },
		{ "overlong UTF-8", "---\nowner: \xc0\xafzoe\n---\n", "launch-invalid", 1, false },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		opex_diag_list diags = OPEX_DIAG_LIST_INIT;
		opex_launch *l = parse(cases[i].text, &diags);

		ck_assert_msg((l != NULL) == cases[i].kept, "%s: launch %s",
			cases[i].name, l ? "kept" : "dropped");
		if (!opex_test_has_diag(&diags, cases[i].rule, "launches/l.md",
			cases[i].line))
			opex_test_dump_diags(&diags);
		ck_assert_msg(opex_test_has_diag(&diags, cases[i].rule,
			"launches/l.md", cases[i].line), "%s: no %s on line %u",
			cases[i].name, cases[i].rule, cases[i].line);
		opex_launch_free(l);
		opex_diag_list_release(&diags);
	}
}
END_TEST

START_TEST(launches_launch__what_is_sound_is_kept)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_launch *l = parse("---\nowner: zoe\ngates:\n"
		"  - id: a\n    approvers: [x]\n    checks: [nope, owners-known]\n"
		"  - id: a\n    approvers: [y]\n"
		"  - id: b\n    approvers: [z]\n---\n", &diags);

	ck_assert_ptr_nonnull(l);
	/* the duplicate is dropped, the first and the next gate kept */
	ck_assert_uint_eq(opex_launch_gate_count(l), 2);
	ck_assert_str_eq(opex_launch_gate_at(l, 0)->approvers[0].name, "x");
	ck_assert_str_eq(opex_launch_gate_at(l, 1)->id, "b");
	/* the known check survives the unknown one */
	ck_assert_uint_eq(opex_launch_gate_at(l, 0)->check_count, 1);
	ck_assert_int_eq(opex_launch_gate_at(l, 0)->checks[0],
		OPEX_LAUNCH_CHECK_OWNERS_KNOWN);
	opex_launch_free(l);
	opex_diag_list_release(&diags);
}
END_TEST

START_TEST(launches_launch__huge_and_deep_input)
{
	opex_buf b = OPEX_BUF_INIT(OPEX_LIMIT_FILE_BYTES * 2);
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_launch *l;
	size_t i;

	/* nested too deeply */
	opex_buf_puts(&b, "---\nowner: zoe\nmarkets: ");
	for (i = 0; i < 200; i++)
		opex_buf_putc(&b, '[');
	for (i = 0; i < 200; i++)
		opex_buf_putc(&b, ']');
	opex_buf_puts(&b, "\n---\n");
	l = opex_launch_parse("launches/l.md", b.ptr, b.len, &diags);
	ck_assert_ptr_null(l);
	ck_assert(opex_test_has_diag(&diags, "launch-invalid", "launches/l.md", 3));
	opex_diag_list_release(&diags);

	/* too many YAML nodes: past the front matter's size first */
	opex_buf_clear(&b);
	opex_buf_puts(&b, "---\nowner: zoe\nmarkets: [");
	for (i = 0; i < OPEX_LIMIT_YAML_NODES + 10; i++)
		opex_buf_puts(&b, "a,");
	opex_buf_puts(&b, "a]\n---\n");
	l = opex_launch_parse("launches/l.md", b.ptr, b.len, &diags);
	ck_assert_ptr_null(l);
	ck_assert(opex_test_has_diag(&diags, "launch-invalid", "launches/l.md", 0));
	opex_diag_list_release(&diags);

	/* more names than a list may hold */
	opex_buf_clear(&b);
	opex_buf_puts(&b, "---\nowner: zoe\nmarkets: [");
	for (i = 0; i < OPEX_LIMIT_LAUNCH_NAMES + 1; i++)
		opex_buf_puts(&b, "m,");
	opex_buf_puts(&b, "m]\ngates:\n  - id: g\n    approvers: [a]\n---\n");
	l = opex_launch_parse("launches/l.md", b.ptr, b.len, &diags);
	ck_assert_ptr_nonnull(l);
	ck_assert(opex_test_has_diag(&diags, "launch-invalid", "launches/l.md", 3));
	ck_assert_uint_eq(opex_launch_list_count(l, OPEX_LAUNCH_MARKETS), 0);
	opex_launch_free(l);
	opex_diag_list_release(&diags);

	/* front matter past its limit */
	opex_buf_clear(&b);
	opex_buf_puts(&b, "---\nowner: zoe\n");
	while (b.len < OPEX_LIMIT_FRONT_MATTER_BYTES + 10)
		opex_buf_puts(&b, "# padding padding padding padding padding\n");
	opex_buf_puts(&b, "---\n");
	l = opex_launch_parse("launches/l.md", b.ptr, b.len, &diags);
	ck_assert_ptr_null(l);
	ck_assert(opex_test_has_diag(&diags, "launch-invalid", "launches/l.md", 1));
	opex_diag_list_release(&diags);

	/* a file past its limit */
	opex_buf_clear(&b);
	opex_buf_puts(&b, "---\nowner: zoe\ngates:\n  - id: g\n    approvers: [a]\n---\n");
	while (b.len <= OPEX_LIMIT_FILE_BYTES)
		opex_buf_puts(&b, "- [ ] an item, again and again {gate: g}\n");
	ck_assert(!b.failed);
	l = opex_launch_parse("launches/l.md", b.ptr, b.len, &diags);
	ck_assert_ptr_null(l);
	ck_assert(opex_test_has_diag(&diags, "launch-invalid", "launches/l.md", 1));
	opex_diag_list_release(&diags);

	/* more items than a checklist may hold: the rest ignored, once reported */
	opex_buf_clear(&b);
	opex_buf_puts(&b, "---\nowner: zoe\ngates:\n  - id: g\n    approvers: [a]\n---\n");
	for (i = 0; i < OPEX_LIMIT_LAUNCH_ITEMS + 5; i++)
		opex_buf_printf(&b, "- [ ] item %zu {gate: g}\n", i);
	l = opex_launch_parse("launches/l.md", b.ptr, b.len, &diags);
	ck_assert_ptr_nonnull(l);
	ck_assert_uint_eq(opex_launch_item_count(l), OPEX_LIMIT_LAUNCH_ITEMS);
	ck_assert(opex_test_has_diag(&diags, "launch-invalid", "launches/l.md",
		7 + OPEX_LIMIT_LAUNCH_ITEMS));
	ck_assert_uint_eq(diags.count, 1);
	opex_launch_free(l);
	opex_diag_list_release(&diags);

	/* a NUL byte */
	l = opex_launch_parse("launches/l.md", "---\nowner: z\0e\n---\n", 19, &diags);
	ck_assert_ptr_null(l);
	ck_assert(opex_test_has_diag(&diags, "launch-invalid", "launches/l.md", 1));
	opex_diag_list_release(&diags);
	opex_buf_release(&b);
}
END_TEST

START_TEST(launches_launch__normalized_unticks_boxes)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "- [x] a\n", "- [ ] a\n" },
		{ "- [X] a {gate: g}\n  * [x] b\n+ [ ] c\n", "- [ ] a {gate: g}\n  * [ ] b\n+ [ ] c\n" },
		{ "```\n- [x] code\n```\n- [x] a", "```\n- [x] code\n```\n- [ ] a" },
		{ "~~~\n- [x] code\n```\n- [x] still code\n~~~\n", "~~~\n- [x] code\n```\n- [x] still code\n~~~\n" },
		{ "- [x]no space\n", "- [x]no space\n" },
		{ "text [x] inline\n", "text [x] inline\n" },
		{ "- [x] a\r\n", "- [ ] a\r\n" },
		{ "", "" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		opex_buf b = OPEX_BUF_INIT(1 << 16);

		opex_launch_normalized(&b, cases[i].in, strlen(cases[i].in));
		ck_assert_msg(strcmp(b.ptr, cases[i].out) == 0, "case %zu: '%s'",
			i, b.ptr);
		opex_buf_release(&b);
	}
}
END_TEST

START_TEST(launches_launch__normalized_is_tick_invariant)
{
	opex_buf a = OPEX_BUF_INIT(1 << 16), b = OPEX_BUF_INIT(1 << 16);
	const char *ticked = "---\nowner: zoe\n---\n- [x] one\n- [X] two\n";
	const char *open = "---\nowner: zoe\n---\n- [ ] one\n- [ ] two\n";
	const char *changed = "---\nowner: zoe\n---\n- [ ] one\n- [ ] three\n";

	opex_launch_normalized(&a, ticked, strlen(ticked));
	opex_launch_normalized(&b, open, strlen(open));
	ck_assert_str_eq(a.ptr, b.ptr);
	opex_buf_clear(&b);
	opex_launch_normalized(&b, changed, strlen(changed));
	ck_assert_str_ne(a.ptr, b.ptr);
	opex_buf_release(&a);
	opex_buf_release(&b);
}
END_TEST

Suite *suite_launch(void)
{
	Suite *s = suite_create("launches_launch");
	TCase *tc = tcase_create("opex_launch_parse");
	TCase *tn = tcase_create("opex_launch_normalized");

	tcase_add_test(tc, launches_launch__reads_front_matter);
	tcase_add_test(tc, launches_launch__reads_gates);
	tcase_add_test(tc, launches_launch__reads_task_items);
	tcase_add_test(tc, launches_launch__hostile_input);
	tcase_add_test(tc, launches_launch__what_is_sound_is_kept);
	tcase_add_test(tc, launches_launch__huge_and_deep_input);
	suite_add_tcase(s, tc);
	tcase_add_test(tn, launches_launch__normalized_unticks_boxes);
	tcase_add_test(tn, launches_launch__normalized_is_tick_invariant);
	suite_add_tcase(s, tn);
	return s;
}

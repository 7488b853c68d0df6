/* check_roster.c: people.yaml (kb/roster.c). */
#include "kb/kb.h"
#include "core/buf.h"
#include "core/memory.h"

#include "support/test_util.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

#include "core/banned.h"

#define PATH "people.yaml"

static const char good[] =
	"people:\n"                                   /* 1 */
	"  - id: maria\n"                             /* 2 */
	"    name: Maria Santos\n"                    /* 3 */
	"    email: maria.santos@lumen.example\n"     /* 4 */
	"    teams: [ops-leads, payments]\n"          /* 5 */
	"  - id: j.okafor_2\n"                        /* 6 */
	"    name: James Okafor\n"                    /* 7 */
	"    email: James@Lumen.example\n"            /* 8 */
	"teams:\n"                                    /* 9 */
	"  - id: ops-leads\n"                         /* 10 */
	"    name: Operations leads\n"                /* 11 */
	"  - id: payments\n"                          /* 12 */
	"    name: Payments\n";                       /* 13 */

START_TEST(kb_roster__parses_people_and_teams)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_kb_roster r;
	const opex_kb_person *p;

	opex_kb_roster_parse(&r, PATH, good, strlen(good), &diags);
	if (diags.count)
		opex_test_dump_diags(&diags);
	ck_assert_uint_eq(diags.count, 0);
	ck_assert_uint_eq(r.person_count, 2);
	ck_assert_uint_eq(r.team_count, 2);
	p = opex_kb_roster_person(&r, "maria");
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p->name, "Maria Santos");
	ck_assert_str_eq(p->email, "maria.santos@lumen.example");
	ck_assert_uint_eq(p->team_count, 2);
	ck_assert_str_eq(p->teams[1], "payments");
	ck_assert_uint_eq(p->line, 2);
	p = opex_kb_roster_person_by_email(&r, "james@lumen.EXAMPLE");
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p->id, "j.okafor_2");
	ck_assert_uint_eq(p->team_count, 0);
	ck_assert_ptr_null(opex_kb_roster_person(&r, "nobody"));
	ck_assert_ptr_null(opex_kb_roster_person(&r, NULL));
	ck_assert_ptr_null(opex_kb_roster_person_by_email(&r, "x@y.z"));
	ck_assert_str_eq(opex_kb_roster_team(&r, "ops-leads")->name,
		"Operations leads");
	ck_assert_uint_eq(opex_kb_roster_team(&r, "payments")->line, 12);
	ck_assert_ptr_null(opex_kb_roster_team(&r, "swat"));
	opex_kb_roster_release(&r);
	ck_assert_uint_eq(r.person_count, 0);
	opex_diag_list_release(&diags);
}
END_TEST

START_TEST(kb_roster__example_handbook)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	char *path = opex_test_source_path("examples/handbook/people.yaml");
	opex_buf text = OPEX_BUF_INIT(1u << 20);
	char chunk[4096];
	size_t n;
	FILE *f = fopen(path, "rb");
	opex_kb_roster r;

	ck_assert_ptr_nonnull(f);
	for (;;) {
		n = fread(chunk, 1, sizeof(chunk), f);
		if (n == 0)
			break;
		opex_buf_put(&text, chunk, n);
	}
	fclose(f);
	opex_kb_roster_parse(&r, PATH, text.ptr, text.len, &diags);
	if (diags.count)
		opex_test_dump_diags(&diags);
	ck_assert_uint_eq(diags.count, 0);
	ck_assert_uint_gt(r.person_count, 5);
	ck_assert_uint_gt(r.team_count, 3);
	opex_kb_roster_release(&r);
	opex_buf_release(&text);
	opex_free(path);
	opex_diag_list_release(&diags);
}
END_TEST

/*
 * Broken rosters: text, rule, line, message part, people and teams kept.
 */
static const struct {
	const char *text;
	const char *rule;
	unsigned line;
	const char *message;
	size_t people, teams;
} broken[] = {
	{ "people: [\n", "roster-invalid", 2, "", 0, 0 },
	{ "- a\n- b\n", "roster-invalid", 1, "must be a mapping", 0, 0 },
	{ "people: yes\n", "roster-invalid", 1, "'people' must be a list", 0, 0 },
	{ "people:\n  - just-a-name\n", "roster-invalid", 2,
	  "person 1 must be a mapping", 0, 0 },
	{ "people:\n  - id: a\n    name: A\n", "roster-invalid", 2,
	  "person 'a' has no 'email'", 0, 0 },
	{ "people:\n  - name: A\n    email: a@x.io\n", "roster-invalid", 2,
	  "person 1 has no 'id'", 0, 0 },
	{ "people:\n  - id: a\n    name: [A]\n    email: a@x.io\n",
	  "roster-invalid", 3, "'name' of person 'a' must be a string", 0, 0 },
	{ "people:\n  - id: Maria\n    name: M\n    email: m@x.io\n",
	  "roster-invalid", 2, "id 'Maria' of person 1 must be lowercase", 0, 0 },
	{ "people:\n  - id: -x\n    name: M\n    email: m@x.io\n",
	  "roster-invalid", 2, "id '-x'", 0, 0 },
	{ "people:\n  - id: m\n    name: M\n    email: not-an-email\n",
	  "roster-invalid", 4, "email 'not-an-email' of person 'm'", 0, 0 },
	{ "people:\n  - id: m\n    name: M\n    email: a@b@c.io\n",
	  "roster-invalid", 4, "is not an address", 0, 0 },
	{ "people:\n  - id: m\n    name: M\n    email: m@localhost\n",
	  "roster-invalid", 4, "is not an address", 0, 0 },
	{ "people:\n  - id: m\n    name: ''\n    email: m@x.io\n",
	  "roster-invalid", 3, "'name' of person 'm' is empty", 0, 0 },
	{ "people:\n  - id: m\n    name: M\n    email: m@x.io\n    teams: [ghost]\n",
	  "roster-invalid", 5, "person 'm' names undeclared team 'ghost'", 1, 0 },
	{ "people:\n  - id: m\n    name: M\n    email: m@x.io\n    teams: {a: b}\n",
	  "roster-invalid", 5, "'teams' of person 'm' must be a list", 0, 0 },
	{ "people:\n  - id: m\n    name: M\n    email: m@x.io\n    phone: 1\n",
	  "roster-invalid", 5, "unknown key 'phone' in person 'm'", 1, 0 },
	{ "people:\n  - id: m\n    nmae: M\n    name: M\n    email: m@x.io\n",
	  "roster-invalid", 3, "(did you mean 'name'?)", 1, 0 },
	{ "peoples: []\n", "roster-invalid", 1,
	  "unknown key 'peoples' in the roster (did you mean 'people'?)", 0, 0 },
	/* A team without a name is named by its id; the second 't' is a duplicate. */
	{ "teams:\n  - id: t\n  - id: t\n    name: T\n", "roster-invalid", 3,
	  "duplicate team 't' (first on line 2)", 0, 1 },
	/* A wrong routing field is reported; the team stays declared. */
	{ "teams:\n  - id: t\n    tier: first\n", "roster-invalid", 3,
	  "'tier' of team 't' must be a whole number from 1 to 9", 0, 1 },
	{ "teams:\n  - id: t\n    fte: -2\n", "roster-invalid", 3,
	  "'fte' of team 't' must be a positive number of full-time equivalents", 0, 1 },
	{ "teams:\n  - id: t\n    partner: maybe\n", "roster-invalid", 3,
	  "'partner' of team 't' must be true or false", 0, 1 },
	{ "teams:\n  - id: t\n    markets: {fr: 1}\n", "roster-invalid", 3,
	  "'markets' of team 't' must be a list of strings", 0, 1 },
	{ "teams:\n  - id: t\n    languages: [fr, [x]]\n", "roster-invalid", 3,
	  "'languages' of team 't' must be a list of non-empty strings", 0, 1 },
	{ "teams:\n  - id: t\n    name: T\n  - id: t\n    name: U\n",
	  "roster-invalid", 4, "duplicate team 't' (first on line 2)", 0, 1 },
	{ "people:\n  - id: m\n    name: M\n    email: m@x.io\n"
	  "  - id: m\n    name: N\n    email: n@x.io\n",
	  "person-duplicate", 5, "duplicate person 'm' (first on line 2)", 1, 0 },
	{ "people:\n  - id: m\n    name: M\n    email: m@x.io\n"
	  "  - id: n\n    name: N\n    email: M@X.io\n",
	  "person-duplicate", 7,
	  "email 'M@X.io' of person 'n' is already used by 'm' (line 2)", 1, 0 },
	{ "people:\n  - &p {id: m, name: M, email: m@x.io}\n  - *p\n",
	  "roster-invalid", 2, "YAML aliases are not allowed", 0, 0 },
	{ "people:\n\t- id: m\n", "roster-invalid", 2, "cannot start any token",
	  0, 0 },
	{ "people:\n  - id: m\n    id: n\n", "roster-invalid", 3,
	  "duplicate key 'id'", 0, 0 },
	{ "people: []\n\xFF\n", "roster-invalid", 2, "", 0, 0 },
};

/* Routing fields, and a team without a name that its members can still join. */
START_TEST(kb_roster__team_routing_fields)
{
	static const char text[] =
		"people:\n"
		"  - id: ana\n    name: Ana\n    email: ana@x.io\n    teams: [cards-fr, swat]\n"
		"teams:\n"
		"  - id: cards-fr\n    tier: 1\n    markets: [fr]\n    languages: fr\n"
		"    journeys: [cards, chargebacks]\n    channels: [chat, email]\n"
		"    fte: 12.5\n    escalates_to: swat\n    contact: cards-fr@lumen.example\n"
		"  - id: swat\n    name: SWAT\n    tier: 2\n    partner: false\n"
		"  - id: bpo-manila\n    tier: 1\n    partner: true\n";
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	const opex_kb_team *t;
	opex_kb_roster r;

	opex_kb_roster_parse(&r, PATH, text, strlen(text), &diags);
	if (diags.count)
		opex_test_dump_diags(&diags);
	ck_assert_uint_eq(diags.count, 0);
	ck_assert_uint_eq(r.people[0].team_count, 2);
	t = opex_kb_roster_team(&r, "cards-fr");
	ck_assert_ptr_nonnull(t);
	ck_assert_str_eq(t->name, "cards-fr");
	ck_assert_uint_eq(t->tier, 1);
	ck_assert_uint_eq(t->market_count, 1);
	ck_assert_str_eq(t->markets[0], "fr");
	ck_assert_uint_eq(t->language_count, 1);
	ck_assert_str_eq(t->languages[0], "fr");
	ck_assert_uint_eq(t->journey_count, 2);
	ck_assert_str_eq(t->journeys[1], "chargebacks");
	ck_assert_uint_eq(t->channel_count, 2);
	ck_assert(t->fte > 12.49 && t->fte < 12.51);
	ck_assert_str_eq(t->escalates_to, "swat");
	ck_assert_uint_eq(t->escalates_line, 14);
	ck_assert_str_eq(t->contact, "cards-fr@lumen.example");
	ck_assert(!t->partner);
	t = opex_kb_roster_team(&r, "swat");
	ck_assert_str_eq(t->name, "SWAT");
	ck_assert_uint_eq(t->tier, 2);
	ck_assert(opex_kb_roster_team(&r, "bpo-manila")->partner);
	opex_kb_roster_release(&r);
	opex_diag_list_release(&diags);
}
END_TEST

START_TEST(kb_roster__broken_entries)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	const char *text = broken[_i].text;
	size_t len = strlen(text);
	opex_kb_roster r;
	const opex_diag *d = NULL;
	size_t i;

	opex_kb_roster_parse(&r, PATH, text, len, &diags);
	for (i = 0; i < diags.count; i++)
		if (strcmp(diags.items[i].rule, broken[_i].rule) == 0)
			d = &diags.items[i];
	if (d == NULL)
		opex_test_dump_diags(&diags);
	ck_assert_msg(d != NULL, "case %d: no %s", _i, broken[_i].rule);
	ck_assert_msg(d->line == broken[_i].line, "case %d: line %u, want %u (%s)",
		_i, d->line, broken[_i].line, d->message);
	ck_assert_msg(strstr(d->message, broken[_i].message) != NULL,
		"case %d: '%s' lacks '%s'", _i, d->message, broken[_i].message);
	ck_assert_str_eq(d->path, PATH);
	ck_assert_uint_eq(r.person_count, broken[_i].people);
	ck_assert_uint_eq(r.team_count, broken[_i].teams);
	opex_kb_roster_release(&r);
	opex_diag_list_release(&diags);
}
END_TEST

START_TEST(kb_roster__binary_file)
{
	static const char text[] = "people: []\n\0\n";
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_kb_roster r;

	opex_kb_roster_parse(&r, PATH, text, sizeof(text) - 1, &diags);
	ck_assert(opex_test_has_diag(&diags, "roster-invalid", PATH, 2));
	ck_assert_uint_eq(r.person_count, 0);
	opex_kb_roster_release(&r);
	opex_diag_list_release(&diags);
}
END_TEST

START_TEST(kb_roster__unknown_keys_are_warnings)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	const char *text = "people:\n  - id: m\n    name: M\n    email: m@x.io\n"
			   "    role: lead\n";
	opex_kb_roster r;

	opex_kb_roster_parse(&r, PATH, text, strlen(text), &diags);
	ck_assert_uint_eq(diags.count, 1);
	ck_assert_int_eq(diags.items[0].severity, OPEX_SEVERITY_WARNING);
	ck_assert_uint_eq(r.person_count, 1);
	opex_kb_roster_release(&r);
	opex_diag_list_release(&diags);
}
END_TEST

START_TEST(kb_roster__sound_entries_are_kept)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	const char *text =
		"people:\n"
		"  - id: ok1\n    name: One\n    email: one@x.io\n    teams: t\n"
		"  - id: BAD\n    name: Bad\n    email: bad@x.io\n"
		"  - 42\n"
		"  - id: ok2\n    name: Two\n    email: two@x.io\n    teams: [t, ghost]\n"
		"  - id: ok1\n    name: Again\n    email: again@x.io\n"
		"teams:\n  - id: t\n    name: T\n  - nonsense\n";
	opex_kb_roster r;

	opex_kb_roster_parse(&r, PATH, text, strlen(text), &diags);
	ck_assert_uint_eq(r.person_count, 2);
	ck_assert_uint_eq(r.team_count, 1);
	ck_assert_str_eq(r.people[0].teams[0], "t");
	ck_assert_uint_eq(r.people[1].team_count, 1);
	ck_assert_uint_eq(opex_diag_count(&diags, OPEX_SEVERITY_ERROR), 5);
	opex_kb_roster_release(&r);
	opex_diag_list_release(&diags);
}
END_TEST

/* Lookups by id after the parse, whatever the order of the file. */
START_TEST(kb_roster__finds_everyone_by_id)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_buf text = OPEX_BUF_INIT(1 << 20);
	opex_kb_roster r;
	char id[32];
	unsigned i;

	opex_buf_puts(&text, "people:\n");
	for (i = 0; i < 300; i++)   /* ids in no sorted order */
		opex_buf_printf(&text, "  - id: p%u\n    name: P %u\n"
			"    email: p%u@x.io\n", (i * 7919u) % 300u, i, i);
	opex_kb_roster_parse(&r, PATH, text.ptr, text.len, &diags);
	ck_assert_uint_eq(diags.count, 0);
	ck_assert_uint_eq(r.person_count, 300);
	for (i = 0; i < 300; i++) {
		const opex_kb_person *p;

		snprintf(id, sizeof(id), "p%u", i);
		p = opex_kb_roster_person(&r, id);
		ck_assert_ptr_nonnull(p);
		ck_assert_str_eq(p->id, id);
	}
	ck_assert_ptr_null(opex_kb_roster_person(&r, "p300"));
	ck_assert_ptr_null(opex_kb_roster_person(&r, "p"));
	ck_assert_ptr_null(opex_kb_roster_person(&r, ""));
	opex_kb_roster_release(&r);
	opex_buf_release(&text);
	opex_diag_list_release(&diags);
}
END_TEST

START_TEST(kb_roster__empty_and_null)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_kb_roster r;

	opex_kb_roster_parse(&r, PATH, "", 0, &diags);
	ck_assert_uint_eq(r.person_count, 0);
	opex_kb_roster_release(&r);
	opex_kb_roster_parse(&r, PATH, NULL, 0, &diags);
	opex_kb_roster_release(&r);
	opex_kb_roster_parse(&r, PATH, "people:\nteams:\n", 15, &diags);
	ck_assert_uint_eq(r.person_count, 0);
	opex_kb_roster_release(&r);
	ck_assert_uint_eq(diags.count, 0);
	opex_diag_list_release(&diags);
}
END_TEST

Suite *suite_roster(void)
{
	Suite *s = suite_create("kb_roster");
	TCase *tc = tcase_create("opex_kb_roster_parse");

	tcase_add_test(tc, kb_roster__parses_people_and_teams);
	tcase_add_test(tc, kb_roster__example_handbook);
	tcase_add_test(tc, kb_roster__team_routing_fields);
	tcase_add_loop_test(tc, kb_roster__broken_entries, 0,
		(int)(sizeof(broken) / sizeof(broken[0])));
	tcase_add_test(tc, kb_roster__binary_file);
	tcase_add_test(tc, kb_roster__unknown_keys_are_warnings);
	tcase_add_test(tc, kb_roster__sound_entries_are_kept);
	tcase_add_test(tc, kb_roster__finds_everyone_by_id);
	tcase_add_test(tc, kb_roster__empty_and_null);
	suite_add_tcase(s, tc);
	return s;
}

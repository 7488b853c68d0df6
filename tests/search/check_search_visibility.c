/*
 * check_search_visibility.c: the search index answers each audience
 * (opex_search_options.audience) with only the articles it may see:
 * hits, totals past the first page, facets, "did you mean", queries with
 * only filters or exclusions, and after an update changes visibility
 * (kb/index_sqlite.c).
 */
#define _POSIX_C_SOURCE 200809L

#include "support/repo_fixture.h"
#include "support/test_util.h"
#include "core/buf.h"
#include "core/memory.h"
#include "kb/kb.h"
#include "search/search.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

#define T0 1767225600 /* 2026-01-01 */

static const char roster[] =
	"people:\n"
	"  - id: ana\n    name: Ana Lima\n    email: ana@example.com\n"
	"    teams: [payments]\n"
	"teams:\n  - id: payments\n    name: Payments\n"
	"  - id: swat\n    name: Swat\n";

/* Every article has "zebrafin"; markets and journeys tell them apart. */
static const struct {
	const char *path, *text;
} articles[] = {
	{ "articles/public.md",
	  "---\ntitle: Public refunds\nowner: ana\nlanguage: en\n"
	  "visibility: public\nmarkets: [uk]\njourney: refunds\n---\n"
	  "Zebrafin refunds for everyone.\n" },
	{ "articles/public-swat.md",
	  "---\ntitle: Public swat note\nowner: ana\nlanguage: en\n"
	  "visibility: public\nteams: [swat]\nmarkets: [uk]\njourney: refunds\n---\n"
	  "Zebrafin notes, public whatever the team.\n" },
	{ "articles/partner.md",
	  "---\ntitle: Partner guide\nowner: ana\nlanguage: fr\n"
	  "visibility: partners\nmarkets: [fr]\njourney: vendors\n---\n"
	  "Zebrafin pour les partenaires.\n" },
	{ "articles/partner-payments.md",
	  "---\ntitle: Partner payments desk\nowner: ana\nlanguage: en\n"
	  "visibility: partners\nteams: [payments]\nmarkets: [es]\n"
	  "journey: desk\n---\nZebrafin desk wombatique.\n" },
	{ "articles/internal.md",
	  "---\ntitle: Internal override\nowner: ana\nlanguage: de\n"
	  "markets: [de]\njourney: overrides\n---\n"
	  "Zebrafin override code quokkaflux.\n" },
	{ "articles/payments.md",
	  "---\ntitle: Payments back office\nowner: ana\nlanguage: nl\n"
	  "teams: [payments]\nmarkets: [nl]\njourney: backoffice\n---\n"
	  "Zebrafin pangolinex notes.\n" },
};

#define ARTICLE_COUNT (sizeof(articles) / sizeof(articles[0]))

typedef struct env {
	opex_test_repo *repo;
	char *dir;
	char index_path[4096];
	opex_search_index *ix;
	int64_t clock;
} env;

static env e;

static void update(void)
{
	opex_kb_handbook_options opts = OPEX_KB_HANDBOOK_OPTIONS_INIT;
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_error err = OPEX_ERROR_INIT;
	opex_kb_handbook *hb = NULL;

	opts.now = e.clock;
	ck_assert_msg(opex_kb_handbook_load(&hb, opex_test_repo_path(e.repo),
		&opts, &diags, &err) == 0, "%s", err.message);
	ck_assert_msg(opex_search_index_update(NULL, e.ix, hb, NULL, &err) == 0,
		"%s", err.message);
	opex_kb_handbook_free(hb);
	opex_diag_list_release(&diags);
}

static void setup(void)
{
	opex_error err = OPEX_ERROR_INIT;
	size_t i;

	memset(&e, 0, sizeof(e));
	e.clock = T0;
	e.repo = opex_test_repo_new(false);
	e.dir = opex_test_tmpdir();
	snprintf(e.index_path, sizeof(e.index_path), "%s/opex/index.sqlite",
		e.dir);
	opex_test_repo_put(e.repo, "people.yaml", roster);
	for (i = 0; i < ARTICLE_COUNT; i++)
		opex_test_repo_put(e.repo, articles[i].path, articles[i].text);
	opex_test_repo_commit(e.repo, "Ana Lima", "ana@example.com", e.clock,
		"Add", NULL);
	ck_assert_msg(opex_search_index_open(&e.ix, e.index_path, &err) == 0, "%s",
		err.message);
	update();
}

static void teardown(void)
{
	opex_search_index_free(e.ix);
	opex_test_repo_free(e.repo);
	opex_test_rmtree(e.dir);
}

/* Readers, from most to least restricted. */
typedef enum reader {
	ANONYMOUS = 0, PARTNER, MEMBER, MEMBER_PAYMENTS, MEMBER_OTHER, EVERYONE
} reader;

static const char *const payments_teams[] = { "payments" };
static const char *const other_teams[] = { "quality", "swat" };

static void search(opex_search_result *r, reader who, const char *text,
	size_t limit)
{
	opex_search_options so = OPEX_SEARCH_OPTIONS_INIT;
	opex_error err = OPEX_ERROR_INIT;
	opex_search_query *q = NULL;

	so.now = T0 + 86400;
	so.limit = limit;
	so.mark_open = "<mark>";
	so.mark_close = "</mark>";
	switch (who) {
	case ANONYMOUS: so.audience = OPEX_SEARCH_AUDIENCE_PUBLIC; break;
	case PARTNER: so.audience = OPEX_SEARCH_AUDIENCE_PARTNER; break;
	case MEMBER: so.audience = OPEX_SEARCH_AUDIENCE_MEMBER; break;
	case MEMBER_PAYMENTS:
		so.audience = OPEX_SEARCH_AUDIENCE_MEMBER;
		so.teams = payments_teams;
		so.team_count = 1;
		break;
	case MEMBER_OTHER:
		so.audience = OPEX_SEARCH_AUDIENCE_MEMBER;
		so.teams = other_teams;
		so.team_count = 2;
		break;
	case EVERYONE: so.audience = OPEX_SEARCH_AUDIENCE_ALL; break;
	}
	ck_assert_msg(opex_search_query_parse(&q, text, strlen(text), &err) == 0,
		"'%s': %s", text, err.message);
	ck_assert_msg(opex_search_run(r, e.ix, q, &so, &err) == 0, "'%s': %s",
		text, err.message);
	opex_search_query_free(q);
}

static size_t total(reader who, const char *text, size_t limit)
{
	opex_search_result r;
	size_t n;

	search(&r, who, text, limit);
	n = r.total;
	opex_search_result_release(&r);
	return n;
}

/* Everything a result says, as text, to look for leaks in. */
static void dump(opex_buf *out, const opex_search_result *r)
{
	size_t i;

	opex_buf_clear(out);
	for (i = 0; i < r->hit_count; i++)
		opex_buf_printf(out, "%s|%s|%s|%s|%s\n", r->hits[i].path,
			r->hits[i].title ? r->hits[i].title : "",
			r->hits[i].journey ? r->hits[i].journey : "",
			r->hits[i].language ? r->hits[i].language : "",
			r->hits[i].snippet ? r->hits[i].snippet : "");
	for (i = 0; i < r->language_count; i++)
		opex_buf_printf(out, "lang %s %zu\n", r->languages[i].value,
			r->languages[i].count);
	for (i = 0; i < r->journey_count; i++)
		opex_buf_printf(out, "journey %s %zu\n", r->journeys[i].value,
			r->journeys[i].count);
	for (i = 0; i < r->market_count; i++)
		opex_buf_printf(out, "market %s %zu\n", r->markets[i].value,
			r->markets[i].count);
	opex_buf_printf(out, "suggestion %s\n",
		r->suggestion ? r->suggestion : "-");
}

START_TEST(kb_search_visibility__totals_per_audience)
{
	static const struct { reader who; size_t n; } cases[] = {
		{ ANONYMOUS, 2 },        /* public, public-swat */
		{ PARTNER, 3 },          /* + partner (no teams) */
		{ MEMBER, 4 },           /* + internal (no teams) */
		{ MEMBER_OTHER, 4 },     /* teams other than payments change nothing */
		{ MEMBER_PAYMENTS, 6 },  /* + partner-payments, payments */
		{ EVERYONE, 6 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* The first page alone, and a count past a full page. */
		ck_assert_uint_eq(total(cases[i].who, "zebrafin", 10), cases[i].n);
		ck_assert_uint_eq(total(cases[i].who, "zebrafin", 1), cases[i].n);
	}
}
END_TEST

START_TEST(kb_search_visibility__hits_facets_snippets_never_leak)
{
	static const char *const hidden_from_partner[] = {
		"internal", "payments", "override", "quokkaflux", "pangolinex",
		"wombatique", "market de", "market nl", "market es", "lang de",
		"lang nl", "journey overrides", "journey backoffice", "journey desk",
	};
	opex_search_result r;
	opex_buf text = OPEX_BUF_INIT(1 << 20);
	size_t i;

	search(&r, PARTNER, "zebrafin", 1);
	dump(&text, &r);
	for (i = 0; i < sizeof(hidden_from_partner) / sizeof(hidden_from_partner[0]); i++)
		ck_assert_msg(strstr(text.ptr, hidden_from_partner[i]) == NULL,
			"a partner sees '%s' in:\n%s", hidden_from_partner[i], text.ptr);
	ck_assert_ptr_nonnull(strstr(text.ptr, "market fr 1"));
	ck_assert_ptr_nonnull(strstr(text.ptr, "market uk 2"));
	opex_search_result_release(&r);

	/* The payments member sees the team's articles in facets too. */
	search(&r, MEMBER_PAYMENTS, "zebrafin", 10);
	dump(&text, &r);
	ck_assert_ptr_nonnull(strstr(text.ptr, "market nl 1"));
	ck_assert_ptr_nonnull(strstr(text.ptr, "market es 1"));
	ck_assert_ptr_nonnull(strstr(text.ptr, "journey backoffice 1"));
	opex_search_result_release(&r);

	/* A member outside payments: internal yes, payments no. */
	search(&r, MEMBER_OTHER, "zebrafin", 10);
	dump(&text, &r);
	ck_assert_ptr_nonnull(strstr(text.ptr, "articles/internal.md"));
	ck_assert_ptr_null(strstr(text.ptr, "articles/payments.md"));
	ck_assert_ptr_null(strstr(text.ptr, "market nl"));
	ck_assert_ptr_null(strstr(text.ptr, "pangolinex"));
	opex_search_result_release(&r);
	opex_buf_release(&text);
}
END_TEST

START_TEST(kb_search_visibility__words_of_hidden_articles)
{
	opex_search_result r;

	/* A word only a hidden article has: nothing, and no hint. */
	search(&r, PARTNER, "quokkaflux", 10);
	ck_assert_uint_eq(r.total, 0);
	ck_assert_ptr_null(r.suggestion);
	ck_assert_uint_eq(r.market_count, 0);
	opex_search_result_release(&r);
	/* A typo of it: no suggestion for the partner ... */
	search(&r, PARTNER, "quokkaflox", 10);
	ck_assert_ptr_null(r.suggestion);
	opex_search_result_release(&r);
	search(&r, MEMBER_OTHER, "pangolinez", 10);
	ck_assert_ptr_null(r.suggestion);
	opex_search_result_release(&r);
	/* ... but one for those who may see it. */
	search(&r, MEMBER, "quokkaflox", 10);
	ck_assert_ptr_nonnull(r.suggestion);
	ck_assert_str_eq(r.suggestion, "quokkaflux");
	opex_search_result_release(&r);
	search(&r, EVERYONE, "pangolinez", 10);
	ck_assert_ptr_nonnull(r.suggestion);
	opex_search_result_release(&r);
}
END_TEST

START_TEST(kb_search_visibility__filters_and_exclusions_only)
{
	ck_assert_uint_eq(total(PARTNER, "lang:de", 10), 0);
	ck_assert_uint_eq(total(EVERYONE, "lang:de", 10), 1);
	ck_assert_uint_eq(total(PARTNER, "market:nl", 10), 0);
	ck_assert_uint_eq(total(MEMBER_PAYMENTS, "market:nl", 10), 1);
	/* Everything but "public": what is left of what the reader sees. */
	ck_assert_uint_eq(total(ANONYMOUS, "-everyone", 10), 1);
	ck_assert_uint_eq(total(PARTNER, "-everyone", 10), 2);
	ck_assert_uint_eq(total(EVERYONE, "-everyone", 10), 5);
	ck_assert_uint_eq(total(PARTNER, "zebrafin OR quokkaflux", 10), 3);
}
END_TEST

START_TEST(kb_search_visibility__follows_updates)
{
	ck_assert_uint_eq(total(ANONYMOUS, "quokkaflux", 10), 0);
	opex_test_repo_put(e.repo, "articles/internal.md",
		"---\ntitle: Internal override\nowner: ana\nlanguage: de\n"
		"visibility: public\nmarkets: [de]\n---\n"
		"Zebrafin override code quokkaflux.\n");
	opex_test_repo_put(e.repo, "articles/payments.md",
		"---\ntitle: Payments back office\nowner: ana\nlanguage: nl\n"
		"markets: [nl]\n---\nZebrafin pangolinex notes.\n");
	e.clock += 60;
	opex_test_repo_commit(e.repo, "Ana Lima", "ana@example.com", e.clock,
		"Open up", NULL);
	update();
	ck_assert_uint_eq(total(ANONYMOUS, "quokkaflux", 10), 1);
	/* No teams any more: every member sees it; partners still do not. */
	ck_assert_uint_eq(total(MEMBER_OTHER, "pangolinex", 10), 1);
	ck_assert_uint_eq(total(PARTNER, "pangolinex", 10), 0);
}
END_TEST

Suite *suite_search_visibility(void)
{
	Suite *s = suite_create("kb_search_visibility");
	TCase *tc = tcase_create("audience");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, kb_search_visibility__totals_per_audience);
	tcase_add_test(tc, kb_search_visibility__hits_facets_snippets_never_leak);
	tcase_add_test(tc, kb_search_visibility__words_of_hidden_articles);
	tcase_add_test(tc, kb_search_visibility__filters_and_exclusions_only);
	tcase_add_test(tc, kb_search_visibility__follows_updates);
	suite_add_tcase(s, tc);
	return s;
}

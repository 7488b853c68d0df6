/*
 * check_index.c: the FTS5 search index (kb/index_sqlite.c) on temporary
 * handbooks: ranking, multilingual matching, identifiers, filters, facets,
 * snippets and sections, suggestions, incremental updates, and an update
 * killed at random points.
 */
#define _POSIX_C_SOURCE 200809L

#include "support/repo_fixture.h"
#include "support/test_util.h"
#include "core/buf.h"
#include "core/memory.h"
#include "search/search_int.h"

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/banned.h"

#define T0 1767225600 /* 2026-01-01 */
#define DAY 86400

static const char roster[] =
	"people:\n"
	"  - id: ana\n"
	"    name: Ana Lima\n"
	"    email: ana@example.com\n"
	"  - id: ben\n"
	"    name: Ben Okafor\n"
	"    email: ben@example.com\n";

static const struct {
	const char *path;
	const char *text;
} fixture[] = {
	/* Ranking: the same word in the title, the tags, the body. */
	{ "articles/rank/in-title.md",
	  "---\ntitle: Chargeback basics\nowner: ana\nlanguage: en\n"
	  "journey: disputes\nmarkets: [uk]\n---\n"
	  "How a dispute moves between banks and what to tell the customer.\n" },
	{ "articles/rank/in-tags.md",
	  "---\ntitle: Dispute timelines\nowner: ana\nlanguage: en\n"
	  "journey: disputes\ntags: [chargeback]\nmarkets: [uk, fr]\n---\n"
	  "How long each step of a dispute takes, bank by bank.\n" },
	{ "articles/rank/in-body.md",
	  "---\ntitle: Merchant letters\nowner: ben\nlanguage: en\n"
	  "journey: disputes\nmarkets: [fr]\n---\n"
	  "Write to the merchant before a chargeback is raised by the bank.\n" },
	/* A quick text: searchable, and found by type:reply. */
	{ "replies/claims/objection-logged.md",
	  "---\ntitle: Objection logged\nowner: ana\nlanguage: en\n"
	  "journey: claims\nchannel: email\n---\n"
	  "Hello {{customer.first_name}}, we logged your objection {{case.id}}.\n" },
	/* Stemming and sections. */
	{ "articles/cards/lost-card.md",
	  "---\ntitle: Lost card\nowner: ana\nlanguage: en\njourney: cards\n"
	  "tags: [cards]\nmarkets: [uk]\n---\n"
	  "# Lost card\n\nFreeze the card in the app first.\n\n"
	  "## Replacement\n\nOrder a new card from the console.\n\n"
	  "## Money back after loss\n\nA refund of the <b>fees</b> is possible "
	  "when the card was lost abroad. See [the policy](../policy.md).\n" },
	{ "articles/cards/errors.md",
	  "---\ntitle: Card error codes\nowner: ana\nlanguage: en\n"
	  "journey: cards\n---\n"
	  "Error E-4012 means the 3DS2 challenge failed.\n\n"
	  "A r\xC3\xA9sum\xC3\xA9 of the case goes into the ticket.\n" },
	{ "articles/cards/other-errors.md",
	  "---\ntitle: Other codes\nowner: ana\nlanguage: en\njourney: cards\n---\n"
	  "Error E-4013 is different. The code 4012 alone, with an E later.\n" },
	/* French, German, Indonesian, Chinese, Japanese. */
	{ "articles/fr/remboursement.md",
	  "---\ntitle: Remboursement d'une carte\nowner: ben\nlanguage: fr\n"
	  "journey: cards\nmarkets: [fr]\n---\n"
	  "Le client re\xC3\xA7oit un r\xC3\xA9sum\xC3\xA9 du dossier. "
	  "Les g\xC3\xA9n\xC3\xA9rations de cartes changent.\n" },
	{ "articles/de/adresse.md",
	  "---\ntitle: Adresse \xC3\xA4ndern\nowner: ben\nlanguage: de\n"
	  "markets: [de]\n---\n"
	  "Die Stra\xC3\x9F" "e und die Gr\xC3\xB6\xC3\x9F" "e des Briefes. "
	  "Die \xC3\x9C" "berweisung dauert.\n" },
	{ "articles/id/kartu-hilang.md",
	  "---\ntitle: Kartu hilang\nowner: ben\nlanguage: id\nmarkets: [id]\n---\n"
	  "Agen membekukan kartu dan memproses pengembalian dana.\n" },
	{ "articles/zh/refund.md",
	  "---\ntitle: \xE9\x80\x80\xE6\xAC\xBE\xE7\x94\xB3\xE8\xAF\xB7\nowner: ben\n"
	  "language: zh\n---\n"
	  "\xE5\xAE\xA2\xE6\x88\xB7\xE7\x94\xB3\xE8\xAF\xB7\xE9\x80\x80\xE6\xAC\xBE"
	  "\xE5\x90\x8E\xEF\xBC\x8C\xE4\xBF\xA1\xE7\x94\xA8\xE5\x8D\xA1\xE5\x86\xBB"
	  "\xE7\xBB\x93\xE3\x80\x82\n" },
	{ "articles/ja/card.md",
	  "---\ntitle: \xE3\x82\xAB\xE3\x83\xBC\xE3\x83\x89\xE7\xB4\x9B\xE5\xA4\xB1\n"
	  "owner: ben\nlanguage: ja\n---\n"
	  "\xE3\x82\xAB\xE3\x83\xBC\xE3\x83\x89\xE3\x82\x92\xE5\x81\x9C\xE6\xAD\xA2"
	  "\xE3\x81\x97\xE3\x81\xBE\xE3\x81\x99\xE3\x80\x82\n" },
	{ "articles/en/generations.md",
	  "---\ntitle: Card generations\nowner: ben\nlanguage: en\n---\n"
	  "Older generations of cards lack contactless.\n" },
};

#define FIXTURE_COUNT (sizeof(fixture) / sizeof(fixture[0]))

typedef struct env {
	opex_test_repo *repo;
	char *dir;
	char index_path[4200];
	opex_search_index *ix;
} env;

static opex_kb_handbook *load(opex_test_repo *repo)
{
	opex_kb_handbook_options opts = OPEX_KB_HANDBOOK_OPTIONS_INIT;
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_kb_handbook *hb = NULL;
	opex_error err = OPEX_ERROR_INIT;

	opts.history_cache = "";
	opts.now = T0 + DAY;
	ck_assert_msg(opex_kb_handbook_load(&hb, opex_test_repo_path(repo),
		&opts, &diags, &err) == 0, "%s", err.message);
	opex_diag_list_release(&diags);
	return hb;
}

static void update(opex_search_index_stats *stats, env *e)
{
	opex_kb_handbook *hb = load(e->repo);
	opex_error err = OPEX_ERROR_INIT;

	ck_assert_msg(opex_search_index_update(stats, e->ix, hb, NULL, &err) == 0,
		"%s", err.message);
	opex_kb_handbook_free(hb);
}

static void env_open(env *e)
{
	opex_error err = OPEX_ERROR_INIT;
	size_t i;

	memset(e, 0, sizeof(*e));
	e->repo = opex_test_repo_new(false);
	e->dir = opex_test_tmpdir();
	snprintf(e->index_path, sizeof(e->index_path), "%s/opex/index.sqlite",
		e->dir);
	opex_test_repo_put(e->repo, "people.yaml", roster);
	for (i = 0; i < FIXTURE_COUNT; i++)
		opex_test_repo_put(e->repo, fixture[i].path, fixture[i].text);
	opex_test_repo_commit(e->repo, "Ana Lima", "ana@example.com", T0, "Add",
		NULL);
	ck_assert_msg(opex_search_index_open(&e->ix, e->index_path, &err) == 0, "%s",
		err.message);
	update(NULL, e);
}

static void env_close(env *e)
{
	opex_search_index_free(e->ix);
	opex_test_repo_free(e->repo);
	opex_test_rmtree(e->dir);
}

static void html_escape(opex_buf *out, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] == '<')
			opex_buf_puts(out, "&lt;");
		else if (s[i] == '>')
			opex_buf_puts(out, "&gt;");
		else if (s[i] == '&')
			opex_buf_puts(out, "&amp;");
		else
			opex_buf_putc(out, s[i]);
	}
}

static void search(opex_search_result *r, env *e, const char *text)
{
	opex_search_options so = OPEX_SEARCH_OPTIONS_INIT;
	opex_error err = OPEX_ERROR_INIT;
	opex_search_query *q = NULL;

	so.mark_open = "<mark>";
	so.mark_close = "</mark>";
	so.escape = html_escape;
	so.now = T0 + DAY;
	ck_assert_msg(opex_search_query_parse(&q, text, strlen(text), &err) == 0,
		"'%s': %s", text, err.message);
	ck_assert_msg(opex_search_run(r, e->ix, q, &so, &err) == 0, "'%s': %s",
		text, err.message);
	opex_search_query_free(q);
}

/* The paths found for `text`, in rank order, joined with spaces. */
static char *found(env *e, const char *text)
{
	opex_search_result r;
	opex_buf out = OPEX_BUF_INIT(1 << 20);
	size_t i;

	search(&r, e, text);
	for (i = 0; i < r.hit_count; i++) {
		if (i)
			opex_buf_putc(&out, ' ');
		opex_buf_puts(&out, r.hits[i].path);
	}
	opex_search_result_release(&r);
	return opex_buf_detach(&out, NULL);
}

static void assert_found(env *e, const char *text, const char *paths)
{
	char *got = found(e, text);

	ck_assert_msg(strcmp(got, paths) == 0, "'%s' found '%s', expected '%s'",
		text, got, paths);
	opex_free(got);
}

START_TEST(kb_index__ranks_title_above_tags_above_body)
{
	env e;

	env_open(&e);
	assert_found(&e, "chargeback", "articles/rank/in-title.md "
		"articles/rank/in-tags.md articles/rank/in-body.md");
	env_close(&e);
}
END_TEST

/* Query, and the paths it must find (in rank order when several). */
static const struct {
	const char *query;
	const char *paths;
} matching[] = {
	/* case and diacritics */
	{ "RESUME", "articles/cards/errors.md articles/fr/remboursement.md" },
	{ "r\xC3\xA9sum\xC3\xA9", "articles/cards/errors.md articles/fr/remboursement.md" },
	{ "recoit", "articles/fr/remboursement.md" },
	/* English stemming for English articles */
	{ "refunds", "articles/cards/lost-card.md" },
	{ "freezing", "articles/cards/lost-card.md" },
	/* ... and not for the others: English stems never reach French */
	{ "general", "articles/en/generations.md" },
	{ "generations", "articles/en/generations.md articles/fr/remboursement.md" },
	/* German: umlauts folded, ß and ss the same */
	{ "strasse", "articles/de/adresse.md" },
	{ "stra\xC3\x9F" "e", "articles/de/adresse.md" },
	{ "grosse", "articles/de/adresse.md" },
	{ "uberweisung", "articles/de/adresse.md" },
	{ "\xC3\x9C" "berweisung", "articles/de/adresse.md" },
	/* Indonesian, as written */
	{ "membekukan kartu", "articles/id/kartu-hilang.md" },
	{ "pengembalian", "articles/id/kartu-hilang.md" },
	/* Chinese and Japanese: words of one, two or more characters */
	{ "\xE9\x80\x80\xE6\xAC\xBE", "articles/zh/refund.md" },
	{ "\xE6\xAC\xBE", "articles/zh/refund.md" },
	{ "\xE4\xBF\xA1\xE7\x94\xA8\xE5\x8D\xA1", "articles/zh/refund.md" },
	{ "\xE3\x82\xAB\xE3\x83\xBC\xE3\x83\x89", "articles/ja/card.md" },
	{ "\xE5\x8D\xA1\xE9\x80\x80", "" },
	/* identifiers as typed */
	{ "E-4012", "articles/cards/errors.md" },
	{ "e-4013", "articles/cards/other-errors.md" },
	{ "3DS2", "articles/cards/errors.md" },
	{ "3ds2", "articles/cards/errors.md" },
	/* the query language */
	{ "\"dispute moves\"", "articles/rank/in-title.md" },
	{ "\"moves dispute\"", "" },
	{ "dispute -merchant", "articles/rank/in-tags.md articles/rank/in-title.md" },
	{ "timelin*", "articles/rank/in-tags.md" },
	{ "kartu OR \xE6\xAC\xBE", "articles/id/kartu-hilang.md articles/zh/refund.md" },
	{ "-card -cards -dispute -kartu -carte -\xE5\x8D\xA1 -\xE3\x82\xAB\xE3\x83\xBC\xE3\x83\x89 -type:reply",
	  "articles/de/adresse.md articles/rank/in-body.md" },
	/* markup is not text: no '#', no link targets, no raw HTML */
	{ "policy.md", "" },
	{ "b fees", "" },
	{ "refund", "articles/zh/refund.md articles/cards/lost-card.md" },
	/* filters, joined to the FTS rows */
	{ "chargeback market:fr", "articles/rank/in-tags.md articles/rank/in-body.md" },
	{ "chargeback owner:BEN", "articles/rank/in-body.md" },
	{ "chargeback tag:Chargeback", "articles/rank/in-tags.md" },
	{ "carte lang:fr", "articles/fr/remboursement.md" },
	{ "carte lang:en", "" },
	{ "lang:de", "articles/de/adresse.md" },
	{ "journey:disputes -market:uk", "articles/rank/in-body.md" },
	{ "chargeback is:stale", "articles/rank/in-body.md" },
	{ "chargeback -is:stale", "articles/rank/in-title.md articles/rank/in-tags.md" },
	{ "chargeback lang:en lang:fr market:de", "" },
	/* quick texts */
	{ "objection", "replies/claims/objection-logged.md" },
	{ "objections type:reply", "replies/claims/objection-logged.md" },
	{ "objection type:article", "" },
	{ "type:reply", "replies/claims/objection-logged.md" },
	{ "lang:de type:article", "articles/de/adresse.md" },
	{ "journey:claims -type:article", "replies/claims/objection-logged.md" },
};

START_TEST(kb_index__matches)
{
	env e;
	size_t i;

	env_open(&e);
	for (i = 0; i < sizeof(matching) / sizeof(matching[0]); i++)
		assert_found(&e, matching[i].query, matching[i].paths);
	env_close(&e);
}
END_TEST

START_TEST(kb_index__snippets_sections_facets)
{
	opex_search_result r;
	env e;

	env_open(&e);
	search(&r, &e, "refund lang:en");
	ck_assert_str_eq(r.hits[0].section, "Money back after loss");
	ck_assert_msg(strstr(r.hits[0].snippet, "A <mark>refund</mark> of the "
		"fees is possible") != NULL, "%s", r.hits[0].snippet);
	ck_assert_str_eq(r.hits[0].title, "Lost card");
	ck_assert_str_eq(r.hits[0].language, "en");
	ck_assert_str_eq(r.hits[0].owner, "ana");
	ck_assert(!r.hits[0].stale);
	ck_assert_ptr_null(strstr(r.hits[0].snippet, "policy.md"));
	opex_search_result_release(&r);

	/* Text around marks is escaped by the caller's function. */
	assert_found(&e, "fees", "articles/cards/lost-card.md");
	search(&r, &e, "fees");
	ck_assert_msg(strstr(r.hits[0].snippet, "<mark>fees</mark>") != NULL,
		"%s", r.hits[0].snippet);
	opex_search_result_release(&r);

	search(&r, &e, "\xE9\x80\x80\xE6\xAC\xBE");
	ck_assert_uint_eq(r.hit_count, 1);
	ck_assert_msg(strstr(r.hits[0].snippet,
		"<mark>\xE9\x80\x80\xE6\xAC\xBE</mark>") != NULL, "%s",
		r.hits[0].snippet);
	opex_search_result_release(&r);

	/* A page of prefix matches is highlighted in one pass: same snippets. */
	search(&r, &e, "chargeb* OR remb*");
	ck_assert_uint_eq(r.hit_count, 4);
	for (size_t i = 0; i < r.hit_count; i++)
		if (strcmp(r.hits[i].path, "articles/rank/in-body.md") == 0)
			ck_assert_msg(strstr(r.hits[i].snippet, "before a <mark>chargeback"
				"</mark> is raised") != NULL, "%s", r.hits[i].snippet);
		else if (strcmp(r.hits[i].path, "articles/fr/remboursement.md") == 0)
			ck_assert_msg(strstr(r.hits[i].snippet, "<mark>") == NULL,
				"%s", r.hits[i].snippet);   /* the word is in the title only */
	opex_search_result_release(&r);

	search(&r, &e, "dispute OR chargeback");
	ck_assert_uint_eq(r.total, 3);
	ck_assert_uint_eq(r.language_count, 1);
	ck_assert_str_eq(r.languages[0].value, "en");
	ck_assert_uint_eq(r.languages[0].count, 3);
	ck_assert_uint_eq(r.journey_count, 1);
	ck_assert_uint_eq(r.journeys[0].count, 3);
	ck_assert_uint_eq(r.market_count, 2);
	ck_assert_str_eq(r.markets[0].value, "fr");
	ck_assert_uint_eq(r.markets[0].count, 2);
	ck_assert_str_eq(r.markets[1].value, "uk");
	ck_assert_uint_eq(r.markets[1].count, 2);
	opex_search_result_release(&r);
	env_close(&e);
}
END_TEST

/* A word in a table cell is found, and its snippet reads the row, not pipes. */
START_TEST(kb_index__table_cells_in_snippets)
{
	opex_search_result r;
	env e;

	env_open(&e);
	opex_test_repo_put(e.repo, "articles/cards/replacement.md",
		"---\ntitle: Replacement options\nowner: ana\nlanguage: en\n---\n"
		"| Situation | Action |\n|---|---|\n"
		"| Has the app | Offer the Quenelle virtual card |\n"
		"| No app | Send a PIN letter |\n");
	opex_test_repo_commit(e.repo, "Ana Lima", "ana@example.com", T0 + 60,
		"Table", NULL);
	update(NULL, &e);
	search(&r, &e, "quenelle");
	ck_assert_uint_eq(r.hit_count, 1);
	ck_assert_msg(strstr(r.hits[0].snippet,
		"Has the app Offer the <mark>Quenelle</mark> virtual card") != NULL,
		"%s", r.hits[0].snippet);
	ck_assert_msg(strchr(r.hits[0].snippet, '|') == NULL, "%s",
		r.hits[0].snippet);
	opex_search_result_release(&r);
	env_close(&e);
}
END_TEST

START_TEST(kb_index__pages)
{
	opex_search_options so = OPEX_SEARCH_OPTIONS_INIT;
	opex_search_result r;
	opex_error err = OPEX_ERROR_INIT;
	opex_search_query *q = NULL;
	env e;

	env_open(&e);
	ck_assert_int_eq(opex_search_query_parse(&q, "chargeback", 10, &err), 0);
	so.limit = 2;
	so.offset = 1;
	ck_assert_int_eq(opex_search_run(&r, e.ix, q, &so, &err), 0);
	ck_assert_uint_eq(r.hit_count, 2);
	ck_assert_uint_eq(r.total, 3);
	ck_assert_str_eq(r.hits[0].path, "articles/rank/in-tags.md");
	opex_search_result_release(&r);
	so.offset = 5;
	ck_assert_int_eq(opex_search_run(&r, e.ix, q, &so, &err), 0);
	ck_assert_uint_eq(r.hit_count, 0);
	ck_assert_uint_eq(r.total, 3);
	ck_assert_ptr_null(r.suggestion);
	opex_search_result_release(&r);
	opex_search_query_free(q);
	env_close(&e);
}
END_TEST

/*
 * Past the count bound the total says "at least" and facets count the
 * first matches only; up to it both stay exact.
 */
START_TEST(kb_index__bounded_total_and_facets)
{
	opex_search_options so = OPEX_SEARCH_OPTIONS_INIT;
	opex_search_result r;
	opex_error err = OPEX_ERROR_INIT;
	opex_search_query *q = NULL;
	size_t i, n;
	env e;

	env_open(&e);
	ck_assert_int_eq(opex_search_query_parse(&q, "dispute OR chargeback",
		21, &err), 0);
	so.limit = 1;
	so.count_bound = 3;   /* exactly as many as match */
	ck_assert_int_eq(opex_search_run(&r, e.ix, q, &so, &err), 0);
	ck_assert_uint_eq(r.total, 3);
	ck_assert(!r.total_capped);
	ck_assert_uint_eq(r.languages[0].count, 3);
	opex_search_result_release(&r);

	so.count_bound = 2;
	ck_assert_int_eq(opex_search_run(&r, e.ix, q, &so, &err), 0);
	ck_assert_uint_eq(r.hit_count, 1);
	ck_assert_uint_eq(r.total, 2);
	ck_assert(r.total_capped);
	ck_assert_uint_eq(r.language_count, 1);
	ck_assert_uint_eq(r.languages[0].count, 2);
	for (i = 0, n = 0; i < r.market_count; i++)
		n += r.markets[i].count;
	ck_assert_uint_le(n, 4);   /* two articles, at most two markets each */
	opex_search_result_release(&r);

	/* The bound limits counting, never the pages: the third is there. */
	so.offset = 2;
	ck_assert_int_eq(opex_search_run(&r, e.ix, q, &so, &err), 0);
	ck_assert_uint_eq(r.hit_count, 1);
	ck_assert(r.total_capped);
	opex_search_result_release(&r);
	opex_search_query_free(q);
	env_close(&e);
}
END_TEST

static void run_query(opex_search_result *r, opex_search_index *ix,
	const char *text, bool facets, size_t offset)
{
	opex_search_options so = OPEX_SEARCH_OPTIONS_INIT;
	opex_error err = OPEX_ERROR_INIT;
	opex_search_query *q = NULL;

	so.facets = facets;
	so.limit = 2;
	so.offset = offset;
	so.now = T0 + DAY;
	ck_assert_int_eq(opex_search_query_parse(&q, text, strlen(text), &err), 0);
	ck_assert_msg(opex_search_run(r, ix, q, &so, &err) == 0, "'%s': %s",
		text, err.message);
	opex_search_query_free(q);
}

static size_t facet_count(const opex_search_facet *f, size_t n, const char *value)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(f[i].value, value) == 0)
			return f[i].count;
	return 0;
}

/*
 * A search with facets reads its matches once and ranks them itself: its
 * pages and totals are those of the search without facets, and its counts
 * follow every update, this connection's own or another's.
 */
START_TEST(kb_index__facets_agree_with_the_plain_search_and_follow_updates)
{
	static const char *queries[] = {
		"chargeback", "dispute OR chargeback", "refund lang:en", "card*",
		"-chargeback", "chargeback market:uk", "nothingmatches", "c*",
	};
	opex_search_result plain, faceted;
	opex_search_index *other = NULL;
	opex_error err = OPEX_ERROR_INIT;
	opex_kb_handbook *hb;
	size_t i, offset, k;
	env e;

	env_open(&e);
	for (i = 0; i < sizeof(queries) / sizeof(queries[0]); i++)
		for (offset = 0; offset < 8; offset += 2) {
			run_query(&plain, e.ix, queries[i], false, offset);
			run_query(&faceted, e.ix, queries[i], true, offset);
			ck_assert_msg(plain.hit_count == faceted.hit_count,
				"'%s' at %zu: %zu hits against %zu", queries[i], offset,
				faceted.hit_count, plain.hit_count);
			for (k = 0; k < plain.hit_count; k++) {
				ck_assert_str_eq(faceted.hits[k].path, plain.hits[k].path);
				ck_assert_str_eq(faceted.hits[k].snippet, plain.hits[k].snippet);
			}
			if (plain.hit_count > 0 || offset == 0)
				ck_assert_msg(plain.total == faceted.total,
					"'%s' at %zu: total %zu against %zu", queries[i], offset,
					faceted.total, plain.total);
			opex_search_result_release(&plain);
			opex_search_result_release(&faceted);
		}

	run_query(&faceted, e.ix, "chargeback", true, 0);
	ck_assert_uint_eq(facet_count(faceted.languages, faceted.language_count,
		"fr"), 0);
	opex_search_result_release(&faceted);
	/* This connection's update. */
	opex_test_repo_put(e.repo, "articles/fr/chargeback.md",
		"---\ntitle: Chargeback en France\nowner: ana\nlanguage: FR\n"
		"journey: disputes\nmarkets: [fr, be]\n---\nUn chargeback.\n");
	opex_test_repo_commit(e.repo, "Ana Lima", "ana@example.com", T0 + 10,
		"Add", NULL);
	update(NULL, &e);
	run_query(&faceted, e.ix, "chargeback", true, 0);
	ck_assert_uint_eq(facet_count(faceted.languages, faceted.language_count,
		"fr"), 1);   /* lowercased, as the language filter matches */
	ck_assert_uint_eq(facet_count(faceted.markets, faceted.market_count,
		"be"), 1);
	opex_search_result_release(&faceted);
	/* Another connection's update. */
	opex_test_repo_remove(e.repo, "articles/fr/chargeback.md");
	opex_test_repo_commit(e.repo, "Ana Lima", "ana@example.com", T0 + 20,
		"Remove", NULL);
	ck_assert_int_eq(opex_search_index_open(&other, e.index_path, &err), 0);
	hb = load(e.repo);
	ck_assert_int_eq(opex_search_index_update(NULL, other, hb, NULL, &err), 0);
	opex_kb_handbook_free(hb);
	opex_search_index_free(other);
	run_query(&faceted, e.ix, "chargeback", true, 0);
	ck_assert_uint_eq(facet_count(faceted.languages, faceted.language_count,
		"fr"), 0);
	ck_assert_uint_eq(facet_count(faceted.markets, faceted.market_count,
		"be"), 0);
	opex_search_result_release(&faceted);
	env_close(&e);
}
END_TEST

START_TEST(kb_index__suggests_corrections)
{
	opex_search_result r;
	env e;

	env_open(&e);
	search(&r, &e, "chargebak");
	ck_assert_uint_eq(r.total, 0);
	ck_assert_ptr_nonnull(r.suggestion);
	ck_assert_str_eq(r.suggestion, "chargeback");
	opex_search_result_release(&r);

	/* English words are stemmed in the index; suggestions are words. */
	search(&r, &e, "dispte timelnes lang:en");
	ck_assert_uint_eq(r.total, 0);
	ck_assert_ptr_nonnull(r.suggestion);
	ck_assert_str_eq(r.suggestion, "dispute timelines lang:en");
	opex_search_result_release(&r);

	search(&r, &e, "membekukn");
	ck_assert_str_eq(r.suggestion, "membekukan");
	opex_search_result_release(&r);

	/* Words that exist but never together: nothing to correct. */
	search(&r, &e, "kartu chargeback");
	ck_assert_uint_eq(r.total, 0);
	ck_assert_ptr_null(r.suggestion);
	opex_search_result_release(&r);

	search(&r, &e, "zzzzqqqq");
	ck_assert_ptr_null(r.suggestion);
	opex_search_result_release(&r);
	env_close(&e);
}
END_TEST

START_TEST(kb_index__suggests_same_first_letter)
{
	opex_search_result r;
	env e;

	env_open(&e);
	/* A typo anywhere after the first letter is corrected. */
	search(&r, &e, "refnud");
	ck_assert_uint_eq(r.total, 0);
	ck_assert_ptr_nonnull(r.suggestion);
	ck_assert_str_eq(r.suggestion, "refund");
	opex_search_result_release(&r);

	search(&r, &e, "chargeback mercahnt");
	ck_assert_ptr_nonnull(r.suggestion);
	ck_assert_str_eq(r.suggestion, "chargeback merchant");
	opex_search_result_release(&r);

	/* Only words with the same first letter are candidates. */
	search(&r, &e, "xhargeback");
	ck_assert_uint_eq(r.total, 0);
	ck_assert_ptr_null(r.suggestion);
	opex_search_result_release(&r);

	search(&r, &e, "hargeback");
	ck_assert_ptr_null(r.suggestion);
	opex_search_result_release(&r);
	env_close(&e);
}
END_TEST

START_TEST(kb_index__incremental_updates)
{
	opex_search_index_stats st;
	char first[41], rev[41];
	opex_error err = OPEX_ERROR_INIT;
	env e;

	env_open(&e);
	ck_assert_int_eq(opex_search_index_revision(first, e.ix, &err), 0);
	ck_assert_uint_eq(strlen(first), 40);

	/* Nothing changed: nothing touched. */
	update(&st, &e);
	ck_assert_uint_eq(st.added + st.changed + st.removed + st.renamed, 0);
	ck_assert_uint_eq(st.unchanged, FIXTURE_COUNT);

	/* Add one. */
	opex_test_repo_put(e.repo, "articles/new/wire.md",
		"---\ntitle: Wire recall\nowner: ana\nlanguage: en\n---\nRecall a wire.\n");
	opex_test_repo_commit(e.repo, "Ana Lima", "ana@example.com", T0 + 10,
		"Add", NULL);
	update(&st, &e);
	ck_assert_uint_eq(st.added, 1);
	ck_assert_uint_eq(st.unchanged, FIXTURE_COUNT);
	ck_assert(!st.rebuilt);
	assert_found(&e, "recall", "articles/new/wire.md");

	/* Change one. */
	opex_test_repo_put(e.repo, "articles/new/wire.md",
		"---\ntitle: Wire return\nowner: ana\nlanguage: en\n---\nReturn a wire.\n");
	opex_test_repo_commit(e.repo, "Ana Lima", "ana@example.com", T0 + 20,
		"Change", NULL);
	update(&st, &e);
	ck_assert_uint_eq(st.changed, 1);
	ck_assert_uint_eq(st.added + st.removed + st.renamed, 0);
	assert_found(&e, "recall", "");
	assert_found(&e, "return", "articles/new/wire.md");

	/* Rename one. */
	opex_test_repo_remove(e.repo, "articles/new/wire.md");
	opex_test_repo_put(e.repo, "articles/payments/wire.md",
		"---\ntitle: Wire return\nowner: ana\nlanguage: en\n---\nReturn a wire.\n");
	opex_test_repo_commit(e.repo, "Ana Lima", "ana@example.com", T0 + 30,
		"Move", NULL);
	update(&st, &e);
	ck_assert_uint_eq(st.renamed, 1);
	ck_assert_uint_eq(st.added + st.removed + st.changed, 0);
	assert_found(&e, "return", "articles/payments/wire.md");

	/* Delete one. */
	opex_test_repo_remove(e.repo, "articles/payments/wire.md");
	opex_test_repo_remove(e.repo, "articles/ja/card.md");
	opex_test_repo_commit(e.repo, "Ana Lima", "ana@example.com", T0 + 40,
		"Remove", NULL);
	update(&st, &e);
	ck_assert_uint_eq(st.removed, 2);
	ck_assert_uint_eq(st.articles, FIXTURE_COUNT - 1);
	assert_found(&e, "return", "");
	assert_found(&e, "\xE3\x82\xAB\xE3\x83\xBC\xE3\x83\x89", "");

	/* Revert to the first revision: an older target is just another tree. */
	{
		opex_kb_handbook_options opts = OPEX_KB_HANDBOOK_OPTIONS_INIT;
		opex_diag_list diags = OPEX_DIAG_LIST_INIT;
		opex_kb_handbook *hb = NULL;

		opts.history_cache = "";
		opts.rev = first;
		ck_assert_int_eq(opex_kb_handbook_load(&hb, opex_test_repo_path(e.repo),
			&opts, &diags, &err), 0);
		ck_assert_int_eq(opex_search_index_update(&st, e.ix, hb, NULL, &err), 0);
		opex_kb_handbook_free(hb);
		opex_diag_list_release(&diags);
	}
	ck_assert_uint_eq(st.added, 1);
	ck_assert_uint_eq(st.unchanged, FIXTURE_COUNT - 1);
	ck_assert_int_eq(opex_search_index_revision(rev, e.ix, &err), 0);
	ck_assert_str_eq(rev, first);
	assert_found(&e, "\xE3\x82\xAB\xE3\x83\xBC\xE3\x83\x89", "articles/ja/card.md");

	/* --rebuild, and a reopened index still answers. */
	{
		opex_search_index_update_options uo = OPEX_SEARCH_INDEX_UPDATE_OPTIONS_INIT;
		opex_kb_handbook *hb = load(e.repo);

		uo.rebuild = true;
		ck_assert_int_eq(opex_search_index_update(&st, e.ix, hb, &uo, &err), 0);
		ck_assert(st.rebuilt);
		ck_assert_uint_eq(st.articles, FIXTURE_COUNT - 1);
		opex_kb_handbook_free(hb);
	}
	opex_search_index_free(e.ix);
	ck_assert_int_eq(opex_search_index_open(&e.ix, e.index_path, &err), 0);
	assert_found(&e, "3DS2", "articles/cards/errors.md");
	env_close(&e);
}
END_TEST

/* The handbook read for an update holds only what the index asked for. */
START_TEST(kb_index__update_reads_only_changed_articles)
{
	opex_kb_handbook_options opts = OPEX_KB_HANDBOOK_OPTIONS_INIT;
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_search_index_stats st;
	opex_error err = OPEX_ERROR_INIT;
	opex_kb_handbook *hb = NULL;
	opex_kb_repo *repo = NULL;
	env e;

	env_open(&e);
	opex_test_repo_put(e.repo, "articles/rank/in-body.md",
		"---\ntitle: Merchant letters\nowner: ben\nlanguage: en\n---\n"
		"Write to the merchant first.\n");
	opex_test_repo_put(e.repo, "articles/new/one.md",
		"---\ntitle: Brand new\nowner: ana\nlanguage: en\n---\nFresh.\n");
	opex_test_repo_commit(e.repo, "Ana Lima", "ana@example.com", T0 + 10,
		"Change", NULL);
	ck_assert_int_eq(opex_kb_repo_open(&repo, opex_test_repo_path(e.repo),
		NULL, &err), 0);
	ck_assert_int_eq(opex_search_index_plan(e.ix, repo, false, &err), 0);
	opts.history_cache = "";
	opts.now = T0 + DAY;
	opts.want = opex_search_index_wants;
	opts.want_payload = e.ix;
	ck_assert_int_eq(opex_kb_handbook_load(&hb, opex_test_repo_path(e.repo),
		&opts, &diags, &err), 0);
	ck_assert_uint_eq(opex_kb_handbook_article_count(hb), 2);
	ck_assert_int_eq(opex_search_index_update(&st, e.ix, hb, NULL, &err), 0);
	ck_assert_uint_eq(st.changed, 1);
	ck_assert_uint_eq(st.added, 1);
	ck_assert_uint_eq(st.unchanged, FIXTURE_COUNT - 1);
	ck_assert_uint_eq(st.articles, FIXTURE_COUNT + 1);
	assert_found(&e, "chargeback", "articles/rank/in-title.md "
		"articles/rank/in-tags.md");
	assert_found(&e, "fresh", "articles/new/one.md");
	/* A plan against a revision that another update replaced: refused. */
	ck_assert_int_eq(opex_search_index_plan(e.ix, repo, false, &err), 0);
	{
		opex_search_index *other = NULL;
		opex_kb_handbook *first = NULL;

		opts.want = NULL;
		opts.rev = "HEAD~1";
		ck_assert_int_eq(opex_kb_handbook_load(&first,
			opex_test_repo_path(e.repo), &opts, &diags, &err), 0);
		ck_assert_int_eq(opex_search_index_open(&other, e.index_path, &err), 0);
		ck_assert_int_eq(opex_search_index_update(NULL, other, first, NULL,
			&err), 0);
		opex_search_index_free(other);
		opex_kb_handbook_free(first);
	}
	ck_assert_int_eq(opex_search_index_update(&st, e.ix, hb, NULL, &err),
		OPEX_EEXISTS);
	opex_kb_handbook_free(hb);
	opex_kb_repo_free(repo);
	opex_diag_list_release(&diags);
	env_close(&e);
}
END_TEST

/*
 * `opex index` of a few changed articles lists only the changed paths
 * (opex_kb_repo_open_only()): the index it makes is the one a whole
 * listing makes, the partial handbook writes no history cache, and a
 * partial handbook is refused where the update would compare every row.
 */
START_TEST(kb_index__update_from_the_changed_paths_alone)
{
	static const char *const queries[] = { "chargeback is:stale",
		"chargeback -is:stale", "fresh", "contactless", "merchant" };
	opex_kb_handbook_options opts = OPEX_KB_HANDBOOK_OPTIONS_INIT;
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_search_index_stats st;
	opex_error err = OPEX_ERROR_INIT;
	opex_search_index *whole = NULL;
	opex_kb_handbook *hb = NULL;
	opex_kb_repo *unlisted = NULL, *repo = NULL;
	char **paths = NULL, cache[4300], whole_path[4300], rev[41];
	size_t count = 0, i;
	struct stat sb;
	env e, full;

	env_open(&e);
	ck_assert_int_eq(opex_search_index_revision(rev, e.ix, &err), 0);
	/* The owner verifies one article, one is added, one removed. */
	opex_test_repo_put(e.repo, "articles/rank/in-body.md",
		"---\ntitle: Merchant letters\nowner: ben\nlanguage: en\n---\n"
		"Write to the merchant first about the chargeback.\n");
	opex_test_repo_put(e.repo, "articles/new/deep/one.md",
		"---\ntitle: Brand new\nowner: ana\nlanguage: en\n---\nFresh.\n");
	opex_test_repo_remove(e.repo, "articles/en/generations.md");
	opex_test_repo_commit(e.repo, "Ben Okafor", "ben@example.com", T0 + 10,
		"Change", NULL);
	ck_assert_int_eq(opex_kb_repo_open_unlisted(&unlisted,
		opex_test_repo_path(e.repo), NULL, &err), 0);
	ck_assert_int_eq(opex_kb_repo_changed_paths(&paths, &count, unlisted,
		rev, &err), 0);
	ck_assert_uint_eq(count, 3);
	ck_assert_int_eq(opex_kb_repo_open_only(&repo, opex_test_repo_path(e.repo),
		opex_kb_repo_commit(unlisted), (const char *const *)paths, count,
		&err), 0);
	/* The two articles still there and the roster; no opex.yaml here. */
	ck_assert(opex_kb_repo_partial(repo));
	ck_assert_uint_eq(opex_kb_repo_count(repo), 3);
	ck_assert_str_eq(opex_kb_repo_entry(repo, 0)->path, "articles/new/deep/one.md");
	ck_assert_str_eq(opex_kb_repo_entry(repo, 1)->path, "articles/rank/in-body.md");
	ck_assert_str_eq(opex_kb_repo_entry(repo, 2)->path, "people.yaml");
	ck_assert_int_eq(opex_search_index_plan(e.ix, repo, false, &err), 0);
	ck_assert(opex_search_index_plan_by_paths(e.ix));
	snprintf(cache, sizeof(cache), "%s/history.cache", e.dir);
	opts.history_cache = cache;
	opts.now = T0 + DAY;
	opts.want = opex_search_index_wants;
	opts.want_payload = e.ix;
	opex_kb_handbook_load_repo(&hb, repo, &opts, &diags);
	repo = NULL;
	ck_assert_uint_eq(opex_kb_handbook_article_count(hb), 2);
	ck_assert_msg(stat(cache, &sb) != 0, "a partial handbook wrote the history cache");
	ck_assert_msg(opex_search_index_update(&st, e.ix, hb, NULL, &err) == 0,
		"%s", err.message);
	ck_assert_uint_eq(st.changed, 1);
	ck_assert_uint_eq(st.added, 1);
	ck_assert_uint_eq(st.removed, 1);
	ck_assert_uint_eq(st.unchanged, FIXTURE_COUNT - 2);
	ck_assert_uint_eq(st.articles, FIXTURE_COUNT);
	opex_kb_handbook_free(hb);
	hb = NULL;

	/* The same as an index built from the whole tree. */
	snprintf(whole_path, sizeof(whole_path), "%s/whole.sqlite", e.dir);
	ck_assert_int_eq(opex_search_index_open(&whole, whole_path, &err), 0);
	full = e;
	full.ix = whole;
	update(NULL, &full);
	for (i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
		char *want = found(&full, queries[i]);

		assert_found(&e, queries[i], want);
		opex_free(want);
	}
	assert_found(&e, "chargeback is:stale", "");
	assert_found(&e, "fresh", "articles/new/deep/one.md");
	opex_search_index_free(whole);

	/* A new roster changes staleness everywhere: not by paths. */
	opex_strings_free(paths, count);
	opex_kb_repo_free(unlisted);
	ck_assert_int_eq(opex_search_index_revision(rev, e.ix, &err), 0);
	opex_test_repo_put(e.repo, "people.yaml", "people:\n  - id: ana\n"
		"    name: Ana Lima\n    email: ana@example.com\n");
	opex_test_repo_commit(e.repo, "Ana Lima", "ana@example.com", T0 + 20,
		"Roster", NULL);
	ck_assert_int_eq(opex_kb_repo_open_unlisted(&unlisted,
		opex_test_repo_path(e.repo), NULL, &err), 0);
	ck_assert_int_eq(opex_kb_repo_changed_paths(&paths, &count, unlisted,
		rev, &err), 0);
	ck_assert_int_eq(opex_kb_repo_open_only(&repo, opex_test_repo_path(e.repo),
		NULL, (const char *const *)paths, count, &err), 0);
	ck_assert_int_eq(opex_search_index_plan(e.ix, repo, false, &err), 0);
	ck_assert(!opex_search_index_plan_by_paths(e.ix));
	opts.want = NULL;
	opex_kb_handbook_load_repo(&hb, repo, &opts, &diags);
	repo = NULL;
	ck_assert_int_eq(opex_search_index_update(&st, e.ix, hb, NULL, &err),
		OPEX_EEXISTS);
	ck_assert_int_eq(opex_search_index_revision(rev, e.ix, &err), 0);
	ck_assert_str_ne(rev, opex_kb_repo_commit(unlisted));
	assert_found(&e, "fresh", "articles/new/deep/one.md");
	opex_kb_handbook_free(hb);
	opex_strings_free(paths, count);
	opex_kb_repo_free(unlisted);
	opex_diag_list_release(&diags);
	env_close(&e);
}
END_TEST

/*
 * An update compares the indexed revision's tree with the new one; a
 * change of kind or of mode is seen as such. When the indexed revision is
 * not in the repository (an index copied from another clone), the update
 * merges the whole listing instead, and the plan reads only what differs.
 */
START_TEST(kb_index__update_compares_trees_or_merges_the_listing)
{
	opex_kb_handbook_options opts = OPEX_KB_HANDBOOK_OPTIONS_INIT;
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_search_index_stats st;
	opex_error err = OPEX_ERROR_INIT;
	opex_test_repo *other = opex_test_repo_new(false);
	opex_kb_handbook *hb = NULL;
	opex_kb_repo *repo = NULL;
	size_t i;
	env e;

	env_open(&e);
	/* A file become a link leaves the index; a mode change is no change. */
	opex_test_repo_put_mode(e.repo, "articles/en/generations.md",
		"../cards/errors.md", OPEX_TEST_MODE_LINK);
	opex_test_repo_put_mode(e.repo, fixture[0].path, fixture[0].text,
		0100755);
	opex_test_repo_commit(e.repo, "Ana Lima", "ana@example.com", T0 + 10,
		"Link", NULL);
	update(&st, &e);
	ck_assert_uint_eq(st.removed, 1);
	ck_assert_uint_eq(st.added + st.changed + st.renamed, 0);
	ck_assert_uint_eq(st.unchanged, FIXTURE_COUNT - 1);
	ck_assert_uint_eq(st.articles, FIXTURE_COUNT - 1);
	assert_found(&e, "contactless", "");

	/* Another clone with the same files: no revision in common. */
	opex_test_repo_put(other, "people.yaml", roster);
	for (i = 0; i < FIXTURE_COUNT; i++)
		opex_test_repo_put(other, fixture[i].path, fixture[i].text);
	opex_test_repo_commit(other, "Ben Okafor", "ben@example.com", T0 + 99,
		"Elsewhere", NULL);
	ck_assert_int_eq(opex_kb_repo_open(&repo, opex_test_repo_path(other),
		NULL, &err), 0);
	ck_assert_int_eq(opex_search_index_plan(e.ix, repo, false, &err), 0);
	opts.history_cache = "";
	opts.now = T0 + DAY;
	opts.want = opex_search_index_wants;
	opts.want_payload = e.ix;
	ck_assert_int_eq(opex_kb_handbook_load(&hb, opex_test_repo_path(other),
		&opts, &diags, &err), 0);
	ck_assert_uint_eq(opex_kb_handbook_article_count(hb), 1);
	ck_assert_msg(opex_search_index_update(&st, e.ix, hb, NULL, &err) == 0,
		"%s", err.message);
	ck_assert_uint_eq(st.added, 1);
	ck_assert_uint_eq(st.unchanged, FIXTURE_COUNT - 1);
	ck_assert_uint_eq(st.articles, FIXTURE_COUNT);
	assert_found(&e, "contactless", "articles/en/generations.md");
	opex_kb_handbook_free(hb);
	opex_kb_repo_free(repo);
	opex_diag_list_release(&diags);
	opex_test_repo_free(other);
	env_close(&e);
}
END_TEST

START_TEST(kb_index__roster_change_refreshes_staleness)
{
	opex_search_index_stats st;
	env e;

	env_open(&e);
	assert_found(&e, "chargeback is:stale", "articles/rank/in-body.md");
	/* Ben takes the committer's address, Ana gets another one. */
	opex_test_repo_put(e.repo, "people.yaml",
		"people:\n  - id: ben\n    name: Ben Okafor\n    email: ana@example.com\n"
		"  - id: ana\n    name: Ana Two\n    email: ana@other.example\n");
	opex_test_repo_commit(e.repo, "Ana Lima", "ana@example.com", T0 + 10,
		"Roster", NULL);
	update(&st, &e);
	ck_assert_uint_eq(st.changed + st.added, 0);
	assert_found(&e, "chargeback is:stale",
		"articles/rank/in-title.md articles/rank/in-tags.md");
	env_close(&e);
}
END_TEST

/*
 * Kill an update at random points: the reopened index answers for the old
 * revision or the new one, never a mix.
 */
START_TEST(kb_index__killed_update_leaves_a_consistent_index)
{
	opex_error err = OPEX_ERROR_INIT;
	char old_rev[41], new_rev[41], rev[41];
	opex_test_repo *repo = opex_test_repo_new(false);
	char *dir = opex_test_tmpdir();
	char path[4200], text[512], name[128];
	opex_search_index *ix = NULL;
	opex_kb_handbook *old_hb, *new_hb;
	struct timespec t0, t1;
	long span_us;
	int round, killed_mid = 0;
	unsigned seed = 12345;
	size_t i, n = 600;

	snprintf(path, sizeof(path), "%s/index.sqlite", dir);
	opex_test_repo_put(repo, "people.yaml", roster);
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "articles/a/%04zu.md", i);
		snprintf(text, sizeof(text), "---\ntitle: Article %zu\nowner: ana\n"
			"language: en\n---\nalpha words number %zu and more alpha text "
			"to index in the first revision of the handbook.\n", i, i);
		opex_test_repo_put(repo, name, text);
	}
	opex_test_repo_commit(repo, "Ana Lima", "ana@example.com", T0, "v1", old_rev);
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "articles/a/%04zu.md", i);
		snprintf(text, sizeof(text), "---\ntitle: Article %zu\nowner: ana\n"
			"language: fr\n---\nbravo mots numero %zu et encore du texte "
			"bravo pour la seconde revision.\n", i, i);
		opex_test_repo_put(repo, name, text);
	}
	opex_test_repo_commit(repo, "Ana Lima", "ana@example.com", T0 + 60, "v2",
		new_rev);
	{
		opex_kb_handbook_options opts = OPEX_KB_HANDBOOK_OPTIONS_INIT;
		opex_diag_list diags = OPEX_DIAG_LIST_INIT;

		opts.history_cache = "";
		opts.rev = old_rev;
		ck_assert_int_eq(opex_kb_handbook_load(&old_hb,
			opex_test_repo_path(repo), &opts, &diags, &err), 0);
		opts.rev = new_rev;
		ck_assert_int_eq(opex_kb_handbook_load(&new_hb,
			opex_test_repo_path(repo), &opts, &diags, &err), 0);
		opex_diag_list_release(&diags);
	}
	/* How long one update takes here, to spread the kills over it. */
	ck_assert_int_eq(opex_search_index_open(&ix, path, &err), 0);
	ck_assert_int_eq(opex_search_index_update(NULL, ix, old_hb, NULL, &err), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(opex_search_index_update(NULL, ix, new_hb, NULL, &err), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	span_us = (t1.tv_sec - t0.tv_sec) * 1000000L +
		(t1.tv_nsec - t0.tv_nsec) / 1000L;
	ck_assert_int_eq(opex_search_index_update(NULL, ix, old_hb, NULL, &err), 0);
	opex_search_index_free(ix);
	ix = NULL;

	for (round = 0; round < 12; round++) {
		opex_search_result r;
		opex_search_query *q = NULL;
		const char *want_word, *other_word;
		size_t want;
		long delay = (long)((unsigned long)rand_r(&seed) % (unsigned long)(span_us + 1));
		pid_t pid;
		int status;

		fflush(NULL);
		pid = fork();
		ck_assert(pid >= 0);
		if (pid == 0) {
			opex_search_index *cix = NULL;
			opex_kb_handbook *target = round % 2 ? old_hb : new_hb;

			int rc = 1;

			if (opex_search_index_open(&cix, path, NULL) == 0 &&
			    opex_search_index_update(NULL, cix, target, NULL, NULL) == 0)
				rc = 0;
			opex_search_index_free(cix);
			_exit(rc);
		}
		if (delay > 0) {
			struct timespec d = { delay / 1000000L, (delay % 1000000L) * 1000L };

			nanosleep(&d, NULL);
		}
		kill(pid, SIGKILL);
		ck_assert(waitpid(pid, &status, 0) == pid);
		if (WIFSIGNALED(status))
			killed_mid++;

		ck_assert_int_eq(opex_search_index_open(&ix, path, &err), 0);
		ck_assert_int_eq(opex_search_index_revision(rev, ix, &err), 0);
		ck_assert_msg(strcmp(rev, old_rev) == 0 || strcmp(rev, new_rev) == 0,
			"round %d: revision '%s'", round, rev);
		want_word = strcmp(rev, old_rev) == 0 ? "alpha" : "bravo";
		other_word = strcmp(rev, old_rev) == 0 ? "bravo" : "alpha";
		for (want = 0; want < 2; want++) {
			const char *w = want == 0 ? want_word : other_word;
			opex_search_options so = OPEX_SEARCH_OPTIONS_INIT;

			so.facets = false;
			so.suggest = false;
			ck_assert_int_eq(opex_search_query_parse(&q, w, strlen(w), &err), 0);
			ck_assert_msg(opex_search_run(&r, ix, q, &so, &err) == 0, "%s",
				err.message);
			ck_assert_msg(r.total == (want == 0 ? n : 0),
				"round %d at %s: '%s' found %zu", round, rev, w, r.total);
			opex_search_result_release(&r);
			opex_search_query_free(q);
			q = NULL;
		}
		opex_search_index_free(ix);
		ix = NULL;
	}
	ck_assert_msg(killed_mid > 0, "no update was killed before it ended");
	opex_kb_handbook_free(old_hb);
	opex_kb_handbook_free(new_hb);
	opex_test_repo_free(repo);
	opex_test_rmtree(dir);
}
END_TEST

START_TEST(kb_index__plain_text_of_markdown)
{
	opex_kb_md_text t;
	opex_error err = OPEX_ERROR_INIT;
	const char *md = "Intro *text* with [a link](x.md) and <b>html</b>.\n\n"
		"# First\n\nBody `code` here.\n\n<div>raw block</div>\n\n"
		"## Second **part**\n\n- item\x01one\n\n```\nfenced\n```\n";

	opex_kb_md_text_init(&t, 1 << 20);
	ck_assert_int_eq(opex_kb_markdown_plain(&t, md, strlen(md), &err), 0);
	ck_assert_str_eq(t.text.ptr, "Intro text with a link and html.\n"
		"Body code here.\nitem one\nfenced\n");
	ck_assert_str_eq(t.headings.ptr, "First\nSecond part\n");
	ck_assert_uint_eq(t.section_count, 2);
	ck_assert_str_eq(t.sections[0].heading, "First");
	ck_assert_uint_eq(t.sections[0].offset, 33);
	ck_assert_str_eq(t.sections[1].heading, "Second part");
	ck_assert_uint_eq(t.sections[1].offset, 49);
	opex_kb_md_text_release(&t);
}
END_TEST

Suite *suite_index(void)
{
	Suite *s = suite_create("kb_index");
	TCase *tc = tcase_create("search");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, kb_index__plain_text_of_markdown);
	tcase_add_test(tc, kb_index__ranks_title_above_tags_above_body);
	tcase_add_test(tc, kb_index__matches);
	tcase_add_test(tc, kb_index__snippets_sections_facets);
	tcase_add_test(tc, kb_index__table_cells_in_snippets);
	tcase_add_test(tc, kb_index__pages);
	tcase_add_test(tc, kb_index__bounded_total_and_facets);
	tcase_add_test(tc, kb_index__facets_agree_with_the_plain_search_and_follow_updates);
	tcase_add_test(tc, kb_index__suggests_corrections);
	tcase_add_test(tc, kb_index__suggests_same_first_letter);
	suite_add_tcase(s, tc);
	tc = tcase_create("update");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, kb_index__incremental_updates);
	tcase_add_test(tc, kb_index__update_reads_only_changed_articles);
	tcase_add_test(tc, kb_index__update_compares_trees_or_merges_the_listing);
	tcase_add_test(tc, kb_index__update_from_the_changed_paths_alone);
	tcase_add_test(tc, kb_index__roster_change_refreshes_staleness);
	tcase_add_test(tc, kb_index__killed_update_leaves_a_consistent_index);
	suite_add_tcase(s, tc);
	return s;
}

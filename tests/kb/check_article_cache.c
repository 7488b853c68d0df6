/*
 * check_article_cache.c: parsed articles kept between loads
 * (kb/article_cache.c): a load from the cache gives exactly what parsing
 * gives, findings included; a changed blob is parsed again; a damaged,
 * truncated or foreign cache file is never trusted and never fatal.
 */
#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kb/kb.h"
#include "core/buf.h"
#include "core/file.h"
#include "support/repo_fixture.h"
#include "support/test_util.h"

#include "core/banned.h"

#define T0 1767225600 /* 2026-01-01 */

static const char roster[] =
	"people:\n  - id: ana\n    name: Ana\n    email: ana@x.io\n    teams: [desk]\n"
	"teams:\n  - id: desk\n";

static opex_kb_handbook *load(opex_test_repo *repo, bool cache,
	opex_diag_list *diags)
{
	opex_kb_handbook_options opts = OPEX_KB_HANDBOOK_OPTIONS_INIT;
	opex_kb_handbook *hb = NULL;
	opex_error err = OPEX_ERROR_INIT;

	opts.history_cache = "";
	opts.now = T0 + 86400;
	opts.article_cache = cache;
	ck_assert_msg(opex_kb_handbook_load(&hb, opex_test_repo_path(repo),
		&opts, diags, &err) == 0, "%s", err.message);
	return hb;
}

/* Every article and finding of a load, as text, to compare loads. */
static void describe(opex_buf *out, const opex_kb_handbook *hb,
	const opex_diag_list *diags)
{
	size_t i, k, n = opex_kb_handbook_article_count(hb);

	for (i = 0; i < n; i++) {
		const opex_kb_article *a = opex_kb_handbook_article(hb, i);

		opex_buf_printf(out, "%s|%d|%s|%s|%s|%s|%s|%s|%d|%lld|%u|%u|%d\n",
			a->path, (int)a->kind, a->title ? a->title : "-",
			a->owner ? a->owner : "-", a->language ? a->language : "-",
			a->translation_of ? a->translation_of : "-",
			a->journey ? a->journey : "-",
			a->channel ? a->channel : "-", (int)a->visibility,
			(long long)a->review_every, a->title_line, a->body_line,
			a->has_front_matter);
		for (k = 0; k < OPEX_KB_FIELD_COUNT; k++)
			opex_buf_printf(out, "%u,", a->field_line[k]);
		for (k = 0; k < a->market_count; k++)
			opex_buf_printf(out, "m:%s,", a->markets[k]);
		for (k = 0; k < a->tag_count; k++)
			opex_buf_printf(out, "t:%s,", a->tags[k]);
		for (k = 0; k < a->team_count; k++)
			opex_buf_printf(out, "T:%s,", a->teams[k]);
		for (k = 0; k < a->acknowledge_count; k++)
			opex_buf_printf(out, "a:%s,", a->acknowledge[k]);
		for (k = 0; k < a->link_count; k++)
			opex_buf_printf(out, "l:%s>%s@%u:%u%d,", a->links[k].target,
				a->links[k].path ? a->links[k].path : "-",
				a->links[k].line, a->links[k].col, a->links[k].leaves);
		if (a->announcement != NULL) {
			const opex_kb_announcement *m = a->announcement;

			opex_buf_printf(out, "\nA:%d|%lld|%d|%lld|", (int)m->severity,
				(long long)m->expires, m->requires_ack,
				(long long)m->ack_within);
			for (k = 0; k < m->audience_count; k++)
				opex_buf_printf(out, "%s,", m->audience[k]);
			for (k = 0; k < m->article_count; k++)
				opex_buf_printf(out, "%s,", m->articles[k]);
			for (k = 0; k < m->process_count; k++)
				opex_buf_printf(out, "%s,", m->processes[k]);
		}
		opex_buf_printf(out, "\n[%.*s]\n", (int)a->body_len, a->body);
	}
	for (i = 0; i < diags->count; i++)
		opex_buf_printf(out, "%s:%u:%u %d %s %s\n", diags->items[i].path,
			diags->items[i].line, diags->items[i].col,
			(int)diags->items[i].severity, diags->items[i].rule,
			diags->items[i].message);
}

static opex_test_repo *sample_repo(void)
{
	opex_test_repo *repo = opex_test_repo_new(false);

	opex_test_repo_put(repo, "people.yaml", roster);
	opex_test_repo_put(repo, "articles/a.md",
		"---\ntitle: A\nowner: ana\nmarkets: [uk, fr]\ntags: [x]\n"
		"teams: [desk]\nacknowledge: [desk]\nreview_every: 30d\n"
		"visibility: partners\nunknwn: 1\n---\n# A\nSee [b](b.md) and "
		"[out](../../../x.md).\n");
	opex_test_repo_put(repo, "articles/b.md", "No front matter at all.\n");
	opex_test_repo_put(repo, "articles/bad.md", "---\ntitle: [\n---\nx\n");
	opex_test_repo_put(repo, "replies/r.md",
		"---\ntitle: R\nowner: ana\nchannel: chat\n---\nHi {{customer.first_name}}\n");
	opex_test_repo_put(repo, "announcements/n.md",
		"---\ntitle: N\nowner: ana\naudience: [desk]\nseverity: important\n"
		"expires: 2027-01-01\nrequires_ack: true\nack_within: 1d\n"
		"articles: [articles/a.md]\n---\nNews.\n");
	opex_test_repo_commit(repo, "Ana", "ana@x.io", T0, "one", NULL);
	return repo;
}

static char *cache_file(opex_test_repo *repo)
{
	size_t n = strlen(opex_test_repo_path(repo)) + 64;
	char *path = malloc(n);

	ck_assert_ptr_nonnull(path);
	snprintf(path, n, "%s/.git/opex/articles.cache", opex_test_repo_path(repo));
	return path;
}

START_TEST(kb_article_cache__same_as_parsing)
{
	opex_test_repo *repo = sample_repo();
	opex_diag_list d1 = OPEX_DIAG_LIST_INIT, d2 = OPEX_DIAG_LIST_INIT,
		d3 = OPEX_DIAG_LIST_INIT;
	opex_buf plain = OPEX_BUF_INIT(1 << 20), first = OPEX_BUF_INIT(1 << 20),
		again = OPEX_BUF_INIT(1 << 20);
	opex_kb_handbook *hb;

	hb = load(repo, false, &d1);
	describe(&plain, hb, &d1);
	opex_kb_handbook_free(hb);
	hb = load(repo, true, &d2);          /* parses, writes the cache */
	ck_assert_uint_eq(opex_kb_handbook_parsed(hb), 5);
	describe(&first, hb, &d2);
	opex_kb_handbook_free(hb);
	hb = load(repo, true, &d3);  /* from the cache, but the file that is no article */
	ck_assert_uint_eq(opex_kb_handbook_parsed(hb), 1);
	describe(&again, hb, &d3);
	opex_kb_handbook_free(hb);
	ck_assert_str_eq(first.ptr, plain.ptr);
	ck_assert_str_eq(again.ptr, plain.ptr);
	ck_assert_ptr_nonnull(strstr(again.ptr, "unknown field 'unknwn'"));
	opex_buf_release(&plain);
	opex_buf_release(&first);
	opex_buf_release(&again);
	opex_diag_list_release(&d1);
	opex_diag_list_release(&d2);
	opex_diag_list_release(&d3);
	opex_test_repo_free(repo);
}
END_TEST

START_TEST(kb_article_cache__only_changed_blobs_are_parsed)
{
	opex_test_repo *repo = sample_repo();
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_kb_handbook *hb;

	opex_kb_handbook_free(load(repo, true, &diags));
	opex_test_repo_put(repo, "articles/b.md", "# B\nNow with a heading.\n");
	opex_test_repo_remove(repo, "articles/bad.md");
	opex_test_repo_put(repo, "articles/c.md", "---\ntitle: C\nowner: ana\n---\nc\n");
	opex_test_repo_commit(repo, "Ana", "ana@x.io", T0 + 60, "two", NULL);
	opex_diag_list_release(&diags);
	hb = load(repo, true, &diags);
	ck_assert_uint_eq(opex_kb_handbook_parsed(hb), 2); /* b and c */
	ck_assert_str_eq(opex_kb_handbook_find(hb, "articles/b.md")->title, "B");
	ck_assert_ptr_null(opex_kb_handbook_find(hb, "articles/bad.md"));
	opex_kb_handbook_free(hb);
	opex_diag_list_release(&diags);
	hb = load(repo, true, &diags);
	ck_assert_uint_eq(opex_kb_handbook_parsed(hb), 0);
	opex_kb_handbook_free(hb);
	opex_diag_list_release(&diags);
	opex_test_repo_free(repo);
}
END_TEST

/* Past TAKE_IN_PARALLEL (handbook.c) the cached articles are taken on two
 * threads: the same articles, and the same findings once sorted. */
START_TEST(kb_article_cache__large_handbook_same_as_parsing)
{
	opex_test_repo *repo = opex_test_repo_new(false);
	opex_diag_list d[3] = { OPEX_DIAG_LIST_INIT, OPEX_DIAG_LIST_INIT,
		OPEX_DIAG_LIST_INIT };
	opex_buf text[3] = { OPEX_BUF_INIT(1 << 24), OPEX_BUF_INIT(1 << 24),
		OPEX_BUF_INIT(1 << 24) };
	opex_kb_handbook *hb;
	char path[64], body[160], odd[32];
	unsigned i, bad = 0;

	opex_test_repo_put(repo, "people.yaml", roster);
	for (i = 0; i < 2600; i++) {
		snprintf(path, sizeof(path), "articles/t%u/a%04u.md", i % 7, i);
		if (i % 97 == 0) {   /* no article: parsed on every load */
			snprintf(body, sizeof(body), "---\ntitle: [\n---\n%u\n", i);
			bad++;
		} else {   /* findings that differ by article */
			snprintf(odd, sizeof(odd), i % 11 ? "" : "colour%u: red\n", i);
			snprintf(body, sizeof(body), "---\ntitle: A %u\nowner: %s\n%s---\n"
				"Text %u, see [b](a%04u.md).\n", i, i % 5 ? "ana" : "ghost",
				odd, i, (i * 31) % 2600);
		}
		opex_test_repo_put(repo, path, body);
	}
	opex_test_repo_commit(repo, "Ana", "ana@x.io", T0, "many", NULL);
	opex_kb_handbook_free(load(repo, true, &d[1]));   /* writes the cache */
	opex_diag_list_release(&d[1]);
	for (i = 0; i < 3; i++) {
		hb = load(repo, i > 0, &d[i]);
		ck_assert_uint_eq(opex_kb_handbook_article_count(hb), 2600 - bad);
		ck_assert_uint_eq(opex_kb_handbook_parsed(hb), i > 0 ? bad : 2600);
		opex_diag_sort(&d[i]);
		describe(&text[i], hb, &d[i]);
		opex_kb_handbook_free(hb);
		ck_assert(!text[i].failed);
	}
	ck_assert_ptr_nonnull(strstr(text[2].ptr, "unknown field 'colour2541'"));
	ck_assert_str_eq(text[1].ptr, text[0].ptr);
	ck_assert_str_eq(text[2].ptr, text[0].ptr);
	/* 100 changed: taken in parallel, the rest parsed, the file rewritten
	 * with each article's findings; the next load reads them back. */
	for (i = 1; i <= 100; i++) {
		snprintf(path, sizeof(path), "articles/t%u/a%04u.md", (i * 13) % 7, i * 13);
		snprintf(body, sizeof(body), "---\ntitle: B %u\nowner: ghost\nshade%u: 1\n---\nNew.\n", i, i);
		opex_test_repo_put(repo, path, body);
	}
	opex_test_repo_commit(repo, "Ana", "ana@x.io", T0 + 60, "hundred", NULL);
	for (i = 0; i < 3; i++) {
		opex_diag_list_release(&d[i]);
		opex_buf_clear(&text[i]);
		hb = load(repo, i > 0, &d[i]);
		opex_diag_sort(&d[i]);
		describe(&text[i], hb, &d[i]);
		if (i == 2)
			ck_assert_uint_eq(opex_kb_handbook_parsed(hb), bad - 1);
		opex_kb_handbook_free(hb);
	}
	ck_assert_ptr_nonnull(strstr(text[2].ptr, "unknown field 'shade99'"));
	ck_assert_str_eq(text[1].ptr, text[0].ptr);
	ck_assert_str_eq(text[2].ptr, text[0].ptr);
	for (i = 0; i < 3; i++) {
		opex_buf_release(&text[i]);
		opex_diag_list_release(&d[i]);
	}
	opex_test_repo_free(repo);
}
END_TEST

/* A commit of a few articles in a large handbook costs their parse, not a
 * rewrite of the whole file; past one in 64 the file is rewritten. */
START_TEST(kb_article_cache__few_misses_keep_the_file)
{
	opex_test_repo *repo = opex_test_repo_new(false);
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_kb_handbook *hb;
	char path[64], text[128];
	unsigned i;

	opex_test_repo_put(repo, "people.yaml",
		"people:\n  - id: ana\n    name: Ana\n    email: ana@x.io\n");
	for (i = 0; i < 200; i++) {
		snprintf(path, sizeof(path), "articles/a%03u.md", i);
		snprintf(text, sizeof(text), "---\ntitle: A %u\nowner: ana\n---\nText %u.\n", i, i);
		opex_test_repo_put(repo, path, text);
	}
	opex_test_repo_commit(repo, "Ana", "ana@x.io", T0, "many", NULL);
	opex_kb_handbook_free(load(repo, true, &diags));
	opex_test_repo_put(repo, "articles/a007.md", "---\ntitle: Seven\nowner: ana\n---\nNew.\n");
	opex_test_repo_commit(repo, "Ana", "ana@x.io", T0 + 60, "one", NULL);
	for (i = 0; i < 2; i++) {   /* the file still holds the old a007 */
		hb = load(repo, true, &diags);
		ck_assert_uint_eq(opex_kb_handbook_parsed(hb), 1);
		ck_assert_str_eq(opex_kb_handbook_find(hb, "articles/a007.md")->title, "Seven");
		opex_kb_handbook_free(hb);
	}
	for (i = 10; i < 14; i++) {
		snprintf(path, sizeof(path), "articles/a%03u.md", i);
		opex_test_repo_put(repo, path, "---\ntitle: Changed\nowner: ana\n---\nNew.\n");
	}
	opex_test_repo_commit(repo, "Ana", "ana@x.io", T0 + 120, "four", NULL);
	hb = load(repo, true, &diags);
	ck_assert_uint_eq(opex_kb_handbook_parsed(hb), 5);   /* 5 of 200: rewritten */
	opex_kb_handbook_free(hb);
	hb = load(repo, true, &diags);
	ck_assert_uint_eq(opex_kb_handbook_parsed(hb), 0);
	ck_assert_str_eq(opex_kb_handbook_find(hb, "articles/a012.md")->title, "Changed");
	opex_kb_handbook_free(hb);
	opex_diag_list_release(&diags);
	opex_test_repo_free(repo);
}
END_TEST

/* Every damage of the file is a miss: the load parses and answers the same. */
START_TEST(kb_article_cache__damaged_cache_is_not_trusted)
{
	opex_test_repo *repo = sample_repo();
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_buf good = OPEX_BUF_INIT(1 << 24), plain = OPEX_BUF_INIT(1 << 20),
		got = OPEX_BUF_INIT(1 << 20), bad = OPEX_BUF_INIT(1 << 24);
	opex_error err = OPEX_ERROR_INIT;
	char *file = cache_file(repo);
	opex_kb_handbook *hb;
	size_t pos, step;

	hb = load(repo, false, &diags);
	describe(&plain, hb, &diags);
	opex_kb_handbook_free(hb);
	opex_diag_list_release(&diags);
	opex_kb_handbook_free(load(repo, true, &diags));
	opex_diag_list_release(&diags);
	ck_assert_int_eq(opex_file_read(&good, file, &err), 0);
	step = good.len / 97 + 1;
	for (pos = 0; pos <= good.len; pos += step) {
		bool truncate = (pos / step) % 3 == 0;

		opex_buf_clear(&bad);
		opex_buf_put(&bad, good.ptr, truncate ? pos : good.len);
		if (!truncate && pos < good.len)
			bad.ptr[pos] ^= 0x5a;
		ck_assert_int_eq(opex_file_replace(file, bad.ptr, bad.len, &err), 0);
		hb = load(repo, true, &diags);
		opex_buf_clear(&got);
		describe(&got, hb, &diags);
		ck_assert_msg(strcmp(got.ptr, plain.ptr) == 0,
			"damage at byte %zu (%s) changed the load", pos,
			truncate ? "truncated" : "flipped");
		opex_kb_handbook_free(hb);
		opex_diag_list_release(&diags);
	}
	/* a foreign file */
	ck_assert_int_eq(opex_file_replace(file, "not a cache\n", 12, &err), 0);
	hb = load(repo, true, &diags);
	ck_assert_uint_eq(opex_kb_handbook_parsed(hb), 5);
	opex_kb_handbook_free(hb);
	opex_diag_list_release(&diags);
	free(file);
	opex_buf_release(&good);
	opex_buf_release(&bad);
	opex_buf_release(&plain);
	opex_buf_release(&got);
	opex_test_repo_free(repo);
}
END_TEST

Suite *suite_article_cache(void)
{
	Suite *s = suite_create("kb_article_cache");
	TCase *tc = tcase_create("article_cache");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, kb_article_cache__same_as_parsing);
	tcase_add_test(tc, kb_article_cache__only_changed_blobs_are_parsed);
	tcase_add_test(tc, kb_article_cache__few_misses_keep_the_file);
	tcase_add_test(tc, kb_article_cache__large_handbook_same_as_parsing);
	tcase_add_test(tc, kb_article_cache__damaged_cache_is_not_trusted);
	suite_add_tcase(s, tc);
	return s;
}

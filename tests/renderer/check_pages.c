/* check_pages.c: the bounds of the home and health pages (renderer/pages.c). */
#include "renderer/renderer.h"
#include "core/buf.h"
#include "core/limits.h"
#include "core/memory.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

#include "core/banned.h"

static size_t occurrences(const char *s, const char *what)
{
	size_t n = 0;

	while ((s = strstr(s, what)) != NULL) {
		n++;
		s += strlen(what);
	}
	return n;
}

START_TEST(renderer_pages__home_lists_all_when_it_fits)
{
	opex_buf out = OPEX_BUF_INIT(OPEX_LIMIT_RENDER_BYTES);
	opex_kb_article a[3];
	const opex_kb_article *list[3];
	char paths[3][32];
	size_t i;

	memset(a, 0, sizeof(a));
	for (i = 0; i < 3; i++) {
		snprintf(paths[i], sizeof(paths[i]), "articles/a%zu.md", i);
		a[i].path = paths[i];
		list[i] = &a[i];
	}
	opex_render_page_home(&out, "", NULL, list, 3, 3, NULL, NULL);
	ck_assert(!out.failed);
	ck_assert_uint_eq(occurrences(out.ptr, "<li>"), 3);
	ck_assert_ptr_nonnull(strstr(out.ptr, "<h2>Articles</h2>"));
	ck_assert_ptr_null(strstr(out.ptr, "more"));
	opex_buf_release(&out);
}
END_TEST

START_TEST(renderer_pages__home_says_how_many_more)
{
	opex_buf out = OPEX_BUF_INIT(OPEX_LIMIT_RENDER_BYTES);
	opex_kb_article a[OPEX_RENDER_HOME_ARTICLES];
	const opex_kb_article *list[OPEX_RENDER_HOME_ARTICLES];
	char path[] = "articles/a.md";
	size_t i;

	memset(a, 0, sizeof(a));
	for (i = 0; i < OPEX_RENDER_HOME_ARTICLES; i++) {
		a[i].path = path;
		list[i] = &a[i];
	}
	opex_render_page_home(&out, "", NULL, list, OPEX_RENDER_HOME_ARTICLES,
		100000, NULL, NULL);
	ck_assert(!out.failed);
	ck_assert_uint_eq(occurrences(out.ptr, "<li>"), OPEX_RENDER_HOME_ARTICLES);
	ck_assert_ptr_nonnull(strstr(out.ptr, "<h2>Recently changed</h2>"));
	ck_assert_ptr_nonnull(strstr(out.ptr, "and 99,950 more: "));
	opex_buf_release(&out);
}
END_TEST

/* 100,000 problems and 1,000 searches: two cut tables, exact totals. */
START_TEST(renderer_pages__health_cuts_each_table_keeps_totals)
{
	opex_buf out = OPEX_BUF_INIT(OPEX_LIMIT_RENDER_BYTES);
	opex_render_health h;
	size_t n = 100000, nmiss = 1000, i;
	opex_render_health_row *rows = opex_calloc(n, sizeof(*rows));
	const char **misses = opex_calloc(nmiss, sizeof(*misses));
	size_t *counts = opex_calloc(nmiss, sizeof(*counts));
	char first[] = "articles/first.md", other[] = "articles/other.md";

	for (i = 0; i < n; i++) {
		rows[i].kind = i < 70000 ? "stale" : i < 99999 ? "orphan-article"
			: "outdated";
		rows[i].path = i == 0 ? first : other;
		rows[i].href = rows[i].path;
	}
	for (i = 0; i < nmiss; i++) {
		misses[i] = "nothing";
		counts[i] = 1;
	}
	memset(&h, 0, sizeof(h));
	h.rows = rows;
	h.count = n;
	h.articles = 123456;
	h.errors = 2;
	h.warnings = 100000;
	h.sort = "kind";
	h.misses = misses;
	h.miss_counts = counts;
	h.miss_count = nmiss;
	opex_render_page_health(&out, &h);
	ck_assert(!out.failed);
	ck_assert_uint_lt(out.len, 256 * 1024);
	ck_assert_uint_eq(occurrences(out.ptr, "<tr><td><span class=\"badge\">"),
		OPEX_RENDER_HEALTH_ROWS);
	ck_assert_uint_eq(occurrences(out.ptr, "<tr><td>nothing</td>"),
		OPEX_RENDER_HEALTH_ROWS);
	/* the first rows, in the given order, then the rest counted */
	ck_assert_ptr_nonnull(strstr(out.ptr, first));
	ck_assert_ptr_nonnull(strstr(out.ptr, "and 99,800 more problems"));
	ck_assert_ptr_nonnull(strstr(out.ptr, "and 800 more searches"));
	ck_assert_ptr_nonnull(strstr(out.ptr, "123,456 articles"));
	ck_assert_ptr_nonnull(strstr(out.ptr, "100,000 warnings"));
	ck_assert_ptr_nonnull(strstr(out.ptr, "<span>70,000 stale</span> "
		"<span>29,999 orphan-article</span> <span>1 outdated</span>"));
	opex_buf_release(&out);
	opex_free(rows);
	opex_free(misses);
	opex_free(counts);
}
END_TEST

START_TEST(renderer_pages__health_small_is_whole)
{
	opex_buf out = OPEX_BUF_INIT(OPEX_LIMIT_RENDER_BYTES);
	opex_render_health h;
	opex_render_health_row row;
	char path[] = "articles/a.md";

	memset(&row, 0, sizeof(row));
	row.kind = "stale";
	row.path = path;
	memset(&h, 0, sizeof(h));
	h.rows = &row;
	h.count = 1;
	h.articles = 1;
	opex_render_page_health(&out, &h);
	ck_assert(!out.failed);
	ck_assert_ptr_nonnull(strstr(out.ptr, "<span>1 stale</span>"));
	ck_assert_ptr_null(strstr(out.ptr, "more"));
	opex_buf_release(&out);
}
END_TEST

Suite *suite_pages(void)
{
	Suite *s = suite_create("renderer_pages");
	TCase *home = tcase_create("opex_render_page_home");
	TCase *health = tcase_create("opex_render_page_health");

	tcase_add_test(home, renderer_pages__home_lists_all_when_it_fits);
	tcase_add_test(home, renderer_pages__home_says_how_many_more);
	suite_add_tcase(s, home);
	tcase_add_test(health, renderer_pages__health_cuts_each_table_keeps_totals);
	tcase_add_test(health, renderer_pages__health_small_is_whole);
	suite_add_tcase(s, health);
	return s;
}

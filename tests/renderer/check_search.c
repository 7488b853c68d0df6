/* check_search.c: search results as text and JSON (renderer/search.c). */
#include "renderer/renderer.h"
#include "core/buf.h"
#include "core/limits.h"
#include "core/memory.h"

#include <check.h>
#include <string.h>

#include "core/banned.h"

static char path[] = "articles/cards/lost-card.md", title[] = "Lost \x1b[31mcard",
	en[] = "en", ana[] = "ana", section[] = "Refunds",
	snippet[] = "A <mark>refund</mark> of the &lt;fees&gt;",
	suggestion[] = "refund";

static void fill(opex_search_result *r, opex_search_hit *hit,
	opex_search_facet *facet)
{
	memset(r, 0, sizeof(*r));
	memset(hit, 0, sizeof(*hit));
	hit->path = path;
	hit->title = title;
	hit->language = en;
	hit->owner = ana;
	hit->section = section;
	hit->snippet = snippet;
	hit->stale = true;
	hit->score = -2.5;
	facet->value = en;
	facet->count = 3;
	r->hits = hit;
	r->hit_count = 1;
	r->total = 3;
	r->languages = facet;
	r->language_count = 1;
	memcpy(r->revision, "0123456789012345678901234567890123456789", 41);
}

START_TEST(renderer_search__text)
{
	opex_buf out = OPEX_BUF_INIT(OPEX_LIMIT_RENDER_BYTES);
	opex_search_result r;
	opex_search_hit hit;
	opex_search_facet facet;

	fill(&r, &hit, &facet);
	opex_render_search_text(&out, &r, 4);
	ck_assert_msg(strstr(out.ptr, "5. Lost  [31mcard  [stale]\n") != NULL,
		"%s", out.ptr);
	ck_assert(strstr(out.ptr, "articles/cards/lost-card.md  en  ana  "
		"\xC2\xA7 Refunds\n") != NULL);
	ck_assert(strstr(out.ptr, "5-5 of 3 results at 0123456789") != NULL);
	ck_assert(strstr(out.ptr, "  language: en (3)\n") != NULL);
	ck_assert_ptr_null(strchr(out.ptr, '\x1b'));

	/* A total the count stopped at reads as a lower bound. */
	opex_buf_clear(&out);
	r.total = 10000;
	r.total_capped = true;
	opex_render_search_text(&out, &r, 4);
	ck_assert_msg(strstr(out.ptr, "5-5 of 10,000+ results at") != NULL, "%s",
		out.ptr);

	opex_buf_clear(&out);
	r.total_capped = false;
	r.hit_count = 0;
	r.total = 0;
	r.suggestion = suggestion;
	opex_render_search_text(&out, &r, 0);
	ck_assert_str_eq(out.ptr, "no results\ndid you mean: refund\n");
	opex_buf_release(&out);
}
END_TEST

START_TEST(renderer_search__json)
{
	opex_buf out = OPEX_BUF_INIT(OPEX_LIMIT_RENDER_BYTES);
	opex_error err = OPEX_ERROR_INIT;
	opex_search_result r;
	opex_search_hit hit;
	opex_search_facet facet;

	fill(&r, &hit, &facet);
	ck_assert_int_eq(opex_render_search_json(&out, &r, NULL, "refund", 0, 10,
		&err), 0);
	ck_assert(strstr(out.ptr, "\"query\": \"refund\"") != NULL);
	ck_assert(strstr(out.ptr, "\"total\": 3") != NULL);
	ck_assert(strstr(out.ptr, "\"total_exact\": true") != NULL);
	ck_assert(strstr(out.ptr, "\"section\": \"Refunds\"") != NULL);
	ck_assert(strstr(out.ptr, "\"stale\": true") != NULL);
	ck_assert(strstr(out.ptr,
		"\"snippet\": \"A <mark>refund</mark> of the &lt;fees&gt;\"") != NULL);
	ck_assert(strstr(out.ptr, "\"title\": \"Lost \\u001B[31mcard\"") != NULL);
	ck_assert(strstr(out.ptr, "\"suggestion\": null") != NULL);
	ck_assert(strstr(out.ptr, "\"warnings\": []") != NULL);
	opex_buf_release(&out);
}
END_TEST

Suite *suite_search(void)
{
	Suite *s = suite_create("renderer_search");
	TCase *tc = tcase_create("output");

	tcase_add_test(tc, renderer_search__text);
	tcase_add_test(tc, renderer_search__json);
	suite_add_tcase(s, tc);
	return s;
}

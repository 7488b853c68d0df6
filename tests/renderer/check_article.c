/*
 * check_article.c: HTML escaping (renderer/html.c) and article HTML
 * (renderer/article.c), with golden files: tests/renderer/golden/NAME.md is
 * parsed as an article and rendered; the result must equal NAME.html. Set
 * OPEX_UPDATE_GOLDEN=1 to rewrite the .html files after a deliberate change.
 */
#define _POSIX_C_SOURCE 200809L
#include "renderer/renderer.h"
#include "core/buf.h"
#include "core/limits.h"
#include "core/memory.h"

#include "support/test_util.h"

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

static const struct {
	const char *in, *out;
} escapes[] = {
	{ "", "" },
	{ "plain text", "plain text" },
	{ "a & b", "a &amp; b" },
	{ "<script>", "&lt;script&gt;" },
	{ "\"double\" 'single'", "&quot;double&quot; &#39;single&#39;" },
	{ "&amp;", "&amp;amp;" },
	{ "caf\xC3\xA9 \xE2\x86\x92 ok", "caf\xC3\xA9 \xE2\x86\x92 ok" },
	{ "<<>>", "&lt;&lt;&gt;&gt;" },
	{ "tail&", "tail&amp;" },
};

START_TEST(renderer_html__escape)
{
	opex_buf out = OPEX_BUF_INIT(1024);

	opex_buf_puts(&out, "[");
	opex_html_escape(&out, escapes[_i].in, strlen(escapes[_i].in));
	opex_buf_puts(&out, "]");
	ck_assert(!out.failed);
	ck_assert_int_eq(strncmp(out.ptr, "[", 1), 0);
	ck_assert_uint_eq(out.len, strlen(escapes[_i].out) + 2);
	ck_assert_int_eq(memcmp(out.ptr + 1, escapes[_i].out, out.len - 2), 0);
	opex_buf_release(&out);
}
END_TEST

START_TEST(renderer_html__escape_keeps_nul_and_length)
{
	opex_buf out = OPEX_BUF_INIT(64);

	opex_html_escape(&out, "a\0<", 3);
	ck_assert_uint_eq(out.len, 6);
	ck_assert_int_eq(memcmp(out.ptr, "a\0&lt;", 6), 0);
	opex_buf_release(&out);
}
END_TEST

static opex_kb_article *article_of(const char *text)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_kb_article *a = opex_kb_article_parse("articles/x.md", text,
		strlen(text), &diags);

	ck_assert_ptr_nonnull(a);
	opex_diag_list_release(&diags);
	return a;
}

START_TEST(renderer_article__layout)
{
	opex_kb_article *a = article_of("---\ntitle: T\nlanguage: en\n---\nBody.\n");
	opex_buf out = OPEX_BUF_INIT(OPEX_LIMIT_RENDER_BYTES);

	ck_assert_int_eq(opex_render_article_html(&out, a, NULL), 0);
	ck_assert_str_eq(out.ptr,
		"<article class=\"opex-article\" lang=\"en\">\n"
		"<h1>T</h1>\n"
		"<p>Body.</p>\n"
		"</article>\n");
	opex_buf_release(&out);
	opex_kb_article_free(a);
}
END_TEST

START_TEST(renderer_article__title_is_escaped)
{
	opex_kb_article *a = article_of(
		"---\ntitle: \"<script>alert('x')</script>\"\nlanguage: 'en\" onload=\"x'\n---\n");
	opex_buf out = OPEX_BUF_INIT(OPEX_LIMIT_RENDER_BYTES);

	ck_assert_int_eq(opex_render_article_html(&out, a, NULL), 0);
	ck_assert_ptr_null(strstr(out.ptr, "<script"));
	ck_assert_ptr_nonnull(strstr(out.ptr,
		"<h1>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</h1>"));
	ck_assert_ptr_nonnull(strstr(out.ptr, "lang=\"en&quot; onload=&quot;x\""));
	opex_buf_release(&out);
	opex_kb_article_free(a);
}
END_TEST

START_TEST(renderer_article__body_is_safe)
{
	opex_kb_article *a = article_of(
		"---\ntitle: t\n---\n<script>alert(1)</script>\n\n"
		"[x](javascript:alert(1)) <img src=x onerror=alert(1)>\n");
	opex_buf out = OPEX_BUF_INIT(OPEX_LIMIT_RENDER_BYTES);

	ck_assert_int_eq(opex_render_article_html(&out, a, NULL), 0);
	ck_assert_ptr_null(strstr(out.ptr, "<script"));
	ck_assert_ptr_null(strstr(out.ptr, "javascript:"));
	ck_assert_ptr_null(strstr(out.ptr, "onerror"));
	opex_buf_release(&out);
	opex_kb_article_free(a);
}
END_TEST

START_TEST(renderer_article__too_big)
{
	opex_kb_article *a = article_of("---\ntitle: T\n---\nA body longer than the limit.\n");
	opex_buf out = OPEX_BUF_INIT(48);
	opex_error err = OPEX_ERROR_INIT;

	ck_assert_int_eq(opex_render_article_html(&out, a, &err), OPEX_ETOOBIG);
	ck_assert(out.failed);
	opex_buf_release(&out);
	opex_kb_article_free(a);
}
END_TEST

START_TEST(renderer_article__bare_struct)
{
	opex_kb_article a;
	opex_buf out = OPEX_BUF_INIT(1024);

	memset(&a, 0, sizeof(a));
	ck_assert_int_eq(opex_render_article_html(&out, &a, NULL), 0);
	ck_assert_str_eq(out.ptr, "<article class=\"opex-article\">\n</article>\n");
	opex_buf_release(&out);
}
END_TEST

static char *read_all(const char *path, size_t *len)
{
	opex_buf b = OPEX_BUF_INIT(OPEX_LIMIT_FILE_BYTES);
	char chunk[4096];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL)
		return NULL;
	for (;;) {
		n = fread(chunk, 1, sizeof(chunk), f);
		if (n == 0)
			break;
		opex_buf_put(&b, chunk, n);
	}
	fclose(f);
	ck_assert(!b.failed);
	return opex_buf_detach(&b, len);
}

static void check_golden(const char *name)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_buf out = OPEX_BUF_INIT(OPEX_LIMIT_RENDER_BYTES);
	opex_error err = OPEX_ERROR_INIT;
	char rel[512], *md_path, *html_path, *md, *want;
	size_t md_len = 0, want_len = 0;
	opex_kb_article *a;
	const char *update = getenv("OPEX_UPDATE_GOLDEN");

	snprintf(rel, sizeof(rel), "tests/renderer/golden/%s.md", name);
	md_path = opex_test_source_path(rel);
	snprintf(rel, sizeof(rel), "tests/renderer/golden/%s.html", name);
	html_path = opex_test_source_path(rel);
	md = read_all(md_path, &md_len);
	ck_assert_ptr_nonnull(md);
	snprintf(rel, sizeof(rel), "articles/golden/%s.md", name);
	a = opex_kb_article_parse(rel, md, md_len, &diags);
	ck_assert_msg(a != NULL, "golden '%s' does not parse", name);
	ck_assert_int_eq(opex_render_article_html(&out, a, &err), 0);
	if (update && *update) {
		FILE *f = fopen(html_path, "wb");

		ck_assert_ptr_nonnull(f);
		fwrite(out.ptr, 1, out.len, f);
		fclose(f);
	}
	want = read_all(html_path, &want_len);
	ck_assert_msg(want != NULL, "golden '%s.html' is missing", name);
	ck_assert_msg(want_len == out.len && memcmp(want, out.ptr, out.len) == 0,
		"golden '%s' differs; got:\n%s", name, out.ptr);
	opex_free(want);
	opex_kb_article_free(a);
	opex_buf_release(&out);
	opex_free(md);
	opex_free(md_path);
	opex_free(html_path);
	opex_diag_list_release(&diags);
}

START_TEST(renderer_article__golden_files)
{
	char *dir_path = opex_test_source_path("tests/renderer/golden");
	DIR *dir = opendir(dir_path);
	struct dirent *ent;
	size_t checked = 0;

	ck_assert_ptr_nonnull(dir);
	for (;;) {
		char name[256];
		size_t n;

		ent = readdir(dir);
		if (ent == NULL)
			break;
		n = strlen(ent->d_name);
		if (n < 4 || n >= sizeof(name) ||
		    strcmp(ent->d_name + n - 3, ".md") != 0)
			continue;
		memcpy(name, ent->d_name, n - 3);
		name[n - 3] = '\0';
		check_golden(name);
		checked++;
	}
	closedir(dir);
	opex_free(dir_path);
	ck_assert_uint_ge(checked, 5);
}
END_TEST

Suite *suite_article(void)
{
	Suite *s = suite_create("renderer_article");
	TCase *html = tcase_create("opex_html_escape");
	TCase *tc = tcase_create("opex_render_article_html");

	tcase_add_loop_test(html, renderer_html__escape, 0,
		(int)(sizeof(escapes) / sizeof(escapes[0])));
	tcase_add_test(html, renderer_html__escape_keeps_nul_and_length);
	tcase_add_test(tc, renderer_article__layout);
	tcase_add_test(tc, renderer_article__title_is_escaped);
	tcase_add_test(tc, renderer_article__body_is_safe);
	tcase_add_test(tc, renderer_article__too_big);
	tcase_add_test(tc, renderer_article__bare_struct);
	tcase_add_test(tc, renderer_article__golden_files);
	suite_add_tcase(s, html);
	suite_add_tcase(s, tc);
	return s;
}

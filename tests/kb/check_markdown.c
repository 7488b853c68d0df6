/* check_markdown.c: the cmark-gfm adapter (kb/markdown.c). */
#include "kb/kb_int.h"
#include "core/buf.h"
#include "core/limits.h"
#include "core/memory.h"

#include <check.h>
#include <string.h>

#include "core/banned.h"

static char *repeat(const char *unit, size_t times, const char *tail);

static char *html_of(const char *md)
{
	opex_buf out = OPEX_BUF_INIT(OPEX_LIMIT_RENDER_BYTES);
	opex_error err = OPEX_ERROR_INIT;
	int rc = opex_kb_markdown_to_html(&out, md, strlen(md), &err);

	ck_assert_msg(rc == 0, "render failed: %s", err.message);
	return opex_buf_detach(&out, NULL);
}

START_TEST(kb_markdown__renders_commonmark)
{
	char *html = html_of("# Title\n\nSome *text* and [a link](b.md).\n");

	ck_assert_str_eq(html,
		"<h1>Title</h1>\n"
		"<p>Some <em>text</em> and <a href=\"b.md\">a link</a>.</p>\n");
	opex_free(html);
}
END_TEST

/*
 * The safety table in kb/markdown.c, against the installed cmark: input,
 * text that must appear, text that must not.
 */
static const struct {
	const char *md;
	const char *present;
	const char *absent;
} safety[] = {
	{ "<script>alert(1)</script>\n", "<!-- raw HTML omitted -->", "<script" },
	{ "hi <b onclick=\"x()\">there</b>\n", "raw HTML omitted", "onclick" },
	{ "<iframe src=\"https://evil.example\"></iframe>\n", "omitted", "<iframe" },
	{ "[x](javascript:alert(1))\n", "<a href=\"\">x</a>", "javascript" },
	{ "[x](JavaScript:alert(1))\n", "<a href=\"\">", "alert" },
	{ "[x](vbscript:msgbox)\n", "<a href=\"\">", "vbscript" },
	{ "[x](file:///etc/passwd)\n", "<a href=\"\">", "passwd" },
	{ "[x](data:text/html;base64,PHNjcmlwdD4=)\n", "<a href=\"\">", "data:" },
	{ "![i](data:image/svg+xml;base64,PHN2Zz4=)\n", "src=\"\"", "svg" },
	{ "![i](data:image/png;base64,iVBORw0=)\n",
	  "src=\"data:image/png;base64,iVBORw0=\"", "<script" },
	{ "![i](data:image/gif;base64,R0lG)\n", "src=\"data:image/gif", "<script" },
	{ "![i](data:image/jpeg;base64,AAAA)\n", "src=\"data:image/jpeg", "<script" },
	{ "![i](data:image/webp;base64,AAAA)\n", "src=\"data:image/webp", "<script" },
	{ "<javascript:alert(1)>\n", "<a href=\"\">", "href=\"javascript" },
	{ "[x](<java\nscript:alert(1)>)\n", "", "href=\"javascript" },
	{ "[x](https://example.com/?a=\"><script>)\n", "%22%3E%3Cscript%3E",
	  "<script" },
	{ "`<script>`\n", "<code>&lt;script&gt;</code>", "<script" },
	/* The GFM extensions keep the same rules. */
	{ "| a |\n|---|\n| <script>x</script> |\n", "<td>", "<script" },
	{ "| a |\n|---|\n| [x](javascript:alert(1)) |\n", "<a href=\"\">x</a>",
	  "javascript" },
	{ "~~<img src=x onerror=y>~~\n", "<del>", "onerror" },
	{ "- [ ] <b onclick=\"x()\">t</b>\n", "type=\"checkbox\"", "onclick" },
	{ "www.example.com/<script>\n", "href=\"http://www.example.com/\"", "<script" },
	{ "javascript:alert(1)\n", "javascript:alert(1)", "href=\"javascript" },
};

START_TEST(kb_markdown__safe_by_default)
{
	char *html = html_of(safety[_i].md);

	ck_assert_msg(strstr(html, safety[_i].present) != NULL,
		"case %d: '%s' lacks '%s'", _i, html, safety[_i].present);
	ck_assert_msg(strstr(html, safety[_i].absent) == NULL,
		"case %d: '%s' has '%s'", _i, html, safety[_i].absent);
	opex_free(html);
}
END_TEST

/* What GitHub-flavoured Markdown adds, as an agent sees it. */
static const struct {
	const char *md, *html;
} gfm[] = {
	{ "| Situation | Action |\n|---|:---:|\n| Has the app | Offer the *virtual* card |\n",
	  "<table>\n<thead>\n<tr>\n<th>Situation</th>\n<th align=\"center\">Action</th>\n"
	  "</tr>\n</thead>\n<tbody>\n<tr>\n<td>Has the app</td>\n"
	  "<td align=\"center\">Offer the <em>virtual</em> card</td>\n</tr>\n</tbody>\n</table>\n" },
	{ "Fee ~~waived~~ charged.\n", "<p>Fee <del>waived</del> charged.</p>\n" },
	{ "See www.example.com and https://example.org/x.\n",
	  "<p>See <a href=\"http://www.example.com\">www.example.com</a> and "
	  "<a href=\"https://example.org/x\">https://example.org/x</a>.</p>\n" },
	{ "- [x] Freeze the card\n- [ ] Order a new one\n",
	  "<ul>\n<li><input type=\"checkbox\" checked=\"\" disabled=\"\" /> Freeze the card</li>\n"
	  "<li><input type=\"checkbox\" disabled=\"\" /> Order a new one</li>\n</ul>\n" },
};

START_TEST(kb_markdown__github_flavoured)
{
	char *html = html_of(gfm[_i].md);

	ck_assert_str_eq(html, gfm[_i].html);
	opex_free(html);
}
END_TEST

/* Search text reads a table cell by cell, a row per line, never as pipes. */
START_TEST(kb_markdown__plain_text_of_a_table)
{
	const char *md = "Before.\n\n| Situation | Action |\n|---|---|\n"
		"| Has the app | Offer the virtual card |\n| No app | Send a PIN letter |\n\nAfter.\n";
	opex_kb_md_text t;
	opex_error err = OPEX_ERROR_INIT;

	opex_kb_md_text_init(&t, OPEX_LIMIT_RENDER_BYTES);
	ck_assert_int_eq(opex_kb_markdown_plain(&t, md, strlen(md), &err), 0);
	ck_assert_ptr_null(strchr(t.text.ptr, '|'));
	ck_assert_ptr_nonnull(strstr(t.text.ptr, "Situation Action"));
	ck_assert_ptr_nonnull(strstr(t.text.ptr, "Has the app Offer the virtual card"));
	ck_assert_ptr_nonnull(strstr(t.text.ptr, "No app Send a PIN letter"));
	ck_assert_ptr_nonnull(strstr(t.text.ptr, "Before."));
	ck_assert_ptr_nonnull(strstr(t.text.ptr, "After."));
	/* Rows do not run into each other. */
	ck_assert_ptr_null(strstr(t.text.ptr, "card No app"));
	opex_kb_md_text_release(&t);
}
END_TEST

/* Wide and long tables, and many of them, complete in linear work. */
START_TEST(kb_markdown__pathological_tables_complete)
{
	char *wide = repeat("| a ", 5000, "|\n");
	char *delim = repeat("|---", 5000, "|\n");
	char *rows = repeat("| x |\n", 20000, "");
	char *many = repeat("| a |\n|---|\n\n", 5000, "");
	opex_buf md = OPEX_BUF_INIT(1 << 26);
	opex_buf out = OPEX_BUF_INIT(1 << 28);

	opex_buf_puts(&md, wide);
	opex_buf_puts(&md, delim);
	opex_buf_puts(&md, wide);
	opex_buf_puts(&md, "\n| h |\n|---|\n");
	opex_buf_puts(&md, rows);
	opex_buf_puts(&md, many);
	ck_assert(!md.failed);
	ck_assert_int_eq(opex_kb_markdown_to_html(&out, md.ptr, md.len, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out.ptr, "<table>"));
	opex_buf_release(&out);
	opex_buf_release(&md);
	opex_free(wide);
	opex_free(delim);
	opex_free(rows);
	opex_free(many);
}
END_TEST

START_TEST(kb_markdown__output_limit)
{
	opex_buf out = OPEX_BUF_INIT(16);
	opex_error err = OPEX_ERROR_INIT;
	const char *md = "a paragraph that renders longer than sixteen bytes\n";

	ck_assert_int_eq(opex_kb_markdown_to_html(&out, md, strlen(md), &err),
		OPEX_ETOOBIG);
	ck_assert(out.failed);
	ck_assert_ptr_nonnull(strstr(err.message, "larger than 16 bytes"));
	opex_buf_release(&out);
}
END_TEST

START_TEST(kb_markdown__appends)
{
	opex_buf out = OPEX_BUF_INIT(1024);

	opex_buf_puts(&out, "<div>");
	ck_assert_int_eq(opex_kb_markdown_to_html(&out, "x", 1, NULL), 0);
	ck_assert_str_eq(out.ptr, "<div><p>x</p>\n");
	opex_buf_release(&out);
}
END_TEST

static const struct {
	const char *md;
	const char *heading; /* NULL: none */
	unsigned line;
} headings[] = {
	{ "# Lost card\n", "Lost card", 1 },
	{ "intro\n\n## Second *level* `code`\n\n# Later\n",
	  "Second level code", 3 },
	{ "Setext title\n============\n", "Setext title", 1 },
	{ "Two line\nsetext\n---\n", "Two line setext", 1 },
	{ "#\n\n# [Linked](x.md) <b>bold</b>\n", "Linked bold", 3 },
	{ "no heading here\n", NULL, 0 },
	{ "    # in code\n", NULL, 0 },
	{ "", NULL, 0 },
	{ "\r\n\r\n# After CRLF\r\n", "After CRLF", 3 },
	{ "# <script>alert(1)</script>\n", "alert(1)", 1 },
};

START_TEST(kb_markdown__first_heading)
{
	opex_kb_md_scan scan;
	const char *md = headings[_i].md;

	opex_kb_markdown_scan(&scan, md, strlen(md));
	if (headings[_i].heading == NULL) {
		ck_assert_msg(scan.heading == NULL, "case %d: '%s'", _i,
			scan.heading);
	} else {
		ck_assert_ptr_nonnull(scan.heading);
		ck_assert_str_eq(scan.heading, headings[_i].heading);
	}
	ck_assert_uint_eq(scan.heading_line, headings[_i].line);
	opex_kb_markdown_scan_release(&scan);
	ck_assert_ptr_null(scan.heading);
}
END_TEST

START_TEST(kb_markdown__links_with_positions)
{
	const char *md =
		"# Title\n"                                   /* 1 */
		"\n"                                          /* 2 */
		"See [one](a.md) and [two](b.md#x) and\n"      /* 3 */
		"[again](a.md), ![pic](img/p.png).\n"          /* 4 */
		"\n"                                          /* 5 */
		"> quoted [far](../up.md)\n"                   /* 6 */
		"\n"                                          /* 7 */
		"- item <https://example.com>\n"               /* 8 */
		"- [ref][r]\n"                                 /* 9 */
		"\n"                                          /* 10 */
		"[r]: ref.md\n";                               /* 11 */
	static const struct {
		const char *target;
		unsigned line, col;
	} want[] = {
		{ "a.md", 3, 11 },
		{ "b.md#x", 3, 27 },
		{ "a.md", 4, 9 },
		{ "img/p.png", 4, 23 },
		{ "../up.md", 6, 16 },
		{ "https://example.com", 8, 9 },
		{ "ref.md", 9, 3 }, /* a reference: the block's start */
	};
	opex_kb_md_scan scan;
	size_t i;

	opex_kb_markdown_scan(&scan, md, strlen(md));
	ck_assert_uint_eq(scan.link_count, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < scan.link_count; i++) {
		ck_assert_str_eq(scan.links[i].target, want[i].target);
		ck_assert_msg(scan.links[i].line == want[i].line &&
			      scan.links[i].col == want[i].col,
			"link %zu '%s' at %u:%u, want %u:%u", i, want[i].target,
			scan.links[i].line, scan.links[i].col, want[i].line,
			want[i].col);
	}
	opex_kb_markdown_scan_release(&scan);
}
END_TEST

START_TEST(kb_markdown__link_lines_with_crlf_and_cr)
{
	const char *crlf = "a\r\n\r\nx\r\ny [l](t.md)\r\n";
	const char *cr = "a\r\rx\ry [l](t.md)\r";
	opex_kb_md_scan scan;

	opex_kb_markdown_scan(&scan, crlf, strlen(crlf));
	ck_assert_uint_eq(scan.link_count, 1);
	ck_assert_uint_eq(scan.links[0].line, 4);
	ck_assert_uint_eq(scan.links[0].col, 7);
	opex_kb_markdown_scan_release(&scan);
	opex_kb_markdown_scan(&scan, cr, strlen(cr));
	ck_assert_uint_eq(scan.link_count, 1);
	ck_assert_uint_eq(scan.links[0].line, 4);
	opex_kb_markdown_scan_release(&scan);
}
END_TEST

START_TEST(kb_markdown__empty_destinations_skipped)
{
	const char *md = "[empty]() and [x](<>) and [y](z.md)\n";
	opex_kb_md_scan scan;

	opex_kb_markdown_scan(&scan, md, strlen(md));
	ck_assert_uint_eq(scan.link_count, 1);
	ck_assert_str_eq(scan.links[0].target, "z.md");
	opex_kb_markdown_scan_release(&scan);
	opex_kb_markdown_scan(&scan, NULL, 0);
	ck_assert_uint_eq(scan.link_count, 0);
	opex_kb_markdown_scan_release(&scan);
}
END_TEST

static char *repeat(const char *unit, size_t times, const char *tail)
{
	opex_buf b = OPEX_BUF_INIT(64u * 1024u * 1024u);
	size_t i;

	for (i = 0; i < times; i++)
		opex_buf_puts(&b, unit);
	opex_buf_puts(&b, tail);
	ck_assert(!b.failed);
	return opex_buf_detach(&b, NULL);
}

/* cmark's pathological inputs, 10,000 deep: each must simply complete. */
START_TEST(kb_markdown__pathological_inputs_complete)
{
	static const struct {
		const char *unit, *tail;
	} cases[] = {
		{ ">", " deep\n" },
		{ "*", "a" },
		{ "_a ", "b" },
		{ "[", "a" },
		{ "- ", "x\n" },
		{ "*a **a ", "b" },
		{ "[a](", "b" },
		{ "<", "a" },
		{ "`a ", "`" },
		{ "![[]()", "x" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *md = repeat(cases[i].unit, 10000, cases[i].tail);
		opex_buf out = OPEX_BUF_INIT(OPEX_LIMIT_RENDER_BYTES);
		opex_kb_md_scan scan;

		ck_assert_int_eq(opex_kb_markdown_to_html(&out, md, strlen(md),
			NULL), 0);
		opex_kb_markdown_scan(&scan, md, strlen(md));
		opex_kb_markdown_scan_release(&scan);
		opex_buf_release(&out);
		opex_free(md);
	}
}
END_TEST

/* Many links in one huge paragraph whose targets never appear as written. */
START_TEST(kb_markdown__link_search_stays_linear)
{
	char *md = repeat("[a][r] ", 100000, "\n\n[r]: x&amp;y.md\n");
	opex_kb_md_scan scan;

	opex_kb_markdown_scan(&scan, md, strlen(md));
	ck_assert_uint_eq(scan.link_count, 100000);
	ck_assert_str_eq(scan.links[99999].target, "x&y.md");
	ck_assert_uint_eq(scan.links[99999].line, 1);
	opex_kb_markdown_scan_release(&scan);
	opex_free(md);
}
END_TEST

Suite *suite_markdown(void)
{
	Suite *s = suite_create("kb_markdown");
	TCase *html = tcase_create("opex_kb_markdown_to_html");
	TCase *scan = tcase_create("opex_kb_markdown_scan");

	tcase_add_test(html, kb_markdown__renders_commonmark);
	tcase_add_loop_test(html, kb_markdown__safe_by_default, 0,
		(int)(sizeof(safety) / sizeof(safety[0])));
	tcase_add_loop_test(html, kb_markdown__github_flavoured, 0,
		(int)(sizeof(gfm) / sizeof(gfm[0])));
	tcase_add_test(html, kb_markdown__plain_text_of_a_table);
	tcase_add_test(html, kb_markdown__pathological_tables_complete);
	tcase_add_test(html, kb_markdown__output_limit);
	tcase_add_test(html, kb_markdown__appends);
	tcase_add_test(html, kb_markdown__pathological_inputs_complete);
	tcase_set_timeout(html, 120);
	tcase_add_loop_test(scan, kb_markdown__first_heading, 0,
		(int)(sizeof(headings) / sizeof(headings[0])));
	tcase_add_test(scan, kb_markdown__links_with_positions);
	tcase_add_test(scan, kb_markdown__link_lines_with_crlf_and_cr);
	tcase_add_test(scan, kb_markdown__empty_destinations_skipped);
	tcase_add_test(scan, kb_markdown__link_search_stays_linear);
	tcase_set_timeout(scan, 120);
	suite_add_tcase(s, html);
	suite_add_tcase(s, scan);
	return s;
}

/*
 * check_flowchart.c: flowcharts are well-formed, deterministic, accessible
 * SVG with node ids as element ids, links only to handbook articles, and
 * hostile labels and links neutralised.
 */
#include "support/repo_fixture.h"
#include "support/test_util.h"
#include "core/memory.h"
#include "renderer/renderer.h"

#include <check.h>
#include <string.h>

#include "core/banned.h"

#define T0 1767225600

static const char map_text[] =
	"digraph m {\n"
	"  title=\"Refund <fast> & \\\"safe\\\"\"; owner=ana; champion=ben;\n"
	"  subgraph cluster_lane_front { role=\"front-end\"; label=\"Front\";\n"
	"    s [kind=start, label=\"Asks\"];\n"
	"    r [label=\"<script>alert(1)</script>\", article=\"articles/r.md\"];\n"
	"  }\n"
	"  x [label=<<script>alert(2)</script>>, URL=\"javascript:alert(3)\", href=\"javascript:alert(4)\"];\n"
	"  ghost [label=\"Ghost\", article=\"articles/none.md\"];\n"
	"  up [label=\"Up\", article=\"../../etc/passwd\"];\n"
	"  c [shape=diamond, label=\"OK?\"];\n"
	"  \"odd id\" [kind=end, label=\"Done\"];\n"
	"  m [kind=merge];\n"
	"  sp [kind=subprocess, label=\"Sub\", process=\"processes/s.dot\"];\n"
	"  s -> r -> x -> ghost -> up -> c; c -> m [label=yes]; c -> sp [label=no];\n"
	"  m -> \"odd id\"; sp -> \"odd id\";\n"
	"  c -> c;\n"
	"}\n";

static opex_test_repo *repo;
static opex_kb_repo *kb;
static opex_pm_map *map;

static void setup(void)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;

	repo = opex_test_repo_new(false);
	opex_test_repo_put(repo, "articles/r.md", "---\ntitle: R\n---\nR\n");
	opex_test_repo_put(repo, "processes/m.dot", map_text);
	opex_test_repo_commit(repo, "Ana", "ana@example.com", T0, "add", NULL);
	ck_assert_int_eq(opex_kb_repo_open(&kb, opex_test_repo_path(repo), NULL,
		NULL), 0);
	ck_assert_int_eq(opex_pm_map_load(&map, "processes/m.dot", map_text,
		strlen(map_text), &diags, NULL), 0);
	opex_diag_list_release(&diags);
}

static void teardown(void)
{
	opex_pm_map_free(map);
	opex_kb_repo_free(kb);
	opex_test_repo_free(repo);
}

/*
 * A small XML well-formedness checker: balanced, properly nested tags,
 * quoted attributes, known entities, no stray '<' or '&'.
 */
static const char *check_xml(const char *p)
{
	const char *stack[256];
	size_t depth = 0, lens[256];
	bool root_seen = false;

	while (*p) {
		if (*p == '&') {
			const char *semi = strchr(p, ';');

			if (semi == NULL || semi - p > 10)
				return "bad entity";
			if (strncmp(p, "&amp;", 5) && strncmp(p, "&lt;", 4) &&
			    strncmp(p, "&gt;", 4) && strncmp(p, "&quot;", 6) &&
			    strncmp(p, "&apos;", 6) && strncmp(p, "&#", 2))
				return "unknown entity";
			p = semi + 1;
			continue;
		}
		if (*p == '>')
			return "stray '>'";
		if (*p != '<') {
			p++;
			continue;
		}
		if (strncmp(p, "<?", 2) == 0) {
			p = strstr(p, "?>");
			if (p == NULL)
				return "unclosed declaration";
			p += 2;
		} else if (strncmp(p, "<!--", 4) == 0) {
			p = strstr(p, "-->");
			if (p == NULL)
				return "unclosed comment";
			p += 3;
		} else if (strncmp(p, "<!DOCTYPE", 9) == 0) {
			p = strchr(p, '>');
			if (p == NULL)
				return "unclosed doctype";
			p++;
		} else if (p[1] == '/') {
			size_t n = strcspn(p + 2, ">");

			if (depth == 0 || lens[depth - 1] != n ||
			    strncmp(stack[depth - 1], p + 2, n) != 0)
				return "mismatched end tag";
			depth--;
			p += 2 + n + 1;
		} else {
			const char *name = p + 1;
			size_t n = strcspn(name, " \t\n/>");

			if (n == 0)
				return "empty tag name";
			if (depth == 0 && root_seen)
				return "second root element";
			root_seen = true;
			p = name + n;
			for (;;) {
				while (*p == ' ' || *p == '\t' || *p == '\n')
					p++;
				if (*p == '/' && p[1] == '>') {
					p += 2;
					break;
				}
				if (*p == '>') {
					if (depth == 256)
						return "too deep";
					stack[depth] = name;
					lens[depth++] = n;
					p++;
					break;
				}
				p += strcspn(p, "= \t\n>");
				if (*p != '=' || (p[1] != '"' && p[1] != '\''))
					return "unquoted attribute";
				{
					char q = p[1];
					const char *end = strchr(p + 2, q);

					if (end == NULL)
						return "unclosed attribute";
					if (memchr(p + 2, '<', (size_t)(end - p - 2)))
						return "'<' in attribute";
					p = end + 1;
				}
			}
		}
	}
	return depth == 0 && root_seen ? NULL : "unclosed element";
}

static char *render(const opex_diag_list *diags)
{
	opex_buf out = OPEX_BUF_INIT(1 << 24);
	opex_render_flowchart_options opts = OPEX_RENDER_FLOWCHART_OPTIONS_INIT;
	opex_error err = OPEX_ERROR_INIT;

	opts.repo = kb;
	opts.diags = diags;
	ck_assert_msg(opex_render_flowchart(&out, map, &opts, &err) == 0, "%s",
		err.message);
	return opex_buf_detach(&out, NULL);
}

START_TEST(renderer_flowchart__svg_is_well_formed_and_accessible)
{
	char *svg = render(NULL);
	const char *problem = check_xml(svg);

	ck_assert_msg(problem == NULL, "%s", problem);
	ck_assert_ptr_nonnull(strstr(svg, "role=\"img\""));
	ck_assert_ptr_nonnull(strstr(svg, "aria-labelledby=\"opex-title opex-desc\""));
	ck_assert_ptr_nonnull(strstr(svg,
		"<title id=\"opex-title\">Refund &lt;fast&gt; &amp; &quot;safe&quot;</title>"));
	ck_assert_ptr_nonnull(strstr(svg, "<desc id=\"opex-desc\">"));
	ck_assert_ptr_nonnull(strstr(svg, "owner: ana"));
	ck_assert_ptr_null(strstr(svg, "Generated by"));
	ck_assert_ptr_null(strstr(svg, "<!--"));
	opex_free(svg);
}
END_TEST

START_TEST(renderer_flowchart__ids_links_and_hostile_input)
{
	char *svg = render(NULL);

	ck_assert_ptr_nonnull(strstr(svg, "id=\"s\""));
	ck_assert_ptr_nonnull(strstr(svg, "id=\"r\""));
	ck_assert_ptr_nonnull(strstr(svg, "id=\"n&#45;6f6464206964\""));
	ck_assert_ptr_nonnull(strstr(svg, "class=\"node opex&#45;decision\""));
	ck_assert_ptr_nonnull(strstr(svg, "xlink:href=\"articles/r.md\""));
	ck_assert_ptr_null(strstr(svg, "href=\"articles/none.md"));
	ck_assert_ptr_null(strstr(svg, "href=\"../"));
	ck_assert_ptr_null(strstr(svg, "javascript:"));
	ck_assert_ptr_null(strstr(svg, "<script"));
	ck_assert_ptr_nonnull(strstr(svg, "&lt;script&gt;alert(1)"));
	opex_free(svg);
}
END_TEST

START_TEST(renderer_flowchart__same_bytes_every_time)
{
	char *a = render(NULL), *b = render(NULL);

	ck_assert_str_eq(a, b);
	opex_free(a);
	opex_free(b);
}
END_TEST

/* Lanes and loops between them: Graphviz orders lanes by address. */
START_TEST(renderer_flowchart__lanes_render_the_same_every_time)
{
	opex_buf text = OPEX_BUF_INIT(1 << 20), first = OPEX_BUF_INIT(1 << 24);
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_pm_map *m = NULL;
	size_t i, k;

	opex_buf_puts(&text, "digraph g {\n");
	for (k = 0; k < 3; k++) {
		opex_buf_printf(&text, "subgraph cluster_lane_%zu { role=r%zu; label=L%zu;\n", k, k, k);
		for (i = 1; i < 40; i++)
			if (i % 3 == k)
				opex_buf_printf(&text, "n%zu [label=\"Step %zu\"];\n", i, i);
		opex_buf_puts(&text, "}\n");
	}
	for (i = 0; i < 40; i++) {
		opex_buf_printf(&text, "n%zu -> n%zu;\n", i, i + 1);
		if (i % 5 == 4)
			opex_buf_printf(&text, "n%zu -> n1;\n", i);
	}
	opex_buf_puts(&text, "}\n");
	ck_assert_int_eq(opex_pm_map_load(&m, "processes/g.dot", text.ptr,
		text.len, &diags, NULL), 0);
	for (i = 0; i < 4; i++) {
		opex_buf out = OPEX_BUF_INIT(1 << 24);

		ck_assert_int_eq(opex_render_flowchart(&out, m, NULL, NULL), 0);
		if (i == 0)
			opex_buf_put(&first, out.ptr, out.len);
		else
			ck_assert_msg(out.len == first.len &&
				memcmp(out.ptr, first.ptr, out.len) == 0,
				"render %zu differs", i);
		opex_buf_release(&out);
	}
	opex_pm_map_free(m);
	opex_diag_list_release(&diags);
	opex_buf_release(&text);
	opex_buf_release(&first);
}
END_TEST

START_TEST(renderer_flowchart__lint_errors_outline_nodes)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	char *svg;

	opex_pm_lint_map(map, NULL, &diags, NULL);
	ck_assert(opex_test_has_diag(&diags, "decision-edge-unlabeled",
		"processes/m.dot", 16));
	svg = render(&diags);
	ck_assert_msg(check_xml(svg) == NULL, "%s", check_xml(svg));
	ck_assert_ptr_nonnull(strstr(svg, "stroke=\"#c62828\""));
	ck_assert_ptr_nonnull(strstr(svg, "[article&#45;missing]"));
	opex_free(svg);
	opex_diag_list_release(&diags);
}
END_TEST

START_TEST(renderer_flowchart__cache_and_formats)
{
	opex_buf a = OPEX_BUF_INIT(1 << 24), b = OPEX_BUF_INIT(1 << 24);
	opex_render_flowchart_options opts = OPEX_RENDER_FLOWCHART_OPTIONS_INIT;
	char *dir = opex_test_tmpdir();
	bool hit = true;

	opts.cache_dir = dir;
	opts.cache_hit = &hit;
	ck_assert_int_eq(opex_render_flowchart(&a, map, &opts, NULL), 0);
	ck_assert(!hit);
	ck_assert_int_eq(opex_render_flowchart(&b, map, &opts, NULL), 0);
	ck_assert(hit);
	ck_assert_str_eq(a.ptr, b.ptr);
	opex_buf_clear(&a);
	opts.format = OPEX_FLOWCHART_DOT;
	ck_assert_int_eq(opex_render_flowchart(&a, map, &opts, NULL), 0);
	ck_assert_ptr_nonnull(strstr(a.ptr, "digraph \"opex\""));
	ck_assert_ptr_null(strstr(a.ptr, "javascript"));
	opex_buf_clear(&a);
	opts.format = OPEX_FLOWCHART_PNG;
	ck_assert_int_eq(opex_render_flowchart(&a, map, &opts, NULL), 0);
	ck_assert_uint_gt(a.len, 8);
	ck_assert(memcmp(a.ptr, "\x89PNG", 4) == 0);
	opex_buf_release(&a);
	opex_buf_release(&b);
	opex_test_rmtree(dir);
}
END_TEST

/*
 * A chart cached under its content key (blob id, findings, link targets)
 * is served again for the same key, and drawn anew when the findings, the
 * linked articles or the blob change: never a stale outline or link.
 */
START_TEST(renderer_flowchart__cache_by_content_key)
{
	opex_buf a = OPEX_BUF_INIT(1 << 24), b = OPEX_BUF_INIT(1 << 24),
		key = OPEX_BUF_INIT(1024), key2 = OPEX_BUF_INIT(1024);
	opex_render_flowchart_options opts = OPEX_RENDER_FLOWCHART_OPTIONS_INIT;
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	char *dir = opex_test_tmpdir();
	bool hit = true;

	opts.cache_dir = dir;
	opts.cache_hit = &hit;
	opts.repo = kb;
	opts.link_prefix = "/";
	opex_render_flowchart_key(&key, "1111", map, kb, NULL);
	opts.content_key = key.ptr;
	ck_assert_int_eq(opex_render_flowchart(&a, map, &opts, NULL), 0);
	ck_assert(!hit);
	ck_assert_int_eq(opex_render_flowchart(&b, map, &opts, NULL), 0);
	ck_assert(hit);
	ck_assert_str_eq(a.ptr, b.ptr);
	ck_assert_ptr_nonnull(strstr(a.ptr, "/articles/r.md"));

	/* Findings on the map: another key, and the outline is drawn. */
	opex_pm_lint_map(map, NULL, &diags, NULL);
	opex_render_flowchart_key(&key2, "1111", map, kb, &diags);
	ck_assert_str_ne(key.ptr, key2.ptr);
	opts.content_key = key2.ptr;
	opts.diags = &diags;
	opex_buf_clear(&b);
	ck_assert_int_eq(opex_render_flowchart(&b, map, &opts, NULL), 0);
	ck_assert(!hit);
	ck_assert_ptr_nonnull(strstr(b.ptr, "stroke=\"#c62828\""));

	/* No links (no tree), another link prefix, another blob: other keys. */
	opex_buf_clear(&key2);
	opex_render_flowchart_key(&key2, "1111", map, NULL, NULL);
	ck_assert_str_ne(key.ptr, key2.ptr);
	opex_buf_clear(&key2);
	opex_render_flowchart_key(&key2, "2222", map, kb, NULL);
	ck_assert_str_ne(key.ptr, key2.ptr);
	opts.diags = NULL;
	opts.content_key = key.ptr;
	opts.link_prefix = "/x/";
	opex_buf_clear(&b);
	ck_assert_int_eq(opex_render_flowchart(&b, map, &opts, NULL), 0);
	ck_assert(!hit);
	ck_assert_ptr_nonnull(strstr(b.ptr, "/x/articles/r.md"));

	opex_diag_list_release(&diags);
	opex_buf_release(&a);
	opex_buf_release(&b);
	opex_buf_release(&key);
	opex_buf_release(&key2);
	opex_test_rmtree(dir);
}
END_TEST

Suite *suite_flowchart(void)
{
	Suite *s = suite_create("renderer_flowchart");
	TCase *tc = tcase_create("opex_render_flowchart");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_add_test(tc, renderer_flowchart__svg_is_well_formed_and_accessible);
	tcase_add_test(tc, renderer_flowchart__ids_links_and_hostile_input);
	tcase_add_test(tc, renderer_flowchart__same_bytes_every_time);
	tcase_add_test(tc, renderer_flowchart__lanes_render_the_same_every_time);
	tcase_add_test(tc, renderer_flowchart__lint_errors_outline_nodes);
	tcase_add_test(tc, renderer_flowchart__cache_and_formats);
	tcase_add_test(tc, renderer_flowchart__cache_by_content_key);
	suite_add_tcase(s, tc);
	return s;
}

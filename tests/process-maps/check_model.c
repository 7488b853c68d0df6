/*
 * check_model.c: DOT text to a process model: kinds, lanes, labels, lines,
 * and bad input (syntax errors, undirected and multiple graphs, huge and
 * deeply nested maps, binary, invalid UTF-8, Graphviz's own examples).
 */
#define _POSIX_C_SOURCE 200809L
#include "support/test_util.h"
#include "core/limits.h"
#include "core/path.h"
#include "core/memory.h"
#include "process-maps/process_maps_int.h"

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

#define PATH "processes/m.dot"

static opex_pm_map *load(const char *text, size_t len, opex_diag_list *diags,
	int *rc)
{
	opex_pm_map *map = NULL;
	int error = opex_pm_map_load(&map, PATH, text, len, diags, NULL);

	if (rc)
		*rc = error;
	return map;
}

static const opex_pm_node *node(const opex_pm_map *map, const char *id)
{
	long i = opex_pm_map_find(map, id);

	ck_assert_msg(i >= 0, "no node '%s'", id);
	return opex_pm_map_node(map, (size_t)i);
}

static const char sample[] =
	"/* a comment */\n"
	"digraph \"sample\" {\n"
	"  title=\"Sample\"; owner=ana;\n"
	"  champion = \"ben\"\n"
	"  node [fontname=Helvetica];\n"
	"  subgraph cluster_lane_front {\n"
	"    role=\"front-end\"; label=\"Front end\";\n"
	"    s [kind=start, label=\"Start\\nhere\"];\n"
	"    a [label=\"Act\", article=\"articles/a.md\"];\n"
	"  }\n"
	"  d [shape=diamond, label=<<b>OK</b>?>];\n"
	"  # a cpp-style line\n"
	"  e [shape=Msquare, label=\"End\"];\n"
	"  sub [process=\"processes/other.dot\", label=\"Other\"];\n"
	"  s -> a\n"
	"  a -> d -> e [label=\"yes\"];\n"
	"  d -> \"sub\" [label=\"n\" + \"o\"];\n"
	"  sub -> e;\n"
	"}\n";

START_TEST(pm_model__reads_kinds_lanes_labels_and_lines)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_pm_map *map = load(sample, strlen(sample), &diags, NULL);
	size_t i;
	bool found = false;

	ck_assert_ptr_nonnull(map);
	ck_assert_uint_eq(diags.count, 0);
	ck_assert_str_eq(opex_pm_map_name(map), "sample");
	ck_assert_uint_eq(opex_pm_map_line(map), 2);
	ck_assert_str_eq(opex_pm_map_attr(map, OPEX_PM_ATTR_OWNER), "ana");
	ck_assert_str_eq(opex_pm_map_attr(map, OPEX_PM_ATTR_CHAMPION), "ben");
	ck_assert_uint_eq(opex_pm_map_attr_line(map, OPEX_PM_ATTR_CHAMPION), 4);
	ck_assert_uint_eq(opex_pm_map_node_count(map), 5);
	ck_assert_int_eq(node(map, "s")->kind, OPEX_PM_KIND_START);
	ck_assert_str_eq(node(map, "s")->label, "Start\nhere");
	ck_assert_uint_eq(node(map, "s")->line, 8);
	ck_assert_int_eq(node(map, "a")->kind, OPEX_PM_KIND_ACTION);
	ck_assert_str_eq(node(map, "a")->role, "front-end");
	ck_assert_uint_eq(node(map, "a")->lane, 0);
	ck_assert_int_eq(node(map, "d")->kind, OPEX_PM_KIND_DECISION);
	ck_assert(node(map, "d")->html_label);
	ck_assert_str_eq(node(map, "d")->label, "OK?");
	ck_assert_int_eq(node(map, "e")->kind, OPEX_PM_KIND_END);
	ck_assert_uint_eq(node(map, "e")->line, 13);
	ck_assert_int_eq(node(map, "sub")->kind, OPEX_PM_KIND_SUBPROCESS);
	ck_assert_uint_eq(opex_pm_map_lane_count(map), 1);
	ck_assert_str_eq(opex_pm_map_lane(map, 0)->label, "Front end");
	ck_assert_uint_eq(opex_pm_map_edge_count(map), 5);
	for (i = 0; i < opex_pm_map_edge_count(map); i++) {
		const opex_pm_edge *e = opex_pm_map_edge(map, i);
		const char *t = opex_pm_map_node(map, e->tail)->id;

		if (strcmp(t, "d") == 0 && e->label && strcmp(e->label, "no") == 0) {
			ck_assert_uint_eq(e->line, 17);
			found = true;
		}
		if (strcmp(t, "s") == 0)
			ck_assert_uint_eq(e->line, 15);
	}
	ck_assert(found);
	opex_pm_map_free(map);
	opex_diag_list_release(&diags);
}
END_TEST

/* ---- bad input ---------------------------------------------------------- */

static const struct {
	const char *name;
	const char *text;
	size_t len;        /* 0: strlen */
	unsigned line;
	const char *message;
} bad[] = {
	{ "syntax error", "digraph {\n  a -> b\n  c -> ;\n}\n", 0, 3, "syntax error" },
	{ "undirected", "\n graph g { a -- b }\n", 0, 2, "undirected" },
	{ "several graphs", "digraph a { x }\ndigraph b { y }\n", 0, 2, "more than one graph" },
	{ "trailing junk", "digraph a { x }\nnode y\n", 0, 2, "more than one graph" },
	{ "empty", "", 0, 1, "no digraph" },
	{ "only comments", "// nothing\n/* here */\n", 0, 1, "no digraph" },
	{ "binary", "digraph { a\0 }", 15, 0, "binary" },
	{ "invalid utf-8", "digraph {\n a [label=\"caf\xe9\"];\n}\n", 0, 2, "UTF-8" },
	{ "overlong utf-8", "digraph {\n\n a [label=\"\xc0\xaf\"];\n}\n", 0, 3, "UTF-8" },
};

START_TEST(pm_model__bad_input_is_a_dot_syntax_diagnostic)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	size_t len = bad[_i].len ? bad[_i].len : strlen(bad[_i].text);
	int rc;
	opex_pm_map *map = load(bad[_i].text, len, &diags, &rc);

	ck_assert_ptr_null(map);
	ck_assert_int_lt(rc, 0);
	if (!opex_test_has_diag(&diags, "dot-syntax", PATH, bad[_i].line))
		opex_test_dump_diags(&diags);
	ck_assert_msg(opex_test_has_diag(&diags, "dot-syntax", PATH, bad[_i].line),
		"%s: no dot-syntax on line %u", bad[_i].name, bad[_i].line);
	ck_assert_msg(strstr(diags.items[0].message, bad[_i].message) != NULL,
		"%s: message '%s'", bad[_i].name, diags.items[0].message);
	opex_diag_list_release(&diags);
}
END_TEST

START_TEST(pm_model__errors_do_not_leak_into_the_next_parse)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	const char *broken = "digraph {\n\n\n\n a -> ;\n";
	const char *two = "digraph a { x -> y }\ndigraph b { z }\n";
	const char *good = "digraph c {\n p -> q;\n}\n";
	opex_pm_map *map;

	map = load(broken, strlen(broken), &diags, NULL);
	ck_assert_ptr_null(map);
	map = load(two, strlen(two), &diags, NULL);
	ck_assert_ptr_null(map);
	opex_diag_list_release(&diags);
	map = load(good, strlen(good), &diags, NULL);
	ck_assert_ptr_nonnull(map);
	ck_assert_uint_eq(diags.count, 0);
	ck_assert_uint_eq(opex_pm_map_node_count(map), 2);
	ck_assert_uint_eq(node(map, "p")->line, 2);
	opex_pm_map_free(map);
	/* And a syntax error after that still names its own line. */
	map = load("digraph {\n x -> ;\n}", strlen("digraph {\n x -> ;\n}"), &diags, NULL);
	ck_assert_ptr_null(map);
	ck_assert(opex_test_has_diag(&diags, "dot-syntax", PATH, 2));
	opex_diag_list_release(&diags);
}
END_TEST

START_TEST(pm_model__hundred_thousand_nodes_fail_fast)
{
	opex_buf text = OPEX_BUF_INIT(OPEX_LIMIT_FILE_BYTES);
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	size_t i;
	int rc;

	opex_buf_puts(&text, "digraph big {\n");
	for (i = 0; i < 100000; i++)
		opex_buf_printf(&text, "n%zu -> n%zu;\n", i, i + 1);
	opex_buf_puts(&text, "}\n");
	ck_assert(!text.failed);
	ck_assert_ptr_null(load(text.ptr, text.len, &diags, &rc));
	ck_assert_int_eq(rc, OPEX_ETOOBIG);
	ck_assert(opex_test_has_diag(&diags, "dot-syntax", PATH, 0));
	opex_diag_list_release(&diags);
	opex_buf_release(&text);
}
END_TEST

START_TEST(pm_model__largest_allowed_map_loads_and_lints)
{
	opex_buf text = OPEX_BUF_INIT(OPEX_LIMIT_FILE_BYTES);
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_pm_map *map;
	size_t i, n = OPEX_LIMIT_MAP_NODES - 2;

	opex_buf_puts(&text, "digraph big {\n s [kind=start, label=S];\n e [kind=end, label=E];\n s -> n0;\n");
	for (i = 0; i + 1 < n; i++)
		opex_buf_printf(&text, "n%zu [label=\"step %zu\"]; n%zu -> n%zu;\n",
			i, i, i, i + 1);
	opex_buf_printf(&text, "n%zu [label=last]; n%zu -> e;\n}\n", n - 1, n - 1);
	map = load(text.ptr, text.len, &diags, NULL);
	ck_assert_ptr_nonnull(map);
	opex_pm_lint_map(map, NULL, &diags, NULL);
	ck_assert(!opex_test_has_diag(&diags, "unreachable-node", NULL, 0));
	ck_assert(!opex_test_has_diag(&diags, "dead-end", NULL, 0));
	ck_assert(opex_test_has_diag(&diags, "step-without-article", PATH, 5));
	opex_pm_map_free(map);
	opex_diag_list_release(&diags);
	opex_buf_release(&text);
}
END_TEST

START_TEST(pm_model__thousand_nested_subgraphs_are_refused)
{
	opex_buf text = OPEX_BUF_INIT(OPEX_LIMIT_FILE_BYTES);
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	size_t i;
	int rc;

	opex_buf_puts(&text, "digraph deep {\n");
	for (i = 0; i < 1000; i++)
		opex_buf_printf(&text, "subgraph s%zu {\n", i);
	opex_buf_puts(&text, "a -> b\n");
	for (i = 0; i < 1000; i++)
		opex_buf_puts(&text, "}\n");
	opex_buf_puts(&text, "}\n");
	ck_assert_ptr_null(load(text.ptr, text.len, &diags, &rc));
	ck_assert_int_eq(rc, OPEX_ETOOBIG);
	ck_assert(opex_test_has_diag(&diags, "dot-syntax", PATH,
		OPEX_LIMIT_MAP_NESTING + 2));
	opex_diag_list_release(&diags);
	opex_buf_release(&text);
}
END_TEST

START_TEST(pm_model__nesting_within_the_limit_loads)
{
	opex_buf text = OPEX_BUF_INIT(OPEX_LIMIT_FILE_BYTES);
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_pm_map *map;
	size_t i;

	opex_buf_puts(&text, "digraph deep {\n");
	for (i = 0; i < OPEX_LIMIT_MAP_NESTING; i++)
		opex_buf_printf(&text, "subgraph cluster_lane_%zu { label=L%zu;\n", i, i);
	opex_buf_puts(&text, "a -> b\n");
	for (i = 0; i < OPEX_LIMIT_MAP_NESTING; i++)
		opex_buf_puts(&text, "}\n");
	opex_buf_puts(&text, "}\n");
	map = load(text.ptr, text.len, &diags, NULL);
	ck_assert_ptr_nonnull(map);
	ck_assert_uint_eq(opex_pm_map_lane_count(map), OPEX_LIMIT_MAP_NESTING);
	opex_pm_map_free(map);
	opex_diag_list_release(&diags);
	opex_buf_release(&text);
}
END_TEST

START_TEST(pm_model__hostile_attributes_are_plain_data)
{
	const char *text =
		"digraph x {\n"
		"  a [label=<<script>alert(1)</script>>, URL=\"javascript:alert(1)\"];\n"
		"  b [label=\"<script>alert(2)</script>\", href=\"javascript:x\"];\n"
		"  a -> b;\n}\n";
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_pm_map *map = load(text, strlen(text), &diags, NULL);

	ck_assert_ptr_nonnull(map);
	ck_assert_str_eq(node(map, "a")->label, "alert(1)");
	ck_assert_str_eq(node(map, "b")->label, "<script>alert(2)</script>");
	opex_pm_map_free(map);
	opex_diag_list_release(&diags);
}
END_TEST

/* ---- Graphviz's own examples --------------------------------------------- */

static char *read_example(const char *file, size_t *len)
{
	char cmd[1200];
	opex_buf buf = OPEX_BUF_INIT(OPEX_LIMIT_FILE_BYTES * 4);
	FILE *f;
	char chunk[8192];
	size_t n;

	if (!opex_path_has_suffix(file, ".gz"))
		return opex_test_read_file(file, len);
	snprintf(cmd, sizeof(cmd), "gzip -dc '%s'", file);
	f = popen(cmd, "r");
	if (f == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		opex_buf_put(&buf, chunk, n);
	pclose(f);
	return opex_buf_detach(&buf, len);
}

static size_t load_folder(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *ent;
	size_t count = 0;

	if (d == NULL)
		return 0;
	while ((ent = readdir(d)) != NULL) {
		char file[1024];
		char *text;
		size_t len = 0;
		opex_diag_list diags = OPEX_DIAG_LIST_INIT;
		opex_pm_map *map = NULL;

		if (ent->d_name[0] == '.')
			continue;
		snprintf(file, sizeof(file), "%s/%s", dir, ent->d_name);
		if (!opex_path_has_suffix(file, ".gv") &&
		    !opex_path_has_suffix(file, ".gv.gz") &&
		    !opex_path_has_suffix(file, ".dot")) {
			count += load_folder(file);
			continue;
		}
		text = read_example(file, &len);
		if (text == NULL)
			continue;
		map = load(text, len, &diags, NULL);
		if (map != NULL)
			opex_pm_lint_map(map, NULL, &diags, NULL);
		opex_pm_map_free(map);
		opex_diag_list_release(&diags);
		opex_free(text);
		count++;
	}
	closedir(d);
	return count;
}

START_TEST(pm_model__graphviz_examples_load_without_a_crash)
{
	size_t n = load_folder("/usr/share/graphviz/graphs") +
		load_folder("/usr/share/doc/graphviz/examples/graphs");

	if (n == 0)
		fprintf(stderr, "pm_model: no Graphviz examples installed (graphviz-doc)\n");
}
END_TEST

/* Targets on the graph and on nodes, a node's inside its lane too; a lane's
 * own attribute is no target. */
START_TEST(pm_model__targets_on_graph_nodes_and_lane_nodes)
{
	static const char text[] =
		"digraph t {\n"
		"  target_resolution_p90=\"2d\";\n"
		"  subgraph cluster_lane_back { role=\"back-office\"; target_backlog=\"9\";\n"
		"    evidence [label=\"Evidence\", target_backlog=\"40\"];\n"
		"  }\n"
		"  triage [target_step_p90=\"8h\"];\n"
		"  triage -> evidence;\n"
		"}\n";
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_pm_map *map = NULL;
	long evidence, triage;

	ck_assert_int_eq(opex_pm_map_load(&map, "processes/t.dot", text,
		strlen(text), &diags, NULL), 0);
	evidence = opex_pm_map_find(map, "evidence");
	triage = opex_pm_map_find(map, "triage");
	ck_assert_str_eq(opex_pm_map_target_find(map, OPEX_PM_NO_LANE,
		"target_resolution_p90"), "2d");
	ck_assert_str_eq(opex_pm_map_target_find(map, (size_t)evidence,
		"target_backlog"), "40");
	ck_assert_str_eq(opex_pm_map_target_find(map, (size_t)triage,
		"target_step_p90"), "8h");
	ck_assert_uint_eq(opex_pm_map_target_count(map), 3);
	opex_pm_map_free(map);
	opex_diag_list_release(&diags);
}
END_TEST

Suite *suite_model(void)
{
	Suite *s = suite_create("process_maps_model");
	TCase *tc = tcase_create("opex_pm_map_load");
	TCase *badtc = tcase_create("bad_input");

	tcase_add_test(tc, pm_model__reads_kinds_lanes_labels_and_lines);
	tcase_add_test(tc, pm_model__targets_on_graph_nodes_and_lane_nodes);
	suite_add_tcase(s, tc);
	tcase_set_timeout(badtc, 60);
	tcase_add_loop_test(badtc, pm_model__bad_input_is_a_dot_syntax_diagnostic,
		0, (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(badtc, pm_model__errors_do_not_leak_into_the_next_parse);
	tcase_add_test(badtc, pm_model__hundred_thousand_nodes_fail_fast);
	tcase_add_test(badtc, pm_model__largest_allowed_map_loads_and_lints);
	tcase_add_test(badtc, pm_model__thousand_nested_subgraphs_are_refused);
	tcase_add_test(badtc, pm_model__nesting_within_the_limit_loads);
	tcase_add_test(badtc, pm_model__hostile_attributes_are_plain_data);
	tcase_add_test(badtc, pm_model__graphviz_examples_load_without_a_crash);
	suite_add_tcase(s, badtc);
	return s;
}

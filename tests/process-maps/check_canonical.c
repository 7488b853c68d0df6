/*
 * check_canonical.c: the canonical form and semantic hash ignore layout,
 * order and formatting, and change with anything a reader would notice.
 */
#include "support/test_util.h"
#include "core/memory.h"
#include "process-maps/process_maps.h"

#include <check.h>
#include <string.h>

#include "core/banned.h"

static const char original[] =
	"digraph p {\n"
	"  title=\"Refund\"; owner=ana; champion=ben;\n"
	"  s [kind=start, label=\"Asks\"];\n"
	"  c [kind=decision, label=\"In 30 days?\"];\n"
	"  r [kind=action, label=\"Refund\", article=\"articles/r.md\"];\n"
	"  e [kind=end, label=\"Closed\"];\n"
	"  s -> c; c -> r [label=yes]; c -> e [label=no]; r -> e;\n"
	"}\n";

/* The same process: reordered, reformatted, restyled, shapes for kinds. */
static const char reformatted[] =
	"// refund process\n"
	"digraph   refund_v2{rankdir=LR owner=\"ana\"\n"
	"champion=\"ben\" title=Refund\n"
	"  e [kind=end label=Closed color=red]\n"
	"  r [article=\"articles/r.md\", label=Refund, pos=\"1,2!\"]\n"
	"  c -> e [label=\"no\", penwidth=3]\n"
	"  c [shape=diamond label=\"In 30 days?\"]\n"
	"  r -> e\n"
	"  s [kind=start label=Asks]; s -> c\n"
	"  c -> r [label=\"yes\"]\n"
	"}\n";

static const char relabelled[] =
	"digraph p {\n"
	"  title=\"Refund\"; owner=ana; champion=ben;\n"
	"  s [kind=start, label=\"Asks\"];\n"
	"  c [kind=decision, label=\"Within 30 days?\"];\n"
	"  r [kind=action, label=\"Refund\", article=\"articles/r.md\"];\n"
	"  e [kind=end, label=\"Closed\"];\n"
	"  s -> c; c -> r [label=yes]; c -> e [label=no]; r -> e;\n"
	"}\n";

static void hash_of(char out[OPEX_SHA256_HEX_SIZE], const char *text)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_pm_map *map = NULL;

	ck_assert_int_eq(opex_pm_map_load(&map, "processes/p.dot", text,
		strlen(text), &diags, NULL), 0);
	ck_assert_int_eq(opex_pm_map_hash(out, map, NULL), 0);
	opex_pm_map_free(map);
	opex_diag_list_release(&diags);
}

START_TEST(pm_canonical__reformat_and_reorder_keep_the_hash)
{
	char a[OPEX_SHA256_HEX_SIZE], b[OPEX_SHA256_HEX_SIZE];

	hash_of(a, original);
	hash_of(b, reformatted);
	ck_assert_uint_eq(strlen(a), 64);
	ck_assert_str_eq(a, b);
}
END_TEST

START_TEST(pm_canonical__a_relabel_changes_the_hash)
{
	char a[OPEX_SHA256_HEX_SIZE], b[OPEX_SHA256_HEX_SIZE];

	hash_of(a, original);
	hash_of(b, relabelled);
	ck_assert_str_ne(a, b);
}
END_TEST

START_TEST(pm_canonical__form_is_sorted_and_escaped)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_buf buf = OPEX_BUF_INIT(1 << 20);
	opex_pm_map *map = NULL;
	const char *text = "digraph { b [label=\"two\\nlines\\\\\"]; a [label=\"tab\tx\"]; b -> a; a -> b [label=back]; }";

	ck_assert_int_eq(opex_pm_map_load(&map, "processes/p.dot", text,
		strlen(text), &diags, NULL), 0);
	opex_pm_map_canonical(&buf, map);
	ck_assert_str_eq(buf.ptr,
		"opex-map\t1\n"
		"graph\n"
		"node\ta\tkind=action\tlabel=tab\\tx\n"
		"node\tb\tkind=action\tlabel=two\\nlines\\\\\n"
		"edge\ta\tb\tlabel=back\n"
		"edge\tb\ta\n");
	opex_buf_release(&buf);
	opex_pm_map_free(map);
	opex_diag_list_release(&diags);
}
END_TEST

Suite *suite_canonical(void)
{
	Suite *s = suite_create("process_maps_canonical");
	TCase *tc = tcase_create("opex_pm_map_hash");

	tcase_add_test(tc, pm_canonical__reformat_and_reorder_keep_the_hash);
	tcase_add_test(tc, pm_canonical__a_relabel_changes_the_hash);
	tcase_add_test(tc, pm_canonical__form_is_sorted_and_escaped);
	suite_add_tcase(s, tc);
	return s;
}

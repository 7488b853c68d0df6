/*
 * check_lint_config.c: rule severities from .opex/lint.yaml or opex.yaml.
 */
#include "support/test_util.h"
#include "core/memory.h"
#include "process-maps/process_maps.h"

#include <check.h>
#include <string.h>

#include "core/banned.h"

static void fill(opex_diag_list *diags)
{
	opex_diag_add(diags, OPEX_SEVERITY_WARNING, "step-without-article", "p", 1, 1, "a");
	opex_diag_add(diags, OPEX_SEVERITY_ERROR, "title-missing", "a.md", 1, 1, "b");
	opex_diag_add(diags, OPEX_SEVERITY_INFO, "orphan-article", "b.md", 0, 0, "c");
}

START_TEST(pm_lint_config__severities_and_off)
{
	const char *yaml = "rules:\n  step-without-article: off\n"
		"  title-missing: warning\n  orphan-article: error\n";
	opex_diag_list diags = OPEX_DIAG_LIST_INIT, problems = OPEX_DIAG_LIST_INIT;
	opex_pm_lint_config *config = NULL;

	opex_pm_lint_config_parse(&config, ".opex/lint.yaml", yaml, strlen(yaml),
		false, &problems);
	ck_assert_uint_eq(problems.count, 0);
	fill(&diags);
	opex_pm_lint_config_apply(config, &diags);
	ck_assert_uint_eq(diags.count, 2);
	ck_assert_str_eq(diags.items[0].rule, "title-missing");
	ck_assert_int_eq(diags.items[0].severity, OPEX_SEVERITY_WARNING);
	ck_assert_int_eq(diags.items[1].severity, OPEX_SEVERITY_ERROR);
	opex_pm_lint_config_free(config);
	opex_diag_list_release(&diags);
	opex_diag_list_release(&problems);
}
END_TEST

START_TEST(pm_lint_config__lint_section_of_opex_yaml)
{
	const char *yaml = "languages: [en]\nlint:\n  rules:\n    orphan-article: off\n";
	opex_diag_list diags = OPEX_DIAG_LIST_INIT, problems = OPEX_DIAG_LIST_INIT;
	opex_pm_lint_config *config = NULL;

	opex_pm_lint_config_parse(&config, "opex.yaml", yaml, strlen(yaml), true,
		&problems);
	ck_assert_uint_eq(problems.count, 0);
	fill(&diags);
	opex_pm_lint_config_apply(config, &diags);
	ck_assert_uint_eq(diags.count, 2);
	opex_pm_lint_config_free(config);
	opex_diag_list_release(&diags);
	opex_diag_list_release(&problems);
}
END_TEST

static const struct {
	const char *yaml;
	unsigned line;
	const char *message;
} bad[] = {
	{ "rules:\n  step-without-artcle: off\n", 2, "did you mean 'step-without-article'" },
	{ "rules:\n  dead-end: loud\n", 2, "is not error, warning, info or off" },
	{ "rules: [dead-end]\n", 1, "must map rule ids" },
	{ "rules:\n  dead-end: off\nextends: strict\n", 3, "unknown lint setting" },
	{ "- a\n- b\n", 1, "must be a mapping" },
	{ "rules: {a: [\n", 0, "" },
};

START_TEST(pm_lint_config__problems_are_reported)
{
	opex_diag_list problems = OPEX_DIAG_LIST_INIT;
	opex_pm_lint_config *config = NULL;

	opex_pm_lint_config_parse(&config, ".opex/lint.yaml", bad[_i].yaml,
		strlen(bad[_i].yaml), false, &problems);
	ck_assert_ptr_nonnull(config);
	if (!opex_test_has_diag(&problems, "lint-config-invalid", ".opex/lint.yaml",
		bad[_i].line))
		opex_test_dump_diags(&problems);
	ck_assert(opex_test_has_diag(&problems, "lint-config-invalid",
		".opex/lint.yaml", bad[_i].line));
	ck_assert(strstr(problems.items[0].message, bad[_i].message) != NULL);
	opex_pm_lint_config_free(config);
	opex_diag_list_release(&problems);
}
END_TEST

START_TEST(pm_lint_config__catalogue_is_sorted)
{
	ck_assert(opex_pm_rule_known("dead-end"));
	ck_assert(opex_pm_rule_known("title-missing"));
	ck_assert(!opex_pm_rule_known("dead-ends"));
}
END_TEST

Suite *suite_lint_config(void)
{
	Suite *s = suite_create("process_maps_lint_config");
	TCase *tc = tcase_create("opex_pm_lint_config");

	tcase_add_test(tc, pm_lint_config__severities_and_off);
	tcase_add_test(tc, pm_lint_config__lint_section_of_opex_yaml);
	tcase_add_loop_test(tc, pm_lint_config__problems_are_reported, 0,
		(int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, pm_lint_config__catalogue_is_sorted);
	suite_add_tcase(s, tc);
	return s;
}

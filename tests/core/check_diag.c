/* check_diag.c: the diagnostic list (core/diag.c). */
#include "core/diag.h"
#include "core/limits.h"
#include "core/memory.h"

#include <check.h>
#include <string.h>

#include "core/banned.h"

START_TEST(core_diag__add_copies)
{
	opex_diag_list list = OPEX_DIAG_LIST_INIT;
	char path[] = "articles/a.md";

	opex_diag_add(&list, OPEX_SEVERITY_WARNING, "front-matter-invalid",
		path, 3, 7, "unknown field '%s' (did you mean '%s'?)", "titel",
		"title");
	path[0] = 'X';
	ck_assert_uint_eq(list.count, 1);
	ck_assert_str_eq(list.items[0].path, "articles/a.md");
	ck_assert_str_eq(list.items[0].rule, "front-matter-invalid");
	ck_assert_str_eq(list.items[0].message,
		"unknown field 'titel' (did you mean 'title'?)");
	ck_assert_uint_eq(list.items[0].line, 3);
	ck_assert_uint_eq(list.items[0].col, 7);
	ck_assert_int_eq(list.items[0].severity, OPEX_SEVERITY_WARNING);
	opex_diag_add(&list, OPEX_SEVERITY_ERROR, "r", NULL, 0, 0, "x");
	ck_assert_str_eq(list.items[1].path, "");
	opex_diag_list_release(&list);
	ck_assert_uint_eq(list.count, 0);
	ck_assert_ptr_null(list.items);
	opex_diag_add(&list, OPEX_SEVERITY_INFO, "r", "p", 1, 1, "reusable");
	ck_assert_uint_eq(list.count, 1);
	opex_diag_list_release(&list);
}
END_TEST

START_TEST(core_diag__many_and_counts)
{
	opex_diag_list list = OPEX_DIAG_LIST_INIT;
	unsigned i;

	for (i = 0; i < 1000; i++)
		opex_diag_add(&list, (opex_severity)(i % 3), "rule", "p", i, 0,
			"n %u", i);
	ck_assert_uint_eq(list.count, 1000);
	ck_assert_uint_eq(opex_diag_count(&list, OPEX_SEVERITY_ERROR), 334);
	ck_assert_uint_eq(opex_diag_count(&list, OPEX_SEVERITY_WARNING), 333);
	ck_assert_uint_eq(opex_diag_count(&list, OPEX_SEVERITY_INFO), 333);
	ck_assert_str_eq(list.items[999].message, "n 999");
	opex_diag_list_release(&list);
}
END_TEST

START_TEST(core_diag__sorts_as_people_read)
{
	opex_diag_list list = OPEX_DIAG_LIST_INIT;

	opex_diag_add(&list, OPEX_SEVERITY_ERROR, "b-rule", "b.md", 1, 1, "4");
	opex_diag_add(&list, OPEX_SEVERITY_ERROR, "z-rule", "a.md", 10, 1, "3");
	opex_diag_add(&list, OPEX_SEVERITY_ERROR, "z-rule", "a.md", 2, 5, "2");
	opex_diag_add(&list, OPEX_SEVERITY_ERROR, "a-rule", "a.md", 2, 5, "1");
	opex_diag_add(&list, OPEX_SEVERITY_ERROR, "a-rule", "a.md", 2, 1, "0");
	opex_diag_sort(&list);
	ck_assert_str_eq(list.items[0].message, "0");
	ck_assert_str_eq(list.items[1].message, "1");
	ck_assert_str_eq(list.items[2].message, "2");
	ck_assert_str_eq(list.items[3].message, "3");
	ck_assert_str_eq(list.items[4].message, "4");
	opex_diag_list_release(&list);
	opex_diag_sort(&list);
}
END_TEST

START_TEST(core_diag__long_message)
{
	opex_diag_list list = OPEX_DIAG_LIST_INIT;
	char *big = opex_malloc(OPEX_LIMIT_LINE_BYTES + 10);

	memset(big, 'x', OPEX_LIMIT_LINE_BYTES + 9);
	big[OPEX_LIMIT_LINE_BYTES + 9] = '\0';
	opex_diag_add(&list, OPEX_SEVERITY_ERROR, "r", "p", 1, 1, "%s", big);
	ck_assert_str_eq(list.items[0].message, "(message too long)");
	opex_diag_list_release(&list);
	opex_free(big);
}
END_TEST

START_TEST(core_diag__severity_names)
{
	ck_assert_str_eq(opex_severity_name(OPEX_SEVERITY_ERROR), "error");
	ck_assert_str_eq(opex_severity_name(OPEX_SEVERITY_WARNING), "warning");
	ck_assert_str_eq(opex_severity_name(OPEX_SEVERITY_INFO), "info");
	ck_assert_int_eq(opex_severity_parse("error"), OPEX_SEVERITY_ERROR);
	ck_assert_int_eq(opex_severity_parse("warning"), OPEX_SEVERITY_WARNING);
	ck_assert_int_eq(opex_severity_parse("info"), OPEX_SEVERITY_INFO);
	ck_assert_int_eq(opex_severity_parse("Error"), -1);
	ck_assert_int_eq(opex_severity_parse(""), -1);
}
END_TEST

START_TEST(core_error__set_and_clear)
{
	opex_error err = OPEX_ERROR_INIT;

	ck_assert_int_eq(opex_error_set(&err, OPEX_ENOTFOUND, "cannot open '%s'",
		"x.md"), OPEX_ENOTFOUND);
	ck_assert_int_eq(err.code, OPEX_ENOTFOUND);
	ck_assert_str_eq(err.message, "cannot open 'x.md'");
	ck_assert_int_eq(opex_error_set(NULL, OPEX_EIO, "ignored"), OPEX_EIO);
	opex_error_clear(&err);
	ck_assert_int_eq(err.code, 0);
	ck_assert_str_eq(err.message, "");
	opex_error_clear(NULL);
	ck_assert_str_eq(opex_error_name(OPEX_ETOOBIG), "too big");
	ck_assert_str_eq(opex_error_name(-99), "error");
}
END_TEST

Suite *suite_diag(void)
{
	Suite *s = suite_create("core_diag");
	TCase *tc = tcase_create("opex_diag");
	TCase *err = tcase_create("opex_error");

	tcase_add_test(tc, core_diag__add_copies);
	tcase_add_test(tc, core_diag__many_and_counts);
	tcase_add_test(tc, core_diag__sorts_as_people_read);
	tcase_add_test(tc, core_diag__long_message);
	tcase_add_test(tc, core_diag__severity_names);
	tcase_add_test(err, core_error__set_and_clear);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, err);
	return s;
}

/* check_path.c: handbook paths (core/path.c). */
#include "core/path.h"
#include "core/limits.h"
#include "core/memory.h"

#include <check.h>
#include <string.h>

#include "core/banned.h"

static const struct {
	const char *path;
	bool clean;
} clean[] = {
	{ "articles/cards/lost-card.md", true },
	{ "people.yaml", true },
	{ "a/b.c/d", true },
	{ "..hidden/x", true },
	{ ".well-known", true },
	{ "", false },
	{ "/abs/path", false },
	{ "trailing/", false },
	{ "a//b", false },
	{ "a/./b", false },
	{ "a/../b", false },
	{ "..", false },
	{ ".", false },
	{ "a/..", false },
};

START_TEST(core_path__is_clean)
{
	ck_assert_msg(opex_path_is_clean(clean[_i].path) == clean[_i].clean,
		"'%s'", clean[_i].path);
}
END_TEST

START_TEST(core_path__is_clean_limits)
{
	char *long_path = opex_malloc(OPEX_LIMIT_PATH_BYTES + 2);

	ck_assert(!opex_path_is_clean(NULL));
	memset(long_path, 'a', OPEX_LIMIT_PATH_BYTES + 1);
	long_path[OPEX_LIMIT_PATH_BYTES + 1] = '\0';
	ck_assert(!opex_path_is_clean(long_path));
	long_path[OPEX_LIMIT_PATH_BYTES] = '\0';
	ck_assert(opex_path_is_clean(long_path));
	opex_free(long_path);
}
END_TEST

/* from, ref, result (NULL: fails with OPEX_EINVALID), message part. */
static const struct {
	const char *from, *ref, *want, *message;
} resolve[] = {
	{ "articles/cards/a.md", "b.md", "articles/cards/b.md", NULL },
	{ "articles/cards/a.md", "./b.md", "articles/cards/b.md", NULL },
	{ "articles/cards/a.md", "../onboarding/id.md", "articles/onboarding/id.md", NULL },
	{ "articles/cards/a.md", "../../processes/m.dot", "processes/m.dot", NULL },
	{ "articles/cards/a.md", "/people.yaml", "people.yaml", NULL },
	{ "articles/cards/a.md", "/articles/../opex.yaml", "opex.yaml", NULL },
	{ "articles/cards/a.md", "x//y/./z", "articles/cards/x/y/z", NULL },
	{ "articles/cards/a.md", "sub/", "articles/cards/sub", NULL },
	{ "articles/cards/a.md", "a/../../b", "articles/b", NULL },
	{ "articles/cards/a.md", "..", "articles", NULL },
	{ "README.md", "docs/x.md", "docs/x.md", NULL },
	{ "README.md", "./", NULL, "names no file" },
	{ "articles/a.md", "..", NULL, "names no file" },
	{ "articles/cards/a.md", "../../..", NULL, "leaves the handbook" },
	{ "articles/cards/a.md", "../../../etc/passwd", NULL, "leaves the handbook" },
	{ "README.md", "../x", NULL, "leaves the handbook" },
	{ "articles/a.md", "/../x", NULL, "leaves the handbook" },
	{ "articles/a.md", "", "articles", NULL },
};

START_TEST(core_path__resolve)
{
	opex_buf out = OPEX_BUF_INIT(OPEX_LIMIT_PATH_BYTES);
	opex_error err = OPEX_ERROR_INIT;
	int rc = opex_path_resolve(&out, resolve[_i].from, resolve[_i].ref, &err);

	if (resolve[_i].want) {
		ck_assert_msg(rc == 0, "case %d: %s", _i, err.message);
		ck_assert_str_eq(out.ptr, resolve[_i].want);
		ck_assert(opex_path_is_clean(out.ptr));
	} else {
		ck_assert_int_eq(rc, OPEX_EINVALID);
		ck_assert_msg(strstr(err.message, resolve[_i].message) != NULL,
			"case %d: '%s'", _i, err.message);
	}
	opex_buf_release(&out);
}
END_TEST

START_TEST(core_path__resolve_too_long)
{
	opex_buf out = OPEX_BUF_INIT(16);
	opex_error err = OPEX_ERROR_INIT;

	ck_assert_int_eq(opex_path_resolve(&out, "articles/a.md",
		"a-very-long-folder-name/and-a-file.md", &err), OPEX_ETOOBIG);
	opex_buf_release(&out);
}
END_TEST

START_TEST(core_path__suffix_and_under)
{
	ck_assert(opex_path_has_suffix("articles/a.md", ".md"));
	ck_assert(!opex_path_has_suffix("articles/a.mdx", ".md"));
	ck_assert(!opex_path_has_suffix("md", ".md"));
	ck_assert(opex_path_has_suffix(".md", ".md"));
	ck_assert(opex_path_under("articles/a.md", "articles"));
	ck_assert(opex_path_under("articles/x/y.md", "articles"));
	ck_assert(!opex_path_under("articles", "articles"));
	ck_assert(!opex_path_under("articles2/a.md", "articles"));
	ck_assert(!opex_path_under("art", "articles"));
}
END_TEST

Suite *suite_path(void)
{
	Suite *s = suite_create("core_path");
	TCase *tc = tcase_create("opex_path");

	tcase_add_loop_test(tc, core_path__is_clean, 0,
		(int)(sizeof(clean) / sizeof(clean[0])));
	tcase_add_test(tc, core_path__is_clean_limits);
	tcase_add_loop_test(tc, core_path__resolve, 0,
		(int)(sizeof(resolve) / sizeof(resolve[0])));
	tcase_add_test(tc, core_path__resolve_too_long);
	tcase_add_test(tc, core_path__suffix_and_under);
	suite_add_tcase(s, tc);
	return s;
}

/*
 * check_corrupt_objects.c: a handbook whose repository lost or damaged
 * some git objects (a loose object file deleted or overwritten): the
 * object is named in a diagnostic with the path that needed it, and the
 * rest of the handbook is still loaded and linted (kb/git_source.c,
 * history.c, handbook.c; `opex lint`). The index: tests/search.
 */
#define _POSIX_C_SOURCE 200809L

#include "support/repo_fixture.h"
#include "support/test_util.h"
#include "core/memory.h"
#include "kb/kb.h"

#include <check.h>
#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/banned.h"

#include "support/corrupt_repo.h"

/* --- a file's blob ---------------------------------------------------- */

START_TEST(kb_corrupt_objects__article_blob)
{
	opex_test_damage how = (opex_test_damage)_i;
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_test_repo *repo = opex_test_corrupt_repo(NULL);
	opex_kb_handbook *hb;
	const opex_diag *d;
	char id[41], want[160];
	size_t len;
	char *bytes;

	opex_test_object_id(id, repo, "HEAD:articles/refunds.md");
	bytes = opex_test_object_damage(repo, id, how, &len);
	hb = opex_test_corrupt_load(repo, "", &diags);
	d = opex_test_the_unreadable(&diags, "articles/refunds.md");
	opex_test_assert_names_object(d, id, how);
	if (how == OPEX_TEST_DAMAGE_DELETE) {
		snprintf(want, sizeof(want),
			"cannot read git object %s: object not found", id);
		ck_assert_str_eq(d->message, want);
	}
	ck_assert_ptr_null(opex_kb_handbook_find(hb, "articles/refunds.md"));
	ck_assert_uint_eq(opex_kb_handbook_article_count(hb), opex_test_corrupt_article_count - 1);
	/* the others keep what history says of them */
	ck_assert_ptr_nonnull(opex_kb_handbook_find(hb,
		"articles/cards/freeze.md")->last_change);
	ck_assert(!opex_kb_handbook_find(hb, "articles/cards/freeze.md")->stale);
	opex_kb_lint(hb, &diags);
	opex_kb_handbook_free(hb);
	opex_diag_list_release(&diags);
	opex_free(bytes);
	opex_test_repo_free(repo);
}
END_TEST

START_TEST(kb_corrupt_objects__roster_blob)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_test_repo *repo = opex_test_corrupt_repo(NULL);
	opex_kb_handbook *hb;
	char id[41];
	size_t len;
	char *bytes;

	opex_test_object_id(id, repo, "HEAD:people.yaml");
	bytes = opex_test_object_damage(repo, id, OPEX_TEST_DAMAGE_DELETE, &len);
	hb = opex_test_corrupt_load(repo, "", &diags);
	opex_test_assert_names_object(opex_test_the_unreadable(&diags, "people.yaml"), id, OPEX_TEST_DAMAGE_DELETE);
	ck_assert_uint_eq(opex_kb_handbook_article_count(hb), opex_test_corrupt_article_count);
	opex_kb_handbook_free(hb);
	opex_diag_list_release(&diags);
	opex_free(bytes);
	opex_test_repo_free(repo);
}
END_TEST

/* --- a folder's tree -------------------------------------------------- */

START_TEST(kb_corrupt_objects__subtree)
{
	opex_test_damage how = (opex_test_damage)_i;
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_test_repo *repo = opex_test_corrupt_repo(NULL);
	opex_kb_handbook *hb;
	const opex_diag *d;
	char id[41];
	size_t len;
	char *bytes;

	opex_test_object_id(id, repo, "HEAD:articles/cards");
	bytes = opex_test_object_damage(repo, id, how, &len);
	hb = opex_test_corrupt_load(repo, "", &diags);
	d = opex_test_the_unreadable(&diags, "articles/cards");
	opex_test_assert_names_object(d, id, how);
	ck_assert_ptr_nonnull(strstr(d->message, "its files are left out"));
	ck_assert_ptr_null(opex_kb_handbook_find(hb, "articles/cards/freeze.md"));
	ck_assert_ptr_null(opex_kb_handbook_find(hb,
		"articles/cards/lost-card.md"));
	ck_assert_uint_eq(opex_kb_handbook_article_count(hb), 2);
	/* the walk still works: the folder is not at the revision any more */
	ck_assert_ptr_nonnull(opex_kb_handbook_find(hb,
		"articles/wfm/intraday.md")->last_change);
	ck_assert_str_eq(opex_kb_handbook_find(hb,
		"articles/refunds.md")->last_change->id,
		opex_kb_repo_commit(opex_kb_handbook_repo(hb)));
	opex_kb_handbook_free(hb);
	opex_diag_list_release(&diags);
	opex_free(bytes);
	opex_test_repo_free(repo);
}
END_TEST

/* --- history ---------------------------------------------------------- */

static const struct {
	const char *name;
	const char *spec;       /* the object to damage */
	int commit;             /* the commit named with it (index into ids) */
} history_cases[] = {
	{ "first commit", "HEAD~2", 1 },
	{ "middle commit", "HEAD~1", 2 },
	{ "tree of the first commit", "HEAD~2:articles/cards", 0 },
	{ "root tree of a parent", "HEAD~1^{tree}", 1 },
};

START_TEST(kb_corrupt_objects__old_commit_or_tree)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	char ids[3][41], id[41], at[24], cache[4300];
	opex_test_repo *repo = opex_test_corrupt_repo(ids);
	opex_kb_handbook *hb;
	const opex_kb_article *a;
	const opex_diag *d;
	struct stat st;
	size_t i, len;
	char *bytes;

	opex_test_object_id(id, repo, history_cases[_i].spec);
	bytes = opex_test_object_damage(repo, id, OPEX_TEST_DAMAGE_DELETE, &len);
	snprintf(cache, sizeof(cache), "%s/.git/opex/history.cache",
		opex_test_repo_path(repo));
	LIBGIT2_LEAKS_BEGIN();
	hb = opex_test_corrupt_load(repo, NULL, &diags);
	LIBGIT2_LEAKS_END();
	d = opex_test_the_unreadable(&diags, "");
	opex_test_assert_names_object(d, id, OPEX_TEST_DAMAGE_DELETE);
	snprintf(at, sizeof(at), "commit %.10s", ids[history_cases[_i].commit]);
	ck_assert_msg(strstr(d->message, at) != NULL, "%s: no '%s' in '%s'",
		history_cases[_i].name, at, d->message);
	ck_assert_ptr_nonnull(strstr(d->message, "are unknown"));
	/* every article is there; what history derives is unknown, not stale */
	ck_assert_uint_eq(opex_kb_handbook_article_count(hb), opex_test_corrupt_article_count);
	for (i = 0; i < opex_test_corrupt_article_count; i++) {
		a = opex_kb_handbook_find(hb, opex_test_corrupt_articles[i].path);
		ck_assert_ptr_nonnull(a);
		ck_assert_ptr_null(a->last_change);
		ck_assert_ptr_null(a->verified);
		ck_assert(!a->stale);
		ck_assert(!a->outdated);
	}
	opex_kb_lint(hb, &diags);
	ck_assert(!opex_test_has_diag(&diags, "review-overdue", NULL, 0));
	/* a failed walk writes no cache */
	ck_assert_int_ne(stat(cache, &st), 0);
	opex_kb_handbook_free(hb);
	opex_diag_list_release(&diags);

	/* put it back: the history is known again, and cached */
	opex_test_object_restore(repo, id, bytes, len);
	hb = opex_test_corrupt_load(repo, NULL, &diags);
	ck_assert(!opex_test_has_diag(&diags, "object-unreadable", NULL, 0));
	ck_assert_str_eq(opex_kb_handbook_find(hb,
		"articles/cards/freeze.md")->last_change->id, ids[1]);
	ck_assert_int_eq(stat(cache, &st), 0);
	opex_kb_handbook_free(hb);
	opex_diag_list_release(&diags);
	opex_free(bytes);
	opex_test_repo_free(repo);
}
END_TEST

START_TEST(kb_corrupt_objects__served_commit_is_fatal)
{
	opex_kb_handbook_options opts = OPEX_KB_HANDBOOK_OPTIONS_INIT;
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_error err = OPEX_ERROR_INIT;
	char ids[3][41], root[41], want[80];
	opex_test_repo *repo = opex_test_corrupt_repo(ids);
	opex_kb_handbook *hb = NULL;
	size_t len;
	char *bytes;

	/* the root tree of the served commit */
	opex_test_object_id(root, repo, "HEAD^{tree}");
	bytes = opex_test_object_damage(repo, root, OPEX_TEST_DAMAGE_DELETE, &len);
	opts.history_cache = "";
	ck_assert_int_eq(opex_kb_handbook_load(&hb, opex_test_repo_path(repo),
		&opts, &diags, &err), OPEX_EIO);
	snprintf(want, sizeof(want), "cannot read git object %s", root);
	ck_assert_msg(strstr(err.message, want) != NULL, "%s", err.message);
	ck_assert_ptr_nonnull(strstr(err.message, ids[2]));
	opex_test_object_restore(repo, root, bytes, len);
	opex_free(bytes);

	/* the served commit itself */
	bytes = opex_test_object_damage(repo, ids[2], OPEX_TEST_DAMAGE_DELETE, &len);
	ck_assert_int_lt(opex_kb_handbook_load(&hb, opex_test_repo_path(repo),
		&opts, &diags, &err), 0);
	ck_assert_ptr_null(hb);
	snprintf(want, sizeof(want), "cannot read git object %s", ids[2]);
	ck_assert_msg(strstr(err.message, want) != NULL, "%s", err.message);
	ck_assert_ptr_nonnull(strstr(err.message, "'HEAD'"));
	opex_diag_list_release(&diags);
	opex_free(bytes);
	opex_test_repo_free(repo);
}
END_TEST

/* --- opex lint --------------------------------------------------------- */

START_TEST(kb_corrupt_objects__lint_names_the_object)
{
	opex_test_repo *repo = opex_test_corrupt_repo(NULL);
	char id[41], tree[41], want[300];
	char *out = NULL, *err = NULL, *bytes, *tree_bytes;
	size_t len, tree_len;
	char args[4400];

	opex_test_object_id(id, repo, "HEAD:articles/refunds.md");
	opex_test_object_id(tree, repo, "HEAD:articles/wfm");
	bytes = opex_test_object_damage(repo, id, OPEX_TEST_DAMAGE_DELETE, &len);
	tree_bytes = opex_test_object_damage(repo, tree, OPEX_TEST_DAMAGE_OVERWRITE, &tree_len);
	snprintf(args, sizeof(args), "lint '%s' --now 2026-01-04 --no-cache",
		opex_test_repo_path(repo));
	ck_assert_int_eq(opex_test_run_opex(args, &out, &err), 1);
	snprintf(want, sizeof(want),
		"articles/refunds.md: error: cannot read git object %s: "
		"object not found [object-unreadable]\n", id);
	ck_assert_msg(strstr(out, want) != NULL, "no '%s' in:\n%s", want, out);
	snprintf(want, sizeof(want),
		"articles/wfm: error: cannot read git object %s: ", tree);
	ck_assert_msg(strstr(out, want) != NULL, "no '%s' in:\n%s", want, out);
	/* the rest is linted: 2 articles (the cards), both errors counted */
	ck_assert_msg(strstr(err, "2 errors, 0 warnings in 2 articles") != NULL,
		"%s", err);
	opex_free(out);
	opex_free(err);
	opex_free(bytes);
	opex_free(tree_bytes);
	opex_test_repo_free(repo);
}
END_TEST

Suite *suite_corrupt_objects(void)
{
	Suite *s = suite_create("kb_corrupt_objects");
	TCase *tc;

	tc = tcase_create("blob");
	tcase_add_loop_test(tc, kb_corrupt_objects__article_blob,
		OPEX_TEST_DAMAGE_DELETE, OPEX_TEST_DAMAGE_OVERWRITE + 1);
	tcase_add_test(tc, kb_corrupt_objects__roster_blob);
	suite_add_tcase(s, tc);

	tc = tcase_create("subtree");
	tcase_add_loop_test(tc, kb_corrupt_objects__subtree, OPEX_TEST_DAMAGE_DELETE,
		OPEX_TEST_DAMAGE_OVERWRITE + 1);
	suite_add_tcase(s, tc);

	tc = tcase_create("history");
	tcase_add_loop_test(tc, kb_corrupt_objects__old_commit_or_tree, 0,
		(int)(sizeof(history_cases) / sizeof(history_cases[0])));
	tcase_add_test(tc, kb_corrupt_objects__served_commit_is_fatal);
	suite_add_tcase(s, tc);

	tc = tcase_create("lint");
	tcase_add_test(tc, kb_corrupt_objects__lint_names_the_object);
	suite_add_tcase(s, tc);
	return s;
}

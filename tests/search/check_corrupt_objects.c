/*
 * check_corrupt_objects.c: the index of a handbook whose repository lost
 * or damaged git objects leaves out what it cannot read, says it is
 * incomplete, and catches up once the objects are back; with an unknown
 * history nothing is stale (search/update.c).
 */
#define _POSIX_C_SOURCE 200809L

#include "support/corrupt_repo.h"
#include "support/repo_fixture.h"
#include "support/test_util.h"
#include "core/memory.h"
#include "search/search.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/banned.h"

/* --- the search index -------------------------------------------------- */

typedef struct env {
	opex_test_repo *repo;
	char *dir;
	char index_path[4200];
	opex_search_index *ix;
} env;

/* Plan, load what the plan wants and update, as `opex index` does. */
static void sync_index(env *e, opex_diag_list *diags)
{
	opex_kb_handbook_options opts = OPEX_KB_HANDBOOK_OPTIONS_INIT;
	opex_kb_handbook *hb = NULL;
	opex_kb_repo *repo = NULL;
	opex_error err = OPEX_ERROR_INIT;

	ck_assert_msg(opex_kb_repo_open(&repo, opex_test_repo_path(e->repo),
		NULL, &err) == 0, "%s", err.message);
	ck_assert_msg(opex_search_index_plan(e->ix, repo, false, &err) == 0, "%s",
		err.message);
	opts.history_cache = "";
	opts.now = T0 + 3 * DAY;
	opts.want = opex_search_index_wants;
	opts.want_payload = e->ix;
	ck_assert_msg(opex_kb_handbook_load(&hb, opex_test_repo_path(e->repo),
		&opts, diags, &err) == 0, "%s", err.message);
	ck_assert_msg(opex_search_index_update(NULL, e->ix, hb, NULL, &err) == 0,
		"%s", err.message);
	opex_kb_handbook_free(hb);
	opex_kb_repo_free(repo);
}

/*
 * The number of articles found for `text`; `stale` (may be NULL): whether
 * any is stale as of `now` (0: the day the tests load at).
 */
static size_t hits(env *e, const char *text, int64_t now, bool *stale)
{
	opex_search_options so = OPEX_SEARCH_OPTIONS_INIT;
	opex_search_result r;
	opex_error err = OPEX_ERROR_INIT;
	opex_search_query *q = NULL;
	size_t n, i;

	so.now = now ? now : T0 + 3 * DAY;
	ck_assert_int_eq(opex_search_query_parse(&q, text, strlen(text), &err), 0);
	ck_assert_msg(opex_search_run(&r, e->ix, q, &so, &err) == 0, "%s",
		err.message);
	n = r.total;
	if (stale != NULL) {
		*stale = false;
		for (i = 0; i < r.hit_count; i++)
			*stale = *stale || r.hits[i].stale;
	}
	opex_search_result_release(&r);
	opex_search_query_free(q);
	return n;
}

static void revision(char out[41], env *e)
{
	opex_error err = OPEX_ERROR_INIT;

	ck_assert_int_eq(opex_search_index_revision(out, e->ix, &err), 0);
}

static void env_open(env *e, char ids[3][41])
{
	opex_error err = OPEX_ERROR_INIT;

	memset(e, 0, sizeof(*e));
	e->repo = opex_test_corrupt_repo(ids);
	e->dir = opex_test_tmpdir();
	snprintf(e->index_path, sizeof(e->index_path), "%s/index.sqlite",
		e->dir);
	ck_assert_msg(opex_search_index_open(&e->ix, e->index_path, &err) == 0,
		"%s", err.message);
}

static void env_close(env *e)
{
	opex_search_index_free(e->ix);
	opex_test_repo_free(e->repo);
	opex_test_rmtree(e->dir);
}

START_TEST(search_corrupt_objects__index_skips_and_catches_up)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	char ids[3][41], id[41], rev[41];
	size_t len;
	char *bytes;
	env e;

	env_open(&e, ids);
	sync_index(&e, &diags);
	ck_assert_uint_eq(hits(&e, "quillwort", 0, NULL), 1);

	/* a new version of refunds.md whose blob is lost */
	opex_test_repo_put(e.repo, "articles/refunds.md",
		"---\ntitle: Refunds\nowner: ana\nlanguage: en\n---\n"
		"Refund a payment with the Quillwort form; Snapdragon approves.\n");
	opex_test_repo_commit(e.repo, "Ana Lima", "ana@example.com",
		T0 + 2 * DAY + 60, "Approval", ids[2]);
	opex_test_object_id(id, e.repo, "HEAD:articles/refunds.md");
	bytes = opex_test_object_damage(e.repo, id, OPEX_TEST_DAMAGE_DELETE, &len);
	opex_diag_list_release(&diags);
	sync_index(&e, &diags);
	opex_test_assert_names_object(opex_test_the_unreadable(&diags, "articles/refunds.md"), id, OPEX_TEST_DAMAGE_DELETE);
	ck_assert_uint_eq(hits(&e, "snapdragon", 0, NULL), 0);
	ck_assert_uint_eq(hits(&e, "quillwort", 0, NULL), 0);
	ck_assert_uint_eq(hits(&e, "tamarisk", 0, NULL), 1);
	ck_assert_uint_eq(hits(&e, "marrowfat OR bergamot", 0, NULL), 2);
	/* left out: not up to date, so `opex index` does not stop early */
	revision(rev, &e);
	ck_assert_str_eq(rev, "");

	/* the object comes back: the next update indexes it, no commit needed */
	opex_test_object_restore(e.repo, id, bytes, len);
	opex_diag_list_release(&diags);
	sync_index(&e, &diags);
	ck_assert(!opex_test_has_diag(&diags, "object-unreadable", NULL, 0));
	ck_assert_uint_eq(hits(&e, "snapdragon", 0, NULL), 1);
	ck_assert_uint_eq(hits(&e, "tamarisk", 0, NULL), 1);
	revision(rev, &e);
	ck_assert_str_eq(rev, ids[2]);

	opex_diag_list_release(&diags);
	opex_free(bytes);
	env_close(&e);
}
END_TEST

START_TEST(search_corrupt_objects__index_with_unknown_history)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	char ids[3][41], rev[41];
	bool stale = true;
	size_t len;
	char *bytes;
	env e;

	env_open(&e, ids);
	bytes = opex_test_object_damage(e.repo, ids[0], OPEX_TEST_DAMAGE_DELETE, &len);
	LIBGIT2_LEAKS_BEGIN();
	sync_index(&e, &diags);
	LIBGIT2_LEAKS_END();
	opex_test_the_unreadable(&diags, "");
	/* a year later: unknown is not stale */
	ck_assert_uint_eq(hits(&e, "quillwort OR tamarisk OR marrowfat OR bergamot",
		T0 + 365 * DAY, &stale), opex_test_corrupt_article_count);
	ck_assert(!stale);
	revision(rev, &e);
	ck_assert_str_eq(rev, "");

	opex_test_object_restore(e.repo, ids[0], bytes, len);
	opex_diag_list_release(&diags);
	sync_index(&e, &diags);
	ck_assert(!opex_test_has_diag(&diags, "object-unreadable", NULL, 0));
	revision(rev, &e);
	ck_assert_str_eq(rev, ids[2]);
	/* known again: judged again, for articles the update did not rewrite */
	ck_assert_uint_eq(hits(&e, "tamarisk", 0, &stale), 1);
	ck_assert(!stale);
	ck_assert_uint_eq(hits(&e, "tamarisk", T0 + 365 * DAY, &stale), 1);
	ck_assert(stale);

	opex_diag_list_release(&diags);
	opex_free(bytes);
	env_close(&e);
}
END_TEST

Suite *suite_corrupt_objects(void)
{
	Suite *s = suite_create("search_corrupt_objects");
	TCase *tc = tcase_create("opex_search_index_update");

	tcase_add_test(tc, search_corrupt_objects__index_skips_and_catches_up);
	tcase_add_test(tc, search_corrupt_objects__index_with_unknown_history);
	suite_add_tcase(s, tc);
	return s;
}

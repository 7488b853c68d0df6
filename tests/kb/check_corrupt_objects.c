/*
 * check_corrupt_objects.c: a handbook whose repository lost or damaged
 * some git objects (a loose object file deleted or overwritten): the
 * object is named in a diagnostic with the path that needed it, and the
 * rest of the handbook is still loaded, indexed and searchable
 * (kb/git_source.c, history.c, handbook.c, index_sqlite.c; `opex lint`).
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

/*
 * libgit2 1.5 leaks its revwalk's lists when a commit cannot be read
 * (limit_list() returns without freeing them): calls that walk a history
 * with a commit missing run with LeakSanitizer off.
 */
#if defined(__SANITIZE_ADDRESS__)
#define OPEX_TEST_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define OPEX_TEST_LSAN 1
#endif
#endif
#ifdef OPEX_TEST_LSAN
#include <sanitizer/lsan_interface.h>
#define LIBGIT2_LEAKS_BEGIN() __lsan_disable()
#define LIBGIT2_LEAKS_END() __lsan_enable()
#else
#define LIBGIT2_LEAKS_BEGIN() ((void)0)
#define LIBGIT2_LEAKS_END() ((void)0)
#endif

#define T0 1767225600 /* 2026-01-01 */
#define DAY 86400

static const char roster[] =
	"people:\n"
	"  - id: ana\n"
	"    name: Ana Lima\n"
	"    email: ana@example.com\n";

/* Every article has its own words, so each blob is its own object. */
static const struct {
	const char *path, *text;
} articles[] = {
	{ "articles/refunds.md",
	  "---\ntitle: Refunds\nowner: ana\nlanguage: en\n---\n"
	  "Refund a payment with the Quillwort form.\n" },
	{ "articles/cards/lost-card.md",
	  "---\ntitle: Lost card\nowner: ana\nlanguage: en\n---\n"
	  "Freeze the card first, then order a Marrowfat replacement.\n" },
	{ "articles/cards/freeze.md",
	  "---\ntitle: Freeze a card\nowner: ana\nlanguage: en\n---\n"
	  "Freezing is instant in the Tamarisk console.\n" },
	{ "articles/wfm/intraday.md",
	  "---\ntitle: Intraday management\nowner: ana\nlanguage: en\n---\n"
	  "Move agents between queues with the Bergamot planner.\n" },
};

#define ARTICLE_COUNT (sizeof(articles) / sizeof(articles[0]))

typedef enum damage {
	DAMAGE_DELETE = 0,   /* the loose object file is gone */
	DAMAGE_OVERWRITE     /* it holds bytes that are not a git object */
} damage;

/*
 * Three commits: everything, then a change in articles/cards, then a
 * change to refunds.md. `ids` (3 x 41 bytes, may be NULL) gets them.
 */
static opex_test_repo *make_repo(char ids[3][41])
{
	opex_test_repo *repo = opex_test_repo_new(false);
	char scratch[3][41];
	size_t i;

	if (ids == NULL)
		ids = scratch;
	opex_test_repo_put(repo, "people.yaml", roster);
	for (i = 0; i < ARTICLE_COUNT; i++)
		opex_test_repo_put(repo, articles[i].path, articles[i].text);
	opex_test_repo_commit(repo, "Ana Lima", "ana@example.com", T0, "Add",
		ids[0]);
	opex_test_repo_put(repo, "articles/cards/freeze.md",
		"---\ntitle: Freeze a card\nowner: ana\nlanguage: en\n---\n"
		"Freezing is instant in the Tamarisk console, day and night.\n");
	opex_test_repo_commit(repo, "Ana Lima", "ana@example.com", T0 + DAY,
		"Freeze at night", ids[1]);
	opex_test_repo_put(repo, "articles/refunds.md",
		"---\ntitle: Refunds\nowner: ana\nlanguage: en\n---\n"
		"Refund a payment with the Quillwort form within 30 days.\n");
	opex_test_repo_commit(repo, "Ana Lima", "ana@example.com",
		T0 + 2 * DAY, "Refund window", ids[2]);
	return repo;
}

/* The id of what `spec` names at HEAD ("HEAD:articles/cards", "HEAD~2^{tree}"). */
static void object_id(char out[41], opex_test_repo *repo, const char *spec)
{
	git_repository *git = NULL;
	git_object *obj = NULL;

	ck_assert_int_ge(git_libgit2_init(), 0);
	ck_assert_int_eq(git_repository_open(&git, opex_test_repo_path(repo)), 0);
	ck_assert_msg(git_revparse_single(&obj, git, spec) == 0, "no %s", spec);
	git_oid_tostr(out, 41, git_object_id(obj));
	git_object_free(obj);
	git_repository_free(git);
	git_libgit2_shutdown();
}

static void object_file(char *out, size_t size, opex_test_repo *repo,
	const char *id)
{
	snprintf(out, size, "%s/.git/objects/%.2s/%s", opex_test_repo_path(repo),
		id, id + 2);
}

/* Damage the loose object `id`; returns its old bytes (free with opex_free). */
static char *damage_object(opex_test_repo *repo, const char *id, damage how,
	size_t *len)
{
	char path[4200];
	char *bytes;
	FILE *f;

	object_file(path, sizeof(path), repo, id);
	bytes = opex_test_read_file(path, len);
	ck_assert_msg(bytes != NULL, "no loose object %s", path);
	if (how == DAMAGE_DELETE) {
		ck_assert_int_eq(unlink(path), 0);
		return bytes;
	}
	ck_assert_int_eq(chmod(path, 0644), 0);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	fputs("this is not a zlib stream", f);
	ck_assert_int_eq(fclose(f), 0);
	return bytes;
}

static void restore_object(opex_test_repo *repo, const char *id,
	const char *bytes, size_t len)
{
	char path[4200];
	FILE *f;

	object_file(path, sizeof(path), repo, id);
	unlink(path);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(bytes, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

static opex_kb_handbook *load(opex_test_repo *repo, const char *cache,
	opex_diag_list *diags)
{
	opex_kb_handbook_options opts = OPEX_KB_HANDBOOK_OPTIONS_INIT;
	opex_kb_handbook *hb = NULL;
	opex_error err = OPEX_ERROR_INIT;

	opts.history_cache = cache;
	opts.now = T0 + 3 * DAY;
	ck_assert_msg(opex_kb_handbook_load(&hb, opex_test_repo_path(repo),
		&opts, diags, &err) == 0, "%s", err.message);
	return hb;
}

/* The only object-unreadable diagnostic, which must be on `path`. */
static const opex_diag *the_diag(const opex_diag_list *diags, const char *path)
{
	const opex_diag *found = NULL;
	size_t i, n = 0;

	for (i = 0; i < diags->count; i++) {
		if (strcmp(diags->items[i].rule, "object-unreadable") != 0)
			continue;
		found = &diags->items[i];
		n++;
	}
	if (n != 1 || strcmp(found->path, path) != 0)
		opex_test_dump_diags(diags);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(found->path, path);
	ck_assert_int_eq(found->severity, OPEX_SEVERITY_ERROR);
	return found;
}

static void assert_names(const opex_diag *d, const char *id, damage how)
{
	char want[80];

	snprintf(want, sizeof(want), "cannot read git object %s", id);
	ck_assert_msg(strstr(d->message, want) != NULL, "'%s' does not say '%s'",
		d->message, want);
	if (how == DAMAGE_DELETE)
		ck_assert_msg(strstr(d->message, ": object not found") != NULL,
			"'%s'", d->message);
}

/* --- a file's blob ---------------------------------------------------- */

START_TEST(kb_corrupt_objects__article_blob)
{
	damage how = (damage)_i;
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_test_repo *repo = make_repo(NULL);
	opex_kb_handbook *hb;
	const opex_diag *d;
	char id[41], want[160];
	size_t len;
	char *bytes;

	object_id(id, repo, "HEAD:articles/refunds.md");
	bytes = damage_object(repo, id, how, &len);
	hb = load(repo, "", &diags);
	d = the_diag(&diags, "articles/refunds.md");
	assert_names(d, id, how);
	if (how == DAMAGE_DELETE) {
		snprintf(want, sizeof(want),
			"cannot read git object %s: object not found", id);
		ck_assert_str_eq(d->message, want);
	}
	ck_assert_ptr_null(opex_kb_handbook_find(hb, "articles/refunds.md"));
	ck_assert_uint_eq(opex_kb_handbook_article_count(hb), ARTICLE_COUNT - 1);
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
	opex_test_repo *repo = make_repo(NULL);
	opex_kb_handbook *hb;
	char id[41];
	size_t len;
	char *bytes;

	object_id(id, repo, "HEAD:people.yaml");
	bytes = damage_object(repo, id, DAMAGE_DELETE, &len);
	hb = load(repo, "", &diags);
	assert_names(the_diag(&diags, "people.yaml"), id, DAMAGE_DELETE);
	ck_assert_uint_eq(opex_kb_handbook_article_count(hb), ARTICLE_COUNT);
	opex_kb_handbook_free(hb);
	opex_diag_list_release(&diags);
	opex_free(bytes);
	opex_test_repo_free(repo);
}
END_TEST

/* --- a folder's tree -------------------------------------------------- */

START_TEST(kb_corrupt_objects__subtree)
{
	damage how = (damage)_i;
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_test_repo *repo = make_repo(NULL);
	opex_kb_handbook *hb;
	const opex_diag *d;
	char id[41];
	size_t len;
	char *bytes;

	object_id(id, repo, "HEAD:articles/cards");
	bytes = damage_object(repo, id, how, &len);
	hb = load(repo, "", &diags);
	d = the_diag(&diags, "articles/cards");
	assert_names(d, id, how);
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
	opex_test_repo *repo = make_repo(ids);
	opex_kb_handbook *hb;
	const opex_kb_article *a;
	const opex_diag *d;
	struct stat st;
	size_t i, len;
	char *bytes;

	object_id(id, repo, history_cases[_i].spec);
	bytes = damage_object(repo, id, DAMAGE_DELETE, &len);
	snprintf(cache, sizeof(cache), "%s/.git/opex/history.cache",
		opex_test_repo_path(repo));
	LIBGIT2_LEAKS_BEGIN();
	hb = load(repo, NULL, &diags);
	LIBGIT2_LEAKS_END();
	d = the_diag(&diags, "");
	assert_names(d, id, DAMAGE_DELETE);
	snprintf(at, sizeof(at), "commit %.10s", ids[history_cases[_i].commit]);
	ck_assert_msg(strstr(d->message, at) != NULL, "%s: no '%s' in '%s'",
		history_cases[_i].name, at, d->message);
	ck_assert_ptr_nonnull(strstr(d->message, "are unknown"));
	/* every article is there; what history derives is unknown, not stale */
	ck_assert_uint_eq(opex_kb_handbook_article_count(hb), ARTICLE_COUNT);
	for (i = 0; i < ARTICLE_COUNT; i++) {
		a = opex_kb_handbook_find(hb, articles[i].path);
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
	restore_object(repo, id, bytes, len);
	hb = load(repo, NULL, &diags);
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
	opex_test_repo *repo = make_repo(ids);
	opex_kb_handbook *hb = NULL;
	size_t len;
	char *bytes;

	/* the root tree of the served commit */
	object_id(root, repo, "HEAD^{tree}");
	bytes = damage_object(repo, root, DAMAGE_DELETE, &len);
	opts.history_cache = "";
	ck_assert_int_eq(opex_kb_handbook_load(&hb, opex_test_repo_path(repo),
		&opts, &diags, &err), OPEX_EIO);
	snprintf(want, sizeof(want), "cannot read git object %s", root);
	ck_assert_msg(strstr(err.message, want) != NULL, "%s", err.message);
	ck_assert_ptr_nonnull(strstr(err.message, ids[2]));
	restore_object(repo, root, bytes, len);
	opex_free(bytes);

	/* the served commit itself */
	bytes = damage_object(repo, ids[2], DAMAGE_DELETE, &len);
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

/* --- the search index -------------------------------------------------- */

typedef struct env {
	opex_test_repo *repo;
	char *dir;
	char index_path[4200];
	opex_kb_index *ix;
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
	ck_assert_msg(opex_kb_index_plan(e->ix, repo, false, &err) == 0, "%s",
		err.message);
	opts.history_cache = "";
	opts.now = T0 + 3 * DAY;
	opts.want = opex_kb_index_wants;
	opts.want_payload = e->ix;
	ck_assert_msg(opex_kb_handbook_load(&hb, opex_test_repo_path(e->repo),
		&opts, diags, &err) == 0, "%s", err.message);
	ck_assert_msg(opex_kb_index_update(NULL, e->ix, hb, NULL, &err) == 0,
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
	opex_kb_search_options so = OPEX_KB_SEARCH_OPTIONS_INIT;
	opex_kb_search_result r;
	opex_error err = OPEX_ERROR_INIT;
	opex_kb_query *q = NULL;
	size_t n, i;

	so.now = now ? now : T0 + 3 * DAY;
	ck_assert_int_eq(opex_kb_query_parse(&q, text, strlen(text), &err), 0);
	ck_assert_msg(opex_kb_search(&r, e->ix, q, &so, &err) == 0, "%s",
		err.message);
	n = r.total;
	if (stale != NULL) {
		*stale = false;
		for (i = 0; i < r.hit_count; i++)
			*stale = *stale || r.hits[i].stale;
	}
	opex_kb_search_result_release(&r);
	opex_kb_query_free(q);
	return n;
}

static void revision(char out[41], env *e)
{
	opex_error err = OPEX_ERROR_INIT;

	ck_assert_int_eq(opex_kb_index_revision(out, e->ix, &err), 0);
}

static void env_open(env *e, char ids[3][41])
{
	opex_error err = OPEX_ERROR_INIT;

	memset(e, 0, sizeof(*e));
	e->repo = make_repo(ids);
	e->dir = opex_test_tmpdir();
	snprintf(e->index_path, sizeof(e->index_path), "%s/index.sqlite",
		e->dir);
	ck_assert_msg(opex_kb_index_open(&e->ix, e->index_path, &err) == 0,
		"%s", err.message);
}

static void env_close(env *e)
{
	opex_kb_index_free(e->ix);
	opex_test_repo_free(e->repo);
	opex_test_rmtree(e->dir);
}

START_TEST(kb_corrupt_objects__index_skips_and_catches_up)
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
	object_id(id, e.repo, "HEAD:articles/refunds.md");
	bytes = damage_object(e.repo, id, DAMAGE_DELETE, &len);
	opex_diag_list_release(&diags);
	sync_index(&e, &diags);
	assert_names(the_diag(&diags, "articles/refunds.md"), id, DAMAGE_DELETE);
	ck_assert_uint_eq(hits(&e, "snapdragon", 0, NULL), 0);
	ck_assert_uint_eq(hits(&e, "quillwort", 0, NULL), 0);
	ck_assert_uint_eq(hits(&e, "tamarisk", 0, NULL), 1);
	ck_assert_uint_eq(hits(&e, "marrowfat OR bergamot", 0, NULL), 2);
	/* left out: not up to date, so `opex index` does not stop early */
	revision(rev, &e);
	ck_assert_str_eq(rev, "");

	/* the object comes back: the next update indexes it, no commit needed */
	restore_object(e.repo, id, bytes, len);
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

START_TEST(kb_corrupt_objects__index_with_unknown_history)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	char ids[3][41], rev[41];
	bool stale = true;
	size_t len;
	char *bytes;
	env e;

	env_open(&e, ids);
	bytes = damage_object(e.repo, ids[0], DAMAGE_DELETE, &len);
	LIBGIT2_LEAKS_BEGIN();
	sync_index(&e, &diags);
	LIBGIT2_LEAKS_END();
	the_diag(&diags, "");
	/* a year later: unknown is not stale */
	ck_assert_uint_eq(hits(&e, "quillwort OR tamarisk OR marrowfat OR bergamot",
		T0 + 365 * DAY, &stale), ARTICLE_COUNT);
	ck_assert(!stale);
	revision(rev, &e);
	ck_assert_str_eq(rev, "");

	restore_object(e.repo, ids[0], bytes, len);
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

/* --- opex lint --------------------------------------------------------- */

START_TEST(kb_corrupt_objects__lint_names_the_object)
{
	opex_test_repo *repo = make_repo(NULL);
	char id[41], tree[41], want[300];
	char *out = NULL, *err = NULL, *bytes, *tree_bytes;
	size_t len, tree_len;
	char args[4400];

	object_id(id, repo, "HEAD:articles/refunds.md");
	object_id(tree, repo, "HEAD:articles/wfm");
	bytes = damage_object(repo, id, DAMAGE_DELETE, &len);
	tree_bytes = damage_object(repo, tree, DAMAGE_OVERWRITE, &tree_len);
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
		DAMAGE_DELETE, DAMAGE_OVERWRITE + 1);
	tcase_add_test(tc, kb_corrupt_objects__roster_blob);
	suite_add_tcase(s, tc);

	tc = tcase_create("subtree");
	tcase_add_loop_test(tc, kb_corrupt_objects__subtree, DAMAGE_DELETE,
		DAMAGE_OVERWRITE + 1);
	suite_add_tcase(s, tc);

	tc = tcase_create("history");
	tcase_add_loop_test(tc, kb_corrupt_objects__old_commit_or_tree, 0,
		(int)(sizeof(history_cases) / sizeof(history_cases[0])));
	tcase_add_test(tc, kb_corrupt_objects__served_commit_is_fatal);
	suite_add_tcase(s, tc);

	tc = tcase_create("index");
	tcase_add_test(tc, kb_corrupt_objects__index_skips_and_catches_up);
	tcase_add_test(tc, kb_corrupt_objects__index_with_unknown_history);
	suite_add_tcase(s, tc);

	tc = tcase_create("lint");
	tcase_add_test(tc, kb_corrupt_objects__lint_names_the_object);
	suite_add_tcase(s, tc);
	return s;
}

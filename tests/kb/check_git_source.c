/* check_git_source.c: the libgit2 adapter (kb/git_source.c). */
#include "kb/kb.h"
#include "core/buf.h"
#include "core/limits.h"
#include "core/memory.h"
#include "support/repo_fixture.h"
#include "support/test_util.h"

#include <check.h>
#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

#define T0 1700000000

static const char *SUBMODULE_ID = "0123456789abcdef0123456789abcdef01234567";

/* Two commits and a tag "v1" on the first; ids in c1 and c2. */
static opex_test_repo *sample_repo(bool bare, char *c1, char *c2)
{
	opex_test_repo *r = opex_test_repo_new(bare);
	git_repository *git = NULL;
	git_object *obj = NULL;
	git_oid oid, tag;

	opex_test_repo_put(r, "people.yaml", "people: []\n");
	opex_test_repo_put(r, "articles/cards/lost-card.md", "# Lost card\n");
	opex_test_repo_put(r, "articles/a.md", "# A\n");
	opex_test_repo_put(r, "articles-old.md", "old\n");
	opex_test_repo_put(r, "articles.md", "index\n");
	opex_test_repo_put_mode(r, "link.md", "articles/a.md",
		OPEX_TEST_MODE_LINK);
	opex_test_repo_put_mode(r, "vendor/lib", SUBMODULE_ID,
		OPEX_TEST_MODE_GITLINK);
	opex_test_repo_commit(r, "Alice", "alice@example.com", T0, "first\n",
		c1);
	opex_test_repo_put(r, "articles/a.md", "# A, second\n");
	opex_test_repo_commit(r, "Bob", "bob@example.com", T0 + 60,
		"second\n", c2);

	ck_assert_int_eq(git_repository_open(&git, opex_test_repo_path(r)), 0);
	ck_assert_int_eq(git_oid_fromstr(&oid, c1), 0);
	ck_assert_int_eq(git_object_lookup(&obj, git, &oid, GIT_OBJECT_COMMIT),
		0);
	ck_assert_int_eq(git_tag_create_lightweight(&tag, git, "v1", obj, 0),
		0);
	git_object_free(obj);
	git_repository_free(git);
	return r;
}

static void assert_opens(const char *path, const char *rev, const char *id)
{
	opex_error err = OPEX_ERROR_INIT;
	opex_kb_repo *repo = NULL;
	int error = opex_kb_repo_open(&repo, path, rev, &err);

	ck_assert_msg(error == 0, "open '%s' at '%s': %s", path,
		rev ? rev : "(null)", err.message);
	ck_assert_str_eq(opex_kb_repo_commit(repo), id);
	opex_kb_repo_free(repo);
}

START_TEST(kb_git_source__opens_work_tree_and_bare)
{
	char c1[41], c2[41];
	opex_test_repo *r = sample_repo(_i == 1, c1, c2);
	opex_kb_repo *repo = NULL;
	opex_error err = OPEX_ERROR_INIT;
	const char *dir;
	size_t len;

	ck_assert_int_eq(opex_kb_repo_open(&repo, opex_test_repo_path(r), NULL,
		&err), 0);
	ck_assert_str_eq(opex_kb_repo_commit(repo), c2);
	dir = opex_kb_repo_git_dir(repo);
	len = strlen(dir);
	ck_assert_msg(dir[len - 1] != '/', "git dir '%s' ends with /", dir);
	if (_i == 0)
		ck_assert_str_eq(dir + len - 5, "/.git");
	ck_assert_uint_eq(opex_kb_repo_count(repo), 7);
	opex_kb_repo_free(repo);
	opex_test_repo_free(r);
}
END_TEST

START_TEST(kb_git_source__opens_the_git_folder)
{
	char c1[41], c2[41];
	opex_test_repo *r = sample_repo(false, c1, c2);
	char path[4096];

	snprintf(path, sizeof(path), "%s/.git", opex_test_repo_path(r));
	assert_opens(path, NULL, c2);
	opex_test_repo_free(r);
}
END_TEST

START_TEST(kb_git_source__resolves_revisions)
{
	char c1[41], c2[41], short_id[8];
	opex_test_repo *r = sample_repo(false, c1, c2);
	const struct {
		const char *rev;
		const char *id;
	} cases[] = {
		{ NULL, c2 },
		{ "HEAD", c2 },
		{ "main", c2 },
		{ "refs/heads/main", c2 },
		{ "v1", c1 },
		{ short_id, c1 },
		{ c1, c1 },
		{ "HEAD~1", c1 },
		{ "main^", c1 },
	};

	memcpy(short_id, c1, 7);
	short_id[7] = '\0';
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_opens(opex_test_repo_path(r), cases[i].rev, cases[i].id);
	opex_test_repo_free(r);
}
END_TEST

START_TEST(kb_git_source__refuses_what_it_cannot_open)
{
	char c1[41], c2[41];
	opex_test_repo *r = sample_repo(false, c1, c2);
	opex_test_repo *empty = opex_test_repo_new(false);
	char *plain = opex_test_tmpdir();
	char expect[3][1024];
	const struct {
		const char *path, *rev;
		int code;
	} cases[] = {
		{ plain, NULL, OPEX_ENOTFOUND },
		{ opex_test_repo_path(r), "nope", OPEX_ENOTFOUND },
		{ opex_test_repo_path(empty), NULL, OPEX_EINVALID },
	};

	snprintf(expect[0], sizeof(expect[0]), "'%s' is not a git repository",
		plain);
	snprintf(expect[1], sizeof(expect[1]), "unknown revision 'nope' in '%s'",
		opex_test_repo_path(r));
	snprintf(expect[2], sizeof(expect[2]), "'%s' has no commits",
		opex_test_repo_path(empty));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		opex_error err = OPEX_ERROR_INIT;
		opex_kb_repo *repo = (opex_kb_repo *)1;
		int error = opex_kb_repo_open(&repo, cases[i].path,
			cases[i].rev, &err);

		ck_assert_int_eq(error, cases[i].code);
		ck_assert_int_eq(err.code, cases[i].code);
		ck_assert_ptr_null(repo);
		ck_assert_str_eq(err.message, expect[i]);
	}
	/* A NULL error is fine too. */
	{
		opex_kb_repo *repo = NULL;

		ck_assert_int_eq(opex_kb_repo_open(&repo, plain, NULL, NULL),
			OPEX_ENOTFOUND);
	}
	opex_test_rmtree(plain);
	opex_test_repo_free(empty);
	opex_test_repo_free(r);
}
END_TEST

START_TEST(kb_git_source__lists_the_tree_in_strcmp_order)
{
	char c1[41], c2[41];
	opex_test_repo *r = sample_repo(false, c1, c2);
	opex_kb_repo *repo = NULL;
	const struct {
		const char *path;
		opex_kb_entry_kind kind;
	} expect[] = {
		{ "articles-old.md", OPEX_KB_ENTRY_FILE },
		{ "articles.md", OPEX_KB_ENTRY_FILE },
		{ "articles/a.md", OPEX_KB_ENTRY_FILE },
		{ "articles/cards/lost-card.md", OPEX_KB_ENTRY_FILE },
		{ "link.md", OPEX_KB_ENTRY_SYMLINK },
		{ "people.yaml", OPEX_KB_ENTRY_FILE },
		{ "vendor/lib", OPEX_KB_ENTRY_SUBMODULE },
	};
	size_t n = sizeof(expect) / sizeof(expect[0]);

	ck_assert_int_eq(opex_kb_repo_open(&repo, opex_test_repo_path(r),
		NULL, NULL), 0);
	ck_assert_uint_eq(opex_kb_repo_count(repo), n);
	for (size_t i = 0; i < n; i++) {
		const opex_kb_entry *e = opex_kb_repo_entry(repo, i);

		ck_assert_str_eq(e->path, expect[i].path);
		ck_assert_int_eq(e->kind, expect[i].kind);
		ck_assert_uint_eq(strlen(e->oid), 40);
		ck_assert_ptr_eq(opex_kb_repo_find(repo, e->path), e);
	}
	ck_assert_str_eq(opex_kb_repo_find(repo, "vendor/lib")->oid,
		SUBMODULE_ID);
	ck_assert_ptr_null(opex_kb_repo_find(repo, "articles"));
	ck_assert_ptr_null(opex_kb_repo_find(repo, "articles/cards"));
	ck_assert_ptr_null(opex_kb_repo_find(repo, "zzz"));
	ck_assert_ptr_null(opex_kb_repo_find(repo, ""));
	opex_kb_repo_free(repo);
	opex_test_repo_free(r);
}
END_TEST

/* What a commit changed: every kind of change, by path, in strcmp order. */
START_TEST(kb_git_source__lists_the_paths_changed_since_a_commit)
{
	char c1[41], c2[41], c3[41];
	opex_test_repo *r = sample_repo(false, c1, c2);
	opex_error err = OPEX_ERROR_INIT;
	opex_kb_repo *repo = NULL;
	char **paths = NULL;
	size_t n = 0;
	const char *expect[] = {
		"articles-old.md",             /* removed */
		"articles/a.md",               /* a file become a link */
		"articles/cards/lost-card.md", /* changed, two folders down */
		"articles/new/one.md",         /* added in a new folder */
		"vendor/lib",                  /* another gitlink commit */
	};

	opex_test_repo_remove(r, "articles-old.md");
	opex_test_repo_put_mode(r, "articles/a.md", "lost-card.md",
		OPEX_TEST_MODE_LINK);
	opex_test_repo_put(r, "articles/cards/lost-card.md", "# Lost card!\n");
	opex_test_repo_put(r, "articles/new/one.md", "# One\n");
	opex_test_repo_put_mode(r, "vendor/lib",
		"89abcdef0123456789abcdef0123456789abcdef", OPEX_TEST_MODE_GITLINK);
	opex_test_repo_commit(r, "Bob", "bob@example.com", T0 + 120, "third\n",
		c3);
	ck_assert_int_eq(opex_kb_repo_open(&repo, opex_test_repo_path(r),
		NULL, &err), 0);
	ck_assert_msg(opex_kb_repo_changed_paths(&paths, &n, repo, c2, &err) == 0,
		"%s", err.message);
	ck_assert_uint_eq(n, sizeof(expect) / sizeof(expect[0]));
	for (size_t i = 0; i < n; i++)
		ck_assert_str_eq(paths[i], expect[i]);
	opex_strings_free(paths, n);

	/* Since the first commit, a.md changed twice: listed once. */
	ck_assert_int_eq(opex_kb_repo_changed_paths(&paths, &n, repo, c1, &err), 0);
	ck_assert_uint_eq(n, 5);
	opex_strings_free(paths, n);

	/* Since itself: nothing. */
	ck_assert_int_eq(opex_kb_repo_changed_paths(&paths, &n, repo, c3, &err), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(paths);

	/* Not a commit here, or not an id at all: ENOTFOUND, nothing listed. */
	ck_assert_int_eq(opex_kb_repo_changed_paths(&paths, &n, repo,
		"0123456789abcdef0123456789abcdef01234567", &err), OPEX_ENOTFOUND);
	ck_assert_ptr_null(paths);
	ck_assert_ptr_nonnull(strstr(err.message, "is not a commit"));
	ck_assert_int_eq(opex_kb_repo_changed_paths(&paths, &n, repo, "HEAD~1",
		&err), OPEX_ENOTFOUND);
	ck_assert_int_eq(opex_kb_repo_changed_paths(&paths, &n, repo, "", &err),
		OPEX_ENOTFOUND);
	ck_assert_uint_eq(n, 0);
	opex_kb_repo_free(repo);
	opex_test_repo_free(r);
}
END_TEST

START_TEST(kb_git_source__reads_blobs_at_the_revision)
{
	char c1[41], c2[41];
	opex_test_repo *r = sample_repo(_i == 1, c1, c2);
	opex_kb_repo *repo = NULL;
	opex_buf buf = OPEX_BUF_INIT(OPEX_LIMIT_FILE_BYTES);
	opex_error err = OPEX_ERROR_INIT;

	ck_assert_int_eq(opex_kb_repo_open(&repo, opex_test_repo_path(r),
		"v1", NULL), 0);
	ck_assert_int_eq(opex_kb_repo_read(&buf, repo, "articles/a.md", &err),
		0);
	ck_assert_str_eq(buf.ptr, "# A\n");
	ck_assert_int_eq(opex_kb_repo_read(&buf, repo,
		"articles/cards/lost-card.md", &err), 0);
	ck_assert_str_eq(buf.ptr, "# Lost card\n");
	ck_assert_uint_eq(buf.len, 12);
	opex_kb_repo_free(repo);
	ck_assert_int_eq(opex_kb_repo_open(&repo, opex_test_repo_path(r),
		NULL, NULL), 0);
	ck_assert_int_eq(opex_kb_repo_read(&buf, repo, "articles/a.md", &err),
		0);
	ck_assert_str_eq(buf.ptr, "# A, second\n");
	opex_buf_release(&buf);
	opex_kb_repo_free(repo);
	opex_test_repo_free(r);
}
END_TEST

START_TEST(kb_git_source__read_refuses_missing_links_and_submodules)
{
	char c1[41], c2[41];
	opex_test_repo *r = sample_repo(false, c1, c2);
	opex_kb_repo *repo = NULL;
	opex_buf buf = OPEX_BUF_INIT(OPEX_LIMIT_FILE_BYTES);
	char missing[128];
	const struct {
		const char *path;
		int code;
		const char *message;
	} cases[] = {
		{ "nope.md", OPEX_ENOTFOUND, missing },
		{ "articles", OPEX_ENOTFOUND, NULL },
		{ "link.md", OPEX_EINVALID,
		  "'link.md' is a symbolic link, not a file" },
		{ "vendor/lib", OPEX_EINVALID,
		  "'vendor/lib' is a submodule, not a file" },
	};

	snprintf(missing, sizeof(missing), "'nope.md' is not in the tree at %s",
		c2);
	ck_assert_int_eq(opex_kb_repo_open(&repo, opex_test_repo_path(r),
		NULL, NULL), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		opex_error err = OPEX_ERROR_INIT;

		opex_buf_puts(&buf, "stale");
		ck_assert_int_eq(opex_kb_repo_read(&buf, repo, cases[i].path,
			&err), cases[i].code);
		ck_assert_uint_eq(buf.len, 0);
		if (cases[i].message != NULL)
			ck_assert_str_eq(err.message, cases[i].message);
	}
	opex_buf_release(&buf);
	opex_kb_repo_free(repo);
	opex_test_repo_free(r);
}
END_TEST

START_TEST(kb_git_source__read_refuses_big_blobs_before_loading)
{
	size_t size = 20u * 1024u * 1024u;
	char *big = opex_malloc(size);
	opex_test_repo *r = opex_test_repo_new(true);
	opex_kb_repo *repo = NULL;
	opex_buf buf = OPEX_BUF_INIT(OPEX_LIMIT_FILE_BYTES);
	opex_error err = OPEX_ERROR_INIT;
	char expect[256];

	memset(big, 'x', size);
	opex_test_repo_put_bytes(r, "big.md", big, size);
	opex_test_repo_put(r, "small.md", "small\n");
	opex_test_repo_commit(r, "Alice", "alice@example.com", T0, "big\n",
		NULL);
	opex_free(big);
	ck_assert_int_eq(opex_kb_repo_open(&repo, opex_test_repo_path(r),
		NULL, NULL), 0);
	ck_assert_int_eq(opex_kb_repo_read(&buf, repo, "big.md", &err),
		OPEX_ETOOBIG);
	snprintf(expect, sizeof(expect),
		"'big.md' is too big (%zu bytes, limit %u)", size,
		OPEX_LIMIT_FILE_BYTES);
	ck_assert_str_eq(err.message, expect);
	/* Nothing was loaded into the buffer. */
	ck_assert_uint_eq(buf.len, 0);
	ck_assert_uint_lt(buf.cap, 1024);
	ck_assert_int_eq(opex_kb_repo_read(&buf, repo, "small.md", &err), 0);
	ck_assert_str_eq(buf.ptr, "small\n");
	opex_buf_release(&buf);
	opex_kb_repo_free(repo);
	opex_test_repo_free(r);
}
END_TEST

Suite *suite_git_source(void)
{
	Suite *s = suite_create("git_source");
	TCase *tc = tcase_create("repo");

	tcase_add_loop_test(tc, kb_git_source__opens_work_tree_and_bare, 0, 2);
	tcase_add_test(tc, kb_git_source__opens_the_git_folder);
	tcase_add_test(tc, kb_git_source__resolves_revisions);
	tcase_add_test(tc, kb_git_source__refuses_what_it_cannot_open);
	tcase_add_test(tc, kb_git_source__lists_the_tree_in_strcmp_order);
	tcase_add_test(tc, kb_git_source__lists_the_paths_changed_since_a_commit);
	tcase_add_loop_test(tc, kb_git_source__reads_blobs_at_the_revision, 0,
		2);
	tcase_add_test(tc,
		kb_git_source__read_refuses_missing_links_and_submodules);
	tcase_add_test(tc, kb_git_source__read_refuses_big_blobs_before_loading);
	suite_add_tcase(s, tc);
	return s;
}

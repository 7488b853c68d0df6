/* check_history.c: last change, touches and the cache (kb/history.c). */
#define _POSIX_C_SOURCE 200809L

#include "kb/kb.h"
#include "core/memory.h"
#include "support/repo_fixture.h"
#include "support/test_util.h"

#include <check.h>
#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/banned.h"

#define T0 1700000000

/* A test repository and the times and cache that go with it. */
typedef struct hist_fixture {
	opex_test_repo *repo;
	int64_t clock;
	char *tmp;
	char cache[4096];
} hist_fixture;

static void fx_init(hist_fixture *fx, bool bare)
{
	fx->repo = opex_test_repo_new(bare);
	fx->clock = T0;
	fx->tmp = opex_test_tmpdir();
	snprintf(fx->cache, sizeof(fx->cache), "%s/history.cache", fx->tmp);
}

static void fx_release(hist_fixture *fx)
{
	opex_test_repo_free(fx->repo);
	opex_test_rmtree(fx->tmp);
}

static void fx_commit(hist_fixture *fx, const char *who, const char *message,
	char *id_out)
{
	char email[128];

	snprintf(email, sizeof(email), "%s@example.com", who);
	fx->clock += 60;
	opex_test_repo_commit(fx->repo, who, email, fx->clock, message, id_out);
}

static git_repository *fx_git(hist_fixture *fx)
{
	git_repository *git = NULL;

	ck_assert_int_eq(git_repository_open(&git,
		opex_test_repo_path(fx->repo)), 0);
	return git;
}

/* Point refs/heads/main at `id`. */
static void fx_set_main(hist_fixture *fx, const char *id)
{
	git_repository *git = fx_git(fx);
	git_reference *ref = NULL;
	git_oid oid;

	ck_assert_int_eq(git_oid_fromstr(&oid, id), 0);
	ck_assert_int_eq(git_reference_create(&ref, git, "refs/heads/main",
		&oid, 1, "test"), 0);
	git_reference_free(ref);
	git_repository_free(git);
}

/*
 * Turn the commit at the tip of main into a merge: same tree, same author,
 * parents (its parent, `other`). `id_out` receives the merge id.
 */
static void fx_make_merge(hist_fixture *fx, const char *other, char *id_out)
{
	git_repository *git = fx_git(fx);
	git_reference *head = NULL;
	git_commit *tip = NULL, *first = NULL, *second = NULL;
	git_tree *tree = NULL;
	const git_commit *parents[2];
	git_oid oid, merge;

	ck_assert_int_eq(git_repository_head(&head, git), 0);
	ck_assert_int_eq(git_commit_lookup(&tip, git,
		git_reference_target(head)), 0);
	ck_assert_int_eq(git_commit_parent(&first, tip, 0), 0);
	ck_assert_int_eq(git_oid_fromstr(&oid, other), 0);
	ck_assert_int_eq(git_commit_lookup(&second, git, &oid), 0);
	ck_assert_int_eq(git_commit_tree(&tree, tip), 0);
	parents[0] = first;
	parents[1] = second;
	ck_assert_int_eq(git_commit_create(&merge, git, NULL,
		git_commit_author(tip), git_commit_committer(tip), NULL,
		git_commit_message(tip), tree, 2, parents), 0);
	git_oid_tostr(id_out, 41, &merge);
	git_tree_free(tree);
	git_commit_free(second);
	git_commit_free(first);
	git_commit_free(tip);
	git_reference_free(head);
	git_repository_free(git);
	fx_set_main(fx, id_out);
}

static opex_kb_repo *open_repo(hist_fixture *fx, const char *rev)
{
	opex_kb_repo *repo = NULL;
	opex_error err = OPEX_ERROR_INIT;

	ck_assert_msg(opex_kb_repo_open(&repo, opex_test_repo_path(fx->repo),
		rev, &err) == 0, "open: %s", err.message);
	return repo;
}

static opex_kb_history *load(const opex_kb_repo *repo, const char *cache)
{
	opex_kb_history_options opts = OPEX_KB_HISTORY_OPTIONS_INIT;
	opex_kb_history *h = NULL;
	opex_error err = OPEX_ERROR_INIT;

	opts.cache_path = cache;
	ck_assert_msg(opex_kb_history_load(&h, repo, &opts, &err) == 0,
		"history: %s", err.message);
	return h;
}

static void assert_last(const opex_kb_history *h, const char *path,
	const char *id)
{
	const opex_kb_commit *c = opex_kb_history_last_change(h, path);

	if (id == NULL) {
		ck_assert_msg(c == NULL, "'%s' has a last change", path);
		return;
	}
	ck_assert_msg(c != NULL, "'%s' has no last change", path);
	ck_assert_msg(strcmp(c->id, id) == 0, "'%s': last change %s, not %s",
		path, c->id, id);
}

static void assert_touches(const opex_kb_history *h, const char *path,
	const char *const *ids, size_t n)
{
	ck_assert_uint_eq(opex_kb_history_touch_count(h, path), n);
	for (size_t i = 0; i < n; i++)
		ck_assert_str_eq(opex_kb_history_touch(h, path, i)->id, ids[i]);
}

/* Every path's touches (and so its last change) are the same. */
static void assert_same(const opex_kb_repo *repo, const opex_kb_history *a,
	const opex_kb_history *b)
{
	for (size_t i = 0; i < opex_kb_repo_count(repo); i++) {
		const char *path = opex_kb_repo_entry(repo, i)->path;
		size_t n = opex_kb_history_touch_count(a, path);

		ck_assert_msg(n == opex_kb_history_touch_count(b, path),
			"'%s': %zu touches, not %zu", path,
			opex_kb_history_touch_count(b, path), n);
		for (size_t t = 0; t < n; t++) {
			const opex_kb_commit *x = opex_kb_history_touch(a, path, t);
			const opex_kb_commit *y = opex_kb_history_touch(b, path, t);

			ck_assert_str_eq(x->id, y->id);
			ck_assert_str_eq(x->author_name, y->author_name);
			ck_assert_str_eq(x->author_email, y->author_email);
			ck_assert_int_eq(x->time, y->time);
			ck_assert_uint_eq(x->verified_by_count,
				y->verified_by_count);
			for (size_t v = 0; v < x->verified_by_count; v++)
				ck_assert_str_eq(x->verified_by[v],
					y->verified_by[v]);
		}
	}
}

/* Load with `cache` and check against a cold walk; returns walked. */
static size_t check_against_cold(hist_fixture *fx, const char *cache)
{
	opex_kb_repo *repo = open_repo(fx, NULL);
	opex_kb_history *warm = load(repo, cache);
	opex_kb_history *cold = load(repo, "");
	size_t walked = opex_kb_history_walked(warm);

	assert_same(repo, cold, warm);
	opex_kb_history_free(cold);
	opex_kb_history_free(warm);
	opex_kb_repo_free(repo);
	return walked;
}

/* ---------------------------------------------------------------- walk */

START_TEST(kb_history__last_change_across_renames_deletes_and_readds)
{
	hist_fixture fx;
	char c1[41], c2[41], c3[41], c4[41], c5[41];
	opex_kb_repo *repo;
	opex_kb_history *h;

	fx_init(&fx, _i == 1);
	opex_test_repo_put(fx.repo, "articles/a.md", "a\n");
	opex_test_repo_put(fx.repo, "articles/b.md", "b\n");
	opex_test_repo_put(fx.repo, "articles/deep/c.md", "c\n");
	opex_test_repo_put(fx.repo, "people.yaml", "people: []\n");
	opex_test_repo_put(fx.repo, "kit/y.md", "y\n");
	fx_commit(&fx, "alice", "add\n", c1);
	opex_test_repo_put(fx.repo, "articles/a.md", "a2\n");
	fx_commit(&fx, "bob", "edit a\n", c2);
	opex_test_repo_remove(fx.repo, "articles/b.md");
	opex_test_repo_put(fx.repo, "articles/renamed.md", "b\n");
	opex_test_repo_remove(fx.repo, "kit/y.md");
	opex_test_repo_put(fx.repo, "kit", "a file where a folder was\n");
	fx_commit(&fx, "carol", "rename b\n", c3);
	opex_test_repo_remove(fx.repo, "articles/deep/c.md");
	fx_commit(&fx, "dave", "delete c\n", c4);
	opex_test_repo_put(fx.repo, "articles/deep/c.md", "c again\n");
	fx_commit(&fx, "erin", "re-add c\n", c5);

	repo = open_repo(&fx, NULL);
	h = load(repo, "");
	assert_last(h, "articles/a.md", c2);
	assert_last(h, "articles/renamed.md", c3);
	assert_last(h, "articles/deep/c.md", c5);
	assert_last(h, "kit", c3);
	assert_last(h, "kit/y.md", NULL);
	assert_last(h, "people.yaml", c1);
	assert_last(h, "articles/b.md", NULL);
	assert_last(h, "nope.md", NULL);
	ck_assert_uint_eq(opex_kb_history_touch_count(h, "nope.md"), 0);
	ck_assert_uint_eq(opex_kb_history_walked(h), 5);
	{
		const char *a[] = { c2, c1 };
		/* The delete and the first life count, as in git log. */
		const char *c[] = { c5, c4, c1 };

		assert_touches(h, "articles/a.md", a, 2);
		assert_touches(h, "articles/deep/c.md", c, 3);
	}
	ck_assert_str_eq(opex_kb_history_last_change(h, "articles/a.md")
		->author_email, "bob@example.com");
	ck_assert_str_eq(opex_kb_history_last_change(h, "articles/a.md")
		->author_name, "bob");
	ck_assert_int_eq(opex_kb_history_last_change(h, "articles/a.md")->time,
		T0 + 120);
	opex_kb_history_free(h);
	opex_kb_repo_free(repo);

	/* At an older revision, the answer is the one of that time. */
	repo = open_repo(&fx, "HEAD~3");
	h = load(repo, "");
	assert_last(h, "articles/a.md", c2);
	assert_last(h, "articles/b.md", c1);
	assert_last(h, "articles/deep/c.md", c1);
	assert_last(h, "articles/renamed.md", NULL);
	assert_last(h, "kit/y.md", c1);
	assert_last(h, "kit", NULL);
	opex_kb_history_free(h);
	opex_kb_repo_free(repo);
	fx_release(&fx);
}
END_TEST

START_TEST(kb_history__merges_follow_git_simplification)
{
	hist_fixture fx;
	char a[41], b[41], c[41], d[41], m1[41], m2[41], m3[41];
	opex_kb_repo *repo;
	opex_kb_history *h;

	fx_init(&fx, false);
	opex_test_repo_put(fx.repo, "p.md", "p\n");
	opex_test_repo_put(fx.repo, "q.md", "q\n");
	opex_test_repo_put(fx.repo, "r.md", "r\n");
	fx_commit(&fx, "alice", "base\n", a);
	opex_test_repo_put(fx.repo, "p.md", "p from main\n");
	fx_commit(&fx, "bob", "main changes p\n", b);
	/* A side branch from a changes q, and p in a way the merge drops. */
	fx_set_main(&fx, a);
	opex_test_repo_put(fx.repo, "q.md", "q from side\n");
	fx_commit(&fx, "carol", "side changes q\n", c);
	opex_test_repo_put(fx.repo, "p.md", "p from side, dropped\n");
	fx_commit(&fx, "dave", "side changes p\n", d);
	/* m1 = merge(b, d) keeping main's p and side's q. */
	fx_set_main(&fx, b);
	opex_test_repo_put(fx.repo, "q.md", "q from side\n");
	fx_commit(&fx, "erin", "merge\n", NULL);
	fx_make_merge(&fx, d, m1);

	repo = open_repo(&fx, NULL);
	h = load(repo, "");
	assert_last(h, "p.md", b);   /* not d: the merge took main's p */
	assert_last(h, "q.md", c);   /* not m1: same as the side parent */
	assert_last(h, "r.md", a);
	{
		const char *p[] = { b, a };

		assert_touches(h, "p.md", p, 2);
	}
	ck_assert_uint_eq(opex_kb_history_walked(h), 5);
	opex_kb_history_free(h);
	opex_kb_repo_free(repo);

	/* m2: a merge that differs from both parents changes the path. */
	fx_set_main(&fx, a);
	opex_test_repo_put(fx.repo, "r.md", "r from side 2\n");
	fx_commit(&fx, "frank", "side 2 changes r\n", m3);
	fx_set_main(&fx, m1);
	opex_test_repo_put(fx.repo, "r.md", "r resolved\n");
	fx_commit(&fx, "grace", "merge side 2\n", NULL);
	fx_make_merge(&fx, m3, m2);
	repo = open_repo(&fx, NULL);
	h = load(repo, "");
	assert_last(h, "r.md", m2);
	assert_last(h, "p.md", b);
	assert_last(h, "q.md", c);
	{
		const char *r[] = { m2, m3, a };

		assert_touches(h, "r.md", r, 3);
	}
	opex_kb_history_free(h);
	opex_kb_repo_free(repo);
	fx_release(&fx);
}
END_TEST

START_TEST(kb_history__verified_by_trailers)
{
	hist_fixture fx;
	char c1[41], c2[41];
	opex_kb_repo *repo;
	opex_kb_history *h;
	const opex_kb_commit *c;

	fx_init(&fx, false);
	opex_test_repo_put(fx.repo, "a.md", "a\n");
	fx_commit(&fx, "alice", "add\n\nVerified-by: Ops Lead\n", c1);
	opex_test_repo_put(fx.repo, "a.md", "a2\n");
	fx_commit(&fx, "bob",
		"review a\n\nThe body says Verified-by: nobody.\n\n"
		"Verified-by:   carol  \n"
		"Signed-off-by: bob <bob@example.com>\n"
		"verified-by: dave\n"
		"Verified-by:\tErin Example <erin@example.com>\n", c2);

	repo = open_repo(&fx, NULL);
	h = load(repo, "");
	c = opex_kb_history_last_change(h, "a.md");
	ck_assert_str_eq(c->id, c2);
	ck_assert_uint_eq(c->verified_by_count, 3);
	ck_assert_str_eq(c->verified_by[0], "carol");
	ck_assert_str_eq(c->verified_by[1], "dave");
	ck_assert_str_eq(c->verified_by[2], "Erin Example <erin@example.com>");
	c = opex_kb_history_touch(h, "a.md", 1);
	ck_assert_str_eq(c->id, c1);
	ck_assert_uint_eq(c->verified_by_count, 1);
	ck_assert_str_eq(c->verified_by[0], "Ops Lead");
	opex_kb_history_free(h);
	opex_kb_repo_free(repo);
	fx_release(&fx);
}
END_TEST

START_TEST(kb_history__touches_keep_the_newest_per_identity)
{
	hist_fixture fx;
	char c[7][41];
	opex_kb_repo *repo;
	opex_kb_history *h;

	fx_init(&fx, false);
	opex_test_repo_put(fx.repo, "a.md", "1\n");
	opex_test_repo_put(fx.repo, "other.md", "x\n");
	fx.clock += 60;
	opex_test_repo_commit(fx.repo, "Alice", "alice@example.com", fx.clock,
		"1\n", c[0]);
	opex_test_repo_put(fx.repo, "a.md", "2\n");
	fx.clock += 60;
	opex_test_repo_commit(fx.repo, "Bob", "bob@example.com", fx.clock,
		"2\n\nVerified-by: carol\n", c[1]);
	opex_test_repo_put(fx.repo, "a.md", "3\n");
	fx.clock += 60;
	opex_test_repo_commit(fx.repo, "Bob", "bob@example.com", fx.clock,
		"3\n", c[2]);
	opex_test_repo_put(fx.repo, "other.md", "y\n");
	fx.clock += 60;
	opex_test_repo_commit(fx.repo, "Zed", "zed@example.com", fx.clock,
		"not a.md\n", c[3]);
	opex_test_repo_put(fx.repo, "a.md", "4\n");
	fx.clock += 60;
	/* The same person with another case in the email. */
	opex_test_repo_commit(fx.repo, "Alice", "ALICE@Example.com", fx.clock,
		"4\n", c[4]);

	repo = open_repo(&fx, NULL);
	h = load(repo, "");
	{
		/* c4 (alice), c2 (bob), c1 (carol's verification); not c0. */
		const char *a[] = { c[4], c[2], c[1] };
		const char *o[] = { c[3], c[0] };

		assert_touches(h, "a.md", a, 3);
		assert_touches(h, "other.md", o, 2);
	}
	opex_kb_history_free(h);
	opex_kb_repo_free(repo);
	fx_release(&fx);
}
END_TEST

/* --------------------------------------------------------------- cache */

/* A repository of a few folders and `n` commits by three people. */
static void grow(hist_fixture *fx, int n, int seed)
{
	static const char *const who[] = { "alice", "bob", "carol" };

	for (int i = 0; i < n; i++) {
		char path[64], content[64], msg[128];
		int k = (i * 7 + seed) % 11;

		snprintf(path, sizeof(path), "articles/%c/f%d.md", 'a' + k % 3, k);
		snprintf(content, sizeof(content), "%d %d\n", seed, i);
		opex_test_repo_put(fx->repo, path, content);
		if (i % 5 == 4) {
			snprintf(path, sizeof(path), "articles/%c/f%d.md",
				'a' + (k + 1) % 3, (k + 1) % 11);
			opex_test_repo_remove(fx->repo, path);
		}
		snprintf(msg, sizeof(msg), "change %d\n%s", i,
			i % 3 == 0 ? "\nVerified-by: dave\n" : "");
		fx_commit(fx, who[(i + seed) % 3], msg, NULL);
	}
}

START_TEST(kb_history__cold_then_up_to_date)
{
	hist_fixture fx;
	opex_kb_repo *repo;
	opex_kb_history *h;
	struct stat st;

	fx_init(&fx, false);
	grow(&fx, 20, 0);
	ck_assert_uint_eq(check_against_cold(&fx, fx.cache), 20);
	ck_assert_int_eq(stat(fx.cache, &st), 0);
	ck_assert_uint_eq(check_against_cold(&fx, fx.cache), 0);

	/* The default cache lives in the git folder. */
	repo = open_repo(&fx, NULL);
	h = load(repo, NULL);
	ck_assert_uint_eq(opex_kb_history_walked(h), 20);
	opex_kb_history_free(h);
	h = load(repo, NULL);
	ck_assert_uint_eq(opex_kb_history_walked(h), 0);
	opex_kb_history_free(h);
	{
		char path[4096];

		snprintf(path, sizeof(path), "%s/opex/history.cache",
			opex_kb_repo_git_dir(repo));
		ck_assert_int_eq(stat(path, &st), 0);
	}
	opex_kb_repo_free(repo);
	fx_release(&fx);
}
END_TEST

START_TEST(kb_history__incremental_matches_cold)
{
	static const int steps[] = { 1, 3 };
	hist_fixture fx;

	fx_init(&fx, _i == 1);
	grow(&fx, 30, 0);
	ck_assert_uint_eq(check_against_cold(&fx, fx.cache), 30);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		grow(&fx, steps[i], (int)i + 1);
		ck_assert_uint_eq(check_against_cold(&fx, fx.cache),
			(size_t)steps[i]);
	}
	fx_release(&fx);
}
END_TEST

START_TEST(kb_history__incremental_with_merges_matches_cold)
{
	hist_fixture fx;
	char base[41], side[41], merge[41], tip[41];

	fx_init(&fx, false);
	grow(&fx, 10, 0);
	opex_test_repo_put(fx.repo, "articles/a/f0.md", "x\n");
	fx_commit(&fx, "alice", "base\n", base);
	ck_assert_uint_eq(check_against_cold(&fx, fx.cache), 11);

	/* A branch from the cached tip, merged: only new commits walked. */
	opex_test_repo_put(fx.repo, "articles/b/f1.md", "side\n");
	fx_commit(&fx, "bob", "side\n", side);
	fx_set_main(&fx, base);
	opex_test_repo_put(fx.repo, "articles/c/f2.md", "main\n");
	fx_commit(&fx, "carol", "main\n", NULL);
	opex_test_repo_put(fx.repo, "articles/b/f1.md", "side\n");
	fx_commit(&fx, "carol", "merge\n", NULL);
	fx_make_merge(&fx, side, merge);
	ck_assert_uint_eq(check_against_cold(&fx, fx.cache), 3);

	/* A branch from before the cached tip: a cold walk keeps it right. */
	fx_set_main(&fx, base);
	grow(&fx, 2, 5);
	fx_commit(&fx, "bob", "side 2\n", tip);
	fx_set_main(&fx, merge);
	opex_test_repo_put(fx.repo, "articles/a/f9.md", "merged\n");
	fx_commit(&fx, "alice", "merge 2\n", NULL);
	fx_make_merge(&fx, tip, merge);
	check_against_cold(&fx, fx.cache);
	ck_assert_uint_eq(check_against_cold(&fx, fx.cache), 0);
	fx_release(&fx);
}
END_TEST

START_TEST(kb_history__rewound_branch_walks_cold)
{
	hist_fixture fx;
	char old[41];

	fx_init(&fx, false);
	grow(&fx, 10, 0);
	opex_test_repo_put(fx.repo, "articles/a/f0.md", "x\n");
	fx_commit(&fx, "alice", "before\n", old);
	grow(&fx, 3, 1);
	ck_assert_uint_eq(check_against_cold(&fx, fx.cache), 14);
	/* Rewind to `old` and commit something else. */
	fx_set_main(&fx, old);
	grow(&fx, 2, 2);
	ck_assert_uint_eq(check_against_cold(&fx, fx.cache), 13);
	fx_release(&fx);
}
END_TEST

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	fclose(f);
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data;
	long size;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	ck_assert_int_ge(size, 0);
	rewind(f);
	data = opex_malloc((size_t)size + 1);
	ck_assert_uint_eq(fread(data, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	*len = (size_t)size;
	return data;
}

START_TEST(kb_history__corrupt_cache_falls_back)
{
	hist_fixture fx;
	char *good;
	size_t len;

	fx_init(&fx, false);
	grow(&fx, 12, 0);
	ck_assert_uint_eq(check_against_cold(&fx, fx.cache), 12);
	good = read_file(fx.cache, &len);
	ck_assert_uint_gt(len, 100);
	for (int c = 0; c < 9; c++) {
		char *bad = opex_malloc(len + 64);
		size_t bad_len = len;

		memcpy(bad, good, len);
		switch (c) {
		case 0: bad_len = len / 2; break;          /* truncated */
		case 1: bad_len = 0; break;                /* empty */
		case 2: bad_len = 10; break;               /* header only */
		case 3: memset(bad, 'z', len); break;      /* garbage */
		case 4: bad[8] = 99; break;                /* wrong version */
		case 5: bad[len / 2] ^= 0x40; break;       /* a flipped bit */
		case 6: bad[0] = 'X'; break;               /* wrong magic */
		case 7: memset(bad + len, 0, 64); bad_len = len + 64; break;
		default: bad[len - 1] ^= 1; break;         /* bad checksum */
		}
		write_file(fx.cache, bad, bad_len);
		opex_free(bad);
		ck_assert_msg(check_against_cold(&fx, fx.cache) == 12,
			"case %d did not walk", c);
		/* The walk wrote a good cache back. */
		ck_assert_uint_eq(check_against_cold(&fx, fx.cache), 0);
	}
	/* A folder where the cache should be. */
	unlink(fx.cache);
	ck_assert_int_eq(mkdir(fx.cache, 0700), 0);
	ck_assert_uint_eq(check_against_cold(&fx, fx.cache), 12);
	rmdir(fx.cache);
	opex_free(good);
	fx_release(&fx);
}
END_TEST

START_TEST(kb_history__unwritable_cache_is_ignored)
{
	hist_fixture fx;
	char path[4096];

	fx_init(&fx, false);
	grow(&fx, 5, 0);
	snprintf(path, sizeof(path), "%s/missing/folder/history.cache", fx.tmp);
	ck_assert_uint_eq(check_against_cold(&fx, path), 5);
	ck_assert_uint_eq(check_against_cold(&fx, path), 5);
	ck_assert_int_ne(access(path, F_OK), 0);
	fx_release(&fx);
}
END_TEST

START_TEST(kb_history__empty_tree_paths)
{
	hist_fixture fx;
	opex_kb_repo *repo;
	opex_kb_history *h;
	char c1[41];

	fx_init(&fx, false);
	opex_test_repo_put(fx.repo, "a.md", "a\n");
	fx_commit(&fx, "alice", "add\n", NULL);
	opex_test_repo_remove(fx.repo, "a.md");
	fx_commit(&fx, "alice", "remove all\n", c1);
	repo = open_repo(&fx, NULL);
	ck_assert_uint_eq(opex_kb_repo_count(repo), 0);
	h = load(repo, fx.cache);
	assert_last(h, "a.md", NULL);
	ck_assert_uint_eq(opex_kb_history_walked(h), 2);
	opex_kb_history_free(h);
	h = load(repo, fx.cache);
	ck_assert_uint_eq(opex_kb_history_walked(h), 0);
	opex_kb_history_free(h);
	opex_kb_repo_free(repo);
	fx_release(&fx);
}
END_TEST

Suite *suite_history(void)
{
	Suite *s = suite_create("history");
	TCase *walk = tcase_create("walk");
	TCase *cache = tcase_create("cache");

	tcase_add_loop_test(walk,
		kb_history__last_change_across_renames_deletes_and_readds, 0, 2);
	tcase_add_test(walk, kb_history__merges_follow_git_simplification);
	tcase_add_test(walk, kb_history__verified_by_trailers);
	tcase_add_test(walk, kb_history__touches_keep_the_newest_per_identity);
	tcase_add_test(walk, kb_history__empty_tree_paths);
	suite_add_tcase(s, walk);

	tcase_set_timeout(cache, 60);
	tcase_add_test(cache, kb_history__cold_then_up_to_date);
	tcase_add_loop_test(cache, kb_history__incremental_matches_cold, 0, 2);
	tcase_add_test(cache, kb_history__incremental_with_merges_matches_cold);
	tcase_add_test(cache, kb_history__rewound_branch_walks_cold);
	tcase_add_test(cache, kb_history__corrupt_cache_falls_back);
	tcase_add_test(cache, kb_history__unwritable_cache_is_ignored);
	suite_add_tcase(s, cache);
	return s;
}

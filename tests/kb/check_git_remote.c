/*
 * check_git_remote.c: replicas. A mirror is created from an origin and
 * follows it (branches, HEAD, refs/opex/); records appended through eight
 * mirrors in eight processes at once all land on the origin; an origin
 * that cannot be reached and a path that is not a repository are named in
 * the error; a lock file left by a killed writer does not block appends.
 */
#define _POSIX_C_SOURCE 200809L /* fork */

#include "support/repo_fixture.h"
#include "support/test_util.h"
#include "core/buf.h"
#include "kb/kb.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#include "core/banned.h"

#define REF "refs/opex/approvals"
#define T0 1767225600

static opex_test_repo *origin;
static char *scratch;

static void setup(void)
{
	origin = opex_test_repo_new(true);
	opex_test_repo_put(origin, "README.md", "handbook\n");
	opex_test_repo_commit(origin, "Ann", "ann@example.com", T0, "init", NULL);
	scratch = opex_test_tmpdir();
}

static void teardown(void)
{
	opex_test_repo_free(origin);
	origin = NULL;
	opex_test_rmtree(scratch);
	scratch = NULL;
}

static void mirror_path(opex_buf *out, const char *name)
{
	opex_buf_clear(out);
	opex_buf_printf(out, "%s/%s", scratch, name);
}

static int build_text(opex_buf *out, const char *parent, void *payload)
{
	opex_buf_printf(out, "%s after %s\n", (const char *)payload,
		parent[0] ? parent : "-");
	return 0;
}

/* Append `text` on the origin through the mirror at `mirror`. */
static int append_via(const char *mirror, const char *text, opex_error *err)
{
	opex_kb_repo *r = NULL;
	opex_kb_record_author who = { "Ann", "ann@example.com", 0 };
	char id[41];
	int error = opex_kb_repo_open(&r, mirror, NULL, err);

	if (error == 0)
		error = opex_kb_records_append_origin(id, r,
			opex_test_repo_path(origin), REF, build_text,
			(void *)(uintptr_t)text, "test record", &who, err);
	opex_kb_repo_free(r);
	return error;
}

static size_t chain_length(const char *path, char *tip)
{
	opex_kb_record_chain chain = OPEX_KB_RECORD_CHAIN_INIT;
	opex_kb_repo *r = NULL;
	size_t n;

	ck_assert_int_eq(opex_kb_repo_open(&r, path, NULL, NULL), 0);
	ck_assert_int_eq(opex_kb_records_read(&chain, r, REF, NULL), 0);
	n = chain.count;
	if (tip != NULL)
		memcpy(tip, chain.tip, 41);
	opex_kb_record_chain_release(&chain);
	opex_kb_repo_free(r);
	return n;
}

START_TEST(git_remote__mirror_follows_the_origin)
{
	opex_buf path = OPEX_BUF_INIT(4096);
	opex_error err = OPEX_ERROR_INIT;
	opex_kb_repo *r = NULL;
	char head[41], tip[41], origin_tip[41];
	bool changed = false;

	mirror_path(&path, "mirror");
	ck_assert_int_eq(opex_kb_mirror_fetch(path.ptr, opex_test_repo_path(origin),
		&changed, &err), 0);
	ck_assert(changed);
	ck_assert_int_eq(opex_kb_repo_open(&r, path.ptr, NULL, &err), 0);
	memcpy(head, opex_kb_repo_commit(r), 41);
	opex_kb_repo_free(r);

	/* Nothing new: nothing moves. */
	ck_assert_int_eq(opex_kb_mirror_fetch(path.ptr, opex_test_repo_path(origin),
		&changed, &err), 0);
	ck_assert(!changed);

	/* A new commit and a record on the origin both arrive. */
	opex_test_repo_put(origin, "articles/a.md", "# A\n");
	opex_test_repo_commit(origin, "Ann", "ann@example.com", T0 + 60, "a", NULL);
	ck_assert_int_eq(append_via(path.ptr, "first", &err), 0);
	ck_assert_int_eq(opex_kb_mirror_fetch(path.ptr, opex_test_repo_path(origin),
		&changed, &err), 0);
	ck_assert(changed);
	ck_assert_int_eq(opex_kb_repo_open(&r, path.ptr, NULL, &err), 0);
	ck_assert_str_ne(opex_kb_repo_commit(r), head);
	opex_kb_repo_free(r);
	ck_assert_uint_eq(chain_length(path.ptr, tip), 1);
	ck_assert_uint_eq(chain_length(opex_test_repo_path(origin), origin_tip), 1);
	ck_assert_str_eq(tip, origin_tip);
	opex_buf_release(&path);
}
END_TEST

START_TEST(git_remote__appends_through_eight_mirrors_all_land)
{
	opex_buf path = OPEX_BUF_INIT(4096);
	pid_t pids[8];
	int i, status;

	for (i = 0; i < 8; i++) {
		char name[16];

		snprintf(name, sizeof(name), "m%d", i);
		mirror_path(&path, name);
		ck_assert_int_eq(opex_kb_mirror_fetch(path.ptr,
			opex_test_repo_path(origin), NULL, NULL), 0);
	}
	for (i = 0; i < 8; i++) {
		pids[i] = fork();
		ck_assert_int_ge(pids[i], 0);
		if (pids[i] == 0) {
			char name[16], text[32];
			int k, failed = 0;

			snprintf(name, sizeof(name), "m%d", i);
			mirror_path(&path, name);
			for (k = 0; k < 4; k++) {
				snprintf(text, sizeof(text), "mirror %d record %d", i, k);
				failed |= append_via(path.ptr, text, NULL) != 0;
			}
			opex_buf_release(&path);
			_exit(failed);
		}
	}
	for (i = 0; i < 8; i++) {
		ck_assert_int_eq(waitpid(pids[i], &status, 0), pids[i]);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	ck_assert_uint_eq(chain_length(opex_test_repo_path(origin), NULL), 32);
	opex_buf_release(&path);
}
END_TEST

START_TEST(git_remote__errors_name_the_origin_and_the_clone)
{
	opex_buf path = OPEX_BUF_INIT(4096);
	opex_error err = OPEX_ERROR_INIT;
	FILE *f;

	mirror_path(&path, "mirror");
	ck_assert_int_eq(opex_kb_mirror_fetch(path.ptr, "/nonexistent/origin.git",
		NULL, &err), OPEX_EIO);
	ck_assert_ptr_nonnull(strstr(err.message, "'/nonexistent/origin.git'"));
	opex_error_clear(&err);

	/* An origin that does not answer: nothing is recorded anywhere. */
	ck_assert_int_eq(opex_kb_mirror_fetch(path.ptr,
		opex_test_repo_path(origin), NULL, &err), 0);
	{
		opex_kb_repo *r = NULL;
		opex_kb_record_author who = { "Ann", "ann@example.com", 0 };
		char id[41];

		ck_assert_int_eq(opex_kb_repo_open(&r, path.ptr, NULL, &err), 0);
		ck_assert_int_eq(opex_kb_records_append_origin(id, r,
			"git://127.0.0.1:1/origin.git", REF, build_text,
			(void *)(uintptr_t)"x",
			"test record", &who, &err), OPEX_EIO);
		ck_assert_ptr_nonnull(strstr(err.message,
			"'git://127.0.0.1:1/origin.git'"));
		opex_kb_repo_free(r);
	}
	ck_assert_uint_eq(chain_length(path.ptr, NULL), 0);
	opex_error_clear(&err);

	/* A clone path holding something else is not overwritten. */
	mirror_path(&path, "not-a-repo");
	ck_assert_int_eq(mkdir(path.ptr, 0777), 0);
	opex_buf_puts(&path, "/notes.txt");
	f = fopen(path.ptr, "w");
	ck_assert_ptr_nonnull(f);
	fputs("mine\n", f);
	fclose(f);
	mirror_path(&path, "not-a-repo");
	ck_assert_int_eq(opex_kb_mirror_fetch(path.ptr,
		opex_test_repo_path(origin), NULL, &err), OPEX_EINVALID);
	ck_assert_ptr_nonnull(strstr(err.message, "is not a git repository"));
	opex_buf_release(&path);
}
END_TEST

START_TEST(git_remote__a_lock_left_by_a_killed_writer_does_not_block)
{
	opex_buf lock = OPEX_BUF_INIT(4096);
	opex_error err = OPEX_ERROR_INIT;
	struct utimbuf old;
	opex_buf path = OPEX_BUF_INIT(4096);
	FILE *f;

	mirror_path(&path, "mirror");
	ck_assert_int_eq(opex_kb_mirror_fetch(path.ptr,
		opex_test_repo_path(origin), NULL, &err), 0);
	ck_assert_int_eq(append_via(path.ptr, "before the crash", &err), 0);

	/* What a writer killed between taking the lock and renaming leaves. */
	opex_buf_printf(&lock, "%s/%s.lock", opex_test_repo_path(origin), REF);
	f = fopen(lock.ptr, "w");
	ck_assert_ptr_nonnull(f);
	fputs("0000000000000000000000000000000000000000\n", f);
	fclose(f);
	old.actime = old.modtime = time(NULL) - 60;
	ck_assert_int_eq(utime(lock.ptr, &old), 0);

	ck_assert_int_eq(append_via(path.ptr, "after the crash", &err), 0);
	ck_assert_uint_eq(chain_length(opex_test_repo_path(origin), NULL), 2);
	ck_assert_int_ne(access(lock.ptr, F_OK), 0);
	opex_buf_release(&lock);
	opex_buf_release(&path);
}
END_TEST

Suite *suite_git_remote(void)
{
	Suite *s = suite_create("git_remote");
	TCase *tc = tcase_create("git_remote");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, git_remote__mirror_follows_the_origin);
	tcase_add_test(tc, git_remote__appends_through_eight_mirrors_all_land);
	tcase_add_test(tc, git_remote__errors_name_the_origin_and_the_clone);
	tcase_add_test(tc, git_remote__a_lock_left_by_a_killed_writer_does_not_block);
	suite_add_tcase(s, tc);
	return s;
}

/*
 * repo_fixture.h: temporary git repositories for tests, built through
 * libgit2 (never the git command). Files are staged in memory and committed
 * with an explicit author and time, so history is reproducible.
 * Every function aborts the test (ck_assert) on failure.
 */
#ifndef OPEX_TESTS_REPO_FIXTURE_H
#define OPEX_TESTS_REPO_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct opex_test_repo opex_test_repo;

/* File modes for opex_test_repo_put_mode(). */
#define OPEX_TEST_MODE_FILE 0100644
#define OPEX_TEST_MODE_LINK 0120000
#define OPEX_TEST_MODE_GITLINK 0160000

/** Create an empty repository in a new temporary folder (bare or not). */
opex_test_repo *opex_test_repo_new(bool bare);

/** The repository's path (the work tree, or the bare folder). */
const char *opex_test_repo_path(const opex_test_repo *repo);

/** Stage `path` with `content` (NUL-terminated) for the next commit. */
void opex_test_repo_put(opex_test_repo *repo, const char *path,
	const char *content);

/** Stage `path` with `len` bytes of `content`. */
void opex_test_repo_put_bytes(opex_test_repo *repo, const char *path,
	const void *content, size_t len);

/**
 * Stage `path` with a given mode: OPEX_TEST_MODE_LINK (content is the link
 * target) or OPEX_TEST_MODE_GITLINK (content is a 40-hex commit id).
 */
void opex_test_repo_put_mode(opex_test_repo *repo, const char *path,
	const char *content, unsigned mode);

/** Stage the removal of `path`. */
void opex_test_repo_remove(opex_test_repo *repo, const char *path);

/**
 * Commit what is staged on top of the current branch tip (HEAD, branch
 * "main"), authored and committed by name <email> at `time` (seconds since
 * the epoch). `id_out` (41 bytes, may be NULL) receives the commit id.
 */
void opex_test_repo_commit(opex_test_repo *repo, const char *name,
	const char *email, int64_t time, const char *message, char *id_out);

struct opex_kb_handbook;
struct opex_diag_list;

/**
 * Load the handbook at the repository's HEAD as of `now` (seconds), without
 * a history cache, adding load diagnostics to `diags`; a failed load fails
 * the test.
 */
struct opex_kb_handbook *opex_test_handbook_load(opex_test_repo *repo,
	int64_t now, struct opex_diag_list *diags);

/** Remove the repository folder and free `repo`. NULL is a no-op. */
void opex_test_repo_free(opex_test_repo *repo);

#endif

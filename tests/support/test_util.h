/* test_util.h: small helpers shared by the Check suites. */
#ifndef OPEX_TESTS_TEST_UTIL_H
#define OPEX_TESTS_TEST_UTIL_H

#include <stddef.h>

#include "core/diag.h"

/** A new empty temporary folder (under $TMPDIR); free with opex_test_rmtree. */
char *opex_test_tmpdir(void);

/** Remove a folder tree and free the path string. */
void opex_test_rmtree(char *path);

/** Path of a file in the source tree ($OPEX_SOURCE_DIR/rel), malloc'd. */
char *opex_test_source_path(const char *rel);

/** True if `diags` holds a diagnostic with this rule (and line, unless 0). */
int opex_test_has_diag(const opex_diag_list *diags, const char *rule,
	const char *path, unsigned line);

/** Print every diagnostic to stderr (for failing tests). */
void opex_test_dump_diags(const opex_diag_list *diags);

struct opex_test_repo;

/**
 * Stage every file under the source-tree folder `rel` (e.g.
 * "tests/fixtures/broken-handbook") at its path relative to that folder.
 */
void opex_test_repo_put_dir(struct opex_test_repo *repo, const char *rel);

/** Read a whole file into a new NUL-terminated string (NULL if unreadable). */
char *opex_test_read_file(const char *path, size_t *len_out);

/**
 * Run `opex ARGS` (the built binary; ARGS is passed to the shell) and
 * capture its exit status, stdout and stderr (free both with opex_free).
 */
int opex_test_run_opex(const char *args, char **out, char **err);

/** opex_test_run_opex() with the arguments formatted from `fmt`. */
int opex_test_run_opexf(char **out, char **err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif

/*
 * corrupt_repo.h: a handbook repository whose git objects tests damage and
 * restore (a loose object file deleted or overwritten), for the kb and
 * search suites.
 */
#ifndef OPEX_TEST_CORRUPT_REPO_H
#define OPEX_TEST_CORRUPT_REPO_H

#include <stddef.h>

#include "kb/kb.h"
#include "repo_fixture.h"

#define T0 1767225600 /* 2026-01-01 */
#define DAY 86400

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



typedef struct opex_test_corrupt_article {
	const char *path, *text;
} opex_test_corrupt_article;

/* Every article has its own words, so each blob is its own object. */
extern const opex_test_corrupt_article opex_test_corrupt_articles[];
extern const size_t opex_test_corrupt_article_count;

typedef enum opex_test_damage {
	OPEX_TEST_DAMAGE_DELETE = 0,   /* the loose object file is gone */
	OPEX_TEST_DAMAGE_OVERWRITE     /* it holds bytes that are not a git object */
} opex_test_damage;

/**
 * Three commits: everything, then a change in articles/cards, then a
 * change to refunds.md. `ids` (3 x 41 bytes, may be NULL) gets them.
 */
opex_test_repo *opex_test_corrupt_repo(char ids[3][41]);

/** The id of what `spec` names ("HEAD:articles/cards", "HEAD~2^{tree}"). */
void opex_test_object_id(char out[41], opex_test_repo *repo, const char *spec);

/** Damage the loose object `id`; returns its old bytes (free with opex_free). */
char *opex_test_object_damage(opex_test_repo *repo, const char *id,
	opex_test_damage how, size_t *len);

/** Put the loose object `id` back as `bytes`. */
void opex_test_object_restore(opex_test_repo *repo, const char *id,
	const char *bytes, size_t len);

/** Load the handbook at T0 + 3 days with the history cache `cache`. */
opex_kb_handbook *opex_test_corrupt_load(opex_test_repo *repo,
	const char *cache, opex_diag_list *diags);

/** The only object-unreadable diagnostic, which must be on `path`. */
const opex_diag *opex_test_the_unreadable(const opex_diag_list *diags,
	const char *path);

/** Assert that `d` names object `id` (and, deleted, that it was not found). */
void opex_test_assert_names_object(const opex_diag *d, const char *id,
	opex_test_damage how);

#endif

/* corrupt_repo.c: see corrupt_repo.h. */
#define _POSIX_C_SOURCE 200809L

#include "corrupt_repo.h"
#include "test_util.h"
#include "core/memory.h"

#include <check.h>
#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/banned.h"

static const char roster[] =
	"people:\n"
	"  - id: ana\n"
	"    name: Ana Lima\n"
	"    email: ana@example.com\n";

/* Every article has its own words, so each blob is its own object. */
const opex_test_corrupt_article opex_test_corrupt_articles[] = {
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

const size_t opex_test_corrupt_article_count =
	sizeof(opex_test_corrupt_articles) / sizeof(opex_test_corrupt_articles[0]);

/*
 * Three commits: everything, then a change in articles/cards, then a
 * change to refunds.md. `ids` (3 x 41 bytes, may be NULL) gets them.
 */
opex_test_repo *opex_test_corrupt_repo(char ids[3][41])
{
	opex_test_repo *repo = opex_test_repo_new(false);
	char scratch[3][41];
	size_t i;

	if (ids == NULL)
		ids = scratch;
	opex_test_repo_put(repo, "people.yaml", roster);
	for (i = 0; i < opex_test_corrupt_article_count; i++)
		opex_test_repo_put(repo, opex_test_corrupt_articles[i].path, opex_test_corrupt_articles[i].text);
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
void opex_test_object_id(char out[41], opex_test_repo *repo, const char *spec)
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
char *opex_test_object_damage(opex_test_repo *repo, const char *id, opex_test_damage how,
	size_t *len)
{
	char path[4200];
	char *bytes;
	FILE *f;

	object_file(path, sizeof(path), repo, id);
	bytes = opex_test_read_file(path, len);
	ck_assert_msg(bytes != NULL, "no loose object %s", path);
	if (how == OPEX_TEST_DAMAGE_DELETE) {
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

void opex_test_object_restore(opex_test_repo *repo, const char *id,
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

opex_kb_handbook *opex_test_corrupt_load(opex_test_repo *repo, const char *cache,
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
const opex_diag *opex_test_the_unreadable(const opex_diag_list *diags, const char *path)
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

void opex_test_assert_names_object(const opex_diag *d, const char *id, opex_test_damage how)
{
	char want[80];

	snprintf(want, sizeof(want), "cannot read git object %s", id);
	ck_assert_msg(strstr(d->message, want) != NULL, "'%s' does not say '%s'",
		d->message, want);
	if (how == OPEX_TEST_DAMAGE_DELETE)
		ck_assert_msg(strstr(d->message, ": object not found") != NULL,
			"'%s'", d->message);
}


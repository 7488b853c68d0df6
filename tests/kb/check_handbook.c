/*
 * check_handbook.c: loading a whole handbook from git, with bad files mixed
 * in: every bad file is reported with its path (and line) and the rest of
 * the handbook is still read.
 */
#include "support/repo_fixture.h"
#include "support/test_util.h"
#include "core/memory.h"
#include "kb/kb.h"

#include <check.h>
#include <string.h>

#include "core/banned.h"

#define T0 1767225600 /* 2026-01-01 */
#define DAY 86400

static const char roster[] =
	"people:\n"
	"  - id: ana\n"
	"    name: Ana Lima\n"
	"    email: ana@example.com\n"
	"  - id: ben\n"
	"    name: Ben Okafor\n"
	"    email: ben@example.com\n";

static const char good_article[] =
	"---\ntitle: Good\nowner: ana\nlanguage: en\n---\nBody.\n";

/* A repository with a roster, one good article and `path` holding `content`. */
static opex_test_repo *repo_with(const char *path, const char *content,
	size_t len)
{
	opex_test_repo *repo = opex_test_repo_new(false);

	opex_test_repo_put(repo, "people.yaml", roster);
	opex_test_repo_put(repo, "articles/good.md", good_article);
	if (path)
		opex_test_repo_put_bytes(repo, path, content, len);
	opex_test_repo_commit(repo, "Ana Lima", "ana@example.com", T0, "Add", NULL);
	return repo;
}

static opex_kb_handbook *load(opex_test_repo *repo, opex_diag_list *diags,
	int64_t now)
{
	opex_kb_handbook_options opts = OPEX_KB_HANDBOOK_OPTIONS_INIT;
	opex_kb_handbook *hb = NULL;
	opex_error err = OPEX_ERROR_INIT;

	opts.history_cache = "";
	opts.now = now ? now : T0 + DAY;
	ck_assert_msg(opex_kb_handbook_load(&hb, opex_test_repo_path(repo),
		&opts, diags, &err) == 0, "%s", err.message);
	return hb;
}

static const char alias_bomb[] =
	"---\n"
	"a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
	"b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
	"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
	"d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
	"e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
	"f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
	"title: [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
	"---\nBody.\n";

static const struct {
	const char *name;
	const char *path;
	const char *content;
	size_t len;          /* 0: strlen(content) */
	const char *rule;
	unsigned line;
	const char *message; /* a part of the message */
} bad_files[] = {
	{ "binary", "articles/logo.md", "\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16,
	  "file-unreadable", 0, "binary" },
	{ "invalid utf-8", "articles/latin1.md",
	  "---\ntitle: Caf\xe9\n---\nBody.\n", 0, "file-unreadable", 2, "UTF-8" },
	{ "never closed", "articles/open.md",
	  "---\ntitle: Open\nowner: ana\n\nBody.\n", 0, "front-matter-invalid", 1,
	  "never closed" },
	{ "not a mapping", "articles/list.md", "---\n- a\n- b\n---\nBody.\n", 0,
	  "front-matter-invalid", 2, "not a mapping" },
	{ "scalar", "articles/scalar.md", "---\njust text\n---\nBody.\n", 0,
	  "front-matter-invalid", 2, "not a mapping" },
	{ "alias bomb", "articles/lol.md", alias_bomb, 0, "front-matter-invalid",
	  2, "alias" },
	{ "yaml syntax", "articles/syntax.md",
	  "---\ntitle: x\ntags: [a, b\nowner: ana\n---\n", 0,
	  "front-matter-invalid", 0, "" },
	{ "link leaves", "articles/escape.md",
	  "---\ntitle: Escape\nowner: ana\nlanguage: en\n---\n\nSee [it](../../../etc/passwd).\n",
	  0, "link-broken", 7, "leaves the handbook" },
	{ "translation of ..", "articles/up.fr.md",
	  "---\ntitle: Haut\nowner: ana\nlanguage: fr\ntranslation_of: ../secret.md\n---\n",
	  0, "translation-source-missing", 5, "not a handbook path" },
};

START_TEST(kb_handbook__bad_file_is_reported_and_rest_is_read)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	size_t len = bad_files[_i].len ? bad_files[_i].len
				      : strlen(bad_files[_i].content);
	opex_test_repo *repo = repo_with(bad_files[_i].path,
		bad_files[_i].content, len);
	opex_kb_handbook *hb = load(repo, &diags, 0);
	size_t i;
	bool found = false;

	opex_kb_lint(hb, &diags);
	for (i = 0; i < diags.count; i++) {
		const opex_diag *d = &diags.items[i];

		if (strcmp(d->rule, bad_files[_i].rule) == 0 &&
		    strcmp(d->path, bad_files[_i].path) == 0 &&
		    (bad_files[_i].line == 0 || d->line == bad_files[_i].line) &&
		    strstr(d->message, bad_files[_i].message) != NULL)
			found = true;
	}
	if (!found)
		opex_test_dump_diags(&diags);
	ck_assert_msg(found, "%s: no %s diagnostic on %s:%u", bad_files[_i].name,
		bad_files[_i].rule, bad_files[_i].path, bad_files[_i].line);
	/* the good article is still there, with its derived state */
	ck_assert_ptr_nonnull(opex_kb_handbook_find(hb, "articles/good.md"));
	ck_assert(!opex_kb_handbook_find(hb, "articles/good.md")->stale);
	opex_kb_handbook_free(hb);
	opex_diag_list_release(&diags);
	opex_test_repo_free(repo);
}
END_TEST

START_TEST(kb_handbook__huge_article_is_refused)
{
	size_t len = 20u * 1024u * 1024u;
	char *big = opex_malloc(len);
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_test_repo *repo;
	opex_kb_handbook *hb;

	memset(big, 'a', len);
	memcpy(big, "---\ntitle: Big\n---\n", 19);
	repo = repo_with("articles/big.md", big, len);
	opex_free(big);
	hb = load(repo, &diags, 0);
	ck_assert(opex_test_has_diag(&diags, "file-unreadable", "articles/big.md", 0));
	ck_assert_ptr_null(opex_kb_handbook_find(hb, "articles/big.md"));
	ck_assert_uint_eq(opex_kb_handbook_article_count(hb), 1);
	opex_kb_handbook_free(hb);
	opex_diag_list_release(&diags);
	opex_test_repo_free(repo);
}
END_TEST

START_TEST(kb_handbook__symlink_and_submodule_are_reported)
{
	opex_test_repo *repo = opex_test_repo_new(false);
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_kb_handbook *hb;

	opex_test_repo_put(repo, "people.yaml", roster);
	opex_test_repo_put(repo, "articles/good.md", good_article);
	opex_test_repo_put_mode(repo, "articles/passwd.md", "/etc/passwd",
		OPEX_TEST_MODE_LINK);
	opex_test_repo_put_mode(repo, "articles/vendor",
		"0123456789abcdef0123456789abcdef01234567", OPEX_TEST_MODE_GITLINK);
	opex_test_repo_commit(repo, "Ana Lima", "ana@example.com", T0, "Add", NULL);
	hb = load(repo, &diags, 0);
	ck_assert(opex_test_has_diag(&diags, "file-unreadable", "articles/passwd.md", 0));
	ck_assert(opex_test_has_diag(&diags, "file-unreadable", "articles/vendor", 0));
	ck_assert_uint_eq(opex_kb_handbook_article_count(hb), 1);
	opex_kb_handbook_free(hb);
	opex_diag_list_release(&diags);
	opex_test_repo_free(repo);
}
END_TEST

static const struct {
	const char *name;
	const char *roster; /* NULL: no people.yaml at all */
	const char *rule;
	unsigned line;
} bad_rosters[] = {
	{ "missing", NULL, "roster-invalid", 0 },
	{ "not yaml", "people: [\n  - id: ana\n", "roster-invalid", 0 },
	{ "not a mapping", "- ana\n- ben\n", "roster-invalid", 1 },
	{ "duplicate", "people:\n  - id: ana\n    name: A\n    email: a@x.org\n"
	  "  - id: ana\n    name: B\n    email: b@x.org\n", "person-duplicate", 5 },
};

START_TEST(kb_handbook__bad_roster_is_reported_and_articles_are_read)
{
	opex_test_repo *repo = opex_test_repo_new(true);
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_kb_handbook *hb;

	if (bad_rosters[_i].roster)
		opex_test_repo_put(repo, "people.yaml", bad_rosters[_i].roster);
	opex_test_repo_put(repo, "articles/good.md", good_article);
	opex_test_repo_commit(repo, "Ana Lima", "ana@example.com", T0, "Add", NULL);
	hb = load(repo, &diags, 0);
	if (!opex_test_has_diag(&diags, bad_rosters[_i].rule, "people.yaml",
		bad_rosters[_i].line))
		opex_test_dump_diags(&diags);
	ck_assert_msg(opex_test_has_diag(&diags, bad_rosters[_i].rule,
		"people.yaml", bad_rosters[_i].line), "%s", bad_rosters[_i].name);
	ck_assert_uint_eq(opex_kb_handbook_article_count(hb), 1);
	opex_kb_handbook_free(hb);
	opex_diag_list_release(&diags);
	opex_test_repo_free(repo);
}
END_TEST

/* --- derived states ---------------------------------------------------- */

START_TEST(kb_handbook__verification_from_owner_or_trailer)
{
	opex_test_repo *repo = opex_test_repo_new(false);
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_kb_handbook *hb;
	const opex_kb_article *a, *b;

	opex_test_repo_put(repo, "people.yaml", roster);
	opex_test_repo_put(repo, "articles/a.md",
		"---\ntitle: A\nowner: ana\nreview_every: 30d\n---\nv1\n");
	opex_test_repo_put(repo, "articles/b.md",
		"---\ntitle: B\nowner: ana\nreview_every: 30d\n---\nv1\n");
	opex_test_repo_commit(repo, "Ana Lima", "ana@example.com", T0, "Add", NULL);
	/* Ben edits both later; only b's edit carries Ana's trailer. */
	opex_test_repo_put(repo, "articles/a.md",
		"---\ntitle: A\nowner: ana\nreview_every: 30d\n---\nv2\n");
	opex_test_repo_commit(repo, "Ben Okafor", "ben@example.com", T0 + 50 * DAY,
		"Edit a", NULL);
	opex_test_repo_put(repo, "articles/b.md",
		"---\ntitle: B\nowner: ana\nreview_every: 30d\n---\nv2\n");
	opex_test_repo_commit(repo, "Ben Okafor", "ben@example.com", T0 + 50 * DAY,
		"Edit b\n\nVerified-by: ana\n", NULL);
	hb = load(repo, &diags, T0 + 60 * DAY);
	a = opex_kb_handbook_find(hb, "articles/a.md");
	b = opex_kb_handbook_find(hb, "articles/b.md");
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(a->verified_at, T0);
	ck_assert(a->stale);
	ck_assert_int_eq(a->last_change->time, T0 + 50 * DAY);
	ck_assert_int_eq(b->verified_at, T0 + 50 * DAY);
	ck_assert(!b->stale);
	opex_kb_lint(hb, &diags);
	ck_assert(opex_test_has_diag(&diags, "review-overdue", "articles/a.md", 3));
	ck_assert(!opex_test_has_diag(&diags, "review-overdue", "articles/b.md", 0));
	opex_kb_handbook_free(hb);
	opex_diag_list_release(&diags);
	opex_test_repo_free(repo);
}
END_TEST

START_TEST(kb_handbook__translation_outdated_when_source_changes)
{
	opex_test_repo *repo = opex_test_repo_new(false);
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_kb_handbook *hb;
	static const char fr[] =
		"---\ntitle: A\nowner: ana\nlanguage: fr\ntranslation_of: articles/a.md\n---\nv1\n";

	opex_test_repo_put(repo, "people.yaml", roster);
	opex_test_repo_put(repo, "articles/a.md", "---\ntitle: A\nowner: ana\n---\nv1\n");
	opex_test_repo_put(repo, "articles/a.fr.md", fr);
	opex_test_repo_commit(repo, "Ana Lima", "ana@example.com", T0, "Add", NULL);
	hb = load(repo, &diags, T0 + DAY);
	ck_assert(!opex_kb_handbook_find(hb, "articles/a.fr.md")->outdated);
	opex_kb_handbook_free(hb);

	opex_test_repo_put(repo, "articles/a.md", "---\ntitle: A\nowner: ana\n---\nv2\n");
	opex_test_repo_commit(repo, "Ana Lima", "ana@example.com", T0 + 2 * DAY,
		"Change the source", NULL);
	hb = load(repo, &diags, T0 + 3 * DAY);
	ck_assert(opex_kb_handbook_find(hb, "articles/a.fr.md")->outdated);
	opex_kb_lint(hb, &diags);
	ck_assert(opex_test_has_diag(&diags, "translation-outdated", "articles/a.fr.md", 5));
	opex_kb_handbook_free(hb);

	/* Touching the translation brings it up to date. */
	opex_test_repo_put(repo, "articles/a.fr.md", "---\ntitle: A\nowner: ana\nlanguage: fr\ntranslation_of: articles/a.md\n---\nv2\n");
	opex_test_repo_commit(repo, "Ana Lima", "ana@example.com", T0 + 3 * DAY,
		"Update the translation", NULL);
	hb = load(repo, &diags, T0 + 4 * DAY);
	ck_assert(!opex_kb_handbook_find(hb, "articles/a.fr.md")->outdated);
	opex_kb_handbook_free(hb);
	opex_diag_list_release(&diags);
	opex_test_repo_free(repo);
}
END_TEST

START_TEST(kb_handbook__repository_errors)
{
	opex_kb_handbook *hb = NULL;
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_error err = OPEX_ERROR_INIT;
	char *dir = opex_test_tmpdir();

	ck_assert_int_lt(opex_kb_handbook_load(&hb, dir, NULL, &diags, &err), 0);
	ck_assert_ptr_null(hb);
	ck_assert_msg(strstr(err.message, dir) != NULL, "%s", err.message);
	opex_test_rmtree(dir);
	opex_diag_list_release(&diags);
}
END_TEST

Suite *suite_handbook(void)
{
	Suite *s = suite_create("kb_handbook");
	TCase *tc = tcase_create("bad_input");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, kb_handbook__bad_file_is_reported_and_rest_is_read,
		0, (int)(sizeof(bad_files) / sizeof(bad_files[0])));
	tcase_add_test(tc, kb_handbook__huge_article_is_refused);
	tcase_add_test(tc, kb_handbook__symlink_and_submodule_are_reported);
	tcase_add_loop_test(tc, kb_handbook__bad_roster_is_reported_and_articles_are_read,
		0, (int)(sizeof(bad_rosters) / sizeof(bad_rosters[0])));
	tcase_add_test(tc, kb_handbook__repository_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("derived");
	tcase_add_test(tc, kb_handbook__verification_from_owner_or_trailer);
	tcase_add_test(tc, kb_handbook__translation_outdated_when_source_changes);
	suite_add_tcase(s, tc);
	return s;
}

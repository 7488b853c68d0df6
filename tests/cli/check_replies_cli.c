/*
 * check_replies_cli.c: opex replies list, export --format zendesk-macros
 * and import, on a handbook work tree: the round trip changes nothing, an
 * edit in the helpdesk comes back as a body change with the front matter
 * kept, and hostile exports write nothing outside replies/.
 */
#define _POSIX_C_SOURCE 200809L

#include "core/memory.h"
#include "support/repo_fixture.h"
#include "support/test_util.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/banned.h"

static opex_test_repo *repo;
static char *tmp;
static char wt[4200];   /* a clone: the work tree import writes into */

static const char frozen[] =
	"---\ntitle: Card frozen\nowner: ana\nlanguage: en\njourney: cards\n"
	"channel: chat\n---\nHi {{customer.first_name}}, case {{case.id}} is open.\n";
static const char frozen_fr[] =
	"---\ntitle: Carte gelée\nowner: ana\nlanguage: fr\njourney: cards\n"
	"channel: chat\ntranslation_of: replies/frozen.md\n---\n"
	"Bonjour {{customer.first_name}}, dossier {{case.id}}.\n";

static void setup(void)
{
	repo = opex_test_repo_new(false);
	tmp = opex_test_tmpdir();
	opex_test_repo_put(repo, "people.yaml",
		"people:\n  - id: ana\n    name: Ana\n    email: ana@x.io\n");
	opex_test_repo_put(repo, "opex.yaml", "languages: [en, fr, id]\n");
	opex_test_repo_put(repo, "replies/frozen.md", frozen);
	opex_test_repo_put(repo, "replies/frozen.fr.md", frozen_fr);
	opex_test_repo_commit(repo, "Ana", "ana@x.io", 1780000000, "replies", NULL);
	snprintf(wt, sizeof(wt), "%.4000s/wt", tmp);
	{
		char cmd[9000];

		snprintf(cmd, sizeof(cmd), "git clone -q '%s' '%s'",
			opex_test_repo_path(repo), wt);
		ck_assert_int_eq(system(cmd), 0);
	}
}

static void teardown(void)
{
	opex_test_repo_free(repo);
	opex_test_rmtree(tmp);
}

static char *write_tmp(const char *name, const char *text)
{
	size_t n = strlen(tmp) + strlen(name) + 2;
	char *path = opex_malloc(n);
	FILE *f;

	snprintf(path, n, "%s/%s", tmp, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static char *tree_file(const char *rel)
{
	char path[8400];

	snprintf(path, sizeof(path), "%s/%s", wt, rel);
	return opex_test_read_file(path, NULL);
}

START_TEST(cli_replies__list_and_export)
{
	char *out = NULL, *err = NULL;
	const char *r = wt;

	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "replies '%s'", r), 0);
	ck_assert_msg(strstr(out, "replies/frozen.md\ten\tchat\tCard frozen\tno id\n") != NULL,
		"%s", out);
	ck_assert_msg(strstr(out, "replies/frozen.fr.md\tfr\tchat\tCarte gelée\n") != NULL,
		"%s", out);
	opex_free(out);
	opex_free(err);

	ck_assert_int_eq(opex_test_run_opexf(&out, &err,
		"replies export '%s' --format zendesk-macros", r), 0);
	ck_assert_msg(strstr(out, "\"title\": \"cards::Card frozen\"") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "\"description\": \"opex: replies/frozen.md (en, chat)\"") != NULL,
		"%s", out);
	ck_assert_msg(strstr(out, "\"field\": \"comment_value\"") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "Hi {{ticket.requester.first_name}}, case {{ticket.id}} is open.") != NULL,
		"%s", out);
	opex_free(out);
	opex_free(err);

	ck_assert_int_eq(opex_test_run_opexf(&out, &err,
		"replies export '%s' --format zendesk-macros --language fr", r), 0);
	ck_assert_ptr_null(strstr(out, "Card frozen"));
	ck_assert_ptr_nonnull(strstr(out, "Carte gelée"));
	opex_free(out);
	opex_free(err);

	ck_assert_int_eq(opex_test_run_opexf(&out, &err,
		"replies export '%s' --format freshdesk", r), 2);
	ck_assert_ptr_nonnull(strstr(err, "unknown format"));
	opex_free(out);
	opex_free(err);
	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "replies export '%s'", r), 2);
	opex_free(out);
	opex_free(err);
}
END_TEST

START_TEST(cli_replies__round_trip_and_edits)
{
	char *out = NULL, *err = NULL, *export_path, *edited, *text;
	const char *r = wt;
	char cmd[8192];

	export_path = write_tmp("macros.json", "");
	ck_assert_int_eq(opex_test_run_opexf(&out, &err,
		"replies export '%s' --format zendesk-macros -o '%s'", r, export_path), 0);
	opex_free(out);
	opex_free(err);
	ck_assert_int_eq(opex_test_run_opexf(&out, &err,
		"replies import '%s' '%s'", export_path, r), 0);
	ck_assert_msg(strstr(out, "replies/frozen.md: unchanged") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "replies/frozen.fr.md: unchanged") != NULL, "%s", out);
	opex_free(out);
	opex_free(err);

	/* an agent lead edits the English macro in the helpdesk */
	snprintf(cmd, sizeof(cmd),
		"sed -i 's/is open\\./is open: we reply within a day./' '%s'", export_path);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(opex_test_run_opexf(&out, &err,
		"replies import '%s' '%s' --dry-run", export_path, r), 0);
	ck_assert_msg(strstr(out, "replies/frozen.md: updated (dry run: not written)") != NULL,
		"%s", out);
	opex_free(out);
	opex_free(err);
	text = tree_file("replies/frozen.md");
	ck_assert_str_eq(text, frozen);
	opex_free(text);

	ck_assert_int_eq(opex_test_run_opexf(&out, &err,
		"replies import '%s' '%s'", export_path, r), 0);
	ck_assert_msg(strstr(out, "replies/frozen.md: updated") != NULL, "%s", out);
	opex_free(out);
	opex_free(err);
	text = tree_file("replies/frozen.md");
	ck_assert_str_eq(text,
		"---\ntitle: Card frozen\nowner: ana\nlanguage: en\njourney: cards\n"
		"channel: chat\n---\nHi {{customer.first_name}}, case {{case.id}} is open: we reply within a day.\n");
	opex_free(text);

	/* a macro made in the helpdesk becomes a new reply */
	edited = write_tmp("new.json",
		"{\"macro\": {\"title\": \"cards::Card on its way!\", \"actions\":"
		" [{\"field\": \"comment_value\", \"value\": [\"channel:all\","
		" \"Dear {{ticket.requester.name}}, {{order.id}}\"]}]}}");
	ck_assert_int_eq(opex_test_run_opexf(&out, &err,
		"replies import '%s' '%s' --owner ana", edited, r), 0);
	ck_assert_msg(strstr(out, "replies/imported/card-on-its-way.md: created") != NULL,
		"%s", out);
	opex_free(out);
	opex_free(err);
	text = tree_file("replies/imported/card-on-its-way.md");
	ck_assert_str_eq(text, "---\ntitle: \"Card on its way!\"\nowner: \"ana\"\n---\n"
		"Dear {{customer.name}}, {{order.id}}\n");
	opex_free(text);
	opex_free(edited);
	opex_free(export_path);
}
END_TEST

START_TEST(cli_replies__hostile_exports_write_nothing_outside)
{
	char *out = NULL, *err = NULL, *path, *text;
	const char *r = wt;
	char link[8400], outside[8400];
	struct stat st;

	path = write_tmp("bad.json", "{\"macros\": [\n  {\"title\": 1,}\n]}");
	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "replies import '%s' '%s'", path, r), 2);
	ck_assert_msg(strstr(err, "bad.json:2: not JSON") != NULL, "%s", err);
	opex_free(out);
	opex_free(err);
	opex_free(path);

	path = write_tmp("shape.json", "{\"macros\": 3}");
	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "replies import '%s' '%s'", path, r), 2);
	ck_assert_msg(strstr(err, "not a macro export") != NULL, "%s", err);
	opex_free(out);
	opex_free(err);
	opex_free(path);

	path = write_tmp("escape.json",
		"{\"macros\": ["
		"{\"title\": \"a\", \"description\": \"opex: ../../outside.md\", \"actions\": [{\"field\": \"comment_value\", \"value\": \"x\"}]},"
		"{\"title\": \"b\", \"description\": \"opex: /tmp/outside.md\", \"actions\": [{\"field\": \"comment_value\", \"value\": \"x\"}]},"
		"{\"title\": \"c\", \"description\": \"opex: articles/x.md\", \"actions\": [{\"field\": \"comment_value\", \"value\": \"x\"}]},"
		"{\"title\": \"d\", \"actions\": [{\"field\": \"comment_value_html\", \"value\": \"<p>x</p>\"}]},"
		"{\"actions\": []}, 7,"
		"{\"title\": \"e\", \"description\": \"opex: replies/via-link/x.md\", \"actions\": [{\"field\": \"comment_value\", \"value\": \"x\"}]}"
		"]}");
	/* replies/via-link points outside the tree */
	snprintf(outside, sizeof(outside), "%s/outside", tmp);
	ck_assert_int_eq(mkdir(outside, 0777), 0);
	snprintf(link, sizeof(link), "%s/replies/via-link", r);
	ck_assert_int_eq(symlink(outside, link), 0);
	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "replies import '%s' '%s'", path, r), 1);
	ck_assert_msg(strstr(err, "macro 1 ('a'): '../../outside.md' is not a handbook path") != NULL, "%s", err);
	ck_assert_msg(strstr(err, "macro 2 ('b')") != NULL, "%s", err);
	ck_assert_msg(strstr(err, "macro 3 ('c')") != NULL, "%s", err);
	ck_assert_msg(strstr(err, "macro 4 ('d'): its comment is HTML only") != NULL, "%s", err);
	ck_assert_msg(strstr(err, "macro 5: no title") != NULL, "%s", err);
	ck_assert_msg(strstr(err, "macro 6: not an object") != NULL, "%s", err);
	ck_assert_msg(strstr(err, "macro 7 ('e'): 'replies/via-link/x.md' is a symbolic link") != NULL, "%s", err);
	ck_assert_str_eq(out, "");
	opex_free(out);
	opex_free(err);
	snprintf(link, sizeof(link), "%s/outside/x.md", tmp);
	ck_assert_int_ne(stat(link, &st), 0);
	ck_assert_int_ne(stat("/tmp/outside.md", &st), 0);
	text = tree_file("replies/frozen.md");
	ck_assert_str_eq(text, frozen);
	opex_free(text);
	opex_free(path);
}
END_TEST

Suite *suite_replies_cli(void)
{
	Suite *s = suite_create("cli_replies");
	TCase *tc = tcase_create("replies");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, cli_replies__list_and_export);
	tcase_add_test(tc, cli_replies__round_trip_and_edits);
	tcase_add_test(tc, cli_replies__hostile_exports_write_nothing_outside);
	suite_add_tcase(s, tc);
	return s;
}

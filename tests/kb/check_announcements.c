/*
 * check_announcements.c: announcements and required reading
 * (kb/announcements.c, the fields in kb/article.c): front matter, who is
 * in an audience, and the rules with the line they point at.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "kb/kb.h"
#include "support/repo_fixture.h"
#include "support/test_util.h"

#include "core/banned.h"

#define T0 1767225600 /* 2026-01-01 */

static const char roster[] =
	"people:\n"
	"  - id: ana\n    name: Ana\n    email: ana@x.io\n    teams: [desk]\n"
	"  - id: dee\n    name: Dee\n    email: dee@x.io\n    teams: [jkt]\n"
	"  - id: cy\n    name: Cy\n    email: cy@x.io\n    teams: [back]\n"
	"teams:\n  - id: desk\n  - id: back\n  - id: jkt\n    partner: true\n";

/* Load (and lint, with `lint`) a handbook of `files` (path, text pairs). */
static opex_kb_handbook *load(opex_test_repo **repo, opex_diag_list *diags,
	const char *const *files, size_t count, bool lint)
{
	opex_kb_handbook *hb;
	size_t i;

	*repo = opex_test_repo_new(false);
	opex_test_repo_put(*repo, "people.yaml", roster);
	opex_test_repo_put(*repo, "articles/lost.md",
		"---\ntitle: Lost\nowner: ana\n---\nFreeze.\n");
	for (i = 0; i + 1 < count; i += 2)
		opex_test_repo_put(*repo, files[i], files[i + 1]);
	opex_test_repo_commit(*repo, "Ana", "ana@x.io", T0, "one", NULL);
	hb = opex_test_handbook_load(*repo, T0 + 86400, diags);
	if (lint)
		opex_kb_lint(hb, diags);
	return hb;
}

static const opex_diag *find(const opex_diag_list *diags, const char *rule)
{
	size_t i;

	for (i = 0; i < diags->count; i++)
		if (strcmp(diags->items[i].rule, rule) == 0)
			return &diags->items[i];
	return NULL;
}

START_TEST(kb_announcements__front_matter_read)
{
	static const char *const files[] = {
		"announcements/outage.md",
		"---\ntitle: Outage\nowner: ana\naudience: [desk, partners]\n"
		"severity: incident\nexpires: 2026-03-31\nrequires_ack: true\n"
		"ack_within: 2d\narticles: [articles/lost.md]\n"
		"processes: [processes/x.dot]\n---\nIt broke.\n",
		"announcements/news.md",
		"---\ntitle: News\nowner: ana\n---\nHello.\n",
	};
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_test_repo *repo;
	opex_kb_handbook *hb = load(&repo, &diags, files, 4, false);
	const opex_kb_article *a = opex_kb_handbook_find(hb, "announcements/outage.md");
	const opex_kb_article *news = opex_kb_handbook_find(hb, "announcements/news.md");
	size_t first, n;

	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(a->kind, OPEX_KB_KIND_ANNOUNCEMENT);
	ck_assert_ptr_nonnull(a->announcement);
	ck_assert_uint_eq(a->announcement->audience_count, 2);
	ck_assert_str_eq(a->announcement->audience[1], "partners");
	ck_assert_int_eq(a->announcement->severity, OPEX_KB_NOTICE_INCIDENT);
	/* 2026-03-31 holds all of that day */
	ck_assert_int_eq(a->announcement->expires, T0 + 90 * 86400);
	ck_assert(a->announcement->requires_ack);
	ck_assert_int_eq(a->announcement->ack_within, 2 * 86400);
	ck_assert_uint_eq(a->announcement->article_count, 1);
	ck_assert_uint_eq(a->announcement->process_count, 1);
	ck_assert(!a->stale); /* announcements expire, they are not reviewed */
	ck_assert_int_eq(news->announcement->severity, OPEX_KB_NOTICE_INFO);
	ck_assert(!news->announcement->requires_ack);
	ck_assert(!opex_kb_announcement_expired(a, T0 + 90 * 86400 - 1));
	ck_assert(opex_kb_announcement_expired(a, T0 + 90 * 86400));
	ck_assert(!opex_kb_announcement_expired(news, INT64_MAX));
	n = opex_kb_handbook_announcements(hb, &first);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(opex_kb_handbook_article(hb, first)->path,
		"announcements/news.md");
	ck_assert_ptr_null(opex_kb_handbook_find(hb, "articles/lost.md")->announcement);
	ck_assert_int_eq(opex_kb_path_kind("announcements/a/b.md"),
		OPEX_KB_KIND_ANNOUNCEMENT);
	opex_kb_handbook_free(hb);
	opex_diag_list_release(&diags);
	opex_test_repo_free(repo);
}
END_TEST

START_TEST(kb_announcements__audience)
{
	static const char *const files[] = { "announcements/a.md",
		"---\ntitle: A\nowner: ana\n---\nx\n" };
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_test_repo *repo;
	opex_kb_handbook *hb = load(&repo, &diags, files, 2, false);
	const opex_kb_roster *r = opex_kb_handbook_roster(hb);
	const opex_kb_person *ana = opex_kb_roster_person(r, "ana");
	const opex_kb_person *dee = opex_kb_roster_person(r, "dee");
	char desk[] = "desk", partners[] = "partners", everyone[] = "everyone";
	char *only_desk[] = { desk }, *only_partners[] = { partners };
	char *all[] = { everyone };

	ck_assert(opex_kb_audience_has(r, NULL, 0, ana));
	ck_assert(opex_kb_audience_has(r, only_desk, 1, ana));
	ck_assert(!opex_kb_audience_has(r, only_desk, 1, dee));
	ck_assert(opex_kb_audience_has(r, only_partners, 1, dee));
	ck_assert(!opex_kb_audience_has(r, only_partners, 1, ana));
	ck_assert(opex_kb_audience_has(r, all, 1, dee));
	opex_kb_handbook_free(hb);
	opex_diag_list_release(&diags);
	opex_test_repo_free(repo);
}
END_TEST

START_TEST(kb_announcements__rules)
{
	static const char *const files[] = {
		"announcements/bad.md",
		"---\ntitle: Bad\nowner: ana\naudience: [desk, dsek, partners]\n"
		"expires: 2025-12-30\nack_within: 1d\n"
		"articles: [articles/gone.md, processes/x.dot]\n---\nx\n",
		"articles/must-read.md",
		"---\ntitle: Must read\nowner: ana\nacknowledge: [back, nobody]\n---\nx\n",
		"announcements/bad.fr.md",
		"---\ntitle: Mauvais\nowner: ana\nlanguage: fr\n"
		"translation_of: articles/lost.md\n---\nx\n",
	};
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_test_repo *repo;
	opex_kb_handbook *hb = load(&repo, &diags, files, 6, true);
	const opex_diag *d;
	size_t i, missing = 0;

	d = find(&diags, "audience-unknown");
	ck_assert_ptr_nonnull(d);
	ck_assert_str_eq(d->path, "announcements/bad.md");
	ck_assert_uint_eq(d->line, 4);
	ck_assert_ptr_nonnull(strstr(d->message, "'dsek'"));
	ck_assert_ptr_nonnull(strstr(d->message, "did you mean 'desk'"));
	d = find(&diags, "announcement-expired");
	ck_assert_ptr_nonnull(d);
	ck_assert_uint_eq(d->line, 5);
	ck_assert_ptr_nonnull(strstr(d->message, "2025-12-30"));
	d = find(&diags, "acknowledge-unknown");
	ck_assert_ptr_nonnull(d);
	ck_assert_str_eq(d->path, "articles/must-read.md");
	ck_assert_ptr_nonnull(strstr(d->message, "'nobody'"));
	for (i = 0; i < diags.count; i++)
		missing += strcmp(diags.items[i].rule, "announcement-link-missing") == 0;
	ck_assert_uint_eq(missing, 2); /* gone, and a map listed under articles */
	ck_assert_ptr_nonnull(find(&diags, "announcement-invalid")); /* ack_within alone */
	for (i = 0; i < diags.count; i++)
		if (strcmp(diags.items[i].rule, "announcement-invalid") == 0 &&
		    strcmp(diags.items[i].path, "announcements/bad.fr.md") == 0)
			break;
	ck_assert_uint_lt(i, diags.count);
	/* announcements are never review-overdue */
	for (i = 0; i < diags.count; i++)
		ck_assert(strcmp(diags.items[i].rule, "review-overdue") != 0 ||
			strncmp(diags.items[i].path, "announcements/", 14) != 0);
	opex_kb_handbook_free(hb);
	opex_diag_list_release(&diags);
	opex_test_repo_free(repo);
}
END_TEST

/* Wrong types and announcement-only fields elsewhere: named, never fatal. */
START_TEST(kb_announcements__hostile_front_matter)
{
	static const char *const files[] = {
		"announcements/types.md",
		"---\ntitle: T\nowner: ana\naudience: {a: b}\nseverity: doom\n"
		"expires: someday\nrequires_ack: maybe\nack_within: forever\n"
		"processes: [[x]]\n---\nx\n",
		"articles/not-news.md",
		"---\ntitle: N\nowner: ana\nsevertiy: incident\naudience: [desk]\n---\nx\n",
	};
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_test_repo *repo;
	opex_kb_handbook *hb = load(&repo, &diags, files, 4, true);
	const opex_kb_article *a = opex_kb_handbook_find(hb, "announcements/types.md");
	unsigned lines[16] = { 0 };
	size_t i, n = 0;

	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(a->announcement->audience_count, 0);
	ck_assert(!a->announcement->requires_ack);
	ck_assert_int_eq(a->announcement->expires, 0);
	for (i = 0; i < diags.count && n < 16; i++)
		if (strcmp(diags.items[i].rule, "front-matter-invalid") == 0 &&
		    strcmp(diags.items[i].path, "announcements/types.md") == 0)
			lines[n++] = diags.items[i].line;
	ck_assert_uint_eq(n, 6);
	ck_assert_uint_eq(lines[0], 4);
	ck_assert_uint_eq(lines[5], 9);
	ck_assert_ptr_null(opex_kb_handbook_find(hb, "articles/not-news.md")->announcement);
	for (n = 0, i = 0; i < diags.count; i++)
		if (strcmp(diags.items[i].path, "articles/not-news.md") == 0 &&
		    strcmp(diags.items[i].rule, "front-matter-invalid") == 0)
			n++;
	ck_assert_uint_eq(n, 2); /* the misspelt field (a suggestion) and audience */
	opex_kb_handbook_free(hb);
	opex_diag_list_release(&diags);
	opex_test_repo_free(repo);
}
END_TEST

Suite *suite_announcements(void)
{
	Suite *s = suite_create("kb_announcements");
	TCase *tc = tcase_create("announcements");

	tcase_add_test(tc, kb_announcements__front_matter_read);
	tcase_add_test(tc, kb_announcements__audience);
	tcase_add_test(tc, kb_announcements__rules);
	tcase_add_test(tc, kb_announcements__hostile_front_matter);
	suite_add_tcase(s, tc);
	return s;
}

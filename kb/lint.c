/*
 * lint.c: rules that check articles against the roster, the settings and
 * the tree. Parsing rules (file-unreadable, front-matter-invalid,
 * roster-invalid, person-duplicate, settings-invalid) are reported while
 * the handbook loads; these run on the loaded handbook.
 *
 *   rule                        severity  where
 *   title-missing               error     line 1
 *   owner-missing               error     line 1
 *   owner-unknown               error     the owner field
 *   language-invalid            error     the language field
 *   translation-source-missing  error     the translation_of field
 *   link-broken                 error     the link
 *   review-overdue              warning   the owner field (else line 1)
 *   translation-outdated        warning   the translation_of field
 *
 * Replies and announcements get these too, and their own rules
 * (replies.c, announcements.c).
 */
#include "kb/kb.h"
#include "core/buf.h"
#include "core/limits.h"
#include "core/memory.h"
#include "core/path.h"
#include "core/text.h"
#include "core/time.h"

#include <string.h>

#include "core/banned.h"

static unsigned field_line(const opex_kb_article *a, opex_kb_field field)
{
	return a->field_line[field] ? a->field_line[field] : 1;
}

/* " (did you mean 'ben'?)" for a mistyped person id, or "". */
static void suggest_person(opex_buf *out, const opex_kb_roster *roster,
	const char *id)
{
	const char **ids = opex_calloc(roster->person_count, sizeof(*ids));
	const char *best;
	size_t i;

	for (i = 0; i < roster->person_count; i++)
		ids[i] = roster->people[i].id;
	best = opex_text_closest(id, strlen(id), ids, roster->person_count, 2);
	if (best)
		opex_buf_printf(out, " (did you mean '%s'?)", best);
	opex_free(ids);
}

static void lint_title_and_owner(const opex_kb_handbook *hb,
	const opex_kb_article *a, opex_diag_list *diags)
{
	const opex_kb_roster *roster = opex_kb_handbook_roster(hb);

	if (a->title == NULL)
		opex_diag_add(diags, OPEX_SEVERITY_ERROR, "title-missing",
			a->path, 1, 1,
			"article has no title: add 'title:' to the front matter or a '# heading'");
	if (a->owner == NULL) {
		opex_diag_add(diags, OPEX_SEVERITY_ERROR, "owner-missing",
			a->path, 1, 1,
			"article has no owner: add 'owner:' with a person id from people.yaml");
		return;
	}
	/* With no roster at all, one roster diagnostic says it all. */
	if (roster->person_count > 0 &&
	    opex_kb_roster_person(roster, a->owner) == NULL) {
		opex_buf hint = OPEX_BUF_INIT(OPEX_LIMIT_LINE_BYTES);

		suggest_person(&hint, roster, a->owner);
		opex_diag_add(diags, OPEX_SEVERITY_ERROR, "owner-unknown",
			a->path, field_line(a, OPEX_KB_FIELD_OWNER), 1,
			"owner '%s' is not a person in people.yaml%s", a->owner,
			hint.failed ? "" : hint.ptr);
		opex_buf_release(&hint);
	}
}

static bool language_listed(const opex_kb_settings *settings, const char *tag)
{
	size_t i;

	for (i = 0; i < settings->language_count; i++)
		if (strcmp(settings->languages[i], tag) == 0)
			return true;
	return false;
}

static void lint_language(const opex_kb_handbook *hb, const opex_kb_article *a,
	opex_diag_list *diags)
{
	const opex_kb_settings *settings = opex_kb_handbook_settings(hb);
	opex_buf list = OPEX_BUF_INIT(OPEX_LIMIT_LINE_BYTES);
	unsigned line = field_line(a, OPEX_KB_FIELD_LANGUAGE);
	size_t i;

	if (a->language == NULL)
		return;
	if (!opex_kb_language_valid(a->language)) {
		opex_diag_add(diags, OPEX_SEVERITY_ERROR, "language-invalid",
			a->path, line, 1,
			"language '%s' is not a BCP 47 tag (e.g. en, fr, id, pt-BR)",
			a->language);
		return;
	}
	if (settings->language_count == 0 ||
	    language_listed(settings, a->language))
		return;
	for (i = 0; i < settings->language_count; i++)
		opex_buf_printf(&list, "%s%s", i ? ", " : "",
			settings->languages[i]);
	opex_diag_add(diags, OPEX_SEVERITY_ERROR, "language-invalid", a->path,
		line, 1, "language '%s' is not one of the handbook's languages (%s)",
		a->language, list.failed ? "..." : list.ptr);
	opex_buf_release(&list);
}

static void lint_translation(const opex_kb_handbook *hb,
	const opex_kb_article *a, opex_diag_list *diags)
{
	const opex_kb_article *source;
	unsigned line = field_line(a, OPEX_KB_FIELD_TRANSLATION_OF);
	char when[16];

	if (a->translation_of == NULL)
		return;
	if (!opex_path_is_clean(a->translation_of)) {
		opex_diag_add(diags, OPEX_SEVERITY_ERROR,
			"translation-source-missing", a->path, line, 1,
			"translation_of '%s' is not a handbook path (write it from the repository root, e.g. articles/cards/lost-card.md)",
			a->translation_of);
		return;
	}
	if (strcmp(a->translation_of, a->path) == 0) {
		opex_diag_add(diags, OPEX_SEVERITY_ERROR,
			"translation-source-missing", a->path, line, 1,
			"article is declared a translation of itself");
		return;
	}
	source = opex_kb_handbook_find(hb, a->translation_of);
	if (source == NULL) {
		opex_diag_add(diags, OPEX_SEVERITY_ERROR,
			"translation-source-missing", a->path, line, 1,
			"source article '%s' is not in the handbook",
			a->translation_of);
		return;
	}
	if (a->outdated && source->last_change) {
		opex_time_format_date(when, sizeof(when),
			source->last_change->time);
		opex_diag_add(diags, OPEX_SEVERITY_WARNING,
			"translation-outdated", a->path, line, 1,
			"translation is outdated: its source '%s' changed on %s (commit %.10s) after it was last updated",
			source->path, when, source->last_change->id);
	}
}

static bool tree_has(const opex_kb_repo *repo, const char *path)
{
	size_t lo = 0, hi = opex_kb_repo_count(repo), n = strlen(path);
	const opex_kb_entry *e;

	if (opex_kb_repo_find(repo, path))
		return true;
	/* A folder: the first entry sorting after "path/" lies under it. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		e = opex_kb_repo_entry(repo, mid);
		if (strncmp(e->path, path, n) < 0 ||
		    (strncmp(e->path, path, n) == 0 && e->path[n] < '/'))
			lo = mid + 1;
		else
			hi = mid;
	}
	e = lo < opex_kb_repo_count(repo) ? opex_kb_repo_entry(repo, lo) : NULL;
	return e && opex_path_under(e->path, path);
}

static void lint_links(const opex_kb_handbook *hb, const opex_kb_article *a,
	opex_diag_list *diags)
{
	const opex_kb_repo *repo = opex_kb_handbook_repo(hb);
	size_t i;

	for (i = 0; i < a->link_count; i++) {
		const opex_kb_link *link = &a->links[i];

		if (link->leaves)
			opex_diag_add(diags, OPEX_SEVERITY_ERROR, "link-broken",
				a->path, link->line, link->col,
				"link '%s' leaves the handbook", link->target);
		else if (link->path && !tree_has(repo, link->path))
			opex_diag_add(diags, OPEX_SEVERITY_ERROR, "link-broken",
				a->path, link->line, link->col,
				"link '%s' points to '%s', which is not in the handbook",
				link->target, link->path);
	}
}

static void lint_review(const opex_kb_handbook *hb, const opex_kb_article *a,
	opex_diag_list *diags)
{
	const opex_kb_roster *roster = opex_kb_handbook_roster(hb);
	unsigned line = field_line(a, OPEX_KB_FIELD_OWNER);
	int64_t days, interval;
	char when[16];

	if (!a->stale || a->owner == NULL ||
	    opex_kb_roster_person(roster, a->owner) == NULL)
		return;
	if (a->verified == NULL) {
		opex_diag_add(diags, OPEX_SEVERITY_WARNING, "review-overdue",
			a->path, line, 1,
			"never verified by its owner '%s': no commit by them and no 'Verified-by: %s' trailer",
			a->owner, a->owner);
		return;
	}
	days = (opex_kb_handbook_now(hb) - a->verified_at) / OPEX_DAY_SECONDS;
	interval = (a->review_every ? a->review_every
				    : opex_kb_handbook_settings(hb)->review_every) /
		   OPEX_DAY_SECONDS;
	opex_time_format_date(when, sizeof(when), a->verified_at);
	opex_diag_add(diags, OPEX_SEVERITY_WARNING, "review-overdue", a->path,
		line, 1,
		"last verified by '%s' on %s, %lld days ago: past its %lld-day review interval",
		a->owner, when, (long long)days, (long long)interval);
}

void opex_kb_lint(const opex_kb_handbook *hb, opex_diag_list *diags)
{
	size_t i, n = opex_kb_handbook_article_count(hb);

	for (i = 0; i < n; i++) {
		const opex_kb_article *a = opex_kb_handbook_article(hb, i);

		lint_title_and_owner(hb, a, diags);
		lint_language(hb, a, diags);
		lint_translation(hb, a, diags);
		lint_links(hb, a, diags);
		lint_review(hb, a, diags);
	}
	opex_kb_routing_lint(hb, diags);
	opex_kb_replies_lint(hb, diags);
	opex_kb_announcements_lint(hb, diags);
}

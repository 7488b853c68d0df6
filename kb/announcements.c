/*
 * announcements.c: announcements (the .md files under announcements/) and required
 * reading. An announcement is an article (owner, language, translations,
 * teams, visibility) with front matter of its own:
 *
 *   audience: [cards-frontline, partners]  team ids, partners, everyone
 *   severity: incident                     info | important | incident
 *   expires: 2027-03-31                    no longer shown after that day
 *   requires_ack: true                     readers must acknowledge it
 *   ack_within: 2d                         and by when, from its last change
 *   articles: [articles/cards/lost-card.md]     what it links
 *   processes: [processes/lost-card-abroad.dot]
 *
 * An article may require reading too: `acknowledge: [team, ...]`. The
 * receipts themselves live on refs/opex/acks (launches/acks.c).
 *
 *   rule                       severity  where
 *   audience-unknown           error     the audience field
 *   acknowledge-unknown        error     the acknowledge field
 *   announcement-expired       warning   the expires field
 *   announcement-link-missing  error     the articles or processes field
 *   announcement-invalid       error     a translation of no announcement;
 *                                        ack_within without requires_ack
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

static const char *const level_names[] = { "info", "important", "incident" };

const char *opex_kb_notice_level_name(opex_kb_notice_level level)
{
	return (unsigned)level < 3 ? level_names[level] : "?";
}

bool opex_kb_notice_level_parse(opex_kb_notice_level *out, const char *name)
{
	unsigned i;

	for (i = 0; i < 3; i++)
		if (strcmp(name, level_names[i]) == 0) {
			*out = (opex_kb_notice_level)i;
			return true;
		}
	return false;
}

static bool in_team(const opex_kb_person *person, const char *team)
{
	size_t i;

	for (i = 0; i < person->team_count; i++)
		if (strcmp(person->teams[i], team) == 0)
			return true;
	return false;
}

static bool in_partner_team(const opex_kb_roster *roster,
	const opex_kb_person *person)
{
	size_t i;

	for (i = 0; i < person->team_count; i++) {
		const opex_kb_team *t = opex_kb_roster_team(roster,
			person->teams[i]);

		if (t != NULL && t->partner)
			return true;
	}
	return false;
}

bool opex_kb_audience_entry_has(const opex_kb_roster *roster,
	const char *entry, const opex_kb_person *person)
{
	if (strcmp(entry, OPEX_KB_AUDIENCE_EVERYONE) == 0)
		return true;
	if (strcmp(entry, OPEX_KB_AUDIENCE_PARTNERS) == 0)
		return in_partner_team(roster, person);
	return in_team(person, entry);
}

bool opex_kb_audience_has(const opex_kb_roster *roster,
	char *const *audience, size_t count, const opex_kb_person *person)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (opex_kb_audience_entry_has(roster, audience[i], person))
			return true;
	return count == 0;
}

bool opex_kb_announcement_expired(const opex_kb_article *a, int64_t now)
{
	return a->announcement != NULL && a->announcement->expires != 0 &&
		now >= a->announcement->expires;
}

static unsigned field_line(const opex_kb_article *a, opex_kb_field field)
{
	return a->field_line[field] ? a->field_line[field] : 1;
}

/* Each name of `teams` must be a team (or, for an audience, partners or everyone). */
static void lint_teams(const opex_kb_handbook *hb, const opex_kb_article *a,
	char *const *teams, size_t count, opex_kb_field field,
	const char *rule, bool audience, opex_diag_list *diags)
{
	const opex_kb_roster *roster = opex_kb_handbook_roster(hb);
	const char **ids = NULL;
	size_t i, k;

	for (i = 0; i < count; i++) {
		const char *near;

		if (opex_kb_roster_team(roster, teams[i]) != NULL)
			continue;
		if (audience && (strcmp(teams[i], OPEX_KB_AUDIENCE_EVERYONE) == 0 ||
		    strcmp(teams[i], OPEX_KB_AUDIENCE_PARTNERS) == 0))
			continue;
		if (ids == NULL) {
			ids = opex_calloc(roster->team_count + 1, sizeof(*ids));
			for (k = 0; k < roster->team_count; k++)
				ids[k] = roster->teams[k].id;
		}
		near = opex_text_closest(teams[i], strlen(teams[i]), ids,
			roster->team_count, 2);
		opex_diag_add(diags, OPEX_SEVERITY_ERROR, rule, a->path,
			field_line(a, field), 1,
			"'%.*s' is not a team of people.yaml%s%s%s%s",
			(int)opex_text_clip(teams[i], 64), teams[i],
			audience ? " (nor partners or everyone)" : "",
			near ? " (did you mean '" : "", near ? near : "",
			near ? "'?)" : "");
	}
	opex_free(ids);
}

static void lint_links(const opex_kb_handbook *hb, const opex_kb_article *a,
	char *const *paths, size_t count, opex_kb_field field, const char *dir,
	opex_diag_list *diags)
{
	const opex_kb_repo *repo = opex_kb_handbook_repo(hb);
	size_t i;

	for (i = 0; i < count; i++) {
		if (!opex_path_under(paths[i], dir))
			opex_diag_add(diags, OPEX_SEVERITY_ERROR,
				"announcement-link-missing", a->path,
				field_line(a, field), 1,
				"'%.*s' is not under %s/",
				(int)opex_text_clip(paths[i], 64), paths[i], dir);
		else if (opex_kb_repo_find(repo, paths[i]) == NULL)
			opex_diag_add(diags, OPEX_SEVERITY_ERROR,
				"announcement-link-missing", a->path,
				field_line(a, field), 1,
				"links '%.*s', which is not in the handbook",
				(int)opex_text_clip(paths[i], 64), paths[i]);
	}
}

static void lint_announcement(const opex_kb_handbook *hb,
	const opex_kb_article *a, opex_diag_list *diags)
{
	const opex_kb_announcement *n = a->announcement;
	const opex_kb_article *source;

	lint_teams(hb, a, n->audience, n->audience_count,
		OPEX_KB_FIELD_AUDIENCE, "audience-unknown", true, diags);
	lint_links(hb, a, n->articles, n->article_count,
		OPEX_KB_FIELD_ARTICLES, "articles", diags);
	lint_links(hb, a, n->processes, n->process_count,
		OPEX_KB_FIELD_PROCESSES, "processes", diags);
	if (opex_kb_announcement_expired(a, opex_kb_handbook_now(hb))) {
		char day[16];

		opex_time_format_date(day, sizeof(day),
			n->expires - OPEX_DAY_SECONDS);
		opex_diag_add(diags, OPEX_SEVERITY_WARNING,
			"announcement-expired", a->path,
			field_line(a, OPEX_KB_FIELD_EXPIRES), 1,
			"expired on %s: readers no longer see it; remove it or move 'expires'",
			day);
	}
	if (n->ack_within != 0 && !n->requires_ack)
		opex_diag_add(diags, OPEX_SEVERITY_ERROR, "announcement-invalid",
			a->path, field_line(a, OPEX_KB_FIELD_ACK_WITHIN), 1,
			"'ack_within' without 'requires_ack: true': nobody is asked to acknowledge");
	source = a->translation_of
		? opex_kb_handbook_find(hb, a->translation_of) : NULL;
	if (source != NULL && source->kind != OPEX_KB_KIND_ANNOUNCEMENT)
		opex_diag_add(diags, OPEX_SEVERITY_ERROR, "announcement-invalid",
			a->path, field_line(a, OPEX_KB_FIELD_TRANSLATION_OF), 1,
			"an announcement translates an announcement, not '%s'",
			a->translation_of);
}

void opex_kb_announcements_lint(const opex_kb_handbook *hb,
	opex_diag_list *diags)
{
	size_t i, n = opex_kb_handbook_article_count(hb);

	for (i = 0; i < n; i++) {
		const opex_kb_article *a = opex_kb_handbook_article(hb, i);

		lint_teams(hb, a, a->acknowledge, a->acknowledge_count,
			OPEX_KB_FIELD_ACKNOWLEDGE, "acknowledge-unknown", false,
			diags);
		if (a->announcement != NULL)
			lint_announcement(hb, a, diags);
	}
}

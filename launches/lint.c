/*
 * lint.c: launch files checked against the handbook, and the handbook-wide
 * lint that `opex lint` and the server's health page run.
 *
 * Rules reported here (all errors):
 *
 *   process-missing      a listed process map does not exist
 *   article-missing      a listed article does not exist
 *   announcement-missing its announcement: does not exist or is no
 *                        announcement (a file under announcements/)
 *   person-unknown       the owner or a stakeholder is not in the roster
 *   approver-unknown     an approver or quorum term is not in the roster
 *   quorum-too-large     a quorum larger than the people who may approve
 *   capacity-invalid     a capacity entry's journey is not one the handbook
 *                        knows (opex.yaml journeys, else the articles' and the
 *                        launch's maps'), or its market is not one of the
 *                        launch's markets
 *
 * The handbook-wide lint is assembled here because this is the first layer
 * that sees articles (kb), maps (process-maps) and launches together.
 */
#include "launches/launches.h"
#include "core/limits.h"
#include "core/memory.h"
#include "core/path.h"
#include "core/text.h"

#include <pthread.h>
#include <string.h>

#include "core/banned.h"

/* Distinct people who are `name` (a person) or in `name` (a team). */
static void add_people(char ***set, size_t *count, size_t *cap,
	const opex_kb_roster *roster, const char *name)
{
	size_t i, j, k;

	for (i = 0; i < roster->person_count; i++) {
		const opex_kb_person *p = &roster->people[i];
		bool match = strcmp(p->id, name) == 0, dup = false;

		for (j = 0; !match && j < p->team_count; j++)
			match = strcmp(p->teams[j], name) == 0;
		if (!match)
			continue;
		for (k = 0; k < *count; k++)
			dup = dup || strcmp((*set)[k], p->id) == 0;
		if (dup)
			continue;
		opex_array_grow((void **)set, cap, *count + 1, sizeof(**set));
		(*set)[(*count)++] = p->id;
	}
}

static size_t team_size(const opex_kb_roster *roster, const char *team)
{
	char **set = NULL;
	size_t count = 0, cap = 0;

	add_people(&set, &count, &cap, roster, team);
	opex_free(set);
	return count;
}

static void lint_gate(const opex_launch *l, const opex_launch_gate *g,
	const opex_kb_roster *roster, opex_diag_list *diags)
{
	char **set = NULL;
	size_t count = 0, cap = 0, i, need = 0;

	for (i = 0; i < g->approver_count; i++) {
		const char *n = g->approvers[i].name;

		if (opex_kb_roster_person(roster, n) == NULL &&
		    opex_kb_roster_team(roster, n) == NULL) {
			opex_diag_add(diags, OPEX_SEVERITY_ERROR, "approver-unknown",
				opex_launch_path(l), g->approvers[i].line, 1,
				"approver '%.*s' of gate '%s' is neither a person nor a team in the roster",
				(int)opex_text_clip(n, 60), n, g->id);
			continue;
		}
		add_people(&set, &count, &cap, roster, n);
	}
	for (i = 0; i < g->term_count; i++) {
		const opex_launch_quorum_term *t = &g->terms[i];

		if (t->person != NULL) {
			if (opex_kb_roster_person(roster, t->person) == NULL)
				opex_diag_add(diags, OPEX_SEVERITY_ERROR,
					"approver-unknown", opex_launch_path(l), t->line, 1,
					"quorum person '%s' of gate '%s' is not in the roster",
					t->person, g->id);
			else
				add_people(&set, &count, &cap, roster, t->person);
		} else if (opex_kb_roster_team(roster, t->team) == NULL) {
			opex_diag_add(diags, OPEX_SEVERITY_ERROR, "approver-unknown",
				opex_launch_path(l), t->line, 1,
				"quorum team '%s' of gate '%s' is not in the roster",
				t->team, g->id);
		} else {
			size_t members = team_size(roster, t->team);

			add_people(&set, &count, &cap, roster, t->team);
			if (t->n > members)
				opex_diag_add(diags, OPEX_SEVERITY_ERROR,
					"quorum-too-large", opex_launch_path(l), t->line, 1,
					"quorum of gate '%s' needs %u of team '%s', which has %zu %s",
					g->id, t->n, t->team, members,
					members == 1 ? "member" : "members");
		}
		need += t->n;
	}
	if (g->term_count == 0)
		need = g->quorum;
	if (need > count && (g->approver_count > 0 || g->term_count > 0))
		opex_diag_add(diags, OPEX_SEVERITY_ERROR, "quorum-too-large",
			opex_launch_path(l), g->line, 1,
			"gate '%s' needs %zu approvals but only %zu %s may approve",
			g->id, need, count, count == 1 ? "person" : "people");
	opex_free(set);
}

/* True if `journey` is one the handbook knows (see the file comment). */
static bool journey_known(const opex_launch *l, const opex_kb_handbook *hb,
	const char **known, size_t count, const char *journey)
{
	const opex_kb_repo *repo = opex_kb_handbook_repo(hb);
	opex_buf text = OPEX_BUF_INIT(OPEX_LIMIT_FILE_BYTES);
	bool found = false;
	size_t i;

	for (i = 0; i < count && !found; i++)
		found = strcmp(known[i], journey) == 0;
	if (opex_kb_handbook_settings(hb)->journey_count > 0)
		return found;
	for (i = 0; !found && i < opex_launch_list_count(l, OPEX_LAUNCH_PROCESSES); i++) {
		const char *path = opex_launch_list_item(l, OPEX_LAUNCH_PROCESSES, i)->name;
		opex_diag_list ignored = OPEX_DIAG_LIST_INIT;
		opex_pm_map *map = NULL;
		const char *j;

		if (opex_kb_repo_read(&text, repo, path, NULL) == 0 &&
		    opex_pm_map_load(&map, path, text.ptr, text.len, &ignored,
			NULL) == 0 && map != NULL) {
			j = opex_pm_map_attr(map, OPEX_PM_ATTR_JOURNEY);
			found = j != NULL && strcmp(j, journey) == 0;
		}
		opex_pm_map_free(map);
		opex_diag_list_release(&ignored);
	}
	opex_buf_release(&text);
	return found;
}

static void lint_capacity(const opex_launch *l, const opex_kb_handbook *hb,
	opex_diag_list *diags)
{
	const char **known = NULL;
	size_t i, m, count = 0, markets = opex_launch_list_count(l, OPEX_LAUNCH_MARKETS);

	if (opex_launch_capacity_count(l) > 0)
		count = opex_kb_routing_journeys(&known, hb);
	for (i = 0; i < opex_launch_capacity_count(l); i++) {
		const opex_launch_capacity *c = opex_launch_capacity_at(l, i);
		bool listed = markets == 0;

		if (c->journey != NULL && !journey_known(l, hb, known, count, c->journey))
			opex_diag_add(diags, OPEX_SEVERITY_ERROR, "capacity-invalid",
				opex_launch_path(l), c->journey_line, 1,
				"capacity names journey '%.*s', which the handbook does not know (opex.yaml journeys, or the journeys of its articles and of the launch's maps)",
				(int)opex_text_clip(c->journey, 60), c->journey);
		for (m = 0; c->market != NULL && m < markets; m++)
			listed = listed || strcmp(opex_launch_list_item(l,
				OPEX_LAUNCH_MARKETS, m)->name, c->market) == 0;
		if (c->market != NULL && !listed)
			opex_diag_add(diags, OPEX_SEVERITY_ERROR, "capacity-invalid",
				opex_launch_path(l), c->market_line, 1,
				"capacity names market '%.*s', which is not one of the launch's markets",
				(int)opex_text_clip(c->market, 60), c->market);
	}
	opex_free(known);
}

void opex_launch_lint(const opex_launch *l, const opex_kb_handbook *hb,
	opex_diag_list *diags)
{
	const opex_kb_repo *repo = opex_kb_handbook_repo(hb);
	const opex_kb_roster *roster = opex_kb_handbook_roster(hb);
	const char *owner = opex_launch_owner(l);
	size_t i;

	for (i = 0; i < opex_launch_list_count(l, OPEX_LAUNCH_PROCESSES); i++) {
		const opex_launch_name *n = opex_launch_list_item(l, OPEX_LAUNCH_PROCESSES, i);

		if (opex_kb_repo_find(repo, n->name) == NULL)
			opex_diag_add(diags, OPEX_SEVERITY_ERROR, "process-missing",
				opex_launch_path(l), n->line, 1,
				"process '%.*s' does not exist at this revision",
				(int)opex_text_clip(n->name, 200), n->name);
	}
	for (i = 0; i < opex_launch_list_count(l, OPEX_LAUNCH_ARTICLES); i++) {
		const opex_launch_name *n = opex_launch_list_item(l, OPEX_LAUNCH_ARTICLES, i);

		if (opex_kb_repo_find(repo, n->name) == NULL)
			opex_diag_add(diags, OPEX_SEVERITY_ERROR, "article-missing",
				opex_launch_path(l), n->line, 1,
				"article '%.*s' does not exist at this revision",
				(int)opex_text_clip(n->name, 200), n->name);
	}
	if (opex_launch_announcement(l) != NULL) {
		const char *path = opex_launch_announcement(l);
		const opex_kb_article *a = opex_kb_handbook_find(hb, path);

		if (a == NULL || a->kind != OPEX_KB_KIND_ANNOUNCEMENT)
			opex_diag_add(diags, OPEX_SEVERITY_ERROR,
				"announcement-missing", opex_launch_path(l),
				opex_launch_announcement_line(l), 1,
				"announcement '%.*s' %s", (int)opex_text_clip(path, 200),
				path, a == NULL ? "does not exist at this revision"
				: "is no announcement (a file under announcements/)");
	}
	if (owner != NULL && opex_kb_roster_person(roster, owner) == NULL)
		opex_diag_add(diags, OPEX_SEVERITY_ERROR, "person-unknown", opex_launch_path(l),
			opex_launch_owner_line(l), 1, "owner '%.*s' is not in the roster",
			(int)opex_text_clip(owner, 60), owner);
	for (i = 0; i < opex_launch_list_count(l, OPEX_LAUNCH_STAKEHOLDERS); i++) {
		const opex_launch_name *n = opex_launch_list_item(l,
			OPEX_LAUNCH_STAKEHOLDERS, i);

		if (opex_kb_roster_person(roster, n->name) == NULL &&
		    opex_kb_roster_team(roster, n->name) == NULL)
			opex_diag_add(diags, OPEX_SEVERITY_ERROR, "person-unknown",
				opex_launch_path(l), n->line, 1,
				"stakeholder '%.*s' is neither a person nor a team in the roster",
				(int)opex_text_clip(n->name, 60), n->name);
	}
	for (i = 0; i < opex_launch_gate_count(l); i++)
		lint_gate(l, opex_launch_gate_at(l, i), roster, diags);
	lint_capacity(l, hb, diags);
}

void opex_launch_lint_files(const opex_kb_handbook *hb,
	opex_diag_list *diags)
{
	const opex_kb_repo *repo = opex_kb_handbook_repo(hb);
	opex_buf text = OPEX_BUF_INIT(OPEX_LIMIT_FILE_BYTES);
	size_t i, n = opex_kb_repo_count(repo);

	for (i = 0; i < n; i++) {
		const opex_kb_entry *e = opex_kb_repo_entry(repo, i);
		opex_error err = OPEX_ERROR_INIT;
		opex_launch *l;

		if (e->kind != OPEX_KB_ENTRY_FILE || !opex_path_under(e->path, "launches") ||
		    !opex_path_has_suffix(e->path, ".md"))
			continue;
		if (opex_kb_repo_read(&text, repo, e->path, &err) < 0) {
			opex_diag_add(diags, OPEX_SEVERITY_ERROR, "launch-invalid",
				e->path, 0, 0, "%s", err.message);
			continue;
		}
		l = opex_launch_parse(e->path, text.ptr, text.len, diags);
		if (l != NULL)
			opex_launch_lint(l, hb, diags);
		opex_launch_free(l);
	}
	opex_buf_release(&text);
}

typedef struct article_lint {
	const opex_kb_handbook *hb;
	opex_diag_list diags;
} article_lint;

static void *run_article_lint(void *payload)
{
	article_lint *job = payload;

	opex_kb_lint(job->hb, &job->diags);
	return NULL;
}

int opex_launch_lint_handbook(const opex_kb_handbook *hb,
	opex_diag_list *diags, opex_pm_lint_report *report, opex_error *err)
{
	opex_pm_lint_config *config = NULL;
	article_lint job = { hb, OPEX_DIAG_LIST_INIT };
	pthread_t thread;
	bool threaded;
	int error;

	opex_pm_lint_config_load(&config, opex_kb_handbook_repo(hb), diags);
	/* The article rules read no git object, so they run on a second
	 * thread beside the map rules (which read the maps); the findings
	 * keep their order: maps, articles, launches. */
	threaded = pthread_create(&thread, NULL, run_article_lint, &job) == 0;
	error = opex_pm_lint_maps(hb, diags, report, err);
	if (threaded)
		pthread_join(thread, NULL);
	else
		opex_kb_lint(hb, &job.diags);
	opex_diag_list_append(diags, &job.diags);
	if (error < 0)
		goto done;
	opex_launch_lint_files(hb, diags);
	opex_pm_lint_config_apply(config, diags);
done:
	opex_pm_lint_config_free(config);
	return error;
}

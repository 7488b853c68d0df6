/*
 * checks.c: the automatic checks a launch gate may list. Each returns pass
 * or fail with reasons that name the exact file and line.
 *
 *   check                  passes when
 *   processes-lint         the launch's process maps have no lint error
 *                          (the handbook's lint configuration applies)
 *   owners-known           the launch owner, stakeholders, approvers, quorum
 *                          people and teams, the owners and champions of its
 *                          processes and the owners of its articles are all
 *                          in the roster
 *   articles-exist         every article the launch lists exists and reads
 *   articles-verified      none of them is stale
 *   translations-complete  every article the launch lists, and every article
 *                          its processes' steps link, exists in each launch
 *                          language and is not outdated
 *   replies-translated     every reply its processes' steps name (reply=)
 *                          exists in each launch language, not outdated
 *   steps-documented       every action step of its processes links an article
 *   routing-covered        every journey of its processes, in each launch
 *                          market and language, has a tier-1 team to take it
 *   kpis-within-target     no KPI target of its mapped processes is breached,
 *                          in any of its markets (kpi_checks.c)
 *   capacity-covered       the roster's FTE cover the baseline and the extra
 *                          contacts of its `capacity:` in every week
 *                          (kpi_checks.c)
 *   stakeholders-acknowledged  every member of the teams serving its
 *                          markets holds a receipt for its announcement as
 *                          it is (acks.c)
 *   checklist-done         the gate's manual items are ticked (gates.c)
 *   previous-gates         every earlier gate passed (gates.c)
 *
 * A check that cannot be run (a map that does not read) fails: "not
 * evaluated" never counts as a pass.
 */
#include "launches/launches_int.h"
#include "core/limits.h"
#include "core/memory.h"
#include "core/str.h"
#include "core/text.h"
#include "core/time.h"

#include <stdarg.h>
#include <string.h>

#include "core/banned.h"

static const char *const check_names[OPEX_LAUNCH_CHECK_COUNT] = {
	"processes-lint", "owners-known", "articles-exist", "articles-verified",
	"translations-complete", "steps-documented", "checklist-done",
	"previous-gates", "routing-covered", "kpis-within-target",
	"capacity-covered", "replies-translated", "stakeholders-acknowledged"
};

const char *opex_launch_check_name(opex_launch_check check)
{
	return (unsigned)check < OPEX_LAUNCH_CHECK_COUNT ? check_names[check] : "?";
}

int opex_launch_check_parse(const char *name)
{
	int i;

	for (i = 0; i < (int)OPEX_LAUNCH_CHECK_COUNT; i++)
		if (strcmp(check_names[i], name) == 0)
			return i;
	return -1;
}

void opex_launch_check_reason(opex_launch_check_result *res, const char *path,
	unsigned line, const char *fmt, ...)
{
	opex_buf b = OPEX_BUF_INIT(OPEX_LIMIT_LINE_BYTES);
	opex_launch_reason *r;
	va_list ap;

	va_start(ap, fmt);
	opex_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	opex_array_grow((void **)&res->reasons, &res->reason_cap,
		res->reason_count + 1, sizeof(*res->reasons));
	r = &res->reasons[res->reason_count++];
	r->path = opex_strdup(path ? path : "");
	r->line = line;
	r->message = opex_buf_detach(&b, NULL);
}

void opex_launch_check_result_release(opex_launch_check_result *res)
{
	size_t i;

	for (i = 0; i < res->reason_count; i++) {
		opex_free(res->reasons[i].path);
		opex_free(res->reasons[i].message);
	}
	opex_free(res->reasons);
	res->reasons = NULL;
	res->reason_count = res->reason_cap = 0;
}

opex_pm_map *opex_launch_map_read(opex_launch_check_result *res,
	const opex_kb_repo *repo,
	const char *launch_path, unsigned line, const char *path,
	opex_diag_list *diags)
{
	opex_buf text = OPEX_BUF_INIT(OPEX_LIMIT_FILE_BYTES);
	opex_error err = OPEX_ERROR_INIT;
	opex_pm_map *map = NULL;

	if (opex_kb_repo_read(&text, repo, path, &err) < 0) {
		opex_launch_check_reason(res, launch_path, line,
			"process '%s' cannot be read: %s", path, err.message);
		goto done;
	}
	if (opex_pm_map_load(&map, path, text.ptr, text.len, diags, &err) < 0 ||
	    map == NULL) {
		opex_launch_check_reason(res, path, 0,
			"process map does not read as one DOT digraph: not evaluated");
		map = NULL;
	}
done:
	opex_buf_release(&text);
	return map;
}

static void check_processes_lint(opex_launch_check_result *res,
	const opex_launch *l, const opex_kb_handbook *hb)
{
	const opex_kb_repo *repo = opex_kb_handbook_repo(hb);
	opex_pm_lint_config *config = NULL;
	opex_diag_list ignored = OPEX_DIAG_LIST_INIT;
	opex_pm_lint_context ctx = OPEX_PM_LINT_CONTEXT_INIT;
	size_t i, j, n = opex_launch_list_count(l, OPEX_LAUNCH_PROCESSES);

	ctx.roster = opex_kb_handbook_roster(hb);
	ctx.repo = repo;
	ctx.now = opex_kb_handbook_now(hb);
	opex_pm_lint_config_load(&config, repo, &ignored);
	for (i = 0; i < n; i++) {
		const opex_launch_name *p =
			opex_launch_list_item(l, OPEX_LAUNCH_PROCESSES, i);
		opex_diag_list diags = OPEX_DIAG_LIST_INIT;
		opex_pm_map *map = opex_launch_map_read(res, repo, opex_launch_path(l),
			p->line, p->name, &diags);

		if (map != NULL)
			opex_pm_lint_map(map, &ctx, &diags, NULL);
		opex_pm_lint_config_apply(config, &diags);
		opex_diag_sort(&diags);
		for (j = 0; j < diags.count; j++) {
			const opex_diag *d = &diags.items[j];

			if (d->severity != OPEX_SEVERITY_ERROR)
				continue;
			opex_launch_check_reason(res, d->path, d->line, "%s [%s]",
				d->message, d->rule);
		}
		opex_diag_list_release(&diags);
		opex_pm_map_free(map);
	}
	opex_pm_lint_config_free(config);
	opex_diag_list_release(&ignored);
}

static bool known(const opex_kb_roster *roster, const char *name, bool teams)
{
	return opex_kb_roster_person(roster, name) != NULL ||
	       (teams && opex_kb_roster_team(roster, name) != NULL);
}

static void check_owners_known(opex_launch_check_result *res,
	const opex_launch *l, const opex_kb_handbook *hb)
{
	const opex_kb_roster *roster = opex_kb_handbook_roster(hb);
	const opex_kb_repo *repo = opex_kb_handbook_repo(hb);
	const char *lp = opex_launch_path(l);
	const char *owner = opex_launch_owner(l);
	size_t i, j;

	if (owner == NULL)
		opex_launch_check_reason(res, lp, 1, "the launch names no owner");
	else if (!known(roster, owner, false))
		opex_launch_check_reason(res, lp, opex_launch_owner_line(l),
			"owner '%s' is not in the roster", owner);
	for (i = 0; i < opex_launch_list_count(l, OPEX_LAUNCH_STAKEHOLDERS); i++) {
		const opex_launch_name *n =
			opex_launch_list_item(l, OPEX_LAUNCH_STAKEHOLDERS, i);

		if (!known(roster, n->name, true))
			opex_launch_check_reason(res, lp, n->line,
				"stakeholder '%s' is not in the roster", n->name);
	}
	for (i = 0; i < opex_launch_gate_count(l); i++) {
		const opex_launch_gate *g = opex_launch_gate_at(l, i);

		for (j = 0; j < g->approver_count; j++)
			if (!known(roster, g->approvers[j].name, true))
				opex_launch_check_reason(res, lp, g->approvers[j].line,
					"approver '%s' of gate '%s' is not in the roster",
					g->approvers[j].name, g->id);
		for (j = 0; j < g->term_count; j++) {
			const opex_launch_quorum_term *t = &g->terms[j];
			bool ok = t->person ? known(roster, t->person, false) :
				opex_kb_roster_team(roster, t->team) != NULL;

			if (!ok)
				opex_launch_check_reason(res, lp, t->line,
					"quorum %s '%s' of gate '%s' is not in the roster",
					t->person ? "person" : "team",
					t->person ? t->person : t->team, g->id);
		}
	}
	for (i = 0; i < opex_launch_list_count(l, OPEX_LAUNCH_PROCESSES); i++) {
		const opex_launch_name *p =
			opex_launch_list_item(l, OPEX_LAUNCH_PROCESSES, i);
		opex_diag_list diags = OPEX_DIAG_LIST_INIT;
		opex_pm_map *map = opex_launch_map_read(res, repo, lp, p->line, p->name, &diags);
		const opex_pm_attr attrs[2] = { OPEX_PM_ATTR_OWNER, OPEX_PM_ATTR_CHAMPION };

		for (j = 0; map != NULL && j < 2; j++) {
			const char *who = opex_pm_map_attr(map, attrs[j]);

			if (who == NULL)
				opex_launch_check_reason(res, p->name, opex_pm_map_line(map),
					"process names no %s",
					j == 0 ? "owner" : "champion");
			else if (!known(roster, who, false))
				opex_launch_check_reason(res, p->name,
					opex_pm_map_attr_line(map, attrs[j]),
					"%s '%s' is not in the roster",
					j == 0 ? "owner" : "champion", who);
		}
		opex_pm_map_free(map);
		opex_diag_list_release(&diags);
	}
	for (i = 0; i < opex_launch_list_count(l, OPEX_LAUNCH_ARTICLES); i++) {
		const opex_launch_name *n =
			opex_launch_list_item(l, OPEX_LAUNCH_ARTICLES, i);
		const opex_kb_article *a = opex_kb_handbook_find(hb, n->name);

		if (a == NULL)
			continue;
		if (a->owner == NULL)
			opex_launch_check_reason(res, a->path, 1, "article names no owner");
		else if (!known(roster, a->owner, false))
			opex_launch_check_reason(res, a->path,
				a->field_line[OPEX_KB_FIELD_OWNER],
				"owner '%s' is not in the roster", a->owner);
	}
}

static void check_articles_exist(opex_launch_check_result *res,
	const opex_launch *l, const opex_kb_handbook *hb)
{
	const opex_kb_repo *repo = opex_kb_handbook_repo(hb);
	size_t i;

	for (i = 0; i < opex_launch_list_count(l, OPEX_LAUNCH_ARTICLES); i++) {
		const opex_launch_name *n =
			opex_launch_list_item(l, OPEX_LAUNCH_ARTICLES, i);

		if (opex_kb_repo_find(repo, n->name) == NULL)
			opex_launch_check_reason(res, opex_launch_path(l), n->line,
				"article '%s' does not exist", n->name);
		else if (opex_kb_handbook_find(hb, n->name) == NULL)
			opex_launch_check_reason(res, opex_launch_path(l), n->line,
				"'%s' cannot be read as an article", n->name);
	}
}

static void check_articles_verified(opex_launch_check_result *res,
	const opex_launch *l, const opex_kb_handbook *hb)
{
	size_t i;
	char date[32];

	for (i = 0; i < opex_launch_list_count(l, OPEX_LAUNCH_ARTICLES); i++) {
		const opex_launch_name *n =
			opex_launch_list_item(l, OPEX_LAUNCH_ARTICLES, i);
		const opex_kb_article *a = opex_kb_handbook_find(hb, n->name);

		if (a == NULL) {
			opex_launch_check_reason(res, opex_launch_path(l), n->line,
				"article '%s' does not exist: not evaluated", n->name);
			continue;
		}
		if (!a->stale)
			continue;
		if (a->verified_at > 0) {
			opex_time_format_date(date, sizeof(date), a->verified_at);
			opex_launch_check_reason(res, a->path,
				a->field_line[OPEX_KB_FIELD_OWNER] ?
				a->field_line[OPEX_KB_FIELD_OWNER] : 1,
				"stale: last verified by its owner on %s, past its review interval",
				date);
		} else {
			opex_launch_check_reason(res, a->path, 1,
				"stale: never verified by its owner");
		}
	}
}

/* Collect every article the launch covers: listed, and linked by steps. */
typedef struct path_set {
	char **paths;
	unsigned *lines;
	char **from;
	size_t count, cap, lcap, fcap;
} path_set;

static void set_add(path_set *s, const char *path, const char *from,
	unsigned line)
{
	size_t i;

	for (i = 0; i < s->count; i++)
		if (strcmp(s->paths[i], path) == 0)
			return;
	opex_array_grow((void **)&s->paths, &s->cap, s->count + 1,
		sizeof(*s->paths));
	opex_array_grow((void **)&s->lines, &s->lcap, s->count + 1,
		sizeof(*s->lines));
	opex_array_grow((void **)&s->from, &s->fcap, s->count + 1,
		sizeof(*s->from));
	s->paths[s->count] = opex_strdup(path);
	s->from[s->count] = opex_strdup(from);
	s->lines[s->count++] = line;
}

static void set_release(path_set *s)
{
	size_t i;

	for (i = 0; i < s->count; i++) {
		opex_free(s->paths[i]);
		opex_free(s->from[i]);
	}
	opex_free(s->paths);
	opex_free(s->lines);
	opex_free(s->from);
}

/*
 * translations-complete (the launch's articles and those its steps link)
 * or replies-translated (the replies its steps name): each in every launch
 * language, none outdated.
 */
static void check_translations(opex_launch_check_result *res,
	const opex_launch *l, const opex_kb_handbook *hb, opex_kb_kind kind)
{
	const opex_kb_repo *repo = opex_kb_handbook_repo(hb);
	const char *lp = opex_launch_path(l);
	const char *what = kind == OPEX_KB_KIND_REPLY ? "reply" : "article";
	path_set set;
	size_t i, j, k;

	memset(&set, 0, sizeof(set));
	for (i = 0; kind == OPEX_KB_KIND_ARTICLE &&
	     i < opex_launch_list_count(l, OPEX_LAUNCH_ARTICLES); i++) {
		const opex_launch_name *a =
			opex_launch_list_item(l, OPEX_LAUNCH_ARTICLES, i);

		set_add(&set, a->name, lp, a->line);
	}
	for (i = 0; i < opex_launch_list_count(l, OPEX_LAUNCH_PROCESSES); i++) {
		const opex_launch_name *p =
			opex_launch_list_item(l, OPEX_LAUNCH_PROCESSES, i);
		opex_diag_list diags = OPEX_DIAG_LIST_INIT;
		opex_pm_map *map = opex_launch_map_read(res, repo, lp, p->line, p->name, &diags);

		for (j = 0; map != NULL && j < opex_pm_map_node_count(map); j++) {
			const opex_pm_node *node = opex_pm_map_node(map, j);

			if (kind == OPEX_KB_KIND_ARTICLE && node->article != NULL)
				set_add(&set, node->article, p->name, node->line);
			for (k = 0; kind == OPEX_KB_KIND_REPLY &&
			     k < node->reply_count; k++)
				set_add(&set, node->replies[k], p->name,
					node->line);
		}
		opex_pm_map_free(map);
		opex_diag_list_release(&diags);
	}
	if (opex_launch_list_count(l, OPEX_LAUNCH_LANGUAGES) == 0)
		opex_launch_check_reason(res, lp, 1,
			"the launch lists no languages: not evaluated");
	for (i = 0; i < set.count; i++) {
		const opex_kb_article *a = opex_kb_handbook_find(hb, set.paths[i]);
		const opex_kb_article *source;

		if (a == NULL) {
			opex_launch_check_reason(res, set.from[i], set.lines[i],
				"%s '%s' does not exist", what, set.paths[i]);
			continue;
		}
		source = a->translation_of
			? opex_kb_handbook_find(hb, a->translation_of) : a;
		if (source == NULL) {
			opex_launch_check_reason(res, a->path, 1,
				"the source of '%s', '%s', does not exist",
				a->path, a->translation_of);
			continue;
		}
		for (j = 0; j < opex_launch_list_count(l, OPEX_LAUNCH_LANGUAGES); j++) {
			const char *lang = opex_launch_list_item(l,
				OPEX_LAUNCH_LANGUAGES, j)->name;
			const opex_kb_article *found =
				opex_kb_handbook_translation(hb, source, lang);

			if (found == NULL)
				opex_launch_check_reason(res, set.from[i], set.lines[i],
					"'%s' has no '%s' translation",
					source->path, lang);
			else if (found->outdated)
				opex_launch_check_reason(res, found->path,
					found->field_line[OPEX_KB_FIELD_TRANSLATION_OF] ?
					found->field_line[OPEX_KB_FIELD_TRANSLATION_OF] : 1,
					"'%s' translation is outdated: '%s' changed since",
					lang, source->path);
		}
	}
	set_release(&set);
}

static void check_steps_documented(opex_launch_check_result *res,
	const opex_launch *l, const opex_kb_handbook *hb)
{
	const opex_kb_repo *repo = opex_kb_handbook_repo(hb);
	size_t i, j;

	for (i = 0; i < opex_launch_list_count(l, OPEX_LAUNCH_PROCESSES); i++) {
		const opex_launch_name *p =
			opex_launch_list_item(l, OPEX_LAUNCH_PROCESSES, i);
		opex_diag_list diags = OPEX_DIAG_LIST_INIT;
		opex_pm_map *map = opex_launch_map_read(res, repo, opex_launch_path(l),
			p->line, p->name, &diags);

		for (j = 0; map != NULL && j < opex_pm_map_node_count(map); j++) {
			const opex_pm_node *node = opex_pm_map_node(map, j);

			if (node->kind != OPEX_PM_KIND_ACTION || node->article != NULL)
				continue;
			opex_launch_check_reason(res, p->name, node->line,
				"step '%s' links no article",
				node->label ? node->label : node->id);
		}
		opex_pm_map_free(map);
		opex_diag_list_release(&diags);
	}
}

/* The languages to route for `market`: the launch's, else opex.yaml's for it. */
static size_t market_languages(const char **out, size_t max,
	const opex_launch *l, const opex_kb_settings *s, const char *market)
{
	size_t i, n = 0;

	for (i = 0; i < opex_launch_list_count(l, OPEX_LAUNCH_LANGUAGES) && n < max; i++)
		out[n++] = opex_launch_list_item(l, OPEX_LAUNCH_LANGUAGES, i)->name;
	for (i = 0; n == 0 && i < s->market_language_count; i++)
		if (strcmp(s->market_languages[i].market, market) == 0 && n < max)
			out[n++] = s->market_languages[i].language;
	return n;
}

/*
 * routing-covered: every journey of the launch's processes (of those
 * opex.yaml's `journeys` names, when it names any), in every
 * market of the launch and each language it launches in (else the
 * market's languages of opex.yaml), has a tier-1 team to take it.
 */
static void check_routing_covered(opex_launch_check_result *res,
	const opex_launch *l, const opex_kb_handbook *hb)
{
	const opex_kb_repo *repo = opex_kb_handbook_repo(hb);
	const opex_kb_roster *roster = opex_kb_handbook_roster(hb);
	const opex_kb_settings *s = opex_kb_handbook_settings(hb);
	size_t i, m, k;

	if (!opex_kb_routing_used(roster)) {
		opex_launch_check_reason(res, "people.yaml", 0,
			"people.yaml has no routing directory: give the teams that take contacts a tier");
		return;
	}
	for (i = 0; i < opex_launch_list_count(l, OPEX_LAUNCH_PROCESSES); i++) {
		const opex_launch_name *p =
			opex_launch_list_item(l, OPEX_LAUNCH_PROCESSES, i);
		opex_diag_list diags = OPEX_DIAG_LIST_INIT;
		opex_pm_map *map = opex_launch_map_read(res, repo, opex_launch_path(l),
			p->line, p->name, &diags);
		const char *journey = map ? opex_pm_map_attr(map, OPEX_PM_ATTR_JOURNEY) : NULL;

		/* Only the journeys routing must cover, when opex.yaml names them. */
		for (k = 0; journey && s->journey_count > 0; k++) {
			if (k == s->journey_count) {
				journey = NULL;
				break;
			}
			if (strcmp(s->journeys[k], journey) == 0)
				break;
		}
		for (m = 0; journey && m < opex_launch_list_count(l, OPEX_LAUNCH_MARKETS); m++) {
			const opex_launch_name *market =
				opex_launch_list_item(l, OPEX_LAUNCH_MARKETS, m);
			const char *langs[64];
			size_t n = market_languages(langs, 64, l, s, market->name);

			for (k = 0; k < (n ? n : 1); k++) {
				opex_kb_route r;

				opex_kb_route_find(&r, roster, journey, market->name,
					n ? langs[k] : NULL);
				if (r.team == NULL)
					opex_launch_check_reason(res, opex_launch_path(l),
						market->line,
						"no tier-1 team takes %s contacts in market %s in %s (%s)",
						journey, market->name,
						n ? langs[k] : "any language", p->name);
			}
		}
		opex_pm_map_free(map);
		opex_diag_list_release(&diags);
	}
}

void opex_launch_check_run(opex_launch_check_result *out, opex_launch_check check,
	const opex_launch *launch, const opex_kb_handbook *hb,
	const opex_launch_gate_options *opts)
{
	opex_launch_gate_options o = OPEX_LAUNCH_GATE_OPTIONS_INIT;

	if (opts != NULL)
		o = *opts;
	if (o.now == 0)
		o.now = opex_kb_handbook_now(hb);
	out->check = check;
	switch (check) {
	case OPEX_LAUNCH_CHECK_PROCESSES_LINT:
		check_processes_lint(out, launch, hb);
		break;
	case OPEX_LAUNCH_CHECK_OWNERS_KNOWN:
		check_owners_known(out, launch, hb);
		break;
	case OPEX_LAUNCH_CHECK_ARTICLES_EXIST:
		check_articles_exist(out, launch, hb);
		break;
	case OPEX_LAUNCH_CHECK_ARTICLES_VERIFIED:
		check_articles_verified(out, launch, hb);
		break;
	case OPEX_LAUNCH_CHECK_TRANSLATIONS_COMPLETE:
		check_translations(out, launch, hb, OPEX_KB_KIND_ARTICLE);
		break;
	case OPEX_LAUNCH_CHECK_REPLIES_TRANSLATED:
		check_translations(out, launch, hb, OPEX_KB_KIND_REPLY);
		break;
	case OPEX_LAUNCH_CHECK_STEPS_DOCUMENTED:
		check_steps_documented(out, launch, hb);
		break;
	case OPEX_LAUNCH_CHECK_STAKEHOLDERS_ACKNOWLEDGED:
		opex_launch_check_acknowledged(out, launch, hb, &o);
		break;
	case OPEX_LAUNCH_CHECK_ROUTING_COVERED:
		check_routing_covered(out, launch, hb);
		break;
	case OPEX_LAUNCH_CHECK_KPIS_WITHIN_TARGET:
		opex_launch_check_kpis(out, launch, hb, &o);
		break;
	case OPEX_LAUNCH_CHECK_CAPACITY_COVERED:
		opex_launch_check_capacity(out, launch, hb, &o);
		break;
	case OPEX_LAUNCH_CHECK_CHECKLIST_DONE:
	case OPEX_LAUNCH_CHECK_PREVIOUS_GATES:
	case OPEX_LAUNCH_CHECK_COUNT:
	default:
		out->state = OPEX_LAUNCH_CHECK_NOT_EVALUATED;
		return;
	}
	out->state = out->reason_count ? OPEX_LAUNCH_CHECK_FAIL : OPEX_LAUNCH_CHECK_PASS;
}

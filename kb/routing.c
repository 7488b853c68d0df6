/*
 * routing.c: the routing and escalation directory of people.yaml. A
 * contact of a journey, market and language goes to the tier-1 team that
 * covers all three (a team that lists none of a kind covers every value of
 * it), the most specific first; from there it follows escalates_to.
 *
 *   rule                severity  where (people.yaml)
 *   escalation-unknown  error     the escalates_to line: no such team
 *   escalation-cycle    error     the team line: its escalations come back to it
 *   routing-gap         warning   line 1: a journey x market x language that
 *                                 an article serves and no tier-1 team covers
 *   routing-thin        warning   line 1: a language fewer than
 *                                 routing_min_people people of tiered teams cover
 *
 * The rules run only when the roster has a routing directory (a team with
 * a tier): a handbook without one is not full of gaps. What must be covered
 * is what opex.yaml declares (every journey of `journeys` in every language
 * of `market_languages`) or, without market_languages, what the articles
 * serve: each article's journey, markets and language.
 */
#include "kb/kb.h"
#include "core/memory.h"
#include "core/str.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

#define ROSTER_PATH "people.yaml"

static bool lists(char **items, size_t count, const char *value)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (opex_strcasecmp(items[i], value) == 0)
			return true;
	return false;
}

/* 0: not covered; else 1 + how many of the three the team names explicitly. */
static unsigned coverage(const opex_kb_team *t, const char *journey,
	const char *market, const char *language)
{
	unsigned score = 1;

	if (journey && t->journey_count) {
		if (!lists(t->journeys, t->journey_count, journey))
			return 0;
		score++;
	}
	if (market && t->market_count) {
		if (!lists(t->markets, t->market_count, market))
			return 0;
		score++;
	}
	if (language && t->language_count) {
		if (!lists(t->languages, t->language_count, language))
			return 0;
		score++;
	}
	return score;
}

bool opex_kb_team_works(const opex_kb_team *team, const char *role)
{
	size_t i;

	if (strcmp(team->id, role) == 0)
		return true;
	for (i = 0; i < team->lane_count; i++)
		if (strcmp(team->lanes[i], role) == 0)
			return true;
	return false;
}

bool opex_kb_team_covers(const opex_kb_team *team, const char *journey,
	const char *market, const char *language)
{
	return coverage(team, journey, market, language) > 0;
}

bool opex_kb_roster_works(const opex_kb_roster *roster, const char *role)
{
	size_t i;

	for (i = 0; i < roster->team_count; i++)
		if (opex_kb_team_works(&roster->teams[i], role))
			return true;
	return false;
}

bool opex_kb_routing_used(const opex_kb_roster *roster)
{
	size_t i;

	for (i = 0; i < roster->team_count; i++)
		if (roster->teams[i].tier > 0)
			return true;
	return false;
}

void opex_kb_route_find(opex_kb_route *out, const opex_kb_roster *roster,
	const char *journey, const char *market, const char *language)
{
	const opex_kb_team *t;
	unsigned best = 0;
	size_t i, j;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < roster->team_count; i++) {
		unsigned score;

		if (roster->teams[i].tier != 1)
			continue;
		score = coverage(&roster->teams[i], journey, market, language);
		if (score == 0)
			continue;
		out->candidates++;
		if (score > best) {
			best = score;
			out->team = &roster->teams[i];
		}
	}
	for (t = out->team; t && t->escalates_to; ) {
		t = opex_kb_roster_team(roster, t->escalates_to);
		if (t == NULL)
			break;
		for (j = 0; j < out->chain_count; j++)
			if (out->chain[j] == t)
				out->cycles = true;
		if (t == out->team)
			out->cycles = true;
		if (out->cycles || out->chain_count == OPEX_KB_ROUTE_CHAIN_MAX)
			break;
		out->chain[out->chain_count++] = t;
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

size_t opex_kb_routing_journeys(const char ***out, const opex_kb_handbook *hb)
{
	const opex_kb_settings *settings = opex_kb_handbook_settings(hb);
	size_t i, n = 0, count = opex_kb_handbook_article_count(hb);
	const char **list;

	if (settings->journey_count > 0) {
		list = opex_calloc(settings->journey_count, sizeof(*list));
		for (i = 0; i < settings->journey_count; i++)
			list[n++] = settings->journeys[i];
		*out = list;
		return n;
	}
	list = opex_calloc(count + 1, sizeof(*list));
	for (i = 0; i < count; i++) {
		const char *j = opex_kb_handbook_article(hb, i)->journey;

		if (j != NULL && j[0] != '\0')
			list[n++] = j;
	}
	qsort(list, n, sizeof(*list), cmp_str);
	for (i = 0, count = 0; i < n; i++)
		if (count == 0 || strcmp(list[count - 1], list[i]) != 0)
			list[count++] = list[i];
	*out = list;
	return count;
}

/* A team's id and its index in the roster, sorted for lookups by id. */
typedef struct team_ref {
	const char *id;
	size_t index;
} team_ref;

static int by_team_id(const void *x, const void *y)
{
	const team_ref *a = x, *b = y;
	int c = strcmp(a->id, b->id);

	return c ? c : (a->index > b->index) - (a->index < b->index);
}

/* The index of the first team with `id`, or SIZE_MAX. */
static size_t team_at(const team_ref *order, size_t n, const char *id)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(order[mid].id, id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && strcmp(order[lo].id, id) == 0 ? order[lo].index : SIZE_MAX;
}

/*
 * escalation-unknown and escalation-cycle in time linear in the teams
 * (after a sort): each team's escalates_to is resolved once, and one walk
 * per team colours what it passes, so a chain is never walked twice.
 */
static void lint_escalations(const opex_kb_roster *roster,
	opex_diag_list *diags)
{
	size_t i, n = roster->team_count;
	size_t *next, *path;
	team_ref *order;
	unsigned char *state;  /* 0 not seen, 1 on the walk, 2 done */
	bool *cycle;

	if (n == 0)
		return;
	order = opex_calloc(n, sizeof(*order));
	next = opex_calloc(n, sizeof(*next));
	path = opex_calloc(n, sizeof(*path));
	state = opex_calloc(n, 1);
	cycle = opex_calloc(n, sizeof(*cycle));
	for (i = 0; i < n; i++)
		order[i] = (team_ref){ roster->teams[i].id, i };
	qsort(order, n, sizeof(*order), by_team_id);
	for (i = 0; i < n; i++) {
		const opex_kb_team *t = &roster->teams[i];

		next[i] = t->escalates_to ? team_at(order, n, t->escalates_to)
					  : SIZE_MAX;
		if (t->escalates_to && next[i] == SIZE_MAX)
			opex_diag_add(diags, OPEX_SEVERITY_ERROR,
				"escalation-unknown", ROSTER_PATH,
				t->escalates_line, 1,
				"team '%s' escalates to '%s', which is no team",
				t->id, t->escalates_to);
	}
	for (i = 0; i < n; i++) {
		size_t at = i, len = 0, k;

		while (at != SIZE_MAX && state[at] == 0) {
			state[at] = 1;
			path[len++] = at;
			at = next[at];
		}
		/* Back on this walk: the walk from there on is a cycle. */
		if (at != SIZE_MAX && state[at] == 1)
			for (k = 0; k < len; k++)
				if (path[k] == at)
					for (; k < len; k++)
						cycle[path[k]] = true;
		for (k = 0; k < len; k++)
			state[path[k]] = 2;
	}
	for (i = 0; i < n; i++) {
		const opex_kb_team *t = &roster->teams[i];

		if (cycle[i])
			opex_diag_add(diags, OPEX_SEVERITY_ERROR,
				"escalation-cycle", ROSTER_PATH, t->escalates_line, 1,
				strcmp(t->escalates_to, t->id) == 0
				? "team '%s' escalates to itself"
				: "the escalations of team '%s' come back to it",
				t->id);
	}
	opex_free(order);
	opex_free(next);
	opex_free(path);
	opex_free(state);
	opex_free(cycle);
}

/* Distinct members of tiered teams that cover `language`. */
static size_t people_for(const opex_kb_roster *roster, const char *language)
{
	size_t i, j, n = 0;

	for (i = 0; i < roster->person_count; i++) {
		const opex_kb_person *p = &roster->people[i];

		for (j = 0; j < p->team_count; j++) {
			const opex_kb_team *t = opex_kb_roster_team(roster, p->teams[j]);

			if (t && t->tier > 0 && coverage(t, NULL, NULL, language)) {
				n++;
				break;
			}
		}
	}
	return n;
}

/* A journey x market x language the handbook's articles serve. */
typedef struct combo {
	const char *journey, *market, *language;   /* market, language may be NULL */
} combo;

static int str_or_null_cmp(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	return opex_strcasecmp(a, b);
}

static int cmp_combo(const void *x, const void *y)
{
	const combo *a = x, *b = y;
	int c = str_or_null_cmp(a->journey, b->journey);

	if (c == 0)
		c = str_or_null_cmp(a->market, b->market);
	if (c == 0)
		c = str_or_null_cmp(a->language, b->language);
	return c;
}

/*
 * Every journey x market x language an article serves (its journey, each
 * of its markets, its language), for the journeys routing must cover;
 * sorted, each once. Free with opex_free.
 */
static size_t served_combos(combo **out, const opex_kb_handbook *hb)
{
	const opex_kb_settings *s = opex_kb_handbook_settings(hb);
	size_t i, k, n = 0, cap = 0, kept = 0;
	size_t count = opex_kb_handbook_article_count(hb);
	const char **journeys = NULL;
	size_t nj;
	combo *list = NULL;

	/* Declared: every journey in every language of every market. */
	if (s->market_language_count > 0) {
		nj = opex_kb_routing_journeys(&journeys, hb);
		for (i = 0; i < nj; i++)
			for (k = 0; k < s->market_language_count; k++) {
				opex_array_grow((void **)&list, &cap, n + 1,
					sizeof(*list));
				list[n].journey = journeys[i];
				list[n].market = s->market_languages[k].market;
				list[n].language = s->market_languages[k].language;
				n++;
			}
		opex_free(journeys);
		count = 0;
	}
	for (i = 0; i < count; i++) {
		const opex_kb_article *a = opex_kb_handbook_article(hb, i);
		size_t markets = a->market_count ? a->market_count : 1;

		if (a->journey == NULL || (s->journey_count > 0 &&
		    !lists(s->journeys, s->journey_count, a->journey)))
			continue;
		for (k = 0; k < markets; k++) {
			opex_array_grow((void **)&list, &cap, n + 1, sizeof(*list));
			list[n].journey = a->journey;
			list[n].market = a->market_count ? a->markets[k] : NULL;
			list[n].language = a->language;
			n++;
		}
	}
	if (n > 0)
		qsort(list, n, sizeof(*list), cmp_combo);
	for (i = 0; i < n; i++)
		if (kept == 0 || cmp_combo(&list[kept - 1], &list[i]) != 0)
			list[kept++] = list[i];
	*out = list;
	return kept;
}

static void lint_coverage(const opex_kb_handbook *hb, opex_diag_list *diags)
{
	const opex_kb_roster *roster = opex_kb_handbook_roster(hb);
	const opex_kb_settings *s = opex_kb_handbook_settings(hb);
	combo *combos = NULL;
	size_t n = served_combos(&combos, hb), i, l;

	for (i = 0; i < n; i++) {
		opex_kb_route r;

		opex_kb_route_find(&r, roster, combos[i].journey, combos[i].market,
			combos[i].language);
		if (r.team != NULL)
			continue;
		opex_diag_add(diags, OPEX_SEVERITY_WARNING, "routing-gap",
			ROSTER_PATH, 1, 1,
			"no tier-1 team takes %s contacts in market %s in %s",
			combos[i].journey,
			combos[i].market ? combos[i].market : "(any)",
			combos[i].language ? combos[i].language : "any language");
	}
	for (l = 0; l < s->language_count; l++) {
		size_t people = people_for(roster, s->languages[l]);

		if (people < s->routing_min_people)
			opex_diag_add(diags, OPEX_SEVERITY_WARNING, "routing-thin",
				ROSTER_PATH, 1, 1,
				"language %s is covered by %zu %s of routing teams, fewer than %u (routing_min_people)",
				s->languages[l], people,
				people == 1 ? "person" : "people",
				s->routing_min_people);
	}
	opex_free(combos);
}

void opex_kb_routing_lint(const opex_kb_handbook *hb, opex_diag_list *diags)
{
	const opex_kb_roster *roster = opex_kb_handbook_roster(hb);

	lint_escalations(roster, diags);
	if (opex_kb_routing_used(roster))
		lint_coverage(hb, diags);
}

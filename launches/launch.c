/*
 * launch.c: launch files (launches/<path>.md) as data.
 *
 *   ---
 *   title: Card launch in Indonesia       string
 *   date: 2027-03-01                      YYYY-MM-DD
 *   owner: maria                          person id
 *   markets: [id]                         list of strings
 *   languages: [en, id]                   BCP 47 tags
 *   processes: [processes/x.dot]          handbook paths
 *   articles: [articles/y.md]             handbook paths
 *   stakeholders: [ahmad, wfm]            people or teams
 *   capacity:                             extra contacts the launch brings:
 *     - journey: cards                    a customer journey
 *       market: id                        optional: each launch market otherwise
 *       extra_contacts_per_week: 400      a number, 0 or more
 *       weeks: 4                          1 to 53 weeks from the week of `date`,
 *       weeks: [2027-W09, 2027-W10]       or a list of ISO weeks
 *   gates:                                ordered; each gate:
 *     - id: go-live                       unique in the file
 *       title: Go-live                    string
 *       approvers: [ops-leads, sari]      people or teams
 *       quorum: 2                         N distinct approvers, or
 *       quorum: {all_of: [{team: ops-leads, n: 2}, {person: sari}]}
 *       checks: [checklist-done, ...]     from the catalogue (checks.c)
 *       valid_for: 30d                    an approval expires after this
 *       independent: true                 separation of duties (default)
 *   ---
 *   body: a task list, outside fenced code:
 *   - [ ] Capacity plan approved {gate: go-live}
 *   - [x] Journeys listed {gate: design}
 *
 * Rules reported here (all errors unless noted):
 *
 *   launch-invalid       front matter missing, unreadable, or a field of the wrong type
 *   date-invalid         a malformed date or valid_for
 *   capacity-invalid     a capacity entry that is not a mapping, lacks a journey,
 *                        has a negative or malformed number, a malformed or
 *                        repeated ISO week, or counts weeks without a date
 *   check-unknown        a check not in the catalogue
 *   gate-duplicate       a gate id listed twice
 *   item-gate-unknown    an item names a gate the launch does not have
 *   item-gate-missing    (warning) an item names no gate: it belongs to the last
 *
 * What the file names is checked against the handbook in lint.c.
 */
#include "launches/launches.h"
#include "core/limits.h"
#include "core/memory.h"
#include "core/path.h"
#include "core/str.h"
#include "core/text.h"
#include "core/time.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

struct opex_launch {
	char *path;
	char *title, *owner;
	unsigned owner_line;
	char *announcement;       /* announcement: the launch's, NULL if none */
	unsigned announcement_line;
	int64_t date;
	opex_launch_name *lists[OPEX_LAUNCH_LIST_COUNT];
	size_t list_count[OPEX_LAUNCH_LIST_COUNT];
	opex_launch_gate *gates;
	size_t gate_count;
	opex_launch_capacity *capacity;
	size_t capacity_count;
	opex_launch_item *items;
	size_t item_count, item_cap;
	bool items_capped;
};

static const char *const list_keys[OPEX_LAUNCH_LIST_COUNT] = {
	"processes", "articles", "stakeholders", "markets", "languages"
};

static const char *const known_keys[] = {
	"title", "date", "owner", "markets", "languages", "processes",
	"articles", "stakeholders", "gates", "capacity", "announcement", NULL
};

static const char *const capacity_keys[] = {
	"journey", "market", "extra_contacts_per_week", "weeks", NULL
};

static const char *const gate_keys[] = {
	"id", "title", "approvers", "quorum", "checks", "valid_for",
	"independent", NULL
};

/* A scalar's text without surrounding blanks, or NULL if null or blank. */
static char *scalar_text(const opex_kb_yaml_node *v)
{
	opex_str s;

	if (v == NULL || v->type != OPEX_KB_YAML_SCALAR)
		return NULL;
	s = opex_str_trim(opex_str_from(v->value));
	if (s.len == 0 || (v->plain && (opex_str_eq(s, "~") ||
	    opex_str_eq(s, "null"))))
		return NULL;
	return opex_strndup(s.ptr, s.len);
}

static bool key_known(const char *const *keys, const char *key)
{
	size_t i;

	for (i = 0; keys[i] != NULL; i++)
		if (strcmp(keys[i], key) == 0)
			return true;
	return false;
}

static void unknown_keys(const opex_kb_yaml_node *map, const char *const *keys,
	const char *path, const char *where, opex_diag_list *diags)
{
	size_t i;

	for (i = 0; i < map->count; i++) {
		const opex_kb_yaml_node *k = map->keys[i];

		if (key_known(keys, k->value))
			continue;
		opex_diag_add(diags, OPEX_SEVERITY_WARNING, "launch-invalid", path,
			k->line, k->col, "unknown field '%.*s' in %s",
			(int)opex_text_clip(k->value, 60), k->value, where);
	}
}

/* A list of names: a sequence of scalars, or one scalar. */
static void read_names(opex_launch_name **out, size_t *count,
	const opex_kb_yaml_node *v, const char *path, const char *field,
	opex_diag_list *diags)
{
	size_t i;

	*out = NULL;
	*count = 0;
	if (v == NULL)
		return;
	if (v->type == OPEX_KB_YAML_SCALAR) {
		char *s = scalar_text(v);

		if (s == NULL)
			return;
		*out = opex_calloc(1, sizeof(**out));
		(*out)[0].name = s;
		(*out)[0].line = v->line;
		*count = 1;
		return;
	}
	if (v->type != OPEX_KB_YAML_SEQUENCE) {
		opex_diag_add(diags, OPEX_SEVERITY_ERROR, "launch-invalid", path,
			v->line, v->col, "'%s' must be a list", field);
		return;
	}
	if (v->count > OPEX_LIMIT_LAUNCH_NAMES) {
		opex_diag_add(diags, OPEX_SEVERITY_ERROR, "launch-invalid", path,
			v->line, v->col, "'%s' lists more than %u names", field,
			OPEX_LIMIT_LAUNCH_NAMES);
		return;
	}
	*out = opex_calloc(v->count ? v->count : 1, sizeof(**out));
	for (i = 0; i < v->count; i++) {
		char *s = scalar_text(v->items[i]);

		if (s == NULL) {
			opex_diag_add(diags, OPEX_SEVERITY_ERROR, "launch-invalid",
				path, v->items[i]->line, v->items[i]->col,
				"'%s' must hold names, not %s", field,
				v->items[i]->type == OPEX_KB_YAML_SCALAR ? "an empty value" :
				"a nested list or mapping");
			continue;
		}
		(*out)[*count].name = s;
		(*out)[*count].line = v->items[i]->line;
		(*count)++;
	}
}

static void names_free(opex_launch_name *names, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		opex_free(names[i].name);
	opex_free(names);
}

/* A positive integer scalar (at most 1000), or 0. */
static unsigned read_count(const opex_kb_yaml_node *v)
{
	unsigned n = 0;
	const char *p;

	if (v == NULL || v->type != OPEX_KB_YAML_SCALAR || v->len == 0)
		return 0;
	for (p = v->value; *p; p++) {
		if (*p < '0' || *p > '9' || n > 1000)
			return 0;
		n = n * 10u + (unsigned)(*p - '0');
	}
	return n <= 1000 ? n : 0;
}

static void read_quorum(opex_launch_gate *g, const opex_kb_yaml_node *v,
	const char *path, opex_diag_list *diags)
{
	const opex_kb_yaml_node *all;
	size_t i;

	if (v == NULL) {
		g->quorum = 1;
		return;
	}
	if (v->type == OPEX_KB_YAML_SCALAR) {
		g->quorum = read_count(v);
		if (g->quorum == 0)
			opex_diag_add(diags, OPEX_SEVERITY_ERROR, "launch-invalid",
				path, v->line, v->col,
				"quorum '%.*s' of gate '%s' is not a number from 1 to 1000",
				(int)opex_text_clip(v->value, 40), v->value, g->id);
		return;
	}
	all = v->type == OPEX_KB_YAML_MAPPING ? opex_kb_yaml_get(v, "all_of") : NULL;
	if (all == NULL || all->type != OPEX_KB_YAML_SEQUENCE || all->count == 0 ||
	    v->count != 1) {
		opex_diag_add(diags, OPEX_SEVERITY_ERROR, "launch-invalid", path,
			v->line, v->col,
			"quorum of gate '%s' must be a number or {all_of: [{team: T, n: N}, {person: P}]}",
			g->id);
		return;
	}
	if (all->count > OPEX_LIMIT_LAUNCH_NAMES) {
		opex_diag_add(diags, OPEX_SEVERITY_ERROR, "launch-invalid", path,
			all->line, all->col, "quorum of gate '%s' has too many terms",
			g->id);
		return;
	}
	g->terms = opex_calloc(all->count, sizeof(*g->terms));
	for (i = 0; i < all->count; i++) {
		const opex_kb_yaml_node *t = all->items[i];
		opex_launch_quorum_term *term = &g->terms[g->term_count];
		const opex_kb_yaml_node *n;

		if (t->type != OPEX_KB_YAML_MAPPING) {
			opex_diag_add(diags, OPEX_SEVERITY_ERROR, "launch-invalid",
				path, t->line, t->col,
				"a quorum term must be {team: T, n: N} or {person: P}");
			continue;
		}
		term->team = scalar_text(opex_kb_yaml_get(t, "team"));
		term->person = scalar_text(opex_kb_yaml_get(t, "person"));
		n = opex_kb_yaml_get(t, "n");
		term->n = n != NULL ? read_count(n) : 1;
		term->line = t->line;
		if ((term->team == NULL) == (term->person == NULL) ||
		    term->n == 0 || (term->person != NULL && term->n != 1)) {
			opex_diag_add(diags, OPEX_SEVERITY_ERROR, "launch-invalid",
				path, t->line, t->col,
				"a quorum term must be {team: T, n: N} (N from 1) or {person: P}");
			opex_free(term->team);
			opex_free(term->person);
			memset(term, 0, sizeof(*term));
			continue;
		}
		g->term_count++;
	}
}

/* The canonical text of a gate's definition (for the policy digest). */
static void gate_definition(opex_launch_gate *g)
{
	opex_buf b = OPEX_BUF_INIT(OPEX_LIMIT_FRONT_MATTER_BYTES);
	size_t i;

	opex_buf_printf(&b, "id %s\ntitle %s\n", g->id, g->title ? g->title : "");
	for (i = 0; i < g->approver_count; i++)
		opex_buf_printf(&b, "approver %s\n", g->approvers[i].name);
	opex_buf_printf(&b, "quorum %u\n", g->quorum);
	for (i = 0; i < g->term_count; i++)
		opex_buf_printf(&b, "term %s %s %u\n",
			g->terms[i].team ? "team" : "person",
			g->terms[i].team ? g->terms[i].team : g->terms[i].person,
			g->terms[i].n);
	for (i = 0; i < g->check_count; i++)
		opex_buf_printf(&b, "check %s\n", opex_launch_check_name(g->checks[i]));
	opex_buf_printf(&b, "valid_for %lld\nindependent %d\n",
		(long long)g->valid_for, g->independent ? 1 : 0);
	g->definition = opex_buf_detach(&b, NULL);
}

static void gate_release(opex_launch_gate *g)
{
	size_t i;

	opex_free(g->id);
	opex_free(g->title);
	names_free(g->approvers, g->approver_count);
	for (i = 0; i < g->term_count; i++) {
		opex_free(g->terms[i].team);
		opex_free(g->terms[i].person);
	}
	opex_free(g->terms);
	opex_free(g->checks);
	opex_free(g->check_lines);
	opex_free(g->definition);
}

static void unknown_check(const opex_kb_yaml_node *c, const char *gate,
	const char *path, opex_diag_list *diags)
{
	opex_buf known = OPEX_BUF_INIT(OPEX_LIMIT_LINE_BYTES);
	int i;

	for (i = 0; i < (int)OPEX_LAUNCH_CHECK_COUNT; i++)
		opex_buf_printf(&known, "%s%s", i ? ", " : "",
			opex_launch_check_name((opex_launch_check)i));
	opex_diag_add(diags, OPEX_SEVERITY_ERROR, "check-unknown", path, c->line,
		c->col, "unknown check '%.*s' in gate '%s' (known: %s)",
		c->type == OPEX_KB_YAML_SCALAR ? (int)opex_text_clip(c->value, 60) : 1,
		c->type == OPEX_KB_YAML_SCALAR ? c->value : "?", gate, known.ptr);
	opex_buf_release(&known);
}

/* Read one gate; false when it has no usable id (then it is skipped). */
static bool read_gate(opex_launch_gate *g, const opex_kb_yaml_node *v,
	const char *path, opex_diag_list *diags)
{
	const opex_kb_yaml_node *checks, *vf, *ind;
	opex_error e = OPEX_ERROR_INIT;
	size_t i;

	memset(g, 0, sizeof(*g));
	g->independent = true;
	g->line = v->line;
	if (v->type != OPEX_KB_YAML_MAPPING) {
		opex_diag_add(diags, OPEX_SEVERITY_ERROR, "launch-invalid", path,
			v->line, v->col, "a gate must be a mapping with id, title, approvers, quorum and checks");
		return false;
	}
	unknown_keys(v, gate_keys, path, "a gate", diags);
	g->id = scalar_text(opex_kb_yaml_get(v, "id"));
	if (g->id == NULL) {
		opex_diag_add(diags, OPEX_SEVERITY_ERROR, "launch-invalid", path,
			v->line, v->col, "gate has no id");
		return false;
	}
	g->title = scalar_text(opex_kb_yaml_get(v, "title"));
	read_names(&g->approvers, &g->approver_count,
		opex_kb_yaml_get(v, "approvers"), path, "approvers", diags);
	if (g->approver_count == 0)
		opex_diag_add(diags, OPEX_SEVERITY_ERROR, "launch-invalid", path,
			v->line, v->col, "gate '%s' lists no approvers", g->id);
	read_quorum(g, opex_kb_yaml_get(v, "quorum"), path, diags);
	checks = opex_kb_yaml_get(v, "checks");
	if (checks != NULL && checks->type == OPEX_KB_YAML_SEQUENCE &&
	    checks->count <= OPEX_LAUNCH_CHECK_COUNT * 4) {
		g->checks = opex_calloc(checks->count + 1, sizeof(*g->checks));
		g->check_lines = opex_calloc(checks->count + 1,
			sizeof(*g->check_lines));
		for (i = 0; i < checks->count; i++) {
			const opex_kb_yaml_node *c = checks->items[i];
			int k = c->type == OPEX_KB_YAML_SCALAR ?
				opex_launch_check_parse(c->value) : -1;

			if (k < 0) {
				unknown_check(c, g->id, path, diags);
				continue;
			}
			g->checks[g->check_count] = (opex_launch_check)k;
			g->check_lines[g->check_count++] = c->line;
		}
	} else if (checks != NULL) {
		opex_diag_add(diags, OPEX_SEVERITY_ERROR, "launch-invalid", path,
			checks->line, checks->col,
			"checks of gate '%s' must be a list of check names", g->id);
	}
	vf = opex_kb_yaml_get(v, "valid_for");
	if (vf != NULL) {
		char *s = scalar_text(vf);

		if (s == NULL || opex_time_parse_duration(&g->valid_for, s, &e) < 0 ||
		    g->valid_for <= 0) {
			opex_diag_add(diags, OPEX_SEVERITY_ERROR, "date-invalid", path,
				vf->line, vf->col,
				"valid_for of gate '%s' is not a duration like 30d, 12w, 6m or 1y",
				g->id);
			g->valid_for = 0;
		}
		opex_free(s);
	}
	ind = opex_kb_yaml_get(v, "independent");
	if (ind != NULL) {
		if (ind->type == OPEX_KB_YAML_SCALAR && strcmp(ind->value, "false") == 0)
			g->independent = false;
		else if (ind->type != OPEX_KB_YAML_SCALAR ||
			 strcmp(ind->value, "true") != 0)
			opex_diag_add(diags, OPEX_SEVERITY_ERROR, "launch-invalid",
				path, ind->line, ind->col,
				"independent of gate '%s' must be true or false", g->id);
	}
	gate_definition(g);
	return true;
}

static void read_gates(opex_launch *l, const opex_kb_yaml_node *v,
	opex_diag_list *diags)
{
	size_t i, j;

	if (v == NULL) {
		opex_diag_add(diags, OPEX_SEVERITY_ERROR, "launch-invalid", l->path,
			1, 1, "launch has no gates");
		return;
	}
	if (v->type != OPEX_KB_YAML_SEQUENCE || v->count > OPEX_LIMIT_LAUNCH_GATES) {
		opex_diag_add(diags, OPEX_SEVERITY_ERROR, "launch-invalid", l->path,
			v->line, v->col, "gates must be a list of at most %u gates",
			OPEX_LIMIT_LAUNCH_GATES);
		return;
	}
	l->gates = opex_calloc(v->count + 1, sizeof(*l->gates));
	for (i = 0; i < v->count; i++) {
		opex_launch_gate *g = &l->gates[l->gate_count];
		bool dup = false;

		if (!read_gate(g, v->items[i], l->path, diags)) {
			gate_release(g);
			continue;
		}
		for (j = 0; j < l->gate_count; j++) {
			if (strcmp(l->gates[j].id, g->id) != 0)
				continue;
			opex_diag_add(diags, OPEX_SEVERITY_ERROR, "gate-duplicate",
				l->path, g->line, 1,
				"gate '%s' is listed twice (first on line %u)", g->id,
				l->gates[j].line);
			dup = true;
		}
		if (dup) {
			gate_release(g);
			continue;
		}
		l->gate_count++;
	}
}

static void capacity_error(opex_launch_capacity *c, const char *path,
	const opex_kb_yaml_node *v, opex_diag_list *diags, const char *what)
{
	opex_diag_add(diags, OPEX_SEVERITY_ERROR, "capacity-invalid", path,
		v->line, v->col, "capacity%s%s%s: %s", c->journey ? " of journey '" : "",
		c->journey ? c->journey : "", c->journey ? "'" : "", what);
	c->invalid = true;
}

/* extra_contacts_per_week: a number from 0 to 10 million. */
static void read_extra(opex_launch_capacity *c, const opex_kb_yaml_node *v,
	const opex_kb_yaml_node *entry, const char *path, opex_diag_list *diags)
{
	char *end = NULL;
	double x;

	if (v == NULL || v->type != OPEX_KB_YAML_SCALAR || v->len == 0) {
		capacity_error(c, path, v ? v : entry, diags,
			"extra_contacts_per_week must be a number of contacts");
		return;
	}
	x = strtod(v->value, &end);
	if (end == v->value || *end != '\0' || x != x)
		capacity_error(c, path, v, diags,
			"extra_contacts_per_week is not a number");
	else if (x < 0)
		capacity_error(c, path, v, diags,
			"extra_contacts_per_week is negative: give the extra contacts a week, 0 or more");
	else if (!(x <= 1e7))
		capacity_error(c, path, v, diags,
			"extra_contacts_per_week is larger than 10000000");
	else
		c->extra = x;
}

/* weeks: a count from the launch date's week, or a list of ISO weeks. */
static void read_weeks(opex_launch_capacity *c, const opex_kb_yaml_node *v,
	const opex_kb_yaml_node *entry, int64_t date, const char *path,
	opex_diag_list *diags)
{
	size_t i, j;

	if (v != NULL && v->type == OPEX_KB_YAML_SCALAR) {
		unsigned n = read_count(v);

		if (n == 0 || n > OPEX_LIMIT_LAUNCH_CAPACITY_WEEKS) {
			capacity_error(c, path, v, diags, v->value[0] == '-' ?
				"weeks is negative: give 1 to 53 weeks, or a list of ISO weeks" :
				"weeks must be 1 to 53 weeks from the launch date, or a list of ISO weeks like [2027-W09, 2027-W10]");
			return;
		}
		if (date == 0) {
			capacity_error(c, path, v, diags,
				"weeks counts from the launch date, and the launch has no date: add one or list ISO weeks");
			return;
		}
		c->weeks = opex_calloc(n, sizeof(*c->weeks));
		for (i = 0; i < n; i++)
			c->weeks[i] = opex_time_week_start(date) +
				(int64_t)i * 7 * OPEX_DAY_SECONDS;
		c->week_count = n;
		return;
	}
	if (v == NULL || v->type != OPEX_KB_YAML_SEQUENCE || v->count == 0 ||
	    v->count > OPEX_LIMIT_LAUNCH_CAPACITY_WEEKS) {
		capacity_error(c, path, v ? v : entry, diags,
			"weeks must be 1 to 53 weeks from the launch date, or a list of ISO weeks like [2027-W09, 2027-W10]");
		return;
	}
	c->weeks = opex_calloc(v->count, sizeof(*c->weeks));
	for (i = 0; i < v->count; i++) {
		const opex_kb_yaml_node *w = v->items[i];
		int64_t start = 0;
		bool dup = false;

		if (w->type != OPEX_KB_YAML_SCALAR ||
		    opex_time_parse_week(&start, w->value, NULL) < 0) {
			opex_diag_add(diags, OPEX_SEVERITY_ERROR, "capacity-invalid",
				path, w->line, w->col,
				"week '%.*s' is not an ISO week like 2027-W09",
				w->type == OPEX_KB_YAML_SCALAR ?
				(int)opex_text_clip(w->value, 40) : 1,
				w->type == OPEX_KB_YAML_SCALAR ? w->value : "?");
			c->invalid = true;
			continue;
		}
		for (j = 0; j < c->week_count; j++)
			dup = dup || c->weeks[j] == start;
		if (dup) {
			opex_diag_add(diags, OPEX_SEVERITY_ERROR, "capacity-invalid",
				path, w->line, w->col, "week %s is listed twice",
				w->value);
			c->invalid = true;
			continue;
		}
		c->weeks[c->week_count++] = start;
	}
}

static void capacity_release(opex_launch_capacity *c)
{
	opex_free(c->journey);
	opex_free(c->market);
	opex_free(c->weeks);
}

static void read_capacity(opex_launch *l, const opex_kb_yaml_node *v,
	opex_diag_list *diags)
{
	size_t i;

	if (v == NULL)
		return;
	if (v->type != OPEX_KB_YAML_SEQUENCE ||
	    v->count > OPEX_LIMIT_LAUNCH_CAPACITY) {
		opex_diag_add(diags, OPEX_SEVERITY_ERROR, "capacity-invalid",
			l->path, v->line, v->col,
			"capacity must be a list of at most %u entries {journey, market, extra_contacts_per_week, weeks}",
			OPEX_LIMIT_LAUNCH_CAPACITY);
		return;
	}
	l->capacity = opex_calloc(v->count + 1, sizeof(*l->capacity));
	for (i = 0; i < v->count; i++) {
		const opex_kb_yaml_node *e = v->items[i], *j;
		opex_launch_capacity *c = &l->capacity[l->capacity_count++];

		c->line = e->line;
		if (e->type != OPEX_KB_YAML_MAPPING) {
			capacity_error(c, l->path, e, diags,
				"an entry must be a mapping with journey, extra_contacts_per_week and weeks");
			continue;
		}
		unknown_keys(e, capacity_keys, l->path, "a capacity entry", diags);
		j = opex_kb_yaml_get(e, "journey");
		c->journey = scalar_text(j);
		c->journey_line = j ? j->line : e->line;
		if (c->journey == NULL)
			capacity_error(c, l->path, j ? j : e, diags,
				"an entry names no journey");
		j = opex_kb_yaml_get(e, "market");
		c->market = scalar_text(j);
		c->market_line = j ? j->line : 0;
		read_extra(c, opex_kb_yaml_get(e, "extra_contacts_per_week"), e,
			l->path, diags);
		read_weeks(c, opex_kb_yaml_get(e, "weeks"), e, l->date, l->path,
			diags);
	}
}

static void read_front_matter(opex_launch *l, const opex_kb_yaml_node *doc,
	opex_diag_list *diags)
{
	const opex_kb_yaml_node *v;
	opex_error e = OPEX_ERROR_INIT;
	size_t i;

	unknown_keys(doc, known_keys, l->path, "the front matter", diags);
	l->title = scalar_text(opex_kb_yaml_get(doc, "title"));
	v = opex_kb_yaml_get(doc, "owner");
	l->owner = scalar_text(v);
	l->owner_line = v ? v->line : 0;
	if (l->owner == NULL)
		opex_diag_add(diags, OPEX_SEVERITY_ERROR, "launch-invalid", l->path,
			v ? v->line : 1, 1, "launch has no owner");
	v = opex_kb_yaml_get(doc, "announcement");
	l->announcement = v ? scalar_text(v) : NULL;
	l->announcement_line = v ? v->line : 0;
	v = opex_kb_yaml_get(doc, "date");
	if (v != NULL) {
		char *s = scalar_text(v);

		if (s == NULL || opex_time_parse_date(&l->date, s, &e) < 0) {
			opex_diag_add(diags, OPEX_SEVERITY_ERROR, "date-invalid",
				l->path, v->line, v->col,
				"date '%.*s' is not a date like 2027-03-01",
				(int)opex_text_clip(s ? s : "", 40), s ? s : "");
			l->date = 0;
		}
		opex_free(s);
	}
	for (i = 0; i < OPEX_LAUNCH_LIST_COUNT; i++)
		read_names(&l->lists[i], &l->list_count[i],
			opex_kb_yaml_get(doc, list_keys[i]), l->path, list_keys[i],
			diags);
	read_capacity(l, opex_kb_yaml_get(doc, "capacity"), diags);
	read_gates(l, opex_kb_yaml_get(doc, "gates"), diags);
}

static size_t line_end(const char *text, size_t len, size_t off)
{
	const char *nl = memchr(text + off, '\n', len - off);

	return nl ? (size_t)(nl - text) : len;
}

static bool line_is(const char *text, size_t start, size_t end, const char *w)
{
	size_t n = strlen(w);

	if (end > start && text[end - 1] == '\r')
		end--;
	return end - start == n && memcmp(text + start, w, n) == 0;
}

/* A fence opener/closer: 3+ backticks or tildes after up to 3 spaces. */
static char fence_char(const char *p, size_t n)
{
	size_t i = 0, k;

	while (i < n && i < 3 && p[i] == ' ')
		i++;
	if (i >= n || (p[i] != '`' && p[i] != '~'))
		return 0;
	for (k = i; k < n && p[k] == p[i]; k++)
		;
	return k - i >= 3 ? p[i] : 0;
}

/*
 * If p[0..n) is a task item, the offset of its box's mark ('x', 'X' or ' ')
 * and of the text after "] ". Returns false otherwise.
 */
static bool task_item(const char *p, size_t n, size_t *mark, size_t *text)
{
	size_t i = 0;

	while (i < n && (p[i] == ' ' || p[i] == '\t') && i < 12)
		i++;
	if (i + 5 > n || (p[i] != '-' && p[i] != '*' && p[i] != '+') ||
	    p[i + 1] != ' ')
		return false;
	i += 2;
	while (i < n && p[i] == ' ')
		i++;
	if (i + 3 > n || p[i] != '[' || p[i + 2] != ']' ||
	    (p[i + 1] != ' ' && p[i + 1] != 'x' && p[i + 1] != 'X'))
		return false;
	if (i + 3 < n && p[i + 3] != ' ' && p[i + 3] != '\t' && p[i + 3] != '\r')
		return false;
	*mark = i + 1;
	*text = i + 3 < n ? i + 4 : n;
	return true;
}

void opex_launch_normalized(opex_buf *out, const char *text, size_t len)
{
	size_t pos = 0;
	char fence = 0;

	while (pos < len) {
		size_t end = line_end(text, len, pos), mark, t;
		char f = fence_char(text + pos, end - pos);

		if (fence != 0) {
			if (f == fence)
				fence = 0;
		} else if (f != 0) {
			fence = f;
		} else if (task_item(text + pos, end - pos, &mark, &t)) {
			opex_buf_put(out, text + pos, mark);
			opex_buf_putc(out, ' ');
			pos += mark + 1;
		}
		opex_buf_put(out, text + pos, (end < len ? end + 1 : len) - pos);
		pos = end + 1;
	}
}

static void add_item(opex_launch *l, const char *p, size_t n, bool ticked,
	unsigned line, opex_diag_list *diags)
{
	opex_launch_item *it;
	const char *open = NULL, *q;
	opex_str text, gate = { NULL, 0 };

	if (l->item_count >= OPEX_LIMIT_LAUNCH_ITEMS) {
		if (!l->items_capped)
			opex_diag_add(diags, OPEX_SEVERITY_ERROR, "launch-invalid",
				l->path, line, 1,
				"more than %u checklist items: the rest are ignored",
				OPEX_LIMIT_LAUNCH_ITEMS);
		l->items_capped = true;
		return;
	}
	for (q = p; q + 6 <= p + n; q++)
		if (memcmp(q, "{gate:", 6) == 0)
			open = q;
	text.ptr = p;
	text.len = n;
	if (open != NULL) {
		const char *close = memchr(open, '}', (size_t)(p + n - open));

		if (close != NULL) {
			gate.ptr = open + 6;
			gate.len = (size_t)(close - gate.ptr);
			gate = opex_str_trim(gate);
			text.len = (size_t)(open - p);
		}
	}
	text = opex_str_trim(text);
	opex_array_grow((void **)&l->items, &l->item_cap, l->item_count + 1,
		sizeof(*l->items));
	it = &l->items[l->item_count++];
	memset(it, 0, sizeof(*it));
	it->text = opex_strndup(text.ptr, text.len);
	it->gate = gate.len ? opex_strndup(gate.ptr, gate.len) : NULL;
	it->ticked = ticked;
	it->line = line;
}

static void read_items(opex_launch *l, const char *text, size_t len,
	size_t off, unsigned line, opex_diag_list *diags)
{
	size_t pos = off, i;
	char fence = 0;

	for (; pos < len; line++) {
		size_t end = line_end(text, len, pos), mark, t, n;
		char f = fence_char(text + pos, end - pos);

		if (fence != 0) {
			if (f == fence)
				fence = 0;
		} else if (f != 0) {
			fence = f;
		} else if (task_item(text + pos, end - pos, &mark, &t)) {
			n = end - pos - t;
			if (n > 0 && text[pos + t + n - 1] == '\r')
				n--;
			add_item(l, text + pos + t, n, text[pos + mark] != ' ', line,
				diags);
		}
		pos = end + 1;
	}
	for (i = 0; i < l->item_count; i++) {
		opex_launch_item *it = &l->items[i];
		long g = it->gate ? opex_launch_gate_find(l, it->gate) : -1;

		if (it->gate == NULL) {
			it->gate_index = l->gate_count ? l->gate_count - 1 : 0;
			if (l->gate_count > 0)
				opex_diag_add(diags, OPEX_SEVERITY_WARNING,
					"item-gate-missing", l->path, it->line, 1,
					"checklist item names no gate: it counts for the last gate '%s' (add {gate: id})",
					l->gates[l->gate_count - 1].id);
		} else if (g < 0) {
			it->gate_index = l->gate_count ? l->gate_count - 1 : 0;
			opex_diag_add(diags, OPEX_SEVERITY_ERROR, "item-gate-unknown",
				l->path, it->line, 1,
				"checklist item names gate '%.*s', which the launch does not have",
				(int)opex_text_clip(it->gate, 60), it->gate);
		} else {
			it->gate_index = (size_t)g;
		}
	}
}

opex_launch *opex_launch_parse(const char *path, const char *text,
	size_t len, opex_diag_list *diags)
{
	opex_launch *l = opex_calloc(1, sizeof(*l));
	opex_kb_yaml_node *doc = NULL;
	opex_error e = OPEX_ERROR_INIT;
	size_t end, start, pos, close = 0, body = 0, bad;
	unsigned line = 2, close_line = 0, err_line = 0;
	const char *msg;
	bool ok = false;

	l->path = opex_strdup(path);
	if (len > OPEX_LIMIT_FILE_BYTES || opex_text_has_nul(text, len) ||
	    !opex_utf8_valid(text, len, &bad)) {
		opex_diag_add(diags, OPEX_SEVERITY_ERROR, "launch-invalid", path, 1,
			1, "not a launch file: too large, binary or not UTF-8");
		goto done;
	}
	end = line_end(text, len, 0);
	if (!line_is(text, 0, end, "---")) {
		opex_diag_add(diags, OPEX_SEVERITY_ERROR, "launch-invalid", path, 1,
			1, "a launch starts with front matter: a line '---', the gates, then '---'");
		goto done;
	}
	start = end < len ? end + 1 : len;
	for (pos = start; pos < len; line++) {
		size_t le = line_end(text, len, pos);

		if (line_is(text, pos, le, "---") || line_is(text, pos, le, "...")) {
			close = pos;
			close_line = line;
			body = le < len ? le + 1 : len;
			break;
		}
		pos = le + 1;
	}
	if (close_line == 0) {
		opex_diag_add(diags, OPEX_SEVERITY_ERROR, "launch-invalid", path, 1,
			1, "front matter opened on line 1 is never closed (end it with a line '---')");
		goto done;
	}
	if (close - start > OPEX_LIMIT_FRONT_MATTER_BYTES) {
		opex_diag_add(diags, OPEX_SEVERITY_ERROR, "launch-invalid", path, 1,
			1, "front matter is larger than %u KiB",
			OPEX_LIMIT_FRONT_MATTER_BYTES / 1024u);
		goto done;
	}
	if (opex_kb_yaml_parse(&doc, &err_line, text + start, close - start, 2,
			&e) < 0) {
		msg = e.message;
		if (strncmp(msg, "line ", 5) == 0 && strstr(msg, ": ") != NULL)
			msg = strstr(msg, ": ") + 2;
		opex_diag_add(diags, OPEX_SEVERITY_ERROR, "launch-invalid", path,
			err_line, 0, "%s", msg);
		goto done;
	}
	if (doc == NULL || doc->type != OPEX_KB_YAML_MAPPING) {
		opex_diag_add(diags, OPEX_SEVERITY_ERROR, "launch-invalid", path,
			doc ? doc->line : 1, 1,
			"front matter is not a mapping (write 'field: value' lines)");
		goto done;
	}
	read_front_matter(l, doc, diags);
	read_items(l, text, len, body, close_line + 1, diags);
	ok = true;
done:
	opex_kb_yaml_free(doc);
	if (!ok) {
		opex_launch_free(l);
		l = NULL;
	}
	return l;
}

void opex_launch_free(opex_launch *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < OPEX_LAUNCH_LIST_COUNT; i++)
		names_free(l->lists[i], l->list_count[i]);
	for (i = 0; i < l->gate_count; i++)
		gate_release(&l->gates[i]);
	opex_free(l->gates);
	for (i = 0; i < l->capacity_count; i++)
		capacity_release(&l->capacity[i]);
	opex_free(l->capacity);
	for (i = 0; i < l->item_count; i++) {
		opex_free(l->items[i].text);
		opex_free(l->items[i].gate);
	}
	opex_free(l->items);
	opex_free(l->title);
	opex_free(l->owner);
	opex_free(l->announcement);
	opex_free(l->path);
	opex_free(l);
}

const char *opex_launch_path(const opex_launch *l) { return l->path; }
const char *opex_launch_title(const opex_launch *l) { return l->title; }
const char *opex_launch_owner(const opex_launch *l) { return l->owner; }
unsigned opex_launch_owner_line(const opex_launch *l) { return l->owner_line; }
const char *opex_launch_announcement(const opex_launch *l) { return l->announcement; }
unsigned opex_launch_announcement_line(const opex_launch *l)
{
	return l->announcement_line ? l->announcement_line : 1;
}
int64_t opex_launch_date(const opex_launch *l) { return l->date; }

size_t opex_launch_list_count(const opex_launch *l,
	opex_launch_list list)
{
	return l->list_count[list];
}

const opex_launch_name *opex_launch_list_item(const opex_launch *l,
	opex_launch_list list, size_t i)
{
	return &l->lists[list][i];
}

size_t opex_launch_gate_count(const opex_launch *l) { return l->gate_count; }

const opex_launch_gate *opex_launch_gate_at(const opex_launch *l, size_t i)
{
	return &l->gates[i];
}

long opex_launch_gate_find(const opex_launch *l, const char *id)
{
	size_t i;

	for (i = 0; i < l->gate_count; i++)
		if (strcmp(l->gates[i].id, id) == 0)
			return (long)i;
	return -1;
}

size_t opex_launch_capacity_count(const opex_launch *l)
{
	return l->capacity_count;
}

const opex_launch_capacity *opex_launch_capacity_at(const opex_launch *l,
	size_t i)
{
	return &l->capacity[i];
}

size_t opex_launch_item_count(const opex_launch *l) { return l->item_count; }

const opex_launch_item *opex_launch_item_at(const opex_launch *l, size_t i)
{
	return &l->items[i];
}

/*
 * roster.c: people.yaml, who may own, champion and approve.
 *
 *   people:
 *     - id: maria                      [a-z0-9][a-z0-9._-]*, unique
 *       name: Maria Santos             required
 *       email: maria@lumen.example     required, unique (ASCII case-insensitive)
 *       teams: [ops-leads, payments]   optional, each a declared team id
 *   teams:
 *     - id: ops-leads                  same id syntax, unique
 *       name: Operations leads         optional: the id when absent
 *       tier: 1                        routing: 1 first line, 2 second...
 *       markets: [fr], languages: [fr] routing: what it covers (absent: any)
 *       journeys: [cards], channels: [chat, email]
 *       lanes: [front-end]             map roles it works besides its id
 *       partner: true                  an external partner centre
 *       fte: 12.5                      full-time equivalents (> 0)
 *       escalates_to: swat             a team id (checked by opex_kb_lint)
 *       contact: cards-fr@lumen.example
 *
 *   rule              severity  what
 *   roster-invalid    error     bad YAML, wrong shape or type, missing or bad
 *                               id/name/email, undeclared team
 *   roster-invalid    warning   unknown key
 *   person-duplicate  error     an id or email seen before (the second is dropped)
 *
 * An entry with an error is dropped and the others are kept; a person naming
 * an undeclared team is kept without that team.
 */
#include "kb/kb_int.h"
#include "core/memory.h"
#include "core/str.h"
#include "core/text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

#define RULE_INVALID "roster-invalid"
#define RULE_DUPLICATE "person-duplicate"
#define QUOTE_MAX 64

static const char *const top_keys[] = { "people", "teams" };
static const char *const person_keys[] = { "id", "name", "email", "teams" };
static const char *const team_keys[] = {
	"id", "name", "tier", "markets", "languages", "journeys", "channels",
	"partner", "fte", "escalates_to", "contact", "lanes"
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

typedef struct ctx {
	const char *path;
	opex_diag_list *diags;
	opex_kb_roster *roster;
	size_t person_cap, team_cap;
} ctx;

/* Bytes of `s` to quote in a message. */
static int quote_len(const char *s)
{
	return (int)opex_text_clip(s, QUOTE_MAX);
}

static bool id_valid(const char *s)
{
	size_t i;

	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')))
		return false;
	for (i = 1; s[i]; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

/* A plausible address: local@domain.tld, printable ASCII or UTF-8, no blanks. */
static bool email_valid(const char *s)
{
	const char *at = strchr(s, '@'), *dot;
	size_t i, n = strlen(s);

	if (at == NULL || at == s || strchr(at + 1, '@') != NULL || n > 254)
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= ' ' || c == 0x7F || c == '<' || c == '>' || c == ',' ||
		    c == ';' || c == '"' || c == '(' || c == ')' || c == '\\')
			return false;
	}
	dot = strrchr(at + 1, '.');
	return dot != NULL && at[1] != '.' && dot[1] != '\0' &&
	       strstr(at + 1, "..") == NULL;
}

static void diag(ctx *c, opex_severity sev, const char *rule,
	const opex_kb_yaml_node *at, const char *fmt, ...) OPEX_PRINTF(5, 6);

static void diag(ctx *c, opex_severity sev, const char *rule,
	const opex_kb_yaml_node *at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	opex_diag_vadd(c->diags, sev, rule, c->path, at ? at->line : 0,
		at ? at->col : 0, fmt, ap);
	va_end(ap);
}

static void unknown_keys(ctx *c, const opex_kb_yaml_node *map,
	const char *const *known, size_t count, const char *what)
{
	size_t i, k;

	for (i = 0; i < map->count; i++) {
		const opex_kb_yaml_node *key = map->keys[i];
		const char *near;
		bool found = false;

		for (k = 0; k < count; k++)
			if (strcmp(key->value, known[k]) == 0)
				found = true;
		if (found)
			continue;
		near = opex_text_closest(key->value, key->len, known, count, 2);
		if (near)
			diag(c, OPEX_SEVERITY_WARNING, RULE_INVALID, key,
				"unknown key '%.*s' in %s (did you mean '%s'?)",
				quote_len(key->value), key->value, what, near);
		else
			diag(c, OPEX_SEVERITY_WARNING, RULE_INVALID, key,
				"unknown key '%.*s' in %s",
				quote_len(key->value), key->value, what);
	}
}

/*
 * The string value of `key` in `map`: NULL after a diagnostic if it is
 * missing, empty or not a scalar. `what` names the entry ("person 3").
 */
static const char *required(ctx *c, const opex_kb_yaml_node *map,
	const char *key, const char *what)
{
	const opex_kb_yaml_node *v = opex_kb_yaml_get(map, key);
	opex_str s;

	if (v == NULL) {
		diag(c, OPEX_SEVERITY_ERROR, RULE_INVALID, map,
			"%s has no '%s'", what, key);
		return NULL;
	}
	if (v->type != OPEX_KB_YAML_SCALAR) {
		diag(c, OPEX_SEVERITY_ERROR, RULE_INVALID, v,
			"'%s' of %s must be a string", key, what);
		return NULL;
	}
	s = opex_str_trim(opex_str_from(v->value));
	if (s.len == 0 || (v->plain && (strcmp(v->value, "~") == 0 ||
					strcmp(v->value, "null") == 0))) {
		diag(c, OPEX_SEVERITY_ERROR, RULE_INVALID, v,
			"'%s' of %s is empty", key, what);
		return NULL;
	}
	return v->value;
}

static const char *valid_id(ctx *c, const opex_kb_yaml_node *map,
	const char *what)
{
	const char *id = required(c, map, "id", what);

	if (id && !id_valid(id)) {
		diag(c, OPEX_SEVERITY_ERROR, RULE_INVALID,
			opex_kb_yaml_get(map, "id"),
			"id '%.*s' of %s must be lowercase letters, digits, '.', '_' or '-'",
			quote_len(id), id, what);
		return NULL;
	}
	return id;
}

static char *trimmed_dup(const char *s)
{
	opex_str t = opex_str_trim(opex_str_from(s));

	return opex_strndup(t.ptr, t.len);
}

/* An optional string: NULL when absent; after a diagnostic when not a string. */
static const char *optional(ctx *c, const opex_kb_yaml_node *map,
	const char *key, const char *what)
{
	const opex_kb_yaml_node *v = opex_kb_yaml_get(map, key);

	if (v == NULL || (v->type == OPEX_KB_YAML_SCALAR && v->plain &&
			  (strcmp(v->value, "~") == 0 || strcmp(v->value, "null") == 0)))
		return NULL;
	return required(c, map, key, what);
}

/* A list of strings (one string is a list of one); false after a diagnostic. */
static bool read_strings(ctx *c, char ***out, size_t *count,
	const opex_kb_yaml_node *map, const char *key, const char *what)
{
	const opex_kb_yaml_node *v = opex_kb_yaml_get(map, key);
	const opex_kb_yaml_node *const *items;
	size_t i, n;

	*out = NULL;
	*count = 0;
	if (v == NULL || (v->type == OPEX_KB_YAML_SCALAR && v->plain &&
			  (v->len == 0 || strcmp(v->value, "~") == 0)))
		return true;
	if (v->type == OPEX_KB_YAML_MAPPING) {
		diag(c, OPEX_SEVERITY_ERROR, RULE_INVALID, v,
			"'%s' of %s must be a list of strings", key, what);
		return false;
	}
	items = v->type == OPEX_KB_YAML_SCALAR
		? (const opex_kb_yaml_node *const *)&v
		: (const opex_kb_yaml_node *const *)v->items;
	n = v->type == OPEX_KB_YAML_SCALAR ? 1 : v->count;
	for (i = 0; i < n; i++)
		if (items[i]->type != OPEX_KB_YAML_SCALAR ||
		    opex_str_trim(opex_str_from(items[i]->value)).len == 0) {
			diag(c, OPEX_SEVERITY_ERROR, RULE_INVALID, items[i],
				"'%s' of %s must be a list of non-empty strings",
				key, what);
			return false;
		}
	*out = opex_calloc(n ? n : 1, sizeof(**out));
	for (i = 0; i < n; i++)
		(*out)[i] = trimmed_dup(items[i]->value);
	*count = n;
	return true;
}

static void team_clear(opex_kb_team *t)
{
	opex_free(t->id);
	opex_free(t->name);
	opex_strings_free(t->markets, t->market_count);
	opex_strings_free(t->languages, t->language_count);
	opex_strings_free(t->journeys, t->journey_count);
	opex_strings_free(t->channels, t->channel_count);
	opex_strings_free(t->lanes, t->lane_count);
	opex_free(t->escalates_to);
	opex_free(t->contact);
	memset(t, 0, sizeof(*t));
}

/* tier, partner and fte; false after a diagnostic. */
static bool read_team_numbers(ctx *c, opex_kb_team *t,
	const opex_kb_yaml_node *map, const char *what)
{
	const opex_kb_yaml_node *v;
	char *end = NULL;

	v = opex_kb_yaml_get(map, "tier");
	if (v != NULL) {
		long tier = v->type == OPEX_KB_YAML_SCALAR
			? strtol(v->value, &end, 10) : 0;

		if (v->type != OPEX_KB_YAML_SCALAR || end == v->value || *end ||
		    tier < 1 || tier > 9) {
			diag(c, OPEX_SEVERITY_ERROR, RULE_INVALID, v,
				"'tier' of %s must be a whole number from 1 to 9", what);
			return false;
		}
		t->tier = (unsigned)tier;
	}
	v = opex_kb_yaml_get(map, "partner");
	if (v != NULL) {
		if (v->type != OPEX_KB_YAML_SCALAR ||
		    (strcmp(v->value, "true") != 0 && strcmp(v->value, "false") != 0)) {
			diag(c, OPEX_SEVERITY_ERROR, RULE_INVALID, v,
				"'partner' of %s must be true or false", what);
			return false;
		}
		t->partner = strcmp(v->value, "true") == 0;
	}
	v = opex_kb_yaml_get(map, "fte");
	if (v != NULL) {
		double fte = v->type == OPEX_KB_YAML_SCALAR
			? strtod(v->value, &end) : 0;

		if (v->type != OPEX_KB_YAML_SCALAR || end == v->value || *end ||
		    !(fte > 0) || fte > 1e6) {
			diag(c, OPEX_SEVERITY_ERROR, RULE_INVALID, v,
				"'fte' of %s must be a positive number of full-time equivalents",
				what);
			return false;
		}
		t->fte = fte;
	}
	return true;
}

static void read_team(ctx *c, const opex_kb_yaml_node *map, size_t index)
{
	opex_kb_roster *r = c->roster;
	const opex_kb_team *dup;
	const char *id, *name, *escalates, *contact;
	opex_kb_team t;
	char what[48];
	bool ok;

	memset(&t, 0, sizeof(t));
	snprintf(what, sizeof(what), "team %zu", index + 1);
	if (map->type != OPEX_KB_YAML_MAPPING) {
		diag(c, OPEX_SEVERITY_ERROR, RULE_INVALID, map,
			"%s must be a mapping with an id", what);
		return;
	}
	unknown_keys(c, map, team_keys, COUNT(team_keys), what);
	id = valid_id(c, map, what);
	if (id == NULL)
		return;
	snprintf(what, sizeof(what), "team '%.*s'", quote_len(id), id);
	dup = opex_kb_roster_team(r, id);
	if (dup) {
		diag(c, OPEX_SEVERITY_ERROR, RULE_INVALID,
			opex_kb_yaml_get(map, "id"),
			"duplicate team '%s' (first on line %u)", id, dup->line);
		return;
	}
	/* Every optional field is read, so each problem is reported once. */
	name = optional(c, map, "name", what);
	escalates = optional(c, map, "escalates_to", what);
	contact = optional(c, map, "contact", what);
	ok = read_strings(c, &t.markets, &t.market_count, map, "markets", what);
	ok = read_strings(c, &t.languages, &t.language_count, map, "languages",
		what) && ok;
	ok = read_strings(c, &t.journeys, &t.journey_count, map, "journeys",
		what) && ok;
	ok = read_strings(c, &t.channels, &t.channel_count, map, "channels",
		what) && ok;
	ok = read_strings(c, &t.lanes, &t.lane_count, map, "lanes", what) && ok;
	ok = read_team_numbers(c, &t, map, what) && ok;
	/* A team stays declared even when a routing field is wrong: its
	 * members' memberships must not all turn into errors too. */
	(void)ok;
	t.id = opex_strdup(id);
	t.name = trimmed_dup(name != NULL ? name : id);
	t.escalates_to = escalates ? trimmed_dup(escalates) : NULL;
	if (escalates)
		t.escalates_line = opex_kb_yaml_get(map, "escalates_to")->line;
	t.contact = contact ? trimmed_dup(contact) : NULL;
	t.line = map->line;
	opex_array_grow((void **)&r->teams, &c->team_cap, r->team_count + 1,
		sizeof(*r->teams));
	r->teams[r->team_count++] = t;
}

/* The person's teams; false after a diagnostic if the field is malformed. */
static bool read_person_teams(ctx *c, opex_kb_person *p,
	const opex_kb_yaml_node *v, const char *what)
{
	const opex_kb_yaml_node *const *items = NULL;
	const opex_kb_yaml_node *one[1];
	size_t i, n = 0;

	if (v == NULL || (v->type == OPEX_KB_YAML_SCALAR && v->plain &&
			  (v->len == 0 || strcmp(v->value, "~") == 0)))
		return true;
	if (v->type == OPEX_KB_YAML_MAPPING) {
		diag(c, OPEX_SEVERITY_ERROR, RULE_INVALID, v,
			"'teams' of %s must be a list of team ids", what);
		return false;
	}
	if (v->type == OPEX_KB_YAML_SCALAR) {
		one[0] = v;
		items = one;
		n = 1;
	} else {
		items = (const opex_kb_yaml_node *const *)v->items;
		n = v->count;
	}
	for (i = 0; i < n; i++) {
		if (items[i]->type != OPEX_KB_YAML_SCALAR) {
			diag(c, OPEX_SEVERITY_ERROR, RULE_INVALID, items[i],
				"'teams' of %s must be a list of team ids", what);
			return false;
		}
	}
	p->teams = opex_calloc(n ? n : 1, sizeof(*p->teams));
	for (i = 0; i < n; i++) {
		const char *team = items[i]->value;

		if (opex_kb_roster_team(c->roster, team) == NULL) {
			diag(c, OPEX_SEVERITY_ERROR, RULE_INVALID, items[i],
				"%s names undeclared team '%.*s' (add it under 'teams:')",
				what, quote_len(team), team);
			continue;
		}
		p->teams[p->team_count++] = opex_strdup(team);
	}
	return true;
}

static void person_clear(opex_kb_person *p)
{
	size_t i;

	opex_free(p->id);
	opex_free(p->name);
	opex_free(p->email);
	for (i = 0; i < p->team_count; i++)
		opex_free(p->teams[i]);
	opex_free(p->teams);
	memset(p, 0, sizeof(*p));
}

static void read_person(ctx *c, const opex_kb_yaml_node *map, size_t index)
{
	opex_kb_roster *r = c->roster;
	opex_kb_person p;
	const opex_kb_person *dup;
	const char *id, *name, *email;
	char what[48];
	bool ok;

	memset(&p, 0, sizeof(p));
	snprintf(what, sizeof(what), "person %zu", index + 1);
	if (map->type != OPEX_KB_YAML_MAPPING) {
		diag(c, OPEX_SEVERITY_ERROR, RULE_INVALID, map,
			"%s must be a mapping with id, name and email", what);
		return;
	}
	id = valid_id(c, map, what);
	if (id)
		snprintf(what, sizeof(what), "person '%.32s'", id);
	unknown_keys(c, map, person_keys, COUNT(person_keys), what);
	name = required(c, map, "name", what);
	email = required(c, map, "email", what);
	if (email && !email_valid(email)) {
		diag(c, OPEX_SEVERITY_ERROR, RULE_INVALID,
			opex_kb_yaml_get(map, "email"),
			"email '%.*s' of %s is not an address like name@example.com",
			quote_len(email), email, what);
		email = NULL;
	}
	if (id == NULL || name == NULL || email == NULL)
		return;
	dup = opex_kb_roster_person(r, id);
	if (dup) {
		diag(c, OPEX_SEVERITY_ERROR, RULE_DUPLICATE,
			opex_kb_yaml_get(map, "id"),
			"duplicate person '%s' (first on line %u)", id, dup->line);
		return;
	}
	dup = opex_kb_roster_person_by_email(r, email);
	if (dup) {
		diag(c, OPEX_SEVERITY_ERROR, RULE_DUPLICATE,
			opex_kb_yaml_get(map, "email"),
			"email '%.*s' of %s is already used by '%s' (line %u)",
			quote_len(email), email, what, dup->id, dup->line);
		return;
	}
	ok = read_person_teams(c, &p, opex_kb_yaml_get(map, "teams"), what);
	if (!ok) {
		person_clear(&p);
		return;
	}
	p.id = opex_strdup(id);
	p.name = trimmed_dup(name);
	p.email = opex_strdup(email);
	p.line = map->line;
	opex_array_grow((void **)&r->people, &c->person_cap,
		r->person_count + 1, sizeof(*r->people));
	r->people[r->person_count++] = p;
}

static const opex_kb_yaml_node *section(ctx *c, const opex_kb_yaml_node *doc,
	const char *key)
{
	const opex_kb_yaml_node *v = opex_kb_yaml_get(doc, key);

	if (v == NULL)
		return NULL;
	if (v->type == OPEX_KB_YAML_SCALAR && v->plain && (v->len == 0 ||
			strcmp(v->value, "~") == 0 || strcmp(v->value, "null") == 0))
		return NULL;
	if (v->type != OPEX_KB_YAML_SEQUENCE) {
		diag(c, OPEX_SEVERITY_ERROR, RULE_INVALID, v,
			"'%s' must be a list", key);
		return NULL;
	}
	return v;
}

/* Every article names its owner: at 100,000 of them a scan of the
 * roster per lookup was a tenth of loading the handbook. */
static int person_id_cmp(const void *x, const void *y)
{
	const opex_kb_person *a = *(const opex_kb_person *const *)x;
	const opex_kb_person *b = *(const opex_kb_person *const *)y;

	return strcmp(a->id, b->id);
}

static void index_people(opex_kb_roster *r)
{
	size_t i;

	if (r->person_count == 0)
		return;
	r->by_id = opex_calloc(r->person_count, sizeof(*r->by_id));
	for (i = 0; i < r->person_count; i++)
		r->by_id[i] = &r->people[i];
	qsort(r->by_id, r->person_count, sizeof(*r->by_id), person_id_cmp);
}

void opex_kb_roster_parse(opex_kb_roster *out, const char *path,
	const char *text, size_t len, opex_diag_list *diags)
{
	opex_error e = OPEX_ERROR_INIT;
	opex_kb_yaml_node *doc = NULL;
	const opex_kb_yaml_node *people, *teams;
	ctx c;
	unsigned line = 0;
	size_t i;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	c.path = path ? path : "";
	c.diags = diags;
	c.roster = out;
	if (text == NULL)
		goto done;
	if (opex_kb_yaml_parse(&doc, &line, text, len, 1, &e) < 0) {
		opex_diag_add(diags, OPEX_SEVERITY_ERROR, RULE_INVALID, c.path,
			line, 0, "%s", opex_kb_yaml_error_text(&e));
		goto done;
	}
	if (doc == NULL)
		goto done;
	if (doc->type != OPEX_KB_YAML_MAPPING) {
		diag(&c, OPEX_SEVERITY_ERROR, RULE_INVALID, doc,
			"the roster must be a mapping with 'people' and 'teams'");
		goto done;
	}
	unknown_keys(&c, doc, top_keys, COUNT(top_keys), "the roster");
	teams = section(&c, doc, "teams");
	people = section(&c, doc, "people");
	for (i = 0; teams && i < teams->count; i++)
		read_team(&c, teams->items[i], i);
	for (i = 0; people && i < people->count; i++)
		read_person(&c, people->items[i], i);

done:
	opex_kb_yaml_free(doc);
	index_people(out);
}

void opex_kb_roster_release(opex_kb_roster *roster)
{
	size_t i;

	for (i = 0; i < roster->person_count; i++)
		person_clear(&roster->people[i]);
	opex_free(roster->people);
	for (i = 0; i < roster->team_count; i++)
		team_clear(&roster->teams[i]);
	opex_free(roster->teams);
	opex_free(roster->by_id);
	memset(roster, 0, sizeof(*roster));
}

const opex_kb_person *opex_kb_roster_person(const opex_kb_roster *roster,
	const char *id)
{
	size_t i, lo = 0, hi = roster->person_count;

	if (id == NULL)
		return NULL;
	while (roster->by_id != NULL && lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const opex_kb_person *p = roster->by_id[mid];
		int c = strcmp(p->id, id);

		if (c == 0)
			return p;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (roster->by_id != NULL)
		return NULL;
	for (i = 0; i < roster->person_count; i++)
		if (strcmp(roster->people[i].id, id) == 0)
			return &roster->people[i];
	return NULL;
}

const opex_kb_person *opex_kb_roster_person_by_email(
	const opex_kb_roster *roster, const char *email)
{
	size_t i;

	if (email == NULL)
		return NULL;
	for (i = 0; i < roster->person_count; i++)
		if (opex_strcasecmp(roster->people[i].email, email) == 0)
			return &roster->people[i];
	return NULL;
}

const opex_kb_team *opex_kb_roster_team(const opex_kb_roster *roster,
	const char *id)
{
	size_t i;

	if (id == NULL)
		return NULL;
	for (i = 0; i < roster->team_count; i++)
		if (strcmp(roster->teams[i].id, id) == 0)
			return &roster->teams[i];
	return NULL;
}

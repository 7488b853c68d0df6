/*
 * settings.c: opex.yaml, the handbook's settings, and BCP 47 tags.
 *
 *   languages: [en, fr, id]   BCP 47 tags; empty or absent: any valid tag
 *   markets: [uk, fr, id]     free-form market ids
 *   review_every: 180d        default review interval (core/time.h durations)
 *   journeys: [cards, ...]    the customer journeys routing must cover
 *   market_languages:         the languages each market is served in
 *     fr: [fr, en]
 *   routing_min_people: 2     routing-thin: fewer people for a language
 *   capacity_hours_per_fte_week: 30
 *                             productive hours of one FTE in a week, for
 *                             the capacity-covered launch check (default 30)
 *   reply_placeholders: [order.id]
 *                             placeholders replies may use besides opex's
 *                             own (customer.*, case.*, agent.*)
 *   kpi: ...                  helpdesk export mapping, read by kpi/mapping.c
 *
 * Every problem is a `settings-invalid` diagnostic with its line (unknown
 * keys are warnings); a bad value leaves that setting at its default.
 */
#include "kb/kb_int.h"
#include "core/memory.h"
#include "core/str.h"
#include "core/text.h"
#include "core/time.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

#define RULE "settings-invalid"
#define QUOTE_MAX 64
#define DEFAULT_REVIEW (180 * OPEX_DAY_SECONDS)

/* "lint" holds rule severities, read by process-maps/lint_config.c. */
static const char *const known_keys[] = { "languages", "markets",
	"review_every", "lint", "journeys", "market_languages",
	"routing_min_people", "kpi", "capacity_hours_per_fte_week",
	"reply_placeholders" };

/* Bytes of `s` to quote in a message. */
static int quote_len(const char *s)
{
	return (int)opex_text_clip(s, QUOTE_MAX);
}

/* --- BCP 47 (RFC 5646, section 2.1) well-formedness -------------------- */

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool all_alpha(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_alpha(s[i]))
			return false;
	return true;
}

static bool all_digit(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return false;
	return true;
}

static bool all_alnum(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_alpha(s[i]) && !is_digit(s[i]))
			return false;
	return true;
}

#define MAX_SUBTAGS 64

/*
 *   langtag   = language ["-" script] ["-" region] *("-" variant)
 *               *("-" extension) ["-" privateuse]
 *   language  = 2*3ALPHA *3("-" 3ALPHA)   ; with up to 3 extlangs
 *               (RFC 5646 also has 4ALPHA and 5*8ALPHA, for registration
 *               only; none is registered, and refusing them catches
 *               "english")
 *   script    = 4ALPHA
 *   region    = 2ALPHA / 3DIGIT
 *   variant   = 5*8alphanum / (DIGIT 3alphanum)
 *   extension = singleton 1*("-" 2*8alphanum)   ; singleton not x
 *   privateuse = "x" 1*("-" 1*8alphanum)
 * A tag may also be privateuse alone ("x-klingon"). Case does not matter.
 */
bool opex_kb_language_valid(const char *tag)
{
	opex_str sub[MAX_SUBTAGS];
	size_t n = 0, i = 0, ext;
	const char *p = tag, *start;

	if (tag == NULL || *tag == '\0')
		return false;
	for (;;) {
		start = p;
		while (*p && *p != '-')
			p++;
		if (p == start || (size_t)(p - start) > 8 || n == MAX_SUBTAGS)
			return false;
		sub[n].ptr = start;
		sub[n].len = (size_t)(p - start);
		if (!all_alnum(start, sub[n].len))
			return false;
		n++;
		if (*p == '\0')
			break;
		p++;
	}

	/* privateuse alone */
	if (sub[0].len == 1 && (sub[0].ptr[0] == 'x' || sub[0].ptr[0] == 'X'))
		return n >= 2;

	/* language */
	if (!all_alpha(sub[0].ptr, sub[0].len) || sub[0].len < 2 ||
	    sub[0].len > 3)
		return false;
	i = 1;
	for (ext = 0; ext < 3 && i < n && sub[i].len == 3 &&
		     all_alpha(sub[i].ptr, 3); ext++)
		i++;
	/* script */
	if (i < n && sub[i].len == 4 && all_alpha(sub[i].ptr, 4))
		i++;
	/* region */
	if (i < n && ((sub[i].len == 2 && all_alpha(sub[i].ptr, 2)) ||
		      (sub[i].len == 3 && all_digit(sub[i].ptr, 3))))
		i++;
	/* variants */
	while (i < n && (sub[i].len >= 5 ||
			 (sub[i].len == 4 && is_digit(sub[i].ptr[0]))))
		i++;
	/* extensions */
	while (i < n && sub[i].len == 1 && sub[i].ptr[0] != 'x' &&
	       sub[i].ptr[0] != 'X') {
		size_t first = ++i;

		while (i < n && sub[i].len >= 2)
			i++;
		if (i == first)
			return false;
	}
	if (i == n)
		return true;
	/* privateuse: "x" and at least one more subtag */
	return sub[i].len == 1 && (sub[i].ptr[0] == 'x' || sub[i].ptr[0] == 'X') &&
	       n - i >= 2;
}

/* --- opex.yaml --------------------------------------------------------- */

void opex_kb_settings_init(opex_kb_settings *settings)
{
	memset(settings, 0, sizeof(*settings));
	settings->review_every = DEFAULT_REVIEW;
	settings->routing_min_people = 2;
	settings->capacity_hours_per_fte_week = 30;
}

static void free_pairs(opex_kb_settings *settings)
{
	size_t i;

	for (i = 0; i < settings->market_language_count; i++) {
		opex_free(settings->market_languages[i].market);
		opex_free(settings->market_languages[i].language);
	}
	opex_free(settings->market_languages);
}

void opex_kb_settings_release(opex_kb_settings *settings)
{
	opex_strings_free(settings->languages, settings->language_count);
	opex_strings_free(settings->markets, settings->market_count);
	opex_strings_free(settings->journeys, settings->journey_count);
	opex_strings_free(settings->reply_placeholders,
		settings->reply_placeholder_count);
	free_pairs(settings);
	opex_kb_settings_init(settings);
}

static bool is_null(const opex_kb_yaml_node *v)
{
	return v->type == OPEX_KB_YAML_SCALAR && v->plain &&
	       (v->len == 0 || strcmp(v->value, "~") == 0 ||
		strcmp(v->value, "null") == 0);
}

/*
 * Read a list of strings (a single string is a list of one). Items that
 * `check` refuses are reported and skipped.
 */
static void read_list(char ***items, size_t *count, const char *path,
	const char *key, const opex_kb_yaml_node *v, bool languages,
	opex_diag_list *diags)
{
	const opex_kb_yaml_node *const *src;
	const opex_kb_yaml_node *one[1];
	size_t i, n, kept = 0;
	char **list;

	opex_strings_free(*items, *count);
	*items = NULL;
	*count = 0;
	if (is_null(v))
		return;
	if (v->type == OPEX_KB_YAML_MAPPING) {
		opex_diag_add(diags, OPEX_SEVERITY_ERROR, RULE, path, v->line,
			v->col, "'%s' must be a list, not a mapping", key);
		return;
	}
	if (v->type == OPEX_KB_YAML_SCALAR) {
		one[0] = v;
		src = one;
		n = 1;
	} else {
		src = (const opex_kb_yaml_node *const *)v->items;
		n = v->count;
	}
	list = opex_calloc(n ? n : 1, sizeof(*list));
	for (i = 0; i < n; i++) {
		const opex_kb_yaml_node *item = src[i];
		opex_str s;

		if (item->type != OPEX_KB_YAML_SCALAR) {
			opex_diag_add(diags, OPEX_SEVERITY_ERROR, RULE, path,
				item->line, item->col,
				"'%s' must be a list of strings", key);
			continue;
		}
		s = opex_str_trim(opex_str_from(item->value));
		if (s.len == 0 || is_null(item)) {
			opex_diag_add(diags, OPEX_SEVERITY_ERROR, RULE, path,
				item->line, item->col, "'%s' has an empty item",
				key);
			continue;
		}
		if (languages && !opex_kb_language_valid(item->value)) {
			opex_diag_add(diags, OPEX_SEVERITY_ERROR, RULE, path,
				item->line, item->col,
				"language '%.*s' is not a BCP 47 tag (e.g. en, fr, pt-BR)",
				quote_len(item->value), item->value);
			continue;
		}
		list[kept++] = opex_strndup(s.ptr, s.len);
	}
	if (kept == 0) {
		opex_free(list);
		return;
	}
	*items = list;
	*count = kept;
}

static void read_review(opex_kb_settings *settings, const char *path,
	const opex_kb_yaml_node *v, opex_diag_list *diags)
{
	opex_error e = OPEX_ERROR_INIT;
	int64_t seconds = 0;

	if (is_null(v))
		return;
	if (v->type != OPEX_KB_YAML_SCALAR) {
		opex_diag_add(diags, OPEX_SEVERITY_ERROR, RULE, path, v->line,
			v->col, "'review_every' must be a duration such as 180d");
		return;
	}
	if (opex_time_parse_duration(&seconds, v->value, &e) < 0) {
		opex_diag_add(diags, OPEX_SEVERITY_ERROR, RULE, path, v->line,
			v->col, "'review_every': %s", e.message);
		return;
	}
	settings->review_every = seconds;
}

static void read_market_languages(opex_kb_settings *settings,
	const char *path, const opex_kb_yaml_node *v, opex_diag_list *diags)
{
	size_t i, j, cap = 0;

	free_pairs(settings);
	settings->market_languages = NULL;
	settings->market_language_count = 0;
	if (is_null(v))
		return;
	if (v->type != OPEX_KB_YAML_MAPPING) {
		opex_diag_add(diags, OPEX_SEVERITY_ERROR, RULE, path, v->line,
			v->col, "'market_languages' must map each market to its languages");
		return;
	}
	for (i = 0; i < v->count; i++) {
		char **langs = NULL;
		size_t n = 0;

		read_list(&langs, &n, path, v->keys[i]->value, v->items[i], true,
			diags);
		for (j = 0; j < n; j++) {
			struct opex_kb_market_language *p;

			opex_array_grow((void **)&settings->market_languages, &cap,
				settings->market_language_count + 1,
				sizeof(*settings->market_languages));
			p = &settings->market_languages[settings->market_language_count++];
			p->market = opex_strdup(v->keys[i]->value);
			p->language = langs[j];
			p->line = v->keys[i]->line;
		}
		opex_free(langs);
	}
}

static void read_min_people(opex_kb_settings *settings, const char *path,
	const opex_kb_yaml_node *v, opex_diag_list *diags)
{
	char *end = NULL;
	long n = v->type == OPEX_KB_YAML_SCALAR ? strtol(v->value, &end, 10) : -1;

	if (is_null(v))
		return;
	if (v->type != OPEX_KB_YAML_SCALAR || end == v->value || *end ||
	    n < 0 || n > 100000) {
		opex_diag_add(diags, OPEX_SEVERITY_ERROR, RULE, path, v->line,
			v->col, "'routing_min_people' must be a whole number of people");
		return;
	}
	settings->routing_min_people = (unsigned)n;
}

static void read_hours(opex_kb_settings *settings, const char *path,
	const opex_kb_yaml_node *v, opex_diag_list *diags)
{
	char *end = NULL;
	double h = v->type == OPEX_KB_YAML_SCALAR ? strtod(v->value, &end) : -1;

	if (is_null(v))
		return;
	if (v->type != OPEX_KB_YAML_SCALAR || end == v->value || *end ||
	    !(h > 0 && h <= 168)) {
		opex_diag_add(diags, OPEX_SEVERITY_ERROR, RULE, path, v->line,
			v->col, "'capacity_hours_per_fte_week' must be a number of hours above 0 and at most 168");
		return;
	}
	settings->capacity_hours_per_fte_week = h;
}

void opex_kb_settings_parse(opex_kb_settings *settings, const char *path,
	const char *text, size_t len, opex_diag_list *diags)
{
	opex_error e = OPEX_ERROR_INIT;
	opex_kb_yaml_node *doc = NULL;
	unsigned line = 0;
	size_t i;

	if (path == NULL)
		path = "";
	if (text == NULL)
		goto done;
	if (opex_kb_yaml_parse(&doc, &line, text, len, 1, &e) < 0) {
		opex_diag_add(diags, OPEX_SEVERITY_ERROR, RULE, path, line, 0,
			"%s", opex_kb_yaml_error_text(&e));
		goto done;
	}
	if (doc == NULL)
		goto done;
	if (doc->type != OPEX_KB_YAML_MAPPING) {
		opex_diag_add(diags, OPEX_SEVERITY_ERROR, RULE, path, doc->line,
			doc->col,
			"settings must be a mapping (languages, markets, review_every)");
		goto done;
	}
	for (i = 0; i < doc->count; i++) {
		const opex_kb_yaml_node *key = doc->keys[i], *v = doc->items[i];
		const char *near;

		if (strcmp(key->value, "languages") == 0) {
			read_list(&settings->languages,
				&settings->language_count, path, key->value, v,
				true, diags);
		} else if (strcmp(key->value, "markets") == 0) {
			read_list(&settings->markets, &settings->market_count,
				path, key->value, v, false, diags);
		} else if (strcmp(key->value, "journeys") == 0) {
			read_list(&settings->journeys, &settings->journey_count,
				path, key->value, v, false, diags);
		} else if (strcmp(key->value, "reply_placeholders") == 0) {
			read_list(&settings->reply_placeholders,
				&settings->reply_placeholder_count, path,
				key->value, v, false, diags);
		} else if (strcmp(key->value, "market_languages") == 0) {
			read_market_languages(settings, path, v, diags);
		} else if (strcmp(key->value, "routing_min_people") == 0) {
			read_min_people(settings, path, v, diags);
		} else if (strcmp(key->value, "capacity_hours_per_fte_week") == 0) {
			read_hours(settings, path, v, diags);
		} else if (strcmp(key->value, "review_every") == 0) {
			read_review(settings, path, v, diags);
		} else if (strcmp(key->value, "lint") == 0 ||
			   strcmp(key->value, "kpi") == 0) {
			continue; /* checked where it is read (kpi: kpi/mapping.c) */
		} else {
			near = opex_text_closest(key->value, key->len,
				known_keys,
				sizeof(known_keys) / sizeof(known_keys[0]), 2);
			if (near)
				opex_diag_add(diags, OPEX_SEVERITY_WARNING, RULE,
					path, key->line, key->col,
					"unknown setting '%.*s' (did you mean '%s'?)",
					quote_len(key->value), key->value, near);
			else
				opex_diag_add(diags, OPEX_SEVERITY_WARNING, RULE,
					path, key->line, key->col,
					"unknown setting '%.*s'",
					quote_len(key->value), key->value);
		}
	}

done:
	opex_kb_yaml_free(doc);
}

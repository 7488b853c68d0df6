/*
 * query.c: the search query language, parsed into a query tree and
 * translated into an FTS5 MATCH expression. The user's text never reaches
 * FTS5 as written: every term becomes an FTS5 string ("..." with '"'
 * doubled), so no input can make an FTS5 syntax error.
 *
 * Grammar (whitespace separates items; OR is the only operator word):
 *
 *   query    := item*                        items are AND-ed
 *   item     := filter | '-' filter | '-' term | term ( 'OR' term )*
 *   term     := word | word '*' | '"' phrase '"' | '"' phrase '"' '*'
 *   filter   := key ':' value | key ':' '"' value '"'
 *   key      := lang | language | journey | market | owner | tag | is | type
 *
 *   construct          reading                           FTS5 / SQL
 *   -----------------  --------------------------------  --------------------------
 *   refund card        both words (any order)            "refund" AND "card"
 *   "lost card"        the words next to each other      "lost card"
 *   refu*              a word starting with "refu"       "refu" *
 *   -fee               articles without "fee"            ... NOT "fee"
 *   fee OR charge      either word                       ("fee" OR "charge")
 *   E-4012, 3DS2       as typed: "E-4012" is the phrase  "E-4012"
 *                      e 4012, 3DS2 one token
 *   straße / strasse   either spelling (ß = ss)          ("straße" OR "strasse")
 *   退款               CJK: a phrase of its characters   "退<U+200B>款"
 *   lang:fr            language fr or fr-*               doc.language (indexed table)
 *   journey:, owner:   equal, ASCII case-insensitive     doc.journey / doc.owner
 *   market:, tag:      the article lists it              doc_market / doc_tag
 *   is:stale           not verified within review_every  doc.stale_after < now
 *   type:reply         quick texts only (type:article:   doc.path under replies/
 *                      articles only)                    (articles/)
 *   -lang:fr ...       a filter negated                  NOT (...)
 *
 * Filters of one key are OR-ed (lang:fr lang:de), different keys AND-ed.
 *
 * Odd input gets a reading and a warning, never an error:
 *
 *   input                  reading
 *   ---------------------  -----------------------------------------------
 *   "unclosed phrase       a phrase to the end of the query
 *   - (alone), --, -"      nothing
 *   lang: (no value)       nothing (the filter is ignored)
 *   is:fresh               nothing (only is:stale is known)
 *   type:video             nothing (only article and reply are known)
 *   OR at an end, OR OR,   the OR is ignored; an excluded term cannot be
 *   OR next to -x or a     part of an OR
 *   filter
 *   &&, ***, —             no letters or digits: ignored
 *   unknown:key            a term: the phrase "unknown key"
 *   lowercase or/and/not   words
 *
 * Errors: more than OPEX_LIMIT_QUERY_BYTES bytes, OPEX_LIMIT_QUERY_TERMS
 * terms or OPEX_LIMIT_QUERY_FILTERS filters (OPEX_ETOOBIG); invalid UTF-8,
 * a NUL byte, or nothing to search for (OPEX_EINVALID).
 */
#include "search/search_int.h"
#include "core/buf.h"
#include "core/limits.h"
#include "core/memory.h"
#include "core/str.h"
#include "core/text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/banned.h"

/* ---------------------------------------------------------------------
 * Parsing
 * ------------------------------------------------------------------- */

static void warn(opex_search_query *q, const char *fmt, ...) OPEX_PRINTF(2, 3);

static void warn(opex_search_query *q, const char *fmt, ...)
{
	opex_buf msg = OPEX_BUF_INIT(OPEX_LIMIT_LINE_BYTES);
	va_list ap;

	if (q->warning_count >= OPEX_LIMIT_QUERY_TERMS)
		return;
	va_start(ap, fmt);
	opex_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	opex_array_grow((void **)&q->warnings, &q->warning_cap,
		q->warning_count + 1, sizeof(*q->warnings));
	q->warnings[q->warning_count++] = opex_buf_detach(&msg, NULL);
}

/* A token of the query as typed. */
typedef enum tok_kind { TOK_TERM, TOK_OR, TOK_FILTER, TOK_NONE } tok_kind;

typedef struct token {
	tok_kind kind;
	bool negated, phrase, prefix;
	opex_search_qfilter_kind filter;
	char *text;               /* term text or filter value */
} token;

static const struct {
	const char *name;
	opex_search_qfilter_kind kind;
} filter_keys[] = {
	{ "lang", OPEX_SEARCH_QFILTER_LANG },
	{ "language", OPEX_SEARCH_QFILTER_LANG },
	{ "journey", OPEX_SEARCH_QFILTER_JOURNEY },
	{ "market", OPEX_SEARCH_QFILTER_MARKET },
	{ "owner", OPEX_SEARCH_QFILTER_OWNER },
	{ "tag", OPEX_SEARCH_QFILTER_TAG },
	{ "is", OPEX_SEARCH_QFILTER_STALE },
	{ "type", OPEX_SEARCH_QFILTER_TYPE },
};

static bool find_key(opex_search_qfilter_kind *out, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(filter_keys) / sizeof(filter_keys[0]); i++) {
		const char *k = filter_keys[i].name;
		size_t j;

		if (strlen(k) != n)
			continue;
		for (j = 0; j < n; j++)
			if ((s[j] | 0x20) != k[j])
				break;
		if (j == n) {
			*out = filter_keys[i].kind;
			return true;
		}
	}
	return false;
}

static char *lower_dup(const char *s, size_t n)
{
	char *r = opex_strndup(s, n);
	size_t i;

	for (i = 0; i < n; i++)
		if (r[i] >= 'A' && r[i] <= 'Z')
			r[i] = (char)(r[i] | 0x20);
	return r;
}

/* Length of at most `max` bytes of s[0..len) that does not split UTF-8. */
static size_t clip(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return max;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

/* Read a quoted phrase starting at s[*i] == '"'; sets *closed. */
static void read_phrase(opex_str *out, bool *closed, const char *s, size_t len,
	size_t *i)
{
	size_t start = *i + 1, j = start;

	while (j < len && s[j] != '"')
		j++;
	out->ptr = s + start;
	out->len = j - start;
	*closed = j < len;
	*i = *closed ? j + 1 : len;
}

/*
 * Read the next token at s[*i] (after whitespace). Returns false at the end.
 * A token that reads as nothing has kind TOK_NONE.
 */
static bool next_token(token *t, opex_search_query *q, const char *s, size_t len,
	size_t *i)
{
	opex_str word;
	bool closed = true;
	size_t start, colon;

	memset(t, 0, sizeof(*t));
	t->kind = TOK_NONE;
	while (*i < len && is_space(s[*i]))
		(*i)++;
	if (*i >= len)
		return false;
	if (s[*i] == '-' && *i + 1 < len && !is_space(s[*i + 1])) {
		t->negated = true;
		(*i)++;
	} else if (s[*i] == '-' && (*i + 1 >= len || is_space(s[*i + 1]))) {
		warn(q, "a lone '-' excludes nothing: ignored");
		(*i)++;
		return true;
	}
	if (s[*i] == '"') {
		read_phrase(&word, &closed, s, len, i);
		if (!closed)
			warn(q, "unclosed quote: read as a phrase to the end");
		t->phrase = true;
		goto term;
	}
	start = *i;
	while (*i < len && !is_space(s[*i]) && s[*i] != '"')
		(*i)++;
	word.ptr = s + start;
	word.len = *i - start;
	if (!t->negated && word.len == 2 && memcmp(word.ptr, "OR", 2) == 0) {
		t->kind = TOK_OR;
		return true;
	}
	colon = 0;
	while (colon < word.len && word.ptr[colon] != ':')
		colon++;
	if (colon < word.len && find_key(&t->filter, word.ptr, colon)) {
		opex_str value = { word.ptr + colon + 1, word.len - colon - 1 };

		if (value.len == 0 && *i < len && s[*i] == '"') {
			read_phrase(&value, &closed, s, len, i);
			if (!closed)
				warn(q, "unclosed quote: read as a value to the end");
			value = opex_str_trim(value);
		}
		if (value.len == 0) {
			warn(q, "'%.*s:' has no value: ignored", (int)colon,
				word.ptr);
			return true;
		}
		t->kind = TOK_FILTER;
		t->text = lower_dup(value.ptr, value.len);
		if (t->filter == OPEX_SEARCH_QFILTER_STALE) {
			if (strcmp(t->text, "stale") != 0) {
				warn(q, "unknown state 'is:%.*s' (known: is:stale): ignored",
					(int)opex_text_clip(t->text, 64), t->text);
				opex_free(t->text);
				t->text = NULL;
				t->kind = TOK_NONE;
				return true;
			}
			opex_free(t->text);
			t->text = NULL;
		}
		if (t->filter == OPEX_SEARCH_QFILTER_TYPE &&
		    strcmp(t->text, "article") != 0 &&
		    strcmp(t->text, "reply") != 0) {
			warn(q, "unknown type 'type:%.*s' (known: type:article, type:reply): ignored",
				(int)opex_text_clip(t->text, 64), t->text);
			opex_free(t->text);
			t->text = NULL;
			t->kind = TOK_NONE;
		}
		return true;
	}
	while (word.len > 0 && word.ptr[word.len - 1] == '*') {
		t->prefix = true;
		word.len--;
	}
term:
	if (t->phrase && *i < len && s[*i] == '*') {
		t->prefix = true;
		while (*i < len && s[*i] == '*')
			(*i)++;
	}
	if (!opex_search_text_has_tokens(word.ptr, word.len)) {
		if (word.len > 0)
			warn(q, "'%.*s' has no letters or digits: ignored",
				(int)clip(word.ptr, word.len, 64), word.ptr);
		else if (t->negated && closed)
			warn(q, "an empty exclusion excludes nothing: ignored");
		return true;
	}
	t->kind = TOK_TERM;
	t->text = opex_strndup(word.ptr, word.len);
	return true;
}

static opex_search_qclause *add_clause(opex_search_query *q, bool negated)
{
	opex_search_qclause *c;

	opex_array_grow((void **)&q->clauses, &q->clause_cap,
		q->clause_count + 1, sizeof(*q->clauses));
	c = &q->clauses[q->clause_count++];
	memset(c, 0, sizeof(*c));
	c->negated = negated;
	return c;
}

/* Add a term to `c`, taking its text. */
static void add_term(opex_search_qclause *c, token *t)
{
	opex_search_qterm *term;

	c->terms = opex_realloc(c->terms, (c->count + 1) * sizeof(*c->terms));
	term = &c->terms[c->count++];
	term->text = t->text;
	term->phrase = t->phrase;
	term->prefix = t->prefix;
	t->text = NULL;
}

int opex_search_query_parse(opex_search_query **out, const char *text, size_t len,
	opex_error *err)
{
	opex_search_query *q = opex_calloc(1, sizeof(*q));
	token t, prev;
	size_t i = 0, terms = 0;
	bool pending_or = false;
	int error = 0;

	*out = NULL;
	memset(&t, 0, sizeof(t));
	memset(&prev, 0, sizeof(prev));
	prev.kind = TOK_NONE;
	if (text == NULL)
		len = 0;
	if (len > OPEX_LIMIT_QUERY_BYTES) {
		error = opex_error_set(err, OPEX_ETOOBIG,
			"query is longer than %u bytes", OPEX_LIMIT_QUERY_BYTES);
		goto done;
	}
	if (len > 0 && (opex_text_has_nul(text, len) ||
			!opex_utf8_valid(text, len, NULL))) {
		error = opex_error_set(err, OPEX_EINVALID,
			"query is not valid UTF-8 text");
		goto done;
	}
	while (next_token(&t, q, text, len, &i)) {
		if (t.kind == TOK_OR) {
			if (pending_or || prev.kind != TOK_TERM || prev.negated)
				warn(q, "'OR' needs a word on each side: ignored");
			else
				pending_or = true;
			continue;
		}
		if (t.kind == TOK_NONE) {
			continue;
		}
		if (t.kind == TOK_FILTER) {
			opex_search_qfilter *f;

			if (pending_or)
				warn(q, "'OR' needs a word on each side: ignored");
			pending_or = false;
			if (q->filter_count >= OPEX_LIMIT_QUERY_FILTERS) {
				opex_free(t.text);
				error = opex_error_set(err, OPEX_ETOOBIG,
					"query has more than %u filters",
					OPEX_LIMIT_QUERY_FILTERS);
				goto done;
			}
			opex_array_grow((void **)&q->filters, &q->filter_cap,
				q->filter_count + 1, sizeof(*q->filters));
			f = &q->filters[q->filter_count++];
			f->kind = t.filter;
			f->value = t.text;
			f->negated = t.negated;
			prev = t;
			prev.text = NULL;
			continue;
		}
		if (++terms > OPEX_LIMIT_QUERY_TERMS) {
			opex_free(t.text);
			error = opex_error_set(err, OPEX_ETOOBIG,
				"query has more than %u terms", OPEX_LIMIT_QUERY_TERMS);
			goto done;
		}
		if (pending_or && t.negated)
			warn(q, "'OR' needs a word on each side: ignored");
		if (pending_or && !t.negated) {
			add_term(&q->clauses[q->clause_count - 1], &t);
		} else {
			add_term(add_clause(q, t.negated), &t);
		}
		pending_or = false;
		prev = t;
	}
	if (pending_or)
		warn(q, "'OR' needs a word on each side: ignored");
	if (q->clause_count == 0 && q->filter_count == 0) {
		error = opex_error_set(err, OPEX_EINVALID,
			"nothing to search for: give words, \"phrases\" or filters");
		goto done;
	}
	*out = q;
	q = NULL;
done:
	opex_search_query_free(q);
	return error;
}

void opex_search_query_free(opex_search_query *q)
{
	size_t i, j;

	if (q == NULL)
		return;
	for (i = 0; i < q->clause_count; i++) {
		for (j = 0; j < q->clauses[i].count; j++)
			opex_free(q->clauses[i].terms[j].text);
		opex_free(q->clauses[i].terms);
	}
	opex_free(q->clauses);
	for (i = 0; i < q->filter_count; i++)
		opex_free(q->filters[i].value);
	opex_free(q->filters);
	for (i = 0; i < q->warning_count; i++)
		opex_free(q->warnings[i]);
	opex_free(q->warnings);
	opex_free(q);
}

size_t opex_search_query_warning_count(const opex_search_query *q)
{
	return q->warning_count;
}

const char *opex_search_query_warning(const opex_search_query *q, size_t i)
{
	return i < q->warning_count ? q->warnings[i] : NULL;
}

bool opex_search_query_has_positive(const opex_search_query *q)
{
	size_t i;

	for (i = 0; i < q->clause_count; i++)
		if (!q->clauses[i].negated)
			return true;
	return false;
}

/* ---------------------------------------------------------------------
 * Translation to FTS5
 * ------------------------------------------------------------------- */

/* Append `s` as an FTS5 string: quoted, '"' doubled, CJK split. */
static void fts_string(opex_buf *out, const char *s, size_t len, bool prefix)
{
	opex_buf split = OPEX_BUF_INIT(4 * OPEX_LIMIT_QUERY_BYTES);
	size_t i;

	opex_search_text_cjk_split(&split, s, len);
	opex_buf_putc(out, '"');
	for (i = 0; i < split.len; i++) {
		if (split.ptr[i] == '"')
			opex_buf_putc(out, '"');
		opex_buf_putc(out, split.ptr[i]);
	}
	opex_buf_putc(out, '"');
	if (prefix)
		opex_buf_puts(out, " *");
	opex_buf_release(&split);
}

/*
 * The German sharp s: unicode61 keeps "ß" as is, so "strasse" and
 * "straße" are different tokens. A term with either spelling matches both.
 */
static bool sharp_s_variant(opex_buf *out, const char *s)
{
	const char *p;

	if (strstr(s, "\xC3\x9F") != NULL) {          /* ß -> ss */
		for (p = s; *p; p++) {
			if (p[0] == '\xC3' && p[1] == '\x9F') {
				opex_buf_puts(out, "ss");
				p++;
			} else {
				opex_buf_putc(out, *p);
			}
		}
		return true;
	}
	if (strstr(s, "ss") != NULL || strstr(s, "SS") != NULL) {
		for (p = s; *p; p++) {
			if ((p[0] == 's' && p[1] == 's') ||
			    (p[0] == 'S' && p[1] == 'S')) {
				opex_buf_puts(out, "\xC3\x9F");
				p++;
			} else {
				opex_buf_putc(out, *p);
			}
		}
		return true;
	}
	return false;
}

static void fts_term(opex_buf *out, const opex_search_qterm *term)
{
	opex_buf alt = OPEX_BUF_INIT(2 * OPEX_LIMIT_QUERY_BYTES);

	if (sharp_s_variant(&alt, term->text) && !alt.failed) {
		opex_buf_putc(out, '(');
		fts_string(out, term->text, strlen(term->text), term->prefix);
		opex_buf_puts(out, " OR ");
		fts_string(out, alt.ptr, alt.len, term->prefix);
		opex_buf_putc(out, ')');
	} else {
		fts_string(out, term->text, strlen(term->text), term->prefix);
	}
	opex_buf_release(&alt);
}

static void fts_clause(opex_buf *out, const opex_search_qclause *c)
{
	size_t j;

	if (c->count > 1)
		opex_buf_putc(out, '(');
	for (j = 0; j < c->count; j++) {
		if (j > 0)
			opex_buf_puts(out, " OR ");
		fts_term(out, &c->terms[j]);
	}
	if (c->count > 1)
		opex_buf_putc(out, ')');
}

void opex_search_query_match(opex_buf *out, const opex_search_query *q)
{
	size_t i, n = 0;

	for (i = 0; i < q->clause_count; i++) {
		if (q->clauses[i].negated)
			continue;
		if (n++ > 0)
			opex_buf_puts(out, " AND ");
		fts_clause(out, &q->clauses[i]);
	}
	if (n == 0)
		return;
	for (i = 0; i < q->clause_count; i++) {
		if (!q->clauses[i].negated)
			continue;
		opex_buf_puts(out, " NOT ");
		fts_clause(out, &q->clauses[i]);
	}
}

void opex_search_query_match_excluded(opex_buf *out, const opex_search_query *q)
{
	size_t i, n = 0;

	for (i = 0; i < q->clause_count; i++) {
		if (!q->clauses[i].negated)
			continue;
		if (n++ > 0)
			opex_buf_puts(out, " OR ");
		fts_clause(out, &q->clauses[i]);
	}
}

/*
 * suggest.c: "did you mean". When nothing matches, each query word that
 * no visible article has is replaced by the closest word of the
 * vocabulary (fts5vocab) that shares its first character, within an edit
 * distance that grows with the word's length; English words are compared
 * by stem and shown in the form an article uses.
 */
#include "search/search_int.h"
#include "core/buf.h"
#include "core/limits.h"
#include "core/memory.h"
#include "core/str.h"
#include "core/text.h"
#include "core/time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

#define SUGGEST_SCAN_MAX 20000 /* vocabulary rows per table per word */

/* ----- "did you mean" ------------------------------------------------- */

static bool term_matches(search_ctx *s, const char *term, opex_error *err,
	int *error)
{
	opex_buf m = OPEX_BUF_INIT(4 * OPEX_LIMIT_QUERY_BYTES);
	opex_buf sql = OPEX_BUF_INIT(OPEX_LIMIT_LINE_BYTES);
	sqlite3_stmt *st = NULL;
	bool found = false;
	size_t i;

	opex_buf_putc(&m, '"');
	for (i = 0; term[i]; i++) {
		if (term[i] == '"')
			opex_buf_putc(&m, '"');
		opex_buf_putc(&m, term[i]);
	}
	opex_buf_putc(&m, '"');
	if (s->audience.len == 0) {
		*error = opex_search_db_prepare(&st, s->ix, "SELECT 1 FROM fts WHERE fts MATCH ?1"
			" UNION ALL SELECT 1 FROM fts_en WHERE fts_en MATCH ?1 LIMIT 1",
			err);
	} else {
		/* Only what the audience may see: a word of a hidden article is no word. */
		opex_buf_printf(&sql, "SELECT 1 FROM (SELECT rowid AS id FROM fts"
			" WHERE fts MATCH ?1 UNION ALL SELECT rowid FROM fts_en"
			" WHERE fts_en MATCH ?1) h JOIN doc d ON d.id = h.id"
			" WHERE 1%s LIMIT 1", s->audience.ptr);
		*error = sql.failed ? opex_error_set(err, OPEX_ETOOBIG,
			"query is too large") : opex_search_db_prepare(&st, s->ix, sql.ptr, err);
	}
	if (*error == 0) {
		opex_search_db_bind_buf(st, 1, &m);
		for (i = 0; i < s->audience_params.count; i++)
			opex_search_db_bind_text(st, (int)i + 4, s->audience_params.text[i]);
		found = sqlite3_step(st) == SQLITE_ROW;
	}
	opex_search_db_finish(s->ix, st);
	opex_buf_release(&sql);
	opex_buf_release(&m);
	return found;
}

/*
 * English articles are indexed by stem ("timelines" as "timelin"): turn a
 * stem back into a word as written, the first match of it in an article.
 */
static char *surface_form(search_ctx *s, const char *stem, const char *typed,
	opex_error *err, int *error)
{
	size_t best_d = 9;
	opex_buf m = OPEX_BUF_INIT(OPEX_LIMIT_LINE_BYTES);
	sqlite3_stmt *st = NULL;
	char *word = NULL;
	const char *h, *a, *b;

	opex_buf_printf(&m, "\"%s\"", stem);
	*error = opex_search_db_prepare(&st, s->ix, "SELECT highlight(fts_en, 0, char(1), char(2))"
		" || highlight(fts_en, 1, char(1), char(2))"
		" || highlight(fts_en, 2, char(1), char(2))"
		" || highlight(fts_en, 4, char(1), char(2))"
		" FROM fts_en WHERE fts_en MATCH ?1 LIMIT 1", err);
	if (*error < 0 || m.failed || strchr(stem, '"'))
		goto done;
	opex_search_db_bind_buf(st, 1, &m);
	if (sqlite3_step(st) != SQLITE_ROW)
		goto done;
	h = (const char *)sqlite3_column_text(st, 0);
	/* Of the forms written, the one closest to what was typed. */
	for (a = h ? strchr(h, MARK_OPEN) : NULL; a != NULL;
	     a = strchr(b, MARK_OPEN)) {
		size_t len, d;

		b = strchr(a, MARK_CLOSE);
		if (b == NULL)
			break;
		len = (size_t)(b - a - 1);
		d = opex_text_edit_distance(typed, strlen(typed), a + 1, len, 8);
		if (len > 0 && d < best_d) {
			opex_free(word);
			word = opex_strndup(a + 1, len);
			opex_ascii_lower(word);
			best_d = d;
		}
	}
done:
	opex_search_db_finish(s->ix, st);
	opex_buf_release(&m);
	return word;
}

/* Length of `s` without a common English suffix (s, es, ed, ing, ly). */
static size_t english_suffix(const char *s, size_t n)
{
	static const char *const suffixes[] = { "ing", "es", "ed", "ly", "s" };
	size_t i;

	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		size_t k = strlen(suffixes[i]);

		if (n > k + 2 && memcmp(s + n - k, suffixes[i], k) == 0)
			return n - k;
	}
	return n;
}

/*
 * The range [lo, hi) of terms starting with the first character of `low`
 * (n > 0 bytes): `lead` bytes of it, the last one plus one in `hi`.
 * Returns false for a first byte that no valid UTF-8 starts with.
 */
static bool first_char_range(char lo[5], char hi[5], const char *low,
	size_t n)
{
	unsigned char c = (unsigned char)low[0];
	size_t lead = c < 0x80 ? 1 : c < 0xC0 ? 0 : c < 0xE0 ? 2 : c < 0xF0 ? 3
		: c < 0xF8 ? 4 : 0;

	if (lead == 0 || lead > n)
		return false;
	memcpy(lo, low, lead);
	lo[lead] = '\0';
	memcpy(hi, lo, lead + 1);
	/* The last byte is ASCII or a continuation byte: +1 cannot wrap. */
	hi[lead - 1] = (char)((unsigned char)hi[lead - 1] + 1);
	return true;
}

/*
 * The closest vocabulary word to `term`, or NULL. Only words with the same
 * first character are compared, and at most SUGGEST_SCAN_MAX of them per
 * table: fts5vocab walks just that range of the index, not all of it.
 */
static char *closest_word(search_ctx *s, const char *term, opex_error *err,
	int *error)
{
	sqlite3_stmt *st = NULL;
	char *low = opex_strdup(term), *best = NULL, lo[5], hi[5];
	size_t n = strlen(low), max = n <= 4 ? 1 : 2, best_d = max + 1;
	sqlite3_int64 best_docs = 0;
	bool best_stemmed = false;
	size_t stripped;
	int rc;

	opex_ascii_lower(low);
	stripped = english_suffix(low, n);
	if (n == 0 || !first_char_range(lo, hi, low, n))
		goto done;
	*error = opex_search_db_prepare(&st, s->ix,
		"SELECT term, doc, 0 FROM (SELECT term, doc FROM fts_vocab"
		" WHERE term >= ?1 AND term < ?2 LIMIT ?3)"
		" UNION ALL SELECT term, doc, 1 FROM (SELECT term, doc FROM fts_en_vocab"
		" WHERE term >= ?1 AND term < ?2 LIMIT ?3)", err);
	if (*error < 0)
		goto done;
	sqlite3_bind_text(st, 1, lo, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, hi, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, SUGGEST_SCAN_MAX);
	for (;;) {
		rc = sqlite3_step(st);
		if (rc != SQLITE_ROW)
			break;
		const char *cand = (const char *)sqlite3_column_text(st, 0);
		size_t clen = (size_t)sqlite3_column_bytes(st, 0), d;
		sqlite3_int64 docs = sqlite3_column_int64(st, 1);

		/* As long as the word typed, give or take `max` bytes. */
		if (cand == NULL || clen < 2 || clen + max < n || clen > n + max)
			continue;
		d = opex_text_edit_distance(low, n, cand, clen, max);
		if (sqlite3_column_int(st, 2) != 0 && stripped < n) {
			/* A stem lost its suffix: compare the term without one too. */
			size_t d2 = opex_text_edit_distance(low, stripped, cand, clen,
				max);

			if (d2 < d)
				d = d2;
		}
		if (d == 0 || d > max)
			continue;
		if (d < best_d || (d == best_d && docs > best_docs)) {
			opex_free(best);
			best = opex_strndup(cand, clen);
			best_d = d;
			best_docs = docs;
			best_stemmed = sqlite3_column_int(st, 2) != 0;
		}
	}
	if (rc != SQLITE_DONE)
		*error = opex_search_db_error(s->ix, err, "search");
	if (*error == 0 && best && best_stemmed) {
		char *word = surface_form(s, best, low, err, error);

		if (word) {
			opex_free(best);
			best = word;
		}
	}
done:
	opex_search_db_finish(s->ix, st);
	opex_free(low);
	return best;
}

static void put_query_term(opex_buf *out, const opex_search_qterm *t,
	const char *text)
{
	if (t->phrase)
		opex_buf_printf(out, "\"%s\"", text);
	else
		opex_buf_puts(out, text);
	if (t->prefix)
		opex_buf_putc(out, '*');
}

int opex_search_suggest(char **out, search_ctx *s, opex_error *err)
{
	static const char *const keys[] = { "lang", "journey", "market", "owner",
		"tag", "is", "type" };
	opex_buf q = OPEX_BUF_INIT(4 * OPEX_LIMIT_QUERY_BYTES);
	size_t i, j, fixed = 0;
	int error = 0;

	*out = NULL;
	for (i = 0; i < s->q->clause_count && error == 0; i++) {
		const opex_search_qclause *c = &s->q->clauses[i];

		if (q.len > 0)
			opex_buf_putc(&q, ' ');
		if (c->negated)
			opex_buf_putc(&q, '-');
		for (j = 0; j < c->count && error == 0; j++) {
			const opex_search_qterm *t = &c->terms[j];
			char *better = NULL;

			if (j > 0)
				opex_buf_puts(&q, " OR ");
			if (!c->negated && !t->phrase && !t->prefix &&
			    !opex_search_text_has_cjk(t->text, strlen(t->text)) &&
			    !term_matches(s, t->text, err, &error) && error == 0)
				better = closest_word(s, t->text, err, &error);
			/* The vocabulary is every article's: keep a word the audience can find. */
			if (better != NULL && error == 0 && s->audience.len > 0 &&
			    !term_matches(s, better, err, &error)) {
				opex_free(better);
				better = NULL;
			}
			put_query_term(&q, t, better ? better : t->text);
			if (better)
				fixed++;
			opex_free(better);
		}
	}
	for (i = 0; i < s->q->filter_count; i++) {
		const opex_search_qfilter *f = &s->q->filters[i];

		opex_buf_printf(&q, "%s%s%s:%s", q.len ? " " : "",
			f->negated ? "-" : "", keys[f->kind],
			f->value ? f->value : "stale");
	}
	if (error == 0 && fixed > 0 && !q.failed)
		*out = opex_buf_detach(&q, NULL);
	opex_buf_release(&q);
	return error;
}

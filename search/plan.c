/*
 * plan.c: the SQL a search runs. The query's filters and the reader's
 * audience become conditions on doc (d) with numbered parameters; ranked
 * hits come from both FTS5 tables (UNION ALL) with their BM25 scores;
 * search.c reads them once for the page, the total and the facets.
 *
 *   parameter   bound to
 *   ?1          the MATCH expression of the query's words
 *   ?2          the MATCH expression of its excluded words
 *   ?3          now (seconds), for is:stale
 *   ?4...       filter and audience values, in the order written
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

/* ---------------------------------------------------------------------
 * Search
 * ------------------------------------------------------------------- */

static void param(opex_buf *sql, sql_params *p, const char *value)
{
	p->text[p->count++] = value;
	opex_buf_printf(sql, "?%zu", p->count + 3);
}

/* Filters: the same key OR-ed, different keys AND-ed. */
void opex_search_sql_filters(opex_buf *sql, sql_params *p, const opex_search_query *q)
{
	opex_search_qfilter_kind kind;
	size_t i;

	for (kind = OPEX_SEARCH_QFILTER_LANG; kind <= OPEX_SEARCH_QFILTER_TYPE; kind++) {
		size_t n = 0;

		for (i = 0; i < q->filter_count; i++) {
			const opex_search_qfilter *f = &q->filters[i];

			if (f->kind != kind)
				continue;
			opex_buf_puts(sql, n++ == 0 ? " AND (" : " OR ");
			if (f->negated)
				opex_buf_puts(sql, "NOT ");
			switch (kind) {
			case OPEX_SEARCH_QFILTER_LANG:
				opex_buf_puts(sql, "(d.language = ");
				param(sql, p, f->value);
				opex_buf_puts(sql, " COLLATE NOCASE OR (d.language >= ");
				param(sql, p, f->value);
				opex_buf_puts(sql, " || '-' COLLATE NOCASE AND d.language < ");
				param(sql, p, f->value);
				opex_buf_puts(sql, " || '.' COLLATE NOCASE))");
				break;
			case OPEX_SEARCH_QFILTER_JOURNEY:
				opex_buf_puts(sql, "coalesce(d.journey = ");
				param(sql, p, f->value);
				opex_buf_puts(sql, " COLLATE NOCASE, 0)");
				break;
			case OPEX_SEARCH_QFILTER_OWNER:
				opex_buf_puts(sql, "coalesce(d.owner = ");
				param(sql, p, f->value);
				opex_buf_puts(sql, " COLLATE NOCASE, 0)");
				break;
			case OPEX_SEARCH_QFILTER_MARKET:
				opex_buf_puts(sql, "EXISTS (SELECT 1 FROM doc_market m"
					" WHERE m.market = ");
				param(sql, p, f->value);
				opex_buf_puts(sql, " AND m.doc = d.id)");
				break;
			case OPEX_SEARCH_QFILTER_TAG:
				opex_buf_puts(sql, "EXISTS (SELECT 1 FROM doc_tag t"
					" WHERE t.tag = ");
				param(sql, p, f->value);
				opex_buf_puts(sql, " AND t.doc = d.id)");
				break;
			case OPEX_SEARCH_QFILTER_STALE:
				opex_buf_puts(sql, "d.stale_after < ?3");
				break;
			case OPEX_SEARCH_QFILTER_TYPE:
				/* a range of the path: the doc_tree index serves it */
				opex_buf_puts(sql, strcmp(f->value, "reply") == 0
					? "(d.path >= 'replies/' AND d.path < 'replies0')"
					: "(d.path >= 'articles/' AND d.path < 'articles0')");
				break;
			}
		}
		if (n > 0)
			opex_buf_putc(sql, ')');
	}
}

/*
 * The audience's condition on `d` (doc): what the reader may see (see the
 * top of this file). Teams past OPEX_SEARCH_AUDIENCE_MAX_TEAMS are not
 * counted: the reader sees less, never more.
 */
void opex_search_sql_audience(opex_buf *sql, sql_params *p,
	const opex_search_options *o)
{
	size_t i, n = o->team_count < OPEX_SEARCH_AUDIENCE_MAX_TEAMS
		? o->team_count : OPEX_SEARCH_AUDIENCE_MAX_TEAMS;

	switch (o->audience) {
	case OPEX_SEARCH_AUDIENCE_ALL:
		return;
	case OPEX_SEARCH_AUDIENCE_PUBLIC:
		opex_buf_puts(sql, " AND d.visibility = 2");
		return;
	case OPEX_SEARCH_AUDIENCE_PARTNER:
		opex_buf_puts(sql, " AND (d.visibility = 2 OR (d.visibility = 1"
			" AND NOT EXISTS (SELECT 1 FROM doc_team dt WHERE dt.doc = d.id)))");
		return;
	case OPEX_SEARCH_AUDIENCE_MEMBER:
		opex_buf_puts(sql, " AND (d.visibility = 2 OR NOT EXISTS"
			" (SELECT 1 FROM doc_team dt WHERE dt.doc = d.id)");
		if (n > 0) {
			opex_buf_puts(sql, " OR EXISTS (SELECT 1 FROM doc_team dt"
				" WHERE dt.doc = d.id AND dt.team IN (");
			for (i = 0; i < n; i++) {
				if (i > 0)
					opex_buf_puts(sql, ", ");
				param(sql, p, o->teams[i]);
			}
			opex_buf_puts(sql, "))");
		}
		opex_buf_putc(sql, ')');
		return;
	}
	/* An audience this file does not know sees nothing. */
	opex_buf_puts(sql, " AND 0");
}

/*
 * The matching articles as `hits(id, score)`. Parameters: ?1 the MATCH
 * expression of the positive part, ?2 that of the excluded part, ?3 now.
 */
void opex_search_sql_hits(opex_buf *sql, const opex_search_query *q, bool scored)
{
	if (opex_search_query_has_positive(q)) {
		if (scored)
			opex_buf_puts(sql, "WITH hits(id, score) AS ("
				"SELECT rowid, bm25(fts, " BM25_WEIGHTS ") FROM fts"
				" WHERE fts MATCH ?1 UNION ALL "
				"SELECT rowid, bm25(fts_en, " BM25_WEIGHTS ") FROM fts_en"
				" WHERE fts_en MATCH ?1) ");
		else
			opex_buf_puts(sql, "WITH hits(id, score) AS ("
				"SELECT rowid, 0 FROM fts WHERE fts MATCH ?1 UNION ALL "
				"SELECT rowid, 0 FROM fts_en WHERE fts_en MATCH ?1) ");
	} else if (q->clause_count > 0) {
		opex_buf_puts(sql, "WITH hits(id, score) AS (SELECT id, 0 FROM doc"
			" WHERE id NOT IN (SELECT rowid FROM fts WHERE fts MATCH ?2"
			" UNION ALL SELECT rowid FROM fts_en WHERE fts_en MATCH ?2)) ");
	} else {
		opex_buf_puts(sql, "WITH hits(id, score) AS (SELECT id, 0 FROM doc) ");
	}
}

int opex_search_prepare(sqlite3_stmt **out, search_ctx *s, const char *sql,
	opex_error *err)
{
	size_t i;
	int error = opex_search_db_prepare(out, s->ix, sql, err);

	if (error < 0)
		return error;
	if (sqlite3_bind_parameter_count(*out) >= 1)
		opex_search_db_bind_buf(*out, 1, &s->match);
	if (sqlite3_bind_parameter_count(*out) >= 2)
		opex_search_db_bind_buf(*out, 2, &s->excluded);
	if (sqlite3_bind_parameter_count(*out) >= 3)
		sqlite3_bind_int64(*out, 3, s->now);
	for (i = 0; i < s->params.count; i++)
		opex_search_db_bind_text(*out, (int)i + 4, s->params.text[i]);
	return 0;
}

/* Matches in the highlighted body, as byte ranges of the unmarked text. */
/* Is s[i..] a U+200B, the CJK separator we inserted? */

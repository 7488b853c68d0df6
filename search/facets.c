/*
 * facets.c: a search with facets in one pass over its matches. The
 * matching rows (ranked, filtered, for the reader) are read once, into
 * memory: the page is the best of them, the total is their number, and the
 * languages, journeys and markets are counted over the first `bound` of
 * them from a table of every article's facet values kept with the index
 * handle. Reading the matches twice, or joining each to doc, would cost a
 * common word or a prefix (whose doclists FTS5 merges before the first
 * row) as much again as the ranking.
 *
 * The table is read again when another connection committed since
 * (PRAGMA data_version) or this one updated the index.
 */
#include "search/search_int.h"
#include "core/buf.h"
#include "core/limits.h"
#include "core/memory.h"
#include "core/str.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

#define FACET_LIMIT 100    /* values shown per facet, as many as before */
#define FACET_KINDS 3      /* languages, journeys, markets */

struct opex_search_facet_table {
	sqlite3_int64 data_version;
	size_t id_count;              /* the largest doc id + 1 */
	uint32_t *language, *journey; /* by doc id: value + 1; 0: none */
	uint32_t *market_start;       /* by doc id: markets[start[id]..start[id + 1]) */
	uint32_t *markets;
	char **values;                /* every distinct value, interned */
	size_t value_count, value_cap;
	uint32_t *slots;              /* open addressing: value + 1; 0: empty */
	size_t slot_count;
};

void opex_search_facet_table_free(opex_search_facet_table *t)
{
	if (t == NULL)
		return;
	opex_free(t->language);
	opex_free(t->journey);
	opex_free(t->market_start);
	opex_free(t->markets);
	opex_strings_free(t->values, t->value_count);
	opex_free(t->slots);
	opex_free(t);
}

static void rehash(opex_search_facet_table *t)
{
	size_t i, n = t->slot_count ? t->slot_count * 2 : 64;

	opex_free(t->slots);
	t->slots = opex_calloc(n, sizeof(*t->slots));
	t->slot_count = n;
	for (i = 0; i < t->value_count; i++) {
		size_t k = (size_t)opex_str_hash(t->values[i]) & (n - 1);

		while (t->slots[k] != 0)
			k = (k + 1) & (n - 1);
		t->slots[k] = (uint32_t)i + 1;
	}
}

/* The value's number + 1 (0 for NULL), added if new. */
static uint32_t intern(opex_search_facet_table *t, const char *value)
{
	size_t k;

	if (value == NULL)
		return 0;
	if (2 * (t->value_count + 1) > t->slot_count)
		rehash(t);
	k = (size_t)opex_str_hash(value) & (t->slot_count - 1);
	while (t->slots[k] != 0) {
		if (strcmp(t->values[t->slots[k] - 1], value) == 0)
			return t->slots[k];
		k = (k + 1) & (t->slot_count - 1);
	}
	opex_array_grow((void **)&t->values, &t->value_cap, t->value_count + 1,
		sizeof(*t->values));
	t->values[t->value_count++] = opex_strdup(value);
	t->slots[k] = (uint32_t)t->value_count;
	return t->slots[k];
}

static bool step_row(int *rc, sqlite3_stmt *st)
{
	*rc = sqlite3_step(st);
	return *rc == SQLITE_ROW;
}

/* Read every article's language, journey and markets (the caller's read transaction). */
static int table_load(opex_search_facet_table *t, opex_search_index *ix,
	opex_error *err)
{
	sqlite3_stmt *st = NULL;
	uint32_t *fill = NULL;
	size_t i, market_count = 0;
	int error, rc = SQLITE_DONE;

	error = opex_search_db_prepare(&st, ix, "SELECT coalesce(max(id), -1) + 1,"
		" (SELECT count(*) FROM doc_market) FROM doc", err);
	if (error == 0 && step_row(&rc, st)) {
		t->id_count = (size_t)sqlite3_column_int64(st, 0);
		market_count = (size_t)sqlite3_column_int64(st, 1);
	}
	opex_search_db_finish(ix, st);
	st = NULL;
	if (error == 0 && rc != SQLITE_ROW)
		return opex_search_db_error(ix, err, "read");
	if (error < 0)
		return error;
	t->language = opex_calloc(t->id_count + 1, sizeof(*t->language));
	t->journey = opex_calloc(t->id_count + 1, sizeof(*t->journey));
	t->market_start = opex_calloc(t->id_count + 2, sizeof(*t->market_start));
	t->markets = opex_calloc(market_count + 1, sizeof(*t->markets));
	error = opex_search_db_prepare(&st, ix,
		"SELECT id, lower(language), lower(journey) FROM doc", err);
	while (error == 0 && step_row(&rc, st)) {
		size_t id = (size_t)sqlite3_column_int64(st, 0);

		if (id >= t->id_count)
			continue;
		t->language[id] = intern(t, (const char *)sqlite3_column_text(st, 1));
		t->journey[id] = intern(t, (const char *)sqlite3_column_text(st, 2));
	}
	opex_search_db_finish(ix, st);
	st = NULL;
	if (error == 0 && rc != SQLITE_DONE)
		return opex_search_db_error(ix, err, "read");
	/* Markets by doc id, in two passes: count, then place. */
	error = error < 0 ? error : opex_search_db_prepare(&st, ix,
		"SELECT doc, market FROM doc_market", err);
	while (error == 0 && step_row(&rc, st)) {
		size_t id = (size_t)sqlite3_column_int64(st, 0);

		if (id < t->id_count)
			t->market_start[id + 1]++;
	}
	for (i = 0; i < t->id_count; i++)
		t->market_start[i + 1] += t->market_start[i];
	fill = opex_calloc(t->id_count + 1, sizeof(*fill));
	if (error == 0 && rc == SQLITE_DONE)
		sqlite3_reset(st);
	else if (error == 0)
		error = opex_search_db_error(ix, err, "read");
	while (error == 0 && step_row(&rc, st)) {
		size_t id = (size_t)sqlite3_column_int64(st, 0);
		size_t at;

		if (id >= t->id_count)
			continue;
		at = t->market_start[id] + fill[id]++;
		if (at < market_count && at < t->market_start[id + 1])
			t->markets[at] = intern(t,
				(const char *)sqlite3_column_text(st, 1));
	}
	opex_search_db_finish(ix, st);
	opex_free(fill);
	if (error == 0 && rc != SQLITE_DONE)
		error = opex_search_db_error(ix, err, "read");
	return error;
}

/* The table as of the index's current data, read again if it moved. */
static int table_current(opex_search_facet_table **out, opex_search_index *ix,
	opex_error *err)
{
	opex_search_facet_table *t;
	sqlite3_stmt *st = NULL;
	sqlite3_int64 version = -1;
	int error = opex_search_db_prepare(&st, ix, "PRAGMA data_version", err);

	if (error == 0 && sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int64(st, 0);
	opex_search_db_finish(ix, st);
	if (error < 0)
		return error;
	if (ix->facets && ix->facets->data_version == version) {
		*out = ix->facets;
		return 0;
	}
	opex_search_facet_table_free(ix->facets);
	ix->facets = NULL;
	t = opex_calloc(1, sizeof(*t));
	t->data_version = version;
	error = table_load(t, ix, err);
	if (error < 0) {
		opex_search_facet_table_free(t);
		return error;
	}
	ix->facets = *out = t;
	return 0;
}

/* ---------------------------------------------------------------------
 * Counting
 * ------------------------------------------------------------------- */

typedef struct value_count {
	const char *value;
	size_t count;
} value_count;

/* By count, most first, then by value (as SQLite's BINARY collation). */
static int count_cmp(const void *a, const void *b)
{
	const value_count *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->value, y->value);
}

static void emit(opex_search_facet **list, size_t *count, const size_t *counts,
	const opex_search_facet_table *t)
{
	value_count *v = opex_calloc(t->value_count + 1, sizeof(*v));
	size_t i, n = 0;

	for (i = 0; i < t->value_count; i++)
		if (counts[i] > 0) {
			v[n].value = t->values[i];
			v[n++].count = counts[i];
		}
	if (n > 1)
		qsort(v, n, sizeof(*v), count_cmp);
	if (n > FACET_LIMIT)
		n = FACET_LIMIT;
	*list = n ? opex_calloc(n, sizeof(**list)) : NULL;
	for (i = 0; i < n; i++) {
		(*list)[i].value = opex_strdup(v[i].value);
		(*list)[i].count = v[i].count;
	}
	*count = n;
	opex_free(v);
}

int opex_search_facets_count(opex_search_result *out, opex_search_index *ix,
	const sqlite3_int64 *ids, size_t n, opex_error *err)
{
	opex_search_facet_table *t = NULL;
	size_t *counts[FACET_KINDS], i, k;
	int error = table_current(&t, ix, err);

	if (error < 0)
		return error;
	for (k = 0; k < FACET_KINDS; k++)
		counts[k] = opex_calloc(t->value_count + 1, sizeof(*counts[k]));
	for (i = 0; i < n; i++) {
		size_t id = (size_t)ids[i], m;

		if (ids[i] < 0 || id >= t->id_count)
			continue;
		if (t->language[id])
			counts[0][t->language[id] - 1]++;
		if (t->journey[id])
			counts[1][t->journey[id] - 1]++;
		for (m = t->market_start[id]; m < t->market_start[id + 1]; m++)
			if (t->markets[m])
				counts[2][t->markets[m] - 1]++;
	}
	emit(&out->languages, &out->language_count, counts[0], t);
	emit(&out->journeys, &out->journey_count, counts[1], t);
	emit(&out->markets, &out->market_count, counts[2], t);
	for (k = 0; k < FACET_KINDS; k++)
		opex_free(counts[k]);
	return 0;
}

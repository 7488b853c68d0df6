/*
 * update.c: bringing the index to a handbook revision. A plan reads the
 * indexed path -> blob map so the handbook load reads only the articles
 * whose blob changed; the update then writes those, removes what left the
 * tree, counts renames, and refreshes staleness dates, all in one
 * BEGIN IMMEDIATE transaction (readers see the old revision or the new).
 * A full build drops the filter indexes and creates them after the rows.
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

static void free_docs(old_doc *docs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		opex_free(docs[i].path);
	opex_free(docs);
}

void opex_search_plan_release(opex_search_index *ix)
{
	free_docs(ix->plan, ix->plan_count);
	ix->plan = NULL;
	ix->plan_count = ix->plan_cursor = 0;
	ix->planned = ix->plan_all = false;
	ix->plan_rev[0] = '\0';
}
/* ---------------------------------------------------------------------
 * Update
 * ------------------------------------------------------------------- */

/* Statements used for every article written or removed. */
typedef struct writer {
	opex_search_index *ix;
	sqlite3_stmt *ins_doc, *ins_fts, *ins_fts_en, *ins_tag, *ins_market;
	sqlite3_stmt *del_doc, *del_fts, *del_fts_en, *del_tag, *del_market;
	sqlite3_stmt *ins_team, *del_team;
	opex_buf title, tags, headings, body, sections;
	opex_kb_md_text md;
	bool history_known;    /* false: staleness is unknown, never stale */
} writer;

static int writer_init(writer *w, opex_search_index *ix, opex_error *err)
{
	int error;

	memset(w, 0, sizeof(*w));
	w->ix = ix;
	opex_buf_init(&w->title, OPEX_LIMIT_LINE_BYTES);
	opex_buf_init(&w->tags, OPEX_LIMIT_LINE_BYTES);
	opex_buf_init(&w->headings, 4 * OPEX_LIMIT_FILE_BYTES);
	opex_buf_init(&w->body, 4 * OPEX_LIMIT_FILE_BYTES);
	opex_buf_init(&w->sections, 4 * OPEX_LIMIT_FILE_BYTES);
	opex_kb_md_text_init(&w->md, OPEX_LIMIT_FILE_BYTES);
	error = opex_search_db_prepare(&w->ins_doc, ix, "INSERT INTO doc(path, blob, title,"
		" language, owner, journey, stale_after, stemmed, sections,"
		" visibility) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", err);
	if (error == 0)
		error = opex_search_db_prepare(&w->ins_fts, ix, "INSERT INTO fts(rowid, title,"
			" tags, headings, path, body) VALUES(?, ?, ?, ?, ?, ?)", err);
	if (error == 0)
		error = opex_search_db_prepare(&w->ins_fts_en, ix, "INSERT INTO fts_en(rowid,"
			" title, tags, headings, path, body)"
			" VALUES(?, ?, ?, ?, ?, ?)", err);
	if (error == 0)
		error = opex_search_db_prepare(&w->ins_tag, ix,
			"INSERT OR IGNORE INTO doc_tag(tag, doc) VALUES(?, ?)", err);
	if (error == 0)
		error = opex_search_db_prepare(&w->ins_market, ix,
			"INSERT OR IGNORE INTO doc_market(market, doc) VALUES(?, ?)", err);
	if (error == 0)
		error = opex_search_db_prepare(&w->del_doc, ix, "DELETE FROM doc WHERE id = ?", err);
	if (error == 0)
		error = opex_search_db_prepare(&w->del_fts, ix, "DELETE FROM fts WHERE rowid = ?", err);
	if (error == 0)
		error = opex_search_db_prepare(&w->del_fts_en, ix,
			"DELETE FROM fts_en WHERE rowid = ?", err);
	if (error == 0)
		error = opex_search_db_prepare(&w->del_tag, ix, "DELETE FROM doc_tag WHERE doc = ?",
			err);
	if (error == 0)
		error = opex_search_db_prepare(&w->del_market, ix,
			"DELETE FROM doc_market WHERE doc = ?", err);
	if (error == 0)
		error = opex_search_db_prepare(&w->ins_team, ix,
			"INSERT OR IGNORE INTO doc_team(team, doc) VALUES(?, ?)", err);
	if (error == 0)
		error = opex_search_db_prepare(&w->del_team, ix,
			"DELETE FROM doc_team WHERE doc = ?", err);
	return error;
}

static void writer_release(writer *w)
{
	opex_search_db_finish(w->ix, w->ins_doc);
	opex_search_db_finish(w->ix, w->ins_fts);
	opex_search_db_finish(w->ix, w->ins_fts_en);
	opex_search_db_finish(w->ix, w->ins_tag);
	opex_search_db_finish(w->ix, w->ins_market);
	opex_search_db_finish(w->ix, w->del_doc);
	opex_search_db_finish(w->ix, w->del_fts);
	opex_search_db_finish(w->ix, w->del_fts_en);
	opex_search_db_finish(w->ix, w->del_tag);
	opex_search_db_finish(w->ix, w->del_market);
	opex_search_db_finish(w->ix, w->ins_team);
	opex_search_db_finish(w->ix, w->del_team);
	opex_buf_release(&w->title);
	opex_buf_release(&w->tags);
	opex_buf_release(&w->headings);
	opex_buf_release(&w->body);
	opex_buf_release(&w->sections);
	opex_kb_md_text_release(&w->md);
}

/* Run a statement that returns no rows, then reset it. */
static int run(writer *w, sqlite3_stmt *st, opex_error *err)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return opex_search_db_error(w->ix, err, "update");
	return 0;
}

static int remove_doc(writer *w, sqlite3_int64 id, bool stemmed,
	opex_error *err)
{
	sqlite3_stmt *fts = stemmed ? w->del_fts_en : w->del_fts;
	sqlite3_stmt *each[5];
	size_t i;
	int error = 0;

	each[0] = fts;
	each[1] = w->del_tag;
	each[2] = w->del_market;
	each[3] = w->del_team;
	each[4] = w->del_doc;
	for (i = 0; i < 5 && error == 0; i++) {
		sqlite3_bind_int64(each[i], 1, id);
		error = run(w, each[i], err);
	}
	return error;
}

bool opex_search_is_english(const char *language)
{
	return language && (language[0] | 0x20) == 'e' &&
	       (language[1] | 0x20) == 'n' &&
	       (language[2] == '\0' || language[2] == '-' || language[2] == '_');
}

static int64_t stale_after(const opex_kb_article *a,
	const opex_kb_settings *settings, bool history_known)
{
	int64_t interval = a->review_every ? a->review_every
		: settings->review_every;

	if (!history_known)
		return INT64_MAX;
	return a->verified ? a->verified_at + interval : 0;
}

static int add_list(writer *w, sqlite3_stmt *st, sqlite3_int64 id,
	char **items, size_t count, opex_error *err)
{
	size_t i;
	int error = 0;

	for (i = 0; i < count && error == 0; i++) {
		char *v = opex_strdup(items[i]);

		opex_ascii_lower(v);
		sqlite3_bind_text(st, 1, v, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, id);
		error = run(w, st, err);
		opex_free(v);
	}
	return error;
}

static int add_doc(writer *w, const opex_kb_article *a, const char *blob,
	const opex_kb_settings *settings, opex_error *err)
{
	opex_kb_md_text *md = &w->md;
	sqlite3_stmt *fts;
	sqlite3_int64 id;
	bool stemmed = opex_search_is_english(a->language);
	size_t i;
	int error;

	opex_kb_md_text_release(md);
	opex_buf_clear(&w->title);
	opex_buf_clear(&w->tags);
	opex_buf_clear(&w->headings);
	opex_buf_clear(&w->body);
	opex_buf_clear(&w->sections);
	error = opex_kb_markdown_plain(md, a->body, a->body_len, err);
	if (error < 0)
		goto done;

	/* Sections: the text before the first heading, then one per heading. */
	for (i = 0; i <= md->section_count; i++) {
		size_t from = i == 0 ? 0 : md->sections[i - 1].offset;
		size_t to = i < md->section_count ? md->sections[i].offset
			: md->text.len;
		const char *h = i == 0 ? NULL : md->sections[i - 1].heading;

		if (i == 0 && to == from)
			continue;
		opex_buf_printf(&w->sections, "%zu ", w->body.len);
		for (; h && *h; h++)
			opex_buf_putc(&w->sections, *h == '\n' ? ' ' : *h);
		opex_buf_putc(&w->sections, '\n');
		opex_search_text_cjk_split(&w->body, md->text.ptr + from, to - from);
	}
	sqlite3_bind_text(w->ins_doc, 1, a->path, -1, SQLITE_STATIC);
	sqlite3_bind_text(w->ins_doc, 2, blob, -1, SQLITE_STATIC);
	opex_search_db_bind_text(w->ins_doc, 3, a->title);
	opex_search_db_bind_text(w->ins_doc, 4, a->language);
	opex_search_db_bind_text(w->ins_doc, 5, a->owner);
	opex_search_db_bind_text(w->ins_doc, 6, a->journey);
	sqlite3_bind_int64(w->ins_doc, 7,
		stale_after(a, settings, w->history_known));
	sqlite3_bind_int(w->ins_doc, 8, stemmed);
	opex_search_db_bind_buf(w->ins_doc, 9, &w->sections);
	sqlite3_bind_int(w->ins_doc, 10, (int)a->visibility);
	error = run(w, w->ins_doc, err);
	if (error < 0)
		goto done;
	id = sqlite3_last_insert_rowid(w->ix->db);

	if (a->title)
		opex_search_text_cjk_split(&w->title, a->title, strlen(a->title));
	for (i = 0; i < a->tag_count; i++) {
		opex_search_text_cjk_split(&w->tags, a->tags[i], strlen(a->tags[i]));
		opex_buf_putc(&w->tags, '\n');
	}
	opex_search_text_cjk_split(&w->headings, md->headings.ptr, md->headings.len);
	if (w->title.failed || w->tags.failed || w->headings.failed ||
	    w->body.failed || w->sections.failed) {
		error = opex_error_set(err, OPEX_ETOOBIG,
			"article '%s' is too large to index", a->path);
		goto done;
	}
	fts = stemmed ? w->ins_fts_en : w->ins_fts;
	sqlite3_bind_int64(fts, 1, id);
	opex_search_db_bind_buf(fts, 2, &w->title);
	opex_search_db_bind_buf(fts, 3, &w->tags);
	opex_search_db_bind_buf(fts, 4, &w->headings);
	sqlite3_bind_text(fts, 5, a->path, -1, SQLITE_STATIC);
	opex_search_db_bind_buf(fts, 6, &w->body);
	error = run(w, fts, err);
	if (error == 0)
		error = add_list(w, w->ins_tag, id, a->tags, a->tag_count, err);
	if (error == 0)
		error = add_list(w, w->ins_market, id, a->markets, a->market_count,
			err);
	for (i = 0; i < a->team_count && error == 0; i++) {
		/* Teams as written: the roster's ids are compared exactly. */
		sqlite3_bind_text(w->ins_team, 1, a->teams[i], -1, SQLITE_STATIC);
		sqlite3_bind_int64(w->ins_team, 2, id);
		error = run(w, w->ins_team, err);
	}
done:
	return error;
}

/*
 * What staleness depends on besides the article: settings and roster; and
 * whether the update left out something it could not read.
 */
static void context_of(opex_buf *out, const opex_kb_repo *repo,
	bool incomplete)
{
	const opex_kb_entry *s = opex_kb_repo_find(repo, "opex.yaml");
	const opex_kb_entry *p = opex_kb_repo_find(repo, "people.yaml");

	opex_buf_printf(out, "%s %s%s", s ? s->oid : "-", p ? p->oid : "-",
		incomplete ? INCOMPLETE_MARK : "");
}

/* Did the handbook leave out an unreadable object the index depends on? */
static bool handbook_incomplete(const opex_kb_handbook *hb)
{
	size_t i, n = opex_kb_handbook_unreadable_count(hb);

	if (!opex_kb_history_known(opex_kb_handbook_history(hb)))
		return true;
	for (i = 0; i < n; i++) {
		const char *path = opex_kb_handbook_unreadable(hb, i);

		if (strcmp(path, "articles") == 0 ||
		    strncmp(path, "articles/", 9) == 0 ||
		    strcmp(path, "opex.yaml") == 0 ||
		    strcmp(path, "people.yaml") == 0)
			return true;
	}
	return false;
}

static bool is_article(const opex_kb_entry *e)
{
	size_t n = strlen(e->path);

	return e->kind == OPEX_KB_ENTRY_FILE &&
	       strncmp(e->path, "articles/", 9) == 0 && n > 12 &&
	       strcmp(e->path + n - 3, ".md") == 0;
}

static int load_old(old_doc **out, size_t *count, opex_search_index *ix,
	opex_error *err)
{
	sqlite3_stmt *st = NULL;
	old_doc *docs = NULL;
	size_t n = 0, cap = 0;
	int error, rc;

	*out = NULL;
	*count = 0;
	error = opex_search_db_prepare(&st, ix,
		"SELECT id, path, blob, stemmed FROM doc INDEXED BY doc_tree"
		" ORDER BY path", err);
	if (error < 0)
		goto done;
	for (;;) {
		rc = sqlite3_step(st);
		if (rc != SQLITE_ROW)
			break;
		const char *blob = (const char *)sqlite3_column_text(st, 2);

		opex_array_grow((void **)&docs, &cap, n + 1, sizeof(*docs));
		docs[n].id = sqlite3_column_int64(st, 0);
		docs[n].path = opex_search_db_column_dup(st, 1);
		snprintf(docs[n].blob, sizeof(docs[n].blob), "%s", blob ? blob : "");
		docs[n].stemmed = sqlite3_column_int(st, 3) != 0;
		n++;
	}
	if (rc != SQLITE_DONE)
		error = opex_search_db_error(ix, err, "read");
done:
	opex_search_db_finish(ix, st);
	*out = docs;
	*count = n;
	return error;
}

static int cmp_blob(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Count removed blobs that reappear among the added ones: renames. */
static size_t count_renames(const char **removed, size_t nr,
	const char **added, size_t na)
{
	size_t i = 0, j = 0, n = 0;

	if (nr == 0 || na == 0)
		return 0;
	qsort(removed, nr, sizeof(*removed), cmp_blob);
	qsort(added, na, sizeof(*added), cmp_blob);
	while (i < nr && j < na) {
		int c = strcmp(removed[i], added[j]);

		if (c == 0) {
			n++;
			i++;
			j++;
		} else if (c < 0) {
			i++;
		} else {
			j++;
		}
	}
	return n;
}

static int refresh_staleness(opex_search_index *ix, const opex_kb_handbook *hb,
	opex_error *err)
{
	const opex_kb_settings *settings = opex_kb_handbook_settings(hb);
	bool known = opex_kb_history_known(opex_kb_handbook_history(hb));
	sqlite3_stmt *st = NULL;
	size_t i, n = opex_kb_handbook_article_count(hb);
	int error = opex_search_db_prepare(&st, ix,
		"UPDATE doc SET stale_after = ? WHERE path = ?", err);

	for (i = 0; i < n && error == 0; i++) {
		const opex_kb_article *a = opex_kb_handbook_article(hb, i);

		sqlite3_bind_int64(st, 1, stale_after(a, settings, known));
		sqlite3_bind_text(st, 2, a->path, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			error = opex_search_db_error(ix, err, "update");
		sqlite3_reset(st);
	}
	opex_search_db_finish(ix, st);
	return error;
}

int opex_search_index_plan(opex_search_index *ix, const opex_kb_repo *repo,
	bool rebuild, opex_error *err)
{
	opex_buf rev = OPEX_BUF_INIT(64), ctx = OPEX_BUF_INIT(256),
		new_ctx = OPEX_BUF_INIT(256);
	bool in_txn = false;
	int error;

	opex_search_plan_release(ix);
	error = opex_search_db_exec(ix, "BEGIN", "read", err);
	if (error < 0)
		goto done;
	in_txn = true;
	error = opex_search_schema_check(ix, err);
	if (error == 0 && ix->schema_ok && !rebuild)
		error = opex_search_meta_get(&rev, ix, "revision", err);
	if (error == 0 && ix->schema_ok && !rebuild)
		error = opex_search_meta_get(&ctx, ix, "context", err);
	if (error < 0)
		goto done;
	context_of(&new_ctx, repo, false);
	ix->plan_all = !ix->schema_ok || rebuild || rev.len != 40 ||
		strcmp(ctx.ptr, new_ctx.ptr) != 0;
	if (!ix->plan_all) {
		snprintf(ix->plan_rev, sizeof(ix->plan_rev), "%s", rev.ptr);
		error = load_old(&ix->plan, &ix->plan_count, ix, err);
		if (error < 0)
			goto done;
	}
	ix->planned = true;
done:
	if (in_txn)
		sqlite3_exec(ix->db, "COMMIT", NULL, NULL, NULL);
	if (error < 0)
		opex_search_plan_release(ix);
	opex_buf_release(&rev);
	opex_buf_release(&ctx);
	opex_buf_release(&new_ctx);
	return error;
}

bool opex_search_index_wants(const char *path, const char *oid, void *payload)
{
	opex_search_index *ix = payload;
	size_t lo, hi;

	if (ix == NULL || !ix->planned || ix->plan_all)
		return true;
	/* The handbook asks in tree order: walk a cursor, else search. */
	while (ix->plan_cursor < ix->plan_count &&
	       strcmp(ix->plan[ix->plan_cursor].path, path) < 0)
		ix->plan_cursor++;
	if (ix->plan_cursor < ix->plan_count &&
	    strcmp(ix->plan[ix->plan_cursor].path, path) == 0)
		return strcmp(ix->plan[ix->plan_cursor].blob, oid) != 0;
	lo = 0;
	hi = ix->plan_count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(ix->plan[mid].path, path);

		if (c == 0)
			return strcmp(ix->plan[mid].blob, oid) != 0;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return true;
}

int opex_search_index_update(opex_search_index_stats *out, opex_search_index *ix,
	const opex_kb_handbook *hb, const opex_search_index_update_options *opts,
	opex_error *err)
{
	opex_search_index_update_options defaults = OPEX_SEARCH_INDEX_UPDATE_OPTIONS_INIT;
	const opex_kb_repo *repo = opex_kb_handbook_repo(hb);
	const opex_kb_settings *settings = opex_kb_handbook_settings(hb);
	opex_search_index_stats stats;
	opex_buf rev = OPEX_BUF_INIT(64), ctx = OPEX_BUF_INIT(256),
		new_ctx = OPEX_BUF_INIT(256);
	old_doc *old = NULL;
	size_t old_count = 0, i = 0, j = 0, k;
	size_t entry_count = opex_kb_repo_count(repo);
	const opex_kb_article **to_add = NULL;
	const char **add_blobs = NULL, **removed_blobs = NULL;
	size_t add_count = 0, removed_count = 0;
	double start = opex_time_monotonic_ms();
	bool in_txn = false;
	writer w;
	int error;

	memset(&stats, 0, sizeof(stats));
	memset(&w, 0, sizeof(w));
	if (opts == NULL)
		opts = &defaults;
	error = opex_search_db_exec(ix, "BEGIN IMMEDIATE", "update", err);
	if (error < 0)
		goto done;
	in_txn = true;
	error = opex_search_schema_check(ix, err);
	if (error < 0)
		goto done;
	if (opts->rebuild || !ix->schema_ok) {
		error = opex_search_db_exec(ix, opex_search_sql_drop, "rebuild", err);
		if (error == 0)
			error = opex_search_db_exec(ix, opex_search_sql_schema, "rebuild", err);
		if (error < 0)
			goto done;
		ix->schema_ok = true;
		stats.rebuilt = true;
	}
	error = opex_search_meta_get(&rev, ix, "revision", err);
	if (error == 0)
		error = opex_search_meta_get(&ctx, ix, "context", err);
	if (error < 0)
		goto done;
	if (rev.len == 0)
		stats.rebuilt = true;
	snprintf(stats.from, sizeof(stats.from), "%s", rev.ptr);
	snprintf(stats.to, sizeof(stats.to), "%s", opex_kb_repo_commit(repo));
	context_of(&new_ctx, repo, handbook_incomplete(hb));
	if (ix->planned && !ix->plan_all && strcmp(rev.ptr, ix->plan_rev) != 0) {
		/* Another process moved the index since the plan. */
		if (strcmp(rev.ptr, stats.to) == 0 && !opts->rebuild) {
			snprintf(stats.from, sizeof(stats.from), "%s", stats.to);
			if (out)
				*out = stats;
			goto done;
		}
		error = opex_error_set(err, OPEX_EEXISTS,
			"index '%s' changed during the update: try again", ix->path);
		goto done;
	}

	if (stats.rebuilt) {
		/* A full build merges FTS5 segments it has just written: keep them in memory. */
		error = opex_search_db_exec(ix, "PRAGMA cache_size = -262144", "rebuild", err);
		if (error == 0)
			error = opex_search_db_exec(ix, opex_search_sql_drop_filter_indexes, "rebuild", err);
		if (error < 0)
			goto done;
	}
	error = load_old(&old, &old_count, ix, err);
	if (error < 0)
		goto done;
	error = writer_init(&w, ix, err);
	if (error < 0)
		goto done;
	w.history_known = opex_kb_history_known(opex_kb_handbook_history(hb));
	to_add = opex_calloc(entry_count + 1, sizeof(*to_add));
	add_blobs = opex_calloc(entry_count + 1, sizeof(*add_blobs));
	removed_blobs = opex_calloc(old_count + 1, sizeof(*removed_blobs));

	/*
	 * Merge the indexed paths with the tree's articles, both in path
	 * order. The handbook need only hold the new and changed articles;
	 * one missing there could not be read and is not indexed.
	 */
	while (i < old_count || j < entry_count) {
		const opex_kb_entry *e = j < entry_count
			? opex_kb_repo_entry(repo, j) : NULL;
		const opex_kb_article *a;
		int c;

		if (e && !is_article(e)) {
			j++;
			continue;
		}
		c = i >= old_count ? 1 : e == NULL ? -1
			: strcmp(old[i].path, e->path);
		if (c < 0) {
			removed_blobs[removed_count++] = old[i].blob;
			error = remove_doc(&w, old[i].id, old[i].stemmed, err);
			i++;
		} else if (c > 0) {
			a = opex_kb_handbook_find(hb, e->path);
			if (a) {
				add_blobs[add_count] = e->oid;
				to_add[add_count++] = a;
			}
			j++;
		} else if (strcmp(old[i].blob, e->oid) != 0) {
			a = opex_kb_handbook_find(hb, e->path);
			error = remove_doc(&w, old[i].id, old[i].stemmed, err);
			if (a) {
				stats.changed++;
				to_add[add_count++] = a;
			} else {
				removed_blobs[removed_count++] = old[i].blob;
			}
			i++;
			j++;
		} else {
			stats.unchanged++;
			i++;
			j++;
		}
		if (error < 0)
			goto done;
	}
	stats.added = 0;
	for (k = 0; k < add_count; k++) {
		const opex_kb_entry *e = opex_kb_repo_find(repo, to_add[k]->path);

		if (e == NULL)
			OPEX_BUG("an article of the handbook is not in its tree");
		error = add_doc(&w, to_add[k], e->oid, settings, err);
		if (error < 0)
			goto done;
		if (opts->progress && (k % 64 == 63 || k + 1 == add_count))
			opts->progress(k + 1, add_count, opts->payload);
	}
	{
		size_t plain_added = 0;

		for (k = 0; k < add_count; k++)
			if (add_blobs[k] != NULL)
				add_blobs[plain_added++] = add_blobs[k];
		stats.renamed = count_renames(removed_blobs, removed_count,
			add_blobs, plain_added);
		stats.added = plain_added - stats.renamed;
		stats.removed = removed_count - stats.renamed;
	}
	if (strcmp(ctx.ptr, new_ctx.ptr) != 0 && !stats.rebuilt &&
	    stats.unchanged > 0) {
		error = refresh_staleness(ix, hb, err);
		if (error < 0)
			goto done;
	}
	if (stats.rebuilt) {
		error = opex_search_db_exec(ix, opex_search_sql_filter_indexes, "rebuild", err);
		if (error < 0)
			goto done;
	}
	error = opex_search_meta_set(ix, "revision", opex_kb_repo_commit(repo), err);
	if (error == 0)
		error = opex_search_meta_set(ix, "context", new_ctx.ptr, err);
	if (error < 0)
		goto done;
	writer_release(&w);
	memset(&w, 0, sizeof(w));
	error = opex_search_db_exec(ix, "COMMIT", "update", err);
	if (error < 0)
		goto done;
	in_txn = false;
	stats.articles = stats.unchanged + add_count;
	stats.ms = opex_time_monotonic_ms() - start;
	if (out)
		*out = stats;
done:
	if (in_txn)
		sqlite3_exec(ix->db, "ROLLBACK", NULL, NULL, NULL);
	if (stats.rebuilt)
		sqlite3_exec(ix->db, "PRAGMA cache_size = -32768", NULL, NULL, NULL);
	opex_search_plan_release(ix);
	writer_release(&w);
	free_docs(old, old_count);
	opex_free(to_add);
	opex_free(add_blobs);
	opex_free(removed_blobs);
	opex_buf_release(&rev);
	opex_buf_release(&ctx);
	opex_buf_release(&new_ctx);
	return error;
}

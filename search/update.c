/*
 * update.c: bringing the index to a handbook revision. A plan compares
 * the indexed revision's tree with the new one so the handbook load reads
 * only the articles whose blob changed; the update then writes those,
 * removes what left the tree, counts renames, and refreshes staleness
 * dates, all in one BEGIN IMMEDIATE transaction (readers see the old
 * revision or the new). Only the changed paths are looked at, so a commit
 * of one article costs the same at 2,000 articles as at 100,000. When the
 * indexed revision cannot be read (gone from the repository), the update
 * merges the whole indexed path -> blob map with the tree instead. A full
 * build drops the filter indexes and creates them after the rows.
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
	opex_strings_free(ix->plan_paths, ix->plan_path_count);
	ix->plan = NULL;
	ix->plan_paths = NULL;
	ix->plan_count = ix->plan_cursor = ix->plan_path_count = 0;
	ix->planned = ix->plan_all = ix->plan_diff = false;
	ix->plan_rev[0] = '\0';
}
/* ---------------------------------------------------------------------
 * Update
 * ------------------------------------------------------------------- */

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
		    strcmp(path, "replies") == 0 ||
		    strncmp(path, "replies/", 8) == 0 ||
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
	       ((strncmp(e->path, "articles/", 9) == 0 && n > 12) ||
		(strncmp(e->path, "replies/", 8) == 0 && n > 11)) &&
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

/*
 * The paths changed since the indexed revision `rev`; false when the trees
 * cannot be compared (that revision left the repository, say): the caller
 * then merges the whole listing, which needs nothing from the old tree.
 */
static bool changed_since(char ***paths, size_t *count,
	const opex_kb_repo *repo, const char *rev)
{
	opex_error ignored = OPEX_ERROR_INIT;

	return opex_kb_repo_changed_paths(paths, count, repo, rev, &ignored) == 0;
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
		ix->plan_diff = changed_since(&ix->plan_paths, &ix->plan_path_count,
			repo, rev.ptr);
		if (!ix->plan_diff)
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

static bool find_path(const char *const *paths, size_t count, const char *path)
{
	size_t lo = 0, hi = count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(paths[mid], path);

		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

bool opex_search_index_plan_by_paths(const opex_search_index *ix)
{
	return ix->planned && !ix->plan_all && ix->plan_diff;
}

bool opex_search_index_wants(const char *path, const char *oid, void *payload)
{
	opex_search_index *ix = payload;
	size_t lo, hi;

	if (ix == NULL || !ix->planned || ix->plan_all)
		return true;
	if (ix->plan_diff)
		return find_path((const char *const *)ix->plan_paths,
			ix->plan_path_count, path);
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

/* What an update writes: the articles to (re)index and the blobs that left. */
typedef struct changes {
	const opex_kb_article **to_add;
	const char **add_blobs;      /* the blob of a new path; NULL for a changed one */
	const char **removed_blobs;
	size_t add_count, removed_count;
} changes;

static void changes_release(changes *c)
{
	opex_free(c->to_add);
	opex_free(c->add_blobs);
	opex_free(c->removed_blobs);
}

/*
 * One path of an update: `old` its indexed row (NULL: none), `e` its tree
 * entry if that is an article (NULL: none). The rows of a path gone or
 * changed are removed and what to add is listed. The handbook need only
 * hold the new and changed articles; one missing there could not be read
 * and is not indexed.
 */
static int apply_path(changes *c, opex_search_index_stats *stats,
	opex_search_writer *w, const old_doc *old, const opex_kb_entry *e,
	const opex_kb_handbook *hb, opex_error *err)
{
	const opex_kb_article *a;
	int error;

	if (old == NULL) {
		a = opex_kb_handbook_find(hb, e->path);
		if (a) {
			c->add_blobs[c->add_count] = e->oid;
			c->to_add[c->add_count++] = a;
		}
		return 0;
	}
	if (e && strcmp(old->blob, e->oid) == 0) {
		stats->unchanged++;
		return 0;
	}
	error = opex_search_writer_remove(w, old->id, old->stemmed, err);
	a = e ? opex_kb_handbook_find(hb, e->path) : NULL;
	if (a) {
		stats->changed++;
		c->to_add[c->add_count++] = a;
	} else {
		c->removed_blobs[c->removed_count++] = old->blob;
	}
	return error;
}

static void changes_init(changes *c, size_t adds, size_t removes)
{
	c->to_add = opex_calloc(adds + 1, sizeof(*c->to_add));
	c->add_blobs = opex_calloc(adds + 1, sizeof(*c->add_blobs));
	c->removed_blobs = opex_calloc(removes + 1, sizeof(*c->removed_blobs));
}

/* Merge the indexed paths with the tree's articles, both in path order. */
static int merge_tree(changes *c, opex_search_index_stats *stats, opex_search_writer *w,
	const old_doc *old, size_t old_count, const opex_kb_handbook *hb,
	opex_error *err)
{
	const opex_kb_repo *repo = opex_kb_handbook_repo(hb);
	size_t i = 0, j = 0, entry_count = opex_kb_repo_count(repo);
	int error = 0;

	changes_init(c, entry_count, old_count);
	while (error == 0 && (i < old_count || j < entry_count)) {
		const opex_kb_entry *e = j < entry_count
			? opex_kb_repo_entry(repo, j) : NULL;
		int cmp;

		if (e && !is_article(e)) {
			j++;
			continue;
		}
		cmp = i >= old_count ? 1 : e == NULL ? -1
			: strcmp(old[i].path, e->path);
		error = apply_path(c, stats, w, cmp <= 0 ? &old[i] : NULL,
			cmp >= 0 ? e : NULL, hb, err);
		if (cmp <= 0)
			i++;
		if (cmp >= 0)
			j++;
	}
	return error;
}

/*
 * Only the paths that changed since the indexed revision: each one's row
 * is looked up by path, so the cost does not grow with the handbook. The
 * rows read are kept in `old` (the removed blobs point into them).
 */
static int merge_changed(changes *c, opex_search_index_stats *stats,
	opex_search_writer *w, old_doc **old, size_t *old_count,
	char *const *paths, size_t path_count, const opex_kb_handbook *hb,
	opex_error *err)
{
	const opex_kb_repo *repo = opex_kb_handbook_repo(hb);
	sqlite3_stmt *st = NULL;
	size_t i;
	int error;

	changes_init(c, path_count, path_count);
	*old = opex_calloc(path_count + 1, sizeof(**old));
	error = opex_search_db_prepare(&st, w->ix,
		"SELECT id, blob, stemmed FROM doc WHERE path = ?1", err);
	for (i = 0; error == 0 && i < path_count; i++) {
		const opex_kb_entry *e = opex_kb_repo_find(repo, paths[i]);
		old_doc *o = &(*old)[*old_count];
		int rc;

		if (e && !is_article(e))
			e = NULL;
		sqlite3_reset(st);
		opex_search_db_bind_text(st, 1, paths[i]);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			const char *blob = (const char *)sqlite3_column_text(st, 1);

			o->id = sqlite3_column_int64(st, 0);
			o->path = opex_strdup(paths[i]);
			snprintf(o->blob, sizeof(o->blob), "%s", blob ? blob : "");
			o->stemmed = sqlite3_column_int(st, 2) != 0;
			(*old_count)++;
		} else if (rc != SQLITE_DONE) {
			error = opex_search_db_error(w->ix, err, "read");
			break;
		} else {
			o = NULL;
		}
		if (o || e)
			error = apply_path(c, stats, w, o, e, hb, err);
	}
	opex_search_db_finish(w->ix, st);
	return error;
}

/* Index the listed articles, then count what was added, removed and renamed. */
static int write_changes(opex_search_index_stats *stats, opex_search_writer *w,
	changes *c, const opex_kb_handbook *hb,
	const opex_search_index_update_options *opts, opex_error *err)
{
	const opex_kb_repo *repo = opex_kb_handbook_repo(hb);
	const opex_kb_settings *settings = opex_kb_handbook_settings(hb);
	size_t k, plain_added = 0;
	int error;

	for (k = 0; k < c->add_count; k++) {
		const opex_kb_entry *e = opex_kb_repo_find(repo, c->to_add[k]->path);

		if (e == NULL)
			OPEX_BUG("an article of the handbook is not in its tree");
		error = opex_search_writer_add(w, c->to_add[k], e->oid, settings, err);
		if (error < 0)
			return error;
		if (opts->progress && (k % 64 == 63 || k + 1 == c->add_count))
			opts->progress(k + 1, c->add_count, opts->payload);
	}
	for (k = 0; k < c->add_count; k++)
		if (c->add_blobs[k] != NULL)
			c->add_blobs[plain_added++] = c->add_blobs[k];
	stats->renamed = count_renames(c->removed_blobs, c->removed_count,
		c->add_blobs, plain_added);
	stats->added = plain_added - stats->renamed;
	stats->removed = c->removed_count - stats->renamed;
	return 0;
}

/* How many articles the index holds, as the last update noted it. */
static int indexed_count(size_t *out, opex_search_index *ix, opex_error *err)
{
	opex_buf value = OPEX_BUF_INIT(32);
	sqlite3_stmt *st = NULL;
	int error = opex_search_meta_get(&value, ix, "articles", err);

	*out = 0;
	if (error == 0 && value.len > 0 &&
	    strspn(value.ptr, "0123456789") == value.len) {
		*out = (size_t)strtoull(value.ptr, NULL, 10);
		goto done;
	}
	/* An index written before the count was kept: count once. */
	if (error == 0)
		error = opex_search_db_prepare(&st, ix, "SELECT count(*) FROM doc", err);
	if (error == 0 && sqlite3_step(st) == SQLITE_ROW)
		*out = (size_t)sqlite3_column_int64(st, 0);
	else if (error == 0)
		error = opex_search_db_error(ix, err, "read");
	opex_search_db_finish(ix, st);
done:
	opex_buf_release(&value);
	return error;
}

/* Drop and create the schema when asked to or when it is not ours. */
static int reset_schema(opex_search_index *ix, opex_search_index_stats *stats,
	bool rebuild, opex_error *err)
{
	int error = opex_search_schema_check(ix, err);

	if (error < 0 || (!rebuild && ix->schema_ok))
		return error;
	error = opex_search_db_exec(ix, opex_search_sql_drop, "rebuild", err);
	if (error == 0)
		error = opex_search_db_exec(ix, opex_search_sql_schema, "rebuild", err);
	if (error < 0)
		return error;
	ix->schema_ok = true;
	stats->rebuilt = true;
	return 0;
}

int opex_search_index_update(opex_search_index_stats *out, opex_search_index *ix,
	const opex_kb_handbook *hb, const opex_search_index_update_options *opts,
	opex_error *err)
{
	opex_search_index_update_options defaults = OPEX_SEARCH_INDEX_UPDATE_OPTIONS_INIT;
	const opex_kb_repo *repo = opex_kb_handbook_repo(hb);
	opex_search_index_stats stats;
	opex_buf rev = OPEX_BUF_INIT(64), ctx = OPEX_BUF_INIT(256),
		new_ctx = OPEX_BUF_INIT(256);
	old_doc *old = NULL;
	size_t old_count = 0, path_count = 0, before = 0;
	char **paths = NULL, **own_paths = NULL, count[32];
	bool diff;
	changes c;
	double start = opex_time_monotonic_ms();
	bool in_txn = false;
	opex_search_writer w;
	int error;

	memset(&stats, 0, sizeof(stats));
	memset(&w, 0, sizeof(w));
	memset(&c, 0, sizeof(c));
	if (opts == NULL)
		opts = &defaults;
	error = opex_search_db_exec(ix, "BEGIN IMMEDIATE", "update", err);
	if (error < 0)
		goto done;
	in_txn = true;
	error = reset_schema(ix, &stats, opts->rebuild, err);
	if (error == 0)
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
	/*
	 * Only the changed paths, unless the staleness context changed or the
	 * last update left something out: those need every row.
	 */
	diff = !stats.rebuilt && strcmp(ctx.ptr, new_ctx.ptr) == 0 &&
		strstr(ctx.ptr, INCOMPLETE_MARK) == NULL;
	if (diff && ix->planned && ix->plan_diff &&
	    strcmp(ix->plan_rev, rev.ptr) == 0) {
		paths = ix->plan_paths;
		path_count = ix->plan_path_count;
	} else if (diff && !(ix->planned && !ix->plan_all)) {
		diff = changed_since(&own_paths, &path_count, repo, rev.ptr);
		paths = own_paths;
	} else {
		diff = false;
	}
	if (!diff && opex_kb_repo_partial(repo)) {
		/* Every row is compared with the tree: it needs the whole tree. */
		error = opex_error_set(err, OPEX_EEXISTS,
			"index '%s' needs the whole tree of %s: try again", ix->path,
			stats.to);
		goto done;
	}
	if (diff)
		error = indexed_count(&before, ix, err);
	else
		error = load_old(&old, &old_count, ix, err);
	if (error == 0)
		error = opex_search_writer_init(&w, ix, err);
	if (error < 0)
		goto done;
	w.history_known = opex_kb_history_known(opex_kb_handbook_history(hb));
	if (diff) {
		error = merge_changed(&c, &stats, &w, &old, &old_count, paths,
			path_count, hb, err);
		stats.unchanged += before > old_count ? before - old_count : 0;
	} else {
		error = merge_tree(&c, &stats, &w, old, old_count, hb, err);
	}
	if (error == 0)
		error = write_changes(&stats, &w, &c, hb, opts, err);
	if (error == 0 && strcmp(ctx.ptr, new_ctx.ptr) != 0 && !stats.rebuilt &&
	    stats.unchanged > 0)
		error = opex_search_refresh_staleness(ix, hb, err);
	if (error == 0 && stats.rebuilt)
		error = opex_search_db_exec(ix, opex_search_sql_filter_indexes, "rebuild", err);
	if (error == 0)
		error = opex_search_meta_set(ix, "revision", opex_kb_repo_commit(repo), err);
	if (error == 0)
		error = opex_search_meta_set(ix, "context", new_ctx.ptr, err);
	stats.articles = stats.unchanged + c.add_count;
	snprintf(count, sizeof(count), "%zu", stats.articles);
	if (error == 0)
		error = opex_search_meta_set(ix, "articles", count, err);
	if (error < 0)
		goto done;
	opex_search_writer_release(&w);
	memset(&w, 0, sizeof(w));
	error = opex_search_db_exec(ix, "COMMIT", "update", err);
	if (error < 0)
		goto done;
	in_txn = false;
	stats.ms = opex_time_monotonic_ms() - start;
	if (out)
		*out = stats;
done:
	if (in_txn)
		sqlite3_exec(ix->db, "ROLLBACK", NULL, NULL, NULL);
	/* This connection's own commits do not move its data_version. */
	opex_search_facet_table_free(ix->facets);
	ix->facets = NULL;
	if (stats.rebuilt)
		sqlite3_exec(ix->db, "PRAGMA cache_size = -32768", NULL, NULL, NULL);
	opex_search_plan_release(ix);
	opex_search_writer_release(&w);
	free_docs(old, old_count);
	opex_strings_free(own_paths, own_paths ? path_count : 0);
	changes_release(&c);
	opex_buf_release(&rev);
	opex_buf_release(&ctx);
	opex_buf_release(&new_ctx);
	return error;
}

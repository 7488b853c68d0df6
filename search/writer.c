/*
 * writer.c: the rows of one article. An article becomes one doc row, its
 * tags, markets and teams, and one FTS5 row in fts_en (English, stemmed)
 * or fts (every other language), with CJK text split into characters; its
 * staleness is stored as a date (stale_after) so the index never needs a
 * rewrite as days pass.
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

int opex_search_writer_init(opex_search_writer *w, opex_search_index *ix, opex_error *err)
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

void opex_search_writer_release(opex_search_writer *w)
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
static int run(opex_search_writer *w, sqlite3_stmt *st, opex_error *err)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return opex_search_db_error(w->ix, err, "update");
	return 0;
}

int opex_search_writer_remove(opex_search_writer *w, sqlite3_int64 id, bool stemmed,
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

static int add_list(opex_search_writer *w, sqlite3_stmt *st, sqlite3_int64 id,
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

int opex_search_writer_add(opex_search_writer *w, const opex_kb_article *a, const char *blob,
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

int opex_search_refresh_staleness(opex_search_index *ix, const opex_kb_handbook *hb,
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

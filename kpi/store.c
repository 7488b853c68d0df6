/*
 * store.c: the KPI store, a SQLite file outside git (the only SQLite
 * caller in kpi/). It keeps mapped fields only, never free text; the
 * requester is kept as SHA-256(salt || requester), the salt random per
 * store and kept in it.
 *
 *   table   column          meaning
 *   meta    key, value      "schema" = 2, "salt" = 32 hex digits
 *   cases   case_id (PK)    the case id as exported
 *           process, step   map path, node id (NULL: value mapped to no node)
 *           status, market, journey, team, channel, language
 *           requester       32-byte salted hash, or NULL
 *           created, first_reply, solved   seconds since 1970 (NULL: none)
 *           reopens, replies, escalated    integers (NULL: none)
 *           csat            a number (NULL: none)
 *           handle          handle time in seconds (NULL: none; added in schema 2)
 *           automated       1: handled only by automated teams
 *           digest          SHA-256 of the row: an unchanged row is not rewritten
 *   events  (case_id, at, activity) PK: one step a case passed
 *           process, step, market, journey, team, channel, language,
 *           requester, automated
 *
 * WAL mode; a file is one transaction, so a kill leaves before or after.
 */
#include "kpi/kpi_int.h"
#include "core/memory.h"
#include "core/path.h"
#include "core/sha256.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/banned.h"

struct opex_kpi_store {
	sqlite3 *db;
	char *path;
	unsigned char salt[16];
	sqlite3_stmt *put_case, *put_event;
};

/*
 * Events are keyed by process first, so a report reads one process's rows
 * in order from the key itself and ingest keeps no second index.
 */
#define EVENTS_COLUMNS \
	"(case_id TEXT NOT NULL, at INTEGER NOT NULL, activity TEXT NOT NULL," \
	" process TEXT, step TEXT, market TEXT, journey TEXT, team TEXT," \
	" channel TEXT, language TEXT, requester BLOB, automated INTEGER NOT NULL," \
	" PRIMARY KEY (process, case_id, at, activity)) WITHOUT ROWID"

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS cases (case_id TEXT PRIMARY KEY, process TEXT,"
	" step TEXT, status TEXT, market TEXT, journey TEXT, team TEXT,"
	" channel TEXT, language TEXT, requester BLOB, created INTEGER,"
	" first_reply INTEGER, solved INTEGER, reopens INTEGER, replies INTEGER,"
	" escalated INTEGER, csat REAL, automated INTEGER NOT NULL,"
	" digest BLOB NOT NULL, handle INTEGER);"
	"CREATE INDEX IF NOT EXISTS cases_process ON cases(process);"
	"CREATE TABLE IF NOT EXISTS events " EVENTS_COLUMNS ";";

static int db_error(opex_kpi_store *s, opex_error *err, const char *what)
{
	return opex_error_set(err, OPEX_EIO, "kpi store '%s': cannot %s: %s",
		s->path, what, sqlite3_errmsg(s->db));
}

static int exec(opex_kpi_store *s, const char *sql, const char *what,
	opex_error *err)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_error(s, err, what);
	return 0;
}

static int random_salt(unsigned char out[16], const char *path,
	opex_error *err)
{
	FILE *f = fopen("/dev/urandom", "rb");
	size_t n = 0;

	if (f != NULL) {
		n = fread(out, 1, 16, f);
		fclose(f);
	}
	if (n != 16)
		return opex_error_set(err, OPEX_EIO,
			"kpi store '%s': cannot read /dev/urandom for the salt", path);
	return 0;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int load_salt(opex_kpi_store *s, opex_error *err)
{
	sqlite3_stmt *st = NULL;
	int error = 0, rc;
	size_t i;

	if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = 'salt'",
			-1, &st, NULL) != SQLITE_OK) {
		error = db_error(s, err, "read the salt");
		goto done;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *hex = (const char *)sqlite3_column_text(st, 0);

		if (hex == NULL || strlen(hex) != 32) {
			error = opex_error_set(err, OPEX_EINVALID,
				"kpi store '%s': the salt is damaged", s->path);
			goto done;
		}
		for (i = 0; i < 16; i++) {
			int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);

			if (hi < 0 || lo < 0) {
				error = opex_error_set(err, OPEX_EINVALID,
					"kpi store '%s': the salt is damaged", s->path);
				goto done;
			}
			s->salt[i] = (unsigned char)(hi * 16 + lo);
		}
	} else if (rc == SQLITE_DONE) {
		char sql[128];
		char hex[33];

		error = random_salt(s->salt, s->path, err);
		if (error < 0)
			goto done;
		for (i = 0; i < 16; i++)
			snprintf(hex + 2 * i, 3, "%02x", s->salt[i]);
		snprintf(sql, sizeof(sql),
			"INSERT INTO meta VALUES ('salt', '%s'), ('schema', '2')", hex);
		error = exec(s, sql, "store the salt", err);
	} else {
		error = db_error(s, err, "read the salt");
	}
done:
	sqlite3_finalize(st);
	return error;
}

/*
 * A schema 1 store gains the handle time column and re-keys its events
 * (the process first), in one transaction; its rows stay.
 */
static int upgrade(opex_kpi_store *s, opex_error *err)
{
	sqlite3_stmt *st = NULL;
	bool old = false;
	int error;

	if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = 'schema'",
			-1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		old = strcmp((const char *)sqlite3_column_text(st, 0), "1") == 0;
	sqlite3_finalize(st);
	if (!old)
		return 0;
	error = exec(s, "BEGIN IMMEDIATE;"
		" ALTER TABLE cases ADD COLUMN handle INTEGER;"
		" CREATE TABLE events_v2 " EVENTS_COLUMNS ";"
		" INSERT OR IGNORE INTO events_v2 SELECT * FROM events;"
		" DROP TABLE events;"
		" ALTER TABLE events_v2 RENAME TO events;"
		" UPDATE meta SET value = '2' WHERE key = 'schema';"
		" COMMIT", "upgrade the store to schema 2", err);
	if (error < 0)
		(void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return error;
}

void opex_kpi_store_default_path(opex_buf *out, const opex_kb_repo *repo)
{
	const char *dir = opex_kb_repo_git_dir(repo);
	size_t len = strlen(dir);

	opex_buf_clear(out);
	opex_buf_puts(out, dir);
	if (len == 0 || dir[len - 1] != '/')
		opex_buf_putc(out, '/');
	opex_buf_puts(out, "opex/kpi.sqlite");
}

void opex_kpi_store_free(opex_kpi_store *store)
{
	if (store == NULL)
		return;
	sqlite3_finalize(store->put_case);
	sqlite3_finalize(store->put_event);
	sqlite3_close(store->db);
	opex_free(store->path);
	opex_free(store);
}

int opex_kpi_store_open(opex_kpi_store **out, const char *path,
	opex_error *err)
{
	opex_kpi_store *s = opex_calloc(1, sizeof(*s));
	bool memory = strcmp(path, ":memory:") == 0;
	int error = 0;

	*out = NULL;
	s->path = opex_strdup(path);
	if (!memory)
		opex_path_make_parent(path);
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE |
			SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		error = opex_error_set(err, OPEX_EIO, "cannot open kpi store '%s': %s",
			path, s->db ? sqlite3_errmsg(s->db) : "out of memory");
		goto done;
	}
	sqlite3_busy_timeout(s->db, 10000);
	error = exec(s, memory ? "PRAGMA temp_store = MEMORY" :
		"PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
		" PRAGMA temp_store = MEMORY", "configure", err);
	if (error < 0)
		goto done;
	if (sqlite3_exec(s->db, schema, NULL, NULL, NULL) != SQLITE_OK) {
		error = opex_error_set(err, OPEX_EINVALID,
			"'%s' is not an opex kpi store: %s", path, sqlite3_errmsg(s->db));
		goto done;
	}
	error = load_salt(s, err);
	if (error == 0)
		error = upgrade(s, err);
	if (error < 0)
		goto done;
	if (sqlite3_prepare_v3(s->db,
		"INSERT INTO cases VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
		" ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)"
		" ON CONFLICT (case_id) DO UPDATE SET process = ?2, step = ?3,"
		" status = ?4, market = ?5, journey = ?6, team = ?7, channel = ?8,"
		" language = ?9, requester = ?10, created = ?11, first_reply = ?12,"
		" solved = ?13, reopens = ?14, replies = ?15, escalated = ?16,"
		" csat = ?17, automated = ?18, digest = ?19, handle = ?20"
		" WHERE digest <> ?19",
		-1, SQLITE_PREPARE_PERSISTENT, &s->put_case, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v3(s->db,
		"INSERT OR IGNORE INTO events VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
		" ?8, ?9, ?10, ?11, ?12)",
		-1, SQLITE_PREPARE_PERSISTENT, &s->put_event, NULL) != SQLITE_OK) {
		error = db_error(s, err, "prepare");
		goto done;
	}
	*out = s;
	s = NULL;
done:
	opex_kpi_store_free(s);
	return error;
}

void kpi_store_hash_requester(unsigned char out[32],
	const opex_kpi_store *store, const char *s, size_t len)
{
	opex_sha256 ctx;

	opex_sha256_init(&ctx);
	opex_sha256_update(&ctx, store->salt, sizeof(store->salt));
	opex_sha256_update(&ctx, s, len);
	opex_sha256_final(&ctx, out);
}

int kpi_store_begin(opex_kpi_store *store, opex_error *err)
{
	return exec(store, "BEGIN IMMEDIATE", "begin a transaction", err);
}

int kpi_store_commit(opex_kpi_store *store, opex_error *err)
{
	return exec(store, "COMMIT", "commit", err);
}

void kpi_store_rollback(opex_kpi_store *store)
{
	(void)sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

static void bind_time(sqlite3_stmt *st, int i, int64_t t, bool set)
{
	if (set)
		sqlite3_bind_int64(st, i, t);
	else
		sqlite3_bind_null(st, i);
}

static void digest_text(opex_sha256 *ctx, const char *s)
{
	if (s != NULL)
		opex_sha256_update(ctx, s, strlen(s) + 1);
	else
		opex_sha256_update(ctx, "\xff", 1);
}

int kpi_store_put_case(opex_kpi_store *store, const kpi_case_row *row,
	bool *changed, opex_error *err)
{
	sqlite3_stmt *st = store->put_case;
	unsigned char digest[32];
	opex_sha256 ctx;
	int64_t nums[7];
	size_t i;
	int rc;

	opex_sha256_init(&ctx);
	digest_text(&ctx, row->process);
	digest_text(&ctx, row->step);
	digest_text(&ctx, row->status);
	for (i = 0; i < KPI_ROW_DIMS; i++)
		digest_text(&ctx, row->dims[i]);
	if (row->requester)
		opex_sha256_update(&ctx, row->requester, 32);
	nums[0] = row->created;
	nums[1] = row->first_reply;
	nums[2] = row->solved;
	nums[3] = row->reopens;
	nums[4] = row->replies;
	nums[5] = row->escalated * 2 + (row->automated ? 1 : 0);
	nums[6] = row->handle;
	opex_sha256_update(&ctx, nums, sizeof(nums));
	opex_sha256_update(&ctx, &row->csat, sizeof(row->csat));
	opex_sha256_final(&ctx, digest);

	bind_text(st, 1, row->case_id);
	bind_text(st, 2, row->process);
	bind_text(st, 3, row->step);
	bind_text(st, 4, row->status);
	for (i = 0; i < KPI_ROW_DIMS; i++)
		bind_text(st, 5 + (int)i, row->dims[i]);
	if (row->requester)
		sqlite3_bind_blob(st, 10, row->requester, 32, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 10);
	bind_time(st, 11, row->created, true);
	bind_time(st, 12, row->first_reply, row->first_reply != 0);
	bind_time(st, 13, row->solved, row->solved != 0);
	bind_time(st, 14, row->reopens, row->reopens >= 0);
	bind_time(st, 15, row->replies, row->replies >= 0);
	bind_time(st, 16, row->escalated, row->escalated >= 0);
	if (row->csat >= 0)
		sqlite3_bind_double(st, 17, row->csat);
	else
		sqlite3_bind_null(st, 17);
	sqlite3_bind_int(st, 18, row->automated ? 1 : 0);
	sqlite3_bind_blob(st, 19, digest, 32, SQLITE_TRANSIENT);
	bind_time(st, 20, row->handle, row->handle >= 0);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE)
		return db_error(store, err, "write a case");
	*changed = sqlite3_changes(store->db) > 0;
	return 0;
}

int kpi_store_put_event(opex_kpi_store *store, const kpi_event_row *row,
	bool *changed, opex_error *err)
{
	sqlite3_stmt *st = store->put_event;
	size_t i;
	int rc;

	bind_text(st, 1, row->case_id);
	sqlite3_bind_int64(st, 2, row->at);
	bind_text(st, 3, row->activity);
	bind_text(st, 4, row->process);
	bind_text(st, 5, row->step);
	for (i = 0; i < KPI_ROW_DIMS; i++)
		bind_text(st, 6 + (int)i, row->dims[i]);
	if (row->requester)
		sqlite3_bind_blob(st, 11, row->requester, 32, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 11);
	sqlite3_bind_int(st, 12, row->automated ? 1 : 0);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_error(store, err, "write an event");
	*changed = sqlite3_changes(store->db) > 0;
	return 0;
}

int kpi_store_count(opex_kpi_store *store, const char *table, uint64_t *out,
	opex_error *err)
{
	sqlite3_stmt *st = NULL;
	int error = 0;
	const char *sql = strcmp(table, "events") == 0 ?
		"SELECT count(*) FROM events" : "SELECT count(*) FROM cases";

	*out = 0;
	if (sqlite3_prepare_v2(store->db, sql, -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW)
		error = db_error(store, err, "count rows");
	else
		*out = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return error;
}

static const char *intern(kpi_loaded *l, const unsigned char *s)
{
	char *copy;

	if (s == NULL)
		return NULL;
	copy = opex_strdup((const char *)s);
	opex_array_grow((void **)&l->strings, &l->string_cap,
		l->string_count + 1, sizeof(char *));
	l->strings[l->string_count++] = copy;
	return copy;
}

/*
 * Dimension values of events repeat (a few markets, teams, languages over
 * a million rows): each distinct one is copied once.
 */
#define DIM_VALUES_KEPT 256u

static const char *intern_dim(kpi_loaded *l, const unsigned char *s)
{
	const char *copy;
	size_t i;

	if (s == NULL)
		return NULL;
	for (i = l->dim_value_count; i-- > 0;)
		if (strcmp(l->dim_values[i], (const char *)s) == 0)
			return l->dim_values[i];
	copy = intern(l, s);
	if (l->dim_value_count < DIM_VALUES_KEPT) {
		opex_array_grow((void **)&l->dim_values, &l->dim_value_cap,
			l->dim_value_count + 1, sizeof(char *));
		l->dim_values[l->dim_value_count++] = copy;
	}
	return copy;
}

void kpi_loaded_release(kpi_loaded *l)
{
	size_t i;

	for (i = 0; i < l->string_count; i++)
		opex_free(l->strings[i]);
	opex_free(l->strings);
	opex_free((void *)l->dim_values);
	opex_free(l->cases);
	opex_free(l->events);
	memset(l, 0, sizeof(*l));
}

int kpi_store_load(kpi_loaded *out, opex_kpi_store *store,
	const char *process, opex_error *err)
{
	sqlite3_stmt *st = NULL;
	int error = 0, rc;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (sqlite3_prepare_v2(store->db,
		"SELECT case_id, step, status, market, journey, team, channel,"
		" language, requester, created, first_reply, solved, reopens, csat,"
		" automated, handle, replies FROM cases WHERE process = ?1"
		" ORDER BY case_id",
		-1, &st, NULL) != SQLITE_OK) {
		error = db_error(store, err, "read cases");
		goto done;
	}
	sqlite3_bind_text(st, 1, process, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		kpi_case *c;

		opex_array_grow((void **)&out->cases, &out->case_cap,
			out->case_count + 1, sizeof(*out->cases));
		c = &out->cases[out->case_count++];
		memset(c, 0, sizeof(*c));
		c->id = intern(out, sqlite3_column_text(st, 0));
		c->step = intern(out, sqlite3_column_text(st, 1));
		c->status = intern(out, sqlite3_column_text(st, 2));
		for (i = 0; i < KPI_ROW_DIMS; i++)
			c->dims[i] = intern(out, sqlite3_column_text(st, 3 + (int)i));
		if (sqlite3_column_bytes(st, 8) == 32) {
			memcpy(c->requester, sqlite3_column_blob(st, 8), 32);
			c->has_requester = true;
		}
		c->created = sqlite3_column_int64(st, 9);
		c->first_reply = sqlite3_column_int64(st, 10);
		c->solved = sqlite3_column_int64(st, 11);
		c->reopens = sqlite3_column_type(st, 12) == SQLITE_NULL ? -1 :
			sqlite3_column_int64(st, 12);
		c->csat = sqlite3_column_type(st, 13) == SQLITE_NULL ? -1 :
			sqlite3_column_double(st, 13);
		c->automated = sqlite3_column_int(st, 14) != 0;
		c->handle = sqlite3_column_type(st, 15) == SQLITE_NULL ? -1 :
			sqlite3_column_int64(st, 15);
		c->replies = sqlite3_column_type(st, 16) == SQLITE_NULL ? -1 :
			sqlite3_column_int64(st, 16);
		c->from_ticket = true;
	}
	if (rc != SQLITE_DONE) {
		error = db_error(store, err, "read cases");
		goto done;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(store->db,
		"SELECT case_id, step, at, automated, market, journey, team,"
		" channel, language FROM events"
		" WHERE process = ?1 ORDER BY case_id, at",
		-1, &st, NULL) != SQLITE_OK) {
		error = db_error(store, err, "read events");
		goto done;
	}
	sqlite3_bind_text(st, 1, process, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		kpi_event *e;
		const unsigned char *id = sqlite3_column_text(st, 0);

		opex_array_grow((void **)&out->events, &out->event_cap,
			out->event_count + 1, sizeof(*out->events));
		e = &out->events[out->event_count++];
		if (out->event_count > 1 && id != NULL &&
		    strcmp(e[-1].case_id, (const char *)id) == 0)
			e->case_id = e[-1].case_id;
		else
			e->case_id = intern(out, id);
		e->step = intern(out, sqlite3_column_text(st, 1));
		e->at = sqlite3_column_int64(st, 2);
		e->automated = sqlite3_column_int(st, 3) != 0;
		for (i = 0; i < KPI_ROW_DIMS; i++)
			e->dims[i] = intern_dim(out, sqlite3_column_text(st, 4 + (int)i));
	}
	if (rc != SQLITE_DONE)
		error = db_error(store, err, "read events");
done:
	sqlite3_finalize(st);
	if (error < 0)
		kpi_loaded_release(out);
	return error;
}

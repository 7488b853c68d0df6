/*
 * acks.c: required reading. Announcements, articles with `acknowledge:`
 * and maps with acknowledge= ask their audience to read them; a reader's
 * receipt is a record on refs/opex/acks (kb/git_records.c, as approvals
 * are), pinned to the blob it was given for, so that any later edit makes
 * it stale until it is given again.
 *
 * A receipt is UTF-8 text, one `key value` field per line, in this order
 * (canonical form: it reads back to exactly the same bytes):
 *
 *   opex-ack  1 (format version)
 *   path      announcements/x.md: the item
 *   blob      the item's blob id when acknowledged
 *   read      the file read: the item, or a translation of it
 *   person    roster id
 *   time      2027-01-02T10:00:00Z
 *   revision  the handbook commit it was given at
 *   prev      the previous record's commit, or "-"
 *
 * A receipt counts for the newest of its person and path, and only when
 * its commit's author is the person (the roster email), the person is on
 * the roster and in the item's audience, and `read` is the item or one of
 * its translations. Anything else is a problem naming the commit.
 */
#include "launches/launches.h"
#include "launches/launches_int.h"
#include "core/limits.h"
#include "core/memory.h"
#include "core/path.h"
#include "core/str.h"
#include "core/text.h"
#include "core/time.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

/* Words of difference past which a change is shown as a rewrite. */
#define DIFF_MAX_EDITS 2000u

static const char *const kind_names[] = { "announcement", "article", "process" };
static const char *const state_names[] = { "missing", "stale", "current" };

const char *opex_ack_kind_name(opex_ack_kind kind)
{
	return (unsigned)kind < 3 ? kind_names[kind] : "?";
}

const char *opex_ack_state_name(opex_ack_state state)
{
	return (unsigned)state < 3 ? state_names[state] : "?";
}

/* --- the record --- */

void opex_ack_receipt_release(opex_ack_receipt *r)
{
	opex_free(r->path);
	opex_free(r->blob);
	opex_free(r->read);
	opex_free(r->person);
	opex_free(r->revision);
	opex_free(r->prev);
	opex_free(r->author_email);
	memset(r, 0, sizeof(*r));
}

void opex_ack_receipt_format(opex_buf *out, const opex_ack_receipt *r)
{
	char when[32];

	opex_time_format_iso(when, sizeof(when), r->time);
	opex_buf_printf(out, "opex-ack 1\npath %s\nblob %s\nread %s\nperson %s\n",
		r->path, r->blob, r->read, r->person);
	opex_buf_printf(out, "time %s\nrevision %s\nprev %s\n", when,
		r->revision, r->prev && r->prev[0] ? r->prev : "-");
}

enum { F_PATH = 0, F_BLOB, F_READ, F_PERSON, F_TIME, F_REVISION, F_PREV,
	F_COUNT };

static const char *const field_names[F_COUNT] = {
	"path", "blob", "read", "person", "time", "revision", "prev"
};

static int field(opex_ack_receipt *r, unsigned n, int f, const char *v,
	size_t vl, opex_error *err)
{
	char tmp[64];

	switch (f) {
	case F_PATH: case F_READ: {
		char *p = opex_strndup(v, vl);

		if (!opex_launch_is_word(v, vl) || !opex_path_is_clean(p)) {
			opex_free(p);
			return opex_error_set(err, OPEX_EINVALID,
				"line %u: '%s' must be a handbook path", n,
				field_names[f]);
		}
		*(f == F_PATH ? &r->path : &r->read) = p;
		return 0;
	}
	case F_PERSON:
		if (!opex_launch_is_word(v, vl))
			return opex_error_set(err, OPEX_EINVALID,
				"line %u: 'person' must be one word", n);
		r->person = opex_strndup(v, vl);
		return 0;
	case F_TIME:
		if (vl == 0 || vl >= sizeof(tmp))
			return opex_error_set(err, OPEX_EINVALID,
				"line %u: malformed time", n);
		memcpy(tmp, v, vl);
		tmp[vl] = '\0';
		if (opex_time_parse_date(&r->time, tmp, NULL) < 0)
			return opex_error_set(err, OPEX_EINVALID,
				"line %u: malformed time", n);
		return 0;
	case F_PREV:
		if (vl == 1 && v[0] == '-') {
			r->prev = opex_strdup("");
			return 0;
		}
		/* fall through */
	default:
		if (vl != 40 || !opex_launch_is_hex(v, vl))
			return opex_error_set(err, OPEX_EINVALID,
				"line %u: %s must be 40 hex digits", n,
				field_names[f]);
		*(f == F_BLOB ? &r->blob : f == F_REVISION ? &r->revision
			: &r->prev) = opex_strndup(v, vl);
		return 0;
	}
}

int opex_ack_receipt_parse(opex_ack_receipt *out, const char *text,
	size_t len, opex_error *err)
{
	static const char header[] = "opex-ack 1\n";
	size_t pos = sizeof(header) - 1;
	unsigned n = 1;
	int f, error = 0;

	memset(out, 0, sizeof(*out));
	if (len > OPEX_LIMIT_RECORD_BYTES)
		return opex_error_set(err, OPEX_ETOOBIG,
			"a receipt is larger than %u bytes", OPEX_LIMIT_RECORD_BYTES);
	if (len < pos || memcmp(text, header, pos) != 0)
		return opex_error_set(err, OPEX_EINVALID,
			"not a receipt: the first line must be 'opex-ack 1'");
	for (f = 0; f < F_COUNT && error == 0; f++) {
		const char *line = text + pos, *nl;
		size_t key = strlen(field_names[f]);

		n++;
		nl = pos < len ? memchr(line, '\n', len - pos) : NULL;
		if (nl == NULL || (size_t)(nl - line) <= key ||
		    memcmp(line, field_names[f], key) != 0 || line[key] != ' ') {
			error = opex_error_set(err, OPEX_EINVALID,
				"line %u: expected the field '%s'", n, field_names[f]);
			break;
		}
		error = field(out, n, f, line + key + 1,
			(size_t)(nl - line) - key - 1, err);
		pos = (size_t)(nl - text) + 1;
	}
	if (error == 0 && pos != len)
		error = opex_error_set(err, OPEX_EINVALID,
			"line %u: text after the last field", n + 1);
	if (error < 0)
		opex_ack_receipt_release(out);
	return error;
}

/* --- the log --- */

void opex_ack_log_release(opex_ack_log *log)
{
	size_t i;

	for (i = 0; i < log->count; i++)
		opex_ack_receipt_release(&log->items[i]);
	opex_free(log->items);
	opex_free(log->by_key);
	opex_diag_list_release(&log->problems);
	memset(log, 0, sizeof(*log));
}

static int key_cmp(const void *x, const void *y)
{
	const opex_ack_key *a = x, *b = y;
	int c = strcmp(a->path, b->path);

	if (c == 0)
		c = strcmp(a->person, b->person);
	if (c == 0)
		c = a->index < b->index ? -1 : a->index > b->index;
	return c;
}

static void index_keys(opex_ack_log *log)
{
	size_t i;

	opex_free(log->by_key);
	log->by_key = opex_calloc(log->count + 1, sizeof(*log->by_key));
	for (i = 0; i < log->count; i++)
		log->by_key[i] = (opex_ack_key){ log->items[i].path,
			log->items[i].person, i };
	if (log->count > 1)
		qsort(log->by_key, log->count, sizeof(*log->by_key), key_cmp);
}

/* Take the chain's records (the first parented on `parent`) into the log. */
static void take_records(opex_ack_log *log, const opex_kb_record_chain *chain,
	const char *parent)
{
	opex_buf canon = OPEX_BUF_INIT(OPEX_LIMIT_RECORD_BYTES);
	const char *ref = OPEX_ACK_REF;
	size_t i;

	for (i = 0; i < chain->count; i++) {
		const opex_kb_record *r = &chain->records[i];
		const char *expected = i > 0 ? chain->records[i - 1].commit : parent;
		opex_error e = OPEX_ERROR_INIT;
		opex_ack_receipt a;

		if (r->problem != NULL) {
			opex_diag_add(&log->problems, OPEX_SEVERITY_ERROR,
				"record-invalid", ref, 0, 0, "commit %.12s: %s",
				r->commit, r->problem);
			continue;
		}
		if (opex_ack_receipt_parse(&a, r->content, r->len, &e) < 0) {
			opex_diag_add(&log->problems, OPEX_SEVERITY_ERROR,
				"record-invalid", ref, 0, 0, "commit %.12s: %s",
				r->commit, e.message);
			continue;
		}
		if (strcmp(a.prev, expected) != 0) {
			opex_diag_add(&log->problems, OPEX_SEVERITY_ERROR,
				"record-tampered", ref, 0, 0,
				"commit %.12s: its receipt names %.12s as the previous record, but its parent is %.12s: the chain was rewritten",
				r->commit, a.prev[0] ? a.prev : "(none)",
				expected[0] ? expected : "(none)");
			opex_ack_receipt_release(&a);
			continue;
		}
		opex_buf_clear(&canon);
		opex_ack_receipt_format(&canon, &a);
		if (canon.len != r->len || memcmp(canon.ptr, r->content, r->len) != 0) {
			opex_diag_add(&log->problems, OPEX_SEVERITY_ERROR,
				"record-invalid", ref, 0, 0,
				"commit %.12s: the receipt is not in canonical form: it was not written by opex",
				r->commit);
			opex_ack_receipt_release(&a);
			continue;
		}
		memcpy(a.commit, r->commit, sizeof(a.commit));
		a.author_email = opex_strdup(r->author_email);
		opex_array_grow((void **)&log->items, &log->cap, log->count + 1,
			sizeof(*log->items));
		log->items[log->count++] = a;
	}
	opex_buf_release(&canon);
}

int opex_ack_log_refresh(opex_ack_log *log, const opex_kb_repo *repo,
	bool *changed, opex_error *err)
{
	opex_kb_record_chain chain = OPEX_KB_RECORD_CHAIN_INIT;
	char since[41];
	bool whole;
	int error;

	if (changed != NULL)
		*changed = false;
	memcpy(since, log->tip, sizeof(since));
	error = opex_kb_records_read_since(&chain, repo, OPEX_ACK_REF, since,
		&whole, err);
	if (error < 0)
		goto done;
	if (!whole && chain.count == 0 && chain.problem == NULL)
		goto done;        /* the ref has not moved */
	if (whole) {
		opex_ack_log_release(log);
		if (chain.problem != NULL)
			opex_diag_add(&log->problems, OPEX_SEVERITY_ERROR,
				"record-invalid", OPEX_ACK_REF, 0, 0, "%s",
				chain.problem);
	}
	take_records(log, &chain, whole ? "" : since);
	memcpy(log->tip, chain.tip, sizeof(log->tip));
	index_keys(log);
	if (changed != NULL)
		*changed = true;
done:
	opex_kb_record_chain_release(&chain);
	return error;
}

/* The first key of (path, person) (person NULL: of path), or log->count. */
static size_t key_lower(const opex_ack_log *log, const char *path,
	const char *person)
{
	size_t lo = 0, hi = log->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const opex_ack_key *k = &log->by_key[mid];
		int c = strcmp(k->path, path);

		if (c == 0 && person != NULL)
			c = strcmp(k->person, person);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const opex_ack_receipt *opex_ack_log_find(const opex_ack_log *log,
	const char *path, const char *person)
{
	size_t i = key_lower(log, path, person), last = log->count;

	for (; i < log->count && strcmp(log->by_key[i].path, path) == 0 &&
	     strcmp(log->by_key[i].person, person) == 0; i++)
		last = i;
	return last < log->count ? &log->items[log->by_key[last].index] : NULL;
}

/* --- judging the items --- */

static int reader_cmp(const void *x, const void *y)
{
	const opex_ack_reader *a = x, *b = y;

	return strcmp(a->person->id, b->person->id);
}

static int item_cmp(const void *x, const void *y)
{
	const opex_ack_item *a = x, *b = y;

	return strcmp(a->path, b->path);
}

/* Fill the item's readers and teams from its audience. */
static void set_audience(opex_ack_item *item, const opex_kb_roster *roster,
	char *const *audience, size_t count)
{
	size_t i, t;

	item->readers = opex_calloc(roster->person_count + 1,
		sizeof(*item->readers));
	for (i = 0; i < roster->person_count; i++)
		if (opex_kb_audience_has(roster, audience, count,
				&roster->people[i]))
			item->readers[item->reader_count++].person =
				&roster->people[i];
	if (item->reader_count > 1)
		qsort(item->readers, item->reader_count,
			sizeof(*item->readers), reader_cmp);
	item->team_count = count ? count : 1;
	item->teams = opex_calloc(item->team_count, sizeof(*item->teams));
	for (t = 0; t < item->team_count; t++)
		item->teams[t].id = count ? audience[t] : OPEX_KB_AUDIENCE_EVERYONE;
}

static void add_item(opex_ack_status *out, size_t *cap,
	const opex_kb_handbook *hb, const char *path, opex_ack_kind kind,
	const char *title, const opex_kb_article *doc, char *const *audience,
	size_t audience_count, int64_t now)
{
	const opex_kb_entry *entry = opex_kb_repo_find(opex_kb_handbook_repo(hb),
		path);
	const opex_kb_commit *change = opex_kb_history_last_change(
		opex_kb_handbook_history(hb), path);
	opex_ack_item *item;

	opex_array_grow((void **)&out->items, cap, out->count + 1,
		sizeof(*out->items));
	item = &out->items[out->count++];
	memset(item, 0, sizeof(*item));
	item->path = path;
	item->kind = kind;
	item->title = title != NULL ? title : path;
	item->doc = doc;
	if (entry != NULL)
		memcpy(item->blob, entry->oid, sizeof(item->blob));
	item->changed = change != NULL ? change->time : 0;
	item->required = kind != OPEX_ACK_ANNOUNCEMENT ||
		doc->announcement->requires_ack;
	if (doc != NULL && doc->announcement != NULL) {
		item->severity = doc->announcement->severity;
		item->expired = opex_kb_announcement_expired(doc, now);
		if (doc->announcement->ack_within != 0 && item->changed != 0)
			item->due = item->changed + doc->announcement->ack_within;
	}
	set_audience(item, opex_kb_handbook_roster(hb), audience, audience_count);
}

static void collect_items(opex_ack_status *out, const opex_kb_handbook *hb,
	const opex_pm_map *const *maps, size_t map_count, int64_t now)
{
	size_t i, cap = 0, first, n;

	n = opex_kb_handbook_announcements(hb, &first);
	for (i = first; i < first + n; i++) {
		const opex_kb_article *a = opex_kb_handbook_article(hb, i);

		if (a->translation_of == NULL)
			add_item(out, &cap, hb, a->path, OPEX_ACK_ANNOUNCEMENT,
				a->title, a, a->announcement->audience,
				a->announcement->audience_count, now);
	}
	n = opex_kb_handbook_article_count(hb);
	for (i = 0; i < n; i++) {
		const opex_kb_article *a = opex_kb_handbook_article(hb, i);

		if (a->acknowledge_count > 0 && a->announcement == NULL &&
		    a->translation_of == NULL)
			add_item(out, &cap, hb, a->path, OPEX_ACK_ARTICLE,
				a->title, a, a->acknowledge,
				a->acknowledge_count, now);
	}
	for (i = 0; i < map_count; i++) {
		char *const *teams;
		size_t count = opex_pm_map_acknowledge(maps[i], &teams);

		if (count > 0)
			add_item(out, &cap, hb, opex_pm_map_path(maps[i]),
				OPEX_ACK_PROCESS,
				opex_pm_map_attr(maps[i], OPEX_PM_ATTR_TITLE), NULL,
				teams, count, now);
	}
	if (out->count > 1)
		qsort(out->items, out->count, sizeof(*out->items), item_cmp);
}

static int path_vs_item(const void *key, const void *elem)
{
	return strcmp(key, ((const opex_ack_item *)elem)->path);
}

static int person_vs_reader(const void *key, const void *elem)
{
	return strcmp(key, ((const opex_ack_reader *)elem)->person->id);
}

static opex_ack_item *item_at(const opex_ack_status *st, const char *path)
{
	return st->count == 0 ? NULL
		: bsearch(path, st->items, st->count, sizeof(*st->items),
			path_vs_item);
}

const opex_ack_reader *opex_ack_item_reader(const opex_ack_item *item,
	const char *person)
{
	return item->reader_count == 0 ? NULL
		: bsearch(person, item->readers, item->reader_count,
			sizeof(*item->readers), person_vs_reader);
}

const opex_ack_item *opex_ack_status_find(const opex_ack_status *status,
	const opex_kb_handbook *hb, const char *path)
{
	const opex_ack_item *item = item_at(status, path);
	const opex_kb_article *a;

	if (item != NULL)
		return item;
	a = opex_kb_handbook_find(hb, path);
	return a != NULL && a->translation_of != NULL
		? item_at(status, a->translation_of) : NULL;
}

/* Why receipt `r` of `item` does not count, or NULL when it does. */
static const char *receipt_refusal(opex_buf *why, const opex_kb_handbook *hb,
	const opex_ack_item *item, const opex_ack_receipt *r)
{
	const opex_kb_person *p = opex_kb_roster_person(
		opex_kb_handbook_roster(hb), r->person);
	const opex_kb_article *read;

	opex_buf_clear(why);
	if (p == NULL) {
		opex_buf_printf(why, "'%s' is not on the roster", r->person);
		return why->ptr;
	}
	if (p->email != NULL && p->email[0] != '\0' &&
	    opex_strcasecmp(p->email, r->author_email) != 0) {
		opex_buf_printf(why, "written by <%s>, not by %s <%s>: a receipt only its reader may give",
			r->author_email, r->person, p->email);
		return why->ptr;
	}
	if (opex_ack_item_reader(item, r->person) == NULL) {
		opex_buf_printf(why, "'%s' is not in the audience of %s",
			r->person, item->path);
		return why->ptr;
	}
	if (strcmp(r->read, r->path) != 0) {
		read = opex_kb_handbook_find(hb, r->read);
		if (read != NULL && read->translation_of != NULL &&
		    strcmp(read->translation_of, r->path) == 0)
			return NULL;
		/* A translation may since have been removed: still a receipt. */
		if (read == NULL)
			return NULL;
		opex_buf_printf(why, "it says '%s' was read, which is no translation of %s",
			r->read, item->path);
		return why->ptr;
	}
	return NULL;
}

void opex_ack_evaluate(opex_ack_status *out, const opex_kb_handbook *hb,
	const opex_pm_map *const *maps, size_t map_count,
	const opex_ack_log *log, int64_t now)
{
	opex_buf why = OPEX_BUF_INIT(OPEX_LIMIT_LINE_BYTES);
	const opex_kb_roster *roster = opex_kb_handbook_roster(hb);
	bool *counts = opex_calloc(log->count + 1, sizeof(*counts));
	size_t i, k, t;

	memset(out, 0, sizeof(*out));
	out->now = now ? now : opex_kb_handbook_now(hb);
	for (i = 0; i < log->problems.count; i++) {
		const opex_diag *d = &log->problems.items[i];

		opex_diag_add(&out->problems, d->severity, d->rule, d->path,
			d->line, d->col, "%s", d->message);
	}
	collect_items(out, hb, maps, map_count, out->now);
	/* Which receipts count, in chain order so problems read in order. */
	for (i = 0; i < log->count; i++) {
		const opex_ack_receipt *r = &log->items[i];
		const opex_ack_item *item = item_at(out, r->path);
		const char *refusal;

		if (item == NULL)
			continue;         /* no longer asks for reading */
		refusal = receipt_refusal(&why, hb, item, r);
		if (refusal != NULL) {
			opex_diag_add(&out->problems, OPEX_SEVERITY_ERROR,
				"receipt-not-counted", OPEX_ACK_REF, 0, 0,
				"commit %.12s: receipt of %s by %s: %s", r->commit,
				r->path, r->person, refusal);
			continue;
		}
		counts[i] = true;
	}
	for (i = 0; i < out->count; i++) {
		opex_ack_item *item = &out->items[i];

		for (k = 0; k < item->reader_count; k++) {
			opex_ack_reader *rd = &item->readers[k];
			size_t j = key_lower(log, item->path, rd->person->id);

			for (; j < log->count &&
			     strcmp(log->by_key[j].path, item->path) == 0 &&
			     strcmp(log->by_key[j].person, rd->person->id) == 0; j++)
				if (counts[log->by_key[j].index])
					rd->receipt = &log->items[log->by_key[j].index];
			if (rd->receipt == NULL)
				rd->state = OPEX_ACK_MISSING;
			else if (strcmp(rd->receipt->blob, item->blob) == 0)
				rd->state = OPEX_ACK_CURRENT;
			else
				rd->state = OPEX_ACK_STALE;
			out->counted += rd->receipt != NULL;
			item->current += rd->state == OPEX_ACK_CURRENT;
			item->stale += rd->state == OPEX_ACK_STALE;
			item->missing += rd->state == OPEX_ACK_MISSING;
			rd->overdue = rd->state != OPEX_ACK_CURRENT &&
				item->required && !item->expired &&
				item->due != 0 && out->now > item->due;
			item->overdue += rd->overdue;
			for (t = 0; t < item->team_count; t++) {
				opex_ack_team *team = &item->teams[t];

				if (!opex_kb_audience_entry_has(roster, team->id, rd->person))
					continue;
				team->members++;
				team->current += rd->state == OPEX_ACK_CURRENT;
				team->stale += rd->state == OPEX_ACK_STALE;
			}
		}
	}
	opex_free(counts);
	opex_buf_release(&why);
}

void opex_ack_status_release(opex_ack_status *status)
{
	size_t i;

	for (i = 0; i < status->count; i++) {
		opex_free(status->items[i].readers);
		opex_free(status->items[i].teams);
	}
	opex_free(status->items);
	opex_diag_list_release(&status->problems);
	memset(status, 0, sizeof(*status));
}

opex_ack_refusal opex_ack_check(const opex_ack_item *item,
	const char *person, opex_buf *why)
{
	const opex_ack_reader *rd = opex_ack_item_reader(item, person);

	if (why != NULL)
		opex_buf_clear(why);
	if (item->expired) {
		if (why != NULL)
			opex_buf_printf(why, "%s has expired: it asks nobody to read it any more",
				item->path);
		return OPEX_ACK_EXPIRED;
	}
	if (rd == NULL) {
		if (why != NULL)
			opex_buf_printf(why, "'%s' is not in the audience of %s",
				person, item->path);
		return OPEX_ACK_NOT_AUDIENCE;
	}
	if (rd->state == OPEX_ACK_CURRENT) {
		if (why != NULL)
			opex_buf_printf(why, "'%s' already acknowledged %s as it is (commit %.12s)",
				person, item->path, rd->receipt->commit);
		return OPEX_ACK_ALREADY;
	}
	return OPEX_ACK_OK;
}

/* opex_kb_record_build_fn: the receipt, chained on the tip it lands on. */
static int build_receipt(opex_buf *out, const char *parent, void *payload)
{
	opex_ack_receipt *r = payload;

	opex_free(r->prev);
	r->prev = opex_strdup(parent);
	opex_ack_receipt_format(out, r);
	return 0;
}

int opex_ack_append(char *out, const opex_ack_item *item, const char *read,
	const opex_kb_repo *repo, const char *origin, const opex_kb_person *who,
	int64_t time, opex_error *err)
{
	opex_buf summary = OPEX_BUF_INIT(OPEX_LIMIT_LINE_BYTES);
	opex_ack_receipt r;
	int error;

	memset(&r, 0, sizeof(r));
	r.path = opex_strdup(item->path);
	r.blob = opex_strdup(item->blob);
	r.read = opex_strdup(read != NULL ? read : item->path);
	r.person = opex_strdup(who->id);
	r.time = time;
	r.revision = opex_strdup(opex_kb_repo_commit(repo));
	opex_buf_printf(&summary, "acknowledge %s by %s", item->path, who->id);
	error = opex_launch_record_append(out, repo, origin, OPEX_ACK_REF,
		build_receipt, &r, summary.ptr, who, time, err);
	opex_buf_release(&summary);
	opex_ack_receipt_release(&r);
	return error;
}

/* --- what changed since a receipt --- */

/* The text a reader reads: an article's title and plain text; a map's steps and branches. */
static int rendered_text(opex_buf *out, const char *path, opex_ack_kind kind,
	const char *text, size_t len, opex_error *err)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	int error = 0;
	size_t i;

	if (kind == OPEX_ACK_PROCESS) {
		opex_pm_map *map = NULL;

		if (opex_pm_map_load(&map, path, text, len, &diags, err) < 0) {
			opex_diag_list_release(&diags);
			opex_error_clear(err);
			opex_buf_put(out, text, len); /* as DOT, when it no longer loads */
			return 0;
		}
		if (opex_pm_map_attr(map, OPEX_PM_ATTR_TITLE) != NULL)
			opex_buf_printf(out, "%s\n",
				opex_pm_map_attr(map, OPEX_PM_ATTR_TITLE));
		for (i = 0; i < opex_pm_map_node_count(map); i++) {
			const opex_pm_node *n = opex_pm_map_node(map, i);

			opex_buf_printf(out, "%s\n", n->label ? n->label : n->id);
		}
		for (i = 0; i < opex_pm_map_edge_count(map); i++) {
			const opex_pm_edge *e = opex_pm_map_edge(map, i);
			const opex_pm_node *a = opex_pm_map_node(map, e->tail);
			const opex_pm_node *b = opex_pm_map_node(map, e->head);

			opex_buf_printf(out, "%s \xe2\x86\x92 %s%s%s\n",
				a->label ? a->label : a->id,
				b->label ? b->label : b->id,
				e->label ? ": " : "", e->label ? e->label : "");
		}
		opex_pm_map_free(map);
	} else {
		opex_kb_article *a = opex_kb_article_parse(path, text, len, &diags);
		opex_kb_md_text plain;

		opex_kb_md_text_init(&plain, OPEX_LIMIT_FILE_BYTES);
		if (a == NULL) {
			opex_buf_put(out, text, len);
		} else {
			if (a->title != NULL)
				opex_buf_printf(out, "%s\n", a->title);
			error = opex_kb_markdown_plain(&plain, a->body, a->body_len,
				err);
			if (error == 0)
				opex_buf_put(out, plain.text.ptr, plain.text.len);
		}
		opex_kb_md_text_release(&plain);
		opex_kb_article_free(a);
	}
	opex_diag_list_release(&diags);
	return error;
}

static void note_run(int change, const char *const *words, const size_t *lens,
	size_t count, void *payload)
{
	opex_ack_diff *d = payload;
	opex_buf b = OPEX_BUF_INIT(OPEX_LIMIT_FILE_BYTES);
	size_t i;

	for (i = 0; i < count; i++) {
		if (i > 0)
			opex_buf_putc(&b, ' ');
		opex_buf_put(&b, words[i], lens[i]);
	}
	opex_array_grow((void **)&d->runs, &d->cap, d->count + 1,
		sizeof(*d->runs));
	d->runs[d->count].change = change < 0 ? OPEX_ACK_REMOVED
		: change > 0 ? OPEX_ACK_ADDED : OPEX_ACK_SAME;
	d->runs[d->count++].text = opex_buf_detach(&b, NULL);
	if (change < 0)
		d->removed += count;
	else if (change > 0)
		d->added += count;
}

int opex_ack_diff_since(opex_ack_diff *out, const opex_kb_handbook *hb,
	const opex_ack_item *item, const opex_ack_receipt *receipt,
	opex_error *err)
{
	const opex_kb_repo *repo = opex_kb_handbook_repo(hb);
	opex_buf blob = OPEX_BUF_INIT(OPEX_LIMIT_FILE_BYTES);
	opex_buf old_text = OPEX_BUF_INIT(OPEX_LIMIT_FILE_BYTES);
	opex_buf new_text = OPEX_BUF_INIT(OPEX_LIMIT_FILE_BYTES);
	int error;

	memset(out, 0, sizeof(*out));
	error = opex_kb_repo_read_blob(&blob, repo, receipt->blob, err);
	if (error < 0)
		goto done;
	error = rendered_text(&old_text, item->path, item->kind, blob.ptr,
		blob.len, err);
	if (error < 0)
		goto done;
	error = opex_kb_repo_read(&blob, repo, item->path, err);
	if (error < 0)
		goto done;
	error = rendered_text(&new_text, item->path, item->kind, blob.ptr,
		blob.len, err);
	if (error < 0)
		goto done;
	if (!opex_text_word_diff(old_text.ptr ? old_text.ptr : "", old_text.len,
			new_text.ptr ? new_text.ptr : "", new_text.len,
			DIFF_MAX_EDITS, note_run, out)) {
		out->too_different = true;
		note_run(-1, (const char *const[]){ old_text.ptr ? old_text.ptr : "" },
			(const size_t[]){ old_text.len }, 1, out);
		note_run(1, (const char *const[]){ new_text.ptr ? new_text.ptr : "" },
			(const size_t[]){ new_text.len }, 1, out);
		out->removed = out->added = 0;
	}
done:
	opex_buf_release(&blob);
	opex_buf_release(&old_text);
	opex_buf_release(&new_text);
	return error;
}

void opex_ack_diff_release(opex_ack_diff *diff)
{
	size_t i;

	for (i = 0; i < diff->count; i++)
		opex_free(diff->runs[i].text);
	opex_free(diff->runs);
	memset(diff, 0, sizeof(*diff));
}

/* --- the launch check stakeholders-acknowledged --- */

static bool serves_market(const opex_kb_team *team, const opex_launch *launch)
{
	size_t i, k, n = opex_launch_list_count(launch, OPEX_LAUNCH_MARKETS);

	for (i = 0; i < team->market_count; i++)
		for (k = 0; k < n; k++)
			if (strcmp(team->markets[i],
			    opex_launch_list_item(launch, OPEX_LAUNCH_MARKETS, k)->name) == 0)
				return true;
	return false;
}

void opex_launch_check_acknowledged(opex_launch_check_result *res,
	const opex_launch *launch, const opex_kb_handbook *hb,
	const opex_launch_gate_options *opts)
{
	const opex_kb_roster *roster = opex_kb_handbook_roster(hb);
	const char *path = opex_launch_announcement(launch);
	const char *lp = opex_launch_path(launch);
	unsigned line = opex_launch_announcement_line(launch);
	opex_ack_log log = OPEX_ACK_LOG_INIT;
	opex_error err = OPEX_ERROR_INIT;
	const opex_ack_item *item;
	opex_ack_status st;
	size_t t, p, teams = 0;

	memset(&st, 0, sizeof(st));
	if (path == NULL) {
		opex_launch_check_reason(res, lp, 1,
			"the launch names no announcement: add 'announcement: announcements/....md' for its markets' teams to acknowledge");
		return;
	}
	if (opex_ack_log_refresh(&log, opex_kb_handbook_repo(hb), NULL, &err) < 0) {
		opex_launch_check_reason(res, lp, line, "%s", err.message);
		goto done;
	}
	opex_ack_evaluate(&st, hb, NULL, 0, &log, opts->now);
	item = opex_ack_status_find(&st, hb, path);
	if (item == NULL || item->kind != OPEX_ACK_ANNOUNCEMENT) {
		opex_launch_check_reason(res, lp, line,
			"'%s' is no announcement of this revision", path);
		goto done;
	}
	for (t = 0; t < roster->team_count; t++) {
		const opex_kb_team *team = &roster->teams[t];

		if (!serves_market(team, launch))
			continue;
		teams++;
		for (p = 0; p < roster->person_count; p++) {
			const opex_kb_person *who = &roster->people[p];
			const opex_ack_reader *rd;

			if (!opex_kb_audience_entry_has(roster, team->id, who))
				continue;
			rd = opex_ack_item_reader(item, who->id);
			if (rd == NULL)
				opex_launch_check_reason(res, lp, line,
					"%s (team %s) is not in the audience of %s: add the team to its audience",
					who->id, team->id, path);
			else if (rd->state == OPEX_ACK_STALE)
				opex_launch_check_reason(res, lp, line,
					"%s (team %s) acknowledged an older text of %s: it changed since",
					who->id, team->id, path);
			else if (rd->state == OPEX_ACK_MISSING)
				opex_launch_check_reason(res, lp, line,
					"%s (team %s) has not acknowledged %s", who->id,
					team->id, path);
		}
	}
	if (teams == 0)
		opex_launch_check_reason(res, lp, line,
			"no team of people.yaml serves the launch's markets: nobody to acknowledge %s",
			path);
done:
	opex_ack_status_release(&st);
	opex_ack_log_release(&log);
}

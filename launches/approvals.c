/*
 * approvals.c: approval records, their digests, and the chain on
 * refs/opex/approvals (stored through kb/git_records.c).
 *
 * A record is UTF-8 text, one `key value` field per line, in this order
 * (canonical form: a record reads back to exactly the same bytes):
 *
 *   line          value                                   needed
 *   opex-approval 1 (format version)                      always, first
 *   action        approve | reject | revoke | waive       always
 *   launch        launches/x.md                           always
 *   gate          the gate id                             always
 *   person        roster id of who acted                  always
 *   time          2027-01-02T10:00:00Z                    always
 *   revision      handbook commit the digests were taken  always
 *   prev          previous record's commit, or "-"        always
 *   scope         64 hex: the scope digest                always
 *   policy        64 hex: the policy digest               always
 *   scope-part    "launch PATH SHA256" | "map PATH HASH" | "article PATH BLOB"
 *                 (what the scope digest covers)          any number
 *   approver      a resolved person who may approve       any number
 *   target        check:NAME | item:TEXT                  waive
 *   until         2027-02-01                              waive
 *   comment       one line; "\n" and "\\" escaped         reject, waive
 *
 * Digests, at one handbook revision:
 *   scope  = sha256 of the scope-part lines joined by "\n", where the launch
 *            part hashes the launch file with every task box unticked, a map
 *            part is its semantic hash (opex_pm_map_hash: a reformat keeps it),
 *            an article part is its blob id; a missing file is "missing".
 *   policy = sha256 of "gate\n" + the gate's canonical definition +
 *            "approvers " + the resolved people, sorted, comma-separated.
 *
 * prev chains records beyond git's own parents: a record whose prev is not
 * its commit's parent was moved or rewritten, and is not counted.
 */
#include "launches/launches.h"
#include "launches/launches_int.h"
#include "core/limits.h"
#include "core/memory.h"
#include "core/str.h"
#include "core/text.h"
#include "core/time.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

static const char *const action_names[] = {
	"approve", "reject", "revoke", "waive"
};

const char *opex_launch_action_name(opex_launch_action action)
{
	return (unsigned)action < 4 ? action_names[action] : "?";
}

void opex_launch_approval_release(opex_launch_approval *a)
{
	size_t i;

	opex_free(a->launch);
	opex_free(a->gate);
	opex_free(a->person);
	opex_free(a->revision);
	opex_free(a->prev);
	opex_free(a->scope);
	opex_free(a->policy);
	for (i = 0; i < a->scope_part_count; i++)
		opex_free(a->scope_parts[i]);
	opex_free(a->scope_parts);
	for (i = 0; i < a->approver_count; i++)
		opex_free(a->approvers[i]);
	opex_free(a->approvers);
	opex_free(a->target);
	opex_free(a->comment);
	opex_free(a->author_email);
	memset(a, 0, sizeof(*a));
}

static void put_escaped(opex_buf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			opex_buf_puts(out, "\\n");
		else if (*s == '\\')
			opex_buf_puts(out, "\\\\");
		else if (*s == '\r')
			opex_buf_puts(out, "\\r");
		else
			opex_buf_putc(out, *s);
	}
}

void opex_launch_approval_format(opex_buf *out, const opex_launch_approval *a)
{
	char when[32];
	size_t i;

	opex_time_format_iso(when, sizeof(when), a->time);
	opex_buf_puts(out, "opex-approval 1\n");
	opex_buf_printf(out, "action %s\n", opex_launch_action_name(a->action));
	opex_buf_printf(out, "launch %s\ngate %s\nperson %s\ntime %s\n",
		a->launch, a->gate, a->person, when);
	opex_buf_printf(out, "revision %s\nprev %s\nscope %s\npolicy %s\n",
		a->revision, a->prev && a->prev[0] ? a->prev : "-", a->scope,
		a->policy);
	for (i = 0; i < a->scope_part_count; i++)
		opex_buf_printf(out, "scope-part %s\n", a->scope_parts[i]);
	for (i = 0; i < a->approver_count; i++)
		opex_buf_printf(out, "approver %s\n", a->approvers[i]);
	if (a->target != NULL)
		opex_buf_printf(out, "target %s\n", a->target);
	if (a->until != 0) {
		opex_time_format_date(when, sizeof(when), a->until);
		opex_buf_printf(out, "until %s\n", when);
	}
	if (a->comment != NULL) {
		opex_buf_puts(out, "comment ");
		put_escaped(out, a->comment);
		opex_buf_putc(out, '\n');
	}
}

static char *unescape(const char *s, size_t n)
{
	opex_buf b = OPEX_BUF_INIT(OPEX_LIMIT_RECORD_BYTES);
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n) {
			i++;
			opex_buf_putc(&b, s[i] == 'n' ? '\n' : s[i] == 'r' ? '\r' : s[i]);
		} else {
			opex_buf_putc(&b, s[i]);
		}
	}
	return opex_buf_detach(&b, NULL);
}


static void push(char ***arr, size_t *count, char *s)
{
	size_t cap = *count;

	opex_array_grow((void **)arr, &cap, *count + 1, sizeof(**arr));
	(*arr)[(*count)++] = s;
}

enum { F_ACTION = 0, F_LAUNCH, F_GATE, F_PERSON, F_TIME, F_REVISION, F_PREV,
	F_SCOPE, F_POLICY, F_SCOPE_PART, F_APPROVER, F_TARGET, F_UNTIL,
	F_COMMENT, F_COUNT };

static const char *const field_names[F_COUNT] = {
	"action", "launch", "gate", "person", "time", "revision", "prev",
	"scope", "policy", "scope-part", "approver", "target", "until", "comment"
};

static int field(opex_launch_approval *w, unsigned n, int f, const char *v,
	size_t vl, opex_error *err)
{
	char tmp[64];
	int i;

	switch (f) {
	case F_ACTION:
		for (i = 0; i < 4; i++)
			if (strlen(action_names[i]) == vl &&
			    memcmp(action_names[i], v, vl) == 0)
				break;
		if (i == 4)
			return opex_error_set(err, OPEX_EINVALID,
				"line %u: unknown action", n);
		w->action = (opex_launch_action)i;
		return 0;
	case F_LAUNCH: case F_GATE: case F_PERSON:
		if (!opex_launch_is_word(v, vl))
			return opex_error_set(err, OPEX_EINVALID,
				"line %u: '%s' must be one word", n, field_names[f]);
		*(f == F_LAUNCH ? &w->launch : f == F_GATE ? &w->gate : &w->person) =
			opex_strndup(v, vl);
		return 0;
	case F_TIME: case F_UNTIL:
		if (vl == 0 || vl >= sizeof(tmp))
			return opex_error_set(err, OPEX_EINVALID,
				"line %u: malformed %s", n, field_names[f]);
		memcpy(tmp, v, vl);
		tmp[vl] = '\0';
		if (opex_time_parse_date(f == F_TIME ? &w->time : &w->until, tmp,
			NULL) < 0)
			return opex_error_set(err, OPEX_EINVALID,
				"line %u: malformed %s", n, field_names[f]);
		return 0;
	case F_REVISION: case F_PREV:
		if (f == F_PREV && vl == 1 && v[0] == '-') {
			w->prev = opex_strdup("");
			return 0;
		}
		if (vl != 40 || !opex_launch_is_hex(v, vl))
			return opex_error_set(err, OPEX_EINVALID,
				"line %u: %s must be a commit id", n, field_names[f]);
		*(f == F_REVISION ? &w->revision : &w->prev) = opex_strndup(v, vl);
		return 0;
	case F_SCOPE: case F_POLICY:
		if (vl != 64 || !opex_launch_is_hex(v, vl))
			return opex_error_set(err, OPEX_EINVALID,
				"line %u: %s must be 64 hex digits", n, field_names[f]);
		*(f == F_SCOPE ? &w->scope : &w->policy) = opex_strndup(v, vl);
		return 0;
	case F_SCOPE_PART:
		if (vl == 0 || w->scope_part_count >= OPEX_LIMIT_LAUNCH_NAMES * 3)
			return opex_error_set(err, OPEX_EINVALID,
				"line %u: malformed scope-part", n);
		push(&w->scope_parts, &w->scope_part_count, opex_strndup(v, vl));
		return 0;
	case F_APPROVER:
		if (!opex_launch_is_word(v, vl) || w->approver_count >= OPEX_LIMIT_LAUNCH_NAMES)
			return opex_error_set(err, OPEX_EINVALID,
				"line %u: malformed approver", n);
		push(&w->approvers, &w->approver_count, opex_strndup(v, vl));
		return 0;
	case F_TARGET:
		if (vl < 6 || (strncmp(v, "check:", 6) != 0 &&
		    strncmp(v, "item:", 5) != 0))
			return opex_error_set(err, OPEX_EINVALID,
				"line %u: target must be check:NAME or item:TEXT", n);
		w->target = opex_strndup(v, vl);
		return 0;
	case F_COMMENT:
		w->comment = unescape(v, vl);
		return 0;
	default:
		return opex_error_set(err, OPEX_EINVALID, "line %u: unknown field", n);
	}
}

int opex_launch_approval_parse(opex_launch_approval *out, const char *text,
	size_t len, opex_error *err)
{
	static const char header[] = "opex-approval 1\n";
	size_t pos, bad;
	unsigned n = 1;
	int last = -1, error;
	bool seen[F_COUNT];

	memset(out, 0, sizeof(*out));
	memset(seen, 0, sizeof(seen));
	if (len > OPEX_LIMIT_RECORD_BYTES) {
		error = opex_error_set(err, OPEX_ETOOBIG, "record larger than %u bytes",
			OPEX_LIMIT_RECORD_BYTES);
		goto done;
	}
	if (opex_text_has_nul(text, len) || !opex_utf8_valid(text, len, &bad)) {
		error = opex_error_set(err, OPEX_EINVALID, "record is not UTF-8 text");
		goto done;
	}
	if (len < sizeof(header) - 1 ||
	    memcmp(text, header, sizeof(header) - 1) != 0) {
		error = opex_error_set(err, OPEX_EINVALID,
			"not an approval record (no 'opex-approval 1' line)");
		goto done;
	}
	if (text[len - 1] != '\n') {
		error = opex_error_set(err, OPEX_EINVALID,
			"record does not end with a newline");
		goto done;
	}
	pos = sizeof(header) - 1;
	while (pos < len) {
		const char *line = text + pos, *nl = memchr(line, '\n', len - pos);
		const char *sp;
		size_t ll = (size_t)(nl - line);
		int f;

		n++;
		sp = memchr(line, ' ', ll);
		if (sp == NULL) {
			error = opex_error_set(err, OPEX_EINVALID,
				"line %u: expected 'field value'", n);
			goto done;
		}
		for (f = 0; f < F_COUNT; f++)
			if (strlen(field_names[f]) == (size_t)(sp - line) &&
			    memcmp(field_names[f], line, (size_t)(sp - line)) == 0)
				break;
		if (f == F_COUNT) {
			/* the record is not NUL-terminated: quote from a copy */
			char key[41];
			size_t kl = (size_t)(sp - line) < 40 ? (size_t)(sp - line) : 40;

			memcpy(key, line, kl);
			key[kl] = '\0';
			error = opex_error_set(err, OPEX_EINVALID,
				"line %u: unknown field '%.*s'", n,
				(int)opex_text_clip(key, kl), key);
			goto done;
		}
		if (f < last || (seen[f] && f != F_SCOPE_PART && f != F_APPROVER)) {
			error = opex_error_set(err, OPEX_EINVALID,
				"line %u: '%s' repeated or out of order", n,
				field_names[f]);
			goto done;
		}
		seen[f] = true;
		last = f;
		error = field(out, n, f, sp + 1, ll - (size_t)(sp + 1 - line), err);
		if (error < 0)
			goto done;
		pos += ll + 1;
	}
	for (last = 0; last <= F_POLICY; last++) {
		if (!seen[last]) {
			error = opex_error_set(err, OPEX_EINVALID,
				"record has no '%s'", field_names[last]);
			goto done;
		}
	}
	if ((out->action == OPEX_LAUNCH_ACTION_REJECT ||
	     out->action == OPEX_LAUNCH_ACTION_WAIVE) &&
	    (out->comment == NULL || out->comment[0] == '\0')) {
		error = opex_error_set(err, OPEX_EINVALID,
			"a %s record needs a comment", opex_launch_action_name(out->action));
		goto done;
	}
	if (out->action == OPEX_LAUNCH_ACTION_WAIVE &&
	    (out->target == NULL || out->until == 0)) {
		error = opex_error_set(err, OPEX_EINVALID,
			"a waive record needs a target and an until date");
		goto done;
	}
	error = 0;
done:
	if (error < 0)
		opex_launch_approval_release(out);
	return error;
}

/* --- digests --- */

void opex_launch_digests_release(opex_launch_digests *d)
{
	size_t i;

	for (i = 0; i < d->scope_part_count; i++)
		opex_free(d->scope_parts[i]);
	opex_free(d->scope_parts);
	opex_free(d->approvers);
	memset(d, 0, sizeof(*d));
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_resolved(opex_launch_digests *d, size_t *cap,
	const opex_kb_roster *roster, const char *name)
{
	size_t i, j, k;

	for (i = 0; i < roster->person_count; i++) {
		const opex_kb_person *p = &roster->people[i];
		bool match = strcmp(p->id, name) == 0, dup = false;

		for (j = 0; !match && j < p->team_count; j++)
			match = strcmp(p->teams[j], name) == 0;
		for (k = 0; match && k < d->approver_count; k++)
			dup = dup || strcmp(d->approvers[k], p->id) == 0;
		if (!match || dup)
			continue;
		opex_array_grow((void **)&d->approvers, cap, d->approver_count + 1,
			sizeof(*d->approvers));
		d->approvers[d->approver_count++] = p->id;
	}
}

static void part(opex_launch_digests *d, size_t *cap, opex_buf *b)
{
	opex_array_grow((void **)&d->scope_parts, cap, d->scope_part_count + 1,
		sizeof(*d->scope_parts));
	d->scope_parts[d->scope_part_count++] = opex_buf_detach(b, NULL);
}

void opex_launch_digests_compute(opex_launch_digests *out, const opex_launch *l,
	const char *text, size_t len, size_t gate, const opex_kb_handbook *hb)
{
	const opex_kb_repo *repo = opex_kb_handbook_repo(hb);
	const opex_launch_gate *g = opex_launch_gate_at(l, gate);
	opex_buf b = OPEX_BUF_INIT(OPEX_LIMIT_FILE_BYTES * 2);
	opex_buf mapt = OPEX_BUF_INIT(OPEX_LIMIT_FILE_BYTES);
	opex_sha256 ctx;
	unsigned char raw[OPEX_SHA256_SIZE];
	char hex[OPEX_SHA256_HEX_SIZE];
	size_t pcap = 0, acap = 0, i;

	memset(out, 0, sizeof(*out));
	opex_launch_normalized(&b, text, len);
	opex_sha256_hex(hex, b.ptr, b.len);
	opex_buf_clear(&b);
	opex_buf_printf(&b, "launch %s %s", opex_launch_path(l), hex);
	part(out, &pcap, &b);
	for (i = 0; i < opex_launch_list_count(l, OPEX_LAUNCH_PROCESSES); i++) {
		const char *p = opex_launch_list_item(l, OPEX_LAUNCH_PROCESSES,
			i)->name;
		const opex_kb_entry *e = opex_kb_repo_find(repo, p);
		opex_diag_list diags = OPEX_DIAG_LIST_INIT;
		opex_error err = OPEX_ERROR_INIT;
		opex_pm_map *map = NULL;

		opex_buf_clear(&b);
		if (e == NULL) {
			opex_buf_printf(&b, "map %s missing", p);
		} else if (opex_kb_repo_read(&mapt, repo, p, &err) == 0 &&
			   opex_pm_map_load(&map, p, mapt.ptr, mapt.len, &diags,
				&err) == 0 && map != NULL &&
			   opex_pm_map_hash(hex, map, &err) == 0) {
			opex_buf_printf(&b, "map %s %s", p, hex);
		} else {
			opex_buf_printf(&b, "map %s blob %s", p, e->oid);
		}
		part(out, &pcap, &b);
		opex_pm_map_free(map);
		opex_diag_list_release(&diags);
	}
	for (i = 0; i < opex_launch_list_count(l, OPEX_LAUNCH_ARTICLES); i++) {
		const char *p = opex_launch_list_item(l, OPEX_LAUNCH_ARTICLES,
			i)->name;
		const opex_kb_entry *e = opex_kb_repo_find(repo, p);

		opex_buf_clear(&b);
		opex_buf_printf(&b, "article %s %s", p, e ? e->oid : "missing");
		part(out, &pcap, &b);
	}
	opex_sha256_init(&ctx);
	for (i = 0; i < out->scope_part_count; i++) {
		if (i > 0)
			opex_sha256_update(&ctx, "\n", 1);
		opex_sha256_update(&ctx, out->scope_parts[i],
			strlen(out->scope_parts[i]));
	}
	opex_sha256_final(&ctx, raw);
	opex_sha256_to_hex(out->scope, raw);

	for (i = 0; i < g->approver_count; i++)
		add_resolved(out, &acap, opex_kb_handbook_roster(hb),
			g->approvers[i].name);
	for (i = 0; i < g->term_count; i++)
		add_resolved(out, &acap, opex_kb_handbook_roster(hb),
			g->terms[i].team ? g->terms[i].team : g->terms[i].person);
	if (out->approver_count > 1)
		qsort(out->approvers, out->approver_count, sizeof(*out->approvers),
			str_cmp);
	opex_sha256_init(&ctx);
	opex_sha256_update(&ctx, "gate\n", 5);
	opex_sha256_update(&ctx, g->definition, strlen(g->definition));
	opex_sha256_update(&ctx, "approvers ", 10);
	for (i = 0; i < out->approver_count; i++) {
		if (i > 0)
			opex_sha256_update(&ctx, ",", 1);
		opex_sha256_update(&ctx, out->approvers[i], strlen(out->approvers[i]));
	}
	opex_sha256_final(&ctx, raw);
	opex_sha256_to_hex(out->policy, raw);
	opex_buf_release(&b);
	opex_buf_release(&mapt);
}

/* --- the chain --- */

void opex_launch_approval_log_release(opex_launch_approval_log *log)
{
	size_t i;

	for (i = 0; i < log->count; i++)
		opex_launch_approval_release(&log->items[i]);
	opex_free(log->items);
	opex_diag_list_release(&log->problems);
	memset(log, 0, sizeof(*log));
}

int opex_launch_approval_log_read(opex_launch_approval_log *out,
	const opex_kb_handbook *hb, opex_error *err)
{
	opex_kb_record_chain chain = OPEX_KB_RECORD_CHAIN_INIT;
	opex_buf canon = OPEX_BUF_INIT(OPEX_LIMIT_RECORD_BYTES);
	const char *ref = OPEX_LAUNCH_APPROVALS_REF;
	size_t i;
	int error;

	memset(out, 0, sizeof(*out));
	error = opex_kb_records_read(&chain, opex_kb_handbook_repo(hb), ref, err);
	if (error < 0)
		goto done;
	if (chain.problem != NULL)
		opex_diag_add(&out->problems, OPEX_SEVERITY_ERROR, "record-invalid",
			ref, 0, 0, "%s", chain.problem);
	for (i = 0; i < chain.count; i++) {
		const opex_kb_record *r = &chain.records[i];
		const char *parent = i > 0 ? chain.records[i - 1].commit : "";
		opex_error e = OPEX_ERROR_INIT;
		opex_launch_approval a;

		if (r->problem != NULL) {
			opex_diag_add(&out->problems, OPEX_SEVERITY_ERROR,
				"record-invalid", ref, 0, 0, "commit %.12s: %s",
				r->commit, r->problem);
			continue;
		}
		if (opex_launch_approval_parse(&a, r->content, r->len, &e) < 0) {
			opex_diag_add(&out->problems, OPEX_SEVERITY_ERROR,
				"record-invalid", ref, 0, 0, "commit %.12s: %s",
				r->commit, e.message);
			continue;
		}
		if (strcmp(a.prev, parent) != 0) {
			opex_diag_add(&out->problems, OPEX_SEVERITY_ERROR,
				"record-tampered", ref, 0, 0,
				"commit %.12s: its record names %.12s as the previous record, but its parent is %.12s: the chain was rewritten",
				r->commit, a.prev[0] ? a.prev : "(none)",
				parent[0] ? parent : "(none)");
			opex_launch_approval_release(&a);
			continue;
		}
		opex_buf_clear(&canon);
		opex_launch_approval_format(&canon, &a);
		if (canon.len != r->len || memcmp(canon.ptr, r->content, r->len) != 0) {
			opex_diag_add(&out->problems, OPEX_SEVERITY_ERROR,
				"record-invalid", ref, 0, 0,
				"commit %.12s: the record is not in canonical form: it was not written by opex",
				r->commit);
			opex_launch_approval_release(&a);
			continue;
		}
		memcpy(a.commit, r->commit, sizeof(a.commit));
		a.author_email = opex_strdup(r->author_email);
		opex_array_grow((void **)&out->items, &out->cap, out->count + 1,
			sizeof(*out->items));
		out->items[out->count++] = a;
	}
	error = 0;
done:
	opex_buf_release(&canon);
	opex_kb_record_chain_release(&chain);
	return error;
}

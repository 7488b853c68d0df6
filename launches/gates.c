/*
 * gates.c: evaluating a launch's gates at one revision.
 *
 * For each gate, in order:
 *
 *   input            rule
 *   checks           each listed check runs (checks.c); a failed check passes
 *                    only while a waiver for it is in force
 *   items            every task item of the gate must be ticked (or waived);
 *                    who ticked it comes from the commit that turned [ ] into [x]
 *   approvals        the newest record of each person counts; an approval is
 *                    fresh when its scope and policy digests equal today's and
 *                    valid_for has not run out; stale ones say what changed
 *   separation       with independent (the default) the launch owner, and the
 *                    authors of changes to the scope since the gate last
 *                    passed (or since the launch file was created), never count
 *   quorum           N distinct fresh approvers, or all_of terms each filled by
 *                    different people (one person counts once)
 *   rejects          a reject whose scope is current blocks the gate until
 *                    its author revokes it (or approves after all)
 *   waivers          waive records for one target: the first signer requests,
 *                    the others must meet the gate's quorum; until an expiry
 *   cumulative       a gate passes only if every earlier gate passed
 *
 * State: passed; blocked (an active reject, or an earlier gate not passed);
 * pending otherwise. Nothing unknown ever counts as a pass.
 */
#include "launches/launches.h"
#include "core/limits.h"
#include "core/memory.h"
#include "core/text.h"
#include "core/time.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

static const char *const approval_state_names[] = {
	"fresh", "stale", "rejected", "revoked", "waived", "expired",
	"not counted"
};

const char *opex_launch_approval_state_name(opex_launch_approval_state state)
{
	return (unsigned)state < 7 ? approval_state_names[state] : "?";
}

const char *opex_launch_gate_state_name(opex_launch_gate_state state)
{
	switch (state) {
	case OPEX_LAUNCH_GATE_PASSED: return "passed";
	case OPEX_LAUNCH_GATE_BLOCKED: return "blocked";
	default: return "pending";
	}
}

static char *fmt_dup(const char *fmt, ...) OPEX_PRINTF(1, 2);

static char *fmt_dup(const char *fmt, ...)
{
	opex_buf b = OPEX_BUF_INIT(OPEX_LIMIT_LINE_BYTES);
	va_list ap;

	va_start(ap, fmt);
	opex_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	return opex_buf_detach(&b, NULL);
}

static void push_str(char ***arr, size_t *count, size_t *cap, char *s)
{
	opex_array_grow((void **)arr, cap, *count + 1, sizeof(**arr));
	(*arr)[(*count)++] = s;
}

static bool in_team(const opex_kb_person *p, const char *team)
{
	size_t i;

	for (i = 0; i < p->team_count; i++)
		if (strcmp(p->teams[i], team) == 0)
			return true;
	return false;
}

bool opex_launch_gate_is_approver(const opex_launch_gate *g,
	const opex_kb_roster *roster, const char *person)
{
	const opex_kb_person *p = opex_kb_roster_person(roster, person);
	size_t i;

	if (p == NULL)
		return false;
	for (i = 0; i < g->approver_count; i++)
		if (strcmp(g->approvers[i].name, person) == 0 ||
		    in_team(p, g->approvers[i].name))
			return true;
	for (i = 0; i < g->term_count; i++)
		if ((g->terms[i].person && strcmp(g->terms[i].person, person) == 0) ||
		    (g->terms[i].team && in_team(p, g->terms[i].team)))
			return true;
	return false;
}

/* --- quorum: distinct people fill the slots of every term --- */

typedef struct quorum_ctx {
	const opex_kb_roster *roster;
	const opex_launch_gate *gate;
	char **people;          /* candidates */
	size_t count;
	size_t *slot_term;      /* slot -> term */
	long *slot_owner;       /* slot -> person index or -1 */
	size_t slots;
	bool *seen;
} quorum_ctx;

static bool fits(const quorum_ctx *q, size_t person, size_t term)
{
	const opex_launch_quorum_term *t = &q->gate->terms[term];
	const opex_kb_person *p = opex_kb_roster_person(q->roster, q->people[person]);

	if (p == NULL)
		return false;
	if (t->person != NULL)
		return strcmp(t->person, p->id) == 0;
	return in_team(p, t->team);
}

static bool augment(quorum_ctx *q, size_t person)
{
	size_t s;

	for (s = 0; s < q->slots; s++) {
		if (q->seen[s] || !fits(q, person, q->slot_term[s]))
			continue;
		q->seen[s] = true;
		if (q->slot_owner[s] < 0 || augment(q, (size_t)q->slot_owner[s])) {
			q->slot_owner[s] = (long)person;
			return true;
		}
	}
	return false;
}

/* True if the distinct `people` meet the gate's quorum; `missing` gets what is short. */
static bool quorum_met(const opex_launch_gate *g, const opex_kb_roster *roster,
	char **people, size_t count, opex_buf *missing)
{
	quorum_ctx q;
	size_t i, j, s = 0;
	bool ok = true;

	if (g->term_count == 0) {
		if (count < g->quorum)
			opex_buf_printf(missing, "%zu more %s (%zu of %u)",
				g->quorum - count, g->quorum - count == 1 ? "approval" :
				"approvals", count, g->quorum);
		return count >= g->quorum;
	}
	memset(&q, 0, sizeof(q));
	q.roster = roster;
	q.gate = g;
	q.people = people;
	q.count = count;
	for (i = 0; i < g->term_count; i++)
		q.slots += g->terms[i].n;
	q.slot_term = opex_calloc(q.slots + 1, sizeof(*q.slot_term));
	q.slot_owner = opex_calloc(q.slots + 1, sizeof(*q.slot_owner));
	q.seen = opex_calloc(q.slots + 1, sizeof(*q.seen));
	for (i = 0; i < g->term_count; i++)
		for (j = 0; j < g->terms[i].n; j++) {
			q.slot_term[s] = i;
			q.slot_owner[s++] = -1;
		}
	for (i = 0; i < count; i++) {
		memset(q.seen, 0, q.slots * sizeof(*q.seen));
		augment(&q, i);
	}
	for (i = 0; i < g->term_count; i++) {
		size_t filled = 0;

		for (s = 0; s < q.slots; s++)
			if (q.slot_term[s] == i && q.slot_owner[s] >= 0)
				filled++;
		if (filled >= g->terms[i].n)
			continue;
		ok = false;
		if (missing->len)
			opex_buf_puts(missing, ", ");
		if (g->terms[i].person)
			opex_buf_printf(missing, "an approval from %s", g->terms[i].person);
		else
			opex_buf_printf(missing, "%u from team %s (%zu so far)",
				g->terms[i].n, g->terms[i].team, filled);
	}
	opex_free(q.slot_term);
	opex_free(q.slot_owner);
	opex_free(q.seen);
	return ok;
}

/* --- history: who ticked each item, who changed the scope --- */

static const char *person_of(const opex_kb_roster *roster, const char *email,
	const char *name)
{
	const opex_kb_person *p = opex_kb_roster_person_by_email(roster, email);

	return p ? p->id : name;
}

/* Parse a version of the launch file; NULL if unreadable. */
static opex_launch *launch_at(const opex_kb_repo *repo, const char *path,
	const char *blob, opex_buf *text)
{
	opex_diag_list ignored = OPEX_DIAG_LIST_INIT;
	opex_error e = OPEX_ERROR_INIT;
	opex_launch *l = NULL;

	if (blob[0] != '\0' && opex_kb_repo_read_blob(text, repo, blob, &e) == 0)
		l = opex_launch_parse(path, text->ptr, text->len, &ignored);
	opex_diag_list_release(&ignored);
	return l;
}

static bool ticked_in(const opex_launch *l, const opex_launch_item *item)
{
	size_t i;

	for (i = 0; l != NULL && i < opex_launch_item_count(l); i++) {
		const opex_launch_item *it = opex_launch_item_at(l, i);

		if (strcmp(it->text, item->text) == 0)
			return it->ticked;
	}
	return false;
}

/*
 * For each ticked item: the oldest version of the newest unbroken run of
 * versions in which it is ticked is the commit that ticked it.
 */
static void find_ticks(opex_launch_item_status *items, size_t count,
	const opex_kb_path_log *log, const opex_kb_handbook *hb, const char *path)
{
	const opex_kb_repo *repo = opex_kb_handbook_repo(hb);
	opex_buf text = OPEX_BUF_INIT(OPEX_LIMIT_FILE_BYTES);
	bool *open = opex_calloc(count + 1, sizeof(*open));
	size_t v, i, left = 0;

	for (i = 0; i < count; i++) {
		open[i] = items[i].item->ticked;
		left += open[i];
	}
	for (v = 0; v < log->count && left > 0; v++) {
		const opex_kb_path_change *c = &log->changes[v];
		opex_launch *l = launch_at(repo, path, c->blob, &text);

		for (i = 0; i < count; i++) {
			if (!open[i])
				continue;
			if (!ticked_in(l, items[i].item)) {
				open[i] = false;
				left--;
				continue;
			}
			memcpy(items[i].ticked_commit, c->commit, 41);
			opex_free(items[i].ticked_by);
			items[i].ticked_by = opex_strdup(person_of(
				opex_kb_handbook_roster(hb), c->author_email,
				c->author_name));
			items[i].ticked_at = c->time;
		}
		opex_launch_free(l);
	}
	opex_free(open);
	opex_buf_release(&text);
}

/* The launch file's normalized hash at `blob` ("" for none). */
static void normalized_at(char out[OPEX_SHA256_HEX_SIZE], const opex_kb_repo *repo,
	const char *blob)
{
	opex_buf text = OPEX_BUF_INIT(OPEX_LIMIT_FILE_BYTES);
	opex_buf norm = OPEX_BUF_INIT(OPEX_LIMIT_FILE_BYTES * 2);
	opex_error e = OPEX_ERROR_INIT;

	out[0] = '\0';
	if (blob[0] != '\0' && opex_kb_repo_read_blob(&text, repo, blob, &e) == 0) {
		opex_launch_normalized(&norm, text.ptr, text.len);
		opex_sha256_hex(out, norm.ptr, norm.len);
	}
	opex_buf_release(&norm);
	opex_buf_release(&text);
}

/* Add `person` with `why` to the gate's excluded list, once. */
static void exclude(opex_launch_gate_status *gs, char ***ids, size_t *count,
	size_t *cap, const char *person, const char *why)
{
	size_t i;

	for (i = 0; i < *count; i++)
		if (strcmp((*ids)[i], person) == 0)
			return;
	push_str(ids, count, cap, opex_strdup(person));
	push_str(&gs->excluded, &gs->excluded_count, &gs->excluded_cap,
		fmt_dup("%s: %s", person, why));
}

static bool listed(char **ids, size_t count, const char *person)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (strcmp(ids[i], person) == 0)
			return true;
	return false;
}

/* The scope paths of a launch: the launch file, its maps, its articles. */
static size_t scope_paths(const char ***out, const opex_launch *l)
{
	size_t n = 1, i, k = 0;
	const char **p;

	n += opex_launch_list_count(l, OPEX_LAUNCH_PROCESSES);
	n += opex_launch_list_count(l, OPEX_LAUNCH_ARTICLES);
	p = opex_calloc(n, sizeof(*p));
	p[k++] = opex_launch_path(l);
	for (i = 0; i < opex_launch_list_count(l, OPEX_LAUNCH_PROCESSES); i++)
		p[k++] = opex_launch_list_item(l, OPEX_LAUNCH_PROCESSES, i)->name;
	for (i = 0; i < opex_launch_list_count(l, OPEX_LAUNCH_ARTICLES); i++)
		p[k++] = opex_launch_list_item(l, OPEX_LAUNCH_ARTICLES, i)->name;
	*out = p;
	return k;
}

/*
 * The revision at which the gate last had a quorum of approvals on one
 * scope (ignoring separation of duties), replaying the records in order;
 * NULL if never.
 */
static const char *last_passed(const opex_launch_gate *g, const char *launch,
	const opex_launch_approval_log *log, const opex_kb_roster *roster)
{
	const char *since = NULL;
	char **people = NULL;
	size_t i, j, cap = 0;

	for (i = 0; i < log->count; i++) {
		const opex_launch_approval *r = &log->items[i];
		size_t count = 0;
		opex_buf missing = OPEX_BUF_INIT(OPEX_LIMIT_LINE_BYTES);

		if (strcmp(r->launch, launch) != 0 || strcmp(r->gate, g->id) != 0 ||
		    r->action != OPEX_LAUNCH_ACTION_APPROVE)
			continue;
		for (j = 0; j <= i; j++) {
			const opex_launch_approval *o = &log->items[j];
			size_t k;
			bool later = false;

			if (strcmp(o->launch, launch) != 0 || strcmp(o->gate, g->id) != 0 ||
			    o->action != OPEX_LAUNCH_ACTION_APPROVE ||
			    strcmp(o->scope, r->scope) != 0 ||
			    strcmp(o->policy, r->policy) != 0 ||
			    listed(people, count, o->person))
				continue;
			for (k = j + 1; k <= i && !later; k++)
				later = strcmp(log->items[k].person, o->person) == 0 &&
					strcmp(log->items[k].gate, g->id) == 0 &&
					strcmp(log->items[k].launch, launch) == 0;
			if (later)
				continue;
			opex_array_grow((void **)&people, &cap, count + 1,
				sizeof(*people));
			people[count++] = o->person;
		}
		if (quorum_met(g, roster, people, count, &missing))
			since = r->revision;
		opex_buf_release(&missing);
	}
	opex_free(people);
	return since;
}

/* Separation of duties: fill gs->excluded. */
static int separation(opex_launch_gate_status *gs, const opex_launch *l,
	const opex_kb_handbook *hb, const opex_launch_approval_log *log,
	char ***ids, size_t *count, opex_error *err)
{
	const opex_kb_repo *repo = opex_kb_handbook_repo(hb);
	const opex_kb_roster *roster = opex_kb_handbook_roster(hb);
	opex_kb_path_log changes = OPEX_KB_PATH_LOG_INIT;
	const char **paths = NULL;
	const char *since;
	size_t cap = 0, n, i;
	char a[OPEX_SHA256_HEX_SIZE], b[OPEX_SHA256_HEX_SIZE];
	int error;

	if (!gs->gate->independent)
		return 0;
	if (opex_launch_owner(l) != NULL)
		exclude(gs, ids, count, &cap, opex_launch_owner(l),
			"owns the launch");
	since = last_passed(gs->gate, opex_launch_path(l), log, roster);
	n = scope_paths(&paths, l);
	error = opex_kb_path_log_read(&changes, repo, paths, n, since, err);
	if (error < 0)
		goto done;
	if (since == NULL) {
		/* Never passed: the changes since the launch file was created. */
		for (i = changes.count; i > 0; i--)
			if (changes.changes[i - 1].path == 0)
				break;
		while (i > 0 && changes.count > i) {
			changes.count--;
			opex_free(changes.changes[changes.count].author_name);
			opex_free(changes.changes[changes.count].author_email);
		}
	}
	for (i = 0; i < changes.count; i++) {
		const opex_kb_path_change *c = &changes.changes[i];
		const opex_kb_person *p = opex_kb_roster_person_by_email(roster,
			c->author_email);
		size_t k;

		if (p == NULL)
			continue;
		if (c->path == 0) {
			/* Ticking a box is not a change of scope. */
			for (k = i + 1; k < changes.count && changes.changes[k].path != 0; k++)
				;
			if (k < changes.count) {
				normalized_at(a, repo, c->blob);
				normalized_at(b, repo, changes.changes[k].blob);
				if (strcmp(a, b) == 0)
					continue;
			}
		}
		{
			char *why = fmt_dup("changed %s in %.10s %s", paths[c->path],
				c->commit, since ? "since the gate last passed" :
				"while the gate has not passed yet");

			exclude(gs, ids, count, &cap, p->id, why);
			opex_free(why);
		}
	}
	error = 0;
done:
	opex_kb_path_log_release(&changes);
	opex_free(paths);
	return error;
}

/* What changed between a record's scope parts and today's. */
static char *scope_change(const opex_launch_approval *r, const opex_launch_digests *d)
{
	opex_buf b = OPEX_BUF_INIT(OPEX_LIMIT_LINE_BYTES);
	size_t i, j;

	for (i = 0; i < d->scope_part_count; i++) {
		const char *now = d->scope_parts[i];
		const char *sp1 = strchr(now, ' ');
		const char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
		size_t key = sp2 ? (size_t)(sp2 - now) : strlen(now);
		bool found = false, same = false;

		for (j = 0; j < r->scope_part_count; j++) {
			if (strncmp(r->scope_parts[j], now, key) != 0 ||
			    (r->scope_parts[j][key] != ' ' && r->scope_parts[j][key] != '\0'))
				continue;
			found = true;
			same = strcmp(r->scope_parts[j], now) == 0;
		}
		if (same)
			continue;
		if (b.len)
			opex_buf_puts(&b, "; ");
		opex_buf_printf(&b, "%.*s %s", (int)(sp2 && sp1 ? sp2 - sp1 - 1 : 0),
			sp1 ? sp1 + 1 : "", found ? "changed" : "added to the scope");
	}
	for (j = 0; j < r->scope_part_count; j++) {
		const char *was = r->scope_parts[j];
		const char *sp1 = strchr(was, ' ');
		const char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
		size_t key = sp2 ? (size_t)(sp2 - was) : strlen(was);
		bool found = false;

		for (i = 0; i < d->scope_part_count && !found; i++)
			found = strncmp(d->scope_parts[i], was, key) == 0;
		if (found)
			continue;
		if (b.len)
			opex_buf_puts(&b, "; ");
		opex_buf_printf(&b, "%.*s removed from the scope",
			(int)(sp2 && sp1 ? sp2 - sp1 - 1 : 0), sp1 ? sp1 + 1 : "");
	}
	if (b.len == 0)
		opex_buf_puts(&b, "the scope changed");
	return opex_buf_detach(&b, NULL);
}

static void add_approval(opex_launch_gate_status *gs, const opex_launch_approval *r,
	opex_launch_approval_state state, char *why)
{
	opex_launch_approval_status *s;

	opex_array_grow((void **)&gs->approvals, &gs->approval_cap,
		gs->approval_count + 1, sizeof(*gs->approvals));
	s = &gs->approvals[gs->approval_count++];
	s->record = r;
	s->state = state;
	s->why = why;
}

static void waiting(opex_launch_gate_status *gs, char *why)
{
	push_str(&gs->waiting, &gs->waiting_count, &gs->waiting_cap, why);
}

/* Is record `i` the newest record of its person on this gate (revoke included)? */
static bool newest_of_person(const opex_launch_approval_log *log, size_t i,
	bool waivers)
{
	const opex_launch_approval *r = &log->items[i];
	size_t k;

	for (k = i + 1; k < log->count; k++) {
		const opex_launch_approval *o = &log->items[k];

		if (strcmp(o->person, r->person) != 0 || strcmp(o->gate, r->gate) != 0 ||
		    strcmp(o->launch, r->launch) != 0)
			continue;
		if (o->action == OPEX_LAUNCH_ACTION_REVOKE)
			return false;
		if (waivers != (o->action == OPEX_LAUNCH_ACTION_WAIVE))
			continue;
		if (waivers && strcmp(o->target, r->target) != 0)
			continue;
		return false;
	}
	return true;
}

/* Freshness of a record against today's digests; NULL why when fresh. */
static opex_launch_approval_state freshness(const opex_launch_approval *r,
	const opex_launch_digests *d, char **why)
{
	*why = NULL;
	if (strcmp(r->scope, d->scope) != 0) {
		*why = scope_change(r, d);
		return OPEX_LAUNCH_APPROVAL_STALE;
	}
	if (strcmp(r->policy, d->policy) != 0) {
		*why = opex_strdup("the gate's definition or its approvers changed");
		return OPEX_LAUNCH_APPROVAL_STALE;
	}
	return OPEX_LAUNCH_APPROVAL_FRESH;
}

static bool counted_person(const opex_launch_gate *g, const opex_kb_roster *roster,
	const char *person, char **excluded, size_t excluded_count, char **why)
{
	*why = NULL;
	if (!opex_launch_gate_is_approver(g, roster, person)) {
		*why = fmt_dup("'%s' is not an approver of gate '%s'", person, g->id);
		return false;
	}
	if (listed(excluded, excluded_count, person)) {
		*why = fmt_dup("'%s' may not approve: separation of duties", person);
		return false;
	}
	return true;
}

/* Waivers in force for target `t`: the record that requested it, or NULL. */
static const opex_launch_approval *waiver_in_force(opex_launch_gate_status *gs,
	const opex_launch_approval_log *log, const char *launch, const char *t,
	const opex_kb_roster *roster, char **excluded, size_t excluded_count,
	int64_t now)
{
	const opex_launch_approval *requester = NULL;
	char **people = NULL;
	size_t i, count = 0, cap = 0;
	bool met, expired = false;
	opex_buf missing = OPEX_BUF_INIT(OPEX_LIMIT_LINE_BYTES);

	for (i = 0; i < log->count; i++) {
		const opex_launch_approval *r = &log->items[i];
		char *why = NULL;

		if (r->action != OPEX_LAUNCH_ACTION_WAIVE || strcmp(r->launch, launch) != 0 ||
		    strcmp(r->gate, gs->gate->id) != 0 || strcmp(r->target, t) != 0 ||
		    !newest_of_person(log, i, true))
			continue;
		if (freshness(r, &gs->digests, &why) != OPEX_LAUNCH_APPROVAL_FRESH) {
			opex_free(why);
			continue;
		}
		if (r->until <= now) {
			expired = true;
			continue;
		}
		if (requester == NULL) {
			requester = r;
			continue;
		}
		if (!counted_person(gs->gate, roster, r->person, excluded,
			excluded_count, &why) || listed(people, count, r->person) ||
		    strcmp(r->person, requester->person) == 0) {
			opex_free(why);
			continue;
		}
		opex_array_grow((void **)&people, &cap, count + 1, sizeof(*people));
		people[count++] = r->person;
	}
	met = requester != NULL && quorum_met(gs->gate, roster, people, count,
		&missing);
	if (requester != NULL && !met)
		waiting(gs, fmt_dup("waiver of %s requested by %s needs %s co-signing (%s)",
			t, requester->person, "the gate's quorum", missing.ptr));
	else if (requester == NULL && expired)
		waiting(gs, fmt_dup("the waiver of %s expired", t));
	opex_buf_release(&missing);
	opex_free(people);
	return met ? requester : NULL;
}

/* What evaluating one gate reads, shared by its steps. */
typedef struct gate_eval {
	opex_launch_status *st;
	size_t gi;
	opex_launch_gate_status *gs;
	const opex_launch_gate *g;
	const char *lp;                    /* the launch file's path */
	const opex_kb_handbook *hb;
	const opex_kb_roster *roster;
	const opex_launch_approval_log *log;
	const opex_launch_gate_options *opts; /* now resolved */
	char **excluded;                   /* "id: why", from separation() */
	size_t excluded_count;
} gate_eval;

static const opex_launch_approval *waived(const gate_eval *e,
	const char *kind, const char *what)
{
	opex_buf target = OPEX_BUF_INIT(OPEX_LIMIT_LINE_BYTES);
	const opex_launch_approval *w;

	opex_buf_printf(&target, "%s:%s", kind, what);
	w = waiver_in_force(e->gs, e->log, e->lp, target.ptr, e->roster,
		e->excluded, e->excluded_count, e->st->now);
	opex_buf_release(&target);
	return w;
}

/* The gate's checklist items, who ticked them, and which are waived; false if one is open. */
static bool gate_items(gate_eval *e, const opex_kb_path_log *tick_log)
{
	const opex_launch *l = e->st->launch;
	opex_launch_gate_status *gs = e->gs;
	size_t i, n = 0;
	bool ok = true;

	for (i = 0; i < opex_launch_item_count(l); i++)
		n += opex_launch_item_at(l, i)->gate_index == e->gi;
	gs->items = opex_calloc(n + 1, sizeof(*gs->items));
	for (i = 0; i < opex_launch_item_count(l); i++) {
		const opex_launch_item *it = opex_launch_item_at(l, i);
		opex_launch_item_status *is;

		if (it->gate_index != e->gi)
			continue;
		is = &gs->items[gs->item_count++];
		is->item = it;
		is->number = i + 1;
		is->done = it->ticked;
	}
	find_ticks(gs->items, gs->item_count, tick_log, e->hb, e->lp);
	for (i = 0; i < gs->item_count; i++) {
		opex_launch_item_status *is = &gs->items[i];

		if (is->done)
			continue;
		if (waived(e, "item", is->item->text) != NULL) {
			is->waived = true;
			continue;
		}
		ok = false;
		waiting(gs, fmt_dup("item %zu is open: %s", is->number, is->item->text));
	}
	return ok;
}

/* previous-gates and checklist-done, which the evaluation itself knows. */
static void evaluation_check(opex_launch_check_result *c, const gate_eval *e,
	opex_launch_check check)
{
	size_t k;

	c->check = check;
	if (check == OPEX_LAUNCH_CHECK_PREVIOUS_GATES) {
		for (k = 0; k < e->gi; k++) {
			const opex_launch_gate_status *prev = &e->st->gates[k];

			if (prev->state != OPEX_LAUNCH_GATE_PASSED)
				opex_launch_check_reason(c, e->lp, prev->gate->line,
					"gate '%s' has not passed (%s)", prev->gate->id,
					opex_launch_gate_state_name(prev->state));
		}
	} else {
		for (k = 0; k < e->gs->item_count; k++) {
			const opex_launch_item_status *it = &e->gs->items[k];

			if (!it->done && !it->waived)
				opex_launch_check_reason(c, e->lp, it->item->line,
					"item %zu not ticked: %s", it->number,
					it->item->text);
		}
	}
	c->state = c->reason_count ? OPEX_LAUNCH_CHECK_FAIL : OPEX_LAUNCH_CHECK_PASS;
}

/* The gate's checks, and which failing ones are waived; false if one fails. */
static bool gate_checks(gate_eval *e)
{
	const opex_launch_gate *g = e->g;
	opex_launch_gate_status *gs = e->gs;
	size_t i;
	bool ok = true;

	gs->checks = opex_calloc(g->check_count + 1, sizeof(*gs->checks));
	gs->check_count = g->check_count;
	for (i = 0; i < g->check_count; i++) {
		opex_launch_check_result *c = &gs->checks[i];

		if (g->checks[i] == OPEX_LAUNCH_CHECK_PREVIOUS_GATES ||
		    g->checks[i] == OPEX_LAUNCH_CHECK_CHECKLIST_DONE)
			evaluation_check(c, e, g->checks[i]);
		else
			opex_launch_check_run(c, g->checks[i], e->st->launch, e->hb,
				e->opts);
		if (c->state == OPEX_LAUNCH_CHECK_PASS)
			continue;
		c->waiver = waived(e, "check", opex_launch_check_name(c->check));
		if (c->waiver != NULL) {
			c->state = OPEX_LAUNCH_CHECK_WAIVED;
			continue;
		}
		ok = false;
		waiting(gs, fmt_dup("check %s %s", opex_launch_check_name(c->check),
			c->state == OPEX_LAUNCH_CHECK_FAIL ? "fails" : "was not evaluated"));
	}
	return ok;
}

/* What a waiver record amounts to now. */
static void add_waiver(gate_eval *e, size_t i)
{
	const opex_launch_approval *r = &e->log->items[i];
	char *why = NULL;
	opex_launch_approval_state state = freshness(r, &e->gs->digests, &why);

	if (!newest_of_person(e->log, i, true)) {
		opex_free(why);
		add_approval(e->gs, r, OPEX_LAUNCH_APPROVAL_REVOKED,
			opex_strdup("withdrawn or replaced by a later record"));
	} else if (state != OPEX_LAUNCH_APPROVAL_FRESH) {
		add_approval(e->gs, r, state, why);
	} else if (r->until <= e->st->now) {
		add_approval(e->gs, r, OPEX_LAUNCH_APPROVAL_EXPIRED,
			opex_strdup("the waiver's until date has passed"));
	} else {
		add_approval(e->gs, r, OPEX_LAUNCH_APPROVAL_WAIVED, NULL);
	}
}

/*
 * Every record on the gate, judged: revoked, waived, rejected (which blocks
 * the gate: `*blocked`), expired, not counted or fresh. The distinct people
 * with a fresh approval go to `*fresh` (borrowed ids), counted in gs->fresh.
 */
static void gate_approvals(gate_eval *e, char ***fresh, bool *blocked)
{
	const opex_launch_gate *g = e->g;
	opex_launch_gate_status *gs = e->gs;
	size_t i, fresh_cap = 0;

	for (i = 0; i < e->log->count; i++) {
		const opex_launch_approval *r = &e->log->items[i];
		opex_launch_approval_state state;
		char *why = NULL;

		if (strcmp(r->launch, e->lp) != 0 || strcmp(r->gate, g->id) != 0)
			continue;
		if (r->action == OPEX_LAUNCH_ACTION_REVOKE) {
			add_approval(gs, r, OPEX_LAUNCH_APPROVAL_REVOKED,
				opex_strdup("withdraws this person's earlier records on the gate"));
			continue;
		}
		if (r->action == OPEX_LAUNCH_ACTION_WAIVE) {
			add_waiver(e, i);
			continue;
		}
		if (!newest_of_person(e->log, i, false)) {
			add_approval(gs, r, OPEX_LAUNCH_APPROVAL_REVOKED,
				opex_strdup("withdrawn or replaced by a later record"));
			continue;
		}
		state = freshness(r, &gs->digests, &why);
		if (r->action == OPEX_LAUNCH_ACTION_REJECT) {
			if (state == OPEX_LAUNCH_APPROVAL_FRESH ||
			    strcmp(r->scope, gs->digests.scope) == 0) {
				opex_free(why);
				add_approval(gs, r, OPEX_LAUNCH_APPROVAL_REJECTED, NULL);
				*blocked = true;
				waiting(gs, fmt_dup("rejected by %s: %s", r->person,
					r->comment ? r->comment : ""));
			} else {
				add_approval(gs, r, state, why);
			}
			continue;
		}
		if (state == OPEX_LAUNCH_APPROVAL_FRESH && g->valid_for > 0 &&
		    r->time + g->valid_for <= e->st->now) {
			char date[16];

			opex_time_format_date(date, sizeof(date), r->time + g->valid_for);
			add_approval(gs, r, OPEX_LAUNCH_APPROVAL_EXPIRED,
				fmt_dup("approvals of this gate are valid for %lld days: expired on %s",
					(long long)(g->valid_for / OPEX_DAY_SECONDS), date));
			continue;
		}
		if (state == OPEX_LAUNCH_APPROVAL_FRESH &&
		    !counted_person(g, e->roster, r->person, e->excluded,
			e->excluded_count, &why))
			state = OPEX_LAUNCH_APPROVAL_NOT_COUNTED;
		if (state == OPEX_LAUNCH_APPROVAL_FRESH && !listed(*fresh, gs->fresh, r->person)) {
			opex_array_grow((void **)fresh, &fresh_cap, gs->fresh + 1,
				sizeof(**fresh));
			(*fresh)[gs->fresh++] = r->person;
		}
		add_approval(gs, r, state, why);
	}
}

static int evaluate_gate(opex_launch_status *st, size_t gi,
	const char *text, size_t len, const opex_kb_handbook *hb,
	const opex_launch_approval_log *log, const opex_kb_path_log *tick_log,
	const opex_launch_gate_options *opts, opex_error *err)
{
	gate_eval e;
	char **fresh = NULL;
	opex_buf missing = OPEX_BUF_INIT(OPEX_LIMIT_LINE_BYTES);
	bool blocked = false, ok = true;
	size_t i;
	int error;

	memset(&e, 0, sizeof(e));
	e.st = st;
	e.gi = gi;
	e.gs = &st->gates[gi];
	e.g = opex_launch_gate_at(st->launch, gi);
	e.lp = opex_launch_path(st->launch);
	e.hb = hb;
	e.roster = opex_kb_handbook_roster(hb);
	e.log = log;
	e.opts = opts;
	e.gs->gate = e.g;
	opex_launch_digests_compute(&e.gs->digests, st->launch, text, len, gi, hb);
	error = separation(e.gs, st->launch, hb, log, &e.excluded,
		&e.excluded_count, err);
	if (error < 0)
		goto done;
	ok = gate_items(&e, tick_log);
	ok = gate_checks(&e) && ok;
	gate_approvals(&e, &fresh, &blocked);
	e.gs->quorum_met = quorum_met(e.g, e.roster, fresh, e.gs->fresh, &missing);
	if (!e.gs->quorum_met) {
		ok = false;
		waiting(e.gs, fmt_dup("needs %s", missing.ptr));
	}
	for (i = 0; i < gi; i++) {
		if (st->gates[i].state == OPEX_LAUNCH_GATE_PASSED)
			continue;
		blocked = true;
		waiting(e.gs, fmt_dup("earlier gate '%s' has not passed",
			st->gates[i].gate->id));
		break;
	}
	e.gs->state = blocked ? OPEX_LAUNCH_GATE_BLOCKED :
		ok ? OPEX_LAUNCH_GATE_PASSED : OPEX_LAUNCH_GATE_PENDING;
	error = 0;
done:
	for (i = 0; i < e.excluded_count; i++)
		opex_free(e.excluded[i]);
	opex_free(e.excluded);
	opex_free(fresh);
	opex_buf_release(&missing);
	return error;
}

int opex_launch_gate_evaluate(opex_launch_status *out,
	const opex_launch *launch, const char *text, size_t len,
	const opex_kb_handbook *hb, const opex_launch_approval_log *log,
	const opex_launch_gate_options *opts, opex_error *err)
{
	opex_kb_path_log ticks = OPEX_KB_PATH_LOG_INIT;
	opex_launch_gate_options resolved = OPEX_LAUNCH_GATE_OPTIONS_INIT;
	const char *path = opex_launch_path(launch);
	size_t i, n = opex_launch_gate_count(launch);
	int error;

	memset(out, 0, sizeof(*out));
	out->launch = launch;
	out->now = opts && opts->now ? opts->now : opex_kb_handbook_now(hb);
	if (opts != NULL)
		resolved = *opts;
	resolved.now = out->now;
	memcpy(out->revision, opex_kb_repo_commit(opex_kb_handbook_repo(hb)), 41);
	opex_launch_lint(launch, hb, &out->problems);
	for (i = 0; i < log->problems.count; i++) {
		const opex_diag *d = &log->problems.items[i];

		opex_diag_add(&out->problems, d->severity, d->rule, d->path, d->line,
			d->col, "%s", d->message);
	}
	error = opex_kb_path_log_read(&ticks, opex_kb_handbook_repo(hb), &path, 1,
		NULL, err);
	if (error < 0)
		goto done;
	out->gates = opex_calloc(n + 1, sizeof(*out->gates));
	out->gate_count = n;
	out->current = n;
	for (i = 0; i < n; i++) {
		error = evaluate_gate(out, i, text, len, hb, log, &ticks, &resolved,
			err);
		if (error < 0)
			goto done;
		if (out->gates[i].state != OPEX_LAUNCH_GATE_PASSED && out->current == n)
			out->current = i;
	}
	out->passed = n > 0 && out->current == n;
	error = 0;
done:
	opex_kb_path_log_release(&ticks);
	return error;
}

void opex_launch_status_release(opex_launch_status *st)
{
	size_t i, j;

	for (i = 0; i < st->gate_count; i++) {
		opex_launch_gate_status *gs = &st->gates[i];

		for (j = 0; j < gs->check_count; j++)
			opex_launch_check_result_release(&gs->checks[j]);
		opex_free(gs->checks);
		for (j = 0; j < gs->item_count; j++)
			opex_free(gs->items[j].ticked_by);
		opex_free(gs->items);
		for (j = 0; j < gs->approval_count; j++)
			opex_free(gs->approvals[j].why);
		opex_free(gs->approvals);
		for (j = 0; j < gs->excluded_count; j++)
			opex_free(gs->excluded[j]);
		opex_free(gs->excluded);
		for (j = 0; j < gs->waiting_count; j++)
			opex_free(gs->waiting[j]);
		opex_free(gs->waiting);
		opex_launch_digests_release(&gs->digests);
	}
	opex_free(st->gates);
	opex_diag_list_release(&st->problems);
	memset(st, 0, sizeof(*st));
}

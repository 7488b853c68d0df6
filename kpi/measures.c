/*
 * measures.c: the measures of a process from its cases and events, in one
 * pass over the rows of the store, then the targets written on its map.
 *
 * A case is a ticket row; a case id seen only in events is a case too:
 * created at its first event, resolved at its last when that step is an
 * end node. A move between two recorded steps follows the map when the
 * map has an edge path between them through decision, merge or start
 * nodes only (steps that exports do not record).
 */
#include "kpi/kpi_int.h"
#include "core/limits.h"
#include "core/memory.h"
#include "process-maps/process_maps.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

#define REACH_MATRIX_MAX 256u

typedef struct durations {
	double *v;
	size_t count, cap;
} durations;

typedef struct proc_work {
	opex_kpi_process p;
	opex_kpi_step *steps;
	opex_kpi_edge *edges;
	size_t edge_cap;
	opex_kpi_target_check *targets;
	const char **unseen;
	char **owned;
	size_t owned_count, owned_cap;
} proc_work;

struct opex_kpi_report {
	proc_work *procs;
	size_t count;
	unsigned buckets[OPEX_KPI_AGE_BUCKETS_MAX];
	size_t bucket_count;
	size_t breaches;
};

static const char *keep(proc_work *w, const char *s)
{
	char *copy;

	if (s == NULL)
		return NULL;
	copy = opex_strdup(s);
	opex_array_grow((void **)&w->owned, &w->owned_cap, w->owned_count + 1,
		sizeof(char *));
	w->owned[w->owned_count++] = copy;
	return copy;
}

static void push(durations *d, double v)
{
	opex_array_grow((void **)&d->v, &d->cap, d->count + 1, sizeof(double));
	d->v[d->count++] = v;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int cmp_hash(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

/* Nearest-rank percentile; -1 when there is no value. */
static void percentiles(durations *d, double *p50, double *p90)
{
	size_t i50, i90;

	if (d->count == 0) {
		*p50 = *p90 = -1;
		return;
	}
	qsort(d->v, d->count, sizeof(double), cmp_double);
	i50 = (d->count * 50 + 99) / 100;
	i90 = (d->count * 90 + 99) / 100;
	*p50 = d->v[i50 ? i50 - 1 : 0];
	*p90 = d->v[i90 ? i90 - 1 : 0];
}

static void measures_init(opex_kpi_measures *m)
{
	memset(m, 0, sizeof(*m));
	m->first_response_p50 = m->first_response_p90 = -1;
	m->resolution_p50 = m->resolution_p90 = -1;
	m->step_p50 = m->step_p90 = -1;
	m->reopen_rate = m->contacts_per_customer = m->csat = -1;
	m->automation_rate = -1;
}

typedef struct reach {
	const opex_pm_map *map;
	size_t n;
	unsigned char *cache;  /* n*n: 0 unknown, 1 yes, 2 no; NULL if n large */
	size_t *queue;
	unsigned char *seen;
} reach;

static bool passable(const opex_pm_node *node)
{
	return node->kind == OPEX_PM_KIND_DECISION ||
		node->kind == OPEX_PM_KIND_MERGE ||
		node->kind == OPEX_PM_KIND_START;
}

static bool follows(reach *r, size_t a, size_t b)
{
	size_t head = 0, tail = 0, i;
	bool found = false;

	if (r->cache != NULL && r->cache[a * r->n + b] != 0)
		return r->cache[a * r->n + b] == 1;
	memset(r->seen, 0, r->n);
	r->queue[tail++] = a;
	r->seen[a] = 1;
	while (head < tail && !found) {
		size_t at = r->queue[head++];

		for (i = 0; i < opex_pm_map_edge_count(r->map) && !found; i++) {
			const opex_pm_edge *e = opex_pm_map_edge(r->map, i);

			if (e->tail != at)
				continue;
			if (e->head == b)
				found = true;
			else if (!r->seen[e->head] &&
				 passable(opex_pm_map_node(r->map, e->head))) {
				r->seen[e->head] = 1;
				r->queue[tail++] = e->head;
			}
		}
	}
	if (r->cache != NULL)
		r->cache[a * r->n + b] = found ? 1 : 2;
	return found;
}

static bool keep_case(const opex_kpi_query *q, const kpi_case *c)
{
	const char *want[KPI_ROW_DIMS];
	size_t i;

	want[0] = q->market;
	want[1] = q->journey;
	want[2] = q->team;
	want[3] = q->channel;
	want[4] = q->language;
	for (i = 0; i < KPI_ROW_DIMS; i++)
		if (want[i] != NULL && (c->dims[i] == NULL ||
		    strcmp(c->dims[i], want[i]) != 0))
			return false;
	if (q->since && c->created < q->since)
		return false;
	if (q->until && c->created >= q->until)
		return false;
	return true;
}

static opex_kpi_edge *edge_for(proc_work *w, const opex_pm_map *map,
	size_t a, size_t b)
{
	const char *tail = opex_pm_map_node(map, a)->id;
	const char *head = opex_pm_map_node(map, b)->id;
	size_t i;

	for (i = 0; i < w->p.edge_count; i++)
		if (w->edges[i].tail == tail && w->edges[i].head == head)
			return &w->edges[i];
	opex_array_grow((void **)&w->edges, &w->edge_cap, w->p.edge_count + 1,
		sizeof(*w->edges));
	memset(&w->edges[w->p.edge_count], 0, sizeof(*w->edges));
	w->edges[w->p.edge_count].tail = tail;
	w->edges[w->p.edge_count].head = head;
	return &w->edges[w->p.edge_count++];
}

static int cmp_edge(const void *a, const void *b)
{
	const opex_kpi_edge *x = a, *y = b;

	if (x->volume != y->volume)
		return x->volume < y->volume ? 1 : -1;
	if (strcmp(x->tail, y->tail) != 0)
		return strcmp(x->tail, y->tail);
	return strcmp(x->head, y->head);
}

typedef struct acc {
	durations first, resolution, step;
	uint64_t reopen_known, reopened, csat_n, automated;
	double csat_sum;
} acc;

static void acc_release(acc *a)
{
	opex_free(a->first.v);
	opex_free(a->resolution.v);
	opex_free(a->step.v);
}

static void acc_finish(acc *a, opex_kpi_measures *m)
{
	percentiles(&a->first, &m->first_response_p50, &m->first_response_p90);
	percentiles(&a->resolution, &m->resolution_p50, &m->resolution_p90);
	percentiles(&a->step, &m->step_p50, &m->step_p90);
	if (a->reopen_known)
		m->reopen_rate = (double)a->reopened / (double)a->reopen_known;
	if (a->csat_n)
		m->csat = a->csat_sum / (double)a->csat_n;
	if (m->resolved)
		m->automation_rate = (double)a->automated / (double)m->resolved;
}

static size_t bucket_of(const struct opex_kpi_report *r, int64_t age)
{
	size_t b, at = (size_t)-1;

	for (b = 0; b < r->bucket_count; b++)
		if (age >= (int64_t)r->buckets[b] * 86400)
			at = b;
	return at;
}

/* One case: its own measures, its steps and its moves. */
static void add_case(struct opex_kpi_report *r, proc_work *w,
	const opex_pm_map *map, reach *rc, acc *all, acc *steps,
	unsigned char *visited, const kpi_case *c, const kpi_event *ev,
	size_t nev, int64_t now, uint64_t *conforming, uint64_t *with_events)
{
	opex_kpi_measures *m = &w->p.m;
	long cur = c->step ? opex_pm_map_find(map, c->step) : -1;
	bool open = c->solved == 0, conforms = true;
	bool automated = c->from_ticket ? c->automated : nev > 0;
	size_t i;

	m->inflow++;
	w->p.cases++;
	if (cur >= 0)
		w->steps[cur].m.inflow += nev == 0;
	if (!open) {
		m->resolved++;
		push(&all->resolution, (double)(c->solved - c->created));
		if (cur >= 0)
			w->steps[cur].m.resolved++;
	} else {
		size_t b = bucket_of(r, now - c->created);
		bool worked = c->first_reply != 0 || nev > 1;

		if (b != (size_t)-1)
			m->age[b]++;
		if (worked)
			m->active++;
		else
			m->backlog++;
		if (cur >= 0) {
			if (worked)
				w->steps[cur].m.active++;
			else
				w->steps[cur].m.backlog++;
			if (b != (size_t)-1)
				w->steps[cur].m.age[b]++;
		}
	}
	if (c->first_reply != 0)
		push(&all->first, (double)(c->first_reply - c->created));
	if (c->reopens >= 0) {
		all->reopen_known++;
		all->reopened += c->reopens > 0;
	}
	if (c->csat >= 0) {
		all->csat_n++;
		all->csat_sum += c->csat;
	}
	if (nev > 0)
		(*with_events)++;
	for (i = 0; i < nev; i++) {
		long s = ev[i].step ? opex_pm_map_find(map, ev[i].step) : -1;
		long next = i + 1 < nev && ev[i + 1].step ?
			opex_pm_map_find(map, ev[i + 1].step) : -1;

		if (!c->from_ticket && !ev[i].automated)
			automated = false;
		if (s < 0)
			continue;
		w->steps[s].m.inflow++;
		if (visited[s]) {
			w->steps[s].m.rework++;
			m->rework++;
		}
		visited[s] = 1;
		if (i + 1 < nev) {
			double d = (double)(ev[i + 1].at - ev[i].at);

			push(&steps[s].step, d);
			push(&all->step, d);
		}
		if (next >= 0 && next != s) {
			opex_kpi_edge *e = edge_for(w, map, (size_t)s, (size_t)next);
			size_t la = opex_pm_map_node(map, (size_t)s)->lane;
			size_t lb = opex_pm_map_node(map, (size_t)next)->lane;

			e->volume++;
			e->in_map = follows(rc, (size_t)s, (size_t)next);
			if (!e->in_map) {
				size_t k;

				conforms = false;
				for (k = 0; k < 3; k++)
					if (e->examples[k] == NULL) {
						e->examples[k] = keep(w, c->id);
						break;
					} else if (strcmp(e->examples[k], c->id) == 0) {
						break;
					}
			}
			if (la != lb && la != OPEX_PM_NO_LANE && lb != OPEX_PM_NO_LANE) {
				m->handoffs++;
				w->steps[s].m.handoffs++;
			}
		}
	}
	for (i = 0; i < nev; i++) {
		long s = ev[i].step ? opex_pm_map_find(map, ev[i].step) : -1;

		if (s >= 0)
			visited[s] = 0;
	}
	if (nev > 0 && conforms)
		(*conforming)++;
	if (!open && automated)
		all->automated++;
}

static double actual_for(const opex_kpi_measures *m, const char *name,
	double conformance)
{
	if (strcmp(name, "target_backlog") == 0)
		return (double)m->backlog;
	if (strcmp(name, "target_resolution_p50") == 0)
		return m->resolution_p50;
	if (strcmp(name, "target_resolution_p90") == 0)
		return m->resolution_p90;
	if (strcmp(name, "target_first_response_p50") == 0)
		return m->first_response_p50;
	if (strcmp(name, "target_first_response_p90") == 0)
		return m->first_response_p90;
	if (strcmp(name, "target_step_p50") == 0)
		return m->step_p50;
	if (strcmp(name, "target_step_p90") == 0)
		return m->step_p90;
	if (strcmp(name, "target_reopen_rate") == 0)
		return m->reopen_rate;
	if (strcmp(name, "target_csat") == 0)
		return m->csat;
	if (strcmp(name, "target_automation_rate") == 0)
		return m->automation_rate;
	if (strcmp(name, "target_conformance") == 0)
		return conformance;
	return -1;
}

static bool higher_is_better(const char *name)
{
	return strcmp(name, "target_csat") == 0 ||
		strcmp(name, "target_conformance") == 0 ||
		strcmp(name, "target_automation_rate") == 0;
}

static void check_targets(struct opex_kpi_report *r, proc_work *w,
	const opex_pm_map *map)
{
	size_t i, n = opex_pm_map_target_count(map);

	w->targets = opex_calloc(n + 1, sizeof(*w->targets));
	for (i = 0; i < n; i++) {
		const opex_pm_target *t = opex_pm_map_target(map, i);
		opex_kpi_target_check *c = &w->targets[w->p.target_count];
		const opex_kpi_measures *m = t->node == OPEX_PM_NO_LANE ?
			&w->p.m : &w->steps[t->node].m;
		double v;

		if (opex_pm_target_parse(&v, t->name, t->value) <= 0)
			continue; /* lint reports it (kpi-target-invalid) */
		c->name = keep(w, t->name);
		c->node = t->node == OPEX_PM_NO_LANE ? NULL : w->steps[t->node].node;
		c->written = keep(w, t->value);
		c->target = v;
		c->actual = actual_for(m, t->name, w->p.conformance);
		c->line = t->line;
		c->breached = c->actual >= 0 && (higher_is_better(t->name) ?
			c->actual < v : c->actual > v);
		r->breaches += c->breached;
		w->p.target_count++;
	}
	w->p.targets = w->targets;
}

static int find_case(const kpi_loaded *l, const char *id)
{
	size_t lo = 0, hi = l->case_count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(l->cases[mid].id, id);

		if (c == 0)
			return (int)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int compute_one(struct opex_kpi_report *r, proc_work *w,
	opex_kpi_store *store, const opex_kb_repo *repo, const char *path,
	const opex_kpi_query *q, opex_error *err)
{
	opex_buf text = OPEX_BUF_INIT(OPEX_LIMIT_FILE_BYTES);
	opex_diag_list ignored = OPEX_DIAG_LIST_INIT;
	opex_pm_map *map = NULL;
	kpi_loaded l;
	acc all, *steps = NULL;
	reach rc;
	unsigned char *visited = NULL, (*hashes)[32] = NULL;
	size_t n, i, e = 0, nhash = 0, distinct = 0;
	uint64_t conforming = 0, with_events = 0;
	int error;

	memset(&l, 0, sizeof(l));
	memset(&all, 0, sizeof(all));
	memset(&rc, 0, sizeof(rc));
	w->p.path = keep(w, path);
	w->p.conformance = -1;
	measures_init(&w->p.m);
	error = opex_kb_repo_read(&text, repo, path, err);
	if (error < 0)
		goto done;
	error = opex_pm_map_load(&map, path, text.ptr, text.len, &ignored, err);
	if (error < 0) {
		error = opex_error_set(err, OPEX_EINVALID, "'%s': the map does not load: %s",
			path, err ? err->message : "see opex lint");
		goto done;
	}
	error = kpi_store_load(&l, store, path, err);
	if (error < 0)
		goto done;
	n = opex_pm_map_node_count(map);
	w->steps = opex_calloc(n + 1, sizeof(*w->steps));
	steps = opex_calloc(n + 1, sizeof(*steps));
	visited = opex_calloc(n + 1, 1);
	for (i = 0; i < n; i++) {
		w->steps[i].node = keep(w, opex_pm_map_node(map, i)->id);
		measures_init(&w->steps[i].m);
	}
	w->p.steps = w->steps;
	w->p.step_count = n;
	rc.map = map;
	rc.n = n;
	rc.queue = opex_calloc(n + 1, sizeof(size_t));
	rc.seen = opex_calloc(n + 1, 1);
	if (n <= REACH_MATRIX_MAX)
		rc.cache = opex_calloc(n * n + 1, 1);
	hashes = opex_calloc(l.case_count + 1, 32);
	/* events are sorted by case id: walk them with the tickets */
	while (e < l.event_count) {
		size_t start = e;
		int ci = find_case(&l, l.events[e].case_id);
		kpi_case derived;
		const kpi_case *c;

		while (e < l.event_count && l.events[e].case_id == l.events[start].case_id)
			e++;
		if (ci >= 0) {
			c = &l.cases[ci];
			l.cases[ci].from_ticket = false; /* seen here: skip below */
			derived = *c;
			derived.from_ticket = true;
			c = &derived;
		} else {
			long last;

			memset(&derived, 0, sizeof(derived));
			derived.id = l.events[start].case_id;
			derived.created = l.events[start].at;
			derived.step = l.events[e - 1].step;
			derived.reopens = -1;
			derived.csat = -1;
			derived.automated = true;
			last = derived.step ? opex_pm_map_find(map, derived.step) : -1;
			if (last >= 0 && opex_pm_map_node(map, (size_t)last)->kind ==
			    OPEX_PM_KIND_END)
				derived.solved = l.events[e - 1].at;
			if (q->market || q->journey || q->team || q->channel ||
			    q->language)
				continue; /* events carry no dimensions here */
			c = &derived;
		}
		if (!keep_case(q, c))
			continue;
		if (c->has_requester)
			memcpy(hashes[nhash++], c->requester, 32);
		add_case(r, w, map, &rc, &all, steps, visited, c,
			&l.events[start], e - start, q->now, &conforming, &with_events);
	}
	for (i = 0; i < l.case_count; i++) {
		const kpi_case *c = &l.cases[i];

		if (!c->from_ticket || !keep_case(q, c))
			continue;
		if (c->has_requester)
			memcpy(hashes[nhash++], c->requester, 32);
		add_case(r, w, map, &rc, &all, steps, visited, c, NULL, 0, q->now,
			&conforming, &with_events);
	}
	acc_finish(&all, &w->p.m);
	for (i = 0; i < n; i++)
		acc_finish(&steps[i], &w->steps[i].m);
	if (nhash > 0) {
		qsort(hashes, nhash, 32, cmp_hash);
		for (i = 0; i < nhash; i++)
			distinct += i == 0 || memcmp(hashes[i], hashes[i - 1], 32) != 0;
		w->p.m.contacts_per_customer = (double)nhash / (double)distinct;
	}
	if (with_events > 0)
		w->p.conformance = (double)conforming / (double)with_events;
	if (w->p.edge_count > 1)
		qsort(w->edges, w->p.edge_count, sizeof(*w->edges), cmp_edge);
	w->p.edges = w->edges;
	w->unseen = opex_calloc(n + 1, sizeof(char *));
	for (i = 0; i < n; i++) {
		const opex_pm_node *node = opex_pm_map_node(map, i);
		const opex_kpi_measures *m = &w->steps[i].m;

		if ((node->kind == OPEX_PM_KIND_ACTION ||
		     node->kind == OPEX_PM_KIND_SUBPROCESS) &&
		    m->inflow == 0 && m->backlog == 0 && m->active == 0 &&
		    m->resolved == 0)
			w->unseen[w->p.unseen_count++] = w->steps[i].node;
	}
	w->p.unseen = w->unseen;
	check_targets(r, w, map);
done:
	for (i = 0; steps != NULL && i < opex_pm_map_node_count(map); i++)
		acc_release(&steps[i]);
	acc_release(&all);
	opex_free(steps);
	opex_free(visited);
	opex_free(hashes);
	opex_free(rc.queue);
	opex_free(rc.seen);
	opex_free(rc.cache);
	kpi_loaded_release(&l);
	opex_pm_map_free(map);
	opex_diag_list_release(&ignored);
	opex_buf_release(&text);
	return error;
}

void opex_kpi_report_free(opex_kpi_report *report)
{
	size_t i, k;

	if (report == NULL)
		return;
	for (i = 0; i < report->count; i++) {
		proc_work *w = &report->procs[i];

		for (k = 0; k < w->owned_count; k++)
			opex_free(w->owned[k]);
		opex_free(w->owned);
		opex_free(w->steps);
		opex_free(w->edges);
		opex_free(w->targets);
		opex_free((void *)w->unseen);
	}
	opex_free(report->procs);
	opex_free(report);
}

int opex_kpi_report_compute(opex_kpi_report **out, opex_kpi_store *store,
	const opex_kpi_mapping *mapping, const opex_kb_repo *repo,
	const opex_kpi_query *query, opex_error *err)
{
	opex_kpi_report *r = opex_calloc(1, sizeof(*r));
	size_t i;
	int error = 0;

	*out = NULL;
	memcpy(r->buckets, mapping->age_buckets, sizeof(r->buckets));
	r->bucket_count = mapping->age_bucket_count;
	r->procs = opex_calloc(mapping->process_count + 1, sizeof(*r->procs));
	for (i = 0; i < mapping->process_count; i++) {
		const char *path = mapping->processes[i];

		if (query->process != NULL && strcmp(query->process, path) != 0)
			continue;
		error = compute_one(r, &r->procs[r->count++], store, repo, path,
			query, err);
		if (error < 0)
			goto done;
	}
	if (query->process != NULL && r->count == 0)
		error = opex_error_set(err, OPEX_ENOTFOUND,
			"process '%s' is not in the kpi mapping", query->process);
done:
	if (error < 0)
		opex_kpi_report_free(r);
	else
		*out = r;
	return error;
}

size_t opex_kpi_report_process_count(const opex_kpi_report *report)
{
	return report->count;
}

const opex_kpi_process *opex_kpi_report_process(
	const opex_kpi_report *report, size_t i)
{
	return i < report->count ? &report->procs[i].p : NULL;
}

size_t opex_kpi_report_age_buckets(const opex_kpi_report *report,
	const unsigned **bounds)
{
	*bounds = report->buckets;
	return report->bucket_count;
}

size_t opex_kpi_report_breaches(const opex_kpi_report *report)
{
	return report->breaches;
}

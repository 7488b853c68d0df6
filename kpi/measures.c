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
	opex_kpi_week *weeks;
	char **owned;
	size_t owned_count, owned_cap;
} proc_work;

struct opex_kpi_report {
	proc_work *procs;
	size_t count, cap;
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
	m->automation_rate = m->aht = m->contacts_per_case = -1;
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

static opex_kpi_edge *edge_for(proc_work *w, size_t a, size_t b)
{
	/* the report's own copies: the map is freed before the report */
	const char *tail = w->steps[a].node;
	const char *head = w->steps[b].node;
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
	uint64_t reopen_known, reopened, csat_n, automated, handle_n, replies_n;
	double csat_sum, handle_sum, replies_sum;
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
	if (a->handle_n)
		m->aht = a->handle_sum / (double)a->handle_n;
	if (a->replies_n)
		m->contacts_per_case = a->replies_sum / (double)a->replies_n;
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

/* The weeks a process's trend covers: [first, first + count * 7 days). */
typedef struct window {
	int64_t first;
	size_t count;
} window;

static int64_t week_start(int64_t t)
{
	int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;

	return (days - ((days % 7) + 7 + 3) % 7) * 86400; /* back to Monday */
}

/* The week of `t` in `win`, or -1 outside it. */
static long week_index(const window *win, int64_t t)
{
	int64_t i;

	if (t < win->first)
		return -1;
	i = (t - win->first) / (7 * 86400);
	return i < (int64_t)win->count ? (long)i : -1;
}

/*
 * One group of cases being measured: the process work it fills and what
 * is only needed until its measures are final.
 */
typedef struct group {
	proc_work w;
	char *key;              /* the group's values joined by \x1f */
	acc all, *steps;
	unsigned char (*hashes)[32];
	size_t hash_count, hash_cap;
	uint64_t conforming, with_events;
	uint64_t *week_created, *week_resolved;
	const char **teams;     /* distinct team values, for FTE */
	size_t team_count, team_cap;
} group;

static void note_team(group *g, const char *team)
{
	size_t i;

	if (team == NULL)
		return;
	for (i = 0; i < g->team_count; i++)
		if (strcmp(g->teams[i], team) == 0)
			return;
	opex_array_grow((void **)&g->teams, &g->team_cap, g->team_count + 1,
		sizeof(char *));
	g->teams[g->team_count++] = team;
}

/* A case's place in its process's trend and in its group's FTE. */
static void add_case_weeks(group *g, const window *win, const kpi_case *c)
{
	long w = week_index(win, c->created);

	if (w >= 0)
		g->week_created[w]++;
	w = c->solved != 0 ? week_index(win, c->solved) : -1;
	if (w >= 0)
		g->week_resolved[w]++;
	note_team(g, c->dims[OPEX_KPI_DIM_TEAM]);
}

/* One case's moves between recorded steps; false if one is not in the map. */
static bool add_moves(proc_work *w, const opex_pm_map *map, reach *rc,
	acc *all, acc *steps, unsigned char *visited, const kpi_case *c,
	const kpi_event *ev, size_t nev)
{
	opex_kpi_measures *m = &w->p.m;
	bool conforms = true;
	size_t i;

	for (i = 0; i < nev; i++) {
		long s = ev[i].step ? opex_pm_map_find(map, ev[i].step) : -1;
		long next = i + 1 < nev && ev[i + 1].step ?
			opex_pm_map_find(map, ev[i + 1].step) : -1;

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
			opex_kpi_edge *e = edge_for(w, (size_t)s, (size_t)next);
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
	return conforms;
}

/* One case: its own measures, its steps and its moves. */
static void add_case(struct opex_kpi_report *r, group *g,
	const opex_pm_map *map, reach *rc, unsigned char *visited,
	const kpi_case *c, const kpi_event *ev, size_t nev, int64_t now)
{
	proc_work *w = &g->w;
	opex_kpi_measures *m = &w->p.m;
	acc *all = &g->all;
	long cur = c->step ? opex_pm_map_find(map, c->step) : -1;
	bool open = c->solved == 0, automated = c->from_ticket ? c->automated : nev > 0;
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
	if (c->handle >= 0) {
		all->handle_n++;
		all->handle_sum += (double)c->handle;
	}
	if (c->replies >= 0) {
		all->replies_n++;
		all->replies_sum += (double)c->replies;
	}
	if (c->has_requester) {
		opex_array_grow((void **)&g->hashes, &g->hash_cap,
			g->hash_count + 1, 32);
		memcpy(g->hashes[g->hash_count++], c->requester, 32);
	}
	for (i = 0; !c->from_ticket && i < nev; i++)
		if (!ev[i].automated)
			automated = false;
	if (nev > 0) {
		g->with_events++;
		if (add_moves(w, map, rc, all, g->steps, visited, c, ev, nev))
			g->conforming++;
	}
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

static const char *const dim_names[OPEX_KPI_DIMS] = {
	"market", "journey", "team", "channel", "language", "week"
};

const char *opex_kpi_dim_name(opex_kpi_dim dim)
{
	return (unsigned)dim < OPEX_KPI_DIMS ? dim_names[dim] : "?";
}

int opex_kpi_dims_parse(unsigned *out, const char *list, opex_error *err)
{
	const char *p = list;

	*out = 0;
	while (*p != '\0') {
		size_t len = strcspn(p, ","), d;

		for (d = 0; d < OPEX_KPI_DIMS; d++)
			if (strlen(dim_names[d]) == len &&
			    strncmp(dim_names[d], p, len) == 0)
				break;
		if (d == OPEX_KPI_DIMS)
			return opex_error_set(err, OPEX_EINVALID,
				"'%.*s' is not a dimension (market, journey, team,"
				" channel, language, week)", (int)(len > 64 ? 64 : len), p);
		*out |= 1u << d;
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

/* The groups of one process, found by key (open addressing). */
typedef struct groups {
	group *items;
	size_t count, cap;
	size_t *slots;          /* index + 1; 0: empty */
	size_t slot_count;      /* a power of two */
} groups;

static void groups_rehash(groups *gs)
{
	size_t i;

	opex_free(gs->slots);
	gs->slot_count = gs->slot_count ? gs->slot_count * 2 : 64;
	gs->slots = opex_calloc(gs->slot_count, sizeof(size_t));
	for (i = 0; i < gs->count; i++) {
		size_t at = (size_t)opex_str_hash(gs->items[i].key) & (gs->slot_count - 1);

		while (gs->slots[at] != 0)
			at = (at + 1) & (gs->slot_count - 1);
		gs->slots[at] = i + 1;
	}
}

/* The inputs every group of a process is made with. */
typedef struct group_env {
	const opex_pm_map *map;
	const window *win;
	const char *path;
	unsigned by;
} group_env;

static group *group_new(groups *gs, const group_env *env, const char *key,
	const kpi_case *c, const char *week)
{
	size_t n = opex_pm_map_node_count(env->map), i, d;
	group *g;

	opex_array_grow((void **)&gs->items, &gs->cap, gs->count + 1, sizeof(*g));
	g = &gs->items[gs->count++];
	memset(g, 0, sizeof(*g));
	g->key = opex_strdup(key);
	g->w.p.path = keep(&g->w, env->path);
	g->w.p.conformance = -1;
	measures_init(&g->w.p.m);
	for (d = 0; d < OPEX_KPI_DIMS; d++)
		if (env->by & (1u << d)) {
			const char *v = d == OPEX_KPI_DIM_WEEK ? week : c->dims[d];

			g->w.p.group[d] = keep(&g->w, v ? v : "");
		}
	g->w.steps = opex_calloc(n + 1, sizeof(*g->w.steps));
	g->steps = opex_calloc(n + 1, sizeof(*g->steps));
	for (i = 0; i < n; i++) {
		g->w.steps[i].node = keep(&g->w, opex_pm_map_node(env->map, i)->id);
		measures_init(&g->w.steps[i].m);
	}
	g->week_created = opex_calloc(env->win->count + 1, sizeof(uint64_t));
	g->week_resolved = opex_calloc(env->win->count + 1, sizeof(uint64_t));
	if (gs->count * 2 > gs->slot_count)
		groups_rehash(gs);
	else {
		size_t at = (size_t)opex_str_hash(key) & (gs->slot_count - 1);

		while (gs->slots[at] != 0)
			at = (at + 1) & (gs->slot_count - 1);
		gs->slots[at] = gs->count;
	}
	return g;
}

/* The group of case `c` (made on first sight). */
static group *group_of(groups *gs, const group_env *env, const kpi_case *c,
	opex_buf *key)
{
	char week[16] = "";
	size_t d, at;

	opex_buf_clear(key);
	for (d = 0; d < OPEX_KPI_DIMS; d++) {
		if (!(env->by & (1u << d)))
			continue;
		if (d == OPEX_KPI_DIM_WEEK) {
			kpi_iso_week(week, c->created);
			opex_buf_puts(key, week);
		} else if (c->dims[d] != NULL) {
			opex_buf_puts(key, c->dims[d]);
		}
		opex_buf_putc(key, '\x1f');
	}
	opex_buf_putc(key, '\0');
	if (gs->slot_count > 0) {
		at = (size_t)opex_str_hash(key->ptr) & (gs->slot_count - 1);
		while (gs->slots[at] != 0) {
			group *g = &gs->items[gs->slots[at] - 1];

			if (strcmp(g->key, key->ptr) == 0)
				return g;
			at = (at + 1) & (gs->slot_count - 1);
		}
	}
	return group_new(gs, env, key->ptr, c, week);
}

/* The FTE the roster gives the teams that handled a group's cases. */
static double teams_fte(const group *g, const opex_kb_roster *roster)
{
	double fte = 0;
	size_t i;

	for (i = 0; roster != NULL && i < g->team_count; i++) {
		const opex_kb_team *t = opex_kb_roster_team(roster, g->teams[i]);

		if (t != NULL && t->fte > 0)
			fte += t->fte;
	}
	return fte > 0 ? fte : -1;
}

/* The trend and throughput of a group from its weekly counts. */
static void finish_weeks(group *g, const window *win,
	const opex_kpi_query *q)
{
	opex_kpi_week *weeks = opex_calloc(win->count + 1, sizeof(*weeks));
	uint64_t open = 0, resolved = 0;
	size_t i;

	for (i = 0; i < win->count; i++) {
		weeks[i].start = win->first + (int64_t)i * 7 * 86400;
		kpi_iso_week(weeks[i].label, weeks[i].start);
		weeks[i].created = g->week_created[i];
		weeks[i].resolved = g->week_resolved[i];
		open += weeks[i].created;
		open -= weeks[i].resolved < open ? weeks[i].resolved : open;
		weeks[i].open = open;
		resolved += weeks[i].resolved;
	}
	g->w.weeks = weeks;
	g->w.p.weeks = weeks;
	g->w.p.week_count = win->count;
	g->w.p.throughput = win->count ? (double)resolved / (double)win->count : -1;
	g->w.p.fte = teams_fte(g, q->roster);
	g->w.p.throughput_fte = g->w.p.fte > 0 && g->w.p.throughput >= 0 ?
		g->w.p.throughput / g->w.p.fte : -1;
}

/* Make a group's measures final; what only measuring needed is freed. */
static void group_finish(struct opex_kpi_report *r, group *g,
	const opex_pm_map *map, const window *win, const opex_kpi_query *q)
{
	proc_work *w = &g->w;
	size_t i, n = opex_pm_map_node_count(map), distinct = 0;

	acc_finish(&g->all, &w->p.m);
	for (i = 0; i < n; i++)
		acc_finish(&g->steps[i], &w->steps[i].m);
	if (g->hash_count > 0) {
		qsort(g->hashes, g->hash_count, 32, cmp_hash);
		for (i = 0; i < g->hash_count; i++)
			distinct += i == 0 ||
				memcmp(g->hashes[i], g->hashes[i - 1], 32) != 0;
		w->p.m.contacts_per_customer =
			(double)g->hash_count / (double)distinct;
	}
	if (g->with_events > 0)
		w->p.conformance = (double)g->conforming / (double)g->with_events;
	if (w->p.edge_count > 1)
		qsort(w->edges, w->p.edge_count, sizeof(*w->edges), cmp_edge);
	w->p.edges = w->edges;
	w->p.steps = w->steps;
	w->p.step_count = n;
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
	finish_weeks(g, win, q);
	check_targets(r, w, map);
}

static void group_release(group *g, size_t nodes)
{
	size_t i;

	for (i = 0; g->steps != NULL && i < nodes; i++)
		acc_release(&g->steps[i]);
	acc_release(&g->all);
	opex_free(g->steps);
	opex_free(g->hashes);
	opex_free(g->week_created);
	opex_free(g->week_resolved);
	opex_free((void *)g->teams);
	opex_free(g->key);
}

static void proc_work_release(proc_work *w)
{
	size_t k;

	for (k = 0; k < w->owned_count; k++)
		opex_free(w->owned[k]);
	opex_free(w->owned);
	opex_free(w->steps);
	opex_free(w->edges);
	opex_free(w->targets);
	opex_free((void *)w->unseen);
	opex_free(w->weeks);
}

/*
 * The weeks of the trend: from the week of `since` (else of the first row)
 * to the week before `until` (else the week of `now`), the latest
 * OPEX_KPI_WEEKS_MAX of them.
 */
static window window_of(const kpi_loaded *l, const opex_kpi_query *q)
{
	int64_t first = q->since, last = q->until ? q->until - 1 : q->now;
	window win = { 0, 0 };
	size_t i;

	if (first == 0) {
		first = INT64_MAX;
		for (i = 0; i < l->case_count; i++)
			if (l->cases[i].created < first)
				first = l->cases[i].created;
		for (i = 0; i < l->event_count; i++)
			if (l->events[i].at < first)
				first = l->events[i].at;
	}
	if (first == INT64_MAX || last < first)
		return win;
	win.first = week_start(first);
	win.count = (size_t)((week_start(last) - win.first) / (7 * 86400)) + 1;
	if (win.count > OPEX_KPI_WEEKS_MAX) {
		win.first += (int64_t)(win.count - OPEX_KPI_WEEKS_MAX) * 7 * 86400;
		win.count = OPEX_KPI_WEEKS_MAX;
	}
	return win;
}

/* A case seen only in events: created at its first, resolved at its last
 * when that is an end node, with the first value each dimension has. */
static void derive_case(kpi_case *out, const opex_pm_map *map,
	const kpi_event *ev, size_t nev)
{
	long last;
	size_t i, d;

	memset(out, 0, sizeof(*out));
	out->id = ev[0].case_id;
	out->created = ev[0].at;
	out->step = ev[nev - 1].step;
	out->reopens = -1;
	out->handle = -1;
	out->replies = -1;
	out->csat = -1;
	out->automated = true;
	for (d = 0; d < KPI_ROW_DIMS; d++)
		for (i = 0; i < nev && out->dims[d] == NULL; i++)
			out->dims[d] = ev[i].dims[d];
	last = out->step ? opex_pm_map_find(map, out->step) : -1;
	if (last >= 0 && opex_pm_map_node(map, (size_t)last)->kind ==
	    OPEX_PM_KIND_END)
		out->solved = ev[nev - 1].at;
}

/* Every case of a loaded process into its group. */
static void measure_cases(struct opex_kpi_report *r, groups *gs,
	const group_env *env, kpi_loaded *l, const opex_kpi_query *q)
{
	size_t n = opex_pm_map_node_count(env->map), i, e = 0;
	opex_buf key = OPEX_BUF_INIT(OPEX_LIMIT_LINE_BYTES);
	unsigned char *visited = opex_calloc(n + 1, 1);
	reach rc;

	memset(&rc, 0, sizeof(rc));
	rc.map = env->map;
	rc.n = n;
	rc.queue = opex_calloc(n + 1, sizeof(size_t));
	rc.seen = opex_calloc(n + 1, 1);
	if (n <= REACH_MATRIX_MAX)
		rc.cache = opex_calloc(n * n + 1, 1);
	/* events are sorted by case id: walk them with the tickets */
	while (e < l->event_count) {
		size_t start = e;
		int ci = find_case(l, l->events[e].case_id);
		kpi_case c;
		group *g;

		while (e < l->event_count &&
		       l->events[e].case_id == l->events[start].case_id)
			e++;
		if (ci >= 0) {
			c = l->cases[ci];
			l->cases[ci].from_ticket = false; /* seen here: skip below */
		} else {
			derive_case(&c, env->map, &l->events[start], e - start);
		}
		if (!keep_case(q, &c))
			continue;
		g = group_of(gs, env, &c, &key);
		add_case_weeks(g, env->win, &c);
		add_case(r, g, env->map, &rc, visited, &c, &l->events[start],
			e - start, q->now);
	}
	for (i = 0; i < l->case_count; i++) {
		const kpi_case *c = &l->cases[i];
		group *g;

		if (!c->from_ticket || !keep_case(q, c))
			continue;
		g = group_of(gs, env, c, &key);
		add_case_weeks(g, env->win, c);
		add_case(r, g, env->map, &rc, visited, c, NULL, 0, q->now);
	}
	opex_free(visited);
	opex_free(rc.queue);
	opex_free(rc.seen);
	opex_free(rc.cache);
	opex_buf_release(&key);
}

static int cmp_group(const void *a, const void *b)
{
	return strcmp(((const group *)a)->key, ((const group *)b)->key);
}

static int compute_one(struct opex_kpi_report *r, opex_kpi_store *store,
	const opex_kb_repo *repo, const char *path, const opex_kpi_query *q,
	opex_error *err)
{
	opex_buf text = OPEX_BUF_INIT(OPEX_LIMIT_FILE_BYTES);
	opex_diag_list ignored = OPEX_DIAG_LIST_INIT;
	opex_pm_map *map = NULL;
	groups gs;
	kpi_loaded l;
	window win;
	group_env env;
	size_t i;
	int error;

	memset(&l, 0, sizeof(l));
	memset(&gs, 0, sizeof(gs));
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
	win = window_of(&l, q);
	env.map = map;
	env.win = &win;
	env.path = path;
	env.by = q->by;
	measure_cases(r, &gs, &env, &l, q);
	if (gs.count == 0 && q->by == 0) {       /* no cases: one empty process */
		kpi_case none;

		memset(&none, 0, sizeof(none));
		group_new(&gs, &env, "", &none, "");
	}
	if (gs.count > 1)
		qsort(gs.items, gs.count, sizeof(*gs.items), cmp_group);
	for (i = 0; i < gs.count; i++) {
		group_finish(r, &gs.items[i], map, &win, q);
		opex_array_grow((void **)&r->procs, &r->cap, r->count + 1,
			sizeof(*r->procs));
		r->procs[r->count++] = gs.items[i].w;
		memset(&gs.items[i].w, 0, sizeof(gs.items[i].w));
	}
done:
	for (i = 0; i < gs.count; i++) {
		proc_work_release(&gs.items[i].w);
		group_release(&gs.items[i], map ? opex_pm_map_node_count(map) : 0);
	}
	opex_free(gs.items);
	opex_free(gs.slots);
	kpi_loaded_release(&l);
	opex_pm_map_free(map);
	opex_diag_list_release(&ignored);
	opex_buf_release(&text);
	return error;
}

void opex_kpi_report_free(opex_kpi_report *report)
{
	size_t i;

	if (report == NULL)
		return;
	for (i = 0; i < report->count; i++)
		proc_work_release(&report->procs[i]);
	opex_free(report->procs);
	opex_free(report);
}

int opex_kpi_report_compute(opex_kpi_report **out, opex_kpi_store *store,
	const opex_kpi_mapping *mapping, const opex_kb_repo *repo,
	const opex_kpi_query *query, opex_error *err)
{
	opex_kpi_report *r = opex_calloc(1, sizeof(*r));
	size_t i, done_paths = 0;
	int error = 0;

	*out = NULL;
	memcpy(r->buckets, mapping->age_buckets, sizeof(r->buckets));
	r->bucket_count = mapping->age_bucket_count;
	for (i = 0; i < mapping->process_count; i++) {
		const char *path = mapping->processes[i];

		if (query->process != NULL && strcmp(query->process, path) != 0)
			continue;
		done_paths++;
		error = compute_one(r, store, repo, path, query, err);
		if (error < 0)
			goto done;
	}
	if (query->process != NULL && done_paths == 0)
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

/*
 * kpi_checks.c: the launch checks that read the KPI store (kpi/). The
 * store is opened only if its file exists: a check never creates it.
 *
 *   check               fails when
 *   kpis-within-target  a target_* of a covered process that the kpi mapping
 *                       names is breached, judged once per launch market (all
 *                       cases when the launch lists none); or the mapping, the
 *                       store or the process's cases are missing
 *   capacity-covered    in a week of the launch's `capacity:`, a journey x
 *                       market needs more FTE than the roster gives it; or
 *                       the mapping, the store, the journey's cases or their
 *                       handle times are missing
 *
 * Capacity, for each journey x market x week of `capacity:`:
 *
 *   term       value
 *   baseline   mean cases created a week, of the journey in the market, over
 *              the BASELINE_WEEKS full ISO weeks before the week of now
 *   extra      the sum of the entries for that journey, market and week
 *   AHT        mean handle time of the journey's cases in the market, else
 *              in every market, else of all cases of the mapped processes
 *              whose map has that journey
 *   hours      opex.yaml capacity_hours_per_fte_week (default 30)
 *   required   (baseline + extra) x AHT / (hours x 3600)
 *   available  the fte of the roster's teams with a tier that cover the
 *              journey and market (opex_kb_team_covers: empty lists cover all)
 *
 * Required and available are compared at one decimal, as reasons show
 * them. A journey is found on cases (their mapped `journey` field); when no
 * case carries it, the cases of the mapped processes whose map has that
 * journey stand in. The AHT over several groups is the mean of the groups'
 * AHT weighted by their cases (the report gives no count of the cases that
 * have a handle time).
 */
#define _POSIX_C_SOURCE 200809L /* stat */

#include "launches/launches_int.h"
#include "core/limits.h"
#include "core/memory.h"
#include "core/time.h"
#include "kpi/kpi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/banned.h"

/* Full weeks before the week of now that the baseline load is taken over. */
#define BASELINE_WEEKS 4

typedef struct kpi_env {
	opex_kpi_mapping *mapping;
	opex_kpi_store *store;
} kpi_env;

static void env_release(kpi_env *env)
{
	opex_kpi_store_free(env->store);
	opex_kpi_mapping_free(env->mapping);
	memset(env, 0, sizeof(*env));
}

/* The first error of a failed mapping load, as a reason. */
static void mapping_reason(opex_launch_check_result *res,
	const opex_diag_list *diags, const opex_error *err)
{
	size_t i;

	for (i = 0; i < diags->count; i++) {
		const opex_diag *d = &diags->items[i];

		if (d->severity != OPEX_SEVERITY_ERROR)
			continue;
		opex_launch_check_reason(res, d->path, d->line,
			"the kpi mapping is invalid: %s: not evaluated", d->message);
		return;
	}
	opex_launch_check_reason(res, "opex.yaml", 0,
		"the kpi mapping cannot be read: %s: not evaluated", err->message);
}

/* Load the mapping and open the store; false, after a reason, if either is missing. */
static bool env_open(kpi_env *env, opex_launch_check_result *res,
	const opex_kb_handbook *hb, const opex_launch_gate_options *opts)
{
	const opex_kb_repo *repo = opex_kb_handbook_repo(hb);
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_buf path = OPEX_BUF_INIT(OPEX_LIMIT_PATH_BYTES);
	opex_error err = OPEX_ERROR_INIT;
	const char *store_path = opts->kpi_store;
	struct stat st;
	int rc;

	memset(env, 0, sizeof(*env));
	rc = opex_kpi_mapping_load(&env->mapping, repo, &diags, &err);
	if (rc == OPEX_ENOTFOUND)
		opex_launch_check_reason(res, "opex.yaml", 0,
			"the handbook has no kpi mapping (kpi: in opex.yaml, or .opex/kpi.yaml): not evaluated");
	else if (rc < 0)
		mapping_reason(res, &diags, &err);
	if (rc < 0)
		goto done;
	if (store_path == NULL) {
		opex_kpi_store_default_path(&path, repo);
		store_path = path.ptr;
	}
	if (stat(store_path, &st) != 0) {
		opex_launch_check_reason(res, "", 0,
			"no KPI store at '%s': load the helpdesk exports with opex kpi ingest: not evaluated",
			store_path);
		rc = OPEX_ENOTFOUND;
	} else {
		rc = opex_kpi_store_open(&env->store, store_path, &err);
		if (rc < 0)
			opex_launch_check_reason(res, "", 0,
				"the KPI store cannot be opened: %s: not evaluated",
				err.message);
	}
done:
	if (rc < 0)
		env_release(env);
	opex_diag_list_release(&diags);
	opex_buf_release(&path);
	return rc == 0;
}

static bool mapping_names(const opex_kpi_mapping *m, const char *path)
{
	size_t i;

	for (i = 0; i < opex_kpi_mapping_process_count(m); i++)
		if (strcmp(opex_kpi_mapping_process(m, i), path) == 0)
			return true;
	return false;
}

/* A measure as a target is written: 3.4d, 4.5h, 35min, 12.5%, 4.2, 300. */
static void format_measure(char *out, size_t size, const char *name,
	const char *written, double v)
{
	double ignored;

	switch (opex_pm_target_parse(&ignored, name, written)) {
	case OPEX_PM_TARGET_DURATION:
		if (v < 3600)
			snprintf(out, size, "%.0fmin", v / 60);
		else if (v < 172800)
			snprintf(out, size, "%.1fh", v / 3600);
		else
			snprintf(out, size, "%.1fd", v / 86400);
		break;
	case OPEX_PM_TARGET_RATIO:
		snprintf(out, size, "%.1f%%", v * 100);
		break;
	case OPEX_PM_TARGET_COUNT:
		snprintf(out, size, "%.0f", v);
		break;
	default:
		snprintf(out, size, "%.2g", v);
		break;
	}
}

/* The targets of one covered process in one market (NULL: every market). */
static void kpis_one(opex_launch_check_result *res, const kpi_env *env,
	const opex_launch *l, const opex_kb_handbook *hb,
	const opex_launch_name *p, const char *market, int64_t now)
{
	opex_kpi_query q = OPEX_KPI_QUERY_INIT;
	opex_kpi_report *r = NULL;
	opex_error err = OPEX_ERROR_INIT;
	const opex_kpi_process *proc;
	char actual[32];
	size_t i;

	q.process = p->name;
	q.market = market;
	q.now = now;
	q.roster = opex_kb_handbook_roster(hb);
	if (opex_kpi_report_compute(&r, env->store, env->mapping,
			opex_kb_handbook_repo(hb), &q, &err) < 0) {
		opex_launch_check_reason(res, opex_launch_path(l), p->line,
			"the KPIs of '%s' cannot be computed: %s: not evaluated",
			p->name, err.message);
		return;
	}
	proc = opex_kpi_report_process_count(r) ? opex_kpi_report_process(r, 0) : NULL;
	if (proc == NULL || proc->cases == 0) {
		opex_launch_check_reason(res, opex_launch_path(l), p->line,
			"the KPI store has no cases of '%s'%s%s: its targets cannot be judged",
			p->name, market ? " in market " : "", market ? market : "");
		goto done;
	}
	for (i = 0; i < proc->target_count; i++) {
		const opex_kpi_target_check *t = &proc->targets[i];

		if (!t->breached)
			continue;
		format_measure(actual, sizeof(actual), t->name, t->written, t->actual);
		opex_launch_check_reason(res, p->name, t->line,
			"%s = %s%s%s breached%s%s: actual %s", t->name, t->written,
			t->node ? " on step " : "", t->node ? t->node : "",
			market ? " in market " : "", market ? market : "", actual);
	}
done:
	opex_kpi_report_free(r);
}

void opex_launch_check_kpis(opex_launch_check_result *res,
	const opex_launch *l, const opex_kb_handbook *hb,
	const opex_launch_gate_options *opts)
{
	size_t i, m, covered = 0;
	size_t markets = opex_launch_list_count(l, OPEX_LAUNCH_MARKETS);
	kpi_env env;

	if (!env_open(&env, res, hb, opts))
		return;
	for (i = 0; i < opex_launch_list_count(l, OPEX_LAUNCH_PROCESSES); i++) {
		const opex_launch_name *p =
			opex_launch_list_item(l, OPEX_LAUNCH_PROCESSES, i);

		if (!mapping_names(env.mapping, p->name))
			continue;
		covered++;
		for (m = 0; m < (markets ? markets : 1); m++)
			kpis_one(res, &env, l, hb, p, markets ? opex_launch_list_item(l,
				OPEX_LAUNCH_MARKETS, m)->name : NULL, opts->now);
	}
	if (covered == 0)
		opex_launch_check_reason(res, opex_launch_path(l), 1,
			"the kpi mapping names none of the launch's processes: not evaluated");
	env_release(&env);
}

/* ---------------------------------------------------------------------
 * capacity-covered
 * ------------------------------------------------------------------- */

/* The load of one journey x market x week (names borrowed from the launch). */
typedef struct demand {
	const char *journey, *market;  /* market NULL: every market */
	int64_t week;
	double extra;
	unsigned line;                 /* of the first entry that asks for it */
} demand;

typedef struct demands {
	demand *items;
	size_t count, cap;
} demands;

static int str_null_cmp(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

static int cmp_demand(const void *x, const void *y)
{
	const demand *a = x, *b = y;
	int c = strcmp(a->journey, b->journey);

	if (c == 0)
		c = str_null_cmp(a->market, b->market);
	if (c == 0)
		c = (a->week > b->week) - (a->week < b->week);
	return c;
}

static void demand_add(demands *ds, const opex_launch_capacity *c,
	const char *market, int64_t week)
{
	size_t i;
	demand *d;

	for (i = 0; i < ds->count; i++) {
		d = &ds->items[i];
		if (strcmp(d->journey, c->journey) == 0 && d->week == week &&
		    str_null_cmp(d->market, market) == 0) {
			d->extra += c->extra;
			return;
		}
	}
	opex_array_grow((void **)&ds->items, &ds->cap, ds->count + 1,
		sizeof(*ds->items));
	d = &ds->items[ds->count++];
	d->journey = c->journey;
	d->market = market;
	d->week = week;
	d->extra = c->extra;
	d->line = c->line;
}

/* Every journey x market x week the launch's capacity asks for, sorted. */
static void demands_collect(demands *ds, opex_launch_check_result *res,
	const opex_launch *l)
{
	size_t i, m, w, markets = opex_launch_list_count(l, OPEX_LAUNCH_MARKETS);

	for (i = 0; i < opex_launch_capacity_count(l); i++) {
		const opex_launch_capacity *c = opex_launch_capacity_at(l, i);
		size_t n = c->market ? 1 : markets ? markets : 1;

		if (c->invalid) {
			opex_launch_check_reason(res, opex_launch_path(l), c->line,
				"capacity entry is invalid (see opex lint): not evaluated");
			continue;
		}
		for (m = 0; m < n; m++) {
			const char *market = c->market ? c->market : markets ?
				opex_launch_list_item(l, OPEX_LAUNCH_MARKETS, m)->name : NULL;

			for (w = 0; w < c->week_count; w++)
				demand_add(ds, c, market, c->weeks[w]);
		}
	}
	if (ds->count > 1)
		qsort(ds->items, ds->count, sizeof(*ds->items), cmp_demand);
}

/* Which groups of the report count for a journey (see the file comment). */
typedef struct scope {
	const char *journey;           /* the cases' journey; NULL: any */
	const char **paths;            /* only these processes; NULL: all */
	size_t path_count;
	const char *market;            /* NULL: any */
	const char *from, *to;         /* ISO week labels, inclusive; NULL: all */
} scope;

typedef struct tally {
	double cases;
	double handle_sum, handle_cases;
} tally;

static bool in_scope(const scope *s, const opex_kpi_process *p)
{
	const char *week = p->group[OPEX_KPI_DIM_WEEK];
	size_t i;
	bool listed = s->paths == NULL;

	for (i = 0; !listed && i < s->path_count; i++)
		listed = strcmp(s->paths[i], p->path) == 0;
	return listed &&
	       (s->journey == NULL || strcmp(p->group[OPEX_KPI_DIM_JOURNEY], s->journey) == 0) &&
	       (s->market == NULL || strcmp(p->group[OPEX_KPI_DIM_MARKET], s->market) == 0) &&
	       (s->from == NULL || strcmp(week, s->from) >= 0) &&
	       (s->to == NULL || strcmp(week, s->to) <= 0);
}

static tally tally_of(const opex_kpi_report *r, const scope *s)
{
	tally t = { 0, 0, 0 };
	size_t i;

	for (i = 0; i < opex_kpi_report_process_count(r); i++) {
		const opex_kpi_process *p = opex_kpi_report_process(r, i);

		if (!in_scope(s, p))
			continue;
		t.cases += (double)p->cases;
		if (p->m.aht >= 0 && p->cases > 0) {
			t.handle_sum += p->m.aht * (double)p->cases;
			t.handle_cases += (double)p->cases;
		}
	}
	return t;
}

/* What a journey x market is judged by. */
typedef struct pair_load {
	double aht;                    /* seconds */
	double baseline;               /* cases a week */
	double available;              /* FTE */
} pair_load;

/* The inputs shared by every journey x market. */
typedef struct capacity_env {
	opex_launch_check_result *res;
	const opex_launch *l;
	const opex_kb_handbook *hb;
	const opex_kpi_report *report;   /* by journey, market and week */
	const opex_kpi_mapping *mapping;
	char from[16], to[16];           /* the baseline weeks */
} capacity_env;

/* The mapped processes whose map has journey `journey`; free with opex_free. */
static size_t journey_paths(const char ***out, const capacity_env *env,
	const char *journey)
{
	const opex_kb_repo *repo = opex_kb_handbook_repo(env->hb);
	size_t i, n = 0, count = opex_kpi_mapping_process_count(env->mapping);
	const char **paths = opex_calloc(count + 1, sizeof(*paths));

	for (i = 0; i < count; i++) {
		const char *path = opex_kpi_mapping_process(env->mapping, i);
		opex_diag_list diags = OPEX_DIAG_LIST_INIT;
		opex_pm_map *map = opex_launch_map_read(env->res, repo, path, 0,
			path, &diags);
		const char *j = map ? opex_pm_map_attr(map, OPEX_PM_ATTR_JOURNEY) : NULL;

		if (j != NULL && strcmp(j, journey) == 0)
			paths[n++] = path;
		opex_pm_map_free(map);
		opex_diag_list_release(&diags);
	}
	*out = paths;
	return n;
}

static double roster_fte(const opex_kb_roster *roster, const char *journey,
	const char *market)
{
	double fte = 0;
	size_t i;

	for (i = 0; i < roster->team_count; i++) {
		const opex_kb_team *t = &roster->teams[i];

		if (t->tier >= 1 && t->fte > 0 &&
		    opex_kb_team_covers(t, journey, market, NULL))
			fte += t->fte;
	}
	return fte;
}

/* AHT, baseline and FTE of a journey x market; false after a reason. */
static bool pair_measure(pair_load *out, const capacity_env *env,
	const demand *d)
{
	const char *lp = opex_launch_path(env->l);
	scope s = { d->journey, NULL, 0, NULL, NULL, NULL };
	const char **paths = NULL;
	tally all = tally_of(env->report, &s), t;
	bool ok = false;

	if (all.cases == 0) {              /* no case carries the journey */
		s.journey = NULL;
		s.path_count = journey_paths(&paths, env, d->journey);
		s.paths = paths;
		all = s.path_count ? tally_of(env->report, &s) : all;
	}
	if (all.cases == 0) {
		opex_launch_check_reason(env->res, lp, d->line,
			"the KPI store has no cases of journey %s (neither cases with that journey nor of a mapped process whose map has journey=\"%s\"): not evaluated",
			d->journey, d->journey);
		goto done;
	}
	s.market = d->market;
	t = tally_of(env->report, &s);
	if (t.handle_cases == 0) {
		s.market = NULL;
		t = all;
	}
	if (t.handle_cases == 0 && s.paths == NULL) {
		s.journey = NULL;
		s.path_count = journey_paths(&paths, env, d->journey);
		s.paths = paths;
		t = s.path_count ? tally_of(env->report, &s) : t;
		s.journey = d->journey;
		s.paths = NULL;
		s.path_count = 0;
	}
	if (t.handle_cases == 0) {
		opex_launch_check_reason(env->res, lp, d->line,
			"the KPI store has no handle times of journey %s: map handle_minutes or handle_seconds in the kpi mapping and ingest the exports again: not evaluated",
			d->journey);
		goto done;
	}
	out->aht = t.handle_sum / t.handle_cases;
	s.market = NULL;
	s.from = env->from;
	s.to = env->to;
	if (tally_of(env->report, &s).cases == 0) {
		opex_launch_check_reason(env->res, lp, d->line,
			"the KPI store has no cases of journey %s created in %s to %s, the %d full weeks before now: ingest a recent export: not evaluated",
			d->journey, env->from, env->to, BASELINE_WEEKS);
		goto done;
	}
	s.market = d->market;
	out->baseline = tally_of(env->report, &s).cases / BASELINE_WEEKS;
	out->available = roster_fte(opex_kb_handbook_roster(env->hb), d->journey,
		d->market);
	ok = true;
done:
	opex_free(paths);
	return ok;
}

/* `v` (0 or more) rounded to one decimal. */
static double tenths(double v)
{
	return (double)(long long)(v * 10 + 0.5) / 10;
}

/* One reason per week of the journey x market of ds[first..end) that is short. */
static void pair_judge(const capacity_env *env, const pair_load *load,
	const demand *ds, size_t first, size_t end)
{
	double hours = opex_kb_handbook_settings(env->hb)->capacity_hours_per_fte_week;
	double available = tenths(load->available);
	char week[16];
	size_t i;

	for (i = first; i < end; i++) {
		const demand *d = &ds[i];
		double need = (load->baseline + d->extra) * load->aht /
			(hours * 3600);

		need = tenths(need);
		if (need <= available)
			continue;
		opex_time_format_week(week, sizeof(week), d->week);
		opex_launch_check_reason(env->res, opex_launch_path(env->l), d->line,
			"week %s: %s in %s needs %.1f FTE, the roster gives %.1f: %.1f FTE short",
			week, d->journey, d->market ? d->market : "every market", need,
			available, need - available);
	}
}

void opex_launch_check_capacity(opex_launch_check_result *res,
	const opex_launch *l, const opex_kb_handbook *hb,
	const opex_launch_gate_options *opts)
{
	opex_kpi_query q = OPEX_KPI_QUERY_INIT;
	opex_kpi_report *report = NULL;
	opex_error err = OPEX_ERROR_INIT;
	demands ds = { NULL, 0, 0 };
	capacity_env cenv;
	kpi_env env;
	size_t i, end;
	int64_t week = opex_time_week_start(opts->now);

	memset(&env, 0, sizeof(env));
	if (opex_launch_capacity_count(l) == 0) {
		opex_launch_check_reason(res, opex_launch_path(l), 1,
			"the launch declares no capacity (capacity: journey, extra_contacts_per_week, weeks): not evaluated");
		return;
	}
	demands_collect(&ds, res, l);
	if (ds.count == 0 || !env_open(&env, res, hb, opts))
		goto done;
	q.now = opts->now;
	q.by = (1u << OPEX_KPI_DIM_JOURNEY) | (1u << OPEX_KPI_DIM_MARKET) |
		(1u << OPEX_KPI_DIM_WEEK);
	if (opex_kpi_report_compute(&report, env.store, env.mapping,
			opex_kb_handbook_repo(hb), &q, &err) < 0) {
		opex_launch_check_reason(res, "", 0,
			"the KPIs cannot be computed: %s: not evaluated", err.message);
		goto done;
	}
	memset(&cenv, 0, sizeof(cenv));
	cenv.res = res;
	cenv.l = l;
	cenv.hb = hb;
	cenv.report = report;
	cenv.mapping = env.mapping;
	opex_time_format_week(cenv.from, sizeof(cenv.from),
		week - BASELINE_WEEKS * 7 * OPEX_DAY_SECONDS);
	opex_time_format_week(cenv.to, sizeof(cenv.to), week - 7 * OPEX_DAY_SECONDS);
	for (i = 0; i < ds.count; i = end) {
		pair_load load;

		for (end = i + 1; end < ds.count &&
		     strcmp(ds.items[end].journey, ds.items[i].journey) == 0 &&
		     str_null_cmp(ds.items[end].market, ds.items[i].market) == 0; end++)
			;
		if (pair_measure(&load, &cenv, &ds.items[i]))
			pair_judge(&cenv, &load, ds.items, i, end);
	}
done:
	opex_kpi_report_free(report);
	env_release(&env);
	opex_free(ds.items);
}

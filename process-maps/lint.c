/*
 * lint.c: the process-map rules, one map at a time and across maps.
 *
 *   rule                           severity  where
 *   dot-syntax                     error     the line cgraph names (see model.c); strict
 *   unknown-attribute              error     the attribute
 *   kpi-target-invalid             error     a target_* unknown or whose value does not parse
 *   duplicate-node-declaration     error     the second declaration
 *   duplicate-edge                 error     the second edge
 *   invalid-kind                   error     the node
 *   start-required, end-required   error     the digraph line
 *   single-start                   error     each start after the first
 *   no-implicit-start              error     a non-start node without entry
 *   no-implicit-end                error     a non-end node without exit
 *   unreachable-node               error     not reachable from a start
 *   dead-end                       error     cannot reach an end
 *   implicit-split                 error     a start, action or subprocess with 2+ exits
 *   decision-needs-branches        error     a decision with fewer than 2 exits
 *   loop-without-exit              error     the first node of the loop
 *   decision-edge-unlabeled        error     the edge
 *   decision-edge-duplicate-label  error     the second edge
 *   label-missing                  error     the node or lane
 *   end-labels-not-distinct        warning   the second end
 *   owner-missing, champion-missing error    the digraph line
 *   owner-unknown, champion-unknown error    the attribute
 *   acknowledge-unknown            error     the acknowledge attribute
 *   owner-is-champion              warning   the champion attribute
 *   review-overdue                 warning   review_by
 *   review-by-invalid              error     review_by
 *   article-missing                error     the node
 *   reply-missing                  error     the node (a reply= path that is no reply)
 *   subprocess-missing             error     the node
 *   subprocess-cycle               error     the subprocess node (handbook)
 *   step-without-article           warning   the action
 *   orphan-article                 info      the article (handbook)
 *   suppression-invalid            error     a lint_ignore without reason or with an unknown rule
 *
 * Suppressions: lint_ignore="rule-id: reason; other-rule: reason" on a node
 * silences that node's findings of those rules; on the graph, every
 * finding of the file. Silenced findings are counted in the report.
 */
#include "process-maps/process_maps_int.h"
#include "core/limits.h"
#include "core/memory.h"
#include "core/path.h"
#include "core/str.h"
#include "core/text.h"
#include "core/time.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

#define NONE OPEX_PM_NO_LANE
#define QUOTE_MAX 80

/* ---- suppressions ------------------------------------------------------ */

size_t opex_pm_ignore_parse(pm_ignore **out, const char *value)
{
	pm_ignore *items = NULL;
	size_t count = 0, cap = 0;
	const char *p = value;

	while (p && *p) {
		const char *end = strchr(p, ';');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		opex_str item = opex_str_trim((opex_str){ p, len });
		const char *colon = memchr(item.ptr, ':', item.len);
		opex_str rule = item, reason = { NULL, 0 };

		if (colon != NULL) {
			rule.len = (size_t)(colon - item.ptr);
			reason = opex_str_trim((opex_str){ colon + 1,
				item.len - rule.len - 1 });
		}
		rule = opex_str_trim(rule);
		if (rule.len > 0) {
			opex_array_grow((void **)&items, &cap, count + 1,
				sizeof(*items));
			items[count].rule = opex_strndup(rule.ptr, rule.len);
			items[count].reason = reason.len
				? opex_strndup(reason.ptr, reason.len) : NULL;
			count++;
		}
		p = end ? end + 1 : NULL;
	}
	*out = items;
	return count;
}

void opex_pm_ignore_free(pm_ignore *items, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++) {
		opex_free(items[i].rule);
		opex_free(items[i].reason);
	}
	opex_free(items);
}

void opex_pm_lint_report_release(opex_pm_lint_report *report)
{
	size_t i;

	for (i = 0; i < report->suppression_count; i++) {
		opex_pm_suppression *s = &report->suppressions[i];

		opex_free(s->path);
		opex_free(s->rule);
		opex_free(s->reason);
		opex_free(s->node);
	}
	opex_free(report->suppressions);
	for (i = 0; report->kept != NULL && i < report->kept_count; i++)
		opex_pm_map_free(report->kept[i].map);
	opex_free(report->kept);
	memset(report, 0, sizeof(*report));
}

/* ---- one lint run over one map ----------------------------------------- */

typedef struct ignore_set {
	pm_ignore *items;
	size_t count;
	size_t *slot;          /* index in report->suppressions, or NONE */
} ignore_set;

typedef struct lint_run {
	const opex_pm_map *map;
	const opex_pm_lint_context *ctx;
	opex_diag_list *diags;
	opex_pm_lint_report *report;
	ignore_set graph;
	ignore_set *nodes;     /* per node; items NULL when none */
	size_t *out_start, *out_list, *in_start, *in_list; /* adjacency (edge ids) */
} lint_run;

static int quote_len(const char *s)
{
	size_t n = strlen(s);

	return n > QUOTE_MAX ? QUOTE_MAX : (int)n;
}

/* The report's entry for a suppression recorded by an earlier run, or NONE. */
static size_t find_suppression(const lint_run *run, size_t node,
	const char *rule, unsigned line)
{
	const opex_pm_lint_report *r = run->report;
	size_t i;

	for (i = 0; r != NULL && i < r->suppression_count; i++) {
		const opex_pm_suppression *s = &r->suppressions[i];

		if (s->line == line && strcmp(s->rule, rule) == 0 &&
		    strcmp(s->path, run->map->path) == 0 &&
		    (node == NONE ? s->node == NULL
			: s->node != NULL &&
			  strcmp(s->node, run->map->nodes[node].id) == 0))
			return i;
	}
	return NONE;
}

/*
 * Check the entries of a lint_ignore and record the valid ones in the
 * report. A second run over the same map (`again`) reports nothing and
 * finds the entries the first run recorded.
 */
static void validate_ignores(lint_run *run, ignore_set *set, size_t node,
	const char *where, unsigned line, bool again)
{
	size_t i;

	set->slot = opex_calloc(set->count + 1, sizeof(size_t));
	for (i = 0; i < set->count; i++) {
		pm_ignore *ig = &set->items[i];
		const char *near;

		set->slot[i] = NONE;
		if (again) {
			if (opex_pm_rule_known(ig->rule) && ig->reason != NULL)
				set->slot[i] = run->report == NULL ? 0
					: find_suppression(run, node, ig->rule, line);
			continue;
		}
		if (!opex_pm_rule_known(ig->rule)) {
			near = opex_text_closest(ig->rule, strlen(ig->rule),
				opex_pm_rule_ids, opex_pm_rule_id_count, 3);
			opex_diag_add(run->diags, OPEX_SEVERITY_ERROR,
				"suppression-invalid", run->map->path, line, 1,
				"lint_ignore on %s names unknown rule '%.*s'%s%s%s",
				where, quote_len(ig->rule), ig->rule,
				near ? " (did you mean '" : "", near ? near : "",
				near ? "'?)" : "");
			continue;
		}
		if (ig->reason == NULL) {
			opex_diag_add(run->diags, OPEX_SEVERITY_ERROR,
				"suppression-invalid", run->map->path, line, 1,
				"lint_ignore '%.*s' on %s has no reason: write '%.*s: why it is fine'",
				quote_len(ig->rule), ig->rule, where,
				quote_len(ig->rule), ig->rule);
			continue;
		}
		if (run->report != NULL) {
			opex_pm_lint_report *r = run->report;
			opex_pm_suppression *s;

			opex_array_grow((void **)&r->suppressions,
				&r->suppression_cap, r->suppression_count + 1,
				sizeof(*r->suppressions));
			s = &r->suppressions[r->suppression_count];
			s->path = opex_strdup(run->map->path);
			s->line = line;
			s->rule = opex_strdup(ig->rule);
			s->reason = opex_strdup(ig->reason);
			s->node = node == NONE ? NULL
				: opex_strdup(run->map->nodes[node].id);
			s->count = 0;
			set->slot[i] = r->suppression_count++;
		} else {
			set->slot[i] = 0;
		}
	}
}

/* True (and counted) if a valid suppression in `set` covers `rule`. */
static bool suppressed_by(lint_run *run, const ignore_set *set,
	const char *rule)
{
	size_t i;

	for (i = 0; i < set->count; i++) {
		if (set->slot[i] == NONE || strcmp(set->items[i].rule, rule) != 0)
			continue;
		if (run->report != NULL && set->slot[i] < run->report->suppression_count)
			run->report->suppressions[set->slot[i]].count++;
		return true;
	}
	return false;
}

static void report(lint_run *run, size_t node, opex_severity severity,
	const char *rule, unsigned line, const char *fmt, ...) OPEX_PRINTF(6, 7);

static void report(lint_run *run, size_t node, opex_severity severity,
	const char *rule, unsigned line, const char *fmt, ...)
{
	va_list ap;

	if (node != NONE && run->nodes[node].count > 0 &&
	    suppressed_by(run, &run->nodes[node], rule))
		return;
	if (suppressed_by(run, &run->graph, rule))
		return;
	va_start(ap, fmt);
	opex_diag_vadd(run->diags, severity, rule, run->map->path, line,
		line ? 1 : 0, fmt, ap);
	va_end(ap);
}

static void run_init(lint_run *run, const opex_pm_map *map,
	const opex_pm_lint_context *ctx, opex_diag_list *diags,
	opex_pm_lint_report *rep, bool again)
{
	size_t i, n = map->node_count;
	size_t *fill;

	memset(run, 0, sizeof(*run));
	run->map = map;
	run->ctx = ctx;
	run->diags = diags;
	run->report = rep;
	run->graph.count = opex_pm_ignore_parse(&run->graph.items,
		map->attrs[OPEX_PM_ATTR_LINT_IGNORE]);
	validate_ignores(run, &run->graph, NONE, "the graph",
		map->attr_lines[OPEX_PM_ATTR_LINT_IGNORE], again);
	run->nodes = opex_calloc(n + 1, sizeof(*run->nodes));
	for (i = 0; i < n; i++) {
		char where[QUOTE_MAX + 16];

		if (map->nodes[i].lint_ignore == NULL)
			continue;
		snprintf(where, sizeof(where), "node '%.*s'",
			quote_len(map->nodes[i].id), map->nodes[i].id);
		run->nodes[i].count = opex_pm_ignore_parse(&run->nodes[i].items,
			map->nodes[i].lint_ignore);
		validate_ignores(run, &run->nodes[i], i, where,
			map->nodes[i].line, again);
	}
	/* Adjacency lists in compressed form: out_list[out_start[v]..out_start[v+1]). */
	run->out_start = opex_calloc(n + 2, sizeof(size_t));
	run->in_start = opex_calloc(n + 2, sizeof(size_t));
	run->out_list = opex_calloc(map->edge_count + 1, sizeof(size_t));
	run->in_list = opex_calloc(map->edge_count + 1, sizeof(size_t));
	for (i = 0; i < map->edge_count; i++) {
		run->out_start[map->edges[i].tail + 1]++;
		run->in_start[map->edges[i].head + 1]++;
	}
	for (i = 0; i < n; i++) {
		run->out_start[i + 1] += run->out_start[i];
		run->in_start[i + 1] += run->in_start[i];
	}
	fill = opex_calloc(2 * n + 1, sizeof(size_t));
	for (i = 0; i < map->edge_count; i++) {
		size_t t = map->edges[i].tail, h = map->edges[i].head;

		run->out_list[run->out_start[t] + fill[t]++] = i;
		run->in_list[run->in_start[h] + fill[n + h]++] = i;
	}
	opex_free(fill);
}

static void run_release(lint_run *run)
{
	size_t i;

	opex_pm_ignore_free(run->graph.items, run->graph.count);
	opex_free(run->graph.slot);
	for (i = 0; i < run->map->node_count; i++) {
		opex_pm_ignore_free(run->nodes[i].items, run->nodes[i].count);
		opex_free(run->nodes[i].slot);
	}
	opex_free(run->nodes);
	opex_free(run->out_start);
	opex_free(run->in_start);
	opex_free(run->out_list);
	opex_free(run->in_list);
}

static size_t out_degree(const lint_run *run, size_t v)
{
	return run->out_start[v + 1] - run->out_start[v];
}

static size_t in_degree(const lint_run *run, size_t v)
{
	return run->in_start[v + 1] - run->in_start[v];
}

static const char *node_id(const lint_run *run, size_t v)
{
	return run->map->nodes[v].id;
}

#define ID(run, v) quote_len(node_id(run, v)), node_id(run, v)

/* ---- DOT hygiene --------------------------------------------------------- */

static const char *context_name(pm_src_context ctx)
{
	return ctx == PM_SRC_NODE ? "node" : ctx == PM_SRC_EDGE ? "edge" : "graph";
}

static void lint_hygiene(lint_run *run)
{
	const opex_pm_map *map = run->map;
	size_t i;

	if (map->strict)
		report(run, NONE, OPEX_SEVERITY_ERROR, "dot-syntax", map->line,
			"'strict' digraph: it merges duplicate edges silently; drop 'strict'");
	for (i = 0; i < map->fact_count; i++) {
		const pm_map_fact *f = &map->facts[i];

		if (f->kind == PM_FACT_DUPLICATE_NODE) {
			report(run, f->node, OPEX_SEVERITY_ERROR,
				"duplicate-node-declaration", f->line,
				"node '%.*s' is declared again (first on line %u): these attributes silently override the first ones",
				quote_len(f->name), f->name, f->first_line);
		} else {
			const char *near = opex_pm_attribute_closest(f->name);

			report(run, f->node, OPEX_SEVERITY_ERROR,
				"unknown-attribute", f->line,
				"unknown %s attribute '%.*s'%s%s%s: Graphviz ignores it",
				context_name(f->context), quote_len(f->name), f->name,
				near ? " (did you mean '" : "", near ? near : "",
				near ? "'?)" : "");
		}
	}
	for (i = 0; i < map->node_count; i++) {
		const opex_pm_node *n = &map->nodes[i];

		if (!n->kind_valid)
			report(run, i, OPEX_SEVERITY_ERROR, "invalid-kind", n->line,
				"node '%.*s' has kind '%.*s': use start, end, action, decision, merge or subprocess",
				ID(run, i), quote_len(n->kind_attr), n->kind_attr);
	}
}

typedef struct edge_sort {
	const opex_pm_map *map;
	size_t index;
} edge_sort;

static int cmp_edges(const void *a, const void *b)
{
	const edge_sort *x = a, *y = b;
	const opex_pm_edge *e = &x->map->edges[x->index];
	const opex_pm_edge *f = &y->map->edges[y->index];
	const char *l1 = e->label ? e->label : "", *l2 = f->label ? f->label : "";
	int c;

	if (e->tail != f->tail)
		return e->tail < f->tail ? -1 : 1;
	if (e->head != f->head)
		return e->head < f->head ? -1 : 1;
	c = strcmp(l1, l2);
	if (c != 0)
		return c;
	if (e->line != f->line)
		return e->line < f->line ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static void lint_targets(lint_run *run)
{
	const opex_pm_map *map = run->map;
	size_t i;

	for (i = 0; i < opex_pm_map_target_count(map); i++) {
		const opex_pm_target *t = opex_pm_map_target(map, i);
		double v;
		int type = opex_pm_target_parse(&v, t->name, t->value);

		if (type == OPEX_PM_TARGET_UNKNOWN)
			report(run, t->node, OPEX_SEVERITY_ERROR,
				"kpi-target-invalid", t->line,
				"unknown target '%.*s': known are target_backlog, target_resolution_p50/p90, target_first_response_p50/p90, target_step_p50/p90, target_reopen_rate, target_rework_rate, target_automation_rate, target_csat, target_conformance",
				quote_len(t->name), t->name);
		else if (type < 0)
			report(run, t->node, OPEX_SEVERITY_ERROR,
				"kpi-target-invalid", t->line,
				"target '%.*s' has a value '%.*s' that does not parse (a count \"300\", a duration \"90min\", \"4h\", \"2d\", \"1w\", a rate \"5%%\", a score \"4.2\")",
				quote_len(t->name), t->name,
				quote_len(t->value), t->value);
	}
}

static void lint_duplicate_edges(lint_run *run)
{
	const opex_pm_map *map = run->map;
	edge_sort *s = opex_calloc(map->edge_count + 1, sizeof(*s));
	size_t i;

	for (i = 0; i < map->edge_count; i++) {
		s[i].map = map;
		s[i].index = i;
	}
	qsort(s, map->edge_count, sizeof(*s), cmp_edges);
	for (i = 1; i < map->edge_count; i++) {
		const opex_pm_edge *prev = &map->edges[s[i - 1].index];
		const opex_pm_edge *e = &map->edges[s[i].index];

		if (prev->tail != e->tail || prev->head != e->head ||
		    strcmp(prev->label ? prev->label : "",
			   e->label ? e->label : "") != 0)
			continue;
		report(run, e->tail, OPEX_SEVERITY_ERROR, "duplicate-edge",
			e->line,
			"edge '%.*s' -> '%.*s' appears again (first on line %u): Graphviz keeps both",
			ID(run, e->tail), ID(run, e->head), prev->line);
	}
	opex_free(s);
}

/* ---- structure ---------------------------------------------------------- */

static void lint_starts_and_ends(lint_run *run, size_t *starts, size_t *ends)
{
	const opex_pm_map *map = run->map;
	size_t i, first_start = NONE;

	*starts = *ends = 0;
	for (i = 0; i < map->node_count; i++) {
		const opex_pm_node *n = &map->nodes[i];

		if (n->kind == OPEX_PM_KIND_START) {
			if (first_start != NONE)
				report(run, i, OPEX_SEVERITY_ERROR, "single-start",
					n->line,
					"second start '%.*s' (the first is '%.*s'): a process has one start",
					ID(run, i), ID(run, first_start));
			else
				first_start = i;
			(*starts)++;
		}
		if (n->kind == OPEX_PM_KIND_END)
			(*ends)++;
		if (in_degree(run, i) == 0 && n->kind != OPEX_PM_KIND_START)
			report(run, i, OPEX_SEVERITY_ERROR, "no-implicit-start",
				n->line,
				"nothing leads to '%.*s': only a start may have no incoming edge",
				ID(run, i));
		if (out_degree(run, i) == 0 && n->kind != OPEX_PM_KIND_END)
			report(run, i, OPEX_SEVERITY_ERROR, "no-implicit-end",
				n->line,
				"'%.*s' leads nowhere: only an end may have no outgoing edge",
				ID(run, i));
	}
	if (*starts == 0)
		report(run, NONE, OPEX_SEVERITY_ERROR, "start-required", map->line,
			"the map has no start: mark the first step kind=start");
	if (*ends == 0)
		report(run, NONE, OPEX_SEVERITY_ERROR, "end-required", map->line,
			"the map has no end: mark each outcome kind=end");
}

/* Mark what is reachable from nodes of `kind`, forwards or backwards. */
static bool *reach(const lint_run *run, opex_pm_kind kind, bool forward)
{
	const opex_pm_map *map = run->map;
	bool *seen = opex_calloc(map->node_count + 1, sizeof(bool));
	size_t *queue = opex_calloc(map->node_count + 1, sizeof(size_t));
	size_t head = 0, tail = 0, i;

	for (i = 0; i < map->node_count; i++)
		if (map->nodes[i].kind == kind) {
			seen[i] = true;
			queue[tail++] = i;
		}
	while (head < tail) {
		size_t v = queue[head++];
		const size_t *start = forward ? run->out_start : run->in_start;
		const size_t *list = forward ? run->out_list : run->in_list;

		for (i = start[v]; i < start[v + 1]; i++) {
			const opex_pm_edge *e = &map->edges[list[i]];
			size_t w = forward ? e->head : e->tail;

			if (!seen[w]) {
				seen[w] = true;
				queue[tail++] = w;
			}
		}
	}
	opex_free(queue);
	return seen;
}

static void lint_reachability(lint_run *run, size_t starts, size_t ends)
{
	const opex_pm_map *map = run->map;
	bool *from_start = starts ? reach(run, OPEX_PM_KIND_START, true) : NULL;
	bool *to_end = ends ? reach(run, OPEX_PM_KIND_END, false) : NULL;
	size_t i;

	for (i = 0; i < map->node_count; i++) {
		const opex_pm_node *n = &map->nodes[i];

		if (from_start && !from_start[i] && in_degree(run, i) > 0)
			report(run, i, OPEX_SEVERITY_ERROR, "unreachable-node",
				n->line, "'%.*s' cannot be reached from the start",
				ID(run, i));
		if (to_end && !to_end[i] && out_degree(run, i) > 0)
			report(run, i, OPEX_SEVERITY_ERROR, "dead-end", n->line,
				"no path from '%.*s' reaches an end", ID(run, i));
	}
	opex_free(from_start);
	opex_free(to_end);
}

static void lint_splits(lint_run *run)
{
	const opex_pm_map *map = run->map;
	size_t i;

	for (i = 0; i < map->node_count; i++) {
		const opex_pm_node *n = &map->nodes[i];
		size_t out = out_degree(run, i);

		if ((n->kind == OPEX_PM_KIND_ACTION ||
		     n->kind == OPEX_PM_KIND_START ||
		     n->kind == OPEX_PM_KIND_SUBPROCESS) && out > 1)
			report(run, i, OPEX_SEVERITY_ERROR, "implicit-split",
				n->line,
				"%s '%.*s' has %zu exits: branch through a decision",
				opex_pm_kind_name(n->kind), ID(run, i), out);
		if (n->kind == OPEX_PM_KIND_DECISION && out < 2)
			report(run, i, OPEX_SEVERITY_ERROR,
				"decision-needs-branches", n->line,
				"decision '%.*s' has %zu exit%s: a decision needs at least two branches",
				ID(run, i), out, out == 1 ? "" : "s");
	}
}

/*
 * Tarjan's strongly connected components, iteratively (maps can be deep),
 * over a graph of `n` vertices whose successors of v are
 * succ[start[v]..start[v+1]). comp[v] receives the component number of v;
 * returns the number of components.
 */
static size_t strongly_connected(size_t n, const size_t *start,
	const size_t *succ, size_t *comp)
{
	size_t *index = opex_calloc(n + 1, sizeof(size_t));
	size_t *low = opex_calloc(n + 1, sizeof(size_t));
	size_t *stack = opex_calloc(n + 1, sizeof(size_t));
	size_t *call = opex_calloc(n + 1, sizeof(size_t));
	size_t *pos = opex_calloc(n + 1, sizeof(size_t));
	bool *on = opex_calloc(n + 1, sizeof(bool));
	size_t next = 1, sp = 0, count = 0, v, root;

	for (root = 0; root < n; root++) {
		size_t cp = 0;

		if (index[root])
			continue;
		call[cp++] = root;
		index[root] = low[root] = next++;
		stack[sp++] = root;
		on[root] = true;
		pos[root] = start[root];
		while (cp > 0) {
			v = call[cp - 1];
			if (pos[v] < start[v + 1]) {
				size_t w = succ[pos[v]++];

				if (!index[w]) {
					index[w] = low[w] = next++;
					stack[sp++] = w;
					on[w] = true;
					pos[w] = start[w];
					call[cp++] = w;
				} else if (on[w] && index[w] < low[v]) {
					low[v] = index[w];
				}
				continue;
			}
			cp--;
			if (cp > 0 && low[v] < low[call[cp - 1]])
				low[call[cp - 1]] = low[v];
			if (low[v] == index[v]) {
				size_t w;

				do {
					w = stack[--sp];
					on[w] = false;
					comp[w] = count;
				} while (w != v);
				count++;
			}
		}
	}
	opex_free(index);
	opex_free(low);
	opex_free(stack);
	opex_free(call);
	opex_free(pos);
	opex_free(on);
	return count;
}

/* The map's steps as a graph for strongly_connected(). */
static size_t components(const lint_run *run, size_t *comp)
{
	size_t edges = run->map->edge_count, i, count;
	size_t *succ = opex_calloc(edges + 1, sizeof(size_t));

	for (i = 0; i < edges; i++)
		succ[i] = run->map->edges[run->out_list[i]].head;
	count = strongly_connected(run->map->node_count, run->out_start, succ,
		comp);
	opex_free(succ);
	return count;
}

static void lint_loops(lint_run *run)
{
	const opex_pm_map *map = run->map;
	size_t n = map->node_count, i;
	size_t *comp = opex_calloc(n + 1, sizeof(size_t));
	size_t count = components(run, comp);
	size_t *size = opex_calloc(count + 1, sizeof(size_t));
	size_t *first = opex_calloc(count + 1, sizeof(size_t));
	bool *cyclic = opex_calloc(count + 1, sizeof(bool));
	bool *exit = opex_calloc(count + 1, sizeof(bool));

	for (i = 0; i < n; i++) {
		size_t c = comp[i];

		if (size[c] == 0 || map->nodes[i].line < map->nodes[first[c]].line)
			first[c] = i;
		size[c]++;
	}
	for (i = 0; i < map->edge_count; i++) {
		const opex_pm_edge *e = &map->edges[i];
		size_t c = comp[e->tail];

		if (c == comp[e->head]) {
			cyclic[c] = true;
		} else if (map->nodes[e->tail].kind == OPEX_PM_KIND_DECISION) {
			exit[c] = true;
		}
	}
	for (i = 0; i < n; i++) {
		size_t c = comp[i];

		if (!cyclic[c] || exit[c] || first[c] != i)
			continue;
		report(run, i, OPEX_SEVERITY_ERROR, "loop-without-exit",
			map->nodes[i].line,
			"'%.*s' is in a loop of %zu step%s that no decision leaves: an endless rework loop",
			ID(run, i), size[c], size[c] == 1 ? "" : "s");
	}
	opex_free(comp);
	opex_free(size);
	opex_free(first);
	opex_free(cyclic);
	opex_free(exit);
}

/* ---- decisions and labels ---------------------------------------------- */

static bool same_label(const char *a, const char *b)
{
	opex_str x = opex_str_trim(opex_str_from(a));
	opex_str y = opex_str_trim(opex_str_from(b));
	size_t i;

	if (x.len != y.len)
		return false;
	for (i = 0; i < x.len; i++) {
		char c = x.ptr[i], d = y.ptr[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (d >= 'A' && d <= 'Z')
			d = (char)(d - 'A' + 'a');
		if (c != d)
			return false;
	}
	return true;
}

static void lint_decisions(lint_run *run)
{
	const opex_pm_map *map = run->map;
	size_t v, i, k;

	for (v = 0; v < map->node_count; v++) {
		if (map->nodes[v].kind != OPEX_PM_KIND_DECISION)
			continue;
		for (i = run->out_start[v]; i < run->out_start[v + 1]; i++) {
			const opex_pm_edge *e = &map->edges[run->out_list[i]];

			if (e->label == NULL) {
				report(run, v, OPEX_SEVERITY_ERROR,
					"decision-edge-unlabeled", e->line,
					"branch '%.*s' -> '%.*s' of decision '%.*s' has no label: name the answer",
					ID(run, v), ID(run, e->head), ID(run, v));
				continue;
			}
			for (k = run->out_start[v]; k < i; k++) {
				const opex_pm_edge *f = &map->edges[run->out_list[k]];

				if (f->label == NULL || !same_label(e->label, f->label))
					continue;
				report(run, v, OPEX_SEVERITY_ERROR,
					"decision-edge-duplicate-label", e->line,
					"decision '%.*s' has two branches labelled '%.*s': answers must differ",
					ID(run, v), quote_len(e->label), e->label);
				break;
			}
		}
	}
}

static void lint_labels(lint_run *run)
{
	const opex_pm_map *map = run->map;
	size_t i, k;

	for (i = 0; i < map->node_count; i++) {
		const opex_pm_node *n = &map->nodes[i];

		if (n->label == NULL && n->kind != OPEX_PM_KIND_MERGE)
			report(run, i, OPEX_SEVERITY_ERROR, "label-missing", n->line,
				"%s '%.*s' has no label: say what happens in words",
				opex_pm_kind_name(n->kind), ID(run, i));
		if (n->kind != OPEX_PM_KIND_END || n->label == NULL)
			continue;
		for (k = 0; k < i; k++) {
			const opex_pm_node *m = &map->nodes[k];

			if (m->kind != OPEX_PM_KIND_END || m->label == NULL ||
			    !same_label(m->label, n->label))
				continue;
			report(run, i, OPEX_SEVERITY_WARNING,
				"end-labels-not-distinct", n->line,
				"ends '%.*s' and '%.*s' share the label '%.*s': name each outcome",
				ID(run, k), ID(run, i), quote_len(n->label), n->label);
			break;
		}
	}
	for (i = 0; i < map->lane_count; i++) {
		const opex_pm_lane *l = &map->lanes[i];

		if (l->label == NULL)
			report(run, NONE, OPEX_SEVERITY_ERROR, "label-missing",
				l->line, "lane '%.*s' has no label", quote_len(l->id),
				l->id);
	}
}

/* ---- ownership and governance ------------------------------------------ */

static void lint_person(lint_run *run, opex_pm_attr attr, const char *missing,
	const char *unknown)
{
	const opex_pm_map *map = run->map;
	const char *who = map->attrs[attr];
	const char *name = opex_pm_attr_name(attr);
	const opex_kb_roster *roster = run->ctx->roster;

	if (who == NULL) {
		report(run, NONE, OPEX_SEVERITY_ERROR, missing, map->line,
			"the map has no %s: add %s=\"person-id\" to the graph",
			name, name);
		return;
	}
	if (roster != NULL && roster->person_count > 0 &&
	    opex_kb_roster_person(roster, who) == NULL)
		report(run, NONE, OPEX_SEVERITY_ERROR, unknown,
			map->attr_lines[attr],
			"%s '%.*s' is not a person in people.yaml", name,
			quote_len(who), who);
}

/* acknowledge="team, ...": each a team of the roster. */
static void lint_acknowledge(lint_run *run)
{
	const opex_kb_roster *roster = run->ctx->roster;
	const opex_pm_map *map = run->map;
	size_t i;

	if (roster == NULL)
		return;
	for (i = 0; i < map->acknowledge_count; i++)
		if (opex_kb_roster_team(roster, map->acknowledge[i]) == NULL)
			report(run, NONE, OPEX_SEVERITY_ERROR,
				"acknowledge-unknown",
				map->attr_lines[OPEX_PM_ATTR_ACKNOWLEDGE],
				"acknowledge names '%.*s', which is not a team in people.yaml",
				quote_len(map->acknowledge[i]),
				map->acknowledge[i]);
}

static void lint_governance(lint_run *run)
{
	const opex_pm_map *map = run->map;
	const char *owner = map->attrs[OPEX_PM_ATTR_OWNER];
	const char *champion = map->attrs[OPEX_PM_ATTR_CHAMPION];
	const char *review = map->attrs[OPEX_PM_ATTR_REVIEW_BY];
	unsigned review_line = map->attr_lines[OPEX_PM_ATTR_REVIEW_BY];
	int64_t when = 0;

	lint_person(run, OPEX_PM_ATTR_OWNER, "owner-missing", "owner-unknown");
	lint_acknowledge(run);
	lint_person(run, OPEX_PM_ATTR_CHAMPION, "champion-missing",
		"champion-unknown");
	if (owner != NULL && champion != NULL && strcmp(owner, champion) == 0)
		report(run, NONE, OPEX_SEVERITY_WARNING, "owner-is-champion",
			map->attr_lines[OPEX_PM_ATTR_CHAMPION],
			"'%.*s' is both owner and champion: a second person keeps the map honest",
			quote_len(owner), owner);
	if (review == NULL)
		return;
	if (opex_time_parse_date(&when, review, NULL) < 0) {
		report(run, NONE, OPEX_SEVERITY_ERROR, "review-by-invalid",
			review_line, "review_by '%.*s' is not a date (YYYY-MM-DD)",
			quote_len(review), review);
		return;
	}
	if (run->ctx->now != 0 && when < run->ctx->now)
		report(run, NONE, OPEX_SEVERITY_WARNING, "review-overdue",
			review_line,
			"review was due by %.*s (%lld days ago): the owner should review the map",
			quote_len(review), review,
			(long long)((run->ctx->now - when) / OPEX_DAY_SECONDS));
}

/* ---- knowledge links ---------------------------------------------------- */

static bool in_tree(const lint_run *run, const char *path)
{
	const opex_kb_entry *e;

	if (run->ctx->repo == NULL)
		return true;
	e = opex_kb_repo_find(run->ctx->repo, path);
	return e != NULL && e->kind == OPEX_KB_ENTRY_FILE;
}

static void lint_replies(lint_run *run, size_t i)
{
	const opex_pm_node *n = &run->map->nodes[i];
	size_t k;

	for (k = 0; k < n->reply_count; k++) {
		const char *r = n->replies[k];

		if (!opex_path_is_clean(r) || !opex_path_under(r, "replies") ||
		    !opex_path_has_suffix(r, ".md"))
			report(run, i, OPEX_SEVERITY_ERROR, "reply-missing",
				n->line,
				"'%.*s' names reply '%.*s', which is not a handbook path like replies/…/name.md",
				ID(run, i), quote_len(r), r);
		else if (!in_tree(run, r))
			report(run, i, OPEX_SEVERITY_ERROR, "reply-missing",
				n->line,
				"'%.*s' names reply '%.*s', which is not in the handbook",
				ID(run, i), quote_len(r), r);
	}
}

static void lint_links(lint_run *run)
{
	const opex_pm_map *map = run->map;
	size_t i;

	for (i = 0; i < map->node_count; i++) {
		const opex_pm_node *n = &map->nodes[i];

		if (n->article != NULL) {
			if (!opex_path_is_clean(n->article) ||
			    !opex_path_under(n->article, "articles") ||
			    !opex_path_has_suffix(n->article, ".md"))
				report(run, i, OPEX_SEVERITY_ERROR, "article-missing",
					n->line,
					"'%.*s' links to '%.*s', which is not a handbook path like articles/…/name.md",
					ID(run, i), quote_len(n->article), n->article);
			else if (!in_tree(run, n->article))
				report(run, i, OPEX_SEVERITY_ERROR, "article-missing",
					n->line,
					"'%.*s' links to article '%.*s', which is not in the handbook",
					ID(run, i), quote_len(n->article), n->article);
		} else if (n->kind == OPEX_PM_KIND_ACTION) {
			report(run, i, OPEX_SEVERITY_WARNING,
				"step-without-article", n->line,
				"action '%.*s' links no article: agents cannot look it up",
				ID(run, i));
		}
		lint_replies(run, i);
		if (n->kind != OPEX_PM_KIND_SUBPROCESS)
			continue;
		if (n->process == NULL)
			report(run, i, OPEX_SEVERITY_ERROR, "subprocess-missing",
				n->line,
				"subprocess '%.*s' names no map: add process=\"processes/….dot\"",
				ID(run, i));
		else if (!opex_path_is_clean(n->process) ||
			 !opex_path_under(n->process, "processes") ||
			 !opex_path_has_suffix(n->process, ".dot") ||
			 !in_tree(run, n->process))
			report(run, i, OPEX_SEVERITY_ERROR, "subprocess-missing",
				n->line,
				"subprocess '%.*s' names '%.*s', which is not a map in the handbook",
				ID(run, i), quote_len(n->process), n->process);
	}
}

void opex_pm_lint_map(const opex_pm_map *map,
	const opex_pm_lint_context *ctx, opex_diag_list *diags,
	opex_pm_lint_report *rep)
{
	opex_pm_lint_context none = OPEX_PM_LINT_CONTEXT_INIT;
	lint_run run;
	size_t starts, ends;

	run_init(&run, map, ctx ? ctx : &none, diags, rep, false);
	lint_hygiene(&run);
	lint_targets(&run);
	lint_duplicate_edges(&run);
	lint_starts_and_ends(&run, &starts, &ends);
	lint_reachability(&run, starts, ends);
	lint_splits(&run);
	lint_loops(&run);
	lint_decisions(&run);
	lint_labels(&run);
	lint_governance(&run);
	lint_links(&run);
	run_release(&run);
}

/* ---- the handbook ------------------------------------------------------- */

typedef opex_pm_loaded_map loaded;

static long find_loaded(const loaded *maps, size_t count, const char *path)
{
	size_t lo = 0, hi = count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(maps[mid].path, path);

		if (c == 0)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* The map index a subprocess node includes, or -1. */
static long included_map(const loaded *maps, size_t count,
	const opex_pm_node *n)
{
	return n->kind == OPEX_PM_KIND_SUBPROCESS && n->process
		? find_loaded(maps, count, n->process) : -1;
}

/* Maps that include each other through subprocess nodes (Tarjan over maps). */
static void lint_subprocess_cycles(loaded *maps, size_t count,
	const opex_pm_lint_context *ctx, opex_diag_list *diags,
	opex_pm_lint_report *rep)
{
	size_t *start = opex_calloc(count + 2, sizeof(size_t));
	size_t *comp = opex_calloc(count + 1, sizeof(size_t));
	size_t *succ = NULL, nsucc = 0, cap = 0, i, k;

	for (i = 0; i < count; i++) {
		const opex_pm_map *m = maps[i].map;

		start[i] = nsucc;
		for (k = 0; m != NULL && k < m->node_count; k++) {
			long w = included_map(maps, count, &m->nodes[k]);

			if (w < 0)
				continue;
			opex_array_grow((void **)&succ, &cap, nsucc + 1, sizeof(*succ));
			succ[nsucc++] = (size_t)w;
		}
	}
	start[count] = nsucc;
	(void)strongly_connected(count, start, succ, comp);
	for (i = 0; i < count; i++) {
		const opex_pm_map *m = maps[i].map;
		lint_run run;

		if (m == NULL)
			continue;
		run_init(&run, m, ctx, diags, rep, true);
		for (k = 0; k < m->node_count; k++) {
			const opex_pm_node *n = &m->nodes[k];
			long w = included_map(maps, count, n);

			if (w < 0 || comp[w] != comp[i])
				continue;
			report(&run, k, OPEX_SEVERITY_ERROR, "subprocess-cycle",
				n->line,
				"subprocess '%.*s' includes '%.*s', which leads back to this map",
				ID(&run, k), quote_len(n->process), n->process);
		}
		run_release(&run);
	}
	opex_free(start);
	opex_free(succ);
	opex_free(comp);
}

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool linked(const char **links, size_t count, const char *path)
{
	return path != NULL && count > 0 &&
	       bsearch(&path, links, count, sizeof(*links), cmp_cstr) != NULL;
}

/*
 * Lanes against the routing directory: a lane's role should be a team
 * (lane-role-unknown), and a partner team's lane must not send its agents
 * to an article or quick text partners cannot open (partner-article-hidden).
 */
static void lint_lanes(const opex_kb_handbook *hb, const opex_pm_map *map,
	opex_diag_list *diags)
{
	const opex_kb_roster *roster = opex_kb_handbook_roster(hb);
	size_t i;

	if (!opex_kb_routing_used(roster))
		return;
	for (i = 0; i < map->lane_count; i++) {
		const opex_pm_lane *lane = &map->lanes[i];

		if (lane->role != NULL && !opex_kb_roster_works(roster, lane->role))
			opex_diag_add(diags, OPEX_SEVERITY_WARNING,
				"lane-role-unknown", map->path, lane->line, 1,
				"lane '%s' has role '%s', which no team of people.yaml works (its id or lanes)",
				lane->label ? lane->label : lane->id, lane->role);
	}
	for (i = 0; i < map->node_count; i++) {
		const opex_pm_node *n = &map->nodes[i];
		const opex_kb_team *team = NULL;
		const opex_kb_article *a;
		size_t k;

		for (k = 0; n->role && k < roster->team_count && team == NULL; k++)
			if (roster->teams[k].partner &&
			    opex_kb_team_works(&roster->teams[k], n->role))
				team = &roster->teams[k];
		if (team == NULL)
			continue;
		for (k = 0; k <= n->reply_count; k++) {
			const char *path = k < n->reply_count ? n->replies[k]
							      : n->article;

			a = path ? opex_kb_handbook_find(hb, path) : NULL;
			if (a == NULL || (a->visibility != OPEX_KB_VISIBILITY_INTERNAL &&
					  a->team_count == 0))
				continue;
			opex_diag_add(diags, OPEX_SEVERITY_ERROR,
				"partner-article-hidden", map->path, n->line, 1,
				"step '%s' is worked by partner team '%s', but its %s '%s' is %s: partners cannot open it",
				n->id, team->id,
				k < n->reply_count ? "quick text" : "article", path,
				a->team_count ? "restricted to teams" : "internal");
		}
	}
}

static void lint_orphans(const opex_kb_handbook *hb, const loaded *maps,
	size_t count, opex_diag_list *diags)
{
	const char **links = NULL;
	size_t n = 0, cap = 0, i, k;

	for (i = 0; i < count; i++) {
		const opex_pm_map *m = maps[i].map;

		for (k = 0; m != NULL && k < m->node_count; k++) {
			if (m->nodes[k].article == NULL)
				continue;
			opex_array_grow((void **)&links, &cap, n + 1, sizeof(*links));
			links[n++] = m->nodes[k].article;
		}
	}
	if (n > 1)   /* links is NULL when no step links an article */
		qsort(links, n, sizeof(*links), cmp_cstr);
	for (i = 0; i < opex_kb_handbook_article_count(hb); i++) {
		const opex_kb_article *a = opex_kb_handbook_article(hb, i);

		if (a->kind != OPEX_KB_KIND_ARTICLE ||
		    linked(links, n, a->path) ||
		    linked(links, n, a->translation_of))
			continue;
		opex_diag_add(diags, OPEX_SEVERITY_INFO, "orphan-article",
			a->path, 0, 0,
			"no process links to this article: agents only find it by search");
	}
	opex_free(links);
}

/* The map's diagnostics copy a path borrowed from the tree entry. */
int opex_pm_map_read(opex_pm_map **out, const opex_kb_repo *repo,
	const char *path, opex_diag_list *diags)
{
	opex_buf buf = OPEX_BUF_INIT(OPEX_LIMIT_FILE_BYTES);
	opex_error err = OPEX_ERROR_INIT;
	int error = opex_kb_repo_read(&buf, repo, path, &err);

	*out = NULL;
	if (error < 0) {
		opex_diag_add(diags, OPEX_SEVERITY_ERROR, "file-unreadable", path,
			0, 0, "%s", err.message);
		goto done;
	}
	error = opex_pm_map_load(out, path, buf.ptr, buf.len, diags, &err);
	if (error < 0)
		*out = NULL;
done:
	opex_buf_release(&buf);
	return error;
}

static opex_pm_map *load_one(const opex_kb_repo *repo, const char *path,
	opex_diag_list *diags)
{
	opex_pm_map *map = NULL;

	if (opex_pm_map_read(&map, repo, path, diags) < 0)
		return NULL;   /* the diagnostics say why */
	return map;
}

size_t opex_pm_maps_read_all(opex_pm_map ***out, const opex_kb_repo *repo,
	opex_diag_list *diags)
{
	size_t i, n = opex_kb_repo_count(repo), count = 0, cap = 0;
	opex_pm_map **maps = NULL;

	for (i = 0; i < n; i++) {
		const opex_kb_entry *e = opex_kb_repo_entry(repo, i);
		opex_pm_map *map;

		if (e->kind != OPEX_KB_ENTRY_FILE ||
		    !opex_path_under(e->path, "processes") ||
		    !opex_path_has_suffix(e->path, ".dot"))
			continue;
		map = load_one(repo, e->path, diags);
		if (map == NULL)
			continue;
		opex_array_grow((void **)&maps, &cap, count + 1, sizeof(*maps));
		maps[count++] = map;
	}
	*out = maps;
	return count;
}

void opex_pm_maps_free(opex_pm_map **maps, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		opex_pm_map_free(maps[i]);
	opex_free(maps);
}

int opex_pm_lint_maps(const opex_kb_handbook *hb, opex_diag_list *diags,
	opex_pm_lint_report *report_out, opex_error *err)
{
	const opex_kb_repo *repo = opex_kb_handbook_repo(hb);
	opex_pm_lint_context ctx = OPEX_PM_LINT_CONTEXT_INIT;
	loaded *maps = NULL;
	size_t count = 0, cap = 0, i, n = opex_kb_repo_count(repo);

	(void)err;
	ctx.roster = opex_kb_handbook_roster(hb);
	ctx.repo = repo;
	ctx.now = opex_kb_handbook_now(hb);
	for (i = 0; i < n; i++) {
		const opex_kb_entry *e = opex_kb_repo_entry(repo, i);

		if (e->kind != OPEX_KB_ENTRY_FILE ||
		    !opex_path_under(e->path, "processes") ||
		    !opex_path_has_suffix(e->path, ".dot"))
			continue;
		opex_array_grow((void **)&maps, &cap, count + 1, sizeof(*maps));
		maps[count].path = e->path;
		maps[count].map = load_one(repo, e->path, diags);
		if (maps[count].map != NULL) {
			opex_pm_lint_map(maps[count].map, &ctx, diags, report_out);
			lint_lanes(hb, maps[count].map, diags);
		}
		count++;
	}
	if (report_out != NULL)
		report_out->map_count += count;
	lint_subprocess_cycles(maps, count, &ctx, diags, report_out);
	if (count > 0)
		lint_orphans(hb, maps, count, diags);
	if (report_out != NULL && report_out->keep_maps &&
	    report_out->kept == NULL) {
		report_out->kept = maps;
		report_out->kept_count = count;
		return 0;
	}
	for (i = 0; i < count; i++)
		opex_pm_map_free(maps[i].map);
	opex_free(maps);
	return 0;
}

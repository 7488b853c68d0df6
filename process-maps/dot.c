/*
 * dot.c: the libcgraph adapter, the only file that calls cgraph.
 *
 * cgraph keeps process-wide state: the error hook (agseterrf), the error
 * count (agerrors), the lexer's buffer and line counter. Every call into
 * cgraph therefore happens inside `guard_begin()` / `guard_end()`, which
 *
 *   - take one process-wide lock (servers parse maps from many threads);
 *   - install our error hook, which appends cgraph's messages to the
 *     caller's buffer instead of stderr, and reset the error count;
 *   - reset the lexer's line counter before a parse and flush its buffer
 *     after (cgraph keeps unread input, which would leak into the next
 *     parse), then restore the previous hook.
 *
 * The hook has no payload argument, so the buffer it writes to is named by
 * `capture_buf`, set only while the lock is held: the one piece of mutable
 * global state in opex, contained here.
 *
 * Graphs are read with our own disciplines (agread, not agmemread):
 *
 *   discipline  why
 *   io          reads from memory, with an explicit length
 *   id          cgraph's default id of a named object is the address of
 *               its name, and subgraphs are kept in id order: lanes (and
 *               the layout that follows them) would change order from one
 *               read to the next. Ours numbers names in order of first use.
 */
#include "process-maps/process_maps_int.h"
#include "core/limits.h"
#include "core/memory.h"
#include "core/str.h"

#include <graphviz/cgraph.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

/* Exported by libcgraph (scan.l) but missing from cgraph.h: empties the lexer's buffer. */
extern void aglexbad(void);

#define REC_NAME "opex"
#define MESSAGE_MAX 4096u

typedef struct node_rec {
	Agrec_t header;
	size_t index;
} node_rec;

typedef struct guard {
	agusererrf previous;
	agerrlevel_t previous_level;
	opex_buf messages;
} guard;

/* ---- disciplines ------------------------------------------------------- */

typedef struct reader {
	const char *ptr;
	size_t len, pos;
} reader;

static int mem_read(void *chan, char *buf, int bufsize)
{
	reader *r = chan;
	size_t n = r->len - r->pos;

	if (bufsize <= 0)
		return 0;
	if (n > (size_t)bufsize)
		n = (size_t)bufsize;
	memcpy(buf, r->ptr + r->pos, n);
	r->pos += n;
	return (int)n;
}

/* Names numbered in order of first use: id 2 * (index + 1); anonymous ids are odd. */
typedef struct names {
	char **items;
	size_t count, cap;
	size_t *slots;          /* hash table of index + 1; 0 is empty */
	size_t slot_count;
	IDTYPE next_anonymous;
} names;

static void names_rehash(names *n)
{
	size_t i, size = n->slot_count ? n->slot_count * 2 : 64;

	opex_free(n->slots);
	n->slots = opex_calloc(size, sizeof(size_t));
	n->slot_count = size;
	for (i = 0; i < n->count; i++) {
		size_t h = (size_t)opex_str_hash(n->items[i]) & (size - 1);

		while (n->slots[h] != 0)
			h = (h + 1) & (size - 1);
		n->slots[h] = i + 1;
	}
}

static void *id_open(Agraph_t *g, Agdisc_t *disc)
{
	names *n = opex_calloc(1, sizeof(*n));

	(void)g;
	(void)disc;
	n->next_anonymous = 1;
	names_rehash(n);
	return n;
}

static long id_map(void *state, int objtype, char *str, IDTYPE *id,
	int createflag)
{
	names *n = state;
	size_t h;

	(void)objtype;
	if (str == NULL) {
		*id = n->next_anonymous;
		n->next_anonymous += 2;
		return 1;
	}
	h = (size_t)opex_str_hash(str) & (n->slot_count - 1);
	while (n->slots[h] != 0) {
		size_t i = n->slots[h] - 1;

		if (strcmp(n->items[i], str) == 0) {
			*id = (IDTYPE)(i + 1) * 2;
			return 1;
		}
		h = (h + 1) & (n->slot_count - 1);
	}
	if (!createflag) {
		*id = 0;        /* no object has id 0 */
		return 1;
	}
	opex_array_grow((void **)&n->items, &n->cap, n->count + 1,
		sizeof(*n->items));
	n->items[n->count++] = opex_strdup(str);
	if (n->count * 2 > n->slot_count)
		names_rehash(n);
	else
		n->slots[h] = n->count;
	*id = (IDTYPE)n->count * 2;
	return 1;
}

static long id_alloc(void *state, int objtype, IDTYPE request)
{
	(void)state;
	(void)objtype;
	(void)request;
	return 0;
}

static void id_free(void *state, int objtype, IDTYPE id)
{
	(void)state;
	(void)objtype;
	(void)id;
}

static char *id_print(void *state, int objtype, IDTYPE id)
{
	names *n = state;

	(void)objtype;
	if (id == 0 || id % 2 != 0 || id / 2 > n->count)
		return NULL;
	return n->items[id / 2 - 1];
}

static void id_close(void *state)
{
	names *n = state;
	size_t i;

	for (i = 0; i < n->count; i++)
		opex_free(n->items[i]);
	opex_free(n->items);
	opex_free(n->slots);
	opex_free(n);
}

static void id_register(void *state, int objtype, void *obj)
{
	(void)state;
	(void)objtype;
	(void)obj;
}

static int io_putstr(void *chan, const char *str)
{
	return AgIoDisc.putstr(chan, str);
}

static int io_flush(void *chan)
{
	return AgIoDisc.flush(chan);
}

/*
 * cgraph keeps pointers to the disciplines for the graph's lifetime, so
 * they are static. They are never written (cgraph's fields are not const).
 */
static Agiddisc_t id_disc = { id_open, id_map, id_alloc, id_free, id_print,
	id_close, id_register };
static Agiodisc_t io_disc = { mem_read, io_putstr, io_flush };

/* Read one graph from `text[0..len)` with the disciplines above. */
static Agraph_t *read_graph(const char *text, size_t len)
{
	Agdisc_t disc;
	reader r;

	disc.mem = &AgMemDisc;
	disc.id = &id_disc;
	disc.io = &io_disc;
	r.ptr = text;
	r.len = len;
	r.pos = 0;
	return agread(&r, &disc);
}

/* ---- the lock and error capture ----------------------------------------- */

static pthread_mutex_t cgraph_lock = PTHREAD_MUTEX_INITIALIZER;
static opex_buf *capture_buf; /* guarded by cgraph_lock */

static int capture(char *text)
{
	if (capture_buf != NULL)
		opex_buf_puts(capture_buf, text);
	return 0;
}

static void guard_begin(guard *g)
{
	opex_buf_init(&g->messages, MESSAGE_MAX);
	pthread_mutex_lock(&cgraph_lock);
	capture_buf = &g->messages;
	g->previous = agseterrf(capture);
	g->previous_level = agseterr(AGWARN);
	agreseterrors();
	agreadline(1);
}

static void guard_end(guard *g)
{
	aglexbad();
	agreadline(1);
	agreseterrors();
	agseterr(g->previous_level);
	agseterrf(g->previous);
	capture_buf = NULL;
	pthread_mutex_unlock(&cgraph_lock);
	opex_buf_release(&g->messages);
}

/* The first "Error: ..." message captured, on one line, without the prefix. */
static void first_error(char *out, size_t size, const opex_buf *messages)
{
	const char *p = strstr(messages->ptr, "Error: ");
	size_t n;

	if (p == NULL)
		p = messages->ptr;
	else
		p += strlen("Error: ");
	n = strcspn(p, "\n");
	if (n >= size)
		n = size - 1;
	memcpy(out, p, n);
	out[n] = '\0';
	if (n == 0)
		snprintf(out, size, "%s", "not a DOT graph");
}

/* cgraph reports "syntax error in line N near '...'". */
static unsigned error_line(const opex_buf *messages)
{
	const char *p = strstr(messages->ptr, "in line ");
	unsigned long n;

	if (p == NULL)
		return 0;
	n = strtoul(p + strlen("in line "), NULL, 10);
	return n > 0 && n < 0xffffffffUL ? (unsigned)n : 0;
}

/* An attribute symbol by name, or NULL; `name` is copied since cgraph wants char *. */
static Agsym_t *attr_sym(Agraph_t *g, int kind, const char *name)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%s", name);
	return agattr(g, kind, buf, NULL);
}

/* The value of `sym` on `obj`, copied; NULL when unset, empty or absent. */
static char *attr_value(void *obj, Agsym_t *sym)
{
	char *v;

	if (sym == NULL)
		return NULL;
	v = agxget(obj, sym);
	if (v == NULL || v[0] == '\0')
		return NULL;
	return opex_strdup(v);
}

static bool is_html(void *obj, Agsym_t *sym)
{
	char *v = sym ? agxget(obj, sym) : NULL;

	return v != NULL && v[0] != '\0' && aghtmlstr(v);
}

static int read_nodes(pm_raw_graph *out, Agraph_t *g, opex_error *err)
{
	Agsym_t *label = attr_sym(g, AGNODE, "label");
	Agsym_t *kind = attr_sym(g, AGNODE, "kind");
	Agsym_t *shape = attr_sym(g, AGNODE, "shape");
	Agsym_t *article = attr_sym(g, AGNODE, "article");
	Agsym_t *reply = attr_sym(g, AGNODE, "reply");
	Agsym_t *process = attr_sym(g, AGNODE, "process");
	Agsym_t *role = attr_sym(g, AGNODE, "role");
	Agsym_t *ignore = attr_sym(g, AGNODE, "lint_ignore");
	char rec_name[] = REC_NAME;
	Agnode_t *n;
	size_t i = 0;
	int count = agnnodes(g);

	if (count < 0 || (unsigned)count > OPEX_LIMIT_MAP_NODES)
		return opex_error_set(err, OPEX_ETOOBIG,
			"%d nodes: a map may have at most %u", count,
			OPEX_LIMIT_MAP_NODES);
	out->nodes = opex_calloc((size_t)count + 1, sizeof(pm_raw_node));
	aginit(g, AGNODE, rec_name, (int)sizeof(node_rec), FALSE);
	for (n = agfstnode(g); n != NULL && i < (size_t)count;
	     n = agnxtnode(g, n)) {
		pm_raw_node *rn = &out->nodes[i];
		node_rec *rec = (node_rec *)aggetrec(n, rec_name, FALSE);

		rec->index = i;
		rn->name = opex_strdup(agnameof(n));
		rn->label = attr_value(n, label);
		rn->html_label = is_html(n, label);
		rn->kind = attr_value(n, kind);
		rn->shape = attr_value(n, shape);
		rn->article = attr_value(n, article);
		rn->reply = attr_value(n, reply);
		rn->process = attr_value(n, process);
		rn->role = attr_value(n, role);
		rn->lint_ignore = attr_value(n, ignore);
		rn->lane = OPEX_PM_NO_LANE;
		i++;
	}
	out->node_count = i;
	return 0;
}

static int read_edges(pm_raw_graph *out, Agraph_t *g, opex_error *err)
{
	Agsym_t *label = attr_sym(g, AGEDGE, "label");
	char rec_name[] = REC_NAME;
	int count = agnedges(g);
	size_t i = 0;
	Agnode_t *n;
	Agedge_t *e;

	if (count < 0 || (unsigned)count > OPEX_LIMIT_MAP_EDGES)
		return opex_error_set(err, OPEX_ETOOBIG,
			"%d edges: a map may have at most %u", count,
			OPEX_LIMIT_MAP_EDGES);
	out->edges = opex_calloc((size_t)count + 1, sizeof(pm_raw_edge));
	for (n = agfstnode(g); n != NULL; n = agnxtnode(g, n)) {
		for (e = agfstout(g, n); e != NULL && i < (size_t)count;
		     e = agnxtout(g, e)) {
			pm_raw_edge *re = &out->edges[i++];

			re->tail = ((node_rec *)aggetrec(agtail(e), rec_name,
				FALSE))->index;
			re->head = ((node_rec *)aggetrec(aghead(e), rec_name,
				FALSE))->index;
			re->label = attr_value(e, label);
			re->seq = (unsigned long)AGSEQ(e);
		}
	}
	out->edge_count = i;
	return 0;
}

/* Collect clusters named cluster_lane_*, depth first, without recursion. */
static int read_lanes(pm_raw_graph *out, Agraph_t *g, opex_error *err)
{
	Agraph_t **stack = NULL;
	size_t depth = 0, cap = 0, lane_cap = 0;
	char rec_name[] = REC_NAME;
	Agraph_t *sg;
	int error = 0;

	for (sg = agfstsubg(g); sg != NULL; sg = agnxtsubg(sg)) {
		opex_array_grow((void **)&stack, &cap, depth + 1, sizeof(*stack));
		stack[depth++] = sg;
	}
	while (depth > 0) {
		Agraph_t *cur = stack[--depth];
		const char *name = agnameof(cur);

		if (name != NULL && strncmp(name, "cluster_lane_", 13) == 0) {
			pm_raw_lane *lane;
			Agnode_t *n;

			opex_array_grow((void **)&out->lanes, &lane_cap,
				out->lane_count + 1, sizeof(*out->lanes));
			lane = &out->lanes[out->lane_count];
			memset(lane, 0, sizeof(*lane));
			lane->name = opex_strdup(name);
			lane->role = attr_value(cur, attr_sym(cur, AGRAPH, "role"));
			lane->label = attr_value(cur, attr_sym(cur, AGRAPH, "label"));
			lane->lint_ignore = attr_value(cur,
				attr_sym(cur, AGRAPH, "lint_ignore"));
			for (n = agfstnode(cur); n != NULL; n = agnxtnode(cur, n)) {
				node_rec *rec = (node_rec *)aggetrec(n, rec_name,
					FALSE);

				if (rec != NULL && rec->index < out->node_count &&
				    out->nodes[rec->index].lane == OPEX_PM_NO_LANE)
					out->nodes[rec->index].lane = out->lane_count;
			}
			out->lane_count++;
		}
		if (depth + 1 > OPEX_LIMIT_MAP_NODES) {
			error = opex_error_set(err, OPEX_ETOOBIG,
				"too many subgraphs in one map");
			goto done;
		}
		for (sg = agfstsubg(cur); sg != NULL; sg = agnxtsubg(sg)) {
			opex_array_grow((void **)&stack, &cap, depth + 1,
				sizeof(*stack));
			stack[depth++] = sg;
		}
	}
done:
	opex_free(stack);
	return error;
}

static void read_graph_attrs(pm_raw_graph *out, Agraph_t *g)
{
	size_t i;

	for (i = 0; i < OPEX_PM_ATTR_COUNT; i++)
		out->attrs[i] = attr_value(g, attr_sym(g, AGRAPH,
			opex_pm_attr_name((opex_pm_attr)i)));
}

int opex_pm_dot_read(pm_raw_graph *out, unsigned *err_line, const char *text,
	opex_error *err)
{
	guard g;
	Agraph_t *graph = NULL;
	char message[OPEX_ERROR_MESSAGE_SIZE];
	int error = 0;

	memset(out, 0, sizeof(*out));
	if (err_line)
		*err_line = 0;
	guard_begin(&g);
	graph = read_graph(text, strlen(text));
	if (graph == NULL || agerrors() >= AGERR) {
		first_error(message, sizeof(message), &g.messages);
		if (err_line)
			*err_line = error_line(&g.messages);
		error = opex_error_set(err, OPEX_EINVALID, "%s", message);
		goto done;
	}
	out->name = opex_strdup(agnameof(graph));
	read_graph_attrs(out, graph);
	error = read_nodes(out, graph, err);
	if (error < 0)
		goto done;
	error = read_edges(out, graph, err);
	if (error < 0)
		goto done;
	error = read_lanes(out, graph, err);
done:
	if (graph != NULL)
		agclose(graph);
	guard_end(&g);
	if (error < 0)
		opex_pm_raw_release(out);
	return error;
}

void opex_pm_raw_release(pm_raw_graph *raw)
{
	size_t i;

	for (i = 0; i < raw->node_count; i++) {
		pm_raw_node *n = &raw->nodes[i];

		opex_free(n->name);
		opex_free(n->label);
		opex_free(n->kind);
		opex_free(n->shape);
		opex_free(n->article);
		opex_free(n->reply);
		opex_free(n->process);
		opex_free(n->role);
		opex_free(n->lint_ignore);
	}
	for (i = 0; i < raw->edge_count; i++)
		opex_free(raw->edges[i].label);
	for (i = 0; i < raw->lane_count; i++) {
		opex_free(raw->lanes[i].name);
		opex_free(raw->lanes[i].role);
		opex_free(raw->lanes[i].label);
		opex_free(raw->lanes[i].lint_ignore);
	}
	for (i = 0; i < OPEX_PM_ATTR_COUNT; i++)
		opex_free(raw->attrs[i]);
	opex_free(raw->nodes);
	opex_free(raw->edges);
	opex_free(raw->lanes);
	opex_free(raw->name);
	memset(raw, 0, sizeof(*raw));
}

int opex_pm_dot_with_graph(const char *text,
	int (*fn)(opex_pm_dot_graph *graph, void *payload), void *payload,
	opex_error *err)
{
	guard g;
	Agraph_t *graph = NULL;
	char message[OPEX_ERROR_MESSAGE_SIZE];
	int error;

	guard_begin(&g);
	graph = read_graph(text, strlen(text));
	if (graph == NULL || agerrors() >= AGERR) {
		first_error(message, sizeof(message), &g.messages);
		error = opex_error_set(err, OPEX_EINVALID,
			"cannot read the generated graph: %s", message);
		goto done;
	}
	error = fn((opex_pm_dot_graph *)graph, payload);
done:
	if (graph != NULL)
		agclose(graph);
	guard_end(&g);
	return error;
}

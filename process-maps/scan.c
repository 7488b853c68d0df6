/*
 * scan.c: where things are written in a DOT file. cgraph forgets source
 * positions, so this lenient second reader records, for the first graph of
 * the file:
 *
 *   record        for
 *   node mention  every node statement and edge endpoint: its line, and
 *                 whether it is a declaration with an attribute list
 *   edge          tail id, head id, line (chains and { } groups expanded)
 *   attribute     name, value, line, context (graph, node, edge), subgraph
 *
 * It also counts graphs and notes `strict` and undirected graphs. It
 * judges no syntax (cgraph does) and never recurses deeper than
 * OPEX_LIMIT_MAP_NESTING: deeper input fails with OPEX_ETOOBIG, before
 * cgraph ever sees it.
 *
 * Lexemes, as in the DOT grammar: ID (letters, digits, '_', bytes >= 0x80),
 * numeral, "quoted" (with \" and line continuation, joined by '+'),
 * <html> (balanced angle brackets), punctuation { } [ ] ; , = : and the
 * edge operators -> and --; comments // and C-style, and lines starting
 * with '#'.
 */
#include "process-maps/process_maps_int.h"
#include "core/limits.h"
#include "core/memory.h"
#include "core/str.h"

#include <string.h>

#include "core/banned.h"

typedef enum tok_type {
	T_EOF = 0, T_ID, T_LBRACE, T_RBRACE, T_LBRACK, T_RBRACK, T_SEMI,
	T_COMMA, T_EQ, T_COLON, T_EDGEOP, T_GRAPH, T_DIGRAPH, T_NODE, T_EDGE,
	T_SUBGRAPH, T_STRICT, T_OTHER
} tok_type;

typedef struct token {
	tok_type type;
	const char *ptr;      /* T_ID: the raw lexeme */
	size_t len;
	unsigned line;
	char quote;           /* '"', '<' or 0 */
} token;

typedef struct scanner {
	const char *p, *end;
	unsigned line;
	bool at_line_start;
	token tok, next;      /* one token of lookahead */
	pm_source *src;
	const char *subgraph; /* innermost subgraph name (owned by an attr? no: scratch) */
	unsigned depth;
	int error;
	opex_error *err;
	unsigned *err_line;
} scanner;

static bool id_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       (c >= '0' && c <= '9') || c >= 0x80 || c == '.';
}

static void skip_space(scanner *s)
{
	while (s->p < s->end) {
		char c = *s->p;

		if (c == '\n') {
			s->line++;
			s->p++;
			s->at_line_start = true;
		} else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' ||
			   c == '\v') {
			s->p++;
		} else if (c == '#' && s->at_line_start) {
			while (s->p < s->end && *s->p != '\n')
				s->p++;
		} else if (c == '/' && s->p + 1 < s->end && s->p[1] == '/') {
			while (s->p < s->end && *s->p != '\n')
				s->p++;
		} else if (c == '/' && s->p + 1 < s->end && s->p[1] == '*') {
			s->p += 2;
			while (s->p < s->end &&
			       !(*s->p == '*' && s->p + 1 < s->end && s->p[1] == '/')) {
				if (*s->p == '\n')
					s->line++;
				s->p++;
			}
			s->p = s->p < s->end ? s->p + 2 : s->end;
			s->at_line_start = false;
		} else {
			return;
		}
	}
}

static tok_type keyword(const char *p, size_t len)
{
	static const struct { const char *word; tok_type type; } words[] = {
		{ "graph", T_GRAPH }, { "digraph", T_DIGRAPH },
		{ "node", T_NODE }, { "edge", T_EDGE },
		{ "subgraph", T_SUBGRAPH }, { "strict", T_STRICT },
	};
	size_t i, k;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		const char *w = words[i].word;

		if (strlen(w) != len)
			continue;
		for (k = 0; k < len; k++) {
			char c = p[k];

			if (c >= 'A' && c <= 'Z')
				c = (char)(c - 'A' + 'a');
			if (c != w[k])
				break;
		}
		if (k == len)
			return words[i].type;
	}
	return T_ID;
}

static void lex_quoted(scanner *s, token *t)
{
	s->p++;
	while (s->p < s->end && *s->p != '"') {
		if (*s->p == '\\' && s->p + 1 < s->end)
			s->p++;
		if (*s->p == '\n')
			s->line++;
		s->p++;
	}
	if (s->p < s->end)
		s->p++;
	t->len = (size_t)(s->p - t->ptr);
	t->quote = '"';
}

static void lex_html(scanner *s, token *t)
{
	size_t depth = 0;

	while (s->p < s->end) {
		char c = *s->p++;

		if (c == '<')
			depth++;
		else if (c == '>' && --depth == 0)
			break;
		else if (c == '\n')
			s->line++;
	}
	t->len = (size_t)(s->p - t->ptr);
	t->quote = '<';
}

static void lex(scanner *s, token *t)
{
	char c;

	skip_space(s);
	memset(t, 0, sizeof(*t));
	t->line = s->line;
	t->ptr = s->p;
	if (s->p >= s->end) {
		t->type = T_EOF;
		return;
	}
	s->at_line_start = false;
	c = *s->p;
	switch (c) {
	case '{': t->type = T_LBRACE; s->p++; break;
	case '}': t->type = T_RBRACE; s->p++; break;
	case '[': t->type = T_LBRACK; s->p++; break;
	case ']': t->type = T_RBRACK; s->p++; break;
	case ';': t->type = T_SEMI; s->p++; break;
	case ',': t->type = T_COMMA; s->p++; break;
	case '=': t->type = T_EQ; s->p++; break;
	case ':': t->type = T_COLON; s->p++; break;
	case '"':
		t->type = T_ID;
		lex_quoted(s, t);
		return;
	case '<':
		t->type = T_ID;
		lex_html(s, t);
		return;
	default:
		if (c == '-' && s->p + 1 < s->end &&
		    (s->p[1] == '>' || s->p[1] == '-')) {
			t->type = T_EDGEOP;
			s->p += 2;
			break;
		}
		if (id_byte((unsigned char)c) || c == '-') {
			s->p++;
			while (s->p < s->end && id_byte((unsigned char)*s->p))
				s->p++;
			t->len = (size_t)(s->p - t->ptr);
			t->type = keyword(t->ptr, t->len);
			return;
		}
		t->type = T_OTHER;
		s->p++;
		break;
	}
	t->len = (size_t)(s->p - t->ptr);
}

static void advance(scanner *s)
{
	s->tok = s->next;
	lex(s, &s->next);
}

/* Append the decoded value of a quoted lexeme (without its quotes). */
static void decode_quoted(opex_buf *out, const char *p, size_t len)
{
	size_t i;

	if (len >= 2 && p[len - 1] == '"')
		len--;
	for (i = 1; i < len; i++) {
		if (p[i] == '\\' && i + 1 < len && p[i + 1] == '"') {
			opex_buf_putc(out, '"');
			i++;
		} else if (p[i] == '\\' && i + 1 < len && p[i + 1] == '\n') {
			i++;
		} else if (p[i] == '\\' && i + 2 < len && p[i + 1] == '\r' &&
			   p[i + 2] == '\n') {
			i += 2;
		} else {
			opex_buf_putc(out, p[i]);
		}
	}
}

/* Consume an ID (with "a" + "b" concatenation) and return its value. */
static char *take_id(scanner *s)
{
	opex_buf buf = OPEX_BUF_INIT(OPEX_LIMIT_FILE_BYTES);
	char *value;

	if (s->tok.quote == '"') {
		decode_quoted(&buf, s->tok.ptr, s->tok.len);
		while (s->next.type == T_OTHER && s->next.ptr[0] == '+') {
			advance(s);
			if (s->next.type != T_ID || s->next.quote != '"')
				break;
			advance(s);
			decode_quoted(&buf, s->tok.ptr, s->tok.len);
		}
	} else if (s->tok.quote == '<') {
		opex_buf_put(&buf, s->tok.ptr + 1,
			s->tok.len >= 2 ? s->tok.len - 2 : 0);
	} else {
		opex_buf_put(&buf, s->tok.ptr, s->tok.len);
	}
	advance(s);
	value = opex_buf_detach(&buf, NULL);
	return value;
}

static int fail(scanner *s, unsigned line, const char *what)
{
	if (s->error == 0) {
		s->error = opex_error_set(s->err, OPEX_ETOOBIG, "%s", what);
		if (s->err_line)
			*s->err_line = line;
	}
	return s->error;
}

static void add_attr(scanner *s, char *name, char *value, unsigned line,
	pm_src_context ctx, const char *node)
{
	pm_source *src = s->src;
	pm_src_attr *a;

	if (src->attr_count >= OPEX_LIMIT_MAP_EDGES * 4) {
		opex_free(name);
		opex_free(value);
		fail(s, line, "too many attributes in one map");
		return;
	}
	opex_array_grow((void **)&src->attrs, &src->attr_cap,
		src->attr_count + 1, sizeof(*src->attrs));
	a = &src->attrs[src->attr_count++];
	a->name = name;
	a->value = value;
	a->line = line;
	a->context = ctx;
	a->subgraph = s->subgraph ? opex_strdup(s->subgraph) : NULL;
	a->node = node ? opex_strdup(node) : NULL;
}

static void add_node(scanner *s, char *id, unsigned line, bool has_attrs)
{
	pm_source *src = s->src;
	pm_src_node *n;

	if (src->node_count >= OPEX_LIMIT_MAP_NODES * 4) {
		opex_free(id);
		fail(s, line, "too many nodes in one map");
		return;
	}
	opex_array_grow((void **)&src->nodes, &src->node_cap,
		src->node_count + 1, sizeof(*src->nodes));
	n = &src->nodes[src->node_count++];
	n->id = id;
	n->line = line;
	n->has_attrs = has_attrs;
}

static void add_edge(scanner *s, const char *tail, const char *head,
	unsigned line)
{
	pm_source *src = s->src;
	pm_src_edge *e;

	if (src->edge_count >= OPEX_LIMIT_MAP_EDGES) {
		fail(s, line, "too many edges in one map");
		return;
	}
	opex_array_grow((void **)&src->edges, &src->edge_cap,
		src->edge_count + 1, sizeof(*src->edges));
	e = &src->edges[src->edge_count++];
	e->tail = opex_strdup(tail);
	e->head = opex_strdup(head);
	e->line = line;
}

/* [ a=b, c=d; e ] ... : record each name; `node` names the node statement. */
static void parse_attr_lists(scanner *s, pm_src_context ctx, const char *node)
{
	while (s->error == 0 && s->tok.type == T_LBRACK) {
		advance(s);
		while (s->error == 0 && s->tok.type != T_RBRACK &&
		       s->tok.type != T_EOF) {
			if (s->tok.type == T_ID) {
				unsigned line = s->tok.line;
				char *name = take_id(s), *value = NULL;

				if (s->tok.type == T_EQ) {
					advance(s);
					if (s->tok.type == T_ID)
						value = take_id(s);
				}
				add_attr(s, name, value, line, ctx, node);
			} else {
				advance(s);
			}
		}
		if (s->tok.type == T_RBRACK)
			advance(s);
	}
}

static void parse_stmts(scanner *s);

/*
 * An edge operand: a node id (with optional port) or a subgraph. The
 * nodes it stands for are the mentions [*first, *last) added meanwhile.
 */
static void parse_operand(scanner *s, size_t *first, size_t *last)
{
	*first = s->src->node_count;
	if (s->tok.type == T_ID) {
		unsigned line = s->tok.line;
		char *id = take_id(s);

		add_node(s, id, line, false);
		while (s->tok.type == T_COLON) {
			advance(s);
			if (s->tok.type == T_ID)
				opex_free(take_id(s));
		}
	} else if (s->tok.type == T_SUBGRAPH || s->tok.type == T_LBRACE) {
		const char *outer = s->subgraph;
		char *name = NULL;

		if (s->tok.type == T_SUBGRAPH) {
			advance(s);
			if (s->tok.type == T_ID)
				name = take_id(s);
		}
		if (s->tok.type == T_LBRACE) {
			if (s->depth + 1 > OPEX_LIMIT_MAP_NESTING) {
				fail(s, s->tok.line,
					"subgraphs nested too deeply");
				opex_free(name);
				*last = s->src->node_count;
				return;
			}
			advance(s);
			s->depth++;
			s->subgraph = name ? name : "";
			parse_stmts(s);
			s->subgraph = outer;
			s->depth--;
		}
		opex_free(name);
	} else {
		advance(s);
	}
	*last = s->src->node_count;
}

static void parse_stmt(scanner *s)
{
	size_t a0, a1, b0, b1, i, k;

	switch (s->tok.type) {
	case T_GRAPH:
	case T_NODE:
	case T_EDGE: {
		pm_src_context ctx = s->tok.type == T_NODE ? PM_SRC_NODE
			: s->tok.type == T_EDGE ? PM_SRC_EDGE : PM_SRC_GRAPH;

		advance(s);
		parse_attr_lists(s, ctx, NULL);
		return;
	}
	case T_ID:
		if (s->next.type == T_EQ) {
			unsigned line = s->tok.line;
			char *name = take_id(s), *value = NULL;

			advance(s);
			if (s->tok.type == T_ID)
				value = take_id(s);
			add_attr(s, name, value, line, PM_SRC_GRAPH, NULL);
			return;
		}
		break;
	case T_SUBGRAPH:
	case T_LBRACE:
		break;
	default:
		advance(s);
		return;
	}
	parse_operand(s, &a0, &a1);
	if (s->tok.type != T_EDGEOP) {
		/* A node statement: the mention becomes a declaration. */
		if (a1 == a0 + 1 && s->tok.type == T_LBRACK) {
			s->src->nodes[a0].has_attrs = true;
			parse_attr_lists(s, PM_SRC_NODE, s->src->nodes[a0].id);
		}
		return;
	}
	while (s->error == 0 && s->tok.type == T_EDGEOP) {
		unsigned line = s->tok.line;

		advance(s);
		parse_operand(s, &b0, &b1);
		for (i = a0; i < a1 && s->error == 0; i++)
			for (k = b0; k < b1 && s->error == 0; k++)
				add_edge(s, s->src->nodes[i].id,
					s->src->nodes[k].id, line);
		a0 = b0;
		a1 = b1;
	}
	parse_attr_lists(s, PM_SRC_EDGE, NULL);
}

static void parse_stmts(scanner *s)
{
	while (s->error == 0 && s->tok.type != T_RBRACE &&
	       s->tok.type != T_EOF) {
		parse_stmt(s);
		if (s->tok.type == T_SEMI)
			advance(s);
	}
	if (s->tok.type == T_RBRACE)
		advance(s);
}

int opex_pm_source_scan(pm_source *out, unsigned *err_line, const char *text,
	size_t len, opex_error *err)
{
	scanner s;

	memset(out, 0, sizeof(*out));
	memset(&s, 0, sizeof(s));
	if (err_line)
		*err_line = 0;
	s.p = text;
	s.end = text + len;
	s.line = 1;
	s.at_line_start = true;
	s.src = out;
	s.err = err;
	s.err_line = err_line;
	lex(&s, &s.next);
	advance(&s);
	while (s.error == 0 && s.tok.type != T_EOF) {
		unsigned line = s.tok.line;

		if (s.tok.type == T_STRICT) {
			if (out->graph_count == 0)
				out->strict = true;
			advance(&s);
		}
		if (s.tok.type != T_GRAPH && s.tok.type != T_DIGRAPH) {
			if (out->graph_count > 0 && out->second_graph_line == 0)
				out->second_graph_line = s.tok.line;
			break;
		}
		out->graph_count++;
		if (out->graph_count > 1) {
			out->second_graph_line = line;
			break;
		}
		out->graph_line = line;
		out->undirected = s.tok.type == T_GRAPH;
		advance(&s);
		if (s.tok.type == T_ID)
			opex_free(take_id(&s));
		if (s.tok.type != T_LBRACE)
			break;
		advance(&s);
		parse_stmts(&s);
	}
	if (s.error < 0) {
		opex_pm_source_release(out);
		return s.error;
	}
	return 0;
}

void opex_pm_source_release(pm_source *src)
{
	size_t i;

	for (i = 0; i < src->attr_count; i++) {
		opex_free(src->attrs[i].name);
		opex_free(src->attrs[i].value);
		opex_free(src->attrs[i].subgraph);
		opex_free(src->attrs[i].node);
	}
	for (i = 0; i < src->node_count; i++)
		opex_free(src->nodes[i].id);
	for (i = 0; i < src->edge_count; i++) {
		opex_free(src->edges[i].tail);
		opex_free(src->edges[i].head);
	}
	opex_free(src->attrs);
	opex_free(src->nodes);
	opex_free(src->edges);
	memset(src, 0, sizeof(*src));
}

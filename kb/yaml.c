/*
 * yaml.c: the libyaml adapter, the only file that calls libyaml.
 *
 * libyaml's event parser (yaml_parser_parse) is read event by event and a
 * small tree is built with an explicit stack of open collections, never by
 * recursion. What the tree refuses, and why:
 *
 *   anchors, aliases       "billion laughs": one alias can expand to GBs
 *   tags on collections    nothing in a handbook needs them
 *   non-scalar keys        keys are field names
 *   duplicate keys         the second would silently win
 *   > OPEX_LIMIT_NESTING   deep nesting is never content, only an attack
 *   > OPEX_LIMIT_YAML_NODES
 *   a second document      a file holds one document
 *
 * Errors read `line N: <problem> (<context>)`, N 1-based in the file.
 */
#include "kb/kb_int.h"
#include "core/limits.h"
#include "core/memory.h"
#include "core/str.h"
#include "core/text.h"

#include <stdio.h>
#include <string.h>
#include <yaml.h>

#include "core/banned.h"

/* An open collection while parsing. */
typedef struct frame {
	opex_kb_yaml_node *node;
	size_t item_cap, key_cap;
	opex_kb_yaml_node *key; /* MAPPING: a key waiting for its value */
} frame;

typedef struct builder {
	frame stack[OPEX_LIMIT_NESTING];
	size_t depth;
	size_t nodes;
	unsigned first_line;
	opex_kb_yaml_node *root;
	bool done;      /* the first document has ended */
	unsigned line;  /* line of the failure */
} builder;

static unsigned mark_line(const builder *b, yaml_mark_t mark)
{
	return (unsigned)mark.line + b->first_line;
}

static int fail(builder *b, unsigned line, opex_error *err, int code,
	const char *what)
{
	b->line = line;
	return opex_error_set(err, code, "line %u: %s", line, what);
}

static opex_kb_yaml_node *node_new(opex_kb_yaml_type type, const builder *b,
	yaml_mark_t mark)
{
	opex_kb_yaml_node *n = opex_calloc(1, sizeof(*n));

	n->type = type;
	n->line = mark_line(b, mark);
	n->col = (unsigned)mark.column + 1;
	return n;
}

static void push_item(frame *f, opex_kb_yaml_node *key, opex_kb_yaml_node *value)
{
	opex_kb_yaml_node *p = f->node;

	opex_array_grow((void **)&p->items, &f->item_cap, p->count + 1,
		sizeof(*p->items));
	if (key)
		opex_array_grow((void **)&p->keys, &f->key_cap, p->count + 1,
			sizeof(*p->keys));
	p->items[p->count] = value;
	if (key)
		p->keys[p->count] = key;
	p->count++;
}

static bool key_exists(const opex_kb_yaml_node *map,
	const opex_kb_yaml_node *key, unsigned *first_line)
{
	size_t i;

	for (i = 0; i < map->count; i++) {
		const opex_kb_yaml_node *k = map->keys[i];

		if (k->len == key->len && memcmp(k->value, key->value, k->len) == 0) {
			*first_line = k->line;
			return true;
		}
	}
	return false;
}

/*
 * Attach a new node where the parser is: as the root, as a sequence item,
 * as a mapping key or as a mapping value. Takes ownership of `n`.
 */
static int attach(builder *b, opex_kb_yaml_node *n, opex_error *err)
{
	frame *f;
	unsigned first = 0;
	char msg[160];

	if (b->depth == 0) {
		b->root = n;
		return 0;
	}
	f = &b->stack[b->depth - 1];
	if (f->node->type == OPEX_KB_YAML_SEQUENCE) {
		push_item(f, NULL, n);
		return 0;
	}
	if (f->key == NULL) {
		if (n->type != OPEX_KB_YAML_SCALAR) {
			unsigned line = n->line;

			opex_kb_yaml_free(n);
			return fail(b, line, err, OPEX_EINVALID,
				"a mapping key must be a scalar");
		}
		if (key_exists(f->node, n, &first)) {
			unsigned line = n->line;

			snprintf(msg, sizeof(msg),
				"duplicate key '%.*s' (first on line %u)",
				(int)opex_text_clip(n->value, 64), n->value, first);
			opex_kb_yaml_free(n);
			return fail(b, line, err, OPEX_EINVALID, msg);
		}
		f->key = n;
		return 0;
	}
	push_item(f, f->key, n);
	f->key = NULL;
	return 0;
}

static int count_node(builder *b, yaml_mark_t mark, opex_error *err)
{
	if (++b->nodes > OPEX_LIMIT_YAML_NODES)
		return fail(b, mark_line(b, mark), err, OPEX_ETOOBIG,
			"too many YAML nodes (at most " OPEX_LIMIT_YAML_NODES_TEXT
			" in one document)");
	return 0;
}

static int on_scalar(builder *b, const yaml_event_t *ev, opex_error *err)
{
	opex_kb_yaml_node *n;
	const char *value = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	int error;

	error = count_node(b, ev->start_mark, err);
	if (error < 0)
		return error;
	if (memchr(value, '\0', len) != NULL)
		return fail(b, mark_line(b, ev->start_mark), err, OPEX_EINVALID,
			"a scalar holds a NUL character");
	n = node_new(OPEX_KB_YAML_SCALAR, b, ev->start_mark);
	n->value = opex_strndup(value, len);
	n->len = len;
	n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		   ev->data.scalar.tag == NULL;
	return attach(b, n, err);
}

static int on_start(builder *b, const yaml_event_t *ev, opex_kb_yaml_type type,
	opex_error *err)
{
	opex_kb_yaml_node *n;
	frame *f;
	int error;

	error = count_node(b, ev->start_mark, err);
	if (error < 0)
		return error;
	if (b->depth >= OPEX_LIMIT_NESTING)
		return fail(b, mark_line(b, ev->start_mark), err, OPEX_ETOOBIG,
			"YAML nested too deeply");
	n = node_new(type, b, ev->start_mark);
	error = attach(b, n, err);
	if (error < 0)
		return error;
	f = &b->stack[b->depth++];
	f->node = n;
	f->item_cap = f->key_cap = 0;
	f->key = NULL;
	return 0;
}

static const char *event_anchor(const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		return (const char *)ev->data.scalar.anchor;
	case YAML_SEQUENCE_START_EVENT:
		return (const char *)ev->data.sequence_start.anchor;
	case YAML_MAPPING_START_EVENT:
		return (const char *)ev->data.mapping_start.anchor;
	default:
		return NULL;
	}
}

static int on_event(builder *b, const yaml_event_t *ev, opex_error *err)
{
	unsigned line = mark_line(b, ev->start_mark);

	if (ev->type == YAML_ALIAS_EVENT || event_anchor(ev) != NULL)
		return fail(b, line, err, OPEX_EINVALID,
			"YAML aliases are not allowed");
	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (b->done)
			return fail(b, line, err, OPEX_EINVALID,
				"more than one YAML document");
		return 0;
	case YAML_DOCUMENT_END_EVENT:
		b->done = true;
		return 0;
	case YAML_SCALAR_EVENT:
		return on_scalar(b, ev, err);
	case YAML_SEQUENCE_START_EVENT:
		if (ev->data.sequence_start.tag != NULL)
			return fail(b, line, err, OPEX_EINVALID,
				"tags on YAML collections are not allowed");
		return on_start(b, ev, OPEX_KB_YAML_SEQUENCE, err);
	case YAML_MAPPING_START_EVENT:
		if (ev->data.mapping_start.tag != NULL)
			return fail(b, line, err, OPEX_EINVALID,
				"tags on YAML collections are not allowed");
		return on_start(b, ev, OPEX_KB_YAML_MAPPING, err);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		if (b->depth == 0)
			OPEX_BUG("collection end without a start");
		b->depth--;
		return 0;
	default:
		return 0;
	}
}

/* Turn libyaml's error into `line N: problem (context)`, lowercase. */
static int parser_error(builder *b, const yaml_parser_t *parser,
	const char *text, size_t len, opex_error *err)
{
	char msg[OPEX_ERROR_MESSAGE_SIZE];
	const char *problem = parser->problem ? parser->problem : "invalid YAML";
	unsigned line;
	size_t i;

	if (parser->error == YAML_MEMORY_ERROR)
		OPEX_BUG("out of memory");
	if (parser->error == YAML_READER_ERROR)
		line = opex_text_line_at(text, len, parser->problem_offset) +
		       b->first_line - 1;
	else
		line = mark_line(b, parser->problem_mark);
	if (parser->context)
		snprintf(msg, sizeof(msg), "%s (%s)", problem, parser->context);
	else
		snprintf(msg, sizeof(msg), "%s", problem);
	for (i = 0; msg[i]; i++)
		if (msg[i] >= 'A' && msg[i] <= 'Z')
			msg[i] = (char)(msg[i] - 'A' + 'a');
	return fail(b, line, err, OPEX_EINVALID, msg);
}

int opex_kb_yaml_parse(opex_kb_yaml_node **out, unsigned *err_line,
	const char *text, size_t len, unsigned first_line, opex_error *err)
{
	yaml_parser_t parser;
	yaml_event_t event;
	builder *b = opex_calloc(1, sizeof(*b));
	bool parser_ready = false, end = false;
	int error = 0;
	size_t i, bom = 0;

	*out = NULL;
	if (err_line)
		*err_line = 0;
	b->first_line = first_line ? first_line : 1;
	if (!yaml_parser_initialize(&parser))
		OPEX_BUG("out of memory");
	parser_ready = true;
	/* UTF-8 only: a UTF-8 BOM is skipped, UTF-16 is not guessed. */
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		bom = 3;
	yaml_parser_set_input_string(&parser,
		(const unsigned char *)text + bom, len - bom);
	yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);

	while (!end) {
		if (!yaml_parser_parse(&parser, &event)) {
			error = parser_error(b, &parser, text + bom, len - bom,
				err);
			goto done;
		}
		end = event.type == YAML_STREAM_END_EVENT;
		error = on_event(b, &event, err);
		yaml_event_delete(&event);
		if (error < 0)
			goto done;
	}
	/* "---" alone: the document is an empty plain scalar, i.e. nothing. */
	if (b->root && b->root->type == OPEX_KB_YAML_SCALAR &&
	    b->root->plain && b->root->len == 0) {
		opex_kb_yaml_free(b->root);
		b->root = NULL;
	}
	*out = b->root;
	b->root = NULL;

done:
	if (error < 0) {
		for (i = 0; i < b->depth; i++)
			opex_kb_yaml_free(b->stack[i].key);
		if (err_line)
			*err_line = b->line;
	}
	opex_kb_yaml_free(b->root);
	if (parser_ready)
		yaml_parser_delete(&parser);
	opex_free(b);
	return error;
}

void opex_kb_yaml_free(opex_kb_yaml_node *node)
{
	opex_kb_yaml_node **stack = NULL;
	size_t depth = 0, cap = 0, i;

	if (node == NULL)
		return;
	opex_array_grow((void **)&stack, &cap, 1, sizeof(*stack));
	stack[depth++] = node;
	while (depth > 0) {
		opex_kb_yaml_node *n = stack[--depth];

		opex_array_grow((void **)&stack, &cap, depth + 2 * n->count,
			sizeof(*stack));
		for (i = 0; i < n->count; i++) {
			stack[depth++] = n->items[i];
			if (n->keys)
				stack[depth++] = n->keys[i];
		}
		opex_free(n->value);
		opex_free(n->items);
		opex_free(n->keys);
		opex_free(n);
	}
	opex_free(stack);
}

const opex_kb_yaml_node *opex_kb_yaml_get(const opex_kb_yaml_node *map,
	const char *key)
{
	size_t i, n;

	if (map == NULL || map->type != OPEX_KB_YAML_MAPPING)
		return NULL;
	n = strlen(key);
	for (i = 0; i < map->count; i++)
		if (map->keys[i]->len == n &&
		    memcmp(map->keys[i]->value, key, n) == 0)
			return map->items[i];
	return NULL;
}

const char *opex_kb_yaml_error_text(const opex_error *err)
{
	const char *p = err->message;

	if (strncmp(p, "line ", 5) != 0)
		return err->message;
	p += 5;
	while (*p >= '0' && *p <= '9')
		p++;
	return (p[0] == ':' && p[1] == ' ') ? p + 2 : err->message;
}

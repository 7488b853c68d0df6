/* diag.c: the diagnostic list. */
#include "core/diag.h"
#include "core/buf.h"
#include "core/limits.h"
#include "core/memory.h"

#include <stdlib.h>
#include <string.h>

void opex_diag_vadd(opex_diag_list *list, opex_severity severity,
	const char *rule, const char *path, unsigned line, unsigned col,
	const char *fmt, va_list ap)
{
	opex_buf msg = OPEX_BUF_INIT(OPEX_LIMIT_LINE_BYTES);
	opex_diag *d;

	opex_array_grow((void **)&list->items, &list->cap, list->count + 1,
		sizeof(*list->items));
	d = &list->items[list->count++];
	opex_buf_vprintf(&msg, fmt, ap);
	if (msg.failed) {
		opex_buf_clear(&msg);
		opex_buf_puts(&msg, "(message too long)");
	}
	d->path = opex_strdup(path ? path : "");
	d->line = line;
	d->col = col;
	d->severity = severity;
	d->rule = opex_strdup(rule);
	d->message = opex_buf_detach(&msg, NULL);
}

void opex_diag_list_append(opex_diag_list *list, opex_diag_list *from)
{
	if (from->count == 0)
		return;
	opex_array_grow((void **)&list->items, &list->cap,
		list->count + from->count, sizeof(*list->items));
	memcpy(list->items + list->count, from->items,
		from->count * sizeof(*from->items));
	list->count += from->count;
	from->count = 0;   /* the strings now belong to `list` */
	opex_diag_list_release(from);
}

void opex_diag_add(opex_diag_list *list, opex_severity severity,
	const char *rule, const char *path, unsigned line, unsigned col,
	const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	opex_diag_vadd(list, severity, rule, path, line, col, fmt, ap);
	va_end(ap);
}

static int compare(const void *pa, const void *pb)
{
	const opex_diag *a = pa, *b = pb;
	int c = strcmp(a->path, b->path);

	if (c)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->col != b->col)
		return a->col < b->col ? -1 : 1;
	c = strcmp(a->rule, b->rule);
	if (c)
		return c;
	return strcmp(a->message, b->message);
}

void opex_diag_sort(opex_diag_list *list)
{
	if (list->count > 1)
		qsort(list->items, list->count, sizeof(*list->items), compare);
}

size_t opex_diag_count(const opex_diag_list *list, opex_severity severity)
{
	size_t i, n = 0;

	for (i = 0; i < list->count; i++)
		if (list->items[i].severity == severity)
			n++;
	return n;
}

const char *opex_severity_name(opex_severity severity)
{
	switch (severity) {
	case OPEX_SEVERITY_ERROR: return "error";
	case OPEX_SEVERITY_WARNING: return "warning";
	case OPEX_SEVERITY_INFO: return "info";
	}
	return "error";
}

int opex_severity_parse(const char *name)
{
	if (strcmp(name, "error") == 0)
		return OPEX_SEVERITY_ERROR;
	if (strcmp(name, "warning") == 0)
		return OPEX_SEVERITY_WARNING;
	if (strcmp(name, "info") == 0)
		return OPEX_SEVERITY_INFO;
	return -1;
}

void opex_diag_list_release(opex_diag_list *list)
{
	size_t i;

	for (i = 0; i < list->count; i++) {
		opex_free(list->items[i].path);
		opex_free(list->items[i].rule);
		opex_free(list->items[i].message);
	}
	opex_free(list->items);
	list->items = NULL;
	list->count = list->cap = 0;
}

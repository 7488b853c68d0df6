/*
 * diag.h: diagnostics, the findings every checker reports.
 *
 * A diagnostic prints as `path:line:col: severity: message [rule-id]`.
 * line and col are 1-based; 0 means "no line" (a whole-file finding).
 */
#ifndef OPEX_CORE_DIAG_H
#define OPEX_CORE_DIAG_H

#include <stdarg.h>
#include <stddef.h>

#include "core/error.h"

typedef enum opex_severity {
	OPEX_SEVERITY_ERROR = 0,
	OPEX_SEVERITY_WARNING = 1,
	OPEX_SEVERITY_INFO = 2
} opex_severity;

typedef struct opex_diag {
	char *path;
	unsigned line, col;
	opex_severity severity;
	char *rule;
	char *message;
} opex_diag;

typedef struct opex_diag_list {
	opex_diag *items;
	size_t count, cap;
} opex_diag_list;

#define OPEX_DIAG_LIST_INIT { NULL, 0, 0 }

/** Append a diagnostic; strings are copied. `path` may be "" for none. */
void opex_diag_add(opex_diag_list *list, opex_severity severity,
	const char *rule, const char *path, unsigned line, unsigned col,
	const char *fmt, ...) OPEX_PRINTF(7, 8);

/** Like opex_diag_add() with a va_list. */
void opex_diag_vadd(opex_diag_list *list, opex_severity severity,
	const char *rule, const char *path, unsigned line, unsigned col,
	const char *fmt, va_list ap) OPEX_PRINTF(7, 0);

/** Move every diagnostic of `from` to the end of `list`; `from` is left empty. */
void opex_diag_list_append(opex_diag_list *list, opex_diag_list *from);

/** Sort by path, line, column, then rule: the order users read. */
void opex_diag_sort(opex_diag_list *list);

/** Number of diagnostics of `severity`. */
size_t opex_diag_count(const opex_diag_list *list, opex_severity severity);

/** "error", "warning" or "info". */
const char *opex_severity_name(opex_severity severity);

/** Parse "error" / "warning" / "info"; -1 if none of them. */
int opex_severity_parse(const char *name);

/** Free every diagnostic; the list is empty and reusable afterwards. */
void opex_diag_list_release(opex_diag_list *list);

#endif

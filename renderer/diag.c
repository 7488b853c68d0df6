/*
 * diag.c: diagnostics for people (compiler-style text) and for programs
 * (JSON, through jansson).
 *
 *   text   path:line:col: severity: message [rule-id]
 *          (":line:col" is left out for whole-file findings)
 *   json   {"diagnostics": [{"path", "line", "column", "severity",
 *           "rule", "message"}, ...], "errors": N, "warnings": N,
 *           "infos": N}
 */
#include "renderer/renderer_int.h"


#include "core/banned.h"

void opex_render_diags_text(opex_buf *out, const opex_diag_list *diags)
{
	size_t i;

	for (i = 0; i < diags->count; i++) {
		const opex_diag *d = &diags->items[i];

		opex_buf_puts(out, d->path[0] ? d->path : "(handbook)");
		if (d->line)
			opex_buf_printf(out, ":%u:%u", d->line, d->col ? d->col : 1);
		opex_buf_printf(out, ": %s: %s [%s]\n",
			opex_severity_name(d->severity), d->message, d->rule);
	}
}

int opex_render_diags_json(opex_buf *out, const opex_diag_list *diags,
	opex_error *err)
{
	json_t *root = json_object(), *items = json_array();
	size_t i;

	for (i = 0; i < diags->count; i++) {
		const opex_diag *d = &diags->items[i];

		json_array_append_new(items, json_pack("{s:o, s:I, s:I, s:s, s:o, s:o}",
			"path", opex_render_json_text(d->path),
			"line", (json_int_t)d->line, "column", (json_int_t)d->col,
			"severity", opex_severity_name(d->severity),
			"rule", opex_render_json_text(d->rule),
			"message", opex_render_json_text(d->message)));
	}
	json_object_set_new(root, "diagnostics", items);
	json_object_set_new(root, "errors", json_integer(
		(json_int_t)opex_diag_count(diags, OPEX_SEVERITY_ERROR)));
	json_object_set_new(root, "warnings", json_integer(
		(json_int_t)opex_diag_count(diags, OPEX_SEVERITY_WARNING)));
	json_object_set_new(root, "infos", json_integer(
		(json_int_t)opex_diag_count(diags, OPEX_SEVERITY_INFO)));
	return opex_render_json_emit(out, root, "the diagnostics", err);
}

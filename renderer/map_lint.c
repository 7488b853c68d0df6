/*
 * map_lint.c: `opex lint --format json`, the diagnostics document of
 * diag.c with the process-map report added:
 *
 *   {"diagnostics": [...], "errors": N, "warnings": N, "infos": N,
 *    "maps": N,
 *    "suppressions": [{"path", "line", "rule", "reason", "node", "count"}]}
 */
#include "renderer/renderer_int.h"
#include "core/limits.h"

#include "core/banned.h"

int opex_render_lint_json(opex_buf *out, const opex_diag_list *diags,
	const opex_pm_lint_report *report, opex_error *err)
{
	opex_buf base = OPEX_BUF_INIT(OPEX_LIMIT_RENDER_BYTES);
	json_t *root = NULL, *items = NULL;
	json_error_t jerr;
	size_t i;
	int error = opex_render_diags_json(&base, diags, err);

	if (error < 0)
		goto done;
	root = json_loadb(base.ptr, base.len, 0, &jerr);
	if (root == NULL) {
		error = opex_error_set(err, OPEX_ERROR,
			"cannot build the lint report: %s", jerr.text);
		goto done;
	}
	items = json_array();
	for (i = 0; report != NULL && i < report->suppression_count; i++) {
		const opex_pm_suppression *s = &report->suppressions[i];

		json_array_append_new(items, json_pack("{s:o, s:I, s:o, s:o, s:o, s:I}",
			"path", opex_render_json_text(s->path),
			"line", (json_int_t)s->line,
			"rule", opex_render_json_text(s->rule),
			"reason", opex_render_json_text(s->reason),
			"node", opex_render_json_text(s->node),
			"count", (json_int_t)s->count));
	}
	json_object_set_new(root, "maps",
		json_integer(report ? (json_int_t)report->map_count : 0));
	json_object_set_new(root, "suppressions", items);
	error = opex_render_json_emit(out, root, "the lint report", err);
	root = NULL;
done:
	json_decref(root);
	opex_buf_release(&base);
	return error;
}

/*
 * map_diff.c: a semantic map diff for people and programs. The SVG form is
 * opex_render_flowchart() with the diff in its options.
 *
 *   text   processes/x.dot
 *            + node 'check' (action) "Check the window"
 *            - node 'old' (action) "Old step"
 *            ~ node 'triage' relabelled: "Triage" -> "Triage the payment"
 *            ~ node 'x' kind: action -> decision
 *            ~ node 'x' article: a.md -> b.md
 *            + edge 'a' -> 'b' [yes]
 *            - edge 'a' -> 'c'
 *            ~ edge 'a' -> 'b' relabelled: [yes] -> [Yes, in time]
 *            ~ owner: maria -> james
 *          + map processes/new.dot "Title" / - map processes/old.dot
 *   json   {"maps_compared": N, "changes": [{"path", "change", "what",
 *           "node", "head", "old", "new"}]}
 */
#include "renderer/renderer_int.h"

#include <string.h>

#include "core/banned.h"

static const char *const change_names[] = {
	"map-added", "map-removed", "attribute", "node-added", "node-removed",
	"node-relabelled", "node-kind", "node-link", "edge-added",
	"edge-removed", "edge-relabelled"
};

static const char *change_name(opex_pm_change_kind kind)
{
	return (size_t)kind < sizeof(change_names) / sizeof(change_names[0])
		? change_names[kind] : "?";
}

static const char *or_none(const char *s)
{
	return s ? s : "(none)";
}

static void edge_text(opex_buf *out, const opex_pm_change *c, char sign)
{
	opex_buf_printf(out, "  %c edge '%s' -> '%s'", sign, c->node, c->head);
}

void opex_render_map_diff_text(opex_buf *out, const opex_pm_diff *diff)
{
	const char *current = NULL;
	size_t i;

	for (i = 0; i < diff->count; i++) {
		const opex_pm_change *c = &diff->changes[i];

		if (c->kind == OPEX_PM_CHANGE_MAP_ADDED) {
			opex_buf_printf(out, "+ map %s \"%s\"\n", c->path,
				or_none(c->new_value));
			current = NULL;
			continue;
		}
		if (c->kind == OPEX_PM_CHANGE_MAP_REMOVED) {
			opex_buf_printf(out, "- map %s \"%s\"\n", c->path,
				or_none(c->old_value));
			current = NULL;
			continue;
		}
		if (current == NULL || strcmp(current, c->path) != 0) {
			opex_buf_printf(out, "%s\n", c->path);
			current = c->path;
		}
		switch (c->kind) {
		case OPEX_PM_CHANGE_ATTR:
			opex_buf_printf(out, "  ~ %s: %s -> %s\n", c->what,
				or_none(c->old_value), or_none(c->new_value));
			break;
		case OPEX_PM_CHANGE_NODE_ADDED:
			opex_buf_printf(out, "  + node '%s' (%s) \"%s\"\n", c->node,
				c->what, or_none(c->new_value));
			break;
		case OPEX_PM_CHANGE_NODE_REMOVED:
			opex_buf_printf(out, "  - node '%s' (%s) \"%s\"\n", c->node,
				c->what, or_none(c->old_value));
			break;
		case OPEX_PM_CHANGE_NODE_RELABELLED:
			opex_buf_printf(out, "  ~ node '%s' relabelled: \"%s\" -> \"%s\"\n",
				c->node, or_none(c->old_value), or_none(c->new_value));
			break;
		case OPEX_PM_CHANGE_NODE_KIND:
			opex_buf_printf(out, "  ~ node '%s' kind: %s -> %s\n", c->node,
				or_none(c->old_value), or_none(c->new_value));
			break;
		case OPEX_PM_CHANGE_NODE_LINK:
			opex_buf_printf(out, "  ~ node '%s' %s: %s -> %s\n", c->node,
				c->what, or_none(c->old_value), or_none(c->new_value));
			break;
		case OPEX_PM_CHANGE_EDGE_ADDED:
			edge_text(out, c, '+');
			if (c->new_value)
				opex_buf_printf(out, " [%s]", c->new_value);
			opex_buf_putc(out, '\n');
			break;
		case OPEX_PM_CHANGE_EDGE_REMOVED:
			edge_text(out, c, '-');
			if (c->old_value)
				opex_buf_printf(out, " [%s]", c->old_value);
			opex_buf_putc(out, '\n');
			break;
		case OPEX_PM_CHANGE_EDGE_RELABELLED:
			edge_text(out, c, '~');
			opex_buf_printf(out, " relabelled: [%s] -> [%s]\n",
				or_none(c->old_value), or_none(c->new_value));
			break;
		default:
			break;
		}
	}
}

int opex_render_map_diff_json(opex_buf *out, const opex_pm_diff *diff,
	opex_error *err)
{
	json_t *root = json_object(), *items = json_array();
	size_t i;

	for (i = 0; i < diff->count; i++) {
		const opex_pm_change *c = &diff->changes[i];

		json_array_append_new(items, json_pack("{s:o, s:s, s:o, s:o, s:o, s:o, s:o}",
			"path", opex_render_json_text(c->path),
			"change", change_name(c->kind),
			"what", opex_render_json_text(c->what),
			"node", opex_render_json_text(c->node),
			"head", opex_render_json_text(c->head),
			"old", opex_render_json_text(c->old_value),
			"new", opex_render_json_text(c->new_value)));
	}
	json_object_set_new(root, "maps_compared",
		json_integer((json_int_t)diff->maps_compared));
	json_object_set_new(root, "changes", items);
	return opex_render_json_emit(out, root, "the map diff", err);
}

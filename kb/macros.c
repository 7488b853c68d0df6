/*
 * macros.c: replies from a Zendesk macro export (jansson).
 *
 *   {"macros": [{"title": "cards::Card frozen",
 *                "description": "opex: replies/cards/frozen.md",
 *                "actions": [{"field": "comment_value",
 *                             "value": "Hi {{ticket.requester.first_name}}"}]}]}
 *
 * Also read: {"macro": {...}} (one macro, as POSTed to /api/v2/macros)
 * and a bare list. Placeholders Zendesk names are renamed to opex's
 * (opex_kb_placeholders_map); the file is never trusted further than
 * that: the path must be a clean replies/….md path.
 */
#include "kb/kb.h"
#include "core/buf.h"
#include "core/limits.h"
#include "core/memory.h"
#include "core/path.h"
#include "core/str.h"
#include "core/text.h"

#include <jansson.h>
#include <string.h>

#include "core/banned.h"

#define RULE "macro-invalid"
#define PATH_MARK "opex: "
#define QUOTE_MAX 64

static int quote_len(const char *s)
{
	return (int)opex_text_clip(s, QUOTE_MAX);
}

/* The text of a comment_value action: a string, or a list ending in one. */
static const char *comment_text(const json_t *value)
{
	if (json_is_string(value))
		return json_string_value(value);
	if (json_is_array(value) && json_array_size(value) > 0)
		return json_string_value(json_array_get(value,
			json_array_size(value) - 1));
	return NULL;
}

/* The "opex: PATH" of a description, up to the end of its line. */
static char *marked_path(const char *description)
{
	const char *at = description ? strstr(description, PATH_MARK) : NULL;
	size_t n;

	if (at == NULL)
		return NULL;
	at += strlen(PATH_MARK);
	n = strcspn(at, " \t\r\n");
	return n ? opex_strndup(at, n) : NULL;
}

static void bad(opex_diag_list *diags, const char *file, size_t index,
	const char *title, const char *why)
{
	if (title)
		opex_diag_add(diags, OPEX_SEVERITY_ERROR, RULE, file, 0, 0,
			"macro %zu ('%.*s'): %s; not imported", index,
			quote_len(title), title, why);
	else
		opex_diag_add(diags, OPEX_SEVERITY_ERROR, RULE, file, 0, 0,
			"macro %zu: %s; not imported", index, why);
}

static void read_macro(opex_kb_macro_list *out, const char *file,
	size_t index, const json_t *m, opex_diag_list *diags)
{
	const char *title = json_string_value(json_object_get(m, "title"));
	const json_t *actions = json_object_get(m, "actions");
	const char *text = NULL;
	bool html = false;
	opex_buf mapped = OPEX_BUF_INIT(OPEX_LIMIT_FILE_BYTES);
	opex_kb_macro *macro;
	char *path;
	size_t i;

	if (!json_is_object(m)) {
		bad(diags, file, index, NULL, "not an object");
		return;
	}
	if (title == NULL || *title == '\0') {
		bad(diags, file, index, NULL, "no title");
		return;
	}
	if (!opex_utf8_valid(title, strlen(title), NULL)) {
		bad(diags, file, index, NULL, "a title that is not UTF-8");
		return;
	}
	for (i = 0; json_is_array(actions) && i < json_array_size(actions); i++) {
		const json_t *a = json_array_get(actions, i);
		const char *field = json_string_value(json_object_get(a, "field"));

		if (field && strcmp(field, "comment_value") == 0 && text == NULL)
			text = comment_text(json_object_get(a, "value"));
		if (field && strcmp(field, "comment_value_html") == 0)
			html = true;
	}
	if (text == NULL) {
		bad(diags, file, index, title, html
			? "its comment is HTML only (comment_value_html): write it as comment_value"
			: "no comment_value action: nothing to paste");
		return;
	}
	path = marked_path(json_string_value(json_object_get(m, "description")));
	if (path && (!opex_path_is_clean(path) ||
		     !opex_path_under(path, "replies") ||
		     !opex_path_has_suffix(path, ".md"))) {
		opex_buf why = OPEX_BUF_INIT(OPEX_LIMIT_LINE_BYTES);

		opex_buf_printf(&why, "'%.*s' is not a handbook path like replies/…/name.md",
			quote_len(path), path);
		bad(diags, file, index, title, why.failed ? "a bad path" : why.ptr);
		opex_buf_release(&why);
		opex_free(path);
		return;
	}
	opex_kb_placeholders_map(&mapped, opex_str_from(text), false);
	if (mapped.failed) {
		bad(diags, file, index, title, "its comment is too large");
		opex_buf_release(&mapped);
		opex_free(path);
		return;
	}
	opex_array_grow((void **)&out->items, &out->cap, out->count + 1,
		sizeof(*out->items));
	macro = &out->items[out->count++];
	macro->index = index;
	macro->title = opex_strdup(title);
	macro->path = path;
	macro->text = opex_buf_detach(&mapped, NULL);
}

int opex_kb_macros_parse(opex_kb_macro_list *out, const char *file,
	const char *text, size_t len, opex_diag_list *diags, opex_error *err)
{
	json_error_t jerr;
	json_t *root, *list;
	size_t i;

	if (len > OPEX_LIMIT_FILE_BYTES)
		return opex_error_set(err, OPEX_ETOOBIG,
			"%s: larger than %u MiB", file,
			OPEX_LIMIT_FILE_BYTES / (1024u * 1024u));
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		return opex_error_set(err, OPEX_EINVALID, "%s:%d: not JSON: %s",
			file, jerr.line, jerr.text);
	list = json_is_array(root) ? root : json_object_get(root, "macros");
	if (list == NULL && json_is_object(json_object_get(root, "macro"))) {
		read_macro(out, file, 1, json_object_get(root, "macro"), diags);
		json_decref(root);
		return 0;
	}
	if (!json_is_array(list)) {
		json_decref(root);
		return opex_error_set(err, OPEX_EINVALID,
			"%s: not a macro export: expected {\"macros\": [...]}", file);
	}
	for (i = 0; i < json_array_size(list); i++)
		read_macro(out, file, i + 1, json_array_get(list, i), diags);
	json_decref(root);
	return 0;
}

void opex_kb_macro_list_release(opex_kb_macro_list *list)
{
	size_t i;

	for (i = 0; i < list->count; i++) {
		opex_free(list->items[i].title);
		opex_free(list->items[i].path);
		opex_free(list->items[i].text);
	}
	opex_free(list->items);
	*list = (opex_kb_macro_list)OPEX_KB_MACRO_LIST_INIT;
}

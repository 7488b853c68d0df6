/* json.c: the jansson adapter: JSON values from opex strings, and output. */
#include "renderer/renderer_int.h"
#include "core/memory.h"
#include "core/str.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

json_t *opex_render_json_text(const char *s)
{
	size_t len, bad;
	char *copy;
	json_t *v;

	if (s == NULL)
		return json_null();
	len = strlen(s);
	if (opex_utf8_valid(s, len, &bad))
		return json_stringn(s, len);
	copy = opex_strndup(s, len);
	while (!opex_utf8_valid(copy, len, &bad))
		copy[bad] = '?';
	v = json_stringn(copy, len);
	opex_free(copy);
	return v;
}

int opex_render_json_emit(opex_buf *out, json_t *root, const char *what,
	opex_error *err)
{
	char *text = json_dumps(root, JSON_INDENT(2));
	int error = 0;

	if (text == NULL) {
		error = opex_error_set(err, OPEX_EINVALID,
			"cannot encode %s as JSON", what);
		goto done;
	}
	opex_buf_puts(out, text);
	opex_buf_putc(out, '\n');
	if (out->failed)
		error = opex_error_set(err, OPEX_ETOOBIG,
			"%s is too large to print", what);
done:
	free(text);
	json_decref(root);
	return error;
}

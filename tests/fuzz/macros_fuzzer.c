/*
 * macros_fuzzer.c: a Zendesk macro export as `opex replies import` reads
 * it: no input may yield a path outside replies/ or a text that is not
 * the comment's.
 */
#include "kb/kb.h"
#include "core/limits.h"
#include "core/path.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	opex_kb_macro_list macros = OPEX_KB_MACRO_LIST_INIT;
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_error err = OPEX_ERROR_INIT;
	size_t i;

	if (opex_kb_macros_parse(&macros, "fuzz.json", (const char *)data, size,
			&diags, &err) == 0) {
		for (i = 0; i < macros.count; i++) {
			const opex_kb_macro *m = &macros.items[i];

			if (m->title == NULL || m->text == NULL || m->index == 0)
				abort();
			/* no "." or ".." segment, no leading "/" */
			if (m->path && (!opex_path_is_clean(m->path) ||
					!opex_path_under(m->path, "replies") ||
					m->path[0] == '/' || strstr(m->path, "/../") != NULL))
				abort();
		}
	}
	opex_kb_macro_list_release(&macros);
	opex_diag_list_release(&diags);
	return 0;
}

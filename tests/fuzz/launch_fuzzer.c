/*
 * launch_fuzzer.c: a launch file (front matter with gates and quorum
 * expressions, then a task list) parsed, its gates and items walked, and
 * its normalised form (boxes unticked) computed twice: it must not change.
 */
#include "launches/launches.h"
#include "core/limits.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_buf once = OPEX_BUF_INIT(OPEX_LIMIT_FILE_BYTES * 2);
	opex_buf twice = OPEX_BUF_INIT(OPEX_LIMIT_FILE_BYTES * 2);
	opex_launch *launch;
	size_t i, n;

	if (size > OPEX_LIMIT_FILE_BYTES)
		return 0;
	launch = opex_launch_parse("launches/fuzz.md", (const char *)data,
		size, &diags);
	if (launch) {
		n = opex_launch_gate_count(launch);
		for (i = 0; i < n; i++) {
			const opex_launch_gate *gate = opex_launch_gate_at(launch, i);

			if (gate == NULL)
				abort();
		}
		n = opex_launch_item_count(launch);
		for (i = 0; i < n; i++)
			if (opex_launch_item_at(launch, i) == NULL)
				abort();
	}
	opex_launch_normalized(&once, (const char *)data, size);
	opex_launch_normalized(&twice, once.ptr, once.len);
	if (!once.failed && !twice.failed &&
	    (once.len != twice.len || memcmp(once.ptr, twice.ptr, once.len) != 0))
		abort();
	opex_buf_release(&once);
	opex_buf_release(&twice);
	opex_launch_free(launch);
	opex_diag_list_release(&diags);
	return 0;
}

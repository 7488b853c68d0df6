/*
 * dot_map_fuzzer.c: a process map from end to end: the source scan, cgraph's
 * parse, the model, every map rule, the canonical form and its hash.
 */
#include "process-maps/process_maps.h"
#include "core/limits.h"

#include <stddef.h>
#include <stdint.h>

#include "core/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_pm_lint_report report = OPEX_PM_LINT_REPORT_INIT;
	opex_pm_map *map = NULL;
	char hash[OPEX_SHA256_HEX_SIZE];

	if (size > OPEX_LIMIT_FILE_BYTES)
		return 0;
	if (opex_pm_map_load(&map, "processes/fuzz.dot", (const char *)data,
		size, &diags, NULL) == 0) {
		opex_pm_lint_map(map, NULL, &diags, &report);
		if (opex_pm_map_hash(hash, map, NULL) < 0)
			hash[0] = '\0';
	}
	opex_pm_map_free(map);
	opex_pm_lint_report_release(&report);
	opex_diag_list_release(&diags);
	return 0;
}

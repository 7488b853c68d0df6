/*
 * kpi_reader_fuzzer.c: the bytes as a kpi: mapping, then as an export
 * (CSV with a sniffed delimiter, and JSON lines) ingested as a dry run
 * under a fixed mapping, checking the counts add up.
 */
#include "kpi/kpi_int.h"
#include "core/limits.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fixed[] =
	"kpi:\n"
	"  sources:\n"
	"    - name: t\n"
	"      files: \"*.csv\"\n"
	"      process: processes/p.dot\n"
	"      columns: {case: id, created: created, solved: solved, status: status, tags: tags}\n"
	"      tags: {market: market_}\n"
	"      steps: {map: {new: a, open: b}}\n"
	"    - name: e\n"
	"      files: \"*.jsonl\"\n"
	"      shape: events\n"
	"      time_format: epoch\n"
	"      process: processes/p.dot\n"
	"      columns: {case: id, at: at, activity: step}\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_kpi_mapping *m = NULL;
	opex_kpi_ingest_stats stats;
	int rc;

	if (size > OPEX_LIMIT_FILE_BYTES)
		return 0;
	if (opex_kpi_mapping_parse(&m, "opex.yaml", (const char *)data, size,
			&diags, NULL) == 0)
		opex_kpi_mapping_free(m);
	opex_diag_list_release(&diags);
	m = NULL;
	if (opex_kpi_mapping_parse(&m, "opex.yaml", fixed, strlen(fixed),
			&diags, NULL) < 0)
		abort();
	opex_kpi_ingest_stats_init(&stats);
	rc = opex_kpi_ingest_buffer(&stats, NULL, m, "x.csv",
		(const char *)data, size, 1772323200, &diags, NULL);
	if (rc == 0 && (stats.bad != 0 || stats.added > stats.rows))
		abort();
	opex_kpi_ingest_stats_release(&stats);
	opex_kpi_ingest_stats_init(&stats);
	rc = opex_kpi_ingest_buffer(&stats, NULL, m, "x.jsonl",
		(const char *)data, size, 1772323200, &diags, NULL);
	if (rc == 0 && stats.bad != 0)
		abort();
	opex_kpi_ingest_stats_release(&stats);
	opex_diag_list_release(&diags);
	opex_kpi_mapping_free(m);
	return 0;
}

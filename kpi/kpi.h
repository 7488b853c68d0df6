/*
 * kpi.h: process performance from helpdesk exports. A handbook's `kpi:`
 * mapping (opex.yaml, or the whole of .opex/kpi.yaml) says which column of
 * an export is which field and which status or activity value is which
 * node of which processes/ map.
 *
 *   mapping.c     the kpi: mapping (YAML) and its checks against the maps
 *   reader.c      CSV (libcsv) and JSON lines (jansson) records, with limits
 *   timestamp.c   ISO 8601, strftime-style formats, epoch and epoch_ms
 *
 * Docs: docs/internals/kpi.md.
 */
#ifndef OPEX_KPI_H
#define OPEX_KPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/diag.h"
#include "core/error.h"
#include "kb/kb.h"

/* ---------------------------------------------------------------------
 * The mapping (mapping.c)
 * ------------------------------------------------------------------- */

typedef struct opex_kpi_mapping opex_kpi_mapping;

/**
 * Read the mapping of the revision `repo` is open at: the `kpi:` section
 * of opex.yaml, else .opex/kpi.yaml. Every problem becomes a diagnostic
 * (rule kpi-mapping-invalid) naming the file and line, including a step
 * value mapped to a node that is not in its map and a process with no map.
 * Errors: OPEX_ENOTFOUND (no mapping at all), OPEX_EINVALID (any error
 * diagnostic was added: `*out` is then NULL).
 */
int opex_kpi_mapping_load(opex_kpi_mapping **out, const opex_kb_repo *repo,
	opex_diag_list *diags, opex_error *err) OPEX_WARN_UNUSED;

/**
 * Parse mapping text from `path` without looking at the maps (`kpi:` is
 * looked for at the top level first; else the document is the mapping).
 * Errors as opex_kpi_mapping_load().
 */
int opex_kpi_mapping_parse(opex_kpi_mapping **out, const char *path,
	const char *text, size_t len, opex_diag_list *diags, opex_error *err)
	OPEX_WARN_UNUSED;

/** Free a mapping. NULL is a no-op. */
void opex_kpi_mapping_free(opex_kpi_mapping *mapping);

/** The map paths the mapping names ("processes/x.dot"), sorted, unique. */
size_t opex_kpi_mapping_process_count(const opex_kpi_mapping *mapping);
const char *opex_kpi_mapping_process(const opex_kpi_mapping *mapping,
	size_t i);

#endif

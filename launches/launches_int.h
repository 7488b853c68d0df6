/*
 * launches_int.h: what the files of launches/ share and no other module
 * may include.
 */
#ifndef OPEX_LAUNCHES_INT_H
#define OPEX_LAUNCHES_INT_H

#include "launches/launches.h"

/**
 * Read and load the process map at `path`, which the launch file
 * `launch_path` lists on `line`. NULL, after a reason on `res`, when it
 * cannot be read or does not load; map diagnostics go to `diags`.
 */
opex_pm_map *opex_launch_map_read(opex_launch_check_result *res,
	const opex_kb_repo *repo, const char *launch_path, unsigned line,
	const char *path, opex_diag_list *diags);

/** kpis-within-target (kpi_checks.c); `opts->now` is set. */
void opex_launch_check_kpis(opex_launch_check_result *res,
	const opex_launch *launch, const opex_kb_handbook *hb,
	const opex_launch_gate_options *opts);

/** capacity-covered (kpi_checks.c); `opts->now` is set. */
void opex_launch_check_capacity(opex_launch_check_result *res,
	const opex_launch *launch, const opex_kb_handbook *hb,
	const opex_launch_gate_options *opts);

#endif

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

/** stakeholders-acknowledged (acks.c); `opts->now` is set. */
void opex_launch_check_acknowledged(opex_launch_check_result *res,
	const opex_launch *launch, const opex_kb_handbook *hb,
	const opex_launch_gate_options *opts);

/** True if `s[0..n)` is lowercase hex digits only. */
bool opex_launch_is_hex(const char *s, size_t n);

/** True if `s[0..n)` is one word: not empty, no spaces or control bytes. */
bool opex_launch_is_word(const char *s, size_t n);

/**
 * Append a record to `ref` as `who` at `time`: on `repo`, or on `origin`
 * of the mirror `repo` when it is not NULL (records.c).
 */
int opex_launch_record_append(char *out, const opex_kb_repo *repo,
	const char *origin, const char *ref, opex_kb_record_build_fn build,
	void *payload, const char *summary, const opex_kb_person *who,
	int64_t time, opex_error *err) OPEX_WARN_UNUSED;

#endif

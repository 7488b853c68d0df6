/*
 * bench_util.h: what every bench/ program shares: percentiles of a run's
 * times, and the time of a baseline program run to completion.
 */
#ifndef OPEX_BENCH_UTIL_H
#define OPEX_BENCH_UTIL_H

#include <stddef.h>

/** The `p` (0..1) percentile of `v[0..n)`, n > 0; sorts `v`. */
double bench_pct(double *v, size_t n, double p);

/** The median of `v[0..n)` (the upper one of an even count); sorts `v`. */
double bench_median(double *v, size_t n);

/**
 * Run `argv` (searched in PATH) with its output to /dev/null and return
 * its wall time in ms; a program that cannot run or fails exits the
 * benchmark, naming it.
 */
double bench_time_process(const char *const argv[]);

#endif

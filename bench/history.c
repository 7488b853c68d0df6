/*
 * bench/history.c: time opex_kb_history_load() on a repository.
 *
 *   bench_history REPO REV CACHE ITERATIONS [SAMPLE]
 *
 * Opens REPO at REV and loads its history with CACHE as the cache path
 * ("" for none), ITERATIONS times, each with a freshly opened repository
 * (libgit2 keeps parsed objects per repository), and prints the median
 * time of the load alone and the commits walked by the last load:
 *
 *   median_ms 701.04 walked 5000
 *
 * With SAMPLE, it also prints "<commit> <path>" (the last change) for
 * about SAMPLE paths spread over the tree, for the driver script
 * (bench/history) to check against git log.
 */
#define _POSIX_C_SOURCE 200809L

#include "kb/kb.h"
#include "core/time.h"
#include "core/memory.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/bench_util.h"

#include "core/banned.h"

int main(int argc, char **argv)
{
	opex_kb_history_options opts = OPEX_KB_HISTORY_OPTIONS_INIT;
	opex_error err = OPEX_ERROR_INIT;
	opex_kb_repo *repo = NULL;
	opex_kb_history *h = NULL;
	double *times = NULL;
	long iterations, sample = 0;
	int status = EXIT_FAILURE;

	if (argc < 5 || argc > 6) {
		fprintf(stderr, "usage: bench_history REPO REV CACHE "
			"ITERATIONS [SAMPLE]\n");
		return 2;
	}
	iterations = strtol(argv[4], NULL, 10);
	if (argc == 6)
		sample = strtol(argv[5], NULL, 10);
	if (iterations < 1 || sample < 0) {
		fprintf(stderr, "bench_history: bad iterations or sample\n");
		return 2;
	}
	opts.cache_path = argv[3];
	times = opex_calloc((size_t)iterations, sizeof(*times));
	for (long i = 0; i < iterations; i++) {
		double start;

		/* A fresh repository each time: libgit2 caches objects. */
		opex_kb_history_free(h);
		h = NULL;
		opex_kb_repo_free(repo);
		repo = NULL;
		if (opex_kb_repo_open(&repo, argv[1], argv[2], &err) < 0) {
			fprintf(stderr, "bench_history: %s\n", err.message);
			goto done;
		}
		start = opex_time_monotonic_ms();
		if (opex_kb_history_load(&h, repo, &opts, &err) < 0) {
			fprintf(stderr, "bench_history: %s\n", err.message);
			goto done;
		}
		times[i] = opex_time_monotonic_ms() - start;
	}
	printf("median_ms %.2f walked %zu\n",
		bench_median(times, (size_t)iterations),
		opex_kb_history_walked(h));
	if (sample > 0) {
		size_t n = opex_kb_repo_count(repo);
		size_t step = n / (size_t)sample ? n / (size_t)sample : 1;

		for (size_t i = 0; i < n; i += step) {
			const char *path = opex_kb_repo_entry(repo, i)->path;
			const opex_kb_commit *c =
				opex_kb_history_last_change(h, path);

			printf("%s %s\n", c ? c->id : "-", path);
		}
	}
	status = EXIT_SUCCESS;
done:
	opex_free(times);
	opex_kb_history_free(h);
	opex_kb_repo_free(repo);
	return status;
}

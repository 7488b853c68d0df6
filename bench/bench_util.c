/* bench_util.c: see bench_util.h. */
#define _POSIX_C_SOURCE 200809L

#include "bench/bench_util.h"
#include "core/memory.h"
#include "core/time.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/banned.h"

static int double_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y ? 1 : 0;
}

double bench_pct(double *v, size_t n, double p)
{
	size_t i = (size_t)(p * (double)(n - 1) + 0.5);

	qsort(v, n, sizeof(*v), double_cmp);
	return v[i];
}

double bench_median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), double_cmp);
	return v[n / 2];
}

double bench_time_process(const char *const argv[])
{
	double t0 = opex_time_monotonic_ms();
	pid_t pid = fork();
	int status = 0;

	if (pid == 0) {
		char *args[32];
		int fd = open("/dev/null", O_WRONLY);
		size_t i;

		/* execvp takes char *const[]: the child copies its arguments. */
		for (i = 0; i + 1 < sizeof(args) / sizeof(args[0]) && argv[i]; i++)
			args[i] = opex_strdup(argv[i]);
		args[i] = NULL;
		if (fd >= 0)
			dup2(fd, 1);
		execvp(args[0], args);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || status != 0) {
		fprintf(stderr, "bench: '%s' failed\n", argv[0]);
		exit(1);
	}
	return opex_time_monotonic_ms() - t0;
}

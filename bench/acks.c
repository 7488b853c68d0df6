/*
 * bench/acks.c: the board of an announcement with 10,000 receipts on
 * refs/opex/acks, against reading the ref with `git log` in the same run.
 *
 *   bench_acks REPO RECEIPTS RUNS
 *
 * Tops the ref of REPO up to RECEIPTS receipts (people of the roster
 * acknowledging the announcements in turn; the first run writes them and
 * says how fast), then prints the median of RUNS:
 *   - git log --format=%H refs/opex/acks, as a process (the baseline);
 *   - a cold board: the receipts read from an empty log, then judged;
 *   - a warm board: a log already read (the ref has not moved) and judged,
 *     as the server answers;
 *   - a new receipt, then the warm board (one record read);
 * each as a ratio to the baseline. Target: a board in < 50 ms.
 */
#define _POSIX_C_SOURCE 200809L

#include "launches/launches.h"
#include "core/memory.h"
#include "core/time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench_util.h"

#include "core/banned.h"

#define MAX_RUNS 101

static double run_git_log(const char *repo)
{
	const char *argv[] = { "git", "-C", repo, "log", "--format=%H",
		OPEX_ACK_REF, NULL };

	return bench_time_process(argv);
}

static void die(const char *what, const opex_error *err)
{
	fprintf(stderr, "bench_acks: %s: %s\n", what, err ? err->message : "");
	exit(1);
}

/* The board: refresh `log` and judge every item. */
static double board(opex_ack_status *st, opex_ack_log *log,
	const opex_kb_handbook *hb)
{
	opex_error err = OPEX_ERROR_INIT;
	double t0 = opex_time_monotonic_ms();

	if (opex_ack_log_refresh(log, opex_kb_handbook_repo(hb), NULL, &err) < 0)
		die("refresh", &err);
	opex_ack_evaluate(st, hb, NULL, 0, log, 0);
	return opex_time_monotonic_ms() - t0;
}

int main(int argc, char **argv)
{
	opex_kb_handbook_options hopts = OPEX_KB_HANDBOOK_OPTIONS_INIT;
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_error err = OPEX_ERROR_INIT;
	opex_kb_handbook *hb = NULL;
	opex_ack_log log = OPEX_ACK_LOG_INIT, warm = OPEX_ACK_LOG_INIT;
	opex_ack_status st;
	const opex_kb_roster *roster;
	double base[MAX_RUNS], cold[MAX_RUNS], hot[MAX_RUNS], fresh[MAX_RUNS];
	size_t target, have, i, counted = 0;
	int runs, r;

	if (argc != 4) {
		fprintf(stderr, "usage: bench_acks REPO RECEIPTS RUNS\n");
		return 2;
	}
	target = (size_t)strtoul(argv[2], NULL, 10);
	runs = atoi(argv[3]);
	if (runs < 1 || runs > MAX_RUNS)
		runs = 9;
	hopts.history_cache = "";
	if (opex_kb_handbook_load(&hb, argv[1], &hopts, &diags, &err) < 0)
		die("load", &err);
	roster = opex_kb_handbook_roster(hb);
	board(&st, &log, hb);
	have = log.count;
	if (have < target && st.count > 0) {
		double t0 = opex_time_monotonic_ms();
		size_t n = target - have;

		/* Each person acknowledges each item once, round after round. */
		for (i = 0; i < n; i++) {
			size_t k = have + i;
			const opex_ack_item *item = &st.items[(k / roster->person_count) % st.count];
			const opex_kb_person *p = &roster->people[k % roster->person_count];

			if (opex_ack_append(NULL, item, NULL, opex_kb_handbook_repo(hb),
				NULL, p, (int64_t)time(NULL), &err) < 0)
				die("append", &err);
		}
		printf("wrote %zu receipts: %.2f ms each\n", n,
			(opex_time_monotonic_ms() - t0) / (double)n);
	}
	opex_ack_status_release(&st);
	opex_ack_log_release(&log);
	board(&st, &warm, hb);
	opex_ack_status_release(&st);
	for (r = 0; r < runs; r++) {
		opex_ack_log empty = OPEX_ACK_LOG_INIT;

		base[r] = run_git_log(argv[1]);
		cold[r] = board(&st, &empty, hb);
		counted = st.counted;
		have = empty.count;
		opex_ack_status_release(&st);
		opex_ack_log_release(&empty);
		hot[r] = board(&st, &warm, hb);
		opex_ack_status_release(&st);
	}
	/* One more receipt a run: the warm log reads just that record. */
	for (r = 0; r < runs; r++) {
		board(&st, &warm, hb);
		if (st.count > 0 && opex_ack_append(NULL, &st.items[0], NULL,
			opex_kb_handbook_repo(hb), NULL,
			&roster->people[(size_t)r % roster->person_count],
			(int64_t)time(NULL), &err) < 0)
			die("append", &err);
		opex_ack_status_release(&st);
		fresh[r] = board(&st, &warm, hb);
		opex_ack_status_release(&st);
	}
	{
		double b = bench_median(base, (size_t)runs), c = bench_median(cold, (size_t)runs),
			h = bench_median(hot, (size_t)runs), f = bench_median(fresh, (size_t)runs);

		printf("receipts on the ref: %zu (%zu counted), %zu people, median of %d\n",
			have, counted, roster->person_count, runs);
		printf("git log of the ref     %8.2f ms  (baseline)\n", b);
		printf("board, cold log        %8.2f ms  ratio %.2f\n", c, c / b);
		printf("board, warm log        %8.2f ms  ratio %.3f  (target < 50 ms)\n", h, h / b);
		printf("board after a receipt  %8.2f ms  ratio %.3f\n", f, f / b);
	}
	opex_ack_log_release(&warm);
	opex_kb_handbook_free(hb);
	opex_diag_list_release(&diags);
	return 0;
}

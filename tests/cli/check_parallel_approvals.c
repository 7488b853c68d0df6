/*
 * check_parallel_approvals.c: 16 `opex launch approve` processes at once,
 * each on a different gate of one launch: every approval is recorded on
 * the chain, the chain verifies, and every gate counts its approval (the
 * launch passes).
 */
#define _POSIX_C_SOURCE 200809L /* fork, setenv */

#include "support/repo_fixture.h"
#include "support/test_util.h"
#include "core/buf.h"
#include "core/memory.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/banned.h"

#define T0 1767225600
#define GATES 16

static const char people[] =
	"people:\n"
	"  - id: ann\n    name: Ann Ops\n    email: ann@example.com\n    teams: [ops]\n"
	"  - id: dan\n    name: Dan Owner\n    email: dan@example.com\n    teams: [product]\n"
	"teams:\n  - id: ops\n    name: Operations\n  - id: product\n    name: Product\n";

static opex_test_repo *repo;

static void setup(void)
{
	opex_buf launch = OPEX_BUF_INIT(1 << 16);
	unsigned g;

	opex_buf_puts(&launch, "---\ntitle: Sixteen gates\ndate: 2026-03-01\n"
		"owner: dan\ngates:\n");
	for (g = 1; g <= GATES; g++)
		opex_buf_printf(&launch, "  - id: g%02u\n    title: Gate %u\n"
			"    approvers: [ops]\n    quorum: 1\n", g, g);
	opex_buf_puts(&launch, "---\n# Sixteen gates\n");
	ck_assert(!launch.failed);
	repo = opex_test_repo_new(false);
	opex_test_repo_put(repo, "people.yaml", people);
	opex_test_repo_put(repo, "launches/sixteen.md", launch.ptr);
	/* Written by someone outside the roster: nobody is excluded for it. */
	opex_test_repo_commit(repo, "Handbook Editor", "editor@example.com", T0,
		"launch", NULL);
	opex_buf_release(&launch);
}

static void teardown(void)
{
	opex_test_repo_free(repo);
	repo = NULL;
	unsetenv("OPEX_USER");
}

static size_t count(const char *text, const char *needle)
{
	size_t n = 0;

	while ((text = strstr(text, needle)) != NULL) {
		n++;
		text += strlen(needle);
	}
	return n;
}

START_TEST(parallel_approvals__sixteen_gates_at_once)
{
	const char *bin = getenv("OPEX_BINARY_DIR");
	char opex[4096], args[4400], *out = NULL, *err = NULL;
	pid_t pids[GATES];
	unsigned g;

	ck_assert_msg(bin != NULL, "OPEX_BINARY_DIR is not set");
	snprintf(opex, sizeof(opex), "%s/cli/opex", bin);
	setenv("OPEX_USER", "ann", 1);
	for (g = 0; g < GATES; g++) {
		pids[g] = fork();
		ck_assert_int_ge(pids[g], 0);
		if (pids[g] == 0) {
			char gate[8];
			int nul = open("/dev/null", O_WRONLY);

			snprintf(gate, sizeof(gate), "g%02u", g + 1);
			if (nul >= 0)
				dup2(nul, 1);
			execl(opex, "opex", "launch", "approve",
				opex_test_repo_path(repo), "launches/sixteen.md",
				"--gate", gate, "--as", "ann", (char *)NULL);
			_exit(127);
		}
	}
	for (g = 0; g < GATES; g++) {
		int st = 0;

		ck_assert_int_eq(waitpid(pids[g], &st, 0), pids[g]);
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
			"approving gate g%02u failed (status %d)", g + 1, st);
	}
	unsetenv("OPEX_USER");

	snprintf(args, sizeof(args), "launch verify '%s'", opex_test_repo_path(repo));
	ck_assert_int_eq(opex_test_run_opex(args, &out, &err), 0);
	ck_assert_msg(strstr(out, "16 records, 0 problems") != NULL, "%s%s", out, err);
	opex_free(out);
	opex_free(err);

	/* Each gate counts its approval: all pass, so the launch does. */
	snprintf(args, sizeof(args),
		"launch status '%s' launches/sixteen.md --format json",
		opex_test_repo_path(repo));
	ck_assert_msg(opex_test_run_opex(args, &out, &err) == 0, "%s%s", out, err);
	ck_assert_uint_eq(count(out, "\"state\": \"fresh\""), GATES);
	ck_assert_uint_eq(count(out, "\"person\": \"ann\""), GATES);
	ck_assert_ptr_nonnull(strstr(out, "\"passed\": true"));
	opex_free(out);
	opex_free(err);
}
END_TEST

Suite *suite_parallel_approvals(void)
{
	Suite *s = suite_create("cli_parallel_approvals");
	TCase *tc = tcase_create("parallel");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, parallel_approvals__sixteen_gates_at_once);
	suite_add_tcase(s, tc);
	return s;
}

/*
 * check_faults.c: the real `opex serve` under faults, driven over HTTP on
 * 127.0.0.1 (tests/support/http_client.h), with nothing lost:
 *
 *   fault                                  what must hold afterwards
 *   SIGKILL while a commit is reindexed    the index opens at the old or the new
 *                                          revision; a restarted server answers
 *                                          search and /healthz for it; the next
 *                                          commit is indexed
 *   SIGKILL during concurrent approvals    `opex launch verify` finds the chain
 *                                          whole; every approval answered 201 is
 *                                          on it; approving works after restart
 *   a ref lock left by a killed writer     the next approval is recorded
 *   the index on a full disk               stderr names the index and the
 *                                          revision still served; search and
 *                                          pages stay at the old revision; with
 *                                          space again the new one is served
 *   a malformed record planted on the ref  the board answers 200, reports it,
 *                                          never counts it
 *
 * Servers are separate processes (stopped by pid; a server whose test
 * died is killed with it: PR_SET_PDEATHSIG). Waits are for readiness,
 * with a generous limit, never a measure of speed.
 */
#define _POSIX_C_SOURCE 200809L

#include "server/server.h"
#include "kb/kb.h"
#include "search/search.h"
#include "core/buf.h"
#include "core/memory.h"
#include "core/sha256.h"
#include "support/http_client.h"
#include "support/repo_fixture.h"
#include "support/test_util.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/banned.h"

#define T0 1780000000
#define WAIT_SECONDS 120          /* readiness limit: generous, not a speed test */
#define APPROVALS_REF "refs/opex/approvals"
#define TMPFS_MAGIC_NUMBER 0x01021994

/* ---------------------------------------------------------------------
 * Servers as processes
 * ------------------------------------------------------------------- */

typedef struct served {
	pid_t pid;
	unsigned port;
	char err[4200];           /* its stderr, a file in fx.tmp */
} served;

static struct {
	opex_test_repo *repo;
	char *tmp;
	pid_t live[8];            /* started and not yet reaped */
	unsigned starts;
} fx;

static void setup(void)
{
	memset(&fx, 0, sizeof(fx));
	fx.repo = opex_test_repo_new(false);
	fx.tmp = opex_test_tmpdir();
}

static void teardown(void)
{
	size_t i;

	for (i = 0; i < sizeof(fx.live) / sizeof(fx.live[0]); i++) {
		if (fx.live[i] > 0) {
			kill(fx.live[i], SIGKILL);
			waitpid(fx.live[i], NULL, 0);
		}
	}
	opex_test_repo_free(fx.repo);
	opex_test_rmtree(fx.tmp);
	memset(&fx, 0, sizeof(fx));
}

static void track(pid_t pid, pid_t replace)
{
	size_t i;

	for (i = 0; i < sizeof(fx.live) / sizeof(fx.live[0]); i++) {
		if (fx.live[i] == replace) {
			fx.live[i] = pid;
			return;
		}
	}
	ck_abort_msg("too many servers at once");
}

static const char *opex_binary(void)
{
	static char path[4096];
	const char *dir = getenv("OPEX_BINARY_DIR");

	ck_assert_msg(dir != NULL, "OPEX_BINARY_DIR is not set");
	snprintf(path, sizeof(path), "%s/cli/opex", dir);
	return path;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void pause_ms(double ms)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)((ms - (double)ts.tv_sec * 1000) * 1e6);
	nanosleep(&ts, NULL);
}

/* Start argv (a server) and wait for the port it prints on stderr. */
static void served_start(served *s, const char *const *argv)
{
	double deadline = now() + WAIT_SECONDS;
	int status;

	memset(s, 0, sizeof(*s));
	snprintf(s->err, sizeof(s->err), "%s/serve-%u.err", fx.tmp, fx.starts++);
	s->pid = fork();
	ck_assert_int_ge(s->pid, 0);
	if (s->pid == 0) {
		int err = open(s->err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int nul = open("/dev/null", O_RDWR);

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (err < 0 || nul < 0 || dup2(nul, 0) < 0 || dup2(nul, 1) < 0 ||
		    dup2(err, 2) < 0)
			_exit(126);
		execvp(argv[0], (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	track(s->pid, 0);
	for (;;) {
		char *text = opex_test_read_file(s->err, NULL);
		const char *at = text ? strstr(text, " on http://127.0.0.1:") : NULL;

		if (at != NULL && sscanf(at, " on http://127.0.0.1:%u/", &s->port) == 1) {
			opex_free(text);
			return;
		}
		if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
			track(0, s->pid);
			ck_abort_msg("'%s %s' stopped before serving: %s", argv[0],
				argv[1], text ? text : "");
		}
		opex_free(text);
		ck_assert_msg(now() < deadline, "'%s' is not serving after %d s",
			argv[0], WAIT_SECONDS);
		pause_ms(10);
	}
}

static void served_stop(served *s, int sig)
{
	if (s->pid <= 0)
		return;
	kill(s->pid, sig);
	ck_assert_int_eq(waitpid(s->pid, NULL, 0), s->pid);
	track(0, s->pid);
	s->pid = 0;
}

/* `opex serve REPO --port 0 --poll P [extra...]` */
static void serve(served *s, const char *poll, const char *const *extra)
{
	const char *argv[16];
	size_t n = 0;

	argv[n++] = opex_binary();
	argv[n++] = "serve";
	argv[n++] = opex_test_repo_path(fx.repo);
	argv[n++] = "--port";
	argv[n++] = "0";
	argv[n++] = "--poll";
	argv[n++] = poll;
	argv[n++] = "--quiet";
	while (extra != NULL && *extra != NULL && n < 15)
		argv[n++] = *extra++;
	argv[n] = NULL;
	served_start(s, argv);
}

/* ---------------------------------------------------------------------
 * Reading answers
 * ------------------------------------------------------------------- */

/* The 40-hex value of "key":"..." in `json` into out ("" if absent). */
static void json_hex(char out[41], const char *json, const char *key)
{
	char pat[64];
	const char *at;

	out[0] = '\0';
	snprintf(pat, sizeof(pat), "\"%s\":\"", key);
	at = strstr(json, pat);
	if (at != NULL && strlen(at + strlen(pat)) >= 40) {
		memcpy(out, at + strlen(pat), 40);
		out[40] = '\0';
	}
}

/* GET /healthz: 200, "ok", and the revision served. */
static void healthz(char rev[41], const served *s)
{
	char *body = NULL;
	unsigned status = opex_test_http_get(s->port, "/healthz", &body);

	ck_assert_msg(status == 200 && strstr(body, "\"status\":\"ok\""),
		"/healthz gave %u: %s", status, body);
	json_hex(rev, body, "revision");
	opex_free(body);
}

/* GET /api/search?q=word: 200; the index revision and the total. */
static long search_total(char rev[41], const served *s, const char *word)
{
	char target[256], *body = NULL;
	const char *at;
	unsigned status;
	long total = -1;

	snprintf(target, sizeof(target), "/api/search?q=%s&limit=1", word);
	status = opex_test_http_get(s->port, target, &body);
	ck_assert_msg(status == 200, "search '%s' gave %u: %s", word, status, body);
	json_hex(rev, body, "revision");
	at = strstr(body, "\"total\":");
	ck_assert_msg(at != NULL, "search '%s': no total in %s", word, body);
	total = strtol(at + 8, NULL, 10);
	opex_free(body);
	return total;
}

/* Wait until /healthz reports `rev`. */
static void wait_serving(const served *s, const char *rev)
{
	double deadline = now() + WAIT_SECONDS;
	char got[41];

	for (;;) {
		healthz(got, s);
		if (strcmp(got, rev) == 0)
			return;
		ck_assert_msg(now() < deadline, "still serving %.12s, not %.12s after %d s",
			got, rev, WAIT_SECONDS);
		pause_ms(5);
	}
}

/* ---------------------------------------------------------------------
 * A reindex killed with SIGKILL
 * ------------------------------------------------------------------- */

#define GEN_ARTICLES 2000
#define GENERATIONS 7

static const char people_small[] =
	"people:\n"
	"  - id: ann\n    name: Ann Ops\n    email: ann@example.com\n    teams: [ops]\n"
	"teams:\n  - id: ops\n    name: Operations\n";

/* The word every article holds in generation `gen`: one per revision. */
static void gen_word(char out[16], unsigned gen)
{
	snprintf(out, 16, "quokka%c%c", 'a' + (char)(gen / 26), 'a' + (char)(gen % 26));
}

/* Commit generation `gen`: GEN_ARTICLES articles, each with its word. */
static void commit_generation(char id[41], unsigned gen)
{
	char word[16], path[64], text[512], msg[64];
	unsigned i;

	gen_word(word, gen);
	if (gen == 0)
		opex_test_repo_put(fx.repo, "people.yaml", people_small);
	for (i = 0; i < GEN_ARTICLES; i++) {
		snprintf(path, sizeof(path), "articles/gen/a%04u.md", i);
		snprintf(text, sizeof(text),
			"---\ntitle: Generated %u\nowner: ann\nlanguage: en\n---\n"
			"# Notes\n\nThe %s marker of article %u, about refunds, "
			"cards and chargebacks.\n\nMore text for the index to "
			"chew on: lorem ipsum dolor sit amet %u.\n", i, word, i, i * gen);
		opex_test_repo_put(fx.repo, path, text);
	}
	snprintf(msg, sizeof(msg), "generation %u", gen);
	opex_test_repo_commit(fx.repo, "Ann Ops", "ann@example.com",
		T0 + (int64_t)gen * 60, msg, id);
}

/* Bytes the process has read so far (/proc/PID/io rchar). */
static unsigned long long bytes_read(pid_t pid)
{
	char path[64], text[1024];
	const char *at;
	unsigned long long n = 0;
	size_t len;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/io", (int)pid);
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot open '%s'", path);
	len = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[len] = '\0';
	at = strstr(text, "rchar: ");
	ck_assert_msg(at != NULL, "no rchar in '%s'", path);
	n = strtoull(at + 7, NULL, 10);
	return n;
}

/*
 * Wait until the server has begun loading the new commit: it reads the
 * articles' blobs (idle polls read a few kilobytes).
 */
static void wait_reload_started(const served *s, unsigned long long before)
{
	double deadline = now() + WAIT_SECONDS;

	while (bytes_read(s->pid) - before < 256 * 1024) {
		ck_assert_msg(now() < deadline, "the server did not start reloading");
		pause_ms(1);
	}
}

/* The index file, opened as the next start would: its revision. */
static void index_revision(char rev[41], const char *path)
{
	opex_search_index *ix = NULL;
	opex_error err = OPEX_ERROR_INIT;

	if (opex_search_index_open(&ix, path, &err) < 0)
		ck_abort_msg("the index does not open after the kill: %s", err.message);
	if (opex_search_index_revision(rev, ix, &err) < 0) {
		opex_search_index_free(ix);
		ck_abort_msg("the index revision cannot be read after the kill: %s",
			err.message);
	}
	opex_search_index_free(ix);
}

/*
 * After a kill between revisions `old` (generation gen - 1) and `new`:
 * the index is at one of them, and a restarted server serves the new one
 * with search answering for the revision its index holds.
 */
static void check_after_kill(served *s, const char *ix, const char *extra[],
	const char *old, const char *new, unsigned gen, const char *when)
{
	char rev[41], served_rev[41], old_word[16], new_word[16];
	long old_total, new_total;

	gen_word(old_word, gen - 1);
	gen_word(new_word, gen);
	index_revision(rev, ix);
	ck_assert_msg(strcmp(rev, old) == 0 || strcmp(rev, new) == 0,
		"killed %s: the index is at '%s', neither %.12s nor %.12s", when,
		rev, old, new);
	serve(s, "1", extra);
	healthz(served_rev, s);
	ck_assert_msg(strcmp(served_rev, new) == 0, "killed %s: restarted on %.12s",
		when, served_rev);
	new_total = search_total(rev, s, new_word);
	old_total = search_total(rev, s, old_word);
	if (strcmp(rev, new) == 0)
		ck_assert_msg(new_total == GEN_ARTICLES && old_total == 0,
			"killed %s: index at the new revision finds %ld new, %ld old",
			when, new_total, old_total);
	else
		ck_assert_msg(strcmp(rev, old) == 0 && old_total == GEN_ARTICLES &&
			new_total == 0, "killed %s: search answers for '%s' with "
			"%ld old, %ld new", when, rev, old_total, new_total);
}

START_TEST(server_faults__reindex_killed)
{
	char ix[4200], wal[4300], revs[GENERATIONS][41], rev[41], word[16];
	const char *extra[] = { "--index", ix, NULL };
	unsigned long long before;
	unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid(), gen;
	double started, span;
	served s;
	struct stat st0, st1;

	snprintf(ix, sizeof(ix), "%s/index.sqlite", fx.tmp);
	snprintf(wal, sizeof(wal), "%s-wal", ix);
	commit_generation(revs[0], 0);
	serve(&s, "1", extra);
	gen_word(word, 0);
	ck_assert_int_eq(search_total(rev, &s, word), GEN_ARTICLES);

	/* A reload that completes: how long loading and indexing take. */
	before = bytes_read(s.pid);
	commit_generation(revs[1], 1);
	wait_reload_started(&s, before);
	started = now();
	wait_serving(&s, revs[1]);
	span = now() - started;
	gen_word(word, 1);
	ck_assert_int_eq(search_total(rev, &s, word), GEN_ARTICLES);
	ck_assert_str_eq(rev, revs[1]);

	/* Killed at random points of the reload. */
	for (gen = 2; gen < GENERATIONS - 2; gen++) {
		double delay = span * 1.2 * (double)(rand_r(&seed) % 1000) / 1000.0;
		char when[96];

		before = bytes_read(s.pid);
		commit_generation(revs[gen], gen);
		wait_reload_started(&s, before);
		pause_ms(delay * 1000);
		served_stop(&s, SIGKILL);
		snprintf(when, sizeof(when), "%.0f ms into a %.0f ms reload",
			delay * 1000, span * 1000);
		check_after_kill(&s, ix, extra, revs[gen - 1], revs[gen], gen, when);
	}

	/* Killed the moment the index transaction reaches the disk. */
	ck_assert_int_eq(stat(wal, &st0), 0);
	commit_generation(revs[gen], gen);
	for (;;) {
		if (stat(wal, &st1) == 0 && (st1.st_size != st0.st_size ||
		    st1.st_mtim.tv_sec != st0.st_mtim.tv_sec ||
		    st1.st_mtim.tv_nsec != st0.st_mtim.tv_nsec))
			break;
		ck_assert_msg(waitpid(s.pid, NULL, WNOHANG) == 0, "the server died");
		pause_ms(0.1);
	}
	served_stop(&s, SIGKILL);
	check_after_kill(&s, ix, extra, revs[gen - 1], revs[gen], gen,
		"while writing the index");

	/* Left alone, the next commit is served and searchable. */
	gen++;
	commit_generation(revs[gen], gen);
	wait_serving(&s, revs[gen]);
	gen_word(word, gen);
	ck_assert_int_eq(search_total(rev, &s, word), GEN_ARTICLES);
	ck_assert_str_eq(rev, revs[gen]);
	gen_word(word, gen - 1);
	ck_assert_int_eq(search_total(rev, &s, word), 0);
	served_stop(&s, SIGTERM);
}
END_TEST

/* ---------------------------------------------------------------------
 * Approvals killed with SIGKILL
 * ------------------------------------------------------------------- */

#define APPROVERS 8
#define ROUNDS 4

static const char *const approvers[APPROVERS] = {
	"ana", "ben", "chen", "dara", "eli", "femi", "gus", "hana"
};

static const char launch_file[] =
	"---\n"
	"title: Refunds in the app\n"
	"date: 2027-03-01\n"
	"owner: olga\n"
	"gates:\n"
	"  - id: review\n"
	"    title: Review\n"
	"    approvers: [ops]\n"
	"    quorum: 2\n"
	"---\n"
	"# Refunds\n";

#define REVIEW_URL "/api/launches/refunds.md/gates/review/"

/* A roster of the approvers and olga, the launch, and a token each. */
static void approvals_repo(char tokens[APPROVERS][80], const char *auth)
{
	opex_buf roster = OPEX_BUF_INIT(1 << 16);
	size_t i;

	opex_buf_puts(&roster, "people:\n"
		"  - id: olga\n    name: Olga Owner\n    email: olga@example.com\n"
		"    teams: [product]\n");
	for (i = 0; i < APPROVERS; i++)
		opex_buf_printf(&roster, "  - id: %s\n    name: %s Ops\n"
			"    email: %s@example.com\n    teams: [ops]\n",
			approvers[i], approvers[i], approvers[i]);
	opex_buf_puts(&roster, "teams:\n  - id: ops\n    name: Operations\n"
		"  - id: product\n    name: Product\n");
	ck_assert(!roster.failed);
	opex_test_repo_put(fx.repo, "people.yaml", roster.ptr);
	opex_test_repo_put(fx.repo, "launches/refunds.md", launch_file);
	/* Written by someone outside the roster: nobody is excluded for it. */
	opex_test_repo_commit(fx.repo, "Handbook Editor", "editor@example.com",
		T0, "handbook", NULL);
	opex_buf_release(&roster);
	for (i = 0; i < APPROVERS; i++) {
		char args[4400], *out = NULL, *err = NULL;

		snprintf(args, sizeof(args), "token new %s --auth '%s'",
			approvers[i], auth);
		ck_assert_msg(opex_test_run_opex(args, &out, &err) == 0, "%s", err);
		ck_assert_uint_eq(strlen(out), 65);
		memcpy(tokens[i], out, 64);
		tokens[i][64] = '\0';
		opex_free(out);
		opex_free(err);
	}
}

/* POST approve or revoke as `token`; *recorded gets the commit of a 201. */
static int act(opex_test_http_response *res, unsigned port, const char *token,
	const char *action)
{
	char headers[160], target[128];

	snprintf(headers, sizeof(headers), "Authorization: Bearer %s\r\n", token);
	snprintf(target, sizeof(target), REVIEW_URL "%s", action);
	return opex_test_http(res, port, "POST", target, headers, NULL);
}

/*
 * A client in its own process: approve, revoke, approve... until the
 * server goes away. Each 201 is logged as "201 COMMIT"; an answer that
 * should never come as "bad STATUS BODY".
 */
static void hammer(unsigned port, const char *token, const char *log_path)
{
	static const char *const actions[] = { "approve", "revoke" };
	int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
	unsigned i;

	if (fd < 0)
		_exit(2);
	for (i = 0;; i++) {
		opex_test_http_response res;
		char id[41];

		if (act(&res, port, token, actions[i % 2]) < 0) {
			opex_test_http_response_release(&res);
			break;
		}
		json_hex(id, res.body, "recorded");
		if (res.status == 201 && id[0] != '\0')
			dprintf(fd, "201 %s\n", id);
		else if (res.status != 200 && res.status != 409)
			dprintf(fd, "bad %u %s\n", res.status, res.body);
		opex_test_http_response_release(&res);
	}
	close(fd);
	_exit(0);
}

static size_t count_lines(const char *path, const char *prefix)
{
	char *text = opex_test_read_file(path, NULL);
	const char *p = text;
	size_t n = 0;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, prefix, strlen(prefix)) == 0)
			n++;
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	opex_free(text);
	return n;
}

/* Is commit `id` on the approvals chain? */
static bool on_chain(const opex_kb_record_chain *chain, const char *id)
{
	size_t i;

	for (i = 0; i < chain->count; i++)
		if (strcmp(chain->records[i].commit, id) == 0)
			return true;
	return false;
}

static void read_approvals(opex_kb_record_chain *chain)
{
	opex_kb_repo *r = NULL;
	opex_error err = OPEX_ERROR_INIT;

	if (opex_kb_repo_open(&r, opex_test_repo_path(fx.repo), NULL, &err) < 0 ||
	    opex_kb_records_read(chain, r, APPROVALS_REF, &err) < 0) {
		opex_kb_repo_free(r);
		ck_abort_msg("cannot read the approvals: %s", err.message);
	}
	opex_kb_repo_free(r);
}

/* `opex launch verify`: exit 0 and "N records, 0 problems"; returns N. */
static unsigned long verify_chain(void)
{
	char args[4200], *out = NULL, *err = NULL;
	const char *at, *digits;
	unsigned long records;
	int status;

	snprintf(args, sizeof(args), "launch verify '%s'",
		opex_test_repo_path(fx.repo));
	status = opex_test_run_opex(args, &out, &err);
	at = strstr(out, " records, 0 problems");
	ck_assert_msg(status == 0 && at != NULL, "opex launch verify: %d: %s%s",
		status, out, err);
	for (digits = at; digits > out && digits[-1] >= '0' && digits[-1] <= '9';)
		digits--;
	records = strtoul(digits, NULL, 10);
	opex_free(out);
	opex_free(err);
	return records;
}

START_TEST(server_faults__approvals_killed)
{
	char tokens[APPROVERS][80], auth[4200], logs[APPROVERS][4300];
	const char *extra[] = { "--auth", auth, NULL };
	opex_kb_record_chain chain = OPEX_KB_RECORD_CHAIN_INIT;
	opex_test_http_response res;
	unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid(), round;
	size_t i, ok = 0;
	served s;

	snprintf(auth, sizeof(auth), "%s/tokens", fx.tmp);
	approvals_repo(tokens, auth);
	for (i = 0; i < APPROVERS; i++)
		snprintf(logs[i], sizeof(logs[i]), "%s/client-%zu.log", fx.tmp, i);

	for (round = 0; round < ROUNDS; round++) {
		pid_t clients[APPROVERS];
		size_t before = 0, after;
		double deadline = now() + WAIT_SECONDS;

		serve(&s, "0", extra);
		for (i = 0; i < APPROVERS; i++)
			before += count_lines(logs[i], "201 ");
		for (i = 0; i < APPROVERS; i++) {
			clients[i] = fork();
			ck_assert_int_ge(clients[i], 0);
			if (clients[i] == 0)
				hammer(s.port, tokens[i], logs[i]);
		}
		/* Let a few approvals land, then kill at a random moment. */
		for (;;) {
			after = 0;
			for (i = 0; i < APPROVERS; i++)
				after += count_lines(logs[i], "201 ");
			if (after >= before + 4)
				break;
			ck_assert_msg(now() < deadline, "no approvals recorded in round %u",
				round);
			pause_ms(2);
		}
		pause_ms((double)(rand_r(&seed) % 250));
		served_stop(&s, SIGKILL);
		for (i = 0; i < APPROVERS; i++) {
			int st = 0;

			ck_assert_int_eq(waitpid(clients[i], &st, 0), clients[i]);
			ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		}
	}

	/* The chain is whole and holds every approval answered 201. */
	verify_chain();
	read_approvals(&chain);
	ck_assert_ptr_null(chain.problem);
	for (i = 0; i < APPROVERS; i++) {
		char *text = opex_test_read_file(logs[i], NULL);
		const char *p = text;

		ck_assert_ptr_nonnull(text);
		ck_assert_msg(strstr(text, "bad ") == NULL, "%s answered: %s",
			approvers[i], strstr(text, "bad "));
		while ((p = strstr(p, "201 ")) != NULL) {
			char id[41];

			memcpy(id, p + 4, 40);
			id[40] = '\0';
			ck_assert_msg(on_chain(&chain, id),
				"%s was answered 201 for %s, not on the chain", approvers[i], id);
			ok++;
			p += 44;
		}
		opex_free(text);
	}
	ck_assert_uint_ge(chain.count, ok);
	ck_assert_uint_ge(ok, 4 * ROUNDS);
	opex_kb_record_chain_release(&chain);

	/* Approving still works after the last kill. */
	serve(&s, "0", extra);
	act(&res, s.port, tokens[0], "revoke");
	ck_assert_msg(res.status == 201 || res.status == 409, "%u %s", res.status,
		res.body);
	opex_test_http_response_release(&res);
	act(&res, s.port, tokens[0], "approve");
	ck_assert_msg(res.status == 201, "approve after the kills: %u %s",
		res.status, res.body);
	opex_test_http_response_release(&res);
	served_stop(&s, SIGTERM);
	verify_chain();
}
END_TEST

/*
 * A lock file that a writer killed in the middle of moving a ref leaves
 * behind (libgit2 takes <ref>.lock, or packed-refs.lock, then renames),
 * planted with the chain already started: an hour old, or just left (the
 * next approval waits until it is old enough to be stale, seconds).
 */
static const struct stale_lock {
	const char *path;     /* in the git folder */
	long age;             /* seconds */
} stale_locks[] = {
	{ "refs/opex/approvals.lock", 3600 },
	{ "packed-refs.lock", 3600 },
	{ "refs/opex/approvals.lock", 0 },
};

START_TEST(server_faults__stale_ref_lock_recovered)
{
	char tokens[APPROVERS][80], auth[4200], lock[4400];
	const char *extra[] = { "--auth", auth, NULL };
	opex_kb_record_chain chain = OPEX_KB_RECORD_CHAIN_INIT;
	opex_test_http_response res;
	struct timespec old[2];
	char id[41];
	served s;
	int fd;

	snprintf(auth, sizeof(auth), "%s/tokens", fx.tmp);
	approvals_repo(tokens, auth);
	serve(&s, "0", extra);
	act(&res, s.port, tokens[0], "approve");
	ck_assert_msg(res.status == 201, "%u %s", res.status, res.body);
	opex_test_http_response_release(&res);
	served_stop(&s, SIGKILL);

	snprintf(lock, sizeof(lock), "%s/.git/%s", opex_test_repo_path(fx.repo),
		stale_locks[_i].path);
	fd = open(lock, O_WRONLY | O_CREAT | O_EXCL, 0644);
	ck_assert_msg(fd >= 0, "cannot plant '%s'", lock);
	ck_assert_int_eq(write(fd, "3f1e", 4), 4);   /* a write cut short */
	close(fd);
	clock_gettime(CLOCK_REALTIME, &old[0]);
	old[0].tv_sec -= stale_locks[_i].age;
	old[1] = old[0];
	ck_assert_int_eq(utimensat(AT_FDCWD, lock, old, 0), 0);

	serve(&s, "0", extra);
	act(&res, s.port, tokens[1], "approve");
	ck_assert_msg(res.status == 201,
		"approve with a '%s' %ld s old left by a killed writer: %u %s",
		stale_locks[_i].path, stale_locks[_i].age, res.status, res.body);
	json_hex(id, res.body, "recorded");
	opex_test_http_response_release(&res);
	served_stop(&s, SIGTERM);
	ck_assert_uint_eq(verify_chain(), 2);
	read_approvals(&chain);
	ck_assert_msg(on_chain(&chain, id), "%s is not on the chain", id);
	opex_kb_record_chain_release(&chain);
}
END_TEST

/* ---------------------------------------------------------------------
 * The index on a full disk
 * ------------------------------------------------------------------- */

#define DISK_ARTICLES 400

static const char policy_old[] =
	"---\ntitle: Card policy\nowner: ann\nlanguage: en\n---\n"
	"Call the lighthouse desk before any refund.\n";
static const char policy_new[] =
	"---\ntitle: Card policy\nowner: ann\nlanguage: en\n---\n"
	"Call the beacon desk before any refund.\n";

/* Article i of the big commit: words that occur nowhere else. */
static void unique_article(opex_buf *out, unsigned i)
{
	unsigned k, x = i * 2654435761u + 12345u;

	opex_buf_printf(out, "---\ntitle: Bulk %u\nowner: ann\nlanguage: en\n---\n", i);
	for (k = 0; k < 300; k++) {
		x = x * 1103515245u + 12345u;
		opex_buf_printf(out, "w%08x%s", x, k % 12 == 11 ? ".\n\n" : " ");
	}
	opex_buf_printf(out, "\nzebrafinch%u\n", i);
}

/* Fill the file system holding `dir` (a small tmpfs, checked first). */
static void fill(const char *dir, const char *filler)
{
	static char block[65536];
	struct statfs fs;
	unsigned long long cap, written = 0;
	int fd;

	ck_assert_msg(statfs(dir, &fs) == 0, "cannot stat '%s'", dir);
	ck_assert_msg((unsigned long)fs.f_type == TMPFS_MAGIC_NUMBER,
		"'%s' is not the private tmpfs: refusing to fill it", dir);
	cap = (unsigned long long)fs.f_blocks * (unsigned long long)fs.f_bsize;
	ck_assert_msg(cap <= 64ull << 20, "'%s' is %llu bytes: not the small tmpfs",
		dir, cap);
	fd = open(filler, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_msg(fd >= 0, "cannot create '%s'", filler);
	memset(block, 'x', sizeof(block));
	while (written < cap) {
		ssize_t n = write(fd, block, sizeof(block));

		if (n <= 0)
			break;
		written += (unsigned long long)n;
	}
	/* Then the last partial blocks. */
	while (write(fd, block, 512) > 0)
		;
	ck_assert_msg(errno == ENOSPC, "filling '%s' stopped with %s", dir,
		strerror(errno));
	close(fd);
}

static bool file_has(const char *path, const char *needle)
{
	char *text = opex_test_read_file(path, NULL);
	bool found = text != NULL && strstr(text, needle) != NULL;

	opex_free(text);
	return found;
}

START_TEST(server_faults__index_on_a_full_disk)
{
	char mnt[4200], ix[4300], inside[4400], filler[4500], rev[41],
		old_rev[41], new_rev[41], want[4400], path[64], *body = NULL;
	const char *argv[20];
	opex_buf text = OPEX_BUF_INIT(1 << 20);
	double deadline;
	unsigned i;
	size_t n = 0;
	served s;

	opex_test_repo_put(fx.repo, "people.yaml", people_small);
	opex_test_repo_put(fx.repo, "articles/policy.md", policy_old);
	opex_test_repo_commit(fx.repo, "Ann Ops", "ann@example.com", T0,
		"handbook", old_rev);
	snprintf(mnt, sizeof(mnt), "%s/index-disk", fx.tmp);
	ck_assert_int_eq(mkdir(mnt, 0755), 0);
	snprintf(ix, sizeof(ix), "%s/index.sqlite", mnt);
	/* A private tmpfs, gone with the server: unshare -m (-r unprivileged). */
	argv[n++] = "unshare";
	argv[n++] = geteuid() == 0 ? "-m" : "-rm";
	argv[n++] = "sh";
	argv[n++] = "-c";
	argv[n++] = "mount -t tmpfs -o size=4m tmpfs \"$1\" && shift && exec \"$@\"";
	argv[n++] = "sh";
	argv[n++] = mnt;
	argv[n++] = opex_binary();
	argv[n++] = "serve";
	argv[n++] = opex_test_repo_path(fx.repo);
	argv[n++] = "--port";
	argv[n++] = "0";
	argv[n++] = "--poll";
	argv[n++] = "1";
	argv[n++] = "--quiet";
	argv[n++] = "--index";
	argv[n++] = ix;
	argv[n] = NULL;
	served_start(&s, argv);
	ck_assert_int_eq(search_total(rev, &s, "lighthouse"), 1);
	ck_assert_str_eq(rev, old_rev);

	/* The server's view of the mount, from outside its namespace. */
	snprintf(inside, sizeof(inside), "/proc/%d/root%s", (int)s.pid, mnt);
	snprintf(filler, sizeof(filler), "%s/filler", inside);
	fill(inside, filler);

	opex_test_repo_put(fx.repo, "articles/policy.md", policy_new);
	for (i = 0; i < DISK_ARTICLES; i++) {
		opex_buf_clear(&text);
		unique_article(&text, i);
		ck_assert(!text.failed);
		snprintf(path, sizeof(path), "articles/bulk/b%03u.md", i);
		opex_test_repo_put(fx.repo, path, text.ptr);
	}
	opex_buf_release(&text);
	opex_test_repo_commit(fx.repo, "Ann Ops", "ann@example.com", T0 + 60,
		"bulk", new_rev);

	/* The reload fails on the index, saying which file and what is served. */
	snprintf(want, sizeof(want), "index '%s'", ix);
	deadline = now() + WAIT_SECONDS;
	while (!file_has(s.err, want)) {
		ck_assert_msg(now() < deadline, "no message about the index: %s",
			opex_test_read_file(s.err, NULL));
		pause_ms(20);
	}
	{
		char *log = opex_test_read_file(s.err, NULL);
		const char *line = strstr(log, "cannot reload");
		char tail[64];

		ck_assert_msg(line != NULL && strstr(line, want) != NULL,
			"stderr: %s", log);
		snprintf(tail, sizeof(tail), "; still serving %.12s\n", old_rev);
		ck_assert_msg(strstr(line, tail) != NULL, "stderr: %s", log);
		opex_free(log);
	}
	healthz(rev, &s);
	ck_assert_str_eq(rev, old_rev);
	ck_assert_int_eq(search_total(rev, &s, "lighthouse"), 1);
	ck_assert_str_eq(rev, old_rev);
	ck_assert_int_eq(search_total(rev, &s, "beacon"), 0);
	ck_assert_int_eq(search_total(rev, &s, "zebrafinch7"), 0);
	ck_assert_uint_eq(opex_test_http_get(s.port, "/articles/articles/policy.md",
		&body), 200);
	ck_assert_ptr_nonnull(strstr(body, "lighthouse"));
	ck_assert_ptr_null(strstr(body, "beacon"));
	opex_free(body);
	ck_assert_uint_eq(opex_test_http_get(s.port,
		"/articles/articles/bulk/b007.md", NULL), 404);

	/* With space again, the next poll brings the new revision. */
	ck_assert_int_eq(unlink(filler), 0);
	wait_serving(&s, new_rev);
	ck_assert_int_eq(search_total(rev, &s, "beacon"), 1);
	ck_assert_str_eq(rev, new_rev);
	ck_assert_int_eq(search_total(rev, &s, "lighthouse"), 0);
	ck_assert_int_eq(search_total(rev, &s, "zebrafinch7"), 1);
	ck_assert_uint_eq(opex_test_http_get(s.port, "/articles/articles/policy.md",
		&body), 200);
	ck_assert_ptr_nonnull(strstr(body, "beacon"));
	opex_free(body);
	served_stop(&s, SIGTERM);
}
END_TEST

/* ---------------------------------------------------------------------
 * A malformed record planted on the approvals ref (in process)
 * ------------------------------------------------------------------- */

#define TOKEN_MARIA "faults-maria-token-0123456789"
#define TOKEN_AHMAD "faults-ahmad-token-0123456789"
#define BOARD_URL "/api/launches/card-launch.md"
#define APPROVE_URL "/api/launches/card-launch.md/gates/review/approve"

static const char card_roster[] =
	"people:\n"
	"  - id: maria\n    name: Maria Santos\n    email: maria@example.com\n"
	"    teams: [ops-leads]\n"
	"  - id: ahmad\n    name: Ahmad Rahimi\n    email: ahmad@example.com\n"
	"    teams: [ops-leads]\n"
	"  - id: james\n    name: James Okafor\n    email: james@example.com\n"
	"    teams: [quality]\n"
	"teams:\n  - id: ops-leads\n    name: Ops leads\n"
	"  - id: quality\n    name: Quality\n";

static const char card_launch[] =
	"---\n"
	"title: Card launch\n"
	"date: 2027-01-18\n"
	"owner: james\n"
	"gates:\n"
	"  - id: review\n"
	"    title: Design review\n"
	"    approvers: [ops-leads]\n"
	"    quorum: 2\n"
	"---\n"
	"# Card launch\n";

static opex_server *board_server(void)
{
	opex_server_options opts = OPEX_SERVER_OPTIONS_INIT;
	opex_error err = OPEX_ERROR_INIT;
	opex_server *server = NULL;
	char auth[4200], hash[OPEX_SHA256_HEX_SIZE];
	FILE *f;

	snprintf(auth, sizeof(auth), "%s/tokens", fx.tmp);
	f = fopen(auth, "w");
	ck_assert_ptr_nonnull(f);
	opex_sha256_hex(hash, TOKEN_MARIA, strlen(TOKEN_MARIA));
	fprintf(f, "%s maria\n", hash);
	opex_sha256_hex(hash, TOKEN_AHMAD, strlen(TOKEN_AHMAD));
	fprintf(f, "%s ahmad\n", hash);
	fclose(f);
	opex_test_repo_put(fx.repo, "people.yaml", card_roster);
	opex_test_repo_put(fx.repo, "launches/card-launch.md", card_launch);
	opex_test_repo_commit(fx.repo, "Handbook Editor", "editor@example.com",
		T0, "handbook", NULL);
	opts.repo = opex_test_repo_path(fx.repo);
	opts.auth_file = auth;
	opts.poll_seconds = 0;
	opts.threads = 1;
	opts.access_log = false;
	if (opex_server_new(&server, &opts, &err) < 0)
		ck_abort_msg("opex_server_new: %s", err.message);
	return server;
}

static void handle(opex_server_response *res, opex_server *server,
	const char *method, const char *target, const char *token)
{
	opex_server_request req;
	opex_server_header header;
	char value[128];

	memset(&req, 0, sizeof(req));
	req.method = method;
	req.path = target;
	req.path_len = strlen(target);
	snprintf(value, sizeof(value), "Bearer %s", token);
	header.name = "Authorization";
	header.value = value;
	req.headers = &header;
	req.header_count = 1;
	opex_server_response_init(res);
	opex_server_handle(res, server, &req);
}

/* The record text of the tip of the approvals ref, and the tip's id. */
static char *tip_record(char tip[41])
{
	git_repository *g = NULL;
	git_commit *c = NULL;
	git_tree *tree = NULL;
	git_blob *b = NULL;
	git_oid id;
	char *text;

	ck_assert_int_eq(git_repository_open(&g, opex_test_repo_path(fx.repo)), 0);
	ck_assert_int_eq(git_reference_name_to_id(&id, g, APPROVALS_REF), 0);
	git_oid_tostr(tip, 41, &id);
	ck_assert_int_eq(git_commit_lookup(&c, g, &id), 0);
	ck_assert_int_eq(git_commit_tree(&tree, c), 0);
	ck_assert_int_eq(git_blob_lookup(&b, g,
		git_tree_entry_id(git_tree_entry_byname(tree, "record"))), 0);
	text = opex_malloc((size_t)git_blob_rawsize(b) + 1);
	memcpy(text, git_blob_rawcontent(b), (size_t)git_blob_rawsize(b));
	text[git_blob_rawsize(b)] = '\0';
	git_blob_free(b);
	git_tree_free(tree);
	git_commit_free(c);
	git_repository_free(g);
	return text;
}

/* Commit `record` on top of the approvals ref, as a writer would. */
static void plant_record(const char *record, char id_out[41])
{
	git_repository *g = NULL;
	git_treebuilder *tb = NULL;
	git_tree *tree = NULL;
	git_commit *parent = NULL;
	git_signature *sig = NULL;
	git_reference *ref = NULL;
	git_oid blob, tid, cid, pid;
	const git_commit *parents[1];

	ck_assert_int_eq(git_repository_open(&g, opex_test_repo_path(fx.repo)), 0);
	ck_assert_int_eq(git_reference_name_to_id(&pid, g, APPROVALS_REF), 0);
	ck_assert_int_eq(git_commit_lookup(&parent, g, &pid), 0);
	ck_assert_int_eq(git_blob_create_from_buffer(&blob, g, record,
		strlen(record)), 0);
	ck_assert_int_eq(git_treebuilder_new(&tb, g, NULL), 0);
	ck_assert_int_eq(git_treebuilder_insert(NULL, tb, "record", &blob,
		GIT_FILEMODE_BLOB), 0);
	ck_assert_int_eq(git_treebuilder_write(&tid, tb), 0);
	ck_assert_int_eq(git_tree_lookup(&tree, g, &tid), 0);
	ck_assert_int_eq(git_signature_new(&sig, "Ahmad Rahimi",
		"ahmad@example.com", T0 + 120, 0), 0);
	parents[0] = parent;
	ck_assert_int_eq(git_commit_create(&cid, g, NULL, sig, sig, NULL,
		"approve review of launches/card-launch.md by ahmad", tree, 1,
		parents), 0);
	ck_assert_int_eq(git_reference_create(&ref, g, APPROVALS_REF, &cid, 1,
		"plant"), 0);
	git_oid_tostr(id_out, 41, &cid);
	git_reference_free(ref);
	git_signature_free(sig);
	git_tree_free(tree);
	git_treebuilder_free(tb);
	git_commit_free(parent);
	git_repository_free(g);
}

/* Replace the value of the line "key value" in `text` (a new string). */
static char *with_field(const char *text, const char *key, const char *value)
{
	opex_buf out = OPEX_BUF_INIT(1 << 20);
	char pat[64];
	const char *at, *end;

	snprintf(pat, sizeof(pat), "\n%s ", key);
	if (strncmp(text, pat + 1, strlen(pat + 1)) == 0) {
		at = text + strlen(pat + 1);   /* the first line */
	} else {
		at = strstr(text, pat);
		ck_assert_msg(at != NULL, "no '%s' line in the record", key);
		at += strlen(pat);
	}
	end = strchr(at, '\n');
	opex_buf_put(&out, text, (size_t)(at - text));
	opex_buf_puts(&out, value);
	opex_buf_puts(&out, end ? end : "");
	return opex_buf_detach(&out, NULL);
}

/*
 * Each case starts from maria's real approval: her record, copied as
 * ahmad's and chained on her commit, then spoiled. The first case is the
 * copy unspoiled: it must count (the gate passes), or the others prove
 * nothing.
 */
static const struct bad_record {
	const char *name;
	const char *key;      /* the field to change; NULL: the whole record */
	const char *value;
	const char *rule;     /* reported; NULL: counted */
} bad_records[] = {
	{ "the copy as is (control)", "person", "ahmad", NULL },
	{ "not a record at all", NULL, "approve everything, trust me\n", "record-invalid" },
	{ "an empty record", NULL, "", "record-invalid" },
	{ "an unknown format version", "opex-approval", "9", "record-invalid" },
	{ "a time that is not a time", "time", "yesterday", "record-invalid" },
	{ "an unknown action", "action", "bless", "record-invalid" },
	{ "a scope digest that is not hex", "scope", "not-a-digest", "record-invalid" },
	{ "a field out of place", "gate", "review\nperson ahmad", "record-invalid" },
	{ "prev naming another record", "prev", "-", "record-tampered" },
};

START_TEST(server_faults__malformed_record_on_the_board)
{
	const struct bad_record *c = &bad_records[_i];
	opex_server *server = board_server();
	opex_server_response res;
	char maria_commit[41], planted[41], *maria, *ahmad, *tmp;

	handle(&res, server, "POST", APPROVE_URL, TOKEN_MARIA);
	ck_assert_msg(res.status == 201, "%u %s", res.status, res.body.ptr);
	opex_server_response_release(&res);
	maria = tip_record(maria_commit);
	/* Ahmad's copy: chained on maria's record. */
	ahmad = with_field(maria, "person", "ahmad");
	tmp = with_field(ahmad, "prev", maria_commit);
	opex_free(ahmad);
	ahmad = tmp;
	if (c->key == NULL) {
		opex_free(ahmad);
		ahmad = opex_strdup(c->value);
	} else if (strcmp(c->key, "person") != 0) {
		tmp = with_field(ahmad, c->key, c->value);
		opex_free(ahmad);
		ahmad = tmp;
	}
	plant_record(ahmad, planted);

	handle(&res, server, "GET", BOARD_URL, TOKEN_MARIA);
	ck_assert_msg(res.status == 200, "%s: the board gave %u: %s", c->name,
		res.status, res.body.ptr);
	if (c->rule == NULL) {
		ck_assert_msg(strstr(res.body.ptr, "\"person\":\"ahmad\"") &&
			strstr(res.body.ptr, "\"state\":\"passed\""),
			"%s: not counted: %s", c->name, res.body.ptr);
	} else {
		char rule[64], commit[32];

		snprintf(rule, sizeof(rule), "\"rule\":\"%s\"", c->rule);
		snprintf(commit, sizeof(commit), "commit %.12s", planted);
		ck_assert_msg(strstr(res.body.ptr, rule) &&
			strstr(res.body.ptr, commit), "%s: not reported: %s", c->name,
			res.body.ptr);
		ck_assert_msg(strstr(res.body.ptr, "\"person\":\"ahmad\"") == NULL &&
			strstr(res.body.ptr, "\"state\":\"passed\"") == NULL,
			"%s: counted: %s", c->name, res.body.ptr);
	}
	opex_server_response_release(&res);
	handle(&res, server, "GET", "/launches/card-launch.md", TOKEN_MARIA);
	ck_assert_msg(res.status == 200, "%s: the board page gave %u", c->name,
		res.status);
	/* The page names the bad record too, not only the JSON. */
	if (c->rule != NULL) {
		char shown[32];

		snprintf(shown, sizeof(shown), "commit %.12s", planted);
		ck_assert_msg(strstr(res.body.ptr, "class=\"problems\"") &&
			strstr(res.body.ptr, c->rule) && strstr(res.body.ptr, shown),
			"%s: the board page does not show the problem", c->name);
	}
	opex_server_response_release(&res);

	/* Ahmad's real approval lands on top and counts. */
	handle(&res, server, "POST", APPROVE_URL, TOKEN_AHMAD);
	ck_assert_msg(res.status == (c->rule ? 201u : 200u), "%s: %u %s",
		c->name, res.status, res.body.ptr);
	opex_server_response_release(&res);
	handle(&res, server, "GET", BOARD_URL, TOKEN_MARIA);
	ck_assert_uint_eq(res.status, 200);
	ck_assert_msg(strstr(res.body.ptr, "\"state\":\"passed\""),
		"%s: the real approval does not count: %s", c->name, res.body.ptr);
	opex_server_response_release(&res);
	opex_free(maria);
	opex_free(ahmad);
	opex_server_free(server);
}
END_TEST

Suite *suite_faults(void)
{
	Suite *s = suite_create("server_faults");
	TCase *kill9 = tcase_create("sigkill");
	TCase *disk = tcase_create("disk");
	TCase *records = tcase_create("records");

	tcase_add_checked_fixture(kill9, setup, teardown);
	tcase_set_timeout(kill9, 300);
	tcase_add_test(kill9, server_faults__reindex_killed);
	tcase_add_test(kill9, server_faults__approvals_killed);
	tcase_add_loop_test(kill9, server_faults__stale_ref_lock_recovered, 0,
		(int)(sizeof(stale_locks) / sizeof(stale_locks[0])));
	suite_add_tcase(s, kill9);
	tcase_add_checked_fixture(disk, setup, teardown);
	tcase_set_timeout(disk, 300);
	tcase_add_test(disk, server_faults__index_on_a_full_disk);
	suite_add_tcase(s, disk);
	tcase_add_checked_fixture(records, setup, teardown);
	tcase_add_loop_test(records, server_faults__malformed_record_on_the_board,
		0, (int)(sizeof(bad_records) / sizeof(bad_records[0])));
	suite_add_tcase(s, records);
	return s;
}

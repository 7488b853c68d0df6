/*
 * cmd_serve.c: `opex serve`, the HTTP server over a handbook.
 *
 * SIGINT and SIGTERM are blocked before any thread starts and taken with
 * sigwait() here, so the library keeps no signal state: on either, the
 * server finishes the requests in progress and stops.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli/cli.h"
#include "kb/kb.h"
#include "server/server.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/banned.h"

#ifndef OPEX_SOURCE_DIR
#define OPEX_SOURCE_DIR "."
#endif
#ifndef OPEX_BINARY_DIR
#define OPEX_BINARY_DIR "."
#endif

static const char usage[] =
	"usage: opex serve [REPO] [--bind ADDR] [--port N] [--rev REF]\n"
	"                  [--index PATH] [--kpi PATH] [--auth FILE]\n"
	"                  [--trust-header NAME]\n"
	"                  [--poll SECONDS] [--threads N] [--quiet]\n"
	"       opex serve CLONE --origin URL [--fetch-every SECONDS] [options]\n"
	"\n"
	"Serve the handbook at REPO (default: the bundled sample handbook, built\n"
	"on first use) over HTTP: web pages for people and a JSON API. The\n"
	"served ref is polled and new commits are picked up without a restart.\n"
	"\n"
	"  --bind ADDR          listen on this address (default 127.0.0.1)\n"
	"  --port N             listen on this port (default 8080; 0: any free port)\n"
	"  --rev REF            serve this ref (default HEAD)\n"
	"  --index PATH         the search index (default <git-dir>/opex/index.sqlite)\n"
	"  --kpi PATH           the KPI store 'opex kpi ingest' fills, read only\n"
	"                       (default <git-dir>/opex/kpi.sqlite)\n"
	"  --auth FILE          tokens file (see 'opex token new')\n"
	"  --trust-header NAME  take the person from this header (behind an\n"
	"                       authenticating reverse proxy only)\n"
	"  --poll SECONDS       check the ref this often (default 2; 0: never)\n"
	"  --threads N          worker threads (default: two per CPU)\n"
	"  --origin URL         serve CLONE as a replica of URL (a path, file://,\n"
	"                       git://, http(s):// or ssh://): CLONE is a bare\n"
	"                       mirror, created if missing and fetched with every\n"
	"                       branch, tag and refs/opex/ ref; approvals are\n"
	"                       recorded on the origin (compare-and-swap)\n"
	"  --fetch-every S      fetch from the origin this often (default 2; '2s'\n"
	"                       and '1m' are read too)\n"
	"  --quiet              no access log on stderr\n"
	"\n"
	"Stops cleanly on SIGINT or SIGTERM.\n"
	"Exit status: 0 stopped, 2 usage, repository or listening error.\n";

static int bad(const char *what, const char *value)
{
	fprintf(stderr, "opex serve: %s '%s'\n"
		"usage: see 'opex serve --help'\n", what, value);
	return OPEX_EXIT_USAGE;
}

static bool parse_unsigned(unsigned *out, const char *s, unsigned max)
{
	char *end = NULL;
	unsigned long v;

	if (s == NULL || *s < '0' || *s > '9')
		return false;
	v = strtoul(s, &end, 10);
	if (*end != '\0' || v > max)
		return false;
	*out = (unsigned)v;
	return true;
}

/* "30", "30s" or "2m", in seconds, up to a day. */
static bool parse_duration(unsigned *out, const char *s)
{
	char number[16];
	size_t len = strlen(s);
	unsigned scale = 1;

	if (len > 1 && (s[len - 1] == 's' || s[len - 1] == 'm')) {
		scale = s[len - 1] == 'm' ? 60 : 1;
		len--;
	}
	if (len == 0 || len >= sizeof(number))
		return false;
	memcpy(number, s, len);
	number[len] = '\0';
	if (!parse_unsigned(out, number, 86400 / scale))
		return false;
	*out *= scale;
	return true;
}

/* Take option argv[*i] if it is one of ours: -1 taken, 1 not ours, 2 bad. */
static int take_option(opex_server_options *opts, int argc, char **argv,
	int *i)
{
	static const char *const names[] = { "--bind", "--rev", "--auth",
		"--trust-header", "--index", "--origin", "--port", "--poll",
		"--fetch-every", "--threads", "--kpi" };
	const char *v = NULL;
	size_t k;

	for (k = 0; k < sizeof(names) / sizeof(names[0]) && v == NULL; k++)
		v = opex_cli_option_value(argc, argv, i, names[k]);
	if (v == NULL)
		return 1;
	k--;
	if (*v == '\0')
		return bad("this option needs a value:", names[k]);
	switch (k) {
	case 0: opts->bind = v; break;
	case 1: opts->rev = v; break;
	case 2: opts->auth_file = v; break;
	case 3: opts->trust_header = v; break;
	case 4: opts->index_path = v; break;
	case 5: opts->origin = v; break;
	case 6:
		if (!parse_unsigned(&opts->port, v, 65535))
			return bad("--port: not a port number:", v);
		break;
	case 7:
		if (!parse_unsigned(&opts->poll_seconds, v, 86400))
			return bad("--poll: not a number of seconds:", v);
		break;
	case 8:
		if (!parse_duration(&opts->fetch_seconds, v) ||
		    opts->fetch_seconds == 0)
			return bad("--fetch-every: not a duration:", v);
		break;
	case 9:
		if (!parse_unsigned(&opts->threads, v, 1024) || opts->threads == 0)
			return bad("--threads: not a thread count:", v);
		break;
	default: opts->kpi_path = v; break;
	}
	return -1;
}

static int parse(opex_server_options *opts, int argc, char **argv)
{
	int i, taken;

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
			fputs(usage, stdout);
			return OPEX_EXIT_OK;
		}
		if (strcmp(arg, "--quiet") == 0) {
			opts->access_log = false;
			continue;
		}
		taken = take_option(opts, argc, argv, &i);
		if (taken >= 0 && taken != 1)
			return taken;
		if (taken < 0)
			continue;
		if (arg[0] == '-' && arg[1] != '\0')
			return bad("unknown option", arg);
		if (opts->repo != NULL)
			return bad("unexpected argument", arg);
		opts->repo = arg;
	}
	return -1;
}

/* The bundled sample handbook, built with scripts/sample-handbook if missing. */
static const char *sample_handbook(void)
{
	static const char dir[] = OPEX_BINARY_DIR "/sample-handbook";
	struct stat st;
	pid_t pid;
	int status = 0;

	if (stat(dir, &st) == 0)
		return dir;
	fprintf(stderr, "opex serve: building the sample handbook in '%s'\n", dir);
	pid = fork();
	if (pid == 0) {
		execl(OPEX_SOURCE_DIR "/scripts/sample-handbook",
			"sample-handbook", dir, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 ||
	    !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "opex serve: cannot build the sample handbook\n");
		return NULL;
	}
	return dir;
}

/*
 * A replica starts from a fresh fetch. Without one it may still serve the
 * clone it has (the origin is down), but not a clone it never had.
 */
static int first_fetch(const opex_server_options *opts)
{
	opex_error err = OPEX_ERROR_INIT;
	opex_kb_repo *clone = NULL;
	bool usable;

	if (opex_kb_mirror_fetch(opts->repo, opts->origin, NULL, &err) == 0)
		return -1;
	fprintf(stderr, "opex serve: %s\n", err.message);
	usable = err.code != OPEX_EINVALID &&
		opex_kb_repo_open(&clone, opts->repo, opts->rev, NULL) == 0;
	opex_kb_repo_free(clone);
	if (usable) {
		fprintf(stderr, "opex serve: serving the clone '%s' as it is\n",
			opts->repo);
		return -1;
	}
	fprintf(stderr, "opex serve: '%s' has no revision to serve yet\n",
		opts->repo);
	return OPEX_EXIT_USAGE;
}

static int run(int argc, char **argv)
{
	opex_server_options opts = OPEX_SERVER_OPTIONS_INIT;
	opex_server *server = NULL;
	opex_error err = OPEX_ERROR_INIT;
	sigset_t stop;
	int status = parse(&opts, argc, argv), sig = 0;

	if (status >= 0)
		return status;
	if (opts.origin != NULL) {
		if (opts.repo == NULL)
			return bad("--origin needs the replica's CLONE path", opts.origin);
		status = first_fetch(&opts);
		if (status >= 0)
			return status;
	}
	if (opts.repo == NULL) {
		opts.repo = sample_handbook();
		if (opts.repo == NULL)
			return OPEX_EXIT_USAGE;
	}
	/* Block the stop signals before any thread exists: all inherit it. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (opex_server_new(&server, &opts, &err) < 0 ||
	    opex_server_start(server, &err) < 0) {
		fprintf(stderr, "opex serve: %s\n", err.message);
		status = OPEX_EXIT_USAGE;
		goto done;
	}
	fprintf(stderr, "opex serve: serving '%s' on http://%s:%u/\n",
		opts.repo, opts.bind ? opts.bind : "127.0.0.1",
		opex_server_port(server));
	fflush(stderr);
	while (sigwait(&stop, &sig) != 0)
		;
	fprintf(stderr, "opex serve: stopping\n");
	status = OPEX_EXIT_OK;
done:
	opex_server_free(server);
	return status;
}

const opex_cli_command opex_cli_serve = {
	"serve",
	"serve the handbook over HTTP: web pages and a JSON API",
	usage, 0, "", "", run
};

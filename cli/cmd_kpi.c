/* cmd_kpi.c: `opex kpi ingest` (exports into the KPI store) and `opex kpi report`. */
#include "cli/cli.h"
#include "core/limits.h"
#include "core/memory.h"
#include "core/time.h"
#include "kpi/kpi.h"
#include "renderer/renderer.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/banned.h"

static const char usage[] =
	"usage: opex kpi ingest [REPO] FILE... [--kpi PATH] [--rev REV] [--dry-run]\n"
	"       opex kpi report [REPO] [--kpi PATH] [--rev REV] [--process P]\n"
	"                       [--market M] [--journey J] [--team T] [--channel C]\n"
	"                       [--language L] [--since DATE] [--until DATE]\n"
	"                       [--now DATE] [--by DIM,...]\n"
	"                       [--format text|markdown|csv|json]\n"
	"\n"
	"Load helpdesk exports (CSV or JSON lines) into the KPI store, as the\n"
	"kpi: mapping of the handbook at REPO (default: the current folder) at\n"
	"REV (default: HEAD) says. Each file is one transaction: a file with a\n"
	"bad row is refused whole, every bad row printed as FILE:LINE: error.\n"
	"Loading the same file again changes nothing.\n"
	"\n"
	"  --kpi PATH   the store (default: <git-dir>/opex/kpi.sqlite)\n"
	"  --rev REV    the handbook revision whose mapping to use\n"
	"  --dry-run    read and check everything, write nothing; name the\n"
	"               columns the mapping does not use\n"
	"\n"
	"report prints the measures of each mapped process (or of P), its steps,\n"
	"the moves the map does not have and the targets on the map, for the\n"
	"cases created in [--since, --until) that match the filters, with the\n"
	"weekly trend (created, resolved, open), throughput per week and per\n"
	"FTE (people.yaml team fte), and the mean handle time.\n"
	"\n"
	"  --by DIM,... one block per group of cases: market, journey, team,\n"
	"               channel, language, week (the creation week)\n"
	"\n"
	"Exit status: ingest 0 loaded, 1 a file was refused; report 0 every target\n"
	"met, 1 a target breached; 2 usage or repository error.\n";

static int usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "opex kpi: %s%s%s%s\n\n%s", msg, arg ? " '" : "",
		arg ? arg : "", arg ? "'" : "", usage);
	return OPEX_EXIT_USAGE;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int ingest(int argc, char **argv)
{
	const char *repo_path = ".", *store_path = NULL, *rev = NULL;
	const char **files = opex_calloc((size_t)argc + 1, sizeof(char *));
	opex_buf path = OPEX_BUF_INIT(OPEX_LIMIT_PATH_BYTES);
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_error err = OPEX_ERROR_INIT;
	opex_kb_repo *repo = NULL;
	opex_kpi_mapping *mapping = NULL;
	opex_kpi_store *store = NULL;
	opex_buf out = OPEX_BUF_INIT(OPEX_LIMIT_RENDER_BYTES);
	size_t nfiles = 0, i, refused = 0;
	bool dry = false;
	int status = OPEX_EXIT_OK;
	int64_t now = (int64_t)time(NULL);

	for (int a = 2; a < argc; a++) {
		const char *v;

		if (strcmp(argv[a], "--dry-run") == 0) {
			dry = true;
		} else if ((v = opex_cli_option_value(argc, argv, &a, "--kpi")) != NULL) {
			store_path = v;
		} else if ((v = opex_cli_option_value(argc, argv, &a, "--rev")) != NULL) {
			rev = v;
		} else if (strcmp(argv[a], "--help") == 0 || strcmp(argv[a], "-h") == 0) {
			fputs(usage, stdout);
			goto done;
		} else if (argv[a][0] == '-' && argv[a][1] != '\0') {
			status = usage_error("unknown option", argv[a]);
			goto done;
		} else if (nfiles == 0 && repo_path[0] == '.' && repo_path[1] == '\0' &&
			   is_dir(argv[a])) {
			repo_path = argv[a];
		} else {
			files[nfiles++] = argv[a];
		}
	}
	if ((store_path && store_path[0] == '\0') || (rev && rev[0] == '\0')) {
		status = usage_error("an option needs a value", NULL);
		goto done;
	}
	if (nfiles == 0) {
		status = usage_error("name at least one export FILE", NULL);
		goto done;
	}
	if (opex_kb_repo_open(&repo, repo_path, rev, &err) < 0 ||
	    opex_kpi_mapping_load(&mapping, repo, &diags, &err) < 0) {
		opex_diag_sort(&diags);
		opex_render_diags_text(&out, &diags);
		fputs(out.ptr, stderr);
		fprintf(stderr, "opex kpi: %s\n", err.message);
		status = OPEX_EXIT_USAGE;
		goto done;
	}
	if (!dry) {
		if (store_path == NULL) {
			opex_kpi_store_default_path(&path, repo);
			store_path = path.ptr;
		}
		if (opex_kpi_store_open(&store, store_path, &err) < 0) {
			fprintf(stderr, "opex kpi: %s\n", err.message);
			status = OPEX_EXIT_USAGE;
			goto done;
		}
	}
	for (i = 0; i < nfiles; i++) {
		opex_kpi_ingest_stats stats;
		opex_error ferr = OPEX_ERROR_INIT;
		int rc;

		opex_kpi_ingest_stats_init(&stats);
		opex_diag_list_release(&diags);
		rc = opex_kpi_ingest_file(&stats, store, mapping, files[i], now,
			&diags, &ferr);
		opex_buf_clear(&out);
		opex_render_diags_text(&out, &diags);
		fputs(out.ptr, stderr);
		if (stats.bad > OPEX_KPI_ROW_ERRORS_SHOWN)
			fprintf(stderr, "%s: %zu more bad rows not shown\n", files[i],
				stats.bad - OPEX_KPI_ROW_ERRORS_SHOWN);
		if (rc < 0) {
			fprintf(stderr, "opex kpi: %s\n", ferr.message);
			refused++;
		} else {
			printf("%s: %zu rows (source %s), %zu %s, %zu filtered out\n",
				files[i], stats.rows, stats.source, stats.added,
				dry ? "would change the store" : "changed the store",
				stats.filtered);
		}
		if (dry && stats.unknown.len)
			printf("%s: columns not mapped (ignored): %s\n", files[i],
				stats.unknown.ptr);
		opex_kpi_ingest_stats_release(&stats);
	}
	status = refused ? OPEX_EXIT_FINDINGS : OPEX_EXIT_OK;
done:
	opex_kpi_store_free(store);
	opex_kpi_mapping_free(mapping);
	opex_kb_repo_free(repo);
	opex_diag_list_release(&diags);
	opex_buf_release(&path);
	opex_buf_release(&out);
	opex_free(files);
	return status;
}

static int parse_date(int64_t *out, const char *v, const char *name)
{
	opex_error err = OPEX_ERROR_INIT;

	if (opex_time_parse_date(out, v, &err) < 0) {
		fprintf(stderr, "opex kpi: %s '%s' is not a date (YYYY-MM-DD): %s\n",
			name, v, err.message);
		return OPEX_EXIT_USAGE;
	}
	return 0;
}

static int parse_by(unsigned *out, const char *v)
{
	opex_error err = OPEX_ERROR_INIT;

	if (opex_kpi_dims_parse(out, v, &err) < 0) {
		fprintf(stderr, "opex kpi: --by: %s\n", err.message);
		return OPEX_EXIT_USAGE;
	}
	return 0;
}

static int report(int argc, char **argv)
{
	const char *repo_path = ".", *store_path = NULL, *rev = NULL;
	const char *format = "text";
	opex_kpi_query q = OPEX_KPI_QUERY_INIT;
	opex_buf path = OPEX_BUF_INIT(OPEX_LIMIT_PATH_BYTES);
	opex_buf out = OPEX_BUF_INIT(OPEX_LIMIT_RENDER_BYTES);
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_error err = OPEX_ERROR_INIT;
	opex_kb_repo *repo = NULL;
	opex_kpi_mapping *mapping = NULL;
	opex_kpi_store *store = NULL;
	opex_kpi_report *rep = NULL;
	opex_kb_roster roster;
	bool have_repo = false;
	int status = OPEX_EXIT_OK;

	memset(&roster, 0, sizeof(roster));
	q.now = (int64_t)time(NULL);
	for (int a = 2; a < argc && status == 0; a++) {
		const char *v = NULL;
		const char **slot = NULL;
		static const char *const names[] = { "--kpi", "--rev", "--process",
			"--market", "--journey", "--team", "--channel", "--language",
			"--since", "--until", "--now", "--format", "--by" };
		size_t k;

		for (k = 0; k < sizeof(names) / sizeof(names[0]) && v == NULL; k++) {
			v = opex_cli_option_value(argc, argv, &a, names[k]);
			if (v == NULL)
				continue;
			if (v[0] == '\0') {
				status = usage_error("an option needs a value:", names[k]);
				break;
			}
			switch (k) {
			case 0: slot = &store_path; break;
			case 1: slot = &rev; break;
			case 2: slot = &q.process; break;
			case 3: slot = &q.market; break;
			case 4: slot = &q.journey; break;
			case 5: slot = &q.team; break;
			case 6: slot = &q.channel; break;
			case 7: slot = &q.language; break;
			case 8: status = parse_date(&q.since, v, "--since"); break;
			case 9: status = parse_date(&q.until, v, "--until"); break;
			case 10: status = parse_date(&q.now, v, "--now"); break;
			case 11: slot = &format; break;
			default: status = parse_by(&q.by, v); break;
			}
			if (slot != NULL)
				*slot = v;
		}
		if (v != NULL || status != 0)
			continue;
		if (strcmp(argv[a], "--help") == 0 || strcmp(argv[a], "-h") == 0) {
			fputs(usage, stdout);
			goto done;
		}
		if (argv[a][0] == '-' || have_repo) {
			status = usage_error(argv[a][0] == '-' ? "unknown option" :
				"one REPO only, not", argv[a]);
			break;
		}
		repo_path = argv[a];
		have_repo = true;
	}
	if (status != 0)
		goto done;
	if (strcmp(format, "text") != 0 && strcmp(format, "markdown") != 0 &&
	    strcmp(format, "csv") != 0 && strcmp(format, "json") != 0) {
		status = usage_error("--format is text, markdown, csv or json, not",
			format);
		goto done;
	}
	if (opex_kb_repo_open(&repo, repo_path, rev, &err) < 0 ||
	    opex_kpi_mapping_load(&mapping, repo, &diags, &err) < 0) {
		opex_diag_sort(&diags);
		opex_render_diags_text(&out, &diags);
		fputs(out.ptr, stderr);
		fprintf(stderr, "opex kpi: %s\n", err.message);
		status = OPEX_EXIT_USAGE;
		goto done;
	}
	if (store_path == NULL) {
		opex_kpi_store_default_path(&path, repo);
		store_path = path.ptr;
	}
	opex_cli_read_roster(&roster, repo, &diags);   /* team FTE */
	q.roster = &roster;
	if (opex_kpi_store_open(&store, store_path, &err) < 0 ||
	    opex_kpi_report_compute(&rep, store, mapping, repo, &q, &err) < 0) {
		fprintf(stderr, "opex kpi: %s\n", err.message);
		status = OPEX_EXIT_USAGE;
		goto done;
	}
	if (strcmp(format, "json") == 0) {
		if (opex_render_kpi_report_json(&out, rep, &err) < 0) {
			fprintf(stderr, "opex kpi: %s\n", err.message);
			status = OPEX_EXIT_USAGE;
			goto done;
		}
	} else {
		opex_render_kpi_report(&out, rep, format);
	}
	status = opex_cli_print(&out);
	if (status == 0 && opex_kpi_report_breaches(rep) > 0) {
		fprintf(stderr, "opex kpi: %zu target%s breached\n",
			opex_kpi_report_breaches(rep),
			opex_kpi_report_breaches(rep) == 1 ? "" : "s");
		status = OPEX_EXIT_FINDINGS;
	}
done:
	opex_kpi_report_free(rep);
	opex_kb_roster_release(&roster);
	opex_kpi_store_free(store);
	opex_kpi_mapping_free(mapping);
	opex_kb_repo_free(repo);
	opex_diag_list_release(&diags);
	opex_buf_release(&path);
	opex_buf_release(&out);
	return status;
}

static int run(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? OPEX_EXIT_USAGE : OPEX_EXIT_OK;
	}
	if (strcmp(argv[1], "ingest") == 0)
		return ingest(argc, argv);
	if (strcmp(argv[1], "report") == 0)
		return report(argc, argv);
	return usage_error("unknown kpi subcommand", argv[1]);
}

const opex_cli_command opex_cli_kpi = {
	"kpi",
	"process KPIs: load helpdesk exports, report measures against the targets",
	usage, 0, "text", "text", run
};

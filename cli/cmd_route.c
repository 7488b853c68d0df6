/* cmd_route.c: `opex route`, who takes a contact and where it goes next. */
#include "cli/cli.h"
#include "core/limits.h"
#include "process-maps/process_maps.h"
#include "renderer/renderer.h"

#include <stdio.h>
#include <string.h>

#include "core/banned.h"

static int run(int argc, char **argv)
{
	opex_cli_options opts;
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_kb_handbook *hb = NULL;
	opex_buf out = OPEX_BUF_INIT(OPEX_LIMIT_RENDER_BYTES);
	opex_error err = OPEX_ERROR_INIT;
	opex_render_route_query q;
	opex_pm_map **maps = NULL;
	size_t map_count = 0;
	opex_kb_route r;
	int status = opex_cli_parse(&opts, &opex_cli_route, argc, argv);

	if (status >= 0)
		return status;
	status = opex_cli_load(&hb, &opts, &diags);
	if (status != 0)
		goto done;
	if (!opex_kb_routing_used(opex_kb_handbook_roster(hb))) {
		fprintf(stderr, "opex route: people.yaml has no routing directory (no team has a tier)\n");
		status = OPEX_EXIT_FINDINGS;
		goto done;
	}
	q.journey = opts.journey;
	q.market = opts.market;
	q.language = opts.language;
	map_count = opex_pm_maps_read_all(&maps, opex_kb_handbook_repo(hb), &diags);
	opex_kb_route_find(&r, opex_kb_handbook_roster(hb), q.journey, q.market,
		q.language);
	if (strcmp(opts.format, "json") == 0) {
		if (opex_render_route_json(&out, &r, &q,
			(const opex_pm_map *const *)maps, map_count, &err) < 0) {
			fprintf(stderr, "opex route: %s\n", err.message);
			status = OPEX_EXIT_USAGE;
			goto done;
		}
	} else {
		opex_render_route_text(&out, &r, &q,
			(const opex_pm_map *const *)maps, map_count);
	}
	status = opex_cli_print(&out);
	if (status == 0 && r.team == NULL)
		status = OPEX_EXIT_FINDINGS;
done:
	opex_pm_maps_free(maps, map_count);
	opex_buf_release(&out);
	opex_kb_handbook_free(hb);
	opex_diag_list_release(&diags);
	return status;
}

const opex_cli_command opex_cli_route = {
	"route",
	"tell which team takes a contact, its contact and where it escalates",
	"usage: opex route [REPO] [--journey J] [--market M] [--language L]\n"
	"                  [--rev REV] [--format text|json]\n"
	"\n"
	"Route a contact through the routing directory of people.yaml: the\n"
	"tier-1 team that covers the journey, market and language (the most\n"
	"specific one), its contact, the teams it escalates to in order, and the\n"
	"steps of the process maps it works with their articles. An option left\n"
	"out matches any value. Exit 1 when no team takes the contact (a gap).\n"
	"\n"
	"  --journey J      the customer journey (cards, chargebacks...)\n"
	"  --market M       the market (uk, fr...)\n"
	"  --language L     the language the customer writes in (BCP 47)\n"
	"  --rev REV        the revision to read (branch, tag, commit)\n"
	"  --format FORMAT  text (default) or json\n",
	OPEX_CLI_ACCEPT_FORMAT | OPEX_CLI_ACCEPT_ROUTE, "text|json", "text", run
};

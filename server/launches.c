/*
 * launches.c: launch boards over HTTP: the status of every gate (JSON and
 * a page) and approving or revoking a gate.
 *
 *   | method | path                                       | answer            |
 *   |--------|--------------------------------------------|-------------------|
 *   | GET    | /api/launches                              | {revision, launches: [{path, title, owner, date, gates, current, passed}]} |
 *   | GET    | /api/launches/{path}                       | the checklist renderer's JSON + {revision, approvals_tip, viewer: {person, approver_of}} |
 *   | POST   | /api/launches/{path}/gates/{id}/approve    | 201 {recorded, action, launch, gate, person}; 200 when already approved |
 *   | POST   | /api/launches/{path}/gates/{id}/revoke     | 201 the same; 409 when there is nothing to revoke |
 *   | GET    | /launches                                  | page: every launch with its current gate |
 *   | GET    | /launches/{path}                           | page: the board, with approve/revoke forms |
 *   | POST   | /launches/{path}/gates/{id}/approve|revoke | form: 303 back to the board |
 *
 * {path} is relative to launches/ ("x.md"; "launches/x.md" is accepted).
 * Launches are internal: the operator (no auth) and roster people see
 * them; anonymous readers and partners get 404, as for a missing launch.
 *
 * Approvals live on refs/opex/approvals, not in the served revision, so
 * every request reads that ref anew: an approval shows at once. A replica
 * (--origin) appends on the origin and shows the others' approvals after
 * its next fetch. Reading
 * the chain, evaluating and appending hold `launch_lock` (the handbook's
 * repository handle is shared by the worker threads).
 *
 * Who may act: a roster person who signed in (token or trusted header)
 * and is an approver of the gate, not excluded by separation of duties.
 * 401 without a person, 403 otherwise, 404 for an unknown launch or gate.
 *
 * CSRF: a form carries `csrf` = HMAC-SHA256(per-process secret, person),
 * hex. It is required on the form routes, and on the API routes unless
 * the request has `Authorization: Bearer` or a JSON body (neither can be
 * sent by a cross-site form). A `Sec-Fetch-Site: cross-site` request or
 * an `Origin` that is not the `Host` is refused (403) in every case.
 */
#define _POSIX_C_SOURCE 200809L
#include "server/server_int.h"
#include "core/limits.h"
#include "core/memory.h"
#include "core/path.h"
#include "core/sha256.h"
#include "core/str.h"
#include "core/time.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "renderer/renderer.h"

#include "core/banned.h"

/* ---------------------------------------------------------------------
 * CSRF tokens
 * ------------------------------------------------------------------- */

void opex_server_csrf_token(char out[OPEX_SHA256_HEX_SIZE],
	const opex_server *server, const char *person)
{
	unsigned char key[64], pad[64], inner[OPEX_SHA256_SIZE],
		outer[OPEX_SHA256_SIZE];
	size_t klen = strlen(server->secret), i;
	opex_sha256 ctx;

	memset(key, 0, sizeof(key));
	memcpy(key, server->secret, klen < sizeof(key) ? klen : sizeof(key));
	for (i = 0; i < sizeof(pad); i++)
		pad[i] = (unsigned char)(key[i] ^ 0x36);
	opex_sha256_init(&ctx);
	opex_sha256_update(&ctx, pad, sizeof(pad));
	opex_sha256_update(&ctx, "csrf\n", 5);
	opex_sha256_update(&ctx, person, strlen(person));
	opex_sha256_final(&ctx, inner);
	for (i = 0; i < sizeof(pad); i++)
		pad[i] = (unsigned char)(key[i] ^ 0x5c);
	opex_sha256_init(&ctx);
	opex_sha256_update(&ctx, pad, sizeof(pad));
	opex_sha256_update(&ctx, inner, sizeof(inner));
	opex_sha256_final(&ctx, outer);
	opex_sha256_to_hex(out, outer);
}

/* ---------------------------------------------------------------------
 * Finding a launch
 * ------------------------------------------------------------------- */

/* True if the reader may see launches at all. */
static bool can_see_launches(const opex_server_ctx *ctx)
{
	return ctx->who.open || ctx->who.member != NULL;
}

static bool is_launch_file(const char *path)
{
	return opex_path_under(path, "launches") &&
		opex_path_has_suffix(path, ".md");
}

/* "x.md", "launches/x.md" -> "launches/x.md" if it is a launch file of the revision. */
static const char *launch_path(opex_server_ctx *ctx, const char *rest,
	size_t len)
{
	opex_buf p = OPEX_BUF_INIT(OPEX_LIMIT_PATH_BYTES);
	const char *out = NULL;
	const char *raw = opex_arena_strndup(&ctx->arena, rest, len);

	if (!opex_path_under(raw, "launches"))
		opex_buf_puts(&p, "launches/");
	opex_buf_puts(&p, raw);
	if (!p.failed && opex_path_is_clean(p.ptr) && is_launch_file(p.ptr) &&
	    opex_kb_repo_find(opex_kb_handbook_repo(ctx->snap->hb), p.ptr) != NULL)
		out = opex_arena_strndup(&ctx->arena, p.ptr, p.len);
	opex_buf_release(&p);
	return out;
}

/* One launch, evaluated now against the approvals ref. */
typedef struct board {
	const char *path;
	opex_buf text;
	opex_diag_list diags;
	opex_launch *launch;
	opex_launch_approval_log log;
	opex_launch_status st;
	char tip[41];              /* the approvals ref when read ("" if none) */
} board;

static void board_init(board *b)
{
	memset(b, 0, sizeof(*b));
	opex_buf_init(&b->text, OPEX_LIMIT_FILE_BYTES);
}

static void board_release(board *b)
{
	opex_launch_status_release(&b->st);
	opex_launch_approval_log_release(&b->log);
	opex_launch_free(b->launch);
	opex_diag_list_release(&b->diags);
	opex_buf_release(&b->text);
}

/* The newest record's commit: the tip of the approvals ref as read. */
static void log_tip(char out[41], const opex_launch_approval_log *log)
{
	out[0] = '\0';
	if (log->count > 0)
		memcpy(out, log->items[log->count - 1].commit, 41);
}

/*
 * Read, parse and evaluate the launch at `path`. Call with launch_lock
 * held. Returns 0, or an HTTP status to answer with (and `detail`).
 */
static unsigned board_load(board *b, opex_server_ctx *ctx, const char *path,
	const char **detail)
{
	const opex_kb_handbook *hb = ctx->snap->hb;
	opex_launch_gate_options gopts = OPEX_LAUNCH_GATE_OPTIONS_INIT;
	opex_error err = OPEX_ERROR_INIT;

	b->path = path;
	if (opex_kb_repo_read(&b->text, opex_kb_handbook_repo(hb), path, &err) < 0) {
		*detail = "the launch file cannot be read";
		return 404;
	}
	b->launch = opex_launch_parse(path, b->text.ptr, b->text.len,
		&b->diags);
	if (b->launch == NULL) {
		*detail = "the file is not a launch";
		return 404;
	}
	if (opex_launch_approval_log_read(&b->log, hb, &err) < 0) {
		*detail = "the approvals ref cannot be read";
		return 503;
	}
	log_tip(b->tip, &b->log);
	gopts.now = (int64_t)time(NULL);
	if (opex_launch_gate_evaluate(&b->st, b->launch, b->text.ptr, b->text.len,
		hb, &b->log, &gopts, &err) < 0) {
		*detail = "the launch cannot be evaluated";
		return 503;
	}
	return 0;
}

/* The gate ids the reader may approve. */
static bool may_approve(const opex_server_ctx *ctx, const opex_launch_gate *gate)
{
	return ctx->who.member != NULL &&
		opex_launch_gate_is_approver(gate,
			opex_kb_handbook_roster(ctx->snap->hb), ctx->who.member->id);
}

/* Why `person` is excluded from the gate ("owns the launch"), or NULL. */
static const char *excluded_why(const opex_launch_gate_status *gs,
	const char *person)
{
	size_t i, n = strlen(person);

	for (i = 0; i < gs->excluded_count; i++)
		if (strncmp(gs->excluded[i], person, n) == 0 &&
		    gs->excluded[i][n] == ':')
			return gs->excluded[i] + n + (gs->excluded[i][n + 1] == ' ' ? 2 : 1);
	return NULL;
}

/* The person's approval of the gate that is neither revoked nor withdrawn, if any. */
static const opex_launch_approval_status *standing_approval(
	const opex_launch_gate_status *gs, const char *person)
{
	size_t i;

	for (i = gs->approval_count; i > 0; i--) {
		const opex_launch_approval_status *as = &gs->approvals[i - 1];

		if (as->record->action != OPEX_LAUNCH_ACTION_APPROVE ||
		    strcmp(as->record->person, person) != 0)
			continue;
		if (as->state == OPEX_LAUNCH_APPROVAL_REVOKED)
			return NULL;
		return as;
	}
	return NULL;
}

/* ---------------------------------------------------------------------
 * GET /api/launches, /api/launches/{path}
 * ------------------------------------------------------------------- */

/* Every launch file of the revision, in path order, into `out` (arena). */
static size_t launch_files(const char ***out, opex_server_ctx *ctx)
{
	const opex_kb_repo *repo = opex_kb_handbook_repo(ctx->snap->hb);
	size_t n = opex_kb_repo_count(repo), i, count = 0;
	const char **list = opex_arena_alloc(&ctx->arena,
		(n + 1) * sizeof(*list));

	for (i = 0; i < n; i++) {
		const opex_kb_entry *e = opex_kb_repo_entry(repo, i);

		if (e->kind == OPEX_KB_ENTRY_FILE && is_launch_file(e->path))
			list[count++] = e->path;
	}
	*out = list;
	return count;
}

/* A brief of each launch, evaluated: for the list page and API. */
typedef struct brief {
	const char *path, *title, *owner, *current;
	int64_t date;
	size_t gates;
	bool passed, broken;
} brief;

static size_t launch_briefs(brief **out, opex_server_ctx *ctx)
{
	const char **files;
	size_t n = launch_files(&files, ctx), i;
	brief *list = opex_arena_alloc(&ctx->arena, (n + 1) * sizeof(*list));

	pthread_mutex_lock(&ctx->server->launch_lock);
	for (i = 0; i < n; i++) {
		brief *br = &list[i];
		const char *detail = NULL;
		board b;

		memset(br, 0, sizeof(*br));
		br->path = files[i];
		board_init(&b);
		if (board_load(&b, ctx, files[i], &detail) != 0) {
			br->broken = true;
		} else {
			const opex_launch *l = b.launch;

			br->title = opex_arena_strdup(&ctx->arena,
				opex_launch_title(l) ? opex_launch_title(l) : files[i]);
			br->owner = opex_launch_owner(l)
				? opex_arena_strdup(&ctx->arena, opex_launch_owner(l))
				: NULL;
			br->date = opex_launch_date(l);
			br->gates = b.st.gate_count;
			br->passed = b.st.passed;
			br->current = b.st.current < b.st.gate_count
				? opex_arena_strdup(&ctx->arena,
					b.st.gates[b.st.current].gate->id)
				: NULL;
		}
		board_release(&b);
	}
	pthread_mutex_unlock(&ctx->server->launch_lock);
	*out = list;
	return n;
}

void opex_server_api_launches(opex_server_ctx *ctx)
{
	json_t *list;
	brief *briefs;
	size_t n, i;

	if (!can_see_launches(ctx)) {
		opex_server_json_send(ctx,
			json_pack("{s:s,s:[]}", "revision", ctx->snap->commit,
			"launches"), 200);
		return;
	}
	n = launch_briefs(&briefs, ctx);
	list = json_array();
	for (i = 0; i < n; i++) {
		const brief *br = &briefs[i];

		if (br->broken) {
			json_array_append_new(list, json_pack("{s:s,s:b}",
				"path", br->path, "broken", 1));
			continue;
		}
		json_array_append_new(list, json_pack(
			"{s:s,s:o,s:o,s:I,s:I,s:o,s:b}",
			"path", br->path, "title", opex_server_json_text(br->title),
			"owner", opex_server_json_text(br->owner), "date", (json_int_t)br->date,
			"gates", (json_int_t)br->gates, "current", opex_server_json_text(br->current),
			"passed", br->passed));
	}
	opex_server_json_send(ctx,
		json_pack("{s:s,s:o}", "revision", ctx->snap->commit,
		"launches", list), 200);
}

/* Render the status with the checklist renderer into `out`. */
static int render_status(opex_buf *out, const board *b,
	opex_render_checklist_format format, long gate, opex_error *err)
{
	opex_render_checklist_options ropts = OPEX_RENDER_CHECKLIST_OPTIONS_INIT;

	ropts.format = format;
	ropts.gate = gate;
	return opex_render_launch_status(out, &b->st, &ropts, err);
}

void opex_server_api_launch(opex_server_ctx *ctx)
{
	const char *path = can_see_launches(ctx)
		? launch_path(ctx, ctx->rest, strlen(ctx->rest)) : NULL;
	opex_buf out = OPEX_BUF_INIT(OPEX_LIMIT_RENDER_BYTES);
	opex_error err = OPEX_ERROR_INIT;
	const char *detail = NULL;
	json_t *root = NULL, *approver_of;
	json_error_t jerr;
	unsigned status;
	size_t i;
	board b;

	board_init(&b);
	if (path == NULL) {
		opex_server_json_error(ctx, 404, "no launch '%s'", ctx->rest);
		goto done;
	}
	pthread_mutex_lock(&ctx->server->launch_lock);
	status = board_load(&b, ctx, path, &detail);
	if (status == 0 && render_status(&out, &b, OPEX_RENDER_CHECKLIST_JSON,
		-1, &err) < 0) {
		status = 413;
		detail = "the status is too large";
	}
	pthread_mutex_unlock(&ctx->server->launch_lock);
	if (status != 0) {
		opex_server_json_error(ctx, status, "%s: %s", path, detail);
		goto done;
	}
	root = json_loadb(out.ptr, out.len, 0, &jerr);
	if (!json_is_object(root)) {
		json_decref(root);
		root = json_pack("{s:o}", "status",
			json_stringn(out.ptr, out.len));
	}
	approver_of = json_array();
	for (i = 0; i < b.st.gate_count; i++)
		if (may_approve(ctx, b.st.gates[i].gate))
			json_array_append_new(approver_of,
				opex_server_json_text(b.st.gates[i].gate->id));
	json_object_set_new(root, "revision", json_string(ctx->snap->commit));
	json_object_set_new(root, "approvals_tip",
		b.tip[0] ? json_string(b.tip) : json_null());
	json_object_set_new(root, "viewer", json_pack("{s:o,s:o}",
		"person", opex_server_json_text(ctx->who.person), "approver_of", approver_of));
	opex_server_json_send(ctx, root, 200);
done:
	opex_buf_release(&out);
	board_release(&b);
}

/* ---------------------------------------------------------------------
 * POST .../gates/{id}/approve|revoke
 * ------------------------------------------------------------------- */

/* Split ".../gates/{id}/{action}" of `rest`. False if it is not that shape. */
static bool split_action(opex_server_ctx *ctx, const char **path,
	const char **gate, opex_launch_action *action)
{
	const char *rest = ctx->rest, *g = NULL, *p, *slash;

	for (p = strstr(rest, "/gates/"); p != NULL; p = strstr(p + 1, "/gates/"))
		g = p;
	if (g == NULL)
		return false;
	slash = strchr(g + 7, '/');
	if (slash == NULL || slash == g + 7 || strchr(slash + 1, '/') != NULL)
		return false;
	if (strcmp(slash + 1, "approve") == 0)
		*action = OPEX_LAUNCH_ACTION_APPROVE;
	else if (strcmp(slash + 1, "revoke") == 0)
		*action = OPEX_LAUNCH_ACTION_REVOKE;
	else
		return false;
	*gate = opex_arena_strndup(&ctx->arena, g + 7, (size_t)(slash - g - 7));
	*path = launch_path(ctx, rest, (size_t)(g - rest));
	return true;
}

/* Answer a form with 303 to the board. */
static void redirect_board(opex_server_ctx *ctx, const char *path,
	const char *gate, const char *done)
{
	opex_buf url = OPEX_BUF_INIT(OPEX_LIMIT_HTTP_URL_BYTES);

	opex_buf_putc(&url, '/');
	opex_render_url_path(&url, path);
	opex_buf_printf(&url, "?done=%s&gate=", done);
	opex_render_url_path(&url, gate);
	opex_buf_puts(&url, "#gate-");
	opex_render_url_path(&url, gate);
	opex_server_response_header(ctx->res, "Location", url.ptr);
	opex_buf_clear(&ctx->res->body);
	opex_buf_puts(&ctx->res->body, "recorded\n");
	ctx->res->status = 303;
	ctx->res->content_type = "text/plain; charset=utf-8";
	opex_buf_release(&url);
}

static void act(opex_server_ctx *ctx, bool api)
{
	const char *path = NULL, *gate_id = NULL, *detail = NULL, *why;
	const char *comment = NULL;
	opex_launch_action action = OPEX_LAUNCH_ACTION_APPROVE;
	opex_launch_approval rec;
	opex_buf summary = OPEX_BUF_INIT(OPEX_LIMIT_LINE_BYTES);
	opex_error err = OPEX_ERROR_INIT;
	const opex_launch_gate_status *gs;
	const opex_launch_approval_status *standing;
	char commit[41];
	bool locked = false;
	unsigned status;
	int error;
	long gi;
	board b;

	memset(&rec, 0, sizeof(rec));
	board_init(&b);
	if (!split_action(ctx, &path, &gate_id, &action)) {
		opex_server_refuse(ctx, api, 404, "no such action: use .../gates/ID/approve or .../gates/ID/revoke");
		goto done;
	}
	if (ctx->who.person == NULL) {
		opex_server_response_header(ctx->res, "WWW-Authenticate",
			"Bearer realm=\"opex\"");
		opex_server_refuse(ctx, api, 401, ctx->server->auth.enabled
			? "sign in to approve: send a token (Authorization: Bearer)"
			: "approving needs a person: start the server with --auth or --trust-header");
		goto done;
	}
	if (path == NULL || !can_see_launches(ctx)) {
		opex_server_refuse(ctx, api, 404, "no such launch");
		goto done;
	}
	if (ctx->who.member == NULL) {
		opex_server_refuse(ctx, api, 403, "only people on the roster may approve");
		goto done;
	}
	detail = opex_server_csrf_refusal(ctx, api);
	if (detail != NULL) {
		opex_server_refuse(ctx, api, 403, detail);
		goto done;
	}
	comment = opex_server_content_type_is(ctx, "application/json")
		? opex_server_json_field(ctx, "comment") : opex_server_form_field(ctx, "comment");
	if (comment != NULL && strlen(comment) > 4000) {
		opex_server_refuse(ctx, api, 400, "the comment is longer than 4000 bytes");
		goto done;
	}
	pthread_mutex_lock(&ctx->server->launch_lock);
	locked = true;
	status = board_load(&b, ctx, path, &detail);
	if (status != 0) {
		opex_server_refuse(ctx, api, status, detail);
		goto done;
	}
	gi = opex_launch_gate_find(b.launch, gate_id);
	if (gi < 0 || (size_t)gi >= b.st.gate_count) {
		opex_server_refuse(ctx, api, 404, "the launch has no such gate");
		goto done;
	}
	gs = &b.st.gates[gi];
	if (!may_approve(ctx, gs->gate)) {
		opex_server_refuse(ctx, api, 403, "you are not an approver of this gate");
		goto done;
	}
	why = excluded_why(gs, ctx->who.member->id);
	if (action == OPEX_LAUNCH_ACTION_APPROVE && why != NULL) {
		opex_buf_printf(&summary, "you may not approve this gate: %s (separation of duties)", why);
		opex_server_refuse(ctx, api, 403, summary.ptr);
		goto done;
	}
	standing = standing_approval(gs, ctx->who.member->id);
	if (action == OPEX_LAUNCH_ACTION_REVOKE && standing == NULL) {
		opex_server_refuse(ctx, api, 409, "you have no approval of this gate to revoke");
		goto done;
	}
	if (action == OPEX_LAUNCH_ACTION_APPROVE && standing != NULL &&
	    standing->state == OPEX_LAUNCH_APPROVAL_FRESH) {
		if (api)
			opex_server_json_send(ctx,
				json_pack("{s:s,s:s,s:s,s:s,s:s}",
				"recorded", standing->record->commit,
				"action", "approve", "launch", path,
				"gate", gs->gate->id, "person", ctx->who.member->id), 200);
		else
			redirect_board(ctx, path, gs->gate->id, "approve");
		goto done;
	}
	opex_launch_approval_fill(&rec, action, b.path, gs, ctx->who.member->id,
		opex_kb_repo_commit(opex_kb_handbook_repo(ctx->snap->hb)),
		(int64_t)time(NULL), comment);
	error = opex_launch_approval_append(commit, &rec,
		opex_kb_handbook_repo(ctx->snap->hb), ctx->server->opts.origin,
		ctx->who.member, &err);
	if (error < 0) {
		fprintf(stderr, "opex serve: cannot record %s of gate '%s' of %s by %s: %s\n",
			opex_launch_action_name(action), gs->gate->id, path,
			ctx->who.member->id, err.message);
		opex_server_refuse(ctx, api, 503, "the approval could not be recorded");
		goto done;
	}
	if (api)
		opex_server_json_send(ctx,
			json_pack("{s:s,s:s,s:s,s:s,s:s}", "recorded", commit,
			"action", opex_launch_action_name(action), "launch", path,
			"gate", gs->gate->id, "person", ctx->who.member->id), 201);
	else
		redirect_board(ctx, path, gs->gate->id,
			opex_launch_action_name(action));
done:
	if (locked)
		pthread_mutex_unlock(&ctx->server->launch_lock);
	opex_launch_approval_release(&rec);
	opex_buf_release(&summary);
	board_release(&b);
}

void opex_server_api_launch_act(opex_server_ctx *ctx)
{
	act(ctx, true);
}

void opex_server_page_launch_act(opex_server_ctx *ctx)
{
	act(ctx, false);
}

/* ---------------------------------------------------------------------
 * Pages: /launches, /launches/{path}
 * ------------------------------------------------------------------- */

void opex_server_page_launches(opex_server_ctx *ctx)
{
	opex_buf *out = &ctx->res->body;
	opex_render_page page;
	brief *briefs = NULL;
	size_t n = 0, i;

	if (can_see_launches(ctx))
		n = launch_briefs(&briefs, ctx);
	opex_server_page_begin(ctx, &page, "Launches", "launches");
	opex_buf_puts(out, "<h1>Launches</h1>\n");
	if (n == 0)
		opex_buf_puts(out, "<p class=\"empty\">No launches.</p>\n");
	else
		opex_buf_puts(out, "<table class=\"launches\"><thead><tr><th>launch</th>"
			"<th>owner</th><th>date</th><th>current gate</th></tr></thead>\n<tbody>\n");
	for (i = 0; i < n; i++) {
		const brief *br = &briefs[i];
		char date[32] = "";

		if (br->date != 0)
			opex_time_format_date(date, sizeof(date), br->date);
		opex_buf_puts(out, "<tr><td><a href=\"/");
		opex_render_url_path(out, br->path);
		opex_buf_puts(out, "\">");
		opex_html_escape_text(out, br->broken ? br->path : br->title);
		opex_buf_puts(out, "</a></td><td>");
		opex_html_escape_text(out, br->owner);
		opex_buf_puts(out, "</td><td>");
		opex_html_escape_text(out, date);
		opex_buf_puts(out, "</td><td>");
		if (br->broken)
			opex_buf_puts(out, "<span class=\"badge bad\">cannot be read</span>");
		else if (br->passed)
			opex_buf_puts(out, "<span class=\"badge ok\">all gates passed</span>");
		else
			opex_html_escape_text(out, br->current);
		opex_buf_puts(out, "</td></tr>\n");
	}
	if (n > 0)
		opex_buf_puts(out, "</tbody></table>\n");
	opex_server_page_end(ctx, &page);
}

/* The approve/revoke forms of one gate for the signed-in approver. */
static void gate_forms(opex_buf *out, opex_server_ctx *ctx, const board *b,
	const opex_launch_gate_status *gs, const char *csrf)
{
	const char *person = ctx->who.member->id;
	const opex_launch_approval_status *standing = standing_approval(gs, person);
	const char *why = excluded_why(gs, person);
	static const char *const actions[2] = { "approve", "revoke" };
	size_t k;

	opex_buf_puts(out, "<section class=\"gate-actions\" id=\"gate-");
	opex_html_escape_text(out, gs->gate->id);
	opex_buf_puts(out, "\" data-gate=\"");
	opex_html_escape_text(out, gs->gate->id);
	opex_buf_puts(out, "\">\n<h3>");
	opex_html_escape_text(out, gs->gate->title ? gs->gate->title : gs->gate->id);
	opex_buf_puts(out, " <code>");
	opex_html_escape_text(out, gs->gate->id);
	opex_buf_printf(out, "</code> <span class=\"badge\">%s</span></h3>\n",
		opex_launch_gate_state_name(gs->state));
	if (standing != NULL) {
		opex_buf_printf(out, "<p class=\"mine\">Your approval: <strong>%s</strong>",
			opex_launch_approval_state_name(standing->state));
		if (standing->why) {
			opex_buf_puts(out, " (");
			opex_html_escape_text(out, standing->why);
			opex_buf_puts(out, ")");
		}
		opex_buf_puts(out, "</p>\n");
	}
	if (why != NULL && standing == NULL) {
		opex_buf_puts(out, "<p class=\"excluded\">You may not approve this gate: ");
		opex_html_escape_text(out, why);
		opex_buf_puts(out, " (separation of duties).</p>\n");
	}
	for (k = 0; k < 2; k++) {
		if (k == 0 && (why != NULL ||
		    (standing && standing->state == OPEX_LAUNCH_APPROVAL_FRESH)))
			continue;
		if (k == 1 && standing == NULL)
			continue;
		opex_buf_puts(out, "<form method=\"post\" class=\"gate-action\" action=\"/");
		opex_render_url_path(out, b->path);
		opex_buf_puts(out, "/gates/");
		opex_render_url_path(out, gs->gate->id);
		opex_buf_printf(out, "/%s\">\n<input type=\"hidden\" name=\"csrf\" value=\"",
			actions[k]);
		opex_html_escape_text(out, csrf);
		opex_buf_puts(out, "\">\n<label>Comment <input type=\"text\" name=\"comment\" maxlength=\"4000\"></label>\n");
		opex_buf_printf(out, "<button type=\"submit\" name=\"do\" value=\"%s\">%s ",
			actions[k], k == 0 ? "Approve" : "Revoke my approval of");
		opex_html_escape_text(out, gs->gate->id);
		opex_buf_puts(out, "</button>\n</form>\n");
	}
	opex_buf_puts(out, "</section>\n");
}

void opex_server_page_launch(opex_server_ctx *ctx)
{
	const char *path = can_see_launches(ctx)
		? launch_path(ctx, ctx->rest, strlen(ctx->rest)) : NULL;
	const char *done_action = opex_server_param_get(ctx, "done");
	const char *done_gate = opex_server_param_get(ctx, "gate");
	opex_buf status = OPEX_BUF_INIT(OPEX_LIMIT_RENDER_BYTES);
	opex_buf *out = &ctx->res->body;
	opex_error err = OPEX_ERROR_INIT;
	char csrf[OPEX_SHA256_HEX_SIZE];
	const char *detail = NULL;
	opex_render_page page;
	unsigned code;
	bool any = false;
	size_t i;
	board b;

	board_init(&b);
	if (path == NULL) {
		opex_server_html_error(ctx, 404, "no launch '%s'", ctx->rest);
		goto done;
	}
	pthread_mutex_lock(&ctx->server->launch_lock);
	code = board_load(&b, ctx, path, &detail);
	if (code == 0 && render_status(&status, &b, OPEX_RENDER_CHECKLIST_HTML,
		-1, &err) < 0) {
		code = 413;
		detail = "the board is too large";
	}
	pthread_mutex_unlock(&ctx->server->launch_lock);
	if (code != 0) {
		opex_server_html_error(ctx, code, "%s: %s", path, detail);
		goto done;
	}
	opex_server_page_begin(ctx, &page, opex_launch_title(b.launch)
		? opex_launch_title(b.launch) : path, "launches");
	opex_buf_puts(out, "<article class=\"launch-board\" data-launch=\"");
	opex_html_escape_text(out, path);
	opex_buf_puts(out, "\">\n<p class=\"crumbs\"><a href=\"/launches\">Launches</a> · <code>");
	opex_html_escape_text(out, path);
	opex_buf_puts(out, "</code> · <a href=\"/api/");
	opex_render_url_path(out, path);
	opex_buf_puts(out, "\">JSON</a></p>\n");
	if (done_action != NULL && done_gate != NULL &&
	    opex_launch_gate_find(b.launch, done_gate) >= 0 &&
	    (strcmp(done_action, "approve") == 0 || strcmp(done_action, "revoke") == 0)) {
		opex_buf_printf(out, "<p class=\"notice\" role=\"status\">Your %s of gate <code>",
			strcmp(done_action, "approve") == 0 ? "approval" : "revocation");
		opex_html_escape_text(out, done_gate);
		opex_buf_puts(out, "</code> is recorded.</p>\n");
	}
	opex_buf_put(out, status.ptr, status.len);
	if (ctx->who.member != NULL) {
		opex_server_csrf_token(csrf, ctx->server, ctx->who.member->id);
		for (i = 0; i < b.st.gate_count; i++) {
			if (!may_approve(ctx, b.st.gates[i].gate))
				continue;
			if (!any)
				opex_buf_puts(out, "<h2 id=\"approve\">Approve or revoke</h2>\n");
			any = true;
			gate_forms(out, ctx, &b, &b.st.gates[i], csrf);
		}
	}
	if (!any)
		opex_buf_puts(out, "<p class=\"no-actions\">You are not an approver of any gate of this launch"
			" (sign in as an approver to approve).</p>\n");
	opex_buf_puts(out, "</article>\n");
	opex_server_page_end(ctx, &page);
done:
	opex_buf_release(&status);
	board_release(&b);
}

/*
 * acks.c: required reading over HTTP: what asks for reading, a board per
 * item with its read share per team, acknowledging, and an Atom feed of
 * announcements per team.
 *
 *   | method | path              | answer                                   |
 *   |--------|-------------------|------------------------------------------|
 *   | GET    | /acks             | page: every item, newest announcements first, with the reader's own state |
 *   | GET    | /acks/{path}      | page: shares per team, missing, stale, overdue; the Acknowledge form |
 *   | POST   | /acks/{path}      | form: 303 back to the board              |
 *   | GET    | /acks/feed/{team} | Atom: the announcements for that team    |
 *   | GET    | /api/acks         | {revision, acks_tip, problems, items: [...]} |
 *   | GET    | /api/acks/{path}  | {revision, acks_tip, problems, item: {..., teams, readers}} |
 *   | POST   | /api/acks/{path}  | 201 {recorded, item, person}; optional `read` |
 *
 * {path} is the item's handbook path ("announcements/x.md").
 * Acknowledging answers 401 without a person, 403 outside the audience,
 * off the roster or for a CSRF refusal (the approval rules, context.c),
 * 409 when the current text is acknowledged already, 410 once expired,
 * 404 for no such item, 400 when `read` is not the item or a translation.
 *
 * The server keeps one receipts log, refreshed from the last tip read, and
 * its evaluation for (snapshot commit, receipts tip); both live under
 * `ack_lock`, held while a request reads them. The repository handle is
 * shared with approvals, so reading and appending also hold `launch_lock`
 * (taken inside `ack_lock`, never the other way round).
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

/* The evaluation is redone at least this often: overdue moves with time. */
#define ACK_EVALUATION_SECONDS 60

/* ---------------------------------------------------------------------
 * The receipts and their evaluation
 * ------------------------------------------------------------------- */

static void drop_evaluation(opex_server *server)
{
	opex_ack_status_release(&server->ack_status);
	memset(&server->ack_status, 0, sizeof(server->ack_status));
	opex_free(server->ack_maps);
	server->ack_maps = NULL;
	opex_server_snapshot_release(server->ack_snap);
	server->ack_snap = NULL;
	server->ack_tip[0] = '\0';
}

void opex_server_acks_release(opex_server *server)
{
	drop_evaluation(server);
	opex_ack_log_release(&server->ack_log);
}

/*
 * Lock ack_lock and bring the evaluation to the request's snapshot and
 * the receipts ref's tip. Returns the status; call acks_unlock() after.
 */
static const opex_ack_status *acks_lock(opex_server_ctx *ctx)
{
	opex_server *server = ctx->server;
	opex_server_snapshot *snap = ctx->snap;
	opex_error err = OPEX_ERROR_INIT;
	int64_t now = (int64_t)time(NULL);
	size_t i, n = 0;
	int error;

	pthread_mutex_lock(&server->ack_lock);
	pthread_mutex_lock(&server->launch_lock);
	error = opex_ack_log_refresh(&server->ack_log,
		opex_kb_handbook_repo(snap->hb), NULL, &err);
	pthread_mutex_unlock(&server->launch_lock);
	if (error < 0)
		fprintf(stderr, "opex serve: cannot read %s: %s\n", OPEX_ACK_REF,
			err.message);
	if (server->ack_snap != NULL &&
	    strcmp(server->ack_snap->commit, snap->commit) == 0 &&
	    strcmp(server->ack_tip, server->ack_log.tip) == 0 &&
	    now - server->ack_evaluated < ACK_EVALUATION_SECONDS)
		return &server->ack_status;
	drop_evaluation(server);
	atomic_fetch_add(&snap->refs, 1);
	server->ack_snap = snap;
	server->ack_maps = opex_calloc(snap->map_count + 1,
		sizeof(*server->ack_maps));
	for (i = 0; i < snap->map_count; i++)
		if (snap->maps[i].map != NULL)
			server->ack_maps[n++] = snap->maps[i].map;
	opex_ack_evaluate(&server->ack_status, snap->hb, server->ack_maps, n,
		&server->ack_log, now);
	memcpy(server->ack_tip, server->ack_log.tip, sizeof(server->ack_tip));
	server->ack_evaluated = now;
	return &server->ack_status;
}

static void acks_unlock(opex_server_ctx *ctx)
{
	pthread_mutex_unlock(&ctx->server->ack_lock);
}

/* The handbook the held evaluation is of. */
static const opex_kb_handbook *acks_handbook(const opex_server_ctx *ctx)
{
	return ctx->server->ack_snap->hb;
}

static bool may_see_item(const opex_server_ctx *ctx, const opex_ack_item *item)
{
	return opex_server_can_see_path(&ctx->who, acks_handbook(ctx), item->path);
}

/* The signed-in reader of `item`, or NULL. */
static const opex_ack_reader *own_reader(const opex_server_ctx *ctx,
	const opex_ack_item *item)
{
	return ctx->who.member != NULL
		? opex_ack_item_reader(item, ctx->who.member->id) : NULL;
}

/* Whether the item asks `reader` for a receipt now. */
static bool pending_for(const opex_ack_item *item, const opex_ack_reader *reader)
{
	return reader != NULL && item->required && !item->expired &&
		reader->state != OPEX_ACK_CURRENT;
}

size_t opex_server_acks_pending(opex_server_ctx *ctx)
{
	const opex_ack_status *st;
	size_t i, n = 0;

	if (ctx->who.member == NULL)
		return 0;
	st = acks_lock(ctx);
	for (i = 0; i < st->count; i++)
		if (pending_for(&st->items[i], own_reader(ctx, &st->items[i])) &&
		    may_see_item(ctx, &st->items[i]))
			n++;
	acks_unlock(ctx);
	return n;
}

/* Announcements newest first (by when their text changed), then the rest as evaluated. */
static int item_order(const void *a, const void *b)
{
	const opex_ack_item *x = *(const opex_ack_item *const *)a;
	const opex_ack_item *y = *(const opex_ack_item *const *)b;
	bool xa = x->kind == OPEX_ACK_ANNOUNCEMENT, ya = y->kind == OPEX_ACK_ANNOUNCEMENT;

	if (xa != ya)
		return xa ? -1 : 1;
	if (xa && x->changed != y->changed)
		return x->changed > y->changed ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* The items the reader may see, in list order, into the arena. */
static size_t visible_items(const opex_ack_item ***out, opex_server_ctx *ctx,
	const opex_ack_status *st)
{
	const opex_ack_item **list = opex_arena_alloc(&ctx->arena,
		(st->count + 1) * sizeof(*list));
	size_t i, n = 0;

	for (i = 0; i < st->count; i++)
		if (may_see_item(ctx, &st->items[i]))
			list[n++] = &st->items[i];
	qsort(list, n, sizeof(*list), item_order);
	*out = list;
	return n;
}

/* The item at `rest` the reader may see, or NULL. */
static const opex_ack_item *find_item(opex_server_ctx *ctx,
	const opex_ack_status *st, const char *rest)
{
	const opex_ack_item *item;

	if (!opex_path_is_clean(rest))
		return NULL;
	item = opex_ack_status_find(st, acks_handbook(ctx), rest);
	return item != NULL && may_see_item(ctx, item) ? item : NULL;
}

/* ---------------------------------------------------------------------
 * JSON
 * ------------------------------------------------------------------- */

static json_t *jtime(int64_t t)
{
	char iso[40];

	if (t == 0)
		return json_null();
	opex_time_format_iso(iso, sizeof(iso), t);
	return json_string(iso);
}

static json_t *item_brief(const opex_server_ctx *ctx, const opex_ack_item *item)
{
	const opex_ack_reader *mine = own_reader(ctx, item);

	return json_pack("{s:s,s:s,s:o,s:s,s:b,s:b,s:o,s:I,s:I,s:I,s:I,s:I,s:o}",
		"path", item->path, "kind", opex_ack_kind_name(item->kind),
		"title", opex_server_json_text(item->title),
		"severity", opex_kb_notice_level_name(item->severity),
		"required", item->required, "expired", item->expired,
		"due", jtime(item->due),
		"readers", (json_int_t)item->reader_count,
		"current", (json_int_t)item->current,
		"stale", (json_int_t)item->stale,
		"missing", (json_int_t)item->missing,
		"overdue", (json_int_t)item->overdue,
		"mine", mine ? json_string(opex_ack_state_name(mine->state)) : json_null());
}

static json_t *item_detail(const opex_server_ctx *ctx, const opex_ack_item *item)
{
	json_t *root = item_brief(ctx, item), *teams = json_array(),
		*readers = json_array();
	size_t i;

	for (i = 0; i < item->team_count; i++) {
		const opex_ack_team *t = &item->teams[i];

		json_array_append_new(teams, json_pack("{s:s,s:I,s:I,s:I}",
			"team", t->id, "members", (json_int_t)t->members,
			"current", (json_int_t)t->current,
			"stale", (json_int_t)t->stale));
	}
	for (i = 0; i < item->reader_count; i++) {
		const opex_ack_reader *r = &item->readers[i];

		json_array_append_new(readers, json_pack("{s:s,s:s,s:b,s:o,s:o}",
			"person", r->person->id, "state", opex_ack_state_name(r->state),
			"overdue", r->overdue,
			"commit", r->receipt ? json_string(r->receipt->commit) : json_null(),
			"time", r->receipt ? jtime(r->receipt->time) : json_null()));
	}
	json_object_set_new(root, "blob", json_string(item->blob));
	json_object_set_new(root, "teams", teams);
	json_object_set_new(root, "readers", readers);
	return root;
}

static json_t *envelope(const opex_server_ctx *ctx, const opex_ack_status *st)
{
	return json_pack("{s:s,s:o,s:I,s:I}", "revision", ctx->snap->commit,
		"acks_tip", ctx->server->ack_tip[0]
			? json_string(ctx->server->ack_tip) : json_null(),
		"receipts", (json_int_t)st->counted,
		"problems", (json_int_t)st->problems.count);
}

void opex_server_api_acks(opex_server_ctx *ctx)
{
	const opex_ack_status *st = acks_lock(ctx);
	const opex_ack_item **items;
	size_t n = visible_items(&items, ctx, st), i;
	json_t *root = envelope(ctx, st), *list = json_array();

	for (i = 0; i < n; i++)
		json_array_append_new(list, item_brief(ctx, items[i]));
	json_object_set_new(root, "items", list);
	acks_unlock(ctx);
	opex_server_json_send(ctx, root, 200);
}

void opex_server_api_ack(opex_server_ctx *ctx)
{
	const opex_ack_status *st = acks_lock(ctx);
	const opex_ack_item *item = find_item(ctx, st, ctx->rest);
	json_t *root = NULL;

	if (item != NULL) {
		root = envelope(ctx, st);
		json_object_set_new(root, "item", item_detail(ctx, item));
	}
	acks_unlock(ctx);
	if (root == NULL)
		opex_server_json_error(ctx, 404, "nothing to read at '%s'", ctx->rest);
	else
		opex_server_json_send(ctx, root, 200);
}

/* ---------------------------------------------------------------------
 * POST /acks/{path}, /api/acks/{path}
 * ------------------------------------------------------------------- */

static void redirect_board(opex_server_ctx *ctx, const char *path)
{
	opex_buf url = OPEX_BUF_INIT(OPEX_LIMIT_HTTP_URL_BYTES);

	opex_buf_puts(&url, "/acks/");
	opex_render_url_path(&url, path);
	opex_buf_puts(&url, "?done=1");
	opex_server_response_header(ctx->res, "Location", url.ptr);
	opex_buf_clear(&ctx->res->body);
	opex_buf_puts(&ctx->res->body, "recorded\n");
	ctx->res->status = 303;
	ctx->res->content_type = "text/plain; charset=utf-8";
	opex_buf_release(&url);
}

static unsigned refusal_status(opex_ack_refusal r)
{
	switch (r) {
	case OPEX_ACK_NOT_AUDIENCE: return 403;
	case OPEX_ACK_ALREADY: return 409;
	case OPEX_ACK_EXPIRED: return 410;
	case OPEX_ACK_OK: break;
	}
	return 0;
}

static void act(opex_server_ctx *ctx, bool api)
{
	opex_buf why = OPEX_BUF_INIT(OPEX_LIMIT_LINE_BYTES);
	opex_error err = OPEX_ERROR_INIT;
	const opex_ack_status *st = NULL;
	const opex_ack_item *item;
	const char *detail, *read;
	opex_ack_refusal refusal;
	char commit[41];
	int error;

	if (ctx->who.person == NULL) {
		opex_server_response_header(ctx->res, "WWW-Authenticate",
			"Bearer realm=\"opex\"");
		opex_server_refuse(ctx, api, 401, ctx->server->auth.enabled
			? "sign in to acknowledge: send a token (Authorization: Bearer)"
			: "acknowledging needs a person: start the server with --auth or --trust-header");
		goto done;
	}
	st = acks_lock(ctx);
	item = find_item(ctx, st, ctx->rest);
	if (item == NULL) {
		opex_server_refuse(ctx, api, 404, "nothing to read there");
		goto done;
	}
	if (ctx->who.member == NULL) {
		opex_server_refuse(ctx, api, 403, "only people on the roster may acknowledge");
		goto done;
	}
	detail = opex_server_csrf_refusal(ctx, api);
	if (detail != NULL) {
		opex_server_refuse(ctx, api, 403, detail);
		goto done;
	}
	read = opex_server_content_type_is(ctx, "application/json")
		? opex_server_json_field(ctx, "read") : opex_server_form_field(ctx, "read");
	if (read != NULL && (!opex_path_is_clean(read) ||
	    opex_ack_status_find(st, acks_handbook(ctx), read) != item)) {
		opex_server_refuse(ctx, api, 400, "`read` is neither the item nor a translation of it");
		goto done;
	}
	refusal = opex_ack_check(item, ctx->who.member->id, &why);
	if (refusal != OPEX_ACK_OK) {
		opex_server_refuse(ctx, api, refusal_status(refusal), why.ptr);
		goto done;
	}
	pthread_mutex_lock(&ctx->server->launch_lock);
	error = opex_ack_append(commit, item, read,
		opex_kb_handbook_repo(acks_handbook(ctx)), ctx->server->opts.origin,
		ctx->who.member, (int64_t)time(NULL), &err);
	pthread_mutex_unlock(&ctx->server->launch_lock);
	if (error < 0) {
		fprintf(stderr, "opex serve: cannot record the receipt of %s by %s: %s\n",
			item->path, ctx->who.member->id, err.message);
		opex_server_refuse(ctx, api, 503, "the receipt could not be recorded");
		goto done;
	}
	if (api)
		opex_server_json_send(ctx, json_pack("{s:s,s:s,s:s}",
			"recorded", commit, "item", item->path,
			"person", ctx->who.member->id), 201);
	else
		redirect_board(ctx, item->path);
done:
	if (st != NULL)
		acks_unlock(ctx);
	opex_buf_release(&why);
}

void opex_server_api_ack_act(opex_server_ctx *ctx)
{
	act(ctx, true);
}

void opex_server_page_ack_act(opex_server_ctx *ctx)
{
	act(ctx, false);
}

/* ---------------------------------------------------------------------
 * Pages: /acks, /acks/{path}
 * ------------------------------------------------------------------- */

static void put_date(opex_buf *out, int64_t t)
{
	char date[40];

	opex_time_format_iso(date, sizeof(date), t);
	opex_html_escape_text(out, date);
}

static void share(opex_buf *out, size_t current, size_t stale, size_t members)
{
	opex_buf_printf(out, "<span class=\"share\">%zu/%zu current", current,
		members);
	if (stale > 0)
		opex_buf_printf(out, ", %zu stale", stale);
	opex_buf_puts(out, "</span>");
}

void opex_server_page_acks(opex_server_ctx *ctx)
{
	opex_buf *out = &ctx->res->body;
	const opex_ack_status *st;
	const opex_ack_item **items;
	opex_render_page page;
	size_t n, i;

	opex_server_page_begin(ctx, &page, "Required reading", "acks");
	st = acks_lock(ctx);
	n = visible_items(&items, ctx, st);
	opex_buf_puts(out, "<h1>Required reading</h1>\n");
	if (n == 0)
		opex_buf_puts(out, "<p class=\"empty\">Nothing asks for reading.</p>\n");
	else
		opex_buf_puts(out, "<table class=\"acks\"><thead><tr><th>item</th><th>kind</th>"
			"<th>severity</th><th>read</th><th>overdue</th><th>you</th></tr></thead>\n<tbody>\n");
	for (i = 0; i < n; i++) {
		const opex_ack_item *item = items[i];
		const opex_ack_reader *mine = own_reader(ctx, item);

		opex_buf_puts(out, "<tr data-item=\"");
		opex_html_escape_text(out, item->path);
		opex_buf_puts(out, "\"><td><a href=\"/acks/");
		opex_render_url_path(out, item->path);
		opex_buf_puts(out, "\">");
		opex_html_escape_text(out, item->title);
		opex_buf_puts(out, "</a>");
		if (item->expired)
			opex_buf_puts(out, " <span class=\"badge\">expired</span>");
		opex_buf_printf(out, "</td><td>%s</td><td>%s</td><td>",
			opex_ack_kind_name(item->kind),
			opex_kb_notice_level_name(item->severity));
		share(out, item->current, item->stale, item->reader_count);
		opex_buf_printf(out, ", %zu missing</td><td>%zu</td><td>", item->missing,
			item->overdue);
		if (mine != NULL)
			opex_buf_printf(out, "<span class=\"badge %s\">%s</span>",
				mine->state == OPEX_ACK_CURRENT ? "ok" : "bad",
				opex_ack_state_name(mine->state));
		opex_buf_puts(out, "</td></tr>\n");
	}
	if (n > 0)
		opex_buf_puts(out, "</tbody></table>\n");
	acks_unlock(ctx);
	opex_server_page_end(ctx, &page);
}

/* "What changed since you read it": the word diff, kept text plain. */
static void changes_since(opex_buf *out, opex_server_ctx *ctx,
	const opex_ack_item *item, const opex_ack_receipt *receipt)
{
	opex_ack_diff diff;
	opex_error err = OPEX_ERROR_INIT;
	size_t i;

	memset(&diff, 0, sizeof(diff));
	opex_buf_puts(out, "<section class=\"ack-diff\"><h2>What changed since you read it</h2>\n");
	if (opex_ack_diff_since(&diff, acks_handbook(ctx), item, receipt, &err) < 0) {
		opex_buf_puts(out, "<p class=\"empty\">The text you read can no longer be compared.</p>\n");
	} else {
		if (diff.too_different)
			opex_buf_puts(out, "<p>The text was rewritten.</p>\n");
		opex_buf_puts(out, "<p class=\"diff\">");
		for (i = 0; i < diff.count; i++) {
			const opex_ack_diff_run *run = &diff.runs[i];
			const char *tag = run->change == OPEX_ACK_ADDED ? "ins"
				: run->change == OPEX_ACK_REMOVED ? "del" : NULL;

			if (tag)
				opex_buf_printf(out, "<%s>", tag);
			opex_html_escape_text(out, run->text);
			if (tag)
				opex_buf_printf(out, "</%s>", tag);
			opex_buf_putc(out, ' ');
		}
		opex_buf_puts(out, "</p>\n");
	}
	opex_buf_puts(out, "</section>\n");
	opex_ack_diff_release(&diff);
}

static void reader_list(opex_buf *out, const opex_ack_item *item,
	opex_ack_state state, const char *heading)
{
	bool any = false;
	size_t i;

	for (i = 0; i < item->reader_count; i++) {
		const opex_ack_reader *r = &item->readers[i];

		if (r->state != state)
			continue;
		if (!any)
			opex_buf_printf(out, "<h2>%s</h2>\n<ul class=\"readers %s\">\n",
				heading, opex_ack_state_name(state));
		any = true;
		opex_buf_puts(out, "<li>");
		opex_html_escape_text(out, r->person->name ? r->person->name : r->person->id);
		if (r->receipt != NULL) {
			opex_buf_puts(out, " (acknowledged ");
			put_date(out, r->receipt->time);
			opex_buf_puts(out, ")");
		}
		if (r->overdue)
			opex_buf_puts(out, " <span class=\"badge bad\">overdue</span>");
		opex_buf_puts(out, "</li>\n");
	}
	if (any)
		opex_buf_puts(out, "</ul>\n");
}

void opex_server_page_ack(opex_server_ctx *ctx)
{
	opex_buf *out = &ctx->res->body;
	const opex_ack_status *st = acks_lock(ctx);
	const opex_ack_item *item = find_item(ctx, st, ctx->rest);
	const opex_ack_reader *mine;
	char csrf[OPEX_SHA256_HEX_SIZE];
	opex_render_page page;
	size_t i;

	if (item == NULL) {
		acks_unlock(ctx);
		opex_server_html_error(ctx, 404, "nothing to read at '%s'", ctx->rest);
		return;
	}
	/* The banner counts under the same lock: count it before the page. */
	acks_unlock(ctx);
	opex_server_page_begin(ctx, &page, item->title, "acks");
	st = acks_lock(ctx);
	item = find_item(ctx, st, ctx->rest);
	if (item == NULL) {
		opex_buf_puts(out, "<p class=\"empty\">This item is gone.</p>\n");
		goto end;
	}
	mine = own_reader(ctx, item);
	opex_buf_puts(out, "<article class=\"ack-board\" data-item=\"");
	opex_html_escape_text(out, item->path);
	opex_buf_puts(out, "\">\n<p class=\"crumbs\"><a href=\"/acks\">Required reading</a> · <code>");
	opex_html_escape_text(out, item->path);
	opex_buf_puts(out, "</code> · <a href=\"/api/acks/");
	opex_render_url_path(out, item->path);
	opex_buf_puts(out, "\">JSON</a></p>\n<h1>");
	opex_html_escape_text(out, item->title);
	opex_buf_printf(out, "</h1>\n<p class=\"meta\">%s · %s",
		opex_ack_kind_name(item->kind), opex_kb_notice_level_name(item->severity));
	if (item->due != 0) {
		opex_buf_puts(out, " · due ");
		put_date(out, item->due);
	}
	if (item->expired)
		opex_buf_puts(out, " · <span class=\"badge\">expired</span>");
	opex_buf_puts(out, "</p>\n");
	if (opex_server_param_get(ctx, "done") != NULL && mine != NULL &&
	    mine->state == OPEX_ACK_CURRENT)
		opex_buf_puts(out, "<p class=\"notice\" role=\"status\">Your acknowledgement is recorded.</p>\n");
	opex_buf_puts(out, "<table class=\"ack-teams\"><thead><tr><th>team</th><th>read</th></tr></thead>\n<tbody>\n");
	for (i = 0; i < item->team_count; i++) {
		const opex_ack_team *t = &item->teams[i];

		opex_buf_puts(out, "<tr data-team=\"");
		opex_html_escape_text(out, t->id);
		opex_buf_puts(out, "\"><td>");
		opex_html_escape_text(out, t->id);
		opex_buf_puts(out, "</td><td>");
		share(out, t->current, t->stale, t->members);
		opex_buf_puts(out, "</td></tr>\n");
	}
	opex_buf_puts(out, "</tbody></table>\n");
	opex_buf_printf(out, "<p class=\"ack-total\" data-current=\"%zu\" data-readers=\"%zu\">"
		"%zu of %zu readers current, %zu stale, %zu missing, %zu overdue.</p>\n",
		item->current, item->reader_count, item->current, item->reader_count,
		item->stale, item->missing, item->overdue);
	reader_list(out, item, OPEX_ACK_MISSING, "Not read yet");
	reader_list(out, item, OPEX_ACK_STALE, "Read an older text");
	if (mine != NULL && mine->state == OPEX_ACK_STALE && mine->receipt != NULL)
		changes_since(out, ctx, item, mine->receipt);
	if (mine != NULL && opex_ack_check(item, ctx->who.member->id, NULL) == OPEX_ACK_OK) {
		opex_server_csrf_token(csrf, ctx->server, ctx->who.member->id);
		opex_buf_puts(out, "<form method=\"post\" class=\"ack-action\" action=\"/acks/");
		opex_render_url_path(out, item->path);
		opex_buf_puts(out, "\">\n<input type=\"hidden\" name=\"csrf\" value=\"");
		opex_html_escape_text(out, csrf);
		opex_buf_puts(out, "\">\n<button type=\"submit\">Acknowledge</button>\n</form>\n");
	} else if (mine != NULL && mine->state == OPEX_ACK_CURRENT) {
		opex_buf_puts(out, "<p class=\"mine\">You have acknowledged this text.</p>\n");
	}
	opex_buf_puts(out, "</article>\n");
end:
	acks_unlock(ctx);
	opex_server_page_end(ctx, &page);
}

/* ---------------------------------------------------------------------
 * GET /acks/feed/{team}: Atom
 * ------------------------------------------------------------------- */

/* True if an announcement for `audience` reaches `team`. */
static bool reaches(const opex_kb_announcement *a, const opex_kb_team *team)
{
	size_t i;

	if (a->audience_count == 0)
		return true;
	for (i = 0; i < a->audience_count; i++)
		if (strcmp(a->audience[i], team->id) == 0 ||
		    strcmp(a->audience[i], OPEX_KB_AUDIENCE_EVERYONE) == 0 ||
		    (team->partner &&
		     strcmp(a->audience[i], OPEX_KB_AUDIENCE_PARTNERS) == 0))
			return true;
	return false;
}

static void feed_link(opex_buf *out, opex_server_ctx *ctx, const char *path)
{
	const char *host = opex_server_header_get(ctx->req, "Host");

	opex_buf_puts(out, "http://");
	opex_html_escape_text(out, host != NULL ? host : "localhost");
	opex_buf_puts(out, path ? "/acks/" : "/acks");
	if (path)
		opex_render_url_path(out, path);
}

void opex_server_ack_feed(opex_server_ctx *ctx)
{
	const opex_kb_team *team = opex_kb_roster_team(
		opex_kb_handbook_roster(ctx->snap->hb), ctx->rest);
	opex_buf *out = &ctx->res->body;
	const opex_ack_status *st;
	const opex_ack_item **items;
	size_t n, i;
	char when[40];

	if (team == NULL) {
		opex_server_json_error(ctx, 404, "no team '%s'", ctx->rest);
		return;
	}
	st = acks_lock(ctx);
	n = visible_items(&items, ctx, st);
	opex_buf_clear(out);
	opex_time_format_iso(when, sizeof(when), ctx->snap->loaded_at);
	opex_buf_puts(out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
		"<feed xmlns=\"http://www.w3.org/2005/Atom\">\n<title>Announcements for ");
	opex_html_escape_text(out, team->name);
	opex_buf_puts(out, "</title>\n<id>urn:opex:acks:feed:");
	opex_html_escape_text(out, team->id);
	opex_buf_puts(out, "</id>\n<updated>");
	opex_html_escape_text(out, when);
	opex_buf_puts(out, "</updated>\n<link href=\"");
	feed_link(out, ctx, NULL);
	opex_buf_puts(out, "\"/>\n");
	for (i = 0; i < n; i++) {
		const opex_ack_item *item = items[i];

		if (item->kind != OPEX_ACK_ANNOUNCEMENT || item->doc == NULL ||
		    item->doc->announcement == NULL ||
		    !reaches(item->doc->announcement, team))
			continue;
		opex_time_format_iso(when, sizeof(when),
			item->changed ? item->changed : ctx->snap->loaded_at);
		opex_buf_puts(out, "<entry>\n<id>urn:opex:ack:");
		opex_html_escape_text(out, item->path);
		opex_buf_puts(out, ":");
		opex_html_escape_text(out, item->blob);
		opex_buf_puts(out, "</id>\n<title>");
		opex_html_escape_text(out, item->title);
		opex_buf_puts(out, "</title>\n<updated>");
		opex_html_escape_text(out, when);
		opex_buf_puts(out, "</updated>\n<link href=\"");
		feed_link(out, ctx, item->path);
		opex_buf_printf(out, "\"/>\n<summary>%s%s",
			opex_kb_notice_level_name(item->severity),
			item->expired ? ", expired" : "");
		if (item->required && item->due != 0) {
			opex_buf_puts(out, ", acknowledge by ");
			put_date(out, item->due);
		}
		opex_buf_puts(out, "</summary>\n</entry>\n");
	}
	opex_buf_puts(out, "</feed>\n");
	acks_unlock(ctx);
	ctx->res->status = 200;
	ctx->res->content_type = "application/atom+xml; charset=utf-8";
}

/* ---------------------------------------------------------------------
 * The health page
 * ------------------------------------------------------------------- */

size_t opex_server_acks_overdue(opex_server_ctx *ctx,
	opex_render_health_row **out)
{
	const opex_ack_status *st;
	opex_render_health_row *rows;
	size_t i, j, n = 0, total = 0;
	char due[40];

	*out = NULL;
	if (!opex_server_is_member(ctx))
		return 0;
	st = acks_lock(ctx);
	for (i = 0; i < st->count; i++)
		if (may_see_item(ctx, &st->items[i]))
			total += st->items[i].overdue;
	rows = opex_arena_alloc(&ctx->arena, (total + 1) * sizeof(*rows));
	for (i = 0; i < st->count && n < total; i++) {
		const opex_ack_item *item = &st->items[i];

		if (item->overdue == 0 || !may_see_item(ctx, item))
			continue;
		opex_time_format_date(due, sizeof(due), item->due);
		for (j = 0; j < item->reader_count && n < total; j++) {
			opex_render_health_row *r = &rows[n];

			if (!item->readers[j].overdue)
				continue;
			memset(r, 0, sizeof(*r));
			/* Copied: the evaluation may be replaced once the lock is given up. */
			r->kind = "ack-overdue";
			r->path = opex_arena_strdup(&ctx->arena, item->path);
			r->title = opex_arena_strdup(&ctx->arena, item->title);
			r->owner = opex_arena_strdup(&ctx->arena, item->readers[j].person->id);
			r->detail = opex_arena_strdup(&ctx->arena, due);
			n++;
		}
	}
	acks_unlock(ctx);
	*out = rows;
	return n;
}

/* ---------------------------------------------------------------------
 * /metrics
 * ------------------------------------------------------------------- */

/* A Prometheus label value: backslash, quote and newline escaped. */
static void metric_label(opex_buf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			opex_buf_putc(out, '\\');
		if (*s == '\n')
			opex_buf_puts(out, "\\n");
		else
			opex_buf_putc(out, *s);
	}
}

void opex_server_acks_metrics(opex_buf *out, opex_server_ctx *ctx)
{
	const opex_ack_status *st = acks_lock(ctx);
	size_t i, total = 0, overdue = 0;

	opex_buf_puts(out, "# HELP opex_acks_unacknowledged Readers missing or stale, per required item.\n"
		"# TYPE opex_acks_unacknowledged gauge\n");
	for (i = 0; i < st->count; i++) {
		const opex_ack_item *item = &st->items[i];

		if (!item->required)
			continue;
		opex_buf_puts(out, "opex_acks_unacknowledged{item=\"");
		metric_label(out, item->path);
		opex_buf_printf(out, "\"} %zu\n", item->missing + item->stale);
		total += item->missing + item->stale;
		overdue += item->overdue;
	}
	opex_buf_printf(out, "# HELP opex_acks_unacknowledged_total Readers missing or stale, every required item.\n"
		"# TYPE opex_acks_unacknowledged_total gauge\nopex_acks_unacknowledged_total %zu\n"
		"# HELP opex_acks_overdue Readers past the due time.\n"
		"# TYPE opex_acks_overdue gauge\nopex_acks_overdue %zu\n", total, overdue);
	acks_unlock(ctx);
}

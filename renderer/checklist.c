/*
 * checklist.c: a launch's status as text, Markdown, JSON and HTML, and the
 * approval log as text and JSON.
 *
 *   format    marks                              for
 *   text      [pass] [FAIL] [x] [ ] + - ~ !      a terminal (ANSI colour when asked)
 *   markdown  - [x] / - [ ], tables of approvals  pasting into a ticket
 *   json      {"launch", "revision", "passed", "current_gate", "gates": [...]}
 *   html      <section class="launch-gate ...">   pages; every text escaped
 *
 * JSON shape of a gate: {id, title, state, quorum_met, fresh, waiting: [...],
 * excluded: [...], checks: [{name, state, reasons: [{path, line, message}]}],
 * items: [{number, text, done, waived, line, ticked_by, ticked_at, commit}],
 * approvals: [{action, person, state, why, time, comment, commit, target,
 * until}]}.
 */
#include "renderer/renderer.h"
#include "renderer/renderer_int.h"
#include "core/limits.h"
#include "core/time.h"

#include <string.h>

#include "core/banned.h"

#define C_RESET "\033[0m"
#define C_GREEN "\033[32m"
#define C_RED "\033[31m"
#define C_YELLOW "\033[33m"
#define C_DIM "\033[2m"
#define C_BOLD "\033[1m"

static const char *check_state_name(opex_launch_check_state s)
{
	switch (s) {
	case OPEX_LAUNCH_CHECK_PASS: return "pass";
	case OPEX_LAUNCH_CHECK_FAIL: return "fail";
	case OPEX_LAUNCH_CHECK_WAIVED: return "waived";
	default: return "not evaluated";
	}
}

static bool shown(const opex_render_checklist_options *o, size_t i)
{
	return o->gate < 0 || (size_t)o->gate == i;
}

static void color(opex_buf *out, const opex_render_checklist_options *o,
	const char *c)
{
	if (o->color)
		opex_buf_puts(out, c);
}

static const char *gate_color(opex_launch_gate_state s)
{
	return s == OPEX_LAUNCH_GATE_PASSED ? C_GREEN :
		s == OPEX_LAUNCH_GATE_BLOCKED ? C_RED : C_YELLOW;
}

static const char *approval_color(opex_launch_approval_state s)
{
	switch (s) {
	case OPEX_LAUNCH_APPROVAL_FRESH: case OPEX_LAUNCH_APPROVAL_WAIVED: return C_GREEN;
	case OPEX_LAUNCH_APPROVAL_REJECTED: return C_RED;
	case OPEX_LAUNCH_APPROVAL_STALE: case OPEX_LAUNCH_APPROVAL_EXPIRED: return C_YELLOW;
	default: return C_DIM;
	}
}

static void where(opex_buf *out, const opex_launch_reason *r)
{
	if (r->path[0] && r->line)
		opex_buf_printf(out, "%s:%u: ", r->path, r->line);
	else if (r->path[0])
		opex_buf_printf(out, "%s: ", r->path);
}

/*
 * One walk over a launch status, shared by the text, Markdown and HTML
 * renderers: each says what it writes at each step, the walk says in which
 * order the steps come. A NULL step writes nothing.
 */
typedef struct walk_out {
	opex_buf *out;
	const opex_render_checklist_options *o;
	char date[32];
} walk_out;

typedef struct status_walk {
	void (*launch_begin)(walk_out *w, const opex_launch_status *st);
	void (*gate_begin)(walk_out *w, const opex_launch_gate_status *gs);
	void (*check)(walk_out *w, const opex_launch_check_result *c);
	void (*items_begin)(walk_out *w, const opex_launch_gate_status *gs);
	void (*item)(walk_out *w, const opex_launch_item_status *it);
	void (*approvals_begin)(walk_out *w, const opex_launch_gate_status *gs);
	void (*approval)(walk_out *w, const opex_launch_approval_status *a);
	void (*gate_end)(walk_out *w, const opex_launch_gate_status *gs);
	void (*problem)(walk_out *w, const opex_diag *d, size_t i, size_t n);
	void (*launch_end)(walk_out *w, const opex_launch_status *st);
} status_walk;

static void walk(opex_buf *out, const opex_launch_status *st,
	const opex_render_checklist_options *o, const status_walk *v)
{
	walk_out w;
	size_t i, j;

	memset(&w, 0, sizeof(w));
	w.out = out;
	w.o = o;
	v->launch_begin(&w, st);
	for (i = 0; i < st->gate_count; i++) {
		const opex_launch_gate_status *gs = &st->gates[i];

		if (!shown(o, i))
			continue;
		v->gate_begin(&w, gs);
		for (j = 0; j < gs->check_count; j++)
			v->check(&w, &gs->checks[j]);
		if (v->items_begin)
			v->items_begin(&w, gs);
		for (j = 0; j < gs->item_count; j++)
			v->item(&w, &gs->items[j]);
		if (v->approvals_begin)
			v->approvals_begin(&w, gs);
		for (j = 0; j < gs->approval_count; j++)
			v->approval(&w, &gs->approvals[j]);
		if (v->gate_end)
			v->gate_end(&w, gs);
	}
	for (i = 0; v->problem && i < st->problems.count; i++)
		v->problem(&w, &st->problems.items[i], i, st->problems.count);
	if (v->launch_end)
		v->launch_end(&w, st);
}

/* --- text ------------------------------------------------------------- */

static void text_launch_begin(walk_out *w, const opex_launch_status *st)
{
	const char *title = opex_launch_title(st->launch);

	color(w->out, w->o, C_BOLD);
	opex_buf_printf(w->out, "%s", title ? title : opex_launch_path(st->launch));
	color(w->out, w->o, C_RESET);
	opex_buf_printf(w->out, "  (%s at %.10s)\n", opex_launch_path(st->launch),
		st->revision);
}

static void text_gate_begin(walk_out *w, const opex_launch_gate_status *gs)
{
	opex_buf_puts(w->out, "\ngate ");
	color(w->out, w->o, C_BOLD);
	opex_buf_puts(w->out, gs->gate->id);
	color(w->out, w->o, C_RESET);
	if (gs->gate->title)
		opex_buf_printf(w->out, ": %s", gs->gate->title);
	opex_buf_puts(w->out, "  ");
	color(w->out, w->o, gate_color(gs->state));
	opex_buf_puts(w->out, opex_launch_gate_state_name(gs->state));
	color(w->out, w->o, C_RESET);
	opex_buf_putc(w->out, '\n');
}

static void text_check(walk_out *w, const opex_launch_check_result *c)
{
	bool pass = c->state == OPEX_LAUNCH_CHECK_PASS ||
		c->state == OPEX_LAUNCH_CHECK_WAIVED;
	size_t k;

	opex_buf_puts(w->out, "  ");
	color(w->out, w->o, pass ? C_GREEN : C_RED);
	opex_buf_puts(w->out, c->state == OPEX_LAUNCH_CHECK_PASS ? "[pass]" :
		c->state == OPEX_LAUNCH_CHECK_WAIVED ? "[waived]" :
		c->state == OPEX_LAUNCH_CHECK_FAIL ? "[FAIL]" : "[not evaluated]");
	color(w->out, w->o, C_RESET);
	opex_buf_printf(w->out, " check %s", opex_launch_check_name(c->check));
	if (c->waiver != NULL) {
		opex_time_format_date(w->date, sizeof(w->date), c->waiver->until);
		opex_buf_printf(w->out, " (waived by %s until %s: %s)",
			c->waiver->person, w->date,
			c->waiver->comment ? c->waiver->comment : "");
	}
	opex_buf_putc(w->out, '\n');
	for (k = 0; k < c->reason_count; k++) {
		opex_buf_puts(w->out, "      ");
		where(w->out, &c->reasons[k]);
		opex_buf_printf(w->out, "%s\n", c->reasons[k].message);
	}
}

static void text_item(walk_out *w, const opex_launch_item_status *it)
{
	opex_buf_puts(w->out, "  ");
	color(w->out, w->o, it->done || it->waived ? C_GREEN : C_YELLOW);
	opex_buf_puts(w->out, it->done ? "[x]" : it->waived ? "[~]" : "[ ]");
	color(w->out, w->o, C_RESET);
	opex_buf_printf(w->out, " %zu. %s", it->number, it->item->text);
	if (it->done && it->ticked_by != NULL) {
		opex_time_format_date(w->date, sizeof(w->date), it->ticked_at);
		color(w->out, w->o, C_DIM);
		opex_buf_printf(w->out, "  (ticked by %s on %s, %.10s)",
			it->ticked_by, w->date, it->ticked_commit);
		color(w->out, w->o, C_RESET);
	} else if (it->waived) {
		opex_buf_puts(w->out, "  (waived)");
	}
	opex_buf_putc(w->out, '\n');
}

static void text_approval(walk_out *w, const opex_launch_approval_status *a)
{
	opex_time_format_date(w->date, sizeof(w->date), a->record->time);
	opex_buf_puts(w->out, "  ");
	color(w->out, w->o, approval_color(a->state));
	opex_buf_printf(w->out, "%-8s", opex_launch_action_name(a->record->action));
	color(w->out, w->o, C_RESET);
	opex_buf_printf(w->out, " %s on %s: %s", a->record->person, w->date,
		opex_launch_approval_state_name(a->state));
	if (a->why != NULL)
		opex_buf_printf(w->out, " (%s)", a->why);
	if (a->record->target != NULL)
		opex_buf_printf(w->out, " [%s]", a->record->target);
	if (a->record->comment != NULL)
		opex_buf_printf(w->out, " \"%s\"", a->record->comment);
	opex_buf_putc(w->out, '\n');
}

static void text_gate_end(walk_out *w, const opex_launch_gate_status *gs)
{
	size_t j;

	if (gs->gate->term_count == 0)
		opex_buf_printf(w->out, "  quorum: %zu of %u fresh approvals\n",
			gs->fresh, gs->gate->quorum);
	else
		opex_buf_printf(w->out, "  quorum: %s (%zu fresh)\n",
			gs->quorum_met ? "met" : "not met", gs->fresh);
	for (j = 0; j < gs->excluded_count; j++)
		opex_buf_printf(w->out, "  may not approve: %s\n", gs->excluded[j]);
	for (j = 0; j < gs->waiting_count; j++)
		opex_buf_printf(w->out, "  - %s\n", gs->waiting[j]);
}

static void text_problem(walk_out *w, const opex_diag *d, size_t i, size_t n)
{
	(void)n;
	if (i == 0)
		opex_buf_puts(w->out, "\nproblems:\n");
	opex_buf_printf(w->out, "  %s:%u: %s: %s [%s]\n", d->path, d->line,
		opex_severity_name(d->severity), d->message, d->rule);
}

static void text_launch_end(walk_out *w, const opex_launch_status *st)
{
	if (st->passed)
		opex_buf_puts(w->out, "\nlaunch: passed\n");
	else if (st->current < st->gate_count)
		opex_buf_printf(w->out, "launch: at gate '%s' (%s)\n",
			st->gates[st->current].gate->id,
			opex_launch_gate_state_name(st->gates[st->current].state));
	else
		opex_buf_puts(w->out, "\nlaunch: not passed\n");
}

static const status_walk text_walk = {
	text_launch_begin, text_gate_begin, text_check, NULL, text_item, NULL,
	text_approval, text_gate_end, text_problem, text_launch_end
};

/* --- Markdown --------------------------------------------------------- */

/* Markdown text: escape the characters that would change the rendering. */
static void md(opex_buf *out, const char *s)
{
	for (; *s; s++) {
		if (strchr("\\`*_[]<>|#", *s) != NULL)
			opex_buf_putc(out, '\\');
		opex_buf_putc(out, *s == '\n' ? ' ' : *s);
	}
}

static void md_launch_begin(walk_out *w, const opex_launch_status *st)
{
	const char *title = opex_launch_title(st->launch);

	opex_buf_puts(w->out, "## Launch: ");
	md(w->out, title ? title : opex_launch_path(st->launch));
	opex_buf_printf(w->out, "\n\n`%s` at `%.10s`: **%s**\n",
		opex_launch_path(st->launch), st->revision,
		st->passed ? "passed" : "not passed");
}

static void md_gate_begin(walk_out *w, const opex_launch_gate_status *gs)
{
	opex_buf_printf(w->out, "\n### Gate `%s`", gs->gate->id);
	if (gs->gate->title) {
		opex_buf_puts(w->out, ": ");
		md(w->out, gs->gate->title);
	}
	opex_buf_printf(w->out, " — **%s**\n\n", opex_launch_gate_state_name(gs->state));
}

static void md_check(walk_out *w, const opex_launch_check_result *c)
{
	size_t k;

	opex_buf_printf(w->out, "- %s check `%s`: %s\n",
		c->state == OPEX_LAUNCH_CHECK_PASS ? "✅" :
		c->state == OPEX_LAUNCH_CHECK_WAIVED ? "➖" : "❌",
		opex_launch_check_name(c->check), check_state_name(c->state));
	for (k = 0; k < c->reason_count; k++) {
		opex_buf_puts(w->out, "  - ");
		if (c->reasons[k].path[0])
			opex_buf_printf(w->out, "`%s:%u` ", c->reasons[k].path,
				c->reasons[k].line);
		md(w->out, c->reasons[k].message);
		opex_buf_putc(w->out, '\n');
	}
}

static void md_item(walk_out *w, const opex_launch_item_status *it)
{
	opex_buf_printf(w->out, "- [%c] ", it->done ? 'x' : ' ');
	md(w->out, it->item->text);
	if (it->done && it->ticked_by != NULL) {
		opex_time_format_date(w->date, sizeof(w->date), it->ticked_at);
		opex_buf_puts(w->out, " (ticked by ");
		md(w->out, it->ticked_by);
		opex_buf_printf(w->out, " on %s)", w->date);
	} else if (it->waived) {
		opex_buf_puts(w->out, " (waived)");
	}
	opex_buf_putc(w->out, '\n');
}

static void md_approvals_begin(walk_out *w, const opex_launch_gate_status *gs)
{
	if (gs->approval_count > 0)
		opex_buf_puts(w->out, "\n| who | action | when | state | note |\n|---|---|---|---|---|\n");
}

static void md_approval(walk_out *w, const opex_launch_approval_status *a)
{
	opex_time_format_date(w->date, sizeof(w->date), a->record->time);
	opex_buf_puts(w->out, "| ");
	md(w->out, a->record->person);
	opex_buf_printf(w->out, " | %s | %s | %s | ",
		opex_launch_action_name(a->record->action), w->date,
		opex_launch_approval_state_name(a->state));
	if (a->why)
		md(w->out, a->why);
	if (a->record->comment) {
		opex_buf_puts(w->out, a->why ? "; " : "");
		md(w->out, a->record->comment);
	}
	opex_buf_puts(w->out, " |\n");
}

static void md_gate_end(walk_out *w, const opex_launch_gate_status *gs)
{
	size_t j;

	for (j = 0; j < gs->waiting_count; j++) {
		if (j == 0)
			opex_buf_puts(w->out, "\nWaiting for:\n\n");
		opex_buf_puts(w->out, "- ");
		md(w->out, gs->waiting[j]);
		opex_buf_putc(w->out, '\n');
	}
}

static const status_walk markdown_walk = {
	md_launch_begin, md_gate_begin, md_check, NULL, md_item,
	md_approvals_begin, md_approval, md_gate_end, NULL, NULL
};

/* --- HTML ------------------------------------------------------------- */

static void html_launch_begin(walk_out *w, const opex_launch_status *st)
{
	const char *title = opex_launch_title(st->launch);

	opex_buf_printf(w->out, "<article class=\"launch %s\">\n<h1>",
		st->passed ? "passed" : "not-passed");
	opex_html_escape_text(w->out, title ? title : opex_launch_path(st->launch));
	opex_buf_puts(w->out, "</h1>\n<p class=\"launch-path\"><code>");
	opex_html_escape_text(w->out, opex_launch_path(st->launch));
	opex_buf_printf(w->out, "</code> at <code>%.10s</code></p>\n", st->revision);
}

static void html_gate_begin(walk_out *w, const opex_launch_gate_status *gs)
{
	const char *state = opex_launch_gate_state_name(gs->state);

	opex_buf_printf(w->out, "<section class=\"launch-gate %s\">\n<h2>", state);
	opex_html_escape_text(w->out, gs->gate->id);
	if (gs->gate->title) {
		opex_buf_puts(w->out, ": ");
		opex_html_escape_text(w->out, gs->gate->title);
	}
	opex_buf_printf(w->out, " <span class=\"state\">%s</span></h2>\n<ul class=\"checks\">\n",
		state);
}

static void html_check(walk_out *w, const opex_launch_check_result *c)
{
	const char *cs = check_state_name(c->state);
	size_t k;

	opex_buf_printf(w->out, "<li class=\"%s\">%s check <code>%s</code>",
		c->state == OPEX_LAUNCH_CHECK_NOT_EVALUATED ? "not-evaluated" : cs,
		cs, opex_launch_check_name(c->check));
	if (c->reason_count)
		opex_buf_puts(w->out, "<ul>");
	for (k = 0; k < c->reason_count; k++) {
		opex_buf_puts(w->out, "<li>");
		if (c->reasons[k].path[0]) {
			opex_buf_puts(w->out, "<code>");
			opex_html_escape_text(w->out, c->reasons[k].path);
			opex_buf_printf(w->out, ":%u</code> ", c->reasons[k].line);
		}
		opex_html_escape_text(w->out, c->reasons[k].message);
		opex_buf_puts(w->out, "</li>");
	}
	if (c->reason_count)
		opex_buf_puts(w->out, "</ul>");
	opex_buf_puts(w->out, "</li>\n");
}

static void html_items_begin(walk_out *w, const opex_launch_gate_status *gs)
{
	(void)gs;
	opex_buf_puts(w->out, "</ul>\n<ul class=\"items\">\n");
}

static void html_item(walk_out *w, const opex_launch_item_status *it)
{
	opex_buf_printf(w->out, "<li class=\"%s\"><input type=\"checkbox\" disabled%s> ",
		it->done ? "done" : it->waived ? "waived" : "open",
		it->done ? " checked" : "");
	opex_html_escape_text(w->out, it->item->text);
	if (it->done && it->ticked_by != NULL) {
		opex_time_format_date(w->date, sizeof(w->date), it->ticked_at);
		opex_buf_puts(w->out, " <small>ticked by ");
		opex_html_escape_text(w->out, it->ticked_by);
		opex_buf_printf(w->out, " on %s</small>", w->date);
	}
	opex_buf_puts(w->out, "</li>\n");
}

static void html_approvals_begin(walk_out *w, const opex_launch_gate_status *gs)
{
	(void)gs;
	opex_buf_puts(w->out, "</ul>\n<table class=\"approvals\">\n<tr><th>who</th><th>action</th><th>when</th><th>state</th><th>note</th></tr>\n");
}

static void html_approval(walk_out *w, const opex_launch_approval_status *a)
{
	opex_time_format_date(w->date, sizeof(w->date), a->record->time);
	opex_buf_printf(w->out, "<tr class=\"%s\"><td>",
		a->state == OPEX_LAUNCH_APPROVAL_NOT_COUNTED ? "not-counted" :
		opex_launch_approval_state_name(a->state));
	opex_html_escape_text(w->out, a->record->person);
	opex_buf_printf(w->out, "</td><td>%s</td><td>%s</td><td>%s</td><td>",
		opex_launch_action_name(a->record->action), w->date,
		opex_launch_approval_state_name(a->state));
	if (a->why)
		opex_html_escape_text(w->out, a->why);
	if (a->record->comment) {
		opex_buf_puts(w->out, a->why ? "; " : "");
		opex_html_escape_text(w->out, a->record->comment);
	}
	opex_buf_puts(w->out, "</td></tr>\n");
}

static void html_gate_end(walk_out *w, const opex_launch_gate_status *gs)
{
	size_t j;

	opex_buf_puts(w->out, "</table>\n");
	for (j = 0; j < gs->waiting_count; j++) {
		opex_buf_puts(w->out, j == 0 ? "<ul class=\"waiting\">\n<li>" : "<li>");
		opex_html_escape_text(w->out, gs->waiting[j]);
		opex_buf_puts(w->out, j + 1 == gs->waiting_count ? "</li>\n</ul>\n" :
			"</li>\n");
	}
	opex_buf_puts(w->out, "</section>\n");
}

/* Records that are not counted (tampered, malformed): say so. */
static void html_problem(walk_out *w, const opex_diag *d, size_t i, size_t n)
{
	if (i == 0)
		opex_buf_puts(w->out, "<section class=\"problems\">\n"
			"<h2>Problems</h2>\n<ul>\n");
	opex_buf_printf(w->out, "<li class=\"%s\"><code>",
		opex_severity_name(d->severity));
	opex_html_escape_text(w->out, d->path);
	opex_buf_printf(w->out, ":%u</code> ", d->line);
	opex_html_escape_text(w->out, d->message);
	opex_buf_puts(w->out, " <code>[");
	opex_html_escape_text(w->out, d->rule);
	opex_buf_puts(w->out, "]</code></li>\n");
	if (i + 1 == n)
		opex_buf_puts(w->out, "</ul>\n</section>\n");
}

static void html_launch_end(walk_out *w, const opex_launch_status *st)
{
	(void)st;
	opex_buf_puts(w->out, "</article>\n");
}

static const status_walk html_walk = {
	html_launch_begin, html_gate_begin, html_check, html_items_begin,
	html_item, html_approvals_begin, html_approval, html_gate_end,
	html_problem, html_launch_end
};

static json_t *json_approval(const opex_launch_approval *r)
{
	json_t *o = json_object();
	char when[32];

	opex_time_format_iso(when, sizeof(when), r->time);
	json_object_set_new(o, "action", json_string(opex_launch_action_name(r->action)));
	json_object_set_new(o, "launch", opex_render_json_text(r->launch));
	json_object_set_new(o, "gate", opex_render_json_text(r->gate));
	json_object_set_new(o, "person", opex_render_json_text(r->person));
	json_object_set_new(o, "time", json_string(when));
	json_object_set_new(o, "commit", json_string(r->commit));
	json_object_set_new(o, "revision", opex_render_json_text(r->revision));
	json_object_set_new(o, "scope", opex_render_json_text(r->scope));
	json_object_set_new(o, "policy", opex_render_json_text(r->policy));
	json_object_set_new(o, "comment", opex_render_json_text(r->comment));
	json_object_set_new(o, "target", opex_render_json_text(r->target));
	if (r->until) {
		opex_time_format_date(when, sizeof(when), r->until);
		json_object_set_new(o, "until", json_string(when));
	} else {
		json_object_set_new(o, "until", json_null());
	}
	return o;
}

static json_t *json_strings(char **s, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, opex_render_json_text(s[i]));
	return a;
}

static int render_json(opex_buf *out, const opex_launch_status *st,
	const opex_render_checklist_options *o, opex_error *err)
{
	json_t *root = json_object(), *gates = json_array(), *problems = json_array();
	char when[32];
	size_t i, j, k;

	json_object_set_new(root, "launch",
		opex_render_json_text(opex_launch_path(st->launch)));
	json_object_set_new(root, "title",
		opex_render_json_text(opex_launch_title(st->launch)));
	json_object_set_new(root, "revision", json_string(st->revision));
	json_object_set_new(root, "passed", json_boolean(st->passed));
	json_object_set_new(root, "current_gate", st->current < st->gate_count ?
		opex_render_json_text(st->gates[st->current].gate->id) : json_null());
	for (i = 0; i < st->gate_count; i++) {
		const opex_launch_gate_status *gs = &st->gates[i];
		json_t *g, *checks, *items, *approvals;

		if (!shown(o, i))
			continue;
		g = json_object();
		checks = json_array();
		items = json_array();
		approvals = json_array();
		json_object_set_new(g, "id", opex_render_json_text(gs->gate->id));
		json_object_set_new(g, "title", opex_render_json_text(gs->gate->title));
		json_object_set_new(g, "state",
			json_string(opex_launch_gate_state_name(gs->state)));
		json_object_set_new(g, "quorum_met", json_boolean(gs->quorum_met));
		json_object_set_new(g, "fresh", json_integer((json_int_t)gs->fresh));
		json_object_set_new(g, "scope", json_string(gs->digests.scope));
		json_object_set_new(g, "policy", json_string(gs->digests.policy));
		json_object_set_new(g, "waiting",
			json_strings(gs->waiting, gs->waiting_count));
		json_object_set_new(g, "excluded",
			json_strings(gs->excluded, gs->excluded_count));
		for (j = 0; j < gs->check_count; j++) {
			const opex_launch_check_result *c = &gs->checks[j];
			json_t *cj = json_object(), *reasons = json_array();

			json_object_set_new(cj, "name",
				json_string(opex_launch_check_name(c->check)));
			json_object_set_new(cj, "state",
				json_string(check_state_name(c->state)));
			for (k = 0; k < c->reason_count; k++) {
				json_t *r = json_object();

				json_object_set_new(r, "path",
					opex_render_json_text(c->reasons[k].path));
				json_object_set_new(r, "line",
					json_integer(c->reasons[k].line));
				json_object_set_new(r, "message",
					opex_render_json_text(c->reasons[k].message));
				json_array_append_new(reasons, r);
			}
			json_object_set_new(cj, "reasons", reasons);
			json_array_append_new(checks, cj);
		}
		for (j = 0; j < gs->item_count; j++) {
			const opex_launch_item_status *it = &gs->items[j];
			json_t *ij = json_object();

			json_object_set_new(ij, "number", json_integer((json_int_t)it->number));
			json_object_set_new(ij, "text", opex_render_json_text(it->item->text));
			json_object_set_new(ij, "line", json_integer(it->item->line));
			json_object_set_new(ij, "done", json_boolean(it->done));
			json_object_set_new(ij, "waived", json_boolean(it->waived));
			json_object_set_new(ij, "ticked_by",
				opex_render_json_text(it->ticked_by));
			if (it->ticked_at) {
				opex_time_format_iso(when, sizeof(when), it->ticked_at);
				json_object_set_new(ij, "ticked_at", json_string(when));
				json_object_set_new(ij, "commit", json_string(it->ticked_commit));
			} else {
				json_object_set_new(ij, "ticked_at", json_null());
				json_object_set_new(ij, "commit", json_null());
			}
			json_array_append_new(items, ij);
		}
		for (j = 0; j < gs->approval_count; j++) {
			const opex_launch_approval_status *a = &gs->approvals[j];
			json_t *aj = json_approval(a->record);

			json_object_set_new(aj, "state",
				json_string(opex_launch_approval_state_name(a->state)));
			json_object_set_new(aj, "why", opex_render_json_text(a->why));
			json_array_append_new(approvals, aj);
		}
		json_object_set_new(g, "checks", checks);
		json_object_set_new(g, "items", items);
		json_object_set_new(g, "approvals", approvals);
		json_array_append_new(gates, g);
	}
	json_object_set_new(root, "gates", gates);
	for (i = 0; i < st->problems.count; i++) {
		const opex_diag *d = &st->problems.items[i];
		json_t *p = json_object();

		json_object_set_new(p, "path", opex_render_json_text(d->path));
		json_object_set_new(p, "line", json_integer(d->line));
		json_object_set_new(p, "severity",
			json_string(opex_severity_name(d->severity)));
		json_object_set_new(p, "rule", opex_render_json_text(d->rule));
		json_object_set_new(p, "message", opex_render_json_text(d->message));
		json_array_append_new(problems, p);
	}
	json_object_set_new(root, "problems", problems);
	return opex_render_json_emit(out, root, "launch status", err);
}

int opex_render_launch_status(opex_buf *out, const opex_launch_status *st,
	const opex_render_checklist_options *opts, opex_error *err)
{
	opex_render_checklist_options def = OPEX_RENDER_CHECKLIST_OPTIONS_INIT;
	const opex_render_checklist_options *o = opts ? opts : &def;

	switch (o->format) {
	case OPEX_RENDER_CHECKLIST_JSON:
		return render_json(out, st, o, err);
	case OPEX_RENDER_CHECKLIST_MARKDOWN:
		walk(out, st, o, &markdown_walk);
		break;
	case OPEX_RENDER_CHECKLIST_HTML:
		walk(out, st, o, &html_walk);
		break;
	default:
		walk(out, st, o, &text_walk);
		break;
	}
	if (out->failed)
		return opex_error_set(err, OPEX_ETOOBIG,
			"launch status larger than %zu bytes", out->max);
	return 0;
}

void opex_render_approval_log_text(opex_buf *out,
	const opex_launch_approval_log *log, const char *launch)
{
	char when[32], until[16];
	size_t i;

	for (i = 0; i < log->count; i++) {
		const opex_launch_approval *r = &log->items[i];

		if (launch != NULL && strcmp(r->launch, launch) != 0)
			continue;
		opex_time_format_iso(when, sizeof(when), r->time);
		opex_buf_printf(out, "%s %.10s %-7s %s gate %s by %s (scope %.12s, policy %.12s, at %.10s)",
			when, r->commit, opex_launch_action_name(r->action), r->launch,
			r->gate, r->person, r->scope, r->policy, r->revision);
		if (r->target != NULL) {
			opex_time_format_date(until, sizeof(until), r->until);
			opex_buf_printf(out, " %s until %s", r->target, until);
		}
		if (r->comment != NULL)
			opex_buf_printf(out, ": %s", r->comment);
		opex_buf_putc(out, '\n');
	}
	for (i = 0; i < log->problems.count; i++)
		opex_buf_printf(out, "problem: %s: %s [%s]\n",
			log->problems.items[i].path, log->problems.items[i].message,
			log->problems.items[i].rule);
}

int opex_render_approval_log_json(opex_buf *out,
	const opex_launch_approval_log *log, const char *launch, opex_error *err)
{
	json_t *root = json_object(), *records = json_array(),
		*problems = json_array();
	size_t i;

	for (i = 0; i < log->count; i++)
		if (launch == NULL || strcmp(log->items[i].launch, launch) == 0)
			json_array_append_new(records, json_approval(&log->items[i]));
	for (i = 0; i < log->problems.count; i++)
		json_array_append_new(problems,
			opex_render_json_text(log->problems.items[i].message));
	json_object_set_new(root, "records", records);
	json_object_set_new(root, "problems", problems);
	return opex_render_json_emit(out, root, "approval log", err);
}

/*
 * article.c: an article file as data (front matter, title, body, links).
 *
 *   [BOM]                        optional UTF-8 byte order mark
 *   ---                          line 1: opens the front matter
 *   title: Freeze a lost card    YAML mapping, at most 64 KiB
 *   owner: maria
 *   ---   (or ...)               the first line that is exactly --- or ...
 *   # Body                       CommonMark; body_line is this line
 *
 * A file whose first line is not `---` has no front matter: all of it is
 * body. Lines may end in LF or CRLF.
 *
 * Checks, in order; the first four make the file unusable (NULL):
 *
 *   rule                  severity  what
 *   file-unreadable       error     a NUL byte ("binary file", line 0)
 *   file-unreadable       error     invalid UTF-8, at its line
 *   front-matter-invalid  error     never closed, too big, bad YAML, not a mapping
 *   front-matter-invalid  error     a field of the wrong type (field left unset)
 *   front-matter-invalid  warning   an unknown field, with a suggestion
 *
 * Whether the language is valid, the owner known or a link's file present
 * is for lint.c to decide.
 */
#include "kb/kb_int.h"
#include "core/buf.h"
#include "core/limits.h"
#include "core/memory.h"
#include "core/path.h"
#include "core/str.h"
#include "core/text.h"
#include "core/time.h"

#include <string.h>

#include "core/banned.h"

#define RULE_UNREADABLE "file-unreadable"
#define RULE_FRONT_MATTER "front-matter-invalid"

/* How much of a user's string goes into a message. */
#define QUOTE_MAX 64

typedef enum field_kind {
	KIND_STRING = 0,
	KIND_LIST,
	KIND_DURATION,
	KIND_VISIBILITY,
	KIND_DATE,
	KIND_BOOL,
	KIND_LEVEL
} field_kind;

typedef struct field_def {
	const char *name;
	opex_kb_field field;
	field_kind kind;
} field_def;

static const field_def fields[] = {
	{ "title", OPEX_KB_FIELD_TITLE, KIND_STRING },
	{ "owner", OPEX_KB_FIELD_OWNER, KIND_STRING },
	{ "language", OPEX_KB_FIELD_LANGUAGE, KIND_STRING },
	{ "translation_of", OPEX_KB_FIELD_TRANSLATION_OF, KIND_STRING },
	{ "markets", OPEX_KB_FIELD_MARKETS, KIND_LIST },
	{ "journey", OPEX_KB_FIELD_JOURNEY, KIND_STRING },
	{ "tags", OPEX_KB_FIELD_TAGS, KIND_LIST },
	{ "review_every", OPEX_KB_FIELD_REVIEW_EVERY, KIND_DURATION },
	{ "visibility", OPEX_KB_FIELD_VISIBILITY, KIND_VISIBILITY },
	{ "teams", OPEX_KB_FIELD_TEAMS, KIND_LIST },
	{ "channel", OPEX_KB_FIELD_CHANNEL, KIND_STRING },
	{ "acknowledge", OPEX_KB_FIELD_ACKNOWLEDGE, KIND_LIST },
	{ "audience", OPEX_KB_FIELD_AUDIENCE, KIND_LIST },
	{ "severity", OPEX_KB_FIELD_SEVERITY, KIND_LEVEL },
	{ "expires", OPEX_KB_FIELD_EXPIRES, KIND_DATE },
	{ "requires_ack", OPEX_KB_FIELD_REQUIRES_ACK, KIND_BOOL },
	{ "ack_within", OPEX_KB_FIELD_ACK_WITHIN, KIND_DURATION },
	{ "articles", OPEX_KB_FIELD_ARTICLES, KIND_LIST },
	{ "processes", OPEX_KB_FIELD_PROCESSES, KIND_LIST },
};

static const char *const field_names[] = {
	"title", "owner", "language", "translation_of", "markets", "journey",
	"tags", "review_every", "visibility", "teams", "channel", "acknowledge",
	"audience", "severity", "expires", "requires_ack", "ack_within",
	"articles", "processes",
};

/* The first field that only announcements have. */
#define FIRST_ANNOUNCEMENT_FIELD OPEX_KB_FIELD_AUDIENCE

#define FIELD_DEFS (sizeof(fields) / sizeof(fields[0]))

/* Bytes of `s` to quote in a message. */
static int quote_len(const char *s)
{
	return (int)opex_text_clip(s, QUOTE_MAX);
}

/* Offset of the '\n' ending the line at `off`, or `len`. */
static size_t line_end(const char *text, size_t len, size_t off)
{
	const char *nl = memchr(text + off, '\n', len - off);

	return nl ? (size_t)(nl - text) : len;
}

/* Is text[start..end) (a line without its '\n') exactly `word`, CR aside? */
static bool line_is(const char *text, size_t start, size_t end, const char *word)
{
	size_t n = strlen(word);

	if (end > start && text[end - 1] == '\r')
		end--;
	return end - start == n && memcmp(text + start, word, n) == 0;
}

static const char *type_name(opex_kb_yaml_type type)
{
	switch (type) {
	case OPEX_KB_YAML_SEQUENCE: return "a list";
	case OPEX_KB_YAML_MAPPING: return "a mapping";
	default: return "a string";
	}
}

/* A YAML null: an empty plain scalar, `~` or `null`. */
static bool is_null(const opex_kb_yaml_node *v)
{
	if (v->type != OPEX_KB_YAML_SCALAR || !v->plain)
		return false;
	return v->len == 0 || strcmp(v->value, "~") == 0 ||
	       strcmp(v->value, "null") == 0 || strcmp(v->value, "Null") == 0 ||
	       strcmp(v->value, "NULL") == 0;
}

/* A scalar's text without surrounding blanks, or NULL if null or blank. */
static char *scalar_text(const opex_kb_yaml_node *v)
{
	opex_str s;

	if (is_null(v))
		return NULL;
	s = opex_str_trim(opex_str_from(v->value));
	return s.len ? opex_strndup(s.ptr, s.len) : NULL;
}

static void wrong_type(opex_diag_list *diags, const char *path,
	const char *name, const char *want, const opex_kb_yaml_node *v)
{
	opex_diag_add(diags, OPEX_SEVERITY_ERROR, RULE_FRONT_MATTER, path,
		v->line, v->col, "field '%s' must be %s, not %s", name, want,
		type_name(v->type));
}

static void read_list(char ***items, size_t *count, const char *path,
	const char *name, const opex_kb_yaml_node *v, opex_diag_list *diags)
{
	size_t i, n = 0;
	char **list = NULL;

	if (v->type == OPEX_KB_YAML_MAPPING) {
		wrong_type(diags, path, name, "a list", v);
		return;
	}
	if (v->type == OPEX_KB_YAML_SCALAR) {
		char *one = scalar_text(v);

		if (one == NULL)
			return;
		list = opex_calloc(1, sizeof(*list));
		list[0] = one;
		*items = list;
		*count = 1;
		return;
	}
	for (i = 0; i < v->count; i++) {
		if (v->items[i]->type != OPEX_KB_YAML_SCALAR) {
			opex_diag_add(diags, OPEX_SEVERITY_ERROR,
				RULE_FRONT_MATTER, path, v->items[i]->line,
				v->items[i]->col,
				"field '%s' must be a list of strings, not hold %s",
				name, type_name(v->items[i]->type));
			return;
		}
	}
	list = opex_calloc(v->count ? v->count : 1, sizeof(*list));
	for (i = 0; i < v->count; i++) {
		char *s = scalar_text(v->items[i]);

		if (s == NULL) {
			opex_diag_add(diags, OPEX_SEVERITY_WARNING,
				RULE_FRONT_MATTER, path, v->items[i]->line,
				v->items[i]->col,
				"field '%s' has an empty item", name);
			continue;
		}
		list[n++] = s;
	}
	if (n == 0) {
		opex_free(list);
		return;
	}
	*items = list;
	*count = n;
}

static void read_field(opex_kb_article *a, const field_def *def,
	const opex_kb_yaml_node *v, opex_diag_list *diags)
{
	opex_kb_announcement *n = a->announcement;
	opex_error e = OPEX_ERROR_INIT;
	char **string = NULL;
	char *text = NULL;

	switch (def->field) {
	case OPEX_KB_FIELD_TITLE: string = &a->title; break;
	case OPEX_KB_FIELD_OWNER: string = &a->owner; break;
	case OPEX_KB_FIELD_LANGUAGE: string = &a->language; break;
	case OPEX_KB_FIELD_TRANSLATION_OF: string = &a->translation_of; break;
	case OPEX_KB_FIELD_JOURNEY: string = &a->journey; break;
	case OPEX_KB_FIELD_CHANNEL: string = &a->channel; break;
	default: break;
	}

	switch (def->kind) {
	case KIND_STRING:
		if (v->type != OPEX_KB_YAML_SCALAR) {
			wrong_type(diags, a->path, def->name, "a string", v);
			break;
		}
		*string = scalar_text(v);
		break;
	case KIND_LIST:
		if (def->field == OPEX_KB_FIELD_ACKNOWLEDGE)
			read_list(&a->acknowledge, &a->acknowledge_count,
				a->path, def->name, v, diags);
		else if (def->field == OPEX_KB_FIELD_AUDIENCE)
			read_list(&n->audience, &n->audience_count, a->path,
				def->name, v, diags);
		else if (def->field == OPEX_KB_FIELD_ARTICLES)
			read_list(&n->articles, &n->article_count, a->path,
				def->name, v, diags);
		else if (def->field == OPEX_KB_FIELD_PROCESSES)
			read_list(&n->processes, &n->process_count, a->path,
				def->name, v, diags);
		else if (def->field == OPEX_KB_FIELD_MARKETS)
			read_list(&a->markets, &a->market_count, a->path,
				def->name, v, diags);
		else if (def->field == OPEX_KB_FIELD_TAGS)
			read_list(&a->tags, &a->tag_count, a->path, def->name,
				v, diags);
		else
			read_list(&a->teams, &a->team_count, a->path,
				def->name, v, diags);
		break;
	case KIND_DURATION:
		if (v->type != OPEX_KB_YAML_SCALAR) {
			wrong_type(diags, a->path, def->name,
				"a duration such as 90d", v);
			break;
		}
		text = scalar_text(v);
		if (text && opex_time_parse_duration(
				def->field == OPEX_KB_FIELD_ACK_WITHIN
				? &n->ack_within : &a->review_every, text, &e) < 0)
			opex_diag_add(diags, OPEX_SEVERITY_ERROR,
				RULE_FRONT_MATTER, a->path, v->line, v->col,
				"field '%s': %s", def->name, e.message);
		break;
	case KIND_DATE:
		if (v->type != OPEX_KB_YAML_SCALAR) {
			wrong_type(diags, a->path, def->name,
				"a date such as 2027-01-31", v);
			break;
		}
		text = scalar_text(v);
		if (text && opex_time_parse_date(&n->expires, text, &e) < 0)
			opex_diag_add(diags, OPEX_SEVERITY_ERROR,
				RULE_FRONT_MATTER, a->path, v->line, v->col,
				"field '%s': %s", def->name, e.message);
		else if (text)
			n->expires += OPEX_DAY_SECONDS; /* it holds all of that day */
		break;
	case KIND_BOOL:
		text = v->type == OPEX_KB_YAML_SCALAR ? scalar_text(v) : NULL;
		if (text && (strcmp(text, "true") == 0 || strcmp(text, "yes") == 0))
			n->requires_ack = true;
		else if (text && (strcmp(text, "false") == 0 || strcmp(text, "no") == 0))
			n->requires_ack = false;
		else
			opex_diag_add(diags, OPEX_SEVERITY_ERROR,
				RULE_FRONT_MATTER, a->path, v->line, v->col,
				"field '%s' must be true or false", def->name);
		break;
	case KIND_LEVEL:
		text = v->type == OPEX_KB_YAML_SCALAR ? scalar_text(v) : NULL;
		if (text == NULL || !opex_kb_notice_level_parse(&n->severity, text))
			opex_diag_add(diags, OPEX_SEVERITY_ERROR,
				RULE_FRONT_MATTER, a->path, v->line, v->col,
				"field 'severity' must be info, important or incident, not '%.*s'",
				text ? quote_len(text) : 0, text ? text : "");
		break;
	case KIND_VISIBILITY:
		if (v->type != OPEX_KB_YAML_SCALAR) {
			wrong_type(diags, a->path, def->name,
				"internal, partners or public", v);
			break;
		}
		text = scalar_text(v);
		if (text == NULL || strcmp(text, "internal") == 0)
			a->visibility = OPEX_KB_VISIBILITY_INTERNAL;
		else if (strcmp(text, "partners") == 0)
			a->visibility = OPEX_KB_VISIBILITY_PARTNERS;
		else if (strcmp(text, "public") == 0)
			a->visibility = OPEX_KB_VISIBILITY_PUBLIC;
		else
			opex_diag_add(diags, OPEX_SEVERITY_ERROR,
				RULE_FRONT_MATTER, a->path, v->line, v->col,
				"field 'visibility' must be internal, partners or public, not '%.*s'",
				quote_len(text), text);
		break;
	}
	opex_free(text);
}

static void read_front_matter(opex_kb_article *a, const opex_kb_yaml_node *map,
	opex_diag_list *diags)
{
	size_t i, k;

	for (i = 0; i < map->count; i++) {
		const opex_kb_yaml_node *key = map->keys[i];
		const field_def *def = NULL;
		const char *near;

		for (k = 0; k < FIELD_DEFS; k++)
			if (strcmp(key->value, fields[k].name) == 0)
				def = &fields[k];
		if (def && def->field >= FIRST_ANNOUNCEMENT_FIELD &&
		    a->announcement == NULL) {
			opex_diag_add(diags, OPEX_SEVERITY_WARNING,
				RULE_FRONT_MATTER, a->path, key->line, key->col,
				"field '%s' is for announcements (files under announcements/)",
				def->name);
			continue;
		}
		if (def) {
			a->field_line[def->field] = key->line;
			read_field(a, def, map->items[i], diags);
			continue;
		}
		near = opex_text_closest(key->value, key->len, field_names,
			sizeof(field_names) / sizeof(field_names[0]), 2);
		if (near)
			opex_diag_add(diags, OPEX_SEVERITY_WARNING,
				RULE_FRONT_MATTER, a->path, key->line, key->col,
				"unknown field '%.*s' (did you mean '%s'?)",
				quote_len(key->value), key->value, near);
		else
			opex_diag_add(diags, OPEX_SEVERITY_WARNING,
				RULE_FRONT_MATTER, a->path, key->line, key->col,
				"unknown field '%.*s'", quote_len(key->value),
				key->value);
	}
}

/* RFC 3986 scheme followed by ':'. */
static bool has_scheme(const char *t)
{
	size_t i = 0;

	if (!((t[0] >= 'a' && t[0] <= 'z') || (t[0] >= 'A' && t[0] <= 'Z')))
		return false;
	for (i = 1; t[i]; i++) {
		char c = t[i];

		if (c == ':')
			return true;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'))
			return false;
	}
	return false;
}

static int hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decode t[0..n) into `out`; false if that gives NUL or bad UTF-8. */
static bool percent_decode(opex_buf *out, const char *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (t[i] == '%' && i + 2 < n && hex(t[i + 1]) >= 0 &&
		    hex(t[i + 2]) >= 0) {
			opex_buf_putc(out, hex(t[i + 1]) * 16 + hex(t[i + 2]));
			i += 2;
		} else {
			opex_buf_putc(out, t[i]);
		}
	}
	return !out->failed && !opex_text_has_nul(out->ptr, out->len) &&
	       opex_utf8_valid(out->ptr, out->len, NULL);
}

/* Fill link->path and link->leaves for a relative target. */
static void resolve_link(opex_kb_link *link, const char *from)
{
	opex_buf ref = OPEX_BUF_INIT(OPEX_LIMIT_PATH_BYTES);
	opex_buf out = OPEX_BUF_INIT(OPEX_LIMIT_PATH_BYTES);
	const char *t = link->target;
	size_t n;

	if (has_scheme(t) || t[0] == '#' || (t[0] == '/' && t[1] == '/'))
		goto done;
	n = strcspn(t, "?#");
	if (n == 0 || !percent_decode(&ref, t, n))
		goto done;
	if (opex_path_resolve(&out, from, ref.ptr, NULL) == 0) {
		link->path = opex_buf_detach(&out, NULL);
		goto done;
	}
	if (out.failed)
		goto done;
	/*
	 * Resolution failed: the target either climbs above the root or
	 * names the root itself. One more component tells them apart, as it
	 * can make the result non-empty but can never stop it climbing.
	 */
	opex_buf_puts(&ref, "/x");
	if (!ref.failed && opex_path_resolve(&out, from, ref.ptr, NULL) < 0 &&
	    !out.failed)
		link->leaves = true;

done:
	opex_buf_release(&ref);
	opex_buf_release(&out);
}

static void fill_links(opex_kb_article *a, const opex_kb_md_scan *scan)
{
	size_t i;

	if (scan->link_count == 0)
		return;
	a->links = opex_calloc(scan->link_count, sizeof(*a->links));
	for (i = 0; i < scan->link_count; i++) {
		opex_kb_link *link = &a->links[i];

		link->target = opex_strdup(scan->links[i].target);
		link->line = a->body_line + scan->links[i].line - 1;
		link->col = scan->links[i].col;
		resolve_link(link, a->path);
	}
	a->link_count = scan->link_count;
}

/*
 * Find and parse the front matter. Returns false (after a diagnostic) when
 * the article cannot be read; sets *body_off.
 */
static bool parse_front_matter(opex_kb_article *a, const char *text,
	size_t len, size_t off, size_t *body_off, opex_diag_list *diags)
{
	opex_error e = OPEX_ERROR_INIT;
	opex_kb_yaml_node *doc = NULL;
	size_t end = line_end(text, len, off), start, pos, close = 0;
	unsigned line = 2, close_line = 0, err_line = 0;
	bool ok = false;

	*body_off = off;
	if (!line_is(text, off, end, "---")) {
		a->body_line = 1;
		ok = true;
		goto done;
	}
	a->has_front_matter = true;
	start = end < len ? end + 1 : len;
	for (pos = start; pos < len; line++) {
		size_t le = line_end(text, len, pos);

		if (line_is(text, pos, le, "---") || line_is(text, pos, le, "...")) {
			close = pos;
			close_line = line;
			*body_off = le < len ? le + 1 : len;
			break;
		}
		pos = le + 1;
	}
	if (close_line == 0) {
		opex_diag_add(diags, OPEX_SEVERITY_ERROR, RULE_FRONT_MATTER,
			a->path, 1, 1,
			"front matter opened on line 1 is never closed (end it with a line '---')");
		goto done;
	}
	if (close - start > OPEX_LIMIT_FRONT_MATTER_BYTES) {
		opex_diag_add(diags, OPEX_SEVERITY_ERROR, RULE_FRONT_MATTER,
			a->path, 1, 1,
			"front matter is larger than %u KiB",
			OPEX_LIMIT_FRONT_MATTER_BYTES / 1024u);
		goto done;
	}
	if (opex_kb_yaml_parse(&doc, &err_line, text + start, close - start, 2,
			&e) < 0) {
		opex_diag_add(diags, OPEX_SEVERITY_ERROR, RULE_FRONT_MATTER,
			a->path, err_line, 0, "%s", opex_kb_yaml_error_text(&e));
		goto done;
	}
	if (doc && doc->type != OPEX_KB_YAML_MAPPING) {
		opex_diag_add(diags, OPEX_SEVERITY_ERROR, RULE_FRONT_MATTER,
			a->path, doc->line, doc->col,
			"front matter is not a mapping (write 'field: value' lines)");
		goto done;
	}
	if (doc)
		read_front_matter(a, doc, diags);
	a->body_line = close_line + 1;
	ok = true;

done:
	opex_kb_yaml_free(doc);
	return ok;
}

opex_kb_article *opex_kb_article_parse(const char *path, const char *text,
	size_t len, opex_diag_list *diags)
{
	opex_kb_md_scan scan = OPEX_KB_MD_SCAN_INIT;
	opex_kb_article *a = NULL;
	size_t bad = 0, off = 0, body_off = 0;
	bool ok = false;

	if (path == NULL)
		path = "";
	if (text == NULL) {
		text = "";
		len = 0;
	}
	if (opex_text_has_nul(text, len)) {
		opex_diag_add(diags, OPEX_SEVERITY_ERROR, RULE_UNREADABLE, path,
			0, 0, "binary file");
		goto done;
	}
	if (!opex_utf8_valid(text, len, &bad)) {
		unsigned line = opex_text_line_at(text, len, bad);

		opex_diag_add(diags, OPEX_SEVERITY_ERROR, RULE_UNREADABLE, path,
			line, 0, "invalid UTF-8 at line %u", line);
		goto done;
	}
	a = opex_calloc(1, sizeof(*a));
	a->path = opex_strdup(path);
	a->kind = opex_kb_path_kind(path);
	if (a->kind == OPEX_KB_KIND_ANNOUNCEMENT)
		a->announcement = opex_calloc(1, sizeof(*a->announcement));
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		off = 3;
	if (!parse_front_matter(a, text, len, off, &body_off, diags))
		goto done;
	a->body = opex_strndup(text + body_off, len - body_off);
	a->body_len = len - body_off;

	opex_kb_markdown_scan(&scan, a->body, a->body_len);
	if (a->title)
		a->title_line = a->field_line[OPEX_KB_FIELD_TITLE];
	else if (scan.heading) {
		a->title = scan.heading;
		scan.heading = NULL;
		a->title_line = a->body_line + scan.heading_line - 1;
	}
	fill_links(a, &scan);
	ok = true;

done:
	opex_kb_markdown_scan_release(&scan);
	if (!ok) {
		opex_kb_article_free(a);
		a = NULL;
	}
	return a;
}

void opex_kb_article_free(opex_kb_article *article)
{
	size_t i;

	if (article == NULL)
		return;
	opex_free(article->path);
	opex_free(article->title);
	opex_free(article->owner);
	opex_free(article->language);
	opex_free(article->translation_of);
	opex_free(article->journey);
	opex_free(article->channel);
	for (i = 0; i < article->market_count; i++)
		opex_free(article->markets[i]);
	opex_free(article->markets);
	for (i = 0; i < article->tag_count; i++)
		opex_free(article->tags[i]);
	opex_free(article->tags);
	for (i = 0; i < article->team_count; i++)
		opex_free(article->teams[i]);
	opex_free(article->teams);
	opex_strings_free(article->acknowledge, article->acknowledge_count);
	if (article->announcement != NULL) {
		opex_kb_announcement *n = article->announcement;

		opex_strings_free(n->audience, n->audience_count);
		opex_strings_free(n->articles, n->article_count);
		opex_strings_free(n->processes, n->process_count);
		opex_free(n);
	}
	opex_free(article->body);
	for (i = 0; i < article->link_count; i++) {
		opex_free(article->links[i].target);
		opex_free(article->links[i].path);
	}
	opex_free(article->links);
	opex_free(article);
}

void opex_kb_reply_with_text(opex_buf *out, const char *text, size_t len,
	const char *body)
{
	size_t off = len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
	size_t end = line_end(text, len, off), pos;

	if (line_is(text, off, end, "---")) {
		for (pos = end < len ? end + 1 : len; pos < len;) {
			size_t le = line_end(text, len, pos);

			if (line_is(text, pos, le, "---") ||
			    line_is(text, pos, le, "...")) {
				opex_buf_put(out, text, le < len ? le + 1 : len);
				if (le >= len)
					opex_buf_putc(out, '\n');
				break;
			}
			pos = le + 1;
		}
	}
	opex_buf_puts(out, body);
	if (body[0] == '\0' || body[strlen(body) - 1] != '\n')
		opex_buf_putc(out, '\n');
}

opex_kb_kind opex_kb_path_kind(const char *path)
{
	if (path != NULL && opex_path_under(path, "replies"))
		return OPEX_KB_KIND_REPLY;
	if (path != NULL && opex_path_under(path, "announcements"))
		return OPEX_KB_KIND_ANNOUNCEMENT;
	return OPEX_KB_KIND_ARTICLE;
}

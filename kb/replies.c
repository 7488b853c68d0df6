/*
 * replies.c: quick texts (the .md files under replies/), the ready answers agents paste
 * into tickets. A reply is read as an article (article.c: front matter,
 * verification, staleness, translations, visibility) and has a channel and
 * placeholders of its own:
 *
 *   channel: chat                email | chat | phone | social
 *   Hello {{customer.first_name}}, your case {{case.id}} ...
 *
 * Rules run on the loaded handbook, part of opex_kb_lint():
 *
 *   rule                        severity  where
 *   reply-channel-invalid       error     the channel field (else line 1)
 *   reply-placeholder-unknown   error     the placeholder
 *   reply-placeholder-unclosed  error     the "{{"
 *   reply-placeholders-differ   error     the translation_of field
 *   reply-too-long              error     the body's first line
 *   reply-language-missing      warning   the source reply, line 1
 */
#include "kb/kb.h"
#include "kb/kb_int.h"
#include "core/buf.h"
#include "core/limits.h"
#include "core/memory.h"
#include "core/str.h"
#include "core/text.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

/* How much of a user's string goes into a message. */
#define QUOTE_MAX 64

/*
 * The placeholders opex knows: what a helpdesk fills in for the customer,
 * the case and the agent. Export formats map them to their own names.
 */
static const struct known_placeholder {
	const char *name;
	const char *zendesk;      /* Zendesk's placeholder for it */
} known[] = {
	{ "agent.email", "current_user.email" },
	{ "agent.first_name", "current_user.first_name" },
	{ "agent.name", "current_user.name" },
	{ "agent.signature", "current_user.signature" },
	{ "brand.name", "ticket.brand.name" },
	{ "case.created_at", "ticket.created_at" },
	{ "case.id", "ticket.id" },
	{ "case.priority", "ticket.priority" },
	{ "case.status", "ticket.status" },
	{ "case.subject", "ticket.title" },
	{ "case.url", "ticket.url" },
	{ "customer.email", "ticket.requester.email" },
	{ "customer.first_name", "ticket.requester.first_name" },
	{ "customer.language", "ticket.requester.language" },
	{ "customer.last_name", "ticket.requester.last_name" },
	{ "customer.name", "ticket.requester.name" },
	{ "customer.phone", "ticket.requester.phone" },
};

#define KNOWN_COUNT (sizeof(known) / sizeof(known[0]))

static const struct channel_def {
	const char *name;
	opex_kb_channel channel;
	size_t max_chars;
} channels[] = {
	/* A long email is still read; past this it is an article. */
	{ "email", OPEX_KB_CHANNEL_EMAIL, 10000 },
	/* A chat bubble an agent sends in one go. */
	{ "chat", OPEX_KB_CHANNEL_CHAT, 1000 },
	/* About two minutes read aloud. */
	{ "phone", OPEX_KB_CHANNEL_PHONE, 2000 },
	/* A public post on the networks with the shortest limit. */
	{ "social", OPEX_KB_CHANNEL_SOCIAL, 280 },
};

#define CHANNEL_COUNT (sizeof(channels) / sizeof(channels[0]))

static int quote_len(const char *s)
{
	return (int)opex_text_clip(s, QUOTE_MAX);
}

opex_kb_channel opex_kb_channel_parse(const char *name)
{
	size_t i;

	for (i = 0; name && i < CHANNEL_COUNT; i++)
		if (strcmp(name, channels[i].name) == 0)
			return channels[i].channel;
	return OPEX_KB_CHANNEL_NONE;
}

const char *opex_kb_channel_name(opex_kb_channel channel)
{
	size_t i;

	for (i = 0; i < CHANNEL_COUNT; i++)
		if (channels[i].channel == channel)
			return channels[i].name;
	return "";
}

size_t opex_kb_channel_max_chars(opex_kb_channel channel)
{
	size_t i;

	for (i = 0; i < CHANNEL_COUNT; i++)
		if (channels[i].channel == channel)
			return channels[i].max_chars;
	return 0;
}

opex_str opex_kb_reply_text(const opex_kb_article *reply)
{
	opex_str s = { reply->body ? reply->body : "", reply->body_len };

	return opex_str_trim(s);
}

/* ---------------------------------------------------------------------
 * Placeholders
 * ------------------------------------------------------------------- */

static void add_placeholder(opex_kb_placeholders *out, const char *text,
	size_t start, size_t end, unsigned line, unsigned col)
{
	const char *name = text + start + 2;
	size_t len = end - start - 4;
	opex_str s = opex_str_trim((opex_str){ name, len });
	opex_kb_placeholder *p;

	opex_array_grow((void **)&out->items, &out->cap, out->count + 1,
		sizeof(*out->items));
	p = &out->items[out->count++];
	p->name = opex_strndup(s.ptr, s.len);
	p->line = line;
	p->col = col;
	p->offset = start;
	p->len = end - start;
}

void opex_kb_placeholders_scan(opex_kb_placeholders *out, const char *text,
	size_t len)
{
	unsigned line = 1;
	size_t i, line_start = 0;

	for (i = 0; i + 1 < len; i++) {
		size_t close, stop;

		if (text[i] == '\n') {
			line++;
			line_start = i + 1;
			continue;
		}
		if (text[i] != '{' || text[i + 1] != '{')
			continue;
		/* The "}}" must come before the line ends. */
		for (stop = i + 2; stop < len && text[stop] != '\n'; stop++)
			;
		for (close = i + 2; close + 1 < stop; close++)
			if (text[close] == '}' && text[close + 1] == '}')
				break;
		if (close + 1 >= stop) {
			out->unclosed_line = line;
			out->unclosed_col = (unsigned)(i - line_start + 1);
			return;
		}
		if (out->count >= OPEX_LIMIT_PLACEHOLDERS) {
			out->truncated = true;
			return;
		}
		add_placeholder(out, text, i, close + 2, line,
			(unsigned)(i - line_start + 1));
		i = close + 1;
	}
}

void opex_kb_placeholders_release(opex_kb_placeholders *p)
{
	size_t i;

	for (i = 0; i < p->count; i++)
		opex_free(p->items[i].name);
	opex_free(p->items);
	*p = (opex_kb_placeholders)OPEX_KB_PLACEHOLDERS_INIT;
}

bool opex_kb_placeholder_known(const opex_kb_settings *settings,
	const char *name)
{
	size_t i;

	for (i = 0; i < KNOWN_COUNT; i++)
		if (strcmp(known[i].name, name) == 0)
			return true;
	for (i = 0; settings && i < settings->reply_placeholder_count; i++)
		if (strcmp(settings->reply_placeholders[i], name) == 0)
			return true;
	return false;
}

const char *opex_kb_placeholder_zendesk(const char *name, bool to_zendesk)
{
	size_t i;

	for (i = 0; i < KNOWN_COUNT; i++) {
		if (to_zendesk && strcmp(known[i].name, name) == 0)
			return known[i].zendesk;
		if (!to_zendesk && strcmp(known[i].zendesk, name) == 0)
			return known[i].name;
	}
	return NULL;
}

void opex_kb_placeholders_map(opex_buf *out, opex_str text, bool to_zendesk)
{
	opex_kb_placeholders ph = OPEX_KB_PLACEHOLDERS_INIT;
	size_t i, at = 0;

	opex_kb_placeholders_scan(&ph, text.ptr, text.len);
	for (i = 0; i < ph.count; i++) {
		const opex_kb_placeholder *p = &ph.items[i];
		const char *to = opex_kb_placeholder_zendesk(p->name, to_zendesk);

		if (to == NULL)
			continue;   /* one of the handbook's own: as written */
		opex_buf_put(out, text.ptr + at, p->offset - at);
		opex_buf_printf(out, "{{%s}}", to);
		at = p->offset + p->len;
	}
	opex_buf_put(out, text.ptr + at, text.len - at);
	opex_kb_placeholders_release(&ph);
}

/* ---------------------------------------------------------------------
 * Rules
 * ------------------------------------------------------------------- */

static unsigned field_line(const opex_kb_article *a, opex_kb_field field)
{
	return a->field_line[field] ? a->field_line[field] : 1;
}

static void lint_channel(const opex_kb_article *a, opex_diag_list *diags)
{
	unsigned line = field_line(a, OPEX_KB_FIELD_CHANNEL);

	if (a->kind != OPEX_KB_KIND_REPLY) {
		if (a->channel)
			opex_diag_add(diags, OPEX_SEVERITY_WARNING,
				"reply-channel-invalid", a->path, line, 1,
				"field 'channel' is for replies (files under replies/); an article has none");
		return;
	}
	if (a->channel == NULL)
		opex_diag_add(diags, OPEX_SEVERITY_ERROR,
			"reply-channel-invalid", a->path, line, 1,
			"reply has no channel: add 'channel:' (email, chat, phone or social)");
	else if (opex_kb_channel_parse(a->channel) == OPEX_KB_CHANNEL_NONE)
		opex_diag_add(diags, OPEX_SEVERITY_ERROR,
			"reply-channel-invalid", a->path, line, 1,
			"channel '%.*s' is not email, chat, phone or social",
			quote_len(a->channel), a->channel);
}

/* The names of known placeholders and the settings' own, for suggestions. */
static size_t placeholder_names(const char ***out,
	const opex_kb_settings *settings)
{
	size_t i, n = KNOWN_COUNT + settings->reply_placeholder_count;
	const char **names = opex_calloc(n, sizeof(*names));

	for (i = 0; i < KNOWN_COUNT; i++)
		names[i] = known[i].name;
	for (i = 0; i < settings->reply_placeholder_count; i++)
		names[KNOWN_COUNT + i] = settings->reply_placeholders[i];
	*out = names;
	return n;
}

static void lint_placeholders(const opex_kb_handbook *hb,
	const opex_kb_article *a, const opex_kb_placeholders *ph,
	opex_diag_list *diags)
{
	const opex_kb_settings *settings = opex_kb_handbook_settings(hb);
	const char **names = NULL;
	size_t i, n = placeholder_names(&names, settings);

	for (i = 0; i < ph->count; i++) {
		const opex_kb_placeholder *p = &ph->items[i];
		const char *near;

		if (opex_kb_placeholder_known(settings, p->name))
			continue;
		near = opex_text_closest(p->name, strlen(p->name), names, n, 3);
		opex_diag_add(diags, OPEX_SEVERITY_ERROR,
			"reply-placeholder-unknown", a->path,
			a->body_line + p->line - 1, p->col,
			"unknown placeholder '{{%.*s}}'%s%s%s (declare your own in opex.yaml reply_placeholders)",
			quote_len(p->name), p->name, near ? " (did you mean '" : "",
			near ? near : "", near ? "'?)" : "");
	}
	if (ph->unclosed_line)
		opex_diag_add(diags, OPEX_SEVERITY_ERROR,
			"reply-placeholder-unclosed", a->path,
			a->body_line + ph->unclosed_line - 1, ph->unclosed_col,
			"'{{' is never closed on its line: write placeholders as {{customer.first_name}}");
	if (ph->truncated)
		opex_diag_add(diags, OPEX_SEVERITY_ERROR,
			"reply-placeholder-unknown", a->path, a->body_line, 1,
			"more than %u placeholders: the rest were not read",
			OPEX_LIMIT_PLACEHOLDERS);
	opex_free(names);
}

static bool has_placeholder(const opex_kb_placeholders *ph, const char *name)
{
	size_t i;

	for (i = 0; i < ph->count; i++)
		if (strcmp(ph->items[i].name, name) == 0)
			return true;
	return false;
}

/* The names in `a` that `b` lacks, as "{{x}}, {{y}}" into `out`. */
static size_t lacking(opex_buf *out, const opex_kb_placeholders *a,
	const opex_kb_placeholders *b)
{
	size_t i, j, n = 0;

	for (i = 0; i < a->count; i++) {
		bool seen = false;

		for (j = 0; j < i && !seen; j++)
			seen = strcmp(a->items[j].name, a->items[i].name) == 0;
		if (seen || has_placeholder(b, a->items[i].name))
			continue;
		opex_buf_printf(out, "%s{{%.*s}}", n++ ? ", " : "",
			quote_len(a->items[i].name), a->items[i].name);
	}
	return n;
}

static void lint_translation(const opex_kb_handbook *hb,
	const opex_kb_article *a, const opex_kb_placeholders *ph,
	opex_diag_list *diags)
{
	const opex_kb_article *source;
	opex_kb_placeholders theirs = OPEX_KB_PLACEHOLDERS_INIT;
	opex_buf missing = OPEX_BUF_INIT(OPEX_LIMIT_LINE_BYTES);
	opex_buf extra = OPEX_BUF_INIT(OPEX_LIMIT_LINE_BYTES);
	size_t n_missing, n_extra;

	if (a->translation_of == NULL)
		return;
	source = opex_kb_handbook_find(hb, a->translation_of);
	if (source == NULL || source == a)
		return;   /* translation-source-missing says so */
	if (source->kind != OPEX_KB_KIND_REPLY) {
		opex_diag_add(diags, OPEX_SEVERITY_ERROR,
			"reply-placeholders-differ", a->path,
			field_line(a, OPEX_KB_FIELD_TRANSLATION_OF), 1,
			"a reply translates a reply, but '%s' is an article",
			source->path);
		return;
	}
	opex_kb_placeholders_scan(&theirs, source->body, source->body_len);
	n_missing = lacking(&missing, &theirs, ph);
	n_extra = lacking(&extra, ph, &theirs);
	if (n_missing || n_extra)
		opex_diag_add(diags, OPEX_SEVERITY_ERROR,
			"reply-placeholders-differ", a->path,
			field_line(a, OPEX_KB_FIELD_TRANSLATION_OF), 1,
			"placeholders differ from its source '%s':%s%s%s%s%s",
			source->path, n_missing ? " missing " : "",
			n_missing && !missing.failed ? missing.ptr : "",
			n_missing && n_extra ? ";" : "",
			n_extra ? " not in the source " : "",
			n_extra && !extra.failed ? extra.ptr : "");
	opex_buf_release(&missing);
	opex_buf_release(&extra);
	opex_kb_placeholders_release(&theirs);
}

/* Characters (code points) of valid UTF-8. */
static size_t char_count(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	return n;
}

static void lint_length(const opex_kb_article *a, opex_diag_list *diags)
{
	opex_kb_channel channel = opex_kb_channel_parse(a->channel);
	size_t max = opex_kb_channel_max_chars(channel), chars;
	opex_str text = opex_kb_reply_text(a);

	if (max == 0)
		return;
	chars = char_count(text.ptr, text.len);
	if (chars > max)
		opex_diag_add(diags, OPEX_SEVERITY_ERROR, "reply-too-long",
			a->path, a->body_line, 1,
			"reply is %zu characters: a %s reply may have at most %zu",
			chars, a->channel, max);
}

/* Is `lang` one of the languages `a`'s markets are served in? */
static bool served_in(const opex_kb_settings *s, const opex_kb_article *a,
	const char *lang)
{
	size_t i, k;

	if (a->market_count == 0 || s->market_language_count == 0)
		return true;
	for (i = 0; i < a->market_count; i++)
		for (k = 0; k < s->market_language_count; k++)
			if (strcmp(s->market_languages[k].market, a->markets[i]) == 0 &&
			    opex_strcasecmp(s->market_languages[k].language, lang) == 0)
				return true;
	return false;
}

size_t opex_kb_reply_missing_languages(const char ***out,
	const opex_kb_handbook *hb, const opex_kb_article *source)
{
	const opex_kb_settings *s = opex_kb_handbook_settings(hb);
	const char **list = opex_calloc(s->language_count + 1, sizeof(*list));
	size_t i, n = 0;

	for (i = 0; i < s->language_count; i++) {
		const char *lang = s->languages[i];

		if (served_in(s, source, lang) &&
		    opex_kb_handbook_translation(hb, source, lang) == NULL)
			list[n++] = lang;
	}
	*out = list;
	return n;
}

static void lint_languages(const opex_kb_handbook *hb,
	const opex_kb_article *a, opex_diag_list *diags)
{
	opex_buf missing = OPEX_BUF_INIT(OPEX_LIMIT_LINE_BYTES);
	const char **langs = NULL;
	size_t i, n;

	if (a->translation_of != NULL)
		return;
	n = opex_kb_reply_missing_languages(&langs, hb, a);
	for (i = 0; i < n; i++)
		opex_buf_printf(&missing, "%s%s", i ? ", " : "", langs[i]);
	if (n)
		opex_diag_add(diags, OPEX_SEVERITY_WARNING,
			"reply-language-missing", a->path, 1, 1,
			"reply has no variant in %s: add a reply with 'translation_of: %s' for each",
			missing.failed ? "some handbook languages" : missing.ptr,
			a->path);
	opex_buf_release(&missing);
	opex_free(langs);
}

void opex_kb_replies_lint(const opex_kb_handbook *hb, opex_diag_list *diags)
{
	size_t i, n = opex_kb_handbook_article_count(hb);

	for (i = 0; i < n; i++) {
		const opex_kb_article *a = opex_kb_handbook_article(hb, i);
		opex_kb_placeholders ph = OPEX_KB_PLACEHOLDERS_INIT;

		lint_channel(a, diags);
		if (a->kind != OPEX_KB_KIND_REPLY)
			continue;
		opex_kb_placeholders_scan(&ph, a->body, a->body_len);
		lint_placeholders(hb, a, &ph, diags);
		lint_translation(hb, a, &ph, diags);
		lint_length(a, diags);
		lint_languages(hb, a, diags);
		opex_kb_placeholders_release(&ph);
	}
}

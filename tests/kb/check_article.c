/* check_article.c: article files (kb/article.c). */
#include "kb/kb_int.h"
#include "core/buf.h"
#include "core/memory.h"
#include "core/time.h"

#include "support/test_util.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

#include "core/banned.h"

#define PATH "articles/cards/lost-card.md"

static opex_kb_article *parse_bytes(const char *text, size_t len,
	opex_diag_list *diags)
{
	return opex_kb_article_parse(PATH, text, len, diags);
}

static opex_kb_article *parse(const char *text, opex_diag_list *diags)
{
	return parse_bytes(text, strlen(text), diags);
}

static const opex_diag *find_diag(const opex_diag_list *diags,
	const char *rule)
{
	size_t i;

	for (i = 0; i < diags->count; i++)
		if (strcmp(diags->items[i].rule, rule) == 0)
			return &diags->items[i];
	return NULL;
}

START_TEST(kb_article__reads_front_matter)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_kb_article *a = parse(
		"---\n"                                  /* 1 */
		"title: Freeze a card\n"                 /* 2 */
		"owner: maria\n"                         /* 3 */
		"language: en\n"                         /* 4 */
		"translation_of: articles/x.md\n"        /* 5 */
		"markets: [uk, fr]\n"                    /* 6 */
		"journey: cards\n"                       /* 7 */
		"tags:\n"                                /* 8 */
		"  - card-loss\n"                        /* 9 */
		"  - travel\n"                           /* 10 */
		"review_every: 90d\n"                    /* 11 */
		"visibility: partners\n"                 /* 12 */
		"teams: payments\n"                      /* 13 */
		"---\n"                                  /* 14 */
		"# Heading\n"                            /* 15 */
		"\n"
		"See [the map](../../processes/lost.dot).\n", &diags);

	ck_assert_ptr_nonnull(a);
	if (diags.count)
		opex_test_dump_diags(&diags);
	ck_assert_uint_eq(diags.count, 0);
	ck_assert_str_eq(a->path, PATH);
	ck_assert(a->has_front_matter);
	ck_assert_str_eq(a->title, "Freeze a card");
	ck_assert_uint_eq(a->title_line, 2);
	ck_assert_str_eq(a->owner, "maria");
	ck_assert_str_eq(a->language, "en");
	ck_assert_str_eq(a->translation_of, "articles/x.md");
	ck_assert_uint_eq(a->market_count, 2);
	ck_assert_str_eq(a->markets[1], "fr");
	ck_assert_str_eq(a->journey, "cards");
	ck_assert_uint_eq(a->tag_count, 2);
	ck_assert_str_eq(a->tags[0], "card-loss");
	ck_assert_int_eq(a->review_every, 90 * OPEX_DAY_SECONDS);
	ck_assert_int_eq(a->visibility, OPEX_KB_VISIBILITY_PARTNERS);
	ck_assert_uint_eq(a->team_count, 1);
	ck_assert_str_eq(a->teams[0], "payments");
	ck_assert_uint_eq(a->field_line[OPEX_KB_FIELD_TITLE], 2);
	ck_assert_uint_eq(a->field_line[OPEX_KB_FIELD_OWNER], 3);
	ck_assert_uint_eq(a->field_line[OPEX_KB_FIELD_TAGS], 8);
	ck_assert_uint_eq(a->field_line[OPEX_KB_FIELD_TEAMS], 13);
	ck_assert_uint_eq(a->body_line, 15);
	ck_assert_str_eq(a->body, "# Heading\n\nSee [the map](../../processes/lost.dot).\n");
	ck_assert_uint_eq(a->body_len, strlen(a->body));
	ck_assert_uint_eq(a->link_count, 1);
	ck_assert_str_eq(a->links[0].target, "../../processes/lost.dot");
	ck_assert_str_eq(a->links[0].path, "processes/lost.dot");
	ck_assert(!a->links[0].leaves);
	ck_assert_uint_eq(a->links[0].line, 17);
	ck_assert_uint_eq(a->links[0].col, 15);
	opex_kb_article_free(a);
	opex_diag_list_release(&diags);
}
END_TEST

START_TEST(kb_article__defaults)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_kb_article *a = parse("---\ntitle: x\n---\n", &diags);
	int f;

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_null(a->owner);
	ck_assert_ptr_null(a->language);
	ck_assert_uint_eq(a->market_count, 0);
	ck_assert_int_eq(a->review_every, 0);
	ck_assert_int_eq(a->visibility, OPEX_KB_VISIBILITY_INTERNAL);
	for (f = OPEX_KB_FIELD_OWNER; f < OPEX_KB_FIELD_COUNT; f++)
		ck_assert_uint_eq(a->field_line[f], 0);
	ck_assert_str_eq(a->body, "");
	ck_assert_uint_eq(a->body_line, 4);
	ck_assert_uint_eq(diags.count, 0);
	opex_kb_article_free(a);
	opex_kb_article_free(NULL);
	opex_diag_list_release(&diags);
}
END_TEST

START_TEST(kb_article__no_front_matter)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_kb_article *a = parse("Intro line\n\nTitle here\n==========\n",
		&diags);

	ck_assert_ptr_nonnull(a);
	ck_assert(!a->has_front_matter);
	ck_assert_str_eq(a->title, "Title here");
	ck_assert_uint_eq(a->title_line, 3);
	ck_assert_uint_eq(a->body_line, 1);
	ck_assert_uint_eq(a->field_line[OPEX_KB_FIELD_TITLE], 0);
	ck_assert_uint_eq(diags.count, 0);
	opex_kb_article_free(a);

	/* "---" later in the file is a thematic break, not front matter */
	a = parse("text\n\n---\nmore\n", &diags);
	ck_assert_ptr_nonnull(a);
	ck_assert(!a->has_front_matter);
	ck_assert_ptr_null(a->title);
	opex_kb_article_free(a);
	opex_diag_list_release(&diags);
}
END_TEST

START_TEST(kb_article__title_falls_back_to_heading)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_kb_article *a = parse("---\ntitle:\nowner: maria\n---\n\n## The *real* title\n",
		&diags);

	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(a->title, "The real title");
	ck_assert_uint_eq(a->title_line, 6);
	ck_assert_uint_eq(a->field_line[OPEX_KB_FIELD_TITLE], 2);
	opex_kb_article_free(a);
	opex_diag_list_release(&diags);
}
END_TEST

START_TEST(kb_article__empty_file_and_front_matter_only)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_kb_article *a = parse("", &diags);

	ck_assert_ptr_nonnull(a);
	ck_assert(!a->has_front_matter);
	ck_assert_ptr_null(a->title);
	ck_assert_str_eq(a->body, "");
	ck_assert_uint_eq(a->link_count, 0);
	opex_kb_article_free(a);
	a = opex_kb_article_parse(PATH, NULL, 0, &diags);
	ck_assert_ptr_nonnull(a);
	opex_kb_article_free(a);

	a = parse("---\ntitle: Only\n---", &diags);
	ck_assert_ptr_nonnull(a);
	ck_assert(a->has_front_matter);
	ck_assert_str_eq(a->title, "Only");
	ck_assert_str_eq(a->body, "");
	ck_assert_uint_eq(a->body_line, 4);
	opex_kb_article_free(a);

	a = parse("---\n---\n", &diags);
	ck_assert_ptr_nonnull(a);
	ck_assert(a->has_front_matter);
	ck_assert_uint_eq(a->body_line, 3);
	opex_kb_article_free(a);

	a = parse("---\ntitle: dots\n...\nbody\n", &diags);
	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(a->title, "dots");
	ck_assert_str_eq(a->body, "body\n");
	opex_kb_article_free(a);
	ck_assert_uint_eq(diags.count, 0);
	opex_diag_list_release(&diags);
}
END_TEST

START_TEST(kb_article__bom_and_crlf)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_kb_article *a = parse(
		"\xEF\xBB\xBF---\r\n"
		"title: Windows\r\n"
		"owner: maria\r\n"
		"---\r\n"
		"\r\n"
		"Text with [a link](other.md).\r\n", &diags);

	ck_assert_ptr_nonnull(a);
	ck_assert(a->has_front_matter);
	ck_assert_str_eq(a->title, "Windows");
	ck_assert_str_eq(a->owner, "maria");
	ck_assert_uint_eq(a->field_line[OPEX_KB_FIELD_OWNER], 3);
	ck_assert_uint_eq(a->body_line, 5);
	ck_assert_uint_eq(a->link_count, 1);
	ck_assert_uint_eq(a->links[0].line, 6);
	ck_assert_uint_eq(a->links[0].col, 20);
	ck_assert_str_eq(a->links[0].path, "articles/cards/other.md");
	opex_kb_article_free(a);

	/* a BOM without front matter is not part of the body */
	a = parse("\xEF\xBB\xBF# Title\n", &diags);
	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(a->body, "# Title\n");
	ck_assert_str_eq(a->title, "Title");
	opex_kb_article_free(a);
	ck_assert_uint_eq(diags.count, 0);
	opex_diag_list_release(&diags);
}
END_TEST

/* Fatal inputs: text, length (0: strlen), rule, line, message part. */
static const struct {
	const char *text;
	size_t len;
	const char *rule;
	unsigned line;
	const char *message;
} fatal[] = {
	{ "---\ntitle: x\n\0\n---\n", 19, "file-unreadable", 0, "binary file" },
	{ "\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16, "file-unreadable", 0, "binary file" },
	{ "ok\nok\n\xC0\xAF overlong\n", 0, "file-unreadable", 3,
	  "invalid UTF-8 at line 3" },
	{ "a\n\xED\xA0\x80 surrogate\n", 0, "file-unreadable", 2,
	  "invalid UTF-8 at line 2" },
	{ "truncated \xE2\x82", 0, "file-unreadable", 1, "invalid UTF-8 at line 1" },
	{ "\n\n\n\x80 stray\n", 0, "file-unreadable", 4, "invalid UTF-8" },
	{ "\xF4\x90\x80\x80 too high\n", 0, "file-unreadable", 1, "invalid UTF-8" },
	{ "---\ntitle: x\nbody without end\n", 0, "front-matter-invalid", 1,
	  "front matter opened on line 1 is never closed" },
	{ "---", 0, "front-matter-invalid", 1, "never closed" },
	{ "---\n- a\n- b\n---\n", 0, "front-matter-invalid", 2,
	  "front matter is not a mapping" },
	{ "---\njust a scalar\n---\n", 0, "front-matter-invalid", 2,
	  "front matter is not a mapping" },
	{ "---\ntitle: a\ntitle: b\n---\n", 0, "front-matter-invalid", 3,
	  "duplicate key 'title' (first on line 2)" },
	{ "---\ntitle: a\nowner:\n\t- maria\n---\n", 0, "front-matter-invalid",
	  4, "found character that cannot start any token" },
	{ "---\ntitle: [a\n---\n", 0, "front-matter-invalid", 3, "" },
	{ "---\na: &x [1]\nb: *x\n---\n", 0, "front-matter-invalid", 2,
	  "YAML aliases are not allowed" },
};

START_TEST(kb_article__fatal_problems)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	size_t len = fatal[_i].len ? fatal[_i].len : strlen(fatal[_i].text);
	opex_kb_article *a = parse_bytes(fatal[_i].text, len, &diags);
	const opex_diag *d;

	ck_assert_msg(a == NULL, "case %d parsed", _i);
	ck_assert_uint_eq(diags.count, 1);
	d = &diags.items[0];
	ck_assert_str_eq(d->rule, fatal[_i].rule);
	ck_assert_str_eq(d->path, PATH);
	ck_assert_int_eq(d->severity, OPEX_SEVERITY_ERROR);
	ck_assert_msg(d->line == fatal[_i].line, "case %d: line %u, want %u",
		_i, d->line, fatal[_i].line);
	ck_assert_msg(strstr(d->message, fatal[_i].message) != NULL,
		"case %d: '%s' lacks '%s'", _i, d->message, fatal[_i].message);
	ck_assert_msg(strncmp(d->message, "line ", 5) != 0, "'%s'", d->message);
	opex_diag_list_release(&diags);
}
END_TEST

static char *repeat(const char *head, const char *unit, size_t times,
	const char *tail)
{
	opex_buf b = OPEX_BUF_INIT(64u * 1024u * 1024u);
	size_t i;

	opex_buf_puts(&b, head);
	for (i = 0; i < times; i++)
		opex_buf_puts(&b, unit);
	opex_buf_puts(&b, tail);
	ck_assert(!b.failed);
	return opex_buf_detach(&b, NULL);
}

START_TEST(kb_article__hostile_front_matter)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	char *text;
	opex_kb_article *a;

	/* larger than the front matter limit */
	text = repeat("---\n", "tag: value value value value value\n", 3000,
		"---\nbody\n");
	a = parse(text, &diags);
	ck_assert_ptr_null(a);
	ck_assert_ptr_nonnull(strstr(diags.items[0].message, "larger than 64 KiB"));
	ck_assert_uint_eq(diags.items[0].line, 1);
	opex_free(text);
	opex_diag_list_release(&diags);

	/* 10,000 nested flow sequences */
	text = repeat("---\nx: ", "[", 10000, "\n---\n");
	a = parse(text, &diags);
	ck_assert_ptr_null(a);
	ck_assert_str_eq(diags.items[0].rule, "front-matter-invalid");
	ck_assert_uint_eq(diags.items[0].line, 2);
	opex_free(text);
	opex_diag_list_release(&diags);

	/* billion laughs */
	a = parse("---\n"
		"a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
		"b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
		"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
		"d: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
		"---\n", &diags);
	ck_assert_ptr_null(a);
	ck_assert_ptr_nonnull(strstr(diags.items[0].message, "aliases"));
	opex_diag_list_release(&diags);
}
END_TEST

/* Non-fatal field problems: text, field left unset, line, message part. */
static const struct {
	const char *text;
	unsigned line;
	opex_severity severity;
	const char *message;
} field_problems[] = {
	{ "---\ntitle: [a, b]\n---\n", 2, OPEX_SEVERITY_ERROR,
	  "field 'title' must be a string, not a list" },
	{ "---\nowner: {id: maria}\n---\n", 2, OPEX_SEVERITY_ERROR,
	  "field 'owner' must be a string, not a mapping" },
	{ "---\ntags: {a: 1}\n---\n", 2, OPEX_SEVERITY_ERROR,
	  "field 'tags' must be a list, not a mapping" },
	{ "---\nmarkets:\n  - uk\n  - [fr]\n---\n", 4, OPEX_SEVERITY_ERROR,
	  "field 'markets' must be a list of strings" },
	{ "---\nreview_every: soon\n---\n", 2, OPEX_SEVERITY_ERROR,
	  "field 'review_every': 'soon' is not a duration" },
	{ "---\nreview_every: [90d]\n---\n", 2, OPEX_SEVERITY_ERROR,
	  "must be a duration such as 90d" },
	{ "---\nvisibility: secret\n---\n", 2, OPEX_SEVERITY_ERROR,
	  "field 'visibility' must be internal, partners or public, not 'secret'" },
	{ "---\ntitel: Lost card\n---\n", 2, OPEX_SEVERITY_WARNING,
	  "unknown field 'titel' (did you mean 'title'?)" },
	{ "---\nreview_evry: 90d\n---\n", 2, OPEX_SEVERITY_WARNING,
	  "(did you mean 'review_every'?)" },
	{ "---\ncolour: blue\n---\n", 2, OPEX_SEVERITY_WARNING,
	  "unknown field 'colour'" },
	{ "---\ntags: [a, '', b]\n---\n", 2, OPEX_SEVERITY_WARNING,
	  "field 'tags' has an empty item" },
};

START_TEST(kb_article__field_problems_keep_the_article)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_kb_article *a = parse(field_problems[_i].text, &diags);
	const opex_diag *d;

	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(diags.count, 1);
	d = find_diag(&diags, "front-matter-invalid");
	ck_assert_ptr_nonnull(d);
	ck_assert_uint_eq(d->line, field_problems[_i].line);
	ck_assert_int_eq(d->severity, field_problems[_i].severity);
	ck_assert_msg(strstr(d->message, field_problems[_i].message) != NULL,
		"case %d: '%s' lacks '%s'", _i, d->message,
		field_problems[_i].message);
	ck_assert_ptr_null(a->owner);
	ck_assert_uint_eq(a->market_count, 0);
	ck_assert_int_eq(a->review_every, 0);
	ck_assert_int_eq(a->visibility, OPEX_KB_VISIBILITY_INTERNAL);
	if (strstr(field_problems[_i].text, "titel") == NULL)
		ck_assert_ptr_null(a->title);
	opex_kb_article_free(a);
	opex_diag_list_release(&diags);
}
END_TEST

START_TEST(kb_article__scalar_lists_and_null_values)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_kb_article *a = parse("---\nmarkets: uk\ntags: ~\nteams:\n"
		"journey: null\nlanguage: ''\nvisibility: public\n---\n", &diags);

	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(diags.count, 0);
	ck_assert_uint_eq(a->market_count, 1);
	ck_assert_str_eq(a->markets[0], "uk");
	ck_assert_uint_eq(a->tag_count, 0);
	ck_assert_uint_eq(a->team_count, 0);
	ck_assert_ptr_null(a->journey);
	ck_assert_ptr_null(a->language);
	ck_assert_uint_eq(a->field_line[OPEX_KB_FIELD_LANGUAGE], 6);
	ck_assert_int_eq(a->visibility, OPEX_KB_VISIBILITY_PUBLIC);
	opex_kb_article_free(a);
	opex_diag_list_release(&diags);
}
END_TEST

/* Link resolution from PATH (articles/cards/lost-card.md). */
static const struct {
	const char *target;
	const char *path; /* NULL: not a handbook link */
	bool leaves;
} links[] = {
	{ "freeze.md", "articles/cards/freeze.md", false },
	{ "./freeze.md#steps", "articles/cards/freeze.md", false },
	{ "../onboarding/id.md?x=1#y", "articles/onboarding/id.md", false },
	{ "/processes/map.dot", "processes/map.dot", false },
	{ "my%20card.md", "articles/cards/my card.md", false },
	{ "caf%C3%A9.md", "articles/cards/caf\xC3\xA9.md", false },
	{ "bad%zz.md", "articles/cards/bad%zz.md", false },
	{ "../../../secret.md", NULL, true },
	{ "../../..", NULL, true },
	{ "../..", NULL, false },
	{ "#steps", NULL, false },
	{ "?print=1", NULL, false },
	{ "https://example.com/a.md", NULL, false },
	{ "mailto:help@example.com", NULL, false },
	{ "//cdn.example.com/x.png", NULL, false },
	{ "nul%00.md", NULL, false },
	{ "bad%FF.md", NULL, false },
};

START_TEST(kb_article__link_resolution)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	char text[512];
	opex_kb_article *a;

	snprintf(text, sizeof(text), "---\ntitle: t\n---\nsee [x](<%s>)\n",
		links[_i].target);
	a = parse(text, &diags);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(a->link_count, 1);
	ck_assert_str_eq(a->links[0].target, links[_i].target);
	if (links[_i].path) {
		ck_assert_ptr_nonnull(a->links[0].path);
		ck_assert_str_eq(a->links[0].path, links[_i].path);
	} else {
		ck_assert_msg(a->links[0].path == NULL, "case %d: '%s'", _i,
			a->links[0].path);
	}
	ck_assert_int_eq(a->links[0].leaves, links[_i].leaves);
	ck_assert_uint_eq(a->links[0].line, 4);
	ck_assert_uint_eq(a->links[0].col, 10);
	opex_kb_article_free(a);
	opex_diag_list_release(&diags);
}
END_TEST

START_TEST(kb_article__twenty_megabytes)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	char *text = repeat("---\ntitle: Big\n---\n",
		"A line of text with a [link](other.md) in it, repeated.\n\n",
		20u * 1024u * 1024u / 58u, "");
	opex_kb_article *a = parse(text, &diags);

	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(a->title, "Big");
	ck_assert_uint_eq(a->link_count, 20u * 1024u * 1024u / 58u);
	ck_assert_uint_eq(a->links[1].line, 6);
	opex_kb_article_free(a);
	opex_free(text);

	/* the same size, never closed */
	text = repeat("---\n", "key: value\n", 2u * 1024u * 1024u, "");
	a = parse(text, &diags);
	ck_assert_ptr_null(a);
	ck_assert(opex_test_has_diag(&diags, "front-matter-invalid", PATH, 1));
	opex_free(text);
	opex_diag_list_release(&diags);
}
END_TEST

START_TEST(kb_article__pathological_bodies)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	static const char *const units[] = { ">", "*", "[", "- ", "_" };
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		char *text = repeat("---\ntitle: t\n---\n", units[i], 10000,
			"x\n");
		opex_kb_article *a = parse(text, &diags);

		ck_assert_ptr_nonnull(a);
		opex_kb_article_free(a);
		opex_free(text);
	}
	ck_assert_uint_eq(diags.count, 0);
	opex_diag_list_release(&diags);
}
END_TEST

Suite *suite_article(void)
{
	Suite *s = suite_create("kb_article");
	TCase *tc = tcase_create("opex_kb_article_parse");

	tcase_add_test(tc, kb_article__reads_front_matter);
	tcase_add_test(tc, kb_article__defaults);
	tcase_add_test(tc, kb_article__no_front_matter);
	tcase_add_test(tc, kb_article__title_falls_back_to_heading);
	tcase_add_test(tc, kb_article__empty_file_and_front_matter_only);
	tcase_add_test(tc, kb_article__bom_and_crlf);
	tcase_add_loop_test(tc, kb_article__fatal_problems, 0,
		(int)(sizeof(fatal) / sizeof(fatal[0])));
	tcase_add_test(tc, kb_article__hostile_front_matter);
	tcase_add_loop_test(tc, kb_article__field_problems_keep_the_article, 0,
		(int)(sizeof(field_problems) / sizeof(field_problems[0])));
	tcase_add_test(tc, kb_article__scalar_lists_and_null_values);
	tcase_add_loop_test(tc, kb_article__link_resolution, 0,
		(int)(sizeof(links) / sizeof(links[0])));
	tcase_add_test(tc, kb_article__twenty_megabytes);
	tcase_add_test(tc, kb_article__pathological_bodies);
	tcase_set_timeout(tc, 300);
	suite_add_tcase(s, tc);
	return s;
}

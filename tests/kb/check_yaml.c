/* check_yaml.c: the libyaml adapter (kb/yaml.c). */
#include "kb/kb_int.h"
#include "core/buf.h"
#include "core/limits.h"
#include "core/memory.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

#include "core/banned.h"

static opex_kb_yaml_node *parse_ok(const char *text, unsigned first_line)
{
	opex_error err = OPEX_ERROR_INIT;
	opex_kb_yaml_node *doc = NULL;
	int rc = opex_kb_yaml_parse(&doc, NULL, text, strlen(text), first_line,
		&err);

	ck_assert_msg(rc == 0, "parse failed: %s", err.message);
	return doc;
}

/* Parse text that must fail; returns the error line, message in err. */
static unsigned parse_fail(const char *text, size_t len, opex_error *err,
	int *code)
{
	opex_kb_yaml_node *doc = (opex_kb_yaml_node *)1;
	unsigned line = 12345;
	int rc = opex_kb_yaml_parse(&doc, &line, text, len, 1, err);

	ck_assert_int_lt(rc, 0);
	ck_assert_ptr_null(doc);
	if (code)
		*code = rc;
	return line;
}

START_TEST(kb_yaml__parses_mapping_with_lines)
{
	opex_kb_yaml_node *doc = parse_ok(
		"title: Lost card\n"
		"tags: [a, \"b\"]\n"
		"owner:\n"
		"  id: maria\n", 5);
	const opex_kb_yaml_node *v;

	ck_assert_int_eq(doc->type, OPEX_KB_YAML_MAPPING);
	ck_assert_uint_eq(doc->count, 3);
	ck_assert_uint_eq(doc->line, 5);
	v = opex_kb_yaml_get(doc, "title");
	ck_assert_ptr_nonnull(v);
	ck_assert_str_eq(v->value, "Lost card");
	ck_assert_uint_eq(v->len, 9);
	ck_assert(v->plain);
	ck_assert_uint_eq(v->line, 5);
	ck_assert_uint_eq(v->col, 8);
	v = opex_kb_yaml_get(doc, "tags");
	ck_assert_int_eq(v->type, OPEX_KB_YAML_SEQUENCE);
	ck_assert_uint_eq(v->count, 2);
	ck_assert_uint_eq(v->line, 6);
	ck_assert(v->items[0]->plain);
	ck_assert(!v->items[1]->plain);
	ck_assert_str_eq(v->items[1]->value, "b");
	v = opex_kb_yaml_get(doc, "owner");
	ck_assert_int_eq(v->type, OPEX_KB_YAML_MAPPING);
	ck_assert_uint_eq(opex_kb_yaml_get(v, "id")->line, 8);
	ck_assert_ptr_null(opex_kb_yaml_get(doc, "missing"));
	ck_assert_ptr_null(opex_kb_yaml_get(v->keys[0], "id"));
	ck_assert_ptr_null(opex_kb_yaml_get(NULL, "id"));
	opex_kb_yaml_free(doc);
}
END_TEST

START_TEST(kb_yaml__empty_document_is_null)
{
	static const char *const cases[] = { "", "# only a comment\n", "---\n",
		"\n\n", "---\n...\n" };
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		opex_kb_yaml_node *doc = parse_ok(cases[i], 1);

		ck_assert_msg(doc == NULL, "case %zu", i);
	}
	opex_kb_yaml_free(NULL);
}
END_TEST

START_TEST(kb_yaml__scalar_and_list_roots)
{
	opex_kb_yaml_node *doc = parse_ok("hello\n", 1);

	ck_assert_int_eq(doc->type, OPEX_KB_YAML_SCALAR);
	ck_assert_str_eq(doc->value, "hello");
	opex_kb_yaml_free(doc);
	doc = parse_ok("- a\n- b\n", 1);
	ck_assert_int_eq(doc->type, OPEX_KB_YAML_SEQUENCE);
	ck_assert_uint_eq(doc->count, 2);
	ck_assert_ptr_null(doc->keys);
	opex_kb_yaml_free(doc);
}
END_TEST

/* Table: input, expected line, expected substring of the message. */
static const struct {
	const char *text;
	unsigned line;
	const char *message;
} refusals[] = {
	{ "a: &x 1\nb: *x\n", 1, "line 1: YAML aliases are not allowed" },
	{ "a: 1\nb: *x\n", 2, "line 2: " },
	{ "a: !!seq [1]\n", 1, "tags on YAML collections are not allowed" },
	{ "a: !custom {b: 1}\n", 1, "tags on YAML collections" },
	{ "? [a, b]\n: 1\n", 1, "a mapping key must be a scalar" },
	{ "{a: 1}: 2\n", 1, "a mapping key must be a scalar" },
	{ "title: a\nowner: b\ntitle: c\n", 3,
	  "line 3: duplicate key 'title' (first on line 1)" },
	{ "a:\n  x: 1\n  x: 2\n", 3, "duplicate key 'x'" },
	{ "a: 1\n---\nb: 2\n", 2, "more than one YAML document" },
	{ "a: 1\n...\nb: 2\n", 3, "did not find expected <document start>" },
	{ "a: 1\n...\n---\nb: 2\n", 3, "more than one YAML document" },
	{ "a: [1, 2\n", 2, "line 2: " },
	{ "a:\n\tb: 1\n", 2,
	  "found character that cannot start any token (while scanning for the next token)" },
	{ "a: \"\\0\"\n", 1, "a scalar holds a NUL character" },
	{ "a: b: c\n", 1, "mapping values are not allowed in this context" },
};

START_TEST(kb_yaml__refusals)
{
	opex_error err = OPEX_ERROR_INIT;
	const char *text = refusals[_i].text;
	unsigned line = parse_fail(text, strlen(text), &err, NULL);

	ck_assert_msg(line == refusals[_i].line, "case %d: line %u, want %u (%s)",
		_i, line, refusals[_i].line, err.message);
	ck_assert_msg(strstr(err.message, refusals[_i].message) != NULL,
		"case %d: '%s' lacks '%s'", _i, err.message, refusals[_i].message);
	ck_assert_int_eq(strncmp(err.message, "line ", 5), 0);
}
END_TEST

START_TEST(kb_yaml__error_lines_are_file_lines)
{
	opex_error err = OPEX_ERROR_INIT;
	opex_kb_yaml_node *doc = NULL;
	unsigned line = 0;
	const char *text = "title: a\nx: [\n";
	int rc = opex_kb_yaml_parse(&doc, &line, text, strlen(text), 2, &err);
	char want[32];

	ck_assert_int_eq(rc, OPEX_EINVALID);
	ck_assert_uint_eq(line, 4);
	snprintf(want, sizeof(want), "line %u: ", line);
	ck_assert_int_eq(strncmp(err.message, want, strlen(want)), 0);
	ck_assert_str_eq(opex_kb_yaml_error_text(&err),
		err.message + strlen(want));
}
END_TEST

START_TEST(kb_yaml__messages_are_lowercase)
{
	opex_error err = OPEX_ERROR_INIT;
	const char *text = "a: 'unterminated\n";
	const char *p;

	(void)parse_fail(text, strlen(text), &err, NULL);
	for (p = err.message; *p; p++)
		ck_assert_msg(!(*p >= 'A' && *p <= 'Z'), "'%s'", err.message);
}
END_TEST

START_TEST(kb_yaml__billion_laughs_refused)
{
	opex_error err = OPEX_ERROR_INIT;
	const char *bomb =
		"a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
		"b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
		"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
		"d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
		"e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
		"f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
		"g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
		"h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
		"i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
	unsigned line = parse_fail(bomb, strlen(bomb), &err, NULL);

	ck_assert_uint_eq(line, 1);
	ck_assert_str_eq(err.message, "line 1: YAML aliases are not allowed");
}
END_TEST

static char *repeat(const char *unit, size_t times, const char *tail)
{
	opex_buf b = OPEX_BUF_INIT(64u * 1024u * 1024u);
	size_t i;

	for (i = 0; i < times; i++)
		opex_buf_puts(&b, unit);
	opex_buf_puts(&b, tail);
	ck_assert(!b.failed);
	return opex_buf_detach(&b, NULL);
}

START_TEST(kb_yaml__nesting_limit)
{
	opex_error err = OPEX_ERROR_INIT;
	opex_kb_yaml_node *doc;
	char *ok = repeat("[", OPEX_LIMIT_NESTING, "");
	char *text;
	size_t n = strlen(ok);
	int code = 0;

	/* exactly the limit parses */
	text = opex_malloc(2 * n + 1);
	memcpy(text, ok, n);
	memset(text + n, ']', n);
	text[2 * n] = '\0';
	doc = parse_ok(text, 1);
	ck_assert_ptr_nonnull(doc);
	opex_kb_yaml_free(doc);
	opex_free(text);
	opex_free(ok);

	/* one more does not */
	text = repeat("[", OPEX_LIMIT_NESTING + 1, "");
	(void)parse_fail(text, strlen(text), &err, &code);
	ck_assert_int_eq(code, OPEX_ETOOBIG);
	ck_assert_ptr_nonnull(strstr(err.message, "nested too deeply"));
	opex_free(text);

	/* 10,000 brackets, and block mappings nested as deep */
	text = repeat("[", 10000, "");
	(void)parse_fail(text, strlen(text), &err, &code);
	ck_assert_int_eq(code, OPEX_ETOOBIG);
	opex_free(text);
	text = repeat("{a: ", 10000, "");
	(void)parse_fail(text, strlen(text), &err, &code);
	ck_assert_int_eq(code, OPEX_ETOOBIG);
	opex_free(text);
}
END_TEST

START_TEST(kb_yaml__node_limit)
{
	opex_error err = OPEX_ERROR_INIT;
	char *text = repeat("- x\n", OPEX_LIMIT_YAML_NODES + 10, "");
	opex_kb_yaml_node *doc;
	int code = 0;

	(void)parse_fail(text, strlen(text), &err, &code);
	ck_assert_int_eq(code, OPEX_ETOOBIG);
	ck_assert_ptr_nonnull(strstr(err.message, "too many YAML nodes"));
	opex_free(text);

	/* the sequence plus its items: exactly the limit */
	text = repeat("- x\n", OPEX_LIMIT_YAML_NODES - 1, "");
	doc = parse_ok(text, 1);
	ck_assert_uint_eq(doc->count, OPEX_LIMIT_YAML_NODES - 1);
	opex_kb_yaml_free(doc);
	opex_free(text);
}
END_TEST

START_TEST(kb_yaml__invalid_utf8_has_a_line)
{
	static const char text[] = "a: 1\nb: \xC0\xAF\n";
	opex_error err = OPEX_ERROR_INIT;
	unsigned line = parse_fail(text, sizeof(text) - 1, &err, NULL);

	ck_assert_uint_eq(line, 2);
}
END_TEST

START_TEST(kb_yaml__crlf_and_bom)
{
	opex_kb_yaml_node *doc = parse_ok("\xEF\xBB\xBFtitle: a\r\nowner: b\r\n", 1);

	ck_assert_str_eq(opex_kb_yaml_get(doc, "title")->value, "a");
	ck_assert_str_eq(opex_kb_yaml_get(doc, "owner")->value, "b");
	ck_assert_uint_eq(opex_kb_yaml_get(doc, "owner")->line, 2);
	opex_kb_yaml_free(doc);
}
END_TEST

START_TEST(kb_yaml__scalar_tags_and_quotes)
{
	opex_kb_yaml_node *doc = parse_ok(
		"a: !!str 12\nb: ~\nc: ''\nd: |\n  two\n  lines\n", 1);

	ck_assert(!opex_kb_yaml_get(doc, "a")->plain);
	ck_assert_str_eq(opex_kb_yaml_get(doc, "a")->value, "12");
	ck_assert(opex_kb_yaml_get(doc, "b")->plain);
	ck_assert(!opex_kb_yaml_get(doc, "c")->plain);
	ck_assert_uint_eq(opex_kb_yaml_get(doc, "c")->len, 0);
	ck_assert_str_eq(opex_kb_yaml_get(doc, "d")->value, "two\nlines\n");
	opex_kb_yaml_free(doc);
}
END_TEST

START_TEST(kb_yaml__error_pointer_may_be_null)
{
	opex_kb_yaml_node *doc = NULL;

	ck_assert_int_lt(opex_kb_yaml_parse(&doc, NULL, "a: *b", 5, 1, NULL), 0);
	ck_assert_ptr_null(doc);
}
END_TEST

Suite *suite_yaml(void)
{
	Suite *s = suite_create("kb_yaml");
	TCase *tc = tcase_create("opex_kb_yaml_parse");

	tcase_add_test(tc, kb_yaml__parses_mapping_with_lines);
	tcase_add_test(tc, kb_yaml__empty_document_is_null);
	tcase_add_test(tc, kb_yaml__scalar_and_list_roots);
	tcase_add_loop_test(tc, kb_yaml__refusals, 0,
		(int)(sizeof(refusals) / sizeof(refusals[0])));
	tcase_add_test(tc, kb_yaml__error_lines_are_file_lines);
	tcase_add_test(tc, kb_yaml__messages_are_lowercase);
	tcase_add_test(tc, kb_yaml__billion_laughs_refused);
	tcase_add_test(tc, kb_yaml__nesting_limit);
	tcase_add_test(tc, kb_yaml__node_limit);
	tcase_add_test(tc, kb_yaml__invalid_utf8_has_a_line);
	tcase_add_test(tc, kb_yaml__crlf_and_bom);
	tcase_add_test(tc, kb_yaml__scalar_tags_and_quotes);
	tcase_add_test(tc, kb_yaml__error_pointer_may_be_null);
	suite_add_tcase(s, tc);
	return s;
}

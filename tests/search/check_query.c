/*
 * check_query.c: the search query language (kb/query.c): every construct,
 * its FTS5 translation, and hostile input, which must never reach FTS5 as
 * written: each produced MATCH string is run on an in-memory index.
 */
#include "core/buf.h"
#include "core/limits.h"
#include "core/memory.h"
#include "search/search_int.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

#include "core/banned.h"

static char *match_of(const char *text)
{
	opex_buf out = OPEX_BUF_INIT(64 * 1024);
	opex_error err = OPEX_ERROR_INIT;
	opex_search_query *q = NULL;

	ck_assert_msg(opex_search_query_parse(&q, text, strlen(text), &err) == 0,
		"'%s': %s", text, err.message);
	opex_search_query_match(&out, q);
	opex_search_query_free(q);
	return opex_buf_detach(&out, NULL);
}

static const struct {
	const char *query;
	const char *match;
} translations[] = {
	{ "refund", "\"refund\"" },
	{ "refund card", "\"refund\" AND \"card\"" },
	{ "\"lost card\"", "\"lost card\"" },
	{ "refu*", "\"refu\" *" },
	{ "\"lost ca\"*", "\"lost ca\" *" },
	{ "card -fee", "\"card\" NOT \"fee\"" },
	{ "card -\"annual fee\"", "\"card\" NOT \"annual fee\"" },
	{ "fee OR charge", "(\"fee\" OR \"charge\")" },
	{ "card fee OR charge OR cost", "\"card\" AND (\"fee\" OR \"charge\" OR \"cost\")" },
	{ "E-4012", "\"E-4012\"" },
	{ "3DS2", "\"3DS2\"" },
	{ "say \"hi\"\"there\"", "\"say\" AND \"hi\" AND \"there\"" },
	{ "a\"b", "\"a\" AND \"b\"" },
	{ "stra\xC3\x9F" "e", "(\"stra\xC3\x9F" "e\" OR \"strasse\")" },
	{ "strasse", "(\"strasse\" OR \"stra\xC3\x9F" "e\")" },
	{ "\xE9\x80\x80\xE6\xAC\xBE", "\"\xE9\x80\x80\xE2\x80\x8B\xE6\xAC\xBE\"" },
	{ "or and not NEAR", "\"or\" AND \"and\" AND \"not\" AND \"NEAR\"" },
	{ "AND NOT", "\"AND\" AND \"NOT\"" },
	{ "title:card", "\"title:card\"" },
	{ "col:x ^start", "\"col:x\" AND \"^start\"" },
	{ "lang:fr", "" },
	{ "-fee", "" },
	{ "card lang:fr tag:chargeback is:stale", "\"card\"" },
};

START_TEST(kb_query__translates_every_construct)
{
	char *m = match_of(translations[_i].query);

	ck_assert_msg(strcmp(m, translations[_i].match) == 0,
		"'%s' gave '%s', expected '%s'", translations[_i].query, m,
		translations[_i].match);
	opex_free(m);
}
END_TEST

START_TEST(kb_query__filters)
{
	const char *text = "card lang:FR journey:payments market:uk owner:maria "
		"tag:Chargeback is:stale -market:fr owner:\"ana lima\"";
	opex_error err = OPEX_ERROR_INIT;
	opex_search_query *q = NULL;

	ck_assert_int_eq(opex_search_query_parse(&q, text, strlen(text), &err), 0);
	ck_assert_uint_eq(q->filter_count, 8);
	ck_assert_int_eq(q->filters[0].kind, OPEX_SEARCH_QFILTER_LANG);
	ck_assert_str_eq(q->filters[0].value, "fr");
	ck_assert_int_eq(q->filters[1].kind, OPEX_SEARCH_QFILTER_JOURNEY);
	ck_assert_int_eq(q->filters[2].kind, OPEX_SEARCH_QFILTER_MARKET);
	ck_assert_int_eq(q->filters[3].kind, OPEX_SEARCH_QFILTER_OWNER);
	ck_assert_int_eq(q->filters[4].kind, OPEX_SEARCH_QFILTER_TAG);
	ck_assert_str_eq(q->filters[4].value, "chargeback");
	ck_assert_int_eq(q->filters[5].kind, OPEX_SEARCH_QFILTER_STALE);
	ck_assert_ptr_null(q->filters[5].value);
	ck_assert(q->filters[6].negated);
	ck_assert_str_eq(q->filters[7].value, "ana lima");
	ck_assert_uint_eq(q->clause_count, 1);
	ck_assert_uint_eq(opex_search_query_warning_count(q), 0);
	opex_search_query_free(q);
}
END_TEST

/* Odd input: a reading, and a warning that says what was done. */
static const struct {
	const char *query;
	const char *match;    /* the reading */
	const char *warning;  /* part of the first warning */
} odd[] = {
	{ "\"unclosed phrase", "\"unclosed phrase\"", "unclosed quote" },
	{ "card - fee", "\"card\" AND \"fee\"", "lone '-'" },
	{ "card lang:", "\"card\"", "'lang:' has no value" },
	{ "card is:fresh", "\"card\"", "unknown state" },
	{ "card type:video", "\"card\"", "unknown type" },
	{ "OR card", "\"card\"", "'OR' needs a word" },
	{ "card OR", "\"card\"", "'OR' needs a word" },
	{ "card OR OR fee", "(\"card\" OR \"fee\")", "'OR' needs a word" },
	{ "card OR -fee", "\"card\" NOT \"fee\"", "'OR' needs a word" },
	{ "card && ***", "\"card\"", "no letters or digits" },
	{ "card \xE2\x80\x94", "\"card\"", "no letters or digits" },
	{ "card -\"\"", "\"card\"", "excludes nothing" },
	{ "card \"", "\"card\"", "unclosed quote" },
};

START_TEST(kb_query__odd_input_has_a_reading)
{
	opex_error err = OPEX_ERROR_INIT;
	opex_search_query *q = NULL;
	opex_buf m = OPEX_BUF_INIT(4096);
	const char *text = odd[_i].query;

	ck_assert_msg(opex_search_query_parse(&q, text, strlen(text), &err) == 0,
		"'%s': %s", text, err.message);
	opex_search_query_match(&m, q);
	ck_assert_msg(strcmp(m.ptr, odd[_i].match) == 0, "'%s' read as '%s'",
		text, m.ptr);
	ck_assert_msg(opex_search_query_warning_count(q) > 0 &&
		strstr(opex_search_query_warning(q, 0), odd[_i].warning) != NULL,
		"'%s': warning '%s'", text, opex_search_query_warning_count(q) ?
			opex_search_query_warning(q, 0) : "(none)");
	opex_buf_release(&m);
	opex_search_query_free(q);
}
END_TEST

static const struct {
	const char *query;
	size_t len;           /* 0: strlen */
	int code;
	const char *message;
} refused[] = {
	{ "", 0, OPEX_EINVALID, "nothing to search for" },
	{ "   \t ", 0, OPEX_EINVALID, "nothing to search for" },
	{ "-", 0, OPEX_EINVALID, "nothing to search for" },
	{ "lang:", 0, OPEX_EINVALID, "nothing to search for" },
	{ "\"\"", 0, OPEX_EINVALID, "nothing to search for" },
	{ "OR OR", 0, OPEX_EINVALID, "nothing to search for" },
	{ "card\xff", 0, OPEX_EINVALID, "UTF-8" },
	{ "card\0fee", 8, OPEX_EINVALID, "UTF-8" },
};

START_TEST(kb_query__refuses_what_cannot_be_read)
{
	opex_error err = OPEX_ERROR_INIT;
	opex_search_query *q = NULL;
	size_t len = refused[_i].len ? refused[_i].len : strlen(refused[_i].query);

	ck_assert_int_eq(opex_search_query_parse(&q, refused[_i].query, len, &err),
		refused[_i].code);
	ck_assert_ptr_null(q);
	ck_assert_msg(strstr(err.message, refused[_i].message) != NULL,
		"'%s': %s", refused[_i].query, err.message);
}
END_TEST

START_TEST(kb_query__limits)
{
	opex_buf text = OPEX_BUF_INIT(1024 * 1024);
	opex_error err = OPEX_ERROR_INIT;
	opex_search_query *q = NULL;
	size_t i;

	/* 10,000 terms: far past the byte limit. */
	for (i = 0; i < 10000; i++)
		opex_buf_puts(&text, "w ");
	ck_assert_int_eq(opex_search_query_parse(&q, text.ptr, text.len, &err),
		OPEX_ETOOBIG);
	ck_assert_ptr_null(q);
	ck_assert(strstr(err.message, "longer than") != NULL);

	/* Short enough, but more terms than allowed. */
	opex_buf_clear(&text);
	for (i = 0; i <= OPEX_LIMIT_QUERY_TERMS; i++)
		opex_buf_puts(&text, "w ");
	ck_assert_int_eq(opex_search_query_parse(&q, text.ptr, text.len, &err),
		OPEX_ETOOBIG);
	ck_assert(strstr(err.message, "terms") != NULL);

	/* Exactly the limit is fine. */
	opex_buf_clear(&text);
	for (i = 0; i < OPEX_LIMIT_QUERY_TERMS; i++)
		opex_buf_puts(&text, "w ");
	ck_assert_int_eq(opex_search_query_parse(&q, text.ptr, text.len, &err), 0);
	opex_search_query_free(q);
	q = NULL;

	opex_buf_clear(&text);
	for (i = 0; i <= OPEX_LIMIT_QUERY_FILTERS; i++)
		opex_buf_puts(&text, "tag:x ");
	ck_assert_int_eq(opex_search_query_parse(&q, text.ptr, text.len, &err),
		OPEX_ETOOBIG);
	ck_assert(strstr(err.message, "filters") != NULL);
	opex_buf_release(&text);
}
END_TEST

/* Hostile input: every MATCH built is accepted by FTS5, with no SQL error. */
static const char *const hostile[] = {
	"\"", "\"\"\"", "\"a\"\"b\"", "a\" OR \"1\"=\"1", "'; DROP TABLE doc; --",
	"NEAR(a b)", "a NEAR/2 b", "col:term", "{title body}: x", "^a", "a + b",
	"(a OR b", "a) AND (b", "*", "a**", "-*", "\"*\"", "x:\"", "lang:\"",
	"tag:\"a\"\"b\"", "owner:'x' OR 1=1", "\\", "a\\\"b", "%", "_", "a%_b",
	"NOT", "AND", "OR", "- - -", "-\"", "--fee", "---", "\xE2\x80\x8B",
	"\xE9\x80\x80", "\xF0\x9F\x98\x80 smile", "x:y:z", "is:", "is:stale",
	"-is:stale", "lang:fr-CA", "market:\xC3\xA9", "a\tb\nc\rd",
	"\"unclosed * OR -x", "title:\"x\" body:y", "rowid:1", "fts:x",
	"a OR b OR -c OR d", "a* b* c*", "E-4012 -E-4013", "\"E-4012\"*",
};

START_TEST(kb_query__hostile_input_is_safe)
{
	opex_search_options so = OPEX_SEARCH_OPTIONS_INIT;
	opex_search_result r;
	opex_error err = OPEX_ERROR_INIT;
	opex_search_index *ix = NULL;
	opex_search_query *q = NULL;
	const char *text = hostile[_i];
	int rc;

	ck_assert_int_eq(opex_search_index_open(&ix, ":memory:", &err), 0);
	rc = opex_search_query_parse(&q, text, strlen(text), &err);
	ck_assert_msg(rc == 0 || rc == OPEX_EINVALID, "'%s': %s", text,
		err.message);
	if (q) {
		rc = opex_search_run(&r, ix, q, &so, &err);
		ck_assert_msg(rc == 0, "'%s': %s", text, err.message);
		ck_assert_uint_eq(r.total, 0);
		opex_search_result_release(&r);
	}
	opex_search_query_free(q);
	opex_search_index_free(ix);
}
END_TEST

START_TEST(kb_query__cjk_split)
{
	opex_buf out = OPEX_BUF_INIT(256);
	const char *s = "ab \xE9\x80\x80\xE6\xAC\xBE\xE7\x94\xB3 c";

	opex_search_text_cjk_split(&out, s, strlen(s));
	ck_assert_str_eq(out.ptr, "ab \xE9\x80\x80\xE2\x80\x8B\xE6\xAC\xBE"
		"\xE2\x80\x8B\xE7\x94\xB3 c");
	ck_assert(opex_search_text_has_cjk(s, strlen(s)));
	ck_assert(!opex_search_text_has_cjk("r\xC3\xA9sum\xC3\xA9", 8));
	opex_buf_release(&out);
}
END_TEST

Suite *suite_query(void)
{
	Suite *s = suite_create("kb_query");
	TCase *tc = tcase_create("parse");

	tcase_add_loop_test(tc, kb_query__translates_every_construct, 0,
		sizeof(translations) / sizeof(translations[0]));
	tcase_add_test(tc, kb_query__filters);
	tcase_add_loop_test(tc, kb_query__odd_input_has_a_reading, 0,
		sizeof(odd) / sizeof(odd[0]));
	tcase_add_loop_test(tc, kb_query__refuses_what_cannot_be_read, 0,
		sizeof(refused) / sizeof(refused[0]));
	tcase_add_test(tc, kb_query__limits);
	tcase_add_test(tc, kb_query__cjk_split);
	suite_add_tcase(s, tc);
	tc = tcase_create("hostile");
	tcase_add_loop_test(tc, kb_query__hostile_input_is_safe, 0,
		sizeof(hostile) / sizeof(hostile[0]));
	suite_add_tcase(s, tc);
	return s;
}

/* check_str.c: slices and text checks (core/str.c), edit distance and word diffs (core/text.c). */
#include "core/str.h"
#include "core/text.h"
#include "core/buf.h"

#include <check.h>
#include <string.h>

#include "core/banned.h"

START_TEST(core_str__slices)
{
	opex_str s = opex_str_from("  hello world \t\n");
	opex_str t = opex_str_trim(s);
	opex_str empty = opex_str_from(NULL);

	ck_assert_uint_eq(s.len, 16);
	ck_assert_uint_eq(t.len, 11);
	ck_assert(opex_str_eq(t, "hello world"));
	ck_assert(!opex_str_eq(t, "hello"));
	ck_assert(opex_str_starts_with(t, "hello"));
	ck_assert(opex_str_starts_with(t, ""));
	ck_assert(!opex_str_starts_with(t, "world"));
	ck_assert(opex_str_ends_with(t, "world"));
	ck_assert(!opex_str_ends_with(t, "hello world!"));
	ck_assert_uint_eq(empty.len, 0);
	ck_assert(opex_str_eq(empty, ""));
	ck_assert_uint_eq(opex_str_trim(opex_str_from(" \t ")).len, 0);
}
END_TEST

/* UTF-8: bytes, valid, offset of the first bad byte. */
static const struct {
	const char *bytes;
	size_t len;
	bool valid;
	size_t bad;
} utf8[] = {
	{ "", 0, true, 0 },
	{ "plain ascii", 11, true, 0 },
	{ "caf\xC3\xA9", 5, true, 0 },
	{ "\xE2\x82\xAC euro", 8, true, 0 },
	{ "\xF0\x9F\x98\x80", 4, true, 0 },                /* U+1F600 */
	{ "\xF4\x8F\xBF\xBF", 4, true, 0 },                /* U+10FFFF */
	{ "\xEF\xBB\xBF", 3, true, 0 },                    /* BOM */
	{ "\xED\x9F\xBF", 3, true, 0 },                    /* U+D7FF */
	{ "\xEE\x80\x80", 3, true, 0 },                    /* U+E000 */
	{ "a\0b", 3, true, 0 },                            /* NUL is UTF-8 */
	{ "\xC0\xAF", 2, false, 0 },                       /* overlong '/' */
	{ "\xC1\xBF", 2, false, 0 },                       /* overlong */
	{ "ab\xE0\x80\xAF", 5, false, 2 },                 /* overlong 3-byte */
	{ "\xF0\x80\x80\xAF", 4, false, 0 },               /* overlong 4-byte */
	{ "x\xED\xA0\x80", 4, false, 1 },                  /* surrogate D800 */
	{ "\xED\xBF\xBF", 3, false, 0 },                   /* surrogate DFFF */
	{ "\xF4\x90\x80\x80", 4, false, 0 },               /* above U+10FFFF */
	{ "\xF5\x80\x80\x80", 4, false, 0 },
	{ "\xFF", 1, false, 0 },
	{ "abc\x80", 4, false, 3 },                        /* stray continuation */
	{ "abc\xE2\x82", 5, false, 3 },                    /* truncated at end */
	{ "\xE2\x82(", 3, false, 0 },                      /* truncated mid */
	{ "ok\xC3", 3, false, 2 },
	{ "\xF0\x9F\x98", 3, false, 0 },
};

START_TEST(core_str__utf8_valid)
{
	size_t bad = 12345;
	bool ok = opex_utf8_valid(utf8[_i].bytes, utf8[_i].len, &bad);

	ck_assert_msg(ok == utf8[_i].valid, "case %d", _i);
	if (!ok)
		ck_assert_msg(bad == utf8[_i].bad, "case %d: bad at %zu, want %zu",
			_i, bad, utf8[_i].bad);
	ck_assert_int_eq(opex_utf8_valid(utf8[_i].bytes, utf8[_i].len, NULL),
		utf8[_i].valid);
}
END_TEST

START_TEST(core_str__nul_and_lines)
{
	static const char text[] = "one\ntwo\r\nthree\n";

	ck_assert(!opex_text_has_nul("abc", 3));
	ck_assert(opex_text_has_nul("a\0c", 3));
	ck_assert(!opex_text_has_nul("", 0));
	ck_assert(!opex_text_has_nul("ab\0", 2));
	ck_assert_uint_eq(opex_text_line_at(text, sizeof(text) - 1, 0), 1);
	ck_assert_uint_eq(opex_text_line_at(text, sizeof(text) - 1, 3), 1);
	ck_assert_uint_eq(opex_text_line_at(text, sizeof(text) - 1, 4), 2);
	ck_assert_uint_eq(opex_text_line_at(text, sizeof(text) - 1, 9), 3);
	ck_assert_uint_eq(opex_text_line_at(text, sizeof(text) - 1, 1000), 4);
	ck_assert_uint_eq(opex_text_line_at("", 0, 0), 1);
}
END_TEST

START_TEST(core_str__strcasecmp)
{
	ck_assert_int_eq(opex_strcasecmp("Maria@Lumen.Example",
		"maria@lumen.example"), 0);
	ck_assert_int_lt(opex_strcasecmp("abc", "abd"), 0);
	ck_assert_int_gt(opex_strcasecmp("abcd", "ABC"), 0);
	ck_assert_int_eq(opex_strcasecmp("", ""), 0);
	/* only ASCII folds */
	ck_assert_int_ne(opex_strcasecmp("\xC3\xA9", "\xC3\x89"), 0);
}
END_TEST

static const struct {
	const char *a, *b;
	size_t max, want;
} distances[] = {
	{ "title", "title", 2, 0 },
	{ "titel", "title", 2, 2 },
	{ "titl", "title", 2, 1 },
	{ "tittle", "title", 2, 1 },
	{ "owner", "ownr", 2, 1 },
	{ "review_evry", "review_every", 2, 1 },
	{ "colour", "title", 2, 3 },
	{ "", "abc", 2, 3 },
	{ "", "", 2, 0 },
	{ "kitten", "sitting", 5, 3 },
	{ "a", "abcdefghijkl", 3, 4 },
	{ "\xC3\xA9t\xC3\xA9", "ete", 5, 4 },
};

START_TEST(core_text__edit_distance)
{
	const char *a = distances[_i].a, *b = distances[_i].b;

	ck_assert_uint_eq(opex_text_edit_distance(a, strlen(a), b, strlen(b),
		distances[_i].max), distances[_i].want);
	ck_assert_uint_eq(opex_text_edit_distance(b, strlen(b), a, strlen(a),
		distances[_i].max), distances[_i].want);
}
END_TEST

START_TEST(core_text__closest)
{
	static const char *const words[] = { "title", "owner", "tags", "teams" };
	char long_a[200], long_b[200];

	ck_assert_str_eq(opex_text_closest("titel", 5, words, 4, 2), "title");
	ck_assert_str_eq(opex_text_closest("team", 4, words, 4, 2), "teams");
	ck_assert_str_eq(opex_text_closest("tag", 3, words, 4, 2), "tags");
	ck_assert_ptr_null(opex_text_closest("journey", 7, words, 4, 2));
	ck_assert_ptr_null(opex_text_closest("x", 1, words, 0, 2));
	/* long strings: equality only, and no stack overflow */
	memset(long_a, 'a', sizeof(long_a));
	memset(long_b, 'a', sizeof(long_b));
	long_b[100] = 'b';
	ck_assert_uint_eq(opex_text_edit_distance(long_a, 200, long_a, 200, 2), 0);
	ck_assert_uint_eq(opex_text_edit_distance(long_a, 200, long_b, 200, 2), 3);
	ck_assert_uint_eq(opex_text_edit_distance(long_a, 200, long_b, 10, 2), 3);
}
END_TEST

START_TEST(core_text__clip)
{
	ck_assert_uint_eq(opex_text_clip("short", 64), 5);
	ck_assert_uint_eq(opex_text_clip("abcdef", 3), 3);
	/* "a\xC3\xA9" cut at 2 would split the e-acute */
	ck_assert_uint_eq(opex_text_clip("a\xC3\xA9" "b", 2), 1);
	ck_assert_uint_eq(opex_text_clip("\xE2\x82\xAC\xE2\x82\xAC", 4), 3);
	ck_assert_uint_eq(opex_text_clip("", 0), 0);
}
END_TEST

/* Runs of a word diff as "-old words" / "=kept" / "+new" lines. */
static void note_run(int change, const char *const *words, const size_t *lens,
	size_t count, void *payload)
{
	opex_buf *out = payload;
	size_t i;

	opex_buf_putc(out, change < 0 ? '-' : change > 0 ? '+' : '=');
	for (i = 0; i < count; i++)
		opex_buf_printf(out, "%s%.*s", i ? " " : "", (int)lens[i], words[i]);
	opex_buf_putc(out, '\n');
}

static const struct {
	const char *old, *new_text, *runs;
} word_diffs[] = {
	{ "", "", "" },
	{ "same words here", "same  words\nhere", "=same words here\n" },
	{ "", "all new", "+all new\n" },
	{ "all gone", "", "-all gone\n" },
	{ "freeze the card then call", "freeze the card and block it then call",
	  "=freeze the card\n+and block it\n=then call\n" },
	{ "refund within 5 days", "refund within 10 days",
	  "=refund within\n-5\n+10\n=days\n" },
	{ "a b c a b b a", "c b a b a c",
	  "-a b\n=c\n+b\n=a b\n-b\n=a\n+c\n" },
};

START_TEST(core_text__word_diff)
{
	opex_buf out = OPEX_BUF_INIT(4096);

	ck_assert(opex_text_word_diff(word_diffs[_i].old,
		strlen(word_diffs[_i].old), word_diffs[_i].new_text,
		strlen(word_diffs[_i].new_text), 100, note_run, &out));
	ck_assert_str_eq(out.len ? out.ptr : "", word_diffs[_i].runs);
	opex_buf_release(&out);
}
END_TEST

/* Texts further apart than the bound are refused, not diffed slowly. */
START_TEST(core_text__word_diff_bound)
{
	opex_buf out = OPEX_BUF_INIT(4096);

	ck_assert(!opex_text_word_diff("a b c d e", 9, "v w x y z", 9, 3,
		note_run, &out));
	ck_assert_uint_eq(out.len, 0);
	ck_assert(opex_text_word_diff("a b c d e", 9, "v w x y z", 9, 10,
		note_run, &out));
	ck_assert_str_eq(out.ptr, "-a b c d e\n+v w x y z\n");
	opex_buf_release(&out);
}
END_TEST

/* FNV-1a 64: the published test vectors. */
START_TEST(core_str__hash)
{
	ck_assert(opex_str_hash("") == 0xcbf29ce484222325ull);
	ck_assert(opex_str_hash("a") == 0xaf63dc4c8601ec8cull);
	ck_assert(opex_str_hash("foobar") == 0x85944171f73967e8ull);
}
END_TEST

Suite *suite_str(void)
{
	Suite *s = suite_create("core_str");
	TCase *tc = tcase_create("opex_str");
	TCase *text = tcase_create("opex_text");

	tcase_add_test(tc, core_str__slices);
	tcase_add_loop_test(tc, core_str__utf8_valid, 0,
		(int)(sizeof(utf8) / sizeof(utf8[0])));
	tcase_add_test(tc, core_str__nul_and_lines);
	tcase_add_test(tc, core_str__strcasecmp);
	tcase_add_test(tc, core_str__hash);
	tcase_add_loop_test(text, core_text__edit_distance, 0,
		(int)(sizeof(distances) / sizeof(distances[0])));
	tcase_add_test(text, core_text__closest);
	tcase_add_test(text, core_text__clip);
	tcase_add_loop_test(text, core_text__word_diff, 0,
		(int)(sizeof(word_diffs) / sizeof(word_diffs[0])));
	tcase_add_test(text, core_text__word_diff_bound);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, text);
	return s;
}

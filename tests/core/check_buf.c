/* check_buf.c: the bounded buffer (core/buf.c). */
#include "core/buf.h"
#include "core/memory.h"

#include <check.h>
#include <string.h>

#include "core/banned.h"

START_TEST(core_buf__starts_empty_and_terminated)
{
	opex_buf b = OPEX_BUF_INIT(16);
	opex_buf c;

	ck_assert_ptr_nonnull(b.ptr);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_str_eq(b.ptr, "");
	ck_assert(!b.failed);
	opex_buf_init(&c, 8);
	ck_assert_ptr_nonnull(c.ptr);
	ck_assert_uint_eq(c.max, 8);
	opex_buf_release(&c);
	opex_buf_release(&b);
	ck_assert_ptr_nonnull(b.ptr);
	ck_assert_uint_eq(b.max, 16);
}
END_TEST

START_TEST(core_buf__appends)
{
	opex_buf b = OPEX_BUF_INIT(1024);

	opex_buf_puts(&b, "abc");
	opex_buf_putc(&b, '-');
	opex_buf_put(&b, "xyz", 2);
	opex_buf_printf(&b, "[%d:%s]", 42, "ok");
	ck_assert_str_eq(b.ptr, "abc-xy[42:ok]");
	ck_assert_uint_eq(b.len, 13);
	ck_assert_int_eq(b.ptr[b.len], '\0');
	opex_buf_put(&b, "", 0);
	ck_assert_uint_eq(b.len, 13);
	opex_buf_release(&b);
}
END_TEST

START_TEST(core_buf__holds_nul_bytes)
{
	opex_buf b = OPEX_BUF_INIT(64);

	opex_buf_put(&b, "a\0b", 3);
	ck_assert_uint_eq(b.len, 3);
	ck_assert_int_eq(memcmp(b.ptr, "a\0b", 4), 0);
	opex_buf_release(&b);
}
END_TEST

/* Appends past max are dropped whole and set the sticky flag. */
static const struct {
	size_t max;
	const char *first, *second;
	const char *content;
	int failed;
} limits[] = {
	{ 0, "", "", "", 0 },
	{ 0, "a", "", "", 1 },
	{ 3, "abc", "", "abc", 0 },
	{ 3, "ab", "cd", "ab", 1 },
	{ 4, "abcde", "x", "", 1 },
	{ 5, "ab", "cde", "abcde", 0 },
};

START_TEST(core_buf__max_and_failed)
{
	opex_buf b = OPEX_BUF_INIT(limits[_i].max);

	opex_buf_puts(&b, limits[_i].first);
	opex_buf_puts(&b, limits[_i].second);
	ck_assert_str_eq(b.ptr, limits[_i].content);
	ck_assert_int_eq(b.failed, limits[_i].failed);
	ck_assert_uint_le(b.len, b.max);
	/* sticky: even a fitting append is refused afterwards */
	if (b.failed) {
		opex_buf_puts(&b, "");
		ck_assert(b.failed);
	}
	opex_buf_release(&b);
}
END_TEST

START_TEST(core_buf__failed_is_sticky_until_clear)
{
	opex_buf b = OPEX_BUF_INIT(4);

	opex_buf_puts(&b, "abcdef");
	ck_assert(b.failed);
	opex_buf_putc(&b, 'a');
	ck_assert_uint_eq(b.len, 0);
	opex_buf_printf(&b, "%s", "toolong");
	ck_assert(b.failed);
	opex_buf_clear(&b);
	ck_assert(!b.failed);
	opex_buf_puts(&b, "abcd");
	ck_assert_str_eq(b.ptr, "abcd");
	opex_buf_release(&b);
}
END_TEST

START_TEST(core_buf__printf_past_max)
{
	opex_buf b = OPEX_BUF_INIT(8);

	opex_buf_printf(&b, "%d", 1234567);
	ck_assert(!b.failed);
	opex_buf_printf(&b, "%d", 89);
	ck_assert(b.failed);
	ck_assert_str_eq(b.ptr, "1234567");
	opex_buf_release(&b);
}
END_TEST

START_TEST(core_buf__grows_large)
{
	opex_buf b = OPEX_BUF_INIT(1u << 20);
	size_t i;

	for (i = 0; i < 100000; i++)
		opex_buf_putc(&b, 'a' + (int)(i % 26));
	ck_assert(!b.failed);
	ck_assert_uint_eq(b.len, 100000);
	ck_assert_int_eq(b.ptr[99999], 'a' + 99999 % 26);
	ck_assert_uint_ge(b.cap, b.len + 1);
	opex_buf_grow(&b, 1u << 20);
	ck_assert(b.failed);
	opex_buf_release(&b);
}
END_TEST

START_TEST(core_buf__truncate_clear_detach)
{
	opex_buf b = OPEX_BUF_INIT(64);
	size_t len = 99;
	char *s;

	opex_buf_puts(&b, "hello world");
	opex_buf_truncate(&b, 5);
	ck_assert_str_eq(b.ptr, "hello");
	opex_buf_truncate(&b, 50);
	ck_assert_str_eq(b.ptr, "hello");
	s = opex_buf_detach(&b, &len);
	ck_assert_str_eq(s, "hello");
	ck_assert_uint_eq(len, 5);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_str_eq(b.ptr, "");
	opex_free(s);
	/* detaching an empty buffer still gives a string to free */
	s = opex_buf_detach(&b, NULL);
	ck_assert_str_eq(s, "");
	opex_free(s);
	opex_buf_puts(&b, "again");
	opex_buf_clear(&b);
	ck_assert_str_eq(b.ptr, "");
	opex_buf_release(&b);
}
END_TEST

Suite *suite_buf(void)
{
	Suite *s = suite_create("core_buf");
	TCase *tc = tcase_create("opex_buf");

	tcase_add_test(tc, core_buf__starts_empty_and_terminated);
	tcase_add_test(tc, core_buf__appends);
	tcase_add_test(tc, core_buf__holds_nul_bytes);
	tcase_add_loop_test(tc, core_buf__max_and_failed, 0,
		(int)(sizeof(limits) / sizeof(limits[0])));
	tcase_add_test(tc, core_buf__failed_is_sticky_until_clear);
	tcase_add_test(tc, core_buf__printf_past_max);
	tcase_add_test(tc, core_buf__grows_large);
	tcase_add_test(tc, core_buf__truncate_clear_detach);
	suite_add_tcase(s, tc);
	return s;
}

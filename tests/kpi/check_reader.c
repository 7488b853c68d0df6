/* check_reader.c: kpi/reader.c, CSV and JSON lines with hostile input. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/memory.h"
#include "kpi/kpi_int.h"

typedef struct seen {
	opex_buf text;           /* "line:field|field\n" per record */
	size_t records, bad;
} seen;

static int collect(const kpi_record *rec, void *payload)
{
	seen *s = payload;
	size_t i;

	s->records++;
	if (rec->error != NULL) {
		s->bad++;
		opex_buf_printf(&s->text, "%u:!%s\n", rec->line, rec->error);
		return 0;
	}
	opex_buf_printf(&s->text, "%u:", rec->line);
	for (i = 0; i < rec->count; i++) {
		if (i)
			opex_buf_putc(&s->text, '|');
		if (rec->names)
			opex_buf_printf(&s->text, "%s=", rec->names[i]);
		opex_buf_put(&s->text, rec->fields[i].ptr, rec->fields[i].len);
	}
	opex_buf_putc(&s->text, '\n');
	return 0;
}

static int run(seen *s, const char *data, size_t len, kpi_format format,
	char delim, opex_error *err)
{
	kpi_reader_input in = { NULL, data, len };

	opex_buf_init(&s->text, 1u << 20);
	s->records = s->bad = 0;
	return kpi_reader_run(&in, "x.csv", format, delim, collect, s, err);
}

START_TEST(kpi_reader__csv_rfc4180)
{
	static const char data[] = "\xEF\xBB\xBFid;note;status\r\n"
		"1;\"a;b\";open\r\n"
		"2;\"two\nlines \"\"quoted\"\"\";solved\r\n"
		"\n"
		"3;;new\r\n";
	seen s;
	opex_error err = OPEX_ERROR_INIT;

	ck_assert_int_eq(run(&s, data, sizeof(data) - 1, KPI_FORMAT_CSV, 0, &err), 0);
	ck_assert_str_eq(s.text.ptr,
		"1:id|note|status\n"
		"2:1|a;b|open\n"
		"3:2|two\nlines \"quoted\"|solved\n"
		"6:3||new\n");
	opex_buf_release(&s.text);
}
END_TEST

START_TEST(kpi_reader__csv_tab_and_comma)
{
	static const char tab[] = "a\tb\n1\t2\n";
	static const char comma[] = "a,b\n1,2";
	seen s;

	ck_assert_int_eq(run(&s, tab, sizeof(tab) - 1, KPI_FORMAT_CSV, 0, NULL), 0);
	ck_assert_str_eq(s.text.ptr, "1:a|b\n2:1|2\n");
	opex_buf_release(&s.text);
	ck_assert_int_eq(run(&s, comma, sizeof(comma) - 1, KPI_FORMAT_CSV, 0, NULL), 0);
	ck_assert_str_eq(s.text.ptr, "1:a|b\n2:1|2\n");
	opex_buf_release(&s.text);
}
END_TEST

START_TEST(kpi_reader__bad_bytes)
{
	static const char data[] = "id,v\n1,ok\n2,\xff\xfe\n3,a\0b\n4,fine\n";
	seen s;

	ck_assert_int_eq(run(&s, data, sizeof(data) - 1, KPI_FORMAT_CSV, 0, NULL), 0);
	ck_assert_str_eq(s.text.ptr, "1:id|v\n2:1|ok\n"
		"3:!the record is not valid UTF-8\n"
		"4:!the record holds a NUL byte\n"
		"5:4|fine\n");
	ck_assert_uint_eq(s.bad, 2);
	opex_buf_release(&s.text);
}
END_TEST

START_TEST(kpi_reader__unclosed_quote)
{
	static const char data[] = "id,v\n1,\"open\n2,x\n";
	seen s;
	opex_error err = OPEX_ERROR_INIT;

	ck_assert_int_eq(run(&s, data, sizeof(data) - 1, KPI_FORMAT_CSV, 0, &err),
		OPEX_EINVALID);
	ck_assert_str_eq(err.message,
		"x.csv:2: error: a quoted field is not closed at the end of the file");
	opex_buf_release(&s.text);
}
END_TEST

/* A line past the cap fails once the cap is read, from a stream. */
START_TEST(kpi_reader__long_line)
{
	size_t big = OPEX_LIMIT_KPI_RECORD_BYTES + 4096, i;
	FILE *f = tmpfile();
	kpi_reader_input in = { NULL, NULL, 0 };
	opex_error err = OPEX_ERROR_INIT;
	seen s;

	ck_assert_ptr_nonnull(f);
	fputs("id,v\n1,", f);
	for (i = 0; i < big; i++)
		fputc('x', f);
	fputs("\n2,y\n", f);
	rewind(f);
	in.file = f;
	opex_buf_init(&s.text, 1u << 20);
	s.records = s.bad = 0;
	ck_assert_int_eq(kpi_reader_run(&in, "big.csv", KPI_FORMAT_CSV, ',',
		collect, &s, &err), OPEX_ETOOBIG);
	ck_assert_str_eq(err.message,
		"big.csv:2: error: the line is longer than 1048576 bytes");
	ck_assert_uint_eq(s.records, 1);
	fclose(f);
	opex_buf_release(&s.text);
}
END_TEST

START_TEST(kpi_reader__jsonl)
{
	static const char data[] = "{\"id\": 7, \"tags\": [\"market_uk\", \"x\"], \"n\": null, \"ok\": true}\n"
		"\n"
		"[1, 2]\n"
		"{\"id\": \"8\"}";
	seen s;

	ck_assert_int_eq(run(&s, data, sizeof(data) - 1, KPI_FORMAT_JSONL, 0, NULL), 0);
	ck_assert_str_eq(s.text.ptr,
		"1:id=7|tags=market_uk x|ok=true\n"
		"3:!the line is not a JSON object\n"
		"4:id=8\n");
	opex_buf_release(&s.text);
}
END_TEST

Suite *suite_reader(void)
{
	Suite *s = suite_create("kpi_reader");
	TCase *tc = tcase_create("run");

	tcase_add_test(tc, kpi_reader__csv_rfc4180);
	tcase_add_test(tc, kpi_reader__csv_tab_and_comma);
	tcase_add_test(tc, kpi_reader__bad_bytes);
	tcase_add_test(tc, kpi_reader__unclosed_quote);
	tcase_add_test(tc, kpi_reader__long_line);
	tcase_add_test(tc, kpi_reader__jsonl);
	suite_add_tcase(s, tc);
	return s;
}

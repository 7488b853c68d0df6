/* check_settings.c: opex.yaml and BCP 47 tags (kb/settings.c). */
#include "kb/kb.h"
#include "core/time.h"

#include "support/test_util.h"

#include <check.h>
#include <string.h>

#include "core/banned.h"

#define PATH "opex.yaml"

static const struct {
	const char *tag;
	bool valid;
} tags[] = {
	{ "en", true },
	{ "fr", true },
	{ "id", true },
	{ "EN", true },
	{ "fr-CA", true },
	{ "pt-br", true },
	{ "zh-Hant", true },
	{ "zh-Hant-TW", true },
	{ "es-419", true },
	{ "sr-Latn-RS", true },
	{ "yue", true },
	{ "zh-yue-HK", true },
	{ "de-CH-1901", true },
	{ "sl-rozaj-biske", true },
	{ "ca-valencia", true },
	{ "en-US-u-ca-gregory", true },
	{ "en-a-bbb-x-a-ccc", true },
	{ "x-klingon", true },
	{ "en-x-internal", true },
	{ "", false },
	{ "e", false },
	{ "english", false },
	{ "en_US", false },
	{ "en-", false },
	{ "-en", false },
	{ "en--US", false },
	{ "en-US-", false },
	{ "abcd", false },
	{ "e1", false },
	{ "en-U", false },
	{ "en-u", false },
	{ "en-x", false },
	{ "x", false },
	{ "en-toolongsubtag", false },
	{ "fr CA", false },
	{ "fr-\xC3\xA9", false },
	{ "en-US-12", false },
};

START_TEST(kb_settings__language_valid)
{
	ck_assert_msg(opex_kb_language_valid(tags[_i].tag) == tags[_i].valid,
		"'%s' should be %s", tags[_i].tag,
		tags[_i].valid ? "valid" : "invalid");
}
END_TEST

START_TEST(kb_settings__language_null)
{
	ck_assert(!opex_kb_language_valid(NULL));
}
END_TEST

START_TEST(kb_settings__defaults)
{
	opex_kb_settings s;

	opex_kb_settings_init(&s);
	ck_assert_uint_eq(s.language_count, 0);
	ck_assert_uint_eq(s.market_count, 0);
	ck_assert_int_eq(s.review_every, 180 * OPEX_DAY_SECONDS);
	ck_assert(s.capacity_hours_per_fte_week == 30);
	opex_kb_settings_release(&s);
}
END_TEST

START_TEST(kb_settings__parses)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	const char *text = "languages: [en, fr, id]\nreview_every: 90d\n"
			   "markets:\n  - uk\n  - fr\n"
			   "capacity_hours_per_fte_week: 32.5\n";
	opex_kb_settings s;

	opex_kb_settings_init(&s);
	opex_kb_settings_parse(&s, PATH, text, strlen(text), &diags);
	ck_assert_uint_eq(diags.count, 0);
	ck_assert_uint_eq(s.language_count, 3);
	ck_assert_str_eq(s.languages[2], "id");
	ck_assert_uint_eq(s.market_count, 2);
	ck_assert_str_eq(s.markets[0], "uk");
	ck_assert_int_eq(s.review_every, 90 * OPEX_DAY_SECONDS);
	ck_assert(s.capacity_hours_per_fte_week == 32.5);
	opex_kb_settings_release(&s);
	ck_assert_uint_eq(s.language_count, 0);
	opex_diag_list_release(&diags);
}
END_TEST

START_TEST(kb_settings__single_scalar_is_a_list)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	const char *text = "languages: en\nmarkets: uk\n";
	opex_kb_settings s;

	opex_kb_settings_init(&s);
	opex_kb_settings_parse(&s, PATH, text, strlen(text), &diags);
	ck_assert_uint_eq(diags.count, 0);
	ck_assert_uint_eq(s.language_count, 1);
	ck_assert_uint_eq(s.market_count, 1);
	opex_kb_settings_release(&s);
	opex_diag_list_release(&diags);
}
END_TEST

static const struct {
	const char *text;
	unsigned line;
	opex_severity severity;
	const char *message;
	size_t languages;
	int64_t review_days;
} problems[] = {
	{ "languages: [en, english, fr]\n", 1, OPEX_SEVERITY_ERROR,
	  "language 'english' is not a BCP 47 tag", 2, 180 },
	{ "languages:\n  - en\n  - en_US\n", 3, OPEX_SEVERITY_ERROR,
	  "language 'en_US'", 1, 180 },
	{ "languages: {en: 1}\n", 1, OPEX_SEVERITY_ERROR,
	  "'languages' must be a list, not a mapping", 0, 180 },
	{ "languages: [[en]]\n", 1, OPEX_SEVERITY_ERROR,
	  "'languages' must be a list of strings", 0, 180 },
	{ "review_every: soon\n", 1, OPEX_SEVERITY_ERROR,
	  "'review_every': 'soon' is not a duration", 0, 180 },
	{ "review_every: [1d]\n", 1, OPEX_SEVERITY_ERROR,
	  "'review_every' must be a duration", 0, 180 },
	{ "languages: [en]\nreview_evry: 30d\n", 2, OPEX_SEVERITY_WARNING,
	  "unknown setting 'review_evry' (did you mean 'review_every'?)", 1, 180 },
	{ "colour: blue\n", 1, OPEX_SEVERITY_WARNING, "unknown setting 'colour'",
	  0, 180 },
	{ "- en\n- fr\n", 1, OPEX_SEVERITY_ERROR, "settings must be a mapping",
	  0, 180 },
	{ "languages: [en\n", 2, OPEX_SEVERITY_ERROR, "", 0, 180 },
	{ "review_every: 30d\nreview_every: 60d\n", 2, OPEX_SEVERITY_ERROR,
	  "duplicate key 'review_every'", 0, 180 },
	{ "markets: [uk, '']\nreview_every: 7d\n", 1, OPEX_SEVERITY_ERROR,
	  "'markets' has an empty item", 0, 7 },
	{ "capacity_hours_per_fte_week: -30\n", 1, OPEX_SEVERITY_ERROR,
	  "'capacity_hours_per_fte_week' must be a number of hours above 0", 0, 180 },
	{ "capacity_hours_per_fte_week: 30h\n", 1, OPEX_SEVERITY_ERROR,
	  "'capacity_hours_per_fte_week' must be a number", 0, 180 },
};

START_TEST(kb_settings__problems)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	const char *text = problems[_i].text;
	opex_kb_settings s;
	const opex_diag *d;

	opex_kb_settings_init(&s);
	opex_kb_settings_parse(&s, PATH, text, strlen(text), &diags);
	if (diags.count != 1)
		opex_test_dump_diags(&diags);
	ck_assert_uint_eq(diags.count, 1);
	d = &diags.items[0];
	ck_assert_str_eq(d->rule, "settings-invalid");
	ck_assert_str_eq(d->path, PATH);
	ck_assert_uint_eq(d->line, problems[_i].line);
	ck_assert_int_eq(d->severity, problems[_i].severity);
	ck_assert_msg(strstr(d->message, problems[_i].message) != NULL,
		"case %d: '%s' lacks '%s'", _i, d->message, problems[_i].message);
	ck_assert_uint_eq(s.language_count, problems[_i].languages);
	ck_assert_int_eq(s.review_every,
		problems[_i].review_days * OPEX_DAY_SECONDS);
	opex_kb_settings_release(&s);
	opex_diag_list_release(&diags);
}
END_TEST

START_TEST(kb_settings__empty)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_kb_settings s;

	opex_kb_settings_init(&s);
	opex_kb_settings_parse(&s, PATH, "", 0, &diags);
	opex_kb_settings_parse(&s, PATH, NULL, 0, &diags);
	opex_kb_settings_parse(&s, PATH, "languages:\n", 11, &diags);
	/* sections read elsewhere are no unknown settings */
	opex_kb_settings_parse(&s, PATH, "kpi:\n  sources: []\nlint: {}\n", 28, &diags);
	opex_test_dump_diags(&diags);
	ck_assert_uint_eq(diags.count, 0);
	ck_assert_int_eq(s.review_every, 180 * OPEX_DAY_SECONDS);
	opex_kb_settings_release(&s);
	opex_diag_list_release(&diags);
}
END_TEST

START_TEST(kb_settings__lint_section_is_known)
{
	static const char text[] =
		"review_every: 90d\nlint:\n  step-without-article: off\n";
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_kb_settings s;

	opex_kb_settings_init(&s);
	opex_kb_settings_parse(&s, PATH, text, sizeof(text) - 1, &diags);
	ck_assert_uint_eq(diags.count, 0);
	ck_assert_int_eq(s.review_every, 90 * OPEX_DAY_SECONDS);
	opex_kb_settings_release(&s);
	opex_diag_list_release(&diags);
}
END_TEST

Suite *suite_settings(void)
{
	Suite *s = suite_create("kb_settings");
	TCase *lang = tcase_create("opex_kb_language_valid");
	TCase *tc = tcase_create("opex_kb_settings_parse");

	tcase_add_loop_test(lang, kb_settings__language_valid, 0,
		(int)(sizeof(tags) / sizeof(tags[0])));
	tcase_add_test(lang, kb_settings__language_null);
	tcase_add_test(tc, kb_settings__defaults);
	tcase_add_test(tc, kb_settings__parses);
	tcase_add_test(tc, kb_settings__single_scalar_is_a_list);
	tcase_add_loop_test(tc, kb_settings__problems, 0,
		(int)(sizeof(problems) / sizeof(problems[0])));
	tcase_add_test(tc, kb_settings__empty);
	tcase_add_test(tc, kb_settings__lint_section_is_known);
	suite_add_tcase(s, lang);
	suite_add_tcase(s, tc);
	return s;
}

/*
 * roster_fuzzer.c: the same bytes read as people.yaml and as opex.yaml,
 * then every kept entry looked up again.
 */
#include "kb/kb.h"
#include "core/limits.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_kb_roster roster;
	opex_kb_settings settings;
	size_t i;

	if (size > OPEX_LIMIT_FILE_BYTES)
		return 0;
	opex_kb_roster_parse(&roster, "people.yaml", (const char *)data, size,
		&diags);
	for (i = 0; i < roster.person_count; i++) {
		const opex_kb_person *p = &roster.people[i];

		if (opex_kb_roster_person(&roster, p->id) != p ||
		    opex_kb_roster_person_by_email(&roster, p->email) != p)
			abort();
	}
	for (i = 0; i < roster.team_count; i++)
		if (opex_kb_roster_team(&roster, roster.teams[i].id) !=
		    &roster.teams[i])
			abort();
	opex_kb_roster_release(&roster);

	opex_kb_settings_init(&settings);
	opex_kb_settings_parse(&settings, "opex.yaml", (const char *)data, size,
		&diags);
	for (i = 0; i < settings.language_count; i++)
		if (!opex_kb_language_valid(settings.languages[i]))
			abort();
	opex_kb_settings_release(&settings);
	opex_diag_list_release(&diags);
	return 0;
}

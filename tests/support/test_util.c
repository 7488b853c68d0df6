/* test_util.c: helpers shared by the Check suites. */
#define _XOPEN_SOURCE 700
#include "test_util.h"
#include "core/memory.h"

#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/banned.h"

char *opex_test_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char tmpl[4096];
	char *dir;

	snprintf(tmpl, sizeof(tmpl), "%s/opex-test-XXXXXX",
		base && *base ? base : "/tmp");
	dir = mkdtemp(tmpl);
	ck_assert_msg(dir != NULL, "cannot create a temporary folder");
	return opex_strdup(dir);
}

static int remove_one(const char *path, const struct stat *sb, int flag,
	struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void opex_test_rmtree(char *path)
{
	if (path == NULL)
		return;
	nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	opex_free(path);
}

char *opex_test_source_path(const char *rel)
{
	const char *root = getenv("OPEX_SOURCE_DIR");
	size_t n;
	char *p;

	ck_assert_msg(root != NULL, "OPEX_SOURCE_DIR is not set");
	n = strlen(root) + strlen(rel) + 2;
	p = opex_malloc(n);
	snprintf(p, n, "%s/%s", root, rel);
	return p;
}

int opex_test_has_diag(const opex_diag_list *diags, const char *rule,
	const char *path, unsigned line)
{
	size_t i;

	for (i = 0; i < diags->count; i++) {
		const opex_diag *d = &diags->items[i];

		if (strcmp(d->rule, rule) == 0 &&
		    (path == NULL || strcmp(d->path, path) == 0) &&
		    (line == 0 || d->line == line))
			return 1;
	}
	return 0;
}

void opex_test_dump_diags(const opex_diag_list *diags)
{
	size_t i;

	for (i = 0; i < diags->count; i++) {
		const opex_diag *d = &diags->items[i];

		fprintf(stderr, "  %s:%u:%u: %s: %s [%s]\n", d->path, d->line,
			d->col, opex_severity_name(d->severity), d->message,
			d->rule);
	}
}

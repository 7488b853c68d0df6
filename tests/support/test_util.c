/* test_util.c: helpers shared by the Check suites. */
#define _XOPEN_SOURCE 700
#include "test_util.h"
#include "repo_fixture.h"
#include "core/memory.h"

#include <check.h>
#include <dirent.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

char *opex_test_read_file(const char *path, size_t *len_out)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	long size = -1;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0)
		size = ftell(f);
	if (size < 0 || fseek(f, 0, SEEK_SET) != 0)
		goto done;
	data = opex_malloc((size_t)size + 1);
	if (fread(data, 1, (size_t)size, f) != (size_t)size) {
		opex_free(data);
		data = NULL;
		goto done;
	}
	data[size] = '\0';
	if (len_out)
		*len_out = (size_t)size;
done:
	fclose(f);
	return data;
}

static void put_dir(opex_test_repo *repo, const char *disk, const char *rel)
{
	DIR *dir = opendir(disk);
	struct dirent *entry;

	ck_assert_msg(dir != NULL, "cannot open '%s'", disk);
	while ((entry = readdir(dir)) != NULL) {
		char child[4096], child_rel[4096];
		struct stat st;

		if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
			continue;
		snprintf(child, sizeof(child), "%s/%s", disk, entry->d_name);
		snprintf(child_rel, sizeof(child_rel), "%s%s%s", rel,
			*rel ? "/" : "", entry->d_name);
		ck_assert(stat(child, &st) == 0);
		if (S_ISDIR(st.st_mode)) {
			put_dir(repo, child, child_rel);
		} else {
			size_t len = 0;
			char *data = opex_test_read_file(child, &len);

			ck_assert_msg(data != NULL, "cannot read '%s'", child);
			opex_test_repo_put_bytes(repo, child_rel, data, len);
			opex_free(data);
		}
	}
	closedir(dir);
}

void opex_test_repo_put_dir(struct opex_test_repo *repo, const char *rel)
{
	char *disk = opex_test_source_path(rel);

	put_dir(repo, disk, "");
	opex_free(disk);
}

int opex_test_run_opex(const char *args, char **out, char **err)
{
	const char *bin = getenv("OPEX_BINARY_DIR");
	char *dir = opex_test_tmpdir();
	char cmd[8192], path[4200];
	int status;

	ck_assert_msg(bin != NULL, "OPEX_BINARY_DIR is not set");
	snprintf(cmd, sizeof(cmd), "'%s/cli/opex' %s >'%s/out' 2>'%s/err'",
		bin, args, dir, dir);
	status = system(cmd);
	ck_assert_msg(status != -1 && WIFEXITED(status), "cannot run '%s'", cmd);
	snprintf(path, sizeof(path), "%s/out", dir);
	*out = opex_test_read_file(path, NULL);
	snprintf(path, sizeof(path), "%s/err", dir);
	*err = opex_test_read_file(path, NULL);
	ck_assert(*out != NULL && *err != NULL);
	opex_test_rmtree(dir);
	return WEXITSTATUS(status);
}

int opex_test_run_opexf(char **out, char **err, const char *fmt, ...)
{
	char args[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	return opex_test_run_opex(args, out, err);
}

/*
 * standalone_driver.c: replay fuzz inputs without libFuzzer, so the corpora
 * run as ordinary tests under gcc and the sanitizers.
 *
 *   usage: <target>_replay FILE|DIR...
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	long size;
	int error = -1;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0)
		goto done;
	size = ftell(f);
	if (size < 0 || fseek(f, 0, SEEK_SET) != 0)
		goto done;
	data = malloc((size_t)size + 1);
	if (data == NULL || fread(data, 1, (size_t)size, f) != (size_t)size)
		goto done;
	LLVMFuzzerTestOneInput(data, (size_t)size);
	error = 0;
done:
	if (error)
		fprintf(stderr, "cannot read '%s'\n", path);
	free(data);
	if (f)
		fclose(f);
	return error;
}

static int run_path(const char *path, unsigned *count)
{
	struct stat st;
	DIR *dir;
	struct dirent *entry;
	char child[4096];
	int error = 0;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "cannot read '%s'\n", path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		(*count)++;
		return run_file(path);
	}
	dir = opendir(path);
	if (dir == NULL)
		return -1;
	while ((entry = readdir(dir)) != NULL) {
		if (entry->d_name[0] == '.')
			continue;
		snprintf(child, sizeof(child), "%s/%s", path, entry->d_name);
		if (run_path(child, count) < 0)
			error = -1;
	}
	closedir(dir);
	return error;
}

int main(int argc, char **argv)
{
	unsigned count = 0;
	int i, error = 0;

	for (i = 1; i < argc; i++)
		if (run_path(argv[i], &count) < 0)
			error = 1;
	printf("replayed %u inputs\n", count);
	return error;
}

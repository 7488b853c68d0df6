/* file.c: whole files of the work tree (see file.h). */
#define _POSIX_C_SOURCE 200809L
#include "core/file.h"
#include "core/memory.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/banned.h"

int opex_file_read(opex_buf *out, const char *path, opex_error *err)
{
	char chunk[65536];
	FILE *f = fopen(path, "rb");
	size_t n;
	int error = 0;

	opex_buf_clear(out);
	if (f == NULL)
		return opex_error_set(err, errno == ENOENT ? OPEX_ENOTFOUND : OPEX_EIO,
			"%s: %s", path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		opex_buf_put(out, chunk, n);
		if (out->failed) {
			error = opex_error_set(err, OPEX_ETOOBIG,
				"%s: larger than %zu bytes", path, out->max);
			break;
		}
	}
	if (error == 0 && ferror(f))
		error = opex_error_set(err, OPEX_EIO, "%s: cannot be read", path);
	fclose(f);
	return error;
}

int opex_file_replace(const char *path, const char *data, size_t len,
	opex_error *err)
{
	size_t tmp_len = strlen(path) + 8, written = 0;
	char *tmp = opex_malloc(tmp_len);
	int fd, saved = 0;

	snprintf(tmp, tmp_len, "%s.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		saved = errno;
		opex_free(tmp);
		return opex_error_set(err, OPEX_EIO, "%s: %s", path,
			strerror(saved));
	}
	while (written < len) {
		ssize_t n = write(fd, data + written, len - written);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			saved = n < 0 ? errno : ENOSPC;
			break;
		}
		written += (size_t)n;
	}
	/* mkstemp makes it 0600: a handbook file is as readable as any other */
	if (saved == 0 && fchmod(fd, 0644) != 0)
		saved = errno;
	if (close(fd) != 0 && saved == 0)
		saved = errno;
	if (saved == 0 && rename(tmp, path) != 0)
		saved = errno;
	if (saved != 0)
		unlink(tmp);
	opex_free(tmp);
	if (saved != 0)
		return opex_error_set(err, OPEX_EIO, "%s: %s", path,
			strerror(saved));
	return 0;
}

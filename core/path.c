/* path.c: validation and resolution of handbook paths. */
#define _POSIX_C_SOURCE 200809L /* mkdir */

#include "core/path.h"
#include "core/limits.h"
#include "core/memory.h"

#include <string.h>
#include <sys/stat.h>

bool opex_path_is_clean(const char *path)
{
	const char *p = path, *seg;
	size_t n;

	if (path == NULL || *path == '\0' || *path == '/')
		return false;
	if (strlen(path) > OPEX_LIMIT_PATH_BYTES)
		return false;
	while (*p) {
		seg = p;
		while (*p && *p != '/')
			p++;
		n = (size_t)(p - seg);
		if (n == 0 || (n == 1 && seg[0] == '.') ||
		    (n == 2 && seg[0] == '.' && seg[1] == '.'))
			return false;
		if (*p == '/') {
			p++;
			if (*p == '\0')
				return false;
		}
	}
	return true;
}

/* Drop the last component of `out` (which holds a clean path or ""). */
static bool pop_component(opex_buf *out)
{
	char *slash;

	if (out->len == 0)
		return false;
	slash = strrchr(out->ptr, '/');
	opex_buf_truncate(out, slash ? (size_t)(slash - out->ptr) : 0);
	return true;
}

static void push_component(opex_buf *out, const char *seg, size_t n)
{
	if (out->len)
		opex_buf_putc(out, '/');
	opex_buf_put(out, seg, n);
}

int opex_path_resolve(opex_buf *out, const char *from, const char *ref,
	opex_error *err)
{
	const char *slash, *p, *seg;
	size_t n;

	opex_buf_clear(out);
	if (ref[0] != '/') {
		slash = strrchr(from, '/');
		if (slash)
			opex_buf_put(out, from, (size_t)(slash - from));
	}
	p = ref;
	while (*p) {
		while (*p == '/')
			p++;
		seg = p;
		while (*p && *p != '/')
			p++;
		n = (size_t)(p - seg);
		if (n == 0 || (n == 1 && seg[0] == '.'))
			continue;
		if (n == 2 && seg[0] == '.' && seg[1] == '.') {
			if (!pop_component(out))
				return opex_error_set(err, OPEX_EINVALID,
					"link '%s' leaves the handbook", ref);
			continue;
		}
		push_component(out, seg, n);
	}
	if (out->failed)
		return opex_error_set(err, OPEX_ETOOBIG, "link '%.64s...' is too long", ref);
	if (out->len == 0)
		return opex_error_set(err, OPEX_EINVALID,
			"link '%s' names no file", ref);
	return 0;
}

bool opex_path_has_suffix(const char *path, const char *suffix)
{
	size_t a = strlen(path), b = strlen(suffix);

	return a >= b && memcmp(path + a - b, suffix, b) == 0;
}

bool opex_path_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(path, dir, n) == 0 && path[n] == '/';
}

void opex_path_make_parent(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;

	if (slash == NULL || slash == path)
		return;
	dir = opex_strndup(path, (size_t)(slash - path));
	(void)mkdir(dir, 0777);
	opex_free(dir);
}

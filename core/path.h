/*
 * path.h: handbook paths. A handbook path is relative to the repository
 * root, uses '/', has no empty, "." or ".." component and no leading '/'.
 */
#ifndef OPEX_CORE_PATH_H
#define OPEX_CORE_PATH_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

/** True if `path` is a well-formed handbook path (see above). */
bool opex_path_is_clean(const char *path);

/**
 * Resolve the relative reference `ref` (a link target without query or
 * fragment) against the folder of the handbook file `from`, writing the
 * clean handbook path to `out`. A `ref` starting with '/' is taken from the
 * repository root. Fails with OPEX_EINVALID when the result would leave the
 * repository or is empty.
 */
int opex_path_resolve(opex_buf *out, const char *from, const char *ref,
	opex_error *err);

/** True if `path` ends with `suffix` (e.g. ".md"). */
bool opex_path_has_suffix(const char *path, const char *suffix);

/** True if `path` lies under the folder `dir` ("articles"). */
bool opex_path_under(const char *path, const char *dir);

/**
 * Create the folder holding the file `path` if it is missing (one level,
 * mode 0777 before the umask). A failure is silent: opening the file then
 * fails and names the path.
 */
void opex_path_make_parent(const char *path);

#endif

/*
 * file.h: reading and replacing whole files of the work tree.
 */
#ifndef OPEX_CORE_FILE_H
#define OPEX_CORE_FILE_H

#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"

/**
 * Read the file at `path` into `out` (cleared first). Errors:
 * OPEX_ENOTFOUND (no such file), OPEX_ETOOBIG (larger than out->max),
 * OPEX_EIO; each message names the path.
 */
int opex_file_read(opex_buf *out, const char *path, opex_error *err)
	OPEX_WARN_UNUSED;

/**
 * Replace the file at `path` with `data[0..len)`: written to a temporary
 * file beside it, then renamed over it, so a reader sees the old file or
 * the new one, never a part. Errors: OPEX_EIO naming the path.
 */
int opex_file_replace(const char *path, const char *data, size_t len,
	opex_error *err) OPEX_WARN_UNUSED;

#endif

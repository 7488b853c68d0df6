/*
 * buf.h: the one owning, growable, NUL-terminated byte buffer.
 *
 * Invariants, as with git's strbuf:
 *   - ptr is never NULL, and ptr[len] is always '\0';
 *   - cap == 0 means ptr points at shared read-only storage: never write it;
 *   - len never exceeds max: an append that would is dropped and sets the
 *     sticky `failed` flag. Check it once, before using the result.
 *
 * Appends return void. The buffer may hold NUL bytes; ptr[len] is '\0'.
 */
#ifndef OPEX_CORE_BUF_H
#define OPEX_CORE_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

typedef struct opex_buf {
	char *ptr;
	size_t len, cap, max;
	bool failed;
} opex_buf;

extern char opex_buf__initbuf[];

/** Static initializer for a buffer that may grow to `limit` bytes. */
#define OPEX_BUF_INIT(limit) { opex_buf__initbuf, 0, 0, (limit), false }

/** Initialize `buf` as empty, able to grow to `max` bytes. */
void opex_buf_init(opex_buf *buf, size_t max);

/** Free what `buf` holds and leave it empty and reusable (same max). */
void opex_buf_release(opex_buf *buf);

/** Make `buf` empty, keeping its memory, and clear `failed`. */
void opex_buf_clear(opex_buf *buf);

/** Ensure room for `extra` more bytes; sets `failed` past max. */
void opex_buf_grow(opex_buf *buf, size_t extra);

/** Append `len` bytes of `data`. */
void opex_buf_put(opex_buf *buf, const void *data, size_t len);

/** Append a NUL-terminated string. */
void opex_buf_puts(opex_buf *buf, const char *s);

/** Append one byte. */
void opex_buf_putc(opex_buf *buf, int c);

/** Append formatted text. */
void opex_buf_printf(opex_buf *buf, const char *fmt, ...) OPEX_PRINTF(2, 3);

/** Append formatted text from a va_list. */
void opex_buf_vprintf(opex_buf *buf, const char *fmt, va_list ap)
	OPEX_PRINTF(2, 0);

/** Shorten the content to `len` bytes (no-op if already shorter). */
void opex_buf_truncate(opex_buf *buf, size_t len);

/**
 * Hand the content to the caller as a malloc'd NUL-terminated string
 * (free with opex_free) and leave `buf` empty. `len_out` may be NULL.
 */
char *opex_buf_detach(opex_buf *buf, size_t *len_out);

#endif

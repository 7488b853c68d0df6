/*
 * str.h: a non-owning string slice, and small text helpers for parsers.
 */
#ifndef OPEX_CORE_STR_H
#define OPEX_CORE_STR_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

typedef struct opex_str {
	const char *ptr;
	size_t len;
} opex_str;

#define OPEX_STR_NULL { NULL, 0 }

/** A slice of a NUL-terminated string. */
opex_str opex_str_from(const char *s);

/** True if the slice equals the NUL-terminated `s`. */
bool opex_str_eq(opex_str a, const char *s);

/** True if `s` starts with `prefix`. */
bool opex_str_starts_with(opex_str s, const char *prefix);

/** True if `s` ends with `suffix`. */
bool opex_str_ends_with(opex_str s, const char *suffix);

/** The slice without leading and trailing ASCII whitespace. */
opex_str opex_str_trim(opex_str s);

/**
 * Check that `ptr[0..len)` is well-formed UTF-8 (no overlongs, no
 * surrogates, nothing above U+10FFFF). On failure, `*bad_offset` (if not
 * NULL) receives the offset of the first bad byte.
 */
bool opex_utf8_valid(const char *ptr, size_t len, size_t *bad_offset);

/** True if `ptr[0..len)` contains a NUL byte (the mark of a binary file). */
bool opex_text_has_nul(const char *ptr, size_t len);

/** 1-based line number of byte `offset` in `ptr[0..len)`. */
unsigned opex_text_line_at(const char *ptr, size_t len, size_t offset);

/** ASCII case-insensitive comparison of NUL-terminated strings. */
int opex_strcasecmp(const char *a, const char *b);

/** Lowercase the ASCII letters of `s` in place; other bytes are left alone. */
void opex_ascii_lower(char *s);

/** FNV-1a of a NUL-terminated string: for hash tables, not for security. */
uint64_t opex_str_hash(const char *s);

#endif

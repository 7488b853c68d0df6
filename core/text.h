/*
 * text.h: small text algorithms for friendlier messages.
 */
#ifndef OPEX_CORE_TEXT_H
#define OPEX_CORE_TEXT_H

#include <stddef.h>

/**
 * Levenshtein distance between `a[0..alen)` and `b[0..blen)` in bytes,
 * capped: any distance above `max` is returned as `max + 1`. Cheap when the
 * lengths differ by more than `max`; `max` must be below 64. Two strings
 * both longer than 64 bytes are only compared for equality (0 or max + 1).
 */
size_t opex_text_edit_distance(const char *a, size_t alen, const char *b,
	size_t blen, size_t max);

/**
 * The entry of `words` (`count` NUL-terminated strings) closest to
 * `s[0..len)` within edit distance `max`, or NULL if none is that close.
 * Ties go to the earlier entry.
 */
const char *opex_text_closest(const char *s, size_t len,
	const char *const *words, size_t count, size_t max);

/**
 * Length of the longest prefix of the NUL-terminated `s` that is at most
 * `max` bytes and does not split a UTF-8 sequence: for quoting user text
 * in messages with "%.*s".
 */
size_t opex_text_clip(const char *s, size_t max);

#endif

/*
 * text.h: small text algorithms for friendlier messages.
 */
#ifndef OPEX_CORE_TEXT_H
#define OPEX_CORE_TEXT_H

#include <stdbool.h>
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

/* A run of a word diff: -1 words removed, 0 kept, +1 added. */
typedef void (*opex_text_diff_fn)(int change, const char *const *words,
	const size_t *lens, size_t count, void *payload);

/**
 * Diff the words (runs of non-blank bytes) of `old` against those of
 * `new` (Myers' shortest edit script), calling `fn` once per run in
 * order, runs of one kind merged. Returns false, calling nothing, when
 * more than `max_edits` words differ or a text has more than 1,000,000
 * words: the texts are too different to show word by word.
 */
bool opex_text_word_diff(const char *old, size_t old_len, const char *new_text,
	size_t new_len, size_t max_edits, opex_text_diff_fn fn, void *payload);

#endif

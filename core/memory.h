/*
 * memory.h: allocation that aborts when memory runs out.
 *
 * opex is an application: running out of memory is not recoverable, so these
 * never return NULL. Sizes that come from input are checked against the
 * limits in core/limits.h before they reach an allocator.
 */
#ifndef OPEX_CORE_MEMORY_H
#define OPEX_CORE_MEMORY_H

#include <stddef.h>

/** malloc() that aborts on failure; a zero size still returns a pointer. */
void *opex_malloc(size_t size);

/** calloc() that aborts on failure or overflow of `n * size`. */
void *opex_calloc(size_t n, size_t size);

/** realloc() that aborts on failure. */
void *opex_realloc(void *ptr, size_t size);

/**
 * Grow `*array` (of `*cap` elements of `elem` bytes) so that it holds at
 * least `need` elements. Aborts on overflow.
 */
void opex_array_grow(void **array, size_t *cap, size_t need, size_t elem);

/** strdup() that aborts on failure. NULL gives NULL. */
char *opex_strdup(const char *s);

/** Copy `len` bytes of `s` into a new NUL-terminated string. */
char *opex_strndup(const char *s, size_t len);

/** Release memory from the functions above. NULL is a no-op. */
void opex_free(void *ptr);

/** Free `count` strings and the array holding them. NULL is a no-op. */
void opex_strings_free(char **items, size_t count);

/**
 * Give memory freed since back to the system where the C library can
 * (glibc: malloc_trim); elsewhere nothing. For after a large free, such as
 * a whole handbook revision: freed pages would otherwise stay resident.
 */
void opex_memory_trim(void);

#endif

/*
 * arena.h: a memory pool for one request. Objects are allocated from
 * large chunks and never freed one by one: clearing the arena releases
 * them all at once (h2o's h2o_mem_pool_t). The server clears a request's
 * arena when the response has been built.
 *
 * Built with -DOPEX_DEBUG_ARENA, every allocation goes straight to malloc
 * and is freed by opex_arena_clear(), so AddressSanitizer and valgrind see
 * each object on its own.
 */
#ifndef OPEX_CORE_ARENA_H
#define OPEX_CORE_ARENA_H

#include <stddef.h>

typedef struct opex_arena_chunk opex_arena_chunk;

typedef struct opex_arena {
	opex_arena_chunk *chunks; /* newest first */
	size_t used;              /* bytes taken in the newest chunk */
	size_t total;             /* bytes handed out since the last clear */
} opex_arena;

#define OPEX_ARENA_INIT { NULL, 0, 0 }

/** Initialize an empty arena (allocates nothing). */
void opex_arena_init(opex_arena *arena);

/**
 * `size` bytes aligned for any object, valid until the next clear. Never
 * returns NULL (aborts when memory runs out, like opex_malloc).
 */
void *opex_arena_alloc(opex_arena *arena, size_t size);

/** A copy of `s[0..len)` with a NUL added, in the arena. */
char *opex_arena_strndup(opex_arena *arena, const char *s, size_t len);

/** A copy of the NUL-terminated `s` in the arena; NULL gives NULL. */
char *opex_arena_strdup(opex_arena *arena, const char *s);

/** Release every object; keeps one chunk for reuse. */
void opex_arena_clear(opex_arena *arena);

/** Release everything the arena holds. */
void opex_arena_release(opex_arena *arena);

#endif

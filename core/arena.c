/*
 * arena.c: the per-request memory pool (see arena.h).
 *
 *   chunk:  | header (next, size) | object | object | ... free ... |
 *
 * Objects are rounded up to the alignment of max_align_t. A request larger
 * than a quarter of the chunk size gets a chunk of its own, so big objects
 * never waste a normal chunk. With OPEX_DEBUG_ARENA every object is its own
 * chunk, allocated with malloc.
 */
#include "core/arena.h"
#include "core/error.h"
#include "core/memory.h"

#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/banned.h"

#define CHUNK_SIZE ((size_t)16 * 1024)
#define ALIGN ((size_t)alignof(max_align_t))

struct opex_arena_chunk {
	opex_arena_chunk *next;
	size_t size;               /* usable bytes after the header */
	alignas(max_align_t) unsigned char data[];
};

#ifndef OPEX_DEBUG_ARENA
static size_t round_up(size_t n)
{
	if (n > SIZE_MAX - ALIGN)
		OPEX_BUG("arena allocation size overflows");
	return (n + ALIGN - 1) & ~(ALIGN - 1);
}
#endif

static opex_arena_chunk *chunk_new(size_t size)
{
	opex_arena_chunk *chunk;

	if (size > SIZE_MAX - sizeof(*chunk))
		OPEX_BUG("arena chunk size overflows");
	chunk = opex_malloc(sizeof(*chunk) + size);
	chunk->next = NULL;
	chunk->size = size;
	return chunk;
}

void opex_arena_init(opex_arena *arena)
{
	arena->chunks = NULL;
	arena->used = 0;
	arena->total = 0;
}

#ifdef OPEX_DEBUG_ARENA

void *opex_arena_alloc(opex_arena *arena, size_t size)
{
	opex_arena_chunk *chunk = chunk_new(size ? size : 1);

	chunk->next = arena->chunks;
	arena->chunks = chunk;
	arena->total += size;
	return chunk->data;
}

#else

void *opex_arena_alloc(opex_arena *arena, size_t size)
{
	opex_arena_chunk *chunk = arena->chunks;
	size_t need = round_up(size ? size : 1);
	void *p;

	arena->total += need;
	if (need > CHUNK_SIZE / 4) {
		/* A big object: a chunk of its own, behind the current one. */
		opex_arena_chunk *big = chunk_new(need);

		if (chunk == NULL) {
			big->next = NULL;
			arena->chunks = big;
			arena->used = need;
		} else {
			big->next = chunk->next;
			chunk->next = big;
		}
		return big->data;
	}
	if (chunk == NULL || chunk->size - arena->used < need) {
		chunk = chunk_new(CHUNK_SIZE);
		chunk->next = arena->chunks;
		arena->chunks = chunk;
		arena->used = 0;
	}
	p = chunk->data + arena->used;
	arena->used += need;
	return p;
}

#endif

char *opex_arena_strndup(opex_arena *arena, const char *s, size_t len)
{
	char *copy;

	if (len == SIZE_MAX)
		OPEX_BUG("arena string length overflows");
	copy = opex_arena_alloc(arena, len + 1);
	if (len)
		memcpy(copy, s, len);
	copy[len] = '\0';
	return copy;
}

char *opex_arena_strdup(opex_arena *arena, const char *s)
{
	if (s == NULL)
		return NULL;
	return opex_arena_strndup(arena, s, strlen(s));
}

void opex_arena_clear(opex_arena *arena)
{
	opex_arena_chunk *chunk = arena->chunks;
	opex_arena_chunk *keep = NULL;

	while (chunk) {
		opex_arena_chunk *next = chunk->next;

#ifndef OPEX_DEBUG_ARENA
		if (keep == NULL && chunk->size == CHUNK_SIZE) {
			keep = chunk;
			keep->next = NULL;
			chunk = next;
			continue;
		}
#endif
		opex_free(chunk);
		chunk = next;
	}
	arena->chunks = keep;
	arena->used = 0;
	arena->total = 0;
}

void opex_arena_release(opex_arena *arena)
{
	opex_arena_clear(arena);
	opex_free(arena->chunks);
	arena->chunks = NULL;
}

/*
 * history_int.h: what history.c (the walk) and history_cache.c (the
 * cache of a walk) share; only those two include it.
 */
#ifndef OPEX_KB_HISTORY_INT_H
#define OPEX_KB_HISTORY_INT_H

#include <git2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kb/kb.h"

#define NONE UINT32_MAX
#define POOL_BLOCK 65536u
#define FNV_SEED 2166136261u

typedef struct u32vec {
	uint32_t *v;
	size_t n, cap;
} u32vec;

typedef struct liveset {
	bool set, neg;
	u32vec s;
} liveset;

/* Strings that never move once written: a list of fixed blocks. */
typedef struct strpool {
	char **blocks;
	size_t count, cap;
	size_t used, size;
} strpool;

/* Interned identities ("e" + lowercased email, "v" + Verified-by value). */
typedef struct ident_ent {
	uint32_t hash, off, len;
} ident_ent;

typedef struct identmap {
	uint32_t *slots;      /* entry index + 1; 0 is empty */
	size_t slot_cap;
	ident_ent *ents;
	size_t count, cap;
	char *keys;
	size_t keys_len, keys_cap;
} identmap;

typedef struct commit_meta {
	uint32_t ident_first, ident_count;
	uint32_t vb_first;
	unsigned char raw[GIT_OID_RAWSZ];
} commit_meta;

typedef struct touch_node {
	uint32_t commit, next;
} touch_node;

struct opex_kb_history {
	opex_kb_commit *commits;
	commit_meta *meta;
	size_t commit_count, commit_cap;
	char **vb;                 /* every commit's Verified-by values */
	size_t vb_count, vb_cap;
	strpool pool;

	char *path_block;          /* the revision's paths, strcmp order */
	const char **paths;
	size_t path_count;
	uint32_t *touch_first, *touch_count;
	uint32_t *touches;
	size_t touch_total;
	size_t walked;
	unsigned char tip[GIT_OID_RAWSZ];
	bool unknown;              /* a stand-in for a walk that failed */

	/* While loading only. */
	identmap idents;
	u32vec ident_list;         /* commit_meta.ident_first points here */
	touch_node *nodes;
	size_t node_count, node_cap;
	uint32_t *head, *tail;     /* per path, into nodes */
};

typedef struct opex_kb_history_cache {
	unsigned char *data;
	size_t size;
	const unsigned char *tip;
	uint32_t commits, paths, touches, vbs, strings;
	const unsigned char *commit_at, *vb_at, *path_at, *touch_at;
	const char *string_at;
} opex_kb_history_cache;

/** Add a Verified-by value to commit `ci`. */
void opex_kb_history_commit_add_verified(opex_kb_history *h, uint32_t ci,
	const char *value, size_t len);

/** Add a commit (raw id, author) and return its index. */
uint32_t opex_kb_history_commit_add(opex_kb_history *h, const unsigned char *raw,
	const char *name, const char *email, int64_t time);

/** Record that commit `c` touched path `path` (newest first per identity). */
void opex_kb_history_touch_add(opex_kb_history *h, uint32_t path, uint32_t c);

/** FNV-1a of `p[0..len)`, continuing from `h` (start with FNV_SEED). */
uint32_t opex_kb_fnv1a(uint32_t h, const unsigned char *p, size_t len);

/** True if `x` is in the set (an "all" set has every path). */
bool opex_kb_liveset_has(const liveset *l, uint32_t x);

/* ---------------------------------------------------------------------
 * The cache (history_cache.c)
 * ------------------------------------------------------------------- */

/** Map the cache file at `path` into `c`; an unusable file leaves it empty. */
void opex_kb_history_cache_read(opex_kb_history_cache *c, const char *path);

/**
 * Take the cached commits and touches into `h`: the history of the cached
 * tip, for the paths in `live` (NULL: every path).
 */
void opex_kb_history_cache_merge(opex_kb_history *h, const opex_kb_history_cache *c,
	const liveset *live);

/** Write `h` as the cache at `path`, atomically; failures only lose the cache. */
void opex_kb_history_cache_write(const opex_kb_history *h, const char *path);

/** Free what `c` holds. */
void opex_kb_history_cache_release(opex_kb_history_cache *c);

#endif

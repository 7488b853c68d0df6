/*
 * cache.c: a bounded cache of response bodies by key (the search answers
 * of search.c). Keys name everything a body depends on (revision, reader,
 * query, day), so nothing is ever invalidated: a new revision makes new
 * keys and the old entries age out, the least recently used first.
 *
 * One mutex; a lookup hashes the key (opex_str_hash) into an open-addressed table
 * of twice the entries, so a hit costs a hash, a compare and a copy.
 *
 * Claims: a miss may claim its key while it computes the body; a request
 * for a claimed key waits (on claim_done) instead of computing the same
 * answer again, then reads what the first one put. Claims are a short
 * list of keys (OPEX_SERVER_CACHE_CLAIMS) under the same mutex.
 */
#define _POSIX_C_SOURCE 200809L
#include "server/server_int.h"
#include "core/memory.h"
#include "core/str.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "core/banned.h"

typedef struct cache_entry {
	char *key;              /* NULL: a free slot */
	uint64_t hash;
	char *body;
	size_t len;
	long aux;
	unsigned long long used;
} cache_entry;

void opex_server_cache_init(opex_server_cache *c, size_t entries,
	size_t max_body)
{
	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
	c->slot_count = 1;
	while (c->slot_count < entries * 2)
		c->slot_count *= 2;
	c->max_entries = entries;
	c->max_body = max_body;
	c->slots = opex_calloc(c->slot_count, sizeof(cache_entry));
	pthread_cond_init(&c->claim_done, NULL);
}

static void entry_clear(cache_entry *e)
{
	opex_free(e->key);
	opex_free(e->body);
	memset(e, 0, sizeof(*e));
}

void opex_server_cache_release(opex_server_cache *c)
{
	size_t i;

	if (c->slots == NULL)
		return;
	for (i = 0; i < c->slot_count; i++)
		entry_clear(&((cache_entry *)c->slots)[i]);
	opex_free(c->slots);
	for (i = 0; i < c->claim_count; i++)
		opex_free(c->claims[i]);
	pthread_cond_destroy(&c->claim_done);
	pthread_mutex_destroy(&c->lock);
	memset(c, 0, sizeof(*c));
}

/* The slot holding `key`, or the free slot where it would go. */
static cache_entry *find(opex_server_cache *c, const char *key, uint64_t h)
{
	cache_entry *slots = c->slots;
	size_t at = (size_t)h & (c->slot_count - 1);

	while (slots[at].key != NULL &&
	       (slots[at].hash != h || strcmp(slots[at].key, key) != 0))
		at = (at + 1) & (c->slot_count - 1);
	return &slots[at];
}

/* Copy the entry of `key` out, under the lock; false if absent. */
static bool lookup(opex_server_cache *c, const char *key, uint64_t h,
	opex_buf *out, long *aux)
{
	cache_entry *e = find(c, key, h);

	if (e->key == NULL)
		return false;
	e->used = ++c->clock;
	opex_buf_put(out, e->body, e->len);
	*aux = e->aux;
	return !out->failed;
}

static bool claimed_by_other(const opex_server_cache *c, const char *key)
{
	size_t i;

	for (i = 0; i < c->claim_count; i++)
		if (strcmp(c->claims[i], key) == 0)
			return true;
	return false;
}

bool opex_server_cache_get(opex_server_cache *c, const char *key,
	opex_buf *out, long *aux)
{
	bool hit;

	if (c->slots == NULL)
		return false;
	pthread_mutex_lock(&c->lock);
	hit = lookup(c, key, opex_str_hash(key), out, aux);
	if (hit)
		c->hits++;
	else
		c->misses++;
	pthread_mutex_unlock(&c->lock);
	return hit;
}

bool opex_server_cache_get_or_claim(opex_server_cache *c, const char *key,
	opex_buf *out, long *aux, bool *claimed)
{
	uint64_t h = opex_str_hash(key);
	struct timespec until;
	bool hit, waited = false;

	*claimed = false;
	if (c->slots == NULL)
		return false;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += OPEX_SERVER_CACHE_WAIT_SECONDS;
	pthread_mutex_lock(&c->lock);
	for (;;) {
		hit = lookup(c, key, h, out, aux);
		if (hit || !claimed_by_other(c, key) || waited)
			break;
		/* Someone computes it: wait until they give the claim up. */
		while (claimed_by_other(c, key) &&
		       pthread_cond_timedwait(&c->claim_done, &c->lock,
				&until) != ETIMEDOUT)
			;
		waited = true;
	}
	if (hit) {
		c->hits++;
	} else {
		c->misses++;
		if (!claimed_by_other(c, key) &&
		    c->claim_count < OPEX_SERVER_CACHE_CLAIMS) {
			c->claims[c->claim_count++] = opex_strdup(key);
			*claimed = true;
		}
	}
	pthread_mutex_unlock(&c->lock);
	return hit;
}

void opex_server_cache_unclaim(opex_server_cache *c, const char *key)
{
	size_t i;

	pthread_mutex_lock(&c->lock);
	for (i = 0; i < c->claim_count; i++) {
		if (strcmp(c->claims[i], key) != 0)
			continue;
		opex_free(c->claims[i]);
		c->claims[i] = c->claims[--c->claim_count];
		c->claims[c->claim_count] = NULL;
		break;
	}
	pthread_cond_broadcast(&c->claim_done);
	pthread_mutex_unlock(&c->lock);
}

/*
 * Removing from an open-addressed table: re-insert the entries of the run
 * after the hole, so no lookup stops early at it.
 */
static void remove_at(opex_server_cache *c, cache_entry *e)
{
	cache_entry *slots = c->slots;
	size_t at = (size_t)(e - slots), next;

	entry_clear(e);
	c->count--;
	for (next = (at + 1) & (c->slot_count - 1); slots[next].key != NULL;
	     next = (next + 1) & (c->slot_count - 1)) {
		cache_entry moved = slots[next], *to;

		memset(&slots[next], 0, sizeof(slots[next]));
		to = find(c, moved.key, moved.hash);
		*to = moved;
	}
}

static void evict_oldest(opex_server_cache *c)
{
	cache_entry *slots = c->slots, *oldest = NULL;
	size_t i;

	for (i = 0; i < c->slot_count; i++)
		if (slots[i].key != NULL &&
		    (oldest == NULL || slots[i].used < oldest->used))
			oldest = &slots[i];
	if (oldest != NULL)
		remove_at(c, oldest);
}

void opex_server_cache_put(opex_server_cache *c, const char *key,
	const char *body, size_t len, long aux)
{
	uint64_t h = opex_str_hash(key);
	cache_entry *e;

	if (c->slots == NULL || len > c->max_body)
		return;
	pthread_mutex_lock(&c->lock);
	e = find(c, key, h);
	if (e->key == NULL) {
		if (c->count >= c->max_entries) {
			evict_oldest(c);
			e = find(c, key, h);
		}
		e->key = opex_strdup(key);
		e->hash = h;
		c->count++;
	} else {
		opex_free(e->body);
	}
	e->body = opex_malloc(len + 1);
	memcpy(e->body, body, len);
	e->body[len] = '\0';
	e->len = len;
	e->aux = aux;
	e->used = ++c->clock;
	pthread_mutex_unlock(&c->lock);
}

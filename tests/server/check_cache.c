/*
 * check_cache.c: the response cache (server/cache.c): bodies by key, and
 * claims, so that requests for an answer being computed wait for it
 * instead of computing it again.
 */
#define _POSIX_C_SOURCE 200809L
#include "server/server_int.h"
#include "core/buf.h"

#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/banned.h"

typedef struct waiter {
	opex_server_cache *cache;
	bool hit, claimed;
	long aux;
	char body[64];
} waiter;

static void *wait_for(void *payload)
{
	waiter *w = payload;
	opex_buf out = OPEX_BUF_INIT(1024);

	w->hit = opex_server_cache_get_or_claim(w->cache, "k", &out, &w->aux,
		&w->claimed);
	memcpy(w->body, out.ptr, out.len < sizeof(w->body) ? out.len + 1
		: sizeof(w->body));
	w->body[sizeof(w->body) - 1] = '\0';
	if (w->claimed)
		opex_server_cache_unclaim(w->cache, "k");
	opex_buf_release(&out);
	return NULL;
}

/* A fresh cache whose key "k" this thread claims, and a waiter for it. */
static void claim_and_wait(opex_server_cache *c, waiter *w, pthread_t *t)
{
	opex_buf out = OPEX_BUF_INIT(1024);
	bool claimed = false;
	long aux = 0;

	opex_server_cache_init(c, 4, 1024);
	memset(w, 0, sizeof(*w));
	w->cache = c;
	ck_assert(!opex_server_cache_get_or_claim(c, "k", &out, &aux, &claimed));
	ck_assert(claimed);
	ck_assert_int_eq(pthread_create(t, NULL, wait_for, w), 0);
	opex_buf_release(&out);
}

/* While one request computes an answer, another gets that answer. */
START_TEST(server_cache__a_claimed_key_is_computed_once)
{
	opex_server_cache c;
	waiter w;
	pthread_t t;

	claim_and_wait(&c, &w, &t);
	opex_server_cache_put(&c, "k", "{\"total\":3}", 11, 3);
	opex_server_cache_unclaim(&c, "k");
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert(w.hit);
	ck_assert(!w.claimed);
	ck_assert_str_eq(w.body, "{\"total\":3}");
	ck_assert_int_eq(w.aux, 3);
	opex_server_cache_release(&c);
}
END_TEST

/* A claim given up without an answer (the search failed): the next computes. */
START_TEST(server_cache__an_abandoned_claim_passes_on)
{
	opex_server_cache c;
	opex_buf out = OPEX_BUF_INIT(1024);
	waiter w;
	pthread_t t;
	bool claimed = false;
	long aux = 0;

	claim_and_wait(&c, &w, &t);
	opex_server_cache_unclaim(&c, "k");
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert(!w.hit);
	ck_assert(w.claimed);
	/* Nothing is left claimed: a new request claims again. */
	ck_assert(!opex_server_cache_get_or_claim(&c, "k", &out, &aux, &claimed));
	ck_assert(claimed);
	opex_server_cache_unclaim(&c, "k");
	ck_assert_uint_eq(c.claim_count, 0);
	opex_buf_release(&out);
	opex_server_cache_release(&c);
}
END_TEST

/* Past the claim slots a miss claims nothing and waits for nobody. */
START_TEST(server_cache__claims_are_bounded)
{
	opex_server_cache c;
	opex_buf out = OPEX_BUF_INIT(1024);
	char key[32];
	bool claimed = false;
	long aux = 0;
	size_t i;

	opex_server_cache_init(&c, 4, 1024);
	for (i = 0; i < OPEX_SERVER_CACHE_CLAIMS; i++) {
		snprintf(key, sizeof(key), "k%zu", i);
		ck_assert(!opex_server_cache_get_or_claim(&c, key, &out, &aux,
			&claimed));
		ck_assert(claimed);
	}
	ck_assert(!opex_server_cache_get_or_claim(&c, "one more", &out, &aux,
		&claimed));
	ck_assert(!claimed);
	/* Released with its claims held: nothing leaks. */
	opex_buf_release(&out);
	opex_server_cache_release(&c);
}
END_TEST

Suite *suite_cache(void)
{
	Suite *s = suite_create("server_cache");
	TCase *tc = tcase_create("claims");

	tcase_add_test(tc, server_cache__a_claimed_key_is_computed_once);
	tcase_add_test(tc, server_cache__an_abandoned_claim_passes_on);
	tcase_add_test(tc, server_cache__claims_are_bounded);
	suite_add_tcase(s, tc);
	return s;
}

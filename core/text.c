/* text.c: edit distance, "did you mean" suggestions, word diffs. */
#include "core/text.h"
#include "core/error.h"
#include "core/memory.h"

#include <string.h>

#include "core/banned.h"

/* Rows are kept for the shorter string, at most this long. */
#define ROW_MAX 64

size_t opex_text_edit_distance(const char *a, size_t alen, const char *b,
	size_t blen, size_t max)
{
	size_t prev[ROW_MAX + 1], cur[ROW_MAX + 1];
	size_t i, j, best;

	if (max >= ROW_MAX)
		OPEX_BUG("edit distance bound too large");
	if (alen < blen) {
		const char *t = a;
		size_t tl = alen;

		a = b;
		alen = blen;
		b = t;
		blen = tl;
	}
	/* Now alen >= blen. */
	if (alen - blen > max)
		return max + 1;
	if (blen > ROW_MAX)
		return alen == blen && memcmp(a, b, alen) == 0 ? 0 : max + 1;
	for (j = 0; j <= blen; j++)
		prev[j] = j;
	for (i = 1; i <= alen; i++) {
		cur[0] = i;
		best = cur[0];
		for (j = 1; j <= blen; j++) {
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t m = del < ins ? del : ins;

			cur[j] = m < sub ? m : sub;
			if (cur[j] < best)
				best = cur[j];
		}
		if (best > max)
			return max + 1;
		memcpy(prev, cur, (blen + 1) * sizeof(prev[0]));
	}
	return prev[blen] > max ? max + 1 : prev[blen];
}

const char *opex_text_closest(const char *s, size_t len,
	const char *const *words, size_t count, size_t max)
{
	const char *best = NULL;
	size_t best_d = max + 1, i, d;

	for (i = 0; i < count; i++) {
		d = opex_text_edit_distance(s, len, words[i], strlen(words[i]),
			max);
		if (d < best_d) {
			best_d = d;
			best = words[i];
		}
	}
	return best;
}

size_t opex_text_clip(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return n;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return n;
}

/* --- word diff --- */

#define DIFF_MAX_WORDS 1000000u

typedef struct word_list {
	const char **ptr;
	size_t *len;
	size_t count, cap;
} word_list;

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
		c == '\v';
}

static bool split_words(word_list *w, const char *s, size_t n)
{
	size_t i = 0, cap_len = 0;

	memset(w, 0, sizeof(*w));
	while (i < n) {
		size_t start;

		while (i < n && is_blank(s[i]))
			i++;
		if (i == n)
			break;
		start = i;
		while (i < n && !is_blank(s[i]))
			i++;
		if (w->count >= DIFF_MAX_WORDS)
			return false;
		opex_array_grow((void **)&w->ptr, &w->cap, w->count + 1,
			sizeof(*w->ptr));
		opex_array_grow((void **)&w->len, &cap_len, w->count + 1,
			sizeof(*w->len));
		w->ptr[w->count] = s + start;
		w->len[w->count++] = i - start;
	}
	return true;
}

static bool same_word(const word_list *a, size_t i, const word_list *b,
	size_t j)
{
	return a->len[i] == b->len[j] &&
		memcmp(a->ptr[i], b->ptr[j], a->len[i]) == 0;
}

/* One step of the edit script, found walking back: -1, 0 or +1 at a word. */
typedef struct edit {
	int change;
	size_t index;             /* in the old list (-1, 0) or the new (+1) */
} edit;

typedef struct run_emitter {
	opex_text_diff_fn fn;
	void *payload;
	const word_list *old, *new_words;
	int change;
	size_t first, count;
} run_emitter;

static void emit_flush(run_emitter *e)
{
	const word_list *w = e->change > 0 ? e->new_words : e->old;

	if (e->count > 0)
		e->fn(e->change, w->ptr + e->first, w->len + e->first, e->count,
			e->payload);
	e->count = 0;
}

static void emit(run_emitter *e, int change, size_t index)
{
	if (e->count > 0 && (e->change != change || e->first + e->count != index))
		emit_flush(e);
	if (e->count == 0) {
		e->change = change;
		e->first = index;
	}
	e->count++;
}

/*
 * Step d of the search on diagonal k: the furthest x reached by one more
 * edit from step d - 1 (`prev`, indexed k + d - 1), staying inside the
 * n x m grid; -1 when none does. `*from` is the diagonal it came from.
 */
static long step_from(const long *prev, long d, long k, long n, long m,
	long *from)
{
	long down = -1, right = -1;

	if (k + 1 <= d - 1 && prev[k + 1 + d - 1] >= 0 &&
	    prev[k + 1 + d - 1] - k <= m)
		down = prev[k + 1 + d - 1];         /* a word added */
	if (k - 1 >= -(d - 1) && prev[k - 1 + d - 1] >= 0 &&
	    prev[k - 1 + d - 1] + 1 <= n)
		right = prev[k - 1 + d - 1] + 1;    /* a word removed */
	if (down < 0 && right < 0)
		return -1;
	*from = right > down ? k - 1 : k + 1;
	return right > down ? right : down;
}

bool opex_text_word_diff(const char *old, size_t old_len, const char *new_text,
	size_t new_len, size_t max_edits, opex_text_diff_fn fn, void *payload)
{
	word_list a = { 0 }, b = { 0 };
	long **trace = NULL;      /* trace[d][k + d]: furthest x on diagonal k */
	edit *edits = NULL;
	size_t edit_count = 0, edit_cap = 0, d, found = 0, i;
	long n, m, x, y, k;
	bool ok = false, done = false;
	run_emitter e;

	if (!split_words(&a, old, old_len) || !split_words(&b, new_text, new_len))
		goto out;
	n = (long)a.count;
	m = (long)b.count;
	trace = opex_calloc(max_edits + 1, sizeof(*trace));
	for (d = 0; d <= max_edits && !done; d++) {
		long dl = (long)d;

		trace[d] = opex_calloc(2 * d + 1, sizeof(**trace));
		for (k = -dl; k <= dl; k += 2) {
			long from;

			x = d == 0 ? 0 : step_from(trace[d - 1], dl, k, n, m, &from);
			trace[d][k + dl] = x;
			if (x < 0)
				continue;
			y = x - k;
			while (x < n && y < m && y >= 0 &&
			       same_word(&a, (size_t)x, &b, (size_t)y)) {
				x++;
				y++;
			}
			trace[d][k + dl] = x;
			if (x >= n && y >= m) {
				done = true;
				found = d;
				break;
			}
		}
	}
	if (!done)
		goto out;
	/* Walk back from (n, m) to (0, 0), noting each edit and kept word. */
	x = n;
	y = m;
	for (d = found; ; d--) {
		long dl = (long)d, prev_k = 0, prev_x = 0, prev_y = 0;

		k = x - y;
		if (d > 0) {
			(void)step_from(trace[d - 1], dl, k, n, m, &prev_k);
			prev_x = trace[d - 1][prev_k + dl - 1];
			prev_y = prev_x - prev_k;
		}
		while (x > prev_x + (d > 0 && prev_k == k - 1) &&
		       y > prev_y + (d > 0 && prev_k == k + 1)) {
			x--;
			y--;
			opex_array_grow((void **)&edits, &edit_cap,
				edit_count + 1, sizeof(*edits));
			edits[edit_count++] = (edit){ 0, (size_t)x };
		}
		if (d == 0)
			break;
		opex_array_grow((void **)&edits, &edit_cap, edit_count + 1,
			sizeof(*edits));
		if (prev_k == k + 1) {
			edits[edit_count++] = (edit){ 1, (size_t)prev_y };
		} else {
			edits[edit_count++] = (edit){ -1, (size_t)prev_x };
		}
		x = prev_x;
		y = prev_y;
	}
	e = (run_emitter){ fn, payload, &a, &b, 0, 0, 0 };
	for (i = edit_count; i > 0; i--)
		emit(&e, edits[i - 1].change, edits[i - 1].index);
	emit_flush(&e);
	ok = true;
out:
	if (trace != NULL)
		for (d = 0; d <= max_edits; d++)
			opex_free(trace[d]);
	opex_free(trace);
	opex_free(edits);
	opex_free(a.ptr);
	opex_free(a.len);
	opex_free(b.ptr);
	opex_free(b.len);
	return ok;
}

/* text.c: edit distance and "did you mean" suggestions. */
#include "core/text.h"
#include "core/error.h"

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

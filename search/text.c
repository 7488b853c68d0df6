/*
 * text.c: text as the FTS5 unicode61 tokenizer will see it, for indexed
 * text and queries alike: CJK characters split into one token each, and
 * whether a word has anything the tokenizer keeps.
 */
#include "search/search_int.h"
#include "core/buf.h"

#include "core/banned.h"

/* ---------------------------------------------------------------------
 * UTF-8 decoding
 * ------------------------------------------------------------------- */

/* Decode the code point at s[*i] (valid UTF-8 assumed; bad bytes give U+FFFD). */
static unsigned decode(const char *s, size_t len, size_t *i)
{
	const unsigned char *p = (const unsigned char *)s + *i;
	size_t left = len - *i, n;
	unsigned cp;

	if (p[0] < 0x80) {
		*i += 1;
		return p[0];
	}
	if ((p[0] & 0xE0) == 0xC0) {
		n = 2;
		cp = p[0] & 0x1Fu;
	} else if ((p[0] & 0xF0) == 0xE0) {
		n = 3;
		cp = p[0] & 0x0Fu;
	} else if ((p[0] & 0xF8) == 0xF0) {
		n = 4;
		cp = p[0] & 0x07u;
	} else {
		*i += 1;
		return 0xFFFD;
	}
	if (n > left) {
		*i = len;
		return 0xFFFD;
	}
	for (size_t k = 1; k < n; k++)
		cp = (cp << 6) | (p[k] & 0x3Fu);
	*i += n;
	return cp;
}

static bool is_cjk(unsigned cp)
{
	return (cp >= 0x3040 && cp <= 0x30FF) ||   /* hiragana, katakana */
	       (cp >= 0x31F0 && cp <= 0x31FF) ||   /* katakana extensions */
	       (cp >= 0x3400 && cp <= 0x4DBF) ||   /* Han extension A */
	       (cp >= 0x4E00 && cp <= 0x9FFF) ||   /* Han */
	       (cp >= 0xAC00 && cp <= 0xD7AF) ||   /* Hangul syllables */
	       (cp >= 0xF900 && cp <= 0xFAFF) ||   /* Han compatibility */
	       (cp >= 0xFF66 && cp <= 0xFF9F) ||   /* half-width katakana */
	       (cp >= 0x20000 && cp <= 0x3134F);   /* Han extensions B-G */
}

bool opex_search_text_has_cjk(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		if (is_cjk(decode(s, len, &i)))
			return true;
	}
	return false;
}

void opex_search_text_cjk_split(opex_buf *out, const char *s, size_t len)
{
	size_t i = 0, start = 0;
	bool prev_cjk = false;

	while (i < len) {
		size_t at = i;
		bool cjk;

		if ((unsigned char)s[i] < 0x80) {
			i++;
			prev_cjk = false;
			continue;
		}
		cjk = is_cjk(decode(s, len, &i));
		if (cjk && prev_cjk) {
			opex_buf_put(out, s + start, at - start);
			opex_buf_puts(out, "\xE2\x80\x8B");
			start = at;
		}
		prev_cjk = cjk;
	}
	opex_buf_put(out, s + start, len - start);
}

/* True if `s[0..len)` has something a tokenizer keeps: a letter or digit. */
bool opex_search_text_has_tokens(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned char ch = (unsigned char)s[i];
		unsigned cp;

		if (ch < 0x80) {
			if ((ch >= '0' && ch <= '9') || ((ch | 0x20) >= 'a' &&
							  (ch | 0x20) <= 'z'))
				return true;
			i++;
			continue;
		}
		cp = decode(s, len, &i);
		/* General punctuation, CJK symbols, full-width ASCII punctuation. */
		if ((cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x3000 && cp <= 0x303F) ||
		    (cp >= 0xFF00 && cp <= 0xFF0F) || cp == 0xA0 || cp == 0xFFFD ||
		    (cp >= 0x80 && cp <= 0xBF) || cp == 0xD7 || cp == 0xF7)
			continue;
		return true;
	}
	return false;
}

/* buf.c: opex_buf, a bounded growable byte buffer (see buf.h). */
#include "core/buf.h"
#include "core/memory.h"

#include <stdio.h>
#include <string.h>

char opex_buf__initbuf[1];

void opex_buf_init(opex_buf *buf, size_t max)
{
	buf->ptr = opex_buf__initbuf;
	buf->len = 0;
	buf->cap = 0;
	buf->max = max;
	buf->failed = false;
}

void opex_buf_release(opex_buf *buf)
{
	if (buf->cap)
		opex_free(buf->ptr);
	opex_buf_init(buf, buf->max);
}

void opex_buf_clear(opex_buf *buf)
{
	buf->len = 0;
	buf->failed = false;
	if (buf->cap)
		buf->ptr[0] = '\0';
}

static bool reserve(opex_buf *buf, size_t extra)
{
	size_t need, ncap;

	if (buf->failed)
		return false;
	if (extra > buf->max || buf->len > buf->max - extra) {
		buf->failed = true;
		return false;
	}
	need = buf->len + extra + 1;
	if (need <= buf->cap)
		return true;
	ncap = buf->cap ? buf->cap : 64;
	while (ncap < need)
		ncap = ncap > ((size_t)-1) / 2 ? need : ncap * 2;
	if (buf->cap == 0) {
		buf->ptr = opex_malloc(ncap);
		buf->ptr[0] = '\0';
	} else {
		buf->ptr = opex_realloc(buf->ptr, ncap);
	}
	buf->cap = ncap;
	return true;
}

void opex_buf_grow(opex_buf *buf, size_t extra)
{
	(void)reserve(buf, extra);
}

void opex_buf_put(opex_buf *buf, const void *data, size_t len)
{
	if (len == 0 || !reserve(buf, len))
		return;
	memmove(buf->ptr + buf->len, data, len);
	buf->len += len;
	buf->ptr[buf->len] = '\0';
}

void opex_buf_puts(opex_buf *buf, const char *s)
{
	opex_buf_put(buf, s, strlen(s));
}

void opex_buf_putc(opex_buf *buf, int c)
{
	char ch = (char)c;

	/* The common case, one byte into room already there (escapers call this per byte). */
	if (!buf->failed && buf->len + 2 <= buf->cap && buf->len < buf->max) {
		buf->ptr[buf->len++] = ch;
		buf->ptr[buf->len] = '\0';
		return;
	}
	opex_buf_put(buf, &ch, 1);
}

void opex_buf_vprintf(opex_buf *buf, const char *fmt, va_list ap)
{
	va_list copy;
	int n;

	va_copy(copy, ap);
	n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0) {
		buf->failed = true;
		return;
	}
	if (!reserve(buf, (size_t)n))
		return;
	vsnprintf(buf->ptr + buf->len, (size_t)n + 1, fmt, ap);
	buf->len += (size_t)n;
}

void opex_buf_printf(opex_buf *buf, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	opex_buf_vprintf(buf, fmt, ap);
	va_end(ap);
}

void opex_buf_truncate(opex_buf *buf, size_t len)
{
	if (len >= buf->len)
		return;
	buf->len = len;
	buf->ptr[len] = '\0';
}

char *opex_buf_detach(opex_buf *buf, size_t *len_out)
{
	char *s;

	if (len_out)
		*len_out = buf->len;
	s = buf->cap ? buf->ptr : opex_strdup("");
	opex_buf_init(buf, buf->max);
	return s;
}

/* error.c: the opex_error record and OPEX_BUG. */
#include "core/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int opex_error_vset(opex_error *err, int code, const char *fmt, va_list ap)
{
	if (err == NULL)
		return code;
	err->code = code;
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	return code;
}

int opex_error_set(opex_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	opex_error_vset(err, code, fmt, ap);
	va_end(ap);
	return code;
}

void opex_error_clear(opex_error *err)
{
	if (err == NULL)
		return;
	err->code = 0;
	err->message[0] = '\0';
}

const char *opex_error_name(int code)
{
	switch (code) {
	case OPEX_OK: return "ok";
	case OPEX_ENOTFOUND: return "not found";
	case OPEX_EINVALID: return "invalid";
	case OPEX_ETOOBIG: return "too big";
	case OPEX_EIO: return "i/o error";
	case OPEX_EEXISTS: return "exists";
	default: return "error";
	}
}

void opex_bug(const char *file, int line, const char *msg)
{
	fprintf(stderr, "BUG: %s:%d: %s\n", file, line, msg);
	abort();
}

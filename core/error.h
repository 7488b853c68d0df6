/*
 * error.h: the error model shared by every module.
 *
 * Functions return int: 0 on success, a negative OPEX_E* code on failure.
 * Functions that parse input or touch I/O or a third-party library take a
 * trailing `opex_error *err` (may be NULL) that receives a one-line message.
 * An opex_error never allocates.
 */
#ifndef OPEX_CORE_ERROR_H
#define OPEX_CORE_ERROR_H

#include <stdarg.h>

enum {
	OPEX_OK = 0,
	OPEX_ERROR = -1,     /* generic failure */
	OPEX_ENOTFOUND = -2, /* the named thing does not exist */
	OPEX_EINVALID = -3,  /* the input is malformed */
	OPEX_ETOOBIG = -4,   /* the input exceeds a named limit */
	OPEX_EIO = -5,       /* reading or writing failed */
	OPEX_EEXISTS = -6    /* the thing already exists */
};

#define OPEX_ERROR_MESSAGE_SIZE 256

typedef struct opex_error {
	int code;
	char message[OPEX_ERROR_MESSAGE_SIZE];
} opex_error;

#define OPEX_ERROR_INIT { 0, { 0 } }

#if defined(__GNUC__)
#define OPEX_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define OPEX_WARN_UNUSED __attribute__((warn_unused_result))
#define OPEX_NORETURN __attribute__((noreturn))
#else
#define OPEX_PRINTF(fmt, args)
#define OPEX_WARN_UNUSED
#define OPEX_NORETURN
#endif

/**
 * Record `code` and a formatted message in `err` (if not NULL) and return
 * `code`, so that `return opex_error_set(err, OPEX_EINVALID, "...")` reads
 * naturally. Messages start lowercase and have no final period.
 */
int opex_error_set(opex_error *err, int code, const char *fmt, ...)
	OPEX_PRINTF(3, 4);

/** Like opex_error_set() with a va_list. */
int opex_error_vset(opex_error *err, int code, const char *fmt, va_list ap)
	OPEX_PRINTF(3, 0);

/** Reset `err` to "no error". NULL is a no-op. */
void opex_error_clear(opex_error *err);

/** A short name for an error code ("not found", "invalid", ...). */
const char *opex_error_name(int code);

/** Abort with file:line and a message: for programming errors only. */
OPEX_NORETURN void opex_bug(const char *file, int line, const char *msg);

#define OPEX_BUG(msg) opex_bug(__FILE__, __LINE__, (msg))

#endif

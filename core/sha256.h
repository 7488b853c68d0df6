/*
 * sha256.h: SHA-256 (FIPS 180-4), for semantic hashes and cache keys.
 *
 *   opex_sha256_init / _update (any number of times) / _final
 *   opex_sha256_hex: the whole thing in one call, as 64 lowercase hex digits
 */
#ifndef OPEX_CORE_SHA256_H
#define OPEX_CORE_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define OPEX_SHA256_SIZE 32
#define OPEX_SHA256_HEX_SIZE 65 /* 64 hex digits and a NUL */

typedef struct opex_sha256 {
	uint32_t state[8];
	uint64_t bytes;          /* message length so far */
	unsigned char block[64];
	size_t fill;             /* bytes waiting in `block` */
} opex_sha256;

/** Start a new hash. */
void opex_sha256_init(opex_sha256 *ctx);

/** Add `len` bytes of `data` to the message. */
void opex_sha256_update(opex_sha256 *ctx, const void *data, size_t len);

/** Finish: write the 32-byte digest to `out`. `ctx` must be re-initialized to be reused. */
void opex_sha256_final(opex_sha256 *ctx, unsigned char out[OPEX_SHA256_SIZE]);

/** Hash `data[0..len)` and write 64 lowercase hex digits and a NUL to `out`. */
void opex_sha256_hex(char out[OPEX_SHA256_HEX_SIZE], const void *data,
	size_t len);

/** Write a 32-byte digest as 64 lowercase hex digits and a NUL. */
void opex_sha256_to_hex(char out[OPEX_SHA256_HEX_SIZE],
	const unsigned char digest[OPEX_SHA256_SIZE]);

#endif

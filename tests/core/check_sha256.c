/* check_sha256.c: SHA-256 against the FIPS 180-4 example vectors. */
#include "core/sha256.h"
#include "core/memory.h"

#include <check.h>
#include <string.h>

#include "core/banned.h"

static const struct {
	const char *msg;
	const char *hex;
} vectors[] = {
	{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
	  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
};

START_TEST(core_sha256__fips_vectors)
{
	char hex[OPEX_SHA256_HEX_SIZE];

	opex_sha256_hex(hex, vectors[_i].msg, strlen(vectors[_i].msg));
	ck_assert_str_eq(hex, vectors[_i].hex);
}
END_TEST

START_TEST(core_sha256__million_a)
{
	opex_sha256 ctx;
	unsigned char digest[OPEX_SHA256_SIZE];
	char hex[OPEX_SHA256_HEX_SIZE], chunk[1000];
	size_t i;

	memset(chunk, 'a', sizeof(chunk));
	opex_sha256_init(&ctx);
	for (i = 0; i < 1000; i++)
		opex_sha256_update(&ctx, chunk, sizeof(chunk));
	opex_sha256_final(&ctx, digest);
	opex_sha256_to_hex(hex, digest);
	ck_assert_str_eq(hex,
		"cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}
END_TEST

START_TEST(core_sha256__split_updates)
{
	const char *msg = vectors[3].msg;
	size_t len = strlen(msg), cut;

	for (cut = 0; cut <= len; cut++) {
		opex_sha256 ctx;
		unsigned char digest[OPEX_SHA256_SIZE];
		char hex[OPEX_SHA256_HEX_SIZE];

		opex_sha256_init(&ctx);
		opex_sha256_update(&ctx, msg, cut);
		opex_sha256_update(&ctx, msg + cut, len - cut);
		opex_sha256_final(&ctx, digest);
		opex_sha256_to_hex(hex, digest);
		ck_assert_str_eq(hex, vectors[3].hex);
	}
}
END_TEST

Suite *suite_sha256(void)
{
	Suite *s = suite_create("core_sha256");
	TCase *tc = tcase_create("sha256");

	tcase_add_loop_test(tc, core_sha256__fips_vectors, 0,
		(int)(sizeof(vectors) / sizeof(vectors[0])));
	tcase_add_test(tc, core_sha256__million_a);
	tcase_add_test(tc, core_sha256__split_updates);
	suite_add_tcase(s, tc);
	return s;
}

#include <criterion/criterion.h>
#include <string.h>

#include "hv/drbg.h"

/* Key 00:01:..:1f of RFC 8439 sections 2.3.2 and 2.4.2, as little-endian words. */
static const uint32_t rfc_key[8] = {0x03020100, 0x07060504, 0x0b0a0908, 0x0f0e0d0c,
				    0x13121110, 0x17161514, 0x1b1a1918, 0x1f1e1d1c};

static void check_block(const uint32_t key[8], uint32_t counter, const uint32_t nonce[3],
			const uint8_t want[64])
{
	uint8_t out[64];

	chacha20_block(key, counter, nonce, out);
	for (int i = 0; i < 64; i++)
		cr_assert_eq(out[i], want[i], "byte %d: %02x != %02x", i, out[i], want[i]);
}

Test(chacha20, rfc8439_2_3_2)
{
	const uint32_t nonce[3] = {0x09000000, 0x4a000000, 0x00000000};
	const uint8_t want[64] = {
	    0x10, 0xf1, 0xe7, 0xe4, 0xd1, 0x3b, 0x59, 0x15, 0x50, 0x0f, 0xdd, 0x1f, 0xa3,
	    0x20, 0x71, 0xc4, 0xc7, 0xd1, 0xf4, 0xc7, 0x33, 0xc0, 0x68, 0x03, 0x04, 0x22,
	    0xaa, 0x9a, 0xc3, 0xd4, 0x6c, 0x4e, 0xd2, 0x82, 0x64, 0x46, 0x07, 0x9f, 0xaa,
	    0x09, 0x14, 0xc2, 0xd7, 0x05, 0xd9, 0x8b, 0x02, 0xa2, 0xb5, 0x12, 0x9c, 0xd1,
	    0xde, 0x16, 0x4e, 0xb9, 0xcb, 0xd0, 0x83, 0xe8, 0xa2, 0x50, 0x3c, 0x4e,
	};

	check_block(rfc_key, 1, nonce, want);
}

Test(chacha20, rfc8439_2_4_2_first_keystream_block)
{
	const uint32_t nonce[3] = {0x00000000, 0x4a000000, 0x00000000};
	const uint8_t want[64] = {
	    0x22, 0x4f, 0x51, 0xf3, 0x40, 0x1b, 0xd9, 0xe1, 0x2f, 0xde, 0x27, 0x6f, 0xb8,
	    0x63, 0x1d, 0xed, 0x8c, 0x13, 0x1f, 0x82, 0x3d, 0x2c, 0x06, 0xe2, 0x7e, 0x4f,
	    0xca, 0xec, 0x9e, 0xf3, 0xcf, 0x78, 0x8a, 0x3b, 0x0a, 0xa3, 0x72, 0x60, 0x0a,
	    0x92, 0xb5, 0x79, 0x74, 0xcd, 0xed, 0x2b, 0x93, 0x34, 0x79, 0x4c, 0xba, 0x40,
	    0xc6, 0x3e, 0x34, 0xcd, 0xea, 0x21, 0x2c, 0x4c, 0xf0, 0x7d, 0x41, 0xb7,
	};

	check_block(rfc_key, 1, nonce, want);
}

Test(chacha20, rfc8439_a1_vector1)
{
	const uint32_t key[8] = {0}, nonce[3] = {0};
	const uint8_t want[64] = {
	    0x76, 0xb8, 0xe0, 0xad, 0xa0, 0xf1, 0x3d, 0x90, 0x40, 0x5d, 0x6a, 0xe5, 0x53,
	    0x86, 0xbd, 0x28, 0xbd, 0xd2, 0x19, 0xb8, 0xa0, 0x8d, 0xed, 0x1a, 0xa8, 0x36,
	    0xef, 0xcc, 0x8b, 0x77, 0x0d, 0xc7, 0xda, 0x41, 0x59, 0x7c, 0x51, 0x57, 0x48,
	    0x8d, 0x77, 0x24, 0xe0, 0x3f, 0xb8, 0xd8, 0x4a, 0x37, 0x6a, 0x43, 0xb8, 0xf4,
	    0x15, 0x18, 0xa1, 0x1c, 0xc3, 0x87, 0xb6, 0x69, 0xb2, 0xee, 0x65, 0x86,
	};

	check_block(key, 0, nonce, want);
}

Test(chacha20, rfc8439_a1_vector2)
{
	const uint32_t key[8] = {0}, nonce[3] = {0};
	const uint8_t want[64] = {
	    0x9f, 0x07, 0xe7, 0xbe, 0x55, 0x51, 0x38, 0x7a, 0x98, 0xba, 0x97, 0x7c, 0x73,
	    0x2d, 0x08, 0x0d, 0xcb, 0x0f, 0x29, 0xa0, 0x48, 0xe3, 0x65, 0x69, 0x12, 0xc6,
	    0x53, 0x3e, 0x32, 0xee, 0x7a, 0xed, 0x29, 0xb7, 0x21, 0x76, 0x9c, 0xe6, 0x4e,
	    0x43, 0xd5, 0x71, 0x33, 0xb0, 0x74, 0xd8, 0x39, 0xd5, 0x31, 0xed, 0x1f, 0x28,
	    0x51, 0x0a, 0xfb, 0x45, 0xac, 0xe1, 0x0a, 0x1f, 0x4b, 0x79, 0x4d, 0x6f,
	};

	check_block(key, 1, nonce, want);
}

static void seeded(struct drbg *d, const char *seed)
{
	memset(d, 0, sizeof(*d));
	drbg_seed(d, seed, strlen(seed));
}

Test(drbg, unseeded_refuses)
{
	struct drbg d;
	uint8_t out[16];

	memset(&d, 0, sizeof(d));
	memset(out, 0xa5, sizeof(out));
	cr_assert_eq(drbg_generate(&d, out, sizeof(out)), -1);
	for (size_t i = 0; i < sizeof(out); i++)
		cr_assert_eq(out[i], 0xa5, "an unseeded DRBG wrote byte %zu", i);
}

Test(drbg, same_seed_same_output)
{
	struct drbg a, b;
	uint8_t x[100], y[100];

	seeded(&a, "partition seed");
	seeded(&b, "partition seed");
	cr_assert_eq(drbg_generate(&a, x, sizeof(x)), 0);
	cr_assert_eq(drbg_generate(&b, y, sizeof(y)), 0);
	cr_assert_arr_eq(x, y, sizeof(x));
}

Test(drbg, different_seeds_differ)
{
	struct drbg a, b;
	uint8_t x[32], y[32];

	seeded(&a, "seed one");
	seeded(&b, "seed two");
	drbg_generate(&a, x, sizeof(x));
	drbg_generate(&b, y, sizeof(y));
	cr_assert_arr_neq(x, y, sizeof(x));

	/* Same padded chunk, different length. */
	seeded(&a, "a");
	memset(&b, 0, sizeof(b));
	drbg_seed(&b, "a\0", 2);
	drbg_generate(&a, x, sizeof(x));
	drbg_generate(&b, y, sizeof(y));
	cr_assert_arr_neq(x, y, sizeof(x));
}

Test(drbg, successive_generates_differ)
{
	struct drbg d;
	uint8_t x[32], y[32];

	seeded(&d, "seed");
	drbg_generate(&d, x, sizeof(x));
	drbg_generate(&d, y, sizeof(y));
	cr_assert_arr_neq(x, y, sizeof(x));
}

Test(drbg, long_request_not_repetitive)
{
	static uint8_t buf[10000];
	struct drbg d;
	const size_t blocks = sizeof(buf) / 64;

	seeded(&d, "long");
	cr_assert_eq(drbg_generate(&d, buf, sizeof(buf)), 0);
	for (size_t i = 0; i < blocks; i++)
		for (size_t j = i + 1; j < blocks; j++)
			cr_assert_neq(memcmp(buf + 64 * i, buf + 64 * j, 64), 0,
				      "blocks %zu and %zu repeat", i, j);
	/* The tail past the last whole block was written too. */
	size_t zeros = 0;
	for (size_t i = 64 * blocks; i < sizeof(buf); i++)
		zeros += buf[i] == 0;
	cr_assert_lt(zeros, 4);
}

Test(drbg, long_request_matches_short_prefix)
{
	/* A request is one keystream under one key; the first bytes do not depend on its length. */
	static uint8_t a[5000], b[40];
	struct drbg x, y;

	seeded(&x, "prefix");
	seeded(&y, "prefix");
	drbg_generate(&x, a, sizeof(a));
	drbg_generate(&y, b, sizeof(b));
	cr_assert_arr_eq(a, b, sizeof(b));
}

Test(drbg, seed_order_matters)
{
	struct drbg a, b;
	uint8_t x[32], y[32];

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	drbg_seed(&a, "first", 5);
	drbg_seed(&a, "second", 6);
	drbg_seed(&b, "second", 6);
	drbg_seed(&b, "first", 5);
	drbg_generate(&a, x, sizeof(x));
	drbg_generate(&b, y, sizeof(y));
	cr_assert_arr_neq(x, y, sizeof(x));

	/* The split of material across calls matters too. */
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	drbg_seed(&a, "ab", 2);
	drbg_seed(&a, "c", 1);
	drbg_seed(&b, "a", 1);
	drbg_seed(&b, "bc", 2);
	drbg_generate(&a, x, sizeof(x));
	drbg_generate(&b, y, sizeof(y));
	cr_assert_arr_neq(x, y, sizeof(x));
}

Test(drbg, reseed_changes_output)
{
	struct drbg a, b;
	uint8_t x[32], y[32];

	seeded(&a, "base");
	seeded(&b, "base");
	drbg_seed(&b, "more", 4);
	drbg_generate(&a, x, sizeof(x));
	drbg_generate(&b, y, sizeof(y));
	cr_assert_arr_neq(x, y, sizeof(x));
}

Test(drbg, wipe_unseeds)
{
	struct drbg d;
	uint8_t out[8];
	const uint8_t zero[sizeof(d.key)] = {0};

	seeded(&d, "seed");
	cr_assert_eq(drbg_generate(&d, out, sizeof(out)), 0);
	drbg_wipe(&d);
	cr_assert_eq(d.seeded, 0);
	cr_assert_arr_eq(d.key, zero, sizeof(zero));
	cr_assert_eq(d.generated, 0);
	cr_assert_eq(drbg_generate(&d, out, sizeof(out)), -1);
}

Test(drbg, counts_generated)
{
	struct drbg d;
	uint8_t out[50];

	seeded(&d, "seed");
	drbg_generate(&d, out, sizeof(out));
	drbg_generate(&d, out, 10);
	cr_assert_eq(d.generated, 60);
	drbg_seed(&d, "x", 1);
	cr_assert_eq(d.generated, 0);
}

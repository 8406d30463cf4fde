/*
 * ChaCha20 fast-key-erasure DRBG (see drbg.h).
 *
 * Seeding absorbs material into the key with a one-way compression step,
 *	key = ChaCha20(key ^ chunk, counter 0, SEED_NONCE)[0..32),
 * over 32-byte chunks. Each drbg_seed call first absorbs a header chunk carrying the call's
 * length, then the material, the last chunk zero-padded. The length header makes the encoding of
 * a sequence of calls injective: without it "a" and "a\0" (same padded chunk) would give the same
 * key, and calls could be re-split across boundaries ("ab"+"c" vs "a"+"bc" within one chunk).
 * Every chunk goes through the block function, so material absorbed earlier affects everything
 * later, and order matters.
 *
 * Generation uses a different nonce from seeding, so no generate step can ever coincide with a
 * seeding step computed from the same key.
 */
#include "drbg.h"

#include <string.h>

/* Domain separation: little-endian "gohv", "seed"/"gen ", "drbg". */
static const uint32_t SEED_NONCE[3] = {0x766f6867, 0x64656573, 0x67627264};
static const uint32_t GEN_NONCE[3] = {0x766f6867, 0x206e6567, 0x67627264};

/* Output produced from one key before it is replaced, bounding what a state compromise in the
 * middle of a long request could reveal. */
#define REKEY_BYTES 4096

/* A plain memset of dead locals may be elided; the barrier makes the stores observable. */
static void wipe(void *p, size_t n)
{
	memset(p, 0, n);
	__asm__ volatile("" : : "r"(p) : "memory");
}

static void key_words(const uint8_t key[32], uint32_t w[8])
{
	for (int i = 0; i < 8; i++)
		w[i] = (uint32_t)key[4 * i] | (uint32_t)key[4 * i + 1] << 8 |
		       (uint32_t)key[4 * i + 2] << 16 | (uint32_t)key[4 * i + 3] << 24;
}

static void absorb(struct drbg *d, const uint8_t chunk[32])
{
	uint32_t w[8];
	uint8_t block[64];

	for (int i = 0; i < 32; i++)
		d->key[i] ^= chunk[i];
	key_words(d->key, w);
	chacha20_block(w, 0, SEED_NONCE, block);
	memcpy(d->key, block, 32);
	wipe(w, sizeof(w));
	wipe(block, sizeof(block));
}

void drbg_seed(struct drbg *d, const void *seed, size_t len)
{
	const uint8_t *p = seed;
	uint8_t chunk[32] = {0};
	uint64_t l = len;

	for (int i = 0; i < 8; i++)
		chunk[i] = (uint8_t)(l >> (8 * i));
	absorb(d, chunk);
	while (len) {
		size_t n = len < 32 ? len : 32;

		memset(chunk, 0, sizeof(chunk));
		memcpy(chunk, p, n);
		absorb(d, chunk);
		p += n;
		len -= n;
	}
	wipe(chunk, sizeof(chunk));
	d->generated = 0;
	d->seeded = 1;
}

int drbg_generate(struct drbg *d, void *out, size_t len)
{
	uint8_t *o = out;
	uint32_t w[8];
	uint8_t block[64];

	if (!d->seeded)
		return -1;
	d->generated += len;
	while (len) {
		size_t part = len < REKEY_BYTES ? len : REKEY_BYTES;
		uint32_t counter = 0;
		size_t off = 32; /* the first 32 bytes of block 0 are the next key */

		key_words(d->key, w);
		chacha20_block(w, counter++, GEN_NONCE, block);
		/* The old key survives only in w, which is wiped; the state never holds a key that
		 * produced output already handed out. */
		memcpy(d->key, block, 32);
		while (part) {
			size_t n;

			if (off == 64) {
				chacha20_block(w, counter++, GEN_NONCE, block);
				off = 0;
			}
			n = 64 - off < part ? 64 - off : part;
			memcpy(o, block + off, n);
			o += n;
			off += n;
			part -= n;
			len -= n;
		}
	}
	wipe(w, sizeof(w));
	wipe(block, sizeof(block));
	return 0;
}

void drbg_wipe(struct drbg *d)
{
	wipe(d, sizeof(*d));
}

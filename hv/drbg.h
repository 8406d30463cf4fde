/*
 * Entropy for partitions: a ChaCha20 DRBG with fast key erasure (the construction of OpenBSD's
 * arc4random and Linux's crng): every request produces keystream from the current key, the first
 * 32 bytes of which become the next key, so a later compromise of the state reveals nothing of
 * output already given. The hv keeps one root DRBG seeded from the best hardware source; each
 * partition gets its own DRBG seeded from the root at every (re)start.
 */
#ifndef GOHV_DRBG_H
#define GOHV_DRBG_H

#include <stddef.h>
#include <stdint.h>

/* RFC 8439 section 2.3: the block function, key as 8 LE words, nonce as 3 LE words. */
void chacha20_block(const uint32_t key[8], uint32_t counter, const uint32_t nonce[3],
		    uint8_t out[64]);

struct drbg {
	uint8_t key[32];
	uint64_t generated; /* bytes handed out since the last (re)seed */
	int seeded;
};

/* Mixes seed material of any length into the key; can be called repeatedly to add sources. */
void drbg_seed(struct drbg *d, const void *seed, size_t len);

/* Fills out with len bytes. An unseeded DRBG returns -1 and writes nothing. */
int drbg_generate(struct drbg *d, void *out, size_t len);

/* Forgets the state (a partition is being torn down). */
void drbg_wipe(struct drbg *d);

#endif

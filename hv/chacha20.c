/* The ChaCha20 block function of RFC 8439 section 2.3, for the DRBG. Kept byte-order explicit so
 * the output is the same on any host the unit tests run on. */
#include "drbg.h"

#define ROTL32(v, n) (((v) << (n)) | ((v) >> (32 - (n))))

#define QUARTER_ROUND(a, b, c, d)                                                                  \
	do {                                                                                       \
		a += b;                                                                            \
		d ^= a;                                                                            \
		d = ROTL32(d, 16);                                                                 \
		c += d;                                                                            \
		b ^= c;                                                                            \
		b = ROTL32(b, 12);                                                                 \
		a += b;                                                                            \
		d ^= a;                                                                            \
		d = ROTL32(d, 8);                                                                  \
		c += d;                                                                            \
		b ^= c;                                                                            \
		b = ROTL32(b, 7);                                                                  \
	} while (0)

void chacha20_block(const uint32_t key[8], uint32_t counter, const uint32_t nonce[3],
		    uint8_t out[64])
{
	uint32_t in[16], x[16];

	/* "expand 32-byte k" */
	in[0] = 0x61707865;
	in[1] = 0x3320646e;
	in[2] = 0x79622d32;
	in[3] = 0x6b206574;
	for (int i = 0; i < 8; i++)
		in[4 + i] = key[i];
	in[12] = counter;
	in[13] = nonce[0];
	in[14] = nonce[1];
	in[15] = nonce[2];

	for (int i = 0; i < 16; i++)
		x[i] = in[i];
	for (int i = 0; i < 10; i++) {
		QUARTER_ROUND(x[0], x[4], x[8], x[12]);
		QUARTER_ROUND(x[1], x[5], x[9], x[13]);
		QUARTER_ROUND(x[2], x[6], x[10], x[14]);
		QUARTER_ROUND(x[3], x[7], x[11], x[15]);
		QUARTER_ROUND(x[0], x[5], x[10], x[15]);
		QUARTER_ROUND(x[1], x[6], x[11], x[12]);
		QUARTER_ROUND(x[2], x[7], x[8], x[13]);
		QUARTER_ROUND(x[3], x[4], x[9], x[14]);
	}
	for (int i = 0; i < 16; i++) {
		uint32_t v = x[i] + in[i];

		out[4 * i + 0] = (uint8_t)v;
		out[4 * i + 1] = (uint8_t)(v >> 8);
		out[4 * i + 2] = (uint8_t)(v >> 16);
		out[4 * i + 3] = (uint8_t)(v >> 24);
	}

	/* The state holds the key; the DRBG's forward secrecy would be void if it lingered. */
	for (int i = 0; i < 16; i++)
		in[i] = x[i] = 0;
	__asm__ volatile("" : : "r"(in), "r"(x) : "memory");
}

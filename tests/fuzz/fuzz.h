/*
 * What every libFuzzer harness in tests/fuzz shares: the entry point's declaration and a reader
 * that takes typed values off the front of the input, giving zeros once it runs out (so every
 * input, however short, is a whole run). docs/fuzzing.md says what each harness drives.
 */
#ifndef GOHV_FUZZ_H
#define GOHV_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

static inline uint64_t fuzz_take(struct fuzz_in *in, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes; i++)
		v |= (uint64_t)(in->n ? (in->n--, *in->p++) : 0) << (8 * i);
	return v;
}

#define fuzz_u8(in)  ((uint8_t)fuzz_take((in), 1))
#define fuzz_u16(in) ((uint16_t)fuzz_take((in), 2))
#define fuzz_u32(in) ((uint32_t)fuzz_take((in), 4))
#define fuzz_u64(in) fuzz_take((in), 8)

/* Up to max-1 bytes (a length byte, then the bytes) into a NUL-terminated buf. */
static inline void fuzz_str(struct fuzz_in *in, char *buf, size_t max)
{
	size_t len = fuzz_u8(in) % max;

	if (len > in->n)
		len = in->n;
	memcpy(buf, in->p, len);
	buf[len] = '\0';
	in->p += len;
	in->n -= len;
}

#endif

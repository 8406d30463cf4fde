/*
 * Integration test guest: entropy from the hv and the DT's rng-seed. Prints "ENTROPY <64 hex>",
 * "SEED <hex>" ("SEED none" without one), and "ENTROPY FAIL <why>" if a call fails or two calls
 * return the same bytes; exits 0, or 1 after a FAIL.
 */
#include "libgoos.h"

#define SEED_MAX 256

int main(void)
{
	uint8_t a[32], b[32];
	char hex[2 * SEED_MAX + 1];
	size_t seed_len;
	const void *seed = goos_rng_seed(&seed_len);
	int rc = 0;
	long ra = goos_entropy(a, sizeof(a));
	long rb = goos_entropy(b, sizeof(b));

	if (ra != (long)sizeof(a) || rb != (long)sizeof(b)) {
		printf("ENTROPY FAIL calls returned %ld and %ld\n", ra, rb);
		return 1;
	}
	goos_hex(hex, a, sizeof(a));
	printf("ENTROPY %s\n", hex);
	if (!memcmp(a, b, sizeof(a))) {
		printf("ENTROPY FAIL two calls returned the same bytes\n");
		rc = 1;
	}
	if (seed) {
		goos_hex(hex, seed, seed_len < SEED_MAX ? seed_len : SEED_MAX);
		printf("SEED %s\n", hex);
	} else {
		printf("SEED none\n");
	}
	return rc;
}

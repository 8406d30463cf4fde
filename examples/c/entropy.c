/* Demo guest: 16 random bytes from the hv every 3 s, and how much rng-seed the DT carried. */
#include "libgoos.h"

int main(void)
{
	size_t seed_len;
	uint8_t buf[16];
	char hex[2 * sizeof(buf) + 1];

	goos_rng_seed(&seed_len);
	printf("entropy on %s: DT rng-seed is %lu bytes\n", goos_partition_name(),
	       (unsigned long)seed_len);
	for (unsigned long n = 1;; n++) {
		long r = goos_entropy(buf, sizeof(buf));

		if (r < 0) {
			printf("entropy: error %ld\n", r);
		} else {
			goos_hex(hex, buf, sizeof(buf));
			printf("random #%lu: %s\n", n, hex);
		}
		goos_sleep_ms(3000);
	}
}

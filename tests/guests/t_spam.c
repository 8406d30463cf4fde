/*
 * Integration test guest: floods the console. For bootargs ms=M milliseconds it writes lines of
 * about 100 bytes back to back, each with one call, then prints "SPAM done lines=<n>" and exits 0.
 */
#include "libgoos.h"

int main(void)
{
	uint64_t end = goos_now() + goos_ticks_from_ms(goos_bootarg_ulong("ms", 100));
	unsigned long lines = 0;

	while (goos_now() < end)
		printf("spam %06lu the quick brown fox jumps over the lazy dog, again and again, "
		       "and again\n",
		       lines++);
	printf("SPAM done lines=%lu\n", lines);
	return 0;
}

/* Integration test guest: a partition that never gives its CPU away. It spins in a tight loop for
 * bootargs ms=N milliseconds (never calling the hv), then prints "SPIN done" and exits 0. On a
 * shared CPU only the hv's slice timer can take the CPU back from it. */
#include "libgoos.h"

int main(void)
{
	uint64_t end = goos_now() + goos_ticks_from_ms(goos_bootarg_ulong("ms", 200));

	while (goos_now() < end)
		;
	printf("SPIN done\n");
	return 0;
}

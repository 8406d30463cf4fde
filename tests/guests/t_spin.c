/* Integration test guest: a partition that never gives its CPU away. It spins in a tight loop for
 * bootargs ms=N milliseconds (never calling the hv), counting its loops and the longest time it
 * was switched out, then prints "SPIN done start=<tick> loops=<n> max_gap=<ticks>" and exits 0.
 * On a shared CPU only the hv's slice timer can take the CPU back from it. With forever=1 it
 * spins in a loop reading nothing, for ever. */
#include "libgoos.h"

int main(void)
{
	/* forever=1: a pure loop, no time read, no call: a partition that never halts. */
	if (goos_bootarg_ulong("forever", 0))
		for (;;)
			__asm__ volatile("");
	uint64_t start = goos_now(), last = start, max_gap = 0, loops = 0;
	uint64_t end = start + goos_ticks_from_ms(goos_bootarg_ulong("ms", 200));

	while (last < end) {
		uint64_t now = goos_now();

		if (now - last > max_gap)
			max_gap = now - last;
		last = now;
		loops++;
	}
	printf("SPIN done start=%lu loops=%lu max_gap=%lu\n", (unsigned long)start,
	       (unsigned long)loops, (unsigned long)max_gap);
	return 0;
}

/*
 * Integration test guest: the partition watchdog. It prints
 * "WATCHDOG run=<restarts> period=<watchdog ms from the DT> pet=<first pet's result>", then pets
 * bootargs pets=N times, one every every=MS milliseconds, and prints
 * "PETTED run=<restarts> n=<N> max_gap_us=<longest time between two pets>". Then, by hang=:
 * "spin" spins without a call for ever, "idle" idles for ever (no deadline), anything else exits 0;
 * the first two print "HANG run=<restarts> <how>" before they stop petting.
 */
#include "libgoos.h"

int main(void)
{
	unsigned run = goos_info_read32(GOOS_INFO_RESTARTS);
	unsigned long pets = goos_bootarg_ulong("pets", 5);
	uint64_t every = goos_ticks_from_ms(goos_bootarg_ulong("every", 10));
	char hang[8] = "";
	uint64_t last = goos_now(), max_gap = 0, next = last;

	goos_bootarg_copy("hang", hang, sizeof(hang));
	printf("WATCHDOG run=%u period=%u pet=%ld\n", run, goos_watchdog_ms(), goos_watchdog_pet());
	for (unsigned long i = 0; i < pets; i++) {
		next += every;
		goos_sleep_until(next);
		goos_watchdog_pet();
		uint64_t now = goos_now();
		if (now - last > max_gap)
			max_gap = now - last;
		last = now;
	}
	printf("PETTED run=%u n=%lu max_gap_us=%lu\n", run, pets,
	       (unsigned long)goos_ticks_to_us(max_gap));
	if (!strcmp(hang, "spin")) {
		printf("HANG run=%u spin\n", run);
		for (;;)
			__asm__ volatile("");
	}
	if (!strcmp(hang, "idle")) {
		printf("HANG run=%u idle\n", run);
		for (;;)
			goos_idle(GOOS_NO_DEADLINE);
	}
	return 0;
}

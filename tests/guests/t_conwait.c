/*
 * Integration test guest: how long one console line takes while others flood the console. Every
 * bootargs period=P ms, rounds=N times, it writes one line and measures, in microseconds of the
 * time CSR, the call and how long after its due time the line was out (waking up and the call);
 * then prints "CONWAIT rounds=<N> worst_us=<call> worst_late_us=<due to out>" and exits 0.
 */
#include "libgoos.h"

int main(void)
{
	unsigned long period = goos_ticks_from_ms(goos_bootarg_ulong("period", 5));
	unsigned long rounds = goos_bootarg_ulong("rounds", 10);
	uint64_t next = goos_now(), worst = 0, worst_late = 0;
	static const char line[] = "conwait: one line among the flood\n";

	for (unsigned long i = 0; i < rounds; i++) {
		next += period;
		goos_sleep_until(next);
		uint64_t t0 = goos_now();
		goos_console_write(line, sizeof(line) - 1);
		uint64_t t1 = goos_now();
		if (t1 - t0 > worst)
			worst = t1 - t0;
		if (t1 - next > worst_late)
			worst_late = t1 - next;
	}
	printf("CONWAIT rounds=%lu worst_us=%lu worst_late_us=%lu\n", rounds,
	       (unsigned long)goos_ticks_to_us(worst), (unsigned long)goos_ticks_to_us(worst_late));
	return 0;
}

/*
 * Integration test guest: keeps a secret in its RAM and checks it every 100 ms while another
 * partition attacks. Prints "VICTIM secret at 0x<addr>", "VICTIM tick <n>" for n = 1..ticks
 * (bootargs ticks=N, default 30), then "VICTIM max gap <us> us" (the longest time between two
 * ticks, read from its own time CSR: what a partition beside it took from this one) and "VICTIM
 * done", and exits 0; on damage prints "VICTIM CORRUPTED tick=<n> index=<i>" and exits 1.
 */
#include "libgoos.h"

#define SECRET_WORDS 1024

static uint64_t secret[SECRET_WORDS];

static uint64_t pattern(unsigned long i)
{
	return 0x5ec2e75ec2e75ec2UL ^ (i * 0x9e3779b97f4a7c15UL);
}

int main(void)
{
	long ticks = goos_bootarg_long("ticks", 30);
	uint64_t period = goos_ticks_from_ms(100);
	uint64_t last = goos_now(), next = last + period, max_gap = 0;

	for (unsigned long i = 0; i < SECRET_WORDS; i++)
		secret[i] = pattern(i);
	printf("VICTIM secret at 0x%lx\n", (unsigned long)secret);
	for (long n = 1; n <= ticks; n++) {
		goos_sleep_until(next);
		uint64_t now = goos_now();
		if (now - last > max_gap)
			max_gap = now - last;
		last = now;
		next += period;
		for (unsigned long i = 0; i < SECRET_WORDS; i++) {
			if (((volatile uint64_t *)secret)[i] != pattern(i)) {
				printf("VICTIM CORRUPTED tick=%ld index=%lu\n", n, i);
				return 1;
			}
		}
		printf("VICTIM tick %ld\n", n);
	}
	printf("VICTIM max gap %lu us\n", (unsigned long)goos_ticks_to_us(max_gap));
	printf("VICTIM done\n");
	return 0;
}

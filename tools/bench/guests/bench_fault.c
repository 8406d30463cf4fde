/*
 * Benchmark guest: a stage-2 fault. Prints "BENCH-FAULT at <tick>", spins until that tick begins
 * and then loads from a guest-physical page outside its partition that nothing ever touched. The
 * hv stops the partition; the bench build of the hv ends its fault line with "tick <time> instret
 * <instret>", so the host computes report tick - access tick (and instret - 100 * access tick). Run
 * with restart = "always" for many samples. bootargs: addr=<gpa> (default 0x40000000).
 */
#include "bench.h"

/* Far enough ahead for the print to be done. */
#define LEAD_TICKS 500

int main(void)
{
	unsigned long addr = goos_bootarg_ulong("addr", 0x40000000UL);
	uint64_t at = goos_now() + LEAD_TICKS;

	printf("BENCH-FAULT at %lu addr 0x%lx\n", (unsigned long)at, addr);
	while (goos_now() < at)
		;
	(void)*(volatile uint32_t *)addr;
	printf("BENCH-FAULT survived\n");
	return 1;
}

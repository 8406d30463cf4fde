/*
 * Benchmark guest: when did this partition start? Prints "BENCH-BOOT start <tick>", the time CSR
 * at the first instruction of _start (libgoos's goos_start_time), and exits 0. The bench build of
 * the hv prints the tick of its own first instruction; the host subtracts.
 */
#include "bench.h"

int main(void)
{
	printf("BENCH-BOOT start %lu\n", (unsigned long)goos_start_time);
	return 0;
}

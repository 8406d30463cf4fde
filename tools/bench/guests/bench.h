/*
 * Shared by the benchmark guests (tools/bench/guests/bench_*.c). Each figure is printed as one
 * machine-readable line for tools/bench/gohv-bench.c:
 *
 *     BENCH <name> <median> <unit> min=<min> max=<max> n=<samples>
 *
 * Runs under QEMU's -icount shift=0,sleep=off: instret counts single instructions (of the whole
 * machine: under icount it is the virtual clock), time ticks once per 100 instructions.
 */
#ifndef GOHV_BENCH_GUEST_H
#define GOHV_BENCH_GUEST_H

#include "libgoos.h"

#define BENCH_MAX_SAMPLES 512
#define BENCH_WARMUP	  16

static inline uint64_t bench_instret(void)
{
	uint64_t v;

	__asm__ volatile("rdinstret %0" : "=r"(v)::"memory");
	return v;
}

/* Iterations after warm-up: bootargs "iters=N" (capped), else def. */
static inline unsigned bench_iters(unsigned def)
{
	long n = goos_bootarg_long("iters", (long)def);

	if (n < 1)
		n = 1;
	if (n > BENCH_MAX_SAMPLES)
		n = BENCH_MAX_SAMPLES;
	return (unsigned)n;
}

static inline void bench_sort(uint64_t *s, unsigned n)
{
	for (unsigned i = 1; i < n; i++) {
		uint64_t v = s[i];
		unsigned j = i;

		for (; j > 0 && s[j - 1] > v; j--)
			s[j] = s[j - 1];
		s[j] = v;
	}
}

/* Sorts the samples and prints the figure's line (the lower median for an even count). */
static inline void bench_report(const char *name, const char *unit, uint64_t *s, unsigned n)
{
	bench_sort(s, n);
	printf("BENCH %s %lu %s min=%lu max=%lu n=%u\n", name, (unsigned long)s[(n - 1) / 2], unit,
	       (unsigned long)s[0], (unsigned long)s[n - 1], n);
}

#endif

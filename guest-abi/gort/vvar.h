/*
 * The vDSO's data page ("vvar"): gort fills it, the vDSO (in user mode) reads it to compute the
 * time without a system call. It sits one page below the vDSO image. Shared by the kernel side
 * (vdso.c, time.c) and the vDSO itself so both convert time CSR ticks to ns the same way: a clock
 * read through the vDSO and one read through clock_gettime must never disagree.
 */
#ifndef GORT_VVAR_H
#define GORT_VVAR_H

#include <stdint.h>

#define VVAR_NSEC_PER_SEC 1000000000ULL
#define VVAR_SHIFT	  32

struct vvar {
	uint64_t timebase_hz; /* time CSR ticks per second */
	uint64_t mult;	      /* ns = (ticks * mult) >> shift */
	uint32_t shift;
	uint32_t pad;
	int64_t realtime_offset_ns; /* CLOCK_REALTIME - CLOCK_MONOTONIC */
};

/* mult for a timebase: (1e9 << 32) / hz, rounded. 1e9 << 32 < 2^62, so no 128-bit division is
 * needed; and when hz divides 1e9 (10 MHz: 100 ns a tick) the result is exact for every tick
 * count. */
static inline uint64_t vvar_mult(uint64_t hz)
{
	return ((VVAR_NSEC_PER_SEC << VVAR_SHIFT) + hz / 2) / hz;
}

/* The 128-bit product cannot overflow: ticks < 2^64 and mult < 2^62. */
static inline uint64_t vvar_ticks_to_ns(const struct vvar *v, uint64_t ticks)
{
	return (uint64_t)(((unsigned __int128)ticks * v->mult) >> v->shift);
}

#endif

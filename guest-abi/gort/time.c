/* Time: the time CSR, its frequency from the device tree, and conversions. */
#include "gort.h"
#include "riscv.h"
#include "vvar.h"

static uint64_t timebase_hz = 10000000;
static int64_t realtime_offset;

void time_init(uint64_t hz, int64_t realtime_offset_ns)
{
	if (hz)
		timebase_hz = hz;
	realtime_offset = realtime_offset_ns;
}

uint64_t gort_now(void)
{
	return csr_read(CSR_TIME);
}

uint64_t gort_timebase(void)
{
	return timebase_hz;
}

int64_t gort_realtime_offset_ns(void)
{
	return realtime_offset;
}

/* Rounded up, so a sleep never ends early. 64-bit only: gort links no libgcc helpers. */
uint64_t ns_to_ticks(uint64_t ns)
{
	uint64_t sec = ns / 1000000000u, rem = ns % 1000000000u;
	uint64_t frac = rem * timebase_hz; /* < 1e9 * hz: fits for any timebase under 18 GHz */

	if (sec > UINT64_MAX / timebase_hz - 1)
		return UINT64_MAX;
	return sec * timebase_hz + frac / 1000000000u + (frac % 1000000000u != 0);
}

/* The same conversion the vDSO makes, so a time read with or without a trap agrees. */
uint64_t ticks_to_ns(uint64_t t)
{
	struct vvar v = {.timebase_hz = timebase_hz, .mult = vvar_mult(timebase_hz), .shift = 32};
	return vvar_ticks_to_ns(&v, t);
}

#include "goldfish_rtc.h"

#define REG_TIME_LOW  0x00
#define REG_TIME_HIGH 0x04

uint64_t goldfish_rtc_read_ns(uintptr_t base)
{
	/* Reading TIME_LOW latches the high half, so LOW must come first for a consistent pair. */
	uint32_t lo = *(volatile uint32_t *)(base + REG_TIME_LOW);
	uint32_t hi = *(volatile uint32_t *)(base + REG_TIME_HIGH);

	return ((uint64_t)hi << 32) | lo;
}

#include "goldfish_rtc.h"

#define REG_TIME_LOW  0x00
#define REG_TIME_HIGH 0x04

static int rtc_probe(void *dev, const struct dt_node *n)
{
	struct goldfish_rtc *r = dev;
	uint64_t base, size;

	if (dt_reg(n, 0, &base, &size) || size < 8)
		return -1;
	r->base = base;
	return 0;
}

static uint64_t rtc_read_ns(void *dev)
{
	const struct goldfish_rtc *r = dev;
	/* Reading TIME_LOW latches the high half, so LOW must come first for a consistent pair. */
	uint32_t lo = *(volatile uint32_t *)(r->base + REG_TIME_LOW);
	uint32_t hi = *(volatile uint32_t *)(r->base + REG_TIME_HIGH);

	return ((uint64_t)hi << 32) | lo;
}

static const char *const compatible[] = {"google,goldfish-rtc", NULL};

const struct rtc_dev_ops goldfish_rtc_ops = {
    .compatible = compatible,
    .probe = rtc_probe,
    .read_ns = rtc_read_ns,
};

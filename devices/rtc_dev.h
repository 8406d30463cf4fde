/* A real-time clock driver, read once at boot: the hv hands partitions the wall clock as an offset
 * from the clock they read themselves, so no guest ever touches the device. */
#ifndef GOHV_RTC_DEV_H
#define GOHV_RTC_DEV_H

#include <stdint.h>

#include "dt.h"

struct rtc_dev_ops {
	const char *const *compatible; /* NULL-terminated */
	/* Reads the node's settings into dev, touching no hardware: 0, or -1 if unusable. */
	int (*probe)(void *dev, const struct dt_node *n);
	/* Nanoseconds since the Unix epoch; 0 if the clock has no time. */
	uint64_t (*read_ns)(void *dev);
};

#endif

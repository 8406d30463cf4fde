/* Goldfish RTC (QEMU virt's "google,goldfish-rtc"), read only: the wall clock the hv hands to
 * partitions as an offset from their own clock, so guests never touch the device. */
#ifndef GOHV_GOLDFISH_RTC_H
#define GOHV_GOLDFISH_RTC_H

#include <stdint.h>

#include "rtc_dev.h"

struct goldfish_rtc {
	uintptr_t base;
};

extern const struct rtc_dev_ops goldfish_rtc_ops;

#endif

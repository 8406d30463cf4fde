/* Goldfish RTC (QEMU virt's "google,goldfish-rtc"), read only: the wall clock the hv hands to
 * partitions as an offset from the time CSR, so guests never touch the device. */
#ifndef GOHV_GOLDFISH_RTC_H
#define GOHV_GOLDFISH_RTC_H

#include <stdint.h>

/* Nanoseconds since the Unix epoch. */
uint64_t goldfish_rtc_read_ns(uintptr_t base);

#endif

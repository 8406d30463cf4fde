/* The device tree each partition boots with, written by the hv with libfdt; the port writes its
 * /cpus node (arch_guest_fdt_cpus). */
#ifndef GOHV_GUEST_FDT_H
#define GOHV_GUEST_FDT_H

#include <stddef.h>
#include <stdint.h>

struct partition;

/* Writes p's device tree into buf (which the guest sees at gpa). Returns 0 or a libfdt error. */
int guest_fdt_build(struct partition *p, void *buf, size_t size, uint64_t gpa);

/* Returns from the calling function with x if x is a libfdt error. */
#define FDT_TRY(x)                                                                                 \
	do {                                                                                       \
		int __e = (x);                                                                     \
		if (__e < 0)                                                                       \
			return __e;                                                                \
	} while (0)

#endif

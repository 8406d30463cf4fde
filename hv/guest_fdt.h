/* The device tree each partition boots with, written by the hv with libfdt; the port writes its
 * /cpus node (arch_guest_fdt_cpus). */
#ifndef GOHV_GUEST_FDT_H
#define GOHV_GUEST_FDT_H

#include <libfdt.h>
#include <stddef.h>
#include <stdint.h>

struct partition;

/* Writes p's device tree into buf (which the guest sees at gpa). Returns 0 or a libfdt error. */
int guest_fdt_build(struct partition *p, void *buf, size_t size, uint64_t gpa);

/* Adds an empty property (a flag such as interrupt-controller) to a tree being written.
 * fdt_property(fdt, name, NULL, 0) would memcpy from NULL, undefined even for 0 bytes (UBSan
 * reports it); the placeholder call copies nothing. */
static inline int dt_empty_prop(void *fdt, const char *name)
{
	void *val;

	return fdt_property_placeholder(fdt, name, 0, &val);
}

/* Returns from the calling function with x if x is a libfdt error. */
#define FDT_TRY(x)                                                                                 \
	do {                                                                                       \
		int __e = (x);                                                                     \
		if (__e < 0)                                                                       \
			return __e;                                                                \
	} while (0)

#endif

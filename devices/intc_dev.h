/* An interrupt controller driver: the one that routes device interrupts to CPUs. The hv takes no
 * device interrupts yet, so all it asks today is that nothing stray reaches a CPU; claim, complete
 * and routing a source to the CPU of the partition that owns it come with device passthrough. */
#ifndef GOHV_INTC_DEV_H
#define GOHV_INTC_DEV_H

#include "dt.h"

struct intc_dev_ops {
	const char *const *compatible; /* NULL-terminated */
	/* Reads the node's settings into dev, touching no hardware: 0, or -1 if unusable. */
	int (*probe)(void *dev, const struct dt_node *n);
	/* Masks every source for every target. */
	void (*init)(void *dev);
};

#endif

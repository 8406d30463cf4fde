/* An interrupt controller driver: the one that routes device interrupts to CPUs. At boot nothing
 * stray may reach a CPU; a device passed through to a partition (hv/passthru.h) has its source
 * routed to the CPU of the owner's vCPU 0, where the hv claims and completes it. CPUs are named by
 * their port id (hwid). */
#ifndef GOHV_INTC_DEV_H
#define GOHV_INTC_DEV_H

#include "dt.h"

struct intc_dev_ops {
	const char *const *compatible; /* NULL-terminated */
	/* Reads the node's settings into dev, touching no hardware: 0, or -1 if unusable. */
	int (*probe)(void *dev, const struct dt_node *n);
	/* Masks every source for every target. */
	void (*init)(void *dev);
	/* Delivers source to the CPU hwid's hv (its supervisor-level target), or masks it there: 0,
	 * or -1 if the controller has no target for that CPU. Called on that CPU once it runs the
	 * hv (firmware may reset a CPU's target when it starts the CPU). */
	int (*route)(void *dev, unsigned long hwid, unsigned source, bool on);
	/* The pending source delivered to CPU hwid with the highest priority, 0 if none; it stays
	 * taken until complete. */
	unsigned (*claim)(void *dev, unsigned long hwid);
	void (*complete)(void *dev, unsigned long hwid, unsigned source);
};

#endif

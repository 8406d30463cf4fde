/* What the host port lets a unit test see and steer. */
#ifndef GOHV_ARCH_HOST_H
#define GOHV_ARCH_HOST_H

#include <stdbool.h>
#include <stdint.h>

struct host_state {
	uint64_t now;	   /* the time CSR */
	uint64_t wfi_step; /* how far time moves in one WFI */
	unsigned wfis, kicks, ipis, entries;
	/* Called in each WFI: what happens elsewhere while this CPU sleeps. */
	void (*on_wfi)(void);
	bool irq_pending;
	int powered_off;
};

extern struct host_state host;

#endif

/* Per-CPU state: one struct per physical CPU the hv manages, found through this_cpu(). */
#ifndef GOHV_CPU_H
#define GOHV_CPU_H

#include <stdint.h>

#include "arch.h"
#include "sched.h"

struct partition;

struct cpu {
	struct arch_cpu arch; /* first: the port's trap entry finds its own fields at offset 0 */
	unsigned index;	      /* logical: its place in hv.cpus[], what board configs name */
	unsigned long hwid;   /* the port's id for it (what its interrupts and firmware name) */
	volatile int online;  /* running the hv: only then may it be kicked (see cpu_kick) */
	struct sched sched;   /* the vCPUs it runs */
	uint64_t tick_at;     /* the run loop's next tick while a guest runs (vcpu.c) */
	struct partition *watchdogs; /* with a watchdog and their vCPU 0 here (watchdog.h) */
	uint64_t watchdog_at;	     /* the earliest of their deadlines at the last scan */
	unsigned dev_irqs;	     /* device interrupts routed here (passthru.h) */
};

/*
 * Interrupts c so it looks at its vCPUs' requests. A CPU that is not yet online is left alone: it
 * reads them when its run loop starts (it sets online before that, the poster sets the request
 * before reading online, both sequentially consistent, so no request is missed). Kicking a CPU
 * still parked in the firmware is not just useless: OpenSBI 1.1 then spins in its HSM wait loop
 * and can race its own CPU start, which publishes START_PENDING before the start address, and
 * enter the hv at its boot entry, which clears the hv's memory.
 */
static inline void cpu_kick(struct cpu *c)
{
	if (__atomic_load_n(&c->online, __ATOMIC_SEQ_CST))
		arch_kick(c);
}

#endif

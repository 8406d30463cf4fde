/* Per-hart state: one struct per physical hart, found through this_cpu(). */
#ifndef GOHV_CPU_H
#define GOHV_CPU_H

#include <stdint.h>

#include "arch.h"

/* Requests another hart (or an interrupt) leaves for this one; handled before guest entry. */
#define CPU_REQ_STOP  (1u << 0) /* park the vCPU: its partition is stopping */
#define CPU_REQ_START (1u << 1) /* the vCPU was started: reset and enter it */
#define CPU_REQ_IPI   (1u << 2) /* another vCPU sent this one a guest IPI */
#define CPU_REQ_FLUSH (1u << 3) /* a remote fence: flush guest TLBs */
#define CPU_REQ_WAKE  (1u << 4) /* goos wake: end (or pre-empt) an idle call */

struct cpu {
	/* Read by trap.S; keep first and in this order (arch/<arch>/include/arch/types.h). */
	void *regs;
	unsigned long scratch;
	unsigned long hv_sp;

	unsigned long hartid;
	volatile int online; /* running the hv: only then may it be kicked (see cpu_kick) */
	struct vcpu *vcpu;   /* the one vCPU pinned here, or NULL */
	volatile uint32_t requests;
	struct arch_cpu arch;
};

_Static_assert(__builtin_offsetof(struct cpu, regs) == 0, "trap.S layout");
_Static_assert(__builtin_offsetof(struct cpu, hv_sp) == 16, "trap.S layout");

/*
 * Interrupts c so it looks at its requests. A hart that is not yet online is left alone: it reads
 * its requests when its run loop starts (it sets online before that, the poster sets the request
 * before reading online, both sequentially consistent, so no request is missed). Kicking a hart
 * still parked in the firmware is not just useless: OpenSBI 1.1 then spins in its HSM wait loop
 * and can race hart_start, which publishes START_PENDING before the start address, and enter the
 * hv at its boot entry, which clears the hv's memory.
 */
static inline void cpu_kick(struct cpu *c)
{
	if (__atomic_load_n(&c->online, __ATOMIC_SEQ_CST))
		arch_kick(c);
}

static inline void cpu_request(struct cpu *c, uint32_t req)
{
	__atomic_fetch_or(&c->requests, req, __ATOMIC_SEQ_CST);
	cpu_kick(c);
}

static inline uint32_t cpu_take_requests(struct cpu *c)
{
	return __atomic_exchange_n(&c->requests, 0, __ATOMIC_SEQ_CST);
}

#endif

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
	int present;         /* listed in the machine's device tree and usable */
	int online;          /* running the hv */
	struct vcpu *vcpu;   /* the one vCPU pinned here, or NULL */
	volatile uint32_t requests;
	struct arch_cpu arch;
};

_Static_assert(__builtin_offsetof(struct cpu, regs) == 0, "trap.S layout");
_Static_assert(__builtin_offsetof(struct cpu, hv_sp) == 16, "trap.S layout");

static inline void cpu_request(struct cpu *c, uint32_t req)
{
	__atomic_fetch_or(&c->requests, req, __ATOMIC_SEQ_CST);
	arch_kick(c);
}

static inline uint32_t cpu_take_requests(struct cpu *c)
{
	return __atomic_exchange_n(&c->requests, 0, __ATOMIC_SEQ_CST);
}

#endif

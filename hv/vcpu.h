/* A partition's virtual CPU. Pinned to one physical hart for life: its state is only changed on
 * that hart, other harts ask through cpu requests. */
#ifndef GOHV_VCPU_H
#define GOHV_VCPU_H

#include <stdbool.h>
#include <stdint.h>

#include "arch.h"

struct partition;
struct cpu;

enum vcpu_state {
	VCPU_OFF,     /* not started (or stopped with HSM hart_stop) */
	VCPU_RUNNING, /* in the guest, or in the hv on its behalf */
};

struct vcpu {
	struct arch_vcpu arch; /* first: trap.S reaches the registers through cpu->regs */
	struct partition *part;
	struct cpu *cpu;
	unsigned id; /* index within the partition: the guest's hart id */
	volatile enum vcpu_state state;
	/* Start parameters, written by whoever starts the vCPU before CPU_REQ_START. */
	uint64_t start_entry, start_arg, start_sp;
	volatile int wake_pending; /* a goos wake not yet seen by an idle call */
};

/* The core's run loop for a hart; never returns. */
__attribute__((noreturn)) void vcpu_run_loop(struct cpu *cpu);

/* Starts vCPU v of its partition at entry (a0 = v->id, a1 = arg, sp = sp). Called from any hart.
 * Returns a GOOS_ERR_* code. */
long vcpu_start(struct vcpu *v, uint64_t entry, uint64_t arg, uint64_t sp);
/* The calling vCPU stops itself (HSM hart_stop). Returns to the run loop. */
void vcpu_stop_self(struct vcpu *v);
/* Wakes v from (or before) an idle call. */
void vcpu_wake(struct vcpu *v);
/* Blocks the calling vCPU until deadline, a wake or a guest interrupt; returns GOOS_EV_* bits. */
unsigned long vcpu_idle(struct vcpu *v, uint64_t deadline);
/* Core handling of a requests word on the vCPU's own hart; true if the guest may continue. */
bool vcpu_handle_requests(struct vcpu *v, uint32_t req);

/* Sleeps this hart until deadline. Requests posted meanwhile wait for the run loop. */
void hv_sleep_until(uint64_t deadline);

/* A guest fault the port could not serve: reports one line and stops the partition per its
 * policy. addr is the faulting guest-physical (or virtual, when that is all there is) address. */
void vcpu_fault(struct vcpu *v, const char *what, uint64_t pc, uint64_t addr);

#endif

/* What the host port lets a unit test see and steer. */
#ifndef GOHV_ARCH_HOST_H
#define GOHV_ARCH_HOST_H

#include <stdbool.h>
#include <stdint.h>

#include "hv/arch.h"

struct vcpu;

struct host_state {
	uint64_t now;	   /* the time CSR */
	uint64_t wfi_step; /* how far time moves in one WFI */
	unsigned wfis, kicks, ipis, entries, withdrawn;
	unsigned s2_fences;	   /* arch_stage2_fence calls */
	unsigned s2_remote_fences; /* arch_stage2_fence_cpu calls */
	uint32_t withdraw_held;	   /* the external sources still held at the last withdrawal */
	/* Called in each WFI: what happens elsewhere while this CPU sleeps. */
	void (*on_wfi)(void);
	/* Called at each step of the port the run loop takes for v (named by where: "load",
	 * "reset", "run", "park"): another CPU may act right there, between two steps, to force an
	 * interleaving where the core reads state outside a lock. */
	void (*on_step)(struct vcpu *v, const char *where);
	bool irq_pending;
	int powered_off;
	/* Fuzzers only (tests/fuzz): what the guest does when v enters it (NULL: it yields);
	 * a call from the port's calls the core makes (time, kicks, vCPU load, reset, park...),
	 * where the fuzzer may play another CPU if no lock is held; power-off, which must not
	 * return (NULL: exit). */
	enum vcpu_exit (*on_run)(struct vcpu *v);
	void (*on_port_call)(void);
	void (*on_system_off)(bool failure);
};

extern struct host_state host;

#endif

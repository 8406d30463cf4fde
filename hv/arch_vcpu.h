/* The arch contract, vCPUs: the core decides what runs where and when; the port resets, switches
 * and runs a vCPU, and hands each exit back as a disposition. Every function but arch_vcpu_init
 * and arch_vmid works on the vCPU loaded on the calling CPU (the core loads it first). */
#ifndef GOHV_ARCH_VCPU_H
#define GOHV_ARCH_VCPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vcpu;
struct stage2;

/* How a vCPU starts: the port maps these to its boot registers (RISC-V: a0 = vCPU id, a1 = dt or
 * arg; arm64: x0 = dt or arg; x86: its own convention). The first vCPU of a partition gets dt
 * (arg 0), a vCPU started by a sibling gets that sibling's arg (dt 0). */
struct vcpu_boot {
	uint64_t entry;
	uint64_t stack; /* 0: the guest sets its own */
	uint64_t dt;	/* guest-physical address of its device tree, or 0 */
	uint64_t arg;
};

/* What a guest exit asks of the core's run loop. Only the run loop acts on it: it switches,
 * blocks, stops and restarts; handlers never wait. */
enum vcpu_exit {
	EXIT_RESUME,  /* served: enter the guest again */
	EXIT_YIELD,   /* the core must look (a request, the hv's timer, a kick) */
	EXIT_BLOCK,   /* the vCPU waits (vcpu_wait said for what) */
	EXIT_STOPPED, /* it stopped itself or its partition is stopping */
	EXIT_FAULTED, /* reported; its partition is stopping */
};

/* Once per vCPU at partition creation, on any CPU: the stage-2 table it runs under and whether
 * its CPU is shared (the port then traps the guest's wait-for-interrupt instead of letting it
 * stall the CPU). */
void arch_vcpu_init(struct vcpu *v, const struct stage2 *s2, bool shared_cpu);
/* The VMID (or VPID, ASID tag) partition number index gets; 0 where there are none to give, and
 * the port then flushes on every switch between partitions. */
unsigned arch_vmid(unsigned index);
/* Sets the vCPU's state for a fresh start from b, as a real CPU comes out of reset: registers,
 * FP state, guest control registers and timer all cleared, so nothing of an earlier run is seen. */
void arch_vcpu_reset(struct vcpu *v, const struct vcpu_boot *b);
/* Makes v the vCPU whose state is in this CPU's registers, saving the one that was (a full
 * context switch: registers, FP state lazily, guest control registers, timer, translation tag).
 * Nothing to do when v already is. */
void arch_vcpu_load(struct vcpu *v);
/* Runs the loaded guest until the core must act. Guest traps the port can serve itself, and the
 * core's handlers that return EXIT_RESUME, loop inside without leaving. */
enum vcpu_exit arch_vcpu_run(struct vcpu *v);
/* A stopped vCPU: its timer disarmed and nothing pending, so it wakes nobody. */
void arch_vcpu_park(struct vcpu *v);
/* The value a blocking call returns, written when its wait ends. */
void arch_vcpu_set_result(struct vcpu *v, unsigned long value);
/* Flushes guest TLB state on this CPU (a remote fence request). */
void arch_vcpu_flush_tlb(struct vcpu *v);

#endif

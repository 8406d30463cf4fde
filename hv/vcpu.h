/*
 * A partition's virtual CPU. Each vCPU has a home CPU for life (the config's `cpus`); a CPU may be
 * home to several vCPUs, of one partition or of several, and its scheduler (sched.h) shares it.
 * A vCPU's registers are only changed on its home CPU; other CPUs post requests (vcpu_post) and
 * the home CPU's run loop serves them between two guest entries.
 */
#ifndef GOHV_VCPU_H
#define GOHV_VCPU_H

#include <stdbool.h>
#include <stdint.h>

#include "arch.h"

struct partition;
struct cpu;

enum vcpu_state {
	VCPU_OFF,     /* not started (or stopped with a guest CPU-stop call) */
	VCPU_RUNNING, /* started: in the guest, runnable, or blocked in a wait */
};

/* Requests another CPU (or the vCPU's own handlers) leave for its home CPU. */
#define VREQ_START   (1u << 0) /* started: reset from v->boot and run */
#define VREQ_STOP    (1u << 1) /* park: the partition is stopping */
#define VREQ_FLUSH   (1u << 2) /* a remote fence: flush guest TLBs */
#define VREQ_VIRQ    (1u << 3) /* a virtual interrupt is pending: deliver v->virq */
#define VREQ_WAKE    (1u << 4) /* re-check what the vCPU waits for */
#define VREQ_CLEANUP (1u << 5) /* vCPU 0 only: its partition stopped: scrub, then restart */

/* What a vCPU waits for when it is blocked. Every wait also ends on a request. */
enum vcpu_wait {
	WAIT_NONE,
	WAIT_IDLE,    /* goos idle call: a deadline, a wake or an interrupt; returns the events */
	WAIT_IRQ,     /* WFI or HSM suspend: an interrupt (or a wake) */
	WAIT_CLEANUP, /* a parked vCPU 0 scrubbing its partition, then waiting out the backoff */
};

/* Where the scheduler keeps a vCPU. */
enum vcpu_where {
	WHERE_NONE,    /* parked (off) and in no queue */
	WHERE_RUNQ,    /* ready, in its CPU's run queue */
	WHERE_SLEEP,   /* blocked, in its CPU's sleep list */
	WHERE_CURRENT, /* the one its CPU runs now */
};

struct vcpu {
	struct arch_vcpu arch; /* first: the port's trap entry reaches the registers through it */
	struct partition *part;
	struct cpu *cpu; /* home CPU */
	unsigned id;	 /* index within the partition: the guest's CPU id */
	volatile enum vcpu_state state;
	volatile uint32_t requests; /* VREQ_* bits */
	volatile uint32_t virq; /* pending virtual interrupts (enum virq bits) not yet delivered */
	volatile uint32_t virq_enabled; /* the sources delivered; a masked one stays pending */
	volatile int wake_pending;	/* a goos wake not yet seen by an idle call */
	struct vcpu_boot boot;		/* written by whoever starts the vCPU, before VREQ_START */

	/* Scheduler state: under the home CPU's sched lock (where is also read without it, by
	 * sched_wake's look for a current vCPU). */
	enum vcpu_where where;
	struct vcpu *next; /* run queue or sleep list link */
	enum vcpu_wait wait;
	uint64_t wait_deadline; /* what the wait asked for (~0: none) */
	bool wait_checked;	/* its events were just found empty (by the call that waits) */
	uint64_t wake_at;  /* when the sleep list hands it back: wait deadline or guest timer */
	uint64_t slice;	   /* time-slice length in timer ticks */
	uint32_t weight;   /* its share of a shared CPU, relative to the others there */
	uint64_t vruntime; /* running time divided by weight (sched.c's units) */

	/* Last, not among the hot fields above: the external sources to withdraw at the next
	 * entry, and those delivered and not withdrawn (home CPU only). */
	volatile uint32_t virq_drop;
	uint32_t virq_held;
};

/* The core's run loop for a CPU; never returns. */
__attribute__((noreturn)) void vcpu_run_loop(struct cpu *cpu);
/* One turn of it: pick, serve requests, enter the guest once (or sleep). */
void vcpu_run_once(struct cpu *cpu);

/* Posts requests to v and makes sure its home CPU looks at them soon. Any CPU. */
void vcpu_post(struct vcpu *v, uint32_t req);
/* Makes virtual interrupt id pending in v (enum virq). Any CPU. It reaches the guest when it is
 * enabled (at once if it is). */
void vcpu_inject(struct vcpu *v, unsigned id);
/* Enables (or masks) source id in v; enabling one that is pending delivers it. Any CPU. */
void vcpu_virq_enable(struct vcpu *v, unsigned id, bool on);
/* External source id went quiet: v no longer has it pending, and the guest's line is lowered at
 * its next entry unless another source holds it. Any CPU. */
void vcpu_withdraw(struct vcpu *v, unsigned id);

/* Starts vCPU v of its partition with boot parameters b. Called from any CPU. */
enum hv_err vcpu_start(struct vcpu *v, const struct vcpu_boot *b);
/* The calling vCPU stops itself (SBI HSM stop, PSCI CPU_OFF). */
enum vcpu_exit vcpu_stop_self(struct vcpu *v);
/* Wakes v from (or before) an idle call. */
void vcpu_wake(struct vcpu *v);
/* The calling vCPU waits (a goos idle call, WFI, HSM suspend) until deadline or an event. The run
 * loop blocks it; for WAIT_IDLE the call's value becomes the GOOS_EV_* mask when it ends. */
enum vcpu_exit vcpu_wait(struct vcpu *v, enum vcpu_wait what, uint64_t deadline);
/* The GOOS_EV_* events that end v's current wait, 0 if none yet. On v's home CPU. */
unsigned long vcpu_wait_events(struct vcpu *v);
/* Ends v's wait with events ev and returns them, with GOOS_EV_VIRTQ added when an idle ends with
 * its partition's pending set not empty (channel.h says why it looks again). */
unsigned long vcpu_wait_end(struct vcpu *v, unsigned long ev);

#ifdef GOHV_BENCH
/* Bench build only: prints the vCPU switch samples (at power-off). */
void bench_switch_report(void);
#endif

/* A guest fault the port could not serve: reports one line and stops the partition per its
 * policy. addr is the faulting guest-physical (or virtual, when that is all there is) address. */
enum vcpu_exit vcpu_fault(struct vcpu *v, const char *what, uint64_t pc, uint64_t addr);

#endif

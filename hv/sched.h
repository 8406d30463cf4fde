/*
 * The per-CPU scheduler. Each CPU runs the vCPUs homed on it: one current, the others in a run
 * queue (ready, in virtual-runtime order) or in a sleep list ordered by when they wake (blocked).
 * A vCPU's virtual runtime grows by its running time divided by its weight; the current one runs
 * until it blocks or stops, or until its time slice ends while a ready one has run less. A vCPU
 * that wakes comes back at most one slice behind the least-run ready one, and preempts the
 * current one if that one has run more: wakes are served at once, yet nobody gets more than its
 * weight's share by sleeping often. The hv's own timer ends slices and sleeps.
 * A CPU home to one vCPU never arms a slice: it runs exactly as an exclusive CPU did before
 * sharing existed.
 *
 * The sched lock is a leaf (hv/hv.h has the lock order). Only the home CPU changes `current` and
 * the sleep list order; any CPU may move a vCPU to the run queue (sched_wake).
 */
#ifndef GOHV_SCHED_H
#define GOHV_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spinlock.h"

struct vcpu;
struct cpu;

struct sched {
	bool exclusive; /* one exclusive partition owns the CPU */
	spinlock_t lock;
	struct vcpu *current;
	struct vcpu *runq;     /* sorted by vruntime, least first */
	struct vcpu *sleep;    /* sorted by wake_at, earliest first */
	unsigned nvcpus;       /* homed here; more than one means the CPU is shared */
	uint64_t slice_end;    /* when current's slice ends (meaningful while others are ready) */
	uint64_t run_start;    /* when current's vruntime was last brought up to date */
	uint64_t min_vruntime; /* never decreasing: the least vruntime among current and ready */
	bool preempt;	       /* a wake asks that current give the CPU up now */
#ifdef GOHV_BENCH
	struct vcpu *last; /* bench build only: the vCPU loaded last, to tell switches apart */
#endif
};

/* The vCPU alone on its CPU, when it is current: it keeps the CPU without a look at the queues,
 * and nothing is ever queued beside it. NULL otherwise. */
static inline struct vcpu *sched_lone(const struct sched *s)
{
	return s->nvcpus == 1 ? s->current : NULL;
}

/* Homes v on c (at partition creation). */
void sched_add(struct cpu *c, struct vcpu *v);
/* Makes v ready unless it already is or runs (it may preempt the current one); true if its CPU
 * must be kicked to notice. */
bool sched_wake(struct vcpu *v);
/* The run loop's choice on c at time now: hands sleepers whose time came to the run queue, and
 * returns the vCPU to run (current if it keeps the CPU, else the next ready one, which becomes
 * current with a fresh slice), or NULL when nothing is ready. */
struct vcpu *sched_pick(struct cpu *c, uint64_t now);
/* The current vCPU stops being current: it blocks until v->wake_at (WHERE_SLEEP) or is parked
 * (WHERE_NONE). */
void sched_block(struct cpu *c, struct vcpu *v);
void sched_park(struct cpu *c, struct vcpu *v);
/* The hv timer deadline c needs while current runs: its slice end if another is ready, and the
 * first sleeper's wake time; ~0 when neither. */
uint64_t sched_deadline(struct cpu *c);

#endif

/*
 * The per-CPU scheduler. Each CPU runs the vCPUs homed on it: one current, the others in a run
 * queue (ready) or in a sleep list ordered by when they wake (blocked). The current vCPU runs
 * until it blocks or stops, or until its time slice (the board's, times its weight) ends while
 * another is ready; it then goes to the back of the queue. A vCPU that wakes goes to the front,
 * so a wake waits at most for the rest of one slice. The hv's own timer ends slices and sleeps.
 * A CPU home to one vCPU never arms a slice: it runs exactly as an exclusive CPU did before
 * sharing existed.
 *
 * Lock order: partition lock, then sched lock (a vCPU start takes both); the sched lock is a leaf
 * otherwise. Only the home CPU changes `current` and the sleep list order; any CPU may move a vCPU
 * to the run queue (sched_wake).
 */
#ifndef GOHV_SCHED_H
#define GOHV_SCHED_H

#include <stdbool.h>
#include <stdint.h>

#include "spinlock.h"

struct vcpu;
struct cpu;

struct sched {
	bool exclusive; /* one exclusive partition owns the CPU */
	spinlock_t lock;
	struct vcpu *current;
	struct vcpu *runq_head, *runq_tail;
	struct vcpu *sleep; /* sorted by wake_at, earliest first */
	unsigned nvcpus;    /* homed here; more than one means the CPU is shared */
	uint64_t slice_end; /* when current's slice ends (meaningful while others are ready) */
};

/* Homes v on c (at partition creation). */
void sched_add(struct cpu *c, struct vcpu *v);
/* Makes v ready unless it already is or runs; true if its CPU must be kicked to notice. */
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

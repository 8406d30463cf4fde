/*
 * Partition watchdogs (the board config's watchdog-ms). A partition with one must pet it (the goos
 * call GOOS_FN_WATCHDOG_PET) at least once a period; otherwise the hv stops it as failed and its
 * restart policy applies. The run loop of the CPU its vCPU 0 is homed on keeps the deadlines with
 * the hv's own timer, so a guest that never traps, or is blocked, is caught just the same, and
 * only that CPU ever stops it for a missed pet.
 */
#ifndef GOHV_WATCHDOG_H
#define GOHV_WATCHDOG_H

#include <stdint.h>

#include "cpu.h"
#include "err.h"

struct partition;

/* At create: puts p (if its config has a watchdog) on its vCPU 0's CPU's list. */
void watchdog_attach(struct partition *p);
/* At each start, before the partition runs: a full period from now. */
void watchdog_arm(struct partition *p);
/* A pet from any of p's vCPUs: HV_ERR_NOT_SUPPORTED if p has no watchdog. */
enum hv_err watchdog_pet(struct partition *p);

/* On c's run loop: stops the partitions homed there whose deadline passed and returns the
 * earliest deadline still to come (~0: none), also kept in c->watchdog_at for the timer. */
uint64_t watchdog_scan(struct cpu *c);
static inline void watchdog_check(struct cpu *c)
{
	if (c->watchdogs)
		watchdog_scan(c);
}

#endif

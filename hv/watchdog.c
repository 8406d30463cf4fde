/* Partition watchdogs (watchdog.h). */
#include "watchdog.h"

#include "hv.h"

void watchdog_attach(struct partition *p)
{
	struct cpu *c = p->vcpus[0].cpu;

	if (!p->cfg->watchdog_ms)
		return;
	p->watchdog_ticks = hv.plat.timebase_hz * p->cfg->watchdog_ms / 1000;
	p->watchdog_next = c->watchdogs;
	c->watchdogs = p;
	c->watchdog_at = 0;
}

void watchdog_arm(struct partition *p)
{
	if (!p->watchdog_ticks)
		return;
	__atomic_store_n(&p->watchdog_at, arch_time_now() + p->watchdog_ticks, __ATOMIC_RELAXED);
	/* The home CPU may be scanning now: it must not see the new run's state with the last
	 * run's (long passed) deadline. The state is written after this. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

enum hv_err watchdog_pet(struct partition *p)
{
	if (!p->watchdog_ticks)
		return HV_ERR_NOT_SUPPORTED;
	__atomic_store_n(&p->watchdog_at, arch_time_now() + p->watchdog_ticks, __ATOMIC_RELAXED);
	return HV_OK;
}

uint64_t watchdog_scan(struct cpu *c)
{
	uint64_t now = arch_time_now(), next = ~0UL;

	for (struct partition *p = c->watchdogs; p; p = p->watchdog_next) {
		if (__atomic_load_n(&p->state, __ATOMIC_ACQUIRE) != PART_RUNNING)
			continue;
		uint64_t at = __atomic_load_n(&p->watchdog_at, __ATOMIC_RELAXED);

		if (now < at) {
			if (at < next)
				next = at;
		} else {
			partition_watchdog_expired(p, now);
		}
	}
	c->watchdog_at = next;
	return next;
}

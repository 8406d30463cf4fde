/*
 * vCPU scheduling. Each vCPU is pinned to one hart and each hart runs at most one vCPU, so
 * "scheduling" is a hart's loop: start its vCPU when asked, run it, serve what the port hands back,
 * sleep in WFI when there is nothing to run. Another hart changes a vCPU only by posting a request
 * and kicking its hart.
 */
#include <goos.h>

#include "hv.h"
#include "hypercall.h"

static void park(struct vcpu *v)
{
	v->state = VCPU_OFF;
	partition_vcpu_parked(v->part);
}

bool vcpu_handle_requests(struct vcpu *v, uint32_t req)
{
	if (req & CPU_REQ_STOP) {
		if (v->state == VCPU_RUNNING)
			park(v);
		return false;
	}
	if (v->state != VCPU_RUNNING)
		return false;
	if (req & CPU_REQ_IPI)
		arch_vcpu_inject_ipi(v);
	if (req & CPU_REQ_FLUSH)
		arch_vcpu_flush_tlb(v);
	return true;
}

void vcpu_run_loop(struct cpu *cpu)
{
	for (;;) {
		struct vcpu *v = cpu->vcpu;

		/* Acknowledge the kick before reading the requests: a request posted after this
		 * point kicks again and WFI falls straight through. */
		arch_kick_clear();
		uint32_t req = cpu_take_requests(cpu);

		if (v) {
			/* Start first: a start and a stop in one batch still park exactly once. */
			if ((req & CPU_REQ_START) && v->state == VCPU_OFF) {
				arch_vcpu_load(v);
				arch_vcpu_reset(v, v->start_entry, v->id, v->start_arg,
						v->start_sp);
				v->state = VCPU_RUNNING;
			}
			if ((!req || vcpu_handle_requests(v, req)) && v->state == VCPU_RUNNING) {
				arch_vcpu_run(v);
				continue;
			}
		}
		/* Requests posted by this hart itself (a restart) come without a kick. */
		if (!cpu->requests)
			arch_wait_for_interrupt();
	}
}

long vcpu_start(struct vcpu *v, uint64_t entry, uint64_t arg, uint64_t sp)
{
	struct partition *p = v->part;
	long err = GOOS_OK;

	spin_lock(&p->lock);
	if (p->state != PART_RUNNING)
		err = GOOS_ERR_DENIED;
	else if (v->state != VCPU_OFF || (v->cpu->requests & CPU_REQ_START))
		err = GOOS_ERR_ALREADY_STARTED;
	else {
		v->start_entry = entry;
		v->start_arg = arg;
		v->start_sp = sp;
		v->wake_pending = 0;
		/* Counted as running from now: a stop must wait for it to park. */
		p->running++;
		__atomic_fetch_or(&v->cpu->requests, CPU_REQ_START, __ATOMIC_SEQ_CST);
	}
	spin_unlock(&p->lock);
	if (err == GOOS_OK && v->cpu != this_cpu())
		cpu_kick(v->cpu);
	return err;
}

void vcpu_stop_self(struct vcpu *v)
{
	struct partition *p = v->part;
	bool last;

	spin_lock(&p->lock);
	last = p->running == 1;
	if (!last) {
		p->running--;
		v->state = VCPU_OFF;
	}
	spin_unlock(&p->lock);
	/* The last vCPU stopping is the partition shutting down. */
	if (last)
		partition_exit(v, 0, false);
}

void vcpu_wake(struct vcpu *v)
{
	v->wake_pending = 1;
	if (v->cpu != this_cpu())
		cpu_request(v->cpu, CPU_REQ_WAKE);
}

unsigned long vcpu_idle(struct vcpu *v, uint64_t deadline)
{
	unsigned long ev = 0;

	for (;;) {
		if (__atomic_exchange_n(&v->wake_pending, 0, __ATOMIC_SEQ_CST))
			ev |= GOOS_EV_WAKE;
		if (deadline != GOOS_NO_DEADLINE && arch_time_now() >= deadline)
			ev |= GOOS_EV_TIMER;
		if (arch_vcpu_irq_pending(v))
			ev |= GOOS_EV_IRQ;
		if (ev || v->state != VCPU_RUNNING)
			break;
		arch_hv_timer_set(deadline);
		arch_wait_for_interrupt();
		arch_kick_clear();
		uint32_t req = cpu_take_requests(v->cpu);
		if (req && !vcpu_handle_requests(v, req))
			break;
	}
	arch_hv_timer_set(~0UL);
	return ev;
}

void hv_sleep_until(uint64_t deadline)
{
	while (arch_time_now() < deadline) {
		arch_hv_timer_set(deadline);
		arch_wait_for_interrupt();
		/* A kick only ends the sleep early; its request stays queued. */
		arch_kick_clear();
	}
	arch_hv_timer_set(~0UL);
}

void vcpu_fault(struct vcpu *v, const char *what, uint64_t pc, uint64_t addr)
{
#ifdef GOHV_BENCH
	/* Bench build only: when the report was made, for the stage-2 fault figure. */
	unsigned long instret = (unsigned long)arch_bench_instret();
	unsigned long tick = (unsigned long)arch_time_now();

	hv_log(CONSOLE_FAULT_FMT CONSOLE_FAULT_BENCH_FMT, v->part->cfg->name, v->id, what,
	       (unsigned long)pc, (unsigned long)addr, tick, instret);
#else
	hv_log(CONSOLE_FAULT_FMT, v->part->cfg->name, v->id, what, (unsigned long)pc,
	       (unsigned long)addr);
#endif
	partition_fault(v);
}

struct vcpu *vcpu_sibling(struct vcpu *v, unsigned long id)
{
	return id < v->part->nvcpus ? &v->part->vcpus[id] : NULL;
}

void vcpu_send_ipi(struct vcpu *v, struct vcpu *target)
{
	if (target->state != VCPU_RUNNING)
		return;
	if (target == v)
		arch_vcpu_inject_ipi(v);
	else
		cpu_request(target->cpu, CPU_REQ_IPI);
}

void vcpu_remote_flush(struct vcpu *v, struct vcpu *target)
{
	if (target == v)
		arch_vcpu_flush_tlb(v);
	else if (target->state == VCPU_RUNNING)
		cpu_request(target->cpu, CPU_REQ_FLUSH);
}

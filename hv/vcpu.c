/*
 * The run loop and the vCPU lifecycle. Handlers (goos, SBI, faults) only record what they want and
 * return a disposition (enum vcpu_exit); this loop is the one place that switches vCPUs, blocks,
 * parks and restarts, so nothing ever waits inside a trap handler and a CPU shared by several
 * vCPUs is never held by one of them.
 */
#include <goos.h>
#include <string.h>

#include "hv.h"
#include "hypercall.h"
#include "watchdog.h"

/* Restart cleanup scrubs a partition's RAM this much at a time, so a CPU it shares keeps serving
 * its other vCPUs in between. */
#define SCRUB_CHUNK (1UL << 20)

/* While a guest runs, its CPU takes a timer interrupt at least this often, even alone on it. A
 * guest that never traps would otherwise leave its CPU without a single interrupt, and under
 * QEMU 7.2's -icount round robin such a CPU starved the next one of every instruction (a
 * partition there never printed a line). One trap per tick costs nothing measurable. */
#define RUN_TICK_HZ 100

void vcpu_post(struct vcpu *v, uint32_t req)
{
	__atomic_fetch_or(&v->requests, req, __ATOMIC_SEQ_CST);
	if (sched_wake(v) && v->cpu != this_cpu())
		cpu_kick(v->cpu);
}

void vcpu_inject(struct vcpu *v, unsigned id)
{
	__atomic_fetch_or(&v->virq, VIRQ_BIT(id), __ATOMIC_SEQ_CST);
	if (v->virq_enabled & VIRQ_BIT(id))
		vcpu_post(v, VREQ_VIRQ);
}

void vcpu_withdraw(struct vcpu *v, unsigned id)
{
	__atomic_fetch_and(&v->virq, ~VIRQ_BIT(id), __ATOMIC_SEQ_CST);
	__atomic_fetch_or(&v->virq_drop, VIRQ_BIT(id), __ATOMIC_SEQ_CST);
	vcpu_post(v, VREQ_VIRQ);
}

void vcpu_virq_enable(struct vcpu *v, unsigned id, bool on)
{
	if (!on) {
		__atomic_fetch_and(&v->virq_enabled, ~VIRQ_BIT(id), __ATOMIC_SEQ_CST);
		return;
	}
	__atomic_fetch_or(&v->virq_enabled, VIRQ_BIT(id), __ATOMIC_SEQ_CST);
	/* Both sides write, then read the other's word: an inject racing this one posts, or this
	 * sees its bit. */
	if (v->virq & VIRQ_BIT(id))
		vcpu_post(v, VREQ_VIRQ);
}

enum hv_err vcpu_start(struct vcpu *v, const struct vcpu_boot *b)
{
	struct partition *p = v->part;
	enum hv_err err = HV_OK;

	spin_lock(&p->lock);
	if (p->state != PART_RUNNING)
		err = HV_ERR_DENIED;
	else if (v->state != VCPU_OFF)
		err = HV_ERR_ALREADY_STARTED;
	else {
		/* Started from now, under the lock: a second start is refused, and a stop waits for
		 * this one to park. */
		v->boot = *b;
		v->wake_pending = 0;
		v->state = VCPU_RUNNING;
		p->running++;
	}
	spin_unlock(&p->lock);
	if (err == HV_OK)
		vcpu_post(v, VREQ_START);
	return err;
}

enum vcpu_exit vcpu_stop_self(struct vcpu *v)
{
	/* The run loop parks it; the last vCPU to park ends the partition. */
	return EXIT_STOPPED;
}

void vcpu_wake(struct vcpu *v)
{
	v->wake_pending = 1;
	vcpu_post(v, VREQ_WAKE);
}

unsigned long vcpu_wait_events(struct vcpu *v)
{
	unsigned long ev = 0;

	if (v->wait_deadline != GOOS_NO_DEADLINE && arch_time_now() >= v->wait_deadline)
		ev |= GOOS_EV_TIMER;
	if (arch_vcpu_irq_pending(v))
		ev |= GOOS_EV_IRQ;
	if (v->wake_pending && __atomic_exchange_n(&v->wake_pending, 0, __ATOMIC_SEQ_CST))
		ev |= GOOS_EV_WAKE;
	if (v->wait == WAIT_IDLE && v->part->chan_owned && channel_pending(v->part))
		ev |= GOOS_EV_VIRTQ;
	return ev;
}

/* vcpu_wait_end, inlined into the run loop: it is on the path of every wake. */
static inline unsigned long wait_end(struct vcpu *v, unsigned long ev)
{
	enum vcpu_wait was = v->wait;

	/* Nobody rings a partition without channels: its waits need no ordering. */
	if (!v->part->chan_owned) {
		v->wait = WAIT_NONE;
		return ev;
	}
	__atomic_store_n(&v->wait, WAIT_NONE, __ATOMIC_SEQ_CST);
	if (was == WAIT_IDLE && channel_pending(v->part))
		ev |= GOOS_EV_VIRTQ;
	return ev;
}

unsigned long vcpu_wait_end(struct vcpu *v, unsigned long ev)
{
	return wait_end(v, ev);
}

enum vcpu_exit vcpu_wait(struct vcpu *v, enum vcpu_wait what, uint64_t deadline)
{
	v->wait_deadline = deadline;
	/* Before the events are looked at: a doorbell rung from now on finds it waiting. */
	if (v->part->chan_owned)
		__atomic_store_n(&v->wait, what, __ATOMIC_SEQ_CST);
	else
		v->wait = what;
	return EXIT_BLOCK;
}

enum vcpu_exit vcpu_fault(struct vcpu *v, const char *what, uint64_t pc, uint64_t addr)
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
	return EXIT_FAULTED;
}

struct vcpu *vcpu_sibling(struct vcpu *v, unsigned long id)
{
	return id < v->part->nvcpus ? &v->part->vcpus[id] : NULL;
}

void vcpu_send_ipi(struct vcpu *v, struct vcpu *target)
{
	if (target->state == VCPU_RUNNING)
		vcpu_inject(target, VIRQ_SOFT);
}

void vcpu_remote_flush(struct vcpu *v, struct vcpu *target)
{
	if (target == v)
		arch_vcpu_flush_tlb(v);
	else if (target->state == VCPU_RUNNING)
		vcpu_post(target, VREQ_FLUSH);
}

/* ---------------------------------------------------------------- the run loop */

/* Timer deadline d, or sooner if a watchdog homed on cpu is due first. */
static uint64_t or_watchdog(const struct cpu *cpu, uint64_t d)
{
	return cpu->watchdogs && cpu->watchdog_at < d ? cpu->watchdog_at : d;
}

#ifdef GOHV_BENCH
/* Bench build only: instructions arch_vcpu_load takes to switch to another vCPU of the same or
 * of another partition, sampled and reported when the machine powers off. */
#define BENCH_SWITCH_SAMPLES 256
static struct {
	uint32_t n[2];
	uint32_t s[2][BENCH_SWITCH_SAMPLES];
} bench_switch;

static void bench_load(struct cpu *cpu, struct vcpu *v)
{
	struct vcpu *last = cpu->sched.last;

	/* Only a switch is timed, so the other figures see no extra reads. */
	if (!last || last == v) {
		arch_vcpu_load(v);
		cpu->sched.last = v;
		return;
	}
	uint64_t t0 = arch_bench_instret();
	arch_vcpu_load(v);
	uint64_t t1 = arch_bench_instret();
	unsigned k = last->part != v->part;

	if (bench_switch.n[k] < BENCH_SWITCH_SAMPLES)
		bench_switch.s[k][bench_switch.n[k]++] = (uint32_t)(t1 - t0);
	cpu->sched.last = v;
}

void bench_switch_report(void)
{
	static const char *const kind[] = {"same", "other"};

	for (unsigned k = 0; k < 2; k++) {
		uint32_t *s = bench_switch.s[k], n = bench_switch.n[k];

		if (!n)
			continue;
		for (uint32_t i = 1; i < n; i++)
			for (uint32_t j = i; j > 0 && s[j - 1] > s[j]; j--) {
				uint32_t t = s[j];
				s[j] = s[j - 1];
				s[j - 1] = t;
			}
		hv_log("bench: switch %s median=%u min=%u max=%u n=%u", kind[k], s[(n - 1) / 2],
		       s[0], s[n - 1], n);
	}
}
#define LOAD(cpu, v) bench_load(cpu, v)
#else
#define LOAD(cpu, v) arch_vcpu_load(v)
#endif

static void park(struct cpu *cpu, struct vcpu *v)
{
	v->state = VCPU_OFF;
	v->wait = WAIT_NONE;
	arch_vcpu_park(v);
	sched_park(cpu, v);
	partition_vcpu_parked(v->part);
}

/* vCPU 0 of a stopped partition: scrub its RAM a chunk per turn, then restart it when its backoff
 * is over, or retire it. */
static void cleanup_step(struct cpu *cpu, struct vcpu *v)
{
	struct partition *p = v->part;
	/* The last partition of the machine, ending for good: the machine powers off next, so
	 * there is no one to give the RAM to and its zeroing would only delay the end (the end of
	 * every `gohv run`). */
	bool last = !p->restart_pending && hv.live == 1;

	if (!last && guest_ram_scrub(p, &p->scrubbed, SCRUB_CHUNK))
		return;
	if (!p->restart_pending) {
		v->wait = WAIT_NONE;
		partition_retire(p);
		return;
	}
	if (arch_time_now() < p->restart_at) {
		v->wake_at = p->restart_at;
		sched_block(cpu, v);
		return;
	}
	v->wait = WAIT_NONE;
	partition_start(p);
}

/* The hv timer while a lone vCPU waits in place: its wake-up, or the run tick if that is sooner
 * and still ahead. Leaving the tick armed spares disarming it for the WFI and arming it again
 * when a kick ends it (most waits end that way, within a tick); a wait that outlasts the tick
 * wakes once at it and then sleeps to its own deadline. */
static uint64_t wait_deadline(struct cpu *cpu, uint64_t wake_at)
{
	uint64_t d = or_watchdog(cpu, wake_at);

	return hv.ncpus > 1 && cpu->tick_at < d && cpu->tick_at > arch_time_now() ? cpu->tick_at
										  : d;
}

/* Serves v's requests and its wait before an entry. True if it may enter the guest now. */
static bool ready(struct cpu *cpu, struct vcpu *v)
{
	for (;;) {
		uint32_t req =
		    v->requests ? __atomic_exchange_n(&v->requests, 0, __ATOMIC_SEQ_CST) : 0;

		if (req & VREQ_START) {
			v->wait = WAIT_NONE;
			/* A reset CPU has nothing pending from its last run. */
			__atomic_store_n(&v->virq, 0, __ATOMIC_SEQ_CST);
			__atomic_store_n(&v->virq_drop, 0, __ATOMIC_SEQ_CST);
			v->virq_held = 0;
			v->virq_enabled = VIRQ_RESET_ENABLED | channel_virqs(v) |
					  (v->id ? 0 : v->part->dev_virqs);
			arch_vcpu_reset(v, &v->boot);
		}
		if ((req & VREQ_STOP) && v->state == VCPU_RUNNING) {
			park(cpu, v);
			return false;
		}
		if (req & VREQ_CLEANUP)
			v->wait = WAIT_CLEANUP;
		if (v->wait == WAIT_CLEANUP) {
			cleanup_step(cpu, v);
			return false;
		}
		if (v->state != VCPU_RUNNING) {
			sched_park(cpu, v);
			return false;
		}
		if (req & VREQ_VIRQ) {
			uint32_t on = v->virq_enabled;
			uint32_t drop =
			    v->virq_drop ? __atomic_exchange_n(&v->virq_drop, 0, __ATOMIC_SEQ_CST)
					 : 0;
			/* Withdrawn before delivered: a source raised again since is delivered. */
			if (drop & v->virq_held) {
				v->virq_held &= ~drop;
				arch_vcpu_withdraw(v, drop, v->virq_held);
			}
			uint32_t virqs = __atomic_fetch_and(&v->virq, ~on, __ATOMIC_SEQ_CST) & on;

			if (virqs) {
				arch_vcpu_deliver(v, virqs);
				v->virq_held |= virqs & VIRQ_EXTERNAL_MASK;
			}
		}
		if (req & VREQ_FLUSH)
			arch_vcpu_flush_tlb(v);
		if (v->wait == WAIT_NONE)
			return true;

		unsigned long ev = req || !v->wait_checked ? vcpu_wait_events(v) : 0;
		v->wait_checked = false;
		if (ev) {
			bool idle = v->wait == WAIT_IDLE;

			ev = wait_end(v, ev);
			if (idle)
				arch_vcpu_set_result(v, ev);
			return true;
		}
		uint64_t t = arch_vcpu_timer_deadline(v);
		v->wake_at = v->wait_deadline < t ? v->wait_deadline : t;
		if (cpu->sched.nvcpus != 1) {
			sched_block(cpu, v);
			return false;
		}
		/* Alone on its CPU there is nobody to give it to: wait here, still current, and
		 * look again. A post kicks this CPU, so the WFI ends; the kick is cleared before
		 * looking, as at the top of a turn, so one posted meanwhile ends the next WFI. */
		arch_hv_timer_set(wait_deadline(cpu, v->wake_at));
		arch_wait_for_interrupt();
		arch_kick_clear();
		if (cpu->dev_irqs)
			hv_device_irq(cpu);
		watchdog_check(cpu);
	}
}

static void exited(struct cpu *cpu, struct vcpu *v, enum vcpu_exit e)
{
	switch (e) {
	case EXIT_RESUME:
	case EXIT_YIELD:
	case EXIT_BLOCK:
		/* Stays current; ready() blocks a waiting vCPU at its next turn. */
		break;
	case EXIT_STOPPED:
	case EXIT_FAULTED:
		if (v->state == VCPU_RUNNING)
			park(cpu, v);
		break;
	}
}

/* The hv timer while a guest runs: the scheduler's deadline, or the tick or a watchdog if sooner.
 * The tick moves only once it is past, so entries within one tick leave the timer as it is. The
 * tick is there for the next CPU: on a machine of one there is none to starve, and a port whose
 * timer is costly to move (an emulated guest timer: one move per guest deadline, not two) is
 * spared it. */
static uint64_t run_deadline(struct cpu *cpu)
{
	uint64_t now = arch_time_now(), d = sched_lone(&cpu->sched) ? ~0UL : sched_deadline(cpu);

	if (hv.ncpus == 1)
		return or_watchdog(cpu, d);
	if (cpu->tick_at <= now)
		cpu->tick_at = now + hv.plat.timebase_hz / RUN_TICK_HZ;
	return or_watchdog(cpu, d < cpu->tick_at ? d : cpu->tick_at);
}

void vcpu_run_once(struct cpu *cpu)
{
	/* Acknowledge the kick before looking: anything posted after this point kicks again and
	 * the WFI below falls straight through. */
	arch_kick_clear();
	watchdog_check(cpu);
	struct vcpu *v = sched_lone(&cpu->sched);
	if (!v)
		v = sched_pick(cpu, arch_time_now());

	if (!v) {
		/* Nothing ready: sleep until the first sleeper's time or a kick. */
		arch_hv_timer_set(or_watchdog(cpu, sched_deadline(cpu)));
		arch_wait_for_interrupt();
		if (cpu->dev_irqs)
			hv_device_irq(cpu);
		return;
	}
	LOAD(cpu, v);
	while (ready(cpu, v)) {
		arch_hv_timer_set(run_deadline(cpu));
		enum vcpu_exit e = arch_vcpu_run(v);

		exited(cpu, v, e);
		/* The wait of a vCPU alone on its CPU is served at once (there is nothing to
		 * choose); anything else goes back to the scheduler. */
		if (e != EXIT_BLOCK || cpu->sched.nvcpus != 1)
			return;
	}
}

void vcpu_run_loop(struct cpu *cpu)
{
	for (;;)
		vcpu_run_once(cpu);
}

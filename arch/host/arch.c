/* The host "port": lets the core build and run under Criterion on the build machine. Time is a
 * variable tests set, kicks and power-off are recorded instead of done. A test may play CPUs
 * with threads (each enters its own struct cpu), so what they share is counted atomically. */
#include "host.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/port.h"

__thread struct cpu *host_this_cpu;
struct host_state host;

/* Where another CPU may run meanwhile: the core calls these between taking and using state. */
static void port_call(void)
{
	if (host.on_port_call)
		host.on_port_call();
}

/* The same, for the unit tests that force one interleaving at a named step of v's run loop. */
static void step(struct vcpu *v, const char *where)
{
	if (host.on_step)
		host.on_step(v, where);
	port_call();
}

void arch_cpu_enter(struct cpu *c)
{
	host_this_cpu = c;
}

void arch_cpu_init(struct cpu *cpu, const struct arch_cpu_desc *desc)
{
	(void)desc;
	cpu->arch.features.sstc = true;
}

void arch_describe_features(const struct arch_features *f, char *buf, size_t len)
{
	snprintf(buf, len, "host");
}

int arch_cpu_start(struct cpu *cpu)
{
	cpu->online = 1;
	return 0;
}

void arch_wait_for_interrupt(void)
{
	/* Nothing can interrupt a unit test: time moves on instead, so deadlines still pass, and
	 * the test may play another CPU meanwhile. Another thread may be that CPU: the yield lets
	 * it run (a WFI may end before any interrupt). */
	__atomic_fetch_add(&host.now, host.wfi_step ? host.wfi_step : 1000, __ATOMIC_RELAXED);
	__atomic_fetch_add(&host.wfis, 1, __ATOMIC_RELAXED);
	sched_yield();
	if (host.on_wfi)
		host.on_wfi();
}

void arch_kick(const struct cpu *target)
{
	port_call();
	__atomic_fetch_add(&host.kicks, 1, __ATOMIC_RELAXED);
}

void arch_kick_clear(void)
{
}

void arch_hv_timer_set(uint64_t deadline)
{
	this_cpu()->arch.hv_timer = deadline;
}

uint64_t arch_time_now(void)
{
	port_call();
	return host.now;
}

size_t arch_hw_entropy(void *buf, size_t len)
{
	return 0;
}

void arch_console_putc(char c)
{
	putchar(c);
}

void arch_system_off(bool failure)
{
	host.powered_off = failure ? 2 : 1;
	if (host.on_system_off)
		host.on_system_off(failure);
	exit(failure ? 2 : 0);
}

void arch_stage2_fence(const struct stage2 *s2, uint64_t gpa, uint64_t size)
{
	port_call();
	host.s2_fences++;
}

void arch_stage2_fence_cpu(const struct stage2 *s2, uint64_t gpa, uint64_t size,
			   const struct cpu *cpu)
{
	port_call();
	host.s2_remote_fences++;
}

unsigned arch_vmid(unsigned index)
{
	return index + 1;
}

void arch_vcpu_init(struct vcpu *v, const struct stage2 *s2, bool shared_cpu)
{
	v->arch.timer_deadline = ~0UL;
}

void arch_vcpu_reset(struct vcpu *v, const struct vcpu_boot *b)
{
	step(v, "reset");
	memset(&v->arch.regs, 0, sizeof(v->arch.regs));
	v->arch.regs.sepc = b->entry;
	v->arch.regs.x[REG_A0] = v->id;
	v->arch.regs.x[REG_A1] = b->dt ? b->dt : b->arg;
	v->arch.regs.x[REG_SP] = b->stack;
}

void arch_vcpu_load(struct vcpu *v)
{
	step(v, "load");
	v->cpu->arch.loaded = v;
}

/* A unit test's guest does nothing unless the test says (host.on_run): an entry is counted and
 * yields straight back. */
enum vcpu_exit arch_vcpu_run(struct vcpu *v)
{
	host.entries++;
	if (host.on_step)
		host.on_step(v, "run");
	return host.on_run ? host.on_run(v) : EXIT_YIELD;
}

void arch_vcpu_park(struct vcpu *v)
{
	step(v, "park");
	v->arch.timer_deadline = ~0UL;
}

bool arch_vcpu_irq_pending(struct vcpu *v)
{
	return host.irq_pending || v->arch.virqs;
}

uint64_t arch_vcpu_timer_deadline(struct vcpu *v)
{
	return v->arch.timer_deadline;
}

void arch_vcpu_deliver(struct vcpu *v, uint32_t virqs)
{
	port_call();
	v->arch.virqs |= virqs;
	if (virqs & VIRQ_BIT(VIRQ_SOFT))
		host.ipis++;
}

void arch_vcpu_withdraw(struct vcpu *v, uint32_t virqs, uint32_t held)
{
	port_call();
	v->arch.virqs &= ~virqs;
	host.withdrawn++;
	host.withdraw_held = held;
}

void arch_vcpu_set_result(struct vcpu *v, unsigned long value)
{
	port_call();
	v->arch.regs.x[REG_A1] = value;
}

void arch_vcpu_set_timer(struct vcpu *v, uint64_t deadline)
{
	port_call();
	v->arch.timer_deadline = deadline;
}

void arch_vcpu_flush_tlb(struct vcpu *v)
{
	port_call();
	v->arch.flushes++;
}

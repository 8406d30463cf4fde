/* The host "port": lets the core build and run under Criterion on the build machine. Time is a
 * variable tests set, kicks and power-off are recorded instead of done. */
#include "host.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/hv.h"

struct cpu *host_this_cpu;
struct host_state host;

void arch_cpu_init(struct cpu *cpu)
{
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
	/* Nothing can interrupt a unit test: time moves on instead, so deadlines still pass. */
	host.now += host.wfi_step ? host.wfi_step : 1000;
	host.wfis++;
}

void arch_kick(const struct cpu *target)
{
	host.kicks++;
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
	exit(failure ? 2 : 0);
}

void arch_vcpu_reset(struct vcpu *v, uint64_t entry, uint64_t a0, uint64_t a1, uint64_t sp)
{
	memset(&v->arch.regs, 0, sizeof(v->arch.regs));
	v->arch.regs.sepc = entry;
	v->arch.regs.x[REG_A0] = a0;
	v->arch.regs.x[REG_A1] = a1;
	v->arch.regs.x[REG_SP] = sp;
}

void arch_vcpu_load(struct vcpu *v)
{
}

void arch_vcpu_run(struct vcpu *v)
{
}

bool arch_vcpu_irq_pending(struct vcpu *v)
{
	return host.irq_pending;
}

void arch_vcpu_inject_ipi(struct vcpu *v)
{
	host.ipis++;
}

void arch_vcpu_set_timer(struct vcpu *v, uint64_t deadline)
{
	v->arch.timer_deadline = deadline;
}

void arch_vcpu_flush_tlb(struct vcpu *v)
{
}

/* Running a vCPU on its hart: reset, entry, and the exits the port serves itself. */
#include <arch/csr.h>
#include <fmt.h>
#include <string.h>

#include "hv/hv.h"
#include "riscv.h"

#define hfence_gvma_all() __asm__ __volatile__(".insn r 0x73, 0, 0x31, x0, x0, x0" ::: "memory")
#define hfence_vvma_all() __asm__ __volatile__(".insn r 0x73, 0, 0x11, x0, x0, x0" ::: "memory")

void arch_vcpu_reset(struct vcpu *v, uint64_t entry, uint64_t a0, uint64_t a1, uint64_t sp)
{
	struct arch_regs *r = &v->arch.regs;
	struct cpu *c = v->cpu;

	memset(r, 0, sizeof(*r));
	r->sepc = entry;
	r->x[REG_A0] = a0;
	r->x[REG_A1] = a1;
	r->x[REG_SP] = sp;
	/* sret lands in VS-mode; FS stays on so the guest can use its FPU (the hv never does). */
	r->sstatus = SSTATUS_SPP | SSTATUS_FS;
	r->hstatus = (csr_read(CSR_HSTATUS) & HSTATUS_VSXL_64) | HSTATUS_SPV | HSTATUS_SPVP;

	/* The guest's supervisor state as a fresh hart has it. */
	csr_write(CSR_VSSTATUS, 0);
	csr_write(CSR_VSIE, 0);
	csr_write(CSR_VSTVEC, 0);
	csr_write(CSR_VSSCRATCH, 0);
	csr_write(CSR_VSEPC, 0);
	csr_write(CSR_VSCAUSE, 0);
	csr_write(CSR_VSTVAL, 0);
	csr_write(CSR_VSATP, 0);
	csr_write(CSR_HVIP, 0);
	if (c->arch.features.sstc)
		csr_write(CSR_VSTIMECMP, ~0UL);
	v->arch.timer_deadline = ~0UL;
	riscv_timer_program(c);
	hfence_vvma_all();
}

void arch_vcpu_load(struct vcpu *v)
{
	const struct stage2 *s2 = &v->part->s2;

	csr_write(CSR_HGATP, (HGATP_MODE_SV39X4 << HGATP_MODE_SHIFT) |
				 ((unsigned long)s2->vmid << HGATP_VMID_SHIFT) |
				 ((uintptr_t)s2->root >> 12));
	hfence_gvma_all();
	v->cpu->regs = &v->arch.regs;
}

void arch_vcpu_set_timer(struct vcpu *v, uint64_t deadline)
{
	if (v->cpu->arch.features.sstc) {
		csr_write(CSR_VSTIMECMP, deadline);
		return;
	}
	v->arch.timer_deadline = deadline;
	csr_clear(CSR_HVIP, MIP_VSTIP);
	riscv_timer_program(v->cpu);
}

/* Without Sstc the guest's timer is the hv's: raise it into the guest when it is due. */
static void guest_timer_check(struct vcpu *v)
{
	if (v->arch.timer_deadline != ~0UL && csr_read(CSR_TIME) >= v->arch.timer_deadline) {
		v->arch.timer_deadline = ~0UL;
		csr_set(CSR_HVIP, MIP_VSTIP);
		riscv_timer_program(v->cpu);
	}
}

bool arch_vcpu_irq_pending(struct vcpu *v)
{
	unsigned long enabled = csr_read(CSR_HIE) & VS_INTERRUPTS;

	guest_timer_check(v);
	if (csr_read(CSR_HIP) & enabled)
		return true;
	/* hip may not show a vstimecmp match while the hart is not in the guest. */
	return (enabled & MIP_VSTIP) && v->cpu->arch.features.sstc &&
	       csr_read(CSR_TIME) >= csr_read(CSR_VSTIMECMP);
}

void arch_vcpu_inject_ipi(struct vcpu *v)
{
	csr_set(CSR_HVIP, MIP_VSSIP);
}

void arch_vcpu_flush_tlb(struct vcpu *v)
{
	hfence_vvma_all();
	__asm__ __volatile__("fence.i" ::: "memory");
}

static const char *exception_name(unsigned long cause)
{
	switch (cause) {
	case EXC_INST_ACCESS:
		return "instruction access fault";
	case EXC_ILLEGAL_INST:
		return "illegal instruction";
	case EXC_LOAD_ACCESS:
		return "load access fault";
	case EXC_STORE_ACCESS:
		return "store access fault";
	case EXC_INST_GUEST_PAGE_FAULT:
		return "instruction fetch outside partition memory";
	case EXC_LOAD_GUEST_PAGE_FAULT:
		return "load outside partition memory";
	case EXC_STORE_GUEST_PAGE_FAULT:
		return "store outside partition memory";
	case EXC_VIRTUAL_INST:
		return "virtual instruction";
	case EXC_ECALL_U:
		return "ecall from user mode";
	default:
		return "unexpected exception";
	}
}

/* Serves one trap; false when the core must take over (the vCPU stopped or faulted). */
static bool handle_exit(struct vcpu *v)
{
	struct arch_regs *r = &v->arch.regs;
	unsigned long cause = r->scause;

	if (cause & CAUSE_IRQ_FLAG) {
		switch (cause & ~CAUSE_IRQ_FLAG) {
		case IRQ_S_SOFT:
			/* A request from another hart: the run loop reads it. */
			return false;
		case IRQ_S_TIMER:
			/* The idle deadline is only armed inside idle calls; here it can only be
			 * the emulated guest timer. */
			if (v->cpu->arch.hv_timer <= csr_read(CSR_TIME))
				v->cpu->arch.hv_timer = ~0UL;
			guest_timer_check(v);
			riscv_timer_program(v->cpu);
			return true;
		default:
			return true;
		}
	}
	switch (cause) {
	case EXC_ECALL_VS:
		r->sepc += 4;
		return riscv_vsbi_handle(v);
	case EXC_INST_GUEST_PAGE_FAULT:
	case EXC_LOAD_GUEST_PAGE_FAULT:
	case EXC_STORE_GUEST_PAGE_FAULT:
		vcpu_fault(v, exception_name(cause), r->sepc, (r->htval << 2) | (r->stval & 3));
		return false;
	default: {
		char what[64];

		snprintf(what, sizeof(what), "%s (scause %lu)", exception_name(cause), cause);
		vcpu_fault(v, what, r->sepc, r->stval);
		return false;
	}
	}
}

void arch_vcpu_run(struct vcpu *v)
{
	do
		riscv_guest_enter();
	while (handle_exit(v) && v->state == VCPU_RUNNING && !v->cpu->requests);
}

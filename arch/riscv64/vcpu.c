/* Running a vCPU on its hart: reset, the context switch between vCPUs of a shared hart, entry, and
 * the exits the port serves itself. Every function but arch_vcpu_init and arch_vmid works on the
 * vCPU loaded on this hart (the core loads it first). */
#include <arch/csr.h>
#include <fmt.h>
#include <goos.h>
#include <string.h>

#include "hv/port.h"
#include "riscv.h"
#include "sbi.h"

#define hfence_gvma_all() __asm__ __volatile__(".insn r 0x73, 0, 0x31, x0, x0, x0" ::: "memory")
#define hfence_vvma_all() __asm__ __volatile__(".insn r 0x73, 0, 0x11, x0, x0, x0" ::: "memory")

#define FS_CLEAN (2UL << 13)
#define FS_DIRTY (3UL << 13)
#define INSN_WFI 0x10500073UL

_Static_assert(__builtin_offsetof(struct vcpu, arch) == 0, "regs reached from the vCPU");

static unsigned long vmid_of(unsigned long hgatp)
{
	return (hgatp >> HGATP_VMID_SHIFT) & 0x3fff;
}

unsigned arch_vmid(unsigned index)
{
	unsigned bits = this_cpu()->arch.features.vmid_bits;

	/* VMID 0 is left for partitions beyond what the hart can tag: those flush on a switch. */
	return bits && index + 1 < (1u << bits) ? index + 1 : 0;
}

void arch_vcpu_init(struct vcpu *v, const struct stage2 *s2, bool shared_cpu)
{
	v->arch.hgatp = (HGATP_MODE_SV39X4 << HGATP_MODE_SHIFT) |
			((unsigned long)s2->vmid << HGATP_VMID_SHIFT) |
			(arch_va_to_pa(s2->root) >> 12);
	v->arch.trap_wfi = shared_cpu;
	v->arch.timer_deadline = ~0UL;
	v->arch.vs.vstimecmp = ~0UL;
}

void arch_vcpu_reset(struct vcpu *v, const struct vcpu_boot *b)
{
	struct arch_regs *r = &v->arch.regs;
	struct cpu *c = v->cpu;

	memset(r, 0, sizeof(*r));
	r->sepc = b->entry;
	r->x[REG_A0] = v->id;
	/* SBI hands a booting hart its device tree and a started one its opaque word in a1. */
	r->x[REG_A1] = b->dt ? b->dt : b->arg;
	r->x[REG_SP] = b->stack;
	/* sret lands in VS-mode; FS stays on so the guest can use its FPU (the hv never does). */
	r->sstatus = SSTATUS_SPP | FS_CLEAN;
	r->hstatus = (csr_read(CSR_HSTATUS) & HSTATUS_VSXL_64) | HSTATUS_SPV | HSTATUS_SPVP |
		     (v->arch.trap_wfi ? HSTATUS_VTW : 0);

	/* The guest's supervisor state as a fresh hart has it. */
	csr_write(CSR_VSSTATUS, 0);
	csr_write(CSR_HIE, 0);
	csr_write(CSR_VSTVEC, 0);
	csr_write(CSR_VSSCRATCH, 0);
	csr_write(CSR_VSEPC, 0);
	csr_write(CSR_VSCAUSE, 0);
	csr_write(CSR_VSTVAL, 0);
	csr_write(CSR_VSATP, 0);
	csr_write(CSR_HVIP, 0);
	/* The guest reaches these two directly (the H extension has no VS copies). */
	csr_write(CSR_SCOUNTEREN, 0);
	csr_write(CSR_SENVCFG, 0);
	if (c->arch.features.sstc)
		csr_write(CSR_VSTIMECMP, ~0UL);
	memset(&v->arch.fp, 0, sizeof(v->arch.fp));
	riscv_fp_load(&v->arch.fp);
	c->arch.fp_owner = v;
	v->arch.timer_deadline = ~0UL;
	riscv_timer_program(c);
	hfence_vvma_all();
}

static void vs_save(struct vcpu *v, bool sstc)
{
	struct arch_vs_csrs *vs = &v->arch.vs;

	vs->vsstatus = csr_read(CSR_VSSTATUS);
	vs->hie = csr_read(CSR_HIE);
	vs->vstvec = csr_read(CSR_VSTVEC);
	vs->vsscratch = csr_read(CSR_VSSCRATCH);
	vs->vsepc = csr_read(CSR_VSEPC);
	vs->vscause = csr_read(CSR_VSCAUSE);
	vs->vstval = csr_read(CSR_VSTVAL);
	vs->vsatp = csr_read(CSR_VSATP);
	vs->hvip = csr_read(CSR_HVIP);
	vs->scounteren = csr_read(CSR_SCOUNTEREN);
	vs->senvcfg = csr_read(CSR_SENVCFG);
	if (sstc)
		vs->vstimecmp = csr_read(CSR_VSTIMECMP);
}

static void vs_restore(const struct vcpu *v, bool sstc)
{
	const struct arch_vs_csrs *vs = &v->arch.vs;

	csr_write(CSR_VSSTATUS, vs->vsstatus);
	csr_write(CSR_HIE, vs->hie);
	csr_write(CSR_VSTVEC, vs->vstvec);
	csr_write(CSR_VSSCRATCH, vs->vsscratch);
	csr_write(CSR_VSEPC, vs->vsepc);
	csr_write(CSR_VSCAUSE, vs->vscause);
	csr_write(CSR_VSTVAL, vs->vstval);
	csr_write(CSR_VSATP, vs->vsatp);
	csr_write(CSR_HVIP, vs->hvip);
	csr_write(CSR_SCOUNTEREN, vs->scounteren);
	csr_write(CSR_SENVCFG, vs->senvcfg);
	if (sstc)
		csr_write(CSR_VSTIMECMP, vs->vstimecmp);
}

/* The FP registers follow the vCPU that runs, saved only when the guest dirtied them since they
 * were last loaded (the hart's own sstatus.FS tells: the hardware sets it Dirty on a guest FP
 * write, and the switch leaves it Clean). */
static void fp_switch(struct cpu *c, struct vcpu *v)
{
	struct vcpu *owner = c->arch.fp_owner;

	if (owner == v)
		return;
	if (owner && (owner->arch.regs.sstatus & SSTATUS_FS) == FS_DIRTY) {
		riscv_fp_save(&owner->arch.fp);
		owner->arch.regs.sstatus = (owner->arch.regs.sstatus & ~SSTATUS_FS) | FS_CLEAN;
	}
	riscv_fp_load(&v->arch.fp);
	v->arch.regs.sstatus = (v->arch.regs.sstatus & ~SSTATUS_FS) | FS_CLEAN;
	c->arch.fp_owner = v;
}

void arch_vcpu_load(struct vcpu *v)
{
	struct cpu *c = v->cpu;
	struct vcpu *prev = c->arch.loaded;
	bool sstc = c->arch.features.sstc;

	if (prev == v)
		return;
	if (prev)
		vs_save(prev, sstc);
	vs_restore(v, sstc);
	if (!prev || prev->arch.hgatp != v->arch.hgatp)
		csr_write(CSR_HGATP, v->arch.hgatp);
	/* Translations are tagged by VMID only: without one of its own, whatever ran before may
	 * have left entries; and another vCPU of the same partition may have left VS-stage entries
	 * under ASIDs this one uses for other address spaces. */
	if (!prev || !vmid_of(v->arch.hgatp))
		hfence_gvma_all();
	else if (prev->arch.hgatp == v->arch.hgatp)
		hfence_vvma_all();
	fp_switch(c, v);
	c->arch.regs = &v->arch.regs;
	c->arch.loaded = v;
	riscv_timer_program(c);
}

void arch_vcpu_park(struct vcpu *v)
{
	/* A parked vCPU's timer must not keep waking the hart (its WFI would fall through). */
	if (v->cpu->arch.features.sstc)
		csr_write(CSR_VSTIMECMP, ~0UL);
	v->arch.timer_deadline = ~0UL;
	csr_write(CSR_HVIP, 0);
	csr_write(CSR_HIE, 0);
	riscv_timer_program(v->cpu);
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

uint64_t arch_vcpu_timer_deadline(struct vcpu *v)
{
	if (!(csr_read(CSR_HIE) & MIP_VSTIP))
		return ~0UL;
	return v->cpu->arch.features.sstc ? csr_read(CSR_VSTIMECMP) : v->arch.timer_deadline;
}

void arch_vcpu_deliver(struct vcpu *v, uint32_t virqs)
{
	unsigned long bits = 0;

	if (virqs & VIRQ_BIT(VIRQ_SOFT))
		bits |= MIP_VSSIP;
	if (virqs & VIRQ_BIT(VIRQ_TIMER))
		bits |= MIP_VSTIP;
	if (virqs >> VIRQ_EXTERNAL)
		bits |= MIP_VSEIP;
	csr_set(CSR_HVIP, bits);
}

void arch_vcpu_withdraw(struct vcpu *v, uint32_t virqs, uint32_t held)
{
	/* Every external source shares the one external interrupt. */
	if ((virqs & VIRQ_EXTERNAL_MASK) && !(held & VIRQ_EXTERNAL_MASK))
		csr_clear(CSR_HVIP, MIP_VSEIP);
}

void arch_vcpu_set_result(struct vcpu *v, unsigned long value)
{
	v->arch.regs.x[REG_A1] = value;
}

/* Per VMID, not per page: the range is a chunk of 16 pages, and QEMU flushes its whole TLB for
 * either. Without VMIDs to give every guest has 0, and the switch between them flushes anyway. */
void arch_stage2_fence(const struct stage2 *s2, uint64_t gpa, uint64_t size)
{
	/* hfence.gvma x0, vmid */
	__asm__ __volatile__(".insn r 0x73, 0, 0x31, x0, x0, %0" ::"r"((unsigned long)s2->vmid)
			     : "memory");
}

void arch_stage2_fence_cpu(const struct stage2 *s2, uint64_t gpa, uint64_t size,
			   const struct cpu *cpu)
{
	if (cpu == this_cpu())
		arch_stage2_fence(s2, gpa, size);
	else
		sbi_remote_hfence_gvma_vmid(cpu->hwid, gpa, size, s2->vmid);
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

/* Serves one trap and says what the core must do next. */
static enum vcpu_exit handle_exit(struct vcpu *v)
{
	struct arch_regs *r = &v->arch.regs;
	unsigned long cause = r->scause;

	/* The calls first, then emulated MMIO: the hot exits, tested before the compiler's switch
	 * layout. */
	if (__builtin_expect(cause == EXC_ECALL_VS, 1)) {
		r->sepc += 4;
		/* goos straight to the core: arguments read and results written in place. */
		if (__builtin_expect(r->x[REG_A7] == GOOS_EID, 1)) {
			enum vcpu_exit next;
			struct hypercall_ret ret =
			    goos_hypercall(v, r->x[REG_A6], &r->x[REG_A0], &next);

			r->x[REG_A0] = ret.error;
			r->x[REG_A1] = ret.value;
			return next;
		}
		return riscv_vsbi_handle(v);
	}
	/* The trap entry leaves these to the exits that read them; nothing has trapped since. */
	r->stval = csr_read(CSR_STVAL);
	r->htval = csr_read(CSR_HTVAL);
	r->htinst = csr_read(CSR_HTINST);
	if (cause == EXC_LOAD_GUEST_PAGE_FAULT || cause == EXC_STORE_GUEST_PAGE_FAULT) {
		/* A load or store inside a device model's region is emulated; anything else, a
		 * fault. The address is taken once: it lives across the lookup. */
		uint64_t gpa = riscv_fault_gpa(r);
		const struct mmio_region *m = vcpu_mmio_find(v, gpa);
		enum vcpu_exit e;

		if (m)
			return riscv_mmio_emulate(v, m);
		if (guest_ram_fault(v, gpa, r->sepc, cause == EXC_STORE_GUEST_PAGE_FAULT, &e))
			return e;
		return vcpu_fault(v, exception_name(cause), r->sepc, gpa);
	}
	if (cause & CAUSE_IRQ_FLAG) {
		switch (cause & ~CAUSE_IRQ_FLAG) {
		case IRQ_S_SOFT:
			/* A kick from another hart: the run loop looks at its requests. */
			return EXIT_YIELD;
		case IRQ_S_TIMER:
			/* The hv's own deadline (a slice end, a sleeper's wake) is the run loop's;
			 * anything else is the emulated guest timer. */
			if (v->cpu->arch.hv_timer <= csr_read(CSR_TIME)) {
				v->cpu->arch.hv_timer = ~0UL;
				riscv_timer_program(v->cpu);
				return EXIT_YIELD;
			}
			guest_timer_check(v);
			riscv_timer_program(v->cpu);
			return EXIT_RESUME;
		case IRQ_S_EXT:
			/* A device's: served here, its owner's vCPU gets a request if it is due. */
			hv_device_irq(v->cpu);
			return EXIT_RESUME;
		default:
			return EXIT_RESUME;
		}
	}
	switch (cause) {
	case EXC_INST_GUEST_PAGE_FAULT: {
		uint64_t gpa = riscv_fault_gpa(r);
		enum vcpu_exit e;

		if (guest_ram_fault(v, gpa, r->sepc, false, &e))
			return e;
		return vcpu_fault(v, exception_name(cause), r->sepc, gpa);
	}
	case EXC_VIRTUAL_INST:
		/* WFI traps only on a shared hart (hstatus.VTW): the wait gives the hart away. */
		if (r->stval == INSN_WFI && v->arch.trap_wfi) {
			r->sepc += 4;
			return vcpu_wait(v, WAIT_IRQ, ~0UL);
		}
		/* fall through */
	default: {
		char what[64];

		snprintf(what, sizeof(what), "%s (scause %lu)", exception_name(cause), cause);
		return vcpu_fault(v, what, r->sepc, r->stval);
	}
	}
}

/* trap.S calls this after each guest trap, on the hv stack: negative to enter the guest again at
 * once, else the exit riscv_guest_enter returns to the core. */
long riscv_exit(void)
{
	struct vcpu *v = this_cpu()->arch.loaded;
	enum vcpu_exit e = handle_exit(v);

	return e == EXIT_RESUME && !v->requests ? -1 : (long)e;
}

enum vcpu_exit arch_vcpu_run(struct vcpu *v)
{
	(void)v; /* the loaded one: riscv_exit finds it there */
	return (enum vcpu_exit)riscv_guest_enter();
}

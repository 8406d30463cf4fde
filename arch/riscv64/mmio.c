/*
 * Emulated MMIO on RISC-V: a load or store guest-page fault inside a region a core device model
 * registered is decoded here into a struct mmio_access, served by mmio_dispatch, and completed
 * (a load's register written, sepc past the instruction).
 *
 * The instruction comes from htinst when the hart transformed it there. QEMU 7.2 never does for
 * an explicit access (htinst is 0, measured for every form mmio_decode.h lists, paging on or off;
 * it gives only the pseudoinstruction 0x3000 for a VS-stage page-table read), so it is fetched
 * from the guest with HLVX.HU: through the guest's own translation (vsatp) and privilege
 * (hstatus.SPVP, which the trap set), as the hart fetched it.
 */
#include <arch/csr.h>
#include <fmt.h>

#include "hv/port.h"
#include "mmio_decode.h"
#include "riscv.h"

/* What HLVX may raise when the guest's tables changed under us (another vCPU remapped the page
 * since the trap): the fetch fails and the access is reported instead of served. */
#define FETCH_FAULTS                                                                               \
	((1UL << EXC_LOAD_MISALIGNED) | (1UL << EXC_LOAD_ACCESS) | (1UL << EXC_LOAD_PAGE_FAULT) |  \
	 (1UL << EXC_LOAD_GUEST_PAGE_FAULT))

/* One halfword at guest virtual address va, as an instruction fetch would see it. */
static bool fetch_half(struct cpu *c, unsigned long va, uint32_t *half)
{
	unsigned long v = 0;

	c->arch.probe_faulted = 0;
	c->arch.probing = FETCH_FAULTS;
	/* hlvx.hu v, (va); riscv_hv_trap skips it if it faults. */
	__asm__ __volatile__(".insn r 0x73, 0x4, 0x32, %0, %1, x3" : "+r"(v) : "r"(va) : "memory");
	c->arch.probing = 0;
	*half = v & 0xffff;
	return !c->arch.probe_faulted;
}

/* The instruction at the guest's pc, in the guest's view: 16 bits, or 32 in two halves. */
static bool fetch(struct vcpu *v, uint32_t *bits)
{
	struct cpu *c = v->cpu;
	unsigned long pc = v->arch.regs.sepc;
	uint32_t lo, hi;

	if (!fetch_half(c, pc, &lo))
		return false;
	if ((lo & 3) != 3) {
		*bits = lo;
		return true;
	}
	if (!fetch_half(c, pc + 2, &hi))
		return false;
	*bits = lo | hi << 16;
	return true;
}

enum vcpu_exit riscv_mmio_emulate(struct vcpu *v, const struct mmio_region *region)
{
	struct arch_regs *r = &v->arch.regs;
	bool store = r->scause == EXC_STORE_GUEST_PAGE_FAULT;
	struct riscv_mmio_insn d;
	uint32_t bits = 0;
	const char *why = NULL;
	char what[96];

	if (r->htinst & 1)
		bits = (uint32_t)r->htinst;
	else if (r->htinst) /* a pseudoinstruction: the guest's page-table walk touched it */
		why = "by the guest's page-table walk";
	else if (!fetch(v, &bits))
		why = "by an instruction the hv cannot fetch";
	/* The code may have changed since the trap: only the access the hart reported is served. */
	if (!why && (!riscv_mmio_decode(bits, r->htinst != 0, &d) || d.write != store))
		why = "by an instruction the hv does not emulate";
	if (why) {
		snprintf(what, sizeof(what), "%s %s %s", store ? "store to" : "load from",
			 region->ops->name, why);
		return vcpu_fault(v, what, r->sepc, riscv_fault_gpa(r));
	}

	struct mmio_access a = {
	    .gpa = riscv_fault_gpa(r),
	    .width = d.width,
	    .write = d.write,
	    .value = d.write ? riscv_mmio_store_value(&d, r->x) : 0,
	    .pc = r->sepc,
	};
	enum vcpu_exit e = mmio_dispatch(v, &a);
	if (e == EXIT_RESUME)
		riscv_mmio_complete(&d, r->x, &r->sepc, a.value);
	return e;
}

/*
 * What the port's assembly (trap.S, fp.S, boot.S) knows of the hv's C structures, generated into
 * asm-offsets.h (hv/hv.mk) so that a change to a struct moves the assembly with it. The asserts
 * pin what the assembly cannot express: the width of each access it makes.
 */
#include <asm_export.h>
#include <goos.h>

#include "hv/config.h"
#include "hv/port.h"
#include "vsbi.h"

#define FIELD_SIZE(type, member) sizeof(((type *)0)->member)

_Static_assert(FIELD_SIZE(struct cpu, arch.regs) == 8 &&
		   FIELD_SIZE(struct cpu, arch.scratch) == 8 &&
		   FIELD_SIZE(struct cpu, arch.hv_sp) == 8,
	       "trap.S moves these with ld/sd");
_Static_assert(FIELD_SIZE(struct arch_regs, x[0]) == 8 && FIELD_SIZE(struct arch_regs, sepc) == 8 &&
		   FIELD_SIZE(struct arch_regs, sstatus) == 8 &&
		   FIELD_SIZE(struct arch_regs, hstatus) == 8 &&
		   FIELD_SIZE(struct arch_regs, scause) == 8 &&
		   FIELD_SIZE(struct arch_regs, stval) == 8 &&
		   FIELD_SIZE(struct arch_regs, htval) == 8 &&
		   FIELD_SIZE(struct arch_regs, htinst) == 8,
	       "trap.S saves the guest's registers and trap CSRs with sd");
_Static_assert(FIELD_SIZE(struct hv_trap_frame, x[0]) == 8 &&
		   FIELD_SIZE(struct hv_trap_frame, sepc) == 8 &&
		   FIELD_SIZE(struct hv_trap_frame, scause) == 8 &&
		   FIELD_SIZE(struct hv_trap_frame, stval) == 8,
	       "trap.S builds the HS-mode frame with sd");
_Static_assert(FIELD_SIZE(struct cpu, arch.loaded) == 8 &&
		   FIELD_SIZE(struct cpu, arch.features.sstc) == 1 &&
		   FIELD_SIZE(struct vcpu, id) == 4,
	       "trap.S's fast calls read these with ld, lbu and lwu");
_Static_assert(FIELD_SIZE(struct cpu, arch.hv_timer) == 8 &&
		   FIELD_SIZE(struct cpu, arch.timer_armed) == 8 &&
		   FIELD_SIZE(struct vcpu, arch.timer_deadline) == 8,
	       "trap.S's fast timer interrupt moves these with ld/sd");
_Static_assert(GOOS_FN_VERSION == 0, "trap.S tests GOOS_FN_VERSION with beqz");
_Static_assert(SBI_BASE_GET_SPEC_VERSION == 0 && SBI_TIME_SET_TIMER == 0,
	       "trap.S tests the SBI calls it answers with bnez a6");
_Static_assert(GOOS_OK == SBI_SUCCESS, "trap.S answers goos and SBI calls with one success code");
_Static_assert(FIELD_SIZE(struct arch_fp, f[0]) == 8 && FIELD_SIZE(struct arch_fp, fcsr) == 8,
	       "fp.S moves these with fsd/fld and sd/ld");

void asm_offsets(void);

void asm_offsets(void)
{
	/* struct cpu, in tp (the hv) or sscratch (a guest) */
	ASM_OFFSET(CPU_REGS, struct cpu, arch.regs);
	ASM_OFFSET(CPU_SCRATCH, struct cpu, arch.scratch);
	ASM_OFFSET(CPU_HV_SP, struct cpu, arch.hv_sp);
	ASM_OFFSET(CPU_LOADED, struct cpu, arch.loaded);
	ASM_OFFSET(CPU_SSTC, struct cpu, arch.features.sstc);
	ASM_OFFSET(VCPU_INDEX, struct vcpu, id);
	/* the emulated guest timer's interrupt, which trap.S raises itself when nothing else is due
	 */
	ASM_OFFSET(CPU_HV_TIMER, struct cpu, arch.hv_timer);
	ASM_OFFSET(CPU_TIMER_ARMED, struct cpu, arch.timer_armed);
	ASM_OFFSET(VCPU_TIMER_DEADLINE, struct vcpu, arch.timer_deadline);
	/* the goos calls trap.S answers itself */
	ASM_CONST(FAST_GOOS_EID, GOOS_EID);
	ASM_CONST(FAST_GOOS_OK, GOOS_OK);
	ASM_CONST(FAST_ABI_VERSION, GOOS_ABI_VERSION);
	ASM_CONST(FAST_FN_VCPU_ID, GOOS_FN_VCPU_ID);
	ASM_CONST(FAST_FN_SET_TIMER, GOOS_FN_SET_TIMER);
	/* the SBI calls it answers: BASE get_spec_version and (with Sstc) TIME set_timer */
	ASM_CONST(FAST_SBI_BASE, SBI_EXT_BASE);
	ASM_CONST(FAST_SBI_TIME, SBI_EXT_TIME);
	ASM_CONST(FAST_SBI_SPEC_VERSION, VSBI_SPEC_VERSION);
	/* struct arch_regs, the loaded vCPU's: x[n] is xn, then the trap CSRs */
	ASM_OFFSET(REGS_X, struct arch_regs, x);
	ASM_OFFSET(REGS_SEPC, struct arch_regs, sepc);
	ASM_OFFSET(REGS_SSTATUS, struct arch_regs, sstatus);
	ASM_OFFSET(REGS_HSTATUS, struct arch_regs, hstatus);
	ASM_OFFSET(REGS_SCAUSE, struct arch_regs, scause);
	ASM_OFFSET(REGS_STVAL, struct arch_regs, stval);
	ASM_OFFSET(REGS_HTVAL, struct arch_regs, htval);
	ASM_OFFSET(REGS_HTINST, struct arch_regs, htinst);
	ASM_CONST(REG_SIZE, FIELD_SIZE(struct arch_regs, x[0]));
	/* struct hv_trap_frame, built on the stack for a trap in HS-mode */
	ASM_SIZE(TF_SIZE, struct hv_trap_frame);
	ASM_OFFSET(TF_X, struct hv_trap_frame, x);
	ASM_OFFSET(TF_SEPC, struct hv_trap_frame, sepc);
	ASM_OFFSET(TF_SCAUSE, struct hv_trap_frame, scause);
	ASM_OFFSET(TF_STVAL, struct hv_trap_frame, stval);
	/* struct arch_fp */
	ASM_OFFSET(FP_F, struct arch_fp, f);
	ASM_OFFSET(FP_FCSR, struct arch_fp, fcsr);
	ASM_CONST(FP_REG_SIZE, FIELD_SIZE(struct arch_fp, f[0]));
	/* hv.cpus[] is indexed by hart id: a hart beyond it has no state, and boot.S parks it */
	ASM_CONST(MAX_HARTS, CONFIG_MAX_CPUS);
}

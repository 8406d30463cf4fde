/*
 * The world switch. While a guest runs, sscratch holds this hart's struct cpu; while the hv runs,
 * tp does (and sscratch too). A trap swaps tp and sscratch, so tp is the cpu either way and the
 * guest's tp is parked in sscratch until it is saved.
 *
 * riscv_guest_enter saves the hv's callee-saved registers on its stack, loads the guest's and
 * srets. A trap from the guest saves the guest's registers into cpu->regs and calls the C exit
 * handler on the hv stack; only an exit the core must see "returns" from riscv_guest_enter. Traps taken in HS-mode itself (the hv never enables
 * interrupts there, so only an expected probe fault or a bug) go to riscv_hv_trap.
 */
#include <arch/csr.h>

#include "asm-offsets.h" /* generated from asm-offsets.c */

/* Where xn is kept: in the loaded vCPU's struct arch_regs (cpu->regs), and in the frame of an
 * HS-mode trap (struct hv_trap_frame). */
#define REG_X(n)   (REGS_X + (n) * REG_SIZE)
#define FRAME_X(n) (TF_X + (n) * REG_SIZE)

#define HV_FRAME (14 * 8)

/* The caller-saved registers a call's exit saves (besides ra, sp, gp, tp and t0), and the
 * callee-saved ones it leaves in the hart. */
#define CALL_SAVED 6, 7, 10, 11, 12, 13, 14, 15, 16, 17, 28, 29, 30, 31
#define CALLEE 8, 9, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27

/* Into cpu->regs (t0 = it on entry to the macro): ra, sp, gp, the registers listed, the guest's
 * t0 (spilled in cpu->scratch) and tp (parked in sscratch, which gets the cpu back), and the
 * CSRs every exit needs. */
.macro SAVE_GUEST regs:vararg
	sd	x1, REG_X(1)(t0)
	sd	x2, REG_X(2)(t0)
	sd	x3, REG_X(3)(t0)
	.irp n, \regs
	sd	x\n, REG_X(\n)(t0)
	.endr
	ld	t1, CPU_SCRATCH(tp)
	sd	t1, REG_X(5)(t0)
	csrr	t1, sscratch
	sd	t1, REG_X(4)(t0)
	csrw	sscratch, tp
	csrr	t1, sepc
	sd	t1, REGS_SEPC(t0)
	csrr	t1, sstatus
	sd	t1, REGS_SSTATUS(t0)
	csrr	t1, CSR_HSTATUS
	sd	t1, REGS_HSTATUS(t0)
.endm

/* Out of cpu->regs (t0 = it) and into the guest: the CSRs, ra, sp, gp, tp, the registers listed,
 * t0 last. */
.macro ENTER_GUEST regs:vararg
	ld	t1, REGS_SEPC(t0)
	csrw	sepc, t1
	ld	t1, REGS_SSTATUS(t0)
	csrw	sstatus, t1
	ld	t1, REGS_HSTATUS(t0)
	csrw	CSR_HSTATUS, t1
	ld	x1, REG_X(1)(t0)
	ld	x2, REG_X(2)(t0)
	ld	x3, REG_X(3)(t0)
	ld	x4, REG_X(4)(t0)
	.irp n, \regs
	ld	x\n, REG_X(\n)(t0)
	.endr
	ld	t0, REG_X(5)(t0)
	sret
.endm

	.section .text.trap, "ax"
	.balign 4
	.globl riscv_trap_vector
riscv_trap_vector:
	csrrw	tp, sscratch, tp
	sd	t0, CPU_SCRATCH(tp)
	csrr	t0, CSR_HSTATUS
	andi	t0, t0, HSTATUS_SPV /* the trap came from a guest */
	beqz	t0, .Lhv_trap

	/*
	 * The fast calls: goos and SBI calls whose whole meaning is a constant, a field or a CSR
	 * write are answered here, with t0 and the result registers a0/a1 as the only scratch, and the guest
	 * resumes without its registers being saved. What each means is still goos_hypercall's
	 * (hv/hypercall.c) and the SBI adapters' (vsbi_base.c, vsbi_time.c), which serve them too,
	 * for ports without a fast path and for the unit tests; t_mmio checks the answers agree. Requests from other harts arrive as an IPI, which
	 * traps again as soon as the guest runs, so nothing waits on this path.
	 */
	csrr	t0, scause
	addi	t0, t0, -EXC_ECALL_VS
	bnez	t0, .Lfast_timer
	li	t0, FAST_GOOS_EID
	bne	a7, t0, .Lfast_sbi
	beqz	a6, .Lfast_version /* GOOS_FN_VERSION is 0 */
	li	t0, FAST_FN_VCPU_ID
	beq	a6, t0, .Lfast_vcpu_id
	li	t0, FAST_FN_SET_TIMER
	bne	a6, t0, .Lsave_call
.Lfast_set_timer:
	/* Set-timer is a CSR write only with Sstc; without, the hart's timer is shared: C. */
	lbu	t0, CPU_SSTC(tp)
	beqz	t0, .Lsave_call
	csrw	CSR_VSTIMECMP, a0
	li	a1, 0
	j	.Lfast_done
.Lfast_vcpu_id:
	ld	t0, CPU_LOADED(tp)
	lwu	a1, VCPU_INDEX(t0)
	j	.Lfast_done
.Lfast_version:
	li	a1, FAST_ABI_VERSION
.Lfast_done:
	li	a0, FAST_GOOS_OK
	csrr	t0, sepc
	addi	t0, t0, 4
	csrw	sepc, t0
	ld	t0, CPU_SCRATCH(tp)
	csrrw	tp, sscratch, tp
	sret

	/* The standard SBI's two lightest calls, as vsbi_base.c and vsbi_time.c answer them:
	 * BASE get_spec_version (a constant) and TIME set_timer (goos's set-timer). */
.Lfast_sbi:
	li	t0, FAST_SBI_BASE
	bne	a7, t0, 1f
	bnez	a6, .Lsave_call
	li	a1, FAST_SBI_SPEC_VERSION
	j	.Lfast_done
1:	li	t0, FAST_SBI_TIME
	bne	a7, t0, .Lsave_call
	beqz	a6, .Lfast_set_timer
	j	.Lsave_call

	/*
	 * Without Sstc the guest's timer is the hart's: its interrupt, when the guest's deadline
	 * has come and the hv has no deadline of its own, is what handle_exit's
	 * IRQ_S_TIMER case and guest_timer_check (vcpu.c) do then: disarm the deadline, raise
	 * VSTIP, and with no deadline left mask the hart's timer instead of moving it (as
	 * riscv_timer_program). Anything else is C's. A request posted meanwhile comes with a kick,
	 * which traps as soon as the guest runs (as for the fast calls). t1 is spilled to its own
	 * slot in cpu->regs, where a full save would put the same value.
	 */
.Lfast_timer:
	/* t0 = scause - EXC_ECALL_VS: cause 5 (interrupt or exception) leaves 0 once the
	 * interrupt bit is shifted out; any other exit pays these three. */
	addi	t0, t0, EXC_ECALL_VS - IRQ_S_TIMER
	slli	t0, t0, 1
	bnez	t0, .Lsave
	csrr	t0, scause
	bgez	t0, .Lsave /* the exception: a load access fault */
	ld	t0, CPU_REGS(tp)
	sd	t1, REG_X(6)(t0)
	ld	t1, CPU_HV_TIMER(tp)
	addi	t1, t1, 1 /* ~0: the hv has no deadline */
	bnez	t1, .Lslow_timer
	ld	t0, CPU_LOADED(tp)
	ld	t1, VCPU_TIMER_DEADLINE(t0)
	csrr	t0, time
	bltu	t0, t1, .Lslow_timer /* not yet, or disarmed (~0) */
	li	t1, -1
	ld	t0, CPU_LOADED(tp)
	sd	t1, VCPU_TIMER_DEADLINE(t0)
	sd	t1, CPU_TIMER_ARMED(tp)
	li	t1, MIP_STIP
	csrc	sie, t1
	li	t1, MIP_VSTIP
	csrs	CSR_HVIP, t1
	ld	t0, CPU_REGS(tp)
	ld	t1, REG_X(6)(t0)
	ld	t0, CPU_SCRATCH(tp)
	csrrw	tp, sscratch, tp
	sret
.Lslow_timer:
	ld	t0, CPU_REGS(tp)
	ld	t1, REG_X(6)(t0)
	j	.Lsave

	/*
	 * Any other call: C serves it, and a call reads and writes only a0-a7, so the guest's
	 * callee-saved registers s0-s11 stay in the hart, where the C calling convention keeps
	 * them through riscv_exit. Only the registers C may clobber are saved; a call the guest
	 * resumes from restores only those. One that goes back to the core stores s0-s11 too, so
	 * the core always finds the whole register file in cpu->regs.
	 */
.Lsave_call:
	ld	t0, CPU_REGS(tp)
	SAVE_GUEST CALL_SAVED
	li	t1, EXC_ECALL_VS
	sd	t1, REGS_SCAUSE(t0)

	ld	sp, CPU_HV_SP(tp)
	call	riscv_exit
	ld	t0, CPU_REGS(tp)
	bltz	a0, .Lenter_call
	.irp n, CALLEE
	sd	x\n, REG_X(\n)(t0)
	.endr
	j	.Lleave

/* Back into the guest after a call: s0-s11 are still its own. */
.Lenter_call:
	ENTER_GUEST CALL_SAVED

.Lsave:
	ld	t0, CPU_REGS(tp)
	SAVE_GUEST CALL_SAVED, CALLEE
	csrr	t1, scause
	sd	t1, REGS_SCAUSE(t0)
	/* stval, htval and htinst only matter to faults: the exit handler reads them there. */

	/*
	 * Served in C on the hv stack, under riscv_guest_enter's frame: riscv_exit says whether
	 * the guest goes on at once (negative), so a served exit re-enters it without unwinding
	 * the frame; anything else returns from riscv_guest_enter with what riscv_exit said.
	 */
	ld	sp, CPU_HV_SP(tp)
	call	riscv_exit
	bltz	a0, .Lenter
.Lleave:
	ld	ra, 0(sp)
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11
	ld	s\n, (8 + \n * 8)(sp)
	.endr
	addi	sp, sp, HV_FRAME
	ret

/* long riscv_guest_enter(void): runs the vCPU loaded on this hart until an exit riscv_exit
 * hands back, and returns that. */
	.globl riscv_guest_enter
riscv_guest_enter:
	addi	sp, sp, -HV_FRAME
	sd	ra, 0(sp)
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11
	sd	s\n, (8 + \n * 8)(sp)
	.endr
	sd	sp, CPU_HV_SP(tp)

.Lenter:
	ld	t0, CPU_REGS(tp)
	ENTER_GUEST CALL_SAVED, CALLEE

/* A trap in HS-mode: build a frame on the current stack and let C decide (probe or panic). */
.Lhv_trap:
	ld	t0, CPU_SCRATCH(tp)
	addi	sp, sp, -TF_SIZE
	sd	x1, FRAME_X(1)(sp)
	.irp n, 3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	sd	x\n, FRAME_X(\n)(sp)
	.endr
	addi	t0, sp, TF_SIZE
	sd	t0, FRAME_X(2)(sp)
	csrr	t0, sepc
	sd	t0, TF_SEPC(sp)
	csrr	t0, scause
	sd	t0, TF_SCAUSE(sp)
	csrr	t0, stval
	sd	t0, TF_STVAL(sp)
	mv	a0, sp
	call	riscv_hv_trap
	ld	t0, TF_SEPC(sp)
	csrw	sepc, t0
	ld	x1, FRAME_X(1)(sp)
	.irp n, 3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	ld	x\n, FRAME_X(\n)(sp)
	.endr
	addi	sp, sp, TF_SIZE
	sret

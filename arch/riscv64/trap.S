/*
 * The world switch. While a guest runs, sscratch holds this hart's struct cpu; while the hv runs,
 * tp does (and sscratch too). A trap swaps tp and sscratch, so tp is the cpu either way and the
 * guest's tp is parked in sscratch until it is saved.
 *
 * riscv_guest_enter saves the hv's callee-saved registers on its stack, loads the guest's and
 * srets. A trap from the guest saves the guest's registers into cpu->regs and "returns" from
 * riscv_guest_enter to the C exit handler. Traps taken in HS-mode itself (the hv never enables
 * interrupts there, so only an expected probe fault or a bug) go to riscv_hv_trap.
 */
#include "asm-offsets.h" /* generated from asm-offsets.c */

/* Where xn is kept: in the loaded vCPU's struct arch_regs (cpu->regs), and in the frame of an
 * HS-mode trap (struct hv_trap_frame). */
#define REG_X(n)   (REGS_X + (n) * REG_SIZE)
#define FRAME_X(n) (TF_X + (n) * REG_SIZE)

#define HV_FRAME (14 * 8)

	.section .text.trap, "ax"
	.balign 4
	.globl riscv_trap_vector
riscv_trap_vector:
	csrrw	tp, sscratch, tp
	sd	t0, CPU_SCRATCH(tp)
	csrr	t0, 0x600 /* hstatus */
	andi	t0, t0, 0x80 /* SPV: the trap came from a guest */
	beqz	t0, .Lhv_trap

	ld	t0, CPU_REGS(tp)
	sd	x1, REG_X(1)(t0)
	sd	x2, REG_X(2)(t0)
	sd	x3, REG_X(3)(t0)
	.irp n, 6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
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
	csrr	t1, 0x600 /* hstatus */
	sd	t1, REGS_HSTATUS(t0)
	csrr	t1, scause
	sd	t1, REGS_SCAUSE(t0)
	csrr	t1, stval
	sd	t1, REGS_STVAL(t0)
	csrr	t1, 0x643 /* htval */
	sd	t1, REGS_HTVAL(t0)
	csrr	t1, 0x64a /* htinst */
	sd	t1, REGS_HTINST(t0)

	/* Back on the hv stack, as riscv_guest_enter left it. */
	ld	sp, CPU_HV_SP(tp)
	ld	ra, 0(sp)
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11
	ld	s\n, (8 + \n * 8)(sp)
	.endr
	addi	sp, sp, HV_FRAME
	ret

/* void riscv_guest_enter(void): runs the guest whose registers cpu->regs points at. */
	.globl riscv_guest_enter
riscv_guest_enter:
	addi	sp, sp, -HV_FRAME
	sd	ra, 0(sp)
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11
	sd	s\n, (8 + \n * 8)(sp)
	.endr
	sd	sp, CPU_HV_SP(tp)

	ld	t0, CPU_REGS(tp)
	ld	t1, REGS_SEPC(t0)
	csrw	sepc, t1
	ld	t1, REGS_SSTATUS(t0)
	csrw	sstatus, t1
	ld	t1, REGS_HSTATUS(t0)
	csrw	0x600, t1 /* hstatus */

	ld	x1, REG_X(1)(t0)
	ld	x2, REG_X(2)(t0)
	ld	x3, REG_X(3)(t0)
	ld	x4, REG_X(4)(t0)
	.irp n, 6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	ld	x\n, REG_X(\n)(t0)
	.endr
	ld	t0, REG_X(5)(t0)
	sret

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

/*
 * gort's entry and its side of every trap. While the program runs, sscratch holds this vCPU's
 * struct cpu; while gort runs, tp does (and sscratch too). A trap from user mode saves the
 * program's registers into the current thread and calls gort_user_trap on this vCPU's kernel
 * stack; gort_user_return goes back. A trap from gort itself is a bug (gort runs with interrupts
 * off and never touches a user address directly).
 */
#include "asm-offsets.h" /* generated from asm-offsets.c */

	.section .text.start, "ax"
	.globl _start
_start:
	/* a0 = vCPU id, a1 = device tree (vCPU 0); secondaries: a0 = id, a1 = unused. */
	csrw	sie, zero
	li	t0, MAX_VCPUS
	bgeu	a0, t0, .Lhang
	/* No bss clear: the hv hands over RAM that is zero wherever the image, the initrd and the
	 * device tree are not, at every start (guest-abi/README.md, RAM), and clearing it again
	 * was a second pass over it. */
.Lstack:
	la	sp, gort_kstacks
	li	t0, KSTACK_SIZE
	addi	t1, a0, 1
	mul	t0, t0, t1
	add	sp, sp, t0
	call	gort_main
.Lhang:
	wfi
	j	.Lhang

	.globl gort_secondary_start
gort_secondary_start:
	csrw	sie, zero
	li	t0, MAX_VCPUS
	bgeu	a0, t0, .Lhang
	j	.Lstack

	.text
	.balign 4
	.globl gort_trap_vector
gort_trap_vector:
	csrrw	tp, sscratch, tp
	sd	t0, CPU_SCRATCH(tp)
	csrr	t0, sstatus
	andi	t0, t0, 0x100 /* SPP: from gort itself */
	bnez	t0, .Lkernel_trap

	/* getpid, the running thread's pid, is answered before any register is saved (Go asks it
	 * often): a0 and sepc are all it writes. Nothing is skipped that this return owes the program:
	 * a signal for it kicks its vCPU (an interrupt, the full path), the timer stays armed. */
	csrr	t0, scause
	addi	t0, t0, -SCAUSE_ECALL_U
	bnez	t0, .Lfull
	addi	t0, a7, -NR_GETPID
	bnez	t0, .Lfull
	ld	t0, CPU_CUR(tp)
	lw	a0, THREAD_PID(t0)
	csrr	t0, sepc
	addi	t0, t0, 4
	csrw	sepc, t0
	ld	t0, CPU_SCRATCH(tp)
	csrrw	tp, sscratch, tp
	sret

.Lfull:
	ld	t0, CPU_CUR(tp)
	sd	x1, (THREAD_GREGS + 1 * REG_SIZE)(t0)
	sd	x2, (THREAD_GREGS + 2 * REG_SIZE)(t0)
	sd	x3, (THREAD_GREGS + 3 * REG_SIZE)(t0)
	.irp n, 6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	sd	x\n, (THREAD_GREGS + \n * REG_SIZE)(t0)
	.endr
	ld	t1, CPU_SCRATCH(tp)
	sd	t1, (THREAD_GREGS + 5 * REG_SIZE)(t0)
	csrr	t1, sscratch
	sd	t1, (THREAD_GREGS + 4 * REG_SIZE)(t0)
	csrw	sscratch, tp
	csrr	t1, sepc
	sd	t1, THREAD_GREGS(t0)
	ld	sp, CPU_KSTACK_TOP(tp)
	mv	a0, tp
	csrr	a1, scause
	csrr	a2, stval
	call	gort_user_trap
	j	.Lhang

.Lkernel_trap:
	ld	t0, CPU_SCRATCH(tp)
	csrr	a0, scause
	csrr	a1, sepc
	csrr	a2, stval
	mv	a3, ra
	call	gort_kernel_trap
	j	.Lhang

/* void gort_user_return(struct uregs *r): sstatus is already set up to return to user mode. */
	.globl gort_user_return
gort_user_return:
	ld	t0, UREGS_GREGS(a0)
	csrw	sepc, t0
	.irp n, 1,2,3,4,5,6,7,8,9,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	ld	x\n, (UREGS_GREGS + \n * REG_SIZE)(a0)
	.endr
	ld	a0, (UREGS_GREGS + 10 * REG_SIZE)(a0)
	sret

/* The program's FP state, between the hart and a thread's uregs. */
	.globl fp_save_regs
fp_save_regs:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fsd	f\n, (UREGS_FPR + \n * REG_SIZE)(a0)
	.endr
	frcsr	t0
	sw	t0, UREGS_FCSR(a0)
	ret

	.globl fp_restore_regs
fp_restore_regs:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fld	f\n, (UREGS_FPR + \n * REG_SIZE)(a0)
	.endr
	lw	t0, UREGS_FCSR(a0)
	fscsr	t0
	ret

	.section .bss.kstacks, "aw", @nobits
	.balign 16
	.globl gort_kstacks
gort_kstacks:
	.space KSTACK_SIZE * MAX_VCPUS

/*
 * Guest entry points and the trap vector. The hv enters vCPU 0 at _start with a0 = vCPU id and
 * a1 = the device tree's guest-physical address, paging off, in VS-mode; secondary vCPUs enter at
 * the entry given to GOOS_FN_VCPU_START (goos_secondary_start here) with a0 = vCPU id, a1 = arg
 * and sp = the stack given.
 */
#include "libgoos.h"

	.section .text.start, "ax"
	.globl _start
_start:
	/* When the partition started, kept in t2 until bss is clear (goos_start_time). */
	rdtime	t2
	/* Nothing below may trap into a half-set-up guest: no handler is installed yet. */
	csrw	sie, zero
	csrw	stvec, zero
	mv	tp, a0
	li	t0, LIBGOOS_MAX_VCPUS
	bgeu	a0, t0, .Lbad_vcpu
	/* sp = top of this vCPU's stack: the area is indexed by id so that a restarted or misrouted
	 * vCPU never shares a stack with vCPU 0. */
	la	sp, __goos_stacks
	li	t0, LIBGOOS_STACK_SIZE
	addi	t1, a0, 1
	mul	t0, t0, t1
	add	sp, sp, t0
	li	ra, 0
	li	s0, 0
	bnez	a0, 2f
	/* The stacks live outside bss, so zeroing it does not pull the rug from under anyone. */
	la	t0, __bss_start
	la	t1, __bss_end
1:	bgeu	t0, t1, 3f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
3:	la	t0, goos_start_time
	sd	t2, 0(t0)
2:	call	goos_main_entry
	/* goos_main_entry ends in goos_exit: reaching here means the hv ignored the exit. */
	j	.Lhang

.Lbad_vcpu:
	/* No stack for this vCPU: give up on the whole partition with a recognisable code. */
	li	a0, 253
	li	a6, LIBGOOS_FN_EXIT_ASM
	li	a7, LIBGOOS_EID_ASM
	ecall
.Lhang:
	wfi
	j	.Lhang

	.section .text.goos_secondary, "ax"
	.globl goos_secondary_start
	.balign 4
goos_secondary_start:
	csrw	sie, zero
	csrw	stvec, zero
	mv	tp, a0
	/* Terminate frame chains for debuggers, and keep the psABI's 16-byte stack alignment even
	 * if the caller passed an odd stack top. */
	li	ra, 0
	li	s0, 0
	andi	sp, sp, -16
	call	goos_secondary_entry
	j	.Lhang

/*
 * Trap vector (stvec direct mode). Saves only the caller-saved registers: the C handler preserves
 * the rest. Runs on the interrupted stack, which is fine for a guest with no user mode.
 */
	.section .text.goos_trap, "ax"
	.globl goos_trap_vector
	.balign 4
goos_trap_vector:
	addi	sp, sp, -128
	sd	ra, 0(sp)
	sd	t0, 8(sp)
	sd	t1, 16(sp)
	sd	t2, 24(sp)
	sd	a0, 32(sp)
	sd	a1, 40(sp)
	sd	a2, 48(sp)
	sd	a3, 56(sp)
	sd	a4, 64(sp)
	sd	a5, 72(sp)
	sd	a6, 80(sp)
	sd	a7, 88(sp)
	sd	t3, 96(sp)
	sd	t4, 104(sp)
	sd	t5, 112(sp)
	sd	t6, 120(sp)
	csrr	a0, scause
	csrr	a1, sepc
	csrr	a2, stval
	call	goos_trap_handler
	ld	ra, 0(sp)
	ld	t0, 8(sp)
	ld	t1, 16(sp)
	ld	t2, 24(sp)
	ld	a0, 32(sp)
	ld	a1, 40(sp)
	ld	a2, 48(sp)
	ld	a3, 56(sp)
	ld	a4, 64(sp)
	ld	a5, 72(sp)
	ld	a6, 80(sp)
	ld	a7, 88(sp)
	ld	t3, 96(sp)
	ld	t4, 104(sp)
	ld	t5, 112(sp)
	ld	t6, 120(sp)
	addi	sp, sp, 128
	sret

	/* NOLOAD in the linker script: not part of the file, and not zeroed by _start. */
	.section .goos_stacks, "aw", @nobits
	.balign 16
	.globl __goos_stacks
__goos_stacks:
	.space LIBGOOS_MAX_VCPUS * LIBGOOS_STACK_SIZE

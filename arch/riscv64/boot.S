/* Entry from OpenSBI: a0 = hart id, a1 = the machine's device tree, HS-mode, translation off.
 * Secondary harts come in through _secondary_start (SBI HSM hart_start). Each hart gets its own
 * stack in bss by hart id; all else is C. */
#include "asm-offsets.h" /* generated from asm-offsets.c: MAX_HARTS */

#define STACK_SIZE 16384

	.section .text.boot, "ax"
	.globl _start
_start:
#ifdef GOHV_BENCH
	/* Bench build only: when the hv was entered, kept in s1 until bss is cleared. */
	rdtime	s1
#endif
	csrw	sie, zero
	li	t0, MAX_HARTS
	bgeu	a0, t0, .Lpark
	/* Only the first hart here may clear bss. OpenSBI 1.1's hart_start publishes START_PENDING
	 * before the start address, so a hart woken in that window enters here, at the default
	 * address, instead of at _secondary_start: send it there rather than wipe a running hv. */
	la	t0, hv_entered
	li	t1, 1
	amoswap.w.aqrl t1, t1, (t0)
	bnez	t1, .Lsecondary
	/* The boot hart, before any other runs: bss is ours to clear. */
	la	t0, __bss_start
	la	t1, __bss_end
	/* Eight stores a turn (hv.ld aligns both ends to 64): the loop was half the cost. */
	j	2f
1:	sd	zero, 0(t0)
	sd	zero, 8(t0)
	sd	zero, 16(t0)
	sd	zero, 24(t0)
	sd	zero, 32(t0)
	sd	zero, 40(t0)
	sd	zero, 48(t0)
	sd	zero, 56(t0)
	addi	t0, t0, 64
2:	bltu	t0, t1, 1b
#ifdef GOHV_BENCH
	la	t0, gohv_bench_entry_tick
	sd	s1, 0(t0)
#endif
	jal	.Lstack
	tail	riscv_boot_main

	.globl _secondary_start
_secondary_start:
	csrw	sie, zero
	li	t0, MAX_HARTS
	bgeu	a0, t0, .Lpark
.Lsecondary:
	jal	.Lstack
	tail	riscv_secondary_main

/* sp = top of this hart's stack; keeps a0/a1. */
.Lstack:
	la	sp, hv_stacks
	li	t0, STACK_SIZE
	addi	t1, a0, 1
	mul	t0, t0, t1
	add	sp, sp, t0
	ret

.Lpark:
	wfi
	j	.Lpark

	/* In .data, not bss: it must survive the bss clear it guards. */
	.section .data, "aw"
	.balign 4
hv_entered:
	.word 0

	.section .stacks, "aw", @nobits
	.balign 16
	.globl hv_stacks
hv_stacks:
	.space STACK_SIZE * MAX_HARTS

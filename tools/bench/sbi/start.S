/* The SBI-only bench guest's entry, the same under gohv (a partition: VS-mode, a0 = hart) and
 * straight on OpenSBI (S-mode, the firmware's payload): a stack, bss cleared, main, then SBI
 * system reset (shutdown) with main's result as the reason's failure flag. */
	.section .text.start, "ax"
	.globl _start
_start:
	la	sp, sbi_stack_top
	la	t0, __bss_start
	la	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:	call	main
	snez	a1, a0		/* SRST reason: 0 none, 1 system failure */
	li	a0, 0		/* shutdown */
	li	a6, 0
	li	a7, 0x53525354	/* SRST */
	ecall
	li	a7, 8		/* legacy shutdown, for firmware without SRST */
	ecall
3:	wfi
	j	3b

	.bss
	.balign 16
	.space 8192
sbi_stack_top:

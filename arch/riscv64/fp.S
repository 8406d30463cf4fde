/*
 * The guest's FP registers, saved and restored only when a shared hart switches between vCPUs
 * (the hv itself never uses FP, so an exclusive hart leaves them in place). Assembled with the D
 * extension although the hv's C is not: this is the one place FP registers are touched.
 */
#include "asm-offsets.h" /* generated from asm-offsets.c */

/* Where fn is kept in a struct arch_fp. */
#define FP_REG(n) (FP_F + (n) * FP_REG_SIZE)

	.option push
	.option arch, +d

/* void riscv_fp_save(struct arch_fp *fp) */
	.section .text.riscv_fp_save, "ax"
	.globl riscv_fp_save
riscv_fp_save:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fsd	f\n, FP_REG(\n)(a0)
	.endr
	frcsr	t0
	sd	t0, FP_FCSR(a0)
	ret

/* void riscv_fp_load(const struct arch_fp *fp) */
	.section .text.riscv_fp_load, "ax"
	.globl riscv_fp_load
riscv_fp_load:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fld	f\n, FP_REG(\n)(a0)
	.endr
	ld	t0, FP_FCSR(a0)
	fscsr	t0
	ret

	.option pop

/* The RISC-V port's decoder of the instruction behind an emulated MMIO access. Pure functions of
 * instruction bits and registers, so the host unit tests run them as they are. */
#ifndef GOHV_RISCV_MMIO_DECODE_H
#define GOHV_RISCV_MMIO_DECODE_H

#include <stdbool.h>
#include <stdint.h>

/* What a load or store does, as far as emulating it needs: the hardware gives the address. */
struct riscv_mmio_insn {
	unsigned len;	/* bytes the instruction takes: 2 or 4 */
	unsigned width; /* bytes accessed: 1, 2, 4 or 8 */
	bool write;
	bool sign;    /* a load that sign-extends */
	unsigned reg; /* a load's rd, a store's rs2 */
};

/* Decodes an integer load or store of RV64IC: LB LH LW LD LBU LHU LWU SB SH SW SD and C.LW C.LD
 * C.SW C.SD C.LWSP C.LDSP C.SWSP C.SDSP. bits is the instruction as fetched (a 16-bit one in the
 * low half), or with transformed, the hypervisor's transformed form of it (htinst: bit 0 set, bit
 * 1 clear for a 16-bit original). False for anything else: FP, atomics, other instructions,
 * reserved encodings. */
bool riscv_mmio_decode(uint32_t bits, bool transformed, struct riscv_mmio_insn *d);
/* A store's value: the low width bytes of x[reg] (x0 is zero). */
uint64_t riscv_mmio_store_value(const struct riscv_mmio_insn *d, const unsigned long *x);
/* Completes the instruction: a load's value (zero-extended from width bytes) sign- or
 * zero-extended into x[reg] unless that is x0, and *pc past the instruction. */
void riscv_mmio_complete(const struct riscv_mmio_insn *d, unsigned long *x, unsigned long *pc,
			 uint64_t value);

#endif

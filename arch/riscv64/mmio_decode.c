/* Decoding the load or store behind an emulated MMIO access (see mmio_decode.h). */
#include "mmio_decode.h"

#define OP_LOAD	 0x03
#define OP_STORE 0x23

/* A 32-bit load or store: funct3 is the width (log2) and, for loads, bit 2 means unsigned. */
static bool decode32(uint32_t bits, struct riscv_mmio_insn *d)
{
	unsigned funct3 = (bits >> 12) & 7;

	switch (bits & 0x7f) {
	case OP_LOAD:
		if (funct3 == 7)
			return false;
		d->write = false;
		d->sign = funct3 < 3;
		d->reg = (bits >> 7) & 31;
		break;
	case OP_STORE:
		if (funct3 > 3)
			return false;
		d->write = true;
		d->sign = false;
		d->reg = (bits >> 20) & 31;
		break;
	default:
		return false;
	}
	d->width = 1u << (funct3 & 3);
	return true;
}

/* Quadrants 0 (rd'/rs2' in bits 4:2, x8-x15) and 2 (sp-based, full register in 11:7 or 6:2). */
static bool decode16(uint32_t bits, struct riscv_mmio_insn *d)
{
	unsigned funct3 = (bits >> 13) & 7, quadrant = bits & 3;
	unsigned reg = quadrant == 0 ? 8 + ((bits >> 2) & 7)
		       : funct3 < 4  ? (bits >> 7) & 31
				     : (bits >> 2) & 31;

	if (quadrant == 1)
		return false;
	switch (funct3) {
	case 2: /* C.LW, C.LWSP */
	case 3: /* C.LD, C.LDSP */
		/* C.LWSP and C.LDSP with rd = x0 are reserved. */
		if (quadrant == 2 && reg == 0)
			return false;
		d->write = false;
		d->sign = funct3 == 2;
		break;
	case 6: /* C.SW, C.SWSP */
	case 7: /* C.SD, C.SDSP */
		d->write = true;
		d->sign = false;
		break;
	default: /* FP loads and stores, and the rest of the quadrant */
		return false;
	}
	d->width = funct3 & 1 ? 8 : 4;
	d->reg = reg;
	return true;
}

bool riscv_mmio_decode(uint32_t bits, bool transformed, struct riscv_mmio_insn *d)
{
	if (transformed) {
		/* Bit 0 marks a transformed instruction (clear for pseudoinstructions), bit 1 says
		 * how long the original was; the rest is a 32-bit encoding of it. */
		if (!(bits & 1))
			return false;
		d->len = bits & 2 ? 4 : 2;
		return decode32(bits | 3, d);
	}
	if ((bits & 3) != 3) {
		d->len = 2;
		return decode16(bits & 0xffff, d);
	}
	d->len = 4;
	return decode32(bits, d);
}

static uint64_t low_bytes(uint64_t v, unsigned width)
{
	return width >= 8 ? v : v & ((1ULL << (width * 8)) - 1);
}

uint64_t riscv_mmio_store_value(const struct riscv_mmio_insn *d, const unsigned long *x)
{
	return d->reg ? low_bytes(x[d->reg], d->width) : 0;
}

void riscv_mmio_complete(const struct riscv_mmio_insn *d, unsigned long *x, unsigned long *pc,
			 uint64_t value)
{
	if (!d->write && d->reg) {
		unsigned shift = 64 - d->width * 8;

		value = low_bytes(value, d->width);
		if (d->sign && shift)
			value = (uint64_t)((int64_t)(value << shift) >> shift);
		x[d->reg] = value;
	}
	*pc += d->len;
}

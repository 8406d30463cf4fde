/*
 * The RISC-V port's MMIO instruction decoder (arch/riscv64/mmio_decode.c), on encodings taken
 * from the assembler (riscv64-linux-gnu-as -march=rv64imafdc), and the completion of an access:
 * the loaded value's extension into its register and the pc advance.
 */
#include <criterion/criterion.h>
#include <stdint.h>

#include "arch/riscv64/mmio_decode.h"

struct want {
	uint32_t bits;
	bool transformed;
	unsigned len, width;
	bool write, sign;
	unsigned reg;
	const char *what;
};

static void decodes(const struct want *w)
{
	struct riscv_mmio_insn d = {0};

	cr_assert(riscv_mmio_decode(w->bits, w->transformed, &d), "%s (0x%x) not decoded", w->what,
		  w->bits);
	cr_assert_eq(d.len, w->len, "%s: len %u", w->what, d.len);
	cr_assert_eq(d.width, w->width, "%s: width %u", w->what, d.width);
	cr_assert_eq(d.write, w->write, "%s: write", w->what);
	cr_assert_eq(d.sign, w->sign, "%s: sign", w->what);
	cr_assert_eq(d.reg, w->reg, "%s: reg %u", w->what, d.reg);
}

static void refuses(uint32_t bits, bool transformed, const char *what)
{
	struct riscv_mmio_insn d;

	cr_assert(!riscv_mmio_decode(bits, transformed, &d), "%s (0x%x) decoded", what, bits);
}

Test(mmio_decode, loads_32bit)
{
	static const struct want w[] = {
	    {0x00350583, false, 4, 1, false, true, 11, "lb a1,3(a0)"},
	    {0xffe41f83, false, 4, 2, false, true, 31, "lh t6,-2(s0)"},
	    {0x00812483, false, 4, 4, false, true, 9, "lw s1,8(sp)"},
	    {0x0107b083, false, 4, 8, false, false, 1, "ld ra,16(a5)"},
	    {0x00054603, false, 4, 1, false, false, 12, "lbu a2,0(a0)"},
	    {0x00055683, false, 4, 2, false, false, 13, "lhu a3,0(a0)"},
	    {0x00056703, false, 4, 4, false, false, 14, "lwu a4,0(a0)"},
	};
	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		decodes(&w[i]);
}

Test(mmio_decode, stores_32bit)
{
	static const struct want w[] = {
	    {0x00b50023, false, 4, 1, true, false, 11, "sb a1,0(a0)"},
	    {0x01f51023, false, 4, 2, true, false, 31, "sh t6,0(a0)"},
	    {0x00952023, false, 4, 4, true, false, 9, "sw s1,0(a0)"},
	    {0x00153023, false, 4, 8, true, false, 1, "sd ra,0(a0)"},
	    {0x00052023, false, 4, 4, true, false, 0, "sw zero,0(a0)"},
	};
	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		decodes(&w[i]);
}

Test(mmio_decode, compressed)
{
	/* Fetched as 32 bits: whatever follows in the high half must not matter. */
	static const struct want w[] = {
	    {0x414c, false, 2, 4, false, true, 11, "c.lw a1,4(a0)"},
	    {0x6780, false, 2, 8, false, false, 8, "c.ld s0,8(a5)"},
	    {0xc09c, false, 2, 4, true, false, 15, "c.sw a5,0(s1)"},
	    {0xe504, false, 2, 8, true, false, 9, "c.sd s1,8(a0)"},
	    {0x4fb2, false, 2, 4, false, true, 31, "c.lwsp t6,12(sp)"},
	    {0x60a2, false, 2, 8, false, false, 1, "c.ldsp ra,8(sp)"},
	    {0xc272, false, 2, 4, true, false, 28, "c.swsp t3,4(sp)"},
	    {0xe86e, false, 2, 8, true, false, 27, "c.sdsp s11,16(sp)"},
	    {0xdead414c, false, 2, 4, false, true, 11, "c.lw a1,4(a0) with a high half"},
	};
	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		decodes(&w[i]);
}

Test(mmio_decode, transformed_from_htinst)
{
	/* The hart's transformed form: offset (rs1) and immediate zero, bit 1 clear for a 16-bit
	 * original. */
	static const struct want w[] = {
	    {0x00002483, true, 4, 4, false, true, 9, "lw s1 (from lw s1,8(sp))"},
	    {0x00002581, true, 2, 4, false, true, 11, "lw a1 (from c.lw a1,4(a0))"},
	    {0x00903021, true, 2, 8, true, false, 9, "sd s1 (from c.sd s1,8(a0))"},
	    {0x00b50023, true, 4, 1, true, false, 11, "sb a1"},
	    {0x00056701, true, 2, 4, false, false, 14, "lwu a4, 16-bit original"},
	};
	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		decodes(&w[i]);
}

Test(mmio_decode, refuses_what_it_does_not_emulate)
{
	refuses(0x00052507, false, "flw fa0,0(a0)");
	refuses(0x00a53027, false, "fsd fa0,0(a0)");
	refuses(0x00b6252f, false, "amoadd.w a0,a1,(a2)");
	refuses(0x1005b52f, false, "lr.d a0,(a1)");
	refuses(0x00150513, false, "addi a0,a0,1");
	refuses(0x00057503, false, "load funct3 7 (reserved)");
	refuses(0x00a54023, false, "store funct3 4 (reserved)");
	refuses(0x2508, false, "c.fld fa0,8(a0)");
	refuses(0xa42a, false, "c.fsdsp fa0,8(sp)");
	refuses(0x4505, false, "c.li a0,1 (quadrant 1)");
	refuses(0x0028, false, "c.addi4spn a0,sp,8");
	refuses(0x4002, false, "c.lwsp x0 (reserved)");
	refuses(0x6002, false, "c.ldsp x0 (reserved)");
	refuses(0x0000, false, "all zero (illegal)");
	/* htinst's pseudoinstructions (a VS-stage page-table access) have bit 0 clear. */
	refuses(0x00003000, true, "pseudoinstruction: 64-bit page-table read");
	refuses(0x00003020, true, "pseudoinstruction: 64-bit page-table write");
	refuses(0x00002000, true, "pseudoinstruction: 32-bit page-table read");
	refuses(0, true, "zero");
	refuses(0x00b6252f, true, "transformed amoadd.w");
}

static unsigned long x[32];

static void complete(uint32_t bits, unsigned long pc, uint64_t value, unsigned long *out_pc)
{
	struct riscv_mmio_insn d;

	cr_assert(riscv_mmio_decode(bits, false, &d));
	*out_pc = pc;
	riscv_mmio_complete(&d, x, out_pc, value);
}

Test(mmio_decode, loads_extend_into_their_register_and_step_past)
{
	unsigned long pc;

	complete(0x00350583, 0x80001000, 0x80, &pc); /* lb a1 */
	cr_assert_eq(x[11], 0xffffffffffffff80UL);
	cr_assert_eq(pc, 0x80001004);
	complete(0x00054603, 0x80001000, 0x80, &pc); /* lbu a2 */
	cr_assert_eq(x[12], 0x80);
	complete(0xffe41f83, 0x80001000, 0x8001, &pc); /* lh t6 */
	cr_assert_eq(x[31], 0xffffffffffff8001UL);
	complete(0x00055683, 0x80001000, 0x8001, &pc); /* lhu a3 */
	cr_assert_eq(x[13], 0x8001);
	complete(0x00812483, 0x80001000, 0x80000000, &pc); /* lw s1 */
	cr_assert_eq(x[9], 0xffffffff80000000UL);
	complete(0x00056703, 0x80001000, 0x80000000, &pc); /* lwu a4 */
	cr_assert_eq(x[14], 0x80000000);
	complete(0x0107b083, 0x80001000, 0x8877665544332211UL, &pc); /* ld ra */
	cr_assert_eq(x[1], 0x8877665544332211UL);
	complete(0x414c, 0x80001002, 0xfffffffe, &pc); /* c.lw a1 */
	cr_assert_eq(x[11], 0xfffffffffffffffeUL);
	cr_assert_eq(pc, 0x80001004, "a compressed load is 2 bytes");
	complete(0x4fb2, 0x80001000, 0x7fffffff, &pc); /* c.lwsp t6 */
	cr_assert_eq(x[31], 0x7fffffff);
	cr_assert_eq(pc, 0x80001002);
	/* Bits above the width (a model's stray ones) never reach the register. */
	complete(0x00054603, 0x80001000, 0xabcd12, &pc); /* lbu a2 */
	cr_assert_eq(x[12], 0x12);
}

Test(mmio_decode, a_load_into_x0_writes_nothing)
{
	unsigned long pc;

	x[0] = 0;
	complete(0x00052003, 0x80001000, 0x1234, &pc); /* lw zero,0(a0) */
	cr_assert_eq(x[0], 0);
	cr_assert_eq(pc, 0x80001004);
}

Test(mmio_decode, stores_take_their_source_register)
{
	struct riscv_mmio_insn d;
	unsigned long pc = 0x80002000;

	x[9] = 0x1122334455667788UL;
	x[11] = 0xa5a5;
	/* Never read: x0 is zero. */
	x[0] = 0xbad;
	/* sw s1 */
	cr_assert(riscv_mmio_decode(0x00952023, false, &d));
	cr_assert_eq(riscv_mmio_store_value(&d, x), 0x55667788);
	riscv_mmio_complete(&d, x, &pc, 0xdead);
	cr_assert_eq(x[9], 0x1122334455667788UL, "a store leaves its register alone");
	cr_assert_eq(pc, 0x80002004);
	cr_assert(riscv_mmio_decode(0x00b50023, false, &d)); /* sb a1 */
	cr_assert_eq(riscv_mmio_store_value(&d, x), 0xa5);
	cr_assert(riscv_mmio_decode(0xe504, false, &d)); /* c.sd s1 */
	cr_assert_eq(riscv_mmio_store_value(&d, x), 0x1122334455667788UL);
	cr_assert(riscv_mmio_decode(0x00052023, false, &d)); /* sw zero */
	cr_assert_eq(riscv_mmio_store_value(&d, x), 0);
}

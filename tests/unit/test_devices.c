/*
 * devices/: which driver a compatible list picks, and what the drivers do to their registers,
 * with host memory standing in for the device (the drivers reach registers by address).
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "devices/devices.h"

/* A compatible property: strings, each with its NUL. */
#define COMPAT(s) (s), (int)sizeof(s)

Test(devices, match_by_compatible)
{
	cr_assert_eq(console_dev_match(COMPAT("ns16550a")), &uart16550_ops);
	cr_assert_eq(console_dev_match(COMPAT("vendor,uart\0ns16550a")), &uart16550_ops,
		     "a later entry of the list matches too");
	cr_assert_null(console_dev_match(COMPAT("ns16550")));
	cr_assert_null(console_dev_match(COMPAT("ns16550ab")));
	cr_assert_eq(intc_dev_match(COMPAT("sifive,plic-1.0.0\0riscv,plic0")), &plic_ops);
	cr_assert_eq(intc_dev_match(COMPAT("riscv,plic0")), &plic_ops);
	cr_assert_null(intc_dev_match(COMPAT("riscv,cpu-intc")));
	cr_assert_eq(rtc_dev_match(COMPAT("google,goldfish-rtc")), &goldfish_rtc_ops);
	cr_assert_null(rtc_dev_match(COMPAT("ns16550a")));
	cr_assert_null(console_dev_match(COMPAT("google,goldfish-rtc")));
}

/* The PLIC's registers up to the fifth context's threshold. */
static uint32_t plic_regs[(0x200000 + 5 * 0x1000) / 4];

static uint32_t plic_reg(uint64_t off)
{
	return plic_regs[off / 4];
}

Test(devices, plic_init_masks_every_source)
{
	struct plic p = {.base = (uintptr_t)plic_regs, .size = sizeof(plic_regs), .ncontexts = 4};

	memset(plic_regs, 0xff, sizeof(plic_regs));
	plic_ops.init(&p);
	for (unsigned s = 1; s < PLIC_MAX_SOURCES; s++)
		cr_assert_eq(plic_reg(4 * s), 0, "source %u priority", s);
	for (unsigned c = 0; c < 4; c++) {
		for (unsigned w = 0; w < PLIC_MAX_SOURCES / 32; w++)
			cr_assert_eq(plic_reg(0x2000 + c * 0x80 + w * 4), 0, "context %u enable",
				     c);
		cr_assert_eq(plic_reg(0x200000 + c * 0x1000), 0, "context %u threshold", c);
	}
	/* Contexts the tree did not list are not there to be written. */
	cr_assert_eq(plic_reg(0x2000 + 4 * 0x80), 0xffffffff);
	cr_assert_eq(plic_reg(0x200000 + 4 * 0x1000), 0xffffffff);
}

Test(devices, uart_init_and_write)
{
	/* Registers 4 bytes apart (reg-shift 2); LSR says the transmitter is always empty. */
	static uint8_t regs[8 * 4];
	struct uart16550 u = {.base = (uintptr_t)regs, .shift = 2};

	memset(regs, 0xee, sizeof(regs));
	regs[5 * 4] = 0x20;
	uart16550_ops.init(&u);
	cr_assert_eq(regs[1 * 4], 0, "no interrupts");
	cr_assert_eq(regs[2 * 4], 0x07, "FIFOs on and cleared");
	cr_assert_eq(regs[3 * 4], 0x03, "8N1, divisor latch closed");
	uart16550_ops.write(&u, "ok", 2);
	cr_assert_eq(regs[0], 'k');
}

Test(devices, goldfish_rtc_read)
{
	static uint32_t regs[2];
	struct goldfish_rtc r = {.base = (uintptr_t)regs};

	regs[0] = 0x89abcdef;
	regs[1] = 0x01234567;
	cr_assert_eq(goldfish_rtc_ops.read_ns(&r), 0x0123456789abcdefULL);
}

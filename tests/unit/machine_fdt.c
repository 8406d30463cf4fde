#include "machine_fdt.h"

#include <criterion/criterion.h>
#include <libfdt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#include "hv/guest_fdt.h"

#define OK(x)                                                                                      \
	do {                                                                                       \
		int __e = (x);                                                                     \
		cr_assert_geq(__e, 0, "%s: %s", #x, fdt_strerror(__e));                            \
	} while (0)

/* Writes name = <cells...> (n 32-bit cells). */
static void prop_cells(void *blob, const char *name, int n, ...)
{
	fdt32_t cells[16];
	va_list ap;

	cr_assert_leq(n, 16);
	va_start(ap, n);
	for (int i = 0; i < n; i++)
		cells[i] = cpu_to_fdt32(va_arg(ap, uint32_t));
	va_end(ap);
	OK(fdt_property(blob, name, cells, n * 4));
}

static void cpus(void *blob, const struct mopts *o)
{
	unsigned ncpus = o->ncpus ? o->ncpus : 4;
	char name[32];

	OK(fdt_begin_node(blob, "cpus"));
	prop_cells(blob, "#address-cells", 1, 1);
	prop_cells(blob, "#size-cells", 1, 0);
	if (o->timebase_64)
		prop_cells(blob, "timebase-frequency", 2, 0, TIMEBASE);
	else if (!o->no_timebase)
		prop_cells(blob, "timebase-frequency", 1, o->timebase_zero ? 0 : TIMEBASE);
	for (unsigned i = 0; i < ncpus + (o->no_h_hart ? 1 : 0); i++) {
		const char *isa = o->isas      ? o->isas[i]
				  : i == ncpus ? "rv64imafdc_zicsr_zifencei"
					       : "rv64imafdch_zicsr";
		bool disabled = o->all_disabled || (i == 2 && !o->isas);

		snprintf(name, sizeof(name), "cpu@%u", i);
		OK(fdt_begin_node(blob, name));
		OK(fdt_property_string(blob, "device_type", "cpu"));
		prop_cells(blob, "reg", 1, i);
		OK(fdt_property_string(blob, "compatible", "riscv"));
		OK(fdt_property_string(blob, "riscv,isa", isa));
		OK(fdt_property_string(blob, "mmu-type", "riscv,sv57"));
		OK(fdt_property_string(blob, "status", disabled ? "disabled" : "okay"));
		OK(fdt_begin_node(blob, "interrupt-controller"));
		OK(fdt_property_string(blob, "compatible", "riscv,cpu-intc"));
		prop_cells(blob, "#interrupt-cells", 1, 1);
		OK(dt_empty_prop(blob, "interrupt-controller"));
		prop_cells(blob, "phandle", 1, i + 1);
		OK(fdt_end_node(blob));
		OK(fdt_end_node(blob));
	}
	OK(fdt_end_node(blob));
}

static void uart(void *blob, uint64_t base, int reg_shift)
{
	char name[32];

	snprintf(name, sizeof(name), "serial@%lx", (unsigned long)base);
	OK(fdt_begin_node(blob, name));
	prop_cells(blob, "interrupts", 1, 10);
	prop_cells(blob, "clock-frequency", 1, UART_CLOCK);
	prop_cells(blob, "reg", 4, 0, (uint32_t)base, 0, 0x100);
	if (reg_shift > 0)
		prop_cells(blob, "reg-shift", 1, (uint32_t)reg_shift);
	OK(fdt_property_string(blob, "compatible", "ns16550a"));
	OK(fdt_end_node(blob));
}

static void soc(void *blob, const struct mopts *o)
{
	OK(fdt_begin_node(blob, "soc"));
	prop_cells(blob, "#address-cells", 1, 2);
	prop_cells(blob, "#size-cells", 1, 2);
	OK(fdt_property_string(blob, "compatible", "simple-bus"));
	OK(dt_empty_prop(blob, "ranges"));

	if (o->second_uart)
		uart(blob, UART2_BASE, 0);
	uart(blob, UART_BASE, o->reg_shift);

	if (!o->no_rtc) {
		OK(fdt_begin_node(blob, "rtc@101000"));
		prop_cells(blob, "interrupts", 1, 11);
		prop_cells(blob, "reg", 4, 0, (uint32_t)RTC_BASE, 0, 0x1000);
		OK(fdt_property_string(blob, "compatible", "google,goldfish-rtc"));
		if (o->rtc_disabled)
			OK(fdt_property_string(blob, "status", "disabled"));
		OK(fdt_end_node(blob));
	}

	if (o->sswi) {
		OK(fdt_begin_node(blob, "sswi@2f00000"));
		/* Harts 0-3's interrupt controllers (phandles 1-4), irq 1 (SSIP) each. */
		if (o->sswi_odd)
			prop_cells(blob, "interrupts-extended", 7, 1, 1, 2, 1, 3, 1, 4);
		else
			prop_cells(blob, "interrupts-extended", 8, 1, 1, 2, 1, 3, 1, 4, 1);
		prop_cells(blob, "reg", 4, 0, (uint32_t)SSWI_BASE, 0, o->sswi_small ? 8 : 0x4000);
		OK(dt_empty_prop(blob, "interrupt-controller"));
		prop_cells(blob, "#interrupt-cells", 1, 0);
		OK(fdt_property_string(blob, "compatible", "riscv,aclint-sswi"));
		OK(fdt_end_node(blob));
	}

	if (!o->no_plic) {
		OK(fdt_begin_node(blob, "plic@c000000"));
		prop_cells(blob, "phandle", 1, 0x20);
		prop_cells(blob, "riscv,ndev", 1, 0x5f);
		prop_cells(blob, "reg", 4, 0, (uint32_t)PLIC_BASE, 0, (uint32_t)PLIC_SIZE);
		/* Two harts' M and S external interrupt contexts: 4 (phandle, irq) pairs. */
		prop_cells(blob, "interrupts-extended", 8, 1, 11, 1, 9, 2, 11, 2, 9);
		OK(dt_empty_prop(blob, "interrupt-controller"));
		static const char plic_compat[] = "sifive,plic-1.0.0\0riscv,plic0";
		OK(fdt_property(blob, "compatible", plic_compat, sizeof(plic_compat)));
		prop_cells(blob, "#interrupt-cells", 1, 1);
		OK(fdt_end_node(blob));
	}

	OK(fdt_end_node(blob)); /* soc */
}

void machine_fdt_build(void *blob, const struct mopts *o)
{
	unsigned seed_len = o->seed_len ? o->seed_len : 32;

	OK(fdt_create(blob, MACHINE_FDT_SIZE));
	if (!o->no_memreserve)
		OK(fdt_add_reservemap_entry(blob, MRSV_BASE, MRSV_SIZE));
	OK(fdt_finish_reservemap(blob));
	OK(fdt_begin_node(blob, ""));
	prop_cells(blob, "#address-cells", 1, 2);
	prop_cells(blob, "#size-cells", 1, 2);
	OK(fdt_property_string(blob, "compatible", "riscv-virtio"));
	OK(fdt_property_string(blob, "model", "riscv-virtio,qemu"));

	if (!o->no_chosen) {
		OK(fdt_begin_node(blob, "chosen"));
		if (!o->no_stdout_path)
			OK(fdt_property_string(blob, "stdout-path",
					       o->stdout_path ? o->stdout_path
							      : "/soc/serial@10000000"));
		if (!o->no_rng_seed) {
			uint8_t seed[256];
			cr_assert_leq(seed_len, sizeof(seed));
			for (unsigned i = 0; i < seed_len; i++)
				seed[i] = (uint8_t)(i * 7 + 1);
			OK(fdt_property(blob, "rng-seed", seed, (int)seed_len));
		}
		OK(fdt_end_node(blob));
	}

	if (!o->no_cpus)
		cpus(blob, o);

	if (!o->no_memory) {
		OK(fdt_begin_node(blob, "memory@80000000"));
		OK(fdt_property_string(blob, "device_type", "memory"));
		prop_cells(blob, "reg", 4, (uint32_t)(RAM_BASE >> 32), (uint32_t)RAM_BASE, 0,
			   o->memory_size_zero ? 0 : (uint32_t)RAM_SIZE);
		OK(fdt_end_node(blob));
	}

	OK(fdt_begin_node(blob, "reserved-memory"));
	prop_cells(blob, "#address-cells", 1, 2);
	prop_cells(blob, "#size-cells", 1, 2);
	OK(dt_empty_prop(blob, "ranges"));
	OK(fdt_begin_node(blob, "mmode_resv0@80000000"));
	prop_cells(blob, "reg", 4, 0, (uint32_t)RSV_BASE, 0, (uint32_t)RSV_SIZE);
	OK(dt_empty_prop(blob, "no-map"));
	OK(fdt_end_node(blob));
	OK(fdt_end_node(blob));

	soc(blob, o);

	OK(fdt_end_node(blob)); /* root */
	OK(fdt_finish(blob));
	cr_assert_eq(fdt_check_header(blob), 0);
}

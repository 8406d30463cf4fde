/*
 * platform_parse against a machine device tree built in memory with libfdt's sequential-write
 * API, shaped like the one QEMU virt hands over (firmware-reserved RAM, a disabled hart, the UART
 * behind stdout-path, a PLIC with four contexts). Options break or vary one thing at a time.
 */
#include <criterion/criterion.h>
#include <libfdt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "hv/platform.h"

#define BLOB_SIZE 16384

#define RAM_BASE   0x80000000UL
#define RAM_SIZE   0x20000000UL
#define RSV_BASE   0x80000000UL /* /reserved-memory/mmode_resv0 (OpenSBI) */
#define RSV_SIZE   0x40000UL
#define MRSV_BASE  0x9fe00000UL /* the /memreserve/ entry */
#define MRSV_SIZE  0x2000UL
#define UART_BASE  0x10000000UL
#define UART_CLOCK 3686400
#define PLIC_BASE  0xc000000UL
#define PLIC_SIZE  0x600000UL
#define TIMEBASE   10000000
#define RTC_BASE   0x101000UL

struct mopts {
	bool no_cpus, no_memory, no_timebase, no_chosen, no_stdout_path, no_rng_seed;
	bool no_h_hart;	       /* adds cpu@4 whose ISA lacks the H extension */
	bool all_disabled;     /* every cpu node has status "disabled" */
	bool no_memreserve;    /* no /memreserve/ entry */
	bool memory_size_zero; /* the memory node has reg (base, 0) */
	bool timebase_64;      /* timebase-frequency as two cells */
	unsigned ncpus;	       /* cpu nodes (default 4) */
	unsigned seed_len;     /* rng-seed bytes (default 32) */
	const char *stdout_path;
	int reg_shift; /* >= 0: add reg-shift to the UART */
	bool no_rtc;   /* no Goldfish RTC node */
};

static uint8_t blob[BLOB_SIZE] __attribute__((aligned(8)));
static struct platform plat;
static char err[200];

#define OK(x)                                                                                      \
	do {                                                                                       \
		int __e = (x);                                                                     \
		cr_assert_geq(__e, 0, "%s: %s", #x, fdt_strerror(__e));                            \
	} while (0)

/* Writes name = <cells...> (n 32-bit cells). */
static void prop_cells(const char *name, int n, ...)
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

static void build(const struct mopts *o)
{
	unsigned ncpus = o->ncpus ? o->ncpus : 4;
	unsigned seed_len = o->seed_len ? o->seed_len : 32;
	char name[32];

	OK(fdt_create(blob, sizeof(blob)));
	if (!o->no_memreserve)
		OK(fdt_add_reservemap_entry(blob, MRSV_BASE, MRSV_SIZE));
	OK(fdt_finish_reservemap(blob));
	OK(fdt_begin_node(blob, ""));
	prop_cells("#address-cells", 1, 2);
	prop_cells("#size-cells", 1, 2);
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

	if (!o->no_cpus) {
		OK(fdt_begin_node(blob, "cpus"));
		prop_cells("#address-cells", 1, 1);
		prop_cells("#size-cells", 1, 0);
		if (o->timebase_64)
			prop_cells("timebase-frequency", 2, 0, TIMEBASE);
		else if (!o->no_timebase)
			prop_cells("timebase-frequency", 1, TIMEBASE);
		for (unsigned i = 0; i < ncpus + (o->no_h_hart ? 1 : 0); i++) {
			snprintf(name, sizeof(name), "cpu@%u", i);
			OK(fdt_begin_node(blob, name));
			OK(fdt_property_string(blob, "device_type", "cpu"));
			prop_cells("reg", 1, i);
			OK(fdt_property_string(blob, "compatible", "riscv"));
			OK(fdt_property_string(blob, "riscv,isa",
					       i == ncpus ? "rv64imafdc_zicsr_zifencei"
							  : "rv64imafdch_zicsr"));
			OK(fdt_property_string(blob, "mmu-type", "riscv,sv57"));
			OK(fdt_property_string(blob, "status",
					       o->all_disabled || i == 2 ? "disabled" : "okay"));
			OK(fdt_begin_node(blob, "interrupt-controller"));
			OK(fdt_property_string(blob, "compatible", "riscv,cpu-intc"));
			prop_cells("#interrupt-cells", 1, 1);
			OK(fdt_property(blob, "interrupt-controller", NULL, 0));
			prop_cells("phandle", 1, i + 1);
			OK(fdt_end_node(blob));
			OK(fdt_end_node(blob));
		}
		OK(fdt_end_node(blob));
	}

	if (!o->no_memory) {
		OK(fdt_begin_node(blob, "memory@80000000"));
		OK(fdt_property_string(blob, "device_type", "memory"));
		prop_cells("reg", 4, (uint32_t)(RAM_BASE >> 32), (uint32_t)RAM_BASE, 0,
			   o->memory_size_zero ? 0 : (uint32_t)RAM_SIZE);
		OK(fdt_end_node(blob));
	}

	OK(fdt_begin_node(blob, "reserved-memory"));
	prop_cells("#address-cells", 1, 2);
	prop_cells("#size-cells", 1, 2);
	OK(fdt_property(blob, "ranges", NULL, 0));
	OK(fdt_begin_node(blob, "mmode_resv0@80000000"));
	prop_cells("reg", 4, 0, (uint32_t)RSV_BASE, 0, (uint32_t)RSV_SIZE);
	OK(fdt_property(blob, "no-map", NULL, 0));
	OK(fdt_end_node(blob));
	OK(fdt_end_node(blob));

	OK(fdt_begin_node(blob, "soc"));
	prop_cells("#address-cells", 1, 2);
	prop_cells("#size-cells", 1, 2);
	OK(fdt_property_string(blob, "compatible", "simple-bus"));
	OK(fdt_property(blob, "ranges", NULL, 0));

	OK(fdt_begin_node(blob, "serial@10000000"));
	prop_cells("interrupts", 1, 10);
	prop_cells("clock-frequency", 1, UART_CLOCK);
	prop_cells("reg", 4, 0, (uint32_t)UART_BASE, 0, 0x100);
	if (o->reg_shift > 0)
		prop_cells("reg-shift", 1, (uint32_t)o->reg_shift);
	OK(fdt_property_string(blob, "compatible", "ns16550a"));
	OK(fdt_end_node(blob));

	if (!o->no_rtc) {
		OK(fdt_begin_node(blob, "rtc@101000"));
		prop_cells("interrupts", 1, 11);
		prop_cells("reg", 4, 0, (uint32_t)RTC_BASE, 0, 0x1000);
		OK(fdt_property_string(blob, "compatible", "google,goldfish-rtc"));
		OK(fdt_end_node(blob));
	}

	OK(fdt_begin_node(blob, "plic@c000000"));
	prop_cells("phandle", 1, 0x20);
	prop_cells("riscv,ndev", 1, 0x5f);
	prop_cells("reg", 4, 0, (uint32_t)PLIC_BASE, 0, (uint32_t)PLIC_SIZE);
	/* Two harts' M and S external interrupt contexts: 4 (phandle, irq) pairs. */
	prop_cells("interrupts-extended", 8, 1, 11, 1, 9, 2, 11, 2, 9);
	OK(fdt_property(blob, "interrupt-controller", NULL, 0));
	static const char plic_compat[] = "sifive,plic-1.0.0\0riscv,plic0";
	OK(fdt_property(blob, "compatible", plic_compat, sizeof(plic_compat)));
	prop_cells("#interrupt-cells", 1, 1);
	OK(fdt_end_node(blob));

	OK(fdt_end_node(blob)); /* soc */
	OK(fdt_end_node(blob)); /* root */
	OK(fdt_finish(blob));
	cr_assert_eq(fdt_check_header(blob), 0);
}

static void parse_ok(const struct mopts *o)
{
	build(o);
	memset(err, 0, sizeof(err));
	int r = platform_parse(blob, &plat, err, sizeof(err));
	cr_assert_eq(r, 0, "platform_parse: %s", err);
}

static void parse_fails(const struct mopts *o, const char *want)
{
	build(o);
	memset(err, 0, sizeof(err));
	cr_assert_eq(platform_parse(blob, &plat, err, sizeof(err)), -1);
	cr_assert_neq(err[0], '\0', "no error message");
	cr_assert_not_null(strstr(err, want), "error \"%s\" does not mention \"%s\"", err, want);
}

Test(platform, ram)
{
	parse_ok(&(struct mopts){0});
	cr_assert_eq(plat.ram.base, RAM_BASE);
	cr_assert_eq(plat.ram.size, RAM_SIZE);
	cr_assert_eq(plat.fdt, blob);
	cr_assert_eq(plat.fdt_size, fdt_totalsize(blob));
}

Test(platform, model)
{
	parse_ok(&(struct mopts){0});
	cr_assert_str_eq(plat.model, "riscv-virtio,qemu");
}

Test(platform, reserved)
{
	parse_ok(&(struct mopts){0});
	cr_assert_eq(plat.nreserved, 2);
	/* /memreserve/ entries first, then /reserved-memory children. */
	cr_assert_eq(plat.reserved[0].base, MRSV_BASE);
	cr_assert_eq(plat.reserved[0].size, MRSV_SIZE);
	cr_assert_eq(plat.reserved[1].base, RSV_BASE);
	cr_assert_eq(plat.reserved[1].size, RSV_SIZE);
}

Test(platform, reserved_memory_only)
{
	parse_ok(&(struct mopts){.no_memreserve = true});
	cr_assert_eq(plat.nreserved, 1);
	cr_assert_eq(plat.reserved[0].base, RSV_BASE);
	cr_assert_eq(plat.reserved[0].size, RSV_SIZE);
}

Test(platform, timebase)
{
	parse_ok(&(struct mopts){0});
	cr_assert_eq(plat.timebase_hz, TIMEBASE);
}

Test(platform, timebase_two_cells)
{
	parse_ok(&(struct mopts){.timebase_64 = true});
	cr_assert_eq(plat.timebase_hz, TIMEBASE);
}

Test(platform, harts_skip_disabled)
{
	parse_ok(&(struct mopts){0});
	cr_assert_eq(plat.nharts, 3);
	cr_assert_eq(plat.hartids[0], 0);
	cr_assert_eq(plat.hartids[1], 1);
	cr_assert_eq(plat.hartids[2], 3);
	for (unsigned i = 0; i < 3; i++)
		cr_assert_str_eq(plat.hart_isa[i], "rv64imafdch_zicsr");
}

Test(platform, harts_capped_at_max)
{
	/* 12 cpu nodes, one disabled: only CONFIG_MAX_CPUS are kept. */
	parse_ok(&(struct mopts){.ncpus = 12});
	cr_assert_eq(plat.nharts, CONFIG_MAX_CPUS);
	cr_assert_eq(plat.hartids[CONFIG_MAX_CPUS - 1], CONFIG_MAX_CPUS);
}

Test(platform, has_hart)
{
	parse_ok(&(struct mopts){.no_h_hart = true});
	cr_assert_eq(plat.nharts, 4);
	cr_assert_eq(plat.hartids[3], 4);
	cr_assert_str_eq(plat.hart_isa[3], "rv64imafdc_zicsr_zifencei");
	cr_assert(platform_has_hart(&plat, 0));
	cr_assert(platform_has_hart(&plat, 1));
	cr_assert(platform_has_hart(&plat, 3));
	cr_assert_not(platform_has_hart(&plat, 2), "a disabled hart is not usable");
	cr_assert_not(platform_has_hart(&plat, 4), "hart 4 has no H extension");
	cr_assert_not(platform_has_hart(&plat, 99));
	cr_assert_not(platform_has_hart(&plat, ~0UL));
}

Test(platform, has_hart_isa_strings)
{
	/* Only the single-letter part counts: an 'h' in a multi-letter extension is not H. */
	memset(&plat, 0, sizeof(plat));
	const char *isas[] = {
	    "rv64imafdch", "rv64gch_zicsr", "rv64hc", "rv64imac_zihintpause", "rv64imafdc_h", "",
	    "rv32imach",   "RV64IMAFDCH"};
	const int want[] = {1, 1, 1, 0, 0, 0, 0, 0};
	for (unsigned i = 0; i < sizeof(isas) / sizeof(isas[0]); i++) {
		plat.hartids[i] = 10 + i;
		strcpy(plat.hart_isa[i], isas[i]);
	}
	plat.nharts = sizeof(isas) / sizeof(isas[0]);
	for (unsigned i = 0; i < plat.nharts; i++)
		cr_assert_eq(!!platform_has_hart(&plat, 10 + i), want[i], "isa \"%s\"", isas[i]);
}

Test(platform, uart)
{
	parse_ok(&(struct mopts){0});
	cr_assert_eq(plat.uart_base, UART_BASE);
	cr_assert_eq(plat.uart_clock, UART_CLOCK);
	cr_assert_eq(plat.uart_reg_shift, 0);
}

Test(platform, uart_stdout_path_with_options)
{
	parse_ok(&(struct mopts){.stdout_path = "/soc/serial@10000000:115200n8", .reg_shift = 2});
	cr_assert_eq(plat.uart_base, UART_BASE);
	cr_assert_eq(plat.uart_reg_shift, 2);
}

Test(platform, uart_by_compatible)
{
	parse_ok(&(struct mopts){.no_stdout_path = true});
	cr_assert_eq(plat.uart_base, UART_BASE);
	parse_ok(&(struct mopts){.stdout_path = "/soc/serial@nowhere"});
	cr_assert_eq(plat.uart_base, UART_BASE);
	parse_ok(&(struct mopts){.no_chosen = true});
	cr_assert_eq(plat.uart_base, UART_BASE);
}

Test(platform, plic)
{
	parse_ok(&(struct mopts){0});
	cr_assert_eq(plat.plic_base, PLIC_BASE);
	cr_assert_eq(plat.plic_size, PLIC_SIZE);
	cr_assert_eq(plat.plic_ncontexts, 4);
}

Test(platform, goldfish_rtc)
{
	parse_ok(&(struct mopts){0});
	cr_assert_eq(plat.rtc_base, RTC_BASE);
	parse_ok(&(struct mopts){.no_rtc = true});
	cr_assert_eq(plat.rtc_base, 0, "no RTC node must leave rtc_base 0");
}

Test(platform, rng_seed)
{
	parse_ok(&(struct mopts){0});
	cr_assert_eq(plat.rng_seed_len, 32);
	for (unsigned i = 0; i < 32; i++)
		cr_assert_eq(plat.rng_seed[i], (uint8_t)(i * 7 + 1));
}

Test(platform, rng_seed_long_is_cut)
{
	parse_ok(&(struct mopts){.seed_len = 100});
	cr_assert_eq(plat.rng_seed_len, PLATFORM_SEED_MAX);
	for (unsigned i = 0; i < PLATFORM_SEED_MAX; i++)
		cr_assert_eq(plat.rng_seed[i], (uint8_t)(i * 7 + 1));
}

Test(platform, rng_seed_absent)
{
	parse_ok(&(struct mopts){.no_rng_seed = true});
	cr_assert_eq(plat.rng_seed_len, 0);
	parse_ok(&(struct mopts){.no_chosen = true});
	cr_assert_eq(plat.rng_seed_len, 0);
}

Test(platform, invalid_blob)
{
	memset(blob, 0x42, sizeof(blob));
	cr_assert_eq(platform_parse(blob, &plat, err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "not valid"), "error: %s", err);

	/* A valid header with its magic broken. */
	build(&(struct mopts){0});
	((fdt32_t *)blob)[0] = cpu_to_fdt32(0xd00dfeee);
	memset(err, 0, sizeof(err));
	cr_assert_eq(platform_parse(blob, &plat, err, sizeof(err)), -1);
	cr_assert_neq(err[0], '\0');
}

Test(platform, no_cpus)
{
	parse_fails(&(struct mopts){.no_cpus = true}, "/cpus");
}

Test(platform, no_timebase)
{
	parse_fails(&(struct mopts){.no_timebase = true}, "timebase-frequency");
}

Test(platform, no_usable_hart)
{
	parse_fails(&(struct mopts){.all_disabled = true}, "no usable hart");
}

Test(platform, no_memory)
{
	parse_fails(&(struct mopts){.no_memory = true}, "memory");
}

Test(platform, memory_size_zero)
{
	parse_fails(&(struct mopts){.memory_size_zero = true}, "memory");
}

Test(platform, small_error_buffer)
{
	char small[8];

	build(&(struct mopts){.no_cpus = true});
	memset(small, 'z', sizeof(small));
	cr_assert_eq(platform_parse(blob, &plat, small, sizeof(small)), -1);
	cr_assert_eq(small[sizeof(small) - 1], '\0');
}

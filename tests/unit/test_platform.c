/*
 * platform_parse against a machine device tree shaped like the one QEMU virt hands over
 * (machine_fdt.c): what the core keeps, the CPUs as the port lists them, and the devices the
 * drivers of devices/ claim. The port's own /cpus rules are tested in test_riscv_platform.c.
 */
#include <criterion/criterion.h>
#include <libfdt.h>
#include <stdint.h>
#include <string.h>

#include "hv/platform.h"
#include "machine_fdt.h"

static uint8_t blob[MACHINE_FDT_SIZE] __attribute__((aligned(8)));
static struct platform plat;
static char err[200];

static void build(const struct mopts *o)
{
	machine_fdt_build(blob, o);
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

Test(platform, cpus_from_the_port)
{
	/* The core keeps the port's list as it is: the enabled harts, in tree order. */
	parse_ok(&(struct mopts){0});
	cr_assert_eq(plat.ncpus, 3);
	cr_assert_eq(plat.cpus[0].hwid, 0);
	cr_assert_eq(plat.cpus[1].hwid, 1);
	cr_assert_eq(plat.cpus[2].hwid, 3);
	cr_assert_eq(platform_cpu(&plat, 3), &plat.cpus[2]);
	cr_assert_null(platform_cpu(&plat, 2), "a disabled hart is not listed");
}

Test(platform, has_cpu)
{
	parse_ok(&(struct mopts){.no_h_hart = true});
	cr_assert_eq(plat.ncpus, 4);
	cr_assert_eq(plat.cpus[3].hwid, 4);
	cr_assert_str_eq(plat.cpus[3].arch.isa, "rv64imafdc_zicsr_zifencei");
	cr_assert(platform_has_cpu(&plat, 0));
	cr_assert(platform_has_cpu(&plat, 1));
	cr_assert(platform_has_cpu(&plat, 3));
	cr_assert_not(platform_has_cpu(&plat, 2), "a disabled hart is not usable");
	cr_assert_not(platform_has_cpu(&plat, 4), "hart 4 has no H extension");
	cr_assert_not(platform_has_cpu(&plat, 99));
	cr_assert_not(platform_has_cpu(&plat, ~0UL));
}

static const struct uart16550 *console_uart(void)
{
	cr_assert_eq(plat.console.ops, &uart16550_ops, "the console is not the 16550");
	return &plat.console.state.uart16550;
}

Test(platform, uart)
{
	parse_ok(&(struct mopts){0});
	cr_assert_eq(console_uart()->base, UART_BASE);
	cr_assert_eq(console_uart()->clock_hz, UART_CLOCK);
	cr_assert_eq(console_uart()->shift, 0);
}

Test(platform, uart_stdout_path_with_options)
{
	parse_ok(&(struct mopts){.stdout_path = "/soc/serial@10000000:115200n8", .reg_shift = 2});
	cr_assert_eq(console_uart()->base, UART_BASE);
	cr_assert_eq(console_uart()->shift, 2);
}

Test(platform, uart_by_compatible)
{
	parse_ok(&(struct mopts){.no_stdout_path = true});
	cr_assert_eq(console_uart()->base, UART_BASE);
	parse_ok(&(struct mopts){.stdout_path = "/soc/serial@nowhere"});
	cr_assert_eq(console_uart()->base, UART_BASE);
	parse_ok(&(struct mopts){.no_chosen = true});
	cr_assert_eq(console_uart()->base, UART_BASE);
}

Test(platform, uart_stdout_path_wins)
{
	/* Another UART comes first in the tree: stdout-path still picks the console. */
	parse_ok(&(struct mopts){.second_uart = true});
	cr_assert_eq(console_uart()->base, UART_BASE);
	parse_ok(&(struct mopts){.second_uart = true, .no_stdout_path = true});
	cr_assert_eq(console_uart()->base, UART2_BASE, "without stdout-path, the first UART");
	parse_ok(&(struct mopts){.second_uart = true, .stdout_path = "/soc/plic@c000000"});
	cr_assert_eq(console_uart()->base, UART2_BASE, "stdout-path names no console");
}

Test(platform, uart_wild_reg_shift_refused)
{
	/* A shift that would aim the hv's writes far from the device: no console of its own. */
	parse_ok(&(struct mopts){.reg_shift = 31});
	cr_assert_null(plat.console.ops);
}

Test(platform, plic)
{
	parse_ok(&(struct mopts){0});
	cr_assert_eq(plat.intc.ops, &plic_ops);
	cr_assert_eq(plat.intc.state.plic.base, PLIC_BASE);
	cr_assert_eq(plat.intc.state.plic.size, PLIC_SIZE);
	cr_assert_eq(plat.intc.state.plic.ncontexts, 4);
	parse_ok(&(struct mopts){.no_plic = true});
	cr_assert_null(plat.intc.ops, "no PLIC node: no interrupt controller");
}

Test(platform, goldfish_rtc)
{
	parse_ok(&(struct mopts){0});
	cr_assert_eq(plat.rtc.ops, &goldfish_rtc_ops);
	cr_assert_eq(plat.rtc.state.goldfish_rtc.base, RTC_BASE);
	parse_ok(&(struct mopts){.no_rtc = true});
	cr_assert_null(plat.rtc.ops, "no RTC node must leave no RTC");
	parse_ok(&(struct mopts){.rtc_disabled = true});
	cr_assert_null(plat.rtc.ops, "a disabled RTC is not used");
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

/* The port takes the ACLINT SSWI on the core's pass: each listed hart gets its SETSSIP register by
 * its place in interrupts-extended (cpu@2 is disabled, so the third hart listed is the fourth
 * named), and kicks go through SBI (0) where there is none or it is malformed. */
Test(platform, sswi_register_per_hart)
{
	parse_ok(&(struct mopts){.sswi = true});
	cr_assert_eq(plat.ncpus, 3);
	cr_assert_eq(plat.cpus[0].arch.sswi, SSWI_BASE);
	cr_assert_eq(plat.cpus[1].arch.sswi, SSWI_BASE + 4);
	cr_assert_eq(plat.cpus[2].arch.sswi, SSWI_BASE + 12);
}

Test(platform, no_sswi_kicks_through_the_firmware)
{
	static const struct mopts bad[] = {
	    {0}, {.sswi = true, .sswi_odd = true}, {.sswi = true, .sswi_small = true}};

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		parse_ok(&bad[i]);
		for (unsigned c = 0; c < plat.ncpus; c++)
			cr_assert_eq(plat.cpus[c].arch.sswi, 0, "case %u cpu %u", i, c);
	}
}

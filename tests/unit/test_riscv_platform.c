/*
 * The RISC-V port's reading of the machine's /cpus (arch/riscv64/platform.c), called directly on
 * a QEMU virt-shaped tree (machine_fdt.c): hart ids, ISA strings and which harts can run guests.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "hv/arch.h"
#include "hv/config.h"
#include "machine_fdt.h"

static uint8_t blob[MACHINE_FDT_SIZE] __attribute__((aligned(8)));
static struct platform_cpu cpus[CONFIG_MAX_CPUS];
static uint64_t timebase;
static char err[200];

/* Returns how many harts the port listed. */
static unsigned parse_ok(const struct mopts *o)
{
	machine_fdt_build(blob, o);
	memset(cpus, 0, sizeof(cpus));
	memset(err, 0, sizeof(err));
	int n = arch_platform_cpus(blob, &(struct arch_platform){0}, cpus, CONFIG_MAX_CPUS,
				   &timebase, err, sizeof(err));
	cr_assert_gt(n, 0, "arch_platform_cpus: %s", err);
	return (unsigned)n;
}

static void parse_fails(const struct mopts *o, const char *want)
{
	machine_fdt_build(blob, o);
	memset(err, 0, sizeof(err));
	cr_assert_eq(arch_platform_cpus(blob, &(struct arch_platform){0}, cpus, CONFIG_MAX_CPUS,
					&timebase, err, sizeof(err)),
		     -1);
	cr_assert_not_null(strstr(err, want), "error \"%s\" does not mention \"%s\"", err, want);
}

Test(riscv_cpus, timebase)
{
	parse_ok(&(struct mopts){0});
	cr_assert_eq(timebase, TIMEBASE);
}

Test(riscv_cpus, timebase_two_cells)
{
	parse_ok(&(struct mopts){.timebase_64 = true});
	cr_assert_eq(timebase, TIMEBASE);
}

Test(riscv_cpus, harts_skip_disabled)
{
	cr_assert_eq(parse_ok(&(struct mopts){0}), 3);
	cr_assert_eq(cpus[0].hwid, 0);
	cr_assert_eq(cpus[1].hwid, 1);
	cr_assert_eq(cpus[2].hwid, 3);
	for (unsigned i = 0; i < 3; i++) {
		cr_assert_str_eq(cpus[i].arch.isa, "rv64imafdch_zicsr");
		cr_assert(cpus[i].can_run_guests);
	}
}

Test(riscv_cpus, harts_capped_at_max)
{
	/* 12 cpu nodes, one disabled: only as many as the caller has room for are kept. */
	cr_assert_eq(parse_ok(&(struct mopts){.ncpus = 12}), CONFIG_MAX_CPUS);
	cr_assert_eq(cpus[CONFIG_MAX_CPUS - 1].hwid, CONFIG_MAX_CPUS);
}

Test(riscv_cpus, has_h_isa_strings)
{
	/* Only the single-letter part counts: an 'h' in a multi-letter extension is not H. */
	const char *isas[] = {
	    "rv64imafdch", "rv64gch_zicsr", "rv64hc", "rv64imac_zihintpause", "rv64imafdc_h", "",
	    "rv32imach",   "RV64IMAFDCH"};
	const bool want[] = {1, 1, 1, 0, 0, 0, 0, 0};
	const unsigned n = sizeof(isas) / sizeof(isas[0]);

	cr_assert_eq(parse_ok(&(struct mopts){.ncpus = n, .isas = isas}), n);
	for (unsigned i = 0; i < n; i++) {
		cr_assert_eq(cpus[i].hwid, i);
		cr_assert_str_eq(cpus[i].arch.isa, isas[i]);
		cr_assert_eq(cpus[i].can_run_guests, want[i], "isa \"%s\"", isas[i]);
	}
}

Test(riscv_cpus, long_isa_is_cut)
{
	char isa[100];
	const char *isas[] = {isa};

	memset(isa, 'x', sizeof(isa));
	memcpy(isa, "rv64imafdch_", 12);
	isa[sizeof(isa) - 1] = '\0';
	parse_ok(&(struct mopts){.ncpus = 1, .isas = isas});
	cr_assert_eq(strlen(cpus[0].arch.isa), sizeof(cpus[0].arch.isa) - 1);
	cr_assert_eq(strncmp(cpus[0].arch.isa, isa, sizeof(cpus[0].arch.isa) - 1), 0);
	cr_assert(cpus[0].can_run_guests);
}

Test(riscv_cpus, errors)
{
	parse_fails(&(struct mopts){.no_cpus = true}, "/cpus");
	parse_fails(&(struct mopts){.no_timebase = true}, "timebase-frequency");
	parse_fails(&(struct mopts){.timebase_zero = true}, "timebase-frequency is 0");
	parse_fails(&(struct mopts){.all_disabled = true}, "no usable hart");
}

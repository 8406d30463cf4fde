/* libgoos: reading the device tree the hv hands vCPU 0, and the path from _start to main. */
#include <dt_scan.h>
#include <libfdt.h>

#include "libgoos.h"

/* Filled once on vCPU 0 before main (and before any other vCPU exists), read-only afterwards.
 * Strings point into the DT, which stays in place in the last 64 KiB of RAM. */
static struct {
	const void *fdt;
	const char *bootargs;
	const char *name;
	unsigned vcpus;
	unsigned watchdog_ms; /* 0: none */
	uint64_t ram_base, ram_size;
	uint64_t timebase;
	uintptr_t info; /* the info page's base */
	const void *seed;
	size_t seed_len;
	bool sstc;
} dt = {
    /* What the boot contract promises anyway, so a guest without a DT still gets by. */
    .bootargs = "",	      .name = "?",	    .vcpus = 1,
    .ram_base = 0x80000000UL, .timebase = 10000000, .sstc = true,
    .info = GOOS_INFO_BASE,
};

static uint64_t read_cells(const fdt32_t *p, int n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = (v << 32) | fdt32_to_cpu(*p++);
	return v;
}

static bool read_uint(const void *fdt, int node, const char *prop, uint64_t *out)
{
	int len;
	const fdt32_t *p = dt_getprop(fdt, node, prop, &len);

	if (!p || (len != 4 && len != 8))
		return false;
	*out = read_cells(p, len / 4);
	return true;
}

/* A string property, only if it really is NUL-terminated inside the blob. */
static const char *read_string(const void *fdt, int node, const char *prop)
{
	int len;
	const char *s = dt_getprop(fdt, node, prop, &len);

	if (!s || len < 1 || s[len - 1] != '\0')
		return NULL;
	return s;
}

static void parse_memory(const void *fdt)
{
	int node = dt_path(fdt, "/memory");
	int ac = fdt_address_cells(fdt, 0), sc = fdt_size_cells(fdt, 0);
	int len;

	if (node < 0)
		node = fdt_node_offset_by_prop_value(fdt, -1, "device_type", "memory", 7);
	if (node < 0 || ac < 1 || ac > 2 || sc < 0 || sc > 2)
		return;
	const fdt32_t *reg = dt_getprop(fdt, node, "reg", &len);
	if (!reg || len < (ac + sc) * 4)
		return;
	dt.ram_base = read_cells(reg, ac);
	dt.ram_size = read_cells(reg + ac, sc);
}

/* Sstc is assumed unless the DT lists the extensions and leaves it out: the boot contract says
 * the guest arms its own timer, and an older DT may simply not say. */
static bool cpu_has_sstc(const void *fdt, int cpu)
{
	int len;
	const char *exts = dt_getprop(fdt, cpu, "riscv,isa-extensions", &len);
	const char *isa;

	if (exts)
		return fdt_stringlist_contains(exts, len, "sstc");
	isa = read_string(fdt, cpu, "riscv,isa");
	if (!isa)
		return true;
	for (const char *p = isa; (p = strchr(p, '_')); p++) {
		if (!strncmp(p + 1, "sstc", 4) && (p[5] == '_' || p[5] == '\0'))
			return true;
	}
	return false;
}

static void parse_cpus(const void *fdt)
{
	int cpus = dt_path(fdt, "/cpus");
	unsigned n = 0;
	int node, first = -1;
	uint64_t tb;

	if (cpus < 0)
		return;
	dt_for_each_child(node, fdt, cpus)
	{
		const char *type = read_string(fdt, node, "device_type");
		const char *name = fdt_get_name(fdt, node, NULL);

		if ((type && !strcmp(type, "cpu")) || (name && !strncmp(name, "cpu@", 4))) {
			if (first < 0)
				first = node;
			n++;
		}
	}
	if (n)
		dt.vcpus = n;
	if (read_uint(fdt, cpus, "timebase-frequency", &tb) && tb)
		dt.timebase = tb;
	else if (first >= 0 && read_uint(fdt, first, "timebase-frequency", &tb) && tb)
		dt.timebase = tb;
	if (first >= 0)
		dt.sstc = cpu_has_sstc(fdt, first);
}

/* /goos/info@...: its reg, in /goos's cells. */
static void parse_info(const void *fdt, int goos)
{
	int node = dt_child(fdt, goos, GOOS_INFO_DT_NODE);
	int ac = fdt_address_cells(fdt, goos), len;
	const fdt32_t *reg = node >= 0 ? dt_getprop(fdt, node, "reg", &len) : NULL;

	if (reg && ac >= 1 && ac <= 2 && len >= ac * 4 &&
	    dt_node_check_compatible(fdt, node, GOOS_INFO_COMPATIBLE) == 0)
		dt.info = (uintptr_t)read_cells(reg, ac);
}

static void parse_dt(const void *fdt)
{
	int node;
	uint64_t v;
	const char *s;

	if (!fdt || fdt_check_header(fdt)) {
		printf("libgoos: no valid device tree at %p, using defaults\n", fdt);
		return;
	}
	dt.fdt = fdt;
	parse_memory(fdt);
	parse_cpus(fdt);

	node = dt_path(fdt, "/chosen");
	if (node >= 0) {
		int len;
		const void *seed = dt_getprop(fdt, node, "rng-seed", &len);

		if ((s = read_string(fdt, node, "bootargs")))
			dt.bootargs = s;
		if (seed && len > 0) {
			dt.seed = seed;
			dt.seed_len = (size_t)len;
		}
	}

	node = dt_path(fdt, "/" GOOS_DT_NODE);
	if (node >= 0 && dt_node_check_compatible(fdt, node, GOOS_DT_COMPATIBLE) == 0) {
		if ((s = read_string(fdt, node, "partition")))
			dt.name = s;
		/* /goos/vcpus is what the partition was given; /cpus is only the fallback. */
		if (read_uint(fdt, node, "vcpus", &v) && v)
			dt.vcpus = (unsigned)v;
		if (read_uint(fdt, node, GOOS_DT_WATCHDOG_MS, &v))
			dt.watchdog_ms = (unsigned)v;
		parse_info(fdt, node);
	}
}

void goos_main_entry(unsigned long vcpu, const void *dtb)
{
	goos_trap_init();
	parse_dt(dtb);
	goos_exit(main());
}

const void *goos_dtb(void)
{
	return dt.fdt;
}

const char *goos_bootargs(void)
{
	return dt.bootargs;
}

const char *goos_partition_name(void)
{
	return dt.name;
}

unsigned goos_vcpus(void)
{
	return dt.vcpus;
}

uint64_t goos_ram_base(void)
{
	return dt.ram_base;
}

uint64_t goos_ram_size(void)
{
	return dt.ram_size;
}

uint64_t goos_timebase(void)
{
	return dt.timebase;
}

bool goos_has_sstc(void)
{
	return dt.sstc;
}

const void *goos_rng_seed(size_t *len)
{
	if (len)
		*len = dt.seed_len;
	return dt.seed;
}

unsigned goos_watchdog_ms(void)
{
	return dt.watchdog_ms;
}

uintptr_t goos_info_base(void)
{
	return dt.info;
}

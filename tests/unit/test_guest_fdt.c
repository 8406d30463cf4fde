/*
 * The device tree hv/guest_fdt.c writes for a partition, read back with libfdt: a hand-built
 * partition with two vCPUs pinned to harts 1 and 2 of a three-hart machine. The /cpus node comes
 * from the RISC-V port (arch/riscv64/guest_fdt.c), linked into the unit tests.
 */
#include <criterion/criterion.h>
#include <goos.h>
#include <libfdt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arch/host/host.h"
#include "hv/guest_fdt.h"
#include "hv/hv.h"
#include "hv/info_page.h"

#define RAM_SIZE (4UL << 20)
#define BUF_SIZE (64UL << 10)
#define DT_GPA	 (GUEST_RAM_BASE + RAM_SIZE - GUEST_DT_RESERVE)

static struct partition_config cfg = {
    .name = "fdtpart",
    .cpus = {1, 2},
    .ncpus = 2,
    .memory_size = RAM_SIZE,
    .image = "fdtpart.elf",
    .bootargs = "console=hvc0 quiet goos.debug=1",
    .restart = RESTART_ON_FAILURE,
};
static struct partition part;
static struct partition *p = &part;
static struct vcpu part_vcpus[CONFIG_MAX_VCPUS];
static uint8_t buf[BUF_SIZE] __attribute__((aligned(8)));

static void setup(void)
{
	memset(p, 0, sizeof(*p));
	memset(part_vcpus, 0, sizeof(part_vcpus));
	p->vcpus = part_vcpus;
	memset(buf, 0, sizeof(buf));
	p->cfg = &cfg;
	p->ram_gpa = GUEST_RAM_BASE;
	p->ram_size = RAM_SIZE;
	p->state = PART_RUNNING;
	p->nvcpus = 2;
	for (unsigned i = 0; i < 2; i++) {
		struct vcpu *v = &p->vcpus[i];
		v->part = p;
		v->id = i;
		v->cpu = &hv.cpus[i + 1];
		v->cpu->hwid = i + 1;
	}
	host_this_cpu = &hv.cpus[1];
	hv.plat.timebase_hz = 10000000;
	hv.has_realtime = false;
	hv.plat.ncpus = 3;
	for (unsigned i = 0; i < 3; i++) {
		hv.plat.cpus[i].hwid = i;
		hv.plat.cpus[i].can_run_guests = true;
		strcpy(hv.plat.cpus[i].arch.isa, "rv64imafdch_zicsr_sstc");
	}
	drbg_seed(&p->rng, "guest fdt test", 14);
}

TestSuite(guest_fdt, .init = setup);

static void build(void *out)
{
	int err = guest_fdt_build(p, out, BUF_SIZE, DT_GPA);
	cr_assert_eq(err, 0, "guest_fdt_build: %d (%s)", err, fdt_strerror(err));
	cr_assert_eq(fdt_check_header(out), 0);
	cr_assert_leq(fdt_totalsize(out), BUF_SIZE);
}

static int node(const char *path)
{
	int off = fdt_path_offset(buf, path);
	cr_assert_geq(off, 0, "no node %s: %s", path, fdt_strerror(off));
	return off;
}

static const char *str_prop(const char *path, const char *name)
{
	int len;
	const char *s = fdt_getprop(buf, node(path), name, &len);

	cr_assert_not_null(s, "%s has no %s", path, name);
	cr_assert_gt(len, 0);
	cr_assert_eq(s[len - 1], '\0', "%s/%s is not a string", path, name);
	cr_assert_eq(strlen(s) + 1, (size_t)len, "%s/%s holds more than one string", path, name);
	return s;
}

static uint32_t u32_prop(const char *path, const char *name)
{
	int len;
	const fdt32_t *v = fdt_getprop(buf, node(path), name, &len);

	cr_assert_not_null(v, "%s has no %s", path, name);
	cr_assert_eq(len, 4, "%s/%s is %d bytes", path, name, len);
	return fdt32_to_cpu(*v);
}

Test(guest_fdt, header_ok)
{
	build(buf);
	cr_assert_eq(fdt_magic(buf), FDT_MAGIC);
	cr_assert_eq(u32_prop("/", "#address-cells"), 2);
	cr_assert_eq(u32_prop("/", "#size-cells"), 2);
	cr_assert_str_eq(str_prop("/", "model"), "gohv partition fdtpart");
}

Test(guest_fdt, bootargs)
{
	build(buf);
	cr_assert_str_eq(str_prop("/chosen", "bootargs"), cfg.bootargs);
}

Test(guest_fdt, bootargs_empty)
{
	static struct partition_config c2;

	c2 = cfg;
	c2.bootargs[0] = '\0';
	p->cfg = &c2;
	build(buf);
	cr_assert_str_eq(str_prop("/chosen", "bootargs"), "");
}

Test(guest_fdt, rng_seed_fresh)
{
	static uint8_t buf2[BUF_SIZE] __attribute__((aligned(8)));
	int len, len2;

	build(buf);
	build(buf2);
	const uint8_t *s = fdt_getprop(buf, node("/chosen"), "rng-seed", &len);
	const uint8_t *s2 = fdt_getprop(buf2, fdt_path_offset(buf2, "/chosen"), "rng-seed", &len2);
	cr_assert_not_null(s);
	cr_assert_not_null(s2);
	cr_assert_eq(len, 32);
	cr_assert_eq(len2, 32);
	bool zero = true;
	for (int i = 0; i < len; i++)
		zero = zero && s[i] == 0;
	cr_assert_not(zero, "rng-seed is all zero");
	cr_assert_neq(memcmp(s, s2, 32), 0, "two builds gave the same rng-seed");
}

Test(guest_fdt, unseeded_drbg_is_an_error)
{
	drbg_wipe(&p->rng);
	cr_assert_lt(guest_fdt_build(p, buf, BUF_SIZE, DT_GPA), 0);
}

Test(guest_fdt, cpus)
{
	build(buf);
	cr_assert_eq(u32_prop("/cpus", "timebase-frequency"), 10000000);
	cr_assert_eq(u32_prop("/cpus", "#address-cells"), 1);
	cr_assert_eq(u32_prop("/cpus", "#size-cells"), 0);

	const char *paths[] = {"/cpus/cpu@0", "/cpus/cpu@1"};
	for (unsigned i = 0; i < 2; i++) {
		cr_assert_eq(u32_prop(paths[i], "reg"), i);
		cr_assert_str_eq(str_prop(paths[i], "device_type"), "cpu");
		cr_assert_str_eq(str_prop(paths[i], "riscv,isa"), "rv64imafdc_zicsr_sstc");
		cr_assert_str_eq(str_prop(paths[i], "status"), "okay");
		cr_assert_str_eq(str_prop(paths[i], "mmu-type"), "riscv,sv39");
	}
	cr_assert_lt(fdt_path_offset(buf, "/cpus/cpu@2"), 0);

	/* Exactly two cpu nodes. */
	int n = 0, sub;
	fdt_for_each_subnode(sub, buf, node("/cpus")) n++;
	cr_assert_eq(n, 2);
}

Test(guest_fdt, cpu_intc_phandles_distinct)
{
	build(buf);
	uint32_t a = u32_prop("/cpus/cpu@0/interrupt-controller", "phandle");
	uint32_t b = u32_prop("/cpus/cpu@1/interrupt-controller", "phandle");
	cr_assert_neq(a, 0);
	cr_assert_neq(b, 0);
	cr_assert_neq(a, b);
	cr_assert_str_eq(str_prop("/cpus/cpu@0/interrupt-controller", "compatible"),
			 "riscv,cpu-intc");
}

Test(guest_fdt, isa_per_hart)
{
	/* Each vCPU gets its own hart's ISA, minus the H only in the single-letter part. */
	strcpy(hv.plat.cpus[1].arch.isa, "rv64gch_zihintpause");
	strcpy(hv.plat.cpus[2].arch.isa, "rv64imafdhc");
	build(buf);
	cr_assert_str_eq(str_prop("/cpus/cpu@0", "riscv,isa"), "rv64gc_zihintpause");
	cr_assert_str_eq(str_prop("/cpus/cpu@1", "riscv,isa"), "rv64imafdc");
}

Test(guest_fdt, memory)
{
	int len;

	build(buf);
	cr_assert_str_eq(str_prop("/memory@80000000", "device_type"), "memory");
	const fdt64_t *reg = fdt_getprop(buf, node("/memory@80000000"), "reg", &len);
	cr_assert_not_null(reg);
	cr_assert_eq(len, 16);
	/* fdt64_ld: a property is only 4-byte aligned in the blob. */
	cr_assert_eq(fdt64_ld(&reg[0]), 0x80000000UL);
	cr_assert_eq(fdt64_ld(&reg[1]), RAM_SIZE);
}

Test(guest_fdt, goos_node)
{
	build(buf);
	cr_assert_eq(fdt_node_check_compatible(buf, node("/goos"), "gohv,goos-v1"), 0);
	cr_assert_str_eq(str_prop("/goos", "compatible"), GOOS_DT_COMPATIBLE);
	cr_assert_eq(u32_prop("/goos", "version"), 3);
	cr_assert_str_eq(str_prop("/goos", "partition"), "fdtpart");
	cr_assert_eq(u32_prop("/goos", "vcpus"), 2);
	cr_assert_eq(u32_prop("/goos", "sbi-extension"), 0x0A474F53);
	cr_assert_str_eq(str_prop("/goos", "restart"), "on-failure");
	cr_assert_null(fdt_getprop(buf, node("/goos"), GOOS_DT_WATCHDOG_MS, NULL),
		       "no watchdog, no period");
}

Test(guest_fdt, watchdog_period_for_a_partition_with_one)
{
	static struct partition_config cw;

	cw = cfg;
	cw.watchdog_ms = 250;
	p->cfg = &cw;
	build(buf);
	cr_assert_eq(u32_prop("/goos", GOOS_DT_WATCHDOG_MS), 250);
}

Test(guest_fdt, info_page_node_names_its_page)
{
	int len;

	cr_assert_eq(info_page_attach(p), HV_OK);
	build(buf);
	/* /goos is its bus: the root's cells, mapped one to one. */
	cr_assert_eq(u32_prop("/goos", "#address-cells"), 2);
	cr_assert_eq(u32_prop("/goos", "#size-cells"), 2);
	cr_assert_not_null(fdt_getprop(buf, node("/goos"), "ranges", &len));
	cr_assert_eq(len, 0);
	cr_assert_str_eq(str_prop("/goos/info@200000", "compatible"), GOOS_INFO_COMPATIBLE);
	const fdt64_t *reg = fdt_getprop(buf, node("/goos/info@200000"), "reg", &len);
	cr_assert_not_null(reg);
	cr_assert_eq(len, 16);
	cr_assert_eq(fdt64_to_cpu(reg[0]), GOOS_INFO_BASE);
	cr_assert_eq(fdt64_to_cpu(reg[1]), GOOS_INFO_SIZE);
	/* What a guest's lookup by name without the unit address finds. */
	cr_assert_geq(fdt_subnode_offset(buf, node("/goos"), GOOS_INFO_DT_NODE), 0);
}

Test(guest_fdt, no_info_page_no_node)
{
	build(buf);
	cr_assert_lt(fdt_subnode_offset(buf, node("/goos"), GOOS_INFO_DT_NODE), 0);
	cr_assert_null(fdt_getprop(buf, node("/goos"), "#address-cells", NULL));
}

Test(guest_fdt, memreserve_covers_itself)
{
	uint64_t addr, size;

	build(buf);
	cr_assert_eq(fdt_num_mem_rsv(buf), 1);
	cr_assert_eq(fdt_get_mem_rsv(buf, 0, &addr, &size), 0);
	cr_assert_eq(addr, DT_GPA);
	cr_assert_eq(size, BUF_SIZE);
}

Test(guest_fdt, buffer_too_small)
{
	/* From a few bytes (not even a header) to nearly enough: an error, never a write past. */
	static uint8_t small[8192 + 64] __attribute__((aligned(8)));
	const size_t sizes[] = {0, 8, 40, 64, 128, 256, 512, 1024};

	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		memset(small, 0xee, sizeof(small));
		int err = guest_fdt_build(p, small, sizes[i], DT_GPA);
		cr_assert_lt(err, 0, "size %zu: %d", sizes[i], err);
		cr_assert(err == -FDT_ERR_NOSPACE, "size %zu: %s", sizes[i], fdt_strerror(err));
		for (size_t j = sizes[i]; j < sizeof(small); j++)
			cr_assert_eq(small[j], 0xee, "size %zu: byte %zu written", sizes[i], j);
	}
}

Test(guest_fdt, fits_exactly)
{
	/* Whatever size the tree needs also works as the buffer size. */
	build(buf);
	size_t need = fdt_totalsize(buf);
	static uint8_t exact[BUF_SIZE] __attribute__((aligned(8)));
	int err = guest_fdt_build(p, exact, need, DT_GPA);
	cr_assert_eq(err, 0, "size %zu: %s", need, fdt_strerror(err));
	cr_assert_eq(fdt_check_header(exact), 0);
}

Test(guest_fdt, isa_fallback_for_unlisted_hart)
{
	/* The machine tree said nothing about the vCPUs' harts: a plain rv64imafdc. */
	hv.plat.ncpus = 1;
	build(buf);
	cr_assert_str_eq(str_prop("/cpus/cpu@0", "riscv,isa"), "rv64imafdc");
	cr_assert_str_eq(str_prop("/cpus/cpu@1", "riscv,isa"), "rv64imafdc");
}

Test(guest_fdt, single_vcpu)
{
	static struct partition_config c1;

	c1 = cfg;
	c1.ncpus = 1;
	p->cfg = &c1;
	p->nvcpus = 1;
	build(buf);
	cr_assert_eq(u32_prop("/goos", "vcpus"), 1);
	cr_assert_lt(fdt_path_offset(buf, "/cpus/cpu@1"), 0);
	cr_assert_eq(u32_prop("/cpus/cpu@0", "reg"), 0);
}

Test(guest_fdt, hypervisor_only_extensions_are_not_offered)
{
	strcpy(hv.plat.cpus[1].arch.isa, "rv64imafdch_zicsr_shcounterenw_sstc_shvstvala");
	build(buf);
	cr_assert_str_eq(fdt_getprop(buf, node("/cpus/cpu@0"), "riscv,isa", NULL),
			 "rv64imafdc_zicsr_sstc");
}

static uint64_t u64_prop(const char *path, const char *name)
{
	int len;
	const fdt64_t *v = fdt_getprop(buf, node(path), name, &len);

	cr_assert_not_null(v, "%s has no %s", path, name);
	cr_assert_eq(len, 8, "%s/%s is %d bytes", path, name, len);
	return fdt64_ld(v); /* a property is only 4-byte aligned in the blob */
}

Test(guest_fdt, no_initrd_no_initrd_props)
{
	build(buf);
	cr_assert_null(fdt_getprop(buf, node("/chosen"), "linux,initrd-start", NULL));
	cr_assert_null(fdt_getprop(buf, node("/chosen"), "linux,initrd-end", NULL));
}

Test(guest_fdt, initrd_props_and_memreserve)
{
	const uint64_t size = 12345, start = (DT_GPA - size) & ~0xfffUL;
	uint64_t addr, rsize;
	bool found = false;

	p->initrd_size = size;
	p->initrd_gpa = start;
	build(buf);
	cr_assert_eq(u64_prop("/chosen", "linux,initrd-start"), start);
	cr_assert_eq(u64_prop("/chosen", "linux,initrd-end"), start + size);
	cr_assert_eq(fdt_num_mem_rsv(buf), 2);
	for (int i = 0; i < fdt_num_mem_rsv(buf); i++) {
		cr_assert_eq(fdt_get_mem_rsv(buf, i, &addr, &rsize), 0);
		if (addr == start) {
			cr_assert_eq(rsize, size);
			found = true;
		}
	}
	cr_assert(found, "no memreserve entry for the initrd");
}

Test(guest_fdt, realtime_offset)
{
	build(buf);
	cr_assert_null(fdt_getprop(buf, node("/chosen"), "gohv,realtime-ns", NULL),
		       "no RTC: no realtime property");
	hv.has_realtime = true;
	hv.realtime_offset_ns = 1700000000123456789LL;
	build(buf);
	cr_assert_eq(u64_prop("/chosen", "gohv,realtime-ns"), 1700000000123456789ULL);
	/* An offset below zero (time CSR ahead of the wall clock) round-trips as two's complement.
	 */
	hv.realtime_offset_ns = -5;
	build(buf);
	cr_assert_eq((int64_t)u64_prop("/chosen", "gohv,realtime-ns"), -5);
}

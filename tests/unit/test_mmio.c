/*
 * Emulated MMIO in the core (hv/mmio.c): registering regions, finding them, and mmio_dispatch
 * with a fake model that records what it is asked; then the info page model (hv/info_page.c)
 * through the same dispatch. A hand-built partition of two vCPUs on CPUs 0 and 1 (no RAM behind
 * it: nothing here touches guest memory); the console is captured for the fault lines.
 */
#include <criterion/criterion.h>
#include <goos.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "arch/host/host.h"
#include "hv/hv.h"
#include "hv/info_page.h"
#include "hv/mmio.h"

#define RAM_SIZE (1UL << 20)
#define PC	 0x80001234UL

static struct {
	char text[4096];
	size_t len;
} out;

static void sink(void *ctx, const char *s, size_t n)
{
	cr_assert_lt(out.len + n, sizeof(out.text));
	memcpy(out.text + out.len, s, n);
	out.len += n;
	out.text[out.len] = '\0';
}

static struct partition_config cfg = {
    .name = "test",
    .cpus = {0, 1},
    .ncpus = 2,
    .weight = 1,
    .memory_size = RAM_SIZE,
    .image = "test.elf",
    .bootargs = "",
    .restart = RESTART_NEVER,
};
static struct partition part;
static struct partition *p = &part;
static struct vcpu part_vcpus[CONFIG_MAX_VCPUS];

static void setup(void)
{
	memset(&out, 0, sizeof(out));
	memset(&host, 0, sizeof(host));
	memset(p, 0, sizeof(*p));
	memset(part_vcpus, 0, sizeof(part_vcpus));
	p->vcpus = part_vcpus;
	memset(hv.cpus, 0, sizeof(hv.cpus));
	p->cfg = &cfg;
	p->index = 3;
	p->ram_gpa = GUEST_RAM_BASE;
	p->ram_size = RAM_SIZE;
	p->state = PART_RUNNING;
	p->nvcpus = 2;
	p->running = 2;
	p->restarts = 5;
	for (unsigned i = 0; i < 2; i++) {
		struct vcpu *w = &p->vcpus[i];

		w->part = p;
		w->id = i;
		w->cpu = &hv.cpus[i];
		w->state = VCPU_RUNNING;
		w->wait_deadline = GOOS_NO_DEADLINE;
		w->slice = 1000;
		w->weight = 1;
		hv.cpus[i].hwid = i;
		hv.cpus[i].online = 1;
		arch_vcpu_init(w, &p->s2, false);
		sched_add(w->cpu, w);
	}
	p->vcpus[0].where = WHERE_CURRENT;
	hv.cpus[0].sched.current = &p->vcpus[0];
	host_this_cpu = &hv.cpus[0];
	hv.plat.timebase_hz = 10000000;
	console_init(&hv.console, sink, &out);
}

TestSuite(mmio, .init = setup);
TestSuite(info_page, .init = setup);

/* ---------------------------------------------------------------- a fake model */

static struct {
	unsigned reads, writes;
	void *ctx;
	struct vcpu *v;
	uint64_t off, value;
	unsigned width;
	enum hv_err err;
} fake;

static enum hv_err fake_read(void *ctx, struct vcpu *v, uint64_t off, unsigned width,
			     uint64_t *value)
{
	fake.reads++;
	fake.ctx = ctx;
	fake.v = v;
	fake.off = off;
	fake.width = width;
	/* More bits than asked for: the dispatch must cut them to the width. */
	*value = 0xf0e1d2c3b4a59687ULL;
	return fake.err;
}

static enum hv_err fake_write(void *ctx, struct vcpu *v, uint64_t off, unsigned width,
			      uint64_t value)
{
	fake.writes++;
	fake.ctx = ctx;
	fake.v = v;
	fake.off = off;
	fake.width = width;
	fake.value = value;
	return fake.err;
}

static const struct mmio_ops rw_ops = {.name = "fake", .read = fake_read, .write = fake_write};
static const struct mmio_ops ro_ops = {.name = "rom", .read = fake_read};
static int ctx_token;

static struct mmio_region region(uint64_t base, uint64_t size, const struct mmio_ops *ops)
{
	memset(&fake, 0, sizeof(fake));
	return (struct mmio_region){.base = base, .size = size, .ops = ops, .ctx = &ctx_token};
}

static struct mmio_access access(uint64_t gpa, unsigned width, bool write, uint64_t value)
{
	return (struct mmio_access){
	    .gpa = gpa, .width = width, .write = write, .value = value, .pc = PC};
}

/* The access was refused with exactly this fault line, and v's partition is stopping. */
static void refused(struct vcpu *v, struct mmio_access *a, const char *line)
{
	cr_assert_eq(mmio_dispatch(v, a), EXIT_FAULTED, "%s", line);
	cr_assert_str_eq(out.text, line);
	cr_assert_eq(v->part->state, PART_STOPPING);
	cr_assert(v->part->faulted);
}

/* ---------------------------------------------------------------- registration and lookup */

Test(mmio, regions_are_kept_in_address_order_and_found_by_every_byte)
{
	struct mmio_region hi = region(0x3000, 0x100, &rw_ops),
			   lo = region(0x1000, 0x1000, &ro_ops),
			   mid = region(0x2000, 0x10, &rw_ops);

	cr_assert_eq(mmio_register(p, &hi), HV_OK);
	cr_assert_eq(mmio_register(p, &lo), HV_OK);
	cr_assert_eq(mmio_register(p, &mid), HV_OK);
	cr_assert_eq(p->mmio, &lo);
	cr_assert_eq(lo.next, &mid);
	cr_assert_eq(mid.next, &hi);
	cr_assert_null(hi.next);
	cr_assert_null(mmio_find(p, 0x0fff));
	cr_assert_eq(mmio_find(p, 0x1000), &lo);
	cr_assert_eq(mmio_find(p, 0x1fff), &lo);
	cr_assert_eq(mmio_find(p, 0x2000), &mid);
	cr_assert_eq(mmio_find(p, 0x200f), &mid);
	cr_assert_null(mmio_find(p, 0x2010));
	cr_assert_eq(mmio_find(p, 0x30ff), &hi);
	cr_assert_null(mmio_find(p, 0x3100));
	cr_assert_null(mmio_find(p, GUEST_RAM_BASE), "RAM is no region");
	cr_assert_null(mmio_find(p, ~0UL));
}

Test(mmio, register_refuses_ranges_that_cannot_be_regions)
{
	struct mmio_region ok = region(0x10000, 0x1000, &rw_ops);
	struct mmio_region bad[] = {
	    region(0x20000, 0, &rw_ops),			    /* empty */
	    region(~0UL - 0xfff, 0x2000, &rw_ops),		    /* wraps */
	    region(stage2_limit() - 0x1000, 0x2000, &rw_ops),	    /* past the table format */
	    region(GUEST_RAM_BASE - 0x10, 0x20, &rw_ops),	    /* into RAM */
	    region(GUEST_RAM_BASE + RAM_SIZE - 8, 0x1000, &rw_ops), /* RAM's last bytes */
	    region(0x10800, 0x1000, &rw_ops),			    /* over ok */
	    region(0xf000, 0x1001, &rw_ops),			    /* over ok's first byte */
	    region(0x30000, 0x1000, NULL),			    /* no ops */
	};
	static const struct mmio_ops no_read = {.name = "wo", .write = fake_write};

	cr_assert_eq(mmio_register(p, &ok), HV_OK);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(mmio_register(p, &bad[i]), HV_ERR_INVALID_ADDR, "region %zu", i);
	struct mmio_region wo = region(0x40000, 0x1000, &no_read);
	cr_assert_eq(mmio_register(p, &wo), HV_ERR_INVALID_ADDR, "a model must read");
	struct mmio_region edge = region(0xf000, 0x1000, &rw_ops),
			   after = region(0x11000, 8, &rw_ops);
	cr_assert_eq(mmio_register(p, &edge), HV_OK, "touching is not overlapping");
	cr_assert_eq(mmio_register(p, &after), HV_OK);
	struct mmio_region below_ram = region(GUEST_RAM_BASE - 0x1000, 0x1000, &rw_ops);
	cr_assert_eq(mmio_register(p, &below_ram), HV_OK);
	cr_assert_eq(p->mmio, &edge);
}

/* ---------------------------------------------------------------- dispatch */

Test(mmio, a_read_reaches_the_model_with_offset_width_and_vcpu)
{
	struct mmio_region r = region(0x10000, 0x1000, &rw_ops);
	struct vcpu *v1 = &p->vcpus[1];
	static const unsigned widths[] = {1, 2, 4, 8};
	static const uint64_t want[] = {0x87, 0x9687, 0xb4a59687, 0xf0e1d2c3b4a59687ULL};

	cr_assert_eq(mmio_register(p, &r), HV_OK);
	for (unsigned i = 0; i < 4; i++) {
		struct mmio_access a = access(0x10010, widths[i], false, 0x5555);

		cr_assert_eq(mmio_dispatch(v1, &a), EXIT_RESUME);
		cr_assert_eq(fake.ctx, &ctx_token);
		cr_assert_eq(fake.v, v1);
		cr_assert_eq(fake.off, 0x10);
		cr_assert_eq(fake.width, widths[i]);
		cr_assert_eq(a.value, want[i], "width %u: 0x%lx", widths[i],
			     (unsigned long)a.value);
	}
	cr_assert_eq(fake.reads, 4);
	cr_assert_eq(fake.writes, 0);
	cr_assert_eq(out.len, 0, "a served access prints nothing");
	cr_assert_eq(p->state, PART_RUNNING);
}

Test(mmio, a_write_reaches_the_model_with_the_value_cut_to_its_width)
{
	struct mmio_region r = region(0x10000, 0x1000, &rw_ops);
	struct mmio_access a = access(0x10ffe, 2, true, 0x123456789abcdef0ULL);

	cr_assert_eq(mmio_register(p, &r), HV_OK);
	cr_assert_eq(mmio_dispatch(&p->vcpus[0], &a), EXIT_RESUME);
	cr_assert_eq(fake.writes, 1);
	cr_assert_eq(fake.off, 0xffe);
	cr_assert_eq(fake.width, 2);
	cr_assert_eq(fake.value, 0xdef0);
	cr_assert_eq(fake.reads, 0);
}

Test(mmio, a_write_to_a_read_only_region_is_a_fault_report)
{
	struct mmio_region r = region(0x10000, 0x1000, &ro_ops);
	struct mmio_access a = access(0x10008, 4, true, 1);

	cr_assert_eq(mmio_register(p, &r), HV_OK);
	refused(&p->vcpus[0], &a,
		"gohv: fault: partition test vcpu 0: 4-byte store to rom refused: read-only at pc "
		"0x80001234 addr 0x10008\n");
	cr_assert_eq(fake.reads + fake.writes, 0, "the model never saw it");
}

Test(mmio, a_refusal_by_the_model_says_why)
{
	static const struct {
		enum hv_err err;
		const char *why;
	} cases[] = {
	    {HV_ERR_INVALID_ADDR, "misaligned"},
	    {HV_ERR_INVALID_PARAM, "no such register or width"},
	    {HV_ERR_DENIED, "not allowed"},
	    {HV_ERR_FAILED, "failed"},
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char want[256];

		setup();
		struct mmio_region r = region(0x10000, 0x1000, &rw_ops);
		struct mmio_access a = access(0x10003, 2, i % 2, 7);

		cr_assert_eq(mmio_register(p, &r), HV_OK);
		fake.err = cases[i].err;
		snprintf(want, sizeof(want),
			 "gohv: fault: partition test vcpu 1: 2-byte %s fake refused: %s at pc "
			 "0x80001234 addr 0x10003\n",
			 i % 2 ? "store to" : "load from", cases[i].why);
		refused(&p->vcpus[1], &a, want);
	}
}

Test(mmio, an_access_crossing_the_region_end_is_refused)
{
	struct mmio_region r = region(0x10000, 0x1000, &rw_ops);
	struct mmio_access a = access(0x10ffc, 8, false, 0);

	cr_assert_eq(mmio_register(p, &r), HV_OK);
	refused(&p->vcpus[0], &a,
		"gohv: fault: partition test vcpu 0: 8-byte load from fake refused: crosses the "
		"region's end at pc 0x80001234 addr 0x10ffc\n");
	cr_assert_eq(fake.reads, 0);
}

Test(mmio, an_odd_width_is_refused)
{
	struct mmio_region r = region(0x10000, 0x1000, &rw_ops);
	struct mmio_access a = access(0x10000, 3, false, 0);

	cr_assert_eq(mmio_register(p, &r), HV_OK);
	refused(&p->vcpus[0], &a,
		"gohv: fault: partition test vcpu 0: 3-byte load from fake refused: unsupported "
		"width at pc 0x80001234 addr 0x10000\n");
}

Test(mmio, an_access_outside_every_region_stays_a_fault)
{
	struct mmio_region r = region(0x10000, 0x1000, &rw_ops);
	struct mmio_access a = access(0x11000, 4, true, 0);

	cr_assert_eq(mmio_register(p, &r), HV_OK);
	refused(&p->vcpus[0], &a,
		"gohv: fault: partition test vcpu 0: store outside partition memory at pc "
		"0x80001234 addr 0x11000\n");
	cr_assert_eq(fake.reads + fake.writes, 0);
}

/* ---------------------------------------------------------------- the info page */

/* One read of the info page through the dispatch, as vCPU id. */
static uint64_t info(unsigned id, uint64_t off, unsigned width)
{
	struct mmio_access a = access(GOOS_INFO_BASE + off, width, false, 0xbad);

	cr_assert_eq(mmio_dispatch(&p->vcpus[id], &a), EXIT_RESUME, "read 0x%lx/%u: %s",
		     (unsigned long)off, width, out.text);
	return a.value;
}

Test(info_page, is_one_read_only_page_below_ram)
{
	cr_assert_eq(info_page_attach(p), HV_OK);
	const struct mmio_region *r = mmio_find(p, GOOS_INFO_BASE);
	cr_assert_not_null(r);
	cr_assert_eq(r->base, GOOS_INFO_BASE);
	cr_assert_eq(r->size, GOOS_INFO_SIZE);
	cr_assert_eq(mmio_find(p, GOOS_INFO_BASE + GOOS_INFO_SIZE - 1), r);
	cr_assert_null(mmio_find(p, GOOS_INFO_BASE + GOOS_INFO_SIZE));
	cr_assert_null(mmio_find(p, GOOS_INFO_BASE - 1));
	cr_assert_lt(GOOS_INFO_BASE + GOOS_INFO_SIZE, GUEST_RAM_BASE);
	cr_assert_null(r->ops->write);
}

Test(info_page, registers_hold_the_partitions_facts)
{
	cr_assert_eq(info_page_attach(p), HV_OK);
	cr_assert_eq(info(0, GOOS_INFO_MAGIC, 8), GOOS_INFO_MAGIC_VALUE);
	cr_assert_eq(memcmp(&(uint64_t){GOOS_INFO_MAGIC_VALUE}, "goosinfo", 8), 0);
	cr_assert_eq(info(0, GOOS_INFO_VERSION, 4), 1);
	cr_assert_eq(info(0, GOOS_INFO_PARTITION, 4), 3);
	cr_assert_eq(info(0, GOOS_INFO_VCPUS, 4), 2);
	cr_assert_eq(info(0, GOOS_INFO_VCPU_ID, 4), 0);
	cr_assert_eq(info(1, GOOS_INFO_VCPU_ID, 4), 1, "each vCPU reads its own id");
	cr_assert_eq(info(0, GOOS_INFO_RESTARTS, 4), 5);
	cr_assert_eq(info(0, GOOS_INFO_RAM_BASE, 8), GUEST_RAM_BASE);
	cr_assert_eq(info(0, GOOS_INFO_RAM_SIZE, 8), RAM_SIZE);
	cr_assert_eq(info(0, GOOS_INFO_TIMEBASE, 8), 10000000);
	p->restarts = 6;
	cr_assert_eq(info(0, GOOS_INFO_RESTARTS, 4), 6, "read live, not copied at attach");
	cr_assert_eq(out.len, 0);
}

Test(info_page, every_width_reads_the_same_little_endian_bytes)
{
	static const char magic[] = "goosinfo";

	cr_assert_eq(info_page_attach(p), HV_OK);
	for (unsigned off = 0; off < GOOS_INFO_END; off++) {
		uint64_t word = info(1, off & ~7u, 8);

		cr_assert_eq(info(1, off, 1), (word >> (off & 7) * 8) & 0xff, "byte 0x%x", off);
		if (off % 2 == 0)
			cr_assert_eq(info(1, off, 2), (word >> (off & 7) * 8) & 0xffff);
		if (off % 4 == 0)
			cr_assert_eq(info(1, off, 4), (word >> (off & 7) * 8) & 0xffffffff);
		if (off < 8)
			cr_assert_eq(info(1, off, 1), (uint8_t)magic[off]);
	}
	cr_assert_eq(info(1, GOOS_INFO_VCPUS, 8), 2 | 1ULL << 32, "vcpus, then vcpu id");
	cr_assert_eq(info(0, GOOS_INFO_VERSION, 8), 1 | 3ULL << 32, "version, then partition");
}

Test(info_page, reserved_offsets_read_zero)
{
	cr_assert_eq(info_page_attach(p), HV_OK);
	cr_assert_eq(info(0, 0x1c, 4), 0);
	cr_assert_eq(info(0, GOOS_INFO_END, 8), 0);
	cr_assert_eq(info(0, 0x800, 2), 0);
	cr_assert_eq(info(0, GOOS_INFO_SIZE - 8, 8), 0);
	cr_assert_eq(info(0, GOOS_INFO_SIZE - 1, 1), 0);
}

Test(info_page, a_misaligned_read_is_refused)
{
	struct mmio_access a = access(GOOS_INFO_BASE + GOOS_INFO_VERSION + 2, 4, false, 0);

	cr_assert_eq(info_page_attach(p), HV_OK);
	refused(&p->vcpus[0], &a,
		"gohv: fault: partition test vcpu 0: 4-byte load from info page refused: "
		"misaligned at pc 0x80001234 addr 0x20000a\n");
}

Test(info_page, writes_are_refused)
{
	struct mmio_access a = access(GOOS_INFO_BASE + GOOS_INFO_RESTARTS, 4, true, 0);

	cr_assert_eq(info_page_attach(p), HV_OK);
	refused(&p->vcpus[1], &a,
		"gohv: fault: partition test vcpu 1: 4-byte store to info page refused: read-only "
		"at pc 0x80001234 addr 0x200018\n");
	cr_assert_eq(p->restarts, 5);
}

Test(info_page, the_last_bytes_of_the_page_and_no_further)
{
	struct mmio_access a = access(GOOS_INFO_BASE + GOOS_INFO_SIZE - 4, 8, false, 0);

	cr_assert_eq(info_page_attach(p), HV_OK);
	cr_assert_eq(info(0, GOOS_INFO_SIZE - 4, 4), 0);
	refused(&p->vcpus[0], &a,
		"gohv: fault: partition test vcpu 0: 8-byte load from info page refused: crosses "
		"the region's end at pc 0x80001234 addr 0x200ffc\n");
}

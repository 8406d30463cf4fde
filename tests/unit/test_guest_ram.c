/*
 * Partition RAM present on first touch (hv/guest_ram.c), on the partition of guest_part.h: nothing
 * mapped or zeroed until the guest, the hv or a device touches a chunk; then exactly that chunk,
 * zeroed; a stop scrubs only what was present.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "arch/host/host.h"
#include "hv/hv.h"

#include "guest_part.h"

#define CHUNK GUEST_RAM_CHUNK

static struct partition *p = &gp_part;
static struct vcpu *v;

static void setup(void)
{
	v = gp_setup();
	/* What the firmware or the last owner left. */
	memset(p->ram, 0xa5, GP_RAM_SIZE);
}

TestSuite(guest_ram, .init = setup, .fini = gp_teardown);

static bool mapped(uint64_t gpa)
{
	uint64_t hpa;
	unsigned perm;

	if (stage2_translate(&p->s2, gpa, &hpa, &perm))
		return false;
	cr_assert_eq(hpa, arch_va_to_pa(p->ram + (gpa - GUEST_RAM_BASE)), "gpa 0x%lx", gpa);
	cr_assert_eq(perm, S2_RWX);
	return true;
}

/* Every byte of chunk i is b (as the hv sees it, not making it present). */
static void chunk_is(unsigned i, uint8_t b)
{
	for (uint64_t o = 0; o < CHUNK; o++)
		cr_assert_eq(p->ram[i * CHUNK + o], b, "chunk %u byte 0x%lx: 0x%02x", i, o,
			     p->ram[i * CHUNK + o]);
}

Test(guest_ram, nothing_is_mapped_or_zeroed_before_a_touch)
{
	for (uint64_t gpa = GUEST_RAM_BASE; gpa < GP_RAM_END; gpa += PAGE_SIZE)
		cr_assert_not(mapped(gpa), "gpa 0x%lx mapped before any touch", gpa);
	chunk_is(0, 0xa5);
	chunk_is(GP_RAM_SIZE / CHUNK - 1, 0xa5);
}

Test(guest_ram, a_guest_fault_maps_and_zeroes_exactly_its_chunk)
{
	enum vcpu_exit e = EXIT_FAULTED;
	uint64_t gpa = GUEST_RAM_BASE + 3 * CHUNK + 0x1234;
	unsigned fences = host.s2_fences;

	cr_assert(guest_ram_fault(v, gpa, 0x80000000, false, &e));
	cr_assert_eq(e, EXIT_RESUME);
	cr_assert_eq(host.s2_fences, fences + 1, "this CPU may hold the miss: fenced");
	for (uint64_t o = 0; o < CHUNK; o += PAGE_SIZE)
		cr_assert(mapped(GUEST_RAM_BASE + 3 * CHUNK + o));
	cr_assert_not(mapped(GUEST_RAM_BASE + 3 * CHUNK - PAGE_SIZE));
	cr_assert_not(mapped(GUEST_RAM_BASE + 4 * CHUNK));
	chunk_is(3, 0);
	chunk_is(2, 0xa5);
	chunk_is(4, 0xa5);

	/* Another CPU's fault on it once present: the data stays, that CPU refetches. */
	p->ram[3 * CHUNK] = 0x42;
	cr_assert(guest_ram_fault(v, gpa, 0x80000000, false, &e));
	cr_assert_eq(e, EXIT_RESUME);
	cr_assert_eq(p->ram[3 * CHUNK], 0x42, "a present chunk is never zeroed again");
	cr_assert_eq(host.s2_fences, fences + 2);
}

Test(guest_ram, a_fault_outside_ram_is_left_to_the_caller)
{
	enum vcpu_exit e = EXIT_YIELD;

	cr_assert_not(guest_ram_fault(v, GP_RAM_END, 0x80000000, false, &e));
	cr_assert_not(guest_ram_fault(v, GUEST_RAM_BASE - 1, 0x80000000, false, &e));
	cr_assert_not(guest_ram_fault(v, 0x10008000, 0x80000000, false, &e));
	cr_assert_eq(e, EXIT_YIELD, "untouched");
	cr_assert_eq(gp_out.len, 0, "no line: %s", gp_out.text);
}

Test(guest_ram, the_hvs_touch_makes_every_chunk_of_a_range_present)
{
	/* Two bytes either side of a chunk boundary, as a hypercall buffer might be. */
	uint8_t *b = guest_ram_touch(p, GUEST_RAM_BASE + 6 * CHUNK - 1, 2);

	cr_assert_eq(b, p->ram + 6 * CHUNK - 1);
	chunk_is(5, 0);
	chunk_is(6, 0);
	chunk_is(7, 0xa5);
	cr_assert(mapped(GUEST_RAM_BASE + 5 * CHUNK));
	cr_assert(mapped(GUEST_RAM_BASE + 6 * CHUNK));
	cr_assert_not(mapped(GUEST_RAM_BASE + 7 * CHUNK));
	/* An empty range makes nothing present. */
	cr_assert_eq(guest_ram_touch(p, GUEST_RAM_BASE + 9 * CHUNK, 0), p->ram + 9 * CHUNK);
	chunk_is(9, 0xa5);
	cr_assert_not(mapped(GUEST_RAM_BASE + 9 * CHUNK));
}

Test(guest_ram, no_memory_for_a_table_is_a_fault_line_not_a_mapping)
{
	enum vcpu_exit e = EXIT_RESUME;

	gp_tables_exhausted = true;
	cr_assert_null(guest_ram_touch(p, GUEST_RAM_BASE, 16));
	cr_assert(guest_ram_fault(v, GUEST_RAM_BASE + 0x40, 0x80001000, false, &e));
	cr_assert_eq(e, EXIT_FAULTED);
	cr_assert(strstr(gp_out.text, "RAM not mapped: no hv memory for its stage-2 tables"), "%s",
		  gp_out.text);
	cr_assert(strstr(gp_out.text, "0x80000040"), "the address is named: %s", gp_out.text);
	cr_assert_not(mapped(GUEST_RAM_BASE));
}

Test(guest_ram, a_scrub_zeroes_only_what_was_present_a_budget_at_a_time)
{
	uint64_t done = 0;

	memset(gp_ram(GUEST_RAM_BASE + 2 * CHUNK), 0x11, 1);	   /* chunks 2.. present */
	memset(p->ram + 2 * CHUNK, 0x5a, GP_RAM_SIZE - 2 * CHUNK); /* the run wrote them */
	cr_assert(guest_ram_scrub(p, &done, CHUNK), "more than one chunk is left");
	cr_assert_eq(done, 3 * CHUNK, "the two absent chunks cost no budget");
	chunk_is(0, 0xa5);
	chunk_is(1, 0xa5);
	chunk_is(2, 0);
	chunk_is(3, 0x5a);
	while (guest_ram_scrub(p, &done, CHUNK))
		;
	cr_assert_eq(done, GP_RAM_SIZE);
	for (unsigned i = 2; i < GP_RAM_SIZE / CHUNK; i++)
		chunk_is(i, 0);
	chunk_is(0, 0xa5);
	cr_assert(mapped(GUEST_RAM_BASE + 2 * CHUNK), "scrubbed chunks stay mapped");
}

/*
 * Sv39x4 stage-2 tables built by arch/riscv64/stage2.c over host memory. HPAs are plain numbers:
 * the table stores them and never dereferences them, so the tests can use any value.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hv/arch.h"

#define KIB  (1UL << 10)
#define MIB  (1UL << 20)
#define GIB  (1UL << 30)
#define GPA  0x80000000UL
#define HPA  0x100000000UL /* 2 MiB (and 1 GiB) aligned */
#define SIZE (16 * MIB)
#define PG   4096UL

/* PTE bits as the RISC-V privileged spec lays them out. */
#define PTE_V	      (1UL << 0)
#define PTE_R	      (1UL << 1)
#define PTE_W	      (1UL << 2)
#define PTE_X	      (1UL << 3)
#define PTE_U	      (1UL << 4)
#define PTE_G	      (1UL << 5)
#define PTE_A	      (1UL << 6)
#define PTE_D	      (1UL << 7)
#define PTE_PPN_SHIFT 10

#define MAX_ALLOCS 4096

/* Counts what the table asks for; refuses once limit is reached (limit < 0: no limit). */
struct t_alloc {
	int count;
	int limit;
	size_t bytes;
	void *ptrs[MAX_ALLOCS];
};

static void *t_alloc_fn(void *ctx, size_t size, size_t align)
{
	struct t_alloc *a = ctx;

	if (a->limit >= 0 && a->count >= a->limit)
		return NULL;
	cr_assert_lt(a->count, MAX_ALLOCS);
	cr_assert_eq(align & (align - 1), 0, "alignment %zu is not a power of two", align);
	cr_assert_eq(size % align, 0);
	void *p = aligned_alloc(align, size);
	cr_assert_not_null(p);
	memset(p, 0, size);
	a->ptrs[a->count++] = p;
	a->bytes += size;
	return p;
}

static struct t_alloc al_a, al_b;
static struct stage2 s2, s2b;

static void setup(void)
{
	memset(&al_a, 0, sizeof(al_a));
	memset(&al_b, 0, sizeof(al_b));
	al_a.limit = al_b.limit = -1;
	cr_assert_eq(stage2_init(&s2, 1, t_alloc_fn, &al_a), 0);
}

static void teardown(void)
{
	for (int i = 0; i < al_a.count; i++)
		free(al_a.ptrs[i]);
	for (int i = 0; i < al_b.count; i++)
		free(al_b.ptrs[i]);
}

TestSuite(stage2, .init = setup, .fini = teardown);

static void expect_mapped(const struct stage2 *t, uint64_t gpa, uint64_t want_hpa,
			  unsigned want_perm)
{
	uint64_t hpa = 0;
	unsigned perm = 0;

	cr_assert_eq(stage2_translate(t, gpa, &hpa, &perm), 0, "gpa 0x%lx not mapped",
		     (unsigned long)gpa);
	cr_assert_eq(hpa, want_hpa, "gpa 0x%lx -> 0x%lx, want 0x%lx", (unsigned long)gpa,
		     (unsigned long)hpa, (unsigned long)want_hpa);
	cr_assert_eq(perm, want_perm, "gpa 0x%lx perm %u, want %u", (unsigned long)gpa, perm,
		     want_perm);
}

static void expect_unmapped(const struct stage2 *t, uint64_t gpa)
{
	uint64_t hpa;
	unsigned perm;

	cr_assert_neq(stage2_translate(t, gpa, &hpa, &perm), 0, "gpa 0x%lx unexpectedly mapped",
		      (unsigned long)gpa);
}

/* The leaf PTE for gpa, walking from the root as the hardware would; level is where it was. */
static uint64_t leaf_pte(const struct stage2 *t, uint64_t gpa, int *level)
{
	const uint64_t *table = t->root;

	for (int l = 2; l >= 0; l--) {
		unsigned idx = (gpa >> (12 + 9 * l)) & (l == 2 ? 0x7ff : 0x1ff);
		uint64_t pte = table[idx];

		cr_assert(pte & PTE_V, "no valid PTE at level %d for 0x%lx", l, (unsigned long)gpa);
		if (pte & (PTE_R | PTE_W | PTE_X)) {
			*level = l;
			return pte;
		}
		/* Non-leaf entries carry no A/D/U (reserved for future use by the spec). */
		cr_assert_eq(pte & (PTE_U | PTE_A | PTE_D | PTE_G), 0, "non-leaf PTE 0x%lx",
			     (unsigned long)pte);
		table = (const uint64_t *)(uintptr_t)((pte >> PTE_PPN_SHIFT) << 12);
	}
	cr_assert_fail("no leaf for 0x%lx", (unsigned long)gpa);
	return 0;
}

Test(stage2, init)
{
	cr_assert_not_null(s2.root);
	cr_assert_eq(s2.vmid, 1);
	cr_assert_eq(s2.tables, 1);
	cr_assert_eq(al_a.count, 1);
	/* The Sv39x4 root is 16 KiB and 16 KiB aligned. */
	cr_assert_eq(al_a.bytes, 16 * KIB);
	cr_assert_eq((uintptr_t)s2.root % (16 * KIB), 0);
	expect_unmapped(&s2, GPA);
	expect_unmapped(&s2, 0);
}

Test(stage2, init_alloc_failure)
{
	struct t_alloc none = {.limit = 0};
	struct stage2 t;

	cr_assert_eq(stage2_init(&t, 2, t_alloc_fn, &none), -1);
}

Test(stage2, limit_is_41_bits)
{
	cr_assert_eq(stage2_limit(), 1ULL << 41);
}

Test(stage2, map_16mib_translate)
{
	cr_assert_eq(stage2_map(&s2, GPA, HPA, SIZE, S2_RWX), 0);
	expect_mapped(&s2, GPA, HPA, S2_RWX);
	expect_mapped(&s2, GPA + 0x123, HPA + 0x123, S2_RWX);
	expect_mapped(&s2, GPA + SIZE / 2, HPA + SIZE / 2, S2_RWX);
	expect_mapped(&s2, GPA + SIZE / 2 + 0x7654, HPA + SIZE / 2 + 0x7654, S2_RWX);
	expect_mapped(&s2, GPA + SIZE - PG, HPA + SIZE - PG, S2_RWX);
	expect_mapped(&s2, GPA + SIZE - 1, HPA + SIZE - 1, S2_RWX);
	expect_unmapped(&s2, GPA + SIZE);
	expect_unmapped(&s2, GPA - 1);
	expect_unmapped(&s2, GPA - PG);
	expect_unmapped(&s2, 0);
	expect_unmapped(&s2, stage2_limit() - 1);
	expect_unmapped(&s2, stage2_limit());
	expect_unmapped(&s2, UINT64_MAX);
}

Test(stage2, every_page_of_16mib)
{
	cr_assert_eq(stage2_map(&s2, GPA, HPA, SIZE, S2_RWX), 0);
	for (uint64_t off = 0; off < SIZE; off += PG)
		expect_mapped(&s2, GPA + off + 8, HPA + off + 8, S2_RWX);
}

Test(stage2, megapages_when_aligned)
{
	cr_assert_eq(stage2_map(&s2, GPA, HPA, SIZE, S2_RWX), 0);
	/* Root and one level-1 table holding 8 megapage leaves. */
	cr_assert_eq(s2.tables, 2);
	cr_assert_eq(al_a.count, 2);
	for (uint64_t off = 0; off < SIZE; off += 2 * MIB) {
		int level;
		leaf_pte(&s2, GPA + off, &level);
		cr_assert_eq(level, 1, "offset 0x%lx mapped at level %d", (unsigned long)off,
			     level);
	}
}

Test(stage2, gigapage_when_aligned)
{
	cr_assert_eq(stage2_map(&s2, GPA, HPA, GIB, S2_RWX), 0);
	cr_assert_eq(s2.tables, 1);
	int level;
	leaf_pte(&s2, GPA + 12345 * PG, &level);
	cr_assert_eq(level, 2);
	expect_mapped(&s2, GPA + GIB - 1, HPA + GIB - 1, S2_RWX);
	expect_unmapped(&s2, GPA + GIB);
}

Test(stage2, small_pages_when_hpa_not_2mib_aligned)
{
	cr_assert_eq(stage2_map(&s2, GPA, HPA + 4 * KIB, SIZE, S2_RWX), 0);
	/* Root, one level-1 table, 8 level-0 tables of 512 pages each. */
	cr_assert_eq(s2.tables, 10);
	cr_assert_eq(al_a.count, 10);
	int level;
	leaf_pte(&s2, GPA + 3 * MIB, &level);
	cr_assert_eq(level, 0);
	expect_mapped(&s2, GPA, HPA + 4 * KIB, S2_RWX);
	expect_mapped(&s2, GPA + SIZE - 1, HPA + 4 * KIB + SIZE - 1, S2_RWX);
	expect_unmapped(&s2, GPA + SIZE);
}

Test(stage2, mixed_sizes_unaligned_start)
{
	/* 4 KiB pages up to the first 2 MiB boundary, megapages, then 4 KiB pages again. */
	uint64_t gpa = GPA + 2 * MIB - 8 * KIB, hpa = HPA + 2 * MIB - 8 * KIB;
	uint64_t size = 8 * KIB + 4 * MIB + 12 * KIB;

	cr_assert_eq(stage2_map(&s2, gpa, hpa, size, S2_READ), 0);
	int level;
	leaf_pte(&s2, gpa, &level);
	cr_assert_eq(level, 0);
	leaf_pte(&s2, GPA + 2 * MIB, &level);
	cr_assert_eq(level, 1);
	leaf_pte(&s2, GPA + 4 * MIB, &level);
	cr_assert_eq(level, 1);
	leaf_pte(&s2, GPA + 6 * MIB + 8 * KIB, &level);
	cr_assert_eq(level, 0);
	for (uint64_t off = 0; off < size; off += PG)
		expect_mapped(&s2, gpa + off, hpa + off, S2_READ);
	expect_unmapped(&s2, gpa - 1);
	expect_unmapped(&s2, gpa + size);
}

Test(stage2, permissions_round_trip)
{
	const unsigned perms[] = {S2_READ, S2_READ | S2_WRITE, S2_READ | S2_EXEC, S2_RWX, S2_EXEC};

	for (unsigned i = 0; i < sizeof(perms) / sizeof(perms[0]); i++) {
		uint64_t gpa = GPA + i * 4 * MIB;
		/* One 4 KiB page and one megapage per permission. */
		cr_assert_eq(stage2_map(&s2, gpa, HPA + i * 4 * MIB, PG, perms[i]), 0);
		cr_assert_eq(
		    stage2_map(&s2, gpa + 2 * MIB, HPA + i * 4 * MIB + 2 * MIB, 2 * MIB, perms[i]),
		    0);
		expect_mapped(&s2, gpa, HPA + i * 4 * MIB, perms[i]);
		expect_mapped(&s2, gpa + 3 * MIB, HPA + i * 4 * MIB + 3 * MIB, perms[i]);
	}
}

Test(stage2, leaf_pte_bits)
{
	cr_assert_eq(stage2_map(&s2, GPA, HPA, 2 * MIB, S2_READ | S2_WRITE), 0);
	cr_assert_eq(stage2_map(&s2, GPA + 2 * MIB, HPA + 2 * MIB + 4 * KIB, 4 * KIB, S2_READ), 0);

	int level;
	uint64_t pte = leaf_pte(&s2, GPA, &level);
	cr_assert_eq(level, 1);
	/* G-stage leaves must be U (checked as user accesses); A and D preset so the hardware
	 * never has to update them; G never set. */
	cr_assert(pte & PTE_V);
	cr_assert(pte & PTE_U, "U clear in 0x%lx", (unsigned long)pte);
	cr_assert(pte & PTE_A, "A clear in 0x%lx", (unsigned long)pte);
	cr_assert(pte & PTE_D, "D clear in 0x%lx", (unsigned long)pte);
	cr_assert_eq(pte & PTE_G, 0);
	cr_assert(pte & PTE_R);
	cr_assert(pte & PTE_W);
	cr_assert_eq(pte & PTE_X, 0);
	cr_assert_eq((pte >> PTE_PPN_SHIFT) << 12, HPA);
	/* Nothing above the 44-bit PPN (reserved, PBMT, N). */
	cr_assert_eq(pte >> 54, 0);

	pte = leaf_pte(&s2, GPA + 2 * MIB, &level);
	cr_assert_eq(level, 0);
	cr_assert_eq(pte & 0xff, PTE_V | PTE_R | PTE_U | PTE_A | PTE_D);
	cr_assert_eq((pte >> PTE_PPN_SHIFT) << 12, HPA + 2 * MIB + 4 * KIB);
}

Test(stage2, write_without_read_refused)
{
	cr_assert_eq(stage2_map(&s2, GPA, HPA, PG, S2_WRITE), -1);
	cr_assert_eq(stage2_map(&s2, GPA, HPA, PG, S2_WRITE | S2_EXEC), -1);
	expect_unmapped(&s2, GPA);
}

Test(stage2, no_permission_refused)
{
	cr_assert_eq(stage2_map(&s2, GPA, HPA, PG, 0), -1);
	cr_assert_eq(stage2_map(&s2, GPA, HPA, PG, 8), -1);
	expect_unmapped(&s2, GPA);
}

Test(stage2, misaligned_refused)
{
	cr_assert_eq(stage2_map(&s2, GPA + 1, HPA, PG, S2_RWX), -1);
	cr_assert_eq(stage2_map(&s2, GPA + 0x800, HPA, PG, S2_RWX), -1);
	cr_assert_eq(stage2_map(&s2, GPA, HPA + 0x10, PG, S2_RWX), -1);
	cr_assert_eq(stage2_map(&s2, GPA, HPA, PG + 1, S2_RWX), -1);
	cr_assert_eq(stage2_map(&s2, GPA, HPA, 100, S2_RWX), -1);
	cr_assert_eq(s2.tables, 1);
	expect_unmapped(&s2, GPA);
}

Test(stage2, size_zero_refused)
{
	cr_assert_eq(stage2_map(&s2, GPA, HPA, 0, S2_RWX), -1);
	cr_assert_eq(s2.tables, 1);
}

Test(stage2, beyond_limit_refused)
{
	uint64_t lim = stage2_limit();

	cr_assert_eq(stage2_map(&s2, lim, HPA, PG, S2_RWX), -1);
	cr_assert_eq(stage2_map(&s2, lim - PG, HPA, 2 * PG, S2_RWX), -1);
	cr_assert_eq(stage2_map(&s2, 1ULL << 42, HPA, PG, S2_RWX), -1);
	cr_assert_eq(stage2_map(&s2, -PG, HPA, PG, S2_RWX), -1);
	/* gpa + size wrapping around zero. */
	cr_assert_eq(stage2_map(&s2, GPA, HPA, -PG, S2_RWX), -1);
	/* hpa + size wrapping around zero. */
	cr_assert_eq(stage2_map(&s2, GPA, -PG, 2 * PG, S2_RWX), -1);
	cr_assert_eq(s2.tables, 1);

	/* The very last page below the limit is fine. */
	cr_assert_eq(stage2_map(&s2, lim - PG, HPA, PG, S2_READ), 0);
	expect_mapped(&s2, lim - 1, HPA + PG - 1, S2_READ);
	/* And so is GPA 0. */
	cr_assert_eq(stage2_map(&s2, 0, HPA + MIB, PG, S2_READ), 0);
	expect_mapped(&s2, 0, HPA + MIB, S2_READ);
}

Test(stage2, overlap_refused_original_intact)
{
	cr_assert_eq(stage2_map(&s2, GPA, HPA, SIZE, S2_RWX), 0);
	size_t tables = s2.tables;

	/* Same range, a page inside, a range straddling each end, a superset. */
	cr_assert_eq(stage2_map(&s2, GPA, 0x200000000UL, SIZE, S2_READ), -1);
	cr_assert_eq(stage2_map(&s2, GPA + 5 * PG, 0x200000000UL, PG, S2_READ), -1);
	cr_assert_eq(stage2_map(&s2, GPA - 2 * MIB, 0x200000000UL, 4 * MIB, S2_READ), -1);
	cr_assert_eq(stage2_map(&s2, GPA + SIZE - PG, 0x200000000UL, 2 * PG, S2_READ), -1);
	cr_assert_eq(stage2_map(&s2, GPA - 2 * MIB, 0x200000000UL, SIZE + 4 * MIB, S2_READ), -1);
	cr_assert_eq(s2.tables, tables);

	for (uint64_t off = 0; off < SIZE; off += 64 * KIB)
		expect_mapped(&s2, GPA + off, HPA + off, S2_RWX);
	/* The straddling attempts did not map their non-overlapping parts either. */
	expect_unmapped(&s2, GPA - PG);
	expect_unmapped(&s2, GPA - 2 * MIB);
	expect_unmapped(&s2, GPA + SIZE);
}

Test(stage2, overlap_small_pages_refused)
{
	cr_assert_eq(stage2_map(&s2, GPA + 3 * PG, HPA, PG, S2_READ), 0);
	/* A megapage over a range holding a 4 KiB mapping. */
	cr_assert_eq(stage2_map(&s2, GPA, 0x200000000UL, 2 * MIB, S2_RWX), -1);
	expect_mapped(&s2, GPA + 3 * PG, HPA, S2_READ);
	expect_unmapped(&s2, GPA);
	/* Adjacent pages are fine. */
	cr_assert_eq(stage2_map(&s2, GPA + 4 * PG, HPA + MIB, PG, S2_READ), 0);
	cr_assert_eq(stage2_map(&s2, GPA + 2 * PG, HPA + 2 * MIB, PG, S2_READ), 0);
	expect_mapped(&s2, GPA + 4 * PG, HPA + MIB, S2_READ);
	expect_mapped(&s2, GPA + 2 * PG, HPA + 2 * MIB, S2_READ);
}

Test(stage2, adjacent_megapage_ranges)
{
	cr_assert_eq(stage2_map(&s2, GPA, HPA, 2 * MIB, S2_RWX), 0);
	cr_assert_eq(stage2_map(&s2, GPA + 2 * MIB, 0x200000000UL, 2 * MIB, S2_READ), 0);
	expect_mapped(&s2, GPA + 2 * MIB - 1, HPA + 2 * MIB - 1, S2_RWX);
	expect_mapped(&s2, GPA + 2 * MIB, 0x200000000UL, S2_READ);
	cr_assert_eq(s2.tables, 2);
}

Test(stage2, table_alloc_failure_refused)
{
	struct t_alloc lim = {.limit = 1};
	struct stage2 t;

	cr_assert_eq(stage2_init(&t, 3, t_alloc_fn, &lim), 0);
	/* A megapage needs a level-1 table the allocator will not give. */
	cr_assert_eq(stage2_map(&t, GPA, HPA, 2 * MIB, S2_RWX), -1);
	expect_unmapped(&t, GPA);
	cr_assert_eq(t.tables, 1);
	for (int i = 0; i < lim.count; i++)
		free(lim.ptrs[i]);
}

/* Simple deterministic generator for sampling addresses. */
static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

Test(stage2, partitions_isolated)
{
	const uint64_t hpa_a = HPA, hpa_b = HPA + SIZE; /* disjoint, adjacent host ranges */
	uint64_t seed = 0x9e3779b97f4a7c15ULL;

	cr_assert_eq(stage2_init(&s2b, 2, t_alloc_fn, &al_b), 0);
	cr_assert_eq(stage2_map(&s2, GPA, hpa_a, SIZE, S2_RWX), 0);
	/* B unaligned so it uses small pages: the two tables look nothing alike. */
	cr_assert_eq(stage2_map(&s2b, GPA, hpa_b + 4 * KIB, SIZE - 4 * KIB, S2_RWX), 0);

	for (int i = 0; i < 20000; i++) {
		/* Mostly inside RAM, some around it, some anywhere in the GPA space. */
		uint64_t r = xorshift(&seed), gpa;
		switch (i % 4) {
		case 0:
			gpa = r % stage2_limit();
			break;
		case 1:
			gpa = GPA - MIB + r % (SIZE + 2 * MIB);
			break;
		default:
			gpa = GPA + r % SIZE;
		}
		uint64_t ha, hb;
		unsigned pa_, pb_;
		int ra = stage2_translate(&s2, gpa, &ha, &pa_);
		int rb = stage2_translate(&s2b, gpa, &hb, &pb_);

		if (ra == 0)
			cr_assert(ha >= hpa_a && ha < hpa_a + SIZE, "A: 0x%lx -> 0x%lx outside A",
				  (unsigned long)gpa, (unsigned long)ha);
		if (rb == 0)
			cr_assert(hb >= hpa_b && hb < hpa_b + SIZE, "B: 0x%lx -> 0x%lx outside B",
				  (unsigned long)gpa, (unsigned long)hb);
		bool in = gpa >= GPA && gpa < GPA + SIZE;
		cr_assert_eq(ra == 0, in, "A: 0x%lx mapped=%d", (unsigned long)gpa, ra == 0);
		cr_assert_eq(rb == 0, in && gpa < GPA + SIZE - 4 * KIB, "B: 0x%lx mapped=%d",
			     (unsigned long)gpa, rb == 0);
	}
	/* No table page is shared between the two. */
	for (int i = 0; i < al_a.count; i++)
		for (int j = 0; j < al_b.count; j++)
			cr_assert_neq(al_a.ptrs[i], al_b.ptrs[j]);
}

/* Running out of table memory part way must not leave part of the range mapped. */
Test(stage2, table_alloc_failure_midway_maps_nothing)
{
	struct t_alloc lim = {.limit = 4};
	struct stage2 t;

	cr_assert_eq(stage2_init(&t, 3, t_alloc_fn, &lim), 0);
	/* 16 MiB of 4 KiB pages needs a level-1 and 8 level-0 tables; only 3 are given, so the
	 * map fails after the first 4 MiB. */
	cr_assert_eq(stage2_map(&t, GPA, HPA + 4 * KIB, SIZE, S2_RWX), -1);
	uint64_t hpa;
	unsigned perm;
	int first = stage2_translate(&t, GPA, &hpa, &perm);
	for (int i = 0; i < lim.count; i++)
		free(lim.ptrs[i]);
	cr_assert_neq(first, 0, "a failed map left GPA 0x%lx mapped", GPA);
}

/* Empty tables a failed map leaves behind must not stop a later map from using large pages
 * over the same range. */
Test(stage2, empty_table_after_failure_does_not_block_larger_page)
{
	struct t_alloc lim = {.limit = 2};
	struct stage2 t;

	cr_assert_eq(stage2_init(&t, 3, t_alloc_fn, &lim), 0);
	/* Gets its level-1 table, not the level-0 one: fails, leaving an empty level-1 table. */
	cr_assert_eq(stage2_map(&t, GPA, HPA + 4 * KIB, PG, S2_RWX), -1);
	expect_unmapped(&t, GPA);
	/* Nothing is mapped in that gigabyte, so a gigapage there is no overlap. */
	lim.limit = -1;
	int r = stage2_map(&t, GPA, HPA, GIB, S2_RWX);
	for (int i = 0; i < lim.count; i++)
		free(lim.ptrs[i]);
	cr_assert_eq(r, 0, "a gigapage over an empty leftover table was refused");
}

/* ---------------------------------------------------------------- unmap */

Test(stage2, unmap_removes_the_range_and_nothing_else)
{
	/* Small pages: the header page of a channel window read-only, the rest read-write. */
	cr_assert_eq(stage2_map(&s2, 0x40000000UL, HPA, PG, S2_READ), 0);
	cr_assert_eq(stage2_map(&s2, 0x40000000UL + PG, HPA + PG, 7 * PG, S2_READ | S2_WRITE), 0);
	cr_assert_eq(stage2_map(&s2, GPA, HPA + MIB, SIZE, S2_RWX), 0);
	cr_assert_eq(stage2_unmap(&s2, 0x40000000UL, 8 * PG), 0);
	for (uint64_t off = 0; off < 8 * PG; off += PG)
		expect_unmapped(&s2, 0x40000000UL + off);
	expect_mapped(&s2, GPA, HPA + MIB, S2_RWX);
	expect_mapped(&s2, GPA + SIZE - 1, HPA + MIB + SIZE - 1, S2_RWX);
	/* Unmapped pages are skipped; the range may be mapped again. */
	cr_assert_eq(stage2_unmap(&s2, 0x40000000UL - 4 * PG, 16 * PG), 0);
	cr_assert_eq(stage2_map(&s2, 0x40000000UL, HPA, 8 * PG, S2_READ), 0);
	expect_mapped(&s2, 0x40000000UL + 7 * PG, HPA + 7 * PG, S2_READ);
}

Test(stage2, unmap_of_whole_megapages)
{
	cr_assert_eq(stage2_map(&s2, GPA, HPA, SIZE, S2_RWX), 0);
	cr_assert_eq(stage2_unmap(&s2, GPA + 2 * MIB, 4 * MIB), 0);
	expect_mapped(&s2, GPA + 2 * MIB - 1, HPA + 2 * MIB - 1, S2_RWX);
	expect_unmapped(&s2, GPA + 2 * MIB);
	expect_unmapped(&s2, GPA + 6 * MIB - 1);
	expect_mapped(&s2, GPA + 6 * MIB, HPA + 6 * MIB, S2_RWX);
}

Test(stage2, unmap_of_part_of_a_megapage_refused_and_nothing_changes)
{
	cr_assert_eq(stage2_map(&s2, GPA, HPA, SIZE, S2_RWX), 0);
	cr_assert_eq(stage2_unmap(&s2, GPA, 3 * MIB), -1);
	cr_assert_eq(stage2_unmap(&s2, GPA + MIB, MIB), -1);
	for (uint64_t off = 0; off < SIZE; off += PG)
		expect_mapped(&s2, GPA + off, HPA + off, S2_RWX);
}

Test(stage2, unmap_misaligned_or_wrapping_refused)
{
	cr_assert_eq(stage2_map(&s2, GPA, HPA, 2 * PG, S2_RWX), 0);
	cr_assert_eq(stage2_unmap(&s2, GPA + 1, PG), -1);
	cr_assert_eq(stage2_unmap(&s2, GPA, PG + 1), -1);
	cr_assert_eq(stage2_unmap(&s2, ~0UL & ~(PG - 1), 2 * PG), -1);
	cr_assert_eq(stage2_unmap(&s2, stage2_limit() - PG, 2 * PG), -1);
	expect_mapped(&s2, GPA, HPA, S2_RWX);
}

/* Chunks of 64 KiB inside one 2 MiB leaf table, as guest RAM is made present on first touch:
 * every page where it belongs with its permissions, one leaf table for all of them, a chunk
 * over one mapped page refused with nothing of it mapped, a chunk under a megapage refused, and
 * a range up to the table's last page. */
Test(stage2, chunks_in_one_leaf_table)
{
	const uint64_t chunk = 64 * KIB;

	for (unsigned c = 0; c < 4; c++)
		cr_assert_eq(stage2_map(&s2, GPA + c * chunk, HPA + c * chunk, chunk, S2_RWX), 0);
	cr_assert_eq(s2.tables, 3, "root, one level-1 table, one leaf table: %lu",
		     (unsigned long)s2.tables);
	for (uint64_t off = 0; off < 4 * chunk; off += PG)
		expect_mapped(&s2, GPA + off, HPA + off, S2_RWX);
	expect_unmapped(&s2, GPA + 4 * chunk);

	cr_assert_eq(stage2_map(&s2, GPA + 5 * chunk + 7 * PG, HPA, PG, S2_READ), 0);
	cr_assert_eq(stage2_map(&s2, GPA + 5 * chunk, HPA + 5 * chunk, chunk, S2_RWX), -1);
	for (uint64_t off = 0; off < chunk; off += PG)
		if (off != 7 * PG)
			expect_unmapped(&s2, GPA + 5 * chunk + off);
	expect_mapped(&s2, GPA + 5 * chunk + 7 * PG, HPA, S2_READ);

	cr_assert_eq(stage2_map(&s2, GPA + 2 * MIB, HPA + 2 * MIB, 2 * MIB, S2_READ), 0);
	cr_assert_eq(stage2_map(&s2, GPA + 2 * MIB + chunk, HPA, chunk, S2_RWX), -1);
	expect_mapped(&s2, GPA + 2 * MIB + chunk, HPA + 2 * MIB + chunk, S2_READ);

	cr_assert_eq(stage2_map(&s2, GPA + 6 * MIB - chunk, HPA, chunk, S2_READ), 0);
	expect_mapped(&s2, GPA + 6 * MIB - PG, HPA + chunk - PG, S2_READ);
	expect_unmapped(&s2, GPA + 6 * MIB);
}

/*
 * The physical page allocator over a bitmap: alignment, first fit, holes punched by reserve (with
 * ranges partly outside and unaligned edges), exhaustion and reuse after free. Addresses are plain
 * numbers: the allocator never touches the memory it manages.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "hv/page_alloc.h"

#define MIB    (1UL << 20)
#define NPAGES 1024	    /* 4 MiB */
#define BASE   0x80001000UL /* page aligned but not 2 MiB aligned */
#define TOP    (BASE + NPAGES * PAGE_SIZE)

static struct page_alloc pa;
static uint64_t bitmap[NPAGES / 64 + 1]; /* one word more than needed: a sentinel */
#define SENTINEL 0xa5a5a5a5a5a5a5a5UL

static void setup(void)
{
	/* Garbage in the bitmap: init must clear it (and only it). */
	memset(bitmap, 0xa5, sizeof(bitmap));
	page_alloc_init(&pa, BASE, NPAGES, bitmap);
}

TestSuite(page_alloc, .init = setup);

static int used(uint64_t addr)
{
	size_t i = (addr - BASE) / PAGE_SIZE;
	return (int)((bitmap[i / 64] >> (i % 64)) & 1);
}

Test(page_alloc, init_all_free)
{
	cr_assert_eq(pa.base, BASE);
	cr_assert_eq(pa.npages, NPAGES);
	cr_assert_eq(pa.nfree, NPAGES);
	for (uint64_t a = BASE; a < TOP; a += PAGE_SIZE)
		cr_assert_eq(used(a), 0, "page 0x%lx not free after init", (unsigned long)a);
	cr_assert_eq(bitmap[NPAGES / 64], SENTINEL);
}

Test(page_alloc, single_pages_aligned_distinct)
{
	uint64_t got[16];

	for (int i = 0; i < 16; i++) {
		got[i] = page_alloc(&pa, 1, PAGE_SIZE);
		cr_assert_neq(got[i], 0);
		cr_assert_eq(got[i] % PAGE_SIZE, 0);
		cr_assert(got[i] >= BASE && got[i] < TOP);
		cr_assert(used(got[i]));
		for (int j = 0; j < i; j++)
			cr_assert_neq(got[i], got[j], "page 0x%lx handed out twice",
				      (unsigned long)got[i]);
	}
	cr_assert_eq(pa.nfree, NPAGES - 16);
	/* First fit from the bottom. */
	cr_assert_eq(got[0], BASE);
}

Test(page_alloc, runs_do_not_overlap)
{
	struct {
		uint64_t a;
		size_t n;
	} r[6];
	const size_t sizes[6] = {3, 1, 17, 8, 2, 64};
	size_t total = 0;

	for (int i = 0; i < 6; i++) {
		r[i].n = sizes[i];
		r[i].a = page_alloc(&pa, sizes[i], PAGE_SIZE);
		cr_assert_neq(r[i].a, 0);
		total += sizes[i];
		for (int j = 0; j < i; j++) {
			uint64_t ea = r[i].a + r[i].n * PAGE_SIZE, eb = r[j].a + r[j].n * PAGE_SIZE;
			cr_assert(ea <= r[j].a || eb <= r[i].a, "runs %d and %d overlap", i, j);
		}
	}
	cr_assert_eq(pa.nfree, NPAGES - total);
}

Test(page_alloc, honours_2mib_alignment_with_unaligned_base)
{
	uint64_t a = page_alloc(&pa, 4, 2 * MIB);

	cr_assert_neq(a, 0);
	cr_assert_eq(a % (2 * MIB), 0, "0x%lx is not 2 MiB aligned", (unsigned long)a);
	/* The first 2 MiB boundary at or above BASE. */
	cr_assert_eq(a, 0x80200000UL);
	cr_assert_eq(pa.nfree, NPAGES - 4);
	/* The pages below it stay free for first fit. */
	cr_assert_eq(page_alloc(&pa, 1, PAGE_SIZE), BASE);
}

Test(page_alloc, alignment_larger_than_any_fit)
{
	/* [0x80001000, 0x80401000): 0x80000000 is below, 0x80800000 above. */
	cr_assert_eq(page_alloc(&pa, 1, 8 * MIB), 0);
	/* 0x80400000 is 4 MiB aligned but only its one page is in range. */
	cr_assert_eq(page_alloc(&pa, 2, 4 * MIB), 0);
	cr_assert_eq(pa.nfree, NPAGES);
	cr_assert_eq(page_alloc(&pa, 1, 4 * MIB), 0x80400000UL);
	cr_assert_eq(pa.nfree, NPAGES - 1);
}

Test(page_alloc, alignment_skips_used_aligned_slot)
{
	/* Take the first 2 MiB aligned page: the next candidate is the last page, 0x80400000. */
	page_alloc_reserve(&pa, 0x80200000UL, PAGE_SIZE);
	cr_assert_eq(page_alloc(&pa, 2, 2 * MIB), 0);
	cr_assert_eq(page_alloc(&pa, 1, 2 * MIB), 0x80400000UL);
	cr_assert_eq(page_alloc(&pa, 1, 2 * MIB), 0);
	/* 8 KiB alignment still finds something, aligned. */
	uint64_t a = page_alloc(&pa, 2, 8192);
	cr_assert_eq(a, 0x80002000UL);
}

Test(page_alloc, bad_arguments)
{
	cr_assert_eq(page_alloc(&pa, 0, PAGE_SIZE), 0);
	cr_assert_eq(page_alloc(&pa, 1, 0), 0);
	cr_assert_eq(page_alloc(&pa, 1, 2048), 0);
	cr_assert_eq(page_alloc(&pa, 1, 3 * PAGE_SIZE), 0);
	cr_assert_eq(page_alloc(&pa, 1, PAGE_SIZE + 1), 0);
	cr_assert_eq(page_alloc(&pa, 1, 12288), 0);
	cr_assert_eq(pa.nfree, NPAGES);
}

Test(page_alloc, exhaustion)
{
	uint64_t a = page_alloc(&pa, NPAGES, PAGE_SIZE);

	cr_assert_eq(a, BASE);
	cr_assert_eq(pa.nfree, 0);
	cr_assert_eq(page_alloc(&pa, 1, PAGE_SIZE), 0);
	cr_assert_eq(pa.nfree, 0);
}

Test(page_alloc, too_large_request)
{
	cr_assert_eq(page_alloc(&pa, NPAGES + 1, PAGE_SIZE), 0);
	cr_assert_eq(page_alloc(&pa, (size_t)-1, PAGE_SIZE), 0);
	cr_assert_eq(pa.nfree, NPAGES);
}

Test(page_alloc, exhaustion_page_by_page)
{
	for (int i = 0; i < NPAGES; i++)
		cr_assert_neq(page_alloc(&pa, 1, PAGE_SIZE), 0, "allocation %d failed", i);
	cr_assert_eq(pa.nfree, 0);
	cr_assert_eq(page_alloc(&pa, 1, PAGE_SIZE), 0);
}

Test(page_alloc, free_then_realloc_reuses)
{
	uint64_t a = page_alloc(&pa, 8, PAGE_SIZE);
	uint64_t b = page_alloc(&pa, 8, PAGE_SIZE);

	cr_assert_eq(pa.nfree, NPAGES - 16);
	page_free(&pa, a, 8);
	cr_assert_eq(pa.nfree, NPAGES - 8);
	for (int i = 0; i < 8; i++)
		cr_assert_eq(used(a + i * PAGE_SIZE), 0);
	cr_assert(used(b));
	cr_assert_eq(page_alloc(&pa, 8, PAGE_SIZE), a);
	cr_assert_eq(pa.nfree, NPAGES - 16);
}

Test(page_alloc, free_after_exhaustion)
{
	page_alloc(&pa, NPAGES, PAGE_SIZE);
	page_free(&pa, BASE + 100 * PAGE_SIZE, 3);
	cr_assert_eq(pa.nfree, 3);
	cr_assert_eq(page_alloc(&pa, 4, PAGE_SIZE), 0);
	cr_assert_eq(page_alloc(&pa, 3, PAGE_SIZE), BASE + 100 * PAGE_SIZE);
	cr_assert_eq(pa.nfree, 0);
}

Test(page_alloc, free_out_of_range_ignored)
{
	page_alloc(&pa, NPAGES, PAGE_SIZE);
	page_free(&pa, BASE - PAGE_SIZE, 2);
	page_free(&pa, TOP - PAGE_SIZE, 2);
	page_free(&pa, TOP, 1);
	cr_assert_eq(pa.nfree, 0);
}

Test(page_alloc, first_fit_skips_small_hole)
{
	page_alloc(&pa, NPAGES, PAGE_SIZE);
	page_free(&pa, BASE + 10 * PAGE_SIZE, 2); /* too small */
	page_free(&pa, BASE + 50 * PAGE_SIZE, 5);
	page_free(&pa, BASE + 90 * PAGE_SIZE, 3); /* fits, but later */
	cr_assert_eq(pa.nfree, 10);
	cr_assert_eq(page_alloc(&pa, 3, PAGE_SIZE), BASE + 50 * PAGE_SIZE);
	cr_assert_eq(page_alloc(&pa, 3, PAGE_SIZE), BASE + 90 * PAGE_SIZE);
	cr_assert_eq(page_alloc(&pa, 2, PAGE_SIZE), BASE + 10 * PAGE_SIZE);
	/* 2 pages left at 50+3, but 3 do not fit anywhere. */
	cr_assert_eq(page_alloc(&pa, 3, PAGE_SIZE), 0);
	cr_assert_eq(page_alloc(&pa, 2, PAGE_SIZE), BASE + 53 * PAGE_SIZE);
	cr_assert_eq(pa.nfree, 0);
}

Test(page_alloc, reserve_carves_hole)
{
	page_alloc_reserve(&pa, BASE, 4 * PAGE_SIZE);
	cr_assert_eq(pa.nfree, NPAGES - 4);
	cr_assert_eq(page_alloc(&pa, 1, PAGE_SIZE), BASE + 4 * PAGE_SIZE);

	page_alloc_reserve(&pa, BASE + 100 * PAGE_SIZE, 10 * PAGE_SIZE);
	cr_assert_eq(pa.nfree, NPAGES - 15);
	for (int i = 100; i < 110; i++)
		cr_assert(used(BASE + i * PAGE_SIZE));
	cr_assert_not(used(BASE + 99 * PAGE_SIZE));
	cr_assert_not(used(BASE + 110 * PAGE_SIZE));
}

Test(page_alloc, reserve_twice_counts_once)
{
	page_alloc_reserve(&pa, BASE + 8 * PAGE_SIZE, 8 * PAGE_SIZE);
	page_alloc_reserve(&pa, BASE + 12 * PAGE_SIZE, 8 * PAGE_SIZE);
	cr_assert_eq(pa.nfree, NPAGES - 12);
}

Test(page_alloc, reserve_unaligned_rounds_outward)
{
	/* 0x10 bytes into page 5 up to 0x10 bytes into page 7: pages 5, 6 and 7. */
	page_alloc_reserve(&pa, BASE + 5 * PAGE_SIZE + 0x10, 2 * PAGE_SIZE);
	cr_assert_eq(pa.nfree, NPAGES - 3);
	cr_assert_not(used(BASE + 4 * PAGE_SIZE));
	cr_assert(used(BASE + 5 * PAGE_SIZE));
	cr_assert(used(BASE + 6 * PAGE_SIZE));
	cr_assert(used(BASE + 7 * PAGE_SIZE));
	cr_assert_not(used(BASE + 8 * PAGE_SIZE));

	/* One byte still takes its whole page. */
	page_alloc_reserve(&pa, BASE + 20 * PAGE_SIZE + 4095, 1);
	cr_assert_eq(pa.nfree, NPAGES - 4);
	cr_assert(used(BASE + 20 * PAGE_SIZE));
	cr_assert_not(used(BASE + 21 * PAGE_SIZE));
}

Test(page_alloc, reserve_partly_below)
{
	page_alloc_reserve(&pa, BASE - 16 * PAGE_SIZE, 18 * PAGE_SIZE);
	cr_assert_eq(pa.nfree, NPAGES - 2);
	cr_assert(used(BASE));
	cr_assert(used(BASE + PAGE_SIZE));
	cr_assert_not(used(BASE + 2 * PAGE_SIZE));
}

Test(page_alloc, reserve_partly_above)
{
	page_alloc_reserve(&pa, TOP - 3 * PAGE_SIZE, 1 * MIB);
	cr_assert_eq(pa.nfree, NPAGES - 3);
	cr_assert_not(used(TOP - 4 * PAGE_SIZE));
	cr_assert(used(TOP - PAGE_SIZE));
	/* Nothing past npages bits is touched. */
	cr_assert_eq(bitmap[NPAGES / 64], SENTINEL);
}

Test(page_alloc, reserve_covering_everything)
{
	page_alloc_reserve(&pa, 0, UINT64_MAX);
	cr_assert_eq(pa.nfree, 0);
	cr_assert_eq(bitmap[NPAGES / 64], SENTINEL);
	cr_assert_eq(page_alloc(&pa, 1, PAGE_SIZE), 0);
}

Test(page_alloc, reserve_wraparound_size)
{
	/* addr + size wraps: everything from addr up is taken, nothing below. */
	page_alloc_reserve(&pa, BASE + 1000 * PAGE_SIZE, UINT64_MAX - 100);
	cr_assert_eq(pa.nfree, 1000);
	cr_assert_not(used(BASE + 999 * PAGE_SIZE));
	cr_assert(used(BASE + 1000 * PAGE_SIZE));
	cr_assert(used(TOP - PAGE_SIZE));
}

Test(page_alloc, reserve_outside_ignored)
{
	page_alloc_reserve(&pa, 0x1000, 0x10000);
	page_alloc_reserve(&pa, BASE - 0x10000, 0x10000); /* ends exactly at base */
	page_alloc_reserve(&pa, TOP, 0x10000);		  /* starts exactly at the top */
	page_alloc_reserve(&pa, 0xffffffff00000000UL, 0x1000);
	cr_assert_eq(pa.nfree, NPAGES);
}

Test(page_alloc, reserve_then_allocate_around_holes)
{
	/* Leave exactly a 3-page gap between two reserved areas at the bottom. */
	page_alloc_reserve(&pa, BASE, 2 * PAGE_SIZE);
	page_alloc_reserve(&pa, BASE + 5 * PAGE_SIZE, 10 * PAGE_SIZE);
	cr_assert_eq(page_alloc(&pa, 4, PAGE_SIZE), BASE + 15 * PAGE_SIZE);
	cr_assert_eq(page_alloc(&pa, 3, PAGE_SIZE), BASE + 2 * PAGE_SIZE);
	cr_assert_eq(pa.nfree, NPAGES - 19);
}

/* The allocator's word-at-a-time paths against a page-at-a-time model of first fit: random runs
 * (whole words, word edges, single pages), alignments and frees, every answer and count the
 * same. */
static int model[NPAGES];

static uint64_t model_alloc(size_t n, uint64_t align)
{
	size_t start = ((BASE + align - 1) & ~(align - 1)) - BASE;

	for (size_t i = start / PAGE_SIZE; i + n <= NPAGES; i += align / PAGE_SIZE) {
		size_t k = 0;

		while (k < n && !model[i + k])
			k++;
		if (k == n) {
			for (k = 0; k < n; k++)
				model[i + k] = 1;
			return BASE + i * PAGE_SIZE;
		}
	}
	return 0;
}

Test(page_alloc, word_at_a_time_agrees_with_a_page_at_a_time_model)
{
	static const size_t sizes[] = {1, 3, 63, 64, 65, 128, 130, 200, 512};
	static const uint64_t aligns[] = {PAGE_SIZE, 2 * PAGE_SIZE, 64 * PAGE_SIZE, 2 * MIB};
	uint64_t got[64] = {0};
	size_t len[64] = {0}, nfree = NPAGES;
	uint32_t x = 12345;

	memset(model, 0, sizeof(model));
	for (int round = 0; round < 4000; round++) {
		x = x * 1103515245 + 12345;
		unsigned slot = (x >> 8) % 64;

		if (got[slot]) {
			page_free(&pa, got[slot], len[slot]);
			for (size_t k = 0; k < len[slot]; k++)
				model[(got[slot] - BASE) / PAGE_SIZE + k] = 0;
			nfree += len[slot];
			got[slot] = 0;
		} else {
			size_t n = sizes[(x >> 16) % 9];
			uint64_t align = aligns[(x >> 24) % 4];
			uint64_t want = model_alloc(n, align);

			got[slot] = page_alloc(&pa, n, align);
			cr_assert_eq(got[slot], want,
				     "round %d: %zu pages aligned %#lx at %#lx, model %#lx", round,
				     n, (unsigned long)align, (unsigned long)got[slot],
				     (unsigned long)want);
			len[slot] = n;
			nfree -= got[slot] ? n : 0;
		}
		cr_assert_eq(pa.nfree, nfree, "round %d", round);
	}
	for (size_t i = 0; i < NPAGES; i++)
		cr_assert_eq(used(BASE + i * PAGE_SIZE), model[i], "page %zu", i);
	cr_assert_eq(bitmap[NPAGES / 64], SENTINEL);
}

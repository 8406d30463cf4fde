/*
 * Sv39x4 stage-2 tables: 41-bit guest-physical addresses, a 16 KiB root of 2048 entries, then two
 * levels of 512. Plain C with no CSR access, so the host unit tests build and walk the same
 * tables. Tables are reached by their address (the hv runs untranslated, tests use pointers).
 */
#include <string.h>

#include "hv/arch.h"

#define PTE_V	      (1UL << 0)
#define PTE_R	      (1UL << 1)
#define PTE_W	      (1UL << 2)
#define PTE_X	      (1UL << 3)
#define PTE_U	      (1UL << 4) /* G-stage leaves must have U: the hardware checks it as user access */
#define PTE_A	      (1UL << 6)
#define PTE_D	      (1UL << 7)
#define PTE_PPN_SHIFT 10

#define GPA_BITS  41
#define ROOT_SIZE (16UL << 10)
#define PAGE	  4096UL
#define LEVELS	  3

static unsigned level_shift(int level)
{
	return 12 + 9 * level;
}

static unsigned index_of(uint64_t gpa, int level)
{
	uint64_t mask = level == LEVELS - 1 ? 0x7ff : 0x1ff;
	return (gpa >> level_shift(level)) & mask;
}

static uint64_t *table_of(uint64_t pte)
{
	return arch_pa_to_va((pte >> PTE_PPN_SHIFT) << 12);
}

static uint64_t make_pte(uint64_t pa, uint64_t flags)
{
	return ((pa >> 12) << PTE_PPN_SHIFT) | flags | PTE_V;
}

static int is_leaf(uint64_t pte)
{
	return (pte & (PTE_R | PTE_W | PTE_X)) != 0;
}

uint64_t stage2_limit(void)
{
	return 1ULL << GPA_BITS;
}

int stage2_init(struct stage2 *s2, unsigned vmid, stage2_alloc_fn alloc, void *ctx)
{
	memset(s2, 0, sizeof(*s2));
	s2->root = alloc(ctx, ROOT_SIZE, ROOT_SIZE);
	if (!s2->root)
		return -1;
	s2->vmid = vmid;
	s2->alloc = alloc;
	s2->ctx = ctx;
	s2->tables = 1;
	return 0;
}

/* The entry for gpa at level, creating the tables above it. */
static uint64_t *walk_create(struct stage2 *s2, uint64_t gpa, int level)
{
	uint64_t *table = s2->root;

	for (int l = LEVELS - 1; l > level; l--) {
		uint64_t *pte = &table[index_of(gpa, l)];

		if (!(*pte & PTE_V)) {
			uint64_t *next = s2->alloc(s2->ctx, PAGE, PAGE);
			if (!next)
				return NULL;
			s2->tables++;
			*pte = make_pte(arch_va_to_pa(next), 0);
		} else if (is_leaf(*pte)) {
			return NULL; /* a larger mapping is already here */
		}
		table = table_of(*pte);
	}
	return &table[index_of(gpa, level)];
}

/* The largest page that fits gpa/hpa alignment and the remaining size, and whose slot is not
 * already a table of smaller pages (an empty one left by an earlier failed map counts too). */
static int plan_level(const struct stage2 *s2, uint64_t gpa, uint64_t hpa, uint64_t left)
{
	const uint64_t *table = s2->root;
	bool below_absent = false;

	for (int l = LEVELS - 1; l > 0; l--) {
		uint64_t psz = 1ULL << level_shift(l);
		uint64_t pte = below_absent ? 0 : table[index_of(gpa, l)];

		if (!(pte & PTE_V)) {
			if (!((gpa | hpa) & (psz - 1)) && left >= psz)
				return l;
			below_absent = true; /* walk_create will make the tables below */
			continue;
		}
		if (is_leaf(pte))
			return l; /* overlaps: walk_create refuses it */
		table = table_of(pte);
	}
	return 0;
}

/*
 * Pages inside one leaf table's 2 MiB (a chunk of RAM made present on first touch, a window): the
 * same result as the general path below, which walks from the root three times for every page
 * (the overlap check and its two passes), with one walk and the entries. Nothing larger than a
 * page fits such a range, so the general path would pick 4 KiB pages too.
 */
static int map_in_one_table(struct stage2 *s2, uint64_t gpa, uint64_t hpa, uint64_t size,
			    uint64_t flags)
{
	/* NULL also where a larger mapping covers gpa. */
	uint64_t *leaf = walk_create(s2, gpa, 0);
	unsigned n = (unsigned)(size / PAGE);

	if (!leaf)
		return -1;
	for (unsigned i = 0; i < n; i++)
		if (leaf[i] & PTE_V)
			return -1;
	for (unsigned i = 0; i < n; i++)
		leaf[i] = make_pte(hpa + (uint64_t)i * PAGE, flags);
	return 0;
}

int stage2_map(struct stage2 *s2, uint64_t gpa, uint64_t hpa, uint64_t size, unsigned perm)
{
	uint64_t flags = PTE_U | PTE_A | PTE_D;

	if (((gpa | hpa | size) & (PAGE - 1)) || !size || !(perm & S2_RWX))
		return -1;
	if (gpa + size < gpa || gpa + size > stage2_limit() || hpa + size < hpa)
		return -1;
	/* W without R is reserved in RISC-V PTEs. */
	if ((perm & S2_WRITE) && !(perm & S2_READ))
		return -1;
	flags |= (perm & S2_READ ? PTE_R : 0) | (perm & S2_WRITE ? PTE_W : 0) |
		 (perm & S2_EXEC ? PTE_X : 0);

	if (size < (1ULL << level_shift(1)) &&
	    (gpa >> level_shift(1)) == ((gpa + size - 1) >> level_shift(1)))
		return map_in_one_table(s2, gpa, hpa, size, flags);
	/* Refuse overlaps before changing anything. */
	for (uint64_t off = 0; off < size; off += PAGE) {
		uint64_t unused_hpa;
		unsigned unused_perm;
		if (stage2_translate(s2, gpa + off, &unused_hpa, &unused_perm) == 0)
			return -1;
	}
	/* Two passes: first every table the range needs, then the leaves, so running out of
	 * memory leaves no partial mapping (at most some empty tables, which plan_level steps
	 * around). */
	for (int pass = 0; pass < 2; pass++) {
		for (uint64_t off = 0; off < size;) {
			int level = plan_level(s2, gpa + off, hpa + off, size - off);
			uint64_t *pte = walk_create(s2, gpa + off, level);

			if (!pte)
				return -1;
			if (pass == 1)
				*pte = make_pte(hpa + off, flags);
			off += 1ULL << level_shift(level);
		}
	}
	return 0;
}

/* The leaf entry mapping gpa and its level, or NULL when gpa is not mapped. */
static uint64_t *leaf_of(const struct stage2 *s2, uint64_t gpa, int *level)
{
	uint64_t *table = s2->root;

	for (int l = LEVELS - 1; l >= 0; l--) {
		uint64_t *pte = &table[index_of(gpa, l)];

		if (!(*pte & PTE_V))
			return NULL;
		if (is_leaf(*pte)) {
			*level = l;
			return pte;
		}
		table = table_of(*pte);
	}
	return NULL;
}

int stage2_unmap(struct stage2 *s2, uint64_t gpa, uint64_t size)
{
	if (((gpa | size) & (PAGE - 1)) || gpa + size < gpa || gpa + size > stage2_limit())
		return -1;
	/* Two passes: refuse a page that sticks out before clearing anything. */
	for (int pass = 0; pass < 2; pass++) {
		for (uint64_t off = 0; off < size;) {
			int level;
			uint64_t *pte = leaf_of(s2, gpa + off, &level);

			if (!pte) {
				off += PAGE;
				continue;
			}
			uint64_t psz = 1ULL << level_shift(level);
			uint64_t start = (gpa + off) & ~(psz - 1);

			if (start < gpa || start + psz > gpa + size)
				return -1;
			if (pass == 1)
				*pte = 0;
			off = start + psz - gpa;
		}
	}
	return 0;
}

int stage2_translate(const struct stage2 *s2, uint64_t gpa, uint64_t *hpa, unsigned *perm)
{
	const uint64_t *table = s2->root;

	if (gpa >= stage2_limit())
		return -1;
	for (int l = LEVELS - 1; l >= 0; l--) {
		uint64_t pte = table[index_of(gpa, l)];

		if (!(pte & PTE_V))
			return -1;
		if (is_leaf(pte)) {
			uint64_t mask = (1ULL << level_shift(l)) - 1;
			*hpa = (((pte >> PTE_PPN_SHIFT) << 12) & ~mask) | (gpa & mask);
			*perm = (pte & PTE_R ? S2_READ : 0) | (pte & PTE_W ? S2_WRITE : 0) |
				(pte & PTE_X ? S2_EXEC : 0);
			return 0;
		}
		table = table_of(pte);
	}
	return -1;
}

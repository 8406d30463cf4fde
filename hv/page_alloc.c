#include "page_alloc.h"

#include <string.h>

static int test_bit(const uint64_t *bm, size_t i)
{
	return (bm[i / 64] >> (i % 64)) & 1;
}

/* A word at a time where the range covers a whole word of one state: a partition's RAM is
 * thousands of pages, taken and given back at every start and stop. */
static void set_range(struct page_alloc *pa, size_t first, size_t n, int used)
{
	const uint64_t want = used ? ~0ULL : 0;

	for (size_t i = first, end = first + n; i < end;) {
		uint64_t *w = &pa->bitmap[i / 64];

		if (i % 64 == 0 && end - i >= 64 && (*w == 0 || *w == ~0ULL)) {
			if (*w != want)
				pa->nfree = used ? pa->nfree - 64 : pa->nfree + 64;
			*w = want;
			i += 64;
			continue;
		}
		uint64_t bit = 1ULL << (i % 64);
		int was = test_bit(pa->bitmap, i);

		if (used && !was) {
			*w |= bit;
			pa->nfree--;
		} else if (!used && was) {
			*w &= ~bit;
			pa->nfree++;
		}
		i++;
	}
}

/* How many of the npages pages from i are free, counting up to the first used one. */
static size_t free_run(const uint64_t *bm, size_t i, size_t npages)
{
	size_t n = 0;

	while (n < npages) {
		size_t j = i + n;

		if (j % 64 == 0 && npages - n >= 64 && !bm[j / 64])
			n += 64;
		else if (test_bit(bm, j))
			break;
		else
			n++;
	}
	return n;
}

void page_alloc_init(struct page_alloc *pa, uint64_t base, size_t npages, uint64_t *bitmap)
{
	pa->lock.locked = 0;
	pa->base = base;
	pa->npages = npages;
	pa->nfree = npages;
	pa->bitmap = bitmap;
	memset(bitmap, 0, (npages + 63) / 64 * 8);
}

void page_alloc_reserve(struct page_alloc *pa, uint64_t addr, uint64_t size)
{
	uint64_t end = addr + size;
	uint64_t top = pa->base + pa->npages * PAGE_SIZE;

	if (end < addr)
		end = UINT64_MAX;
	if (end <= pa->base || addr >= top)
		return;
	if (addr < pa->base)
		addr = pa->base;
	if (end > top)
		end = top;
	size_t first = (addr - pa->base) >> PAGE_SHIFT;
	size_t last = (end - pa->base + PAGE_SIZE - 1) >> PAGE_SHIFT;

	spin_lock(&pa->lock);
	set_range(pa, first, last - first, 1);
	spin_unlock(&pa->lock);
}

uint64_t page_alloc(struct page_alloc *pa, size_t npages, uint64_t align)
{
	if (npages == 0 || align < PAGE_SIZE || (align & (align - 1)))
		return 0;
	size_t step = align >> PAGE_SHIFT;
	/* The first index whose address is aligned, then every step-th one. */
	size_t start = ((pa->base + align - 1) & ~(align - 1)) - pa->base;
	uint64_t found = 0;

	start >>= PAGE_SHIFT;
	spin_lock(&pa->lock);
	for (size_t i = start; i + npages <= pa->npages && i >= start;) {
		size_t n = free_run(pa->bitmap, i, npages), used = i + n, past;

		if (n == npages) {
			set_range(pa, i, npages, 1);
			found = pa->base + (i << PAGE_SHIFT);
			break;
		}
		/* The next candidate starts past the used page, past its whole word if all of it is
		 * used. */
		past = pa->bitmap[used / 64] == ~0ULL ? (used / 64 + 1) * 64 : used + 1;
		i += (past - i + step - 1) / step * step;
	}
	spin_unlock(&pa->lock);
	return found;
}

void page_free(struct page_alloc *pa, uint64_t addr, size_t npages)
{
	if (addr < pa->base || ((addr - pa->base) >> PAGE_SHIFT) + npages > pa->npages)
		return;
	spin_lock(&pa->lock);
	set_range(pa, (addr - pa->base) >> PAGE_SHIFT, npages, 0);
	spin_unlock(&pa->lock);
}

/* Physical page allocator: a bitmap over one range of RAM with holes punched for whatever is
 * already in use (firmware, the hv image, the machine's device tree). Contiguous, aligned runs;
 * partitions take their RAM once at boot, stage-2 tables a page at a time. */
#ifndef GOHV_PAGE_ALLOC_H
#define GOHV_PAGE_ALLOC_H

#include <stddef.h>
#include <stdint.h>

#include "spinlock.h"

#define PAGE_SIZE  4096UL
#define PAGE_SHIFT 12

struct page_alloc {
	spinlock_t lock;
	uint64_t base; /* physical address of page 0 */
	size_t npages;
	size_t nfree;
	uint64_t *bitmap; /* 1 = in use; npages bits */
};

/* Manages [base, base + npages * PAGE_SIZE) with all pages free; bitmap holds npages bits. */
void page_alloc_init(struct page_alloc *pa, uint64_t base, size_t npages, uint64_t *bitmap);
/* Marks [addr, addr+size) in use (rounded out to pages; parts outside the range are ignored). */
void page_alloc_reserve(struct page_alloc *pa, uint64_t addr, uint64_t size);
/* First fit of npages contiguous pages aligned to align bytes (a power of two >= PAGE_SIZE).
 * Returns the physical address or 0. */
uint64_t page_alloc(struct page_alloc *pa, size_t npages, uint64_t align);
void page_free(struct page_alloc *pa, uint64_t addr, size_t npages);

#endif

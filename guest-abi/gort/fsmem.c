/*
 * fsmem.c: the pages behind the file system (nodes, names, link targets, file data) and the
 * small blocks carved from them. Blocks come in power-of-two classes from 16 bytes to 2048; a
 * class's pages stay with it once taken (freed blocks go on the class's free list), so the
 * waste is bounded by the peak number of names, not by their churn. A 4096-byte block is a page.
 *
 * Every page counts against one budget, set by fs.c when the tree is built: running out gives
 * NULL, which the callers turn into ENOSPC.
 */
#include "fsmem.h"

#include <string.h>

#include "gort.h"
#include "mm.h"

#define MIN_SHIFT 4  /* 16 bytes */
#define NCLASSES  8  /* 16 .. 2048 */
#define HDR	  16 /* a class page starts with its link in the list of class pages */

struct free_block {
	struct free_block *next;
};

struct class_page {
	struct class_page *next;
};

static struct {
	uint64_t budget, used; /* pages */
	struct free_block *free[NCLASSES];
	struct class_page *pages; /* every page the classes hold, for fsmem_reset */
} fm = {.budget = ~0ULL};

void *fsmem_page(void)
{
	if (fm.used >= fm.budget)
		return NULL;
	void *p = mm_kernel_page();
	if (p)
		fm.used++;
	return p;
}

void fsmem_page_free(void *page)
{
	mm_kernel_page_free(page);
	fm.used--;
}

void fsmem_set_budget(uint64_t pages)
{
	fm.budget = pages;
}

uint64_t fsmem_budget(void)
{
	return fm.budget;
}

uint64_t fsmem_used(void)
{
	return fm.used;
}

static int class_of(size_t size)
{
	int c = 0;
	while (((size_t)1 << (c + MIN_SHIFT)) < size)
		c++;
	return c;
}

void *fsmem_alloc(size_t size)
{
	if (size == 0 || size > FSMEM_MAX_BLOCK)
		return NULL;
	if (size > ((size_t)1 << (MIN_SHIFT + NCLASSES - 1)))
		return fsmem_page();
	int c = class_of(size);
	size_t bs = (size_t)1 << (c + MIN_SHIFT);
	if (!fm.free[c]) {
		struct class_page *pg = fsmem_page();
		if (!pg)
			return NULL;
		pg->next = fm.pages;
		fm.pages = pg;
		/* A block never straddles the header: blocks start at a multiple of their size. */
		size_t first = bs < HDR ? HDR : bs;
		for (size_t off = PAGE_SIZE - bs; off >= first; off -= bs) {
			struct free_block *b = (struct free_block *)((uint8_t *)pg + off);
			b->next = fm.free[c];
			fm.free[c] = b;
		}
	}
	struct free_block *b = fm.free[c];
	fm.free[c] = b->next;
	memset(b, 0, bs);
	return b;
}

void fsmem_free(void *p, size_t size)
{
	if (!p)
		return;
	if (size > ((size_t)1 << (MIN_SHIFT + NCLASSES - 1))) {
		fsmem_page_free(p);
		return;
	}
	int c = class_of(size);
	struct free_block *b = p;
	b->next = fm.free[c];
	fm.free[c] = b;
}

void fsmem_reset(void)
{
	while (fm.pages) {
		struct class_page *next = fm.pages->next;
		fsmem_page_free(fm.pages);
		fm.pages = next;
	}
	memset(fm.free, 0, sizeof(fm.free));
	fm.budget = ~0ULL;
}

/* The file system's memory: pages from the partition's pool under one budget, so files fill at
 * most a share of the partition (ENOSPC) and never starve the program's own heap. */
#ifndef GORT_FSMEM_H
#define GORT_FSMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Frees every block fsmem_alloc handed out (pages taken with fsmem_page must have been given
 * back) and lifts the budget: the tree is about to be built again. */
void fsmem_reset(void);
/* From now on at most pages pages in all (those held now count). */
void fsmem_set_budget(uint64_t pages);
uint64_t fsmem_budget(void);
uint64_t fsmem_used(void);
/* A zeroed page, NULL when the budget or the partition's memory is used up. */
void *fsmem_page(void);
void fsmem_page_free(void *page);
/* size bytes (1..FSMEM_MAX_BLOCK), zeroed, NULL when out of memory; freed with the same size. */
#define FSMEM_MAX_BLOCK 4096
void *fsmem_alloc(size_t size);
void fsmem_free(void *p, size_t size);

#endif

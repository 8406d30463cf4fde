/* A written file's contents: pages from fsmem, the first one held directly (a small file costs
 * one page) and the others in a two-level table (a page of leaf tables, each a page of data
 * pages), so a file holds up to FDATA_MAX_SIZE and pages only where it was written: a hole
 * (ftruncate, a write past the end) reads as zeros and costs nothing. */
#ifndef GORT_FDATA_H
#define GORT_FDATA_H

#include <stddef.h>
#include <stdint.h>

#include "gort.h"

#define FDATA_FAN      (PAGE_SIZE / sizeof(void *))
#define FDATA_MAX_SIZE ((uint64_t)FDATA_FAN * FDATA_FAN * PAGE_SIZE) /* 1 GiB */

struct fdata {
	uint8_t *first;	     /* page 0, NULL: a hole */
	void ***top;	     /* pages 1 and on; NULL: none yet */
	uint64_t data_pages; /* pages of data (st_blocks); tables come on top */
};

/* n bytes at off to user memory at uva (holes read as zeros): the count copied before a fault,
 * or -EFAULT. The caller keeps off + n within the file's size. */
long fdata_read(const struct fdata *d, uint64_t off, uintptr_t uva, size_t n);
/* n bytes from user memory at uva to off (off + n <= FDATA_MAX_SIZE): the count written before
 * memory ran out or a fault, else -ENOSPC or -EFAULT. */
long fdata_write(struct fdata *d, uint64_t off, uintptr_t uva, size_t n);
/* n bytes of gort's memory at src to off (copying an initrd file up): 0 or -ENOSPC. */
long fdata_fill(struct fdata *d, uint64_t off, const void *src, size_t n);
/* Gives back the pages past size and zeroes the rest of the page size ends in, so a later
 * extension reads zeros there. */
void fdata_truncate(struct fdata *d, uint64_t size);

#endif

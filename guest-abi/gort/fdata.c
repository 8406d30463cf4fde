/* fdata.c: a written file's pages (see fdata.h). */
#include "fdata.h"

#include <string.h>

#include "fsmem.h"

static size_t min_sz(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* The data page with index idx; with alloc, made (with its tables) if missing: NULL then means
 * out of memory. */
static uint8_t *page_at(const struct fdata *cd, uint64_t idx, bool alloc)
{
	struct fdata *d = (struct fdata *)cd; /* only written with alloc */
	if (idx == 0) {
		if (!d->first && alloc && (d->first = fsmem_page()))
			d->data_pages++;
		return d->first;
	}
	if (!d->top) {
		if (!alloc || !(d->top = fsmem_page()))
			return NULL;
	}
	void ***leaf = &d->top[idx / FDATA_FAN];
	if (!*leaf) {
		if (!alloc || !(*leaf = fsmem_page()))
			return NULL;
	}
	void **pg = &(*leaf)[idx % FDATA_FAN];
	if (!*pg && alloc) {
		if (!(*pg = fsmem_page()))
			return NULL;
		d->data_pages++;
	}
	return *pg;
}

long fdata_read(const struct fdata *d, uint64_t off, uintptr_t uva, size_t n)
{
	static const uint8_t zeros[512];
	size_t done = 0;
	while (done < n) {
		uint64_t at = off + done;
		size_t in = (size_t)(at % PAGE_SIZE), c = min_sz(n - done, PAGE_SIZE - in);
		const uint8_t *pg = page_at(d, at / PAGE_SIZE, false);
		if (!pg)
			c = min_sz(c, sizeof(zeros));
		/* One user page at most, so a fault loses nothing copied before it. */
		c = min_sz(c, PAGE_SIZE - ((uva + done) % PAGE_SIZE));
		if (copy_to_user(uva + done, pg ? pg + in : zeros, c) != 0)
			return done ? (long)done : -EFAULT;
		done += c;
	}
	return (long)done;
}

long fdata_write(struct fdata *d, uint64_t off, uintptr_t uva, size_t n)
{
	size_t done = 0;
	while (done < n) {
		uint64_t at = off + done;
		size_t in = (size_t)(at % PAGE_SIZE), c = min_sz(n - done, PAGE_SIZE - in);
		c = min_sz(c, PAGE_SIZE - ((uva + done) % PAGE_SIZE));
		uint8_t *pg = page_at(d, at / PAGE_SIZE, true);
		if (!pg)
			return done ? (long)done : -ENOSPC;
		if (copy_from_user(pg + in, uva + done, c) != 0)
			return done ? (long)done : -EFAULT;
		done += c;
	}
	return (long)done;
}

long fdata_fill(struct fdata *d, uint64_t off, const void *src, size_t n)
{
	size_t done = 0;
	while (done < n) {
		uint64_t at = off + done;
		size_t in = (size_t)(at % PAGE_SIZE), c = min_sz(n - done, PAGE_SIZE - in);
		uint8_t *pg = page_at(d, at / PAGE_SIZE, true);
		if (!pg)
			return -ENOSPC;
		memcpy(pg + in, (const uint8_t *)src + done, c);
		done += c;
	}
	return 0;
}

void fdata_truncate(struct fdata *d, uint64_t size)
{
	uint64_t keep = (size + PAGE_SIZE - 1) / PAGE_SIZE; /* pages that stay */
	if (size % PAGE_SIZE) {
		uint8_t *last = page_at(d, size / PAGE_SIZE, false);
		if (last)
			memset(last + size % PAGE_SIZE, 0, PAGE_SIZE - size % PAGE_SIZE);
	}
	if (keep == 0 && d->first) {
		fsmem_page_free(d->first);
		d->first = NULL;
		d->data_pages--;
	}
	if (!d->top)
		return;
	for (uint64_t l = 0; l < FDATA_FAN; l++) {
		void **leaf = d->top[l];
		if (!leaf || (l + 1) * FDATA_FAN <= keep)
			continue;
		for (uint64_t i = 0; i < FDATA_FAN; i++) {
			if (leaf[i] && l * FDATA_FAN + i >= keep) {
				fsmem_page_free(leaf[i]);
				leaf[i] = NULL;
				d->data_pages--;
			}
		}
		if ((l ? l * FDATA_FAN : 1) >=
		    keep) { /* none of its pages stays (page 0 is first) */
			fsmem_page_free(leaf);
			d->top[l] = NULL;
		}
	}
	if (keep <= 1) {
		fsmem_page_free(d->top);
		d->top = NULL;
	}
}

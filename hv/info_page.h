/* The info page (guest-abi/goos.h, GOOS_INFO_*): a read-only MMIO page each partition gets,
 * whose registers say what the partition is and which vCPU reads them. */
#ifndef GOHV_INFO_PAGE_H
#define GOHV_INFO_PAGE_H

#include "err.h"

struct partition;

/* Registers p's info page at GOOS_INFO_BASE, at partition creation (its RAM and vCPUs set). */
enum hv_err info_page_attach(struct partition *p);
/* Inside /goos, after its other properties (libfdt's sequential-write calls): the bus properties
 * and the info@<base> child node, if p has its page. Returns 0 or a libfdt error. */
int info_page_fdt(const struct partition *p, void *fdt);

#endif

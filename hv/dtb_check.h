/*
 * A full structural check of a device tree blob from outside the hv, before any other libfdt call
 * reads it. libfdt's own walkers trust the structure block: a property length near 2^32 makes
 * fdt_next_tag's offset wrap (a signed overflow) back onto the same tag, so a lookup spins for
 * ever. libfdt has fdt_check_full for this, but the copy the hv compiles (linux-source-6.1's
 * scripts/dtc/libfdt) leaves out fdt_check.c, so the hv and the host tools share this one.
 */
#ifndef GOHV_DTB_CHECK_H
#define GOHV_DTB_CHECK_H

#include <stddef.h>

/* Checks that the blob's header, structure block and strings block are consistent with each other
 * and with size: one root node, every node closed, every tag known, every name and property
 * inside its block. Returns 0, or -1 with why (one line, no path) filled in. */
int dtb_check(const void *fdt, size_t size, char *why, size_t whylen);

#endif

/*
 * One forward pass over a device tree blob's structure block, reading its tags in place: every
 * node in document order, then each of its properties, with the offsets libfdt uses (so a node
 * found here can be handed to libfdt and the drivers). libfdt's own walk re-checks every tag and
 * reads node names a byte at a time through fdt_offset_ptr; finding a property rescans the node's
 * name and all the properties before it, so reading six properties of each node of QEMU virt's
 * tree cost the hv's boot most of its time. Every read here is bounds-checked against the blob's
 * blocks (a malformed blob ends the pass early, nothing is read outside it); the hv runs it only on
 * blobs dtb_check passed.
 */
#ifndef GOHV_DEVICES_DT_SCAN_H
#define GOHV_DEVICES_DT_SCAN_H

#include <stdbool.h>
#include <stdint.h>

struct dt_scan {
	const uint8_t *st;
	const char *str;
	uint32_t st_len, str_len, pos;
	int depth; /* nodes open at pos */
};

/* Starts a pass over fdt, whose header fdt_check_header accepted. */
void dt_scan_init(struct dt_scan *s, const void *fdt);
/* The next node: its libfdt offset, or -1 at the end; *depth is 0 for the root, *name (namelen
 * bytes, no NUL counted) its name with the unit address. Its properties follow (dt_scan_prop)
 * until the next call. */
int dt_scan_node(struct dt_scan *s, int *depth, const char **name, int *namelen);
/* The current node's next property: false when it has no more. */
bool dt_scan_prop(struct dt_scan *s, const char **name, const void **value, int *len);

#endif

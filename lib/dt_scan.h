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
#ifndef GOHV_LIB_DT_SCAN_H
#define GOHV_LIB_DT_SCAN_H

#include <stdbool.h>
#include <stdint.h>

struct dt_scan {
	const uint8_t *st;
	const char *str;
	uint32_t st_len, str_len, pos;
	int depth;     /* nodes open at pos */
	bool str_ends; /* the strings block ends in a NUL */
};

/* Starts a pass over fdt, whose header fdt_check_header accepted. */
void dt_scan_init(struct dt_scan *s, const void *fdt);
/* The next node: its libfdt offset, or -1 at the end; *depth is 0 for the root, *name (namelen
 * bytes, no NUL counted) its name with the unit address. Its properties follow (dt_scan_prop)
 * until the next call. */
int dt_scan_node(struct dt_scan *s, int *depth, const char **name, int *namelen);
/* The current node's next property: false when it has no more. */
bool dt_scan_prop(struct dt_scan *s, const char **name, const void **value, int *len);

/* A pass over node alone: its name in *name, then its properties (dt_scan_prop); false if node is
 * not a node's offset. */
bool dt_scan_at(struct dt_scan *s, const void *fdt, int node, const char **name, int *namelen);

/*
 * Lookups from a node, with libfdt's meanings and error codes (so they replace fdt_getprop,
 * fdt_first_subnode, fdt_next_subnode, fdt_subnode_offset and fdt_path_offset one for one), each
 * one forward pass from the node with the reads above. libfdt's cost the hv's boot 0.6 M
 * instructions on QEMU virt's tree: every tag through fdt_offset_ptr's checks, and a path or
 * subnode lookup stepping through each earlier sibling's whole subtree that way.
 */
const void *dt_getprop(const void *fdt, int node, const char *name, int *lenp);
const void *dt_getprop_namelen(const void *fdt, int node, const char *name, int namelen, int *lenp);
/* The first child, the next sibling: -FDT_ERR_NOTFOUND when there is none. */
int dt_first_child(const void *fdt, int node);
int dt_next_sibling(const void *fdt, int node);
#define dt_for_each_child(node, fdt, parent)                                                       \
	for ((node) = dt_first_child((fdt), (parent)); (node) >= 0;                                \
	     (node) = dt_next_sibling((fdt), (node)))
/* The child called name: the whole name, or the name before the unit address when name has none. */
int dt_child(const void *fdt, int parent, const char *name);
int dt_child_namelen(const void *fdt, int parent, const char *name, int namelen);
/* The node a path names, from the root or through /aliases. */
int dt_path(const void *fdt, const char *path);
int dt_path_namelen(const void *fdt, const char *path, int len);
/* The node's name with its unit address (*lenp bytes, NUL-terminated), NULL if node is none. */
const char *dt_get_name(const void *fdt, int node, int *lenp);
/* Whether the string list compat (len bytes, a compatible property) holds name. */
bool dt_list_has(const char *compat, int len, const char *name);
/* 0 if the node's compatible holds compat, 1 if not, a libfdt error if it has none. */
int dt_node_check_compatible(const void *fdt, int node, const char *compat);
/* The node's phandle (or linux,phandle), 0 if it has none. */
uint32_t dt_phandle(const void *fdt, int node);

#endif

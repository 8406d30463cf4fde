/*
 * Reading the machine's device tree (libfdt), shared by the core's platform parser, the drivers'
 * probes and the ports' /cpus parsers, so each rule of the format is written once.
 */
#ifndef GOHV_DT_H
#define GOHV_DT_H

#include <libfdt.h>

#include <dt_scan.h>
#include <stdbool.h>
#include <stdint.h>

/* A node, with what its reg property needs: its parent's #address-cells and #size-cells. */
struct dt_node {
	const void *fdt;
	int offset;
	int addr_cells, size_cells;
};

/* n big-endian cells as one number (n <= 2 keeps it exact). */
uint64_t dt_cells(const fdt32_t *p, int n);
/* The index-th (address, size) pair of the node's reg: 0, or -1 if it has none or the cell sizes
 * are ones the hv does not read (address 1-2 cells, size 0-2). */
int dt_reg(const struct dt_node *n, unsigned index, uint64_t *base, uint64_t *size);
/* The property is exactly the string value. */
bool dt_prop_is(const void *fdt, int offset, const char *name, const char *value);
/* The value v (len bytes, as fdt_getprop gives it; v may be NULL) is exactly the string value. */
bool dt_value_is(const char *v, int len, const char *value);
/* A node without status, or with "okay" ("ok" in older trees), is there to be used. */
bool dt_enabled(const void *fdt, int offset);
/* The same from the status property's value (NULL: the node has none). */
bool dt_status_ok(const char *status, int len);
/* A u32 property, or def if it is absent or not one cell. */
uint32_t dt_u32(const struct dt_node *n, const char *name, uint32_t def);

#endif

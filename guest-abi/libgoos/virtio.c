/* libgoos: finding a passed-through device's register page in the device tree
 * (docs/passthrough.md). The driver on top is the guest's. */
#include <libfdt.h>

#include "libgoos.h"

long goos_virtio_find(const char *name, struct goos_virtio *out)
{
	const void *fdt = goos_dtb();
	int goos = fdt ? fdt_path_offset(fdt, "/" GOOS_DT_NODE) : -1, node;

	if (goos < 0)
		return GOOS_ERR_NOT_SUPPORTED;
	int ac = fdt_address_cells(fdt, goos), sc = fdt_size_cells(fdt, goos);

	if (ac < 1 || ac > 2 || sc < 1 || sc > 2)
		return GOOS_ERR_NOT_SUPPORTED;
	fdt_for_each_subnode(node, fdt, goos)
	{
		int len, nlen;
		const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
		const char *n = fdt_getprop(fdt, node, GOOS_VIRTIO_DT_NAME, &nlen);
		uint64_t base = 0, size = 0;

		if (fdt_node_check_compatible(fdt, node, GOOS_VIRTIO_COMPATIBLE) || !reg ||
		    len != (ac + sc) * 4 || !n || nlen < 1 || n[nlen - 1] || strcmp(n, name))
			continue;
		for (int i = 0; i < ac + sc; i++) {
			uint64_t *to = i < ac ? &base : &size;

			*to = (*to << 32) | fdt32_to_cpu(reg[i]);
		}
		out->name = n;
		out->regs = (volatile uint8_t *)(uintptr_t)base;
		out->size = size;
		return GOOS_OK;
	}
	return GOOS_ERR_INVALID_PARAM;
}

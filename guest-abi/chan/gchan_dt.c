/* A channel's device-tree node (gchan_dt.h): one parser for libgoos and gort. */
#include "gchan_dt.h"

#include <dt_scan.h>
#include <libfdt.h>
#include <string.h>

/* A string property: NULL unless it holds exactly one NUL-terminated string. */
static const char *read_str(const void *fdt, int node, const char *name)
{
	int len;
	const char *s = dt_getprop(fdt, node, name, &len);

	return s && len > 0 && s[len - 1] == '\0' && strlen(s) == (size_t)len - 1 ? s : NULL;
}

bool gchan_dt_read(const void *fdt, int goos_node, int node, struct gchan_dt *out)
{
	int ac = fdt_address_cells(fdt, goos_node), sc = fdt_size_cells(fdt, goos_node), len,
	    id_len;
	const fdt32_t *reg = dt_getprop(fdt, node, "reg", &len);
	const fdt32_t *id = dt_getprop(fdt, node, GOOS_CHAN_DT_ID, &id_len);
	const char *role = read_str(fdt, node, GOOS_CHAN_DT_ROLE);

	if (dt_node_check_compatible(fdt, node, GOOS_CHAN_COMPATIBLE) || !reg || ac < 1 || ac > 2 ||
	    sc < 1 || sc > 2 || len != (ac + sc) * 4 || !role || !id || id_len != 4)
		return false;
	out->base = out->size = 0;
	for (int i = 0; i < ac + sc; i++) {
		uint64_t *to = i < ac ? &out->base : &out->size;

		*to = (*to << 32) | fdt32_to_cpu(reg[i]);
	}
	if (!strcmp(role, GOOS_CHAN_ROLE_DRIVER))
		out->role = GCHAN_DRIVER;
	else if (!strcmp(role, GOOS_CHAN_ROLE_DEVICE))
		out->role = GCHAN_DEVICE;
	else
		return false;
	out->id = fdt32_to_cpu(*id);
	out->name = read_str(fdt, node, GOOS_CHAN_DT_NAME);
	return out->name != NULL;
}

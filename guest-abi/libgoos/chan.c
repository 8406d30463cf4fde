/* libgoos: the channel doorbells and finding a channel's window in the device tree
 * (docs/channels.md). Only what the hv gives: the queues and messages on top are the guest's. */
#include <libfdt.h>

#include "libgoos.h"

long goos_chan_notify(unsigned id)
{
	return goos_call(GOOS_FN_CHAN_NOTIFY, id, 0, 0, 0).error;
}

long goos_chan_pending(uint64_t *set)
{
	struct goos_ret r = goos_call(GOOS_FN_CHAN_PENDING, 0, 0, 0, 0);

	if (!r.error && set)
		*set = r.value;
	return r.error;
}

static bool read_u32(const void *fdt, int node, const char *name, uint32_t *v)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, name, &len);

	if (!p || len != 4)
		return false;
	*v = fdt32_to_cpu(*p);
	return true;
}

static const char *read_str(const void *fdt, int node, const char *name)
{
	int len;
	const char *s = fdt_getprop(fdt, node, name, &len);

	return s && len > 0 && s[len - 1] == '\0' ? s : NULL;
}

/* One /goos/channel@... node into c; false if it is not a well-formed one. */
static bool read_chan(const void *fdt, int goos, int node, struct goos_chan *c)
{
	int ac = fdt_address_cells(fdt, goos), sc = fdt_size_cells(fdt, goos), len;
	const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
	const char *role = read_str(fdt, node, GOOS_CHAN_DT_ROLE);
	uint64_t base = 0, size = 0;

	if (fdt_node_check_compatible(fdt, node, GOOS_CHAN_COMPATIBLE) || !reg || ac < 1 ||
	    ac > 2 || sc < 1 || sc > 2 || len != (ac + sc) * 4 || !role)
		return false;
	for (int i = 0; i < ac + sc; i++) {
		uint64_t *to = i < ac ? &base : &size;

		*to = (*to << 32) | fdt32_to_cpu(reg[i]);
	}
	c->name = read_str(fdt, node, GOOS_CHAN_DT_NAME);
	if (!c->name || !read_u32(fdt, node, GOOS_CHAN_DT_ID, &c->id))
		return false;
	c->driver = !strcmp(role, GOOS_CHAN_ROLE_DRIVER);
	if (!c->driver && strcmp(role, GOOS_CHAN_ROLE_DEVICE))
		return false;
	c->base = (volatile uint8_t *)(uintptr_t)base;
	c->size = size;
	return true;
}

long goos_chan_find(const char *name, struct goos_chan *out)
{
	const void *fdt = goos_dtb();
	int goos = fdt ? fdt_path_offset(fdt, "/" GOOS_DT_NODE) : -1, node;

	if (goos < 0)
		return GOOS_ERR_NOT_SUPPORTED;
	fdt_for_each_subnode(node, fdt, goos)
	{
		struct goos_chan c;

		if (read_chan(fdt, goos, node, &c) && !strcmp(c.name, name)) {
			*out = c;
			return GOOS_OK;
		}
	}
	return GOOS_ERR_INVALID_PARAM;
}

/* libgoos: the channel doorbells and finding a channel's window in the device tree
 * (docs/channels.md). Only what the hv gives: the queues and messages on top are the guest's. */
#include <dt_scan.h>
#include <libfdt.h>

#include "gchan_dt.h"
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

long goos_chan_find(const char *name, struct goos_chan *out)
{
	const void *fdt = goos_dtb();
	int goos = fdt ? dt_path(fdt, "/" GOOS_DT_NODE) : -1, node;

	if (goos < 0)
		return GOOS_ERR_NOT_SUPPORTED;
	dt_for_each_child(node, fdt, goos)
	{
		struct gchan_dt c;

		if (!gchan_dt_read(fdt, goos, node, &c) || strcmp(c.name, name))
			continue;
		*out = (struct goos_chan){.name = c.name,
					  .id = c.id,
					  .driver = c.role == GCHAN_DRIVER,
					  .base = (volatile uint8_t *)(uintptr_t)c.base,
					  .size = c.size};
		return GOOS_OK;
	}
	return GOOS_ERR_INVALID_PARAM;
}

/*
 * A channel's node in the partition's device tree, /goos/channel@ADDR (docs/channels.md,
 * "Finding a channel"), read the same way by libgoos (goos_chan_find) and gort (/dev/chan/NAME).
 * Needs libfdt, which both link; the rest of gchan does not.
 */
#ifndef GCHAN_DT_H
#define GCHAN_DT_H

#include <stdbool.h>
#include <stdint.h>

#include "gchan.h"

struct gchan_dt {
	uint64_t base, size; /* the window, guest-physical */
	enum gchan_role role;
	uint32_t id;	  /* channel-id: the doorbell's id, its bit in the pending set */
	const char *name; /* channel-name, pointing into the tree */
};

/* Reads node, a child of /goos (goos_node), into out. False, with out unspecified, unless it is a
 * well-formed channel node: compatible GOOS_CHAN_COMPATIBLE, a reg of /goos's address and size
 * cells (1 or 2 each), role "driver" or "device", channel-name a string and channel-id a u32. */
bool gchan_dt_read(const void *fdt, int goos_node, int node, struct gchan_dt *out);

#endif

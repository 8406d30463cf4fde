/* Where a channel's queues and buffer pool lie in its window (docs/channels.md): computed by the
 * config parser, to refuse a window they do not fit, and by the hv, once, for the header. */
#ifndef GOHV_CHAN_LAYOUT_H
#define GOHV_CHAN_LAYOUT_H

#include <stdint.h>

#include "guest-abi/goos.h"

struct chan_layout {
	uint64_t desc[GOOS_CHAN_MAX_QUEUES], avail[GOOS_CHAN_MAX_QUEUES],
	    used[GOOS_CHAN_MAX_QUEUES]; /* offsets from the window base; 0 past the count */
	uint64_t pool; /* where the buffer pool starts: the first page past the queues */
};

static inline uint64_t chan_page_up(uint64_t x)
{
	return (x + GOOS_CHAN_PAGE - 1) & ~(GOOS_CHAN_PAGE - 1);
}

/* Split virtqueues as virtio 1.2 lays them out (2.7): a 16-byte descriptor per entry, then the
 * available ring (flags, idx, N entries of 2 bytes, used_event), then, 4-aligned, the used ring
 * (flags, idx, N entries of 8 bytes, avail_event); each queue starts on a page after the header
 * and the control page. queues <= GOOS_CHAN_MAX_QUEUES and qsize <= GOOS_CHAN_MAX_QSIZE (the
 * parser checks them first), so nothing here can wrap. */
static inline void chan_layout(uint32_t queues, uint32_t qsize, struct chan_layout *l)
{
	uint64_t at = 2 * GOOS_CHAN_PAGE;

	for (uint32_t q = 0; q < GOOS_CHAN_MAX_QUEUES; q++) {
		if (q >= queues) {
			l->desc[q] = l->avail[q] = l->used[q] = 0;
			continue;
		}
		l->desc[q] = at;
		l->avail[q] = at + 16UL * qsize;
		l->used[q] = (l->avail[q] + 6 + 2UL * qsize + 3) & ~3UL;
		at = chan_page_up(l->used[q] + 6 + 8UL * qsize);
	}
	l->pool = at;
}

#endif

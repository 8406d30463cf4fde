/*
 * Channels between two partitions (docs/channels.md is the contract): the hv's whole part
 * (channel_boot.c builds them, channel.c runs them). At boot it takes each window from its own
 * pages, writes the header and maps the window into the two ends' stage-2 tables only; afterwards
 * it keeps each end's generation and state in the header and rings doorbells. It never reads a
 * queue or a message.
 *
 * A doorbell sets the channel's bit in the peer partition's pending set (struct partition). While
 * the set is not empty, the peer's idle calls return GOOS_EV_VIRTQ; a ring wakes the peer's idle
 * vCPUs, or when none is idle raises VIRQ_CHANNEL on its vCPU 0, held until the set is taken.
 */
#ifndef GOHV_CHANNEL_H
#define GOHV_CHANNEL_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "err.h"
#include "virq.h"

struct partition;
struct vcpu;

struct channel {
	const struct channel_config *cfg;
	unsigned id;			  /* its place in the config: the pending set's bit */
	bool up;			  /* built: the window is mapped in both ends */
	struct partition *end[CHAN_ENDS]; /* by role */
	uint64_t pa;			  /* the window's host-physical address */
	uint8_t *window;		  /* the hv's pointer to it */
};

/* Boot, once every partition is created: builds each channel of the config, or refuses it alone
 * with one line (an end refused, no memory) while its ends run without it. */
void channels_create(void);

/* GOOS_FN_CHAN_NOTIFY from partition p: rings the peer of channel id. HV_ERR_INVALID_PARAM when p
 * is not an end of a built channel id, HV_ERR_PEER_DOWN when the peer is not running. */
enum hv_err channel_notify(struct partition *p, unsigned long id);
/* GOOS_FN_CHAN_PENDING: takes p's pending set, atomically, and lowers the channel interrupt. */
uint64_t channel_take(struct partition *p);
/* Whether p's pending set is non-empty (an idle returns GOOS_EV_VIRTQ then). */
static inline bool channel_pending(const struct partition *p);

/* p starts (its vCPU 0 not yet running): a new generation and UP for its end of each of its
 * channels, each peer rung. Its pending set is emptied first: nothing of the last run rings. */
void channels_started(struct partition *p);
/* p stopped running (it is stopping or stopped): DOWN for its ends, each peer rung. */
void channels_stopped(struct partition *p);

/* p's role in channel c, which it is an end of (its bit is in p->chan_owned). */
static inline enum chan_role channel_role(const struct channel *c, const struct partition *p)
{
	return c->end[CHAN_DRIVER] == p ? CHAN_DRIVER : CHAN_DEVICE;
}

/* Writes /goos/channel@<address> for each of p's built channels into a tree being written. */
int channel_fdt(const struct partition *p, void *fdt);

/* The virtual interrupts a vCPU has enabled from its start besides its CPU's own: the channel
 * interrupt on vCPU 0 of a channel end (the guest masks it with its own interrupt enable). */
uint32_t channel_virqs(const struct vcpu *v);

#include "partition.h"

static inline bool channel_pending(const struct partition *p)
{
	return __atomic_load_n(&p->chan_pending, __ATOMIC_SEQ_CST) != 0;
}

#endif

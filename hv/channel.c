/* Channels while they run: doorbells, the pending set and each end's state and generation
 * (channel.h; docs/channels.md). Building the windows is channel_boot.c. */
#include "channel.h"

#include <goos.h>

#include "hv.h"

_Static_assert(CONFIG_MAX_CHANNELS <= 64, "a pending set is one u64");
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "the header is little-endian: a big-endian port must swap its stores");

static volatile uint32_t *word32(const struct channel *c, unsigned off)
{
	return (volatile uint32_t *)(c->window + off);
}

static unsigned gen_off(enum chan_role r)
{
	return r == CHAN_DRIVER ? GOOS_CHAN_H_DRIVER_GEN : GOOS_CHAN_H_DEVICE_GEN;
}

static unsigned state_off(enum chan_role r)
{
	return r == CHAN_DRIVER ? GOOS_CHAN_H_DRIVER_STATE : GOOS_CHAN_H_DEVICE_STATE;
}

static struct partition *peer_of(const struct channel *c, const struct partition *p)
{
	return c->end[channel_role(c, p) == CHAN_DRIVER ? CHAN_DEVICE : CHAN_DRIVER];
}

/* Rings partition p for channel id: its idle vCPUs wake; when none is idle, its vCPU 0 gets the
 * channel interrupt. Each side writes, then reads the other's word, sequentially consistent: a
 * vCPU going idle sets its wait before it looks at the set (vcpu_wait), and one leaving idle
 * clears it before it looks again (vcpu_wait_end); so either the ring sees it idle and wakes
 * it, or it sees the bit, or the ring raises the interrupt. */
static void ring(struct partition *p, unsigned id)
{
	bool woke = false;

	__atomic_fetch_or(&p->chan_pending, 1UL << id, __ATOMIC_SEQ_CST);
	for (unsigned i = 0; i < p->nvcpus; i++) {
		struct vcpu *w = &p->vcpus[i];

		if (__atomic_load_n(&w->wait, __ATOMIC_SEQ_CST) == WAIT_IDLE) {
			vcpu_post(w, VREQ_WAKE);
			woke = true;
		}
	}
	if (woke)
		return;
	__atomic_store_n(&p->chan_irq, 1, __ATOMIC_SEQ_CST);
	vcpu_inject(&p->vcpus[0], VIRQ_CHANNEL);
}

static bool running(const struct partition *p)
{
	return __atomic_load_n(&p->state, __ATOMIC_SEQ_CST) == PART_RUNNING;
}

enum hv_err channel_notify(struct partition *p, unsigned long id)
{
	if (id >= CONFIG_MAX_CHANNELS || !(p->chan_owned & (1UL << id)))
		return HV_ERR_INVALID_PARAM;
	struct partition *peer = peer_of(&hv.channels[id], p);

	if (!running(peer))
		return HV_ERR_PEER_DOWN;
	ring(peer, (unsigned)id);
	return HV_OK;
}

uint64_t channel_take(struct partition *p)
{
	uint64_t set = __atomic_exchange_n(&p->chan_pending, 0, __ATOMIC_SEQ_CST);

	if (__atomic_exchange_n(&p->chan_irq, 0, __ATOMIC_SEQ_CST)) {
		vcpu_withdraw(&p->vcpus[0], VIRQ_CHANNEL);
		/* A ring since the exchange may have had its interrupt withdrawn just now. */
		if (channel_pending(p)) {
			__atomic_store_n(&p->chan_irq, 1, __ATOMIC_SEQ_CST);
			vcpu_inject(&p->vcpus[0], VIRQ_CHANNEL);
		}
	}
	return set;
}

/* For each channel of p: its end's state in the header (its generation first, when it starts),
 * then the peer rung if it runs. */
static void set_state(struct partition *p, uint32_t state)
{
	for (unsigned id = 0; id < hv.nchannels; id++) {
		struct channel *c = &hv.channels[id];

		if (!(p->chan_owned & (1UL << id)))
			continue;
		enum chan_role r = channel_role(c, p);
		struct partition *peer = peer_of(c, p);

		if (state == GOOS_CHAN_UP)
			__atomic_store_n(word32(c, gen_off(r)), *word32(c, gen_off(r)) + 1,
					 __ATOMIC_RELEASE);
		__atomic_store_n(word32(c, state_off(r)), state, __ATOMIC_SEQ_CST);
		if (running(peer))
			ring(peer, c->id);
	}
}

void channels_started(struct partition *p)
{
	set_state(p, GOOS_CHAN_UP);
}

void channels_stopped(struct partition *p)
{
	set_state(p, GOOS_CHAN_DOWN);
}

uint32_t channel_virqs(const struct vcpu *v)
{
	return v->id == 0 && v->part->chan_owned ? VIRQ_BIT(VIRQ_CHANNEL) : 0;
}

/*
 * gchan's driver end: it owns the descriptors, the available rings and the pool. Buffer i of
 * queue q is pool slot q * bufs + i, posted as descriptor i; what it posted is kept here and
 * never read back from the window, so a device that rewrites the descriptor table fools only
 * itself. From the window the driver reads only the used rings, each entry checked.
 */
#include <string.h>

#include "gchan_impl.h"

static uint64_t slot_gpa(const struct gchan *c, unsigned q, unsigned id)
{
	return c->gpa + c->pool + (uint64_t)(q * c->bufs + id) * GOOS_CHAN_SLOT;
}

static uint8_t *slot_ptr(const struct gchan *c, unsigned q, unsigned id)
{
	return c->win + c->pool + (uint64_t)(q * c->bufs + id) * GOOS_CHAN_SLOT;
}

/* Descriptor id of queue q: buffer id, len bytes, device-writable or not; then on the ring. The
 * idx is published separately (publish), after a barrier. */
static void post(struct gchan *c, unsigned q, unsigned id, uint32_t len, uint16_t flags)
{
	struct gchan_queue *r = &c->q[q];
	struct virtq_desc *d = &r->desc[id];

	VIRTQ_STORE(&d->addr, slot_gpa(c, q, id));
	VIRTQ_STORE(&d->len, len);
	VIRTQ_STORE(&d->flags, flags);
	VIRTQ_STORE(&d->next, 0);
	VIRTQ_STORE(&r->avail->ring[r->avail_idx % c->qsize], (uint16_t)id);
	r->avail_idx++;
}

static void publish(struct gchan *c, unsigned q)
{
	VIRTQ_WMB();
	VIRTQ_STORE(&c->q[q].avail->idx, c->q[q].avail_idx);
	c->doorbell = true;
}

void gchan_driver_reset(struct gchan *c)
{
	for (unsigned q = 0; q < 2; q++) {
		VIRTQ_STORE(&c->q[q].avail->flags, 0);
		c->q[q].avail_idx = 0;
		c->q[q].used_idx = 0;
	}
	c->nfree = c->bufs;
	for (unsigned i = 0; i < c->bufs; i++) {
		c->free[i] = (uint16_t)(c->bufs - 1 - i);
		c->tx_len[i] = 0;
	}
	for (unsigned i = 0; i < c->bufs; i++)
		post(c, GOOS_CHAN_QUEUE_TO_DRIVER, i, GOOS_CHAN_SLOT, VIRTQ_DESC_F_WRITE);
	publish(c, GOOS_CHAN_QUEUE_TO_DEVICE);
	publish(c, GOOS_CHAN_QUEUE_TO_DRIVER);
}

/* The used idx of queue q once checked: at most N entries past the last one taken. Returns how
 * many are new, or a negative error. */
static int used_new(struct gchan *c, unsigned q)
{
	uint16_t idx = VIRTQ_LOAD(&c->q[q].used->idx);
	uint16_t n = (uint16_t)(idx - c->q[q].used_idx);

	VIRTQ_RMB();
	if (n > c->qsize)
		return gchan_fail(c, "queue %u: used idx %u is %u past %u (queue size %u)", q, idx,
				  n, c->q[q].used_idx, c->qsize);
	return n;
}

/* Takes back the buffers the device has consumed on queue 0. */
static int reclaim(struct gchan *c)
{
	struct gchan_queue *r = &c->q[GOOS_CHAN_QUEUE_TO_DEVICE];
	int n = used_new(c, GOOS_CHAN_QUEUE_TO_DEVICE);

	for (; n > 0; n--) {
		struct virtq_used_elem *e = &r->used->ring[r->used_idx % c->qsize];
		uint32_t id = VIRTQ_LOAD(&e->id), len = VIRTQ_LOAD(&e->len);

		if (id >= c->bufs || !c->tx_len[id])
			return gchan_fail(c, "queue 0: used id %u is no buffer in flight", id);
		if (len > c->tx_len[id])
			return gchan_fail(c, "queue 0: used len %u above the buffer's %u", len,
					  c->tx_len[id]);
		c->tx_len[id] = 0;
		c->free[c->nfree++] = (uint16_t)id;
		r->used_idx++;
	}
	return n;
}

int gchan_driver_send(struct gchan *c, uint32_t type, const void *buf, size_t len)
{
	struct gchan_msg_hdr h = {(uint32_t)len, type};
	unsigned id;
	uint8_t *slot;
	int rc = gchan_enter(c);

	if (rc)
		return rc;
	rc = reclaim(c);
	if (rc < 0)
		return rc;
	if (!c->nfree)
		return GCHAN_E_AGAIN;
	id = c->free[--c->nfree];
	slot = slot_ptr(c, GOOS_CHAN_QUEUE_TO_DEVICE, id);
	memcpy(slot, &h, sizeof(h));
	if (len)
		memcpy(slot + sizeof(h), buf, len);
	c->tx_len[id] = (uint16_t)(sizeof(h) + len);
	post(c, GOOS_CHAN_QUEUE_TO_DEVICE, id, c->tx_len[id], 0);
	publish(c, GOOS_CHAN_QUEUE_TO_DEVICE);
	return GCHAN_OK;
}

int gchan_driver_recv(struct gchan *c, uint32_t *type, void *buf, size_t size)
{
	struct gchan_queue *r = &c->q[GOOS_CHAN_QUEUE_TO_DRIVER];
	struct virtq_used_elem *e;
	struct gchan_msg_hdr h;
	uint32_t id, len;
	uint8_t *slot;
	int rc = gchan_enter(c);

	if (rc)
		return rc;
	rc = used_new(c, GOOS_CHAN_QUEUE_TO_DRIVER);
	if (rc <= 0)
		return rc < 0 ? rc : GCHAN_E_AGAIN;
	e = &r->used->ring[r->used_idx % c->qsize];
	id = VIRTQ_LOAD(&e->id);
	len = VIRTQ_LOAD(&e->len);
	/* Every buffer of queue 1 is with the device all the time (each is posted again as soon
	 * as it is read), so any id below bufs is one the device may return. */
	if (id >= c->bufs)
		return gchan_fail(c, "queue 1: used id %u is no buffer (queue size %u, %u buffers)",
				  id, c->qsize, c->bufs);
	if (len > GOOS_CHAN_SLOT)
		return gchan_fail(c, "queue 1: used len %u above the buffer's %u", len,
				  GOOS_CHAN_SLOT);
	if (len < sizeof(h))
		return gchan_fail(c, "queue 1: used len %u is shorter than a message header", len);
	slot = slot_ptr(c, GOOS_CHAN_QUEUE_TO_DRIVER, id);
	memcpy(&h, slot, sizeof(h));
	/* len <= the slot, so this also keeps h.len within GOOS_CHAN_MSG_MAX. */
	if (h.len > len - sizeof(h))
		return gchan_fail(c, "queue 1: message length %u above the %u bytes used", h.len,
				  len);
	if (h.len > size)
		return GCHAN_E_TOO_LONG;
	if (h.len)
		memcpy(buf, slot + sizeof(h), h.len);
	if (type)
		*type = h.type;
	r->used_idx++;
	post(c, GOOS_CHAN_QUEUE_TO_DRIVER, id, GOOS_CHAN_SLOT, VIRTQ_DESC_F_WRITE);
	publish(c, GOOS_CHAN_QUEUE_TO_DRIVER);
	return (int)h.len;
}

/* Without checks: a change means "try the call", which checks. */
unsigned gchan_driver_poll(struct gchan *c)
{
	unsigned m = 0;

	if (VIRTQ_LOAD(&c->q[GOOS_CHAN_QUEUE_TO_DRIVER].used->idx) !=
	    c->q[GOOS_CHAN_QUEUE_TO_DRIVER].used_idx)
		m |= GCHAN_POLL_IN;
	if (c->nfree || VIRTQ_LOAD(&c->q[GOOS_CHAN_QUEUE_TO_DEVICE].used->idx) !=
			    c->q[GOOS_CHAN_QUEUE_TO_DEVICE].used_idx)
		m |= GCHAN_POLL_OUT;
	return m;
}

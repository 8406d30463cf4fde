/*
 * gchan's device end: it takes the driver's buffers from the available rings and gives them back
 * on the used rings at once, so it holds none between calls. Everything it reads is the
 * driver's: ring indexes, ring entries, descriptors and buffers, each checked before use. A
 * message may come in a chain of descriptors (virtio lets a driver split a buffer however it
 * likes; gchan's driver never does), walked hop by hop with every descriptor checked.
 */
#include <string.h>

#include "gchan_impl.h"

void gchan_device_reset(struct gchan *c)
{
	for (unsigned q = 0; q < 2; q++) {
		c->q[q].avail_idx = 0;
		c->q[q].used_idx = 0;
		VIRTQ_STORE(&c->q[q].used->flags, 0);
		VIRTQ_STORE(&c->q[q].used->idx, 0);
	}
}

/* The head of queue q's next available chain, or GCHAN_E_AGAIN when there is none, or an
 * error. */
static int next_head(struct gchan *c, unsigned q)
{
	struct gchan_queue *r = &c->q[q];
	uint16_t idx = VIRTQ_LOAD(&r->avail->idx);
	uint16_t n = (uint16_t)(idx - r->avail_idx);

	VIRTQ_RMB();
	if (n > c->qsize)
		return gchan_fail(c, "queue %u: available idx %u is %u past %u (queue size %u)", q,
				  idx, n, r->avail_idx, c->qsize);
	if (!n)
		return GCHAN_E_AGAIN;
	return VIRTQ_LOAD(&r->avail->ring[r->avail_idx % c->qsize]);
}

/* Walks queue q's chain from id, one descriptor per call: *d gets a copy of descriptor id and
 * *p its buffer in the window, after the checks. *hops counts the descriptors so far. */
static int chain_step(struct gchan *c, unsigned q, unsigned id, unsigned *hops,
		      struct virtq_desc *d, uint8_t **p)
{
	struct virtq_desc *w = &c->q[q].desc[0];
	uint16_t want = q == GOOS_CHAN_QUEUE_TO_DRIVER ? VIRTQ_DESC_F_WRITE : 0;

	if (id >= c->qsize)
		return gchan_fail(c, "queue %u: descriptor %u past the queue size %u", q, id,
				  c->qsize);
	if (++*hops > c->qsize)
		return gchan_fail(c, "queue %u: descriptor chain longer than the queue (a loop)",
				  q);
	d->addr = VIRTQ_LOAD(&w[id].addr);
	d->len = VIRTQ_LOAD(&w[id].len);
	d->flags = VIRTQ_LOAD(&w[id].flags);
	d->next = VIRTQ_LOAD(&w[id].next);
	if (d->flags & VIRTQ_DESC_F_INDIRECT)
		return gchan_fail(c, "queue %u: descriptor %u is indirect (not offered)", q, id);
	if ((d->flags & VIRTQ_DESC_F_WRITE) != want)
		return gchan_fail(c, "queue %u: descriptor %u is %s, the queue needs %s", q, id,
				  want ? "device-readable" : "device-writable",
				  want ? "device-writable" : "device-readable");
	if (d->len > GOOS_CHAN_SLOT)
		return gchan_fail(c, "queue %u: descriptor %u: len %u above a buffer's %u", q, id,
				  d->len, GOOS_CHAN_SLOT);
	*p = gchan_pool_ptr(c, d->addr, d->len);
	if (!*p)
		return gchan_fail(c, "queue %u: descriptor %u: 0x%lx (%u bytes) outside the pool",
				  q, id, (unsigned long)d->addr, d->len);
	return GCHAN_OK;
}

/* Gives chain head of queue q back with len bytes written, and takes it off the ring. */
static void give_back(struct gchan *c, unsigned q, uint16_t head, uint32_t len)
{
	struct gchan_queue *r = &c->q[q];
	struct virtq_used_elem *e = &r->used->ring[r->used_idx % c->qsize];

	VIRTQ_STORE(&e->id, head);
	VIRTQ_STORE(&e->len, len);
	r->used_idx++;
	r->avail_idx++;
	VIRTQ_WMB();
	VIRTQ_STORE(&r->used->idx, r->used_idx);
	c->doorbell = true;
}

/* Bytes [at, at + len) of a message, from a buffer p in the window: those below the header's
 * size to hdr, the payload's to out as far as size allows. */
static void copy_out(uint8_t *hdr, uint8_t *out, size_t size, uint32_t at, const uint8_t *p,
		     uint32_t len)
{
	while (len && at < GOOS_CHAN_MSG_HDR) {
		hdr[at++] = *p++;
		len--;
	}
	if (!len)
		return;
	at -= GOOS_CHAN_MSG_HDR;
	if (at < size)
		memcpy(out + at, p, len < size - at ? len : size - at);
}

/* Fills a buffer p of len bytes in the window with the message's bytes from done on (header,
 * then payload, total in all); returns how many it wrote. */
static uint32_t copy_in(uint8_t *p, uint32_t len, const uint8_t *hdr, const uint8_t *payload,
			uint32_t total, uint32_t done)
{
	uint32_t n = 0;

	for (; n < len && done < GOOS_CHAN_MSG_HDR; n++)
		p[n] = hdr[done++];
	if (n == len || done == total)
		return n;
	if (len - n > total - done)
		len = n + (total - done);
	memcpy(p + n, payload + (done - GOOS_CHAN_MSG_HDR), len - n);
	return len;
}

int gchan_device_recv(struct gchan *c, uint32_t *type, void *buf, size_t size)
{
	const unsigned q = GOOS_CHAN_QUEUE_TO_DEVICE;
	struct gchan_msg_hdr h;
	uint8_t *hb = (uint8_t *)&h;
	uint32_t total = 0;
	unsigned hops = 0;
	int head, rc = gchan_enter(c);

	if (rc)
		return rc;
	head = next_head(c, q);
	if (head < 0)
		return head;
	/* Bytes [0, 8) of the chain are the header, the rest the payload, copied out as they come
	 * (up to size); the header is checked once the chain's length is known. */
	for (unsigned id = (unsigned)head;;) {
		struct virtq_desc d;
		uint8_t *p;

		rc = chain_step(c, q, id, &hops, &d, &p);
		if (rc)
			return rc;
		if (d.len > GOOS_CHAN_SLOT - total)
			return gchan_fail(c, "queue 0: message of more than %u bytes",
					  GOOS_CHAN_SLOT);
		copy_out(hb, buf, size, total, p, d.len);
		total += d.len;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			break;
		id = d.next;
	}
	if (total < sizeof(h))
		return gchan_fail(c, "queue 0: a message of %u bytes is shorter than its header",
				  total);
	/* total <= the slot, so this also keeps h.len within GOOS_CHAN_MSG_MAX. */
	if (h.len > total - sizeof(h))
		return gchan_fail(c, "queue 0: message length %u above the %u bytes posted", h.len,
				  total);
	if (h.len > size)
		return GCHAN_E_TOO_LONG;
	if (type)
		*type = h.type;
	give_back(c, q, (uint16_t)head, 0);
	return (int)h.len;
}

int gchan_device_send(struct gchan *c, uint32_t type, const void *buf, size_t len)
{
	const unsigned q = GOOS_CHAN_QUEUE_TO_DRIVER;
	struct gchan_msg_hdr h = {(uint32_t)len, type};
	const uint8_t *hb = (const uint8_t *)&h;
	uint32_t total = (uint32_t)(sizeof(h) + len), done = 0;
	unsigned hops = 0;
	int head, rc = gchan_enter(c);

	if (rc)
		return rc;
	head = next_head(c, q);
	if (head < 0)
		return head;
	for (unsigned id = (unsigned)head; done < total;) {
		struct virtq_desc d;
		uint8_t *p;

		rc = chain_step(c, q, id, &hops, &d, &p);
		if (rc)
			return rc;
		done += copy_in(p, d.len, hb, buf, total, done);
		if (done < total && !(d.flags & VIRTQ_DESC_F_NEXT))
			return gchan_fail(c, "queue 1: a buffer of %u bytes for a %u-byte message",
					  done, total);
		id = d.next;
	}
	give_back(c, q, (uint16_t)head, total);
	return GCHAN_OK;
}

/* Without checks: a change means "try the call", which checks. */
unsigned gchan_device_poll(struct gchan *c)
{
	unsigned m = 0;

	if (VIRTQ_LOAD(&c->q[GOOS_CHAN_QUEUE_TO_DEVICE].avail->idx) !=
	    c->q[GOOS_CHAN_QUEUE_TO_DEVICE].avail_idx)
		m |= GCHAN_POLL_IN;
	if (VIRTQ_LOAD(&c->q[GOOS_CHAN_QUEUE_TO_DRIVER].avail->idx) !=
	    c->q[GOOS_CHAN_QUEUE_TO_DRIVER].avail_idx)
		m |= GCHAN_POLL_OUT;
	return m;
}

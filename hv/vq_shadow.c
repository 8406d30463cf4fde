/* Shadow virtqueues: the owner's chains checked, translated and posted; used entries copied back.
 * Every field of the owner's rings is read once into a local and the local checked (the owner's
 * other vCPUs may rewrite them meanwhile); only the real rings, which are the hv's and the
 * device's, are trusted to hold what the hv wrote. */
#include "vq_shadow.h"

#include <string.h>

#include "guest_ram.h"

static int refuse(struct vqs_fault *f, const char *what, uint32_t index, uint64_t addr,
		  uint64_t len)
{
	*f = (struct vqs_fault){what, index, addr, len};
	return -1;
}

/* Whether every chunk of RAM offsets [off, off+len), len > 0, is present already. */
static bool all_present(const uint64_t *present, uint64_t off, uint64_t len)
{
	for (uint64_t c = off / GUEST_RAM_CHUNK; c <= (off + len - 1) / GUEST_RAM_CHUNK; c++)
		/* Acquire, as guest_ram.c's own test: a chunk seen present is seen zeroed. */
		if (!(__atomic_load_n(&present[c / 64], __ATOMIC_ACQUIRE) & (1UL << (c % 64))))
			return false;
	return true;
}

/* The range made present by the owner's touch: out of line, so the path of a buffer already
 * present (every one but the first in a chunk) has no call and no frame. */
__attribute__((noinline)) static bool touch(const struct vqs_ram *ram, uint64_t gpa, uint64_t len)
{
	return ram->touch(ram->ctx, gpa, len) != NULL;
}

/* The hv's pointer to [gpa, gpa+len) if all of it is the owner's RAM (nothing wraps), else NULL. */
static inline void *in_ram(const struct vqs_ram *ram, uint64_t gpa, uint64_t len)
{
	uint64_t off = gpa - ram->gpa;

	if (gpa < ram->gpa || off > ram->size || len > ram->size - off)
		return NULL;
	if (ram->touch && !(ram->present && len && all_present(ram->present, off, len)) &&
	    !touch(ram, gpa, len))
		return NULL;
	return ram->hva + off;
}

/* in_ram for the rings, once per enable: one copy of it, not three. */
__attribute__((noinline)) static void *ring_in_ram(const struct vqs_ram *ram, uint64_t gpa,
						   uint64_t len)
{
	return in_ram(ram, gpa, len);
}

int vqs_enable(struct vq_shadow *q, const struct vqs_ram *ram, struct vqs_fault *f)
{
	uint32_t n = q->num;

	q->ready = false;
	if (!n || n > VQS_MAX || (n & (n - 1)))
		return refuse(f, "queue size is not a power of two up to the maximum", n, 0, 0);
	if ((q->desc_gpa % VIRTQ_DESC_ALIGN) || (q->avail_gpa % VIRTQ_AVAIL_ALIGN) ||
	    (q->used_gpa % VIRTQ_USED_ALIGN))
		return refuse(f, "misaligned ring", n, q->desc_gpa, 0);
	if (!(q->gdesc = ring_in_ram(ram, q->desc_gpa, VIRTQ_DESC_BYTES(n))))
		return refuse(f, "descriptor table outside the partition's RAM", n, q->desc_gpa,
			      VIRTQ_DESC_BYTES(n));
	if (!(q->gavail = ring_in_ram(ram, q->avail_gpa, VIRTQ_AVAIL_BYTES(n))))
		return refuse(f, "available ring outside the partition's RAM", n, q->avail_gpa,
			      VIRTQ_AVAIL_BYTES(n));
	if (!(q->gused = ring_in_ram(ram, q->used_gpa, VIRTQ_USED_BYTES(n))))
		return refuse(f, "used ring outside the partition's RAM", n, q->used_gpa,
			      VIRTQ_USED_BYTES(n));
	memset(q->real, 0, sizeof(*q->real));
	q->avail_seen = q->used_seen = 0;
	q->busy = 0;
	q->ready = true;
	return 0;
}

/* Checks and copies the chain at head into the real table; mask gets its descriptors. */
static int copy_chain(struct vq_shadow *q, const struct vqs_ram *ram, uint16_t head, uint64_t *mask,
		      struct vqs_fault *f)
{
	uint32_t n = q->num, i = head;

	*mask = 0;
	for (uint32_t count = 0;; count++) {
		if (i >= n)
			return refuse(f, "descriptor index past the queue size", i, 0, 0);
		if (count >= n)
			return refuse(f, "chain longer than the queue", head, 0, 0);
		if (*mask & (1ULL << i))
			return refuse(f, "chain loops", i, 0, 0);
		if (q->busy & (1ULL << i))
			return refuse(f, "descriptor reused while the device holds it", i, 0, 0);
		struct virtq_desc d = {
		    .addr = VIRTQ_LOAD(&q->gdesc[i].addr),
		    .len = VIRTQ_LOAD(&q->gdesc[i].len),
		    .flags = VIRTQ_LOAD(&q->gdesc[i].flags),
		    .next = VIRTQ_LOAD(&q->gdesc[i].next),
		};
		if (d.flags & VIRTQ_DESC_F_INDIRECT)
			return refuse(f, "indirect descriptor (not offered)", i, d.addr, d.len);
		if (!in_ram(ram, d.addr, d.len))
			return refuse(f, "buffer outside the partition's RAM", i, d.addr, d.len);
		*mask |= 1ULL << i;
		q->real->desc[i] = (struct virtq_desc){
		    .addr = ram->hpa + (d.addr - ram->gpa),
		    .len = d.len,
		    .flags = d.flags & (VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE),
		    .next = d.next,
		};
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return 0;
		i = d.next;
	}
}

int vqs_post(struct vq_shadow *q, const struct vqs_ram *ram, struct vqs_fault *f)
{
	if (!q->ready)
		return refuse(f, "queue not ready", 0, 0, 0);
	uint16_t idx = VIRTQ_LOAD(&q->gavail->idx), real = q->real->avail_idx;
	int posted = 0, r = 0;

	if ((uint16_t)(idx - q->avail_seen) > q->num)
		return refuse(f, "available index runs more than the queue size ahead", idx, 0, 0);
	VIRTQ_RMB();
	while (q->avail_seen != idx) {
		uint32_t slot = q->avail_seen % q->num;
		uint16_t head = VIRTQ_LOAD(&q->gavail->ring[slot]);
		uint64_t mask;

		if ((r = copy_chain(q, ram, head, &mask, f)))
			break;
		q->busy |= mask;
		q->real->avail_ring[real % q->num] = head;
		real++;
		q->avail_seen++;
		posted++;
	}
	/* The owner's no-interrupt hint is not passed on: its used ring is filled only when the
	 * device interrupts the hv (vqs_wants_interrupt says whether the owner hears of it). */
	VIRTQ_WMB();
	VIRTQ_STORE(&q->real->avail_idx, real);
	return r ? r : posted;
}

/* Frees the chain at head (as the hv wrote it) and says how much of it the device may write. */
static uint64_t release_chain(struct vq_shadow *q, uint32_t head)
{
	uint64_t writable = 0;
	uint32_t i = head;

	for (uint32_t count = 0; i < q->num && count < q->num; count++) {
		const struct virtq_desc *d = &q->real->desc[i];

		q->busy &= ~(1ULL << i);
		if (d->flags & VIRTQ_DESC_F_WRITE)
			writable += d->len;
		if (!(d->flags & VIRTQ_DESC_F_NEXT))
			break;
		i = d->next;
	}
	return writable;
}

bool vqs_wants_interrupt(const struct vq_shadow *q)
{
	return q->ready && !(VIRTQ_LOAD(&q->gavail->flags) & VIRTQ_AVAIL_F_NO_INTERRUPT);
}

unsigned vqs_complete(struct vq_shadow *q)
{
	if (!q->ready)
		return 0;
	/* used_seen is the owner's used idx too: one entry copied for each the device wrote. */
	uint16_t idx = VIRTQ_LOAD(&q->real->used_idx);
	unsigned n = 0;

	VIRTQ_RMB();
	for (; q->used_seen != idx; q->used_seen++, n++) {
		uint32_t slot = q->used_seen % q->num;
		struct virtq_used_elem e = q->real->used_ring[slot];
		uint64_t most = e.id < q->num ? release_chain(q, e.id) : 0;

		if (e.len > most)
			e.len = (uint32_t)most;
		VIRTQ_STORE(&q->gused->ring[slot].id, e.id);
		VIRTQ_STORE(&q->gused->ring[slot].len, e.len);
	}
	VIRTQ_STORE(&q->gused->flags, VIRTQ_LOAD(&q->real->used_flags));
	VIRTQ_WMB();
	VIRTQ_STORE(&q->gused->idx, q->used_seen);
	return n;
}

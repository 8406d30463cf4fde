/*
 * Shadow virtqueues (docs/passthrough.md): a passed-through virtio device never sees the owner's
 * rings. Its real rings are the hv's; on each notify the hv copies the owner's new chains into
 * them, each descriptor checked to lie wholly in the owner's RAM and translated to host-physical,
 * and on each device interrupt it copies the used entries back. Without an IOMMU this is what
 * keeps the device's DMA inside the owner.
 *
 * A real descriptor keeps the index of the owner's, so a used entry's id needs no translation. A
 * descriptor the device holds (posted, not yet used) is busy: a chain that names one is refused,
 * so the owner can never rewrite what the device is reading. Pure logic over memory, no locks:
 * the caller (passthru.c) serializes a queue.
 */
#ifndef GOHV_VQ_SHADOW_H
#define GOHV_VQ_SHADOW_H

#include <stdbool.h>
#include <stdint.h>

#include "chan/vring.h"

/* Entries of a shadow queue at most: busy is one word, and the three real rings fit one page. */
#define VQS_MAX 64

/* The owner's RAM: guest-physical [gpa, gpa+size) is at hva for the hv and at hpa for a device.
 * touch, if set, is called on every range before the hv or the device uses it (the RAM is made
 * present on first touch, guest_ram.h); NULL from it refuses the range. present, if set, is the
 * owner's bitmap of present GUEST_RAM_CHUNK chunks: a range wholly in present chunks needs no
 * touch, so a buffer in RAM the owner has used costs a bit test, not a call. */
struct vqs_ram {
	uint8_t *hva;
	uint64_t gpa, size, hpa;
	void *(*touch)(void *ctx, uint64_t gpa, uint64_t len);
	void *ctx;
	const uint64_t *present;
};

/* The device's rings, in one page of hv memory: the split layout of vring.h with the sizes fixed
 * (VQS_REAL_* are the offsets the device is given). */
struct vqs_real {
	struct virtq_desc desc[VQS_MAX];
	uint16_t avail_flags, avail_idx, avail_ring[VQS_MAX + 1]; /* + used_event, unused */
	uint8_t pad[2048 - 16 * VQS_MAX - 2 * (VQS_MAX + 3)];
	uint16_t used_flags, used_idx;
	struct virtq_used_elem used_ring[VQS_MAX];
	uint16_t avail_event;
};
#define VQS_REAL_AVAIL __builtin_offsetof(struct vqs_real, avail_flags)
#define VQS_REAL_USED  __builtin_offsetof(struct vqs_real, used_flags)
_Static_assert(VQS_REAL_USED == 2048 && sizeof(struct vqs_real) <= 4096, "one page, used aligned");

/* Why a queue was refused: what, the descriptor index (or ring slot) and the buffer. */
struct vqs_fault {
	const char *what;
	uint32_t index;
	uint64_t addr, len;
};

struct vq_shadow {
	/* What the owner wrote in the queue's registers (guest-physical). */
	uint32_t num;
	uint64_t desc_gpa, avail_gpa, used_gpa;
	/* From vqs_enable on: the owner's rings, checked to lie in its RAM. */
	struct virtq_desc *gdesc;
	struct virtq_avail *gavail;
	struct virtq_used *gused;
	struct vqs_real *real; /* the caller's page */
	uint16_t avail_seen;   /* the owner's avail idx up to which chains were posted */
	uint16_t used_seen;    /* the device's used idx up to which entries were copied back */
	uint64_t busy;	       /* bit i: real descriptor i is the device's */
	bool ready;
};

/* Checks q's size and rings against the owner's RAM and starts it empty, its real rings (q->real)
 * cleared. 0, or -1 with f filled. */
int vqs_enable(struct vq_shadow *q, const struct vqs_ram *ram, struct vqs_fault *f);
/* Posts the chains the owner made available since the last call. Returns how many, or -1 with f
 * filled: that chain and those after it are not posted (the ones before are, and stay valid). */
int vqs_post(struct vq_shadow *q, const struct vqs_ram *ram, struct vqs_fault *f);
/* Whether the owner wants an interrupt for its used entries (its VIRTQ_AVAIL_F_NO_INTERRUPT
 * hint is off). */
bool vqs_wants_interrupt(const struct vq_shadow *q);
/* Copies the device's new used entries into the owner's used ring (each length at most what its
 * chain lets the device write) and frees their descriptors. Returns how many. */
unsigned vqs_complete(struct vq_shadow *q);

#endif

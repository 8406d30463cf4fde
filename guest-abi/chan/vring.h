/*
 * The split virtqueue of virtio 1.2 (section 2.7), as gohv's channels lay it out in a window
 * (docs/channels.md), and the memory ordering two CPUs sharing it need.
 *
 * Every field lives in memory the peer can write at any time: read each one once, into a local,
 * with VIRTQ_LOAD, and check the local. The ring indexes are free-running u16s; N (a power of two
 * up to VIRTQ_MAX_SIZE) divides 65536, so an entry's slot is idx % N.
 */
#ifndef GCHAN_VRING_H
#define GCHAN_VRING_H

#include <stdint.h>

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "virtqueues are little-endian and this code reads them natively"
#endif

#define VIRTQ_DESC_F_NEXT	   1 /* the chain goes on at `next` */
#define VIRTQ_DESC_F_WRITE	   2 /* device-writable (else device-readable) */
#define VIRTQ_DESC_F_INDIRECT	   4 /* VIRTIO_F_INDIRECT_DESC, which channels do not offer */
#define VIRTQ_MAX_SIZE		   32768
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1 /* avail flags: the driver would rather poll */

struct virtq_desc {
	uint64_t addr; /* guest-physical */
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

/* Written by the driver. ring[N] is followed by u16 used_event (VIRTIO_F_EVENT_IDX). */
struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};

struct virtq_used_elem {
	uint32_t id;  /* head of the chain the device used */
	uint32_t len; /* bytes the device wrote into it */
};

/* Written by the device. ring[N] is followed by u16 avail_event. */
struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[];
};

_Static_assert(sizeof(struct virtq_desc) == 16, "virtio 1.2 2.7.5");
_Static_assert(sizeof(struct virtq_used_elem) == 8, "virtio 1.2 2.7.8");

/* Bytes of each part for N entries, and the alignment virtio requires of it (2.7.2). */
#define VIRTQ_DESC_BYTES(n)  (16UL * (n))
#define VIRTQ_AVAIL_BYTES(n) (6UL + 2UL * (n))
#define VIRTQ_USED_BYTES(n)  (6UL + 8UL * (n))
#define VIRTQ_DESC_ALIGN     16
#define VIRTQ_AVAIL_ALIGN    2
#define VIRTQ_USED_ALIGN     4

/*
 * Ordering (virtio 1.2 2.7.13 and 2.7.7): the writer fills descriptors and buffers, then
 * VIRTQ_WMB, then the ring's idx; the reader reads the idx, then VIRTQ_RMB, then the entry, the
 * descriptor and the buffer. VIRTQ_WMB orders earlier reads too (a buffer read out before it is
 * handed back) and VIRTQ_RMB later writes too, so they are release and acquire fences (RISC-V's
 * `fence rw,w` and `fence r,rw`), not virtio's weaker write and read barriers. Elsewhere (the host
 * tests) the C11 fences, which on x86 are only compiler barriers, as TSO needs.
 */
#if defined(__riscv)
#define VIRTQ_WMB() __asm__ volatile("fence rw,w" ::: "memory")
#define VIRTQ_RMB() __asm__ volatile("fence r,rw" ::: "memory")
#else
#define VIRTQ_WMB() __atomic_thread_fence(__ATOMIC_RELEASE)
#define VIRTQ_RMB() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#endif
/* One untorn access to a shared field, which the compiler neither repeats nor merges. */
#define VIRTQ_LOAD(p)	  __atomic_load_n((p), __ATOMIC_RELAXED)
#define VIRTQ_STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)

#endif

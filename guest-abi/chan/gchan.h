/*
 * gchan: one end of a message channel (docs/channels.md) over the split virtqueues of a
 * channel window, shared by C guests (libgoos) and gort so the tree has one virtqueue
 * implementation. Queue 0 carries driver -> device messages, queue 1 device -> driver; a message
 * is an 8-byte header (payload length, type) and up to GOOS_CHAN_MSG_MAX bytes of payload.
 *
 * Pure: it reads and writes only the window and its struct, never calls the hv (after an
 * operation, gchan_doorbell says whether to ring the peer), and needs only memcpy, memset and
 * (v)snprintf, so it builds freestanding (link lib/string.c and lib/fmt.c) and on the host.
 * Everything the peer can write is checked before use and copied out of the window before it
 * is parsed: a hostile peer can break the channel (GCHAN_E_BROKEN until the next reset), never
 * make the reader touch memory outside the window.
 *
 * One struct per end. Its calls are not thread-safe: a caller with several threads locks.
 */
#ifndef GCHAN_H
#define GCHAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "goos.h"
#include "vring.h"

/* driver: owns the descriptors, the available rings and the pool; device: takes buffers from
 * the available rings and gives them back on the used rings. */
enum gchan_role {
	GCHAN_DRIVER,
	GCHAN_DEVICE,
};

/*
 * What the calls return (gchan_recv: the payload length on success):
 * AGAIN        nothing to receive, or no buffer to send in: wait for a doorbell, try again;
 * NOT_READY    the channel carries no messages (yet): wait for a doorbell, try again;
 * PEER_RESTARTED  the peer went away and what was in flight is lost; once per restart, then
 *              NOT_READY until both ends have reset for the new generation;
 * BROKEN       a check on the peer's writes failed (gchan_reason says which), until the next
 *              reset;
 * TOO_LONG     send: above GOOS_CHAN_MSG_MAX; recv: above the buffer (the message stays queued);
 * INVALID      gchan_attach: not a window this library can use (gchan_reason says why).
 */
#define GCHAN_OK	       0
#define GCHAN_E_AGAIN	       (-1)
#define GCHAN_E_NOT_READY      (-2)
#define GCHAN_E_PEER_RESTARTED (-3)
#define GCHAN_E_BROKEN	       (-4)
#define GCHAN_E_TOO_LONG       (-5)
#define GCHAN_E_INVALID	       (-6)

/* gchan_poll's mask. IN and OUT: the call would not wait (it may still return an error). */
#define GCHAN_POLL_IN	     (1U << 0) /* gchan_recv */
#define GCHAN_POLL_OUT	     (1U << 1) /* gchan_send */
#define GCHAN_POLL_RESTARTED (1U << 2) /* the next send or recv returns GCHAN_E_PEER_RESTARTED */
#define GCHAN_POLL_BROKEN    (1U << 3)

/* Buffers the driver hands out per direction: min(N, pool slots / 2, GCHAN_BUFS_MAX). */
#define GCHAN_BUFS_MAX 256

/* A queue as this end sees it. The indexes are this end's own count, never read back from the
 * window (the peer could rewrite them there). avail_idx: the driver's next avail idx to publish,
 * the device's next entry to take; used_idx: the driver's next used entry to take, the device's
 * next used idx to publish. */
struct gchan_queue {
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	uint16_t avail_idx;
	uint16_t used_idx;
};

struct gchan {
	uint8_t *win; /* the window in this end's address space */
	uint64_t gpa; /* ... and its guest-physical address, which descriptors hold */
	uint64_t size;
	enum gchan_role role;
	uint32_t id;	/* the doorbell's channel id */
	uint32_t qsize; /* N */
	uint64_t pool;	/* offset of the buffer pool in the window */
	uint64_t pool_size;
	unsigned bufs; /* buffers per direction (driver) */
	struct gchan_queue q[2];
	char name[GOOS_CHAN_NAME_MAX + 1];

	uint64_t gen;	 /* the generation pair this end last reset for */
	bool reset_once; /* gen is meaningful */
	bool session;	 /* both ends reset for gen and up: messages flow */
	bool ended;	 /* a session of gen is over: wait for a new gen */
	bool restarted;	 /* GCHAN_E_PEER_RESTARTED is owed to the caller */
	bool broken;
	bool doorbell; /* the peer should be rung */

	/* Driver: buffers of queue 0 free to send in, and each one's posted length (0: free). */
	uint16_t free[GCHAN_BUFS_MAX];
	unsigned nfree;
	uint16_t tx_len[GCHAN_BUFS_MAX];

	void (*log)(const char *line);
	char reason[112];
};

/*
 * Attaches c as `role` to the window mapped at `win`, whose guest-physical address is gpa and
 * size `size`, after checking the header page (magic, version, queue count >= 2, queue size,
 * every ring and the pool inside the window, apart and aligned). log (NULL: none) gets one line
 * per refusal or broken channel. GCHAN_OK or GCHAN_E_INVALID.
 */
int gchan_attach(struct gchan *c, void *win, uint64_t gpa, uint64_t size, enum gchan_role role,
		 void (*log)(const char *line));

/* Posts one message of len bytes with the given type. GCHAN_OK or a GCHAN_E_*. */
int gchan_send(struct gchan *c, uint32_t type, const void *buf, size_t len);
/* Takes one message into buf (size bytes), its type into *type (may be NULL). The payload length
 * or a GCHAN_E_*; on an error buf's content is unspecified. */
int gchan_recv(struct gchan *c, uint32_t *type, void *buf, size_t size);
/* GCHAN_POLL_* now. Resets the channel on a new generation, like the calls above. */
unsigned gchan_poll(struct gchan *c);
/* True once after calls that posted, returned or reset buffers: ring the peer now
 * (GOOS_FN_CHAN_NOTIFY with gchan_id). Several calls may share one doorbell. */
bool gchan_doorbell(struct gchan *c);

uint32_t gchan_id(const struct gchan *c);
const char *gchan_name(const struct gchan *c);
/* Why the last refusal or break happened ("" if none). */
const char *gchan_reason(const struct gchan *c);

#endif

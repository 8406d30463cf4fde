/* What gchan.c (attach, generations, checks) shares with the two ends' files. */
#ifndef GCHAN_IMPL_H
#define GCHAN_IMPL_H

#include "gchan.h"

/* Starts an operation: resets on a new generation pair, then GCHAN_OK if messages flow, else
 * the error the caller returns. */
int gchan_enter(struct gchan *c);
/* A check on the peer's writes failed: the channel is broken for this generation (one line to
 * the log), unless the generation changed under the operation (then what looked forged was the
 * peer resetting, and the caller gets GCHAN_E_PEER_RESTARTED). Returns the caller's error. */
int gchan_fail(struct gchan *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The window bytes [addr, addr + len) of a guest-physical range inside the buffer pool, or NULL
 * when any of it is outside (computed without wrapping). */
void *gchan_pool_ptr(const struct gchan *c, uint64_t addr, uint64_t len);

void gchan_driver_reset(struct gchan *c);
int gchan_driver_send(struct gchan *c, uint32_t type, const void *buf, size_t len);
int gchan_driver_recv(struct gchan *c, uint32_t *type, void *buf, size_t size);
unsigned gchan_driver_poll(struct gchan *c);

void gchan_device_reset(struct gchan *c);
int gchan_device_send(struct gchan *c, uint32_t type, const void *buf, size_t len);
int gchan_device_recv(struct gchan *c, uint32_t *type, void *buf, size_t size);
unsigned gchan_device_poll(struct gchan *c);

/* The message header at the start of a buffer. */
struct gchan_msg_hdr {
	uint32_t len; /* payload bytes */
	uint32_t type;
};
_Static_assert(sizeof(struct gchan_msg_hdr) == GOOS_CHAN_MSG_HDR, "docs/channels.md");

#endif

/*
 * The remote socket backend (sock_netd.c): sockets carried to netd, the networking driver
 * partition, over one message channel (docs/netproto.md). chan.c hands it the link to the
 * partition's channel named "net" and pumps it on that channel's doorbell; sock.c routes the
 * sockets to it.
 */
#ifndef GORT_SOCK_NETD_H
#define GORT_SOCK_NETD_H

#include <stdbool.h>
#include <stddef.h>

#include "sock.h"

/* The channel name gort's remote sockets use (boards/README.md, guest-abi/README.md). */
#define SOCK_NETD_CHANNEL "net"

/* One message each way; neither waits. send: 0, -EAGAIN (no room, or the peer is not up yet),
 * -ECONNRESET (the peer restarted: once per restart), -EIO (the channel is broken). recv: the
 * message's length, or the same errors (-EAGAIN: nothing to read). */
struct netd_link {
	long (*send)(void *ctx, const void *msg, size_t len);
	long (*recv)(void *ctx, void *buf, size_t size);
	void *ctx;
};

/* Uses link from now on (NULL: none; every remote socket is dropped) and starts a session. */
void sock_netd_attach(const struct netd_link *link);
/* Serves what netd sent and posts what waited for room: on the channel's doorbell. */
void sock_netd_pump(void);
/* Whether there is a netd to carry non-loopback sockets (else they are ENETUNREACH). */
bool sock_netd_present(void);
/* sys_listen: a stream listener bound to 0.0.0.0 is served by netd too (its backend stays the
 * loopback for local connections). */
void sock_netd_listen(struct sock *s);
/* setsockopt on a socket netd carries: the options netd acts on (SO_KEEPALIVE, TCP_NODELAY,
 * TCP_KEEP*) are sent on (gort keeps its own copy for getsockopt); the rest stay here. */
void sock_netd_setsockopt(struct sock *s, int level, int name, int val);
/* sock.c, as a listener's last descriptor closes: its netd half goes (s->remote). */
void sock_netd_forget(struct sock *s);

extern const struct sock_backend sock_netd;

#endif

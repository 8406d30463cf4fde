/* The socket-forwarding protocol between a client partition (gort's remote socket backend) and
 * netd, the networking driver partition, over one gohv message channel per client
 * (docs/netproto.md says what each message means and who sends it). One channel message is one
 * protocol message: a header and a payload, little-endian, at most NETPROTO_MSG_MAX bytes.
 *
 * netd's Go definitions (guest-abi/netd/proto.go) are checked against this file by netd's tests
 * (`make netd-test`): this is the one definition. Only `#define NETPROTO_<NAME> <integer>` lines
 * are facts; the Go side has a constant of the same name and value for each. */
#ifndef GOHV_NETPROTO_H
#define GOHV_NETPROTO_H

#include <stdint.h>

#define NETPROTO_VERSION 1

/* Sizes. NETPROTO_MSG_MAX is GOOS_CHAN_MSG_MAX (the unit tests check it). */
#define NETPROTO_MSG_MAX       4088
#define NETPROTO_HDR_SIZE      16
#define NETPROTO_DATA_MAX      4072 /* MSG_MAX - HDR_SIZE: a DATA message's payload */
#define NETPROTO_SOCKADDR_SIZE 16   /* a Linux struct sockaddr_in, as in memory */
#define NETPROTO_DGRAM_MAX     4056 /* DATA_MAX - SOCKADDR_SIZE: the largest datagram */

/* Header field offsets (struct netproto_hdr below). */
#define NETPROTO_OFF_TYPE  0  /* u16 message type, NETPROTO_T_* */
#define NETPROTO_OFF_FLAGS 2  /* u16 NETPROTO_F_* */
#define NETPROTO_OFF_SOCK  4  /* u32 socket id (netd's, from 1), 0 where none */
#define NETPROTO_OFF_REQ   8  /* u32 request id (the client's), echoed in the reply; 0 otherwise */
#define NETPROTO_OFF_VAL   12 /* i32 argument or result: >= 0, or -errno (Linux numbers) */

/* Requests: client -> netd, each answered by one NETPROTO_T_REPLY with the same req. */
#define NETPROTO_T_HELLO       1  /* val = VERSION; a new session: old sockets closed */
#define NETPROTO_T_SOCKET      2  /* payload i32 domain, type, protocol; reply val = new sock id */
#define NETPROTO_T_BIND	       3  /* payload sockaddr_in */
#define NETPROTO_T_LISTEN      4  /* val = backlog */
#define NETPROTO_T_ACCEPT      5  /* reply val = new sock id, payload the peer's sockaddr_in */
#define NETPROTO_T_CONNECT     6  /* payload sockaddr_in; reply -EINPROGRESS, then EV_CONNECTED */
#define NETPROTO_T_GETSOCKNAME 7  /* reply payload sockaddr_in */
#define NETPROTO_T_GETPEERNAME 8  /* reply payload sockaddr_in */
#define NETPROTO_T_SETSOCKOPT  9  /* payload i32 level, name, value */
#define NETPROTO_T_GETSOCKOPT  10 /* payload i32 level, name; reply payload i32 value */
#define NETPROTO_T_SHUTDOWN    11 /* val = how (SHUT_RD 0, SHUT_WR 1, SHUT_RDWR 2) */
#define NETPROTO_T_CLOSE       12 /* the id is gone once sent: nothing more arrives for it */
#define NETPROTO_T_REPLY       32 /* netd -> client: val = result or -errno */

/* The byte flow, both directions, per socket and bounded by credit. */
#define NETPROTO_T_DATA	  64 /* stream: the bytes; datagram: sockaddr_in, then the datagram */
#define NETPROTO_T_CREDIT 65 /* val = bytes of DATA payload the receiver has consumed */

/* Events: netd -> client, unasked (req 0). */
#define NETPROTO_T_EV_CONNECTED 80 /* a connect finished: val = 0 or -errno */
#define NETPROTO_T_EV_ACCEPT	81 /* a listener has a connection to accept */
#define NETPROTO_T_EV_EOF	82 /* the peer closed its side: after its last DATA */
#define NETPROTO_T_EV_ERROR	83 /* the socket failed: val = -errno; nothing follows it */

/* Flags. */
#define NETPROTO_F_MORE	 1 /* ACCEPT reply: the listener has more connections waiting */
#define NETPROTO_F_TRUNC 2 /* DATA from netd: the datagram was longer than DGRAM_MAX, cut */

/* Flow control: each side may have at most WINDOW bytes of DATA payload per socket that the other
 * has not returned by CREDIT; both windows are full when a socket's id is handed out. */
#define NETPROTO_WINDOW 65536

/* What one client may hold (netd refuses past it: docs/netproto.md). */
#define NETPROTO_MAX_SOCKETS 128 /* sockets, listeners and accepted ones: then -EMFILE */
#define NETPROTO_MAX_BACKLOG 128 /* a listen backlog above it is cut to it */

struct netproto_hdr {
	uint16_t type;
	uint16_t flags;
	uint32_t sock;
	uint32_t req;
	int32_t val;
};

_Static_assert(sizeof(struct netproto_hdr) == NETPROTO_HDR_SIZE, "netproto header size");
_Static_assert(__builtin_offsetof(struct netproto_hdr, type) == NETPROTO_OFF_TYPE, "type");
_Static_assert(__builtin_offsetof(struct netproto_hdr, flags) == NETPROTO_OFF_FLAGS, "flags");
_Static_assert(__builtin_offsetof(struct netproto_hdr, sock) == NETPROTO_OFF_SOCK, "sock");
_Static_assert(__builtin_offsetof(struct netproto_hdr, req) == NETPROTO_OFF_REQ, "req");
_Static_assert(__builtin_offsetof(struct netproto_hdr, val) == NETPROTO_OFF_VAL, "val");
_Static_assert(NETPROTO_DATA_MAX == NETPROTO_MSG_MAX - NETPROTO_HDR_SIZE, "data max");
_Static_assert(NETPROTO_DGRAM_MAX == NETPROTO_DATA_MAX - NETPROTO_SOCKADDR_SIZE, "dgram max");

#endif

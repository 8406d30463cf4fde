/*
 * gort's sockets: one struct sock per socket, whatever carries its traffic. sock.c owns the
 * descriptor-level calls, the receive side (every byte or datagram a socket can read is in its
 * own rx buffer, so a read never waits on a backend), the accept queue, the partition's port
 * table and readiness; a backend (struct sock_backend) moves bytes to the other end. Today's one
 * backend is the loopback (sock_loop.c: both ends in this partition); a remote one (a driver
 * partition over a channel) plugs in beside it through sock_backend_for.
 */
#ifndef GORT_SOCK_H
#define GORT_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gort.h"

/* Linux's defaults (net.core.rmem_default, wmem_default): what a socket's rx buffer may hold. */
#define SOCK_BUF_DEFAULT (208 * 1024)
#define SOCK_BUF_MIN	 4608
/* The rx ring spans this many pages; pages are taken from fsmem as bytes arrive and given back
 * as they are read, so an idle socket holds none. Also the SO_RCVBUF ceiling. */
#define SOCK_RING_PAGES 128
#define SOCK_RING_SIZE	(SOCK_RING_PAGES * PAGE_SIZE)
#define SOCK_DGRAM_MAX	65507 /* the largest UDP payload over IPv4 */

#define AF_UNSPEC      0
#define AF_UNIX	       1
#define AF_INET	       2
#define AF_INET6       10
#define SOCK_STREAM    1
#define SOCK_DGRAM     2
#define SOCK_SEQPACKET 5
#define SOCK_NONBLOCK  04000
#define SOCK_CLOEXEC   02000000

/* An IPv4 address and port, both in host order; or, un set, an AF_UNIX socket: addr is the
 * number sock_unix.c gave its name (0: it has none), port is 0. */
struct sock_addr {
	uint32_t addr;
	uint16_t port;
	uint16_t un;
};

/* An AF_UNIX name as Linux reports it: len is the sockaddr_un length (2: unnamed; a path's
 * counts its NUL; an abstract one's starts with the 0 byte and is delimited by len alone). */
#define SOCK_UNIX_PATH 108
struct sock_uname {
	uint32_t len;
	char path[SOCK_UNIX_PATH + 1];
};
#define INADDR_ANY	 0u
#define INADDR_LOOPBACK	 0x7f000001u
#define IN_LOOPBACK(a)	 (((a) >> 24) == 127)
#define SOCK_EPHEM_FIRST 32768 /* Linux's ip_local_port_range */
#define SOCK_EPHEM_LAST	 60999

/* The receive side: a byte stream, or whole datagrams each behind a struct sock_dgram header. */
struct sock_buf {
	void *pg[SOCK_RING_PAGES];
	uint32_t head, len; /* the bytes held: [head, head + len) modulo SOCK_RING_SIZE */
	uint32_t max;	    /* SO_RCVBUF: len stays at or below it */
	uint32_t dgrams;    /* datagrams held */
};

/* Where user bytes are: an iovec array in user memory, walked as it is consumed. */
struct sock_iov {
	uintptr_t iov;	 /* user address of struct iovec[cnt] */
	size_t cnt, idx; /* entries, the one at the cursor */
	size_t off;	 /* bytes of entry idx already used */
	size_t total;	 /* bytes in all entries */
	uintptr_t base;	 /* entry idx: its base and length (cached) */
	size_t len;
};

struct sock;

/* What carries a socket's traffic. Every call runs under the big lock; none may wait. */
struct sock_backend {
	const char *name;
	/* A stream socket connects to dst: 0 connected now, -EINPROGRESS (sock_connected later),
	 * or -errno (ECONNREFUSED, ENETUNREACH...). s has its local address already. */
	long (*connect)(struct sock *s, const struct sock_addr *dst);
	/* Up to n bytes at io (stream; the bytes taken, at least 1, or -EAGAIN when none fit now:
	 * sock_changed follows when room comes) or one datagram of n bytes to dst (whole or
	 * -EAGAIN/-errno). -EPIPE: the peer is gone (the caller raises SIGPIPE). */
	long (*send)(struct sock *s, struct sock_iov *io, size_t n, const struct sock_addr *dst);
	/* Whether send would take at least one byte (a datagram of 1 byte) now: EPOLLOUT. */
	bool (*writable)(const struct sock *s);
	/* The program read bytes out of s->rx: room for the peer's sends. */
	void (*consumed)(struct sock *s);
	/* shutdown(SHUT_WR) or close: no more bytes will be sent (the peer sees end of file). */
	void (*shut_write)(struct sock *s);
	/* The last descriptor is closed: drop the peer and anything held (s is freed after). */
	void (*release)(struct sock *s);
};

enum sock_state {
	SS_FRESH,      /* not connected, not listening */
	SS_LISTENING,  /* stream: takes connections */
	SS_CONNECTING, /* stream: waiting for sock_connected */
	SS_CONNECTED,  /* stream: has a peer; datagram: has a default destination */
	SS_CLOSED,     /* stream: was connected, or its connection failed */
};

struct sock {
	int type;
	enum sock_state state;
	const struct sock_backend *be; /* once connected (or bound on a specific address) */
	void *file;		       /* fs.c's open file */
	struct sock_addr local, peer;
	bool bound;    /* local holds a port of the port table */
	bool rx_eof;   /* no more bytes will arrive (peer shut its writing side, or SHUT_RD) */
	bool fin_only; /* closed by the peer's orderly close: one more write is taken (Linux's,
			  which the peer then answers with a reset) */
	bool tx_shut;  /* shutdown(SHUT_WR): sends fail with EPIPE */
	int err;       /* SO_ERROR: reported once, by getsockopt or the next call */
	struct sock_buf rx;
	/* Listening: the connections not yet accepted, in order (backlog + 1 at most, as Linux);
	 * q_next also links a connecting socket waiting for room in listener's backlog. */
	struct sock *q_head, *q_tail, *q_next, *listener;
	int q_len, backlog;
	struct sock *bind_next;		   /* the port table's list (AF_UNIX: the named sockets') */
	struct sock_uname name, peer_name; /* AF_UNIX: its own, a stream's peer's */
	int unode;			   /* AF_UNIX bound to a path: the socket's node, else -1 */
	/* AF_UNIX, SO_PEERCRED's: the process that listened or connected (0: none), its peer's */
	int pid, peer_pid;
	/* AF_UNIX datagrams: the receiver whose full rx refused this non-blocking sender, and the
	 * next such sender (sock_unix.c tells them EPOLLOUT when it reads) */
	struct sock *room_for, *room_next;
	struct waitq wq; /* threads blocked in a call on this socket (they redo it) */
	void *be_priv;	 /* the backend's (loopback: the peer socket) */
	void *remote;	 /* netd's side (sock_netd.c): a remote socket's, a listener's */
	/* Options accepted and remembered (getsockopt gives them back). */
	uint32_t opts; /* bit per SOCK_OPT_* */
	int sndbuf, linger_sec;
	bool linger;
};
enum {
	SOCK_OPT_REUSEADDR,
	SOCK_OPT_REUSEPORT,
	SOCK_OPT_KEEPALIVE,
	SOCK_OPT_BROADCAST,
	SOCK_OPT_NODELAY,
	SOCK_OPT_OOBINLINE,
	SOCK_OPT_DONTROUTE,
};

/* Message boundaries kept (the rx holds whole messages): datagrams, SOCK_SEQPACKET's records. */
static inline bool sock_msgs(const struct sock *s)
{
	return s->type != SOCK_STREAM;
}

/* Connection-oriented (listen, accept, a peer): streams and SOCK_SEQPACKET. */
static inline bool sock_conn(const struct sock *s)
{
	return s->type != SOCK_DGRAM;
}

/* ---- for the backends (sock.c) */
/* The backend that reaches dst, or NULL (ENETUNREACH). */
const struct sock_backend *sock_backend_for(uint32_t dst);
/* A new socket of type, no descriptor yet (NULL: out of memory). */
struct sock *sock_alloc(int type);
void sock_free(struct sock *s);
/* Up to n bytes from io into s's rx (stream: what fits; datagram: all, from). The bytes taken,
 * -EAGAIN (no room), -ENOBUFS (gort's memory for buffers is used up), -EFAULT. */
long sock_rx_put(struct sock *s, struct sock_iov *io, size_t n, const struct sock_addr *from);
/* n bytes at src (gort's memory) onto s's stream rx, past SO_RCVBUF if it must (the backend
 * bounds what it pushes): 0, or -ENOBUFS and nothing added. */
long sock_rx_push(struct sock *s, const void *src, size_t n);
/* A datagram of n bytes at src (gort's memory), from, onto s's rx: 0, -EAGAIN (no room: the
 * caller drops it, as UDP does) or -ENOBUFS. */
long sock_rx_push_dgram(struct sock *s, const void *src, size_t n, const struct sock_addr *from);
/* The bytes of data in s's rx, datagrams' headers left out. */
size_t sock_rx_payload(const struct sock *s);
/* n bytes of the user's at the cursor of io into dst, the cursor moved on: 0 or -EFAULT. */
long sock_io_take(struct sock_iov *io, void *dst, size_t n);
/* Room in s's rx for n more bytes (datagrams: with their header). */
bool sock_rx_room(const struct sock *s, size_t n);
/* A connection for listener: child is its accepting end (addresses set), queued for accept.
 * -ECONNREFUSED when it does not listen, -EAGAIN when its backlog is full (sock.c then parks
 * the connecting socket and calls the backend's connect again after an accept). */
long sock_enqueue(struct sock *listener, struct sock *child);
/* The connecting side of s finished: err 0 connected, else the connection failed with -err. */
void sock_connected(struct sock *s, int err);
/* Something about s changed (events: the EPOLL* that may have become true): wakes the threads
 * blocked on it and tells the epolls. */
void sock_changed(struct sock *s, uint32_t events);
/* The bound socket of type that takes packets for dst (exact address first, then 0.0.0.0). */
struct sock *sock_lookup(int type, const struct sock_addr *dst);
/* Gives s a local port (an ephemeral one) if it has none, on addr: 0 or -EADDRINUSE... */
long sock_autobind(struct sock *s, uint32_t addr);

/* c is the accepting end of s's connection to listener l: it takes l's options and both names. */
void sock_child_init(struct sock *c, const struct sock *l, struct sock *s);

/* ---- AF_UNIX names (sock_unix.c) */
/* bind(2) of s to the sockaddr_un at uva: 0 or -errno (EADDRINUSE, ENOENT...). */
long sock_unix_bind(struct sock *s, uintptr_t uva, uint32_t len);
/* The socket a sockaddr_un names, as a destination of s: *dst names it (family: AF_UNSPEC or
 * AF_UNIX), or -errno (ENOENT, ECONNREFUSED: no one is bound there, EPROTOTYPE: another type). */
long sock_unix_dest(const struct sock *s, uintptr_t uva, uint32_t len, struct sock_addr *dst,
		    uint16_t *family);
/* The named socket of type that a's number stands for, or NULL. */
struct sock *sock_unix_lookup(int type, const struct sock_addr *a);
/* a's name as a sockaddr_un (at most 110 bytes at out): its length. */
uint32_t sock_unix_name(const struct sock *s, const struct sock_addr *a, void *out);
/* Non-blocking datagram sender s found to's rx full: told EPOLLOUT when to reads or goes. */
void sock_unix_wait_room(struct sock *s, struct sock *to);
/* to has read a datagram: its refused senders may send again. */
void sock_unix_room(struct sock *to);
/* s is going: its name is free again (a path's node stays until unlinked). */
void sock_unix_release(struct sock *s);

/* The loopback backend (sock_loop.c). */
extern const struct sock_backend sock_loopback;

/* ---- what fs.c calls (a socket is an open file of kind FK_SOCK) */
long sock_file_read(struct thread *t, struct sock *s, uintptr_t uva, size_t n, bool nonblock);
long sock_file_write(struct thread *t, struct sock *s, uintptr_t uva, size_t n, bool nonblock);
uint32_t sock_poll(const struct sock *s);
void sock_file_release(struct sock *s);
/* FIONREAD: bytes (stream) or the next datagram's size. */
int sock_nread(const struct sock *s);
/* ---- what sock.c calls in fs.c */
/* A descriptor for s (a new open file): the fd or -EMFILE/-ENFILE (s is then not taken). */
int fs_sock_install(struct sock *s, bool nonblock, bool cloexec);
/* The socket of fd and whether it is O_NONBLOCK: 0, -EBADF or -ENOTSOCK. */
long fs_sock_get(int fd, struct sock **s, bool *nonblock);
/* Tells the epolls watching s's open file that events may be ready. */
void fs_sock_notify(struct sock *s, uint32_t events);
/* A socket node at path (from the working folder): its number, held until fs_sock_unbind, or
 * -EADDRINUSE (the name exists), -ENOENT/-ENOTDIR (the folder), -ENOSPC. */
long fs_sock_mknod(const char *path);
/* The socket node path names (links followed): its number, -ENOENT..., -ECONNREFUSED (not a
 * socket). */
long fs_sock_find(const char *path);
void fs_sock_unbind(int node);

/* The system calls (sock.c). */
long sys_socket(struct thread *t, const struct syscall_args *a);
long sys_socketpair(struct thread *t, const struct syscall_args *a);
long sys_bind(struct thread *t, const struct syscall_args *a);
long sys_listen(struct thread *t, const struct syscall_args *a);
long sys_accept4(struct thread *t, const struct syscall_args *a);
long sys_accept(struct thread *t, const struct syscall_args *a);
long sys_connect(struct thread *t, const struct syscall_args *a);
long sys_getsockname(struct thread *t, const struct syscall_args *a);
long sys_getpeername(struct thread *t, const struct syscall_args *a);
long sys_sendto(struct thread *t, const struct syscall_args *a);
long sys_recvfrom(struct thread *t, const struct syscall_args *a);
long sys_setsockopt(struct thread *t, const struct syscall_args *a);
long sys_getsockopt(struct thread *t, const struct syscall_args *a);
long sys_shutdown(struct thread *t, const struct syscall_args *a);
long sys_sendmsg(struct thread *t, const struct syscall_args *a);
long sys_recvmsg(struct thread *t, const struct syscall_args *a);

#endif

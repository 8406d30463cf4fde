/*
 * sock.c: the socket system calls, whatever backend carries a socket's bytes (sock.h).
 *
 * Served: socket (AF_INET SOCK_STREAM/SOCK_DGRAM; AF_UNIX SOCK_STREAM/SOCK_DGRAM/SOCK_SEQPACKET;
 * SOCK_NONBLOCK, SOCK_CLOEXEC), socketpair (AF_UNIX), bind, listen, accept[4], connect,
 * getsockname, getpeername, setsockopt/getsockopt, shutdown, sendto/recvfrom, sendmsg/recvmsg,
 * and read/write/readv/writev/close/epoll through fs.c. AF_UNIX names (paths, abstract names,
 * autobind) are sock_unix.c's; their traffic is the loopback backend's. AF_INET6 is EAFNOSUPPORT
 * (Go then uses IPv4 only, as on a Linux machine without IPv6).
 *
 * Local addresses are 0.0.0.0 and 127.0.0.0/8; the partition has one port table for both
 * protocols' own ranges (EADDRINUSE as Linux: SO_REUSEADDR lets a port be shared unless one
 * holder listens). Received bytes sit in the socket's rx buffer (fsmem pages, SO_RCVBUF bytes at
 * most: 208 KiB by default), so reads are served here; the backend only fills them.
 *
 * Blocking: a call that must wait parks on the socket's waitq and, when sock_changed wakes it, is
 * made again from the start (its arguments are still in the thread's registers): nothing half
 * done is kept for it. A blocking write returns once some bytes are taken.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fsmem.h"
#include "gort.h"
#include "linux.h"
#include "sock.h"
#include "sock_netd.h"

#define SOL_SOCKET   1
#define IPPROTO_IP   0
#define IPPROTO_TCP  6
#define IPPROTO_UDP  17
#define IPPROTO_IPV6 41

#define SO_REUSEADDR  2
#define SO_TYPE	      3
#define SO_ERROR      4
#define SO_DONTROUTE  5
#define SO_BROADCAST  6
#define SO_SNDBUF     7
#define SO_RCVBUF     8
#define SO_KEEPALIVE  9
#define SO_OOBINLINE  10
#define SO_LINGER     13
#define SO_REUSEPORT  15
#define SO_PEERCRED   17
#define SO_ACCEPTCONN 30
#define SO_PROTOCOL   38
#define SO_DOMAIN     39
#define TCP_NODELAY   1

#define MSG_OOB	     0x1
#define MSG_PEEK     0x2
#define MSG_TRUNC    0x20
#define MSG_DONTWAIT 0x40
#define MSG_WAITALL  0x100
#define MSG_NOSIGNAL 0x4000

#define SHUT_RD	  0
#define SHUT_WR	  1
#define SHUT_RDWR 2

#define SOCK_EV_ALL (EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLRDHUP)

/* The options with no effect here, kept per socket so getsockopt gives back what was set. */
#define SOCK_KEPT 8
struct sock_kept {
	int level, name, val;
};

struct sock_full {
	struct sock s;
	int family;
	bool connect_waiting;	/* a blocking connect is parked on it */
	struct sock *pend_head; /* listening: connects waiting for room in the backlog */
	struct sock_kept kept[SOCK_KEPT];
};

_Static_assert(sizeof(struct sock_full) <= FSMEM_MAX_BLOCK, "a socket is one fsmem block");

static struct sock_full *F(const struct sock *s)
{
	return (struct sock_full *)s;
}

static struct {
	struct sock *bound; /* the port table: every socket with a port */
	uint16_t next_ephem;
} socks;

/* Linux's struct sockaddr_in (network byte order). */
struct linux_sockaddr_in {
	uint16_t family;
	uint16_t port;
	uint32_t addr;
	uint8_t zero[8];
};
struct linux_iovec {
	uint64_t base, len;
};
struct linux_msghdr {
	uint64_t name;
	uint32_t namelen, pad0;
	uint64_t iov, iovlen, control, controllen;
	int32_t flags, pad1;
};

static uint16_t be16(uint16_t v)
{
	return (uint16_t)((v >> 8) | (v << 8));
}

static uint32_t be32(uint32_t v)
{
	return (v >> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24);
}

/* ---------------------------------------------------------------- user buffers */

static void io_single(struct sock_iov *io, uintptr_t uva, size_t n)
{
	*io = (struct sock_iov){.base = uva, .len = n, .cnt = 1, .total = n};
}

static long io_user(struct sock_iov *io, uintptr_t iov, size_t cnt)
{
	*io = (struct sock_iov){.iov = iov, .cnt = cnt};
	if (cnt > UIO_MAXIOV)
		return -EINVAL;
	for (size_t i = 0; i < cnt; i++) {
		struct linux_iovec v;
		if (copy_from_user(&v, iov + i * sizeof(v), sizeof(v)))
			return -EFAULT;
		if ((long)v.len < 0 || io->total + v.len < io->total ||
		    io->total + v.len > MAX_RW_COUNT)
			return -EINVAL;
		io->total += v.len;
		if (i == 0) {
			io->base = v.base;
			io->len = v.len;
		}
	}
	return 0;
}

/* The contiguous user bytes at the cursor (0 at the end), at most max. */
static size_t io_chunk(struct sock_iov *io, size_t max, uintptr_t *uva)
{
	while (io->off == io->len) {
		struct linux_iovec v;
		if (++io->idx >= io->cnt || !io->iov)
			return 0;
		if (copy_from_user(&v, io->iov + io->idx * sizeof(v), sizeof(v)))
			return 0;
		io->base = v.base;
		io->len = v.len;
		io->off = 0;
	}
	size_t c = io->len - io->off;
	*uva = io->base + io->off;
	return c < max ? c : max;
}

static void io_advance(struct sock_iov *io, size_t c)
{
	io->off += c;
}

/* ---------------------------------------------------------------- rx buffers */

/* The page holding byte pos of the ring (made if asked), NULL without memory. */
static uint8_t *buf_page(struct sock_buf *b, uint32_t pos, bool make)
{
	void **pg = &b->pg[(pos / PAGE_SIZE) % SOCK_RING_PAGES];
	if (!*pg && make)
		*pg = fsmem_page();
	return *pg;
}

/* Takes n bytes into the ring at its tail, from io (user) or src (gort): 0, -ENOBUFS or
 * -EFAULT; on error nothing is added. */
static long buf_put(struct sock_buf *b, struct sock_iov *io, const void *src, size_t n)
{
	uint32_t pos = b->head + b->len;
	size_t done = 0;
	struct sock_iov save = io ? *io : (struct sock_iov){0};
	while (done < n) {
		uint32_t p = (pos + (uint32_t)done) % SOCK_RING_SIZE;
		uint8_t *pg = buf_page(b, p, true);
		if (!pg)
			goto undo_nobufs;
		size_t c = PAGE_SIZE - p % PAGE_SIZE;
		if (c > n - done)
			c = n - done;
		if (io) {
			uintptr_t uva;
			c = io_chunk(io, c, &uva);
			if (c == 0 || copy_from_user(pg + p % PAGE_SIZE, uva, c)) {
				*io = save;
				return -EFAULT;
			}
			io_advance(io, c);
		} else {
			memcpy(pg + p % PAGE_SIZE, (const uint8_t *)src + done, c);
		}
		done += c;
	}
	b->len += (uint32_t)n;
	return 0;
undo_nobufs:
	if (io)
		*io = save;
	return -ENOBUFS; /* the pages taken stay for the next try */
}

/* Copies n bytes from off bytes past the head, to io (user) or dst (gort): bytes copied, or
 * -EFAULT if none could be. */
static long buf_get(struct sock_buf *b, uint32_t off, struct sock_iov *io, void *dst, size_t n)
{
	size_t done = 0;
	while (done < n) {
		uint32_t p = (b->head + off + (uint32_t)done) % SOCK_RING_SIZE;
		uint8_t *pg = buf_page(b, p, false);
		size_t c = PAGE_SIZE - p % PAGE_SIZE;
		if (c > n - done)
			c = n - done;
		if (io) {
			uintptr_t uva;
			c = io_chunk(io, c, &uva);
			if (c == 0 || copy_to_user(uva, pg + p % PAGE_SIZE, c))
				return done ? (long)done : -EFAULT;
			io_advance(io, c);
		} else {
			memcpy((uint8_t *)dst + done, pg + p % PAGE_SIZE, c);
		}
		done += c;
	}
	return (long)done;
}

/* Drops n bytes at the head, giving back the pages no byte is left in. */
static void buf_drop(struct sock_buf *b, uint32_t n)
{
	uint32_t old = b->head;
	b->head = (b->head + n) % SOCK_RING_SIZE;
	b->len -= n;
	uint32_t first = old / PAGE_SIZE, keep = b->head / PAGE_SIZE;
	uint32_t pages = (uint32_t)((old % PAGE_SIZE + n) / PAGE_SIZE);
	for (uint32_t i = 0; i < pages; i++) {
		uint32_t k = (first + i) % SOCK_RING_PAGES;
		if (k == keep && b->len)
			break;
		if (b->pg[k]) {
			fsmem_page_free(b->pg[k]);
			b->pg[k] = NULL;
		}
	}
	if (b->len == 0) {
		/* Empty: start over at 0 and hold no page. */
		for (uint32_t k = 0; k < SOCK_RING_PAGES; k++)
			if (b->pg[k]) {
				fsmem_page_free(b->pg[k]);
				b->pg[k] = NULL;
			}
		b->head = 0;
	}
}

static void buf_free(struct sock_buf *b)
{
	b->len = 0;
	buf_drop(b, 0);
	b->dgrams = 0;
}

/* A datagram in the ring: this header, then its bytes. */
struct sock_dgram {
	uint32_t len;
	struct sock_addr from;
};

bool sock_rx_room(const struct sock *s, size_t n)
{
	if (sock_msgs(s))
		n += sizeof(struct sock_dgram);
	return s->rx.len + n <= s->rx.max;
}

/* One datagram of n bytes (from io, or src when io is NULL) onto s's rx, whole or not at all:
 * 0, -EAGAIN (no room) or buf_put's error. */
static long dgram_put(struct sock *s, struct sock_iov *io, const void *src, size_t n,
		      const struct sock_addr *from)
{
	struct sock_buf *b = &s->rx;
	if (!sock_rx_room(s, n))
		return -EAGAIN;
	struct sock_dgram h = {.len = (uint32_t)n, .from = from ? *from : (struct sock_addr){0}};
	long r = buf_put(b, NULL, &h, sizeof(h));
	if (r == 0 && (r = buf_put(b, io, src, n)) < 0)
		b->len -= sizeof(h);
	if (r < 0)
		return r;
	b->dgrams++;
	return 0;
}

long sock_rx_put(struct sock *s, struct sock_iov *io, size_t n, const struct sock_addr *from)
{
	struct sock_buf *b = &s->rx;
	if (!sock_msgs(s)) {
		size_t room = b->max > b->len ? b->max - b->len : 0;
		if (n > room)
			n = room;
		if (n == 0)
			return -EAGAIN;
		long r = buf_put(b, io, NULL, n);
		return r < 0 ? r : (long)n;
	}
	long r = dgram_put(s, io, NULL, n, from);
	return r < 0 ? r : (long)n;
}

long sock_rx_push(struct sock *s, const void *src, size_t n)
{
	return buf_put(&s->rx, NULL, src, n);
}

long sock_rx_push_dgram(struct sock *s, const void *src, size_t n, const struct sock_addr *from)
{
	return dgram_put(s, NULL, src, n, from);
}

size_t sock_rx_payload(const struct sock *s)
{
	return sock_msgs(s) ? s->rx.len - s->rx.dgrams * sizeof(struct sock_dgram) : s->rx.len;
}

long sock_io_take(struct sock_iov *io, void *dst, size_t n)
{
	size_t done = 0;
	while (done < n) {
		uintptr_t uva;
		size_t c = io_chunk(io, n - done, &uva);
		if (c == 0 || copy_from_user((uint8_t *)dst + done, uva, c))
			return -EFAULT;
		io_advance(io, c);
		done += c;
	}
	return 0;
}

/* ---------------------------------------------------------------- sockets */

struct sock *sock_alloc(int type)
{
	struct sock_full *f = fsmem_alloc(sizeof(*f));
	if (!f)
		return NULL;
	f->family = AF_INET;
	f->s.type = type;
	f->s.unode = -1;
	f->s.rx.max = SOCK_BUF_DEFAULT;
	f->s.sndbuf = SOCK_BUF_DEFAULT;
	return &f->s;
}

void sock_free(struct sock *s)
{
	buf_free(&s->rx);
	fsmem_free(F(s), sizeof(struct sock_full));
}

/* Wakes every thread blocked on s: each makes its call again. */
static void wake_all(struct sock *s)
{
	while (s->wq.head)
		thread_redo(s->wq.head);
}

void sock_changed(struct sock *s, uint32_t events)
{
	wake_all(s);
	fs_sock_notify(s, events);
}

static long block(struct thread *t, struct sock *s)
{
	thread_block(t, &s->wq, ~0ULL, 0, true);
	return SYSCALL_BLOCKED;
}

const struct sock_backend *sock_backend_for(uint32_t dst)
{
	if (IN_LOOPBACK(dst) || dst == INADDR_ANY)
		return &sock_loopback;
	return sock_netd_present() ? &sock_netd : NULL;
}

/* ---------------------------------------------------------------- the port table */

static bool addrs_overlap(uint32_t a, uint32_t b)
{
	return a == INADDR_ANY || b == INADDR_ANY || a == b;
}

static bool port_conflict(const struct sock *s, uint32_t addr, uint16_t port)
{
	for (const struct sock *o = socks.bound; o; o = o->bind_next) {
		if (o == s || o->type != s->type || o->local.port != port ||
		    !addrs_overlap(o->local.addr, addr))
			continue;
		bool reuse = (s->opts & o->opts & (1u << SOCK_OPT_REUSEADDR)) &&
			     (s->type == SOCK_DGRAM || o->state != SS_LISTENING);
		bool reuseport = s->opts & o->opts & (1u << SOCK_OPT_REUSEPORT);
		if (!reuse && !reuseport)
			return true;
	}
	return false;
}

static void port_take(struct sock *s, uint32_t addr, uint16_t port)
{
	s->local.addr = addr;
	s->local.port = port;
	s->bound = true;
	s->bind_next = socks.bound;
	socks.bound = s;
}

static void port_give_back(struct sock *s)
{
	for (struct sock **p = &socks.bound; *p; p = &(*p)->bind_next)
		if (*p == s) {
			*p = s->bind_next;
			break;
		}
	s->bound = false;
}

static long port_bind(struct sock *s, uint32_t addr, uint16_t port)
{
	if (port) {
		if (port_conflict(s, addr, port))
			return -EADDRINUSE;
		port_take(s, addr, port);
		return 0;
	}
	unsigned range = SOCK_EPHEM_LAST - SOCK_EPHEM_FIRST + 1;
	for (unsigned i = 0; i < range; i++) {
		uint16_t p = (uint16_t)(SOCK_EPHEM_FIRST + (socks.next_ephem + i) % range);
		bool used = false;
		for (const struct sock *o = socks.bound; o && !used; o = o->bind_next)
			used = o->type == s->type && o->local.port == p;
		if (!used) {
			socks.next_ephem = (uint16_t)((socks.next_ephem + i + 1) % range);
			port_take(s, addr, p);
			return 0;
		}
	}
	return -EADDRINUSE;
}

long sock_autobind(struct sock *s, uint32_t addr)
{
	return s->bound ? 0 : port_bind(s, addr, 0);
}

struct sock *sock_lookup(int type, const struct sock_addr *dst)
{
	if (dst->un)
		return sock_unix_lookup(type, dst);
	struct sock *best = NULL;
	int best_score = 0;
	for (struct sock *o = socks.bound; o; o = o->bind_next) {
		if (o->type != type || o->local.port != dst->port ||
		    !(o->local.addr == INADDR_ANY || o->local.addr == dst->addr))
			continue;
		int score =
		    1 + (o->local.addr == dst->addr ? 2 : 0) + (o->state == SS_LISTENING ? 4 : 0);
		if (score > best_score) {
			best = o;
			best_score = score;
		}
	}
	return best;
}

/* ---------------------------------------------------------------- connections */

static bool queue_full(const struct sock *l)
{
	return l->q_len > l->backlog; /* Linux keeps backlog + 1 */
}

long sock_enqueue(struct sock *l, struct sock *child)
{
	if (l->state != SS_LISTENING)
		return -ECONNREFUSED;
	if (queue_full(l))
		return -EAGAIN;
	child->listener = l;
	child->q_next = NULL;
	if (l->q_tail)
		l->q_tail->q_next = child;
	else
		l->q_head = child;
	l->q_tail = child;
	l->q_len++;
	sock_changed(l, EPOLLIN);
	return 0;
}

void sock_child_init(struct sock *c, const struct sock *l, struct sock *s)
{
	F(c)->family = F(l)->family;
	c->rx.max = l->rx.max;
	c->sndbuf = l->sndbuf;
	c->opts = l->opts;
	if (F(l)->family == AF_UNIX) {
		c->name = l->name;
		c->peer_name = s->name;
		s->peer_name = l->name;
		c->pid = l->pid;
		c->peer_pid = s->pid;
		s->peer_pid = l->pid;
	}
}

/* s waits for room in l's backlog: sock.c calls its backend's connect again then. */
static void pend_add(struct sock *l, struct sock *s)
{
	struct sock **p = &F(l)->pend_head;
	while (*p)
		p = &(*p)->q_next;
	s->q_next = NULL;
	s->listener = l;
	*p = s;
}

static void pend_remove(struct sock *s)
{
	struct sock *l = s->listener;
	if (!l)
		return;
	for (struct sock **p = &F(l)->pend_head; *p; p = &(*p)->q_next)
		if (*p == s) {
			*p = s->q_next;
			break;
		}
	s->listener = NULL;
	s->q_next = NULL;
}

void sock_connected(struct sock *s, int err)
{
	s->state = err ? SS_CLOSED : SS_CONNECTED;
	s->err = err;
	sock_changed(s, SOCK_EV_ALL);
}

/* Room came in l's backlog: the first waiting connect tries again. */
static void pend_retry(struct sock *l)
{
	struct sock *c;
	while ((c = F(l)->pend_head) && !queue_full(l)) {
		pend_remove(c);
		long r = c->be->connect(c, &c->peer);
		if (r == -EAGAIN) {
			pend_add(l, c);
			return;
		}
		if (r != -EINPROGRESS)
			sock_connected(c, r < 0 ? (int)-r : 0);
	}
}

/* ---------------------------------------------------------------- readiness and release */

uint32_t sock_poll(const struct sock *s)
{
	uint32_t m = s->err ? EPOLLERR : 0;
	if (s->type == SOCK_DGRAM)
		return m | (s->rx.dgrams || s->rx_eof ? EPOLLIN : 0) | (s->room_for ? 0 : EPOLLOUT);
	switch (s->state) {
	case SS_LISTENING:
		return m | (s->q_head ? EPOLLIN : 0);
	case SS_CONNECTING:
		return m;
	case SS_FRESH:
		return m | EPOLLOUT | EPOLLHUP;
	default:
		break;
	}
	bool closed = s->state == SS_CLOSED;
	if (s->rx.len || s->rx_eof || closed)
		m |= EPOLLIN;
	if (s->rx_eof || closed)
		m |= EPOLLRDHUP;
	if (closed || (s->rx_eof && s->tx_shut))
		m |= EPOLLHUP;
	if (closed || s->tx_shut || s->be->writable(s))
		m |= EPOLLOUT;
	return m;
}

int sock_nread(const struct sock *s)
{
	if (!sock_msgs(s))
		return (int)s->rx.len;
	if (!s->rx.dgrams)
		return 0;
	struct sock_dgram h;
	buf_get((struct sock_buf *)&s->rx, 0, NULL, &h, sizeof(h));
	return (int)h.len;
}

/* A connection no one accepted, or a socket whose descriptor is gone. */
static void sock_destroy(struct sock *s)
{
	if (s->state == SS_LISTENING) {
		struct sock *c, *next;
		for (c = s->q_head; c; c = next) {
			next = c->q_next;
			sock_destroy(c);
		}
		s->q_head = s->q_tail = NULL;
		s->q_len = 0;
		while ((c = F(s)->pend_head)) {
			pend_remove(c);
			sock_connected(c, ECONNREFUSED);
		}
	}
	pend_remove(s);
	if (s->be && s->be->release)
		s->be->release(s);
	if (F(s)->family == AF_UNIX)
		sock_unix_release(s);
	if (s->remote)
		sock_netd_forget(s); /* a listener's netd half */
	if (s->bound)
		port_give_back(s);
	wake_all(s);
	sock_free(s);
}

void sock_file_release(struct sock *s)
{
	s->file = NULL;
	sock_destroy(s);
}

/* ---------------------------------------------------------------- addresses */

static long addr_in(uintptr_t uva, uint32_t len, struct sock_addr *a, uint16_t *family)
{
	struct linux_sockaddr_in sin;
	if (len < sizeof(uint16_t) || len > 128)
		return -EINVAL;
	memset(&sin, 0, sizeof(sin));
	if (copy_from_user(&sin, uva, len < sizeof(sin) ? len : sizeof(sin)))
		return -EFAULT;
	*family = sin.family;
	if (sin.family == AF_UNSPEC)
		return 0;
	if (sin.family == AF_INET6)
		return -EAFNOSUPPORT;
	if (sin.family != AF_INET)
		return -EAFNOSUPPORT;
	if (len < sizeof(sin))
		return -EINVAL;
	a->addr = be32(sin.addr);
	a->port = be16(sin.port);
	return 0;
}

/* a as s's family gives it (a sockaddr_in or _un) at out, 112 bytes: its length. */
static uint32_t addr_bytes(const struct sock *s, const struct sock_addr *a, uint8_t *out)
{
	if (F(s)->family == AF_UNIX)
		return sock_unix_name(s, a, out);
	struct linux_sockaddr_in sin = {
	    .family = AF_INET, .port = be16(a->port), .addr = be32(a->addr)};
	memcpy(out, &sin, sizeof(sin));
	return sizeof(sin);
}

/* A received message's sender: an unnamed AF_UNIX one has no address at all (length 0: Linux's
 * unix_copy_addr), where getsockname says just the family. */
static uint32_t from_bytes(const struct sock *s, const struct sock_addr *a, uint8_t *out)
{
	uint32_t full = addr_bytes(s, a, out);
	return F(s)->family == AF_UNIX && full == sizeof(uint16_t) ? 0 : full;
}

/* Linux's move_addr_to_user: as much of the address (b, full bytes) as fits, and its length. */
static long addr_copy(const uint8_t *b, uint32_t full, uintptr_t uva, uintptr_t ulen)
{
	uint32_t len;
	if (!uva || !ulen)
		return 0;
	if (copy_from_user(&len, ulen, sizeof(len)))
		return -EFAULT;
	if ((int32_t)len < 0)
		return -EINVAL;
	if (copy_to_user(uva, b, len < full ? len : full))
		return -EFAULT;
	return copy_to_user(ulen, &full, sizeof(full)) ? -EFAULT : 0;
}

static long addr_out(const struct sock *s, const struct sock_addr *a, uintptr_t uva, uintptr_t ulen)
{
	uint8_t b[112];
	uint32_t full = addr_bytes(s, a, b);
	return addr_copy(b, full, uva, ulen);
}

/* ---------------------------------------------------------------- the calls */

/* A new AF_UNIX socket: unnamed, its peer too until it connects. */
static void unix_init(struct sock *s)
{
	F(s)->family = AF_UNIX;
	s->local = s->peer = (struct sock_addr){.un = 1};
	s->name.len = s->peer_name.len = sizeof(uint16_t);
}

static long unix_socket(int type, int proto, int flags)
{
	if (type != SOCK_STREAM && type != SOCK_DGRAM && type != SOCK_SEQPACKET)
		return -ESOCKTNOSUPPORT;
	if (proto && proto != AF_UNIX)
		return -EPROTONOSUPPORT;
	struct sock *s = sock_alloc(type);
	if (!s)
		return -ENOMEM;
	unix_init(s);
	int fd = fs_sock_install(s, flags & SOCK_NONBLOCK, flags & SOCK_CLOEXEC);
	if (fd < 0)
		sock_free(s);
	return fd;
}

long sys_socket(struct thread *t, const struct syscall_args *a)
{
	int domain = (int)a->a[0], type = (int)a->a[1] & 0xf, proto = (int)a->a[2];
	int flags = (int)a->a[1] & ~0xf;
	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	if (domain == AF_UNIX)
		return unix_socket(type, proto, flags);
	if (domain != AF_INET)
		return -EAFNOSUPPORT;
	if (type != SOCK_STREAM && type != SOCK_DGRAM)
		return -ESOCKTNOSUPPORT;
	if (proto && proto != (type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP))
		return -EPROTONOSUPPORT;
	struct sock *s = sock_alloc(type);
	if (!s)
		return -ENOMEM;
	int fd = fs_sock_install(s, flags & SOCK_NONBLOCK, flags & SOCK_CLOEXEC);
	if (fd < 0)
		sock_free(s);
	return fd;
}

long sys_socketpair(struct thread *t, const struct syscall_args *a)
{
	int domain = (int)a->a[0], type = (int)a->a[1] & 0xf;
	int flags = (int)a->a[1] & ~0xf;
	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	if (domain != AF_UNIX)
		return domain == AF_INET ? -EOPNOTSUPP : -EAFNOSUPPORT;
	if (type != SOCK_STREAM && type != SOCK_DGRAM && type != SOCK_SEQPACKET)
		return -ESOCKTNOSUPPORT;
	if (a->a[2])
		return -EPROTONOSUPPORT;
	struct sock *p[2] = {sock_alloc(type), sock_alloc(type)};
	int fds[2] = {-1, -1};
	if (!p[0] || !p[1]) {
		if (p[0])
			sock_free(p[0]);
		if (p[1])
			sock_free(p[1]);
		return -ENOMEM;
	}
	for (int i = 0; i < 2; i++) {
		unix_init(p[i]);
		p[i]->pid = p[i]->peer_pid = t->pid;
		p[i]->state = SS_CONNECTED;
		p[i]->be = &sock_loopback;
		p[i]->be_priv = p[1 - i];
	}
	fds[0] = fs_sock_install(p[0], flags & SOCK_NONBLOCK, flags & SOCK_CLOEXEC);
	if (fds[0] < 0) {
		p[0]->be_priv = p[1]->be_priv = NULL;
		sock_free(p[0]);
		sock_free(p[1]);
		return fds[0];
	}
	fds[1] = fs_sock_install(p[1], flags & SOCK_NONBLOCK, flags & SOCK_CLOEXEC);
	if (fds[1] < 0) {
		p[1]->be_priv = NULL;
		p[0]->be_priv = NULL;
		sock_free(p[1]);
		struct syscall_args c = {{(unsigned long)fds[0]}};
		sys_close(t, &c);
		return fds[1];
	}
	if (copy_to_user(a->a[3], fds, sizeof(fds))) {
		struct syscall_args c0 = {{(unsigned long)fds[0]}}, c1 = {{(unsigned long)fds[1]}};
		sys_close(t, &c0);
		sys_close(t, &c1);
		return -EFAULT;
	}
	return 0;
}

static long get(int fd, struct sock **s, bool *nonblock)
{
	bool nb;
	return fs_sock_get(fd, s, nonblock ? nonblock : &nb);
}

long sys_bind(struct thread *t, const struct syscall_args *a)
{
	struct sock *s;
	struct sock_addr ad = {0};
	uint16_t family;
	long r = get((int)a->a[0], &s, NULL);
	if (r < 0)
		return r;
	if (F(s)->family == AF_UNIX)
		return sock_unix_bind(s, a->a[1], (uint32_t)a->a[2]);
	if ((r = addr_in(a->a[1], (uint32_t)a->a[2], &ad, &family)) < 0)
		return r;
	if (family == AF_UNSPEC && ad.addr != INADDR_ANY)
		return -EAFNOSUPPORT;
	if (s->bound)
		return -EINVAL;
	if (ad.addr != INADDR_ANY && !IN_LOOPBACK(ad.addr))
		return -EADDRNOTAVAIL;
	return port_bind(s, ad.addr, ad.port);
}

/* Linux listens only on a named AF_UNIX socket (no autobind). */
static long unix_listen(struct thread *t, struct sock *s, int backlog)
{
	if (!s->local.addr)
		return -EINVAL;
	s->pid = t->pid;
	s->backlog = backlog < 0 ? 0 : backlog > 4096 ? 4096 : backlog;
	s->state = SS_LISTENING;
	s->be = &sock_loopback;
	pend_retry(s);
	return 0;
}

long sys_listen(struct thread *t, const struct syscall_args *a)
{
	struct sock *s;
	long r = get((int)a->a[0], &s, NULL);
	int backlog = (int)a->a[1];
	if (r < 0)
		return r;
	if (!sock_conn(s))
		return -EOPNOTSUPP;
	if (s->state != SS_FRESH && s->state != SS_LISTENING)
		return -EINVAL;
	if (F(s)->family == AF_UNIX)
		return unix_listen(t, s, backlog);
	if (!s->bound && (r = port_bind(s, INADDR_ANY, 0)) < 0)
		return r;
	if (s->state == SS_FRESH && port_conflict(s, s->local.addr, s->local.port)) {
		/* Another holder of the port (SO_REUSEADDR) listens: Linux refuses the second. */
		return -EADDRINUSE;
	}
	s->backlog = backlog < 0 ? 0 : backlog > 4096 ? 4096 : backlog;
	s->state = SS_LISTENING;
	s->be = &sock_loopback; /* local connections; netd brings the others */
	pend_retry(s);
	sock_netd_listen(s);
	return 0;
}

long sys_accept4(struct thread *t, const struct syscall_args *a)
{
	struct sock *s;
	bool nonblock;
	int flags = (int)a->a[3];
	long r = get((int)a->a[0], &s, &nonblock);
	if (r < 0)
		return r;
	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	if (!sock_conn(s))
		return -EOPNOTSUPP;
	if (s->state != SS_LISTENING)
		return -EINVAL;
	struct sock *c = s->q_head;
	if (!c)
		return nonblock ? -EAGAIN : block(t, s);
	int fd = fs_sock_install(c, flags & SOCK_NONBLOCK, flags & SOCK_CLOEXEC);
	if (fd < 0)
		return fd;
	s->q_head = c->q_next;
	if (!s->q_head)
		s->q_tail = NULL;
	s->q_len--;
	c->q_next = NULL;
	c->listener = NULL;
	pend_retry(s);
	if ((r = addr_out(c, &c->peer, a->a[1], a->a[2])) < 0)
		return r; /* Linux too keeps the descriptor made */
	return fd;
}

long sys_accept(struct thread *t, const struct syscall_args *a)
{
	struct syscall_args b = {{a->a[0], a->a[1], a->a[2], 0}};
	return sys_accept4(t, &b);
}

/* The address a socket sends from to reach dst. */
static uint32_t source_for(uint32_t dst)
{
	(void)dst;
	return INADDR_LOOPBACK;
}

/* Linux's unix_stream_connect and unix_dgram_connect: a connection is made at once (it waits
 * only for room in the listener's backlog: EAGAIN when non-blocking); a datagram socket takes a
 * default destination, AF_UNSPEC drops it. */
static long unix_connect(struct thread *t, struct sock *s, uintptr_t name, uint32_t len,
			 bool nonblock)
{
	struct sock_addr dst;
	uint16_t family;
	if (s->be_priv && s->type == SOCK_DGRAM)
		return -EISCONN; /* socketpair's */
	if (s->type != SOCK_DGRAM) {
		if (s->state == SS_CONNECTED || s->state == SS_CLOSED)
			return -EISCONN;
		if (s->state == SS_LISTENING)
			return -EINVAL;
		if (s->state == SS_CONNECTING)
			return -EALREADY;
	}
	long r = sock_unix_dest(s, name, len, &dst, &family);
	if (r < 0)
		return r;
	if (family == AF_UNSPEC) {
		if (s->type != SOCK_DGRAM)
			return -EINVAL;
		s->state = SS_FRESH;
		s->peer = (struct sock_addr){.un = 1};
		return 0;
	}
	s->be = &sock_loopback;
	s->peer = dst;
	if (s->type == SOCK_DGRAM) {
		s->state = SS_CONNECTED;
		return 0;
	}
	s->err = 0;
	s->state = SS_CONNECTING;
	s->pid = t->pid;
	r = s->be->connect(s, &dst);
	if (r == -EAGAIN && !nonblock) {
		pend_add(sock_lookup(s->type, &dst), s);
		F(s)->connect_waiting = true;
		return block(t, s);
	}
	s->state = r == 0 ? SS_CONNECTED : SS_FRESH;
	return r;
}

long sys_connect(struct thread *t, const struct syscall_args *a)
{
	struct sock *s;
	bool nonblock;
	struct sock_addr dst = {0};
	uint16_t family;
	long r = get((int)a->a[0], &s, &nonblock);
	if (r < 0)
		return r;
	if (sock_conn(s) && F(s)->connect_waiting) {
		/* A blocking connect made again after its wake-up. */
		if (s->state == SS_CONNECTING)
			return block(t, s);
		F(s)->connect_waiting = false;
		if (s->state == SS_CONNECTED)
			return 0;
		r = -s->err;
		s->err = 0;
		return r;
	}
	if (F(s)->family == AF_UNIX)
		return unix_connect(t, s, a->a[1], (uint32_t)a->a[2], nonblock);
	if ((r = addr_in(a->a[1], (uint32_t)a->a[2], &dst, &family)) < 0)
		return r;
	if (s->type == SOCK_DGRAM) {
		if (family == AF_UNSPEC) {
			s->state = SS_FRESH;
			s->peer = (struct sock_addr){0};
			return 0;
		}
		if (dst.addr == INADDR_ANY)
			dst.addr = INADDR_LOOPBACK;
		const struct sock_backend *be = sock_backend_for(dst.addr);
		if (!be)
			return -ENETUNREACH;
		if ((r = sock_autobind(s, INADDR_ANY)) < 0)
			return r;
		s->peer = dst;
		if (be == &sock_netd && (r = be->connect(s, &dst)) < 0)
			return r;
		s->be = be;
		s->state = SS_CONNECTED;
		return 0;
	}
	if (family == AF_UNSPEC)
		return -EAFNOSUPPORT;
	switch (s->state) {
	case SS_CONNECTED:
		return -EISCONN;
	case SS_CONNECTING:
		return -EALREADY;
	case SS_LISTENING:
		return -EISCONN;
	default:
		break;
	}
	if (dst.addr == INADDR_ANY)
		dst.addr = INADDR_LOOPBACK; /* Linux takes 0.0.0.0 for this host */
	const struct sock_backend *be = sock_backend_for(dst.addr);
	if (!be)
		return -ENETUNREACH;
	if (be == &sock_netd && s->bound)
		return -EADDRNOTAVAIL; /* a local port is not netd's: bind before connect is not
					  carried */
	if (be != &sock_netd && (r = sock_autobind(s, source_for(dst.addr))) < 0)
		return r;
	if (be != &sock_netd && s->local.addr == INADDR_ANY)
		s->local.addr = source_for(dst.addr); /* netd's side names its own (getsockname) */
	s->be = be;
	s->peer = dst;
	s->err = 0;
	s->state = SS_CONNECTING;
	r = be->connect(s, &dst);
	if (r == -EAGAIN) {
		/* The listener's backlog is full: wait for an accept, as a SYN is retried. */
		struct sock *l = sock_lookup(SOCK_STREAM, &dst);
		if (!l) {
			s->state = SS_FRESH;
			return -ECONNREFUSED;
		}
		pend_add(l, s);
		r = -EINPROGRESS;
	}
	if (r == 0) {
		s->state = SS_CONNECTED;
		return 0;
	}
	if (r != -EINPROGRESS) {
		s->state = SS_FRESH;
		return r;
	}
	if (nonblock)
		return -EINPROGRESS;
	F(s)->connect_waiting = true;
	return block(t, s);
}

long sys_getsockname(struct thread *t, const struct syscall_args *a)
{
	struct sock *s;
	long r = get((int)a->a[0], &s, NULL);
	return r < 0 ? r : addr_out(s, &s->local, a->a[1], a->a[2]);
}

/* A connection its peer closed in order (no reset): Linux still has it connected (TCP's
 * CLOSE_WAIT) for getpeername and shutdown. */
static bool closed_in_order(const struct sock *s)
{
	return s->state == SS_CLOSED && sock_conn(s) && !s->err && (s->peer.port || s->peer.un);
}

long sys_getpeername(struct thread *t, const struct syscall_args *a)
{
	struct sock *s;
	long r = get((int)a->a[0], &s, NULL);
	if (r < 0)
		return r;
	if (s->state != SS_CONNECTED && !closed_in_order(s))
		return -ENOTCONN;
	return addr_out(s, &s->peer, a->a[1], a->a[2]);
}

/* ---------------------------------------------------------------- sending and receiving */

static long sigpipe(struct thread *t, int flags)
{
	if (!(flags & MSG_NOSIGNAL))
		signal_send(t, SIGPIPE, 0 /* SI_USER */, 0);
	return -EPIPE;
}

/* Linux's unix_dgram_sendmsg: a datagram waits for room in its receiver (none is dropped),
 * one to a socket connected to another is EPERM, one to a name that went ECONNREFUSED. */
static long unix_send_dgram(struct thread *t, struct sock *s, struct sock_iov *io,
			    const struct sock_addr *dst, bool nonblock)
{
	size_t n = io->total;
	struct sock *to = s->be_priv ? s->be_priv : sock_lookup(SOCK_DGRAM, dst);
	if (!to)
		return -ECONNREFUSED;
	if (n + 32 > (size_t)s->sndbuf || n + 32 > to->rx.max)
		return -EMSGSIZE;
	if (!s->be_priv && to->state == SS_CONNECTED &&
	    !(s->local.addr && to->peer.addr == s->local.addr))
		return -EPERM;
	long r = sock_rx_put(to, io, n, &s->local);
	if (r >= 0)
		sock_changed(to, EPOLLIN);
	if (r == -EAGAIN && nonblock)
		sock_unix_wait_room(s, to);
	if (r == -EAGAIN && !nonblock) {
		/* to's reads wake it (do_recv), so the send is made again when room comes */
		thread_block(t, &to->wq, ~0ULL, 0, true);
		return SYSCALL_BLOCKED;
	}
	return r;
}

static long do_send(struct thread *t, struct sock *s, struct sock_iov *io, int flags,
		    const struct sock_addr *to, bool nonblock)
{
	size_t n = io->total, done = 0;
	struct sock_addr dst;
	long r;
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	nonblock |= flags & MSG_DONTWAIT;
	if (s->err) {
		r = -s->err;
		s->err = 0;
		return r;
	}
	if (s->type == SOCK_DGRAM) {
		if (s->tx_shut)
			return sigpipe(t, flags);
		if (to)
			dst = *to;
		else if (s->state == SS_CONNECTED)
			dst = s->peer;
		else
			return s->local.un ? -ENOTCONN : -EDESTADDRREQ;
		if (s->local.un)
			return unix_send_dgram(t, s, io, &dst, nonblock);
		if (n > SOCK_DGRAM_MAX)
			return -EMSGSIZE;
		if (dst.addr == INADDR_ANY)
			dst.addr = INADDR_LOOPBACK;
		const struct sock_backend *be = sock_backend_for(dst.addr);
		if (!be)
			return -ENETUNREACH;
		if ((r = sock_autobind(s, INADDR_ANY)) < 0)
			return r;
		r = be->send(s, io, n, &dst);
		if (r == -EAGAIN && !nonblock)
			return block(t, s);
		return r;
	}
	switch (s->state) {
	case SS_CONNECTED:
		break;
	case SS_CLOSED:
		/* After the peer's FIN Linux still sends one write (the bytes are lost: the peer
		 * resets); net/http's transport counts on it to see the end of file first. */
		if (s->fin_only && !s->tx_shut) {
			s->fin_only = false;
			return (long)n;
		}
		return sigpipe(t, flags);
	default:
		return s->state == SS_CONNECTING && nonblock ? -EAGAIN : -ENOTCONN;
	}
	if (s->tx_shut)
		return sigpipe(t, flags);
	if (n == 0 && !sock_msgs(s))
		return 0;
	if (sock_msgs(s)) {
		/* SOCK_SEQPACKET: a record goes whole (Linux's unix_dgram_sendmsg bounds). */
		const struct sock *p = s->be_priv;
		if (!p)
			return sigpipe(t, flags);
		if (n + 32 > (size_t)s->sndbuf || n + 32 > p->rx.max)
			return -EMSGSIZE;
	}
	while (done < n) {
		r = s->be->send(s, io, n - done, NULL);
		if (r == -EAGAIN)
			break;
		if (r == -EPIPE)
			return done ? (long)done : sigpipe(t, flags);
		if (r < 0)
			return done ? (long)done : r;
		done += (size_t)r;
	}
	if (done)
		return (long)done;
	return nonblock ? -EAGAIN : block(t, s);
}

static long do_recv(struct thread *t, struct sock *s, struct sock_iov *io, int flags,
		    struct sock_addr *from, int *msg_flags, bool nonblock)
{
	size_t n = io->total;
	long r;
	if (flags & MSG_OOB)
		return -EINVAL;
	nonblock |= flags & MSG_DONTWAIT;
	if (sock_conn(s) && (s->state == SS_FRESH || s->state == SS_LISTENING))
		return -ENOTCONN;
	if (sock_msgs(s)) {
		if (s->rx.dgrams) {
			struct sock_dgram h;
			buf_get(&s->rx, 0, NULL, &h, sizeof(h));
			size_t c = n < h.len ? n : h.len;
			r = buf_get(&s->rx, sizeof(h), io, NULL, c);
			if (r < 0)
				return r;
			if (from)
				*from = h.from;
			if (h.len > n && msg_flags)
				*msg_flags |= MSG_TRUNC;
			if (!(flags & MSG_PEEK)) {
				buf_drop(&s->rx, (uint32_t)(sizeof(h) + h.len));
				s->rx.dgrams--;
				if (s->local.un) {
					wake_all(s); /* senders waiting for room */
					sock_unix_room(s);
				}
				if (s->be && s->be->consumed)
					s->be->consumed(s);
				if (s->remote && s->be != &sock_netd)
					sock_netd.consumed(
					    s); /* a sendto's netd half: its credit */
			}
			return flags & MSG_TRUNC ? (long)h.len : r;
		}
		if (s->err) {
			r = -s->err;
			s->err = 0;
			return r;
		}
		if (s->rx_eof || s->state == SS_CLOSED)
			return 0;
		return nonblock ? -EAGAIN : block(t, s);
	}
	if (s->rx.len) {
		if (n == 0)
			return 0;
		size_t c = n < s->rx.len ? n : s->rx.len;
		r = buf_get(&s->rx, 0, io, NULL, c);
		if (r > 0 && !(flags & MSG_PEEK)) {
			buf_drop(&s->rx, (uint32_t)r);
			if (s->be->consumed)
				s->be->consumed(s);
		}
		return r;
	}
	if (s->err) {
		r = -s->err;
		s->err = 0;
		return r;
	}
	if (s->rx_eof || s->state == SS_CLOSED || n == 0)
		return 0;
	return nonblock ? -EAGAIN : block(t, s);
}

long sock_file_read(struct thread *t, struct sock *s, uintptr_t uva, size_t n, bool nonblock)
{
	struct sock_iov io;
	io_single(&io, uva, n);
	return do_recv(t, s, &io, 0, NULL, NULL, nonblock);
}

long sock_file_write(struct thread *t, struct sock *s, uintptr_t uva, size_t n, bool nonblock)
{
	struct sock_iov io;
	io_single(&io, uva, n);
	return do_send(t, s, &io, 0, NULL, nonblock);
}

/* A send's destination (name, len from the call): only a datagram socket takes one, and
 * AF_UNSPEC means its connected peer, as Linux. */
static long send_dest(const struct sock *s, uintptr_t name, uint32_t len, struct sock_addr *to,
		      bool *has_to)
{
	uint16_t family = AF_INET;
	long r;

	*has_to = name && s->type == SOCK_DGRAM;
	if (*has_to && s->local.un) {
		if ((r = sock_unix_dest(s, name, len, to, &family)) < 0)
			return r;
		return family == AF_UNSPEC ? -EINVAL : 0;
	}
	if (*has_to && (r = addr_in(name, len, to, &family)) < 0)
		return r;
	if (*has_to && family == AF_UNSPEC)
		*has_to = false;
	return 0;
}

long sys_sendto(struct thread *t, const struct syscall_args *a)
{
	struct sock *s;
	bool nonblock;
	struct sock_iov io;
	struct sock_addr to = {0};
	long r = get((int)a->a[0], &s, &nonblock);
	if (r < 0)
		return r;
	if ((long)a->a[2] < 0)
		return -EFAULT;
	io_single(&io, a->a[1], a->a[2] > MAX_RW_COUNT ? MAX_RW_COUNT : a->a[2]);
	bool has_to;
	if ((r = send_dest(s, a->a[4], (uint32_t)a->a[5], &to, &has_to)) < 0)
		return r;
	return do_send(t, s, &io, (int)a->a[3], has_to ? &to : NULL, nonblock);
}

long sys_recvfrom(struct thread *t, const struct syscall_args *a)
{
	struct sock *s;
	bool nonblock;
	struct sock_iov io;
	struct sock_addr from;
	long r = get((int)a->a[0], &s, &nonblock);
	if (r < 0)
		return r;
	if ((long)a->a[2] < 0)
		return -EFAULT;
	io_single(&io, a->a[1], a->a[2] > MAX_RW_COUNT ? MAX_RW_COUNT : a->a[2]);
	from = s->peer;
	r = do_recv(t, s, &io, (int)a->a[3], &from, NULL, nonblock);
	if (r >= 0 && a->a[4]) {
		uint8_t b[112];
		long e = addr_copy(b, from_bytes(s, &from, b), a->a[4], a->a[5]);
		if (e < 0)
			return e;
	}
	return r;
}

long sys_sendmsg(struct thread *t, const struct syscall_args *a)
{
	struct sock *s;
	bool nonblock;
	struct sock_iov io;
	struct linux_msghdr m;
	struct sock_addr to = {0};
	long r = get((int)a->a[0], &s, &nonblock);
	if (r < 0)
		return r;
	if (copy_from_user(&m, a->a[1], sizeof(m)))
		return -EFAULT;
	if ((r = io_user(&io, m.iov, m.iovlen)) < 0)
		return r;
	bool has_to;
	if ((r = send_dest(s, m.namelen ? m.name : 0, m.namelen, &to, &has_to)) < 0)
		return r;
	/* Control messages (SCM_RIGHTS...) are not carried: say so rather than drop them. */
	if (m.controllen)
		return -EOPNOTSUPP;
	return do_send(t, s, &io, (int)a->a[2], has_to ? &to : NULL, nonblock);
}

long sys_recvmsg(struct thread *t, const struct syscall_args *a)
{
	struct sock *s;
	bool nonblock;
	struct sock_iov io;
	struct linux_msghdr m;
	struct sock_addr from;
	int msg_flags = 0;
	long r = get((int)a->a[0], &s, &nonblock);
	if (r < 0)
		return r;
	if (copy_from_user(&m, a->a[1], sizeof(m)))
		return -EFAULT;
	if ((r = io_user(&io, m.iov, m.iovlen)) < 0)
		return r;
	from = s->peer;
	r = do_recv(t, s, &io, (int)a->a[2], &from, &msg_flags, nonblock);
	if (r < 0)
		return r;
	if (m.name) {
		uint8_t b[112];
		uint32_t full = from_bytes(s, &from, b);
		if (copy_to_user(m.name, b, m.namelen < full ? m.namelen : full))
			return -EFAULT;
		m.namelen = full;
	}
	m.controllen = 0;
	m.flags = msg_flags;
	if (copy_to_user(a->a[1], &m, sizeof(m)))
		return -EFAULT;
	return r;
}

long sys_shutdown(struct thread *t, const struct syscall_args *a)
{
	struct sock *s;
	int how = (int)a->a[1];
	long r = get((int)a->a[0], &s, NULL);
	if (r < 0)
		return r;
	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	if (s->state != SS_CONNECTED && !closed_in_order(s) &&
	    !(sock_conn(s) && s->state == SS_LISTENING))
		return -ENOTCONN;
	if (s->state == SS_LISTENING) {
		/* Linux: a listener shut down stops listening; accept fails with EINVAL. */
		return 0;
	}
	if (how != SHUT_WR)
		s->rx_eof = true;
	if (how != SHUT_RD && !s->tx_shut) {
		s->tx_shut = true;
		if (s->be->shut_write)
			s->be->shut_write(s);
	}
	sock_changed(s, SOCK_EV_ALL);
	return 0;
}

/* ---------------------------------------------------------------- options */

static int opt_bit(int level, int name)
{
	if (level == SOL_SOCKET) {
		switch (name) {
		case SO_REUSEADDR:
			return SOCK_OPT_REUSEADDR;
		case SO_REUSEPORT:
			return SOCK_OPT_REUSEPORT;
		case SO_KEEPALIVE:
			return SOCK_OPT_KEEPALIVE;
		case SO_BROADCAST:
			return SOCK_OPT_BROADCAST;
		case SO_OOBINLINE:
			return SOCK_OPT_OOBINLINE;
		case SO_DONTROUTE:
			return SOCK_OPT_DONTROUTE;
		}
	}
	if (level == IPPROTO_TCP && name == TCP_NODELAY)
		return SOCK_OPT_NODELAY;
	return -1;
}

static struct sock_kept *kept_find(struct sock *s, int level, int name, bool make)
{
	struct sock_kept *free = NULL;
	for (int i = 0; i < SOCK_KEPT; i++) {
		struct sock_kept *k = &F(s)->kept[i];
		if (k->level == level && k->name == name && (level || name))
			return k;
		if (!free && !k->level && !k->name)
			free = k;
	}
	if (free && make) {
		free->level = level;
		free->name = name;
		return free;
	}
	return NULL;
}

/* Whether gort keeps an option it does not act on (the rest are ENOPROTOOPT). */
static bool keepable(const struct sock *s, int level)
{
	switch (level) {
	case SOL_SOCKET:
	case IPPROTO_IP:
		return true;
	case IPPROTO_TCP:
		return s->type == SOCK_STREAM;
	case IPPROTO_UDP:
		return s->type == SOCK_DGRAM;
	default:
		return false; /* IPPROTO_IPV6 on an IPv4 socket, as Linux */
	}
}

long sys_setsockopt(struct thread *t, const struct syscall_args *a)
{
	struct sock *s;
	int level = (int)a->a[1], name = (int)a->a[2], val = 0;
	uint32_t len = (uint32_t)a->a[4];
	long r = get((int)a->a[0], &s, NULL);
	if (r < 0)
		return r;
	if (level == SOL_SOCKET && name == SO_LINGER) {
		int32_t l[2];
		if (len < sizeof(l))
			return -EINVAL;
		if (copy_from_user(l, a->a[3], sizeof(l)))
			return -EFAULT;
		s->linger = l[0] != 0;
		s->linger_sec = l[1];
		return 0;
	}
	if (len < sizeof(int)) {
		if (len == 0 || level != IPPROTO_IP)
			return -EINVAL;
		uint8_t b; /* IP_MULTICAST_LOOP and friends may be one byte */
		if (copy_from_user(&b, a->a[3], 1))
			return -EFAULT;
		val = b;
	} else if (copy_from_user(&val, a->a[3], sizeof(val))) {
		return -EFAULT;
	}
	sock_netd_setsockopt(s, level, name, val);
	int bit = opt_bit(level, name);
	if (bit >= 0) {
		s->opts = val ? s->opts | (1u << bit) : s->opts & ~(1u << bit);
		return 0;
	}
	if (level == SOL_SOCKET && (name == SO_RCVBUF || name == SO_SNDBUF)) {
		/* Linux doubles what is asked (for its bookkeeping) and clamps it. */
		long v = (long)val * 2;
		if (v < SOCK_BUF_MIN)
			v = SOCK_BUF_MIN;
		if (v > 2 * SOCK_BUF_DEFAULT)
			v = 2 * SOCK_BUF_DEFAULT;
		if (name == SO_RCVBUF)
			s->rx.max = (uint32_t)v;
		else
			s->sndbuf = (int)v;
		if (name == SO_RCVBUF && s->be && s->be->consumed)
			s->be->consumed(s); /* room may have come */
		return 0;
	}
	if (level == SOL_SOCKET && (name == SO_TYPE || name == SO_ERROR || name == SO_ACCEPTCONN ||
				    name == SO_PROTOCOL || name == SO_DOMAIN))
		return -ENOPROTOOPT;
	if (!keepable(s, level))
		return -ENOPROTOOPT;
	struct sock_kept *k = kept_find(s, level, name, true);
	if (!k)
		return -ENOBUFS;
	k->val = val;
	return 0;
}

/* Linux's struct ucred of an AF_UNIX peer (the process that connected, or listened, or made the
 * pair): none (an AF_INET socket's too) gives pid 0 and the overflow ids, as Linux; gort's
 * processes are all root. */
static long peercred_out(const struct sock *s, uintptr_t uva, uintptr_t ulen, uint32_t len)
{
	int32_t cred[3] = {s->peer_pid, 0, 0};
	if (!s->peer_pid)
		cred[1] = cred[2] = 65534;
	uint32_t full = sizeof(cred);
	if (len > full)
		len = full;
	if (copy_to_user(uva, cred, len) || copy_to_user(ulen, &len, sizeof(len)))
		return -EFAULT;
	return 0;
}

long sys_getsockopt(struct thread *t, const struct syscall_args *a)
{
	struct sock *s;
	int level = (int)a->a[1], name = (int)a->a[2], val = 0;
	uint32_t len;
	long r = get((int)a->a[0], &s, NULL);
	if (r < 0)
		return r;
	if (copy_from_user(&len, a->a[4], sizeof(len)))
		return -EFAULT;
	if ((int32_t)len < 0)
		return -EINVAL;
	int bit = opt_bit(level, name);
	if (level == SOL_SOCKET && name == SO_PEERCRED)
		return peercred_out(s, a->a[3], a->a[4], len);
	if (level == SOL_SOCKET && name == SO_LINGER) {
		int32_t l[2] = {s->linger, s->linger_sec};
		uint32_t full = sizeof(l);
		if (copy_to_user(a->a[3], l, len < full ? len : full) ||
		    copy_to_user(a->a[4], &full, sizeof(full)))
			return -EFAULT;
		return 0;
	}
	if (bit >= 0) {
		val = (s->opts >> bit) & 1;
	} else if (level == SOL_SOCKET) {
		switch (name) {
		case SO_TYPE:
			val = s->type;
			break;
		case SO_ERROR:
			val = s->err;
			s->err = 0;
			break;
		case SO_RCVBUF:
			val = (int)s->rx.max;
			break;
		case SO_SNDBUF:
			val = s->sndbuf;
			break;
		case SO_ACCEPTCONN:
			val = s->state == SS_LISTENING;
			break;
		case SO_PROTOCOL:
			val = F(s)->family == AF_UNIX  ? 0
			      : s->type == SOCK_STREAM ? IPPROTO_TCP
						       : IPPROTO_UDP;
			break;
		case SO_DOMAIN:
			val = F(s)->family;
			break;
		default: {
			struct sock_kept *k = kept_find(s, level, name, false);
			val = k ? k->val : 0;
		}
		}
	} else {
		if (!keepable(s, level))
			return -ENOPROTOOPT;
		struct sock_kept *k = kept_find(s, level, name, false);
		val = k ? k->val : 0;
	}
	uint32_t full = sizeof(val);
	if (copy_to_user(a->a[3], &val, len < full ? len : full))
		return -EFAULT;
	if (len > full)
		len = full;
	return copy_to_user(a->a[4], &len, sizeof(len)) ? -EFAULT : 0;
}

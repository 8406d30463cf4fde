/* Tests of guest-abi/gort/sock.c and sock_loop.c on the host: the port table, connections and
 * the backlog, rx buffers (their fsmem pages, SO_RCVBUF, ENOBUFS), resets and EPIPE/SIGPIPE,
 * datagrams, and blocked calls made again when the socket changes. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "fakes.h"
#include "fs.h"
#include "fsmem.h"
#include "gort.h"
#include "linux.h"
#include "sock.h"

#include "fs_util.h"

struct sin {
	uint16_t family, port;
	uint8_t addr[4];
	uint8_t zero[8];
};

static uint16_t swap16(uint16_t v)
{
	return (uint16_t)((v >> 8) | (v << 8));
}

/* A struct sockaddr_in in user memory. */
static struct sin *sin_(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint16_t port)
{
	struct sin *s = ualloc(sizeof(*s));
	*s = (struct sin){.family = AF_INET, .port = swap16(port), .addr = {a, b, c, d}};
	return s;
}

/* A string in user memory, as a host pointer. */
static char *US(const char *text)
{
	char *p = ualloc(strlen(text) + 1);
	strcpy(p, text);
	return p;
}

static long sock_(int type)
{
	return SYS(sys_socket, AF_INET, (unsigned long)type | SOCK_NONBLOCK, 0);
}

static uint16_t port_of(long fd)
{
	struct sin *s = ualloc(sizeof(*s));
	uint32_t *len = ualloc(4);
	*len = sizeof(*s);
	cr_assert_eq(SYS(sys_getsockname, (unsigned long)fd, U(s), U(len)), 0);
	cr_assert_eq(*len, 16);
	return swap16(s->port);
}

/* A listener on 127.0.0.1 (ephemeral port) with backlog. */
static long listener(int backlog, uint16_t *port)
{
	long l = sock_(SOCK_STREAM);
	cr_assert_geq(l, 0);
	cr_assert_eq(SYS(sys_bind, (unsigned long)l, U(sin_(127, 0, 0, 1, 0)), 16), 0);
	cr_assert_eq(SYS(sys_listen, (unsigned long)l, (unsigned long)backlog), 0);
	*port = port_of(l);
	return l;
}

static long connect_(long fd, uint16_t port)
{
	return SYS(sys_connect, (unsigned long)fd, U(sin_(127, 0, 0, 1, port)), 16);
}

static long accept_(long l)
{
	return SYS(sys_accept4, (unsigned long)l, 0, 0, SOCK_NONBLOCK);
}

static int so_error(long fd)
{
	int *v = ualloc(4);
	uint32_t *len = ualloc(4);
	*len = 4;
	cr_assert_eq(SYS(sys_getsockopt, (unsigned long)fd, 1, 4 /* SO_ERROR */, U(v), U(len)), 0);
	return *v;
}

/* A connected pair: client *c, accepted server end *s. */
static void pair(long *c, long *s)
{
	uint16_t port;
	long l = listener(8, &port);
	*c = sock_(SOCK_STREAM);
	cr_assert_eq(connect_(*c, port), 0);
	*s = accept_(l);
	cr_assert_geq(*s, 0);
}

Test(sock, ports_families_and_addresses, .init = setup)
{
	cr_assert_eq(SYS(sys_socket, AF_INET6, SOCK_STREAM, 0), -EAFNOSUPPORT);
	cr_assert_eq(SYS(sys_socket, AF_INET, 3 /* SOCK_RAW */, 0), -ESOCKTNOSUPPORT);
	cr_assert_eq(SYS(sys_socket, AF_INET, SOCK_STREAM, 17), -EPROTONOSUPPORT);
	long a = sock_(SOCK_STREAM), b = sock_(SOCK_STREAM), u = sock_(SOCK_DGRAM);
	cr_assert_eq(SYS(sys_bind, (unsigned long)a, U(sin_(10, 0, 2, 15, 80)), 16),
		     -EADDRNOTAVAIL);
	cr_assert_eq(SYS(sys_bind, (unsigned long)a, U(sin_(127, 0, 0, 1, 8080)), 16), 0);
	cr_assert_eq(SYS(sys_bind, (unsigned long)a, U(sin_(127, 0, 0, 1, 8081)), 16), -EINVAL);
	/* 0.0.0.0 overlaps 127.0.0.1; UDP has its own ports. */
	cr_assert_eq(SYS(sys_bind, (unsigned long)b, U(sin_(0, 0, 0, 0, 8080)), 16), -EADDRINUSE);
	cr_assert_eq(SYS(sys_bind, (unsigned long)u, U(sin_(0, 0, 0, 0, 8080)), 16), 0);
	/* Two specific addresses do not overlap. */
	cr_assert_eq(SYS(sys_bind, (unsigned long)b, U(sin_(127, 0, 0, 2, 8080)), 16), 0);
	b = sock_(SOCK_STREAM);
	cr_assert_eq(SYS(sys_bind, (unsigned long)b, U(sin_(127, 0, 0, 2, 0)), 16), 0);
	uint16_t p = port_of(b);
	cr_assert(p >= SOCK_EPHEM_FIRST && p <= SOCK_EPHEM_LAST, "ephemeral port %u", p);
	/* Closing gives the port back. */
	cr_assert_eq(close_((int)a), 0);
	long c = sock_(SOCK_STREAM);
	cr_assert_eq(SYS(sys_bind, (unsigned long)c, U(sin_(0, 0, 0, 0, 8080)), 16), -EADDRINUSE);
	cr_assert_eq(SYS(sys_bind, (unsigned long)c, U(sin_(127, 0, 0, 1, 8080)), 16), 0);
	/* SO_REUSEADDR on both lets two share a port until one listens. */
	long d = sock_(SOCK_STREAM), e = sock_(SOCK_STREAM);
	int *one = ualloc(4);
	*one = 1;
	cr_assert_eq(SYS(sys_setsockopt, (unsigned long)d, 1, 2, U(one), 4), 0);
	cr_assert_eq(SYS(sys_setsockopt, (unsigned long)e, 1, 2, U(one), 4), 0);
	cr_assert_eq(SYS(sys_bind, (unsigned long)d, U(sin_(127, 0, 0, 1, 9000)), 16), 0);
	cr_assert_eq(SYS(sys_bind, (unsigned long)e, U(sin_(127, 0, 0, 1, 9000)), 16), 0);
	cr_assert_eq(SYS(sys_listen, (unsigned long)d, 4), 0);
	cr_assert_eq(SYS(sys_listen, (unsigned long)e, 4), -EADDRINUSE);
	/* Not a socket. */
	cr_assert_eq(SYS(sys_listen, 1, 4), -ENOTSOCK);
	cr_assert_eq(SYS(sys_listen, 99, 4), -EBADF);
}

Test(sock, connect_accept_refused_and_backlog, .init = setup)
{
	uint16_t port;
	long c = sock_(SOCK_STREAM);
	cr_assert_eq(connect_(c, 9), -ECONNREFUSED);
	long l = listener(0, &port); /* backlog 0: one connection waits, as Linux */
	long c1 = sock_(SOCK_STREAM), c2 = sock_(SOCK_STREAM);
	cr_assert_eq(connect_(c1, port), 0);
	cr_assert_eq(connect_(c2, port), -EINPROGRESS);
	cr_assert_eq(connect_(c2, port), -EALREADY);
	cr_assert_eq(connect_(c1, port), -EISCONN);
	struct sin *peer = ualloc(sizeof(*peer));
	uint32_t *len = ualloc(4);
	*len = 16;
	cr_assert_eq(SYS(sys_getpeername, (unsigned long)c2, U(peer), U(len)), -ENOTCONN);
	long s1 = SYS(sys_accept4, (unsigned long)l, U(peer), U(len), 0);
	cr_assert_geq(s1, 0);
	cr_assert_eq(swap16(peer->port), port_of(c1)); /* the client's own port */
	/* The accept made room: the waiting connect went through. */
	cr_assert_eq(so_error(c2), 0);
	cr_assert_eq(SYS(sys_getpeername, (unsigned long)c2, U(peer), U(len)), 0);
	cr_assert_eq(swap16(peer->port), port);
	cr_assert_geq(accept_(l), 0);
	cr_assert_eq(accept_(l), -EAGAIN);
	/* A listener closed with a connection waiting refuses it. */
	long c3 = sock_(SOCK_STREAM), c4 = sock_(SOCK_STREAM);
	cr_assert_eq(connect_(c3, port), 0);
	cr_assert_eq(connect_(c4, port), -EINPROGRESS);
	cr_assert_eq(close_((int)l), 0);
	cr_assert_eq(so_error(c4), ECONNREFUSED);
	cr_assert_eq(connect_(c, port), -ECONNREFUSED);
}

Test(sock, bytes_use_fsmem_pages_and_stop_at_rcvbuf, .init = setup)
{
	long c, s;
	pair(&c, &s);
	uint64_t before = fsmem_used();
	uint8_t *buf = ualloc(300000), *got = ualloc(300000);
	for (size_t i = 0; i < 300000; i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	cr_assert_eq(write_((int)c, buf, 10000), 10000);
	cr_assert_eq(fsmem_used() - before, 3); /* 10000 bytes on three pages */
	cr_assert_eq(read_((int)s, got, 300000), 10000);
	cr_assert_eq(memcmp(got, buf, 10000), 0);
	cr_assert_eq(fsmem_used(), before); /* read bytes give their pages back */
	/* The receiver's buffer is the bound: 208 KiB, then EAGAIN. */
	long n = write_((int)c, buf, 300000);
	cr_assert_eq(n, SOCK_BUF_DEFAULT);
	cr_assert_eq(write_((int)c, buf, 1), -EAGAIN);
	cr_assert_eq(read_((int)s, got, 300000), SOCK_BUF_DEFAULT);
	cr_assert_eq(memcmp(got, buf, SOCK_BUF_DEFAULT), 0);
	/* Out of gort's memory: ENOBUFS, nothing lost. */
	fake_pages_free = 0;
	cr_assert_eq(write_((int)c, buf, 5000), -ENOBUFS);
	fake_pages_free = 100;
	cr_assert_eq(write_((int)c, buf, 5000), 5000);
	cr_assert_eq(read_((int)s, got, 6000), 5000);
	cr_assert_eq(memcmp(got, buf, 5000), 0);
}

Test(sock, close_resets_and_writes_to_a_gone_peer_fail, .init = setup)
{
	long c, s;
	pair(&c, &s);
	uint8_t *buf = ualloc(64);
	cr_assert_eq(write_((int)c, US("unread"), 6), 6);
	cr_assert_eq(close_((int)s), 0); /* with bytes unread: a reset */
	cr_assert_eq(read_((int)c, buf, 64), -ECONNRESET);
	cr_assert_eq(read_((int)c, buf, 64), 0);
	cr_assert_eq(T.sigpending & (1u << (SIGPIPE - 1)), 0);
	cr_assert_eq(write_((int)c, US("x"), 1), -EPIPE);
	cr_assert_neq(T.sigpending & (1u << (SIGPIPE - 1)), 0);
	/* MSG_NOSIGNAL: EPIPE without the signal. */
	T.sigpending = 0;
	cr_assert_eq(SYS(sys_sendto, (unsigned long)c, UP("x"), 1, 0x4000, 0, 0), -EPIPE);
	cr_assert_eq(T.sigpending, 0);
	/* A half-close: the peer reads its bytes, then end of file, and can still answer. */
	pair(&c, &s);
	cr_assert_eq(write_((int)c, US("half"), 4), 4);
	cr_assert_eq(SYS(sys_shutdown, (unsigned long)c, 1 /* SHUT_WR */), 0);
	cr_assert_eq(read_((int)s, buf, 64), 4);
	cr_assert_eq(read_((int)s, buf, 64), 0);
	cr_assert_eq(write_((int)s, US("back"), 4), 4);
	cr_assert_eq(read_((int)c, buf, 64), 4);
	cr_assert_eq(write_((int)c, US("x"), 1), -EPIPE);
}

/* After the peer's orderly close a write still goes (Linux sends it; the peer answers with a
 * reset), the next is EPIPE: net/http's transport reads the end of file before a write error
 * (TestTransportPersistConnReadLoopEOF). */
Test(sock, one_write_after_the_peers_close_goes_the_next_is_epipe, .init = setup)
{
	long c, s;
	pair(&c, &s);
	uint8_t *buf = ualloc(64);
	cr_assert_eq(close_((int)s), 0);
	cr_assert_eq(read_((int)c, buf, 64), 0);
	cr_assert_eq(write_((int)c, US("GET"), 3), 3);
	cr_assert_eq(T.sigpending & (1u << (SIGPIPE - 1)), 0);
	cr_assert_eq(write_((int)c, US("GET"), 3), -EPIPE);
}

/* SO_LINGER on with a time of 0: close aborts the connection, so the peer reads ECONNRESET, not
 * end of file (net's TestNotTemporaryRead). */
Test(sock, a_close_lingering_for_no_time_resets_the_peer, .init = setup)
{
	long c, s;
	pair(&c, &s);
	uint8_t *buf = ualloc(64);
	int32_t *l = ualloc(8);
	l[0] = 1;
	l[1] = 0;
	cr_assert_eq(
	    SYS(sys_setsockopt, (unsigned long)s, 1 /* SOL_SOCKET */, 13 /* SO_LINGER */, U(l), 8),
	    0);
	cr_assert_eq(close_((int)s), 0);
	cr_assert_eq(read_((int)c, buf, 64), -ECONNRESET);
	/* Lingering for a while is an ordinary close: end of file. */
	pair(&c, &s);
	l[1] = 5;
	cr_assert_eq(SYS(sys_setsockopt, (unsigned long)s, 1, 13, U(l), 8), 0);
	cr_assert_eq(close_((int)s), 0);
	cr_assert_eq(read_((int)c, buf, 64), 0);
}

Test(sock, datagrams_whole_truncated_and_addressed, .init = setup)
{
	long a = sock_(SOCK_DGRAM), b = sock_(SOCK_DGRAM);
	cr_assert_eq(SYS(sys_bind, (unsigned long)a, U(sin_(127, 0, 0, 1, 0)), 16), 0);
	uint16_t pa = port_of(a);
	struct sin *to = sin_(127, 0, 0, 1, pa);
	cr_assert_eq(SYS(sys_sendto, (unsigned long)b, UP("0123456789"), 10, 0, U(to), 16), 10);
	cr_assert_eq(SYS(sys_sendto, (unsigned long)b, UP("next"), 4, 0, U(to), 16), 4);
	cr_assert_eq(SYS(sys_sendto, (unsigned long)b, UP("x"), 1, 0, 0, 0), -EDESTADDRREQ);
	char *buf = ualloc(16);
	struct sin *from = ualloc(sizeof(*from));
	uint32_t *len = ualloc(4);
	*len = 16;
	/* MSG_PEEK leaves it; MSG_TRUNC tells its real size. */
	cr_assert_eq(SYS(sys_recvfrom, (unsigned long)a, U(buf), 4, 2 | 0x20, U(from), U(len)), 10);
	cr_assert_eq(SYS(sys_recvfrom, (unsigned long)a, U(buf), 4, 0, U(from), U(len)), 4);
	cr_assert_eq(memcmp(buf, "0123", 4), 0);
	cr_assert_eq(swap16(from->port), port_of(b)); /* the sender was given a port */
	cr_assert_eq(SYS(sys_recvfrom, (unsigned long)a, U(buf), 16, 0, 0, 0), 4);
	cr_assert_eq(memcmp(buf, "next", 4), 0);
	cr_assert_eq(SYS(sys_recvfrom, (unsigned long)a, U(buf), 16, 0, 0, 0), -EAGAIN);
	/* A full receiver drops what an unconnected sender sends, as UDP does: the send succeeds.
	 */
	char *dgram = ualloc(SOCK_DGRAM_MAX);
	int sent = 0;
	while (SYS(sys_sendto, (unsigned long)b, U(dgram), SOCK_DGRAM_MAX, 0, U(to), 16) ==
	       SOCK_DGRAM_MAX)
		if (++sent > 16)
			break;
	cr_assert_eq(sent, 17, "a full receiver made the sender fail after %d datagrams", sent);
	int kept = 0;
	while (SYS(sys_recvfrom, (unsigned long)a, U(dgram), SOCK_DGRAM_MAX, 0, 0, 0) ==
	       SOCK_DGRAM_MAX)
		kept++;
	cr_assert(kept > 0 && kept < 17, "%d of 17 datagrams kept", kept);
	/* Connected to a port no one holds: the next call says ECONNREFUSED. */
	cr_assert_eq(connect_(b, 7), 0);
	cr_assert_eq(write_((int)b, US("lost"), 4), 4);
	cr_assert_eq(read_((int)b, buf, 16), -ECONNREFUSED);
}

Test(sock, a_blocked_call_is_made_again_when_the_socket_changes, .init = setup)
{
	uint16_t port;
	long l = SYS(sys_socket, AF_INET, SOCK_STREAM, 0); /* blocking */
	cr_assert_eq(SYS(sys_bind, (unsigned long)l, U(sin_(127, 0, 0, 1, 0)), 16), 0);
	cr_assert_eq(SYS(sys_listen, (unsigned long)l, 4), 0);
	port = port_of(l);
	T2.orig_a0 = (unsigned long)l;
	T2.regs.gregs[0] = 0x1004; /* past its ecall */
	cr_assert_eq(SYS_T(&T2, sys_accept4, (unsigned long)l, 0, 0, 0), SYSCALL_BLOCKED);
	cr_assert_eq(T2.state, T_BLOCKED);
	long c = sock_(SOCK_STREAM);
	cr_assert_eq(connect_(c, port), 0);
	cr_assert_eq(fake_log.redos, 1);
	cr_assert_eq(T2.state, T_RUNNABLE);
	cr_assert_eq(T2.regs.gregs[0], 0x1000); /* back on the ecall */
	cr_assert_eq(result(&T2), l);		/* its first argument again */
	resume(&T2);
	long s = SYS_T(&T2, sys_accept4, (unsigned long)l, 0, 0, 0);
	cr_assert_geq(s, 0);
	/* A blocking read waits for bytes; a close of the socket wakes it too. */
	char *buf = ualloc(8);
	cr_assert_eq(SYS_T(&T2, sys_read, (unsigned long)s, U(buf), 8), SYSCALL_BLOCKED);
	cr_assert_eq(write_((int)c, US("hi"), 2), 2);
	cr_assert_eq(T2.state, T_RUNNABLE);
	resume(&T2);
	cr_assert_eq(SYS_T(&T2, sys_read, (unsigned long)s, U(buf), 8), 2);
	cr_assert_eq(SYS_T(&T2, sys_read, (unsigned long)s, U(buf), 8), SYSCALL_BLOCKED);
	cr_assert_eq(close_((int)c), 0);
	cr_assert_eq(T2.state, T_RUNNABLE);
	resume(&T2);
	cr_assert_eq(SYS_T(&T2, sys_read, (unsigned long)s, U(buf), 8), 0);
}

/* A blocking write that finds the peer's buffer full waits, and the peer's read wakes it. */
Test(sock, a_blocked_write_is_made_again_when_the_peer_reads, .init = setup)
{
	long c, s;
	pair(&c, &s);
	long w = SYS(sys_socket, AF_INET, SOCK_STREAM, 0); /* blocking */
	uint16_t port;
	long l = listener(4, &port);
	cr_assert_eq(SYS(sys_connect, (unsigned long)w, U(sin_(127, 0, 0, 1, port)), 16), 0);
	long r = accept_(l);
	cr_assert_geq(r, 0);
	uint8_t *buf = ualloc(SOCK_BUF_DEFAULT);
	cr_assert_eq(SYS_T(&T2, sys_write, (unsigned long)w, U(buf), SOCK_BUF_DEFAULT),
		     SOCK_BUF_DEFAULT);
	T2.regs.gregs[0] = 0x1004;
	cr_assert_eq(SYS_T(&T2, sys_write, (unsigned long)w, U(buf), 100), SYSCALL_BLOCKED);
	cr_assert_eq(T2.state, T_BLOCKED);
	cr_assert_eq(read_((int)r, buf, 1000), 1000);
	cr_assert_eq(T2.state, T_RUNNABLE, "the reader's room did not wake the blocked writer");
	resume(&T2);
	cr_assert_eq(SYS_T(&T2, sys_write, (unsigned long)w, U(buf), 100), 100);
	(void)c;
	(void)s;
}

static uint32_t ready(long ep, long fd)
{
	struct linux_epoll_event *ev = ualloc(sizeof(*ev));
	ev->events = EPOLLIN | EPOLLOUT | EPOLLRDHUP;
	ev->data = (uint64_t)fd;
	SYS(sys_epoll_ctl, (unsigned long)ep, EPOLL_CTL_ADD, (unsigned long)fd, U(ev));
	long n = SYS(sys_epoll_pwait, (unsigned long)ep, U(ev), 1, 0, 0, 8);
	SYS(sys_epoll_ctl, (unsigned long)ep, EPOLL_CTL_DEL, (unsigned long)fd, 0);
	return n == 1 ? ev->events : 0;
}

/* What epoll says as a connection goes: a listener is readable once a connection waits, a
 * stream socket readable with bytes, and readable with RDHUP at the peer's end of file. */
Test(sock, epoll_follows_listeners_bytes_and_ends, .init = setup)
{
	long ep = SYS(sys_epoll_create1, 0);
	uint16_t port;
	long l = listener(4, &port);
	cr_assert_eq(ready(ep, l), 0);
	long c = sock_(SOCK_STREAM);
	cr_assert_eq(connect_(c, port), 0);
	cr_assert_eq(ready(ep, l), EPOLLIN);
	long s = accept_(l);
	cr_assert_eq(ready(ep, l), 0);
	cr_assert_eq(ready(ep, s), EPOLLOUT);
	cr_assert_eq(write_((int)c, US("abc"), 3), 3);
	cr_assert_eq(ready(ep, s), EPOLLIN | EPOLLOUT);
	cr_assert_eq(SYS(sys_shutdown, (unsigned long)c, 1 /* SHUT_WR */), 0);
	cr_assert_eq(ready(ep, s), EPOLLIN | EPOLLOUT | EPOLLRDHUP);
}

/* Linux's struct iovec, as the program lays it out. */
struct uiov {
	uint64_t base, len;
};

/* Linux's struct msghdr on a 64-bit machine. */
struct umsg {
	uint64_t name;
	uint32_t namelen, pad;
	uint64_t iov, iovlen, control, controllen;
	uint32_t flags, pad2;
};

/* writev and readv, sendmsg and recvmsg move bytes across every iovec, in order. */
Test(sock, vectored_calls_span_their_iovecs, .init = setup)
{
	long c, s;
	pair(&c, &s);
	struct uiov *v = ualloc(3 * sizeof(*v));
	v[0] = (struct uiov){U(US("one,")), 4};
	v[1] = (struct uiov){U(US("")), 0};
	v[2] = (struct uiov){U(US("two")), 3};
	cr_assert_eq(SYS(sys_writev, (unsigned long)c, U(v), 3), 7);
	char *a = ualloc(2), *b = ualloc(8);
	v[0] = (struct uiov){U(a), 2};
	v[1] = (struct uiov){U(b), 8};
	cr_assert_eq(SYS(sys_readv, (unsigned long)s, U(v), 2), 7);
	cr_assert_eq(memcmp(a, "on", 2), 0);
	cr_assert_eq(memcmp(b, "e,two", 5), 0);
	/* sendmsg and recvmsg walk the iovecs themselves. */
	struct umsg *m = ualloc(sizeof(*m));
	v[0] = (struct uiov){U(US("three,")), 6};
	v[1] = (struct uiov){U(US("")), 0};
	v[2] = (struct uiov){U(US("four")), 4};
	*m = (struct umsg){.iov = U(v), .iovlen = 3};
	cr_assert_eq(SYS(sys_sendmsg, (unsigned long)c, U(m), 0), 10);
	v[0] = (struct uiov){U(a), 2};
	v[1] = (struct uiov){U(b), 8};
	*m = (struct umsg){.iov = U(v), .iovlen = 2};
	cr_assert_eq(SYS(sys_recvmsg, (unsigned long)s, U(m), 0), 10);
	cr_assert_eq(memcmp(a, "th", 2), 0);
	cr_assert_eq(memcmp(b, "ree,four", 8), 0);
}

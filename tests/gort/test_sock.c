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
	cr_assert_eq(SYS(sys_shutdown, (unsigned long)c, 1 /* SHUT_WR */), -ENOTCONN);
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
	/* Still connected as far as shutdown goes (net/http's TestServerHijackGetsBackgroundByte
	 * half-closes after the server may have closed). */
	cr_assert_eq(SYS(sys_shutdown, (unsigned long)c, 1 /* SHUT_WR */), 0);
	cr_assert_eq(read_((int)c, buf, 64), 0);
	pair(&c, &s);
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

/* ---------------------------------------------------------------- AF_UNIX (sock_unix.c) */

/* Linux's struct sockaddr_un. */
struct sun {
	uint16_t family;
	char path[108];
};

/* A path's sockaddr_un in user memory; *len: the length to pass (family + path + NUL). */
static struct sun *sun_(const char *path, uint32_t *len)
{
	struct sun *a = ualloc(sizeof(*a));
	a->family = AF_UNIX;
	strcpy(a->path, path);
	*len = (uint32_t)(2 + strlen(path) + 1);
	return a;
}

/* An abstract name: sun_path[0] is 0, then name; the length delimits it. */
static struct sun *abs_(const char *name, uint32_t *len)
{
	struct sun *a = ualloc(sizeof(*a));
	a->family = AF_UNIX;
	memcpy(a->path + 1, name, strlen(name));
	*len = (uint32_t)(2 + 1 + strlen(name));
	return a;
}

static long usock(int type)
{
	return SYS(sys_socket, AF_UNIX, (unsigned long)type | SOCK_NONBLOCK, 0);
}

static long ubind(long fd, const char *path)
{
	uint32_t len;
	struct sun *a = sun_(path, &len);
	return SYS(sys_bind, (unsigned long)fd, U(a), len);
}

static long uconnect(long fd, const char *path)
{
	uint32_t len;
	struct sun *a = sun_(path, &len);
	return SYS(sys_connect, (unsigned long)fd, U(a), len);
}

/* getsockname (peer: getpeername) into *a: its length, or -errno. */
static long uname_(long fd, bool peer, struct sun **a)
{
	*a = ualloc(sizeof(**a) + 8);
	uint32_t *len = ualloc(4);
	*len = sizeof(**a) + 8;
	long r = SYS(peer ? sys_getpeername : sys_getsockname, (unsigned long)fd, U(*a), U(len));
	return r < 0 ? r : (long)*len;
}

static unsigned stat_mode(const char *path)
{
	struct linux_stat *st = ualloc(sizeof(*st));
	long r = SYS(sys_newfstatat, CWD, UP(path), U(st), AT_SYMLINK_NOFOLLOW);
	return r < 0 ? 0 : st->st_mode;
}

Test(sock, unix_bind_makes_a_socket_node, .init = setup)
{
	cr_assert_eq(SYS(sys_socket, AF_UNIX, 3 /* SOCK_RAW */, 0), -ESOCKTNOSUPPORT);
	cr_assert_eq(SYS(sys_socket, AF_UNIX, SOCK_STREAM, 2), -EPROTONOSUPPORT);
	long a = usock(SOCK_STREAM), b = usock(SOCK_DGRAM), q = usock(SOCK_SEQPACKET);
	cr_assert(a >= 0 && b >= 0 && q >= 0);
	cr_assert_eq(ubind(a, "/tmp/s"), 0);
	cr_assert_eq(stat_mode("/tmp/s") & S_IFMT, S_IFSOCK);
	cr_assert_eq(stat_mode("/tmp/s") & 07777, 0777 & ~022u, "mode %o", stat_mode("/tmp/s"));
	cr_assert_eq(ubind(a, "/tmp/t"), -EINVAL); /* already bound */
	cr_assert_eq(ubind(b, "/tmp/s"), -EADDRINUSE);
	cr_assert_eq(ubind(b, "/etc/hosts"), -EADDRINUSE);
	cr_assert_eq(ubind(b, "/nowhere/s"), -ENOENT);
	cr_assert_eq(ubind(b, "/etc/hosts/s"), -ENOTDIR);
	cr_assert_eq(ubind(b, "rel"), 0); /* from the working folder: / */
	cr_assert_eq(stat_mode("/rel") & S_IFMT, S_IFSOCK);
	/* Not a sockaddr_un. */
	struct sin *in = sin_(127, 0, 0, 1, 80);
	cr_assert_eq(SYS(sys_bind, (unsigned long)q, U(in), 16), -EINVAL);
	/* Its name, as Linux gives it: the path and its NUL. */
	struct sun *n;
	cr_assert_eq(uname_(a, false, &n), 2 + 6 + 1);
	cr_assert_eq(n->family, AF_UNIX);
	cr_assert_str_eq(n->path, "/tmp/s");
	cr_assert_eq(uname_(q, false, &n), 2); /* unnamed: just the family */
	/* A socket's name is not for open. */
	cr_assert_eq(open_("/tmp/s", O_RDWR), -ENXIO);
	/* Closing the socket leaves the name; unlink takes it, and it can be bound again. */
	cr_assert_eq(close_((int)a), 0);
	cr_assert_eq(stat_mode("/tmp/s") & S_IFMT, S_IFSOCK);
	cr_assert_eq(ubind(q, "/tmp/s"), -EADDRINUSE);
	cr_assert_eq(SYS(sys_unlinkat, CWD, UP("/tmp/s"), 0), 0);
	cr_assert_eq(ubind(q, "/tmp/s"), 0);
}

Test(sock, unix_streams_connect_by_path_with_linux_names, .init = setup)
{
	long l = usock(SOCK_STREAM), c = usock(SOCK_STREAM);
	cr_assert_eq(uconnect(c, "/tmp/l"), -ENOENT);
	cr_assert_eq(uconnect(c, "/etc/hosts"), -ECONNREFUSED); /* not a socket */
	cr_assert_eq(ubind(l, "/tmp/l"), 0);
	cr_assert_eq(uconnect(c, "/tmp/l"), -ECONNREFUSED); /* bound, not listening */
	long unbound = usock(SOCK_STREAM);
	cr_assert_eq(SYS(sys_listen, (unsigned long)unbound, 4), -EINVAL);
	cr_assert_eq(SYS(sys_listen, (unsigned long)l, 0), 0);
	cr_assert_eq(uconnect(c, "/tmp/l"), 0);
	cr_assert_eq(uconnect(c, "/tmp/l"), -EISCONN);
	/* backlog 0 holds one, as Linux; a non-blocking connect then gets EAGAIN */
	long c2 = usock(SOCK_STREAM);
	cr_assert_eq(uconnect(c2, "/tmp/l"), -EAGAIN);
	long d = usock(SOCK_DGRAM);
	cr_assert_eq(ubind(d, "/tmp/d"), 0);
	cr_assert_eq(uconnect(c2, "/tmp/d"), -EPROTOTYPE);
	/* accept names the unnamed client with just the family */
	struct sun *peer = ualloc(sizeof(*peer));
	uint32_t *plen = ualloc(4);
	*plen = sizeof(*peer);
	long s = SYS(sys_accept4, (unsigned long)l, U(peer), U(plen), SOCK_NONBLOCK);
	cr_assert_geq(s, 0);
	cr_assert_eq(*plen, 2);
	cr_assert_eq(peer->family, AF_UNIX);
	struct sun *n;
	cr_assert_eq(uname_(s, false, &n), 9);
	cr_assert_str_eq(n->path, "/tmp/l");
	cr_assert_eq(uname_(s, true, &n), 2);
	cr_assert_eq(uname_(c, false, &n), 2);
	cr_assert_eq(uname_(c, true, &n), 9);
	cr_assert_str_eq(n->path, "/tmp/l");
	/* bytes both ways */
	char *buf = ualloc(8);
	cr_assert_eq(write_((int)c, US("ping"), 4), 4);
	cr_assert_eq(read_((int)s, buf, 8), 4);
	cr_assert_eq(memcmp(buf, "ping", 4), 0);
	cr_assert_eq(write_((int)s, US("pong"), 4), 4);
	cr_assert_eq(read_((int)c, buf, 8), 4);
	/* The name unlinked: the listener stays usable, no one new finds it. */
	cr_assert_eq(SYS(sys_unlinkat, CWD, UP("/tmp/l"), 0), 0);
	cr_assert_eq(uconnect(usock(SOCK_STREAM), "/tmp/l"), -ENOENT);
	cr_assert_eq(uname_(l, false, &n), 9);
	/* A closed peer: end of file, then EPIPE at once (no TCP-style extra write). */
	cr_assert_eq(close_((int)s), 0);
	cr_assert_eq(read_((int)c, buf, 8), 0);
	cr_assert_eq(SYS(sys_sendto, (unsigned long)c, UP("x"), 1, 0x4000 /* MSG_NOSIGNAL */, 0, 0),
		     -EPIPE);
	cr_assert_eq(uname_(c, true, &n), 9); /* still names the peer it had, as Linux */
	/* A name whose socket closed refuses. */
	long m = usock(SOCK_STREAM);
	cr_assert_eq(ubind(m, "/tmp/m"), 0);
	cr_assert_eq(close_((int)m), 0);
	cr_assert_eq(uconnect(usock(SOCK_STREAM), "/tmp/m"), -ECONNREFUSED);
}

Test(sock, unix_abstract_names_and_autobind, .init = setup)
{
	uint32_t len;
	long a = usock(SOCK_STREAM), b = usock(SOCK_STREAM);
	struct sun *an = abs_("go/x", &len);
	cr_assert_eq(SYS(sys_bind, (unsigned long)a, U(an), len), 0);
	cr_assert_eq(SYS(sys_bind, (unsigned long)b, U(an), len), -EADDRINUSE);
	/* a longer name with the same start is another name */
	struct sun *an2 = abs_("go/x\1", &len);
	cr_assert_eq(SYS(sys_bind, (unsigned long)b, U(an2), len), 0);
	struct sun *n;
	cr_assert_eq(uname_(a, false, &n), 2 + 1 + 4);
	cr_assert_eq(n->path[0], 0);
	cr_assert_eq(memcmp(n->path + 1, "go/x", 4), 0);
	cr_assert_eq(stat_mode("/tmp") & S_IFMT, S_IFDIR); /* no node anywhere */
	cr_assert_eq(SYS(sys_listen, (unsigned long)a, 4), 0);
	long c = usock(SOCK_STREAM);
	abs_("go/x", &len);
	cr_assert_eq(SYS(sys_connect, (unsigned long)c, U(an), len), 0);
	cr_assert_eq(uname_(c, true, &n), 7);
	/* Closed, the name is free again. */
	cr_assert_eq(close_((int)a), 0);
	long a2 = usock(SOCK_DGRAM);
	cr_assert_eq(SYS(sys_bind, (unsigned long)a2, U(an), len), 0);
	/* Autobind: just the family gets "\0" and five hex digits. */
	uint16_t *fam = ualloc(2);
	*fam = AF_UNIX;
	long x = usock(SOCK_DGRAM), y = usock(SOCK_DGRAM);
	cr_assert_eq(SYS(sys_bind, (unsigned long)x, U(fam), 2), 0);
	cr_assert_eq(SYS(sys_bind, (unsigned long)y, U(fam), 2), 0);
	struct sun *nx, *ny;
	cr_assert_eq(uname_(x, false, &nx), 8);
	cr_assert_eq(uname_(y, false, &ny), 8);
	cr_assert_eq(nx->path[0], 0);
	for (int i = 1; i <= 5; i++)
		cr_assert(strchr("0123456789abcdef", nx->path[i]), "autobind name %.6s", nx->path);
	cr_assert_neq(memcmp(nx->path, ny->path, 6), 0);
	cr_assert_eq(SYS(sys_bind, (unsigned long)x, U(fam), 2), -EINVAL);
}

Test(sock, unix_datagrams_keep_boundaries_and_senders, .init = setup)
{
	uint32_t alen, clen;
	long a = usock(SOCK_DGRAM), b = usock(SOCK_DGRAM), c = usock(SOCK_DGRAM);
	cr_assert_eq(ubind(a, "/tmp/a"), 0);
	struct sun *ta = sun_("/tmp/a", &alen), *tc = abs_("c", &clen);
	cr_assert_eq(SYS(sys_bind, (unsigned long)c, U(tc), clen), 0);
	cr_assert_eq(SYS(sys_sendto, (unsigned long)b, UP("0123456789"), 10, 0, U(ta), alen), 10);
	cr_assert_eq(SYS(sys_sendto, (unsigned long)c, UP("abc"), 3, 0, U(ta), alen), 3);
	cr_assert_eq(SYS(sys_sendto, (unsigned long)b, UP("x"), 1, 0, 0, 0), -ENOTCONN);
	char *buf = ualloc(16);
	struct sun *from = ualloc(sizeof(*from));
	uint32_t *len = ualloc(4);
	/* An unnamed sender gives no address at all (Linux's recvfrom length 0); MSG_TRUNC gives
	 * the datagram's size and the rest of it is dropped. */
	*len = sizeof(*from);
	cr_assert_eq(SYS(sys_recvfrom, (unsigned long)a, U(buf), 4, 0x20, U(from), U(len)), 10);
	cr_assert_eq(*len, 0);
	cr_assert_eq(memcmp(buf, "0123", 4), 0);
	struct uiov *v = ualloc(sizeof(*v));
	*v = (struct uiov){U(buf), 2};
	struct umsg *m = ualloc(sizeof(*m));
	*m = (struct umsg){.name = U(from), .namelen = sizeof(*from), .iov = U(v), .iovlen = 1};
	cr_assert_eq(SYS(sys_recvmsg, (unsigned long)a, U(m), 0), 2);
	cr_assert_eq(m->flags & 0x20, 0x20); /* MSG_TRUNC: "abc" did not fit */
	cr_assert_eq(m->namelen, clen);
	cr_assert_eq(from->path[0], 0);
	cr_assert_eq(from->path[1], 'c');
	cr_assert_eq(SYS(sys_recvfrom, (unsigned long)a, U(buf), 16, 0, 0, 0), -EAGAIN);
	/* Where no one is bound. */
	uint32_t l2;
	struct sun *gone = sun_("/tmp/none", &l2);
	cr_assert_eq(SYS(sys_sendto, (unsigned long)b, UP("x"), 1, 0, U(gone), l2), -ENOENT);
	long st = usock(SOCK_STREAM);
	cr_assert_eq(ubind(st, "/tmp/st"), 0);
	gone = sun_("/tmp/st", &l2);
	cr_assert_eq(SYS(sys_sendto, (unsigned long)b, UP("x"), 1, 0, U(gone), l2), -EPROTOTYPE);
	/* Connected: a default destination; a socket connected to another refuses the rest. */
	cr_assert_eq(uconnect(b, "/tmp/a"), 0);
	cr_assert_eq(write_((int)b, US("hi"), 2), 2);
	cr_assert_eq(read_((int)a, buf, 16), 2);
	struct sun *n;
	cr_assert_eq(uname_(b, true, &n), 9);
	cr_assert_str_eq(n->path, "/tmp/a");
	cr_assert_eq(SYS(sys_connect, (unsigned long)a, U(tc), clen), 0);
	cr_assert_eq(write_((int)b, US("no"), 2), -EPERM);
	cr_assert_eq(SYS(sys_sendto, (unsigned long)c, UP("yes"), 3, 0, U(ta), alen), 3);
	/* A full receiver: EAGAIN (nothing is dropped, unlike UDP). */
	long r = 0;
	int sent = 0;
	char *big_ = ualloc(65536);
	while ((r = SYS(sys_sendto, (unsigned long)c, U(big_), 65536, 0, U(ta), alen)) == 65536)
		sent++;
	cr_assert_eq(r, -EAGAIN);
	cr_assert(sent >= 2 && sent <= 4, "%d datagrams of 64 KiB held", sent);
	/* Its connected peer closed: ECONNREFUSED. */
	cr_assert_eq(close_((int)a), 0);
	cr_assert_eq(write_((int)b, US("x"), 1), -ECONNREFUSED);
}

/* Edge-triggered epoll (Go's netpoller) on a non-blocking sender refused by a full receiver:
 * no EPOLLOUT until the receiver reads, then one. */
Test(sock, unix_datagram_sender_learns_of_room_by_epollout, .init = setup)
{
	uint32_t alen;
	long a = usock(SOCK_DGRAM), b = usock(SOCK_DGRAM);
	cr_assert_eq(ubind(a, "/tmp/a"), 0);
	struct sun *ta = sun_("/tmp/a", &alen);
	long ep = SYS(sys_epoll_create1, 0);
	struct linux_epoll_event *ev = ualloc(sizeof(*ev));
	ev->events = EPOLLOUT | EPOLLET;
	ev->data = (uint64_t)b;
	cr_assert_eq(SYS(sys_epoll_ctl, (unsigned long)ep, EPOLL_CTL_ADD, (unsigned long)b, U(ev)),
		     0);
	cr_assert_eq(SYS(sys_epoll_pwait, (unsigned long)ep, U(ev), 1, 0, 0, 8), 1);
	char *big_ = ualloc(65536);
	while (SYS(sys_sendto, (unsigned long)b, U(big_), 65536, 0, U(ta), alen) == 65536)
		;
	cr_assert_eq(SYS(sys_epoll_pwait, (unsigned long)ep, U(ev), 1, 0, 0, 8), 0);
	cr_assert_eq(ready(SYS(sys_epoll_create1, 0), b), 0); /* not writable, level-triggered */
	cr_assert_eq(SYS(sys_recvfrom, (unsigned long)a, U(big_), 65536, 0, 0, 0), 65536);
	cr_assert_eq(SYS(sys_epoll_pwait, (unsigned long)ep, U(ev), 1, 0, 0, 8), 1);
	cr_assert_eq(ev->events, EPOLLOUT);
	cr_assert_eq(SYS(sys_sendto, (unsigned long)b, U(big_), 65536, 0, U(ta), alen), 65536);
	/* refused again, then the receiver goes: EPOLLOUT, and the send says why */
	cr_assert_eq(SYS(sys_sendto, (unsigned long)b, U(big_), 65536, 0, U(ta), alen), -EAGAIN);
	cr_assert_eq(close_((int)a), 0);
	cr_assert_eq(SYS(sys_epoll_pwait, (unsigned long)ep, U(ev), 1, 0, 0, 8), 1);
	cr_assert_eq(SYS(sys_sendto, (unsigned long)b, U(big_), 65536, 0, U(ta), alen),
		     -ECONNREFUSED);
}

/* getsockopt SO_PEERCRED's struct ucred {pid, uid, gid}, in *cred: its length, or -errno. */
static long peercred(long fd, int32_t **cred)
{
	*cred = ualloc(16);
	uint32_t *len = ualloc(4);
	*len = 16;
	long r = SYS(sys_getsockopt, (unsigned long)fd, 1, 17 /* SO_PEERCRED */, U(*cred), U(len));
	return r < 0 ? r : (long)*len;
}

Test(sock, unix_peercred_names_the_peer_process, .init = setup)
{
	long l = usock(SOCK_STREAM), c = usock(SOCK_STREAM);
	int32_t *cr;
	cr_assert_eq(peercred(c, &cr), 12);
	cr_assert_eq(cr[0], 0); /* no peer: pid 0, the overflow ids */
	cr_assert_eq(cr[1], 65534);
	cr_assert_eq(ubind(l, "/tmp/p"), 0);
	cr_assert_eq(SYS(sys_listen, (unsigned long)l, 4), 0);
	cr_assert_eq(uconnect(c, "/tmp/p"), 0);
	long s = accept_(l);
	cr_assert_geq(s, 0);
	cr_assert_eq(peercred(c, &cr), 12);
	cr_assert_eq(cr[0], GORT_PID);
	cr_assert_eq(cr[1], 0);
	cr_assert_eq(cr[2], 0);
	cr_assert_eq(peercred(s, &cr), 12);
	cr_assert_eq(cr[0], GORT_PID);
	long *pair = ualloc(2 * sizeof(int));
	cr_assert_eq(SYS(sys_socketpair, AF_UNIX, SOCK_STREAM, 0, U(pair)), 0);
	cr_assert_eq(peercred(((int *)pair)[0], &cr), 12);
	cr_assert_eq(cr[0], GORT_PID);
}

Test(sock, unix_seqpacket_keeps_records_on_a_connection, .init = setup)
{
	long l = usock(SOCK_SEQPACKET), c = usock(SOCK_SEQPACKET);
	cr_assert_eq(ubind(l, "/tmp/q"), 0);
	cr_assert_eq(SYS(sys_listen, (unsigned long)l, 4), 0);
	cr_assert_eq(uconnect(usock(SOCK_STREAM), "/tmp/q"), -EPROTOTYPE);
	char *buf = ualloc(16);
	cr_assert_eq(read_((int)c, buf, 16), -ENOTCONN);
	cr_assert_eq(uconnect(c, "/tmp/q"), 0);
	long s = accept_(l);
	cr_assert_geq(s, 0);
	cr_assert_eq(write_((int)c, US("one"), 3), 3);
	cr_assert_eq(write_((int)c, US("twotwo"), 6), 6);
	cr_assert_eq(read_((int)s, buf, 16), 3);
	cr_assert_eq(SYS(sys_recvfrom, (unsigned long)s, U(buf), 2, 0x20, 0, 0), 6); /* MSG_TRUNC */
	cr_assert_eq(memcmp(buf, "tw", 2), 0);
	cr_assert_eq(read_((int)s, buf, 16), -EAGAIN); /* the rest of the record went */
	char *huge = ualloc(SOCK_BUF_DEFAULT);
	cr_assert_eq(write_((int)c, huge, SOCK_BUF_DEFAULT), -EMSGSIZE);
	cr_assert_eq(close_((int)c), 0);
	cr_assert_eq(read_((int)s, buf, 16), 0);
	cr_assert_eq(SYS(sys_sendto, (unsigned long)s, UP("x"), 1, 0x4000 /* MSG_NOSIGNAL */, 0, 0),
		     -EPIPE);
}

/* A blocking unix datagram send to a full receiver waits; the receiver's read wakes it. A
 * blocking read waits for a datagram; epoll sees it. */
Test(sock, unix_datagram_waits_and_readiness, .init = setup)
{
	uint32_t alen;
	long a = usock(SOCK_DGRAM);
	long b = SYS(sys_socket, AF_UNIX, SOCK_DGRAM, 0); /* blocking */
	cr_assert_eq(ubind(a, "/tmp/a"), 0);
	struct sun *ta = sun_("/tmp/a", &alen);
	long ep = SYS(sys_epoll_create1, 0);
	cr_assert_eq(ready(ep, a), EPOLLOUT);
	char *big_ = ualloc(65536);
	while (SYS(sys_sendto, (unsigned long)b, U(big_), 65536, 0, U(ta), alen) == 65536)
		;
	cr_assert_eq(ready(ep, a), EPOLLIN | EPOLLOUT);
	T2.orig_a0 = (unsigned long)b;
	cr_assert_eq(SYS_T(&T2, sys_sendto, (unsigned long)b, U(big_), 65536, 0, U(ta), alen),
		     SYSCALL_BLOCKED);
	cr_assert_eq(T2.state, T_BLOCKED);
	cr_assert_eq(SYS(sys_recvfrom, (unsigned long)a, U(big_), 65536, 0, 0, 0), 65536);
	cr_assert_eq(T2.state, T_RUNNABLE);
	resume(&T2);
	cr_assert_eq(SYS_T(&T2, sys_sendto, (unsigned long)b, U(big_), 65536, 0, U(ta), alen),
		     65536);
	/* a blocking read of an empty socket waits for the next datagram */
	long r = SYS(sys_socket, AF_UNIX, SOCK_DGRAM, 0);
	cr_assert_eq(ubind(r, "/tmp/r"), 0);
	uint32_t rlen;
	struct sun *tr = sun_("/tmp/r", &rlen);
	char *buf = ualloc(8);
	T2.orig_a0 = (unsigned long)r;
	cr_assert_eq(SYS_T(&T2, sys_read, (unsigned long)r, U(buf), 8), SYSCALL_BLOCKED);
	cr_assert_eq(SYS(sys_sendto, (unsigned long)a, UP("wake"), 4, 0, U(tr), rlen), 4);
	cr_assert_eq(T2.state, T_RUNNABLE);
	resume(&T2);
	cr_assert_eq(SYS_T(&T2, sys_read, (unsigned long)r, U(buf), 8), 4);
}

/* Tests of guest-abi/gort/sock_netd.c, the remote socket backend, on the host: a fake netd link
 * records what gort posts and feeds it netd's messages (docs/netproto.md). HELLO first and the
 * messages before its reply dropped, connect through SOCKET/CONNECT/EV_CONNECTED/GETSOCKNAME,
 * DATA bounded by credit both ways, EOF, a 0.0.0.0 listener served by netd and the loopback,
 * netd's restart failing the sockets and announcing the listeners again, and close. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "fakes.h"
#include "fs.h"
#include "gort.h"
#include "linux.h"
#include "net/netproto.h"
#include "sock.h"
#include "sock_netd.h"

#include "fs_util.h"

/* ---------------------------------------------------------------- the fake netd link */

struct fmsg {
	struct netproto_hdr h;
	uint8_t pl[NETPROTO_DATA_MAX];
	size_t plen;
};

#define FQ 256
static struct {
	struct fmsg out[FQ]; /* what gort posted */
	unsigned nout, taken;
	struct fmsg in[FQ]; /* what netd "sent" */
	unsigned nin, given;
	bool full;	 /* sends find no room */
	bool reset_once; /* the next recv says the peer restarted */
} fk;

static long fk_send(void *ctx, const void *msg, size_t len)
{
	(void)ctx;
	if (fk.full)
		return -EAGAIN;
	cr_assert_geq(len, NETPROTO_HDR_SIZE);
	cr_assert_leq(len, NETPROTO_MSG_MAX);
	cr_assert_lt(fk.nout, FQ);
	struct fmsg *m = &fk.out[fk.nout++];
	memcpy(&m->h, msg, sizeof(m->h));
	m->plen = len - NETPROTO_HDR_SIZE;
	memcpy(m->pl, (const uint8_t *)msg + NETPROTO_HDR_SIZE, m->plen);
	return 0;
}

static long fk_recv(void *ctx, void *buf, size_t size)
{
	(void)ctx;
	if (fk.reset_once) {
		fk.reset_once = false;
		return -ECONNRESET;
	}
	if (fk.given == fk.nin)
		return -EAGAIN;
	struct fmsg *m = &fk.in[fk.given++];
	cr_assert_leq(NETPROTO_HDR_SIZE + m->plen, size);
	memcpy(buf, &m->h, sizeof(m->h));
	memcpy((uint8_t *)buf + NETPROTO_HDR_SIZE, m->pl, m->plen);
	return (long)(NETPROTO_HDR_SIZE + m->plen);
}

static const struct netd_link fk_link = {.send = fk_send, .recv = fk_recv};

/* netd sends this; gort is told as by the channel's doorbell. */
static void feed(uint16_t type, uint16_t flags, uint32_t sock, uint32_t req, int32_t val,
		 const void *pl, size_t plen)
{
	cr_assert_lt(fk.nin, FQ);
	struct fmsg *m = &fk.in[fk.nin++];
	m->h = (struct netproto_hdr){
	    .type = type, .flags = flags, .sock = sock, .req = req, .val = val};
	m->plen = plen;
	if (plen)
		memcpy(m->pl, pl, plen);
	sock_netd_pump();
}

/* The next message gort posted, which must be of type. */
static struct fmsg *expect(uint16_t type)
{
	cr_assert_lt(fk.taken, fk.nout, "gort posted nothing more (wanted type %u)", type);
	struct fmsg *m = &fk.out[fk.taken++];
	cr_assert_eq(m->h.type, type, "posted type %u, wanted %u", m->h.type, type);
	return m;
}

static void expect_nothing(void)
{
	cr_assert_eq(fk.taken, fk.nout, "gort posted type %u more", fk.out[fk.taken].h.type);
}

static void reply(const struct fmsg *req, int32_t val, const void *pl, size_t plen)
{
	feed(NETPROTO_T_REPLY, 0, req->h.sock, req->h.req, val, pl, plen);
}

/* ---------------------------------------------------------------- addresses and calls */

struct sin {
	uint16_t family, port;
	uint8_t addr[4];
	uint8_t zero[8];
};

static uint16_t swap16(uint16_t v)
{
	return (uint16_t)((v >> 8) | (v << 8));
}

static struct sin sin_v(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint16_t port)
{
	return (struct sin){.family = AF_INET, .port = swap16(port), .addr = {a, b, c, d}};
}

static struct sin *sin_(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint16_t port)
{
	struct sin *s = ualloc(sizeof(*s));
	*s = sin_v(a, b, c, d, port);
	return s;
}

static struct sin name_of(syscall_fn fn, long fd)
{
	struct sin *s = ualloc(sizeof(*s));
	uint32_t *len = ualloc(4);
	*len = sizeof(*s);
	cr_assert_eq(SYS(fn, (unsigned long)fd, U(s), U(len)), 0);
	return *s;
}

static uint32_t poll_of(long fd)
{
	struct sock *s;
	bool nb;
	cr_assert_eq(fs_sock_get((int)fd, &s, &nb), 0);
	return sock_poll(s);
}

static int so_error(long fd)
{
	int *v = ualloc(4);
	uint32_t *len = ualloc(4);
	*len = 4;
	cr_assert_eq(SYS(sys_getsockopt, (unsigned long)fd, 1, 4 /* SO_ERROR */, U(v), U(len)), 0);
	return *v;
}

static long tcp(void)
{
	return SYS(sys_socket, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
}

static void up(void)
{
	setup();
	memset(&fk, 0, sizeof(fk));
	sock_netd_attach(&fk_link);
	struct fmsg *h = expect(NETPROTO_T_HELLO);
	cr_assert_eq(h->h.val, NETPROTO_VERSION);
	reply(h, 1, NULL, 0);
}

/* A socket connected through netd to 10.0.2.2:80 as netd's id 7, from 10.0.2.15:40000. */
static long connected(void)
{
	long fd = tcp();
	cr_assert_eq(SYS(sys_connect, (unsigned long)fd, U(sin_(10, 0, 2, 2, 80)), 16),
		     -EINPROGRESS);
	struct fmsg *m = expect(NETPROTO_T_SOCKET);
	int32_t args[3];
	memcpy(args, m->pl, sizeof(args));
	cr_assert_eq(args[0], AF_INET);
	cr_assert_eq(args[1], SOCK_STREAM);
	reply(m, 7, NULL, 0);
	m = expect(NETPROTO_T_CONNECT);
	cr_assert_eq(m->h.sock, 7);
	struct sin want = sin_v(10, 0, 2, 2, 80);
	cr_assert_arr_eq(m->pl, &want, sizeof(want));
	reply(m, -EINPROGRESS, NULL, 0);
	cr_assert_eq(poll_of(fd) & EPOLLOUT, 0, "writable before it is connected");
	feed(NETPROTO_T_EV_CONNECTED, 0, 7, 0, 0, NULL, 0);
	m = expect(NETPROTO_T_GETSOCKNAME);
	struct sin local = sin_v(10, 0, 2, 15, 40000);
	reply(m, 0, &local, sizeof(local));
	cr_assert(poll_of(fd) & EPOLLOUT);
	cr_assert_eq(so_error(fd), 0);
	return fd;
}

static uint8_t pat(size_t i)
{
	return (uint8_t)(7 * i + 3);
}

/* ---------------------------------------------------------------- tests */

Test(sock_netd, without_netd_non_loopback_is_unreachable, .init = setup)
{
	long fd = tcp();
	cr_assert_eq(SYS(sys_connect, (unsigned long)fd, U(sin_(10, 0, 2, 2, 80)), 16),
		     -ENETUNREACH);
	/* Loopback is this partition's either way. */
	cr_assert_eq(SYS(sys_connect, (unsigned long)fd, U(sin_(127, 0, 0, 1, 80)), 16),
		     -ECONNREFUSED);
}

Test(sock_netd, hello_comes_first_and_what_precedes_its_reply_is_dropped, .init = setup)
{
	memset(&fk, 0, sizeof(fk));
	sock_netd_attach(&fk_link);
	struct fmsg *h = expect(NETPROTO_T_HELLO);
	cr_assert_eq(h->h.val, NETPROTO_VERSION);
	/* A request made before the session starts waits for it. */
	long fd = tcp();
	cr_assert_eq(SYS(sys_connect, (unsigned long)fd, U(sin_(10, 0, 2, 2, 80)), 16),
		     -EINPROGRESS);
	expect_nothing();
	/* The last session's messages, and a reply that is not to this HELLO: dropped. */
	feed(NETPROTO_T_EV_CONNECTED, 0, 1, 0, 0, NULL, 0);
	feed(NETPROTO_T_REPLY, 0, 0, h->h.req + 100, 1, NULL, 0);
	expect_nothing();
	reply(h, 1, NULL, 0);
	struct fmsg *m = expect(NETPROTO_T_SOCKET);
	cr_assert_neq(m->h.req, h->h.req);
	expect_nothing();
}

Test(sock_netd, a_refused_version_leaves_no_network, .init = setup_stdout)
{
	memset(&fk, 0, sizeof(fk));
	sock_netd_attach(&fk_link);
	reply(expect(NETPROTO_T_HELLO), -EPROTONOSUPPORT, NULL, 0);
	long fd = tcp();
	cr_assert_eq(SYS(sys_connect, (unsigned long)fd, U(sin_(10, 0, 2, 2, 80)), 16),
		     -ENETUNREACH);
}

Test(sock_netd, connect_names_netds_address_and_fails_as_netd_says, .init = up)
{
	long fd = connected();
	struct sin l = name_of(sys_getsockname, fd), p = name_of(sys_getpeername, fd);
	struct sin wl = sin_v(10, 0, 2, 15, 40000), wp = sin_v(10, 0, 2, 2, 80);
	cr_assert_arr_eq(&l, &wl, sizeof(l));
	cr_assert_arr_eq(&p, &wp, sizeof(p));
	/* TCP_NODELAY goes to netd (Go sets it on every connection); SO_BROADCAST stays here. */
	int *one = ualloc(4);
	*one = 1;
	cr_assert_eq(SYS(sys_setsockopt, (unsigned long)fd, 6, 1, U(one), 4), 0);
	struct fmsg *o = expect(NETPROTO_T_SETSOCKOPT);
	int32_t opt[3];
	memcpy(opt, o->pl, sizeof(opt));
	cr_assert_eq(o->h.sock, 7);
	cr_assert(opt[0] == 6 && opt[1] == 1 && opt[2] == 1);
	cr_assert_eq(SYS(sys_setsockopt, (unsigned long)fd, 1, 6, U(one), 4), 0);
	expect_nothing();
	/* A refused one: SO_ERROR says so, once. */
	long r = tcp();
	cr_assert_eq(SYS(sys_connect, (unsigned long)r, U(sin_(10, 0, 2, 2, 81)), 16),
		     -EINPROGRESS);
	reply(expect(NETPROTO_T_SOCKET), 8, NULL, 0);
	reply(expect(NETPROTO_T_CONNECT), -EINPROGRESS, NULL, 0);
	feed(NETPROTO_T_EV_CONNECTED, 0, 8, 0, -ECONNREFUSED, NULL, 0);
	cr_assert(poll_of(r) & EPOLLERR);
	cr_assert_eq(so_error(r), ECONNREFUSED);
	cr_assert_eq(so_error(r), 0);
}

Test(sock_netd, writes_stop_at_the_window_until_credit_comes, .init = up)
{
	long fd = connected();
	size_t n = 100000;
	uint8_t *b = ualloc(n);
	for (size_t i = 0; i < n; i++)
		b[i] = pat(i);
	long w = write_((int)fd, b, n);
	cr_assert_eq(w, NETPROTO_WINDOW, "a write takes one window: %ld", w);
	cr_assert_eq(write_((int)fd, b + w, n - (size_t)w), -EAGAIN);
	cr_assert_eq(poll_of(fd) & EPOLLOUT, 0);
	/* The bytes, in order, in DATA messages of at most DATA_MAX. */
	size_t got = 0;
	while (fk.taken < fk.nout) {
		struct fmsg *m = expect(NETPROTO_T_DATA);
		cr_assert_eq(m->h.sock, 7);
		cr_assert_leq(m->plen, NETPROTO_DATA_MAX);
		for (size_t i = 0; i < m->plen; i++)
			cr_assert_eq(m->pl[i], pat(got + i), "byte %zu", got + i);
		got += m->plen;
	}
	cr_assert_eq(got, NETPROTO_WINDOW);
	feed(NETPROTO_T_CREDIT, 0, 7, 0, 5000, NULL, 0);
	cr_assert(poll_of(fd) & EPOLLOUT);
	cr_assert_eq(write_((int)fd, b + w, n - (size_t)w), 5000);
	struct fmsg *m = expect(NETPROTO_T_DATA);
	cr_assert_eq(m->plen, 4072);
	cr_assert_eq(m->pl[0], pat((size_t)w));
	expect(NETPROTO_T_DATA);
	/* A full channel: EAGAIN, nothing lost, EPOLLOUT when it drains. */
	feed(NETPROTO_T_CREDIT, 0, 7, 0, 100, NULL, 0);
	fk.full = true;
	cr_assert_eq(write_((int)fd, b, 10), -EAGAIN);
	cr_assert_eq(poll_of(fd) & EPOLLOUT, 0);
	fk.full = false;
	sock_netd_pump();
	cr_assert(poll_of(fd) & EPOLLOUT);
	cr_assert_eq(write_((int)fd, b, 10), 10);
}

Test(sock_netd, pushed_bytes_are_read_locally_and_credited_back, .init = up)
{
	long fd = connected();
	uint8_t chunk[NETPROTO_DATA_MAX];
	size_t sent = 0;
	for (int k = 0; k < 16; k++) { /* one window, 65152 bytes */
		for (size_t i = 0; i < sizeof(chunk); i++)
			chunk[i] = pat(sent + i);
		feed(NETPROTO_T_DATA, 0, 7, 0, 0, chunk, sizeof(chunk));
		sent += sizeof(chunk);
	}
	expect_nothing(); /* nothing read, nothing credited */
	cr_assert(poll_of(fd) & EPOLLIN);
	uint8_t *buf = ualloc(sent);
	cr_assert_eq(read_((int)fd, buf, 10000), 10000);
	expect_nothing(); /* under a quarter of the window */
	cr_assert_eq(read_((int)fd, buf + 10000, 10000), 10000);
	struct fmsg *c = expect(NETPROTO_T_CREDIT);
	cr_assert_eq(c->h.sock, 7);
	cr_assert_eq(c->h.val, 20000);
	cr_assert_eq(read_((int)fd, buf + 20000, sent), (long)(sent - 20000));
	c = expect(NETPROTO_T_CREDIT);
	cr_assert_eq(c->h.val, (int32_t)(sent - 20000)); /* the ring is empty: all of it */
	for (size_t i = 0; i < sent; i++)
		cr_assert_eq(buf[i], pat(i), "byte %zu", i);
	cr_assert_eq(read_((int)fd, buf, 10), -EAGAIN);
	feed(NETPROTO_T_EV_EOF, 0, 7, 0, 0, NULL, 0);
	cr_assert(poll_of(fd) & EPOLLRDHUP);
	cr_assert_eq(read_((int)fd, buf, 10), 0);
	/* SHUT_WR and close go to netd. */
	cr_assert_eq(SYS(sys_shutdown, (unsigned long)fd, 1), 0);
	struct fmsg *s = expect(NETPROTO_T_SHUTDOWN);
	cr_assert_eq(s->h.val, 1);
	cr_assert_eq(close_((int)fd), 0);
	cr_assert_eq(expect(NETPROTO_T_CLOSE)->h.sock, 7);
	/* What still arrives for the id is ignored. */
	feed(NETPROTO_T_DATA, 0, 7, 0, 0, chunk, 10);
}

Test(sock_netd, netds_restart_fails_every_socket_and_a_new_session_serves, .init = up)
{
	long fd = connected();
	feed(NETPROTO_T_DATA, 0, 7, 0, 0, "last", 4);
	fk.reset_once = true;
	sock_netd_pump();
	struct fmsg *h = expect(NETPROTO_T_HELLO);
	char *buf = ualloc(16);
	/* The bytes that came, then the reset; writes fail with EPIPE (SIGPIPE). */
	cr_assert(poll_of(fd) & EPOLLERR);
	cr_assert_eq(read_((int)fd, buf, 16), 4);
	cr_assert_arr_eq(buf, "last", 4);
	cr_assert_eq(read_((int)fd, buf, 16), -ECONNRESET);
	cr_assert_eq(SYS(sys_sendto, (unsigned long)fd, U(buf), 4, 0x4000 /* MSG_NOSIGNAL */, 0, 0),
		     -EPIPE);
	/* The dead id is not closed in the new session. */
	cr_assert_eq(close_((int)fd), 0);
	expect_nothing();
	reply(h, 1, NULL, 0);
	long again = tcp();
	cr_assert_eq(SYS(sys_connect, (unsigned long)again, U(sin_(10, 0, 2, 2, 80)), 16),
		     -EINPROGRESS);
	expect(NETPROTO_T_SOCKET);
}

Test(sock_netd, a_listener_on_any_takes_netds_and_loopback_connections, .init = up)
{
	long l = tcp();
	cr_assert_eq(SYS(sys_bind, (unsigned long)l, U(sin_(0, 0, 0, 0, 8080)), 16), 0);
	cr_assert_eq(SYS(sys_listen, (unsigned long)l, 16), 0);
	struct fmsg *m = expect(NETPROTO_T_SOCKET);
	reply(m, 3, NULL, 0);
	m = expect(NETPROTO_T_SETSOCKOPT);
	cr_assert_eq(m->h.sock, 3);
	int32_t opt[3];
	memcpy(opt, m->pl, sizeof(opt));
	cr_assert_eq(opt[0], 1); /* SOL_SOCKET, SO_REUSEADDR, 1 */
	cr_assert_eq(opt[1], 2);
	cr_assert_eq(opt[2], 1);
	reply(m, 0, NULL, 0);
	m = expect(NETPROTO_T_BIND);
	struct sin any = sin_v(0, 0, 0, 0, 8080);
	cr_assert_arr_eq(m->pl, &any, sizeof(any));
	reply(m, 0, NULL, 0);
	m = expect(NETPROTO_T_LISTEN);
	cr_assert_eq(m->h.val, 16);
	reply(m, 0, NULL, 0);
	/* A connection at netd. */
	feed(NETPROTO_T_EV_ACCEPT, 0, 3, 0, 0, NULL, 0);
	m = expect(NETPROTO_T_ACCEPT);
	cr_assert_eq(m->h.sock, 3);
	struct sin peer = sin_v(10, 0, 2, 2, 5555), local = sin_v(10, 0, 2, 15, 8080);
	feed(NETPROTO_T_REPLY, NETPROTO_F_MORE, 3, m->h.req, 4, &peer, sizeof(peer));
	struct fmsg *g = expect(NETPROTO_T_GETSOCKNAME);
	cr_assert_eq(g->h.sock, 4);
	cr_assert_eq(expect(NETPROTO_T_ACCEPT)->h.sock, 3); /* F_MORE: again at once */
	cr_assert_eq(SYS(sys_accept4, (unsigned long)l, 0, 0, SOCK_NONBLOCK), -EAGAIN);
	reply(g, 0, &local, sizeof(local));
	cr_assert(poll_of(l) & EPOLLIN);
	long c = SYS(sys_accept4, (unsigned long)l, 0, 0, SOCK_NONBLOCK);
	cr_assert_geq(c, 0);
	struct sin p = name_of(sys_getpeername, c), n = name_of(sys_getsockname, c);
	cr_assert_arr_eq(&p, &peer, sizeof(p));
	cr_assert_arr_eq(&n, &local, sizeof(n));
	/* Its bytes flow both ways at once: an accepted socket has full windows. */
	feed(NETPROTO_T_DATA, 0, 4, 0, 0, "ping", 4);
	char *buf = ualloc(8);
	cr_assert_eq(read_((int)c, buf, 8), 4);
	expect(NETPROTO_T_CREDIT);
	char *pong = ualloc(4);
	memcpy(pong, "pong", 4);
	cr_assert_eq(write_((int)c, pong, 4), 4);
	cr_assert_arr_eq(expect(NETPROTO_T_DATA)->pl, "pong", 4);
	/* The same listener serves this partition over loopback. */
	long lc = tcp();
	cr_assert_eq(SYS(sys_connect, (unsigned long)lc, U(sin_(127, 0, 0, 1, 8080)), 16), 0);
	cr_assert_geq(SYS(sys_accept4, (unsigned long)l, 0, 0, SOCK_NONBLOCK), 0);
	expect_nothing();
	/* netd restarts: the accepted socket fails, the listener is announced again. */
	fk.reset_once = true;
	sock_netd_pump();
	struct fmsg *h = expect(NETPROTO_T_HELLO);
	cr_assert_eq(read_((int)c, buf, 8), -ECONNRESET);
	reply(h, 1, NULL, 0);
	m = expect(NETPROTO_T_SOCKET);
	reply(m, 1, NULL, 0);
	reply(expect(NETPROTO_T_SETSOCKOPT), 0, NULL, 0);
	reply(expect(NETPROTO_T_BIND), 0, NULL, 0);
	reply(expect(NETPROTO_T_LISTEN), 0, NULL, 0);
	/* Closing the listener closes netd's half. */
	cr_assert_eq(close_((int)l), 0);
	cr_assert_eq(expect(NETPROTO_T_CLOSE)->h.sock, 1);
}

Test(sock_netd, an_id_handed_out_for_a_closed_socket_is_closed, .init = up)
{
	long fd = tcp();
	cr_assert_eq(SYS(sys_connect, (unsigned long)fd, U(sin_(10, 0, 2, 2, 80)), 16),
		     -EINPROGRESS);
	struct fmsg *m = expect(NETPROTO_T_SOCKET);
	cr_assert_eq(close_((int)fd), 0);
	expect_nothing();
	reply(m, 9, NULL, 0);
	cr_assert_eq(expect(NETPROTO_T_CLOSE)->h.sock, 9);
	expect_nothing();
}

/* A write behind requests the channel has not taken yet (here a CREDIT) waits (DATA must not
 * pass them), and is woken once the pump has sent them. */
Test(sock_netd, a_write_behind_queued_requests_is_woken_when_they_go, .init = up)
{
	long fd = connected();
	uint8_t chunk[NETPROTO_DATA_MAX] = {0};
	for (int k = 0; k < 5; k++)
		feed(NETPROTO_T_DATA, 0, 7, 0, 0, chunk, sizeof(chunk));
	fk.full = true;
	uint8_t *buf = ualloc(5 * sizeof(chunk));
	cr_assert_eq(read_((int)fd, buf, 5 * sizeof(chunk)), (long)(5 * sizeof(chunk)));
	expect_nothing(); /* the CREDIT is queued */
	fk.full = false;
	cr_assert_eq(write_str((int)fd, "x"), -EAGAIN);
	cr_assert_eq(poll_of(fd) & EPOLLOUT, 0, "writable while requests wait to be sent");
	cr_assert_eq(fcntl_((int)fd, F_SETFL, 0), 0); /* blocking */
	T2.regs.gregs[0] = 0x1004;
	cr_assert_eq(SYS_T(&T2, sys_write, (unsigned long)fd, UP("y"), 1), SYSCALL_BLOCKED);
	sock_netd_pump();
	cr_assert_eq(expect(NETPROTO_T_CREDIT)->h.val, (int32_t)(5 * sizeof(chunk)));
	cr_assert_eq(T2.state, T_RUNNABLE, "the blocked writer was not woken");
	cr_assert(poll_of(fd) & EPOLLOUT);
	resume(&T2);
	cr_assert_eq(SYS_T(&T2, sys_write, (unsigned long)fd, UP("y"), 1), 1);
	cr_assert_eq(expect(NETPROTO_T_DATA)->pl[0], 'y');
}

/* Go's netpoller: an edge-triggered EPOLLOUT. A write behind queued requests that a pump could
 * not send yet (the channel still full) must not be told EPOLLOUT then, or epoll takes the edge
 * while the socket is not writable and the writer waits for good (50 connections at once). */
Test(sock_netd, a_writer_on_an_edge_triggered_epoll_is_told_only_when_the_queue_has_gone,
     .init = up)
{
	long fd = connected();
	long ep = SYS(sys_epoll_create1, 0);
	struct linux_epoll_event *evs = ep_events(4);
	cr_assert_eq(ep_ctl((int)ep, EPOLL_CTL_ADD, (int)fd, EPOLLOUT | EPOLLET, 1), 0);
	cr_assert_eq(ep_wait((int)ep, evs, 4, 0), 1); /* writable when added */

	uint8_t chunk[NETPROTO_DATA_MAX] = {0};
	for (int k = 0; k < 5; k++)
		feed(NETPROTO_T_DATA, 0, 7, 0, 0, chunk, sizeof(chunk));
	fk.full = true;
	uint8_t *buf = ualloc(5 * sizeof(chunk));
	cr_assert_eq(read_((int)fd, buf, 5 * sizeof(chunk)), (long)(5 * sizeof(chunk)));
	cr_assert_eq(write_str((int)fd, "x"), -EAGAIN); /* behind the queued CREDIT */
	sock_netd_pump();				/* the channel is still full */
	cr_assert_eq(ep_wait((int)ep, evs, 4, 0), 0);
	fk.full = false;
	sock_netd_pump();
	cr_assert_eq(expect(NETPROTO_T_CREDIT)->h.val, (int32_t)(5 * sizeof(chunk)));
	cr_assert_eq(ep_wait((int)ep, evs, 4, 0), 1, "the writer was never told EPOLLOUT");
	cr_assert(evs[0].events & EPOLLOUT);
	cr_assert_eq(write_str((int)fd, "y"), 1);
	cr_assert_eq(expect(NETPROTO_T_DATA)->pl[0], 'y');
}

/* A connected socket (connected()) on an edge-triggered epoll *ep (its first EPOLLOUT taken)
 * whose writes used up netd's credit; what it posted is taken. */
static long out_of_credit(long *ep, struct linux_epoll_event *evs)
{
	long fd = connected();
	*ep = SYS(sys_epoll_create1, 0);
	cr_assert_eq(ep_ctl((int)*ep, EPOLL_CTL_ADD, (int)fd, EPOLLOUT | EPOLLET, 1), 0);
	cr_assert_eq(ep_wait((int)*ep, evs, 4, 0), 1);
	static uint8_t zero[NETPROTO_WINDOW];
	uint8_t *ubuf = ualloc(sizeof(zero));
	memcpy(ubuf, zero, sizeof(zero));
	long sent = 0, r;
	while ((r = write_((int)fd, ubuf, sizeof(zero))) > 0)
		sent += r;
	cr_assert_eq(r, -EAGAIN);
	cr_assert_eq(sent, NETPROTO_WINDOW);
	while (fk.taken < fk.nout)
		fk.taken++;
	return fd;
}

/* The same for netd's CREDIT that comes while requests are queued: the socket has credit again
 * but is not writable until they go; it is told then. */
Test(sock_netd, credit_that_comes_behind_queued_requests_wakes_the_writer_when_they_go, .init = up)
{
	long ep;
	struct linux_epoll_event *evs = ep_events(4);
	long fd = out_of_credit(&ep, evs);
	uint8_t chunk[NETPROTO_DATA_MAX] = {0};
	feed(NETPROTO_T_DATA, 0, 7, 0, 0, chunk, sizeof(chunk));
	fk.full = true;
	uint8_t *rbuf = ualloc(sizeof(chunk));
	cr_assert_eq(read_((int)fd, rbuf, sizeof(chunk)), (long)sizeof(chunk)); /* CREDIT queued */
	feed(NETPROTO_T_CREDIT, 0, 7, 0, NETPROTO_WINDOW, NULL, 0);
	cr_assert_eq(ep_wait((int)ep, evs, 4, 0), 0);
	fk.full = false;
	sock_netd_pump();
	expect(NETPROTO_T_CREDIT);
	cr_assert_eq(ep_wait((int)ep, evs, 4, 0), 1, "the writer was never told EPOLLOUT");
	cr_assert_eq(write_str((int)fd, "y"), 1);
}

/* An EPOLLOUT edge that epoll takes while requests wait behind a full channel reports nothing
 * (the socket is not writable then), and the writer had no EAGAIN to say it waits: once they go,
 * the edge is given again (a request queued with nothing stalled lost it: 50 connections). */
Test(sock_netd, an_edge_taken_while_requests_wait_is_given_again_when_they_go, .init = up)
{
	long ep;
	struct linux_epoll_event *evs = ep_events(4);
	long fd = out_of_credit(&ep, evs);
	uint8_t chunk[NETPROTO_DATA_MAX] = {0};
	feed(NETPROTO_T_DATA, 0, 7, 0, 0, chunk, sizeof(chunk));
	feed(NETPROTO_T_CREDIT, 0, 7, 0, NETPROTO_WINDOW, NULL, 0); /* EPOLLOUT, not yet taken */
	fk.full = true;
	uint8_t *rbuf = ualloc(sizeof(chunk));
	cr_assert_eq(read_((int)fd, rbuf, sizeof(chunk)), (long)sizeof(chunk)); /* CREDIT queued */
	cr_assert_eq(ep_wait((int)ep, evs, 4, 0), 0, "writable while a request waits");
	fk.full = false;
	sock_netd_pump();
	expect(NETPROTO_T_CREDIT);
	cr_assert_eq(ep_wait((int)ep, evs, 4, 0), 1, "the writer was never told EPOLLOUT again");
	cr_assert(evs[0].events & EPOLLOUT);
	cr_assert_eq(write_str((int)fd, "y"), 1);
}

/* ---------------------------------------------------------------- UDP */

static long udp(void)
{
	return SYS(sys_socket, AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
}

/* A datagram to a non-loopback address makes the socket's netd half (SOCKET, a UDP one) and
 * waits for it; then goes as DATA with its destination, and the answer comes back with its
 * source; credit goes back as it is read. */
Test(sock_netd, a_datagram_to_another_host_goes_through_netd_and_the_answer_comes_back, .init = up)
{
	long fd = udp();
	cr_assert_eq(
	    SYS(sys_sendto, (unsigned long)fd, UP("ping"), 4, 0, U(sin_(10, 0, 2, 3, 53)), 16),
	    -EAGAIN);
	struct fmsg *m = expect(NETPROTO_T_SOCKET);
	int32_t args[3];
	memcpy(args, m->pl, sizeof(args));
	cr_assert_eq(args[1], SOCK_DGRAM);
	expect_nothing();
	reply(m, 9, NULL, 0);
	cr_assert_eq(
	    SYS(sys_sendto, (unsigned long)fd, UP("ping"), 4, 0, U(sin_(10, 0, 2, 3, 53)), 16), 4);
	m = expect(NETPROTO_T_DATA);
	cr_assert_eq(m->h.sock, 9);
	struct sin want = sin_v(10, 0, 2, 3, 53);
	cr_assert_eq(m->plen, NETPROTO_SOCKADDR_SIZE + 4);
	cr_assert_arr_eq(m->pl, &want, sizeof(want));
	cr_assert_arr_eq(m->pl + NETPROTO_SOCKADDR_SIZE, "ping", 4);

	uint8_t pl[NETPROTO_SOCKADDR_SIZE + 4];
	memcpy(pl, &want, sizeof(want));
	memcpy(pl + NETPROTO_SOCKADDR_SIZE, "pong", 4);
	feed(NETPROTO_T_DATA, 0, 9, 0, 0, pl, sizeof(pl));
	cr_assert(poll_of(fd) & EPOLLIN);
	uint8_t *buf = ualloc(16);
	struct sin *from = ualloc(sizeof(*from));
	uint32_t *len = ualloc(4);
	*len = sizeof(*from);
	cr_assert_eq(SYS(sys_recvfrom, (unsigned long)fd, U(buf), 16, 0, U(from), U(len)), 4);
	cr_assert_arr_eq(buf, "pong", 4);
	cr_assert_arr_eq(from, &want, 8);
	m = expect(NETPROTO_T_CREDIT); /* the ring is empty: all of it back */
	cr_assert_eq(m->h.val, (int32_t)sizeof(pl));
	/* Too long for one DATA: EMSGSIZE, as the protocol says. */
	uint8_t *toolong = ualloc(NETPROTO_DGRAM_MAX + 1);
	cr_assert_eq(SYS(sys_sendto, (unsigned long)fd, U(toolong), NETPROTO_DGRAM_MAX + 1, 0,
			 U(sin_(10, 0, 2, 3, 53)), 16),
		     -EMSGSIZE);
	/* Its close closes netd's half. */
	cr_assert_eq(close_((int)fd), 0);
	cr_assert_eq(expect(NETPROTO_T_CLOSE)->h.sock, 9);
}

/* connect to another host: at once, as UDP's is; netd is told the peer (it filters the source)
 * once the half has its id, and sends then carry no address (AF_UNSPEC: the peer). Out of
 * credit a send waits, and the CREDIT that makes room wakes it. */
Test(sock_netd, a_connected_udp_socket_sends_to_its_peer_and_waits_for_credit, .init = up)
{
	long fd = udp();
	long ep = SYS(sys_epoll_create1, 0);
	struct linux_epoll_event *evs = ep_events(4);
	cr_assert_eq(SYS(sys_connect, (unsigned long)fd, U(sin_(10, 0, 2, 3, 53)), 16), 0);
	struct fmsg *m = expect(NETPROTO_T_SOCKET);
	reply(m, 4, NULL, 0);
	m = expect(NETPROTO_T_CONNECT);
	struct sin want = sin_v(10, 0, 2, 3, 53);
	cr_assert_arr_eq(m->pl, &want, sizeof(want));
	reply(m, 0, NULL, 0);
	cr_assert_eq(ep_ctl((int)ep, EPOLL_CTL_ADD, (int)fd, EPOLLOUT | EPOLLET, 1), 0);
	cr_assert_eq(ep_wait((int)ep, evs, 4, 0), 1);

	uint8_t *d = ualloc(NETPROTO_DGRAM_MAX);
	long sent = 0;
	while (write_((int)fd, d, NETPROTO_DGRAM_MAX) == NETPROTO_DGRAM_MAX)
		sent++;
	cr_assert_eq(write_((int)fd, d, NETPROTO_DGRAM_MAX), -EAGAIN);
	cr_assert_eq(sent, NETPROTO_WINDOW / NETPROTO_DATA_MAX);
	m = expect(NETPROTO_T_DATA);
	cr_assert_eq(m->pl[0], 0, "a connected socket's DATA names its peer (AF_UNSPEC)");
	while (fk.taken < fk.nout)
		fk.taken++;
	cr_assert_eq(ep_wait((int)ep, evs, 4, 0), 0);
	feed(NETPROTO_T_CREDIT, 0, 4, 0, NETPROTO_DATA_MAX, NULL, 0);
	cr_assert_eq(ep_wait((int)ep, evs, 4, 0), 1, "the sender was never told EPOLLOUT");
	cr_assert_eq(write_((int)fd, d, NETPROTO_DGRAM_MAX), NETPROTO_DGRAM_MAX);
}

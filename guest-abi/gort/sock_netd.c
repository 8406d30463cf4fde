/*
 * sock_netd.c: the remote socket backend. A socket whose peer is not this partition (a TCP
 * connect to a non-loopback address), and the netd half of a stream listener bound to 0.0.0.0,
 * is carried to netd, the networking driver partition, over one channel with the protocol of
 * docs/netproto.md (guest-abi/net/netproto.h).
 *
 * Nothing here waits: every request is queued (in order: netd answers in order) and its reply
 * moves the socket on, so a call that must wait parks on its socket as the loopback's do (a
 * connect is -EINPROGRESS until EV_CONNECTED and the local address have come). What netd pushes
 * lands in the socket's rx buffer (sock.c), so reads never make a round trip; credit goes back
 * as the program reads. The link (chan.c's channel named "net") is pumped on its doorbell.
 *
 * Sessions: HELLO first and after every reset of the channel, and everything netd sends is
 * dropped until its reply. A reset (netd restarted) fails every remote socket with ECONNRESET
 * (their reads after the bytes already here; writes EPIPE); listeners are announced again in the
 * new session, so service resumes once netd is back.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fsmem.h"
#include "gort.h"
#include "linux.h"
#include "net/netproto.h"
#include "sock.h"
#include "sock_netd.h"

#define CTL_MAX 32 /* the longest request: a header and a sockaddr_in */

/* A socket's netd side. */
enum rs_role {
	RS_CONNECT, /* a connecting or connected socket of the program */
	RS_LISTEN,  /* a listener's netd half (the socket's backend stays the loopback) */
	RS_CHILD,   /* a connection netd accepted, until it is on its listener's queue */
	RS_DGRAM,   /* a UDP socket's netd half: from its first non-loopback send or connect */
};

struct rsock {
	struct rsock *next;
	struct sock *s;
	struct rsock *parent; /* RS_CHILD: its listener's */
	uint32_t id;	      /* netd's; 0 until the SOCKET/ACCEPT reply, and once dead */
	enum rs_role role;
	uint32_t tx_credit; /* DATA bytes netd still takes */
	uint32_t owed;	    /* DATA bytes netd pushed that are not credited back */
	bool want_out; /* a datagram waited for its id or more credit: EPOLLOUT when it comes */
};

/* A request waiting for its reply. */
enum pend_kind {
	PK_HELLO,
	PK_SOCKET,
	PK_CONNECT,
	PK_NAME, /* GETSOCKNAME after a connect or accept: the socket is then ready */
	PK_BIND,
	PK_LISTEN,
	PK_ACCEPT,
	PK_IGNORE, /* SHUTDOWN, CLOSE, SETSOCKOPT: nothing waits */
};
struct pend {
	struct pend *next;
	uint32_t req;
	enum pend_kind kind;
	struct rsock *rs; /* NULL once the socket is gone */
};

struct ctl {
	struct ctl *next;
	uint32_t len;
	uint8_t msg[CTL_MAX];
};

enum session { SESS_NONE, SESS_HELLO_OWED, SESS_HELLO_SENT, SESS_UP, SESS_REFUSED };

static struct {
	const struct netd_link *link;
	enum session sess;
	uint32_t next_req, hello_req;
	struct rsock *socks;
	struct pend *pend_head, *pend_tail;
	struct ctl *q_head, *q_tail; /* requests not yet posted (in order) */
	bool tx_stalled;	     /* a DATA found the channel full: EPOLLOUT when it drains */
	bool reset_owed;	     /* a post saw the reset: settle() acts on it */
	bool in_pump;
	uint8_t msg[NETPROTO_MSG_MAX], tx[NETPROTO_MSG_MAX];
} nd;

static bool netd_writable(const struct sock *s);

static struct rsock *RS(const struct sock *s)
{
	return s->remote;
}

/* ---------------------------------------------------------------- addresses */

/* Linux's struct sockaddr_in as it lies in memory: family LE, port and address big-endian. */
static void sin_put(uint8_t *p, const struct sock_addr *a)
{
	memset(p, 0, NETPROTO_SOCKADDR_SIZE);
	p[0] = AF_INET;
	p[2] = (uint8_t)(a->port >> 8);
	p[3] = (uint8_t)a->port;
	p[4] = (uint8_t)(a->addr >> 24);
	p[5] = (uint8_t)(a->addr >> 16);
	p[6] = (uint8_t)(a->addr >> 8);
	p[7] = (uint8_t)a->addr;
}

static struct sock_addr sin_get(const uint8_t *p)
{
	return (struct sock_addr){.addr = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 |
					  (uint32_t)p[6] << 8 | p[7],
				  .port = (uint16_t)(p[2] << 8 | p[3])};
}

/* ---------------------------------------------------------------- posting */

static void hdr_put(uint8_t *m, uint16_t type, uint16_t flags, uint32_t sock, uint32_t req,
		    int32_t val)
{
	struct netproto_hdr h = {
	    .type = type, .flags = flags, .sock = sock, .req = req, .val = val};
	memcpy(m, &h, sizeof(h)); /* both ends are little-endian, as the protocol */
}

/* Posts the queued requests while the channel takes them (only in a session). A reset seen
 * here is acted on by settle(), once the caller is done with the sockets it holds.
 * What is left makes every remote socket unwritable with no write of theirs having seen
 * EAGAIN: an EPOLLOUT edge epoll takes meanwhile reports nothing, so the pump that sends the
 * rest gives every socket the edge again (tx_stalled). */
static void flush(void)
{
	while (nd.sess == SESS_UP && nd.q_head && !nd.reset_owed) {
		struct ctl *c = nd.q_head;
		long r = nd.link->send(nd.link->ctx, c->msg, c->len);
		if (r == -EAGAIN)
			break;
		if (r == -ECONNRESET) {
			nd.reset_owed = true;
			return;
		}
		nd.q_head = c->next;
		if (!nd.q_head)
			nd.q_tail = NULL;
		fsmem_free(c, sizeof(*c));
		if (r < 0)
			break; /* broken: the next reset starts over */
	}
	if (nd.q_head)
		nd.tx_stalled = true;
}

static bool pend_add(uint32_t req, enum pend_kind kind, struct rsock *rs)
{
	struct pend *p = fsmem_alloc(sizeof(*p));
	if (!p)
		return false;
	*p = (struct pend){.req = req, .kind = kind, .rs = rs};
	if (nd.pend_tail)
		nd.pend_tail->next = p;
	else
		nd.pend_head = p;
	nd.pend_tail = p;
	return true;
}

/* Queues a message (a request when kind is given a pend entry): false without memory. */
static bool post(uint16_t type, uint32_t sock, int32_t val, const void *payload, size_t plen,
		 enum pend_kind kind, struct rsock *rs)
{
	struct ctl *c = fsmem_alloc(sizeof(*c));
	if (!c)
		return false;
	uint32_t req = nd.next_req++;
	if (!nd.next_req)
		nd.next_req = 1;
	if (!pend_add(req, kind, rs)) {
		fsmem_free(c, sizeof(*c));
		return false;
	}
	hdr_put(c->msg, type, 0, sock, req, val);
	if (plen)
		memcpy(c->msg + NETPROTO_HDR_SIZE, payload, plen);
	c->len = (uint32_t)(NETPROTO_HDR_SIZE + plen);
	if (nd.q_tail)
		nd.q_tail->next = c;
	else
		nd.q_head = c;
	nd.q_tail = c;
	flush();
	return true;
}

/* CREDIT is no request (no reply): queued behind the requests so the order holds. */
static void post_credit(uint32_t sock, uint32_t n)
{
	struct ctl *c = fsmem_alloc(sizeof(*c));
	if (!c)
		return; /* the next read retries: owed is kept */
	hdr_put(c->msg, NETPROTO_T_CREDIT, 0, sock, 0, (int32_t)n);
	c->len = NETPROTO_HDR_SIZE;
	if (nd.q_tail)
		nd.q_tail->next = c;
	else
		nd.q_head = c;
	nd.q_tail = c;
	flush();
}

static bool post_socket(struct rsock *rs)
{
	int32_t args[3] = {AF_INET, rs->s->type, 0};
	return post(NETPROTO_T_SOCKET, 0, 0, args, sizeof(args), PK_SOCKET, rs);
}

/* ---------------------------------------------------------------- remote sockets */

static struct rsock *rs_new(struct sock *s, enum rs_role role)
{
	struct rsock *rs = fsmem_alloc(sizeof(*rs));
	if (!rs)
		return NULL;
	*rs = (struct rsock){.s = s, .role = role, .next = nd.socks};
	nd.socks = rs;
	s->remote = rs;
	return rs;
}

/* Forgets rs (its socket is freed by the caller or was): netd's id is closed if it lives. */
static void rs_drop(struct rsock *rs)
{
	for (struct rsock **p = &nd.socks; *p; p = &(*p)->next)
		if (*p == rs) {
			*p = rs->next;
			break;
		}
	for (struct pend *p = nd.pend_head; p; p = p->next)
		if (p->rs == rs)
			p->rs = NULL;
	if (rs->id && nd.sess == SESS_UP)
		post(NETPROTO_T_CLOSE, rs->id, 0, NULL, 0, PK_IGNORE, NULL);
	rs->s->remote = NULL;
	fsmem_free(rs, sizeof(*rs));
}

static struct rsock *rs_find(uint32_t id)
{
	for (struct rsock *rs = nd.socks; rs; rs = rs->next)
		if (rs->id == id && id)
			return rs;
	return NULL;
}

/* A socket whose netd side failed: reads see the bytes here, then err; writes EPIPE. */
static void rs_fail(struct rsock *rs, int err)
{
	struct sock *s = rs->s;
	if (s->state == SS_CONNECTING) {
		sock_connected(s, err);
	} else {
		s->err = err;
		s->rx_eof = true;
		if (s->type == SOCK_STREAM && s->state == SS_CONNECTED)
			s->state = SS_CLOSED;
		sock_changed(s, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLHUP | EPOLLERR);
	}
}

/* A child netd accepted whose listener is gone, or that its listener could not queue. */
static void child_drop(struct rsock *rs)
{
	struct sock *s = rs->s;
	rs_drop(rs);
	sock_free(s);
}

/* ---------------------------------------------------------------- sessions */

static void hello(void)
{
	if (!nd.link)
		return;
	uint8_t m[NETPROTO_HDR_SIZE];
	uint32_t req = nd.next_req++;
	if (!nd.next_req)
		nd.next_req = 1;
	hdr_put(m, NETPROTO_T_HELLO, 0, 0, req, NETPROTO_VERSION);
	long r = nd.link->send(nd.link->ctx, m, sizeof(m));
	if (r == 0) {
		nd.hello_req = req;
		nd.sess = SESS_HELLO_SENT;
	} else if (r == -ECONNRESET) {
		nd.sess = SESS_HELLO_OWED; /* taken: the next try starts the session */
	}
}

/* netd restarted (or the link is new): every remote socket fails and listeners wait for the
 * next session to be announced again; the caller sends the HELLO that starts it. */
static void session_reset(void)
{
	while (nd.q_head) {
		struct ctl *c = nd.q_head;
		nd.q_head = c->next;
		fsmem_free(c, sizeof(*c));
	}
	nd.q_tail = NULL;
	while (nd.pend_head) {
		struct pend *p = nd.pend_head;
		nd.pend_head = p->next;
		fsmem_free(p, sizeof(*p));
	}
	nd.pend_tail = NULL;
	nd.sess = SESS_HELLO_OWED;
	struct rsock *rs = nd.socks, *next;
	for (; rs; rs = next) {
		next = rs->next;
		rs->id = 0;
		if (rs->role == RS_CHILD)
			child_drop(rs);
		else if (rs->role == RS_CONNECT)
			rs_fail(rs, ECONNRESET);
		else if (rs->role == RS_DGRAM)
			rs_drop(rs); /* the next datagram makes another: UDP keeps no session */
	}
}

/* A reset a post saw: every socket fails now, and a new session starts. The pump does it
 * between messages; a system call once it is done with its socket. */
static void settle_now(void)
{
	if (nd.reset_owed) {
		nd.reset_owed = false;
		session_reset();
		hello();
	}
}

static void settle(void)
{
	if (!nd.in_pump)
		settle_now();
}

static void announce(struct rsock *rs)
{
	if (!post_socket(rs))
		gort_printf("gort: no memory to serve port %u through netd\n", rs->s->local.port);
}

static void session_up(void)
{
	nd.sess = SESS_UP;
	for (struct rsock *rs = nd.socks; rs; rs = rs->next)
		if (rs->role == RS_LISTEN && !rs->id)
			announce(rs);
	flush();
}

/* ---------------------------------------------------------------- what netd sends */

/* A UDP socket's SOCKET reply: its datagrams go from now on (to its peer, if it is connected
 * through netd); a refusal is the next send's error. */
static void dgram_ready(struct rsock *rs, int32_t val)
{
	struct sock *s = rs->s;
	if (val <= 0) {
		s->err = val ? (int)-val : EIO;
		rs_drop(rs);
		sock_changed(s, EPOLLOUT | EPOLLERR);
		return;
	}
	rs->id = (uint32_t)val;
	rs->tx_credit = NETPROTO_WINDOW;
	if (s->be == &sock_netd && s->state == SS_CONNECTED) {
		uint8_t sin[NETPROTO_SOCKADDR_SIZE];
		sin_put(sin, &s->peer);
		post(NETPROTO_T_CONNECT, rs->id, 0, sin, sizeof(sin), PK_IGNORE, rs);
	}
	rs->want_out = false;
	sock_changed(s, EPOLLOUT);
}

static void on_reply(const struct netproto_hdr *h, const uint8_t *pl, size_t plen)
{
	struct pend *p, **pp, *prev = NULL;
	for (pp = &nd.pend_head; (p = *pp) && p->req != h->req; pp = &p->next)
		prev = p;
	if (!p)
		return; /* not one of this session's: dropped */
	*pp = p->next;
	if (nd.pend_tail == p)
		nd.pend_tail = prev;
	struct rsock *rs = p->rs;
	enum pend_kind kind = p->kind;
	fsmem_free(p, sizeof(*p));

	if (!rs) {
		/* Its socket is gone: an id netd handed out for it is closed at once. */
		if ((kind == PK_SOCKET || kind == PK_ACCEPT) && h->val > 0)
			post(NETPROTO_T_CLOSE, (uint32_t)h->val, 0, NULL, 0, PK_IGNORE, NULL);
		return;
	}
	struct sock *s = rs->s;
	switch (kind) {
	case PK_SOCKET:
		if (rs->role == RS_DGRAM) {
			dgram_ready(rs, h->val);
			return;
		}
		if (h->val <= 0) {
			if (rs->role == RS_LISTEN) {
				gort_printf("gort: netd refused a socket for port %u (errno %d): "
					    "served on loopback only\n",
					    s->local.port, (int)-h->val);
				rs_drop(rs);
			} else {
				rs_fail(rs, h->val ? (int)-h->val : EIO);
			}
			return;
		}
		rs->id = (uint32_t)h->val;
		rs->tx_credit = NETPROTO_WINDOW;
		if (rs->role == RS_LISTEN) {
			uint8_t sin[NETPROTO_SOCKADDR_SIZE];
			int32_t opt[3] = {1 /* SOL_SOCKET */, 2 /* SO_REUSEADDR */, 1};
			struct sock_addr any = {.addr = INADDR_ANY, .port = s->local.port};
			sin_put(sin, &any);
			post(NETPROTO_T_SETSOCKOPT, rs->id, 0, opt, sizeof(opt), PK_IGNORE, rs);
			post(NETPROTO_T_BIND, rs->id, 0, sin, sizeof(sin), PK_BIND, rs);
			post(NETPROTO_T_LISTEN, rs->id, s->backlog, NULL, 0, PK_LISTEN, rs);
		} else {
			uint8_t sin[NETPROTO_SOCKADDR_SIZE];
			if (s->opts & (1u << SOCK_OPT_NODELAY))
				sock_netd_setsockopt(s, 6 /* IPPROTO_TCP */, 1 /* TCP_NODELAY */,
						     1);
			if (s->opts & (1u << SOCK_OPT_KEEPALIVE))
				sock_netd_setsockopt(s, 1 /* SOL_SOCKET */, 9 /* SO_KEEPALIVE */,
						     1);
			sin_put(sin, &s->peer);
			post(NETPROTO_T_CONNECT, rs->id, 0, sin, sizeof(sin), PK_CONNECT, rs);
		}
		return;
	case PK_CONNECT:
		if (h->val == 0)
			post(NETPROTO_T_GETSOCKNAME, rs->id, 0, NULL, 0, PK_NAME, rs);
		else if (h->val != -EINPROGRESS)
			rs_fail(rs, (int)-h->val);
		return;
	case PK_NAME:
		if (h->val == 0 && plen >= NETPROTO_SOCKADDR_SIZE)
			s->local = sin_get(pl);
		if (rs->role == RS_CHILD) {
			rs->role = RS_CONNECT;
			struct sock *l = rs->parent ? rs->parent->s : NULL;
			rs->parent = NULL;
			if (!l || sock_enqueue(l, s) < 0)
				child_drop(rs);
		} else if (s->state == SS_CONNECTING) {
			sock_connected(s, 0);
		}
		return;
	case PK_BIND:
	case PK_LISTEN:
		if (h->val < 0) {
			gort_printf(
			    "gort: netd cannot %s 0.0.0.0:%u (errno %d): served on loopback "
			    "only\n",
			    kind == PK_BIND ? "bind" : "listen on", s->local.port, (int)-h->val);
			rs_drop(rs);
		}
		return;
	case PK_ACCEPT:
		if (h->val > 0) {
			struct sock *c = sock_alloc(SOCK_STREAM);
			struct rsock *crs = c ? rs_new(c, RS_CHILD) : NULL;
			if (!crs) {
				if (c)
					sock_free(c);
				post(NETPROTO_T_CLOSE, (uint32_t)h->val, 0, NULL, 0, PK_IGNORE,
				     NULL);
			} else {
				crs->id = (uint32_t)h->val;
				crs->parent = rs;
				crs->tx_credit = NETPROTO_WINDOW;
				c->be = &sock_netd;
				c->state = SS_CONNECTED;
				c->local = s->local;
				if (plen >= NETPROTO_SOCKADDR_SIZE)
					c->peer = sin_get(pl);
				c->rx.max = s->rx.max;
				c->sndbuf = s->sndbuf;
				c->opts = s->opts;
				post(NETPROTO_T_GETSOCKNAME, crs->id, 0, NULL, 0, PK_NAME, crs);
			}
		}
		if (h->val > 0 && (h->flags & NETPROTO_F_MORE))
			post(NETPROTO_T_ACCEPT, rs->id, 0, NULL, 0, PK_ACCEPT, rs);
		return;
	default:
		return;
	}
}

/* A datagram netd pushed (its source first): one the ring has no room for is dropped, as UDP
 * does, and its credit goes back at once. */
static void on_dgram(struct rsock *rs, const uint8_t *pl, size_t plen)
{
	struct sock *s = rs->s;
	if (plen < NETPROTO_SOCKADDR_SIZE)
		return;
	struct sock_addr from = sin_get(pl);
	rs->owed += (uint32_t)plen;
	if (sock_rx_push_dgram(s, pl + NETPROTO_SOCKADDR_SIZE, plen - NETPROTO_SOCKADDR_SIZE,
			       &from) < 0) {
		rs->owed -= (uint32_t)plen;
		post_credit(rs->id, (uint32_t)plen);
		return;
	}
	sock_changed(s, EPOLLIN);
}

static void on_data(struct rsock *rs, const uint8_t *pl, size_t plen)
{
	struct sock *s = rs->s;
	if (s->type == SOCK_DGRAM) {
		on_dgram(rs, pl, plen);
		return;
	}
	if (!plen)
		return;
	/* netd never has more than a window out: the ring holds at least that much. */
	if (s->rx.max < s->rx.len + plen)
		s->rx.max = s->rx.len + (uint32_t)plen;
	rs->owed += (uint32_t)plen;
	if (sock_rx_push(s, pl, plen) < 0) {
		rs_fail(rs, ENOBUFS); /* gort's buffer memory is used up: the bytes are lost */
		return;
	}
	sock_changed(s, EPOLLIN);
}

static void on_message(const uint8_t *m, size_t len)
{
	struct netproto_hdr h;
	if (len < NETPROTO_HDR_SIZE)
		return;
	memcpy(&h, m, sizeof(h));
	const uint8_t *pl = m + NETPROTO_HDR_SIZE;
	size_t plen = len - NETPROTO_HDR_SIZE;

	if (nd.sess == SESS_HELLO_SENT) {
		if (h.type != NETPROTO_T_REPLY || h.req != nd.hello_req)
			return; /* the last session's */
		if (h.val != NETPROTO_VERSION) {
			gort_printf(
			    "gort: netd refused protocol version %d (errno %d): no network\n",
			    NETPROTO_VERSION, (int)-h.val);
			nd.sess = SESS_REFUSED;
			return;
		}
		session_up();
		return;
	}
	if (nd.sess != SESS_UP)
		return;
	if (h.type == NETPROTO_T_REPLY) {
		on_reply(&h, pl, plen);
		return;
	}
	struct rsock *rs = rs_find(h.sock);
	if (!rs)
		return; /* a closed socket's: ignored, as the protocol says */
	struct sock *s = rs->s;
	switch (h.type) {
	case NETPROTO_T_DATA:
		on_data(rs, pl, plen);
		break;
	case NETPROTO_T_CREDIT:
		if (h.val > 0) {
			bool was_out = rs->tx_credit == 0;
			rs->tx_credit += (uint32_t)h.val;
			if (rs->tx_credit > NETPROTO_WINDOW)
				rs->tx_credit = NETPROTO_WINDOW;
			/* Behind queued requests it is not writable yet: woken when they go. */
			bool waits = was_out || rs->want_out;
			rs->want_out = false;
			if (waits && netd_writable(s))
				sock_changed(s, EPOLLOUT);
			else if (waits)
				nd.tx_stalled = true;
		}
		break;
	case NETPROTO_T_EV_CONNECTED:
		if (rs->role != RS_CONNECT || s->state != SS_CONNECTING)
			break;
		if (h.val == 0)
			post(NETPROTO_T_GETSOCKNAME, rs->id, 0, NULL, 0, PK_NAME, rs);
		else
			rs_fail(rs, (int)-h.val);
		break;
	case NETPROTO_T_EV_ACCEPT:
		if (rs->role == RS_LISTEN)
			post(NETPROTO_T_ACCEPT, rs->id, 0, NULL, 0, PK_ACCEPT, rs);
		break;
	case NETPROTO_T_EV_EOF:
		if (rs->role == RS_DGRAM)
			break;
		s->rx_eof = true;
		sock_changed(s, EPOLLIN | EPOLLRDHUP);
		break;
	case NETPROTO_T_EV_ERROR:
		if (rs->role == RS_LISTEN) {
			gort_printf("gort: netd's listener for port %u failed (errno %d)\n",
				    s->local.port, (int)-h.val);
			rs_drop(rs);
		} else if (rs->role == RS_CONNECT) {
			rs_fail(rs, h.val < 0 ? (int)-h.val : EIO);
		}
		break;
	default:
		break;
	}
}

void sock_netd_pump(void)
{
	if (!nd.link || nd.in_pump || nd.sess == SESS_REFUSED)
		return;
	nd.in_pump = true;
	for (;;) {
		if (nd.sess == SESS_HELLO_OWED)
			hello();
		long r = nd.link->recv(nd.link->ctx, nd.msg, sizeof(nd.msg));
		if (r == -ECONNRESET) {
			session_reset();
			continue;
		}
		if (r < 0)
			break;
		on_message(nd.msg, (size_t)r);
		settle_now();
	}
	flush();
	settle_now();
	/* Only once nothing is queued: an EPOLLOUT edge while writes would still wait is taken by
	 * an edge-triggered epoll (Go's netpoller) and lost, and the writer then waits for good. */
	if (nd.tx_stalled && !nd.q_head) {
		nd.tx_stalled = false;
		for (struct rsock *rs = nd.socks; rs; rs = rs->next)
			if (rs->role == RS_CONNECT || rs->role == RS_DGRAM)
				sock_changed(rs->s, EPOLLOUT);
	}
	nd.in_pump = false;
}

void sock_netd_attach(const struct netd_link *link)
{
	nd.sess = SESS_NONE; /* the old link's ids are not closed: they are gone with it */
	while (nd.socks) {
		nd.socks->id = 0;
		if (nd.socks->role == RS_CHILD)
			child_drop(nd.socks);
		else
			rs_drop(nd.socks);
	}
	session_reset();
	nd.link = link;
	nd.next_req = 1;
	nd.tx_stalled = nd.in_pump = nd.reset_owed = false;
	nd.sess = link ? SESS_HELLO_OWED : SESS_NONE;
	sock_netd_pump();
}

bool sock_netd_present(void)
{
	return nd.link && nd.sess != SESS_REFUSED;
}

/* ---------------------------------------------------------------- the backend */

/* A UDP socket's netd half, asked for once (its SOCKET reply makes it ready). */
static struct rsock *dgram_half(struct sock *s)
{
	if (s->remote)
		return s->remote;
	struct rsock *rs = rs_new(s, RS_DGRAM);
	if (!rs)
		return NULL;
	if (!post_socket(rs)) {
		rs_drop(rs);
		return NULL;
	}
	return rs;
}

static long netd_connect(struct sock *s, const struct sock_addr *dst)
{
	(void)dst; /* s->peer */
	if (!sock_netd_present())
		return -ENETUNREACH;
	if (s->type == SOCK_DGRAM) {
		/* Local at once, as UDP's is; netd filters the source once it has the CONNECT. */
		struct rsock *rs = dgram_half(s);
		if (!rs)
			return -ENOBUFS;
		if (rs->id) {
			uint8_t sin[NETPROTO_SOCKADDR_SIZE];
			sin_put(sin, &s->peer);
			post(NETPROTO_T_CONNECT, rs->id, 0, sin, sizeof(sin), PK_IGNORE, rs);
		}
		settle();
		return 0;
	}
	struct rsock *rs = s->remote ? s->remote : rs_new(s, RS_CONNECT);
	if (!rs)
		return -ENOBUFS;
	if (!post_socket(rs)) {
		rs_drop(rs);
		return -ENOBUFS;
	}
	settle();
	if (s->state != SS_CONNECTING) {
		/* netd went away as the request was posted: this call reports it. */
		long r = s->err ? -s->err : -ECONNRESET;
		s->err = 0;
		return r;
	}
	return -EINPROGRESS;
}

/* Posts the DATA built in nd.tx (len bytes in all), charging rs credit bytes: 0, -EAGAIN (the
 * channel is full: stalled), -ECONNRESET (netd restarted: every socket failed or went, rs
 * included, and a HELLO is out) or -EIO. */
static long post_data(struct rsock *rs, size_t len, uint32_t credit)
{
	long r = nd.link->send(nd.link->ctx, nd.tx, len);
	if (r == 0) {
		rs->tx_credit -= credit;
		return 0;
	}
	if (r == -EAGAIN) {
		nd.tx_stalled = true;
		return -EAGAIN;
	}
	if (r == -ECONNRESET) {
		session_reset();
		hello();
		return -ECONNRESET;
	}
	return -EIO;
}

/* One datagram to dst (the connected peer's when the socket is connected through netd). It
 * waits (EAGAIN, then EPOLLOUT) for the socket's id and for credit for it and its address. */
static long netd_send_dgram(struct sock *s, struct sock_iov *io, size_t n,
			    const struct sock_addr *dst)
{
	if (!sock_netd_present())
		return -ENETUNREACH;
	if (n > NETPROTO_DGRAM_MAX)
		return -EMSGSIZE;
	struct rsock *rs = dgram_half(s);
	if (!rs)
		return -ENOBUFS;
	settle();
	if (!(rs = RS(s))) /* netd went away as SOCKET was posted */
		return -ENETUNREACH;
	size_t need = NETPROTO_SOCKADDR_SIZE + n;
	if (!rs->id || rs->tx_credit < need) {
		rs->want_out = true;
		return -EAGAIN;
	}
	if (nd.sess != SESS_UP || nd.q_head) {
		nd.tx_stalled = true;
		return -EAGAIN;
	}
	uint8_t *m = nd.tx;
	struct sock_iov save = *io;
	hdr_put(m, NETPROTO_T_DATA, 0, rs->id, 0, 0);
	if (s->be == &sock_netd && s->state == SS_CONNECTED)
		memset(m + NETPROTO_HDR_SIZE, 0, NETPROTO_SOCKADDR_SIZE); /* AF_UNSPEC: the peer */
	else
		sin_put(m + NETPROTO_HDR_SIZE, dst);
	if (sock_io_take(io, m + NETPROTO_HDR_SIZE + NETPROTO_SOCKADDR_SIZE, n) < 0) {
		*io = save;
		return -EFAULT;
	}
	long r = post_data(rs, NETPROTO_HDR_SIZE + need, (uint32_t)need);
	if (r == 0)
		return (long)n;
	*io = save;
	return r == -ECONNRESET ? -EAGAIN /* the next try makes a new half */ : r;
}

static long netd_send(struct sock *s, struct sock_iov *io, size_t n, const struct sock_addr *dst)
{
	struct rsock *rs = RS(s);
	if (s->type == SOCK_DGRAM)
		return netd_send_dgram(s, io, n, dst);
	if (!rs || !rs->id)
		return -EPIPE;
	if (rs->tx_credit == 0)
		return -EAGAIN; /* EPOLLOUT when netd's CREDIT comes */
	if (nd.sess != SESS_UP || nd.q_head) {
		nd.tx_stalled =
		    true; /* behind queued requests: EPOLLOUT once the pump has sent them */
		return -EAGAIN;
	}
	size_t k = n;
	if (k > rs->tx_credit)
		k = rs->tx_credit;
	if (k > NETPROTO_DATA_MAX)
		k = NETPROTO_DATA_MAX;
	struct sock_iov save = *io;
	uint8_t *m = nd.tx;
	if (sock_io_take(io, m + NETPROTO_HDR_SIZE, k) < 0) {
		*io = save;
		return -EFAULT;
	}
	hdr_put(m, NETPROTO_T_DATA, 0, rs->id, 0, 0);
	long r = post_data(rs, NETPROTO_HDR_SIZE + k, (uint32_t)k);
	if (r == 0)
		return (long)k;
	*io = save;
	if (r == -ECONNRESET)
		s->err = 0; /* this call reports it */
	return r;
}

static bool netd_writable(const struct sock *s)
{
	const struct rsock *rs = RS(s);
	return !rs || !rs->id ||
	       (rs->tx_credit && nd.sess == SESS_UP && !nd.tx_stalled && !nd.q_head);
}

static void netd_consumed(struct sock *s)
{
	struct rsock *rs = RS(s);
	if (!rs || !rs->id || nd.sess != SESS_UP)
		return;
	/* What of the ring is netd's pushing, as netd counts it (a datagram with its address). */
	size_t unread = sock_rx_payload(s);
	if (s->type == SOCK_DGRAM)
		unread += (size_t)s->rx.dgrams * NETPROTO_SOCKADDR_SIZE;
	uint32_t back = rs->owed > unread ? rs->owed - (uint32_t)unread : 0;
	if (back && (back >= NETPROTO_WINDOW / 4 || s->rx.len == 0)) {
		rs->owed -= back;
		post_credit(rs->id, back);
		settle();
	}
}

static void netd_shut_write(struct sock *s)
{
	struct rsock *rs = RS(s);
	if (rs && rs->id && nd.sess == SESS_UP)
		post(NETPROTO_T_SHUTDOWN, rs->id, 1 /* SHUT_WR */, NULL, 0, PK_IGNORE, rs);
	settle();
}

static void netd_release(struct sock *s)
{
	struct rsock *rs = RS(s);
	if (!rs)
		return;
	/* A listener's children not yet queued go with it. */
	if (rs->role == RS_LISTEN) {
		struct rsock *c = nd.socks, *next;
		for (; c; c = next) {
			next = c->next;
			if (c->role == RS_CHILD && c->parent == rs)
				child_drop(c);
		}
	}
	rs_drop(rs);
	settle();
}

const struct sock_backend sock_netd = {
    .name = "netd",
    .connect = netd_connect,
    .send = netd_send,
    .writable = netd_writable,
    .consumed = netd_consumed,
    .shut_write = netd_shut_write,
    .release = netd_release,
};

void sock_netd_listen(struct sock *s)
{
	if (!sock_netd_present() || s->remote || s->local.addr != INADDR_ANY)
		return;
	struct rsock *rs = rs_new(s, RS_LISTEN);
	if (!rs) {
		gort_printf("gort: no memory to serve port %u through netd\n", s->local.port);
		return;
	}
	if (nd.sess == SESS_UP)
		announce(rs); /* else when the session starts */
	settle();
}

void sock_netd_setsockopt(struct sock *s, int level, int name, int val)
{
	struct rsock *rs = RS(s);
	bool carried = (level == 1 /* SOL_SOCKET */ && name == 9 /* SO_KEEPALIVE */) ||
		       (level == 6 /* IPPROTO_TCP */ && (name == 1 || (name >= 4 && name <= 6)));
	if (!carried || !rs || !rs->id || rs->role == RS_LISTEN || nd.sess != SESS_UP)
		return;
	int32_t opt[3] = {level, name, val};
	post(NETPROTO_T_SETSOCKOPT, rs->id, 0, opt, sizeof(opt), PK_IGNORE, rs);
	settle();
}

void sock_netd_forget(struct sock *s)
{
	netd_release(s);
}

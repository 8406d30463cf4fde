/*
 * sock_loop.c: the loopback backend. Both ends are sockets of this partition: a stream pairs two
 * struct socks (be_priv points at the other end) and a send writes straight into the peer's rx
 * buffer, so the receiver's SO_RCVBUF is the only buffer and the flow control (a full peer makes
 * the sender wait, and its reads wake the sender). A datagram goes whole into the rx of the
 * socket bound on its destination; as on Linux, one sent to a port no socket holds, or to a
 * receiver whose buffer is full, is dropped (a connected sender sees ECONNREFUSED for the
 * former). Closing with unread bytes, or with SO_LINGER for no time, resets the connection (the
 * peer reads ECONNRESET), as a Linux RST does; a write to a closed peer is EPIPE.
 */
#include "sock.h"

#include "linux.h"

static struct sock *peer_of(const struct sock *s)
{
	return s->be_priv;
}

static long loop_connect(struct sock *s, const struct sock_addr *dst)
{
	struct sock *l = sock_lookup(s->type, dst);
	if (!l || l->state != SS_LISTENING)
		return -ECONNREFUSED;
	struct sock *c = sock_alloc(s->type);
	if (!c)
		return -ENOBUFS;
	c->local = *dst;
	c->local.port = l->local.port;
	c->peer = s->local;
	c->be = &sock_loopback;
	c->state = SS_CONNECTED;
	sock_child_init(c, l, s);
	c->be_priv = s;
	long r = sock_enqueue(l, c);
	if (r < 0) {
		c->be_priv = NULL;
		sock_free(c);
		return r;
	}
	s->be_priv = c;
	return 0;
}

static long loop_send(struct sock *s, struct sock_iov *io, size_t n, const struct sock_addr *dst)
{
	if (s->type == SOCK_DGRAM) {
		struct sock *to = peer_of(s); /* socketpair's datagram pair */
		if (!to && !(to = sock_lookup(SOCK_DGRAM, dst))) {
			if (s->state == SS_CONNECTED)
				s->err = ECONNREFUSED; /* the port-unreachable reply */
			return (long)n;
		}
		long r = sock_rx_put(to, io, n, &s->local);
		if (r == -EAGAIN)
			return to == peer_of(s) ? -EAGAIN : (long)n; /* dropped, as Linux */
		if (r >= 0)
			sock_changed(to, EPOLLIN);
		return r;
	}
	struct sock *p = peer_of(s);
	if (!p)
		return -EPIPE;
	long r = sock_rx_put(p, io, n, NULL);
	if (r > 0)
		sock_changed(p, EPOLLIN);
	return r;
}

static bool loop_writable(const struct sock *s)
{
	const struct sock *p = peer_of(s);
	return !p || sock_rx_room(p, 1); /* no peer: the send fails at once (EPIPE) */
}

static void loop_consumed(struct sock *s)
{
	struct sock *p = peer_of(s);
	if (p)
		sock_changed(p, EPOLLOUT);
}

static void loop_shut_write(struct sock *s)
{
	struct sock *p = peer_of(s);
	if (!p)
		return;
	p->rx_eof = true;
	sock_changed(p, EPOLLIN | EPOLLRDHUP);
}

static void loop_release(struct sock *s)
{
	struct sock *p = peer_of(s);
	if (!p)
		return;
	p->be_priv = NULL;
	s->be_priv = NULL;
	p->rx_eof = true;
	/* Bytes left unread, or SO_LINGER for no time (an abort): Linux answers with a reset. */
	if ((s->rx.len || (s->linger && !s->linger_sec)) && sock_conn(p))
		p->err = ECONNRESET;
	else
		p->fin_only = p->type == SOCK_STREAM && !p->local.un; /* TCP's, not AF_UNIX's */
	if (p->state == SS_CONNECTED && sock_conn(p))
		p->state = SS_CLOSED;
	sock_changed(p, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLHUP | EPOLLERR);
}

const struct sock_backend sock_loopback = {
    .name = "loopback",
    .connect = loop_connect,
    .send = loop_send,
    .writable = loop_writable,
    .consumed = loop_consumed,
    .shut_write = loop_shut_write,
    .release = loop_release,
};

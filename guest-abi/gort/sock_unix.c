/*
 * sock_unix.c: AF_UNIX names. A named socket is on this file's list and has a number (its
 * local.addr, local.un set) that the loopback backend finds it by, as it finds an AF_INET one by
 * its port: the traffic is sock_loop.c's, whatever the family.
 *
 * Names are Linux's: a path (a socket node in fs.c's tree, made by bind, EADDRINUSE if the name
 * exists; unlinking it leaves the socket bound but unreachable, and a name whose socket is gone
 * refuses connections), an abstract name (sun_path[0] == 0, as long as the address length says,
 * free again when its socket closes), or for bind with just the family an abstract "\0" and five
 * hex digits (autobind). A sender's name is looked up when its datagram is read: one whose sender
 * has closed since reads as from an unnamed socket (Linux keeps the name).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "gort.h"
#include "linux.h"
#include "sock.h"

#define SUN_LEN_MAX 110 /* sizeof(struct sockaddr_un) */
#define FAMILY_LEN  2	/* sizeof(sa_family_t): an unnamed socket's address */

static struct {
	struct sock *named;   /* every socket with a name, linked by bind_next */
	uint32_t next_id;     /* names' numbers; 0 is no name */
	uint32_t next_auto;   /* autobind's next 5-hex-digit name */
	struct sock *refused; /* senders waiting for room (room_for), linked by room_next */
} un;

static struct sock *find(bool (*match)(const struct sock *, const void *), const void *key)
{
	for (struct sock *o = un.named; o; o = o->bind_next)
		if (match(o, key))
			return o;
	return NULL;
}

static bool same_id(const struct sock *o, const void *key)
{
	return o->local.addr == *(const uint32_t *)key;
}

static bool same_node(const struct sock *o, const void *key)
{
	return o->unode >= 0 && o->unode == *(const long *)key;
}

static bool same_abstract(const struct sock *o, const void *key)
{
	const struct sock_uname *n = key;
	return o->unode < 0 && o->name.len == n->len &&
	       memcmp(o->name.path, n->path, n->len - FAMILY_LEN) == 0;
}

/* A sockaddr_un from the user (Linux's unix_validate_addr and unix_mkname_bsd): 0 or -EINVAL,
 * -EFAULT. A path's length is made Linux's: up to its first NUL, plus the NUL. */
static long name_in(uintptr_t uva, uint32_t len, struct sock_uname *n)
{
	uint8_t b[SUN_LEN_MAX];
	if (len <= FAMILY_LEN || len > SUN_LEN_MAX)
		return -EINVAL;
	if (copy_from_user(b, uva, len))
		return -EFAULT;
	if ((b[0] | b[1] << 8) != AF_UNIX)
		return -EINVAL;
	memset(n, 0, sizeof(*n));
	memcpy(n->path, b + FAMILY_LEN, len - FAMILY_LEN);
	n->len = n->path[0] ? (uint32_t)strlen(n->path) + FAMILY_LEN + 1 : len;
	return 0;
}

static void name_take(struct sock *s, const struct sock_uname *n)
{
	s->name = *n;
	s->local = (struct sock_addr){.addr = ++un.next_id, .un = 1};
	if (!s->local.addr)
		s->local.addr = ++un.next_id; /* wrapped: 0 means no name */
	s->bind_next = un.named;
	un.named = s;
}

static long autobind(struct sock *s)
{
	static const char hex[] = "0123456789abcdef";
	struct sock_uname n = {.len = FAMILY_LEN + 1 + 5};
	for (uint32_t tries = 0; tries <= 0xfffff; tries++) {
		uint32_t v = un.next_auto++ & 0xfffff;
		for (int i = 0; i < 5; i++)
			n.path[1 + i] = hex[(v >> (4 * (4 - i))) & 0xf];
		if (!find(same_abstract, &n)) {
			name_take(s, &n);
			return 0;
		}
	}
	return -ENOSPC; /* Linux's answer when all 2^20 are taken */
}

long sock_unix_bind(struct sock *s, uintptr_t uva, uint32_t len)
{
	struct sock_uname n;
	uint16_t family;
	if (len == FAMILY_LEN) {
		if (copy_from_user(&family, uva, sizeof(family)))
			return -EFAULT;
		if (family != AF_UNIX)
			return -EINVAL;
		return s->local.addr ? -EINVAL : autobind(s);
	}
	long r = name_in(uva, len, &n);
	if (r < 0)
		return r;
	if (s->local.addr)
		return -EINVAL;
	if (!n.path[0]) {
		if (find(same_abstract, &n))
			return -EADDRINUSE;
	} else {
		long node = fs_sock_mknod(n.path);
		if (node < 0)
			return node;
		s->unode = (int)node;
	}
	name_take(s, &n);
	return 0;
}

long sock_unix_dest(const struct sock *s, uintptr_t uva, uint32_t len, struct sock_addr *dst,
		    uint16_t *family)
{
	struct sock_uname n;
	struct sock *o;
	if (len < FAMILY_LEN)
		return -EINVAL;
	if (copy_from_user(family, uva, sizeof(*family)))
		return -EFAULT;
	if (*family == AF_UNSPEC)
		return 0;
	long r = name_in(uva, len, &n);
	if (r < 0)
		return r;
	if (n.path[0]) {
		long node = fs_sock_find(n.path);
		if (node < 0)
			return node;
		o = find(same_node, &node);
	} else {
		o = find(same_abstract, &n);
	}
	if (!o)
		return -ECONNREFUSED;
	if (o->type != s->type)
		return -EPROTOTYPE;
	*dst = o->local;
	return 0;
}

struct sock *sock_unix_lookup(int type, const struct sock_addr *a)
{
	struct sock *o = a->addr ? find(same_id, &a->addr) : NULL;
	return o && o->type == type ? o : NULL;
}

uint32_t sock_unix_name(const struct sock *s, const struct sock_addr *a, void *out)
{
	static const struct sock_uname unnamed = {.len = FAMILY_LEN};
	const struct sock_uname *n = &unnamed;
	const struct sock *o;
	if (a == &s->local)
		n = &s->name;
	else if (s->type != SOCK_DGRAM)
		n = &s->peer_name; /* a connection's, kept when its peer goes */
	else if (a->addr && (o = find(same_id, &a->addr)))
		n = &o->name;
	uint8_t *b = out;
	uint32_t len = n->len < FAMILY_LEN ? FAMILY_LEN : n->len;
	uint32_t copy = len > SUN_LEN_MAX ? SUN_LEN_MAX : len; /* a 108-byte path: Linux says 111 */
	b[0] = AF_UNIX;
	b[1] = 0;
	memcpy(b + FAMILY_LEN, n->path, copy - FAMILY_LEN);
	return len;
}

/* Linux's peer_wait: a sender that got EAGAIN waits (edge-triggered epoll, as Go's netpoller
 * does) for EPOLLOUT, which only the receiver's reading can bring. */
static void room_drop(struct sock *s)
{
	for (struct sock **p = &un.refused; *p; p = &(*p)->room_next)
		if (*p == s) {
			*p = s->room_next;
			break;
		}
	s->room_for = s->room_next = NULL;
}

void sock_unix_wait_room(struct sock *s, struct sock *to)
{
	if (s->room_for == to)
		return;
	if (s->room_for)
		room_drop(s);
	s->room_for = to;
	s->room_next = un.refused;
	un.refused = s;
}

void sock_unix_room(struct sock *to)
{
	struct sock **p = &un.refused;
	while (*p) {
		struct sock *w = *p;
		if (w->room_for != to) {
			p = &w->room_next;
			continue;
		}
		*p = w->room_next;
		w->room_for = w->room_next = NULL;
		sock_changed(w, EPOLLOUT);
	}
}

void sock_unix_release(struct sock *s)
{
	if (s->room_for)
		room_drop(s);
	sock_unix_room(s); /* its senders learn it is gone at their next send */

	for (struct sock **p = &un.named; *p; p = &(*p)->bind_next)
		if (*p == s) {
			*p = s->bind_next;
			break;
		}
	if (s->unode >= 0)
		fs_sock_unbind(s->unode);
	s->unode = -1;
}

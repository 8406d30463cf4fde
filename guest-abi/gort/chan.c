/*
 * /dev/chan/NAME: each channel of the partition's device tree (/goos/channel@..., docs/channels.md)
 * as a character device on gchan (guest-abi/chan/), the tree's one virtqueue library.
 *
 *  - write posts the bytes as messages of at most GOOS_CHAN_MSG_MAX bytes (type 0), in order: a
 *    write up to that size is one message. read returns bytes of one message only; what does not
 *    fit stays for the next read. So a datagram protocol sees whole messages and a byte stream
 *    (net/rpc) works unchanged. Messages of no bytes from a C peer are skipped (a read of 0 is
 *    end of file to Go).
 *  - No buffer free, nothing to read, the channel not ready (the peer not up yet, or not reset):
 *    EAGAIN, which fs.c turns into a wait for a doorbell unless the file is O_NONBLOCK. epoll:
 *    EPOLLIN / EPOLLOUT as gchan_poll says, so Go's netpoller waits on it and deadlines work.
 *  - The peer restarted: the next read or write fails with ECONNRESET, once per restart (the
 *    part of a message not yet read is dropped with it); then calls wait (EAGAIN) until both ends
 *    have reset, and carry on. A peer that broke the channel (a check failed): EIO until then.
 *  - The channel named "net" (or as bootargs' gort.net=NAME says) of which this partition is the
 *    driver end is no file: it carries gort's remote sockets to netd (sock_netd.c), at its
 *    device end, through netd_link below. (netd sees it as an ordinary /dev/chan/NAME.)
 *  - Doorbells: the idle call's GOOS_EV_VIRTQ and the channel interrupt both lead to
 *    chan_doorbells, which takes the pending set and serves every channel whose bit is set.
 *
 * All under gort's big lock, which also serialises gchan (not thread-safe itself).
 */
#include <fmt.h>
#include <dt_scan.h>
#include <libfdt.h>
#include <string.h>

#include "gchan.h"
#include "gchan_dt.h"
#include "goos_call.h"
#include "gort.h"
#include "linux.h"
#include "mm.h"
#include "sock_netd.h"

#define CHAN_MAJOR 240 /* Linux's first "local/experimental use" major */

struct chan {
	struct gchan g;
	struct gort_dev dev;
	char path[5 + GOOS_CHAN_NAME_MAX + 1]; /* "chan/NAME" */
	bool netd;			       /* the remote sockets' link, not a file */
	bool reset_owed;       /* a send consumed GCHAN_E_PEER_RESTARTED after part of a write */
	size_t rx_off, rx_len; /* what of rx the program has not read yet */
	uint8_t *rx, *tx;      /* a page each: one message */
};
_Static_assert(sizeof(struct chan) <= GOOS_CHAN_PAGE && GOOS_CHAN_MSG_MAX <= GOOS_CHAN_PAGE,
	       "a channel and each of its buffers fit a page");

/* Taken from the partition's pages for the channels it has: a table of GOOS_CHAN_MAX in bss
 * would cost every program 600 KiB (footprint.min_ram_go went from 6 to 8 MiB). */
static struct chan *chans[GOOS_CHAN_MAX];
static unsigned nchans;

static void log_line(const char *line)
{
	gort_printf("gort: %s\n", line);
}

static long ring(struct chan *c, long rc)
{
	if (gchan_doorbell(&c->g))
		goos(GOOS_FN_CHAN_NOTIFY, gchan_id(&c->g), 0, 0, 0);
	return rc;
}

static long errno_of(int rc)
{
	switch (rc) {
	case GCHAN_E_AGAIN:
	case GCHAN_E_NOT_READY:
		return -EAGAIN;
	case GCHAN_E_PEER_RESTARTED:
		return -ECONNRESET;
	default: /* BROKEN, or a message this end cannot take */
		return -EIO;
	}
}

static long chan_read(const struct gort_dev *d, struct thread *t, uintptr_t uva, size_t n)
{
	struct chan *c = d->priv;

	if (c->rx_off < c->rx_len && (ring(c, gchan_poll(&c->g)) & GCHAN_POLL_RESTARTED))
		c->rx_off = c->rx_len = 0; /* a message of the peer's last run */
	if (c->reset_owed) {
		c->reset_owed = false;
		return -ECONNRESET;
	}
	while (c->rx_off == c->rx_len) {
		int r = (int)ring(c, gchan_recv(&c->g, NULL, c->rx, GOOS_CHAN_MSG_MAX));
		if (r < 0)
			return errno_of(r);
		c->rx_off = 0;
		c->rx_len = (size_t)r;
	}
	size_t k = n < c->rx_len - c->rx_off ? n : c->rx_len - c->rx_off;
	if (copy_to_user(uva, c->rx + c->rx_off, k))
		return -EFAULT;
	c->rx_off += k;
	return (long)k;
}

static long chan_write(const struct gort_dev *d, struct thread *t, uintptr_t uva, size_t n)
{
	struct chan *c = d->priv;
	size_t done = 0;
	long err = 0;

	if (c->reset_owed) {
		c->reset_owed = false;
		return -ECONNRESET;
	}
	while (done < n) {
		size_t k = n - done < GOOS_CHAN_MSG_MAX ? n - done : GOOS_CHAN_MSG_MAX;
		if (copy_from_user(c->tx, uva + done, k)) {
			err = -EFAULT;
			break;
		}
		int r = gchan_send(&c->g, 0, c->tx, k);
		if (r) {
			err = errno_of(r);
			c->reset_owed = done && r == GCHAN_E_PEER_RESTARTED;
			break;
		}
		done += k;
	}
	ring(c, 0);
	return done ? (long)done : err;
}

/* The link to netd: whole messages from and to gort's memory. */
static long netd_send(void *ctx, const void *msg, size_t len)
{
	struct chan *c = ctx;
	int r = (int)ring(c, gchan_send(&c->g, 0, msg, len));
	return r < 0 ? errno_of(r) : 0;
}

static long netd_recv(void *ctx, void *buf, size_t size)
{
	struct chan *c = ctx;
	int r = (int)ring(c, gchan_recv(&c->g, NULL, buf, size));
	return r < 0 ? errno_of(r) : r;
}

static struct netd_link netd_link = {.send = netd_send, .recv = netd_recv};

static uint32_t chan_poll(const struct gort_dev *d)
{
	struct chan *c = d->priv;
	unsigned m = (unsigned)ring(c, gchan_poll(&c->g));
	uint32_t ev = 0;

	if ((m & GCHAN_POLL_IN) || c->rx_off < c->rx_len)
		ev |= EPOLLIN;
	if (m & GCHAN_POLL_OUT)
		ev |= EPOLLOUT;
	if ((m & GCHAN_POLL_RESTARTED) || c->reset_owed)
		ev |= EPOLLIN | EPOLLOUT; /* the next call fails at once */
	if (m & GCHAN_POLL_BROKEN)
		ev |= EPOLLIN | EPOLLOUT | EPOLLERR;
	return ev;
}

/* A ring wakes the partition's idle vCPUs and raises the channel interrupt only when none is
 * idle (docs/channels.md): an idle call outside the scheduler's (a contended lock, a device
 * call's poll) that returned GOOS_EV_VIRTQ is all this partition will hear of that ring. If its
 * vCPUs then stay busy, no vCPU idles in the scheduler to see the set again, so the doorbell is
 * owed until a holder of the lock serves it. */
volatile int chan_doorbell_owed; /* an int: RISC-V has no byte swap */

void chan_idle_returned(uint64_t events)
{
	if (events & GOOS_EV_VIRTQ)
		__atomic_store_n(&chan_doorbell_owed, 1, __ATOMIC_RELAXED);
}

void chan_serve_owed(void)
{
	if (__atomic_exchange_n(&chan_doorbell_owed, 0, __ATOMIC_RELAXED))
		chan_doorbells();
}

void chan_doorbells(void)
{
	struct goos_ret r = goos(GOOS_FN_CHAN_PENDING, 0, 0, 0, 0);

	if (r.error || !r.value)
		return;
	for (unsigned i = 0; i < nchans; i++)
		if (gchan_id(&chans[i]->g) < 64 && (r.value >> gchan_id(&chans[i]->g) & 1))
			chans[i]->netd ? sock_netd_pump() : fs_dev_changed(&chans[i]->dev);
}

/* The channel gort's remote sockets use: `gort.net=NAME` in bootargs (before any `--`), else
 * SOCK_NETD_CHANNEL. Read here, as the channels are set up before main.c parses bootargs. */
static void netd_channel_name(const void *fdt, char *name, size_t size)
{
	const char *a = dt_getprop(fdt, dt_path(fdt, "/chosen"), "bootargs", NULL);

	snprintf(name, size, "%s", SOCK_NETD_CHANNEL);
	while (a && *a) {
		while (*a == ' ')
			a++;
		size_t n = strcspn(a, " ");
		if (n == 2 && !strncmp(a, "--", 2))
			return;
		if (n > 9 && !strncmp(a, "gort.net=", 9))
			snprintf(name, size, "%.*s", (int)(n - 9), a + 9);
		a += n;
	}
}

void chan_init(const void *fdt)
{
	int goos_node = dt_path(fdt, "/" GOOS_DT_NODE), node;
	char netd_name[GOOS_CHAN_NAME_MAX + 1];

	netd_channel_name(fdt, netd_name, sizeof(netd_name));

	if (goos_node < 0)
		return;
	dt_for_each_child(node, fdt, goos_node)
	{
		struct gchan_dt n;
		if (nchans >= GOOS_CHAN_MAX || !gchan_dt_read(fdt, goos_node, node, &n))
			continue;
		if (!chans[nchans]) { /* kept for the next node if this one is left out */
			struct chan *fresh = mm_kernel_page();
			uint8_t *rx = mm_kernel_page(), *tx = mm_kernel_page();

			if (!fresh || !rx || !tx) {
				gort_printf("gort: no memory for channel %u: left out\n", nchans);
				return;
			}
			fresh->rx = rx;
			fresh->tx = tx;
			chans[nchans] = fresh;
		}
		struct chan *c = chans[nchans];
		if (mm_map_kernel_window(n.base, n.size)) {
			gort_printf("gort: channel window 0x%lx+0x%lx cannot be mapped: left out\n",
				    (unsigned long)n.base, (unsigned long)n.size);
			continue;
		}
		if (gchan_attach(&c->g, (void *)(uintptr_t)n.base, n.base, n.size, n.role,
				 log_line))
			continue; /* gchan said why */
		memcpy(c->path, "chan/", 5);
		memcpy(c->path + 5, gchan_name(&c->g), strlen(gchan_name(&c->g)) + 1);
		c->dev = (struct gort_dev){.name = c->path,
					   .major = CHAN_MAJOR,
					   .minor = nchans,
					   .write = chan_write,
					   .read = chan_read,
					   .poll = chan_poll,
					   .priv = c};
		c->netd = !netd_link.ctx && n.role == GCHAN_DRIVER &&
			  !strcmp(gchan_name(&c->g), netd_name);
		if (c->netd)
			netd_link.ctx = c;
		else
			fs_add_device(&c->dev);
		nchans++;
		ring(c, (long)gchan_poll(&c->g)); /* the first reset, which the peer learns of */
	}
	if (netd_link.ctx)
		sock_netd_attach(&netd_link);
}

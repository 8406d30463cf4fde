/*
 * /dev/netN: each passed-through virtio-net device of the partition (its /goos/virtio@ADDR nodes
 * whose DeviceID is 1, N = 0, 1... in device-tree order; docs/passthrough.md) as a packet device,
 * so a network stack written in Go (netd) is an ordinary program.
 *
 *  - read returns one received Ethernet frame (no virtio_net_hdr), cut to the buffer as a packet
 *    socket does: the bytes copied. write sends one frame of 14 to 1514 bytes (else EINVAL or
 *    EMSGSIZE). No frame waiting, no transmit slot free: EAGAIN, which fs.c turns into a wait for
 *    the device's interrupt unless the file is O_NONBLOCK. epoll: EPOLLIN while a frame waits,
 *    EPOLLOUT while a transmit slot is free.
 *  - Several opens share the one device: each frame goes to one read. The first open drops the
 *    frames that came while nobody had it open, so a program sees only what arrived after it.
 *  - /sys/class/net/netN/address ("52:54:00:12:34:56\n", from the configuration space) and
 *    /sys/class/net/netN/mtu ("1500\n"), as Linux's sysfs has them.
 *  - The driver: virtio-mmio version 2 over the page the hv emulates, features VERSION_1 and
 *    VIRTIO_NET_F_MAC only, queue 0 receive and 1 transmit, of up to NET_QN entries each (the hv
 *    allows 64), rings and buffers in gort's own pages (RAM is mapped one-to-one, so a page's
 *    address is its guest-physical one, which the hv checks lies in the partition's RAM). Every
 *    receive buffer stays posted: a frame read is handed back at once, the notify (a trap to the
 *    hv) batched until a quarter of the queue waits or the reader finds nothing. The interrupt
 *    (vCPU 0's external one, or GOOS_EV_IRQ from idle) is netdev_irq: InterruptStatus read and
 *    written to InterruptACK, then the waiting calls are served.
 *  - DEVICE_NEEDS_RESET (the hv refused a chain, which this driver never posts): one line, the
 *    device reset and started again with fresh rings (what was in flight is lost), and the next
 *    read and the next write fail with EIO, once each. A device that does not start again: EIO
 *    for good.
 *
 * All under gort's big lock.
 */
#include <dt_scan.h>
#include <libfdt.h>
#include <fmt.h>
#include <string.h>

#include "goos.h"
#include "gort.h"
#include "linux.h"
#include "mm.h"
#include "virtio_mmio.h"
#include "vring.h"

#define NET_MAJOR     241 /* next to /dev/chan's, in Linux's "local/experimental use" range */
#define NET_QN	      64  /* entries per queue at most: the hv's VQS_MAX */
#define NET_HDR	      12  /* struct virtio_net_hdr; VERSION_1 always has num_buffers */
#define NET_FRAME_MIN 14  /* an Ethernet header */
#define NET_FRAME_MAX 1514
#define NET_BUF	      2048 /* two buffers a page, each a header and the largest frame */
#define NET_F_MAC     5	   /* VIRTIO_NET_F_MAC */
#define NET_RXQ	      0
#define NET_TXQ	      1
#define NET_RX_BATCH  (NET_QN / 4)
#define NET_PATH_MAX  32
/* Of a ring page: the descriptors and the available ring fit below it. */
#define NET_USED_OFFSET 2048

_Static_assert(NET_HDR + NET_FRAME_MAX <= NET_BUF && PAGE_SIZE % NET_BUF == 0, "buffers fit");
_Static_assert(VIRTQ_DESC_BYTES(NET_QN) + VIRTQ_AVAIL_BYTES(NET_QN) <= NET_USED_OFFSET &&
		   NET_USED_OFFSET + VIRTQ_USED_BYTES(NET_QN) <= PAGE_SIZE,
	       "a queue's rings fit a page");

struct netq {
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	uint16_t n;	    /* entries: a power of two, at most NET_QN */
	uint16_t seen;	    /* used entries taken */
	uint16_t avail_idx; /* what this driver last published */
	uint8_t *buf[NET_QN];
};

struct netdev {
	struct gort_dev dev;
	volatile uint8_t *regs;
	struct netq rx, tx;
	uint16_t tx_free[NET_QN]; /* transmit descriptors (and buffers) not with the device */
	unsigned ntx_free;
	unsigned rx_unnotified; /* buffers handed back since the last notify */
	unsigned opens;
	bool running;		      /* started: else every call is EIO */
	bool eio_read, eio_write;     /* a reset lost frames: the next call of each says so */
	char name[8];		      /* "netN" */
	char addr[19];		      /* "52:54:00:12:34:56\n" */
	char addr_path[NET_PATH_MAX]; /* /sys/class/net/netN/address */
	char mtu_path[NET_PATH_MAX];
};
_Static_assert(sizeof(struct netdev) <= PAGE_SIZE, "a device's state fits a page");

static const char mtu_text[] = "1500\n";

static struct netdev *nets[GORT_MAX_NETDEVS];
static unsigned nnets;

static uint32_t rd(const struct netdev *d, unsigned off)
{
	return *(volatile uint32_t *)(d->regs + off);
}

static void wr(const struct netdev *d, unsigned off, uint32_t v)
{
	*(volatile uint32_t *)(d->regs + off) = v;
}

static void set_ring(const struct netdev *d, unsigned lo, const void *p)
{
	wr(d, lo, (uint32_t)(uintptr_t)p);
	wr(d, lo + 4, (uint32_t)((uintptr_t)p >> 32));
}

static void notify(const struct netdev *d, unsigned qi)
{
	/* The published index before the store that makes the hv read it. */
	__asm__ volatile("fence rw,rw" ::: "memory");
	wr(d, VIRTIO_MMIO_QUEUE_NOTIFY, qi);
}

/* Makes chain head (one descriptor, filled) available; the notify is the caller's. */
static void publish(struct netq *q, uint16_t head)
{
	q->avail->ring[q->avail_idx % q->n] = head;
	VIRTQ_WMB();
	q->avail_idx++;
	VIRTQ_STORE(&q->avail->idx, q->avail_idx);
}

/* A used entry not taken yet: true and *e, the entry taken. */
static bool take_used(struct netq *q, struct virtq_used_elem *e)
{
	if (VIRTQ_LOAD(&q->used->idx) == q->seen)
		return false;
	VIRTQ_RMB();
	e->id = VIRTQ_LOAD(&q->used->ring[q->seen % q->n].id);
	e->len = VIRTQ_LOAD(&q->used->ring[q->seen % q->n].len);
	q->seen++;
	return true;
}

static void rx_give(struct netdev *d, uint16_t id)
{
	d->rx.desc[id] =
	    (struct virtq_desc){(uintptr_t)d->rx.buf[id], NET_BUF, VIRTQ_DESC_F_WRITE, 0};
	publish(&d->rx, id);
	d->rx_unnotified++;
}

static void rx_flush(struct netdev *d)
{
	if (d->rx_unnotified) {
		d->rx_unnotified = 0;
		notify(d, NET_RXQ);
	}
}

/* Transmit descriptors the device is done with back on the free list. */
static void tx_reclaim(struct netdev *d)
{
	struct virtq_used_elem e;

	while (take_used(&d->tx, &e))
		if (e.id < d->tx.n && d->ntx_free < d->tx.n)
			d->tx_free[d->ntx_free++] = (uint16_t)e.id;
}

static bool queue_setup(struct netdev *d, struct netq *q, unsigned qi)
{
	wr(d, VIRTIO_MMIO_QUEUE_SEL, qi);
	uint32_t max = rd(d, VIRTIO_MMIO_QUEUE_NUM_MAX);
	uint16_t n = NET_QN;

	while (n > max)
		n /= 2;
	if (!n)
		return false;
	memset(q->desc, 0, PAGE_SIZE);
	q->n = n;
	q->seen = q->avail_idx = 0;
	wr(d, VIRTIO_MMIO_QUEUE_NUM, n);
	set_ring(d, VIRTIO_MMIO_QUEUE_DESC_LOW, q->desc);
	set_ring(d, VIRTIO_MMIO_QUEUE_DRIVER_LOW, q->avail);
	set_ring(d, VIRTIO_MMIO_QUEUE_DEVICE_LOW, q->used);
	wr(d, VIRTIO_MMIO_QUEUE_READY, 1);
	return rd(d, VIRTIO_MMIO_QUEUE_READY) == 1;
}

/* Reset, the handshake, both queues, every receive buffer posted: NULL, or why not. */
static const char *net_start(struct netdev *d)
{
	uint32_t st = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;

	d->running = false;
	wr(d, VIRTIO_MMIO_STATUS, 0);
	wr(d, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	wr(d, VIRTIO_MMIO_STATUS, st);
	wr(d, VIRTIO_MMIO_DEVICE_FEAT_SEL, 1);
	uint32_t high = rd(d, VIRTIO_MMIO_DEVICE_FEATURES);
	wr(d, VIRTIO_MMIO_DEVICE_FEAT_SEL, 0);
	uint32_t low = rd(d, VIRTIO_MMIO_DEVICE_FEATURES);
	if (!(high & 1u << (VIRTIO_F_VERSION_1 - 32)))
		return "no VIRTIO_F_VERSION_1";
	if (!(low & 1u << NET_F_MAC))
		return "no VIRTIO_NET_F_MAC (the MAC address)";
	wr(d, VIRTIO_MMIO_DRIVER_FEAT_SEL, 0);
	wr(d, VIRTIO_MMIO_DRIVER_FEATURES, 1u << NET_F_MAC);
	wr(d, VIRTIO_MMIO_DRIVER_FEAT_SEL, 1);
	wr(d, VIRTIO_MMIO_DRIVER_FEATURES, 1u << (VIRTIO_F_VERSION_1 - 32));
	st |= VIRTIO_STATUS_FEATURES_OK;
	wr(d, VIRTIO_MMIO_STATUS, st);
	if (!(rd(d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK))
		return "FEATURES_OK not kept";
	if (!queue_setup(d, &d->rx, NET_RXQ) || !queue_setup(d, &d->tx, NET_TXQ))
		return "a queue was refused";
	d->ntx_free = 0;
	for (uint16_t i = 0; i < d->tx.n; i++)
		d->tx_free[d->ntx_free++] = (uint16_t)(d->tx.n - 1 - i);
	wr(d, VIRTIO_MMIO_STATUS, st | VIRTIO_STATUS_DRIVER_OK);
	for (uint16_t i = 0; i < d->rx.n; i++)
		rx_give(d, i);
	rx_flush(d);
	d->running = true;
	return NULL;
}

static long net_read(const struct gort_dev *dev, struct thread *t, uintptr_t uva, size_t n)
{
	struct netdev *d = dev->priv;
	struct virtq_used_elem e;

	if (d->eio_read || !d->running) {
		d->eio_read = false;
		return -EIO;
	}
	for (;;) {
		if (!take_used(&d->rx, &e)) {
			rx_flush(d);
			return -EAGAIN;
		}
		if (e.id >= d->rx.n)
			continue; /* the hv gives back only what it was given: never */
		uint16_t id = (uint16_t)e.id;
		if (e.len < NET_HDR + NET_FRAME_MIN) {
			rx_give(d, id); /* not a frame */
			continue;
		}
		size_t len = e.len - NET_HDR < NET_FRAME_MAX ? e.len - NET_HDR : NET_FRAME_MAX;
		size_t k = n < len ? n : len;
		int err = copy_to_user(uva, d->rx.buf[id] + NET_HDR, k);
		rx_give(d, id);
		if (d->rx_unnotified >= NET_RX_BATCH)
			rx_flush(d);
		return err ? -EFAULT : (long)k;
	}
}

static long net_write(const struct gort_dev *dev, struct thread *t, uintptr_t uva, size_t n)
{
	struct netdev *d = dev->priv;

	if (d->eio_write || !d->running) {
		d->eio_write = false;
		return -EIO;
	}
	if (n < NET_FRAME_MIN)
		return -EINVAL;
	if (n > NET_FRAME_MAX)
		return -EMSGSIZE;
	tx_reclaim(d);
	if (!d->ntx_free)
		return -EAGAIN;
	uint16_t id = d->tx_free[--d->ntx_free];
	uint8_t *b = d->tx.buf[id];
	memset(b, 0, NET_HDR); /* no offloads: flags and gso_type 0 */
	if (copy_from_user(b + NET_HDR, uva, n)) {
		d->tx_free[d->ntx_free++] = id;
		return -EFAULT;
	}
	d->tx.desc[id] = (struct virtq_desc){(uintptr_t)b, (uint32_t)(NET_HDR + n), 0, 0};
	publish(&d->tx, id);
	notify(d, NET_TXQ);
	return (long)n;
}

static uint32_t net_poll(const struct gort_dev *dev)
{
	struct netdev *d = dev->priv;
	uint32_t ev = 0;

	if (d->eio_read || d->eio_write || !d->running)
		return EPOLLIN | EPOLLOUT | EPOLLERR; /* the next call fails at once */
	if (VIRTQ_LOAD(&d->rx.used->idx) != d->rx.seen)
		ev |= EPOLLIN;
	else
		rx_flush(d); /* the reader will wait: the device must have every buffer */
	tx_reclaim(d);
	if (d->ntx_free)
		ev |= EPOLLOUT;
	return ev;
}

/* The first open sees only frames that come after it. */
static void net_open(const struct gort_dev *dev)
{
	struct netdev *d = dev->priv;
	struct virtq_used_elem e;

	if (d->opens++ || !d->running)
		return;
	d->eio_read = d->eio_write = false;
	while (take_used(&d->rx, &e))
		if (e.id < d->rx.n)
			rx_give(d, (uint16_t)e.id);
	rx_flush(d);
}

static void net_release(const struct gort_dev *dev)
{
	struct netdev *d = dev->priv;

	d->opens--;
}

void netdev_irq(void)
{
	for (unsigned i = 0; i < nnets; i++) {
		struct netdev *d = nets[i];
		uint32_t s = rd(d, VIRTIO_MMIO_INTERRUPT_STATUS);

		if (!s)
			continue;
		wr(d, VIRTIO_MMIO_INTERRUPT_ACK, s);
		if ((s & VIRTIO_INT_CONFIG) && d->running &&
		    (rd(d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET)) {
			const char *why = net_start(d);
			gort_printf("gort: /dev/%s: the device needs a reset (the hv's line says "
				    "why): %s%s\n",
				    d->name,
				    why ? "it did not start again: "
					: "reset, frames in flight lost",
				    why ? why : "");
			d->eio_read = d->eio_write = true;
		}
		fs_dev_changed(&d->dev);
	}
}

/* The register page of a /goos/virtio node, mapped for gort: NULL if it is none. */
static volatile uint8_t *virtio_node(const void *fdt, int goos, int node)
{
	int ac = fdt_address_cells(fdt, goos), sc = fdt_size_cells(fdt, goos), len;
	const fdt32_t *reg = dt_getprop(fdt, node, "reg", &len);
	uint64_t base = 0, size = 0;

	if (dt_node_check_compatible(fdt, node, GOOS_VIRTIO_COMPATIBLE) || !reg || ac < 1 ||
	    ac > 2 || sc < 1 || sc > 2 || len != (ac + sc) * 4)
		return NULL;
	for (int i = 0; i < ac + sc; i++) {
		uint64_t *to = i < ac ? &base : &size;
		*to = (*to << 32) | fdt32_to_cpu(reg[i]);
	}
	size = (size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	if (size < VIRTIO_MMIO_SIZE || mm_map_kernel_window(base, size)) {
		gort_printf("gort: virtio device at 0x%lx+0x%lx cannot be mapped: left out\n",
			    (unsigned long)base, (unsigned long)size);
		return NULL;
	}
	return (volatile uint8_t *)(uintptr_t)base;
}

/* A device's state, ring pages and buffers: NULL when memory runs out. */
static struct netdev *net_alloc(void)
{
	struct netdev *d = mm_kernel_page();
	struct netq *qs[2] = {d ? &d->rx : NULL, d ? &d->tx : NULL};

	for (unsigned k = 0; d && k < 2; k++) {
		uint8_t *ring = mm_kernel_page();
		if (!ring)
			return NULL;
		qs[k]->desc = (struct virtq_desc *)ring;
		qs[k]->avail = (struct virtq_avail *)(ring + VIRTQ_DESC_BYTES(NET_QN));
		qs[k]->used = (struct virtq_used *)(ring + NET_USED_OFFSET);
		for (unsigned i = 0; i < NET_QN; i += PAGE_SIZE / NET_BUF) {
			uint8_t *page = mm_kernel_page();
			if (!page)
				return NULL;
			for (unsigned j = 0; j < PAGE_SIZE / NET_BUF; j++)
				qs[k]->buf[i + j] = page + j * NET_BUF;
		}
	}
	return d;
}

void netdev_init(const void *fdt)
{
	int goos = dt_path(fdt, "/" GOOS_DT_NODE), node;

	if (goos < 0)
		return;
	dt_for_each_child(node, fdt, goos)
	{
		volatile uint8_t *regs = virtio_node(fdt, goos, node);
		if (!regs || *(volatile uint32_t *)(regs + VIRTIO_MMIO_DEVICE_ID) != VIRTIO_ID_NET)
			continue;
		if (nnets >= GORT_MAX_NETDEVS) {
			gort_printf("gort: more than %d network devices: the rest left out\n",
				    GORT_MAX_NETDEVS);
			return;
		}
		struct netdev *d = net_alloc();
		if (!d) {
			gort_printf("gort: no memory for network device %u: left out\n", nnets);
			return;
		}
		d->regs = regs;
		snprintf(d->name, sizeof(d->name), "net%u", nnets);
		const char *why = net_start(d);
		if (why) {
			/* Still /dev/netN (every call EIO), so the numbers stay the tree's order.
			 */
			gort_printf("gort: /dev/%s: the device did not start: %s\n", d->name, why);
			wr(d, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_FAILED);
		}
		uint8_t mac[6];
		for (unsigned i = 0; i < 6; i++)
			mac[i] = regs[VIRTIO_MMIO_CONFIG + i];
		snprintf(d->addr, sizeof(d->addr), "%02x:%02x:%02x:%02x:%02x:%02x\n", mac[0],
			 mac[1], mac[2], mac[3], mac[4], mac[5]);
		snprintf(d->addr_path, sizeof(d->addr_path), "/sys/class/net/%s/address", d->name);
		snprintf(d->mtu_path, sizeof(d->mtu_path), "/sys/class/net/%s/mtu", d->name);
		fs_add_default_file(d->addr_path, d->addr, strlen(d->addr));
		fs_add_default_file(d->mtu_path, mtu_text, sizeof(mtu_text) - 1);
		d->dev = (struct gort_dev){.name = d->name,
					   .major = NET_MAJOR,
					   .minor = nnets,
					   .read = net_read,
					   .write = net_write,
					   .poll = net_poll,
					   .open = net_open,
					   .release = net_release,
					   .priv = d};
		fs_add_device(&d->dev);
		nets[nnets++] = d;
	}
}

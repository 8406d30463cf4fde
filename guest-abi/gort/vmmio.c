/*
 * A virtio-mmio version 2 transport for gort's drivers (vmmio.h): the emulated register page the
 * hv gives the owner of a passed-through device (docs/passthrough.md), one split queue of
 * VMMIO_QSIZE entries in a page of gort's, no indirect descriptors, no event indexes (the shadow
 * queues do neither).
 *
 * A call is synchronous: gort posts one chain and idles (GOOS_FN_IDLE, a short deadline) until
 * the used ring has it. The device's interrupt goes to vCPU 0 only, and the hv copies the used
 * entry into our ring before it raises it, so a call on any vCPU learns of its completion from
 * the ring; vCPU 0's idle also ends at the interrupt. The interrupt is acknowledged
 * (InterruptACK) by the call that sees its entry and by vmmio_interrupts, so it never stays up.
 */
#include <dt_scan.h>
#include <libfdt.h>
#include <string.h>

#include "goos_call.h"
#include "gort.h"
#include "mm.h"
#include "riscv.h"
#include "virtio_mmio.h"
#include "vmmio.h"

#define POLL_NS	   20000ULL	  /* idle between looks at the used ring */
#define CALL_LIMIT 30000000000ULL /* a device that has not answered in 30 s is broken */

static struct vmmio *devs[VMMIO_MAX];
static unsigned ndevs;

static uint32_t rd(const struct vmmio *d, unsigned off)
{
	return *(volatile uint32_t *)(d->regs + off);
}

static void wr(const struct vmmio *d, unsigned off, uint32_t v)
{
	*(volatile uint32_t *)(d->regs + off) = v;
}

static uint64_t cells(const fdt32_t *p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v = (v << 32) | fdt32_to_cpu(p[i]);
	return v;
}

void vmmio_each(const void *fdt, uint32_t id, void (*fn)(volatile uint8_t *regs, const char *name))
{
	int goos_node = dt_path(fdt, "/" GOOS_DT_NODE), node;
	if (goos_node < 0)
		return;
	int ac = fdt_address_cells(fdt, goos_node), sc = fdt_size_cells(fdt, goos_node);
	if (ac < 1 || ac > 2 || sc < 1 || sc > 2)
		return;
	dt_for_each_child(node, fdt, goos_node)
	{
		int len, nlen;
		const fdt32_t *reg = dt_getprop(fdt, node, "reg", &len);
		const char *name = dt_getprop(fdt, node, GOOS_VIRTIO_DT_NAME, &nlen);
		if (dt_node_check_compatible(fdt, node, GOOS_VIRTIO_COMPATIBLE) || !reg ||
		    len != (ac + sc) * 4 || !name || nlen < 1 || name[nlen - 1])
			continue;
		uint64_t base = cells(reg, ac), size = cells(reg + ac, sc);
		if (size < VIRTIO_MMIO_SIZE || mm_map_kernel_window(base, PAGE_SIZE)) {
			gort_printf(
			    "gort: device %s: its register page 0x%lx cannot be mapped: left "
			    "out\n",
			    name, (unsigned long)base);
			continue;
		}
		volatile uint8_t *regs = (volatile uint8_t *)(uintptr_t)base;
		if (*(volatile uint32_t *)(regs + VIRTIO_MMIO_DEVICE_ID) == id)
			fn(regs, name);
	}
}

static int refuse(struct vmmio *d, const char *why)
{
	gort_printf("gort: device %s: %s: left out\n", d->name, why);
	wr(d, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_FAILED);
	return -EIO;
}

int vmmio_start(struct vmmio *d, volatile uint8_t *regs, const char *name, uint32_t features)
{
	memset(d, 0, sizeof(*d));
	d->regs = regs;
	d->name = name;
	if (ndevs >= VMMIO_MAX)
		return refuse(d, "too many devices");
	wr(d, VIRTIO_MMIO_STATUS, 0);
	if (rd(d, VIRTIO_MMIO_MAGIC_VALUE) != VIRTIO_MMIO_MAGIC || rd(d, VIRTIO_MMIO_VERSION) != 2)
		return refuse(d, "not a virtio-mmio version 2 device");
	wr(d, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	wr(d, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(d, VIRTIO_MMIO_DEVICE_FEAT_SEL, 1);
	uint32_t high = rd(d, VIRTIO_MMIO_DEVICE_FEATURES);
	wr(d, VIRTIO_MMIO_DEVICE_FEAT_SEL, 0);
	uint32_t low = rd(d, VIRTIO_MMIO_DEVICE_FEATURES);
	if (!(high & 1) || (low & features) != features)
		return refuse(d, "it lacks a feature gort needs");
	wr(d, VIRTIO_MMIO_DRIVER_FEAT_SEL, 0);
	wr(d, VIRTIO_MMIO_DRIVER_FEATURES, features);
	wr(d, VIRTIO_MMIO_DRIVER_FEAT_SEL, 1);
	wr(d, VIRTIO_MMIO_DRIVER_FEATURES, 1); /* VIRTIO_F_VERSION_1 */
	uint32_t st = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK;
	wr(d, VIRTIO_MMIO_STATUS, st);
	if (!(rd(d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK))
		return refuse(d, "it refused the features");

	uint8_t *page = mm_kernel_page();
	if (!page)
		return refuse(d, "no memory for its queue");
	/* One page: descriptors at 0, the available ring after them, the used ring at 2 KiB. */
	d->desc = (struct virtq_desc *)page;
	d->avail = (struct virtq_avail *)(page + VIRTQ_DESC_BYTES(VMMIO_QSIZE));
	d->used = (struct virtq_used *)(page + PAGE_SIZE / 2);
	_Static_assert(VIRTQ_DESC_BYTES(VMMIO_QSIZE) + VIRTQ_AVAIL_BYTES(VMMIO_QSIZE) <=
			       PAGE_SIZE / 2 &&
			   VIRTQ_USED_BYTES(VMMIO_QSIZE) <= PAGE_SIZE / 2,
		       "the queue fits a page");
	wr(d, VIRTIO_MMIO_QUEUE_SEL, 0);
	if (rd(d, VIRTIO_MMIO_QUEUE_NUM_MAX) < VMMIO_QSIZE)
		return refuse(d, "its queue is too small");
	wr(d, VIRTIO_MMIO_QUEUE_NUM, VMMIO_QSIZE);
	uint64_t a[3] = {(uintptr_t)d->desc, (uintptr_t)d->avail, (uintptr_t)d->used};
	static const unsigned lo[3] = {VIRTIO_MMIO_QUEUE_DESC_LOW, VIRTIO_MMIO_QUEUE_DRIVER_LOW,
				       VIRTIO_MMIO_QUEUE_DEVICE_LOW};
	for (unsigned i = 0; i < 3; i++) {
		wr(d, lo[i], (uint32_t)a[i]);
		wr(d, lo[i] + 4, (uint32_t)(a[i] >> 32));
	}
	wr(d, VIRTIO_MMIO_QUEUE_READY, 1);
	if (rd(d, VIRTIO_MMIO_QUEUE_READY) != 1)
		return refuse(d, "the hv refused its queue");
	wr(d, VIRTIO_MMIO_STATUS, st | VIRTIO_STATUS_DRIVER_OK);
	devs[ndevs++] = d;
	return 0;
}

uint8_t vmmio_config8(const struct vmmio *d, unsigned off)
{
	return d->regs[VIRTIO_MMIO_CONFIG + off];
}

static void ack(const struct vmmio *d)
{
	uint32_t s = rd(d, VIRTIO_MMIO_INTERRUPT_STATUS);
	if (s)
		wr(d, VIRTIO_MMIO_INTERRUPT_ACK, s);
}

void vmmio_interrupts(void)
{
	for (unsigned i = 0; i < ndevs; i++)
		ack(devs[i]);
}

long vmmio_call(struct vmmio *d, unsigned n)
{
	if (d->broken || n == 0 || n > VMMIO_QSIZE)
		return -EIO;
	for (unsigned i = 0; i < n; i++) {
		d->desc[i].flags = (uint16_t)((d->desc[i].flags & VIRTQ_DESC_F_WRITE) |
					      (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0));
		d->desc[i].next = (uint16_t)(i + 1);
	}
	uint16_t idx = VIRTQ_LOAD(&d->avail->idx);
	d->avail->ring[idx % VMMIO_QSIZE] = 0;
	VIRTQ_WMB();
	VIRTQ_STORE(&d->avail->idx, (uint16_t)(idx + 1));
	__asm__ volatile("fence rw,rw" ::: "memory"); /* the index before the notify */
	wr(d, VIRTIO_MMIO_QUEUE_NOTIFY, 0);

	uint64_t limit = gort_now() + ns_to_ticks(CALL_LIMIT);
	/* A pending timer or kick would end every idle at once: the way back to the program sets
	 * the timer again and looks at signals anyway. */
	csr_write(CSR_STIMECMP, ~0UL);
	while (VIRTQ_LOAD(&d->used->idx) == d->used_seen) {
		if (rd(d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET) {
			d->broken = true;
			gort_printf("gort: device %s: the hv refused a request (a bug of gort's)\n",
				    d->name);
			return -EIO;
		}
		if (gort_now() > limit) {
			d->broken = true;
			gort_printf("gort: device %s: no answer in %llu s: given up\n", d->name,
				    CALL_LIMIT / 1000000000ULL);
			return -EIO;
		}
		csr_clear(CSR_SIP, SIP_SSIP);
		gort_idle(gort_now() + ns_to_ticks(POLL_NS)); /* a doorbell heard: the trap's end */
	}
	VIRTQ_RMB();
	struct virtq_used_elem e = d->used->ring[d->used_seen % VMMIO_QSIZE];
	d->used_seen++;
	ack(d);
	return e.id == 0 ? (long)e.len : -EIO;
}

/* libgoos: finding a passed-through device's register page in the device tree
 * (docs/passthrough.md). The driver on top is the guest's. */
#include <dt_scan.h>
#include <libfdt.h>

#include "libgoos.h"

long goos_virtio_find(const char *name, struct goos_virtio *out)
{
	const void *fdt = goos_dtb();
	int goos = fdt ? dt_path(fdt, "/" GOOS_DT_NODE) : -1, node;

	if (goos < 0)
		return GOOS_ERR_NOT_SUPPORTED;
	int ac = fdt_address_cells(fdt, goos), sc = fdt_size_cells(fdt, goos);

	if (ac < 1 || ac > 2 || sc < 1 || sc > 2)
		return GOOS_ERR_NOT_SUPPORTED;
	dt_for_each_child(node, fdt, goos)
	{
		int len, nlen;
		const fdt32_t *reg = dt_getprop(fdt, node, "reg", &len);
		const char *n = dt_getprop(fdt, node, GOOS_VIRTIO_DT_NAME, &nlen);
		uint64_t base = 0, size = 0;

		if (dt_node_check_compatible(fdt, node, GOOS_VIRTIO_COMPATIBLE) || !reg ||
		    len != (ac + sc) * 4 || !n || nlen < 1 || n[nlen - 1] || strcmp(n, name))
			continue;
		for (int i = 0; i < ac + sc; i++) {
			uint64_t *to = i < ac ? &base : &size;

			*to = (*to << 32) | fdt32_to_cpu(reg[i]);
		}
		out->name = n;
		out->regs = (volatile uint8_t *)(uintptr_t)base;
		out->size = size;
		return GOOS_OK;
	}
	return GOOS_ERR_INVALID_PARAM;
}

uint32_t goos_virtio_read(const struct goos_virtio *d, unsigned off)
{
	return *(volatile uint32_t *)(d->regs + off);
}

void goos_virtio_write(const struct goos_virtio *d, unsigned off, uint32_t v)
{
	*(volatile uint32_t *)(d->regs + off) = v;
}

static void set_ring(const struct goos_virtio *d, unsigned lo, uint64_t a)
{
	goos_virtio_write(d, lo, (uint32_t)a);
	goos_virtio_write(d, lo + 4, (uint32_t)(a >> 32));
}

long goos_vq_setup(const struct goos_virtio *d, struct goos_vq *q, unsigned qi, uint64_t used_gpa)
{
	memset(q, 0, sizeof(*q));
	goos_virtio_write(d, VIRTIO_MMIO_QUEUE_SEL, qi);
	if (goos_virtio_read(d, VIRTIO_MMIO_QUEUE_NUM_MAX) < GOOS_VQ_SIZE)
		return GOOS_ERR_NOT_SUPPORTED;
	goos_virtio_write(d, VIRTIO_MMIO_QUEUE_NUM, GOOS_VQ_SIZE);
	set_ring(d, VIRTIO_MMIO_QUEUE_DESC_LOW, (uintptr_t)q->desc);
	set_ring(d, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uintptr_t)&q->avail);
	set_ring(d, VIRTIO_MMIO_QUEUE_DEVICE_LOW, used_gpa ? used_gpa : (uintptr_t)&q->used);
	goos_virtio_write(d, VIRTIO_MMIO_QUEUE_READY, 1);
	return goos_virtio_read(d, VIRTIO_MMIO_QUEUE_READY) == 1 ? GOOS_OK : GOOS_ERR_DENIED;
}

long goos_virtio_start(const struct goos_virtio *d, uint32_t id, uint32_t features,
		       struct goos_vq *vqs, unsigned nq)
{
	const uint32_t no = 1u << VIRTIO_F_INDIRECT_DESC | 1u << VIRTIO_F_EVENT_IDX;
	uint32_t st = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;

	goos_virtio_write(d, VIRTIO_MMIO_STATUS, 0);
	if (goos_virtio_read(d, VIRTIO_MMIO_MAGIC_VALUE) != VIRTIO_MMIO_MAGIC ||
	    goos_virtio_read(d, VIRTIO_MMIO_VERSION) != 2 ||
	    goos_virtio_read(d, VIRTIO_MMIO_DEVICE_ID) != id || (features & no))
		return GOOS_ERR_NOT_SUPPORTED;
	goos_virtio_write(d, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	goos_virtio_write(d, VIRTIO_MMIO_STATUS, st);
	goos_virtio_write(d, VIRTIO_MMIO_DEVICE_FEAT_SEL, 1);
	uint32_t high = goos_virtio_read(d, VIRTIO_MMIO_DEVICE_FEATURES);
	goos_virtio_write(d, VIRTIO_MMIO_DEVICE_FEAT_SEL, 0);
	uint32_t low = goos_virtio_read(d, VIRTIO_MMIO_DEVICE_FEATURES);
	/* VIRTIO_F_VERSION_1 is bit 0 of the high word. */
	if (!(high & 1) || (low & features) != features)
		return GOOS_ERR_NOT_SUPPORTED;
	goos_virtio_write(d, VIRTIO_MMIO_DRIVER_FEAT_SEL, 0);
	goos_virtio_write(d, VIRTIO_MMIO_DRIVER_FEATURES, features);
	goos_virtio_write(d, VIRTIO_MMIO_DRIVER_FEAT_SEL, 1);
	goos_virtio_write(d, VIRTIO_MMIO_DRIVER_FEATURES, 1);
	st |= VIRTIO_STATUS_FEATURES_OK;
	goos_virtio_write(d, VIRTIO_MMIO_STATUS, st);
	if (!(goos_virtio_read(d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK))
		return GOOS_ERR_NOT_SUPPORTED;
	for (unsigned i = 0; i < nq; i++) {
		long e = goos_vq_setup(d, &vqs[i], i, 0);

		if (e)
			return e;
	}
	goos_virtio_write(d, VIRTIO_MMIO_STATUS, st | VIRTIO_STATUS_DRIVER_OK);
	return GOOS_OK;
}

void goos_vq_post(const struct goos_virtio *d, struct goos_vq *q, unsigned qi, uint16_t head)
{
	q->avail.ring[q->avail.idx % GOOS_VQ_SIZE] = head;
	__asm__ volatile("fence rw,w" ::: "memory");
	q->avail.idx++;
	/* The index before the notify: the hv (or a device) reads it on the notify. */
	__asm__ volatile("fence rw,rw" ::: "memory");
	goos_virtio_write(d, VIRTIO_MMIO_QUEUE_NOTIFY, qi);
}

bool goos_vq_wait(struct goos_vq *q, uint64_t ms)
{
	uint64_t deadline = goos_now() + goos_ticks_from_ms(ms);
	volatile uint16_t *idx = &q->used.idx;

	/* Idle, not WFI: on a shared CPU the hv takes a WFI as a wait for this vCPU's own
	 * interrupts, and on a vCPU but 0 the device's never comes (a goos_wake does). Interrupts
	 * off while looking, then on for a moment: one that ends the idle is taken there. */
	goos_irq_disable();
	while (*idx == q->used_seen && goos_now() < deadline) {
		goos_idle(deadline);
		goos_irq_enable();
		goos_irq_disable();
	}
	goos_irq_enable();
	__asm__ volatile("fence r,rw" ::: "memory");
	return *idx != q->used_seen;
}

/* Passed-through virtio-mmio devices at run time: the owner's emulated register page, the
 * device's interrupt and its reset when the owner stops (passthru_boot.c binds them). */
#include "passthru.h"

#include <string.h>

#include "chan/virtio_mmio.h"
#include "hv.h"

/* Spins this often on a held device lock before giving the CPU away. */
#define DEV_LOCK_SPINS 64

/*
 * The device lock. Its holder may be a CPU that QEMU 7.2's -icount round robin stopped inside its
 * section (measured: the owner's vCPU 1 at its real notify, the CPU of vCPU 0 spinning for it in
 * the device's interrupt), and a waiter that spins with interrupts off keeps that CPU from ever
 * running again (shared/NOTES.md). So after a brief spin the waiter sleeps to its next timer
 * tick, which hands the machine on; on hardware that is a pause of one tick.
 */
static void dev_lock(struct passthru *d)
{
	for (unsigned n = 0; !spin_trylock(&d->lock); n++) {
		if (n < DEV_LOCK_SPINS)
			continue;
		arch_hv_timer_set(arch_time_now() + 1);
		arch_wait_for_interrupt();
	}
}

static void *touch_owner(void *owner, uint64_t gpa, uint64_t len)
{
	return guest_ram_touch(owner, gpa, len);
}

static struct vqs_ram owner_ram(const struct passthru *d)
{
	struct partition *p = d->owner;

	return (struct vqs_ram){p->ram,	     p->ram_gpa, p->ram_size,	arch_va_to_pa(p->ram),
				touch_owner, p,		 p->ram_present};
}

/* The owner's view of a fresh device; the device itself reset first, so it holds nothing. */
static void reset_locked(struct passthru *d)
{
	w32(d, VIRTIO_MMIO_STATUS, 0);
	d->dev_feat_sel = d->drv_feat_sel = d->queue_sel = d->int_status = 0;
	d->drv_features = 0;
	d->broken = false;
	for (unsigned i = 0; i < d->nqueues; i++) {
		struct vqs_real *real = d->q[i].real;

		d->q[i] = (struct vq_shadow){.real = real};
	}
}

/* A queue refused: one line, and the owner sees the device needing a reset. */
static void refuse_queue(struct passthru *d, unsigned qi, const struct vqs_fault *f)
{
	d->broken = true;
	d->int_status |= VIRTIO_INT_CONFIG;
	hv_log("device %s of partition %s: queue %u: %s (index %u, 0x%lx+0x%lx): refused, the "
	       "device needs a reset",
	       d->cfg->name, d->owner->cfg->name, qi, f->what, (unsigned)f->index,
	       (unsigned long)f->addr, (unsigned long)f->len);
}

static void queue_ready(struct passthru *d, struct vq_shadow *q, unsigned qi, bool on)
{
	struct vqs_ram ram = owner_ram(d);
	struct vqs_fault f;

	w32(d, VIRTIO_MMIO_QUEUE_SEL, qi);
	if (!on) {
		w32(d, VIRTIO_MMIO_QUEUE_READY, 0);
		q->ready = false;
		return;
	}
	if (q->num > d->qmax[qi] || vqs_enable(q, &ram, &f)) {
		if (q->num > d->qmax[qi])
			f = (struct vqs_fault){"queue size above its maximum", q->num, 0, 0};
		refuse_queue(d, qi, &f);
		return;
	}
	uint64_t pa = d->ring_pa[qi];

	w32(d, VIRTIO_MMIO_QUEUE_NUM, q->num);
	w32(d, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)pa);
	w32(d, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(pa >> 32));
	w32(d, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)(pa + VQS_REAL_AVAIL));
	w32(d, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (uint32_t)((pa + VQS_REAL_AVAIL) >> 32));
	w32(d, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)(pa + VQS_REAL_USED));
	w32(d, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (uint32_t)((pa + VQS_REAL_USED) >> 32));
	w32(d, VIRTIO_MMIO_QUEUE_READY, 1);
}

#ifdef GOHV_BENCH
/* Bench build only: instructions vqs_post takes to post one chain, sampled and reported when
 * the machine powers off. Only a notify with something new is timed, so one with nothing new
 * (passthru.notify.empty) sees no extra reads. */
#define BENCH_POST_SAMPLES 256
static struct {
	uint32_t n;
	uint32_t s[BENCH_POST_SAMPLES];
} bench_post;

void bench_post_report(void)
{
	uint32_t *s = bench_post.s, n = bench_post.n;

	if (!n)
		return;
	for (uint32_t i = 1; i < n; i++)
		for (uint32_t j = i; j > 0 && s[j - 1] > s[j]; j--) {
			uint32_t t = s[j];
			s[j] = s[j - 1];
			s[j - 1] = t;
		}
	hv_log("bench: shadow post chains=1 median=%u min=%u max=%u n=%u", s[(n - 1) / 2], s[0],
	       s[n - 1], n);
}
#endif

static void notify(struct passthru *d, uint32_t qi)
{
	struct vq_shadow *q = &d->q[qi];
	struct vqs_ram ram = owner_ram(d);
	struct vqs_fault f;

	if (qi >= d->nqueues || !q->ready || d->broken)
		return;
	uint16_t before = q->real->avail_idx;
#ifdef GOHV_BENCH
	int r;

	if (q->gavail->idx == q->avail_seen) {
		r = vqs_post(q, &ram, &f);
	} else {
		uint64_t t0 = arch_bench_instret();

		r = vqs_post(q, &ram, &f);
		uint32_t t = (uint32_t)(arch_bench_instret() - t0);

		if (r == 1 && bench_post.n < BENCH_POST_SAMPLES)
			bench_post.s[bench_post.n++] = t;
	}
#else
	int r = vqs_post(q, &ram, &f);
#endif

	if (q->real->avail_idx != before)
		w32(d, VIRTIO_MMIO_QUEUE_NOTIFY, qi);
	if (r < 0)
		refuse_queue(d, qi, &f);
}

static void set_status(struct passthru *d, uint32_t v)
{
	if (!v) {
		reset_locked(d);
		return;
	}
	/* The features go to the device as the owner settles them, only those it was offered. */
	if ((v & VIRTIO_STATUS_FEATURES_OK) &&
	    !(r32(d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK)) {
		uint64_t f = d->drv_features & d->offered;

		w32(d, VIRTIO_MMIO_DRIVER_FEAT_SEL, 0);
		w32(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)f);
		w32(d, VIRTIO_MMIO_DRIVER_FEAT_SEL, 1);
		w32(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(f >> 32));
	}
	w32(d, VIRTIO_MMIO_STATUS, v & ~(uint32_t)VIRTIO_STATUS_NEEDS_RESET);
}

/* The owner's page: its registers as version 2 has them; the configuration space is the
 * device's own (it starts no DMA). */
static enum hv_err dev_read(void *ctx, struct vcpu *v, uint64_t off, unsigned width,
			    uint64_t *value)
{
	struct passthru *d = ctx;

	if (off & (width - 1))
		return HV_ERR_INVALID_ADDR;
	if (off >= VIRTIO_MMIO_CONFIG && off < VIRTIO_MMIO_SIZE && width <= 4) {
		volatile uint8_t *at = d->regs + off;

		*value = width == 1   ? *at
			 : width == 2 ? *(volatile uint16_t *)at
				      : *(volatile uint32_t *)at;
		return HV_OK;
	}
	if (width != 4 || off >= VIRTIO_MMIO_CONFIG)
		return HV_ERR_INVALID_PARAM;
	dev_lock(d);
	uint32_t sel = d->queue_sel;
	const struct vq_shadow *q = sel < d->nqueues ? &d->q[sel] : NULL;
	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		*value = VIRTIO_MMIO_MAGIC;
		break;
	case VIRTIO_MMIO_VERSION:
		*value = 2;
		break;
	case VIRTIO_MMIO_DEVICE_ID:
		*value = d->cfg->virtio_id;
		break;
	case VIRTIO_MMIO_VENDOR_ID:
		*value = d->vendor;
		break;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		*value = d->dev_feat_sel < 2 ? (uint32_t)(d->offered >> (32 * d->dev_feat_sel)) : 0;
		break;
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		*value = q ? d->qmax[sel] : 0;
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		*value = q && q->ready;
		break;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		*value = d->int_status;
		break;
	case VIRTIO_MMIO_STATUS:
		*value = r32(d, VIRTIO_MMIO_STATUS) | (d->broken ? VIRTIO_STATUS_NEEDS_RESET : 0);
		break;
	case VIRTIO_MMIO_CONFIG_GENERATION:
		*value = r32(d, VIRTIO_MMIO_CONFIG_GENERATION);
		break;
	default:
		*value = 0; /* write-only and reserved registers */
	}
	spin_unlock(&d->lock);
	return HV_OK;
}

/* The ring address a QueueDesc/Driver/Device register (low or high half) sets, or NULL. */
static uint64_t *ring_gpa(struct vq_shadow *q, uint64_t off)
{
	switch (off & ~4UL) {
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
		return &q->desc_gpa;
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
		return &q->avail_gpa;
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
		return &q->used_gpa;
	default:
		return NULL;
	}
}

/* A ring address half: kept until the queue is made ready (ignored once it is, as a device
 * does). */
static void set_half(uint64_t *a, bool high, uint32_t v)
{
	*a = high ? (*a & 0xffffffffULL) | (uint64_t)v << 32 : (*a & ~0xffffffffULL) | v;
}

static enum hv_err dev_write(void *ctx, struct vcpu *v, uint64_t off, unsigned width,
			     uint64_t value)
{
	struct passthru *d = ctx;
	uint32_t val = (uint32_t)value;
	enum hv_err e = HV_OK;

	if (off & (width - 1))
		return HV_ERR_INVALID_ADDR;
	if (off >= VIRTIO_MMIO_CONFIG && off < VIRTIO_MMIO_SIZE && width <= 4) {
		volatile uint8_t *at = d->regs + off;

		if (width == 1)
			*at = (uint8_t)val;
		else if (width == 2)
			*(volatile uint16_t *)at = (uint16_t)val;
		else
			*(volatile uint32_t *)at = val;
		return HV_OK;
	}
	if (width != 4 || off >= VIRTIO_MMIO_CONFIG)
		return HV_ERR_INVALID_PARAM;
	dev_lock(d);
	uint32_t sel = d->queue_sel, before = d->int_status;
	struct vq_shadow *q = sel < d->nqueues ? &d->q[sel] : NULL;
	bool settable = q && !q->ready;
	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEAT_SEL:
		d->dev_feat_sel = val;
		break;
	case VIRTIO_MMIO_DRIVER_FEAT_SEL:
		d->drv_feat_sel = val;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		if (d->drv_feat_sel < 2)
			set_half(&d->drv_features, d->drv_feat_sel, val);
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		d->queue_sel = val;
		break;
	case VIRTIO_MMIO_QUEUE_NUM:
		if (settable)
			q->num = val;
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		if (q && !d->broken && (bool)val != q->ready)
			queue_ready(d, q, sel, val & 1);
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		notify(d, val);
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		d->int_status &= ~val;
		break;
	case VIRTIO_MMIO_STATUS:
		set_status(d, val);
		break;
	default: {
		uint64_t *a = q ? ring_gpa(q, off) : NULL;

		if (!a && (off < VIRTIO_MMIO_QUEUE_DESC_LOW || off > VIRTIO_MMIO_QUEUE_DEVICE_HIGH))
			e = HV_ERR_INVALID_PARAM; /* read-only or reserved */
		else if (a && settable)
			set_half(a, off & 4, val);
	}
	}
	uint32_t now = d->int_status;
	spin_unlock(&d->lock);
	struct vcpu *v0 = &d->owner->vcpus[0];

	if (now & ~before) {
		vcpu_inject(v0, d->virq);
	} else if (before && !now) {
		vcpu_withdraw(v0, d->virq);
		/* An interrupt of the device (dev_irq, maybe on another CPU) may have raised it
		 * between the unlock and the withdraw: look again, as a channel's take does. */
		if (__atomic_load_n(&d->int_status, __ATOMIC_SEQ_CST))
			vcpu_inject(v0, d->virq);
	}
	return e;
}

const struct mmio_ops passthru_ops = {
    .name = "device",
    .read = dev_read,
    .write = dev_write,
};

/* The device's interrupt, on the CPU of its owner's vCPU 0: its used entries copied back. */
static void dev_irq(struct passthru *d)
{
	dev_lock(d);
	uint32_t isr = r32(d, VIRTIO_MMIO_INTERRUPT_STATUS), raise = isr & VIRTIO_INT_CONFIG;

	if (isr)
		w32(d, VIRTIO_MMIO_INTERRUPT_ACK, isr);
	for (unsigned i = 0; i < d->nqueues; i++)
		if (vqs_complete(&d->q[i]) && vqs_wants_interrupt(&d->q[i]))
			raise |= VIRTIO_INT_USED;
	raise &= ~d->int_status;
	d->int_status |= raise;
	spin_unlock(&d->lock);
	if (raise)
		vcpu_inject(&d->owner->vcpus[0], d->virq);
}

void hv_device_irq(struct cpu *c)
{
	struct intc_dev *ic = &hv.plat.intc;
	unsigned src;

	while ((src = ic->ops->claim(&ic->state, c->hwid))) {
		for (unsigned i = 0; i < hv.ndevices; i++)
			if (hv.devices[i].owner && hv.devices[i].slot->irq == src)
				dev_irq(&hv.devices[i]);
		ic->ops->complete(&ic->state, c->hwid, src);
	}
}

void passthru_stopped(struct partition *p)
{
	for (unsigned i = 0; i < hv.ndevices; i++) {
		struct passthru *d = &hv.devices[i];

		if (d->owner != p)
			continue;
		dev_lock(d);
		reset_locked(d);
		spin_unlock(&d->lock);
	}
}

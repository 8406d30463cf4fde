/* Passed-through virtio-mmio devices: binding at boot, the owner's emulated register page, the
 * device's interrupt and its reset when the owner stops. */
#include "passthru.h"

#include <fmt.h>
#include <goos.h>
#include <libfdt.h>
#include <string.h>
#include "chan/virtio_mmio.h"

#include "guest_fdt.h"
#include "hv.h"

#define FEATURE(bit) (1ULL << (bit))
/* What the owner may take: the device type's own features and version 1. Never indirect
 * descriptors, event indexes, packed rings or platform access (the shadow queues do none). */
#define OFFERABLE ((FEATURE(VIRTIO_F_DEVICE_TYPE_BITS) - 1) | FEATURE(VIRTIO_F_VERSION_1))

static uint32_t r32(const struct passthru *d, unsigned off)
{
	return *(volatile uint32_t *)(d->regs + off);
}

static void w32(const struct passthru *d, unsigned off, uint32_t v)
{
	*(volatile uint32_t *)(d->regs + off) = v;
}

static struct vqs_ram owner_ram(const struct passthru *d)
{
	const struct partition *p = d->owner;

	return (struct vqs_ram){p->ram, p->ram_gpa, p->ram_size, arch_va_to_pa(p->ram)};
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

static void notify(struct passthru *d, uint32_t qi)
{
	struct vq_shadow *q = &d->q[qi];
	struct vqs_ram ram = owner_ram(d);
	struct vqs_fault f;

	if (qi >= d->nqueues || !q->ready || d->broken)
		return;
	uint16_t before = q->real->avail_idx;
	int r = vqs_post(q, &ram, &f);

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
	spin_lock(&d->lock);
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
	spin_lock(&d->lock);
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
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		if (settable)
			set_half(&q->desc_gpa, off == VIRTIO_MMIO_QUEUE_DESC_HIGH, val);
		break;
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
		if (settable)
			set_half(&q->avail_gpa, off == VIRTIO_MMIO_QUEUE_DRIVER_HIGH, val);
		break;
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
		if (settable)
			set_half(&q->used_gpa, off == VIRTIO_MMIO_QUEUE_DEVICE_HIGH, val);
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
	default:
		e = HV_ERR_INVALID_PARAM; /* read-only or reserved */
	}
	uint32_t now = d->int_status;
	spin_unlock(&d->lock);
	if (now & ~before)
		vcpu_inject(&d->owner->vcpus[0], d->virq);
	else if (before && !now)
		vcpu_withdraw(&d->owner->vcpus[0], d->virq);
	return e;
}

static const struct mmio_ops dev_ops = {
    .name = "device",
    .read = dev_read,
    .write = dev_write,
};

/* The device's interrupt, on the CPU of its owner's vCPU 0: its used entries copied back. */
static void dev_irq(struct passthru *d)
{
	spin_lock(&d->lock);
	uint32_t isr = r32(d, VIRTIO_MMIO_INTERRUPT_STATUS), raise = isr & VIRTIO_INT_CONFIG;

	if (isr)
		w32(d, VIRTIO_MMIO_INTERRUPT_ACK, isr);
	for (unsigned i = 0; i < d->nqueues; i++)
		if (vqs_complete(&d->q[i]))
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

/* ---------------------------------------------------------------- boot */

/* The first free slot holding a device with cfg's id; -1 with why if there is none. */
static int find_slot(const struct device_config *cfg, char *why, size_t len)
{
	char seen[64] = "";
	size_t n = 0;

	for (unsigned i = 0; i < hv.plat.nslots; i++) {
		const struct platform_slot *s = &hv.plat.slots[i];
		volatile uint32_t *r = arch_pa_to_va(s->base);
		bool taken = false;

		for (unsigned j = 0; j < hv.ndevices; j++)
			taken |= hv.devices[j].slot == s;
		if (taken || s->size < VIRTIO_MMIO_SIZE ||
		    r[VIRTIO_MMIO_MAGIC_VALUE / 4] != VIRTIO_MMIO_MAGIC)
			continue;
		uint32_t id = r[VIRTIO_MMIO_DEVICE_ID / 4], version = r[VIRTIO_MMIO_VERSION / 4];

		if (id && id != cfg->virtio_id && n < sizeof(seen))
			n += snprintf(seen + n, sizeof(seen) - n, " %u", id);
		if (id != cfg->virtio_id)
			continue;
		if (version != 2) {
			snprintf(why, len,
				 "device %s: the one at 0x%lx is virtio-mmio version %u (the hv "
				 "drives version 2 only)",
				 cfg->name, (unsigned long)s->base, version);
			return -1;
		}
		return (int)i;
	}
	snprintf(why, len, "device %s: no free virtio-mmio device with id %u (the machine has:%s)",
		 cfg->name, cfg->virtio_id, n ? seen : " none");
	return -1;
}

/* What the device offers and how many queues it has, read while it is reset. */
static void read_device(struct passthru *d)
{
	w32(d, VIRTIO_MMIO_STATUS, 0);
	d->vendor = r32(d, VIRTIO_MMIO_VENDOR_ID);
	w32(d, VIRTIO_MMIO_DEVICE_FEAT_SEL, 0);
	d->offered = r32(d, VIRTIO_MMIO_DEVICE_FEATURES);
	w32(d, VIRTIO_MMIO_DEVICE_FEAT_SEL, 1);
	d->offered = (d->offered | (uint64_t)r32(d, VIRTIO_MMIO_DEVICE_FEATURES) << 32) & OFFERABLE;
	for (d->nqueues = 0; d->nqueues < PASSTHRU_MAX_QUEUES; d->nqueues++) {
		w32(d, VIRTIO_MMIO_QUEUE_SEL, d->nqueues);
		uint32_t max = r32(d, VIRTIO_MMIO_QUEUE_NUM_MAX);

		if (!max)
			break;
		d->qmax[d->nqueues] = max < VQS_MAX ? max : VQS_MAX;
	}
}

static int bind(struct partition *p, struct passthru *d, const struct device_config *cfg,
		unsigned k, char *why, size_t len)
{
	int s = find_slot(cfg, why, len);

	if (s < 0)
		return -1;
	memset(d, 0, sizeof(*d));
	d->cfg = cfg;
	d->slot = &hv.plat.slots[s];
	d->regs = arch_pa_to_va(d->slot->base);
	d->virq = VIRQ_DEVICE0 + k;
	read_device(d);
	for (unsigned i = 0; i < d->nqueues; i++) {
		uint64_t pa = page_alloc(&hv.pages, 1, PAGE_SIZE);

		if (!pa) {
			snprintf(why, len, "device %s: no memory for its rings", cfg->name);
			return -1;
		}
		d->ring_pa[i] = pa;
		d->q[i].real = arch_pa_to_va(pa);
	}
	/* The owner sees the page where the machine has it: a driver written for the machine
	 * finds it there. */
	d->region = (struct mmio_region){d->slot->base, d->slot->size, &dev_ops, d, NULL};
	if (mmio_register(p, &d->region) != HV_OK) {
		snprintf(why, len,
			 "device %s: its registers at 0x%lx clash with the partition's map",
			 cfg->name, (unsigned long)d->slot->base);
		return -1;
	}
	d->owner = p;
	p->dev_virqs |= VIRQ_BIT(d->virq);
	return 0;
}

int passthru_attach(struct partition *p, char *why, size_t len)
{
	unsigned k = 0;

	for (unsigned i = 0; i < hv.config.ndevices; i++) {
		const struct device_config *cfg = &hv.config.devices[i];

		if (cfg->owner != p->index)
			continue;
		if (!hv.plat.intc.ops || !hv.plat.intc.ops->route) {
			snprintf(why, len,
				 "device %s: the machine has no interrupt controller the "
				 "hv drives",
				 cfg->name);
			return -1;
		}
		if (bind(p, &hv.devices[i], cfg, k++, why, len))
			return -1;
		hv_log("device %s (virtio id %u) at 0x%lx irq %u: partition %s's, %u queue(s)",
		       cfg->name, cfg->virtio_id, (unsigned long)hv.devices[i].slot->base,
		       hv.devices[i].slot->irq, p->cfg->name, hv.devices[i].nqueues);
	}
	return 0;
}

void passthru_cpu_up(struct cpu *cpu)
{
	struct intc_dev *ic = &hv.plat.intc;

	for (unsigned i = 0; i < hv.ndevices; i++) {
		struct passthru *d = &hv.devices[i];

		if (!d->owner || d->owner->state == PART_REFUSED || d->owner->vcpus[0].cpu != cpu)
			continue;
		if (ic->ops->route(&ic->state, cpu->hwid, d->slot->irq, true))
			hv_log("device %s: cpu %u has no interrupt target: its interrupts are lost",
			       d->cfg->name, cpu->index);
		else
			cpu->dev_irqs++;
	}
}

void passthru_stopped(struct partition *p)
{
	for (unsigned i = 0; i < hv.ndevices; i++) {
		struct passthru *d = &hv.devices[i];

		if (d->owner != p)
			continue;
		spin_lock(&d->lock);
		reset_locked(d);
		spin_unlock(&d->lock);
	}
}

int passthru_fdt(const struct partition *p, void *fdt)
{
	for (unsigned i = 0; i < hv.ndevices; i++) {
		const struct passthru *d = &hv.devices[i];

		if (d->owner != p)
			continue;
		fdt64_t reg[2] = {cpu_to_fdt64(d->region.base), cpu_to_fdt64(d->region.size)};
		char name[40];

		snprintf(name, sizeof(name), GOOS_VIRTIO_DT_NODE "@%lx",
			 (unsigned long)d->region.base);
		FDT_TRY(fdt_begin_node(fdt, name));
		FDT_TRY(fdt_property_string(fdt, "compatible", GOOS_VIRTIO_COMPATIBLE));
		FDT_TRY(fdt_property(fdt, "reg", reg, sizeof(reg)));
		FDT_TRY(fdt_property_string(fdt, GOOS_VIRTIO_DT_NAME, d->cfg->name));
		FDT_TRY(fdt_end_node(fdt));
	}
	return 0;
}

/* Passed-through virtio-mmio devices at boot: each bound to a device of the machine by its id,
 * its interrupt routed once its owner's CPU is up, and its node in the owner's device tree. Runs
 * once, so built for size. */
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
	d->region = (struct mmio_region){d->slot->base, d->slot->size, &passthru_ops, d, NULL};
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

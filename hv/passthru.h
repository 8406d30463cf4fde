/*
 * Devices of the machine handed to one partition (docs/passthrough.md): a virtio-mmio device the
 * board's /devices names, found at boot by its virtio device id. The owner's view of its register
 * page is emulated (mmio.h): it is mapped in nobody's stage-2, so every other partition faults
 * there, and the hv sees each queue setup, notify and status write of the owner. The device's
 * virtqueues are shadows (vq_shadow.h), so its DMA stays inside the owner's RAM. Its interrupt is
 * routed to the CPU of the owner's vCPU 0, claimed and completed there by the hv, and raised in
 * vCPU 0 as the virtual interrupt VIRQ_DEVICE0 + k (its k-th device); the owner completes it
 * with the device's own InterruptACK register, which the hv emulates: once nothing is left in the
 * emulated InterruptStatus, the interrupt is withdrawn.
 *
 * Lock: a device's own, taken with no other lock held (the console's is taken under it for an
 * error line); a waiter spins briefly, then sleeps to its next timer tick (passthru.c says why).
 */
#ifndef GOHV_PASSTHRU_H
#define GOHV_PASSTHRU_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "mmio.h"
#include "platform.h"
#include "spinlock.h"
#include "vq_shadow.h"

/* Queues of a passed-through device: enough for virtio-net's receive, transmit and control. */
#define PASSTHRU_MAX_QUEUES 3

struct partition;
struct cpu;

struct passthru {
	const struct device_config *cfg;
	struct partition *owner;
	const struct platform_slot *slot;
	volatile uint8_t *regs; /* the real device's registers */
	unsigned virq;		/* in the owner's vCPU 0 */
	uint32_t vendor;
	uint64_t offered; /* the device's features the owner may take */
	unsigned nqueues;
	uint32_t qmax[PASSTHRU_MAX_QUEUES]; /* the owner's limit: the device's, at most VQS_MAX */
	uint64_t ring_pa[PASSTHRU_MAX_QUEUES];
	spinlock_t lock;
	struct mmio_region region;
	/* The owner's view, cleared at every reset. */
	uint32_t dev_feat_sel, drv_feat_sel, queue_sel, int_status;
	uint64_t drv_features;
	bool broken; /* a queue was refused: nothing is posted until the owner resets the device */
	struct vq_shadow q[PASSTHRU_MAX_QUEUES];
};

/* The owner's register page (passthru.c). */
extern const struct mmio_ops passthru_ops;

/* One register of the real device. */
static inline uint32_t r32(const struct passthru *d, unsigned off)
{
	return *(volatile uint32_t *)(d->regs + off);
}

static inline void w32(const struct passthru *d, unsigned off, uint32_t v)
{
	*(volatile uint32_t *)(d->regs + off) = v;
}

/* At p's creation, before its RAM: finds a device for each entry of /devices p owns and makes
 * its register page p's. 0, or -1 with the reason in why (a device the machine lacks, or has in
 * another version): p is refused (the rule of boards/README.md). */
int passthru_attach(struct partition *p, char *why, size_t len);
/* On cpu once it runs the hv: routes the interrupts of the devices whose owner's vCPU 0 is homed
 * there. */
void passthru_cpu_up(struct cpu *cpu);
/* After p's last vCPU parked, before its RAM is scrubbed: its devices reset, so none writes
 * there any more. */
void passthru_stopped(struct partition *p);
#ifdef GOHV_BENCH
/* Bench build only: prints the shadow queue's post samples (at power-off). */
void bench_post_report(void);
#endif
/* Writes p's devices under /goos (virtio@<address>: compatible, reg, device). */
int passthru_fdt(const struct partition *p, void *fdt);

#endif

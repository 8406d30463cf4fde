/* A virtio-mmio version 2 device passed through to the partition (docs/passthrough.md), driven
 * synchronously: one queue, one chain in flight, gort waits for its used entry before it goes on.
 * Self-contained (no other gort driver depends on it), so another driver can share it later. */
#ifndef GORT_VMMIO_H
#define GORT_VMMIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vring.h"

#define VMMIO_QSIZE 32 /* entries of the queue: at most the hv's 64 */
#define VMMIO_MAX   8  /* devices gort drives this way */

struct vmmio {
	const char *name; /* its node name in the board's /devices (the device tree's) */
	volatile uint8_t *regs;
	struct virtq_desc *desc; /* the queue: one page of gort's, descriptors, avail, used */
	struct virtq_avail *avail;
	struct virtq_used *used;
	uint16_t used_seen;
	bool broken; /* the hv refused a chain (DEVICE_NEEDS_RESET): every call fails */
};

/* Calls fn for each passed-through virtio-mmio device of the device tree whose DeviceID is id,
 * with its register page mapped for gort. Before fs_init. */
void vmmio_each(const void *fdt, uint32_t id, void (*fn)(volatile uint8_t *regs, const char *name));
/* Resets the device at regs and starts it with VIRTIO_F_VERSION_1 plus features (bits 0-23)
 * and queue 0: 0, or -errno with one line printed naming it. */
int vmmio_start(struct vmmio *d, volatile uint8_t *regs, const char *name, uint32_t features);
/* One configuration-space byte (offset from 0x100). */
uint8_t vmmio_config8(const struct vmmio *d, unsigned off);
/* Posts the chain desc[0..n) (the caller filled addr, len and the WRITE flag; NEXT is set
 * here) and waits for the device to use it: the bytes it wrote, or -EIO. With gort's lock held:
 * the other vCPUs wait meanwhile, as they would for any call of gort's. */
long vmmio_call(struct vmmio *d, unsigned n);
/* Acknowledges what the devices raised (the external interrupt, the idle call's GOOS_EV_IRQ):
 * the calls themselves look at their used rings. */
void vmmio_interrupts(void);

#endif

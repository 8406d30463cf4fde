/*
 * Emulated MMIO: guest-physical regions of a partition that no RAM backs, served by a device model
 * in the core. An access there is a stage-2 fault; the port decodes it (address, width, direction,
 * the value of a store) into a struct mmio_access, the model completes it here, and the port puts
 * a load's value in the guest's register and resumes the guest past the instruction.
 *
 * Regions are registered while the partition is created (at boot, on one CPU) and never removed,
 * so lookups on any CPU take no lock. A model owns its region's storage (a partition has few:
 * nothing here limits how many, and a lookup walks them in address order).
 */
#ifndef GOHV_MMIO_H
#define GOHV_MMIO_H

#include <stdbool.h>
#include <stdint.h>

#include "arch.h"
#include "err.h"

struct vcpu;
struct partition;

/* One guest access, as the port decoded it. */
struct mmio_access {
	uint64_t gpa;
	unsigned width; /* bytes: 1, 2, 4 or 8 */
	bool write;
	uint64_t value; /* a store's value (its low width bytes); a load's, zero-extended, after */
	uint64_t pc;	/* the guest's pc at the access, for a fault report */
};

/* A device model's registers. off is from the region's base; v is the vCPU that accesses (a
 * per-vCPU register reads differently on each). An error refuses the access and the guest gets a
 * fault report: HV_ERR_INVALID_ADDR for a misaligned access, HV_ERR_INVALID_PARAM for a width or
 * register the model does not have, HV_ERR_DENIED for one it does not allow. */
struct mmio_ops {
	const char *name; /* in fault reports: "info page" */
	enum hv_err (*read)(void *ctx, struct vcpu *v, uint64_t off, unsigned width,
			    uint64_t *value);
	/* NULL: the region is read-only. */
	enum hv_err (*write)(void *ctx, struct vcpu *v, uint64_t off, unsigned width,
			     uint64_t value);
};

struct mmio_region {
	uint64_t base, size;
	const struct mmio_ops *ops;
	void *ctx;
	struct mmio_region *next; /* the partition's list, in address order */
};

/* Adds r (which the caller keeps alive as long as p) to p's regions. Refuses (HV_ERR_INVALID_ADDR)
 * an empty or wrapping range, one the stage-2 format cannot reach, and one that overlaps p's RAM
 * or another region. */
enum hv_err mmio_register(struct partition *p, struct mmio_region *r);
/* The region of p holding gpa, or NULL: the port reports a fault there as for any address
 * outside the partition. */
const struct mmio_region *mmio_find(const struct partition *p, uint64_t gpa);
/* The same for the partition v belongs to: what a port asks on a fault. */
const struct mmio_region *vcpu_mmio_find(const struct vcpu *v, uint64_t gpa);
/* Serves a in the region holding a->gpa on v's behalf. EXIT_RESUME: done (a load's value is in
 * a->value); the port completes the instruction. Otherwise the access was refused and reported
 * (one fault line: partition, vCPU, what, pc, address) and v's partition is stopping. */
enum vcpu_exit mmio_dispatch(struct vcpu *v, struct mmio_access *a);

#endif

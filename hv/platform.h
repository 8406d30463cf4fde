/*
 * What the machine's device tree (handed over by the firmware) says about the hardware, in terms
 * that fit any CPU: the port reads its own /cpus format (arch_platform_cpus), devices/ says which
 * of the other nodes the hv has a driver for.
 */
#ifndef GOHV_PLATFORM_H
#define GOHV_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "config.h"
#include "devices/devices.h"

#define PLATFORM_MAX_RESERVED 8
#define PLATFORM_SEED_MAX     64

struct mem_range {
	uint64_t base, size;
};

/* A device the machine has that the hv can hand to a partition (devices_passthru_match): its
 * registers and its interrupt source at the interrupt controller. */
#define PLATFORM_MAX_SLOTS 8
struct platform_slot {
	uint64_t base, size;
	unsigned irq;
};

struct platform {
	/* The machine's tree: read by platform_parse, then dropped by memory_init, which gives its
	 * pages to partitions (nothing may keep a pointer into it). */
	const void *fdt;
	size_t fdt_size;
	struct mem_range ram; /* the first memory node's first range */
	struct mem_range reserved[PLATFORM_MAX_RESERVED];
	unsigned nreserved;
	uint64_t timebase_hz; /* of arch_time_now() */
	unsigned ncpus;
	struct platform_cpu cpus[CONFIG_MAX_CPUS];
	/* The one stdout-path names if the hv has a driver for it, else the first it has one for;
	 * without any, the hv prints through the port's firmware console. */
	struct console_dev console;
	struct intc_dev intc;	   /* the first the hv has a driver for, if any */
	struct rtc_dev rtc;	   /* likewise */
	struct arch_platform arch; /* what the port took from the pass (arch_platform_node) */
	struct platform_slot slots[PLATFORM_MAX_SLOTS]; /* in the tree's order */
	unsigned nslots;
	uint8_t rng_seed[PLATFORM_SEED_MAX];
	size_t rng_seed_len;
	char model[64];
};

/* Reads everything above; touches no device. Returns 0 or -1 with a line in err. */
int platform_parse(const void *fdt, struct platform *plat, char *err, size_t errlen);
/* The CPU with that hardware id, or NULL if the machine has none. */
const struct platform_cpu *platform_cpu(const struct platform *plat, unsigned long hwid);
/* True if the CPU is listed and can run guests. */
bool platform_has_cpu(const struct platform *plat, unsigned long hwid);

#endif

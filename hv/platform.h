/* What the machine's device tree (handed over by the firmware) says about the hardware. The port
 * reads its own /cpus format (arch_platform_cpus). */
#ifndef GOHV_PLATFORM_H
#define GOHV_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "config.h"

#define PLATFORM_MAX_RESERVED 8
#define PLATFORM_SEED_MAX     64

struct mem_range {
	uint64_t base, size;
};

struct platform {
	const void *fdt;
	size_t fdt_size;
	struct mem_range ram; /* the first memory node's first range */
	struct mem_range reserved[PLATFORM_MAX_RESERVED];
	unsigned nreserved;
	uint64_t timebase_hz; /* of arch_time_now() */
	unsigned ncpus;
	struct platform_cpu cpus[CONFIG_MAX_HARTS];
	uint64_t uart_base;
	uint32_t uart_clock;
	int uart_reg_shift;
	uint64_t plic_base;
	uint64_t plic_size;
	unsigned plic_ncontexts; /* entries of its interrupts-extended */
	uint64_t rtc_base;	 /* Goldfish RTC, 0 if the machine has none */
	uint8_t rng_seed[PLATFORM_SEED_MAX];
	size_t rng_seed_len;
	char model[64];
};

/* Reads everything above with libfdt; returns 0 or -1 with a line in err. */
int platform_parse(const void *fdt, struct platform *plat, char *err, size_t errlen);
/* The CPU with that hardware id, or NULL if the machine has none. */
const struct platform_cpu *platform_cpu(const struct platform *plat, unsigned long hwid);
/* True if the CPU is listed and can run guests. */
bool platform_has_cpu(const struct platform *plat, unsigned long hwid);

#endif

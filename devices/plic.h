/* The RISC-V PLIC. The hv takes no external interrupts itself yet; at boot it masks every source
 * for every context so nothing stray reaches a hart, and device passthrough will route sources to
 * the contexts of the harts that own them. */
#ifndef GOHV_PLIC_H
#define GOHV_PLIC_H

#include <stdint.h>

#include "intc_dev.h"

struct plic {
	uintptr_t base;
	uint64_t size;
	unsigned ncontexts; /* those the tree lists that fit in the register region */
};

#define PLIC_MAX_SOURCES 1024

extern const struct intc_dev_ops plic_ops;

void plic_set_priority(struct plic *p, unsigned source, uint32_t prio);
void plic_enable(struct plic *p, unsigned context, unsigned source, int on);
void plic_set_threshold(struct plic *p, unsigned context, uint32_t threshold);

#endif

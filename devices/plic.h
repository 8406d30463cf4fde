/* The RISC-V PLIC. At boot every source is masked for every context so nothing stray reaches a
 * hart; a passed-through device's source is enabled in the S-mode context of its owner's hart,
 * where the hv claims and completes it. */
#ifndef GOHV_PLIC_H
#define GOHV_PLIC_H

#include <stdint.h>

#include "intc_dev.h"

#define PLIC_MAX_SOURCES 1024
#define PLIC_MAX_HARTS	 16

struct plic {
	uintptr_t base;
	uint64_t size;
	unsigned ncontexts; /* those the tree lists that fit in the register region */
	/* The S-mode context of each hart the tree lists (hart hwid, context). */
	struct {
		unsigned long hwid;
		unsigned context;
	} s_context[PLIC_MAX_HARTS];
	unsigned nharts;
};

extern const struct intc_dev_ops plic_ops;

void plic_set_priority(struct plic *p, unsigned source, uint32_t prio);
void plic_enable(struct plic *p, unsigned context, unsigned source, int on);
void plic_set_threshold(struct plic *p, unsigned context, uint32_t threshold);

#endif

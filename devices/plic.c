#include "plic.h"

#define PRIORITY_BASE  0x0
#define ENABLE_BASE    0x2000
#define ENABLE_STRIDE  0x80
#define CONTEXT_BASE   0x200000
#define CONTEXT_STRIDE 0x1000

static volatile uint32_t *reg(struct plic *p, uint64_t off)
{
	return (volatile uint32_t *)(p->base + off);
}

void plic_set_priority(struct plic *p, unsigned source, uint32_t prio)
{
	if (source && source < PLIC_MAX_SOURCES)
		*reg(p, PRIORITY_BASE + 4 * source) = prio;
}

void plic_enable(struct plic *p, unsigned context, unsigned source, int on)
{
	if (context >= p->ncontexts || source >= PLIC_MAX_SOURCES)
		return;
	volatile uint32_t *w = reg(p, ENABLE_BASE + context * ENABLE_STRIDE + (source / 32) * 4);
	if (on)
		*w |= 1u << (source % 32);
	else
		*w &= ~(1u << (source % 32));
}

void plic_set_threshold(struct plic *p, unsigned context, uint32_t threshold)
{
	if (context < p->ncontexts)
		*reg(p, CONTEXT_BASE + context * CONTEXT_STRIDE) = threshold;
}

static int plic_probe(void *dev, const struct dt_node *n)
{
	struct plic *p = dev;
	uint64_t base, size, fit;
	int len;

	if (dt_reg(n, 0, &base, &size))
		return -1;
	/* One context per (phandle, interrupt) pair of interrupts-extended; the region may be sized
	 * for many more. */
	if (!fdt_getprop(n->fdt, n->offset, "interrupts-extended", &len) || len < 0)
		len = 0;
	fit = size > CONTEXT_BASE ? (size - CONTEXT_BASE) / CONTEXT_STRIDE : 0;
	p->base = base;
	p->size = size;
	p->ncontexts = (uint64_t)len / 8 < fit ? (unsigned)len / 8 : (unsigned)fit;
	return 0;
}

static void plic_init(void *dev)
{
	struct plic *p = dev;

	for (unsigned s = 1; s < PLIC_MAX_SOURCES; s++)
		plic_set_priority(p, s, 0);
	for (unsigned c = 0; c < p->ncontexts; c++) {
		for (unsigned w = 0; w < PLIC_MAX_SOURCES / 32; w++)
			*reg(p, ENABLE_BASE + c * ENABLE_STRIDE + w * 4) = 0;
		plic_set_threshold(p, c, 0);
	}
}

static const char *const compatible[] = {"riscv,plic0", "sifive,plic-1.0.0", NULL};

const struct intc_dev_ops plic_ops = {
    .compatible = compatible,
    .probe = plic_probe,
    .init = plic_init,
};

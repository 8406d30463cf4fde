#include "plic.h"

#define PRIORITY_BASE  0x0
#define ENABLE_BASE    0x2000
#define ENABLE_STRIDE  0x80
#define CONTEXT_BASE   0x200000
#define CONTEXT_STRIDE 0x1000
#define CONTEXT_CLAIM  4 /* claim (read) and complete (write), after the threshold */
#define IRQ_S_EXT      9 /* the hart-local interrupt a context raises for S-mode */

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

/* Context i is the i-th pair of interrupts-extended: (the phandle of a hart's interrupt
 * controller, the interrupt it raises there). The S-mode ones are the hv's. Each hart's
 * controller is the first child of its /cpus node (libfdt finds a node's parent only by
 * rescanning, so the walk goes from the harts down). */
static void find_s_contexts(struct plic *p, const struct dt_node *n)
{
	const fdt32_t *ie = dt_getprop(n->fdt, n->offset, "interrupts-extended", NULL);
	int cpus = dt_path(n->fdt, "/cpus"), cpu, len;

	p->nharts = 0;
	dt_for_each_child(cpu, n->fdt, cpus)
	{
		const fdt32_t *reg = dt_getprop(n->fdt, cpu, "reg", &len);
		const fdt32_t *ph =
		    dt_getprop(n->fdt, dt_first_child(n->fdt, cpu), "phandle", NULL);

		for (unsigned c = 0; ie && reg && len >= 4 && ph && c < p->ncontexts; c++)
			if (ie[2 * c] == *ph && fdt32_to_cpu(ie[2 * c + 1]) == IRQ_S_EXT &&
			    p->nharts < PLIC_MAX_HARTS) {
				p->s_context[p->nharts].hwid = dt_cells(reg, len >= 8 ? 2 : 1);
				p->s_context[p->nharts++].context = c;
			}
	}
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
	if (!dt_getprop(n->fdt, n->offset, "interrupts-extended", &len) || len < 0)
		len = 0;
	fit = size > CONTEXT_BASE ? (size - CONTEXT_BASE) / CONTEXT_STRIDE : 0;
	p->base = base;
	p->size = size;
	p->ncontexts = (uint64_t)len / 8 < fit ? (unsigned)len / 8 : (unsigned)fit;
	find_s_contexts(p, n);
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

/* The S-mode context of hart hwid, or -1. */
static int s_context(const struct plic *p, unsigned long hwid)
{
	for (unsigned i = 0; i < p->nharts; i++)
		if (p->s_context[i].hwid == hwid)
			return (int)p->s_context[i].context;
	return -1;
}

static int plic_route(void *dev, unsigned long hwid, unsigned source, bool on)
{
	struct plic *p = dev;
	int c = s_context(p, hwid);

	if (c < 0 || !source || source >= PLIC_MAX_SOURCES)
		return -1;
	plic_set_priority(p, source, on ? 1 : 0);
	plic_enable(p, (unsigned)c, source, on);
	plic_set_threshold(p, (unsigned)c, 0);
	return 0;
}

static unsigned plic_claim(void *dev, unsigned long hwid)
{
	struct plic *p = dev;
	int c = s_context(p, hwid);

	return c < 0 ? 0 : *reg(p, CONTEXT_BASE + (unsigned)c * CONTEXT_STRIDE + CONTEXT_CLAIM);
}

static void plic_complete(void *dev, unsigned long hwid, unsigned source)
{
	struct plic *p = dev;
	int c = s_context(p, hwid);

	if (c >= 0)
		*reg(p, CONTEXT_BASE + (unsigned)c * CONTEXT_STRIDE + CONTEXT_CLAIM) = source;
}

static const char *const compatible[] = {"riscv,plic0", "sifive,plic-1.0.0", NULL};

const struct intc_dev_ops plic_ops = {
    .compatible = compatible,
    .probe = plic_probe,
    .init = plic_init,
    .route = plic_route,
    .claim = plic_claim,
    .complete = plic_complete,
};

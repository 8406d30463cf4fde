/* The running hart's struct cpu lives in tp for as long as the hv runs (and in sscratch while a
 * guest does), so finding it costs nothing and needs no global. */
#ifndef GOHV_ARCH_THIS_CPU_H
#define GOHV_ARCH_THIS_CPU_H

struct cpu;

static inline struct cpu *this_cpu(void)
{
	struct cpu *c;
	__asm__("mv %0, tp" : "=r"(c));
	return c;
}

static inline void arch_set_this_cpu(struct cpu *c)
{
	__asm__ __volatile__("mv tp, %0" ::"r"(c) : "memory");
}

#endif

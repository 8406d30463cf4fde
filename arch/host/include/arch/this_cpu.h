#ifndef GOHV_ARCH_THIS_CPU_H
#define GOHV_ARCH_THIS_CPU_H
struct cpu;
/* Per thread: a unit test may play several CPUs at once with threads. */
extern __thread struct cpu *host_this_cpu;
static inline struct cpu *this_cpu(void)
{
	return host_this_cpu;
}
static inline void arch_set_this_cpu(struct cpu *c)
{
	host_this_cpu = c;
}
#endif

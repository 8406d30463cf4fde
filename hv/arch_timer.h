/* The arch contract, time: the clock every partition reads, the hv's own timer on each CPU, and
 * the guest's timer. */
#ifndef GOHV_ARCH_TIMER_H
#define GOHV_ARCH_TIMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vcpu;

/* The hv's own timer on this CPU: fires a wake-up at deadline (~0 disarms). */
void arch_hv_timer_set(uint64_t deadline);
uint64_t arch_time_now(void);
#ifdef GOHV_BENCH
/* Bench build only: the retired-instruction counter (under QEMU -icount, the virtual clock). */
uint64_t arch_bench_instret(void);
#endif

/* Arms the guest's timer interrupt at deadline (~0 disarms); without a hardware guest timer the
 * port emulates it. */
void arch_vcpu_set_timer(struct vcpu *v, uint64_t deadline);
/* When the guest's own timer interrupt becomes pending, if the guest enabled it; ~0 otherwise. */
uint64_t arch_vcpu_timer_deadline(struct vcpu *v);

#endif

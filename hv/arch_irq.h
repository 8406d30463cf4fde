/* The arch contract, interrupts: kicking another CPU (so it looks at its vCPUs' requests) and
 * delivering the core's virtual interrupts (virq.h) into the loaded guest. */
#ifndef GOHV_ARCH_IRQ_H
#define GOHV_ARCH_IRQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "virq.h"

struct cpu;
struct vcpu;

/* Interrupts another CPU so it looks at its requests. */
void arch_kick(const struct cpu *target);
/* Acknowledges this CPU's kick. */
void arch_kick_clear(void);

/* Raises the virtual interrupts in virqs (enum virq bits) in the loaded guest. */
void arch_vcpu_deliver(struct vcpu *v, uint32_t virqs);
/* Lowers external interrupts the loaded guest had delivered (virqs) whose sources went quiet;
 * held are the external sources still raised, which keep a line the port shares among several
 * (RISC-V's one external interrupt) up. */
void arch_vcpu_withdraw(struct vcpu *v, uint32_t virqs, uint32_t held);
/* Does the guest have an interrupt pending that it has enabled? (ends a wait) */
bool arch_vcpu_irq_pending(struct vcpu *v);

#endif

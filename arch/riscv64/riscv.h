/* Functions shared between files of the RISC-V port, not part of the arch contract. */
#ifndef GOHV_RISCV_H
#define GOHV_RISCV_H

#include <stdbool.h>
#include <stdint.h>

struct cpu;
struct vcpu;

void riscv_guest_enter(void);
void riscv_timer_program(struct cpu *c);
/* Serves an ecall from VS-mode (SBI and goos); false if the vCPU must not resume. */
bool riscv_vsbi_handle(struct vcpu *v);

#endif

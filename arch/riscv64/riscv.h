/* Functions shared between files of the RISC-V port, not part of the arch contract. */
#ifndef GOHV_RISCV_H
#define GOHV_RISCV_H

#include <stdbool.h>
#include <stdint.h>

struct cpu;
struct vcpu;

#include "hv/arch.h"

struct arch_fp;

long riscv_guest_enter(void);
long riscv_exit(void);
void riscv_timer_program(struct cpu *c);
/* Serves an ecall from VS-mode (SBI and goos). */
enum vcpu_exit riscv_vsbi_handle(struct vcpu *v);
/* The guest-physical address of the guest-page fault in r (htval holds it shifted right by 2). */
static inline uint64_t riscv_fault_gpa(const struct arch_regs *r)
{
	return (r->htval << 2) | (r->stval & 3);
}
struct mmio_region;
/* Serves a load or store guest-page fault inside region (mmio.c). */
enum vcpu_exit riscv_mmio_emulate(struct vcpu *v, const struct mmio_region *region);
/* fp.S: the FP registers to and from memory. */
void riscv_fp_save(struct arch_fp *fp);
void riscv_fp_load(const struct arch_fp *fp);

#endif

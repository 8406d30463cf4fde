/* The host "arch": just enough state for the core to compile and be unit-tested on the build
 * machine. Nothing here runs guests. */
#ifndef GOHV_ARCH_TYPES_H
#define GOHV_ARCH_TYPES_H
#include <stdbool.h>
#include <stdint.h>

/* RISC-V's register frame: the unit tests also build the RISC-V port's CSR-free files (SBI
 * adapters, the MMIO decoder) against this port. */
struct arch_regs {
	unsigned long x[32];
	unsigned long sepc;
	unsigned long scause, stval, htval, htinst;
};
enum {
	REG_RA = 1,
	REG_SP = 2,
	REG_TP = 4,
	REG_A0 = 10,
	REG_A1,
	REG_A2,
	REG_A3,
	REG_A4,
	REG_A5,
	REG_A6,
	REG_A7
};
struct arch_vcpu {
	struct arch_regs regs;
	uint64_t timer_deadline;
	uint32_t virqs; /* delivered: the guest has them pending */
	unsigned flushes;
};
struct arch_features {
	bool sstc;
	unsigned vmid_bits;
};
struct vcpu;
struct arch_cpu {
	struct arch_features features;
	uint64_t hv_timer;
	struct vcpu *loaded;
};
#define ARCH_ELF_MACHINE 243
#define ARCH_NAME	 "host"
#endif

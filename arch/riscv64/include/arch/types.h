/* RISC-V's half of the per-CPU and per-vCPU state. trap.S, fp.S and boot.S reach into struct
 * arch_cpu (in the core's struct cpu), struct arch_regs, struct arch_fp and struct hv_trap_frame
 * through offsets generated from these definitions (arch/riscv64/asm-offsets.c). */
#ifndef GOHV_ARCH_TYPES_H
#define GOHV_ARCH_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#include GOHV_MACHINE_H

struct arch_regs {
	unsigned long x[32]; /* x[0] unused */
	unsigned long sepc;
	unsigned long sstatus;
	unsigned long hstatus;
	/* Written on every trap from the guest; read by the exit handlers. */
	unsigned long scause;
	unsigned long stval;
	unsigned long htval;
	unsigned long htinst;
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

/* The guest's supervisor CSRs, held here while another vCPU has the CPU. */
struct arch_vs_csrs {
	unsigned long vsstatus, hie, vstvec, vsscratch, vsepc, vscause, vstval, vsatp, hvip;
	unsigned long vstimecmp;
	/* Not virtualized by the H extension: a guest at V=1 reads and writes the hart's own. */
	unsigned long scounteren, senvcfg;
};

struct arch_fp {
	uint64_t f[32];
	uint64_t fcsr;
};

struct arch_vcpu {
	struct arch_regs regs;
	uint64_t timer_deadline; /* set-timer fallback without Sstc; ~0 when disarmed */
	unsigned long hgatp;	 /* its partition's table and VMID, as the CSR takes them */
	bool trap_wfi;		 /* its CPU is shared: a guest WFI must give the CPU away */
	struct arch_vs_csrs vs;	 /* valid while it is not loaded */
	struct arch_fp fp;	 /* valid while it does not own the FP registers */
};

/* What a hart found when it probed its ISA. */
struct arch_features {
	bool sstc;
	bool svpbmt;
	bool zkr;
	bool sv48x4;
	unsigned vmid_bits;
};

struct vcpu;

struct arch_cpu {
	/* trap.S's: each is one ld/sd off tp, so they must stay within 2 KiB of struct cpu. */
	struct arch_regs *regs; /* of the vCPU loaded here */
	unsigned long scratch;	/* one word of spill space for the trap entry */
	unsigned long hv_sp;	/* the hv's stack pointer while a guest runs */

	struct arch_features features;
	uint64_t hv_timer; /* the hv's own pending deadline on this hart */
	uint64_t
	    timer_armed;     /* without Sstc: the deadline SBI holds (~0: none, interrupt masked) */
	struct vcpu *loaded; /* whose guest CSRs are in the hart */
	struct vcpu *fp_owner;	 /* whose FP registers are in the hart */
	volatile uint32_t *sswi; /* its ACLINT SSWI register, or NULL (arch_kick) */
	/* An HS trap now with one of these scause bits is an expected probe fault, not a bug. */
	volatile unsigned long probing;
	volatile int probe_faulted;
};

/* The trap frame trap.S builds for an HS-mode trap (hv bug or an expected probe fault). */
struct hv_trap_frame {
	unsigned long x[32];
	unsigned long sepc;
	unsigned long scause;
	unsigned long stval;
};

#define ARCH_ELF_MACHINE MACHINE_ELF
#define ARCH_NAME	 "riscv64"

#endif

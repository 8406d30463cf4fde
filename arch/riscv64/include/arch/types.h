/* RISC-V's half of the per-CPU and per-vCPU state. struct arch_cpu (first in the core's struct
 * cpu) and struct arch_regs are read by trap.S, so their offsets live here as numbers that the C
 * side checks with static asserts. */
#ifndef GOHV_ARCH_TYPES_H
#define GOHV_ARCH_TYPES_H

/* struct cpu (its struct arch_cpu): offsets trap.S uses. */
#define CPU_REGS    0  /* struct arch_regs * of the vCPU this hart runs */
#define CPU_SCRATCH 8  /* one word of spill space for the trap entry */
#define CPU_HV_SP   16 /* hv stack pointer saved while a guest runs */

/* struct arch_regs: x0..x31 then the trap CSRs. */
#define REG_X(n)    ((n)*8)
#define REG_SEPC    (32 * 8)
#define REG_SSTATUS (33 * 8)
#define REG_HSTATUS (34 * 8)
#define REG_SCAUSE  (35 * 8)
#define REG_STVAL   (36 * 8)
#define REG_HTVAL   (37 * 8)
#define REG_HTINST  (38 * 8)
#define REGS_SIZE   (39 * 8)

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stdint.h>

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

_Static_assert(__builtin_offsetof(struct arch_regs, sepc) == REG_SEPC, "trap.S layout");
_Static_assert(__builtin_offsetof(struct arch_regs, htinst) == REG_HTINST, "trap.S layout");
_Static_assert(sizeof(struct arch_regs) == REGS_SIZE, "trap.S layout");

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
	/* Read by trap.S; keep first and in this order (CPU_REGS, CPU_SCRATCH, CPU_HV_SP). */
	struct arch_regs *regs; /* of the vCPU loaded here */
	unsigned long scratch;
	unsigned long hv_sp;

	struct arch_features features;
	uint64_t hv_timer;     /* the hv's own pending deadline on this hart */
	struct vcpu *loaded;   /* whose guest CSRs are in the hart */
	struct vcpu *fp_owner; /* whose FP registers are in the hart */
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

#define ARCH_ELF_MACHINE 243
#define ARCH_NAME	 "riscv64" /* EM_RISCV */
#endif

#endif

/*
 * A machine device tree built in memory with libfdt's sequential-write API, shaped like the one
 * QEMU virt (riscv64) hands over: firmware-reserved RAM, four harts of which cpu@2 is disabled,
 * the UART behind stdout-path, a Goldfish RTC and a PLIC with four contexts. Options break or vary
 * one thing at a time. Shared by the core's platform tests and the RISC-V port's.
 */
#ifndef GOHV_TEST_MACHINE_FDT_H
#define GOHV_TEST_MACHINE_FDT_H

#include <stdbool.h>
#include <stddef.h>

#define MACHINE_FDT_SIZE 16384

#define RAM_BASE   0x80000000UL
#define RAM_SIZE   0x20000000UL
#define RSV_BASE   0x80000000UL /* /reserved-memory/mmode_resv0 (OpenSBI) */
#define RSV_SIZE   0x40000UL
#define MRSV_BASE  0x9fe00000UL /* the /memreserve/ entry */
#define MRSV_SIZE  0x2000UL
#define UART_BASE  0x10000000UL
#define UART2_BASE 0x10002000UL /* the extra UART of .second_uart */
#define UART_CLOCK 3686400
#define PLIC_BASE  0xc000000UL
#define PLIC_SIZE  0x600000UL
#define TIMEBASE   10000000
#define RTC_BASE   0x101000UL
#define SSWI_BASE  0x2f00000UL

struct mopts {
	bool no_cpus, no_memory, no_timebase, no_chosen, no_stdout_path, no_rng_seed;
	bool no_h_hart;		 /* adds cpu@4 whose ISA lacks the H extension */
	bool all_disabled;	 /* every cpu node has status "disabled" */
	bool no_memreserve;	 /* no /memreserve/ entry */
	bool memory_size_zero;	 /* the memory node has reg (base, 0) */
	bool timebase_64;	 /* timebase-frequency as two cells */
	bool timebase_zero;	 /* timebase-frequency = <0> */
	unsigned ncpus;		 /* cpu nodes (default 4) */
	unsigned seed_len;	 /* rng-seed bytes (default 32) */
	const char *const *isas; /* cpu@i's riscv,isa is isas[i], for ncpus nodes all enabled */
	const char *stdout_path;
	int reg_shift;	   /* >= 0: add reg-shift to the UART */
	bool no_rtc;	   /* no Goldfish RTC node */
	bool rtc_disabled; /* the RTC node has status "disabled" */
	bool second_uart;  /* another ns16550a at UART2_BASE, before the stdout-path one */
	bool no_plic;	   /* no PLIC node (as with QEMU's aia=aplic-imsic) */
	bool sswi;	   /* an ACLINT SSWI (aclint=on) naming harts 0-3 in order */
	bool sswi_odd;	   /* ... whose interrupts-extended has a cell too few */
	bool sswi_small;   /* ... whose reg is too small for the harts it names */
};

/* Writes the tree into blob (MACHINE_FDT_SIZE bytes, 8-byte aligned); a failure is a test
 * failure. */
void machine_fdt_build(void *blob, const struct mopts *o);

#endif

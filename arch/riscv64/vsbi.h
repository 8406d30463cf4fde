/*
 * The SBI the hv serves to its guests, as thin adapters: one table of the extensions served
 * (vsbi.c), and one file per extension (vsbi_<ext>.c) that turns a call's registers into the
 * core's services and their enum hv_err into SBI's codes. Guest hart ids are vCPU indices.
 */
#ifndef GOHV_RISCV_VSBI_H
#define GOHV_RISCV_VSBI_H

#include <stdbool.h>

#include "hv/arch.h"
#include "sbi.h"

struct vcpu;

/* BASE get_spec_version's answer: 2.0, DBCN and SRST included. trap.S answers the call from it
 * too (asm-offsets.c). */
#define VSBI_SPEC_VERSION 0x02000000UL

/* Serves function fid of one extension with the guest's a0-a5 in a[]. *next is what the vCPU
 * does afterwards: left as EXIT_RESUME unless the call stops, blocks or exits it. */
typedef struct sbiret vsbi_handler(struct vcpu *v, unsigned long fid, const unsigned long *a,
				   enum vcpu_exit *next);

struct vsbi_ext {
	unsigned long eid;
	bool legacy; /* an SBI v0.1 call: it answers in a0 alone, a1 stays the guest's */
	vsbi_handler *handle;
};

/* The extension served as eid, or NULL. */
const struct vsbi_ext *vsbi_find(unsigned long eid);

/* SBI's number for a core error. */
long sbi_err(enum hv_err e);

/* Calls fn(v, target) for each vCPU of v's partition that (hart_mask, hart_mask_base) names, or
 * for none if any of them does not exist. */
enum hv_err vsbi_each_hart(struct vcpu *v, unsigned long mask, unsigned long base,
			   void (*fn)(struct vcpu *v, struct vcpu *target));

/* The adapters, one per extension (the legacy calls have one each: their eid is the function). */
vsbi_handler vsbi_goos, vsbi_base, vsbi_time, vsbi_ipi, vsbi_rfence, vsbi_hsm, vsbi_srst, vsbi_dbcn,
    vsbi_legacy_set_timer, vsbi_legacy_putchar, vsbi_legacy_shutdown;

#endif

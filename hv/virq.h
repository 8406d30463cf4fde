/* Virtual interrupt ids: what the core's virtual interrupt controller keeps pending per vCPU
 * (vcpu_inject) and a port delivers at the next guest entry (arch_vcpu_deliver: hvip on RISC-V,
 * list registers on GICv3, event injection on VMX). Ids below VIRQ_EXTERNAL are the CPU's own
 * sources; from there on, channel doorbells and passed-through devices, which a port raises as
 * the guest's external interrupt. */
#ifndef GOHV_VIRQ_H
#define GOHV_VIRQ_H

enum virq {
	VIRQ_SOFT = 0,		      /* an IPI from another vCPU of the partition */
	VIRQ_TIMER = 1,		      /* the guest's timer, where a port emulates it */
	VIRQ_EXTERNAL = 2,	      /* first external source */
	VIRQ_CHANNEL = VIRQ_EXTERNAL, /* a channel doorbell: its pending set is not empty */
	VIRQ_DEVICE0,		      /* a partition's first passed-through device (passthru.h) */
	VIRQ_MAX = 32,		      /* ids fit one word of pending bits */
};

#define VIRQ_BIT(id) (1u << (id))
/* External sources are levels the guest cannot lower itself: a source that goes quiet withdraws
 * its interrupt (vcpu_withdraw) and the port lowers the line once no source holds it. */
#define VIRQ_EXTERNAL_MASK (~0u << VIRQ_EXTERNAL)
/* What a vCPU has enabled when it starts: its CPU's own sources. External ones (a doorbell, a
 * device) stay masked until the model that owns them enables them for the guest. */
#define VIRQ_RESET_ENABLED (VIRQ_BIT(VIRQ_SOFT) | VIRQ_BIT(VIRQ_TIMER))

#endif

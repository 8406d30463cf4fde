/*
 * The arch contract: everything the core asks of a port (one folder per architecture under arch/:
 * RISC-V with the H extension today, AArch64 at EL2 and x86-64 with VT-x planned, and arch/host, a
 * fake for the unit tests; docs/design.md says how each port fills it in). Nothing above this
 * header knows which CPU it runs on. A port supplies <arch/types.h> (struct arch_cpu, arch_vcpu,
 * arch_features), <arch/this_cpu.h>, <arch/cpu_desc.h> (struct arch_cpu_desc) and <arch/mem.h>
 * (how the hv reaches a physical address), and implements the functions of the five contract
 * headers below, one per concern. The port may call back only what hv/port.h lists.
 */
#ifndef GOHV_ARCH_H
#define GOHV_ARCH_H

#include <arch/mem.h>
#include <arch/this_cpu.h>

#include "arch_cpu.h"
#include "arch_irq.h"
#include "arch_stage2.h"
#include "arch_timer.h"
#include "arch_vcpu.h"
#include "err.h"
#include "virq.h"

#endif

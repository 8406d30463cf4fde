/*
 * What a port may call in the core: its entry points, the per-CPU lookup, and the neutral guest
 * services its ABI adapters (SBI on RISC-V; PSCI and HVC on arm64, VMCALL on x86 later) are thin
 * layers over. Ports include this and the contract (hv/arch.h), never hv/hv.h: the rest of the
 * core's state is not theirs to touch.
 */
#ifndef GOHV_PORT_H
#define GOHV_PORT_H

#include <stdbool.h>
#include <stdint.h>

#include "arch.h"
#include "cpu.h"
#include "err.h"
#include "hypercall.h"
#include "mmio.h"
#include "vcpu.h"

/* ---- entry points: each CPU enters the core once, on its own stack */
/* The boot CPU, with the machine's device tree; this_cpu() is not yet set (the core finds the
 * CPU by its port id and calls arch_cpu_enter). */
__attribute__((noreturn)) void hv_main(unsigned long hwid, const void *fdt);
/* A secondary CPU the core started, with this_cpu() set to it. */
__attribute__((noreturn)) void hv_secondary_main(struct cpu *cpu);
/* The CPU the port calls hwid, once the boot CPU has read the machine; NULL for one it does not
 * manage. */
struct cpu *hv_cpu_of(unsigned long hwid);

/* The hv hit a bug of its own: says so and powers off. */
__attribute__((noreturn)) void hv_panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A device interrupt reached this CPU (c): the core claims, serves and completes them all. */
void hv_device_irq(struct cpu *c);

/* ---- guest services (besides those of vcpu.h and hypercall.h) */
/* A stage-2 fault of v at gpa (write: a store or an atomic): false if gpa is not in its RAM; true
 * with *e what to return otherwise (the RAM is mapped on first touch: the guest makes the access
 * again). */
bool guest_ram_fault(struct vcpu *v, uint64_t gpa, uint64_t pc, bool write, enum vcpu_exit *e);
/* Is [gpa, gpa+len) inside v's partition RAM? */
bool guest_range_ok(const struct vcpu *v, uint64_t gpa, uint64_t len);
/* How many vCPUs v's partition has (its ids are 0..n-1). */
unsigned vcpu_count(const struct vcpu *v);
/* One byte of v's console output. */
void vcpu_console_putc(struct vcpu *v, char c);
/* v's partition ends with code (failed marks a failure, as a fault does): its other vCPUs are
 * parked, its RAM scrubbed, then its restart policy applies; reboot restarts it whatever the
 * policy. Called on v's CPU by its handlers, which then return the result. */
enum vcpu_exit partition_exit(struct vcpu *v, int code, bool failed);
enum vcpu_exit partition_reboot(struct vcpu *v, int code, bool failed);

#endif

/*
 * The arch contract: everything the core asks of a port (one folder per architecture under arch/:
 * RISC-V with the H extension today, AArch64 at EL2 and x86-64 with VT-x planned, and arch/host, a
 * fake for the unit tests; docs/design.md says how each port fills it in). Nothing above this
 * header knows which CPU it runs on. A port supplies <arch/types.h> (struct arch_cpu, arch_vcpu,
 * arch_features), <arch/this_cpu.h> and <arch/cpu_desc.h> (struct arch_cpu_desc), and implements
 * these functions.
 */
#ifndef GOHV_ARCH_H
#define GOHV_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <arch/types.h>
#include <arch/this_cpu.h>
#include <arch/cpu_desc.h>

#include "err.h"
#include "virq.h"

struct cpu;
struct vcpu;
struct partition;
struct stage2;

/* ---- CPUs */
/* Per-CPU setup: trap vector, delegation to the guest, counters, feature probe. */
void arch_cpu_init(struct cpu *cpu);
/* Writes a short "feature list" for the boot banner. */
void arch_describe_features(const struct arch_features *f, char *buf, size_t len);
/* Starts a stopped secondary CPU in the hv (it calls hv_secondary_main). */
int arch_cpu_start(struct cpu *cpu);
/* Sleeps until an interrupt is pending; interrupts stay masked in the hv. */
void arch_wait_for_interrupt(void);
/* Interrupts another CPU so it looks at its requests. */
void arch_kick(const struct cpu *target);
/* Acknowledges this CPU's kick. */
void arch_kick_clear(void);
/* The hv's own timer on this CPU: fires a wake-up at deadline (~0 disarms). */
void arch_hv_timer_set(uint64_t deadline);
uint64_t arch_time_now(void);
#ifdef GOHV_BENCH
/* Bench build only: the retired-instruction counter (under QEMU -icount, the virtual clock). */
uint64_t arch_bench_instret(void);
#endif
/* Fresh entropy from the CPU (Zkr on RISC-V); returns bytes written, 0 if there is none. */
size_t arch_hw_entropy(void *buf, size_t len);
/* Writes a character where the firmware's console is: the hv's fallback before (or without) a
 * UART of its own. */
void arch_console_putc(char c);
/* Powers the machine off (all partitions are gone). */
__attribute__((noreturn)) void arch_system_off(bool failure);

/* ---- the machine's CPUs, in the device tree the firmware hands over (each port has its own
 * /cpus format) and in the one the hv writes for each partition */
struct platform_cpu {
	unsigned long hwid;	   /* the port's name for it, from its node's reg */
	bool can_run_guests;	   /* it has what the port needs to host a vCPU */
	struct arch_cpu_desc arch; /* what else the port keeps about it */
};

/* Lists the machine's enabled CPUs in out[] (at most max) and the frequency of arch_time_now() in
 * *timebase_hz. Returns how many (at least one), or -1 with one line in err. */
int arch_platform_cpus(const void *fdt, struct platform_cpu *out, unsigned max,
		       uint64_t *timebase_hz, char *err, size_t errlen);
/* Writes the guest's /cpus node with libfdt's sequential-write calls, inside the root node: vCPU i
 * gets reg = i and is described as cpus[i], the CPU it runs on (NULL if the machine did not list
 * it), minus what a guest cannot use. Returns 0 or a libfdt error. */
int arch_guest_fdt_cpus(void *fdt, const struct platform_cpu *const *cpus, unsigned n,
			uint64_t timebase_hz);

/* ---- vCPUs. The core decides what runs where and when; the port runs it. */

/* How a vCPU starts: the port maps these to its boot registers (RISC-V: a0 = vCPU id, a1 = dt or
 * arg; arm64: x0 = dt or arg; x86: its own convention). The first vCPU of a partition gets dt
 * (arg 0), a vCPU started by a sibling gets that sibling's arg (dt 0). */
struct vcpu_boot {
	uint64_t entry;
	uint64_t stack; /* 0: the guest sets its own */
	uint64_t dt;	/* guest-physical address of its device tree, or 0 */
	uint64_t arg;
};

/* What a guest exit asks of the core's run loop. Only the run loop acts on it: it switches,
 * blocks, stops and restarts; handlers never wait. */
enum vcpu_exit {
	EXIT_RESUME,  /* served: enter the guest again */
	EXIT_YIELD,   /* the core must look (a request, the hv's timer, a kick) */
	EXIT_BLOCK,   /* the vCPU waits (vcpu_wait said for what) */
	EXIT_STOPPED, /* it stopped itself or its partition is stopping */
	EXIT_FAULTED, /* reported; its partition is stopping */
};

/* Once per vCPU at partition creation, on any CPU: the stage-2 table it runs under and whether
 * its CPU is shared (the port then traps the guest's wait-for-interrupt instead of letting it
 * stall the CPU). */
void arch_vcpu_init(struct vcpu *v, const struct stage2 *s2, bool shared_cpu);
/* The VMID (or VPID, ASID tag) partition number index gets; 0 where there are none to give, and
 * the port then flushes on every switch between partitions. */
unsigned arch_vmid(unsigned index);
/* Sets the vCPU's state for a fresh start from b, as a real CPU comes out of reset: registers,
 * FP state, guest CSRs and timer all cleared, so nothing of an earlier run is seen. */
void arch_vcpu_reset(struct vcpu *v, const struct vcpu_boot *b);
/* Makes v the vCPU whose state is in this CPU's registers, saving the one that was (a full
 * context switch: registers, FP state lazily, guest CSRs, timer, translation tag). Nothing to do
 * when v already is. */
void arch_vcpu_load(struct vcpu *v);
/* Runs the loaded guest until the core must act. Guest traps the port can serve itself, and the
 * core's handlers that return EXIT_RESUME, loop inside without leaving. */
enum vcpu_exit arch_vcpu_run(struct vcpu *v);
/* A stopped vCPU: its timer disarmed and nothing pending, so it wakes nobody. */
void arch_vcpu_park(struct vcpu *v);
/* Does the guest have an interrupt pending that it has enabled? (ends a wait) */
bool arch_vcpu_irq_pending(struct vcpu *v);
/* When the guest's own timer interrupt becomes pending, if the guest enabled it; ~0 otherwise. */
uint64_t arch_vcpu_timer_deadline(struct vcpu *v);
/* Raises the virtual interrupts in virqs (enum virq bits) in the loaded guest. */
void arch_vcpu_deliver(struct vcpu *v, uint32_t virqs);
/* The value a blocking call returns, written when its wait ends. */
void arch_vcpu_set_result(struct vcpu *v, unsigned long value);
/* Arms the guest's timer interrupt at deadline (~0 disarms); without a hardware guest timer the
 * port emulates it. */
void arch_vcpu_set_timer(struct vcpu *v, uint64_t deadline);
/* Flushes guest TLB state on this CPU (a remote fence request). */
void arch_vcpu_flush_tlb(struct vcpu *v);

/* ---- stage-2 translation: one table per partition, built by the core with these. */
#define S2_READ	 1u
#define S2_WRITE 2u
#define S2_EXEC	 4u
#define S2_RWX	 (S2_READ | S2_WRITE | S2_EXEC)

/* Returns zeroed, aligned memory for a table, or NULL. The hv reaches tables by physical address
 * (it runs untranslated); host tests by pointer. */
typedef void *(*stage2_alloc_fn)(void *ctx, size_t size, size_t align);

struct stage2 {
	uint64_t *root;
	unsigned vmid;
	stage2_alloc_fn alloc;
	void *ctx;
	size_t tables; /* table pages in use, root included */
};

int stage2_init(struct stage2 *s2, unsigned vmid, stage2_alloc_fn alloc, void *ctx);
/* Maps [gpa, gpa+size) to [hpa, ...) with perm; 4 KiB granular, megapages where aligned. Refuses
 * (-1) misaligned or out-of-range addresses and overlapping an existing mapping. */
int stage2_map(struct stage2 *s2, uint64_t gpa, uint64_t hpa, uint64_t size, unsigned perm);
/* Walks the table as the hardware would: 0 with the address and permissions when mapped. */
int stage2_translate(const struct stage2 *s2, uint64_t gpa, uint64_t *hpa, unsigned *perm);
/* Largest guest-physical address + 1 the table format reaches. */
uint64_t stage2_limit(void);

#endif

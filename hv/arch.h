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

struct cpu;
struct vcpu;
struct partition;

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

/* ---- vCPUs (all called on the CPU the vCPU is pinned to) */
/* Sets the vCPU's registers for a fresh start: pc = entry, a0, a1 and sp as given. */
void arch_vcpu_reset(struct vcpu *v, uint64_t entry, uint64_t a0, uint64_t a1, uint64_t sp);
/* Points this CPU's guest-physical translation at the partition's stage-2 table. */
void arch_vcpu_load(struct vcpu *v);
/* Runs the guest until the core must act (a request arrived, the vCPU stopped or faulted). Guest
 * traps the port can serve itself (SBI calls, timer interrupts) are handled inside. */
void arch_vcpu_run(struct vcpu *v);
/* Does the guest have an interrupt pending that it has enabled? (ends an idle call) */
bool arch_vcpu_irq_pending(struct vcpu *v);
/* Makes a software interrupt pending in the guest (an IPI from another vCPU). */
void arch_vcpu_inject_ipi(struct vcpu *v);
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

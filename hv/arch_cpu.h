/* The arch contract, CPUs: bringing a physical CPU up in the hv, what the machine's CPUs are, and
 * the few machine services the core needs from the port (entropy, firmware console, power off). */
#ifndef GOHV_ARCH_CPU_H
#define GOHV_ARCH_CPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <arch/cpu_desc.h>
#include <arch/types.h>

struct cpu;

/* ---- CPUs */
/* Makes c this CPU's struct cpu (this_cpu(), and whatever the trap entry finds it by). */
void arch_cpu_enter(struct cpu *c);
/* Per-CPU setup, on the CPU itself before it goes online: trap vector, delegation to the guest,
 * counters, feature probe, and what the port keeps of the CPU's description (how to kick it). */
void arch_cpu_init(struct cpu *cpu, const struct arch_cpu_desc *desc);
/* Writes a short "feature list" for the boot banner. */
void arch_describe_features(const struct arch_features *f, char *buf, size_t len);
/* Starts a stopped secondary CPU in the hv (it calls hv_secondary_main). */
int arch_cpu_start(struct cpu *cpu);
/* Sleeps until an interrupt is pending; interrupts stay masked in the hv. */
void arch_wait_for_interrupt(void);
/* Fresh entropy from the CPU (Zkr on RISC-V); returns bytes written, 0 if there is none. */
size_t arch_hw_entropy(void *buf, size_t len);
/* Writes a character where the firmware's console is: the hv's fallback before (or without) a
 * UART of its own. */
void arch_console_putc(char c);
/* Powers the machine off (all partitions are gone). */
__attribute__((noreturn)) void arch_system_off(bool failure);

/* The machine's CPUs, in the device tree the firmware hands over (each port has its own /cpus
 * format) and in the one the hv writes for each partition. */
struct platform_cpu {
	unsigned long hwid;	   /* the port's name for it, from its node's reg */
	bool can_run_guests;	   /* it has what the port needs to host a vCPU */
	struct arch_cpu_desc arch; /* what else the port keeps about it */
};

struct dt_node;
/* The core's one pass over the machine's tree offers the port every enabled node that has a
 * compatible (compat, len bytes), with its parent's cell sizes, for what belongs to the CPU
 * architecture rather than to a driver (such as a device that interrupts CPUs); the port
 * keeps what it needs in ap. */
void arch_platform_node(const struct dt_node *n, const char *compat, int len,
			struct arch_platform *ap);
/* Lists the machine's enabled CPUs in out[] (at most max) and the frequency of arch_time_now() in
 * *timebase_hz, with what the pass above found (ap). Returns how many (at least one), or -1 with
 * one line in err. */
int arch_platform_cpus(const void *fdt, const struct arch_platform *ap, struct platform_cpu *out,
		       unsigned max, uint64_t *timebase_hz, char *err, size_t errlen);
/* Writes the guest's /cpus node with libfdt's sequential-write calls, inside the root node: vCPU i
 * gets reg = i and is described as cpus[i], the CPU it runs on (NULL if the machine did not list
 * it), minus what a guest cannot use. Returns 0 or a libfdt error. */
int arch_guest_fdt_cpus(void *fdt, const struct platform_cpu *const *cpus, unsigned n,
			uint64_t timebase_hz);

#endif

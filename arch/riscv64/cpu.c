/* Per-hart bring-up, feature probes and the small services the core asks of a hart. */
#include <arch/csr.h>
#include <fmt.h>
#include <string.h>

#include "hv/port.h"
#include "sbi.h"

extern char riscv_trap_vector[], _secondary_start[];

/* Exceptions the guest handles itself: its own page faults, breakpoints, misaligned accesses and
 * system calls from its user mode. Everything else (ecall from VS, guest-page faults, illegal
 * instructions) comes to the hv. */
#define HEDELEG_GUEST                                                                              \
	((1UL << EXC_INST_MISALIGNED) | (1UL << EXC_BREAKPOINT) | (1UL << EXC_LOAD_MISALIGNED) |   \
	 (1UL << EXC_STORE_MISALIGNED) | (1UL << EXC_ECALL_U) | (1UL << EXC_INST_PAGE_FAULT) |     \
	 (1UL << EXC_LOAD_PAGE_FAULT) | (1UL << EXC_STORE_PAGE_FAULT))

/* What tp and sscratch point at until the core has read the machine and found this hart's own
 * struct cpu: an HS-mode trap then still finds a cpu (one that is not probing) and panics. */
static struct cpu early;

static void early_cpu(void)
{
	arch_set_this_cpu(&early);
	csr_write(CSR_SSCRATCH, &early);
	csr_write(CSR_STVEC, riscv_trap_vector);
}

void arch_cpu_enter(struct cpu *c)
{
	arch_set_this_cpu(c);
	csr_write(CSR_SSCRATCH, c);
}

void riscv_boot_main(unsigned long hartid, const void *fdt)
{
	early_cpu();
	hv_main(hartid, arch_pa_to_va((uintptr_t)fdt));
}

void riscv_secondary_main(unsigned long hartid)
{
	early_cpu();
	struct cpu *c = hv_cpu_of(hartid);

	/* A hart the core does not manage (or a stray arrival) stays out of the way. */
	if (!c)
		for (;;)
			arch_wait_for_interrupt();
	arch_cpu_enter(c);
	hv_secondary_main(c);
}

/* An HS-mode trap: only a probe may fault (a CSR probe, or a read of guest memory for emulated
 * MMIO), and only as it expects; anything else is a bug in the hv. */
void riscv_hv_trap(struct hv_trap_frame *f)
{
	struct cpu *c = this_cpu();

	if (f->scause < 64 && (c->arch.probing >> f->scause) & 1) {
		c->arch.probe_faulted = 1;
		f->sepc += 4;
		return;
	}
	hv_panic("hv trap: scause 0x%lx sepc 0x%lx stval 0x%lx ra 0x%lx sp 0x%lx tp 0x%lx "
		 "hstatus 0x%lx sstatus 0x%lx",
		 f->scause, f->sepc, f->stval, f->x[1], f->x[2], f->x[4], csr_read(CSR_HSTATUS),
		 csr_read(CSR_SSTATUS));
}

/* Runs an access that may raise an illegal-instruction trap; true if it did not. */
#define PROBE(cpu, stmt)                                                                           \
	({                                                                                         \
		(cpu)->arch.probe_faulted = 0;                                                     \
		(cpu)->arch.probing = 1UL << EXC_ILLEGAL_INST;                                     \
		stmt;                                                                              \
		(cpu)->arch.probing = 0;                                                           \
		!(cpu)->arch.probe_faulted;                                                        \
	})

static void probe_features(struct cpu *c)
{
	struct arch_features *f = &c->arch.features;
	unsigned long v;

	f->sstc = PROBE(c, (void)csr_read(CSR_STIMECMP));
	f->zkr = PROBE(c, __asm__ __volatile__("csrrw %0, 0x015, x0" : "=r"(v)));
	csr_write(CSR_HENVCFG, ENVCFG_PBMTE);
	f->svpbmt = (csr_read(CSR_HENVCFG) & ENVCFG_PBMTE) != 0;
	csr_write(CSR_HENVCFG, 0);

	csr_write(CSR_HGATP, HGATP_MODE_SV48X4 << HGATP_MODE_SHIFT);
	f->sv48x4 = (csr_read(CSR_HGATP) >> HGATP_MODE_SHIFT) == HGATP_MODE_SV48X4;
	csr_write(CSR_HGATP,
		  (HGATP_MODE_SV39X4 << HGATP_MODE_SHIFT) | (0x3fffUL << HGATP_VMID_SHIFT));
	v = (csr_read(CSR_HGATP) >> HGATP_VMID_SHIFT) & 0x3fff;
	f->vmid_bits = 0;
	while (v & 1) {
		f->vmid_bits++;
		v >>= 1;
	}
	csr_write(CSR_HGATP, 0);
	__asm__ __volatile__(".insn r 0x73, 0, 0x31, x0, x0, x0" ::: "memory"); /* hfence.gvma */
}

void arch_cpu_init(struct cpu *c, const struct arch_cpu_desc *desc)
{
	probe_features(c);
	c->arch.sswi = desc->sswi ? arch_pa_to_va(desc->sswi) : NULL;
	csr_write(CSR_HEDELEG, HEDELEG_GUEST);
	csr_write(CSR_HIDELEG, VS_INTERRUPTS);
	/* Guests read cycle, time and instret directly: time for clocks, the others for benches. */
	csr_write(CSR_HCOUNTEREN, 0x7);
	csr_write(CSR_HTIMEDELTA, 0);
	csr_write(CSR_HVIP, 0);
	csr_write(CSR_HIE, 0);
	csr_write(CSR_HGEIE, 0);
	csr_write(CSR_HENVCFG, (c->arch.features.sstc ? ENVCFG_STCE : 0) |
				   (c->arch.features.svpbmt ? ENVCFG_PBMTE : 0));
	if (c->arch.features.sstc) {
		csr_write(CSR_STIMECMP, ~0UL);
		csr_write(CSR_VSTIMECMP, ~0UL);
	}
	c->arch.hv_timer = ~0UL;
	c->arch.timer_armed = ~0UL;
	/* Interrupts stay globally off in HS-mode; these only wake WFI and pull the hart out of a
	 * guest. Without Sstc the timer's is enabled while a deadline is armed
	 * (riscv_timer_program). The external one is a passed-through device's (the PLIC masks
	 * every source this hart's context is not given). */
	csr_write(CSR_SIE, MIP_SSIP | (c->arch.features.sstc ? MIP_STIP : 0) | MIP_SEIP);
	csr_set(CSR_SSTATUS, SSTATUS_FS);
}

void arch_describe_features(const struct arch_features *f, char *buf, size_t len)
{
	snprintf(buf, len, "h%s%s%s%s vmid-bits=%u", f->sstc ? " sstc" : "",
		 f->svpbmt ? " svpbmt" : "", f->zkr ? " zkr" : "",
		 f->sv48x4 ? " sv48x4" : " sv39x4", f->vmid_bits);
}

int arch_cpu_start(struct cpu *c)
{
	return (int)sbi_hart_start(c->hwid, (unsigned long)_secondary_start, 0);
}

void arch_wait_for_interrupt(void)
{
	__asm__ __volatile__("wfi" ::: "memory");
}

void arch_kick(const struct cpu *target)
{
	/* The SSWI raises the target's SSIP itself (cleared by arch_kick_clear, as an SBI IPI's).
	 */
	if (target->arch.sswi)
		__atomic_store_n(target->arch.sswi, 1, __ATOMIC_SEQ_CST);
	else
		sbi_send_ipi(1UL << target->hwid, 0);
}

void arch_kick_clear(void)
{
	csr_clear(CSR_SIP, MIP_SSIP);
}

#ifdef GOHV_BENCH
uint64_t arch_bench_instret(void)
{
	uint64_t v;

	__asm__ volatile("rdinstret %0" : "=r"(v));
	return v;
}
#endif

uint64_t arch_time_now(void)
{
	return csr_read(CSR_TIME);
}

/* The hart's timer serves two users: the core's deadline (slice end, first sleeper) and, without
 * Sstc, the loaded guest's emulated timer. Program the earlier of the two. Without Sstc that is an
 * SBI call (about 320 instructions in OpenSBI 1.1), so it is made only when the deadline changes;
 * and when none is left, the timer interrupt is masked instead of pushed out: one that fired stays
 * pending in sip, harmless, until the next deadline's set_timer clears it. */
void riscv_timer_program(struct cpu *c)
{
	uint64_t t = c->arch.hv_timer;

	if (c->arch.loaded && c->arch.loaded->arch.timer_deadline < t)
		t = c->arch.loaded->arch.timer_deadline;
	if (c->arch.features.sstc) {
		csr_write(CSR_STIMECMP, t);
		return;
	}
	if (t == c->arch.timer_armed)
		return;
	c->arch.timer_armed = t;
	if (t == ~0UL) {
		csr_clear(CSR_SIE, MIP_STIP);
		return;
	}
	sbi_set_timer(t);
	csr_set(CSR_SIE, MIP_STIP);
}

void arch_hv_timer_set(uint64_t deadline)
{
	struct cpu *c = this_cpu();

	if (c->arch.hv_timer == deadline)
		return;
	c->arch.hv_timer = deadline;
	riscv_timer_program(c);
}

size_t arch_hw_entropy(void *buf, size_t len)
{
	struct cpu *c = this_cpu();
	uint8_t *out = buf;
	size_t n = 0;
	unsigned tries = 0;

	if (!c->arch.features.zkr)
		return 0;
	/* Zkr hands out 16 bits at a time when OPST says ES16; WAIT means try again. */
	while (n + 2 <= len && tries++ < 4096) {
		unsigned long v;
		__asm__ __volatile__("csrrw %0, 0x015, x0" : "=r"(v));
		if (((v >> 30) & 3) == 2) {
			out[n++] = v & 0xff;
			out[n++] = (v >> 8) & 0xff;
		}
	}
	return n;
}

void arch_console_putc(char c)
{
	sbi_legacy_putchar(c);
}

void arch_system_off(bool failure)
{
	sbi_system_reset(SBI_SRST_TYPE_SHUTDOWN,
			 failure ? SBI_SRST_REASON_SYSTEM_FAILURE : SBI_SRST_REASON_NONE);
	for (;;)
		arch_wait_for_interrupt();
}

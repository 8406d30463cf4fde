/*
 * Benchmark guest: the cost of single goos calls and of the guest timer, one vCPU.
 *
 * Prints a BENCH line (bench.h) per figure, then "BENCH done" and exits 0:
 *   instret.overhead  two back-to-back rdinstret reads
 *   hypercall.null    GOOS_FN_VERSION, ecall to return (the port's fast path answers it)
 *   hypercall.c_path  GOOS_FN_CHAN_PENDING with no channel: the lightest call served in C
 *   sbi.null          SBI BASE get_spec_version, the lightest standard SBI call
 *   console.write64   GOOS_FN_CONSOLE_WRITE of a 64-byte line (so the hv prints it)
 *   entropy.32        GOOS_FN_ENTROPY of 32 bytes
 *   mmio.read         a 4-byte load (lw) of an info page register, emulated MMIO, to the next
 *                     instruction
 *   timer.sstc        (with Sstc) deadline to the handler's first instruction, in ticks
 *   timer.sstc.instr  the same in instructions: instret at the handler - 100 * deadline (under
 *                     -icount instret is the virtual clock in ns and a tick is 100 ns)
 *   timer.sbi(.instr) (without Sstc) the same through GOOS_FN_SET_TIMER
 * Without Sstc only the timer is measured. bootargs: iters=N (samples after warm-up).
 */
#include "bench.h"

/* Far enough ahead that arming (a hypercall without Sstc) is done before the deadline. */
#define TIMER_LEAD_TICKS 50
/* Tick phases visited: a tick is 100 instructions. */
#define PHASES 100

static uint64_t samples[BENCH_MAX_SAMPLES];
static char line[64];
static uint8_t rnd[32];

/* rdinstret, ecall, rdinstret in one asm block so nothing else sits between the reads. */
static uint64_t timed_call(unsigned long eid, unsigned long fid, unsigned long arg0,
			   unsigned long arg1)
{
	register unsigned long a0 __asm__("a0") = arg0;
	register unsigned long a1 __asm__("a1") = arg1;
	register unsigned long a6 __asm__("a6") = fid;
	register unsigned long a7 __asm__("a7") = eid;
	uint64_t t0, t1;

	__asm__ volatile("rdinstret %0\n\t"
			 "ecall\n\t"
			 "rdinstret %1"
			 : "=&r"(t0), "=&r"(t1), "+r"(a0), "+r"(a1)
			 : "r"(a6), "r"(a7)
			 : "memory");
	/* GOOS_OK and SBI_SUCCESS are both 0. */
	if ((long)a0 != GOOS_OK) {
		printf("BENCH FAIL call 0x%lx/%lu error %ld\n", eid, fid, (long)a0);
		goos_exit(1);
	}
	return t1 - t0;
}

/* rdinstret, lw of the info page's vCPU count, rdinstret: one emulated read, trap to resume. */
static uint64_t timed_mmio_read(uintptr_t addr)
{
	uint64_t t0, t1, v;

	__asm__ volatile("rdinstret %0\n\t"
			 ".option push\n\t"
			 ".option norvc\n\t"
			 "lw %2, 0(%3)\n\t"
			 ".option pop\n\t"
			 "rdinstret %1"
			 : "=&r"(t0), "=&r"(t1), "=&r"(v)
			 : "r"(addr)
			 : "memory");
	if (v != goos_vcpus()) {
		printf("BENCH FAIL mmio read 0x%lx\n", (unsigned long)v);
		goos_exit(1);
	}
	return t1 - t0;
}

static void bench_mmio(uint64_t overhead, unsigned n)
{
	uintptr_t addr = goos_info_base() + GOOS_INFO_VCPUS;

	for (unsigned i = 0; i < BENCH_WARMUP + n; i++) {
		uint64_t d = timed_mmio_read(addr) - overhead;

		if (i >= BENCH_WARMUP)
			samples[i - BENCH_WARMUP] = d;
	}
	bench_report("mmio.read", "instr", samples, n);
}

static uint64_t read_overhead(void)
{
	uint64_t t0, t1;

	__asm__ volatile("rdinstret %0\n\t"
			 "rdinstret %1"
			 : "=&r"(t0), "=r"(t1)::"memory");
	return t1 - t0;
}

static void bench_ecall(const char *name, unsigned long eid, unsigned long fid, unsigned long a0,
			unsigned long a1, uint64_t overhead, unsigned n)
{
	for (unsigned i = 0; i < BENCH_WARMUP + n; i++) {
		uint64_t d = timed_call(eid, fid, a0, a1) - overhead;

		if (i >= BENCH_WARMUP)
			samples[i - BENCH_WARMUP] = d;
	}
	bench_report(name, "instr", samples, n);
}

static void bench_call(const char *name, unsigned long fid, unsigned long a0, unsigned long a1,
		       uint64_t overhead, unsigned n)
{
	bench_ecall(name, GOOS_EID, fid, a0, a1, overhead, n);
}

/* Returns just after a tick boundary (within one pass of the loop). */
static void sync_tick(void)
{
	uint64_t t = goos_now();

	while (goos_now() == t)
		;
}

/* About k instructions: k/2 two-instruction loop passes and a nop for an odd k. */
static void delay(unsigned k)
{
	unsigned long n = k / 2;

	if (k & 1)
		__asm__ volatile("nop");
	if (n)
		__asm__ volatile("1: addi %0, %0, -1\n\t"
				 "bnez %0, 1b"
				 : "+r"(n));
}

/*
 * One timer interrupt, from the deadline to the first instruction of the handler. The handler is
 * the label 2 below: stvec points there, the vCPU spins with interrupts on, and the trap lands on
 * the rdinstret, after which the code simply goes on (interrupts are off again, so there is
 * nothing to return to). Fills ticks and instructions past the deadline.
 */
static void timer_sample(bool sstc, unsigned phase, uint64_t *ticks, uint64_t *instr)
{
	uint64_t deadline, fired_t, fired_i;

	sync_tick();
	delay(phase);
	deadline = goos_now() + TIMER_LEAD_TICKS;
	if (sstc)
		__asm__ volatile("csrw 0x14d, %0" ::"r"(deadline));
	else
		goos_set_timer(deadline);
	__asm__ volatile("csrs sie, %0" ::"r"(GOOS_SIE_STIE));
	__asm__ volatile("la t0, 2f\n\t"
			 "csrw stvec, t0\n\t"
			 "csrs sstatus, %2\n"
			 "1: j 1b\n\t"
			 ".balign 4\n"
			 "2: rdinstret %1\n\t"
			 "rdtime %0"
			 : "=r"(fired_t), "=r"(fired_i)
			 : "r"(GOOS_SSTATUS_SIE)
			 : "t0", "memory");
	__asm__ volatile("csrc sie, %0" ::"r"(GOOS_SIE_STIE));
	if (sstc)
		__asm__ volatile("csrw 0x14d, %0" ::"r"(~0UL));
	else
		goos_set_timer(GOOS_NO_DEADLINE);
	goos_trap_init();
	*ticks = fired_t - deadline;
	*instr = fired_i - deadline * 100;
}

static uint64_t samples_i[BENCH_MAX_SAMPLES];

static void bench_timer(const char *name, const char *name_instr, bool sstc, unsigned n)
{
	for (unsigned i = 0; i < BENCH_WARMUP + n; i++) {
		uint64_t t, ins;

		timer_sample(sstc, i % PHASES, &t, &ins);
		if (i >= BENCH_WARMUP) {
			samples[i - BENCH_WARMUP] = t;
			samples_i[i - BENCH_WARMUP] = ins;
		}
	}
	bench_report(name, "ticks", samples, n);
	bench_report(name_instr, "instr", samples_i, n);
}

int main(void)
{
	unsigned n = bench_iters(200);
	bool sstc = goos_has_sstc();

	if (sstc) {
		uint64_t overhead = read_overhead();

		printf("BENCH instret.overhead %lu instr min=%lu max=%lu n=1\n",
		       (unsigned long)overhead, (unsigned long)overhead, (unsigned long)overhead);
		bench_call("hypercall.null", GOOS_FN_VERSION, 0, 0, overhead, n);
		bench_call("hypercall.c_path", GOOS_FN_CHAN_PENDING, 0, 0, overhead, n);
		bench_ecall("sbi.null", SBI_EID_BASE, 0 /* get_spec_version */, 0, 0, overhead, n);
		memset(line, '.', sizeof(line));
		memcpy(line, "bench console line", 18);
		line[sizeof(line) - 1] = '\n';
		bench_call("console.write64", GOOS_FN_CONSOLE_WRITE, (unsigned long)line,
			   sizeof(line), overhead, n);
		bench_call("entropy.32", GOOS_FN_ENTROPY, (unsigned long)rnd, sizeof(rnd), overhead,
			   n);
		bench_mmio(overhead, n);
		bench_timer("timer.sstc", "timer.sstc.instr", true, n);
	} else {
		bench_timer("timer.sbi", "timer.sbi.instr", false, n);
	}
	printf("BENCH done\n");
	return 0;
}

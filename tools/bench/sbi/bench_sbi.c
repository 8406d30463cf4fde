/*
 * The SBI-only bench guest: the same three calls measured under gohv (a partition, the hv serves
 * the SBI) and straight on OpenSBI (the firmware serves it), in one `make bench` run, so the
 * report shows gohv against the firmware floor. It speaks nothing but standard SBI (BASE, TIME,
 * SRST, the legacy console), so the same source runs in both places; only its link address
 * differs. Prints, for WHERE = gohv or firmware (BASE's implementation id tells):
 *   BENCH sbi_only.null.WHERE       BASE get_spec_version, ecall to return
 *   BENCH sbi_only.set_timer.WHERE  TIME set_timer of a far deadline, ecall to return
 *   BENCH sbi_only.timer.WHERE      TIME set_timer's deadline to the handler's first
 *                                   instruction (instret - 100 * deadline: under -icount
 *                                   shift=0 the clock is instret and a tick is 100 of them)
 * then "BENCH done". Each is a median of SAMPLES after WARMUP.
 */
#include <fmt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SBI_BASE	 0x10UL
#define SBI_TIME	 0x54494D45UL
#define SBI_LEGACY_PUTC	 1UL
#define OPENSBI_IMPL_ID	 1UL
#define SIE_STIE	 (1UL << 5)
#define SSTATUS_SIE	 (1UL << 1)
#define WARMUP		 16
#define SAMPLES		 200
#define TIMER_LEAD_TICKS 50
#define PHASES		 100

struct ret {
	long error;
	unsigned long value;
};

static struct ret sbi(unsigned long eid, unsigned long fid, unsigned long a0)
{
	register unsigned long r0 __asm__("a0") = a0;
	register unsigned long r1 __asm__("a1") = 0;
	register unsigned long r6 __asm__("a6") = fid;
	register unsigned long r7 __asm__("a7") = eid;

	__asm__ volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r6), "r"(r7) : "memory");
	return (struct ret){(long)r0, r1};
}

static void print(const char *s)
{
	for (; *s; s++)
		sbi(SBI_LEGACY_PUTC, 0, (unsigned char)*s);
}

static uint64_t now(void)
{
	uint64_t t;

	__asm__ volatile("rdtime %0" : "=r"(t));
	return t;
}

/* rdinstret, ecall, rdinstret in one block; minus two back-to-back reads. */
static uint64_t timed(unsigned long eid, unsigned long fid, unsigned long a0)
{
	register unsigned long r0 __asm__("a0") = a0;
	register unsigned long r1 __asm__("a1") = 0;
	register unsigned long r6 __asm__("a6") = fid;
	register unsigned long r7 __asm__("a7") = eid;
	uint64_t t0, t1, o0, o1;

	__asm__ volatile("rdinstret %0\n\trdinstret %1" : "=&r"(o0), "=r"(o1));
	__asm__ volatile("rdinstret %0\n\t"
			 "ecall\n\t"
			 "rdinstret %1"
			 : "=&r"(t0), "=&r"(t1), "+r"(r0), "+r"(r1)
			 : "r"(r6), "r"(r7)
			 : "memory");
	return (t1 - t0) - (o1 - o0);
}

static uint64_t samples[SAMPLES];

static void report(const char *name, const char *where)
{
	char line[128];

	for (unsigned i = 1; i < SAMPLES; i++)
		for (unsigned j = i; j > 0 && samples[j - 1] > samples[j]; j--) {
			uint64_t t = samples[j];
			samples[j] = samples[j - 1];
			samples[j - 1] = t;
		}
	snprintf(line, sizeof(line), "BENCH sbi_only.%s.%s %lu instr min=%lu max=%lu n=%u\n", name,
		 where, (unsigned long)samples[(SAMPLES - 1) / 2], (unsigned long)samples[0],
		 (unsigned long)samples[SAMPLES - 1], SAMPLES);
	print(line);
}

static void calls(unsigned long eid, unsigned long fid, unsigned long a0, const char *name,
		  const char *where)
{
	for (unsigned i = 0; i < WARMUP + SAMPLES; i++) {
		uint64_t d = timed(eid, fid, a0);

		if (i >= WARMUP)
			samples[i - WARMUP] = d;
	}
	report(name, where);
}

/* One SBI timer interrupt: the handler is label 2 (stvec), reached from a spin with interrupts
 * on; it reads instret and goes on with interrupts off again. */
static uint64_t timer_sample(unsigned phase)
{
	uint64_t t = now(), deadline, fired;

	while (now() == t)
		;
	/* About phase instructions: phase/2 two-instruction passes and a nop for an odd one, so the
	 * deadline meets the clock in each of a tick's 100 phases once. */
	unsigned long k = phase / 2;

	if (phase & 1)
		__asm__ volatile("nop");
	if (k)
		__asm__ volatile("1: addi %0, %0, -1\n\t"
				 "bnez %0, 1b"
				 : "+r"(k));
	deadline = now() + TIMER_LEAD_TICKS;
	sbi(SBI_TIME, 0, deadline);
	__asm__ volatile("csrs sie, %0" ::"r"(SIE_STIE));
	__asm__ volatile("la t0, 2f\n\t"
			 "csrw stvec, t0\n\t"
			 "csrs sstatus, %1\n"
			 "1: j 1b\n\t"
			 ".balign 4\n"
			 "2: rdinstret %0"
			 : "=r"(fired)
			 : "r"(SSTATUS_SIE)
			 : "t0", "memory");
	__asm__ volatile("csrc sie, %0" ::"r"(SIE_STIE));
	sbi(SBI_TIME, 0, ~0UL);
	return fired - deadline * 100;
}

int main(void)
{
	const char *where =
	    sbi(SBI_BASE, 1 /* get_impl_id */, 0).value == OPENSBI_IMPL_ID ? "firmware" : "gohv";

	calls(SBI_BASE, 0 /* get_spec_version */, 0, "null", where);
	calls(SBI_TIME, 0 /* set_timer */, ~0UL, "set_timer", where);
	for (unsigned i = 0; i < WARMUP + SAMPLES; i++) {
		uint64_t d = timer_sample(i % PHASES);

		if (i >= WARMUP)
			samples[i - WARMUP] = d;
	}
	report("timer", where);
	print("BENCH done\n");
	return 0;
}

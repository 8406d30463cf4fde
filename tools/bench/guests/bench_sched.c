/*
 * Benchmark guest for shared CPUs (tools/bench/boards/bench-sched.dts). bootargs role=...:
 *   spin  every vCPU spins for ms=N, then the partition exits: the CPU-bound load the others
 *         share their CPU with (two vCPUs of it on one CPU give same-partition switches)
 *   wake  sleeps with goos_idle until a deadline a few slices ahead (at 100 tick phases) while
 *         a spinner has the CPU, and measures deadline to its first instruction after the idle:
 *           BENCH sched.wake.switch <median> ticks ...
 *           BENCH sched.wake.switch.instr <median> instr ...  (instret - 100 * deadline)
 *   null  GOOS_FN_VERSION round trips on the shared CPU: BENCH hypercall.null.shared
 * then "BENCH done" and exits 0. iters=N samples after warm-up.
 */
#include "bench.h"

static uint64_t samples[BENCH_MAX_SAMPLES], samples_i[BENCH_MAX_SAMPLES];
static volatile bool stop;

static void spin_vcpu(unsigned vcpu, void *arg)
{
	while (!stop)
		;
	for (;;)
		goos_idle(GOOS_NO_DEADLINE);
}

static int spin(void)
{
	uint64_t end = goos_now() + goos_ticks_from_ms(goos_bootarg_ulong("ms", 500));

	for (unsigned i = 1; i < goos_vcpus(); i++)
		if (goos_vcpu_start(i, spin_vcpu, NULL, NULL)) {
			printf("BENCH FAIL vcpu_start %u\n", i);
			return 1;
		}
	while (goos_now() < end)
		;
	stop = true;
	printf("BENCH done\n");
	return 0;
}

static int wake(unsigned n)
{
	/* Asleep longer than the spinner's slice, so it is preempted at once: what is left is
	 * the hv's path from the timer to this vCPU, through a switch. */
	uint64_t ahead = goos_ticks_from_ms(goos_bootarg_ulong("ahead_ms", 3));

	for (unsigned i = 0; i < BENCH_WARMUP + n; i++) {
		uint64_t deadline = goos_now() + ahead + i % 100;

		goos_idle(deadline);
		uint64_t ti = bench_instret(), t = goos_now();

		if (i >= BENCH_WARMUP) {
			samples[i - BENCH_WARMUP] = t - deadline;
			samples_i[i - BENCH_WARMUP] = ti - deadline * 100;
		}
	}
	bench_report("sched.wake.switch", "ticks", samples, n);
	bench_report("sched.wake.switch.instr", "instr", samples_i, n);
	printf("BENCH done\n");
	return 0;
}

static int null_calls(unsigned n)
{
	for (unsigned i = 0; i < BENCH_WARMUP + n; i++) {
		register unsigned long a0 __asm__("a0") = 0, a1 __asm__("a1") = 0;
		register unsigned long a6 __asm__("a6") = GOOS_FN_VERSION,
					  a7 __asm__("a7") = GOOS_EID;
		uint64_t t0, t1, o0, o1;

		__asm__ volatile("rdinstret %0\n\trdinstret %1" : "=&r"(o0), "=r"(o1)::"memory");
		__asm__ volatile("rdinstret %0\n\tecall\n\trdinstret %1"
				 : "=&r"(t0), "=&r"(t1), "+r"(a0), "+r"(a1)
				 : "r"(a6), "r"(a7)
				 : "memory");
		if (i >= BENCH_WARMUP)
			samples[i - BENCH_WARMUP] = (t1 - t0) - (o1 - o0);
	}
	bench_report("hypercall.null.shared", "instr", samples, n);
	printf("BENCH done\n");
	return 0;
}

int main(void)
{
	char role[8] = "";
	unsigned n = bench_iters(100);

	goos_bootarg_copy("role", role, sizeof(role));
	if (!strcmp(role, "spin"))
		return spin();
	if (!strcmp(role, "wake"))
		return wake(n);
	if (!strcmp(role, "null"))
		return null_calls(n);
	printf("BENCH FAIL role \"%s\"\n", role);
	return 1;
}

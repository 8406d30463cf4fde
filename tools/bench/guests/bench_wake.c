/*
 * Benchmark guest (2 vCPUs): idle-then-wake. vCPU 1 waits in goos_idle(GOOS_NO_DEADLINE); vCPU 0
 * reads time, calls goos_wake(1) and idles itself until vCPU 1, which reads time as its first
 * act after idle returns, wakes it back. Prints
 *   BENCH idle.wake <median> ticks min=... max=... n=...
 *   BENCH idle.wake.instr <median> instr ...
 * (time from just before the wake call to vCPU 1's first instruction after idle; the second in
 * instret, which under -icount is the machine's virtual clock, the same on every hart), then
 * "BENCH done" and exits 0. bootargs: iters=N.
 */
#include "bench.h"

/* Long enough for vCPU 1 to be back in its idle's WFI before the next wake. */
#define SETTLE_TICKS 100

static uint64_t samples[BENCH_MAX_SAMPLES];
static uint64_t samples_i[BENCH_MAX_SAMPLES];
static volatile uint64_t woke_at, woke_at_i;
static volatile unsigned long woke_count;
static volatile bool vcpu1_up;

static void vcpu1_main(unsigned vcpu, void *arg)
{
	vcpu1_up = true;
	for (;;) {
		long ev = goos_idle(GOOS_NO_DEADLINE);
		uint64_t ti = bench_instret();
		uint64_t t = goos_now();

		if (ev > 0 && (ev & GOOS_EV_WAKE)) {
			woke_at = t;
			woke_at_i = ti;
			woke_count = woke_count + 1;
			goos_wake(0);
		}
	}
}

int main(void)
{
	unsigned n = bench_iters(100);
	long r;

	if (goos_vcpus() < 2) {
		printf("BENCH FAIL wake needs 2 vcpus\n");
		return 1;
	}
	r = goos_vcpu_start(1, vcpu1_main, NULL, NULL);
	if (r) {
		printf("BENCH FAIL vcpu_start error %ld\n", r);
		return 1;
	}
	while (!vcpu1_up)
		goos_idle(goos_now() + SETTLE_TICKS);
	for (unsigned i = 0; i < BENCH_WARMUP + n; i++) {
		unsigned long seen = woke_count;

		goos_sleep_until(goos_now() + SETTLE_TICKS);
		uint64_t t0 = goos_now();
		uint64_t i0 = bench_instret();

		goos_wake(1);
		while (woke_count == seen)
			goos_idle(GOOS_NO_DEADLINE);
		if (i >= BENCH_WARMUP) {
			samples[i - BENCH_WARMUP] = woke_at - t0;
			samples_i[i - BENCH_WARMUP] = woke_at_i - i0;
		}
	}
	bench_report("idle.wake", "ticks", samples, n);
	bench_report("idle.wake.instr", "instr", samples_i, n);
	printf("BENCH done\n");
	return 0;
}

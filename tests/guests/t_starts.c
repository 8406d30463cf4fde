/*
 * Integration test guest (2 vCPUs): vCPU 0 starts vCPU 1 bootargs n=N times (5000), retrying each
 * start the hv refuses as already started (vCPU 1 is still on its way out); vCPU 1 stops itself at
 * once each time. spin=1 retries without a pause. Each run of
 * vCPU 1 must come from exactly one accepted start. Prints "STARTS n=<N> runs=<R> refused=<K>"
 * and exits 7 (so a test can tell its exit from any other); "STARTS FAIL <why>" and exit 1 on a
 * wrong answer.
 */
#include "libgoos.h"

static volatile unsigned long runs;

static void vcpu1_main(unsigned vcpu, void *arg)
{
	__atomic_fetch_add(&runs, 1, __ATOMIC_SEQ_CST);
	/* Returning stops vCPU 1 (SBI HSM stop), so it can be started again. */
}

int main(void)
{
	unsigned long n = goos_bootarg_ulong("n", 5000), refused = 0;
	bool spin = goos_bootarg_ulong("spin", 0);

	for (unsigned long i = 0; i < n; i++) {
		long e;

		/* Tried again at once, then after a pause of 20 us each time, so that vCPU 1
		 * (on another CPU, under -icount on the same host thread) gets to stop; with
		 * spin=1 (for real parallel CPUs) always at once, to hit every window. */
		while ((e = goos_vcpu_start(1, vcpu1_main, NULL, NULL)) ==
		       GOOS_ERR_ALREADY_STARTED) {
			refused++;
			if (!spin)
				goos_idle(goos_now() + goos_ticks_from_us(20));
		}
		if (e) {
			printf("STARTS FAIL start %lu: error %ld\n", i, e);
			goos_exit(1);
		}
	}
	/* The last start's run may still be on its way. */
	for (unsigned tries = 0; runs < n && tries < 1000; tries++)
		goos_sleep_ms(1);
	printf("STARTS n=%lu runs=%lu refused=%lu\n", n, (unsigned long)runs, refused);
	if (runs != n) {
		printf("STARTS FAIL %lu runs for %lu starts\n", (unsigned long)runs, n);
		goos_exit(1);
	}
	return 7;
}

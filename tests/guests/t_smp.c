/*
 * Integration test guest (2+ vCPUs): starting a second vCPU and waking it from idle. Prints
 * "SMP restart-check ok", "SMP vcpu1 up arg=<arg>", "SMP vcpu1 woke <n>" for n = 1..3, then
 * "SMP OK" and exits 0; on failure "SMP FAIL <why>" and exits 1.
 */
#include "libgoos.h"

#define VCPU1_ARG 0x5eedUL
#define WAKES	  3

static uint8_t vcpu1_stack[16384] __attribute__((aligned(16)));
static volatile bool vcpu1_up;
static volatile unsigned long vcpu1_woke;

static void vcpu1_main(unsigned vcpu, void *arg)
{
	printf("SMP vcpu1 up arg=0x%lx\n", (unsigned long)arg);
	vcpu1_up = true;
	for (;;) {
		long ev = goos_idle(GOOS_NO_DEADLINE);

		if (ev < 0) {
			printf("SMP FAIL vcpu1 idle error=%ld\n", ev);
			goos_exit(1);
		}
		if (ev & GOOS_EV_WAKE) {
			unsigned long n = vcpu1_woke + 1;
			/* Print first: vCPU 0 may exit as soon as it sees the last count. */
			printf("SMP vcpu1 woke %lu\n", n);
			vcpu1_woke = n;
		}
	}
}

/* Idles in short steps until *flag reaches want or a second passes. */
static bool wait_for(volatile unsigned long *flag, unsigned long want)
{
	uint64_t limit = goos_now() + goos_ticks_from_ms(1000);

	while (*flag < want) {
		if (goos_now() >= limit)
			return false;
		goos_idle(goos_now() + goos_ticks_from_ms(1));
	}
	return true;
}

int main(void)
{
	void *stack_top = vcpu1_stack + sizeof(vcpu1_stack);
	long r;

	if (goos_vcpus() < 2) {
		printf("SMP FAIL needs 2 vcpus, has %u\n", goos_vcpus());
		return 1;
	}
	r = goos_vcpu_start(1, vcpu1_main, stack_top, (void *)VCPU1_ARG);
	if (r) {
		printf("SMP FAIL vcpu_start error=%ld\n", r);
		return 1;
	}
	r = goos_vcpu_start(1, vcpu1_main, stack_top, (void *)VCPU1_ARG);
	if (r != GOOS_ERR_ALREADY_STARTED) {
		printf("SMP FAIL second vcpu_start error=%ld\n", r);
		return 1;
	}
	printf("SMP restart-check ok\n");

	uint64_t limit = goos_now() + goos_ticks_from_ms(1000);
	while (!vcpu1_up && goos_now() < limit)
		goos_idle(goos_now() + goos_ticks_from_ms(1));
	if (!vcpu1_up) {
		printf("SMP FAIL vcpu1 did not come up\n");
		return 1;
	}
	for (unsigned long i = 1; i <= WAKES; i++) {
		r = goos_wake(1);
		if (r) {
			printf("SMP FAIL wake error=%ld\n", r);
			return 1;
		}
		if (!wait_for(&vcpu1_woke, i)) {
			printf("SMP FAIL wake %lu not seen (count %lu)\n", i, vcpu1_woke);
			return 1;
		}
	}
	printf("SMP OK\n");
	return 0;
}

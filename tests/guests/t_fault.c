/*
 * Integration test guest: one fault chosen by bootargs
 * kind=illegal|load|store|timer-store|exec|ecall-bad (timer-store: a store with its timer due).
 * Prints "FAULT about to <kind>". The faults must stop the partition; if one returns it prints
 * "FAULT survived <kind>" and exits 1. ecall-bad makes an unknown SBI call, which must fail with
 * GOOS_ERR_NOT_SUPPORTED: "FAULT ecall-bad ok" and exit 0 (else "FAULT ecall-bad error=<e>", 1).
 */
#include "libgoos.h"

/* Guest-physical, below RAM and not a device the hv gives partitions. */
#define UNMAPPED 0x1000UL

int main(void)
{
	char kind[16];

	if (goos_bootarg_copy("kind", kind, sizeof(kind)) < 0)
		memcpy(kind, "illegal", sizeof("illegal"));
	printf("FAULT about to %s\n", kind);
	if (!strcmp(kind, "illegal")) {
		/* All-zero bits are an illegal instruction by definition, in both lengths. */
		__asm__ volatile(".4byte 0" ::: "memory");
	} else if (!strcmp(kind, "load")) {
		uint64_t v = *(volatile uint64_t *)UNMAPPED;
		printf("FAULT loaded 0x%lx\n", (unsigned long)v);
	} else if (!strcmp(kind, "store")) {
		*(volatile uint64_t *)UNMAPPED = 0xbadUL;
	} else if (!strcmp(kind, "timer-store")) {
		/* Dies with its timer due and enabled (masked only by sstatus.SIE): nothing of it
		 * may keep the CPU awake while the hv waits out the restart backoff. */
		goos_arm_timer(goos_now());
		*(volatile uint64_t *)UNMAPPED = 0xbadUL;
	} else if (!strcmp(kind, "exec")) {
		((void (*)(void))UNMAPPED)();
	} else if (!strcmp(kind, "ecall-bad")) {
		struct goos_ret r = goos_sbi_call(0x12345678UL, 0, 0, 0, 0, 0, 0, 0);
		if (r.error == GOOS_ERR_NOT_SUPPORTED) {
			printf("FAULT ecall-bad ok\n");
			return 0;
		}
		printf("FAULT ecall-bad error=%ld\n", r.error);
		return 1;
	} else {
		printf("FAULT unknown kind %s\n", kind);
		return 2;
	}
	printf("FAULT survived %s\n", kind);
	return 1;
}

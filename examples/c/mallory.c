/*
 * mallory: the hostile third partition of the vault/app example (boards/qemu-virt-riscv64-vault).
 * A C guest, so nothing stands between its loads and the hv's stage-2 tables: paging is off and
 * an address is a guest-physical one. It tries to read the vault's RAM where it really lies
 * (bootargs vault-ram=, the host address the hv reports for the vault), then the header page and
 * the last page (the buffer pool, where requests and signatures pass) of the vault/app channel's
 * window (window=, window-size=). Each load must end in the hv's fault line for mallory; the
 * restart policy (on-failure) brings it back for the next, picked by its restart count since
 * the restart scrubbed its RAM. After the last it says so and exits 0.
 */
#include "libgoos.h"

int main(void)
{
	uint64_t window = goos_bootarg_ulong("window", 0x40000000);
	const struct {
		const char *what;
		uint64_t addr;
	} probes[] = {
	    {"the vault's RAM", goos_bootarg_ulong("vault-ram", 0x81e00000)},
	    {"the channel window's header", window},
	    {"the channel window's buffer pool",
	     window + goos_bootarg_ulong("window-size", 0x40000) - 0x1000},
	};
	unsigned n = sizeof(probes) / sizeof(probes[0]);
	unsigned i = goos_info_read32(GOOS_INFO_RESTARTS);

	if (i >= n) {
		/* Nothing left to try: no point in another backoff and restart. */
		printf("mallory: all %u reads were stopped; giving up\n", n);
		return 0;
	}
	goos_sleep_ms(goos_bootarg_ulong("after-ms", 0));
	printf("mallory: reading %s at 0x%lx\n", probes[i].what, (unsigned long)probes[i].addr);
	uint64_t v = *(volatile uint64_t *)probes[i].addr;
	printf("mallory: READ SUCCEEDED at 0x%lx: 0x%lx\n", (unsigned long)probes[i].addr,
	       (unsigned long)v);
	return 1;
}

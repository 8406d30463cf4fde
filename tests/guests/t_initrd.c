/* Integration test guest: checks the initrd the hv loaded (where /chosen says, on 8 KiB, right
 * below the device tree, covered by a memreserve) and the wall-clock offset, then scribbles over
 * the initrd so a restart that did not copy it afresh is caught. With a second vCPU, that one
 * reads the initrd before the scribble and again after it, and must see it (the hv maps the
 * initrd read-only from its package until the first write, then the partition's own copy: no
 * CPU may keep reading the package's page). QEMU drops a hart's translations at every trap, so a
 * missing fence seldom shows here: the unit tests count the fences. Exits with bootargs exit=N.
 * Prints: "INITRD size=<n> fnv=<hex> aligned=<0|1> below_dt=<0|1> reserved=<0|1>",
 * "INITRD vcpu1 sees the write=<0|1>" with two vCPUs, and "REALTIME year_ok=<0|1>" (or
 * "REALTIME none"). */
#include <libfdt.h>

#include "libgoos.h"

static uint8_t vcpu1_stack[8192] __attribute__((aligned(16)));
static volatile unsigned long vcpu1_step, written;
static volatile uint8_t *vcpu1_at;

/* Reads a byte of the initrd (so its hart holds the read-only translation), then keeps reading it
 * without leaving the guest (a trap to the hv may drop the translation and hide a stale one) until
 * vCPU 0 says it wrote: from then on the write must show. */
static void vcpu1_main(unsigned vcpu, void *arg)
{
	uint8_t before = *vcpu1_at, now;
	unsigned long w;

	vcpu1_step = 1;
	do {
		w = __atomic_load_n(&written, __ATOMIC_ACQUIRE);
		now = *vcpu1_at;
	} while (!w);
	printf("INITRD vcpu1 sees the write=%d\n", before != 0x5a && now == 0x5a);
	vcpu1_step = 3;
	for (;;)
		goos_idle(GOOS_NO_DEADLINE);
}

/* Idles in short steps until *flag reaches want or a second passes. */
static void wait_for(volatile unsigned long *flag, unsigned long want)
{
	uint64_t limit = goos_now() + goos_ticks_from_ms(1000);

	while (*flag < want && goos_now() < limit)
		goos_idle(goos_now() + goos_ticks_from_ms(1));
}

static uint64_t prop_u64(const void *fdt, int node, const char *name, bool *found)
{
	int len;
	const fdt64_t *p = fdt_getprop(fdt, node, name, &len);

	*found = p && len == 8;
	return *found ? fdt64_to_cpu(*p) : 0;
}

int main(void)
{
	const void *fdt = goos_dtb();
	int chosen = fdt_path_offset(fdt, "/chosen");
	bool has_start, has_end, has_rt, reserved = false;
	uint64_t start = prop_u64(fdt, chosen, "linux,initrd-start", &has_start);
	uint64_t end = prop_u64(fdt, chosen, "linux,initrd-end", &has_end);
	uint64_t rt = prop_u64(fdt, chosen, "gohv,realtime-ns", &has_rt);

	if (!has_start || !has_end || end < start) {
		printf("INITRD none\n");
	} else {
		uint64_t dt = (uintptr_t)fdt, size = end - start;
		uint32_t h = 2166136261U;

		for (uint8_t *p = (uint8_t *)(uintptr_t)start; p < (uint8_t *)(uintptr_t)end; p++)
			h = (h ^ *p) * 16777619U;
		for (int i = 0; i < fdt_num_mem_rsv(fdt); i++) {
			uint64_t a, s;

			if (fdt_get_mem_rsv(fdt, i, &a, &s) == 0 && a == start && s == size)
				reserved = true;
		}
		printf("INITRD size=%lu fnv=%08x aligned=%d below_dt=%d reserved=%d\n",
		       (unsigned long)size, h, (start & 8191) == 0, end <= dt && dt - end < 8192,
		       reserved);
		bool two = goos_vcpus() >= 2;
		if (two) {
			vcpu1_step = written = 0;
			vcpu1_at = (uint8_t *)(uintptr_t)start + 4096;
			goos_vcpu_start(1, vcpu1_main, vcpu1_stack + sizeof(vcpu1_stack), NULL);
			wait_for(&vcpu1_step, 1);
		}
		if (two) {
			/* Said at once: the window in which a stale translation shows is short. */
			*vcpu1_at = 0x5a;
			__atomic_store_n(&written, 1, __ATOMIC_RELEASE);
		}
		for (uint8_t *p = (uint8_t *)(uintptr_t)start; p < (uint8_t *)(uintptr_t)end; p++)
			*p = 0x5a;
		if (two)
			wait_for(&vcpu1_step, 3);
	}
	if (has_rt) {
		/* The offset plus the time CSR in ns: the date now. 2020-01-01 is 1577836800 s. */
		uint64_t t = goos_now(), hz = goos_timebase();
		uint64_t now_ns = rt + t / hz * 1000000000UL + t % hz * 1000000000UL / hz;
		printf("REALTIME year_ok=%d\n", now_ns / 1000000000UL > 1577836800UL);
	} else {
		printf("REALTIME none\n");
	}
	return (int)goos_bootarg_long("exit", 0);
}

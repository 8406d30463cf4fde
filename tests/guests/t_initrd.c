/* Integration test guest: checks the initrd the hv loaded (where /chosen says, page aligned, right
 * below the device tree, covered by a memreserve) and the wall-clock offset, then scribbles over
 * the initrd so a restart that did not copy it afresh is caught. Exits with bootargs exit=N.
 * Prints: "INITRD size=<n> fnv=<hex> aligned=<0|1> below_dt=<0|1> reserved=<0|1>" and
 * "REALTIME year_ok=<0|1>" (or "REALTIME none"). */
#include <libfdt.h>

#include "libgoos.h"

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
		       (unsigned long)size, h, (start & 4095) == 0, end <= dt && dt - end < 4096,
		       reserved);
		for (uint8_t *p = (uint8_t *)(uintptr_t)start; p < (uint8_t *)(uintptr_t)end; p++)
			*p = 0x5a;
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

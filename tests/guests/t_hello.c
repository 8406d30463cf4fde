/* Integration test guest: reports what the DT says about the partition and whether the RAM it was
 * given was clean, then dirties that RAM (so a restart that forgot to scrub is caught) and exits
 * with bootargs exit=N.
 * Prints: "HELLO partition=<name> vcpus=<n> ram=<bytes>" and "HELLO dirty=<words>". */
#include "libgoos.h"

extern char __image_end[];

int main(void)
{
	/* Free RAM: from the end of the image (bss and stacks included) to the hv's device tree. */
	uint64_t *from = (uint64_t *)(((uintptr_t)__image_end + 4095) & ~4095UL);
	uint64_t *to = (uint64_t *)(uintptr_t)goos_dtb();
	unsigned long dirty = 0;

	printf("HELLO partition=%s vcpus=%u ram=%lu\n", goos_partition_name(), goos_vcpus(),
	       (unsigned long)goos_ram_size());
	for (uint64_t *p = from; p < to; p++)
		dirty += *p != 0;
	printf("HELLO dirty=%lu\n", dirty);
	for (uint64_t *p = from; p < to; p++)
		*p = 0xa5a5a5a5a5a5a5a5UL;
	return (int)goos_bootarg_long("exit", 0);
}

/*
 * Integration test guest: reads just past the end of its own RAM (or at bootargs addr=0x...), which
 * the hv must stop. Prints "ATTACKER start", "ATTACKER reading 0x<addr>", and only if the read
 * returns, "ATTACKER READ SUCCEEDED value=0x<value>" (then exits 0).
 */
#include "libgoos.h"

int main(void)
{
	printf("ATTACKER start\n");
	uint64_t addr = goos_bootarg_ulong("addr", goos_ram_base() + goos_ram_size());

	printf("ATTACKER reading 0x%lx\n", (unsigned long)addr);
	uint64_t value = *(volatile uint64_t *)addr;
	printf("ATTACKER READ SUCCEEDED value=0x%lx\n", (unsigned long)value);
	return 0;
}

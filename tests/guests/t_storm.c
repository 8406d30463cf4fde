/*
 * Integration test guest: one restart of a storm per run. bootargs count=N. At each start it
 * checks that its RAM past the image, up to the device tree, is zero (one word per page, at an
 * offset that moves from page to page) and plants a pattern there for the hv to scrub, then ends
 * by the next of: illegal instruction, exit 3, store outside its RAM, SBI system reset (cold
 * reboot), picked by the info page's restart count modulo bootargs kinds (default 4; 3 leaves the
 * reboot out). Prints "STORM dirty restart=<r> page=0x<gpa>" when the scrub missed and ends the
 * storm there (exit 0, which its on-failure policy does not restart: one miss is enough), and,
 * once the count is reached, "STORM done restarts=<r>" (exit 0).
 */
#include "libgoos.h"

#define PAGE	 4096UL
#define DT_ROOM	 0x10000UL /* the hv's device tree, in the last 64 KiB */
#define UNMAPPED 0x40000000UL
#define PLANT	 0x5c2b5c2b5c2b5c2bUL

extern char __image_end[];

int main(void)
{
	unsigned r = goos_info_read32(GOOS_INFO_RESTARTS);
	unsigned long count = goos_bootarg_ulong("count", 10000);
	uint64_t lo = ((uint64_t)__image_end + PAGE - 1) & ~(PAGE - 1);
	uint64_t hi = goos_ram_base() + goos_ram_size() - DT_ROOM;
	unsigned dirty = 0;

	for (uint64_t pg = lo, i = 0; pg < hi; pg += PAGE, i++) {
		volatile uint64_t *w = (volatile uint64_t *)(pg + (i * 8 + r * 64) % PAGE);
		if (*w && !dirty++)
			printf("STORM dirty restart=%u page=0x%lx\n", r, (unsigned long)pg);
		*(volatile uint64_t *)(pg + (i * 8 + (r + 1) * 64) % PAGE) = PLANT;
	}
	if (dirty)
		return 0;
	if (r >= count) {
		printf("STORM done restarts=%u\n", r);
		return 0;
	}
	switch (r % goos_bootarg_ulong("kinds", 4)) {
	case 0:
		__asm__ volatile(".4byte 0" ::: "memory");
		break;
	case 1:
		return 3;
	case 3: {
		register unsigned long a0 __asm__("a0") = 1; /* cold reboot */
		register unsigned long a1 __asm__("a1") = 0;
		register unsigned long a6 __asm__("a6") = 0;
		register unsigned long a7 __asm__("a7") = SBI_EID_SRST;
		__asm__ volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a6), "r"(a7) : "memory");
		break;
	}
	case 2:
		*(volatile uint64_t *)UNMAPPED = 0xbadUL;
	}
	printf("STORM survived %u\n", r);
	return 1;
}

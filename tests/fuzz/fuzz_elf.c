/* The ELF checks and loader (hv/elf.c) on any file: elf_check refuses it with a line, or
 * elf_load puts it into RAM of exactly the size it claims (and refuses RAM one page short). */
#include <stdlib.h>

#include "fuzz.h"
#include "fuzz_hv.h"

/* Images whose span is larger are not loaded (checking them is still fuzzed). */
#define LOAD_MAX (8UL << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elf_image img;
	char err[ELF_ERR_MAX];

	if (elf_check(data, size, ARCH_ELF_MACHINE, &img, err, sizeof(err))) {
		FUZZ_CHECK(err[0] && strnlen(err, sizeof(err)) < sizeof(err), "error line");
		return 0;
	}
	FUZZ_CHECK(img.nload >= 1 && img.lowest <= img.entry && img.entry < img.highest,
		   "entry 0x%lx outside 0x%lx-0x%lx", (unsigned long)img.entry,
		   (unsigned long)img.lowest, (unsigned long)img.highest);
	uint64_t base = img.lowest & ~(uint64_t)(PAGE_SIZE - 1), span = img.highest - base;
	if (span > LOAD_MAX)
		return 0;
	uint8_t *ram = malloc(span ? span : 1);

	FUZZ_CHECK(elf_load(&img, base, span, ram, err, sizeof(err)) == 0, "%s", err);
	if (span >= PAGE_SIZE && base + PAGE_SIZE > base)
		FUZZ_CHECK(
		    elf_load(&img, base + PAGE_SIZE, span - PAGE_SIZE, ram, err, sizeof(err)) != 0,
		    "loaded into RAM a page short");
	free(ram);
	return 0;
}

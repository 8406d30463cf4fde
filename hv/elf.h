/*
 * ELF64 image checks and loading. Images come from outside the hv (the package), so every offset
 * and size is checked before use; shared with the host packer so a bad image is refused early.
 */
#ifndef GOHV_ELF_H
#define GOHV_ELF_H

#include <stddef.h>
#include <stdint.h>

#define ELF_ERR_MAX 120

struct elf_image {
	const uint8_t *data;
	size_t size;
	uint64_t entry;
	uint64_t lowest;   /* lowest PT_LOAD physical address */
	uint64_t highest;  /* end of the highest PT_LOAD (paddr + memsz) */
	uint64_t file_end; /* end of the highest file bytes (paddr + filesz), at least lowest */
	unsigned nload;
};

/* Validates a RISC-V ELF64 LE executable: header, program headers and PT_LOAD segments within the
 * file, no address overflow, entry inside a loaded segment. Returns 0 or -1 with err set. */
int elf_check(const void *data, size_t size, uint16_t machine, struct elf_image *img, char *err,
	      size_t errlen);

/* Copies PT_LOAD segments' file bytes (by physical address) into RAM that the guest sees at
 * [base, base+size) and the caller reaches at host. The RAM must be zero already: bss is not
 * written (the hv scrubs a partition's RAM once, before every start; zeroing bss again cost a
 * second pass over it). Returns 0 or -1 with err set if a segment falls outside that RAM. */
int elf_load(const struct elf_image *img, uint64_t base, uint64_t size, void *host, char *err,
	     size_t errlen);

#endif

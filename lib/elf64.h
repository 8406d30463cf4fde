/* The ELF64 headers gohv reads: the hv's loader, gort's program loader, the host tools and their
 * tests share this one definition (only the fields and constants they use). */
#ifndef GOHV_LIB_ELF64_H
#define GOHV_LIB_ELF64_H

#include <stdint.h>

struct elf64_ehdr {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf64_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

struct elf64_shdr {
	uint32_t name, type;
	uint64_t flags, addr, offset, size;
	uint32_t link, info;
	uint64_t addralign, entsize;
};

#define ELF64_ET_EXEC	2
#define ELF64_PT_LOAD	1
#define ELF64_PT_INTERP 3
#define ELF64_PF_X	1
#define ELF64_PF_W	2
#define ELF64_PF_R	4
#define ELF64_EM_RISCV	243

#endif

#include "elf.h"

#include <elf64.h>
#include <fmt.h>
#include <string.h>

static int fail(char *err, size_t errlen, const char *msg, uint64_t a, uint64_t b)
{
	snprintf(err, errlen, msg, (unsigned long)a, (unsigned long)b);
	return -1;
}

static const struct elf64_phdr *phdr(const struct elf_image *img, unsigned i)
{
	const struct elf64_ehdr *eh = (const void *)img->data;
	return (const void *)(img->data + eh->phoff + (uint64_t)i * sizeof(struct elf64_phdr));
}

int elf_check(const void *data, size_t size, uint16_t machine, struct elf_image *img, char *err,
	      size_t errlen)
{
	const struct elf64_ehdr *eh = data;

	memset(img, 0, sizeof(*img));
	img->data = data;
	img->size = size;
	if (size < sizeof(*eh))
		return fail(err, errlen, "truncated: %lu bytes is smaller than an ELF header", size,
			    0);
	/* The headers are read in place as structs (the packer puts images on page boundaries). */
	if ((uintptr_t)data % 8)
		return fail(err, errlen, "image at 0x%lx is not 8-byte aligned", (uintptr_t)data,
			    0);
	if (memcmp(eh->ident, "\177ELF", 4) != 0)
		return fail(err, errlen, "not an ELF file (bad magic)", 0, 0);
	if (eh->ident[4] != 2 || eh->ident[5] != 1)
		return fail(err, errlen, "not a 64-bit little-endian ELF", 0, 0);
	if (eh->type != ELF64_ET_EXEC)
		return fail(err, errlen, "ELF type %lu is not an executable", eh->type, 0);
	if (eh->machine != machine)
		return fail(err, errlen, "ELF machine %lu, expected %lu", eh->machine, machine);
	if (eh->phentsize != sizeof(struct elf64_phdr))
		return fail(err, errlen, "program header size %lu, expected %lu", eh->phentsize,
			    sizeof(struct elf64_phdr));
	if (eh->phnum == 0)
		return fail(err, errlen, "no program headers", 0, 0);
	if (eh->phoff > size || (uint64_t)eh->phnum * sizeof(struct elf64_phdr) > size - eh->phoff)
		return fail(err, errlen,
			    "program headers at %lu run past the end of the file (%lu)", eh->phoff,
			    size);
	if (eh->phoff % 8)
		return fail(err, errlen, "program headers at %lu are not 8-byte aligned", eh->phoff,
			    0);

	img->lowest = UINT64_MAX;
	int entry_ok = 0;
	for (unsigned i = 0; i < eh->phnum; i++) {
		const struct elf64_phdr *ph = phdr(img, i);

		if (ph->type != ELF64_PT_LOAD)
			continue;
		if (ph->filesz > ph->memsz)
			return fail(err, errlen, "segment %lu: file size exceeds memory size", i,
				    0);
		if (ph->offset > size || ph->filesz > size - ph->offset)
			return fail(err, errlen,
				    "segment %lu: data runs past the end of the file (%lu)", i,
				    size);
		if (ph->paddr + ph->memsz < ph->paddr)
			return fail(err, errlen, "segment %lu: address 0x%lx wraps around", i,
				    ph->paddr);
		if (ph->paddr < img->lowest)
			img->lowest = ph->paddr;
		if (ph->paddr + ph->memsz > img->highest)
			img->highest = ph->paddr + ph->memsz;
		if (ph->paddr + ph->filesz > img->file_end)
			img->file_end = ph->paddr + ph->filesz;
		if (eh->entry >= ph->paddr && eh->entry < ph->paddr + ph->memsz)
			entry_ok = 1;
		img->nload++;
	}
	if (img->nload == 0)
		return fail(err, errlen, "no loadable segments", 0, 0);
	if (!entry_ok)
		return fail(err, errlen, "entry point 0x%lx is outside every loadable segment",
			    eh->entry, 0);
	if (img->file_end < img->lowest)
		img->file_end = img->lowest;
	img->entry = eh->entry;
	return 0;
}

int elf_load(const struct elf_image *img, uint64_t base, uint64_t size, void *host, char *err,
	     size_t errlen)
{
	const struct elf64_ehdr *eh = (const void *)img->data;

	/* Differences, not base + size, which could wrap. */
	if (img->lowest < base || img->highest - base > size)
		return fail(err, errlen, "segments span 0x%lx-0x%lx, outside the partition's RAM",
			    img->lowest, img->highest);
	for (unsigned i = 0; i < eh->phnum; i++) {
		const struct elf64_phdr *ph = phdr(img, i);
		uint8_t *dst;

		/* Only a PT_LOAD's address was checked: another header's may point anywhere, and
		 * even forming a pointer from it outside the buffer is undefined. */
		if (ph->type != ELF64_PT_LOAD)
			continue;
		dst = (uint8_t *)host + (ph->paddr - base);
		memcpy(dst, img->data + ph->offset, ph->filesz);
	}
	return 0;
}

/*
 * elf_check/elf_load against hand-built ELF64 images: one valid image, then one fault at a time,
 * so each check in hv/elf.c is shown to fire on exactly the input it exists for.
 */
#include <elf64.h>
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include <arch/types.h>

#include "hv/elf.h"

#define RAM    0x80000000UL
#define PHOFF  64
#define DATA   0x100
#define FILESZ 16
#define MEMSZ  64

_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF64 header layout");
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF64 program header layout");

struct t_elf {
	union {
		uint8_t bytes[DATA + FILESZ];
		uint64_t align;
	};
	size_t size;
};

static struct elf64_ehdr *eh(struct t_elf *e)
{
	return (struct elf64_ehdr *)e->bytes;
}

static struct elf64_phdr *ph(struct t_elf *e, unsigned i)
{
	return (struct elf64_phdr *)(e->bytes + PHOFF + i * sizeof(struct elf64_phdr));
}

/* A PT_NOTE first (which must be skipped), then one PT_LOAD with 16 bytes of data and 48 of bss. */
static void make_valid(struct t_elf *e)
{
	memset(e, 0, sizeof(*e));
	e->size = sizeof(e->bytes);
	memcpy(eh(e)->ident, "\177ELF\2\1\1", 7);
	eh(e)->type = 2;
	eh(e)->machine = ARCH_ELF_MACHINE;
	eh(e)->version = 1;
	eh(e)->entry = RAM + 4;
	eh(e)->phoff = PHOFF;
	eh(e)->ehsize = 64;
	eh(e)->phentsize = sizeof(struct elf64_phdr);
	eh(e)->phnum = 2;
	*ph(e, 0) = (struct elf64_phdr){.type = 4, .offset = DATA, .filesz = 4};
	*ph(e, 1) = (struct elf64_phdr){.type = 1,
					.flags = 5,
					.offset = DATA,
					.vaddr = RAM,
					.paddr = RAM,
					.filesz = FILESZ,
					.memsz = MEMSZ,
					.align = 4096};
	for (unsigned i = 0; i < FILESZ; i++)
		e->bytes[DATA + i] = (uint8_t)(0x10 + i);
}

static char err[ELF_ERR_MAX];

static int check(struct t_elf *e, struct elf_image *img)
{
	memset(err, 0, sizeof(err));
	return elf_check(e->bytes, e->size, ARCH_ELF_MACHINE, img, err, sizeof(err));
}

static void expect_reject(struct t_elf *e, const char *word)
{
	struct elf_image img;

	cr_assert_eq(check(e, &img), -1, "accepted an image that should fail with \"%s\"", word);
	cr_assert(strstr(err, word), "error \"%s\" does not mention \"%s\"", err, word);
}

TestSuite(elf);

Test(elf, valid_image_checks)
{
	struct t_elf e;
	struct elf_image img;

	make_valid(&e);
	cr_assert_eq(check(&e, &img), 0, "%s", err);
	cr_assert_eq(img.entry, RAM + 4);
	cr_assert_eq(img.lowest, RAM);
	cr_assert_eq(img.highest, RAM + MEMSZ);
	cr_assert_eq(img.nload, 1);
}

Test(elf, valid_image_loads_its_file_bytes_and_leaves_bss_to_the_scrubbed_ram)
{
	struct t_elf e;
	struct elf_image img;
	static uint8_t ram[4096];

	make_valid(&e);
	cr_assert_eq(check(&e, &img), 0, "%s", err);
	memset(ram, 0xaa, sizeof(ram));
	cr_assert_eq(elf_load(&img, RAM, sizeof(ram), ram, err, sizeof(err)), 0, "%s", err);
	for (unsigned i = 0; i < FILESZ; i++)
		cr_assert_eq(ram[i], 0x10 + i, "byte %u", i);
	for (unsigned i = FILESZ; i < MEMSZ; i++)
		cr_assert_eq(ram[i], 0xaa, "bss byte %u written: the RAM is zero already", i);
	cr_assert_eq(ram[MEMSZ], 0xaa, "wrote past the segment");
}

Test(elf, segment_lands_at_its_paddr)
{
	struct t_elf e;
	struct elf_image img;
	static uint8_t ram[4096];

	make_valid(&e);
	ph(&e, 1)->paddr = RAM + 0x200;
	eh(&e)->entry = RAM + 0x200;
	cr_assert_eq(check(&e, &img), 0, "%s", err);
	memset(ram, 0xaa, sizeof(ram));
	cr_assert_eq(elf_load(&img, RAM, sizeof(ram), ram, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(ram[0x1ff], 0xaa);
	cr_assert_eq(ram[0x200], 0x10);
	cr_assert_eq(ram[0x200 + FILESZ - 1], 0x10 + FILESZ - 1);
	cr_assert_eq(ram[0x200 + FILESZ], 0xaa);
}

Test(elf, two_segments_set_bounds)
{
	struct t_elf e;
	struct elf_image img;

	make_valid(&e);
	*ph(&e, 0) = *ph(&e, 1);
	ph(&e, 0)->paddr = RAM + 0x1000;
	ph(&e, 0)->memsz = 0x80;
	cr_assert_eq(check(&e, &img), 0, "%s", err);
	cr_assert_eq(img.nload, 2);
	cr_assert_eq(img.lowest, RAM);
	cr_assert_eq(img.highest, RAM + 0x1080);
}

Test(elf, truncated_header)
{
	struct t_elf e;

	make_valid(&e);
	e.size = 63;
	expect_reject(&e, "truncated");
}

Test(elf, bad_magic)
{
	struct t_elf e;

	make_valid(&e);
	e.bytes[1] = 'X';
	expect_reject(&e, "magic");
}

Test(elf, elf32)
{
	struct t_elf e;

	make_valid(&e);
	e.bytes[4] = 1;
	expect_reject(&e, "64-bit");
}

Test(elf, big_endian)
{
	struct t_elf e;

	make_valid(&e);
	e.bytes[5] = 2;
	expect_reject(&e, "little-endian");
}

Test(elf, not_executable)
{
	struct t_elf e;

	make_valid(&e);
	eh(&e)->type = 3;
	expect_reject(&e, "not an executable");
}

Test(elf, wrong_machine)
{
	struct t_elf e;

	make_valid(&e);
	eh(&e)->machine = 62; /* EM_X86_64: another machine's image */
	expect_reject(&e, "machine 62");
}

Test(elf, wrong_phentsize)
{
	struct t_elf e;

	make_valid(&e);
	eh(&e)->phentsize = 32;
	expect_reject(&e, "program header size");
}

Test(elf, no_program_headers)
{
	struct t_elf e;

	make_valid(&e);
	eh(&e)->phnum = 0;
	expect_reject(&e, "no program headers");
}

Test(elf, phoff_past_end)
{
	struct t_elf e;

	make_valid(&e);
	eh(&e)->phoff = e.size + 8;
	expect_reject(&e, "past the end");
}

Test(elf, phoff_huge)
{
	struct t_elf e;

	make_valid(&e);
	eh(&e)->phoff = UINT64_MAX - 8;
	expect_reject(&e, "past the end");
}

/* Headers are read as structs in place: misaligned ones are refused, not read. */
Test(elf, phoff_misaligned)
{
	struct t_elf e;

	make_valid(&e);
	eh(&e)->phoff = PHOFF + 4;
	expect_reject(&e, "not 8-byte aligned");
}

Test(elf, image_misaligned)
{
	static uint64_t buf[(DATA + FILESZ) / 8 + 1];
	struct elf_image img;
	struct t_elf e;

	make_valid(&e);
	memcpy((uint8_t *)buf + 4, e.bytes, e.size);
	cr_assert_eq(
	    elf_check((uint8_t *)buf + 4, e.size, ARCH_ELF_MACHINE, &img, err, sizeof(err)), -1);
	cr_assert(strstr(err, "not 8-byte aligned"), "%s", err);
}

Test(elf, phnum_runs_past_end)
{
	struct t_elf e;

	make_valid(&e);
	eh(&e)->phnum = 0xffff;
	expect_reject(&e, "past the end");
}

Test(elf, segment_data_past_end)
{
	struct t_elf e;

	make_valid(&e);
	ph(&e, 1)->filesz = FILESZ + 1;
	ph(&e, 1)->memsz = MEMSZ;
	expect_reject(&e, "past the end");
}

Test(elf, segment_offset_wraps)
{
	struct t_elf e;

	make_valid(&e);
	ph(&e, 1)->offset = UINT64_MAX - 4;
	expect_reject(&e, "past the end");
}

Test(elf, filesz_exceeds_memsz)
{
	struct t_elf e;

	make_valid(&e);
	ph(&e, 1)->memsz = FILESZ - 1;
	expect_reject(&e, "exceeds memory size");
}

Test(elf, address_wraps)
{
	struct t_elf e;

	make_valid(&e);
	ph(&e, 1)->paddr = UINT64_MAX - 0xfff;
	ph(&e, 1)->memsz = 0x2000;
	eh(&e)->entry = UINT64_MAX - 0xfff;
	expect_reject(&e, "wraps");
}

Test(elf, entry_outside_segments)
{
	struct t_elf e;

	make_valid(&e);
	eh(&e)->entry = RAM + MEMSZ;
	expect_reject(&e, "entry point");
}

Test(elf, no_load_segment)
{
	struct t_elf e;

	make_valid(&e);
	ph(&e, 1)->type = 4;
	expect_reject(&e, "no loadable");
}

Test(elf, load_rejects_segment_below_ram)
{
	struct t_elf e;
	struct elf_image img;
	static uint8_t ram[4096];

	make_valid(&e);
	cr_assert_eq(check(&e, &img), 0, "%s", err);
	memset(ram, 0xaa, sizeof(ram));
	cr_assert_eq(elf_load(&img, RAM + 0x1000, sizeof(ram), ram, err, sizeof(err)), -1);
	cr_assert(strstr(err, "outside"), "%s", err);
	cr_assert_eq(ram[0], 0xaa, "wrote despite refusing");
}

Test(elf, load_rejects_segment_past_ram_end)
{
	struct t_elf e;
	struct elf_image img;
	static uint8_t ram[4096];

	make_valid(&e);
	cr_assert_eq(check(&e, &img), 0, "%s", err);
	cr_assert_eq(elf_load(&img, RAM, MEMSZ - 1, ram, err, sizeof(err)), -1);
	cr_assert(strstr(err, "outside"), "%s", err);
}

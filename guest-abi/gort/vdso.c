/*
 * The kernel side of the vDSO: maps the image built from vdso/ (embedded by vdso_blob.S) and its
 * data page into the program, and finds __vdso_rt_sigreturn in it for signal delivery.
 *
 * Layout, at the top of user space below the stack's gigabyte (mm.c keeps mmap below it too):
 *   base - 4096: vvar (user read-only), the time conversion the vDSO reads
 *   base:        the vDSO file as is (user read+exec); AT_SYSINFO_EHDR points here
 */
#include "gort.h"
#include "linux.h"
#include "mm.h"
#include "vvar.h"

#include <string.h>

/* 256 MiB below the top: 0x3ff0000000 with Sv39. */
#define VDSO_TOP_GAP (256UL << 20)

#define PT_DYNAMIC 2
#define DT_NULL	   0
#define DT_HASH	   4
#define DT_STRTAB  5
#define DT_SYMTAB  6

struct elf64_ehdr {
	uint8_t e_ident[16];
	uint16_t e_type, e_machine;
	uint32_t e_version;
	uint64_t e_entry, e_phoff, e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};

struct elf64_phdr {
	uint32_t p_type, p_flags;
	uint64_t p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
};

struct elf64_dyn {
	int64_t d_tag;
	uint64_t d_val;
};

struct elf64_sym {
	uint32_t st_name;
	uint8_t st_info, st_other;
	uint16_t st_shndx;
	uint64_t st_value, st_size;
};

extern const uint8_t vdso_image[], vdso_image_end[], vdso_image_pages_end[];

static union {
	struct vvar v;
	uint8_t page[PAGE_SIZE];
} vvar_page __attribute__((aligned(PAGE_SIZE)));

static uintptr_t vdso_base;
static uint64_t sigreturn_offset;

/* The value (an offset into the image: it is linked at 0) of a dynamic symbol, or 0. The image
 * is our own build, so its tables are trusted; the symbol count comes from DT_HASH's nchain. */
static uint64_t vdso_symbol(const char *name)
{
	const struct elf64_ehdr *eh = (const void *)vdso_image;
	const struct elf64_dyn *dyn = NULL;
	const uint32_t *hash = NULL;
	const struct elf64_sym *syms = NULL;
	const char *strs = NULL;

	for (unsigned i = 0; i < eh->e_phnum; i++) {
		const struct elf64_phdr *ph =
		    (const void *)(vdso_image + eh->e_phoff + (size_t)i * eh->e_phentsize);
		if (ph->p_type == PT_DYNAMIC)
			dyn = (const void *)(vdso_image + ph->p_offset);
	}
	for (; dyn && dyn->d_tag != DT_NULL; dyn++) {
		if (dyn->d_tag == DT_HASH)
			hash = (const void *)(vdso_image + dyn->d_val);
		else if (dyn->d_tag == DT_SYMTAB)
			syms = (const void *)(vdso_image + dyn->d_val);
		else if (dyn->d_tag == DT_STRTAB)
			strs = (const char *)(vdso_image + dyn->d_val);
	}
	if (!hash || !syms || !strs)
		return 0;
	for (uint32_t i = 1; i < hash[1]; i++)
		if (syms[i].st_shndx && !strcmp(strs + syms[i].st_name, name))
			return syms[i].st_value;
	return 0;
}

uintptr_t vdso_map(void)
{
	size_t len = (size_t)(vdso_image_pages_end - vdso_image);
	uintptr_t base = mm_user_top() - VDSO_TOP_GAP;
	uint64_t hz = gort_timebase();
	int err;

	if (!sigreturn_offset)
		sigreturn_offset = vdso_symbol("__vdso_rt_sigreturn");
	if (!sigreturn_offset)
		gort_fatal(1, "gort: the vDSO has no __vdso_rt_sigreturn");

	/* The same conversion time.c's clock_gettime uses (vvar.h), so both paths agree. */
	vvar_page.v.timebase_hz = hz;
	vvar_page.v.mult = vvar_mult(hz);
	vvar_page.v.shift = VVAR_SHIFT;
	vvar_page.v.realtime_offset_ns = gort_realtime_offset_ns();

	err = mm_map_kernel_pages(base - PAGE_SIZE, &vvar_page, PAGE_SIZE, PROT_READ);
	if (!err)
		err = mm_map_kernel_pages(base, vdso_image, len, PROT_READ | PROT_EXEC);
	if (err)
		gort_fatal(1, "gort: cannot map the vDSO at 0x%lx: %d", (unsigned long)base, err);
	vdso_base = base;
	return base;
}

uintptr_t vdso_sigreturn_addr(void)
{
	return vdso_base + sigreturn_offset;
}

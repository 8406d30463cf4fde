/* Loading the program: its ELF segments, then the initial stack Linux would build (argc, argv,
 * envp, auxv). */
#include <elf64.h>
#include <string.h>

#include "goos_call.h"
#include "gort.h"
#include "linux.h"
#include "mm.h"

#define STACK_SIZE (8UL << 20)

struct exec_info {
	uintptr_t entry, phdr;
	unsigned phnum;
};

static int seg_prot(uint32_t f)
{
	return (f & ELF64_PF_R ? VMA_READ : 0) | (f & ELF64_PF_W ? VMA_WRITE : 0) |
	       (f & ELF64_PF_X ? VMA_EXEC : 0);
}

/* Copies one segment's file bytes in, page by page; the rest of its memory reads as zero. */
static long load_segment(const uint8_t *file, const struct elf64_phdr *ph)
{
	uintptr_t start = ph->vaddr & ~(PAGE_SIZE - 1);
	uintptr_t end = (ph->vaddr + ph->memsz + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	int prot = seg_prot(ph->flags);

	if (mm_map_fixed(start, end - start, prot))
		return -ENOMEM;
	/* The whole pages of a segment that is never written (text, rodata) are the initrd's own,
	 * mapped in place when the archive put them on page boundaries (tools/gohv pads a big
	 * file's name to that): no copy, and no zeroed page under it. The rest is copied. */
	uint64_t off = 0, whole = 0;
	if (!(prot & VMA_WRITE) && !(ph->vaddr & (PAGE_SIZE - 1)))
		whole = ph->filesz & ~(PAGE_SIZE - 1);
	if (whole && mm_map_file(ph->vaddr, whole, prot, file + ph->offset) == 0)
		off = whole;
	while (off < ph->filesz) {
		uintptr_t va = ph->vaddr + off;
		size_t chunk = PAGE_SIZE - (va & (PAGE_SIZE - 1));
		if (chunk > ph->filesz - off)
			chunk = ph->filesz - off;
		memcpy(mm_populate(va, ACCESS_WRITE), file + ph->offset + off, chunk);
		off += chunk;
	}
	return 0;
}

long exec_check(const uint8_t *file, size_t size, const char **why)
{
	const struct elf64_ehdr *eh = (const void *)file;

	*why = "is not a static riscv64 ELF executable";
	if (size < sizeof(*eh) || memcmp(eh->ident, "\177ELF", 4) || eh->ident[4] != 2 ||
	    eh->machine != ELF64_EM_RISCV || eh->type != ELF64_ET_EXEC)
		return -ENOEXEC;
	*why = "has bad program headers";
	if (eh->phentsize != sizeof(struct elf64_phdr) || eh->phoff > size ||
	    (uint64_t)eh->phnum * sizeof(struct elf64_phdr) > size - eh->phoff)
		return -ENOEXEC;
	const struct elf64_phdr *ph = (const void *)(file + eh->phoff);
	for (unsigned i = 0; i < eh->phnum; i++) {
		*why = "is dynamically linked; build it with CGO_ENABLED=0";
		if (ph[i].type == ELF64_PT_INTERP)
			return -ENOEXEC;
		*why = "has a segment outside the file or the address space";
		if (ph[i].type == ELF64_PT_LOAD &&
		    (ph[i].offset > size || ph[i].filesz > size - ph[i].offset ||
		     ph[i].filesz > ph[i].memsz || ph[i].vaddr + ph[i].memsz < ph[i].vaddr ||
		     ph[i].vaddr + ph[i].memsz > mm_user_top()))
			return -ENOEXEC;
	}
	return 0;
}

/* The segments of a file exec_check accepted, into the current address space. */
static long load_elf(const uint8_t *file, struct exec_info *ei)
{
	const struct elf64_ehdr *eh = (const void *)file;
	const struct elf64_phdr *ph = (const void *)(file + eh->phoff);

	ei->entry = eh->entry;
	ei->phnum = eh->phnum;
	ei->phdr = 0;
	for (unsigned i = 0; i < eh->phnum; i++) {
		if (ph[i].type != ELF64_PT_LOAD)
			continue;
		long err = load_segment(file, &ph[i]);
		if (err)
			return err;
		/* The program headers as mapped: inside the segment that holds file offset phoff.
		 */
		if (eh->phoff >= ph[i].offset && eh->phoff < ph[i].offset + ph[i].filesz)
			ei->phdr = ph[i].vaddr + (eh->phoff - ph[i].offset);
	}
	return 0;
}

/* Builds the stack top-down with copy_to_user; returns the new sp. */
struct stack_builder {
	uintptr_t sp;
	bool fault;
};

static uintptr_t push_bytes(struct stack_builder *b, const void *data, size_t len)
{
	b->sp -= len;
	if (copy_to_user(b->sp, data, len))
		b->fault = true;
	return b->sp;
}

static uintptr_t push_string(struct stack_builder *b, const char *s)
{
	return push_bytes(b, s, strlen(s) + 1);
}

long exec_load(const char *path, const uint8_t *file, const char *const *argv,
	       const char *const *envp, uintptr_t *entry, uintptr_t *sp_out)
{
	struct exec_info ei;
	static uintptr_t uargv[EXEC_MAX_ARGS], uenvp[EXEC_MAX_ARGS]; /* the big lock */
	long err = load_elf(file, &ei);

	if (err)
		return err;
	uintptr_t top = mm_user_top() - (16UL << 20);
	if (mm_map_fixed(top - STACK_SIZE, STACK_SIZE, VMA_READ | VMA_WRITE))
		return -ENOMEM;
	uintptr_t vdso = vdso_map();

	struct stack_builder b = {top, false};
	uint8_t random[16];
	goos(GOOS_FN_ENTROPY, (uintptr_t)random, sizeof(random), 0, 0);
	uintptr_t at_random = push_bytes(&b, random, sizeof(random));
	uintptr_t execfn = push_string(&b, path);
	unsigned argc = 0, envc = 0;
	for (; argv[argc] && argc < EXEC_MAX_ARGS; argc++)
		uargv[argc] = push_string(&b, argv[argc]);
	for (; envp[envc] && envc < EXEC_MAX_ARGS; envc++)
		uenvp[envc] = push_string(&b, envp[envc]);

	/* hwcap: one bit per single-letter extension, as Linux reports them. */
	unsigned long hwcap = 0;
	for (const char *e = "imafdc"; *e; e++)
		hwcap |= 1UL << (*e - 'a');
	unsigned long auxv[] = {
	    AT_PHDR,	     ei.phdr,	AT_PHENT,  sizeof(struct elf64_phdr),
	    AT_PHNUM,	     ei.phnum,	AT_PAGESZ, PAGE_SIZE,
	    AT_BASE,	     0,		AT_FLAGS,  0,
	    AT_ENTRY,	     ei.entry,	AT_UID,	   0,
	    AT_EUID,	     0,		AT_GID,	   0,
	    AT_EGID,	     0,		AT_HWCAP,  hwcap,
	    AT_CLKTCK,	     100,	AT_SECURE, 0,
	    AT_RANDOM,	     at_random, AT_EXECFN, execfn,
	    AT_SYSINFO_EHDR, vdso,	AT_NULL,   0,
	};
	/* argc, argv[], NULL, envp[], NULL, auxv: 16-byte aligned at argc. */
	size_t words = 1 + argc + 1 + envc + 1 + sizeof(auxv) / 8;
	b.sp = (b.sp - words * 8) & ~15UL;
	uintptr_t sp = b.sp, p = sp;
	uint64_t v = argc, zero = 0;
	b.fault |= copy_to_user(p, &v, 8) != 0;
	p += 8;
	b.fault |= copy_to_user(p, uargv, argc * 8) != 0;
	p += argc * 8;
	b.fault |= copy_to_user(p, &zero, 8) != 0;
	p += 8;
	b.fault |= copy_to_user(p, uenvp, envc * 8) != 0;
	p += envc * 8;
	b.fault |= copy_to_user(p, &zero, 8) != 0;
	p += 8;
	b.fault |= copy_to_user(p, auxv, sizeof(auxv)) != 0;
	if (b.fault)
		return -E2BIG;
	*entry = ei.entry;
	*sp_out = sp;
	return 0;
}

uintptr_t exec_program(const char *path, const char *const *argv, const char *const *envp,
		       uintptr_t *entry)
{
	size_t size;
	const uint8_t *file = fs_file_data(path, &size);
	const char *why;
	uintptr_t sp;

	if (!file)
		gort_fatal(127, "program %s is not in the packed files", path);
	if (exec_check(file, size, &why))
		gort_fatal(126, "%s %s", path, why);
	if (exec_load(path, file, argv, envp, entry, &sp))
		gort_fatal(2, "program %s does not fit the address space", path);
	return sp;
}

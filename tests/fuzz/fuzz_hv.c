#include "fuzz_hv.h"

#include <elf.h>
#include <sanitizer/asan_interface.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "arch/host/host.h"
#include "tests/unit/host_machine.h"

uint8_t *fuzz_arena;

void *fuzz_config_alloc(void *allocs, size_t size)
{
	struct fuzz_allocs *a = allocs;

	FUZZ_CHECK(a->n < FUZZ_ALLOCS_MAX, "config_parse allocated %u times", a->n + 1);
	return a->ptr[a->n++] = malloc(size ? size : 1);
}

void fuzz_allocs_free(struct fuzz_allocs *a)
{
	for (unsigned i = 0; i < a->n; i++)
		free(a->ptr[i]);
	a->n = 0;
}
static size_t arena_size;
size_t fuzz_console_bytes;

void fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz: %s:%d: invariant %s broken: ", file, line, cond);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

static void sink(void *ctx, const char *s, size_t n)
{
	fuzz_console_bytes += n;
	if (getenv("FUZZ_CONSOLE"))
		fwrite(s, 1, n, stderr);
}

/* Only a harness that ends every partition expects the machine to power off; a panic is a bug. */
static void system_off(bool failure)
{
	fuzz_fail(__FILE__, __LINE__, "no power-off", "the machine powered off (%s)",
		  failure ? "failure" : "all partitions ended");
}

void fuzz_hv_reset(unsigned ncpus, size_t arena)
{
	if (!fuzz_arena) {
		fuzz_arena = aligned_alloc(CONFIG_MEM_ALIGN, FUZZ_ARENA_MAX);
		if (!fuzz_arena)
			abort();
	}
	ASAN_UNPOISON_MEMORY_REGION(fuzz_arena, arena_size);
	arena_size = arena < FUZZ_ARENA_MAX ? arena : FUZZ_ARENA_MAX;
	memset(&hv, 0, sizeof(hv));
	host_machine_init(ncpus);
	host.on_system_off = system_off;
	fuzz_console_bytes = 0;
	console_init(&hv.console, sink, NULL);
	hv.config.time_slice_us = CONFIG_SLICE_US_DEFAULT;
	static uint64_t bitmap[FUZZ_ARENA_MAX / PAGE_SIZE / 64];
	page_alloc_init(&hv.pages, (uint64_t)(uintptr_t)fuzz_arena, arena_size / PAGE_SIZE, bitmap);
	drbg_seed(&hv.root_rng, "fuzz root seed", 14);
}

void fuzz_hv_guard(void)
{
	(void)page_alloc(&hv.pages, CONFIG_MEM_ALIGN / PAGE_SIZE, CONFIG_MEM_ALIGN);
}

/* A partition's stage-2 tables (arch/riscv64/stage2.c's Sv39x4 layout, which the host build
 * uses): the hv walks and extends them when RAM is first touched (hv/guest_ram.c). */
static void unpoison_tables(uint64_t *table, unsigned entries, int level)
{
	ASAN_UNPOISON_MEMORY_REGION(table, entries * sizeof(uint64_t));
	for (unsigned i = 0; level > 0 && i < entries; i++) {
		uint64_t pte = table[i];

		if ((pte & 1) && !(pte & 0xe)) /* valid, not a leaf */
			unpoison_tables(arch_pa_to_va((pte >> 10) << 12), 512, level - 1);
	}
}

void fuzz_hv_fence(void)
{
	ASAN_POISON_MEMORY_REGION(fuzz_arena, arena_size);
	for (unsigned i = 0; i < hv.npartitions; i++) {
		const struct partition *p = &hv.partitions[i];

		if (p->state == PART_REFUSED || !p->ram)
			continue;
		ASAN_UNPOISON_MEMORY_REGION(p->ram, p->ram_size);
		ASAN_UNPOISON_MEMORY_REGION(p->ram_present,
					    guest_ram_bitmap_words(p->ram_size) * sizeof(uint64_t));
		unpoison_tables(p->s2.root, 2048, 2);
	}
	/* Free pages are the hv's to take: a table for RAM first touched later. */
	for (size_t i = 0; i < hv.pages.npages; i++)
		if (!(hv.pages.bitmap[i / 64] & (1UL << (i % 64))))
			ASAN_UNPOISON_MEMORY_REGION(arch_pa_to_va(hv.pages.base + i * PAGE_SIZE),
						    PAGE_SIZE);
}

static bool held(const spinlock_t *l)
{
	return __atomic_load_n(&l->locked, __ATOMIC_RELAXED);
}

/* Every lock of hv.h's lock order: one left out lets a turn played inside a port call spin on
 * a lock its own CPU holds (the fuzzer's timeout, as p->ram_lock's absence once gave). */
bool fuzz_hv_locked(void)
{
	/* The console's ticket lock is held while a ticket is being served. */
	if (hv.console.next != hv.console.serving || held(&hv.rng_lock) || held(&hv.pages.lock))
		return true;
	for (unsigned i = 0; i < hv.ncpus; i++)
		if (held(&hv.cpus[i].sched.lock))
			return true;
	for (unsigned i = 0; i < hv.npartitions; i++)
		if (held(&hv.partitions[i].lock) || held(&hv.partitions[i].ram_lock))
			return true;
	for (unsigned i = 0; i < hv.ndevices; i++)
		if (held(&hv.devices[i].lock))
			return true;
	return false;
}

/* c.j . (a jump to itself): what the image holds does not matter, the host port never runs it. */
static struct {
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	uint8_t code[16];
} tiny = {
    .eh =
	{
	    .e_ident = {ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64, ELFDATA2LSB, EV_CURRENT},
	    .e_type = ET_EXEC,
	    .e_machine = ARCH_ELF_MACHINE,
	    .e_version = EV_CURRENT,
	    .e_entry = GUEST_RAM_BASE,
	    .e_phoff = sizeof(Elf64_Ehdr),
	    .e_ehsize = sizeof(Elf64_Ehdr),
	    .e_phentsize = sizeof(Elf64_Phdr),
	    .e_phnum = 1,
	},
    .ph =
	{
	    .p_type = PT_LOAD,
	    .p_flags = PF_R | PF_X,
	    .p_offset = sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr),
	    .p_vaddr = GUEST_RAM_BASE,
	    .p_paddr = GUEST_RAM_BASE,
	    .p_filesz = 16,
	    .p_memsz = 0x2000,
	    .p_align = 0x1000,
	},
    .code = {0x01, 0xa0},
};

const uint8_t *fuzz_tiny_elf(size_t *size)
{
	*size = sizeof(tiny);
	return (const uint8_t *)&tiny;
}

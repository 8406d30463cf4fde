/*
 * Memory: partition RAM as a page pool, an address space (page table and mappings) per process,
 * demand paging, the mmap family and the copies between gort and user memory. All under the big
 * lock. The calls act on the current address space (mm_use): the process the kernel acts for.
 *
 * gort reaches RAM at its physical address (mapped one-to-one, not user-accessible) and reaches
 * user memory only by walking the page table, so a bad user pointer is an -EFAULT, never a fault
 * inside gort.
 */
#include "mm.h"

#include <string.h>

#include "goos_call.h"
#include "gort.h"
#include "linux.h"
#include "riscv.h"

#define PTE_V	      (1UL << 0)
#define PTE_R	      (1UL << 1)
#define PTE_W	      (1UL << 2)
#define PTE_X	      (1UL << 3)
#define PTE_U	      (1UL << 4)
#define PTE_G	      (1UL << 5)
#define PTE_A	      (1UL << 6)
#define PTE_D	      (1UL << 7)
#define PTE_PPN_SHIFT 10
/* A page of the initrd mapped in place (mm_map_file): never freed, never writable; RSW bit. */
#define PTE_FILE (1UL << 8)

#define MAX_VMAS 2048
/* Pages no writable mapping may count on: gort's page tables and its own kernel pages; 1 MiB, or
 * a sixteenth of a pool under 16 MiB (a small program needs fewer tables). */
#define MM_RESERVE_PAGES 256

#define VMA_PAGES   ((MAX_VMAS * sizeof(struct vma) + PAGE_SIZE - 1) / PAGE_SIZE)
#define MAX_WINDOWS 16

struct vma {
	uintptr_t start, end;
	int prot;
};

/* One address space: a page table (which also maps gort's RAM for gort) and its mappings. */
struct aspace {
	bool used;
	uint64_t *root;
	unsigned long satp;
	struct vma *vmas; /* MAX_VMAS of them, VMA_PAGES contiguous pages of the pool */
	unsigned nvmas;
	uintptr_t mmap_top;
};

static struct {
	uint64_t ram_base, ram_end;
	uint64_t pool_base; /* first page of the pool */
	uint64_t npages, nfree, hint;
	/* No page from here on was ever handed out: the hv gave gort its RAM zeroed (the ABI), so
	 * those need no clearing. */
	uint64_t fresh;
	uint64_t low;		      /* the fewest pages ever free */
	uint64_t file_base, file_end; /* the initrd: what mm_map_file may map in place */
	uint8_t *bitmap;
	int levels;	   /* 3 (Sv39) or 4 (Sv48) */
	struct aspace *as; /* the current one */
	/* gort's own: its RAM and channel windows only, no mappings; a vCPU with no process to
	 * run (and the kernel between processes) is on it. */
	struct aspace kernel;
	struct aspace spaces[GORT_MAX_PROCS];
	struct {
		uint64_t pa;
		size_t len;
	} windows[MAX_WINDOWS]; /* mm_map_kernel_window's, for every new address space */
	unsigned nwindows;
} mm;

/* ---------------------------------------------------------------- physical pages */

static void *page_alloc(void)
{
	for (uint64_t n = 0; n < mm.npages; n++) {
		uint64_t i = (mm.hint + n) % mm.npages;

		if (!(mm.bitmap[i / 8] & (1u << (i % 8)))) {
			mm.bitmap[i / 8] |= 1u << (i % 8);
			mm.nfree--;
			if (mm.nfree < mm.low)
				mm.low = mm.nfree;
			mm.hint = i + 1;
			void *p = (void *)(uintptr_t)(mm.pool_base + i * PAGE_SIZE);
			if (i < mm.fresh)
				memset(p, 0, PAGE_SIZE);
			else
				mm.fresh = i + 1;
			return p;
		}
	}
	return NULL;
}

static void page_free(uint64_t pa)
{
	uint64_t i = (pa - mm.pool_base) / PAGE_SIZE;

	if (pa < mm.pool_base || i >= mm.npages || !(mm.bitmap[i / 8] & (1u << (i % 8))))
		gort_fatal(2, "freeing page 0x%lx that is not allocated", (unsigned long)pa);
	mm.bitmap[i / 8] &= ~(1u << (i % 8));
	mm.nfree++;
}

static void *page_alloc_or_die(void)
{
	void *p = page_alloc();

	if (!p)
		gort_fatal(2, "out of memory: the program needs more than this partition's %lu MiB",
			   (unsigned long)((mm.ram_end - mm.ram_base) >> 20));
	return p;
}

/* n contiguous zeroed pages (an address space's mapping list). */
static void *page_alloc_run(uint64_t n)
{
	for (uint64_t i = 0; i + n <= mm.npages; i++) {
		uint64_t k = 0;
		while (k < n && !(mm.bitmap[(i + k) / 8] & (1u << ((i + k) % 8))))
			k++;
		if (k < n) {
			i += k;
			continue;
		}
		for (k = 0; k < n; k++)
			mm.bitmap[(i + k) / 8] |= 1u << ((i + k) % 8);
		mm.nfree -= n;
		if (mm.nfree < mm.low)
			mm.low = mm.nfree;
		void *p = (void *)(uintptr_t)(mm.pool_base + i * PAGE_SIZE);
		if (i < mm.fresh)
			memset(p, 0, (mm.fresh - i < n ? mm.fresh - i : n) * PAGE_SIZE);
		if (i + n > mm.fresh)
			mm.fresh = i + n;
		return p;
	}
	return NULL;
}

void *mm_kernel_page(void)
{
	return page_alloc();
}

void mm_kernel_page_free(void *page)
{
	page_free((uint64_t)(uintptr_t)page);
}

uint64_t mm_free_pages(void)
{
	return mm.nfree;
}

uint64_t mm_total_pages(void)
{
	return mm.npages;
}

uint64_t mm_peak_pages(void)
{
	return mm.npages - mm.low;
}

/* ---------------------------------------------------------------- page table */

static unsigned vpn(uintptr_t va, int level)
{
	return (va >> (12 + 9 * level)) & 0x1ff;
}

static uint64_t *pte_table(uint64_t pte)
{
	return (uint64_t *)(uintptr_t)((pte >> PTE_PPN_SHIFT) << 12);
}

static uint64_t pte_pa(uint64_t pte)
{
	return (pte >> PTE_PPN_SHIFT) << 12;
}

/* The level-0 entry for va; creates tables when create is set (NULL if it cannot). */
static uint64_t *walk(uintptr_t va, bool create)
{
	uint64_t *table = mm.as->root;

	for (int l = mm.levels - 1; l > 0; l--) {
		uint64_t *pte = &table[vpn(va, l)];

		if (!(*pte & PTE_V)) {
			if (!create)
				return NULL;
			uint64_t *next = page_alloc_or_die();
			*pte = (((uintptr_t)next >> 12) << PTE_PPN_SHIFT) | PTE_V;
		} else if (*pte & (PTE_R | PTE_W | PTE_X)) {
			return NULL; /* gort's own large pages: never user memory */
		}
		table = pte_table(*pte);
	}
	return &table[vpn(va, 0)];
}

/* The level-0 table that holds va's entry, *next the end of the span it covers; or NULL when
 * there is none, *next then the end of the hole va is in (0 if that wraps). */
static uint64_t *leaf_table(uintptr_t va, uintptr_t *next)
{
	uint64_t *table = mm.as->root;

	for (int l = mm.levels - 1; l >= 0; l--) {
		uintptr_t span = PAGE_SIZE << (9 * (l + 1)); /* what one table at this level maps */

		*next = (va & ~(span - 1)) + span;
		if (l == 0)
			return table;
		uint64_t pte = table[vpn(va, l)];

		if (!(pte & PTE_V) || (pte & (PTE_R | PTE_W | PTE_X))) {
			/* No table below (or gort's own large page): the whole entry is a hole. */
			*next = (va & ~((span >> 9) - 1)) + (span >> 9);
			return NULL;
		}
		table = pte_table(pte);
	}
	return NULL;
}

static uint64_t prot_bits(int prot)
{
	uint64_t b = PTE_V | PTE_U | PTE_A | PTE_D;

	/* RISC-V has no write-only pages; Linux gives read with write too. */
	if (prot & (VMA_READ | VMA_WRITE))
		b |= PTE_R;
	if (prot & VMA_WRITE)
		b |= PTE_W;
	if (prot & VMA_EXEC)
		b |= PTE_X;
	return b;
}

static void tlb_flush(void)
{
	sfence_vma_all();
	/* Other vCPUs: SBI RFENCE remote_sfence_vma over all of them. */
	goos_call6(0x52464E43, 1, 0, ~0UL, 0, 0);
}

/* ---------------------------------------------------------------- mappings */

static struct vma *vma_find(uintptr_t va)
{
	for (unsigned i = 0; i < mm.as->nvmas; i++)
		if (va >= mm.as->vmas[i].start && va < mm.as->vmas[i].end)
			return &mm.as->vmas[i];
	return NULL;
}

static bool range_free(uintptr_t start, uintptr_t end)
{
	for (unsigned i = 0; i < mm.as->nvmas; i++)
		if (start < mm.as->vmas[i].end && end > mm.as->vmas[i].start)
			return false;
	return true;
}

static bool range_valid(uintptr_t start, size_t len)
{
	uintptr_t end = start + len;

	if (end < start || start < PAGE_SIZE || end > mm_user_top())
		return false;
	/* gort's own RAM window is not user address space. */
	return end <= mm.ram_base || start >= mm.ram_end;
}

/* Unmaps and frees the pages of [start, end) (mappings stay); the initrd's own pages are only
 * unmapped, or with keep_file left as they are (they read as the file either way). */
static void free_pages(uintptr_t start, uintptr_t end, bool special, bool keep_file)
{
	bool any = false;

	/* A leaf table at a time, over the holes a whole table's span at a time: Go unmaps and
	 * advises away large ranges it mostly never touched (a walk per page was most of the
	 * runtime's start-up work in gort). */
	for (uintptr_t va = start, next = end; va < end; va = next) {
		uint64_t *table = leaf_table(va, &next);

		if (next <= va || next > end)
			next = end;
		for (uintptr_t p = va; table && p < next; p += PAGE_SIZE) {
			uint64_t *pte = &table[vpn(p, 0)];

			if (!(*pte & PTE_V) || (keep_file && (*pte & PTE_FILE)))
				continue;
			if (!special && !(*pte & PTE_FILE))
				page_free(pte_pa(*pte));
			*pte = 0;
			any = true;
		}
	}
	if (any)
		tlb_flush();
}

/* Removes [start, end) from the mapping list, splitting mappings that straddle it. */
static int vma_remove(uintptr_t start, uintptr_t end)
{
	for (unsigned i = 0; i < mm.as->nvmas; i++) {
		struct vma *v = &mm.as->vmas[i];

		if (end <= v->start || start >= v->end)
			continue;
		free_pages(start > v->start ? start : v->start, end < v->end ? end : v->end,
			   v->prot & VMA_SPECIAL, false);
		if (start > v->start && end < v->end) {
			if (mm.as->nvmas == MAX_VMAS)
				return -ENOMEM;
			memmove(v + 2, v + 1, (mm.as->nvmas - i - 1) * sizeof(*v));
			mm.as->nvmas++;
			v[1] = (struct vma){end, v->end, v->prot};
			v->end = start;
			i++;
		} else if (start > v->start) {
			v->end = start;
		} else if (end < v->end) {
			v->start = end;
		} else {
			memmove(v, v + 1, (mm.as->nvmas - i - 1) * sizeof(*v));
			mm.as->nvmas--;
			i--;
		}
	}
	return 0;
}

/* Inserts [start, end) (which is free) in order, merging with equal neighbours. */
static int vma_insert(uintptr_t start, uintptr_t end, int prot)
{
	unsigned i = 0;

	while (i < mm.as->nvmas && mm.as->vmas[i].start < start)
		i++;
	if (i > 0 && mm.as->vmas[i - 1].end == start && mm.as->vmas[i - 1].prot == prot &&
	    !(prot & VMA_SPECIAL)) {
		mm.as->vmas[i - 1].end = end;
		if (i < mm.as->nvmas && mm.as->vmas[i].start == end &&
		    mm.as->vmas[i].prot == prot) {
			mm.as->vmas[i - 1].end = mm.as->vmas[i].end;
			memmove(&mm.as->vmas[i], &mm.as->vmas[i + 1],
				(mm.as->nvmas - i - 1) * sizeof(struct vma));
			mm.as->nvmas--;
		}
		return 0;
	}
	if (i < mm.as->nvmas && mm.as->vmas[i].start == end && mm.as->vmas[i].prot == prot &&
	    !(prot & VMA_SPECIAL)) {
		mm.as->vmas[i].start = start;
		return 0;
	}
	if (mm.as->nvmas == MAX_VMAS)
		return -ENOMEM;
	memmove(&mm.as->vmas[i + 1], &mm.as->vmas[i], (mm.as->nvmas - i) * sizeof(struct vma));
	mm.as->vmas[i] = (struct vma){start, end, prot};
	mm.as->nvmas++;
	return 0;
}

int mm_map_fixed(uintptr_t uva, size_t len, int prot)
{
	if (!range_valid(uva, len))
		return -EINVAL;
	int err = vma_remove(uva, uva + len);
	return err ? err : vma_insert(uva, uva + len, prot);
}

/* A free range of len bytes, top-down below mmap_top, as Linux picks one. */
static uintptr_t find_gap(size_t len)
{
	uintptr_t end = mm.as->mmap_top;

	for (;;) {
		if (end < len + PAGE_SIZE)
			return 0;
		uintptr_t start = end - len;
		if (!range_valid(start, len)) {
			end = start < mm.ram_end && end > mm.ram_base ? mm.ram_base : start;
			continue;
		}
		bool clash = false;
		for (unsigned i = mm.as->nvmas; i-- > 0;) {
			if (start < mm.as->vmas[i].end && end > mm.as->vmas[i].start) {
				end = mm.as->vmas[i].start;
				clash = true;
				break;
			}
		}
		if (!clash)
			return start;
	}
}

static int linux_prot(unsigned long prot)
{
	return (prot & PROT_READ ? VMA_READ : 0) | (prot & PROT_WRITE ? VMA_WRITE : 0) |
	       (prot & PROT_EXEC ? VMA_EXEC : 0);
}

/* Whether a new writable mapping of npages could be backed by the pages free now, with a reserve
 * kept for the page tables it needs and for gort's own pages. Go maps its heap a few MiB at a
 * time, just before it writes there (sysMap), and keeps far larger ranges PROT_NONE: refusing the
 * writable mapping that could not be backed makes the runtime itself say "fatal error: runtime:
 * out of memory" while there are still pages for its last words, and only once the RAM is really
 * used up. A mapping larger than an eighth of the RAM needs only that eighth free: such mappings
 * are sparse tables (Go's 32 MiB arena index, written a word per 64 MiB of heap, on partitions of
 * 32 MiB too) or one huge object whose pages come as it is written. The pages of older mappings
 * not yet touched are not held back for them (Linux does not either): a program that touches them
 * once the pool is empty ends with gort's out-of-memory line, Linux's OOM kill. */
static bool can_back(uint64_t npages)
{
	uint64_t cap = mm.npages / 8;
	uint64_t need = npages < cap ? npages : cap;
	uint64_t tables = need / 512 + 2; /* one level-0 table per 2 MiB, and the ends */
	uint64_t reserve = mm.npages / 16 < MM_RESERVE_PAGES ? mm.npages / 16 : MM_RESERVE_PAGES;
	return need + tables + reserve <= mm.nfree;
}

long sys_mmap(struct thread *t, const struct syscall_args *a)
{
	uintptr_t addr = a->a[0];
	size_t len = (a->a[1] + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	unsigned long flags = a->a[3];
	int prot = linux_prot(a->a[2]);

	if (!len || len < a->a[1] || (addr & (PAGE_SIZE - 1)))
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS))
		return -ENODEV; /* file mappings: the tree is read with read() */
	if ((prot & VMA_WRITE) && !can_back(len / PAGE_SIZE))
		return -ENOMEM;
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		if (!range_valid(addr, len))
			return -ENOMEM;
		if ((flags & MAP_FIXED_NOREPLACE) && !range_free(addr, addr + len))
			return -EEXIST;
		int err = mm_map_fixed(addr, len, prot);
		return err ? err : (long)addr;
	}
	if (!addr || !range_valid(addr, len) || !range_free(addr, addr + len))
		addr = find_gap(len);
	if (!addr)
		return -ENOMEM;
	int err = vma_insert(addr, addr + len, prot);
	return err ? err : (long)addr;
}

long sys_munmap(struct thread *t, const struct syscall_args *a)
{
	uintptr_t addr = a->a[0];
	size_t len = (a->a[1] + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);

	if ((addr & (PAGE_SIZE - 1)) || !len || !range_valid(addr, len))
		return -EINVAL;
	return vma_remove(addr, addr + len);
}

/* Splits the mapping that strictly contains addr into two at addr (no page is touched). */
static int vma_split_at(uintptr_t addr)
{
	for (unsigned i = 0; i < mm.as->nvmas; i++) {
		struct vma *v = &mm.as->vmas[i];

		if (addr <= v->start || addr >= v->end)
			continue;
		if (mm.as->nvmas == MAX_VMAS)
			return -ENOMEM;
		memmove(v + 1, v, (mm.as->nvmas - i) * sizeof(*v));
		mm.as->nvmas++;
		v[0].end = addr;
		v[1].start = addr;
		return 0;
	}
	return 0;
}

long sys_mprotect(struct thread *t, const struct syscall_args *a)
{
	uintptr_t addr = a->a[0];
	size_t len = (a->a[1] + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	int prot = linux_prot(a->a[2]);
	uintptr_t end = addr + len;

	if ((addr & (PAGE_SIZE - 1)) || !range_valid(addr, len))
		return -EINVAL;
	for (uintptr_t va = addr; va < end; va += PAGE_SIZE) {
		struct vma *v = vma_find(va);
		if (!v)
			return -ENOMEM;
		if (v->prot & VMA_SPECIAL)
			return -EACCES;
	}
	if (vma_split_at(addr) || vma_split_at(end))
		return -ENOMEM;
	for (unsigned i = 0; i < mm.as->nvmas; i++)
		if (mm.as->vmas[i].start >= addr && mm.as->vmas[i].end <= end)
			mm.as->vmas[i].prot = prot;
	for (uintptr_t va = addr; va < end; va += PAGE_SIZE) {
		uint64_t *pte = walk(va, false);
		if (!pte || !(*pte & PTE_V))
			continue;
		if ((*pte & PTE_FILE) && (prot & VMA_WRITE)) {
			/* The initrd's page stays the file's: the program writes a copy. */
			void *copy = page_alloc_or_die();

			memcpy(copy, (void *)(uintptr_t)pte_pa(*pte), PAGE_SIZE);
			*pte = ((uintptr_t)copy >> 12) << PTE_PPN_SHIFT;
		}
		*pte = (*pte & ~(PTE_R | PTE_W | PTE_X)) | prot_bits(prot);
	}
	tlb_flush();
	return 0;
}

long sys_madvise(struct thread *t, const struct syscall_args *a)
{
	uintptr_t addr = a->a[0];
	size_t len = (a->a[1] + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);

	if ((addr & (PAGE_SIZE - 1)) || !range_valid(addr, len))
		return -EINVAL;
	if (a->a[2] != MADV_DONTNEED && a->a[2] != MADV_FREE)
		return 0; /* advice only */
	/* The memory reads as zero from now on: give the pages back. (A page of the initrd mapped
	 * in place stays: it reads as the file, as Linux's private file mappings do.) */
	for (unsigned i = 0; i < mm.as->nvmas; i++) {
		struct vma *v = &mm.as->vmas[i];
		if (addr < v->end && addr + len > v->start && !(v->prot & VMA_SPECIAL))
			free_pages(addr > v->start ? addr : v->start,
				   addr + len < v->end ? addr + len : v->end, false, true);
	}
	return 0;
}

long sys_brk(struct thread *t, const struct syscall_args *a)
{
	/* No heap by brk: a failing brk returns the current break, which Go never relies on. */
	return 0;
}

/* ---------------------------------------------------------------- faults and user access */

static bool allowed(int prot, int access)
{
	if ((access & ACCESS_WRITE) && !(prot & VMA_WRITE))
		return false;
	if ((access & ACCESS_EXEC) && !(prot & VMA_EXEC))
		return false;
	if ((access & ACCESS_READ) && !(prot & (VMA_READ | VMA_WRITE)))
		return false;
	return true;
}

int mm_fault(uintptr_t addr, int access)
{
	struct vma *v = vma_find(addr);

	if (!v)
		return -SEGV_MAPERR;
	if (!allowed(v->prot, access) || (v->prot & VMA_SPECIAL))
		return -SEGV_ACCERR;
	uint64_t *pte = walk(addr & ~(PAGE_SIZE - 1), true);
	if (*pte & PTE_V)
		return 0; /* another vCPU got here first */
	void *page = page_alloc_or_die();
	*pte = (((uintptr_t)page >> 12) << PTE_PPN_SHIFT) | prot_bits(v->prot);
	return 0;
}

void mm_set_file_area(uint64_t base, uint64_t end)
{
	mm.file_base = base;
	mm.file_end = end;
}

int mm_map_file(uintptr_t uva, size_t len, int prot, const void *data)
{
	uint64_t pa = (uintptr_t)data;
	struct vma *v = vma_find(uva);

	if (((uva | len | pa) & (PAGE_SIZE - 1)) || (prot & VMA_WRITE) || pa < mm.file_base ||
	    pa > mm.file_end || len > mm.file_end - pa || !v || uva + len > v->end)
		return -EINVAL;
	for (size_t off = 0; off < len; off += PAGE_SIZE) {
		uint64_t *pte = walk(uva + off, true);
		int err = !pte ? -ENOMEM : (*pte & PTE_V) ? -EEXIST : 0;

		if (err) {
			/* All or nothing: the caller copies into these pages next. */
			for (size_t back = 0; back < off; back += PAGE_SIZE)
				*walk(uva + back, false) = 0;
			tlb_flush();
			return err;
		}
		*pte = ((pa + off) >> 12) << PTE_PPN_SHIFT | prot_bits(prot) | PTE_FILE;
	}
	return 0;
}

void *mm_populate(uintptr_t uva, int access)
{
	uint64_t *pte = walk(uva & ~(PAGE_SIZE - 1), false);

	if (!pte || !(*pte & PTE_V)) {
		struct vma *v = vma_find(uva);
		if (!v)
			gort_fatal(2, "populating unmapped 0x%lx", (unsigned long)uva);
		pte = walk(uva & ~(PAGE_SIZE - 1), true);
		*pte =
		    (((uintptr_t)page_alloc_or_die() >> 12) << PTE_PPN_SHIFT) | prot_bits(v->prot);
	}
	return (void *)(uintptr_t)(pte_pa(*pte) + (uva & (PAGE_SIZE - 1)));
}

void *user_addr(uintptr_t uva, bool write)
{
	uint64_t *pte = walk(uva & ~(PAGE_SIZE - 1), false);

	if (!pte || !(*pte & PTE_V) || !(*pte & PTE_U) || (write && !(*pte & PTE_W)))
		return NULL;
	return (void *)(uintptr_t)(pte_pa(*pte) + (uva & (PAGE_SIZE - 1)));
}

/* The kernel address of uva for this access, faulting the page in as the hardware would. */
static void *user_page(uintptr_t uva, bool write)
{
	void *p = user_addr(uva, write);

	if (p)
		return p;
	if (!range_valid(uva, 1) || mm_fault(uva, write ? ACCESS_WRITE : ACCESS_READ))
		return NULL;
	return user_addr(uva, write);
}

static int copy_user(uintptr_t uva, void *kbuf, size_t len, bool to_user)
{
	uint8_t *k = kbuf;

	if (uva + len < uva)
		return -EFAULT;
	while (len) {
		size_t chunk = PAGE_SIZE - (uva & (PAGE_SIZE - 1));
		if (chunk > len)
			chunk = len;
		uint8_t *u = user_page(uva, to_user);
		if (!u)
			return -EFAULT;
		if (to_user)
			memcpy(u, k, chunk);
		else
			memcpy(k, u, chunk);
		uva += chunk;
		k += chunk;
		len -= chunk;
	}
	return 0;
}

int copy_from_user(void *dst, uintptr_t uva, size_t len)
{
	return copy_user(uva, dst, len, false);
}

int copy_to_user(uintptr_t uva, const void *src, size_t len)
{
	return copy_user(uva, (void *)src, len, true);
}

int strncpy_from_user(char *buf, uintptr_t uva, size_t size)
{
	for (size_t i = 0; i < size; i++) {
		const char *c = user_page(uva + i, false);
		if (!c)
			return -EFAULT;
		buf[i] = *c;
		if (!*c)
			return (int)i;
	}
	return -ENAMETOOLONG;
}

int mm_map_kernel_pages(uintptr_t uva, const void *kva, size_t len, int prot)
{
	if ((uva | (uintptr_t)kva | len) & (PAGE_SIZE - 1))
		return -EINVAL;
	int err = mm_map_fixed(uva, len, (linux_prot(prot)) | VMA_SPECIAL);
	if (err)
		return err;
	for (size_t off = 0; off < len; off += PAGE_SIZE) {
		uint64_t *pte = walk(uva + off, true);
		*pte =
		    ((((uintptr_t)kva + off) >> 12) << PTE_PPN_SHIFT) | prot_bits(linux_prot(prot));
	}
	return 0;
}

static int map_window(uint64_t pa, size_t len);

int mm_map_kernel_window(uint64_t pa, size_t len)
{
	if ((pa | len) & (PAGE_SIZE - 1) || pa + len < pa || pa + len > mm_user_top())
		return -EINVAL;
	if (mm.nwindows == MAX_WINDOWS)
		return -ENOMEM;
	mm.windows[mm.nwindows].pa = pa;
	mm.windows[mm.nwindows++].len = len;
	/* Every table: the kernel's (a vCPU between processes serves doorbells there) and each
	 * process's (channels are gort's, whoever it acts for). */
	struct aspace *old = mm.as;
	int err = 0;
	mm.as = &mm.kernel;
	err = map_window(pa, len);
	for (unsigned i = 0; i < GORT_MAX_PROCS && !err; i++) {
		if (!mm.spaces[i].used)
			continue;
		mm.as = &mm.spaces[i];
		err = map_window(pa, len);
	}
	mm.as = old;
	return err;
}

static int map_window(uint64_t pa, size_t len)
{
	/* A mapping of gort's own with no access: the program's mmap never lands on it and a
	 * touch of it is SIGSEGV, while the entries below (no PTE_U) serve gort. The kernel's table
	 * has no mappings to keep. */
	int err = mm.as == &mm.kernel ? 0 : mm_map_fixed(pa, len, VMA_SPECIAL);
	if (err)
		return err;
	for (size_t off = 0; off < len; off += PAGE_SIZE) {
		uint64_t *pte = walk(pa + off, true);
		if (!pte)
			return -EINVAL;
		*pte = ((pa + off) >> 12) << PTE_PPN_SHIFT | PTE_V | PTE_R | PTE_W | PTE_G | PTE_A |
		       PTE_D;
	}
	tlb_flush();
	return 0;
}

/* ---------------------------------------------------------------- boot */

uintptr_t mm_user_top(void)
{
	/* The lower half of the virtual address space, as Linux gives user space. */
	return mm.levels == 4 ? 0x800000000000UL : 0x4000000000UL;
}

void mm_enable_this_cpu(void)
{
	csr_write(CSR_SATP, mm.kernel.satp);
	sfence_vma_all();
}

/* gort's RAM, one-to-one, with 2 MiB pages no user access can reach. */
static void map_gort_ram(uint64_t *root)
{
	for (uint64_t pa = mm.ram_base & ~0x1fffffUL; pa < mm.ram_end; pa += 0x200000) {
		uint64_t *table = root;

		for (int l = mm.levels - 1; l > 1; l--) {
			uint64_t *pte = &table[vpn(pa, l)];
			if (!(*pte & PTE_V)) {
				uint64_t *next = page_alloc_or_die();
				*pte = (((uintptr_t)next >> 12) << PTE_PPN_SHIFT) | PTE_V;
			}
			table = pte_table(*pte);
		}
		table[vpn(pa, 1)] = ((pa >> 12) << PTE_PPN_SHIFT) | PTE_V | PTE_R | PTE_W | PTE_X |
				    PTE_G | PTE_A | PTE_D;
	}
}

void mm_init(uint64_t ram_base, uint64_t ram_end, uint64_t free_start, uint64_t free_end)
{
	mm.ram_base = ram_base;
	mm.ram_end = ram_end;
	/* The bitmap lives at the start of the pool it describes. */
	uint64_t n = (free_end - free_start) / PAGE_SIZE;
	mm.bitmap = (uint8_t *)(uintptr_t)free_start;
	uint64_t bitmap_pages = (n / 8 + PAGE_SIZE) / PAGE_SIZE;
	memset(mm.bitmap, 0, bitmap_pages * PAGE_SIZE);
	mm.pool_base = free_start + bitmap_pages * PAGE_SIZE;
	mm.npages = mm.nfree = mm.low = n - bitmap_pages;

	/* Sv48 if this hart takes it (Go's heap hints then work as on other 64-bit machines). The
	 * table maps gort's RAM before it is tried: a satp write either takes effect whole or not.
	 */
	struct aspace *k = &mm.kernel;
	for (mm.levels = 4; mm.levels >= 3; mm.levels--) {
		k->root = page_alloc_or_die();
		map_gort_ram(k->root);
		k->satp = ((mm.levels == 4 ? 9UL : 8UL) << 60) | ((uintptr_t)k->root >> 12);
		csr_write(CSR_SATP, k->satp);
		if (csr_read(CSR_SATP) == k->satp)
			break;
	}
	if (mm.levels < 3)
		gort_fatal(2, "this hart has neither Sv48 nor Sv39 paging");
	k->used = true;
	mm.as = k;
	mm_enable_this_cpu();
}

/* ---------------------------------------------------------------- address spaces */

struct aspace *mm_aspace_new(void)
{
	struct aspace *a = NULL;

	for (unsigned i = 0; i < GORT_MAX_PROCS && !a; i++)
		if (!mm.spaces[i].used)
			a = &mm.spaces[i];
	if (!a)
		return NULL;
	/* The list and the root, plus the few tables gort's RAM needs, must all fit. */
	if (mm.nfree < VMA_PAGES + 8)
		return NULL;
	a->vmas = page_alloc_run(VMA_PAGES);
	if (!a->vmas)
		return NULL;
	a->root = page_alloc_or_die();
	map_gort_ram(a->root);
	a->satp = (mm.kernel.satp & ~((1UL << 44) - 1)) | ((uintptr_t)a->root >> 12);
	a->nvmas = 0;
	a->mmap_top = mm_user_top() - (1UL << 30); /* below the stack and the vDSO */
	a->used = true;
	struct aspace *old = mm_use(a);
	for (unsigned i = 0; i < mm.nwindows; i++)
		map_window(mm.windows[i].pa, mm.windows[i].len);
	mm_use(old);
	return a;
}

/* Frees a table and those below it, and the user pages its level-0 entries map (only pool pages:
 * the vDSO's are gort's image, the windows are not RAM, gort's RAM is in large pages). */
static void free_table(uint64_t *table, int level)
{
	for (unsigned i = 0; i < 512; i++) {
		uint64_t pte = table[i];
		if (!(pte & PTE_V))
			continue;
		if (!(pte & (PTE_R | PTE_W | PTE_X)))
			free_table(pte_table(pte), level - 1);
		else if (level == 0 && (pte & PTE_U) && pte_pa(pte) >= mm.pool_base &&
			 pte_pa(pte) < mm.pool_base + mm.npages * PAGE_SIZE)
			page_free(pte_pa(pte));
	}
	page_free((uintptr_t)table);
}

void mm_aspace_free(struct aspace *a)
{
	if (!a || a == &mm.kernel || !a->used)
		return;
	/* This vCPU must not run on the table it frees (the caller sees to the others). */
	if (csr_read(CSR_SATP) == a->satp)
		mm_activate(&mm.kernel);
	if (mm.as == a)
		mm.as = &mm.kernel;
	free_table(a->root, mm.levels - 1);
	for (uint64_t i = 0; i < VMA_PAGES; i++)
		page_free((uintptr_t)a->vmas + i * PAGE_SIZE);
	a->used = false;
	a->root = NULL;
	a->vmas = NULL;
	a->nvmas = 0;
	/* Other vCPUs may hold its entries in their TLBs only while they ran its threads, and they
	 * flush when they switch tables; one flush everywhere keeps it simple. */
	tlb_flush();
}

struct aspace *mm_use(struct aspace *a)
{
	struct aspace *old = mm.as;
	mm.as = a ? a : &mm.kernel;
	return old;
}

struct aspace *mm_current(void)
{
	return mm.as;
}

struct aspace *mm_kernel(void)
{
	return &mm.kernel;
}

void mm_activate(struct aspace *a)
{
	if (csr_read(CSR_SATP) != a->satp) {
		csr_write(CSR_SATP, a->satp);
		sfence_vma_all();
	}
}

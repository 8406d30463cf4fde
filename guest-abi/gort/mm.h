/* A process's address space: one page table (Sv48 when the hart has it, else Sv39) that also
 * maps partition RAM one-to-one for gort itself (not user-accessible), and a sorted list of
 * mappings (VMAs). Pages are allocated when first touched. Every call below but the boot ones
 * acts on the current address space (mm_use). */
#ifndef GORT_MM_H
#define GORT_MM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VMA_READ    1
#define VMA_WRITE   2
#define VMA_EXEC    4
#define VMA_SPECIAL 8 /* pages belong to gort (vDSO): never freed, never faulted in */

#define ACCESS_READ  1
#define ACCESS_WRITE 2
#define ACCESS_EXEC  4

/* Boot: pages [free_start, free_end) are gort's to hand out; RAM [ram_base, ram_end) is mapped for
 * gort. Turns on translation. */
void mm_init(uint64_t ram_base, uint64_t ram_end, uint64_t free_start, uint64_t free_end);
/* Turns translation on for a secondary vCPU (same table). */
void mm_enable_this_cpu(void);
/* A new empty address space (gort's RAM and channel windows mapped for gort only), or NULL when
 * there is no room (GORT_MAX_PROCS, or memory). */
struct aspace *mm_aspace_new(void);
/* Frees a's pages, tables and mappings. No vCPU may run on it (this one is moved off). */
void mm_aspace_free(struct aspace *a);
/* Makes a (NULL: the kernel's, which maps no user memory) the current address space; returns the
 * one before. Only a pointer: copies to another process's memory (a pipe serving a reader) swap
 * it for a moment. */
struct aspace *mm_use(struct aspace *a);
struct aspace *mm_current(void);
struct aspace *mm_kernel(void);
/* Makes this vCPU translate through a's table (satp; a flush if it changes). */
void mm_activate(struct aspace *a);
/* Highest user address + 1, and where the stack ends. */
uintptr_t mm_user_top(void);

/* A user page fault: 0 if resolved (page allocated), else -SEGV_MAPERR or -SEGV_ACCERR. */
int mm_fault(uintptr_t addr, int access);
/* Creates a mapping (as mmap with MAP_FIXED would); returns 0 or -errno. */
int mm_map_fixed(uintptr_t uva, size_t len, int vma_prot);
/* Where the initrd lies: the file data mm_map_file may map in place (it is never written). */
void mm_set_file_area(uint64_t base, uint64_t end);
/* Maps the file bytes at data (inside the initrd, page aligned) at uva, len bytes, inside one
 * mapping without write: the pages stay the initrd's (never freed; mprotect to writable copies
 * them). 0 or -errno (-EINVAL for anything else: the caller copies instead). */
int mm_map_file(uintptr_t uva, size_t len, int prot, const void *data);
/* Allocates a zeroed page now and maps it at uva (ELF loading, the initial stack). */
void *mm_populate(uintptr_t uva, int access);
/* Maps the guest-physical [pa, pa + len) (a channel window, outside RAM) one-to-one for gort
 * only, reserved from the program's mappings. 0 or -errno. */
int mm_map_kernel_window(uint64_t pa, size_t len);
/* A zeroed page for gort's own use; NULL when the partition's memory is used up. */
void *mm_kernel_page(void);
/* Gives back a page mm_kernel_page handed out (the file system's pages come and go). */
void mm_kernel_page_free(void *page);
/* Free pages left / total, for messages. */
uint64_t mm_free_pages(void);
uint64_t mm_total_pages(void);
/* The most pages ever in use at once (getrusage's ru_maxrss). */
uint64_t mm_peak_pages(void);

#endif

/*
 * A fresh hv for each run of the harnesses that build partitions (package, run loop), on the host
 * port: CPUs 0..n-1 online (logical index = hardware id, every one able to run guests), a 10 MHz
 * timebase, an arena of RAM behind the page allocator, the console counted instead of printed.
 */
#ifndef GOHV_FUZZ_HV_H
#define GOHV_FUZZ_HV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hv/hv.h"

#define FUZZ_ARENA_MAX (24UL << 20)

/* Failing invariants abort with one line, so libFuzzer keeps the input. */
#define FUZZ_CHECK(cond, ...)                                                                      \
	do {                                                                                       \
		if (!(cond))                                                                       \
			fuzz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);                         \
	} while (0)
__attribute__((noreturn, format(printf, 4, 5))) void
fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...);

extern uint8_t *fuzz_arena;
extern size_t fuzz_console_bytes;

/* arena: bytes of RAM (at most FUZZ_ARENA_MAX, a multiple of 2 MiB), less is faster. */
void fuzz_hv_reset(unsigned ncpus, size_t arena);
/* Poisons (for ASan) the whole arena but the created partitions' RAM, their stage-2 tables and
 * present-chunk bitmaps (hv/guest_ram.c maps RAM on first touch) and the free pages (new tables):
 * from here on the hv may reach nothing else of it, no guard block, no other hv memory.
 * fuzz_hv_reset lifts it. */
void fuzz_hv_fence(void);
/* A 2 MiB block of the arena nobody gets: created between two partitions, so one partition's RAM
 * never borders another's and an overrun of one lands in the fence. */
void fuzz_hv_guard(void);
/* True if any lock of the core is held (another CPU may not be played then: it could spin). */
bool fuzz_hv_locked(void);

/* The allocator config_parse is handed: every table it takes (partitions, channels, ...) is
 * malloc'd on its own, so ASan sees an overrun of one; fuzz_allocs_free frees them all. */
#define FUZZ_ALLOCS_MAX 4
struct fuzz_allocs {
	void *ptr[FUZZ_ALLOCS_MAX];
	unsigned n;
};
void *fuzz_config_alloc(void *allocs, size_t size);
void fuzz_allocs_free(struct fuzz_allocs *a);

/* A minimal guest image: one PT_LOAD of a few bytes at GUEST_RAM_BASE (and its size). */
const uint8_t *fuzz_tiny_elf(size_t *size);

#endif

/*
 * A partition's RAM is present on first touch. At creation none of it is in the partition's
 * stage-2 table and none of it is zeroed; the first access to a chunk, by the guest (a stage-2
 * fault), by the hv (loading the image, a hypercall's buffer) or by a device (the shadow queues
 * posting a buffer), zeroes the chunk and maps it. So a boot costs what the guest uses, not what
 * it was given, and a stop scrubs only the chunks that were present (they stay mapped, zeroed,
 * for the next run).
 *
 * The initrd's chunks are the package's (gohv_pkg_initrd_gpa puts it on a chunk): a whole one the
 * guest only reads or runs is mapped read-only from the package, checked against its chunk sum
 * the first time; the first write to it (or the hv's touch) gives the partition its own copy,
 * as does a short last chunk. A corrupt chunk is a fault of the access that first used it.
 */
#ifndef GOHV_GUEST_RAM_H
#define GOHV_GUEST_RAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "package.h"

struct partition;

/* Made present at once: 2 stage-2 pages. The package's chunk, so that an initrd's chunk maps one
 * of its package entry's. Measured (boot.go_main.1 with 64, 16, 8 and 4 KiB chunks: 16473, 15128,
 * 14950, 15150 ticks): larger ones zero and check more than a start uses, smaller ones fault more.
 */
#define GUEST_RAM_CHUNK GOHV_PKG_CHUNK

enum guest_ram_err {
	GUEST_RAM_OK,
	GUEST_RAM_NO_TABLE, /* no hv memory for a stage-2 table */
	GUEST_RAM_CORRUPT,  /* an initrd chunk does not match its package sum */
};

/* Words of the chunk bitmaps (present, shared) RAM of size bytes needs. */
size_t guest_ram_bitmap_words(uint64_t size);
/* p's RAM (ram, ram_gpa, ram_size and s2 set) with nothing present; bitmap holds
 * guest_ram_bitmap_words words and is p's from now on. */
void guest_ram_init(struct partition *p, uint64_t *bitmap);
/* The hv's view of guest memory: a pointer to [gpa, gpa+len), made present, if all of it is the
 * partition's RAM; NULL otherwise (len overflowing included), or if a stage-2 table for it could
 * not be had. len 0 is valid anywhere in RAM and makes nothing present. */
void *guest_ram_touch(struct partition *p, uint64_t gpa, uint64_t len);
/* guest_ram_fault, what a port calls on a stage-2 fault, is in port.h. */
/* At a start: the initrd's chunks the partition has its own copy of get the package's bytes
 * again (what the last run wrote there is gone; the scrub zeroed the tail of a short last one). */
void guest_ram_reload_initrd(struct partition *p);
/* Zeroes the present chunks from byte offset *done on, at most budget bytes of them, and moves
 * *done on. True while some are left. */
bool guest_ram_scrub(struct partition *p, uint64_t *done, uint64_t budget);

#endif

/*
 * The hv's whole state in one place. Per-CPU state is in hv.cpus[] (reached with this_cpu());
 * everything else shared between CPUs is here, so a reader sees at once what is global.
 *
 * Lock order: a lock may be taken while holding only locks above it.
 *   1. a partition's lock (its state and running count, its console line, its DRBG), or a
 *      passed-through device's (passthru.h: its emulated registers and shadow queues; never
 *      both, and no virtual interrupt is raised under it);
 *   2. the console's ticket lock (a whole line out to the UART, in order of arrival): its ticket
 *      is taken under 1 for a guest's line, 1 is dropped before waiting for the turn;
 *   3. a partition's ram_lock (guest_ram.c: a chunk's first mapping or copy), under a device's
 *      lock when the device touches its owner's RAM; it takes only the page allocator's.
 * Leaves, never held while taking another: a CPU's scheduler lock (sched.h: its run queue and
 * sleep list; posting to a vCPU takes it after dropping the partition's), the page allocator's,
 * and rng_lock. No lock is held across a guest entry or a wait: waits are the run loop's.
 */
#ifndef GOHV_HV_H
#define GOHV_HV_H

#include "channel.h"
#include "config.h"
#include "console.h"
#include "cpu.h"
#include "drbg.h"
#include "package.h"
#include "page_alloc.h"
#include "partition.h"
#include "passthru.h"
#include "platform.h"
#include "port.h"

#define GOHV_VERSION "0.1"

struct hv {
	struct console console;
	struct platform plat;
	struct page_alloc pages;
	struct drbg root_rng; /* seeds each partition's DRBG; under rng_lock */
	spinlock_t rng_lock;
	const struct gohv_pkg_header *pkg;
	struct package_checked pkg_checked; /* its chunks found intact so far */
	struct board_config config;
	struct partition *partitions; /* npartitions of them, allocated at boot */
	unsigned npartitions;
	struct channel *channels; /* nchannels of them (the config's), allocated at boot */
	unsigned nchannels;
	struct passthru
	    *devices; /* the config's /devices, allocated at boot; owner NULL: unbound */
	unsigned ndevices;
	struct cpu cpus[CONFIG_MAX_CPUS]; /* by logical index, the machine's order */
	unsigned ncpus;
	struct cpu *boot_cpu;
	volatile unsigned live;	    /* partitions running or able to restart */
	bool has_realtime;	    /* the machine has an RTC: partitions get realtime_offset_ns */
	int64_t realtime_offset_ns; /* wall clock minus arch_time_now() (in ns), taken at boot */
};

extern struct hv hv;

#define hv_log(...) console_hv_printf(&hv.console, __VA_ARGS__)

/* Fills buf from the root DRBG (seeding a partition's own). */
void hv_entropy(void *buf, size_t len);

#endif

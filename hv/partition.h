/* A partition: a name, pinned vCPUs, one contiguous block of RAM behind its own stage-2 table, an
 * image to (re)load and a restart policy. */
#ifndef GOHV_PARTITION_H
#define GOHV_PARTITION_H

#include <stdbool.h>
#include <stdint.h>

#include "arch.h"
#include "config.h"
#include "console.h"
#include "drbg.h"
#include "elf.h"
#include "guest_ram.h"
#include "mmio.h"
#include "package.h"
#include "spinlock.h"
#include "vcpu.h"

enum partition_state {
	PART_REFUSED, /* the hv could not honour its config; never started */
	PART_STOPPED,
	PART_RUNNING,
	PART_STOPPING, /* waiting for its vCPUs to park */
};

struct partition {
	const struct partition_config *cfg;
	unsigned index;
	volatile enum partition_state state;
	spinlock_t lock;

	uint64_t ram_gpa; /* GUEST_RAM_BASE */
	uint64_t ram_size;
	uint8_t *ram; /* the hv's pointer to it (arch_pa_to_va of where it is) */
	struct stage2 s2;
	/* A bit per GUEST_RAM_CHUNK: zeroed (or filled) and mapped writable, the partition's own
	 * (guest_ram.h). ram_lock orders the first
	 * touches of several CPUs and the stage-2 table updates they make. */
	uint64_t *ram_present;
	uint64_t *ram_shared; /* a bit per chunk mapped read-only from the package (the initrd's) */
	spinlock_t ram_lock;
	struct elf_image image;
	const uint8_t *initrd; /* in the package; NULL if none */
	uint64_t initrd_size;
	uint64_t initrd_gpa;	     /* on a chunk, right below the DT (gohv_pkg_initrd_gpa) */
	const uint64_t *initrd_sums; /* the package's sum of each chunk, checked at first use */
	struct package_checked *initrd_checked; /* the package's chunks found intact (hv.h) */

	/* Emulated MMIO regions, in address order (set up at create, fixed afterwards), and the
	 * storage of the one every partition has. */
	struct mmio_region *mmio;
	struct mmio_region info_mmio;

	struct vcpu *vcpus; /* nvcpus of them: storage the creator gives (partition_create) */
	unsigned nvcpus;
	unsigned running; /* vCPUs not yet parked, while stopping */

	struct drbg rng;
	struct console_line line;
	int exit_code;
	bool exit_failed; /* a fault, or a nonzero exit code */
	bool faulted;	  /* stopped by the hv for a fault */
	bool reboot;	  /* SBI system reset asked for a restart whatever the policy */
	unsigned restarts;
	unsigned backoff;    /* consecutive quick failures: the next restart waits longer */
	uint64_t started_at; /* time of the last start, to tell a crash loop from a long run */

	/* After a stop, vCPU 0's run loop scrubs the RAM, then restarts or retires it. */
	uint64_t scrubbed; /* how far into its RAM the scrub is */
	bool restart_pending;
	uint64_t restart_at;

	/* Its channels (channel.h): a bit per channel id it is an end of (set at boot, once the
	 * channel is built), the channels rung since its last take, and whether the ring raised
	 * the channel interrupt on its vCPU 0 (so the take lowers it). */
	uint64_t chan_owned;
	uint32_t dev_virqs; /* the virtual interrupts of its passed-through devices (passthru.h) */
	volatile uint64_t chan_pending;
	volatile int chan_irq;

	/* Its watchdog (watchdog.h), if the config gives one: period, deadline, next on the list
	 * of its vCPU 0's CPU. */
	uint64_t watchdog_ticks;
	volatile uint64_t watchdog_at;
	struct partition *watchdog_next;
};

/* A partition that fails within this long of starting restarts after a growing delay (its
 * restart-backoff-ms, config.h). */
#define RESTART_BACKOFF_RESET_S 10

/* Boot: validates p's config against the machine and builds it (RAM, stage-2, image) with vcpus,
 * storage for cfg->ncpus vCPUs. On failure prints why, marks it refused and returns -1; other
 * partitions are unaffected. */
int partition_create(struct partition *p, unsigned index, const struct partition_config *cfg,
		     struct vcpu *vcpus);
/* Loads a fresh image and device tree, reseeds its entropy and starts vCPU 0. */
void partition_start(struct partition *p);
/* Ends v's partition for a guest fault the hv stopped it for (as partition_exit, port.h). */
void partition_fault(struct vcpu *v);
/* The watchdog's deadline passed (now, on its vCPU 0's CPU): unless it stopped already or was
 * petted meanwhile, reports one line and stops the partition as failed, per its policy. */
void partition_watchdog_expired(struct partition *p, uint64_t now);
/* Guest console output, whichever vCPU or interface it comes from. */
void partition_console_write(struct partition *p, enum console_stream stream, const char *s,
			     size_t n);
/* A vCPU of a stopping partition parks (in its run loop); the last one finishes the stop. */
void partition_vcpu_parked(struct partition *p);
/* Its RAM scrubbed and no restart due: the partition is gone (the machine powers off after the
 * last one). */
void partition_retire(struct partition *p);

#endif

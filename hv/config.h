/*
 * Board and partition configuration, as read from the board's config device tree (compiled from
 * boards/<board>/config.dts). The same parser runs in the host packer (to refuse a bad config
 * before it is ever booted) and in the hv (to re-check it against the real machine).
 * boards/README.md documents the format.
 */
#ifndef GOHV_CONFIG_H
#define GOHV_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest-abi/goos.h"

#define CONFIG_MAX_VCPUS    8  /* per partition */
#define CONFIG_MAX_CPUS	    8  /* physical CPUs the hv manages */
#define CONFIG_NAME_MAX	    16 /* partition names, including the NUL */
#define CONFIG_IMAGE_MAX    64
#define CONFIG_BOOTARGS_MAX 256
#define CONFIG_BLOB_MAX	    (1UL << 20) /* the compiled config; real ones are a few KiB */
#define CONFIG_COMPATIBLE   "gohv,config-v2"
/* The first format, which had another name for `cpus` and no sharing: still read, with a warning
 * (board_config.legacy). */
#define CONFIG_COMPATIBLE_V1 "gohv,config-v1"
#define CONFIG_V1_CPUS	     "harts" /* check-neutral: allowed, the v1 format's own word */

/* Time slices on shared CPUs: the board's (time-slice-us) times a partition's weight. */
#define CONFIG_SLICE_US_DEFAULT 5000
#define CONFIG_SLICE_US_MIN	100
#define CONFIG_SLICE_US_MAX	1000000
#define CONFIG_WEIGHT_MAX	64

/* The most any memory-size may say: far beyond a real board, and small enough that no sum or
 * rounding of sizes and guest addresses (GUEST_RAM_BASE + size, size rounded up to MiB for QEMU)
 * can wrap. */
#define CONFIG_MEM_MAX (1UL << 40)

/* A partition's watchdog period (watchdog-ms): at least one run tick of the hv (10 ms), so a
 * guest can pet it at all, and at most an hour, past which it would guard nothing. */
#define CONFIG_WATCHDOG_MS_MIN 10
#define CONFIG_WATCHDOG_MS_MAX 3600000

/* The restart backoff of a partition that keeps failing soon after it starts
 * (restart-backoff-ms = <min max>): its second quick failure in a row waits min, each one after
 * twice as long, up to max. Min is at least 1 ms, so a crash loop always slows down, unless the
 * board says <0 0>: no backoff at all, on purpose. An hour at most, as for the watchdog. */
#define CONFIG_BACKOFF_MIN_MS_DEFAULT 10
#define CONFIG_BACKOFF_MAX_MS_DEFAULT 2000
#define CONFIG_BACKOFF_MS_MAX	      3600000
/* Channels (docs/channels.md): one bit each in a partition's pending set. A window is at least
 * the header, the control page and one more page, at most CONFIG_CHAN_SIZE_MAX (so the port's
 * channel area holds the most channels at the largest size), and must hold its queues and at
 * least one page of buffer pool. */
#define CONFIG_MAX_CHANNELS    GOOS_CHAN_MAX
#define CONFIG_CHAN_MIN_PAGES  3
#define CONFIG_CHAN_SIZE_MAX   (16UL << 20)
#define CONFIG_CHAN_MAX_QUEUES GOOS_CHAN_MAX_QUEUES
#define CONFIG_CHAN_MAX_QSIZE  GOOS_CHAN_MAX_QSIZE
#define CONFIG_CHAN_PAGE       GOOS_CHAN_PAGE

/* Devices of the machine passed through to a partition (docs/passthrough.md): virtio-mmio ones,
 * found at boot by their virtio device id. At most CONFIG_MAX_DEVICES on a board (each is a
 * virtual interrupt id of its owner, virq.h). */
#define CONFIG_MAX_DEVICES   8
#define CONFIG_DEVICE_VIRTIO GOOS_VIRTIO_COMPATIBLE
#define CONFIG_VIRTIO_ID_MAX 63

/* Partition RAM is handed out in 2 MiB blocks so stage-2 can use megapages. */
#define CONFIG_MEM_ALIGN (2UL << 20)
/* What the hv keeps for itself (firmware, hv image, tables) out of the board's RAM. */
#define CONFIG_HV_RESERVE (32UL << 20)

/* Guest-physical address where every partition's RAM starts: the port's machine says (its
 * machine.h, which the build names in GOHV_MACHINE_H). */
#include GOHV_MACHINE_H
#define GUEST_RAM_BASE MACHINE_GUEST_RAM_BASE
/* Where channel windows may lie in guest-physical space: the port's machine says too. */
#define CHAN_AREA_BASE MACHINE_CHAN_AREA_BASE
#define CHAN_AREA_SIZE MACHINE_CHAN_AREA_SIZE
/* The last 64 KiB of partition RAM hold the device tree the hv writes for the guest, so images
 * may not load there. */
#define GUEST_DT_RESERVE (64UL << 10)

enum restart_policy {
	RESTART_NEVER,
	RESTART_ON_FAILURE,
	RESTART_ALWAYS,
};

struct partition_config {
	char name[CONFIG_NAME_MAX];
	uint32_t cpus[CONFIG_MAX_VCPUS]; /* vCPU i runs on CPU cpus[i] */
	unsigned ncpus;			 /* = its vCPUs */
	bool shared;			 /* cpu-sharing = "shared": its CPUs may run others too */
	uint32_t weight;		 /* time-slice multiplier on shared CPUs (1 if exclusive) */
	uint64_t memory_size;
	char image[CONFIG_IMAGE_MAX];  /* name of the image in the package */
	char initrd[CONFIG_IMAGE_MAX]; /* optional: a file in the package loaded below the DT */
	char bootargs[CONFIG_BOOTARGS_MAX];
	enum restart_policy restart;
	uint32_t watchdog_ms; /* 0: none; else stopped as failed when not petted this often */
	uint32_t backoff_min_ms, backoff_max_ms; /* restart-backoff-ms; both 0: no backoff */
};

/* Which end of a channel: the driver owns the descriptor tables, available rings and pool, the
 * device serves them (docs/channels.md). */
enum chan_role { CHAN_DRIVER, CHAN_DEVICE, CHAN_ENDS };

struct channel_config {
	char name[CONFIG_NAME_MAX];
	unsigned end[CHAN_ENDS]; /* partition indices: end[CHAN_DRIVER], end[CHAN_DEVICE] */
	uint64_t address;	 /* guest-physical, the same in both ends */
	uint64_t size;
	uint32_t queues;
	uint32_t queue_size;
};

struct device_config {
	char name[CONFIG_NAME_MAX];
	unsigned owner;	    /* partition index */
	uint32_t virtio_id; /* the virtio device id it must have (1 net, 4 entropy, ...) */
};

struct board_config {
	char model[64];
	uint32_t ncpus;		/* CPUs the board has: 0..ncpus-1 */
	uint64_t memory_size;	/* RAM the board has */
	uint32_t time_slice_us; /* base time slice on shared CPUs */
	bool legacy;		/* written in the v1 format */
	unsigned npartitions;
	struct partition_config *partitions; /* npartitions of them, from the caller's allocator */
	unsigned nchannels;
	struct channel_config *channels; /* nchannels of them, likewise (NULL when none) */
	unsigned ndevices;
	struct device_config *devices; /* ndevices of them, likewise (NULL when none) */
};

/* One readable line saying what is wrong and where: "/partitions/foo: cpus: ...". */
struct config_error {
	char msg[200];
};

/* Memory for the partitions' configs (size bytes, any alignment for a struct), or NULL. */
typedef void *(*config_alloc_fn)(void *ctx, size_t size);

/* Parses and validates a config blob; the partition table comes from alloc, one call, once their
 * number is known (so it is bounded by memory, not by the parser), and the channel table from a
 * second call when there are channels. Returns 0 or -1 with err filled in (what alloc gave may
 * then be left unused; the caller's to free). */
int config_parse(const void *fdt, size_t size, config_alloc_fn alloc, void *alloc_ctx,
		 struct board_config *out, struct config_error *err);

const char *restart_policy_name(enum restart_policy p);
const char *chan_role_name(enum chan_role r);

#endif

/*
 * The goos ABI, version 3: what a gohv partition may ask of the hypervisor.
 *
 * Shared by the hv (which serves it) and by guests (which call it). Calls follow the SBI calling
 * convention: `ecall` from VS-mode with a7 = GOOS_EID, a6 = function id, arguments in a0..a5;
 * the hv returns an error code in a0 (GOOS_OK or a negative GOOS_ERR_*) and a value in a1.
 * All addresses passed are guest-physical and must lie inside the calling partition's RAM.
 * guest-abi/README.md documents every call.
 */
#ifndef GOOS_ABI_H
#define GOOS_ABI_H

/* In the SBI firmware-specific extension range 0x0A000000-0x0AFFFFFF: 0x0A followed by "GOS". */
#define GOOS_EID 0x0A474F53UL
/* 2: GOOS_FN_CONSOLE_WRITE_STREAM, GOOS_FN_WATCHDOG_PET; 3: channels (GOOS_FN_CHAN_*) */
#define GOOS_ABI_VERSION 3

#define GOOS_FN_VERSION		     0	/* () -> a1 = ABI version */
#define GOOS_FN_CONSOLE_WRITE	     1	/* (gpa buf, len) -> a1 = bytes taken */
#define GOOS_FN_ENTROPY		     2	/* (gpa buf, len) -> a1 = bytes written */
#define GOOS_FN_IDLE		     3	/* (deadline) -> a1 = GOOS_EV_* mask */
#define GOOS_FN_EXIT		     4	/* (code) -> does not return */
#define GOOS_FN_VCPU_START	     5	/* (vcpu, entry, stack, arg) */
#define GOOS_FN_WAKE		     6	/* (vcpu) */
#define GOOS_FN_SET_TIMER	     7	/* (deadline) : only needed without Sstc */
#define GOOS_FN_VCPU_ID		     8	/* () -> a1 = calling vCPU's index */
#define GOOS_FN_CONSOLE_WRITE_STREAM 9	/* v2: (gpa buf, len, GOOS_STREAM_*) -> a1 = bytes taken */
#define GOOS_FN_WATCHDOG_PET	     10 /* v2: () : the partition's watchdog starts a new period */
#define GOOS_FN_CHAN_NOTIFY	     11 /* v3: (channel id) : ring the channel's other end */
#define GOOS_FN_CHAN_PENDING	     12 /* v3: () -> a1 = the channels rung since the last take */

/* The console streams of GOOS_FN_CONSOLE_WRITE_STREAM (GOOS_FN_CONSOLE_WRITE is stdout). */
#define GOOS_STREAM_STDOUT 0
#define GOOS_STREAM_STDERR 1

/* Error codes, equal to the SBI ones so a guest can share its decoding. */
#define GOOS_OK			 0
#define GOOS_ERR_FAILED		 (-1)
#define GOOS_ERR_NOT_SUPPORTED	 (-2)
#define GOOS_ERR_INVALID_PARAM	 (-3)
#define GOOS_ERR_DENIED		 (-4)
#define GOOS_ERR_INVALID_ADDR	 (-5)
#define GOOS_ERR_ALREADY_STARTED (-7)
/* The peer of a channel is not running (SBI's SBI_ERR_INVALID_STATE, the nearest meaning). */
#define GOOS_ERR_PEER_DOWN (-10)

/* Events GOOS_FN_IDLE reports as ready. */
#define GOOS_EV_TIMER (1UL << 0) /* the deadline passed */
#define GOOS_EV_WAKE  (1UL << 1) /* another vCPU called GOOS_FN_WAKE on this one */
#define GOOS_EV_IRQ   (1UL << 2) /* a guest interrupt (timer, software, external) is pending */
#define GOOS_EV_VIRTQ (1UL << 3) /* the partition's channel pending set is not empty */

/* A deadline that never comes: idle until an event. */
#define GOOS_NO_DEADLINE (~0UL)

/* Largest buffer one console write or entropy call takes; longer requests are cut short and the
 * count in a1 says how much was taken. */
#define GOOS_MAX_XFER 4096

/* Exit codes the hv itself reports for a partition it stopped (never returned by a guest). */
#define GOOS_EXIT_FAULT 255

/* Device-tree node the hv gives each partition: /goos with these properties. */
#define GOOS_DT_NODE	   "goos"
#define GOOS_DT_COMPATIBLE "gohv,goos-v1"
/* u32 in /goos, only when the partition has a watchdog: its period in ms (the board's
 * watchdog-ms), within which the guest must pet it (GOOS_FN_WATCHDOG_PET). */
#define GOOS_DT_WATCHDOG_MS "watchdog-ms"

/*
 * The info page: a read-only page of registers about the partition and the vCPU that reads it,
 * emulated by the hv (no RAM behind it). The device tree names it: /goos/info@<base>, compatible
 * GOOS_INFO_COMPATIBLE, reg = <base size>; GOOS_INFO_BASE is where this hv puts it. Registers are
 * little-endian; any naturally aligned read of 1, 2, 4 or 8 bytes returns those bytes of them.
 * Offsets up to GOOS_INFO_SIZE not listed read as 0 (later versions may fill them). A write, a
 * misaligned read or one of another width stops the partition with a fault report.
 */
#define GOOS_INFO_DT_NODE    "info"
#define GOOS_INFO_COMPATIBLE "gohv,info-v1"
#define GOOS_INFO_BASE	     0x00200000UL
#define GOOS_INFO_SIZE	     0x1000UL

#define GOOS_INFO_MAGIC	    0x00 /* u64: GOOS_INFO_MAGIC_VALUE, the bytes "goosinfo" */
#define GOOS_INFO_VERSION   0x08 /* u32: GOOS_INFO_ABI_VERSION */
#define GOOS_INFO_PARTITION 0x0c /* u32: the partition's index, its place in the board config */
#define GOOS_INFO_VCPUS	    0x10 /* u32: the partition's vCPU count */
#define GOOS_INFO_VCPU_ID   0x14 /* u32: the index of the vCPU that reads it */
#define GOOS_INFO_RESTARTS  0x18 /* u32: how many times the hv restarted the partition */
#define GOOS_INFO_RAM_BASE  0x20 /* u64: guest-physical start of its RAM */
#define GOOS_INFO_RAM_SIZE  0x28 /* u64: bytes of RAM */
#define GOOS_INFO_TIMEBASE  0x30 /* u64: Hz of the time counter */
#define GOOS_INFO_END	    0x38 /* first offset past the registers of this version */

#define GOOS_INFO_MAGIC_VALUE 0x6f666e69736f6f67UL /* "goosinfo" read as a little-endian u64 */
#define GOOS_INFO_ABI_VERSION 1

/*
 * Passed-through devices (docs/passthrough.md): a virtio-mmio device of the machine the board
 * hands to this partition, described as /goos/virtio@<address> (compatible "virtio,mmio", reg =
 * <address size>, GOOS_VIRTIO_DT_NAME). Its register page is virtio-mmio version 2, emulated by
 * the hv; its interrupt is the guest's external interrupt on vCPU 0, completed by writing the
 * device's InterruptACK. A queue the hv refuses sets DEVICE_NEEDS_RESET in the device status.
 */
#define GOOS_VIRTIO_DT_NODE    "virtio"
#define GOOS_VIRTIO_COMPATIBLE "virtio,mmio"
#define GOOS_VIRTIO_DT_NAME    "device-name" /* string: its node name in the board's /devices */

/*
 * Channels (docs/channels.md): a window of shared memory between two partitions, at the same
 * guest-physical address in both, described in the device tree as /goos/channel@<address>
 * (compatible GOOS_CHAN_COMPATIBLE, reg = <address size>, GOOS_CHAN_DT_NAME, GOOS_CHAN_DT_ID,
 * GOOS_CHAN_DT_ROLE). Page 0 of the window is the header below, which the hv keeps and the guests
 * may only read; page 1 the ready words; then the queues and the buffer pool. Little-endian.
 */
#define GOOS_CHAN_DT_NODE     "channel"
#define GOOS_CHAN_COMPATIBLE  "gohv,channel-v1"
#define GOOS_CHAN_DT_NAME     "channel-name" /* string: its node name in the board config */
#define GOOS_CHAN_DT_ID	      "channel-id"   /* u32: its id, the doorbell's bit */
#define GOOS_CHAN_DT_ROLE     "role"	     /* string: GOOS_CHAN_ROLE_DRIVER or _DEVICE */
#define GOOS_CHAN_ROLE_DRIVER "driver"
#define GOOS_CHAN_ROLE_DEVICE "device"

#define GOOS_CHAN_PAGE	     4096UL /* the window's unit: header, control page, queue starts */
#define GOOS_CHAN_MAX	     64	    /* channels per board: one bit each in the pending set */
#define GOOS_CHAN_MAX_QUEUES 8
#define GOOS_CHAN_MAX_QSIZE  1024
#define GOOS_CHAN_SLOT	     4096 /* a message buffer: GOOS_CHAN_MSG_HDR + at most _MSG_MAX */
#define GOOS_CHAN_MSG_HDR    8	  /* u32 payload length, u32 type */
#define GOOS_CHAN_MSG_MAX    (GOOS_CHAN_SLOT - GOOS_CHAN_MSG_HDR)

/* The header page. */
#define GOOS_CHAN_H_MAGIC	 0x00 /* u64: GOOS_CHAN_MAGIC */
#define GOOS_CHAN_H_VERSION	 0x08 /* u32: GOOS_CHAN_VERSION, the window's layout */
#define GOOS_CHAN_H_ID		 0x0c /* u32: the channel's id */
#define GOOS_CHAN_H_QUEUES	 0x10 /* u32: queue count */
#define GOOS_CHAN_H_QSIZE	 0x14 /* u32: entries per queue (a power of two) */
#define GOOS_CHAN_H_SIZE	 0x18 /* u64: window size in bytes */
#define GOOS_CHAN_H_DRIVER_GEN	 0x20 /* u32: the driver end's starts so far (0: never) */
#define GOOS_CHAN_H_DRIVER_STATE 0x24 /* u32: GOOS_CHAN_DOWN or GOOS_CHAN_UP */
#define GOOS_CHAN_H_DEVICE_GEN	 0x28 /* u32 */
#define GOOS_CHAN_H_DEVICE_STATE 0x2c /* u32 */
#define GOOS_CHAN_H_NAME	 0x30 /* char[GOOS_CHAN_NAME_MAX], NUL-padded */
#define GOOS_CHAN_H_QUEUE	 0x40 /* per queue: u64 desc, avail, used offsets (0 past count) */
#define GOOS_CHAN_H_QUEUE_STRIDE 24
#define GOOS_CHAN_H_POOL	 0x100 /* u64: buffer pool offset */
#define GOOS_CHAN_H_POOL_SIZE	 0x108 /* u64: buffer pool bytes */
#define GOOS_CHAN_NAME_MAX	 16

#define GOOS_CHAN_MAGIC	  0x6e616863736f6f67UL /* "gooschan" read as a little-endian u64 */
#define GOOS_CHAN_VERSION 1
#define GOOS_CHAN_DOWN	  0
#define GOOS_CHAN_UP	  1

/* The control page (page 1): each end's ready word, written by that end only. */
#define GOOS_CHAN_READY_DRIVER 0x1000 /* u64, from the window base */
#define GOOS_CHAN_READY_DEVICE 0x1008

/* The message channel (gchan, gort's /dev/chan): queue 0 carries driver -> device messages,
 * queue 1 device -> driver. */
#define GOOS_CHAN_QUEUE_TO_DEVICE 0
#define GOOS_CHAN_QUEUE_TO_DRIVER 1

#endif

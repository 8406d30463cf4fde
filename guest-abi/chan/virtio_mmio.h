/*
 * The virtio-mmio transport, version 2 (virtio 1.2 section 4.2.2): its register offsets, the
 * device status bits and the feature bits a passthrough cares about. The hv emulates this page
 * for the partition that owns a passed-through device (docs/passthrough.md) and drives the real
 * one with the same names; a guest's driver uses them too. Split virtqueues are in vring.h.
 */
#ifndef GOHV_VIRTIO_MMIO_H
#define GOHV_VIRTIO_MMIO_H

#define VIRTIO_MMIO_MAGIC_VALUE	      0x000 /* "virt" */
#define VIRTIO_MMIO_VERSION	      0x004 /* 2: modern; 1 is legacy, which gohv does not drive */
#define VIRTIO_MMIO_DEVICE_ID	      0x008 /* 0: no device in this slot */
#define VIRTIO_MMIO_VENDOR_ID	      0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES   0x010
#define VIRTIO_MMIO_DEVICE_FEAT_SEL   0x014
#define VIRTIO_MMIO_DRIVER_FEATURES   0x020
#define VIRTIO_MMIO_DRIVER_FEAT_SEL   0x024
#define VIRTIO_MMIO_QUEUE_SEL	      0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX     0x034
#define VIRTIO_MMIO_QUEUE_NUM	      0x038
#define VIRTIO_MMIO_QUEUE_READY	      0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY      0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS  0x060
#define VIRTIO_MMIO_INTERRUPT_ACK     0x064
#define VIRTIO_MMIO_STATUS	      0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW    0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH   0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW  0x090 /* the available ring */
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH 0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW  0x0a0 /* the used ring */
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH 0x0a4
#define VIRTIO_MMIO_CONFIG_GENERATION 0x0fc
#define VIRTIO_MMIO_CONFIG	      0x100 /* device-specific configuration from here */
#define VIRTIO_MMIO_SIZE	      0x200

#define VIRTIO_MMIO_MAGIC 0x74726976u /* "virt", little-endian */

/* Device status (2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER	  2
#define VIRTIO_STATUS_DRIVER_OK	  4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_NEEDS_RESET 64 /* the device hit an error: the driver must reset it */
#define VIRTIO_STATUS_FAILED	  128

/* InterruptStatus bits. */
#define VIRTIO_INT_USED	  1 /* a used ring was written */
#define VIRTIO_INT_CONFIG 2 /* the configuration (or the status: NEEDS_RESET) changed */

/* Feature bits (6). 0-23 are the device type's own. */
#define VIRTIO_F_INDIRECT_DESC	  28
#define VIRTIO_F_EVENT_IDX	  29
#define VIRTIO_F_VERSION_1	  32
#define VIRTIO_F_ACCESS_PLATFORM  33
#define VIRTIO_F_RING_PACKED	  34
#define VIRTIO_F_DEVICE_TYPE_BITS 24

/* Device ids (5). */
#define VIRTIO_ID_NET 1
#define VIRTIO_ID_RNG 4

#endif

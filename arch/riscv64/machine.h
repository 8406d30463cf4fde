/*
 * The machine the riscv64 port runs on: QEMU's virt board with the H extension, under Debian's
 * OpenSBI. The only place these facts are written down: the host tools (tools/qemu_cmd.c builds
 * every QEMU command line from them: `make run`, `gohv run`, the test harness, the bench) include
 * this file through GOHV_MACHINE_H, which the Makefile points at arch/$(ARCH)/machine.h. Plain
 * constants only, so it stays valid C for any host tool (and for the hv, which takes MACHINE_ELF).
 */
#ifndef GOHV_ARCH_RISCV64_MACHINE_H
#define GOHV_ARCH_RISCV64_MACHINE_H

/* GOHV_QEMU overrides it. */
#define MACHINE_QEMU "qemu-system-riscv64"
/* aclint=on: an ACLINT SSWI beside the CLINT's M-mode parts, so the hv kicks a hart without an
 * SBI call (arch/riscv64/platform.c); the hv kicks through SBI on a machine without one. */
#define MACHINE_TYPE "virt,aclint=on"
#define MACHINE_CPU  "rv64,h=true"
/* fw_dynamic: QEMU tells it where the payload and the device tree are. GOHV_OPENSBI overrides
 * it. */
#define MACHINE_FIRMWARE "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin"
/* Only when neither the caller nor a packer's qemu-args file gives a size: what the default
 * board asks for. */
#define MACHINE_MEMORY "512M"
/* On every command line: virt's virtio-mmio slots speak version 2 (modern), the only one the hv
 * passes through (docs/passthrough.md); QEMU 7.2 defaults to legacy. */
#define MACHINE_GLOBAL "virtio-mmio.force-legacy=false"
/* The network device of a command line with a user network (tools/qemu_cmd.c): on virt's
 * virtio-mmio bus, so the hv can pass it through. */
#define MACHINE_NET_DEVICE "virtio-net-device"
/* Deterministic time: the clock counts instructions (1 ns each), and an idle machine skips to its
 * next timer instead of waiting in host time (sleep=off), so figures repeat run after run. */
#define MACHINE_ICOUNT "shift=0,sleep=off"
/* With -icount the RTC follows the same virtual clock from a fixed date: the wall clock would enter
 * the guests (the hv passes the RTC's time on as gohv,realtime-ns) and move figures between runs.
 */
#define MACHINE_ICOUNT_RTC "clock=vm,base=2026-01-01T00:00:00"

/* Where every partition's RAM starts in guest-physical space: where the board has RAM, so guests
 * built for it run unchanged. */
#define MACHINE_GUEST_RAM_BASE 0x80000000UL

/* Where the firmware (fw_dynamic) enters its payload in S-mode: the hv's link address (hv.ld), and
 * where the bench's SBI-only guest is linked to run on the firmware alone (tools/bench/bench.mk).
 */
#define MACHINE_PAYLOAD_BASE 0x80200000UL

/* Where channel windows (docs/channels.md) may lie in guest-physical space: the gigabyte below
 * guest RAM, clear of the info page (goos.h) and of every device address a guest built for the
 * board might assume. */
#define MACHINE_CHAN_AREA_BASE 0x40000000UL
#define MACHINE_CHAN_AREA_SIZE 0x40000000UL

/* The ELF machine of the hv and of its guests' images (EM_RISCV): what the packer accepts, and
 * (through arch/types.h) what the hv checks at boot. */
#define MACHINE_ELF 243

#endif

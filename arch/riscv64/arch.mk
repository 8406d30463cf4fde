# The riscv64 port, as the build sees it: compiler, ISA flags, sources, linker script. The machine
# it boots on under QEMU (binary, board, cpu model, firmware, icount flags) is machine.h beside
# this file, which the host tools are built with; nothing here repeats it. A new port is a new
# arch/<arch>/ with these same variables and its own machine.h.

CROSS ?= riscv64-linux-gnu-
# Debian packages for this port: its cross compiler, its machine and that machine's firmware.
ARCH_DEB_PACKAGES := gcc-riscv64-linux-gnu qemu-system-misc opensbi

# Every freestanding object: medany, so the hv and the guests run wherever RAM is.
ARCH_CFLAGS := -mcmodel=medany
# Integer-only code: the hv (with no FP in the hv a guest's FP state never needs saving on a
# trap), bare guests and gort's vDSO.
ARCH_ISA_INT := -march=rv64imac_zicsr_zifencei -mabi=lp64
# Code that may use FP instructions but never FP arithmetic: gort, which saves and restores the
# Go program's FP registers. The same soft-float ABI, so it links with integer-only objects.
ARCH_ISA_FP := -march=rv64imafdc_zicsr_zifencei -mabi=lp64

# asm-offsets.c is compiled only to generate the header the .S files include (hv/hv.mk), never
# linked.
ARCH_HV_ASM_OFFSETS := arch/riscv64/asm-offsets.c
ARCH_HV_SRCS := $(filter-out $(ARCH_HV_ASM_OFFSETS),$(wildcard arch/riscv64/*.c)) \
	$(wildcard arch/riscv64/*.S)
ARCH_HV_INCLUDES := -Iarch/riscv64/include
# The hv's own flags: GCC pads every string constant to 8 bytes by default (a faster strcpy the hv
# never does); its log lines are most of its read-only data.
ARCH_HV_CFLAGS := -malign-data=natural
# Boot-only files of the port (hv/hv.mk builds them for size): the machine's and the guests'
# /cpus.
ARCH_HV_COLD_SRCS := arch/riscv64/platform.c arch/riscv64/guest_fdt.c arch/riscv64/cpu.c
ARCH_HV_LD := arch/riscv64/hv.ld
# The port's files the host unit tests run as they are: they touch no CSR (tables, device trees,
# the SBI served to guests, the MMIO instruction decoder).
ARCH_UNIT_SRCS := arch/riscv64/stage2.c arch/riscv64/platform.c arch/riscv64/guest_fdt.c \
	$(wildcard arch/riscv64/vsbi*.c) arch/riscv64/mmio_decode.c
ARCH_MACHINE_H := arch/riscv64/machine.h

# Go programs run under gort are linux/$(ARCH_GOARCH) binaries.
ARCH_GOARCH := riscv64

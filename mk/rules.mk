# Flags and rules every component shares: the freestanding compile and link. The port's own flags
# come from arch/$(ARCH)/arch.mk, included before this file.

CC_X    := $(CROSS)gcc
OBJCOPY := $(CROSS)objcopy
HOSTCC  ?= gcc
DTC     ?= dtc

WARN := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wstrict-prototypes
# The hv and everything that runs in a partition: freestanding, with the ISA flags $(1) (the
# port's integer-only or FP-capable set).
freestanding_cflags = -std=gnu11 -O2 -g -ffreestanding -fno-builtin-printf -nostdinc \
	-fno-stack-protector -fno-pic $(ARCH_CFLAGS) $(1) -ffunction-sections -fdata-sections \
	-fno-common -isystem $(shell $(CC_X) -print-file-name=include) -Ilib/libc -Ilib -I. $(WARN)
XFLAGS    := $(call freestanding_cflags,$(ARCH_ISA_INT))
XFLAGS_FP := $(call freestanding_cflags,$(ARCH_ISA_FP))
HOSTFLAGS := -std=gnu11 -O1 -g -Ilib -I. -Iarch/host/include $(WARN) -DGOHV_HOST
# Host tools that start QEMU learn the machine from the port's description (tools/qemu_cmd.c).
MACHINE_FLAGS := -DGOHV_MACHINE_H=\"$(ARCH_MACHINE_H)\"

# $(call objs_in,DIR,SRCS): where SRCS' objects go.
objs_in = $(patsubst %,$(1)/%.o,$(2))

# $(eval $(call freestanding_compile,DIR,FLAGS_VAR)): objects under DIR from sources in the tree,
# with the flags in the variable named FLAGS_VAR (named, so target-specific additions apply).
define freestanding_compile
$(1)/%.o: % $$(LIBFDT_SRC)/.stamp
	$$(Q)mkdir -p $$(@D)
	$$(Q)$$(CC_X) $$($(2)) -MMD -MP -c $$< -o $$@
endef

# $(eval $(call freestanding_image,ELF,OBJS,LDSCRIPT,FLAGS,LIBS[,LABEL])): a static image with no
# C library, only the sections reachable from its entry, and no build id (images pack the same
# bytes every build).
define freestanding_image
$(1): $(2) $(3)
	$$(Q)mkdir -p $$(@D)
	$$(Q)$$(CC_X) $(4) -nostdlib -static -Wl,--gc-sections -Wl,-T,$(3) \
		-Wl,--no-warn-rwx-segments -Wl,--build-id=none $(2) $(5) -o $$@
	$(if $(6),@printf '  %-8s%s\n' $(6) $$@)
endef

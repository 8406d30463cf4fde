# Flags and rules every component shares: the freestanding compile and link, and generated asm
# offsets. The port's own flags come from arch/$(ARCH)/arch.mk, included before this file.

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

# $(eval $(call asm_offsets,HEADER,SOURCE,FLAGS_VAR)): HEADER, "#define NAME value" lines for
# assembly, from SOURCE: a C file of ASM_OFFSET/ASM_CONST lines (lib/asm_export.h) compiled to
# assembly with FLAGS_VAR's flags. The compiler, not a person, then works out the offsets and
# sizes assembly code relies on, from the very headers the C code uses. No include guard is
# needed: repeating identical #defines is allowed.
define asm_offsets
$(1): $(2) lib/asm_export.h $$(LIBFDT_SRC)/.stamp
	$$(Q)mkdir -p $$(@D)
	$$(Q)$$(CC_X) $$($(3)) -MMD -MP -MT $$@ -MF $$@.d -S $$< -o $$@.s
	$$(Q){ echo "/* Generated from $(2) by mk/rules.mk (asm_offsets): do not edit. */"; \
		sed -n 's/^[[:space:]]*\.ascii[[:space:]]*"->\([A-Za-z_][A-Za-z0-9_]*\) [#$$$$]*\(-\{0,1\}[0-9][0-9]*\)"$$$$/#define \1 \2/p' \
		$$@.s; } > $$@.tmp
	$$(Q)test "$$$$(grep -c '^#define' $$@.tmp)" = "$$$$(grep -c '^[[:space:]]*ASM_[A-Z]*(' $(2))" || \
		{ echo "asm_offsets: $(2): not every ASM_ line reached $$@" >&2; rm -f $$@.tmp; exit 1; }
	$$(Q)mv $$@.tmp $$@
endef

# gort, the Go guest runtime: a partition image like a C guest, with its own entry and linker
# script. It saves and restores the Go program's FP registers, so it is built FP-capable.

# asm-offsets.c is compiled only to generate a header (below), never linked.
GORT_SRCS := $(filter-out guest-abi/gort/asm-offsets.c,$(wildcard guest-abi/gort/*.c)) \
	$(wildcard guest-abi/gort/*.S) $(LIB_SRCS) $(LIB_DT_SRCS) $(GCHAN_SRCS)
GORT_OBJS := $(call objs_in,$(BUILD)/gort-obj,$(GORT_SRCS))
GORT_ELF  := $(BUILD)/guests/gort.elf
GORT_GEN  := $(BUILD)/gen/gort
GORT_XFLAGS := $(XFLAGS_FP) -Iguest-abi $(GCHAN_INCLUDES) -Iguest-abi/gort -I$(LIBFDT_SRC) -I$(GORT_GEN)

.PHONY: gort
gort: $(GORT_ELF)
$(eval $(call freestanding_compile,$(BUILD)/gort-obj,GORT_XFLAGS))
$(eval $(call freestanding_image,$(GORT_ELF),$(GORT_OBJS) $(LIBFDT_OBJS),guest-abi/gort/gort.ld,$(GORT_XFLAGS),,GORT))

# Names for gort's "not implemented" line, generated from Debian's Go sources (the Linux system
# call numbers of this arch), so no table is kept by hand.
GO_SYSNUM := /usr/lib/go-1.19/src/syscall/zsysnum_linux_$(ARCH_GOARCH).go
$(GORT_GEN)/sysnames.h: | $(DEPS_STAMP)
	$(Q)mkdir -p $(@D)
	$(Q)awk '$$1 ~ /^SYS_/ && $$2 == "=" { printf "[%d] = \"%s\",\n", $$3, tolower(substr($$1, 5)) }' \
		$(GO_SYSNUM) > $@.tmp && mv $@.tmp $@
$(BUILD)/gort-obj/guest-abi/gort/syscall.c.o: $(GORT_GEN)/sysnames.h

# The struct offsets and sizes gort's assembly uses (asm-offsets.c), generated.
$(eval $(call asm_offsets,$(GORT_GEN)/asm-offsets.h,guest-abi/gort/asm-offsets.c,GORT_XFLAGS))
$(filter %.S.o,$(GORT_OBJS)): $(GORT_GEN)/asm-offsets.h

# gort's vDSO (guest-abi/gort/vdso/): a real ELF shared object, linked here and embedded into
# gort by guest-abi/gort/vdso_blob.S. Position independent with nothing to relocate (gort maps
# the file as is), so the build fails if the linker leaves any dynamic relocation.
VDSO_SO := $(BUILD)/gort-obj/vdso/vdso.so
VDSO_CFLAGS := -std=gnu11 -O2 -fPIC -fno-plt -nostdlib -ffreestanding -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fno-unwind-tables $(ARCH_ISA_INT) -Iguest-abi/gort $(WARN)
$(VDSO_SO): guest-abi/gort/vdso/vdso.c guest-abi/gort/vdso/vdso.lds guest-abi/gort/vvar.h
	$(Q)mkdir -p $(@D)
	$(Q)$(CC_X) $(VDSO_CFLAGS) -shared -Wl,-T,guest-abi/gort/vdso/vdso.lds -Wl,--hash-style=both \
		-Wl,-soname=linux-vdso.so.1 -Wl,--build-id=none -Wl,--no-undefined $< -o $@.tmp
	$(Q)if $(CROSS)readelf -r $@.tmp | grep -q '^Relocation section'; then \
		echo "vdso: dynamic relocations in $@" >&2; $(CROSS)readelf -r $@.tmp >&2; exit 1; fi
	$(Q)mv $@.tmp $@
$(BUILD)/gort-obj/guest-abi/gort/vdso_blob.S.o: $(VDSO_SO)
$(BUILD)/gort-obj/guest-abi/gort/vdso_blob.S.o: GORT_XFLAGS += -DVDSO_SO=\"$(VDSO_SO)\"

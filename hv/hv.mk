# The hypervisor: the core (hv/), the port (arch/$(ARCH)/), the hv's drivers (devices/).

HV_SRCS := $(wildcard hv/*.c) $(ARCH_HV_SRCS) $(wildcard devices/*.c) $(LIB_SRCS) $(LIB_DT_SRCS)
HV_OBJS := $(call objs_in,$(BUILD)/hv-obj,$(HV_SRCS))
HV_ELF  := $(BUILD)/hv/gohv.elf
HV_GEN  := $(BUILD)/gen/hv
# $(call hv_xflags,GEN): the hv's flags, with GEN the folder of its generated headers (the bench
# hv, tools/bench/bench.mk, has its own: -DGOHV_BENCH may move what they describe).
hv_xflags = $(XFLAGS) $(ARCH_HV_CFLAGS) $(ARCH_HV_INCLUDES) -I$(LIBFDT_SRC) -Iguest-abi -I$(1) \
	$(MACHINE_FLAGS)
HV_XFLAGS := $(call hv_xflags,$(HV_GEN))
# Code that runs once at boot (or once per partition created) and never on a guest's exit: built
# for size (the machine tree's checks too). Boot's time goes to libfdt's tag walk, the image
# checksum and clearing RAM (memset), which stay at -O2.
HV_COLD_SRCS := hv/config.c hv/channel_boot.c hv/passthru_boot.c hv/main.c hv/platform.c hv/guest_fdt.c devices/dt.c lib/fmt.c hv/elf.c hv/page_alloc.c hv/dtb_check.c \
	$(ARCH_HV_COLD_SRCS)
# $(call hv_cold,DIR,FLAGS_VAR): the cold objects under DIR get -Os.
hv_cold = $(call objs_in,$(1),$(HV_COLD_SRCS)): $(2) += -Os
$(eval $(call hv_cold,$(BUILD)/hv-obj,HV_XFLAGS))

.PHONY: hv
hv: $(HV_ELF)
$(eval $(call freestanding_compile,$(BUILD)/hv-obj,HV_XFLAGS))
$(eval $(call freestanding_image,$(HV_ELF),$(HV_OBJS) $(LIBFDT_OBJS),$(ARCH_HV_LD),$(XFLAGS),-lgcc,HV))

# The struct offsets and sizes the port's assembly uses (ARCH_HV_ASM_OFFSETS), generated before
# any of it is assembled.
$(eval $(call asm_offsets,$(HV_GEN)/asm-offsets.h,$(ARCH_HV_ASM_OFFSETS),HV_XFLAGS))
$(filter %.S.o,$(HV_OBJS)): $(HV_GEN)/asm-offsets.h

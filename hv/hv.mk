# The hypervisor: the core (hv/), the port (arch/$(ARCH)/), the hv's drivers (devices/).

HV_SRCS := $(wildcard hv/*.c) $(ARCH_HV_SRCS) $(wildcard devices/*.c) $(LIB_SRCS)
HV_OBJS := $(call objs_in,$(BUILD)/hv-obj,$(HV_SRCS))
HV_ELF  := $(BUILD)/hv/gohv.elf
HV_XFLAGS := $(XFLAGS) $(ARCH_HV_INCLUDES) -I$(LIBFDT_SRC) -Iguest-abi $(MACHINE_FLAGS)

.PHONY: hv
hv: $(HV_ELF)
$(eval $(call freestanding_compile,$(BUILD)/hv-obj,HV_XFLAGS))
$(eval $(call freestanding_image,$(HV_ELF),$(HV_OBJS) $(LIBFDT_OBJS),$(ARCH_HV_LD),$(XFLAGS),-lgcc,HV))

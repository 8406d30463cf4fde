# libgoos, the C runtime of bare guests, and the guests: each .c in a guest folder becomes one
# partition image, $(BUILD)/guests/<name>.elf, linked at the guest RAM base.

LIBGOOS_SRCS := $(wildcard guest-abi/libgoos/*.c) $(wildcard guest-abi/libgoos/*.S) $(LIB_SRCS) $(LIB_DT_SRCS) \
	$(GCHAN_SRCS)
LIBGOOS_OBJS := $(call objs_in,$(BUILD)/guest-obj,$(LIBGOOS_SRCS))
GUEST_XFLAGS := $(XFLAGS) $(GCHAN_INCLUDES) -Iguest-abi/libgoos -I$(LIBFDT_SRC)
GUEST_SRCS := $(wildcard examples/c/*.c) $(wildcard tests/guests/*.c) $(wildcard tools/bench/guests/*.c)
GUEST_ELFS := $(patsubst %.c,$(BUILD)/guests/%.elf,$(notdir $(GUEST_SRCS)))

.PHONY: guests
guests: $(GUEST_ELFS)
$(eval $(call freestanding_compile,$(BUILD)/guest-obj,GUEST_XFLAGS))
$(foreach g,$(GUEST_SRCS),$(eval $(call freestanding_image,$(BUILD)/guests/$(notdir $(g:.c=.elf)),\
	$(BUILD)/guest-obj/$(g).o $(LIBGOOS_OBJS) $(LIBFDT_OBJS),guest-abi/libgoos/guest.ld,$(XFLAGS),-lgcc)))

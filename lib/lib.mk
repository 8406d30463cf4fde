# What the hv and the guests share: lib/'s string and formatting functions, and libfdt.

LIB_SRCS := lib/string.c lib/fmt.c
# Device-tree lookups in one forward pass (libfdt's meanings, lib/dt_scan.h): whoever reads a
# tree with libfdt's headers.
LIB_DT_SRCS := lib/dt_scan.c

# Debian ships libfdt's sources inside linux-source-6.1; compile them into the build folder.
LINUX_SRC_TAR := /usr/src/linux-source-6.1.tar.xz
LIBFDT_SRC := $(BUILD)/libfdt-src
LIBFDT_FILES := fdt.c fdt_ro.c fdt_rw.c fdt_sw.c fdt_wip.c fdt_strerror.c fdt_addresses.c
$(LIBFDT_SRC)/.stamp: | $(DEPS_STAMP)
	$(Q)rm -rf $(LIBFDT_SRC) $(BUILD)/linux-source-6.1 && mkdir -p $(BUILD)
	$(Q)tar -xJf $(LINUX_SRC_TAR) -C $(BUILD) linux-source-6.1/scripts/dtc/libfdt/
	$(Q)mv $(BUILD)/linux-source-6.1/scripts/dtc/libfdt $(LIBFDT_SRC) && rm -rf $(BUILD)/linux-source-6.1
	$(Q)touch $@
LIBFDT_OBJS := $(patsubst %.c,$(BUILD)/libfdt/%.o,$(LIBFDT_FILES))
# Built for size: the files that write trees (the hv's guest device trees), read them (boot's
# lookups: -Os costs boot.1 1%) or run once. fdt.c's tag walk, under every read, stays at -O2
# (-Os there cost boot.1 25%).
LIBFDT_COLD := fdt_ro fdt_rw fdt_sw fdt_wip fdt_strerror
$(patsubst %,$(BUILD)/libfdt/%.o,$(LIBFDT_COLD)): LIBFDT_OPT := -Os
$(BUILD)/libfdt/%.o: $(LIBFDT_SRC)/.stamp
	$(Q)mkdir -p $(@D)
	$(Q)$(CC_X) $(filter-out $(WARN),$(XFLAGS)) $(LIBFDT_OPT) -w -I$(LIBFDT_SRC) \
		-c $(LIBFDT_SRC)/$*.c -o $@

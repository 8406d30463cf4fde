# Board images, and `make run`. boards/<board>/config.dts names images by file name; they are
# looked up in the guest folder and, for Go initrds, in $(BUILD)/go.

BOARD_DIRS := $(patsubst boards/%/config.dts,%,$(wildcard boards/*/config.dts))
IMAGES := $(foreach b,$(BOARD_DIRS),$(BUILD)/boards/$(b)/gohv.img)

.PHONY: images run run-prereqs
images: $(IMAGES)
$(BUILD)/boards/%/config.dtb: boards/%/config.dts | $(DEPS_STAMP)
	$(Q)mkdir -p $(@D)
	$(Q)$(DTC) -q -I dts -O dtb -o $@ $<
$(BUILD)/boards/%/gohv.img: $(BUILD)/boards/%/config.dtb $(HV_ELF) $(GUEST_ELFS) $(GORT_ELF) \
		$(GO_CPIOS) $(PACK)
	$(Q)$(PACK) --hv $(HV_ELF) --config $< --config-name boards/$*/config.dts \
		-L $(BUILD)/guests -L $(BUILD)/go -o $@ --qemu-args $(BUILD)/boards/$*/qemu-args
	@echo "  IMAGE   $@"

# `gohv qemu` replaces itself with QEMU on the terminal (tools/gohv_qemu.c). The image is made by
# a second make, which reads the rules again once `make deps` has installed the cross compiler.
run-prereqs: $(BUILD)/boards/$(BOARD)/gohv.img $(GOHV)
	@:
run: $(DEPS_STAMP)
	$(Q)$(MAKE) --no-print-directory run-prereqs
	@echo "gohv: booting board $(BOARD) (Ctrl-A X quits)"
	$(Q)$(GOHV) qemu --qemu-args $(BUILD)/boards/$(BOARD)/qemu-args $(BUILD)/boards/$(BOARD)/gohv.img

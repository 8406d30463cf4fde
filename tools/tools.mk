# Host tools: gohv-pack (checks a board and packs its boot image) and gohv (runs one program as
# a one-partition board; boots packed images for `make run`). Both compile the hv's config parser
# and ELF checks, so a board is judged at build time exactly as at boot.

PACK := $(BUILD)/tools/gohv-pack
GOHV := $(BUILD)/tools/gohv
# The one QEMU runner: builds the command line from the port's machine.h, runs QEMU or execs it.
QEMU_RUNNER_SRCS := tools/qemu_cmd.c tools/qemu_run.c
QEMU_RUNNER_DEPS := $(QEMU_RUNNER_SRCS) tools/qemu_cmd.h tools/qemu_run.h $(ARCH_MACHINE_H)

.PHONY: tools
tools: $(PACK) $(GOHV)
PACK_SRCS := tools/gohv-pack.c tools/pack.c tools/out_file.c hv/config.c hv/dtb_check.c lib/dt_scan.c hv/elf.c
$(PACK): $(PACK_SRCS) $(wildcard hv/*.h) tools/pack.h tools/out_file.h $(ARCH_MACHINE_H) | $(DEPS_STAMP)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) $(HOSTFLAGS) $(MACHINE_FLAGS) $(PACK_SRCS) -lfdt -o $@
# gohv finds the hv and gort relative to itself ($(BUILD)/tools/../hv/...).
GOHV_SRCS := tools/gohv.c tools/gohv_qemu.c tools/gohv_share.c tools/gohv_net.c tools/hostfwd_backlog.c tools/gohv_build.c tools/go_elf.c tools/console_wire.c \
	tools/pack.c tools/out_file.c hv/config.c hv/dtb_check.c lib/dt_scan.c hv/elf.c $(QEMU_RUNNER_SRCS)
# gohv build finds the goos module (guest-abi/goos-go) where this tree has it.
GOOS_GO_DIR := $(abspath guest-abi/goos-go)
$(GOHV): $(GOHV_SRCS) $(wildcard hv/*.h) tools/pack.h tools/out_file.h tools/gohv_qemu.h tools/gohv_share.h tools/gohv_net.h tools/hostfwd_backlog.h \
		tools/gohv_build.h tools/go_elf.h tools/console_wire.h $(QEMU_RUNNER_DEPS) \
		| $(DEPS_STAMP)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) $(HOSTFLAGS) $(MACHINE_FLAGS) -DGOHV_GOARCH=\"$(ARCH_GOARCH)\" \
		-DGOHV_GOOS_GO_DIR=\"$(GOOS_GO_DIR)\" $(GOHV_SRCS) -lfdt -o $@

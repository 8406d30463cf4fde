# gohv: `make run` boots a board in QEMU, `make test` builds everything and runs every test.
# Sources are found by folder, so adding a file to hv/, arch/$(ARCH)/, devices/, a guest folder or
# tests/ needs no edit here.

ARCH    ?= riscv64
BOARD   ?= qemu-virt-riscv64
BUILD   ?= build
Q       ?= @

CROSS   ?= riscv64-linux-gnu-
CC_X    := $(CROSS)gcc
OBJCOPY := $(CROSS)objcopy
HOSTCC  ?= gcc
DTC     ?= dtc

LINUX_SRC_TAR := /usr/src/linux-source-6.1.tar.xz

DEB_PACKAGES := qemu-system-misc opensbi gcc-riscv64-linux-gnu device-tree-compiler libfdt-dev \
	libcriterion-dev linux-source-6.1 pkg-config xz-utils gnuplot-nox golang-go

WARN := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wstrict-prototypes
# The hv and bare guests: freestanding, no FP in the hv (guest FP state then never needs saving on
# a trap), medany so they run wherever RAM is.
XFLAGS := -std=gnu11 -O2 -g -ffreestanding -fno-builtin-printf -nostdinc -fno-stack-protector \
	-fno-pic -mcmodel=medany -march=rv64imac_zicsr_zifencei -mabi=lp64 -ffunction-sections \
	-fdata-sections -fno-common -isystem $(shell $(CC_X) -print-file-name=include) \
	-Ilib/libc -Ilib -I. $(WARN)
HOSTFLAGS := -std=gnu11 -O1 -g -Ilib -I. -Iarch/host/include $(WARN) -DGOHV_HOST
# The machine the port boots on: host tools that start QEMU are built with it (tools/qemu_cmd.c).
MACHINE_H := arch/$(ARCH)/machine.h
MACHINE_FLAGS := -DGOHV_MACHINE_H=\"$(MACHINE_H)\"
QEMU_RUNNER_SRCS := tools/qemu_cmd.c tools/qemu_run.c
QEMU_RUNNER_DEPS := $(QEMU_RUNNER_SRCS) tools/qemu_cmd.h tools/qemu_run.h $(MACHINE_H)

# `make run QEMU=... OPENSBI=...`: the runner's own overrides (tools/qemu_cmd.c).
ifdef QEMU
export GOHV_QEMU := $(QEMU)
endif
ifdef OPENSBI
export GOHV_OPENSBI := $(OPENSBI)
endif

all: hv guests gort tools go-examples images tests


.PHONY: gort
.PHONY: all deps hv guests tools images tests run test unit-test integration-test format \
	check-format clean

# ---------------------------------------------------------------- dependencies (Debian 12 only)
DEPS_STAMP := $(BUILD)/.deps-ok
deps: $(DEPS_STAMP)
$(DEPS_STAMP):
	$(Q)missing=""; for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "deps: installing$$missing"; \
		SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q --no-install-recommends $$missing; \
	fi
	$(Q)mkdir -p $(@D) && touch $@

# ---------------------------------------------------------------- libfdt for the freestanding hv
# Debian ships libfdt's sources inside linux-source-6.1; compile them into the build folder.
LIBFDT_SRC := $(BUILD)/libfdt-src
LIBFDT_FILES := fdt.c fdt_ro.c fdt_rw.c fdt_sw.c fdt_wip.c fdt_strerror.c fdt_addresses.c
$(LIBFDT_SRC)/.stamp: | $(DEPS_STAMP)
	$(Q)rm -rf $(LIBFDT_SRC) $(BUILD)/linux-source-6.1 && mkdir -p $(BUILD)
	$(Q)tar -xJf $(LINUX_SRC_TAR) -C $(BUILD) linux-source-6.1/scripts/dtc/libfdt/
	$(Q)mv $(BUILD)/linux-source-6.1/scripts/dtc/libfdt $(LIBFDT_SRC) && rm -rf $(BUILD)/linux-source-6.1
	$(Q)touch $@
LIBFDT_OBJS := $(patsubst %.c,$(BUILD)/libfdt/%.o,$(LIBFDT_FILES))
$(BUILD)/libfdt/%.o: $(LIBFDT_SRC)/.stamp
	$(Q)mkdir -p $(@D)
	$(Q)$(CC_X) $(filter-out $(WARN),$(XFLAGS)) -w -I$(LIBFDT_SRC) -c $(LIBFDT_SRC)/$*.c -o $@

# ---------------------------------------------------------------- the hypervisor
HV_SRCS := $(wildcard hv/*.c) $(wildcard arch/$(ARCH)/*.c) $(wildcard arch/$(ARCH)/*.S) \
	$(wildcard devices/*.c) lib/string.c lib/fmt.c
HV_OBJS := $(patsubst %,$(BUILD)/hv-obj/%.o,$(HV_SRCS))
HV_ELF  := $(BUILD)/hv/gohv.elf
HV_XFLAGS := $(XFLAGS) -Iarch/$(ARCH)/include -I$(LIBFDT_SRC) -Iguest-abi

hv: $(HV_ELF)
$(BUILD)/hv-obj/%.o: % $(LIBFDT_SRC)/.stamp
	$(Q)mkdir -p $(@D)
	$(Q)$(CC_X) $(HV_XFLAGS) -MMD -MP -c $< -o $@
$(HV_ELF): $(HV_OBJS) $(LIBFDT_OBJS) arch/$(ARCH)/hv.ld
	$(Q)mkdir -p $(@D)
	$(Q)$(CC_X) $(XFLAGS) -nostdlib -static -Wl,--gc-sections -Wl,-T,arch/$(ARCH)/hv.ld \
		-Wl,--no-warn-rwx-segments -Wl,--build-id=none $(HV_OBJS) $(LIBFDT_OBJS) -lgcc -o $@
	@echo "  HV      $@"

# ---------------------------------------------------------------- bare C guests
# libgoos is the guest-side C library; each .c in a guest folder becomes one guest image.
LIBGOOS_SRCS := $(wildcard guest-abi/libgoos/*.c) $(wildcard guest-abi/libgoos/*.S) lib/string.c \
	lib/fmt.c
LIBGOOS_OBJS := $(patsubst %,$(BUILD)/guest-obj/%.o,$(LIBGOOS_SRCS))
GUEST_XFLAGS := $(XFLAGS) -Iguest-abi -Iguest-abi/libgoos -I$(LIBFDT_SRC)
GUEST_SRCS := $(wildcard examples/c/*.c) $(wildcard tests/guests/*.c) $(wildcard tools/bench/guests/*.c)
GUEST_ELFS := $(patsubst %.c,$(BUILD)/guests/%.elf,$(notdir $(GUEST_SRCS)))

guests: $(GUEST_ELFS)
$(BUILD)/guest-obj/%.o: % $(LIBFDT_SRC)/.stamp
	$(Q)mkdir -p $(@D)
	$(Q)$(CC_X) $(GUEST_XFLAGS) -MMD -MP -c $< -o $@
define guest_rule
$(BUILD)/guests/$(notdir $(1:.c=.elf)): $(BUILD)/guest-obj/$(1).o $(LIBGOOS_OBJS) $(LIBFDT_OBJS) guest-abi/libgoos/guest.ld
	$(Q)mkdir -p $$(@D)
	$(Q)$(CC_X) $(XFLAGS) -nostdlib -static -Wl,--gc-sections -Wl,-T,guest-abi/libgoos/guest.ld \
		-Wl,--no-warn-rwx-segments -Wl,--build-id=none $(BUILD)/guest-obj/$(1).o $(LIBGOOS_OBJS) \
		$(LIBFDT_OBJS) -lgcc -o $$@
endef
$(foreach g,$(GUEST_SRCS),$(eval $(call guest_rule,$(g))))

# ---------------------------------------------------------------- gort, the Go guest runtime
# A partition image like a C guest, but with its own entry and linker script. It saves and
# restores the Go program's FP registers, so it may use FP instructions (never FP arithmetic).
GORT_SRCS := $(wildcard guest-abi/gort/*.c) $(wildcard guest-abi/gort/*.S) lib/string.c lib/fmt.c
GORT_OBJS := $(patsubst %,$(BUILD)/gort-obj/%.o,$(GORT_SRCS))
GORT_ELF  := $(BUILD)/guests/gort.elf
GORT_XFLAGS := $(subst rv64imac_,rv64imafdc_,$(XFLAGS)) -Iguest-abi -Iguest-abi/gort -I$(LIBFDT_SRC) \
	-I$(BUILD)/gort-gen

gort: $(GORT_ELF)
# Names for gort's "not implemented" line, generated from Debian's Go sources (the riscv64 Linux
# system call numbers), so no table is kept by hand.
GO_SYSNUM := /usr/lib/go-1.19/src/syscall/zsysnum_linux_riscv64.go
GORT_GEN  := $(BUILD)/gort-gen
$(GORT_GEN)/sysnames.h: | $(DEPS_STAMP)
	$(Q)mkdir -p $(@D)
	$(Q)awk '$$1 ~ /^SYS_/ && $$2 == "=" { printf "[%d] = \"%s\",\n", $$3, tolower(substr($$1, 5)) }' \
		$(GO_SYSNUM) > $@.tmp && mv $@.tmp $@
$(BUILD)/gort-obj/guest-abi/gort/syscall.c.o: $(GORT_GEN)/sysnames.h

$(BUILD)/gort-obj/%.o: % $(LIBFDT_SRC)/.stamp
	$(Q)mkdir -p $(@D)
	$(Q)$(CC_X) $(GORT_XFLAGS) -MMD -MP -c $< -o $@
$(GORT_ELF): $(GORT_OBJS) $(LIBFDT_OBJS) guest-abi/gort/gort.ld
	$(Q)mkdir -p $(@D)
	$(Q)$(CC_X) $(GORT_XFLAGS) -nostdlib -static -Wl,--gc-sections -Wl,-T,guest-abi/gort/gort.ld \
		-Wl,--no-warn-rwx-segments -Wl,--build-id=none $(GORT_OBJS) $(LIBFDT_OBJS) -o $@
	@echo "  GORT    $@"

# ---- gort's vDSO (guest-abi/gort/vdso/): a real ELF shared object, linked here and embedded
# into gort by guest-abi/gort/vdso_blob.S. Position independent with nothing to relocate (gort
# maps the file as is), so the build fails if the linker leaves any dynamic relocation.
VDSO_SO := $(BUILD)/gort-obj/vdso/vdso.so
VDSO_CFLAGS := -std=gnu11 -O2 -fPIC -fno-plt -nostdlib -ffreestanding -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fno-unwind-tables -march=rv64imac_zicsr_zifencei -mabi=lp64 \
	-Iguest-abi/gort $(WARN)
$(VDSO_SO): guest-abi/gort/vdso/vdso.c guest-abi/gort/vdso/vdso.lds guest-abi/gort/vvar.h
	$(Q)mkdir -p $(@D)
	$(Q)$(CC_X) $(VDSO_CFLAGS) -shared -Wl,-T,guest-abi/gort/vdso/vdso.lds -Wl,--hash-style=both \
		-Wl,-soname=linux-vdso.so.1 -Wl,--build-id=none -Wl,--no-undefined $< -o $@.tmp
	$(Q)if $(CROSS)readelf -r $@.tmp | grep -q '^Relocation section'; then \
		echo "vdso: dynamic relocations in $@" >&2; $(CROSS)readelf -r $@.tmp >&2; exit 1; fi
	$(Q)mv $@.tmp $@
$(BUILD)/gort-obj/guest-abi/gort/vdso_blob.S.o: $(VDSO_SO)
$(BUILD)/gort-obj/guest-abi/gort/vdso_blob.S.o: GORT_XFLAGS += -DVDSO_SO=\"$(VDSO_SO)\"

# ---------------------------------------------------------------- host tools
PACK := $(BUILD)/tools/gohv-pack
GOHV := $(BUILD)/tools/gohv
tools: $(PACK) $(GOHV)
PACK_SRCS := tools/gohv-pack.c tools/pack.c hv/config.c hv/elf.c
$(PACK): $(PACK_SRCS) $(wildcard hv/*.h) tools/pack.h | $(DEPS_STAMP)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) $(HOSTFLAGS) $(PACK_SRCS) -lfdt -o $@
# gohv: the user command (`gohv run PROGRAM`): packs a Go or C program into a one-partition board
# and boots it in QEMU; `gohv qemu` boots a packed image on the terminal. It finds the hv and gort
# relative to itself ($(BUILD)/tools/../hv/...).
GOHV_SRCS := tools/gohv.c tools/gohv_qemu.c tools/pack.c hv/config.c hv/elf.c $(QEMU_RUNNER_SRCS)
$(GOHV): $(GOHV_SRCS) $(wildcard hv/*.h) tools/pack.h tools/gohv_qemu.h $(QEMU_RUNNER_DEPS) \
		| $(DEPS_STAMP)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) $(HOSTFLAGS) $(MACHINE_FLAGS) $(GOHV_SRCS) -lfdt -o $@

# ---------------------------------------------------------------- Go programs
# Each folder under examples/go/ with a main.go is one static Linux/riscv64 program, run under gort:
# `gohv run $(BUILD)/go/hello`. One module (examples/go/go.mod), standard library only. GOCACHE
# lives in the build folder and HOME gets a default, so this works under CI with no home.
GO       ?= go
GO_ENV   := CGO_ENABLED=0 GOOS=linux GOARCH=riscv64 GOFLAGS= GOCACHE=$(abspath $(BUILD))/gocache \
	HOME="$${HOME:-$(abspath $(BUILD))}"
GO_EXAMPLES := $(patsubst examples/go/%/main.go,%,$(wildcard examples/go/*/main.go))
GO_BINS  := $(patsubst %,$(BUILD)/go/%,$(GO_EXAMPLES))
GO_CPIOS := $(patsubst %,$(BUILD)/go/%.cpio,$(GO_EXAMPLES))
.PHONY: go-examples go-initrds
go-examples: $(GO_BINS)
# A board names a Go program's initrd as <name>.cpio (found with -L $(BUILD)/go): the archive
# `gohv run` would pack, without the working folder.
go-initrds: $(GO_CPIOS)
# $(1): the program's folder name, $(2): its module folder (examples/go or tests/go).
define go_rule
$(BUILD)/go/$(1): $(wildcard $(2)/$(1)/*.go) $(2)/go.mod | $(DEPS_STAMP)
	$(Q)mkdir -p $$(@D)
	$(Q)cd $(2) && $$(GO_ENV) $(GO) build -trimpath -o $(abspath $(BUILD))/go/$(1) ./$(1)
	@echo "  GO      $$@"
$(BUILD)/go/$(1).cpio: $(BUILD)/go/$(1) $(GOHV)
	$(Q)$(GOHV) initrd $(BUILD)/go/$(1) -o $$@
endef
$(foreach e,$(GO_EXAMPLES),$(eval $(call go_rule,$(e),examples/go)))
# Go programs that exist only for tests.
GO_TEST_PROGS := $(patsubst tests/go/%/main.go,%,$(wildcard tests/go/*/main.go))
$(foreach e,$(GO_TEST_PROGS),$(eval $(call go_rule,$(e),tests/go)))
GO_BINS += $(patsubst %,$(BUILD)/go/%,$(GO_TEST_PROGS))

# ---------------------------------------------------------------- board images
# boards/<board>/config.dts names images by file name; they are looked up in the guest folder.
BOARD_DIRS := $(patsubst boards/%/config.dts,%,$(wildcard boards/*/config.dts))
IMAGES := $(foreach b,$(BOARD_DIRS),$(BUILD)/boards/$(b)/gohv.img)
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
.PHONY: run-prereqs
run-prereqs: $(BUILD)/boards/$(BOARD)/gohv.img $(GOHV)
	@:
run: $(DEPS_STAMP)
	$(Q)$(MAKE) --no-print-directory run-prereqs
	@echo "gohv: booting board $(BOARD) (Ctrl-A X quits)"
	$(Q)$(GOHV) qemu --qemu-args $(BUILD)/boards/$(BOARD)/qemu-args $(BUILD)/boards/$(BOARD)/gohv.img

# ---------------------------------------------------------------- tests
UNIT_SRCS := $(wildcard tests/unit/*.c) $(filter-out hv/main.c,$(wildcard hv/*.c)) \
	$(wildcard arch/host/*.c) arch/riscv64/stage2.c tools/qemu_cmd.c
UNIT_BIN := $(BUILD)/tests/unit-tests
$(UNIT_BIN): $(UNIT_SRCS) $(wildcard hv/*.h tests/unit/*.h arch/host/include/*/*.h) lib/fmt.c \
		tools/qemu_cmd.h $(MACHINE_H) | $(DEPS_STAMP)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) $(HOSTFLAGS) $(MACHINE_FLAGS) -Iguest-abi -Itests/unit $(UNIT_SRCS) -lcriterion \
		-lfdt -o $@

INTEG_SRCS := $(filter-out tests/integration/test_go.c,$(wildcard tests/integration/*.c)) \
	$(QEMU_RUNNER_SRCS)
INTEG_BIN := $(BUILD)/tests/integration-tests
$(INTEG_BIN): $(INTEG_SRCS) $(wildcard tests/integration/*.h) $(QEMU_RUNNER_DEPS) | $(DEPS_STAMP)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) $(HOSTFLAGS) $(MACHINE_FLAGS) -Itests/integration $(INTEG_SRCS) -lcriterion -o $@

# gort's files on the host, against the fakes in tests/gort (-iquote: gort's errno.h and linux.h
# must not shadow the host's <errno.h>). test_vdso.c embeds the real vDSO image.
GORT_TEST_SRCS := $(wildcard tests/gort/*.c) $(wildcard guest-abi/gort/fs.c) \
	guest-abi/gort/signal.c guest-abi/gort/vdso.c
GORT_TEST_BIN := $(BUILD)/tests/gort-tests
$(GORT_TEST_BIN): $(GORT_TEST_SRCS) $(wildcard tests/gort/*.h guest-abi/gort/*.h) $(VDSO_SO) \
		| $(DEPS_STAMP)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) $(HOSTFLAGS) -iquote guest-abi/gort -iquote tests/gort \
		-DVDSO_SO=\"$(VDSO_SO)\" $(GORT_TEST_SRCS) -lcriterion -o $@
.PHONY: gort-test
gort-test: $(GORT_TEST_BIN)
	$(Q)$(GORT_TEST_BIN) --jobs 2

TEST_DTBS := $(patsubst tests/boards/%.dts,$(BUILD)/tests/boards/%.dtb,$(wildcard tests/boards/*.dts))
$(BUILD)/tests/boards/%.dtb: tests/boards/%.dts | $(DEPS_STAMP)
	$(Q)mkdir -p $(@D)
	$(Q)$(DTC) -q -I dts -O dtb -o $@ $<

# Go tests (tests/integration/test_go.c): the examples/go programs, Go boards (tests/boards/go-*)
# and the standard-library tests of tests/go-stdlib.txt, all under gort. Their own binary and
# target, `make go-test`, also run by `make test`.
GO_TEST_SRCS := tests/integration/test_go.c tests/integration/harness.c $(QEMU_RUNNER_SRCS)
GO_TEST_BIN := $(BUILD)/tests/go-tests
$(GO_TEST_BIN): $(GO_TEST_SRCS) $(wildcard tests/integration/*.h) $(QEMU_RUNNER_DEPS) \
		| $(DEPS_STAMP)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) $(HOSTFLAGS) $(MACHINE_FLAGS) -Itests/integration $(GO_TEST_SRCS) -lcriterion -o $@
.PHONY: go-test
go-test: $(GO_TEST_BIN) $(HV_ELF) $(GORT_ELF) $(PACK) $(GOHV) $(TEST_DTBS) $(GO_BINS) $(GO_CPIOS)
	$(Q)GOHV_BUILD=$(BUILD) $(GO_TEST_BIN) --jobs 1

tests: $(UNIT_BIN) $(INTEG_BIN) $(TEST_DTBS) $(GORT_TEST_BIN) $(GO_TEST_BIN)

unit-test: $(UNIT_BIN) $(GORT_TEST_BIN)
	$(Q)$(UNIT_BIN) --jobs 2
	$(Q)$(GORT_TEST_BIN) --jobs 2

# Integration tests pack their own images from tests/boards with the packer and the guests.
integration-test: $(INTEG_BIN) $(HV_ELF) $(GUEST_ELFS) $(PACK) $(TEST_DTBS) $(IMAGES)
	$(Q)GOHV_BUILD=$(BUILD) $(INTEG_BIN) --jobs 2

test: $(DEPS_STAMP)
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(MAKE) --no-print-directory unit-test
	$(Q)$(MAKE) --no-print-directory integration-test
	$(Q)$(MAKE) --no-print-directory go-test

# ---------------------------------------------------------------- benchmarks
# `make bench` boots tools/bench/boards/*.dts under -icount with a bench build of the hv (built
# with -DGOHV_BENCH into $(BUILD)/bench: it also prints its entry tick, the tick of each fault
# report and its stage-2 table sizes), prints a table, writes $(BUILD)/bench/results.json and
# chart.png, and compares with tools/bench/baseline.json. `make bench-baseline` rewrites that
# baseline. BENCHMARKS.md describes every figure.
.PHONY: bench bench-baseline bench-prereqs
BENCH_DIR      := $(BUILD)/bench
BENCH_HV_OBJS  := $(patsubst %,$(BENCH_DIR)/hv-obj/%.o,$(HV_SRCS))
BENCH_HV_ELF   := $(BENCH_DIR)/hv/gohv.elf
BENCH_DTBS     := $(patsubst tools/bench/boards/%.dts,$(BENCH_DIR)/boards/%.dtb,\
	$(wildcard tools/bench/boards/*.dts))
BENCH_TOOL     := $(BUILD)/tools/gohv-bench
BENCH_BASELINE := tools/bench/baseline.json
BENCH_RUN       = $(BENCH_TOOL) --build $(BUILD) --baseline $(BENCH_BASELINE)
# The Go probe (tools/bench/go, its own module) and the initrds the Go scenarios boot under gort:
# bench_gomain.cpio for boot.go_main.*, hello.cpio (examples/go/hello) for footprint.min_ram_go.
# Packed with the Go-tuning variables unset, so the host's GOGC, GOMAXPROCS... cannot move a figure.
BENCH_GO_BIN   := $(BENCH_DIR)/go/bench_gomain
BENCH_GO_CPIOS := $(BENCH_DIR)/go/bench_gomain.cpio $(BENCH_DIR)/go/hello.cpio
BENCH_INITRD    = env -u GOGC -u GODEBUG -u GOMAXPROCS -u GOTRACEBACK $(GOHV) initrd

$(BENCH_DIR)/hv-obj/%.o: % $(LIBFDT_SRC)/.stamp
	$(Q)mkdir -p $(@D)
	$(Q)$(CC_X) $(HV_XFLAGS) -DGOHV_BENCH -MMD -MP -c $< -o $@
$(BENCH_HV_ELF): $(BENCH_HV_OBJS) $(LIBFDT_OBJS) arch/$(ARCH)/hv.ld
	$(Q)mkdir -p $(@D)
	$(Q)$(CC_X) $(XFLAGS) -nostdlib -static -Wl,--gc-sections -Wl,-T,arch/$(ARCH)/hv.ld \
		-Wl,--no-warn-rwx-segments -Wl,--build-id=none $(BENCH_HV_OBJS) $(LIBFDT_OBJS) -lgcc -o $@
	@echo "  HV      $@ (bench)"
$(BENCH_DIR)/boards/%.dtb: tools/bench/boards/%.dts | $(DEPS_STAMP)
	$(Q)mkdir -p $(@D)
	$(Q)$(DTC) -q -I dts -O dtb -o $@ $<
BENCH_TOOL_SRCS := tools/bench/gohv-bench.c $(QEMU_RUNNER_SRCS)
$(BENCH_TOOL): $(BENCH_TOOL_SRCS) $(QEMU_RUNNER_DEPS) hv/console_proto.h | $(DEPS_STAMP)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) $(HOSTFLAGS) $(MACHINE_FLAGS) $(BENCH_TOOL_SRCS) -o $@
$(BENCH_GO_BIN): $(wildcard tools/bench/go/*.go) tools/bench/go/go.mod | $(DEPS_STAMP)
	$(Q)mkdir -p $(@D)
	$(Q)cd tools/bench/go && $(GO_ENV) $(GO) build -trimpath -o $(abspath $@) .
	@echo "  GO      $@"
$(BENCH_DIR)/go/bench_gomain.cpio: $(BENCH_GO_BIN) $(GOHV)
	$(Q)$(BENCH_INITRD) $< -o $@
$(BENCH_DIR)/go/hello.cpio: $(BUILD)/go/hello $(GOHV)
	$(Q)mkdir -p $(@D)
	$(Q)$(BENCH_INITRD) $< -o $@

bench-prereqs: $(BENCH_TOOL) $(BENCH_HV_ELF) $(HV_ELF) $(GUEST_ELFS) $(GORT_ELF) $(PACK) \
		$(BENCH_DTBS) $(BENCH_GO_CPIOS)
	$(Q)command -v gnuplot >/dev/null || { rm -f $(DEPS_STAMP); $(MAKE) --no-print-directory deps; }
bench: $(DEPS_STAMP)
	$(Q)$(MAKE) --no-print-directory bench-prereqs
	$(Q)$(BENCH_RUN)
bench-baseline: $(DEPS_STAMP)
	$(Q)$(MAKE) --no-print-directory bench-prereqs
	$(Q)$(BENCH_RUN) --write-baseline

# ---------------------------------------------------------------- housekeeping
FORMAT_FILES = $(shell git ls-files '*.c' '*.h')
format:
	$(Q)clang-format -i $(FORMAT_FILES)
check-format:
	$(Q)clang-format --dry-run --Werror $(FORMAT_FILES)

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
.SECONDARY:

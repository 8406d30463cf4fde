# Tests: unit tests of the core on the host (against the fake port arch/host/), gort's files on
# the host, integration tests that pack and boot boards in QEMU, and the Go tests.

.PHONY: tests unit-test integration-test gort-test chan-test go-test test

UNIT_SRCS := $(wildcard tests/unit/*.c) $(filter-out hv/main.c,$(wildcard hv/*.c)) \
	$(wildcard arch/host/*.c) $(wildcard devices/*.c) $(LIB_DT_SRCS) $(ARCH_UNIT_SRCS) tools/qemu_cmd.c \
	tools/console_wire.c
UNIT_BIN := $(BUILD)/tests/unit-tests
$(UNIT_BIN): $(UNIT_SRCS) $(wildcard hv/*.h devices/*.h lib/*.h tests/unit/*.h arch/host/include/*/*.h) \
		$(wildcard arch/$(ARCH)/include/arch/*.h arch/$(ARCH)/*.h) lib/fmt.c tools/qemu_cmd.h tools/console_wire.h \
		$(ARCH_MACHINE_H) \
		| $(DEPS_STAMP)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) $(HOSTFLAGS) $(MACHINE_FLAGS) -Iguest-abi -Itests/unit $(UNIT_SRCS) -lcriterion \
		-lfdt -pthread -o $@

# gchan (guest-abi/chan/) on the host: its two ends against the fake hv of tests/chan/window.c.
CHAN_TEST_SRCS := $(wildcard tests/chan/*.c) $(GCHAN_SRCS) $(LIB_DT_SRCS)
CHAN_TEST_DEPS := $(CHAN_TEST_SRCS) $(wildcard tests/chan/*.h) $(GCHAN_HDRS)
CHAN_TEST_FLAGS := $(GCHAN_INCLUDES) -Itests/chan $(CHAN_TEST_SRCS) -lcriterion -lfdt -pthread
CHAN_TEST_BIN := $(BUILD)/tests/chan-tests
$(CHAN_TEST_BIN): $(CHAN_TEST_DEPS) | $(DEPS_STAMP)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) $(HOSTFLAGS) $(CHAN_TEST_FLAGS) -o $@
chan-test: $(CHAN_TEST_BIN)
	$(Q)$(CHAN_TEST_BIN) --jobs 2
CHAN_TEST_SAN_BIN := $(BUILD)/tests/chan-tests-san
$(CHAN_TEST_SAN_BIN): $(CHAN_TEST_DEPS) | $(DEPS_STAMP)
	$(Q)mkdir -p $(@D)
	$(Q)$(SAN_CC) $(HOSTFLAGS) $(SAN_FLAGS) $(CHAN_TEST_FLAGS) -o $@

# The same unit tests (and gchan's) under UBSan and ASan, with libfdt compiled from the very
# sources the hv uses (not the host's -lfdt), so undefined behaviour inside libfdt shows too. Any
# report fails the run. `make sanitize-test`, also run by `make test`. Built with clang: GCC 12's
# UBSan does not see a pointer formed by adding a wrapping unsigned offset (elf_load did that on
# every boot).
SAN_CC ?= clang
SAN_FLAGS := -fsanitize=undefined,address -fno-sanitize-recover=all -fno-omit-frame-pointer
UNIT_SAN_BIN := $(BUILD)/tests/unit-tests-san
$(UNIT_SAN_BIN): $(UNIT_SRCS) $(wildcard hv/*.h devices/*.h lib/*.h tests/unit/*.h arch/host/include/*/*.h) \
		$(wildcard arch/$(ARCH)/include/arch/*.h arch/$(ARCH)/*.h) lib/fmt.c tools/qemu_cmd.h \
		$(ARCH_MACHINE_H) $(LIBFDT_SRC)/.stamp | $(DEPS_STAMP)
	$(Q)mkdir -p $(@D)
	$(Q)$(SAN_CC) $(HOSTFLAGS) $(SAN_FLAGS) $(MACHINE_FLAGS) -I$(LIBFDT_SRC) -Iguest-abi \
		-Itests/unit $(UNIT_SRCS) $(addprefix $(LIBFDT_SRC)/,$(LIBFDT_FILES)) -lcriterion -o $@
.PHONY: sanitize-test
sanitize-test: $(UNIT_SAN_BIN) $(CHAN_TEST_SAN_BIN)
	$(Q)ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1 $(UNIT_SAN_BIN) --jobs 2
	$(Q)ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1 $(CHAN_TEST_SAN_BIN) --jobs 2

# The Go tests' files have their own binaries (below).
INTEG_SRCS := $(filter-out tests/integration/test_go.c tests/integration/test_tamago.c \
	tests/integration/test_vault.c tests/integration/test_netd.c tests/integration/test_netback.c \
	tests/integration/grun.c tests/integration/examples.c tests/integration/test_publish.c \
	tests/integration/http_client.c,$(wildcard tests/integration/*.c)) \
	$(QEMU_RUNNER_SRCS)
INTEG_BIN := $(BUILD)/tests/integration-tests
# The hv headers the tests read formats from (the package's, the console's) rebuild them too.
$(INTEG_BIN): $(INTEG_SRCS) $(wildcard tests/integration/*.h) $(wildcard hv/*.h) \
		$(QEMU_RUNNER_DEPS) | $(DEPS_STAMP)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) $(HOSTFLAGS) $(MACHINE_FLAGS) -Itests/integration $(INTEG_SRCS) -lcriterion -lfdt -o $@

# gort's files on the host, against the fakes in tests/gort (-iquote: gort's errno.h and linux.h
# must not shadow the host's <errno.h>). test_vdso.c embeds the real vDSO image.
# The gort sources built for the host, with the fakes of what they call (also the fuzzers',
# tests/fuzz/fuzz.mk).
GORT_HOST_SRCS := guest-abi/gort/fs.c guest-abi/gort/fsmem.c guest-abi/gort/fdata.c \
	guest-abi/gort/devices.c guest-abi/gort/etc.c guest-abi/gort/signal.c guest-abi/gort/sock.c \
	guest-abi/gort/sock_loop.c guest-abi/gort/sock_netd.c guest-abi/gort/sock_unix.c $(wildcard tests/gort/fakes_*.c)
GORT_TEST_SRCS := $(wildcard tests/gort/test_*.c) $(GORT_HOST_SRCS) guest-abi/gort/vdso.c
GORT_TEST_BIN := $(BUILD)/tests/gort-tests
$(GORT_TEST_BIN): $(GORT_TEST_SRCS) $(wildcard tests/gort/*.h guest-abi/gort/*.h) $(VDSO_SO) \
		| $(DEPS_STAMP)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) $(HOSTFLAGS) -iquote guest-abi/gort -iquote guest-abi -iquote guest-abi/chan -iquote tests/gort \
		-DVDSO_SO=\"$(VDSO_SO)\" $(GORT_TEST_SRCS) -lcriterion -o $@
# gort's 9P client (ninep.c) alone, on the wire, against a scripted server in tests/gort/ninep.
NINEP_TEST_SRCS := $(wildcard tests/gort/ninep/*.c) guest-abi/gort/ninep.c
NINEP_TEST_BIN := $(BUILD)/tests/ninep-tests
$(NINEP_TEST_BIN): $(NINEP_TEST_SRCS) $(wildcard tests/gort/ninep/*.h guest-abi/gort/*.h) \
		| $(DEPS_STAMP)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) $(HOSTFLAGS) -iquote guest-abi/gort -iquote guest-abi -iquote guest-abi/chan \
		-iquote tests/gort/ninep $(NINEP_TEST_SRCS) -lcriterion -o $@
gort-test: $(GORT_TEST_BIN) $(NINEP_TEST_BIN)
	$(Q)$(GORT_TEST_BIN) --jobs 2
	$(Q)$(NINEP_TEST_BIN) --jobs 2

TEST_DTBS := $(patsubst tests/boards/%.dts,$(BUILD)/tests/boards/%.dtb,$(wildcard tests/boards/*.dts))
$(BUILD)/tests/boards/%.dtb: tests/boards/%.dts | $(DEPS_STAMP)
	$(Q)mkdir -p $(@D)
	$(Q)$(DTC) -q -I dts -O dtb -o $@ $<

# Go tests (tests/integration/test_go.c): the examples/go programs, Go boards (tests/boards/go-*)
# and the standard-library tests of tests/go-stdlib.txt, all under gort. Their own binary and
# target, `make go-test`, also run by `make test`.
GO_TEST_SRCS := tests/integration/test_go.c tests/integration/test_vault.c tests/integration/grun.c \
	tests/integration/test_netd.c tests/integration/test_netback.c \
	tests/integration/examples.c tests/integration/harness.c \
	$(QEMU_RUNNER_SRCS)
# gohv run --publish: an HTTP client of its own, and the generated board read with libfdt.
GO_TEST_SRCS += tests/integration/test_publish.c tests/integration/http_client.c
GO_TEST_BIN := $(BUILD)/tests/go-tests
$(GO_TEST_BIN): $(GO_TEST_SRCS) $(wildcard tests/integration/*.h) $(wildcard hv/*.h) \
		$(QEMU_RUNNER_DEPS) | $(DEPS_STAMP)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) $(HOSTFLAGS) $(MACHINE_FLAGS) -Itests/integration $(GO_TEST_SRCS) -lcriterion \
		-pthread $(GO_TEST_LIBS) -o $@
GO_TEST_LIBS := -lfdt
# The vault/app example boots its own board (tests/integration/test_vault.c).
go-test: $(GO_TEST_BIN) $(HV_ELF) $(GORT_ELF) $(PACK) $(GOHV) $(TEST_DTBS) $(GO_BINS) $(GO_CPIOS) \
		$(GO_TEST_CPIOS) $(BUILD)/boards/qemu-virt-riscv64-vault/gohv.img $(NETD_BIN) $(NETD_CPIO)
	$(Q)GOHV_BUILD=$(BUILD) $(GO_TEST_BIN) --jobs 1

# GOOS=tamago programs (tests/integration/test_tamago.c): their own binary and target, `make
# tamago-test`, also run by `make test`. Without TAMAGO only gohv build's refusals are tested.
TAMAGO_TEST_SRCS := tests/integration/test_tamago.c tests/integration/grun.c tests/integration/examples.c \
	tests/integration/harness.c $(QEMU_RUNNER_SRCS)
TAMAGO_TEST_BIN := $(BUILD)/tests/tamago-tests
$(TAMAGO_TEST_BIN): $(TAMAGO_TEST_SRCS) $(wildcard tests/integration/*.h) $(QEMU_RUNNER_DEPS) \
		| $(DEPS_STAMP)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) $(HOSTFLAGS) $(MACHINE_FLAGS) -Itests/integration $(TAMAGO_TEST_SRCS) \
		-lcriterion -o $@
.PHONY: tamago-test
tamago-test: $(TAMAGO_TEST_BIN) $(HV_ELF) $(PACK) $(GOHV) $(TEST_DTBS)
ifeq ($(strip $(TAMAGO)),)
	$(Q)GOHV_BUILD=$(BUILD) $(TAMAGO_TEST_BIN) --jobs 1 --filter 'tamago_build/*'
	@echo "tamago-test: the GOOS=tamago program tests were skipped: TAMAGO is not set (TamaGo's go; see guest-abi/README.md)"
else
	$(Q)$(MAKE) --no-print-directory tamago-progs
	$(Q)GOHV_BUILD=$(BUILD) $(TAMAGO_TEST_BIN) --jobs 1
endif

tests: $(UNIT_BIN) $(INTEG_BIN) $(TEST_DTBS) $(GORT_TEST_BIN) $(NINEP_TEST_BIN) $(CHAN_TEST_BIN) \
	$(GO_TEST_BIN) \
	$(TAMAGO_TEST_BIN)

unit-test: $(UNIT_BIN) $(GORT_TEST_BIN) $(NINEP_TEST_BIN) $(CHAN_TEST_BIN)
	$(Q)$(UNIT_BIN) --jobs 2
	$(Q)$(GORT_TEST_BIN) --jobs 2
	$(Q)$(NINEP_TEST_BIN) --jobs 2
	$(Q)$(CHAN_TEST_BIN) --jobs 2
	$(Q)$(MAKE) --no-print-directory gostd-test
	$(Q)$(MAKE) --no-print-directory netd-test

# Integration tests pack their own images from tests/boards with the packer and the guests.
integration-test: $(INTEG_BIN) $(HV_ELF) $(GUEST_ELFS) $(PACK) $(TEST_DTBS) $(IMAGES)
	$(Q)GOHV_BUILD=$(BUILD) $(INTEG_BIN) --jobs 2

test: $(DEPS_STAMP)
	$(Q)$(MAKE) --no-print-directory check-neutral
	$(Q)$(MAKE) --no-print-directory check-goos-go-abi
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(MAKE) --no-print-directory unit-test
	$(Q)$(MAKE) --no-print-directory sanitize-test
	$(Q)$(MAKE) --no-print-directory integration-test
	$(Q)$(MAKE) --no-print-directory go-test
	$(Q)$(MAKE) --no-print-directory tamago-test
	$(Q)$(MAKE) --no-print-directory fuzz-smoke

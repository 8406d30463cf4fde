# `make bench` boots tools/bench/boards/*.dts under -icount with a bench build of the hv (built
# with -DGOHV_BENCH into $(BUILD)/bench, with its own generated asm offsets: it also prints its
# entry tick, the tick of each fault report and its stage-2 table sizes), prints a table, writes
# $(BUILD)/bench/results.json and chart.png, and compares with tools/bench/baseline.json.
# `make bench-baseline` rewrites that baseline. BENCHMARKS.md describes every figure.

.PHONY: bench bench-baseline bench-prereqs startup-cost
BENCH_DIR      := $(BUILD)/bench
BENCH_HV_GEN   := $(BENCH_DIR)/gen/hv
BENCH_HV_XFLAGS := $(call hv_xflags,$(BENCH_HV_GEN)) -DGOHV_BENCH
BENCH_HV_OBJS  := $(call objs_in,$(BENCH_DIR)/hv-obj,$(HV_SRCS))
BENCH_HV_ELF   := $(BENCH_DIR)/hv/gohv.elf
BENCH_DTBS     := $(patsubst tools/bench/boards/%.dts,$(BENCH_DIR)/boards/%.dtb,\
	$(wildcard tools/bench/boards/*.dts))
BENCH_TOOL     := $(BUILD)/tools/gohv-bench
BENCH_BASELINE := tools/bench/baseline.json
BENCH_RUN       = $(BENCH_TOOL) --build $(BUILD) --baseline $(BENCH_BASELINE)
# The Go probe (tools/bench/go, its own module) and the initrds the Go scenarios boot under gort:
# bench_gomain.cpio for boot.go_main.*, hello.cpio (examples/go/hello) for footprint.min_ram_go,
# bench_gochan.cpio (tools/bench/go/chan) for chan.*.go, bench_getpid.cpio (tools/bench/go/getpid)
# for syscall.getpid.go.
# Packed with the Go-tuning variables unset, so the host's GOGC, GOMAXPROCS... cannot move a figure.
BENCH_GO_BIN   := $(BENCH_DIR)/go/bench_gomain
BENCH_GOCHAN_BIN := $(BENCH_DIR)/go/bench_gochan
BENCH_GETPID_BIN := $(BENCH_DIR)/go/bench_getpid
BENCH_GO_CPIOS := $(BENCH_DIR)/go/bench_gomain.cpio $(BENCH_DIR)/go/hello.cpio \
	$(BENCH_DIR)/go/bench_gochan.cpio $(BENCH_DIR)/go/bench_getpid.cpio
# bench_http.cpio (tools/bench/go/http) and netd.cpio (guest-abi/netd) for http.*.
BENCH_HTTP_BIN := $(BENCH_DIR)/go/bench_http
BENCH_GO_CPIOS += $(BENCH_DIR)/go/bench_http.cpio $(BENCH_DIR)/go/netd.cpio
BENCH_INITRD    = env -u GOGC -u GODEBUG -u GOMAXPROCS -u GOTRACEBACK $(GOHV) initrd
# The GOOS=tamago probe (tools/bench/tamago, `gohv build`) for boot.tamago_main.1, and the
# GOOS=tamago programs of the tests for footprint.min_ram_tamago and idle.tamago_sleep: only with
# TAMAGO set (guest-abi/goos-go/goos-go.mk); without, those figures are not measured.
BENCH_TAMAGO_BIN := $(BENCH_DIR)/go/bench_tamago
BENCH_TAMAGO := $(if $(strip $(TAMAGO)),$(BENCH_TAMAGO_BIN) $(BUILD)/tamago/hello $(BUILD)/tamago/idle)

# The SBI-only guest (tools/bench/sbi), linked twice from the same objects: at the start of
# partition RAM for gohv and at the firmware's payload address to run on OpenSBI alone; both
# addresses are the machine's (machine.h).
comma := ,
machine_const = $(shell sed -n 's/^\#define $(1) \(0x[0-9a-fA-F]*\)UL.*/\1/p' $(ARCH_MACHINE_H))
BENCH_SBI_SRCS := tools/bench/sbi/start.S tools/bench/sbi/bench_sbi.c $(LIB_SRCS)
BENCH_SBI_OBJS := $(call objs_in,$(BENCH_DIR)/sbi-obj,$(BENCH_SBI_SRCS))
BENCH_SBI_XFLAGS := $(XFLAGS)
BENCH_SBI_ELFS := $(BENCH_DIR)/sbi/bench_sbi.elf $(BENCH_DIR)/sbi/bench_sbi_firmware.elf
$(eval $(call freestanding_compile,$(BENCH_DIR)/sbi-obj,BENCH_SBI_XFLAGS))
BENCH_SBI_LD := tools/bench/sbi/sbi.ld
sbi_base = $(XFLAGS) -Wl$(comma)--defsym=SBI_BENCH_BASE=$(call machine_const,$(1))
$(eval $(call freestanding_image,$(BENCH_DIR)/sbi/bench_sbi.elf,$(BENCH_SBI_OBJS),$(BENCH_SBI_LD),$(call sbi_base,MACHINE_GUEST_RAM_BASE),-lgcc))
$(eval $(call freestanding_image,$(BENCH_DIR)/sbi/bench_sbi_firmware.elf,$(BENCH_SBI_OBJS),$(BENCH_SBI_LD),$(call sbi_base,MACHINE_PAYLOAD_BASE),-lgcc))

# tests/integration/test_bench_smoke.c boots the gohv one.
tests integration-test: $(BENCH_SBI_ELFS)

$(eval $(call freestanding_compile,$(BENCH_DIR)/hv-obj,BENCH_HV_XFLAGS))
$(eval $(call hv_cold,$(BENCH_DIR)/hv-obj,BENCH_HV_XFLAGS))
$(eval $(call freestanding_image,$(BENCH_HV_ELF),$(BENCH_HV_OBJS) $(LIBFDT_OBJS),$(ARCH_HV_LD),$(XFLAGS),-lgcc,HV))
$(eval $(call asm_offsets,$(BENCH_HV_GEN)/asm-offsets.h,$(ARCH_HV_ASM_OFFSETS),BENCH_HV_XFLAGS))
$(filter %.S.o,$(BENCH_HV_OBJS)): $(BENCH_HV_GEN)/asm-offsets.h
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
$(BENCH_GOCHAN_BIN): $(wildcard tools/bench/go/chan/* tools/bench/go/probe/*) tools/bench/go/go.mod | $(DEPS_STAMP)
	$(Q)mkdir -p $(@D)
	$(Q)cd tools/bench/go && $(GO_ENV) $(GO) build -trimpath -o $(abspath $@) ./chan
	@echo "  GO      $@"
$(BENCH_DIR)/go/bench_gochan.cpio: $(BENCH_GOCHAN_BIN) $(GOHV)
	$(Q)$(BENCH_INITRD) $< -o $@
$(BENCH_GETPID_BIN): $(wildcard tools/bench/go/getpid/* tools/bench/go/probe/*) tools/bench/go/go.mod | $(DEPS_STAMP)
	$(Q)mkdir -p $(@D)
	$(Q)cd tools/bench/go && $(GO_ENV) $(GO) build -trimpath -o $(abspath $@) ./getpid
	@echo "  GO      $@"
$(BENCH_DIR)/go/bench_getpid.cpio: $(BENCH_GETPID_BIN) $(GOHV)
	$(Q)$(BENCH_INITRD) $< -o $@
$(BENCH_HTTP_BIN): $(wildcard tools/bench/go/http/* tools/bench/go/probe/*) tools/bench/go/go.mod | $(DEPS_STAMP)
	$(Q)mkdir -p $(@D)
	$(Q)cd tools/bench/go && $(GO_ENV) $(GO) build -trimpath -o $(abspath $@) ./http
	@echo "  GO      $@"
$(BENCH_DIR)/go/bench_http.cpio: $(BENCH_HTTP_BIN) $(GOHV)
	$(Q)$(BENCH_INITRD) $< -o $@
$(BENCH_DIR)/go/netd.cpio: $(NETD_BIN) $(GOHV)
	$(Q)mkdir -p $(@D)
	$(Q)$(BENCH_INITRD) $< -o $@
$(BENCH_TAMAGO_BIN): $(wildcard tools/bench/tamago/*.go) tools/bench/tamago/go.mod $(GOOS_GO_SRCS) \
		$(GOHV)
	$(Q)mkdir -p $(@D)
	$(Q)cd tools/bench/tamago && $(TAMAGO_ENV) $(abspath $(GOHV)) build -trimpath -o $(abspath $@) .
	@echo "  TAMAGO  $@"
$(BENCH_DIR)/go/bench_gomain.cpio: $(BENCH_GO_BIN) $(GOHV)
	$(Q)$(BENCH_INITRD) $< -o $@
$(BENCH_DIR)/go/hello.cpio: $(BUILD)/go/hello $(GOHV)
	$(Q)mkdir -p $(@D)
	$(Q)$(BENCH_INITRD) $< -o $@

bench-prereqs: $(BENCH_TOOL) $(BENCH_HV_ELF) $(HV_ELF) $(GUEST_ELFS) $(GORT_ELF) $(PACK) \
		$(BENCH_SBI_ELFS) $(BENCH_DTBS) $(BENCH_GO_CPIOS) $(BENCH_TAMAGO) $(BUILD)/go/hello
	$(Q)command -v gnuplot >/dev/null || { rm -f $(DEPS_STAMP); $(MAKE) --no-print-directory deps; }
# BENCH_ONLY=calls,sbi,... runs only those scenarios (gohv-bench --only), for a quick look.
bench: $(DEPS_STAMP)
	$(Q)$(MAKE) --no-print-directory bench-prereqs
	$(Q)$(BENCH_RUN) $(if $(BENCH_ONLY),--only $(BENCH_ONLY))
bench-baseline: $(DEPS_STAMP)
	$(Q)$(MAKE) --no-print-directory bench-prereqs
	$(Q)$(BENCH_RUN) --write-baseline
# The start-up cost of `gohv run` against qemu-user (a wall-time measurement, not a test).
startup-cost: $(DEPS_STAMP) $(GOHV) $(HV_ELF) $(GORT_ELF) $(BUILD)/go/hello
	$(Q)tools/startup-cost.sh $(GOHV) $(BUILD)/go/hello

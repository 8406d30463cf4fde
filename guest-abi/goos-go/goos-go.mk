# GOOS=tamago Go programs (guest-abi/goos-go, the runtime/goos package TamaGo's toolchain builds
# them against for gohv). Building them needs TamaGo's go, which Debian does not package: TAMAGO
# names it (.ci/run extracts the team's copy); without it these programs and their tests are
# skipped. Every build goes through `gohv build` (tools/gohv_build.c), the one definition of the
# command line. The module's ABI constants come from guest-abi/goos.h (`make goos-go-abi`).

ifneq ($(strip $(TAMAGO)),)
export TAMAGO
endif
GOOS_GO_SRCS := guest-abi/goos-go/go.mod $(wildcard guest-abi/goos-go/*/*.go guest-abi/goos-go/*/*.s)
# The examples that need no OS feature: all but spin (asynchronous preemption, which the tamago
# runtime does not have) and parallel (the getcpu system call).
TAMAGO_EXAMPLES := $(filter-out spin parallel,$(GO_EXAMPLES))
TAMAGO_TEST_PROGS := $(patsubst tests/tamago/%/main.go,%,$(wildcard tests/tamago/*/main.go))
TAMAGO_BINS := $(patsubst %,$(BUILD)/tamago/%,$(TAMAGO_EXAMPLES) $(TAMAGO_TEST_PROGS))
TAMAGO_ENV := GOCACHE=$(abspath $(BUILD))/gocache HOME="$${HOME:-$(abspath $(BUILD))}"

.PHONY: tamago-progs goos-go-abi check-goos-go-abi
tamago-progs: $(TAMAGO_BINS)
# $(1): the program's folder name, $(2): its module folder (examples/go or tests/tamago).
define tamago_rule
$(BUILD)/tamago/$(1): $(wildcard $(2)/$(1)/*.go) $(2)/go.mod $(GOOS_GO_SRCS) $(GOHV)
	$(Q)mkdir -p $$(@D)
	$(Q)cd $(2) && $$(TAMAGO_ENV) $(abspath $(GOHV)) build -trimpath \
		-o $(abspath $(BUILD))/tamago/$(1) ./$(1)
	@echo "  TAMAGO  $$@"
endef
$(foreach e,$(TAMAGO_EXAMPLES),$(eval $(call tamago_rule,$(e),examples/go)))
$(foreach e,$(TAMAGO_TEST_PROGS),$(eval $(call tamago_rule,$(e),tests/tamago)))

# guest-abi/goos-go/goos/abi.go is generated from goos.h and committed (a module must build
# with go alone); `make test` checks it is current.
GOOS_GO_ABI := guest-abi/goos-go/goos/abi.go
GOOS_GO_ABI_TOOL := $(BUILD)/tools/goos-go-abi
$(GOOS_GO_ABI_TOOL): tools/goos_go_abi.c guest-abi/goos.h | $(DEPS_STAMP)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) $(HOSTFLAGS) $< -o $@
goos-go-abi: $(GOOS_GO_ABI_TOOL)
	$(Q)$(GOOS_GO_ABI_TOOL) | gofmt > $(GOOS_GO_ABI)
check-goos-go-abi: $(GOOS_GO_ABI_TOOL)
	$(Q)$(GOOS_GO_ABI_TOOL) | gofmt | cmp -s - $(GOOS_GO_ABI) || \
		{ echo "$(GOOS_GO_ABI) is not what guest-abi/goos.h says: run make goos-go-abi"; exit 1; }

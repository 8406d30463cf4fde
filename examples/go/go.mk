# Go programs: each folder under examples/go/ (and tests/go/, programs only tests use) with a
# main.go is one static linux/$(ARCH_GOARCH) program, run under gort: `gohv run $(BUILD)/go/hello`.
# One module per folder tree, standard library only. GOCACHE lives in the build folder and HOME
# gets a default, so this works under CI with no home.

GO       ?= go
GO_ENV   := CGO_ENABLED=0 GOOS=linux GOARCH=$(ARCH_GOARCH) GOFLAGS= \
	GOCACHE=$(abspath $(BUILD))/gocache HOME="$${HOME:-$(abspath $(BUILD))}"
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
GO_TEST_PROGS := $(patsubst tests/go/%/main.go,%,$(wildcard tests/go/*/main.go))
$(foreach e,$(GO_TEST_PROGS),$(eval $(call go_rule,$(e),tests/go)))
GO_BINS += $(patsubst %,$(BUILD)/go/%,$(GO_TEST_PROGS))
# Boards of the Go tests name these (tests/boards/go-*.dts); the board images need only GO_CPIOS.
GO_TEST_CPIOS := $(patsubst %,$(BUILD)/go/%.cpio,$(GO_TEST_PROGS))
go-initrds: $(GO_TEST_CPIOS)

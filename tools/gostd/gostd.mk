# `make go-std` measures the whole Go standard library on gohv against qemu-user: each package of
# `go list std` built with its tests for linux/$(ARCH_GOARCH), run with -test.short from its
# source folder under `gohv run` and under qemu-user (tools/gostd, a host Go program; the
# results table in $(BUILD)/go-std/results.txt, the summary in $(BUILD)/go-std/summary.md,
# docs/go-std.md what was measured and how long it takes). Not part of `make test`: a full run
# takes about half an hour (docs/go-std.md).
#   make go-std PKGS="encoding/pem strings"   only these packages
#   GO_STD_JOBS (2) packages at once, GO_STD_TIMEOUT (300) seconds per package and runner,
#   GOHV_RUN_OPTS options passed to `gohv run` as they are (e.g. "--memory 512M").
# It registers a binfmt_misc entry for qemu-user for the run (tests that re-execute themselves)
# and removes it after; as root only (GO_STD_BINFMT=false: never), otherwise those tests count
# as "needs binfmt".

.PHONY: go-std go-debian gostd-test
GOSTD          := $(BUILD)/tools/gostd
GO_STD_JOBS    ?= 2
GO_STD_TIMEOUT ?= 300
GO_STD_BINFMT  ?= true
GOHV_RUN_OPTS  ?=
PKGS           ?=
# The tool runs on the host: no cross GOOS/GOARCH from the environment.
GO_HOST_ENV := env -u GOOS -u GOARCH CGO_ENABLED=0 GOFLAGS= \
	GOCACHE=$(abspath $(BUILD))/gocache HOME="$${HOME:-$(abspath $(BUILD))}"

tools: $(GOSTD)
$(GOSTD): $(wildcard tools/gostd/*.go) tools/gostd/go.mod | $(DEPS_STAMP)
	$(Q)mkdir -p $(@D)
	$(Q)cd tools/gostd && $(GO_HOST_ENV) $(GO) build -o $(abspath $@) .
	@echo "  GO      $@"

go-std: $(GOSTD) $(GOHV) $(HV_ELF) $(GORT_ELF) | $(DEPS_STAMP)
	$(Q)$(GO_HOST_ENV) $(GOSTD) -out $(BUILD)/go-std -gohv $(GOHV) -go $(GO) -goarch $(ARCH_GOARCH) \
		-j $(GO_STD_JOBS) -timeout $(GO_STD_TIMEOUT) -binfmt=$(GO_STD_BINFMT) -pkgs "$(PKGS)" -- $(GOHV_RUN_OPTS)

# `make go-debian`: the same measure for pure-Go libraries Debian ships (golang-*-dev, built in
# GOPATH mode from /usr/share/gocode; results in $(BUILD)/go-debian). DEBIAN_GO_PKGS: which (the
# installed ones whose tests build: x/mod/zip, gofrs/flock and protobuf's import test packages
# Debian does not ship here, docs/go-std.md).
DEBIAN_GO_PKGS ?= github.com/bits-and-blooms/bitset github.com/cenkalti/backoff \
	github.com/google/btree github.com/mohae/deepcopy golang.org/x/sync/errgroup \
	golang.org/x/sync/semaphore golang.org/x/sync/singleflight golang.org/x/sync/syncmap \
	golang.org/x/time/rate golang.org/x/mod/semver golang.org/x/mod/module \
	golang.org/x/mod/modfile golang.org/x/mod/sumdb/note
go-debian: $(GOSTD) $(GOHV) $(HV_ELF) $(GORT_ELF) | $(DEPS_STAMP)
	$(Q)$(GO_HOST_ENV) $(GOSTD) -out $(BUILD)/go-debian -gopath /usr/share/gocode -gohv $(GOHV) \
		-go $(GO) -goarch $(ARCH_GOARCH) -j $(GO_STD_JOBS) -timeout $(GO_STD_TIMEOUT) \
		-binfmt=$(GO_STD_BINFMT) -pkgs "$(DEBIAN_GO_PKGS)" -- $(GOHV_RUN_OPTS)

# The tool's verdicts, cause lines, table and summary on captured outputs (part of unit-test).
gostd-test: | $(DEPS_STAMP)
	$(Q)cd tools/gostd && $(GO_HOST_ENV) $(GO) test .

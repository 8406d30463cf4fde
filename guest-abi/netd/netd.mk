# netd, the networking driver partition (guest-abi/netd, docs/netproto.md): a static
# linux/$(ARCH_GOARCH) Go program under gort, on gVisor's netstack from Debian's
# golang-gvisor-gvisor-dev. It builds in GOPATH mode from /usr/share/gocode only (offline: no
# module download); its tests run on the host (`make netd-test`, part of `make unit-test`).

NETD_SRCS  := $(filter-out %_test.go,$(wildcard guest-abi/netd/*.go))
NETD_BIN   := $(BUILD)/go/netd
NETD_CPIO  := $(BUILD)/go/netd.cpio
NETD_GOPATH := /usr/share/gocode
NETD_GO_ENV := GOPATH=$(NETD_GOPATH) GO111MODULE=off CGO_ENABLED=0 GOFLAGS= \
	GOCACHE=$(abspath $(BUILD))/gocache HOME="$${HOME:-$(abspath $(BUILD))}"

.PHONY: netd netd-test
all: $(NETD_BIN)
netd: $(NETD_BIN)
$(NETD_BIN): $(NETD_SRCS) | $(DEPS_STAMP)
	$(Q)mkdir -p $(@D)
	$(Q)cd guest-abi/netd && $(NETD_GO_ENV) GOOS=linux GOARCH=$(ARCH_GOARCH) \
		$(GO) build -trimpath -o $(abspath $@) .
	@echo "  GO      $@"
# A board names netd's initrd as netd.cpio (found with -L $(BUILD)/go).
go-initrds: $(NETD_CPIO)
$(NETD_CPIO): $(NETD_BIN) $(GOHV)
	$(Q)$(GOHV) initrd $(NETD_BIN) -o $@

# On the host: two netd stacks on an in-memory wire, driven through the protocol; and
# netproto.h against proto.go.
netd-test: | $(DEPS_STAMP)
	$(Q)cd guest-abi/netd && env -u GOOS -u GOARCH $(NETD_GO_ENV) $(GO) vet . && \
		env -u GOOS -u GOARCH $(NETD_GO_ENV) $(GO) test -count=1 .

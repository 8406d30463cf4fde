# gohv: `make run` boots a board in QEMU, `make test` builds everything and runs every test.
# Sources are found by folder, so adding a file to hv/, arch/$(ARCH)/, devices/, a guest folder or
# tests/ needs no edit here. Each component's rules are in its own folder's .mk file, included
# below; the port's facts are in arch/$(ARCH)/arch.mk (the build) and machine.h (QEMU).

ARCH    ?= riscv64
BOARD   ?= qemu-virt-riscv64
BUILD   ?= build
Q       ?= @

all: hv guests gort tools go-examples images tests $(if $(strip $(TAMAGO)),tamago-progs)

.PHONY: all deps format check-format check-neutral clean

include arch/$(ARCH)/arch.mk
include mk/rules.mk

# `make run QEMU=... OPENSBI=...`: the runner's own overrides (tools/qemu_cmd.c).
ifdef QEMU
export GOHV_QEMU := $(QEMU)
endif
ifdef OPENSBI
export GOHV_OPENSBI := $(OPENSBI)
endif

# ---------------------------------------------------------------- dependencies (Debian 12 only)
DEB_PACKAGES := $(ARCH_DEB_PACKAGES) device-tree-compiler libfdt-dev libcriterion-dev \
	linux-source-6.1 pkg-config xz-utils gnuplot-nox golang-go clang llvm libclang-rt-dev qemu-user \
	golang-gvisor-gvisor-dev
DEPS_STAMP := $(BUILD)/.deps-ok
deps: $(DEPS_STAMP)
# The list changes with this file: check it again then.
$(DEPS_STAMP): Makefile
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

# ---------------------------------------------------------------- components
# In this order: each uses what the ones before it define.
include lib/lib.mk
include hv/hv.mk
include guest-abi/chan/chan.mk
include guest-abi/libgoos/libgoos.mk
include guest-abi/gort/gort.mk
include tools/tools.mk
include examples/go/go.mk
include guest-abi/netd/netd.mk
include guest-abi/goos-go/goos-go.mk
include boards/boards.mk
include tests/tests.mk
include tests/fuzz/fuzz.mk
include tools/bench/bench.mk
include tools/gostd/gostd.mk

# ---------------------------------------------------------------- housekeeping
FORMAT_FILES = $(shell git ls-files '*.c' '*.h')
# No RISC-V or QEMU virt names in the core (tools/check-neutral says what counts as one).
check-neutral:
	$(Q)tools/check-neutral
format:
	$(Q)clang-format -i $(FORMAT_FILES)
check-format:
	$(Q)clang-format --dry-run --Werror $(FORMAT_FILES)

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
.SECONDARY:

# libFuzzer harnesses (tests/fuzz/fuzz_*.c) with ASan and UBSan, built with clang from the same
# sources as the unit tests (the core on the host port), gort's tests (gort's files against
# the fakes of tests/gort) and gchan's (guest-abi/chan/ alone), with Debian's libfdt as the unit tests have it (it has fdt_check_full,
# which the hv's older copy lacks). docs/fuzzing.md says what each drives. `make fuzz` runs each for FUZZ_TIME seconds (FUZZ=a,b picks some), keeping what it
# finds in $(BUILD)/fuzz/work; `make fuzz-smoke` (part of `make test`) replays the committed and
# generated seeds and fuzzes each for FUZZ_SMOKE_TIME seconds.

.PHONY: fuzz fuzz-build fuzz-smoke fuzz-seeds

comma := ,
FUZZ_CC ?= clang
FUZZ_TIME ?= 300
FUZZ_SMOKE_TIME ?= 10
FUZZ_HARNESSES := config elf machine_fdt guest_fdt package runloop gort_syscall gort_cpio chan
FUZZ ?= $(FUZZ_HARNESSES)
FUZZ_DIR := $(BUILD)/fuzz
FUZZ_BINS := $(patsubst %,$(FUZZ_DIR)/fuzz_%,$(FUZZ_HARNESSES))

FUZZ_SAN := -fsanitize=address,undefined -fno-omit-frame-pointer
FUZZ_BASE := -std=gnu11 -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link -DGOHV_HOST -Ilib -I. \
	-Iarch/host/include
FUZZ_CFLAGS := $(FUZZ_BASE) $(WARN) $(MACHINE_FLAGS) $(GCHAN_INCLUDES) -Itests/fuzz
# fs.c's `feed_readers(p) | feed_writers(p)` means both, which clang warns about.
FUZZ_GORT_CFLAGS := $(FUZZ_BASE) $(WARN) -Wno-bitwise-instead-of-logical -iquote guest-abi/gort -iquote guest-abi -iquote guest-abi/chan -iquote tests/gort -Itests/fuzz

FUZZ_CORE_SRCS := $(filter-out hv/main.c,$(wildcard hv/*.c)) $(wildcard arch/host/*.c) \
	$(wildcard devices/*.c) $(LIB_DT_SRCS) $(ARCH_UNIT_SRCS) tests/fuzz/fuzz_hv.c tests/unit/host_machine.c
FUZZ_CORE_OBJS := $(call objs_in,$(FUZZ_DIR)/obj,$(FUZZ_CORE_SRCS))
FUZZ_GORT_SRCS := $(GORT_HOST_SRCS) tests/fuzz/fuzz_gort_vdso.c
FUZZ_GORT_OBJS := $(call objs_in,$(FUZZ_DIR)/gort-obj,$(FUZZ_GORT_SRCS))

$(FUZZ_DIR)/obj/%.o: % | $(DEPS_STAMP)
	$(Q)mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@
$(FUZZ_DIR)/gort-obj/%.o: % | $(DEPS_STAMP)
	$(Q)mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(FUZZ_GORT_CFLAGS) -MMD -MP -c $< -o $@

# $(eval $(call fuzz_harness,NAME,OBJS)): $(FUZZ_DIR)/fuzz_NAME from tests/fuzz/fuzz_NAME.c.
define fuzz_harness
$(FUZZ_DIR)/fuzz_$(1): $(2)
	$$(Q)$$(FUZZ_CC) -fsanitize=fuzzer $$(FUZZ_SAN) $$^ -lfdt -o $$@
	@echo "  FUZZ    $$@"
endef
FUZZ_GORT_HARNESSES := gort_syscall gort_cpio
$(foreach h,$(filter-out $(FUZZ_GORT_HARNESSES) chan,$(FUZZ_HARNESSES)),$(eval $(call \
	fuzz_harness,$(h),$(FUZZ_DIR)/obj/tests/fuzz/fuzz_$(h).c.o $(FUZZ_CORE_OBJS))))
# gchan alone: the library and nothing of the hv.
$(eval $(call fuzz_harness,chan,$(FUZZ_DIR)/obj/tests/fuzz/fuzz_chan.c.o \
	$(call objs_in,$(FUZZ_DIR)/obj,$(GCHAN_SRCS) $(LIB_DT_SRCS))))
$(foreach h,$(FUZZ_GORT_HARNESSES),$(eval $(call \
	fuzz_harness,$(h),$(FUZZ_DIR)/gort-obj/tests/fuzz/fuzz_$(h).c.o $(FUZZ_GORT_OBJS))))

fuzz-build: $(FUZZ_BINS) fuzz-seeds | $(DEPS_STAMP)

# Seeds made from build outputs, beside the committed ones (tests/fuzz/corpus/NAME): the boards'
# and test boards' config blobs, the guests (stripped; one with e_phoff 1, the misaligned program
# headers the fuzzer once found), and packages of those configs that pack
# with the stripped guests into less than 256 KiB (cut out of the image, after the run's flag
# byte: 0 = fix the checksums up).
FUZZ_SEEDS := $(FUZZ_DIR)/seeds/.stamp
fuzz-seeds: $(FUZZ_SEEDS)
$(FUZZ_SEEDS): $(TEST_DTBS) $(IMAGES) $(GUEST_ELFS) $(PACK) $(HV_ELF) tests/fuzz/fuzz.mk
	$(Q)rm -rf $(@D) && mkdir -p $(@D)/config $(@D)/elf $(@D)/package $(@D)/machine_fdt
	$(Q)for f in $(TEST_DTBS) $(BUILD)/boards/*/config.dtb; do \
		cp $$f $(@D)/config/$$(basename $$(dirname $$f))-$$(basename $$f); done
	$(Q)for f in $(GUEST_ELFS); do $(CROSS)strip -o $(@D)/elf/$$(basename $$f) $$f; done
	$(Q)f=$(@D)/elf/misaligned-phoff; cp $(@D)/elf/$$(basename $(firstword $(GUEST_ELFS))) $$f && \
		printf '\001' | dd of=$$f bs=1 seek=32 count=1 conv=notrunc status=none
	$(Q)for f in $(BUILD)/boards/*/config.dtb $(TEST_DTBS); do \
		img=$(@D)/package/tmp.img; out=$(@D)/package/$$(basename $$(dirname $$f))-$$(basename $$f .dtb); \
		$(PACK) --hv $(HV_ELF) --config $$f -L $(@D)/elf -L $(BUILD)/guests -o $$img \
			>/dev/null 2>&1 || continue; \
		off=$$(grep -obUa GHPK $$img | head -1 | cut -d: -f1); \
		{ printf '\0'; tail -c +$$((off + 1)) $$img; } > $$out; rm -f $$img; \
		[ $$(stat -c %s $$out) -lt 262144 ] || rm $$out; \
	done
	$(Q)touch $@

# $(call fuzz_run,NAME,SECONDS,WORKDIR[,FLAGS]): one harness on its corpora; new inputs go to
# WORKDIR, crashes to $(FUZZ_DIR)/crashes/NAME-*. The guests' console output (stdout) is dropped.
FUZZ_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	ASAN_SYMBOLIZER_PATH=$(firstword $(wildcard /usr/lib/llvm-14/bin/llvm-symbolizer) llvm-symbolizer)
define fuzz_run
	mkdir -p $(3) $(FUZZ_DIR)/crashes $(FUZZ_DIR)/seeds/$(1) tests/fuzz/corpus/$(1) && \
	echo "fuzz: $(1) for $(2) s" && \
	$(FUZZ_ENV) $(FUZZ_DIR)/fuzz_$(1) -max_total_time=$(2) -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -close_fd_mask=1 -artifact_prefix=$(FUZZ_DIR)/crashes/$(1)- $(4) \
		$$(test -f tests/fuzz/$(1).dict && echo -dict=tests/fuzz/$(1).dict) \
		$(3) tests/fuzz/corpus/$(1) $(FUZZ_DIR)/seeds/$(1) > $(FUZZ_DIR)/$(1).log 2>&1 || \
		{ grep -a -m 4 "invariant\|ERROR:\|runtime error" $(FUZZ_DIR)/$(1).log; \
		  tail -n 30 $(FUZZ_DIR)/$(1).log; echo "fuzz: $(1) failed: $(FUZZ_DIR)/$(1).log"; exit 1; }; \
	grep -ah "stat::number_of_executed_units\|stat::new_units_added" $(FUZZ_DIR)/$(1).log | \
		tr '\n' ' ' | sed 's/stat:://g; s/^/  /'; echo
endef

fuzz: fuzz-build
	$(Q)for h in $(subst $(comma), ,$(FUZZ)); do \
		$(call fuzz_run,$$h,$(FUZZ_TIME),$(FUZZ_DIR)/work/$$h) || exit 1; done

# The smoke's mutations come from a fixed seed, so what it finds a slower machine finds too
# (the same sequence, cut shorter): a CI run fails on a bug someone can replay with
# `make fuzz-smoke FUZZ_SMOKE_TIME=60`, not on the luck of the draw. `make fuzz` explores at random.
FUZZ_SMOKE_SEED ?= 1
fuzz-smoke: fuzz-build
	$(Q)rm -rf $(FUZZ_DIR)/smoke
	$(Q)for h in $(FUZZ_HARNESSES); do \
		$(call fuzz_run,$$h,$(FUZZ_SMOKE_TIME),$(FUZZ_DIR)/smoke/$$h,-seed=$(FUZZ_SMOKE_SEED)) || \
			exit 1; done

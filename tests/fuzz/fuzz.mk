# The libFuzzer target over the core (tests/fuzz/README.md).  Included by the
# top-level Makefile.  Built with Debian's clang into build/fuzz/, libmemsect
# and the synthetic target with ASan+UBSan and libFuzzer's coverage.
#
#   make fuzz [FUZZ_SECONDS=600]   fuzz on every core, the corpus kept in build/fuzz/corpus
#   make fuzz-smoke                replay the seeds and tests/fuzz/regressions, then
#                                  fuzz FUZZ_SMOKE_SECONDS (90); fails on any report

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 600
FUZZ_SMOKE_SECONDS ?= 90
FUZZ_JOBS ?= $(shell nproc)
FUZZ_DIR := build/fuzz
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -O1 -g \
	-Isrc/include -Isrc/lib -Itests/unit -Itests/fuzz $(FUZZ_SAN)
FUZZ_LIB_OBJS := $(patsubst src/%.c,$(FUZZ_DIR)/obj/%.o,$(MS_LIB_SRCS))
FUZZ_BIN := $(FUZZ_DIR)/fuzz_core
FUZZ_GEN := $(FUZZ_DIR)/gen_corpus
FUZZ_SEEDS := $(FUZZ_DIR)/seeds
FUZZ_REGRESSIONS := tests/fuzz/regressions
FUZZ_HEADERS := $(MS_HEADERS) tests/unit/synth.h tests/fuzz/fuzz_input.h
# Inputs are capped (fuzz_input.h); a legitimate one runs in milliseconds.
# UBSan reports carry their stack.
export UBSAN_OPTIONS ?= print_stacktrace=1
FUZZ_OPTS := -max_len=262144 -timeout=20 -rss_limit_mb=2048 -print_final_stats=1

.PHONY: fuzz fuzz-smoke fuzz-build fuzz-seeds
fuzz-build: $(FUZZ_BIN) $(FUZZ_GEN)

$(FUZZ_DIR)/obj/%.o: src/%.c $(FUZZ_HEADERS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_BIN): tests/fuzz/fuzz_core.c tests/unit/synth.c $(FUZZ_LIB_OBJS) $(FUZZ_HEADERS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Werror -fsanitize=fuzzer -o $@ \
		tests/fuzz/fuzz_core.c tests/unit/synth.c $(FUZZ_LIB_OBJS)

$(FUZZ_GEN): tests/fuzz/gen_corpus.c tests/unit/synth.c $(FUZZ_LIB_OBJS) $(FUZZ_HEADERS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Werror -o $@ tests/fuzz/gen_corpus.c tests/unit/synth.c \
		$(FUZZ_LIB_OBJS)

# The seeds are made fresh from the generator on every build.
fuzz-seeds: $(FUZZ_GEN)
	rm -rf $(FUZZ_SEEDS) && mkdir -p $(FUZZ_SEEDS)
	$(FUZZ_GEN) $(FUZZ_SEEDS)

# Fork mode on every core; a crash, leak, timeout or OOM is saved under
# $(FUZZ_DIR)/artifacts and fuzzing goes on; the target fails at the end if
# any was saved.
fuzz: fuzz-build fuzz-seeds
	@mkdir -p $(FUZZ_DIR)/corpus $(FUZZ_DIR)/artifacts
	$(FUZZ_BIN) $(FUZZ_OPTS) -fork=$(FUZZ_JOBS) -ignore_crashes=1 -ignore_timeouts=1 \
		-ignore_ooms=1 -max_total_time=$(FUZZ_SECONDS) \
		-artifact_prefix=$(FUZZ_DIR)/artifacts/ \
		$(FUZZ_DIR)/corpus $(FUZZ_SEEDS)
	@if ls $(FUZZ_DIR)/artifacts | grep -q .; then \
		echo "fuzz: reports saved in $(FUZZ_DIR)/artifacts:"; ls -l $(FUZZ_DIR)/artifacts; exit 1; fi

# Replays every seed and regression input (each must run clean), then fuzzes
# from the seeds; stops and fails at the first report.
fuzz-smoke: fuzz-build fuzz-seeds
	@rm -rf $(FUZZ_DIR)/smoke && mkdir -p $(FUZZ_DIR)/smoke/corpus $(FUZZ_DIR)/smoke/artifacts
	$(FUZZ_BIN) $(FUZZ_OPTS) -artifact_prefix=$(FUZZ_DIR)/smoke/artifacts/ \
		$(FUZZ_SEEDS)/* $(wildcard $(FUZZ_REGRESSIONS)/*)
	$(FUZZ_BIN) $(FUZZ_OPTS) -fork=$(FUZZ_JOBS) -seed=1 \
		-max_total_time=$(FUZZ_SMOKE_SECONDS) \
		-artifact_prefix=$(FUZZ_DIR)/smoke/artifacts/ \
		$(FUZZ_DIR)/smoke/corpus $(FUZZ_SEEDS)
	@if ls $(FUZZ_DIR)/smoke/artifacts | grep -q .; then \
		echo "fuzz-smoke: reports in $(FUZZ_DIR)/smoke/artifacts"; exit 1; fi

# egsde — the two commands a user needs:
#   make test   install missing Debian packages, build, run every test
#   make demo   install, build, run the embedded Fashion-MNIST demo end to end
BUILD_DIR ?= build
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc)
CTEST_ARGS ?=
export CCACHE_DIR ?= $(HOME)/.cache/ccache
export CCACHE_SLOPPINESS := pch_defines,time_macros,include_file_mtime,include_file_ctime
export CCACHE_MAXSIZE ?= 5G

.PHONY: all deps deps-dev configure build egsde-bin test test-unit test-parity test-integration fixtures demo demo-results demo-train clean \
        reproduce-cat2dog reproduce-wild2dog reproduce-male2female reproduce-smoke test-torch2 cuda-build

all: build

deps:
	@scripts/install-deps.sh

deps-dev:
	@scripts/install-deps.sh --dev

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

configure: deps $(BUILD_DIR)/build.ninja

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

# The egsde binary alone (the demo and the reproduce targets need no test binary)
egsde-bin: configure
	cmake --build $(BUILD_DIR) -j $(JOBS) --target egsde

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

# The whole build and ctest suite against LibTorch 2.6 / oneDNN 3.6 / GCC 14 in a Debian 13 root
# kept under ~/.cache/egsde (scripts/test-torch2.sh; needs root; CI runs it after make test).
test-torch2:
	JOBS=$(JOBS) scripts/test-torch2.sh $(CTEST_ARGS)

# Every translation unit compiled and the binaries linked against Debian 13's CUDA LibTorch 2.6
# (contrib libtorch-cuda-dev, unpacked: its cuDNN installer needs NVIDIA's servers); no GPU needed.
cuda-build:
	JOBS=$(JOBS) scripts/cuda-build.sh

test-unit test-parity test-integration: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) -L $(subst test-,,$@)

# Regenerate the parity fixtures from the official code (dev only; needs python3-torch):
#   make fixtures OFFICIAL=/path/to/EGSDE ILVR=/path/to/ilvr_adm   (ILVR: the ILVR fixtures; skipped when unset)
fixtures: deps-dev
	@test -n "$(OFFICIAL)" || { echo "make fixtures: set OFFICIAL=/path/to/a checkout of github.com/ML-GSAI/EGSDE"; exit 1; }
	ILVR="$(ILVR)" scripts/make_fixtures.sh "$(OFFICIAL)"

# The embedded Fashion-MNIST demo: committed C++-trained weights, no downloads; writes only
# untracked files (runs/demo, with the report in runs/demo/report/demo/index.html).
demo: egsde-bin
	BUILD_DIR=$(BUILD_DIR) scripts/demo.sh full $(RUN_ARGS)

# The demo, then the committed tables results/demo/ rewritten from it (when the numbers are meant to change).
demo-results: egsde-bin
	BUILD_DIR=$(BUILD_DIR) DEMO_RESULTS=results/demo scripts/demo.sh full $(RUN_ARGS)

# Retrain the demo's three networks (score, DSE, classifier) into experiments/demo/weights/.
# DEMO_TRAIN_OVERWRITE=1 replaces committed weights; an interrupted run resumes.
demo-train: egsde-bin
	scripts/demo_train.sh $(BUILD_DIR)

# The paper's tables (needs the data and released weights; says what is missing otherwise).
# RUN_ARGS passes options to egsde run, e.g. RUN_ARGS="--devices cuda:0,cuda:1".
reproduce-cat2dog reproduce-wild2dog reproduce-male2female reproduce-smoke: egsde-bin
	scripts/reproduce.sh $(subst reproduce-,,$@) $(RUN_ARGS)

clean:
	rm -rf $(BUILD_DIR)

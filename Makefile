# Streamverse: the commands the README promises. Each one does its own set-up
# (scripts/install-deps.sh installs the Debian packages, quietly, only when
# something is missing), then configures, builds and runs.
#
#   make test        build with -Werror and run the default test suite (its
#                    pg reruns included), packed by CPU share
#   make test-asan   the unit tests and fuzz corpora again under ASan+UBSan
#   make test-slow   the slow suite: soaks, full benchmarks, and the heavy
#                    real-time suites make test keeps one of per feature
#   make test-arm    cross-build for arm64 and armhf and run the unit tests,
#                    headless playback and a backend ingest under qemu-user
#                    (scripts/install-cross-deps.sh, scripts/test-arm.sh;
#                    ARM_ARCHS=arm64 for one architecture)
#   make fuzz        run every libFuzzer target for FUZZ_SECONDS each (clang)
#   make demo        ingest a demo title into svserver and play it with svplay
#   make demo-cluster the same on PostgreSQL, three API nodes, two workers and
#                    an nginx balancer (scripts/cluster.sh), then taken down
#   make install     install into PREFIX (default /usr/local)
#   make abi-dump    rewrite abi/*.abi from the built libraries, on purpose
#                    (docs/sdk.md, "ABI and versions"); test_abi_* compare them

BUILD_DIR    ?= build
ASAN_DIR     ?= build-asan
FUZZ_DIR     ?= build-fuzz
JOBS         ?= $(shell nproc 2>/dev/null || echo 2)
PREFIX       ?= /usr/local
FUZZ_SECONDS ?= 60
ARM_ARCHS    ?= arm64 armhf
CMAKE_FLAGS  ?=
CTEST_FLAGS  ?= --output-on-failure --timeout 600
# How many tests make test runs at once: 4 per core. What keeps the cores
# from being oversubscribed is each test's declared CPU share (a CTest
# resource, tests/CMakeLists.txt), not this cap: most tests wait on real
# time, not on the CPU (docs/testing.md, "How make test fits in its time").
TEST_JOBS    ?= $(shell echo $$((4 * $(JOBS))))

export ASAN_OPTIONS  ?= detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS ?= print_stacktrace=1:halt_on_error=1

.PHONY: all deps build test test-asan test-slow test-arm fuzz demo demo-cluster install abi-dump clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSV_WERROR=ON $(CMAKE_FLAGS)
	cmake --build $(BUILD_DIR) -j$(JOBS)

test: build
	cd $(BUILD_DIR) && ctest $(CTEST_FLAGS) -LE slow -j$(TEST_JOBS)

test-asan: deps
	cmake -S . -B $(ASAN_DIR) -DCMAKE_BUILD_TYPE=Debug -DSV_WERROR=ON -DSV_SANITIZE=ON $(CMAKE_FLAGS)
	cmake --build $(ASAN_DIR) -j$(JOBS)
	cd $(ASAN_DIR) && ctest $(CTEST_FLAGS) -L 'unit|fuzz' -LE slow -j$(JOBS)

test-slow: build
	cd $(BUILD_DIR) && ctest $(CTEST_FLAGS) -L slow -j$(TEST_JOBS)

# The host's tools (ffmpeg, node for the fixtures) come from deps; the cross
# compilers, qemu and the target sysroots from install-cross-deps.sh.
test-arm: deps
	scripts/install-cross-deps.sh $(ARM_ARCHS)
	JOBS=$(JOBS) CTEST_FLAGS="$(CTEST_FLAGS)" CMAKE_FLAGS="$(CMAKE_FLAGS)" scripts/test-arm.sh $(ARM_ARCHS)

fuzz: deps
	CC=clang cmake -S . -B $(FUZZ_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSV_FUZZ=ON $(CMAKE_FLAGS)
	cmake --build $(FUZZ_DIR) -j$(JOBS)
	scripts/run-fuzzers.sh $(FUZZ_DIR) $(FUZZ_SECONDS)

demo: build
	scripts/demo.sh $(BUILD_DIR)

demo-cluster: build
	scripts/demo-cluster.sh $(BUILD_DIR)

install: build
	cmake --install $(BUILD_DIR) --prefix $(PREFIX)

abi-dump: build
	scripts/abi.sh dump . $(BUILD_DIR)/libstreamverse.so abi/libstreamverse.abi
	scripts/abi.sh dump . $(BUILD_DIR)/libstreamverse-sdl2.so abi/libstreamverse-sdl2.abi

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) $(FUZZ_DIR) build-arm64 build-armhf build-arm-test-streams

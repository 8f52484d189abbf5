# Kizuna: the two commands are `make run` and `make test`.
SHELL := /bin/bash
JOBS ?= $(shell nproc)
CTEST_JOBS ?= $(JOBS)

.PHONY: all bootstrap build web dev asan run run-federation test test-unit test-asan bench fuzz clean format

all: build

bootstrap:
	@scripts/bootstrap

build/%/build.ninja: CMakeLists.txt CMakePresets.json | bootstrap
	@cmake --preset $* -DKIZUNA_BUILD_BENCH=$(if $(filter release,$*),ON,OFF) >/dev/null

# `make build` gives build/release/kizuna and the dashboard it serves (web/dist).
build: bootstrap build/release/build.ninja web
	@cmake --build build/release -j $(JOBS)

# The bilingual dashboard (web/, served by the hub under /ui/): type-checked and bundled.
web: bootstrap
	@cd web && npm run --silent build >/dev/null

dev: bootstrap build/dev/build.ninja
	@cmake --build build/dev -j $(JOBS)

asan: bootstrap build/asan/build.ninja
	@cmake --build build/asan -j $(JOBS)

# Starts a demo hub on embedded SQLite with generated demo data.
run: build
	@mkdir -p var/demo
	build/release/kizuna demo --data-dir var/demo --listen 127.0.0.1:8080

# Issue 5: two federated demo hubs (US on 8080, Japan on 8081), peered both
# ways; Ctrl-C stops both.
run-federation: build
	@mkdir -p var/federation
	build/release/kizuna demo-federation --data-dir var/federation --base-port 8080

# Every test: unit, integration and fuzz-corpus replays on the release build
# (with the dashboard's lint, unit and end-to-end tests in Chromium), then the
# same suite under AddressSanitizer + UBSan.
test: build asan
	@cd build/release && ctest -j $(CTEST_JOBS) --output-on-failure
	@cd build/asan && ctest -j $(CTEST_JOBS) --output-on-failure
	@echo "make test: all suites passed"

test-unit: build
	@cd build/release && ctest -j $(CTEST_JOBS) -L unit --output-on-failure

test-asan: asan
	@cd build/asan && ctest -j $(CTEST_JOBS) --output-on-failure

bench: bootstrap
	@scripts/bootstrap --bench
	@cmake --preset release -DKIZUNA_BUILD_BENCH=ON >/dev/null
	@cmake --build build/release -j $(JOBS)
	@bench/run-all

# libFuzzer builds with clang: make fuzz FUZZ_SECONDS=60
FUZZ_SECONDS ?= 60
fuzz: bootstrap
	@CXX=clang++ cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DKIZUNA_LIBFUZZER=ON -DKIZUNA_SANITIZE=ON -DKIZUNA_BUILD_TESTS=OFF -DKIZUNA_BUILD_BENCH=OFF >/dev/null
	@cmake --build build/fuzz -j $(JOBS)
	@scripts/fuzz-all build/fuzz $(FUZZ_SECONDS)

format:
	@clang-format -i $$(git ls-files '*.h' '*.cc')

clean:
	rm -rf build

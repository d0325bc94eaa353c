#!/usr/bin/env bash
# The whole test run, as CI does it: a release build with every suite (unit tests, examples
# and the accuracy runs on ../shared/datasets), then an AddressSanitizer + UBSan build with
# the unit suite, then the parsers' libFuzzer harnesses for a bounded time.
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=${GRAPHSSL_BUILD_JOBS:-2}

[ -d build ] || meson setup build --buildtype=release
ninja -C build -j "$jobs"
meson test -C build --suite unit --print-errorlogs --num-processes 2
meson test -C build --suite accuracy --print-errorlogs --num-processes 1 --verbose

[ -d build-asan ] || meson setup build-asan --buildtype=debug -Db_sanitize=address,undefined \
    -Db_lundef=false
ninja -C build-asan -j "$jobs"
ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    meson test -C build-asan --suite unit --print-errorlogs --num-processes 2 \
    --timeout-multiplier 4

# Needs clang with its fuzzer runtime (Debian: clang, libclang-rt-14-dev).
tests/fuzz/run.sh "${GRAPHSSL_FUZZ_SECONDS:-10}"

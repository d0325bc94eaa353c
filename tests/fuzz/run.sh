#!/usr/bin/env bash
# Builds the libFuzzer harnesses of the input parsers with AddressSanitizer and
# UndefinedBehaviorSanitizer (clang), then runs each for a bounded time on a copy of its
# committed corpus.  Any crash, leak, sanitizer report or timeout fails the script, and the
# input that caused it is kept in the work directory.
#
# usage: tests/fuzz/run.sh [SECONDS_PER_HARNESS] [WORK_DIR]
#        defaults: 20 seconds, build-fuzz/ at the top of the source tree
set -euo pipefail

seconds=${1:-20}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=${2:-$root/build-fuzz}
harnesses=(edgelist features labels igraph)
cc=${CC:-clang}

deps="igraph lapacke zlib"
if pkg-config --exists openblas; then
    deps="$deps openblas"
else
    deps="$deps cblas"
fi
sanitize="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
cflags="-std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer -fopenmp $sanitize
        -I$root/include -I$root/src $(pkg-config --cflags $deps)"
libs="$(pkg-config --libs $deps) -lm"

# The library's parsers and everything they call: common, tensor (CSR, rng), graph, io.
mkdir -p "$work/obj"
objects=()
for src in "$root"/src/common.c "$root"/src/tensor/*.c "$root"/src/graph/*.c \
           "$root"/src/io/*.c; do
    obj="$work/obj/$(basename "$(dirname "$src")")_$(basename "$src" .c).o"
    if [ ! -e "$obj" ] || [ "$src" -nt "$obj" ]; then
        # shellcheck disable=SC2086
        $cc $cflags -fsanitize=fuzzer-no-link -c "$src" -o "$obj"
    fi
    objects+=("$obj")
done

status=0
for h in "${harnesses[@]}"; do
    exe="$work/fuzz_$h"
    # shellcheck disable=SC2086
    $cc $cflags -fsanitize=fuzzer "$here/fuzz_$h.c" "${objects[@]}" $libs -o "$exe"

    # New inputs go to a scratch corpus; the committed one is only read.
    corpus="$work/corpus_$h"
    mkdir -p "$corpus" "$work/artifacts_$h"
    echo "== fuzz_$h: $seconds s"
    if ! ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
         UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
         "$exe" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
                -print_final_stats=1 -artifact_prefix="$work/artifacts_$h/" \
                "$corpus" "$here/corpus/$h" 2>"$work/fuzz_$h.log"; then
        echo "fuzz_$h FAILED; see $work/fuzz_$h.log and $work/artifacts_$h/"
        tail -40 "$work/fuzz_$h.log"
        status=1
    else
        grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$work/fuzz_$h.log" || true
    fi
done
exit $status

#!/usr/bin/env bash
# Loading speed against igraph: `graphssl info` (which loads, builds the CSR, then counts
# components and degrees) and igraph's own igraph_read_graph_edgelist on the same generated
# edge list of 10,000,000 lines over 1,000,000 integer ids (bench/gen_edgelist.c).  Runs
# alternate between the two; prints the median wall seconds and peak RSS of each over RUNS
# runs, and graphssl's peak RSS as a multiple of its final CSR arrays
# ((N + 1) * 8 bytes of row starts, 4 + 4 bytes per stored arc).
#
#   bench/bench_load.sh [BUILD_DIR] [RUNS] [EDGES] [NODES]
#       defaults: build 3 10000000 1000000; the generated file (about 130 MB) goes to
#       $TMPDIR and is removed at the end.
set -euo pipefail

build=${1:-build}
runs=${2:-3}
edges=${3:-10000000}
nodes=${4:-1000000}
graphssl="$build/graphssl"
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

median() {
    sort -g | awk '{ v[NR] = $1 }
        END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# time_run LOG COMMAND...: wall seconds and peak RSS (KB) of one run, appended to LOG.
time_run() {
    local log=$1
    shift
    /usr/bin/time -f "%e %M" -o "$out/time" "$@" > "$out/stdout" 2> "$out/stderr"
    cat "$out/time" >> "$log"
}

cc -O2 -o "$out/gen_edgelist" "$here/gen_edgelist.c"
# shellcheck disable=SC2046
cc -O2 -o "$out/igraph_read_edgelist" "$here/igraph_read_edgelist.c" \
    $(pkg-config --cflags --libs igraph)
"$out/gen_edgelist" "$out/edges.edgelist" "$edges" "$nodes" 1
echo "file: $edges lines over $nodes ids, $(du -m "$out/edges.edgelist" | cut -f1) MB"

for run in $(seq 1 "$runs"); do
    time_run "$out/igraph" "$out/igraph_read_edgelist" "$out/edges.edgelist"
    time_run "$out/graphssl" "$graphssl" info "$out/edges.edgelist" --json --threads 1
    echo "run $run: igraph $(tail -1 "$out/igraph" | cut -d' ' -f1) s," \
         "graphssl $(tail -1 "$out/graphssl" | cut -d' ' -f1) s"
done
info=$(cat "$out/stdout")

n=$(sed -n 's/.*"nodes":\([0-9]*\).*/\1/p' <<< "$info")
m=$(sed -n 's/.*"edges":\([0-9]*\).*/\1/p' <<< "$info")
csr_mb=$(awk -v n="$n" -v m="$m" 'BEGIN { printf "%.1f", ((n + 1) * 8 + 2 * m * 8) / 1048576 }')
g_s=$(cut -d' ' -f1 "$out/graphssl" | median)
g_mb=$(cut -d' ' -f2 "$out/graphssl" | median | awk '{ printf "%.1f", $1 / 1024 }')
i_s=$(cut -d' ' -f1 "$out/igraph" | median)
i_mb=$(cut -d' ' -f2 "$out/igraph" | median | awk '{ printf "%.1f", $1 / 1024 }')

echo "graphssl info:               $g_s s, peak $g_mb MB" \
     "($n nodes, $m edges after dropping loops and duplicates)"
echo "igraph_read_graph_edgelist:  $i_s s, peak $i_mb MB"
echo "speed-up $(awk -v a="$i_s" -v b="$g_s" 'BEGIN { printf "%.2f", a / b }')x;" \
     "graphssl peak = $(awk -v a="$g_mb" -v b="$csr_mb" 'BEGIN { printf "%.2f", a / b }')x" \
     "its CSR arrays ($csr_mb MB)"

#!/usr/bin/env bash
# DGI speed and memory on the Planetoid graphs: median over runs of milliseconds per epoch,
# total training seconds and peak RSS, as graphssl reports them in its --json line.
#
#   bench/bench_dgi.sh [BUILD_DIR] [RUNS] [THREADS]
set -euo pipefail

build=${1:-build} runs=${2:-5} threads=${3:-1}
data=${GRAPHSSL_DATA:-../shared/datasets}
graphssl="$build/graphssl"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

field() { sed -n "s/.*\"$1\":\([0-9.e+-]*\).*/\1/p"; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

printf '%-9s %6s %8s %9s %9s %8s %8s\n' dataset hidden epochs ms/epoch train_s total_s rss_MB
for spec in cora:512 citeseer:512 pubmed:256; do
    name=${spec%%:*} hidden=${spec##*:}
    : > "$out/runs"
    for run in $(seq 1 "$runs"); do
        "$graphssl" dgi "$data/$name/$name.edgelist" -o "$out/emb.csv" --hidden "$hidden" \
            --seed "$run" --threads "$threads" --no-eval --json --quiet | tail -n 1 >> "$out/runs"
    done
    epochs=$(field epochs < "$out/runs" | median)
    ms=$(while read -r line; do
        e=$(printf '%s' "$line" | field epochs)
        s=$(printf '%s' "$line" | field seconds_train)
        awk -v s="$s" -v e="$e" 'BEGIN { print 1000 * s / e }'
    done < "$out/runs" | median)
    train=$(field seconds_train < "$out/runs" | median)
    total=$(field seconds_total < "$out/runs" | median)
    rss=$(field peak_rss_mb < "$out/runs" | median)
    printf '%-9s %6s %8s %9.2f %9.2f %8.2f %8.0f\n' "$name" "$hidden" "$epochs" "$ms" "$train" \
        "$total" "$rss"
done

#!/usr/bin/env bash
# GAE / VGAE benchmarks, as graphssl reports them in its --json line.
#
#   bench/bench_vgae.sh speed    [BUILD_DIR] [RUNS] [THREADS]
#       median over RUNS runs of milliseconds per epoch (training wall time over epochs,
#       validation every 10 epochs included) and peak RSS: Cora and Citeseer 200 epochs,
#       Pubmed 50 epochs (its epochs all cost the same; 200 would only take longer).
#   bench/bench_vgae.sh accuracy [BUILD_DIR] [SEEDS] [THREADS]
#       the paper's protocol: link-auc over seeds 0-9, each seed its own split, per seed and
#       mean +- std, for GAE and VGAE on Cora, Citeseer and Pubmed (Pubmed takes a while).
#   bench/bench_vgae.sh scale    [BUILD_DIR] [EPOCHS] [THREADS]
#       VGAE with the sampled loss on a generated planted-partition graph of 1,000,000 nodes,
#       10,000,000 edge draws and 64 dense features (bench/gen_link_graph.c): seconds per
#       epoch and peak RSS.  The generated files (about 400 MB) go to $TMPDIR and are removed.
set -euo pipefail

mode=${1:-speed}
build=${2:-build}
data=${GRAPHSSL_DATA:-../shared/datasets}
graphssl="$build/graphssl"
[ -x "$graphssl" ] || graphssl="$build/src/cli/graphssl"
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

field() { sed -n "s/.*\"$1\":\([0-9.e+-]*\).*/\1/p"; }
median() {
    sort -g | awk '{ v[NR] = $1 }
        END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

speed() {
    local runs=${1:-5} threads=${2:-2}

    printf '%-9s %-5s %7s %9s %9s %8s\n' dataset model epochs ms/epoch train_s rss_MB
    for spec in cora:gae:200 cora:vgae:200 citeseer:gae:200 citeseer:vgae:200 \
                pubmed:gae:50 pubmed:vgae:50; do
        IFS=: read -r name model epochs <<< "$spec"
        : > "$out/runs"
        for run in $(seq 1 "$runs"); do
            "$graphssl" "$model" "$data/$name/$name.edgelist" -o "$out/emb.csv" \
                --epochs "$epochs" --seed "$run" --threads "$threads" --json --quiet \
                2>/dev/null | tail -n 1 >> "$out/runs"
        done
        ms=$(while read -r line; do
            s=$(printf '%s' "$line" | field seconds_train)
            awk -v s="$s" -v e="$epochs" 'BEGIN { print 1000 * s / e }'
        done < "$out/runs" | median)
        train=$(field seconds_train < "$out/runs" | median)
        rss=$(field peak_rss_mb < "$out/runs" | median)
        printf '%-9s %-5s %7s %9.2f %9.2f %8.0f\n' "$name" "$model" "$epochs" "$ms" "$train" \
            "$rss"
    done
}

accuracy() {
    local seeds=${1:-0 1 2 3 4 5 6 7 8 9} threads=${2:-2}
    local check="$here/../tests/accuracy/vgae_link.sh"

    # The paper's Table 1 (Kipf & Welling, 2016): AUC and AP in percent.
    for spec in cora:gae:91.0:92.0 cora:vgae:91.4:92.6 citeseer:gae:89.5:89.9 \
                citeseer:vgae:90.8:92.0 pubmed:gae:96.4:96.5 pubmed:vgae:94.4:94.7; do
        IFS=: read -r name model auc ap <<< "$spec"
        "$check" "$graphssl" "$model" "$name" "$seeds" "$auc" "$ap" --threads "$threads" \
            2>/dev/null || true
    done
}

scale() {
    local epochs=${1:-10} threads=${2:-2}
    local stem="${TMPDIR:-/tmp}/graphssl_scale_$$"

    cc -O2 -std=c11 -D_GNU_SOURCE "$here/gen_link_graph.c" -o "$out/gen" -lm
    trap 'rm -rf "$out" "$stem.edgelist" "$stem.npy"' EXIT
    /usr/bin/time -f "generated in %e s" "$out/gen" "$stem"
    "$graphssl" vgae "$stem.edgelist" --features "$stem.npy" -o "$out/emb.csv" \
        --epochs "$epochs" --threads "$threads" --val-every 0 --json | tail -n 1 > "$out/run"
    train=$(field seconds_train < "$out/run")
    printf 'scale: %s epochs, %.2f s per epoch (sampled loss), %.1f s in all, peak RSS %.0f MB\n' \
        "$epochs" "$(awk -v s="$train" -v e="$epochs" 'BEGIN { print s / e }')" \
        "$(field seconds_total < "$out/run")" "$(field peak_rss_mb < "$out/run")"
    printf 'scale: test AUC %s, AP %s\n' "$(field test_auc < "$out/run")" \
        "$(field test_ap < "$out/run")"
}

case $mode in
speed) speed "${3:-5}" "${4:-2}" ;;
accuracy) accuracy "${3:-0 1 2 3 4 5 6 7 8 9}" "${4:-2}" ;;
scale) scale "${3:-10}" "${4:-2}" ;;
*) echo "usage: bench/bench_vgae.sh speed|accuracy|scale [BUILD_DIR] [N] [THREADS]" >&2
   exit 2 ;;
esac

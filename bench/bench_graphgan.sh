#!/usr/bin/env bash
# GraphGAN's speed and accuracy on the CA-GrQc split (the default run: DeepWalk init of
# dimension 50, 20 epochs), with DeepWalk alone and common neighbours beside it, so that
# the numbers show where learned embeddings stand against the simple heuristic.
#
#   bench/bench_graphgan.sh [GRAPHSSL] [THREADS] [SEEDS]
#
# Defaults: build/graphssl, 2 threads, seeds "0 1 2".  Datasets from GRAPHSSL_DATA
# (default ../shared/datasets).  Prints per run and the medians of: DeepWalk seconds,
# GraphGAN seconds per epoch and in total, peak RSS, and link-acc of each.
set -euo pipefail

graphssl=${1:-build/graphssl}
threads=${2:-2}
seeds=${3:-0 1 2}
data=${GRAPHSSL_DATA:-../shared/datasets}/ca-grqc
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pairs=(--test-edges "$data/ca-grqc.test.edgelist"
       --test-negatives "$data/ca-grqc.test_neg.edgelist")

field() { printf '%s' "$2" | sed -n "s/.*\"$1\":\([0-9.e+-]*\).*/\1/p"; }
median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
        END { printf "%.4g", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

declare -a dw_s dw_acc dw_rss gg_epoch gg_total gg_init gg_rss gg_gen gg_dis
for seed in $seeds; do
    run=$("$graphssl" deepwalk "$data/ca-grqc.train.edgelist" "${pairs[@]}" \
        -o "$work/dw.csv" --seed "$seed" --threads "$threads" --json --quiet | tail -n 1)
    dw_s+=("$(field seconds_train "$run")")
    dw_acc+=("$(field link_acc "$run")")
    dw_rss+=("$(field peak_rss_mb "$run")")
    cn=$(field cn_link_acc "$run")

    run=$("$graphssl" graphgan "$data/ca-grqc.train.edgelist" "${pairs[@]}" \
        -o "$work/gg.csv" --seed "$seed" --threads "$threads" --json --quiet | tail -n 1)
    gg_epoch+=("$(field seconds_per_epoch "$run")")
    gg_total+=("$(field seconds_total "$run")")
    gg_init+=("$(field seconds_init "$run")")
    gg_rss+=("$(field peak_rss_mb "$run")")
    gg_gen+=("$(field gen_link_acc "$run")")
    gg_dis+=("$(field dis_link_acc "$run")")
    echo "seed $seed: deepwalk(128) ${dw_s[-1]} s, link-acc ${dw_acc[-1]};" \
        "graphgan ${gg_total[-1]} s (init ${gg_init[-1]} s, ${gg_epoch[-1]} s/epoch)," \
        "G ${gg_gen[-1]} D ${gg_dis[-1]}, peak ${gg_rss[-1]} MB"
done

echo "CA-GrQc, threads $threads, seeds {$seeds}, medians:"
echo "  deepwalk dim 128   $(median "${dw_s[@]}") s train, peak $(median "${dw_rss[@]}") MB," \
    "link-acc $(median "${dw_acc[@]}")  (paper 0.803)"
echo "  graphgan default   $(median "${gg_total[@]}") s total," \
    "$(median "${gg_init[@]}") s DeepWalk init, $(median "${gg_epoch[@]}") s/epoch," \
    "peak $(median "${gg_rss[@]}") MB"
echo "  graphgan link-acc  generator $(median "${gg_gen[@]}")," \
    "discriminator $(median "${gg_dis[@]}")  (paper 0.849)"
echo "  common neighbours  link-acc $cn on the same pairs: the heuristic to beat"

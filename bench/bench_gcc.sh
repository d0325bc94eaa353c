#!/usr/bin/env bash
# GCC's speed and transfer accuracy, beside the hand-made structural baselines.
#
#   bench/bench_gcc.sh [BUILD_DIR] [THREADS] [SEEDS] [STEPS]
#
# Defaults: build, 2 threads, seeds "0 1 2", 10000 steps.  Datasets from
# GRAPHSSL_DATA (default ../shared/datasets).  Per seed: a MoCo pre-training (batch 32) on
# every graph but the airports, the frozen embeddings of the USA, Europe and Brazil airports
# and of IMDB-BINARY scored with kfold-logreg (10 folds), and 200 end-to-end steps (batch
# 256) for their speed.  Then, with the same protocol, the hand-made features: five per
# node (log degree, clustering, PageRank, eigenvector centrality, mean neighbour degree)
# and, per graph, statistics plus a degree histogram (bench/gcc_baseline.c, built here
# against the library in BUILD_DIR).  Prints per run, then medians of: subgraphs
# sampled and eigen-decomposed per second, training steps per second, pre-training
# seconds, peak RSS, and the accuracies.  A full run takes about 10 minutes per seed.
set -euo pipefail

build=$(cd "${1:-build}" && pwd)
threads=${2:-2}
seeds=${3:-0 1 2}
steps=${4:-10000}
data=${GRAPHSSL_DATA:-../shared/datasets}
here=$(cd "$(dirname "$0")" && pwd)
graphssl=$build/graphssl
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

pretrain=("$data/cora/cora.edgelist" "$data/citeseer/citeseer.edgelist"
          "$data/pubmed/pubmed.edgelist" "$data/ca-grqc/ca-grqc.edgelist"
          "$data/tu/IMDB-BINARY" "$data/tu/PROTEINS" "$data/tu/MUTAG")
airports=(usa europe brazil)

field() { printf '%s' "$2" | sed -n "s/.*\"$1\":\([0-9.e+-]*\).*/\1/p"; }
percent() { awk -v a="$1" 'BEGIN { printf "%.1f", 100 * a }'; }
round() { awk -v a="$1" 'BEGIN { printf "%.1f", a }'; }
median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
        END { printf "%.4g", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

cc -O2 -std=c11 -D_GNU_SOURCE -I"$here/../include" "$here/gcc_baseline.c" \
    -o "$work/gcc_baseline" -L"$build" -lgraphssl $(pkg-config --cflags --libs igraph) -lm \
    -Wl,-rpath,"$build"

# Accuracies go to a file of "dataset value" lines; speeds to arrays.
declare -a sub_s moco_sps e2e_sps train_s rss
scores=$work/scores
: > "$scores"
score() { grep "^$1 " "$scores" | cut -d' ' -f2; }
for seed in $seeds; do
    run=$("$graphssl" gcc pretrain "${pretrain[@]}" --steps "$steps" --seed "$seed" \
        --threads "$threads" -o "$work/gcc.model" --json --quiet | tail -n 1)
    sub_s+=("$(round "$(field subgraphs_per_second "$run")")")
    moco_sps+=("$(round "$(field steps_per_second "$run")")")
    train_s+=("$(round "$(field seconds_train "$run")")")
    rss+=("$(round "$(field peak_rss_mb "$run")")")

    line="seed $seed:"
    for a in "${airports[@]}"; do
        run=$("$graphssl" gcc embed "$work/gcc.model" "$data/airports/$a.edgelist" \
            -o "$work/$a.csv" --seed "$seed" --threads "$threads" --json --quiet | tail -n 1)
        echo "$a $(percent "$(field accuracy_mean "$run")")" >> "$scores"
        line="$line $a $(score "$a" | tail -n 1)"
    done
    run=$("$graphssl" gcc embed "$work/gcc.model" --graphs "$data/tu/IMDB-BINARY" \
        -o "$work/imdb.csv" --seed "$seed" --threads "$threads" --json --quiet | tail -n 1)
    echo "imdb $(percent "$(field accuracy_mean "$run")")" >> "$scores"

    run=$("$graphssl" gcc pretrain "${pretrain[@]}" --contrast e2e --steps 200 \
        --seed "$seed" --threads "$threads" -o "$work/e2e.model" --json --quiet | tail -n 1)
    e2e_sps+=("$(round "$(field steps_per_second "$run")")")

    echo "$line imdb $(score imdb | tail -n 1); ${train_s[-1]} s for $steps MoCo steps" \
        "(${moco_sps[-1]} steps/s, ${sub_s[-1]} subgraphs/s sampled)," \
        "E2E ${e2e_sps[-1]} steps/s, peak ${rss[-1]} MB"
done

declare -A hand
for a in "${airports[@]}"; do
    "$work/gcc_baseline" nodes "$data/airports/$a.edgelist" "$work/hand.$a.csv"
    run=$("$graphssl" eval "$work/hand.$a.csv" --labels "$data/airports/$a.labels" --json \
        --quiet | tail -n 1)
    hand[$a]=$(percent "$(field accuracy_mean "$run")")
done
"$work/gcc_baseline" graphs "$data/tu/IMDB-BINARY" "$work/hand.imdb.csv" "$work/imdb.labels"
run=$("$graphssl" eval "$work/hand.imdb.csv" --labels "$work/imdb.labels" --json --quiet |
    tail -n 1)
hand[imdb]=$(percent "$(field accuracy_mean "$run")")

echo "GCC, threads $threads, seeds {$seeds}, $steps steps, medians:"
echo "  sampling + eigen-decomposition  $(median "${sub_s[@]}") subgraphs/s"
echo "  MoCo (batch 32)                 $(median "${moco_sps[@]}") steps/s," \
    "$(median "${train_s[@]}") s in all, peak $(median "${rss[@]}") MB"
echo "  E2E (batch 256)                 $(median "${e2e_sps[@]}") steps/s"
echo "  micro-F1 (kfold-logreg, frozen)  GCC      hand-made features"
for a in "${airports[@]}"; do
    printf '    %-8s                       %-8s %s\n' "$a" "$(median $(score "$a"))" \
        "${hand[$a]}"
done
printf '    %-8s                       %-8s %s  (statistics + degree histogram)\n' \
    "imdb-b" "$(median $(score imdb))" "${hand[imdb]}"
echo "  paper (MoCo, freeze): usa 65.6, imdb-b 72.0"

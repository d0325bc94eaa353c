#!/usr/bin/env bash
# Link-prediction accuracy (link-acc: inner-product scores, the median of all scores as the
# threshold) on GraphGAN's fixed CA-GrQc split, against the paper (Wang et al., AAAI 2018,
# Table 2: DeepWalk 0.803, GraphGAN 0.849), with common neighbours printed beside.
#
#   graphgan_grqc.sh GRAPHSSL SEEDS MIN_GRAPHGAN MIN_DEEPWALK
#
# GraphGAN passes when the better of its generator's and discriminator's mean over SEEDS
# reaches MIN_GRAPHGAN; DeepWalk (dimension 128, first seed) must reach MIN_DEEPWALK.
set -euo pipefail

graphssl=$1 seeds=$2 min_graphgan=$3 min_deepwalk=$4
data=${GRAPHSSL_DATA:-${GRAPHSSL_DATA_DEFAULT:-../shared/datasets}}/ca-grqc
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pairs=(--test-edges "$data/ca-grqc.test.edgelist"
       --test-negatives "$data/ca-grqc.test_neg.edgelist")

field() { printf '%s' "$2" | sed -n "s/.*\"$1\":\([0-9.e+-]*\).*/\1/p"; }
mean() { printf '%s\n' "$@" | awk '{ s += $1 } END { printf "%.4f", s / NR }'; }
at_least() { awk -v a="$1" -v m="$2" 'BEGIN { exit !(a >= m) }'; }

gen=() dis=()
for seed in $seeds; do
    summary=$("$graphssl" graphgan "$data/ca-grqc.train.edgelist" "${pairs[@]}" \
        -o "$work/gg.$seed.csv" --seed "$seed" --threads 2 --json --quiet | tail -n 1)
    gen+=("$(field gen_link_acc "$summary")")
    dis+=("$(field dis_link_acc "$summary")")
    cn=$(field cn_link_acc "$summary")
    echo "graphgan seed $seed: generator ${gen[-1]}  discriminator ${dis[-1]}" \
        "(initial $(field init_link_acc "$summary"), $(field seconds_total "$summary") s)"
done
gen_mean=$(mean "${gen[@]}") dis_mean=$(mean "${dis[@]}")
best=$(awk -v a="$gen_mean" -v b="$dis_mean" 'BEGIN { print (a > b ? a : b) }')
echo "graphgan mean over seeds {$seeds}: generator $gen_mean  discriminator $dis_mean" \
    "(link-acc), need >= $min_graphgan; common neighbours $cn"

first=${seeds%% *}
summary=$("$graphssl" deepwalk "$data/ca-grqc.train.edgelist" "${pairs[@]}" \
    -o "$work/dw.csv" --seed "$first" --threads 2 --json --quiet | tail -n 1)
deepwalk=$(field link_acc "$summary")
echo "deepwalk seed $first: $deepwalk (link-acc), need >= $min_deepwalk"

status=0
if ! at_least "$best" "$min_graphgan"; then
    echo "FAIL: GraphGAN link-acc $best below $min_graphgan"
    status=1
fi
if ! at_least "$deepwalk" "$min_deepwalk"; then
    echo "FAIL: DeepWalk link-acc $deepwalk below $min_deepwalk"
    status=1
fi
exit $status

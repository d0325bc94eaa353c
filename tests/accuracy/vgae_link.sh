#!/usr/bin/env bash
# Link prediction of graphssl gae/vgae on the Planetoid graphs against the paper (Kipf &
# Welling, 2016, Table 1): the link-auc protocol, each seed drawing its own split.  Checked
# three ways per seed: the scores graphssl prints, the same scores recomputed from the
# exported CSV and the written split by an independent script, and the split files
# themselves (no held-out edge among the train edges).
#
#   vgae_link.sh GRAPHSSL METHOD DATASET SEEDS MIN_AUC MIN_AP [extra graphssl options...]
set -euo pipefail

graphssl=$1 method=$2 dataset=$3 seeds=$4 min_auc=$5 min_ap=$6
shift 6
data=${GRAPHSSL_DATA:-${GRAPHSSL_DATA_DEFAULT:-../shared/datasets}}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

field() { sed -n "s/.*\"$1\":\([0-9.e+-]*\).*/\1/p"; }
pct() { awk -v a="$1" 'BEGIN { printf "%.2f", 100 * a }'; }

# Pairs of held-out files that also appear among the train edges (either orientation).
leaks() {
    awk 'FNR == 1 { file++ } /^#/ { next }
         file == 1 { train[$1 " " $2] = 1; train[$2 " " $1] = 1; next }
         ($1 " " $2) in train { n++ }
         END { print n + 0 }' "$1/train.edges" "$1/val.edges" "$1/test.edges"
}

status=0 aucs=() aps=()
for seed in $seeds; do
    split="$work/split.$seed" out="$work/$dataset.$seed.csv"
    summary=$("$graphssl" "$method" "$data/$dataset/$dataset.edgelist" -o "$out" \
        --seed "$seed" --save-split "$split" --threads 2 --json --quiet "$@" | tail -n 1)
    auc=$(pct "$(printf '%s' "$summary" | field test_auc)")
    ap=$(pct "$(printf '%s' "$summary" | field test_ap)")
    aucs+=("$auc") aps+=("$ap")
    read -r ind_auc ind_ap < <(python3 "$here/link_auc_check.py" "$out" "$split")
    leaked=$(leaks "$split")
    echo "$method $dataset seed $seed: AUC $auc AP $ap (independent $ind_auc $ind_ap)," \
         "leaked edges $leaked"
    if ! awk -v a="$auc" -v b="$ind_auc" -v c="$ap" -v d="$ind_ap" \
        'BEGIN { exit !((a - b) ^ 2 <= 0.000121 && (c - d) ^ 2 <= 0.000121) }'; then
        echo "FAIL: graphssl and the independent check disagree"
        status=1
    fi
    if [ "$leaked" != 0 ]; then
        echo "FAIL: $leaked held-out edges are among the train edges"
        status=1
    fi
done

stats() { printf '%s\n' "$@" | awk '{ s += $1; q += $1 * $1 }
    END { m = s / NR; v = q / NR - m * m; printf "%.2f %.2f\n", m, (v > 0 ? sqrt(v) : 0) }'; }
read -r auc_mean auc_std < <(stats "${aucs[@]}")
read -r ap_mean ap_std < <(stats "${aps[@]}")
echo "$method $dataset over seeds {$seeds} (link-auc): AUC $auc_mean ± $auc_std," \
     "AP $ap_mean ± $ap_std; need AUC >= $min_auc, AP >= $min_ap"
if ! awk -v a="$auc_mean" -v b="$min_auc" -v c="$ap_mean" -v d="$min_ap" \
    'BEGIN { exit !(a >= b && c >= d) }'; then
    echo "FAIL: $method $dataset below the paper"
    status=1
fi
exit $status

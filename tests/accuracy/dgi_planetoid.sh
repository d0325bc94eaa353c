#!/usr/bin/env bash
# Accuracy of graphssl dgi on the Planetoid public splits against the paper (Velickovic et al.,
# ICLR 2019, Table 2), checked twice: as graphssl prints it (dgi-linear, 50 runs) and from the
# exported CSV by an independent scikit-learn logistic regression.
#
#   dgi_planetoid.sh GRAPHSSL DATASET SEEDS MIN_ACCURACY [extra graphssl options...]
set -euo pipefail

graphssl=$1 dataset=$2 seeds=$3 min_accuracy=$4
shift 4
data=${GRAPHSSL_DATA:-${GRAPHSSL_DATA_DEFAULT:-../shared/datasets}}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python=""
for candidate in python3 /usr/bin/python3; do
    if "$candidate" -c 'import sklearn' 2>/dev/null; then
        python=$candidate
        break
    fi
done

printed=() independent=()
for seed in $seeds; do
    out="$work/$dataset.$seed.csv"
    summary=$("$graphssl" dgi "$data/$dataset/$dataset.edgelist" -o "$out" --seed "$seed" \
        --threads 2 --json --quiet "$@" | tail -n 1)
    acc=$(printf '%s' "$summary" | sed -n 's/.*"accuracy_mean":\([0-9.e+-]*\).*/\1/p')
    printed+=("$(awk -v a="$acc" 'BEGIN { printf "%.2f", 100 * a }')")
    if [ -n "$python" ]; then
        independent+=("$("$python" "$here/independent_eval.py" "$out" \
            "$data/$dataset/$dataset.labels" "$data/$dataset/$dataset.split")")
    fi
    echo "$dataset seed $seed: graphssl ${printed[-1]}  independent ${independent[-1]:-n/a}"
done

mean() { printf '%s\n' "$@" | awk '{ s += $1 } END { printf "%.2f", s / NR }'; }
printed_mean=$(mean "${printed[@]}")
echo "$dataset mean over seeds {$seeds}: graphssl $printed_mean (dgi-linear), need >= $min_accuracy"
status=0
if ! awk -v a="$printed_mean" -v m="$min_accuracy" 'BEGIN { exit !(a >= m) }'; then
    echo "FAIL: $dataset accuracy $printed_mean below $min_accuracy"
    status=1
fi
if [ -n "$python" ]; then
    independent_mean=$(mean "${independent[@]}")
    echo "$dataset independent logistic regression: $independent_mean (need within 1.5)"
    if ! awk -v a="$printed_mean" -v b="$independent_mean" \
        'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= 1.5) }'; then
        echo "FAIL: graphssl $printed_mean and independent $independent_mean differ by > 1.5"
        status=1
    fi
else
    echo "FAIL: python3 with scikit-learn not found (apt-get install python3-sklearn)"
    status=1
fi
exit $status

#!/usr/bin/env python3
"""Recomputes link-auc from files graphssl wrote, independently of graphssl.

    link_auc_check.py EMB.csv SPLIT_DIR

reads the embeddings (CSV, header node,d0,...) and SPLIT_DIR/test.edges and
SPLIT_DIR/test.negatives (one "u v" pair of node names per line), scores every pair with
sigmoid(z_u . z_v), and prints "AUC AP" in percent: AUC as the Mann-Whitney statistic with
ties counted half, AP as scikit-learn's average_precision_score.  Standard library only.
"""
import csv
import math
import sys


def read_embeddings(path):
    with open(path, newline="") as f:
        rows = csv.reader(f)
        header = next(rows)
        if header[:2] != ["node", "d0"]:
            sys.exit(f"{path}: unexpected header {header[:3]}")
        return {r[0]: [float(x) for x in r[1:]] for r in rows}


def read_pairs(path):
    with open(path) as f:
        return [line.split() for line in f if line.strip() and line[0] not in "#%"]


def score(emb, pairs):
    out = []
    for u, v in pairs:
        dot = sum(a * b for a, b in zip(emb[u], emb[v]))
        out.append(1.0 / (1.0 + math.exp(-dot)) if dot > -700 else 0.0)
    return out


def auc(pos, neg):
    """Rank-sum AUC with tied scores sharing their mean rank."""
    scored = sorted([(s, 1) for s in pos] + [(s, 0) for s in neg])
    rank_sum, i = 0.0, 0
    while i < len(scored):
        j = i
        while j < len(scored) and scored[j][0] == scored[i][0]:
            j += 1
        mean_rank = (i + 1 + j) / 2.0
        rank_sum += mean_rank * sum(p for _, p in scored[i:j])
        i = j
    n_pos, n_neg = len(pos), len(neg)
    return (rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg)


def average_precision(pos, neg):
    """Sum over distinct thresholds, highest first, of (recall step) x precision."""
    scored = sorted([(s, 1) for s in pos] + [(s, 0) for s in neg], reverse=True)
    tp = fp = 0
    ap, i = 0.0, 0
    while i < len(scored):
        j = i
        new_tp = 0
        while j < len(scored) and scored[j][0] == scored[i][0]:
            new_tp += scored[j][1]
            j += 1
        tp += new_tp
        fp += (j - i) - new_tp
        ap += new_tp / len(pos) * tp / (tp + fp)
        i = j
    return ap


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    emb = read_embeddings(sys.argv[1])
    pos = score(emb, read_pairs(f"{sys.argv[2]}/test.edges"))
    neg = score(emb, read_pairs(f"{sys.argv[2]}/test.negatives"))
    print(f"{100 * auc(pos, neg):.2f} {100 * average_precision(pos, neg):.2f}")


if __name__ == "__main__":
    main()

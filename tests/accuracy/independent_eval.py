#!/usr/bin/env python3
"""Scores an embedding CSV written by graphssl with scikit-learn, independently of graphssl.

    independent_eval.py EMB.csv LABELS SPLIT      -> test accuracy of a logistic regression
                                                     trained on the split's train nodes
    independent_eval.py EMB.csv LABELS --kfold K  -> stratified K-fold micro-F1

Prints one number in [0, 100] on stdout.
"""
import csv
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import StandardScaler


def read_embeddings(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    if header[0] != "node" or header[1] != "d0":
        sys.exit(f"{path}: unexpected header {header[:3]}")
    names = [r[0] for r in body]
    return names, np.array([[float(x) for x in r[1:]] for r in body])


def read_pairs(path):
    pairs = {}
    with open(path) as f:
        for line in f:
            parts = line.split()
            if parts and not parts[0].startswith("#"):
                pairs[parts[0]] = parts[1]
    return pairs


def split_accuracy(x, names, labels, split):
    def rows(part):
        idx = [i for i, n in enumerate(names) if split.get(n) == part and n in labels]
        return x[idx], np.array([labels[names[i]] for i in idx])

    x_train, y_train = rows("train")
    x_test, y_test = rows("test")
    clf = LogisticRegression(max_iter=2000).fit(x_train, y_train)
    return 100.0 * clf.score(x_test, y_test)


def kfold_accuracy(x, names, labels, k):
    idx = [i for i, n in enumerate(names) if n in labels]
    x, y = x[idx], np.array([labels[names[i]] for i in idx])
    scores = []
    for train, test in StratifiedKFold(k, shuffle=True, random_state=0).split(x, y):
        scaler = StandardScaler().fit(x[train])
        clf = LogisticRegression(max_iter=2000).fit(scaler.transform(x[train]), y[train])
        scores.append(clf.score(scaler.transform(x[test]), y[test]))
    return 100.0 * float(np.mean(scores))


def main():
    names, x = read_embeddings(sys.argv[1])
    labels = read_pairs(sys.argv[2])
    if sys.argv[3] == "--kfold":
        print(f"{kfold_accuracy(x, names, labels, int(sys.argv[4])):.2f}")
    else:
        print(f"{split_accuracy(x, names, labels, read_pairs(sys.argv[3])):.2f}")


if __name__ == "__main__":
    main()

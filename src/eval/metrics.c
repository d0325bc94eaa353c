/*
 * What the node-classification protocols share: checking their inputs, summarising runs as
 * mean and population std, and micro-/macro-F1 as scikit-learn's f1_score computes them.
 */
#include "eval/eval_internal.h"

#include <math.h>
#include <stdlib.h>

#include "common_internal.h"

static gs_status_t check_finite(const gs_tensor_t *emb)
{
    size_t n = (size_t)emb->rows * (size_t)emb->cols;

    for (size_t i = 0; i < n; i++) {
        if (!isfinite(emb->data[i])) {
            return gs_i_error(GS_ERR_INVALID,
                              "embedding row %zu column %zu is %g, expected a finite value",
                              i / (size_t)emb->cols, i % (size_t)emb->cols,
                              (double)emb->data[i]);
        }
    }
    return GS_OK;
}

gs_status_t gs_i_eval_check_inputs(const gs_tensor_t *emb, const int32_t *labels,
                                   int n_classes)
{
    if (!emb || !emb->data || emb->rows < 1 || emb->cols < 1) {
        return gs_i_error(GS_ERR_INVALID, "evaluation needs a non-empty embedding matrix");
    }
    if (!labels) {
        return gs_i_error(GS_ERR_INVALID, "evaluation needs node labels, found none");
    }
    if (n_classes < 1) {
        return gs_i_error(GS_ERR_INVALID, "expected at least one class, found %d", n_classes);
    }

    for (int v = 0; v < emb->rows; v++) {
        if (labels[v] >= n_classes) {
            return gs_i_error(GS_ERR_INVALID,
                              "node %d has label %d, expected -1 or 0..%d (labels out of range)",
                              v, (int)labels[v], n_classes - 1);
        }
    }
    return check_finite(emb);
}

void gs_i_score_from_runs(gs_score_t *score, const char *protocol, const double *values,
                          int n)
{
    double sum = 0.0;
    double sq = 0.0;
    double mean;

    for (int r = 0; r < n; r++) {
        sum += values[r];
    }
    mean = sum / n;

    /* Two passes, so the std does not suffer from cancellation. */
    for (int r = 0; r < n; r++) {
        sq += (values[r] - mean) * (values[r] - mean);
    }

    score->protocol = protocol;
    score->mean = mean;
    score->std = sqrt(sq / n);
    score->runs = n;
}

gs_status_t gs_i_f1_scores(const int32_t *truth, const int32_t *pred, int n, int n_classes,
                           double *micro, double *macro)
{
    /* Per class: true positives, false positives, false negatives. */
    int64_t *counts = calloc((size_t)n_classes * 3, sizeof *counts);
    int64_t correct = 0;
    double f1_sum = 0.0;
    int n_present = 0;

    if (!counts) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory for F1 counts of %d classes",
                          n_classes);
    }

    for (int i = 0; i < n; i++) {
        if (truth[i] == pred[i]) {
            counts[3 * truth[i]]++;
            correct++;
        } else {
            counts[3 * pred[i] + 1]++;
            counts[3 * truth[i] + 2]++;
        }
    }

    /* A class that appears in neither truth nor pred has no F1 and is left out. */
    for (int c = 0; c < n_classes; c++) {
        int64_t tp = counts[3 * c], fp = counts[3 * c + 1], fn = counts[3 * c + 2];

        if (tp + fp + fn > 0) {
            f1_sum += 2.0 * (double)tp / (double)(2 * tp + fp + fn);
            n_present++;
        }
    }
    free(counts);

    *micro = n > 0 ? (double)correct / n : 0.0;
    *macro = n_present > 0 ? f1_sum / n_present : 0.0;
    return GS_OK;
}

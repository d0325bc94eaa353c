/*
 * link-auc and link-acc: scores of positive pairs (edges) against negative pairs
 * (non-edges), all in double.
 *
 *   AUC       Mann-Whitney: the probability that a random positive outscores a random
 *             negative, ties counted half, from the rank sum of the positives.
 *   AP        scikit-learn's average_precision_score: sum over distinct thresholds, from
 *             the highest down, of (R_n - R_{n-1}) P_n; tied scores form one threshold.
 *   accuracy  GraphGAN's link-prediction accuracy with the median of all scores as the
 *             threshold.
 */
#include "graphssl/eval.h"

#include <math.h>
#include <stdlib.h>

#include "common_internal.h"

/* One scored pair. */
typedef struct scored {
    double score;
    int positive;
} scored_t;

static int compare_scored(const void *a, const void *b)
{
    double x = ((const scored_t *)a)->score, y = ((const scored_t *)b)->score;

    return (x > y) - (x < y);
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static gs_status_t check_scores(const double *pos, int64_t n_pos, const double *neg,
                                int64_t n_neg)
{
    if (n_pos < 1 || n_neg < 1 || !pos || !neg) {
        return gs_i_error(GS_ERR_INVALID,
                          "expected at least one positive and one negative score, found %lld "
                          "and %lld", (long long)n_pos, (long long)n_neg);
    }
    for (int64_t i = 0; i < n_pos + n_neg; i++) {
        double s = i < n_pos ? pos[i] : neg[i - n_pos];

        /* NaN has no place in an order; infinities do and are allowed. */
        if (isnan(s)) {
            return gs_i_error(GS_ERR_INVALID, "%s score %lld is NaN, expected a number",
                              i < n_pos ? "positive" : "negative",
                              (long long)(i < n_pos ? i : i - n_pos));
        }
    }
    return GS_OK;
}

/* All pairs sorted by ascending score; NULL when out of memory. */
static scored_t *sort_pairs(const double *pos, int64_t n_pos, const double *neg,
                            int64_t n_neg)
{
    size_t n = (size_t)(n_pos + n_neg);
    scored_t *all = malloc(n * sizeof *all);

    if (!all) {
        return NULL;
    }
    for (int64_t i = 0; i < n_pos; i++) {
        all[i] = (scored_t){pos[i], 1};
    }
    for (int64_t i = 0; i < n_neg; i++) {
        all[n_pos + i] = (scored_t){neg[i], 0};
    }
    qsort(all, n, sizeof *all, compare_scored);
    return all;
}

/* End (exclusive) of the run of scores equal to all[start].score. */
static size_t tie_end(const scored_t *all, size_t start, size_t n)
{
    size_t end = start + 1;

    while (end < n && all[end].score == all[start].score) {
        end++;
    }
    return end;
}

/* U / (n_pos n_neg) with U = (rank sum of positives) - n_pos (n_pos + 1) / 2, where tied
 * scores share the average of their 1-based ranks. */
static double auc_from_sorted(const scored_t *all, size_t n, double n_pos, double n_neg)
{
    double rank_sum = 0.0;

    for (size_t start = 0; start < n;) {
        size_t end = tie_end(all, start, n);
        double mean_rank = 0.5 * ((double)start + 1.0 + (double)end);
        double n_pos_tied = 0.0;

        for (size_t i = start; i < end; i++) {
            n_pos_tied += all[i].positive;
        }
        rank_sum += mean_rank * n_pos_tied;
        start = end;
    }
    return (rank_sum - 0.5 * n_pos * (n_pos + 1.0)) / (n_pos * n_neg);
}

/* Walks the thresholds from the highest score down; at each, the pairs scoring at least
 * the threshold are predicted positive. */
static double ap_from_sorted(const scored_t *all, size_t n, double n_pos)
{
    double tp = 0.0, fp = 0.0, ap = 0.0;

    for (size_t end = n; end > 0;) {
        size_t start = end - 1;
        double new_tp = 0.0;

        while (start > 0 && all[start - 1].score == all[end - 1].score) {
            start--;
        }
        for (size_t i = start; i < end; i++) {
            new_tp += all[i].positive;
        }

        tp += new_tp;
        fp += (double)(end - start) - new_tp;
        ap += (new_tp / n_pos) * (tp / (tp + fp));
        end = start;
    }
    return ap;
}

gs_status_t gs_eval_auc_ap(const double *pos, int64_t n_pos, const double *neg,
                           int64_t n_neg, double *auc, double *ap)
{
    size_t n = (size_t)(n_pos + n_neg);
    scored_t *all;

    GS_TRY(check_scores(pos, n_pos, neg, n_neg));
    all = sort_pairs(pos, n_pos, neg, n_neg);
    if (!all) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory for sorting %zu scores", n);
    }

    *auc = auc_from_sorted(all, n, (double)n_pos, (double)n_neg);
    *ap = ap_from_sorted(all, n, (double)n_pos);
    free(all);
    return GS_OK;
}

/* The median as numpy computes it: the middle value, or the mean of the two middle values
 * of an even count. */
static double median_sorted(const double *v, size_t n)
{
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/*
 * A score equal to the threshold is predicted negative, so a positive tied with the median
 * counts as wrong and a negative tied with it as right; the header states this rule.
 */
gs_status_t gs_eval_link_accuracy(const double *pos, int64_t n_pos, const double *neg,
                                  int64_t n_neg, double *accuracy)
{
    size_t n = (size_t)(n_pos + n_neg);
    double *all;
    double threshold;
    int64_t correct = 0;

    GS_TRY(check_scores(pos, n_pos, neg, n_neg));
    all = malloc(n * sizeof *all);
    if (!all) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory for sorting %zu scores", n);
    }
    for (int64_t i = 0; i < n_pos + n_neg; i++) {
        all[i] = i < n_pos ? pos[i] : neg[i - n_pos];
    }
    qsort(all, n, sizeof *all, compare_double);
    threshold = median_sorted(all, n);
    free(all);

    for (int64_t i = 0; i < n_pos; i++) {
        correct += pos[i] > threshold;
    }
    for (int64_t i = 0; i < n_neg; i++) {
        correct += neg[i] <= threshold;
    }
    *accuracy = (double)correct / (double)n;
    return GS_OK;
}

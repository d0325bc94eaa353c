/*
 * Evaluation protocols.  Every score carries the name of the protocol that produced it.
 *
 *   dgi-linear    frozen embeddings; a fresh linear classifier trained on the split's train
 *                 nodes with Adam (lr 0.01, no weight decay, 100 full-batch epochs), scored
 *                 on test nodes; repeated from new initializations; mean and std.
 *   kfold-logreg  stratified k-fold logistic regression; micro- and macro-F1.
 *   link-auc      ROC AUC (Mann-Whitney, ties counted half) and average precision.
 *   link-acc      accuracy with the median score of the evaluation pairs as threshold.
 */
#ifndef GRAPHSSL_EVAL_H
#define GRAPHSSL_EVAL_H

#include "graphssl/common.h"
#include "graphssl/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gs_score {
    const char *protocol;  /* static string, e.g. "dgi-linear" */
    double mean;           /* in [0, 1] */
    double std;            /* population std over runs or folds; 0 for a single value */
    int runs;              /* runs or folds averaged */
} gs_score_t;

typedef struct gs_linear_probe_options {
    int runs;              /* 50 */
    int epochs;            /* 100 */
    float lr;              /* 0.01 */
    float weight_decay;    /* 0 */
    uint64_t seed;         /* 0 */
} gs_linear_probe_options_t;

GS_API void gs_linear_probe_options_init(gs_linear_probe_options_t *opt);

/*
 * dgi-linear: trains on nodes with split == GS_SPLIT_TRAIN and labels >= 0, scores accuracy
 * on split == GS_SPLIT_TEST.  GS_ERR_INVALID when either set is empty.
 */
GS_API gs_status_t gs_eval_linear_probe(const gs_tensor_t *emb, const int32_t *labels,
                                        int n_classes, const uint8_t *split,
                                        const gs_linear_probe_options_t *opt,
                                        gs_score_t *accuracy);

/*
 * kfold-logreg: stratified k-fold (k = 10 usually) over rows with labels >= 0; a
 * multinomial logistic regression (L2-regularized, features standardized on each training
 * fold) trained per fold; micro-F1 (equal to accuracy) and macro-F1 averaged over folds.
 */
GS_API gs_status_t gs_eval_kfold_logreg(const gs_tensor_t *emb, const int32_t *labels,
                                        int n_classes, int k, uint64_t seed,
                                        gs_score_t *micro_f1, gs_score_t *macro_f1);

/* link-auc: AUC and AP of positive vs negative scores, exact, in double. */
GS_API gs_status_t gs_eval_auc_ap(const double *pos, int64_t n_pos, const double *neg,
                                  int64_t n_neg, double *auc, double *ap);

/* link-acc: the median of all scores as threshold; positives above and negatives at or
 * below it are correct. */
GS_API gs_status_t gs_eval_link_accuracy(const double *pos, int64_t n_pos, const double *neg,
                                         int64_t n_neg, double *accuracy);

#ifdef __cplusplus
}
#endif

#endif

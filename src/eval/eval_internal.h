/*
 * Helpers shared by the evaluation protocols: input checks, mean and std over runs, F1
 * scores and stratified folds.  tests/test_eval.c reaches them too.
 */
#ifndef GS_EVAL_INTERNAL_H
#define GS_EVAL_INTERNAL_H

#include "graphssl/eval.h"

/*
 * Checks what every node-classification protocol needs: an embedding with at least one row
 * and one column and only finite values, n_classes >= 1, and one label per row in
 * -1..n_classes-1 (any negative label means unlabelled).  GS_ERR_INVALID otherwise.
 */
gs_status_t gs_i_eval_check_inputs(const gs_tensor_t *emb, const int32_t *labels,
                                   int n_classes);

/* Fills score with the mean and population std of n > 0 values. */
void gs_i_score_from_runs(gs_score_t *score, const char *protocol, const double *values,
                          int n);

/*
 * Micro-F1 (equal to accuracy for single-label data) and macro-F1 of n predictions, both
 * labels in 0..n_classes-1.  Macro-F1 averages the per-class F1 over the classes present in
 * truth or pred, as scikit-learn's f1_score does by default.  GS_ERR_NOMEM on failure.
 */
gs_status_t gs_i_f1_scores(const int32_t *truth, const int32_t *pred, int n, int n_classes,
                           double *micro, double *macro);

/*
 * Stratified assignment of n rows to k folds: fold[i] in 0..k-1 for rows with a label in
 * 0..n_classes-1, -1 for unlabelled rows.  Labels must already be checked.
 */
gs_status_t gs_i_stratified_folds(const int32_t *labels, int n, int n_classes, int k,
                                  uint64_t seed, int32_t *fold);

#endif

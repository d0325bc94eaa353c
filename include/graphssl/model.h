/*
 * What every method shares: the training report and the per-epoch progress callback.
 *
 * Each method X follows one shape:
 *   gs_X_options_init(&opt)                       defaults of the paper
 *   gs_X_train(graph, &opt, &model, &report)      trains; the model owns its parameters
 *   gs_X_embed(model, graph, &embeddings)         N x D tensor, caller frees
 *   gs_X_free(model)
 */
#ifndef GRAPHSSL_MODEL_H
#define GRAPHSSL_MODEL_H

#include "graphssl/common.h"
#include "graphssl/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Called after every epoch with its loss; may be NULL. */
typedef void (*gs_progress_fn)(int epoch, double loss, void *user);

typedef struct gs_train_report {
    int epochs;            /* epochs run */
    int best_epoch;        /* epoch whose weights were kept (1-based) */
    double best_loss;
    double seconds;        /* training wall time */
} gs_train_report_t;

/*
 * Multiplies every entry by one constant so that the mean L2 norm of the rows is 1; returns
 * the factor used (1 when every row is zero).  Directions and relative magnitudes are kept;
 * only the unit changes.  It matters to downstream classifiers with an L2 penalty: DGI's raw
 * embeddings, for one, have entries near 0.005, where scikit-learn's default penalty alone
 * costs Cora about 3 points of accuracy.
 */
GS_API double gs_embeddings_rescale(gs_tensor_t *emb);

#ifdef __cplusplus
}
#endif

#endif

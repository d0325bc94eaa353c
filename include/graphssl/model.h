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

#ifdef __cplusplus
}
#endif

#endif

/*
 * Deep Graph Infomax (Velickovic et al., ICLR 2019), transductive setting.
 *
 * Encoder: one GCN layer with PReLU over row-normalized features and Â = D^-1/2 (A+I) D^-1/2.
 * Corruption: feature rows shuffled.  Readout: sigmoid(mean of rows).  Discriminator:
 * bilinear.  Loss: BCE with logits over N real and N corrupted nodes.  Adam; early stopping
 * on the training loss, keeping the best weights.
 */
#ifndef GRAPHSSL_DGI_H
#define GRAPHSSL_DGI_H

#include "graphssl/graph.h"
#include "graphssl/model.h"
#include "graphssl/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gs_dgi_options {
    int hidden;            /* 512 */
    float lr;              /* 0.001 */
    float weight_decay;    /* 0 */
    int patience;          /* 20 */
    int max_epochs;        /* 10000 (early stopping ends training) */
    uint64_t seed;         /* 0 */
    gs_progress_fn progress;
    void *progress_user;
} gs_dgi_options_t;

typedef struct gs_dgi gs_dgi_t;

GS_API void gs_dgi_options_init(gs_dgi_options_t *opt);

/* Trains on g (which must have features; see gs_graph_set_identity_features).  Returns
 * GS_ERR_INVALID for a graph without features, GS_ERR_NUMERIC for a non-finite loss. */
GS_API gs_status_t gs_dgi_train(const gs_graph_t *g, const gs_dgi_options_t *opt,
                                gs_dgi_t **model, gs_train_report_t *report);

/* N x hidden embeddings of g's nodes from the kept (best) weights. */
GS_API gs_status_t gs_dgi_embed(const gs_dgi_t *model, const gs_graph_t *g, gs_tensor_t **out);

GS_API void gs_dgi_free(gs_dgi_t *model);

#ifdef __cplusplus
}
#endif

#endif

/*
 * What a GCN-based model reads from a graph, prepared once: the normalized adjacency and
 * the (optionally row-normalized) features, sparse when the graph's are.
 */
#ifndef GS_MODELS_INPUTS_H
#define GS_MODELS_INPUTS_H

#include "graphssl/graph.h"
#include "graphssl/nn.h"

typedef struct gs_i_inputs {
    gs_csr_t *adj;           /* D^-1/2 (A + I) D^-1/2 */
    gs_csr_t *xs;            /* (N, F) sparse features, or NULL */
    gs_tensor_t *xd;         /* (N, F) dense features, or NULL */
    int n_features;
} gs_i_inputs_t;

/* Prepares the inputs of g; features are divided by their row sums when row_normalize and
 * no entry is negative. */
gs_status_t gs_i_inputs_init(gs_i_inputs_t *in, const gs_graph_t *g, bool row_normalize);
void gs_i_inputs_destroy(gs_i_inputs_t *in);

/* X W on the sparse or dense path, whichever the inputs hold.  (N, out) */
gs_tensor_t *gs_i_inputs_project(gs_tape_t *t, const gs_i_inputs_t *in, gs_tensor_t *weight);

#endif

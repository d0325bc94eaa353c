/*
 * Helpers the methods share for handing their embeddings out.
 */
#ifndef GS_MODELS_EMBEDDINGS_INTERNAL_H
#define GS_MODELS_EMBEDDINGS_INTERNAL_H

#include "graphssl/tensor.h"

/* A new n_nodes x dim tensor copied from a model's embedding table, after checking that
 * the graph asked about (graph_nodes) is the one the model (named method) was trained on. */
gs_status_t gs_i_embeddings_from_table(const char *method, int graph_nodes, int n_nodes,
                                       int dim, const float *table, gs_tensor_t **out);

#endif

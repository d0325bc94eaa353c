/*
 * Post-processing shared by every method's embeddings.
 */
#include "graphssl/model.h"

#include <math.h>
#include <string.h>

#include "common_internal.h"
#include "embeddings_internal.h"

double gs_embeddings_rescale(gs_tensor_t *emb)
{
    double total = 0.0, factor;

    for (int i = 0; i < emb->rows; i++) {
        const float *row = emb->data + (size_t)i * emb->cols;
        double sq = 0.0;

        for (int j = 0; j < emb->cols; j++) {
            sq += (double)row[j] * row[j];
        }
        total += sqrt(sq);
    }
    if (emb->rows == 0 || total == 0.0) {
        return 1.0;
    }

    factor = emb->rows / total;
    for (size_t i = 0; i < (size_t)emb->rows * emb->cols; i++) {
        emb->data[i] = (float)(emb->data[i] * factor);
    }
    return factor;
}

gs_status_t gs_i_embeddings_from_table(const char *method, int graph_nodes, int n_nodes,
                                       int dim, const float *table, gs_tensor_t **out)
{
    gs_tensor_t *t;

    if (graph_nodes != n_nodes) {
        return gs_i_error(GS_ERR_INVALID, "the graph has %d nodes but the %s model was trained "
                          "on %d", graph_nodes, method, n_nodes);
    }
    t = gs_tensor_new(n_nodes, dim);
    if (!t) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory for %d x %d embeddings", n_nodes, dim);
    }
    memcpy(t->data, table, (size_t)n_nodes * dim * sizeof *t->data);
    *out = t;
    return GS_OK;
}

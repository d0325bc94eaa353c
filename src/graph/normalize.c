/*
 * The GCN propagation matrix of Kipf & Welling (ICLR 2017), eq. 2:
 *
 *     Â = D^-1/2 (A + I) D^-1/2,   D_ii = sum_j (A + I)_ij
 *
 * with A's weights when the graph is weighted.  The self loop is merged into each sorted
 * neighbour list at its place, so Â keeps ascending column indices.
 */
#include "graphssl/graph.h"

#include <math.h>
#include <stdlib.h>

#include "common_internal.h"

/* 1 / sqrt(D_ii) per node, with D the row sums of A + I, in double. */
static gs_status_t inverse_sqrt_degrees(const gs_csr_t *a, double *inv_sqrt)
{
    for (int r = 0; r < a->n_rows; r++) {
        double d = 1.0;

        for (int64_t e = a->indptr[r]; e < a->indptr[r + 1]; e++) {
            d += a->values[e];
        }
        if (!(d > 0.0)) {
            return gs_i_error(GS_ERR_INVALID,
                              "node %d has weighted degree %g; normalization needs degrees "
                              "above -1", r, d - 1.0);
        }
        inv_sqrt[r] = 1.0 / sqrt(d);
    }
    return GS_OK;
}

/* Writes row r of Â (its neighbours and itself, in column order) from slot k on. */
static int64_t fill_row(const gs_csr_t *a, const double *inv_sqrt, int r, gs_csr_t *out,
                        int64_t k)
{
    bool self_done = false;

    for (int64_t e = a->indptr[r]; e < a->indptr[r + 1]; e++) {
        int32_t c = a->indices[e];

        if (!self_done && c > r) {
            out->indices[k] = r;
            out->values[k++] = (float)(inv_sqrt[r] * inv_sqrt[r]);
            self_done = true;
        }
        out->indices[k] = c;
        out->values[k++] = (float)(inv_sqrt[r] * a->values[e] * inv_sqrt[c]);
    }
    if (!self_done) {
        out->indices[k] = r;
        out->values[k++] = (float)(inv_sqrt[r] * inv_sqrt[r]);
    }
    out->indptr[r + 1] = k;
    return k;
}

gs_status_t gs_graph_normalized_adjacency(const gs_graph_t *g, gs_csr_t **out)
{
    const gs_csr_t *a = g->adj;
    double *inv_sqrt = malloc(((size_t)g->n_nodes + 1) * sizeof *inv_sqrt);
    gs_csr_t *n = gs_csr_new(g->n_nodes, g->n_nodes, gs_csr_nnz(a) + g->n_nodes);
    gs_status_t status;
    int64_t k = 0;

    *out = NULL;
    if (!inv_sqrt || !n) {
        status = gs_i_error(GS_ERR_NOMEM, "out of memory normalizing a graph of %d nodes",
                            g->n_nodes);
        goto done;
    }
    status = inverse_sqrt_degrees(a, inv_sqrt);
    if (status != GS_OK) {
        goto done;
    }
    for (int r = 0; r < g->n_nodes; r++) {
        k = fill_row(a, inv_sqrt, r, n, k);
    }

    /* Undirected: Â is symmetric and serves as its own transpose.  Directed: build it. */
    if (g->directed) {
        status = gs_csr_build_transpose(n);
    } else {
        n->transpose = n;
        n->owns_transpose = false;
    }

done:
    free(inv_sqrt);
    if (status != GS_OK) {
        gs_csr_free(n);
        return status;
    }
    *out = n;
    return GS_OK;
}

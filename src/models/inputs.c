/*
 * Model inputs prepared once per graph (see inputs.h).
 */
#include "inputs.h"

#include <string.h>

#include "common_internal.h"

static gs_csr_t *copy_sparse(const gs_csr_t *a)
{
    int64_t nnz = gs_csr_nnz(a);
    gs_csr_t *c = gs_csr_new(a->n_rows, a->n_cols, nnz);

    if (!c) {
        return NULL;
    }
    memcpy(c->indptr, a->indptr, ((size_t)a->n_rows + 1) * sizeof *c->indptr);
    memcpy(c->indices, a->indices, (size_t)nnz * sizeof *c->indices);
    memcpy(c->values, a->values, (size_t)nnz * sizeof *c->values);
    return c;
}

static void row_normalize_sparse(gs_csr_t *a)
{
    for (int r = 0; r < a->n_rows; r++) {
        double sum = 0.0;

        for (int64_t e = a->indptr[r]; e < a->indptr[r + 1]; e++) {
            sum += a->values[e];
        }
        if (sum == 0.0) {
            continue;
        }
        for (int64_t e = a->indptr[r]; e < a->indptr[r + 1]; e++) {
            a->values[e] = (float)(a->values[e] / sum);
        }
    }
}

static void row_normalize_dense(gs_tensor_t *x)
{
    for (int r = 0; r < x->rows; r++) {
        float *row = x->data + (size_t)r * x->cols;
        double sum = 0.0;

        for (int j = 0; j < x->cols; j++) {
            sum += row[j];
        }
        if (sum == 0.0) {
            continue;
        }
        for (int j = 0; j < x->cols; j++) {
            row[j] = (float)(row[j] / sum);
        }
    }
}

static bool has_negative(const float *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (v[i] < 0.0f) {
            return true;
        }
    }
    return false;
}

/* Dividing by row sums makes each row a distribution over bag-of-words features; with
 * negative entries (Laplacian eigenvectors, random projections) sums near zero would blow
 * rows up instead, so such features are used as they are. */
static bool can_row_normalize(const gs_graph_t *g)
{
    if (g->features_sparse) {
        return !has_negative(g->features_sparse->values, (size_t)gs_csr_nnz(g->features_sparse));
    }
    return !has_negative(g->features_dense, (size_t)g->n_nodes * g->n_features);
}

static gs_status_t prepare_features(gs_i_inputs_t *in, const gs_graph_t *g,
                                    bool row_normalize)
{
    if (row_normalize && !can_row_normalize(g)) {
        gs_i_log(GS_LOG_INFO, "features have negative entries: not row-normalized");
        row_normalize = false;
    }

    if (g->features_sparse) {
        in->xs = copy_sparse(g->features_sparse);
        if (!in->xs) {
            return gs_i_error(GS_ERR_NOMEM, "out of memory copying the features");
        }
        if (row_normalize) {
            row_normalize_sparse(in->xs);
        }

        /* Backward of X W needs X^T; built once here rather than scattered every step. */
        return gs_csr_build_transpose(in->xs);
    }

    GS_TRY(gs_graph_features_dense(g, &in->xd));
    if (row_normalize) {
        row_normalize_dense(in->xd);
    }
    return GS_OK;
}

gs_status_t gs_i_inputs_init(gs_i_inputs_t *in, const gs_graph_t *g, bool row_normalize)
{
    gs_status_t status;

    memset(in, 0, sizeof *in);
    if (g->n_features <= 0) {
        return gs_i_error(GS_ERR_INVALID,
                          "the graph has no node features; give --features or use identity "
                          "features");
    }
    in->n_features = g->n_features;

    status = gs_graph_normalized_adjacency(g, &in->adj);
    if (status == GS_OK) {
        status = prepare_features(in, g, row_normalize);
    }
    if (status != GS_OK) {
        gs_i_inputs_destroy(in);
    }
    return status;
}

void gs_i_inputs_destroy(gs_i_inputs_t *in)
{
    gs_csr_free(in->adj);
    gs_csr_free(in->xs);
    gs_tensor_free(in->xd);
    memset(in, 0, sizeof *in);
}

gs_tensor_t *gs_i_inputs_project(gs_tape_t *t, const gs_i_inputs_t *in, gs_tensor_t *weight)
{
    if (in->xs) {
        return gs_op_spmm(t, in->xs, weight);
    }
    return gs_op_matmul(t, in->xd, false, weight, false);
}

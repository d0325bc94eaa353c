/*
 * Ops that move rows and columns without arithmetic: row gather (embedding lookup, DGI's
 * row shuffle) and concatenation along either axis.
 */
#include <assert.h>
#include <string.h>

#include "tape_internal.h"

/* Gather's backward splits columns into blocks of 16 floats (one cache line), each owned by
 * one thread: repeated indices then never race, and each entry sums in index order. */
#define COL_BLOCK 16

/* --- gather rows ----------------------------------------------------------------------- */

/* out_i = a_{idx_i}: da_{idx_i} += g_i, summed over every i naming the row. */
static void gather_rows_backward(gs_tape_t *tape, const gs_i_op_t *op)
{
    const int32_t *idx = op->saved[0];
    const float *g = op->out->grad;
    float *ga = gs_i_tape_grad(tape, op->in[0]);
    int cols = op->out->cols;
    int n_blocks = (cols + COL_BLOCK - 1) / COL_BLOCK;

    if (!ga) {
        return;
    }
    #pragma omp parallel for if (gs_i_numel(op->out) >= GS_I_PAR_MIN)
    for (int blk = 0; blk < n_blocks; blk++) {
        int j0 = blk * COL_BLOCK;
        int j1 = j0 + COL_BLOCK < cols ? j0 + COL_BLOCK : cols;

        for (int i = 0; i < op->n; i++) {
            float *dst = ga + (size_t)idx[i] * cols;
            const float *src = g + (size_t)i * cols;

            for (int j = j0; j < j1; j++) {
                dst[j] += src[j];
            }
        }
    }
}

gs_tensor_t *gs_op_gather_rows(gs_tape_t *t, gs_tensor_t *a, const int32_t *idx, int n)
{
    size_t row_bytes;
    gs_tensor_t *out;
    gs_i_op_t *op;

    if (!a || !(out = gs_i_tape_output(t, n, a->cols, a, NULL, NULL))) {
        return NULL;
    }
    row_bytes = (size_t)a->cols * sizeof *a->data;

    #pragma omp parallel for if (gs_i_numel(out) >= GS_I_PAR_MIN)
    for (int i = 0; i < n; i++) {
        assert(idx[i] >= 0 && idx[i] < a->rows);
        memcpy(out->data + (size_t)i * a->cols, a->data + (size_t)idx[i] * a->cols, row_bytes);
    }
    if (!out->requires_grad) {
        return out;
    }

    /* The caller's indices need not outlive the step, so backward reads a copy. */
    op = gs_i_tape_record(t, gather_rows_backward, out, a, NULL, NULL);
    if (!op || !(op->saved[0] = gs_i_tape_alloc(t, (size_t)n * sizeof *idx))) {
        return NULL;
    }
    memcpy(op->saved[0], idx, (size_t)n * sizeof *idx);
    op->n = n;
    return out;
}

/* --- concatenation --------------------------------------------------------------------- */

/* Adds the (rows x cols) block of src starting at column c0 (row stride src_cols) into dst
 * (rows x cols, contiguous), when dst exists. */
static void add_block(float *dst, const float *src, int rows, int cols, int src_cols, int c0)
{
    if (!dst) {
        return;
    }
    #pragma omp parallel for if ((size_t)rows * cols >= GS_I_PAR_MIN)
    for (int i = 0; i < rows; i++) {
        const float *s = src + (size_t)i * src_cols + c0;
        float *d = dst + (size_t)i * cols;

        for (int j = 0; j < cols; j++) {
            d[j] += s[j];
        }
    }
}

/* out = [a | b]: da += g[:, :Ca], db += g[:, Ca:]. */
static void concat_cols_backward(gs_tape_t *tape, const gs_i_op_t *op)
{
    gs_tensor_t *a = op->in[0], *b = op->in[1], *out = op->out;

    add_block(gs_i_tape_grad(tape, a), out->grad, a->rows, a->cols, out->cols, 0);
    add_block(gs_i_tape_grad(tape, b), out->grad, b->rows, b->cols, out->cols, a->cols);
}

gs_tensor_t *gs_op_concat_cols(gs_tape_t *t, gs_tensor_t *a, gs_tensor_t *b)
{
    gs_tensor_t *out;

    if (!a || !b || !(out = gs_i_tape_output(t, a->rows, a->cols + b->cols, a, b, NULL))) {
        return NULL;
    }
    assert(a->rows == b->rows);

    for (int i = 0; i < a->rows; i++) {
        float *row = out->data + (size_t)i * out->cols;

        memcpy(row, a->data + (size_t)i * a->cols, (size_t)a->cols * sizeof *row);
        memcpy(row + a->cols, b->data + (size_t)i * b->cols, (size_t)b->cols * sizeof *row);
    }
    return gs_i_tape_finish(t, concat_cols_backward, out, a, b, NULL);
}

/* out = [a ; b]: da += g[:Ra], db += g[Ra:]. */
static void concat_rows_backward(gs_tape_t *tape, const gs_i_op_t *op)
{
    gs_tensor_t *a = op->in[0], *b = op->in[1], *out = op->out;

    add_block(gs_i_tape_grad(tape, a), out->grad, a->rows, a->cols, a->cols, 0);
    add_block(gs_i_tape_grad(tape, b), out->grad + gs_i_numel(a), b->rows, b->cols, b->cols,
              0);
}

gs_tensor_t *gs_op_concat_rows(gs_tape_t *t, gs_tensor_t *a, gs_tensor_t *b)
{
    gs_tensor_t *out;

    if (!a || !b || !(out = gs_i_tape_output(t, a->rows + b->rows, a->cols, a, b, NULL))) {
        return NULL;
    }
    assert(a->cols == b->cols);

    memcpy(out->data, a->data, gs_i_numel(a) * sizeof *out->data);
    memcpy(out->data + gs_i_numel(a), b->data, gs_i_numel(b) * sizeof *out->data);
    return gs_i_tape_finish(t, concat_rows_backward, out, a, b, NULL);
}

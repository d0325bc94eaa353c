/*
 * Reductions and row-wise normalisations: sum, mean, mean over rows, segment sums and means
 * (the readout of batched subgraphs), row L2 normalisation and log-softmax.  Sums are taken
 * in double and in a fixed order, so results do not depend on the number of threads.
 */
#include <assert.h>
#include <math.h>
#include <omp.h>
#include <string.h>

#include "tape_internal.h"

/* Partial sums cover fixed chunks (at least SUM_CHUNK entries, at most MAX_CHUNKS of them)
 * chosen from n alone, and are combined in chunk order: the rounding is the same whatever
 * number of threads shares the chunks.  A reduction clause would combine in varying order. */
#define SUM_CHUNK ((size_t)1 << 14)
#define MAX_CHUNKS 1024

/* Four double lanes break the chain of dependent additions and let the compiler vectorize;
 * the lanes are combined in a fixed order. */
static double sum_range(const float *restrict x, size_t begin, size_t end)
{
    double lane[4] = {0.0, 0.0, 0.0, 0.0};
    size_t i = begin;

    for (; i + 4 <= end; i += 4) {
        for (int k = 0; k < 4; k++) {
            lane[k] += x[i + k];
        }
    }
    for (; i < end; i++) {
        lane[0] += x[i];
    }
    return (lane[0] + lane[1]) + (lane[2] + lane[3]);
}

double gs_i_sum(const float *x, size_t n)
{
    size_t chunk = SUM_CHUNK, n_chunks;
    double part[MAX_CHUNKS];
    double total = 0.0;

    if (n > chunk * MAX_CHUNKS) {
        chunk = (n + MAX_CHUNKS - 1) / MAX_CHUNKS;
    }
    n_chunks = (n + chunk - 1) / chunk;

    #pragma omp parallel for if (n_chunks > 1)
    for (size_t c = 0; c < n_chunks; c++) {
        size_t end = (c + 1) * chunk < n ? (c + 1) * chunk : n;

        part[c] = sum_range(x, c * chunk, end);
    }
    for (size_t c = 0; c < n_chunks; c++) {
        total += part[c];
    }
    return total;
}

float gs_i_log_sum_exp(const float *x, int n)
{
    float m = -INFINITY;
    double s = 0.0;

    for (int j = 0; j < n; j++) {
        m = x[j] > m ? x[j] : m;
    }

    /* Subtracting the maximum keeps every exponential in (0, 1]; an all -inf row has no
     * finite maximum and its sum is 0. */
    if (m == -INFINITY) {
        return m;
    }
    for (int j = 0; j < n; j++) {
        s += expf(x[j] - m);
    }
    return m + (float)log(s);
}

void gs_i_column_sums(const float *x, int rows, int cols, double *acc)
{
    for (int j = 0; j < cols; j++) {
        acc[j] = 0.0;
    }
    for (int i = 0; i < rows; i++) {
        const float *row = x + (size_t)i * cols;

        for (int j = 0; j < cols; j++) {
            acc[j] += row[j];
        }
    }
}

/* Adds the scalar s to every entry of grad (when there is one). */
static void add_constant(float *grad, float s, size_t n)
{
    if (!grad) {
        return;
    }
    #pragma omp parallel for if (n >= GS_I_PAR_MIN)
    for (size_t i = 0; i < n; i++) {
        grad[i] += s;
    }
}

/* --- sum, mean ------------------------------------------------------------------------- */

/* out = s sum(a), s = 1 or 1/n: da += s g for every entry. */
static void sum_backward(gs_tape_t *tape, const gs_i_op_t *op)
{
    gs_tensor_t *a = op->in[0];

    add_constant(gs_i_tape_grad(tape, a), op->s[0] * op->out->grad[0], gs_i_numel(a));
}

static gs_tensor_t *scaled_sum(gs_tape_t *t, gs_tensor_t *a, bool mean)
{
    gs_tensor_t *out;
    gs_i_op_t *op;
    size_t n;
    double s;

    if (!a || !(out = gs_i_tape_output(t, 1, 1, a, NULL, NULL))) {
        return NULL;
    }
    n = gs_i_numel(a);
    s = mean && n > 0 ? 1.0 / (double)n : 1.0;
    out->data[0] = (float)(s * gs_i_sum(a->data, n));
    if (!out->requires_grad) {
        return out;
    }

    if (!(op = gs_i_tape_record(t, sum_backward, out, a, NULL, NULL))) {
        return NULL;
    }
    op->s[0] = (float)s;
    return out;
}

gs_tensor_t *gs_op_sum(gs_tape_t *t, gs_tensor_t *a)
{
    return scaled_sum(t, a, false);
}

gs_tensor_t *gs_op_mean(gs_tape_t *t, gs_tensor_t *a)
{
    return scaled_sum(t, a, true);
}

/* --- mean over rows -------------------------------------------------------------------- */

/* out_j = (1/R) sum_i a_ij: da_ij += g_j / R. */
static void mean_rows_backward(gs_tape_t *tape, const gs_i_op_t *op)
{
    gs_tensor_t *a = op->in[0];
    const float *g = op->out->grad;
    float *ga = gs_i_tape_grad(tape, a);
    float inv = 1.0f / (float)a->rows;

    if (!ga) {
        return;
    }
    #pragma omp parallel for if (gs_i_numel(a) >= GS_I_PAR_MIN)
    for (int i = 0; i < a->rows; i++) {
        float *row = ga + (size_t)i * a->cols;

        for (int j = 0; j < a->cols; j++) {
            row[j] += inv * g[j];
        }
    }
}

gs_tensor_t *gs_op_mean_rows(gs_tape_t *t, gs_tensor_t *a)
{
    gs_tensor_t *out;
    double *acc;

    if (!a || !(out = gs_i_tape_output(t, 1, a->cols, a, NULL, NULL))) {
        return NULL;
    }
    if (!(acc = gs_i_tape_alloc(t, (size_t)a->cols * sizeof *acc))) {
        return NULL;
    }

    gs_i_column_sums(a->data, a->rows, a->cols, acc);
    for (int j = 0; j < a->cols; j++) {
        out->data[j] = a->rows > 0 ? (float)(acc[j] / a->rows) : 0.0f;
    }
    return gs_i_tape_finish(t, mean_rows_backward, out, a, NULL, NULL);
}

/* --- segment sum and mean -------------------------------------------------------------- */

/* The weight of each row of segment s: 1 for sums, 1/size for means (0 when empty). */
static float segment_weight(const int64_t *offsets, int s, bool mean)
{
    int64_t size = offsets[s + 1] - offsets[s];

    if (!mean) {
        return 1.0f;
    }
    return size > 0 ? 1.0f / (float)size : 0.0f;
}

/* Rows [i0, i1) of ga (cols wide) += w g. */
GS_I_HOT static void add_scaled_row(float *restrict ga, const float *restrict g, float w,
                                    int cols, int64_t i0, int64_t i1)
{
    for (int64_t i = i0; i < i1; i++) {
        for (int j = 0; j < cols; j++) {
            ga[(size_t)i * cols + j] += w * g[j];
        }
    }
}

/* out_s = w_s sum_{i in s} a_i: da_i += w_s g_s for each row i of segment s.  Many segments
 * are shared out among the threads; a few (a graph's one readout) have their rows shared. */
static void segment_backward(gs_tape_t *tape, const gs_i_op_t *op)
{
    gs_tensor_t *a = op->in[0];
    const int64_t *offsets = op->saved[0];
    const float *g = op->out->grad;
    float *ga = gs_i_tape_grad(tape, a);
    int cols = a->cols;
    bool parallel = gs_i_numel(a) >= GS_I_PAR_MIN;

    if (!ga) {
        return;
    }
    if (op->n >= 4 * omp_get_max_threads()) {
        #pragma omp parallel for schedule(dynamic, 16) if (parallel)
        for (int s = 0; s < op->n; s++) {
            add_scaled_row(ga, g + (size_t)s * cols, segment_weight(offsets, s, op->flags),
                           cols, offsets[s], offsets[s + 1]);
        }
        return;
    }
    for (int s = 0; s < op->n; s++) {
        float w = segment_weight(offsets, s, op->flags);

        #pragma omp parallel for schedule(static) if (parallel)
        for (int64_t i = offsets[s]; i < offsets[s + 1]; i++) {
            add_scaled_row(ga, g + (size_t)s * cols, w, cols, i, i + 1);
        }
    }
}

/* acc[j] = sum over rows [i0, i1) of a[i][j], for columns [j0, j1). */
GS_I_HOT static void sum_rows(const float *restrict a, int cols, int64_t i0, int64_t i1,
                              int j0, int j1, double *restrict acc)
{
    for (int j = j0; j < j1; j++) {
        acc[j] = 0.0;
    }
    for (int64_t i = i0; i < i1; i++) {
        for (int j = j0; j < j1; j++) {
            acc[j] += a[(size_t)i * cols + j];
        }
    }
}

/* Sums in double, each column in row order, so that the result does not depend on the
 * threads, which share the columns of large segments. */
static void segment_forward(const gs_tensor_t *a, const int64_t *offsets, int n_segments,
                            bool mean, double *acc, float *out)
{
    enum { BLOCK = 64 };
    int cols = a->cols, blocks = (cols + BLOCK - 1) / BLOCK;

    for (int s = 0; s < n_segments; s++) {
        float w = segment_weight(offsets, s, mean);
        size_t size = (size_t)(offsets[s + 1] - offsets[s]) * cols;

        #pragma omp parallel for schedule(static) if (size >= GS_I_PAR_MIN && blocks > 1)
        for (int b = 0; b < blocks; b++) {
            int j1 = (b + 1) * BLOCK < cols ? (b + 1) * BLOCK : cols;

            sum_rows(a->data, cols, offsets[s], offsets[s + 1], b * BLOCK, j1, acc);
        }
        for (int j = 0; j < cols; j++) {
            out[(size_t)s * cols + j] = (float)(w * acc[j]);
        }
    }
}

static gs_tensor_t *segment_reduce(gs_tape_t *t, gs_tensor_t *a, const int64_t *offsets,
                                   int n_segments, bool mean)
{
    size_t bytes = ((size_t)n_segments + 1) * sizeof *offsets;
    gs_tensor_t *out;
    gs_i_op_t *op;
    double *acc;

    if (!a || !(out = gs_i_tape_output(t, n_segments, a->cols, a, NULL, NULL))) {
        return NULL;
    }
    assert(offsets[0] >= 0 && offsets[n_segments] <= a->rows);
    if (!(acc = gs_i_tape_alloc(t, (size_t)a->cols * sizeof *acc))) {
        return NULL;
    }

    segment_forward(a, offsets, n_segments, mean, acc, out->data);
    if (!out->requires_grad) {
        return out;
    }

    /* The caller's offsets need not outlive the step, so backward reads a copy. */
    op = gs_i_tape_record(t, segment_backward, out, a, NULL, NULL);
    if (!op || !(op->saved[0] = gs_i_tape_alloc(t, bytes))) {
        return NULL;
    }
    memcpy(op->saved[0], offsets, bytes);
    op->n = n_segments;
    op->flags = mean;
    return out;
}

gs_tensor_t *gs_op_segment_sum(gs_tape_t *t, gs_tensor_t *a, const int64_t *offsets,
                               int n_segments)
{
    return segment_reduce(t, a, offsets, n_segments, false);
}

gs_tensor_t *gs_op_segment_mean(gs_tape_t *t, gs_tensor_t *a, const int64_t *offsets,
                                int n_segments)
{
    return segment_reduce(t, a, offsets, n_segments, true);
}

/* --- row L2 normalisation -------------------------------------------------------------- */

/*
 * y = x / d with d = max(||x||, eps).  Where ||x|| > eps, dy/dx = (I - y y^T) / ||x||, so
 * dx += (g - y (y . g)) / ||x||; where the floor holds, d is constant and dx += g / eps.
 */
static void l2_normalize_backward(gs_tape_t *tape, const gs_i_op_t *op)
{
    gs_tensor_t *a = op->in[0], *y = op->out;
    const float *norms = op->saved[0];
    float eps = op->s[0];
    float *ga = gs_i_tape_grad(tape, a);

    if (!ga) {
        return;
    }
    #pragma omp parallel for if (gs_i_numel(a) >= GS_I_PAR_MIN)
    for (int i = 0; i < a->rows; i++) {
        size_t off = (size_t)i * a->cols;
        const float *yi = y->data + off, *gi = y->grad + off;
        double yg = 0.0;

        if (norms[i] <= eps) {
            for (int j = 0; j < a->cols; j++) {
                ga[off + j] += gi[j] / eps;
            }
            continue;
        }
        for (int j = 0; j < a->cols; j++) {
            yg += (double)yi[j] * gi[j];
        }
        for (int j = 0; j < a->cols; j++) {
            ga[off + j] += (gi[j] - yi[j] * (float)yg) / norms[i];
        }
    }
}

gs_tensor_t *gs_op_l2_normalize_rows(gs_tape_t *t, gs_tensor_t *a, float eps)
{
    gs_tensor_t *out;
    gs_i_op_t *op;
    float *norms;

    if (!a || !(out = gs_i_tape_output(t, a->rows, a->cols, a, NULL, NULL))) {
        return NULL;
    }
    if (!(norms = gs_i_tape_alloc(t, (size_t)a->rows * sizeof *norms))) {
        return NULL;
    }

    #pragma omp parallel for if (gs_i_numel(a) >= GS_I_PAR_MIN)
    for (int i = 0; i < a->rows; i++) {
        size_t off = (size_t)i * a->cols;
        double sq = 0.0;
        float d;

        for (int j = 0; j < a->cols; j++) {
            sq += (double)a->data[off + j] * a->data[off + j];
        }
        norms[i] = (float)sqrt(sq);
        d = norms[i] > eps ? norms[i] : eps;
        for (int j = 0; j < a->cols; j++) {
            out->data[off + j] = a->data[off + j] / d;
        }
    }
    if (!out->requires_grad) {
        return out;
    }

    if (!(op = gs_i_tape_record(t, l2_normalize_backward, out, a, NULL, NULL))) {
        return NULL;
    }
    op->saved[0] = norms;
    op->s[0] = eps;
    return out;
}

/* --- log-softmax ----------------------------------------------------------------------- */

/* y_ij = x_ij - log sum_k e^x_ik: dx_ij += g_ij - softmax_ij sum_k g_ik, softmax = e^y. */
static void log_softmax_backward(gs_tape_t *tape, const gs_i_op_t *op)
{
    gs_tensor_t *y = op->out;
    float *ga = gs_i_tape_grad(tape, op->in[0]);

    if (!ga) {
        return;
    }
    #pragma omp parallel for if (gs_i_numel(y) >= GS_I_PAR_MIN)
    for (int i = 0; i < y->rows; i++) {
        size_t off = (size_t)i * y->cols;
        double gsum = 0.0;

        for (int j = 0; j < y->cols; j++) {
            gsum += y->grad[off + j];
        }
        for (int j = 0; j < y->cols; j++) {
            ga[off + j] += y->grad[off + j] - expf(y->data[off + j]) * (float)gsum;
        }
    }
}

gs_tensor_t *gs_op_log_softmax(gs_tape_t *t, gs_tensor_t *a)
{
    gs_tensor_t *out;

    if (!a || !(out = gs_i_tape_output(t, a->rows, a->cols, a, NULL, NULL))) {
        return NULL;
    }

    #pragma omp parallel for if (gs_i_numel(a) >= GS_I_PAR_MIN)
    for (int i = 0; i < a->rows; i++) {
        const float *x = a->data + (size_t)i * a->cols;
        float *y = out->data + (size_t)i * a->cols;
        float lse = gs_i_log_sum_exp(x, a->cols);

        for (int j = 0; j < a->cols; j++) {
            y[j] = x[j] - lse;
        }
    }
    return gs_i_tape_finish(t, log_softmax_backward, out, a, NULL, NULL);
}

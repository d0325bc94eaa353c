/*
 * Losses reduced to a 1 x 1 tensor: cross-entropy with integer targets, binary
 * cross-entropy on logits with a positive-class weight, and the KL term of a Gaussian VAE
 * (Kingma and Welling, 2014, appendix B).
 *
 * Each loss is summed per row in double, in parallel, and the row sums are combined in row
 * order, so the value does not depend on the number of threads.  Cross-entropy and BCE
 * compute their local gradient while the exponentials are at hand and save it; backward
 * then only scales it by the incoming gradient.
 */
#include <assert.h>
#include <math.h>

#include "tape_internal.h"

static double sum_rows(const double *row_sums, int rows)
{
    double total = 0.0;

    for (int i = 0; i < rows; i++) {
        total += row_sums[i];
    }
    return total;
}

/* The forward pass saved local = d loss / dx, so dx += g local. */
static void saved_gradient_backward(gs_tape_t *tape, const gs_i_op_t *op)
{
    const float *local = op->saved[0];
    float *ga = gs_i_tape_grad(tape, op->in[0]);
    float g = op->out->grad[0];
    size_t n = gs_i_numel(op->in[0]);

    if (!ga) {
        return;
    }
    #pragma omp parallel for if (n >= GS_I_PAR_MIN)
    for (size_t i = 0; i < n; i++) {
        ga[i] += g * local[i];
    }
}

/* Allocates the per-row sums and, when out needs a gradient, the local gradient buffer
 * (n floats) and its op record.  Returns false when out of memory. */
static bool loss_buffers(gs_tape_t *t, gs_tensor_t *out, gs_tensor_t *x, double **row_sums,
                         float **local)
{
    gs_i_op_t *op;

    *local = NULL;
    if (!(*row_sums = gs_i_tape_alloc(t, (size_t)x->rows * sizeof **row_sums))) {
        return false;
    }
    if (!out->requires_grad) {
        return true;
    }
    op = gs_i_tape_record(t, saved_gradient_backward, out, x, NULL, NULL);
    if (!op || !(*local = gs_i_tape_alloc(t, gs_i_numel(x) * sizeof **local))) {
        return false;
    }
    op->saved[0] = *local;
    return true;
}

/* --- cross-entropy --------------------------------------------------------------------- */

/*
 * One row of cross-entropy: returns -log softmax(x)_t = lse(x) - x_t and, when local is
 * set, writes d/dx = (softmax(x) - onehot(t)) / count.  A skipped row (t < 0) adds nothing.
 */
static double cross_entropy_row(const float *x, int cols, int32_t target, float inv_count,
                                float *local)
{
    float lse;

    if (target < 0) {
        for (int j = 0; local && j < cols; j++) {
            local[j] = 0.0f;
        }
        return 0.0;
    }
    assert(target < cols);

    lse = gs_i_log_sum_exp(x, cols);
    for (int j = 0; local && j < cols; j++) {
        float p = expf(x[j] - lse);

        local[j] = inv_count * (j == target ? p - 1.0f : p);
    }
    return (double)lse - x[target];
}

gs_tensor_t *gs_op_cross_entropy(gs_tape_t *t, gs_tensor_t *logits, const int32_t *targets)
{
    gs_tensor_t *out;
    double *row_sums;
    float *local;
    int count = 0;
    int cols;

    if (!logits || !(out = gs_i_tape_output(t, 1, 1, logits, NULL, NULL))) {
        return NULL;
    }
    if (!loss_buffers(t, out, logits, &row_sums, &local)) {
        return NULL;
    }
    for (int i = 0; i < logits->rows; i++) {
        count += targets[i] >= 0;
    }

    /* With no counted row the mean is taken as 0 (and so is the gradient). */
    cols = logits->cols;
    #pragma omp parallel for if (gs_i_numel(logits) >= GS_I_PAR_MIN)
    for (int i = 0; i < logits->rows; i++) {
        size_t off = (size_t)i * cols;

        row_sums[i] = cross_entropy_row(logits->data + off, cols, targets[i],
                                        count > 0 ? 1.0f / (float)count : 0.0f,
                                        local ? local + off : NULL);
    }
    out->data[0] = count > 0 ? (float)(sum_rows(row_sums, logits->rows) / count) : 0.0f;
    return out;
}

/* --- binary cross-entropy on logits ---------------------------------------------------- */

/*
 * One entry: l = w y softplus(-x) + (1 - y) softplus(x), with softplus(-x) = softplus(x) - x.
 * Since d softplus(x)/dx = s = sigmoid(x), dl/dx = -w y (1 - s) + (1 - y) s.  Both come from
 * e = exp(-|x|), so nothing overflows.
 */
static double bce_entry(float x, float y, float pos_weight, float inv_n, float *local)
{
    float e = expf(-fabsf(x));
    float sp = fmaxf(x, 0.0f) + log1pf(e);
    float s = x >= 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e);

    if (local) {
        *local = inv_n * ((1.0f - y) * s - pos_weight * y * (1.0f - s));
    }
    return (double)pos_weight * y * (sp - x) + (double)(1.0f - y) * sp;
}

gs_tensor_t *gs_op_bce_with_logits(gs_tape_t *t, gs_tensor_t *logits, const float *targets,
                                   float pos_weight)
{
    size_t n;
    gs_tensor_t *out;
    double *row_sums;
    float *local;
    float inv_n;
    int cols;

    if (!logits || !(out = gs_i_tape_output(t, 1, 1, logits, NULL, NULL))) {
        return NULL;
    }
    if (!loss_buffers(t, out, logits, &row_sums, &local)) {
        return NULL;
    }
    n = gs_i_numel(logits);
    inv_n = n > 0 ? (float)(1.0 / (double)n) : 0.0f;
    cols = logits->cols;

    #pragma omp parallel for if (n >= GS_I_PAR_MIN)
    for (int i = 0; i < logits->rows; i++) {
        size_t off = (size_t)i * cols;
        double acc = 0.0;

        for (size_t k = off; k < off + (size_t)cols; k++) {
            acc += bce_entry(logits->data[k], targets[k], pos_weight, inv_n,
                             local ? local + k : NULL);
        }
        row_sums[i] = acc;
    }
    out->data[0] = n > 0 ? (float)(sum_rows(row_sums, logits->rows) / (double)n) : 0.0f;
    return out;
}

/* --- KL divergence to the standard normal ---------------------------------------------- */

/*
 * KL = -0.5 / R sum_ij (1 + 2 l_ij - mu_ij^2 - e^{2 l_ij}) with l = logstd, so
 * dmu += g mu / R and dl += g (e^{2 l} - 1) / R.
 */
static void kl_normal_backward(gs_tape_t *tape, const gs_i_op_t *op)
{
    gs_tensor_t *mu = op->in[0], *logstd = op->in[1];
    float *gmu = gs_i_tape_grad(tape, mu);
    float *gls = gs_i_tape_grad(tape, logstd);
    float s = op->out->grad[0] / (float)mu->rows;
    size_t n = gs_i_numel(mu);

    #pragma omp parallel for if (n >= GS_I_PAR_MIN)
    for (size_t i = 0; i < n; i++) {
        float e = expf(logstd->data[i]);

        if (gmu) {
            gmu[i] += s * mu->data[i];
        }
        if (gls) {
            gls[i] += s * (e * e - 1.0f);
        }
    }
}

gs_tensor_t *gs_op_kl_normal(gs_tape_t *t, gs_tensor_t *mu, gs_tensor_t *logstd)
{
    gs_tensor_t *out;
    double *row_sums;
    int cols;

    if (!mu || !logstd || !(out = gs_i_tape_output(t, 1, 1, mu, logstd, NULL))) {
        return NULL;
    }
    assert(mu->rows == logstd->rows && mu->cols == logstd->cols);
    if (!(row_sums = gs_i_tape_alloc(t, (size_t)mu->rows * sizeof *row_sums))) {
        return NULL;
    }

    cols = mu->cols;
    #pragma omp parallel for if (gs_i_numel(mu) >= GS_I_PAR_MIN)
    for (int i = 0; i < mu->rows; i++) {
        double acc = 0.0;

        for (size_t k = (size_t)i * cols; k < (size_t)(i + 1) * cols; k++) {
            float l = logstd->data[k], m = mu->data[k], e = expf(l);

            acc += 1.0 + 2.0 * l - (double)m * m - (double)e * e;
        }
        row_sums[i] = acc;
    }
    out->data[0] = mu->rows > 0 ? (float)(-0.5 * sum_rows(row_sums, mu->rows) / mu->rows)
                                : 0.0f;
    return gs_i_tape_finish(t, kl_normal_backward, out, mu, logstd, NULL);
}

/*
 * The two ops GCC needs beyond the common set.
 *
 * Batch normalisation (Ioffe and Szegedy, ICML 2015) with torch.nn.BatchNorm1d's
 * conventions: the batch's biased variance normalises, its unbiased variance feeds the
 * running estimate, and running = (1 - momentum) running + momentum batch.
 *
 *   mu_j = mean_i x_ij     s_j = 1 / sqrt(var_j + eps)     xh_ij = (x_ij - mu_j) s_j
 *   y_ij = gamma_j xh_ij + beta_j
 *
 * InfoNCE against a queue (MoCo, He et al., CVPR 2020), fused: the B x (1 + K) logits are
 * computed by one sgemm, exponentiated once and kept as probabilities for backward, instead
 * of passing through concatenation, scaling and a cross-entropy that exponentiates twice.
 *
 *   l_i0 = q_i.k_i / T,  l_ij = q_i.m_j / T,  L = mean_i [log sum_j exp(l_ij) - l_i0]
 */
#include <assert.h>
#include <cblas.h>
#include <math.h>
#include <string.h>

#include "tape_internal.h"

/* Column means and inverse standard deviations of x (R x C), both in double. */
static void column_moments(const float *x, int rows, int cols, double *mean, double *var)
{
    gs_i_column_sums(x, rows, cols, mean);
    for (int j = 0; j < cols; j++) {
        mean[j] /= rows;
        var[j] = 0.0;
    }
    for (int i = 0; i < rows; i++) {
        const float *row = x + (size_t)i * cols;

        for (int j = 0; j < cols; j++) {
            double d = row[j] - mean[j];

            var[j] += d * d;
        }
    }
    for (int j = 0; j < cols; j++) {
        var[j] /= rows;
    }
}

static void update_running(float *running_mean, float *running_var, const double *mean,
                           const double *var, int rows, int cols, float momentum)
{
    double unbias = rows > 1 ? (double)rows / (rows - 1) : 1.0;

    for (int j = 0; j < cols; j++) {
        running_mean[j] = (float)((1.0 - momentum) * running_mean[j] + momentum * mean[j]);
        running_var[j] = (float)((1.0 - momentum) * running_var[j] + momentum * var[j] * unbias);
    }
}

/*
 * dbeta_j = sum_i g_ij, dgamma_j = sum_i g_ij xh_ij.  With batch statistics mu and s depend
 * on every row, and differentiating through them gives
 *   dx_ij = gamma_j s_j (g_ij - mean_i g_ij - xh_ij mean_i (g_ij xh_ij)),
 * while with running statistics they are constants and dx_ij = gamma_j s_j g_ij.
 */
static void batch_norm_backward(gs_tape_t *tape, const gs_i_op_t *op)
{
    const gs_tensor_t *a = op->in[0], *gamma = op->in[1];
    const float *xh = op->saved[0], *inv_std = op->saved[1], *g = op->out->grad;
    float *ga = gs_i_tape_grad(tape, op->in[0]);
    float *ggamma = gs_i_tape_grad(tape, op->in[1]);
    float *gbeta = gs_i_tape_grad(tape, op->in[2]);
    int rows = a->rows, cols = a->cols;
    double *sum_g = gs_i_tape_alloc(tape, 2 * (size_t)cols * sizeof *sum_g);
    double *sum_gx = sum_g ? sum_g + cols : NULL;

    if (!sum_g) {
        return;
    }
    memset(sum_g, 0, 2 * (size_t)cols * sizeof *sum_g);
    for (int i = 0; i < rows; i++) {
        for (int j = 0; j < cols; j++) {
            size_t k = (size_t)i * cols + j;

            sum_g[j] += g[k];
            sum_gx[j] += (double)g[k] * xh[k];
        }
    }
    for (int j = 0; ggamma && j < cols; j++) {
        ggamma[j] += (float)sum_gx[j];
    }
    for (int j = 0; gbeta && j < cols; j++) {
        gbeta[j] += (float)sum_g[j];
    }
    if (!ga) {
        return;
    }
    for (int i = 0; i < rows; i++) {
        for (int j = 0; j < cols; j++) {
            size_t k = (size_t)i * cols + j;
            double d = g[k];

            if (op->flags) {
                d -= (sum_g[j] + xh[k] * sum_gx[j]) / rows;
            }
            ga[k] += (float)(gamma->data[j] * inv_std[j] * d);
        }
    }
}

/* Fills out, xh and inv_std from a and the statistics (mean, var) chosen by the caller. */
static void normalise(const gs_tensor_t *a, const gs_tensor_t *gamma, const gs_tensor_t *beta,
                      const double *mean, const double *var, float eps, float *xh,
                      float *inv_std, float *out)
{
    int cols = a->cols;

    for (int j = 0; j < cols; j++) {
        inv_std[j] = (float)(1.0 / sqrt(var[j] + eps));
    }
    for (int i = 0; i < a->rows; i++) {
        for (int j = 0; j < cols; j++) {
            size_t k = (size_t)i * cols + j;

            xh[k] = (float)((a->data[k] - mean[j]) * inv_std[j]);
            out[k] = gamma->data[j] * xh[k] + beta->data[j];
        }
    }
}

gs_tensor_t *gs_op_batch_norm(gs_tape_t *t, gs_tensor_t *a, gs_tensor_t *gamma,
                              gs_tensor_t *beta, float *running_mean, float *running_var,
                              bool training, float momentum, float eps)
{
    int cols;
    double *mean, *var;
    float *xh, *inv_std;
    gs_tensor_t *out;
    gs_i_op_t *op;

    if (!a || !gamma || !beta) {
        return NULL;
    }
    cols = a->cols;
    assert(gamma->rows == 1 && gamma->cols == cols && beta->rows == 1 && beta->cols == cols);
    assert(training || (running_mean && running_var));
    out = gs_i_tape_output(t, a->rows, cols, a, gamma, beta);
    mean = out ? gs_i_tape_alloc(t, 2 * (size_t)cols * sizeof *mean) : NULL;
    xh = mean ? gs_i_tape_alloc(t, gs_i_numel(a) * sizeof *xh) : NULL;
    inv_std = xh ? gs_i_tape_alloc(t, (size_t)cols * sizeof *inv_std) : NULL;
    if (!inv_std) {
        return NULL;
    }
    var = mean + cols;

    if (training && a->rows > 0) {
        column_moments(a->data, a->rows, cols, mean, var);
        if (running_mean && running_var) {
            update_running(running_mean, running_var, mean, var, a->rows, cols, momentum);
        }
    } else {
        for (int j = 0; j < cols; j++) {
            mean[j] = running_mean ? running_mean[j] : 0.0;
            var[j] = running_var ? running_var[j] : 1.0;
        }
    }
    normalise(a, gamma, beta, mean, var, eps, xh, inv_std, out->data);

    if (!out->requires_grad) {
        return out;
    }
    if (!(op = gs_i_tape_record(t, batch_norm_backward, out, a, gamma, beta))) {
        return NULL;
    }
    op->saved[0] = xh;
    op->saved[1] = inv_std;
    op->flags = training;
    return out;
}

/* --- InfoNCE against a queue ------------------------------------------------------------ */

/*
 * With p the softmax of row i and g the output gradient, dL/dl_ij = (p_ij - [j = 0]) / B, so
 *   dq_i += g / (B T) [(p_i0 - 1) k_i + sum_j p_ij m_j]      (one sgemm for the sum)
 *   dk_i += g / (B T) (p_i0 - 1) q_i
 * The queue is a constant.
 */
static void info_nce_backward(gs_tape_t *tape, const gs_i_op_t *op)
{
    const gs_tensor_t *q = op->in[0], *k = op->in[1], *queue = op->in[2];
    const float *p = op->saved[0];
    float *gq = gs_i_tape_grad(tape, op->in[0]);
    float *gk = gs_i_tape_grad(tape, op->in[1]);
    int b = q->rows, d = q->cols, n_keys = queue->rows;
    float scale = op->out->grad[0] * op->s[0] / (float)b;

    if (gq && n_keys > 0) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, b, d, n_keys, scale, p + 1,
                    n_keys + 1, queue->data, d, 1.0f, gq, d);
    }
    for (int i = 0; i < b; i++) {
        float w = scale * (p[(size_t)i * (n_keys + 1)] - 1.0f);

        for (int j = 0; j < d; j++) {
            size_t at = (size_t)i * d + j;

            if (gq) {
                gq[at] += w * k->data[at];
            }
            if (gk) {
                gk[at] += w * q->data[at];
            }
        }
    }
}

/* Turns row (the logits of one query) into its softmax; returns lse - row[0]. */
static double softmax_row(float *row, int n)
{
    float top = row[0], first = row[0];
    double sum = 0.0;

    for (int j = 1; j < n; j++) {
        top = row[j] > top ? row[j] : top;
    }
    for (int j = 0; j < n; j++) {
        row[j] = expf(row[j] - top);
        sum += row[j];
    }
    for (int j = 0; j < n; j++) {
        row[j] = (float)(row[j] / sum);
    }
    return top + log(sum) - first;
}

/* The B x (1 + K) logits: column 0 q_i.k_i / T, then q queue^T / T by sgemm. */
static void info_nce_logits(const gs_tensor_t *q, const gs_tensor_t *k,
                            const gs_tensor_t *queue, float inv_t, float *logits)
{
    int b = q->rows, d = q->cols, n_keys = queue->rows;

    if (n_keys > 0) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, b, n_keys, d, inv_t, q->data, d,
                    queue->data, d, 0.0f, logits + 1, n_keys + 1);
    }
    for (int i = 0; i < b; i++) {
        double dot = 0.0;

        for (int j = 0; j < d; j++) {
            dot += (double)q->data[(size_t)i * d + j] * k->data[(size_t)i * d + j];
        }
        logits[(size_t)i * (n_keys + 1)] = (float)(dot * inv_t);
    }
}

gs_tensor_t *gs_op_info_nce(gs_tape_t *t, gs_tensor_t *q, gs_tensor_t *k, gs_tensor_t *queue,
                            float temperature)
{
    gs_tensor_t *out;
    double *row_loss, total = 0.0;
    float *p;
    gs_i_op_t *op;
    int b, n;

    if (!q || !k || !queue) {
        return NULL;
    }
    assert(k->rows == q->rows && k->cols == q->cols && queue->cols == q->cols);
    assert(!queue->requires_grad);
    b = q->rows;
    n = queue->rows + 1;
    out = gs_i_tape_output(t, 1, 1, q, k, NULL);
    p = out ? gs_i_tape_alloc(t, (size_t)b * (size_t)n * sizeof *p) : NULL;
    row_loss = p ? gs_i_tape_alloc(t, (size_t)b * sizeof *row_loss) : NULL;
    if (!row_loss) {
        return NULL;
    }

    info_nce_logits(q, k, queue, 1.0f / temperature, p);
    #pragma omp parallel for if ((size_t)b * (size_t)n >= GS_I_PAR_MIN)
    for (int i = 0; i < b; i++) {
        row_loss[i] = softmax_row(p + (size_t)i * n, n);
    }
    for (int i = 0; i < b; i++) {
        total += row_loss[i];
    }
    out->data[0] = b > 0 ? (float)(total / b) : 0.0f;

    if (!out->requires_grad) {
        return out;
    }
    if (!(op = gs_i_tape_record(t, info_nce_backward, out, q, k, queue))) {
        return NULL;
    }
    op->saved[0] = p;
    op->s[0] = 1.0f / temperature;
    return out;
}

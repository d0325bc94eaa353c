/*
 * Batch normalisation (Ioffe and Szegedy, ICML 2015), the op GCC's GIN layers need, with
 * torch.nn.BatchNorm1d's conventions: the batch's biased variance normalises, its unbiased
 * variance feeds the running estimate, and running = (1 - momentum) running + momentum batch.
 *
 *   mu_j = mean_i x_ij     s_j = 1 / sqrt(var_j + eps)     xh_ij = (x_ij - mu_j) s_j
 *   y_ij = gamma_j xh_ij + beta_j
 */
#include <assert.h>
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

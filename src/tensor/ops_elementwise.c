/*
 * Elementwise ops: arithmetic, bias and row scaling, activations, and the two random ones
 * (dropout and the Gaussian reparameterization of VAEs).  Loops over large tensors run in
 * parallel; every entry is computed independently, so results do not depend on threads.
 */
#include <assert.h>
#include <math.h>
#include <stdlib.h>

#include "tape_internal.h"

/* An output shaped like a, after the NULL check every op starts with. */
static gs_tensor_t *output_like(gs_tape_t *t, gs_tensor_t *a, gs_tensor_t *b)
{
    if (!a) {
        return NULL;
    }
    return gs_i_tape_output(t, a->rows, a->cols, a, b, NULL);
}

/* Adds s * g into grad (when there is one). */
static void accumulate(float *grad, const float *g, float s, size_t n)
{
    if (!grad) {
        return;
    }
    #pragma omp parallel for if (n >= GS_I_PAR_MIN)
    for (size_t i = 0; i < n; i++) {
        grad[i] += s * g[i];
    }
}

/* --- a + b, a - b ---------------------------------------------------------------------- */

/* out = a + s b with s = +1 or -1: da += g, db += s g. */
static void add_backward(gs_tape_t *tape, const gs_i_op_t *op)
{
    size_t n = gs_i_numel(op->out);

    accumulate(gs_i_tape_grad(tape, op->in[0]), op->out->grad, 1.0f, n);
    accumulate(gs_i_tape_grad(tape, op->in[1]), op->out->grad, op->s[0], n);
}

static gs_tensor_t *add_signed(gs_tape_t *t, gs_tensor_t *a, gs_tensor_t *b, float sign)
{
    gs_tensor_t *out;
    gs_i_op_t *op;
    size_t n;

    if (!b || !(out = output_like(t, a, b))) {
        return NULL;
    }
    assert(a->rows == b->rows && a->cols == b->cols);
    n = gs_i_numel(out);

    #pragma omp parallel for if (n >= GS_I_PAR_MIN)
    for (size_t i = 0; i < n; i++) {
        out->data[i] = a->data[i] + sign * b->data[i];
    }
    if (!out->requires_grad) {
        return out;
    }
    if (!(op = gs_i_tape_record(t, add_backward, out, a, b, NULL))) {
        return NULL;
    }
    op->s[0] = sign;
    return out;
}

gs_tensor_t *gs_op_add(gs_tape_t *t, gs_tensor_t *a, gs_tensor_t *b)
{
    return add_signed(t, a, b, 1.0f);
}

gs_tensor_t *gs_op_sub(gs_tape_t *t, gs_tensor_t *a, gs_tensor_t *b)
{
    return add_signed(t, a, b, -1.0f);
}

/* --- a * b (elementwise) ---------------------------------------------------------------- */

/* out = a b: da += g b, db += g a. */
static void mul_backward(gs_tape_t *tape, const gs_i_op_t *op)
{
    gs_tensor_t *a = op->in[0], *b = op->in[1];
    const float *g = op->out->grad;
    float *ga = gs_i_tape_grad(tape, a);
    float *gb = gs_i_tape_grad(tape, b);
    size_t n = gs_i_numel(a);

    #pragma omp parallel for if (n >= GS_I_PAR_MIN)
    for (size_t i = 0; i < n; i++) {
        if (ga) {
            ga[i] += g[i] * b->data[i];
        }
        if (gb) {
            gb[i] += g[i] * a->data[i];
        }
    }
}

gs_tensor_t *gs_op_mul(gs_tape_t *t, gs_tensor_t *a, gs_tensor_t *b)
{
    gs_tensor_t *out;
    size_t n;

    if (!b || !(out = output_like(t, a, b))) {
        return NULL;
    }
    assert(a->rows == b->rows && a->cols == b->cols);
    n = gs_i_numel(out);

    #pragma omp parallel for if (n >= GS_I_PAR_MIN)
    for (size_t i = 0; i < n; i++) {
        out->data[i] = a->data[i] * b->data[i];
    }
    return gs_i_tape_finish(t, mul_backward, out, a, b, NULL);
}

/* --- s a ------------------------------------------------------------------------------- */

/* out = s a: da += s g. */
static void scale_backward(gs_tape_t *tape, const gs_i_op_t *op)
{
    accumulate(gs_i_tape_grad(tape, op->in[0]), op->out->grad, op->s[0],
               gs_i_numel(op->out));
}

gs_tensor_t *gs_op_scale(gs_tape_t *t, gs_tensor_t *a, float s)
{
    gs_tensor_t *out = output_like(t, a, NULL);
    gs_i_op_t *op;
    size_t n;

    if (!out) {
        return NULL;
    }
    n = gs_i_numel(out);

    #pragma omp parallel for if (n >= GS_I_PAR_MIN)
    for (size_t i = 0; i < n; i++) {
        out->data[i] = s * a->data[i];
    }
    if (!out->requires_grad) {
        return out;
    }
    if (!(op = gs_i_tape_record(t, scale_backward, out, a, NULL, NULL))) {
        return NULL;
    }
    op->s[0] = s;
    return out;
}

/* --- a + bias (per column) ------------------------------------------------------------- */

/* out_ij = a_ij + bias_j: da += g, dbias_j += sum_i g_ij. */
static void add_bias_backward(gs_tape_t *tape, const gs_i_op_t *op)
{
    gs_tensor_t *out = op->out;
    float *gbias = gs_i_tape_grad(tape, op->in[1]);
    double *acc;

    accumulate(gs_i_tape_grad(tape, op->in[0]), out->grad, 1.0f, gs_i_numel(out));
    if (!gbias || !(acc = gs_i_tape_alloc(tape, (size_t)out->cols * sizeof *acc))) {
        return;
    }
    gs_i_column_sums(out->grad, out->rows, out->cols, acc);
    for (int j = 0; j < out->cols; j++) {
        gbias[j] += (float)acc[j];
    }
}

gs_tensor_t *gs_op_add_bias(gs_tape_t *t, gs_tensor_t *a, gs_tensor_t *bias)
{
    gs_tensor_t *out;

    if (!bias || !(out = output_like(t, a, bias))) {
        return NULL;
    }
    assert(bias->rows == 1 && bias->cols == a->cols);

    #pragma omp parallel for if (gs_i_numel(a) >= GS_I_PAR_MIN)
    for (int i = 0; i < a->rows; i++) {
        size_t off = (size_t)i * a->cols;

        for (int j = 0; j < a->cols; j++) {
            out->data[off + j] = a->data[off + j] + bias->data[j];
        }
    }
    return gs_i_tape_finish(t, add_bias_backward, out, a, bias, NULL);
}

/* --- a * s (per row) ------------------------------------------------------------------- */

/* out_ij = a_ij s_i: da_ij += g_ij s_i, ds_i += sum_j g_ij a_ij. */
static void scale_rows_backward(gs_tape_t *tape, const gs_i_op_t *op)
{
    gs_tensor_t *a = op->in[0], *s = op->in[1];
    const float *g = op->out->grad;
    float *ga = gs_i_tape_grad(tape, a);
    float *gs = gs_i_tape_grad(tape, s);

    #pragma omp parallel for if (gs_i_numel(a) >= GS_I_PAR_MIN)
    for (int i = 0; i < a->rows; i++) {
        size_t off = (size_t)i * a->cols;
        double acc = 0.0;

        for (int j = 0; j < a->cols; j++) {
            if (ga) {
                ga[off + j] += g[off + j] * s->data[i];
            }
            acc += (double)g[off + j] * a->data[off + j];
        }
        if (gs) {
            gs[i] += (float)acc;
        }
    }
}

gs_tensor_t *gs_op_scale_rows(gs_tape_t *t, gs_tensor_t *a, gs_tensor_t *s)
{
    gs_tensor_t *out;

    if (!s || !(out = output_like(t, a, s))) {
        return NULL;
    }
    assert(s->rows == a->rows && s->cols == 1);

    #pragma omp parallel for if (gs_i_numel(a) >= GS_I_PAR_MIN)
    for (int i = 0; i < a->rows; i++) {
        size_t off = (size_t)i * a->cols;

        for (int j = 0; j < a->cols; j++) {
            out->data[off + j] = a->data[off + j] * s->data[i];
        }
    }
    return gs_i_tape_finish(t, scale_rows_backward, out, a, s, NULL);
}

/* --- Activations ----------------------------------------------------------------------- */

/* y = max(x, 0): dx += g where x > 0 (equivalently y > 0). */
static void relu_backward(gs_tape_t *tape, const gs_i_op_t *op)
{
    const float *y = op->out->data, *g = op->out->grad;
    float *ga = gs_i_tape_grad(tape, op->in[0]);
    size_t n = gs_i_numel(op->out);

    if (!ga) {
        return;
    }
    #pragma omp parallel for if (n >= GS_I_PAR_MIN)
    for (size_t i = 0; i < n; i++) {
        ga[i] += y[i] > 0.0f ? g[i] : 0.0f;
    }
}

gs_tensor_t *gs_op_relu(gs_tape_t *t, gs_tensor_t *a)
{
    gs_tensor_t *out = output_like(t, a, NULL);
    size_t n;

    if (!out) {
        return NULL;
    }
    n = gs_i_numel(out);

    #pragma omp parallel for if (n >= GS_I_PAR_MIN)
    for (size_t i = 0; i < n; i++) {
        out->data[i] = a->data[i] > 0.0f ? a->data[i] : 0.0f;
    }
    return gs_i_tape_finish(t, relu_backward, out, a, NULL, NULL);
}

/* The slope of column j: alpha is 1 x 1 (shared) or 1 x C (per channel). */
/* The row kernels take restrict pointers and select rather than branch, so they vectorize:
 * signs of activations are close to random and a branch would mispredict half the time. */
static void prelu_row(const float *restrict x, const float *restrict alpha, bool shared,
                      int cols, float *restrict y)
{
    if (shared) {
        float s = alpha[0];

        for (int j = 0; j < cols; j++) {
            y[j] = x[j] > 0.0f ? x[j] : s * x[j];
        }
        return;
    }
    for (int j = 0; j < cols; j++) {
        y[j] = x[j] > 0.0f ? x[j] : alpha[j] * x[j];
    }
}

static void prelu_row_backward(const float *restrict x, const float *restrict g,
                               const float *restrict alpha, bool shared, int cols,
                               float *restrict gx)
{
    if (shared) {
        float s = alpha[0];

        for (int j = 0; j < cols; j++) {
            gx[j] += x[j] > 0.0f ? g[j] : s * g[j];
        }
        return;
    }
    for (int j = 0; j < cols; j++) {
        gx[j] += x[j] > 0.0f ? g[j] : alpha[j] * g[j];
    }
}

/*
 * y = x where x > 0, alpha_c x elsewhere.
 * dx += g (x > 0 ? 1 : alpha_c);  dalpha_c += sum over entries of channel c with x <= 0 of
 * g x, which for a shared alpha sums over every channel.
 */
static void prelu_input_backward(const gs_i_op_t *op, float *ga)
{
    gs_tensor_t *a = op->in[0], *alpha = op->in[1];
    const float *g = op->out->grad;

    #pragma omp parallel for if (gs_i_numel(a) >= GS_I_PAR_MIN)
    for (int i = 0; i < a->rows; i++) {
        size_t off = (size_t)i * a->cols;

        prelu_row_backward(a->data + off, g + off, alpha->data, alpha->cols == 1, a->cols,
                           ga + off);
    }
}

/* sum_j min(x_j, 0) g_j of one row: eight float lanes in a fixed order (so the compiler can
 * vectorize without reassociating), combined in double. */
static double negative_part_dot(const float *restrict x, const float *restrict g, int n)
{
    float lane[8] = {0};
    double sum = 0.0;
    int j = 0;

    for (; j + 8 <= n; j += 8) {
        for (int k = 0; k < 8; k++) {
            lane[k] += (x[j + k] < 0.0f ? x[j + k] : 0.0f) * g[j + k];
        }
    }
    for (int k = 0; k < 8; k++) {
        sum += lane[k];
    }
    for (; j < n; j++) {
        sum += (double)(x[j] < 0.0f ? x[j] : 0.0f) * g[j];
    }
    return sum;
}

/* Accumulated row by row in double, so the order of the sum is fixed. */
static void prelu_alpha_backward(const gs_i_op_t *op, float *galpha, double *acc)
{
    gs_tensor_t *a = op->in[0], *alpha = op->in[1];
    const float *g = op->out->grad;
    bool shared = alpha->cols == 1;

    for (int j = 0; j < alpha->cols; j++) {
        acc[j] = 0.0;
    }
    for (int i = 0; i < a->rows; i++) {
        size_t off = (size_t)i * a->cols;

        if (shared) {
            acc[0] += negative_part_dot(a->data + off, g + off, a->cols);
            continue;
        }
        for (int j = 0; j < a->cols; j++) {
            acc[j] += (double)(a->data[off + j] < 0.0f ? a->data[off + j] : 0.0f) * g[off + j];
        }
    }
    for (int j = 0; j < alpha->cols; j++) {
        galpha[j] += (float)acc[j];
    }
}

static void prelu_backward(gs_tape_t *tape, const gs_i_op_t *op)
{
    float *ga = gs_i_tape_grad(tape, op->in[0]);
    float *galpha = gs_i_tape_grad(tape, op->in[1]);
    double *acc;

    if (ga) {
        prelu_input_backward(op, ga);
    }
    acc = galpha ? gs_i_tape_alloc(tape, (size_t)op->in[1]->cols * sizeof *acc) : NULL;
    if (acc) {
        prelu_alpha_backward(op, galpha, acc);
    }
}

gs_tensor_t *gs_op_prelu(gs_tape_t *t, gs_tensor_t *a, gs_tensor_t *alpha)
{
    gs_tensor_t *out;

    if (!alpha || !(out = output_like(t, a, alpha))) {
        return NULL;
    }
    assert(alpha->rows == 1 && (alpha->cols == 1 || alpha->cols == a->cols));

    #pragma omp parallel for if (gs_i_numel(a) >= GS_I_PAR_MIN)
    for (int i = 0; i < a->rows; i++) {
        size_t off = (size_t)i * a->cols;

        prelu_row(a->data + off, alpha->data, alpha->cols == 1, a->cols, out->data + off);
    }
    return gs_i_tape_finish(t, prelu_backward, out, a, alpha, NULL);
}

/* A logistic function that never overflows: exp is only taken of -|x|. */
static float stable_sigmoid(float x)
{
    float e = expf(-fabsf(x));

    return x >= 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e);
}

/* y = sigmoid(x): dx += g y (1 - y). */
static void sigmoid_backward(gs_tape_t *tape, const gs_i_op_t *op)
{
    const float *y = op->out->data, *g = op->out->grad;
    float *ga = gs_i_tape_grad(tape, op->in[0]);
    size_t n = gs_i_numel(op->out);

    if (!ga) {
        return;
    }
    #pragma omp parallel for if (n >= GS_I_PAR_MIN)
    for (size_t i = 0; i < n; i++) {
        ga[i] += g[i] * y[i] * (1.0f - y[i]);
    }
}

gs_tensor_t *gs_op_sigmoid(gs_tape_t *t, gs_tensor_t *a)
{
    gs_tensor_t *out = output_like(t, a, NULL);
    size_t n;

    if (!out) {
        return NULL;
    }
    n = gs_i_numel(out);

    #pragma omp parallel for if (n >= GS_I_PAR_MIN)
    for (size_t i = 0; i < n; i++) {
        out->data[i] = stable_sigmoid(a->data[i]);
    }
    return gs_i_tape_finish(t, sigmoid_backward, out, a, NULL, NULL);
}

/* y = tanh(x): dx += g (1 - y^2). */
static void tanh_backward(gs_tape_t *tape, const gs_i_op_t *op)
{
    const float *y = op->out->data, *g = op->out->grad;
    float *ga = gs_i_tape_grad(tape, op->in[0]);
    size_t n = gs_i_numel(op->out);

    if (!ga) {
        return;
    }
    #pragma omp parallel for if (n >= GS_I_PAR_MIN)
    for (size_t i = 0; i < n; i++) {
        ga[i] += g[i] * (1.0f - y[i] * y[i]);
    }
}

gs_tensor_t *gs_op_tanh(gs_tape_t *t, gs_tensor_t *a)
{
    gs_tensor_t *out = output_like(t, a, NULL);
    size_t n;

    if (!out) {
        return NULL;
    }
    n = gs_i_numel(out);

    #pragma omp parallel for if (n >= GS_I_PAR_MIN)
    for (size_t i = 0; i < n; i++) {
        out->data[i] = tanhf(a->data[i]);
    }
    return gs_i_tape_finish(t, tanh_backward, out, a, NULL, NULL);
}

/* y = exp(x): dx += g y. */
static void exp_backward(gs_tape_t *tape, const gs_i_op_t *op)
{
    const float *y = op->out->data, *g = op->out->grad;
    float *ga = gs_i_tape_grad(tape, op->in[0]);
    size_t n = gs_i_numel(op->out);

    if (!ga) {
        return;
    }
    #pragma omp parallel for if (n >= GS_I_PAR_MIN)
    for (size_t i = 0; i < n; i++) {
        ga[i] += g[i] * y[i];
    }
}

gs_tensor_t *gs_op_exp(gs_tape_t *t, gs_tensor_t *a)
{
    gs_tensor_t *out = output_like(t, a, NULL);
    size_t n;

    if (!out) {
        return NULL;
    }
    n = gs_i_numel(out);

    #pragma omp parallel for if (n >= GS_I_PAR_MIN)
    for (size_t i = 0; i < n; i++) {
        out->data[i] = expf(a->data[i]);
    }
    return gs_i_tape_finish(t, exp_backward, out, a, NULL, NULL);
}

/* y = log(x): dx += g / x. */
static void log_backward(gs_tape_t *tape, const gs_i_op_t *op)
{
    const float *x = op->in[0]->data, *g = op->out->grad;
    float *ga = gs_i_tape_grad(tape, op->in[0]);
    size_t n = gs_i_numel(op->out);

    if (!ga) {
        return;
    }
    #pragma omp parallel for if (n >= GS_I_PAR_MIN)
    for (size_t i = 0; i < n; i++) {
        ga[i] += g[i] / x[i];
    }
}

gs_tensor_t *gs_op_log(gs_tape_t *t, gs_tensor_t *a)
{
    gs_tensor_t *out = output_like(t, a, NULL);
    size_t n;

    if (!out) {
        return NULL;
    }
    n = gs_i_numel(out);

    #pragma omp parallel for if (n >= GS_I_PAR_MIN)
    for (size_t i = 0; i < n; i++) {
        out->data[i] = logf(a->data[i]);
    }
    return gs_i_tape_finish(t, log_backward, out, a, NULL, NULL);
}

/* y = log(1 + e^x): dx += g sigmoid(x). */
static void softplus_backward(gs_tape_t *tape, const gs_i_op_t *op)
{
    const float *x = op->in[0]->data, *g = op->out->grad;
    float *ga = gs_i_tape_grad(tape, op->in[0]);
    size_t n = gs_i_numel(op->out);

    if (!ga) {
        return;
    }
    #pragma omp parallel for if (n >= GS_I_PAR_MIN)
    for (size_t i = 0; i < n; i++) {
        ga[i] += g[i] * stable_sigmoid(x[i]);
    }
}

gs_tensor_t *gs_op_softplus(gs_tape_t *t, gs_tensor_t *a)
{
    gs_tensor_t *out = output_like(t, a, NULL);
    size_t n;

    if (!out) {
        return NULL;
    }
    n = gs_i_numel(out);

    /* log(1 + e^x) = max(x, 0) + log(1 + e^-|x|), which neither overflows nor loses the
     * small values of large negative x. */
    #pragma omp parallel for if (n >= GS_I_PAR_MIN)
    for (size_t i = 0; i < n; i++) {
        float x = a->data[i];

        out->data[i] = fmaxf(x, 0.0f) + log1pf(expf(-fabsf(x)));
    }
    return gs_i_tape_finish(t, softplus_backward, out, a, NULL, NULL);
}

/* y = min(max(x, lo), hi): dx += g where lo <= x <= hi, as torch.clamp. */
static void clamp_backward(gs_tape_t *tape, const gs_i_op_t *op)
{
    const float *x = op->in[0]->data, *g = op->out->grad;
    float *ga = gs_i_tape_grad(tape, op->in[0]);
    float lo = op->s[0], hi = op->s[1];
    size_t n = gs_i_numel(op->out);

    if (!ga) {
        return;
    }
    #pragma omp parallel for if (n >= GS_I_PAR_MIN)
    for (size_t i = 0; i < n; i++) {
        ga[i] += x[i] >= lo && x[i] <= hi ? g[i] : 0.0f;
    }
}

gs_tensor_t *gs_op_clamp(gs_tape_t *t, gs_tensor_t *a, float lo, float hi)
{
    gs_tensor_t *out = output_like(t, a, NULL);
    gs_i_op_t *op;
    size_t n;

    if (!out) {
        return NULL;
    }
    n = gs_i_numel(out);

    #pragma omp parallel for if (n >= GS_I_PAR_MIN)
    for (size_t i = 0; i < n; i++) {
        out->data[i] = fminf(fmaxf(a->data[i], lo), hi);
    }
    if (!out->requires_grad) {
        return out;
    }
    if (!(op = gs_i_tape_record(t, clamp_backward, out, a, NULL, NULL))) {
        return NULL;
    }
    op->s[0] = lo;
    op->s[1] = hi;
    return out;
}

/* --- Random ops ------------------------------------------------------------------------ */

/* y = m x / (1 - p) with the saved keep mask m: dx += g m / (1 - p). */
static void dropout_backward(gs_tape_t *tape, const gs_i_op_t *op)
{
    const unsigned char *keep = op->saved[0];
    const float *g = op->out->grad;
    float *ga = gs_i_tape_grad(tape, op->in[0]);
    float s = op->s[0];
    size_t n = gs_i_numel(op->out);

    if (!ga) {
        return;
    }
    #pragma omp parallel for if (n >= GS_I_PAR_MIN)
    for (size_t i = 0; i < n; i++) {
        ga[i] += keep[i] ? s * g[i] : 0.0f;
    }
}

gs_tensor_t *gs_op_dropout(gs_tape_t *t, gs_tensor_t *a, float p, bool training,
                           gs_rng_t *rng)
{
    gs_tensor_t *out;
    unsigned char *keep;
    gs_i_op_t *op;
    size_t n;
    float s;

    if (!a || !training || p <= 0.0f) {
        return a;
    }
    out = output_like(t, a, NULL);
    keep = out ? gs_i_tape_alloc(t, gs_i_numel(a)) : NULL;
    if (!keep) {
        return NULL;
    }

    /* Drawn sequentially so the mask depends only on the generator.  p >= 1 drops all. */
    n = gs_i_numel(a);
    s = p < 1.0f ? 1.0f / (1.0f - p) : 0.0f;
    for (size_t i = 0; i < n; i++) {
        keep[i] = gs_rng_uniform(rng) >= p;
        out->data[i] = keep[i] ? s * a->data[i] : 0.0f;
    }
    if (!out->requires_grad) {
        return out;
    }
    if (!(op = gs_i_tape_record(t, dropout_backward, out, a, NULL, NULL))) {
        return NULL;
    }
    op->saved[0] = keep;
    op->s[0] = s;
    return out;
}

/* z = mu + exp(logstd) eps with the saved noise eps:
 * dmu += g, dlogstd += g exp(logstd) eps. */
static void reparameterize_backward(gs_tape_t *tape, const gs_i_op_t *op)
{
    const float *eps = op->saved[0], *g = op->out->grad;
    const float *logstd = op->in[1]->data;
    float *gmu = gs_i_tape_grad(tape, op->in[0]);
    float *gls = gs_i_tape_grad(tape, op->in[1]);
    size_t n = gs_i_numel(op->out);

    accumulate(gmu, g, 1.0f, n);
    if (!gls) {
        return;
    }
    #pragma omp parallel for if (n >= GS_I_PAR_MIN)
    for (size_t i = 0; i < n; i++) {
        gls[i] += g[i] * expf(logstd[i]) * eps[i];
    }
}

gs_tensor_t *gs_op_reparameterize(gs_tape_t *t, gs_tensor_t *mu, gs_tensor_t *logstd,
                                  gs_rng_t *rng)
{
    gs_tensor_t *out;
    float *eps;
    gs_i_op_t *op;
    size_t n;

    if (!logstd || !(out = output_like(t, mu, logstd))) {
        return NULL;
    }
    assert(mu->rows == logstd->rows && mu->cols == logstd->cols);
    n = gs_i_numel(mu);
    if (!(eps = gs_i_tape_alloc(t, n * sizeof *eps))) {
        return NULL;
    }

    /* The noise is drawn sequentially, in row-major order, so it depends only on rng. */
    for (size_t i = 0; i < n; i++) {
        eps[i] = (float)gs_rng_normal(rng);
    }
    #pragma omp parallel for if (n >= GS_I_PAR_MIN)
    for (size_t i = 0; i < n; i++) {
        out->data[i] = mu->data[i] + expf(logstd->data[i]) * eps[i];
    }
    if (!out->requires_grad) {
        return out;
    }
    if (!(op = gs_i_tape_record(t, reparameterize_backward, out, mu, logstd, NULL))) {
        return NULL;
    }
    op->saved[0] = eps;
    return out;
}

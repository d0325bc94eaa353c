/*
 * Tests of the tensor layer: every op's backward against central finite differences, op
 * values against naive references, the random generator, the optimizers, and the tape's
 * reuse of its memory across steps.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "graphssl/tensor.h"
#include "tensor/tape_internal.h"

/* --- Helpers ----------------------------------------------------------------------------- */

typedef gs_tensor_t *(*forward_fn)(gs_tape_t *t, gs_tensor_t **in, const void *ctx);

/* A rows x cols parameter with entries uniform in [lo, hi), fixed by seed. */
static gs_tensor_t *param(int rows, int cols, uint64_t seed, float lo, float hi)
{
    gs_tensor_t *p = gs_tensor_new(rows, cols);
    gs_rng_t rng;

    ck_assert_ptr_nonnull(p);
    gs_rng_init(&rng, seed, 0);
    gs_tensor_init_uniform(p, lo, hi, &rng);
    ck_assert_int_eq(gs_tensor_require_grad(p), GS_OK);
    return p;
}

/* Moves entries closer than margin to point out to point +- margin, so a kink of the op
 * at point stays outside the finite-difference stencil. */
static void avoid(gs_tensor_t *t, float point, float margin)
{
    for (size_t i = 0; i < gs_i_numel(t); i++) {
        float d = t->data[i] - point;

        if (fabsf(d) < margin) {
            t->data[i] = point + (d >= 0.0f ? margin : -margin);
        }
    }
}

static void free_all(gs_tensor_t **in, int n)
{
    for (int i = 0; i < n; i++) {
        gs_tensor_free(in[i]);
    }
}

/* Fixed weights of mixed sign that turn any output into a scalar loss sum_k w_k out_k. */
static float weight_at(size_t k)
{
    return (float)cos(1.7 * (double)k + 0.3);
}

static double weighted_value(const gs_tensor_t *out)
{
    double acc = 0.0;

    for (size_t k = 0; k < gs_i_numel(out); k++) {
        acc += (double)weight_at(k) * out->data[k];
    }
    return acc;
}

static gs_tensor_t *weighted_loss(gs_tape_t *t, gs_tensor_t *out)
{
    gs_tensor_t *w = gs_tape_tensor(t, out->rows, out->cols);

    ck_assert_ptr_nonnull(w);
    for (size_t k = 0; k < gs_i_numel(w); k++) {
        w->data[k] = weight_at(k);
    }
    return gs_op_sum(t, gs_op_mul(t, out, w));
}

/* The analytic gradients of every input, copied out of a fresh backward pass. */
static float **analytic_gradients(forward_fn f, const void *ctx, gs_tensor_t **in, int n_in)
{
    gs_tape_t *t = gs_tape_new();
    float **grads = calloc((size_t)n_in, sizeof *grads);
    gs_tensor_t *out;

    ck_assert_ptr_nonnull(t);
    for (int p = 0; p < n_in; p++) {
        gs_tensor_zero_grad(in[p]);
    }
    out = f(t, in, ctx);
    ck_assert_ptr_nonnull(out);
    ck_assert_int_eq(gs_tape_backward(t, weighted_loss(t, out)), GS_OK);

    for (int p = 0; p < n_in; p++) {
        grads[p] = malloc(gs_i_numel(in[p]) * sizeof **grads);
        memcpy(grads[p], in[p]->grad, gs_i_numel(in[p]) * sizeof **grads);
    }
    gs_tape_free(t);
    return grads;
}

static double value_at(forward_fn f, const void *ctx, gs_tensor_t **in, gs_tape_t *t)
{
    double v;

    gs_tape_reset(t);
    v = weighted_value(f(t, in, ctx));
    gs_tape_reset(t);
    return v;
}

/*
 * Compares backward with central differences (f(x + h) - f(x - h)) / 2h for every entry of
 * every input, within an absolute plus relative tolerance.  The numeric gradient of each
 * input must not vanish, so a missing backward cannot pass unnoticed.
 */
static void check_gradients(forward_fn f, const void *ctx, gs_tensor_t **in, int n_in,
                            float h)
{
    float **grads = analytic_gradients(f, ctx, in, n_in);
    gs_tape_t *t = gs_tape_new();

    for (int p = 0; p < n_in; p++) {
        double largest = 0.0;

        for (size_t k = 0; k < gs_i_numel(in[p]); k++) {
            float x = in[p]->data[k];
            double plus, minus, numeric, analytic = grads[p][k];

            in[p]->data[k] = x + h;
            plus = value_at(f, ctx, in, t);
            in[p]->data[k] = x - h;
            minus = value_at(f, ctx, in, t);
            in[p]->data[k] = x;

            numeric = (plus - minus) / (2.0 * h);
            largest = fmax(largest, fabs(numeric));
            ck_assert_msg(fabs(analytic - numeric) <= 2e-3 + 1e-2 * fmax(fabs(analytic),
                                                                         fabs(numeric)),
                          "input %d entry %zu: backward %.6f, finite differences %.6f", p, k,
                          analytic, numeric);
        }
        ck_assert_msg(largest > 1e-3, "input %d has no gradient to check", p);
        free(grads[p]);
    }
    free(grads);
    gs_tape_free(t);
}

/* A random sparse rows x cols matrix with about density of its entries set. */
static gs_csr_t *random_csr(int rows, int cols, double density, uint64_t seed)
{
    gs_csr_t *a = gs_csr_new(rows, cols, (int64_t)rows * cols);
    gs_rng_t rng;
    int64_t e = 0;

    ck_assert_ptr_nonnull(a);
    gs_rng_init(&rng, seed, 0);
    for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols; c++) {
            if (gs_rng_uniform(&rng) < density) {
                a->indices[e] = c;
                a->values[e++] = (float)(gs_rng_uniform(&rng) * 2.0 - 1.0);
            }
        }
        a->indptr[r + 1] = e;
    }
    return a;
}

static void csr_to_dense(const gs_csr_t *a, float *dense)
{
    memset(dense, 0, (size_t)a->n_rows * a->n_cols * sizeof *dense);
    for (int r = 0; r < a->n_rows; r++) {
        for (int64_t e = a->indptr[r]; e < a->indptr[r + 1]; e++) {
            dense[(size_t)r * a->n_cols + a->indices[e]] = a->values[e];
        }
    }
}

/* --- Finite-difference gradient checks ------------------------------------------------------ */

static gs_tensor_t *fw_matmul(gs_tape_t *t, gs_tensor_t **in, const void *ctx)
{
    int flags = *(const int *)ctx;

    return gs_op_matmul(t, in[0], flags & 1, in[1], flags & 2);
}

/* _i runs the four transpose combinations; op(a) is 3 x 4 and op(b) 4 x 2. */
START_TEST(tensor_matmul_gradient_matches_finite_differences)
{
    int flags = _i;
    bool ta = flags & 1, tb = flags & 2;
    gs_tensor_t *in[2] = {param(ta ? 4 : 3, ta ? 3 : 4, 1, -1, 1),
                          param(tb ? 2 : 4, tb ? 4 : 2, 2, -1, 1)};

    check_gradients(fw_matmul, &flags, in, 2, 1e-2f);
    free_all(in, 2);
}
END_TEST

static gs_tensor_t *fw_matmul_gram(gs_tape_t *t, gs_tensor_t **in, const void *ctx)
{
    (void)ctx;
    return gs_op_matmul(t, in[0], false, in[0], true);
}

START_TEST(tensor_matmul_shared_operand_gradient_matches_finite_differences)
{
    gs_tensor_t *in[1] = {param(4, 3, 3, -1, 1)};

    check_gradients(fw_matmul_gram, NULL, in, 1, 1e-2f);
    free_all(in, 1);
}
END_TEST

static gs_tensor_t *fw_spmm(gs_tape_t *t, gs_tensor_t **in, const void *ctx)
{
    return gs_op_spmm(t, ctx, in[0]);
}

/* _i = 0 uses the scatter fallback, _i = 1 the attached transpose. */
START_TEST(tensor_spmm_gradient_matches_finite_differences)
{
    gs_csr_t *a = random_csr(5, 4, 0.5, 4);
    gs_tensor_t *in[1] = {param(4, 3, 5, -1, 1)};

    if (_i == 1) {
        ck_assert_int_eq(gs_csr_build_transpose(a), GS_OK);
    }
    check_gradients(fw_spmm, a, in, 1, 1e-2f);
    free_all(in, 1);
    gs_csr_free(a);
}
END_TEST

static gs_tensor_t *fw_add(gs_tape_t *t, gs_tensor_t **in, const void *ctx)
{
    (void)ctx;
    return gs_op_add(t, in[0], in[1]);
}

static gs_tensor_t *fw_sub(gs_tape_t *t, gs_tensor_t **in, const void *ctx)
{
    (void)ctx;
    return gs_op_sub(t, in[0], in[1]);
}

static gs_tensor_t *fw_mul(gs_tape_t *t, gs_tensor_t **in, const void *ctx)
{
    (void)ctx;
    return gs_op_mul(t, in[0], in[1]);
}

static gs_tensor_t *fw_square(gs_tape_t *t, gs_tensor_t **in, const void *ctx)
{
    (void)ctx;
    return gs_op_mul(t, in[0], in[0]);
}

START_TEST(tensor_add_sub_mul_gradient_matches_finite_differences)
{
    forward_fn fns[] = {fw_add, fw_sub, fw_mul};

    for (int k = 0; k < 3; k++) {
        gs_tensor_t *in[2] = {param(3, 4, 6, -1, 1), param(3, 4, 7, -1, 1)};

        check_gradients(fns[k], NULL, in, 2, 1e-2f);
        free_all(in, 2);
    }
}
END_TEST

START_TEST(tensor_mul_same_tensor_gradient_matches_finite_differences)
{
    gs_tensor_t *in[1] = {param(3, 4, 8, -1, 1)};

    check_gradients(fw_square, NULL, in, 1, 1e-2f);
    free_all(in, 1);
}
END_TEST

static gs_tensor_t *fw_scale(gs_tape_t *t, gs_tensor_t **in, const void *ctx)
{
    (void)ctx;
    return gs_op_scale(t, in[0], -1.5f);
}

START_TEST(tensor_scale_gradient_matches_finite_differences)
{
    gs_tensor_t *in[1] = {param(3, 4, 9, -1, 1)};

    check_gradients(fw_scale, NULL, in, 1, 1e-2f);
    free_all(in, 1);
}
END_TEST

static gs_tensor_t *fw_add_bias(gs_tape_t *t, gs_tensor_t **in, const void *ctx)
{
    (void)ctx;
    return gs_op_add_bias(t, in[0], in[1]);
}

START_TEST(tensor_add_bias_gradient_matches_finite_differences)
{
    gs_tensor_t *in[2] = {param(4, 3, 10, -1, 1), param(1, 3, 11, -1, 1)};

    check_gradients(fw_add_bias, NULL, in, 2, 1e-2f);
    free_all(in, 2);
}
END_TEST

static gs_tensor_t *fw_scale_rows(gs_tape_t *t, gs_tensor_t **in, const void *ctx)
{
    (void)ctx;
    return gs_op_scale_rows(t, in[0], in[1]);
}

START_TEST(tensor_scale_rows_gradient_matches_finite_differences)
{
    gs_tensor_t *in[2] = {param(4, 3, 12, -1, 1), param(4, 1, 13, -1, 1)};

    check_gradients(fw_scale_rows, NULL, in, 2, 1e-2f);
    free_all(in, 2);
}
END_TEST

static gs_tensor_t *fw_relu(gs_tape_t *t, gs_tensor_t **in, const void *ctx)
{
    (void)ctx;
    return gs_op_relu(t, in[0]);
}

START_TEST(tensor_relu_gradient_matches_finite_differences)
{
    gs_tensor_t *in[1] = {param(4, 3, 14, -1, 1)};

    avoid(in[0], 0.0f, 0.05f);
    check_gradients(fw_relu, NULL, in, 1, 1e-2f);
    free_all(in, 1);
}
END_TEST

static gs_tensor_t *fw_prelu(gs_tape_t *t, gs_tensor_t **in, const void *ctx)
{
    (void)ctx;
    return gs_op_prelu(t, in[0], in[1]);
}

/* _i = 0: one shared slope; _i = 1: a slope per channel.  Both check alpha's gradient. */
START_TEST(tensor_prelu_gradient_matches_finite_differences)
{
    gs_tensor_t *in[2] = {param(5, 3, 15, -1, 1), param(1, _i ? 3 : 1, 16, 0.1f, 0.4f)};

    avoid(in[0], 0.0f, 0.05f);
    check_gradients(fw_prelu, NULL, in, 2, 1e-2f);
    free_all(in, 2);
}
END_TEST

static gs_tensor_t *fw_unary(gs_tape_t *t, gs_tensor_t **in, const void *ctx)
{
    switch (*(const int *)ctx) {
    case 0: return gs_op_sigmoid(t, in[0]);
    case 1: return gs_op_tanh(t, in[0]);
    case 2: return gs_op_exp(t, in[0]);
    case 3: return gs_op_log(t, in[0]);
    case 4: return gs_op_softplus(t, in[0]);
    default: return gs_op_clamp(t, in[0], -0.5f, 0.5f);
    }
}

/* _i: sigmoid, tanh, exp, log (on positive inputs), softplus, clamp (away from bounds). */
START_TEST(tensor_activation_gradient_matches_finite_differences)
{
    int which = _i;
    gs_tensor_t *in[1] = {param(4, 3, 17, which == 3 ? 0.5f : -3.0f, 2.0f)};

    avoid(in[0], -0.5f, 0.05f);
    avoid(in[0], 0.5f, 0.05f);
    check_gradients(fw_unary, &which, in, 1, 5e-3f);
    free_all(in, 1);
}
END_TEST

static const int32_t gather_idx[] = {2, 0, 2, 3, 2};

static gs_tensor_t *fw_gather(gs_tape_t *t, gs_tensor_t **in, const void *ctx)
{
    (void)ctx;
    return gs_op_gather_rows(t, in[0], gather_idx, 5);
}

START_TEST(tensor_gather_rows_gradient_matches_finite_differences)
{
    gs_tensor_t *in[1] = {param(4, 3, 18, -1, 1)};

    check_gradients(fw_gather, NULL, in, 1, 1e-2f);
    free_all(in, 1);
}
END_TEST

static const int32_t pair_u[] = {0, 1, 1, 3};
static const int32_t pair_v[] = {1, 1, 2, 0};

static gs_tensor_t *fw_row_dot_pairs(gs_tape_t *t, gs_tensor_t **in, const void *ctx)
{
    (void)ctx;
    return gs_op_row_dot_pairs(t, in[0], in[1], pair_u, pair_v, 4);
}

static gs_tensor_t *fw_row_dot_pairs_self(gs_tape_t *t, gs_tensor_t **in, const void *ctx)
{
    (void)ctx;
    return gs_op_row_dot_pairs(t, in[0], in[0], pair_u, pair_v, 4);
}

START_TEST(tensor_row_dot_pairs_gradient_matches_finite_differences)
{
    gs_tensor_t *in[2] = {param(4, 3, 19, -1, 1), param(3, 3, 20, -1, 1)};

    check_gradients(fw_row_dot_pairs, NULL, in, 2, 1e-2f);
    check_gradients(fw_row_dot_pairs_self, NULL, in, 1, 1e-2f);
    free_all(in, 2);
}
END_TEST

static gs_tensor_t *fw_row_dot(gs_tape_t *t, gs_tensor_t **in, const void *ctx)
{
    (void)ctx;
    return gs_op_row_dot(t, in[0], in[1]);
}

START_TEST(tensor_row_dot_gradient_matches_finite_differences)
{
    gs_tensor_t *in[2] = {param(4, 3, 21, -1, 1), param(4, 3, 22, -1, 1)};

    check_gradients(fw_row_dot, NULL, in, 2, 1e-2f);
    free_all(in, 2);
}
END_TEST

static gs_tensor_t *fw_l2_normalize(gs_tape_t *t, gs_tensor_t **in, const void *ctx)
{
    (void)ctx;
    return gs_op_l2_normalize_rows(t, in[0], 0.5f);
}

/* The last row's norm stays under eps = 0.5, so the floored branch is checked too. */
START_TEST(tensor_l2_normalize_rows_gradient_matches_finite_differences)
{
    gs_tensor_t *in[1] = {param(4, 3, 23, -1, 1)};

    for (int j = 0; j < 3; j++) {
        in[0]->data[9 + j] = 0.1f * (float)(j + 1);
    }
    check_gradients(fw_l2_normalize, NULL, in, 1, 5e-3f);
    free_all(in, 1);
}
END_TEST

static const int64_t segment_offsets[] = {0, 2, 2, 7};

static gs_tensor_t *fw_reduce(gs_tape_t *t, gs_tensor_t **in, const void *ctx)
{
    switch (*(const int *)ctx) {
    case 0: return gs_op_mean_rows(t, in[0]);
    case 1: return gs_op_segment_sum(t, in[0], segment_offsets, 3);
    case 2: return gs_op_segment_mean(t, in[0], segment_offsets, 3);
    case 3: return gs_op_sum(t, in[0]);
    case 4: return gs_op_mean(t, in[0]);
    default: return gs_op_log_softmax(t, in[0]);
    }
}

/* _i: mean_rows, segment_sum and segment_mean (one empty segment), sum, mean, log_softmax. */
START_TEST(tensor_reduction_gradient_matches_finite_differences)
{
    int which = _i;
    gs_tensor_t *in[1] = {param(7, 3, 24, -2, 2)};

    check_gradients(fw_reduce, &which, in, 1, 1e-2f);
    free_all(in, 1);
}
END_TEST

static const int32_t ce_targets[] = {1, -1, 4, 0};

static gs_tensor_t *fw_cross_entropy(gs_tape_t *t, gs_tensor_t **in, const void *ctx)
{
    (void)ctx;
    return gs_op_cross_entropy(t, in[0], ce_targets);
}

START_TEST(tensor_cross_entropy_gradient_matches_finite_differences)
{
    gs_tensor_t *in[1] = {param(4, 5, 25, -2, 2)};
    float **grads = analytic_gradients(fw_cross_entropy, NULL, in, 1);

    /* The skipped row gets no gradient at all. */
    for (int j = 0; j < 5; j++) {
        ck_assert_float_eq(grads[0][5 + j], 0.0f);
    }
    free(grads[0]);
    free(grads);
    check_gradients(fw_cross_entropy, NULL, in, 1, 1e-2f);
    free_all(in, 1);
}
END_TEST

static const float bce_targets[] = {1, 0, 0, 1, 0, 0.3f, 1, 0, 0, 0, 1, 1};

static gs_tensor_t *fw_bce(gs_tape_t *t, gs_tensor_t **in, const void *ctx)
{
    (void)ctx;
    return gs_op_bce_with_logits(t, in[0], bce_targets, 3.0f);
}

START_TEST(tensor_bce_with_logits_gradient_matches_finite_differences)
{
    gs_tensor_t *in[1] = {param(3, 4, 26, -3, 3)};

    check_gradients(fw_bce, NULL, in, 1, 1e-2f);
    free_all(in, 1);
}
END_TEST

static gs_tensor_t *fw_dropout(gs_tape_t *t, gs_tensor_t **in, const void *ctx)
{
    gs_rng_t rng;

    (void)ctx;
    gs_rng_init(&rng, 27, 0);
    return gs_op_dropout(t, in[0], 0.4f, true, &rng);
}

START_TEST(tensor_dropout_gradient_matches_finite_differences)
{
    gs_tensor_t *in[1] = {param(4, 5, 28, -1, 1)};

    check_gradients(fw_dropout, NULL, in, 1, 1e-2f);
    free_all(in, 1);
}
END_TEST

static gs_tensor_t *fw_concat(gs_tape_t *t, gs_tensor_t **in, const void *ctx)
{
    if (*(const int *)ctx == 0) {
        return gs_op_concat_cols(t, in[0], in[1]);
    }
    return gs_op_concat_rows(t, in[0], in[1]);
}

/* _i = 0: columns (3 x 2 | 3 x 4); _i = 1: rows (2 x 3 over 4 x 3). */
START_TEST(tensor_concat_gradient_matches_finite_differences)
{
    int which = _i;
    gs_tensor_t *in[2] = {param(which ? 2 : 3, which ? 3 : 2, 29, -1, 1),
                          param(which ? 4 : 3, which ? 3 : 4, 30, -1, 1)};

    check_gradients(fw_concat, &which, in, 2, 1e-2f);
    free_all(in, 2);
}
END_TEST

static gs_tensor_t *fw_reparameterize(gs_tape_t *t, gs_tensor_t **in, const void *ctx)
{
    gs_rng_t rng;

    (void)ctx;
    gs_rng_init(&rng, 31, 0);
    return gs_op_reparameterize(t, in[0], in[1], &rng);
}

START_TEST(tensor_reparameterize_gradient_matches_finite_differences)
{
    gs_tensor_t *in[2] = {param(3, 4, 32, -1, 1), param(3, 4, 33, -1, 0.5f)};

    check_gradients(fw_reparameterize, NULL, in, 2, 1e-2f);
    free_all(in, 2);
}
END_TEST

static gs_tensor_t *fw_kl_normal(gs_tape_t *t, gs_tensor_t **in, const void *ctx)
{
    (void)ctx;
    return gs_op_kl_normal(t, in[0], in[1]);
}

START_TEST(tensor_kl_normal_gradient_matches_finite_differences)
{
    gs_tensor_t *in[2] = {param(3, 4, 34, -1, 1), param(3, 4, 35, -1, 0.5f)};

    check_gradients(fw_kl_normal, NULL, in, 2, 1e-2f);
    free_all(in, 2);
}
END_TEST

/* --- Forward values against naive references ------------------------------------------------ */

/* Products with a dimension of 1 take the project's own thin kernels: (m, k, n) for _i / 4
 * is one of thin_shapes (the last three long enough for the sixteen-lane dot products and
 * their tails), and _i % 4 the transpose flags. */
static const int thin_shapes[6][3] = {{3, 4, 1}, {1, 4, 3}, {3, 1, 2},
                                      {37, 70, 1}, {1, 70, 37}, {37, 1, 70}};

/* op(a) op(b) twice, summed: backward writes the gradients once and then adds to them. */
static gs_tensor_t *fw_matmul_twice(gs_tape_t *t, gs_tensor_t **in, const void *ctx)
{
    return gs_op_add(t, fw_matmul(t, in, ctx), fw_matmul(t, in, ctx));
}

START_TEST(tensor_matmul_thin_gradient_matches_finite_differences)
{
    int flags = _i % 4;
    const int *s = thin_shapes[_i / 4];
    bool ta = flags & 1, tb = flags & 2;
    gs_tensor_t *in[2] = {param(ta ? s[1] : s[0], ta ? s[0] : s[1], 3, -1, 1),
                          param(tb ? s[2] : s[1], tb ? s[1] : s[2], 4, -1, 1)};

    check_gradients(fw_matmul, &flags, in, 2, 1e-2f);
    check_gradients(fw_matmul_twice, &flags, in, 2, 1e-2f);
    free_all(in, 2);
}
END_TEST

/* op(x)[i][j] of x stored (rows x cols). */
static float entry(const gs_tensor_t *x, bool trans, int i, int j)
{
    return trans ? x->data[(size_t)j * x->cols + i] : x->data[(size_t)i * x->cols + j];
}

START_TEST(tensor_matmul_matches_naive)
{
    bool ta = _i & 1, tb = _i & 2;
    gs_tensor_t *a = param(ta ? 5 : 7, ta ? 7 : 5, 40, -1, 1);
    gs_tensor_t *b = param(tb ? 6 : 5, tb ? 5 : 6, 41, -1, 1);
    gs_tape_t *t = gs_tape_new();
    gs_tensor_t *c = gs_op_matmul(t, a, ta, b, tb);

    ck_assert_int_eq(c->rows, 7);
    ck_assert_int_eq(c->cols, 6);
    for (int i = 0; i < 7; i++) {
        for (int j = 0; j < 6; j++) {
            double ref = 0.0;

            for (int k = 0; k < 5; k++) {
                ref += (double)entry(a, ta, i, k) * entry(b, tb, k, j);
            }
            ck_assert_double_eq_tol(c->data[i * 6 + j], ref, 1e-5);
        }
    }
    gs_tape_free(t);
    gs_tensor_free(a);
    gs_tensor_free(b);
}
END_TEST

START_TEST(tensor_matmul_thin_matches_naive)
{
    const int *s = thin_shapes[_i / 4];
    bool ta = _i & 1, tb = _i & 2;
    int m = s[0], k = s[1], n = s[2];
    gs_tensor_t *a = param(ta ? k : m, ta ? m : k, 43, -1, 1);
    gs_tensor_t *b = param(tb ? n : k, tb ? k : n, 44, -1, 1);
    gs_tape_t *t = gs_tape_new();
    gs_tensor_t *c = gs_op_matmul(t, a, ta, b, tb);

    ck_assert_int_eq(c->rows, m);
    ck_assert_int_eq(c->cols, n);
    for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
            double ref = 0.0;

            for (int l = 0; l < k; l++) {
                ref += (double)entry(a, ta, i, l) * entry(b, tb, l, j);
            }
            ck_assert_double_eq_tol(c->data[i * n + j], ref, 1e-5);
        }
    }
    gs_tape_free(t);
    gs_tensor_free(a);
    gs_tensor_free(b);
}
END_TEST

START_TEST(tensor_spmm_matches_naive)
{
    gs_csr_t *a = random_csr(9, 6, 0.4, 42);
    gs_tensor_t *b = param(6, 4, 43, -1, 1);
    gs_tape_t *t = gs_tape_new();
    gs_tensor_t *c = gs_op_spmm(t, a, b);
    float dense[9 * 6];

    csr_to_dense(a, dense);
    for (int i = 0; i < 9; i++) {
        for (int j = 0; j < 4; j++) {
            double ref = 0.0;

            for (int k = 0; k < 6; k++) {
                ref += (double)dense[i * 6 + k] * b->data[k * 4 + j];
            }
            ck_assert_double_eq_tol(c->data[i * 4 + j], ref, 1e-5);
        }
    }
    gs_tape_free(t);
    gs_tensor_free(b);
    gs_csr_free(a);
}
END_TEST

START_TEST(tensor_log_softmax_matches_naive)
{
    gs_tensor_t *a = param(4, 5, 44, -3, 3);
    gs_tape_t *t = gs_tape_new();
    gs_tensor_t *y;

    /* A row of large logits would overflow exp without the max subtracted. */
    for (int j = 0; j < 5; j++) {
        a->data[15 + j] = 1000.0f + (float)j;
    }
    /* Around 1000 a float's spacing is 6e-5, which bounds the agreement. */
    y = gs_op_log_softmax(t, a);
    for (int i = 0; i < 4; i++) {
        double z = 0.0, shift = a->data[i * 5 + 4 * (i == 3)];

        for (int j = 0; j < 5; j++) {
            z += exp(a->data[i * 5 + j] - shift);
        }
        for (int j = 0; j < 5; j++) {
            ck_assert_double_eq_tol(y->data[i * 5 + j], a->data[i * 5 + j] - shift - log(z),
                                    2e-4);
        }
    }
    gs_tape_free(t);
    gs_tensor_free(a);
}
END_TEST

START_TEST(tensor_cross_entropy_matches_naive)
{
    gs_tensor_t *a = param(4, 5, 45, -2, 2);
    gs_tape_t *t = gs_tape_new();
    gs_tensor_t *loss = gs_op_cross_entropy(t, a, ce_targets);
    double ref = 0.0;

    for (int i = 0; i < 4; i++) {
        double z = 0.0;

        if (ce_targets[i] < 0) {
            continue;
        }
        for (int j = 0; j < 5; j++) {
            z += exp(a->data[i * 5 + j]);
        }
        ref += log(z) - a->data[i * 5 + ce_targets[i]];
    }
    ck_assert_double_eq_tol(loss->data[0], ref / 3.0, 1e-5);
    gs_tape_free(t);
    gs_tensor_free(a);
}
END_TEST

START_TEST(tensor_bce_with_logits_matches_naive)
{
    gs_tensor_t *a = param(3, 4, 46, -3, 3);
    gs_tape_t *t = gs_tape_new();
    gs_tensor_t *loss = gs_op_bce_with_logits(t, a, bce_targets, 3.0f);
    gs_tensor_t *x = gs_tape_tensor(t, 1, 2);
    const float extreme_targets[] = {0.0f, 1.0f};
    double ref = 0.0;

    for (int k = 0; k < 12; k++) {
        double s = 1.0 / (1.0 + exp(-(double)a->data[k])), y = bce_targets[k];

        ref -= 3.0 * y * log(s) + (1.0 - y) * log(1.0 - s);
    }
    ck_assert_double_eq_tol(loss->data[0], ref / 12.0, 1e-5);

    /* Far logits give the linear asymptote, not inf: (100 + 3 * 100) / 2. */
    x->data[0] = 100.0f;
    x->data[1] = -100.0f;
    loss = gs_op_bce_with_logits(t, x, extreme_targets, 3.0f);
    ck_assert_double_eq_tol(loss->data[0], 200.0, 1e-3);
    gs_tape_free(t);
    gs_tensor_free(a);
}
END_TEST

START_TEST(tensor_kl_normal_matches_formula)
{
    gs_tensor_t *mu = param(3, 4, 47, -1, 1), *ls = param(3, 4, 48, -1, 0.5f);
    gs_tape_t *t = gs_tape_new();
    gs_tensor_t *kl = gs_op_kl_normal(t, mu, ls);
    double ref = 0.0;

    /* KL(N(mu, s^2) || N(0, 1)) = (s^2 + mu^2 - 1) / 2 - log s, per entry. */
    for (int k = 0; k < 12; k++) {
        double s = exp(ls->data[k]), m = mu->data[k];

        ref += 0.5 * (s * s + m * m - 1.0) - ls->data[k];
    }
    ck_assert_double_eq_tol(kl->data[0], ref / 3.0, 1e-5);
    gs_tape_free(t);
    gs_tensor_free(mu);
    gs_tensor_free(ls);
}
END_TEST

START_TEST(tensor_reparameterize_uses_rng_normals)
{
    gs_tensor_t *mu = param(2, 3, 49, -1, 1), *ls = param(2, 3, 50, -1, 1);
    gs_tape_t *t = gs_tape_new();
    gs_rng_t rng, ref;
    gs_tensor_t *z;

    gs_rng_init(&rng, 51, 2);
    gs_rng_init(&ref, 51, 2);
    z = gs_op_reparameterize(t, mu, ls, &rng);
    for (int k = 0; k < 6; k++) {
        double eps = gs_rng_normal(&ref);

        ck_assert_double_eq_tol(z->data[k], mu->data[k] + exp(ls->data[k]) * eps, 1e-5);
    }
    gs_tape_free(t);
    gs_tensor_free(mu);
    gs_tensor_free(ls);
}
END_TEST

START_TEST(tensor_dropout_scales_survivors_and_is_identity_in_eval)
{
    gs_tensor_t *a = gs_tensor_new(100, 100);
    gs_tape_t *t = gs_tape_new();
    gs_rng_t rng;
    gs_tensor_t *y;
    int kept = 0;

    gs_tensor_fill(a, 1.0f);
    gs_rng_init(&rng, 52, 0);
    ck_assert_ptr_eq(gs_op_dropout(t, a, 0.3f, false, &rng), a);
    ck_assert_ptr_eq(gs_op_dropout(t, a, 0.0f, true, &rng), a);

    y = gs_op_dropout(t, a, 0.3f, true, &rng);
    for (int k = 0; k < 10000; k++) {
        ck_assert(y->data[k] == 0.0f || fabsf(y->data[k] - 1.0f / 0.7f) < 1e-6f);
        kept += y->data[k] != 0.0f;
    }
    ck_assert_int_gt(kept, 6800);
    ck_assert_int_lt(kept, 7200);
    gs_tape_free(t);
    gs_tensor_free(a);
}
END_TEST

START_TEST(tensor_segment_mean_matches_naive)
{
    gs_tensor_t *a = param(7, 3, 53, -1, 1);
    gs_tape_t *t = gs_tape_new();
    gs_tensor_t *m = gs_op_segment_mean(t, a, segment_offsets, 3);

    for (int j = 0; j < 3; j++) {
        double tail = 0.0;

        for (int i = 2; i < 7; i++) {
            tail += a->data[i * 3 + j];
        }
        ck_assert_double_eq_tol(m->data[j], (a->data[j] + a->data[3 + j]) / 2.0, 1e-6);
        ck_assert_float_eq(m->data[3 + j], 0.0f);
        ck_assert_double_eq_tol(m->data[6 + j], tail / 5.0, 1e-6);
    }
    gs_tape_free(t);
    gs_tensor_free(a);
}
END_TEST

/* --- Random numbers ------------------------------------------------------------------------- */

START_TEST(tensor_rng_same_seed_and_stream_repeats)
{
    gs_rng_t a, b, c, d;
    int same_stream = 0, other_stream = 0, other_seed = 0;

    gs_rng_init(&a, 42, 3);
    gs_rng_init(&b, 42, 3);
    gs_rng_init(&c, 42, 4);
    gs_rng_init(&d, 43, 3);
    for (int i = 0; i < 100; i++) {
        uint64_t x = gs_rng_next(&a);

        same_stream += x == gs_rng_next(&b);
        other_stream += x == gs_rng_next(&c);
        other_seed += x == gs_rng_next(&d);
    }
    ck_assert_int_eq(same_stream, 100);
    ck_assert_int_eq(other_stream, 0);
    ck_assert_int_eq(other_seed, 0);
}
END_TEST

START_TEST(tensor_rng_below_is_bounded_and_uniform)
{
    gs_rng_t rng;
    int counts[7] = {0};

    gs_rng_init(&rng, 5, 0);
    for (int i = 0; i < 70000; i++) {
        uint32_t x = gs_rng_below(&rng, 7);

        ck_assert_uint_lt(x, 7);
        counts[x]++;
    }

    /* Each count is 10000 +- 93 (one standard deviation); 500 is over five of them. */
    for (int k = 0; k < 7; k++) {
        ck_assert_int_gt(counts[k], 9500);
        ck_assert_int_lt(counts[k], 10500);
    }
    for (int i = 0; i < 1000; i++) {
        ck_assert_uint_lt(gs_rng_below(&rng, 3000000000u), 3000000000u);
        ck_assert_uint_eq(gs_rng_below(&rng, 1), 0);
    }
}
END_TEST

START_TEST(tensor_rng_uniform_and_normal_have_expected_moments)
{
    gs_rng_t rng;
    double su = 0.0, sn = 0.0, sn2 = 0.0;
    const int n = 100000;

    gs_rng_init(&rng, 6, 0);
    for (int i = 0; i < n; i++) {
        double u = gs_rng_uniform(&rng), z = gs_rng_normal(&rng);

        ck_assert(u >= 0.0 && u < 1.0);
        su += u;
        sn += z;
        sn2 += z * z;
    }
    ck_assert_double_eq_tol(su / n, 0.5, 0.01);
    ck_assert_double_eq_tol(sn / n, 0.0, 0.02);
    ck_assert_double_eq_tol(sn2 / n, 1.0, 0.03);
}
END_TEST

START_TEST(tensor_rng_permutation_is_a_permutation)
{
    enum { N = 1000 };
    int32_t perm[N];
    int seen[N] = {0}, fixed = 0;
    gs_rng_t rng;

    gs_rng_init(&rng, 7, 0);
    gs_rng_permutation(&rng, perm, N);
    for (int i = 0; i < N; i++) {
        ck_assert(perm[i] >= 0 && perm[i] < N);
        seen[perm[i]]++;
        fixed += perm[i] == i;
    }
    for (int i = 0; i < N; i++) {
        ck_assert_int_eq(seen[i], 1);
    }

    /* A uniform permutation has one fixed point on average. */
    ck_assert_int_lt(fixed, 10);
}
END_TEST

START_TEST(tensor_init_glorot_respects_bound)
{
    gs_tensor_t *w = gs_tensor_new(40, 20);
    float bound = sqrtf(6.0f / 60.0f), largest = 0.0f;
    gs_rng_t rng;

    gs_rng_init(&rng, 8, 0);
    gs_tensor_init_glorot(w, &rng);
    for (int k = 0; k < 800; k++) {
        largest = fmaxf(largest, fabsf(w->data[k]));
    }
    ck_assert_float_le(largest, bound);
    ck_assert_float_gt(largest, 0.95f * bound);
    gs_tensor_free(w);
}
END_TEST

/* --- Optimizers ----------------------------------------------------------------------------- */

static gs_adam_t *adam_with(gs_tensor_t *p, float lr, float weight_decay)
{
    gs_adam_options_t opt;

    gs_adam_options_init(&opt);
    opt.lr = lr;
    opt.weight_decay = weight_decay;
    return gs_adam_new(&p, 1, &opt);
}

/* Expected values from the torch.optim.Adam update evaluated by hand in double. */
START_TEST(tensor_adam_matches_hand_computed_steps)
{
    gs_tensor_t *p = param(1, 2, 60, 0, 1);
    gs_adam_t *adam = adam_with(p, 0.1f, 0.0f);

    p->data[0] = 1.0f;
    p->data[1] = -2.0f;
    p->grad[0] = 0.5f;
    p->grad[1] = -1.0f;
    gs_adam_step(adam);
    ck_assert_double_eq_tol(p->data[0], 0.900000002, 1e-6);
    ck_assert_double_eq_tol(p->data[1], -1.900000001, 1e-6);
    ck_assert_float_eq(p->grad[0], 0.0f);

    p->grad[0] = 0.2f;
    p->grad[1] = 0.3f;
    gs_adam_step(adam);
    ck_assert_double_eq_tol(p->data[0], 0.8101424839029282, 1e-6);
    ck_assert_double_eq_tol(p->data[1], -1.8572151424292265, 1e-6);
    gs_adam_free(adam);
    gs_tensor_free(p);
}
END_TEST

START_TEST(tensor_adam_weight_decay_matches_hand_computed_steps)
{
    gs_tensor_t *p = param(1, 1, 61, 0, 1);
    gs_adam_t *adam = adam_with(p, 0.1f, 0.5f);

    p->data[0] = 2.0f;
    p->grad[0] = 1.0f;
    gs_adam_step(adam);
    ck_assert_double_eq_tol(p->data[0], 1.9000000005, 1e-6);
    gs_adam_step(adam);
    ck_assert_double_eq_tol(p->data[0], 1.807539991582582, 1e-6);
    gs_adam_free(adam);
    gs_tensor_free(p);
}
END_TEST

START_TEST(tensor_adam_minimises_quadratic)
{
    gs_tensor_t *p = param(1, 3, 62, 0, 0);
    gs_adam_t *adam = adam_with(p, 0.1f, 0.0f);
    gs_tape_t *t = gs_tape_new();
    const float target[] = {1.0f, -2.0f, 3.0f};

    for (int step = 0; step < 400; step++) {
        gs_tensor_t *c = gs_tape_tensor(t, 1, 3);
        gs_tensor_t *d;

        memcpy(c->data, target, sizeof target);
        d = gs_op_sub(t, p, c);
        ck_assert_int_eq(gs_tape_backward(t, gs_op_sum(t, gs_op_mul(t, d, d))), GS_OK);
        gs_adam_step(adam);
        gs_tape_reset(t);
    }
    for (int j = 0; j < 3; j++) {
        ck_assert_double_eq_tol(p->data[j], target[j], 1e-2);
    }
    gs_tape_free(t);
    gs_adam_free(adam);
    gs_tensor_free(p);
}
END_TEST

START_TEST(tensor_sgd_step_applies_weight_decay_and_zeroes_grads)
{
    gs_tensor_t *p = param(1, 2, 63, 0, 0);

    p->data[0] = 1.0f;
    p->data[1] = -1.0f;
    p->grad[0] = 2.0f;
    p->grad[1] = 0.0f;
    gs_sgd_step(&p, 1, 0.1f, 0.5f);
    ck_assert_double_eq_tol(p->data[0], 1.0 - 0.1 * (2.0 + 0.5), 1e-6);
    ck_assert_double_eq_tol(p->data[1], -1.0 - 0.1 * (0.0 - 0.5), 1e-6);
    ck_assert_float_eq(p->grad[0], 0.0f);
    gs_tensor_free(p);
}
END_TEST

START_TEST(tensor_grad_clip_norm_scales_to_max)
{
    gs_tensor_t *p[2] = {param(1, 1, 64, 0, 0), param(1, 1, 65, 0, 0)};

    p[0]->grad[0] = 3.0f;
    p[1]->grad[0] = 4.0f;
    ck_assert_double_eq_tol(gs_grad_clip_norm(p, 2, 10.0), 5.0, 1e-9);
    ck_assert_float_eq(p[0]->grad[0], 3.0f);
    ck_assert_double_eq_tol(gs_grad_clip_norm(p, 2, 1.0), 5.0, 1e-9);
    ck_assert_double_eq_tol(p[0]->grad[0], 0.6, 1e-6);
    ck_assert_double_eq_tol(p[1]->grad[0], 0.8, 1e-6);
    free_all(p, 2);
}
END_TEST

/* --- The tape ------------------------------------------------------------------------------- */

/* A small model step: bce(relu(dropout(x) w + b) v) on fixed inputs; returns the loss. */
static float model_step(gs_tape_t *t, gs_tensor_t *w, gs_tensor_t *b, gs_tensor_t *v,
                        int rows)
{
    gs_tensor_t *x = gs_tape_tensor(t, rows, w->rows);
    float *targets;
    gs_tensor_t *h, *loss;
    gs_rng_t rng;

    gs_rng_init(&rng, 70, 0);
    gs_tensor_init_uniform(x, -1.0f, 1.0f, &rng);
    targets = gs_i_tape_alloc(t, (size_t)rows * sizeof *targets);
    for (int i = 0; i < rows; i++) {
        targets[i] = (float)(i % 2);
    }
    h = gs_op_dropout(t, x, 0.2f, true, &rng);
    h = gs_op_relu(t, gs_op_add_bias(t, gs_op_matmul(t, h, false, w, false), b));
    loss = gs_op_bce_with_logits(t, gs_op_matmul(t, h, false, v, false), targets, 2.0f);
    ck_assert_int_eq(gs_tape_backward(t, loss), GS_OK);
    return loss->data[0];
}

START_TEST(tensor_tape_reset_reuses_memory_with_identical_results)
{
    gs_tensor_t *w = param(8, 6, 71, -1, 1), *b = param(1, 6, 72, -1, 1);
    gs_tensor_t *v = param(6, 1, 73, -1, 1);
    gs_tape_t *t = gs_tape_new();
    float first, first_grad[48];
    size_t reserved = 0;

    first = model_step(t, w, b, v, 5000);
    memcpy(first_grad, w->grad, sizeof first_grad);
    for (int step = 0; step < 30; step++) {
        gs_tape_reset(t);
        gs_tensor_zero_grad(w);
        gs_tensor_zero_grad(b);
        gs_tensor_zero_grad(v);
        ck_assert_float_eq(model_step(t, w, b, v, 5000), first);
        ck_assert_int_eq(memcmp(first_grad, w->grad, sizeof first_grad), 0);

        /* After the first reset merged the arena, a step needs no new memory. */
        if (step == 0) {
            reserved = gs_i_tape_reserved(t);
        }
        ck_assert_uint_eq(gs_i_tape_reserved(t), reserved);
    }
    gs_tape_free(t);
    gs_tensor_free(w);
    gs_tensor_free(b);
    gs_tensor_free(v);
}
END_TEST

START_TEST(tensor_tape_tensor_is_zeroed_after_reuse)
{
    gs_tape_t *t = gs_tape_new();
    gs_tensor_t *x = gs_tape_tensor(t, 10, 10);

    gs_tensor_fill(x, 5.0f);
    gs_tape_reset(t);
    x = gs_tape_tensor(t, 10, 10);
    for (int k = 0; k < 100; k++) {
        ck_assert_float_eq(x->data[k], 0.0f);
    }
    ck_assert(!x->requires_grad);
    gs_tape_free(t);
}
END_TEST

START_TEST(tensor_tape_backward_twice_accumulates_parameter_grads)
{
    gs_tensor_t *w = param(3, 2, 74, -1, 1);
    gs_tape_t *t = gs_tape_new();
    gs_tensor_t *loss = gs_op_sum(t, gs_op_tanh(t, gs_op_mul(t, w, w)));
    float once[6];

    ck_assert_int_eq(gs_tape_backward(t, loss), GS_OK);
    memcpy(once, w->grad, sizeof once);
    ck_assert_int_eq(gs_tape_backward(t, loss), GS_OK);
    for (int k = 0; k < 6; k++) {
        ck_assert_double_eq_tol(w->grad[k], 2.0 * once[k], 1e-6);
    }
    gs_tape_free(t);
    gs_tensor_free(w);
}
END_TEST

START_TEST(tensor_ops_on_constants_record_nothing)
{
    gs_tape_t *t = gs_tape_new();
    gs_tensor_t *x = gs_tape_tensor(t, 4, 4);
    gs_tensor_t *loss = gs_op_sum(t, gs_op_sigmoid(t, x));

    ck_assert(!loss->requires_grad);
    ck_assert_double_eq_tol(loss->data[0], 8.0, 1e-6);
    ck_assert_int_eq(gs_tape_backward(t, loss), GS_OK);
    ck_assert_ptr_null(x->grad);
    gs_tape_free(t);
}
END_TEST

START_TEST(tensor_ops_propagate_null_inputs)
{
    gs_tape_t *t = gs_tape_new();
    gs_tensor_t *x = gs_tape_tensor(t, 2, 2);

    ck_assert_ptr_null(gs_op_relu(t, NULL));
    ck_assert_ptr_null(gs_op_add(t, x, NULL));
    ck_assert_ptr_null(gs_op_matmul(t, NULL, false, x, false));
    ck_assert_ptr_null(gs_op_kl_normal(t, x, NULL));
    ck_assert_ptr_null(gs_op_sum(t, gs_op_exp(t, NULL)));
    ck_assert_int_eq(gs_tape_status(t), GS_OK);
    ck_assert_int_eq(gs_tape_backward(t, NULL), GS_ERR_INVALID);
    ck_assert_str_eq(gs_last_error(), "backward called without a loss");
    gs_tape_free(t);
}
END_TEST

START_TEST(tensor_tape_backward_rejects_non_scalar_loss)
{
    gs_tensor_t *w = param(2, 1, 75, -1, 1);
    gs_tape_t *t = gs_tape_new();

    ck_assert_int_eq(gs_tape_backward(t, gs_op_exp(t, w)), GS_ERR_INVALID);
    ck_assert_str_eq(gs_last_error(), "backward expects a 1 x 1 loss, found 2 x 1");
    gs_tape_free(t);
    gs_tensor_free(w);
}
END_TEST

/* One step through the project's own kernels (no BLAS, whose blocking may follow the
 * thread count), with loops large enough to run in parallel; the thin products are DGI's
 * discriminator scores. */
static float parallel_step(gs_tensor_t *w, float *grad)
{
    enum { PAIRS = 40000 };
    gs_tape_t *t = gs_tape_new();
    int32_t *u = gs_i_tape_alloc(t, PAIRS * sizeof *u);
    int32_t *v = gs_i_tape_alloc(t, PAIRS * sizeof *v);
    float *targets = gs_i_tape_alloc(t, PAIRS * sizeof *targets);
    gs_tensor_t *z, *loss;
    gs_rng_t rng;
    float value;

    gs_rng_init(&rng, 80, 0);
    for (int k = 0; k < PAIRS; k++) {
        u[k] = (int32_t)gs_rng_below(&rng, (uint32_t)w->rows);
        v[k] = (int32_t)gs_rng_below(&rng, (uint32_t)w->rows);
        targets[k] = (float)(k % 3 == 0);
    }
    gs_tensor_zero_grad(w);
    z = gs_op_l2_normalize_rows(t, w, 1e-12f);
    loss = gs_op_bce_with_logits(t, gs_op_row_dot_pairs(t, z, z, u, v, PAIRS), targets, 2.0f);
    loss = gs_op_add(t, loss, gs_op_mean(t, gs_op_softplus(t, gs_op_gather_rows(t, w, u,
                                                                                PAIRS))));
    loss = gs_op_add(t, loss, gs_op_kl_normal(t, z, gs_op_tanh(t, w)));
    loss = gs_op_add(t, loss, gs_op_mean(t, gs_op_softplus(t, gs_op_matmul(t, w, false,
                                                                         gs_op_mean_rows(t, z),
                                                                         true))));
    ck_assert_int_eq(gs_tape_backward(t, loss), GS_OK);
    value = loss->data[0];
    memcpy(grad, w->grad, gs_i_numel(w) * sizeof *grad);
    gs_tape_free(t);
    return value;
}

START_TEST(tensor_results_do_not_depend_on_thread_count)
{
    gs_tensor_t *w = param(2000, 40, 81, -1, 1);
    float *g1 = malloc(80000 * sizeof *g1), *g2 = malloc(80000 * sizeof *g2);
    float l1, l2;

    gs_threads_set(1);
    l1 = parallel_step(w, g1);
    gs_threads_set(2);
    l2 = parallel_step(w, g2);
    ck_assert_float_eq(l1, l2);
    ck_assert_int_eq(memcmp(g1, g2, 80000 * sizeof *g1), 0);
    free(g1);
    free(g2);
    gs_tensor_free(w);
}
END_TEST

/* --- The fused graph convolution ------------------------------------------------------------ */

/* How a gcn case stores X: sparse with its transpose, sparse without it (backward then
 * scatters), or dense. */
enum { GCN_SPARSE_T, GCN_SPARSE, GCN_DENSE };

/* One configuration of gs_op_gcn_prelu. */
typedef struct gcn_case {
    int x_kind;        /* GCN_* */
    int n, f, h;       /* N nodes, F features, H hidden */
    int n_branches;    /* with 2, branch 0 keeps the node order and branch 1 shuffles it */
    bool per_channel;  /* alpha 1 x H rather than 1 x 1 */
    bool has_bias;
} gcn_case_t;

/* The constant operands of a case; the parameters live in in[] = {W, alpha, bias}. */
typedef struct gcn_data {
    gcn_case_t c;
    gs_csr_t *adj;     /* N x N, rows summing to 1, transpose attached */
    gs_csr_t *xs;      /* X when sparse, else NULL */
    gs_tensor_t *xd;   /* X when dense, else NULL */
    float *x;          /* X as a dense N x F array, for the references */
    int32_t *perm;     /* n_branches * N, NULL with one branch */
} gcn_data_t;

static gs_csr_t *dense_to_csr(const float *dense, int rows, int cols)
{
    gs_csr_t *a = gs_csr_new(rows, cols, (int64_t)rows * cols);
    int64_t e = 0;

    ck_assert_ptr_nonnull(a);
    for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols; c++) {
            if (dense[(size_t)r * cols + c] != 0.0f) {
                a->indices[e] = c;
                a->values[e++] = dense[(size_t)r * cols + c];
            }
        }
        a->indptr[r + 1] = e;
    }
    return a;
}

/* A random-walk normalised adjacency: self-loops plus about density of the other entries,
 * positive weights, each row summing to 1. */
static gs_csr_t *random_adjacency(int n, double density, uint64_t seed)
{
    float *dense = calloc((size_t)n * n, sizeof *dense);
    gs_csr_t *a;
    gs_rng_t rng;

    ck_assert_ptr_nonnull(dense);
    gs_rng_init(&rng, seed, 0);
    for (int r = 0; r < n; r++) {
        float *row = dense + (size_t)r * n;
        double sum = 0.0;

        for (int c = 0; c < n; c++) {
            if (c == r || gs_rng_uniform(&rng) < density) {
                row[c] = (float)(0.5 + gs_rng_uniform(&rng));
                sum += row[c];
            }
        }
        for (int c = 0; c < n; c++) {
            row[c] = (float)(row[c] / sum);
        }
    }
    a = dense_to_csr(dense, n, n);
    free(dense);
    ck_assert_int_eq(gs_csr_build_transpose(a), GS_OK);
    return a;
}

/*
 * X has sparse features in [-1, 1] and a last feature constant at 1.  As A's rows sum to
 * 1, W's last row then adds to every pre-activation of its column exactly as a bias does,
 * which lets gcn_avoid_kink() move the columns even when the op has no bias.
 */
static void gcn_data_init(gcn_data_t *d, const gcn_case_t *c, uint64_t seed)
{
    int n = c->n, f = c->f;
    gs_rng_t rng;

    *d = (gcn_data_t){.c = *c};
    d->adj = random_adjacency(n, 0.15, seed);
    d->x = calloc((size_t)n * f, sizeof *d->x);
    ck_assert_ptr_nonnull(d->x);
    gs_rng_init(&rng, seed, 1);
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < f - 1; k++) {
            if (gs_rng_uniform(&rng) < 0.4) {
                d->x[(size_t)i * f + k] = (float)(gs_rng_uniform(&rng) * 2.0 - 1.0);
            }
        }
        d->x[(size_t)i * f + f - 1] = 1.0f;
    }

    if (c->x_kind == GCN_DENSE) {
        d->xd = gs_tensor_new(n, f);
        ck_assert_ptr_nonnull(d->xd);
        memcpy(d->xd->data, d->x, (size_t)n * f * sizeof *d->x);
    } else {
        d->xs = dense_to_csr(d->x, n, f);
        if (c->x_kind == GCN_SPARSE_T) {
            ck_assert_int_eq(gs_csr_build_transpose(d->xs), GS_OK);
        }
    }

    if (c->n_branches > 1) {
        d->perm = malloc((size_t)c->n_branches * n * sizeof *d->perm);
        ck_assert_ptr_nonnull(d->perm);
        for (int i = 0; i < n; i++) {
            d->perm[i] = i;
        }
        for (int b = 1; b < c->n_branches; b++) {
            gs_rng_permutation(&rng, d->perm + (size_t)b * n, n);
        }
    }
}

static void gcn_data_destroy(gcn_data_t *d)
{
    gs_csr_free(d->adj);
    gs_csr_free(d->xs);
    gs_tensor_free(d->xd);
    free(d->x);
    free(d->perm);
}

/*
 * in[] = {W (F x H), alpha, bias}; returns how many of them the case uses.  A shared slope
 * is positive, which lets the op recover z from its output; per-channel slopes include a
 * negative one and a zero, which make it keep z.
 */
static int gcn_params(const gcn_data_t *d, gs_tensor_t **in, uint64_t seed)
{
    in[0] = param(d->c.f, d->c.h, seed, -1, 1);
    in[1] = param(1, d->c.per_channel ? d->c.h : 1, seed + 1, 0.1f, 0.4f);
    if (d->c.per_channel) {
        in[1]->data[0] = -0.2f;
        in[1]->data[d->c.h - 1] = 0.0f;
    }
    in[2] = d->c.has_bias ? param(1, d->c.h, seed + 2, -0.3f, 0.3f) : NULL;
    return d->c.has_bias ? 3 : 2;
}

/* z ((n_branches N) x H) = A (P_b X) W + bias for every branch, in double. */
static void gcn_reference_z(const gcn_data_t *d, gs_tensor_t **in, double *z)
{
    int n = d->c.n, f = d->c.f, h = d->c.h;
    double *xw = calloc((size_t)n * h, sizeof *xw);

    ck_assert_ptr_nonnull(xw);
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < f; k++) {
            for (int j = 0; j < h; j++) {
                xw[(size_t)i * h + j] += (double)d->x[(size_t)i * f + k] *
                                         in[0]->data[(size_t)k * h + j];
            }
        }
    }
    for (int b = 0; b < d->c.n_branches; b++) {
        for (int i = 0; i < n; i++) {
            double *row = z + ((size_t)b * n + i) * h;

            for (int j = 0; j < h; j++) {
                row[j] = d->c.has_bias ? in[2]->data[j] : 0.0;
            }
            for (int64_t e = d->adj->indptr[i]; e < d->adj->indptr[i + 1]; e++) {
                int c = d->adj->indices[e];
                int src = d->perm ? d->perm[(size_t)b * n + c] : c;

                for (int j = 0; j < h; j++) {
                    row[j] += d->adj->values[e] * xw[(size_t)src * h + j];
                }
            }
        }
    }
    free(xw);
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/*
 * The kink of PReLU for the op: pre-activations are internal, so avoid() cannot reach
 * them.  Each column is shifted (through W's row of the constant feature) to put zero in
 * the widest gap among its values but the lowest and highest eighths, which stay on either
 * side of the kink.  Returns the smallest |z| reached.
 */
static double gcn_avoid_kink(const gcn_data_t *d, gs_tensor_t **in)
{
    int rows = d->c.n_branches * d->c.n, h = d->c.h;
    double *z = malloc((size_t)rows * h * sizeof *z), *col = malloc(rows * sizeof *col);
    float *shift = in[0]->data + (size_t)(d->c.f - 1) * h;
    double smallest = INFINITY;

    ck_assert_ptr_nonnull(z);
    ck_assert_ptr_nonnull(col);
    gcn_reference_z(d, in, z);
    for (int j = 0; j < h; j++) {
        int best = rows / 8;

        for (int r = 0; r < rows; r++) {
            col[r] = z[(size_t)r * h + j];
        }
        qsort(col, rows, sizeof *col, compare_doubles);
        for (int k = rows / 8; k < rows * 7 / 8; k++) {
            if (col[k + 1] - col[k] > col[best + 1] - col[best]) {
                best = k;
            }
        }
        shift[j] -= (float)(0.5 * (col[best] + col[best + 1]));
    }

    gcn_reference_z(d, in, z);
    for (size_t k = 0; k < (size_t)rows * h; k++) {
        smallest = fmin(smallest, fabs(z[k]));
    }
    free(z);
    free(col);
    return smallest;
}

static gs_tensor_t *fw_gcn_prelu(gs_tape_t *t, gs_tensor_t **in, const void *ctx)
{
    const gcn_data_t *d = ctx;

    return gs_op_gcn_prelu(t, d->adj, d->xs, d->xd, in[0], d->c.has_bias ? in[2] : NULL,
                           in[1], d->perm, d->c.n_branches);
}

/* The same function from the unfused ops: P_b (X W), then A, bias and PReLU. */
static gs_tensor_t *fw_gcn_composed(gs_tape_t *t, gs_tensor_t **in, const void *ctx)
{
    const gcn_data_t *d = ctx;
    int n = d->c.n;
    gs_tensor_t *xw, *z = NULL;

    xw = d->xs ? gs_op_spmm(t, d->xs, in[0]) : gs_op_matmul(t, d->xd, false, in[0], false);
    for (int b = 0; b < d->c.n_branches; b++) {
        gs_tensor_t *pxw = d->perm ? gs_op_gather_rows(t, xw, d->perm + (size_t)b * n, n)
                                   : xw;
        gs_tensor_t *zb = gs_op_spmm(t, d->adj, pxw);

        z = z ? gs_op_concat_rows(t, z, zb) : zb;
    }
    if (d->c.has_bias) {
        z = gs_op_add_bias(t, z, in[2]);
    }
    return gs_op_prelu(t, z, in[1]);
}

/* One forward and backward pass of f: the output followed by the gradients of in, in one
 * malloc'd buffer of *n floats. */
static float *gcn_pass(forward_fn f, const gcn_data_t *d, gs_tensor_t **in, int n_in,
                       size_t *n)
{
    gs_tape_t *t = gs_tape_new();
    gs_tensor_t *out;
    float *res;
    size_t k;

    ck_assert_ptr_nonnull(t);
    for (int p = 0; p < n_in; p++) {
        gs_tensor_zero_grad(in[p]);
    }
    out = f(t, in, d);
    ck_assert_ptr_nonnull(out);
    ck_assert_int_eq(out->rows, d->c.n_branches * d->c.n);
    ck_assert_int_eq(out->cols, d->c.h);
    ck_assert_int_eq(gs_tape_backward(t, weighted_loss(t, out)), GS_OK);

    *n = gs_i_numel(out);
    for (int p = 0; p < n_in; p++) {
        *n += gs_i_numel(in[p]);
    }
    res = malloc(*n * sizeof *res);
    ck_assert_ptr_nonnull(res);
    memcpy(res, out->data, gs_i_numel(out) * sizeof *res);
    k = gs_i_numel(out);
    for (int p = 0; p < n_in; p++) {
        memcpy(res + k, in[p]->grad, gs_i_numel(in[p]) * sizeof *res);
        k += gs_i_numel(in[p]);
    }
    gs_tape_free(t);
    return res;
}

/*
 * Gradient cases, N = 12: every storage of X, both shapes of alpha, with and without bias,
 * one branch and two.  With ops_gcn.c's panels of 64 columns, H = 5 is one narrow panel,
 * 64 exactly one, 70 a full one and a remainder, 130 and 200 several with a remainder;
 * 130 and 200 still span two panels should they grow to 128.
 */
static const gcn_case_t gcn_gradient_cases[] = {
    {GCN_SPARSE_T, 12, 10, 70, 2, false, true}, {GCN_SPARSE, 12, 10, 70, 2, true, true},
    {GCN_DENSE, 12, 10, 70, 2, true, true},     {GCN_DENSE, 12, 10, 130, 2, false, false},
    {GCN_SPARSE_T, 12, 10, 70, 1, true, false}, {GCN_SPARSE, 12, 10, 64, 2, false, false},
    {GCN_SPARSE_T, 12, 10, 5, 2, true, true},   {GCN_SPARSE, 12, 8, 200, 1, true, true},
};

enum { N_GCN_GRADIENT_CASES = sizeof gcn_gradient_cases / sizeof gcn_gradient_cases[0] };

START_TEST(tensor_gcn_prelu_gradient_matches_finite_differences)
{
    gcn_data_t d;
    gs_tensor_t *in[3];
    int n_in;

    gcn_data_init(&d, &gcn_gradient_cases[_i], 90 + (uint64_t)_i);
    n_in = gcn_params(&d, in, 100 + 3 * (uint64_t)_i);

    /* Finite differences move W by h and so a pre-activation by at most h (|A P X| <= 1),
     * bias by exactly h: a margin of 2h keeps every stencil on one side of the kink. */
    ck_assert_double_ge(gcn_avoid_kink(&d, in), 2e-2);
    check_gradients(fw_gcn_prelu, &d, in, n_in, 1e-2f);
    free_all(in, n_in);
    gcn_data_destroy(&d);
}
END_TEST

/*
 * Two branches (identity, then a shuffle), H = 70: the values against a naive loop in
 * double, then values and gradients against the unfused ops.  _i % 3 is X's storage, and
 * _i / 3 selects a per-channel alpha.
 */
START_TEST(tensor_gcn_prelu_matches_composed_ops)
{
    gcn_case_t c = {_i % 3, 15, 9, 70, 2, _i / 3 == 1, true};
    gcn_data_t d;
    gs_tensor_t *in[3];
    int n_in, rows = 2 * c.n;
    size_t n_fused, n_composed;
    float *fused, *composed;
    double *z = malloc((size_t)rows * c.h * sizeof *z);

    gcn_data_init(&d, &c, 110 + (uint64_t)_i);
    n_in = gcn_params(&d, in, 120 + 3 * (uint64_t)_i);
    ck_assert_double_ge(gcn_avoid_kink(&d, in), 1e-3);
    fused = gcn_pass(fw_gcn_prelu, &d, in, n_in, &n_fused);
    composed = gcn_pass(fw_gcn_composed, &d, in, n_in, &n_composed);
    ck_assert_uint_eq(n_fused, n_composed);

    gcn_reference_z(&d, in, z);
    for (int r = 0; r < rows; r++) {
        for (int j = 0; j < c.h; j++) {
            double v = z[(size_t)r * c.h + j];
            double slope = in[1]->data[c.per_channel ? j : 0];

            ck_assert_double_eq_tol(fused[(size_t)r * c.h + j], v > 0.0 ? v : slope * v, 1e-5);
        }
    }
    for (size_t k = 0; k < n_fused; k++) {
        ck_assert_msg(fabs(fused[k] - composed[k]) <= 1e-5 + 1e-5 * fabs(composed[k]),
                      "entry %zu: fused %.7g, composed %.7g", k, fused[k], composed[k]);
    }
    free(fused);
    free(composed);
    free(z);
    free_all(in, n_in);
    gcn_data_destroy(&d);
}
END_TEST

/*
 * H = 300 spans several panels (five of 64 columns, three of 128) and 2 N H entries pass
 * GS_I_PAR_MIN, so two threads share the panels; the output and every gradient must not
 * change by a single bit.  N = 1000 makes a panel's work long enough for the threads to
 * overlap, so that scratch memory shared by mistake shows too.  _i % 3 is X's storage, and
 * _i / 3 selects a per-channel alpha.
 */
START_TEST(tensor_gcn_prelu_does_not_depend_on_thread_count)
{
    gcn_case_t c = {_i % 3, 1000, 50, 300, 2, _i / 3 == 1, true};
    gcn_data_t d;
    gs_tensor_t *in[3];
    int n_in;
    size_t n1, n2;
    float *r1, *r2;

    ck_assert_int_ge((size_t)c.n_branches * c.n * c.h, GS_I_PAR_MIN);
    gcn_data_init(&d, &c, 130 + (uint64_t)_i);
    n_in = gcn_params(&d, in, 140);

    gs_threads_set(1);
    r1 = gcn_pass(fw_gcn_prelu, &d, in, n_in, &n1);
    gs_threads_set(2);
    r2 = gcn_pass(fw_gcn_prelu, &d, in, n_in, &n2);
    ck_assert_uint_eq(n1, n2);
    ck_assert_int_eq(memcmp(r1, r2, n1 * sizeof *r1), 0);
    free(r1);
    free(r2);
    free_all(in, n_in);
    gcn_data_destroy(&d);
}
END_TEST

/* --- Suite ---------------------------------------------------------------------------------- */

static Suite *tensor_suite(void)
{
    Suite *s = suite_create("tensor");
    TCase *grad = tcase_create("gradients");
    TCase *fwd = tcase_create("forward");
    TCase *rng = tcase_create("rng");
    TCase *optim = tcase_create("optim");
    TCase *tape = tcase_create("tape");
    TCase *gcn = tcase_create("gcn");

    tcase_add_loop_test(grad, tensor_matmul_gradient_matches_finite_differences, 0, 4);
    tcase_add_loop_test(grad, tensor_matmul_thin_gradient_matches_finite_differences, 0, 24);
    tcase_add_test(grad, tensor_matmul_shared_operand_gradient_matches_finite_differences);
    tcase_add_loop_test(grad, tensor_spmm_gradient_matches_finite_differences, 0, 2);
    tcase_add_test(grad, tensor_add_sub_mul_gradient_matches_finite_differences);
    tcase_add_test(grad, tensor_mul_same_tensor_gradient_matches_finite_differences);
    tcase_add_test(grad, tensor_scale_gradient_matches_finite_differences);
    tcase_add_test(grad, tensor_add_bias_gradient_matches_finite_differences);
    tcase_add_test(grad, tensor_scale_rows_gradient_matches_finite_differences);
    tcase_add_test(grad, tensor_relu_gradient_matches_finite_differences);
    tcase_add_loop_test(grad, tensor_prelu_gradient_matches_finite_differences, 0, 2);
    tcase_add_loop_test(grad, tensor_activation_gradient_matches_finite_differences, 0, 6);
    tcase_add_test(grad, tensor_gather_rows_gradient_matches_finite_differences);
    tcase_add_test(grad, tensor_row_dot_pairs_gradient_matches_finite_differences);
    tcase_add_test(grad, tensor_row_dot_gradient_matches_finite_differences);
    tcase_add_test(grad, tensor_l2_normalize_rows_gradient_matches_finite_differences);
    tcase_add_loop_test(grad, tensor_reduction_gradient_matches_finite_differences, 0, 6);
    tcase_add_test(grad, tensor_cross_entropy_gradient_matches_finite_differences);
    tcase_add_test(grad, tensor_bce_with_logits_gradient_matches_finite_differences);
    tcase_add_test(grad, tensor_dropout_gradient_matches_finite_differences);
    tcase_add_loop_test(grad, tensor_concat_gradient_matches_finite_differences, 0, 2);
    tcase_add_test(grad, tensor_reparameterize_gradient_matches_finite_differences);
    tcase_add_test(grad, tensor_kl_normal_gradient_matches_finite_differences);
    suite_add_tcase(s, grad);

    tcase_add_loop_test(fwd, tensor_matmul_matches_naive, 0, 4);
    tcase_add_loop_test(fwd, tensor_matmul_thin_matches_naive, 0, 24);
    tcase_add_test(fwd, tensor_spmm_matches_naive);
    tcase_add_test(fwd, tensor_log_softmax_matches_naive);
    tcase_add_test(fwd, tensor_cross_entropy_matches_naive);
    tcase_add_test(fwd, tensor_bce_with_logits_matches_naive);
    tcase_add_test(fwd, tensor_kl_normal_matches_formula);
    tcase_add_test(fwd, tensor_reparameterize_uses_rng_normals);
    tcase_add_test(fwd, tensor_dropout_scales_survivors_and_is_identity_in_eval);
    tcase_add_test(fwd, tensor_segment_mean_matches_naive);
    suite_add_tcase(s, fwd);

    tcase_add_test(rng, tensor_rng_same_seed_and_stream_repeats);
    tcase_add_test(rng, tensor_rng_below_is_bounded_and_uniform);
    tcase_add_test(rng, tensor_rng_uniform_and_normal_have_expected_moments);
    tcase_add_test(rng, tensor_rng_permutation_is_a_permutation);
    tcase_add_test(rng, tensor_init_glorot_respects_bound);
    suite_add_tcase(s, rng);

    tcase_add_test(optim, tensor_adam_matches_hand_computed_steps);
    tcase_add_test(optim, tensor_adam_weight_decay_matches_hand_computed_steps);
    tcase_add_test(optim, tensor_adam_minimises_quadratic);
    tcase_add_test(optim, tensor_sgd_step_applies_weight_decay_and_zeroes_grads);
    tcase_add_test(optim, tensor_grad_clip_norm_scales_to_max);
    suite_add_tcase(s, optim);

    tcase_add_test(tape, tensor_tape_reset_reuses_memory_with_identical_results);
    tcase_add_test(tape, tensor_tape_tensor_is_zeroed_after_reuse);
    tcase_add_test(tape, tensor_tape_backward_twice_accumulates_parameter_grads);
    tcase_add_test(tape, tensor_ops_on_constants_record_nothing);
    tcase_add_test(tape, tensor_ops_propagate_null_inputs);
    tcase_add_test(tape, tensor_tape_backward_rejects_non_scalar_loss);
    tcase_add_test(tape, tensor_results_do_not_depend_on_thread_count);
    suite_add_tcase(s, tape);

    tcase_add_loop_test(gcn, tensor_gcn_prelu_gradient_matches_finite_differences, 0,
                        N_GCN_GRADIENT_CASES);
    tcase_add_loop_test(gcn, tensor_gcn_prelu_matches_composed_ops, 0, 6);
    tcase_add_loop_test(gcn, tensor_gcn_prelu_does_not_depend_on_thread_count, 0, 6);
    suite_add_tcase(s, gcn);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(tensor_suite());
    int failed;

    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/*
 * The dense reconstruction loss of graph auto-encoders (Kipf & Welling, 2016), fused:
 *
 *   S = Z Z^T                                                          (N, N) logits
 *   L = norm / N^2 * sum_ij [ w y_ij softplus(-S_ij) + (1 - y_ij) softplus(S_ij) ]
 *
 * with y_ij = 1 exactly where the target pattern stores (i, j), as the authors'
 * weighted_cross_entropy_with_logits over adj_label.  S and Y are symmetric, so only the
 * upper triangle is computed: L sums l_ii + 2 l_ij (j > i).  S is never held whole: rows
 * are processed in blocks of about BLOCK_FLOATS logits (columns from the block's first row
 * on), each block's logits computed by one sgemm, turned in place into the local gradient
 * G_ij = dL/dS_ij, and folded into
 *
 *   dL/dZ = (G + G^T) Z = 2 G Z = 2 (U Z + U^T Z),   U = upper triangle of G, diagonal halved,
 *
 * by two more sgemms while the block is in cache.  Backward then only scales the saved
 * dL/dZ.  Exponentials and logarithms use the short polynomial forms below, written so the
 * compiler vectorizes the N^2 / 2 loop; they are accurate to about 1e-7 relative.
 */
#include <assert.h>
#include <cblas.h>
#include <math.h>
#include <string.h>

#include "tape_internal.h"

/* Logits per block: 1 MB, so that a block stays in a core's L2 cache from the product that
 * fills it to the two that read it (measured faster here than 4 or 16 MB blocks). */
#define BLOCK_FLOATS ((size_t)1 << 18)

/* Partial sums of the vectorized loop (16 floats keep enough independent work in flight to
 * hide the latency of the polynomial chains), and columns per partial sum. */
#define LANES 16
#define CHUNK 256

/* exp(-|x|) for any x, via exp(a) = 2^k e^r with a = k ln 2 + r, |r| <= ln 2 / 2, and a
 * degree-6 Taylor polynomial for e^r (error below 2e-7 on that interval).  |x| is clamped
 * at 87 so that 2^k stays a normal float; the clamp compares the bit patterns as integers
 * because a float comparison, which may trap, would keep the loop from vectorizing. */
static inline float exp_neg_abs(float x)
{
    const float magic = 12582912.0f;  /* 1.5 * 2^23: adding it rounds to an integer */
    const int32_t max_bits = 0x42ae0000;  /* 87.0f */
    float m = fabsf(x), a, kf, r, p, scale;
    int32_t bits;

    memcpy(&bits, &m, sizeof bits);
    bits = bits < max_bits ? bits : max_bits;
    memcpy(&m, &bits, sizeof m);
    a = -m;

    kf = (a * 1.44269504f + magic) - magic;
    r = (a - kf * 0.693359375f) + kf * 2.12194440e-4f;
    p = 1.0f + r * (1.0f + r * (0.5f + r * (1.6666667e-1f + r * (4.1666667e-2f +
        r * (8.3333333e-3f + r * 1.3888889e-3f)))));
    bits = ((int32_t)kf + 127) << 23;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

/* log(1 + e) for e in [0, 1], as 2 atanh(u) with u = e / (2 + e) <= 1/3: the series
 * 2 (u + u^3/3 + ... + u^13/13) leaves an error below 1e-8. */
static inline float log1p_unit(float e)
{
    float u = e / (2.0f + e), w = u * u;

    return 2.0f * u * (1.0f + w * (0.33333333f + w * (0.2f + w * (0.14285714f +
                       w * (0.11111111f + w * (0.09090909f + w * 0.07692308f))))));
}

/*
 * One non-edge: returns softplus(s) and overwrites s with scale * sigmoid(s), the gradient
 * of scale * softplus(s).  With e = e^-|s|: softplus(s) = max(s, 0) + log(1 + e), and
 * sigmoid(s) = 1 / (1 + e) for s >= 0, 1 - 1 / (1 + e) below, written with copysign and |s|
 * for the same reason as above.
 */
static inline float non_edge(float *s, float scale)
{
    float x = *s;
    float e = exp_neg_abs(x);
    float inv = 1.0f / (1.0f + e);

    *s = scale * (0.5f + copysignf(inv - 0.5f, x));
    return 0.5f * (x + fabsf(x)) + log1p_unit(e);
}

/* Columns [j0, j1) of one row, all non-edges: the sum of their losses.  LANES partial sums
 * in float over at most CHUNK columns let the compiler vectorize the inner loop; each chunk
 * is then added in double. */
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
static double non_edges(float *s, int j0, int j1, float scale)
{
    double acc = 0.0;
    int j = j0;

    while (j1 - j >= LANES) {
        int end = j1 - j >= CHUNK ? j + CHUNK : j1 - (j1 - j) % LANES;
        float lanes[LANES] = {0.0f};

        for (; j < end; j += LANES) {
            for (int l = 0; l < LANES; l++) {
                lanes[l] += non_edge(s + j + l, scale);
            }
        }
        for (int l = 0; l < LANES; l++) {
            acc += lanes[l];
        }
    }
    for (; j < j1; j++) {
        acc += non_edge(s + j, scale);
    }
    return acc;
}

/* One edge: w softplus(-s) = w (softplus(s) - s), gradient w (sigmoid(s) - 1). */
static double edge(float *s, float pos_weight, float scale)
{
    float x = *s;
    float e = exp_neg_abs(x);
    float inv = 1.0f / (1.0f + e);
    float sig = 0.5f + copysignf(inv - 0.5f, x);

    *s = scale * pos_weight * (sig - 1.0f);
    return (double)pos_weight * (0.5f * (x + fabsf(x)) + log1p_unit(e) - x);
}

/*
 * Row i of the upper triangle: s[0] is S_ii and s[1 .. n - i) the logits right of it; they
 * become their entries of U.  Returns l_ii + 2 sum_{j > i} l_ij (unscaled).  The row's
 * targets are sorted, so the non-edges between them are contiguous runs.
 */
static double upper_row(float *s, int i, int n, const gs_csr_t *y, float pos_weight,
                        float scale)
{
    int64_t k = y->indptr[i], end = y->indptr[i + 1];
    double diag, rest = 0.0;
    int j = i + 1;

    while (k < end && y->indices[k] < i) {
        k++;
    }
    if (k < end && y->indices[k] == i) {
        diag = edge(s, pos_weight, 0.5f * scale);
        k++;
    } else {
        diag = non_edges(s, 0, 1, 0.5f * scale);
    }
    for (; k < end; k++) {
        int c = y->indices[k];

        rest += non_edges(s, j - i, c - i, scale);
        rest += edge(s + (c - i), pos_weight, scale);
        j = c + 1;
    }
    rest += non_edges(s, j - i, n - i, scale);
    return diag + 2.0 * rest;
}

/*
 * Rows [r0, r0 + b) against columns [r0, N): their row losses into row_sums and, with dz,
 * their share of 2 (U Z + U^T Z) added into dz.  The buffer row of node r0 + i starts at
 * column r0, so entries left of the diagonal are zeroed, being U's lower part.
 */
static void loss_block(const gs_tensor_t *z, const gs_csr_t *y, int r0, int b, float *buf,
                       float pos_weight, float scale, double *row_sums, float *dz)
{
    int n = z->rows, d = z->cols, w = n - r0;
    const float *zb = z->data + (size_t)r0 * d;

    /* (b, W) = Z[r0 : r0 + b] Z[r0 :]^T */
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, b, w, d, 1.0f, zb, d, zb, d, 0.0f,
                buf, w);

    #pragma omp parallel for schedule(static) if ((size_t)b * w >= GS_I_PAR_MIN)
    for (int i = 0; i < b; i++) {
        float *row = buf + (size_t)i * w;

        memset(row, 0, (size_t)i * sizeof *row);
        row_sums[r0 + i] = upper_row(row + i, r0 + i, n, y, pos_weight, scale);
    }
    if (!dz) {
        return;
    }

    /* (b, D) += 2 U[r0 : r0 + b, r0 :] Z[r0 :]   and   (W, D) += 2 U[...]^T Z[r0 : r0 + b] */
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, b, d, w, 2.0f, buf, w, zb, d, 1.0f,
                dz + (size_t)r0 * d, d);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, w, d, b, 2.0f, buf, w, zb, d, 1.0f,
                dz + (size_t)r0 * d, d);
}

/* The saved dz holds d(loss)/dZ, so dZ += g dz. */
static void inner_product_bce_backward(gs_tape_t *tape, const gs_i_op_t *op)
{
    const float *dz = op->saved[0];
    float *gz = gs_i_tape_grad(tape, op->in[0]);
    float g = op->out->grad[0];
    size_t n = gs_i_numel(op->in[0]);

    if (!gz) {
        return;
    }
    #pragma omp parallel for if (n >= GS_I_PAR_MIN)
    for (size_t i = 0; i < n; i++) {
        gz[i] += g * dz[i];
    }
}

/* Every block of the upper triangle, in order: row blocks take more rows as the triangle
 * narrows, keeping at most BLOCK_FLOATS logits (or one row when a row is longer). */
static void all_blocks(const gs_tensor_t *z, const gs_csr_t *y, float pos_weight, float scale,
                       float *buf, double *row_sums, float *dz)
{
    int n = z->rows;

    for (int r0 = 0, b; r0 < n; r0 += b) {
        size_t fit = BLOCK_FLOATS / (size_t)(n - r0);

        b = fit < 1 ? 1 : fit > (size_t)(n - r0) ? n - r0 : (int)fit;
        loss_block(z, y, r0, b, buf, pos_weight, scale, row_sums, dz);
    }
}

gs_tensor_t *gs_op_inner_product_bce(gs_tape_t *t, gs_tensor_t *z, const gs_csr_t *targets,
                                     float pos_weight, float norm)
{
    gs_tensor_t *out;
    gs_i_op_t *op = NULL;
    double *row_sums, total = 0.0, n2;
    float *buf, *dz = NULL;
    size_t buf_floats;

    if (!z || !targets || !(out = gs_i_tape_output(t, 1, 1, z, NULL, NULL))) {
        return NULL;
    }
    assert(targets->n_rows == z->rows && targets->n_cols == z->rows && z->rows > 0);
    n2 = (double)z->rows * z->rows;
    buf_floats = n2 < (double)BLOCK_FLOATS ? (size_t)n2 : BLOCK_FLOATS;
    buf_floats = buf_floats > (size_t)z->rows ? buf_floats : (size_t)z->rows;

    row_sums = gs_i_tape_alloc(t, (size_t)z->rows * sizeof *row_sums);
    buf = gs_i_tape_alloc(t, buf_floats * sizeof *buf);
    if (out->requires_grad) {
        op = gs_i_tape_record(t, inner_product_bce_backward, out, z, NULL, NULL);
        dz = gs_i_tape_alloc(t, gs_i_numel(z) * sizeof *dz);
    }
    if (!row_sums || !buf || (out->requires_grad && (!op || !dz))) {
        return NULL;
    }
    if (dz) {
        memset(dz, 0, gs_i_numel(z) * sizeof *dz);
        op->saved[0] = dz;
    }

    /* The mean over N^2 pairs and the norm factor are folded into each local gradient. */
    all_blocks(z, targets, pos_weight, (float)(norm / n2), buf, row_sums, dz);
    for (int i = 0; i < z->rows; i++) {
        total += row_sums[i];
    }
    out->data[0] = (float)(norm * total / n2);
    return out;
}

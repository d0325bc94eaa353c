/*
 * Products: dense matmul through cblas_sgemm, sparse x dense through the CSR kernels, and
 * row-wise dot products (of aligned rows, and of index pairs as in link scoring).
 */
#include <assert.h>
#include <cblas.h>
#include <string.h>

#include "tape_internal.h"

#define TRANS_A 1
#define TRANS_B 2

/* Columns are handled in blocks of 16 floats (one cache line) when scattering into rows
 * shared between indices: each thread owns whole blocks, so no two threads write the same
 * line and every entry is accumulated in index order. */
#define COL_BLOCK 16

/* Sixteen floats; arithmetic on it becomes the widest vectors the target has. */
typedef float vec16_t __attribute__((vector_size(64), aligned(4), may_alias));

/* Rows [r0, r1) of c (m x n) = a b^T + beta c for vectors a (m) and b (n); beta 0 reads
 * nothing of c, which may be uninitialised. */
GS_I_HOT static void outer_rows(const float *restrict a, const float *restrict b, int n,
                                float beta, float *restrict c, int r0, int r1)
{
    for (int i = r0; i < r1; i++) {
        float *row = c + (size_t)i * n;

        if (beta == 0.0f) {
            for (int j = 0; j < n; j++) {
                row[j] = a[i] * b[j];
            }
        } else {
            for (int j = 0; j < n; j++) {
                row[j] = beta * row[j] + a[i] * b[j];
            }
        }
    }
}

/* x . y over n floats, in sixteen lanes combined in a fixed order. */
GS_I_HOT static float dot_lanes(const float *x, const float *y, int n)
{
    vec16_t acc = {0};
    float sum = 0.0f;
    int j = 0;

    for (; j + 16 <= n; j += 16) {
        acc += *(const vec16_t *)(x + j) * *(const vec16_t *)(y + j);
    }
    for (int l = 0; l < 16; l++) {
        sum += acc[l];
    }
    for (; j < n; j++) {
        sum += x[j] * y[j];
    }
    return sum;
}

/* c (rows) = mat (rows x cols) v + beta c. */
static void rows_dot(const float *mat, int rows, int cols, const float *v, float beta,
                     float *c)
{
    #pragma omp parallel for schedule(static) if ((size_t)rows * cols >= GS_I_PAR_MIN)
    for (int i = 0; i < rows; i++) {
        float d = dot_lanes(mat + (size_t)i * cols, v, cols);

        c[i] = beta == 0.0f ? d : beta * c[i] + d;
    }
}

/* Columns [j0, j1) of c (cols) = v^T mat (rows x cols) + beta c, row after row. */
GS_I_HOT static void cols_axpy(const float *restrict mat, int rows, int cols,
                               const float *restrict v, float beta, float *restrict c, int j0,
                               int j1)
{
    for (int j = j0; j < j1; j++) {
        c[j] = beta == 0.0f ? 0.0f : beta * c[j];
    }
    for (int i = 0; i < rows; i++) {
        const float *row = mat + (size_t)i * cols;

        for (int j = j0; j < j1; j++) {
            c[j] += v[i] * row[j];
        }
    }
}

/* c (cols) = v^T mat + beta c, the threads sharing out blocks of columns. */
static void rows_axpy(const float *mat, int rows, int cols, const float *v, float beta,
                      float *c)
{
    enum { BLOCK = 64 };
    int blocks = (cols + BLOCK - 1) / BLOCK;

    #pragma omp parallel for schedule(static) if ((size_t)rows * cols >= GS_I_PAR_MIN)
    for (int b = 0; b < blocks; b++) {
        int j1 = (b + 1) * BLOCK < cols ? (b + 1) * BLOCK : cols;

        cols_axpy(mat, rows, cols, v, beta, c, b * BLOCK, j1);
    }
}

/*
 * Products with a dimension of 1 (DGI's discriminator: H (W s), and the outer products of
 * their gradients), by our own kernels rather than BLAS: sgemm would first pack the whole
 * N x D operand into its own buffers, and OpenBLAS's sgemv splits its sums differently with
 * each thread count.  Here each output element is summed by one thread in a fixed order.
 * A matrix with one row or column is a contiguous vector whichever way it is stored, so
 * only the flags of the full matrix matter.
 */
static void thin_gemm(bool trans_a, const float *a, int a_rows, int a_cols, bool trans_b,
                      const float *b, int b_rows, int b_cols, float beta, float *c)
{
    int m = trans_a ? a_cols : a_rows;
    int n = trans_b ? b_rows : b_cols;

    if (n == 1) {
        /* c (m) = op(a) b */
        if (trans_a) {
            rows_axpy(a, a_rows, a_cols, b, beta, c);
        } else {
            rows_dot(a, a_rows, a_cols, b, beta, c);
        }
    } else if (m == 1) {
        /* c (n) = op(b)^T a */
        if (trans_b) {
            rows_dot(b, b_rows, b_cols, a, beta, c);
        } else {
            rows_axpy(b, b_rows, b_cols, a, beta, c);
        }
    } else {
        /* k == 1: c (m x n) = a b^T + beta c, an outer product, in one pass over c. */
        #pragma omp parallel for schedule(static) if ((size_t)m * n >= GS_I_PAR_MIN)
        for (int i = 0; i < m; i++) {
            outer_rows(a, b, n, beta, c, i, i + 1);
        }
    }
}

/* c (m x n) = op(a) op(b) + beta c, with a stored (a_rows x a_cols) and b (b_rows x b_cols),
 * all row-major.  Degenerate sizes are handled here because BLAS reports them by printing. */
static void gemm(bool trans_a, const float *a, int a_rows, int a_cols, bool trans_b,
                 const float *b, int b_rows, int b_cols, float beta, float *c)
{
    int m = trans_a ? a_cols : a_rows;
    int k = trans_a ? a_rows : a_cols;
    int n = trans_b ? b_rows : b_cols;

    if (m == 0 || n == 0) {
        return;
    }
    if (k == 0) {
        if (beta == 0.0f) {
            memset(c, 0, (size_t)m * (size_t)n * sizeof *c);
        }
        return;
    }
    if (n == 1 || m == 1 || k == 1) {
        thin_gemm(trans_a, a, a_rows, a_cols, trans_b, b, b_rows, b_cols, beta, c);
        return;
    }
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                trans_b ? CblasTrans : CblasNoTrans, m, n, k, 1.0f, a, a_cols, b, b_cols,
                beta, c, n);
}

/*
 * C = A' B' with A' = op(A) (M x K), B' = op(B) (K x N).
 * dA' = dC B'^T and dB' = A'^T dC.  Undoing the transposes:
 *   dA = dC op(B)^T        (no trans_a)    dA = op(B) dC^T    (trans_a, since dA = dA'^T)
 *   dB = op(A)^T dC        (no trans_b)    dB = dC^T op(A)    (trans_b)
 * and op(X)^T is X itself with the flag flipped, so each case is one sgemm, with beta = 0
 * when the gradient is new (this op is the first to write it) and 1 when it adds.
 */
static void matmul_backward(gs_tape_t *tape, const gs_i_op_t *op)
{
    gs_tensor_t *a = op->in[0], *b = op->in[1], *c = op->out;
    bool ta = op->flags & TRANS_A, tb = op->flags & TRANS_B;
    bool fresh_a, fresh_b;
    float *ga = gs_i_tape_grad_unset(tape, a, &fresh_a);
    float *gb = a == b ? NULL : gs_i_tape_grad_unset(tape, b, &fresh_b);
    float beta_a = fresh_a ? 0.0f : 1.0f;

    if (ga && !ta) {
        gemm(false, c->grad, c->rows, c->cols, !tb, b->data, b->rows, b->cols, beta_a, ga);
    } else if (ga) {
        gemm(tb, b->data, b->rows, b->cols, true, c->grad, c->rows, c->cols, beta_a, ga);
    }
    if (a == b) {
        /* A A^T or A^T A: the second half adds into the gradient the first half wrote. */
        gb = ga;
        fresh_b = false;
    }
    if (gb && !tb) {
        gemm(!ta, a->data, a->rows, a->cols, false, c->grad, c->rows, c->cols,
             fresh_b ? 0.0f : 1.0f, gb);
    } else if (gb) {
        gemm(true, c->grad, c->rows, c->cols, ta, a->data, a->rows, a->cols,
             fresh_b ? 0.0f : 1.0f, gb);
    }
}

gs_tensor_t *gs_op_matmul(gs_tape_t *t, gs_tensor_t *a, bool trans_a, gs_tensor_t *b,
                          bool trans_b)
{
    gs_tensor_t *out;
    gs_i_op_t *op;

    if (!a || !b) {
        return NULL;
    }
    assert((trans_a ? a->rows : a->cols) == (trans_b ? b->cols : b->rows));
    out = gs_i_tape_output(t, trans_a ? a->cols : a->rows, trans_b ? b->rows : b->cols, a, b,
                           NULL);
    if (!out) {
        return NULL;
    }

    gemm(trans_a, a->data, a->rows, a->cols, trans_b, b->data, b->rows, b->cols, 0.0f,
         out->data);
    if (!out->requires_grad) {
        return out;
    }
    op = gs_i_tape_record(t, matmul_backward, out, a, b, NULL);
    if (!op) {
        return NULL;
    }
    op->flags = (trans_a ? TRANS_A : 0) | (trans_b ? TRANS_B : 0);
    return out;
}

/* Entries of dB (4 MB of floats) up to which spmm's backward scatters. */
enum { SCATTER_MAX = 1 << 20 };

/* C = A B with A constant, so only dB = A^T dC. */
static void spmm_backward(gs_tape_t *tape, const gs_i_op_t *op)
{
    const gs_csr_t *a = op->ref;
    gs_tensor_t *c = op->out;
    float *gb = gs_i_tape_grad(tape, op->in[0]);

    if (!gb) {
        return;
    }
    /* A symmetric matrix is its own transpose and multiplies as fast as forward.  Otherwise
     * scattering rows of dC (read once) beats gathering through A^T (a row of dC read per
     * nonzero) while dB stays small enough to sit in cache. */
    if (a->transpose == a || (a->transpose && (size_t)a->n_cols * c->cols > SCATTER_MAX)) {
        gs_i_csr_spmm_add(a->transpose, c->grad, c->cols, gb);
    } else if (gs_i_csr_spmm_transposed_add(a, c->grad, c->cols, gb) != GS_OK) {
        gs_i_tape_fail(tape);
    }
}

gs_tensor_t *gs_op_spmm(gs_tape_t *t, const gs_csr_t *a, gs_tensor_t *b)
{
    gs_tensor_t *out;
    gs_i_op_t *op;

    if (!a || !b) {
        return NULL;
    }
    assert(a->n_cols == b->rows);
    out = gs_i_tape_output(t, a->n_rows, b->cols, b, NULL, NULL);
    if (!out) {
        return NULL;
    }

    gs_csr_spmm(a, b->data, b->cols, out->data);
    if (!out->requires_grad) {
        return out;
    }
    op = gs_i_tape_record(t, spmm_backward, out, b, NULL, NULL);
    if (!op) {
        return NULL;
    }
    op->ref = a;
    return out;
}

static float dot(const float *x, const float *y, int n)
{
    double acc = 0.0;

    for (int j = 0; j < n; j++) {
        acc += (double)x[j] * y[j];
    }
    return (float)acc;
}

/* out_i = a_i . b_i, so da_i += g_i b_i and db_i += g_i a_i (both when a == b). */
static void row_dot_backward(gs_tape_t *tape, const gs_i_op_t *op)
{
    gs_tensor_t *a = op->in[0], *b = op->in[1];
    const float *g = op->out->grad;
    float *ga = gs_i_tape_grad(tape, a);
    float *gb = gs_i_tape_grad(tape, b);
    int cols = a->cols;

    #pragma omp parallel for if (gs_i_numel(a) >= GS_I_PAR_MIN)
    for (int i = 0; i < a->rows; i++) {
        size_t off = (size_t)i * cols;

        for (int j = 0; ga && j < cols; j++) {
            ga[off + j] += g[i] * b->data[off + j];
        }
        for (int j = 0; gb && j < cols; j++) {
            gb[off + j] += g[i] * a->data[off + j];
        }
    }
}

gs_tensor_t *gs_op_row_dot(gs_tape_t *t, gs_tensor_t *a, gs_tensor_t *b)
{
    gs_tensor_t *out;

    if (!a || !b) {
        return NULL;
    }
    assert(a->rows == b->rows && a->cols == b->cols);
    out = gs_i_tape_output(t, a->rows, 1, a, b, NULL);
    if (!out) {
        return NULL;
    }

    #pragma omp parallel for if (gs_i_numel(a) >= GS_I_PAR_MIN)
    for (int i = 0; i < a->rows; i++) {
        size_t off = (size_t)i * a->cols;

        out->data[i] = dot(a->data + off, b->data + off, a->cols);
    }
    return gs_i_tape_finish(t, row_dot_backward, out, a, b, NULL);
}

/* One block of columns [j0, j1) of the row_dot_pairs scatter, all pairs in order. */
static void scatter_pairs(const gs_i_op_t *op, float *ga, float *gb, int j0, int j1)
{
    gs_tensor_t *a = op->in[0], *b = op->in[1];
    const int32_t *u = op->saved[0], *v = op->saved[1];
    const float *g = op->out->grad;

    for (int i = 0; i < op->n; i++) {
        float *da = ga ? ga + (size_t)u[i] * a->cols : NULL;
        float *db = gb ? gb + (size_t)v[i] * b->cols : NULL;
        const float *xa = a->data + (size_t)u[i] * a->cols;
        const float *xb = b->data + (size_t)v[i] * b->cols;

        for (int j = j0; da && j < j1; j++) {
            da[j] += g[i] * xb[j];
        }
        for (int j = j0; db && j < j1; j++) {
            db[j] += g[i] * xa[j];
        }
    }
}

/* out_i = a_{u_i} . b_{v_i}: da_{u_i} += g_i b_{v_i} and db_{v_i} += g_i a_{u_i}, summed over
 * every pair that names the row. */
static void row_dot_pairs_backward(gs_tape_t *tape, const gs_i_op_t *op)
{
    float *ga = gs_i_tape_grad(tape, op->in[0]);
    float *gb = gs_i_tape_grad(tape, op->in[1]);
    int cols = op->in[0]->cols;
    int n_blocks = (cols + COL_BLOCK - 1) / COL_BLOCK;

    #pragma omp parallel for if ((size_t)op->n * cols >= GS_I_PAR_MIN)
    for (int blk = 0; blk < n_blocks; blk++) {
        int j1 = (blk + 1) * COL_BLOCK < cols ? (blk + 1) * COL_BLOCK : cols;

        scatter_pairs(op, ga, gb, blk * COL_BLOCK, j1);
    }
}

gs_tensor_t *gs_op_row_dot_pairs(gs_tape_t *t, gs_tensor_t *a, gs_tensor_t *b,
                                 const int32_t *u, const int32_t *v, int n)
{
    gs_tensor_t *out;
    gs_i_op_t *op;

    if (!a || !b) {
        return NULL;
    }
    assert(a->cols == b->cols);
    out = gs_i_tape_output(t, n, 1, a, b, NULL);
    if (!out) {
        return NULL;
    }

    #pragma omp parallel for if ((size_t)n * a->cols >= GS_I_PAR_MIN)
    for (int i = 0; i < n; i++) {
        assert(u[i] >= 0 && u[i] < a->rows && v[i] >= 0 && v[i] < b->rows);
        out->data[i] = dot(a->data + (size_t)u[i] * a->cols,
                           b->data + (size_t)v[i] * b->cols, a->cols);
    }
    if (!out->requires_grad) {
        return out;
    }

    /* The caller's index arrays need not outlive the step, so backward reads copies. */
    op = gs_i_tape_record(t, row_dot_pairs_backward, out, a, b, NULL);
    if (!op || !(op->saved[0] = gs_i_tape_alloc(t, (size_t)n * sizeof *u)) ||
        !(op->saved[1] = gs_i_tape_alloc(t, (size_t)n * sizeof *v))) {
        return NULL;
    }
    memcpy(op->saved[0], u, (size_t)n * sizeof *u);
    memcpy(op->saved[1], v, (size_t)n * sizeof *v);
    op->n = n;
    return out;
}

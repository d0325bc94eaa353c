/*
 * The graph convolution of DGI's encoder as one op:
 *
 *   Z_b = A (P_b X) W + bias,   out_b = PReLU(Z_b)      for each branch b
 *
 * Everything is computed in panels of PANEL columns of W.  A panel of X W (N x PANEL) fits
 * in L2 cache for graphs of Cora's size; it is produced once, read by every branch, and
 * neither it nor the gradients of a panel ever leave the thread that owns the panel.  So the
 * threads share no writes, need no reductions, and the result does not depend on how many
 * there are.
 */

/* The gathers are one multiply and one add per element; fused into one instruction where
 * the CPU has FMA (the x86-64-v3 and v4 clones), they halve the arithmetic of the op. */
#pragma GCC optimize("fp-contract=fast")

#include <assert.h>
#include <cblas.h>
#include <omp.h>
#include <stdbool.h>
#include <string.h>

#include "tape_internal.h"

#define PANEL 64

/* Sixteen floats: GCC and clang lower arithmetic on it to the widest vectors the target
 * has, and keep a panel's accumulators (PANEL / 16 of them) in registers. */
typedef float vec16_t __attribute__((vector_size(64), aligned(4), may_alias));
typedef int32_t mask16_t __attribute__((vector_size(64), aligned(4), may_alias));
enum { VECS = PANEL / 16 };

/* Rows of dz summed in float before they are added into the double totals of d bias and
 * d slope: short enough to lose nothing that matters, long enough to keep the loop in
 * float vectors. */
enum { GRAD_BLOCK = 32 };

/* What backward reads back: the constant operands and the pre-activations.  While every
 * slope is positive, out has the sign of z and z = out / slope where z < 0, so z need not
 * be stored: backward reads out in its place and divides the slopes' gradient sums. */
typedef struct gcn_args {
    const gs_csr_t *adj;
    const gs_csr_t *xs;
    const gs_tensor_t *xd;
    int32_t *perm;          /* n_branches * N, or NULL */
    int n_branches;
    float *z;               /* n_branches * N x H pre-activations, or NULL */
} gcn_args_t;

/* acc (PANEL floats) += the sum over the entries e of row r of a of value_e * b[map(col_e)],
 * b holding PANEL floats per row; map NULL is the identity. */
static inline void gather_vecs(const gs_csr_t *a, int r, const int32_t *map, const float *b,
                               vec16_t acc[VECS])
{
    for (int64_t e = a->indptr[r]; e < a->indptr[r + 1]; e++) {
        int32_t c = map ? map[a->indices[e]] : a->indices[e];
        const vec16_t *row = (const vec16_t *)(b + (size_t)c * PANEL);
        float w = a->values[e];

        for (int v = 0; v < VECS; v++) {
            acc[v] += w * row[v];
        }
    }
}

/* out = the gather of row r, or out += it when add is set. */
GS_I_HOT static void gather_row(const gs_csr_t *a, int r, const int32_t *map, const float *b,
                                bool add, float *restrict out)
{
    vec16_t acc[VECS] = {0};

    if (add) {
        memcpy(acc, out, sizeof acc);
    }
    gather_vecs(a, r, map, b, acc);
    memcpy(out, acc, sizeof acc);
}

/* Where the mask m is set, a; elsewhere b.  (A macro: a function returning a vector would
 * change the ABI between the clones.) */
#define SELECT16(m, a, b) ((vec16_t)(((m) & (mask16_t)(a)) | (~(m) & (mask16_t)(b))))

/* One output row of a panel, straight from the accumulators: z = the gather + bias (unless
 * z is NULL) and out = PReLU(z), width columns of each. */
GS_I_HOT static void gather_row_prelu(const gs_csr_t *a, int r, const int32_t *map,
                                      const float *b, const float *bias, const float *slope,
                                      int width, float *restrict z, float *restrict out)
{
    vec16_t acc[VECS] = {0}, zv[VECS], ov[VECS];
    const vec16_t *bias_v = (const vec16_t *)bias, *slope_v = (const vec16_t *)slope;

    gather_vecs(a, r, map, b, acc);
    for (int v = 0; v < VECS; v++) {
        zv[v] = acc[v] + bias_v[v];
        ov[v] = SELECT16(zv[v] > 0.0f, zv[v], slope_v[v] * zv[v]);
    }
    if (width == PANEL) {
        memcpy(out, ov, sizeof ov);
    } else {
        memcpy(out, ov, (size_t)width * sizeof *out);
    }
    if (z) {
        memcpy(z, zv, (size_t)width * sizeof *z);
    }
}

static int panel_width(int cols, int p)
{
    int rest = cols - p * PANEL;

    return rest < PANEL ? rest : PANEL;
}

/* xw (N x PANEL) = X W[:, panel], zero past the panel's width. */
static void project_panel(const gcn_args_t *g, const gs_tensor_t *w, int p, float *xw,
                          float *wpack)
{
    int j0 = p * PANEL, width = panel_width(w->cols, p);
    int n = g->adj->n_cols;

    if (g->xd) {
        if (width < PANEL) {
            memset(xw, 0, (size_t)n * PANEL * sizeof *xw);
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, width, g->xd->cols, 1.0f,
                    g->xd->data, g->xd->cols, w->data + j0, w->cols, 0.0f, xw, PANEL);
        return;
    }

    /* A contiguous copy: rows of W one panel wide, strided by H, would map onto a few cache
     * sets and evict each other. */
    for (int f = 0; f < w->rows; f++) {
        float *dst = wpack + (size_t)f * PANEL;

        memcpy(dst, w->data + (size_t)f * w->cols + j0, (size_t)width * sizeof *dst);
        memset(dst + width, 0, (size_t)(PANEL - width) * sizeof *dst);
    }
    for (int i = 0; i < n; i++) {
        gather_row(g->xs, i, NULL, wpack, false, xw + (size_t)i * PANEL);
    }
}

/* The panel's slice of v (1 x 1: one value for all columns; NULL: zeros), padded with
 * zeros to PANEL. */
static void panel_slice(const gs_tensor_t *v, int p, int width, float *out)
{
    for (int j = 0; j < PANEL; j++) {
        out[j] = !v || j >= width ? 0.0f : v->data[v->cols == 1 ? 0 : p * PANEL + j];
    }
}

static void forward_panel(const gcn_args_t *g, const gs_tensor_t *w, const gs_tensor_t *bias,
                          const gs_tensor_t *alpha, gs_tensor_t *out, int p, float *scratch)
{
    int n = g->adj->n_rows, cols = out->cols;
    int j0 = p * PANEL, width = panel_width(cols, p);
    float *xw = scratch, *wpack = scratch + (size_t)g->adj->n_cols * PANEL;
    float bias_p[PANEL], slope_p[PANEL];

    panel_slice(bias, p, width, bias_p);
    panel_slice(alpha, p, width, slope_p);
    project_panel(g, w, p, xw, wpack);
    for (int b = 0; b < g->n_branches; b++) {
        const int32_t *perm = g->perm ? g->perm + (size_t)b * g->adj->n_cols : NULL;

        for (int i = 0; i < n; i++) {
            size_t off = ((size_t)b * n + i) * cols + j0;

            gather_row_prelu(g->adj, i, perm, xw, bias_p, slope_p, width,
                             g->z ? g->z + off : NULL, out->data + off);
        }
    }
}

/* For rows rows of a branch's panel: dz = dout PReLU'(z), and the float sums over the rows
 * of dz (d bias) and of z dout where z < 0 (d slope).  z and dout have rows of stride
 * cols, dz rows of PANEL. */
GS_I_HOT static void prelu_rows_grad(const float *z, const float *dout, int cols,
                                     const float *slope, int rows, float *restrict dz,
                                     float *restrict dbias, float *restrict dneg)
{
    const vec16_t *slope_v = (const vec16_t *)slope;
    vec16_t sum_d[VECS] = {0}, sum_neg[VECS] = {0}, zero = {0};

    for (int i = 0; i < rows; i++) {
        const vec16_t *zr = (const vec16_t *)(z + (size_t)i * cols);
        const vec16_t *gr = (const vec16_t *)(dout + (size_t)i * cols);
        vec16_t *dr = (vec16_t *)(dz + (size_t)i * PANEL);

        for (int v = 0; v < VECS; v++) {
            dr[v] = SELECT16(zr[v] > 0.0f, gr[v], slope_v[v] * gr[v]);
            sum_d[v] += dr[v];
            sum_neg[v] += SELECT16(zr[v] < 0.0f, zr[v] * gr[v], zero);
        }
    }
    memcpy(dbias, sum_d, sizeof sum_d);
    memcpy(dneg, sum_neg, sizeof sum_neg);
}

/* prelu_rows_grad for the last panel, narrower than PANEL: dz is zero past width. */
static void prelu_rows_grad_narrow(const float *z, const float *dout, int cols,
                                   const float *slope, int rows, int width, float *dz,
                                   float *dbias, float *dneg)
{
    memset(dbias, 0, PANEL * sizeof *dbias);
    memset(dneg, 0, PANEL * sizeof *dneg);
    for (int i = 0; i < rows; i++) {
        const float *zr = z + (size_t)i * cols, *gr = dout + (size_t)i * cols;
        float *dr = dz + (size_t)i * PANEL;

        for (int j = 0; j < width; j++) {
            dr[j] = zr[j] > 0.0f ? gr[j] : slope[j] * gr[j];
            dbias[j] += dr[j];
            dneg[j] += zr[j] < 0.0f ? zr[j] * gr[j] : 0.0f;
        }
        memset(dr + width, 0, (size_t)(PANEL - width) * sizeof *dr);
    }
}

/* dz (N x PANEL) of branch b, adding the panel's share of d bias and d slope into dbias and
 * dneg. */
static void branch_dz(const gcn_args_t *g, const gs_tensor_t *out, const float *slope_p,
                      int b, int p, float *dz, double *dbias, double *dneg)
{
    int n = g->adj->n_rows, cols = out->cols, width = panel_width(cols, p);
    size_t first = (size_t)b * n * cols + (size_t)p * PANEL;
    const float *z = g->z ? g->z : out->data;
    float block_d[PANEL], block_neg[PANEL];

    for (int i = 0; i < n; i += GRAD_BLOCK) {
        int rows = n - i < GRAD_BLOCK ? n - i : GRAD_BLOCK;
        size_t off = first + (size_t)i * cols;

        if (width == PANEL) {
            prelu_rows_grad(z + off, out->grad + off, cols, slope_p, rows,
                            dz + (size_t)i * PANEL, block_d, block_neg);
        } else {
            prelu_rows_grad_narrow(z + off, out->grad + off, cols, slope_p, rows, width,
                                   dz + (size_t)i * PANEL, block_d, block_neg);
        }
        for (int j = 0; j < width; j++) {
            dbias[j] += block_d[j];
            dneg[j] += g->z ? block_neg[j] : (double)block_neg[j] / slope_p[j];
        }
    }
}

/* dW[:, panel] += X^T dxw, dxw being N x PANEL. */
static void weight_grad_panel(const gcn_args_t *g, float *dw, int cols, int p,
                              const float *dxw)
{
    int j0 = p * PANEL, width = panel_width(cols, p);
    float acc[PANEL];

    if (g->xd) {
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, g->xd->cols, width, g->xd->rows,
                    1.0f, g->xd->data, g->xd->cols, dxw, PANEL, 1.0f, dw + j0, cols);
        return;
    }
    if (g->xs->transpose) {
        for (int f = 0; f < g->xs->n_cols; f++) {
            float *row = dw + (size_t)f * cols + j0;

            if (width == PANEL) {
                gather_row(g->xs->transpose, f, NULL, dxw, true, row);
                continue;
            }
            gather_row(g->xs->transpose, f, NULL, dxw, false, acc);
            for (int j = 0; j < width; j++) {
                row[j] += acc[j];
            }
        }
        return;
    }
    for (int i = 0; i < g->xs->n_rows; i++) {
        for (int64_t e = g->xs->indptr[i]; e < g->xs->indptr[i + 1]; e++) {
            float *row = dw + (size_t)g->xs->indices[e] * cols + j0;
            float v = g->xs->values[e];

            for (int j = 0; j < width; j++) {
                row[j] += v * dxw[(size_t)i * PANEL + j];
            }
        }
    }
}

/* dxw = sum over branches of P_b^T A^T dZ_b, then dW from it. */
static void backward_panel(const gcn_args_t *g, const gs_tensor_t *out,
                           const gs_tensor_t *alpha, float *dw, int p, float *scratch,
                           double *dbias, double *dneg)
{
    int n = g->adj->n_cols;
    float *dxw = scratch, *dz = scratch + (size_t)n * PANEL;
    float slope_p[PANEL];

    panel_slice(alpha, p, panel_width(out->cols, p), slope_p);
    memset(dxw, 0, (size_t)n * PANEL * sizeof *dxw);
    for (int b = 0; b < g->n_branches; b++) {
        const int32_t *perm = g->perm ? g->perm + (size_t)b * n : NULL;

        branch_dz(g, out, slope_p, b, p, dz, dbias, dneg);
        for (int c = 0; c < n; c++) {
            gather_row(g->adj->transpose, c, NULL, dz, true,
                       dxw + (size_t)(perm ? perm[c] : c) * PANEL);
        }
    }
    if (dw) {
        weight_grad_panel(g, dw, out->cols, p, dxw);
    }
}

static int n_panels(int cols)
{
    return (cols + PANEL - 1) / PANEL;
}

/* Threads worth starting for a panel loop over n_rows rows. */
static int panel_threads(int cols, size_t n_rows)
{
    int n = omp_get_max_threads();

    if ((size_t)cols * n_rows < GS_I_PAR_MIN) {
        return 1;
    }
    return n < n_panels(cols) ? n : n_panels(cols);
}

static void gcn_prelu_backward(gs_tape_t *tape, const gs_i_op_t *op)
{
    const gcn_args_t *g = op->saved[0];
    gs_tensor_t *out = op->out, *alpha = op->in[2];
    float *dw = gs_i_tape_grad(tape, op->in[0]);
    float *dbias = op->in[1] ? gs_i_tape_grad(tape, op->in[1]) : NULL;
    float *dalpha = gs_i_tape_grad(tape, alpha);
    int cols = out->cols, n = g->adj->n_cols;
    int threads = panel_threads(cols, (size_t)g->n_branches * n);
    size_t per_thread = (size_t)2 * n * PANEL;
    float *scratch = gs_i_tape_alloc(tape, per_thread * threads * sizeof *scratch);
    double *sums = gs_i_tape_alloc(tape, (size_t)2 * cols * sizeof *sums);

    if (!scratch || !sums) {
        return;
    }
    memset(sums, 0, (size_t)2 * cols * sizeof *sums);

    #pragma omp parallel for schedule(static) num_threads(threads)
    for (int p = 0; p < n_panels(cols); p++) {
        backward_panel(g, out, alpha, dw, p, scratch + per_thread * omp_get_thread_num(),
                       sums + p * PANEL, sums + cols + p * PANEL);
    }

    for (int j = 0; dbias && j < cols; j++) {
        dbias[j] += (float)sums[j];
    }
    if (dalpha && alpha->cols == 1) {
        double total = 0.0;

        for (int j = 0; j < cols; j++) {
            total += sums[cols + j];
        }
        dalpha[0] += (float)total;
    } else if (dalpha) {
        for (int j = 0; j < cols; j++) {
            dalpha[j] += (float)sums[cols + j];
        }
    }
}

static bool slopes_positive(const gs_tensor_t *alpha)
{
    for (int j = 0; j < alpha->cols; j++) {
        if (!(alpha->data[j] > 0.0f)) {
            return false;
        }
    }
    return true;
}

/* keep_z: backward will need the pre-activations and cannot recover them from out. */
static gcn_args_t *save_args(gs_tape_t *t, const gs_csr_t *adj, const gs_csr_t *xs,
                             const gs_tensor_t *xd, const int32_t *perm, int n_branches,
                             int cols, bool keep_z)
{
    size_t n_perm = (size_t)n_branches * adj->n_cols;
    gcn_args_t *g = gs_i_tape_alloc(t, sizeof *g);

    if (!g) {
        return NULL;
    }
    *g = (gcn_args_t){.adj = adj, .xs = xs, .xd = xd, .n_branches = n_branches};
    if (keep_z) {
        g->z = gs_i_tape_alloc(t, (size_t)n_branches * adj->n_rows * cols * sizeof *g->z);
    }
    if (perm) {
        /* The caller's permutation need not outlive the step. */
        g->perm = gs_i_tape_alloc(t, n_perm * sizeof *g->perm);
        if (g->perm) {
            memcpy(g->perm, perm, n_perm * sizeof *g->perm);
        }
    }
    return (g->z || !keep_z) && (!perm || g->perm) ? g : NULL;
}

gs_tensor_t *gs_op_gcn_prelu(gs_tape_t *t, const gs_csr_t *adj, const gs_csr_t *xs,
                             const gs_tensor_t *xd, gs_tensor_t *w, gs_tensor_t *bias,
                             gs_tensor_t *alpha, const int32_t *perm, int n_branches)
{
    gs_tensor_t *out;
    gcn_args_t *g;
    gs_i_op_t *op;
    int threads, n;
    size_t per_thread;
    float *scratch;
    bool keep_z;

    if (!adj || !w || !alpha || (!xs && !xd)) {
        return NULL;
    }
    n = adj->n_cols;
    assert(adj->transpose && adj->n_rows == n && n_branches >= 1);
    assert((xs ? xs->n_rows : xd->rows) == n);
    assert((xs ? xs->n_cols : xd->cols) == w->rows && (perm || n_branches == 1));
    assert(!bias || (bias->rows == 1 && bias->cols == w->cols));
    assert(alpha->rows == 1 && (alpha->cols == 1 || alpha->cols == w->cols));

    out = gs_i_tape_output(t, n_branches * adj->n_rows, w->cols, w, bias, alpha);
    keep_z = out && out->requires_grad && !slopes_positive(alpha);
    if (!out || !(g = save_args(t, adj, xs, xd, perm, n_branches, w->cols, keep_z))) {
        return NULL;
    }
    threads = panel_threads(w->cols, (size_t)n_branches * n);
    per_thread = (size_t)PANEL * (n + (xs ? xs->n_cols : 0));
    scratch = gs_i_tape_alloc(t, per_thread * threads * sizeof *scratch);
    if (!scratch) {
        return NULL;
    }

    #pragma omp parallel for schedule(static) num_threads(threads)
    for (int p = 0; p < n_panels(w->cols); p++) {
        forward_panel(g, w, bias, alpha, out, p, scratch + per_thread * omp_get_thread_num());
    }
    if (!out->requires_grad) {
        return out;
    }
    op = gs_i_tape_record(t, gcn_prelu_backward, out, w, bias, alpha);
    if (!op) {
        return NULL;
    }
    op->saved[0] = g;
    return out;
}

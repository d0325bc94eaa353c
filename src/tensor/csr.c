/*
 * CSR sparse matrices: allocation, transpose, and the sparse x dense product that carries
 * every graph convolution (parallel over output rows, so no two threads write one row).
 */
#include "graphssl/tensor.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "common_internal.h"
#include "tape_internal.h"

gs_csr_t *gs_csr_new(int n_rows, int n_cols, int64_t nnz)
{
    gs_csr_t *a = calloc(1, sizeof *a);

    if (!a) {
        return NULL;
    }
    a->n_rows = n_rows;
    a->n_cols = n_cols;
    a->indptr = calloc((size_t)n_rows + 1, sizeof *a->indptr);
    a->indices = malloc((size_t)(nnz > 0 ? nnz : 1) * sizeof *a->indices);
    a->values = malloc((size_t)(nnz > 0 ? nnz : 1) * sizeof *a->values);
    if (!a->indptr || !a->indices || !a->values) {
        gs_csr_free(a);
        return NULL;
    }
    return a;
}

void gs_csr_free(gs_csr_t *a)
{
    if (!a) {
        return;
    }
    if (a->owns_transpose && a->transpose != a) {
        gs_csr_free(a->transpose);
    }
    free(a->indptr);
    free(a->indices);
    free(a->values);
    free(a);
}

gs_status_t gs_csr_build_transpose(gs_csr_t *a)
{
    int64_t nnz = gs_csr_nnz(a);
    gs_csr_t *t = gs_csr_new(a->n_cols, a->n_rows, nnz);
    int64_t *next;

    if (!t) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory transposing a sparse matrix");
    }

    /* Count entries per column, prefix-sum into row starts of the transpose. */
    for (int64_t e = 0; e < nnz; e++) {
        t->indptr[a->indices[e] + 1]++;
    }
    for (int c = 0; c < a->n_cols; c++) {
        t->indptr[c + 1] += t->indptr[c];
    }

    /* Scanning rows in order keeps each transposed row's indices ascending. */
    next = malloc((size_t)(a->n_cols > 0 ? a->n_cols : 1) * sizeof *next);
    if (!next) {
        gs_csr_free(t);
        return gs_i_error(GS_ERR_NOMEM, "out of memory transposing a sparse matrix");
    }
    memcpy(next, t->indptr, (size_t)a->n_cols * sizeof *next);
    for (int r = 0; r < a->n_rows; r++) {
        for (int64_t e = a->indptr[r]; e < a->indptr[r + 1]; e++) {
            int64_t slot = next[a->indices[e]]++;
            t->indices[slot] = r;
            t->values[slot] = a->values[e];
        }
    }
    free(next);

    if (a->owns_transpose && a->transpose != a) {
        gs_csr_free(a->transpose);
    }
    a->transpose = t;
    a->owns_transpose = true;
    return GS_OK;
}

/* One output row: o += sum over the row's entries of w * b[col].  The hottest loop of every
 * GCN model, so it is also compiled for AVX2 and AVX-512 and picked at load time.  (Blocking
 * columns into register- or L2-sized panels measured no faster here: the loop is bound by
 * reading rows of b, which both orders do once per nonzero.) */
GS_I_HOT static void spmm_row(const gs_csr_t *a, int r, const float *restrict b, int k,
                              float *restrict o)
{
    for (int64_t e = a->indptr[r]; e < a->indptr[r + 1]; e++) {
        const float *restrict brow = b + (size_t)a->indices[e] * k;
        float w = a->values[e];

        /* Rows of b and out never overlap: no run-time overlap test is needed. */
        #pragma omp simd
        for (int j = 0; j < k; j++) {
            o[j] += w * brow[j];
        }
    }
}

/* Parallel over output rows, each written by one thread: no races, and the result does not
 * depend on the number of threads. */
static void spmm(const gs_csr_t *a, const float *b, int k, float *out, bool accumulate)
{
    #pragma omp parallel for schedule(dynamic, 64) if (gs_csr_nnz(a) * k >= GS_I_PAR_MIN)
    for (int r = 0; r < a->n_rows; r++) {
        float *o = out + (size_t)r * k;

        if (!accumulate) {
            memset(o, 0, (size_t)k * sizeof *o);
        }
        spmm_row(a, r, b, k, o);
    }
}

void gs_csr_spmm(const gs_csr_t *a, const float *b, int k, float *out)
{
    spmm(a, b, k, out, false);
}

void gs_i_csr_spmm_add(const gs_csr_t *a, const float *b, int k, float *out)
{
    spmm(a, b, k, out, true);
}

/* out += row r of a, transposed: out[col] += w * g_r for every entry (col, w) of the row. */
GS_I_HOT static void scatter_row(const gs_csr_t *a, int r, const float *restrict grow, int k,
                                 float *restrict out)
{
    for (int64_t e = a->indptr[r]; e < a->indptr[r + 1]; e++) {
        float *restrict o = out + (size_t)a->indices[e] * k;
        float w = a->values[e];

        #pragma omp simd
        for (int j = 0; j < k; j++) {
            o[j] += w * grow[j];
        }
    }
}

/* The first row of thread t's share when rows are cut into n_parts runs of equal nnz. */
static int part_start(const gs_csr_t *a, int t, int n_parts)
{
    int64_t target = gs_csr_nnz(a) * t / n_parts;
    int lo = 0, hi = a->n_rows;

    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;

        if (a->indptr[mid] < target) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

/*
 * out (C x K) += a^T g, reading g (R x K) once, in order.  Against multiplying by a stored
 * transpose, which reads a row of g per nonzero, this streams g and keeps out in cache: the
 * better order whenever out is small (a feature-to-hidden weight gradient).  Each thread
 * scatters its share of rows into a private copy; the copies are then added in thread
 * order, so the result depends on the thread count but not on scheduling.
 */
gs_status_t gs_i_csr_spmm_transposed_add(const gs_csr_t *a, const float *g, int k, float *out)
{
    int n_threads = gs_csr_nnz(a) * k >= GS_I_PAR_MIN ? omp_get_max_threads() : 1;
    size_t size = (size_t)a->n_cols * k;
    float *partial;

    if (n_threads == 1) {
        for (int r = 0; r < a->n_rows; r++) {
            scatter_row(a, r, g + (size_t)r * k, k, out);
        }
        return GS_OK;
    }
    partial = calloc(size * (size_t)n_threads, sizeof *partial);
    if (!partial) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory for a sparse gradient");
    }

    #pragma omp parallel num_threads(n_threads)
    {
        int t = omp_get_thread_num();
        int end = part_start(a, t + 1, n_threads);

        for (int r = part_start(a, t, n_threads); r < end; r++) {
            scatter_row(a, r, g + (size_t)r * k, k, partial + size * t);
        }

        #pragma omp barrier
        #pragma omp for schedule(static)
        for (size_t i = 0; i < size; i++) {
            float sum = out[i];

            for (int p = 0; p < n_threads; p++) {
                sum += partial[size * p + i];
            }
            out[i] = sum;
        }
    }
    free(partial);
    return GS_OK;
}

/*
 * GCC's positional inputs (Qiu et al., KDD 2020, section 3.2): the leading eigenvectors of
 * a subgraph's normalised adjacency D^-1/2 A D^-1/2, a generalisation of a Transformer's
 * positional encoding to graphs.
 *
 * The original asks ARPACK for the k = min(n - 2, 32) largest on a sparse matrix.  Our
 * subgraphs have at most a few hundred nodes, where a dense solver is both faster and
 * exact, so k is min(n, 32).  LAPACK's dsyevr computes only the eigenvectors asked for
 * (range 'I'), by bisection and inverse iteration, which measured 2-3 times slower than
 * computing every eigenpair by divide and conquer (dsyevd) until n is about 3k; below that
 * all are computed and the top k kept.  Columns are in descending eigenvalue order, so that
 * the trivial eigenvector (eigenvalue 1, proportional to sqrt(degree)) is always column 0
 * whatever n is; ARPACK's ascending order moves it with n.
 */
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common_internal.h"
#include "gcc_internal.h"

void gs_i_eig_ws_destroy(gs_i_eig_ws_t *ws)
{
    free(ws->m);
    free(ws->z);
    free(ws->w);
    free(ws->isuppz);
    memset(ws, 0, sizeof *ws);
}

static gs_status_t reserve(gs_i_eig_ws_t *ws, int n)
{
    size_t cap = (size_t)n;

    if (cap <= ws->cap) {
        return GS_OK;
    }
    gs_i_eig_ws_destroy(ws);
    ws->m = malloc(cap * cap * sizeof *ws->m);
    ws->z = malloc(cap * cap * sizeof *ws->z);
    ws->w = malloc(cap * sizeof *ws->w);
    ws->isuppz = malloc(2 * cap * sizeof *ws->isuppz);
    if (!ws->m || !ws->z || !ws->w || !ws->isuppz) {
        gs_i_eig_ws_destroy(ws);
        return gs_i_error(GS_ERR_NOMEM, "out of memory for the eigenvectors of a %d-node "
                          "subgraph", n);
    }
    ws->cap = cap;
    return GS_OK;
}

/* m (n x n) = D^-1/2 A D^-1/2, degrees clipped to at least 1 as in GCC. */
static void normalized_adjacency(const int64_t *indptr, const int32_t *indices, int n,
                                 double *m)
{
    memset(m, 0, (size_t)n * (size_t)n * sizeof *m);
    for (int i = 0; i < n; i++) {
        double di = (double)(indptr[i + 1] - indptr[i]);

        for (int64_t e = indptr[i]; e < indptr[i + 1]; e++) {
            int j = indices[e];
            double dj = (double)(indptr[j + 1] - indptr[j]);

            m[(size_t)i * n + j] = 1.0 / sqrt(fmax(di, 1.0) * fmax(dj, 1.0));
        }
    }
}

/* The sign that makes column c of z (n x k) canonical: the sum of cubed entries positive
 * (cubes keep the sign of the dominant entries), or, when that vanishes, its first clearly
 * non-zero entry. */
static double canonical_sign(const double *z, int n, int k, int c)
{
    double cubes = 0.0;

    for (int i = 0; i < n; i++) {
        double v = z[(size_t)i * k + c];

        cubes += v * v * v;
    }
    if (fabs(cubes) > 1e-9) {
        return cubes > 0.0 ? 1.0 : -1.0;
    }
    for (int i = 0; i < n; i++) {
        double v = z[(size_t)i * k + c];

        if (fabs(v) > 1e-6) {
            return v > 0.0 ? 1.0 : -1.0;
        }
    }
    return 1.0;
}

/* out row i = the first k columns of z (n rows of stride ld) in reverse (descending
 * eigenvalue) order, each with its sign, the row L2-normalised as sklearn's normalize does
 * (zero rows stay zero), then zero-padded to pos_dim. */
static void write_rows(const double *z, const double *sign, int n, int k, int ld, int pos_dim,
                       float *out)
{
    for (int i = 0; i < n; i++) {
        const double *zi = z + (size_t)i * ld;
        float *row = out + (size_t)i * pos_dim;
        double norm = 0.0;

        for (int c = 0; c < k; c++) {
            norm += zi[c] * zi[c];
        }
        norm = norm > 0.0 ? 1.0 / sqrt(norm) : 0.0;
        for (int c = 0; c < k; c++) {
            row[c] = (float)(sign[c] * zi[k - 1 - c] * norm);
        }
        for (int c = k; c < pos_dim; c++) {
            row[c] = 0.0f;
        }
    }
}

/*
 * The eigenpairs of the subgraph's normalised adjacency: *z (n x *m, row-major) holds *m
 * eigenvectors in ascending order of their eigenvalues (in ws->w), the last k of which are
 * the k largest.
 */
static gs_status_t solve(const int64_t *indptr, const int32_t *indices, int n, int k,
                         gs_i_eig_ws_t *ws, const double **z, int *m)
{
    lapack_int found = 0, info = 1;

    normalized_adjacency(indptr, indices, n, ws->m);
    if (n > 3 * k) {
        /* Eigenvalues n - k + 1 .. n in LAPACK's ascending numbering: the k largest. */
        info = LAPACKE_dsyevr(LAPACK_ROW_MAJOR, 'V', 'I', 'U', n, ws->m, n, 0.0, 0.0,
                              n - k + 1, n, 0.0, &found, ws->w, ws->z, k, ws->isuppz);
        if (info == 0 && found == k) {
            *z = ws->z;
            *m = k;
            return GS_OK;
        }

        /* dsyevr can stop with info 1 ("internal error") on clusters of nearly equal
         * eigenvalues, which dense ego-networks have; divide and conquer does not. */
        normalized_adjacency(indptr, indices, n, ws->m);
    }
    info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'U', n, ws->m, n, ws->w);
    if (info != 0) {
        return gs_i_error(GS_ERR_NUMERIC, "the eigen-solver failed on a %d-node subgraph "
                          "(LAPACK dsyevd info %d)", n, (int)info);
    }
    *z = ws->m;
    *m = n;
    return GS_OK;
}

gs_status_t gs_i_gcc_eigen_features(const int64_t *indptr, const int32_t *indices, int n,
                                    int pos_dim, gs_i_sign_mode_t signs, gs_rng_t *rng,
                                    gs_i_eig_ws_t *ws, float *out, double *eigenvalues)
{
    int k = n < pos_dim ? n : pos_dim, m = 0;
    double sign[GS_I_GCC_MAX_POS_DIM];
    const double *z = NULL;

    if (n == 0) {
        return GS_OK;
    }
    GS_TRY(reserve(ws, n));
    GS_TRY(solve(indptr, indices, n, k, ws, &z, &m));

    for (int c = 0; c < k; c++) {
        if (signs == GS_I_SIGN_RANDOM) {
            sign[c] = (gs_rng_next(rng) >> 63) ? -1.0 : 1.0;
        } else {
            sign[c] = canonical_sign(z, n, m, m - 1 - c);
        }
        if (eigenvalues) {
            eigenvalues[c] = ws->w[m - 1 - c];
        }
    }
    write_rows(z + (m - k), sign, n, k, m, pos_dim, out);
    return GS_OK;
}

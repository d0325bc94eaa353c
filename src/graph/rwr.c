/*
 * Seed distributions, random walks with restart and induced subgraphs (see rwr.h).  The
 * walk follows DGL 0.4's random_walk_with_restart, which GCC's sampler calls: every trace
 * takes at least one step from the seed, then continues with probability 1 - restart_prob,
 * and traces are drawn until the visit budget is spent.
 */
#include "rwr.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common_internal.h"

/* --- Alias tables (Walker 1977, with Vose's stable construction) ---------------------- */

void gs_i_alias_destroy(gs_i_alias_t *a)
{
    free(a->accept);
    free(a->alias);
    memset(a, 0, sizeof *a);
}

static gs_status_t check_weights(const double *w, int n, double *total)
{
    double sum = 0.0;

    for (int i = 0; i < n; i++) {
        if (!(w[i] >= 0.0) || !isfinite(w[i])) {
            return gs_i_error(GS_ERR_INVALID, "sampling weight %d is %g; expected a finite "
                              "value >= 0", i, w[i]);
        }
        sum += w[i];
    }
    if (!(sum > 0.0)) {
        return gs_i_error(GS_ERR_INVALID, "no node can be drawn: every sampling weight is 0");
    }
    *total = sum;
    return GS_OK;
}

/* Pairs each under-full slot with an over-full one, which lends it the missing mass. */
static void fill_table(gs_i_alias_t *a, double *scaled, int32_t *small, int32_t *large)
{
    int n_small = 0, n_large = 0;

    for (int i = 0; i < a->n; i++) {
        if (scaled[i] < 1.0) {
            small[n_small++] = i;
        } else {
            large[n_large++] = i;
        }
    }
    while (n_small > 0 && n_large > 0) {
        int s = small[--n_small], l = large[n_large - 1];

        a->accept[s] = scaled[s];
        a->alias[s] = l;
        scaled[l] -= 1.0 - scaled[s];
        if (scaled[l] < 1.0) {
            n_large--;
            small[n_small++] = l;
        }
    }

    /* What is left holds mass 1 up to rounding. */
    while (n_large > 0) {
        a->accept[large[--n_large]] = 1.0;
    }
    while (n_small > 0) {
        a->accept[small[--n_small]] = 1.0;
    }
}

gs_status_t gs_i_alias_init(gs_i_alias_t *a, const double *weights, int n)
{
    double total = 0.0, *scaled;
    int32_t *small, *large;

    memset(a, 0, sizeof *a);
    GS_TRY(check_weights(weights, n, &total));
    a->n = n;
    a->accept = malloc((size_t)n * sizeof *a->accept);
    a->alias = malloc((size_t)n * sizeof *a->alias);
    scaled = malloc((size_t)n * sizeof *scaled);
    small = malloc((size_t)n * sizeof *small);
    large = malloc((size_t)n * sizeof *large);
    if (a->accept && a->alias && scaled && small && large) {
        for (int i = 0; i < n; i++) {
            scaled[i] = weights[i] * n / total;
            a->alias[i] = i;
        }
        fill_table(a, scaled, small, large);
    }
    free(scaled);
    free(small);
    free(large);
    if (!a->accept || !a->alias) {
        gs_i_alias_destroy(a);
        return gs_i_error(GS_ERR_NOMEM, "out of memory for a sampling table of %d nodes", n);
    }
    return GS_OK;
}

int gs_i_alias_draw(const gs_i_alias_t *a, gs_rng_t *rng)
{
    int i = (int)gs_rng_below(rng, (uint32_t)a->n);

    return gs_rng_uniform(rng) < a->accept[i] ? i : a->alias[i];
}

/* --- Walks ------------------------------------------------------------------------------ */

gs_status_t gs_i_rwr_init(gs_i_rwr_t *w, int graph_nodes)
{
    memset(w, 0, sizeof *w);
    w->graph_nodes = graph_nodes;
    w->stamp = calloc((size_t)(graph_nodes > 0 ? graph_nodes : 1), sizeof *w->stamp);
    w->local = malloc((size_t)(graph_nodes > 0 ? graph_nodes : 1) * sizeof *w->local);
    if (!w->stamp || !w->local) {
        gs_i_rwr_destroy(w);
        return gs_i_error(GS_ERR_NOMEM, "out of memory for a walk over %d nodes", graph_nodes);
    }
    return GS_OK;
}

void gs_i_rwr_destroy(gs_i_rwr_t *w)
{
    free(w->nodes);
    free(w->sub_indptr);
    free(w->sub_indices);
    free(w->stamp);
    free(w->local);
    memset(w, 0, sizeof *w);
}

int gs_i_rwr_budget(int degree, double exponent, double restart_prob, int min_visits)
{
    double e = exp(1.0);
    double visits = pow((double)degree, exponent) * e / (e - 1.0) / restart_prob + 0.5;

    return visits > min_visits ? (int)fmin(visits, (double)INT32_MAX) : min_visits;
}

/* Starts a new walk: a fresh epoch, so every stamp of older walks reads as unvisited. */
static void new_epoch(gs_i_rwr_t *w)
{
    w->epoch++;
    if (w->epoch == 0) {
        memset(w->stamp, 0, (size_t)w->graph_nodes * sizeof *w->stamp);
        w->epoch = 1;
    }
    w->n_nodes = 0;
    w->n_visits = 0;
    w->n_traces = 0;
}

/* Records v as visited; appends it to nodes[] on its first visit. */
static gs_status_t visit(gs_i_rwr_t *w, int32_t v)
{
    if (w->stamp[v] == w->epoch) {
        return GS_OK;
    }
    if (w->n_nodes == w->cap_nodes) {
        int cap = w->cap_nodes ? 2 * w->cap_nodes : 256;
        int32_t *grown = realloc(w->nodes, (size_t)cap * sizeof *grown);

        if (!grown) {
            return gs_i_error(GS_ERR_NOMEM, "out of memory for a walk's nodes");
        }
        w->nodes = grown;
        w->cap_nodes = cap;
    }
    w->stamp[v] = w->epoch;
    w->local[v] = w->n_nodes;
    w->nodes[w->n_nodes++] = v;
    return GS_OK;
}

static int32_t random_neighbour(const gs_csr_t *adj, int32_t v, gs_rng_t *rng)
{
    int64_t begin = adj->indptr[v], degree = adj->indptr[v + 1] - begin;

    return adj->indices[begin + (int64_t)gs_rng_below(rng, (uint32_t)degree)];
}

gs_status_t gs_i_rwr_sample(gs_i_rwr_t *w, const gs_csr_t *adj, int seed, double restart_prob,
                            int64_t budget, gs_rng_t *rng)
{
    new_epoch(w);
    GS_TRY(visit(w, seed));
    if (adj->indptr[seed + 1] == adj->indptr[seed]) {
        return GS_OK;
    }

    while (w->n_visits < budget) {
        int32_t v = seed;

        /* One trace: a first step always, further ones with probability 1 - restart. */
        w->n_traces++;
        do {
            if (adj->indptr[v + 1] == adj->indptr[v]) {
                break;
            }
            v = random_neighbour(adj, v, rng);
            w->n_visits++;
            GS_TRY(visit(w, v));
        } while (w->n_visits < budget && gs_rng_uniform(rng) >= restart_prob);
    }
    return GS_OK;
}

void gs_i_rwr_clear(gs_i_rwr_t *w)
{
    new_epoch(w);
}

gs_status_t gs_i_rwr_add(gs_i_rwr_t *w, int32_t v)
{
    return visit(w, v);
}

static int compare_int32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

    return (x > y) - (x < y);
}

/* Makes room for `need` local column indices. */
static gs_status_t reserve_indices(gs_i_rwr_t *w, int64_t need)
{
    int64_t cap = w->cap_indices ? w->cap_indices : 1024;
    int32_t *grown;

    if (need <= w->cap_indices) {
        return GS_OK;
    }
    while (cap < need) {
        cap *= 2;
    }
    if (!(grown = realloc(w->sub_indices, (size_t)cap * sizeof *grown))) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory for a subgraph of %d nodes", w->n_nodes);
    }
    w->sub_indices = grown;
    w->cap_indices = cap;
    return GS_OK;
}

gs_status_t gs_i_rwr_induce(gs_i_rwr_t *w, const gs_csr_t *adj)
{
    int64_t nnz = 0;
    int64_t *indptr = realloc(w->sub_indptr, ((size_t)w->n_nodes + 1) * sizeof *indptr);

    if (!indptr) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory for a subgraph of %d nodes", w->n_nodes);
    }
    w->sub_indptr = indptr;
    indptr[0] = 0;
    for (int i = 0; i < w->n_nodes; i++) {
        int32_t v = w->nodes[i];
        int64_t degree = adj->indptr[v + 1] - adj->indptr[v];

        GS_TRY(reserve_indices(w, nnz + degree));
        for (int64_t e = adj->indptr[v]; e < adj->indptr[v + 1]; e++) {
            int32_t u = adj->indices[e];

            if (w->stamp[u] == w->epoch && u != v) {
                w->sub_indices[nnz++] = w->local[u];
            }
        }

        /* Local indices follow visit order, not the graph's, so rows need sorting.  (An
         * isolated seed has no row to sort, and maybe no buffer yet.) */
        if (nnz - indptr[i] > 1) {
            qsort(w->sub_indices + indptr[i], (size_t)(nnz - indptr[i]),
                  sizeof *w->sub_indices, compare_int32);
        }
        indptr[i + 1] = nnz;
    }
    return GS_OK;
}

/*
 * Tests of GCC: the samplers' distributions (degree^0.75 seeds, geometric traces, restart),
 * eigenvector inputs against closed forms (ring, star, complete graph) and their padding,
 * batching, the batch-norm op and both InfoNCE objectives against finite differences, the
 * momentum update, and end-to-end training that learns, is reproducible and survives a
 * save/load round trip.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "graphssl/eval.h"
#include "graphssl/gcc.h"
#include "graphssl/model_file.h"
#include "models/gcc_internal.h"
#include "tensor/tape_internal.h"

/* Hidden width of the end-to-end training tests. */
enum { TRAIN_HIDDEN = 32 };

/* --- Graph builders ------------------------------------------------------------------------ */

/* A graph over n nodes from m edges given as pairs. */
static gs_graph_t *graph_of_pairs(int n, const int32_t *pairs, int m)
{
    int32_t *src = calloc((size_t)m + 1, sizeof *src);
    int32_t *dst = calloc((size_t)m + 1, sizeof *dst);
    gs_graph_t *g = NULL;

    for (int e = 0; e < m; e++) {
        src[e] = pairs[2 * e];
        dst[e] = pairs[2 * e + 1];
    }
    ck_assert_int_eq(gs_graph_from_edges(&g, n, src, dst, NULL, m, false, NULL), GS_OK);
    free(src);
    free(dst);
    return g;
}

static gs_graph_t *ring(int n)
{
    int32_t *pairs = calloc(2 * (size_t)n + 2, sizeof *pairs);
    gs_graph_t *g;

    for (int v = 0; v < n; v++) {
        pairs[2 * v] = v;
        pairs[2 * v + 1] = (v + 1) % n;
    }
    g = graph_of_pairs(n, pairs, n);
    free(pairs);
    return g;
}

/* Node 0 joined to nodes 1..leaves, plus `isolated` nodes without edges. */
static gs_graph_t *star(int leaves, int isolated)
{
    int32_t *pairs = calloc(2 * (size_t)leaves + 2, sizeof *pairs);
    gs_graph_t *g;

    for (int v = 0; v < leaves; v++) {
        pairs[2 * v] = 0;
        pairs[2 * v + 1] = v + 1;
    }
    g = graph_of_pairs(leaves + 1 + isolated, pairs, leaves);
    free(pairs);
    return g;
}

static gs_graph_t *complete(int n)
{
    int32_t *pairs = malloc((size_t)n * (size_t)n * sizeof *pairs);
    int m = 0;
    gs_graph_t *g;

    for (int u = 0; u < n; u++) {
        for (int v = u + 1; v < n; v++) {
            pairs[2 * m] = u;
            pairs[2 * m + 1] = v;
            m++;
        }
    }
    g = graph_of_pairs(n, pairs, m);
    free(pairs);
    return g;
}

/*
 * Structural roles in separate components: `stars` stars of 8 leaves (centres class 0,
 * leaves class 1) and `rings` rings of 10 nodes (class 2).
 */
static gs_graph_t *roles_graph(int stars, int rings)
{
    int n = stars * 9 + rings * 10, m = stars * 8 + rings * 10, e = 0;
    int32_t *pairs = malloc(2 * (size_t)m * sizeof *pairs);
    gs_graph_t *g;

    for (int s = 0; s < stars; s++) {
        for (int l = 1; l <= 8; l++) {
            pairs[2 * e] = s * 9;
            pairs[2 * e++ + 1] = s * 9 + l;
        }
    }
    for (int r = 0; r < rings; r++) {
        int base = stars * 9 + r * 10;

        for (int v = 0; v < 10; v++) {
            pairs[2 * e] = base + v;
            pairs[2 * e++ + 1] = base + (v + 1) % 10;
        }
    }
    g = graph_of_pairs(n, pairs, m);
    free(pairs);
    g->labels = malloc((size_t)n * sizeof *g->labels);
    for (int v = 0; v < n; v++) {
        g->labels[v] = v >= stars * 9 ? 2 : (v % 9 == 0 ? 0 : 1);
    }
    g->n_classes = 3;
    return g;
}

/* Preferential attachment: node v >= 3 joins `links` earlier nodes, each drawn as the end of
 * a uniform earlier edge endpoint, so degrees spread from 2 to dozens. */
static gs_graph_t *preferential(int n, int links, uint64_t seed)
{
    int m = 3 + (n - 3) * links, e = 3;
    int32_t *pairs = malloc(2 * (size_t)m * sizeof *pairs);
    gs_graph_t *g;
    gs_rng_t rng;

    gs_rng_init(&rng, seed, 0);
    pairs[0] = 0, pairs[1] = 1, pairs[2] = 1, pairs[3] = 2, pairs[4] = 2, pairs[5] = 0;
    for (int v = 3; v < n; v++) {
        int used = e;

        for (int l = 0; l < links; l++) {
            pairs[2 * e] = v;
            pairs[2 * e + 1] = pairs[gs_rng_below(&rng, (uint32_t)(2 * used))];
            e++;
        }
    }
    g = graph_of_pairs(n, pairs, e);
    free(pairs);
    return g;
}

/* Runs a walk-free "subgraph" of the whole graph g through the feature code. */
static void whole_graph_features(const gs_graph_t *g, int pos_dim, float *out, double *eig)
{
    gs_i_eig_ws_t ws = {0};
    gs_rng_t rng;

    gs_rng_init(&rng, 1, 0);
    ck_assert_int_eq(gs_i_gcc_eigen_features(g->adj->indptr, g->adj->indices, g->n_nodes,
                                             pos_dim, GS_I_SIGN_CANONICAL, &rng, &ws, out,
                                             eig),
                     GS_OK);
    gs_i_eig_ws_destroy(&ws);
}

/* --- Samplers ---------------------------------------------------------------------------- */

START_TEST(gcc_seeds_follow_degree_power)
{
    gs_graph_t *g = star(9, 1);
    const gs_graph_t *graphs[] = {g};
    gs_i_gcc_sampler_t s;
    gs_gcc_options_t opt;
    int hits[11] = {0}, draws = 200000;
    double centre = pow(9.0, 0.75), expected = centre / (centre + 9.0);
    gs_rng_t rng;

    gs_gcc_options_init(&opt);
    ck_assert_int_eq(gs_i_gcc_sampler_init(&s, graphs, 1, &opt, true), GS_OK);
    gs_rng_init(&rng, 7, 0);
    for (int i = 0; i < draws; i++) {
        hits[gs_i_alias_draw(&s.seeds, &rng)]++;
    }
    ck_assert_double_eq_tol((double)hits[0] / draws, expected, 0.006);
    ck_assert_double_eq_tol((double)hits[4] / draws, (1.0 - expected) / 9.0, 0.004);

    /* A node without edges is never a seed. */
    ck_assert_int_eq(hits[10], 0);
    gs_i_gcc_sampler_destroy(&s);
    gs_graph_free(g);
}
END_TEST

/* Traces take one step, then continue with probability 1 - restart: mean length 1/restart. */
START_TEST(gcc_rwr_trace_length_is_geometric)
{
    static const double restart[] = {0.8, 0.5, 0.25};
    gs_graph_t *g = ring(1000);
    gs_i_rwr_t w;
    gs_rng_t rng;

    ck_assert_int_eq(gs_i_rwr_init(&w, g->n_nodes), GS_OK);
    gs_rng_init(&rng, 3, 0);
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(gs_i_rwr_sample(&w, g->adj, 500, restart[i], 400000, &rng), GS_OK);
        ck_assert_int_eq(w.n_visits, 400000);
        ck_assert_double_eq_tol((double)w.n_visits / w.n_traces, 1.0 / restart[i],
                                0.02 / restart[i]);
        ck_assert_int_eq(w.nodes[0], 500);
    }
    gs_i_rwr_destroy(&w);
    gs_graph_free(g);
}
END_TEST

START_TEST(gcc_rwr_restart_one_stays_with_neighbours)
{
    gs_graph_t *g = ring(50);
    gs_i_rwr_t w;
    gs_rng_t rng;

    ck_assert_int_eq(gs_i_rwr_init(&w, g->n_nodes), GS_OK);
    gs_rng_init(&rng, 3, 0);
    ck_assert_int_eq(gs_i_rwr_sample(&w, g->adj, 10, 1.0, 256, &rng), GS_OK);
    ck_assert_int_eq(w.n_nodes, 3);
    ck_assert_int_eq(w.n_traces, 256);
    for (int i = 1; i < 3; i++) {
        ck_assert(w.nodes[i] == 9 || w.nodes[i] == 11);
    }
    gs_i_rwr_destroy(&w);
    gs_graph_free(g);
}
END_TEST

START_TEST(gcc_rwr_isolated_seed_is_its_own_subgraph)
{
    gs_graph_t *g = star(3, 2);
    gs_i_rwr_t w;
    gs_rng_t rng;

    ck_assert_int_eq(gs_i_rwr_init(&w, g->n_nodes), GS_OK);
    gs_rng_init(&rng, 3, 0);
    ck_assert_int_eq(gs_i_rwr_sample(&w, g->adj, 5, 0.8, 256, &rng), GS_OK);
    ck_assert_int_eq(w.n_nodes, 1);
    ck_assert_int_eq(gs_i_rwr_induce(&w, g->adj), GS_OK);
    ck_assert_int_eq(w.sub_indptr[1], 0);
    gs_i_rwr_destroy(&w);
    gs_graph_free(g);
}
END_TEST

START_TEST(gcc_rwr_budget_follows_gcc)
{
    /* 300 e / (e - 1) / 0.8 = 593.3 visits; low degrees get the floor of 256. */
    ck_assert_int_eq(gs_i_rwr_budget(300, 1.0, 0.8, 256), 593);
    ck_assert_int_eq(gs_i_rwr_budget(10, 1.0, 0.8, 256), 256);
    ck_assert_int_eq(gs_i_rwr_budget(100, 0.75, 0.8, 256), 256);
    ck_assert_int_eq(gs_i_rwr_budget(1000, 0.75, 0.8, 256), 352);
    ck_assert_int_eq(gs_i_rwr_budget(10000, 0.75, 0.8, 256), 1977);
}
END_TEST

START_TEST(gcc_rwr_induced_subgraph_keeps_edges_among_visited)
{
    static const int32_t pairs[] = {0, 1, 1, 2, 2, 0, 2, 3, 3, 4};
    gs_graph_t *g = graph_of_pairs(5, pairs, 5);
    gs_i_rwr_t w;

    ck_assert_int_eq(gs_i_rwr_init(&w, g->n_nodes), GS_OK);
    gs_i_rwr_clear(&w);
    ck_assert_int_eq(gs_i_rwr_add(&w, 2), GS_OK);
    ck_assert_int_eq(gs_i_rwr_add(&w, 0), GS_OK);
    ck_assert_int_eq(gs_i_rwr_add(&w, 3), GS_OK);
    ck_assert_int_eq(gs_i_rwr_add(&w, 2), GS_OK);
    ck_assert_int_eq(w.n_nodes, 3);
    ck_assert_int_eq(gs_i_rwr_induce(&w, g->adj), GS_OK);

    /* Local 0 = node 2 (joined to 0 and 3), 1 = node 0, 2 = node 3; edge 0-1 is gone. */
    ck_assert_int_eq(w.sub_indptr[1], 2);
    ck_assert_int_eq(w.sub_indices[0], 1);
    ck_assert_int_eq(w.sub_indices[1], 2);
    ck_assert_int_eq(w.sub_indptr[2] - w.sub_indptr[1], 1);
    ck_assert_int_eq(w.sub_indptr[3] - w.sub_indptr[2], 1);
    gs_i_rwr_destroy(&w);
    gs_graph_free(g);
}
END_TEST

/* --- Eigenvector inputs ---------------------------------------------------------------------- */

/* || M u - lambda u || for column c of x (n x pos_dim) and M = D^-1/2 A D^-1/2 of g. */
static double eigen_residual(const gs_graph_t *g, const float *x, int pos_dim, int c,
                             double lambda)
{
    double res = 0.0;

    for (int i = 0; i < g->n_nodes; i++) {
        double mu = 0.0;

        for (int64_t e = g->adj->indptr[i]; e < g->adj->indptr[i + 1]; e++) {
            int j = g->adj->indices[e];

            mu += x[(size_t)j * pos_dim + c] /
                  sqrt((double)gs_graph_degree(g, i) * gs_graph_degree(g, j));
        }
        res += pow(mu - lambda * x[(size_t)i * pos_dim + c], 2);
    }
    return sqrt(res);
}

static int compare_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x < y) - (x > y);
}

/* A ring's normalised adjacency is A / 2, with eigenvalues cos(2 pi j / n). */
START_TEST(gcc_eigen_ring_matches_cosines)
{
    static const int sizes[] = {8, 40, 150};
    int n = sizes[_i], k = n < 32 ? n : 32;
    gs_graph_t *g = ring(n);
    float *x = malloc((size_t)n * 32 * sizeof *x);
    double eig[32], *expected = malloc((size_t)n * sizeof *expected);

    whole_graph_features(g, 32, x, eig);
    for (int j = 0; j < n; j++) {
        expected[j] = cos(2.0 * M_PI * j / n);
    }
    qsort(expected, (size_t)n, sizeof *expected, compare_desc);
    for (int c = 0; c < k; c++) {
        ck_assert_double_eq_tol(eig[c], expected[c], 1e-9);
    }

    /* With every eigenvector kept, rows are already unit and columns are eigenvectors. */
    if (n <= 32) {
        for (int c = 0; c < k; c++) {
            ck_assert_double_lt(eigen_residual(g, x, 32, c, eig[c]), 1e-5);
        }
    }
    for (int i = 0; i < n; i++) {
        double norm = 0.0;

        for (int c = 0; c < 32; c++) {
            norm += (double)x[(size_t)i * 32 + c] * x[(size_t)i * 32 + c];
        }
        ck_assert_double_eq_tol(norm, 1.0, 1e-5);
    }
    free(expected);
    free(x);
    gs_graph_free(g);
}
END_TEST

/* A star's top eigenvector is sqrt(degree) / sqrt(2 m): 1/sqrt(2) at the centre. */
START_TEST(gcc_eigen_star_top_vector_is_sqrt_degree)
{
    gs_graph_t *g = star(6, 0);
    float x[7 * 32];
    double eig[32];

    whole_graph_features(g, 32, x, eig);
    ck_assert_double_eq_tol(eig[0], 1.0, 1e-9);
    ck_assert_double_eq_tol(eig[1], 0.0, 1e-9);
    ck_assert_double_eq_tol(eig[6], -1.0, 1e-9);
    ck_assert_double_eq_tol(x[0], 1.0 / sqrt(2.0), 1e-6);
    for (int leaf = 1; leaf <= 6; leaf++) {
        ck_assert_double_eq_tol(x[leaf * 32], 1.0 / sqrt(12.0), 1e-6);
    }
    gs_graph_free(g);
}
END_TEST

/* K_n: eigenvalue 1 once (the constant vector), -1/(n-1) n-1 times. */
START_TEST(gcc_eigen_complete_graph)
{
    gs_graph_t *g = complete(6);
    float x[6 * 32];
    double eig[32];

    whole_graph_features(g, 32, x, eig);
    ck_assert_double_eq_tol(eig[0], 1.0, 1e-9);
    for (int c = 1; c < 6; c++) {
        ck_assert_double_eq_tol(eig[c], -0.2, 1e-9);
    }
    for (int i = 0; i < 6; i++) {
        ck_assert_double_eq_tol(x[i * 32], 1.0 / sqrt(6.0), 1e-6);
    }
    gs_graph_free(g);
}
END_TEST

START_TEST(gcc_eigen_pads_small_subgraphs_with_zeros)
{
    gs_graph_t *g = ring(5);
    float x[5 * 32];
    double eig[32];

    memset(x, 0x7f, sizeof x);
    whole_graph_features(g, 32, x, eig);
    for (int i = 0; i < 5; i++) {
        for (int c = 5; c < 32; c++) {
            ck_assert(x[i * 32 + c] == 0.0f);
        }
        ck_assert(x[i * 32 + 0] != 0.0f);
    }
    gs_graph_free(g);
}
END_TEST

/* The pairs NOT joined in a 44-node IMDB-BINARY ego-network (808 of 946 pairs are edges)
 * met in pre-training, on which LAPACK's MRRR solver (dsyevr) stops with info 1. */
static const int32_t mrrr_failure_non_edges[] = {
    0, 42, 1, 42, 2, 42, 3, 42, 4, 42, 5, 6, 5, 10, 5, 12, 5, 13, 5, 14, 5, 15, 5, 16,
    5, 17, 5, 18, 5, 20, 5, 24, 5, 26, 5, 32, 5, 36, 5, 37, 5, 41, 5, 42, 5, 43, 6, 7,
    6, 10, 6, 13, 6, 15, 6, 16, 6, 19, 6, 20, 6, 22, 6, 31, 6, 37, 6, 42, 7, 12, 7, 17,
    7, 26, 7, 32, 7, 36, 7, 41, 7, 42, 7, 43, 8, 42, 9, 42, 10, 12, 10, 17, 10, 26, 10,
    32, 10, 36, 10, 41, 10, 42, 10, 43, 11, 42, 12, 13, 12, 15, 12, 16, 12, 19, 12, 20,
    12, 22, 12, 31, 12, 37, 12, 42, 13, 17, 13, 26, 13, 32, 13, 36, 13, 41, 13, 42, 13,
    43, 14, 42, 15, 17, 15, 26, 15, 32, 15, 36, 15, 41, 15, 42, 15, 43, 16, 17, 16, 26,
    16, 32, 16, 36, 16, 41, 16, 42, 16, 43, 17, 19, 17, 20, 17, 22, 17, 31, 17, 37, 17,
    42, 18, 42, 19, 26, 19, 32, 19, 36, 19, 41, 19, 42, 19, 43, 20, 26, 20, 32, 20, 36,
    20, 41, 20, 42, 20, 43, 21, 42, 22, 26, 22, 32, 22, 36, 22, 41, 22, 43, 23, 42, 24,
    42, 25, 42, 26, 31, 26, 37, 26, 42, 27, 42, 28, 42, 29, 42, 31, 32, 31, 36, 31, 41,
    31, 42, 31, 43, 32, 37, 32, 42, 33, 42, 34, 42, 35, 42, 36, 37, 36, 42, 37, 41, 37,
    42, 37, 43, 38, 42, 39, 42, 40, 42, 41, 42, 42, 43
};

START_TEST(gcc_eigen_survives_a_matrix_mrrr_fails_on)
{
    int n_missing = (int)(sizeof mrrr_failure_non_edges / sizeof mrrr_failure_non_edges[0]) / 2;
    int32_t *pairs = malloc(2 * 946 * sizeof *pairs);
    float x[44 * 32];
    double eig[32];
    gs_graph_t *g;
    int m = 0;

    for (int u = 0; u < 44; u++) {
        for (int v = u + 1; v < 44; v++) {
            bool joined = true;

            for (int i = 0; i < n_missing; i++) {
                joined = joined && !(mrrr_failure_non_edges[2 * i] == u &&
                                     mrrr_failure_non_edges[2 * i + 1] == v);
            }
            if (joined) {
                pairs[2 * m] = u;
                pairs[2 * m++ + 1] = v;
            }
        }
    }
    ck_assert_int_eq(m, 808);
    g = graph_of_pairs(44, pairs, m);
    whole_graph_features(g, 32, x, eig);
    ck_assert_double_eq_tol(eig[0], 1.0, 1e-9);
    for (int c = 1; c < 32; c++) {
        ck_assert_double_le(eig[c], eig[c - 1] + 1e-12);
    }

    /* The top eigenvector, sqrt(degree) up to scale, keeps one sign in every row. */
    for (int i = 0; i < 44; i++) {
        double norm = 0.0;

        for (int c = 0; c < 32; c++) {
            norm += (double)x[i * 32 + c] * x[i * 32 + c];
        }
        ck_assert_double_eq_tol(norm, 1.0, 1e-5);
        ck_assert_float_gt(x[i * 32], 0.0f);
    }
    free(pairs);
    gs_graph_free(g);
}
END_TEST

/* Random signs flip whole columns; the canonical convention repeats itself. */
START_TEST(gcc_eigen_signs_flip_whole_columns)
{
    gs_graph_t *g = ring(12);
    const gs_csr_t *a = g->adj;
    float canon[12 * 32], again[12 * 32], flipped[12 * 32];
    gs_i_eig_ws_t ws = {0};
    int n_flipped = 0;
    gs_rng_t rng;

    gs_rng_init(&rng, 5, 0);
    gs_i_gcc_eigen_features(a->indptr, a->indices, 12, 32, GS_I_SIGN_CANONICAL, NULL, &ws,
                            canon, NULL);
    gs_i_gcc_eigen_features(a->indptr, a->indices, 12, 32, GS_I_SIGN_CANONICAL, NULL, &ws,
                            again, NULL);
    gs_i_gcc_eigen_features(a->indptr, a->indices, 12, 32, GS_I_SIGN_RANDOM, &rng, &ws,
                            flipped, NULL);
    ck_assert_mem_eq(canon, again, sizeof canon);
    for (int c = 0; c < 12; c++) {
        double s = canon[c] * flipped[c] > 0 ? 1.0 : -1.0;

        n_flipped += s < 0;
        for (int i = 0; i < 12; i++) {
            ck_assert_double_eq_tol(flipped[i * 32 + c], s * canon[i * 32 + c], 1e-6);
        }
    }
    ck_assert_int_gt(n_flipped, 0);
    ck_assert_int_lt(n_flipped, 12);
    gs_i_eig_ws_destroy(&ws);
    gs_graph_free(g);
}
END_TEST

/* --- Batches ------------------------------------------------------------------------------ */

START_TEST(gcc_batch_is_block_diagonal_with_self_loops)
{
    static const int32_t tri[] = {0, 1, 1, 2, 2, 0};
    gs_graph_t *g = graph_of_pairs(3, tri, 3), *h = star(2, 0);
    const gs_graph_t *gs[] = {g, h};
    gs_gcc_options_t opt;
    gs_i_gcc_item_t items[2] = {{0}};
    gs_i_gcc_batch_t b;
    gs_i_rwr_t w;

    gs_gcc_options_init(&opt);
    ck_assert_int_eq(gs_i_rwr_init(&w, 3), GS_OK);
    for (int i = 0; i < 2; i++) {
        gs_i_eig_ws_t ws = {0};

        gs_i_rwr_clear(&w);
        for (int v = 0; v < gs[i]->n_nodes; v++) {
            ck_assert_int_eq(gs_i_rwr_add(&w, v), GS_OK);
        }
        ck_assert_int_eq(gs_i_rwr_induce(&w, gs[i]->adj), GS_OK);
        ck_assert_int_eq(gs_i_gcc_item_fill(&items[i], &w, &opt, GS_I_SIGN_CANONICAL, NULL,
                                            &ws),
                         GS_OK);
        gs_i_eig_ws_destroy(&ws);
    }
    ck_assert_int_eq(gs_i_gcc_batch_build(&b, items, 0, 1, 2, 32, GS_GCC_ENCODER_GIN), GS_OK);

    ck_assert_int_eq(b.n_nodes, 6);
    ck_assert_int_eq(b.offsets[1], 3);
    ck_assert_int_eq(b.offsets[2], 6);
    ck_assert_int_eq(gs_csr_nnz(b.adj), 6 + 3 + 4 + 3);

    /* Row 3 is the star's centre: itself and its two leaves, all in its own block. */
    ck_assert_int_eq(b.adj->indptr[4] - b.adj->indptr[3], 3);
    for (int64_t e = b.adj->indptr[3]; e < b.adj->indptr[4]; e++) {
        ck_assert_int_ge(b.adj->indices[e], 3);
        ck_assert(b.adj->values[e] == 1.0f);
    }
    ck_assert(b.x->data[0 * 33 + 32] == 1.0f);
    ck_assert(b.x->data[1 * 33 + 32] == 0.0f);
    ck_assert(b.x->data[3 * 33 + 32] == 1.0f);
    ck_assert_int_eq(b.degree[3], 2);
    ck_assert_int_eq(b.degree[4], 1);

    gs_i_gcc_batch_destroy(&b);
    for (int i = 0; i < 2; i++) {
        gs_i_gcc_item_destroy(&items[i]);
    }
    gs_i_rwr_destroy(&w);
    gs_graph_free(g);
    gs_graph_free(h);
}
END_TEST

static void small_options(gs_gcc_options_t *opt)
{
    gs_gcc_options_init(opt);
    opt->layers = 3;
    opt->hidden = 16;
    opt->pos_dim = 8;
    opt->degree_dim = 4;
    opt->max_degree = 32;
    opt->rw_hops = 32;
    opt->batch_size = 16;
    opt->queue_size = 256;
}

/* --- Gradients against finite differences -------------------------------------------------- */

typedef gs_tensor_t *(*forward_fn)(gs_tape_t *t, gs_tensor_t **in, const void *ctx);

static gs_tensor_t *uniform_param(int rows, int cols, uint64_t seed, bool grad)
{
    gs_tensor_t *p = gs_tensor_new(rows, cols);
    gs_rng_t rng;

    gs_rng_init(&rng, seed, 0);
    gs_tensor_init_uniform(p, -1.0f, 1.0f, &rng);
    if (grad) {
        ck_assert_int_eq(gs_tensor_require_grad(p), GS_OK);
    }
    return p;
}

/* sum_k cos(1.3 k + 0.2) out_k: a scalar that weighs every output differently. */
static gs_tensor_t *scalarise(gs_tape_t *t, gs_tensor_t *out)
{
    gs_tensor_t *w = gs_tape_tensor(t, out->rows, out->cols);

    for (size_t k = 0; k < gs_i_numel(w); k++) {
        w->data[k] = (float)cos(1.3 * (double)k + 0.2);
    }
    return gs_op_sum(t, gs_op_mul(t, out, w));
}

static double scalar_value(forward_fn f, const void *ctx, gs_tensor_t **in, gs_tape_t *t)
{
    double v;

    gs_tape_reset(t);
    v = scalarise(t, f(t, in, ctx))->data[0];
    gs_tape_reset(t);
    return v;
}

/* The central difference (f(x + h) - f(x - h)) / 2h at entry k of input p. */
static double central_difference(forward_fn f, const void *ctx, gs_tensor_t **in, int p,
                                 size_t k, float h, gs_tape_t *t)
{
    float x = in[p]->data[k];
    double plus, minus;

    in[p]->data[k] = x + h;
    plus = scalar_value(f, ctx, in, t);
    in[p]->data[k] = x - h;
    minus = scalar_value(f, ctx, in, t);
    in[p]->data[k] = x;
    return (plus - minus) / (2.0 * h);
}

static bool close_enough(double analytic, double numeric)
{
    return fabs(analytic - numeric) <= 3e-3 + 2e-2 * fabs(numeric);
}

/*
 * Backward against central differences for every entry of every input that needs a
 * gradient; each such input must have a gradient that does not vanish.  A ReLU kink within
 * h of the point bends one difference, so a mismatch is checked again with h / 4 and only
 * fails when both disagree.
 */
static void check_gradients(forward_fn f, const void *ctx, gs_tensor_t **in, int n_in,
                            float h)
{
    gs_tape_t *t = gs_tape_new();

    for (int p = 0; p < n_in; p++) {
        if (in[p]->requires_grad) {
            gs_tensor_zero_grad(in[p]);
        }
    }
    ck_assert_int_eq(gs_tape_backward(t, scalarise(t, f(t, in, ctx))), GS_OK);
    for (int p = 0; p < n_in; p++) {
        double largest = 0.0;

        for (size_t k = 0; in[p]->requires_grad && k < gs_i_numel(in[p]); k++) {
            double analytic = in[p]->grad[k];
            double numeric = central_difference(f, ctx, in, p, k, h, t);

            if (!close_enough(analytic, numeric)) {
                numeric = central_difference(f, ctx, in, p, k, h / 4, t);
            }
            largest = fmax(largest, fabs(numeric));
            ck_assert_msg(close_enough(analytic, numeric),
                          "input %d entry %zu: backward %.6f, finite differences %.6f", p, k,
                          analytic, numeric);
        }
        ck_assert(!in[p]->requires_grad || largest > 1e-3);
    }
    gs_tape_free(t);
}

static gs_tensor_t *fw_batch_norm(gs_tape_t *t, gs_tensor_t **in, const void *ctx)
{
    bool training = *(const bool *)ctx;
    float mean[4] = {0.1f, -0.2f, 0.3f, 0.0f}, var[4] = {0.5f, 1.5f, 2.0f, 1.0f};

    return gs_op_batch_norm(t, in[0], in[1], in[2], mean, var, training, 0.1f, 1e-5f);
}

START_TEST(gcc_batch_norm_gradient_matches_finite_differences)
{
    bool training = _i == 0;
    gs_tensor_t *in[3] = {uniform_param(7, 4, 1, true), uniform_param(1, 4, 2, true),
                          uniform_param(1, 4, 3, true)};

    check_gradients(fw_batch_norm, &training, in, 3, 1e-2f);
    for (int i = 0; i < 3; i++) {
        gs_tensor_free(in[i]);
    }
}
END_TEST

START_TEST(gcc_batch_norm_normalises_and_tracks_statistics)
{
    gs_tensor_t *x = uniform_param(50, 3, 9, false), *gamma = gs_tensor_new(1, 3);
    gs_tensor_t *beta = gs_tensor_new(1, 3);
    float mean[3] = {0}, var[3] = {1, 1, 1};
    gs_tape_t *t = gs_tape_new();
    gs_tensor_t *y;

    gs_tensor_fill(gamma, 2.0f);
    gs_tensor_fill(beta, 0.5f);
    y = gs_op_batch_norm(t, x, gamma, beta, mean, var, true, 0.1f, 1e-5f);
    for (int j = 0; j < 3; j++) {
        double s = 0.0, s2 = 0.0, xs = 0.0, xs2 = 0.0;

        for (int i = 0; i < 50; i++) {
            s += y->data[i * 3 + j];
            s2 += pow(y->data[i * 3 + j], 2);
            xs += x->data[i * 3 + j];
            xs2 += pow(x->data[i * 3 + j], 2);
        }
        ck_assert_double_eq_tol(s / 50, 0.5, 1e-5);
        ck_assert_double_eq_tol(s2 / 50 - 0.25, 4.0, 1e-3);

        /* Running statistics: 0.9 start + 0.1 batch, with the unbiased variance. */
        ck_assert_double_eq_tol(mean[j], 0.1 * xs / 50, 1e-6);
        ck_assert_double_eq_tol(var[j], 0.9 + 0.1 * (xs2 - xs * xs / 50) / 49, 1e-5);
    }
    gs_tape_free(t);
    gs_tensor_free(x);
    gs_tensor_free(gamma);
    gs_tensor_free(beta);
}
END_TEST

typedef struct nce_ctx {
    gs_tensor_t *k;
    gs_tensor_t *queue;
    float temperature;
} nce_ctx_t;

static gs_tensor_t *fw_moco(gs_tape_t *t, gs_tensor_t **in, const void *ctx)
{
    const nce_ctx_t *c = ctx;
    gs_tensor_t *q = gs_op_l2_normalize_rows(t, in[0], 1e-5f);

    return gs_i_gcc_infonce_moco(t, q, c->k, c->queue, c->temperature);
}

static gs_tensor_t *fw_moco_both(gs_tape_t *t, gs_tensor_t **in, const void *ctx)
{
    const nce_ctx_t *c = ctx;
    gs_tensor_t *q = gs_op_l2_normalize_rows(t, in[0], 1e-5f);
    gs_tensor_t *k = gs_op_l2_normalize_rows(t, in[1], 1e-5f);

    return gs_op_info_nce(t, q, k, c->queue, c->temperature);
}

static gs_tensor_t *fw_e2e(gs_tape_t *t, gs_tensor_t **in, const void *ctx)
{
    const nce_ctx_t *c = ctx;
    gs_tensor_t *q = gs_op_l2_normalize_rows(t, in[0], 1e-5f);
    gs_tensor_t *k = gs_op_l2_normalize_rows(t, in[1], 1e-5f);

    return gs_i_gcc_infonce_e2e(t, q, k, c->temperature);
}

START_TEST(gcc_infonce_moco_gradient_matches_finite_differences)
{
    nce_ctx_t c = {uniform_param(5, 6, 11, false), uniform_param(9, 6, 12, false), 0.2f};
    gs_tensor_t *in[1] = {uniform_param(5, 6, 13, true)};

    check_gradients(fw_moco, &c, in, 1, 1e-2f);
    gs_tensor_free(in[0]);
    gs_tensor_free(c.k);
    gs_tensor_free(c.queue);
}
END_TEST

/* The fused op also passes a gradient to the keys when they need one. */
START_TEST(gcc_info_nce_key_gradient_matches_finite_differences)
{
    nce_ctx_t c = {NULL, uniform_param(9, 6, 14, false), 0.2f};
    gs_tensor_t *in[2] = {uniform_param(5, 6, 15, true), uniform_param(5, 6, 16, true)};

    check_gradients(fw_moco_both, &c, in, 2, 1e-2f);
    gs_tensor_free(in[0]);
    gs_tensor_free(in[1]);
    gs_tensor_free(c.queue);
}
END_TEST

START_TEST(gcc_infonce_e2e_gradient_matches_finite_differences)
{
    nce_ctx_t c = {NULL, NULL, 0.2f};
    gs_tensor_t *in[2] = {uniform_param(5, 6, 21, true), uniform_param(5, 6, 22, true)};

    check_gradients(fw_e2e, &c, in, 2, 1e-2f);
    gs_tensor_free(in[0]);
    gs_tensor_free(in[1]);
}
END_TEST

/* L = mean_i [log sum_j exp(l_ij / T) - l_i0 / T] with l_i0 = q_i.k_i, l_ij = q_i.m_j. */
START_TEST(gcc_infonce_moco_matches_formula)
{
    gs_tensor_t *q = uniform_param(4, 3, 31, false), *k = uniform_param(4, 3, 32, false);
    gs_tensor_t *queue = uniform_param(6, 3, 33, false);
    gs_tape_t *t = gs_tape_new();
    gs_tensor_t *loss = gs_i_gcc_infonce_moco(t, q, k, queue, 0.07f);
    double expected = 0.0;

    for (int i = 0; i < 4; i++) {
        double l[7], top = -INFINITY, sum = 0.0;

        for (int j = 0; j < 7; j++) {
            const float *other = j == 0 ? k->data + i * 3 : queue->data + (j - 1) * 3;

            l[j] = 0.0;
            for (int d = 0; d < 3; d++) {
                l[j] += (double)q->data[i * 3 + d] * other[d] / 0.07;
            }
            top = fmax(top, l[j]);
        }
        for (int j = 0; j < 7; j++) {
            sum += exp(l[j] - top);
        }
        expected += (top + log(sum) - l[0]) / 4.0;
    }
    ck_assert_double_eq_tol(loss->data[0], expected, 1e-4 * fmax(1.0, expected));
    gs_tape_free(t);
    gs_tensor_free(q);
    gs_tensor_free(k);
    gs_tensor_free(queue);
}
END_TEST

START_TEST(gcc_lr_schedule_warms_up_then_decays)
{
    ck_assert_double_eq_tol(gs_i_gcc_lr_factor(0, 1000, 0.1), 0.0, 1e-12);
    ck_assert_double_eq_tol(gs_i_gcc_lr_factor(50, 1000, 0.1), 0.5, 1e-12);
    ck_assert_double_eq_tol(gs_i_gcc_lr_factor(100, 1000, 0.1), 1.0, 1e-12);
    ck_assert_double_eq_tol(gs_i_gcc_lr_factor(550, 1000, 0.1), 0.5, 1e-12);
    ck_assert_double_eq_tol(gs_i_gcc_lr_factor(999, 1000, 0.1), 1.0 / 900, 1e-12);
}
END_TEST

typedef struct encoder_ctx {
    gs_i_gcc_encoder_t *enc;
    gs_gcc_options_t *opt;
    gs_i_gcc_batch_t *batch;
} encoder_ctx_t;

static gs_tensor_t *fw_encoder(gs_tape_t *t, gs_tensor_t **in, const void *ctx)
{
    const encoder_ctx_t *c = ctx;

    (void)in;
    return gs_i_gcc_encoder_forward(t, c->enc, c->opt, c->batch, GS_I_GCC_KEY, NULL);
}

/* The whole encoder (degree embedding, GIN or GCN layers, batch norms, readouts) against
 * finite differences, on a batch of 3 subgraphs of a small graph; _i: GIN, GCN, GIN without
 * the degree input. */
START_TEST(gcc_encoder_gradient_matches_finite_differences)
{
    gs_graph_t *g = preferential(30, 2, 4);
    const gs_graph_t *graphs[] = {g};
    gs_i_gcc_encoder_t enc;
    gs_i_gcc_sampler_t s;
    gs_i_gcc_batch_t b;
    gs_gcc_options_t opt;
    encoder_ctx_t ctx = {&enc, &opt, &b};
    gs_rng_t rng;

    small_options(&opt);
    opt.encoder = _i == 1 ? GS_GCC_ENCODER_GCN : GS_GCC_ENCODER_GIN;
    opt.hidden = 6;
    opt.degree_dim = _i == 2 ? 0 : 3;
    gs_rng_init(&rng, 2, 0);
    ck_assert_int_eq(gs_i_gcc_encoder_init(&enc, &opt, &rng), GS_OK);
    ck_assert_int_eq(gs_i_gcc_sampler_init(&s, graphs, 1, &opt, true), GS_OK);
    ck_assert_int_eq(gs_i_gcc_sample_pairs(&s, 3, &rng, 0), GS_OK);
    ck_assert_int_eq(gs_i_gcc_batch_build(&b, s.items, 0, 2, 3, 8, opt.encoder), GS_OK);

    /* Norm parameters away from their initial 1 and 0, where a norm followed by ReLU and
     * another norm is scale-free and its gamma's gradient vanishes. */
    for (int p = 0; p < enc.n_params; p++) {
        if (strstr(enc.param_names[p], ".norm")) {
            gs_tensor_init_uniform(enc.params[p], 0.3f, 1.2f, &rng);
        }
    }

    /* One parameter at a time.  The biases of the message-passing layers feed a batch norm,
     * which removes them, so their gradient is zero and there is nothing to compare. */
    for (int p = 0; p < enc.n_params; p++) {
        gs_tensor_t *one[1] = {enc.params[p]};
        const char *name = enc.param_names[p];

        for (int q = 0; q < enc.n_params; q++) {
            enc.params[q]->requires_grad = q == p;
        }
        if (strncmp(name, "layer", 5) || !strstr(name, ".bias")) {
            check_gradients(fw_encoder, &ctx, one, 1, 3e-4f);
        }
    }
    gs_i_gcc_batch_destroy(&b);
    gs_i_gcc_sampler_destroy(&s);
    gs_i_gcc_encoder_destroy(&enc);
    gs_graph_free(g);
}
END_TEST

/* --- The momentum encoder ------------------------------------------------------------------- */


START_TEST(gcc_momentum_update_moves_keys_towards_queries)
{
    gs_i_gcc_encoder_t q, k, before;
    gs_gcc_options_t opt;
    gs_rng_t r1, r2, r3;

    small_options(&opt);
    gs_rng_init(&r1, 1, 0);
    gs_rng_init(&r2, 2, 0);
    gs_rng_init(&r3, 2, 0);
    ck_assert_int_eq(gs_i_gcc_encoder_init(&q, &opt, &r1), GS_OK);
    ck_assert_int_eq(gs_i_gcc_encoder_init(&k, &opt, &r2), GS_OK);
    ck_assert_int_eq(gs_i_gcc_encoder_init(&before, &opt, &r3), GS_OK);
    gs_i_gcc_momentum_update(k.params, q.params, q.n_params, 0.9f);
    for (int p = 0; p < q.n_params; p++) {
        for (size_t j = 0; j < gs_i_numel(q.params[p]); j++) {
            float expected = 0.9f * before.params[p]->data[j] + 0.1f * q.params[p]->data[j];

            ck_assert_float_eq_tol(k.params[p]->data[j], expected, 1e-6f);
        }
    }

    /* m = 0 copies; m = 1 keeps. */
    gs_i_gcc_momentum_update(k.params, before.params, q.n_params, 1.0f);
    gs_i_gcc_momentum_update(before.params, q.params, q.n_params, 0.0f);
    ck_assert_mem_eq(before.params[1]->data, q.params[1]->data,
                     gs_i_numel(q.params[1]) * sizeof(float));
    gs_i_gcc_encoder_destroy(&q);
    gs_i_gcc_encoder_destroy(&k);
    gs_i_gcc_encoder_destroy(&before);
}
END_TEST

/* The key side of MoCo gets no gradient: a frozen encoder records nothing. */
START_TEST(gcc_frozen_key_encoder_records_no_gradient)
{
    gs_graph_t *g = ring(20);
    const gs_graph_t *graphs[] = {g};
    gs_i_gcc_encoder_t enc;
    gs_i_gcc_sampler_t s;
    gs_i_gcc_batch_t b;
    gs_gcc_options_t opt;
    gs_tape_t *t = gs_tape_new();
    gs_tensor_t *z;
    gs_rng_t rng;

    small_options(&opt);
    gs_rng_init(&rng, 1, 0);
    ck_assert_int_eq(gs_i_gcc_encoder_init(&enc, &opt, &rng), GS_OK);
    gs_i_gcc_encoder_freeze(&enc);
    ck_assert_int_eq(gs_i_gcc_sampler_init(&s, graphs, 1, &opt, true), GS_OK);
    ck_assert_int_eq(gs_i_gcc_sample_pairs(&s, 4, &rng, 0), GS_OK);
    ck_assert_int_eq(gs_i_gcc_batch_build(&b, s.items, 1, 2, 4, 8, GS_GCC_ENCODER_GIN), GS_OK);
    z = gs_i_gcc_encoder_forward(t, &enc, &opt, &b, GS_I_GCC_KEY, NULL);
    ck_assert_ptr_nonnull(z);
    ck_assert(!z->requires_grad);
    ck_assert_int_eq(z->rows, 4);
    ck_assert_int_eq(z->cols, 16);

    gs_tape_free(t);
    gs_i_gcc_batch_destroy(&b);
    gs_i_gcc_sampler_destroy(&s);
    gs_i_gcc_encoder_destroy(&enc);
    gs_graph_free(g);
}
END_TEST

/* --- Training end to end -------------------------------------------------------------------- */

/* Trains on graphs whose nodes differ in structure: instance discrimination cannot tell
 * apart nodes that are structurally the same, such as those of the role graph. */
/* The mean losses reported every 50 steps. */
typedef struct loss_log {
    double loss[64];
    int n;
} loss_log_t;

static void log_loss(int step, int steps, double loss, void *user)
{
    loss_log_t *log = user;

    (void)step;
    (void)steps;
    if (log->n < 64) {
        log->loss[log->n++] = loss;
    }
}

static gs_gcc_t *train_logged(gs_gcc_contrast_t contrast, int steps, gs_gcc_report_t *rep,
                              loss_log_t *log)
{
    gs_graph_t *g = preferential(400, 3, 2), *h = preferential(300, 2, 1), *r = NULL;
    const gs_graph_t *graphs[3];
    gs_gcc_options_t opt;
    gs_gcc_t *m = NULL;

    small_options(&opt);
    opt.contrast = contrast;
    opt.steps = steps;
    opt.seed = 3;
    opt.log_every = 50;
    opt.progress = log ? log_loss : NULL;
    opt.progress_user = log;

    /* A short run: no dropout, and keys that follow the queries within a few steps. */
    opt.dropout = 0.0f;
    opt.momentum = 0.5f;
    opt.hidden = TRAIN_HIDDEN;
    opt.pos_dim = 16;
    opt.rw_hops = 64;
    opt.batch_size = 32;
    ck_assert_int_eq(gs_graph_karate(&r), GS_OK);
    graphs[0] = g;
    graphs[1] = h;
    graphs[2] = r;
    ck_assert_int_eq(gs_gcc_train(graphs, 3, &opt, &m, rep), GS_OK);
    gs_graph_free(g);
    gs_graph_free(h);
    gs_graph_free(r);
    return m;
}

static gs_gcc_t *train_on_roles(gs_gcc_contrast_t contrast, int steps, gs_gcc_report_t *rep)
{
    return train_logged(contrast, steps, rep, NULL);
}

/* Chance is log(1 + K) for MoCo and log(B) end to end, about where the first steps start.
 * Training must get well below both: 1 nat under the start and 1.2 under chance, the
 * positive pair judged more than 3 times likelier than by chance. */
START_TEST(gcc_training_learns_to_tell_subgraphs_apart)
{
    gs_gcc_contrast_t contrast = _i == 0 ? GS_GCC_CONTRAST_MOCO : GS_GCC_CONTRAST_E2E;
    double chance = _i == 0 ? log(257.0) : log(32.0);
    loss_log_t log = {{0}, 0};
    gs_gcc_report_t rep;
    gs_gcc_t *m = train_logged(contrast, 400, &rep, &log);

    ck_assert_int_eq(rep.steps, 400);
    ck_assert_int_eq(rep.subgraphs, 400 * 64);
    ck_assert_int_eq(log.n, 8);
    ck_assert_msg(log.loss[0] > chance - 1.0, "first loss %.3f, chance %.3f", log.loss[0],
                  chance);
    ck_assert_msg(rep.final_loss < log.loss[0] - 1.0 && rep.final_loss < chance - 1.2,
                  "final loss %.3f, first %.3f, chance %.3f", rep.final_loss, log.loss[0],
                  chance);
    gs_gcc_free(m);
}
END_TEST

START_TEST(gcc_embeddings_separate_structural_roles)
{
    gs_graph_t *g = roles_graph(12, 6);
    gs_gcc_report_t rep;
    gs_gcc_t *m = train_on_roles(GS_GCC_CONTRAST_MOCO, 100, &rep);
    gs_score_t micro, macro;
    gs_tensor_t *z;

    ck_assert_int_eq(gs_gcc_embed(m, g, &z), GS_OK);
    ck_assert_int_eq(z->rows, g->n_nodes);
    ck_assert_int_eq(z->cols, TRAIN_HIDDEN);
    ck_assert_int_eq(gs_eval_kfold_logreg(z, g->labels, 3, 5, 0, &micro, &macro), GS_OK);
    ck_assert_msg(micro.mean > 0.95, "micro-F1 %.3f", micro.mean);
    gs_tensor_free(z);
    gs_gcc_free(m);
    gs_graph_free(g);
}
END_TEST

START_TEST(gcc_same_seed_gives_identical_embeddings)
{
    gs_graph_t *g = roles_graph(4, 2);
    gs_gcc_report_t rep;
    gs_gcc_t *a = train_on_roles(GS_GCC_CONTRAST_MOCO, 30, &rep);
    gs_gcc_t *b = train_on_roles(GS_GCC_CONTRAST_MOCO, 30, &rep);
    gs_tensor_t *za, *zb;

    ck_assert_int_eq(gs_gcc_embed(a, g, &za), GS_OK);
    ck_assert_int_eq(gs_gcc_embed(b, g, &zb), GS_OK);
    ck_assert_mem_eq(za->data, zb->data, gs_i_numel(za) * sizeof(float));
    gs_tensor_free(za);
    gs_tensor_free(zb);
    gs_gcc_free(a);
    gs_gcc_free(b);
    gs_graph_free(g);
}
END_TEST

START_TEST(gcc_save_load_round_trip_embeds_identically)
{
    char path[] = "/tmp/gs_gcc_model_XXXXXX";
    gs_graph_t *g = roles_graph(4, 2);
    gs_gcc_report_t rep;
    gs_gcc_t *a = train_on_roles(GS_GCC_CONTRAST_E2E, 20, &rep), *b = NULL;
    gs_tensor_t *za, *zb;
    int fd = mkstemp(path);

    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_int_eq(gs_gcc_save(a, path), GS_OK);
    ck_assert_int_eq(gs_gcc_load(&b, path), GS_OK);
    ck_assert_int_eq(gs_gcc_options(b)->contrast, GS_GCC_CONTRAST_E2E);
    ck_assert_int_eq(gs_gcc_options(b)->hidden, TRAIN_HIDDEN);
    ck_assert_int_eq(gs_gcc_embed(a, g, &za), GS_OK);
    ck_assert_int_eq(gs_gcc_embed(b, g, &zb), GS_OK);
    ck_assert_mem_eq(za->data, zb->data, gs_i_numel(za) * sizeof(float));

    unlink(path);
    gs_tensor_free(za);
    gs_tensor_free(zb);
    gs_gcc_free(a);
    gs_gcc_free(b);
    gs_graph_free(g);
}
END_TEST

START_TEST(gcc_load_rejects_another_methods_model)
{
    char path[] = "/tmp/gs_gcc_model_XXXXXX";
    gs_model_file_t *mf = gs_model_file_new("dgi");
    gs_gcc_t *m = NULL;
    int fd = mkstemp(path);

    close(fd);
    ck_assert_int_eq(gs_model_file_save(mf, path), GS_OK);
    ck_assert_int_eq(gs_gcc_load(&m, path), GS_ERR_PARSE);
    ck_assert_ptr_null(m);
    ck_assert_ptr_nonnull(strstr(gs_last_error(), "holds a dgi model, not gcc"));
    unlink(path);
    gs_model_file_free(mf);
}
END_TEST

START_TEST(gcc_train_rejects_graphs_without_edges_and_bad_options)
{
    gs_graph_t *g = star(0, 5);
    const gs_graph_t *graphs[] = {g};
    gs_gcc_options_t opt;
    gs_gcc_t *m = NULL;

    small_options(&opt);
    ck_assert_int_eq(gs_gcc_train(graphs, 1, &opt, &m, NULL), GS_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(gs_last_error(), "no pre-training graph has an edge"));
    opt.restart_prob = 1.5;
    ck_assert_int_eq(gs_gcc_train(graphs, 1, &opt, &m, NULL), GS_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(gs_last_error(), "restart_prob is 1.5"));
    ck_assert_int_eq(gs_gcc_train(graphs, 0, &opt, &m, NULL), GS_ERR_INVALID);
    ck_assert_ptr_null(m);
    gs_graph_free(g);
}
END_TEST

START_TEST(gcc_embed_graphs_gives_one_row_per_graph)
{
    gs_graph_collection_t c = {0};
    gs_graph_t *g = roles_graph(3, 2);
    int64_t offsets[] = {0, 9, 18, 27, 37, 47};
    gs_gcc_report_t rep;
    gs_gcc_t *m = train_on_roles(GS_GCC_CONTRAST_MOCO, 10, &rep);
    gs_tensor_t *z;

    c.graph = g;
    c.n_graphs = 5;
    c.offsets = offsets;
    ck_assert_int_eq(gs_gcc_embed_graphs(m, &c, &z), GS_OK);
    ck_assert_int_eq(z->rows, 5);

    /* Identical graphs get identical embeddings; a star and a ring do not. */
    ck_assert_mem_eq(z->data, z->data + TRAIN_HIDDEN, TRAIN_HIDDEN * sizeof(float));
    ck_assert_mem_eq(z->data + 3 * TRAIN_HIDDEN, z->data + 4 * TRAIN_HIDDEN,
                     TRAIN_HIDDEN * sizeof(float));
    ck_assert(memcmp(z->data, z->data + 3 * TRAIN_HIDDEN, TRAIN_HIDDEN * sizeof(float)) != 0);
    gs_tensor_free(z);
    gs_gcc_free(m);
    gs_graph_free(g);
}
END_TEST

START_TEST(gcc_finetune_nodes_beats_chance)
{
    gs_graph_t *g = roles_graph(12, 6);
    gs_gcc_finetune_options_t ft;
    gs_gcc_report_t rep;
    gs_gcc_t *m = train_on_roles(GS_GCC_CONTRAST_MOCO, 20, &rep);
    gs_score_t micro, macro;

    gs_gcc_finetune_options_init(&ft);
    ft.folds = 3;
    ft.epochs = 4;
    ck_assert_int_eq(gs_gcc_finetune(m, g, g->labels, 3, &ft, &micro, &macro), GS_OK);
    ck_assert_str_eq(micro.protocol, "kfold-finetune");
    ck_assert_int_eq(micro.runs, 3);

    /* Leaves are 96 of 168 nodes: guessing the majority gives 0.57. */
    ck_assert_msg(micro.mean > 0.8, "micro-F1 %.3f", micro.mean);
    ck_assert_int_eq(gs_gcc_finetune(m, g, g->labels, 2, &ft, &micro, &macro),
                     GS_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(gs_last_error(), "not below 2 classes"));
    gs_gcc_free(m);
    gs_graph_free(g);
}
END_TEST

START_TEST(gcc_finetune_graphs_beats_chance)
{
    gs_graph_collection_t c = {0};
    gs_graph_t *g = roles_graph(10, 10);
    int64_t offsets[21];
    int32_t labels[20];
    gs_gcc_finetune_options_t ft;
    gs_gcc_report_t rep;
    gs_gcc_t *m = train_on_roles(GS_GCC_CONTRAST_E2E, 20, &rep);
    gs_score_t micro, macro;

    /* Ten stars (class 0) and ten rings (class 1). */
    for (int i = 0; i <= 20; i++) {
        offsets[i] = i <= 10 ? 9 * i : 90 + 10 * (i - 10);
    }
    for (int i = 0; i < 20; i++) {
        labels[i] = i >= 10;
    }
    c.graph = g;
    c.n_graphs = 20;
    c.offsets = offsets;
    c.labels = labels;
    c.n_classes = 2;
    gs_gcc_finetune_options_init(&ft);
    ft.folds = 2;
    ft.epochs = 5;
    ft.batch_size = 4;
    ck_assert_int_eq(gs_gcc_finetune_graphs(m, &c, &ft, &micro, &macro), GS_OK);
    ck_assert_msg(micro.mean > 0.8, "micro-F1 %.3f", micro.mean);
    gs_gcc_free(m);
    gs_graph_free(g);
}
END_TEST

static Suite *gcc_suite(void)
{
    Suite *s = suite_create("gcc");
    TCase *sampler = tcase_create("sampler"), *features = tcase_create("features");
    TCase *objective = tcase_create("objective"), *train = tcase_create("train");

    tcase_add_test(sampler, gcc_seeds_follow_degree_power);
    tcase_add_test(sampler, gcc_rwr_trace_length_is_geometric);
    tcase_add_test(sampler, gcc_rwr_restart_one_stays_with_neighbours);
    tcase_add_test(sampler, gcc_rwr_isolated_seed_is_its_own_subgraph);
    tcase_add_test(sampler, gcc_rwr_budget_follows_gcc);
    tcase_add_test(sampler, gcc_rwr_induced_subgraph_keeps_edges_among_visited);
    suite_add_tcase(s, sampler);

    tcase_add_loop_test(features, gcc_eigen_ring_matches_cosines, 0, 3);
    tcase_add_test(features, gcc_eigen_star_top_vector_is_sqrt_degree);
    tcase_add_test(features, gcc_eigen_complete_graph);
    tcase_add_test(features, gcc_eigen_pads_small_subgraphs_with_zeros);
    tcase_add_test(features, gcc_eigen_survives_a_matrix_mrrr_fails_on);
    tcase_add_test(features, gcc_eigen_signs_flip_whole_columns);
    tcase_add_test(features, gcc_batch_is_block_diagonal_with_self_loops);
    suite_add_tcase(s, features);

    tcase_add_loop_test(objective, gcc_batch_norm_gradient_matches_finite_differences, 0, 2);
    tcase_add_test(objective, gcc_batch_norm_normalises_and_tracks_statistics);
    tcase_add_test(objective, gcc_infonce_moco_gradient_matches_finite_differences);
    tcase_add_test(objective, gcc_info_nce_key_gradient_matches_finite_differences);
    tcase_add_test(objective, gcc_infonce_e2e_gradient_matches_finite_differences);
    tcase_add_test(objective, gcc_infonce_moco_matches_formula);
    tcase_add_test(objective, gcc_lr_schedule_warms_up_then_decays);
    tcase_add_loop_test(objective, gcc_encoder_gradient_matches_finite_differences, 0, 3);
    tcase_add_test(objective, gcc_momentum_update_moves_keys_towards_queries);
    tcase_add_test(objective, gcc_frozen_key_encoder_records_no_gradient);
    suite_add_tcase(s, objective);

    tcase_set_timeout(train, 120);
    tcase_add_loop_test(train, gcc_training_learns_to_tell_subgraphs_apart, 0, 2);
    tcase_add_test(train, gcc_embeddings_separate_structural_roles);
    tcase_add_test(train, gcc_same_seed_gives_identical_embeddings);
    tcase_add_test(train, gcc_save_load_round_trip_embeds_identically);
    tcase_add_test(train, gcc_load_rejects_another_methods_model);
    tcase_add_test(train, gcc_train_rejects_graphs_without_edges_and_bad_options);
    tcase_add_test(train, gcc_embed_graphs_gives_one_row_per_graph);
    tcase_add_test(train, gcc_finetune_nodes_beats_chance);
    tcase_add_test(train, gcc_finetune_graphs_beats_chance);
    suite_add_tcase(s, train);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(gcc_suite());
    int failed;

    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

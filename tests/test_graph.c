/*
 * Tests of the graph layer: building the CSR from edges, name lookup, the normalized
 * adjacency against values worked out by hand, the karate club, feature helpers and
 * generated features, components, and adding isolated nodes.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "graph/graph_internal.h"
#include "graphssl/graph.h"

static int64_t nnz_of(const gs_graph_t *g)
{
    return gs_csr_nnz(g->adj);
}

/* The weight of arc (u, v), or NAN when there is none. */
static float arc(const gs_csr_t *a, int u, int v)
{
    for (int64_t e = a->indptr[u]; e < a->indptr[u + 1]; e++) {
        if (a->indices[e] == v) {
            return a->values[e];
        }
    }
    return NAN;
}

START_TEST(graph_from_edges_drops_loops_and_duplicates)
{
    const int32_t src[] = {0, 1, 1, 2, 0, 3};
    const int32_t dst[] = {1, 0, 2, 2, 1, 1};
    gs_graph_t *g = NULL;

    ck_assert_int_eq(gs_graph_from_edges(&g, 4, src, dst, NULL, 6, false, NULL), GS_OK);
    ck_assert_int_eq(g->n_nodes, 4);
    ck_assert_int_eq(g->n_edges, 3);
    ck_assert_int_eq(nnz_of(g), 6);
    ck_assert_int_eq(g->n_self_loops_dropped, 1);
    ck_assert_int_eq(g->n_duplicates_dropped, 2);
    ck_assert(!g->weighted);
    ck_assert_int_eq(gs_graph_degree(g, 1), 3);
    ck_assert_ptr_eq(g->adj->transpose, g->adj);
    gs_graph_free(g);
}
END_TEST

START_TEST(graph_from_edges_builds_sorted_symmetric_csr)
{
    enum { N = 60, M = 400 };
    int32_t src[M];
    int32_t dst[M];
    static bool expected[N][N];
    uint32_t state = 12345;
    gs_graph_t *g = NULL;
    int64_t n_expected = 0;

    memset(expected, 0, sizeof expected);
    for (int e = 0; e < M; e++) {
        state = state * 1103515245u + 12345u;
        src[e] = (int32_t)((state >> 8) % N);
        state = state * 1103515245u + 12345u;
        dst[e] = (int32_t)((state >> 8) % N);
        if (src[e] != dst[e] && !expected[src[e]][dst[e]]) {
            expected[src[e]][dst[e]] = expected[dst[e]][src[e]] = true;
            n_expected++;
        }
    }
    ck_assert_int_eq(gs_graph_from_edges(&g, N, src, dst, NULL, M, false, NULL), GS_OK);
    ck_assert_int_eq(g->n_edges, n_expected);

    for (int u = 0; u < N; u++) {
        int64_t row = g->adj->indptr[u];
        int count = 0;

        for (int64_t e = row; e < g->adj->indptr[u + 1]; e++) {
            int v = g->adj->indices[e];

            ck_assert_msg(e == row || g->adj->indices[e - 1] < v, "row %d not ascending", u);
            ck_assert_msg(expected[u][v], "unexpected arc %d -> %d", u, v);
            ck_assert(!isnan(arc(g->adj, v, u)));
            count++;
        }
        for (int v = 0; v < N; v++) {
            count -= expected[u][v];
        }
        ck_assert_int_eq(count, 0);
    }
    gs_graph_free(g);
}
END_TEST

START_TEST(graph_from_edges_keeps_direction_when_directed)
{
    const int32_t src[] = {0, 1, 2, 0};
    const int32_t dst[] = {1, 0, 0, 1};
    gs_graph_t *g = NULL;

    ck_assert_int_eq(gs_graph_from_edges(&g, 3, src, dst, NULL, 4, true, NULL), GS_OK);
    ck_assert(g->directed);
    ck_assert_int_eq(g->n_edges, 3);
    ck_assert_int_eq(g->n_duplicates_dropped, 1);
    ck_assert_int_eq(gs_graph_degree(g, 0), 1);
    ck_assert_int_eq(gs_graph_degree(g, 2), 1);
    ck_assert(isnan(arc(g->adj, 0, 2)));
    ck_assert_ptr_null(g->adj->transpose);
    gs_graph_free(g);
}
END_TEST

START_TEST(graph_from_edges_keeps_first_weight_of_duplicates)
{
    const int32_t src[] = {0, 2, 1};
    const int32_t dst[] = {1, 1, 0};
    const float w[] = {2.5f, 4.0f, 7.0f};
    gs_graph_t *g = NULL;

    ck_assert_int_eq(gs_graph_from_edges(&g, 3, src, dst, w, 3, false, NULL), GS_OK);
    ck_assert(g->weighted);
    ck_assert_int_eq(g->n_edges, 2);
    ck_assert_float_eq(arc(g->adj, 0, 1), 2.5f);
    ck_assert_float_eq(arc(g->adj, 1, 0), 2.5f);
    ck_assert_float_eq(arc(g->adj, 1, 2), 4.0f);
    gs_graph_free(g);
}
END_TEST

START_TEST(graph_from_edges_rejects_out_of_range_node)
{
    const int32_t src[] = {0, 4};
    const int32_t dst[] = {1, 2};
    gs_graph_t *g = (gs_graph_t *)&g;

    ck_assert_int_eq(gs_graph_from_edges(&g, 4, src, dst, NULL, 2, false, NULL),
                     GS_ERR_INVALID);
    ck_assert_ptr_null(g);
    ck_assert_str_eq(gs_last_error(), "edge 1 (4, 2) names a node outside 0..3");
}
END_TEST

START_TEST(graph_from_edges_rejects_non_finite_weight)
{
    const int32_t src[] = {0};
    const int32_t dst[] = {1};
    const float w[] = {INFINITY};
    gs_graph_t *g = NULL;

    ck_assert_int_eq(gs_graph_from_edges(&g, 2, src, dst, w, 1, false, NULL), GS_ERR_INVALID);
    ck_assert_str_eq(gs_last_error(), "edge 0 has a non-finite weight");
}
END_TEST

START_TEST(graph_from_edges_copies_names)
{
    char *names[] = {"carol", "alice", "bob"};
    const int32_t src[] = {0};
    const int32_t dst[] = {2};
    gs_graph_t *g = NULL;

    ck_assert_int_eq(gs_graph_from_edges(&g, 3, src, dst, NULL, 1, false, names), GS_OK);
    ck_assert_ptr_ne(g->names[0], names[0]);
    ck_assert_str_eq(g->names[0], "carol");
    ck_assert(!g->numeric_names);
    ck_assert_int_eq(gs_graph_find_node(g, "alice"), 1);
    ck_assert_int_eq(gs_graph_find_node(g, "bob"), 2);
    ck_assert_int_eq(gs_graph_find_node(g, "carol"), 0);
    ck_assert_int_eq(gs_graph_find_node(g, "dave"), -1);
    gs_graph_free(g);
}
END_TEST

START_TEST(graph_from_edges_rejects_duplicate_names)
{
    char *names[] = {"x", "y", "x"};
    const int32_t src[] = {0};
    const int32_t dst[] = {1};
    gs_graph_t *g = NULL;

    ck_assert_int_eq(gs_graph_from_edges(&g, 3, src, dst, NULL, 1, false, names),
                     GS_ERR_INVALID);
    ck_assert_str_eq(gs_last_error(), "duplicate node name 'x'");
}
END_TEST

START_TEST(graph_find_node_searches_numeric_names)
{
    char *names[] = {"-7", "3", "40", "500"};
    const int32_t src[] = {0, 2};
    const int32_t dst[] = {1, 3};
    gs_graph_t *g = NULL;

    ck_assert_int_eq(gs_graph_from_edges(&g, 4, src, dst, NULL, 2, false, names), GS_OK);
    ck_assert(g->numeric_names);
    ck_assert_int_eq(gs_graph_find_node(g, "-7"), 0);
    ck_assert_int_eq(gs_graph_find_node(g, "40"), 2);
    ck_assert_int_eq(gs_graph_find_node(g, "500"), 3);
    ck_assert_int_eq(gs_graph_find_node(g, "040"), -1);
    ck_assert_int_eq(gs_graph_find_node(g, "41"), -1);
    ck_assert_int_eq(gs_graph_find_node(g, "x"), -1);
    gs_graph_free(g);
}
END_TEST

START_TEST(graph_default_names_are_indices)
{
    const int32_t src[] = {0};
    const int32_t dst[] = {11};
    gs_graph_t *g = NULL;

    ck_assert_int_eq(gs_graph_from_edges(&g, 12, src, dst, NULL, 1, false, NULL), GS_OK);
    ck_assert(g->numeric_names);
    ck_assert_str_eq(g->names[11], "11");
    ck_assert_int_eq(gs_graph_find_node(g, "7"), 7);
    ck_assert_int_eq(gs_graph_find_node(g, "12"), -1);
    gs_graph_free(g);
}
END_TEST

START_TEST(graph_normalized_adjacency_matches_hand_values_on_path)
{
    /* Path 0 - 1 - 2: degrees with self loops are 2, 3, 2. */
    const int32_t src[] = {0, 1};
    const int32_t dst[] = {1, 2};
    const int32_t want_indices[] = {0, 1, 0, 1, 2, 1, 2};
    const float s6 = (float)(1.0 / sqrt(6.0));
    const float want_values[] = {0.5f, s6, s6, 1.0f / 3.0f, s6, s6, 0.5f};
    gs_graph_t *g = NULL;
    gs_csr_t *a = NULL;

    ck_assert_int_eq(gs_graph_from_edges(&g, 3, src, dst, NULL, 2, false, NULL), GS_OK);
    ck_assert_int_eq(gs_graph_normalized_adjacency(g, &a), GS_OK);
    ck_assert_int_eq(gs_csr_nnz(a), 7);
    ck_assert_int_eq(a->indptr[1], 2);
    ck_assert_int_eq(a->indptr[2], 5);
    for (int e = 0; e < 7; e++) {
        ck_assert_int_eq(a->indices[e], want_indices[e]);
        ck_assert_float_eq_tol(a->values[e], want_values[e], 1e-7f);
    }
    ck_assert_ptr_eq(a->transpose, a);
    ck_assert(!a->owns_transpose);
    gs_csr_free(a);
    gs_graph_free(g);
}
END_TEST

START_TEST(graph_normalized_adjacency_uses_weights)
{
    /* Weighted path 0 -2- 1 -1- 2: degrees with self loops are 3, 4, 2. */
    const int32_t src[] = {0, 1};
    const int32_t dst[] = {1, 2};
    const float w[] = {2.0f, 1.0f};
    gs_graph_t *g = NULL;
    gs_csr_t *a = NULL;

    ck_assert_int_eq(gs_graph_from_edges(&g, 3, src, dst, w, 2, false, NULL), GS_OK);
    ck_assert_int_eq(gs_graph_normalized_adjacency(g, &a), GS_OK);
    ck_assert_float_eq_tol(arc(a, 0, 0), 1.0f / 3.0f, 1e-7f);
    ck_assert_float_eq_tol(arc(a, 0, 1), (float)(2.0 / sqrt(12.0)), 1e-7f);
    ck_assert_float_eq_tol(arc(a, 1, 1), 0.25f, 1e-7f);
    ck_assert_float_eq_tol(arc(a, 2, 1), (float)(1.0 / sqrt(8.0)), 1e-7f);
    gs_csr_free(a);
    gs_graph_free(g);
}
END_TEST

START_TEST(graph_karate_has_34_nodes_78_edges_two_factions)
{
    gs_graph_t *g = NULL;
    int size[2] = {0, 0};

    ck_assert_int_eq(gs_graph_karate(&g), GS_OK);
    ck_assert_int_eq(g->n_nodes, 34);
    ck_assert_int_eq(g->n_edges, 78);
    ck_assert_int_eq(g->n_classes, 2);
    ck_assert_str_eq(g->class_names[0], "Mr. Hi");
    ck_assert_str_eq(g->class_names[1], "Officer");
    for (int v = 0; v < 34; v++) {
        size[g->labels[v]]++;
    }
    ck_assert_int_eq(size[0], 17);
    ck_assert_int_eq(size[1], 17);
    ck_assert_int_eq(g->labels[0], 0);
    ck_assert_int_eq(g->labels[33], 1);
    ck_assert_int_eq(gs_graph_degree(g, 0), 16);
    ck_assert_int_eq(gs_graph_degree(g, 33), 17);
    ck_assert(g->numeric_names);
    ck_assert_str_eq(g->names[33], "33");
    ck_assert_int_eq(g->n_features, 0);
    ck_assert_ptr_null(g->split);
    gs_graph_free(g);
}
END_TEST

START_TEST(graph_identity_features_are_sparse_one_hot)
{
    gs_graph_t *g = NULL;
    gs_tensor_t *x = NULL;

    ck_assert_int_eq(gs_graph_karate(&g), GS_OK);
    ck_assert_int_eq(gs_graph_set_identity_features(g), GS_OK);
    ck_assert_int_eq(g->n_features, 34);
    ck_assert_int_eq(gs_csr_nnz(g->features_sparse), 34);
    ck_assert_int_eq(g->features_sparse->indices[20], 20);
    ck_assert_float_eq(g->features_sparse->values[20], 1.0f);

    ck_assert_int_eq(gs_graph_features_dense(g, &x), GS_OK);
    ck_assert_float_eq(x->data[5 * 34 + 5], 1.0f);
    ck_assert_float_eq(x->data[5 * 34 + 6], 0.0f);
    gs_tensor_free(x);

    /* A graph that has features keeps them. */
    g->features_sparse->values[0] = 3.0f;
    ck_assert_int_eq(gs_graph_set_identity_features(g), GS_OK);
    ck_assert_float_eq(g->features_sparse->values[0], 3.0f);
    gs_graph_free(g);
}
END_TEST

START_TEST(graph_features_dense_fails_without_features)
{
    gs_graph_t *g = NULL;
    gs_tensor_t *x = NULL;

    ck_assert_int_eq(gs_graph_karate(&g), GS_OK);
    ck_assert_int_eq(gs_graph_features_dense(g, &x), GS_ERR_INVALID);
    ck_assert_ptr_null(x);
    ck_assert_str_eq(gs_last_error(), "the graph has no features");
    gs_graph_free(g);
}
END_TEST

START_TEST(graph_row_normalize_divides_sparse_rows_by_sum)
{
    gs_graph_t *g = NULL;
    gs_csr_t *x;

    ck_assert_int_eq(gs_graph_karate(&g), GS_OK);
    x = gs_csr_new(34, 3, 3);
    for (int v = 1; v <= 34; v++) {
        x->indptr[v] = v == 1 ? 2 : 3;
    }
    x->indices[0] = 0;
    x->values[0] = 1.0f;
    x->indices[1] = 2;
    x->values[1] = 3.0f;
    x->indices[2] = 1;
    x->values[2] = 0.0f;
    g->features_sparse = x;
    g->n_features = 3;

    gs_graph_row_normalize_features(g);
    ck_assert_float_eq(x->values[0], 0.25f);
    ck_assert_float_eq(x->values[1], 0.75f);
    ck_assert_float_eq(x->values[2], 0.0f);
    gs_graph_free(g);
}
END_TEST

START_TEST(graph_row_normalize_divides_dense_rows_by_sum)
{
    const int32_t src[] = {0};
    const int32_t dst[] = {1};
    gs_graph_t *g = NULL;
    float *x = calloc(4, sizeof *x);

    ck_assert_int_eq(gs_graph_from_edges(&g, 2, src, dst, NULL, 1, false, NULL), GS_OK);
    x[0] = 1.0f;
    x[1] = 4.0f;
    g->features_dense = x;
    g->n_features = 2;

    gs_graph_row_normalize_features(g);
    ck_assert_float_eq(x[0], 0.2f);
    ck_assert_float_eq(x[1], 0.8f);
    ck_assert_float_eq(x[2], 0.0f);
    ck_assert_float_eq(x[3], 0.0f);
    gs_graph_free(g);
}
END_TEST

START_TEST(graph_from_edges_sorts_long_rows_stably)
{
    /* Node 0 gets 40 neighbours in descending order, one of them twice with two weights:
     * the row comes out ascending and the first weight listed is kept. */
    int32_t src[41], dst[41];
    float w[41];
    gs_graph_t *g = NULL;

    for (int e = 0; e < 40; e++) {
        src[e] = 0;
        dst[e] = 40 - e;
        w[e] = (float)e;
    }
    src[40] = 7;
    dst[40] = 0;
    w[40] = 99.0f;
    ck_assert_int_eq(gs_graph_from_edges(&g, 41, src, dst, w, 41, false, NULL), GS_OK);
    ck_assert_int_eq(gs_graph_degree(g, 0), 40);
    for (int k = 0; k < 40; k++) {
        ck_assert_int_eq(g->adj->indices[k], k + 1);
    }
    ck_assert_float_eq(arc(g->adj, 0, 7), 33.0f);
    ck_assert_float_eq(arc(g->adj, 7, 0), 33.0f);
    ck_assert_int_eq(g->n_duplicates_dropped, 1);
    gs_graph_free(g);
}
END_TEST

static gs_graph_t *path_graph(int n, char **names)
{
    int32_t *src = malloc((size_t)n * sizeof *src);
    int32_t *dst = malloc((size_t)n * sizeof *dst);
    gs_graph_t *g = NULL;

    for (int v = 0; v + 1 < n; v++) {
        src[v] = v;
        dst[v] = v + 1;
    }
    ck_assert_int_eq(gs_graph_from_edges(&g, n, src, dst, NULL, n - 1, false, names), GS_OK);
    free(src);
    free(dst);
    return g;
}

START_TEST(graph_add_nodes_merges_numeric_names_in_order)
{
    char *names[] = {"10", "20", "30"};
    char *added[] = {"25", "5"};
    gs_graph_t *g = path_graph(3, names);
    int32_t map[5];

    g->labels = malloc(3 * sizeof *g->labels);
    g->labels[0] = 1;
    g->labels[1] = 0;
    g->labels[2] = 1;
    g->n_classes = 2;
    g->class_names = calloc(2, sizeof *g->class_names);
    g->class_names[0] = strdup("a");
    g->class_names[1] = strdup("b");
    ck_assert_int_eq(gs_i_graph_add_nodes(g, added, 2, map), GS_OK);

    /* 5 10 20 25 30: old nodes move up, the adjacency follows them. */
    ck_assert_int_eq(g->n_nodes, 5);
    ck_assert(g->numeric_names);
    ck_assert_int_eq(map[0], 1);
    ck_assert_int_eq(map[2], 4);
    ck_assert_int_eq(map[3], 3);
    ck_assert_int_eq(map[4], 0);
    ck_assert_str_eq(g->names[3], "25");
    ck_assert_float_eq(arc(g->adj, 2, 4), 1.0f);
    ck_assert_int_eq(gs_graph_degree(g, 0), 0);
    ck_assert_int_eq(gs_graph_degree(g, 3), 0);
    ck_assert_int_eq(g->labels[4], 1);
    ck_assert_int_eq(g->labels[3], -1);
    ck_assert_int_eq(gs_graph_find_node(g, "25"), 3);
    ck_assert_int_eq(g->n_edges, 2);
    gs_graph_free(g);
}
END_TEST

START_TEST(graph_add_nodes_appends_other_names)
{
    char *names[] = {"b", "a"};
    char *added[] = {"0", "c"};
    gs_graph_t *g = path_graph(2, names);

    ck_assert_int_eq(gs_graph_set_identity_features(g), GS_OK);
    ck_assert_int_eq(gs_i_graph_add_nodes(g, added, 2, NULL), GS_OK);
    ck_assert(!g->numeric_names);
    ck_assert_str_eq(g->names[2], "0");
    ck_assert_int_eq(gs_graph_find_node(g, "c"), 3);
    ck_assert_int_eq(gs_graph_find_node(g, "a"), 1);
    ck_assert_int_eq(g->features_sparse->n_rows, 4);
    ck_assert_int_eq(g->features_sparse->indptr[4], 2);
    gs_graph_free(g);
}
END_TEST

START_TEST(graph_components_count_and_largest)
{
    const int32_t src[] = {0, 1, 3};
    const int32_t dst[] = {1, 2, 4};
    gs_graph_t *g = NULL;
    int32_t membership[6];
    int n_components = 0, largest = 0;

    ck_assert_int_eq(gs_graph_from_edges(&g, 6, src, dst, NULL, 3, false, NULL), GS_OK);
    ck_assert_int_eq(gs_graph_components(g, membership, &n_components, &largest), GS_OK);
    ck_assert_int_eq(n_components, 3);
    ck_assert_int_eq(largest, 3);
    ck_assert_int_eq(membership[2], 0);
    ck_assert_int_eq(membership[4], 1);
    ck_assert_int_eq(membership[5], 2);
    gs_graph_free(g);
}
END_TEST

START_TEST(graph_components_follow_arcs_both_ways_when_directed)
{
    const int32_t src[] = {0, 2, 4};
    const int32_t dst[] = {1, 1, 3};
    gs_graph_t *g = NULL;
    int n_components = 0, largest = 0;

    ck_assert_int_eq(gs_graph_from_edges(&g, 6, src, dst, NULL, 3, true, NULL), GS_OK);
    ck_assert_int_eq(gs_graph_components(g, NULL, &n_components, &largest), GS_OK);
    ck_assert_int_eq(n_components, 3);
    ck_assert_int_eq(largest, 3);
    gs_graph_free(g);
}
END_TEST

START_TEST(graph_feature_kind_parse_accepts_only_the_listed_kinds)
{
    gs_feature_kind_t kind;
    int k = -1;

    ck_assert(gs_feature_kind_parse("lap-eig:32", &kind, &k));
    ck_assert_int_eq(kind, GS_FEATURES_LAP_EIG);
    ck_assert_int_eq(k, 32);
    ck_assert(gs_feature_kind_parse("degree", &kind, &k));
    ck_assert_int_eq(k, 0);
    ck_assert(!gs_feature_kind_parse("identity:4", &kind, &k));
    ck_assert(!gs_feature_kind_parse("random:0", &kind, &k));
    ck_assert(!gs_feature_kind_parse("random:x", &kind, &k));
    ck_assert(!gs_feature_kind_parse("randomly", &kind, &k));
    ck_assert_str_eq(gs_feature_kind_name(GS_FEATURES_CONSTANT), "constant");
}
END_TEST

START_TEST(graph_degree_features_cap_high_degrees)
{
    const int32_t src[] = {0, 0, 0, 1};
    const int32_t dst[] = {1, 2, 3, 2};
    gs_graph_t *g = NULL;
    const gs_csr_t *x;

    ck_assert_int_eq(gs_graph_from_edges(&g, 5, src, dst, NULL, 4, false, NULL), GS_OK);
    ck_assert_int_eq(gs_graph_make_features(g, GS_FEATURES_DEGREE, 3, 0), GS_OK);
    x = g->features_sparse;
    ck_assert_int_eq(g->n_features, 3);
    ck_assert_int_eq(x->indices[0], 2);  /* degree 3, capped into the last column */
    ck_assert_int_eq(x->indices[1], 2);
    ck_assert_int_eq(x->indices[3], 1);
    ck_assert_int_eq(x->indices[4], 0);  /* isolated */
    gs_graph_free(g);
}
END_TEST

START_TEST(graph_lap_eig_on_a_path_is_the_fiedler_vector)
{
    /* A path 0-1-2-3: the second eigenvector of the normalized Laplacian is antisymmetric
     * about the middle and monotone along the path; its sign makes the largest entry
     * positive. */
    gs_graph_t *g = path_graph(4, NULL);
    const float *x;

    ck_assert_int_eq(gs_graph_make_features(g, GS_FEATURES_LAP_EIG, 1, 0), GS_OK);
    x = g->features_dense;
    ck_assert_int_eq(g->n_features, 1);
    ck_assert_float_eq_tol(x[0], -x[3], 1e-5f);
    ck_assert_float_eq_tol(x[1], -x[2], 1e-5f);
    ck_assert(x[0] > x[1] && x[1] > 0.0f);
    gs_graph_free(g);
}
END_TEST

START_TEST(graph_lap_eig_arpack_finds_the_top_eigenvalues_of_a_ring)
{
    /* A ring of 1200 nodes goes through ARPACK; the top non-trivial eigenvalue of
     * D^-1/2 A D^-1/2 is cos(2 pi / n), twice, so each vector's Rayleigh quotient is it. */
    enum { N = 1200 };
    int32_t src[N], dst[N];
    gs_graph_t *g = NULL;
    double want = cos(2.0 * M_PI / N);

    for (int v = 0; v < N; v++) {
        src[v] = v;
        dst[v] = (v + 1) % N;
    }
    ck_assert_int_eq(gs_graph_from_edges(&g, N, src, dst, NULL, N, false, NULL), GS_OK);
    ck_assert_int_eq(gs_graph_make_features(g, GS_FEATURES_LAP_EIG, 2, 3), GS_OK);
    for (int j = 0; j < 2; j++) {
        double num = 0.0, den = 0.0;

        for (int v = 0; v < N; v++) {
            double xv = g->features_dense[v * 2 + j];

            num += xv * g->features_dense[((v + 1) % N) * 2 + j];
            den += xv * xv;
        }
        ck_assert_double_eq_tol(num / den, want, 1e-6);
    }
    gs_graph_free(g);
}
END_TEST

/* Karate (which = 0: dense LAPACK; its spectrum has repeated values) or three rings of
 * 500 (which = 1: ARPACK; every eigenvalue at least triple). */
static gs_graph_t *repeated_spectrum_graph(int which)
{
    enum { RING = 500, RINGS = 3 };
    int32_t src[RING * RINGS], dst[RING * RINGS];
    gs_graph_t *g = NULL;

    if (which == 0) {
        ck_assert_int_eq(gs_graph_karate(&g), GS_OK);
        return g;
    }
    for (int v = 0; v < RING * RINGS; v++) {
        src[v] = v;
        dst[v] = v % RING == RING - 1 ? v - RING + 1 : v + 1;
    }
    ck_assert_int_eq(gs_graph_from_edges(&g, RING * RINGS, src, dst, NULL, RING * RINGS, false,
                                         NULL), GS_OK);
    return g;
}

/* Repeated eigenvalues let the solver return any basis of their eigenspace: the one it
 * returns must not follow the thread count. */
START_TEST(graph_lap_eig_does_not_depend_on_thread_count)
{
    enum { K = 16 };
    gs_graph_t *one = repeated_spectrum_graph(_i), *two = repeated_spectrum_graph(_i);

    gs_threads_set(1);
    ck_assert_int_eq(gs_graph_make_features(one, GS_FEATURES_LAP_EIG, K, 5), GS_OK);
    gs_threads_set(2);
    ck_assert_int_eq(gs_graph_make_features(two, GS_FEATURES_LAP_EIG, K, 5), GS_OK);
    ck_assert_int_eq(memcmp(one->features_dense, two->features_dense,
                            (size_t)one->n_nodes * K * sizeof *one->features_dense), 0);
    gs_graph_free(one);
    gs_graph_free(two);
}
END_TEST

START_TEST(graph_make_features_rejects_negative_width)
{
    gs_graph_t *g = path_graph(3, NULL);

    ck_assert_int_eq(gs_graph_make_features(g, GS_FEATURES_RANDOM, -1, 0), GS_ERR_INVALID);
    ck_assert_str_eq(gs_last_error(), "expected a feature count K >= 1, found -1");
    gs_graph_free(g);
}
END_TEST

static Suite *graph_suite(void)
{
    Suite *s = suite_create("graph");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, graph_from_edges_drops_loops_and_duplicates);
    tcase_add_test(tc, graph_from_edges_builds_sorted_symmetric_csr);
    tcase_add_test(tc, graph_from_edges_keeps_direction_when_directed);
    tcase_add_test(tc, graph_from_edges_keeps_first_weight_of_duplicates);
    tcase_add_test(tc, graph_from_edges_rejects_out_of_range_node);
    tcase_add_test(tc, graph_from_edges_rejects_non_finite_weight);
    tcase_add_test(tc, graph_from_edges_copies_names);
    tcase_add_test(tc, graph_from_edges_rejects_duplicate_names);
    tcase_add_test(tc, graph_find_node_searches_numeric_names);
    tcase_add_test(tc, graph_default_names_are_indices);
    tcase_add_test(tc, graph_normalized_adjacency_matches_hand_values_on_path);
    tcase_add_test(tc, graph_normalized_adjacency_uses_weights);
    tcase_add_test(tc, graph_karate_has_34_nodes_78_edges_two_factions);
    tcase_add_test(tc, graph_identity_features_are_sparse_one_hot);
    tcase_add_test(tc, graph_features_dense_fails_without_features);
    tcase_add_test(tc, graph_row_normalize_divides_sparse_rows_by_sum);
    tcase_add_test(tc, graph_row_normalize_divides_dense_rows_by_sum);
    tcase_add_test(tc, graph_from_edges_sorts_long_rows_stably);
    tcase_add_test(tc, graph_add_nodes_merges_numeric_names_in_order);
    tcase_add_test(tc, graph_add_nodes_appends_other_names);
    tcase_add_test(tc, graph_components_count_and_largest);
    tcase_add_test(tc, graph_components_follow_arcs_both_ways_when_directed);
    tcase_add_test(tc, graph_feature_kind_parse_accepts_only_the_listed_kinds);
    tcase_add_test(tc, graph_degree_features_cap_high_degrees);
    tcase_add_test(tc, graph_lap_eig_on_a_path_is_the_fiedler_vector);
    tcase_add_test(tc, graph_lap_eig_arpack_finds_the_top_eigenvalues_of_a_ring);
    tcase_add_loop_test(tc, graph_lap_eig_does_not_depend_on_thread_count, 0, 2);
    tcase_add_test(tc, graph_make_features_rejects_negative_width);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(graph_suite());
    int failed;

    /* ARPACK's BLAS calls are tiny; spinning OpenBLAS workers only slow them down. */
    gs_threads_set(1);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

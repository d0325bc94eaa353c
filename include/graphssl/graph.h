/*
 * The in-memory graph: CSR adjacency, node names, optional features, labels and split, and
 * the derived matrices the encoders use (normalized adjacency, normalized features).
 *
 * Adjacency is stored as a CSR with both directions of every undirected edge (so it is
 * symmetric unless the graph is directed), sorted neighbour lists, no self loops and no
 * duplicates.  Weights are the CSR values (1 when the graph is unweighted).
 */
#ifndef GRAPHSSL_GRAPH_H
#define GRAPHSSL_GRAPH_H

#include "graphssl/common.h"
#include "graphssl/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum gs_split {
    GS_SPLIT_NONE = 0,
    GS_SPLIT_TRAIN,
    GS_SPLIT_VAL,
    GS_SPLIT_TEST
} gs_split_t;

typedef struct gs_graph {
    int n_nodes;
    int64_t n_edges;          /* undirected edges (directed arcs when directed) */
    bool directed;
    bool weighted;
    gs_csr_t *adj;            /* n_nodes x n_nodes, see above */
    char **names;             /* n_nodes node names as given in the input */
    bool numeric_names;       /* every name is an integer; nodes are in ascending order */

    /* Features: at most one of the two is set; n_features is 0 when there are none. */
    int n_features;
    gs_csr_t *features_sparse;  /* n_nodes x n_features */
    float *features_dense;      /* n_nodes x n_features row-major */

    /* Labels: labels[v] in 0..n_classes-1, or -1 for an unlabelled node; NULL if none. */
    int32_t *labels;
    int n_classes;
    char **class_names;       /* n_classes names as given in the labels file */

    /* Split: one gs_split_t per node as uint8_t; NULL if none. */
    uint8_t *split;

    /* Counts reported by the loader. */
    int64_t n_self_loops_dropped;
    int64_t n_duplicates_dropped;
} gs_graph_t;

/* Allocates an empty graph (no nodes).  The library keeps private data beside the struct,
 * so graphs come only from gs_graph_new(), gs_graph_from_edges() and the loaders, never
 * from the caller's own allocation, and go back through gs_graph_free(). */
GS_API gs_graph_t *gs_graph_new(void);
GS_API void gs_graph_free(gs_graph_t *g);

/*
 * Builds a graph from n_edges (src[e], dst[e]) pairs over n_nodes nodes named by index
 * (names are "0".."n-1" unless names is given: copied).  weights may be NULL.  Self loops
 * and duplicates are dropped and counted; unless directed, both directions merge.
 */
GS_API gs_status_t gs_graph_from_edges(gs_graph_t **out, int n_nodes, const int32_t *src,
                                       const int32_t *dst, const float *weights,
                                       int64_t n_edges, bool directed, char **names);

/* Index of a node name, or -1. */
GS_API int gs_graph_find_node(const gs_graph_t *g, const char *name);

/* Zachary's karate club (34 nodes, 78 edges) with its two-faction labels; no features. */
GS_API gs_status_t gs_graph_karate(gs_graph_t **out);

/* Degree of v (number of neighbours). */
static inline int gs_graph_degree(const gs_graph_t *g, int v)
{
    return (int)(g->adj->indptr[v + 1] - g->adj->indptr[v]);
}

/* D^-1/2 (A + I) D^-1/2 with D the degrees of A + I; symmetric, transpose set to itself.
 * The caller frees it with gs_csr_free(). */
GS_API gs_status_t gs_graph_normalized_adjacency(const gs_graph_t *g, gs_csr_t **out);

/* Sets identity (one-hot, sparse) features when the graph has none. */
GS_API gs_status_t gs_graph_set_identity_features(gs_graph_t *g);

/* Features for graphs without any (see gs_graph_make_features). */
typedef enum gs_feature_kind {
    GS_FEATURES_IDENTITY = 0, /* one-hot node index, sparse N x N */
    GS_FEATURES_DEGREE,       /* one-hot degree, sparse N x K (default K: max degree + 1,
                                 at most 256); degrees >= K-1 share the last column */
    GS_FEATURES_CONSTANT,     /* one column of ones */
    GS_FEATURES_LAP_EIG,      /* K eigenvectors of I - D^-1/2 A D^-1/2 with the smallest
                                 eigenvalues after the trivial one (default K 16), dense */
    GS_FEATURES_RANDOM        /* K standard normal columns from the seed (default K 64) */
} gs_feature_kind_t;

/* Parses "identity", "degree[:K]", "constant", "lap-eig[:K]" or "random[:K]"; *k is 0 when
 * no K is given.  False for anything else. */
GS_API bool gs_feature_kind_parse(const char *spec, gs_feature_kind_t *kind, int *k);

/* The spec name of a kind ("lap-eig", ...). */
GS_API const char *gs_feature_kind_name(gs_feature_kind_t kind);

/*
 * Replaces g's features with generated ones of the given kind; k = 0 takes the kind's
 * default width.  seed drives random features and the start vector of the eigensolver, so
 * the same seed gives the same features.  GS_ERR_INVALID for a graph without nodes or
 * k < 0, GS_ERR_NOMEM, GS_ERR_NUMERIC when the eigensolver does not converge.
 */
GS_API gs_status_t gs_graph_make_features(gs_graph_t *g, gs_feature_kind_t kind, int k,
                                          uint64_t seed);

/*
 * Weakly connected components.  membership (n_nodes entries, may be NULL) gets each node's
 * component, numbered in order of their smallest node; *n_components their number and
 * *largest the size of the largest (both may be NULL).
 */
GS_API gs_status_t gs_graph_components(const gs_graph_t *g, int32_t *membership,
                                       int *n_components, int *largest);

/* Divides every feature row by its sum (rows summing to 0 are left as they are). */
GS_API void gs_graph_row_normalize_features(gs_graph_t *g);

/* Features as a dense n_nodes x n_features tensor (copied). */
GS_API gs_status_t gs_graph_features_dense(const gs_graph_t *g, gs_tensor_t **out);

#ifdef __cplusplus
}
#endif

#endif

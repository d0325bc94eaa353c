/*
 * The link-auc protocol of graph auto-encoders (Kipf & Welling, 2016): an edge split of an
 * undirected graph into train, validation and test edges with as many sampled non-edges
 * for validation and test, and the AUC and AP of inner-product scores on it.
 *
 * Drawn splits hold out floor(E / 20) edges for validation and floor(E / 10) for test, as
 * the authors' mask_test_edges() does; the rest are the train edges, the only ones the
 * encoder may see.  Non-edges are unordered pairs u != v drawn uniformly, never equal to a
 * true edge (of the graph or of a given held-out set) and never repeated, so the validation
 * and test negatives are disjoint.  The same graph and seed give the same split.
 *
 * Pairs name nodes by index; on disk they name them by the graph's node names, one
 * "u v" pair per line.
 */
#ifndef GRAPHSSL_LINK_H
#define GRAPHSSL_LINK_H

#include "graphssl/common.h"
#include "graphssl/graph.h"
#include "graphssl/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* n node pairs (u[i], v[i]); for undirected edges u < v. */
typedef struct gs_pairs {
    int64_t n;
    int32_t *u;
    int32_t *v;
} gs_pairs_t;

typedef struct gs_link_split {
    int n_nodes;
    gs_pairs_t train;      /* the encoder's edges */
    gs_pairs_t val;        /* held-out edges for validation (may be empty) */
    gs_pairs_t val_neg;    /* as many non-edges */
    gs_pairs_t test;       /* held-out edges for the reported scores (may be empty) */
    gs_pairs_t test_neg;   /* as many non-edges */
} gs_link_split_t;

/* The file names gs_link_split_save() writes inside its directory. */
#define GS_LINK_TRAIN_FILE "train.edges"
#define GS_LINK_VAL_FILE "val.edges"
#define GS_LINK_VAL_NEG_FILE "val.negatives"
#define GS_LINK_TEST_FILE "test.edges"
#define GS_LINK_TEST_NEG_FILE "test.negatives"

/* An empty split (every list empty); safe to destroy. */
GS_API void gs_link_split_init(gs_link_split_t *s);
GS_API void gs_link_split_destroy(gs_link_split_t *s);

/*
 * Draws the link-auc split of g from seed: val_fraction and test_fraction of its undirected
 * edges (rounded down; 0.05 and 0.10 in the protocol), each with as many non-edges.
 * GS_ERR_UNSUPPORTED for a directed graph, GS_ERR_INVALID for fractions outside [0, 1)
 * whose sum reaches 1 or a graph too dense to hold that many non-edges, GS_ERR_NOMEM.
 * out must be initialised; its previous lists are freed.
 */
GS_API gs_status_t gs_link_split_draw(const gs_graph_t *g, double val_fraction,
                                      double test_fraction, uint64_t seed,
                                      gs_link_split_t *out);

/*
 * Reads node pairs "u v" (names of g's nodes, separated by spaces, tabs or commas; '#' and
 * '%' comment lines) from path into out (which it allocates; free with
 * gs_pairs_destroy()).  Each pair is stored with u < v.  GS_ERR_IO when the file cannot be
 * read, GS_ERR_PARSE with FILE:LINE for a line without two names, an unknown name or a
 * pair of a node with itself.
 */
GS_API gs_status_t gs_pairs_load(const gs_graph_t *g, const char *path, gs_pairs_t *out);
GS_API void gs_pairs_destroy(gs_pairs_t *p);

/*
 * Completes a split whose val, test, val_neg and test_neg were given (any may be empty):
 * the train edges become g's edges except the given held-out ones (which g need not hold),
 * and a held-out set without negatives gets as many drawn from seed.  GS_ERR_INVALID when a
 * given negative is a true edge, when negatives are given without their edges, or when an
 * edge is both in val and in test.
 */
GS_API gs_status_t gs_link_split_complete(const gs_graph_t *g, uint64_t seed,
                                          gs_link_split_t *s);

/*
 * Writes the five lists into directory dir (created if missing) as GS_LINK_*_FILE files,
 * one "u v" pair of node names per line, each file atomically: written to a temporary file
 * of a unique name beside it, then renamed over it.  Only a regular file is replaced.
 * GS_ERR_IO on failure (a target that exists but is not a regular file included),
 * GS_ERR_NOMEM.
 */
GS_API gs_status_t gs_link_split_save(const gs_graph_t *g, const gs_link_split_t *s,
                                      const char *dir);

/*
 * The symmetric n_nodes x n_nodes adjacency of the train edges: both directions of each,
 * sorted neighbour lists, values 1.  The caller frees it with gs_csr_free().
 */
GS_API gs_status_t gs_link_split_train_adjacency(const gs_link_split_t *s, gs_csr_t **out);

/* scores[i] = sigmoid(emb[u_i] . emb[v_i]), in double. */
GS_API void gs_link_scores(const gs_tensor_t *emb, const gs_pairs_t *pairs, double *scores);

/*
 * link-auc: AUC and AP of the scores of pos against those of neg.  GS_ERR_INVALID when
 * either list is empty, GS_ERR_NOMEM.
 */
GS_API gs_status_t gs_link_evaluate(const gs_tensor_t *emb, const gs_pairs_t *pos,
                                    const gs_pairs_t *neg, double *auc, double *ap);

#ifdef __cplusplus
}
#endif

#endif

/*
 * GraphGAN's pieces, shared by its files and its tests: the embedding tables with their
 * Adam state, the graph softmax on a BFS tree, and the sampled training rounds.
 */
#ifndef GS_MODELS_GRAPHGAN_INTERNAL_H
#define GS_MODELS_GRAPHGAN_INTERNAL_H

#include "graph/bfs_tree.h"
#include "graphssl/graphgan.h"

/* A matrix trained by Adam on the rows each batch touches. */
typedef struct gs_i_gg_param {
    int rows;
    int cols;
    float *w;            /* (rows, cols) */
    float *m, *v;        /* (rows, cols) Adam moments */
    int cap;             /* rows a batch may touch */
    int n_touched;
    int32_t *slot;       /* (rows) row's place in grad, -1 when untouched */
    int32_t *touched;    /* (cap) touched rows in order of first touch */
    float *grad;         /* (cap, cols) */
} gs_i_gg_param_t;

/*
 * G's or D's embeddings with a bias per node.  Shapes: N nodes, D dimensions, F features,
 * B pairs per batch.  A free table trains the (N, D) node vectors themselves; the GCN
 * generator trains W (F, D) and a node's vector is row u of H W with H = Â X (N, F), one
 * linear GCN layer (X the identity when the graph has no features).
 */
typedef struct gs_i_gg_table {
    int n;
    int dim;
    gs_i_gg_param_t weight;   /* (N, D) node vectors, or (F, D) GCN weight */
    gs_i_gg_param_t bias;     /* (N, 1) */
    const gs_csr_t *h;        /* (N, F) propagated features, or NULL for a free table */
    float *emb;               /* (N, D) node vectors: weight.w, or H W (see refresh) */
    float *scratch;           /* (2, D) vectors of a pair on the GCN path */
    int64_t step;             /* Adam steps taken */
    float lr;
    float lambda;             /* L2 weight on the vectors (and D's biases) a batch gathers */
} gs_i_gg_table_t;

/* A free table of n nodes, or a GCN table over h (not owned) when h is not NULL. */
gs_status_t gs_i_gg_table_init(gs_i_gg_table_t *t, int n, int dim, int batch,
                               const gs_csr_t *h, float lr, float lambda);
void gs_i_gg_table_destroy(gs_i_gg_table_t *t);

/* Recomputes emb = H W after W changed (nothing to do for a free table). */
void gs_i_gg_table_refresh(gs_i_gg_table_t *t);

/* Relevance of node c to node u in G: g_u . g_c + b_c (the original's all_score). */
static inline double gs_i_gg_relevance(const gs_i_gg_table_t *g, int u, int c)
{
    const float *a = g->emb + (size_t)u * g->dim, *b = g->emb + (size_t)c * g->dim;
    double s = 0.0;

    for (int k = 0; k < g->dim; k++) {
        s += (double)a[k] * b[k];
    }
    return s + g->bias.w[c];
}

/*
 * One D step on n labelled pairs (n, 2): the sum over the batch of the cross-entropy of
 * s = d_u . d_v + b_v, plus lambda/2 of the squared norms of the gathered rows and biases,
 * then an Adam update.  Returns the summed cross-entropy.
 */
double gs_i_gg_dis_step(gs_i_gg_table_t *d, const int32_t *pairs, const float *labels, int n);

/*
 * One G step on n rewarded pairs: the mean over the batch of -reward * log max(s(g_u . g_v +
 * b_v), 1e-5), plus lambda/2 of the squared norms of the gathered rows, then an Adam
 * update.  Returns the summed -reward * log prob.
 */
double gs_i_gg_gen_step(gs_i_gg_table_t *g, const int32_t *pairs, const float *reward, int n);

/* D's reward for G's pair (u, v): log(1 + exp(s)) with s = d_u . d_v + b_v clipped to
 * [-10, 10], as the original. */
float gs_i_gg_reward(const gs_i_gg_table_t *d, int u, int v);

/*
 * The graph softmax of Wang et al.: from tree slot x, the walk moves to one of x's tree
 * neighbours y (its parent, then its children) with probability proportional to
 * exp(relevance(node x, node y)).  buf holds one double per candidate (degree + 1).
 */

/* Probability of the move x -> y (0 when y is not a tree neighbour of x). */
double gs_i_gg_step_probability(const gs_i_bfs_tree_t *t, const gs_i_gg_table_t *g, int x,
                                int y, double *buf);

/* G(v | root) for the node in slot: the product of the moves from the root down to it and
 * of the move back to its parent, where the walk stops (equation 6 of the paper). */
double gs_i_gg_softmax_probability(const gs_i_bfs_tree_t *t, const gs_i_gg_table_t *g,
                                   int slot, double *buf);

/*
 * Walks the tree from the root until it first turns back towards the parent; returns the
 * slot where it turned (G's sample), and the slots visited from the root to it in path
 * (*path_len of them).  With away_from_root the root's children may not return to the
 * root, so the sample lies two or more hops away (D's negatives); such a walk can get
 * stuck at a child without children of its own, and then returns -1, as does a walk from a
 * root without children.
 */
int gs_i_gg_walk(const gs_i_bfs_tree_t *t, const gs_i_gg_table_t *g, bool away_from_root,
                 gs_rng_t *rng, double *buf, int32_t *path, int *path_len);

/* Pairs (n, 2) with one float each (label or reward), grown as needed. */
typedef struct gs_i_gg_pairs {
    int32_t *pairs;
    float *value;
    int64_t n;
    int64_t cap;
} gs_i_gg_pairs_t;

void gs_i_gg_pairs_destroy(gs_i_gg_pairs_t *p);

/* What a round of sampling reads. */
typedef struct gs_i_gg_sampler {
    const gs_graph_t *g;
    gs_i_bfs_cache_t *trees;
    const gs_i_gg_table_t *gen;
    uint64_t seed;
    int n_sample_gen;
    int window;
} gs_i_gg_sampler_t;

/*
 * D's data for one step: for every root, its neighbours (label 1) and as many G samples
 * away from the root (label 0).  G's data: for every root, n_sample_gen walks and the
 * pairs within window along each (value 0, rewards are D's to fill in).  stream tells the
 * rounds apart; the result is the same for any number of threads.
 */
gs_status_t gs_i_gg_sample_dis(const gs_i_gg_sampler_t *s, uint64_t stream,
                               gs_i_gg_pairs_t *out);
gs_status_t gs_i_gg_sample_gen(const gs_i_gg_sampler_t *s, uint64_t stream,
                               gs_i_gg_pairs_t *out);

/* The pairs (path[i], path[j]) of tree nodes with 0 < |i - j| <= window, appended to out;
 * false when out of memory. */
bool gs_i_gg_path_pairs(const gs_i_bfs_tree_t *t, const int32_t *path, int len, int window,
                        gs_i_gg_pairs_t *out);

/* link-acc and link-auc of a raw (N, dim) table on positives and negatives. */
gs_status_t gs_i_gg_evaluate(const gs_pairs_t *pos, const gs_pairs_t *neg, const float *emb,
                             int dim, double *accuracy, double *auc);

/* GS_ERR_INVALID unless every node index of p is within 0..n-1. */
gs_status_t gs_i_gg_check_pairs(const gs_pairs_t *p, int n);

#endif

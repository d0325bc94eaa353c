/*
 * Samplers of the graph layer that GCC (Qiu et al., KDD 2020) builds on: seed nodes drawn
 * from a weighted distribution (Walker's alias method), random walks with restart from a
 * seed, and the subgraph induced by the nodes a walk visited.
 *
 * A gs_i_rwr_t is a per-thread workspace: it marks visited nodes with an epoch counter, so
 * starting a new walk costs nothing however large the graph is.
 */
#ifndef GS_GRAPH_RWR_H
#define GS_GRAPH_RWR_H

#include "graphssl/tensor.h"

/* Draws index i with probability weights[i] / sum(weights) in constant time. */
typedef struct gs_i_alias {
    int n;
    double *accept;          /* probability of keeping slot i rather than its alias */
    int32_t *alias;
} gs_i_alias_t;

/* Builds the table; GS_ERR_INVALID when no weight is positive or one is negative or not
 * finite, GS_ERR_NOMEM when out of memory. */
gs_status_t gs_i_alias_init(gs_i_alias_t *a, const double *weights, int n);
void gs_i_alias_destroy(gs_i_alias_t *a);
int gs_i_alias_draw(const gs_i_alias_t *a, gs_rng_t *rng);

typedef struct gs_i_rwr {
    int32_t *nodes;          /* distinct visited nodes, the seed first */
    int n_nodes;
    int cap_nodes;
    int64_t n_visits;        /* steps taken by the last walk */
    int64_t n_traces;        /* restarts of the last walk (number of traces) */

    /* The induced subgraph of nodes[] after gs_i_rwr_induce(): local CSR, no self loops. */
    int64_t *sub_indptr;     /* n_nodes + 1 */
    int32_t *sub_indices;
    int64_t cap_indices;

    uint32_t *stamp;         /* per graph node: the epoch of the walk that last visited it */
    int32_t *local;          /* per graph node: its index in nodes[] when stamped */
    uint32_t epoch;
    int graph_nodes;
} gs_i_rwr_t;

/* A workspace for graphs of at most graph_nodes nodes. */
gs_status_t gs_i_rwr_init(gs_i_rwr_t *w, int graph_nodes);
void gs_i_rwr_destroy(gs_i_rwr_t *w);

/*
 * The visit budget of a walk from a node of the given degree, as GCC computes it:
 * max(min_visits, round(degree^exponent * e / (e - 1) / restart_prob)).  The factor is the
 * number of uniform draws after which a neighbour list of that length is expected to be
 * covered to a fraction 1 - 1/e, stretched by the mean trace length.
 */
int gs_i_rwr_budget(int degree, double exponent, double restart_prob, int min_visits);

/*
 * Random walk with restart from seed over the CSR adjacency adj: traces start at the seed,
 * each step moves to a uniform neighbour and is counted as a visit, and after each step
 * the trace restarts with probability restart_prob.  Stops after budget visits.  The
 * distinct visited nodes, seed first, are left in w->nodes.  A seed without neighbours
 * yields just itself.  GS_ERR_NOMEM when out of memory.
 */
gs_status_t gs_i_rwr_sample(gs_i_rwr_t *w, const gs_csr_t *adj, int seed, double restart_prob,
                            int64_t budget, gs_rng_t *rng);

/* Empties w->nodes, then adds v to it (once), as if a walk visited it; lets a whole graph,
 * seed first, be treated as one subgraph. */
void gs_i_rwr_clear(gs_i_rwr_t *w);
gs_status_t gs_i_rwr_add(gs_i_rwr_t *w, int32_t v);

/* Builds the subgraph induced by w->nodes into sub_indptr / sub_indices (local indices,
 * ascending within a row).  GS_ERR_NOMEM when out of memory. */
gs_status_t gs_i_rwr_induce(gs_i_rwr_t *w, const gs_csr_t *adj);

#endif

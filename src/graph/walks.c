/*
 * Truncated uniform random walks for DeepWalk (Perozzi et al., KDD 2014, section 4.2):
 * every node starts walks_per_node walks, one per pass, each of walk_length nodes, the next
 * node drawn uniformly among the current one's neighbours.
 */
#include "graph/walks.h"

#include <stdlib.h>

#include "common_internal.h"

static void walk_from(const gs_csr_t *adj, int start, int length, gs_rng_t *rng, int32_t *out)
{
    int u = start;

    out[0] = start;
    for (int i = 1; i < length; i++) {
        int64_t begin = adj->indptr[u];
        int64_t degree = adj->indptr[u + 1] - begin;

        if (degree == 0) {
            out[i] = -1;
            continue;
        }
        u = adj->indices[begin + (int64_t)gs_rng_below(rng, (uint32_t)degree)];
        out[i] = u;
    }
}

/* Start orders of every pass, one shuffled permutation each.  (P, N) */
static int32_t *pass_orders(int n, int passes, uint64_t seed, uint64_t stream_base)
{
    int32_t *order = malloc((size_t)passes * (size_t)n * sizeof *order);

    for (int r = 0; order && r < passes; r++) {
        gs_rng_t rng;

        gs_rng_init(&rng, seed, stream_base + (uint64_t)passes * (uint64_t)n + (uint64_t)r);
        gs_rng_permutation(&rng, order + (size_t)r * n, n);
    }
    return order;
}

gs_status_t gs_i_random_walks(const gs_graph_t *g, int walks_per_node, int walk_length,
                              uint64_t seed, uint64_t stream_base, int32_t **walks)
{
    int n = g->n_nodes;
    int64_t n_walks = (int64_t)walks_per_node * n;
    int32_t *order, *out;

    if (walks_per_node < 1 || walk_length < 1 || n_walks > INT64_MAX / walk_length) {
        return gs_i_error(GS_ERR_INVALID,
                          "expected at least one walk of at least one node per node, found "
                          "%d walks of length %d", walks_per_node, walk_length);
    }
    order = pass_orders(n, walks_per_node, seed, stream_base);
    out = malloc((size_t)n_walks * (size_t)walk_length * sizeof *out);
    if (!order || !out) {
        free(order);
        free(out);
        return gs_i_error(GS_ERR_NOMEM, "out of memory for %lld random walks of length %d",
                          (long long)n_walks, walk_length);
    }

#pragma omp parallel for schedule(static)
    for (int64_t w = 0; w < n_walks; w++) {
        int start = order[w];
        int64_t pass = w / n;
        gs_rng_t rng;

        gs_rng_init(&rng, seed, stream_base + (uint64_t)(pass * n + start));
        walk_from(g->adj, start, walk_length, &rng, out + w * walk_length);
    }
    free(order);
    *walks = out;
    return GS_OK;
}

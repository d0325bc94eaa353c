/*
 * Truncated uniform random walks (Perozzi et al., KDD 2014), generated in parallel and
 * reproducibly: every walk draws from its own random stream.
 */
#ifndef GS_GRAPH_WALKS_H
#define GS_GRAPH_WALKS_H

#include <stdint.h>

#include "graphssl/graph.h"

/*
 * walks_per_node passes over the nodes; pass r starts one walk of walk_length nodes at each
 * node, the nodes taken in an order shuffled per pass (so that SGD over the walks does not
 * see the nodes in index order).  Walk k of pass r is row r * N + k of *walks, an array of
 * walks_per_node * N * walk_length node indices (caller frees); a walk that reaches a node
 * without neighbours stops there and the rest of its row is -1.
 *
 * The walk from node v in pass r uses stream stream_base + r * N + v of seed, and pass r's
 * order stream stream_base + walks_per_node * N + r, so the walks do not depend on the
 * number of threads.  Returns GS_ERR_INVALID for sizes that overflow, GS_ERR_NOMEM.
 */
gs_status_t gs_i_random_walks(const gs_graph_t *g, int walks_per_node, int walk_length,
                              uint64_t seed, uint64_t stream_base, int32_t **walks);

#endif

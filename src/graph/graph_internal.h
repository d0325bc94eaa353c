/*
 * Internal helpers of the graph layer that the loaders share.
 */
#ifndef GS_GRAPH_INTERNAL_H
#define GS_GRAPH_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "graphssl/graph.h"

/*
 * What the library keeps beside the public struct.  gs_graph_t is always allocated as the
 * first member of this, so a gs_graph_t pointer is also a pointer to its graph_private_t.
 */
typedef struct graph_private {
    gs_graph_t pub;
    int32_t *name_order;   /* node indices sorted by name (strcmp); NULL if not built */
} graph_private_t;

/*
 * Parses s as an integer written in canonical form: an optional '-', then decimal digits
 * without leading zeros ("0" itself is fine, "-0", "+1" and "007" are not).  Canonical form
 * makes name and value interchangeable, so numeric node names can be ordered by value.
 * Returns false, leaving *value unchanged, for anything else or on overflow.
 */
bool gs_i_parse_canonical_int(const char *s, int64_t *value);

/* True when every name is a canonical integer and the values strictly ascend. */
bool gs_i_names_ascend_as_integers(char *const *names, int n);

/* (Re)builds the strcmp index gs_graph_find_node uses; GS_ERR_INVALID on a repeated name. */
gs_status_t gs_i_graph_index_names(graph_private_t *p);

/*
 * Adds n_new isolated nodes named names[0 .. n_new-1] (copied; distinct and not already in
 * g).  When every name, old and new, is a canonical integer the nodes stay in ascending
 * order of value, so old nodes may move; otherwise the new nodes go after the old ones.
 * Adjacency, features (zero rows), labels (-1) and split (none) follow.  When map is not
 * NULL it receives the final index of every old node v at map[v] and of new node k at
 * map[n_old + k]; it must hold n_old + n_new entries.
 */
gs_status_t gs_i_graph_add_nodes(gs_graph_t *g, char *const *names, int n_new, int32_t *map);

#endif

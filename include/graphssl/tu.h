/*
 * Graph collections for graph classification, read from the TU Dortmund text format
 * (Morris et al., "TUDataset", 2020): a folder DS/ holding DS_A.txt (1-based "row, col"
 * adjacency entries over all graphs), DS_graph_indicator.txt (the graph of each node) and
 * optionally DS_graph_labels.txt (one class per graph).  Node labels and attributes are not
 * read: the methods that use collections here learn from structure alone.
 */
#ifndef GRAPHSSL_TU_H
#define GRAPHSSL_TU_H

#include "graphssl/common.h"
#include "graphssl/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Every graph of a collection as one block-diagonal graph (their disjoint union). */
typedef struct gs_graph_collection {
    char *name;              /* the data set's name, "IMDB-BINARY" */
    gs_graph_t *graph;       /* the union; node i of the file is node i - 1 here */
    int n_graphs;
    int64_t *offsets;        /* n_graphs + 1: graph g holds nodes offsets[g] .. [g+1]-1 */
    int32_t *labels;         /* n_graphs classes 0..n_classes-1, or NULL without labels */
    int n_classes;
    char **class_names;      /* the labels as written, in ascending numeric order */
} gs_graph_collection_t;

/*
 * Loads the TU data set in folder dir (its name is the folder's last component; a trailing
 * '/' is fine).  Duplicate entries and both directions of an edge merge into one undirected
 * edge.  GS_ERR_IO when a required file cannot be read; GS_ERR_PARSE with FILE:LINE for a
 * malformed line, a node id out of range, graph ids that are not consecutive blocks
 * starting at 1, an edge joining two graphs, or a label count that differs from the graph
 * count.
 */
GS_API gs_status_t gs_tu_load(gs_graph_collection_t **out, const char *dir);

GS_API void gs_graph_collection_free(gs_graph_collection_t *c);

#ifdef __cplusplus
}
#endif

#endif

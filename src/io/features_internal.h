/*
 * Feature rows as a file gives them, before they are matched to nodes.  Every features
 * reader (text rows, LINQS .content, NumPy .npy) fills one of these in file order and hands
 * it to gs_i_features_attach(), which matches rows to nodes by name, adds the nodes only the
 * features name, and installs the matrix (and, for LINQS, the labels).
 */
#ifndef GS_IO_FEATURES_INTERNAL_H
#define GS_IO_FEATURES_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "graphssl/graph.h"

typedef struct gs_i_feature_rows {
    const char *file;         /* the name messages use */
    int n_rows;
    const char **names;       /* the node name of each row */
    long *lines;              /* each row's line, or NULL to report rows as "row R" (1-based) */
    int width;                /* columns: the dimension */

    /* Dense rows: n_rows x width; or sparse rows: CSR over n_rows. */
    float *dense;
    int64_t *indptr;          /* n_rows + 1 */
    int32_t *cols;            /* ascending within a row */
    float *values;

    const char **labels;      /* LINQS: each row's class name; NULL otherwise */
} gs_i_feature_rows_t;

/*
 * Matches rows to g's nodes by name: a name g lacks becomes a new isolated node (a counted
 * warning), a node with no row gets zeros (a counted warning), a node with two rows is
 * GS_ERR_PARSE.  GS_ERR_INVALID, leaving g unchanged, when no row has a nonzero value or
 * when g has nodes and no row names one of them.  Replaces g's features, and its labels
 * when rows->labels is set.  When sparsify, dense rows with few non-zeros are stored as a
 * CSR.  rows is not modified and keeps its memory.
 */
gs_status_t gs_i_features_attach(gs_graph_t *g, const gs_i_feature_rows_t *rows,
                                 bool sparsify);

/* Per-node class names (NULL for unlabelled) become g's labels; file names messages. */
gs_status_t gs_i_labels_set(gs_graph_t *g, const char *const *value, const char *file);

/* The loaders behind gs_labels_load and gs_split_load: with strict, a row naming a node
 * that is not in g is GS_ERR_PARSE instead of a counted warning. */
gs_status_t gs_i_labels_load(gs_graph_t *g, const char *path, bool strict);
gs_status_t gs_i_split_load(gs_graph_t *g, const char *path, bool strict);

/* NumPy .npy features (see npy.c); ids names a file of row names, or NULL. */
gs_status_t gs_i_npy_features_load(gs_graph_t *g, const char *path, const char *ids);

/* LINQS .content rows "id v1 ... vD label": features and labels together. */
gs_status_t gs_i_linqs_content_load(gs_graph_t *g, const char *path);

#endif

/*
 * Reading graphs, features, labels and splits from files, and writing embeddings as CSV.
 *
 * Errors name the file and line: "cora.features:17: expected 'index:value', found 'abc'".
 * Writers are atomic: they write a temporary file beside the target and rename it.
 */
#ifndef GRAPHSSL_IO_H
#define GRAPHSSL_IO_H

#include "graphssl/common.h"
#include "graphssl/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gs_load_options {
    bool directed;           /* keep direction (default false: undirected) */
    bool weighted;           /* read a third column as the edge weight (default false) */
    const char *format;      /* NULL: from the extension; "edgelist", ... */
    const char *features;    /* NULL: companion NAME.features if present */
    const char *labels;      /* NULL: companion NAME.labels if present */
    const char *split;       /* NULL: companion NAME.split if present */
    bool no_companions;      /* do not look for companion files */
} gs_load_options_t;

GS_API void gs_load_options_init(gs_load_options_t *opt);

/*
 * Loads a graph file (or a built-in name such as "karate") and its companion files; opt may
 * be NULL for the defaults.  Logs at info level which companion files it used and how many
 * self loops and duplicates it dropped.  Returns GS_ERR_IO when a file cannot be read, GS_ERR_PARSE with FILE:LINE when
 * its content is malformed, GS_ERR_INVALID for an empty graph.
 */
GS_API gs_status_t gs_graph_load(gs_graph_t **out, const char *path,
                                 const gs_load_options_t *opt);

/* Edge list only: "u v [w]" lines, see DESIGN.md. */
GS_API gs_status_t gs_edgelist_load(gs_graph_t **out, const char *path, bool directed,
                                    bool weighted);

/* Features (sparse "id j:v ..." or dense "id v1 ... vD" rows), matched by node name. */
GS_API gs_status_t gs_features_load(gs_graph_t *g, const char *path);
/* Labels "id label" (integer or string classes). */
GS_API gs_status_t gs_labels_load(gs_graph_t *g, const char *path);
/* Split "id train|val|test". */
GS_API gs_status_t gs_split_load(gs_graph_t *g, const char *path);

/* Writes "node,d0,...,d{D-1}" then one row per node (names[i], emb row i), atomically.
 * Values are printed with %.9g so float32 round-trips exactly. */
GS_API gs_status_t gs_embeddings_save_csv(const char *path, char *const *names,
                                          const gs_tensor_t *emb);

/* Reads such a CSV back: names (n strings, caller frees each and the array with free())
 * and a new n x D tensor. */
GS_API gs_status_t gs_embeddings_load_csv(const char *path, char ***names, gs_tensor_t **emb);

#ifdef __cplusplus
}
#endif

#endif

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
    bool weighted;           /* read edge weights (default false) */
    const char *format;      /* NULL: from the extension; "edgelist", "graphml", "gml",
                                "pajek", "ncol", "lgl" or "linqs" */
    const char *features;    /* a features file, or a kind to generate ("identity",
                                "degree", "constant", "lap-eig[:K]", "random[:K]", see
                                gs_graph_make_features); NULL: companion NAME.features,
                                NAME.features.gz or NAME.npy if present */
    const char *labels;      /* NULL: companion NAME.labels if present */
    const char *split;       /* NULL: companion NAME.split if present */
    bool no_companions;      /* do not look for companion files */
    bool strict;             /* labels or split rows naming unknown nodes are errors */
    uint64_t seed;           /* for generated features (random, lap-eig) */
} gs_load_options_t;

GS_API void gs_load_options_init(gs_load_options_t *opt);

/*
 * Loads a graph file (or a built-in name such as "karate") and its companion files; opt may
 * be NULL for the defaults.  The format comes from the extension (a trailing ".gz" is looked
 * through): .edgelist .txt .tsv .csv .el edge lists; .graphml .xml GraphML; .gml GML; .net
 * .pajek .paj Pajek; .ncol NCOL; .lgl LGL; .cites or .content a LINQS pair (NAME.cites and
 * NAME.content together).  "-" reads standard input (an edge list unless opt->format says
 * otherwise).  gzip data is recognised by its magic bytes, whatever the name.
 *
 * Nodes named in the features but in no edge become isolated nodes (logged at info level
 * with their count); rows of labels or split files naming unknown nodes are skipped with a
 * counted warning (an error with opt->strict).  Logs at info level which companion files it
 * used, which features were generated, and how many self loops and duplicates it dropped.
 *
 * Returns GS_ERR_IO when a file cannot be read, GS_ERR_PARSE with "FILE:LINE: expected ...,
 * found ..." when its content is malformed, GS_ERR_INVALID for an empty graph, a graph of
 * one node or no edges, GS_ERR_UNSUPPORTED for an unknown format.
 */
GS_API gs_status_t gs_graph_load(gs_graph_t **out, const char *path,
                                 const gs_load_options_t *opt);

/* Edge list only: "u v [w]" lines, see DESIGN.md and docs/inputs.md.  An optional header
 * line ("source target", or names over integer ids) is skipped with an info log. */
GS_API gs_status_t gs_edgelist_load(gs_graph_t **out, const char *path, bool directed,
                                    bool weighted);

/* Features (sparse "id j:v ..." or dense "id v1 ... vD" rows, or a NumPy .npy array whose
 * rows are named by NAME.ids beside it or else by their index), matched by node name; rows
 * for nodes g lacks add isolated nodes to g. */
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

/*
 * The graph formats read through igraph (see igraph_formats.c).
 */
#ifndef GS_IO_IGRAPH_FORMATS_INTERNAL_H
#define GS_IO_IGRAPH_FORMATS_INTERNAL_H

#include <stdbool.h>

#include "graphssl/graph.h"

typedef enum gs_i_format {
    GS_I_FORMAT_GRAPHML,
    GS_I_FORMAT_GML,
    GS_I_FORMAT_PAJEK,
    GS_I_FORMAT_NCOL,
    GS_I_FORMAT_LGL
} gs_i_format_t;

/* The --format name of a format ("graphml", ...), and the reverse lookup. */
const char *gs_i_format_name(gs_i_format_t format);
bool gs_i_format_from_name(const char *name, gs_i_format_t *format);

/*
 * Reads path ("-" for standard input, gzip allowed) in the given format.  A directed file
 * is merged to undirected unless directed; an undirected one read with directed gives both
 * arcs of each edge.  With weighted, every edge must carry a numeric non-zero "weight".
 */
gs_status_t gs_i_igraph_format_load(gs_graph_t **out, const char *path, gs_i_format_t format,
                                    bool directed, bool weighted);

#endif

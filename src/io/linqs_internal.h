/*
 * LINQS .cites/.content pairs (see linqs.c).
 */
#ifndef GS_IO_LINQS_INTERNAL_H
#define GS_IO_LINQS_INTERNAL_H

#include <stdbool.h>

#include "graphssl/graph.h"

/* Loads STEM.cites as the graph and STEM.content as its features and labels (each file may
 * also be gzip-compressed as STEM.cites.gz, STEM.content.gz). */
gs_status_t gs_i_linqs_load(gs_graph_t **out, const char *stem, bool directed);

#endif

/*
 * LINQS data sets (Cora, CiteSeer, ... as distributed by Sen et al., AI Magazine 2008): a
 * NAME.cites file of "cited citing" pairs and a NAME.content file of "id v1 ... vD class"
 * rows.  Either file may be given; the other is found beside it.  A directed graph points
 * from the citing paper to the cited one, the reverse of the column order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common_internal.h"
#include "graphssl/io.h"
#include "io/features_internal.h"
#include "io/linqs_internal.h"

static bool exists(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* STEM.suffix, or STEM.suffix.gz when only that exists; caller frees. */
static char *sibling(const char *stem, const char *suffix)
{
    size_t n = strlen(stem) + strlen(suffix) + 5;
    char *path = malloc(n);

    if (!path) {
        return NULL;
    }
    snprintf(path, n, "%s%s", stem, suffix);
    if (!exists(path)) {
        snprintf(path, n, "%s%s.gz", stem, suffix);
        if (!exists(path)) {
            snprintf(path, n, "%s%s", stem, suffix);
        }
    }
    return path;
}

/* Turns the adjacency around, so arcs run citing -> cited. */
static gs_status_t reverse_arcs(gs_graph_t *g)
{
    gs_csr_t *a = g->adj;
    gs_csr_t *t;

    GS_TRY(gs_csr_build_transpose(a));
    t = a->transpose;
    a->transpose = NULL;
    a->owns_transpose = false;
    gs_csr_free(a);
    g->adj = t;
    return GS_OK;
}

gs_status_t gs_i_linqs_load(gs_graph_t **out, const char *stem, bool directed)
{
    char *cites = sibling(stem, ".cites");
    char *content = sibling(stem, ".content");
    gs_status_t status = GS_OK;

    *out = NULL;
    if (!cites || !content) {
        status = gs_i_error(GS_ERR_NOMEM, "out of memory naming the LINQS files");
    }
    if (status == GS_OK) {
        status = gs_edgelist_load(out, cites, directed, false);
    }
    if (status == GS_OK && directed) {
        status = reverse_arcs(*out);
    }
    if (status == GS_OK) {
        gs_i_log(GS_LOG_INFO, "using features and labels %s", content);
        status = gs_i_linqs_content_load(*out, content);
    }
    if (status != GS_OK) {
        gs_graph_free(*out);
        *out = NULL;
    }
    free(cites);
    free(content);
    return status;
}

/*
 * Zachary's karate club (W. W. Zachary, J. Anthropol. Res. 33, 1977): 34 members, 78
 * friendships, and the two factions the club split into.  The edges come from igraph's
 * famous graph "Zachary"; the factions follow the 'club' attribute of networkx's
 * karate_club_graph(), class 0 "Mr. Hi" and class 1 "Officer".
 */
#include "graphssl/graph.h"

#include <igraph.h>
#include <stdlib.h>
#include <string.h>

#include "common_internal.h"

enum { KARATE_NODES = 34 };

/* Faction of each member, 0 = Mr. Hi, 1 = Officer. */
static const int32_t karate_faction[KARATE_NODES] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1, 0,
    0, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

static const char *const karate_club[2] = {"Mr. Hi", "Officer"};

static gs_status_t from_igraph_error(igraph_error_t err, const char *what)
{
    gs_status_t status = err == IGRAPH_ENOMEM ? GS_ERR_NOMEM : GS_ERR_INTERNAL;

    return gs_i_error(status, "%s: igraph: %s", what, igraph_strerror(err));
}

/* Copies igraph's edge list into src/dst arrays (allocated here). */
static gs_status_t zachary_edges(int32_t **src, int32_t **dst, int64_t *n_edges)
{
    igraph_t graph;
    igraph_vector_int_t edges;
    igraph_error_t err;
    int64_t m;

    err = igraph_famous(&graph, "Zachary");
    if (err != IGRAPH_SUCCESS) {
        return from_igraph_error(err, "building the karate club");
    }
    err = igraph_vector_int_init(&edges, 0);
    if (err == IGRAPH_SUCCESS) {
        err = igraph_get_edgelist(&graph, &edges, false);
    }
    igraph_destroy(&graph);
    if (err != IGRAPH_SUCCESS) {
        igraph_vector_int_destroy(&edges);
        return from_igraph_error(err, "reading the karate club's edges");
    }

    m = igraph_vector_int_size(&edges) / 2;
    *src = malloc((size_t)m * sizeof **src);
    *dst = malloc((size_t)m * sizeof **dst);
    for (int64_t e = 0; *src && *dst && e < m; e++) {
        (*src)[e] = (int32_t)VECTOR(edges)[2 * e];
        (*dst)[e] = (int32_t)VECTOR(edges)[2 * e + 1];
    }
    igraph_vector_int_destroy(&edges);
    *n_edges = m;
    if (!*src || !*dst) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory for the karate club's edges");
    }
    return GS_OK;
}

static gs_status_t set_factions(gs_graph_t *g)
{
    g->labels = malloc(KARATE_NODES * sizeof *g->labels);
    g->class_names = calloc(2, sizeof *g->class_names);
    if (!g->labels || !g->class_names) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory for the karate club's labels");
    }
    g->n_classes = 2;
    memcpy(g->labels, karate_faction, sizeof karate_faction);
    for (int c = 0; c < 2; c++) {
        g->class_names[c] = strdup(karate_club[c]);
        if (!g->class_names[c]) {
            return gs_i_error(GS_ERR_NOMEM, "out of memory for the karate club's labels");
        }
    }
    return GS_OK;
}

gs_status_t gs_graph_karate(gs_graph_t **out)
{
    igraph_error_handler_t *old_error;
    igraph_warning_handler_t *old_warning;
    int32_t *src = NULL;
    int32_t *dst = NULL;
    int64_t n_edges = 0;
    gs_status_t status;

    *out = NULL;

    /* igraph's default handler aborts the program; ours reports, then the caller's
     * handlers come back. */
    old_error = igraph_set_error_handler(igraph_error_handler_ignore);
    old_warning = igraph_set_warning_handler(igraph_warning_handler_ignore);
    status = zachary_edges(&src, &dst, &n_edges);
    igraph_set_error_handler(old_error);
    igraph_set_warning_handler(old_warning);

    if (status == GS_OK) {
        status = gs_graph_from_edges(out, KARATE_NODES, src, dst, NULL, n_edges, false, NULL);
    }
    free(src);
    free(dst);
    if (status == GS_OK) {
        status = set_factions(*out);
    }
    if (status != GS_OK) {
        gs_graph_free(*out);
        *out = NULL;
    }
    return status;
}

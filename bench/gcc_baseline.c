/*
 * The hand-made structural baselines GCC is compared with (bench_gcc.sh builds and runs it):
 *
 *   gcc_baseline nodes GRAPH OUT.csv
 *       five features per node, computed by igraph: log(1 + degree), local clustering,
 *       PageRank (damping 0.85), eigenvector centrality (max 1), mean neighbour degree
 *   gcc_baseline graphs TU_DIR OUT.csv OUT.labels
 *       per graph: nodes, edges, density, mean and max degree, mean clustering, and the
 *       fraction of nodes of each degree 0, 1, ..., 63 and 64 or more; the graph labels are
 *       written beside them ("id class") so `graphssl eval` can score the rows
 *
 * Rows are named as graphssl names them (node names; graph ids 1..G), so the CSVs are
 * scored by `graphssl eval` with the same kfold-logreg protocol as the embeddings.
 */
#include <igraph.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graphssl/graphssl.h"

enum { N_NODE_FEATURES = 5, N_BINS = 65, N_GRAPH_FEATURES = 6 + N_BINS };

/* g's adjacency (both directions stored) as an undirected igraph graph. */
static int to_igraph(const gs_graph_t *g, int32_t first, int32_t end, igraph_t *out)
{
    igraph_vector_int_t edges;
    int rc;

    igraph_vector_int_init(&edges, 0);
    for (int32_t u = first; u < end; u++) {
        for (int64_t e = g->adj->indptr[u]; e < g->adj->indptr[u + 1]; e++) {
            if (g->adj->indices[e] > u) {
                igraph_vector_int_push_back(&edges, u - first);
                igraph_vector_int_push_back(&edges, g->adj->indices[e] - first);
            }
        }
    }
    rc = igraph_create(out, &edges, end - first, IGRAPH_UNDIRECTED);
    igraph_vector_int_destroy(&edges);
    return rc;
}

/* Column c of the n x width row-major matrix x from v. */
static void put_column(double *x, int width, int c, const igraph_vector_t *v)
{
    for (igraph_integer_t i = 0; i < igraph_vector_size(v); i++) {
        x[i * width + c] = VECTOR(*v)[i];
    }
}

static int node_features(const igraph_t *ig, double *x)
{
    igraph_vector_t v;
    igraph_real_t value;
    int rc;

    igraph_vector_init(&v, 0);
    rc = igraph_strength(ig, &v, igraph_vss_all(), IGRAPH_ALL, IGRAPH_NO_LOOPS, NULL);
    for (igraph_integer_t i = 0; rc == IGRAPH_SUCCESS && i < igraph_vector_size(&v); i++) {
        x[i * N_NODE_FEATURES] = log1p(VECTOR(v)[i]);
    }
    if (rc == IGRAPH_SUCCESS) {
        rc = igraph_transitivity_local_undirected(ig, &v, igraph_vss_all(),
                                                  IGRAPH_TRANSITIVITY_ZERO);
        put_column(x, N_NODE_FEATURES, 1, &v);
    }
    if (rc == IGRAPH_SUCCESS) {
        rc = igraph_pagerank(ig, IGRAPH_PAGERANK_ALGO_PRPACK, &v, &value, igraph_vss_all(),
                             IGRAPH_UNDIRECTED, 0.85, NULL, NULL);
        put_column(x, N_NODE_FEATURES, 2, &v);
    }
    if (rc == IGRAPH_SUCCESS) {
        rc = igraph_eigenvector_centrality(ig, &v, &value, IGRAPH_UNDIRECTED, true, NULL,
                                           NULL);
        put_column(x, N_NODE_FEATURES, 3, &v);
    }
    if (rc == IGRAPH_SUCCESS) {
        rc = igraph_avg_nearest_neighbor_degree(ig, igraph_vss_all(), IGRAPH_ALL, IGRAPH_ALL,
                                                &v, NULL, NULL);
        put_column(x, N_NODE_FEATURES, 4, &v);
    }
    igraph_vector_destroy(&v);
    return rc;
}

/* Bin of a degree: the degree itself, the last bin open-ended. */
static int degree_bin(int degree)
{
    return degree < N_BINS - 1 ? degree : N_BINS - 1;
}

static int graph_features(const gs_graph_collection_t *c, int gi, double *x)
{
    int32_t first = (int32_t)c->offsets[gi], end = (int32_t)c->offsets[gi + 1];
    double n = end - first, m = 0.0, max_degree = 0.0, clustering;
    igraph_t ig;
    int rc;

    memset(x, 0, N_GRAPH_FEATURES * sizeof *x);
    for (int32_t v = first; v < end; v++) {
        int d = gs_graph_degree(c->graph, v);

        m += d / 2.0;
        max_degree = d > max_degree ? d : max_degree;
        x[6 + degree_bin(d)] += 1.0 / n;
    }
    if ((rc = to_igraph(c->graph, first, end, &ig)) != IGRAPH_SUCCESS) {
        return rc;
    }
    rc = igraph_transitivity_avglocal_undirected(&ig, &clustering, IGRAPH_TRANSITIVITY_ZERO);
    igraph_destroy(&ig);
    x[0] = n;
    x[1] = m;
    x[2] = n > 1 ? 2.0 * m / (n * (n - 1)) : 0.0;
    x[3] = n > 0 ? 2.0 * m / n : 0.0;
    x[4] = max_degree;
    x[5] = clustering;
    return rc;
}

static int write_rows(const char *path, char *const *names, const double *x, int rows,
                      int width)
{
    FILE *f = fopen(path, "w");

    if (!f) {
        perror(path);
        return 1;
    }
    fputs("node", f);
    for (int c = 0; c < width; c++) {
        fprintf(f, ",d%d", c);
    }
    fputc('\n', f);
    for (int i = 0; i < rows; i++) {
        fprintf(f, "%s", names[i]);
        for (int c = 0; c < width; c++) {
            fprintf(f, ",%.9g", x[(size_t)i * width + c]);
        }
        fputc('\n', f);
    }
    return fclose(f) == 0 ? 0 : 1;
}

static int run_nodes(const char *graph_path, const char *out)
{
    gs_load_options_t opt;
    gs_graph_t *g;
    igraph_t ig;
    double *x;
    int rc;

    gs_load_options_init(&opt);
    opt.no_companions = true;
    if (gs_graph_load(&g, graph_path, &opt) != GS_OK) {
        fprintf(stderr, "gcc_baseline: %s\n", gs_last_error());
        return 1;
    }
    x = calloc((size_t)g->n_nodes * N_NODE_FEATURES, sizeof *x);
    rc = x && to_igraph(g, 0, g->n_nodes, &ig) == IGRAPH_SUCCESS ? 0 : 1;
    if (rc == 0) {
        rc = node_features(&ig, x) == IGRAPH_SUCCESS ? 0 : 1;
        igraph_destroy(&ig);
    }
    if (rc == 0) {
        rc = write_rows(out, g->names, x, g->n_nodes, N_NODE_FEATURES);
    }
    free(x);
    gs_graph_free(g);
    return rc;
}

static int write_labels(const char *path, const gs_graph_collection_t *c)
{
    FILE *f = fopen(path, "w");

    if (!f) {
        perror(path);
        return 1;
    }
    for (int g = 0; g < c->n_graphs; g++) {
        fprintf(f, "%d %s\n", g + 1, c->class_names[c->labels[g]]);
    }
    return fclose(f) == 0 ? 0 : 1;
}

static int run_graphs(const char *dir, const char *out, const char *labels_out)
{
    gs_graph_collection_t *c = NULL;
    char **names;
    double *x;
    int rc = 0;

    if (gs_tu_load(&c, dir) != GS_OK || !c->labels) {
        fprintf(stderr, "gcc_baseline: %s\n", c ? "the collection has no labels"
                                                 : gs_last_error());
        gs_graph_collection_free(c);
        return 1;
    }
    x = calloc((size_t)c->n_graphs * N_GRAPH_FEATURES, sizeof *x);
    names = calloc((size_t)c->n_graphs, sizeof *names);
    for (int g = 0; x && names && rc == 0 && g < c->n_graphs; g++) {
        rc = graph_features(c, g, x + (size_t)g * N_GRAPH_FEATURES) == IGRAPH_SUCCESS ? 0 : 1;
        rc = rc || asprintf(&names[g], "%d", g + 1) < 0;
    }
    if (!x || !names) {
        rc = 1;
    }
    if (rc == 0) {
        rc = write_rows(out, names, x, c->n_graphs, N_GRAPH_FEATURES) ||
             write_labels(labels_out, c);
    }
    for (int g = 0; names && g < c->n_graphs; g++) {
        free(names[g]);
    }
    free(names);
    free(x);
    gs_graph_collection_free(c);
    return rc;
}

int main(int argc, char **argv)
{
    igraph_set_error_handler(igraph_error_handler_printignore);
    if (argc == 4 && !strcmp(argv[1], "nodes")) {
        return run_nodes(argv[2], argv[3]);
    }
    if (argc == 5 && !strcmp(argv[1], "graphs")) {
        return run_graphs(argv[2], argv[3], argv[4]);
    }
    fputs("usage: gcc_baseline nodes GRAPH OUT.csv\n"
          "       gcc_baseline graphs TU_DIR OUT.csv OUT.labels\n", stderr);
    return 2;
}

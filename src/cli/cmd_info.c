/*
 * graphssl info GRAPH: what a graph file loads as, checked before a long run.
 */
#include "cli.h"

#include <stdlib.h>

static const char usage[] = "usage: graphssl info GRAPH [--json] [load options]\n";

static const struct option info_options[] = {
    {"help", no_argument, NULL, 'h'},
};

static int compare_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;

    return (x > y) - (x < y);
}

/* Minimum, median and maximum degree, and the number of isolated nodes. */
static void degree_stats(const gs_graph_t *g, int *min, int *median, int *max, int *isolated)
{
    int *deg = malloc((size_t)g->n_nodes * sizeof *deg);

    *min = *median = *max = *isolated = 0;
    if (!deg) {
        return;
    }
    for (int v = 0; v < g->n_nodes; v++) {
        deg[v] = gs_graph_degree(g, v);
        *isolated += deg[v] == 0;
    }
    qsort(deg, (size_t)g->n_nodes, sizeof *deg, compare_int);
    *min = deg[0];
    *median = deg[g->n_nodes / 2];
    *max = deg[g->n_nodes - 1];
    free(deg);
}

static void print_info(const gs_cli_t *cli, const gs_graph_t *g)
{
    int dmin, dmed, dmax, isolated;
    gs_json_t json;

    degree_stats(g, &dmin, &dmed, &dmax, &isolated);
    printf("nodes %d\nedges %lld (%s)\n", g->n_nodes, (long long)g->n_edges,
           g->directed ? "directed" : "undirected");
    printf("self loops dropped %lld\nduplicates dropped %lld\n",
           (long long)g->n_self_loops_dropped, (long long)g->n_duplicates_dropped);
    printf("degree min %d median %d max %d; isolated nodes %d\n", dmin, dmed, dmax, isolated);
    printf("features %d (%s)\nclasses %d\nsplit %s\n", g->n_features,
           g->features_sparse ? "sparse" : g->features_dense ? "dense" : "none", g->n_classes,
           g->split ? "yes" : "no");

    gs_json_begin(&json);
    gs_json_str(&json, "graph", cli->graph_path);
    gs_json_int(&json, "nodes", g->n_nodes);
    gs_json_int(&json, "edges", g->n_edges);
    gs_json_int(&json, "directed", g->directed);
    gs_json_int(&json, "self_loops_dropped", g->n_self_loops_dropped);
    gs_json_int(&json, "duplicates_dropped", g->n_duplicates_dropped);
    gs_json_int(&json, "degree_min", dmin);
    gs_json_int(&json, "degree_median", dmed);
    gs_json_int(&json, "degree_max", dmax);
    gs_json_int(&json, "isolated", isolated);
    gs_json_int(&json, "features", g->n_features);
    gs_json_int(&json, "classes", g->n_classes);
    gs_json_end(&json, cli->json);
}

int gs_cmd_info(int argc, char **argv)
{
    struct option *options = gs_cli_options(info_options, 1);
    gs_graph_t *g = NULL;
    gs_cli_t cli;
    double t_load;
    int c, rc = GS_EXIT_OK;

    gs_cli_init(&cli, "info");
    while (rc == GS_EXIT_OK &&
           (c = getopt_long(argc, argv, gs_cli_short_options(), options, NULL)) != -1) {
        rc = gs_cli_common_option(&cli, c, optarg);
        if (rc == -1) {
            fputs(usage, c == 'h' ? stdout : stderr);
            rc = c == 'h' ? -1 : GS_EXIT_USAGE;
        }
    }
    free(options);
    if (rc == GS_EXIT_OK) {
        rc = gs_cli_positional(&cli, argc, argv, usage);
    }
    if (rc != GS_EXIT_OK) {
        return rc < 0 ? GS_EXIT_OK : rc;
    }
    if ((rc = gs_cli_load_graph(&cli, &g, &t_load)) != GS_EXIT_OK) {
        return rc;
    }
    print_info(&cli, g);
    gs_graph_free(g);
    return GS_EXIT_OK;
}

/*
 * graphssl info GRAPH: what a graph file loads as, checked before a long run.  Nodes and
 * edges, what the loader dropped, directedness, connected components, degrees, isolated
 * nodes, features (dimension, storage, density), label classes with their sizes and split
 * sizes; --json prints the same as one line on stdout instead.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: graphssl info GRAPH [--json] [load options]\n"
    "  GRAPH                 edge list (.edgelist .txt .tsv .csv .el), GraphML (.graphml),\n"
    "                        GML (.gml), Pajek (.net), NCOL (.ncol), LGL (.lgl), LINQS\n"
    "                        (.cites/.content), any of them gzipped, '-' for stdin, or karate\n"
    "  --format F            edgelist, graphml, gml, pajek, ncol, lgl or linqs\n"
    "  --directed            keep edge direction     --weighted   read edge weights\n"
    "  --features F|KIND     features file (.features, .npy), or identity, degree[:K],\n"
    "                        constant, lap-eig[:K], random[:K]\n"
    "  --labels L --split S  companion files (found beside GRAPH by default)\n"
    "  --strict              labels or split naming unknown nodes are errors\n"
    "  --json                one JSON line on stdout\n";

static const struct option info_options[] = {
    {"help", no_argument, NULL, 'h'},
};

typedef struct info {
    int degree_min, degree_median, degree_max;
    int isolated;
    int components, largest;
    int64_t feature_nnz;
    int zero_rows;            /* nodes whose feature row is all zero */
    int *class_size;          /* n_classes counts */
    int labelled;
    int split_size[4];        /* by gs_split_t */
} info_t;

static int compare_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;

    return (x > y) - (x < y);
}

/* Minimum, median and maximum (out-)degree, and the nodes with no edge at all. */
static gs_status_t degree_stats(const gs_graph_t *g, info_t *in)
{
    int *deg = malloc(((size_t)g->n_nodes + 1) * sizeof *deg);
    int32_t *membership = malloc(((size_t)g->n_nodes + 1) * sizeof *membership);
    int *size = calloc((size_t)g->n_nodes + 1, sizeof *size);
    gs_status_t status = deg && membership && size ? GS_OK : GS_ERR_NOMEM;

    if (status == GS_OK) {
        status = gs_graph_components(g, membership, &in->components, &in->largest);
    }
    for (int v = 0; status == GS_OK && v < g->n_nodes; v++) {
        deg[v] = gs_graph_degree(g, v);
        size[membership[v]]++;
    }

    /* Isolated: alone in its component, which also covers nodes that only have in-arcs. */
    for (int v = 0; status == GS_OK && v < g->n_nodes; v++) {
        in->isolated += size[membership[v]] == 1;
    }
    if (status == GS_OK) {
        qsort(deg, (size_t)g->n_nodes, sizeof *deg, compare_int);
        in->degree_min = deg[0];
        in->degree_median = deg[g->n_nodes / 2];
        in->degree_max = deg[g->n_nodes - 1];
    }
    free(deg);
    free(membership);
    free(size);
    return status;
}

static void feature_stats(const gs_graph_t *g, info_t *in)
{
    const gs_csr_t *x = g->features_sparse;
    size_t f = (size_t)g->n_features;

    for (int v = 0; v < g->n_nodes && g->n_features > 0; v++) {
        int64_t row_nnz = 0;

        if (x) {
            for (int64_t e = x->indptr[v]; e < x->indptr[v + 1]; e++) {
                row_nnz += x->values[e] != 0.0f;
            }
        } else if (g->features_dense) {
            for (size_t j = 0; j < f; j++) {
                row_nnz += g->features_dense[(size_t)v * f + j] != 0.0f;
            }
        }
        in->feature_nnz += row_nnz;
        in->zero_rows += row_nnz == 0;
    }
}

static gs_status_t label_stats(const gs_graph_t *g, info_t *in)
{
    if (g->labels) {
        in->class_size = calloc((size_t)g->n_classes + 1, sizeof *in->class_size);
        if (!in->class_size) {
            return GS_ERR_NOMEM;
        }
        for (int v = 0; v < g->n_nodes; v++) {
            if (g->labels[v] >= 0) {
                in->class_size[g->labels[v]]++;
                in->labelled++;
            }
        }
    }
    for (int v = 0; g->split && v < g->n_nodes; v++) {
        in->split_size[g->split[v]]++;
    }
    return GS_OK;
}

static const char *storage_of(const gs_graph_t *g)
{
    return g->features_sparse ? "sparse" : g->features_dense ? "dense" : "none";
}

static double density_of(const gs_graph_t *g, const info_t *in)
{
    double cells = (double)g->n_nodes * (double)g->n_features;

    return cells > 0 ? (double)in->feature_nnz / cells : 0.0;
}

static void print_text(const gs_graph_t *g, const info_t *in)
{
    printf("nodes       %d (%d isolated)\n", g->n_nodes, in->isolated);
    printf("edges       %lld %s%s\n", (long long)g->n_edges,
           g->directed ? "directed" : "undirected", g->weighted ? ", weighted" : "");
    printf("dropped     %lld self loops, %lld duplicates\n",
           (long long)g->n_self_loops_dropped, (long long)g->n_duplicates_dropped);
    printf("components  %d (largest %d nodes, %.1f%%)\n", in->components, in->largest,
           100.0 * in->largest / g->n_nodes);
    printf("%s min %d, median %d, max %d\n", g->directed ? "out-degree " : "degree     ",
           in->degree_min, in->degree_median, in->degree_max);
    if (g->n_features > 0) {
        printf("features    %d, %s, density %.4g%%, %d nodes with an all-zero row\n",
               g->n_features, storage_of(g), 100.0 * density_of(g, in), in->zero_rows);
    } else {
        printf("features    none\n");
    }
    if (g->labels) {
        printf("labels      %d classes on %d nodes (%d unlabelled):", g->n_classes,
               in->labelled, g->n_nodes - in->labelled);
        for (int c = 0; c < g->n_classes; c++) {
            printf("%s %s %d", c ? "," : "", g->class_names[c], in->class_size[c]);
        }
        printf("\n");
    } else {
        printf("labels      none\n");
    }
    if (g->split) {
        printf("split       train %d, val %d, test %d\n", in->split_size[GS_SPLIT_TRAIN],
               in->split_size[GS_SPLIT_VAL], in->split_size[GS_SPLIT_TEST]);
    } else {
        printf("split       none\n");
    }
}

/* Writes s as a JSON string at p (room for 6 bytes per character and the quotes); returns
 * the end. */
static char *write_json_string(char *p, const char *s)
{
    *p++ = '"';
    for (const char *c = s; *c; c++) {
        if (*c == '"' || *c == '\\') {
            p += sprintf(p, "\\%c", *c);
        } else if ((unsigned char)*c < 0x20) {
            p += sprintf(p, "\\u%04x", (unsigned char)*c);
        } else {
            *p++ = *c;
        }
    }
    *p++ = '"';
    return p;
}

/* {"class name": count, ...} in class order; caller frees. */
static char *class_sizes_json(const gs_graph_t *g, const info_t *in)
{
    size_t cap = 3;
    char *buf;
    char *p;

    for (int c = 0; c < g->n_classes; c++) {
        cap += 6 * strlen(g->class_names[c]) + 16;
    }
    buf = malloc(cap);
    if (!buf) {
        return NULL;
    }
    p = buf;
    *p++ = '{';
    for (int c = 0; c < g->n_classes; c++) {
        p = write_json_string(p, g->class_names[c]);
        p += sprintf(p, ":%d%s", in->class_size[c], c + 1 < g->n_classes ? "," : "");
    }
    strcpy(p, "}");
    return buf;
}

static void print_json(const gs_cli_t *cli, const gs_graph_t *g, const info_t *in,
                       double t_load)
{
    char *classes = g->labels ? class_sizes_json(g, in) : NULL;
    gs_json_t json;

    gs_json_begin(&json);
    gs_json_str(&json, "graph", cli->graph_path);
    gs_json_int(&json, "nodes", g->n_nodes);
    gs_json_int(&json, "edges", g->n_edges);
    gs_json_int(&json, "directed", g->directed);
    gs_json_int(&json, "weighted", g->weighted);
    gs_json_int(&json, "self_loops_dropped", g->n_self_loops_dropped);
    gs_json_int(&json, "duplicates_dropped", g->n_duplicates_dropped);
    gs_json_int(&json, "components", in->components);
    gs_json_int(&json, "largest_component", in->largest);
    gs_json_int(&json, "degree_min", in->degree_min);
    gs_json_int(&json, "degree_median", in->degree_median);
    gs_json_int(&json, "degree_max", in->degree_max);
    gs_json_int(&json, "isolated", in->isolated);
    gs_json_int(&json, "features", g->n_features);
    gs_json_str(&json, "feature_storage", storage_of(g));
    gs_json_num(&json, "feature_density", density_of(g, in));
    gs_json_int(&json, "feature_zero_rows", in->zero_rows);
    gs_json_int(&json, "classes", g->n_classes);
    gs_json_int(&json, "labelled", in->labelled);
    gs_json_raw(&json, "class_sizes", classes ? classes : "{}");
    gs_json_int(&json, "split_train", in->split_size[GS_SPLIT_TRAIN]);
    gs_json_int(&json, "split_val", in->split_size[GS_SPLIT_VAL]);
    gs_json_int(&json, "split_test", in->split_size[GS_SPLIT_TEST]);
    gs_json_num(&json, "seconds_load", t_load);
    gs_cli_json_common(cli, &json);
    gs_json_end(&json, true);
    free(classes);
}

static int parse_args(gs_cli_t *cli, int argc, char **argv)
{
    struct option *options = gs_cli_options(info_options, 1);
    int c, rc = GS_EXIT_OK;

    while (rc == GS_EXIT_OK &&
           (c = getopt_long(argc, argv, gs_cli_short_options(), options, NULL)) != -1) {
        rc = gs_cli_common_option(cli, c, optarg);
        if (rc == -1) {
            fputs(usage, c == 'h' ? stdout : stderr);
            rc = c == 'h' ? -1 : GS_EXIT_USAGE;
        }
    }
    free(options);
    if (rc == GS_EXIT_OK) {
        rc = gs_cli_positional(cli, argc, argv, usage);
    }
    return rc;
}

int gs_cmd_info(int argc, char **argv)
{
    gs_graph_t *g = NULL;
    info_t in = {0};
    gs_cli_t cli;
    double t_load;
    int rc;

    gs_cli_init(&cli, "info");
    if ((rc = parse_args(&cli, argc, argv)) != GS_EXIT_OK) {
        return rc < 0 ? GS_EXIT_OK : rc;
    }
    if ((rc = gs_cli_load_graph(&cli, &g, &t_load)) != GS_EXIT_OK) {
        return rc;
    }
    feature_stats(g, &in);
    if (degree_stats(g, &in) != GS_OK || label_stats(g, &in) != GS_OK) {
        fputs("graphssl: out of memory describing the graph\n", stderr);
        rc = GS_EXIT_RUNTIME;
    } else if (cli.json) {
        print_json(&cli, g, &in, t_load);
    } else {
        print_text(g, &in);
    }
    free(in.class_size);
    gs_graph_free(g);
    return rc;
}

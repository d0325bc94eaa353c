/*
 * graphssl eval EMBEDDINGS.csv --labels L [--split S]: evaluate any embedding file with the
 * protocol the labels allow (dgi-linear with a split, kfold-logreg without).
 */
#include "cli.h"

#include <stdlib.h>

static const char usage[] =
    "usage: graphssl eval EMBEDDINGS.csv --labels L [--split S] [--seed 0] [--json]\n";

static const struct option eval_options[] = {
    {"help", no_argument, NULL, 'h'},
};

static int parse_args(gs_cli_t *cli, int argc, char **argv)
{
    struct option *options = gs_cli_options(eval_options, 1);
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
    if (rc != GS_EXIT_OK) {
        return rc;
    }
    if (!cli->load.labels) {
        fprintf(stderr, "graphssl eval: --labels is required\n%s", usage);
        return GS_EXIT_USAGE;
    }
    return gs_cli_positional(cli, argc, argv, usage);
}

/* A graph without edges whose nodes are the CSV's rows, so labels match by name. */
static gs_status_t load_embeddings(const gs_cli_t *cli, gs_graph_t **g, gs_tensor_t **emb)
{
    char **names = NULL;
    gs_status_t status;

    status = gs_embeddings_load_csv(cli->graph_path, &names, emb);
    if (status != GS_OK) {
        return status;
    }
    status = gs_graph_from_edges(g, (*emb)->rows, NULL, NULL, NULL, 0, false, names);
    for (int i = 0; i < (*emb)->rows; i++) {
        free(names[i]);
    }
    free(names);
    if (status == GS_OK) {
        status = gs_labels_load(*g, cli->load.labels);
    }
    if (status == GS_OK && cli->load.split) {
        status = gs_split_load(*g, cli->load.split);
    }
    return status;
}

/*
 * kfold-logreg, the protocol without a split, tests on a labelled row in each of its folds.
 * Checked here because only the command knows which files the rows came from.
 */
static int check_enough_labels(const gs_cli_t *cli, const gs_graph_t *g)
{
    int n_labelled = 0;

    if (g->split || !g->labels) {
        return GS_EXIT_OK;
    }
    for (int v = 0; v < g->n_nodes; v++) {
        n_labelled += g->labels[v] >= 0;
    }
    if (n_labelled >= GS_CLI_KFOLD_FOLDS) {
        return GS_EXIT_OK;
    }
    fprintf(stderr, "graphssl: %s: expected at least %d labelled rows of %s for "
            "kfold-logreg (one per fold; give --split for dgi-linear), found %d\n",
            cli->load.labels, GS_CLI_KFOLD_FOLDS, cli->graph_path, n_labelled);
    return GS_EXIT_DATA;
}

int gs_cmd_eval(int argc, char **argv)
{
    gs_tensor_t *emb = NULL;
    gs_graph_t *g = NULL;
    gs_status_t status;
    gs_json_t json;
    gs_cli_t cli;
    double t_eval;
    int rc;

    gs_cli_init(&cli, "eval");
    if ((rc = parse_args(&cli, argc, argv)) != GS_EXIT_OK) {
        return rc < 0 ? GS_EXIT_OK : rc;
    }
    status = load_embeddings(&cli, &g, &emb);
    if (status != GS_OK) {
        fprintf(stderr, "graphssl: %s\n", gs_last_error());
        gs_tensor_free(emb);
        gs_graph_free(g);
        return status == GS_ERR_NOMEM ? GS_EXIT_RUNTIME : GS_EXIT_DATA;
    }
    if ((rc = check_enough_labels(&cli, g)) != GS_EXIT_OK) {
        gs_tensor_free(emb);
        gs_graph_free(g);
        return rc;
    }

    gs_json_begin(&json);
    gs_json_str(&json, "method", "eval");
    gs_json_str(&json, "embeddings", cli.graph_path);
    rc = gs_cli_evaluate(&cli, g, emb, &json, &t_eval);
    gs_json_num(&json, "seconds_eval", t_eval);
    gs_cli_json_common(&cli, &json);
    gs_json_end(&json, cli.json && rc == GS_EXIT_OK);

    gs_tensor_free(emb);
    gs_graph_free(g);
    return rc;
}

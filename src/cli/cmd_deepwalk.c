/*
 * graphssl deepwalk GRAPH: train DeepWalk, write the embeddings, evaluate them (against
 * labels when the graph has them, and by link-acc when test pairs are given).
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: graphssl deepwalk GRAPH [-o FILE] [--dim 128] [--walk-length 80]\n"
    "                           [--walks-per-node 10] [--window 10] [--negatives 5]\n"
    "                           [--epochs 1] [--lr 0.025] [--hogwild]\n"
    "                           [--test-edges F --test-negatives F]\n"
    "                           [--seed 0] [--threads N] [--json] [--labels L] [--no-eval]\n"
    "\n"
    "SGD runs on one thread and is reproducible; --hogwild runs it lock-free on every\n"
    "thread, faster but dependent on thread scheduling.\n";

enum {
    OPT_DIM = 1,
    OPT_WALK_LENGTH,
    OPT_WALKS_PER_NODE,
    OPT_WINDOW,
    OPT_NEGATIVES,
    OPT_EPOCHS,
    OPT_LR,
    OPT_HOGWILD,
    OPT_TEST_EDGES,
    OPT_TEST_NEGATIVES
};

static const struct option deepwalk_options[] = {
    {"dim", required_argument, NULL, OPT_DIM},
    {"walk-length", required_argument, NULL, OPT_WALK_LENGTH},
    {"walks-per-node", required_argument, NULL, OPT_WALKS_PER_NODE},
    {"window", required_argument, NULL, OPT_WINDOW},
    {"negatives", required_argument, NULL, OPT_NEGATIVES},
    {"epochs", required_argument, NULL, OPT_EPOCHS},
    {"lr", required_argument, NULL, OPT_LR},
    {"hogwild", no_argument, NULL, OPT_HOGWILD},
    {"test-edges", required_argument, NULL, OPT_TEST_EDGES},
    {"test-negatives", required_argument, NULL, OPT_TEST_NEGATIVES},
    {"help", no_argument, NULL, 'h'},
};

enum { N_OPTIONS = sizeof deepwalk_options / sizeof deepwalk_options[0] };

typedef struct deepwalk_cli {
    gs_cli_t cli;
    gs_deepwalk_options_t opt;
    const char *test_edges;
    const char *test_negatives;
} deepwalk_cli_t;

static int deepwalk_option(void *ctx, int opt, const char *arg)
{
    deepwalk_cli_t *c = ctx;
    gs_deepwalk_options_t *o = &c->opt;
    bool ok = true;

    switch (opt) {
    case OPT_DIM: ok = gs_cli_parse_int(arg, 1, 1 << 16, &o->dim); break;
    case OPT_WALK_LENGTH: ok = gs_cli_parse_int(arg, 1, 1 << 20, &o->walk_length); break;
    case OPT_WALKS_PER_NODE: ok = gs_cli_parse_int(arg, 1, 1 << 16, &o->walks_per_node); break;
    case OPT_WINDOW: ok = gs_cli_parse_int(arg, 1, 1 << 10, &o->window); break;
    case OPT_NEGATIVES: ok = gs_cli_parse_int(arg, 0, 1 << 10, &o->negatives); break;
    case OPT_EPOCHS: ok = gs_cli_parse_int(arg, 1, 1 << 16, &o->epochs); break;
    case OPT_LR: ok = gs_cli_parse_float(arg, 1e-9f, 1e3f, &o->lr); break;
    case OPT_HOGWILD: o->hogwild = true; break;
    case OPT_TEST_EDGES: c->test_edges = arg; break;
    case OPT_TEST_NEGATIVES: c->test_negatives = arg; break;
    default:
        fputs(usage, opt == 'h' ? stdout : stderr);
        return opt == 'h' ? -1 : GS_EXIT_USAGE;
    }
    return ok ? GS_EXIT_OK : gs_cli_bad_value(&c->cli, deepwalk_options, N_OPTIONS, opt, arg);
}

static int parse_args(deepwalk_cli_t *c, int argc, char **argv)
{
    int rc = gs_cli_parse(&c->cli, argc, argv, deepwalk_options, N_OPTIONS, deepwalk_option, c);

    if (rc != GS_EXIT_OK) {
        return rc;
    }
    if (!c->test_edges != !c->test_negatives) {
        fprintf(stderr, "graphssl deepwalk: --test-edges and --test-negatives go together\n");
        return GS_EXIT_USAGE;
    }
    c->opt.seed = c->cli.seed;
    return gs_cli_positional(&c->cli, argc, argv, usage);
}

static int train_and_write(deepwalk_cli_t *c, const gs_graph_t *g, gs_tensor_t **emb,
                           gs_json_t *json)
{
    gs_train_report_t rep;
    gs_deepwalk_t *model = NULL;
    gs_status_t status;
    char *path;

    status = gs_deepwalk_train(g, &c->opt, &model, &rep);
    gs_cli_progress_done(&c->cli);
    if (status == GS_OK) {
        status = gs_deepwalk_embed(model, g, emb);
    }
    gs_deepwalk_free(model);
    if (status != GS_OK) {
        return gs_cli_fail(status);
    }
    if (!c->cli.quiet) {
        fprintf(stderr, "trained %d walk passes in %.2f s; final loss %.5f\n", rep.epochs,
                rep.seconds, rep.best_loss);
    }
    gs_json_int(json, "walk_passes", rep.epochs);
    gs_json_int(json, "epochs", c->opt.epochs);
    gs_json_num(json, "loss", rep.best_loss);
    gs_json_num(json, "seconds_train", rep.seconds);

    path = gs_cli_output_path(&c->cli);
    status = path ? gs_embeddings_save_csv(path, g->names, *emb) : GS_ERR_NOMEM;
    if (status == GS_OK && !c->cli.quiet) {
        fprintf(stderr, "wrote %d x %d embeddings to %s\n", (*emb)->rows, (*emb)->cols, path);
    }
    free(path);
    return status == GS_OK ? GS_EXIT_OK : gs_cli_fail(status);
}

/* link-acc of the embeddings and of common neighbours on the given test pairs. */
static int evaluate_links(const gs_graph_t *g, const gs_pairs_t *pos, const gs_pairs_t *neg,
                          const gs_tensor_t *emb, gs_json_t *json)
{
    double acc, auc, cn_acc, cn_auc;
    gs_status_t status;

    status = gs_graphgan_link_accuracy(emb, pos, neg, &acc, &auc);
    if (status == GS_OK) {
        status = gs_graphgan_link_accuracy_common_neighbours(g, pos, neg, &cn_acc, &cn_auc);
    }
    if (status != GS_OK) {
        return gs_cli_fail(status);
    }
    printf("link-acc %.4f  AUC %.4f (link-acc, %lld + %lld pairs)\n", acc, auc,
           (long long)pos->n, (long long)neg->n);
    printf("common neighbours: link-acc %.4f  AUC %.4f (same pairs)\n", cn_acc, cn_auc);
    fflush(stdout);
    gs_json_str(json, "protocol", "link-acc");
    gs_json_num(json, "link_acc", acc);
    gs_json_num(json, "link_auc", auc);
    gs_json_num(json, "cn_link_acc", cn_acc);
    gs_json_num(json, "cn_link_auc", cn_auc);
    return GS_EXIT_OK;
}

static int load(deepwalk_cli_t *c, gs_graph_t **g, gs_pairs_t *pos, gs_pairs_t *neg,
                double *t_load)
{
    const char *inputs[] = {c->test_edges, c->test_negatives};
    gs_status_t status;
    int rc;

    memset(pos, 0, sizeof *pos);
    memset(neg, 0, sizeof *neg);
    rc = gs_cli_check_output(&c->cli, inputs, 2);
    if (rc == GS_EXIT_OK) {
        rc = gs_cli_load_graph(&c->cli, g, t_load);
    }
    if (rc != GS_EXIT_OK || !c->test_edges) {
        return rc;
    }
    status = gs_graphgan_link_setup(g, c->test_edges, c->test_negatives, c->cli.seed, pos,
                                    neg);
    if (status != GS_OK) {
        return gs_cli_fail(status);
    }
    if (!c->cli.quiet) {
        fprintf(stderr, "test pairs: %lld edges, %lld non-edges; graph now %d nodes\n",
                (long long)pos->n, (long long)neg->n, (*g)->n_nodes);
    }
    return GS_EXIT_OK;
}

int gs_cmd_deepwalk(int argc, char **argv)
{
    gs_pairs_t pos, neg;
    gs_tensor_t *emb = NULL;
    gs_graph_t *g = NULL;
    double t_load, t_eval = 0.0;
    deepwalk_cli_t c = {0};
    gs_json_t json;
    int rc;

    gs_cli_init(&c.cli, "deepwalk");
    gs_deepwalk_options_init(&c.opt);
    c.opt.progress = gs_cli_progress;
    c.opt.progress_user = &c.cli;
    if ((rc = parse_args(&c, argc, argv)) != GS_EXIT_OK) {
        return rc < 0 ? GS_EXIT_OK : rc;
    }
    if ((rc = load(&c, &g, &pos, &neg, &t_load)) != GS_EXIT_OK) {
        gs_graph_free(g);
        return rc;
    }
    if (!c.cli.quiet) {
        fprintf(stderr, "deepwalk: dim %d, %d walks of %d per node, window %d, %d negatives, "
                "%d epochs, lr %g, seed %llu, threads %d%s\n", c.opt.dim, c.opt.walks_per_node,
                c.opt.walk_length, c.opt.window, c.opt.negatives, c.opt.epochs, c.opt.lr,
                (unsigned long long)c.opt.seed, gs_threads_get(),
                c.opt.hogwild ? " (hogwild SGD)" : "");
    }

    gs_json_begin(&json);
    gs_json_str(&json, "method", "deepwalk");
    gs_json_str(&json, "graph", c.cli.graph_path);
    gs_json_int(&json, "nodes", g->n_nodes);
    gs_json_int(&json, "dim", c.opt.dim);
    gs_json_num(&json, "seconds_load", t_load);
    rc = train_and_write(&c, g, &emb, &json);
    if (rc == GS_EXIT_OK && c.test_edges && !c.cli.no_eval) {
        rc = evaluate_links(g, &pos, &neg, emb, &json);
    }
    if (rc == GS_EXIT_OK) {
        rc = gs_cli_evaluate(&c.cli, g, emb, &json, &t_eval);
    }
    gs_json_num(&json, "seconds_eval", t_eval);
    gs_cli_json_common(&c.cli, &json);
    gs_json_end(&json, c.cli.json && rc == GS_EXIT_OK);

    gs_pairs_destroy(&pos);
    gs_pairs_destroy(&neg);
    gs_tensor_free(emb);
    gs_graph_free(g);
    return rc;
}

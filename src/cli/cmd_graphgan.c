/*
 * graphssl graphgan GRAPH: train GraphGAN on GRAPH's edges, report link-acc of the
 * generator's and the discriminator's embeddings after every epoch, write them.
 */
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: graphssl graphgan GRAPH [--test-edges F --test-negatives F] [-o FILE]\n"
    "                           [--output-dis FILE] [--dim 50] [--epochs 20]\n"
    "                           [--dis-steps 1] [--gen-steps 1] [--batch-size 64]\n"
    "                           [--n-sample-gen 20] [--window 2] [--lr-dis 1e-4]\n"
    "                           [--lr-gen 5e-4] [--lambda 1e-5]\n"
    "                           [--init deepwalk|random|FILE.csv] [--generator table|gcn]\n"
    "                           [--tree-cache-mb 256] [--seed 0] [--threads N] [--json]\n"
    "\n"
    "Without test pairs, 10% of the edges and as many non-edges are held out.  -o gets the\n"
    "generator's embeddings, --output-dis the discriminator's.  --generator gcn computes\n"
    "the generator's embeddings by one linear GCN layer over the graph's features (identity\n"
    "features when it has none) instead of a free table.\n";

enum {
    OPT_DIM = 1,
    OPT_EPOCHS,
    OPT_DIS_STEPS,
    OPT_GEN_STEPS,
    OPT_BATCH_SIZE,
    OPT_N_SAMPLE_GEN,
    OPT_WINDOW,
    OPT_LR_DIS,
    OPT_LR_GEN,
    OPT_LAMBDA,
    OPT_INIT,
    OPT_TREE_CACHE_MB,
    OPT_TEST_EDGES,
    OPT_TEST_NEGATIVES,
    OPT_OUTPUT_DIS,
    OPT_GENERATOR
};

static const struct option graphgan_options[] = {
    {"dim", required_argument, NULL, OPT_DIM},
    {"epochs", required_argument, NULL, OPT_EPOCHS},
    {"dis-steps", required_argument, NULL, OPT_DIS_STEPS},
    {"gen-steps", required_argument, NULL, OPT_GEN_STEPS},
    {"batch-size", required_argument, NULL, OPT_BATCH_SIZE},
    {"n-sample-gen", required_argument, NULL, OPT_N_SAMPLE_GEN},
    {"window", required_argument, NULL, OPT_WINDOW},
    {"lr-dis", required_argument, NULL, OPT_LR_DIS},
    {"lr-gen", required_argument, NULL, OPT_LR_GEN},
    {"lambda", required_argument, NULL, OPT_LAMBDA},
    {"init", required_argument, NULL, OPT_INIT},
    {"tree-cache-mb", required_argument, NULL, OPT_TREE_CACHE_MB},
    {"test-edges", required_argument, NULL, OPT_TEST_EDGES},
    {"test-negatives", required_argument, NULL, OPT_TEST_NEGATIVES},
    {"output-dis", required_argument, NULL, OPT_OUTPUT_DIS},
    {"generator", required_argument, NULL, OPT_GENERATOR},
    {"help", no_argument, NULL, 'h'},
};

enum { N_OPTIONS = sizeof graphgan_options / sizeof graphgan_options[0] };

typedef struct graphgan_cli {
    gs_cli_t cli;
    gs_graphgan_options_t opt;
    const char *init_file;
    const char *test_edges;
    const char *test_negatives;
    const char *output_dis;
} graphgan_cli_t;

static bool parse_init(graphgan_cli_t *c, const char *arg)
{
    if (!strcmp(arg, "deepwalk")) {
        c->opt.init = GS_GRAPHGAN_INIT_DEEPWALK;
    } else if (!strcmp(arg, "random")) {
        c->opt.init = GS_GRAPHGAN_INIT_RANDOM;
    } else {
        c->opt.init = GS_GRAPHGAN_INIT_GIVEN;
        c->init_file = arg;
    }
    return *arg != '\0';
}

static int graphgan_option(void *ctx, int opt, const char *arg)
{
    graphgan_cli_t *c = ctx;
    gs_graphgan_options_t *o = &c->opt;
    bool ok = true;
    int mb = 0;

    switch (opt) {
    case OPT_DIM: ok = gs_cli_parse_int(arg, 1, 1 << 16, &o->dim); break;
    case OPT_EPOCHS: ok = gs_cli_parse_int(arg, 0, 1 << 20, &o->epochs); break;
    case OPT_DIS_STEPS: ok = gs_cli_parse_int(arg, 0, 1 << 16, &o->dis_steps); break;
    case OPT_GEN_STEPS: ok = gs_cli_parse_int(arg, 0, 1 << 16, &o->gen_steps); break;
    case OPT_BATCH_SIZE:
        ok = gs_cli_parse_int(arg, 1, 1 << 20, &o->batch_size_dis);
        o->batch_size_gen = o->batch_size_dis;
        break;
    case OPT_N_SAMPLE_GEN: ok = gs_cli_parse_int(arg, 1, 1 << 16, &o->n_sample_gen); break;
    case OPT_WINDOW: ok = gs_cli_parse_int(arg, 1, 1 << 10, &o->window); break;
    case OPT_LR_DIS: ok = gs_cli_parse_float(arg, 1e-12f, 10.0f, &o->lr_dis); break;
    case OPT_LR_GEN: ok = gs_cli_parse_float(arg, 1e-12f, 10.0f, &o->lr_gen); break;
    case OPT_LAMBDA:
        ok = gs_cli_parse_float(arg, 0.0f, 1e3f, &o->lambda_dis);
        o->lambda_gen = o->lambda_dis;
        break;
    case OPT_INIT: ok = parse_init(c, arg); break;
    case OPT_TREE_CACHE_MB:
        ok = gs_cli_parse_int(arg, 0, 1 << 24, &mb);
        o->tree_cache_bytes = (size_t)mb << 20;
        break;
    case OPT_TEST_EDGES: c->test_edges = arg; break;
    case OPT_TEST_NEGATIVES: c->test_negatives = arg; break;
    case OPT_OUTPUT_DIS: c->output_dis = arg; break;
    case OPT_GENERATOR:
        ok = !strcmp(arg, "table") || !strcmp(arg, "gcn");
        o->generator = !strcmp(arg, "gcn") ? GS_GRAPHGAN_GEN_GCN : GS_GRAPHGAN_GEN_TABLE;
        break;
    default:
        fputs(usage, opt == 'h' ? stdout : stderr);
        return opt == 'h' ? -1 : GS_EXIT_USAGE;
    }
    return ok ? GS_EXIT_OK : gs_cli_bad_value(&c->cli, graphgan_options, N_OPTIONS, opt, arg);
}

static int parse_args(graphgan_cli_t *c, int argc, char **argv)
{
    int rc = gs_cli_parse(&c->cli, argc, argv, graphgan_options, N_OPTIONS, graphgan_option, c);

    if (rc != GS_EXIT_OK) {
        return rc;
    }
    if (!c->test_edges != !c->test_negatives) {
        fprintf(stderr, "graphssl graphgan: --test-edges and --test-negatives go together\n");
        return GS_EXIT_USAGE;
    }
    c->opt.seed = c->cli.seed;
    return gs_cli_positional(&c->cli, argc, argv, usage);
}

/* Rows of a CSV matched to g's nodes by name; nodes the file lacks get N(0, 0.1^2). */
static gs_status_t read_init(const graphgan_cli_t *c, const gs_graph_t *g, gs_tensor_t **out)
{
    gs_tensor_t *file = NULL, *init = NULL;
    char **names = NULL;
    gs_status_t status;
    int found = 0;
    gs_rng_t rng;

    status = gs_embeddings_load_csv(c->init_file, &names, &file);
    if (status != GS_OK) {
        return status;
    }
    init = gs_tensor_new(g->n_nodes, file->cols);
    if (!init) {
        status = GS_ERR_NOMEM;
    }
    gs_rng_init(&rng, c->opt.seed, 0);
    for (int v = 0; init && v < g->n_nodes; v++) {
        for (int k = 0; k < init->cols; k++) {
            init->data[(size_t)v * init->cols + k] = (float)(0.1 * gs_rng_normal(&rng));
        }
    }
    for (int r = 0; init && r < file->rows; r++) {
        int v = gs_graph_find_node(g, names[r]);

        if (v >= 0) {
            memcpy(init->data + (size_t)v * init->cols, file->data + (size_t)r * file->cols,
                   (size_t)file->cols * sizeof *init->data);
            found++;
        }
    }
    for (int r = 0; r < file->rows; r++) {
        free(names[r]);
    }
    free(names);
    gs_tensor_free(file);
    if (status == GS_OK && !c->cli.quiet) {
        fprintf(stderr, "initial embeddings: %d of %d nodes from %s\n", found, g->n_nodes,
                c->init_file);
    }
    *out = init;
    return status;
}

static void print_epoch(const gs_graphgan_epoch_t *e, void *user)
{
    const graphgan_cli_t *c = user;

    if (c->cli.quiet) {
        return;
    }
    if (e->epoch == 0) {
        fprintf(stderr, "graphgan epoch %3d/%d  initial          link-acc G %.4f D %.4f  "
                "AUC G %.4f D %.4f\n", e->epoch, c->opt.epochs, e->gen_accuracy,
                e->dis_accuracy, e->gen_auc, e->dis_auc);
        return;
    }
    fprintf(stderr, "graphgan epoch %3d/%d  D %.4f G %.4f  link-acc G %.4f D %.4f  "
            "AUC G %.4f D %.4f  (%.2f s)\n", e->epoch, c->opt.epochs, e->dis_loss,
            e->gen_loss, e->gen_accuracy, e->dis_accuracy, e->gen_auc, e->dis_auc, e->seconds);
}

static int write_embeddings(const graphgan_cli_t *c, const gs_graph_t *g,
                            const gs_graphgan_t *model, gs_graphgan_side_t side,
                            const char *given)
{
    char *path = given ? strdup(given) : gs_cli_output_path(&c->cli);
    gs_tensor_t *emb = NULL;
    gs_status_t status = path ? GS_OK : GS_ERR_NOMEM;

    if (status == GS_OK) {
        status = gs_graphgan_embed(model, g, side, &emb);
    }
    if (status == GS_OK) {
        status = gs_embeddings_save_csv(path, g->names, emb);
    }
    if (status == GS_OK && !c->cli.quiet) {
        fprintf(stderr, "wrote %d x %d %s embeddings to %s\n", emb->rows, emb->cols,
                side == GS_GRAPHGAN_GENERATOR ? "generator" : "discriminator", path);
    }
    gs_tensor_free(emb);
    free(path);
    return status == GS_OK ? GS_EXIT_OK : gs_cli_fail(status);
}

static void report(const gs_graphgan_report_t *rep, double cn_acc, double cn_auc,
                   const gs_pairs_t *pos, const gs_pairs_t *neg, gs_json_t *json)
{
    const gs_graphgan_epoch_t *e = &rep->last;
    double per_epoch = rep->train.epochs > 0 ?
        (rep->train.seconds - rep->seconds_init) / rep->train.epochs : 0.0;

    printf("generator     link-acc %.4f  AUC %.4f (link-acc, %lld + %lld pairs)\n",
           e->gen_accuracy, e->gen_auc, (long long)pos->n, (long long)neg->n);
    printf("discriminator link-acc %.4f  AUC %.4f\n", e->dis_accuracy, e->dis_auc);
    printf("initial       link-acc %.4f  AUC %.4f (before adversarial training)\n",
           rep->initial.gen_accuracy, rep->initial.gen_auc);
    printf("common neighbours link-acc %.4f  AUC %.4f (same pairs, train graph)\n", cn_acc,
           cn_auc);
    fflush(stdout);

    gs_json_str(json, "protocol", "link-acc");
    gs_json_num(json, "gen_link_acc", e->gen_accuracy);
    gs_json_num(json, "gen_link_auc", e->gen_auc);
    gs_json_num(json, "dis_link_acc", e->dis_accuracy);
    gs_json_num(json, "dis_link_auc", e->dis_auc);
    gs_json_num(json, "init_link_acc", rep->initial.gen_accuracy);
    gs_json_num(json, "cn_link_acc", cn_acc);
    gs_json_num(json, "cn_link_auc", cn_auc);
    gs_json_int(json, "epochs", rep->train.epochs);
    gs_json_num(json, "seconds_init", rep->seconds_init);
    gs_json_num(json, "seconds_per_epoch", per_epoch);
    gs_json_num(json, "seconds_train", rep->train.seconds);
}

static int train_and_write(graphgan_cli_t *c, const gs_graph_t *g, const gs_pairs_t *pos,
                           const gs_pairs_t *neg, gs_json_t *json)
{
    gs_graphgan_report_t rep;
    gs_graphgan_t *model = NULL;
    double cn_acc = NAN, cn_auc = NAN;
    gs_status_t status;
    int rc;

    status = gs_graphgan_train(g, &c->opt, &model, &rep);
    if (status == GS_OK) {
        status = gs_graphgan_link_accuracy_common_neighbours(g, pos, neg, &cn_acc, &cn_auc);
    }
    if (status != GS_OK) {
        gs_graphgan_free(model);
        return gs_cli_fail(status);
    }
    report(&rep, cn_acc, cn_auc, pos, neg, json);
    rc = write_embeddings(c, g, model, GS_GRAPHGAN_GENERATOR, c->cli.output);
    if (rc == GS_EXIT_OK && c->output_dis) {
        rc = write_embeddings(c, g, model, GS_GRAPHGAN_DISCRIMINATOR, c->output_dis);
    }
    gs_graphgan_free(model);
    return rc;
}

/* Refuses, before training, outputs that cannot be written, that are inputs, or that are
 * one file twice (the discriminator's rows would replace the generator's). */
static int check_outputs(const graphgan_cli_t *c)
{
    const char *inputs[] = {c->test_edges, c->test_negatives, c->init_file};
    char *gen = NULL;
    int rc = gs_cli_check_output(&c->cli, inputs, 3);

    if (rc != GS_EXIT_OK || !c->output_dis) {
        return rc;
    }
    rc = gs_cli_check_output_path(&c->cli, "--output-dis", c->output_dis, inputs, 3);
    gen = rc == GS_EXIT_OK ? gs_cli_output_path(&c->cli) : NULL;
    if (gen && gs_cli_same_place(gen, c->output_dis)) {
        fprintf(stderr, "graphssl: --output-dis %s: is also where the generator's embeddings "
                "go (%s); name another file\n", c->output_dis, gen);
        rc = GS_EXIT_USAGE;
    }
    free(gen);
    return rc;
}

/* The graph, the evaluation pairs (given or drawn) and the initial embeddings if a file. */
static int prepare(graphgan_cli_t *c, gs_graph_t **g, gs_pairs_t *pos, gs_pairs_t *neg,
                   gs_tensor_t **init)
{
    double t_load;
    gs_status_t status;
    int rc = check_outputs(c);

    if (rc == GS_EXIT_OK) {
        rc = gs_cli_load_graph(&c->cli, g, &t_load);
    }
    if (rc != GS_EXIT_OK) {
        return rc;
    }
    status = gs_graphgan_link_setup(g, c->test_edges, c->test_negatives, c->cli.seed, pos,
                                    neg);
    if (status == GS_OK && c->init_file) {
        status = read_init(c, *g, init);
        c->opt.init_embeddings = *init;
        c->opt.dim = *init ? (*init)->cols : c->opt.dim;
    }
    if (status != GS_OK) {
        return gs_cli_fail(status);
    }
    if (!c->cli.quiet) {
        fprintf(stderr, "link-acc pairs: %lld edges, %lld non-edges (%s); training graph %d "
                "nodes, %lld edges\n", (long long)pos->n, (long long)neg->n,
                c->test_edges ? "given" : "held out", (*g)->n_nodes, (long long)(*g)->n_edges);
    }
    return GS_EXIT_OK;
}

static void print_config(const graphgan_cli_t *c)
{
    const gs_graphgan_options_t *o = &c->opt;
    static const char *const inits[] = {"deepwalk", "random", "file"};

    fprintf(stderr, "graphgan: dim %d, %d epochs of %d D + %d G steps, batch %d, %d walks per "
            "root, window %d, lr D %g G %g, lambda %g, init %s, %s generator, seed %llu, "
            "threads %d\n", o->dim, o->epochs, o->dis_steps, o->gen_steps, o->batch_size_dis,
            o->n_sample_gen, o->window, o->lr_dis, o->lr_gen, o->lambda_dis, inits[o->init],
            o->generator == GS_GRAPHGAN_GEN_GCN ? "GCN" : "table",
            (unsigned long long)o->seed, gs_threads_get());
}

int gs_cmd_graphgan(int argc, char **argv)
{
    gs_pairs_t pos = {0}, neg = {0};
    gs_tensor_t *init = NULL;
    gs_graph_t *g = NULL;
    graphgan_cli_t c = {0};
    gs_json_t json;
    int rc;

    gs_cli_init(&c.cli, "graphgan");
    gs_graphgan_options_init(&c.opt);
    c.opt.on_epoch = print_epoch;
    c.opt.on_epoch_user = &c;
    c.opt.eval_pos = &pos;
    c.opt.eval_neg = &neg;
    if ((rc = parse_args(&c, argc, argv)) != GS_EXIT_OK) {
        return rc < 0 ? GS_EXIT_OK : rc;
    }
    rc = prepare(&c, &g, &pos, &neg, &init);
    if (rc == GS_EXIT_OK) {
        if (!c.cli.quiet) {
            print_config(&c);
        }
        gs_json_begin(&json);
        gs_json_str(&json, "method", "graphgan");
        gs_json_str(&json, "graph", c.cli.graph_path);
        gs_json_int(&json, "nodes", g->n_nodes);
        gs_json_int(&json, "dim", c.opt.dim);
        gs_json_str(&json, "generator",
                    c.opt.generator == GS_GRAPHGAN_GEN_GCN ? "gcn" : "table");
        rc = train_and_write(&c, g, &pos, &neg, &json);
        gs_cli_json_common(&c.cli, &json);
        gs_json_end(&json, c.cli.json && rc == GS_EXIT_OK);
    }

    gs_pairs_destroy(&pos);
    gs_pairs_destroy(&neg);
    gs_tensor_free(init);
    gs_graph_free(g);
    return rc;
}

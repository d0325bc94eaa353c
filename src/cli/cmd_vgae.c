/*
 * graphssl vgae GRAPH and graphssl gae GRAPH: split the edges (link-auc), train the graph
 * auto-encoder on the train edges, write the embeddings, score the test edges.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const char usage_vgae[] =
    "usage: graphssl vgae GRAPH [-o FILE] [--epochs 200] [--lr 0.01] [--hidden 32] [--dim 16]\n"
    "                       [--loss auto|dense|sampled] [--negatives 1] [--max-logstd 10]\n"
    "                       [--val-every 10] [--test-edges F] [--test-negatives F]\n"
    "                       [--val-edges F] [--val-negatives F] [--save-split DIR]\n"
    "                       [--seed 0] [--threads N] [--json] [--features F] [--no-eval]\n";

static const char usage_gae[] =
    "usage: graphssl gae GRAPH [-o FILE] [--epochs 200] [--lr 0.01] [--hidden 32] [--dim 16]\n"
    "                      [--loss auto|dense|sampled] [--negatives 1] [--val-every 10]\n"
    "                      [--test-edges F] [--test-negatives F] [--val-edges F]\n"
    "                      [--val-negatives F] [--save-split DIR]\n"
    "                      [--seed 0] [--threads N] [--json] [--features F] [--no-eval]\n";

enum {
    OPT_EPOCHS = 1,
    OPT_LR,
    OPT_HIDDEN,
    OPT_DIM,
    OPT_LOSS,
    OPT_NEGATIVES,
    OPT_MAX_LOGSTD,
    OPT_VAL_EVERY,
    OPT_TEST_EDGES,
    OPT_TEST_NEGATIVES,
    OPT_VAL_EDGES,
    OPT_VAL_NEGATIVES,
    OPT_SAVE_SPLIT
};

static const struct option vgae_options[] = {
    {"epochs", required_argument, NULL, OPT_EPOCHS},
    {"lr", required_argument, NULL, OPT_LR},
    {"hidden", required_argument, NULL, OPT_HIDDEN},
    {"dim", required_argument, NULL, OPT_DIM},
    {"loss", required_argument, NULL, OPT_LOSS},
    {"negatives", required_argument, NULL, OPT_NEGATIVES},
    {"max-logstd", required_argument, NULL, OPT_MAX_LOGSTD},
    {"val-every", required_argument, NULL, OPT_VAL_EVERY},
    {"test-edges", required_argument, NULL, OPT_TEST_EDGES},
    {"test-negatives", required_argument, NULL, OPT_TEST_NEGATIVES},
    {"val-edges", required_argument, NULL, OPT_VAL_EDGES},
    {"val-negatives", required_argument, NULL, OPT_VAL_NEGATIVES},
    {"save-split", required_argument, NULL, OPT_SAVE_SPLIT},
    {"help", no_argument, NULL, 'h'},
};

enum { N_VGAE_OPTIONS = sizeof vgae_options / sizeof vgae_options[0] };

/* The split files a user may give; NULL when not given. */
typedef struct split_files {
    const char *test;
    const char *test_neg;
    const char *val;
    const char *val_neg;
    const char *save_dir;
} split_files_t;

typedef struct vgae_cli {
    gs_cli_t cli;
    gs_vgae_options_t opt;
    split_files_t files;
    const char *usage;
} vgae_cli_t;

static bool parse_loss(const char *arg, gs_vgae_loss_t *out)
{
    static const char *names[] = {"auto", "dense", "sampled"};

    for (int i = 0; i < 3; i++) {
        if (!strcmp(arg, names[i])) {
            *out = (gs_vgae_loss_t)i;
            return true;
        }
    }
    return false;
}

static bool model_option(gs_vgae_options_t *opt, int c, const char *arg)
{
    switch (c) {
    case OPT_EPOCHS: return gs_cli_parse_int(arg, 1, 1 << 30, &opt->epochs);
    case OPT_LR: return gs_cli_parse_float(arg, 1e-9f, 1e3f, &opt->lr);
    case OPT_HIDDEN: return gs_cli_parse_int(arg, 1, 1 << 16, &opt->hidden);
    case OPT_DIM: return gs_cli_parse_int(arg, 1, 1 << 16, &opt->dim);
    case OPT_LOSS: return parse_loss(arg, &opt->loss);
    case OPT_NEGATIVES: return gs_cli_parse_int(arg, 1, 1000, &opt->negatives);
    case OPT_MAX_LOGSTD: return gs_cli_parse_float(arg, 1e-3f, 80.0f, &opt->max_logstd);
    case OPT_VAL_EVERY: return gs_cli_parse_int(arg, 0, 1 << 30, &opt->val_every);
    default: return false;
    }
}

static int vgae_option(void *ctx, int c, const char *arg)
{
    vgae_cli_t *vc = ctx;
    split_files_t *f = &vc->files;

    switch (c) {
    case OPT_TEST_EDGES: f->test = arg; return GS_EXIT_OK;
    case OPT_TEST_NEGATIVES: f->test_neg = arg; return GS_EXIT_OK;
    case OPT_VAL_EDGES: f->val = arg; return GS_EXIT_OK;
    case OPT_VAL_NEGATIVES: f->val_neg = arg; return GS_EXIT_OK;
    case OPT_SAVE_SPLIT: f->save_dir = arg; return GS_EXIT_OK;
    case 'h': fputs(vc->usage, stdout); return -1;
    default: break;
    }
    if (c == '?' || c == ':' || c < OPT_EPOCHS || c > OPT_VAL_EVERY) {
        fputs(vc->usage, stderr);
        return GS_EXIT_USAGE;
    }
    if (!model_option(&vc->opt, c, arg)) {
        return gs_cli_bad_value(&vc->cli, vgae_options, N_VGAE_OPTIONS, c, arg);
    }
    return GS_EXIT_OK;
}

static int parse_args(vgae_cli_t *vc, int argc, char **argv)
{
    int rc = gs_cli_parse(&vc->cli, argc, argv, vgae_options, N_VGAE_OPTIONS, vgae_option, vc);

    if (rc != GS_EXIT_OK) {
        return rc;
    }
    vc->opt.seed = vc->cli.seed;
    return gs_cli_positional(&vc->cli, argc, argv, vc->usage);
}

/* --- The split ---------------------------------------------------------------------- */

static bool split_given(const split_files_t *f)
{
    return f->test || f->test_neg || f->val || f->val_neg;
}

static gs_status_t load_given(const gs_graph_t *g, const split_files_t *f, uint64_t seed,
                              gs_link_split_t *s)
{
    const char *paths[] = {f->test, f->test_neg, f->val, f->val_neg};
    gs_pairs_t *lists[] = {&s->test, &s->test_neg, &s->val, &s->val_neg};
    gs_status_t status = GS_OK;

    for (int i = 0; i < 4 && status == GS_OK; i++) {
        if (paths[i]) {
            status = gs_pairs_load(g, paths[i], lists[i]);
        }
    }
    return status == GS_OK ? gs_link_split_complete(g, seed, s) : status;
}

static void print_split(const vgae_cli_t *vc, const gs_link_split_t *s)
{
    fprintf(stderr, "link-auc split (%s): %lld train, %lld validation, %lld test edges; "
            "%lld + %lld non-edges\n", split_given(&vc->files) ? "given" : "drawn",
            (long long)s->train.n, (long long)s->val.n, (long long)s->test.n,
            (long long)s->val_neg.n, (long long)s->test_neg.n);
}

/* The given split completed, or one drawn from the seed; saved when asked. */
static gs_status_t make_split(const vgae_cli_t *vc, const gs_graph_t *g, gs_link_split_t *s)
{
    gs_status_t status;

    if (split_given(&vc->files)) {
        status = load_given(g, &vc->files, vc->cli.seed, s);
    } else {
        status = gs_link_split_draw(g, 0.05, 0.10, vc->cli.seed, s);
    }
    if (status == GS_OK && !vc->cli.quiet) {
        print_split(vc, s);
    }
    if (status == GS_OK && vc->files.save_dir) {
        status = gs_link_split_save(g, s, vc->files.save_dir);
        if (status == GS_OK && !vc->cli.quiet) {
            fprintf(stderr, "wrote the split to %s/\n", vc->files.save_dir);
        }
    }
    return status;
}

/* --- Training, output, scores -------------------------------------------------------- */

static void print_validation(int epoch, double auc, double ap, void *user)
{
    const gs_cli_t *cli = user;

    if (cli->quiet) {
        return;
    }
    fprintf(stderr, "%s%s epoch %5d  val AUC %.4f  AP %.4f\n", cli->progress_on_tty ? "\r" : "",
            cli->method, epoch, auc, ap);
}

static int train_and_write(vgae_cli_t *vc, const gs_graph_t *g, const gs_link_split_t *split,
                           gs_tensor_t **emb, gs_json_t *json)
{
    gs_train_report_t rep;
    gs_vgae_t *model = NULL;
    gs_status_t status;
    char *path;

    status = gs_vgae_train(g, split, &vc->opt, &model, &rep);
    gs_cli_progress_done(&vc->cli);
    if (status == GS_OK) {
        status = gs_vgae_embed(model, g, split, emb);
    }
    gs_vgae_free(model);
    if (status != GS_OK) {
        return gs_cli_fail(status);
    }
    if (!vc->cli.quiet) {
        fprintf(stderr, "trained %d epochs in %.2f s (%.2f ms/epoch); final loss %.5f\n",
                rep.epochs, rep.seconds, 1e3 * rep.seconds / rep.epochs, rep.best_loss);
    }
    gs_json_int(json, "epochs", rep.epochs);
    gs_json_num(json, "seconds_train", rep.seconds);
    gs_json_num(json, "final_loss", rep.best_loss);

    path = gs_cli_output_path(&vc->cli);
    status = path ? gs_embeddings_save_csv(path, g->names, *emb) : GS_ERR_NOMEM;
    if (status == GS_OK && !vc->cli.quiet) {
        fprintf(stderr, "wrote %d x %d embeddings to %s\n", (*emb)->rows, (*emb)->cols, path);
    }
    free(path);
    return status == GS_OK ? GS_EXIT_OK : gs_cli_fail(status);
}

/* Prints "NAME AUC x AP y (link-auc, ...)" for one held-out set and adds it to json. */
static int score(const gs_tensor_t *emb, const gs_pairs_t *pos, const gs_pairs_t *neg,
                 const char *name, gs_json_t *json)
{
    char key[32];
    double auc, ap;
    gs_status_t status;

    if (pos->n == 0 || neg->n == 0) {
        return GS_EXIT_OK;
    }
    status = gs_link_evaluate(emb, pos, neg, &auc, &ap);
    if (status != GS_OK) {
        return gs_cli_fail(status);
    }
    printf("%s AUC %.2f  AP %.2f (link-auc, %lld edges, %lld non-edges)\n", name, 100.0 * auc,
           100.0 * ap, (long long)pos->n, (long long)neg->n);
    snprintf(key, sizeof key, "%s_auc", name);
    gs_json_num(json, key, auc);
    snprintf(key, sizeof key, "%s_ap", name);
    gs_json_num(json, key, ap);
    return GS_EXIT_OK;
}

static int evaluate(const gs_tensor_t *emb, const gs_link_split_t *s, gs_json_t *json)
{
    int rc;

    gs_json_str(json, "protocol", "link-auc");
    rc = score(emb, &s->val, &s->val_neg, "val", json);
    if (rc == GS_EXIT_OK) {
        rc = score(emb, &s->test, &s->test_neg, "test", json);
    }
    fflush(stdout);
    return rc;
}

static void print_config(const vgae_cli_t *vc, const gs_graph_t *g)
{
    const gs_vgae_options_t *o = &vc->opt;
    gs_vgae_loss_t loss = gs_vgae_loss_for(o, g->n_nodes);

    fprintf(stderr, "%s: hidden %d, dim %d, lr %g, epochs %d, loss %s", vc->cli.method,
            o->hidden, o->dim, o->lr, o->epochs,
            loss == GS_VGAE_LOSS_DENSE ? "dense" : "sampled");
    if (loss == GS_VGAE_LOSS_SAMPLED) {
        fprintf(stderr, " (%d per edge)", o->negatives);
    }
    fprintf(stderr, ", seed %llu, threads %d\n", (unsigned long long)o->seed, gs_threads_get());
}

static int run_model(vgae_cli_t *vc, gs_graph_t *g, gs_json_t *json)
{
    gs_link_split_t split;
    gs_tensor_t *emb = NULL;
    gs_status_t status = GS_OK;
    int rc;

    /* Without evaluation nothing is held out: the encoder sees every edge. */
    gs_link_split_init(&split);
    if (!vc->cli.no_eval) {
        status = make_split(vc, g, &split);
    } else if (!vc->cli.quiet) {
        fprintf(stderr, "--no-eval: training on all %lld edges\n", (long long)g->n_edges);
    }
    if (status != GS_OK) {
        gs_link_split_destroy(&split);

        /* Split files that cannot be read are bad input data, as an unreadable graph is. */
        fprintf(stderr, "graphssl: %s\n", gs_last_error());
        return status == GS_ERR_NOMEM || status == GS_ERR_INTERNAL ? GS_EXIT_RUNTIME
                                                                   : GS_EXIT_DATA;
    }
    if (!vc->cli.quiet) {
        print_config(vc, g);
    }

    rc = train_and_write(vc, g, vc->cli.no_eval ? NULL : &split, &emb, json);
    if (rc == GS_EXIT_OK && !vc->cli.no_eval) {
        rc = evaluate(emb, &split, json);
    }
    gs_tensor_free(emb);
    gs_link_split_destroy(&split);
    return rc;
}

/* Refuses, before loading, an output that cannot be written or is one of the inputs: the
 * embeddings, and each file --save-split will replace. */
static int check_output(const vgae_cli_t *vc)
{
    static const char *const split_names[] = {GS_LINK_TRAIN_FILE, GS_LINK_VAL_FILE,
                                              GS_LINK_VAL_NEG_FILE, GS_LINK_TEST_FILE,
                                              GS_LINK_TEST_NEG_FILE};
    const split_files_t *f = &vc->files;
    const char *inputs[] = {f->test, f->test_neg, f->val, f->val_neg};
    int rc = gs_cli_check_output(&vc->cli, inputs, 4);

    if (rc != GS_EXIT_OK) {
        return rc;
    }

    /* Without evaluation no split is made (the encoder trains on every edge), so split
     * files would be silently ignored. */
    if (vc->cli.no_eval && f->save_dir) {
        fprintf(stderr, "graphssl: --save-split: --no-eval holds no edges out, so there is no "
                "split to save; drop one of them\n");
        return GS_EXIT_USAGE;
    }
    if (vc->cli.no_eval && split_given(f)) {
        fprintf(stderr, "graphssl: --no-eval holds no edges out, so the given test and "
                "validation files would be ignored; drop one or the other\n");
        return GS_EXIT_USAGE;
    }
    if (!f->save_dir) {
        return GS_EXIT_OK;
    }
    return gs_cli_check_output_dir(&vc->cli, "--save-split", f->save_dir, split_names, 5,
                                   inputs, 4);
}

static int run(int argc, char **argv, bool variational)
{
    vgae_cli_t vc;
    gs_graph_t *g = NULL;
    double t_load;
    gs_json_t json;
    int rc;

    memset(&vc, 0, sizeof vc);
    gs_cli_init(&vc.cli, variational ? "vgae" : "gae");
    gs_vgae_options_init(&vc.opt);
    vc.opt.variational = variational;
    vc.opt.progress = gs_cli_progress;
    vc.opt.validate = print_validation;
    vc.opt.progress_user = &vc.cli;
    vc.usage = variational ? usage_vgae : usage_gae;
    if ((rc = parse_args(&vc, argc, argv)) != GS_EXIT_OK) {
        return rc < 0 ? GS_EXIT_OK : rc;
    }
    if ((rc = check_output(&vc)) != GS_EXIT_OK ||
        (rc = gs_cli_load_graph(&vc.cli, &g, &t_load)) != GS_EXIT_OK) {
        return rc;
    }
    if (g->n_features == 0) {
        fprintf(stderr, "no node features: using one-hot identity features (%d)\n",
                g->n_nodes);
        if (gs_graph_set_identity_features(g) != GS_OK) {
            gs_graph_free(g);
            return gs_cli_fail(GS_ERR_NOMEM);
        }
    }

    gs_json_begin(&json);
    gs_json_str(&json, "method", vc.cli.method);
    gs_json_str(&json, "graph", vc.cli.graph_path);
    gs_json_int(&json, "nodes", g->n_nodes);
    gs_json_str(&json, "loss", gs_vgae_loss_for(&vc.opt, g->n_nodes) == GS_VGAE_LOSS_DENSE
                                   ? "dense" : "sampled");
    gs_json_num(&json, "seconds_load", t_load);
    rc = run_model(&vc, g, &json);
    gs_cli_json_common(&vc.cli, &json);
    gs_json_end(&json, vc.cli.json && rc == GS_EXIT_OK);

    gs_graph_free(g);
    return rc;
}

int gs_cmd_vgae(int argc, char **argv)
{
    return run(argc, argv, true);
}

int gs_cmd_gae(int argc, char **argv)
{
    return run(argc, argv, false);
}

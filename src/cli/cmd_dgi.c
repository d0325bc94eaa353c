/*
 * graphssl dgi GRAPH: train Deep Graph Infomax, write the embeddings, evaluate them.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: graphssl dgi GRAPH [-o FILE] [--hidden 512] [--lr 0.001] [--patience 20]\n"
    "                      [--max-epochs 10000] [--raw] [common options]\n"
    "--hidden is at most 4096.\n"
    "Writes NAME.dgi.csv (or -o FILE) scaled to unit mean row norm; --raw writes the\n"
    "model's output as is.  With labels and a split, prints the dgi-linear score of the\n"
    "raw output (the paper's protocol); with labels only, kfold-logreg.\n";

enum { OPT_HIDDEN = 1, OPT_LR, OPT_PATIENCE, OPT_MAX_EPOCHS };

/* The discriminator is hidden x hidden with gradient, two Adam moments and a best copy:
 * 4096 already takes 320 MB for it alone.  (The usage error names the option; the limit is
 * in --help.) */
enum { MAX_HIDDEN = 4096 };

static const struct option dgi_options[] = {
    {"hidden", required_argument, NULL, OPT_HIDDEN},
    {"lr", required_argument, NULL, OPT_LR},
    {"patience", required_argument, NULL, OPT_PATIENCE},
    {"max-epochs", required_argument, NULL, OPT_MAX_EPOCHS},
    {"help", no_argument, NULL, 'h'},
};

enum { N_OPTIONS = sizeof dgi_options / sizeof dgi_options[0] };

typedef struct dgi_cli {
    gs_cli_t cli;
    gs_dgi_options_t opt;
} dgi_cli_t;

static int dgi_option(void *ctx, int c, const char *arg)
{
    dgi_cli_t *d = ctx;
    gs_dgi_options_t *opt = &d->opt;
    bool ok = true;

    switch (c) {
    case OPT_HIDDEN: ok = gs_cli_parse_int(arg, 1, MAX_HIDDEN, &opt->hidden); break;
    case OPT_LR: ok = gs_cli_parse_float(arg, 1e-9f, 1e3f, &opt->lr); break;
    case OPT_PATIENCE: ok = gs_cli_parse_int(arg, 1, 1 << 30, &opt->patience); break;
    case OPT_MAX_EPOCHS: ok = gs_cli_parse_int(arg, 1, 1 << 30, &opt->max_epochs); break;
    default:
        fputs(usage, c == 'h' ? stdout : stderr);
        if (c == 'h') {
            fputs(gs_cli_common_help(), stdout);
        }
        return c == 'h' ? -1 : GS_EXIT_USAGE;
    }
    return ok ? GS_EXIT_OK : gs_cli_bad_value(&d->cli, dgi_options, N_OPTIONS, c, arg);
}

static int parse_args(dgi_cli_t *d, int argc, char **argv)
{
    gs_cli_t *cli = &d->cli;
    gs_dgi_options_t *opt = &d->opt;
    int rc = gs_cli_parse(cli, argc, argv, dgi_options, N_OPTIONS, dgi_option, d);

    if (rc != GS_EXIT_OK) {
        return rc;
    }
    opt->seed = cli->seed;
    return gs_cli_positional(cli, argc, argv, usage);
}

static bool all_zero(const gs_tensor_t *t)
{
    for (size_t i = 0; i < (size_t)t->rows * t->cols; i++) {
        if (t->data[i] != 0.0f) {
            return false;
        }
    }
    return true;
}

/*
 * DGI's raw embeddings are tiny (entries near 0.005 on Cora), and the penalty of an ordinary
 * L2-regularized classifier then dominates: scikit-learn's default logistic regression loses
 * about 3 points on Cora to the unit alone.  The file therefore holds the embeddings times
 * one factor that makes the mean row norm 1 (--raw writes them unscaled).  The dgi-linear
 * score is computed on the raw output, as in the paper: its unregularized Adam probe is not
 * invariant to the scale either, and was designed around the raw one.
 */
static int write_rescaled(const gs_cli_t *cli, const gs_graph_t *g, const gs_tensor_t *emb,
                          gs_json_t *json)
{
    gs_tensor_t *out = gs_tensor_clone(emb);
    double factor = 1.0;
    int rc;

    if (!out) {
        fputs("graphssl: out of memory\n", stderr);
        return GS_EXIT_RUNTIME;
    }
    if (!cli->raw) {
        factor = gs_embeddings_rescale(out);
        if (all_zero(out)) {
            fputs("warning: the embeddings are all zero; written as they are\n", stderr);
        } else if (!cli->quiet) {
            fprintf(stderr, "embeddings written times %.4g (unit mean row norm; --raw writes "
                    "them unscaled)\n", factor);
        }
    }
    gs_json_num(json, "export_scale", factor);
    rc = gs_cli_write_embeddings(cli, g->names, out);
    gs_tensor_free(out);
    return rc;
}

static int train_and_write(gs_cli_t *cli, const gs_graph_t *g, const gs_dgi_options_t *opt,
                           gs_tensor_t **emb, gs_json_t *json)
{
    gs_train_report_t rep;
    gs_dgi_t *model = NULL;
    gs_status_t status;

    status = gs_dgi_train(g, opt, &model, &rep);
    gs_cli_progress_done(cli);
    if (status == GS_OK) {
        status = gs_dgi_embed(model, g, emb);
    }
    gs_dgi_free(model);
    if (status != GS_OK) {
        return gs_cli_fail(status);
    }
    if (!cli->quiet) {
        fprintf(stderr, "trained %d epochs in %.2f s (%.2f ms/epoch); best epoch %d, loss %.5f\n",
                rep.epochs, rep.seconds, 1e3 * rep.seconds / rep.epochs, rep.best_epoch,
                rep.best_loss);
    }
    gs_json_int(json, "epochs", rep.epochs);
    gs_json_int(json, "best_epoch", rep.best_epoch);
    gs_json_num(json, "seconds_train", rep.seconds);

    return write_rescaled(cli, g, *emb, json);
}

int gs_cmd_dgi(int argc, char **argv)
{
    gs_tensor_t *emb = NULL;
    gs_graph_t *g = NULL;
    double t_load, t_eval = 0.0;
    gs_json_t json;
    dgi_cli_t d;
    int rc;

    gs_cli_init(&d.cli, "dgi");
    gs_dgi_options_init(&d.opt);
    d.opt.progress = gs_cli_progress;
    d.opt.progress_user = &d.cli;
    if ((rc = parse_args(&d, argc, argv)) != GS_EXIT_OK) {
        return rc < 0 ? GS_EXIT_OK : rc;
    }
    if ((rc = gs_cli_check_output(&d.cli, NULL, 0)) != GS_EXIT_OK ||
        (rc = gs_cli_load_graph(&d.cli, &g, &t_load)) != GS_EXIT_OK) {
        return rc;
    }
    if (g->n_features == 0) {
        if (!d.cli.quiet) {
            fprintf(stderr, "no node features: using one-hot identity features (%d)\n",
                    g->n_nodes);
        }
        if (gs_graph_set_identity_features(g) != GS_OK) {
            gs_graph_free(g);
            return gs_cli_fail(GS_ERR_NOMEM);
        }
    }
    if (!d.cli.quiet) {
        fprintf(stderr, "dgi: hidden %d, lr %g, patience %d, max epochs %d, seed %llu, "
                "threads %d\n", d.opt.hidden, d.opt.lr, d.opt.patience, d.opt.max_epochs,
                (unsigned long long)d.opt.seed, gs_threads_get());
    }

    gs_json_begin(&json);
    gs_json_str(&json, "method", "dgi");
    gs_json_str(&json, "graph", d.cli.graph_path);
    gs_json_int(&json, "nodes", g->n_nodes);
    gs_json_int(&json, "hidden", d.opt.hidden);
    gs_json_num(&json, "seconds_load", t_load);
    rc = train_and_write(&d.cli, g, &d.opt, &emb, &json);
    if (rc == GS_EXIT_OK) {
        rc = gs_cli_evaluate(&d.cli, g, emb, &json, &t_eval);
    }
    gs_json_num(&json, "seconds_eval", t_eval);
    gs_cli_json_common(&d.cli, &json);
    gs_json_end(&json, d.cli.json && rc == GS_EXIT_OK);

    gs_tensor_free(emb);
    gs_graph_free(g);
    return rc;
}

/*
 * graphssl gcc: Graph Contrastive Coding.
 *
 *   graphssl gcc pretrain GRAPH... -o gcc.model     pre-train on these graphs
 *   graphssl gcc embed MODEL GRAPH -o FILE          node embeddings of another graph
 *   graphssl gcc embed MODEL --graphs DIR -o FILE   one embedding per graph of a collection
 *   graphssl gcc GRAPH                              pre-train on GRAPH, then embed it
 *
 * A GRAPH that is a folder is a TU graph collection.  Embeddings are evaluated when labels
 * exist: kfold-logreg over nodes, or over the graphs of a collection.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char usage[] =
    "usage: graphssl gcc pretrain GRAPH... [-o gcc.model] [training options]\n"
    "       graphssl gcc embed MODEL GRAPH [-o FILE]\n"
    "       graphssl gcc embed MODEL --graphs DIR [-o FILE]\n"
    "       graphssl gcc GRAPH [training options]   (pre-train on GRAPH, embed it)\n"
    "A GRAPH that is a folder is read as a TU graph collection.\n"
    "training: [--encoder gin|gcn] [--contrast moco|e2e] [--steps 10000] [--batch 32]\n"
    "          [--queue 16384] [--momentum 0.999] [--temperature 0.07] [--lr 0.005]\n"
    "          [--weight-decay 1e-5] [--hidden 64] [--layers 5] [--restart 0.8]\n"
    "          [--rw-hops 256] [--dropout 0.5] [--degree-dim 0] [--max-degree 512]\n"
    "evaluation: --freeze (default: logistic regression on the embeddings, kfold-logreg)\n"
    "            --finetune [--epochs 30]  (encoder + linear head trained per fold)\n"
    "and the common options (graphssl gcc --help lists them).\n";

typedef enum gcc_mode { MODE_BOTH, MODE_PRETRAIN, MODE_EMBED } gcc_mode_t;

enum {
    OPT_ENCODER = 1, OPT_CONTRAST, OPT_STEPS, OPT_BATCH, OPT_QUEUE, OPT_MOMENTUM,
    OPT_TEMPERATURE, OPT_LR, OPT_WEIGHT_DECAY, OPT_HIDDEN, OPT_LAYERS, OPT_RESTART,
    OPT_RW_HOPS, OPT_DROPOUT, OPT_GRAPHS, OPT_FREEZE, OPT_FINETUNE, OPT_EPOCHS,
    OPT_DEGREE_DIM, OPT_MAX_DEGREE
};

static const struct option gcc_options[] = {
    {"encoder", required_argument, NULL, OPT_ENCODER},
    {"contrast", required_argument, NULL, OPT_CONTRAST},
    {"steps", required_argument, NULL, OPT_STEPS},
    {"batch", required_argument, NULL, OPT_BATCH},
    {"queue", required_argument, NULL, OPT_QUEUE},
    {"momentum", required_argument, NULL, OPT_MOMENTUM},
    {"temperature", required_argument, NULL, OPT_TEMPERATURE},
    {"lr", required_argument, NULL, OPT_LR},
    {"weight-decay", required_argument, NULL, OPT_WEIGHT_DECAY},
    {"hidden", required_argument, NULL, OPT_HIDDEN},
    {"layers", required_argument, NULL, OPT_LAYERS},
    {"restart", required_argument, NULL, OPT_RESTART},
    {"rw-hops", required_argument, NULL, OPT_RW_HOPS},
    {"dropout", required_argument, NULL, OPT_DROPOUT},
    {"degree-dim", required_argument, NULL, OPT_DEGREE_DIM},
    {"max-degree", required_argument, NULL, OPT_MAX_DEGREE},
    {"graphs", required_argument, NULL, OPT_GRAPHS},
    {"freeze", no_argument, NULL, OPT_FREEZE},
    {"finetune", no_argument, NULL, OPT_FINETUNE},
    {"epochs", required_argument, NULL, OPT_EPOCHS},
    {"help", no_argument, NULL, 'h'},
};

enum { N_GCC_OPTIONS = sizeof gcc_options / sizeof gcc_options[0] };

typedef struct run {
    gs_cli_t cli;
    gs_gcc_options_t opt;
    gcc_mode_t mode;
    const char *graphs_dir;    /* --graphs */
    bool finetune;             /* --finetune rather than --freeze */
    gs_gcc_finetune_options_t tune;
    char **inputs;             /* positional arguments after the mode word */
    int n_inputs;
    gs_json_t json;
} run_t;

/* A number in [lo, hi] in double precision (the restart probability). */
static bool parse_real(const char *arg, double lo, double hi, double *out)
{
    char *end;
    double v = strtod(arg, &end);

    if (end == arg || *end != '\0' || !(v >= lo && v <= hi)) {
        return false;
    }
    *out = v;
    return true;
}

static bool parse_choice(const char *arg, const char *a, const char *b, int *out)
{
    if (!strcmp(arg, a) || !strcmp(arg, b)) {
        *out = strcmp(arg, a) == 0 ? 0 : 1;
        return true;
    }
    return false;
}

static bool gcc_option(run_t *r, int c, const char *arg)
{
    gs_gcc_options_t *o = &r->opt;
    int v;

    switch (c) {
    case OPT_ENCODER:
        if (!parse_choice(arg, "gin", "gcn", &v)) {
            return false;
        }
        o->encoder = v == 0 ? GS_GCC_ENCODER_GIN : GS_GCC_ENCODER_GCN;
        return true;
    case OPT_CONTRAST:
        if (!parse_choice(arg, "moco", "e2e", &v)) {
            return false;
        }
        o->contrast = v == 0 ? GS_GCC_CONTRAST_MOCO : GS_GCC_CONTRAST_E2E;
        return true;
    case OPT_STEPS: return gs_cli_parse_int(arg, 1, 1 << 30, &o->steps);
    case OPT_BATCH: return gs_cli_parse_int(arg, 2, 32768, &o->batch_size);
    case OPT_QUEUE: return gs_cli_parse_int(arg, 1, 1 << 24, &o->queue_size);
    case OPT_MOMENTUM: return gs_cli_parse_float(arg, 0.0f, 1.0f, &o->momentum);
    case OPT_TEMPERATURE: return gs_cli_parse_float(arg, 1e-4f, 1e4f, &o->temperature);
    case OPT_LR: return gs_cli_parse_float(arg, 1e-9f, 10.0f, &o->lr);
    case OPT_WEIGHT_DECAY: return gs_cli_parse_float(arg, 0.0f, 10.0f, &o->weight_decay);
    case OPT_HIDDEN: return gs_cli_parse_int(arg, 1, 4096, &o->hidden);
    case OPT_LAYERS: return gs_cli_parse_int(arg, 2, 16, &o->layers);
    case OPT_RESTART: return parse_real(arg, 1e-6, 1.0, &o->restart_prob);
    case OPT_RW_HOPS: return gs_cli_parse_int(arg, 1, 1 << 24, &o->rw_hops);
    case OPT_DROPOUT: return gs_cli_parse_float(arg, 0.0f, 0.99f, &o->dropout);
    case OPT_DEGREE_DIM: return gs_cli_parse_int(arg, 0, 4096, &o->degree_dim);
    case OPT_MAX_DEGREE: return gs_cli_parse_int(arg, 1, 1 << 20, &o->max_degree);
    case OPT_GRAPHS: r->graphs_dir = arg; return true;
    case OPT_FREEZE: r->finetune = false; return true;
    case OPT_FINETUNE: r->finetune = true; return true;
    case OPT_EPOCHS: return gs_cli_parse_int(arg, 1, 1 << 20, &r->tune.epochs);
    default: return false;
    }
}

/* The mode word, if any, comes first; the arguments seen by getopt start after it. */
static void take_mode(run_t *r, int *argc, char ***argv)
{
    r->mode = MODE_BOTH;
    if (*argc > 1 && !strcmp((*argv)[1], "pretrain")) {
        r->mode = MODE_PRETRAIN;
    } else if (*argc > 1 && !strcmp((*argv)[1], "embed")) {
        r->mode = MODE_EMBED;
    }
    if (r->mode != MODE_BOTH) {
        (*argc)--;
        (*argv)++;
    }
}

static int check_positionals(run_t *r)
{
    bool ok;

    switch (r->mode) {
    case MODE_PRETRAIN: ok = r->n_inputs >= 1 && !r->graphs_dir; break;
    case MODE_EMBED: ok = r->n_inputs == (r->graphs_dir ? 1 : 2); break;
    default: ok = r->n_inputs == 1 && !r->graphs_dir; break;
    }
    if (!ok) {
        fputs(usage, stderr);
        return GS_EXIT_USAGE;
    }
    r->cli.graph_path = r->mode == MODE_EMBED ? (r->graphs_dir ? r->graphs_dir : r->inputs[1])
                                              : r->inputs[0];
    return GS_EXIT_OK;
}

/* getopt's callback: the value of one gcc option, or help. */
static int own_option(void *ctx, int c, const char *arg)
{
    run_t *r = ctx;

    if (c == 'h' || c == '?') {
        fputs(usage, c == 'h' ? stdout : stderr);
        if (c == 'h') {
            fputs(gs_cli_common_help(), stdout);
        }
        return c == 'h' ? -1 : GS_EXIT_USAGE;
    }
    if (!gcc_option(r, c, arg)) {
        return gs_cli_bad_value(&r->cli, gcc_options, N_GCC_OPTIONS, c, arg);
    }
    return GS_EXIT_OK;
}

static int parse_args(run_t *r, int argc, char **argv)
{
    int rc;

    take_mode(r, &argc, &argv);
    rc = gs_cli_parse(&r->cli, argc, argv, gcc_options, N_GCC_OPTIONS, own_option, r);
    if (rc != GS_EXIT_OK) {
        return rc;
    }
    r->opt.seed = r->cli.seed;
    r->tune.seed = r->cli.seed;
    r->inputs = argv + optind;
    r->n_inputs = argc - optind;
    return check_positionals(r);
}

/* --- Inputs -------------------------------------------------------------------------- */

static bool is_directory(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* One pre-training input: a graph file, or a TU folder used as its union graph. */
typedef struct input {
    gs_graph_t *graph;
    gs_graph_collection_t *collection;
} input_t;

static void input_destroy(input_t *in)
{
    if (in->collection) {
        gs_graph_collection_free(in->collection);
    } else {
        gs_graph_free(in->graph);
    }
    memset(in, 0, sizeof *in);
}

static int load_input(const run_t *r, const char *path, bool companions, input_t *in)
{
    gs_load_options_t load = r->cli.load;
    gs_status_t status;

    memset(in, 0, sizeof *in);
    load.no_companions = load.no_companions || !companions;
    if (is_directory(path)) {
        status = gs_tu_load(&in->collection, path);
        in->graph = status == GS_OK ? in->collection->graph : NULL;
    } else {
        status = gs_graph_load(&in->graph, path, &load);
    }
    if (status != GS_OK) {
        return gs_cli_load_failed(path, status);
    }
    if (!r->cli.quiet) {
        fprintf(stderr, "loaded %s: %d nodes, %lld edges%s\n", path, in->graph->n_nodes,
                (long long)in->graph->n_edges, in->collection ? " (graph collection)" : "");
    }
    return GS_EXIT_OK;
}

/* --- Pre-training ---------------------------------------------------------------------- */

static void progress(int step, int steps, double loss, void *user)
{
    const run_t *r = user;

    if (r->cli.quiet) {
        return;
    }
    fprintf(stderr, r->cli.progress_on_tty ? "\rgcc step %6d/%d  loss %.4f"
                                           : "gcc step %6d/%d  loss %.4f\n",
            step, steps, loss);
}

static void fold_progress(int fold, int folds, double accuracy, void *user)
{
    const run_t *r = user;

    if (!r->cli.quiet) {
        fprintf(stderr, "gcc fine-tuning fold %d/%d: accuracy %.1f\n", fold, folds,
                100.0 * accuracy);
    }
}

static void print_config(const run_t *r, int n_graphs)
{
    const gs_gcc_options_t *o = &r->opt;

    if (r->cli.quiet) {
        return;
    }
    fprintf(stderr, "gcc: %s encoder, %d layers, hidden %d, %s contrast, batch %d, %d steps, "
            "lr %g, T %g, restart %g, %d graph%s, seed %llu, threads %d\n",
            o->encoder == GS_GCC_ENCODER_GIN ? "gin" : "gcn", o->layers, o->hidden,
            o->contrast == GS_GCC_CONTRAST_MOCO ? "moco" : "e2e",
            o->batch_size ? o->batch_size : (o->contrast == GS_GCC_CONTRAST_MOCO ? 32 : 256),
            o->steps, o->lr, o->temperature, o->restart_prob, n_graphs,
            n_graphs == 1 ? "" : "s", (unsigned long long)o->seed, gs_threads_get());
}

static void report_training(run_t *r, const gs_gcc_report_t *rep)
{
    double steps_per_s = rep->steps / rep->seconds;
    double subgraphs_per_s = rep->subgraphs / rep->seconds_sampling;

    if (!r->cli.quiet) {
        if (r->cli.progress_on_tty) {
            fputc('\n', stderr);
        }
        fprintf(stderr, "trained %d steps in %.1f s (%.1f steps/s); sampling %.1f s for %lld "
                "subgraphs (%.0f/s, %.1f nodes on average); final loss %.4f\n", rep->steps,
                rep->seconds, steps_per_s, rep->seconds_sampling, (long long)rep->subgraphs,
                subgraphs_per_s, rep->mean_subgraph_nodes, rep->final_loss);
    }
    gs_json_int(&r->json, "steps", rep->steps);
    gs_json_num(&r->json, "seconds_train", rep->seconds);
    gs_json_num(&r->json, "steps_per_second", steps_per_s);
    gs_json_num(&r->json, "seconds_sampling", rep->seconds_sampling);
    gs_json_num(&r->json, "subgraphs_per_second", subgraphs_per_s);
    gs_json_num(&r->json, "mean_subgraph_nodes", rep->mean_subgraph_nodes);
    gs_json_num(&r->json, "final_loss", rep->final_loss);
}

/* Loads the inputs, pre-trains on them, frees them. */
static int pretrain(run_t *r, char **paths, int n, gs_gcc_t **model)
{
    input_t *in = calloc((size_t)n, sizeof *in);
    const gs_graph_t **graphs = calloc((size_t)n, sizeof *graphs);
    gs_gcc_report_t rep;
    gs_status_t status;
    int rc = in && graphs ? GS_EXIT_OK : gs_cli_fail(GS_ERR_NOMEM);

    for (int i = 0; rc == GS_EXIT_OK && i < n; i++) {
        rc = load_input(r, paths[i], false, &in[i]);
        graphs[i] = in[i].graph;
    }
    if (rc == GS_EXIT_OK) {
        print_config(r, n);
        status = gs_gcc_train(graphs, n, &r->opt, model, &rep);
        rc = status == GS_OK ? GS_EXIT_OK : gs_cli_fail(status);
    }
    if (rc == GS_EXIT_OK) {
        report_training(r, &rep);
    }
    for (int i = 0; in && i < n; i++) {
        input_destroy(&in[i]);
    }
    free(in);
    free(graphs);
    return rc;
}

/* --- Embedding and evaluation ------------------------------------------------------------ */

/* Graph names for the CSV: the collection's 1-based graph ids. */
static char **graph_names(int n)
{
    char **names = calloc((size_t)n, sizeof *names);

    for (int g = 0; names && g < n; g++) {
        if (asprintf(&names[g], "%d", g + 1) < 0) {
            names[g] = NULL;
        }
    }
    return names;
}

static void free_names(char **names, int n)
{
    for (int g = 0; names && g < n; g++) {
        free(names[g]);
    }
    free(names);
}

static int write_embeddings(run_t *r, char *const *names, const gs_tensor_t *emb)
{
    char *path = gs_cli_output_path(&r->cli);
    gs_status_t status = path ? gs_embeddings_save_csv(path, names, emb) : GS_ERR_NOMEM;

    if (status == GS_OK && !r->cli.quiet) {
        fprintf(stderr, "wrote %d x %d embeddings to %s\n", emb->rows, emb->cols, path);
    }
    free(path);
    return status == GS_OK ? GS_EXIT_OK : gs_cli_fail(status);
}

static void print_scores(run_t *r, const gs_score_t *micro, const gs_score_t *macro,
                         const char *what)
{
    printf("%s accuracy %.1f \xc2\xb1 %.1f (%s, %d folds)\n", what, 100.0 * micro->mean,
           100.0 * micro->std, micro->protocol, micro->runs);
    printf("macro-F1 %.1f \xc2\xb1 %.1f (%s, %d folds)\n", 100.0 * macro->mean,
           100.0 * macro->std, macro->protocol, macro->runs);
    fflush(stdout);
    gs_json_str(&r->json, "protocol", micro->protocol);
    gs_json_num(&r->json, "accuracy_mean", micro->mean);
    gs_json_num(&r->json, "accuracy_std", micro->std);
    gs_json_num(&r->json, "macro_f1_mean", macro->mean);
    gs_json_num(&r->json, "macro_f1_std", macro->std);
}

/* Scores the target with the chosen protocol: kfold-logreg on the frozen embeddings, or
 * kfold-finetune.  Nothing without labels. */
static int evaluate(run_t *r, const gs_gcc_t *model, const input_t *in, const gs_tensor_t *emb)
{
    const int32_t *labels = in->collection ? in->collection->labels : in->graph->labels;
    gs_score_t micro, macro;
    gs_status_t status;
    double start = gs_clock_seconds(), t_eval;

    if (!labels || r->cli.no_eval) {
        return GS_EXIT_OK;
    }
    if (!in->collection && !r->finetune) {
        return gs_cli_evaluate(&r->cli, in->graph, emb, &r->json, &t_eval);
    }
    if (r->finetune && in->collection) {
        status = gs_gcc_finetune_graphs(model, in->collection, &r->tune, &micro, &macro);
    } else if (r->finetune) {
        status = gs_gcc_finetune(model, in->graph, labels, in->graph->n_classes, &r->tune,
                                 &micro, &macro);
    } else {
        status = gs_eval_kfold_logreg(emb, labels, in->collection->n_classes, 10, r->cli.seed,
                                      &micro, &macro);
    }
    if (status != GS_OK) {
        return gs_cli_fail(status);
    }
    gs_json_num(&r->json, "seconds_eval", gs_clock_seconds() - start);
    print_scores(r, &micro, &macro, in->collection ? "graph classification" : "test");
    return GS_EXIT_OK;
}

/* Embeds the target (nodes of a graph file, or graphs of a folder), writes, evaluates. */
static int embed_target(run_t *r, const gs_gcc_t *model, const char *path)
{
    gs_tensor_t *emb = NULL;
    gs_status_t status;
    double start;
    char **names = NULL;
    input_t in;
    int rc;

    if ((rc = load_input(r, path, true, &in)) != GS_EXIT_OK) {
        return rc;
    }
    start = gs_clock_seconds();
    if (in.collection) {
        status = gs_gcc_embed_graphs(model, in.collection, &emb);
        names = status == GS_OK ? graph_names(emb->rows) : NULL;
        status = status == GS_OK && !names ? GS_ERR_NOMEM : status;
    } else {
        status = gs_gcc_embed(model, in.graph, &emb);
    }
    rc = status == GS_OK ? GS_EXIT_OK : gs_cli_fail(status);
    if (rc == GS_EXIT_OK) {
        gs_json_num(&r->json, "seconds_embed", gs_clock_seconds() - start);
        rc = write_embeddings(r, in.collection ? names : in.graph->names, emb);
    }
    if (rc == GS_EXIT_OK) {
        rc = evaluate(r, model, &in, emb);
    }
    free_names(names, emb ? emb->rows : 0);
    gs_tensor_free(emb);
    input_destroy(&in);
    return rc;
}

static const char *model_path(const run_t *r)
{
    return r->cli.output ? r->cli.output : "gcc.model";
}

static int save_model(run_t *r, const gs_gcc_t *model)
{
    const char *path = model_path(r);
    gs_status_t status = gs_gcc_save(model, path);

    if (status != GS_OK) {
        return gs_cli_fail(status);
    }
    if (!r->cli.quiet) {
        fprintf(stderr, "wrote the model to %s\n", path);
    }
    return GS_EXIT_OK;
}

static int load_model(run_t *r, gs_gcc_t **model)
{
    gs_status_t status = gs_gcc_load(model, r->inputs[0]);

    if (status != GS_OK) {
        fprintf(stderr, "graphssl: %s\n", gs_last_error());
        return GS_EXIT_DATA;
    }
    r->opt = *gs_gcc_options(*model);
    if (!r->cli.quiet) {
        fprintf(stderr, "loaded the model %s (%s encoder, %d layers, hidden %d, %d steps)\n",
                r->inputs[0], r->opt.encoder == GS_GCC_ENCODER_GIN ? "gin" : "gcn",
                r->opt.layers, r->opt.hidden, r->opt.steps);
    }
    return GS_EXIT_OK;
}

/* Refuses, before training, an output (the model or the embeddings) that cannot be written
 * or is one of the inputs: the graphs, the model, any file of a folder among them. */
static int check_output(const run_t *r)
{
    const char *const *inputs = (const char *const *)r->inputs;

    if (r->mode == MODE_PRETRAIN) {
        return gs_cli_check_output_path(&r->cli, r->cli.output ? "-o" : NULL, model_path(r),
                                        inputs, r->n_inputs);
    }
    return gs_cli_check_output(&r->cli, inputs, r->n_inputs);
}

static int run_mode(run_t *r)
{
    gs_gcc_t *model = NULL;
    int rc = check_output(r);

    if (rc != GS_EXIT_OK) {
        return rc;
    }
    switch (r->mode) {
    case MODE_PRETRAIN:
        rc = pretrain(r, r->inputs, r->n_inputs, &model);
        rc = rc == GS_EXIT_OK ? save_model(r, model) : rc;
        break;
    case MODE_EMBED:
        rc = load_model(r, &model);
        rc = rc == GS_EXIT_OK ? embed_target(r, model, r->cli.graph_path) : rc;
        break;
    default:
        rc = pretrain(r, r->inputs, 1, &model);
        rc = rc == GS_EXIT_OK ? embed_target(r, model, r->inputs[0]) : rc;
        break;
    }
    gs_gcc_free(model);
    return rc;
}

int gs_cmd_gcc(int argc, char **argv)
{
    static const char *const mode_names[] = {"both", "pretrain", "embed"};
    run_t r;
    int rc;

    memset(&r, 0, sizeof r);
    gs_cli_init(&r.cli, "gcc");
    gs_gcc_options_init(&r.opt);
    r.opt.progress = progress;
    r.opt.progress_user = &r;
    gs_gcc_finetune_options_init(&r.tune);
    r.tune.progress = fold_progress;
    r.tune.progress_user = &r;
    if ((rc = parse_args(&r, argc, argv)) != GS_EXIT_OK) {
        return rc < 0 ? GS_EXIT_OK : rc;
    }

    gs_json_begin(&r.json);
    gs_json_str(&r.json, "method", "gcc");
    gs_json_str(&r.json, "mode", mode_names[r.mode]);
    gs_json_str(&r.json, "graph", r.cli.graph_path);
    rc = run_mode(&r);
    gs_cli_json_common(&r.cli, &r.json);
    gs_json_end(&r.json, r.cli.json && rc == GS_EXIT_OK);
    return rc;
}

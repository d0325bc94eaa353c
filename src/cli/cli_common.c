/*
 * Options, loading, output and evaluation shared by the subcommands.
 */
#include "cli.h"

#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
    OPT_FEATURES = GS_CLI_COMMON_BASE,
    OPT_LABELS,
    OPT_SPLIT,
    OPT_FORMAT,
    OPT_DIRECTED,
    OPT_WEIGHTED,
    OPT_SEED,
    OPT_THREADS,
    OPT_JSON,
    OPT_QUIET,
    OPT_VERBOSE,
    OPT_NO_EVAL,
    OPT_NO_COMPANIONS,
    OPT_RAW,
    OPT_STRICT
};

static const struct option common_options[] = {
    {"output", required_argument, NULL, 'o'},
    {"features", required_argument, NULL, OPT_FEATURES},
    {"labels", required_argument, NULL, OPT_LABELS},
    {"split", required_argument, NULL, OPT_SPLIT},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"directed", no_argument, NULL, OPT_DIRECTED},
    {"weighted", no_argument, NULL, OPT_WEIGHTED},
    {"seed", required_argument, NULL, OPT_SEED},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"json", no_argument, NULL, OPT_JSON},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"verbose", no_argument, NULL, OPT_VERBOSE},
    {"no-eval", no_argument, NULL, OPT_NO_EVAL},
    {"no-companions", no_argument, NULL, OPT_NO_COMPANIONS},
    {"raw", no_argument, NULL, OPT_RAW},
    {"strict", no_argument, NULL, OPT_STRICT},
};

enum { N_COMMON = sizeof common_options / sizeof common_options[0] };

void gs_cli_init(gs_cli_t *cli, const char *method)
{
    memset(cli, 0, sizeof *cli);
    cli->method = method;
    gs_load_options_init(&cli->load);
    cli->threads = 0;
    cli->progress_on_tty = isatty(STDERR_FILENO);
    cli->t_start = gs_clock_seconds();

    /* The library's info lines (companion files used, edges dropped) are part of what the
     * user should see on stderr. */
    gs_log_set_level(GS_LOG_INFO);
    gs_threads_set(0);
}

struct option *gs_cli_options(const struct option *own, int n_own)
{
    struct option *all = calloc((size_t)n_own + N_COMMON + 1, sizeof *all);

    if (all) {
        memcpy(all, own, (size_t)n_own * sizeof *all);
        memcpy(all + n_own, common_options, sizeof common_options);
    }
    return all;
}

const char *gs_cli_common_help(void)
{
    return "common options:\n"
           "  -o FILE               where to write the embeddings (CSV)\n"
           "  --features F|KIND     features file, or identity, degree[:K], constant,\n"
           "                        lap-eig[:K], random[:K]\n"
           "  --labels L --split S  companion files (found beside GRAPH by default)\n"
           "  --format F --directed --weighted --strict   how GRAPH is read\n"
           "  --seed N --threads N  randomness and parallelism (same both: same output)\n"
           "  --json --quiet --verbose --no-eval\n";
}

const char *gs_cli_short_options(void)
{
    return "o:h";
}

static int usage_error(const char *fmt, ...)
{
    va_list ap;

    fputs("graphssl: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return GS_EXIT_USAGE;
}

/* Parses a whole non-negative integer, rejecting trailing text. */
static bool parse_count(const char *arg, long long max, long long *out)
{
    char *end;
    long long v;

    errno = 0;
    v = strtoll(arg, &end, 10);
    if (errno != 0 || end == arg || *end != '\0' || v < 0 || v > max) {
        return false;
    }
    *out = v;
    return true;
}

/* A whole integer, possibly negative, rejecting trailing text. */
static bool parse_count_signed(const char *arg, long long *out)
{
    char *end;

    errno = 0;
    *out = strtoll(arg, &end, 10);
    return errno == 0 && end != arg && *end == '\0';
}

int gs_cli_common_option(gs_cli_t *cli, int opt, const char *arg)
{
    long long v;

    switch (opt) {
    case 'o': cli->output = arg; return 0;
    case OPT_FEATURES: cli->load.features = arg; return 0;
    case OPT_LABELS: cli->load.labels = arg; return 0;
    case OPT_SPLIT: cli->load.split = arg; return 0;
    case OPT_FORMAT: cli->load.format = arg; return 0;
    case OPT_DIRECTED: cli->load.directed = true; return 0;
    case OPT_WEIGHTED: cli->load.weighted = true; return 0;
    case OPT_JSON: cli->json = true; return 0;
    case OPT_QUIET: cli->quiet = true; gs_log_set_level(GS_LOG_WARN); return 0;
    case OPT_VERBOSE: gs_log_set_level(GS_LOG_DEBUG); return 0;
    case OPT_NO_EVAL: cli->no_eval = true; return 0;
    case OPT_NO_COMPANIONS: cli->load.no_companions = true; return 0;
    case OPT_RAW: cli->raw = true; return 0;
    case OPT_STRICT: cli->load.strict = true; return 0;
    case OPT_SEED:
        if (!parse_count(arg, INT64_MAX, &v)) {
            return usage_error("--seed expects a non-negative integer, found '%s'", arg);
        }
        cli->seed = (uint64_t)v;
        return 0;
    case OPT_THREADS:
        if (!parse_count(arg, 1024, &v) || v == 0) {
            return usage_error("--threads expects an integer from 1 to 1024, found '%s'", arg);
        }
        cli->threads = (int)v;
        gs_threads_set(cli->threads);
        return 0;
    default: return -1;
    }
}

bool gs_cli_parse_int(const char *arg, int lo, int hi, int *out)
{
    long long v;

    if (!parse_count_signed(arg, &v) || v < lo || v > hi) {
        return false;
    }
    *out = (int)v;
    return true;
}

bool gs_cli_parse_float(const char *arg, float lo, float hi, float *out)
{
    char *end;
    float v;

    errno = 0;
    v = strtof(arg, &end);
    if (errno != 0 || end == arg || *end != '\0' || !(v >= lo && v <= hi)) {
        return false;
    }
    *out = v;
    return true;
}

int gs_cli_bad_value(const gs_cli_t *cli, const struct option *own, int n_own, int opt,
                     const char *arg)
{
    const char *name = "?";

    for (int i = 0; i < n_own; i++) {
        if (own[i].val == opt) {
            name = own[i].name;
        }
    }
    fprintf(stderr, "graphssl %s: invalid value '%s' for --%s (see graphssl %s --help)\n",
            cli->method, arg, name, cli->method);
    return GS_EXIT_USAGE;
}

int gs_cli_parse(gs_cli_t *cli, int argc, char **argv, const struct option *own, int n_own,
                 gs_cli_option_fn own_option, void *ctx)
{
    struct option *options = gs_cli_options(own, n_own);
    int c, rc = GS_EXIT_OK;

    if (!options) {
        fputs("graphssl: out of memory\n", stderr);
        return GS_EXIT_RUNTIME;
    }
    while (rc == GS_EXIT_OK &&
           (c = getopt_long(argc, argv, gs_cli_short_options(), options, NULL)) != -1) {
        rc = gs_cli_common_option(cli, c, optarg);
        if (rc == -1) {
            rc = own_option(ctx, c, optarg);
        }
    }
    free(options);
    return rc;
}

int gs_cli_positional(gs_cli_t *cli, int argc, char **argv, const char *usage)
{
    if (optind != argc - 1) {
        fprintf(stderr, "%s", usage);
        return GS_EXIT_USAGE;
    }
    cli->graph_path = argv[optind];
    return GS_EXIT_OK;
}

int gs_cli_fail(gs_status_t status)
{
    fprintf(stderr, "graphssl: %s\n", gs_last_error());
    return gs_status_exit_code(status);
}

/*
 * A run can take minutes; an output path that cannot be written should fail before it, not
 * after.  Also refuses writing the embeddings over the input graph.
 */
static int check_output_path(const gs_cli_t *cli)
{
    char *copy, *dir, *out_real, *in_real;
    int rc = GS_EXIT_OK;

    if (!cli->output) {
        return GS_EXIT_OK;
    }
    copy = strdup(cli->output);
    dir = copy ? dirname(copy) : NULL;
    if (dir && access(dir, W_OK) != 0) {
        fprintf(stderr, "graphssl: %s: cannot write into '%s': %s\n", cli->output, dir,
                strerror(errno));
        rc = GS_EXIT_USAGE;
    }
    free(copy);

    out_real = realpath(cli->output, NULL);
    in_real = realpath(cli->graph_path, NULL);
    if (rc == GS_EXIT_OK && out_real && in_real && !strcmp(out_real, in_real)) {
        fprintf(stderr, "graphssl: -o %s would overwrite the input graph\n", cli->output);
        rc = GS_EXIT_USAGE;
    }
    free(out_real);
    free(in_real);
    return rc;
}

int gs_cli_load_graph(gs_cli_t *cli, gs_graph_t **g, double *seconds)
{
    double start = gs_clock_seconds();
    gs_status_t status;
    int rc = check_output_path(cli);

    if (rc != GS_EXIT_OK) {
        return rc;
    }

    /* Generated features (--features random, lap-eig) follow the run's seed. */
    cli->load.seed = cli->seed;
    status = gs_graph_load(g, cli->graph_path, &cli->load);

    if (status != GS_OK) {
        fprintf(stderr, "graphssl: %s\n", gs_last_error());

        /* An input that cannot be read is bad input data, not a failure of the run. */
        return status == GS_ERR_NOMEM || status == GS_ERR_INTERNAL ? GS_EXIT_RUNTIME
                                                                   : GS_EXIT_DATA;
    }
    *seconds = gs_clock_seconds() - start;
    if (!cli->quiet) {
        fprintf(stderr, "loaded %s: %d nodes, %lld edges, %d features, %d classes (%.2f s)\n",
                cli->graph_path, (*g)->n_nodes, (long long)(*g)->n_edges, (*g)->n_features,
                (*g)->n_classes, *seconds);
    }
    return GS_EXIT_OK;
}

char *gs_cli_output_path(const gs_cli_t *cli)
{
    char *copy, *base, *dot, *path;

    if (cli->output) {
        return strdup(cli->output);
    }
    copy = strdup(cli->graph_path);
    if (!copy) {
        return NULL;
    }
    base = basename(copy);
    dot = strrchr(base, '.');
    if (dot && dot != base) {
        *dot = '\0';
    }
    if (asprintf(&path, "%s.%s.csv", base, cli->method) < 0) {
        path = NULL;
    }
    free(copy);
    return path;
}

int gs_cli_write_embeddings(const gs_cli_t *cli, char *const *names, const gs_tensor_t *emb)
{
    char *path = gs_cli_output_path(cli);
    gs_status_t status;

    if (!path) {
        fputs("graphssl: out of memory\n", stderr);
        return GS_EXIT_RUNTIME;
    }
    status = gs_embeddings_save_csv(path, names, emb);
    if (status == GS_OK && !cli->quiet) {
        fprintf(stderr, "wrote %d x %d embeddings to %s\n", emb->rows, emb->cols, path);
    }
    free(path);
    return status == GS_OK ? GS_EXIT_OK : gs_cli_fail(status);
}

static gs_status_t evaluate_split(const gs_cli_t *cli, const gs_graph_t *g,
                                  const gs_tensor_t *emb, gs_score_t *acc)
{
    gs_linear_probe_options_t opt;

    gs_linear_probe_options_init(&opt);
    opt.seed = cli->seed;
    return gs_eval_linear_probe(emb, g->labels, g->n_classes, g->split, &opt, acc);
}

int gs_cli_evaluate(const gs_cli_t *cli, const gs_graph_t *g, const gs_tensor_t *emb,
                    gs_json_t *json, double *seconds)
{
    double start = gs_clock_seconds();
    gs_score_t acc, macro;
    gs_status_t status;

    *seconds = 0.0;
    if (!g->labels || cli->no_eval) {
        return GS_EXIT_OK;
    }
    if (g->split) {
        status = evaluate_split(cli, g, emb, &acc);
    } else {
        status = gs_eval_kfold_logreg(emb, g->labels, g->n_classes, 10, cli->seed, &acc,
                                      &macro);
    }
    /* After training, labels too few for the protocol cost the score, not the embeddings
     * already written; only `graphssl eval`, whose job the score is, fails on them. */
    if (status == GS_ERR_INVALID && strcmp(cli->method, "eval") != 0) {
        fprintf(stderr, "warning: not evaluated: %s\n", gs_last_error());
        return GS_EXIT_OK;
    }
    if (status != GS_OK) {
        return gs_cli_fail(status);
    }
    *seconds = gs_clock_seconds() - start;

    printf("test accuracy %.1f \xc2\xb1 %.1f (%s, %d %s)\n", 100.0 * acc.mean, 100.0 * acc.std,
           acc.protocol, acc.runs, g->split ? "runs" : "folds");
    if (!g->split) {
        printf("macro-F1 %.1f \xc2\xb1 %.1f (%s, %d folds)\n", 100.0 * macro.mean,
               100.0 * macro.std, macro.protocol, macro.runs);
    }
    fflush(stdout);

    gs_json_str(json, "protocol", acc.protocol);
    gs_json_num(json, "accuracy_mean", acc.mean);
    gs_json_num(json, "accuracy_std", acc.std);
    gs_json_int(json, "eval_runs", acc.runs);
    if (!g->split) {
        gs_json_num(json, "macro_f1_mean", macro.mean);
        gs_json_num(json, "macro_f1_std", macro.std);
    }
    return GS_EXIT_OK;
}

void gs_cli_progress(int epoch, double loss, void *user)
{
    const gs_cli_t *cli = user;

    if (cli->quiet) {
        return;
    }
    if (cli->progress_on_tty) {
        fprintf(stderr, "\r%s epoch %5d  loss %.5f", cli->method, epoch, loss);
    } else if (epoch == 1 || epoch % 25 == 0) {
        fprintf(stderr, "%s epoch %5d  loss %.5f\n", cli->method, epoch, loss);
    }
}

void gs_cli_progress_done(const gs_cli_t *cli)
{
    if (!cli->quiet && cli->progress_on_tty) {
        fputc('\n', stderr);
    }
}

static void json_append(gs_json_t *j, const char *fmt, ...)
{
    va_list ap;
    int need;

    va_start(ap, fmt);
    need = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (need < 0) {
        return;
    }
    if (j->len + (size_t)need + 1 > j->cap) {
        size_t cap = (j->cap ? 2 * j->cap : 256) + (size_t)need;
        char *buf = realloc(j->buf, cap);

        if (!buf) {
            return;
        }
        j->buf = buf;
        j->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(j->buf + j->len, j->cap - j->len, fmt, ap);
    va_end(ap);
    j->len += (size_t)need;
}

void gs_json_begin(gs_json_t *j)
{
    memset(j, 0, sizeof *j);
    json_append(j, "{");
}

static void json_key(gs_json_t *j, const char *key)
{
    json_append(j, "%s\"%s\":", j->len > 1 ? "," : "", key);
}

void gs_json_str(gs_json_t *j, const char *key, const char *value)
{
    json_key(j, key);
    json_append(j, "\"");
    for (const char *c = value; *c; c++) {
        if (*c == '"' || *c == '\\') {
            json_append(j, "\\%c", *c);
        } else if ((unsigned char)*c < 0x20) {
            json_append(j, "\\u%04x", (unsigned char)*c);
        } else {
            json_append(j, "%c", *c);
        }
    }
    json_append(j, "\"");
}

void gs_json_num(gs_json_t *j, const char *key, double value)
{
    json_key(j, key);
    json_append(j, "%.6g", value);
}

void gs_json_int(gs_json_t *j, const char *key, long long value)
{
    json_key(j, key);
    json_append(j, "%lld", value);
}

void gs_json_raw(gs_json_t *j, const char *key, const char *json)
{
    json_key(j, key);
    json_append(j, "%s", json);
}

void gs_json_end(gs_json_t *j, bool print)
{
    json_append(j, "}");
    if (print && j->buf) {
        printf("%s\n", j->buf);
        fflush(stdout);
    }
    free(j->buf);
    memset(j, 0, sizeof *j);
}

void gs_cli_json_common(const gs_cli_t *cli, gs_json_t *j)
{
    gs_json_num(j, "seconds_total", gs_clock_seconds() - cli->t_start);
    gs_json_num(j, "peak_rss_mb", gs_peak_rss_mb());
    gs_json_int(j, "seed", (long long)cli->seed);
    gs_json_int(j, "threads", gs_threads_get());
}

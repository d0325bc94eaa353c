/*
 * Options, loading, output and evaluation shared by the subcommands.
 */
#include "cli.h"

#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
           "  -o FILE               where to write the embeddings (CSV): a new or regular\n"
           "                        file, not an input, not '-' (stdout carries the scores);\n"
           "                        default NAME.METHOD.csv here (stdin.METHOD.csv for '-')\n"
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

/* Prints "graphssl: [OPTION ]PATH: message" and returns GS_EXIT_USAGE. */
static int refuse_output(const char *option, const char *path, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "graphssl: %s%s%s: ", option ? option : "", option ? " " : "", path);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return GS_EXIT_USAGE;
}

/* Whether path names an existing file that is the file out (same device and inode).  "-" is
 * standard input, as the loaders read it: a file redirected there is an input too. */
static bool same_file(const char *path, const struct stat *out)
{
    struct stat st;
    int rc;

    if (!path) {
        return false;
    }
    rc = strcmp(path, "-") == 0 ? fstat(STDIN_FILENO, &st) : stat(path, &st);
    return rc == 0 && st.st_dev == out->st_dev && st.st_ino == out->st_ino;
}

/* stat of the directory holding path ("." for a bare name); false when it has none. */
static bool stat_parent(const char *path, struct stat *st)
{
    char *copy = strdup(path);
    bool ok = copy && stat(dirname(copy), st) == 0;

    free(copy);
    return ok;
}

/*
 * The companions gs_graph_load looks for beside GRAPH (src/io/load.c, and the .ids of a
 * NumPy features file): GRAPH's path without ".gz" and without its extension, then one of
 * these suffixes.
 */
static const char *const companion_suffixes[] = {
    ".features", ".features.gz", ".npy", ".ids", ".labels", ".labels.gz", ".split",
    ".split.gz", ".cites", ".content",
};

/* GRAPH's path without a final ".gz" and without the extension of its last component. */
static char *companion_stem(const char *graph)
{
    size_t n = strlen(graph);
    const char *base, *dot;
    char *stem;

    if (n > 3 && !strcmp(graph + n - 3, ".gz")) {
        n -= 3;
    }
    stem = strndup(graph, n);
    if (stem) {
        base = strrchr(stem, '/') ? strrchr(stem, '/') + 1 : stem;
        dot = strrchr(base, '.');
        if (dot && dot != base) {
            stem[dot - stem] = '\0';
        }
    }
    return stem;
}

/* The companion of graph that is the file out, or NULL (also when it has none); caller
 * frees. */
static char *same_companion(const char *graph, const struct stat *out)
{
    char *stem = companion_stem(graph), *path = NULL;
    size_t n = sizeof companion_suffixes / sizeof companion_suffixes[0];

    for (size_t i = 0; stem && i < n; i++) {
        if (asprintf(&path, "%s%s", stem, companion_suffixes[i]) < 0) {
            path = NULL;
            break;
        }
        if (same_file(path, out)) {
            break;
        }
        free(path);
        path = NULL;
    }
    free(stem);
    return path;
}

/* The ids file the NumPy reader takes beside a features file (src/io/npy.c): its path
 * without the extension of its last component, then ".ids".  Whatever the features file
 * holds, since its bytes, not its name, choose the reader.  NULL for standard input or none;
 * caller frees. */
static char *features_ids(const char *features)
{
    const char *slash, *dot;
    size_t stem;
    char *ids;

    if (!features || !strcmp(features, "-")) {
        return NULL;
    }
    slash = strrchr(features, '/');
    dot = strrchr(slash ? slash + 1 : features, '.');
    stem = dot ? (size_t)(dot - features) : strlen(features);
    return asprintf(&ids, "%.*s.ids", (int)stem, features) < 0 ? NULL : ids;
}

/* The first input named on the command line (GRAPH, the common options' files, the
 * command's own) that is the file out, or NULL. */
static const char *same_named_input(const gs_cli_t *cli, const struct stat *out,
                                    const char *const *inputs, int n_inputs)
{
    const char *given[] = {cli->graph_path, cli->load.features, cli->load.labels,
                           cli->load.split};

    for (size_t i = 0; i < sizeof given / sizeof given[0]; i++) {
        if (same_file(given[i], out)) {
            return given[i];
        }
    }
    for (int i = 0; i < n_inputs; i++) {
        if (same_file(inputs[i], out)) {
            return inputs[i];
        }
    }
    return NULL;
}

/* The first input the loader finds by name that is the file out: the ids beside
 * --features, the companions beside GRAPH.  NULL when none is; caller frees. */
static char *same_found_input(const gs_cli_t *cli, const struct stat *out)
{
    char *found = features_ids(cli->load.features);

    if (found && !same_file(found, out)) {
        free(found);
        found = NULL;
    }
    if (!found && !cli->load.no_companions && cli->graph_path &&
        strcmp(cli->graph_path, "-") != 0) {
        found = same_companion(cli->graph_path, out);
    }
    return found;
}

/* Whether dir is a folder that is the directory parent (same device and inode). */
static bool same_folder(const char *dir, const struct stat *parent)
{
    struct stat st;

    return dir && strcmp(dir, "-") != 0 && stat(dir, &st) == 0 && S_ISDIR(st.st_mode) &&
           st.st_dev == parent->st_dev && st.st_ino == parent->st_ino;
}

/*
 * Whether path's file name starts with "NAME_", NAME being the last component of folder as
 * written: the TU loader reads FOLDER/NAME_A.txt, FOLDER/NAME_graph_indicator.txt and other
 * NAME_ files, and the prefix covers them all.
 */
static bool is_collection_member(const char *folder, const char *path)
{
    size_t n = strlen(folder), start;
    const char *file = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;

    while (n > 1 && folder[n - 1] == '/') {
        n--;
    }
    start = n;
    while (start > 0 && folder[start - 1] != '/') {
        start--;
    }
    return strncmp(file, folder + start, n - start) == 0 && file[n - start] == '_';
}

/* The input folder (a TU graph collection) that directly holds path when path is one of the
 * files the collection's loader reads, or NULL. */
static const char *input_folder(const gs_cli_t *cli, const char *path,
                                const char *const *inputs, int n_inputs)
{
    struct stat parent;

    if (!stat_parent(path, &parent)) {
        return NULL;
    }
    if (same_folder(cli->graph_path, &parent) && is_collection_member(cli->graph_path, path)) {
        return cli->graph_path;
    }
    for (int i = 0; i < n_inputs; i++) {
        if (same_folder(inputs[i], &parent) && is_collection_member(inputs[i], path)) {
            return inputs[i];
        }
    }
    return NULL;
}

/* Refuses an existing output that is one of the run's inputs: GRAPH, the files given by the
 * common options, the files the loader would pick up, the command's own inputs, and the
 * files of an input folder that its loader reads. */
static int check_not_input(const gs_cli_t *cli, const char *option, const char *path,
                           const struct stat *out, const char *const *inputs, int n_inputs)
{
    const char *clash = same_named_input(cli, out, inputs, n_inputs);
    char *found = clash ? NULL : same_found_input(cli, out);
    const char *folder = clash || found ? NULL : input_folder(cli, path, inputs, n_inputs);
    int rc = GS_EXIT_OK;

    clash = clash ? clash : found;
    if (clash) {
        rc = refuse_output(option, path, "would overwrite %s, an input of this run",
                           strcmp(clash, "-") != 0 ? clash : "the file on standard input");
    } else if (folder) {
        rc = refuse_output(option, path, "would overwrite a file of %s, an input folder of "
                           "this run", folder);
    }
    free(found);
    return rc;
}

/*
 * Whether a file can be created beside path, by creating and removing one as the writer
 * will (gs_embeddings_save_csv writes PATH.XXXXXX, then renames it).  access(dir, W_OK) is
 * not enough: it passes for root in any directory, /proc included.
 */
static int check_creatable(const char *option, const char *path)
{
    char *probe, *dir = strdup(path);
    int fd, saved_errno, rc = GS_EXIT_OK;

    if (!dir || asprintf(&probe, "%s.XXXXXX", path) < 0) {
        free(dir);
        fputs("graphssl: out of memory\n", stderr);
        return GS_EXIT_RUNTIME;
    }
    fd = mkstemp(probe);
    saved_errno = errno;
    if (fd >= 0) {
        close(fd);
        unlink(probe);
    } else if (saved_errno == ENAMETOOLONG) {
        /* The caller's lstat took path itself: only the temporary's suffix is too much. */
        rc = refuse_output(option, path, "the name is too long: the temporary file beside it, "
                           "%s.XXXXXX, exceeds the file system's limit",
                           strrchr(path, '/') ? strrchr(path, '/') + 1 : path);
    } else {
        rc = refuse_output(option, path, "cannot create a file in '%s': %s", dirname(dir),
                           strerror(saved_errno));
    }
    free(probe);
    free(dir);
    return rc;
}

int gs_cli_check_output_path(const gs_cli_t *cli, const char *option, const char *path,
                             const char *const *inputs, int n_inputs)
{
    struct stat st;
    int rc;

    if (!path || !*path) {
        fprintf(stderr, "graphssl: %s expects a file name, found an empty string\n",
                option ? option : "the output");
        return GS_EXIT_USAGE;
    }
    if (!strcmp(path, "-")) {
        return refuse_output(option, path, "standard output is not supported (it carries "
                             "the scores); name a file, or ./- for a file called '-'");
    }
    if (lstat(path, &st) != 0) {
        return errno == ENOENT ? check_creatable(option, path)
                               : refuse_output(option, path, "%s", strerror(errno));
    }
    if (!S_ISREG(st.st_mode)) {
        return refuse_output(option, path, "is %s, not a regular file; refusing to replace "
                             "it", gs_file_kind(st.st_mode));
    }
    rc = check_not_input(cli, option, path, &st, inputs, n_inputs);
    return rc == GS_EXIT_OK ? check_creatable(option, path) : rc;
}

int gs_cli_check_output(const gs_cli_t *cli, const char *const *inputs, int n_inputs)
{
    char *path = gs_cli_output_path(cli);
    int rc;

    if (!path) {
        fputs("graphssl: out of memory\n", stderr);
        return GS_EXIT_RUNTIME;
    }
    rc = gs_cli_check_output_path(cli, cli->output ? "-o" : NULL, path, inputs, n_inputs);
    free(path);
    return rc;
}

bool gs_cli_same_place(const char *a, const char *b)
{
    const char *name_a = strrchr(a, '/') ? strrchr(a, '/') + 1 : a;
    const char *name_b = strrchr(b, '/') ? strrchr(b, '/') + 1 : b;
    struct stat st_a, st_b;

    return !strcmp(name_a, name_b) && stat_parent(a, &st_a) && stat_parent(b, &st_b) &&
           st_a.st_dev == st_b.st_dev && st_a.st_ino == st_b.st_ino;
}

/* Checks DIR/NAME as -o is checked, and refuses it when it is also where the embeddings
 * go: they are written after it and would replace it. */
static int check_member(const gs_cli_t *cli, const char *option, const char *dir,
                        const char *name, const char *const *inputs, int n_inputs)
{
    char *path, *emb = gs_cli_output_path(cli);
    int rc;

    if (!emb || asprintf(&path, "%s/%s", dir, name) < 0) {
        free(emb);
        fputs("graphssl: out of memory\n", stderr);
        return GS_EXIT_RUNTIME;
    }
    rc = gs_cli_check_output_path(cli, option, path, inputs, n_inputs);
    if (rc == GS_EXIT_OK && gs_cli_same_place(path, emb)) {
        rc = refuse_output(option, path, "is also where the embeddings go (%s); name another "
                           "folder", emb);
    }
    free(path);
    free(emb);
    return rc;
}

/* Whether the missing folder dir can be made, by making and removing it as the writer's
 * mkdir will (check_creatable says why permissions are not enough). */
static int check_new_folder(const char *option, const char *dir)
{
    if (mkdir(dir, 0700) != 0) {
        return refuse_output(option, dir, "cannot create the folder: %s", strerror(errno));
    }
    rmdir(dir);
    return GS_EXIT_OK;
}

int gs_cli_check_output_dir(const gs_cli_t *cli, const char *option, const char *dir,
                            const char *const *names, int n_names, const char *const *inputs,
                            int n_inputs)
{
    struct stat st;
    int rc = GS_EXIT_OK;

    if (!dir || !*dir) {
        fprintf(stderr, "graphssl: %s expects a folder name, found an empty string\n", option);
        return GS_EXIT_USAGE;
    }

    /* A missing folder is made by the writer, empty: nothing in it can be replaced. */
    if (lstat(dir, &st) != 0) {
        return errno == ENOENT ? check_new_folder(option, dir)
                               : refuse_output(option, dir, "%s", strerror(errno));
    }
    if (stat(dir, &st) != 0) {
        return refuse_output(option, dir, "%s", strerror(errno));
    }
    if (!S_ISDIR(st.st_mode)) {
        return refuse_output(option, dir, "is %s, not a folder", gs_file_kind(st.st_mode));
    }
    for (int i = 0; rc == GS_EXIT_OK && i < n_names; i++) {
        rc = check_member(cli, option, dir, names[i], inputs, n_inputs);
    }
    return rc;
}

/* The names gs_graph_load reads as a built-in dataset when no file of that name exists. */
static const char *const builtin_graphs[] = {"karate"};

static bool is_builtin_name(const char *path)
{
    for (size_t i = 0; i < sizeof builtin_graphs / sizeof builtin_graphs[0]; i++) {
        if (!strcmp(path, builtin_graphs[i])) {
            return true;
        }
    }
    return false;
}

int gs_cli_load_failed(const char *path, gs_status_t status)
{
    struct stat st;

    fprintf(stderr, "graphssl: %s", gs_last_error());

    /* `graphssl dgi karate` beside a folder named karate reads the folder. */
    if (is_builtin_name(path) && stat(path, &st) == 0) {
        fprintf(stderr, " (the built-in graph '%s' was not used: %s of that name exists here "
                "and takes precedence; rename it or run elsewhere)", path,
                S_ISDIR(st.st_mode) ? "a folder" : "a file");
    }
    fputc('\n', stderr);

    /* An input that cannot be read is bad input data, not a failure of the run. */
    return status == GS_ERR_NOMEM || status == GS_ERR_INTERNAL ? GS_EXIT_RUNTIME
                                                               : GS_EXIT_DATA;
}

int gs_cli_load_graph(gs_cli_t *cli, gs_graph_t **g, double *seconds)
{
    double start = gs_clock_seconds();
    gs_status_t status;

    /* Generated features (--features random, lap-eig) follow the run's seed. */
    cli->load.seed = cli->seed;
    status = gs_graph_load(g, cli->graph_path, &cli->load);
    if (status != GS_OK) {
        return gs_cli_load_failed(cli->graph_path, status);
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
    /* Standard input has no name of its own, and "-.dgi.csv" is awkward to type. */
    copy = strdup(strcmp(cli->graph_path, "-") != 0 ? cli->graph_path : "stdin");
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
        status = gs_eval_kfold_logreg(emb, g->labels, g->n_classes, GS_CLI_KFOLD_FOLDS,
                                      cli->seed, &acc, &macro);
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

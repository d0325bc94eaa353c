/*
 * What every graphssl subcommand shares: the common options, loading the graph with its
 * companion files, writing embeddings, evaluating them, and the --json summary line.
 */
#ifndef GS_CLI_H
#define GS_CLI_H

#include <getopt.h>
#include <stdio.h>

#include "graphssl/graphssl.h"

enum { GS_EXIT_OK = 0, GS_EXIT_RUNTIME = 1, GS_EXIT_USAGE = 2, GS_EXIT_DATA = 3 };

/* Long-option values above this are the common options; subcommands use values below. */
enum { GS_CLI_COMMON_BASE = 1000 };

typedef struct gs_cli {
    const char *method;        /* "dgi", "eval", ... */
    const char *graph_path;    /* positional GRAPH */
    const char *output;        /* -o, or NULL for the default (gs_cli_output_path) */
    gs_load_options_t load;
    uint64_t seed;
    int threads;
    bool json;
    bool quiet;
    bool no_eval;
    bool raw;                  /* export DGI embeddings without rescaling */
    bool progress_on_tty;      /* redraw one progress line instead of printing many */
    double t_start;
} gs_cli_t;

/* A growing JSON object, printed as one line. */
typedef struct gs_json {
    char *buf;
    size_t len;
    size_t cap;
} gs_json_t;

void gs_cli_init(gs_cli_t *cli, const char *method);

/* getopt_long table: the subcommand's options followed by the common ones.  Caller frees. */
struct option *gs_cli_options(const struct option *own, int n_own);
const char *gs_cli_short_options(void);

/* The help text of the common options, printed after a command's own usage. */
const char *gs_cli_common_help(void);

/* Handles one common option; returns 0 when handled, -1 when not a common option, or
 * GS_EXIT_USAGE after printing a message for a bad value. */
int gs_cli_common_option(gs_cli_t *cli, int opt, const char *arg);

/* Parses a whole integer in [lo, hi] / a number in [lo, hi]; false for anything else. */
bool gs_cli_parse_int(const char *arg, int lo, int hi, int *out);
bool gs_cli_parse_float(const char *arg, float lo, float hi, float *out);

/* Prints "graphssl METHOD: invalid value 'ARG' for --NAME" (NAME found in own) and returns
 * GS_EXIT_USAGE. */
int gs_cli_bad_value(const gs_cli_t *cli, const struct option *own, int n_own, int opt,
                     const char *arg);

/* A subcommand's own option: returns GS_EXIT_OK, -1 after printing help, or an exit code. */
typedef int (*gs_cli_option_fn)(void *ctx, int opt, const char *arg);

/* Runs getopt over the subcommand's options and the common ones; returns GS_EXIT_OK, -1
 * after --help, or an exit code. */
int gs_cli_parse(gs_cli_t *cli, int argc, char **argv, const struct option *own, int n_own,
                 gs_cli_option_fn own_option, void *ctx);

/* Takes the single positional argument GRAPH after getopt; GS_EXIT_USAGE if missing. */
int gs_cli_positional(gs_cli_t *cli, int argc, char **argv, const char *usage);

/* Prints a failure "graphssl: message" and returns the exit code for status. */
int gs_cli_fail(gs_status_t status);

/* Loads cli->graph_path with its companions; on failure prints and returns an exit code. */
int gs_cli_load_graph(gs_cli_t *cli, gs_graph_t **g, double *seconds);

/* Prints the failure to load the graph at path (saying when a file shadows the built-in
 * graph of that name) and returns GS_EXIT_DATA, or GS_EXIT_RUNTIME for status NOMEM or
 * INTERNAL. */
int gs_cli_load_failed(const char *path, gs_status_t status);

/* The output path: -o, or NAME.METHOD.csv in the current directory (stdin.METHOD.csv for
 * GRAPH '-').  Caller frees. */
char *gs_cli_output_path(const gs_cli_t *cli);

/*
 * A run can take minutes: an output that cannot or must not be written is refused before
 * it starts.  path must be a non-empty name other than "-"; when it exists, a regular file
 * (lstat: not a symbolic link, FIFO, device or directory) that is none of the run's inputs
 * (GRAPH, --features and the .ids the NumPy reader takes beside it, --labels, --split, the
 * companions found beside GRAPH, and inputs[0..n_inputs), which may hold NULLs; compared by
 * device and inode, an input "-" as the file redirected to standard input) and not directly
 * inside an input that is a folder (a TU collection, whose files are all inputs); and the
 * writer's temporary file, PATH.XXXXXX, must be creatable beside it.  option ("-o", NULL
 * when path is a default name) prefixes path in the messages.  Returns GS_EXIT_OK, or
 * GS_EXIT_USAGE after printing why (GS_EXIT_RUNTIME when out of memory).
 */
int gs_cli_check_output_path(const gs_cli_t *cli, const char *option, const char *path,
                             const char *const *inputs, int n_inputs);

/* Whether two paths name the same file, whether it exists yet or not: the same name in the
 * same directory. */
bool gs_cli_same_place(const char *a, const char *b);

/* gs_cli_check_output_path for the embeddings' path, gs_cli_output_path (GS_EXIT_RUNTIME
 * when out of memory). */
int gs_cli_check_output(const gs_cli_t *cli, const char *const *inputs, int n_inputs);

/*
 * gs_cli_check_output_path for files a run writes into the folder dir (given by option),
 * with the names names[0..n_names): dir must be a folder (a symbolic link to one is fine),
 * or missing and creatable; each file in it is checked as -o is and must not be where the
 * embeddings go (gs_cli_output_path).  Returns as gs_cli_check_output_path does.
 */
int gs_cli_check_output_dir(const gs_cli_t *cli, const char *option, const char *dir,
                            const char *const *names, int n_names, const char *const *inputs,
                            int n_inputs);

/* Writes emb as CSV to the output path, atomically; on failure prints and returns an exit
 * code. */
int gs_cli_write_embeddings(const gs_cli_t *cli, char *const *names, const gs_tensor_t *emb);

/* The folds of kfold-logreg, the protocol of labels without a split. */
enum { GS_CLI_KFOLD_FOLDS = 10 };

/* Evaluates embeddings against g's labels: dgi-linear with a split, kfold-logreg without.
 * Prints the score line on stdout and adds it to json.  No labels: does nothing. */
int gs_cli_evaluate(const gs_cli_t *cli, const gs_graph_t *g, const gs_tensor_t *emb,
                    gs_json_t *json, double *seconds);

/* The per-epoch progress callback (stderr); user is the gs_cli_t. */
void gs_cli_progress(int epoch, double loss, void *user);
void gs_cli_progress_done(const gs_cli_t *cli);

void gs_json_begin(gs_json_t *j);
void gs_json_str(gs_json_t *j, const char *key, const char *value);
void gs_json_num(gs_json_t *j, const char *key, double value);
void gs_json_int(gs_json_t *j, const char *key, long long value);
/* Adds a value that is already JSON text (an object or array built by the caller). */
void gs_json_raw(gs_json_t *j, const char *key, const char *json);
/* Closes the object, prints it on stdout when enabled, frees the buffer. */
void gs_json_end(gs_json_t *j, bool print);

/* Adds the fields every summary has: seconds, peak memory, seed, threads. */
void gs_cli_json_common(const gs_cli_t *cli, gs_json_t *j);

int gs_cmd_dgi(int argc, char **argv);
int gs_cmd_eval(int argc, char **argv);
int gs_cmd_info(int argc, char **argv);
int gs_cmd_gcc(int argc, char **argv);
int gs_cmd_vgae(int argc, char **argv);
int gs_cmd_gae(int argc, char **argv);
int gs_cmd_deepwalk(int argc, char **argv);
int gs_cmd_graphgan(int argc, char **argv);

#endif

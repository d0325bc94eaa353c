/*
 * graphssl: the command-line front end.  Dispatches to one subcommand per method.
 */
#include "cli.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command_t;

static const command_t commands[] = {
    {"dgi", gs_cmd_dgi, "Deep Graph Infomax: train, write embeddings, evaluate"},
    {"eval", gs_cmd_eval, "evaluate an embedding CSV against labels (and a split)"},
    {"info", gs_cmd_info, "describe what a graph file loads as"},
    {"gcc", gs_cmd_gcc, "Graph Contrastive Coding: structural pre-training, transfer"},
    {"vgae", gs_cmd_vgae, "variational graph auto-encoder: link-auc split, train, score"},
    {"gae", gs_cmd_gae, "graph auto-encoder: link-auc split, train, score"},
    {"deepwalk", gs_cmd_deepwalk, "DeepWalk: random walks + skip-gram, write embeddings"},
    {"graphgan", gs_cmd_graphgan, "GraphGAN: adversarial generator/discriminator, link-acc"},
};

static void print_usage(FILE *out)
{
    fputs("usage: graphssl <command> [options]\n\ncommands:\n", out);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    }
    fputs("\n'graphssl <command> --help' shows a command's options.\n", out);
}

/* The file execvp would run for argv[0]: the name itself when it has a '/', else the first
 * executable of that name on PATH.  False when there is none. */
static bool find_program(const char *argv0, struct stat *st)
{
    const char *path = getenv("PATH");
    char file[4096];

    if (strchr(argv0, '/')) {
        return stat(argv0, st) == 0;
    }
    while (path && *path) {
        size_t len = strcspn(path, ":");

        /* An empty entry is the current directory. */
        int n = len ? snprintf(file, sizeof file, "%.*s/%s", (int)len, path, argv0)
                    : snprintf(file, sizeof file, "./%s", argv0);

        if (n > 0 && (size_t)n < sizeof file && access(file, X_OK) == 0 &&
            stat(file, st) == 0 && S_ISREG(st->st_mode)) {
            return true;
        }
        path += len + (path[len] == ':');
    }
    return false;
}

/* Whether /proc/self/exe is this program.  Under valgrind (or another loader) it is the
 * tool running the program, and executing it would start the tool without its arguments. */
static bool self_is_program(const char *argv0)
{
    struct stat self, program;

    return argv0 && stat("/proc/self/exe", &self) == 0 && find_program(argv0, &program) &&
           self.st_dev == program.st_dev && self.st_ino == program.st_ino;
}

/*
 * OpenMP's worker threads spin between parallel regions by default.  On a machine with few
 * cores that other programs also use, a spinning worker steals the core its partner needs,
 * and two threads run several times slower than one (measured: DGI on Cora, 2 cores under
 * load, 25 s spinning against 6.5 s passive).  Sleeping at once is not free either: an
 * epoch has a dozen parallel regions, and a short spin before sleeping made 2-thread DGI
 * 6% faster than sleeping at once.  The policy is read once when the OpenMP runtime loads,
 * before main, so the program sets it and restarts itself once; a policy the user set is
 * kept.  It restarts only when /proc/self/exe is the program argv[0] names: under valgrind
 * that file is valgrind's tool, so the run goes on with the runtime's default policy.
 */
static void ensure_passive_wait_policy(char **argv)
{
    if (getenv("OMP_WAIT_POLICY") || getenv("GOMP_SPINCOUNT") || !self_is_program(argv[0])) {
        return;
    }
    setenv("OMP_WAIT_POLICY", "passive", 1);
    setenv("GOMP_SPINCOUNT", "10000", 1);
    execv("/proc/self/exe", argv);
}

int main(int argc, char **argv)
{
    ensure_passive_wait_policy(argv);

    /* A closed pipe on stderr (`2>&1 | head`) must not kill a run before it writes -o. */
    signal(SIGPIPE, SIG_IGN);
    if (argc < 2) {
        print_usage(stderr);
        return GS_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        print_usage(stdout);
        return GS_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (!strcmp(argv[1], commands[i].name)) {
            return commands[i].run(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "graphssl: unknown command '%s'\n", argv[1]);
    print_usage(stderr);
    return GS_EXIT_USAGE;
}

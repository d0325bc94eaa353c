/*
 * gs_graph_load: a graph file or a built-in dataset, then its companion files.  Beside
 * DIR/NAME.edgelist the loader looks for DIR/NAME.features, NAME.labels and NAME.split,
 * unless the options name them or turn the search off.
 */
#include "graphssl/io.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common_internal.h"

typedef gs_status_t (*companion_fn)(gs_graph_t *g, const char *path);

static const char *const edgelist_extensions[] = {".edgelist", ".txt", ".tsv", ".csv", ".el"};

void gs_load_options_init(gs_load_options_t *opt)
{
    memset(opt, 0, sizeof *opt);
}

static bool is_regular_file(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The extension of the path's last component ("." included), or NULL. */
static const char *extension_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    const char *dot = strrchr(base, '.');

    return dot && dot != base ? dot : NULL;
}

static gs_status_t check_format(const char *path, const char *format)
{
    const char *ext = extension_of(path);
    size_t n = sizeof edgelist_extensions / sizeof *edgelist_extensions;

    if (format) {
        if (strcmp(format, "edgelist") == 0) {
            return GS_OK;
        }
        return gs_i_error(GS_ERR_UNSUPPORTED, "graph format '%s' is not supported; "
                          "supported: edgelist", format);
    }
    for (size_t i = 0; ext && i < n; i++) {
        if (strcmp(ext, edgelist_extensions[i]) == 0) {
            return GS_OK;
        }
    }
    return gs_i_error(GS_ERR_UNSUPPORTED, "%s: cannot tell the graph format from the file "
                      "name; edge lists end in .edgelist, .txt, .tsv, .csv or .el (or pass "
                      "--format edgelist)", path);
}

/* Loads the companion given explicitly, or else STEM.SUFFIX when search is on and it
 * exists. */
static gs_status_t load_companion(gs_graph_t *g, const char *given, const char *stem,
                                  bool search, const char *kind, companion_fn load)
{
    char *found = NULL;
    const char *use = given;
    gs_status_t status = GS_OK;

    if (!use && search) {
        found = malloc(strlen(stem) + strlen(kind) + 2);
        if (!found) {
            return gs_i_error(GS_ERR_NOMEM, "out of memory looking for companion files");
        }
        sprintf(found, "%s.%s", stem, kind);
        use = is_regular_file(found) ? found : NULL;
    }
    if (use) {
        gs_i_log(GS_LOG_INFO, "using %s %s", kind, use);
        status = load(g, use);
    }
    free(found);
    return status;
}

static gs_status_t load_companions(gs_graph_t *g, const char *path,
                                   const gs_load_options_t *opt, bool search)
{
    const char *ext = extension_of(path);
    size_t stem_len = ext ? (size_t)(ext - path) : strlen(path);
    char *stem = malloc(stem_len + 1);
    gs_status_t status;

    if (!stem) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory looking for companion files");
    }
    memcpy(stem, path, stem_len);
    stem[stem_len] = '\0';

    status = load_companion(g, opt->features, stem, search, "features", gs_features_load);
    if (status == GS_OK) {
        status = load_companion(g, opt->labels, stem, search, "labels", gs_labels_load);
    }
    if (status == GS_OK) {
        status = load_companion(g, opt->split, stem, search, "split", gs_split_load);
    }
    free(stem);
    return status;
}

static void log_dropped(const gs_graph_t *g, const char *path)
{
    if (g->n_self_loops_dropped > 0 || g->n_duplicates_dropped > 0) {
        gs_i_log(GS_LOG_INFO, "%s: dropped %" PRId64 " self loops and %" PRId64
                 " duplicate edges", path, g->n_self_loops_dropped, g->n_duplicates_dropped);
    }
}

gs_status_t gs_graph_load(gs_graph_t **out, const char *path, const gs_load_options_t *opt)
{
    gs_load_options_t defaults;
    struct stat st;
    bool builtin;
    gs_status_t status;

    if (!out || !path) {
        return gs_i_error(GS_ERR_INVALID, "gs_graph_load: no %s given", out ? "path" : "out");
    }
    *out = NULL;
    if (!opt) {
        gs_load_options_init(&defaults);
        opt = &defaults;
    }

    /* A file of that name wins over the built-in dataset. */
    builtin = strcmp(path, "karate") == 0 && stat(path, &st) != 0;
    if (builtin) {
        status = gs_graph_karate(out);
    } else {
        status = check_format(path, opt->format);
        if (status == GS_OK) {
            status = gs_edgelist_load(out, path, opt->directed, opt->weighted);
        }
    }
    if (status == GS_OK) {
        log_dropped(*out, path);
        status = load_companions(*out, path, opt,
                                 !builtin && !opt->no_companions && strcmp(path, "-") != 0);
    }
    if (status != GS_OK) {
        gs_graph_free(*out);
        *out = NULL;
    }
    return status;
}

/*
 * gs_graph_load: a graph file in any supported format, or a built-in dataset, then its
 * companion files.  Beside DIR/NAME.EXT the loader looks for DIR/NAME.features (or
 * NAME.features.gz, or NAME.npy), NAME.labels and NAME.split, unless the options name them
 * or turn the search off.  --features may also name a kind of features to generate.
 */
#include "graphssl/io.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common_internal.h"
#include "io/features_internal.h"
#include "io/igraph_formats_internal.h"
#include "io/linqs_internal.h"

typedef gs_status_t (*companion_fn)(gs_graph_t *g, const char *path, bool strict);

typedef struct extension {
    const char *ext;
    const char *format;
} extension_t;

static const extension_t extensions[] = {
    {".edgelist", "edgelist"}, {".txt", "edgelist"}, {".tsv", "edgelist"},
    {".csv", "edgelist"}, {".el", "edgelist"}, {".graphml", "graphml"}, {".xml", "graphml"},
    {".gml", "gml"}, {".net", "pajek"}, {".pajek", "pajek"}, {".paj", "pajek"},
    {".ncol", "ncol"}, {".lgl", "lgl"}, {".cites", "linqs"}, {".content", "linqs"},
};

static const char format_list[] = "edgelist, graphml, gml, pajek, ncol, lgl, linqs";

/* The graph file: its format and the stem companion files are named after. */
typedef struct source {
    const char *format;
    char *stem;
} source_t;

void gs_load_options_init(gs_load_options_t *opt)
{
    memset(opt, 0, sizeof *opt);
}

static bool is_regular_file(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Length of path without a final ".gz". */
static size_t length_without_gz(const char *path)
{
    size_t n = strlen(path);

    return n > 3 && strcmp(path + n - 3, ".gz") == 0 ? n - 3 : n;
}

/* The extension of the path's last component (before any ".gz"), or NULL. */
static const char *extension_of(const char *path, size_t n)
{
    const char *base = path;
    const char *dot = NULL;

    for (size_t i = 0; i < n; i++) {
        if (path[i] == '/') {
            base = path + i + 1;
            dot = NULL;
        } else if (path[i] == '.') {
            dot = path + i;
        }
    }
    return dot && dot != base ? dot : NULL;
}

static const char *format_of_extension(const char *ext, size_t len)
{
    for (size_t i = 0; ext && i < sizeof extensions / sizeof *extensions; i++) {
        if (strlen(extensions[i].ext) == len && strncmp(ext, extensions[i].ext, len) == 0) {
            return extensions[i].format;
        }
    }
    return NULL;
}

static gs_status_t find_format(const char *path, const char *format, source_t *src)
{
    size_t n = length_without_gz(path);
    const char *ext = extension_of(path, n);
    gs_i_format_t f;

    src->format = format ? format : format_of_extension(ext, ext ? n - (size_t)(ext - path) : 0);
    if (!src->format && strcmp(path, "-") == 0) {
        src->format = "edgelist";
    }
    if (!src->format) {
        return gs_i_error(GS_ERR_UNSUPPORTED, "%s: cannot tell the graph format from the file "
                          "name; pass --format with one of %s", path, format_list);
    }
    if (strcmp(src->format, "edgelist") != 0 && strcmp(src->format, "linqs") != 0 &&
        !gs_i_format_from_name(src->format, &f)) {
        return gs_i_error(GS_ERR_UNSUPPORTED, "graph format '%s' is not supported; expected "
                          "one of %s", src->format, format_list);
    }

    /* Companions are named after the path without ".gz" and without its extension. */
    n = ext ? (size_t)(ext - path) : n;
    src->stem = strndup(path, n);
    return src->stem ? GS_OK : gs_i_error(GS_ERR_NOMEM, "out of memory");
}

static gs_status_t load_graph(gs_graph_t **out, const char *path, const source_t *src,
                              const gs_load_options_t *opt)
{
    gs_i_format_t f;

    if (strcmp(src->format, "edgelist") == 0) {
        return gs_edgelist_load(out, path, opt->directed, opt->weighted);
    }
    if (strcmp(src->format, "linqs") == 0) {
        if (opt->weighted) {
            return gs_i_error(GS_ERR_INVALID, "%s: LINQS citations carry no weights; drop "
                              "--weighted", path);
        }
        return gs_i_linqs_load(out, src->stem, opt->directed);
    }
    gs_i_format_from_name(src->format, &f);
    return gs_i_igraph_format_load(out, path, f, opt->directed, opt->weighted);
}

/*
 * The encoders' propagation matrix D^-1/2 (A + I) D^-1/2 (graph/normalize.c) needs every
 * node's weight sum plus 1 for the self loop to be positive.  Checked here, where the file
 * and the node's name are known, rather than at training time, where neither is.
 */
static gs_status_t check_weighted_degrees(const gs_graph_t *g, const char *path)
{
    const gs_csr_t *a = g->adj;

    for (int v = 0; v < g->n_nodes; v++) {
        double sum = 0.0;

        for (int64_t e = a->indptr[v]; e < a->indptr[v + 1]; e++) {
            sum += a->values[e];
        }
        if (!(sum + 1.0 > 0.0)) {
            return gs_i_error(GS_ERR_INVALID, "%s: edge weights at node '%s' sum to %g (%g "
                              "with the self loop); symmetric normalization needs a positive "
                              "weighted degree: expected non-negative weights", path,
                              g->names[v], sum, sum + 1.0);
        }
    }
    return GS_OK;
}

static gs_status_t load_features_file(gs_graph_t *g, const char *path, bool strict)
{
    (void)strict;
    return gs_features_load(g, path);
}

/* STEM.suffix when it is a file; caller frees.  NULL otherwise (or out of memory). */
static char *existing(const char *stem, const char *suffix)
{
    size_t n = strlen(stem) + strlen(suffix) + 1;
    char *path = malloc(n);

    if (path) {
        snprintf(path, n, "%s%s", stem, suffix);
        if (!is_regular_file(path)) {
            free(path);
            path = NULL;
        }
    }
    return path;
}

/* The first companion of the stem that exists: STEM.kind, STEM.kind.gz, then the extra. */
static char *find_companion(const char *stem, const char *kind, const char *extra)
{
    char suffix[64];
    char *found;

    snprintf(suffix, sizeof suffix, ".%s", kind);
    found = existing(stem, suffix);
    if (!found) {
        snprintf(suffix, sizeof suffix, ".%s.gz", kind);
        found = existing(stem, suffix);
    }
    if (!found && extra) {
        found = existing(stem, extra);
    }
    return found;
}

/* Loads the companion given explicitly, or else the one found beside the graph. */
static gs_status_t load_companion(gs_graph_t *g, const char *given, const char *stem,
                                  bool search, const char *kind, const char *extra,
                                  companion_fn load, bool strict)
{
    char *found = !given && search ? find_companion(stem, kind, extra) : NULL;
    const char *use = given ? given : found;
    gs_status_t status = GS_OK;

    if (use) {
        gs_i_log(GS_LOG_INFO, "using %s %s", kind, use);
        status = load(g, use, strict);
    }
    free(found);
    return status;
}

/* Whether --features names a kind to generate (and no file of that name exists). */
static bool features_to_generate(const char *spec, gs_feature_kind_t *kind, int *k)
{
    return spec && !is_regular_file(spec) && gs_feature_kind_parse(spec, kind, k);
}

static gs_status_t check_features_spec(const char *spec)
{
    if (!spec || strcmp(spec, "-") == 0 || strpbrk(spec, "/.") || is_regular_file(spec)) {
        return GS_OK;
    }
    return gs_i_error(GS_ERR_INVALID, "--features '%s': expected a file or one of identity, "
                      "degree[:K], constant, lap-eig[:K], random[:K], found neither", spec);
}

static gs_status_t generate_features(gs_graph_t *g, gs_feature_kind_t kind, int k,
                                     uint64_t seed)
{
    GS_TRY(gs_graph_make_features(g, kind, k, seed));
    gs_i_log(GS_LOG_INFO, "features: generated %s, %d x %d", gs_feature_kind_name(kind),
             g->n_nodes, g->n_features);
    return GS_OK;
}

static gs_status_t load_companions(gs_graph_t *g, const source_t *src,
                                   const gs_load_options_t *opt, bool search)
{
    const char *features = opt->features;
    gs_feature_kind_t kind;
    int k = 0;
    bool generate = features_to_generate(features, &kind, &k);

    GS_TRY(check_features_spec(generate ? NULL : features));
    GS_TRY(load_companion(g, generate ? NULL : features, src->stem, search && !generate,
                          "features", ".npy", load_features_file, opt->strict));
    GS_TRY(load_companion(g, opt->labels, src->stem, search, "labels", NULL,
                          gs_i_labels_load, opt->strict));
    GS_TRY(load_companion(g, opt->split, src->stem, search, "split", NULL, gs_i_split_load,
                          opt->strict));
    return generate ? generate_features(g, kind, k, opt->seed) : GS_OK;
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
    source_t src = {0};
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
        src.format = "builtin";
        status = gs_graph_karate(out);
    } else {
        status = find_format(path, opt->format, &src);
        if (status == GS_OK) {
            status = load_graph(out, path, &src, opt);
        }
    }
    if (status == GS_OK && opt->weighted) {
        status = check_weighted_degrees(*out, strcmp(path, "-") == 0 ? "<stdin>" : path);
    }
    if (status == GS_OK) {
        log_dropped(*out, path);
        status = load_companions(*out, &src, opt,
                                 !builtin && !opt->no_companions && strcmp(path, "-") != 0);
    }
    if (status != GS_OK) {
        gs_graph_free(*out);
        *out = NULL;
    }
    free(src.stem);
    return status;
}

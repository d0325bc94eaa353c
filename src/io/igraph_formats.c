/*
 * GraphML, GML, Pajek, NCOL and LGL through igraph's readers, with their traps corrected:
 * the input is read by the shared reader first (so gzip, a byte-order mark, standard input
 * and binary files are handled as for edge lists), NCOL comment lines are blanked instead
 * of becoming nodes named "#", a missing weight is an error instead of 0 or NaN, an empty
 * file or a graph of one node is refused, and igraph's errors become FILE:LINE messages
 * instead of aborting the program.  Node names come from the "name", "id" or "label"
 * vertex attribute, the first one that names every node uniquely.
 */
#include <igraph.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common_internal.h"
#include "io/igraph_formats_internal.h"
#include "io/text_internal.h"

typedef struct format_info {
    const char *name;         /* as given to --format */
    const char *title;        /* as written in messages */
} format_info_t;

static const format_info_t formats[] = {
    [GS_I_FORMAT_GRAPHML] = {"graphml", "GraphML"},
    [GS_I_FORMAT_GML] = {"gml", "GML"},
    [GS_I_FORMAT_PAJEK] = {"pajek", "Pajek"},
    [GS_I_FORMAT_NCOL] = {"ncol", "NCOL"},
    [GS_I_FORMAT_LGL] = {"lgl", "LGL"},
};

/* Vertices a Pajek file may declare beyond 16 per byte of the file. */
enum { PAJEK_MIN_VERTICES = 1 << 20 };

/* The first igraph error message of a read (igraph's handler is per thread). */
static _Thread_local char igraph_message[512];

static void record_error(const char *reason, const char *file, int line, igraph_error_t err)
{
    if (igraph_message[0] == '\0') {
        snprintf(igraph_message, sizeof igraph_message, "%s", reason);
    }

    /* The ignoring handler frees what igraph allocated before the failure. */
    igraph_error_handler_ignore(reason, file, line, err);
}

static void ignore_warning(const char *reason, const char *file, int line)
{
    (void)file;
    (void)line;
    gs_i_log(GS_LOG_DEBUG, "igraph: %s", reason);
}

const char *gs_i_format_name(gs_i_format_t format)
{
    return formats[format].name;
}

bool gs_i_format_from_name(const char *name, gs_i_format_t *format)
{
    for (size_t f = 0; f < sizeof formats / sizeof *formats; f++) {
        if (strcmp(name, formats[f].name) == 0) {
            *format = (gs_i_format_t)f;
            return true;
        }
    }
    return false;
}

/* Turns "... line 5 (syntax error, ...)" or "Line 2: reason" into FILE:LINE messages. */
static gs_status_t convert_error(const char *file, gs_i_format_t format, igraph_error_t err)
{
    const char *m = igraph_message[0] ? igraph_message : igraph_strerror(err);
    const char *at = strstr(m, "line ");
    long line = 0;

    if (err == IGRAPH_ENOMEM) {
        return gs_i_error(GS_ERR_NOMEM, "%s: out of memory reading %s", file,
                          formats[format].title);
    }
    if (!at) {
        at = strstr(m, "Line ");
    }
    if (at && sscanf(at + 5, "%ld", &line) == 1 && line > 0) {
        return gs_i_error(GS_ERR_PARSE, "%s:%ld: expected valid %s, found: %s", file, line,
                          formats[format].title, m);
    }
    return gs_i_error(GS_ERR_PARSE, "%s: expected valid %s, found: %s", file,
                      formats[format].title, m);
}

/* Whether the data holds anything but blanks. */
static bool has_content(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n') {
            return true;
        }
    }
    return false;
}

static int count_words(const char *p, const char *end)
{
    int n = 0;

    while (p < end) {
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\r')) {
            p++;
        }
        if (p == end) {
            break;
        }
        n++;
        while (p < end && *p != ' ' && *p != '\t' && *p != '\r') {
            p++;
        }
    }
    return n;
}

/*
 * NCOL lines are "a b" or "a b w".  igraph reads "#" comments as node names and a missing
 * weight as 0, so comments are blanked here (keeping the line numbers) and every line is
 * checked to have the columns --weighted asks for.
 */
static gs_status_t prepare_ncol(gs_i_text_t *t, bool weighted, bool *has_weights)
{
    char *p = t->buf + t->pos;
    char *end = t->buf + t->len;
    long line = 0;

    *has_weights = false;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *stop = nl ? nl : end;
        char *q = p;
        int n;

        line++;
        while (q < stop && (*q == ' ' || *q == '\t')) {
            q++;
        }
        if (q < stop && (*q == '#' || *q == '%')) {
            memset(p, ' ', (size_t)(stop - p));
        }
        n = count_words(p, stop);
        if (n != 0 && (n < 2 || n > 3 || (weighted && n != 3))) {
            return gs_i_error(GS_ERR_PARSE, "%s:%ld: expected %s, found %d columns", t->name,
                              line, weighted ? "3 columns (u v w)" : "2 or 3 columns (u v [w])",
                              n);
        }
        *has_weights = *has_weights || n == 3;
        p = stop + (nl != NULL);
    }
    return GS_OK;
}

/* Pajek files declare their vertex count, and igraph allocates that many vertices before
 * reading on; a count far beyond what the file could list is refused instead. */
static gs_status_t check_pajek(const gs_i_text_t *t)
{
    const char *p = t->buf + t->pos;
    const char *end = t->buf + t->len;
    uint64_t limit = (uint64_t)(t->len - t->pos) * 16 + PAJEK_MIN_VERTICES;
    long line = 1;

    for (; p < end; p++) {
        unsigned long long n;

        if (*p == '\n') {
            line++;
        } else if ((p == t->buf + t->pos || p[-1] == '\n') && strncasecmp(p, "*vertices", 9) == 0
                   && sscanf(p + 9, "%llu", &n) == 1 && n > limit) {
            return gs_i_error(GS_ERR_PARSE, "%s:%ld: expected a vertex count the file can "
                              "hold (at most %llu), found *Vertices %llu", t->name, line,
                              (unsigned long long)limit, n);
        }
    }
    return GS_OK;
}

static igraph_error_t call_reader(gs_i_format_t format, FILE *f, igraph_t *ig, bool weighted)
{
    igraph_add_weights_t w = weighted ? IGRAPH_ADD_WEIGHTS_YES : IGRAPH_ADD_WEIGHTS_NO;

    switch (format) {
    case GS_I_FORMAT_GRAPHML: return igraph_read_graph_graphml(ig, f, 0);
    case GS_I_FORMAT_GML: return igraph_read_graph_gml(ig, f);
    case GS_I_FORMAT_PAJEK: return igraph_read_graph_pajek(ig, f);
    case GS_I_FORMAT_NCOL: return igraph_read_graph_ncol(ig, f, NULL, true, w, false);
    case GS_I_FORMAT_LGL: return igraph_read_graph_lgl(ig, f, true, w, false);
    }
    return IGRAPH_EINVAL;
}

/* Runs igraph's reader on the text (our handlers and the C attribute table are set). */
static gs_status_t read_with_igraph(gs_i_text_t *t, gs_i_format_t format, igraph_t *ig,
                                    bool weighted)
{
    FILE *f = fmemopen(t->buf + t->pos, t->len - t->pos, "rb");
    igraph_error_t err;

    if (!f) {
        return gs_i_error(GS_ERR_NOMEM, "%s: out of memory reading %s", t->name,
                          formats[format].title);
    }
    igraph_message[0] = '\0';
    err = call_reader(format, f, ig, weighted);
    fclose(f);
    return err == IGRAPH_SUCCESS ? GS_OK : convert_error(t->name, format, err);
}

/* Vertex attributes: their names and types. */
typedef struct attributes {
    igraph_strvector_t gnames, vnames, enames;
    igraph_vector_int_t gtypes, vtypes, etypes;
} attributes_t;

static int attribute_type(const attributes_t *a, bool vertex, const char *name)
{
    const igraph_strvector_t *names = vertex ? &a->vnames : &a->enames;
    const igraph_vector_int_t *types = vertex ? &a->vtypes : &a->etypes;

    for (igraph_integer_t i = 0; i < igraph_strvector_size(names); i++) {
        if (strcmp(igraph_strvector_get(names, i), name) == 0) {
            return (int)VECTOR(*types)[i];
        }
    }
    return -1;
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether names are all non-empty and distinct. */
static bool names_usable(char **names, int n)
{
    char **sorted = malloc(((size_t)n + 1) * sizeof *sorted);
    bool ok = sorted != NULL;

    for (int v = 0; ok && v < n; v++) {
        ok = names[v] && names[v][0] != '\0';
        sorted[v] = names[v];
    }
    if (ok) {
        qsort(sorted, (size_t)n, sizeof *sorted, compare_strings);
    }
    for (int v = 1; ok && v < n; v++) {
        ok = strcmp(sorted[v - 1], sorted[v]) != 0;
    }
    free(sorted);
    return ok;
}

static void free_names(char **names, int n)
{
    for (int v = 0; names && v < n; v++) {
        free(names[v]);
    }
    free(names);
}

/* The text of vertex attribute a of v: strings as they are, integral numbers as integers. */
static char *attribute_text(const igraph_t *ig, const char *a, int type, int v)
{
    char buf[32];
    double x;

    if (type == IGRAPH_ATTRIBUTE_STRING) {
        return strdup(VAS(ig, a, v));
    }
    x = VAN(ig, a, v);
    if (!isfinite(x)) {
        return strdup("");
    }
    if (x == floor(x) && fabs(x) < 1e18) {
        snprintf(buf, sizeof buf, "%" PRId64, (int64_t)x);
    } else {
        snprintf(buf, sizeof buf, "%.17g", x);
    }
    return strdup(buf);
}

/* names from the first of "name", "id", "label" that is usable; else vertex numbers
 * (1-based for Pajek, as its files count them). */
static char **choose_names(const igraph_t *ig, const attributes_t *a, gs_i_format_t format,
                           int n)
{
    static const char *const candidates[] = {"name", "id", "label"};
    char **names = calloc((size_t)n + 1, sizeof *names);
    char buf[32];

    for (size_t c = 0; names && c < sizeof candidates / sizeof *candidates; c++) {
        int type = attribute_type(a, true, candidates[c]);

        if (type != IGRAPH_ATTRIBUTE_STRING && type != IGRAPH_ATTRIBUTE_NUMERIC) {
            continue;
        }
        for (int v = 0; v < n; v++) {
            free(names[v]);
            names[v] = attribute_text(ig, candidates[c], type, v);
        }
        if (names_usable(names, n)) {
            return names;
        }
    }
    for (int v = 0; names && v < n; v++) {
        free(names[v]);
        snprintf(buf, sizeof buf, "%d", v + (format == GS_I_FORMAT_PAJEK));
        names[v] = strdup(buf);
        if (!names[v]) {
            free_names(names, n);
            return NULL;
        }
    }
    return names;
}

typedef struct edge_arrays {
    int32_t *src;
    int32_t *dst;
    float *w;
    int64_t m;
} edge_arrays_t;

/* The weight of every edge, which must be present (finite and not the 0 that igraph gives a
 * missing one). */
static gs_status_t read_weights(const igraph_t *ig, const char *file, char **names,
                                edge_arrays_t *e, int64_t m_in)
{
    for (int64_t k = 0; k < m_in; k++) {
        double w = EAN(ig, "weight", k);

        if (!isfinite(w) || w == 0.0) {
            igraph_integer_t u = IGRAPH_FROM(ig, k);
            igraph_integer_t v = IGRAPH_TO(ig, k);

            /* igraph stores an undirected edge larger end first; name it as files do. */
            if (!igraph_is_directed(ig) && u > v) {
                u = IGRAPH_TO(ig, k);
                v = IGRAPH_FROM(ig, k);
            }
            return gs_i_error(GS_ERR_PARSE, "%s: expected a non-zero weight on every edge, "
                              "found %s on the edge '%s' - '%s'", file,
                              isnan(w) ? "none" : w == 0.0 ? "0 (or none)" : "an infinite one",
                              names[u], names[v]);
        }
        e->w[k] = (float)w;
    }
    return GS_OK;
}

/* Copies the edges (both arcs of an undirected edge when direction is asked for). */
static gs_status_t copy_edges(const igraph_t *ig, bool both_arcs, bool weighted,
                              const char *file, char **names, edge_arrays_t *e)
{
    int64_t m = (int64_t)igraph_ecount(ig);
    size_t arcs = (size_t)m * (both_arcs ? 2 : 1) + 1;

    e->src = malloc(arcs * sizeof *e->src);
    e->dst = malloc(arcs * sizeof *e->dst);
    e->w = weighted ? malloc(arcs * sizeof *e->w) : NULL;
    if (!e->src || !e->dst || (weighted && !e->w)) {
        return gs_i_error(GS_ERR_NOMEM, "%s: out of memory for %" PRId64 " edges", file, m);
    }
    if (weighted) {
        GS_TRY(read_weights(ig, file, names, e, m));
    }
    for (int64_t k = 0; k < m; k++) {
        e->src[k] = (int32_t)IGRAPH_FROM(ig, k);
        e->dst[k] = (int32_t)IGRAPH_TO(ig, k);
        if (both_arcs) {
            e->src[m + k] = e->dst[k];
            e->dst[m + k] = e->src[k];
            if (weighted) {
                e->w[m + k] = e->w[k];
            }
        }
    }
    e->m = m * (both_arcs ? 2 : 1);
    return GS_OK;
}

static gs_status_t check_attributes(const attributes_t *a, const char *file,
                                    gs_i_format_t format, bool weighted)
{
    int type = attribute_type(a, false, "weight");

    if (weighted && type != IGRAPH_ATTRIBUTE_NUMERIC) {
        return gs_i_error(GS_ERR_PARSE, "%s: expected a numeric 'weight' edge attribute "
                          "(--weighted), found %s", file, type < 0 ? "none" : "another type");
    }
    if (!weighted && type >= 0) {
        gs_i_log(GS_LOG_INFO, "%s: the %s edge weights are ignored; pass --weighted to use "
                 "them", file, formats[format].title);
    }
    return GS_OK;
}

static gs_status_t build_graph(const igraph_t *ig, const char *file, gs_i_format_t format,
                               bool directed, bool weighted, gs_graph_t **out)
{
    int n = (int)igraph_vcount(ig);
    bool file_directed = igraph_is_directed(ig);
    attributes_t a;
    edge_arrays_t e = {0};
    char **names = NULL;
    gs_status_t status = GS_OK;

    if (n < 2) {
        return gs_i_error(GS_ERR_INVALID, "%s: expected a graph of at least 2 nodes, found "
                          "%d", file, n);
    }
    igraph_strvector_init(&a.gnames, 0);
    igraph_strvector_init(&a.vnames, 0);
    igraph_strvector_init(&a.enames, 0);
    igraph_vector_int_init(&a.gtypes, 0);
    igraph_vector_int_init(&a.vtypes, 0);
    igraph_vector_int_init(&a.etypes, 0);
    if (igraph_cattribute_list(ig, &a.gnames, &a.gtypes, &a.vnames, &a.vtypes, &a.enames,
                               &a.etypes) != IGRAPH_SUCCESS) {
        status = gs_i_error(GS_ERR_NOMEM, "%s: out of memory listing attributes", file);
    }
    if (status == GS_OK) {
        status = check_attributes(&a, file, format, weighted);
    }
    if (status == GS_OK) {
        names = choose_names(ig, &a, format, n);
        status = names ? GS_OK : gs_i_error(GS_ERR_NOMEM, "%s: out of memory", file);
    }
    if (status == GS_OK) {
        status = copy_edges(ig, directed && !file_directed, weighted, file, names, &e);
    }
    if (status == GS_OK && file_directed && !directed) {
        gs_i_log(GS_LOG_INFO, "%s: directed edges read as undirected; pass --directed to "
                 "keep their direction", file);
    }
    if (status == GS_OK) {
        status = gs_graph_from_edges(out, n, e.src, e.dst, e.w, e.m, directed, names);
    }

    free(e.src);
    free(e.dst);
    free(e.w);
    free_names(names, n);
    igraph_strvector_destroy(&a.gnames);
    igraph_strvector_destroy(&a.vnames);
    igraph_strvector_destroy(&a.enames);
    igraph_vector_int_destroy(&a.gtypes);
    igraph_vector_int_destroy(&a.vtypes);
    igraph_vector_int_destroy(&a.etypes);
    return status;
}

/* Reads and converts with igraph's handlers and attribute table set to ours. */
static gs_status_t load_text(gs_i_text_t *t, gs_i_format_t format, bool directed,
                             bool weighted, gs_graph_t **out)
{
    bool has_weights = weighted;
    igraph_t ig;
    gs_status_t status = GS_OK;

    if (!has_content(t->buf + t->pos, t->len - t->pos)) {
        return gs_i_error(GS_ERR_INVALID, "%s:1: expected a %s graph, found an empty file",
                          t->name, formats[format].title);
    }
    if (format == GS_I_FORMAT_NCOL) {
        GS_TRY(prepare_ncol(t, weighted, &has_weights));
    }
    if (format == GS_I_FORMAT_PAJEK) {
        GS_TRY(check_pajek(t));
    }
    if (format == GS_I_FORMAT_NCOL && has_weights && !weighted) {
        gs_i_log(GS_LOG_INFO, "%s: the NCOL edge weights are ignored; pass --weighted to use "
                 "them", t->name);
    }
    status = read_with_igraph(t, format, &ig, weighted);
    if (status == GS_OK) {
        status = build_graph(&ig, t->name, format, directed, weighted, out);
        igraph_destroy(&ig);
    }
    return status;
}

gs_status_t gs_i_igraph_format_load(gs_graph_t **out, const char *path, gs_i_format_t format,
                                    bool directed, bool weighted)
{
    igraph_error_handler_t *old_error;
    igraph_warning_handler_t *old_warning;
    igraph_attribute_table_t *old_table;
    gs_i_text_t t;
    gs_status_t status;

    *out = NULL;
    GS_TRY(gs_i_text_open(&t, path, GS_I_TEXT_BYTES));
    status = gs_i_text_require_text(&t, GS_I_TEXT_WORDS);
    if (status == GS_OK) {
        /* igraph's default handler aborts; the attribute table is global, so the caller's
         * comes back afterwards.  Attributes are freed while ours is still set. */
        old_error = igraph_set_error_handler(record_error);
        old_warning = igraph_set_warning_handler(ignore_warning);
        old_table = igraph_set_attribute_table(&igraph_cattribute_table);
        status = load_text(&t, format, directed, weighted, out);
        igraph_set_attribute_table(old_table);
        igraph_set_warning_handler(old_warning);
        igraph_set_error_handler(old_error);
    }
    gs_i_text_close(&t);
    return status;
}

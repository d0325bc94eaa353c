/*
 * TU Dortmund graph collections (format in include/graphssl/tu.h).  The three files are read
 * with the shared line reader, whose word mode splits "12, 15" on the comma; the graphs
 * become one block-diagonal gs_graph whose node order is the file's.
 */
#include "graphssl/tu.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common_internal.h"
#include "graph/graph_internal.h"
#include "io/text_internal.h"

/* Integers read from a one-number-per-line file, growing as they come. */
typedef struct int_column {
    int64_t *v;
    int64_t n;
    int64_t cap;
} int_column_t;

static gs_status_t push(int_column_t *c, int64_t value, const gs_i_text_t *t)
{
    if (c->n == c->cap) {
        int64_t cap = c->cap ? 2 * c->cap : 4096;
        int64_t *grown = realloc(c->v, (size_t)cap * sizeof *grown);

        if (!grown) {
            return gs_i_error(GS_ERR_NOMEM, "%s:%ld: out of memory", t->name, t->line);
        }
        c->v = grown;
        c->cap = cap;
    }
    c->v[c->n++] = value;
    return GS_OK;
}

static gs_status_t parse_int_token(const gs_i_text_t *t, int i, int64_t *value)
{
    if (!gs_i_parse_canonical_int(t->tok[i], value)) {
        return gs_i_error(GS_ERR_PARSE, "%s:%ld: expected an integer, found '%s'", t->name,
                          t->line, t->tok[i]);
    }
    return GS_OK;
}

/* Reads every line of path as `columns` integers appended to out (row after row). */
static gs_status_t read_ints(const char *path, int columns, int_column_t *out)
{
    gs_i_text_t t;
    gs_status_t status;

    GS_TRY(gs_i_text_open(&t, path, GS_I_TEXT_WORDS));
    while ((status = gs_i_text_next(&t)) == GS_OK && t.n_tok > 0) {
        int64_t value;

        if (t.n_tok != columns) {
            status = gs_i_error(GS_ERR_PARSE, "%s:%ld: expected %d value%s, found %d", t.name,
                                t.line, columns, columns == 1 ? "" : "s", t.n_tok);
            break;
        }
        for (int i = 0; i < columns && status == GS_OK; i++) {
            status = parse_int_token(&t, i, &value);
            if (status == GS_OK) {
                status = push(out, value, &t);
            }
        }
        if (status != GS_OK) {
            break;
        }
    }
    gs_i_text_close(&t);
    return status;
}

/* Graph ids must be 1, 1, ..., 2, ..., G in blocks; fills offsets (G + 1 entries). */
static gs_status_t graph_offsets(gs_graph_collection_t *c, const int_column_t *ind,
                                 const char *path)
{
    int64_t n_graphs = ind->n ? ind->v[ind->n - 1] : 0;

    if (ind->n == 0 || ind->n > INT32_MAX || n_graphs > INT32_MAX) {
        return gs_i_error(GS_ERR_PARSE, "%s: expected between 1 and %d lines, found %lld",
                          path, INT32_MAX, (long long)ind->n);
    }
    if (!(c->offsets = malloc(((size_t)n_graphs + 1) * sizeof *c->offsets))) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory for %lld graphs", (long long)n_graphs);
    }
    c->n_graphs = (int)n_graphs;
    for (int64_t i = 0, current = 0; i < ind->n; i++) {
        if (ind->v[i] == current + 1) {
            current++;
            c->offsets[current - 1] = i;
        } else if (ind->v[i] != current || current == 0) {
            return gs_i_error(GS_ERR_PARSE,
                              "%s:%lld: graph id %lld breaks the order; expected %lld or %lld "
                              "(graphs must be consecutive blocks starting at 1)",
                              path, (long long)i + 1, (long long)ind->v[i], (long long)current,
                              (long long)current + 1);
        }
    }
    c->offsets[n_graphs] = ind->n;
    return GS_OK;
}

/* 1-based entries of DS_A.txt to 0-based src/dst, checked against the node count and the
 * graph each endpoint belongs to. */
static gs_status_t convert_edges(const int_column_t *a, const int_column_t *ind,
                                 const char *path, int32_t *src, int32_t *dst)
{
    for (int64_t e = 0; e < a->n / 2; e++) {
        int64_t u = a->v[2 * e], v = a->v[2 * e + 1];

        if (u < 1 || v < 1 || u > ind->n || v > ind->n) {
            return gs_i_error(GS_ERR_PARSE, "%s:%lld: node id out of range 1..%lld", path,
                              (long long)e + 1, (long long)ind->n);
        }
        if (ind->v[u - 1] != ind->v[v - 1]) {
            return gs_i_error(GS_ERR_PARSE,
                              "%s:%lld: the edge %lld-%lld joins graphs %lld and %lld", path,
                              (long long)e + 1, (long long)u, (long long)v,
                              (long long)ind->v[u - 1], (long long)ind->v[v - 1]);
        }
        src[e] = (int32_t)(u - 1);
        dst[e] = (int32_t)(v - 1);
    }
    return GS_OK;
}

static gs_status_t build_graph(gs_graph_collection_t *c, const int_column_t *a,
                               const int_column_t *ind, const char *path)
{
    int64_t m = a->n / 2;
    int32_t *src = malloc((size_t)(m ? m : 1) * sizeof *src);
    int32_t *dst = malloc((size_t)(m ? m : 1) * sizeof *dst);
    gs_status_t status;

    if (!src || !dst) {
        status = gs_i_error(GS_ERR_NOMEM, "out of memory for %lld edges", (long long)m);
    } else {
        status = convert_edges(a, ind, path, src, dst);
    }
    if (status == GS_OK) {
        status = gs_graph_from_edges(&c->graph, (int)ind->n, src, dst, NULL, m, false, NULL);
    }
    free(src);
    free(dst);
    return status;
}

static int compare_int64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

/* Maps the distinct label values, in ascending order, to classes 0..C-1. */
static gs_status_t set_labels(gs_graph_collection_t *c, const int_column_t *lab,
                              const char *path)
{
    int64_t *sorted = malloc((size_t)lab->n * sizeof *sorted);
    int n_classes = 0;

    if (lab->n != c->n_graphs) {
        free(sorted);
        return gs_i_error(GS_ERR_PARSE, "%s: %lld labels for %d graphs", path,
                          (long long)lab->n, c->n_graphs);
    }
    c->labels = malloc((size_t)lab->n * sizeof *c->labels);
    c->class_names = calloc((size_t)lab->n, sizeof *c->class_names);
    if (!sorted || !c->labels || !c->class_names) {
        free(sorted);
        return gs_i_error(GS_ERR_NOMEM, "out of memory for %d graph labels", c->n_graphs);
    }
    memcpy(sorted, lab->v, (size_t)lab->n * sizeof *sorted);
    qsort(sorted, (size_t)lab->n, sizeof *sorted, compare_int64);
    for (int64_t i = 0; i < lab->n; i++) {
        if (i == 0 || sorted[i] != sorted[i - 1]) {
            sorted[n_classes++] = sorted[i];
        }
    }
    for (int64_t g = 0; g < lab->n; g++) {
        int64_t *hit = bsearch(&lab->v[g], sorted, (size_t)n_classes, sizeof *sorted,
                               compare_int64);
        c->labels[g] = (int32_t)(hit - sorted);
    }
    c->n_classes = n_classes;
    for (int k = 0; k < n_classes; k++) {
        if (asprintf(&c->class_names[k], "%lld", (long long)sorted[k]) < 0) {
            c->class_names[k] = NULL;
            free(sorted);
            return gs_i_error(GS_ERR_NOMEM, "out of memory for graph labels");
        }
    }
    free(sorted);
    return GS_OK;
}

/* "DIR/NAME_suffix" where NAME is DIR's last component. */
static char *member_path(const char *dir, const char *name, const char *suffix)
{
    char *path;

    return asprintf(&path, "%s/%s_%s", dir, name, suffix) < 0 ? NULL : path;
}

/* The folder without trailing slashes, and its last component. */
static gs_status_t split_dir(const char *dir, char **clean, char **name)
{
    size_t n = strlen(dir);
    char *copy;

    while (n > 1 && dir[n - 1] == '/') {
        n--;
    }
    *clean = strndup(dir, n);
    copy = *clean ? strdup(*clean) : NULL;
    *name = copy ? strdup(basename(copy)) : NULL;
    free(copy);
    if (!*name) {
        free(*clean);
        *clean = NULL;
        return gs_i_error(GS_ERR_NOMEM, "out of memory");
    }
    return GS_OK;
}

static gs_status_t load_files(gs_graph_collection_t *c, const char *dir)
{
    int_column_t ind = {0}, a = {0}, lab = {0};
    char *p_ind = member_path(dir, c->name, "graph_indicator.txt");
    char *p_a = member_path(dir, c->name, "A.txt");
    char *p_lab = member_path(dir, c->name, "graph_labels.txt");
    gs_status_t status = GS_OK;

    if (!p_ind || !p_a || !p_lab) {
        status = gs_i_error(GS_ERR_NOMEM, "out of memory");
    }
    if (status == GS_OK && (status = read_ints(p_ind, 1, &ind)) == GS_OK) {
        status = graph_offsets(c, &ind, p_ind);
    }
    if (status == GS_OK && (status = read_ints(p_a, 2, &a)) == GS_OK) {
        status = build_graph(c, &a, &ind, p_a);
    }
    if (status == GS_OK && access(p_lab, F_OK) == 0 &&
        (status = read_ints(p_lab, 1, &lab)) == GS_OK) {
        status = set_labels(c, &lab, p_lab);
    }
    free(ind.v);
    free(a.v);
    free(lab.v);
    free(p_ind);
    free(p_a);
    free(p_lab);
    return status;
}

gs_status_t gs_tu_load(gs_graph_collection_t **out, const char *dir)
{
    gs_graph_collection_t *c = calloc(1, sizeof *c);
    char *clean = NULL;
    gs_status_t status;

    if (!c) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory loading %s", dir);
    }
    status = split_dir(dir, &clean, &c->name);
    if (status == GS_OK) {
        status = load_files(c, clean);
    }
    free(clean);
    if (status != GS_OK) {
        gs_graph_collection_free(c);
        return status;
    }
    gs_i_log(GS_LOG_INFO, "%s: %d graphs, %d nodes, %lld edges, %d classes", c->name,
             c->n_graphs, c->graph->n_nodes, (long long)c->graph->n_edges, c->n_classes);
    *out = c;
    return GS_OK;
}

void gs_graph_collection_free(gs_graph_collection_t *c)
{
    if (!c) {
        return;
    }
    for (int k = 0; c->class_names && k < c->n_classes; k++) {
        free(c->class_names[k]);
    }
    free(c->class_names);
    free(c->labels);
    free(c->offsets);
    gs_graph_free(c->graph);
    free(c->name);
    free(c);
}

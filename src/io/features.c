/*
 * Node features: sparse rows "id j:v j:v ..." (with an optional first line "# nodes=N
 * dim=D") or dense rows "id v1 ... vD"; the first data row tells which.  Rows are matched
 * to nodes by name, in any order.  Sparse features stay sparse: each row's entries are
 * appended as one segment, and the CSR is assembled from the segments at the end.
 */
#include "graphssl/io.h"

#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "common_internal.h"
#include "io/text_internal.h"

typedef struct entry {
    int32_t col;
    float value;
} entry_t;

typedef struct feature_reader {
    const gs_graph_t *g;
    gs_i_text_t *t;
    int dim;                  /* declared by "dim=D", or -1 */
    bool sparse;
    long *row_line;           /* per node: the line of its row, 0 while it has none */
    long first_line;          /* the first data row's line */
    int n_rows;               /* rows matched to a node */
    int64_t n_unknown;        /* rows naming no node of the graph */
    const char *first_unknown;
    long first_unknown_line;

    /* Sparse rows: node v's entries are cols/values[seg_start[v] .. + seg_len[v]]. */
    int32_t *cols;
    float *values;
    int64_t nnz;
    int64_t cap;
    int64_t *seg_start;
    int32_t *seg_len;
    int32_t max_index;

    /* Dense rows, written in place: n_nodes x width. */
    float *dense;
    int width;
} feature_reader_t;

static gs_status_t parse_header(gs_i_text_t *t, int *dim)
{
    const char *comment = gs_i_text_first_comment(t);
    const char *p = comment ? strstr(comment, "dim=") : NULL;
    char *end;
    long d;

    *dim = -1;
    if (!p || (p > comment && p[-1] != ' ' && p[-1] != '\t')) {
        return GS_OK;
    }
    d = strtol(p + 4, &end, 10);
    if (end == p + 4 || d <= 0 || d > INT_MAX || (*end != '\0' && *end != ' ' &&
                                                  *end != '\t')) {
        return gs_i_error(GS_ERR_PARSE,
                          "%s:%ld: expected 'dim=D' with D a positive integer, found '#%s'",
                          t->name, t->line, comment);
    }
    *dim = (int)d;
    return GS_OK;
}

/* Parses "j:v" with 0 <= j < dim (when declared) and v finite. */
static gs_status_t parse_entry(const feature_reader_t *r, const char *tok, int32_t *j,
                               float *v)
{
    const gs_i_text_t *t = r->t;
    const char *p = tok;
    int64_t index = 0;
    bool is_number = false;

    if (p[0] == '-' && p[1] >= '0' && p[1] <= '9') {
        return gs_i_error(GS_ERR_PARSE, "%s:%ld: negative feature index in '%s'", t->name,
                          t->line, tok);
    }

    /* Indices saturate at INT_MAX, which is out of range for any dimension. */
    for (; *p >= '0' && *p <= '9'; p++) {
        index = index < INT_MAX ? index * 10 + (*p - '0') : INT_MAX;
    }
    if (p == tok || *p != ':' || !gs_i_parse_float(p + 1, v, &is_number)) {
        if (p != tok && *p == ':' && is_number) {
            return gs_i_error(GS_ERR_PARSE, "%s:%ld: non-finite feature value in '%s'",
                              t->name, t->line, tok);
        }
        return gs_i_error(GS_ERR_PARSE, "%s:%ld: expected 'index:value', found '%s'",
                          t->name, t->line, tok);
    }
    if (index >= INT_MAX || (r->dim >= 0 && index >= r->dim)) {
        return gs_i_error(GS_ERR_PARSE, "%s:%ld: feature index in '%s' is out of range "
                          "(dim=%d)", t->name, t->line, tok, r->dim);
    }
    *j = (int32_t)index;
    return GS_OK;
}

static gs_status_t grow_entries(feature_reader_t *r)
{
    int64_t cap = r->cap ? 2 * r->cap : 1 << 16;
    int32_t *cols = realloc(r->cols, (size_t)cap * sizeof *cols);
    float *values;

    if (cols) {
        r->cols = cols;
    }
    values = cols ? realloc(r->values, (size_t)cap * sizeof *values) : NULL;
    if (!values) {
        return gs_i_error(GS_ERR_NOMEM, "%s:%ld: out of memory for the features", r->t->name,
                          r->t->line);
    }
    r->values = values;
    r->cap = cap;
    return GS_OK;
}

static int compare_entries(const void *a, const void *b)
{
    int32_t x = ((const entry_t *)a)->col;
    int32_t y = ((const entry_t *)b)->col;

    return (x > y) - (x < y);
}

/* Sorts the entries from start on by column (rows usually come sorted) and rejects a
 * column given twice. */
static gs_status_t sort_segment(feature_reader_t *r, int64_t start)
{
    int32_t *c = r->cols + start;
    int64_t n = r->nnz - start;
    entry_t *tmp;

    for (int64_t i = 1; i < n; i++) {
        if (c[i] > c[i - 1]) {
            continue;
        }
        if (c[i] == c[i - 1]) {
            return gs_i_error(GS_ERR_PARSE, "%s:%ld: feature index %d appears twice",
                              r->t->name, r->t->line, (int)c[i]);
        }

        /* Out of order: sort the whole segment once, then check it again. */
        tmp = malloc((size_t)n * sizeof *tmp);
        if (!tmp) {
            return gs_i_error(GS_ERR_NOMEM, "%s:%ld: out of memory sorting a row",
                              r->t->name, r->t->line);
        }
        for (int64_t k = 0; k < n; k++) {
            tmp[k] = (entry_t){c[k], r->values[start + k]};
        }
        qsort(tmp, (size_t)n, sizeof *tmp, compare_entries);
        for (int64_t k = 0; k < n; k++) {
            c[k] = tmp[k].col;
            r->values[start + k] = tmp[k].value;
        }
        free(tmp);
        return sort_segment(r, start);
    }
    return GS_OK;
}

static gs_status_t read_sparse_row(feature_reader_t *r, int node)
{
    const gs_i_text_t *t = r->t;
    int64_t start = r->nnz;

    for (int i = 1; i < t->n_tok; i++) {
        int32_t j = 0;
        float v = 0.0f;

        GS_TRY(parse_entry(r, t->tok[i], &j, &v));
        if (r->nnz == r->cap) {
            GS_TRY(grow_entries(r));
        }
        r->cols[r->nnz] = j;
        r->values[r->nnz++] = v;
        r->max_index = j > r->max_index ? j : r->max_index;
    }
    GS_TRY(sort_segment(r, start));
    r->seg_start[node] = start;
    r->seg_len[node] = (int32_t)(r->nnz - start);
    return GS_OK;
}

static gs_status_t read_dense_row(feature_reader_t *r, int node)
{
    const gs_i_text_t *t = r->t;
    float *row = r->dense + (size_t)node * (size_t)r->width;
    bool is_number;

    if (t->n_tok - 1 != r->width) {
        return gs_i_error(GS_ERR_PARSE, "%s:%ld: expected %d values after the id (as on line "
                          "%ld), found %d", t->name, t->line, r->width, r->first_line,
                          t->n_tok - 1);
    }
    for (int i = 1; i < t->n_tok; i++) {
        if (!gs_i_parse_float(t->tok[i], &row[i - 1], &is_number)) {
            return gs_i_error(GS_ERR_PARSE, is_number ?
                              "%s:%ld: non-finite feature value '%s'" :
                              "%s:%ld: expected a number, found '%s'",
                              t->name, t->line, t->tok[i]);
        }
    }
    return GS_OK;
}

static gs_status_t read_row(feature_reader_t *r)
{
    const gs_i_text_t *t = r->t;
    int node = gs_graph_find_node(r->g, t->tok[0]);

    if (node < 0) {
        if (r->n_unknown++ == 0) {
            r->first_unknown = t->tok[0];
            r->first_unknown_line = t->line;
        }
        return GS_OK;
    }
    if (r->row_line[node]) {
        return gs_i_error(GS_ERR_PARSE, "%s:%ld: duplicate row for node '%s' (first on line "
                          "%ld)", t->name, t->line, t->tok[0], r->row_line[node]);
    }
    r->row_line[node] = t->line;
    r->n_rows++;
    return r->sparse ? read_sparse_row(r, node) : read_dense_row(r, node);
}

static gs_status_t alloc_sparse(feature_reader_t *r)
{
    size_t n = (size_t)r->g->n_nodes + 1;

    r->sparse = true;
    r->seg_start = calloc(n, sizeof *r->seg_start);
    r->seg_len = calloc(n, sizeof *r->seg_len);
    if (!r->seg_start || !r->seg_len) {
        return gs_i_error(GS_ERR_NOMEM, "%s: out of memory for the features", r->t->name);
    }
    return GS_OK;
}

/* Decides sparse or dense from the first data row and sizes what that needs. */
static gs_status_t start_rows(feature_reader_t *r)
{
    const gs_i_text_t *t = r->t;
    size_t n = (size_t)r->g->n_nodes + 1;

    r->first_line = t->line;
    if (t->n_tok == 1 || strchr(t->tok[1], ':') != NULL) {
        return alloc_sparse(r);
    }
    r->width = t->n_tok - 1;
    if (r->dim >= 0 && r->width != r->dim) {
        return gs_i_error(GS_ERR_PARSE, "%s:%ld: expected %d values after the id (dim=%d), "
                          "found %d", t->name, t->line, r->dim, r->dim, r->width);
    }
    r->dense = calloc(n * (size_t)r->width, sizeof *r->dense);
    if (!r->dense) {
        return gs_i_error(GS_ERR_NOMEM, "%s: out of memory for %d x %d features", t->name,
                          r->g->n_nodes, r->width);
    }
    return GS_OK;
}

static gs_status_t read_rows(feature_reader_t *r)
{
    gs_i_text_t *t = r->t;

    r->max_index = -1;
    GS_TRY(parse_header(t, &r->dim));
    r->row_line = calloc((size_t)r->g->n_nodes + 1, sizeof *r->row_line);
    if (!r->row_line) {
        return gs_i_error(GS_ERR_NOMEM, "%s: out of memory for the features", t->name);
    }
    for (;;) {
        GS_TRY(gs_i_text_next(t));

        /* A file without rows declares all-zero features, sparse like the rest. */
        if (t->n_tok == 0) {
            return r->first_line == 0 ? alloc_sparse(r) : GS_OK;
        }
        if (r->first_line == 0) {
            GS_TRY(start_rows(r));
        }
        GS_TRY(read_row(r));
    }
}

/* Assembles the CSR from the row segments, in node order. */
static gs_status_t build_sparse(const feature_reader_t *r, int n_features, gs_csr_t **out)
{
    int n = r->g->n_nodes;
    gs_csr_t *x = gs_csr_new(n, n_features, r->nnz);

    if (!x) {
        return gs_i_error(GS_ERR_NOMEM, "%s: out of memory for the features", r->t->name);
    }
    for (int v = 0; v < n; v++) {
        int64_t k = x->indptr[v];
        size_t len = (size_t)r->seg_len[v];

        /* A file whose rows are all empty never allocated entries. */
        if (len > 0) {
            memcpy(x->indices + k, r->cols + r->seg_start[v], len * sizeof *x->indices);
            memcpy(x->values + k, r->values + r->seg_start[v], len * sizeof *x->values);
        }
        x->indptr[v + 1] = k + (int64_t)len;
    }
    *out = x;
    return GS_OK;
}

/* Replaces g's features with what was read. */
static gs_status_t install(feature_reader_t *r, gs_graph_t *g)
{
    gs_csr_t *x = NULL;
    int n_features = r->sparse ? (r->dim >= 0 ? r->dim : r->max_index + 1) : r->width;

    if (n_features <= 0) {
        return gs_i_error(GS_ERR_INVALID, "%s: no feature values found", r->t->name);
    }
    if (r->sparse) {
        GS_TRY(build_sparse(r, n_features, &x));
    }
    gs_csr_free(g->features_sparse);
    free(g->features_dense);
    g->features_sparse = x;
    g->features_dense = r->dense;
    g->n_features = n_features;
    r->dense = NULL;
    return GS_OK;
}

static void log_coverage(const feature_reader_t *r)
{
    if (r->n_unknown > 0) {
        gs_i_log(GS_LOG_WARN, "%s: ignored %" PRId64 " rows for nodes not in the graph "
                 "(first '%s' on line %ld)", r->t->name, r->n_unknown, r->first_unknown,
                 r->first_unknown_line);
    }
    if (r->n_rows < r->g->n_nodes) {
        gs_i_log(GS_LOG_INFO, "%s: %d of %d nodes have no row; their features are zero",
                 r->t->name, r->g->n_nodes - r->n_rows, r->g->n_nodes);
    }
}

gs_status_t gs_features_load(gs_graph_t *g, const char *path)
{
    gs_i_text_t t;
    feature_reader_t r = {0};
    gs_status_t status;

    if (!g) {
        return gs_i_error(GS_ERR_INVALID, "gs_features_load: the graph is NULL");
    }
    GS_TRY(gs_i_text_open(&t, path, GS_I_TEXT_WORDS));
    r.g = g;
    r.t = &t;

    status = read_rows(&r);
    if (status == GS_OK) {
        status = install(&r, g);
    }
    if (status == GS_OK) {
        log_coverage(&r);
    }

    free(r.row_line);
    free(r.cols);
    free(r.values);
    free(r.seg_start);
    free(r.seg_len);
    free(r.dense);
    gs_i_text_close(&t);
    return status;
}

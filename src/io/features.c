/*
 * Node features as text: sparse rows "id j:v j:v ..." (with an optional first line "# nodes=N
 * dim=D") or dense rows "id v1 ... vD" (with an optional header line of column names); the
 * first data row tells which.  LINQS .content files are dense rows with a class name after
 * the values.  Rows are collected in file order, then gs_i_features_attach() matches them
 * to nodes by name.  A file starting with NumPy's magic bytes is read as .npy instead.
 */
#include "graphssl/io.h"

#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "common_internal.h"
#include "io/features_internal.h"
#include "io/text_internal.h"

typedef struct entry {
    int32_t col;
    float value;
} entry_t;

typedef struct text_rows {
    gs_i_text_t *t;
    gs_i_feature_rows_t rows;
    int cap_rows;
    int64_t cap_nnz;
    int dim;                  /* declared by "dim=D", or -1 */
    bool sparse;
    bool linqs;               /* a class name follows the values */
    long first_line;          /* the first data row's line, 0 before it */
    int32_t max_index;
} text_rows_t;

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
static gs_status_t parse_entry(const text_rows_t *r, const char *tok, int32_t *j, float *v)
{
    const gs_i_text_t *t = r->t;
    const char *p = tok;
    int64_t index = 0;
    bool is_number = false;

    if (p[0] == '-' && p[1] >= '0' && p[1] <= '9') {
        return gs_i_error(GS_ERR_PARSE, "%s:%ld: expected a feature index >= 0, found '%s'",
                          t->name, t->line, tok);
    }

    /* Indices saturate at INT_MAX, which is out of range for any dimension. */
    for (; *p >= '0' && *p <= '9'; p++) {
        index = index < INT_MAX ? index * 10 + (*p - '0') : INT_MAX;
    }
    if (p == tok || *p != ':' || !gs_i_parse_float(p + 1, v, &is_number)) {
        if (p != tok && *p == ':' && is_number) {
            return gs_i_error(GS_ERR_PARSE, "%s:%ld: expected a finite value, found '%s'",
                              t->name, t->line, tok);
        }
        return gs_i_error(GS_ERR_PARSE, "%s:%ld: expected 'index:value', found '%s'",
                          t->name, t->line, tok);
    }
    if (index >= INT_MAX || (r->dim >= 0 && index >= r->dim)) {
        return gs_i_error(GS_ERR_PARSE, "%s:%ld: expected a feature index below dim=%d, "
                          "found '%s'", t->name, t->line, r->dim >= 0 ? r->dim : INT_MAX, tok);
    }
    *j = (int32_t)index;
    return GS_OK;
}

static gs_status_t out_of_memory(const text_rows_t *r)
{
    return gs_i_error(GS_ERR_NOMEM, "%s:%ld: out of memory for the features", r->t->name,
                      r->t->line);
}

static bool grow(void **p, size_t count, size_t size)
{
    void *bigger = realloc(*p, count * size);

    if (bigger) {
        *p = bigger;
    }
    return bigger != NULL;
}

/* Makes room for one more row. */
static gs_status_t grow_rows(text_rows_t *r)
{
    gs_i_feature_rows_t *rows = &r->rows;
    size_t cap = r->cap_rows ? 2 * (size_t)r->cap_rows : 1024;

    if (cap > INT_MAX) {
        return gs_i_error(GS_ERR_INVALID, "%s:%ld: more than %d feature rows", r->t->name,
                          r->t->line, INT_MAX / 2);
    }
    if (!grow((void **)&rows->names, cap, sizeof *rows->names) ||
        !grow((void **)&rows->lines, cap, sizeof *rows->lines) ||
        (r->linqs && !grow((void **)&rows->labels, cap, sizeof *rows->labels)) ||
        (r->sparse && !grow((void **)&rows->indptr, cap + 1, sizeof *rows->indptr)) ||
        (!r->sparse && !grow((void **)&rows->dense, cap * (size_t)rows->width,
                             sizeof *rows->dense))) {
        return out_of_memory(r);
    }
    if (r->sparse && r->cap_rows == 0) {
        rows->indptr[0] = 0;
    }
    r->cap_rows = (int)cap;
    return GS_OK;
}

static gs_status_t grow_entries(text_rows_t *r)
{
    int64_t cap = r->cap_nnz ? 2 * r->cap_nnz : 1 << 16;

    if (!grow((void **)&r->rows.cols, (size_t)cap, sizeof *r->rows.cols) ||
        !grow((void **)&r->rows.values, (size_t)cap, sizeof *r->rows.values)) {
        return out_of_memory(r);
    }
    r->cap_nnz = cap;
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
static gs_status_t sort_segment(text_rows_t *r, int64_t start, int64_t end)
{
    int64_t n = end - start;
    int32_t *c;
    float *values;
    entry_t *tmp;

    /* Rows of no or one entry are sorted (and may have no entry array at all yet). */
    if (n < 2) {
        return GS_OK;
    }
    c = r->rows.cols + start;
    values = r->rows.values + start;

    for (int64_t i = 1; i < n; i++) {
        if (c[i] > c[i - 1]) {
            continue;
        }
        if (c[i] == c[i - 1]) {
            return gs_i_error(GS_ERR_PARSE, "%s:%ld: expected each feature index once in a "
                              "row, found index %d twice", r->t->name, r->t->line, (int)c[i]);
        }

        /* Out of order: sort the whole segment once, then check it again. */
        tmp = malloc((size_t)n * sizeof *tmp);
        if (!tmp) {
            return out_of_memory(r);
        }
        for (int64_t k = 0; k < n; k++) {
            tmp[k] = (entry_t){c[k], values[k]};
        }
        qsort(tmp, (size_t)n, sizeof *tmp, compare_entries);
        for (int64_t k = 0; k < n; k++) {
            c[k] = tmp[k].col;
            values[k] = tmp[k].value;
        }
        free(tmp);
        return sort_segment(r, start, end);
    }
    return GS_OK;
}

static gs_status_t read_sparse_row(text_rows_t *r, int row)
{
    const gs_i_text_t *t = r->t;
    int64_t start = r->rows.indptr[row];
    int64_t k = start;

    for (int i = 1; i < t->n_tok; i++) {
        int32_t j = 0;
        float v = 0.0f;

        GS_TRY(parse_entry(r, t->tok[i], &j, &v));
        if (k == r->cap_nnz) {
            GS_TRY(grow_entries(r));
        }
        r->rows.cols[k] = j;
        r->rows.values[k++] = v;
        r->max_index = j > r->max_index ? j : r->max_index;
    }
    r->rows.indptr[row + 1] = k;
    return sort_segment(r, start, k);
}

static gs_status_t read_dense_row(text_rows_t *r, int row)
{
    const gs_i_text_t *t = r->t;
    int width = r->rows.width;
    float *values = r->rows.dense + (size_t)row * (size_t)width;
    int n_values = t->n_tok - 1 - r->linqs;
    bool is_number;

    if (n_values != width) {
        return gs_i_error(GS_ERR_PARSE, "%s:%ld: expected %d values after the id%s (as on "
                          "line %ld), found %d", t->name, t->line, width,
                          r->linqs ? " and a class" : "", r->first_line, n_values);
    }
    for (int i = 0; i < width; i++) {
        if (!gs_i_parse_float(t->tok[i + 1], &values[i], &is_number)) {
            return gs_i_error(GS_ERR_PARSE, is_number ?
                              "%s:%ld: expected a finite number, found '%s'" :
                              "%s:%ld: expected a number, found '%s'",
                              t->name, t->line, t->tok[i + 1]);
        }
    }
    if (r->linqs) {
        r->rows.labels[row] = t->tok[t->n_tok - 1];
    }
    return GS_OK;
}

static gs_status_t read_row(text_rows_t *r)
{
    const gs_i_text_t *t = r->t;
    int row = r->rows.n_rows;

    if (row == r->cap_rows) {
        GS_TRY(grow_rows(r));
    }
    r->rows.names[row] = t->tok[0];
    r->rows.lines[row] = t->line;
    GS_TRY(r->sparse ? read_sparse_row(r, row) : read_dense_row(r, row));
    r->rows.n_rows++;
    return GS_OK;
}

/* A dense first line is a header when none of its value columns is a number. */
static bool is_header_line(const gs_i_text_t *t)
{
    for (int i = 1; i < t->n_tok; i++) {
        if (gs_i_parse_float(t->tok[i], &(float){0}, NULL)) {
            return false;
        }
    }
    return true;
}

/* Decides sparse or dense from the first data line; true when that line was a header. */
static gs_status_t start_rows(text_rows_t *r, bool *header)
{
    const gs_i_text_t *t = r->t;
    int width = t->n_tok - 1 - r->linqs;

    *header = false;
    r->first_line = t->line;
    if (!r->linqs && (t->n_tok == 1 || strchr(t->tok[1], ':') != NULL)) {
        r->sparse = true;
        return GS_OK;
    }
    if (width < 1) {
        return gs_i_error(GS_ERR_PARSE, "%s:%ld: expected an id, feature values and a "
                          "class, found %d columns", t->name, t->line, t->n_tok);
    }
    if (!r->linqs && is_header_line(t)) {
        gs_i_log(GS_LOG_INFO, "%s:%ld: read as a header line", t->name, t->line);
        *header = true;
        r->first_line = 0;
        return GS_OK;
    }
    if (r->dim >= 0 && width != r->dim) {
        return gs_i_error(GS_ERR_PARSE, "%s:%ld: expected %d values after the id (dim=%d), "
                          "found %d", t->name, t->line, r->dim, r->dim, width);
    }
    r->rows.width = width;
    return GS_OK;
}

static gs_status_t read_rows(text_rows_t *r)
{
    gs_i_text_t *t = r->t;
    bool header = false;

    r->max_index = -1;
    GS_TRY(parse_header(t, &r->dim));
    for (;;) {
        GS_TRY(gs_i_text_next(t));
        if (t->n_tok == 0) {
            break;
        }
        if (r->first_line == 0) {
            GS_TRY(start_rows(r, &header));
            if (header) {
                continue;
            }
        }
        GS_TRY(read_row(r));
    }

    /* A file without rows reads as sparse rows of its declared dim, so that attaching it
     * can say what is missing. */
    if (r->first_line == 0) {
        r->sparse = true;
        GS_TRY(grow_rows(r));
    }
    if (r->sparse) {
        r->rows.width = r->dim >= 0 ? r->dim : r->max_index + 1;
    }
    return GS_OK;
}

static void free_rows(text_rows_t *r)
{
    free(r->rows.names);
    free(r->rows.lines);
    free(r->rows.labels);
    free(r->rows.dense);
    free(r->rows.indptr);
    free(r->rows.cols);
    free(r->rows.values);
}

static gs_status_t load_text_rows(gs_graph_t *g, gs_i_text_t *t, bool linqs)
{
    text_rows_t r = {0};
    gs_status_t status;

    r.t = t;
    r.linqs = linqs;
    r.rows.file = t->name;
    status = read_rows(&r);
    if (status == GS_OK) {
        status = gs_i_features_attach(g, &r.rows, linqs);
    }
    free_rows(&r);
    return status;
}

gs_status_t gs_features_load(gs_graph_t *g, const char *path)
{
    gs_i_text_t t;
    gs_status_t status;

    if (!g) {
        return gs_i_error(GS_ERR_INVALID, "gs_features_load: the graph is NULL");
    }
    GS_TRY(gs_i_text_open(&t, path, GS_I_TEXT_BYTES));
    if (gs_i_npy_magic(t.buf, t.len)) {
        gs_i_text_close(&t);
        return gs_i_npy_features_load(g, path, NULL);
    }
    status = gs_i_text_require_text(&t, GS_I_TEXT_WORDS);
    if (status == GS_OK) {
        status = load_text_rows(g, &t, false);
    }
    gs_i_text_close(&t);
    return status;
}

gs_status_t gs_i_linqs_content_load(gs_graph_t *g, const char *path)
{
    gs_i_text_t t;
    gs_status_t status;

    GS_TRY(gs_i_text_open(&t, path, GS_I_TEXT_WORDS));
    status = load_text_rows(g, &t, true);
    gs_i_text_close(&t);
    return status;
}

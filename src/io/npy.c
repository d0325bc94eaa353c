/*
 * NumPy .npy features: a float32 or float64 array of shape (N, D) or (N,), in C or Fortran
 * order, either byte order (format versions 1 to 3, NEP 1 / numpy.lib.format).  Row r
 * belongs to the node named on the r-th line of the ids file (STEM.ids beside the .npy, one
 * name per line, or "R NAME" lines naming row R), and without one to the node named r.
 */
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common_internal.h"
#include "graph/graph_internal.h"
#include "io/features_internal.h"
#include "io/text_internal.h"

enum { NPY_MAGIC_LEN = 6, INT64_TEXT = 21 };

typedef struct npy_array {
    const unsigned char *data;
    int64_t rows;
    int64_t cols;
    int item;                 /* 4 or 8 */
    bool big_endian;
    bool fortran;
} npy_array_t;

bool gs_i_npy_magic(const char *buf, size_t len)
{
    return len >= NPY_MAGIC_LEN && memcmp(buf, "\x93NUMPY", NPY_MAGIC_LEN) == 0;
}

/* The text after "'key':" in the header dictionary, blanks skipped; NULL if absent. */
static const char *header_value(const char *header, const char *key)
{
    char quoted[32];
    const char *p;

    snprintf(quoted, sizeof quoted, "'%s'", key);
    p = strstr(header, quoted);
    if (!p) {
        return NULL;
    }
    p += strlen(quoted);
    while (*p == ' ') {
        p++;
    }
    if (*p++ != ':') {
        return NULL;
    }
    while (*p == ' ') {
        p++;
    }
    return p;
}

static gs_status_t parse_descr(const char *file, const char *header, npy_array_t *a)
{
    const char *p = header_value(header, "descr");
    char descr[16] = "";

    if (p && *p == '\'') {
        sscanf(p + 1, "%15[^']", descr);
    }
    if (strlen(descr) != 3 || descr[1] != 'f' || (descr[2] != '4' && descr[2] != '8') ||
        !strchr("<>=|", descr[0])) {
        return gs_i_error(GS_ERR_PARSE, "%s: expected a float32 or float64 array ('<f4' or "
                          "'<f8'), found descr '%s'", file, descr);
    }
    a->item = descr[2] - '0';
    a->big_endian = descr[0] == '>';
    return GS_OK;
}

/* Reads "(N,)" or "(N, D)". */
static gs_status_t parse_shape(const char *file, const char *header, npy_array_t *a)
{
    const char *p = header_value(header, "shape");
    long long n = -1;
    long long d = 1;
    int used = 0;

    if (p && sscanf(p, "(%lld, %lld)%n", &n, &d, &used) == 2 && used > 0) {
        a->rows = n;
        a->cols = d;
    } else if (p && sscanf(p, "(%lld,)%n", &n, &used) == 1 && used > 0) {
        a->rows = n;
        a->cols = 1;
    } else {
        return gs_i_error(GS_ERR_PARSE, "%s: expected a shape (N,) or (N, D), found '%.40s'",
                          file, p ? p : "nothing");
    }
    if (n < 1 || d < 1 || n > INT_MAX || d > INT_MAX) {
        return gs_i_error(GS_ERR_PARSE, "%s: expected a shape of 1 to %d rows and columns, "
                          "found (%lld, %lld)", file, INT_MAX, n, d);
    }
    return GS_OK;
}

/* The data must hold exactly rows x cols items (checked before anything is allocated). */
static gs_status_t check_size(const char *file, const npy_array_t *a, size_t data_bytes)
{
    uint64_t cells = (uint64_t)a->rows * (uint64_t)a->cols;

    if (data_bytes % (size_t)a->item != 0 || cells != data_bytes / (size_t)a->item) {
        return gs_i_error(GS_ERR_PARSE, "%s: expected %" PRId64 " x %" PRId64 " values of %d "
                          "bytes after the header, found %zu bytes", file, a->rows, a->cols,
                          a->item, data_bytes);
    }
    return GS_OK;
}

static gs_status_t parse_header(const char *file, const char *buf, size_t len, npy_array_t *a)
{
    int major = len > NPY_MAGIC_LEN ? (unsigned char)buf[NPY_MAGIC_LEN] : 0;
    size_t start = major == 1 ? 10 : 12;
    size_t header_len = 0;
    const char *order;
    char *header;
    gs_status_t status;

    if ((major < 1 || major > 3) || len < start) {
        return gs_i_error(GS_ERR_PARSE, "%s: expected an .npy header of format version 1 to "
                          "3, found version %d", file, major);
    }
    for (size_t i = start; i-- > 8;) {
        header_len = header_len * 256 + (unsigned char)buf[i];
    }
    if (header_len > len - start) {
        return gs_i_error(GS_ERR_PARSE, "%s: expected an .npy header of %zu bytes, found a "
                          "file of %zu bytes", file, header_len, len);
    }
    header = strndup(buf + start, header_len);
    if (!header) {
        return gs_i_error(GS_ERR_NOMEM, "%s: out of memory", file);
    }

    status = parse_descr(file, header, a);
    if (status == GS_OK) {
        status = parse_shape(file, header, a);
    }
    order = header_value(header, "fortran_order");
    a->fortran = order && strncmp(order, "True", 4) == 0;
    a->data = (const unsigned char *)buf + start + header_len;
    free(header);
    if (status == GS_OK) {
        status = check_size(file, a, len - start - header_len);
    }
    return status;
}

static float load_float(const unsigned char *b)
{
    float f;

    memcpy(&f, b, sizeof f);
    return f;
}

static double load_double(const unsigned char *b)
{
    double d;

    memcpy(&d, b, sizeof d);
    return d;
}

/* Element (r, c) as a double, whatever the order and byte order. */
static double element(const npy_array_t *a, int64_t r, int64_t c)
{
    int64_t i = a->fortran ? c * a->rows + r : r * a->cols + c;
    unsigned char b[8];

    memcpy(b, a->data + i * a->item, (size_t)a->item);
    if (a->big_endian) {
        for (int k = 0; k < a->item / 2; k++) {
            unsigned char tmp = b[k];

            b[k] = b[a->item - 1 - k];
            b[a->item - 1 - k] = tmp;
        }
    }
    return a->item == 4 ? (double)load_float(b) : load_double(b);
}

static gs_status_t convert(const char *file, const npy_array_t *a, float *out)
{
    for (int64_t r = 0; r < a->rows; r++) {
        for (int64_t c = 0; c < a->cols; c++) {
            double v = element(a, r, c);
            float f = (float)v;

            if (!isfinite(f)) {
                return gs_i_error(GS_ERR_PARSE, "%s: row %" PRId64 " column %" PRId64 ": "
                                  "expected a finite float32 value, found %g", file, r + 1,
                                  c + 1, v);
            }
            out[r * a->cols + c] = f;
        }
    }
    return GS_OK;
}

/* Row names "0" .. "N-1" in one block. */
static gs_status_t index_names(const char *file, int n, const char **names, char **block)
{
    *block = malloc((size_t)n * INT64_TEXT);
    if (!*block) {
        return gs_i_error(GS_ERR_NOMEM, "%s: out of memory for %d row names", file, n);
    }
    for (int r = 0; r < n; r++) {
        names[r] = *block + (size_t)r * INT64_TEXT;
        snprintf(*block + (size_t)r * INT64_TEXT, INT64_TEXT, "%d", r);
    }
    return GS_OK;
}

/* One "NAME" or "R NAME" line of the ids file. */
static gs_status_t read_id_line(const gs_i_text_t *t, int line_index, int n, const char **names)
{
    int64_t r = line_index;

    if (t->n_tok > 2 || (t->n_tok == 2 && (!gs_i_parse_canonical_int(t->tok[0], &r) ||
                                           r < 0 || r >= n))) {
        return gs_i_error(GS_ERR_PARSE, "%s:%ld: expected 'NAME' or 'ROW NAME' with ROW in "
                          "0..%d, found '%s'%s", t->name, t->line, n - 1, t->tok[0],
                          t->n_tok > 2 ? " and more" : "");
    }
    if (names[r]) {
        return gs_i_error(GS_ERR_PARSE, "%s:%ld: expected each row named once, found row %"
                          PRId64 " again", t->name, t->line, r);
    }
    names[r] = t->tok[t->n_tok - 1];
    return GS_OK;
}

static gs_status_t read_ids(gs_i_text_t *t, const char *ids, int n, const char **names)
{
    int count = 0;

    GS_TRY(gs_i_text_open(t, ids, GS_I_TEXT_WORDS));
    for (;;) {
        GS_TRY(gs_i_text_next(t));
        if (t->n_tok == 0) {
            break;
        }
        if (count == n) {
            return gs_i_error(GS_ERR_PARSE, "%s:%ld: expected %d names (one per row), found "
                              "more", t->name, t->line, n);
        }
        GS_TRY(read_id_line(t, count++, n, names));
    }
    for (int r = 0; r < n; r++) {
        if (!names[r]) {
            return gs_i_error(GS_ERR_PARSE, "%s:%ld: expected a name for each of the %d rows, "
                              "found none for row %d", t->name, t->line > 0 ? t->line : 1,
                              n, r);
        }
    }
    return GS_OK;
}

/* STEM.ids beside path when it exists; caller frees.  NULL otherwise. */
static char *companion_ids(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash + 1 : path, '.');
    size_t stem = dot ? (size_t)(dot - path) : strlen(path);
    char *ids = malloc(stem + 5);
    struct stat st;

    if (!ids) {
        return NULL;
    }
    memcpy(ids, path, stem);
    memcpy(ids + stem, ".ids", 5);
    if (stat(ids, &st) != 0 || !S_ISREG(st.st_mode)) {
        free(ids);
        return NULL;
    }
    return ids;
}

/* The row names: from the ids file, else the row indices. */
static gs_status_t name_rows(const gs_graph_t *g, const char *file, const char *ids,
                             gs_i_text_t *id_text, gs_i_feature_rows_t *rows, char **block)
{
    if (ids) {
        gs_i_log(GS_LOG_INFO, "%s: rows named by %s", file, ids);
        return read_ids(id_text, ids, rows->n_rows, rows->names);
    }
    if (g->n_nodes > 0 && !g->numeric_names) {
        return gs_i_error(GS_ERR_INVALID, "%s: expected an ids file naming the rows (the "
                          "graph's node names are not integers), found none", file);
    }
    return index_names(file, rows->n_rows, rows->names, block);
}

gs_status_t gs_i_npy_features_load(gs_graph_t *g, const char *path, const char *ids)
{
    gs_i_text_t t;
    gs_i_text_t id_text = {0};
    gs_i_feature_rows_t rows = {0};
    npy_array_t a = {0};
    char *found = ids || strcmp(path, "-") == 0 ? NULL : companion_ids(path);
    char *block = NULL;
    gs_status_t status = gs_i_text_open(&t, path, GS_I_TEXT_BYTES);

    if (status == GS_OK) {
        status = parse_header(t.name, t.buf, t.len, &a);
    }
    if (status == GS_OK) {
        rows.file = t.name;
        rows.n_rows = (int)a.rows;
        rows.width = (int)a.cols;
        rows.names = calloc((size_t)a.rows, sizeof *rows.names);
        rows.dense = malloc((size_t)(a.rows * a.cols) * sizeof *rows.dense);
        status = rows.names && rows.dense ? GS_OK :
                 gs_i_error(GS_ERR_NOMEM, "%s: out of memory for the features", t.name);
    }
    if (status == GS_OK) {
        status = convert(t.name, &a, rows.dense);
    }
    if (status == GS_OK) {
        status = name_rows(g, t.name, ids ? ids : found, &id_text, &rows, &block);
    }
    if (status == GS_OK) {
        status = gs_i_features_attach(g, &rows, false);
    }
    free(rows.names);
    free(rows.dense);
    free(block);
    free(found);
    gs_i_text_close(&id_text);
    gs_i_text_close(&t);
    return status;
}

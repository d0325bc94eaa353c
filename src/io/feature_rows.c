/*
 * Matching feature rows to nodes (see features_internal.h).  Names the graph lacks go into
 * a small open-addressing hash table and get provisional indices after the graph's nodes;
 * gs_i_graph_add_nodes() then adds them as isolated nodes and says where every node went.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common_internal.h"
#include "graph/graph_internal.h"
#include "io/features_internal.h"

/* Dense rows with fewer non-zeros than this share are stored sparse when asked. */
#define SPARSE_DENSITY 0.25

typedef struct matcher {
    const gs_i_feature_rows_t *rows;
    int n_old;
    int32_t *row_of;          /* per node, provisional ones included: its row, or -1 */
    const char **extra;       /* names of the provisional nodes */
    int n_extra;
    int32_t *table;           /* indices into extra, -1 when empty */
    size_t mask;              /* table size - 1, a power of two minus one */
} matcher_t;

/* "file:line" or "file: row R" for messages. */
static void place_of(const gs_i_feature_rows_t *rows, int r, char *buf, size_t size)
{
    if (rows->lines) {
        snprintf(buf, size, "%s:%ld", rows->file, rows->lines[r]);
    } else {
        snprintf(buf, size, "%s: row %d", rows->file, r + 1);
    }
}

/* "line L" or "row R", for a place inside the file already named. */
static void short_place_of(const gs_i_feature_rows_t *rows, int r, char *buf, size_t size)
{
    if (rows->lines) {
        snprintf(buf, size, "line %ld", rows->lines[r]);
    } else {
        snprintf(buf, size, "row %d", r + 1);
    }
}

static uint64_t hash_name(const char *s)
{
    uint64_t h = 1469598103934665603ULL;

    for (; *s; s++) {
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    }
    return h;
}

/* The provisional index of a name the graph lacks, adding it on first sight. */
static int find_extra(matcher_t *m, const char *name)
{
    size_t slot = (size_t)hash_name(name) & m->mask;

    while (m->table[slot] >= 0) {
        if (strcmp(m->extra[m->table[slot]], name) == 0) {
            return m->n_old + m->table[slot];
        }
        slot = (slot + 1) & m->mask;
    }
    m->table[slot] = m->n_extra;
    m->extra[m->n_extra] = name;
    return m->n_old + m->n_extra++;
}

static gs_status_t matcher_init(matcher_t *m, const gs_graph_t *g,
                                const gs_i_feature_rows_t *rows)
{
    size_t size = 16;
    size_t n = (size_t)g->n_nodes + (size_t)rows->n_rows;

    memset(m, 0, sizeof *m);
    m->rows = rows;
    m->n_old = g->n_nodes;
    while (size < 2 * (size_t)rows->n_rows) {
        size *= 2;
    }
    m->mask = size - 1;
    m->row_of = malloc((n + 1) * sizeof *m->row_of);
    m->extra = malloc(((size_t)rows->n_rows + 1) * sizeof *m->extra);
    m->table = malloc(size * sizeof *m->table);
    if (!m->row_of || !m->extra || !m->table) {
        return gs_i_error(GS_ERR_NOMEM, "%s: out of memory matching rows to nodes",
                          rows->file);
    }
    memset(m->row_of, 0xff, (n + 1) * sizeof *m->row_of);
    memset(m->table, 0xff, size * sizeof *m->table);
    return GS_OK;
}

static void matcher_destroy(matcher_t *m)
{
    free(m->row_of);
    free(m->extra);
    free(m->table);
}

static gs_status_t match_rows(matcher_t *m, const gs_graph_t *g)
{
    const gs_i_feature_rows_t *rows = m->rows;
    char here[512], first[512];

    for (int r = 0; r < rows->n_rows; r++) {
        int node = gs_graph_find_node(g, rows->names[r]);

        if (node < 0) {
            node = find_extra(m, rows->names[r]);
        }
        if (m->row_of[node] >= 0) {
            place_of(rows, r, here, sizeof here);
            short_place_of(rows, m->row_of[node], first, sizeof first);
            return gs_i_error(GS_ERR_PARSE, "%s: expected one row per node, found a second "
                              "row for node '%s' (first on %s)", here, rows->names[r],
                              first);
        }
        m->row_of[node] = r;
    }
    return GS_OK;
}

/* Whether any row holds a value other than zero (a sparse row may list explicit zeros). */
static bool has_nonzero(const gs_i_feature_rows_t *rows)
{
    size_t n = rows->dense ? (size_t)rows->n_rows * (size_t)rows->width
                           : (size_t)rows->indptr[rows->n_rows];
    const float *v = rows->dense ? rows->dense : rows->values;

    for (size_t i = 0; i < n; i++) {
        if (v[i] != 0.0f) {
            return true;
        }
    }
    return false;
}

/* Features that are zero everywhere make every node look the same: the encoder's output
 * is its bias alone, and the embeddings carry no information. */
static gs_status_t check_nonzero(const gs_i_feature_rows_t *rows)
{
    if (rows->n_rows == 0) {
        return gs_i_error(GS_ERR_INVALID, "%s: expected feature rows with at least one "
                          "nonzero value, found no rows", rows->file);
    }
    if (!has_nonzero(rows)) {
        return gs_i_error(GS_ERR_INVALID, "%s: expected at least one nonzero feature value, "
                          "found only zeros in %d rows", rows->file, rows->n_rows);
    }
    return GS_OK;
}

/* Rows that all name nodes the graph lacks would leave every real node with zeros; that
 * is a features file of another graph, or ids written differently. */
static gs_status_t check_overlap(const matcher_t *m, const gs_graph_t *g)
{
    const gs_i_feature_rows_t *rows = m->rows;
    char first[512];

    if (m->n_old == 0 || m->n_extra < rows->n_rows) {
        return GS_OK;
    }
    short_place_of(rows, 0, first, sizeof first);
    return gs_i_error(GS_ERR_INVALID, "%s: expected rows naming nodes of the graph, found "
                      "none: all %d rows name other nodes (first '%s' on %s; the graph's "
                      "first node is '%s'); is this the graph's features file?",
                      rows->file, rows->n_rows, rows->names[0], first, g->names[0]);
}

/* Adds the provisional nodes to g and rewrites row_of in the final node order. */
static gs_status_t add_extra_nodes(matcher_t *m, gs_graph_t *g)
{
    int n = m->n_old + m->n_extra;
    int32_t *map = malloc(((size_t)n + 1) * sizeof *map);
    int32_t *final_row = malloc(((size_t)n + 1) * sizeof *final_row);
    gs_status_t status;

    if (!map || !final_row) {
        free(map);
        free(final_row);
        return gs_i_error(GS_ERR_NOMEM, "out of memory adding %d nodes", m->n_extra);
    }
    status = gs_i_graph_add_nodes(g, (char *const *)m->extra, m->n_extra, map);
    if (status == GS_OK) {
        for (int p = 0; p < n; p++) {
            final_row[map[p]] = m->row_of[p];
        }
        free(m->row_of);
        m->row_of = final_row;
        final_row = NULL;
    }
    free(map);
    free(final_row);
    return status;
}

static int64_t count_nonzeros(const gs_i_feature_rows_t *rows)
{
    int64_t nnz = 0;

    if (!rows->dense) {
        return rows->indptr[rows->n_rows];
    }
    for (size_t i = 0; i < (size_t)rows->n_rows * (size_t)rows->width; i++) {
        nnz += rows->dense[i] != 0.0f;
    }
    return nnz;
}

/* Appends row r's non-zeros to x at position *k. */
static void copy_sparse_row(const gs_i_feature_rows_t *rows, int r, gs_csr_t *x, int64_t *k)
{
    if (rows->dense) {
        const float *row = rows->dense + (size_t)r * (size_t)rows->width;

        for (int j = 0; j < rows->width; j++) {
            if (row[j] != 0.0f) {
                x->indices[*k] = j;
                x->values[(*k)++] = row[j];
            }
        }
        return;
    }
    for (int64_t e = rows->indptr[r]; e < rows->indptr[r + 1]; e++) {
        x->indices[*k] = rows->cols[e];
        x->values[(*k)++] = rows->values[e];
    }
}

static gs_status_t build_sparse(const gs_i_feature_rows_t *rows, const int32_t *row_of,
                                int n, int64_t nnz, gs_csr_t **out)
{
    gs_csr_t *x = gs_csr_new(n, rows->width, nnz);
    int64_t k = 0;

    if (!x) {
        return gs_i_error(GS_ERR_NOMEM, "%s: out of memory for the features", rows->file);
    }
    for (int v = 0; v < n; v++) {
        if (row_of[v] >= 0) {
            copy_sparse_row(rows, row_of[v], x, &k);
        }
        x->indptr[v + 1] = k;
    }
    *out = x;
    return GS_OK;
}

static gs_status_t build_dense(const gs_i_feature_rows_t *rows, const int32_t *row_of, int n,
                               float **out)
{
    size_t w = (size_t)rows->width;
    float *x = calloc((size_t)n * w + 1, sizeof *x);

    if (!x) {
        return gs_i_error(GS_ERR_NOMEM, "%s: out of memory for %d x %d features", rows->file,
                          n, rows->width);
    }
    for (int v = 0; v < n; v++) {
        if (row_of[v] >= 0) {
            memcpy(x + (size_t)v * w, rows->dense + (size_t)row_of[v] * w, w * sizeof *x);
        }
    }
    *out = x;
    return GS_OK;
}

static gs_status_t install_features(gs_graph_t *g, const gs_i_feature_rows_t *rows,
                                    const int32_t *row_of, bool sparsify)
{
    int64_t nnz = count_nonzeros(rows);
    double cells = (double)rows->n_rows * (double)rows->width;
    bool sparse = !rows->dense || (sparsify && (double)nnz < SPARSE_DENSITY * cells);
    gs_csr_t *xs = NULL;
    float *xd = NULL;

    if (sparse) {
        GS_TRY(build_sparse(rows, row_of, g->n_nodes, nnz, &xs));
    } else {
        GS_TRY(build_dense(rows, row_of, g->n_nodes, &xd));
    }
    gs_csr_free(g->features_sparse);
    free(g->features_dense);
    g->features_sparse = xs;
    g->features_dense = xd;
    g->n_features = rows->width;
    return GS_OK;
}

static gs_status_t install_labels(gs_graph_t *g, const gs_i_feature_rows_t *rows,
                                  const int32_t *row_of)
{
    const char **value = calloc((size_t)g->n_nodes + 1, sizeof *value);
    gs_status_t status;

    if (!value) {
        return gs_i_error(GS_ERR_NOMEM, "%s: out of memory for the labels", rows->file);
    }
    for (int v = 0; v < g->n_nodes; v++) {
        value[v] = row_of[v] >= 0 ? rows->labels[row_of[v]] : NULL;
    }
    status = gs_i_labels_set(g, value, rows->file);
    free(value);
    return status;
}

static void log_coverage(const matcher_t *m, const gs_graph_t *g)
{
    const gs_i_feature_rows_t *rows = m->rows;
    int missing = g->n_nodes - rows->n_rows;
    char first[512];

    /* By design (Planetoid's Citeseer has 48 such papers), but a typo in the ids looks the
     * same, so the user hears of it. */
    if (m->n_extra > 0) {
        short_place_of(rows, m->row_of[gs_graph_find_node(g, m->extra[0])], first,
                       sizeof first);
        gs_i_log(GS_LOG_WARN, "%s: %d feature rows name nodes not in the graph; added as "
                 "isolated nodes (first '%s' on %s)", rows->file, m->n_extra, m->extra[0],
                 first);
    }
    if (missing > 0) {
        gs_i_log(GS_LOG_WARN, "%s: %d of %d nodes have no row; their features are zero",
                 rows->file, missing, g->n_nodes);
    }
}

gs_status_t gs_i_features_attach(gs_graph_t *g, const gs_i_feature_rows_t *rows,
                                 bool sparsify)
{
    matcher_t m;
    gs_status_t status;

    if (rows->width <= 0) {
        return gs_i_error(GS_ERR_INVALID, "%s: expected at least one feature column, found "
                          "none", rows->file);
    }
    GS_TRY(check_nonzero(rows));
    status = matcher_init(&m, g, rows);
    if (status == GS_OK) {
        status = match_rows(&m, g);
    }
    if (status == GS_OK) {
        status = check_overlap(&m, g);
    }
    if (status == GS_OK && m.n_extra > 0) {
        status = add_extra_nodes(&m, g);
    }
    if (status == GS_OK) {
        status = install_features(g, rows, m.row_of, sparsify);
    }
    if (status == GS_OK && rows->labels) {
        status = install_labels(g, rows, m.row_of);
    }
    if (status == GS_OK) {
        log_coverage(&m, g);
    }
    matcher_destroy(&m);
    return status;
}

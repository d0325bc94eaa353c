/*
 * The in-memory graph: building the CSR adjacency from an edge array, node names and their
 * lookup, and the node-feature helpers (identity features, row normalization, dense copy).
 *
 * The adjacency is built with one pass that buckets the arcs by tail into a CSR, then each
 * row is sorted on its own (most rows are short, and rows of a sorted edge list arrive
 * sorted), so duplicates end up side by side.  Against bucketing by head and transposing,
 * this touches the arcs' memory at random once instead of twice and never holds two copies
 * (bench/bench_load.sh: a 10M-edge list went from 5.2 to 3.8 s and from 2.6 to 1.9 times
 * the CSR's size in peak memory, with the edge list's own change to free its text early).
 */
#include "graphssl/graph.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common_internal.h"
#include "graph/graph_internal.h"

typedef struct name_slot {
    const char *name;
    int32_t node;
} name_slot_t;

bool gs_i_parse_canonical_int(const char *s, int64_t *value)
{
    bool negative = (*s == '-');
    uint64_t limit = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    uint64_t v = 0;
    const char *p = s + negative;

    /* A lone "0" is canonical; any other leading zero, "-0" and "" are not. */
    if (*p < '0' || *p > '9' || (*p == '0' && (p[1] != '\0' || negative))) {
        return false;
    }
    for (; *p >= '0' && *p <= '9'; p++) {
        unsigned digit = (unsigned)(*p - '0');

        if (v > (limit - digit) / 10) {
            return false;
        }
        v = v * 10 + digit;
    }
    if (*p != '\0') {
        return false;
    }
    *value = negative ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}

gs_graph_t *gs_graph_new(void)
{
    graph_private_t *p = calloc(1, sizeof *p);

    if (!p) {
        return NULL;
    }
    p->pub.adj = gs_csr_new(0, 0, 0);
    if (!p->pub.adj) {
        free(p);
        return NULL;
    }
    return &p->pub;
}

static void free_strings(char **s, int n)
{
    if (!s) {
        return;
    }
    for (int i = 0; i < n; i++) {
        free(s[i]);
    }
    free(s);
}

void gs_graph_free(gs_graph_t *g)
{
    graph_private_t *p = (graph_private_t *)g;

    if (!g) {
        return;
    }
    gs_csr_free(g->adj);
    free_strings(g->names, g->n_nodes);
    gs_csr_free(g->features_sparse);
    free(g->features_dense);
    free(g->labels);
    free_strings(g->class_names, g->n_classes);
    free(g->split);
    free(p->name_order);
    free(p);
}

static gs_status_t check_edges(int n_nodes, const int32_t *src, const int32_t *dst,
                               const float *weights, int64_t n_edges)
{
    if (n_nodes < 0 || n_edges < 0 || (n_edges > 0 && (!src || !dst))) {
        return gs_i_error(GS_ERR_INVALID, "invalid edge array: %d nodes, %" PRId64 " edges",
                          n_nodes, n_edges);
    }
    for (int64_t e = 0; e < n_edges; e++) {
        if (src[e] < 0 || src[e] >= n_nodes || dst[e] < 0 || dst[e] >= n_nodes) {
            return gs_i_error(GS_ERR_INVALID,
                              "edge %" PRId64 " (%d, %d) names a node outside 0..%d", e,
                              (int)src[e], (int)dst[e], n_nodes - 1);
        }
        if (weights && !isfinite(weights[e])) {
            return gs_i_error(GS_ERR_INVALID, "edge %" PRId64 " has a non-finite weight", e);
        }
    }
    return GS_OK;
}

/* Puts arc (tail -> head) into row tail of a, at the next free slot of that row. */
static void add_arc(gs_csr_t *a, int64_t *next, int32_t tail, int32_t head, float w)
{
    int64_t slot = next[tail]++;

    a->indices[slot] = head;
    a->values[slot] = w;
}

/*
 * The CSR of A: row u lists the heads of the arcs out of u, in input order.  Undirected
 * edges give both arcs.  Self loops are left out.
 */
static gs_csr_t *arcs_by_tail(int n, const int32_t *src, const int32_t *dst, const float *w,
                              int64_t m, bool directed, int64_t n_arcs)
{
    gs_csr_t *a = gs_csr_new(n, n, n_arcs);
    int64_t *next = malloc(((size_t)n + 1) * sizeof *next);

    if (!a || !next) {
        gs_csr_free(a);
        free(next);
        return NULL;
    }
    for (int64_t e = 0; e < m; e++) {
        if (src[e] != dst[e]) {
            a->indptr[src[e] + 1]++;
            a->indptr[dst[e] + 1] += !directed;
        }
    }
    for (int v = 0; v < n; v++) {
        a->indptr[v + 1] += a->indptr[v];
    }
    memcpy(next, a->indptr, ((size_t)n + 1) * sizeof *next);

    for (int64_t e = 0; e < m; e++) {
        float we = w ? w[e] : 1.0f;

        if (src[e] == dst[e]) {
            continue;
        }
        add_arc(a, next, src[e], dst[e], we);
        if (!directed) {
            add_arc(a, next, dst[e], src[e], we);
        }
    }
    free(next);
    return a;
}

/* Rows up to this length are sorted by insertion; longer ones through a scratch array. */
enum { INSERTION_SORT_MAX = 32 };

typedef struct row_entry {
    int32_t col;
    int32_t pos;              /* position in the row before sorting: keeps the sort stable */
} row_entry_t;

static int compare_row_entries(const void *a, const void *b)
{
    const row_entry_t *x = a;
    const row_entry_t *y = b;

    if (x->col != y->col) {
        return x->col < y->col ? -1 : 1;
    }
    return (x->pos > y->pos) - (x->pos < y->pos);
}

static void insertion_sort_row(int32_t *col, float *val, int64_t len)
{
    for (int64_t i = 1; i < len; i++) {
        int32_t c = col[i];
        float v = val[i];
        int64_t j = i;

        for (; j > 0 && col[j - 1] > c; j--) {
            col[j] = col[j - 1];
            val[j] = val[j - 1];
        }
        col[j] = c;
        val[j] = v;
    }
}

/* Sorts one row by column, stably; scratch holds len entries and len floats. */
static void sort_row(int32_t *col, float *val, int64_t len, row_entry_t *entries,
                     float *values)
{
    int64_t i = 1;

    while (i < len && col[i - 1] <= col[i]) {
        i++;
    }
    if (i >= len) {
        return;
    }
    if (len <= INSERTION_SORT_MAX) {
        insertion_sort_row(col, val, len);
        return;
    }
    for (int64_t k = 0; k < len; k++) {
        entries[k] = (row_entry_t){col[k], (int32_t)k};
        values[k] = val[k];
    }
    qsort(entries, (size_t)len, sizeof *entries, compare_row_entries);
    for (int64_t k = 0; k < len; k++) {
        col[k] = entries[k].col;
        val[k] = values[entries[k].pos];
    }
}

/*
 * Sorts every row of a by column, keeping equal columns in input order, so duplicates end
 * up side by side with the first listed first.  Rows are independent: spread over threads,
 * the result does not depend on their number.
 */
static bool sort_rows(gs_csr_t *a)
{
    int64_t longest = 0;
    bool ok = true;

    for (int r = 0; r < a->n_rows; r++) {
        int64_t len = a->indptr[r + 1] - a->indptr[r];

        longest = len > longest ? len : longest;
    }

#pragma omp parallel reduction(&& : ok)
    {
        row_entry_t *entries = malloc(((size_t)longest + 1) * sizeof *entries);
        float *values = malloc(((size_t)longest + 1) * sizeof *values);

        ok = entries && values;
#pragma omp for schedule(dynamic, 4096)
        for (int r = 0; r < a->n_rows; r++) {
            int64_t begin = a->indptr[r];

            if (entries && values) {
                sort_row(a->indices + begin, a->values + begin, a->indptr[r + 1] - begin,
                         entries, values);
            }
        }
        free(entries);
        free(values);
    }
    return ok;
}

/*
 * Removes repeated neighbours from each sorted row in place, keeping the first (the one
 * listed first in the input).  An undirected duplicate shows up in both of its rows, so it
 * is counted once, in the row of its smaller endpoint.
 */
static int64_t drop_duplicates(gs_csr_t *a, bool directed)
{
    int64_t kept = 0;
    int64_t dropped = 0;
    int64_t begin = 0;

    for (int r = 0; r < a->n_rows; r++) {
        int64_t end = a->indptr[r + 1];
        int64_t row_start = kept;

        for (int64_t e = begin; e < end; e++) {
            int32_t c = a->indices[e];

            if (kept > row_start && a->indices[kept - 1] == c) {
                dropped += directed || c > r;
                continue;
            }
            a->indices[kept] = c;
            a->values[kept] = a->values[e];
            kept++;
        }
        a->indptr[r + 1] = kept;
        begin = end;
    }
    return dropped;
}

static gs_status_t build_adjacency(gs_graph_t *g, int n, const int32_t *src,
                                   const int32_t *dst, const float *w, int64_t m)
{
    int64_t loops = 0;
    gs_csr_t *a;

    for (int64_t e = 0; e < m; e++) {
        loops += src[e] == dst[e];
    }
    a = arcs_by_tail(n, src, dst, w, m, g->directed, (m - loops) * (g->directed ? 1 : 2));
    if (!a || !sort_rows(a)) {
        gs_csr_free(a);
        return gs_i_error(GS_ERR_NOMEM, "out of memory building a graph of %" PRId64 " edges",
                          m);
    }

    g->n_self_loops_dropped = loops;
    g->n_duplicates_dropped = drop_duplicates(a, g->directed);
    g->n_edges = g->directed ? gs_csr_nnz(a) : gs_csr_nnz(a) / 2;
    if (!g->directed) {
        a->transpose = a;
    }
    gs_csr_free(g->adj);
    g->adj = a;
    return GS_OK;
}

static gs_status_t default_names(gs_graph_t *g)
{
    char buf[16];

    g->names = calloc((size_t)g->n_nodes + 1, sizeof *g->names);
    if (!g->names) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory for %d node names", g->n_nodes);
    }
    for (int v = 0; v < g->n_nodes; v++) {
        snprintf(buf, sizeof buf, "%d", v);
        g->names[v] = strdup(buf);
        if (!g->names[v]) {
            return gs_i_error(GS_ERR_NOMEM, "out of memory for %d node names", g->n_nodes);
        }
    }
    g->numeric_names = true;
    return GS_OK;
}

bool gs_i_names_ascend_as_integers(char *const *names, int n)
{
    int64_t prev = 0;

    for (int v = 0; v < n; v++) {
        int64_t value;

        if (!gs_i_parse_canonical_int(names[v], &value) || (v > 0 && value <= prev)) {
            return false;
        }
        prev = value;
    }
    return true;
}

static int compare_slots(const void *a, const void *b)
{
    return strcmp(((const name_slot_t *)a)->name, ((const name_slot_t *)b)->name);
}

gs_status_t gs_i_graph_index_names(graph_private_t *p)
{
    gs_graph_t *g = &p->pub;
    name_slot_t *slots = malloc(((size_t)g->n_nodes + 1) * sizeof *slots);
    gs_status_t status = GS_OK;

    free(p->name_order);
    p->name_order = malloc(((size_t)g->n_nodes + 1) * sizeof *p->name_order);
    if (!slots || !p->name_order) {
        free(slots);
        return gs_i_error(GS_ERR_NOMEM, "out of memory indexing %d node names", g->n_nodes);
    }
    for (int v = 0; v < g->n_nodes; v++) {
        slots[v] = (name_slot_t){g->names[v], v};
    }
    qsort(slots, (size_t)g->n_nodes, sizeof *slots, compare_slots);

    for (int i = 0; i < g->n_nodes; i++) {
        if (i > 0 && strcmp(slots[i - 1].name, slots[i].name) == 0) {
            status = gs_i_error(GS_ERR_INVALID, "duplicate node name '%s'", slots[i].name);
            break;
        }
        p->name_order[i] = slots[i].node;
    }
    free(slots);
    return status;
}

static gs_status_t copy_names(graph_private_t *p, char *const *names)
{
    gs_graph_t *g = &p->pub;

    g->names = calloc((size_t)g->n_nodes + 1, sizeof *g->names);
    if (!g->names) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory for %d node names", g->n_nodes);
    }
    for (int v = 0; v < g->n_nodes; v++) {
        if (!names[v]) {
            return gs_i_error(GS_ERR_INVALID, "node %d has no name", v);
        }
        g->names[v] = strdup(names[v]);
        if (!g->names[v]) {
            return gs_i_error(GS_ERR_NOMEM, "out of memory for %d node names", g->n_nodes);
        }
    }
    g->numeric_names = gs_i_names_ascend_as_integers(g->names, g->n_nodes);
    return g->numeric_names ? GS_OK : gs_i_graph_index_names(p);
}

gs_status_t gs_graph_from_edges(gs_graph_t **out, int n_nodes, const int32_t *src,
                                const int32_t *dst, const float *weights,
                                int64_t n_edges, bool directed, char **names)
{
    gs_graph_t *g;
    gs_status_t status;

    if (!out) {
        return gs_i_error(GS_ERR_INVALID, "gs_graph_from_edges: out is NULL");
    }
    *out = NULL;
    GS_TRY(check_edges(n_nodes, src, dst, weights, n_edges));

    g = gs_graph_new();
    if (!g) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory allocating a graph");
    }
    g->n_nodes = n_nodes;
    g->directed = directed;
    g->weighted = weights != NULL;

    status = build_adjacency(g, n_nodes, src, dst, weights, n_edges);
    if (status == GS_OK) {
        status = names ? copy_names((graph_private_t *)g, names) : default_names(g);
    }
    if (status != GS_OK) {
        gs_graph_free(g);
        return status;
    }
    *out = g;
    return GS_OK;
}

static int find_numeric(const gs_graph_t *g, const char *name)
{
    int64_t key;
    int lo = 0;
    int hi = g->n_nodes - 1;

    if (!gs_i_parse_canonical_int(name, &key)) {
        return -1;
    }
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        int64_t value = 0;

        gs_i_parse_canonical_int(g->names[mid], &value);
        if (value == key) {
            return mid;
        }
        if (value < key) {
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    return -1;
}

static int find_sorted(const gs_graph_t *g, const int32_t *order, const char *name)
{
    int lo = 0;
    int hi = g->n_nodes - 1;

    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        int c = strcmp(g->names[order[mid]], name);

        if (c == 0) {
            return order[mid];
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    return -1;
}

int gs_graph_find_node(const gs_graph_t *g, const char *name)
{
    const graph_private_t *p = (const graph_private_t *)g;

    if (!g || !name || !g->names) {
        return -1;
    }
    if (g->numeric_names) {
        return find_numeric(g, name);
    }
    if (p->name_order) {
        return find_sorted(g, p->name_order, name);
    }

    /* Names set by hand after construction have no index; scan them. */
    for (int v = 0; v < g->n_nodes; v++) {
        if (strcmp(g->names[v], name) == 0) {
            return v;
        }
    }
    return -1;
}

gs_status_t gs_graph_features_dense(const gs_graph_t *g, gs_tensor_t **out)
{
    gs_tensor_t *t;
    const gs_csr_t *x = g->features_sparse;

    *out = NULL;
    if (g->n_features <= 0 || (!x && !g->features_dense)) {
        return gs_i_error(GS_ERR_INVALID, "the graph has no features");
    }
    t = gs_tensor_new(g->n_nodes, g->n_features);
    if (!t) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory for %d x %d features", g->n_nodes,
                          g->n_features);
    }

    if (g->features_dense) {
        memcpy(t->data, g->features_dense,
               (size_t)g->n_nodes * (size_t)g->n_features * sizeof *t->data);
    } else {
        for (int v = 0; v < g->n_nodes; v++) {
            float *row = t->data + (size_t)v * (size_t)g->n_features;

            for (int64_t e = x->indptr[v]; e < x->indptr[v + 1]; e++) {
                row[x->indices[e]] = x->values[e];
            }
        }
    }
    *out = t;
    return GS_OK;
}

gs_status_t gs_graph_set_identity_features(gs_graph_t *g)
{
    gs_csr_t *x;

    if (g->n_features > 0) {
        return GS_OK;
    }
    if (g->n_nodes <= 0) {
        return gs_i_error(GS_ERR_INVALID, "identity features need a graph with nodes");
    }
    x = gs_csr_new(g->n_nodes, g->n_nodes, g->n_nodes);
    if (!x) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory for %d identity features", g->n_nodes);
    }
    for (int v = 0; v < g->n_nodes; v++) {
        x->indptr[v + 1] = v + 1;
        x->indices[v] = v;
        x->values[v] = 1.0f;
    }
    g->features_sparse = x;
    g->n_features = g->n_nodes;
    return GS_OK;
}

/* Divides n values by their sum, accumulated in double; a zero sum leaves them. */
static void normalize_row(float *values, int64_t n)
{
    double sum = 0.0;

    for (int64_t i = 0; i < n; i++) {
        sum += values[i];
    }
    if (sum == 0.0) {
        return;
    }
    for (int64_t i = 0; i < n; i++) {
        values[i] = (float)(values[i] / sum);
    }
}

void gs_graph_row_normalize_features(gs_graph_t *g)
{
    const gs_csr_t *x = g->features_sparse;

    if (g->n_features <= 0) {
        return;
    }
    for (int v = 0; v < g->n_nodes; v++) {
        if (x) {
            normalize_row(x->values + x->indptr[v], x->indptr[v + 1] - x->indptr[v]);
        } else if (g->features_dense) {
            normalize_row(g->features_dense + (size_t)v * (size_t)g->n_features,
                          g->n_features);
        }
    }
}

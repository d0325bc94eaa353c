/*
 * Adding isolated nodes to a loaded graph: the nodes that a features file names but no edge
 * does (Citeseer's Planetoid files have 48 such papers, and DGI's protocol counts them).
 * Every per-node array is rebuilt in the new node order; nothing of g changes until all the
 * new arrays exist, so a failure leaves g as it was.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "common_internal.h"
#include "graph/graph_internal.h"

typedef struct value_slot {
    int64_t value;
    int32_t k;
} value_slot_t;

/* The rebuilt arrays, installed together at the end. */
typedef struct rebuilt {
    char **names;
    gs_csr_t *adj;
    gs_csr_t *features_sparse;
    float *features_dense;
    int32_t *labels;
    uint8_t *split;
} rebuilt_t;

static int compare_values(const void *a, const void *b)
{
    int64_t x = ((const value_slot_t *)a)->value;
    int64_t y = ((const value_slot_t *)b)->value;

    return (x > y) - (x < y);
}

/* Values of the new names when all are canonical integers (and so are the old ones),
 * sorted; NULL otherwise, with *failed set only when out of memory. */
static value_slot_t *sorted_new_values(const gs_graph_t *g, char *const *names, int n_new,
                                       bool *failed)
{
    value_slot_t *slots;

    *failed = false;
    if (g->n_nodes > 0 && !g->numeric_names) {
        return NULL;
    }
    slots = malloc((size_t)n_new * sizeof *slots);
    if (!slots) {
        *failed = true;
        return NULL;
    }
    for (int k = 0; k < n_new; k++) {
        slots[k].k = k;
        if (!gs_i_parse_canonical_int(names[k], &slots[k].value)) {
            free(slots);
            return NULL;
        }
    }
    qsort(slots, (size_t)n_new, sizeof *slots, compare_values);
    return slots;
}

/* Merges the old nodes (ascending by value) with the sorted new ones. */
static void merge_order(const gs_graph_t *g, const value_slot_t *slots, int n_new,
                        int32_t *map)
{
    int v = 0;
    int k = 0;
    int32_t next = 0;

    while (v < g->n_nodes || k < n_new) {
        int64_t old_value = 0;

        if (v < g->n_nodes) {
            gs_i_parse_canonical_int(g->names[v], &old_value);
        }
        if (k == n_new || (v < g->n_nodes && old_value < slots[k].value)) {
            map[v++] = next++;
        } else {
            map[g->n_nodes + slots[k++].k] = next++;
        }
    }
}

/* Fills map and tells whether the merged names are ascending integers. */
static gs_status_t plan_order(const gs_graph_t *g, char *const *names, int n_new,
                              int32_t *map, bool *numeric)
{
    bool failed;
    value_slot_t *slots = sorted_new_values(g, names, n_new, &failed);

    if (failed) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory adding %d nodes", n_new);
    }
    *numeric = slots != NULL;
    if (slots) {
        merge_order(g, slots, n_new, map);
        free(slots);
        return GS_OK;
    }
    for (int v = 0; v < g->n_nodes + n_new; v++) {
        map[v] = v;
    }
    return GS_OK;
}

/*
 * Row v of a becomes row map[v] of an n-row copy; with remap_cols the column indices are
 * mapped too.  map is increasing on the old nodes, so mapped rows stay sorted.
 */
static gs_csr_t *remap_rows(const gs_csr_t *a, int n, const int32_t *map, bool remap_cols)
{
    int64_t nnz = gs_csr_nnz(a);
    gs_csr_t *b = gs_csr_new(n, remap_cols ? n : a->n_cols, nnz);

    if (!b) {
        return NULL;
    }
    for (int v = 0; v < a->n_rows; v++) {
        b->indptr[map[v] + 1] = a->indptr[v + 1] - a->indptr[v];
    }
    for (int r = 0; r < n; r++) {
        b->indptr[r + 1] += b->indptr[r];
    }
    for (int v = 0; v < a->n_rows; v++) {
        int64_t from = a->indptr[v];
        int64_t to = b->indptr[map[v]];
        int64_t len = a->indptr[v + 1] - from;

        for (int64_t e = 0; e < len; e++) {
            b->indices[to + e] = remap_cols ? map[a->indices[from + e]] : a->indices[from + e];
            b->values[to + e] = a->values[from + e];
        }
    }
    return b;
}

static gs_status_t rebuild_names(const gs_graph_t *g, char *const *names, int n_new,
                                 const int32_t *map, rebuilt_t *r)
{
    int n = g->n_nodes + n_new;

    r->names = calloc((size_t)n + 1, sizeof *r->names);
    if (!r->names) {
        return GS_ERR_NOMEM;
    }
    for (int k = 0; k < n_new; k++) {
        r->names[map[g->n_nodes + k]] = strdup(names[k]);
        if (!r->names[map[g->n_nodes + k]]) {
            return GS_ERR_NOMEM;
        }
    }
    return GS_OK;
}

static gs_status_t rebuild_node_data(const gs_graph_t *g, int n, const int32_t *map,
                                     rebuilt_t *r)
{
    size_t f = (size_t)g->n_features;

    if (g->features_dense) {
        r->features_dense = calloc((size_t)n * f, sizeof *r->features_dense);
        if (!r->features_dense) {
            return GS_ERR_NOMEM;
        }
        for (int v = 0; v < g->n_nodes; v++) {
            memcpy(r->features_dense + (size_t)map[v] * f, g->features_dense + (size_t)v * f,
                   f * sizeof *r->features_dense);
        }
    }
    if (g->labels) {
        r->labels = malloc((size_t)n * sizeof *r->labels);
        if (!r->labels) {
            return GS_ERR_NOMEM;
        }
        for (int v = 0; v < n; v++) {
            r->labels[v] = -1;
        }
        for (int v = 0; v < g->n_nodes; v++) {
            r->labels[map[v]] = g->labels[v];
        }
    }
    if (g->split) {
        r->split = calloc((size_t)n, 1);
        if (!r->split) {
            return GS_ERR_NOMEM;
        }
        for (int v = 0; v < g->n_nodes; v++) {
            r->split[map[v]] = g->split[v];
        }
    }
    return GS_OK;
}

static gs_status_t rebuild(const gs_graph_t *g, char *const *names, int n_new,
                           const int32_t *map, rebuilt_t *r)
{
    int n = g->n_nodes + n_new;

    if (rebuild_names(g, names, n_new, map, r) != GS_OK) {
        return GS_ERR_NOMEM;
    }
    r->adj = remap_rows(g->adj, n, map, true);
    if (!r->adj) {
        return GS_ERR_NOMEM;
    }
    if (g->features_sparse) {
        r->features_sparse = remap_rows(g->features_sparse, n, map, false);
        if (!r->features_sparse) {
            return GS_ERR_NOMEM;
        }
    }
    return rebuild_node_data(g, n, map, r);
}

static void free_rebuilt(rebuilt_t *r, int n)
{
    for (int v = 0; r->names && v < n; v++) {
        free(r->names[v]);
    }
    free(r->names);
    gs_csr_free(r->adj);
    gs_csr_free(r->features_sparse);
    free(r->features_dense);
    free(r->labels);
    free(r->split);
}

/* Swaps the rebuilt arrays in; the old names move over, the rest is freed. */
static void install(gs_graph_t *g, rebuilt_t *r, int n_new, const int32_t *map)
{
    for (int v = 0; v < g->n_nodes; v++) {
        r->names[map[v]] = g->names[v];
    }
    free(g->names);
    g->names = r->names;

    if (!g->directed) {
        r->adj->transpose = r->adj;
    }
    gs_csr_free(g->adj);
    g->adj = r->adj;
    if (r->features_sparse) {
        gs_csr_free(g->features_sparse);
        g->features_sparse = r->features_sparse;
    }
    if (r->features_dense) {
        free(g->features_dense);
        g->features_dense = r->features_dense;
    }
    if (r->labels) {
        free(g->labels);
        g->labels = r->labels;
    }
    if (r->split) {
        free(g->split);
        g->split = r->split;
    }
    g->n_nodes += n_new;
}

gs_status_t gs_i_graph_add_nodes(gs_graph_t *g, char *const *names, int n_new, int32_t *map)
{
    graph_private_t *p = (graph_private_t *)g;
    int32_t *order = map;
    rebuilt_t r = {0};
    bool numeric = false;
    gs_status_t status;

    if (n_new <= 0) {
        return GS_OK;
    }
    if (n_new > INT_MAX - g->n_nodes) {
        return gs_i_error(GS_ERR_INVALID, "adding %d nodes to %d makes more than %d", n_new,
                          g->n_nodes, INT_MAX);
    }
    if (!order) {
        order = malloc(((size_t)g->n_nodes + (size_t)n_new) * sizeof *order);
        if (!order) {
            return gs_i_error(GS_ERR_NOMEM, "out of memory adding %d nodes", n_new);
        }
    }

    status = plan_order(g, names, n_new, order, &numeric);
    if (status == GS_OK && rebuild(g, names, n_new, order, &r) != GS_OK) {
        free_rebuilt(&r, g->n_nodes + n_new);
        status = gs_i_error(GS_ERR_NOMEM, "out of memory adding %d nodes", n_new);
    }
    if (status == GS_OK) {
        install(g, &r, n_new, order);
        free(p->name_order);
        p->name_order = NULL;
        g->numeric_names = numeric;
        status = numeric ? GS_OK : gs_i_graph_index_names(p);
    }
    if (order != map) {
        free(order);
    }
    return status;
}

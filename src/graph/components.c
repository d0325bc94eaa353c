/*
 * Weakly connected components by union-find over the CSR (path halving, union by size).
 * One pass over the arcs covers directed graphs too, since an arc joins its two ends
 * whichever way it points; no copy of the graph into igraph's structures is needed.
 */
#include <stdlib.h>

#include "common_internal.h"
#include "graphssl/graph.h"

static int32_t find_root(int32_t *parent, int32_t v)
{
    while (parent[v] != v) {
        parent[v] = parent[parent[v]];
        v = parent[v];
    }
    return v;
}

static void join(int32_t *parent, int32_t *size, int32_t u, int32_t v)
{
    int32_t ru = find_root(parent, u);
    int32_t rv = find_root(parent, v);

    if (ru == rv) {
        return;
    }
    if (size[ru] < size[rv]) {
        int32_t tmp = ru;

        ru = rv;
        rv = tmp;
    }
    parent[rv] = ru;
    size[ru] += size[rv];
}

/* Numbers the components in order of their smallest node: the first node met of each
 * gives its root the next number. */
static void label_components(int32_t *parent, const int32_t *size, int n, int32_t *id,
                             int *n_components, int *largest)
{
    *n_components = 0;
    *largest = 0;
    for (int v = 0; v < n; v++) {
        int32_t r = find_root(parent, v);

        if (id[r] < 0) {
            id[r] = (*n_components)++;
            *largest = size[r] > *largest ? size[r] : *largest;
        }
        id[v] = id[r];
    }
}

gs_status_t gs_graph_components(const gs_graph_t *g, int32_t *membership, int *n_components,
                                int *largest)
{
    int n = g ? g->n_nodes : 0;
    int32_t *parent = malloc(((size_t)n + 1) * sizeof *parent);
    int32_t *size = malloc(((size_t)n + 1) * sizeof *size);
    int32_t *id = membership ? membership : malloc(((size_t)n + 1) * sizeof *id);
    int count = 0;
    int biggest = 0;

    if (!parent || !size || !id) {
        free(parent);
        free(size);
        if (id != membership) {
            free(id);
        }
        return gs_i_error(GS_ERR_NOMEM, "out of memory finding components of %d nodes", n);
    }
    for (int v = 0; v < n; v++) {
        parent[v] = v;
        size[v] = 1;
        id[v] = -1;
    }
    for (int u = 0; u < n; u++) {
        for (int64_t e = g->adj->indptr[u]; e < g->adj->indptr[u + 1]; e++) {
            join(parent, size, u, g->adj->indices[e]);
        }
    }
    label_components(parent, size, n, id, &count, &biggest);

    if (n_components) {
        *n_components = count;
    }
    if (largest) {
        *largest = biggest;
    }
    free(parent);
    free(size);
    if (id != membership) {
        free(id);
    }
    return GS_OK;
}

/*
 * BFS trees for GraphGAN's graph softmax (Wang et al., AAAI 2018, section "Graph
 * softmax"), built lazily per root and cached within a memory budget (see bfs_tree.h).
 *
 * The original code builds every tree up front and keeps them all (as pickled dicts); a
 * tree costs O(N + E) to build, so rebuilding the ones that do not fit is cheap and memory
 * stays bounded.
 */
#include "graph/bfs_tree.h"

#include <stdlib.h>
#include <string.h>

#include "common_internal.h"

gs_status_t gs_i_bfs_scratch_init(gs_i_bfs_scratch_t *s, int n_nodes)
{
    size_t n = (size_t)n_nodes;

    memset(s, 0, sizeof *s);
    s->n_nodes = n_nodes;
    s->tree.node = malloc((n + 1) * sizeof *s->tree.node);
    s->tree.parent = malloc((n + 1) * sizeof *s->tree.parent);
    s->tree.child_start = malloc((n + 1) * sizeof *s->tree.child_start);
    s->seen = calloc(n + 1, sizeof *s->seen);
    if (!s->tree.node || !s->tree.parent || !s->tree.child_start || !s->seen) {
        gs_i_bfs_scratch_destroy(s);
        return gs_i_error(GS_ERR_NOMEM, "out of memory for a BFS tree of %d nodes", n_nodes);
    }
    return GS_OK;
}

void gs_i_bfs_scratch_destroy(gs_i_bfs_scratch_t *s)
{
    free(s->tree.node);
    free(s->tree.parent);
    free(s->tree.child_start);
    free(s->seen);
    memset(s, 0, sizeof *s);
}

/* A fresh stamp marks every node unseen; the array is cleared only when stamps wrap. */
static uint32_t next_stamp(gs_i_bfs_scratch_t *s)
{
    if (++s->stamp == 0) {
        memset(s->seen, 0, (size_t)s->n_nodes * sizeof *s->seen);
        s->stamp = 1;
    }
    return s->stamp;
}

void gs_i_bfs_tree_build(const gs_graph_t *g, int root, gs_i_bfs_scratch_t *s)
{
    const gs_csr_t *adj = g->adj;
    gs_i_bfs_tree_t *t = &s->tree;
    uint32_t stamp = next_stamp(s);
    int n = 1;

    t->node[0] = root;
    t->parent[0] = -1;
    s->seen[root] = stamp;

    /* The slots double as the BFS queue: head walks them while discoveries append. */
    for (int head = 0; head < n; head++) {
        int u = t->node[head];

        t->child_start[head] = n;
        for (int64_t e = adj->indptr[u]; e < adj->indptr[u + 1]; e++) {
            int v = adj->indices[e];

            if (s->seen[v] != stamp) {
                s->seen[v] = stamp;
                t->node[n] = v;
                t->parent[n] = head;
                n++;
            }
        }
    }
    t->child_start[n] = n;
    t->n = n;
}

size_t gs_i_bfs_tree_bytes(int n)
{
    return sizeof(gs_i_bfs_tree_t) + (3 * (size_t)n + 1) * sizeof(int32_t);
}

gs_status_t gs_i_bfs_cache_init(gs_i_bfs_cache_t *c, const gs_graph_t *g, size_t budget_bytes)
{
    memset(c, 0, sizeof *c);
    c->g = g;
    c->budget_bytes = budget_bytes;
    c->trees = calloc((size_t)g->n_nodes + 1, sizeof *c->trees);
    if (!c->trees) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory for the BFS tree cache");
    }
    return GS_OK;
}

void gs_i_bfs_cache_destroy(gs_i_bfs_cache_t *c)
{
    if (c->trees) {
        for (int v = 0; v < c->g->n_nodes; v++) {
            free(c->trees[v]);
        }
    }
    free(c->trees);
    memset(c, 0, sizeof *c);
}

/* One allocation holding the struct and its three arrays. */
static gs_i_bfs_tree_t *copy_tree(const gs_i_bfs_tree_t *t)
{
    size_t n = (size_t)t->n;
    gs_i_bfs_tree_t *c = malloc(gs_i_bfs_tree_bytes(t->n));

    if (!c) {
        return NULL;
    }
    c->n = t->n;
    c->node = (int32_t *)(c + 1);
    c->parent = c->node + n;
    c->child_start = c->parent + n;
    memcpy(c->node, t->node, n * sizeof *c->node);
    memcpy(c->parent, t->parent, n * sizeof *c->parent);
    memcpy(c->child_start, t->child_start, (n + 1) * sizeof *c->child_start);
    return c;
}

/* Reserves bytes of the budget; false when they do not fit. */
static bool reserve(gs_i_bfs_cache_t *c, size_t bytes)
{
    bool ok = false;

#pragma omp critical(gs_bfs_cache_budget)
    {
        if (c->used_bytes + bytes <= c->budget_bytes) {
            c->used_bytes += bytes;
            ok = true;
        }
    }
    return ok;
}

static void release(gs_i_bfs_cache_t *c, size_t bytes)
{
#pragma omp critical(gs_bfs_cache_budget)
    c->used_bytes -= bytes;
}

const gs_i_bfs_tree_t *gs_i_bfs_cache_get(gs_i_bfs_cache_t *c, int root,
                                          gs_i_bfs_scratch_t *s)
{
    size_t bytes;

    if (c->trees[root]) {
        return c->trees[root];
    }
    gs_i_bfs_tree_build(c->g, root, s);

    /* A tree that does not fit, or whose copy fails, is simply not cached: the scratch
     * copy serves this call and the next call rebuilds it. */
    bytes = gs_i_bfs_tree_bytes(s->tree.n);
    if (!reserve(c, bytes)) {
        return &s->tree;
    }
    c->trees[root] = copy_tree(&s->tree);
    if (!c->trees[root]) {
        release(c, bytes);
        return &s->tree;
    }
    return c->trees[root];
}

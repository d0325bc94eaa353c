/*
 * Breadth-first-search trees, the structure GraphGAN's graph softmax lives on, and a cache
 * that keeps as many of them as a memory budget allows.
 *
 * A tree is stored in BFS order: slot 0 is the root and every node reached gets the next
 * slot when it is discovered.  A node's children are discovered together, while it is at
 * the head of the queue, so they occupy consecutive slots and the tree needs no explicit
 * child lists: the children of slot i are slots child_start[i] .. child_start[i + 1] - 1.
 */
#ifndef GS_GRAPH_BFS_TREE_H
#define GS_GRAPH_BFS_TREE_H

#include <stddef.h>
#include <stdint.h>

#include "graphssl/graph.h"

typedef struct gs_i_bfs_tree {
    int n;                  /* nodes reached from the root, root included */
    int32_t *node;          /* (n) node index of each slot */
    int32_t *parent;        /* (n) slot of the parent, -1 for the root */
    int32_t *child_start;   /* (n + 1) first child slot of each slot */
} gs_i_bfs_tree_t;

/* Scratch space to build one tree of a graph with n_nodes nodes; one per thread. */
typedef struct gs_i_bfs_scratch {
    gs_i_bfs_tree_t tree;   /* arrays sized for n_nodes */
    uint32_t *seen;         /* (n_nodes) visit stamps, so nothing is cleared between trees */
    uint32_t stamp;
    int n_nodes;
} gs_i_bfs_scratch_t;

gs_status_t gs_i_bfs_scratch_init(gs_i_bfs_scratch_t *s, int n_nodes);
void gs_i_bfs_scratch_destroy(gs_i_bfs_scratch_t *s);

/* Builds the BFS tree of g rooted at root into s->tree (neighbours taken in CSR order). */
void gs_i_bfs_tree_build(const gs_graph_t *g, int root, gs_i_bfs_scratch_t *s);

/* Bytes a tree with n slots takes when kept in a cache. */
size_t gs_i_bfs_tree_bytes(int n);

/*
 * Trees by root, built on first use and kept while the total stays within budget_bytes;
 * trees beyond the budget are rebuilt into the caller's scratch each time they are asked
 * for.  Safe to call from several threads for different roots at once.
 */
typedef struct gs_i_bfs_cache {
    const gs_graph_t *g;
    gs_i_bfs_tree_t **trees;  /* (n_nodes) cached tree or NULL */
    size_t budget_bytes;
    size_t used_bytes;
} gs_i_bfs_cache_t;

gs_status_t gs_i_bfs_cache_init(gs_i_bfs_cache_t *c, const gs_graph_t *g, size_t budget_bytes);
void gs_i_bfs_cache_destroy(gs_i_bfs_cache_t *c);

/* The tree rooted at root: the cached one, or one built into s (valid until s is reused). */
const gs_i_bfs_tree_t *gs_i_bfs_cache_get(gs_i_bfs_cache_t *c, int root,
                                          gs_i_bfs_scratch_t *s);

#endif

/*
 * GraphGAN's link-prediction protocol (link-acc): the nodes of given test pairs added to
 * the training graph, and pairs scored by inner products of embeddings or by common
 * neighbours, with the median score as threshold.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common_internal.h"
#include "graphgan_internal.h"
#include "graphssl/eval.h"
#include "graphssl/io.h"

/* --- Edges of a graph as a list ---------------------------------------------------------- */

typedef struct edge_array {
    int32_t *src;
    int32_t *dst;
    float *weight;     /* NULL unless the graph is weighted */
    int64_t n;
} edge_array_t;

static void edges_destroy(edge_array_t *e)
{
    free(e->src);
    free(e->dst);
    free(e->weight);
    memset(e, 0, sizeof *e);
}

/* Every edge once (u < v) or every arc of a directed graph, node indices through map
 * (NULL: unchanged). */
static gs_status_t edges_of(const gs_graph_t *g, const int32_t *map, edge_array_t *out)
{
    const gs_csr_t *a = g->adj;
    size_t cap = (size_t)g->n_edges + 1;

    memset(out, 0, sizeof *out);
    out->src = malloc(cap * sizeof *out->src);
    out->dst = malloc(cap * sizeof *out->dst);
    out->weight = g->weighted ? malloc(cap * sizeof *out->weight) : NULL;
    if (!out->src || !out->dst || (g->weighted && !out->weight)) {
        edges_destroy(out);
        return gs_i_error(GS_ERR_NOMEM, "out of memory listing %" PRId64 " edges", g->n_edges);
    }
    for (int u = 0; u < g->n_nodes; u++) {
        for (int64_t e = a->indptr[u]; e < a->indptr[u + 1]; e++) {
            int v = a->indices[e];

            if (!g->directed && v < u) {
                continue;
            }
            out->src[out->n] = map ? map[u] : u;
            out->dst[out->n] = map ? map[v] : v;
            if (out->weight) {
                out->weight[out->n] = a->values[e];
            }
            out->n++;
        }
    }
    return GS_OK;
}

/* --- Adding the nodes named only by the test pairs ------------------------------------------ */

/* The integer a name spells in canonical form ("12", not "012" or "+12"). */
static bool canonical_int(const char *s, long long *value)
{
    char buf[32], *end;
    long long v = strtoll(s, &end, 10);

    if (end == s || *end != '\0') {
        return false;
    }
    snprintf(buf, sizeof buf, "%lld", v);
    *value = v;
    return strcmp(buf, s) == 0;
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int compare_numeric(const void *a, const void *b)
{
    long long x = 0, y = 0;

    canonical_int(*(char *const *)a, &x);
    canonical_int(*(char *const *)b, &y);
    return (x > y) - (x < y);
}

/* Names of p's nodes that g lacks, sorted and distinct, appended to *missing. */
static gs_status_t collect_missing(const gs_graph_t *g, const gs_graph_t *p, char ***missing,
                                   int *n_missing)
{
    char **list = realloc(*missing, ((size_t)*n_missing + p->n_nodes + 1) * sizeof *list);

    if (!list) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory for %d node names", p->n_nodes);
    }
    *missing = list;
    for (int v = 0; v < p->n_nodes; v++) {
        if (gs_graph_find_node(g, p->names[v]) < 0) {
            list[(*n_missing)++] = p->names[v];
        }
    }
    qsort(list, (size_t)*n_missing, sizeof *list, compare_strings);

    int kept = 0;
    for (int i = 0; i < *n_missing; i++) {
        if (kept == 0 || strcmp(list[kept - 1], list[i]) != 0) {
            list[kept++] = list[i];
        }
    }
    *n_missing = kept;
    return GS_OK;
}

/* The node order of the extended graph: by value when every name is an integer (merging
 * two ascending lists), else g's nodes first.  map[v] is the new index of g's node v. */
static gs_status_t order_names(const gs_graph_t *g, char **missing, int n_missing,
                               char ***names, int32_t *map)
{
    int n = g->n_nodes + n_missing, i = 0, j = 0;
    bool numeric = g->numeric_names;
    long long a = 0, b = 0;
    char **all = calloc((size_t)n + 1, sizeof *all);

    if (!all) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory for %d node names", n);
    }
    for (int k = 0; numeric && k < n_missing; k++) {
        numeric = canonical_int(missing[k], &a);
    }
    if (numeric) {
        qsort(missing, (size_t)n_missing, sizeof *missing, compare_numeric);
    }
    for (int k = 0; k < n; k++) {
        bool take_old = j >= n_missing;

        if (!take_old && i < g->n_nodes && numeric) {
            canonical_int(g->names[i], &a);
            canonical_int(missing[j], &b);
            take_old = a < b;
        } else if (!take_old) {
            take_old = i < g->n_nodes;
        }
        if (take_old) {
            map[i] = k;
            all[k] = g->names[i++];
        } else {
            all[k] = missing[j++];
        }
    }
    *names = all;
    return GS_OK;
}

/* Rebuilds g with the missing names as isolated nodes. */
static gs_status_t extend_graph(gs_graph_t **g, char **missing, int n_missing)
{
    gs_graph_t *old = *g, *grown = NULL;
    int32_t *map = malloc(((size_t)old->n_nodes + 1) * sizeof *map);
    char **names = NULL;
    edge_array_t e = {0};
    gs_status_t status;

    if (old->n_features > 0 || old->labels || old->split) {
        free(map);
        return gs_i_error(GS_ERR_INVALID,
                          "the evaluation pairs name %d nodes the graph does not have, and "
                          "nodes can only be added to a graph without features, labels or "
                          "split", n_missing);
    }
    status = map ? order_names(old, missing, n_missing, &names, map)
                 : gs_i_error(GS_ERR_NOMEM, "out of memory extending the graph");
    if (status == GS_OK) {
        status = edges_of(old, map, &e);
    }
    if (status == GS_OK) {
        status = gs_graph_from_edges(&grown, old->n_nodes + n_missing, e.src, e.dst, e.weight,
                                     e.n, old->directed, names);
    }
    if (status == GS_OK) {
        grown->n_self_loops_dropped = old->n_self_loops_dropped;
        grown->n_duplicates_dropped = old->n_duplicates_dropped;
        gs_graph_free(old);
        *g = grown;
    }
    edges_destroy(&e);
    free(names);
    free(map);
    return status;
}

gs_status_t gs_graphgan_add_pair_nodes(gs_graph_t **g, const char *path, int *n_added)
{
    gs_graph_t *pairs = NULL;
    char **missing = NULL;
    int n_missing = 0;
    gs_status_t status;

    status = gs_edgelist_load(&pairs, path, false, false);
    if (status == GS_OK) {
        status = collect_missing(*g, pairs, &missing, &n_missing);
    }
    if (status == GS_OK && n_missing > 0) {
        status = extend_graph(g, missing, n_missing);
    }
    if (status == GS_OK && n_added) {
        *n_added = n_missing;
    }
    free(missing);
    gs_graph_free(pairs);
    return status;
}

/* The graph of the split's training edges, with g's nodes and names. */
static gs_status_t split_train_graph(const gs_graph_t *g, const gs_link_split_t *s,
                                     gs_graph_t **out)
{
    return gs_graph_from_edges(out, g->n_nodes, s->train.u, s->train.v, NULL, s->train.n,
                               false, g->names);
}

/* Moves the split's test lists into pos and neg. */
static void take_test(gs_link_split_t *s, gs_pairs_t *pos, gs_pairs_t *neg)
{
    *pos = s->test;
    *neg = s->test_neg;
    memset(&s->test, 0, sizeof s->test);
    memset(&s->test_neg, 0, sizeof s->test_neg);
}

static gs_status_t draw_split(gs_graph_t **g, uint64_t seed, gs_pairs_t *pos, gs_pairs_t *neg)
{
    gs_graph_t *train = NULL;
    gs_link_split_t s;
    gs_status_t status;

    gs_link_split_init(&s);
    status = gs_link_split_draw(*g, 0.0, GS_GRAPHGAN_TEST_FRACTION, seed, &s);
    if (status == GS_OK) {
        status = split_train_graph(*g, &s, &train);
    }
    if (status == GS_OK) {
        take_test(&s, pos, neg);
        gs_graph_free(*g);
        *g = train;
    }
    gs_link_split_destroy(&s);
    return status;
}

gs_status_t gs_graphgan_link_setup(gs_graph_t **g, const char *test_path,
                                   const char *test_neg_path, uint64_t seed, gs_pairs_t *pos,
                                   gs_pairs_t *neg)
{
    gs_status_t status;

    memset(pos, 0, sizeof *pos);
    memset(neg, 0, sizeof *neg);
    if (!test_path != !test_neg_path) {
        return gs_i_error(GS_ERR_INVALID, "test edges and test negatives go together; "
                          "found only the %s", test_path ? "edges" : "negatives");
    }
    if (!test_path) {
        return draw_split(g, seed, pos, neg);
    }

    status = gs_graphgan_add_pair_nodes(g, test_path, NULL);
    if (status == GS_OK) {
        status = gs_graphgan_add_pair_nodes(g, test_neg_path, NULL);
    }
    if (status == GS_OK) {
        status = gs_pairs_load(*g, test_path, pos);
    }
    if (status == GS_OK) {
        status = gs_pairs_load(*g, test_neg_path, neg);
    }
    if (status != GS_OK) {
        gs_pairs_destroy(pos);
        gs_pairs_destroy(neg);
    }
    return status;
}

/* --- Scoring ----------------------------------------------------------------------------- */

typedef double (*pair_score_fn)(const void *ctx, int u, int v);

typedef struct emb_ctx {
    const float *emb;
    int dim;
} emb_ctx_t;

static double inner_product(const void *ctx, int u, int v)
{
    const emb_ctx_t *c = ctx;
    const float *a = c->emb + (size_t)u * c->dim, *b = c->emb + (size_t)v * c->dim;
    double s = 0.0;

    for (int k = 0; k < c->dim; k++) {
        s += (double)a[k] * b[k];
    }
    return s;
}

static double common_neighbours(const void *ctx, int u, int v)
{
    const gs_csr_t *a = ((const gs_graph_t *)ctx)->adj;
    int64_t i = a->indptr[u], j = a->indptr[v];
    double count = 0.0;

    /* Both lists are sorted: one merge counts the shared entries. */
    while (i < a->indptr[u + 1] && j < a->indptr[v + 1]) {
        if (a->indices[i] < a->indices[j]) {
            i++;
        } else if (a->indices[i] > a->indices[j]) {
            j++;
        } else {
            count += 1.0;
            i++;
            j++;
        }
    }
    return count;
}

static gs_status_t score_and_evaluate(const gs_pairs_t *p, const gs_pairs_t *q,
                                      pair_score_fn fn, const void *ctx, double *accuracy,
                                      double *auc)
{
    double *pos = malloc(((size_t)p->n + 1) * sizeof *pos);
    double *neg = malloc(((size_t)q->n + 1) * sizeof *neg);
    gs_status_t status = GS_OK;
    double ap;

    if (!pos || !neg) {
        status = gs_i_error(GS_ERR_NOMEM, "out of memory scoring %" PRId64 " pairs",
                            p->n + q->n);
    }
    for (int64_t i = 0; status == GS_OK && i < p->n; i++) {
        pos[i] = fn(ctx, p->u[i], p->v[i]);
    }
    for (int64_t i = 0; status == GS_OK && i < q->n; i++) {
        neg[i] = fn(ctx, q->u[i], q->v[i]);
    }
    if (status == GS_OK) {
        status = gs_eval_link_accuracy(pos, p->n, neg, q->n, accuracy);
    }
    if (status == GS_OK) {
        status = gs_eval_auc_ap(pos, p->n, neg, q->n, auc, &ap);
    }
    free(pos);
    free(neg);
    return status;
}

gs_status_t gs_i_gg_evaluate(const gs_pairs_t *pos, const gs_pairs_t *neg, const float *emb,
                             int dim, double *accuracy, double *auc)
{
    emb_ctx_t ctx = {emb, dim};

    return score_and_evaluate(pos, neg, inner_product, &ctx, accuracy, auc);
}

gs_status_t gs_i_gg_check_pairs(const gs_pairs_t *p, int n)
{
    for (int64_t i = 0; i < p->n; i++) {
        if (p->u[i] < 0 || p->u[i] >= n || p->v[i] < 0 || p->v[i] >= n) {
            return gs_i_error(GS_ERR_INVALID, "pair %" PRId64 " (%d, %d) names a node "
                              "outside 0..%d", i, (int)p->u[i], (int)p->v[i], n - 1);
        }
    }
    return GS_OK;
}

gs_status_t gs_graphgan_link_accuracy(const gs_tensor_t *emb, const gs_pairs_t *pos,
                                      const gs_pairs_t *neg, double *accuracy, double *auc)
{
    GS_TRY(gs_i_gg_check_pairs(pos, emb->rows));
    GS_TRY(gs_i_gg_check_pairs(neg, emb->rows));
    return gs_i_gg_evaluate(pos, neg, emb->data, emb->cols, accuracy, auc);
}

gs_status_t gs_graphgan_link_accuracy_common_neighbours(const gs_graph_t *g,
                                                        const gs_pairs_t *pos,
                                                        const gs_pairs_t *neg,
                                                        double *accuracy, double *auc)
{
    GS_TRY(gs_i_gg_check_pairs(pos, g->n_nodes));
    GS_TRY(gs_i_gg_check_pairs(neg, g->n_nodes));
    return score_and_evaluate(pos, neg, common_neighbours, g, accuracy, auc);
}

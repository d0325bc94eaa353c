/*
 * GCC's data pipeline: seeds drawn with probability proportional to degree^0.75 over all
 * pre-training graphs, two walks with restart per seed, each walk's induced subgraph turned
 * into inputs (eigenvectors, capped degrees, the seed flag), and subgraphs batched as one
 * block-diagonal sparse matrix with segment offsets for the readout.
 *
 * The original spreads this over 12 worker processes holding six copies of the graphs.
 * Here the items of a batch are made in parallel by OpenMP threads sharing one copy; each
 * item draws from its own random stream, derived from the seed and its position in the
 * run, so the batch is the same whatever the number of threads.
 */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common_internal.h"
#include "gcc_internal.h"

/* The exponent of GCC's seed distribution and of its training walk budget. */
#define SEED_EXPONENT 0.75

/* --- Items ---------------------------------------------------------------------------- */

void gs_i_gcc_item_destroy(gs_i_gcc_item_t *item)
{
    free(item->indptr);
    free(item->indices);
    free(item->pos);
    free(item->degree);
    memset(item, 0, sizeof *item);
}

static gs_status_t item_reserve(gs_i_gcc_item_t *item, int n, int64_t nnz, int pos_dim)
{
    if (n > item->cap_n) {
        int64_t *indptr = realloc(item->indptr, ((size_t)n + 1) * sizeof *indptr);
        float *pos = indptr ? realloc(item->pos, (size_t)n * pos_dim * sizeof *pos) : NULL;
        int32_t *degree = NULL;

        item->indptr = indptr ? indptr : item->indptr;
        item->pos = pos ? pos : item->pos;
        degree = pos ? realloc(item->degree, (size_t)n * sizeof *degree) : NULL;
        if (!degree) {
            return gs_i_error(GS_ERR_NOMEM, "out of memory for a %d-node subgraph", n);
        }
        item->degree = degree;
        item->cap_n = n;
    }
    if (nnz > item->cap_nnz) {
        int32_t *indices = realloc(item->indices, (size_t)nnz * sizeof *indices);

        if (!indices) {
            return gs_i_error(GS_ERR_NOMEM, "out of memory for a %d-node subgraph", n);
        }
        item->indices = indices;
        item->cap_nnz = nnz;
    }
    return GS_OK;
}

gs_status_t gs_i_gcc_item_fill(gs_i_gcc_item_t *item, const gs_i_rwr_t *w,
                               const gs_gcc_options_t *opt, gs_i_sign_mode_t signs,
                               gs_rng_t *rng, gs_i_eig_ws_t *ws)
{
    int n = w->n_nodes;
    int64_t nnz = w->sub_indptr[n];

    GS_TRY(item_reserve(item, n, nnz > 0 ? nnz : 1, opt->pos_dim));
    item->n = n;
    item->seed = 0;
    memcpy(item->indptr, w->sub_indptr, ((size_t)n + 1) * sizeof *item->indptr);
    memcpy(item->indices, w->sub_indices, (size_t)nnz * sizeof *item->indices);
    for (int i = 0; i < n; i++) {
        int64_t degree = item->indptr[i + 1] - item->indptr[i];

        item->degree[i] = (int32_t)(degree < opt->max_degree ? degree : opt->max_degree);
    }
    return gs_i_gcc_eigen_features(item->indptr, item->indices, n, opt->pos_dim, signs, rng,
                                   ws, item->pos, NULL);
}

/* --- Batches ---------------------------------------------------------------------------- */

void gs_i_gcc_batch_destroy(gs_i_gcc_batch_t *b)
{
    free(b->offsets);
    gs_csr_free(b->adj);
    gs_tensor_free(b->x);
    free(b->degree);
    memset(b, 0, sizeof *b);
}

/* Row i of a block: its self loop merged in column order with its neighbours, weighted 1
 * (GIN's (1 + eps) h_v + sum of neighbours with eps = 0) or by the GCN normalisation. */
static int64_t put_row(gs_csr_t *a, int64_t at, const gs_i_gcc_item_t *it, int i,
                       int64_t base, gs_gcc_encoder_t encoder)
{
    double di = (double)(it->indptr[i + 1] - it->indptr[i]) + 1.0;
    bool self_done = false;

    for (int64_t e = it->indptr[i]; e <= it->indptr[i + 1]; e++) {
        int j = e < it->indptr[i + 1] ? it->indices[e] : it->n;

        if (!self_done && j > i) {
            a->indices[at] = (int32_t)(base + i);
            a->values[at++] = encoder == GS_GCC_ENCODER_GCN ? (float)(1.0 / di) : 1.0f;
            self_done = true;
        }
        if (j < it->n) {
            double dj = (double)(it->indptr[j + 1] - it->indptr[j]) + 1.0;

            a->indices[at] = (int32_t)(base + j);
            a->values[at++] = encoder == GS_GCC_ENCODER_GCN ? (float)(1.0 / sqrt(di * dj))
                                                            : 1.0f;
        }
    }
    return at;
}

static void copy_inputs(gs_i_gcc_batch_t *b, const gs_i_gcc_item_t *it, int64_t base,
                        int pos_dim)
{
    int width = pos_dim + 1;

    for (int i = 0; i < it->n; i++) {
        float *row = b->x->data + (size_t)(base + i) * width;

        memcpy(row, it->pos + (size_t)i * pos_dim, (size_t)pos_dim * sizeof *row);
        row[pos_dim] = i == it->seed ? 1.0f : 0.0f;
        b->degree[base + i] = it->degree[i];
    }
}

static gs_status_t batch_alloc(gs_i_gcc_batch_t *b, int n_graphs, int64_t n_nodes,
                               int64_t nnz, int pos_dim)
{
    if (n_nodes > INT32_MAX) {
        return gs_i_error(GS_ERR_INVALID, "a batch of %lld nodes is too large",
                          (long long)n_nodes);
    }
    b->n_graphs = n_graphs;
    b->n_nodes = (int)n_nodes;
    b->offsets = malloc(((size_t)n_graphs + 1) * sizeof *b->offsets);
    b->adj = gs_csr_new((int)n_nodes, (int)n_nodes, nnz);
    b->x = gs_tensor_new((int)n_nodes, pos_dim + 1);
    b->degree = malloc((size_t)(n_nodes > 0 ? n_nodes : 1) * sizeof *b->degree);
    if (!b->offsets || !b->adj || !b->x || !b->degree) {
        gs_i_gcc_batch_destroy(b);
        return gs_i_error(GS_ERR_NOMEM, "out of memory for a batch of %lld nodes",
                          (long long)n_nodes);
    }

    /* Block-diagonal with symmetric blocks: the matrix is its own transpose. */
    b->adj->transpose = b->adj;
    b->adj->owns_transpose = false;
    return GS_OK;
}

gs_status_t gs_i_gcc_batch_build(gs_i_gcc_batch_t *b, const gs_i_gcc_item_t *items, int first,
                                 int stride, int n, int pos_dim, gs_gcc_encoder_t encoder)
{
    int64_t n_nodes = 0, nnz = 0, at = 0;

    memset(b, 0, sizeof *b);
    for (int g = 0; g < n; g++) {
        const gs_i_gcc_item_t *it = &items[first + (size_t)g * stride];

        n_nodes += it->n;
        nnz += it->indptr[it->n] + it->n;
    }
    GS_TRY(batch_alloc(b, n, n_nodes, nnz, pos_dim));

    b->offsets[0] = 0;
    for (int g = 0; g < n; g++) {
        const gs_i_gcc_item_t *it = &items[first + (size_t)g * stride];
        int64_t base = b->offsets[g];

        for (int i = 0; i < it->n; i++) {
            at = put_row(b->adj, at, it, i, base, encoder);
            b->adj->indptr[base + i + 1] = at;
        }
        copy_inputs(b, it, base, pos_dim);
        b->offsets[g + 1] = base + it->n;
    }
    return GS_OK;
}

/* --- The sampler ------------------------------------------------------------------------ */

void gs_i_gcc_sampler_destroy(gs_i_gcc_sampler_t *s)
{
    for (int t = 0; s->rwr && t < s->n_threads; t++) {
        gs_i_rwr_destroy(&s->rwr[t]);
        gs_i_eig_ws_destroy(&s->eig[t]);
    }
    for (int i = 0; i < s->cap_items; i++) {
        gs_i_gcc_item_destroy(&s->items[i]);
    }
    free(s->rwr);
    free(s->eig);
    free(s->items);
    free(s->first_node);
    if (s->has_seeds) {
        gs_i_alias_destroy(&s->seeds);
    }
    memset(s, 0, sizeof *s);
}

/* Seed weights degree^0.75 over the nodes of every graph, one table. */
static gs_status_t build_seed_table(gs_i_gcc_sampler_t *s)
{
    int64_t total = s->first_node[s->n_graphs];
    double *w;
    gs_status_t status;

    if (total > INT32_MAX) {
        return gs_i_error(GS_ERR_INVALID, "the graphs hold %lld nodes; at most %d are "
                          "supported", (long long)total, INT32_MAX);
    }
    if (!(w = malloc((size_t)(total > 0 ? total : 1) * sizeof *w))) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory for the seed distribution");
    }
    for (int g = 0; g < s->n_graphs; g++) {
        for (int v = 0; v < s->graphs[g]->n_nodes; v++) {
            w[s->first_node[g] + v] = pow(gs_graph_degree(s->graphs[g], v), SEED_EXPONENT);
        }
    }
    status = gs_i_alias_init(&s->seeds, w, (int)total);
    free(w);
    if (status == GS_ERR_INVALID) {
        return gs_i_error(GS_ERR_INVALID, "no pre-training graph has an edge");
    }
    s->has_seeds = status == GS_OK;
    return status;
}

static gs_status_t alloc_threads(gs_i_gcc_sampler_t *s)
{
    int max_nodes = 1;

    for (int g = 0; g < s->n_graphs; g++) {
        max_nodes = s->graphs[g]->n_nodes > max_nodes ? s->graphs[g]->n_nodes : max_nodes;
    }
    s->n_threads = omp_get_max_threads();
    s->rwr = calloc((size_t)s->n_threads, sizeof *s->rwr);
    s->eig = calloc((size_t)s->n_threads, sizeof *s->eig);
    if (!s->rwr || !s->eig) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory for the samplers");
    }
    for (int t = 0; t < s->n_threads; t++) {
        GS_TRY(gs_i_rwr_init(&s->rwr[t], max_nodes));
    }
    return GS_OK;
}

gs_status_t gs_i_gcc_sampler_init(gs_i_gcc_sampler_t *s, const gs_graph_t *const *graphs,
                                  int n_graphs, const gs_gcc_options_t *opt, bool with_seeds)
{
    gs_status_t status;

    memset(s, 0, sizeof *s);
    s->graphs = graphs;
    s->n_graphs = n_graphs;
    s->opt = opt;
    s->first_node = malloc(((size_t)n_graphs + 1) * sizeof *s->first_node);
    if (!s->first_node) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory for the samplers");
    }
    s->first_node[0] = 0;
    for (int g = 0; g < n_graphs; g++) {
        s->first_node[g + 1] = s->first_node[g] + graphs[g]->n_nodes;
    }

    status = alloc_threads(s);
    if (status == GS_OK && with_seeds) {
        status = build_seed_table(s);
    }
    if (status != GS_OK) {
        gs_i_gcc_sampler_destroy(s);
    }
    return status;
}

static gs_status_t reserve_items(gs_i_gcc_sampler_t *s, int n)
{
    gs_i_gcc_item_t *grown;

    if (n <= s->cap_items) {
        return GS_OK;
    }
    if (!(grown = realloc(s->items, (size_t)n * sizeof *grown))) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory for %d subgraphs", n);
    }
    memset(grown + s->cap_items, 0, (size_t)(n - s->cap_items) * sizeof *grown);
    s->items = grown;
    s->cap_items = n;
    return GS_OK;
}

/* The graph holding global node index v, by binary search over first_node. */
static int graph_of(const gs_i_gcc_sampler_t *s, int64_t v)
{
    int lo = 0, hi = s->n_graphs - 1;

    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;

        if (s->first_node[mid] <= v) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    return lo;
}

/* A failure inside a parallel loop: the first one's status and message are kept, since
 * gs_last_error() is per thread and the caller reads it on its own. */
typedef struct first_failure {
    gs_status_t status;
    char message[512];
} first_failure_t;

static void note_failure(first_failure_t *f, gs_status_t status)
{
    if (status == GS_OK) {
        return;
    }
    #pragma omp critical(gs_gcc_failure)
    if (f->status == GS_OK) {
        f->status = status;
        snprintf(f->message, sizeof f->message, "%s", gs_last_error());
    }
}

static gs_status_t raise_failure(const first_failure_t *f)
{
    return f->status == GS_OK ? GS_OK : gs_i_error(f->status, "%s", f->message);
}

/* One walk from node v of graph g into item, using thread tid's workspaces. */
static gs_status_t walk_item(gs_i_gcc_sampler_t *s, int tid, const gs_graph_t *g, int v,
                             double exponent, gs_i_sign_mode_t signs, gs_rng_t *rng,
                             gs_i_gcc_item_t *item)
{
    const gs_gcc_options_t *opt = s->opt;
    gs_i_rwr_t *w = &s->rwr[tid];
    int budget = gs_i_rwr_budget(gs_graph_degree(g, v), exponent, opt->restart_prob,
                                 opt->rw_hops);

    GS_TRY(gs_i_rwr_sample(w, g->adj, v, opt->restart_prob, budget, rng));
    GS_TRY(gs_i_rwr_induce(w, g->adj));
    return gs_i_gcc_item_fill(item, w, opt, signs, rng, &s->eig[tid]);
}

static void count_items(gs_i_gcc_sampler_t *s, int n)
{
    for (int i = 0; i < n; i++) {
        s->n_subgraphs++;
        s->n_subgraph_nodes += s->items[i].n;
    }
}

gs_status_t gs_i_gcc_sample_pairs(gs_i_gcc_sampler_t *s, int batch, gs_rng_t *rng,
                                  uint64_t walks)
{
    first_failure_t failure = {GS_OK, ""};
    int32_t *graph = malloc((size_t)batch * sizeof *graph);
    int32_t *node = malloc((size_t)batch * sizeof *node);

    if (!graph || !node || reserve_items(s, 2 * batch) != GS_OK) {
        free(graph);
        free(node);
        return gs_i_error(GS_ERR_NOMEM, "out of memory for a batch of %d pairs", batch);
    }
    for (int i = 0; i < batch; i++) {
        int64_t v = gs_i_alias_draw(&s->seeds, rng);

        graph[i] = graph_of(s, v);
        node[i] = (int32_t)(v - s->first_node[graph[i]]);
    }

    #pragma omp parallel for schedule(dynamic, 1)
    for (int i = 0; i < 2 * batch; i++) {
        gs_rng_t item_rng;

        gs_rng_init(&item_rng, s->opt->seed, (walks << 32) + (uint64_t)i);
        note_failure(&failure, walk_item(s, omp_get_thread_num(), s->graphs[graph[i / 2]],
                                         node[i / 2], SEED_EXPONENT, GS_I_SIGN_RANDOM,
                                         &item_rng, &s->items[i]));
    }
    free(graph);
    free(node);
    count_items(s, 2 * batch);
    return raise_failure(&failure);
}

gs_status_t gs_i_gcc_sample_nodes(gs_i_gcc_sampler_t *s, const int32_t *nodes, int n,
                                  double exponent, gs_i_sign_mode_t signs, uint64_t walks)
{
    first_failure_t failure = {GS_OK, ""};

    GS_TRY(reserve_items(s, n));

    #pragma omp parallel for schedule(dynamic, 1)
    for (int i = 0; i < n; i++) {
        gs_rng_t item_rng;

        gs_rng_init(&item_rng, s->opt->seed, (walks << 32) + (uint64_t)nodes[i]);
        note_failure(&failure, walk_item(s, omp_get_thread_num(), s->graphs[0], nodes[i],
                                         exponent, signs, &item_rng, &s->items[i]));
    }
    return raise_failure(&failure);
}

/* Graph g of c, whole, into item: its highest-degree node (the first of them) is the seed. */
static gs_status_t graph_item(gs_i_gcc_sampler_t *s, int tid, const gs_graph_collection_t *c,
                              int g, gs_i_gcc_item_t *item)
{
    gs_i_rwr_t *w = &s->rwr[tid];
    int32_t begin = (int32_t)c->offsets[g], end = (int32_t)c->offsets[g + 1], top = begin;

    for (int32_t v = begin; v < end; v++) {
        top = gs_graph_degree(c->graph, v) > gs_graph_degree(c->graph, top) ? v : top;
    }
    gs_i_rwr_clear(w);
    GS_TRY(gs_i_rwr_add(w, top));
    for (int32_t v = begin; v < end; v++) {
        GS_TRY(gs_i_rwr_add(w, v));
    }
    GS_TRY(gs_i_rwr_induce(w, c->graph->adj));
    return gs_i_gcc_item_fill(item, w, s->opt, GS_I_SIGN_CANONICAL, NULL, &s->eig[tid]);
}

gs_status_t gs_i_gcc_sample_graphs(gs_i_gcc_sampler_t *s, const gs_graph_collection_t *c,
                                   const int32_t *ids, int n)
{
    first_failure_t failure = {GS_OK, ""};

    GS_TRY(reserve_items(s, n));

    #pragma omp parallel for schedule(dynamic, 1)
    for (int i = 0; i < n; i++) {
        note_failure(&failure, graph_item(s, omp_get_thread_num(), c, ids[i], &s->items[i]));
    }
    return raise_failure(&failure);
}

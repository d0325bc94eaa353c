/*
 * GraphGAN's graph softmax and its sampling (Wang et al., AAAI 2018, equations 6-7 and
 * Algorithm 2):
 *
 *   p_c(y | x) = exp(g_x . g_y + b_y) / sum over tree neighbours z of x of exp(g_x . g_z + b_z)
 *   G(v | root) = prod_{j} p_c(v_j | v_{j-1}) * p_c(v_{m-1} | v_m)   along the tree path
 *
 * A walk starts at the root, moves by p_c to a tree neighbour (at the root: a child) and
 * stops the first time it moves back towards the parent; the node it turns at is the
 * sample, so samples are distributed exactly as G(. | root).  The relevance includes G's
 * bias b_y, as the original's all_score = G G^T + b does.
 *
 * Sampling runs in parallel over contiguous blocks of roots, each root with its own random
 * stream, and the blocks are concatenated in root order: the same data for any number of
 * threads.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common_internal.h"
#include "graphgan_internal.h"

/*
 * Fills buf with exp(relevance - max) of x's allowed tree neighbours, the parent first
 * when allowed; returns their count and their sum in *sum.
 */
static int candidates(const gs_i_bfs_tree_t *t, const gs_i_gg_table_t *g, int x,
                      bool away_from_root, double *buf, bool *has_parent, double *sum)
{
    int u = t->node[x], p = t->parent[x], n = 0;
    double top = -INFINITY;

    *has_parent = p >= 0 && !(away_from_root && p == 0);
    if (*has_parent) {
        buf[n++] = gs_i_gg_relevance(g, u, t->node[p]);
    }
    for (int c = t->child_start[x]; c < t->child_start[x + 1]; c++) {
        buf[n++] = gs_i_gg_relevance(g, u, t->node[c]);
    }
    for (int k = 0; k < n; k++) {
        top = buf[k] > top ? buf[k] : top;
    }

    *sum = 0.0;
    for (int k = 0; k < n; k++) {
        buf[k] = exp(buf[k] - top);
        *sum += buf[k];
    }
    return n;
}

double gs_i_gg_step_probability(const gs_i_bfs_tree_t *t, const gs_i_gg_table_t *g, int x,
                                int y, double *buf)
{
    bool has_parent;
    double sum;
    int n = candidates(t, g, x, false, buf, &has_parent, &sum);

    if (has_parent && y == t->parent[x]) {
        return buf[0] / sum;
    }
    for (int k = has_parent; k < n; k++) {
        if (t->child_start[x] + k - has_parent == y) {
            return buf[k] / sum;
        }
    }
    return 0.0;
}

double gs_i_gg_softmax_probability(const gs_i_bfs_tree_t *t, const gs_i_gg_table_t *g,
                                   int slot, double *buf)
{
    double p;

    /* The walk always leaves the root, so the root itself is never a sample. */
    if (slot <= 0 || slot >= t->n) {
        return 0.0;
    }
    p = gs_i_gg_step_probability(t, g, slot, t->parent[slot], buf);
    for (int y = slot; y != 0; y = t->parent[y]) {
        p *= gs_i_gg_step_probability(t, g, t->parent[y], y, buf);
    }
    return p;
}

int gs_i_gg_walk(const gs_i_bfs_tree_t *t, const gs_i_gg_table_t *g, bool away_from_root,
                 gs_rng_t *rng, double *buf, int32_t *path, int *path_len)
{
    int x = 0, len = 0;

    path[len++] = 0;
    for (;;) {
        bool has_parent;
        double sum, r;
        int n = candidates(t, g, x, away_from_root, buf, &has_parent, &sum);
        int k = 0;

        if (n == 0) {
            return -1;
        }
        r = gs_rng_uniform(rng) * sum;
        while (k < n - 1 && r >= buf[k]) {
            r -= buf[k];
            k++;
        }
        if (has_parent && k == 0) {
            *path_len = len;
            return x;
        }

        /* Children only move the walk down, so it ends within the tree's depth. */
        x = t->child_start[x] + k - has_parent;
        path[len++] = x;
    }
}

void gs_i_gg_pairs_destroy(gs_i_gg_pairs_t *p)
{
    free(p->pairs);
    free(p->value);
    memset(p, 0, sizeof *p);
}

static bool pairs_reserve(gs_i_gg_pairs_t *p, int64_t more)
{
    int64_t cap = p->cap ? p->cap : 1024;
    int32_t *pairs;
    float *value;

    if (p->n + more <= p->cap) {
        return true;
    }
    while (cap < p->n + more) {
        cap *= 2;
    }
    pairs = realloc(p->pairs, (size_t)cap * 2 * sizeof *pairs);
    if (pairs) {
        p->pairs = pairs;
    }
    value = realloc(p->value, (size_t)cap * sizeof *value);
    if (value) {
        p->value = value;
    }
    if (!pairs || !value) {
        return false;
    }
    p->cap = cap;
    return true;
}

static void pairs_push(gs_i_gg_pairs_t *p, int u, int v, float value)
{
    p->pairs[2 * p->n] = u;
    p->pairs[2 * p->n + 1] = v;
    p->value[p->n] = value;
    p->n++;
}

bool gs_i_gg_path_pairs(const gs_i_bfs_tree_t *t, const int32_t *path, int len, int window,
                        gs_i_gg_pairs_t *out)
{
    if (!pairs_reserve(out, (int64_t)len * 2 * window)) {
        return false;
    }
    for (int i = 0; i < len; i++) {
        int lo = i - window > 0 ? i - window : 0;
        int hi = i + window < len - 1 ? i + window : len - 1;

        for (int j = lo; j <= hi; j++) {
            if (j != i) {
                pairs_push(out, t->node[path[i]], t->node[path[j]], 0.0f);
            }
        }
    }
    return true;
}

/* What one thread needs to sample its block of roots. */
typedef struct worker {
    gs_i_bfs_scratch_t scratch;
    double *buf;          /* (max degree + 1) */
    int32_t *path;        /* (N + 1) */
    gs_i_gg_pairs_t out;
} worker_t;

static void worker_destroy(worker_t *w)
{
    gs_i_bfs_scratch_destroy(&w->scratch);
    free(w->buf);
    free(w->path);
    gs_i_gg_pairs_destroy(&w->out);
}

static bool worker_init(worker_t *w, const gs_graph_t *g)
{
    int max_degree = 0;

    memset(w, 0, sizeof *w);
    for (int v = 0; v < g->n_nodes; v++) {
        int d = gs_graph_degree(g, v);

        max_degree = d > max_degree ? d : max_degree;
    }
    w->buf = malloc(((size_t)max_degree + 1) * sizeof *w->buf);
    w->path = malloc(((size_t)g->n_nodes + 1) * sizeof *w->path);
    return gs_i_bfs_scratch_init(&w->scratch, g->n_nodes) == GS_OK && w->buf && w->path;
}

/* D's pairs of one root: its neighbours, then as many samples from beyond them. */
static bool sample_dis_root(const gs_i_gg_sampler_t *s, int root, gs_rng_t *rng, worker_t *w)
{
    const gs_csr_t *adj = s->g->adj;
    int degree = gs_graph_degree(s->g, root);
    const gs_i_bfs_tree_t *t;
    int found = 0, tries = 0;

    if (degree == 0) {
        return true;
    }
    if (!pairs_reserve(&w->out, 2 * (int64_t)degree)) {
        return false;
    }
    for (int64_t e = adj->indptr[root]; e < adj->indptr[root + 1]; e++) {
        pairs_push(&w->out, root, adj->indices[e], 1.0f);
    }

    /* A walk stuck at a child without children of its own starts over; the original gives
     * up on the whole root instead, which in a collaboration graph drops most roots that
     * sit in a clique.  The bound on tries covers roots with nothing beyond one hop. */
    t = gs_i_bfs_cache_get(s->trees, root, &w->scratch);
    while (found < degree && tries < 4 * degree + 16) {
        int len, slot = gs_i_gg_walk(t, s->gen, true, rng, w->buf, w->path, &len);

        tries++;
        if (slot >= 0) {
            pairs_push(&w->out, root, t->node[slot], 0.0f);
            found++;
        }
    }
    return true;
}

/* G's pairs of one root: the pairs within the window along each of its walks. */
static bool sample_gen_root(const gs_i_gg_sampler_t *s, int root, gs_rng_t *rng, worker_t *w)
{
    const gs_i_bfs_tree_t *t = gs_i_bfs_cache_get(s->trees, root, &w->scratch);

    for (int k = 0; k < s->n_sample_gen && t->n > 1; k++) {
        int len;

        gs_i_gg_walk(t, s->gen, false, rng, w->buf, w->path, &len);
        if (!gs_i_gg_path_pairs(t, w->path, len, s->window, &w->out)) {
            return false;
        }
    }
    return true;
}

typedef bool (*root_fn)(const gs_i_gg_sampler_t *s, int root, gs_rng_t *rng, worker_t *w);

/* Roots lo..hi-1 of one thread, each from its own stream of the round. */
static bool sample_block(const gs_i_gg_sampler_t *s, root_fn fn, uint64_t round_seed, int lo,
                         int hi, worker_t *w)
{
    for (int root = lo; root < hi; root++) {
        gs_rng_t rng;

        gs_rng_init(&rng, round_seed, (uint64_t)root);
        if (!fn(s, root, &rng, w)) {
            return false;
        }
    }
    return true;
}

/* Appends the blocks in thread order, which is root order. */
static gs_status_t concatenate(worker_t *workers, int n_workers, gs_i_gg_pairs_t *out)
{
    int64_t total = 0;

    for (int i = 0; i < n_workers; i++) {
        total += workers[i].out.n;
    }
    out->n = 0;
    if (!pairs_reserve(out, total)) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory for %lld GraphGAN samples",
                          (long long)total);
    }
    for (int i = 0; i < n_workers; i++) {
        const gs_i_gg_pairs_t *p = &workers[i].out;

        memcpy(out->pairs + 2 * out->n, p->pairs, (size_t)p->n * 2 * sizeof *p->pairs);
        memcpy(out->value + out->n, p->value, (size_t)p->n * sizeof *p->value);
        out->n += p->n;
    }
    return GS_OK;
}

static gs_status_t sample_round(const gs_i_gg_sampler_t *s, root_fn fn, uint64_t stream,
                                gs_i_gg_pairs_t *out)
{
    int n_blocks = gs_threads_get() > 0 ? gs_threads_get() : 1;
    worker_t *workers = calloc((size_t)n_blocks, sizeof *workers);
    gs_status_t status;
    uint64_t round_seed;
    bool ok = true;
    gs_rng_t r;

    if (!workers) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory sampling for GraphGAN");
    }
    gs_rng_init(&r, s->seed, stream);
    round_seed = gs_rng_next(&r);

    /* One contiguous block of roots per thread, so that concatenating the blocks in order
     * gives the roots in order whoever sampled them. */
#pragma omp parallel for schedule(static, 1) reduction(&& : ok)
    for (int b = 0; b < n_blocks; b++) {
        int lo = (int)((int64_t)s->g->n_nodes * b / n_blocks);
        int hi = (int)((int64_t)s->g->n_nodes * (b + 1) / n_blocks);

        ok = worker_init(&workers[b], s->g) &&
             sample_block(s, fn, round_seed, lo, hi, &workers[b]);
    }
    status = ok ? concatenate(workers, n_blocks, out)
                : gs_i_error(GS_ERR_NOMEM, "out of memory sampling for GraphGAN");
    for (int b = 0; b < n_blocks; b++) {
        worker_destroy(&workers[b]);
    }
    free(workers);
    return status;
}

gs_status_t gs_i_gg_sample_dis(const gs_i_gg_sampler_t *s, uint64_t stream,
                               gs_i_gg_pairs_t *out)
{
    return sample_round(s, sample_dis_root, stream, out);
}

gs_status_t gs_i_gg_sample_gen(const gs_i_gg_sampler_t *s, uint64_t stream,
                               gs_i_gg_pairs_t *out)
{
    return sample_round(s, sample_gen_root, stream, out);
}

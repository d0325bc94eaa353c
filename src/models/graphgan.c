/*
 * GraphGAN (Wang et al., AAAI 2018), as its authors' code trains it (hwwang55/GraphGAN):
 *
 *   D(u, v) = s(d_u . d_v + b_v)                         discriminator, table d, bias b
 *   D step:  for every root u, its neighbours (label 1) and as many samples of G beyond
 *            them (label 0); loss = sum over a batch of BCE + lambda/2 |gathered rows|^2
 *   G step:  for every root u, 20 walks of the graph softmax on u's BFS tree; the pairs
 *            within 2 along each walk, rewarded by D with log(1 + exp(D's logit));
 *            loss = -mean(reward * log s(g_u . g_v + c_v)) + lambda/2 |gathered rows|^2
 *   epoch:   D steps then G steps, then both embeddings are scored on the eval pairs.
 *
 * Each step samples afresh and makes one pass of Adam over its data in batches of 64,
 * the batches in shuffled order.  The original's config (30 inner loops with a sampling
 * interval of 30, and the sampled lists emptied every loop) amounts to exactly one such
 * step each per epoch, which is the default here.
 *
 * The GCN generator (GS_GRAPHGAN_GEN_GCN) replaces G's free table by one linear GCN layer:
 * node u's vector is row u of Â X W (X the identity when the graph has no features), W is
 * what the same policy gradient trains (through the rows of Â X a batch reads), and the
 * stored Â X W that the walks read is recomputed after every G step.
 *
 * Adam updates the rows a batch touches (as torch's SparseAdam).  TF1's Adam, which the
 * original uses, also keeps moving every row along its decaying first moment at every
 * step: a row touched once travels about ten times as far in total (the sum of 0.9^k
 * against the much slower decay of the second moment), at N x D work per batch.
 *
 * Learning rates.  The original's 1e-3 for both, with that dense Adam, does not reproduce
 * the paper (users report 0.57-0.71 link-acc on CA-GrQc); 1e-5 was found to.  Here, with
 * the tenfold shorter travel per touch, G at 3e-3 collapses the same way (0.60 after 20
 * epochs), 1e-3 peaks near epoch 10 (0.883) and then declines, and 5e-4 rises steadily
 * over the 20 epochs (0.834 from DeepWalk to 0.876-0.881 over seeds 0-2): the default.
 * D's link-acc falls at any rate that moves it, because its negatives, nodes two hops
 * from the root, are pairs of the kind a held-out edge is; 1e-4 lets its own loss fall
 * (by a fifth over 20 epochs) while its link-acc stays within 0.005 of DeepWalk's.
 */
#include "graphssl/graphgan.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common_internal.h"
#include "embeddings_internal.h"
#include "graphgan_internal.h"

/* Random streams of this model (DeepWalk's init uses its own). */
#define STREAM_INIT 0x6767000000000000ULL
#define STREAM_DIS 0x6764000000000000ULL
#define STREAM_GEN 0x6767100000000000ULL
#define STREAM_ORDER 0x676f000000000000ULL

/* Adam's constants, TensorFlow's defaults. */
#define BETA1 0.9
#define BETA2 0.999
#define ADAM_EPS 1e-8

/* The original clips G's probability from below before its log, and D's logit before the
 * reward. */
#define GEN_PROB_MIN 1e-5f
#define REWARD_CLIP 10.0f

struct gs_graphgan {
    int n_nodes;
    int dim;
    gs_csr_t *h;              /* (N, F) Â X of the GCN generator, or NULL */
    gs_i_gg_table_t gen;
    gs_i_gg_table_t dis;
};

void gs_graphgan_options_init(gs_graphgan_options_t *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->dim = 50;
    opt->epochs = 20;
    opt->dis_steps = 1;
    opt->gen_steps = 1;
    opt->batch_size_dis = 64;
    opt->batch_size_gen = 64;
    opt->n_sample_gen = 20;
    opt->window = 2;
    opt->lr_dis = 1e-4f;
    opt->lr_gen = 5e-4f;
    opt->lambda_dis = 1e-5f;
    opt->lambda_gen = 1e-5f;
    opt->tree_cache_bytes = (size_t)256 << 20;
    opt->init = GS_GRAPHGAN_INIT_DEEPWALK;
    gs_deepwalk_options_init(&opt->deepwalk);
}

/* --- Tables and their Adam steps ------------------------------------------------------ */

static void param_destroy(gs_i_gg_param_t *p)
{
    free(p->w);
    free(p->m);
    free(p->v);
    free(p->slot);
    free(p->touched);
    free(p->grad);
    memset(p, 0, sizeof *p);
}

static bool param_init(gs_i_gg_param_t *p, int rows, int cols, int cap)
{
    size_t size = (size_t)rows * (size_t)cols;

    p->rows = rows;
    p->cols = cols;
    p->cap = cap;
    p->w = calloc(size, sizeof *p->w);
    p->m = calloc(size, sizeof *p->m);
    p->v = calloc(size, sizeof *p->v);
    p->slot = malloc((size_t)rows * sizeof *p->slot);
    p->touched = malloc((size_t)cap * sizeof *p->touched);
    p->grad = malloc((size_t)cap * cols * sizeof *p->grad);
    if (!p->w || !p->m || !p->v || !p->slot || !p->touched || !p->grad) {
        return false;
    }
    for (int r = 0; r < rows; r++) {
        p->slot[r] = -1;
    }
    return true;
}

/* The gradient row of row r in the current batch, zeroed on first touch. */
static float *grad_row(gs_i_gg_param_t *p, int r)
{
    int s = p->slot[r];

    if (s < 0) {
        s = p->n_touched++;
        p->slot[r] = s;
        p->touched[s] = r;
        memset(p->grad + (size_t)s * p->cols, 0, (size_t)p->cols * sizeof *p->grad);
    }
    return p->grad + (size_t)s * p->cols;
}

static void adam_update(float *w, float *m, float *v, const float *g, int n, float alpha)
{
    for (int k = 0; k < n; k++) {
        m[k] = (float)(BETA1 * m[k] + (1.0 - BETA1) * g[k]);
        v[k] = (float)(BETA2 * v[k] + (1.0 - BETA2) * g[k] * g[k]);
        w[k] -= alpha * m[k] / (sqrtf(v[k]) + (float)ADAM_EPS);
    }
}

/* Applies one Adam step with step size alpha to the touched rows, then forgets them. */
static void param_step(gs_i_gg_param_t *p, float alpha)
{
    size_t c = (size_t)p->cols;

    for (int s = 0; s < p->n_touched; s++) {
        size_t r = (size_t)p->touched[s];

        adam_update(p->w + r * c, p->m + r * c, p->v + r * c, p->grad + s * c, p->cols, alpha);
        p->slot[r] = -1;
    }
    p->n_touched = 0;
}

/* The most non-zeros in a row of h: how many weight rows one node's vector reads. */
static int max_row_nnz(const gs_csr_t *h)
{
    int64_t most = 1;

    for (int r = 0; r < h->n_rows; r++) {
        int64_t nnz = h->indptr[r + 1] - h->indptr[r];

        most = nnz > most ? nnz : most;
    }
    return (int)most;
}

gs_status_t gs_i_gg_table_init(gs_i_gg_table_t *t, int n, int dim, int batch,
                               const gs_csr_t *h, float lr, float lambda)
{
    int rows = h ? h->n_cols : n, reach = h ? max_row_nnz(h) : 1;
    bool ok;

    memset(t, 0, sizeof *t);
    t->n = n;
    t->dim = dim;
    t->h = h;
    t->lr = lr;
    t->lambda = lambda;
    ok = param_init(&t->weight, rows, dim, 2 * batch * reach) &&
         param_init(&t->bias, n, 1, 2 * batch);
    if (ok && h) {
        t->emb = calloc((size_t)n * dim, sizeof *t->emb);
        t->scratch = malloc(2 * (size_t)dim * sizeof *t->scratch);
        ok = t->emb && t->scratch;
    } else if (ok) {
        t->emb = t->weight.w;
    }
    if (!ok) {
        gs_i_gg_table_destroy(t);
        return gs_i_error(GS_ERR_NOMEM, "out of memory for a %d x %d GraphGAN table", rows,
                          dim);
    }
    return GS_OK;
}

void gs_i_gg_table_destroy(gs_i_gg_table_t *t)
{
    if (t->h) {
        free(t->emb);
    }
    free(t->scratch);
    param_destroy(&t->weight);
    param_destroy(&t->bias);
    memset(t, 0, sizeof *t);
}

void gs_i_gg_table_refresh(gs_i_gg_table_t *t)
{
    if (t->h) {
        gs_csr_spmm(t->h, t->weight.w, t->dim, t->emb);
    }
}

static inline float dot(const float *a, const float *b, int d)
{
    float s = 0.0f;

#pragma omp simd reduction(+ : s)
    for (int k = 0; k < d; k++) {
        s += a[k] * b[k];
    }
    return s;
}

/* Node u's current vector: its row of the table, or row u of H W computed into buf (the
 * stored H W is only refreshed between passes). */
static const float *node_vector(const gs_i_gg_table_t *t, int u, float *buf)
{
    const gs_csr_t *h = t->h;

    if (!h) {
        return t->weight.w + (size_t)u * t->dim;
    }
    memset(buf, 0, (size_t)t->dim * sizeof *buf);
    for (int64_t e = h->indptr[u]; e < h->indptr[u + 1]; e++) {
        const float *w = t->weight.w + (size_t)h->indices[e] * t->dim;

        for (int k = 0; k < t->dim; k++) {
            buf[k] += h->values[e] * w[k];
        }
    }
    return buf;
}

/* Adds a * x + lambda * e_u to the gradient of node u's vector: to its table row, or
 * through H to the weight rows it reads. */
static void add_node_grad(gs_i_gg_table_t *t, int u, float a, const float *x, const float *eu)
{
    const gs_csr_t *h = t->h;
    int64_t begin = h ? h->indptr[u] : 0, end = h ? h->indptr[u + 1] : 1;

    for (int64_t e = begin; e < end; e++) {
        float *g = grad_row(&t->weight, h ? h->indices[e] : u);
        float scale = h ? h->values[e] : 1.0f;

        for (int k = 0; k < t->dim; k++) {
            g[k] += scale * (a * x[k] + t->lambda * eu[k]);
        }
    }
}

/* Adds the gradient of a pair's logit s = e_u . e_v + b_v scaled by ds, and of the L2
 * terms lambda/2 (|e_u|^2 + |e_v|^2) (+ lambda/2 b_v^2 when bias_l2). */
static void add_pair_grad(gs_i_gg_table_t *t, int u, const float *eu, int v, const float *ev,
                          float ds, bool bias_l2)
{
    add_node_grad(t, u, ds, ev, eu);
    add_node_grad(t, v, ds, eu, ev);
    *grad_row(&t->bias, v) += ds + (bias_l2 ? t->lambda * t->bias.w[v] : 0.0f);
}

/* One Adam step on everything the batch touched (TensorFlow's form: the bias correction
 * folded into the step size). */
static void adam_step(gs_i_gg_table_t *t)
{
    double step = (double)++t->step;
    float alpha = (float)(t->lr * sqrt(1.0 - pow(BETA2, step)) / (1.0 - pow(BETA1, step)));

    param_step(&t->weight, alpha);
    param_step(&t->bias, alpha);
}

double gs_i_gg_dis_step(gs_i_gg_table_t *d, const int32_t *pairs, const float *labels, int n)
{
    double loss = 0.0;

    for (int i = 0; i < n; i++) {
        int u = pairs[2 * i], v = pairs[2 * i + 1];
        const float *eu = node_vector(d, u, d->scratch);
        const float *ev = node_vector(d, v, d->scratch ? d->scratch + d->dim : NULL);
        float s = dot(eu, ev, d->dim) + d->bias.w[v], y = labels[i];

        /* BCE with logits, max(s, 0) - s y + log(1 + e^-|s|); its derivative s(s) - y. */
        loss += fmax(s, 0.0) - (double)s * y + log1p(exp(-fabs((double)s)));
        add_pair_grad(d, u, eu, v, ev, 1.0f / (1.0f + expf(-s)) - y, true);
    }
    adam_step(d);
    return loss;
}

double gs_i_gg_gen_step(gs_i_gg_table_t *g, const int32_t *pairs, const float *reward, int n)
{
    double loss = 0.0;

    for (int i = 0; i < n; i++) {
        int u = pairs[2 * i], v = pairs[2 * i + 1];
        const float *eu = node_vector(g, u, g->scratch);
        const float *ev = node_vector(g, v, g->scratch ? g->scratch + g->dim : NULL);
        float p = 1.0f / (1.0f + expf(-(dot(eu, ev, g->dim) + g->bias.w[v])));

        /* d(-r log p)/ds = -r (1 - p) over the batch mean; zero where the clip holds p. */
        float ds = p > GEN_PROB_MIN ? -reward[i] * (1.0f - p) / (float)n : 0.0f;

        loss += -(double)reward[i] * log(p > GEN_PROB_MIN ? p : GEN_PROB_MIN);
        add_pair_grad(g, u, eu, v, ev, ds, false);
    }
    adam_step(g);
    return loss;
}

float gs_i_gg_reward(const gs_i_gg_table_t *d, int u, int v)
{
    const float *eu = d->emb + (size_t)u * d->dim, *ev = d->emb + (size_t)v * d->dim;
    float s = dot(eu, ev, d->dim) + d->bias.w[v];

    s = s > REWARD_CLIP ? REWARD_CLIP : (s < -REWARD_CLIP ? -REWARD_CLIP : s);
    return log1pf(expf(s));
}

/* --- Training --------------------------------------------------------------------------- */

static gs_status_t check_options(const gs_graph_t *g, const gs_graphgan_options_t *o)
{
    const gs_tensor_t *init = o->init_embeddings;

    if (g->n_nodes < 2) {
        return gs_i_error(GS_ERR_INVALID, "GraphGAN needs at least 2 nodes, found %d",
                          g->n_nodes);
    }
    if (o->dim < 1 || o->dim > (1 << 16) || o->epochs < 0 || o->dis_steps < 0 ||
        o->gen_steps < 0 || o->batch_size_dis < 1 || o->batch_size_gen < 1 ||
        o->n_sample_gen < 1 || o->window < 1) {
        return gs_i_error(GS_ERR_INVALID,
                          "GraphGAN options out of range: dim %d, epochs %d, steps %d/%d, "
                          "batch sizes %d/%d, samples %d, window %d", o->dim, o->epochs,
                          o->dis_steps, o->gen_steps, o->batch_size_dis, o->batch_size_gen,
                          o->n_sample_gen, o->window);
    }
    if (!(o->lr_dis > 0.0f) || !(o->lr_gen > 0.0f) || !(o->lambda_dis >= 0.0f) ||
        !(o->lambda_gen >= 0.0f) || !isfinite(o->lr_dis) || !isfinite(o->lr_gen)) {
        return gs_i_error(GS_ERR_INVALID,
                          "GraphGAN learning rates must be positive and L2 weights "
                          "non-negative, found %g, %g, %g, %g", o->lr_dis, o->lr_gen,
                          o->lambda_dis, o->lambda_gen);
    }
    if (o->init == GS_GRAPHGAN_INIT_GIVEN &&
        (!init || init->rows != g->n_nodes || init->cols != o->dim)) {
        return gs_i_error(GS_ERR_INVALID,
                          "GraphGAN initial embeddings must be %d x %d, found %d x %d",
                          g->n_nodes, o->dim, init ? init->rows : 0, init ? init->cols : 0);
    }
    return GS_OK;
}

/* The initial node vectors (N, D) into d's table. */
static gs_status_t init_vectors(const gs_graph_t *g, const gs_graphgan_options_t *o,
                                gs_i_gg_table_t *d)
{
    size_t size = (size_t)g->n_nodes * (size_t)o->dim;
    gs_deepwalk_options_t dw = o->deepwalk;
    gs_deepwalk_t *walker = NULL;
    gs_tensor_t *emb = NULL;
    gs_status_t status;
    gs_rng_t rng;

    if (o->init == GS_GRAPHGAN_INIT_RANDOM) {
        gs_rng_init(&rng, o->seed, STREAM_INIT);
        for (size_t i = 0; i < size; i++) {
            d->weight.w[i] = (float)(0.1 * gs_rng_normal(&rng));
        }
        return GS_OK;
    }
    if (o->init == GS_GRAPHGAN_INIT_GIVEN) {
        memcpy(d->weight.w, o->init_embeddings->data, size * sizeof *d->weight.w);
        return GS_OK;
    }

    dw.dim = o->dim;
    dw.seed = o->seed;
    status = gs_deepwalk_train(g, &dw, &walker, NULL);
    if (status == GS_OK) {
        status = gs_deepwalk_embed(walker, g, &emb);
    }
    if (status == GS_OK) {
        memcpy(d->weight.w, emb->data, size * sizeof *d->weight.w);
    }
    gs_tensor_free(emb);
    gs_deepwalk_free(walker);
    return status;
}

/* D and a free G start from the same vectors, as the original loads one file for both; so
 * does a GCN G over identity features (its H W is then the vectors smoothed once over the
 * graph).  A GCN G over given features starts from Glorot-uniform weights. */
static gs_status_t init_tables(const gs_graph_t *g, const gs_graphgan_options_t *o,
                               gs_graphgan_t *m)
{
    gs_i_gg_param_t *w = &m->gen.weight;
    gs_tensor_t view = {w->rows, w->cols, w->w, NULL, false, false};
    gs_rng_t rng;

    GS_TRY(init_vectors(g, o, &m->dis));
    if (w->rows == g->n_nodes) {
        memcpy(w->w, m->dis.weight.w, (size_t)w->rows * w->cols * sizeof *w->w);
    } else {
        gs_rng_init(&rng, o->seed, STREAM_INIT + 1);
        gs_tensor_init_glorot(&view, &rng);
    }
    gs_i_gg_table_refresh(&m->gen);
    return GS_OK;
}

/* The non-zeros of a dense (rows, cols) matrix as a CSR; NULL when out of memory. */
static gs_csr_t *dense_to_csr(const float *a, int rows, int cols)
{
    int64_t nnz = 0;
    gs_csr_t *c;

    for (size_t i = 0; i < (size_t)rows * cols; i++) {
        nnz += a[i] != 0.0f;
    }
    c = gs_csr_new(rows, cols, nnz);
    if (!c) {
        return NULL;
    }
    nnz = 0;
    for (int r = 0; r < rows; r++) {
        for (int j = 0; j < cols; j++) {
            float x = a[(size_t)r * cols + j];

            if (x != 0.0f) {
                c->indices[nnz] = j;
                c->values[nnz++] = x;
            }
        }
        c->indptr[r + 1] = nnz;
    }
    return c;
}

/* H = Â X for the GCN generator: Â itself for identity features, else the non-zeros of
 * Â X computed densely. */
static gs_status_t propagated_features(const gs_graph_t *g, gs_csr_t **out)
{
    gs_csr_t *adj = NULL, *h = NULL;
    gs_tensor_t *x = NULL;
    float *ax = NULL;
    gs_status_t status;

    GS_TRY(gs_graph_normalized_adjacency(g, &adj));
    if (g->n_features == 0) {
        *out = adj;
        return GS_OK;
    }
    status = gs_graph_features_dense(g, &x);
    if (status == GS_OK) {
        ax = malloc((size_t)g->n_nodes * g->n_features * sizeof *ax);
        status = ax ? GS_OK : gs_i_error(GS_ERR_NOMEM, "out of memory for A X");
    }
    if (status == GS_OK) {
        gs_csr_spmm(adj, x->data, g->n_features, ax);
        h = dense_to_csr(ax, g->n_nodes, g->n_features);
        status = h ? GS_OK : gs_i_error(GS_ERR_NOMEM, "out of memory for A X");
    }
    free(ax);
    gs_tensor_free(x);
    gs_csr_free(adj);
    *out = h;
    return status;
}

void gs_graphgan_free(gs_graphgan_t *m)
{
    if (!m) {
        return;
    }
    gs_i_gg_table_destroy(&m->gen);
    gs_i_gg_table_destroy(&m->dis);
    gs_csr_free(m->h);
    free(m);
}

static gs_status_t model_new(gs_graphgan_t **out, const gs_graph_t *g,
                             const gs_graphgan_options_t *o)
{
    gs_graphgan_t *m = calloc(1, sizeof *m);
    gs_status_t status = GS_OK;

    if (!m) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory for the GraphGAN model");
    }
    m->n_nodes = g->n_nodes;
    m->dim = o->dim;
    if (o->generator == GS_GRAPHGAN_GEN_GCN) {
        status = propagated_features(g, &m->h);
    }
    if (status == GS_OK) {
        status = gs_i_gg_table_init(&m->gen, g->n_nodes, o->dim, o->batch_size_gen, m->h,
                                    o->lr_gen, o->lambda_gen);
    }
    if (status == GS_OK) {
        status = gs_i_gg_table_init(&m->dis, g->n_nodes, o->dim, o->batch_size_dis, NULL,
                                    o->lr_dis, o->lambda_dis);
    }
    if (status == GS_OK) {
        status = init_tables(g, o, m);
    }
    if (status != GS_OK) {
        gs_graphgan_free(m);
        return status;
    }
    *out = m;
    return GS_OK;
}

/* Everything one training run holds besides the model. */
typedef struct trainer {
    const gs_graphgan_options_t *opt;
    gs_graphgan_t *m;
    gs_i_bfs_cache_t trees;
    gs_i_gg_sampler_t sampler;
    gs_i_gg_pairs_t data;
    int32_t *order;          /* batch starts in shuffled order */
} trainer_t;

/* One pass over data in batches, the batches in an order drawn from stream; returns the
 * mean loss per pair. */
static double run_pass(trainer_t *tr, gs_i_gg_table_t *t, bool dis, int batch, uint64_t stream)
{
    int64_t n = tr->data.n, n_batches = (n + batch - 1) / batch;
    double loss = 0.0;
    gs_rng_t rng;

    gs_rng_init(&rng, tr->opt->seed, stream);
    gs_rng_permutation(&rng, tr->order, (int)n_batches);
    for (int64_t b = 0; b < n_batches; b++) {
        int64_t start = (int64_t)tr->order[b] * batch;
        int size = (int)(n - start < batch ? n - start : batch);
        const int32_t *pairs = tr->data.pairs + 2 * start;
        const float *values = tr->data.value + start;

        loss += dis ? gs_i_gg_dis_step(t, pairs, values, size)
                    : gs_i_gg_gen_step(t, pairs, values, size);
    }
    return n > 0 ? loss / (double)n : 0.0;
}

static gs_status_t grow_order(trainer_t *tr, int batch)
{
    int64_t n_batches = (tr->data.n + batch - 1) / batch;
    int32_t *order;

    if (n_batches > INT32_MAX) {
        return gs_i_error(GS_ERR_INVALID, "%lld GraphGAN batches are too many",
                          (long long)n_batches);
    }
    order = realloc(tr->order, ((size_t)n_batches + 1) * sizeof *order);
    if (!order) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory for %lld batches", (long long)n_batches);
    }
    tr->order = order;
    return GS_OK;
}

static gs_status_t dis_step(trainer_t *tr, uint64_t round, double *loss)
{
    GS_TRY(gs_i_gg_sample_dis(&tr->sampler, STREAM_DIS + round, &tr->data));
    GS_TRY(grow_order(tr, tr->opt->batch_size_dis));
    *loss = run_pass(tr, &tr->m->dis, true, tr->opt->batch_size_dis, STREAM_ORDER + 2 * round);
    return GS_OK;
}

static gs_status_t gen_step(trainer_t *tr, uint64_t round, double *loss)
{
    const gs_i_gg_table_t *d = &tr->m->dis;
    gs_i_gg_pairs_t *p = &tr->data;

    GS_TRY(gs_i_gg_sample_gen(&tr->sampler, STREAM_GEN + round, p));
    GS_TRY(grow_order(tr, tr->opt->batch_size_gen));

#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < p->n; i++) {
        p->value[i] = gs_i_gg_reward(d, p->pairs[2 * i], p->pairs[2 * i + 1]);
    }
    *loss = run_pass(tr, &tr->m->gen, false, tr->opt->batch_size_gen,
                     STREAM_ORDER + 2 * round + 1);
    gs_i_gg_table_refresh(&tr->m->gen);
    return GS_OK;
}

static gs_status_t evaluate(const trainer_t *tr, gs_graphgan_epoch_t *e)
{
    const gs_pairs_t *pos = tr->opt->eval_pos, *neg = tr->opt->eval_neg;
    const gs_graphgan_t *m = tr->m;

    e->gen_accuracy = e->gen_auc = e->dis_accuracy = e->dis_auc = NAN;
    if (!pos || !neg) {
        return GS_OK;
    }
    GS_TRY(gs_i_gg_evaluate(pos, neg, m->gen.emb, m->dim, &e->gen_accuracy, &e->gen_auc));
    return gs_i_gg_evaluate(pos, neg, m->dis.emb, m->dim, &e->dis_accuracy, &e->dis_auc);
}

static gs_status_t run_epoch(trainer_t *tr, int epoch, gs_graphgan_epoch_t *e)
{
    const gs_graphgan_options_t *o = tr->opt;
    double start = gs_clock_seconds();

    memset(e, 0, sizeof *e);
    e->epoch = epoch;
    for (int s = 0; s < o->dis_steps; s++) {
        GS_TRY(dis_step(tr, (uint64_t)epoch * o->dis_steps + s, &e->dis_loss));
    }
    for (int s = 0; s < o->gen_steps; s++) {
        GS_TRY(gen_step(tr, (uint64_t)epoch * o->gen_steps + s, &e->gen_loss));
    }
    if (!isfinite(e->dis_loss) || !isfinite(e->gen_loss)) {
        return gs_i_error(GS_ERR_NUMERIC, "GraphGAN losses became %g (D) and %g (G) in epoch %d",
                          e->dis_loss, e->gen_loss, epoch);
    }
    e->seconds = gs_clock_seconds() - start;
    return evaluate(tr, e);
}

static gs_status_t run_epochs(trainer_t *tr, gs_graphgan_report_t *rep)
{
    const gs_graphgan_options_t *o = tr->opt;
    gs_graphgan_epoch_t e = {0};

    GS_TRY(evaluate(tr, &e));
    rep->initial = e;
    rep->last = e;
    if (o->on_epoch) {
        o->on_epoch(&e, o->on_epoch_user);
    }
    for (int epoch = 1; epoch <= o->epochs; epoch++) {
        GS_TRY(run_epoch(tr, epoch, &e));
        rep->last = e;
        rep->train.epochs = epoch;
        if (o->on_epoch) {
            o->on_epoch(&e, o->on_epoch_user);
        }
    }
    return GS_OK;
}

static gs_status_t train(const gs_graph_t *g, trainer_t *tr, gs_graphgan_report_t *rep)
{
    gs_status_t status;

    tr->sampler = (gs_i_gg_sampler_t){g, &tr->trees, &tr->m->gen, tr->opt->seed,
                                      tr->opt->n_sample_gen, tr->opt->window};
    status = gs_i_bfs_cache_init(&tr->trees, g, tr->opt->tree_cache_bytes);
    if (status == GS_OK) {
        status = run_epochs(tr, rep);
    }
    gs_i_bfs_cache_destroy(&tr->trees);
    gs_i_gg_pairs_destroy(&tr->data);
    free(tr->order);
    return status;
}

gs_status_t gs_graphgan_train(const gs_graph_t *g, const gs_graphgan_options_t *opt,
                              gs_graphgan_t **model, gs_graphgan_report_t *report)
{
    double start = gs_clock_seconds();
    gs_graphgan_report_t rep;
    trainer_t tr;
    gs_status_t status;

    memset(&rep, 0, sizeof rep);
    memset(&tr, 0, sizeof tr);
    GS_TRY(check_options(g, opt));
    if (opt->eval_pos && opt->eval_neg) {
        GS_TRY(gs_i_gg_check_pairs(opt->eval_pos, g->n_nodes));
        GS_TRY(gs_i_gg_check_pairs(opt->eval_neg, g->n_nodes));
    }
    GS_TRY(model_new(&tr.m, g, opt));
    rep.seconds_init = gs_clock_seconds() - start;

    tr.opt = opt;
    status = train(g, &tr, &rep);
    if (status != GS_OK) {
        gs_graphgan_free(tr.m);
        return status;
    }
    rep.train.best_epoch = rep.train.epochs;
    rep.train.best_loss = rep.last.gen_loss;
    rep.train.seconds = gs_clock_seconds() - start;
    if (report) {
        *report = rep;
    }
    *model = tr.m;
    return GS_OK;
}

gs_status_t gs_graphgan_embed(const gs_graphgan_t *m, const gs_graph_t *g,
                              gs_graphgan_side_t side, gs_tensor_t **out)
{
    const gs_i_gg_table_t *t = side == GS_GRAPHGAN_DISCRIMINATOR ? &m->dis : &m->gen;

    return gs_i_embeddings_from_table("GraphGAN", g->n_nodes, m->n_nodes, m->dim, t->emb, out);
}

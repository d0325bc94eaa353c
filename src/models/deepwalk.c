/*
 * DeepWalk (Perozzi et al., KDD 2014) with skip-gram and negative sampling (Mikolov et al.,
 * NIPS 2013), trained as word2vec trains it:
 *
 *   for each walk position i with centre c = w_i, a window b drawn from 1..window, and
 *   each context x = w_j, 0 < |i - j| <= b:
 *       L = -log s(in_x . out_c) - sum_{k=1..K} log s(-in_x . out_{n_k}),
 *   n_k drawn from the node frequencies in the walks raised to 0.75, s the sigmoid, one
 *   SGD step per pair with lr decaying linearly over all walk positions.
 *
 * Shapes: N nodes, D dimensions; in and out are (N, D).  The node vectors are `in`
 * (initialized uniformly in +-0.5 / D), the context vectors `out` (zero), as in word2vec.
 */
#include "graphssl/deepwalk.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common_internal.h"
#include "embeddings_internal.h"
#include "graph/walks.h"

/* Random streams of this model: the walks, the initial vectors, the SGD draws. */
#define STREAM_WALKS 0x6477000000000000ULL
#define STREAM_INIT 0x6469000000000000ULL
#define STREAM_SGD 0x6473000000000000ULL

/* word2vec's floor of the decaying learning rate, as a fraction of the initial one. */
#define LR_FLOOR 1e-4

/* Smallest probability the reported loss takes a log of. */
#define PROB_FLOOR 1e-7f

struct gs_deepwalk {
    int n_nodes;
    int dim;
    float *in;     /* (N, D) node vectors */
    float *out;    /* (N, D) context vectors */
};

/* Vose's alias table: O(1) draws from a fixed discrete distribution. */
typedef struct alias_table {
    int n;
    float *prob;      /* (n) probability of keeping column i */
    int32_t *alias;   /* (n) the other outcome of column i */
} alias_table_t;

/* What one SGD pass reads, shared by every walk. */
typedef struct sgd_ctx {
    gs_deepwalk_t *m;
    const gs_deepwalk_options_t *opt;
    const alias_table_t *noise;
    const int32_t *walks;
    int64_t n_walks;
    double total_positions;   /* walk positions over all epochs, for the lr schedule */
} sgd_ctx_t;

void gs_deepwalk_options_init(gs_deepwalk_options_t *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->dim = 128;
    opt->walk_length = 80;
    opt->walks_per_node = 10;
    opt->window = 10;
    opt->negatives = 5;
    opt->epochs = 1;
    opt->lr = 0.025f;
}

void gs_deepwalk_free(gs_deepwalk_t *m)
{
    if (!m) {
        return;
    }
    free(m->in);
    free(m->out);
    free(m);
}

static gs_status_t check_options(const gs_graph_t *g, const gs_deepwalk_options_t *opt)
{
    if (g->n_nodes < 1) {
        return gs_i_error(GS_ERR_INVALID, "DeepWalk needs a graph with nodes, found none");
    }
    if (opt->dim < 1 || opt->dim > (1 << 16) || opt->walk_length < 1 ||
        opt->walks_per_node < 1 || opt->window < 1 || opt->negatives < 0 || opt->epochs < 1) {
        return gs_i_error(GS_ERR_INVALID,
                          "DeepWalk options out of range: dim %d, walk length %d, walks per "
                          "node %d, window %d, negatives %d, epochs %d (expected positive "
                          "values, negatives >= 0)", opt->dim, opt->walk_length,
                          opt->walks_per_node, opt->window, opt->negatives, opt->epochs);
    }
    if (!(opt->lr > 0.0f) || !isfinite(opt->lr)) {
        return gs_i_error(GS_ERR_INVALID, "DeepWalk learning rate must be positive, found %g",
                          opt->lr);
    }
    return GS_OK;
}

static gs_status_t model_new(gs_deepwalk_t **out, int n, const gs_deepwalk_options_t *opt)
{
    size_t size = (size_t)n * (size_t)opt->dim;
    gs_deepwalk_t *m = calloc(1, sizeof *m);
    gs_rng_t rng;

    if (m) {
        m->n_nodes = n;
        m->dim = opt->dim;
        m->in = malloc(size * sizeof *m->in);
        m->out = calloc(size, sizeof *m->out);
    }
    if (!m || !m->in || !m->out) {
        gs_deepwalk_free(m);
        return gs_i_error(GS_ERR_NOMEM, "out of memory for %d x %d DeepWalk vectors", n,
                          opt->dim);
    }
    gs_rng_init(&rng, opt->seed, STREAM_INIT);
    for (size_t i = 0; i < size; i++) {
        m->in[i] = (float)((gs_rng_uniform(&rng) - 0.5) / opt->dim);
    }
    *out = m;
    return GS_OK;
}

static void alias_destroy(alias_table_t *t)
{
    free(t->prob);
    free(t->alias);
    memset(t, 0, sizeof *t);
}

/* Splits the mass of each over-full column into the under-full ones (Vose, 1991). */
static void alias_fill(alias_table_t *t, double *scaled, int32_t *small, int32_t *large)
{
    int n = t->n, n_small = 0, n_large = 0;

    for (int i = 0; i < n; i++) {
        t->alias[i] = i;
        if (scaled[i] < 1.0) {
            small[n_small++] = i;
        } else {
            large[n_large++] = i;
        }
    }
    while (n_small > 0 && n_large > 0) {
        int s = small[--n_small], l = large[n_large - 1];

        t->prob[s] = (float)scaled[s];
        t->alias[s] = l;
        scaled[l] -= 1.0 - scaled[s];
        if (scaled[l] < 1.0) {
            n_large--;
            small[n_small++] = l;
        }
    }

    /* What is left is full up to rounding. */
    while (n_large > 0) {
        t->prob[large[--n_large]] = 1.0f;
    }
    while (n_small > 0) {
        t->prob[small[--n_small]] = 1.0f;
    }
}

/* The noise distribution: node counts in the walks raised to 0.75 (word2vec's choice). */
static gs_status_t noise_init(alias_table_t *t, const int32_t *walks, int64_t n_tokens, int n)
{
    double *scaled = calloc((size_t)n, sizeof *scaled);
    int32_t *small = malloc((size_t)n * sizeof *small);
    int32_t *large = malloc((size_t)n * sizeof *large);
    double total = 0.0;

    t->n = n;
    t->prob = malloc((size_t)n * sizeof *t->prob);
    t->alias = malloc((size_t)n * sizeof *t->alias);
    if (!scaled || !small || !large || !t->prob || !t->alias) {
        free(scaled);
        free(small);
        free(large);
        alias_destroy(t);
        return gs_i_error(GS_ERR_NOMEM, "out of memory for the negative-sampling table");
    }

    for (int64_t i = 0; i < n_tokens; i++) {
        if (walks[i] >= 0) {
            scaled[walks[i]] += 1.0;
        }
    }
    for (int v = 0; v < n; v++) {
        scaled[v] = pow(scaled[v], 0.75);
        total += scaled[v];
    }
    for (int v = 0; v < n; v++) {
        scaled[v] *= n / total;
    }
    alias_fill(t, scaled, small, large);
    free(scaled);
    free(small);
    free(large);
    return GS_OK;
}

static inline int alias_draw(const alias_table_t *t, gs_rng_t *rng)
{
    uint64_t x = gs_rng_next(rng);

    /* The high half picks the column, the low half decides between it and its alias. */
    int i = (int)(((x >> 32) * (uint64_t)t->n) >> 32);
    float u = (float)(x & 0xffffffffu) * 0x1.0p-32f;

    return u < t->prob[i] ? i : t->alias[i];
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

static inline void axpy(float *y, float a, const float *x, int d)
{
#pragma omp simd
    for (int k = 0; k < d; k++) {
        y[k] += a * x[k];
    }
}

/* One skip-gram step: the context's vector `in` against the centre and K noise nodes.
 * grad accumulates the update of `in`, applied once at the end as word2vec does. */
static double update_pair(const sgd_ctx_t *c, float *in, int centre, float lr, gs_rng_t *rng,
                          float *grad)
{
    int d = c->m->dim;
    double loss = 0.0;

    memset(grad, 0, (size_t)d * sizeof *grad);
    for (int k = 0; k <= c->opt->negatives; k++) {
        int target = k == 0 ? centre : alias_draw(c->noise, rng);
        float *out = c->m->out + (size_t)target * d;
        float f, g, p;

        if (k > 0 && target == centre) {
            continue;
        }
        f = dot(in, out, d);
        p = 1.0f / (1.0f + expf(-f));

        /* d(-log s(f)) / df = s(f) - 1 for the centre, s(f) for noise.  The loss is only
         * reported, so float and a floor on the probability are precise enough. */
        g = lr * ((k == 0 ? 1.0f : 0.0f) - p);
        loss -= logf(fmaxf(k == 0 ? p : 1.0f - p, PROB_FLOOR));
        axpy(grad, g, out, d);
        axpy(out, g, in, d);
    }
    axpy(in, 1.0f, grad, d);
    return loss;
}

/* All pairs of one walk; position p0 is the walk's first position in the lr schedule. */
static double train_walk(const sgd_ctx_t *c, const int32_t *walk, double p0, gs_rng_t *rng,
                         float *grad, int64_t *n_pairs)
{
    int len = c->opt->walk_length, d = c->m->dim;
    double loss = 0.0;

    for (int i = 0; i < len && walk[i] >= 0; i++) {
        double left = 1.0 - (p0 + i) / c->total_positions;
        float lr = (float)(c->opt->lr * (left > LR_FLOOR ? left : LR_FLOOR));
        int b = 1 + (int)gs_rng_below(rng, (uint32_t)c->opt->window);

        for (int j = i - b; j <= i + b; j++) {
            if (j < 0 || j == i || j >= len || walk[j] < 0) {
                continue;
            }
            loss += update_pair(c, c->m->in + (size_t)walk[j] * d, walk[i], lr, rng, grad);
            (*n_pairs)++;
        }
    }
    return loss;
}

/* SGD over the walks [w0, w1) of one epoch; returns the summed loss and counts the pairs. */
static gs_status_t train_pass(const sgd_ctx_t *c, int epoch, int64_t w0, int64_t w1,
                              double *loss, int64_t *n_pairs)
{
    int len = c->opt->walk_length;
    bool parallel = c->opt->hogwild && gs_threads_get() > 1;
    bool failed = false;
    double sum = 0.0;
    int64_t pairs = 0;

#pragma omp parallel if (parallel) reduction(+ : sum, pairs) reduction(|| : failed)
    {
        float *grad = malloc((size_t)c->m->dim * sizeof *grad);

#pragma omp for schedule(dynamic, 64)
        for (int64_t w = w0; w < w1; w++) {
            int64_t global = (int64_t)epoch * c->n_walks + w;
            gs_rng_t rng;

            if (!grad) {
                continue;
            }
            gs_rng_init(&rng, c->opt->seed, STREAM_SGD + (uint64_t)global);
            sum += train_walk(c, c->walks + w * len, (double)global * len, &rng, grad, &pairs);
        }
        failed = !grad;
        free(grad);
    }
    *loss = sum;
    *n_pairs = pairs;

    /* The message is kept per thread, so it is set here, on the caller's. */
    return failed ? gs_i_error(GS_ERR_NOMEM, "out of memory in DeepWalk training") : GS_OK;
}

/* Every epoch, walk pass by walk pass, so progress is reported ten times an epoch. */
static gs_status_t run_sgd(const sgd_ctx_t *c, gs_train_report_t *rep)
{
    int n = c->m->n_nodes, passes = c->opt->walks_per_node;

    for (int epoch = 0; epoch < c->opt->epochs; epoch++) {
        for (int r = 0; r < passes; r++) {
            int64_t pairs;
            double loss, mean;

            GS_TRY(train_pass(c, epoch, (int64_t)r * n, (int64_t)(r + 1) * n, &loss, &pairs));
            mean = pairs > 0 ? loss / (double)pairs : 0.0;
            if (!isfinite(mean)) {
                return gs_i_error(GS_ERR_NUMERIC, "DeepWalk loss became %g in epoch %d",
                                  mean, epoch + 1);
            }
            rep->epochs = epoch * passes + r + 1;
            rep->best_epoch = rep->epochs;
            rep->best_loss = mean;
            if (c->opt->progress) {
                c->opt->progress(rep->epochs, mean, c->opt->progress_user);
            }
        }
    }
    return GS_OK;
}

gs_status_t gs_deepwalk_train(const gs_graph_t *g, const gs_deepwalk_options_t *opt,
                              gs_deepwalk_t **model, gs_train_report_t *report)
{
    double start = gs_clock_seconds();
    gs_train_report_t rep = {0};
    alias_table_t noise = {0};
    gs_deepwalk_t *m = NULL;
    int32_t *walks = NULL;
    gs_status_t status;
    sgd_ctx_t c;

    GS_TRY(check_options(g, opt));
    status = gs_i_random_walks(g, opt->walks_per_node, opt->walk_length, opt->seed,
                               STREAM_WALKS, &walks);
    c.n_walks = (int64_t)opt->walks_per_node * g->n_nodes;
    if (status == GS_OK) {
        status = noise_init(&noise, walks, c.n_walks * opt->walk_length, g->n_nodes);
    }
    if (status == GS_OK) {
        status = model_new(&m, g->n_nodes, opt);
    }
    if (status == GS_OK) {
        c = (sgd_ctx_t){m, opt, &noise, walks, c.n_walks,
                        (double)opt->epochs * (double)c.n_walks * opt->walk_length};
        status = run_sgd(&c, &rep);
    }
    free(walks);
    alias_destroy(&noise);
    if (status != GS_OK) {
        gs_deepwalk_free(m);
        return status;
    }

    rep.seconds = gs_clock_seconds() - start;
    if (report) {
        *report = rep;
    }
    *model = m;
    return GS_OK;
}

gs_status_t gs_deepwalk_embed(const gs_deepwalk_t *m, const gs_graph_t *g, gs_tensor_t **out)
{
    return gs_i_embeddings_from_table("DeepWalk", g->n_nodes, m->n_nodes, m->dim, m->in, out);
}

/*
 * GAE and VGAE (Kipf & Welling, 2016) as in the authors' gae/model.py and gae/optimizer.py;
 * the equations are in graphssl/vgae.h.
 *
 * The dense loss runs through gs_op_inner_product_bce(), which never holds the N x N logits
 * at once.  The sampled loss scores the train edges and K uniformly drawn node pairs per
 * edge with gs_op_row_dot_pairs(); drawn pairs are not checked against the edges, because
 * on graphs large enough to need this loss a uniform pair is an edge with probability
 * E / N^2, which is negligible.
 */
#include "graphssl/vgae.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common_internal.h"
#include "inputs.h"

/* Random streams drawn from the seed: initial weights, the reparameterization noise, and
 * the sampled pairs (one stream per epoch and chunk of pairs, so that drawing them in
 * parallel gives the same pairs whatever the number of threads). */
#define STREAM_INIT 0
#define STREAM_NOISE 1
#define STREAM_PAIRS 0x7061697200000000ULL
#define PAIR_CHUNK 65536

struct gs_vgae {
    gs_vgae_options_t opt;
    int n_features;
    gs_gcn_layer_t layer1;     /* W0 (F, H) */
    gs_gcn_layer_t mu;         /* W1 (H, D) */
    gs_gcn_layer_t logstd;     /* W2 (H, D), VGAE only */
};

enum { MAX_PARAMS = 3 };

static int collect_params(const gs_vgae_t *m, gs_tensor_t **p)
{
    p[0] = m->layer1.weight;
    p[1] = m->mu.weight;
    p[2] = m->logstd.weight;
    return m->opt.variational ? 3 : 2;
}

void gs_vgae_options_init(gs_vgae_options_t *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->variational = true;
    opt->hidden = 32;
    opt->dim = 16;
    opt->lr = 0.01f;
    opt->epochs = 200;
    opt->loss = GS_VGAE_LOSS_AUTO;
    opt->negatives = 1;
    opt->max_logstd = 10.0f;
    opt->val_every = 10;
}

gs_vgae_loss_t gs_vgae_loss_for(const gs_vgae_options_t *opt, int n_nodes)
{
    if (opt->loss != GS_VGAE_LOSS_AUTO) {
        return opt->loss;
    }
    return n_nodes > GS_VGAE_DENSE_MAX_NODES ? GS_VGAE_LOSS_SAMPLED : GS_VGAE_LOSS_DENSE;
}

void gs_vgae_free(gs_vgae_t *m)
{
    if (!m) {
        return;
    }
    gs_gcn_layer_destroy(&m->layer1);
    gs_gcn_layer_destroy(&m->mu);
    gs_gcn_layer_destroy(&m->logstd);
    free(m);
}

static gs_status_t check_options(const gs_vgae_options_t *opt)
{
    if (opt->hidden < 1 || opt->dim < 1 || opt->epochs < 1 || opt->negatives < 1 ||
        opt->val_every < 0 || !(opt->lr > 0.0f) || !(opt->max_logstd > 0.0f)) {
        return gs_i_error(GS_ERR_INVALID,
                          "expected positive hidden, dim, epochs, negatives, lr and "
                          "max_logstd, found %d, %d, %d, %d, %g and %g", opt->hidden, opt->dim,
                          opt->epochs, opt->negatives, opt->lr, opt->max_logstd);
    }
    return GS_OK;
}

static gs_status_t vgae_new(gs_vgae_t **out, int n_features, const gs_vgae_options_t *opt)
{
    gs_vgae_t *m = calloc(1, sizeof *m);
    gs_status_t status;
    gs_rng_t rng;

    if (!m) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory for the auto-encoder");
    }
    m->opt = *opt;
    m->n_features = n_features;

    /* Glorot-uniform weights and no biases, as the original's GraphConvolution layers. */
    gs_rng_init(&rng, opt->seed, STREAM_INIT);
    status = gs_gcn_layer_init(&m->layer1, n_features, opt->hidden, false, &rng);
    if (status == GS_OK) {
        status = gs_gcn_layer_init(&m->mu, opt->hidden, opt->dim, false, &rng);
    }
    if (status == GS_OK && opt->variational) {
        status = gs_gcn_layer_init(&m->logstd, opt->hidden, opt->dim, false, &rng);
    }
    if (status != GS_OK) {
        gs_vgae_free(m);
        return status;
    }
    *out = m;
    return GS_OK;
}

/* --- Encoder ----------------------------------------------------------------------- */

/* mu (or Z) and, for VGAE, the clamped log sigma.  (N, D) each */
static void encode(gs_tape_t *t, const gs_vgae_t *m, const gs_i_inputs_t *in,
                   gs_tensor_t **mu, gs_tensor_t **logstd)
{
    gs_tensor_t *xw = gs_i_inputs_project(t, in, m->layer1.weight);          /* (N, H) */
    gs_tensor_t *h = gs_op_relu(t, gs_op_spmm(t, in->adj, xw));              /* (N, H) */

    *mu = gs_gcn_layer_forward(t, &m->mu, in->adj, h);
    *logstd = NULL;
    if (m->opt.variational) {
        gs_tensor_t *raw = gs_gcn_layer_forward(t, &m->logstd, in->adj, h);

        *logstd = gs_op_clamp(t, raw, -FLT_MAX, m->opt.max_logstd);
    }
}

/*
 * The encoder's inputs: g's nodes and features as given (the original does not normalize
 * them), with the train edges as the adjacency.  A copy of g's header with the adjacency
 * swapped is enough, since preparing inputs reads only the adjacency and the features.
 * *train_adj receives the train adjacency (NULL when split is NULL: g's own).
 */
static gs_status_t inputs_init(gs_i_inputs_t *in, const gs_graph_t *g,
                               const gs_link_split_t *split, gs_csr_t **train_adj)
{
    gs_graph_t view = *g;
    gs_status_t status;

    *train_adj = NULL;
    if (g->directed) {
        return gs_i_error(GS_ERR_UNSUPPORTED, "graph auto-encoders reconstruct undirected "
                          "edges; the graph was loaded directed");
    }
    if (split && split->n_nodes != g->n_nodes) {
        return gs_i_error(GS_ERR_INVALID, "the split has %d nodes but the graph %d",
                          split->n_nodes, g->n_nodes);
    }
    if (split) {
        GS_TRY(gs_link_split_train_adjacency(split, train_adj));
        view.adj = *train_adj;
        view.n_edges = split->train.n;
    }
    status = gs_i_inputs_init(in, &view, false);
    if (status != GS_OK) {
        gs_csr_free(*train_adj);
        *train_adj = NULL;
    }
    return status;
}

/* --- Losses ------------------------------------------------------------------------ */

typedef struct trainer {
    gs_tape_t *tape;
    gs_adam_t *adam;
    gs_tensor_t *params[MAX_PARAMS];
    int n_params;
    gs_vgae_loss_t loss;
    gs_rng_t noise;

    /* Dense: the labels A + I and the original's weights. */
    gs_csr_t *labels;
    float pos_weight;
    float norm;

    /* Sampled: the train edges then K drawn pairs per edge, and their targets. */
    int32_t *pair_u;
    int32_t *pair_v;
    float *targets;
    int64_t n_pos;
    int64_t n_pairs;
} trainer_t;

/* A + I with sorted rows: the dense loss's positive pattern. */
static gs_csr_t *with_self_loops(const gs_csr_t *a)
{
    gs_csr_t *out = gs_csr_new(a->n_rows, a->n_cols, gs_csr_nnz(a) + a->n_rows);
    int64_t k = 0;

    for (int r = 0; out && r < a->n_rows; r++) {
        bool self_done = false;

        for (int64_t e = a->indptr[r]; e < a->indptr[r + 1]; e++) {
            if (!self_done && a->indices[e] > r) {
                out->indices[k++] = r;
                self_done = true;
            }
            out->indices[k++] = a->indices[e];
        }
        if (!self_done) {
            out->indices[k++] = r;
        }
        out->indptr[r + 1] = k;
    }
    for (int64_t e = 0; out && e < k; e++) {
        out->values[e] = 1.0f;
    }
    return out;
}

/* pos_weight = (N^2 - E) / E and norm = N^2 / (2 (N^2 - E)), E the train adjacency's
 * nonzeros without self loops, as the original computes them from adj_train. */
static gs_status_t dense_init(trainer_t *tr, const gs_csr_t *adj)
{
    double n2 = (double)adj->n_rows * adj->n_rows;
    double e = (double)gs_csr_nnz(adj);

    if (e <= 0.0) {
        return gs_i_error(GS_ERR_INVALID, "the encoder's graph has no edges to reconstruct");
    }
    tr->pos_weight = (float)((n2 - e) / e);
    tr->norm = (float)(n2 / (2.0 * (n2 - e)));
    tr->labels = with_self_loops(adj);
    if (!tr->labels) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory for the reconstruction targets");
    }
    return GS_OK;
}

static gs_status_t sampled_init(trainer_t *tr, const gs_csr_t *adj, int k)
{
    int64_t n = 0;

    tr->n_pos = gs_csr_nnz(adj) / 2;
    tr->n_pairs = tr->n_pos * (1 + k);
    if (tr->n_pos == 0) {
        return gs_i_error(GS_ERR_INVALID, "the encoder's graph has no edges to reconstruct");
    }
    if (tr->n_pairs > INT32_MAX) {
        return gs_i_error(GS_ERR_UNSUPPORTED, "%lld sampled pairs per epoch; at most %d are "
                          "supported", (long long)tr->n_pairs, INT32_MAX);
    }
    tr->pair_u = malloc((size_t)tr->n_pairs * sizeof *tr->pair_u);
    tr->pair_v = malloc((size_t)tr->n_pairs * sizeof *tr->pair_v);
    tr->targets = malloc((size_t)tr->n_pairs * sizeof *tr->targets);
    if (!tr->pair_u || !tr->pair_v || !tr->targets) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory for %lld sampled pairs",
                          (long long)tr->n_pairs);
    }
    for (int r = 0; r < adj->n_rows; r++) {
        for (int64_t e = adj->indptr[r]; e < adj->indptr[r + 1]; e++) {
            if (adj->indices[e] > r) {
                tr->pair_u[n] = r;
                tr->pair_v[n++] = adj->indices[e];
            }
        }
    }
    for (int64_t i = 0; i < tr->n_pairs; i++) {
        tr->targets[i] = i < tr->n_pos ? 1.0f : 0.0f;
    }
    return GS_OK;
}

/* Fresh uniform pairs after the positives, in fixed chunks with their own streams. */
static void draw_pairs(trainer_t *tr, int n_nodes, uint64_t seed, int epoch)
{
    int64_t n_neg = tr->n_pairs - tr->n_pos;
    int64_t n_chunks = (n_neg + PAIR_CHUNK - 1) / PAIR_CHUNK;

    #pragma omp parallel for schedule(static) if (n_chunks > 1)
    for (int64_t c = 0; c < n_chunks; c++) {
        int64_t end = (c + 1) * PAIR_CHUNK < n_neg ? (c + 1) * PAIR_CHUNK : n_neg;
        gs_rng_t rng;

        gs_rng_init(&rng, seed, STREAM_PAIRS | ((uint64_t)epoch << 24) | (uint64_t)c);
        for (int64_t i = tr->n_pos + c * PAIR_CHUNK; i < tr->n_pos + end; i++) {
            tr->pair_u[i] = (int32_t)gs_rng_below(&rng, (uint32_t)n_nodes);
            tr->pair_v[i] = (int32_t)gs_rng_below(&rng, (uint32_t)n_nodes);
        }
    }
}

/* 0.5 (mean over edges + mean over drawn pairs): BCE over all pairs with the edges weighted
 * K has mean K / (1 + K) (mean over edges + mean over pairs), hence the factor. */
static gs_tensor_t *sampled_loss(trainer_t *tr, gs_tensor_t *z, int k)
{
    gs_tape_t *t = tr->tape;
    gs_tensor_t *logits = gs_op_row_dot_pairs(t, z, z, tr->pair_u, tr->pair_v,
                                              (int)tr->n_pairs);             /* (P, 1) */
    gs_tensor_t *bce = gs_op_bce_with_logits(t, logits, tr->targets, (float)k);

    return gs_op_scale(t, bce, (float)(1 + k) / (2.0f * (float)k));
}

/* Reconstruction plus, for VGAE, KL / N as the original's cost -= (0.5 / N) mean(...). */
static gs_tensor_t *vgae_loss(trainer_t *tr, const gs_vgae_t *m, const gs_i_inputs_t *in)
{
    gs_tape_t *t = tr->tape;
    gs_tensor_t *mu, *logstd, *z, *recon;
    int n = in->adj->n_rows;

    encode(t, m, in, &mu, &logstd);
    z = m->opt.variational ? gs_op_reparameterize(t, mu, logstd, &tr->noise) : mu;
    if (tr->loss == GS_VGAE_LOSS_DENSE) {
        recon = gs_op_inner_product_bce(t, z, tr->labels, tr->pos_weight, tr->norm);
    } else {
        recon = sampled_loss(tr, z, m->opt.negatives);
    }
    if (!m->opt.variational) {
        return recon;
    }
    return gs_op_add(t, recon, gs_op_scale(t, gs_op_kl_normal(t, mu, logstd), 1.0f / n));
}

/* --- Training ---------------------------------------------------------------------- */

static void trainer_destroy(trainer_t *tr)
{
    gs_tape_free(tr->tape);
    gs_adam_free(tr->adam);
    gs_csr_free(tr->labels);
    free(tr->pair_u);
    free(tr->pair_v);
    free(tr->targets);
}

static gs_status_t trainer_init(trainer_t *tr, gs_vgae_t *m, const gs_csr_t *adj)
{
    gs_adam_options_t adam_opt;
    gs_status_t status;

    memset(tr, 0, sizeof *tr);
    tr->n_params = collect_params(m, tr->params);
    tr->loss = gs_vgae_loss_for(&m->opt, adj->n_rows);
    gs_rng_init(&tr->noise, m->opt.seed, STREAM_NOISE);
    gs_adam_options_init(&adam_opt);
    adam_opt.lr = m->opt.lr;

    tr->tape = gs_tape_new();
    tr->adam = gs_adam_new(tr->params, tr->n_params, &adam_opt);
    if (!tr->tape || !tr->adam) {
        status = gs_i_error(GS_ERR_NOMEM, "out of memory setting up auto-encoder training");
    } else if (tr->loss == GS_VGAE_LOSS_DENSE) {
        status = dense_init(tr, adj);
    } else {
        status = sampled_init(tr, adj, m->opt.negatives);
    }
    if (status != GS_OK) {
        trainer_destroy(tr);
    }
    return status;
}

/* Validation scores of the current weights, reported through opt->validate. */
static gs_status_t validate(trainer_t *tr, const gs_vgae_t *m, const gs_i_inputs_t *in,
                            const gs_link_split_t *split, int epoch)
{
    gs_tensor_t *mu, *logstd;
    double auc, ap;

    gs_tape_reset(tr->tape);
    encode(tr->tape, m, in, &mu, &logstd);
    if (!mu) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory validating at epoch %d", epoch);
    }
    GS_TRY(gs_link_evaluate(mu, &split->val, &split->val_neg, &auc, &ap));
    m->opt.validate(epoch, auc, ap, m->opt.progress_user);
    return GS_OK;
}

static bool wants_validation(const gs_vgae_options_t *opt, const gs_link_split_t *split,
                             int epoch)
{
    return opt->validate && split && split->val.n > 0 && split->val_neg.n > 0 &&
           opt->val_every > 0 && (epoch % opt->val_every == 0 || epoch == opt->epochs);
}

static gs_status_t run_epochs(gs_vgae_t *m, const gs_i_inputs_t *in,
                              const gs_link_split_t *split, trainer_t *tr,
                              gs_train_report_t *rep)
{
    const gs_vgae_options_t *opt = &m->opt;

    for (int epoch = 1; epoch <= opt->epochs; epoch++) {
        gs_tensor_t *loss;

        if (tr->loss == GS_VGAE_LOSS_SAMPLED) {
            draw_pairs(tr, in->adj->n_rows, opt->seed, epoch);
        }
        gs_tape_reset(tr->tape);
        loss = vgae_loss(tr, m, in);
        if (!loss || gs_tape_status(tr->tape) != GS_OK) {
            return gs_i_error(GS_ERR_NOMEM, "out of memory in the auto-encoder's forward pass");
        }
        if (!isfinite(loss->data[0])) {
            return gs_i_error(GS_ERR_NUMERIC, "the auto-encoder's loss became %g at epoch %d",
                              loss->data[0], epoch);
        }
        GS_TRY(gs_tape_backward(tr->tape, loss));
        gs_adam_step(tr->adam);

        rep->epochs = rep->best_epoch = epoch;
        rep->best_loss = loss->data[0];
        if (opt->progress) {
            opt->progress(epoch, loss->data[0], opt->progress_user);
        }
        if (wants_validation(opt, split, epoch)) {
            GS_TRY(validate(tr, m, in, split, epoch));
        }
    }
    return GS_OK;
}

gs_status_t gs_vgae_train(const gs_graph_t *g, const gs_link_split_t *split,
                          const gs_vgae_options_t *opt, gs_vgae_t **model,
                          gs_train_report_t *report)
{
    gs_train_report_t rep = {0};
    gs_csr_t *train_adj = NULL;
    gs_vgae_t *m = NULL;
    gs_i_inputs_t in;
    gs_status_t status;
    trainer_t tr;
    double start = gs_clock_seconds();

    *model = NULL;
    GS_TRY(check_options(opt));
    GS_TRY(inputs_init(&in, g, split, &train_adj));
    status = vgae_new(&m, in.n_features, opt);
    if (status == GS_OK) {
        status = trainer_init(&tr, m, train_adj ? train_adj : g->adj);
    }
    if (status == GS_OK) {
        status = run_epochs(m, &in, split, &tr, &rep);
        trainer_destroy(&tr);
    }
    gs_i_inputs_destroy(&in);
    gs_csr_free(train_adj);
    if (status != GS_OK) {
        gs_vgae_free(m);
        return status;
    }

    rep.seconds = gs_clock_seconds() - start;
    if (report) {
        *report = rep;
    }
    *model = m;
    return GS_OK;
}

gs_status_t gs_vgae_embed(const gs_vgae_t *m, const gs_graph_t *g,
                          const gs_link_split_t *split, gs_tensor_t **out)
{
    gs_tensor_t *mu = NULL, *logstd;
    gs_csr_t *train_adj = NULL;
    gs_tape_t *tape = NULL;
    gs_i_inputs_t in;
    gs_status_t status = GS_OK;

    *out = NULL;
    GS_TRY(inputs_init(&in, g, split, &train_adj));
    if (in.n_features != m->n_features) {
        status = gs_i_error(GS_ERR_INVALID, "the graph has %d features but the model expects %d",
                            in.n_features, m->n_features);
    }
    if (status == GS_OK && (tape = gs_tape_new())) {
        encode(tape, m, &in, &mu, &logstd);
    }
    if (status == GS_OK && (!mu || !(*out = gs_tensor_clone(mu)))) {
        status = gs_i_error(GS_ERR_NOMEM, "out of memory embedding with the auto-encoder");
    }
    gs_tape_free(tape);
    gs_i_inputs_destroy(&in);
    gs_csr_free(train_adj);
    return status;
}

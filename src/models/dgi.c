/*
 * Deep Graph Infomax (Velickovic et al., ICLR 2019), transductive, as in the authors' code:
 *
 *   H  = PReLU(Â X W + b)              real nodes            (N, H)
 *   H~ = PReLU(Â P X W + b)            corrupted: rows of X shuffled by P
 *   s  = sigmoid(mean_i H_i)           summary               (1, H)
 *   D(h, s) = h^T B s + c              bilinear discriminator
 *   L  = BCE(D(H, s), 1) + BCE(D(H~, s), 0), averaged over the 2N scores.
 *
 * P X W = P (X W), so the projection is computed once for both branches (gs_op_gcn_prelu).
 */
#include "graphssl/dgi.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common_internal.h"
#include "inputs.h"

struct gs_dgi {
    gs_dgi_options_t opt;
    int n_features;
    gs_gcn_layer_t gcn;        /* W (F, H), b (1, H) */
    gs_tensor_t *alpha;        /* PReLU slope (1, 1) */
    gs_bilinear_t disc;        /* B (H, H), c (1, 1) */
};

/* The trainable tensors of a model, in a fixed order (for Adam and best-weight copies). */
enum { N_PARAMS = 5 };

static void collect_params(gs_dgi_t *m, gs_tensor_t **p)
{
    p[0] = m->gcn.weight;
    p[1] = m->gcn.bias;
    p[2] = m->alpha;
    p[3] = m->disc.weight;
    p[4] = m->disc.bias;
}

void gs_dgi_options_init(gs_dgi_options_t *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->hidden = 512;
    opt->lr = 0.001f;
    opt->patience = 20;
    opt->max_epochs = 10000;
}

void gs_dgi_free(gs_dgi_t *m)
{
    if (!m) {
        return;
    }
    gs_gcn_layer_destroy(&m->gcn);
    gs_tensor_free(m->alpha);
    gs_bilinear_destroy(&m->disc);
    free(m);
}

static gs_status_t check_options(const gs_dgi_options_t *opt)
{
    if (opt->hidden < 1) {
        return gs_i_error(GS_ERR_INVALID, "DGI needs hidden >= 1, got %d", opt->hidden);
    }
    if (!(opt->lr > 0.0f) || !isfinite(opt->lr)) {
        return gs_i_error(GS_ERR_INVALID, "DGI needs a finite learning rate above 0, got %g",
                          opt->lr);
    }
    if (!(opt->weight_decay >= 0.0f) || !isfinite(opt->weight_decay)) {
        return gs_i_error(GS_ERR_INVALID, "DGI needs a finite weight decay >= 0, got %g",
                          opt->weight_decay);
    }
    if (opt->patience < 1 || opt->max_epochs < 1) {
        return gs_i_error(GS_ERR_INVALID, "DGI needs patience and max_epochs >= 1, got %d "
                          "and %d", opt->patience, opt->max_epochs);
    }
    return GS_OK;
}

/* The weights with their gradients, Adam's two moments and the best-weight copy, the
 * activations of an epoch and the features' transpose: what training will hold, checked
 * before any of it is allocated. */
static gs_status_t check_size(int n_nodes, int n_features, const gs_dgi_options_t *opt)
{
    double h = opt->hidden;
    double weights = ((double)n_features + h + 2.0) * h * 5.0;
    double activations = (double)n_nodes * h * 6.0 + 2.0 * n_features;
    char what[96];

    snprintf(what, sizeof what, "DGI with %d features and hidden %d", n_features,
             opt->hidden);
    return gs_i_check_memory((weights + activations) * sizeof(float), what);
}

static gs_status_t dgi_new(gs_dgi_t **out, int n_features, const gs_dgi_options_t *opt)
{
    gs_dgi_t *m = calloc(1, sizeof *m);
    gs_status_t status;
    gs_rng_t rng;

    if (!m) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory for the DGI model");
    }
    m->opt = *opt;
    m->n_features = n_features;
    gs_rng_init(&rng, opt->seed, 0);

    status = gs_gcn_layer_init(&m->gcn, n_features, opt->hidden, true, &rng);
    if (status == GS_OK) {
        status = gs_bilinear_init(&m->disc, opt->hidden, &rng);
    }
    if (status == GS_OK && !(m->alpha = gs_tensor_new(1, 1))) {
        status = gs_i_error(GS_ERR_NOMEM, "out of memory for the DGI model");
    }
    if (status == GS_OK) {
        /* torch.nn.PReLU's default initial slope. */
        gs_tensor_fill(m->alpha, 0.25f);
        status = gs_tensor_require_grad(m->alpha);
    }
    if (status != GS_OK) {
        gs_dgi_free(m);
        return status;
    }
    *out = m;
    return GS_OK;
}

/* The encoder on each branch: branch b reads the feature rows perm[b N + i]; perm NULL is
 * the clean graph alone.  (branches N, H) */
static gs_tensor_t *encode(gs_tape_t *t, const gs_dgi_t *m, const gs_i_inputs_t *in,
                           const int32_t *perm, int n_branches)
{
    return gs_op_gcn_prelu(t, in->adj, in->xs, in->xd, m->gcn.weight, m->gcn.bias, m->alpha,
                           perm, n_branches);
}

/* One forward pass of the DGI objective; returns the 1 x 1 loss.  perm holds the identity
 * and then the corruption, so the encoder's rows are the N real nodes and then the N
 * corrupted ones, and the discriminator's logits come out in the order of the targets. */
static gs_tensor_t *dgi_loss(gs_tape_t *t, const gs_dgi_t *m, const gs_i_inputs_t *in,
                             const int32_t *perm, const float *targets)
{
    int64_t real_rows[2] = {0, in->adj->n_rows};
    gs_tensor_t *h = encode(t, m, in, perm, 2);                            /* (2N, H) */
    gs_tensor_t *mean = gs_op_segment_mean(t, h, real_rows, 1);            /* (1, H) */
    gs_tensor_t *summary = gs_op_sigmoid(t, mean);
    gs_tensor_t *logits = gs_bilinear_forward(t, &m->disc, h, summary);    /* (2N, 1) */

    return gs_op_bce_with_logits(t, logits, targets, 1.0f);
}

/* Targets: 1 for the N real scores, 0 for the N corrupted ones. */
static float *make_targets(int n)
{
    float *y = calloc((size_t)2 * n, sizeof *y);

    for (int i = 0; y && i < n; i++) {
        y[i] = 1.0f;
    }
    return y;
}

typedef struct trainer {
    gs_tape_t *tape;
    gs_adam_t *adam;
    gs_tensor_t *params[N_PARAMS];
    gs_tensor_t *best[N_PARAMS];
    int32_t *perm;             /* 2N: the identity, then the epoch's corruption */
    float *targets;
} trainer_t;

static void trainer_destroy(trainer_t *tr)
{
    gs_tape_free(tr->tape);
    gs_adam_free(tr->adam);
    for (int i = 0; i < N_PARAMS; i++) {
        gs_tensor_free(tr->best[i]);
    }
    free(tr->perm);
    free(tr->targets);
}

static gs_status_t trainer_init(trainer_t *tr, gs_dgi_t *m, int n)
{
    gs_adam_options_t adam_opt;

    memset(tr, 0, sizeof *tr);
    collect_params(m, tr->params);
    gs_adam_options_init(&adam_opt);
    adam_opt.lr = m->opt.lr;
    adam_opt.weight_decay = m->opt.weight_decay;

    tr->tape = gs_tape_new();
    tr->adam = gs_adam_new(tr->params, N_PARAMS, &adam_opt);
    tr->perm = malloc((size_t)2 * n * sizeof *tr->perm);
    tr->targets = make_targets(n);
    bool ok = tr->tape && tr->adam && tr->perm && tr->targets;
    for (int i = 0; ok && i < N_PARAMS; i++) {
        ok = (tr->best[i] = gs_tensor_clone(tr->params[i])) != NULL;
    }
    /* The clean branch reads the nodes in order; forward_epoch draws the corrupted one. */
    for (int i = 0; ok && i < n; i++) {
        tr->perm[i] = i;
    }
    if (!ok) {
        trainer_destroy(tr);
        return gs_i_error(GS_ERR_NOMEM, "out of memory setting up DGI training");
    }
    return GS_OK;
}

/* Forward pass of one epoch with a fresh corruption; the loss stays on the tape. */
static gs_status_t forward_epoch(trainer_t *tr, const gs_dgi_t *m, const gs_i_inputs_t *in,
                                 gs_rng_t *rng, gs_tensor_t **loss)
{
    int n = in->adj->n_rows;

    gs_rng_permutation(rng, tr->perm + n, n);
    gs_tape_reset(tr->tape);
    *loss = dgi_loss(tr->tape, m, in, tr->perm, tr->targets);
    if (!*loss) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory in the DGI forward pass");
    }
    return GS_OK;
}

static void copy_params(gs_tensor_t **dst, gs_tensor_t *const *src)
{
    for (int i = 0; i < N_PARAMS; i++) {
        gs_tensor_copy(dst[i], src[i]);
    }
}

/* Early stopping as the authors' code does it: the weights that produced the lowest loss are
 * saved before that epoch's update, and training stops after `patience` epochs without a
 * new lowest loss. */
static gs_status_t run_epochs(gs_dgi_t *m, const gs_i_inputs_t *in, trainer_t *tr,
                              gs_train_report_t *rep)
{
    const gs_dgi_options_t *opt = &m->opt;
    int since_best = 0;
    gs_rng_t rng;

    gs_rng_init(&rng, opt->seed, 1);
    rep->best_loss = INFINITY;
    for (int epoch = 1; epoch <= opt->max_epochs && since_best < opt->patience; epoch++) {
        gs_tensor_t *loss;

        GS_TRY(forward_epoch(tr, m, in, &rng, &loss));
        if (!isfinite(loss->data[0])) {
            return gs_i_error(GS_ERR_NUMERIC, "DGI loss became %g at epoch %d",
                              loss->data[0], epoch);
        }
        rep->epochs = epoch;
        if (opt->progress) {
            opt->progress(epoch, loss->data[0], opt->progress_user);
        }

        if (loss->data[0] < rep->best_loss) {
            rep->best_loss = loss->data[0];
            rep->best_epoch = epoch;
            since_best = 0;
            copy_params(tr->best, tr->params);
        } else {
            since_best++;
        }

        GS_TRY(gs_tape_backward(tr->tape, loss));
        gs_adam_step(tr->adam);
    }
    copy_params(tr->params, tr->best);
    return GS_OK;
}

gs_status_t gs_dgi_train(const gs_graph_t *g, const gs_dgi_options_t *opt, gs_dgi_t **model,
                         gs_train_report_t *report)
{
    gs_train_report_t rep = {0};
    gs_i_inputs_t in;
    gs_dgi_t *m = NULL;
    trainer_t tr;
    gs_status_t status;
    double start = gs_clock_seconds();

    GS_TRY(check_options(opt));
    GS_TRY(check_size(g->n_nodes, g->n_features, opt));
    GS_TRY(gs_i_inputs_init(&in, g, true));
    status = dgi_new(&m, in.n_features, opt);
    if (status == GS_OK) {
        status = trainer_init(&tr, m, g->n_nodes);
        if (status == GS_OK) {
            status = run_epochs(m, &in, &tr, &rep);
            trainer_destroy(&tr);
        }
    }
    gs_i_inputs_destroy(&in);
    if (status != GS_OK) {
        gs_dgi_free(m);
        return status;
    }

    rep.seconds = gs_clock_seconds() - start;
    if (report) {
        *report = rep;
    }
    *model = m;
    return GS_OK;
}

gs_status_t gs_dgi_embed(const gs_dgi_t *m, const gs_graph_t *g, gs_tensor_t **out)
{
    gs_i_inputs_t in;
    gs_tape_t *tape = NULL;
    gs_tensor_t *h = NULL;
    gs_status_t status;

    GS_TRY(gs_i_inputs_init(&in, g, true));
    if (in.n_features != m->n_features) {
        gs_i_inputs_destroy(&in);
        return gs_i_error(GS_ERR_INVALID, "the graph has %d features but the model expects %d",
                          in.n_features, m->n_features);
    }

    tape = gs_tape_new();
    if (tape) {
        h = encode(tape, m, &in, NULL, 1);
    }
    status = h ? GS_OK : gs_i_error(GS_ERR_NOMEM, "out of memory embedding with DGI");
    if (status == GS_OK && !(*out = gs_tensor_clone(h))) {
        status = gs_i_error(GS_ERR_NOMEM, "out of memory embedding with DGI");
    }
    gs_tape_free(tape);
    gs_i_inputs_destroy(&in);
    return status;
}

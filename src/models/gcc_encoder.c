/*
 * GCC's subgraph encoder: the Graph Isomorphism Network of Xu et al. (ICLR 2019) as GCC's
 * UnsupervisedGIN builds it, over inputs [eigenvectors | seed flag (| degree embedding)].
 *
 *   h_0 = x                                                        (N, P + 1 + deg)
 *   h_l = ReLU(BN(ReLU(BN(W2 ReLU(BN(W1 (A + I) h_{l-1}))))))      l = 1 .. L-1, (N, H)
 *   z   = sum_l dropout(R_l sum_pool(h_l)),  output z / ||z||      (B, D)
 *
 * The triple normalisation is the original's: the MLP's own batch norm after W1, GIN's
 * ApplyNodeFunc after W2, and the network's per-layer one.  Each layer's readout (jumping
 * knowledge by summation) is the original's sum pooling; set2set is used there only by the
 * other encoders.  The GCN alternative replaces each GIN layer by one graph convolution
 * D^-1/2 (A + I) D^-1/2 h W + b, batch norm and ReLU, with the same readout.
 */
#include <stdio.h>
#include <string.h>

#include "common_internal.h"
#include "gcc_internal.h"

/* torch.nn.BatchNorm1d's defaults. */
#define BN_MOMENTUM 0.1f
#define BN_EPS 1e-5f

/* F.normalize's eps in GCC's GraphEncoder. */
#define OUTPUT_EPS 1e-5f

static gs_status_t track(gs_i_gcc_encoder_t *e, gs_tensor_t *t, bool trainable,
                         const char *name)
{
    int limit = trainable ? 256 : 128;
    int *count = trainable ? &e->n_params : &e->n_stats;

    if (!t) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory for GCC tensor %s", name);
    }
    if (*count >= limit) {
        gs_tensor_free(t);
        return gs_i_error(GS_ERR_INTERNAL, "too many GCC tensors at %s", name);
    }
    if (trainable) {
        e->params[*count] = t;
        snprintf(e->param_names[*count], sizeof e->param_names[0], "%s", name);
    } else {
        e->stats[*count] = t;
        snprintf(e->stat_names[*count], sizeof e->stat_names[0], "%s", name);
    }
    (*count)++;
    return trainable ? gs_tensor_require_grad(t) : GS_OK;
}

static gs_status_t linear_init(gs_i_gcc_encoder_t *e, gs_linear_t *l, int in, int out,
                               const char *name, gs_rng_t *rng)
{
    char buf[48];

    GS_TRY(gs_linear_init(l, in, out, true, rng));
    snprintf(buf, sizeof buf, "%s.weight", name);
    GS_TRY(track(e, l->weight, true, buf));
    snprintf(buf, sizeof buf, "%s.bias", name);
    return track(e, l->bias, true, buf);
}

/* A tracked 1 x width tensor filled with value, called "name.suffix". */
static gs_status_t row_tensor(gs_i_gcc_encoder_t *e, gs_tensor_t **out, int width, float value,
                              bool trainable, const char *name, const char *suffix)
{
    char buf[48];

    *out = gs_tensor_new(1, width);
    if (*out) {
        gs_tensor_fill(*out, value);
    }
    snprintf(buf, sizeof buf, "%s.%s", name, suffix);
    return track(e, *out, trainable, buf);
}

static gs_status_t norm_init(gs_i_gcc_encoder_t *e, gs_i_gcc_norm_t *n, int width,
                             const char *name)
{
    GS_TRY(row_tensor(e, &n->gamma, width, 1.0f, true, name, "gamma"));
    GS_TRY(row_tensor(e, &n->beta, width, 0.0f, true, name, "beta"));
    GS_TRY(row_tensor(e, &n->mean, width, 0.0f, false, name, "mean"));
    return row_tensor(e, &n->var, width, 1.0f, false, name, "var");
}

static gs_status_t layer_init(gs_i_gcc_encoder_t *e, int l, int in, int hidden, gs_rng_t *rng)
{
    gs_i_gcc_layer_t *layer = &e->layer[l];
    int n_norms = e->kind == GS_GCC_ENCODER_GIN ? 3 : 1;
    char name[24];

    snprintf(name, sizeof name, "layer%d.lin1", l);
    GS_TRY(linear_init(e, &layer->lin1, in, hidden, name, rng));
    if (e->kind == GS_GCC_ENCODER_GIN) {
        snprintf(name, sizeof name, "layer%d.lin2", l);
        GS_TRY(linear_init(e, &layer->lin2, hidden, hidden, name, rng));
    }
    for (int k = 0; k < n_norms; k++) {
        snprintf(name, sizeof name, "layer%d.norm%d", l, k);
        GS_TRY(norm_init(e, &layer->norm[k], hidden, name));
    }
    return GS_OK;
}

static gs_status_t encoder_build(gs_i_gcc_encoder_t *e, const gs_gcc_options_t *opt,
                                 gs_rng_t *rng)
{
    char name[24];

    if (opt->degree_dim > 0) {
        e->degree_table = gs_tensor_new(opt->max_degree + 1, opt->degree_dim);
        GS_TRY(track(e, e->degree_table, true, "degree_embedding"));

        /* torch.nn.Embedding starts from N(0, 1). */
        gs_tensor_init_normal(e->degree_table, 0.0f, 1.0f, rng);
    }

    for (int l = 0; l + 1 < e->layers; l++) {
        GS_TRY(layer_init(e, l, l == 0 ? e->in_dim : opt->hidden, opt->hidden, rng));
    }
    for (int l = 0; l < e->layers; l++) {
        snprintf(name, sizeof name, "readout%d", l);
        GS_TRY(linear_init(e, &e->readout[l], l == 0 ? e->in_dim : opt->hidden, opt->hidden,
                           name, rng));
    }
    return GS_OK;
}

gs_status_t gs_i_gcc_encoder_init(gs_i_gcc_encoder_t *e, const gs_gcc_options_t *opt,
                                  gs_rng_t *rng)
{
    gs_status_t status;

    memset(e, 0, sizeof *e);
    e->kind = opt->encoder;
    e->layers = opt->layers;
    e->in_dim = opt->pos_dim + 1 + opt->degree_dim;
    status = encoder_build(e, opt, rng);
    if (status != GS_OK) {
        gs_i_gcc_encoder_destroy(e);
    }
    return status;
}

void gs_i_gcc_encoder_destroy(gs_i_gcc_encoder_t *e)
{
    /* Every tensor is tracked exactly once, so freeing the lists frees them all. */
    for (int i = 0; i < e->n_params; i++) {
        gs_tensor_free(e->params[i]);
    }
    for (int i = 0; i < e->n_stats; i++) {
        gs_tensor_free(e->stats[i]);
    }
    memset(e, 0, sizeof *e);
}

void gs_i_gcc_encoder_copy(gs_i_gcc_encoder_t *dst, const gs_i_gcc_encoder_t *src)
{
    for (int i = 0; i < src->n_params; i++) {
        gs_tensor_copy(dst->params[i], src->params[i]);
    }
    for (int i = 0; i < src->n_stats; i++) {
        gs_tensor_copy(dst->stats[i], src->stats[i]);
    }
}

void gs_i_gcc_encoder_freeze(gs_i_gcc_encoder_t *e)
{
    for (int i = 0; i < e->n_params; i++) {
        e->params[i]->requires_grad = false;
    }
}

static gs_tensor_t *norm_forward(gs_tape_t *t, const gs_i_gcc_norm_t *n, gs_tensor_t *h,
                                 gs_i_gcc_mode_t mode)
{
    return gs_op_batch_norm(t, h, n->gamma, n->beta, n->mean->data, n->var->data,
                            mode != GS_I_GCC_EVAL, BN_MOMENTUM, BN_EPS);
}

/* One GIN layer: ReLU(BN(ReLU(BN(W2 ReLU(BN(W1 (A + I) h))))))  (N, H) */
static gs_tensor_t *gin_layer(gs_tape_t *t, const gs_i_gcc_layer_t *layer,
                              const gs_i_gcc_batch_t *b, gs_tensor_t *h, gs_i_gcc_mode_t mode)
{
    gs_tensor_t *a = gs_op_spmm(t, b->adj, h);

    a = gs_op_relu(t, norm_forward(t, &layer->norm[0], gs_linear_forward(t, &layer->lin1, a),
                                   mode));
    a = gs_linear_forward(t, &layer->lin2, a);
    a = gs_op_relu(t, norm_forward(t, &layer->norm[1], a, mode));
    return gs_op_relu(t, norm_forward(t, &layer->norm[2], a, mode));
}

/* One GCN layer: ReLU(BN(Â h W + b))  (N, H) */
static gs_tensor_t *gcn_layer(gs_tape_t *t, const gs_i_gcc_layer_t *layer,
                              const gs_i_gcc_batch_t *b, gs_tensor_t *h, gs_i_gcc_mode_t mode)
{
    gs_tensor_t *a = gs_gcn_layer_forward(t, &layer->lin1, b->adj, h);

    return gs_op_relu(t, norm_forward(t, &layer->norm[0], a, mode));
}

/* dropout(R_l sum_pool(h))  (B, D) */
static gs_tensor_t *read_out(gs_tape_t *t, const gs_linear_t *r, const gs_i_gcc_batch_t *b,
                             gs_tensor_t *h, float dropout, gs_i_gcc_mode_t mode,
                             gs_rng_t *rng)
{
    gs_tensor_t *pooled = gs_op_segment_sum(t, h, b->offsets, b->n_graphs);

    return gs_op_dropout(t, gs_linear_forward(t, r, pooled), dropout, mode == GS_I_GCC_TRAIN,
                         rng);
}

gs_tensor_t *gs_i_gcc_encoder_forward(gs_tape_t *t, const gs_i_gcc_encoder_t *e,
                                      const gs_gcc_options_t *opt, const gs_i_gcc_batch_t *b,
                                      gs_i_gcc_mode_t mode, gs_rng_t *rng)
{
    gs_tensor_t *h = b->x;                                                 /* (N, P + 1) */
    gs_tensor_t *z;

    if (e->degree_table) {
        h = gs_op_concat_cols(t, h, gs_op_gather_rows(t, e->degree_table, b->degree,
                                                      b->n_nodes));          /* (N, in) */
    }
    z = read_out(t, &e->readout[0], b, h, opt->dropout, mode, rng);

    for (int l = 0; l + 1 < e->layers; l++) {
        if (e->kind == GS_GCC_ENCODER_GIN) {
            h = gin_layer(t, &e->layer[l], b, h, mode);
        } else {
            h = gcn_layer(t, &e->layer[l], b, h, mode);
        }
        z = gs_op_add(t, z, read_out(t, &e->readout[l + 1], b, h, opt->dropout, mode, rng));
    }
    return gs_op_l2_normalize_rows(t, z, OUTPUT_EPS);                     /* (B, D) */
}

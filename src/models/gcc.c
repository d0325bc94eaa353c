/*
 * GCC models: options and their checks, embedding nodes and whole graphs with a trained
 * encoder, and saving and loading through the model file (model_file.h).
 *
 * Embeddings follow GCC's generate.py: the encoder in evaluation mode (running batch-norm
 * statistics, no dropout); a node is encoded as the mean over two walks with restart
 * started at it, a graph from all of it with its highest-degree node as the seed.  Where
 * the original takes eigenvector signs from ARPACK's random start, the embeddings here use
 * a fixed sign convention (see gcc_features.c), so they are reproducible.
 */
#include <cblas.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common_internal.h"
#include "gcc_internal.h"
#include "graphssl/model_file.h"

/* Subgraphs encoded per forward pass when embedding, and walks averaged per node. */
enum { EMBED_CHUNK = 256, EMBED_VIEWS = 2 };

/* GCC's evaluation walks take a budget linear in the degree. */
#define EMBED_EXPONENT 1.0

void gs_gcc_options_init(gs_gcc_options_t *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->encoder = GS_GCC_ENCODER_GIN;
    opt->layers = 5;
    opt->hidden = 64;
    opt->pos_dim = 32;
    opt->degree_dim = 0;
    opt->max_degree = 512;
    opt->dropout = 0.5f;
    opt->restart_prob = 0.8;
    opt->rw_hops = 256;
    opt->contrast = GS_GCC_CONTRAST_MOCO;
    opt->batch_size = 0;
    opt->queue_size = 16384;
    opt->momentum = 0.999f;
    opt->temperature = 0.07f;
    opt->steps = 10000;
    opt->lr = 0.005f;
    opt->weight_decay = 1e-5f;
    opt->clip_norm = 1.0f;
    opt->warmup = 0.1f;
    opt->log_every = 100;
}

static gs_status_t out_of_range(const char *name, double value, const char *range)
{
    return gs_i_error(GS_ERR_INVALID, "GCC option %s is %g; expected %s", name, value, range);
}

static gs_status_t check_sizes(const gs_gcc_options_t *o)
{
    if (o->encoder != GS_GCC_ENCODER_GIN && o->encoder != GS_GCC_ENCODER_GCN) {
        return out_of_range("encoder", o->encoder, "gin (0) or gcn (1)");
    }
    if (o->layers < 2 || o->layers > GS_I_GCC_MAX_LAYERS) {
        return out_of_range("layers", o->layers, "2 to 16");
    }
    if (o->hidden < 1 || o->hidden > 4096) {
        return out_of_range("hidden", o->hidden, "1 to 4096");
    }
    if (o->pos_dim < 1 || o->pos_dim > GS_I_GCC_MAX_POS_DIM) {
        return out_of_range("pos_dim", o->pos_dim, "1 to 256");
    }
    if (o->degree_dim < 0 || o->degree_dim > 4096) {
        return out_of_range("degree_dim", o->degree_dim, "0 (no degree input) to 4096");
    }
    if (o->max_degree < 1 || o->max_degree > 1 << 20) {
        return out_of_range("max_degree", o->max_degree, "1 to 1048576");
    }
    return GS_OK;
}

static gs_status_t check_training(const gs_gcc_options_t *o)
{
    if (!(o->dropout >= 0.0f && o->dropout < 1.0f)) {
        return out_of_range("dropout", o->dropout, "a value in [0, 1)");
    }
    if (!(o->restart_prob > 0.0 && o->restart_prob <= 1.0)) {
        return out_of_range("restart_prob", o->restart_prob, "a value in (0, 1]");
    }
    if (o->rw_hops < 1 || o->batch_size < 2 || o->batch_size > 32768 || o->steps < 1) {
        return gs_i_error(GS_ERR_INVALID, "GCC options rw_hops (%d), batch_size (%d) and "
                          "steps (%d) must be positive, the batch 2 to 32768", o->rw_hops,
                          o->batch_size, o->steps);
    }
    if (o->contrast == GS_GCC_CONTRAST_MOCO && o->queue_size < 1) {
        return out_of_range("queue_size", o->queue_size, "at least 1");
    }
    if (!(o->momentum >= 0.0f && o->momentum <= 1.0f)) {
        return out_of_range("momentum", o->momentum, "a value in [0, 1]");
    }
    if (!(o->temperature > 0.0f) || !(o->lr > 0.0f) || !(o->weight_decay >= 0.0f) ||
        !(o->clip_norm > 0.0f) || !(o->warmup > 0.0f && o->warmup < 1.0f)) {
        return gs_i_error(GS_ERR_INVALID, "GCC options temperature, lr and clip_norm must be "
                          "positive, weight_decay >= 0 and warmup in (0, 1)");
    }
    if (o->log_every < 1) {
        return out_of_range("log_every", o->log_every, "at least 1");
    }
    return GS_OK;
}

gs_status_t gs_i_gcc_check_options(const gs_gcc_options_t *opt)
{
    GS_TRY(check_sizes(opt));
    return check_training(opt);
}

/* The batch size the mode implies when the options leave it at 0. */
static void resolve_defaults(gs_gcc_options_t *o)
{
    if (o->batch_size == 0) {
        o->batch_size = o->contrast == GS_GCC_CONTRAST_E2E ? 256 : 32;
    }
}

gs_status_t gs_i_gcc_new(gs_gcc_t **out, const gs_gcc_options_t *opt)
{
    gs_gcc_t *m = calloc(1, sizeof *m);
    gs_status_t status;
    gs_rng_t rng;

    if (!m) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory for the GCC model");
    }
    m->opt = *opt;
    resolve_defaults(&m->opt);
    status = gs_i_gcc_check_options(&m->opt);
    if (status == GS_OK) {
        gs_rng_init(&rng, opt->seed, 0);
        status = gs_i_gcc_encoder_init(&m->enc, &m->opt, &rng);
    }
    if (status != GS_OK) {
        free(m);
        return status;
    }
    *out = m;
    return GS_OK;
}

void gs_gcc_free(gs_gcc_t *m)
{
    if (!m) {
        return;
    }
    gs_i_gcc_encoder_destroy(&m->enc);
    free(m);
}

const gs_gcc_options_t *gs_gcc_options(const gs_gcc_t *m)
{
    return &m->opt;
}

int gs_i_gcc_blas_serial_begin(void)
{
    int saved = openblas_get_num_threads();

    openblas_set_num_threads(1);
    return saved;
}

void gs_i_gcc_blas_serial_end(int saved)
{
    openblas_set_num_threads(saved);
}

/* --- Embedding ------------------------------------------------------------------------ */

/* Encodes the sampler's first n items and writes weight times their embeddings into rows
 * row0 .. row0 + n - 1 of out, or with add set, adds it to what the rows hold. */
static gs_status_t encode_items(const gs_gcc_t *m, gs_i_gcc_sampler_t *s, gs_tape_t *tape,
                                int n, gs_tensor_t *out, int row0, float weight, bool add)
{
    gs_i_gcc_batch_t b;
    gs_tensor_t *z;

    GS_TRY(gs_i_gcc_batch_build(&b, s->items, 0, 1, n, m->opt.pos_dim, m->opt.encoder));
    gs_tape_reset(tape);
    z = gs_i_gcc_encoder_forward(tape, &m->enc, &m->opt, &b, GS_I_GCC_EVAL, NULL);
    for (size_t i = 0; z && i < (size_t)n * (size_t)out->cols; i++) {
        float *dst = out->data + (size_t)row0 * out->cols + i;

        *dst = (add ? *dst : 0.0f) + weight * z->data[i];
    }

    /* The tape may refer to the batch's matrix, so it is reset before the batch goes. */
    gs_tape_reset(tape);
    gs_i_gcc_batch_destroy(&b);
    return z ? GS_OK : gs_i_error(GS_ERR_NOMEM, "out of memory encoding %d subgraphs", n);
}

/* As GCC's generate.py: a node's embedding is the mean of the embeddings of two walks from
 * it, which halves the variance the walks bring in. */
static gs_status_t embed_nodes(const gs_gcc_t *m, gs_i_gcc_sampler_t *s, gs_tape_t *tape,
                               gs_tensor_t *out)
{
    int32_t nodes[EMBED_CHUNK];

    for (int start = 0; start < out->rows; start += EMBED_CHUNK) {
        int n = out->rows - start < EMBED_CHUNK ? out->rows - start : EMBED_CHUNK;

        for (int i = 0; i < n; i++) {
            nodes[i] = start + i;
        }
        for (int view = 0; view < EMBED_VIEWS; view++) {
            GS_TRY(gs_i_gcc_sample_nodes(s, nodes, n, EMBED_EXPONENT, GS_I_SIGN_CANONICAL,
                                         GS_I_GCC_EMBED_WALKS + (uint64_t)view));
            GS_TRY(encode_items(m, s, tape, n, out, start, 1.0f / EMBED_VIEWS, view > 0));
        }
    }
    return GS_OK;
}

static gs_status_t embed_graphs(const gs_gcc_t *m, gs_i_gcc_sampler_t *s, gs_tape_t *tape,
                                const gs_graph_collection_t *c, gs_tensor_t *out)
{
    int32_t ids[EMBED_CHUNK];

    for (int start = 0; start < c->n_graphs; start += EMBED_CHUNK) {
        int n = c->n_graphs - start < EMBED_CHUNK ? c->n_graphs - start : EMBED_CHUNK;

        for (int i = 0; i < n; i++) {
            ids[i] = start + i;
        }
        GS_TRY(gs_i_gcc_sample_graphs(s, c, ids, n));
        GS_TRY(encode_items(m, s, tape, n, out, start, 1.0f, false));
    }
    return GS_OK;
}

/* Runs nodes (c == NULL) or graphs of c through the encoder into a new (rows, D) tensor. */
static gs_status_t embed(const gs_gcc_t *m, const gs_graph_t *g,
                         const gs_graph_collection_t *c, int rows, gs_tensor_t **out)
{
    gs_i_gcc_sampler_t s;
    gs_tape_t *tape = gs_tape_new();
    gs_tensor_t *z = gs_tensor_new(rows, m->opt.hidden);
    gs_status_t status = GS_OK;

    if (!tape || !z) {
        status = gs_i_error(GS_ERR_NOMEM, "out of memory for %d GCC embeddings", rows);
    }
    if (status == GS_OK && (status = gs_i_gcc_sampler_init(&s, &g, 1, &m->opt, false)) ==
                               GS_OK) {
        int blas = gs_i_gcc_blas_serial_begin();

        status = c ? embed_graphs(m, &s, tape, c, z) : embed_nodes(m, &s, tape, z);
        gs_i_gcc_blas_serial_end(blas);
        gs_i_gcc_sampler_destroy(&s);
    }
    gs_tape_free(tape);
    if (status != GS_OK) {
        gs_tensor_free(z);
        return status;
    }
    *out = z;
    return GS_OK;
}

gs_status_t gs_gcc_embed(const gs_gcc_t *m, const gs_graph_t *g, gs_tensor_t **out)
{
    if (g->n_nodes < 1) {
        return gs_i_error(GS_ERR_INVALID, "the graph to embed has no nodes");
    }
    return embed(m, g, NULL, g->n_nodes, out);
}

gs_status_t gs_gcc_embed_graphs(const gs_gcc_t *m, const gs_graph_collection_t *c,
                                gs_tensor_t **out)
{
    if (c->n_graphs < 1) {
        return gs_i_error(GS_ERR_INVALID, "the collection to embed has no graphs");
    }
    return embed(m, c->graph, c, c->n_graphs, out);
}

/* --- Saving and loading ----------------------------------------------------------------- */

typedef struct int_field {
    const char *key;
    size_t offset;
} int_field_t;

#define INT_FIELD(f) {#f, offsetof(gs_gcc_options_t, f)}

/* Hyperparameters stored as integers: counts, and enums, which are int-sized. */
_Static_assert(sizeof(gs_gcc_encoder_t) == sizeof(int) &&
               sizeof(gs_gcc_contrast_t) == sizeof(int), "GCC's enums must be int-sized");

static const int_field_t int_fields[] = {
    INT_FIELD(encoder), INT_FIELD(layers), INT_FIELD(hidden), INT_FIELD(pos_dim),
    INT_FIELD(degree_dim), INT_FIELD(max_degree), INT_FIELD(rw_hops), INT_FIELD(contrast),
    INT_FIELD(batch_size), INT_FIELD(queue_size), INT_FIELD(steps), INT_FIELD(log_every),
};

#define REAL_FIELD(f) {#f, offsetof(gs_gcc_options_t, f)}

/* Hyperparameters stored as reals; all but restart_prob are float in the options. */
static const int_field_t float_fields[] = {
    REAL_FIELD(dropout), REAL_FIELD(momentum), REAL_FIELD(temperature), REAL_FIELD(lr),
    REAL_FIELD(weight_decay), REAL_FIELD(clip_norm), REAL_FIELD(warmup),
};

enum { N_INT_FIELDS = sizeof int_fields / sizeof int_fields[0] };
enum { N_FLOAT_FIELDS = sizeof float_fields / sizeof float_fields[0] };

static gs_status_t put_options(gs_model_file_t *mf, const gs_gcc_options_t *o)
{
    const char *base = (const char *)o;

    for (int i = 0; i < N_INT_FIELDS; i++) {
        int value;

        memcpy(&value, base + int_fields[i].offset, sizeof value);
        GS_TRY(gs_model_file_set_int(mf, int_fields[i].key, value));
    }
    for (int i = 0; i < N_FLOAT_FIELDS; i++) {
        float value;

        memcpy(&value, base + float_fields[i].offset, sizeof value);
        GS_TRY(gs_model_file_set_real(mf, float_fields[i].key, value));
    }
    GS_TRY(gs_model_file_set_real(mf, "restart_prob", o->restart_prob));
    return gs_model_file_set_int(mf, "seed", (int64_t)o->seed);
}

static gs_status_t get_options(const gs_model_file_t *mf, gs_gcc_options_t *o)
{
    char *base = (char *)o;
    int64_t iv;
    double rv;

    for (int i = 0; i < N_INT_FIELDS; i++) {
        int value;

        GS_TRY(gs_model_file_get_int(mf, int_fields[i].key, &iv));
        value = iv < INT32_MIN || iv > INT32_MAX ? -1 : (int)iv;
        memcpy(base + int_fields[i].offset, &value, sizeof value);
    }
    for (int i = 0; i < N_FLOAT_FIELDS; i++) {
        float value;

        GS_TRY(gs_model_file_get_real(mf, float_fields[i].key, &rv));
        value = (float)rv;
        memcpy(base + float_fields[i].offset, &value, sizeof value);
    }
    GS_TRY(gs_model_file_get_real(mf, "restart_prob", &o->restart_prob));
    GS_TRY(gs_model_file_get_int(mf, "seed", &iv));
    o->seed = (uint64_t)iv;
    return GS_OK;
}

gs_status_t gs_gcc_save(const gs_gcc_t *m, const char *path)
{
    gs_model_file_t *mf = gs_model_file_new("gcc");
    gs_status_t status;

    if (!mf) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory saving the GCC model");
    }
    status = put_options(mf, &m->opt);
    for (int i = 0; status == GS_OK && i < m->enc.n_params; i++) {
        status = gs_model_file_add_tensor(mf, m->enc.param_names[i], m->enc.params[i]);
    }
    for (int i = 0; status == GS_OK && i < m->enc.n_stats; i++) {
        status = gs_model_file_add_tensor(mf, m->enc.stat_names[i], m->enc.stats[i]);
    }
    if (status == GS_OK) {
        status = gs_model_file_save(mf, path);
    }
    gs_model_file_free(mf);
    return status;
}

static gs_status_t read_weights(gs_gcc_t *m, const gs_model_file_t *mf)
{
    for (int i = 0; i < m->enc.n_params; i++) {
        GS_TRY(gs_model_file_read_tensor(mf, m->enc.param_names[i], m->enc.params[i]));
    }
    for (int i = 0; i < m->enc.n_stats; i++) {
        GS_TRY(gs_model_file_read_tensor(mf, m->enc.stat_names[i], m->enc.stats[i]));
    }
    return GS_OK;
}

gs_status_t gs_gcc_load(gs_gcc_t **out, const char *path)
{
    gs_model_file_t *mf;
    gs_gcc_options_t opt;
    gs_gcc_t *m = NULL;
    gs_status_t status;

    GS_TRY(gs_model_file_load(&mf, path, "gcc"));
    gs_gcc_options_init(&opt);
    status = get_options(mf, &opt);
    if (status == GS_OK && gs_i_gcc_check_options(&opt) != GS_OK) {
        char reason[512];

        snprintf(reason, sizeof reason, "%s", gs_last_error());
        status = gs_i_error(GS_ERR_PARSE, "%s: %s", path, reason);
    }
    if (status == GS_OK) {
        status = gs_i_gcc_new(&m, &opt);
    }
    if (status == GS_OK) {
        status = read_weights(m, mf);
    }
    gs_model_file_free(mf);
    if (status != GS_OK) {
        gs_gcc_free(m);
        return status;
    }
    *out = m;
    return GS_OK;
}

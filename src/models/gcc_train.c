/*
 * GCC's contrastive pre-training (Qiu et al., KDD 2020, section 3.3), following the
 * authors' train.py:
 *
 *   q = f_q(x_q), k = f_k(x_k)            two subgraphs of each seed, (B, D) each
 *   MoCo:  logits_i = [q_i.k_i, q_i.m_1, ..., q_i.m_K] / T   against a queue m of past keys;
 *          f_k is a momentum copy of f_q: theta_k = 0.999 theta_k + 0.001 theta_q
 *   E2E:   logits = k q^T / T, the other pairs of the batch as negatives, f_k = f_q
 *   L = mean_i -log softmax(logits_i)[positive]
 *
 * Adam (lr 0.005, L2 weight decay 1e-5), gradients clipped to joint norm 1, the learning
 * rate warmed up linearly over the first 10% of steps and then decayed linearly to 0.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common_internal.h"
#include "gcc_internal.h"

/* Random streams: 0 initialises the weights (in gcc.c), 1 draws seeds, 2 drives dropout
 * and 3 the queue's initial contents; walks have streams of their own. */
enum { STREAM_SEEDS = 1, STREAM_DROPOUT = 2, STREAM_QUEUE = 3 };

gs_tensor_t *gs_i_gcc_infonce_moco(gs_tape_t *t, gs_tensor_t *q, gs_tensor_t *k,
                                   gs_tensor_t *queue, float temperature)
{
    return gs_op_info_nce(t, q, k, queue, temperature);
}

gs_tensor_t *gs_i_gcc_infonce_e2e(gs_tape_t *t, gs_tensor_t *q, gs_tensor_t *k,
                                  float temperature)
{
    gs_tensor_t *logits = gs_op_scale(t, gs_op_matmul(t, k, false, q, true),
                                      1.0f / temperature);                 /* (B, B) */
    gs_tensor_t *loss;
    int32_t *targets;

    if (!logits || !(targets = malloc((size_t)q->rows * sizeof *targets))) {
        return NULL;
    }

    /* Row i's positive is q_i: the diagonal. */
    for (int i = 0; i < q->rows; i++) {
        targets[i] = i;
    }
    loss = gs_op_cross_entropy(t, logits, targets);
    free(targets);
    return loss;
}

void gs_i_gcc_momentum_update(gs_tensor_t *const *ema, gs_tensor_t *const *params, int n,
                              float m)
{
    for (int i = 0; i < n; i++) {
        size_t size = (size_t)params[i]->rows * (size_t)params[i]->cols;

        for (size_t j = 0; j < size; j++) {
            ema[i]->data[j] = m * ema[i]->data[j] + (1.0f - m) * params[i]->data[j];
        }
    }
}

double gs_i_gcc_lr_factor(int step, int steps, double warmup)
{
    double x = (double)step / steps;

    if (x < warmup) {
        return x / warmup;
    }
    return fmax((x - 1.0) / (warmup - 1.0), 0.0);
}

/* Everything a run holds besides the model. */
typedef struct trainer {
    const gs_gcc_options_t *opt;
    gs_i_gcc_sampler_t sampler;
    gs_i_gcc_encoder_t ema;       /* MoCo's key encoder */
    bool has_ema;
    gs_i_gcc_batch_t bq, bk;      /* this step's queries and keys; the tape refers to them */
    gs_tensor_t *queue;           /* (K, D) MoCo's keys */
    int queue_next;
    gs_tape_t *tape;
    gs_adam_t *adam;
    gs_rng_t seed_rng;
    gs_rng_t dropout_rng;
    int batch;
} trainer_t;

static void trainer_destroy(trainer_t *tr)
{
    gs_i_gcc_sampler_destroy(&tr->sampler);
    gs_i_gcc_batch_destroy(&tr->bq);
    gs_i_gcc_batch_destroy(&tr->bk);
    if (tr->has_ema) {
        gs_i_gcc_encoder_destroy(&tr->ema);
    }
    gs_tensor_free(tr->queue);
    gs_tape_free(tr->tape);
    gs_adam_free(tr->adam);
}

/* The momentum encoder starts as a copy of the query encoder; the queue as MemoryMoCo's
 * uniform noise in +-1/sqrt(D/3), which gives rows of about unit norm. */
static gs_status_t moco_init(trainer_t *tr, gs_gcc_t *m)
{
    const gs_gcc_options_t *opt = tr->opt;
    float bound = (float)(1.0 / sqrt(opt->hidden / 3.0));
    gs_rng_t rng;

    gs_rng_init(&rng, opt->seed, STREAM_QUEUE);
    GS_TRY(gs_i_gcc_encoder_init(&tr->ema, opt, &rng));
    tr->has_ema = true;
    gs_i_gcc_encoder_copy(&tr->ema, &m->enc);
    gs_i_gcc_encoder_freeze(&tr->ema);

    if (!(tr->queue = gs_tensor_new(opt->queue_size, opt->hidden))) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory for a queue of %d keys",
                          opt->queue_size);
    }
    gs_tensor_init_uniform(tr->queue, -bound, bound, &rng);
    return GS_OK;
}

static gs_status_t trainer_init(trainer_t *tr, gs_gcc_t *m, const gs_graph_t *const *graphs,
                                int n_graphs)
{
    const gs_gcc_options_t *opt = &m->opt;
    gs_adam_options_t adam_opt;

    memset(tr, 0, sizeof *tr);
    tr->opt = opt;
    tr->batch = opt->batch_size;
    gs_rng_init(&tr->seed_rng, opt->seed, STREAM_SEEDS);
    gs_rng_init(&tr->dropout_rng, opt->seed, STREAM_DROPOUT);
    GS_TRY(gs_i_gcc_sampler_init(&tr->sampler, graphs, n_graphs, opt, true));
    if (opt->contrast == GS_GCC_CONTRAST_MOCO) {
        GS_TRY(moco_init(tr, m));
    }

    gs_adam_options_init(&adam_opt);
    adam_opt.lr = opt->lr;
    adam_opt.weight_decay = opt->weight_decay;
    tr->tape = gs_tape_new();
    tr->adam = gs_adam_new(m->enc.params, m->enc.n_params, &adam_opt);
    if (!tr->tape || !tr->adam) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory setting up GCC training");
    }
    return GS_OK;
}

/* Replaces the oldest B keys of the queue by this batch's. */
static void enqueue(trainer_t *tr, const gs_tensor_t *k)
{
    int d = k->cols, rows = tr->queue->rows;

    for (int i = 0; i < k->rows; i++) {
        memcpy(tr->queue->data + (size_t)tr->queue_next * d, k->data + (size_t)i * d,
               (size_t)d * sizeof *k->data);
        tr->queue_next = (tr->queue_next + 1) % rows;
    }
}

/* Batches the sampled pairs: queries are the even items, keys the odd ones. */
static gs_status_t build_batches(trainer_t *tr)
{
    const gs_gcc_options_t *opt = tr->opt;

    gs_i_gcc_batch_destroy(&tr->bq);
    gs_i_gcc_batch_destroy(&tr->bk);
    GS_TRY(gs_i_gcc_batch_build(&tr->bq, tr->sampler.items, 0, 2, tr->batch, opt->pos_dim,
                                opt->encoder));
    return gs_i_gcc_batch_build(&tr->bk, tr->sampler.items, 1, 2, tr->batch, opt->pos_dim,
                                opt->encoder);
}

/* The forward pass of one step on the batches; the loss stays on the tape. */
static gs_status_t forward_step(trainer_t *tr, gs_gcc_t *m, gs_tensor_t **loss,
                                gs_tensor_t **keys)
{
    const gs_gcc_options_t *opt = tr->opt;
    gs_tensor_t *q, *k;

    gs_tape_reset(tr->tape);
    q = gs_i_gcc_encoder_forward(tr->tape, &m->enc, opt, &tr->bq, GS_I_GCC_TRAIN,
                                 &tr->dropout_rng);
    if (opt->contrast == GS_GCC_CONTRAST_MOCO) {
        k = gs_i_gcc_encoder_forward(tr->tape, &tr->ema, opt, &tr->bk, GS_I_GCC_KEY, NULL);
        *loss = gs_i_gcc_infonce_moco(tr->tape, q, k, tr->queue, opt->temperature);
    } else {
        k = gs_i_gcc_encoder_forward(tr->tape, &m->enc, opt, &tr->bk, GS_I_GCC_TRAIN,
                                     &tr->dropout_rng);
        *loss = gs_i_gcc_infonce_e2e(tr->tape, q, k, opt->temperature);
    }
    *keys = k;
    if (!*loss) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory in the GCC forward pass");
    }
    return GS_OK;
}

/* Backward, clipping, the scheduled Adam update, and MoCo's momentum and queue updates. */
static gs_status_t update(trainer_t *tr, gs_gcc_t *m, int step, gs_tensor_t *loss,
                          gs_tensor_t *keys)
{
    const gs_gcc_options_t *opt = tr->opt;

    GS_TRY(gs_tape_backward(tr->tape, loss));
    gs_grad_clip_norm(m->enc.params, m->enc.n_params, opt->clip_norm);
    gs_adam_set_lr(tr->adam,
                   (float)(opt->lr * gs_i_gcc_lr_factor(step, opt->steps, opt->warmup)));
    gs_adam_step(tr->adam);
    if (opt->contrast == GS_GCC_CONTRAST_MOCO) {
        gs_i_gcc_momentum_update(tr->ema.params, m->enc.params, m->enc.n_params,
                                 opt->momentum);
        enqueue(tr, keys);
    }
    return GS_OK;
}

static void report_progress(const gs_gcc_options_t *opt, int step, double *loss_sum,
                            int *loss_count, gs_gcc_report_t *rep)
{
    if (step % opt->log_every != 0 && step != opt->steps) {
        return;
    }
    rep->final_loss = *loss_sum / *loss_count;
    if (opt->progress) {
        opt->progress(step, opt->steps, rep->final_loss, opt->progress_user);
    }
    *loss_sum = 0.0;
    *loss_count = 0;
}

static gs_status_t run_steps(trainer_t *tr, gs_gcc_t *m, gs_gcc_report_t *rep)
{
    const gs_gcc_options_t *opt = tr->opt;
    double loss_sum = 0.0;
    int loss_count = 0;

    for (int step = 0; step < opt->steps; step++) {
        double t0 = gs_clock_seconds();
        gs_tensor_t *loss, *keys;

        GS_TRY(gs_i_gcc_sample_pairs(&tr->sampler, tr->batch, &tr->seed_rng,
                                     GS_I_GCC_PRETRAIN_WALKS + (uint64_t)step));
        rep->seconds_sampling += gs_clock_seconds() - t0;
        GS_TRY(build_batches(tr));

        GS_TRY(forward_step(tr, m, &loss, &keys));
        if (!isfinite(loss->data[0])) {
            return gs_i_error(GS_ERR_NUMERIC, "GCC loss became %g at step %d", loss->data[0],
                              step + 1);
        }
        GS_TRY(update(tr, m, step, loss, keys));

        rep->steps = step + 1;
        loss_sum += loss->data[0];
        loss_count++;
        report_progress(opt, step + 1, &loss_sum, &loss_count, rep);
    }
    return GS_OK;
}

gs_status_t gs_gcc_train(const gs_graph_t *const *graphs, int n_graphs,
                         const gs_gcc_options_t *opt, gs_gcc_t **model,
                         gs_gcc_report_t *report)
{
    gs_gcc_report_t rep = {0};
    double start = gs_clock_seconds();
    gs_gcc_t *m = NULL;
    trainer_t tr;
    gs_status_t status;

    if (n_graphs < 1) {
        return gs_i_error(GS_ERR_INVALID, "GCC needs at least one graph to pre-train on");
    }
    GS_TRY(gs_i_gcc_new(&m, opt));
    status = trainer_init(&tr, m, graphs, n_graphs);
    if (status == GS_OK) {
        int blas = gs_i_gcc_blas_serial_begin();

        status = run_steps(&tr, m, &rep);
        gs_i_gcc_blas_serial_end(blas);
    }
    rep.subgraphs = tr.sampler.n_subgraphs;
    rep.mean_subgraph_nodes = rep.subgraphs ? (double)tr.sampler.n_subgraph_nodes /
                                                  rep.subgraphs : 0.0;
    trainer_destroy(&tr);
    if (status != GS_OK) {
        gs_gcc_free(m);
        return status;
    }

    rep.seconds = gs_clock_seconds() - start;
    if (report) {
        *report = rep;
    }
    *model = m;
    return GS_OK;
}

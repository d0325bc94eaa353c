/*
 * GCC's fine-tuning protocol (Qiu et al., KDD 2020, section 4; train.py --finetune --cv):
 * per stratified fold, the pre-trained encoder with reset batch-norm statistics and a new
 * linear layer on its (L2-normalised) output are trained together,
 *
 *   L = mean_i -log softmax(W z_i + b)[y_i]      over the training folds' nodes or graphs,
 *
 * with Adam (lr 0.005, weight decay 1e-5, linear warm-up over 10% then decay), gradient
 * values clipped to [-1, 1], 30 epochs of batches of 32; the held-out fold is then encoded
 * in evaluation mode and scored.  A node is encoded from a fresh walk with the fixed budget
 * rw_hops whenever it is seen, as the original's labelled data set does.
 */
#include <stdlib.h>
#include <string.h>

#include "common_internal.h"
#include "eval/eval_internal.h"
#include "gcc_internal.h"

/* Subgraphs per forward pass when scoring a fold. */
enum { SCORE_CHUNK = 256 };

/* Random streams of a fold's heads and shuffles (walks use GS_I_GCC_FINETUNE_WALKS). */
#define FOLD_STREAM (4ULL << 28)

/* The walk stream of an epoch of a fold; the test fold uses epoch TEST_EPOCH. */
enum { TEST_EPOCH = 4095 };

void gs_gcc_finetune_options_init(gs_gcc_finetune_options_t *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->folds = 10;
    opt->epochs = 30;
    opt->batch_size = 32;
    opt->lr = 0.005f;
    opt->weight_decay = 1e-5f;
    opt->clip_value = 1.0f;
}

/* What is classified: the nodes of g, or the graphs of c (then g is c's union graph). */
typedef struct task {
    const gs_graph_t *g;
    const gs_graph_collection_t *c;
    const int32_t *labels;
    int n;
    int n_classes;
} task_t;

/* A fold's model: a copy of the pre-trained encoder and a linear head. */
typedef struct tuned {
    gs_gcc_t *model;
    gs_linear_t head;         /* (D, C) */
    gs_tensor_t *params[258];
    int n_params;
    gs_adam_t *adam;
} tuned_t;

static void tuned_destroy(tuned_t *t)
{
    gs_adam_free(t->adam);
    gs_linear_destroy(&t->head);
    gs_gcc_free(t->model);
    memset(t, 0, sizeof *t);
}

static void reset_statistics(gs_i_gcc_encoder_t *e)
{
    for (int i = 0; i < e->n_stats; i++) {
        bool is_var = strstr(e->stat_names[i], ".var") != NULL;

        gs_tensor_fill(e->stats[i], is_var ? 1.0f : 0.0f);
    }
}

static gs_status_t tuned_init(tuned_t *t, const gs_gcc_t *pre, int n_classes,
                              const gs_gcc_finetune_options_t *opt, gs_rng_t *rng)
{
    gs_adam_options_t adam_opt;

    memset(t, 0, sizeof *t);
    GS_TRY(gs_i_gcc_new(&t->model, &pre->opt));
    gs_i_gcc_encoder_copy(&t->model->enc, &pre->enc);
    reset_statistics(&t->model->enc);
    GS_TRY(gs_linear_init(&t->head, pre->opt.hidden, n_classes, true, rng));

    memcpy(t->params, t->model->enc.params, (size_t)t->model->enc.n_params * sizeof *t->params);
    t->n_params = t->model->enc.n_params;
    t->params[t->n_params++] = t->head.weight;
    t->params[t->n_params++] = t->head.bias;
    gs_adam_options_init(&adam_opt);
    adam_opt.lr = opt->lr;
    adam_opt.weight_decay = opt->weight_decay;
    if (!(t->adam = gs_adam_new(t->params, t->n_params, &adam_opt))) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory for fine-tuning");
    }
    return GS_OK;
}

/* Items for ids[0..n) of the task: fresh walks for nodes, whole graphs for graphs. */
static gs_status_t sample(const task_t *task, gs_i_gcc_sampler_t *s, const int32_t *ids, int n,
                          bool training, uint64_t walks)
{
    if (task->c) {
        return gs_i_gcc_sample_graphs(s, task->c, ids, n);
    }

    /* Exponent 0: the budget is rw_hops whatever the degree. */
    return gs_i_gcc_sample_nodes(s, ids, n, 0.0,
                                 training ? GS_I_SIGN_RANDOM : GS_I_SIGN_CANONICAL, walks);
}

/* Logits W z + b of the sampler's first n items.  (n, C) on the tape; *b must outlive it. */
static gs_tensor_t *logits_of(gs_tape_t *tape, const tuned_t *t, gs_i_gcc_sampler_t *s, int n,
                              gs_i_gcc_mode_t mode, gs_rng_t *rng, gs_i_gcc_batch_t *b)
{
    const gs_gcc_options_t *o = &t->model->opt;
    gs_tensor_t *z;

    if (gs_i_gcc_batch_build(b, s->items, 0, 1, n, o->pos_dim, o->encoder) != GS_OK) {
        return NULL;
    }
    z = gs_i_gcc_encoder_forward(tape, &t->model->enc, o, b, mode, rng);
    return gs_linear_forward(tape, &t->head, z);
}

static void clip_values(gs_tensor_t **params, int n, float limit)
{
    for (int p = 0; p < n; p++) {
        for (size_t j = 0; j < (size_t)params[p]->rows * (size_t)params[p]->cols; j++) {
            float g = params[p]->grad[j];

            params[p]->grad[j] = g > limit ? limit : (g < -limit ? -limit : g);
        }
    }
}

/* One training step on ids[0..n). */
static gs_status_t train_step(const task_t *task, tuned_t *t, gs_i_gcc_sampler_t *s,
                              gs_tape_t *tape, const int32_t *ids, int n, uint64_t walks,
                              int32_t *targets, gs_rng_t *rng)
{
    gs_i_gcc_batch_t b = {0};
    gs_tensor_t *loss;
    gs_status_t status;

    GS_TRY(sample(task, s, ids, n, true, walks));
    for (int i = 0; i < n; i++) {
        targets[i] = task->labels[ids[i]];
    }
    gs_tape_reset(tape);
    loss = gs_op_cross_entropy(tape, logits_of(tape, t, s, n, GS_I_GCC_TRAIN, rng, &b),
                               targets);
    status = loss ? gs_tape_backward(tape, loss)
                  : gs_i_error(GS_ERR_NOMEM, "out of memory fine-tuning GCC");
    gs_tape_reset(tape);
    gs_i_gcc_batch_destroy(&b);
    return status;
}

static void shuffle(int32_t *a, int n, gs_rng_t *rng)
{
    for (int i = n - 1; i > 0; i--) {
        int j = (int)gs_rng_below(rng, (uint32_t)i + 1);
        int32_t x = a[i];

        a[i] = a[j];
        a[j] = x;
    }
}

/* Rows of fold f (test) or of every other fold (train), in row order. */
static int fold_rows(const int32_t *fold, int n, int f, bool test, int32_t *rows)
{
    int count = 0;

    for (int i = 0; i < n; i++) {
        if (fold[i] >= 0 && (fold[i] == f) == test) {
            rows[count++] = i;
        }
    }
    return count;
}

static gs_status_t train_fold(const task_t *task, tuned_t *t, gs_i_gcc_sampler_t *s,
                              gs_tape_t *tape, int32_t *rows, int n_rows, int f,
                              const gs_gcc_finetune_options_t *opt, gs_rng_t *rng)
{
    int per_epoch = (n_rows + opt->batch_size - 1) / opt->batch_size;
    int total = opt->epochs * per_epoch, step = 0;
    int32_t *targets = malloc((size_t)opt->batch_size * sizeof *targets);
    gs_status_t status = targets ? GS_OK : gs_i_error(GS_ERR_NOMEM, "out of memory");

    for (int epoch = 0; status == GS_OK && epoch < opt->epochs; epoch++) {
        uint64_t walks = GS_I_GCC_FINETUNE_WALKS + ((uint64_t)f << 12) + (uint64_t)epoch;

        shuffle(rows, n_rows, rng);
        for (int start = 0; status == GS_OK && start < n_rows; start += opt->batch_size) {
            int n = n_rows - start < opt->batch_size ? n_rows - start : opt->batch_size;

            status = train_step(task, t, s, tape, rows + start, n, walks, targets, rng);
            if (status == GS_OK) {
                clip_values(t->params, t->n_params, opt->clip_value);
                gs_adam_set_lr(t->adam, (float)(opt->lr * gs_i_gcc_lr_factor(step++, total,
                                                                               0.1)));
                gs_adam_step(t->adam);
            }
        }
    }
    free(targets);
    return status;
}

static int argmax(const float *x, int n)
{
    int best = 0;

    for (int j = 1; j < n; j++) {
        best = x[j] > x[best] ? j : best;
    }
    return best;
}

/* Predicts rows[0..n_rows) in evaluation mode into pred. */
static gs_status_t predict(const task_t *task, tuned_t *t, gs_i_gcc_sampler_t *s,
                           gs_tape_t *tape, const int32_t *rows, int n_rows, int f,
                           int32_t *pred)
{
    uint64_t walks = GS_I_GCC_FINETUNE_WALKS + ((uint64_t)f << 12) + TEST_EPOCH;

    for (int start = 0; start < n_rows; start += SCORE_CHUNK) {
        int n = n_rows - start < SCORE_CHUNK ? n_rows - start : SCORE_CHUNK;
        gs_i_gcc_batch_t b = {0};
        gs_tensor_t *logits;

        GS_TRY(sample(task, s, rows + start, n, false, walks));
        gs_tape_reset(tape);
        logits = logits_of(tape, t, s, n, GS_I_GCC_EVAL, NULL, &b);
        for (int i = 0; logits && i < n; i++) {
            pred[start + i] = argmax(logits->data + (size_t)i * logits->cols, logits->cols);
        }
        gs_tape_reset(tape);
        gs_i_gcc_batch_destroy(&b);
        if (!logits) {
            return gs_i_error(GS_ERR_NOMEM, "out of memory scoring a fold");
        }
    }
    return GS_OK;
}

/* Trains and scores fold f; rows has room for every row, truth and pred for the test rows. */
static gs_status_t run_fold(const task_t *task, const gs_gcc_t *pre, gs_i_gcc_sampler_t *s,
                            gs_tape_t *tape, const int32_t *fold, int f,
                            const gs_gcc_finetune_options_t *opt, int32_t *rows,
                            int32_t *truth, int32_t *pred, double *micro, double *macro)
{
    tuned_t t;
    gs_rng_t rng;
    int n_train, n_test = 0;
    gs_status_t status;

    gs_rng_init(&rng, opt->seed, FOLD_STREAM + (uint64_t)f);
    status = tuned_init(&t, pre, task->n_classes, opt, &rng);
    if (status == GS_OK) {
        n_train = fold_rows(fold, task->n, f, false, rows);
        status = train_fold(task, &t, s, tape, rows, n_train, f, opt, &rng);
    }
    if (status == GS_OK) {
        n_test = fold_rows(fold, task->n, f, true, rows);
        status = predict(task, &t, s, tape, rows, n_test, f, pred);
    }
    if (status == GS_OK) {
        for (int i = 0; i < n_test; i++) {
            truth[i] = task->labels[rows[i]];
        }
        status = gs_i_f1_scores(truth, pred, n_test, task->n_classes, micro, macro);
    }
    tuned_destroy(&t);
    return status;
}

static gs_status_t check_task(const task_t *task, const gs_gcc_finetune_options_t *opt)
{
    int labelled = 0;

    if (opt->folds < 2 || opt->epochs < 1 || opt->batch_size < 2 || !(opt->lr > 0.0f) ||
        !(opt->weight_decay >= 0.0f) || !(opt->clip_value > 0.0f)) {
        return gs_i_error(GS_ERR_INVALID, "fine-tuning needs folds >= 2, epochs >= 1, a "
                          "batch of 2 or more, and positive lr and clip value");
    }
    if (!task->labels || task->n_classes < 1) {
        return gs_i_error(GS_ERR_INVALID, "fine-tuning needs labels");
    }
    for (int i = 0; i < task->n; i++) {
        if (task->labels[i] >= task->n_classes) {
            return gs_i_error(GS_ERR_INVALID, "label %d of row %d is not below %d classes",
                              task->labels[i], i, task->n_classes);
        }
        labelled += task->labels[i] >= 0;
    }
    if (labelled < opt->folds) {
        return gs_i_error(GS_ERR_INVALID, "%d labelled rows cannot be split into %d folds",
                          labelled, opt->folds);
    }
    return GS_OK;
}

typedef struct buffers {
    int32_t *fold, *rows, *truth, *pred;
    double *micro, *macro;
} buffers_t;

static void buffers_free(buffers_t *b)
{
    free(b->fold);
    free(b->rows);
    free(b->truth);
    free(b->pred);
    free(b->micro);
    free(b->macro);
}

static gs_status_t buffers_alloc(buffers_t *b, int n, int folds)
{
    b->fold = malloc((size_t)n * sizeof *b->fold);
    b->rows = malloc((size_t)n * sizeof *b->rows);
    b->truth = malloc((size_t)n * sizeof *b->truth);
    b->pred = malloc((size_t)n * sizeof *b->pred);
    b->micro = malloc((size_t)folds * sizeof *b->micro);
    b->macro = malloc((size_t)folds * sizeof *b->macro);
    if (!b->fold || !b->rows || !b->truth || !b->pred || !b->micro || !b->macro) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory for fine-tuning %d rows", n);
    }
    return GS_OK;
}

static gs_status_t run_folds(const task_t *task, const gs_gcc_t *pre,
                             const gs_gcc_finetune_options_t *opt, gs_i_gcc_sampler_t *s,
                             gs_tape_t *tape, buffers_t *b)
{
    GS_TRY(gs_i_stratified_folds(task->labels, task->n, task->n_classes, opt->folds,
                                 opt->seed, b->fold));
    for (int f = 0; f < opt->folds; f++) {
        GS_TRY(run_fold(task, pre, s, tape, b->fold, f, opt, b->rows, b->truth, b->pred,
                        &b->micro[f], &b->macro[f]));
        if (opt->progress) {
            opt->progress(f + 1, opt->folds, b->micro[f], opt->progress_user);
        }
    }
    return GS_OK;
}

static gs_status_t finetune(const task_t *task, const gs_gcc_t *pre,
                            const gs_gcc_finetune_options_t *opt, gs_score_t *micro,
                            gs_score_t *macro)
{
    buffers_t b = {0};
    gs_i_gcc_sampler_t s;
    gs_tape_t *tape = NULL;
    gs_status_t status;

    GS_TRY(check_task(task, opt));
    status = buffers_alloc(&b, task->n, opt->folds);
    if (status == GS_OK && !(tape = gs_tape_new())) {
        status = gs_i_error(GS_ERR_NOMEM, "out of memory for fine-tuning");
    }
    if (status == GS_OK &&
        (status = gs_i_gcc_sampler_init(&s, &task->g, 1, &pre->opt, false)) == GS_OK) {
        int blas = gs_i_gcc_blas_serial_begin();

        status = run_folds(task, pre, opt, &s, tape, &b);
        gs_i_gcc_blas_serial_end(blas);
        gs_i_gcc_sampler_destroy(&s);
    }
    if (status == GS_OK) {
        gs_i_score_from_runs(micro, "kfold-finetune", b.micro, opt->folds);
        gs_i_score_from_runs(macro, "kfold-finetune", b.macro, opt->folds);
    }
    gs_tape_free(tape);
    buffers_free(&b);
    return status;
}

gs_status_t gs_gcc_finetune(const gs_gcc_t *model, const gs_graph_t *g, const int32_t *labels,
                            int n_classes, const gs_gcc_finetune_options_t *opt,
                            gs_score_t *micro, gs_score_t *macro)
{
    task_t task = {g, NULL, labels, g->n_nodes, n_classes};

    return finetune(&task, model, opt, micro, macro);
}

gs_status_t gs_gcc_finetune_graphs(const gs_gcc_t *model, const gs_graph_collection_t *c,
                                   const gs_gcc_finetune_options_t *opt, gs_score_t *micro,
                                   gs_score_t *macro)
{
    task_t task = {c->graph, c, c->labels, c->n_graphs, c->n_classes};

    return finetune(&task, model, opt, micro, macro);
}

/*
 * dgi-linear: the linear evaluation of Deep Graph Infomax (Velickovic et al., ICLR 2019),
 * as its reference code runs it.  The embeddings are frozen; for each run a fresh linear
 * softmax classifier (Glorot weight, zero bias) is trained on the train nodes with Adam and
 * full-batch steps, then scored by accuracy on the test nodes.  The score is the mean and
 * population std of the runs' accuracies.
 *
 * The classifier is trained runs x epochs times, so its forward and backward are written
 * out here with cblas_sgemm instead of being recorded on the tape:
 *   Z = X W + b                    (n, C) logits
 *   loss = 1/n sum_i -log softmax(Z_i)[y_i]
 *   dZ = (softmax(Z) - onehot(y)) / n
 *   dW = X^T dZ (D, C),  db = column sums of dZ (1, C)
 * The tensor layer's Adam then updates W and b from their ->grad.
 */
#include "graphssl/eval.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>

#include "common_internal.h"
#include "eval/eval_internal.h"
#include "graphssl/graph.h"

/* The labelled rows of one split part, gathered into contiguous memory. */
typedef struct node_set {
    int n;
    float *x;      /* (n, D) */
    int32_t *y;    /* n labels in 0..C-1 */
} node_set_t;

/* One classifier, reused by every run after re-initialisation. */
typedef struct probe {
    int d;
    int c;
    gs_tensor_t *weight;   /* (D, C) */
    gs_tensor_t *bias;     /* (1, C) */
    float *z;              /* (max(n_train, n_test), C) logits, then dZ */
} probe_t;

void gs_linear_probe_options_init(gs_linear_probe_options_t *opt)
{
    opt->runs = 50;
    opt->epochs = 100;
    opt->lr = 0.01f;
    opt->weight_decay = 0.0f;
    opt->seed = 0;
}

static gs_status_t check_options(const gs_linear_probe_options_t *opt)
{
    if (opt->runs < 1) {
        return gs_i_error(GS_ERR_INVALID, "expected at least one run, found %d", opt->runs);
    }
    if (opt->epochs < 0) {
        return gs_i_error(GS_ERR_INVALID, "expected a non-negative number of epochs, found %d",
                          opt->epochs);
    }
    if (!(opt->lr > 0.0f) || !(opt->weight_decay >= 0.0f)) {
        return gs_i_error(GS_ERR_INVALID,
                          "expected lr > 0 and weight decay >= 0, found %g and %g",
                          (double)opt->lr, (double)opt->weight_decay);
    }
    return GS_OK;
}

static gs_status_t node_set_gather(node_set_t *set, const gs_tensor_t *emb,
                                   const int32_t *labels, const uint8_t *split, uint8_t part)
{
    int d = emb->cols;
    int n = 0;

    for (int v = 0; v < emb->rows; v++) {
        n += split[v] == part && labels[v] >= 0;
    }
    set->n = n;
    set->x = malloc((size_t)(n > 0 ? n : 1) * (size_t)d * sizeof *set->x);
    set->y = malloc((size_t)(n > 0 ? n : 1) * sizeof *set->y);
    if (!set->x || !set->y) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory for %d x %d probe rows", n, d);
    }

    n = 0;
    for (int v = 0; v < emb->rows; v++) {
        if (split[v] == part && labels[v] >= 0) {
            cblas_scopy(d, emb->data + (size_t)v * d, 1, set->x + (size_t)n * d, 1);
            set->y[n++] = labels[v];
        }
    }
    return GS_OK;
}

static void node_set_destroy(node_set_t *set)
{
    free(set->x);
    free(set->y);
}

static gs_status_t probe_init(probe_t *p, int d, int c, int max_rows)
{
    p->d = d;
    p->c = c;
    p->weight = gs_tensor_new(d, c);
    p->bias = gs_tensor_new(1, c);
    p->z = malloc((size_t)max_rows * (size_t)c * sizeof *p->z);
    if (!p->weight || !p->bias || !p->z) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory for a %d x %d linear probe", d, c);
    }
    GS_TRY(gs_tensor_require_grad(p->weight));
    return gs_tensor_require_grad(p->bias);
}

static void probe_destroy(probe_t *p)
{
    gs_tensor_free(p->weight);
    gs_tensor_free(p->bias);
    free(p->z);
}

/* p->z = X W + b for the n rows of x. */
static void probe_forward(probe_t *p, const float *x, int n)
{
    int c = p->c;

    /* (n, D) x (D, C) -> (n, C) */
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, c, p->d, 1.0f, x, p->d,
                p->weight->data, c, 0.0f, p->z, c);
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < c; j++) {
            p->z[(size_t)i * c + j] += p->bias->data[j];
        }
    }
}

/* Turns each row of logits into d(mean cross-entropy)/dZ = (softmax - onehot) / n. */
static void softmax_xent_grad(float *z, const int32_t *y, int n, int c)
{
    for (int i = 0; i < n; i++) {
        float *row = z + (size_t)i * c;
        float max = row[0];
        double sum = 0.0;

        /* The max is subtracted so exp never overflows. */
        for (int j = 1; j < c; j++) {
            max = row[j] > max ? row[j] : max;
        }
        for (int j = 0; j < c; j++) {
            row[j] = expf(row[j] - max);
            sum += row[j];
        }

        for (int j = 0; j < c; j++) {
            row[j] = (float)(row[j] / sum / n);
        }
        row[y[i]] -= 1.0f / (float)n;
    }
}

/* Adds dW = X^T dZ and db = column sums of dZ into the parameters' gradients. */
static void probe_backward(probe_t *p, const node_set_t *train)
{
    int c = p->c;

    /* (D, n) x (n, C) -> (D, C) */
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, p->d, c, train->n, 1.0f, train->x,
                p->d, p->z, c, 1.0f, p->weight->grad, c);

    for (int j = 0; j < c; j++) {
        double sum = 0.0;

        for (int i = 0; i < train->n; i++) {
            sum += p->z[(size_t)i * c + j];
        }
        p->bias->grad[j] += (float)sum;
    }
}

/* Fraction of rows whose largest logit (the first one on ties) is the true class. */
static double probe_accuracy(probe_t *p, const node_set_t *test)
{
    int64_t correct = 0;

    probe_forward(p, test->x, test->n);
    for (int i = 0; i < test->n; i++) {
        const float *row = p->z + (size_t)i * p->c;
        int best = 0;

        for (int j = 1; j < p->c; j++) {
            best = row[j] > row[best] ? j : best;
        }
        correct += best == test->y[i];
    }
    return (double)correct / test->n;
}

static gs_status_t probe_run(probe_t *p, const node_set_t *train, const node_set_t *test,
                             const gs_linear_probe_options_t *opt, int run, double *accuracy)
{
    gs_tensor_t *params[2] = {p->weight, p->bias};
    gs_adam_options_t adam_opt;
    gs_adam_t *adam;
    gs_rng_t rng;

    /* A fresh classifier from its own stream, so each run is reproducible on its own. */
    gs_rng_init(&rng, opt->seed, (uint64_t)run);
    gs_tensor_init_glorot(p->weight, &rng);
    gs_tensor_fill(p->bias, 0.0f);
    gs_tensor_zero_grad(p->weight);
    gs_tensor_zero_grad(p->bias);

    gs_adam_options_init(&adam_opt);
    adam_opt.lr = opt->lr;
    adam_opt.weight_decay = opt->weight_decay;
    adam = gs_adam_new(params, 2, &adam_opt);
    if (!adam) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory for the linear probe's optimizer");
    }

    for (int epoch = 0; epoch < opt->epochs; epoch++) {
        probe_forward(p, train->x, train->n);
        softmax_xent_grad(p->z, train->y, train->n, p->c);
        probe_backward(p, train);
        gs_adam_step(adam);
    }
    gs_adam_free(adam);

    *accuracy = probe_accuracy(p, test);
    return GS_OK;
}

static gs_status_t check_parts(const node_set_t *train, const node_set_t *test)
{
    if (train->n == 0) {
        return gs_i_error(GS_ERR_INVALID,
                          "no training nodes in the split: expected labelled nodes marked "
                          "train");
    }
    if (test->n == 0) {
        return gs_i_error(GS_ERR_INVALID,
                          "no test nodes in the split: expected labelled nodes marked test");
    }
    return GS_OK;
}

static gs_status_t probe_all_runs(const node_set_t *train, const node_set_t *test, int d,
                                  int n_classes, const gs_linear_probe_options_t *opt,
                                  gs_score_t *score)
{
    probe_t probe = {0};
    double *acc = malloc((size_t)opt->runs * sizeof *acc);
    int max_rows = train->n > test->n ? train->n : test->n;
    gs_status_t status;

    if (!acc) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory for %d run scores", opt->runs);
    }
    status = probe_init(&probe, d, n_classes, max_rows);

    for (int run = 0; run < opt->runs && status == GS_OK; run++) {
        status = probe_run(&probe, train, test, opt, run, &acc[run]);
    }
    if (status == GS_OK) {
        gs_i_score_from_runs(score, "dgi-linear", acc, opt->runs);
    }

    probe_destroy(&probe);
    free(acc);
    return status;
}

gs_status_t gs_eval_linear_probe(const gs_tensor_t *emb, const int32_t *labels,
                                 int n_classes, const uint8_t *split,
                                 const gs_linear_probe_options_t *opt, gs_score_t *accuracy)
{
    gs_linear_probe_options_t defaults;
    node_set_t train = {0};
    node_set_t test = {0};
    gs_status_t status;

    if (!opt) {
        gs_linear_probe_options_init(&defaults);
        opt = &defaults;
    }
    GS_TRY(check_options(opt));
    GS_TRY(gs_i_eval_check_inputs(emb, labels, n_classes));
    if (!split) {
        return gs_i_error(GS_ERR_INVALID, "dgi-linear needs a train/test split, found none");
    }

    status = node_set_gather(&train, emb, labels, split, GS_SPLIT_TRAIN);
    if (status == GS_OK) {
        status = node_set_gather(&test, emb, labels, split, GS_SPLIT_TEST);
    }
    if (status == GS_OK) {
        status = check_parts(&train, &test);
    }
    if (status == GS_OK) {
        status = probe_all_runs(&train, &test, emb->cols, n_classes, opt, accuracy);
    }

    node_set_destroy(&train);
    node_set_destroy(&test);
    return status;
}

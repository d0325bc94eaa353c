/*
 * Optimizers: Adam (Kingma and Ba, 2015) exactly as torch.optim.Adam with L2 weight decay
 * and no AMSGrad, plain SGD, and clipping of gradients by their global L2 norm.
 */
#include <math.h>
#include <omp.h>
#include <stdlib.h>

#include "tape_internal.h"

struct gs_adam {
    gs_tensor_t **params;  /* not owned */
    float **m;             /* first moments, one buffer per parameter */
    float **v;             /* second moments */
    int n_params;
    long step;
    gs_adam_options_t opt;
};

void gs_adam_options_init(gs_adam_options_t *opt)
{
    opt->lr = 0.001f;
    opt->beta1 = 0.9f;
    opt->beta2 = 0.999f;
    opt->eps = 1e-8f;
    opt->weight_decay = 0.0f;
}

gs_adam_t *gs_adam_new(gs_tensor_t **params, int n_params, const gs_adam_options_t *opt)
{
    gs_adam_t *adam = calloc(1, sizeof *adam);
    size_t slots = n_params > 0 ? (size_t)n_params : 1;

    if (!adam) {
        return NULL;
    }
    if (opt) {
        adam->opt = *opt;
    } else {
        gs_adam_options_init(&adam->opt);
    }
    adam->n_params = n_params;
    adam->params = malloc(slots * sizeof *adam->params);
    adam->m = calloc(slots, sizeof *adam->m);
    adam->v = calloc(slots, sizeof *adam->v);
    if (!adam->params || !adam->m || !adam->v) {
        gs_adam_free(adam);
        return NULL;
    }

    /* The moments start at zero, as in torch. */
    for (int p = 0; p < n_params; p++) {
        size_t n = gs_i_numel(params[p]) > 0 ? gs_i_numel(params[p]) : 1;

        adam->params[p] = params[p];
        adam->m[p] = calloc(n, sizeof *adam->m[p]);
        adam->v[p] = calloc(n, sizeof *adam->v[p]);
        if (!adam->m[p] || !adam->v[p]) {
            gs_adam_free(adam);
            return NULL;
        }
    }
    return adam;
}

void gs_adam_free(gs_adam_t *adam)
{
    if (!adam) {
        return;
    }
    for (int p = 0; adam->m && adam->v && p < adam->n_params; p++) {
        free(adam->m[p]);
        free(adam->v[p]);
    }
    free(adam->m);
    free(adam->v);
    free(adam->params);
    free(adam);
}

void gs_adam_set_lr(gs_adam_t *adam, float lr)
{
    adam->opt.lr = lr;
}

/*
 * With g = grad + wd p:  m = b1 m + (1 - b1) g,  v = b2 v + (1 - b2) g^2,
 * p -= (lr / (1 - b1^t)) m / (sqrt(v) / sqrt(1 - b2^t) + eps),
 * which is torch's arrangement of the bias corrections (eps added after the correction).
 */
/* Elements [begin, end) of one parameter's update; the gradient is zeroed as it is used, to
 * spare the step a second pass over it. */
GS_I_HOT static void adam_range(const gs_adam_options_t *o, float *restrict p,
                                float *restrict grad, float *restrict m, float *restrict v,
                                float step_size, float sqrt_bc2, size_t begin, size_t end)
{
    for (size_t i = begin; i < end; i++) {
        float g = grad[i] + o->weight_decay * p[i];

        m[i] = o->beta1 * m[i] + (1.0f - o->beta1) * g;
        v[i] = o->beta2 * v[i] + (1.0f - o->beta2) * g * g;
        p[i] -= step_size * m[i] / (sqrtf(v[i]) / sqrt_bc2 + o->eps);
        grad[i] = 0.0f;
    }
}

static void adam_update(const gs_adam_options_t *o, gs_tensor_t *param, float *m, float *v,
                        float step_size, float sqrt_bc2)
{
    size_t n = gs_i_numel(param);
    int threads = n >= GS_I_PAR_MIN ? omp_get_max_threads() : 1;

    #pragma omp parallel num_threads(threads)
    {
        int k = omp_get_num_threads(), id = omp_get_thread_num();

        adam_range(o, param->data, param->grad, m, v, step_size, sqrt_bc2, n * id / k,
                   n * (id + 1) / k);
    }
}

void gs_adam_step(gs_adam_t *adam)
{
    const gs_adam_options_t *o = &adam->opt;
    double bc1, bc2;

    adam->step++;
    bc1 = 1.0 - pow(o->beta1, (double)adam->step);
    bc2 = 1.0 - pow(o->beta2, (double)adam->step);

    for (int p = 0; p < adam->n_params; p++) {
        if (adam->params[p]->grad) {
            adam_update(o, adam->params[p], adam->m[p], adam->v[p], (float)(o->lr / bc1),
                        (float)sqrt(bc2));
        }
    }
}

void gs_adam_zero_grad(gs_adam_t *adam)
{
    for (int p = 0; p < adam->n_params; p++) {
        gs_tensor_zero_grad(adam->params[p]);
    }
}

void gs_sgd_step(gs_tensor_t **params, int n_params, float lr, float weight_decay)
{
    for (int p = 0; p < n_params; p++) {
        gs_tensor_t *t = params[p];
        size_t n = gs_i_numel(t);

        if (!t->grad) {
            continue;
        }
        #pragma omp parallel for if (n >= GS_I_PAR_MIN)
        for (size_t i = 0; i < n; i++) {
            t->data[i] -= lr * (t->grad[i] + weight_decay * t->data[i]);
        }
        gs_tensor_zero_grad(t);
    }
}

double gs_grad_clip_norm(gs_tensor_t **params, int n_params, double max_norm)
{
    double sq = 0.0, norm, scale;

    for (int p = 0; p < n_params; p++) {
        const float *g = params[p]->grad;
        size_t n = gs_i_numel(params[p]);

        for (size_t i = 0; g && i < n; i++) {
            sq += (double)g[i] * g[i];
        }
    }
    norm = sqrt(sq);
    if (norm <= max_norm) {
        return norm;
    }

    /* The 1e-6 matches torch.nn.utils.clip_grad_norm_. */
    scale = max_norm / (norm + 1e-6);
    for (int p = 0; p < n_params; p++) {
        float *g = params[p]->grad;
        size_t n = gs_i_numel(params[p]);

        for (size_t i = 0; g && i < n; i++) {
            g[i] = (float)(g[i] * scale);
        }
    }
    return norm;
}

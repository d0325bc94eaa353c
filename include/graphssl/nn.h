/*
 * Layers built only from tensor ops: linear, GCN, PReLU, bilinear; and the GCN encoder.
 * Each layer owns its parameters (init/destroy pair) and exposes them for an optimizer.
 */
#ifndef GRAPHSSL_NN_H
#define GRAPHSSL_NN_H

#include "graphssl/common.h"
#include "graphssl/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* y = x W + b, W (in x out) Glorot, b zero (optional). */
typedef struct gs_linear {
    gs_tensor_t *weight;
    gs_tensor_t *bias;     /* NULL without bias */
} gs_linear_t;

GS_API gs_status_t gs_linear_init(gs_linear_t *l, int in, int out, bool bias, gs_rng_t *rng);
GS_API void gs_linear_destroy(gs_linear_t *l);
GS_API gs_tensor_t *gs_linear_forward(gs_tape_t *t, const gs_linear_t *l, gs_tensor_t *x);

/*
 * A graph convolution H' = Â X W + b (activation applied by the caller).  The input is
 * dense (x) or sparse (xs, a constant such as bag-of-words features); W is applied first
 * because it shrinks the width in every model here.
 */
typedef gs_linear_t gs_gcn_layer_t;

GS_API gs_status_t gs_gcn_layer_init(gs_gcn_layer_t *l, int in, int out, bool bias,
                                     gs_rng_t *rng);
GS_API void gs_gcn_layer_destroy(gs_gcn_layer_t *l);
GS_API gs_tensor_t *gs_gcn_layer_forward(gs_tape_t *t, const gs_gcn_layer_t *l,
                                         const gs_csr_t *adj, gs_tensor_t *x);
GS_API gs_tensor_t *gs_gcn_layer_forward_sparse(gs_tape_t *t, const gs_gcn_layer_t *l,
                                                const gs_csr_t *adj, const gs_csr_t *xs);

/* score[i] = a[i]^T W b[i] ... in DGI's form: score = h W s for one summary row s. */
typedef struct gs_bilinear {
    gs_tensor_t *weight;   /* (D x D) */
    gs_tensor_t *bias;     /* 1 x 1 */
} gs_bilinear_t;

GS_API gs_status_t gs_bilinear_init(gs_bilinear_t *l, int dim, gs_rng_t *rng);
GS_API void gs_bilinear_destroy(gs_bilinear_t *l);
/* h (N x D), s (1 x D) -> N x 1 scores h_i^T W s + b. */
GS_API gs_tensor_t *gs_bilinear_forward(gs_tape_t *t, const gs_bilinear_t *l, gs_tensor_t *h,
                                        gs_tensor_t *s);

#ifdef __cplusplus
}
#endif

#endif

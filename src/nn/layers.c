/*
 * Layers built from tensor ops: linear, graph convolution (Kipf & Welling, ICLR 2017) and
 * the bilinear discriminator of DGI.
 */
#include "graphssl/nn.h"

#include <math.h>

#include "common_internal.h"

gs_status_t gs_linear_init(gs_linear_t *l, int in, int out, bool bias, gs_rng_t *rng)
{
    l->weight = gs_tensor_new(in, out);
    l->bias = bias ? gs_tensor_new(1, out) : NULL;
    if (!l->weight || (bias && !l->bias)) {
        gs_linear_destroy(l);
        return gs_i_error(GS_ERR_NOMEM, "out of memory for a %d x %d layer", in, out);
    }
    gs_tensor_init_glorot(l->weight, rng);

    GS_TRY(gs_tensor_require_grad(l->weight));
    if (l->bias) {
        GS_TRY(gs_tensor_require_grad(l->bias));
    }
    return GS_OK;
}

void gs_linear_destroy(gs_linear_t *l)
{
    gs_tensor_free(l->weight);
    gs_tensor_free(l->bias);
    l->weight = NULL;
    l->bias = NULL;
}

gs_tensor_t *gs_linear_forward(gs_tape_t *t, const gs_linear_t *l, gs_tensor_t *x)
{
    gs_tensor_t *y = gs_op_matmul(t, x, false, l->weight, false);

    return l->bias ? gs_op_add_bias(t, y, l->bias) : y;
}

gs_status_t gs_gcn_layer_init(gs_gcn_layer_t *l, int in, int out, bool bias, gs_rng_t *rng)
{
    return gs_linear_init(l, in, out, bias, rng);
}

void gs_gcn_layer_destroy(gs_gcn_layer_t *l)
{
    gs_linear_destroy(l);
}

gs_tensor_t *gs_gcn_layer_forward(gs_tape_t *t, const gs_gcn_layer_t *l, const gs_csr_t *adj,
                                  gs_tensor_t *x)
{
    gs_tensor_t *xw = gs_op_matmul(t, x, false, l->weight, false);      /* (N, out) */
    gs_tensor_t *axw = gs_op_spmm(t, adj, xw);                          /* (N, out) */

    return l->bias ? gs_op_add_bias(t, axw, l->bias) : axw;
}

gs_tensor_t *gs_gcn_layer_forward_sparse(gs_tape_t *t, const gs_gcn_layer_t *l,
                                         const gs_csr_t *adj, const gs_csr_t *xs)
{
    gs_tensor_t *xw = gs_op_spmm(t, xs, l->weight);                    /* (N, out) */
    gs_tensor_t *axw = gs_op_spmm(t, adj, xw);                         /* (N, out) */

    return l->bias ? gs_op_add_bias(t, axw, l->bias) : axw;
}

gs_status_t gs_bilinear_init(gs_bilinear_t *l, int dim, gs_rng_t *rng)
{
    /* torch.nn.Bilinear's weight is (1, D, D); Xavier-uniform then sees fan_in = D * D and
     * fan_out = D, a much smaller range than a D x D matrix would get.  DGI depends on it. */
    float bound = (float)sqrt(6.0 / ((double)dim * dim + dim));

    l->weight = gs_tensor_new(dim, dim);
    l->bias = gs_tensor_new(1, 1);
    if (!l->weight || !l->bias) {
        gs_bilinear_destroy(l);
        return gs_i_error(GS_ERR_NOMEM, "out of memory for a %d x %d bilinear layer", dim, dim);
    }
    gs_tensor_init_uniform(l->weight, -bound, bound, rng);

    GS_TRY(gs_tensor_require_grad(l->weight));
    return gs_tensor_require_grad(l->bias);
}

void gs_bilinear_destroy(gs_bilinear_t *l)
{
    gs_tensor_free(l->weight);
    gs_tensor_free(l->bias);
    l->weight = NULL;
    l->bias = NULL;
}

gs_tensor_t *gs_bilinear_forward(gs_tape_t *t, const gs_bilinear_t *l, gs_tensor_t *h,
                                 gs_tensor_t *s)
{
    /* h_i^T W s = h_i . (W s): one matrix-vector product instead of N. */
    gs_tensor_t *ws = gs_op_matmul(t, l->weight, false, s, true);      /* (D, 1) */
    gs_tensor_t *scores = gs_op_matmul(t, h, false, ws, false);        /* (N, 1) */

    return gs_op_add_bias(t, scores, l->bias);
}

/*
 * The autodiff-lite tensor layer: dense float32 matrices, a CSR sparse matrix, a tape that
 * records ops and runs them backward, optimizers and a seeded random generator.
 *
 * Shape legend used in comments across the project: N nodes, E edges, F features,
 * H hidden, D embedding, B batch, C classes.
 *
 * Ownership: tensors made by gs_tensor_new() (parameters, inputs that outlive a step) are
 * freed with gs_tensor_free().  Every tensor an op returns belongs to the tape and lives
 * until gs_tape_reset() or gs_tape_free().  Ops never take ownership of their inputs.
 *
 * Failure: an op returns NULL when an allocation fails (and records it on the tape); an op
 * given a NULL input returns NULL, so a forward pass can run to its end and be checked once
 * with gs_tape_status().  Shape mismatches are programming errors and are caught by assert.
 */
#ifndef GRAPHSSL_TENSOR_H
#define GRAPHSSL_TENSOR_H

#include "graphssl/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A dense row-major float32 matrix.  grad is NULL until a backward pass needs it. */
typedef struct gs_tensor {
    int rows;
    int cols;
    float *data;          /* rows * cols values */
    float *grad;          /* same shape, or NULL */
    bool requires_grad;   /* parameters and every op output that depends on one */
    bool owns_data;       /* false for views of caller memory */
} gs_tensor_t;

/* A CSR sparse matrix with float values.  transpose, when set, is used by backward passes
 * that need A^T (set it to the matrix itself when A is symmetric). */
typedef struct gs_csr {
    int n_rows;
    int n_cols;
    int64_t *indptr;      /* n_rows + 1 */
    int32_t *indices;     /* nnz column indices, ascending within a row */
    float *values;        /* nnz values */
    struct gs_csr *transpose;
    bool owns_transpose;
} gs_csr_t;

static inline int64_t gs_csr_nnz(const gs_csr_t *a) { return a->indptr[a->n_rows]; }

/* --- Dense tensors outside the tape --------------------------------------------------- */

/* Allocates a zero-filled rows x cols tensor; NULL when out of memory. */
GS_API gs_tensor_t *gs_tensor_new(int rows, int cols);

/* Wraps caller memory without copying; the view never frees data. */
GS_API gs_tensor_t *gs_tensor_view(float *data, int rows, int cols);

GS_API void gs_tensor_free(gs_tensor_t *t);

/* Makes t a parameter: allocates its gradient (zeroed) and sets requires_grad. */
GS_API gs_status_t gs_tensor_require_grad(gs_tensor_t *t);

GS_API void gs_tensor_fill(gs_tensor_t *t, float value);
GS_API void gs_tensor_zero_grad(gs_tensor_t *t);
GS_API gs_tensor_t *gs_tensor_clone(const gs_tensor_t *t);
GS_API void gs_tensor_copy(gs_tensor_t *dst, const gs_tensor_t *src); /* same shape */

/* --- Sparse matrices ----------------------------------------------------------------- */

/* Allocates an n_rows x n_cols CSR with room for nnz entries (indptr zeroed). */
GS_API gs_csr_t *gs_csr_new(int n_rows, int n_cols, int64_t nnz);
GS_API void gs_csr_free(gs_csr_t *a);

/* Builds and attaches a->transpose (owned by a). */
GS_API gs_status_t gs_csr_build_transpose(gs_csr_t *a);

/* out (n_rows x k) = a (n_rows x n_cols) * b (n_cols x k); OpenMP over rows. */
GS_API void gs_csr_spmm(const gs_csr_t *a, const float *b, int k, float *out);

/* --- Random numbers ------------------------------------------------------------------ */

/* A small fast generator (xoshiro256**).  One seed drives everything; independent streams
 * (one per thread, per task) come from gs_rng_init(&r, seed, stream). */
typedef struct gs_rng {
    uint64_t s[4];
} gs_rng_t;

GS_API void gs_rng_init(gs_rng_t *rng, uint64_t seed, uint64_t stream);
GS_API uint64_t gs_rng_next(gs_rng_t *rng);
GS_API double gs_rng_uniform(gs_rng_t *rng);            /* [0, 1) */
GS_API uint32_t gs_rng_below(gs_rng_t *rng, uint32_t n); /* uniform in [0, n), unbiased */
GS_API double gs_rng_normal(gs_rng_t *rng);              /* standard normal */
GS_API void gs_rng_permutation(gs_rng_t *rng, int32_t *perm, int n); /* random perm of 0..n-1 */

/* --- Initialisers -------------------------------------------------------------------- */

/* Glorot/Xavier uniform: U(-a, a), a = sqrt(6 / (fan_in + fan_out)), fan_in = rows. */
GS_API void gs_tensor_init_glorot(gs_tensor_t *t, gs_rng_t *rng);
GS_API void gs_tensor_init_uniform(gs_tensor_t *t, float lo, float hi, gs_rng_t *rng);
GS_API void gs_tensor_init_normal(gs_tensor_t *t, float mean, float std, gs_rng_t *rng);

/* --- The tape ------------------------------------------------------------------------ */

typedef struct gs_tape gs_tape_t;

GS_API gs_tape_t *gs_tape_new(void);
GS_API void gs_tape_free(gs_tape_t *tape);

/* Frees every tensor the tape owns and forgets the recorded ops; keeps its memory pool. */
GS_API void gs_tape_reset(gs_tape_t *tape);

/* GS_OK, or GS_ERR_NOMEM when an op of the current pass failed to allocate. */
GS_API gs_status_t gs_tape_status(const gs_tape_t *tape);

/* A tape-owned zero-filled tensor (inputs and constants of one step). */
GS_API gs_tensor_t *gs_tape_tensor(gs_tape_t *tape, int rows, int cols);

/* Seeds d(loss)/d(loss) = 1 (loss must be 1 x 1) and runs every recorded op backward,
 * adding into the gradients of the tensors that require them.  Parameter gradients
 * accumulate across calls until zeroed. */
GS_API gs_status_t gs_tape_backward(gs_tape_t *tape, gs_tensor_t *loss);

/* --- Ops: each returns a tape-owned tensor ------------------------------------------- */

/* op(a) * op(b), op = transpose when the flag is set; cblas_sgemm. */
GS_API gs_tensor_t *gs_op_matmul(gs_tape_t *t, gs_tensor_t *a, bool trans_a,
                                 gs_tensor_t *b, bool trans_b);
/* a * b with a constant sparse a (no gradient for a); backward uses a->transpose. */
GS_API gs_tensor_t *gs_op_spmm(gs_tape_t *t, const gs_csr_t *a, gs_tensor_t *b);

GS_API gs_tensor_t *gs_op_add(gs_tape_t *t, gs_tensor_t *a, gs_tensor_t *b);
GS_API gs_tensor_t *gs_op_sub(gs_tape_t *t, gs_tensor_t *a, gs_tensor_t *b);
GS_API gs_tensor_t *gs_op_mul(gs_tape_t *t, gs_tensor_t *a, gs_tensor_t *b); /* elementwise */
GS_API gs_tensor_t *gs_op_scale(gs_tape_t *t, gs_tensor_t *a, float s);
/* a (R x C) + bias (1 x C) on every row. */
GS_API gs_tensor_t *gs_op_add_bias(gs_tape_t *t, gs_tensor_t *a, gs_tensor_t *bias);
/* a (R x C) * s (R x 1), each row scaled by its own factor. */
GS_API gs_tensor_t *gs_op_scale_rows(gs_tape_t *t, gs_tensor_t *a, gs_tensor_t *s);

GS_API gs_tensor_t *gs_op_relu(gs_tape_t *t, gs_tensor_t *a);
/* PReLU with slope alpha, 1 x 1 (shared) or 1 x C (per channel). */
GS_API gs_tensor_t *gs_op_prelu(gs_tape_t *t, gs_tensor_t *a, gs_tensor_t *alpha);
GS_API gs_tensor_t *gs_op_sigmoid(gs_tape_t *t, gs_tensor_t *a);
GS_API gs_tensor_t *gs_op_tanh(gs_tape_t *t, gs_tensor_t *a);
GS_API gs_tensor_t *gs_op_exp(gs_tape_t *t, gs_tensor_t *a);
GS_API gs_tensor_t *gs_op_log(gs_tape_t *t, gs_tensor_t *a);
GS_API gs_tensor_t *gs_op_softplus(gs_tape_t *t, gs_tensor_t *a);
/* Clamps values into [lo, hi]; the gradient passes only inside the interval. */
GS_API gs_tensor_t *gs_op_clamp(gs_tape_t *t, gs_tensor_t *a, float lo, float hi);

/* out[i] = a[idx[i]] for i < n (n x C); backward scatters (adds) into a's rows. */
GS_API gs_tensor_t *gs_op_gather_rows(gs_tape_t *t, gs_tensor_t *a, const int32_t *idx, int n);
/* out[i] = a[u[i]] . b[v[i]] for i < n (n x 1); a and b may be the same tensor. */
GS_API gs_tensor_t *gs_op_row_dot_pairs(gs_tape_t *t, gs_tensor_t *a, gs_tensor_t *b,
                                        const int32_t *u, const int32_t *v, int n);
/* out[i] = a[i] . b[i] (R x 1). */
GS_API gs_tensor_t *gs_op_row_dot(gs_tape_t *t, gs_tensor_t *a, gs_tensor_t *b);
/* Each row divided by max(||row||_2, eps). */
GS_API gs_tensor_t *gs_op_l2_normalize_rows(gs_tape_t *t, gs_tensor_t *a, float eps);
/* 1 x C mean of the rows. */
GS_API gs_tensor_t *gs_op_mean_rows(gs_tape_t *t, gs_tensor_t *a);
/* n_segments x C: per segment sum (or mean) of consecutive rows; segment s covers rows
 * offsets[s] .. offsets[s+1]-1 (offsets has n_segments + 1 entries). */
GS_API gs_tensor_t *gs_op_segment_sum(gs_tape_t *t, gs_tensor_t *a, const int64_t *offsets,
                                      int n_segments);
GS_API gs_tensor_t *gs_op_segment_mean(gs_tape_t *t, gs_tensor_t *a, const int64_t *offsets,
                                       int n_segments);
/* 1 x 1 sum and mean of all entries. */
GS_API gs_tensor_t *gs_op_sum(gs_tape_t *t, gs_tensor_t *a);
GS_API gs_tensor_t *gs_op_mean(gs_tape_t *t, gs_tensor_t *a);
/* Row-wise log-softmax (max subtracted first). */
GS_API gs_tensor_t *gs_op_log_softmax(gs_tape_t *t, gs_tensor_t *a);
/* 1 x 1 mean over rows of -log softmax(logits)[target]; rows with target < 0 are skipped
 * (the mean is over the counted rows). */
GS_API gs_tensor_t *gs_op_cross_entropy(gs_tape_t *t, gs_tensor_t *logits,
                                        const int32_t *targets);
/* 1 x 1 mean of pos_weight * y * softplus(-x) + (1 - y) * softplus(x) over all entries of
 * logits x with targets y in [0, 1] (targets has the same shape as x). */
GS_API gs_tensor_t *gs_op_bce_with_logits(gs_tape_t *t, gs_tensor_t *logits,
                                          const float *targets, float pos_weight);
/* Inverted dropout: zero with probability p, scale survivors by 1/(1-p).  Identity when
 * p == 0 or training is false. */
GS_API gs_tensor_t *gs_op_dropout(gs_tape_t *t, gs_tensor_t *a, float p, bool training,
                                  gs_rng_t *rng);
GS_API gs_tensor_t *gs_op_concat_cols(gs_tape_t *t, gs_tensor_t *a, gs_tensor_t *b);
GS_API gs_tensor_t *gs_op_concat_rows(gs_tape_t *t, gs_tensor_t *a, gs_tensor_t *b);
/* z = mu + exp(logstd) * eps with eps ~ N(0, 1) drawn from rng. */
GS_API gs_tensor_t *gs_op_reparameterize(gs_tape_t *t, gs_tensor_t *mu, gs_tensor_t *logstd,
                                         gs_rng_t *rng);
/* 1 x 1: -0.5 / R * sum over rows of sum_j (1 + 2 logstd - mu^2 - exp(logstd)^2), i.e. the
 * mean over rows of KL(N(mu, sigma^2) || N(0, 1)). */
GS_API gs_tensor_t *gs_op_kl_normal(gs_tape_t *t, gs_tensor_t *mu, gs_tensor_t *logstd);

/* --- The fused graph convolution (src/tensor/ops_gcn.c) ------------------------------- */

/*
 * PReLU(A (P_b X) W + bias) for each branch b < n_branches, stacked: rows b N .. b N + N - 1
 * of the (n_branches N) x H output hold branch b.  P_b X takes row perm[b N + i] of X as its
 * row i (perm NULL: the identity, with one branch).  X is constant, sparse (xs) or dense
 * (xd, the other NULL); A is constant and its transpose must be set.  alpha is 1 x 1
 * (shared) or 1 x H; bias may be NULL.  X W is computed once for all branches, in L2-sized
 * column panels; the result does not depend on the number of threads.
 */
GS_API gs_tensor_t *gs_op_gcn_prelu(gs_tape_t *t, const gs_csr_t *adj, const gs_csr_t *xs,
                                    const gs_tensor_t *xd, gs_tensor_t *w, gs_tensor_t *bias,
                                    gs_tensor_t *alpha, const int32_t *perm, int n_branches);

/* --- Ops of the graph auto-encoders (src/tensor/ops_vgae.c) -------------------------- */

/*
 * 1 x 1: norm / N^2 * sum over all N^2 pairs (i, j) of pos_weight * y_ij * softplus(-s_ij)
 * + (1 - y_ij) * softplus(s_ij), with logits s = z z^T (z is N x D) and y_ij = 1 exactly
 * where targets (N x N, sorted indices, symmetric pattern; values ignored) stores (i, j).
 * The N x N logits are never held at once; memory is O(N D) plus a 16 MB block.
 */
GS_API gs_tensor_t *gs_op_inner_product_bce(gs_tape_t *t, gs_tensor_t *z,
                                            const gs_csr_t *targets, float pos_weight,
                                            float norm);

/* --- Ops of GCC (src/tensor/ops_gcc.c) --------------------------------------------- */

/*
 * Batch normalisation of the rows of a (R x C) with affine gamma, beta (1 x C each), as
 * torch.nn.BatchNorm1d.  training: normalises with the batch mean and biased variance and,
 * when running_mean and running_var (C floats each) are not NULL, updates them in place:
 * r = (1 - momentum) r + momentum stat, with the unbiased variance.  Otherwise normalises
 * with the running statistics, which must then be given.
 */
GS_API gs_tensor_t *gs_op_batch_norm(gs_tape_t *t, gs_tensor_t *a, gs_tensor_t *gamma,
                                     gs_tensor_t *beta, float *running_mean,
                                     float *running_var, bool training, float momentum,
                                     float eps);

/*
 * 1 x 1 InfoNCE of queries q (B x D) against their positive keys k (B x D) and the rows of
 * a constant queue (K x D) as negatives: the mean over i of -log softmax(l_i)[0] with
 * l_i = [q_i.k_i, q_i.queue_1, ..., q_i.queue_K] / temperature (MoCo's objective).
 */
GS_API gs_tensor_t *gs_op_info_nce(gs_tape_t *t, gs_tensor_t *q, gs_tensor_t *k,
                                   gs_tensor_t *queue, float temperature);

/* --- Optimizers ---------------------------------------------------------------------- */

typedef struct gs_adam_options {
    float lr;            /* 0.001 */
    float beta1;         /* 0.9 */
    float beta2;         /* 0.999 */
    float eps;           /* 1e-8 */
    float weight_decay;  /* 0: L2 added to the gradient, as torch.optim.Adam */
} gs_adam_options_t;

GS_API void gs_adam_options_init(gs_adam_options_t *opt);

typedef struct gs_adam gs_adam_t;

/* The optimizer keeps pointers to params (not owned) and owns their moment buffers. */
GS_API gs_adam_t *gs_adam_new(gs_tensor_t **params, int n_params, const gs_adam_options_t *opt);
GS_API void gs_adam_free(gs_adam_t *adam);
GS_API void gs_adam_set_lr(gs_adam_t *adam, float lr);
/* One update from the accumulated gradients, then zeroes them. */
GS_API void gs_adam_step(gs_adam_t *adam);
GS_API void gs_adam_zero_grad(gs_adam_t *adam);

/* Plain SGD on params: p -= lr * (grad + weight_decay * p), then zero the gradients. */
GS_API void gs_sgd_step(gs_tensor_t **params, int n_params, float lr, float weight_decay);

/* Scales all gradients so their joint L2 norm is at most max_norm; returns the norm before. */
GS_API double gs_grad_clip_norm(gs_tensor_t **params, int n_params, double max_norm);

#ifdef __cplusplus
}
#endif

#endif

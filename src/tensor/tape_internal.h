/*
 * What the op files share with the tape: the op record, tape memory for outputs and saved
 * buffers, lazily allocated gradients, and a few deterministic reduction kernels.
 *
 * Every op follows one pattern: allocate its output with gs_i_tape_output() (which decides
 * whether the output requires a gradient), compute the forward values, and when the output
 * requires a gradient record a backward function with gs_i_tape_record() or
 * gs_i_tape_finish().  Backward functions ADD into their inputs' gradients.
 */
#ifndef GS_TAPE_INTERNAL_H
#define GS_TAPE_INTERNAL_H

#include "graphssl/tensor.h"

#include <stdbool.h>
#include <stddef.h>

/* Loops over at least this many elements run in parallel; smaller ones are not worth the
 * cost of waking the thread team. */
#define GS_I_PAR_MIN 32768

/* Hot kernels are compiled for the baseline and for x86-64-v3 (AVX2, FMA) and v4
 * (AVX-512), and the best the CPU runs is chosen when the library loads. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12 && \
    !defined(__SANITIZE_ADDRESS__)
#define GS_I_HOT __attribute__((target_clones("arch=x86-64-v3", "arch=x86-64-v4", "default")))
#else
#define GS_I_HOT
#endif

/* out (R x K) += a (R x C) b (C x K), parallel over output rows. */
void gs_i_csr_spmm_add(const gs_csr_t *a, const float *b, int k, float *out);

/* out (C x K) += a^T g for a (R x C), g (R x K), without a stored transpose; GS_ERR_NOMEM
 * when the per-thread buffers cannot be had. */
gs_status_t gs_i_csr_spmm_transposed_add(const gs_csr_t *a, const float *g, int k, float *out);

typedef struct gs_i_op gs_i_op_t;

typedef void (*gs_i_backward_t)(gs_tape_t *tape, const gs_i_op_t *op);

/* One recorded op: what backward needs to propagate out->grad into its inputs. */
struct gs_i_op {
    gs_i_backward_t backward;
    gs_tensor_t *out;
    gs_tensor_t *in[3];   /* NULL when unused */
    float s[2];           /* saved scalars: scale, eps, bounds, keep factor */
    int n;                /* saved count: index pairs, segments */
    int flags;            /* op-specific bits such as matmul's transposes */
    const void *ref;      /* a caller constant read back by backward (spmm's matrix) */
    void *saved[2];       /* tape buffers: indices, masks, noise, local gradients */
};

static inline size_t gs_i_numel(const gs_tensor_t *t)
{
    return (size_t)t->rows * (size_t)t->cols;
}

/* Uninitialised tape memory aligned to 64 bytes; NULL (and GS_ERR_NOMEM on the tape) when
 * it cannot be had. */
void *gs_i_tape_alloc(gs_tape_t *tape, size_t bytes);

/* An uninitialised rows x cols output that requires a gradient iff one of the inputs a, b,
 * c (each may be NULL) does. */
gs_tensor_t *gs_i_tape_output(gs_tape_t *tape, int rows, int cols, const gs_tensor_t *a,
                              const gs_tensor_t *b, const gs_tensor_t *c);

/* Appends an op record for out (which must require a gradient); NULL when out of memory. */
gs_i_op_t *gs_i_tape_record(gs_tape_t *tape, gs_i_backward_t backward, gs_tensor_t *out,
                            gs_tensor_t *a, gs_tensor_t *b, gs_tensor_t *c);

/* The end of an op that saves nothing: records it when out requires a gradient and returns
 * out, or NULL when recording failed. */
gs_tensor_t *gs_i_tape_finish(gs_tape_t *tape, gs_i_backward_t backward, gs_tensor_t *out,
                              gs_tensor_t *a, gs_tensor_t *b, gs_tensor_t *c);

/* The gradient buffer of t, allocated zeroed from the tape on first use; NULL when t needs
 * no gradient or the allocation failed (the tape then reports GS_ERR_NOMEM). */
float *gs_i_tape_grad(gs_tape_t *tape, gs_tensor_t *t);

/* As gs_i_tape_grad, but a gradient allocated by this call is left uninitialised and
 * *fresh says so: the caller must then write every element, and can spare the zeroing. */
float *gs_i_tape_grad_unset(gs_tape_t *tape, gs_tensor_t *t, bool *fresh);

/* Marks the current pass as failed for lack of memory (an op's own scratch allocation). */
void gs_i_tape_fail(gs_tape_t *tape);

/* Bytes of memory the tape holds; lets tests prove that steps reuse it. */
size_t gs_i_tape_reserved(const gs_tape_t *tape);

/* Sum of n floats in double, in fixed chunks combined in a fixed order, so the result does
 * not depend on the number of threads. */
double gs_i_sum(const float *x, size_t n);

/* log sum_j e^x_j of n floats, the maximum subtracted first; -inf when n == 0. */
float gs_i_log_sum_exp(const float *x, int n);

/* acc[j] = sum over rows of x[i][j] (rows x cols), in double, rows in order. */
void gs_i_column_sums(const float *x, int rows, int cols, double *acc);

#endif

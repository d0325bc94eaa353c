/*
 * The tape: a memory arena that owns every tensor a forward pass creates, and the list of
 * recorded ops that gs_tape_backward() walks in reverse.
 *
 * The arena is a chain of blocks with a bump pointer.  A reset merges the chain into one
 * block as large as the most any step has used (plus some slack), so a training loop
 * allocates during its first step only and afterwards reuses the same memory.
 */
#include "tape_internal.h"

#include <stdlib.h>
#include <string.h>

#include "common_internal.h"

#define ALIGN 64
#define MIN_BLOCK ((size_t)1 << 20)

typedef struct block {
    struct block *next;   /* the previous, older block */
    unsigned char *base;
    size_t size;
    size_t used;
} block_t;

struct gs_tape {
    block_t *blocks;      /* newest first; only the newest is allocated from */
    size_t reserved;      /* total size of the blocks */
    size_t high_water;    /* the most bytes one step has used */
    gs_i_op_t *ops;
    int n_ops;
    int cap_ops;
    gs_status_t status;
};

static size_t round_up(size_t bytes)
{
    return (bytes + ALIGN - 1) / ALIGN * ALIGN;
}

static block_t *block_new(size_t size)
{
    block_t *b = malloc(sizeof *b);

    if (!b) {
        return NULL;
    }
    b->base = aligned_alloc(ALIGN, size);
    if (!b->base) {
        free(b);
        return NULL;
    }
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

static void blocks_free(block_t *b)
{
    while (b) {
        block_t *next = b->next;

        free(b->base);
        free(b);
        b = next;
    }
}

gs_tape_t *gs_tape_new(void)
{
    return calloc(1, sizeof(gs_tape_t));
}

void gs_tape_free(gs_tape_t *tape)
{
    if (!tape) {
        return;
    }
    blocks_free(tape->blocks);
    free(tape->ops);
    free(tape);
}

void gs_tape_reset(gs_tape_t *tape)
{
    size_t used = 0, size;

    if (!tape) {
        return;
    }
    tape->n_ops = 0;
    tape->status = GS_OK;
    for (block_t *b = tape->blocks; b; b = b->next) {
        used += b->used;
    }
    if (used > tape->high_water) {
        tape->high_water = used;
    }
    if (!tape->blocks) {
        return;
    }
    if (!tape->blocks->next) {
        tape->blocks->used = 0;
        return;
    }

    /* Several blocks mean the step outgrew the arena: replace them by one block that holds
     * the largest step so far, with an eighth more so that steps of slowly varying size do
     * not merge again and again.  If that allocation fails, the next step starts a new
     * chain. */
    size = round_up(tape->high_water + tape->high_water / 8);
    blocks_free(tape->blocks);
    tape->blocks = block_new(size);
    tape->reserved = tape->blocks ? size : 0;
}

gs_status_t gs_tape_status(const gs_tape_t *tape)
{
    return tape ? tape->status : GS_ERR_NOMEM;
}

size_t gs_i_tape_reserved(const gs_tape_t *tape)
{
    return tape->reserved;
}

void *gs_i_tape_alloc(gs_tape_t *tape, size_t bytes)
{
    block_t *b = tape->blocks;
    void *p;

    bytes = round_up(bytes > 0 ? bytes : 1);
    if (!b || b->size - b->used < bytes) {
        /* Doubling the reserve keeps the number of blocks of the first step small. */
        size_t size = tape->reserved > MIN_BLOCK ? tape->reserved : MIN_BLOCK;
        block_t *fresh;

        if (size < bytes) {
            size = bytes;
        }
        fresh = block_new(size);
        if (!fresh) {
            tape->status = GS_ERR_NOMEM;
            return NULL;
        }
        fresh->next = b;
        tape->blocks = fresh;
        tape->reserved += size;
        b = fresh;
    }
    p = b->base + b->used;
    b->used += bytes;
    return p;
}

gs_tensor_t *gs_i_tape_output(gs_tape_t *tape, int rows, int cols, const gs_tensor_t *a,
                              const gs_tensor_t *b, const gs_tensor_t *c)
{
    gs_tensor_t *t;

    if (!tape) {
        return NULL;
    }
    t = gs_i_tape_alloc(tape, sizeof *t);
    if (!t) {
        return NULL;
    }
    t->rows = rows;
    t->cols = cols;
    t->grad = NULL;
    t->owns_data = false;
    t->requires_grad = (a && a->requires_grad) || (b && b->requires_grad) ||
                       (c && c->requires_grad);
    t->data = gs_i_tape_alloc(tape, gs_i_numel(t) * sizeof *t->data);
    return t->data ? t : NULL;
}

gs_tensor_t *gs_tape_tensor(gs_tape_t *tape, int rows, int cols)
{
    gs_tensor_t *t = gs_i_tape_output(tape, rows, cols, NULL, NULL, NULL);

    if (t) {
        memset(t->data, 0, gs_i_numel(t) * sizeof *t->data);
    }
    return t;
}

gs_i_op_t *gs_i_tape_record(gs_tape_t *tape, gs_i_backward_t backward, gs_tensor_t *out,
                            gs_tensor_t *a, gs_tensor_t *b, gs_tensor_t *c)
{
    gs_i_op_t *op;

    if (tape->n_ops == tape->cap_ops) {
        int cap = tape->cap_ops ? 2 * tape->cap_ops : 64;
        gs_i_op_t *ops = realloc(tape->ops, (size_t)cap * sizeof *ops);

        if (!ops) {
            tape->status = GS_ERR_NOMEM;
            return NULL;
        }
        tape->ops = ops;
        tape->cap_ops = cap;
    }

    op = &tape->ops[tape->n_ops++];
    memset(op, 0, sizeof *op);
    op->backward = backward;
    op->out = out;
    op->in[0] = a;
    op->in[1] = b;
    op->in[2] = c;
    return op;
}

gs_tensor_t *gs_i_tape_finish(gs_tape_t *tape, gs_i_backward_t backward, gs_tensor_t *out,
                              gs_tensor_t *a, gs_tensor_t *b, gs_tensor_t *c)
{
    if (out->requires_grad && !gs_i_tape_record(tape, backward, out, a, b, c)) {
        return NULL;
    }
    return out;
}

void gs_i_tape_fail(gs_tape_t *tape)
{
    tape->status = GS_ERR_NOMEM;
}

float *gs_i_tape_grad_unset(gs_tape_t *tape, gs_tensor_t *t, bool *fresh)
{
    *fresh = false;
    if (!t->requires_grad) {
        return NULL;
    }
    if (!t->grad) {
        t->grad = gs_i_tape_alloc(tape, gs_i_numel(t) * sizeof *t->grad);
        *fresh = t->grad != NULL;
    }
    return t->grad;
}

float *gs_i_tape_grad(gs_tape_t *tape, gs_tensor_t *t)
{
    bool fresh;
    float *grad = gs_i_tape_grad_unset(tape, t, &fresh);

    if (fresh) {
        memset(grad, 0, gs_i_numel(t) * sizeof *grad);
    }
    return grad;
}

gs_status_t gs_tape_backward(gs_tape_t *tape, gs_tensor_t *loss)
{
    float *seed;

    if (!tape || tape->status != GS_OK) {
        return gs_i_error(GS_ERR_NOMEM, "the forward pass ran out of memory before backward");
    }
    if (!loss) {
        return gs_i_error(GS_ERR_INVALID, "backward called without a loss");
    }
    if (loss->rows != 1 || loss->cols != 1) {
        return gs_i_error(GS_ERR_INVALID, "backward expects a 1 x 1 loss, found %d x %d",
                          loss->rows, loss->cols);
    }
    if (!loss->requires_grad) {
        return GS_OK;
    }

    /* Gradients of intermediates left by an earlier backward on this tape must not leak into
     * this one; op outputs are always tape tensors, so clearing them is safe. */
    for (int i = 0; i < tape->n_ops; i++) {
        gs_tensor_t *out = tape->ops[i].out;

        if (out->grad) {
            memset(out->grad, 0, gs_i_numel(out) * sizeof *out->grad);
        }
    }

    seed = gs_i_tape_grad(tape, loss);
    if (seed) {
        seed[0] += 1.0f;
    }
    for (int i = tape->n_ops - 1; i >= 0 && tape->status == GS_OK; i--) {
        const gs_i_op_t *op = &tape->ops[i];

        if (op->out->grad) {
            op->backward(tape, op);
        }
    }

    if (tape->status != GS_OK) {
        return gs_i_error(tape->status, "out of memory for the gradients of a backward pass");
    }
    return GS_OK;
}

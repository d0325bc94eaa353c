/*
 * Dense tensors outside the tape: allocation, views, copies, fills.
 */
#include "graphssl/tensor.h"

#include <stdlib.h>
#include <string.h>

#include "common_internal.h"

static size_t tensor_size(const gs_tensor_t *t)
{
    return (size_t)t->rows * (size_t)t->cols;
}

gs_tensor_t *gs_tensor_new(int rows, int cols)
{
    gs_tensor_t *t = calloc(1, sizeof *t);

    if (!t) {
        return NULL;
    }
    t->rows = rows;
    t->cols = cols;
    t->owns_data = true;
    t->data = calloc(tensor_size(t) ? tensor_size(t) : 1, sizeof *t->data);
    if (!t->data) {
        free(t);
        return NULL;
    }
    return t;
}

gs_tensor_t *gs_tensor_view(float *data, int rows, int cols)
{
    gs_tensor_t *t = calloc(1, sizeof *t);

    if (!t) {
        return NULL;
    }
    t->rows = rows;
    t->cols = cols;
    t->data = data;
    return t;
}

void gs_tensor_free(gs_tensor_t *t)
{
    if (!t) {
        return;
    }
    if (t->owns_data) {
        free(t->data);
    }
    free(t->grad);
    free(t);
}

gs_status_t gs_tensor_require_grad(gs_tensor_t *t)
{
    if (!t->grad) {
        t->grad = calloc(tensor_size(t) ? tensor_size(t) : 1, sizeof *t->grad);
        if (!t->grad) {
            return gs_i_error(GS_ERR_NOMEM, "out of memory for a %d x %d gradient", t->rows,
                              t->cols);
        }
    }
    t->requires_grad = true;
    return GS_OK;
}

void gs_tensor_fill(gs_tensor_t *t, float value)
{
    size_t n = tensor_size(t);

    for (size_t i = 0; i < n; i++) {
        t->data[i] = value;
    }
}

void gs_tensor_zero_grad(gs_tensor_t *t)
{
    if (t->grad) {
        memset(t->grad, 0, tensor_size(t) * sizeof *t->grad);
    }
}

gs_tensor_t *gs_tensor_clone(const gs_tensor_t *t)
{
    gs_tensor_t *c = gs_tensor_new(t->rows, t->cols);

    if (c) {
        memcpy(c->data, t->data, tensor_size(t) * sizeof *t->data);
    }
    return c;
}

void gs_tensor_copy(gs_tensor_t *dst, const gs_tensor_t *src)
{
    memcpy(dst->data, src->data, tensor_size(src) * sizeof *src->data);
}

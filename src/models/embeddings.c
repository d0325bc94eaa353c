/*
 * Post-processing shared by every method's embeddings.
 */
#include "graphssl/model.h"

#include <math.h>

double gs_embeddings_rescale(gs_tensor_t *emb)
{
    double total = 0.0, factor;

    for (int i = 0; i < emb->rows; i++) {
        const float *row = emb->data + (size_t)i * emb->cols;
        double sq = 0.0;

        for (int j = 0; j < emb->cols; j++) {
            sq += (double)row[j] * row[j];
        }
        total += sqrt(sq);
    }
    if (emb->rows == 0 || total == 0.0) {
        return 1.0;
    }

    factor = emb->rows / total;
    for (size_t i = 0; i < (size_t)emb->rows * emb->cols; i++) {
        emb->data[i] = (float)(emb->data[i] * factor);
    }
    return factor;
}

/*
 * DeepWalk (Perozzi et al., KDD 2014): truncated uniform random walks treated as sentences,
 * embedded by skip-gram with negative sampling (Mikolov et al., NIPS 2013) trained by SGD
 * with a linearly decaying learning rate.  Also GraphGAN's default initializer.
 *
 * Reproducibility: the walks are generated in parallel with one random stream per walk.
 * SGD runs on one thread by default, which makes the embeddings a function of the seed
 * alone.  With hogwild set it runs lock-free on every thread (Recht et al., 2011) like
 * word2vec: faster, but the result then depends on how the threads interleave and is not
 * reproducible byte for byte.
 */
#ifndef GRAPHSSL_DEEPWALK_H
#define GRAPHSSL_DEEPWALK_H

#include "graphssl/graph.h"
#include "graphssl/model.h"
#include "graphssl/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gs_deepwalk_options {
    int dim;               /* 128 */
    int walk_length;       /* 80 nodes per walk */
    int walks_per_node;    /* 10 */
    int window;            /* 10: context up to this many nodes on each side */
    int negatives;         /* 5, drawn from the node frequencies in the walks ^ 0.75 */
    int epochs;            /* 1 pass of SGD over all walks */
    float lr;              /* 0.025, decaying linearly to lr * 1e-4 at the end */
    bool hogwild;          /* false: SGD on one thread, reproducible */
    uint64_t seed;         /* 0 */
    gs_progress_fn progress;  /* called after each walk pass of each epoch */
    void *progress_user;
} gs_deepwalk_options_t;

typedef struct gs_deepwalk gs_deepwalk_t;

GS_API void gs_deepwalk_options_init(gs_deepwalk_options_t *opt);

/*
 * Trains on g's adjacency (direction and weights are ignored by the walks' uniform choice
 * of the next neighbour; isolated nodes keep their random initial vectors).  The progress
 * callback gets the mean negative-sampling loss per (centre, context) pair of each pass.
 * Returns GS_ERR_INVALID for options out of range or an empty graph, GS_ERR_NOMEM,
 * GS_ERR_NUMERIC when the loss stops being finite.
 */
GS_API gs_status_t gs_deepwalk_train(const gs_graph_t *g, const gs_deepwalk_options_t *opt,
                                     gs_deepwalk_t **model, gs_train_report_t *report);

/* The N x dim node vectors (the skip-gram input vectors), a new tensor the caller frees.
 * GS_ERR_INVALID when g has a different number of nodes than the model was trained on. */
GS_API gs_status_t gs_deepwalk_embed(const gs_deepwalk_t *model, const gs_graph_t *g,
                                     gs_tensor_t **out);

GS_API void gs_deepwalk_free(gs_deepwalk_t *model);

#ifdef __cplusplus
}
#endif

#endif

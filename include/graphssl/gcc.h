/*
 * Graph Contrastive Coding (Qiu et al., KDD 2020): structural pre-training by instance
 * discrimination between random-walk-with-restart subgraphs.
 *
 *   sampling  seeds drawn with probability proportional to degree^0.75; two walks with
 *             restart (probability 0.8, at least 256 visits) from the same seed give two
 *             induced subgraphs, a positive pair
 *   inputs    per subgraph node: the top eigenvectors of the subgraph's D^-1/2 A D^-1/2
 *             (rows L2-normalised, zero-padded, random signs in training) and a flag
 *             marking the seed; optionally a learned embedding of its capped degree (a
 *             degree one-hot times a matrix), which the paper describes but its code
 *             leaves off by default.  Off is the default here too: pre-trained without the
 *             airports for 10,000 steps, the USA airports scored 65.3 without it, 60.3 and
 *             60.8 with it (degrees capped at 16 and 512; the pre-training graphs' degrees
 *             say little about an airport's), IMDB-BINARY 72.6, 75.2 and 72.3
 *   encoder   GIN (sum aggregation, MLPs with batch norm), each layer's sum-pooled output
 *             mapped to D and summed, L2-normalised; or GCN layers with the same readout
 *   loss      InfoNCE with temperature 0.07 against a MoCo queue of keys from a momentum
 *             encoder, or against the other pairs of the batch (end-to-end)
 *
 * A model trained on some graphs embeds the nodes, or whole graphs, of any other graph.
 */
#ifndef GRAPHSSL_GCC_H
#define GRAPHSSL_GCC_H

#include "graphssl/eval.h"
#include "graphssl/graph.h"
#include "graphssl/model.h"
#include "graphssl/tensor.h"
#include "graphssl/tu.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum gs_gcc_encoder {
    GS_GCC_ENCODER_GIN = 0,
    GS_GCC_ENCODER_GCN
} gs_gcc_encoder_t;

typedef enum gs_gcc_contrast {
    GS_GCC_CONTRAST_MOCO = 0,  /* queue of momentum-encoded keys */
    GS_GCC_CONTRAST_E2E        /* the batch's other pairs as negatives */
} gs_gcc_contrast_t;

/* Called every log_every steps with the mean loss of those steps; may be NULL. */
typedef void (*gs_gcc_progress_fn)(int step, int steps, double loss, void *user);

typedef struct gs_gcc_options {
    /* Encoder. */
    gs_gcc_encoder_t encoder;   /* GIN */
    int layers;                 /* 5: the input plus 4 message-passing layers are read out */
    int hidden;                 /* 64: hidden and output width */
    int pos_dim;                /* 32 eigenvectors per node */
    int degree_dim;             /* 0: no degree input; else the degree embedding's width */
    int max_degree;             /* 512: degrees above are capped (with degree_dim > 0) */
    float dropout;              /* 0.5 on each layer's readout, in training */

    /* Sampling. */
    double restart_prob;        /* 0.8 */
    int rw_hops;                /* 256: the least number of visits per walk */

    /* Contrast and optimisation. */
    gs_gcc_contrast_t contrast; /* MoCo */
    int batch_size;             /* 0: 32 for MoCo, 256 end-to-end */
    int queue_size;             /* 16384 keys (MoCo) */
    float momentum;             /* 0.999 (MoCo) */
    float temperature;          /* 0.07 */
    int steps;                  /* 10000 */
    float lr;                   /* 0.005 */
    float weight_decay;         /* 1e-5 */
    float clip_norm;            /* 1: joint gradient norm */
    float warmup;               /* 0.1: fraction of steps of linear warm-up, then linear decay */

    uint64_t seed;              /* 0 */
    int log_every;              /* 100 */
    gs_gcc_progress_fn progress;
    void *progress_user;
} gs_gcc_options_t;

typedef struct gs_gcc_report {
    int steps;
    double final_loss;          /* mean loss of the last log_every steps */
    double seconds;             /* training wall time */
    double seconds_sampling;    /* of which sampling and eigen-decomposition */
    int64_t subgraphs;          /* subgraphs sampled */
    double mean_subgraph_nodes;
} gs_gcc_report_t;

typedef struct gs_gcc gs_gcc_t;

GS_API void gs_gcc_options_init(gs_gcc_options_t *opt);

/*
 * Pre-trains on the nodes of n_graphs graphs (their structure only: features and labels
 * are ignored).  GS_ERR_INVALID for bad options or when no graph has an edge,
 * GS_ERR_NUMERIC for a non-finite loss, GS_ERR_NOMEM when out of memory.
 */
GS_API gs_status_t gs_gcc_train(const gs_graph_t *const *graphs, int n_graphs,
                                const gs_gcc_options_t *opt, gs_gcc_t **model,
                                gs_gcc_report_t *report);

/* N x hidden embeddings of g's nodes: as GCC's generate.py, the mean of the encodings of
 * two walks with restart from the node (with the evaluation budget, proportional to the
 * degree), by the encoder in evaluation mode; deterministic for the model's seed.
 * GS_ERR_INVALID for a graph without nodes. */
GS_API gs_status_t gs_gcc_embed(const gs_gcc_t *model, const gs_graph_t *g, gs_tensor_t **out);

/* n_graphs x hidden embeddings, each graph encoded whole with its highest-degree node as
 * the seed, as GCC does for graph classification. */
GS_API gs_status_t gs_gcc_embed_graphs(const gs_gcc_t *model, const gs_graph_collection_t *c,
                                       gs_tensor_t **out);

/*
 * kfold-finetune, GCC's fine-tuning protocol: the labelled nodes (or graphs) are split into
 * stratified folds; for each fold a copy of the pre-trained encoder (batch-norm statistics
 * reset) and a fresh linear classifier are trained together with cross-entropy on the other
 * folds, then score the fold.  Nodes are encoded from a fresh walk each time they are seen
 * (budget rw_hops, random eigenvector signs in training), graphs whole.
 */
typedef struct gs_gcc_finetune_options {
    int folds;             /* 10 */
    int epochs;            /* 30 */
    int batch_size;        /* 32 */
    float lr;              /* 0.005, warmed up over 10% of the steps, then decayed */
    float weight_decay;    /* 1e-5 */
    float clip_value;      /* 1: every gradient entry clipped to [-1, 1] */
    uint64_t seed;         /* 0: folds, walks, heads */
    gs_gcc_progress_fn progress;   /* called after each fold with its accuracy */
    void *progress_user;
} gs_gcc_finetune_options_t;

GS_API void gs_gcc_finetune_options_init(gs_gcc_finetune_options_t *opt);

/* Fine-tunes on the nodes of g with labels (one per node, -1 for unlabelled) in
 * 0..n_classes-1; micro- and macro-F1 averaged over the folds.  GS_ERR_INVALID for bad
 * options, labels out of range or fewer labelled nodes than folds. */
GS_API gs_status_t gs_gcc_finetune(const gs_gcc_t *model, const gs_graph_t *g,
                                   const int32_t *labels, int n_classes,
                                   const gs_gcc_finetune_options_t *opt, gs_score_t *micro,
                                   gs_score_t *macro);

/* The same over the graphs of a labelled collection. */
GS_API gs_status_t gs_gcc_finetune_graphs(const gs_gcc_t *model,
                                          const gs_graph_collection_t *c,
                                          const gs_gcc_finetune_options_t *opt,
                                          gs_score_t *micro, gs_score_t *macro);

/* The options the model was trained with. */
GS_API const gs_gcc_options_t *gs_gcc_options(const gs_gcc_t *model);

/* Saves the model in the versioned model file format (see model_file.h), atomically. */
GS_API gs_status_t gs_gcc_save(const gs_gcc_t *model, const char *path);

/* Loads a model saved by gs_gcc_save.  GS_ERR_IO / GS_ERR_PARSE as gs_model_file_load,
 * GS_ERR_PARSE when hyperparameters are out of range. */
GS_API gs_status_t gs_gcc_load(gs_gcc_t **model, const char *path);

GS_API void gs_gcc_free(gs_gcc_t *model);

#ifdef __cplusplus
}
#endif

#endif

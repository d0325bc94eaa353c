/*
 * What the GCC files share: subgraph features (gcc_features.c), sampling and batching
 * (gcc_batch.c), the encoder (gcc_encoder.c), the contrastive objective and training loop
 * (gcc_train.c), and embedding, saving and loading (gcc.c).
 *
 * Shape legend: B subgraphs in a batch, N nodes over all of them, P eigenvector columns
 * (pos_dim), H hidden, D output (= H), K queue length.
 */
#ifndef GS_MODELS_GCC_INTERNAL_H
#define GS_MODELS_GCC_INTERNAL_H

#include "graph/rwr.h"
#include "graphssl/gcc.h"
#include "graphssl/nn.h"

/* --- Features --------------------------------------------------------------------------- */

enum { GS_I_GCC_MAX_POS_DIM = 256 };

/* Per-thread buffers of the eigen-solver, grown on demand. */
typedef struct gs_i_eig_ws {
    double *m;               /* n x n normalised adjacency */
    double *z;               /* n x k eigenvectors, row-major */
    double *w;               /* n eigenvalues */
    int *isuppz;             /* 2 n */
    size_t cap;              /* n the buffers hold */
} gs_i_eig_ws_t;

void gs_i_eig_ws_destroy(gs_i_eig_ws_t *ws);

/* How eigenvector signs are chosen: random (training), or a fixed convention. */
typedef enum gs_i_sign_mode { GS_I_SIGN_RANDOM, GS_I_SIGN_CANONICAL } gs_i_sign_mode_t;

/*
 * The positional inputs of an n-node subgraph given as a local CSR without self loops:
 * the k = min(n, pos_dim) eigenvectors of D^-1/2 A D^-1/2 with the largest eigenvalues, in
 * descending order, each row L2-normalised; columns k..pos_dim-1 zero.  out is n x pos_dim;
 * eigenvalues (pos_dim entries, may be NULL) receives the k eigenvalues.  rng is used only
 * with GS_I_SIGN_RANDOM.  GS_ERR_NUMERIC when LAPACK fails, GS_ERR_NOMEM.
 */
gs_status_t gs_i_gcc_eigen_features(const int64_t *indptr, const int32_t *indices, int n,
                                    int pos_dim, gs_i_sign_mode_t signs, gs_rng_t *rng,
                                    gs_i_eig_ws_t *ws, float *out, double *eigenvalues);

/* --- Sampled subgraphs and batches --------------------------------------------------------- */

/* One subgraph ready to batch: local adjacency, inputs, seed at local index 0. */
typedef struct gs_i_gcc_item {
    int n;
    int64_t *indptr;         /* n + 1 */
    int32_t *indices;        /* indptr[n] local neighbours, no self loops */
    float *pos;              /* n x pos_dim */
    int32_t *degree;         /* n degrees capped at max_degree */
    int seed;                /* local index of the seed */
    int cap_n;
    int64_t cap_nnz;
} gs_i_gcc_item_t;

/* B subgraphs as one block-diagonal graph. */
typedef struct gs_i_gcc_batch {
    int n_graphs;            /* B */
    int n_nodes;             /* N */
    int64_t *offsets;        /* B + 1 node offsets */
    gs_csr_t *adj;           /* (N, N): A + I for GIN, D^-1/2 (A + I) D^-1/2 for GCN */
    gs_tensor_t *x;          /* (N, P + 1): eigenvector inputs and the seed flag */
    int32_t *degree;         /* N capped degrees, rows of the degree embedding */
} gs_i_gcc_batch_t;

void gs_i_gcc_batch_destroy(gs_i_gcc_batch_t *b);

void gs_i_gcc_item_destroy(gs_i_gcc_item_t *item);

/* Fills item from the subgraph a walk left in w (nodes and induced adjacency). */
gs_status_t gs_i_gcc_item_fill(gs_i_gcc_item_t *item, const gs_i_rwr_t *w,
                               const gs_gcc_options_t *opt, gs_i_sign_mode_t signs,
                               gs_rng_t *rng, gs_i_eig_ws_t *ws);

/* Builds a batch from items first, first + stride, ... (n of them), copying them. */
gs_status_t gs_i_gcc_batch_build(gs_i_gcc_batch_t *b, const gs_i_gcc_item_t *items, int first,
                                 int stride, int n, int pos_dim, gs_gcc_encoder_t encoder);

/* Draws seeds over several graphs and turns walks from them into items, in parallel. */
typedef struct gs_i_gcc_sampler {
    const gs_graph_t *const *graphs;
    int n_graphs;
    int64_t *first_node;     /* n_graphs + 1: global index of each graph's first node */
    gs_i_alias_t seeds;      /* over global node indices, weight degree^0.75 */
    bool has_seeds;
    int n_threads;
    gs_i_rwr_t *rwr;         /* one per thread */
    gs_i_eig_ws_t *eig;      /* one per thread */
    gs_i_gcc_item_t *items;
    int cap_items;
    const gs_gcc_options_t *opt;
    int64_t n_subgraphs;     /* counters for the report */
    int64_t n_subgraph_nodes;
} gs_i_gcc_sampler_t;

/* with_seeds: build the degree^0.75 seed table (training); not needed to embed. */
gs_status_t gs_i_gcc_sampler_init(gs_i_gcc_sampler_t *s, const gs_graph_t *const *graphs,
                                  int n_graphs, const gs_gcc_options_t *opt, bool with_seeds);
void gs_i_gcc_sampler_destroy(gs_i_gcc_sampler_t *s);

/*
 * Every walk draws from its own random stream, (walks << 32) + index, so that results do not
 * depend on the number of threads; `walks` is one of these domains plus a counter.
 */
#define GS_I_GCC_PRETRAIN_WALKS (1ULL << 28)   /* + step */
#define GS_I_GCC_EMBED_WALKS (2ULL << 28)      /* + view */
#define GS_I_GCC_FINETUNE_WALKS (3ULL << 28)   /* + (fold << 12) + epoch */

/* Two views of B seeds drawn with rng: items 2i and 2i + 1 are walks from seed i (index 2i
 * and 2i + 1 of `walks`), with random eigenvector signs. */
gs_status_t gs_i_gcc_sample_pairs(gs_i_gcc_sampler_t *s, int batch, gs_rng_t *rng,
                                  uint64_t walks);

/* One walk from each of nodes[0..n) of graph 0 into items 0..n-1, with the budget
 * max(rw_hops, degree^exponent e / (e - 1) / restart) and the given signs; the walk from
 * node v draws from stream index v of `walks`. */
gs_status_t gs_i_gcc_sample_nodes(gs_i_gcc_sampler_t *s, const int32_t *nodes, int n,
                                  double exponent, gs_i_sign_mode_t signs, uint64_t walks);

/* Whole graphs ids[0..n) of a collection as items (seed: the highest-degree node). */
gs_status_t gs_i_gcc_sample_graphs(gs_i_gcc_sampler_t *s, const gs_graph_collection_t *c,
                                   const int32_t *ids, int n);

/* --- Encoder ------------------------------------------------------------------------------ */

typedef struct gs_i_gcc_norm {
    gs_tensor_t *gamma;      /* (1, H) */
    gs_tensor_t *beta;       /* (1, H) */
    gs_tensor_t *mean;       /* (1, H) running mean, no gradient */
    gs_tensor_t *var;        /* (1, H) running variance, no gradient */
} gs_i_gcc_norm_t;

/* GIN: MLP = linear, norm, ReLU, linear, then norm, ReLU (GIN's ApplyNodeFunc), then the
 * layer's own norm and ReLU.  GCN: one graph convolution, norm, ReLU. */
typedef struct gs_i_gcc_layer {
    gs_linear_t lin1;
    gs_linear_t lin2;        /* GIN only */
    gs_i_gcc_norm_t norm[3]; /* GIN uses 3, GCN 1 */
} gs_i_gcc_layer_t;

enum { GS_I_GCC_MAX_LAYERS = 16 };

typedef struct gs_i_gcc_encoder {
    gs_gcc_encoder_t kind;
    int layers;
    int in_dim;              /* P + 1 + degree_dim */
    gs_tensor_t *degree_table;         /* (max_degree + 1, degree_dim) */
    gs_i_gcc_layer_t layer[GS_I_GCC_MAX_LAYERS];  /* layers - 1 */
    gs_linear_t readout[GS_I_GCC_MAX_LAYERS];     /* layers: (in or H) -> D */

    /* Every trainable tensor and every running statistic, in one fixed order, with names
     * for the model file. */
    gs_tensor_t *params[256];
    char param_names[256][64];
    int n_params;
    gs_tensor_t *stats[128];
    char stat_names[128][64];
    int n_stats;
} gs_i_gcc_encoder_t;

gs_status_t gs_i_gcc_encoder_init(gs_i_gcc_encoder_t *e, const gs_gcc_options_t *opt,
                                  gs_rng_t *rng);
void gs_i_gcc_encoder_destroy(gs_i_gcc_encoder_t *e);

/* Copies parameters and running statistics from src (same options). */
void gs_i_gcc_encoder_copy(gs_i_gcc_encoder_t *dst, const gs_i_gcc_encoder_t *src);

/* Makes every parameter of e a constant (the momentum encoder needs no gradients). */
void gs_i_gcc_encoder_freeze(gs_i_gcc_encoder_t *e);

typedef enum gs_i_gcc_mode {
    GS_I_GCC_TRAIN,          /* batch statistics, dropout */
    GS_I_GCC_KEY,            /* batch statistics, no dropout (the momentum encoder) */
    GS_I_GCC_EVAL            /* running statistics, no dropout */
} gs_i_gcc_mode_t;

/* (B, D) L2-normalised subgraph embeddings.  rng drives dropout (GS_I_GCC_TRAIN only). */
gs_tensor_t *gs_i_gcc_encoder_forward(gs_tape_t *t, const gs_i_gcc_encoder_t *e,
                                      const gs_gcc_options_t *opt, const gs_i_gcc_batch_t *b,
                                      gs_i_gcc_mode_t mode, gs_rng_t *rng);

/* --- Objective ---------------------------------------------------------------------------- */

/* MoCo: logits [q_i . k_i, q_i . queue_j] / T, cross-entropy with target 0.  1 x 1. */
gs_tensor_t *gs_i_gcc_infonce_moco(gs_tape_t *t, gs_tensor_t *q, gs_tensor_t *k,
                                   gs_tensor_t *queue, float temperature);

/* End-to-end: logits k q^T / T, cross-entropy with target i for row i.  1 x 1. */
gs_tensor_t *gs_i_gcc_infonce_e2e(gs_tape_t *t, gs_tensor_t *q, gs_tensor_t *k,
                                  float temperature);

/* ema = m ema + (1 - m) p for each of the n tensors. */
void gs_i_gcc_momentum_update(gs_tensor_t *const *ema, gs_tensor_t *const *params, int n,
                              float m);

/* The learning-rate factor at step (0-based) of steps: linear warm-up over the first
 * warmup fraction, then linear decay to 0, as GCC's warmup_linear. */
double gs_i_gcc_lr_factor(int step, int steps, double warmup);

/*
 * GCC's matrix products are small (tens of nodes per subgraph by H = 64), where OpenBLAS's
 * threads cost more than they give: with them, a MoCo step on 2 cores ran at 3.3 steps/s,
 * without them at 16.  The runs keep BLAS on one thread, the threads going to the sampling
 * and the project's own kernels, and restore the caller's setting at the end.
 */
int gs_i_gcc_blas_serial_begin(void);
void gs_i_gcc_blas_serial_end(int saved);

struct gs_gcc {
    gs_gcc_options_t opt;
    gs_i_gcc_encoder_t enc;
};

/* A model with freshly initialised weights for opt (checked). */
gs_status_t gs_i_gcc_new(gs_gcc_t **out, const gs_gcc_options_t *opt);

/* GS_ERR_INVALID naming the first option out of range. */
gs_status_t gs_i_gcc_check_options(const gs_gcc_options_t *opt);

#endif

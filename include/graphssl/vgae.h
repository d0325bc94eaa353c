/*
 * Graph auto-encoders (Kipf & Welling, "Variational Graph Auto-Encoders", NIPS Workshop on
 * Bayesian Deep Learning, 2016): GAE and VGAE, as in the authors' code (tkipf/gae).
 *
 * Encoder: two GCN layers without bias over the features as given (identity when there are
 * none) and Â = D^-1/2 (A + I) D^-1/2 of the train edges only:
 *
 *   H = ReLU(Â X W0)            (N, 32)
 *   Z = Â H W1                  (N, 16)   GAE
 *   mu = Â H W1, log sigma = Â H W2       VGAE, Z = mu + sigma * eps, eps ~ N(0, I)
 *
 * Decoder: sigmoid(z_i . z_j).  Loss, dense (the original): norm * mean over all N^2 pairs
 * of BCE with logits z_i . z_j against A + I, positives weighted by pos_weight = (N^2 - E)
 * / E, norm = N^2 / (2 (N^2 - E)), E the nonzeros of the train adjacency; VGAE adds
 * KL / N with KL the mean over nodes of KL(N(mu, sigma^2) || N(0, I)).  Loss, sampled (for
 * large graphs; never N x N): 0.5 (mean over train edges of -log sigmoid(z_u . z_v) + mean
 * over K uniformly drawn node pairs per train edge of -log(1 - sigmoid(z_u . z_v))), the
 * same objective estimated from samples, since the dense loss equals 0.5 (mean over
 * positives + mean over negatives).  log sigma is clamped to at most max_logstd.
 * Adam, 200 full-batch epochs, no dropout, the final weights kept.
 */
#ifndef GRAPHSSL_VGAE_H
#define GRAPHSSL_VGAE_H

#include "graphssl/graph.h"
#include "graphssl/link.h"
#include "graphssl/model.h"
#include "graphssl/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum gs_vgae_loss {
    GS_VGAE_LOSS_AUTO = 0,   /* dense up to GS_VGAE_DENSE_MAX_NODES nodes, sampled above */
    GS_VGAE_LOSS_DENSE,      /* all N^2 pairs: O(N^2 D) time per epoch, O(N D) memory */
    GS_VGAE_LOSS_SAMPLED     /* train edges and K sampled pairs each: O(E K D) per epoch */
} gs_vgae_loss_t;

/* Above this many nodes the automatic choice is the sampled loss: at 20000 nodes (Pubmed)
 * the dense loss takes about 0.6 s per epoch on one core, and it grows with N^2. */
#define GS_VGAE_DENSE_MAX_NODES 20000

/* Called every val_every epochs with the validation AUC and AP; may be NULL. */
typedef void (*gs_link_progress_fn)(int epoch, double auc, double ap, void *user);

typedef struct gs_vgae_options {
    bool variational;      /* true: VGAE (default); false: GAE */
    int hidden;            /* 32 */
    int dim;               /* 16 */
    float lr;              /* 0.01 */
    int epochs;            /* 200 */
    gs_vgae_loss_t loss;   /* GS_VGAE_LOSS_AUTO */
    int negatives;         /* 1: sampled pairs per train edge and epoch (sampled loss) */
    float max_logstd;      /* 10: exp(2 * 10) is far from float overflow */
    uint64_t seed;         /* 0 */
    int val_every;         /* 10: validation scores every so many epochs; 0 never */
    gs_progress_fn progress;          /* per epoch, with the loss */
    gs_link_progress_fn validate;     /* per validation */
    void *progress_user;              /* passed to both */
} gs_vgae_options_t;

typedef struct gs_vgae gs_vgae_t;

/* The defaults above (VGAE). */
GS_API void gs_vgae_options_init(gs_vgae_options_t *opt);

/* The loss opt selects for a graph of n_nodes nodes (never GS_VGAE_LOSS_AUTO). */
GS_API gs_vgae_loss_t gs_vgae_loss_for(const gs_vgae_options_t *opt, int n_nodes);

/*
 * Trains on g.  The encoder sees split->train only and validation uses split->val and
 * split->val_neg; split NULL trains on all of g's edges without validation.  g must have
 * features (see gs_graph_set_identity_features).  GS_ERR_INVALID for a graph without
 * features or train edges, or a split of another node count; GS_ERR_NUMERIC for a
 * non-finite loss (the message names the epoch); GS_ERR_NOMEM.
 */
GS_API gs_status_t gs_vgae_train(const gs_graph_t *g, const gs_link_split_t *split,
                                 const gs_vgae_options_t *opt, gs_vgae_t **model,
                                 gs_train_report_t *report);

/* N x dim embeddings of all of g's nodes: mu (VGAE) or Z (GAE), encoded from the same
 * edges as in training (split->train, or all edges when split is NULL). */
GS_API gs_status_t gs_vgae_embed(const gs_vgae_t *model, const gs_graph_t *g,
                                 const gs_link_split_t *split, gs_tensor_t **out);

GS_API void gs_vgae_free(gs_vgae_t *model);

#ifdef __cplusplus
}
#endif

#endif

/*
 * GAE and VGAE: the link-auc split (no leakage, reproducible, given splits honoured, files
 * round-trip), the fused reconstruction op (against a naive double reference and finite
 * differences), and learning on a stochastic block model (AUC well above chance).
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "graphssl/graphssl.h"

/* --- Helpers ----------------------------------------------------------------------------- */

/* A stochastic block model: n_blocks blocks of size nodes each, edge probability p_in
 * inside a block and p_out across; one-hot identity features. */
static gs_graph_t *sbm(int n_blocks, int size, double p_in, double p_out, uint64_t seed)
{
    int n = n_blocks * size;
    int32_t *src = malloc((size_t)n * n * sizeof *src);
    int32_t *dst = malloc((size_t)n * n * sizeof *dst);
    gs_graph_t *g = NULL;
    int64_t m = 0;
    gs_rng_t rng;

    ck_assert_ptr_nonnull(src);
    ck_assert_ptr_nonnull(dst);
    gs_rng_init(&rng, seed, 0);
    for (int u = 0; u < n; u++) {
        for (int v = u + 1; v < n; v++) {
            if (gs_rng_uniform(&rng) < (u / size == v / size ? p_in : p_out)) {
                src[m] = u;
                dst[m++] = v;
            }
        }
    }
    ck_assert_int_eq(gs_graph_from_edges(&g, n, src, dst, NULL, m, false, NULL), GS_OK);
    ck_assert_int_eq(gs_graph_set_identity_features(g), GS_OK);
    free(src);
    free(dst);
    return g;
}

static bool has_edge(const gs_csr_t *a, int32_t u, int32_t v)
{
    for (int64_t e = a->indptr[u]; e < a->indptr[u + 1]; e++) {
        if (a->indices[e] == v) {
            return true;
        }
    }
    return false;
}

static bool pair_in(const gs_pairs_t *p, int32_t u, int32_t v)
{
    for (int64_t i = 0; i < p->n; i++) {
        if (p->u[i] == u && p->v[i] == v) {
            return true;
        }
    }
    return false;
}

static bool pairs_equal(const gs_pairs_t *a, const gs_pairs_t *b)
{
    return a->n == b->n && (a->n == 0 || (!memcmp(a->u, b->u, (size_t)a->n * sizeof *a->u) &&
                                          !memcmp(a->v, b->v, (size_t)a->n * sizeof *a->v)));
}

static bool splits_equal(const gs_link_split_t *a, const gs_link_split_t *b)
{
    return pairs_equal(&a->train, &b->train) && pairs_equal(&a->val, &b->val) &&
           pairs_equal(&a->val_neg, &b->val_neg) && pairs_equal(&a->test, &b->test) &&
           pairs_equal(&a->test_neg, &b->test_neg);
}

/* Writes text to a fresh temporary file and returns its path (caller frees). */
static char *temp_file(const char *text)
{
    char *path = strdup("/tmp/graphssl_vgae_XXXXXX");
    int fd = mkstemp(path);

    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static gs_vgae_t *train(const gs_graph_t *g, const gs_link_split_t *s, bool variational,
                        gs_vgae_loss_t loss, uint64_t seed)
{
    gs_vgae_options_t opt;
    gs_vgae_t *m = NULL;

    gs_vgae_options_init(&opt);
    opt.variational = variational;
    opt.loss = loss;
    opt.seed = seed;
    ck_assert_int_eq(gs_vgae_train(g, s, &opt, &m, NULL), GS_OK);
    return m;
}

static double test_auc(const gs_vgae_t *m, const gs_graph_t *g, const gs_link_split_t *s)
{
    gs_tensor_t *emb = NULL;
    double auc, ap;

    ck_assert_int_eq(gs_vgae_embed(m, g, s, &emb), GS_OK);
    ck_assert_int_eq(gs_link_evaluate(emb, &s->test, &s->test_neg, &auc, &ap), GS_OK);
    gs_tensor_free(emb);
    return auc;
}

/* --- The split --------------------------------------------------------------------------- */

START_TEST(vgae_split_has_protocol_sizes_and_no_leakage)
{
    gs_graph_t *g = sbm(4, 30, 0.3, 0.02, 1);
    gs_link_split_t s;
    gs_csr_t *train_adj = NULL;
    const gs_pairs_t *held[] = {&s.val, &s.test};
    const gs_pairs_t *negs[] = {&s.val_neg, &s.test_neg};

    gs_link_split_init(&s);
    ck_assert_int_eq(gs_link_split_draw(g, 0.05, 0.10, 7, &s), GS_OK);
    ck_assert_int_eq(s.val.n, g->n_edges / 20);
    ck_assert_int_eq(s.test.n, g->n_edges / 10);
    ck_assert_int_eq(s.train.n + s.val.n + s.test.n, g->n_edges);
    ck_assert_int_eq(s.val_neg.n, s.val.n);
    ck_assert_int_eq(s.test_neg.n, s.test.n);
    ck_assert_int_eq(gs_link_split_train_adjacency(&s, &train_adj), GS_OK);
    ck_assert_int_eq(gs_csr_nnz(train_adj), 2 * s.train.n);

    /* Held-out edges are edges of the graph but not of the encoder's adjacency. */
    for (int k = 0; k < 2; k++) {
        for (int64_t i = 0; i < held[k]->n; i++) {
            int32_t u = held[k]->u[i], v = held[k]->v[i];

            ck_assert(has_edge(g->adj, u, v));
            ck_assert(!has_edge(train_adj, u, v));
            ck_assert(!has_edge(train_adj, v, u));
        }
    }

    /* Negatives are distinct non-edges of distinct nodes, the two sets disjoint. */
    for (int k = 0; k < 2; k++) {
        for (int64_t i = 0; i < negs[k]->n; i++) {
            int32_t u = negs[k]->u[i], v = negs[k]->v[i];

            ck_assert_int_lt(u, v);
            ck_assert(!has_edge(g->adj, u, v));
            ck_assert(!pair_in(negs[1 - k], u, v));
            for (int64_t j = 0; j < i; j++) {
                ck_assert(negs[k]->u[j] != u || negs[k]->v[j] != v);
            }
        }
    }
    gs_csr_free(train_adj);
    gs_link_split_destroy(&s);
    gs_graph_free(g);
}
END_TEST

START_TEST(vgae_split_same_seed_is_identical)
{
    gs_graph_t *g = sbm(4, 30, 0.3, 0.02, 2);
    gs_link_split_t a, b, c;

    gs_link_split_init(&a);
    gs_link_split_init(&b);
    gs_link_split_init(&c);
    ck_assert_int_eq(gs_link_split_draw(g, 0.05, 0.10, 3, &a), GS_OK);
    ck_assert_int_eq(gs_link_split_draw(g, 0.05, 0.10, 3, &b), GS_OK);
    ck_assert_int_eq(gs_link_split_draw(g, 0.05, 0.10, 4, &c), GS_OK);
    ck_assert(splits_equal(&a, &b));
    ck_assert(!splits_equal(&a, &c));
    gs_link_split_destroy(&a);
    gs_link_split_destroy(&b);
    gs_link_split_destroy(&c);
    gs_graph_free(g);
}
END_TEST

/* The encoder must not see held-out edges: embedding the full graph through the split
 * equals embedding a graph that never had them. */
START_TEST(vgae_encoder_never_sees_held_out_edges)
{
    gs_graph_t *g = sbm(4, 25, 0.3, 0.02, 3), *train_only = NULL;
    gs_tensor_t *a = NULL, *b = NULL;
    gs_link_split_t s;
    gs_vgae_options_t opt;
    gs_vgae_t *m = NULL;

    gs_link_split_init(&s);
    ck_assert_int_eq(gs_link_split_draw(g, 0.05, 0.10, 0, &s), GS_OK);
    ck_assert_int_eq(gs_graph_from_edges(&train_only, g->n_nodes, s.train.u, s.train.v, NULL,
                                         s.train.n, false, NULL), GS_OK);
    ck_assert_int_eq(gs_graph_set_identity_features(train_only), GS_OK);

    gs_vgae_options_init(&opt);
    opt.epochs = 20;
    ck_assert_int_eq(gs_vgae_train(g, &s, &opt, &m, NULL), GS_OK);
    ck_assert_int_eq(gs_vgae_embed(m, g, &s, &a), GS_OK);
    ck_assert_int_eq(gs_vgae_embed(m, train_only, NULL, &b), GS_OK);
    ck_assert_mem_eq(a->data, b->data, (size_t)a->rows * a->cols * sizeof *a->data);

    gs_tensor_free(a);
    gs_tensor_free(b);
    gs_vgae_free(m);
    gs_link_split_destroy(&s);
    gs_graph_free(train_only);
    gs_graph_free(g);
}
END_TEST

START_TEST(vgae_split_complete_removes_given_edges_and_draws_negatives)
{
    gs_graph_t *g = sbm(2, 20, 0.4, 0.05, 4);
    gs_link_split_t s;
    gs_csr_t *train_adj = NULL;

    /* The first three edges of the graph as the test set. */
    gs_link_split_init(&s);
    s.test.n = 3;
    s.test.u = malloc(3 * sizeof *s.test.u);
    s.test.v = malloc(3 * sizeof *s.test.v);
    for (int i = 0; i < 3; i++) {
        s.test.u[i] = 0;
        s.test.v[i] = g->adj->indices[g->adj->indptr[0] + i];
    }
    ck_assert_int_eq(gs_link_split_complete(g, 0, &s), GS_OK);
    ck_assert_int_eq(s.train.n, g->n_edges - 3);
    ck_assert_int_eq(s.test_neg.n, 3);
    ck_assert_int_eq(s.val.n + s.val_neg.n, 0);
    ck_assert_int_eq(gs_link_split_train_adjacency(&s, &train_adj), GS_OK);
    for (int i = 0; i < 3; i++) {
        ck_assert(!has_edge(train_adj, s.test.u[i], s.test.v[i]));
        ck_assert(!has_edge(g->adj, s.test_neg.u[i], s.test_neg.v[i]));
    }
    gs_csr_free(train_adj);
    gs_link_split_destroy(&s);
    gs_graph_free(g);
}
END_TEST

START_TEST(vgae_split_rejects_edge_as_negative)
{
    gs_graph_t *g = sbm(2, 20, 0.4, 0.05, 5);
    gs_link_split_t s;

    gs_link_split_init(&s);
    ck_assert_int_eq(gs_link_split_draw(g, 0.05, 0.10, 0, &s), GS_OK);
    s.test_neg.u[0] = s.train.u[0];
    s.test_neg.v[0] = s.train.v[0];
    ck_assert_int_eq(gs_link_split_complete(g, 0, &s), GS_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(gs_last_error(), "is an edge of the graph"));
    gs_link_split_destroy(&s);
    gs_graph_free(g);
}
END_TEST

START_TEST(vgae_rejects_directed_graph)
{
    int32_t src[] = {0, 1, 2}, dst[] = {1, 2, 0};
    gs_vgae_options_t opt;
    gs_graph_t *g = NULL;
    gs_vgae_t *m = NULL;
    gs_link_split_t s;

    ck_assert_int_eq(gs_graph_from_edges(&g, 3, src, dst, NULL, 3, true, NULL), GS_OK);
    gs_link_split_init(&s);
    ck_assert_int_eq(gs_link_split_draw(g, 0.05, 0.10, 0, &s), GS_ERR_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(gs_last_error(), "directed"));

    gs_vgae_options_init(&opt);
    ck_assert_int_eq(gs_graph_set_identity_features(g), GS_OK);
    ck_assert_int_eq(gs_vgae_train(g, NULL, &opt, &m, NULL), GS_ERR_UNSUPPORTED);
    ck_assert_ptr_null(m);
    gs_graph_free(g);
}
END_TEST

/* A complete graph has no non-edge to draw negatives from, and the refusal says 0 (held-out
 * edges of the graph are not counted twice). */
START_TEST(vgae_split_of_a_complete_graph_has_no_room)
{
    enum { N = 8 };
    int32_t src[N * (N - 1) / 2], dst[N * (N - 1) / 2];
    gs_graph_t *g = NULL;
    gs_link_split_t s;
    int e = 0;

    for (int u = 0; u < N; u++) {
        for (int v = u + 1; v < N; v++) {
            src[e] = u;
            dst[e++] = v;
        }
    }
    ck_assert_int_eq(gs_graph_from_edges(&g, N, src, dst, NULL, e, false, NULL), GS_OK);
    gs_link_split_init(&s);
    ck_assert_int_eq(gs_link_split_draw(g, 0.05, 0.10, 0, &s), GS_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(gs_last_error(), "the graph has 0 node pairs that are not "
                                                  "edges, fewer than the 3 negatives"));
    gs_link_split_destroy(&s);
    gs_graph_free(g);
}
END_TEST

START_TEST(vgae_pairs_load_rejects_unknown_node)
{
    gs_graph_t *g = sbm(2, 5, 0.5, 0.1, 6);
    char *path = temp_file("# pairs\n0 1\n2 nine\n");
    gs_pairs_t p;

    ck_assert_int_eq(gs_pairs_load(g, path, &p), GS_ERR_PARSE);
    ck_assert_ptr_nonnull(strstr(gs_last_error(), ":3: unknown node 'nine'"));
    unlink(path);
    free(path);
    gs_graph_free(g);
}
END_TEST

START_TEST(vgae_split_save_and_load_round_trip)
{
    gs_graph_t *g = sbm(3, 15, 0.4, 0.05, 7);
    char dir[] = "/tmp/graphssl_split_XXXXXX";
    const char *files[] = {GS_LINK_VAL_FILE, GS_LINK_VAL_NEG_FILE, GS_LINK_TEST_FILE,
                           GS_LINK_TEST_NEG_FILE, GS_LINK_TRAIN_FILE};
    gs_link_split_t s, r;
    char path[256];

    gs_link_split_init(&s);
    gs_link_split_init(&r);
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_int_eq(gs_link_split_draw(g, 0.05, 0.10, 11, &s), GS_OK);
    ck_assert_int_eq(gs_link_split_save(g, &s, dir), GS_OK);

    /* Reloaded val and test sets, completed, give back the same split. */
    gs_pairs_t *lists[] = {&r.val, &r.val_neg, &r.test, &r.test_neg};
    for (int i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        ck_assert_int_eq(gs_pairs_load(g, path, lists[i]), GS_OK);
    }
    ck_assert_int_eq(gs_link_split_complete(g, 99, &r), GS_OK);
    ck_assert(splits_equal(&s, &r));

    for (int i = 0; i < 5; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
    gs_link_split_destroy(&s);
    gs_link_split_destroy(&r);
    gs_graph_free(g);
}
END_TEST

/* --- The fused reconstruction op --------------------------------------------------------- */

/* A symmetric target pattern: a ring with chords plus the diagonal, sorted. */
static gs_csr_t *ring_targets(int n)
{
    gs_csr_t *y = gs_csr_new(n, n, (int64_t)5 * n);
    int64_t k = 0;

    ck_assert_ptr_nonnull(y);
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
            int d = abs(i - j);

            if (d == 0 || d == 1 || d == n - 1 || (d == 3 && i % 2 == 0 && j % 2 == 0)) {
                y->indices[k] = j;
                y->values[k++] = 1.0f;
            }
        }
        y->indptr[i + 1] = k;
    }
    return y;
}

/* The loss and its gradient in double, straight from the definition. */
static double naive_loss(const gs_tensor_t *z, const gs_csr_t *y, double w, double norm,
                         double *grad)
{
    int n = z->rows, d = z->cols;
    double total = 0.0, scale = norm / ((double)n * n);

    memset(grad, 0, (size_t)n * d * sizeof *grad);
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
            double s = 0.0, sig;
            bool pos = has_edge(y, i, j);

            for (int k = 0; k < d; k++) {
                s += (double)z->data[i * d + k] * z->data[j * d + k];
            }
            sig = 1.0 / (1.0 + exp(-s));
            total += pos ? w * log1p(exp(-s)) : log1p(exp(s));
            for (int k = 0; k < d; k++) {
                double g = scale * (pos ? w * (sig - 1.0) : sig);

                grad[i * d + k] += g * z->data[j * d + k];
                grad[j * d + k] += g * z->data[i * d + k];
            }
        }
    }
    return scale * total;
}

/* Forward and backward against the reference, on a graph large enough for several row
 * blocks (the op keeps 2^18 logits per block). */
static void check_against_naive(int n, int d, float spread)
{
    gs_tensor_t *z = gs_tensor_new(n, d);
    gs_csr_t *y = ring_targets(n);
    double *ref = malloc((size_t)n * d * sizeof *ref), expect, max_ref = 0.0;
    gs_tape_t *t = gs_tape_new();
    gs_tensor_t *loss;
    gs_rng_t rng;

    gs_rng_init(&rng, 5, 0);
    gs_tensor_init_uniform(z, -spread, spread, &rng);
    ck_assert_int_eq(gs_tensor_require_grad(z), GS_OK);
    expect = naive_loss(z, y, 7.5, 0.6, ref);

    loss = gs_op_inner_product_bce(t, z, y, 7.5f, 0.6f);
    ck_assert_ptr_nonnull(loss);
    ck_assert_int_eq(gs_tape_backward(t, loss), GS_OK);
    ck_assert_double_eq_tol(loss->data[0], expect, 1e-5 * fabs(expect));
    for (int i = 0; i < n * d; i++) {
        max_ref = fmax(max_ref, fabs(ref[i]));
    }
    for (int i = 0; i < n * d; i++) {
        ck_assert_double_eq_tol(z->grad[i], ref[i], 1e-4 * max_ref);
    }
    gs_tape_free(t);
    free(ref);
    gs_csr_free(y);
    gs_tensor_free(z);
}

START_TEST(vgae_inner_product_bce_matches_naive)
{
    check_against_naive(9, 3, 1.0f);
    check_against_naive(700, 4, 2.0f);

    /* Logits far in both tails, where the exponential is clamped. */
    check_against_naive(40, 2, 12.0f);
}
END_TEST

START_TEST(vgae_inner_product_bce_gradient_check)
{
    const int n = 8, d = 3;
    const float eps = 1e-2f;
    gs_tensor_t *z = gs_tensor_new(n, d);
    gs_csr_t *y = ring_targets(n);
    gs_tape_t *t = gs_tape_new();
    float analytic[n * d], max_g = 0.0f;
    gs_rng_t rng;

    gs_rng_init(&rng, 6, 0);
    gs_tensor_init_uniform(z, -1.0f, 1.0f, &rng);
    ck_assert_int_eq(gs_tensor_require_grad(z), GS_OK);
    ck_assert_int_eq(gs_tape_backward(t, gs_op_inner_product_bce(t, z, y, 3.0f, 0.8f)), GS_OK);
    memcpy(analytic, z->grad, sizeof analytic);
    for (int i = 0; i < n * d; i++) {
        max_g = fmaxf(max_g, fabsf(analytic[i]));
    }

    for (int i = 0; i < n * d; i++) {
        float keep = z->data[i];
        double plus, minus;

        z->data[i] = keep + eps;
        gs_tape_reset(t);
        plus = gs_op_inner_product_bce(t, z, y, 3.0f, 0.8f)->data[0];
        z->data[i] = keep - eps;
        gs_tape_reset(t);
        minus = gs_op_inner_product_bce(t, z, y, 3.0f, 0.8f)->data[0];
        z->data[i] = keep;
        ck_assert_double_eq_tol(analytic[i], (plus - minus) / (2.0 * eps), 2e-3 * max_g);
    }
    gs_tape_free(t);
    gs_csr_free(y);
    gs_tensor_free(z);
}
END_TEST

/* --- Training ---------------------------------------------------------------------------- */

START_TEST(vgae_sbm_auc_well_above_chance)
{
    gs_graph_t *g = sbm(4, 50, 0.25, 0.01, 8);
    gs_link_split_t s;
    gs_vgae_t *m;

    gs_link_split_init(&s);
    ck_assert_int_eq(gs_link_split_draw(g, 0.05, 0.10, 0, &s), GS_OK);

    m = train(g, &s, true, GS_VGAE_LOSS_DENSE, 0);
    ck_assert_double_ge(test_auc(m, g, &s), 0.85);
    gs_vgae_free(m);

    m = train(g, &s, false, GS_VGAE_LOSS_DENSE, 0);
    ck_assert_double_ge(test_auc(m, g, &s), 0.85);
    gs_vgae_free(m);

    m = train(g, &s, true, GS_VGAE_LOSS_SAMPLED, 0);
    ck_assert_double_ge(test_auc(m, g, &s), 0.80);
    gs_vgae_free(m);

    gs_link_split_destroy(&s);
    gs_graph_free(g);
}
END_TEST

START_TEST(vgae_same_seed_is_byte_identical)
{
    gs_graph_t *g = sbm(3, 30, 0.3, 0.02, 9);
    gs_tensor_t *a = NULL, *b = NULL;
    gs_link_split_t s;

    gs_link_split_init(&s);
    ck_assert_int_eq(gs_link_split_draw(g, 0.05, 0.10, 1, &s), GS_OK);
    for (int loss = GS_VGAE_LOSS_DENSE; loss <= GS_VGAE_LOSS_SAMPLED; loss++) {
        gs_vgae_t *m1 = train(g, &s, true, (gs_vgae_loss_t)loss, 5);
        gs_vgae_t *m2 = train(g, &s, true, (gs_vgae_loss_t)loss, 5);

        ck_assert_int_eq(gs_vgae_embed(m1, g, &s, &a), GS_OK);
        ck_assert_int_eq(gs_vgae_embed(m2, g, &s, &b), GS_OK);
        ck_assert_mem_eq(a->data, b->data, (size_t)a->rows * a->cols * sizeof *a->data);
        gs_tensor_free(a);
        gs_tensor_free(b);
        gs_vgae_free(m1);
        gs_vgae_free(m2);
    }
    gs_link_split_destroy(&s);
    gs_graph_free(g);
}
END_TEST

/* Huge inputs drive log sigma far up; the clamp keeps every value finite. */
START_TEST(vgae_large_inputs_stay_finite)
{
    gs_graph_t *g = sbm(2, 20, 0.4, 0.05, 10);
    gs_vgae_options_t opt;
    gs_tensor_t *emb = NULL;
    gs_vgae_t *m = NULL;

    for (int64_t e = 0; e < gs_csr_nnz(g->features_sparse); e++) {
        g->features_sparse->values[e] = 1e4f;
    }
    gs_vgae_options_init(&opt);
    opt.epochs = 30;
    ck_assert_int_eq(gs_vgae_train(g, NULL, &opt, &m, NULL), GS_OK);
    ck_assert_int_eq(gs_vgae_embed(m, g, NULL, &emb), GS_OK);
    for (int i = 0; i < emb->rows * emb->cols; i++) {
        ck_assert(isfinite(emb->data[i]));
    }
    gs_tensor_free(emb);
    gs_vgae_free(m);
    gs_graph_free(g);
}
END_TEST

START_TEST(vgae_train_rejects_bad_input)
{
    gs_graph_t *g = sbm(2, 10, 0.5, 0.1, 11), *bare = NULL;
    int32_t src[] = {0}, dst[] = {1};
    gs_vgae_options_t opt;
    gs_link_split_t s;
    gs_vgae_t *m = NULL;

    gs_vgae_options_init(&opt);
    gs_link_split_init(&s);
    s.n_nodes = g->n_nodes + 1;
    ck_assert_int_eq(gs_vgae_train(g, &s, &opt, &m, NULL), GS_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(gs_last_error(), "the split has 21 nodes but the graph 20"));

    opt.epochs = 0;
    ck_assert_int_eq(gs_vgae_train(g, NULL, &opt, &m, NULL), GS_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(gs_last_error(), "expected positive"));

    gs_vgae_options_init(&opt);
    ck_assert_int_eq(gs_graph_from_edges(&bare, 2, src, dst, NULL, 1, false, NULL), GS_OK);
    ck_assert_int_eq(gs_vgae_train(bare, NULL, &opt, &m, NULL), GS_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(gs_last_error(), "no node features"));
    ck_assert_ptr_null(m);
    gs_graph_free(bare);
    gs_graph_free(g);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("vgae");
    TCase *tc = tcase_create("vgae");
    SRunner *sr;
    int failed;

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, vgae_split_has_protocol_sizes_and_no_leakage);
    tcase_add_test(tc, vgae_split_same_seed_is_identical);
    tcase_add_test(tc, vgae_encoder_never_sees_held_out_edges);
    tcase_add_test(tc, vgae_split_complete_removes_given_edges_and_draws_negatives);
    tcase_add_test(tc, vgae_split_rejects_edge_as_negative);
    tcase_add_test(tc, vgae_rejects_directed_graph);
    tcase_add_test(tc, vgae_split_of_a_complete_graph_has_no_room);
    tcase_add_test(tc, vgae_pairs_load_rejects_unknown_node);
    tcase_add_test(tc, vgae_split_save_and_load_round_trip);
    tcase_add_test(tc, vgae_inner_product_bce_matches_naive);
    tcase_add_test(tc, vgae_inner_product_bce_gradient_check);
    tcase_add_test(tc, vgae_sbm_auc_well_above_chance);
    tcase_add_test(tc, vgae_same_seed_is_byte_identical);
    tcase_add_test(tc, vgae_large_inputs_stay_finite);
    tcase_add_test(tc, vgae_train_rejects_bad_input);
    suite_add_tcase(s, tc);

    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/*
 * GraphGAN on small graphs: BFS trees and their cache, the graph softmax (sums to one,
 * matches a hand computation), walks that follow tree edges and sample as the softmax
 * says, the policy-gradient and discriminator steps, end-to-end learning and
 * reproducibility, the link-acc setup, and bad inputs.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "graph/bfs_tree.h"
#include "graphssl/graphssl.h"
#include "models/graphgan_internal.h"

/* 0-1, 0-2, 1-3: the tree at root 0 is the graph itself. */
static gs_graph_t *small_tree(void)
{
    int32_t src[] = {0, 0, 1}, dst[] = {1, 2, 3};
    gs_graph_t *g = NULL;

    ck_assert_int_eq(gs_graph_from_edges(&g, 4, src, dst, NULL, 3, false, NULL), GS_OK);
    return g;
}

static gs_graph_t *karate(void)
{
    gs_graph_t *g = NULL;

    ck_assert_int_eq(gs_graph_karate(&g), GS_OK);
    return g;
}

/* Eight communities of 25 nodes, each edge inside with probability 0.3, across 0.005. */
static gs_graph_t *communities(uint64_t seed)
{
    enum { N = 200, SIZE = 25 };
    static int32_t src[N * N / 2], dst[N * N / 2];
    int64_t m = 0;
    gs_graph_t *g = NULL;
    gs_rng_t rng;

    gs_rng_init(&rng, seed, 99);
    for (int u = 0; u < N; u++) {
        for (int v = u + 1; v < N; v++) {
            if (gs_rng_uniform(&rng) < (u / SIZE == v / SIZE ? 0.3 : 0.005)) {
                src[m] = u;
                dst[m++] = v;
            }
        }
    }
    ck_assert_int_eq(gs_graph_from_edges(&g, N, src, dst, NULL, m, false, NULL), GS_OK);
    return g;
}

static void random_table(gs_i_gg_table_t *t, int n, int dim, uint64_t seed, float lr)
{
    gs_rng_t rng;

    ck_assert_int_eq(gs_i_gg_table_init(t, n, dim, 64, NULL, lr, 0.0f), GS_OK);
    gs_rng_init(&rng, seed, 1);
    for (size_t i = 0; i < (size_t)n * dim; i++) {
        t->emb[i] = (float)(0.5 * gs_rng_normal(&rng));
    }
}

/* Depth of every slot, through the parents. */
static int depth_of(const gs_i_bfs_tree_t *t, int slot)
{
    int d = 0;

    for (; slot != 0; slot = t->parent[slot]) {
        d++;
    }
    return d;
}

START_TEST(graphgan_bfs_tree_is_a_shortest_path_tree)
{
    gs_graph_t *g = karate();
    gs_i_bfs_scratch_t s;
    int dist[34];

    ck_assert_int_eq(gs_i_bfs_scratch_init(&s, g->n_nodes), GS_OK);
    for (int root = 0; root < g->n_nodes; root += 11) {
        const gs_i_bfs_tree_t *t = &s.tree;

        gs_i_bfs_tree_build(g, root, &s);
        ck_assert_int_eq(t->n, 34);
        ck_assert_int_eq(t->node[0], root);
        ck_assert_int_eq(t->parent[0], -1);

        /* Slot order is BFS order, so distances never decrease along it. */
        for (int i = 0; i < t->n; i++) {
            dist[i] = depth_of(t, i);
            ck_assert(i == 0 || dist[i] >= dist[i - 1]);
        }
        for (int i = 1; i < t->n; i++) {
            int p = t->parent[i];
            bool edge = false;

            ck_assert_int_ge(i, t->child_start[p]);
            ck_assert_int_lt(i, t->child_start[p + 1]);
            for (int64_t e = g->adj->indptr[t->node[p]]; e < g->adj->indptr[t->node[p] + 1];
                 e++) {
                edge = edge || g->adj->indices[e] == t->node[i];
            }
            ck_assert(edge);
        }
    }
    gs_i_bfs_scratch_destroy(&s);
    gs_graph_free(g);
}
END_TEST

START_TEST(graphgan_bfs_cache_serves_the_same_trees_within_budget)
{
    gs_graph_t *g = karate();
    gs_i_bfs_cache_t small, large;
    gs_i_bfs_scratch_t s1, s2;

    ck_assert_int_eq(gs_i_bfs_scratch_init(&s1, g->n_nodes), GS_OK);
    ck_assert_int_eq(gs_i_bfs_scratch_init(&s2, g->n_nodes), GS_OK);
    ck_assert_int_eq(gs_i_bfs_cache_init(&small, g, 3 * gs_i_bfs_tree_bytes(34)), GS_OK);
    ck_assert_int_eq(gs_i_bfs_cache_init(&large, g, (size_t)1 << 30), GS_OK);
    for (int pass = 0; pass < 2; pass++) {
        for (int root = 0; root < g->n_nodes; root++) {
            const gs_i_bfs_tree_t *a = gs_i_bfs_cache_get(&small, root, &s1);
            const gs_i_bfs_tree_t *b = gs_i_bfs_cache_get(&large, root, &s2);

            ck_assert_int_eq(a->n, b->n);
            ck_assert_int_eq(memcmp(a->node, b->node, (size_t)a->n * sizeof *a->node), 0);
            ck_assert_int_eq(memcmp(a->parent, b->parent, (size_t)a->n * sizeof *a->parent), 0);
        }
    }
    ck_assert_uint_le(small.used_bytes, small.budget_bytes);
    ck_assert_ptr_null(small.trees[33]);
    ck_assert_ptr_nonnull(large.trees[33]);
    gs_i_bfs_cache_destroy(&small);
    gs_i_bfs_cache_destroy(&large);
    gs_i_bfs_scratch_destroy(&s1);
    gs_i_bfs_scratch_destroy(&s2);
    gs_graph_free(g);
}
END_TEST

START_TEST(graphgan_softmax_sums_to_one)
{
    gs_graph_t *g = karate();
    gs_i_gg_table_t t;
    gs_i_bfs_scratch_t s;
    double buf[40];

    random_table(&t, g->n_nodes, 8, 3, 0.01f);
    for (int v = 0; v < g->n_nodes; v++) {
        t.bias.w[v] = 0.1f * (float)(v % 5);
    }
    ck_assert_int_eq(gs_i_bfs_scratch_init(&s, g->n_nodes), GS_OK);
    for (int root = 0; root < g->n_nodes; root += 5) {
        double sum = 0.0;

        gs_i_bfs_tree_build(g, root, &s);
        ck_assert_double_eq(gs_i_gg_softmax_probability(&s.tree, &t, 0, buf), 0.0);
        for (int slot = 1; slot < s.tree.n; slot++) {
            sum += gs_i_gg_softmax_probability(&s.tree, &t, slot, buf);
        }
        ck_assert_double_eq_tol(sum, 1.0, 1e-9);
    }
    gs_i_bfs_scratch_destroy(&s);
    gs_i_gg_table_destroy(&t);
    gs_graph_free(g);
}
END_TEST

START_TEST(graphgan_softmax_matches_hand_computation)
{
    gs_graph_t *g = small_tree();
    gs_i_gg_table_t t;
    gs_i_bfs_scratch_t s;
    double buf[4];
    const float x[4] = {1.0f, 0.5f, -0.5f, 2.0f};

    /* One dimension, no bias: relevance(u, c) = x_u x_c. */
    ck_assert_int_eq(gs_i_gg_table_init(&t, 4, 1, 8, NULL, 0.01f, 0.0f), GS_OK);
    memcpy(t.emb, x, sizeof x);
    ck_assert_int_eq(gs_i_bfs_scratch_init(&s, 4), GS_OK);
    gs_i_bfs_tree_build(g, 0, &s);
    ck_assert_int_eq(s.tree.n, 4);

    /* From 0: to 1 or 2 by exp(0.5) : exp(-0.5).  From 1: back to 0 by exp(0.5), on to 3
     * by exp(1.0).  From 2 and 3 the only way is back. */
    double p01 = exp(0.5) / (exp(0.5) + exp(-0.5)), p02 = 1.0 - p01;
    double p10 = exp(0.5) / (exp(0.5) + exp(1.0)), p13 = 1.0 - p10;
    double expect[4] = {0.0, p01 * p10, p02, p01 * p13};

    for (int slot = 1; slot < 4; slot++) {
        int node = s.tree.node[slot];

        ck_assert_double_eq_tol(gs_i_gg_softmax_probability(&s.tree, &t, slot, buf),
                                expect[node], 1e-12);
    }
    gs_i_bfs_scratch_destroy(&s);
    gs_i_gg_table_destroy(&t);
    gs_graph_free(g);
}
END_TEST

START_TEST(graphgan_walks_follow_tree_edges_and_sample_the_softmax)
{
    enum { WALKS = 40000 };
    gs_graph_t *g = karate();
    gs_i_gg_table_t t;
    gs_i_bfs_scratch_t s;
    int32_t path[34];
    double buf[40], count[34] = {0};
    gs_rng_t rng;

    random_table(&t, g->n_nodes, 4, 5, 0.01f);
    ck_assert_int_eq(gs_i_bfs_scratch_init(&s, g->n_nodes), GS_OK);
    gs_i_bfs_tree_build(g, 4, &s);
    gs_rng_init(&rng, 1, 2);
    for (int w = 0; w < WALKS; w++) {
        int len, slot = gs_i_gg_walk(&s.tree, &t, false, &rng, buf, path, &len);

        ck_assert_int_ge(slot, 1);
        ck_assert_int_eq(path[0], 0);
        ck_assert_int_eq(path[len - 1], slot);
        for (int i = 1; i < len; i++) {
            ck_assert_int_eq(s.tree.parent[path[i]], path[i - 1]);
        }
        count[slot] += 1.0;
    }
    for (int slot = 1; slot < s.tree.n; slot++) {
        double p = gs_i_gg_softmax_probability(&s.tree, &t, slot, buf);

        /* Within five binomial standard deviations (and a little slack for tiny p). */
        ck_assert_double_eq_tol(count[slot] / WALKS, p, 5.0 * sqrt(p / WALKS) + 1e-3);
    }
    gs_i_bfs_scratch_destroy(&s);
    gs_i_gg_table_destroy(&t);
    gs_graph_free(g);
}
END_TEST

START_TEST(graphgan_walk_away_from_root_samples_beyond_neighbours)
{
    gs_graph_t *g = karate();
    gs_i_gg_table_t t;
    gs_i_bfs_scratch_t s;
    int32_t path[34];
    double buf[40];
    int stuck = 0;
    gs_rng_t rng;

    random_table(&t, g->n_nodes, 4, 6, 0.01f);
    ck_assert_int_eq(gs_i_bfs_scratch_init(&s, g->n_nodes), GS_OK);
    gs_i_bfs_tree_build(g, 0, &s);
    gs_rng_init(&rng, 2, 3);
    for (int w = 0; w < 2000; w++) {
        int len, slot = gs_i_gg_walk(&s.tree, &t, true, &rng, buf, path, &len);

        if (slot < 0) {
            stuck++;
            continue;
        }
        ck_assert_int_ge(depth_of(&s.tree, slot), 2);
    }
    ck_assert_int_lt(stuck, 2000);
    gs_i_bfs_scratch_destroy(&s);
    gs_i_gg_table_destroy(&t);
    gs_graph_free(g);
}
END_TEST

START_TEST(graphgan_path_pairs_lie_within_window)
{
    gs_graph_t *g = small_tree();
    gs_i_bfs_scratch_t s;
    gs_i_gg_pairs_t p = {0};
    int32_t path[3] = {0, 1, 3};

    ck_assert_int_eq(gs_i_bfs_scratch_init(&s, 4), GS_OK);
    gs_i_bfs_tree_build(g, 0, &s);
    path[2] = s.tree.child_start[1];
    ck_assert(gs_i_gg_path_pairs(&s.tree, path, 3, 1, &p));

    /* Window 1 on nodes (0, 1, 3): (0,1) (1,0) (1,3) (3,1). */
    ck_assert_int_eq(p.n, 4);
    ck_assert_int_eq(p.pairs[0], 0);
    ck_assert_int_eq(p.pairs[1], 1);
    ck_assert_int_eq(p.pairs[4], 1);
    ck_assert_int_eq(p.pairs[5], 3);
    gs_i_gg_pairs_destroy(&p);
    ck_assert(gs_i_gg_path_pairs(&s.tree, path, 3, 2, &p));
    ck_assert_int_eq(p.n, 6);
    gs_i_gg_pairs_destroy(&p);
    gs_i_bfs_scratch_destroy(&s);
    gs_graph_free(g);
}
END_TEST

/* The pairs within window 2 of the tree path from the root to slot. */
static void pairs_to(const gs_i_bfs_tree_t *t, int slot, gs_i_gg_pairs_t *p)
{
    int32_t path[64];
    int len = 0;

    for (int y = slot; y != 0; y = t->parent[y]) {
        len++;
    }
    path[0] = 0;
    for (int y = slot, i = len; y != 0; y = t->parent[y], i--) {
        path[i] = y;
    }
    ck_assert(gs_i_gg_path_pairs(t, path, len + 1, 2, p));
}

/* Rewarded walks to every fourth node of karate's tree at root 0 make G(node | root) grow,
 * for a free table (h NULL) or a GCN generator over h. */
static void check_policy_gradient(const gs_csr_t *h)
{
    gs_graph_t *g = karate();
    gs_i_gg_table_t t;
    gs_i_bfs_scratch_t s;
    gs_i_gg_pairs_t p = {0};
    double buf[40];
    int checked = 0;
    gs_rng_t rng;

    ck_assert_int_eq(gs_i_bfs_scratch_init(&s, g->n_nodes), GS_OK);
    gs_i_bfs_tree_build(g, 0, &s);
    for (int slot = 1; slot < s.tree.n; slot += 4) {
        double before, after;

        ck_assert_int_eq(gs_i_gg_table_init(&t, g->n_nodes, 8, 64, h, 0.01f, 0.0f), GS_OK);
        gs_rng_init(&rng, 7, 1);
        for (size_t i = 0; i < (size_t)t.weight.rows * t.dim; i++) {
            t.weight.w[i] = (float)(0.5 * gs_rng_normal(&rng));
        }
        gs_i_gg_table_refresh(&t);
        pairs_to(&s.tree, slot, &p);
        for (int64_t i = 0; i < p.n; i++) {
            p.value[i] = 1.0f;
        }
        before = gs_i_gg_softmax_probability(&s.tree, &t, slot, buf);
        for (int step = 0; step < 5; step++) {
            gs_i_gg_gen_step(&t, p.pairs, p.value, (int)p.n);
        }
        gs_i_gg_table_refresh(&t);
        after = gs_i_gg_softmax_probability(&s.tree, &t, slot, buf);
        ck_assert_msg(after > before, "G(slot %d | root) went from %g to %g", slot, before,
                      after);
        checked++;
        p.n = 0;
        gs_i_gg_table_destroy(&t);
    }
    ck_assert_int_ge(checked, 8);
    gs_i_gg_pairs_destroy(&p);
    gs_i_bfs_scratch_destroy(&s);
    gs_graph_free(g);
}

START_TEST(graphgan_policy_gradient_raises_rewarded_probability)
{
    check_policy_gradient(NULL);
}
END_TEST

START_TEST(graphgan_gcn_policy_gradient_raises_rewarded_probability)
{
    gs_graph_t *g = karate();
    gs_csr_t *adj = NULL;

    ck_assert_int_eq(gs_graph_normalized_adjacency(g, &adj), GS_OK);
    check_policy_gradient(adj);
    gs_csr_free(adj);
    gs_graph_free(g);
}
END_TEST

START_TEST(graphgan_zero_reward_leaves_generator_unchanged)
{
    gs_i_gg_table_t t;
    int32_t pairs[4] = {0, 1, 1, 2};
    float reward[2] = {0.0f, 0.0f};
    float before[3 * 4];

    random_table(&t, 3, 4, 8, 0.1f);
    memcpy(before, t.emb, sizeof before);
    gs_i_gg_gen_step(&t, pairs, reward, 2);
    ck_assert_int_eq(memcmp(before, t.emb, sizeof before), 0);
    gs_i_gg_table_destroy(&t);
}
END_TEST

START_TEST(graphgan_discriminator_step_lowers_its_loss)
{
    gs_i_gg_table_t d;
    int32_t pairs[8] = {0, 1, 2, 3, 0, 2, 1, 3};
    float labels[4] = {1.0f, 1.0f, 0.0f, 0.0f};
    double first, last = 0.0;

    random_table(&d, 4, 4, 9, 0.05f);
    first = gs_i_gg_dis_step(&d, pairs, labels, 4);
    for (int step = 0; step < 50; step++) {
        last = gs_i_gg_dis_step(&d, pairs, labels, 4);
    }
    ck_assert_msg(last < 0.5 * first, "D loss %.4f at first, %.4f after 50 steps", first,
                  last);
    ck_assert_float_gt(gs_i_gg_reward(&d, 0, 1), gs_i_gg_reward(&d, 0, 2));
    gs_i_gg_table_destroy(&d);
}
END_TEST

/* A held-out split of a community graph and GraphGAN's options for it. */
typedef struct run {
    gs_graph_t *g;
    gs_pairs_t pos, neg;
    gs_graphgan_options_t opt;
} run_t;

static void run_setup(run_t *r, uint64_t seed)
{
    r->g = communities(1);
    ck_assert_int_eq(gs_graphgan_link_setup(&r->g, NULL, NULL, seed, &r->pos, &r->neg), GS_OK);
    gs_graphgan_options_init(&r->opt);
    r->opt.dim = 8;
    r->opt.epochs = 5;
    r->opt.seed = seed;
    r->opt.init = GS_GRAPHGAN_INIT_RANDOM;
    r->opt.eval_pos = &r->pos;
    r->opt.eval_neg = &r->neg;
}

static void run_teardown(run_t *r)
{
    gs_pairs_destroy(&r->pos);
    gs_pairs_destroy(&r->neg);
    gs_graph_free(r->g);
}

static gs_tensor_t *train(const run_t *r, gs_graphgan_report_t *rep, gs_graphgan_side_t side)
{
    gs_graphgan_t *model = NULL;
    gs_tensor_t *emb = NULL;

    ck_assert_int_eq(gs_graphgan_train(r->g, &r->opt, &model, rep), GS_OK);
    ck_assert_int_eq(gs_graphgan_embed(model, r->g, side, &emb), GS_OK);
    gs_graphgan_free(model);
    return emb;
}

static void first_dis_loss(const gs_graphgan_epoch_t *e, void *user)
{
    if (e->epoch == 1) {
        *(double *)user = e->dis_loss;
    }
}

START_TEST(graphgan_learns_communities_from_random_init)
{
    gs_graphgan_report_t rep;
    double first = 0.0;
    gs_tensor_t *emb;
    double acc, auc;
    run_t r;

    run_setup(&r, 0);
    r.opt.epochs = 20;
    r.opt.lr_gen = 0.01f;
    r.opt.lr_dis = 0.01f;
    r.opt.on_epoch = first_dis_loss;
    r.opt.on_epoch_user = &first;
    emb = train(&r, &rep, GS_GRAPHGAN_GENERATOR);
    ck_assert_int_eq(rep.train.epochs, 20);
    ck_assert_int_eq(gs_graphgan_link_accuracy(emb, &r.pos, &r.neg, &acc, &auc), GS_OK);
    ck_assert_double_eq(acc, rep.last.gen_accuracy);

    /* Random vectors start near chance (0.5).  G's walks stay inside communities, so its
     * held-out AUC must rise; D separates real edges from G's samples, which lie two hops
     * away and so mostly inside the same community: its own loss must fall. */
    ck_assert_msg(rep.last.gen_auc > 0.75 && rep.last.gen_auc > rep.initial.gen_auc + 0.15,
                  "G's AUC went from %.3f to %.3f", rep.initial.gen_auc, rep.last.gen_auc);
    ck_assert_msg(rep.last.dis_loss < 0.75 * first, "D's loss went from %.3f to %.3f", first,
                  rep.last.dis_loss);
    gs_tensor_free(emb);
    run_teardown(&r);
}
END_TEST

START_TEST(graphgan_gcn_generator_keeps_communities_apart)
{
    gs_graphgan_report_t rep;
    gs_tensor_t *emb;
    run_t r;

    run_setup(&r, 1);
    r.opt.generator = GS_GRAPHGAN_GEN_GCN;
    r.opt.init = GS_GRAPHGAN_INIT_DEEPWALK;
    r.opt.deepwalk.walks_per_node = 5;
    r.opt.deepwalk.walk_length = 20;
    r.opt.epochs = 10;
    emb = train(&r, &rep, GS_GRAPHGAN_GENERATOR);
    ck_assert_int_eq(emb->rows, 200);
    ck_assert_int_eq(emb->cols, 8);

    /* G's vectors are the DeepWalk ones smoothed by Â, then trained: they must keep the
     * communities apart (chance is 0.5) and must have moved. */
    ck_assert_msg(rep.last.gen_auc > 0.8, "G's AUC went from %.3f to %.3f",
                  rep.initial.gen_auc, rep.last.gen_auc);
    ck_assert_double_ne(rep.last.gen_auc, rep.initial.gen_auc);
    gs_tensor_free(emb);
    run_teardown(&r);
}
END_TEST

START_TEST(graphgan_result_does_not_depend_on_threads)
{
    gs_graphgan_report_t rep;
    gs_tensor_t *a, *b, *c;
    size_t size;
    run_t r;

    run_setup(&r, 3);
    gs_threads_set(1);
    a = train(&r, &rep, GS_GRAPHGAN_GENERATOR);
    gs_threads_set(2);
    b = train(&r, &rep, GS_GRAPHGAN_GENERATOR);
    r.opt.seed = 4;
    c = train(&r, &rep, GS_GRAPHGAN_GENERATOR);
    size = (size_t)a->rows * a->cols * sizeof *a->data;
    ck_assert_int_eq(memcmp(a->data, b->data, size), 0);
    ck_assert_int_ne(memcmp(a->data, c->data, size), 0);
    gs_tensor_free(a);
    gs_tensor_free(b);
    gs_tensor_free(c);
    run_teardown(&r);
}
END_TEST

START_TEST(graphgan_deepwalk_init_starts_above_chance)
{
    gs_graphgan_report_t rep;
    gs_tensor_t *emb;
    run_t r;

    run_setup(&r, 0);
    r.opt.init = GS_GRAPHGAN_INIT_DEEPWALK;
    r.opt.deepwalk.walks_per_node = 5;
    r.opt.deepwalk.walk_length = 20;
    r.opt.epochs = 1;
    emb = train(&r, &rep, GS_GRAPHGAN_GENERATOR);
    ck_assert_int_eq(emb->cols, 8);
    ck_assert_double_gt(rep.initial.gen_auc, 0.75);
    ck_assert_double_eq(rep.initial.gen_auc, rep.initial.dis_auc);
    gs_tensor_free(emb);
    run_teardown(&r);
}
END_TEST

/* Writes text to a fresh temporary file; returns its path (caller frees). */
static char *temp_file(const char *text)
{
    char *path = strdup("/tmp/graphgan_test_XXXXXX");
    int fd = mkstemp(path);
    FILE *f;

    ck_assert_int_ge(fd, 0);
    f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

START_TEST(graphgan_link_setup_adds_unseen_test_nodes)
{
    int32_t src[] = {0, 1}, dst[] = {1, 3};
    char *names[] = {"10", "20", "30", "40"};
    char *pos_path = temp_file("10 20\n30 50\n");
    char *neg_path = temp_file("5 40\n");
    gs_pairs_t pos, neg;
    gs_graph_t *g = NULL;

    /* Nodes 10, 20, 30, 40 with edges 10-20 and 20-40; the pairs add 5 and 50. */
    ck_assert_int_eq(gs_graph_from_edges(&g, 4, src, dst, NULL, 2, false, names), GS_OK);
    ck_assert_int_eq(gs_graphgan_link_setup(&g, pos_path, neg_path, 0, &pos, &neg), GS_OK);
    ck_assert_int_eq(g->n_nodes, 6);
    ck_assert_int_eq((int)g->n_edges, 2);
    ck_assert_str_eq(g->names[0], "5");
    ck_assert_str_eq(g->names[5], "50");
    ck_assert_int_eq(gs_graph_degree(g, gs_graph_find_node(g, "20")), 2);
    ck_assert_int_eq(gs_graph_degree(g, 0), 0);
    ck_assert_int_eq((int)pos.n, 2);
    ck_assert_int_eq((int)neg.n, 1);
    ck_assert_str_eq(g->names[pos.u[1]], "30");
    ck_assert_str_eq(g->names[pos.v[1]], "50");
    ck_assert_str_eq(g->names[neg.u[0]], "5");
    ck_assert_str_eq(g->names[neg.v[0]], "40");
    gs_pairs_destroy(&pos);
    gs_pairs_destroy(&neg);
    gs_graph_free(g);
    unlink(pos_path);
    unlink(neg_path);
    free(pos_path);
    free(neg_path);
}
END_TEST

START_TEST(graphgan_link_setup_draws_a_split)
{
    gs_graph_t *g = communities(2);
    int64_t edges = g->n_edges;
    gs_pairs_t pos, neg;

    ck_assert_int_eq(gs_graphgan_link_setup(&g, NULL, NULL, 1, &pos, &neg), GS_OK);
    ck_assert_int_eq((int)pos.n, (int)(edges / 10));
    ck_assert_int_eq((int)neg.n, (int)pos.n);
    ck_assert_int_eq((int)g->n_edges, (int)(edges - pos.n));
    ck_assert_int_eq(g->n_nodes, 200);
    gs_pairs_destroy(&pos);
    gs_pairs_destroy(&neg);
    gs_graph_free(g);
}
END_TEST

START_TEST(graphgan_common_neighbours_scores_shared_neighbours)
{
    gs_graph_t *g = karate();
    gs_pairs_t pos = {0}, neg = {0};
    int32_t pu[] = {0, 32}, pv[] = {1, 33}, nu[] = {0, 16}, nv[] = {33, 26};
    double acc, auc;

    /* 0-1 and 32-33 share many neighbours; 0-33 few, 16-26 none. */
    pos = (gs_pairs_t){2, pu, pv};
    neg = (gs_pairs_t){2, nu, nv};
    ck_assert_int_eq(gs_graphgan_link_accuracy_common_neighbours(g, &pos, &neg, &acc, &auc),
                     GS_OK);
    ck_assert_double_eq(acc, 1.0);
    ck_assert_double_eq(auc, 1.0);
    gs_graph_free(g);
}
END_TEST

START_TEST(graphgan_rejects_bad_inputs)
{
    gs_graphgan_t *model = NULL;
    gs_tensor_t *wrong = gs_tensor_new(3, 8);
    int32_t u[] = {0}, v[] = {999};
    gs_pairs_t none_pos, none_neg;
    gs_pairs_t far = {1, u, v};
    run_t r;

    run_setup(&r, 0);
    r.opt.lr_gen = 0.0f;
    ck_assert_int_eq(gs_graphgan_train(r.g, &r.opt, &model, NULL), GS_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(gs_last_error(), "learning rates"));

    run_teardown(&r);
    run_setup(&r, 0);
    r.opt.init = GS_GRAPHGAN_INIT_GIVEN;
    r.opt.init_embeddings = wrong;
    ck_assert_int_eq(gs_graphgan_train(r.g, &r.opt, &model, NULL), GS_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(gs_last_error(), "must be 200 x 8, found 3 x 8"));

    r.opt.init = GS_GRAPHGAN_INIT_RANDOM;
    r.opt.eval_neg = &far;
    ck_assert_int_eq(gs_graphgan_train(r.g, &r.opt, &model, NULL), GS_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(gs_last_error(), "outside 0..199"));
    ck_assert_ptr_null(model);

    ck_assert_int_eq(gs_graphgan_link_setup(&r.g, "x.edgelist", NULL, 0, &none_pos, &none_neg),
                     GS_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(gs_last_error(), "go together"));
    gs_tensor_free(wrong);
    run_teardown(&r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("graphgan");
    TCase *tc = tcase_create("graphgan");
    SRunner *sr;
    int failed;

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, graphgan_bfs_tree_is_a_shortest_path_tree);
    tcase_add_test(tc, graphgan_bfs_cache_serves_the_same_trees_within_budget);
    tcase_add_test(tc, graphgan_softmax_sums_to_one);
    tcase_add_test(tc, graphgan_softmax_matches_hand_computation);
    tcase_add_test(tc, graphgan_walks_follow_tree_edges_and_sample_the_softmax);
    tcase_add_test(tc, graphgan_walk_away_from_root_samples_beyond_neighbours);
    tcase_add_test(tc, graphgan_path_pairs_lie_within_window);
    tcase_add_test(tc, graphgan_policy_gradient_raises_rewarded_probability);
    tcase_add_test(tc, graphgan_gcn_policy_gradient_raises_rewarded_probability);
    tcase_add_test(tc, graphgan_zero_reward_leaves_generator_unchanged);
    tcase_add_test(tc, graphgan_discriminator_step_lowers_its_loss);
    tcase_add_test(tc, graphgan_learns_communities_from_random_init);
    tcase_add_test(tc, graphgan_gcn_generator_keeps_communities_apart);
    tcase_add_test(tc, graphgan_result_does_not_depend_on_threads);
    tcase_add_test(tc, graphgan_deepwalk_init_starts_above_chance);
    tcase_add_test(tc, graphgan_link_setup_adds_unseen_test_nodes);
    tcase_add_test(tc, graphgan_link_setup_draws_a_split);
    tcase_add_test(tc, graphgan_common_neighbours_scores_shared_neighbours);
    tcase_add_test(tc, graphgan_rejects_bad_inputs);
    suite_add_tcase(s, tc);

    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

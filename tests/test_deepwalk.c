/*
 * DeepWalk on small graphs: the walks follow edges and do not depend on the thread count,
 * two cliques joined by one edge come out separated, runs are reproducible, and bad inputs
 * are refused.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "graph/walks.h"
#include "graphssl/graphssl.h"

enum { CLIQUE = 8 };

/* Two cliques of CLIQUE nodes (0..7 and 8..15) joined by the edge 7-8, and node 16 alone. */
static gs_graph_t *two_cliques(void)
{
    int32_t src[2 * CLIQUE * CLIQUE], dst[2 * CLIQUE * CLIQUE];
    int64_t m = 0;
    gs_graph_t *g = NULL;

    for (int c = 0; c < 2; c++) {
        for (int i = 0; i < CLIQUE; i++) {
            for (int j = i + 1; j < CLIQUE; j++) {
                src[m] = c * CLIQUE + i;
                dst[m++] = c * CLIQUE + j;
            }
        }
    }
    src[m] = CLIQUE - 1;
    dst[m++] = CLIQUE;
    ck_assert_int_eq(gs_graph_from_edges(&g, 2 * CLIQUE + 1, src, dst, NULL, m, false, NULL),
                     GS_OK);
    return g;
}

static void small_options(gs_deepwalk_options_t *opt, uint64_t seed)
{
    gs_deepwalk_options_init(opt);
    opt->dim = 16;
    opt->walk_length = 20;
    opt->walks_per_node = 20;
    opt->window = 4;
    opt->seed = seed;
}

static gs_tensor_t *train_and_embed(const gs_graph_t *g, const gs_deepwalk_options_t *opt)
{
    gs_deepwalk_t *model = NULL;
    gs_tensor_t *emb = NULL;

    ck_assert_int_eq(gs_deepwalk_train(g, opt, &model, NULL), GS_OK);
    ck_assert_int_eq(gs_deepwalk_embed(model, g, &emb), GS_OK);
    gs_deepwalk_free(model);
    return emb;
}

static double cosine(const gs_tensor_t *e, int u, int v)
{
    const float *a = e->data + (size_t)u * e->cols, *b = e->data + (size_t)v * e->cols;
    double ab = 0.0, aa = 0.0, bb = 0.0;

    for (int k = 0; k < e->cols; k++) {
        ab += (double)a[k] * b[k];
        aa += (double)a[k] * a[k];
        bb += (double)b[k] * b[k];
    }
    return ab / sqrt(aa * bb);
}

START_TEST(deepwalk_walks_follow_edges)
{
    gs_graph_t *g = two_cliques();
    int n = g->n_nodes, len = 12, passes = 3;
    int32_t *walks = NULL;

    ck_assert_int_eq(gs_i_random_walks(g, passes, len, 7, 0, &walks), GS_OK);
    for (int64_t w = 0; w < (int64_t)passes * n; w++) {
        const int32_t *walk = walks + w * len;

        for (int i = 1; i < len; i++) {
            bool edge = false;

            if (walk[0] == 2 * CLIQUE) {
                /* The isolated node's walk stops at once. */
                ck_assert_int_eq(walk[i], -1);
                continue;
            }
            for (int64_t e = g->adj->indptr[walk[i - 1]]; e < g->adj->indptr[walk[i - 1] + 1];
                 e++) {
                edge = edge || g->adj->indices[e] == walk[i];
            }
            ck_assert_msg(edge, "walk %lld steps %d -> %d, not an edge", (long long)w,
                          walk[i - 1], walk[i]);
        }
    }

    /* Every pass starts one walk at every node. */
    for (int r = 0; r < passes; r++) {
        int seen[2 * CLIQUE + 1] = {0};

        for (int k = 0; k < n; k++) {
            seen[walks[((int64_t)r * n + k) * len]]++;
        }
        for (int v = 0; v < n; v++) {
            ck_assert_int_eq(seen[v], 1);
        }
    }
    free(walks);
    gs_graph_free(g);
}
END_TEST

START_TEST(deepwalk_walks_do_not_depend_on_threads)
{
    gs_graph_t *g = two_cliques();
    int32_t *one = NULL, *two = NULL;
    size_t size = (size_t)5 * g->n_nodes * 30 * sizeof *one;

    gs_threads_set(1);
    ck_assert_int_eq(gs_i_random_walks(g, 5, 30, 3, 0, &one), GS_OK);
    gs_threads_set(2);
    ck_assert_int_eq(gs_i_random_walks(g, 5, 30, 3, 0, &two), GS_OK);
    ck_assert_int_eq(memcmp(one, two, size), 0);
    free(one);
    free(two);
    gs_graph_free(g);
}
END_TEST

START_TEST(deepwalk_two_cliques_separates_them)
{
    gs_graph_t *g = two_cliques();
    gs_deepwalk_options_t opt;
    gs_tensor_t *emb;
    double within = 0.0, between = 0.0;
    int n_within = 0, n_between = 0;

    small_options(&opt, 0);
    emb = train_and_embed(g, &opt);
    ck_assert_int_eq(emb->rows, 2 * CLIQUE + 1);
    ck_assert_int_eq(emb->cols, 16);
    for (int u = 0; u < 2 * CLIQUE; u++) {
        for (int v = u + 1; v < 2 * CLIQUE; v++) {
            if (u / CLIQUE == v / CLIQUE) {
                within += cosine(emb, u, v);
                n_within++;
            } else {
                between += cosine(emb, u, v);
                n_between++;
            }
        }
    }
    within /= n_within;
    between /= n_between;
    ck_assert_msg(within > between + 0.5, "mean cosine within cliques %.3f, between %.3f",
                  within, between);
    gs_tensor_free(emb);
    gs_graph_free(g);
}
END_TEST

static void record_loss(int epoch, double loss, void *user)
{
    double *losses = user;

    losses[epoch - 1] = loss;
}

START_TEST(deepwalk_loss_decreases)
{
    gs_graph_t *g = two_cliques();
    gs_deepwalk_options_t opt;
    gs_train_report_t rep;
    gs_deepwalk_t *model = NULL;
    double losses[20] = {0};

    small_options(&opt, 1);
    opt.progress = record_loss;
    opt.progress_user = losses;
    ck_assert_int_eq(gs_deepwalk_train(g, &opt, &model, &rep), GS_OK);
    ck_assert_int_eq(rep.epochs, opt.walks_per_node);
    ck_assert_double_eq(losses[19], rep.best_loss);
    ck_assert_msg(losses[19] < 0.8 * losses[0], "loss %.4f after the first pass, %.4f after "
                  "the last", losses[0], losses[19]);
    gs_deepwalk_free(model);
    gs_graph_free(g);
}
END_TEST

START_TEST(deepwalk_same_seed_is_byte_identical)
{
    gs_graph_t *g = two_cliques();
    gs_deepwalk_options_t opt;
    gs_tensor_t *a, *b, *c;
    size_t size;

    small_options(&opt, 5);
    gs_threads_set(2);
    a = train_and_embed(g, &opt);
    b = train_and_embed(g, &opt);
    opt.seed = 6;
    c = train_and_embed(g, &opt);
    size = (size_t)a->rows * a->cols * sizeof *a->data;
    ck_assert_int_eq(memcmp(a->data, b->data, size), 0);
    ck_assert_int_ne(memcmp(a->data, c->data, size), 0);
    gs_tensor_free(a);
    gs_tensor_free(b);
    gs_tensor_free(c);
    gs_graph_free(g);
}
END_TEST

START_TEST(deepwalk_hogwild_still_separates_cliques)
{
    gs_graph_t *g = two_cliques();
    gs_deepwalk_options_t opt;
    gs_tensor_t *emb;

    small_options(&opt, 2);
    opt.hogwild = true;
    gs_threads_set(2);
    emb = train_and_embed(g, &opt);
    ck_assert_double_gt(cosine(emb, 0, 1), cosine(emb, 0, CLIQUE + 1));
    gs_tensor_free(emb);
    gs_graph_free(g);
}
END_TEST

START_TEST(deepwalk_rejects_bad_options)
{
    gs_graph_t *g = two_cliques();
    gs_deepwalk_options_t opt;
    gs_deepwalk_t *model = NULL;

    small_options(&opt, 0);
    opt.dim = 0;
    ck_assert_int_eq(gs_deepwalk_train(g, &opt, &model, NULL), GS_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(gs_last_error(), "dim 0"));

    small_options(&opt, 0);
    opt.lr = -1.0f;
    ck_assert_int_eq(gs_deepwalk_train(g, &opt, &model, NULL), GS_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(gs_last_error(), "learning rate"));
    ck_assert_ptr_null(model);
    gs_graph_free(g);
}
END_TEST

START_TEST(deepwalk_embed_rejects_other_graph)
{
    gs_graph_t *g = two_cliques(), *karate = NULL;
    gs_deepwalk_options_t opt;
    gs_deepwalk_t *model = NULL;
    gs_tensor_t *emb = NULL;

    small_options(&opt, 0);
    opt.walks_per_node = 1;
    ck_assert_int_eq(gs_graph_karate(&karate), GS_OK);
    ck_assert_int_eq(gs_deepwalk_train(g, &opt, &model, NULL), GS_OK);
    ck_assert_int_eq(gs_deepwalk_embed(model, karate, &emb), GS_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(gs_last_error(), "34 nodes"));
    gs_deepwalk_free(model);
    gs_graph_free(karate);
    gs_graph_free(g);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("deepwalk");
    TCase *tc = tcase_create("deepwalk");
    SRunner *sr;
    int failed;

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, deepwalk_walks_follow_edges);
    tcase_add_test(tc, deepwalk_walks_do_not_depend_on_threads);
    tcase_add_test(tc, deepwalk_two_cliques_separates_them);
    tcase_add_test(tc, deepwalk_loss_decreases);
    tcase_add_test(tc, deepwalk_same_seed_is_byte_identical);
    tcase_add_test(tc, deepwalk_hogwild_still_separates_cliques);
    tcase_add_test(tc, deepwalk_rejects_bad_options);
    tcase_add_test(tc, deepwalk_embed_rejects_other_graph);
    suite_add_tcase(s, tc);

    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

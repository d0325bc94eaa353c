/*
 * DGI on small graphs: learning happens (well above chance), runs are reproducible, and
 * bad inputs are refused.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "graphssl/graphssl.h"

static gs_graph_t *karate_with_identity(void)
{
    gs_graph_t *g = NULL;

    ck_assert_int_eq(gs_graph_karate(&g), GS_OK);
    ck_assert_int_eq(gs_graph_set_identity_features(g), GS_OK);
    return g;
}

static gs_tensor_t *train_and_embed(const gs_graph_t *g, uint64_t seed, int hidden,
                                    gs_train_report_t *rep)
{
    gs_dgi_options_t opt;
    gs_dgi_t *model = NULL;
    gs_tensor_t *emb = NULL;

    gs_dgi_options_init(&opt);
    opt.seed = seed;
    opt.hidden = hidden;
    ck_assert_int_eq(gs_dgi_train(g, &opt, &model, rep), GS_OK);
    ck_assert_int_eq(gs_dgi_embed(model, g, &emb), GS_OK);
    gs_dgi_free(model);
    return emb;
}

START_TEST(dgi_karate_separates_factions)
{
    gs_graph_t *g = karate_with_identity();
    gs_train_report_t rep;
    gs_tensor_t *emb = train_and_embed(g, 0, 64, &rep);
    gs_score_t micro, macro;

    ck_assert_int_eq(emb->rows, 34);
    ck_assert_int_eq(emb->cols, 64);
    ck_assert_int_ge(rep.epochs, rep.best_epoch);
    ck_assert_int_ge(rep.best_epoch, 1);

    /* Two balanced factions: chance is 0.5. */
    ck_assert_int_eq(gs_eval_kfold_logreg(emb, g->labels, g->n_classes, 5, 0, &micro, &macro),
                     GS_OK);
    ck_assert_double_ge(micro.mean, 0.8);

    gs_tensor_free(emb);
    gs_graph_free(g);
}
END_TEST

START_TEST(dgi_loss_decreases)
{
    gs_graph_t *g = karate_with_identity();
    gs_train_report_t rep;
    gs_tensor_t *emb = train_and_embed(g, 1, 32, &rep);

    /* The loss of a discriminator that cannot tell real from corrupted is ln 2. */
    ck_assert_double_lt(rep.best_loss, 0.5 * log(2.0));

    gs_tensor_free(emb);
    gs_graph_free(g);
}
END_TEST

START_TEST(dgi_same_seed_is_byte_identical)
{
    gs_graph_t *g = karate_with_identity();
    gs_train_report_t rep;
    gs_tensor_t *a = train_and_embed(g, 7, 16, &rep);
    gs_tensor_t *b = train_and_embed(g, 7, 16, &rep);
    gs_tensor_t *c = train_and_embed(g, 8, 16, &rep);
    size_t bytes = (size_t)a->rows * a->cols * sizeof(float);

    ck_assert_int_eq(memcmp(a->data, b->data, bytes), 0);
    ck_assert_int_ne(memcmp(a->data, c->data, bytes), 0);

    gs_tensor_free(a);
    gs_tensor_free(b);
    gs_tensor_free(c);
    gs_graph_free(g);
}
END_TEST

START_TEST(dgi_rejects_graph_without_features)
{
    gs_graph_t *g = NULL;
    gs_dgi_options_t opt;
    gs_dgi_t *model = NULL;

    ck_assert_int_eq(gs_graph_karate(&g), GS_OK);
    gs_dgi_options_init(&opt);
    ck_assert_int_eq(gs_dgi_train(g, &opt, &model, NULL), GS_ERR_INVALID);
    ck_assert_ptr_null(model);
    ck_assert_ptr_nonnull(strstr(gs_last_error(), "no node features"));
    gs_graph_free(g);
}
END_TEST

/* Options the command line refuses are refused by the library too, before any work. */
START_TEST(dgi_rejects_bad_options)
{
    gs_graph_t *g = karate_with_identity();
    gs_dgi_options_t opt;
    gs_dgi_t *model = NULL;
    const char *expected[] = {"hidden >= 1", "hidden >= 1", "learning rate", "learning rate",
                              "learning rate", "patience and max_epochs", "patience and max_epochs",
                              "weight decay"};

    gs_dgi_options_init(&opt);
    switch (_i) {
    case 0: opt.hidden = 0; break;
    case 1: opt.hidden = -3; break;
    case 2: opt.lr = 0.0f; break;
    case 3: opt.lr = -0.01f; break;
    case 4: opt.lr = NAN; break;
    case 5: opt.max_epochs = 0; break;
    case 6: opt.patience = 0; break;
    default: opt.weight_decay = -1.0f; break;
    }
    ck_assert_int_eq(gs_dgi_train(g, &opt, &model, NULL), GS_ERR_INVALID);
    ck_assert_ptr_null(model);
    ck_assert_msg(strstr(gs_last_error(), expected[_i]), "case %d: %s", _i, gs_last_error());
    gs_graph_free(g);
}
END_TEST

/* A model larger than the machine is refused with the size, not left to the OOM killer. */
START_TEST(dgi_refuses_a_model_larger_than_memory)
{
    gs_graph_t *g = karate_with_identity();
    gs_dgi_options_t opt;
    gs_dgi_t *model = NULL;

    gs_dgi_options_init(&opt);
    opt.hidden = 4000000;
    ck_assert_int_eq(gs_dgi_train(g, &opt, &model, NULL), GS_ERR_NOMEM);
    ck_assert_ptr_null(model);
    ck_assert_ptr_nonnull(strstr(gs_last_error(), "DGI with 34 features and hidden 4000000 "
                                                  "needs about"));
    gs_graph_free(g);
}
END_TEST

START_TEST(dgi_embed_rejects_other_feature_width)
{
    gs_graph_t *g = karate_with_identity();
    gs_graph_t *other = NULL;
    gs_dgi_options_t opt;
    gs_dgi_t *model = NULL;
    gs_tensor_t *emb = NULL;
    int32_t src[] = {0, 1}, dst[] = {1, 2};

    gs_dgi_options_init(&opt);
    opt.hidden = 8;
    opt.max_epochs = 3;
    ck_assert_int_eq(gs_dgi_train(g, &opt, &model, NULL), GS_OK);
    ck_assert_int_eq(gs_graph_from_edges(&other, 3, src, dst, NULL, 2, false, NULL), GS_OK);
    ck_assert_int_eq(gs_graph_set_identity_features(other), GS_OK);
    ck_assert_int_eq(gs_dgi_embed(model, other, &emb), GS_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(gs_last_error(), "expects 34"));

    gs_dgi_free(model);
    gs_graph_free(other);
    gs_graph_free(g);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("dgi");
    TCase *tc = tcase_create("dgi");
    SRunner *sr;
    int failed;

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, dgi_karate_separates_factions);
    tcase_add_test(tc, dgi_loss_decreases);
    tcase_add_test(tc, dgi_same_seed_is_byte_identical);
    tcase_add_test(tc, dgi_rejects_graph_without_features);
    tcase_add_test(tc, dgi_embed_rejects_other_feature_width);
    tcase_add_loop_test(tc, dgi_rejects_bad_options, 0, 8);
    tcase_add_test(tc, dgi_refuses_a_model_larger_than_memory);
    suite_add_tcase(s, tc);

    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/*
 * Tests of the evaluation protocols: the dgi-linear probe and k-fold logistic regression on
 * synthetic embeddings, F1 and fold helpers, and AUC / AP / link accuracy on small cases
 * computed by hand.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eval/eval_internal.h"
#include "graphssl/graph.h"

#define N_NODES 300
#define DIM 16
#define N_CLASSES 3

/* A synthetic node set: embeddings, labels and a split, owned together. */
typedef struct dataset {
    gs_tensor_t *emb;
    int32_t labels[N_NODES];
    uint8_t split[N_NODES];
} dataset_t;

/*
 * Node v has class v % 3.  When separable, its embedding is 3 times the class's unit
 * vector plus N(0, 0.3^2) noise in every dimension; otherwise pure N(0, 1) noise with
 * random labels.  The first 30 nodes (10 per class) train, the rest test.
 */
static void dataset_init(dataset_t *ds, bool separable, uint64_t seed)
{
    gs_rng_t rng;

    gs_rng_init(&rng, seed, 7);
    ds->emb = gs_tensor_new(N_NODES, DIM);
    ck_assert_ptr_nonnull(ds->emb);

    for (int v = 0; v < N_NODES; v++) {
        int c = separable ? v % N_CLASSES : (int)gs_rng_below(&rng, N_CLASSES);

        for (int j = 0; j < DIM; j++) {
            double noise = gs_rng_normal(&rng);
            double mean = separable && j == c ? 3.0 : 0.0;

            ds->emb->data[v * DIM + j] = (float)(mean + (separable ? 0.3 : 1.0) * noise);
        }
        ds->labels[v] = c;
        ds->split[v] = v < 30 ? GS_SPLIT_TRAIN : GS_SPLIT_TEST;
    }
}

static void dataset_destroy(dataset_t *ds)
{
    gs_tensor_free(ds->emb);
}

/* --- dgi-linear ------------------------------------------------------------------------ */

START_TEST(eval_linear_probe_separable_above_095)
{
    dataset_t ds;
    gs_linear_probe_options_t opt;
    gs_score_t acc;

    dataset_init(&ds, true, 1);
    gs_linear_probe_options_init(&opt);
    ck_assert_int_eq(gs_eval_linear_probe(ds.emb, ds.labels, N_CLASSES, ds.split, &opt, &acc),
                     GS_OK);

    ck_assert_str_eq(acc.protocol, "dgi-linear");
    ck_assert_int_eq(acc.runs, 50);
    ck_assert_double_gt(acc.mean, 0.95);
    ck_assert_double_ge(acc.std, 0.0);
    dataset_destroy(&ds);
}
END_TEST

START_TEST(eval_linear_probe_random_labels_near_chance)
{
    dataset_t ds;
    gs_linear_probe_options_t opt;
    gs_score_t acc;

    dataset_init(&ds, false, 2);
    gs_linear_probe_options_init(&opt);
    opt.runs = 10;
    ck_assert_int_eq(gs_eval_linear_probe(ds.emb, ds.labels, N_CLASSES, ds.split, &opt, &acc),
                     GS_OK);

    ck_assert_double_lt(acc.mean, 0.6);
    ck_assert_double_gt(acc.mean, 0.1);
    dataset_destroy(&ds);
}
END_TEST

START_TEST(eval_linear_probe_same_seed_identical)
{
    dataset_t ds;
    gs_linear_probe_options_t opt;
    gs_score_t a, b, c;

    /* Noisy data so that runs differ and a changed seed shows. */
    dataset_init(&ds, false, 3);
    gs_linear_probe_options_init(&opt);
    opt.runs = 5;
    opt.seed = 42;
    ck_assert_int_eq(gs_eval_linear_probe(ds.emb, ds.labels, N_CLASSES, ds.split, &opt, &a),
                     GS_OK);
    ck_assert_int_eq(gs_eval_linear_probe(ds.emb, ds.labels, N_CLASSES, ds.split, &opt, &b),
                     GS_OK);
    ck_assert(a.mean == b.mean);
    ck_assert(a.std == b.std);

    opt.seed = 43;
    ck_assert_int_eq(gs_eval_linear_probe(ds.emb, ds.labels, N_CLASSES, ds.split, &opt, &c),
                     GS_OK);
    ck_assert(a.mean != c.mean || a.std != c.std);
    dataset_destroy(&ds);
}
END_TEST

START_TEST(eval_linear_probe_rejects_missing_train)
{
    dataset_t ds;
    gs_score_t acc;

    dataset_init(&ds, true, 4);
    for (int v = 0; v < N_NODES; v++) {
        ds.split[v] = GS_SPLIT_TEST;
    }
    ck_assert_int_eq(gs_eval_linear_probe(ds.emb, ds.labels, N_CLASSES, ds.split, NULL, &acc),
                     GS_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(gs_last_error(), "no training nodes in the split"));
    dataset_destroy(&ds);
}
END_TEST

START_TEST(eval_linear_probe_rejects_missing_test)
{
    dataset_t ds;
    gs_score_t acc;

    dataset_init(&ds, true, 5);
    for (int v = 30; v < N_NODES; v++) {
        ds.labels[v] = -1;
    }
    ck_assert_int_eq(gs_eval_linear_probe(ds.emb, ds.labels, N_CLASSES, ds.split, NULL, &acc),
                     GS_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(gs_last_error(), "no test nodes"));
    dataset_destroy(&ds);
}
END_TEST

START_TEST(eval_linear_probe_rejects_label_out_of_range)
{
    dataset_t ds;
    gs_score_t acc;

    dataset_init(&ds, true, 6);
    ds.labels[17] = N_CLASSES;
    ck_assert_int_eq(gs_eval_linear_probe(ds.emb, ds.labels, N_CLASSES, ds.split, NULL, &acc),
                     GS_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(gs_last_error(), "node 17 has label 3"));
    dataset_destroy(&ds);
}
END_TEST

START_TEST(eval_linear_probe_rejects_non_finite_embedding)
{
    dataset_t ds;
    gs_score_t acc;

    dataset_init(&ds, true, 8);
    ds.emb->data[5 * DIM + 2] = NAN;
    ck_assert_int_eq(gs_eval_linear_probe(ds.emb, ds.labels, N_CLASSES, ds.split, NULL, &acc),
                     GS_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(gs_last_error(), "row 5 column 2"));
    dataset_destroy(&ds);
}
END_TEST

/* --- kfold-logreg ---------------------------------------------------------------------- */

START_TEST(eval_kfold_separable_above_095)
{
    dataset_t ds;
    gs_score_t micro, macro;

    dataset_init(&ds, true, 9);
    ck_assert_int_eq(gs_eval_kfold_logreg(ds.emb, ds.labels, N_CLASSES, 10, 0, &micro, &macro),
                     GS_OK);

    ck_assert_str_eq(micro.protocol, "kfold-logreg");
    ck_assert_int_eq(micro.runs, 10);
    ck_assert_double_gt(micro.mean, 0.95);
    ck_assert_double_gt(macro.mean, 0.95);
    dataset_destroy(&ds);
}
END_TEST

START_TEST(eval_kfold_random_labels_near_chance)
{
    dataset_t ds;
    gs_score_t micro, macro;

    dataset_init(&ds, false, 10);
    ck_assert_int_eq(gs_eval_kfold_logreg(ds.emb, ds.labels, N_CLASSES, 5, 0, &micro, &macro),
                     GS_OK);
    ck_assert_double_lt(micro.mean, 0.6);
    ck_assert_double_lt(macro.mean, 0.6);
    dataset_destroy(&ds);
}
END_TEST

START_TEST(eval_kfold_folds_stratified)
{
    /* Class sizes 23, 7 and 1, two unlabelled rows; 5 folds. */
    enum { N = 33, K = 5, C = 3 };
    int32_t labels[N], fold[N];
    int sizes[C] = {23, 7, 1};
    int counts[K][C] = {{0}};
    int total[K] = {0};

    for (int v = 0; v < N; v++) {
        labels[v] = v < 23 ? 0 : v < 30 ? 1 : v < 31 ? 2 : -1;
    }
    ck_assert_int_eq(gs_i_stratified_folds(labels, N, C, K, 5, fold), GS_OK);

    for (int v = 0; v < N; v++) {
        if (labels[v] < 0) {
            ck_assert_int_eq(fold[v], -1);
            continue;
        }
        ck_assert_int_ge(fold[v], 0);
        ck_assert_int_lt(fold[v], K);
        counts[fold[v]][labels[v]]++;
        total[fold[v]]++;
    }

    for (int f = 0; f < K; f++) {
        for (int c = 0; c < C; c++) {
            ck_assert_double_le(fabs(counts[f][c] - (double)sizes[c] / K), 1.0);
        }
        /* 31 labelled rows over 5 folds: 6 or 7 each. */
        ck_assert_int_ge(total[f], 6);
        ck_assert_int_le(total[f], 7);
    }
}
END_TEST

START_TEST(eval_kfold_shuffles_with_seed)
{
    enum { N = 40 };
    int32_t labels[N], a[N], b[N];

    for (int v = 0; v < N; v++) {
        labels[v] = v % 2;
    }
    ck_assert_int_eq(gs_i_stratified_folds(labels, N, 2, 4, 1, a), GS_OK);
    ck_assert_int_eq(gs_i_stratified_folds(labels, N, 2, 4, 2, b), GS_OK);
    ck_assert_int_ne(memcmp(a, b, sizeof a), 0);
}
END_TEST

START_TEST(eval_kfold_rejects_k_below_two)
{
    dataset_t ds;
    gs_score_t micro, macro;

    dataset_init(&ds, true, 11);
    ck_assert_int_eq(gs_eval_kfold_logreg(ds.emb, ds.labels, N_CLASSES, 1, 0, &micro, &macro),
                     GS_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(gs_last_error(), "k >= 2"));
    dataset_destroy(&ds);
}
END_TEST

START_TEST(eval_kfold_rejects_too_few_labelled_rows)
{
    dataset_t ds;
    gs_score_t micro, macro;

    dataset_init(&ds, true, 12);
    for (int v = 5; v < N_NODES; v++) {
        ds.labels[v] = -1;
    }
    ck_assert_int_eq(gs_eval_kfold_logreg(ds.emb, ds.labels, N_CLASSES, 10, 0, &micro, &macro),
                     GS_ERR_INVALID);
    ck_assert_str_eq(gs_last_error(), "kfold-logreg with k = 10 folds: expected at least 10 "
                     "labelled rows (one to test in each fold), found 5");
    dataset_destroy(&ds);
}
END_TEST

START_TEST(eval_f1_macro_matches_hand)
{
    /*
     * Class 0: tp 2, fp 0, fn 1 -> F1 = 4/5.  Class 1: tp 1, fp 1, fn 1 -> 1/2.
     * Class 2: tp 1, fp 1, fn 0 -> 2/3.  Class 3 appears nowhere and is left out.
     */
    int32_t truth[6] = {0, 0, 0, 1, 1, 2};
    int32_t pred[6] = {0, 0, 1, 1, 2, 2};
    double micro, macro;

    ck_assert_int_eq(gs_i_f1_scores(truth, pred, 6, 4, &micro, &macro), GS_OK);
    ck_assert_double_eq_tol(micro, 4.0 / 6.0, 1e-12);
    ck_assert_double_eq_tol(macro, (0.8 + 0.5 + 2.0 / 3.0) / 3.0, 1e-12);
}
END_TEST

START_TEST(eval_f1_counts_predicted_only_class)
{
    /* Class 1 is only predicted: F1 0, and it counts.  Class 0: tp 1, fn 1 -> 2/3. */
    int32_t truth[2] = {0, 0};
    int32_t pred[2] = {0, 1};
    double micro, macro;

    ck_assert_int_eq(gs_i_f1_scores(truth, pred, 2, 2, &micro, &macro), GS_OK);
    ck_assert_double_eq_tol(micro, 0.5, 1e-12);
    ck_assert_double_eq_tol(macro, 1.0 / 3.0, 1e-12);
}
END_TEST

/* --- link-auc and link-acc ------------------------------------------------------------- */

START_TEST(eval_auc_ties_counted_half)
{
    /* Pairs (pos, neg): (0.9, 0.5) 1, (0.9, 0.1) 1, (0.5, 0.5) 1/2, (0.5, 0.1) 1 -> 3.5/4.
     * AP: at 0.9, P 1 and R 1/2; at 0.5, P 2/3 and R 1 -> 1/2 + 1/3. */
    double pos[2] = {0.9, 0.5};
    double neg[2] = {0.5, 0.1};
    double auc, ap;

    ck_assert_int_eq(gs_eval_auc_ap(pos, 2, neg, 2, &auc, &ap), GS_OK);
    ck_assert_double_eq_tol(auc, 0.875, 1e-12);
    ck_assert_double_eq_tol(ap, 5.0 / 6.0, 1e-12);
}
END_TEST

START_TEST(eval_ap_matches_worked_example)
{
    /* scikit-learn's documented example: y = [0, 0, 1, 1], scores [0.1, 0.4, 0.35, 0.8]
     * give AP 0.8333 (and AUC 0.75). */
    double pos[2] = {0.35, 0.8};
    double neg[2] = {0.1, 0.4};
    double auc, ap;

    ck_assert_int_eq(gs_eval_auc_ap(pos, 2, neg, 2, &auc, &ap), GS_OK);
    ck_assert_double_eq_tol(ap, 5.0 / 6.0, 1e-12);
    ck_assert_double_eq_tol(auc, 0.75, 1e-12);
}
END_TEST

START_TEST(eval_ap_groups_tied_threshold)
{
    /* One tie group holding everything: P = 2/4 at R = 1, so AP 0.5; AUC 0.5.  Scoring the
     * tied positives one by one would give a different AP. */
    double pos[2] = {0.7, 0.7};
    double neg[2] = {0.7, 0.7};
    double auc, ap;

    ck_assert_int_eq(gs_eval_auc_ap(pos, 2, neg, 2, &auc, &ap), GS_OK);
    ck_assert_double_eq_tol(ap, 0.5, 1e-12);
    ck_assert_double_eq_tol(auc, 0.5, 1e-12);
}
END_TEST

START_TEST(eval_auc_ap_perfect_separation)
{
    double pos[3] = {0.8, 0.95, 0.7};
    double neg[4] = {0.1, 0.3, 0.69, 0.2};
    double auc, ap;

    ck_assert_int_eq(gs_eval_auc_ap(pos, 3, neg, 4, &auc, &ap), GS_OK);
    ck_assert_double_eq_tol(auc, 1.0, 1e-12);
    ck_assert_double_eq_tol(ap, 1.0, 1e-12);

    /* Reversed roles: every negative outscores every positive. */
    ck_assert_int_eq(gs_eval_auc_ap(neg, 4, pos, 3, &auc, &ap), GS_OK);
    ck_assert_double_eq_tol(auc, 0.0, 1e-12);
}
END_TEST

START_TEST(eval_auc_rejects_empty)
{
    double pos[1] = {0.5};
    double auc, ap, acc;

    ck_assert_int_eq(gs_eval_auc_ap(pos, 1, NULL, 0, &auc, &ap), GS_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(gs_last_error(), "one negative"));
    ck_assert_int_eq(gs_eval_link_accuracy(NULL, 0, pos, 1, &acc), GS_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(gs_last_error(), "at least one positive"));
}
END_TEST

START_TEST(eval_auc_rejects_nan)
{
    double pos[2] = {0.5, NAN};
    double neg[1] = {0.2};
    double auc, ap;

    ck_assert_int_eq(gs_eval_auc_ap(pos, 2, neg, 1, &auc, &ap), GS_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(gs_last_error(), "positive score 1 is NaN"));
}
END_TEST

START_TEST(eval_link_accuracy_median_threshold)
{
    /* Median of {0.3, 0.4, 0.5, 0.6, 0.7, 0.9} is 0.55: positives 0.9 and 0.6 and
     * negatives 0.5 and 0.3 are right, 0.4 and 0.7 wrong -> 4/6. */
    double pos[3] = {0.9, 0.6, 0.4};
    double neg[3] = {0.5, 0.3, 0.7};
    double acc;

    ck_assert_int_eq(gs_eval_link_accuracy(pos, 3, neg, 3, &acc), GS_OK);
    ck_assert_double_eq_tol(acc, 4.0 / 6.0, 1e-12);
}
END_TEST

START_TEST(eval_link_accuracy_ties_predicted_negative)
{
    /* Median of {0.1, 0.2, 0.5, 0.5, 0.8} is 0.5: the positive at 0.5 is wrong, the
     * negative at 0.5 right -> 4/5. */
    double pos[2] = {0.5, 0.8};
    double neg[3] = {0.5, 0.2, 0.1};
    double acc;

    ck_assert_int_eq(gs_eval_link_accuracy(pos, 2, neg, 3, &acc), GS_OK);
    ck_assert_double_eq_tol(acc, 0.8, 1e-12);
}
END_TEST

static Suite *eval_suite(void)
{
    Suite *s = suite_create("eval");
    TCase *probe = tcase_create("linear_probe");
    TCase *kfold = tcase_create("kfold");
    TCase *link = tcase_create("link");

    tcase_add_test(probe, eval_linear_probe_separable_above_095);
    tcase_add_test(probe, eval_linear_probe_random_labels_near_chance);
    tcase_add_test(probe, eval_linear_probe_same_seed_identical);
    tcase_add_test(probe, eval_linear_probe_rejects_missing_train);
    tcase_add_test(probe, eval_linear_probe_rejects_missing_test);
    tcase_add_test(probe, eval_linear_probe_rejects_label_out_of_range);
    tcase_add_test(probe, eval_linear_probe_rejects_non_finite_embedding);
    suite_add_tcase(s, probe);

    tcase_add_test(kfold, eval_kfold_separable_above_095);
    tcase_add_test(kfold, eval_kfold_random_labels_near_chance);
    tcase_add_test(kfold, eval_kfold_folds_stratified);
    tcase_add_test(kfold, eval_kfold_shuffles_with_seed);
    tcase_add_test(kfold, eval_kfold_rejects_k_below_two);
    tcase_add_test(kfold, eval_kfold_rejects_too_few_labelled_rows);
    tcase_add_test(kfold, eval_f1_macro_matches_hand);
    tcase_add_test(kfold, eval_f1_counts_predicted_only_class);
    suite_add_tcase(s, kfold);

    tcase_add_test(link, eval_auc_ties_counted_half);
    tcase_add_test(link, eval_ap_matches_worked_example);
    tcase_add_test(link, eval_ap_groups_tied_threshold);
    tcase_add_test(link, eval_auc_ap_perfect_separation);
    tcase_add_test(link, eval_auc_rejects_empty);
    tcase_add_test(link, eval_auc_rejects_nan);
    tcase_add_test(link, eval_link_accuracy_median_threshold);
    tcase_add_test(link, eval_link_accuracy_ties_predicted_negative);
    suite_add_tcase(s, link);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(eval_suite());
    int failed;

    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

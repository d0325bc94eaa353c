/*
 * kfold-logreg: stratified k-fold evaluation with a multinomial logistic regression, for
 * graphs that come without a train/test split (the airport networks of struc2vec).
 *
 * Folds: each class's rows are shuffled with the seed and dealt round-robin into the k
 * folds, the dealer carrying on from one class to the next, so every fold holds floor or
 * ceil of n_c / k rows of each class c and the fold sizes differ by at most one.
 *
 * Classifier: scikit-learn's LogisticRegression with its defaults (multinomial, L2 penalty
 * with C = 1 on the weights, unpenalized intercept), on features standardized with the
 * training part's mean and population std.  In the scaling scikit-learn minimizes,
 *   f(W, b) = 1/n sum_i CE(x_i W + b, y_i) + 1 / (2 C n) ||W||^2,
 * smooth and convex.  It is minimized with full-batch L-BFGS in double precision, the
 * solver scikit-learn uses: quasi-Newton steps reach the optimum in tens of iterations,
 * where first-order methods need hundreds and still stop short of it.
 */
#include "graphssl/eval.h"

#include <cblas.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common_internal.h"
#include "eval/eval_internal.h"

/* scikit-learn's default inverse regularization strength. */
#define LOGREG_C 1.0

/* L-BFGS: pairs kept, iteration cap (scikit-learn's max_iter), and the stopping tests on
 * the largest gradient entry and on the relative decrease of f (scipy's defaults). */
#define LBFGS_MEMORY 10
#define LBFGS_MAX_ITER 100
#define LBFGS_GTOL 1e-5
#define LBFGS_FTOL 2.2e-9

/* Backtracking line search: sufficient-decrease constant and number of halvings. */
#define ARMIJO_C1 1e-4
#define MAX_HALVINGS 40

/* The rows of one fold's training or test part, as doubles. */
typedef struct part {
    int n;
    double *x;       /* (n, D) */
    int32_t *y;      /* n labels */
} part_t;

/* The regularized softmax regression of one fold. */
typedef struct logreg {
    int d;
    int c;
    const part_t *train;
    double l2;       /* 1 / (C n) */
    double *z;       /* (max(n_train, n_test), C) logits, then dZ */
} logreg_t;

/* L-BFGS history: a ring of the last LBFGS_MEMORY (s, y) pairs. */
typedef struct lbfgs {
    int n_params;
    int n_pairs;
    int newest;
    double *s;       /* (LBFGS_MEMORY, n_params) steps w_{k+1} - w_k */
    double *y;       /* (LBFGS_MEMORY, n_params) gradient changes g_{k+1} - g_k */
    double rho[LBFGS_MEMORY];
    double alpha[LBFGS_MEMORY];
} lbfgs_t;

/* --- Folds ----------------------------------------------------------------------------- */

static void shuffle(int32_t *a, int n, gs_rng_t *rng)
{
    for (int i = n - 1; i > 0; i--) {
        int j = (int)gs_rng_below(rng, (uint32_t)i + 1);
        int32_t t = a[i];

        a[i] = a[j];
        a[j] = t;
    }
}

gs_status_t gs_i_stratified_folds(const int32_t *labels, int n, int n_classes, int k,
                                  uint64_t seed, int32_t *fold)
{
    int32_t *members = malloc((size_t)(n > 0 ? n : 1) * sizeof *members);
    int64_t dealt = 0;
    gs_rng_t rng;

    if (!members) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory for the folds of %d rows", n);
    }
    gs_rng_init(&rng, seed, 0);
    for (int i = 0; i < n; i++) {
        fold[i] = -1;
    }

    for (int c = 0; c < n_classes; c++) {
        int n_members = 0;

        for (int i = 0; i < n; i++) {
            if (labels[i] == c) {
                members[n_members++] = i;
            }
        }
        shuffle(members, n_members, &rng);
        for (int m = 0; m < n_members; m++) {
            fold[members[m]] = (int32_t)(dealt++ % k);
        }
    }
    free(members);
    return GS_OK;
}

/* --- One fold's data ------------------------------------------------------------------- */

static gs_status_t part_gather(part_t *p, const gs_tensor_t *emb, const int32_t *labels,
                               const int32_t *fold, int f, bool test)
{
    int d = emb->cols;
    int n = 0;

    for (int v = 0; v < emb->rows; v++) {
        n += fold[v] >= 0 && (fold[v] == f) == test;
    }
    p->n = n;
    p->x = malloc((size_t)(n > 0 ? n : 1) * (size_t)d * sizeof *p->x);
    p->y = malloc((size_t)(n > 0 ? n : 1) * sizeof *p->y);
    if (!p->x || !p->y) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory for %d x %d fold rows", n, d);
    }

    n = 0;
    for (int v = 0; v < emb->rows; v++) {
        if (fold[v] >= 0 && (fold[v] == f) == test) {
            for (int j = 0; j < d; j++) {
                p->x[(size_t)n * d + j] = emb->data[(size_t)v * d + j];
            }
            p->y[n++] = labels[v];
        }
    }
    return GS_OK;
}

static void part_destroy(part_t *p)
{
    free(p->x);
    free(p->y);
}

/* Centers and scales both parts' columns by the training part's mean and population std;
 * a constant column keeps scale 1, as in scikit-learn's StandardScaler. */
static void standardize(part_t *train, part_t *test, int d)
{
    for (int j = 0; j < d; j++) {
        double sum = 0.0;
        double sq = 0.0;
        double mean, std;

        for (int i = 0; i < train->n; i++) {
            sum += train->x[(size_t)i * d + j];
        }
        mean = sum / train->n;
        for (int i = 0; i < train->n; i++) {
            double dev = train->x[(size_t)i * d + j] - mean;

            sq += dev * dev;
        }
        std = sqrt(sq / train->n);
        std = std > 0.0 ? std : 1.0;

        for (int i = 0; i < train->n; i++) {
            train->x[(size_t)i * d + j] = (train->x[(size_t)i * d + j] - mean) / std;
        }
        for (int i = 0; i < test->n; i++) {
            test->x[(size_t)i * d + j] = (test->x[(size_t)i * d + j] - mean) / std;
        }
    }
}

/* --- The objective --------------------------------------------------------------------- */

/* z = X W + b for the n rows of x; w holds W (D, C) then b (C). */
static void logreg_logits(logreg_t *lr, const double *w, const double *x, int n)
{
    const double *b = w + (size_t)lr->d * lr->c;

    /* (n, D) x (D, C) -> (n, C) */
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, lr->c, lr->d, 1.0, x, lr->d,
                w, lr->c, 0.0, lr->z, lr->c);
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < lr->c; j++) {
            lr->z[(size_t)i * lr->c + j] += b[j];
        }
    }
}

/* Replaces one row of logits by scale * d(-log softmax(z)[y])/dz = scale * (softmax -
 * onehot) and returns -log softmax(z)[y]. */
static double softmax_xent_row(double *z, int32_t y, int c, double scale)
{
    double max = z[0];
    double sum = 0.0;
    double lse, loss;

    for (int j = 1; j < c; j++) {
        max = z[j] > max ? z[j] : max;
    }
    for (int j = 0; j < c; j++) {
        sum += exp(z[j] - max);
    }
    lse = max + log(sum);
    loss = lse - z[y];

    for (int j = 0; j < c; j++) {
        z[j] = scale * exp(z[j] - lse);
    }
    z[y] -= scale;
    return loss;
}

/* f(w) as in the file header, and its gradient into grad (same layout as w). */
static double logreg_objective(logreg_t *lr, const double *w, double *grad)
{
    const part_t *t = lr->train;
    int n_w = lr->d * lr->c;
    double loss = 0.0;

    logreg_logits(lr, w, t->x, t->n);
    for (int i = 0; i < t->n; i++) {
        loss += softmax_xent_row(lr->z + (size_t)i * lr->c, t->y[i], lr->c, 1.0 / t->n);
    }

    /* dW = l2 W + X^T dZ   (D, n) x (n, C) -> (D, C) */
    memcpy(grad, w, (size_t)n_w * sizeof *grad);
    cblas_dscal(n_w, lr->l2, grad, 1);
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, lr->d, lr->c, t->n, 1.0, t->x,
                lr->d, lr->z, lr->c, 1.0, grad, lr->c);

    /* db = column sums of dZ; the intercept is not penalized. */
    for (int j = 0; j < lr->c; j++) {
        double sum = 0.0;

        for (int i = 0; i < t->n; i++) {
            sum += lr->z[(size_t)i * lr->c + j];
        }
        grad[n_w + j] = sum;
    }
    return loss / t->n + 0.5 * lr->l2 * cblas_ddot(n_w, w, 1, w, 1);
}

/* --- L-BFGS ---------------------------------------------------------------------------- */

/* d = -H g by the two-loop recursion over the stored pairs (Nocedal & Wright, alg. 7.4),
 * with the initial Hessian scaled by s'y / y'y of the newest pair. */
static void lbfgs_direction(lbfgs_t *m, const double *g, double *d)
{
    int p = m->n_params;

    for (int i = 0; i < p; i++) {
        d[i] = -g[i];
    }
    for (int k = 0; k < m->n_pairs; k++) {
        int slot = (m->newest - k + LBFGS_MEMORY) % LBFGS_MEMORY;
        double *s = m->s + (size_t)slot * p, *y = m->y + (size_t)slot * p;

        m->alpha[slot] = m->rho[slot] * cblas_ddot(p, s, 1, d, 1);
        cblas_daxpy(p, -m->alpha[slot], y, 1, d, 1);
    }

    if (m->n_pairs > 0) {
        double *y = m->y + (size_t)m->newest * p;

        cblas_dscal(p, 1.0 / (m->rho[m->newest] * cblas_ddot(p, y, 1, y, 1)), d, 1);
    }

    for (int k = m->n_pairs - 1; k >= 0; k--) {
        int slot = (m->newest - k + LBFGS_MEMORY) % LBFGS_MEMORY;
        double *s = m->s + (size_t)slot * p, *y = m->y + (size_t)slot * p;
        double beta = m->rho[slot] * cblas_ddot(p, y, 1, d, 1);

        cblas_daxpy(p, m->alpha[slot] - beta, s, 1, d, 1);
    }
}

/* Stores s = w_new - w and y = g_new - g, skipping pairs without positive curvature, which
 * would make the inverse Hessian estimate indefinite. */
static void lbfgs_push(lbfgs_t *m, const double *w_new, const double *w, const double *g_new,
                       const double *g)
{
    int p = m->n_params;
    int slot = (m->newest + 1) % LBFGS_MEMORY;
    double *s = m->s + (size_t)slot * p, *y = m->y + (size_t)slot * p;
    double sy;

    for (int i = 0; i < p; i++) {
        s[i] = w_new[i] - w[i];
        y[i] = g_new[i] - g[i];
    }
    sy = cblas_ddot(p, s, 1, y, 1);
    if (!(sy > 1e-10 * cblas_ddot(p, y, 1, y, 1))) {
        return;
    }

    m->rho[slot] = 1.0 / sy;
    m->newest = slot;
    m->n_pairs += m->n_pairs < LBFGS_MEMORY;
}

/* Backtracks from step along d until f decreases enough (Armijo); false if it never does,
 * which at this precision means w is already optimal. */
static bool line_search(logreg_t *lr, const double *w, const double *d, double f,
                        double slope, double step, double *w_new, double *g_new,
                        double *f_new, int p)
{
    for (int h = 0; h < MAX_HALVINGS; h++) {
        for (int i = 0; i < p; i++) {
            w_new[i] = w[i] + step * d[i];
        }
        *f_new = logreg_objective(lr, w_new, g_new);
        if (*f_new <= f + ARMIJO_C1 * step * slope) {
            return true;
        }
        step *= 0.5;
    }
    return false;
}

static double max_abs(const double *g, int p)
{
    return fabs(g[cblas_idamax(p, g, 1)]);
}

/* Minimizes f from w = 0 with the buffers in work (5 vectors and the history). */
static void lbfgs_minimize(logreg_t *lr, double *w, double *work, int p)
{
    double *g = work, *g_new = work + p, *w_new = work + 2 * (size_t)p;
    double *d = work + 3 * (size_t)p;
    lbfgs_t m = {.n_params = p, .newest = LBFGS_MEMORY - 1};
    double f, f_new;

    m.s = work + 4 * (size_t)p;
    m.y = m.s + (size_t)LBFGS_MEMORY * p;
    memset(w, 0, (size_t)p * sizeof *w);
    f = logreg_objective(lr, w, g);

    for (int iter = 0; iter < LBFGS_MAX_ITER && max_abs(g, p) > LBFGS_GTOL; iter++) {
        double slope, step;
        bool small_decrease;

        lbfgs_direction(&m, g, d);
        slope = cblas_ddot(p, g, 1, d, 1);
        if (!(slope < 0.0)) {
            /* Not a descent direction: forget the history and use steepest descent. */
            m.n_pairs = 0;
            lbfgs_direction(&m, g, d);
            slope = cblas_ddot(p, g, 1, d, 1);
        }

        /* Without curvature pairs yet, the first step is scaled to unit length. */
        step = m.n_pairs > 0 ? 1.0 : fmin(1.0, 1.0 / sqrt(-slope));
        if (!line_search(lr, w, d, f, slope, step, w_new, g_new, &f_new, p)) {
            break;
        }

        lbfgs_push(&m, w_new, w, g_new, g);
        small_decrease = f - f_new <= LBFGS_FTOL * fmax(fmax(fabs(f), fabs(f_new)), 1.0);
        memcpy(w, w_new, (size_t)p * sizeof *w);
        memcpy(g, g_new, (size_t)p * sizeof *g);
        f = f_new;
        if (small_decrease) {
            break;
        }
    }
}

/* --- One fold -------------------------------------------------------------------------- */

/* Trains on train, predicts test into pred (argmax, first class on ties). */
static gs_status_t logreg_fit_predict(const part_t *train, const part_t *test, int d, int c,
                                      int32_t *pred)
{
    int p = (d + 1) * c;
    int max_rows = train->n > test->n ? train->n : test->n;
    double *w = malloc((size_t)p * sizeof *w);
    double *work = malloc((size_t)p * (4 + 2 * LBFGS_MEMORY) * sizeof *work);
    double *z = malloc((size_t)max_rows * (size_t)c * sizeof *z);
    logreg_t lr = {.d = d, .c = c, .train = train, .z = z};

    if (!w || !work || !z) {
        free(w);
        free(work);
        free(z);
        return gs_i_error(GS_ERR_NOMEM, "out of memory for a %d x %d logistic regression",
                          d, c);
    }
    lr.l2 = 1.0 / (LOGREG_C * train->n);
    lbfgs_minimize(&lr, w, work, p);

    logreg_logits(&lr, w, test->x, test->n);
    for (int i = 0; i < test->n; i++) {
        const double *row = z + (size_t)i * c;
        int best = 0;

        for (int j = 1; j < c; j++) {
            best = row[j] > row[best] ? j : best;
        }
        pred[i] = best;
    }

    free(w);
    free(work);
    free(z);
    return GS_OK;
}

static gs_status_t fold_evaluate(const gs_tensor_t *emb, const int32_t *labels,
                                 const int32_t *fold, int f, int n_classes, double *micro,
                                 double *macro)
{
    part_t train = {0};
    part_t test = {0};
    int32_t *pred = NULL;
    gs_status_t status;

    status = part_gather(&train, emb, labels, fold, f, false);
    if (status == GS_OK) {
        status = part_gather(&test, emb, labels, fold, f, true);
    }
    if (status == GS_OK) {
        pred = malloc((size_t)(test.n > 0 ? test.n : 1) * sizeof *pred);
        status = pred ? GS_OK : gs_i_error(GS_ERR_NOMEM, "out of memory for predictions");
    }

    if (status == GS_OK) {
        standardize(&train, &test, emb->cols);
        status = logreg_fit_predict(&train, &test, emb->cols, n_classes, pred);
    }
    if (status == GS_OK) {
        status = gs_i_f1_scores(test.y, pred, test.n, n_classes, micro, macro);
    }

    part_destroy(&train);
    part_destroy(&test);
    free(pred);
    return status;
}

/* --- The protocol ---------------------------------------------------------------------- */

static gs_status_t check_k(const int32_t *labels, int n, int k)
{
    int n_labelled = 0;

    if (k < 2) {
        return gs_i_error(GS_ERR_INVALID, "k-fold needs k >= 2 folds, found k = %d", k);
    }
    for (int v = 0; v < n; v++) {
        n_labelled += labels[v] >= 0;
    }
    if (n_labelled < k) {
        return gs_i_error(GS_ERR_INVALID, "kfold-logreg with k = %d folds: expected at "
                          "least %d labelled rows (one to test in each fold), found %d", k, k,
                          n_labelled);
    }
    return GS_OK;
}

gs_status_t gs_eval_kfold_logreg(const gs_tensor_t *emb, const int32_t *labels,
                                 int n_classes, int k, uint64_t seed, gs_score_t *micro_f1,
                                 gs_score_t *macro_f1)
{
    int32_t *fold;
    double *scores;
    gs_status_t status;

    GS_TRY(gs_i_eval_check_inputs(emb, labels, n_classes));
    GS_TRY(check_k(labels, emb->rows, k));

    fold = malloc((size_t)emb->rows * sizeof *fold);
    scores = malloc(2 * (size_t)k * sizeof *scores);
    if (!fold || !scores) {
        free(fold);
        free(scores);
        return gs_i_error(GS_ERR_NOMEM, "out of memory for %d folds", k);
    }

    /* scores holds the k micro-F1 values, then the k macro-F1 values. */
    status = gs_i_stratified_folds(labels, emb->rows, n_classes, k, seed, fold);
    for (int f = 0; f < k && status == GS_OK; f++) {
        status = fold_evaluate(emb, labels, fold, f, n_classes, &scores[f], &scores[k + f]);
    }
    if (status == GS_OK) {
        gs_i_score_from_runs(micro_f1, "kfold-logreg", scores, k);
        gs_i_score_from_runs(macro_f1, "kfold-logreg", scores + k, k);
    }

    free(fold);
    free(scores);
    return status;
}

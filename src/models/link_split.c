/*
 * The link-auc edge split (see graphssl/link.h), after mask_test_edges() in Kipf & Welling's
 * gae/preprocessing.py, without its two weaknesses: membership tests are a binary search
 * in the sorted CSR neighbour lists plus a hash set of the held-out pairs (the original
 * compares every candidate with every edge, which runs out of memory at a few thousand
 * nodes), and no negative can equal a held-out edge or another negative.
 */
#include "graphssl/link.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common_internal.h"
#include "graphssl/eval.h"
#include "io/text_internal.h"

/* Random streams of the split, apart from those the models draw from the same seed. */
#define STREAM_HOLD_OUT 0x6c696e6b00000001ULL
#define STREAM_NEGATIVES 0x6c696e6b00000002ULL

/* --- Pair lists --------------------------------------------------------------------- */

static gs_status_t pairs_alloc(gs_pairs_t *p, int64_t n)
{
    size_t bytes = (size_t)(n > 0 ? n : 1) * sizeof(int32_t);

    p->n = 0;
    p->u = malloc(bytes);
    p->v = malloc(bytes);
    if (!p->u || !p->v) {
        gs_pairs_destroy(p);
        return gs_i_error(GS_ERR_NOMEM, "out of memory for %lld node pairs", (long long)n);
    }
    return GS_OK;
}

/* Appends (u, v) as (min, max); the list was allocated large enough. */
static void pairs_push(gs_pairs_t *p, int32_t u, int32_t v)
{
    p->u[p->n] = u < v ? u : v;
    p->v[p->n] = u < v ? v : u;
    p->n++;
}

void gs_pairs_destroy(gs_pairs_t *p)
{
    free(p->u);
    free(p->v);
    memset(p, 0, sizeof *p);
}

void gs_link_split_init(gs_link_split_t *s)
{
    memset(s, 0, sizeof *s);
}

void gs_link_split_destroy(gs_link_split_t *s)
{
    gs_pairs_destroy(&s->train);
    gs_pairs_destroy(&s->val);
    gs_pairs_destroy(&s->val_neg);
    gs_pairs_destroy(&s->test);
    gs_pairs_destroy(&s->test_neg);
}

/* --- A set of node pairs ------------------------------------------------------------ */

/* Open addressing with linear probing over keys u * N + v + 1 (u < v), so 0 marks a free
 * slot.  Kept at most half full. */
typedef struct pair_set {
    uint64_t *slots;
    uint64_t mask;
    int64_t count;
    uint64_t n_nodes;
} pair_set_t;

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static gs_status_t set_init(pair_set_t *s, int n_nodes, int64_t max_count)
{
    uint64_t cap = 16;

    while (cap < 2 * (uint64_t)max_count) {
        cap *= 2;
    }
    s->slots = calloc(cap, sizeof *s->slots);
    s->mask = cap - 1;
    s->count = 0;
    s->n_nodes = (uint64_t)n_nodes;
    if (!s->slots) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory for a set of %lld node pairs",
                          (long long)max_count);
    }
    return GS_OK;
}

static void set_destroy(pair_set_t *s)
{
    free(s->slots);
    s->slots = NULL;
}

static uint64_t pair_key(const pair_set_t *s, int32_t u, int32_t v)
{
    uint64_t a = (uint64_t)(u < v ? u : v), b = (uint64_t)(u < v ? v : u);

    return a * s->n_nodes + b + 1;
}

/* The slot holding key, or the free slot where it would go. */
static uint64_t *set_slot(const pair_set_t *s, uint64_t key)
{
    uint64_t i = mix64(key) & s->mask;

    while (s->slots[i] != 0 && s->slots[i] != key) {
        i = (i + 1) & s->mask;
    }
    return &s->slots[i];
}

static bool set_contains(const pair_set_t *s, int32_t u, int32_t v)
{
    return *set_slot(s, pair_key(s, u, v)) != 0;
}

/* Adds (u, v); false when it was already there.  The caller sized the set for it. */
static bool set_insert(pair_set_t *s, int32_t u, int32_t v)
{
    uint64_t key = pair_key(s, u, v);
    uint64_t *slot = set_slot(s, key);

    if (*slot == key) {
        return false;
    }
    *slot = key;
    s->count++;
    return true;
}

/* --- Membership in the graph -------------------------------------------------------- */

static bool is_edge(const gs_csr_t *adj, int32_t u, int32_t v)
{
    int64_t lo = adj->indptr[u], hi = adj->indptr[u + 1];

    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;

        if (adj->indices[mid] == v) {
            return true;
        }
        if (adj->indices[mid] < v) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return false;
}

/* --- Completing a split ------------------------------------------------------------- */

/* What completion needs to know about true edges and pairs already taken. */
typedef struct split_state {
    const gs_graph_t *g;
    pair_set_t held;       /* val and test edges */
    int64_t held_absent;   /* held pairs that are not edges of g (given in files) */
    pair_set_t taken;      /* negatives given or drawn so far */
} split_state_t;

static bool is_true_edge(const split_state_t *st, int32_t u, int32_t v)
{
    return is_edge(st->g->adj, u, v) || set_contains(&st->held, u, v);
}

/* Holds (u, v) out, counting it when g does not have it. */
static void hold(split_state_t *st, int32_t u, int32_t v)
{
    if (set_insert(&st->held, u, v) && !is_edge(st->g->adj, u, v)) {
        st->held_absent++;
    }
}

/* Puts val and test into the held set; an edge in both is refused. */
static gs_status_t hold_out(split_state_t *st, const gs_link_split_t *s)
{
    const gs_graph_t *g = st->g;

    for (int64_t i = 0; i < s->val.n; i++) {
        hold(st, s->val.u[i], s->val.v[i]);
    }
    for (int64_t i = 0; i < s->test.n; i++) {
        if (set_contains(&st->held, s->test.u[i], s->test.v[i])) {
            return gs_i_error(GS_ERR_INVALID, "edge %s %s is both a validation and a test edge",
                              g->names[s->test.u[i]], g->names[s->test.v[i]]);
        }
    }
    for (int64_t i = 0; i < s->test.n; i++) {
        hold(st, s->test.u[i], s->test.v[i]);
    }
    return GS_OK;
}

/* Every undirected edge of g that is not held out. */
static gs_status_t collect_train(const split_state_t *st, gs_pairs_t *train)
{
    const gs_csr_t *adj = st->g->adj;

    GS_TRY(pairs_alloc(train, st->g->n_edges));
    for (int32_t u = 0; u < adj->n_rows; u++) {
        for (int64_t e = adj->indptr[u]; e < adj->indptr[u + 1]; e++) {
            int32_t v = adj->indices[e];

            if (v > u && !set_contains(&st->held, u, v)) {
                pairs_push(train, u, v);
            }
        }
    }
    return GS_OK;
}

/* Given negatives must be non-edges; they are also kept from being drawn again. */
static gs_status_t take_given(split_state_t *st, const gs_pairs_t *neg, const gs_pairs_t *pos,
                              const char *what)
{
    const gs_graph_t *g = st->g;

    if (neg->n > 0 && pos->n == 0) {
        return gs_i_error(GS_ERR_INVALID, "%s negatives were given without %s edges", what,
                          what);
    }
    for (int64_t i = 0; i < neg->n; i++) {
        int32_t u = neg->u[i], v = neg->v[i];

        if (is_true_edge(st, u, v)) {
            return gs_i_error(GS_ERR_INVALID, "%s negative %s %s is an edge of the graph",
                              what, g->names[u], g->names[v]);
        }
        set_insert(&st->taken, u, v);
    }
    return GS_OK;
}

/* Draws n uniform non-edges u != v that are neither true edges nor taken. */
static gs_status_t draw_negatives(split_state_t *st, int64_t n, gs_rng_t *rng, gs_pairs_t *out)
{
    uint32_t n_nodes = (uint32_t)st->g->n_nodes;

    GS_TRY(pairs_alloc(out, n));
    while (out->n < n) {
        int32_t u = (int32_t)gs_rng_below(rng, n_nodes);
        int32_t v = (int32_t)gs_rng_below(rng, n_nodes);

        if (u == v || is_true_edge(st, u, v) || !set_insert(&st->taken, u, v)) {
            continue;
        }
        pairs_push(out, u, v);
    }
    return GS_OK;
}

/* Rejection sampling ends only when enough non-edges exist; count them first. */
static gs_status_t check_room(const split_state_t *st, int64_t n_wanted)
{
    double n = st->g->n_nodes;
    double n_pairs = 0.5 * n * (n - 1.0);
    double n_free = n_pairs - (double)st->g->n_edges - (double)st->held_absent -
                    (double)st->taken.count;

    if ((double)n_wanted > n_free) {
        return gs_i_error(GS_ERR_INVALID,
                          "the graph has %.0f node pairs that are not edges, fewer than the "
                          "%lld negatives the split needs", n_free, (long long)n_wanted);
    }
    return GS_OK;
}

static gs_status_t check_graph(const gs_graph_t *g)
{
    if (g->directed) {
        return gs_i_error(GS_ERR_UNSUPPORTED,
                          "link-auc splits undirected edges; the graph was loaded directed");
    }
    if (g->n_nodes < 2) {
        return gs_i_error(GS_ERR_INVALID, "a link split needs at least 2 nodes, found %d",
                          g->n_nodes);
    }
    return GS_OK;
}

static gs_status_t complete_with(split_state_t *st, uint64_t seed, gs_link_split_t *s)
{
    gs_rng_t rng;
    int64_t n_test = s->test_neg.n ? 0 : s->test.n;
    int64_t n_val = s->val_neg.n ? 0 : s->val.n;

    GS_TRY(hold_out(st, s));
    GS_TRY(take_given(st, &s->test_neg, &s->test, "test"));
    GS_TRY(take_given(st, &s->val_neg, &s->val, "validation"));
    GS_TRY(check_room(st, n_test + n_val));

    gs_pairs_destroy(&s->train);
    GS_TRY(collect_train(st, &s->train));

    /* Test negatives first, so a given test set keeps its negatives when validation is
     * added or removed. */
    gs_rng_init(&rng, seed, STREAM_NEGATIVES);
    if (n_test > 0) {
        GS_TRY(draw_negatives(st, n_test, &rng, &s->test_neg));
    }
    if (n_val > 0) {
        GS_TRY(draw_negatives(st, n_val, &rng, &s->val_neg));
    }
    return GS_OK;
}

gs_status_t gs_link_split_complete(const gs_graph_t *g, uint64_t seed, gs_link_split_t *s)
{
    int64_t n_held = s->val.n + s->test.n;
    int64_t n_neg = s->val.n + s->test.n + s->val_neg.n + s->test_neg.n;
    split_state_t st = {.g = g};
    gs_status_t status;

    GS_TRY(check_graph(g));
    s->n_nodes = g->n_nodes;
    status = set_init(&st.held, g->n_nodes, n_held);
    if (status == GS_OK) {
        status = set_init(&st.taken, g->n_nodes, n_neg);
    }
    if (status == GS_OK) {
        status = complete_with(&st, seed, s);
    }
    set_destroy(&st.held);
    set_destroy(&st.taken);
    return status;
}

/* --- Drawing a split ---------------------------------------------------------------- */

/* The undirected edge of each CSR entry with u < v, numbered in CSR order. */
static gs_status_t list_edges(const gs_graph_t *g, gs_pairs_t *edges)
{
    const gs_csr_t *adj = g->adj;

    GS_TRY(pairs_alloc(edges, g->n_edges));
    for (int32_t u = 0; u < adj->n_rows; u++) {
        for (int64_t e = adj->indptr[u]; e < adj->indptr[u + 1]; e++) {
            if (adj->indices[e] > u) {
                pairs_push(edges, u, adj->indices[e]);
            }
        }
    }
    return GS_OK;
}

/* Copies the edges whose role is `role` into out, in edge order. */
static gs_status_t select_edges(const gs_pairs_t *edges, const uint8_t *roles, uint8_t role,
                                int64_t n, gs_pairs_t *out)
{
    GS_TRY(pairs_alloc(out, n));
    for (int64_t e = 0; e < edges->n; e++) {
        if (roles[e] == role) {
            pairs_push(out, edges->u[e], edges->v[e]);
        }
    }
    return GS_OK;
}

enum { ROLE_TRAIN = 0, ROLE_VAL, ROLE_TEST };

/* A uniformly random n_val + n_test of the edges are held out: the first n_val of a random
 * permutation for validation, the next n_test for test. */
static gs_status_t hold_out_random(const gs_pairs_t *edges, int64_t n_val, int64_t n_test,
                                   uint64_t seed, gs_link_split_t *s)
{
    int32_t *perm = malloc((size_t)(edges->n > 0 ? edges->n : 1) * sizeof *perm);
    uint8_t *roles = calloc((size_t)(edges->n > 0 ? edges->n : 1), 1);
    gs_status_t status = GS_OK;
    gs_rng_t rng;

    if (!perm || !roles) {
        status = gs_i_error(GS_ERR_NOMEM, "out of memory splitting %lld edges",
                            (long long)edges->n);
        goto done;
    }
    gs_rng_init(&rng, seed, STREAM_HOLD_OUT);
    gs_rng_permutation(&rng, perm, (int)edges->n);
    for (int64_t i = 0; i < n_val + n_test; i++) {
        roles[perm[i]] = i < n_val ? ROLE_VAL : ROLE_TEST;
    }

    status = select_edges(edges, roles, ROLE_VAL, n_val, &s->val);
    if (status == GS_OK) {
        status = select_edges(edges, roles, ROLE_TEST, n_test, &s->test);
    }

done:
    free(perm);
    free(roles);
    return status;
}

static gs_status_t check_fractions(const gs_graph_t *g, double val_fraction,
                                   double test_fraction)
{
    if (!(val_fraction >= 0.0 && test_fraction >= 0.0 && val_fraction + test_fraction < 1.0)) {
        return gs_i_error(GS_ERR_INVALID,
                          "expected validation and test fractions in [0, 1) summing below 1, "
                          "found %g and %g", val_fraction, test_fraction);
    }
    if (g->n_edges > INT32_MAX) {
        return gs_i_error(GS_ERR_UNSUPPORTED, "splitting %lld edges; at most %d are supported",
                          (long long)g->n_edges, INT32_MAX);
    }
    return GS_OK;
}

gs_status_t gs_link_split_draw(const gs_graph_t *g, double val_fraction, double test_fraction,
                               uint64_t seed, gs_link_split_t *out)
{
    gs_pairs_t edges = {0};
    gs_status_t status;
    int64_t n_val, n_test;

    GS_TRY(check_graph(g));
    GS_TRY(check_fractions(g, val_fraction, test_fraction));
    gs_link_split_destroy(out);

    /* floor(E / 20) and floor(E / 10) for the protocol's fractions, as the original. */
    n_val = (int64_t)floor((double)g->n_edges * val_fraction + 1e-9);
    n_test = (int64_t)floor((double)g->n_edges * test_fraction + 1e-9);

    status = list_edges(g, &edges);
    if (status == GS_OK) {
        status = hold_out_random(&edges, n_val, n_test, seed, out);
    }
    gs_pairs_destroy(&edges);
    if (status == GS_OK) {
        status = gs_link_split_complete(g, seed, out);
    }
    if (status != GS_OK) {
        gs_link_split_destroy(out);
    }
    return status;
}

/* --- Files -------------------------------------------------------------------------- */

static gs_status_t parse_pair(const gs_graph_t *g, const gs_i_text_t *t, int32_t *u,
                              int32_t *v)
{
    if (t->n_tok != 2) {
        return gs_i_error(GS_ERR_PARSE, "%s:%ld: expected 2 columns (u v), found %d", t->name,
                          t->line, t->n_tok);
    }
    *u = gs_graph_find_node(g, t->tok[0]);
    *v = gs_graph_find_node(g, t->tok[1]);
    if (*u < 0 || *v < 0) {
        return gs_i_error(GS_ERR_PARSE, "%s:%ld: unknown node '%s'", t->name, t->line,
                          t->tok[*u < 0 ? 0 : 1]);
    }
    if (*u == *v) {
        return gs_i_error(GS_ERR_PARSE, "%s:%ld: expected two different nodes, found '%s' twice",
                          t->name, t->line, t->tok[0]);
    }
    return GS_OK;
}

/* Appends one pair, growing the lists geometrically. */
static gs_status_t pairs_append(gs_pairs_t *p, int64_t *cap, int32_t u, int32_t v)
{
    if (p->n == *cap) {
        int64_t new_cap = *cap ? 2 * *cap : 1024;
        int32_t *nu = realloc(p->u, (size_t)new_cap * sizeof *nu);
        int32_t *nv = nu ? realloc(p->v, (size_t)new_cap * sizeof *nv) : NULL;

        if (nu) {
            p->u = nu;
        }
        if (!nv) {
            return gs_i_error(GS_ERR_NOMEM, "out of memory for %lld node pairs",
                              (long long)new_cap);
        }
        p->v = nv;
        *cap = new_cap;
    }
    pairs_push(p, u, v);
    return GS_OK;
}

gs_status_t gs_pairs_load(const gs_graph_t *g, const char *path, gs_pairs_t *out)
{
    gs_status_t status;
    int64_t cap = 0;
    gs_i_text_t t;

    memset(out, 0, sizeof *out);
    GS_TRY(gs_i_text_open(&t, path, GS_I_TEXT_WORDS));
    while ((status = gs_i_text_next(&t)) == GS_OK && t.n_tok > 0) {
        int32_t u = 0, v = 0;

        status = parse_pair(g, &t, &u, &v);
        if (status == GS_OK) {
            status = pairs_append(out, &cap, u, v);
        }
        if (status != GS_OK) {
            break;
        }
    }
    gs_i_text_close(&t);
    if (status != GS_OK) {
        gs_pairs_destroy(out);
    }
    return status;
}

/* Writes p into the open temporary file fd and closes it; false on a write error. */
static bool write_pairs_to(int fd, const gs_graph_t *g, const gs_pairs_t *p, const char *what)
{
    FILE *f = fdopen(fd, "w");
    bool ok;

    if (!f) {
        close(fd);
        return false;
    }

    /* mkstemp creates the file private (0600); a split is ordinary output. */
    ok = fchmod(fd, 0644) == 0;
    fprintf(f, "# link-auc %s: %lld pairs\n", what, (long long)p->n);
    for (int64_t i = 0; i < p->n; i++) {
        fprintf(f, "%s %s\n", g->names[p->u[i]], g->names[p->v[i]]);
    }
    ok = !ferror(f) && ok;
    return fclose(f) == 0 && ok;
}

/*
 * Writes p to path atomically: into a new temporary file beside it, renamed over it.  The
 * temporary's name is unique (mkstemp), so that nothing already there under a predictable
 * name, a symbolic link in particular, is written through.  rename() would replace a FIFO or
 * a link rather than the file behind it, so only a regular file is replaced.
 */
static gs_status_t write_pairs(const gs_graph_t *g, const gs_pairs_t *p, const char *path,
                               const char *what)
{
    char *tmp;
    int fd, saved_errno;
    bool ok;

    GS_TRY(gs_i_check_replaceable(path));
    if (asprintf(&tmp, "%s.XXXXXX", path) < 0) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory writing %s", path);
    }
    fd = mkstemp(tmp);
    ok = fd >= 0 && write_pairs_to(fd, g, p, what) && rename(tmp, path) == 0;
    saved_errno = errno;
    if (!ok && fd >= 0) {
        unlink(tmp);
    }
    free(tmp);
    return ok ? GS_OK
              : gs_i_error(GS_ERR_IO, "cannot write %s: %s", path, strerror(saved_errno));
}

gs_status_t gs_link_split_save(const gs_graph_t *g, const gs_link_split_t *s, const char *dir)
{
    const gs_pairs_t *lists[] = {&s->train, &s->val, &s->val_neg, &s->test, &s->test_neg};
    const char *files[] = {GS_LINK_TRAIN_FILE, GS_LINK_VAL_FILE, GS_LINK_VAL_NEG_FILE,
                           GS_LINK_TEST_FILE, GS_LINK_TEST_NEG_FILE};
    const char *what[] = {"train edges", "validation edges", "validation negatives",
                          "test edges", "test negatives"};

    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        return gs_i_error(GS_ERR_IO, "cannot create directory %s: %s", dir, strerror(errno));
    }
    for (int i = 0; i < 5; i++) {
        char *path = NULL;
        gs_status_t status;

        if (asprintf(&path, "%s/%s", dir, files[i]) < 0) {
            return gs_i_error(GS_ERR_NOMEM, "out of memory writing the split");
        }
        status = write_pairs(g, lists[i], path, what[i]);
        free(path);
        GS_TRY(status);
    }
    return GS_OK;
}

/* --- The encoder's adjacency -------------------------------------------------------- */

static int compare_int32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

    return (x > y) - (x < y);
}

/* Row r's neighbours are in order when the train pairs are sorted, as drawn splits are;
 * other rows are sorted here. */
static void sort_rows(gs_csr_t *a)
{
    #pragma omp parallel for schedule(dynamic, 1024) if (a->n_rows >= 4096)
    for (int r = 0; r < a->n_rows; r++) {
        int32_t *idx = a->indices + a->indptr[r];
        int64_t len = a->indptr[r + 1] - a->indptr[r];
        bool sorted = true;

        for (int64_t k = 1; k < len && sorted; k++) {
            sorted = idx[k - 1] < idx[k];
        }
        if (!sorted) {
            qsort(idx, (size_t)len, sizeof *idx, compare_int32);
        }
    }
}

gs_status_t gs_link_split_train_adjacency(const gs_link_split_t *s, gs_csr_t **out)
{
    const gs_pairs_t *p = &s->train;
    gs_csr_t *a = gs_csr_new(s->n_nodes, s->n_nodes, 2 * p->n);
    int64_t *fill;

    if (!a || !(fill = malloc(((size_t)s->n_nodes + 1) * sizeof *fill))) {
        gs_csr_free(a);
        return gs_i_error(GS_ERR_NOMEM, "out of memory for the train adjacency");
    }
    for (int64_t i = 0; i < p->n; i++) {
        a->indptr[p->u[i] + 1]++;
        a->indptr[p->v[i] + 1]++;
    }
    for (int r = 0; r < s->n_nodes; r++) {
        a->indptr[r + 1] += a->indptr[r];
    }
    memcpy(fill, a->indptr, ((size_t)s->n_nodes + 1) * sizeof *fill);

    /* Lower neighbours first, then upper ones, so sorted pairs give sorted rows. */
    for (int64_t i = 0; i < p->n; i++) {
        a->indices[fill[p->v[i]]++] = p->u[i];
    }
    for (int64_t i = 0; i < p->n; i++) {
        a->indices[fill[p->u[i]]++] = p->v[i];
    }
    for (int64_t k = 0; k < 2 * p->n; k++) {
        a->values[k] = 1.0f;
    }
    free(fill);
    sort_rows(a);

    a->transpose = a;
    a->owns_transpose = false;
    *out = a;
    return GS_OK;
}

/* --- Scores ------------------------------------------------------------------------- */

void gs_link_scores(const gs_tensor_t *emb, const gs_pairs_t *pairs, double *scores)
{
    int d = emb->cols;

    #pragma omp parallel for if (pairs->n * d >= 65536)
    for (int64_t i = 0; i < pairs->n; i++) {
        const float *a = emb->data + (size_t)pairs->u[i] * d;
        const float *b = emb->data + (size_t)pairs->v[i] * d;
        double dot = 0.0;

        for (int j = 0; j < d; j++) {
            dot += (double)a[j] * b[j];
        }
        scores[i] = 1.0 / (1.0 + exp(-dot));
    }
}

gs_status_t gs_link_evaluate(const gs_tensor_t *emb, const gs_pairs_t *pos,
                             const gs_pairs_t *neg, double *auc, double *ap)
{
    double *ps = malloc((size_t)(pos->n > 0 ? pos->n : 1) * sizeof *ps);
    double *ns = malloc((size_t)(neg->n > 0 ? neg->n : 1) * sizeof *ns);
    gs_status_t status;

    if (!ps || !ns) {
        status = gs_i_error(GS_ERR_NOMEM, "out of memory scoring %lld pairs",
                            (long long)(pos->n + neg->n));
    } else {
        gs_link_scores(emb, pos, ps);
        gs_link_scores(emb, neg, ns);
        status = gs_eval_auc_ap(ps, pos->n, ns, neg->n, auc, ap);
    }
    free(ps);
    free(ns);
    return status;
}

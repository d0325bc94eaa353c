/*
 * Edge lists: one "u v [w]" edge per line.  Node ids are names, not indices: "100 205"
 * makes two nodes.  Every endpoint token is kept as a pointer into the text buffer while
 * reading; then the names are interned in one go.  When every name is an integer they are
 * ordered by value (through a rank table when the values are dense, a radix sort and a
 * bucket index otherwise); else by strcmp, with one qsort of all endpoint tokens.
 */
#include "graphssl/io.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common_internal.h"
#include "graph/graph_internal.h"
#include "io/text_internal.h"

/* An endpoint is first its token, then (for integer names) its value, in the same slot. */
typedef union endpoint {
    const char *name;
    int64_t value;
} endpoint_t;

typedef struct edge_list {
    endpoint_t *ends;     /* 2 per edge: u at 2e, v at 2e + 1 */
    float *weights;       /* one per edge when weighted, else NULL */
    int64_t n_edges;
    int64_t cap;
    long first_line;      /* the first data line, 0 before it */
    bool maybe_header;    /* the first line may be a header: see is_header() */
    int64_t declared;     /* nodes declared by a "# NAME: N nodes" first line, or -1 */
} edge_list_t;

/* The interned nodes: src/dst per edge and the names in node order. */
typedef struct interned {
    int32_t *src;
    int32_t *dst;
    const char **names;   /* pointers into the text, or into block */
    char *block;          /* formatted integer names, when those are used */
    int n_nodes;
} interned_t;

/*
 * A coarse index over sorted distinct values: bucket b covers the values v with
 * (v - lo) >> shift == b, and first[b] is the position of its first value.  A lookup is
 * then a binary search inside one small bucket rather than log2(n) cache misses over the
 * whole array.
 */
typedef struct value_index {
    const int64_t *values;
    int64_t lo;
    int shift;
    int64_t *first;       /* n_buckets + 1 positions */
} value_index_t;

/* An endpoint token with its first 8 bytes packed big-endian, so most comparisons are
 * one integer compare that never touches the text. */
typedef struct name_slot {
    uint64_t prefix;
    const char *name;
    int64_t end;
} name_slot_t;

static gs_status_t check_columns(const gs_i_text_t *t, bool weighted)
{
    if (t->n_tok == (weighted ? 3 : 2)) {
        return GS_OK;
    }
    if (weighted) {
        return gs_i_error(GS_ERR_PARSE, "%s:%ld: expected 3 columns (u v w), found %d",
                          t->name, t->line, t->n_tok);
    }
    if (t->n_tok == 3) {
        return gs_i_error(GS_ERR_PARSE,
                          "%s:%ld: expected 2 columns (u v), found 3; pass --weighted to read "
                          "weights", t->name, t->line);
    }
    return gs_i_error(GS_ERR_PARSE, "%s:%ld: expected 2 columns (u v), found %d", t->name,
                      t->line, t->n_tok);
}

static gs_status_t grow_edges(edge_list_t *el, const gs_i_text_t *t, bool weighted)
{
    int64_t cap = el->cap ? 2 * el->cap : 4096;
    endpoint_t *ends = realloc(el->ends, 2 * (size_t)cap * sizeof *ends);
    float *weights;

    if (!ends) {
        return gs_i_error(GS_ERR_NOMEM, "%s:%ld: out of memory for the edges", t->name,
                          t->line);
    }
    el->ends = ends;
    if (weighted) {
        weights = realloc(el->weights, (size_t)cap * sizeof *weights);
        if (!weights) {
            return gs_i_error(GS_ERR_NOMEM, "%s:%ld: out of memory for the weights", t->name,
                              t->line);
        }
        el->weights = weights;
    }
    el->cap = cap;
    return GS_OK;
}

/* Column names a header line of an edge list may use, compared without case. */
static const char *const header_words[] = {
    "source", "target", "src", "dst", "from", "to", "u", "v", "node1", "node2", "node_1",
    "node_2", "id1", "id2", "head", "tail", "origin", "destination", "sender", "receiver",
};

static bool is_header_word(const char *s)
{
    for (size_t i = 0; i < sizeof header_words / sizeof *header_words; i++) {
        if (strcasecmp(s, header_words[i]) == 0) {
            return true;
        }
    }
    return false;
}

static bool is_integer(const char *s)
{
    int64_t v;

    return gs_i_parse_canonical_int(s, &v);
}

/* The first data line might be a header when its endpoints are not both integers or its
 * weight is not a number; is_header() decides once every line is read. */
static bool first_line_suspect(const gs_i_text_t *t, bool weighted)
{
    float w;

    return !is_integer(t->tok[0]) || !is_integer(t->tok[1]) ||
           (weighted && !gs_i_parse_float(t->tok[2], &w, NULL));
}

/* Whether any endpoint after the first line is named a or b. */
static bool names_reappear(const edge_list_t *el, const char *a, const char *b)
{
    for (int64_t k = 2; k < 2 * el->n_edges; k++) {
        if (strcmp(el->ends[k].name, a) == 0 || strcmp(el->ends[k].name, b) == 0) {
            return true;
        }
    }
    return false;
}

static bool all_integers_after_first(const edge_list_t *el)
{
    for (int64_t k = 2; k < 2 * el->n_edges; k++) {
        if (!is_integer(el->ends[k].name)) {
            return false;
        }
    }
    return el->n_edges >= 2;
}

/*
 * A header line: two column names ("source target", "from,to,weight") that no edge uses as
 * node names, or any names above edges that all join integer ids.  Every other first line
 * is an edge, so a graph of named nodes ("u v", "v w") never loses one to this guess, and
 * "0 1 nan" is an edge with a bad weight, not a header.
 */
static bool is_header(const edge_list_t *el)
{
    const char *a;
    const char *b;

    if (!el->maybe_header) {
        return false;
    }
    a = el->ends[0].name;
    b = el->ends[1].name;
    if (is_integer(a) && is_integer(b)) {
        return false;
    }
    if (is_header_word(a) && is_header_word(b) && !names_reappear(el, a, b)) {
        return true;
    }
    return all_integers_after_first(el);
}

static gs_status_t weight_error(const gs_i_text_t *t, long line, const char *token)
{
    return gs_i_error(GS_ERR_PARSE, "%s:%ld: expected a finite number as the weight, found "
                      "'%s'", t->name, line, token);
}

/* Drops the first line when it is a header; otherwise checks the weight it left. */
static gs_status_t skip_header(const gs_i_text_t *t, edge_list_t *el, const char *weight)
{
    float w;

    if (!is_header(el)) {
        if (weight && el->n_edges > 0 && !gs_i_parse_float(weight, &w, NULL)) {
            return weight_error(t, el->first_line, weight);
        }
        return GS_OK;
    }
    gs_i_log(GS_LOG_INFO, "%s:%ld: '%s %s' read as a header line", t->name, el->first_line,
             el->ends[0].name, el->ends[1].name);
    el->n_edges--;
    memmove(el->ends, el->ends + 2, 2 * (size_t)el->n_edges * sizeof *el->ends);
    if (el->weights) {
        memmove(el->weights, el->weights + 1, (size_t)el->n_edges * sizeof *el->weights);
    }
    return GS_OK;
}

static gs_status_t read_edges(gs_i_text_t *t, bool weighted, edge_list_t *el)
{
    const char *first_weight = NULL;

    for (;;) {
        int64_t e = el->n_edges;

        GS_TRY(gs_i_text_next(t));
        if (t->n_tok == 0) {
            break;
        }
        GS_TRY(check_columns(t, weighted));
        if (e == el->cap) {
            GS_TRY(grow_edges(el, t, weighted));
        }
        if (e == 0) {
            el->first_line = t->line;
            el->maybe_header = first_line_suspect(t, weighted);
            first_weight = weighted ? t->tok[2] : NULL;
        }
        el->ends[2 * e].name = t->tok[0];
        el->ends[2 * e + 1].name = t->tok[1];
        if (weighted && !gs_i_parse_float(t->tok[2], &el->weights[e], NULL) &&
            !(e == 0 && el->maybe_header)) {
            return weight_error(t, t->line, t->tok[2]);
        }
        el->n_edges++;
    }
    return skip_header(t, el, first_weight);
}

static void set_endpoint(interned_t *in, int64_t k, int32_t node)
{
    if (k & 1) {
        in->dst[k >> 1] = node;
    } else {
        in->src[k >> 1] = node;
    }
}

/* Whether every endpoint is a canonical integer; if so, replaces tokens by values. */
static bool endpoints_to_values(endpoint_t *ends, int64_t n, int64_t *lo, int64_t *hi)
{
    int64_t v;

    for (int64_t k = 0; k < n; k++) {
        if (!gs_i_parse_canonical_int(ends[k].name, &v)) {
            return false;
        }
    }
    *lo = INT64_MAX;
    *hi = INT64_MIN;
    for (int64_t k = 0; k < n; k++) {
        gs_i_parse_canonical_int(ends[k].name, &v);
        ends[k].value = v;
        *lo = v < *lo ? v : *lo;
        *hi = v > *hi ? v : *hi;
    }
    return true;
}

/* Room for "-9223372036854775808" and its NUL. */
enum { INT64_TEXT = 21 };

/* Formats the node names of the sorted distinct values into one block. */
static gs_status_t format_names(interned_t *in, const int64_t *values)
{
    in->names = malloc(((size_t)in->n_nodes + 1) * sizeof *in->names);
    in->block = malloc(((size_t)in->n_nodes + 1) * INT64_TEXT);
    if (!in->names || !in->block) {
        return gs_i_error(GS_ERR_NOMEM, "out of memory for %d node names", in->n_nodes);
    }
    for (int v = 0; v < in->n_nodes; v++) {
        char *s = in->block + (size_t)v * INT64_TEXT;

        snprintf(s, INT64_TEXT, "%" PRId64, values[v]);
        in->names[v] = s;
    }
    return GS_OK;
}

static gs_status_t check_node_count(int64_t n, const char *file)
{
    if (n > INT_MAX) {
        return gs_i_error(GS_ERR_INVALID, "%s: %" PRId64 " nodes are more than %d", file, n,
                          INT_MAX);
    }
    return GS_OK;
}

/*
 * Integer names spanning a range not much wider than the number of endpoints: mark the
 * values present in a table over [lo, hi], turn the marks into ranks, look each one up.
 */
static gs_status_t intern_dense(const endpoint_t *ends, int64_t n, int64_t lo, int64_t hi,
                                bool whole_range, interned_t *in, const char *file)
{
    int64_t range = hi - lo + 1;
    int32_t *rank = calloc((size_t)range, sizeof *rank);
    int64_t *values = malloc((size_t)range * sizeof *values);
    int64_t n_nodes = 0;
    gs_status_t status;

    if (!rank || !values) {
        free(rank);
        free(values);
        return gs_i_error(GS_ERR_NOMEM, "%s: out of memory interning node names", file);
    }
    for (int64_t k = 0; k < n; k++) {
        rank[ends[k].value - lo] = 1;
    }
    for (int64_t i = 0; whole_range && i < range; i++) {
        rank[i] = 1;
    }
    for (int64_t i = 0; i < range; i++) {
        if (rank[i]) {
            values[n_nodes] = lo + i;
            rank[i] = (int32_t)n_nodes++;
        }
    }
    status = check_node_count(n_nodes, file);
    for (int64_t k = 0; status == GS_OK && k < n; k++) {
        set_endpoint(in, k, rank[ends[k].value - lo]);
    }

    in->n_nodes = (int)n_nodes;
    if (status == GS_OK) {
        status = format_names(in, values);
    }
    free(rank);
    free(values);
    return status;
}

/*
 * LSD radix sort, a byte per pass, of the keys with their sign bit flipped (so unsigned
 * order is signed order).  A pass where every key has the same byte is skipped.
 */
static bool radix_sort(int64_t *keys, int64_t n)
{
    uint64_t *a = (uint64_t *)keys;
    uint64_t *tmp = malloc(((size_t)n + 1) * sizeof *tmp);
    const uint64_t sign = (uint64_t)1 << 63;

    if (!tmp) {
        return false;
    }
    if (n == 0) {
        free(tmp);
        return true;
    }
    for (int64_t i = 0; i < n; i++) {
        a[i] ^= sign;
    }
    for (int shift = 0; shift < 64; shift += 8) {
        int64_t start[257] = {0};
        uint64_t *swap;

        for (int64_t i = 0; i < n; i++) {
            start[((a[i] >> shift) & 255) + 1]++;
        }
        if (start[((a[0] >> shift) & 255) + 1] == n) {
            continue;
        }
        for (int b = 0; b < 256; b++) {
            start[b + 1] += start[b];
        }
        for (int64_t i = 0; i < n; i++) {
            tmp[start[(a[i] >> shift) & 255]++] = a[i];
        }
        swap = a;
        a = tmp;
        tmp = swap;
    }

    /* After an odd number of passes the sorted keys are in the scratch buffer. */
    if (a != (uint64_t *)keys) {
        memcpy(keys, a, (size_t)n * sizeof *keys);
        tmp = a;
    }
    for (int64_t i = 0; i < n; i++) {
        keys[i] = (int64_t)((uint64_t)keys[i] ^ sign);
    }
    free(tmp);
    return true;
}

static int64_t bucket_of(const value_index_t *ix, int64_t v)
{
    return (int64_t)(((uint64_t)v - (uint64_t)ix->lo) >> ix->shift);
}

/* Buckets about as many as the n >= 1 sorted distinct values, so most hold one or two. */
static bool index_values(value_index_t *ix, const int64_t *values, int64_t n)
{
    uint64_t span = (uint64_t)values[n - 1] - (uint64_t)values[0];
    int64_t n_buckets;
    int64_t i = 0;

    ix->values = values;
    ix->lo = values[0];
    ix->shift = 0;
    while ((span >> ix->shift) >= (uint64_t)n) {
        ix->shift++;
    }
    n_buckets = (int64_t)(span >> ix->shift) + 1;
    ix->first = malloc(((size_t)n_buckets + 1) * sizeof *ix->first);
    if (!ix->first) {
        return false;
    }
    for (int64_t b = 0; b <= n_buckets; b++) {
        while (i < n && bucket_of(ix, values[i]) < b) {
            i++;
        }
        ix->first[b] = i;
    }
    return true;
}

/* Position of key, which must be one of the indexed values. */
static int64_t find_value(const value_index_t *ix, int64_t key)
{
    int64_t b = bucket_of(ix, key);
    int64_t lo = ix->first[b];
    int64_t hi = ix->first[b + 1] - 1;

    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;

        if (ix->values[mid] < key) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

/* Integer names spread over a wide range: sort the distinct values, then find each
 * endpoint's through a bucket index. */
static gs_status_t intern_sparse(const endpoint_t *ends, int64_t n, interned_t *in,
                                 const char *file)
{
    int64_t *values = malloc(((size_t)n + 1) * sizeof *values);
    value_index_t ix = {0};
    int64_t n_nodes = 0;
    gs_status_t status;

    if (!values) {
        return gs_i_error(GS_ERR_NOMEM, "%s: out of memory interning node names", file);
    }
    for (int64_t k = 0; k < n; k++) {
        values[k] = ends[k].value;
    }
    if (!radix_sort(values, n)) {
        free(values);
        return gs_i_error(GS_ERR_NOMEM, "%s: out of memory interning node names", file);
    }
    for (int64_t k = 0; k < n; k++) {
        if (k == 0 || values[k] != values[n_nodes - 1]) {
            values[n_nodes++] = values[k];
        }
    }

    status = check_node_count(n_nodes, file);
    if (status == GS_OK && !index_values(&ix, values, n_nodes)) {
        status = gs_i_error(GS_ERR_NOMEM, "%s: out of memory interning node names", file);
    }
    for (int64_t k = 0; status == GS_OK && k < n; k++) {
        set_endpoint(in, k, (int32_t)find_value(&ix, ends[k].value));
    }
    in->n_nodes = (int)n_nodes;
    if (status == GS_OK) {
        status = format_names(in, values);
    }
    free(ix.first);
    free(values);
    return status;
}

static uint64_t prefix_of(const char *s)
{
    uint64_t p = 0;
    int i = 0;

    for (; i < 8 && s[i]; i++) {
        p = (p << 8) | (unsigned char)s[i];
    }
    return p << (8 * (8 - i));
}

/* strcmp order: byte-wise big-endian prefixes compare like the bytes themselves, and a
 * prefix whose last byte is not NUL leaves the rest of the names to compare. */
static int compare_slots(const void *a, const void *b)
{
    const name_slot_t *x = a;
    const name_slot_t *y = b;

    if (x->prefix != y->prefix) {
        return x->prefix < y->prefix ? -1 : 1;
    }
    return (x->prefix & 255) ? strcmp(x->name + 8, y->name + 8) : 0;
}

/* Any other names: sort all endpoint tokens by strcmp and number the distinct ones. */
static gs_status_t intern_strings(const endpoint_t *ends, int64_t n, interned_t *in,
                                  const char *file)
{
    name_slot_t *slots = malloc(((size_t)n + 1) * sizeof *slots);
    int64_t n_nodes = 0;
    gs_status_t status = GS_OK;

    in->names = malloc(((size_t)n + 1) * sizeof *in->names);
    if (!slots || !in->names) {
        free(slots);
        return gs_i_error(GS_ERR_NOMEM, "%s: out of memory interning node names", file);
    }
    for (int64_t k = 0; k < n; k++) {
        slots[k] = (name_slot_t){prefix_of(ends[k].name), ends[k].name, k};
    }
    qsort(slots, (size_t)n, sizeof *slots, compare_slots);

    for (int64_t i = 0; i < n; i++) {
        if (i == 0 || compare_slots(&slots[i], &slots[i - 1]) != 0) {
            if (n_nodes == INT_MAX) {
                status = check_node_count(n_nodes + 1, file);
                break;
            }
            in->names[n_nodes++] = slots[i].name;
        }
        set_endpoint(in, slots[i].end, (int32_t)(n_nodes - 1));
    }
    in->n_nodes = (int)n_nodes;
    free(slots);
    return status;
}

/*
 * The normalized datasets open with "# NAME: N nodes, ..." so that nodes without edges still
 * count (Citeseer's 48 isolated papers, CA-GrQc's node 4350).  Returns N, or -1 when the
 * first line says nothing of the kind.
 */
static int64_t declared_nodes(gs_i_text_t *t)
{
    const char *comment = gs_i_text_first_comment(t);
    const char *colon = comment ? strchr(comment, ':') : NULL;
    char word[8] = "";
    int64_t n;

    if (!colon || sscanf(colon + 1, "%" SCNd64 " %7s", &n, word) != 2) {
        return -1;
    }
    return n > 0 && n <= INT_MAX && !strncmp(word, "nodes", 5) ? n : -1;
}

/* Whether the declared count applies: the ids are integers within 0 .. N-1. */
static bool fits_declared(const edge_list_t *el, int64_t lo, int64_t hi, const char *file)
{
    if (el->declared <= 0) {
        return false;
    }
    if (lo < 0 || hi >= el->declared) {
        gs_i_log(GS_LOG_WARN, "%s:1: declares %" PRId64 " nodes but ids run from %" PRId64
                 " to %" PRId64 "; the declaration is ignored", file, el->declared, lo, hi);
        return false;
    }
    gs_i_log(GS_LOG_INFO, "%s:1: %" PRId64 " nodes declared; ids without edges become "
             "isolated nodes", file, el->declared);
    return true;
}

/*
 * Numbers the nodes.  Integer names are turned into values first; the text then holds
 * nothing the graph needs, so it is released before the edge arrays are allocated, which
 * keeps the peak memory of a large file down.
 */
static gs_status_t intern(edge_list_t *el, interned_t *in, gs_i_text_t *t)
{
    int64_t n = 2 * el->n_edges;
    int64_t lo = 0;
    int64_t hi = 0;
    bool numeric = endpoints_to_values(el->ends, n, &lo, &hi);

    if (numeric) {
        gs_i_text_close(t);
    }
    in->src = malloc((size_t)el->n_edges * sizeof *in->src);
    in->dst = malloc((size_t)el->n_edges * sizeof *in->dst);
    if (!in->src || !in->dst) {
        return gs_i_error(GS_ERR_NOMEM, "%s: out of memory for the edges", t->name);
    }
    if (!numeric) {
        return intern_strings(el->ends, n, in, t->name);
    }

    /* A rank table costs 12 bytes per value in the range; use it while that stays within
     * a small multiple of the endpoints' own memory.  In unsigned arithmetic hi - lo
     * cannot overflow. */
    if (fits_declared(el, lo, hi, t->name)) {
        return intern_dense(el->ends, n, 0, el->declared - 1, true, in, t->name);
    }
    if ((uint64_t)hi - (uint64_t)lo < (uint64_t)(2 * n + 1024)) {
        return intern_dense(el->ends, n, lo, hi, false, in, t->name);
    }
    return intern_sparse(el->ends, n, in, t->name);
}

/* An empty file, or edges that leave fewer than 2 nodes or only self loops, make no
 * graph to learn from. */
static gs_status_t check_nonempty(const gs_i_text_t *t, const edge_list_t *el)
{
    if (el->n_edges == 0) {
        return gs_i_error(GS_ERR_INVALID, "%s:%ld: expected at least one edge 'u v', found "
                          "the end of the file", t->name, t->line > 0 ? t->line : 1);
    }
    return GS_OK;
}

static gs_status_t check_graph(const gs_graph_t *g, const char *file, long line)
{
    if (g->n_nodes < 2) {
        return gs_i_error(GS_ERR_INVALID, "%s:%ld: expected a graph of at least 2 nodes, "
                          "found 1 ('%s')", file, line, g->names[0]);
    }
    if (g->n_edges == 0) {
        return gs_i_error(GS_ERR_INVALID, "%s:%ld: expected an edge between two different "
                          "nodes, found only self loops", file, line);
    }
    return GS_OK;
}

gs_status_t gs_edgelist_load(gs_graph_t **out, const char *path, bool directed,
                             bool weighted)
{
    gs_i_text_t t;
    edge_list_t el = {0};
    interned_t in = {0};
    gs_status_t status;

    if (!out) {
        return gs_i_error(GS_ERR_INVALID, "gs_edgelist_load: out is NULL");
    }
    *out = NULL;
    GS_TRY(gs_i_text_open(&t, path, GS_I_TEXT_WORDS));

    el.declared = declared_nodes(&t);
    status = read_edges(&t, weighted, &el);
    if (status == GS_OK) {
        status = check_nonempty(&t, &el);
    }
    if (status == GS_OK) {
        status = intern(&el, &in, &t);
    }

    /* Building the graph takes the edges' memory again: release the endpoints first. */
    free(el.ends);
    el.ends = NULL;
    if (status == GS_OK) {
        status = gs_graph_from_edges(out, in.n_nodes, in.src, in.dst, el.weights, el.n_edges,
                                     directed, (char **)in.names);
    }
    if (status == GS_OK) {
        status = check_graph(*out, t.name ? t.name : path, el.first_line);
    }
    if (status != GS_OK) {
        gs_graph_free(*out);
        *out = NULL;
    }

    free(el.weights);
    free(in.src);
    free(in.dst);
    free(in.names);
    free(in.block);
    gs_i_text_close(&t);
    return status;
}

/*
 * Tests of the loaders and the CSV writer.  A table of small files, written to a fresh
 * temporary directory, checks each input rule (separators, comments, line endings, errors
 * with their exact FILE:LINE messages); named tests check values, companions, the CSV round
 * trip, and the real Cora files.
 */
#include <check.h>
#include <dirent.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "graphssl/io.h"

/* Created under the working directory (the build directory under meson test). */
static char tmp_dir[] = "graphssl_io_XXXXXX";

/* The last log line of each level, and how many lines each level got. */
static char last_log[4][1024];
static int n_logs[4];

static void capture_log(gs_log_level_t level, const char *message, void *user)
{
    (void)user;
    snprintf(last_log[level], sizeof last_log[level], "%s", message);
    n_logs[level]++;
}

static void reset_logs(void)
{
    memset(last_log, 0, sizeof last_log);
    memset(n_logs, 0, sizeof n_logs);
    gs_log_set_handler(capture_log, NULL);
    gs_log_set_level(GS_LOG_DEBUG);
}

/* Writes content to tmp_dir/name and returns the path (static storage, one of a few). */
static const char *write_file(const char *name, const char *content)
{
    static char paths[4][512];
    static int next;
    char *path = paths[next++ % 4];
    FILE *f;

    snprintf(path, sizeof paths[0], "%s/%s", tmp_dir, name);
    f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs(content, f);
    fclose(f);
    return path;
}

/* Asserts the last error is exactly path followed by suffix. */
static void assert_error_is(const char *path, const char *suffix)
{
    char want[1024];

    snprintf(want, sizeof want, "%s%s", path, suffix);
    ck_assert_str_eq(gs_last_error(), want);
}

/* Asserts a log line is exactly path followed by suffix. */
static void assert_log_is(const char *line, const char *path, const char *suffix)
{
    char want[1024];

    snprintf(want, sizeof want, "%s%s", path, suffix);
    ck_assert_str_eq(line, want);
}

/* --- The table ------------------------------------------------------------------------ */

typedef enum case_kind {
    EDGES,
    FEATURES,
    LABELS,
    SPLIT
} case_kind_t;

typedef struct io_case {
    const char *name;
    case_kind_t kind;
    const char *content;     /* the file under test */
    bool weighted;
    gs_status_t status;
    const char *error;       /* what follows the path in the error message */
    const char *warning;     /* a fragment of the warning logged, for GS_OK cases */
    int n_nodes;             /* EDGES: nodes; others: 0 */
    int64_t n_edges;         /* EDGES: edges */
    int count;               /* features, classes, or train nodes */
} io_case_t;

/* The graph FEATURES, LABELS and SPLIT cases attach to: nodes 0, 1, 2. */
static const char *const base_graph = "0 1\n1 2\n";

static const io_case_t cases[] = {
    {"comments_and_blank_lines", EDGES, "# c\n% d\n\n0 1\n   \n1 2\n", false, GS_OK, NULL,
     NULL, 3, 2, 0},
    {"tabs_commas_spaces", EDGES, "0\t1\n1,2\n2  ,\t 3\n", false, GS_OK, NULL, NULL, 4, 3, 0},
    {"crlf", EDGES, "0 1\r\n1 2\r\n\r\n", false, GS_OK, NULL, NULL, 3, 2, 0},
    {"byte_order_mark", EDGES, "\xEF\xBB\xBF" "0 1\n1 2\n", false, GS_OK, NULL, NULL, 3, 2, 0},
    {"no_final_newline", EDGES, "0 1\n1 2", false, GS_OK, NULL, NULL, 3, 2, 0},
    {"string_names", EDGES, "alice bob\nbob carol\n", false, GS_OK, NULL, NULL, 3, 2, 0},
    {"numbers_are_names", EDGES, "100 205\n", false, GS_OK, NULL, NULL, 2, 1, 0},
    {"self_loops_and_duplicates", EDGES, "0 0\n0 1\n1 0\n0 1\n", false, GS_OK, NULL, NULL, 2,
     1, 0},
    {"header_declares_isolated_nodes", EDGES, "# g: 9 nodes, 1 undirected edges\n0 1\n",
     false, GS_OK, NULL, NULL, 9, 1, 0},
    {"header_count_ignored_when_ids_exceed_it", EDGES, "# g: 2 nodes\n0 1\n1 5\n", false,
     GS_OK, NULL, "declaration is ignored", 3, 2, 0},
    {"header_count_ignored_for_string_names", EDGES, "# g: 9 nodes\na b\n", false, GS_OK,
     NULL, NULL, 2, 1, 0},
    {"weighted_with_flag", EDGES, "0 1 2.5\n1 2 0.5\n", true, GS_OK, NULL, NULL, 3, 2, 0},
    {"weighted_without_flag", EDGES, "0 1\n0 2 2.5\n", false, GS_ERR_PARSE,
     ":2: expected 2 columns (u v), found 3; pass --weighted to read weights", NULL, 0, 0, 0},
    {"weight_not_a_number", EDGES, "0 1 abc\n", true, GS_ERR_PARSE,
     ":1: expected a finite number as the weight, found 'abc'", NULL, 0, 0, 0},
    {"weight_nan", EDGES, "0 1 1\n1 2 nan\n", true, GS_ERR_PARSE,
     ":2: expected a finite number as the weight, found 'nan'", NULL, 0, 0, 0},
    {"weight_nan_on_the_first_line_is_no_header", EDGES, "0 1 nan\n1 2 1\n2 0 1\n", true,
     GS_ERR_PARSE, ":1: expected a finite number as the weight, found 'nan'", NULL, 0, 0, 0},
    {"weight_missing", EDGES, "0 1\n", true, GS_ERR_PARSE,
     ":1: expected 3 columns (u v w), found 2", NULL, 0, 0, 0},
    {"one_token_line", EDGES, "0 1\n\n7\n", false, GS_ERR_PARSE,
     ":3: expected 2 columns (u v), found 1", NULL, 0, 0, 0},
    {"four_columns", EDGES, "0 1 2 3\n", false, GS_ERR_PARSE,
     ":1: expected 2 columns (u v), found 4", NULL, 0, 0, 0},
    {"empty_file", EDGES, "", false, GS_ERR_INVALID,
     ":1: expected at least one edge 'u v', found the end of the file", NULL, 0, 0, 0},
    {"only_comments", EDGES, "# a\n% b\n\n", false, GS_ERR_INVALID,
     ":3: expected at least one edge 'u v', found the end of the file", NULL, 0, 0, 0},
    {"features_sparse_with_header", FEATURES, "# nodes=3 dim=5\n0 1:1 3:0.5\n2 4:2\n", false,
     GS_OK, NULL, "1 of 3 nodes have no row; their features are zero", 0, 0, 5},
    {"features_sparse_without_header", FEATURES, "0 0:1\n1 6:1\n", false, GS_OK, NULL,
     "1 of 3 nodes have no row; their features are zero", 0, 0, 7},
    {"features_dense", FEATURES, "0 1 2 3\n1 4 5 6\n2 7 8 9\n", false, GS_OK, NULL, NULL, 0,
     0, 3},
    {"features_index_out_of_range", FEATURES, "# nodes=3 dim=4\n0 1:1\n1 4:1\n", false,
     GS_ERR_PARSE, ":3: expected a feature index below dim=4, found '4:1'", NULL, 0, 0, 0},
    {"features_nan", FEATURES, "0 1:nan\n", false, GS_ERR_PARSE,
     ":1: expected a finite value, found '1:nan'", NULL, 0, 0, 0},
    {"features_negative_index", FEATURES, "0 -1:1\n", false, GS_ERR_PARSE,
     ":1: expected a feature index >= 0, found '-1:1'", NULL, 0, 0, 0},
    {"features_malformed_token", FEATURES, "0 1:1 abc\n", false, GS_ERR_PARSE,
     ":1: expected 'index:value', found 'abc'", NULL, 0, 0, 0},
    {"features_duplicate_row", FEATURES, "0 1:1\n1 2:1\n0 3:1\n", false, GS_ERR_PARSE,
     ":3: expected one row per node, found a second row for node '0' (first on line 1)", NULL,
     0, 0, 0},
    {"features_unknown_node", FEATURES, "0 1:1\n99 2:1\n1 0:1\n2 0:1\n", false, GS_OK, NULL,
     "1 feature rows name nodes not in the graph; added as isolated nodes (first '99' on "
     "line 2)", 0, 0, 3},
    {"features_no_known_node", FEATURES, "a 0:1\nb 1:1\n", false, GS_ERR_INVALID,
     ": expected rows naming nodes of the graph, found none: all 2 rows name other nodes "
     "(first 'a' on line 1; the graph's first node is '0'); is this the graph's features "
     "file?", NULL, 0, 0, 0},
    {"features_dense_all_zero", FEATURES, "0 0 0\n1 0 0\n2 0 0\n", false, GS_ERR_INVALID,
     ": expected at least one nonzero feature value, found only zeros in 3 rows", NULL, 0, 0,
     0},
    {"features_sparse_explicit_zeros", FEATURES, "0 1:0\n2 0:0.0\n", false, GS_ERR_INVALID,
     ": expected at least one nonzero feature value, found only zeros in 2 rows", NULL, 0, 0,
     0},
    {"features_dense_ragged", FEATURES, "0 1 2\n1 3\n", false, GS_ERR_PARSE,
     ":2: expected 2 values after the id (as on line 1), found 1", NULL, 0, 0, 0},
    {"features_dense_inf", FEATURES, "0 1 inf\n", false, GS_ERR_PARSE,
     ":1: expected a finite number, found 'inf'", NULL, 0, 0, 0},
    {"features_repeated_index", FEATURES, "0 3:1 1:1 3:2\n", false, GS_ERR_PARSE,
     ":1: expected each feature index once in a row, found index 3 twice", NULL, 0, 0, 0},
    {"labels_integer", LABELS, "0 1\n1 0\n2 1\n", false, GS_OK, NULL, NULL, 0, 0, 2},
    {"labels_string", LABELS, "0 b\n1 a\n2 c\n", false, GS_OK, NULL, NULL, 0, 0, 3},
    {"labels_duplicate_id", LABELS, "0 1\n1 0\n0 1\n", false, GS_ERR_PARSE,
     ":3: expected one label per node, found a second for node '0' (first on line 1)", NULL,
     0, 0, 0},
    {"labels_unknown_node", LABELS, "0 0\nzz 1\n1 1\n", false, GS_OK, NULL,
     "ignored 1 rows for nodes not in the graph (first 'zz' on line 2)", 0, 0, 2},
    {"labels_three_columns", LABELS, "0 1 2\n", false, GS_ERR_PARSE,
     ":1: expected 2 columns (id label), found 3", NULL, 0, 0, 0},
    {"split_words", SPLIT, "0 train\n1 val\n2 test\n", false, GS_OK, NULL, NULL, 0, 0, 1},
    {"split_bad_word", SPLIT, "0 train\n1 validation\n", false, GS_ERR_PARSE,
     ":2: expected train, val or test, found 'validation'", NULL, 0, 0, 0},
};

enum { N_CASES = sizeof cases / sizeof cases[0] };

static int count_train(const gs_graph_t *g)
{
    int n = 0;

    for (int v = 0; v < g->n_nodes; v++) {
        n += g->split[v] == GS_SPLIT_TRAIN;
    }
    return n;
}

/* Loads a case's file (onto base_graph unless it is an edge list). */
static gs_status_t load_case(const io_case_t *c, const char *path, gs_graph_t **g)
{
    char graph_name[128];

    if (c->kind == EDGES) {
        return gs_edgelist_load(g, path, false, c->weighted);
    }
    snprintf(graph_name, sizeof graph_name, "%s.edgelist", c->name);
    ck_assert_int_eq(gs_edgelist_load(g, write_file(graph_name, base_graph), false, false),
                     GS_OK);
    switch (c->kind) {
    case FEATURES: return gs_features_load(*g, path);
    case LABELS: return gs_labels_load(*g, path);
    default: return gs_split_load(*g, path);
    }
}

static void check_counts(const io_case_t *c, const gs_graph_t *g)
{
    switch (c->kind) {
    case EDGES:
        ck_assert_int_eq(g->n_nodes, c->n_nodes);
        ck_assert_int_eq(g->n_edges, c->n_edges);
        ck_assert(g->weighted == c->weighted);
        break;
    case FEATURES: ck_assert_int_eq(g->n_features, c->count); break;
    case LABELS: ck_assert_int_eq(g->n_classes, c->count); break;
    case SPLIT: ck_assert_int_eq(count_train(g), c->count); break;
    }
}

START_TEST(io_cases_match_table)
{
    static const char *const ext[] = {"edgelist", "features", "labels", "split"};
    const io_case_t *c = &cases[_i];
    char name[128];
    const char *path;
    gs_graph_t *g = NULL;
    gs_status_t status;

    reset_logs();
    snprintf(name, sizeof name, "%s.%s", c->name, ext[c->kind]);
    path = write_file(name, c->content);
    status = load_case(c, path, &g);
    ck_assert_msg(status == c->status, "case %s: status %d (%s), want %d", c->name, status,
                  gs_last_error(), c->status);
    if (c->error) {
        assert_error_is(path, c->error);
    }
    if (c->warning) {
        ck_assert_int_eq(n_logs[GS_LOG_WARN], 1);
        ck_assert_ptr_nonnull(strstr(last_log[GS_LOG_WARN], c->warning));
    } else {
        ck_assert_int_eq(n_logs[GS_LOG_WARN], 0);
    }
    if (status == GS_OK) {
        check_counts(c, g);
    }
    if (c->kind == EDGES && status != GS_OK) {
        ck_assert_ptr_null(g);
    }
    gs_graph_free(g);
}
END_TEST

/* --- Edge lists ----------------------------------------------------------------------- */

START_TEST(edgelist_orders_integer_names_by_value)
{
    gs_graph_t *g = NULL;
    const char *path = write_file("numeric.edgelist", "10 9\n100 2\n9 100\n");

    ck_assert_int_eq(gs_edgelist_load(&g, path, false, false), GS_OK);
    ck_assert(g->numeric_names);
    ck_assert_str_eq(g->names[0], "2");
    ck_assert_str_eq(g->names[1], "9");
    ck_assert_str_eq(g->names[2], "10");
    ck_assert_str_eq(g->names[3], "100");
    ck_assert_int_eq(gs_graph_find_node(g, "100"), 3);
    ck_assert_int_eq(gs_graph_degree(g, 1), 2);
    gs_graph_free(g);
}
END_TEST

START_TEST(edgelist_orders_wide_integer_range_by_value)
{
    gs_graph_t *g = NULL;
    const char *path = write_file("wide.edgelist",
                                  "1000000000000 -5\n7 1000000000000\n-9223372036854775808 7\n");

    ck_assert_int_eq(gs_edgelist_load(&g, path, false, false), GS_OK);
    ck_assert_int_eq(g->n_nodes, 4);
    ck_assert(g->numeric_names);
    ck_assert_str_eq(g->names[0], "-9223372036854775808");
    ck_assert_str_eq(g->names[1], "-5");
    ck_assert_str_eq(g->names[2], "7");
    ck_assert_str_eq(g->names[3], "1000000000000");
    ck_assert_int_eq(gs_graph_degree(g, 2), 2);
    gs_graph_free(g);
}
END_TEST

START_TEST(edgelist_orders_other_names_with_strcmp)
{
    gs_graph_t *g = NULL;
    const char *path = write_file("mixed.edgelist", "b a\n10 9\n007 b\n");

    ck_assert_int_eq(gs_edgelist_load(&g, path, false, false), GS_OK);
    ck_assert(!g->numeric_names);
    ck_assert_int_eq(g->n_nodes, 5);
    ck_assert_str_eq(g->names[0], "007");
    ck_assert_str_eq(g->names[1], "10");
    ck_assert_str_eq(g->names[2], "9");
    ck_assert_str_eq(g->names[3], "a");
    ck_assert_str_eq(g->names[4], "b");
    ck_assert_int_eq(gs_graph_find_node(g, "9"), 2);
    ck_assert_int_eq(gs_graph_find_node(g, "7"), -1);
    gs_graph_free(g);
}
END_TEST

START_TEST(edgelist_reads_weights)
{
    gs_graph_t *g = NULL;
    const char *path = write_file("weights.edgelist", "a b 0.25\r\nb c -3e2\r\n");

    ck_assert_int_eq(gs_edgelist_load(&g, path, false, true), GS_OK);
    ck_assert(g->weighted);
    ck_assert_int_eq(g->adj->indices[0], 1);
    ck_assert_float_eq(g->adj->values[0], 0.25f);
    ck_assert_float_eq(g->adj->values[gs_csr_nnz(g->adj) - 1], -300.0f);
    gs_graph_free(g);
}
END_TEST

START_TEST(edgelist_keeps_direction_when_asked)
{
    gs_graph_t *g = NULL;
    const char *path = write_file("directed.edgelist", "0 1\n1 0\n1 2\n");

    ck_assert_int_eq(gs_edgelist_load(&g, path, true, false), GS_OK);
    ck_assert(g->directed);
    ck_assert_int_eq(g->n_edges, 3);
    ck_assert_int_eq(gs_graph_degree(g, 2), 0);
    gs_graph_free(g);
}
END_TEST

START_TEST(edgelist_reads_standard_input)
{
    gs_graph_t *g = NULL;
    const char *path = write_file("stdin.edgelist", "x y\ny z\nz x\n");

    ck_assert_ptr_nonnull(freopen(path, "r", stdin));
    ck_assert_int_eq(gs_edgelist_load(&g, "-", false, false), GS_OK);
    ck_assert_int_eq(g->n_nodes, 3);
    ck_assert_int_eq(g->n_edges, 3);
    gs_graph_free(g);
}
END_TEST

START_TEST(edgelist_reports_missing_file)
{
    gs_graph_t *g = NULL;
    char path[600];

    snprintf(path, sizeof path, "%s/absent.edgelist", tmp_dir);
    ck_assert_int_eq(gs_edgelist_load(&g, path, false, false), GS_ERR_IO);
    ck_assert_ptr_null(g);
    assert_error_is(path, ": cannot open: No such file or directory");
}
END_TEST

START_TEST(edgelist_reports_unreadable_directory)
{
    gs_graph_t *g = NULL;

    ck_assert_int_eq(gs_edgelist_load(&g, tmp_dir, false, false), GS_ERR_IO);
    assert_error_is(tmp_dir, ": cannot read: Is a directory");
}
END_TEST

/* --- Features, labels, split ---------------------------------------------------------- */

static gs_graph_t *base(const char *name)
{
    gs_graph_t *g = NULL;

    ck_assert_int_eq(gs_edgelist_load(&g, write_file(name, base_graph), false, false), GS_OK);
    return g;
}

START_TEST(features_sparse_rows_become_sorted_csr)
{
    gs_graph_t *g = base("fs.edgelist");
    const char *path = write_file("fs.features", "2 4:2 1:3.5\n0 0:1\n");
    const gs_csr_t *x;

    reset_logs();
    ck_assert_int_eq(gs_features_load(g, path), GS_OK);
    x = g->features_sparse;
    ck_assert_ptr_nonnull(x);
    ck_assert_ptr_null(g->features_dense);
    ck_assert_int_eq(x->n_rows, 3);
    ck_assert_int_eq(x->n_cols, 5);
    ck_assert_int_eq(x->indptr[1], 1);
    ck_assert_int_eq(x->indptr[2], 1);
    ck_assert_int_eq(x->indptr[3], 3);
    ck_assert_int_eq(x->indices[1], 1);
    ck_assert_float_eq(x->values[1], 3.5f);
    ck_assert_int_eq(x->indices[2], 4);
    ck_assert_float_eq(x->values[2], 2.0f);
    ck_assert_int_eq(n_logs[GS_LOG_WARN], 1);
    assert_log_is(last_log[GS_LOG_WARN], path, ": 1 of 3 nodes have no row; their features "
                  "are zero");
    gs_graph_free(g);
}
END_TEST

START_TEST(features_dense_rows_fill_matrix)
{
    gs_graph_t *g = base("fd.edgelist");
    const char *path = write_file("fd.features", "2 0.5 -1\n0 3 4\n");
    const float want[] = {3, 4, 0, 0, 0.5f, -1};

    ck_assert_int_eq(gs_features_load(g, path), GS_OK);
    ck_assert_ptr_null(g->features_sparse);
    ck_assert_int_eq(g->n_features, 2);
    for (int i = 0; i < 6; i++) {
        ck_assert_float_eq(g->features_dense[i], want[i]);
    }
    gs_graph_free(g);
}
END_TEST

START_TEST(features_header_without_rows_is_refused)
{
    gs_graph_t *g = base("fz.edgelist");
    const char *path = write_file("fz.features", "# nodes=3 dim=8\n");

    ck_assert_int_eq(gs_features_load(g, path), GS_ERR_INVALID);
    assert_error_is(path, ": expected feature rows with at least one nonzero value, found no "
                    "rows");
    ck_assert_int_eq(g->n_features, 0);
    gs_graph_free(g);
}
END_TEST

START_TEST(features_naming_no_node_leaves_graph_unchanged)
{
    gs_graph_t *g = base("fn.edgelist");
    const char *path = write_file("fn.features", "x 1 2\ny 3 4\nz 5 6\n");

    ck_assert_int_eq(gs_features_load(g, path), GS_ERR_INVALID);
    ck_assert_int_eq(g->n_nodes, 3);
    ck_assert_int_eq(g->n_features, 0);
    ck_assert_int_eq(gs_graph_find_node(g, "x"), -1);
    gs_graph_free(g);
}
END_TEST

START_TEST(labels_string_classes_sorted_by_name)
{
    gs_graph_t *g = base("ls.edgelist");
    const char *path = write_file("ls.labels", "2 Theory\n0 Neural_Networks\n");

    ck_assert_int_eq(gs_labels_load(g, path), GS_OK);
    ck_assert_int_eq(g->n_classes, 2);
    ck_assert_str_eq(g->class_names[0], "Neural_Networks");
    ck_assert_str_eq(g->class_names[1], "Theory");
    ck_assert_int_eq(g->labels[0], 0);
    ck_assert_int_eq(g->labels[1], -1);
    ck_assert_int_eq(g->labels[2], 1);
    gs_graph_free(g);
}
END_TEST

START_TEST(labels_integer_classes_keep_their_value)
{
    gs_graph_t *g = base("li.edgelist");
    const char *path = write_file("li.labels", "0 2\n1 0\n2 2\n");

    ck_assert_int_eq(gs_labels_load(g, path), GS_OK);
    ck_assert_int_eq(g->n_classes, 3);
    ck_assert_str_eq(g->class_names[1], "1");
    ck_assert_int_eq(g->labels[0], 2);
    ck_assert_int_eq(g->labels[1], 0);
    gs_graph_free(g);
}
END_TEST

START_TEST(labels_large_integers_sort_numerically)
{
    gs_graph_t *g = base("ln.edgelist");
    const char *path = write_file("ln.labels", "0 10\n1 9\n2 100\n");

    ck_assert_int_eq(gs_labels_load(g, path), GS_OK);
    ck_assert_int_eq(g->n_classes, 3);
    ck_assert_str_eq(g->class_names[0], "9");
    ck_assert_str_eq(g->class_names[2], "100");
    ck_assert_int_eq(g->labels[0], 1);
    gs_graph_free(g);
}
END_TEST

START_TEST(split_marks_listed_nodes_only)
{
    gs_graph_t *g = base("sp.edgelist");
    const char *path = write_file("sp.split", "2 test\n0 val\n");

    ck_assert_int_eq(gs_split_load(g, path), GS_OK);
    ck_assert_int_eq(g->split[0], GS_SPLIT_VAL);
    ck_assert_int_eq(g->split[1], GS_SPLIT_NONE);
    ck_assert_int_eq(g->split[2], GS_SPLIT_TEST);
    gs_graph_free(g);
}
END_TEST

/* --- gs_graph_load -------------------------------------------------------------------- */

START_TEST(load_finds_companion_files)
{
    gs_graph_t *g = NULL;
    const char *path = write_file("comp.edgelist", "0 1\n1 2\n2 2\n");
    char want[700];

    write_file("comp.features", "0 0:1\n");
    write_file("comp.labels", "0 0\n1 1\n2 1\n");
    write_file("comp.split", "0 train\n1 test\n");
    reset_logs();
    ck_assert_int_eq(gs_graph_load(&g, path, NULL), GS_OK);
    ck_assert_int_eq(g->n_features, 1);
    ck_assert_int_eq(g->n_classes, 2);
    ck_assert_int_eq(g->split[1], GS_SPLIT_TEST);
    ck_assert_int_eq(g->n_self_loops_dropped, 1);

    /* Logged: dropped loops and three companions; the features' missing rows warn. */
    ck_assert_int_eq(n_logs[GS_LOG_INFO], 4);
    ck_assert_int_eq(n_logs[GS_LOG_WARN], 1);
    snprintf(want, sizeof want, "using split %s/comp.split", tmp_dir);
    ck_assert_str_eq(last_log[GS_LOG_INFO], want);
    gs_graph_free(g);
}
END_TEST

START_TEST(load_skips_companions_when_told)
{
    gs_graph_t *g = NULL;
    const char *path = write_file("solo.edgelist", "0 1\n");
    const char *labels = write_file("other.labels", "1 x\n");
    gs_load_options_t opt;

    write_file("solo.labels", "0 0\n");
    gs_load_options_init(&opt);
    opt.no_companions = true;
    ck_assert_int_eq(gs_graph_load(&g, path, &opt), GS_OK);
    ck_assert_ptr_null(g->labels);
    gs_graph_free(g);

    opt.labels = labels;
    ck_assert_int_eq(gs_graph_load(&g, path, &opt), GS_OK);
    ck_assert_int_eq(g->labels[1], 0);
    ck_assert_str_eq(g->class_names[0], "x");
    gs_graph_free(g);
}
END_TEST

START_TEST(load_reports_companion_errors)
{
    gs_graph_t *g = NULL;
    const char *path = write_file("bad.edgelist", "0 1\n");
    const char *split = write_file("bad.split", "0 training\n");

    ck_assert_int_eq(gs_graph_load(&g, path, NULL), GS_ERR_PARSE);
    ck_assert_ptr_null(g);
    assert_error_is(split, ":1: expected train, val or test, found 'training'");
}
END_TEST

START_TEST(load_rejects_unknown_extension)
{
    gs_graph_t *g = NULL;
    const char *path = write_file("g.dot", "graph { a -- b }\n");
    gs_load_options_t opt;

    ck_assert_int_eq(gs_graph_load(&g, path, NULL), GS_ERR_UNSUPPORTED);
    assert_error_is(path, ": cannot tell the graph format from the file name; pass --format "
                    "with one of edgelist, graphml, gml, pajek, ncol, lgl, linqs");
    gs_load_options_init(&opt);
    opt.format = "dot";
    ck_assert_int_eq(gs_graph_load(&g, path, &opt), GS_ERR_UNSUPPORTED);
    ck_assert_str_eq(gs_last_error(), "graph format 'dot' is not supported; expected one of "
                     "edgelist, graphml, gml, pajek, ncol, lgl, linqs");
    opt.format = "edgelist";
    ck_assert_int_eq(gs_graph_load(&g, path, &opt), GS_ERR_PARSE);
}
END_TEST

START_TEST(load_builds_karate_by_name)
{
    gs_graph_t *g = NULL;

    ck_assert_int_eq(gs_graph_load(&g, "karate", NULL), GS_OK);
    ck_assert_int_eq(g->n_nodes, 34);
    ck_assert_int_eq(g->n_edges, 78);
    ck_assert_int_eq(g->n_classes, 2);
    gs_graph_free(g);
}
END_TEST

/* --- CSV ------------------------------------------------------------------------------ */

static int count_files(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    ck_assert_ptr_nonnull(d);
    while ((e = readdir(d)) != NULL) {
        n += e->d_name[0] != '.';
    }
    closedir(d);
    return n;
}

START_TEST(csv_round_trip_is_bit_exact)
{
    char *names[] = {"plain", "with,comma", "say \"hi\"", "", "#7"};
    char dir[600];
    char path[700];
    gs_tensor_t *emb = gs_tensor_new(5, 4);
    gs_tensor_t *back = NULL;
    char **read = NULL;
    uint32_t state = 99;

    snprintf(dir, sizeof dir, "%s/csv", tmp_dir);
    ck_assert_int_eq(mkdir(dir, 0700), 0);
    snprintf(path, sizeof path, "%s/emb.csv", dir);
    for (int i = 0; i < 20; i++) {
        state = state * 1664525u + 1013904223u;
        emb->data[i] = ldexpf((float)(int32_t)state / 2147483648.0f, (int)(state % 200) - 140);
    }
    emb->data[3] = 1e-45f;
    emb->data[4] = -3.4028235e38f;

    ck_assert_int_eq(gs_embeddings_save_csv(path, names, emb), GS_OK);
    ck_assert_int_eq(count_files(dir), 1);
    ck_assert_int_eq(gs_embeddings_load_csv(path, &read, &back), GS_OK);
    ck_assert_int_eq(back->rows, 5);
    ck_assert_int_eq(back->cols, 4);
    ck_assert_mem_eq(back->data, emb->data, 20 * sizeof(float));
    for (int v = 0; v < 5; v++) {
        ck_assert_str_eq(read[v], names[v]);
        free(read[v]);
    }
    free(read);
    gs_tensor_free(back);
    gs_tensor_free(emb);
}
END_TEST

START_TEST(csv_writes_header_and_quoted_names)
{
    char *names[] = {"a,b", "c"};
    gs_tensor_t *emb = gs_tensor_new(2, 2);
    const char *path = write_file("q.csv", "");
    char text[256] = {0};
    FILE *f;

    emb->data[0] = 0.5f;
    emb->data[3] = -2.0f;
    ck_assert_int_eq(gs_embeddings_save_csv(path, names, emb), GS_OK);
    f = fopen(path, "r");
    ck_assert_uint_gt(fread(text, 1, sizeof text - 1, f), 0);
    fclose(f);
    ck_assert_str_eq(text, "node,d0,d1\n\"a,b\",0.5,0\nc,0,-2\n");
    gs_tensor_free(emb);
}
END_TEST

START_TEST(csv_save_into_missing_directory_fails_cleanly)
{
    char *names[] = {"a"};
    gs_tensor_t *emb = gs_tensor_new(1, 1);
    char dir[600];
    char path[700];
    struct stat st;

    snprintf(dir, sizeof dir, "%s/no/such", tmp_dir);
    snprintf(path, sizeof path, "%s/emb.csv", dir);
    ck_assert_int_eq(gs_embeddings_save_csv(path, names, emb), GS_ERR_IO);
    assert_error_is(path, ": cannot create a temporary file beside it: No such file or "
                    "directory");
    ck_assert_int_ne(stat(path, &st), 0);
    gs_tensor_free(emb);
}
END_TEST

START_TEST(csv_save_rejects_line_breaks_in_names)
{
    char *names[] = {"a\nb"};
    gs_tensor_t *emb = gs_tensor_new(1, 1);
    char path[600];
    struct stat st;

    snprintf(path, sizeof path, "%s/nl.csv", tmp_dir);
    ck_assert_int_eq(gs_embeddings_save_csv(path, names, emb), GS_ERR_INVALID);
    ck_assert_str_eq(gs_last_error(), "the name of node 0 contains a line break, which CSV "
                     "rows cannot hold");
    ck_assert_int_ne(stat(path, &st), 0);
    gs_tensor_free(emb);
}
END_TEST

START_TEST(csv_load_reports_wrong_column_count)
{
    const char *path = write_file("cols.csv", "node,d0,d1\na,1,2\nb,3\n");
    char **names = (char **)&names;
    gs_tensor_t *emb = NULL;

    ck_assert_int_eq(gs_embeddings_load_csv(path, &names, &emb), GS_ERR_PARSE);
    ck_assert_ptr_null(names);
    ck_assert_ptr_null(emb);
    assert_error_is(path, ":3: expected 3 columns (node and 2 values), found 2");
}
END_TEST

START_TEST(csv_load_reports_non_numbers)
{
    const char *path = write_file("nan.csv", "node,d0,d1\r\na,1,2\r\nb,3,x1\r\n");
    char **names = NULL;
    gs_tensor_t *emb = NULL;

    ck_assert_int_eq(gs_embeddings_load_csv(path, &names, &emb), GS_ERR_PARSE);
    assert_error_is(path, ":3: column 3: expected a finite number, found 'x1'");
}
END_TEST

START_TEST(csv_load_reports_repeated_node)
{
    const char *path = write_file("dup.csv", "node,d0\n1,0.5\n3,0.1\n\n2,0\n3,0.2\n1,1\n");
    char **names = NULL;
    gs_tensor_t *emb = NULL;

    ck_assert_int_eq(gs_embeddings_load_csv(path, &names, &emb), GS_ERR_PARSE);
    ck_assert_ptr_null(names);
    ck_assert_ptr_null(emb);
    assert_error_is(path, ":6: expected one row per node, found a second row for node '3' "
                    "(first on line 3)");
}
END_TEST

START_TEST(csv_load_requires_header)
{
    const char *path = write_file("nohead.csv", "a,1,2\n");
    char **names = NULL;
    gs_tensor_t *emb = NULL;

    ck_assert_int_eq(gs_embeddings_load_csv(path, &names, &emb), GS_ERR_PARSE);
    assert_error_is(path, ":1: expected a header 'node,d0,...' with at least one column of "
                    "values");
}
END_TEST

/* --- Real data ------------------------------------------------------------------------ */

static const char *data_dir(void)
{
    const char *dir = getenv("GRAPHSSL_DATA");

    return dir ? dir : getenv("GRAPHSSL_DATA_DEFAULT");
}

START_TEST(load_cora_with_companions)
{
    gs_graph_t *g = NULL;
    char path[1024];
    int in_split[4] = {0, 0, 0, 0};
    int64_t nnz;

    ck_assert_ptr_nonnull(data_dir());
    snprintf(path, sizeof path, "%s/cora/cora.edgelist", data_dir());
    ck_assert_int_eq(gs_graph_load(&g, path, NULL), GS_OK);
    ck_assert_int_eq(g->n_nodes, 2708);
    ck_assert_int_eq(g->n_edges, 5278);
    ck_assert_int_eq(g->n_features, 1433);
    ck_assert_ptr_nonnull(g->features_sparse);
    ck_assert_int_eq(g->n_classes, 7);
    for (int v = 0; v < g->n_nodes; v++) {
        in_split[g->split[v]]++;
        ck_assert(g->labels[v] >= 0 && g->labels[v] < 7);
    }
    ck_assert_int_eq(in_split[GS_SPLIT_TRAIN], 140);
    ck_assert_int_eq(in_split[GS_SPLIT_VAL], 500);
    ck_assert_int_eq(in_split[GS_SPLIT_TEST], 1000);

    /* Cora's bag of words: 49216 ones, about 1.3% of the matrix. */
    nnz = gs_csr_nnz(g->features_sparse);
    ck_assert_int_eq(nnz, 49216);
    gs_graph_free(g);
}
END_TEST

static Suite *io_suite(void)
{
    Suite *s = suite_create("io");
    TCase *table = tcase_create("table");
    TCase *tc = tcase_create("named");
    TCase *data = tcase_create("data");

    tcase_add_loop_test(table, io_cases_match_table, 0, N_CASES);
    suite_add_tcase(s, table);

    tcase_add_test(tc, edgelist_orders_integer_names_by_value);
    tcase_add_test(tc, edgelist_orders_wide_integer_range_by_value);
    tcase_add_test(tc, edgelist_orders_other_names_with_strcmp);
    tcase_add_test(tc, edgelist_reads_weights);
    tcase_add_test(tc, edgelist_keeps_direction_when_asked);
    tcase_add_test(tc, edgelist_reads_standard_input);
    tcase_add_test(tc, edgelist_reports_missing_file);
    tcase_add_test(tc, edgelist_reports_unreadable_directory);
    tcase_add_test(tc, features_sparse_rows_become_sorted_csr);
    tcase_add_test(tc, features_dense_rows_fill_matrix);
    tcase_add_test(tc, features_header_without_rows_is_refused);
    tcase_add_test(tc, features_naming_no_node_leaves_graph_unchanged);
    tcase_add_test(tc, labels_string_classes_sorted_by_name);
    tcase_add_test(tc, labels_integer_classes_keep_their_value);
    tcase_add_test(tc, labels_large_integers_sort_numerically);
    tcase_add_test(tc, split_marks_listed_nodes_only);
    tcase_add_test(tc, load_finds_companion_files);
    tcase_add_test(tc, load_skips_companions_when_told);
    tcase_add_test(tc, load_reports_companion_errors);
    tcase_add_test(tc, load_rejects_unknown_extension);
    tcase_add_test(tc, load_builds_karate_by_name);
    tcase_add_test(tc, csv_round_trip_is_bit_exact);
    tcase_add_test(tc, csv_writes_header_and_quoted_names);
    tcase_add_test(tc, csv_save_into_missing_directory_fails_cleanly);
    tcase_add_test(tc, csv_save_rejects_line_breaks_in_names);
    tcase_add_test(tc, csv_load_reports_wrong_column_count);
    tcase_add_test(tc, csv_load_reports_non_numbers);
    tcase_add_test(tc, csv_load_reports_repeated_node);
    tcase_add_test(tc, csv_load_requires_header);
    suite_add_tcase(s, tc);

    tcase_add_test(data, load_cora_with_companions);
    suite_add_tcase(s, data);
    return s;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

int main(void)
{
    SRunner *runner;
    int failed;

    if (!mkdtemp(tmp_dir)) {
        perror("mkdtemp");
        return EXIT_FAILURE;
    }
    runner = srunner_create(io_suite());
    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    nftw(tmp_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

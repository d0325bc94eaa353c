/*
 * The input cases of gs_graph_load, one table row each: every accepted variant (edge-list
 * dialects, igraph's formats, gzip, NumPy, LINQS, generated features, features naming new
 * nodes) with its exact node, edge, feature and class counts, and every refusal with its
 * exact "FILE:LINE: expected ..., found ..." message.  Each case gets its own directory, so
 * companion files are found by name as a user's would be.
 */
#include <check.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "graphssl/io.h"

/* Created under the working directory (the build directory under meson test). */
static char tmp_dir[] = "graphssl_load_XXXXXX";

/* A NumPy array to write: descr, shape and values (at most 8). */
typedef struct npy_spec {
    const char *descr;        /* "<f4", "<f8", "<i8", ">f4" */
    int rows;
    int cols;
    double values[8];
    int drop_bytes;           /* bytes cut from the end, to make a truncated file */
} npy_spec_t;

typedef struct file_spec {
    const char *name;         /* NULL: no file */
    const char *content;
    size_t len;               /* 0: strlen(content) */
    bool gzip;                /* write the content gzip-compressed */
    const npy_spec_t *npy;    /* write this array instead of content */
} file_spec_t;

/* File specs: plain text, gzip-compressed text, bytes of a given length, a NumPy array. */
#define TEXT(name, text) {(name), (text), 0, false, NULL}
#define GZIP(name, text) {(name), (text), 0, true, NULL}
#define BYTES(name, bytes, len) {(name), (bytes), (len), false, NULL}
#define NPY(name, spec) {(name), NULL, 0, false, (spec)}

typedef struct load_case {
    const char *name;
    file_spec_t files[3];     /* files[0] is the graph */
    const char *format;
    const char *features;     /* --features */
    bool directed;
    bool weighted;
    bool strict;

    gs_status_t status;
    int error_file;           /* which file the error names */
    const char *error;        /* what follows its path */
    const char *warning[2];   /* the warnings logged in order, each after its file's path */
    int warning_file;

    int n_nodes, n_isolated;
    int64_t n_edges;
    int n_features, n_classes;
    const char *name_at[2];   /* "INDEX=NAME" checks on the node names */
} load_case_t;

static const npy_spec_t npy_f4 = {"<f4", 4, 2, {1, 2, 3, 4, 5, 6, 7, 8}, 0};
static const npy_spec_t npy_f8_be = {">f8", 3, 1, {0.5, -1, 2}, 0};
static const npy_spec_t npy_f8 = {"<f8", 2, 2, {1, 2, 3, 4}, 0};
static const npy_spec_t npy_nan = {"<f4", 3, 2, {1, 2, NAN, 4, 5, 6}, 0};
static const npy_spec_t npy_int = {"<i8", 3, 1, {1, 2, 3}, 0};
static const npy_spec_t npy_zero = {"<f8", 2, 2, {0, 0, 0, 0}, 0};
static const npy_spec_t npy_short = {"<f4", 3, 2, {1, 2, 3, 4, 5, 6}, 4};

static const char graphml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n"
    "<key id=\"w\" for=\"edge\" attr.name=\"weight\" attr.type=\"double\"/>\n"
    "<key id=\"nm\" for=\"node\" attr.name=\"name\" attr.type=\"string\"/>\n"
    "<graph id=\"G\" edgedefault=\"undirected\">\n"
    "<node id=\"n0\"><data key=\"nm\">alpha</data></node><node id=\"n1\"/><node id=\"n2\"/>\n"
    "<edge source=\"n0\" target=\"n1\"><data key=\"w\">1.5</data></edge>\n"
    "<edge source=\"n1\" target=\"n2\"/>\n"
    "</graph></graphml>\n";

static const char gml[] =
    "graph [\n directed 0\n node [ id 10 label \"a\" ]\n node [ id 20 label \"b\" ]\n"
    " node [ id 30 ]\n edge [ source 10 target 20 weight 2.5 ]\n"
    " edge [ source 20 target 10 weight 1 ]\n]\n";

static const char gml_directed[] =
    "graph [\n directed 1\n node [ id 1 ]\n node [ id 2 ]\n node [ id 3 ]\n"
    " edge [ source 1 target 2 ]\n edge [ source 2 target 1 ]\n edge [ source 2 target 3 ]\n"
    "]\n";

static const char pajek[] = "% drawn by hand\n*Vertices 3\n1 \"x\"\n2 \"y\"\n3 \"z\"\n"
                            "*Edges\n1 2\n2 3 4.5\n";

static const char content[] = "p1\t1\t0\t0\tTheory\np2\t0\t1\t0\tRule_Learning\n"
                              "p3\t0\t0\t1\tTheory\np4\t1\t1\t0\tCase_Based\n";

static const char small_graph[] = "0 1\n1 2\n2 0\n2 3\n";

/* gs_graph_load's list of formats, as the refusals print it. */
#define FORMATS "edgelist, graphml, gml, pajek, ncol, lgl, linqs"

static const load_case_t cases[] = {
    /* --- Edge lists ------------------------------------------------------------------- */
    {"header_words", {TEXT("g.csv", "source,target\n0,1\n1,2\n")}, .n_nodes = 3, .n_edges = 2},
    {"header_over_integers", {TEXT("g.tsv", "node_a\tnode_b\n7\t8\n8\t9\n")}, .n_nodes = 3,
     .n_edges = 2, .name_at = {"0=7"}},
    {"named_first_line_is_an_edge", {TEXT("g.txt", "alice bob\nbob carol\n")}, .n_nodes = 3,
     .n_edges = 2, .name_at = {"0=alice"}},
    {"column_words_used_as_names_are_an_edge", {TEXT("g.txt", "u v\nv w\n")}, .n_nodes = 3,
     .n_edges = 2, .name_at = {"0=u"}},
    {"header_with_weight", {TEXT("g.csv", "from,to,weight\n0,1,0.5\n1,2,2\n")}, .weighted = true,
     .n_nodes = 3, .n_edges = 2},
    {"third_column_without_flag", {TEXT("g.edgelist", "0 1\n1 2 0.5\n")},
     .status = GS_ERR_PARSE,
     .error = ":2: expected 2 columns (u v), found 3; pass --weighted to read weights"},
    {"huge_ids_make_as_many_nodes", {TEXT("g.edgelist", "5000000 9000000000000\n5000000 7\n")},
     .n_nodes = 3, .n_edges = 2, .name_at = {"0=7", "2=9000000000000"}},
    {"gapped_ids", {TEXT("g.el", "1 1000\n1000 1000000\n-4 1\n")}, .n_nodes = 4, .n_edges = 3,
     .name_at = {"0=-4", "3=1000000"}},
    {"directed_keeps_both_arcs", {TEXT("g.edgelist", "0 1\n1 0\n1 2\n")}, .directed = true,
     .n_nodes = 3, .n_edges = 3},
    {"undirected_merges_arcs", {TEXT("g.edgelist", "0 1\n1 0\n1 2\n")}, .n_nodes = 3,
     .n_edges = 2},
    {"bom_crlf_no_final_newline", {TEXT("g.edgelist", "\xEF\xBB\xBF" "a b\r\nb c")},
     .n_nodes = 3, .n_edges = 2, .name_at = {"0=a"}},
    {"comments_blank_lines", {TEXT("g.edgelist", "# made by hand\n% also a comment\n\n0 1\n\n")},
     .n_nodes = 2, .n_edges = 1},
    {"gzip_by_name", {GZIP("g.edgelist.gz", small_graph)}, .n_nodes = 4, .n_edges = 4},
    {"gzip_by_magic_bytes", {GZIP("g.edgelist", small_graph)}, .n_nodes = 4,
     .n_edges = 4},
    {"gzip_corrupt",
     {BYTES("g.edgelist", "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xff\xff\xff", 13)},
     .status = GS_ERR_PARSE,
     .error = ": expected complete gzip data, found corrupt data"},
    {"binary_nul", {BYTES("g.edgelist", "0 1\n\0\1\2", 7)}, .status = GS_ERR_PARSE,
     .error = ":2: expected text, found a NUL byte (is this a binary file?)"},
    {"binary_control_byte", {TEXT("g.edgelist", "0 1\x01\n")}, .status = GS_ERR_PARSE,
     .error = ":1: expected text, found the control byte 0x01 (is this a binary file?)"},
    {"empty_file", {TEXT("g.edgelist", "")}, .status = GS_ERR_INVALID,
     .error = ":1: expected at least one edge 'u v', found the end of the file"},
    {"only_comments", {TEXT("g.edgelist", "# nothing\n% here\n")}, .status = GS_ERR_INVALID,
     .error = ":2: expected at least one edge 'u v', found the end of the file"},
    {"one_node", {TEXT("g.edgelist", "\n# x\na a\n")}, .status = GS_ERR_INVALID,
     .error = ":3: expected a graph of at least 2 nodes, found 1 ('a')"},
    {"only_self_loops", {TEXT("g.edgelist", "a a\nb b\n")}, .status = GS_ERR_INVALID,
     .error = ":1: expected an edge between two different nodes, found only self loops"},
    {"weight_malformed", {TEXT("g.edgelist", "0 1 1\n1 2 1,5\n")}, .weighted = true,
     .status = GS_ERR_PARSE, .error = ":2: expected 3 columns (u v w), found 4"},
    {"weight_infinite", {TEXT("g.edgelist", "0 1 inf\n")}, .weighted = true,
     .status = GS_ERR_PARSE, .error = ":1: expected a finite number as the weight, found 'inf'"},
    {"weights_negative_degree", {TEXT("g.edgelist", "a b 1\nb c -2\nc a 0.5\n")},
     .weighted = true, .status = GS_ERR_INVALID,
     .error = ": edge weights at node 'b' sum to -1 (0 with the self loop); symmetric "
              "normalization needs a positive weighted degree: expected non-negative weights"},
    {"weights_negative_degree_above_minus_one", {TEXT("g.edgelist", "a b 2\nb c -0.5\n")},
     .weighted = true, .n_nodes = 3, .n_edges = 2},
    {"one_column", {TEXT("g.edgelist", "0 1\n2\n")}, .status = GS_ERR_PARSE,
     .error = ":2: expected 2 columns (u v), found 1"},
    {"unknown_extension", {TEXT("g.dot", "a b\n")}, .status = GS_ERR_UNSUPPORTED,
     .error = ": cannot tell the graph format from the file name; pass --format with one of "
              FORMATS},
    {"format_option_overrides", {TEXT("g.dot", "a b\n")}, .format = "edgelist", .n_nodes = 2,
     .n_edges = 1},

    /* --- Features --------------------------------------------------------------------- */
    {"features_add_isolated_nodes", {TEXT("g.edgelist", "0 1\n1 2\n"),
                                     TEXT("g.features", "0 0:1\n5 1:1\n3 2:1\n")},
     .warning = {": 2 feature rows name nodes not in the graph; added as isolated nodes "
                 "(first '5' on line 2)", ": 2 of 5 nodes have no row; their features are zero"},
     .warning_file = 1, .n_nodes = 5, .n_isolated = 2, .n_edges = 2, .n_features = 3,
     .name_at = {"3=3", "4=5"}},
    {"features_named_nodes_appended",
     {TEXT("g.edgelist", "a b\n"), TEXT("g.features", "a 1 2\nc 3 4\n")},
     .warning = {": 1 feature rows name nodes not in the graph; added as isolated nodes "
                 "(first 'c' on line 2)", ": 1 of 3 nodes have no row; their features are zero"},
     .warning_file = 1, .n_nodes = 3, .n_isolated = 1, .n_edges = 1, .n_features = 2,
     .name_at = {"2=c"}},
    {"features_dense_header", {TEXT("g.edgelist", "0 1\n1 2\n"),
                               TEXT("g.features", "id,f0,f1\n0,1,2\n1,3,4\n2,5,6\n")},
     .n_nodes = 3, .n_edges = 2, .n_features = 2},
    {"features_gzip",
     {TEXT("g.edgelist", "0 1\n1 2\n"), GZIP("g.features.gz", "0 0:1\n1 1:1\n2 4:1\n")},
     .n_nodes = 3, .n_edges = 2, .n_features = 5},
    {"features_header_only",
     {TEXT("g.edgelist", "0 1\n1 2\n"), TEXT("g.features", "# nodes=3 dim=3\n")},
     .status = GS_ERR_INVALID, .error_file = 1,
     .error = ": expected feature rows with at least one nonzero value, found no rows"},
    {"features_all_zero",
     {TEXT("g.edgelist", "0 1\n1 2\n"), TEXT("g.features", "0 0 0\n1 0 0\n2 0 0\n")},
     .status = GS_ERR_INVALID, .error_file = 1,
     .error = ": expected at least one nonzero feature value, found only zeros in 3 rows"},
    {"features_name_no_graph_node",
     {TEXT("g.edgelist", "0 1\n1 2\n"), TEXT("g.features", "a 0:1\nb 1:1\nc 2:1\n")},
     .status = GS_ERR_INVALID, .error_file = 1,
     .error = ": expected rows naming nodes of the graph, found none: all 3 rows name other "
              "nodes (first 'a' on line 1; the graph's first node is '0'); is this the "
              "graph's features file?"},
    {"features_nan", {TEXT("g.edgelist", "0 1\n"), TEXT("g.features", "0 1:nan\n")},
     .status = GS_ERR_PARSE, .error_file = 1,
     .error = ":1: expected a finite value, found '1:nan'"},
    {"features_past_dim",
     {TEXT("g.edgelist", "0 1\n"), TEXT("g.features", "# nodes=2 dim=4\n0 4:1\n")},
     .status = GS_ERR_PARSE, .error_file = 1,
     .error = ":2: expected a feature index below dim=4, found '4:1'"},
    {"features_malformed", {TEXT("g.edgelist", "0 1\n"), TEXT("g.features", "0 1:1 x\n")},
     .status = GS_ERR_PARSE, .error_file = 1, .error = ":1: expected 'index:value', found 'x'"},
    {"features_duplicate_row",
     {TEXT("g.edgelist", "0 1\n"), TEXT("g.features", "0 0:1\n1 0:1\n0 1:1\n")},
     .status = GS_ERR_PARSE, .error_file = 1,
     .error = ":3: expected one row per node, found a second row for node '0' (first on line 1)"},
    {"features_duplicate_new_node",
     {TEXT("g.edgelist", "0 1\n"), TEXT("g.features", "7 0:1\n7 1:1\n")},
     .status = GS_ERR_PARSE, .error_file = 1,
     .error = ":2: expected one row per node, found a second row for node '7' (first on line 1)"},
    {"features_dense_infinite", {TEXT("g.edgelist", "0 1\n"), TEXT("g.features", "0 1 -inf\n")},
     .status = GS_ERR_PARSE, .error_file = 1,
     .error = ":1: expected a finite number, found '-inf'"},
    {"features_binary", {TEXT("g.edgelist", "0 1\n"), BYTES("g.features", "\x7f" "ELF\0\0", 6)},
     .status = GS_ERR_PARSE, .error_file = 1,
     .error = ":1: expected text, found a NUL byte (is this a binary file?)"},
    {"npy_rows_by_index", {TEXT("g.edgelist", "0 1\n1 2\n"), NPY("g.npy", &npy_f4)},
     .warning = {": 1 feature rows name nodes not in the graph; added as isolated nodes "
                 "(first '3' on row 4)"},
     .warning_file = 1, .n_nodes = 4, .n_isolated = 1, .n_edges = 2, .n_features = 2,
     .name_at = {"3=3"}},
    {"npy_all_zero", {TEXT("g.edgelist", "0 1\n"), NPY("g.npy", &npy_zero)},
     .status = GS_ERR_INVALID, .error_file = 1,
     .error = ": expected at least one nonzero feature value, found only zeros in 2 rows"},
    {"npy_rows_by_ids_file", {TEXT("g.edgelist", "a b\nb c\n"), NPY("g.npy", &npy_f8_be),
                              TEXT("g.ids", "c\nb\na\n")},
     .n_nodes = 3, .n_edges = 2, .n_features = 1},
    {"npy_rows_need_ids_for_names", {TEXT("g.edgelist", "a b\n"), NPY("g.npy", &npy_f8)},
     .status = GS_ERR_INVALID, .error_file = 1,
     .error = ": expected an ids file naming the rows (the graph's node names are not "
              "integers), found none"},
    {"npy_nan", {TEXT("g.edgelist", "0 1\n"), NPY("g.npy", &npy_nan)}, .status = GS_ERR_PARSE,
     .error_file = 1, .error = ": row 2 column 1: expected a finite float32 value, found nan"},
    {"npy_integer_array", {TEXT("g.edgelist", "0 1\n"), NPY("g.npy", &npy_int)},
     .status = GS_ERR_PARSE, .error_file = 1,
     .error = ": expected a float32 or float64 array ('<f4' or '<f8'), found descr '<i8'"},
    {"npy_truncated", {TEXT("g.edgelist", "0 1\n"), NPY("g.npy", &npy_short)},
     .status = GS_ERR_PARSE, .error_file = 1,
     .error = ": expected 3 x 2 values of 4 bytes after the header, found 20 bytes"},

    /* --- Labels and splits ------------------------------------------------------------ */
    {"labels_string_classes",
     {TEXT("g.edgelist", "0 1\n1 2\n"), TEXT("g.labels", "0 b\n1 a\n2 b\n")},
     .n_nodes = 3, .n_edges = 2, .n_classes = 2},
    {"labels_unknown_node_warns",
     {TEXT("g.edgelist", "0 1\n1 2\n"), TEXT("g.labels", "0 0\nzz 1\n1 1\n")},
     .warning = {": ignored 1 rows for nodes not in the graph (first 'zz' on line 2)"},
     .warning_file = 1, .n_nodes = 3, .n_edges = 2, .n_classes = 2},
    {"labels_unknown_node_strict",
     {TEXT("g.edgelist", "0 1\n1 2\n"), TEXT("g.labels", "0 0\nzz 1\n")},
     .strict = true, .status = GS_ERR_PARSE, .error_file = 1,
     .error = ":2: expected a node of the graph or the features, found 'zz' (--strict)"},
    {"labels_for_feature_only_node",
     {TEXT("g.edgelist", "0 1\n"), TEXT("g.features", "0 0:1\n1 0:1\n9 1:1\n"),
                                      TEXT("g.labels", "0 x\n9 y\n")},
     .warning = {": 1 feature rows name nodes not in the graph; added as isolated nodes "
                 "(first '9' on line 3)"},
     .warning_file = 1, .n_nodes = 3, .n_isolated = 1, .n_edges = 1, .n_features = 2,
     .n_classes = 2},
    {"split_unknown_strict", {TEXT("g.edgelist", "0 1\n"), TEXT("g.split", "0 train\n4 test\n")},
     .strict = true, .status = GS_ERR_PARSE, .error_file = 1,
     .error = ":2: expected a node of the graph or the features, found '4' (--strict)"},
    {"labels_no_known_node", {TEXT("g.edgelist", "0 1\n"), TEXT("g.labels", "7 0\n8 1\n")},
     .status = GS_ERR_INVALID, .error_file = 1,
     .error = ":2: expected rows for nodes of the graph, found none"},

    /* --- igraph's formats ------------------------------------------------------------- */
    {"graphml_ids_as_names", {TEXT("g.graphml", graphml)}, .n_nodes = 3, .n_edges = 2,
     .name_at = {"0=n0", "2=n2"}},
    {"graphml_missing_weight", {TEXT("g.graphml", graphml)}, .weighted = true,
     .status = GS_ERR_PARSE,
     .error = ": expected a non-zero weight on every edge, found none on the edge 'n1' - 'n2'"},
    {"graphml_gzip", {GZIP("g.graphml.gz", graphml)}, .n_nodes = 3, .n_edges = 2},
    {"graphml_malformed",
     {TEXT("g.xml", "<graphml><graph><node id=\"a\"/>\n<edge source=\"a\" target=\"b\"/>\n")},
     .status = GS_ERR_PARSE,
     .error = ":2: expected valid GraphML, found: Line 2: Extra content at the end of the "
              "document"},
    {"graphml_empty", {TEXT("g.graphml", "\n\n")}, .status = GS_ERR_INVALID,
     .error = ":1: expected a GraphML graph, found an empty file"},
    {"gml_numeric_ids", {TEXT("g.gml", gml)}, .n_nodes = 3, .n_isolated = 1, .n_edges = 1,
     .name_at = {"0=10", "2=30"}},
    {"gml_weighted_duplicates_keep_first", {TEXT("g.gml", gml)}, .weighted = true, .n_nodes = 3,
     .n_isolated = 1, .n_edges = 1},
    {"gml_directed_merged", {TEXT("g.gml", gml_directed)}, .n_nodes = 3, .n_edges = 2},
    {"gml_directed_kept", {TEXT("g.gml", gml_directed)}, .directed = true, .n_nodes = 3,
     .n_edges = 3},
    {"gml_syntax_error",
     {TEXT("g.gml", "graph [\n node [ id 1 \n edge [ source 1 target 2 ]\n]\n")},
     .status = GS_ERR_PARSE,
     .error = ":5: expected valid GML, found: Parse error in GML file, line 5 (syntax error, "
              "unexpected end of file, expecting keyword or ])"},
    {"gml_one_node", {TEXT("g.gml", "graph [ node [ id 1 ] ]\n")}, .status = GS_ERR_INVALID,
     .error = ": expected a graph of at least 2 nodes, found 1"},
    {"pajek_labels_as_names", {TEXT("g.net", pajek)}, .n_nodes = 3, .n_edges = 2,
     .name_at = {"0=x", "2=z"}},
    {"pajek_missing_weight", {TEXT("g.net", pajek)}, .weighted = true, .status = GS_ERR_PARSE,
     .error = ": expected a non-zero weight on every edge, found 0 (or none) on the edge 'x' - "
              "'y'"},
    {"ncol_bom_and_comments", {TEXT("g.ncol", "\xEF\xBB\xBF" "a b 1\n# not a node\nb c\nc d 2\n")},
     .n_nodes = 4, .n_edges = 3, .name_at = {"0=a"}},
    {"ncol_missing_weight", {TEXT("g.ncol", "a b 1\nb c\n")}, .weighted = true,
     .status = GS_ERR_PARSE, .error = ":2: expected 3 columns (u v w), found 2 columns"},
    {"ncol_weighted", {TEXT("g.ncol", "a b 1\nb c 2\n")}, .weighted = true, .n_nodes = 3,
     .n_edges = 2},
    {"ncol_empty", {TEXT("g.ncol", "")}, .status = GS_ERR_INVALID,
     .error = ":1: expected a NCOL graph, found an empty file"},
    {"lgl_neighbour_lists", {TEXT("g.lgl", "# a\nb\nc\n# b\nc\n")}, .n_nodes = 3, .n_edges = 3},
    {"format_option_unknown", {TEXT("g.dot", "a b\n")}, .format = "dot",
     .status = GS_ERR_UNSUPPORTED, .error_file = -1,
     .error = "graph format 'dot' is not supported; expected one of " FORMATS},

    /* --- LINQS ------------------------------------------------------------------------ */
    {"linqs_pair_from_cites", {TEXT("g.cites", "p1\tp2\np2\tp1\np3\tp2\np9\tp1\n"),
                               TEXT("g.content", content)},
     .warning = {": 1 feature rows name nodes not in the graph; added as isolated nodes "
                 "(first 'p4' on line 4)", ": 1 of 5 nodes have no row; their features are zero"},
     .warning_file = 1, .n_nodes = 5, .n_isolated = 1, .n_edges = 3, .n_features = 3,
     .n_classes = 3},
    {"linqs_pair_from_content", {TEXT("g.content", content), TEXT("g.cites", "p1\tp2\np3\tp4\n")},
     .n_nodes = 4, .n_edges = 2, .n_features = 3, .n_classes = 3},
    {"linqs_ragged_row",
     {TEXT("g.cites", "p1\tp2\n"), TEXT("g.content", "p1\t1\t0\tA\np2\t1\tB\n")},
     .status = GS_ERR_PARSE, .error_file = 1,
     .error = ":2: expected 2 values after the id and a class (as on line 1), found 1"},

    /* --- Generated features ----------------------------------------------------------- */
    {"generate_identity", {TEXT("g.edgelist", small_graph)}, .features = "identity", .n_nodes = 4,
     .n_edges = 4, .n_features = 4},
    {"generate_degree", {TEXT("g.edgelist", small_graph)}, .features = "degree", .n_nodes = 4,
     .n_edges = 4, .n_features = 4},
    {"generate_degree_capped", {TEXT("g.edgelist", small_graph)}, .features = "degree:2",
     .n_nodes = 4, .n_edges = 4, .n_features = 2},
    {"generate_constant", {TEXT("g.edgelist", small_graph)}, .features = "constant", .n_nodes = 4,
     .n_edges = 4, .n_features = 1},
    {"generate_random", {TEXT("g.edgelist", small_graph)}, .features = "random:5", .n_nodes = 4,
     .n_edges = 4, .n_features = 5},
    {"generate_lap_eig", {TEXT("g.edgelist", small_graph)}, .features = "lap-eig:2", .n_nodes = 4,
     .n_edges = 4, .n_features = 2},
    {"generate_replaces_companion",
     {TEXT("g.edgelist", small_graph), TEXT("g.features", "0 0:1\n")},
     .features = "constant", .n_nodes = 4, .n_edges = 4, .n_features = 1},
    {"generate_unknown_kind", {TEXT("g.edgelist", small_graph)}, .features = "lapeig",
     .status = GS_ERR_INVALID, .error_file = -1,
     .error = "--features 'lapeig': expected a file or one of identity, degree[:K], constant, "
              "lap-eig[:K], random[:K], found neither"},
};

enum { N_CASES = sizeof cases / sizeof cases[0] };

/* --- Writing the files ---------------------------------------------------------------- */

/* The first warnings logged, in order, and how many there were. */
static char warnings[2][1024];
static int n_warnings;

static void capture_log(gs_log_level_t level, const char *message, void *user)
{
    (void)user;
    if (level == GS_LOG_WARN) {
        if (n_warnings < 2) {
            snprintf(warnings[n_warnings], sizeof warnings[0], "%s", message);
        }
        n_warnings++;
    }
}

static void write_bytes(const char *path, const void *data, size_t len, bool gzip)
{
    FILE *f;

    if (gzip) {
        gzFile z = gzopen(path, "wb");

        ck_assert_ptr_nonnull(z);
        ck_assert_int_eq(gzwrite(z, data, (unsigned)len), (int)len);
        gzclose(z);
        return;
    }
    f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    fclose(f);
}

/* Packs value as an item of descr's type and byte order. */
static void pack(const char *descr, double value, unsigned char *out)
{
    int item = descr[2] - '0';
    float f = (float)value;
    long long i = (long long)value;

    if (descr[1] == 'i') {
        memcpy(out, &i, 8);
    } else if (item == 4) {
        memcpy(out, &f, 4);
    } else {
        memcpy(out, &value, 8);
    }
    for (int k = 0; descr[0] == '>' && k < item / 2; k++) {
        unsigned char tmp = out[k];

        out[k] = out[item - 1 - k];
        out[item - 1 - k] = tmp;
    }
}

static void write_npy(const char *path, const npy_spec_t *a)
{
    unsigned char buf[512];
    char header[128];
    int item = a->descr[2] - '0';
    int len = snprintf(header, sizeof header, "{'descr': '%s', 'fortran_order': False, "
                       "'shape': (%d, %d), }", a->descr, a->rows, a->cols);
    size_t n = 10;

    /* Pad the header with spaces and a newline so the data starts on 16 bytes. */
    while ((10 + len + 1) % 16 != 0) {
        header[len++] = ' ';
    }
    header[len++] = '\n';
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    buf[8] = (unsigned char)(len & 255);
    buf[9] = (unsigned char)(len >> 8);
    memcpy(buf + n, header, (size_t)len);
    n += (size_t)len;
    for (int i = 0; i < a->rows * a->cols; i++) {
        pack(a->descr, a->values[i], buf + n);
        n += (size_t)item;
    }
    write_bytes(path, buf, n - (size_t)a->drop_bytes, false);
}

static void case_path(const char *dir, const char *name, char *out, size_t size)
{
    snprintf(out, size, "%s/%s", dir, name);
}

static void write_case_files(const load_case_t *c, const char *dir)
{
    char path[512];

    ck_assert_int_eq(mkdir(dir, 0700), 0);
    for (int i = 0; i < 3 && c->files[i].name; i++) {
        const file_spec_t *f = &c->files[i];

        case_path(dir, f->name, path, sizeof path);
        if (f->npy) {
            write_npy(path, f->npy);
        } else {
            write_bytes(path, f->content, f->len ? f->len : strlen(f->content), f->gzip);
        }
    }
}

/* --- Checking ------------------------------------------------------------------------- */

/* Nodes alone in their (weakly connected) component. */
static int count_isolated(const gs_graph_t *g)
{
    int32_t *membership = malloc(((size_t)g->n_nodes + 1) * sizeof *membership);
    int *size = calloc((size_t)g->n_nodes + 1, sizeof *size);
    int n = 0;

    ck_assert_int_eq(gs_graph_components(g, membership, NULL, NULL), GS_OK);
    for (int v = 0; v < g->n_nodes; v++) {
        size[membership[v]]++;
    }
    for (int v = 0; v < g->n_nodes; v++) {
        n += size[membership[v]] == 1;
    }
    free(membership);
    free(size);
    return n;
}

static void check_names(const load_case_t *c, const gs_graph_t *g)
{
    for (int i = 0; i < 2 && c->name_at[i]; i++) {
        int index = atoi(c->name_at[i]);
        const char *want = strchr(c->name_at[i], '=') + 1;

        ck_assert_msg(index < g->n_nodes, "case %s: no node %d", c->name, index);
        ck_assert_msg(strcmp(g->names[index], want) == 0, "case %s: node %d is '%s', want '%s'",
                      c->name, index, g->names[index], want);
    }
}

static void check_graph(const load_case_t *c, const gs_graph_t *g)
{
    ck_assert_msg(g->n_nodes == c->n_nodes, "case %s: %d nodes, want %d", c->name, g->n_nodes,
                  c->n_nodes);
    ck_assert_msg(g->n_edges == c->n_edges, "case %s: %lld edges, want %lld", c->name,
                  (long long)g->n_edges, (long long)c->n_edges);
    ck_assert_msg(count_isolated(g) == c->n_isolated, "case %s: %d isolated, want %d",
                  c->name, count_isolated(g), c->n_isolated);
    ck_assert_msg(g->n_features == c->n_features, "case %s: %d features, want %d", c->name,
                  g->n_features, c->n_features);
    ck_assert_msg(g->n_classes == c->n_classes, "case %s: %d classes, want %d", c->name,
                  g->n_classes, c->n_classes);
    ck_assert(g->directed == c->directed);
    check_names(c, g);
}

static void check_message(const load_case_t *c, const char *dir, int file, const char *suffix,
                          const char *got)
{
    char want[1024];
    char path[512];

    if (file < 0) {
        snprintf(want, sizeof want, "%s", suffix);
    } else {
        case_path(dir, c->files[file].name, path, sizeof path);
        snprintf(want, sizeof want, "%s%s", path, suffix);
    }
    ck_assert_msg(strcmp(got, want) == 0, "case %s:\n got  '%s'\n want '%s'", c->name, got,
                  want);
}

START_TEST(load_cases_match_table)
{
    const load_case_t *c = &cases[_i];
    char dir[256];
    char path[512];
    gs_load_options_t opt;
    gs_graph_t *g = NULL;
    gs_status_t status;

    snprintf(dir, sizeof dir, "%s/%s", tmp_dir, c->name);
    write_case_files(c, dir);
    case_path(dir, c->files[0].name, path, sizeof path);
    gs_load_options_init(&opt);
    opt.format = c->format;
    opt.features = c->features;
    opt.directed = c->directed;
    opt.weighted = c->weighted;
    opt.strict = c->strict;
    opt.seed = 7;

    n_warnings = 0;
    gs_log_set_handler(capture_log, NULL);
    gs_log_set_level(GS_LOG_DEBUG);
    status = gs_graph_load(&g, path, &opt);
    ck_assert_msg(status == c->status, "case %s: status %d (%s), want %d", c->name, status,
                  gs_last_error(), c->status);
    if (status != GS_OK) {
        ck_assert_ptr_null(g);
        check_message(c, dir, c->error_file, c->error, gs_last_error());
        return;
    }
    check_graph(c, g);
    ck_assert_msg(n_warnings == (c->warning[0] != NULL) + (c->warning[1] != NULL),
                  "case %s: %d warnings ('%s')", c->name, n_warnings, warnings[0]);
    for (int i = 0; i < n_warnings; i++) {
        check_message(c, dir, c->warning_file, c->warning[i], warnings[i]);
    }
    gs_graph_free(g);
}
END_TEST

/* --- Named tests ---------------------------------------------------------------------- */

static gs_graph_t *load_text(const char *name, const char *text, const char *features)
{
    char path[512];
    gs_load_options_t opt;
    gs_graph_t *g = NULL;

    snprintf(path, sizeof path, "%s/%s", tmp_dir, name);
    write_bytes(path, text, strlen(text), false);
    gs_load_options_init(&opt);
    opt.features = features;
    opt.seed = 11;
    ck_assert_int_eq(gs_graph_load(&g, path, &opt), GS_OK);
    return g;
}

START_TEST(load_new_feature_nodes_keep_numeric_order_and_data)
{
    gs_graph_t *g;
    char path[512];

    snprintf(path, sizeof path, "%s/order.labels", tmp_dir);
    write_bytes(path, "0 a\n2 b\n", 8, false);
    snprintf(path, sizeof path, "%s/order.features", tmp_dir);
    write_bytes(path, "1 5 6\n0 1 2\n4 9 9\n", 18, false);
    g = load_text("order.edgelist", "0 2\n2 5\n", NULL);

    /* Node "1" and "4" come only from the features; ids stay in ascending order. */
    ck_assert_int_eq(g->n_nodes, 5);
    ck_assert_str_eq(g->names[1], "1");
    ck_assert_str_eq(g->names[3], "4");
    ck_assert_int_eq(gs_graph_find_node(g, "5"), 4);
    ck_assert_int_eq(gs_graph_degree(g, 2), 2);
    ck_assert_int_eq(g->adj->indices[g->adj->indptr[2] + 1], 4);
    ck_assert_float_eq(g->features_dense[1 * 2 + 0], 5.0f);
    ck_assert_float_eq(g->features_dense[3 * 2 + 1], 9.0f);
    ck_assert_float_eq(g->features_dense[4 * 2 + 0], 0.0f);
    ck_assert_int_eq(g->labels[2], 1);
    ck_assert_int_eq(g->labels[1], -1);
    gs_graph_free(g);
}
END_TEST

START_TEST(load_random_features_follow_the_seed)
{
    gs_graph_t *a = load_text("seed.edgelist", small_graph, "random:3");
    gs_graph_t *b = load_text("seed.edgelist", small_graph, "random:3");

    ck_assert_mem_eq(a->features_dense, b->features_dense, 12 * sizeof(float));
    ck_assert(a->features_dense[0] != a->features_dense[1]);
    gs_graph_free(a);
    gs_graph_free(b);
}
END_TEST

START_TEST(load_reads_graph_from_standard_input_with_format)
{
    char path[512];
    gs_load_options_t opt;
    gs_graph_t *g = NULL;

    snprintf(path, sizeof path, "%s/stdin.gml", tmp_dir);
    write_bytes(path, gml, strlen(gml), true);
    ck_assert_ptr_nonnull(freopen(path, "rb", stdin));
    gs_load_options_init(&opt);
    opt.format = "gml";
    ck_assert_int_eq(gs_graph_load(&g, "-", &opt), GS_OK);
    ck_assert_int_eq(g->n_nodes, 3);
    ck_assert_int_eq(g->n_edges, 1);
    gs_graph_free(g);
}
END_TEST

static Suite *load_suite(void)
{
    Suite *s = suite_create("load");
    TCase *table = tcase_create("table");
    TCase *named = tcase_create("named");

    tcase_add_loop_test(table, load_cases_match_table, 0, N_CASES);
    suite_add_tcase(s, table);
    tcase_add_test(named, load_new_feature_nodes_keep_numeric_order_and_data);
    tcase_add_test(named, load_random_features_follow_the_seed);
    tcase_add_test(named, load_reads_graph_from_standard_input_with_format);
    suite_add_tcase(s, named);
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

    /* ARPACK's BLAS calls are tiny; spinning OpenBLAS workers only slow them down. */
    gs_threads_set(1);
    runner = srunner_create(load_suite());
    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    nftw(tmp_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

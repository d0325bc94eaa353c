/*
 * Tests of the TU graph-collection reader: a small hand-written data set loads as the
 * expected block-diagonal graph with its labels, duplicates merge, and malformed folders
 * fail with the file, line and reason.  The real data sets are checked against the counts
 * their README lists when GRAPHSSL_DATA(_DEFAULT) points at them.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "graphssl/tu.h"

static char root[256];
static char dir[300];

static void make_dir(void)
{
    snprintf(root, sizeof root, "/tmp/gs_tu_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(root));
    snprintf(dir, sizeof dir, "%s/TOY", root);
    ck_assert_int_eq(mkdir(dir, 0755), 0);
}

static void remove_dir(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[600];

    while (d && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            unlink(path);
        }
    }
    if (d) {
        closedir(d);
    }
    rmdir(dir);
    rmdir(root);
}

static void write_member(const char *suffix, const char *text)
{
    char path[600];
    FILE *f;

    snprintf(path, sizeof path, "%s/TOY_%s", dir, suffix);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

/* Graph 1: a triangle 1-2-3; graph 2: a path 4-5-6-7, with a duplicated entry. */
static void write_toy(const char *labels)
{
    write_member("A.txt", "1, 2\n2, 1\n2, 3\n3, 2\n1, 3\n3, 1\n4, 5\n5, 4\n5, 6\n6, 5\n"
                          "6, 7\n7, 6\n7, 6\n");
    write_member("graph_indicator.txt", "1\n1\n1\n2\n2\n2\n2\n");
    if (labels) {
        write_member("graph_labels.txt", labels);
    }
}

static void expect_error(gs_status_t status, const char *fragment)
{
    gs_graph_collection_t *c = NULL;

    ck_assert_int_eq(gs_tu_load(&c, dir), status);
    ck_assert_ptr_null(c);
    ck_assert_msg(strstr(gs_last_error(), fragment), "message '%s' lacks '%s'",
                  gs_last_error(), fragment);
}

START_TEST(tu_toy_collection_loads_as_blocks)
{
    gs_graph_collection_t *c;

    write_toy("1\n-1\n");
    ck_assert_int_eq(gs_tu_load(&c, dir), GS_OK);
    ck_assert_str_eq(c->name, "TOY");
    ck_assert_int_eq(c->n_graphs, 2);
    ck_assert_int_eq(c->offsets[0], 0);
    ck_assert_int_eq(c->offsets[1], 3);
    ck_assert_int_eq(c->offsets[2], 7);
    ck_assert_int_eq(c->graph->n_nodes, 7);
    ck_assert_int_eq(c->graph->n_edges, 6);
    ck_assert_int_eq(gs_graph_degree(c->graph, 0), 2);
    ck_assert_int_eq(gs_graph_degree(c->graph, 3), 1);
    ck_assert_int_eq(gs_graph_degree(c->graph, 5), 2);

    /* Labels -1 and 1 become classes 0 and 1 in ascending order. */
    ck_assert_int_eq(c->n_classes, 2);
    ck_assert_int_eq(c->labels[0], 1);
    ck_assert_int_eq(c->labels[1], 0);
    ck_assert_str_eq(c->class_names[0], "-1");
    gs_graph_collection_free(c);
}
END_TEST

START_TEST(tu_trailing_slash_and_missing_labels_are_fine)
{
    gs_graph_collection_t *c;
    char with_slash[320];

    write_toy(NULL);
    snprintf(with_slash, sizeof with_slash, "%s/", dir);
    ck_assert_int_eq(gs_tu_load(&c, with_slash), GS_OK);
    ck_assert_str_eq(c->name, "TOY");
    ck_assert_ptr_null(c->labels);
    ck_assert_int_eq(c->n_classes, 0);
    gs_graph_collection_free(c);
}
END_TEST

START_TEST(tu_rejects_an_edge_between_graphs)
{
    write_toy("0\n1\n");
    write_member("A.txt", "1, 2\n3, 4\n");
    expect_error(GS_ERR_PARSE, "TOY_A.txt:2: the edge 3-4 joins graphs 1 and 2");
}
END_TEST

START_TEST(tu_rejects_unordered_graph_ids)
{
    write_toy("0\n1\n");
    write_member("graph_indicator.txt", "1\n1\n2\n1\n2\n2\n2\n");
    expect_error(GS_ERR_PARSE, "TOY_graph_indicator.txt:4: graph id 1 breaks the order");
}
END_TEST

START_TEST(tu_rejects_a_node_out_of_range)
{
    write_toy("0\n1\n");
    write_member("A.txt", "1, 2\n2, 9\n");
    expect_error(GS_ERR_PARSE, "TOY_A.txt:2: node id out of range 1..7");
}
END_TEST

START_TEST(tu_rejects_a_label_count_mismatch)
{
    write_toy("0\n1\n1\n");
    expect_error(GS_ERR_PARSE, "3 labels for 2 graphs");
}
END_TEST

START_TEST(tu_rejects_malformed_lines)
{
    write_toy("0\n1\n");
    write_member("A.txt", "1, 2\n2, x\n");
    expect_error(GS_ERR_PARSE, "TOY_A.txt:2: expected an integer, found 'x'");
}
END_TEST

START_TEST(tu_missing_folder_is_an_io_error)
{
    gs_graph_collection_t *c = NULL;

    ck_assert_int_eq(gs_tu_load(&c, "/nonexistent/NOPE"), GS_ERR_IO);
    ck_assert_ptr_nonnull(strstr(gs_last_error(), "NOPE_graph_indicator.txt"));
}
END_TEST

/* IMDB-BINARY as its README counts it: every entry is listed twice. */
START_TEST(tu_imdb_binary_matches_published_counts)
{
    const char *data = getenv("GRAPHSSL_DATA") ? getenv("GRAPHSSL_DATA")
                                                : getenv("GRAPHSSL_DATA_DEFAULT");
    gs_graph_collection_t *c;
    char path[1024];

    if (!data) {
        return;
    }
    snprintf(path, sizeof path, "%s/tu/IMDB-BINARY", data);
    if (access(path, R_OK) != 0) {
        return;
    }
    ck_assert_int_eq(gs_tu_load(&c, path), GS_OK);
    ck_assert_int_eq(c->n_graphs, 1000);
    ck_assert_int_eq(c->graph->n_nodes, 19773);
    ck_assert_int_eq(c->graph->n_edges, 96531);
    ck_assert_int_eq(c->n_classes, 2);
    gs_graph_collection_free(c);
}
END_TEST

static Suite *tu_suite(void)
{
    Suite *s = suite_create("tu");
    TCase *tc = tcase_create("tu");

    tcase_add_checked_fixture(tc, make_dir, remove_dir);
    tcase_add_test(tc, tu_toy_collection_loads_as_blocks);
    tcase_add_test(tc, tu_trailing_slash_and_missing_labels_are_fine);
    tcase_add_test(tc, tu_rejects_an_edge_between_graphs);
    tcase_add_test(tc, tu_rejects_unordered_graph_ids);
    tcase_add_test(tc, tu_rejects_a_node_out_of_range);
    tcase_add_test(tc, tu_rejects_a_label_count_mismatch);
    tcase_add_test(tc, tu_rejects_malformed_lines);
    tcase_add_test(tc, tu_missing_folder_is_an_io_error);
    tcase_add_test(tc, tu_imdb_binary_matches_published_counts);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(tu_suite());
    int failed;

    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

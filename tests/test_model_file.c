/*
 * Tests of the model file: a round trip keeps every hyperparameter and tensor bit for bit,
 * saving is atomic, and a damaged, truncated, foreign, newer or other-method file is
 * rejected with a message that says which.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "graphssl/model_file.h"

/* A fresh temporary folder per test, removed with its files at the end. */
static char dir[256];

static void make_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/gs_model_file_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void remove_dir(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[512];

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
}

static char *path_in_dir(const char *name)
{
    static char path[512];

    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

static gs_tensor_t *counting_tensor(int rows, int cols, float scale)
{
    gs_tensor_t *t = gs_tensor_new(rows, cols);

    ck_assert_ptr_nonnull(t);
    for (int i = 0; i < rows * cols; i++) {
        t->data[i] = scale * (float)(i - 3) / 7.0f;
    }
    return t;
}

/* A file with two tensors and one hyperparameter of each type. */
static void save_sample(const char *path, const char *method)
{
    gs_model_file_t *mf = gs_model_file_new(method);
    gs_tensor_t *a = counting_tensor(3, 4, 1.0f), *b = counting_tensor(1, 5, -2.5f);

    ck_assert_ptr_nonnull(mf);
    ck_assert_int_eq(gs_model_file_set_int(mf, "hidden", -64), GS_OK);
    ck_assert_int_eq(gs_model_file_set_real(mf, "lr", 0.005), GS_OK);
    ck_assert_int_eq(gs_model_file_set_string(mf, "encoder", "gin"), GS_OK);
    ck_assert_int_eq(gs_model_file_add_tensor(mf, "a", a), GS_OK);
    ck_assert_int_eq(gs_model_file_add_tensor(mf, "b", b), GS_OK);
    ck_assert_int_eq(gs_model_file_save(mf, path), GS_OK);
    gs_model_file_free(mf);
    gs_tensor_free(a);
    gs_tensor_free(b);
}

static long file_size(const char *path)
{
    FILE *f = fopen(path, "rb");
    long n;

    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fclose(f);
    return n;
}

/* XORs one byte of the file at offset with mask. */
static void flip_byte(const char *path, long offset, unsigned char mask)
{
    FILE *f = fopen(path, "r+b");
    int c;

    ck_assert_ptr_nonnull(f);
    fseek(f, offset, SEEK_SET);
    c = fgetc(f);
    fseek(f, offset, SEEK_SET);
    fputc(c ^ mask, f);
    fclose(f);
}

static void expect_load_error(const char *path, const char *method, gs_status_t status,
                              const char *fragment)
{
    gs_model_file_t *mf = NULL;

    ck_assert_int_eq(gs_model_file_load(&mf, path, method), status);
    ck_assert_ptr_null(mf);
    ck_assert_msg(strstr(gs_last_error(), fragment), "message '%s' lacks '%s'",
                  gs_last_error(), fragment);
}

START_TEST(model_file_round_trip_keeps_everything)
{
    char *path = path_in_dir("m.model");
    gs_tensor_t *a = gs_tensor_new(3, 4), *b = gs_tensor_new(1, 5);
    gs_tensor_t *a_ref = counting_tensor(3, 4, 1.0f), *b_ref = counting_tensor(1, 5, -2.5f);
    gs_model_file_t *mf;
    const char *s;
    int64_t i;
    double r;

    save_sample(path, "gcc");
    ck_assert_int_eq(gs_model_file_load(&mf, path, "gcc"), GS_OK);
    ck_assert_str_eq(gs_model_file_method(mf), "gcc");
    ck_assert_int_eq(gs_model_file_get_int(mf, "hidden", &i), GS_OK);
    ck_assert_int_eq(i, -64);
    ck_assert_int_eq(gs_model_file_get_real(mf, "lr", &r), GS_OK);
    ck_assert(r == 0.005);
    ck_assert_int_eq(gs_model_file_get_string(mf, "encoder", &s), GS_OK);
    ck_assert_str_eq(s, "gin");
    ck_assert_int_eq(gs_model_file_read_tensor(mf, "a", a), GS_OK);
    ck_assert_int_eq(gs_model_file_read_tensor(mf, "b", b), GS_OK);
    ck_assert_mem_eq(a->data, a_ref->data, 12 * sizeof(float));
    ck_assert_mem_eq(b->data, b_ref->data, 5 * sizeof(float));

    gs_model_file_free(mf);
    gs_tensor_free(a);
    gs_tensor_free(b);
    gs_tensor_free(a_ref);
    gs_tensor_free(b_ref);
}
END_TEST

START_TEST(model_file_any_method_loads_with_null)
{
    char *path = path_in_dir("m.model");
    gs_model_file_t *mf;

    save_sample(path, "dgi");
    ck_assert_int_eq(gs_model_file_load(&mf, path, NULL), GS_OK);
    ck_assert_str_eq(gs_model_file_method(mf), "dgi");
    gs_model_file_free(mf);
}
END_TEST

START_TEST(model_file_save_replaces_atomically_without_leftovers)
{
    char *path = path_in_dir("m.model");
    DIR *d;
    struct dirent *e;
    int n_files = 0;

    save_sample(path, "gcc");
    save_sample(path, "vgae");
    expect_load_error(path, "gcc", GS_ERR_PARSE, "holds a vgae model, not gcc");

    d = opendir(dir);
    while ((e = readdir(d))) {
        n_files += e->d_name[0] != '.';
    }
    closedir(d);
    ck_assert_int_eq(n_files, 1);
}
END_TEST

START_TEST(model_file_detects_a_flipped_bit)
{
    char *path = path_in_dir("m.model");

    save_sample(path, "gcc");

    /* A bit in the middle of the tensor data. */
    flip_byte(path, file_size(path) - 30, 0x10);
    expect_load_error(path, "gcc", GS_ERR_PARSE, "damaged (checksum mismatch)");
}
END_TEST

START_TEST(model_file_detects_truncation)
{
    char *path = path_in_dir("m.model");

    save_sample(path, "gcc");
    ck_assert_int_eq(truncate(path, file_size(path) - 9), 0);
    expect_load_error(path, "gcc", GS_ERR_PARSE, "is truncated");
}
END_TEST

START_TEST(model_file_rejects_a_foreign_file)
{
    char *path = path_in_dir("m.model");
    FILE *f = fopen(path, "w");

    fputs("0 1\n1 2\n", f);
    fclose(f);
    expect_load_error(path, "gcc", GS_ERR_PARSE, "not a graphssl model file");
}
END_TEST

START_TEST(model_file_rejects_a_newer_version)
{
    char *path = path_in_dir("m.model");

    save_sample(path, "gcc");
    flip_byte(path, 8, 0x02);
    expect_load_error(path, "gcc", GS_ERR_PARSE, "version 3");
}
END_TEST

START_TEST(model_file_rejects_another_method)
{
    char *path = path_in_dir("m.model");

    save_sample(path, "dgi");
    expect_load_error(path, "gcc", GS_ERR_PARSE, "holds a dgi model, not gcc");
}
END_TEST

START_TEST(model_file_missing_file_is_an_io_error)
{
    expect_load_error(path_in_dir("absent.model"), "gcc", GS_ERR_IO, "cannot open");
}
END_TEST

START_TEST(model_file_save_into_missing_folder_fails)
{
    gs_model_file_t *mf = gs_model_file_new("gcc");

    ck_assert_int_eq(gs_model_file_save(mf, path_in_dir("no/such/m.model")), GS_ERR_IO);
    ck_assert_ptr_nonnull(strstr(gs_last_error(), "no/such/m.model"));
    gs_model_file_free(mf);
}
END_TEST

START_TEST(model_file_lookups_name_what_is_missing)
{
    char *path = path_in_dir("m.model");
    gs_tensor_t *wrong = gs_tensor_new(4, 3);
    gs_model_file_t *mf;
    int64_t i;
    double r;

    save_sample(path, "gcc");
    ck_assert_int_eq(gs_model_file_load(&mf, path, "gcc"), GS_OK);
    ck_assert_int_eq(gs_model_file_get_int(mf, "layers", &i), GS_ERR_PARSE);
    ck_assert_ptr_nonnull(strstr(gs_last_error(), "no hyperparameter 'layers'"));
    ck_assert_int_eq(gs_model_file_get_real(mf, "hidden", &r), GS_ERR_PARSE);
    ck_assert_ptr_nonnull(strstr(gs_last_error(), "'hidden' is an integer"));
    ck_assert_int_eq(gs_model_file_read_tensor(mf, "a", wrong), GS_ERR_PARSE);
    ck_assert_ptr_nonnull(strstr(gs_last_error(), "'a' is 3 x 4, expected 4 x 3"));
    ck_assert_int_eq(gs_model_file_read_tensor(mf, "c", wrong), GS_ERR_PARSE);
    ck_assert_ptr_nonnull(strstr(gs_last_error(), "no tensor 'c'"));
    gs_model_file_free(mf);
    gs_tensor_free(wrong);
}
END_TEST

START_TEST(model_file_rejects_duplicate_tensor_names)
{
    gs_model_file_t *mf = gs_model_file_new("gcc");
    gs_tensor_t *a = counting_tensor(2, 2, 1.0f);

    ck_assert_int_eq(gs_model_file_add_tensor(mf, "w", a), GS_OK);
    ck_assert_int_eq(gs_model_file_add_tensor(mf, "w", a), GS_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(gs_last_error(), "'w'"));
    gs_model_file_free(mf);
    gs_tensor_free(a);
}
END_TEST

static Suite *model_file_suite(void)
{
    Suite *s = suite_create("model_file");
    TCase *tc = tcase_create("model_file");

    tcase_add_checked_fixture(tc, make_dir, remove_dir);
    tcase_add_test(tc, model_file_round_trip_keeps_everything);
    tcase_add_test(tc, model_file_any_method_loads_with_null);
    tcase_add_test(tc, model_file_save_replaces_atomically_without_leftovers);
    tcase_add_test(tc, model_file_detects_a_flipped_bit);
    tcase_add_test(tc, model_file_detects_truncation);
    tcase_add_test(tc, model_file_rejects_a_foreign_file);
    tcase_add_test(tc, model_file_rejects_a_newer_version);
    tcase_add_test(tc, model_file_rejects_another_method);
    tcase_add_test(tc, model_file_missing_file_is_an_io_error);
    tcase_add_test(tc, model_file_save_into_missing_folder_fails);
    tcase_add_test(tc, model_file_lookups_name_what_is_missing);
    tcase_add_test(tc, model_file_rejects_duplicate_tensor_names);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(model_file_suite());
    int failed;

    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

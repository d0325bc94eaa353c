/*
 * Embeddings as CSV: a header "node,d0,...,d{D-1}", then one row per node, its name and D
 * values printed with %.9g (nine significant digits restore every float32 exactly).  Names
 * with a comma or a quote are quoted as RFC 4180 does.  Saving is atomic: the rows go to a
 * temporary file beside the target, renamed over it at the end.  Only a regular file is
 * replaced that way: a directory, a device, a FIFO or a symbolic link is refused.
 */
#include "graphssl/io.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common_internal.h"
#include "io/text_internal.h"

typedef struct csv_rows {
    char **names;
    long *lines;              /* each row's line, for messages */
    float *data;
    int n;
    int cap;
    int dim;
} csv_rows_t;

static gs_status_t check_names(char *const *names, int n)
{
    for (int v = 0; v < n; v++) {
        if (!names[v]) {
            return gs_i_error(GS_ERR_INVALID, "node %d has no name", v);
        }
        if (strpbrk(names[v], "\r\n")) {
            return gs_i_error(GS_ERR_INVALID, "the name of node %d contains a line break, "
                              "which CSV rows cannot hold", v);
        }
    }
    return GS_OK;
}

static void write_name(FILE *f, const char *name)
{
    if (*name != '\0' && !strpbrk(name, ",\"")) {
        fputs(name, f);
        return;
    }
    fputc('"', f);
    for (const char *p = name; *p; p++) {
        if (*p == '"') {
            fputc('"', f);
        }
        fputc(*p, f);
    }
    fputc('"', f);
}

/* Room for one value as ",%.9g" prints it: sign, nine digits, point, a three-digit exponent. */
enum { VALUE_CHARS = 24, BLOCK_ROWS = 256 };

/* Rows [v0, v1) of emb as text ",x,y,...", row r - v0 at text + (r - v0) * stride with its
 * length in lens.  printf's float formatting is most of the time of writing a file, and rows
 * are independent, so the threads share them. */
static void format_block(const gs_tensor_t *emb, int v0, int v1, char *text, size_t stride,
                         size_t *lens)
{
    #pragma omp parallel for schedule(static) if ((size_t)(v1 - v0) * emb->cols >= 65536)
    for (int v = v0; v < v1; v++) {
        const float *row = emb->data + (size_t)v * (size_t)emb->cols;
        char *out = text + (size_t)(v - v0) * stride;
        size_t len = 0;

        for (int j = 0; j < emb->cols; j++) {
            len += (size_t)snprintf(out + len, stride - len, ",%.9g", (double)row[j]);
        }
        lens[v - v0] = len;
    }
}

/* Writes header and rows; false when the stream reports an error or memory runs out. */
static bool write_rows(FILE *f, char *const *names, const gs_tensor_t *emb)
{
    size_t stride = (size_t)emb->cols * VALUE_CHARS + 1;
    char *text = malloc(stride * BLOCK_ROWS);
    size_t lens[BLOCK_ROWS];

    if (!text) {
        errno = ENOMEM;
        return false;
    }
    fputs("node", f);
    for (int j = 0; j < emb->cols; j++) {
        fprintf(f, ",d%d", j);
    }
    fputc('\n', f);

    for (int v0 = 0; v0 < emb->rows && !ferror(f); v0 += BLOCK_ROWS) {
        int v1 = emb->rows - v0 < BLOCK_ROWS ? emb->rows : v0 + BLOCK_ROWS;

        format_block(emb, v0, v1, text, stride, lens);
        for (int v = v0; v < v1; v++) {
            write_name(f, names[v]);
            fwrite(text + (size_t)(v - v0) * stride, 1, lens[v - v0], f);
            fputc('\n', f);
        }
    }
    free(text);
    return !ferror(f);
}

/* Writes everything into the open temporary file fd and closes it. */
static gs_status_t write_temp(int fd, const char *path, char *const *names,
                              const gs_tensor_t *emb)
{
    FILE *f = fdopen(fd, "w");
    bool ok;
    int saved_errno;

    if (!f) {
        saved_errno = errno;
        close(fd);
        return gs_i_error(GS_ERR_IO, "%s: cannot write: %s", path, strerror(saved_errno));
    }
    setvbuf(f, NULL, _IOFBF, 1 << 20);

    /* mkstemp creates the file private (0600); embeddings are ordinary output. */
    ok = fchmod(fd, 0644) == 0;
    ok = write_rows(f, names, emb) && ok;
    saved_errno = errno;
    if (fclose(f) != 0) {
        ok = false;
        saved_errno = errno;
    }
    if (!ok) {
        return gs_i_error(GS_ERR_IO, "%s: cannot write: %s", path, strerror(saved_errno));
    }
    return GS_OK;
}

gs_status_t gs_embeddings_save_csv(const char *path, char *const *names,
                                   const gs_tensor_t *emb)
{
    char *tmp;
    int fd;
    gs_status_t status;

    if (!path || !*path || !names || !emb) {
        return gs_i_error(GS_ERR_INVALID, "gs_embeddings_save_csv: a non-empty path, names "
                          "and embeddings are required");
    }
    GS_TRY(check_names(names, emb->rows));
    GS_TRY(gs_i_check_replaceable(path));
    tmp = malloc(strlen(path) + sizeof ".XXXXXX");
    if (!tmp) {
        return gs_i_error(GS_ERR_NOMEM, "%s: out of memory", path);
    }
    sprintf(tmp, "%s.XXXXXX", path);

    fd = mkstemp(tmp);
    if (fd < 0) {
        status = gs_i_error(GS_ERR_IO, "%s: cannot create a temporary file beside it: %s",
                            path, strerror(errno));
        free(tmp);
        return status;
    }
    status = write_temp(fd, path, names, emb);
    if (status == GS_OK && rename(tmp, path) != 0) {
        status = gs_i_error(GS_ERR_IO, "%s: cannot rename the temporary file into place: %s",
                            path, strerror(errno));
    }
    if (status != GS_OK) {
        unlink(tmp);
    }
    free(tmp);
    return status;
}

static void free_rows(csv_rows_t *r)
{
    for (int i = 0; r->names && i < r->n; i++) {
        free(r->names[i]);
    }
    free(r->names);
    free(r->lines);
    free(r->data);
}

static gs_status_t read_header(gs_i_text_t *t, csv_rows_t *r)
{
    float v;

    GS_TRY(gs_i_text_next(t));
    if (t->n_tok == 0) {
        return gs_i_error(GS_ERR_PARSE, "%s: empty file; expected a header 'node,d0,...'",
                          t->name);
    }
    if (t->n_tok < 2 || gs_i_parse_float(t->tok[1], &v, NULL)) {
        return gs_i_error(GS_ERR_PARSE, "%s:%ld: expected a header 'node,d0,...' with at "
                          "least one column of values", t->name, t->line);
    }
    r->dim = t->n_tok - 1;
    return GS_OK;
}

static gs_status_t grow_rows(csv_rows_t *r, const gs_i_text_t *t)
{
    int cap = r->cap ? (r->cap < INT_MAX / 2 ? 2 * r->cap : INT_MAX) : 1024;
    char **names = realloc(r->names, (size_t)cap * sizeof *names);
    long *lines = names ? realloc(r->lines, (size_t)cap * sizeof *lines) : NULL;
    float *data;

    if (names) {
        r->names = names;
    }
    if (lines) {
        r->lines = lines;
    }
    data = lines ? realloc(r->data, (size_t)cap * (size_t)r->dim * sizeof *data) : NULL;
    if (!data || r->n == INT_MAX) {
        return gs_i_error(GS_ERR_NOMEM, "%s:%ld: out of memory for the embeddings", t->name,
                          t->line);
    }
    r->data = data;
    r->cap = cap;
    return GS_OK;
}

static gs_status_t read_row(const gs_i_text_t *t, csv_rows_t *r)
{
    float *row;

    if (t->n_tok != r->dim + 1) {
        return gs_i_error(GS_ERR_PARSE, "%s:%ld: expected %d columns (node and %d values), "
                          "found %d", t->name, t->line, r->dim + 1, r->dim, t->n_tok);
    }
    if (r->n == r->cap) {
        GS_TRY(grow_rows(r, t));
    }
    row = r->data + (size_t)r->n * (size_t)r->dim;
    for (int j = 0; j < r->dim; j++) {
        if (!gs_i_parse_float(t->tok[j + 1], &row[j], NULL)) {
            return gs_i_error(GS_ERR_PARSE, "%s:%ld: column %d: expected a finite number, "
                              "found '%s'", t->name, t->line, j + 2, t->tok[j + 1]);
        }
    }
    r->names[r->n] = strdup(t->tok[0]);
    if (!r->names[r->n]) {
        return gs_i_error(GS_ERR_NOMEM, "%s:%ld: out of memory", t->name, t->line);
    }
    r->lines[r->n++] = t->line;
    return GS_OK;
}

typedef struct name_row {
    const char *name;
    int row;
} name_row_t;

/* By name, then by row, so a repeat sorts right after the row it repeats. */
static int compare_name_rows(const void *a, const void *b)
{
    const name_row_t *x = a;
    const name_row_t *y = b;
    int c = strcmp(x->name, y->name);

    return c != 0 ? c : (x->row > y->row) - (x->row < y->row);
}

/* Refuses a node named by two rows, naming the earliest repeat in the file. */
static gs_status_t check_unique(const gs_i_text_t *t, const csv_rows_t *r)
{
    name_row_t *s = malloc((size_t)r->n * sizeof *s);
    int repeat = -1, first = -1;

    if (!s) {
        return gs_i_error(GS_ERR_NOMEM, "%s: out of memory checking node names", t->name);
    }
    for (int i = 0; i < r->n; i++) {
        s[i] = (name_row_t){r->names[i], i};
    }
    qsort(s, (size_t)r->n, sizeof *s, compare_name_rows);
    for (int i = 1, start = 0; i < r->n; i++) {
        if (strcmp(s[i].name, s[start].name) != 0) {
            start = i;
        } else if (repeat < 0 || s[i].row < repeat) {
            repeat = s[i].row;
            first = s[start].row;
        }
    }
    free(s);
    if (repeat < 0) {
        return GS_OK;
    }
    return gs_i_error(GS_ERR_PARSE, "%s:%ld: expected one row per node, found a second row "
                      "for node '%s' (first on line %ld)", t->name, r->lines[repeat],
                      r->names[repeat], r->lines[first]);
}

static gs_status_t read_all_rows(gs_i_text_t *t, csv_rows_t *r)
{
    GS_TRY(read_header(t, r));
    for (;;) {
        GS_TRY(gs_i_text_next(t));
        if (t->n_tok == 0) {
            break;
        }
        GS_TRY(read_row(t, r));
    }
    if (r->n == 0) {
        return gs_i_error(GS_ERR_INVALID, "%s: no embedding rows found", t->name);
    }
    return check_unique(t, r);
}

gs_status_t gs_embeddings_load_csv(const char *path, char ***names, gs_tensor_t **emb)
{
    gs_i_text_t t;
    csv_rows_t r = {0};
    gs_tensor_t *e = NULL;
    gs_status_t status;

    if (!names || !emb) {
        return gs_i_error(GS_ERR_INVALID, "gs_embeddings_load_csv: names and emb are required");
    }
    *names = NULL;
    *emb = NULL;
    GS_TRY(gs_i_text_open(&t, path, GS_I_TEXT_CSV));

    status = read_all_rows(&t, &r);
    if (status == GS_OK) {
        e = gs_tensor_new(r.n, r.dim);
        status = e ? GS_OK : gs_i_error(GS_ERR_NOMEM, "%s: out of memory", t.name);
    }
    if (status == GS_OK) {
        memcpy(e->data, r.data, (size_t)r.n * (size_t)r.dim * sizeof *e->data);
        *names = r.names;
        *emb = e;
        r.names = NULL;
    }
    free_rows(&r);
    gs_i_text_close(&t);
    return status;
}

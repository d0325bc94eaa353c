/*
 * Labels ("id label") and splits ("id train|val|test").  Both are two-column files keyed
 * by node name, read by one routine: rows may come in any order, rows naming nodes that
 * are not in the graph are counted and skipped with a warning (an error under --strict), a
 * node given twice is an error.  Classes may be integers or any names; the names are kept.
 */
#include "graphssl/io.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common_internal.h"
#include "graph/graph_internal.h"
#include "io/features_internal.h"
#include "io/text_internal.h"

/* Per node, the second column of its row (a pointer into the text) and the row's line. */
typedef struct keyed_rows {
    gs_i_text_t t;
    const char **value;   /* NULL for a node without a row */
    long *line;
    int n_rows;           /* rows matched to a node */
} keyed_rows_t;

/* Checks a matched row's second column; NULL when any value is accepted. */
typedef gs_status_t (*check_value_fn)(const gs_i_text_t *t);

typedef struct label_slot {
    const char *name;
    int64_t number;       /* the label's value when every label is an integer */
    int32_t node;
} label_slot_t;

static void warn_unknown(const gs_i_text_t *t, int64_t n, const char *first, long line)
{
    gs_i_log(GS_LOG_WARN, "%s: ignored %" PRId64 " rows for nodes not in the graph (first "
             "'%s' on line %ld)", t->name, n, first, line);
}

/* Reads every "id value" row; columns ("id label") and what ("label") go into messages.
 * With strict, a row naming a node the graph lacks is an error. */
static gs_status_t read_rows(const gs_graph_t *g, keyed_rows_t *k, const char *columns,
                             const char *what, check_value_fn check, bool strict)
{
    gs_i_text_t *t = &k->t;
    int64_t n_unknown = 0;
    const char *first_unknown = NULL;
    long first_unknown_line = 0;

    for (;;) {
        int node;

        GS_TRY(gs_i_text_next(t));
        if (t->n_tok == 0) {
            break;
        }
        if (t->n_tok != 2) {
            return gs_i_error(GS_ERR_PARSE, "%s:%ld: expected 2 columns (%s), found %d",
                              t->name, t->line, columns, t->n_tok);
        }
        node = gs_graph_find_node(g, t->tok[0]);
        if (node < 0 && strict) {
            return gs_i_error(GS_ERR_PARSE, "%s:%ld: expected a node of the graph or the "
                              "features, found '%s' (--strict)", t->name, t->line, t->tok[0]);
        }
        if (node < 0) {
            if (n_unknown++ == 0) {
                first_unknown = t->tok[0];
                first_unknown_line = t->line;
            }
            continue;
        }
        if (k->value[node]) {
            return gs_i_error(GS_ERR_PARSE, "%s:%ld: expected one %s per node, found a "
                              "second for node '%s' (first on line %ld)", t->name, t->line,
                              what, t->tok[0], k->line[node]);
        }
        if (check) {
            GS_TRY(check(t));
        }
        k->value[node] = t->tok[1];
        k->line[node] = t->line;
        k->n_rows++;
    }

    if (n_unknown > 0) {
        warn_unknown(t, n_unknown, first_unknown, first_unknown_line);
    }
    if (k->n_rows == 0) {
        return gs_i_error(GS_ERR_INVALID, "%s:%ld: expected rows for nodes of the graph, "
                          "found none", t->name, t->line > 0 ? t->line : 1);
    }
    return GS_OK;
}

static gs_status_t open_rows(const gs_graph_t *g, const char *path, keyed_rows_t *k)
{
    memset(k, 0, sizeof *k);
    if (!g) {
        return gs_i_error(GS_ERR_INVALID, "no graph given for '%s'", path ? path : "");
    }
    GS_TRY(gs_i_text_open(&k->t, path, GS_I_TEXT_WORDS));
    k->value = calloc((size_t)g->n_nodes + 1, sizeof *k->value);
    k->line = calloc((size_t)g->n_nodes + 1, sizeof *k->line);
    if (!k->value || !k->line) {
        return gs_i_error(GS_ERR_NOMEM, "%s: out of memory", k->t.name);
    }
    return GS_OK;
}

static void close_rows(keyed_rows_t *k)
{
    free(k->value);
    free(k->line);
    gs_i_text_close(&k->t);
}

static int compare_by_number(const void *a, const void *b)
{
    int64_t x = ((const label_slot_t *)a)->number;
    int64_t y = ((const label_slot_t *)b)->number;

    return (x > y) - (x < y);
}

static int compare_by_name(const void *a, const void *b)
{
    return strcmp(((const label_slot_t *)a)->name, ((const label_slot_t *)b)->name);
}

/* Collects the labelled nodes and whether every label is an integer 0..n_rows-1. */
static label_slot_t *collect_labels(const gs_graph_t *g, const char *const *value, int n_rows,
                                    bool *all_integers, bool *small_integers)
{
    label_slot_t *slots = malloc(((size_t)n_rows + 1) * sizeof *slots);
    int n = 0;

    *all_integers = true;
    *small_integers = true;
    for (int v = 0; slots && v < g->n_nodes; v++) {
        label_slot_t *s = &slots[n];

        if (!value[v]) {
            continue;
        }
        *s = (label_slot_t){value[v], 0, v};
        *all_integers = *all_integers && gs_i_parse_canonical_int(s->name, &s->number);
        *small_integers = *small_integers && *all_integers && s->number >= 0 &&
                          s->number < n_rows;
        n++;
    }
    return slots;
}

/* Names class c by the decimal c, for integer classes no node carries. */
static gs_status_t name_missing_classes(char **names, int n_classes)
{
    char buf[24];

    for (int c = 0; c < n_classes; c++) {
        if (!names[c]) {
            snprintf(buf, sizeof buf, "%d", c);
            names[c] = strdup(buf);
        }
        if (!names[c]) {
            return gs_i_error(GS_ERR_NOMEM, "out of memory for %d class names", n_classes);
        }
    }
    return GS_OK;
}

/*
 * Class c is the integer c when every label is an integer 0..C-1 (C bounded by the number
 * of labelled nodes, so a stray large number cannot create millions of classes).  Else the
 * distinct labels in sorted order, numeric when they are all integers.
 */
static gs_status_t assign_classes(label_slot_t *slots, int n, bool all_integers,
                                  bool by_value, int32_t *labels, char **names,
                                  int *n_classes)
{
    int c = -1;

    if (!by_value) {
        qsort(slots, (size_t)n, sizeof *slots, all_integers ? compare_by_number :
              compare_by_name);
    }
    *n_classes = 0;
    for (int i = 0; i < n; i++) {
        if (by_value) {
            c = (int)slots[i].number;
        } else if (i == 0 || strcmp(slots[i].name, slots[i - 1].name) != 0) {
            c++;
        }
        labels[slots[i].node] = c;
        *n_classes = c + 1 > *n_classes ? c + 1 : *n_classes;
        if (!names[c] && !(names[c] = strdup(slots[i].name))) {
            return gs_i_error(GS_ERR_NOMEM, "out of memory for the class names");
        }
    }
    return name_missing_classes(names, *n_classes);
}

static void free_names(char **names, int n)
{
    for (int c = 0; names && c < n; c++) {
        free(names[c]);
    }
    free(names);
}

static gs_status_t install_labels(gs_graph_t *g, const char *const *value, int n_rows,
                                  const char *file)
{
    bool all_integers;
    bool small_integers;
    label_slot_t *slots = collect_labels(g, value, n_rows, &all_integers, &small_integers);
    int32_t *labels = malloc(((size_t)g->n_nodes + 1) * sizeof *labels);
    char **names = calloc((size_t)n_rows + 1, sizeof *names);
    int n_classes = 0;
    gs_status_t status;

    if (!slots || !labels || !names) {
        status = gs_i_error(GS_ERR_NOMEM, "%s: out of memory for the labels", file);
    } else {
        for (int v = 0; v < g->n_nodes; v++) {
            labels[v] = -1;
        }
        status = assign_classes(slots, n_rows, all_integers, small_integers, labels, names,
                                &n_classes);
    }
    free(slots);
    if (status != GS_OK) {
        free(labels);
        free_names(names, n_rows);
        return status;
    }

    free(g->labels);
    free_names(g->class_names, g->n_classes);
    g->labels = labels;
    g->class_names = names;
    g->n_classes = n_classes;
    return GS_OK;
}

gs_status_t gs_i_labels_set(gs_graph_t *g, const char *const *value, const char *file)
{
    int n_rows = 0;

    for (int v = 0; v < g->n_nodes; v++) {
        n_rows += value[v] != NULL;
    }
    if (n_rows == 0) {
        return gs_i_error(GS_ERR_INVALID, "%s: expected labels for nodes of the graph, found "
                          "none", file);
    }
    return install_labels(g, value, n_rows, file);
}

gs_status_t gs_i_labels_load(gs_graph_t *g, const char *path, bool strict)
{
    keyed_rows_t k;
    gs_status_t status = open_rows(g, path, &k);

    if (status == GS_OK) {
        status = read_rows(g, &k, "id label", "label", NULL, strict);
    }
    if (status == GS_OK) {
        status = install_labels(g, k.value, k.n_rows, k.t.name);
    }
    close_rows(&k);
    return status;
}

gs_status_t gs_labels_load(gs_graph_t *g, const char *path)
{
    return gs_i_labels_load(g, path, false);
}

static gs_split_t split_of(const char *word)
{
    if (strcmp(word, "train") == 0) {
        return GS_SPLIT_TRAIN;
    }
    if (strcmp(word, "val") == 0) {
        return GS_SPLIT_VAL;
    }
    return strcmp(word, "test") == 0 ? GS_SPLIT_TEST : GS_SPLIT_NONE;
}

static gs_status_t check_split_word(const gs_i_text_t *t)
{
    if (split_of(t->tok[1]) == GS_SPLIT_NONE) {
        return gs_i_error(GS_ERR_PARSE, "%s:%ld: expected train, val or test, found '%s'",
                          t->name, t->line, t->tok[1]);
    }
    return GS_OK;
}

gs_status_t gs_i_split_load(gs_graph_t *g, const char *path, bool strict)
{
    keyed_rows_t k;
    uint8_t *split = NULL;
    gs_status_t status = open_rows(g, path, &k);

    if (status == GS_OK) {
        status = read_rows(g, &k, "id train|val|test", "split entry", check_split_word,
                           strict);
    }
    if (status == GS_OK) {
        split = malloc((size_t)g->n_nodes + 1);
        status = split ? GS_OK : gs_i_error(GS_ERR_NOMEM, "%s: out of memory", k.t.name);
    }
    if (status == GS_OK) {
        for (int v = 0; v < g->n_nodes; v++) {
            split[v] = (uint8_t)(k.value[v] ? split_of(k.value[v]) : GS_SPLIT_NONE);
        }
        free(g->split);
        g->split = split;
    }
    close_rows(&k);
    return status;
}

gs_status_t gs_split_load(gs_graph_t *g, const char *path)
{
    return gs_i_split_load(g, path, false);
}

/*
 * The library in a few calls: load a graph with its companion files, train DGI with the
 * paper's defaults, and write the embeddings as CSV.
 *
 *     dgi_embed GRAPH OUT.csv [MAX_EPOCHS]
 *
 * Build outside this tree with:
 *     cc dgi_embed.c $(pkg-config --cflags --libs graphssl) -o dgi_embed
 */
#include <stdio.h>
#include <stdlib.h>

#include <graphssl/graphssl.h>

static int fail(const char *what)
{
    fprintf(stderr, "dgi_embed: %s: %s\n", what, gs_last_error());
    return 1;
}

int main(int argc, char **argv)
{
    gs_graph_t *graph = NULL;
    gs_dgi_t *model = NULL;
    gs_tensor_t *embeddings = NULL;
    gs_train_report_t report;
    gs_dgi_options_t options;
    int rc = 1;

    if (argc < 3) {
        fprintf(stderr, "usage: dgi_embed GRAPH OUT.csv [MAX_EPOCHS]\n");
        return 2;
    }
    if (gs_graph_load(&graph, argv[1], NULL) != GS_OK) {
        return fail("loading the graph");
    }
    if (graph->n_features == 0 && gs_graph_set_identity_features(graph) != GS_OK) {
        rc = fail("making identity features");
        goto done;
    }

    gs_dgi_options_init(&options);
    if (argc > 3) {
        options.max_epochs = atoi(argv[3]);
    }
    if (gs_dgi_train(graph, &options, &model, &report) != GS_OK) {
        rc = fail("training");
        goto done;
    }
    if (gs_dgi_embed(model, graph, &embeddings) != GS_OK ||
        gs_embeddings_save_csv(argv[2], graph->names, embeddings) != GS_OK) {
        rc = fail("embedding");
        goto done;
    }
    printf("%d epochs (best %d, loss %.4f); wrote %d x %d embeddings to %s\n", report.epochs,
           report.best_epoch, report.best_loss, embeddings->rows, embeddings->cols, argv[2]);
    rc = 0;

done:
    gs_tensor_free(embeddings);
    gs_dgi_free(model);
    gs_graph_free(graph);
    return rc;
}

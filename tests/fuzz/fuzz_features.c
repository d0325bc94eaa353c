/*
 * libFuzzer harness: the features parsers — text rows (sparse or dense), NumPy .npy, LINQS
 * .content — and the matching of rows to nodes, which adds nodes to the graph.  Option byte:
 * bit 0 string node names, bit 1 LINQS content.
 */
#include "fuzz_input.h"
#include "io/features_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gs_graph_t *g;
    const char *path;

    if (size < 1 || !(path = fuzz_file(data + 1, size - 1))) {
        return 0;
    }
    g = fuzz_graph(data[0] & 1);
    if (data[0] & 2) {
        gs_i_linqs_content_load(g, path);
    } else {
        gs_features_load(g, path);
    }
    gs_graph_free(g);
    return 0;
}

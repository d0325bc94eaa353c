/*
 * libFuzzer harness: the edge-list parser (and gzip inflation, the text checks, the node
 * interning).  Option byte: bit 0 directed, bit 1 weighted.
 */
#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gs_graph_t *g = NULL;
    const char *path;

    if (size < 1 || !(path = fuzz_file(data + 1, size - 1))) {
        return 0;
    }
    if (gs_edgelist_load(&g, path, data[0] & 1, data[0] & 2) == GS_OK) {
        gs_graph_components(g, NULL, NULL, NULL);
    }
    gs_graph_free(g);
    return 0;
}

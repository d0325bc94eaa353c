/*
 * libFuzzer harness: the labels and split parsers.  Option byte: bit 0 string node names,
 * bit 1 split instead of labels, bit 2 strict.
 */
#include "fuzz_input.h"
#include "io/features_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gs_graph_t *g;
    const char *path;
    bool strict;

    if (size < 1 || !(path = fuzz_file(data + 1, size - 1))) {
        return 0;
    }
    g = fuzz_graph(data[0] & 1);
    strict = data[0] & 4;
    if (data[0] & 2) {
        gs_i_split_load(g, path, strict);
    } else {
        gs_i_labels_load(g, path, strict);
    }
    gs_graph_free(g);
    return 0;
}

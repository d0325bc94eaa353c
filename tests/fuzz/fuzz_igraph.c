/*
 * libFuzzer harness: the igraph-format path — GraphML, GML, Pajek, NCOL and LGL through
 * igraph's readers, with graphssl's checks around them.  Option byte: value % 5 the format,
 * bit 3 directed, bit 4 weighted.
 */
#include "fuzz_input.h"
#include "io/igraph_formats_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gs_graph_t *g = NULL;
    const char *path;

    if (size < 1 || !(path = fuzz_file(data + 1, size - 1))) {
        return 0;
    }
    gs_i_igraph_format_load(&g, path, (gs_i_format_t)(data[0] % 5), data[0] & 8,
                            data[0] & 16);
    gs_graph_free(g);
    return 0;
}

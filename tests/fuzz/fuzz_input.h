/*
 * What every libFuzzer harness shares: the library's loaders take file names, so each input
 * is written to an in-memory file (memfd) and handed over as /proc/self/fd/N, which also
 * exercises the real reading path.  The first input byte chooses the harness's options.
 */
#ifndef GS_FUZZ_INPUT_H
#define GS_FUZZ_INPUT_H

#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "graphssl/graphssl.h"

/* The library logs warnings for some inputs; a fuzzer run has no use for them. */
static void fuzz_quiet(gs_log_level_t level, const char *message, void *user)
{
    (void)level;
    (void)message;
    (void)user;
}

/* Writes data to the harness's memfd; returns its path, or NULL when that fails. */
static const char *fuzz_file(const uint8_t *data, size_t size)
{
    static char path[64];
    static int fd = -1;

    if (fd < 0) {
        fd = memfd_create("graphssl_fuzz", 0);
        if (fd < 0) {
            return NULL;
        }
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        gs_log_set_handler(fuzz_quiet, NULL);
        gs_threads_set(1);
    }
    if (ftruncate(fd, 0) != 0 || (size > 0 && pwrite(fd, data, size, 0) != (ssize_t)size)) {
        return NULL;
    }
    return path;
}

/* A small graph to attach features, labels and splits to: a path over five nodes, named
 * 0..4 or (string_names) a..e. */
static gs_graph_t *fuzz_graph(int string_names)
{
    static char *letters[] = {"a", "b", "c", "d", "e"};
    int32_t src[] = {0, 1, 2, 3};
    int32_t dst[] = {1, 2, 3, 4};
    gs_graph_t *g = NULL;

    gs_graph_from_edges(&g, 5, src, dst, NULL, 4, 0, string_names ? letters : NULL);
    return g;
}

#endif

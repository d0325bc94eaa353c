/*
 * The baseline of the loading benchmark: igraph's own igraph_read_graph_edgelist on the same
 * file, timed from opening the file to having the graph, with the peak RSS of the process.
 * Prints one JSON line like graphssl's --json.
 *
 *   igraph_read_edgelist FILE
 */
#include <igraph.h>
#include <stdio.h>
#include <sys/resource.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    struct rusage ru;
    igraph_t g;
    double start = now();
    double seconds;
    FILE *f;

    if (argc != 2) {
        fprintf(stderr, "usage: igraph_read_edgelist FILE\n");
        return 2;
    }
    f = fopen(argv[1], "r");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    if (igraph_read_graph_edgelist(&g, f, 0, IGRAPH_UNDIRECTED) != IGRAPH_SUCCESS) {
        fprintf(stderr, "igraph could not read %s\n", argv[1]);
        return 1;
    }
    fclose(f);
    seconds = now() - start;
    getrusage(RUSAGE_SELF, &ru);
    printf("{\"nodes\":%" IGRAPH_PRId ",\"edges\":%" IGRAPH_PRId ",\"seconds_load\":%.4f,"
           "\"peak_rss_mb\":%.1f}\n", igraph_vcount(&g), igraph_ecount(&g), seconds,
           (double)ru.ru_maxrss / 1024.0);
    igraph_destroy(&g);
    return 0;
}

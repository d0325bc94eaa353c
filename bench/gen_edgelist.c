/*
 * A large edge list for the loading benchmark: M lines "u v" over N integer node ids.  The
 * tail u is uniform; the head v is N x^2 for a uniform x, so low ids collect many edges and
 * degrees are skewed as in real graphs.  Self pairs and repeated pairs are left in: the
 * loaders must drop them (graphssl counts them).  Deterministic for a seed.
 *
 *   gen_edgelist OUT [M N SEED]      defaults: 10000000 1000000 1
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* splitmix64: small, fast and good enough for a benchmark file. */
static uint64_t next(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double uniform(uint64_t *state)
{
    return (double)(next(state) >> 11) * 0x1.0p-53;
}

int main(int argc, char **argv)
{
    int64_t m = argc > 2 ? strtoll(argv[2], NULL, 10) : 10000000;
    int64_t n = argc > 3 ? strtoll(argv[3], NULL, 10) : 1000000;
    uint64_t state = argc > 4 ? strtoull(argv[4], NULL, 10) : 1;
    FILE *f;

    if (argc < 2 || m < 1 || n < 2) {
        fprintf(stderr, "usage: gen_edgelist OUT [M N SEED]\n");
        return 2;
    }
    f = fopen(argv[1], "w");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    for (int64_t e = 0; e < m; e++) {
        double x = uniform(&state);
        int64_t u = (int64_t)(uniform(&state) * (double)n);
        int64_t v = (int64_t)((double)n * x * x);

        fprintf(f, "%" PRId64 " %" PRId64 "\n", u, v);
    }
    if (fclose(f) != 0) {
        perror(argv[1]);
        return 1;
    }
    return 0;
}

/*
 * A large planted-partition graph for the VGAE scale benchmark: N nodes in communities of
 * SIZE consecutive nodes; each of M edges joins a uniform node u to a node of u's community
 * with probability P_IN, else to a uniform node.  Features: D dense float32 values per node,
 * its community's centroid (standard normal) plus standard normal noise, written as .npy
 * (row r is node r).  Self pairs are skipped; duplicate pairs are left for the loader,
 * which drops and counts them.
 *
 *   gen_link_graph OUT_STEM [N M D SIZE P_IN SEED]
 *       writes OUT_STEM.edgelist and OUT_STEM.npy (defaults 1000000 10000000 64 1000 0.8 1)
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct spec {
    int64_t n, m, dim, size;
    double p_in;
    uint64_t seed;
} spec_t;

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

static int64_t below(uint64_t *state, int64_t n)
{
    return (int64_t)(uniform(state) * (double)n);
}

static double normal(uint64_t *state)
{
    double u = uniform(state), v = uniform(state);

    return sqrt(-2.0 * log(1.0 - u)) * cos(2.0 * M_PI * v);
}

static int write_edges(const char *path, const spec_t *s)
{
    FILE *f = fopen(path, "w");
    uint64_t state = s->seed;

    if (!f) {
        perror(path);
        return 1;
    }
    fprintf(f, "# planted partition: %lld nodes, %lld edge draws\n", (long long)s->n,
            (long long)s->m);
    for (int64_t e = 0; e < s->m;) {
        int64_t u = below(&state, s->n), v;

        if (uniform(&state) < s->p_in) {
            v = u / s->size * s->size + below(&state, s->size);
        } else {
            v = below(&state, s->n);
        }
        if (v >= s->n || u == v) {
            continue;
        }
        fprintf(f, "%lld %lld\n", (long long)(u < v ? u : v), (long long)(u < v ? v : u));
        e++;
    }
    return fclose(f) != 0;
}

/* An .npy version 1.0 header: magic, version, length, then a dict padded to 64 bytes. */
static void write_npy_header(FILE *f, int64_t rows, int64_t cols)
{
    char dict[128];
    int len = snprintf(dict, sizeof dict,
                       "{'descr': '<f4', 'fortran_order': False, 'shape': (%lld, %lld), }",
                       (long long)rows, (long long)cols);
    int total = (10 + len + 1 + 63) / 64 * 64;
    uint16_t header_len = (uint16_t)(total - 10);

    fwrite("\x93NUMPY\x01\x00", 1, 8, f);
    fputc(header_len & 0xff, f);
    fputc(header_len >> 8, f);
    fwrite(dict, 1, (size_t)len, f);
    for (int i = 10 + len; i < total - 1; i++) {
        fputc(' ', f);
    }
    fputc('\n', f);
}

static int write_features(const char *path, const spec_t *s)
{
    int64_t n_comm = (s->n + s->size - 1) / s->size;
    float *centroids = malloc((size_t)(n_comm * s->dim) * sizeof *centroids);
    float *row = malloc((size_t)s->dim * sizeof *row);
    uint64_t state = s->seed ^ 0x66656174ULL;
    FILE *f = fopen(path, "wb");

    if (!f || !centroids || !row) {
        perror(path);
        return 1;
    }
    for (int64_t i = 0; i < n_comm * s->dim; i++) {
        centroids[i] = (float)normal(&state);
    }
    write_npy_header(f, s->n, s->dim);
    for (int64_t v = 0; v < s->n; v++) {
        for (int64_t j = 0; j < s->dim; j++) {
            row[j] = centroids[v / s->size * s->dim + j] + (float)normal(&state);
        }
        fwrite(row, sizeof *row, (size_t)s->dim, f);
    }
    free(centroids);
    free(row);
    return fclose(f) != 0;
}

int main(int argc, char **argv)
{
    spec_t s = {1000000, 10000000, 64, 1000, 0.8, 1};
    char *path;
    int rc;

    if (argc != 2 && argc != 8) {
        fprintf(stderr, "usage: gen_link_graph OUT_STEM [N M D SIZE P_IN SEED]\n");
        return 2;
    }
    if (argc == 8) {
        s.n = atoll(argv[2]);
        s.m = atoll(argv[3]);
        s.dim = atoll(argv[4]);
        s.size = atoll(argv[5]);
        s.p_in = atof(argv[6]);
        s.seed = strtoull(argv[7], NULL, 10);
    }
    if (s.n < 2 || s.m < 1 || s.dim < 1 || s.size < 2) {
        fprintf(stderr, "gen_link_graph: expected N >= 2, M >= 1, D >= 1, SIZE >= 2\n");
        return 2;
    }
    path = malloc(strlen(argv[1]) + 16);
    if (!path) {
        return 1;
    }
    sprintf(path, "%s.edgelist", argv[1]);
    rc = write_edges(path, &s);
    sprintf(path, "%s.npy", argv[1]);
    rc = rc || write_features(path, &s);
    free(path);
    return rc;
}

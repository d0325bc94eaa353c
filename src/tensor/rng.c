/*
 * Random numbers: xoshiro256** (Blackman and Vigna, 2018) seeded through splitmix64, with
 * Lemire's unbiased bounded integers (2019), Box-Muller normals, Fisher-Yates permutations,
 * and the weight initialisers built on them.
 */
#include "graphssl/tensor.h"

#include <math.h>

#include "tape_internal.h"

#define GOLDEN_GAMMA 0x9e3779b97f4a7c15ULL

/* The splitmix64 output function: a bijection that scatters nearby inputs far apart. */
static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t splitmix64_next(uint64_t *x)
{
    *x += GOLDEN_GAMMA;
    return mix64(*x);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void gs_rng_init(gs_rng_t *rng, uint64_t seed, uint64_t stream)
{
    /* For a fixed stream the start is a bijection of the seed, and each stream shifts it by
     * a scrambled offset, so (seed, stream) pairs do not collide in any simple pattern. */
    uint64_t x = mix64(seed + mix64(stream + GOLDEN_GAMMA));

    for (int i = 0; i < 4; i++) {
        rng->s[i] = splitmix64_next(&x);
    }

    /* The all-zero state is the one state xoshiro never leaves. */
    if ((rng->s[0] | rng->s[1] | rng->s[2] | rng->s[3]) == 0) {
        rng->s[0] = GOLDEN_GAMMA;
    }
}

uint64_t gs_rng_next(gs_rng_t *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;

    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double gs_rng_uniform(gs_rng_t *rng)
{
    /* The top 53 bits fill a double's mantissa exactly. */
    return (double)(gs_rng_next(rng) >> 11) * 0x1.0p-53;
}

uint32_t gs_rng_below(gs_rng_t *rng, uint32_t n)
{
    uint64_t m;
    uint32_t low;

    if (n == 0) {
        return 0;
    }

    /* Multiply-shift maps 32 random bits onto [0, n); the rare products whose low half falls
     * below 2^32 mod n are redrawn, which removes the bias. */
    m = (gs_rng_next(rng) >> 32) * (uint64_t)n;
    low = (uint32_t)m;
    if (low < n) {
        uint32_t threshold = (uint32_t)(-n) % n;

        while (low < threshold) {
            m = (gs_rng_next(rng) >> 32) * (uint64_t)n;
            low = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

double gs_rng_normal(gs_rng_t *rng)
{
    /* Box-Muller with one output per call keeps the generator state the only state.
     * 1 - u lies in (0, 1], so the logarithm is finite. */
    double u1 = 1.0 - gs_rng_uniform(rng);
    double u2 = gs_rng_uniform(rng);

    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

void gs_rng_permutation(gs_rng_t *rng, int32_t *perm, int n)
{
    for (int i = 0; i < n; i++) {
        perm[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
        int j = (int)gs_rng_below(rng, (uint32_t)i + 1);
        int32_t tmp = perm[i];

        perm[i] = perm[j];
        perm[j] = tmp;
    }
}

void gs_tensor_init_uniform(gs_tensor_t *t, float lo, float hi, gs_rng_t *rng)
{
    size_t n = gs_i_numel(t);
    double width = (double)hi - (double)lo;

    for (size_t i = 0; i < n; i++) {
        t->data[i] = (float)(lo + width * gs_rng_uniform(rng));
    }
}

void gs_tensor_init_glorot(gs_tensor_t *t, gs_rng_t *rng)
{
    /* A weight (in x out) maps rows to columns, so fan_in = rows and fan_out = cols. */
    int fans = t->rows + t->cols;
    float a = fans > 0 ? (float)sqrt(6.0 / fans) : 0.0f;

    gs_tensor_init_uniform(t, -a, a, rng);
}

void gs_tensor_init_normal(gs_tensor_t *t, float mean, float std, gs_rng_t *rng)
{
    size_t n = gs_i_numel(t);

    for (size_t i = 0; i < n; i++) {
        t->data[i] = (float)(mean + std * gs_rng_normal(rng));
    }
}

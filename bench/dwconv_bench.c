/* dwconv_bench.c - the depthwise kernel (dwconv.c) alone on BlazePose's layer
 * shapes, one thread: min and median microseconds per call and GMAC/s.
 *
 *   build/bench/dwconv_bench [RUNS] [--portable|--simd] [SHAPE_INDEX]
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "formcheck/dwconv.h"

typedef struct shape {
    int h, w, c, k, s, pt, pl, pb, pr;
} shape;

static const shape shapes[] = {
    {128, 128, 24, 3, 1, 1, 1, 1, 1}, {128, 128, 32, 3, 2, 1, 1, 1, 1}, {64, 64, 96, 3, 1, 1, 1, 1, 1},
    {64, 64, 16, 3, 1, 1, 1, 1, 1},   {64, 64, 96, 5, 2, 2, 2, 2, 2},   {64, 64, 48, 3, 2, 0, 0, 1, 1},
    {32, 32, 144, 5, 1, 2, 2, 2, 2},  {32, 32, 24, 3, 1, 1, 1, 1, 1},   {32, 32, 144, 3, 2, 1, 1, 1, 1},
    {16, 16, 240, 3, 1, 1, 1, 1, 1},  {16, 16, 336, 5, 1, 2, 2, 2, 2},  {16, 16, 336, 5, 2, 2, 2, 2, 2},
    {8, 8, 576, 5, 1, 2, 2, 2, 2},    {8, 8, 576, 3, 1, 1, 1, 1, 1},    {8, 8, 192, 3, 2, 0, 0, 1, 1},
    {4, 4, 192, 3, 1, 1, 1, 1, 1},    {4, 4, 192, 3, 2, 0, 0, 1, 1},    {2, 2, 192, 3, 1, 1, 1, 1, 1},
};

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? atoi(argv[1]) : 200, portable = argc > 2 && !strcmp(argv[2], "--portable");
    int only = argc > 3 ? atoi(argv[3]) : -1;
    if (runs < 1 || runs > 100000) {
        fprintf(stderr, "usage: dwconv_bench [RUNS 1..100000] [--portable|--simd] [SHAPE_INDEX]\n");
        return 2;
    }
    double *t = malloc(sizeof(double) * (size_t)runs);
    if (!t)
        return 1;
    printf("%-22s %6s %9s %9s %8s  (%s, %d runs)\n", "input HxWxC k/s", "out", "min us", "median", "GMAC/s",
           portable ? "portable" : "simd", runs);
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        const shape *sp = &shapes[i];
        if (only >= 0 && (size_t)only != i)
            continue;
        fc_dwconv_opts o = fc_dwconv_default_opts();
        o.kernel_h = o.kernel_w = sp->k;
        o.stride_h = o.stride_w = sp->s;
        o.pad_t = sp->pt;
        o.pad_l = sp->pl;
        o.pad_b = sp->pb;
        o.pad_r = sp->pr;
        o.relu6 = 1;
        o.simd = !portable;
        int ho, wo;
        if (fc_dwconv_out_size(&ho, &wo, &o, sp->h, sp->w) < 0)
            return 1;
        size_t nx = (size_t)sp->c * sp->h * sp->w, ny = (size_t)sp->c * ho * wo, nw = (size_t)sp->c * sp->k * sp->k;
        float *x = malloc(nx * sizeof *x), *y = malloc(ny * sizeof *y), *w = malloc(nw * sizeof *w);
        float *b = malloc((size_t)sp->c * sizeof *b);
        float *s = malloc(fc_dwconv_scratch_floats(&o, sp->h, sp->w) * sizeof *s);
        if (!x || !y || !w || !b || !s)
            return 1;
        for (size_t j = 0; j < nx; j++)
            x[j] = (float)(j * 2654435761u % 1000) / 1000.0f;
        for (size_t j = 0; j < nw; j++)
            w[j] = (float)(j * 40503u % 200) / 100.0f - 1.0f;
        for (int j = 0; j < sp->c; j++)
            b[j] = 0.1f * (float)(j % 7);
        for (int r = -3; r < runs; r++) {
            double t0 = now_us();
            fc_dwconv_run(y, &o, x, w, b, sp->h, sp->w, 0, sp->c, s);
            if (r >= 0)
                t[r] = now_us() - t0;
        }
        qsort(t, (size_t)runs, sizeof *t, cmp_double);
        char name[64];
        snprintf(name, sizeof name, "%dx%dx%d k%d/s%d", sp->h, sp->w, sp->c, sp->k, sp->s);
        printf("%-22s %3dx%-3d %9.1f %9.1f %8.2f\n", name, ho, wo, t[0], t[runs / 2],
               (double)ny * sp->k * sp->k / t[0] / 1e3);
        free(x);
        free(y);
        free(w);
        free(b);
        free(s);
    }
    free(t);
    return 0;
}

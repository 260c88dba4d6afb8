/* net_run.c - runs one model through fc_net on a deterministic input and writes
 * the input (NHWC) and every output (TFLite layout) as raw little-endian float32
 * files for tests/model/tflite_ref.py to compare against its own reference.
 *
 *   net_run MODEL.tflite OUTDIR [THREADS]
 *   -> OUTDIR/input.f32, OUTDIR/out<i>.f32, OUTDIR/outputs.txt ("<i> <name> <count>") */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formcheck/net.h"

static int write_f32(const char *dir, const char *file, const float *v, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(v, sizeof *v, n, f) != n || fclose(f) != 0) {
        fprintf(stderr, "net_run: %s: write failed\n", path);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    char err[FC_ERRBUF_SIZE], path[4096];
    fc_net_opts o = fc_net_default_opts();
    fc_net *net = NULL;
    float *nhwc = NULL;
    int h, w, c, rc = 1;
    uint32_t seed = 12345;

    if (argc < 3) {
        fprintf(stderr, "usage: net_run MODEL.tflite OUTDIR [THREADS]\n");
        return 2;
    }
    o.threads = argc > 3 ? atoi(argv[3]) : 1;
    if (fc_net_open(&net, argv[1], &o, err, sizeof err) < 0) {
        fprintf(stderr, "net_run: %s\n", err);
        return 1;
    }
    fc_net_input_size(net, &h, &w, &c);
    float *in = fc_net_input(net);
    nhwc = malloc(sizeof *nhwc * (size_t)h * w * c);
    if (!nhwc)
        goto end;
    /* Image-like: smooth colour gradients plus a little LCG noise, in [0, 1]. */
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            for (int ch = 0; ch < c; ch++) {
                seed = seed * 1664525u + 1013904223u;
                float noise = (float)(seed >> 8) / 16777216.0f;
                float v = 0.5f + 0.35f * sinf(0.045f * x + 0.031f * y * (ch + 1) + ch)
                          + 0.15f * (noise - 0.5f);
                nhwc[((size_t)y * w + x) * c + ch] = v;
                in[((size_t)ch * h + y) * w + x] = v;
            }
    if (fc_net_forward(net, err, sizeof err) < 0) {
        fprintf(stderr, "net_run: %s\n", err);
        goto end;
    }
    if (write_f32(argv[2], "input.f32", nhwc, (size_t)h * w * c) < 0)
        goto end;
    snprintf(path, sizeof path, "%s/outputs.txt", argv[2]);
    FILE *list = fopen(path, "w");
    if (!list)
        goto end;
    for (int i = 0; i < fc_net_num_outputs(net); i++) {
        size_t n;
        const float *v = fc_net_output(net, i, &n);
        char file[64];
        snprintf(file, sizeof file, "out%d.f32", i);
        fprintf(list, "%d %s %zu\n", i, fc_net_output_name(net, i), n);
        if (write_f32(argv[2], file, v, n) < 0) {
            fclose(list);
            goto end;
        }
    }
    rc = fclose(list) == 0 ? 0 : 1;
end:
    free(nhwc);
    fc_net_free(net);
    return rc;
}

/* decode_bench.c - frames/s of the capture stage (decode + scale + BGR + rotation).
 *
 *   decode_bench [--max-side N] [--threads N] [--repeat N] FILE
 *
 * Prints one line: file, output size, frames, frames/s and CPU ms per frame (best of
 * --repeat runs). */
#define _POSIX_C_SOURCE 200809L
#include <libavutil/log.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "formcheck/capture.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int usage(void)
{
    fprintf(stderr, "usage: decode_bench [--max-side N] [--threads N] [--repeat N] FILE\n");
    return 2;
}

int main(int argc, char **argv)
{
    fc_capture_opts o = fc_capture_default_opts();
    const char *path = NULL;
    int repeat = 1;
    double best = 0, cpu_ms, best_cpu_ms = 0;
    int64_t frames = 0;
    int w = 0, h = 0;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--max-side") && i + 1 < argc)
            o.max_side = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
            o.threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--repeat") && i + 1 < argc)
            repeat = atoi(argv[++i]);
        else if (argv[i][0] == '-' || path)
            return usage();
        else
            path = argv[i];
    }
    if (!path || repeat < 1 || o.max_side < 0)
        return usage();
    av_log_set_level(AV_LOG_QUIET);
    for (int r = 0; r < repeat; r++) {
        char err[FC_ERRBUF_SIZE];
        fc_capture *cap;
        fc_frame f;
        int rc;
        double t0 = now_s(), dt;
        clock_t cpu0 = clock();
        unsigned sum = 0; /* touch the pixels so nothing is optimised away */

        if ((rc = fc_capture_open(&cap, path, &o, err, sizeof err)) < 0) {
            fprintf(stderr, "decode_bench: %s\n", err);
            return 1;
        }
        frames = 0;
        while ((rc = fc_capture_read(&f, cap)) == 0) {
            sum += f.data[(f.height / 2) * f.stride + 3 * (f.width / 2)];
            frames++;
        }
        dt = now_s() - t0;
        w = fc_capture_get_info(cap)->width;
        h = fc_capture_get_info(cap)->height;
        if (rc != FC_EEOF) {
            fprintf(stderr, "decode_bench: %s\n", fc_capture_error(cap));
            fc_capture_free(cap);
            return 1;
        }
        fc_capture_free(cap);
        if (frames / dt > best)
            best = frames / dt;
        cpu_ms = (double)(clock() - cpu0) * 1000.0 / CLOCKS_PER_SEC / (double)(frames ? frames : 1);
        if (best_cpu_ms == 0 || cpu_ms < best_cpu_ms)
            best_cpu_ms = cpu_ms;
        fprintf(stderr, "run %d: %.3f s (checksum %u)\n", r + 1, dt, sum);
    }
    /* CPU time (all threads) per frame is steadier than frames/s on a shared machine. */
    printf("%s: %dx%d max_side=%d threads=%d: %lld frames, best %.1f frames/s, %.2f ms CPU/frame\n", path, w, h,
           o.max_side, o.threads, (long long)frames, best, best_cpu_ms);
    return 0;
}

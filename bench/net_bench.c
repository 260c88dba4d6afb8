/* net_bench.c - forward-pass time of each BlazePose model on fc_net (OpenCV DNN).
 *
 *   net_bench [MODEL_DIR] [RUNS]      (defaults: $FC_MODEL_DIR or ./models, 30)
 *   net_bench --layers MODEL.tflite THREADS [RUNS]
 *
 * For each model and 1 and 2 OpenCV threads: 3 warm-up passes, then RUNS timed
 * fc_net_forward calls on a fixed input; prints median, min and 90th percentile
 * in milliseconds, and the median process CPU time. Landmark models also run with the segmentation output skipped
 * (opts.skip_outputs = 1u << 2, what the pose pipeline uses), marked "-seg".
 * cv::setNumThreads is process-wide, so the runs are sequential.
 *
 * --layers: one model with the segmentation output skipped, mean and minimum
 * wall time per layer over RUNS forwards (OpenCV's own per-layer timer), in
 * execution order, then summed by layer type: where a forward's time goes. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "formcheck/net.h"

static double clock_ms(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* ms: wall time per forward; cpu: process CPU time per forward (all threads),
 * which waiting for a busy core does not inflate. Both sorted. */
static int bench(const char *path, int threads, unsigned skip, int runs, double *ms, double *cpu)
{
    char err[FC_ERRBUF_SIZE];
    fc_net_opts o = fc_net_default_opts();
    fc_net *net = NULL;
    int h, w, c;

    o.threads = threads;
    o.skip_outputs = skip;
    if (fc_net_open(&net, path, &o, err, sizeof err) < 0) {
        fprintf(stderr, "net_bench: %s\n", err);
        return -1;
    }
    fc_net_input_size(net, &h, &w, &c);
    float *in = fc_net_input(net);
    for (size_t i = 0; i < (size_t)h * w * c; i++)
        in[i] = (float)((i * 2654435761u) % 1000) / 1000.0f;
    for (int i = 0; i < runs + 3; i++) {
        double t0 = clock_ms(CLOCK_MONOTONIC), c0 = clock_ms(CLOCK_PROCESS_CPUTIME_ID);
        if (fc_net_forward(net, err, sizeof err) < 0) {
            fprintf(stderr, "net_bench: %s\n", err);
            fc_net_free(net);
            return -1;
        }
        if (i >= 3) {
            ms[i - 3] = clock_ms(CLOCK_MONOTONIC) - t0;
            cpu[i - 3] = clock_ms(CLOCK_PROCESS_CPUTIME_ID) - c0;
        }
    }
    fc_net_free(net);
    qsort(ms, (size_t)runs, sizeof *ms, cmp_double);
    qsort(cpu, (size_t)runs, sizeof *cpu, cmp_double);
    return 0;
}

/* Mean and minimum per-layer wall time over `runs` forwards of one model:
 * net_bench --layers. (The minimum is the steadier figure on a shared machine.) */
static int layers(const char *path, int threads, int runs)
{
    char err[FC_ERRBUF_SIZE];
    fc_net_opts o = fc_net_default_opts();
    fc_net *net = NULL;
    fc_net_layer_time *lt = NULL;
    double *sum = NULL, *mn = NULL, total = 0, total_min = 0;
    int h, w, c, n = 0, rc = 1;

    o.threads = threads;
    o.skip_outputs = 1u << 2;
    if (fc_net_open(&net, path, &o, err, sizeof err) < 0) {
        fprintf(stderr, "net_bench: %s\n", err);
        goto end;
    }
    fc_net_input_size(net, &h, &w, &c);
    float *in = fc_net_input(net);
    for (size_t i = 0; i < (size_t)h * w * c; i++)
        in[i] = (float)((i * 2654435761u) % 1000) / 1000.0f;
    if ((n = fc_net_profile(NULL, net, 0)) < 1 || !(lt = calloc((size_t)n, sizeof *lt))
        || !(sum = calloc((size_t)n, sizeof *sum)) || !(mn = calloc((size_t)n, sizeof *mn))) {
        fprintf(stderr, "net_bench: %s: no layer profile\n", path);
        goto end;
    }
    for (int r = 0; r < runs + 3; r++) {
        if (fc_net_forward(net, err, sizeof err) < 0) {
            fprintf(stderr, "net_bench: %s\n", err);
            goto end;
        }
        if (r >= 3 && fc_net_profile(lt, net, n) == n)
            for (int i = 0; i < n; i++) {
                sum[i] += lt[i].ms / runs;
                mn[i] = r == 3 || lt[i].ms < mn[i] ? lt[i].ms : mn[i];
            }
    }
    printf("%-40s %-18s %9s %9s\n", "layer", "type", "ms", "min ms");
    for (int i = 0; i < n; i++) {
        if (sum[i] >= 0.005)
            printf("%-40s %-18s %9.3f %9.3f\n", lt[i].name, lt[i].type, sum[i], mn[i]);
        total += sum[i];
        total_min += mn[i];
    }
    printf("\nby type (%s, %d threads, %d runs; total %.2f ms, sum of minima %.2f ms):\n", path, threads, runs,
           total, total_min);
    for (int i = 0; i < n; i++) {
        int first = 1, count = 0;
        double t = 0, tm = 0;
        for (int j = 0; j < n; j++) {
            if (strcmp(lt[i].type, lt[j].type))
                continue;
            first &= j >= i;
            t += sum[j];
            tm += mn[j];
            count++;
        }
        if (first)
            printf("  %-18s %4d layers %9.3f ms %5.1f%%  (min %.3f)\n", lt[i].type, count, t,
                   total > 0 ? 100 * t / total : 0, tm);
    }
    rc = 0;
end:
    free(sum);
    free(mn);
    free(lt);
    fc_net_free(net);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "--layers")) {
        int threads = argc > 3 ? atoi(argv[3]) : 1, runs = argc > 4 ? atoi(argv[4]) : 50;
        if (argc < 3 || threads < 1 || runs < 1 || runs > 100000) {
            fprintf(stderr, "usage: net_bench --layers MODEL.tflite THREADS [RUNS 1..100000]\n");
            return 2;
        }
        return layers(argv[2], threads, runs);
    }
    static const char *models[] = {"pose_detection", "pose_landmark_lite", "pose_landmark_full",
                                   "pose_landmark_heavy"};
    const char *dir = argc > 1 ? argv[1] : getenv("FC_MODEL_DIR") ? getenv("FC_MODEL_DIR") : "models";
    int runs = argc > 2 ? atoi(argv[2]) : 30, rc = 0;
    double *ms = NULL, *cpu = NULL;

    if (runs < 1 || runs > 100000) {
        fprintf(stderr, "usage: net_bench [MODEL_DIR] [RUNS 1..100000]\n");
        return 2;
    }
    ms = malloc(sizeof *ms * (size_t)runs);
    cpu = malloc(sizeof *cpu * (size_t)runs);
    if (!ms || !cpu) {
        fprintf(stderr, "net_bench: out of memory\n");
        free(ms);
        free(cpu);
        return 1;
    }
    printf("%-24s %7s %9s %9s %9s %12s  (ms per forward, %d runs)\n", "model", "threads", "median", "min", "p90",
           "cpu median", runs);
    for (size_t m = 0; m < sizeof models / sizeof *models; m++)
        for (int seg = 0; seg < (m ? 2 : 1); seg++)
            for (int threads = 1; threads <= 2; threads++) {
                char path[4096], label[64];
                snprintf(path, sizeof path, "%s/%s.tflite", dir, models[m]);
                snprintf(label, sizeof label, "%s%s", models[m], seg ? "-seg" : "");
                if (bench(path, threads, seg ? 1u << 2 : 0, runs, ms, cpu) < 0) {
                    rc = 1;
                    break;
                }
                printf("%-24s %7d %9.2f %9.2f %9.2f %12.2f\n", label, threads, ms[runs / 2], ms[0],
                       ms[(runs * 9) / 10 < runs ? (runs * 9) / 10 : runs - 1], cpu[runs / 2]);
                fflush(stdout);
            }
    free(ms);
    free(cpu);
    return rc;
}

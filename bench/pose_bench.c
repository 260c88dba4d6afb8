/* pose_bench.c - per-stage milliseconds of the pose module in tracking (VIDEO) mode:
 * decode, detector, warp, landmark, post; median over every frame of every run, for
 * lite/full/heavy and 1 and 2 threads.
 *
 *   pose_bench [--runs N] [--model-dir DIR] [--models lite,full,heavy] [--threads 1,2] [CLIP]
 *
 * CLIP defaults to $FC_SHARED_DIR/pose-reference/pan_messi.mp4 (or ../shared/...).
 * The first run of each configuration is a warm-up and is not counted. "detector" is
 * the median over the frames where the detector ran (det/fr says how often); "total"
 * is wall time per frame (decode + pose), "cpu" the process CPU time per frame: on a
 * loaded machine the 1-thread "cpu" column is the better estimate of an idle machine. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "formcheck/capture.h"
#include "formcheck/error.h"
#include "formcheck/pose.h"
#include "formcheck/version.h"

#define MAX_SAMPLES 100000

enum { ST_DECODE, ST_DETECTOR, ST_WARP, ST_LANDMARK, ST_POST, ST_TOTAL, ST_CPU, ST_N };

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* CPU time of the whole process: on a shared, loaded machine the wall clock also
 * counts other programs' time slices; with one thread this is the quiet-machine cost. */
static double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
    if (!n)
        return 0;
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* One pass over the clip; appends per-frame stage times unless `count` is 0. */
static int run_clip(fc_pose *pose, const char *clip, double *samples[ST_N], size_t *n, int count, int *det_runs)
{
    char err[FC_ERRBUF_SIZE];
    fc_capture_opts co = fc_capture_default_opts();
    fc_capture *cap = NULL;
    fc_frame f;
    fc_pose_result r;
    int rc = fc_capture_open(&cap, clip, &co, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "pose_bench: %s\n", err);
        return rc;
    }
    fc_pose_reset(pose);
    for (;;) {
        double t0 = now_ms(), c0 = cpu_ms();
        rc = fc_capture_read(&f, cap);
        double decode = now_ms() - t0;
        if (rc < 0)
            break;
        rc = fc_pose_process(pose, &f, f.t_s, &r);
        if (rc < 0) {
            fprintf(stderr, "pose_bench: %s\n", fc_pose_error(pose));
            break;
        }
        double cpu = cpu_ms() - c0;
        const fc_pose_timing *t = fc_pose_last_timing(pose);
        if (count && *n < MAX_SAMPLES) {
            samples[ST_DECODE][*n] = decode;
            samples[ST_DETECTOR][*n] = t->detector_runs ? t->detector_ms : -1.0; /* -1: did not run */
            samples[ST_WARP][*n] = t->warp_ms;
            samples[ST_LANDMARK][*n] = t->landmark_ms;
            samples[ST_POST][*n] = t->post_ms;
            samples[ST_TOTAL][*n] = decode + t->total_ms;
            samples[ST_CPU][*n] = cpu;
            (*n)++;
            *det_runs += t->detector_runs;
        }
    }
    fc_capture_free(cap);
    return rc == FC_EEOF ? 0 : rc;
}

int main(int argc, char **argv)
{
    const char *model_dir = getenv("FORMCHECK_MODEL_DIR") ? getenv("FORMCHECK_MODEL_DIR") : FC_MODEL_DIR_SOURCE;
    const char *models = "lite,full,heavy", *threads = "1,2", *clip = NULL;
    int runs = 5;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--runs") && i + 1 < argc)
            runs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--model-dir") && i + 1 < argc)
            model_dir = argv[++i];
        else if (!strcmp(argv[i], "--models") && i + 1 < argc)
            models = argv[++i];
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
            threads = argv[++i];
        else if (argv[i][0] == '-') {
            fprintf(stderr, "usage: pose_bench [--runs N] [--model-dir DIR] [--models lite,full,heavy] "
                            "[--threads 1,2] [CLIP]\n");
            return 2;
        } else
            clip = argv[i];
    }
    static char default_clip[4096];
    if (!clip) {
        const char *shared = getenv("FC_SHARED_DIR") ? getenv("FC_SHARED_DIR") : "../shared";
        snprintf(default_clip, sizeof default_clip, "%s/pose-reference/pan_messi.mp4", shared);
        clip = default_clip;
    }
    if (runs < 1)
        runs = 1;
    double *samples[ST_N];
    for (int s = 0; s < ST_N; s++)
        if (!(samples[s] = malloc(sizeof(double) * MAX_SAMPLES))) {
            fprintf(stderr, "pose_bench: out of memory\n");
            return 1;
        }
    printf("clip %s, %d counted run(s) each, tracking (VIDEO) mode, medians in ms\n", clip, runs);
    printf("%-6s %-7s %8s %8s %8s %8s %8s %8s %8s %7s\n", "model", "threads", "decode", "detector", "warp",
           "landmark", "post", "total", "cpu", "det/fr");
    int status = 0;
    for (int m = 0; m < 3; m++) {
        const char *mname = m == 0 ? "lite" : m == 1 ? "full" : "heavy";
        if (!strstr(models, mname))
            continue;
        for (int th = 1; th <= 8; th++) {
            char tbuf[8];
            snprintf(tbuf, sizeof tbuf, "%d", th);
            if (!strstr(threads, tbuf))
                continue;
            fc_pose_opts o = fc_pose_default_opts();
            char err[FC_ERRBUF_SIZE];
            fc_pose *pose = NULL;
            o.model_dir = model_dir;
            o.model = (fc_pose_model)m;
            o.mode = FC_POSE_VIDEO;
            o.threads = th;
            if (fc_pose_open(&pose, &o, err, sizeof err) < 0) {
                fprintf(stderr, "pose_bench: %s\n", err);
                status = 1;
                continue;
            }
            size_t n = 0;
            int det_runs = 0;
            for (int r = 0; r <= runs && status == 0; r++)
                if (run_clip(pose, clip, samples, &n, r > 0, &det_runs) < 0)
                    status = 1;
            double med[ST_N];
            for (int s = 0; s < ST_N; s++)
                med[s] = median(samples[s], n);
            /* the detector: median over the frames where it ran (sorted: skip the -1s) */
            size_t skip = 0;
            while (skip < n && samples[ST_DETECTOR][skip] < 0)
                skip++;
            med[ST_DETECTOR] = median(samples[ST_DETECTOR] + skip, n - skip);
            printf("%-6s %-7d %8.2f %8.2f %8.2f %8.2f %8.2f %8.2f %8.2f %7.3f\n", mname, th, med[ST_DECODE],
                   med[ST_DETECTOR], med[ST_WARP], med[ST_LANDMARK], med[ST_POST], med[ST_TOTAL], med[ST_CPU],
                   n ? (double)det_runs / n : 0.0);
            fflush(stdout);
            fc_pose_free(pose);
        }
    }
    for (int s = 0; s < ST_N; s++)
        free(samples[s]);
    return status;
}

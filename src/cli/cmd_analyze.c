/* cmd_analyze.c - `formcheck analyze`: reps, form checks and a JSON report, from videos or keypoints. */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_job.h"
#include "formcheck/analysis.h"
#include "formcheck/atomicfile.h"
#include "formcheck/keypoints.h"
#include "formcheck/report.h"
#include "formcheck/reportview.h"
#include "formcheck/session.h"
#include "formcheck/version.h"

const char fc_usage_analyze[] =
    "usage: formcheck analyze VIDEO... [options]\n"
    "       formcheck analyze --from-keypoints K.jsonl [options]\n"
    "\n"
    "Analyse a squat or lunge set: find the person in every frame (BlazePose),\n"
    "count the reps, check each one against the thresholds of a profile, write a\n"
    "JSON report (default: next to the video, NAME.formcheck.json) and print the\n"
    "per-rep table. Several videos give one report each and a summary line per file.\n"
    "\n"
    "options:\n"
    "  --exercise NAME        squat, lunge or auto (default auto: split stance = lunge)\n"
    "  --profile FILE|LEVEL   a threshold profile file, or a level of the built-in ones:\n"
    "                         beginner, standard (default), strict\n"
    "  --view NAME            side, front, oblique or auto (default auto)\n"
    "  --model NAME           pose model: lite, full (default) or heavy\n"
    "  --model-dir DIR        where the .tflite files are (default $FORMCHECK_MODEL_DIR,\n"
    "                         $FC_MODEL_DIR, the source tree's or the installed models/)\n"
    "  --annotate OUT.mp4     also write the video with the skeleton, angles, rep\n"
    "                         counter and each rep's verdict drawn on it (one input only)\n"
    "  --keypoints-out FILE   also write the pose series (JSON Lines; one input only)\n"
    "  --max-side N           landmark pixels are given for the frame scaled down to at\n"
    "                         most N pixels (default 640; 0 = native size); the pose\n"
    "                         model's crop reads 4:2:0 video at full resolution\n"
    "  --no-planar            convert each whole frame to BGR at --max-side before the\n"
    "                         crop (slower; other pixel formats always are)\n"
    "  --analysis-fps F       run pose and analysis on at most F frames per second of\n"
    "                         video (default 30: a 60 fps clip is analysed at 30, a\n"
    "                         25 or 30 fps one whole); 0 = every frame\n"
    "  --threads N            pose threads (default: one per core); a video of 20 s\n"
    "                         or more is cut into segments posed at once, N at a time\n"
    "  --no-segments          pose the video in one pass (after a cut, tracking starts\n"
    "                         afresh: the landmarks differ from one pass's by a pixel or so)\n"
    "  --stats FILE           append one JSON line per video with where the time went\n"
    "                         (ms per frame by stage, frames/s, multiple of real time,\n"
    "                         CPU time, peak memory; - = stdout); see docs/performance.md\n"
    "  --from-keypoints FILE  analyse a saved pose series instead of a video\n"
    "  -o, --output FILE      report path (one input only; - = stdout)\n"
    "  --force                replace existing outputs\n"
    "  --json                 print the report JSON instead of the text table\n"
    "  --quiet                print nothing but errors (no progress, no table)\n"
    "  -h, --help             this help\n"
    "\n"
    "Progress goes to stderr: a bar on a terminal, a line every 5 s otherwise.\n"
    "Exit status: 0 ok, 1 an input failed (the others are still analysed), 2 usage,\n"
    "130/143 stopped by SIGINT/SIGTERM (no half-written output is left).\n"
    "Profiles are looked up in $FC_MODEL_DIR/form, then the source tree's and the\n"
    "installed models/form/ (squat.json, lunge.json).\n";

typedef struct args {
    const char *from, *exercise, *profile, *view, *out, *model, *model_dir, *annotate, *kp_out, *stats;
    const char **inputs;
    int n_inputs, force, json, quiet, max_side, threads, no_pipeline, no_segments, no_planar, decode_threads;
    double analysis_fps;
} args;

static int parse_int_opt(const char *name, const char *v, int lo, int hi, int *out)
{
    if (fc_cli_parse_int(v, out) < 0 || *out < lo || *out > hi)
        return fc_cli_usage_error("analyze", "%s: expected a number %d..%d, not '%s'", name, lo, hi, v);
    return 0;
}

static int parse_args(args *a, int argc, char **argv)
{
    const char *max_side = NULL, *threads = NULL, *afps = NULL, *dthreads = NULL;
    a->max_side = 640;
    a->analysis_fps = 30;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        const char **val = !strcmp(s, "--from-keypoints")                   ? &a->from
                           : !strcmp(s, "--exercise")                       ? &a->exercise
                           : !strcmp(s, "--profile")                        ? &a->profile
                           : !strcmp(s, "--view")                           ? &a->view
                           : !strcmp(s, "--model")                          ? &a->model
                           : !strcmp(s, "--model-dir")                      ? &a->model_dir
                           : !strcmp(s, "--annotate")                       ? &a->annotate
                           : !strcmp(s, "--keypoints-out")                  ? &a->kp_out
                           : !strcmp(s, "--max-side")                       ? &max_side
                           : !strcmp(s, "--threads")                        ? &threads
                           : !strcmp(s, "--analysis-fps")                   ? &afps
                           : !strcmp(s, "--stats")                          ? &a->stats
                           : !strcmp(s, "--decode-threads")                 ? &dthreads /* undocumented (benchmarks) */
                           : !strcmp(s, "-o") || !strcmp(s, "--output")     ? &a->out
                                                                            : NULL;
        if (val) {
            if (i + 1 >= argc)
                return fc_cli_usage_error("analyze", "%s needs a value", s);
            *val = argv[++i];
        } else if (!strcmp(s, "--force")) {
            a->force = 1;
        } else if (!strcmp(s, "--json")) {
            a->json = 1;
        } else if (!strcmp(s, "--no-pipeline")) { /* undocumented: decode and pose on one thread (benchmarks) */
            a->no_pipeline = 1;
        } else if (!strcmp(s, "--no-segments")) {
            a->no_segments = 1;
        } else if (!strcmp(s, "--no-planar")) {
            a->no_planar = 1;
        } else if (!strcmp(s, "--quiet") || !strcmp(s, "-q")) {
            a->quiet = 1;
        } else if (s[0] == '-' && s[1]) {
            return fc_cli_usage_error("analyze", "unknown option '%s'", s);
        } else {
            a->inputs[a->n_inputs++] = s;
        }
    }
    if (max_side && parse_int_opt("--max-side", max_side, 0, 16384, &a->max_side))
        return FC_EXIT_USAGE;
    if (threads && parse_int_opt("--threads", threads, 0, 256, &a->threads))
        return FC_EXIT_USAGE;
    a->decode_threads = -1;
    if (dthreads && parse_int_opt("--decode-threads", dthreads, 0, 64, &a->decode_threads))
        return FC_EXIT_USAGE;
    if (afps && (fc_cli_parse_double(afps, &a->analysis_fps) < 0 || !(a->analysis_fps >= 0) ||
                 a->analysis_fps > 1000))
        return fc_cli_usage_error("analyze", "--analysis-fps: expected frames per second 0..1000, not '%s'", afps);
    if (a->from && a->stats)
        return fc_cli_usage_error("analyze", "--stats times the video pipeline; it does not apply to --from-keypoints");
    if (a->from && a->n_inputs)
        return fc_cli_usage_error("analyze", "give videos or --from-keypoints, not both");
    if (!a->from && !a->n_inputs)
        return fc_cli_usage_error("analyze", "nothing to analyse (give a video or --from-keypoints K.jsonl)");
    if (a->n_inputs > 1 && (a->out || a->annotate || a->kp_out))
        return fc_cli_usage_error("analyze", "-o, --annotate and --keypoints-out take one input, not %d",
                                  a->n_inputs);
    if (fc_job_exercise(a->exercise) < 0)
        return fc_cli_usage_error("analyze", "--exercise: expected squat, lunge or auto, not '%s'", a->exercise);
    return 0;
}

static int parse_view(const char *v)
{
    if (!v || !strcmp(v, "auto"))
        return FC_VIEW_UNKNOWN;
    return !strcmp(v, "side") ? FC_VIEW_SIDE : !strcmp(v, "front") ? FC_VIEW_FRONT
           : !strcmp(v, "oblique")                                ? FC_VIEW_OBLIQUE
                                                                  : -1;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double per_frame_ms(double total_s, int64_t frames)
{
    return frames > 0 ? total_s * 1e3 / (double)frames : 0;
}

static void add_ms(cJSON *o, const char *name, double total_s, int64_t frames)
{
    cJSON_AddNumberToObject(o, name, round(per_frame_ms(total_s, frames) * 1000) / 1000);
}

/* --stats: one JSON line per video, appended (bench/run.sh collects them). */
static int write_stats(const args *a, const fc_session_opts *so, const fc_session_summary *sum,
                       const fc_session_timing *tm, const char *input, double startup_s, double t_start_ms)
{
    struct rusage ru;
    cJSON *o = cJSON_CreateObject(), *ms;
    char *line = NULL;
    int rc = -1;
    getrusage(RUSAGE_SELF, &ru);
    if (!o)
        goto end;
    double process_s = (now_ms() - t_start_ms) / 1e3;
    cJSON_AddStringToObject(o, "input", input);
    cJSON_AddStringToObject(o, "model", so->pose.model == FC_POSE_LITE    ? "lite"
                                      : so->pose.model == FC_POSE_HEAVY ? "heavy"
                                                                        : "full");
    cJSON_AddNumberToObject(o, "threads", so->pose.threads);
    cJSON_AddNumberToObject(o, "max_side", so->max_side);
    cJSON_AddBoolToObject(o, "pipeline", so->pipeline);
    cJSON_AddBoolToObject(o, "planar", so->planar);
    cJSON_AddNumberToObject(o, "segments", tm->segments);
    cJSON_AddNumberToObject(o, "frames_warmup", (double)tm->frames_warmup);
    cJSON_AddNumberToObject(o, "width", sum->width);
    cJSON_AddNumberToObject(o, "height", sum->height);
    cJSON_AddNumberToObject(o, "fps_source", sum->fps_in);
    cJSON_AddNumberToObject(o, "analysis_fps", sum->analysis_fps);
    cJSON_AddNumberToObject(o, "frames", (double)tm->frames);
    cJSON_AddNumberToObject(o, "frames_source", (double)tm->frames_source);
    cJSON_AddNumberToObject(o, "video_s", tm->video_s);
    cJSON_AddNumberToObject(o, "detector_runs", (double)tm->detector_runs);
    ms = cJSON_AddObjectToObject(o, "ms_per_frame");
    add_ms(ms, "decode", tm->decode_s, tm->frames);
    add_ms(ms, "wait", tm->wait_s, tm->frames);
    add_ms(ms, "detector", tm->detector_s, tm->frames);
    add_ms(ms, "warp", tm->warp_s, tm->frames);
    add_ms(ms, "landmark", tm->landmark_s, tm->frames);
    add_ms(ms, "post", tm->post_s, tm->frames);
    add_ms(ms, "pose_pass", tm->pose_pass_s, tm->frames);
    add_ms(ms, "analysis", tm->analysis_s, tm->frames);
    add_ms(ms, "annotate_decode", tm->ann_decode_s, tm->ann_frames);
    add_ms(ms, "annotate_draw", tm->ann_draw_s, tm->ann_frames);
    add_ms(ms, "annotate_encode", tm->ann_encode_s, tm->ann_frames);
    add_ms(ms, "annotate_pass", tm->ann_pass_s, tm->ann_frames);
    add_ms(ms, "report", tm->report_s, tm->frames);
    add_ms(ms, "cpu", tm->cpu_s, tm->frames);
    cJSON_AddNumberToObject(o, "startup_s", startup_s);
    cJSON_AddNumberToObject(o, "run_s", tm->wall_s);
    cJSON_AddNumberToObject(o, "cpu_s", tm->cpu_s);
    cJSON_AddNumberToObject(o, "process_s", process_s);
    cJSON_AddNumberToObject(o, "process_cpu_s", (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                                                    (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
    cJSON_AddNumberToObject(o, "fps", tm->wall_s > 0 ? tm->frames / tm->wall_s : 0);
    cJSON_AddNumberToObject(o, "x_realtime", tm->wall_s > 0 ? tm->video_s / tm->wall_s : 0);
    cJSON_AddNumberToObject(o, "x_realtime_process", process_s > 0 ? tm->video_s / process_s : 0);
    cJSON_AddNumberToObject(o, "peak_rss_mb", round(ru.ru_maxrss / 1024.0 * 10) / 10); /* KiB on Linux */
    if (!(line = cJSON_PrintUnformatted(o)))
        goto end;
    FILE *f = strcmp(a->stats, "-") ? fopen(a->stats, "a") : stdout;
    if (!f) {
        fc_cli_error("%s: cannot open for appending: %s", a->stats, strerror(errno));
        goto end;
    }
    int bad = fprintf(f, "%s\n", line) < 0;
    bad |= f == stdout ? fflush(f) != 0 : fclose(f) != 0;
    if (bad)
        fc_cli_error("%s: write failed: %s", a->stats, strerror(errno));
    else
        rc = 0;
end:
    if (!line)
        fc_cli_error("%s: out of memory", a->stats);
    free(line);
    cJSON_Delete(o);
    return rc;
}

/* Print a written report as the per-rep table (or its JSON). */
static int show_report(const char *path, int json)
{
    char err[FC_ERRBUF_SIZE];
    cJSON *rep = NULL;
    if (fc_report_load(&rep, path, err, sizeof err) < 0) {
        fc_cli_error("%s", err);
        return -1;
    }
    int color = isatty(STDOUT_FILENO) && !(getenv("NO_COLOR") && *getenv("NO_COLOR"));
    fc_report_render(stdout, rep, json ? FC_REPORT_JSON : FC_REPORT_TEXT, color);
    if (!json)
        printf("\nreport: %s\n", path);
    cJSON_Delete(rep);
    return 0;
}

static int analyze_keypoints(const args *a, const fc_session_opts *so)
{
    fc_analysis_result *res = NULL;
    fc_pose_result *series = NULL;
    size_t n = 0;
    char err[FC_ERRBUF_SIZE], outbuf[4096];
    const char *out = a->out;
    int code = FC_EXIT_FAIL;
    if (!out) {
        fc_job_default_report(outbuf, sizeof outbuf, a->from);
        out = outbuf;
    }
    if (fc_keypoints_load(&series, &n, a->from, err, sizeof err) < 0) {
        fc_cli_error("%s", err);
        return FC_EXIT_FAIL;
    }
    double t0 = now_ms();
    if (fc_job_stop)
        goto end;
    if (fc_analysis_run(&res, series, n, &so->analysis, so->squat, so->lunge, err, sizeof err) < 0) {
        fc_cli_error("%s: %s", a->from, err);
        goto end;
    }
    fc_report_info info = fc_report_default_info();
    info.input_path = a->from;
    info.input_kind = "keypoints";
    info.analysis_ms = now_ms() - t0;
    /* Times in reports make them differ run to run; FC_DETERMINISTIC zeroes them (tests). */
    if (getenv("FC_DETERMINISTIC"))
        info.analysis_ms = 0;
    double pose_ms = 0;
    for (size_t i = 0; i < n; i++)
        pose_ms += series[i].ms;
    info.pose_ms_mean = n ? pose_ms / n : 0;
    if (fc_job_stop) /* a stop during the write finishes it: the report is whole or absent */
        goto end;
    if (fc_report_write(out, res, series, n, &info, a->force ? FC_ATOMIC_FORCE : 0, err, sizeof err) < 0) {
        fc_cli_error("%s", err);
        goto end;
    }
    for (size_t i = 0; i < res->n_warnings && !a->quiet; i++)
        fc_cli_log(NULL, FC_LOG_WARN, res->warnings[i].msg);
    if (!a->quiet && strcmp(out, "-") && show_report(out, a->json) < 0)
        goto end;
    code = FC_EXIT_OK;
end:
    fc_analysis_free(res);
    free(series);
    return code;
}

/* Every video in turn; a failure is reported and the next one goes on. */
static int analyze_videos(const args *a, fc_session_opts *so, double t_start_ms)
{
    char err[FC_ERRBUF_SIZE], outbuf[4096], line[1024];
    fc_session *s = NULL;
    fc_job_progress_ctx pc = {isatty(STDERR_FILENO), 0};
    int failed = 0, verbosity = FC_LOG_WARN;
    char **lines = calloc((size_t)a->n_inputs, sizeof *lines);
    if (!lines) {
        fc_cli_error("out of memory");
        return FC_EXIT_FAIL;
    }
    so->log = fc_cli_log;
    so->log_user = &verbosity;
    so->pose.log = fc_cli_log;
    so->pose.log_user = &verbosity;
    if (!a->quiet) {
        so->progress = fc_job_progress;
        so->progress_user = &pc;
        so->progress_interval_s = pc.tty ? 0.25 : 1.0;
    }
    so->stop = &fc_job_stop;
    if (a->stats && strcmp(a->stats, "-")) { /* fail before minutes of pose, not after */
        FILE *f = fopen(a->stats, "a");
        if (!f || fclose(f) != 0) {
            fc_cli_error("%s: cannot open for appending: %s", a->stats, strerror(errno));
            free(lines);
            return FC_EXIT_FAIL;
        }
    }
    double t_open = now_ms();
    if (fc_session_open(&s, so, err, sizeof err) < 0) {
        fc_cli_error("%s", err);
        free(lines);
        return FC_EXIT_FAIL;
    }
    double startup_s = (now_ms() - t_open) / 1e3;
    for (int i = 0; i < a->n_inputs && !fc_job_stop; i++) {
        fc_session_job job = fc_session_default_job();
        fc_session_summary sum;
        job.input = a->inputs[i];
        if (a->out) {
            job.report_path = a->out;
        } else {
            fc_job_default_report(outbuf, sizeof outbuf, job.input);
            job.report_path = outbuf;
        }
        job.annotate_path = a->annotate;
        job.keypoints_path = a->kp_out;
        job.force = a->force;
        int rc = fc_session_run(&sum, s, &job, err, sizeof err);
        if (rc == FC_EINTR || fc_job_stop)
            break;
        if (rc < 0) {
            fc_cli_error("%s", err);
            snprintf(line, sizeof line, "%s: FAILED: %s", job.input, err);
            failed++;
        } else {
            const fc_analysis_result *res = fc_session_result(s);
            for (size_t w = 0; w < res->n_warnings && !a->quiet; w++)
                fc_cli_log(NULL, FC_LOG_WARN, res->warnings[w].msg);
            if (!a->quiet && strcmp(job.report_path, "-") && show_report(job.report_path, a->json) < 0)
                failed++;
            if (!a->quiet && !a->json && a->annotate)
                printf("annotated video: %s\n", a->annotate);
            if (a->stats && write_stats(a, so, &sum, fc_session_last_timing(s), job.input, startup_s, t_start_ms) < 0)
                failed++;
            fc_job_summary_line(line, sizeof line, job.input, &sum);
            snprintf(line + strlen(line), sizeof line - strlen(line), " -> %s", job.report_path);
        }
        lines[i] = strdup(line);
        fflush(stdout);
    }
    if (a->n_inputs > 1 && !a->quiet && !fc_job_stop) {
        printf("\n");
        for (int i = 0; i < a->n_inputs; i++)
            printf("%s\n", lines[i] ? lines[i] : "(not run)");
    }
    for (int i = 0; i < a->n_inputs; i++)
        free(lines[i]);
    free(lines);
    fc_session_free(s);
    if (fc_job_stop) {
        fc_cli_error("stopped by signal %d; no report written for the video in progress", (int)fc_job_stop);
        return fc_job_signal_exit();
    }
    return failed ? FC_EXIT_FAIL : FC_EXIT_OK;
}

int fc_cmd_analyze(int argc, char **argv)
{
    double t_start_ms = now_ms();
    args a;
    fc_profile prof[2];
    fc_session_opts so = fc_session_default_opts();
    int rc;

    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
            return fc_cli_print_usage(fc_usage_analyze);
    memset(&a, 0, sizeof a);
    if (!(a.inputs = calloc((size_t)argc, sizeof *a.inputs))) {
        fc_cli_error("out of memory");
        return FC_EXIT_FAIL;
    }
    if ((rc = parse_args(&a, argc, argv)) != 0)
        goto end;
    fc_exercise ex = (fc_exercise)fc_job_exercise(a.exercise);
    if ((so.analysis.view = parse_view(a.view)) < 0) {
        rc = fc_cli_usage_error("analyze", "--view: expected side, front, oblique or auto, not '%s'", a.view);
        goto end;
    }
    if (a.model && fc_pose_model_parse(a.model, &so.pose.model) < 0) {
        rc = fc_cli_usage_error("analyze", "--model: expected lite, full or heavy, not '%s'", a.model);
        goto end;
    }
    if ((rc = fc_job_profiles(&so, prof, a.profile, &ex)) != 0) {
        rc = rc == FC_EXIT_USAGE ? FC_EXIT_USAGE : FC_EXIT_FAIL;
        goto end;
    }
    if (a.from) {
        fc_job_signals_install();
        rc = analyze_keypoints(&a, &so);
        if (fc_job_stop && rc != FC_EXIT_OK) {
            fc_cli_error("analyze: %s: stopped by signal %d; no report written", a.from, (int)fc_job_stop);
            rc = fc_job_signal_exit();
        }
        goto end;
    }
    if (!(so.pose.model_dir = fc_job_model_dir(a.model_dir, so.pose.model))) {
        rc = FC_EXIT_FAIL;
        goto end;
    }
    so.pose.threads = a.threads;
    so.max_side = a.max_side;
    so.analysis_fps = a.analysis_fps;
    if (a.decode_threads >= 0) /* --decode-threads 0: FFmpeg's own choice (frame threads) */
        so.decode_threads = a.decode_threads ? a.decode_threads : -1;
    so.pipeline = !a.no_pipeline;
    so.segments = !a.no_segments;
    so.planar = !a.no_planar;
    fc_job_signals_install();
    rc = analyze_videos(&a, &so, t_start_ms);
end:
    free(a.inputs);
    return fc_cli_finish(rc);
}

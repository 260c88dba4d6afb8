/* cmd_record.c - `formcheck record`: a set on a webcam with live feedback, saved and analysed. */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/videodev2.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_job.h"
#include "formcheck/grabber.h"
#include "formcheck/overlay.h"
#include "formcheck/report.h"
#include "formcheck/reportview.h"
#include "formcheck/session.h"
#include "formcheck/window.h"
#include "record_live.h"

const char fc_usage_record[] =
    "usage: formcheck record [options]\n"
    "\n"
    "Record a squat or lunge set on a webcam with live feedback, save the video,\n"
    "then analyse it and write the same report as `formcheck analyze`.\n"
    "\n"
    "source:\n"
    "  --device DEV          camera or input (default /dev/video0); with --format lavfi a\n"
    "                        filter graph (testsrc2=size=640x480:rate=30); a video file\n"
    "                        is played at its own pace, like a camera\n"
    "  --format NAME         libavdevice input: v4l2 (default for /dev/...), lavfi, x11grab...\n"
    "  --video-size WxH      ask the device for this size (e.g. 640x480)\n"
    "  --fps N               ask the device for this frame rate\n"
    "  --input-format NAME   device pixel/codec format (e.g. mjpeg, yuyv422)\n"
    "  --list-devices        list the video devices (/dev/video*) and exit\n"
    "the set:\n"
    "  --countdown S         seconds to get in place before counting starts (default 3)\n"
    "  --duration S          stop after S seconds of counting\n"
    "  --reps N              stop once N reps are counted\n"
    "  --exercise NAME       squat, lunge or auto (default auto)\n"
    "  --profile FILE|LEVEL  thresholds: a profile file or beginner|standard|strict\n"
    "  --model NAME          pose model: lite (default here, for speed), full or heavy\n"
    "  --model-dir DIR       where the .tflite files are\n"
    "  --threads N           inference threads (default: OpenCV's choice)\n"
    "  --analysis-fps F      analyse the saved set at most F frames per second (default\n"
    "                        30, as analyze; 0 = every frame)\n"
    "output:\n"
    "  --out DIR             where to save set.mkv and set.formcheck.json (default\n"
    "                        ./formcheck-YYYYmmdd-HHMMSS); created if missing\n"
    "  --annotate            also write set.annotated.mp4 there\n"
    "  --force               replace files already in DIR\n"
    "  --no-window           no preview window: live cues go to the terminal\n"
    "  --quiet               print nothing but errors and the final summary line\n"
    "  -h, --help            this help\n"
    "\n"
    "Stops on q or Esc in the window, Ctrl-C, SIGTERM, --duration, --reps, or when the\n"
    "source ends or fails. What was captured is always saved and analysed, and the\n"
    "report's \"recording\" object says why the set stopped (stop_reason, cut_short).\n"
    "Exit status: 0 ok, 1 failure (also a device error mid-set, after saving),\n"
    "2 usage, 130/143 after SIGINT/SIGTERM (the set is still saved and analysed).\n";

static int parse_args(record_args *a, int argc, char **argv)
{
    const char *countdown = NULL, *duration = NULL, *reps = NULL, *threads = NULL, *afps = NULL;
    memset(a, 0, sizeof *a);
    a->device = NULL;
    a->countdown_s = 3;
    a->model = FC_POSE_LITE;
    a->analysis_fps = 30;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i], *model = NULL;
        const char **val = !strcmp(s, "--device")         ? &a->device
                           : !strcmp(s, "--format")       ? &a->format
                           : !strcmp(s, "--video-size")   ? &a->video_size
                           : !strcmp(s, "--fps")          ? &a->fps
                           : !strcmp(s, "--input-format") ? &a->input_format
                           : !strcmp(s, "--countdown")    ? &countdown
                           : !strcmp(s, "--duration")     ? &duration
                           : !strcmp(s, "--reps")         ? &reps
                           : !strcmp(s, "--exercise")     ? &a->exercise
                           : !strcmp(s, "--profile")      ? &a->profile
                           : !strcmp(s, "--model")        ? &model
                           : !strcmp(s, "--model-dir")    ? &a->model_dir
                           : !strcmp(s, "--threads")      ? &threads
                           : !strcmp(s, "--analysis-fps") ? &afps
                           : !strcmp(s, "--out")          ? &a->out
                                                          : NULL;
        if (val) {
            if (i + 1 >= argc)
                return fc_cli_usage_error("record", "%s needs a value", s);
            *val = argv[++i];
            if (model && fc_pose_model_parse(model, &a->model) < 0)
                return fc_cli_usage_error("record", "--model: expected lite, full or heavy, not '%s'", model);
        } else if (!strcmp(s, "--list-devices")) {
            a->list = 1;
        } else if (!strcmp(s, "--annotate")) {
            a->annotate = 1;
        } else if (!strcmp(s, "--force")) {
            a->force = 1;
        } else if (!strcmp(s, "--no-window")) {
            a->no_window = 1;
        } else if (!strcmp(s, "--quiet") || !strcmp(s, "-q")) {
            a->quiet = 1;
        } else {
            return fc_cli_usage_error("record", "unknown option or argument '%s'", s);
        }
    }
    if (countdown && (fc_cli_parse_double(countdown, &a->countdown_s) < 0 || a->countdown_s < 0 ||
                      a->countdown_s > 60))
        return fc_cli_usage_error("record", "--countdown: expected seconds 0..60, not '%s'", countdown);
    if (duration && (fc_cli_parse_double(duration, &a->duration_s) < 0 || !(a->duration_s > 0)))
        return fc_cli_usage_error("record", "--duration: expected seconds > 0, not '%s'", duration);
    if (reps && (fc_cli_parse_int(reps, &a->reps) < 0 || a->reps < 1 || a->reps > 1000))
        return fc_cli_usage_error("record", "--reps: expected a number 1..1000, not '%s'", reps);
    if (threads && (fc_cli_parse_int(threads, &a->threads) < 0 || a->threads < 0 || a->threads > 256))
        return fc_cli_usage_error("record", "--threads: expected a number 0..256, not '%s'", threads);
    if (afps && (fc_cli_parse_double(afps, &a->analysis_fps) < 0 || !(a->analysis_fps >= 0) ||
                 a->analysis_fps > 1000))
        return fc_cli_usage_error("record", "--analysis-fps: expected frames per second 0..1000, not '%s'", afps);
    if (fc_job_exercise(a->exercise) < 0)
        return fc_cli_usage_error("record", "--exercise: expected squat, lunge or auto, not '%s'", a->exercise);
    if (!a->device)
        a->device = "/dev/video0";
    return 0;
}

/* /dev/video0..63 that answer VIDIOC_QUERYCAP, with their name and whether they capture. */
static int list_devices(void)
{
    int found = 0;
    for (int i = 0; i < 64; i++) {
        char path[32];
        struct v4l2_capability cap;
        snprintf(path, sizeof path, "/dev/video%d", i);
        int fd = open(path, O_RDONLY | O_NONBLOCK);
        if (fd < 0) {
            if (errno != ENOENT)
                printf("%-14s (cannot open: %s)\n", path, strerror(errno));
            found += errno != ENOENT;
            continue;
        }
        memset(&cap, 0, sizeof cap);
        if (ioctl(fd, VIDIOC_QUERYCAP, &cap) == 0) {
            unsigned caps = cap.capabilities & V4L2_CAP_DEVICE_CAPS ? cap.device_caps : cap.capabilities;
            printf("%-14s %s (%s)%s\n", path, (const char *)cap.card, (const char *)cap.driver,
                   caps & V4L2_CAP_VIDEO_CAPTURE ? "" : " - not a capture device (metadata node)");
        } else {
            printf("%-14s (not a V4L2 device)\n", path);
        }
        found++;
        close(fd);
    }
    if (!found)
        printf("no video devices (/dev/video*) found; other inputs: --format lavfi --device testsrc2, "
               "--format x11grab --device :0, or a video file\n");
    return fc_cli_finish(FC_EXIT_OK);
}

/* The output folder: --out, or ./formcheck-YYYYmmdd-HHMMSS. Created; its set files must be new unless --force. */
static int prepare_out(char *dir, size_t size, const record_args *a, int *created)
{
    struct stat st;
    *created = 0;
    if (a->out) {
        snprintf(dir, size, "%s", a->out);
    } else {
        time_t t = time(NULL);
        struct tm tm;
        localtime_r(&t, &tm);
        strftime(dir, size, "formcheck-%Y%m%d-%H%M%S", &tm);
    }
    if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
        fc_cli_error("%s: exists and is not a directory", dir);
        return -1;
    }
    if (mkdir(dir, 0777) == 0)
        *created = 1;
    else if (errno != EEXIST) {
        fc_cli_error("%s: cannot create the folder: %s", dir, strerror(errno));
        return -1;
    }
    const char *names[] = {"set.mkv", "set.formcheck.json", "set.annotated.mp4"};
    for (int i = 0; i < 3 && !a->force; i++) {
        char p[4200];
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        if (stat(p, &st) == 0) {
            fc_cli_error("%s: exists (use --force to replace it, or another --out)", p);
            return -1;
        }
    }
    return 0;
}

/* Room kept for the report while recording: a set that fills the disk is still
 * analysed, its report written into this space once the file is removed. Reports
 * are tens of KB for a set (docs/limits.md); 4 MiB leaves room for hours. */
#define FC_RECORD_RESERVE_BYTES (4 << 20)

/* Best effort: 1 if the room was reserved; a file system without room or
 * fallocate support just gets none (and a full disk then ends without a report). */
static int reserve_space(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return 0;
    int rc = posix_fallocate(fd, 0, FC_RECORD_RESERVE_BYTES);
    close(fd);
    if (rc != 0)
        unlink(path);
    return rc == 0;
}

int fc_cmd_record(int argc, char **argv)
{
    record_args a;
    fc_profile prof[2];
    fc_session_opts so = fc_session_default_opts();
    char dir[4096], video[4200], report[4200], annotated[4200], reserve[4200], err[FC_ERRBUF_SIZE], line[1024];
    int rc;

    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
            return fc_cli_print_usage(fc_usage_record);
    if ((rc = parse_args(&a, argc, argv)) != 0)
        return rc;
    if (a.list)
        return list_devices();
    fc_exercise ex = (fc_exercise)fc_job_exercise(a.exercise);
    if ((rc = fc_job_profiles(&so, prof, a.profile, &ex)) != 0)
        return rc == FC_EXIT_USAGE ? FC_EXIT_USAGE : FC_EXIT_FAIL;
    so.pose.model = a.model;
    if (!(so.pose.model_dir = fc_job_model_dir(a.model_dir, a.model)))
        return FC_EXIT_FAIL;
    so.pose.threads = a.threads;
    so.analysis_fps = a.analysis_fps;
    int created = 0;
    if (prepare_out(dir, sizeof dir, &a, &created) < 0)
        return FC_EXIT_FAIL;
    snprintf(video, sizeof video, "%s/set.mkv", dir);
    snprintf(report, sizeof report, "%s/set.formcheck.json", dir);
    snprintf(annotated, sizeof annotated, "%s/set.annotated.mp4", dir);
    snprintf(reserve, sizeof reserve, "%s/.set.reserve", dir);
    if (a.force)
        unlink(video); /* the recording sink does not replace files */
    fc_job_signals_install();

    record_outcome oc;
    int reserved = reserve_space(reserve);
    rc = fc_record_live(&oc, &a, &so, video);
    unlink(reserve); /* its room is the report's now */
    if (rc < 0) { /* nothing captured: the error was printed; leave nothing behind */
        struct stat st;
        if (lstat(video, &st) == 0 && S_ISREG(st.st_mode))
            unlink(video); /* new (checked or removed above): at most a header */
        if (created)
            rmdir(dir);
        return fc_cli_finish(FC_EXIT_FAIL);
    }
    /* A full disk cut the recording short: what was written plays (Matroska needs
     * no trailer), so analyse it into the reserved room; exit 1 all the same. Other
     * recording errors leave no file worth analysing. */
    int disk_full = oc.rec_failed && reserved && !strcmp(oc.stop_reason, "disk_full") && oc.recorded_frames > 0;
    if (oc.rec_failed && !disk_full) /* the message named the recording and the cause */
        return fc_cli_finish(fc_job_stop ? fc_job_signal_exit() : FC_EXIT_FAIL);
    int first_signal = (int)fc_job_stop;
    fc_job_stop = 0; /* a second Ctrl-C stops the analysis below, the recording is kept */
    if (!a.quiet)
        fprintf(stderr, "formcheck: stopped (%s) after %.1f s; saved %s (%lld frames); analysing it...\n",
                oc.stop_reason, oc.recorded_s, video, (long long)oc.recorded_frames);

    int verbosity = FC_LOG_WARN;
    fc_job_progress_ctx pc = {isatty(STDERR_FILENO), 0};
    so.log = so.pose.log = fc_cli_log;
    so.log_user = so.pose.log_user = &verbosity;
    so.stop = &fc_job_stop;
    if (!a.quiet) {
        so.progress = fc_job_progress;
        so.progress_user = &pc;
    }
    fc_session *s = NULL;
    fc_session_summary sum;
    fc_session_job job = fc_session_default_job();
    job.input = video;
    job.report_path = report;
    job.annotate_path = a.annotate && !disk_full ? annotated : NULL; /* no room for a second video */
    job.force = a.force;
    job.stop_reason = oc.stop_reason;
    job.recorded_s = oc.recorded_s;
    int code = FC_EXIT_FAIL;
    if (fc_session_open(&s, &so, err, sizeof err) < 0 || fc_session_run(&sum, s, &job, err, sizeof err) < 0) {
        fc_cli_error("%s (the recording is kept: formcheck analyze %s)", err, video);
        goto end;
    }
    if (!a.quiet) {
        cJSON *rep = NULL;
        if (fc_report_load(&rep, report, err, sizeof err) == 0) {
            fc_report_render(stdout, rep, FC_REPORT_TEXT, isatty(STDOUT_FILENO) && !getenv("NO_COLOR"));
            cJSON_Delete(rep);
        }
        printf("\nvideo:  %s\nreport: %s\n", video, report);
        if (job.annotate_path)
            printf("annotated video: %s\n", annotated);
    }
    fc_job_summary_line(line, sizeof line, video, &sum);
    printf("%s; stopped: %s\n", line, oc.stop_reason);
    code = oc.failed ? FC_EXIT_FAIL : FC_EXIT_OK;
end:
    fc_session_free(s);
    if (fc_job_stop)
        first_signal = (int)fc_job_stop;
    if (first_signal) {
        fc_job_stop = first_signal;
        code = fc_job_signal_exit();
    }
    return fc_cli_finish(code);
}

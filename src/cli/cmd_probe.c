/* cmd_probe.c - `formcheck probe`: stream information of videos (capture stage). */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_job.h"
#include "formcheck/capture.h"

const char fc_usage_probe[] =
    "usage: formcheck probe [options] FILE...\n"
    "\n"
    "Show the stream information formcheck sees in each video (or device): size\n"
    "after rotation, frame rate, duration, frame count, codec, rotation.\n"
    "\n"
    "options:\n"
    "  --json               one JSON object per line per input, keys: path, format,\n"
    "                       codec, width, height (after rotation), src_width, src_height,\n"
    "                       rotation_deg (clockwise, applied to make it upright), fps,\n"
    "                       fps_real, is_vfr, duration_s, frames, frames_exact\n"
    "  --count              decode everything and count the frames exactly\n"
    "                       (default: the container's count, else an estimate)\n"
    "  --format FMT         input format, e.g. v4l2 or lavfi (default: probe the file;\n"
    "                       v4l2 for /dev/*)\n"
    "  --video-size WxH     device option (default: the device's)\n"
    "  --framerate N        device option (default: the device's)\n"
    "  --input-format F     device pixel/codec format, e.g. mjpeg (default: the device's)\n"
    "  -h, --help           this help\n"
    "\n"
    "Exit status: 0 all inputs probed, 1 some input failed (one line on stderr\n"
    "each, the others are still probed), 2 usage error.\n";

typedef struct probe_args {
    int json, count;
    fc_capture_opts opts;
} probe_args;

/* Decode every frame (on a tiny scaled copy, to spend the time in decoding). */
static int count_frames(const char *path, const probe_args *a, int64_t *frames, int64_t *skipped, char *err,
                        size_t errsz)
{
    fc_capture_opts o = a->opts;
    fc_capture *cap = NULL;
    fc_frame f;
    int rc;

    o.max_side = 16;
    if ((rc = fc_capture_open(&cap, path, &o, err, errsz)) < 0)
        return rc;
    *frames = 0;
    while (!fc_job_stop && (rc = fc_capture_read(&f, cap)) == 0)
        ++*frames;
    *skipped = fc_capture_skipped(cap);
    if (fc_job_stop)
        rc = fc_set_error(err, errsz, FC_EINTR, "%s: stopped by signal %d", path, (int)fc_job_stop);
    else if (rc == FC_EEOF)
        rc = 0;
    else
        snprintf(err, errsz, "%s", fc_capture_error(cap));
    fc_capture_free(cap);
    return rc;
}

static int print_json(const char *path, const fc_capture_info *in, int64_t frames, int exact, int64_t skipped)
{
    cJSON *o = cJSON_CreateObject();
    char *s;
    int rc = -1;

    if (!o)
        return -1;
    cJSON_AddStringToObject(o, "path", path);
    cJSON_AddStringToObject(o, "format", in->format);
    cJSON_AddStringToObject(o, "codec", in->codec);
    cJSON_AddNumberToObject(o, "width", in->width);
    cJSON_AddNumberToObject(o, "height", in->height);
    cJSON_AddNumberToObject(o, "src_width", in->src_width);
    cJSON_AddNumberToObject(o, "src_height", in->src_height);
    cJSON_AddNumberToObject(o, "rotation_deg", in->rotation_deg);
    cJSON_AddNumberToObject(o, "fps", in->fps_avg);
    cJSON_AddNumberToObject(o, "fps_real", in->fps_real);
    cJSON_AddBoolToObject(o, "is_vfr", in->is_vfr);
    cJSON_AddNumberToObject(o, "duration_s", in->duration_s);
    cJSON_AddNumberToObject(o, "frames", (double)frames);
    cJSON_AddBoolToObject(o, "frames_exact", exact);
    if (skipped >= 0)
        cJSON_AddNumberToObject(o, "skipped", (double)skipped);
    if ((s = cJSON_PrintUnformatted(o))) {
        printf("%s\n", s);
        cJSON_free(s);
        rc = 0;
    }
    cJSON_Delete(o);
    return rc;
}

static void print_text(const char *path, const fc_capture_info *in, int64_t frames, int exact, int64_t skipped)
{
    printf("%s\n", path);
    printf("  format:    %s\n", in->format);
    printf("  codec:     %s\n", in->codec);
    printf("  size:      %dx%d", in->width, in->height);
    if (in->rotation_deg)
        printf(" (coded %dx%d, turned %d deg clockwise to be upright)", in->src_width, in->src_height,
               in->rotation_deg);
    printf("\n  fps:       %.3f (base rate %.3f)%s\n", in->fps_avg, in->fps_real,
           in->is_vfr ? ", variable frame rate" : "");
    if (in->duration_s > 0)
        printf("  duration:  %.3f s\n", in->duration_s);
    else
        printf("  duration:  unknown\n");
    printf("  frames:    %lld%s", (long long)frames, exact ? "" : " (estimate)");
    if (skipped > 0)
        printf(", %lld damaged skipped", (long long)skipped);
    printf("\n");
}

static int probe_one(const char *path, const probe_args *a)
{
    char err[FC_ERRBUF_SIZE];
    fc_capture *cap = NULL;
    fc_capture_info in;
    int64_t frames, skipped = -1;
    int exact, rc;

    if ((rc = fc_capture_open(&cap, path, &a->opts, err, sizeof err)) < 0) {
        fc_cli_error("%s", err);
        return rc;
    }
    in = *fc_capture_get_info(cap);
    fc_capture_free(cap);
    if (a->count && in.is_device) { /* a live source has no end to count to */
        fc_cli_error("%s: --count works on files, not on live devices", path);
        return FC_EINVAL;
    }
    frames = in.frames_estimate;
    exact = in.frames_exact;
    if (a->count) {
        if ((rc = count_frames(path, a, &frames, &skipped, err, sizeof err)) < 0) {
            fc_cli_error("%s", err);
            return rc;
        }
        exact = 1;
    }
    if (a->json)
        return print_json(path, &in, frames, exact, skipped) < 0 ? FC_ENOMEM : 0;
    print_text(path, &in, frames, exact, skipped);
    return 0;
}

int fc_cmd_probe(int argc, char **argv)
{
    probe_args a = {.opts = fc_capture_default_opts()};
    int first_file = 0, failed = 0;

    a.opts.log = fc_cli_log;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        const char **val = NULL;
        if (!strcmp(s, "-h") || !strcmp(s, "--help"))
            return fc_cli_print_usage(fc_usage_probe);
        if (!strcmp(s, "--")) {
            first_file = i + 1;
            break;
        }
        if (!strcmp(s, "--json"))
            a.json = 1;
        else if (!strcmp(s, "--count"))
            a.count = 1;
        else if (!strcmp(s, "--format"))
            val = &a.opts.format;
        else if (!strcmp(s, "--video-size"))
            val = &a.opts.video_size;
        else if (!strcmp(s, "--framerate"))
            val = &a.opts.framerate;
        else if (!strcmp(s, "--input-format"))
            val = &a.opts.input_format;
        else if (s[0] == '-' && s[1] != '\0')
            return fc_cli_usage_error("probe", "unknown option '%s'", s);
        else {
            first_file = i;
            break;
        }
        if (val) {
            if (++i >= argc || !*argv[i])
                return fc_cli_usage_error("probe", "option '%s' needs a value", s);
            *val = argv[i];
        }
    }
    if (first_file == 0 || first_file >= argc)
        return fc_cli_usage_error("probe", "no input given");
    fc_job_signals_install();
    for (int i = first_file; i < argc && !fc_job_stop; i++) {
        if (probe_one(argv[i], &a) < 0)
            failed = 1;
        fflush(stdout); /* keep stdout and stderr lines in order */
    }
    if (fc_job_stop)
        return fc_cli_finish(fc_job_signal_exit());
    return fc_cli_finish(failed ? FC_EXIT_FAIL : FC_EXIT_OK);
}

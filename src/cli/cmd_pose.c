/* cmd_pose.c - `formcheck pose`: the pose module alone on images and videos, keypoints out. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_job.h"
#include "formcheck/capture.h"
#include "formcheck/keypoints.h"
#include "formcheck/pose.h"

const char fc_usage_pose[] =
    "usage: formcheck pose [options] INPUT...\n"
    "\n"
    "Run the pose module (BlazePose) alone on images (PNG, JPEG, ...) and videos and\n"
    "write one JSON object per frame (keypoints file, JSON Lines):\n"
    "  {\"frame\",\"t_s\",\"w\",\"h\",\"ms\",\"score\",\"landmarks\":[[x,y,z,visibility,presence] x 33] | null,\n"
    "   \"world\":[[x,y,z] x 33] | null}\n"
    "x and y normalised by the frame size, world points in metres, ms = the pose\n"
    "module's time for the frame. Frames are numbered across all inputs.\n"
    "\n"
    "options:\n"
    "  --model lite|full|heavy  landmark model (default full)\n"
    "  --mode image|video       image: detector on every frame; video: track the\n"
    "                           person, detector only when the track is lost,\n"
    "                           smoothing on (default video)\n"
    "  --model-dir DIR          where the .tflite files are (default $FORMCHECK_MODEL_DIR,\n"
    "                           else the source tree's or the installed models/)\n"
    "  --threads N              inference threads (default: OpenCV's choice)\n"
    "  --no-smoothing           video mode without landmark smoothing\n"
    "  -o, --output FILE        write here (default: standard output); the file appears\n"
    "                           complete or not at all\n"
    "  -h, --help               this help\n"
    "\n"
    "Exit status: 0 ok, 1 an input or model could not be read, 2 usage error.\n";

typedef struct pose_args {
    fc_pose_opts opts;
    const char *out_path;
    const char *model_dir;
    char **inputs; /* argc entries, caller frees */
    int ninputs;
} pose_args;

static int parse_args(pose_args *a, int argc, char **argv)
{
    const char *cmd = "pose";
    a->opts = fc_pose_default_opts();
    a->out_path = "-";
    a->model_dir = NULL;
    a->ninputs = 0;
    int only_inputs = 0;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!only_inputs && !strcmp(s, "--")) {
            only_inputs = 1;
            continue;
        }
        if (only_inputs || s[0] != '-' || !strcmp(s, "-")) {
            a->inputs[a->ninputs++] = argv[i]; /* options and inputs may be mixed */
            continue;
        }
        if (!strcmp(s, "--no-smoothing")) {
            a->opts.smoothing = 0;
            continue;
        }
        if (strcmp(s, "--model") && strcmp(s, "--mode") && strcmp(s, "--model-dir") && strcmp(s, "--threads") &&
            strcmp(s, "-o") && strcmp(s, "--output"))
            return fc_cli_usage_error(cmd, "unknown option '%s'", s);
        if (!v)
            return fc_cli_usage_error(cmd, "option '%s' needs a value", s);
        i++;
        if (!strcmp(s, "--model")) {
            if (fc_pose_model_parse(v, &a->opts.model) < 0)
                return fc_cli_usage_error(cmd, "--model: expected lite, full or heavy, got '%s'", v);
        } else if (!strcmp(s, "--mode")) {
            if (!strcmp(v, "image"))
                a->opts.mode = FC_POSE_IMAGE;
            else if (!strcmp(v, "video"))
                a->opts.mode = FC_POSE_VIDEO;
            else
                return fc_cli_usage_error(cmd, "--mode: expected image or video, got '%s'", v);
        } else if (!strcmp(s, "--model-dir")) {
            a->model_dir = v;
        } else if (!strcmp(s, "--threads")) {
            if (fc_cli_parse_int(v, &a->opts.threads) < 0 || a->opts.threads < 0 || a->opts.threads > 256)
                return fc_cli_usage_error(cmd, "--threads: expected a number 0..256, got '%s'", v);
        } else {
            a->out_path = v;
        }
    }
    if (!a->ninputs)
        return fc_cli_usage_error(cmd, "no input given");
    return 0;
}

/* One input through the pose module; frames numbered from *frame_no. */
static int run_input(fc_pose *pose, fc_keypoints_writer *w, const char *path, int64_t *frame_no)
{
    char err[FC_ERRBUF_SIZE];
    fc_capture_opts co = fc_capture_default_opts();
    fc_capture *cap = NULL;
    fc_frame f;
    fc_pose_result r;
    int rc = fc_capture_open(&cap, path, &co, err, sizeof err);
    if (rc < 0) {
        fc_cli_error("%s", err);
        return rc;
    }
    fc_pose_reset(pose); /* each input is its own sequence */
    while ((rc = fc_capture_read(&f, cap)) == 0) {
        rc = fc_pose_process(pose, &f, f.t_s, &r);
        if (rc < 0) {
            fc_cli_error("%s: frame %lld: %s", path, (long long)f.index, fc_pose_error(pose));
            break;
        }
        r.frame = (*frame_no)++;
        rc = fc_keypoints_writer_write(w, &r);
        if (rc < 0) {
            fc_cli_error("writing keypoints: %s", fc_strerror(rc));
            break;
        }
    }
    if (rc == FC_EEOF)
        rc = 0;
    else if (rc < 0 && rc != FC_EIO && rc != FC_ENOSPC && rc != FC_ECV && rc != FC_EINVAL)
        fc_cli_error("%s", fc_capture_error(cap));
    fc_capture_free(cap);
    return rc;
}

int fc_cmd_pose(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--"))
            break;
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
            return fc_cli_print_usage(fc_usage_pose);
    }
    pose_args a;
    a.inputs = calloc((size_t)argc, sizeof *a.inputs);
    if (!a.inputs) {
        fc_cli_error("out of memory");
        return FC_EXIT_FAIL;
    }
    int rc = parse_args(&a, argc, argv);
    if (rc) {
        free(a.inputs);
        return rc;
    }
    char err[FC_ERRBUF_SIZE];
    /* An explicit --model-dir goes to fc_pose_open as given, so its errors name the model file. */
    const char *dir = a.model_dir ? a.model_dir : fc_job_model_dir(NULL, a.opts.model);
    if (!dir) {
        free(a.inputs);
        return FC_EXIT_FAIL;
    }
    int verbosity = FC_LOG_WARN;
    a.opts.model_dir = dir;
    a.opts.log = fc_cli_log;
    a.opts.log_user = &verbosity;
    fc_pose *pose = NULL;
    fc_keypoints_writer *w = NULL;
    int code = FC_EXIT_FAIL;
    /* the output first: a bad path fails before the models load */
    if (fc_keypoints_writer_open(&w, a.out_path, err, sizeof err) < 0) {
        fc_cli_error("%s", err);
        goto end;
    }
    if (fc_pose_open(&pose, &a.opts, err, sizeof err) < 0) {
        fc_cli_error("%s", err);
        goto end;
    }
    int64_t frame_no = 0;
    for (int i = 0; i < a.ninputs; i++)
        if (run_input(pose, w, a.inputs[i], &frame_no) < 0)
            goto end;
    rc = fc_keypoints_writer_close(w, err, sizeof err);
    w = NULL;
    if (rc < 0) {
        fc_cli_error("%s", err);
        goto end;
    }
    code = FC_EXIT_OK;
end:
    fc_keypoints_writer_free(w); /* on failure: no half-written output */
    fc_pose_free(pose);
    free(a.inputs);
    return fc_cli_finish(code);
}

/* pose.c - the BlazePose pipeline: detector, ROI, landmarks, tracking, smoothing (see formcheck/pose.h). */
#define _POSIX_C_SOURCE 200809L
#include "formcheck/pose.h"

#include <errno.h>
#include <libavutil/mem.h>
#include <libavutil/sha.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "formcheck/imgwarp.h"
#include "formcheck/net.h"
#include "formcheck/posedetect.h"
#include "formcheck/posefilter.h"

/* MediaPipe's Tasks defaults: NMS IoU threshold (pose_detector_graph_options.proto),
 * heatmap refinement window and confidence (tensors_to_pose_landmarks_and_segmentation
 * and refine_landmarks_from_heatmap_calculator.proto), visibility low-pass alpha. */
#define NMS_IOU 0.5f
#define HEATMAP_KERNEL 7
#define HEATMAP_MIN_CONFIDENCE 0.5f
#define VISIBILITY_ALPHA 0.1f
/* When picking a person among several detections, these count as tied on score. */
#define SCORE_TIE 0.1f
/* After a loss, a detection whose hip centre is within this many ROI sides of where
 * the person was last seen is taken as the same person. */
#define SAME_PERSON_DIST 0.75f

#define DET_OUT_BOXES ((size_t)FC_POSE_NUM_ANCHORS * FC_POSE_DET_COORDS)
#define DET_OUT_SCORES ((size_t)FC_POSE_NUM_ANCHORS)
#define LM_OUT_POINTS ((size_t)FC_POSE_LM_POINTS * 5)
#define LM_OUT_HEATMAP ((size_t)FC_POSE_HEATMAP_SIZE * FC_POSE_HEATMAP_SIZE * FC_POSE_LM_POINTS)
#define LM_OUT_WORLD ((size_t)FC_POSE_LM_POINTS * 3)
#define SEGMENTATION_OUTPUT 2

enum track_state { NEVER_FOUND = 0, FOUND, LOST };

struct fc_pose {
    fc_pose_opts o;
    fc_net *det, *lm;   /* det: a sharer's is its owner's (opts.share_detector) */
    int owns_det;
    pthread_mutex_t det_mu;   /* the owner's: runs of the detector take turns on it */
    pthread_mutex_t *dmu;     /* &det_mu, or the owner's */
    fc_imgwarp *iw;
    int det_boxes, det_scores;                  /* output indices */
    int lm_points, lm_flag, lm_heatmap, lm_world;
    fc_anchor anchors[FC_POSE_NUM_ANCHORS];
    fc_detection dets[FC_POSE_NUM_ANCHORS];
    /* tracking */
    int tracking;       /* VIDEO: roi holds the next frame's ROI */
    fc_roi roi;
    int state;          /* enum track_state */
    fc_roi last_seen;   /* ROI of the chosen person when last found */
    fc_point_smoother sm_lm, sm_world;
    fc_pose_timing timing;
    char err[FC_ERRBUF_SIZE];
};

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

fc_pose_opts fc_pose_default_opts(void)
{
    fc_pose_opts o;
    memset(&o, 0, sizeof o);
    o.model = FC_POSE_FULL;
    o.mode = FC_POSE_VIDEO;
    o.min_detection_score = 0.5f;
    o.min_tracking_score = 0.5f;
    o.smoothing = 1;
    o.verify_checksums = 1;
    return o;
}

static const char *const model_names[] = {"lite", "full", "heavy"};
static const char *const model_files[] = {"pose_landmark_lite.tflite", "pose_landmark_full.tflite",
                                          "pose_landmark_heavy.tflite"};

int fc_pose_model_parse(const char *name, fc_pose_model *out)
{
    for (int i = 0; name && i < 3; i++)
        if (!strcmp(name, model_names[i])) {
            *out = (fc_pose_model)i;
            return 0;
        }
    return FC_EINVAL;
}

const char *fc_pose_model_file(fc_pose_model model)
{
    return (unsigned)model < 3 ? model_files[model] : "?";
}

const char *fc_pose_detector_file(void)
{
    return "pose_detection.tflite";
}

/* The SHA-256 of each model file as models/fetch.sh pins them (MediaPipe's npm
 * package @mediapipe/pose 0.5.1675469404); test_pose checks the two lists agree. */
#define MAX_MODEL_BYTES (64LL << 20) /* the heavy model is 27.7 MB */
static const struct {
    const char *file, *sha256;
} pinned[] = {
    {"pose_detection.tflite", "a63c614bef30d35947f13be361820b1e4e3bec9cfeebf4d11216a18373108e85"},
    {"pose_landmark_lite.tflite", "f17bfbecadb61c3be1baa8b8d851cc6619c870a87167b32848ad20db306b9d61"},
    {"pose_landmark_full.tflite", "e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f"},
    {"pose_landmark_heavy.tflite", "59e42d71bcd44cbdbabc419f0ff76686595fd265419566bd4009ef703ea8e1fe"},
};

const char *fc_pose_pinned_sha256(const char *file)
{
    for (size_t i = 0; file && i < sizeof pinned / sizeof pinned[0]; i++)
        if (!strcmp(file, pinned[i].file))
            return pinned[i].sha256;
    return NULL;
}

int fc_pose_file_sha256(char hex[65], const char *path, char *err, size_t errsz)
{
    uint8_t buf[65536], d[32];
    struct AVSHA *sha = NULL;
    FILE *f = NULL;
    size_t n;
    int rc = 0;
    hex[0] = 0;
    if (!(f = fopen(path, "rb"))) {
        int e = errno;
        return fc_set_error(err, errsz, fc_error_from_errno(e), "%s: %s", path, strerror(e));
    }
    if (!(sha = av_sha_alloc()) || av_sha_init(sha, 256) < 0) {
        rc = fc_set_error(err, errsz, FC_ENOMEM, "%s: out of memory", path);
        goto end;
    }
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        av_sha_update(sha, buf, n);
    if (ferror(f)) {
        rc = fc_set_error(err, errsz, FC_EIO, "%s: read failed", path);
        goto end;
    }
    av_sha_final(sha, d);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
end:
    av_free(sha);
    fclose(f);
    return rc;
}

/* A model file that is not byte for byte the pinned one is refused before it is
 * parsed: another version's outputs may differ in meaning though not in shape.
 * Paths that are not a readable regular file are left to fc_net_open's messages. */
static int verify_model(const char *path, const char *file, char *err, size_t errsz)
{
    const char *want = fc_pose_pinned_sha256(file);
    struct stat st;
    char got[65];
    if (!want || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return 0;
    if (st.st_size > MAX_MODEL_BYTES) /* not worth reading: no pinned model is that large */
        return fc_set_error(err, errsz, FC_EMODEL, "%s: %lld bytes, not the pinned model (expected SHA-256 %s); "
                            "run models/fetch.sh", path, (long long)st.st_size, want);
    int rc = fc_pose_file_sha256(got, path, err, errsz);
    if (rc < 0)
        return rc;
    if (strcmp(got, want))
        return fc_set_error(err, errsz, FC_EMODEL,
                            "%s: checksum mismatch: expected %s, got %s (not the pinned model; run models/fetch.sh)",
                            path, want, got);
    return 0;
}

/* Index of the output holding exactly `count` floats, or -1. Outputs are told apart
 * by size, which is unambiguous for these models and independent of their order. */
static int output_by_size(const fc_net *net, size_t count)
{
    for (int i = 0; i < fc_net_num_outputs(net); i++) {
        size_t n = 0;
        if (fc_net_output(net, i, &n) && n == count)
            return i;
    }
    return -1;
}

static int open_net(fc_net **net, const char *dir, const char *file, const fc_pose_opts *o, int side,
                    unsigned skip_outputs, char *err, size_t errsz)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s/%s", dir, file) >= (int)sizeof path)
        return fc_set_error(err, errsz, FC_EINVAL, "%s/%s: path too long", dir, file);
    fc_net_opts no = fc_net_default_opts();
    no.threads = o->threads;
    no.log = o->log;
    no.log_user = o->log_user;
    no.skip_outputs = skip_outputs;
    int rc = o->verify_checksums ? verify_model(path, file, err, errsz) : 0;
    if (rc < 0)
        return rc;
    rc = fc_net_open(net, path, &no, err, errsz);
    if (rc < 0)
        return rc;
    int h = 0, w = 0, c = 0;
    fc_net_input_size(*net, &h, &w, &c);
    if (h != side || w != side || c != 3)
        return fc_set_error(err, errsz, FC_EMODEL, "%s: input is %dx%dx%d, expected %dx%dx3", path, h, w, c,
                            side, side);
    return 0;
}

/* Run both networks once on zeros: finds the outputs by size and warms OpenCV up
 * (its first forward pass allocates). */
static int probe_outputs(fc_pose *p, char *err, size_t errsz)
{
    char path[4096];
    int rc = 0;
    memset(fc_net_input(p->lm), 0, sizeof(float) * 3 * FC_POSE_LM_SIZE * FC_POSE_LM_SIZE);
    if (p->owns_det) { /* a sharer's owner has done this */
        memset(fc_net_input(p->det), 0, sizeof(float) * 3 * FC_POSE_DET_SIZE * FC_POSE_DET_SIZE);
        if ((rc = fc_net_forward(p->det, err, errsz)) < 0)
            return rc;
        p->det_boxes = output_by_size(p->det, DET_OUT_BOXES);
        p->det_scores = output_by_size(p->det, DET_OUT_SCORES);
    }
    rc = fc_net_forward(p->lm, err, errsz);
    if (rc < 0)
        return rc;
    if (p->det_boxes < 0 || p->det_scores < 0) {
        snprintf(path, sizeof path, "%s/%s", p->o.model_dir, fc_pose_detector_file());
        return fc_set_error(err, errsz, FC_EMODEL,
                            "%s: not a BlazePose detector (outputs [1,2254,12] and [1,2254,1] expected)", path);
    }
    p->lm_points = output_by_size(p->lm, LM_OUT_POINTS);
    p->lm_flag = output_by_size(p->lm, 1);
    p->lm_heatmap = output_by_size(p->lm, LM_OUT_HEATMAP);
    p->lm_world = output_by_size(p->lm, LM_OUT_WORLD);
    if (p->lm_points < 0 || p->lm_flag < 0 || p->lm_heatmap < 0 || p->lm_world < 0) {
        snprintf(path, sizeof path, "%s/%s", p->o.model_dir, fc_pose_model_file(p->o.model));
        return fc_set_error(err, errsz, FC_EMODEL,
                            "%s: not a BlazePose landmark model (outputs [1,195], [1,1], [1,64,64,39], "
                            "[1,117] expected)", path);
    }
    return 0;
}

int fc_pose_open(fc_pose **out, const fc_pose_opts *opts, char *err, size_t errsz)
{
    *out = NULL;
    if (!opts || !opts->model_dir || !*opts->model_dir)
        return fc_set_error(err, errsz, FC_EINVAL, "pose: no model directory given");
    if ((unsigned)opts->model > FC_POSE_HEAVY || (unsigned)opts->mode > FC_POSE_VIDEO || opts->threads < 0 ||
        !(opts->min_detection_score >= 0.0f && opts->min_detection_score <= 1.0f) ||
        !(opts->min_tracking_score >= 0.0f && opts->min_tracking_score <= 1.0f))
        return fc_set_error(err, errsz, FC_EINVAL, "pose: invalid options");
    int rc;
    fc_pose *p = calloc(1, sizeof *p);
    if (!p)
        return fc_set_error(err, errsz, FC_ENOMEM, "pose: out of memory");
    p->o = *opts;
    p->o.share_detector = NULL;
    if (opts->share_detector) {
        const fc_pose *src = opts->share_detector;
        p->det = src->det;
        p->dmu = src->dmu;
        p->det_boxes = src->det_boxes;
        p->det_scores = src->det_scores;
    } else {
        if (pthread_mutex_init(&p->det_mu, NULL) != 0) {
            free(p);
            return fc_set_error(err, errsz, FC_ENOMEM, "pose: cannot create a lock");
        }
        p->owns_det = 1;
        p->dmu = &p->det_mu;
        rc = open_net(&p->det, opts->model_dir, fc_pose_detector_file(), opts, FC_POSE_DET_SIZE, 0, err, errsz);
        if (rc < 0)
            goto end;
    }
    /* The segmentation mask (output 2 of MediaPipe's landmark models) is not used:
     * its layers are not even built, which saves a tenth of the landmark model's time. */
    rc = open_net(&p->lm, opts->model_dir, fc_pose_model_file(opts->model), opts, FC_POSE_LM_SIZE,
                  1u << SEGMENTATION_OUTPUT, err, errsz);
    if (rc < 0)
        goto end;
    rc = fc_imgwarp_create(&p->iw, NULL, err, errsz);
    if (rc < 0)
        goto end;
    rc = fc_pose_anchors(p->anchors, FC_POSE_NUM_ANCHORS);
    if (rc != FC_POSE_NUM_ANCHORS) {
        rc = fc_set_error(err, errsz, FC_EINVAL, "pose: anchor generation failed");
        goto end;
    }
    rc = probe_outputs(p, err, errsz);
    if (rc == FC_EMODEL) {
        /* Outputs in another order than MediaPipe's: build everything and look again. */
        fc_net_free(p->lm);
        p->lm = NULL;
        rc = open_net(&p->lm, opts->model_dir, fc_pose_model_file(opts->model), opts, FC_POSE_LM_SIZE, 0, err,
                      errsz);
        if (rc == 0)
            rc = probe_outputs(p, err, errsz);
    }
    if (rc < 0)
        goto end;
    p->o.model_dir = NULL; /* not owned; only needed while opening */
    fc_point_smoother_init(&p->sm_lm, &FC_SMOOTH_LANDMARKS, VISIBILITY_ALPHA);
    fc_point_smoother_init(&p->sm_world, &FC_SMOOTH_WORLD, VISIBILITY_ALPHA);
    fc_pose_reset(p);
    *out = p;
    rc = 0;
end:
    if (rc < 0)
        fc_pose_free(p);
    return rc;
}

void fc_pose_reset(fc_pose *p)
{
    if (!p)
        return;
    p->tracking = 0;
    p->state = NEVER_FOUND;
    fc_point_smoother_reset(&p->sm_lm);
    fc_point_smoother_reset(&p->sm_world);
    p->err[0] = '\0';
}

void fc_pose_free(fc_pose *p)
{
    if (!p)
        return;
    if (p->owns_det) {
        fc_net_free(p->det);
        pthread_mutex_destroy(&p->det_mu);
    }
    fc_net_free(p->lm);
    fc_imgwarp_free(p->iw);
    free(p);
}

const char *fc_pose_error(const fc_pose *p)
{
    return p ? p->err : "";
}

void fc_pose_set_threads(int threads)
{
    fc_net_set_threads(threads);
}

const fc_pose_timing *fc_pose_last_timing(const fc_pose *p)
{
    return &p->timing;
}

/* Detector on the whole frame: 1 and `roi` set if a person was chosen, 0 if none.
 * Called with the detector's lock held (its input and outputs may be shared). */
static int run_detector_locked(fc_pose *p, const fc_frame *f, fc_roi *roi)
{
    float pad[4];
    size_t nb = 0, ns = 0;
    double t0 = now_ms();
    int rc = fc_imgwarp_letterbox(p->iw, fc_net_input(p->det), FC_POSE_DET_SIZE, f, -1.0f, 1.0f, pad, p->err,
                                  sizeof p->err);
    if (rc < 0)
        return rc;
    rc = fc_net_forward(p->det, p->err, sizeof p->err);
    if (rc < 0)
        return rc;
    const float *boxes = fc_net_output(p->det, p->det_boxes, &nb);
    const float *scores = fc_net_output(p->det, p->det_scores, &ns);
    if (!boxes || !scores || nb != DET_OUT_BOXES || ns != DET_OUT_SCORES)
        return fc_set_error(p->err, sizeof p->err, FC_ECV, "pose: detector outputs changed size");
    int n = fc_pose_decode(p->dets, FC_POSE_NUM_ANCHORS, boxes, scores, p->anchors, FC_POSE_NUM_ANCHORS,
                           p->o.min_detection_score);
    n = fc_pose_nms_weighted(p->dets, n, NMS_IOU);
    fc_detection_unletterbox(p->dets, n, pad);
    const fc_roi *seen = p->o.mode == FC_POSE_VIDEO && p->state != NEVER_FOUND ? &p->last_seen : NULL;
    int k = fc_pose_pick(p->dets, n, f->width, f->height, seen, SCORE_TIE, SAME_PERSON_DIST);
    if (k >= 0) {
        const fc_detection *d = &p->dets[k];
        *roi = fc_roi_from_points(d->kp[0][0] * f->width, d->kp[0][1] * f->height, d->kp[1][0] * f->width,
                                  d->kp[1][1] * f->height);
    }
    p->timing.detector_ms += now_ms() - t0;
    p->timing.detector_runs++;
    if (k >= 0 && !(roi->w > 1.0f)) /* a degenerate box cannot be cropped */
        return 0;
    return k >= 0;
}

static int run_detector(fc_pose *p, const fc_frame *f, fc_roi *roi)
{
    pthread_mutex_lock(p->dmu);
    int rc = run_detector_locked(p, f, roi);
    pthread_mutex_unlock(p->dmu);
    return rc;
}

/* Landmark model on `roi`: the pose flag in *score, decoded points in `out`, `aux`.
 * A ROI that cannot hold a person gives score 0. */
static int run_landmarks(fc_pose *p, const fc_frame *f, const fc_roi *roi, fc_pose_result *out,
                         float aux[2][2])
{
    double t0 = now_ms();
    /* A tracking ROI fed by a network gone astray can grow or drift past any
     * frame: that is a lost track, not an error. */
    if (!fc_roi_usable(roi, f->width, f->height)) {
        out->score = 0.0f;
        return 0;
    }
    /* The landmark crop leaves MediaPipe's border_mode unset, which means replicate
     * (image_to_tensor_calculator.proto); the detector's letterbox uses zeros. Tracking
     * ROIs often reach past the frame, and a zero border there moved the landmarks
     * about twice as far from MediaPipe's as replicate does (pan_messi.mp4). */
    int rc = fc_imgwarp_roi(p->iw, fc_net_input(p->lm), FC_POSE_LM_SIZE, FC_POSE_LM_SIZE, f, roi, 0.0f, 1.0f,
                            FC_BORDER_REPLICATE, p->err, sizeof p->err);
    if (rc < 0)
        return rc;
    double t1 = now_ms();
    rc = fc_net_forward(p->lm, p->err, sizeof p->err);
    if (rc < 0)
        return rc;
    double t2 = now_ms();
    size_t n0 = 0, n1 = 0, n3 = 0, n4 = 0;
    const float *pts = fc_net_output(p->lm, p->lm_points, &n0);
    const float *flag = fc_net_output(p->lm, p->lm_flag, &n1);
    /* The heatmap in the net's own CHW order: only 33 small windows of it are
     * read, so transposing all 64x64x39 to TFLite's HWC would be wasted. */
    const float *heat = fc_net_output_planar(p->lm, p->lm_heatmap, &n3);
    const float *world = fc_net_output(p->lm, p->lm_world, &n4);
    if (!pts || !flag || !heat || !world || n0 != LM_OUT_POINTS || n3 != LM_OUT_HEATMAP || n4 != LM_OUT_WORLD)
        return fc_set_error(p->err, sizeof p->err, FC_ECV, "pose: landmark outputs changed size");
    out->score = flag[0];
    if (out->score >= p->o.min_tracking_score)
        fc_pose_landmarks_decode(out->lm, aux, out->world, pts, heat, 1, world, roi, HEATMAP_KERNEL,
                                 HEATMAP_MIN_CONFIDENCE);
    p->timing.warp_ms += t1 - t0;
    p->timing.landmark_ms += t2 - t1;
    p->timing.post_ms += now_ms() - t2;
    return 0;
}

static void clear_result(fc_pose_result *out, const fc_frame *f, double t_s)
{
    memset(out, 0, sizeof *out);
    out->frame = f->index;
    out->t_s = t_s;
    out->width = f->width;
    out->height = f->height;
}

/* A pose was found: next frame's ROI from the auxiliary points, smoothing, events. */
static void accept_pose(fc_pose *p, fc_pose_result *out, float aux[2][2], double t_s, int detected)
{
    fc_roi next = fc_roi_from_points(aux[0][0], aux[0][1], aux[1][0], aux[1][1]);
    if (p->o.mode == FC_POSE_VIDEO) {
        p->roi = next;
        p->tracking = next.w > 1.0f;
        if (p->o.smoothing) {
            int64_t t_ns = (int64_t)llround(t_s * 1e9);
            /* The Tasks graph scales by the next frame's ROI (its width+height / 2). */
            fc_point_smoother_landmarks(&p->sm_lm, out->lm, FC_NUM_LANDMARKS, t_ns, (next.w + next.h) / 2);
            fc_point_smoother_world(&p->sm_world, out->world, FC_NUM_LANDMARKS, t_ns);
        }
    }
    if (detected)
        out->events |= FC_TRACK_DETECTED;
    if (p->state == LOST)
        out->events |= FC_TRACK_REACQUIRED;
    p->state = FOUND;
    p->last_seen = next;
    out->found = 1;
}

/* Nobody (or a pose flag under the threshold): empty result, keep the score. */
static void reject_pose(fc_pose *p, fc_pose_result *out, const fc_frame *f, double t_s)
{
    float score = out->score;
    clear_result(out, f, t_s);
    out->score = score;
    if (p->state == FOUND) {
        out->events |= FC_TRACK_LOST;
        p->state = LOST;
    }
}

int fc_pose_process(fc_pose *p, const fc_frame *f, double t_s, fc_pose_result *out)
{
    double t0 = now_ms();
    memset(&p->timing, 0, sizeof p->timing);
    p->err[0] = '\0';
    if (!f || !(f->data || f->yuv) || f->width <= 0 || f->height <= 0 || (f->data && f->stride < 3 * f->width) ||
        !out)
        return fc_set_error(p->err, sizeof p->err, FC_EINVAL, "pose: invalid frame");
    clear_result(out, f, t_s);
    int found = 0, detected = 0, rc;
    float aux[2][2];
    fc_roi roi;
    if (p->o.mode == FC_POSE_VIDEO && p->tracking) {
        roi = p->roi;
        rc = run_landmarks(p, f, &roi, out, aux);
        if (rc < 0)
            return rc;
        found = out->score >= p->o.min_tracking_score;
        if (!found) {
            /* Track lost: start the filters afresh and look for the person again now. */
            p->tracking = 0;
            fc_point_smoother_reset(&p->sm_lm);
            fc_point_smoother_reset(&p->sm_world);
        }
    }
    if (!found) {
        rc = run_detector(p, f, &roi);
        if (rc < 0)
            return rc;
        if (rc > 0) {
            clear_result(out, f, t_s);
            rc = run_landmarks(p, f, &roi, out, aux);
            if (rc < 0)
                return rc;
            found = detected = out->score >= p->o.min_tracking_score;
        }
    }
    double t1 = now_ms();
    if (found)
        accept_pose(p, out, aux, t_s, detected);
    else
        reject_pose(p, out, f, t_s);
    p->timing.post_ms += now_ms() - t1;
    p->timing.total_ms = now_ms() - t0;
    out->ms = (float)p->timing.total_ms;
    return 0;
}

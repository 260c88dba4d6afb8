/* test_segpass.c - the segmented pose pass (formcheck/segpass.h) on the bundled
 * samples/squat_side.mp4 (9.7 s, 640x480, 30 fps), cut into 4 segments for 2
 * workers: the frames, indices and times of a single pass, in order, the
 * landmarks before the first cut bit for bit; the second handle opened on
 * demand; a stop, a failing callback and videos it does not cut. Needs the
 * models (label model). */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "formcheck/capture.h"
#include "formcheck/pose.h"
#include "formcheck/segpass.h"

#define MAXF 400

static char model_dir[4096], sample[4096];
static fc_pose_opts pose_opts; /* for the handles fc_segpass_run() opens */
static fc_pose_result ref[MAXF];
static size_t n_ref;

typedef struct sink {
    fc_pose_result *got;
    size_t n;
    size_t fail_at;             /* return FC_ENOMEM at this frame (0 = never) */
    size_t stop_at;             /* set *stop at this frame (0 = never) */
    volatile sig_atomic_t *stop;
} sink;

static int on_frame(void *user, const fc_pose_result *r)
{
    sink *k = user;
    if (k->fail_at && k->n == k->fail_at)
        return FC_ENOMEM;
    if (k->stop_at && k->n == k->stop_at)
        *k->stop = 1;
    if (k->n < MAXF)
        k->got[k->n] = *r;
    k->n++;
    return 0;
}

static fc_pose *open_pose(void)
{
    char err[FC_ERRBUF_SIZE];
    fc_pose_opts o = pose_opts;
    fc_pose *p = NULL;
    o.threads = 1;
    if (fc_pose_open(&p, &o, err, sizeof err) < 0)
        fail_msg("%s", err);
    return p;
}

/* poses[0] open on one inference thread, poses[1] left to fc_segpass_run(). */
static void start(fc_pose *poses[2])
{
    fc_pose_set_threads(1);
    poses[0] = open_pose();
    poses[1] = NULL;
}

static fc_segpass_opts seg_opts(void)
{
    fc_segpass_opts o = fc_segpass_default_opts();
    o.pose = &pose_opts;
    o.segment_s = 2.5; /* 9.7 s: 4 segments */
    o.min_segment_s = 2;
    o.warmup_s = 0.5;
    return o;
}

static int setup(void **state)
{
    const char *src = getenv("FC_SOURCE_DIR"), *models = getenv("FC_MODEL_DIR");
    (void)state;
    if (!src || !models)
        return -1;
    snprintf(model_dir, sizeof model_dir, "%s", models);
    pose_opts = fc_pose_default_opts();
    pose_opts.model_dir = model_dir;
    pose_opts.model = FC_POSE_LITE;
    snprintf(sample, sizeof sample, "%s/samples/squat_side.mp4", src);
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", model_dir, fc_pose_model_file(FC_POSE_LITE));
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0; /* n_ref stays 0: the tests skip */
    fclose(f);
    /* The single pass, as analyze --no-segments runs it. */
    char err[FC_ERRBUF_SIZE];
    fc_capture *cap = NULL;
    fc_frame fr;
    fc_pose *p = open_pose();
    if (fc_capture_open(&cap, sample, NULL, err, sizeof err) < 0)
        return -1;
    while (n_ref < MAXF && fc_capture_read(&fr, cap) == 0) {
        if (fc_pose_process(p, &fr, fr.t_s, &ref[n_ref]) < 0)
            return -1;
        ref[n_ref++].frame = fr.index;
    }
    fc_capture_free(cap);
    fc_pose_free(p);
    return 0;
}

static void test_matches_single_pass(void **state)
{
    static fc_pose_result got[MAXF];
    char err[FC_ERRBUF_SIZE] = "";
    fc_pose *poses[2];
    fc_segpass_stats st;
    sink k = {.got = got};
    (void)state;
    if (!n_ref)
        skip();
    start(poses);
    fc_segpass_opts o = seg_opts();
    int rc = fc_segpass_run(&st, poses, 2, sample, &o, on_frame, &k, err, sizeof err);
    if (rc != 0)
        fail_msg("fc_segpass_run: %d %s", rc, err);
    assert_non_null(poses[1]); /* opened for the run, the caller's now */
    assert_int_equal(st.segments, 4);
    assert_int_equal(st.info.width, 640);
    /* 3 cuts with 0.5 s of warm-up each at 30 fps */
    if (st.frames_warmup < 42 || st.frames_warmup > 48)
        fail_msg("warm-up frames: %lld", (long long)st.frames_warmup);
    assert_int_equal(k.n, n_ref);
    assert_int_equal(st.frames, (int64_t)n_ref);
    assert_int_equal(st.frames_source, (int64_t)n_ref);
    double cut = st.info.duration_s / 4;
    size_t same_before_cut = 0;
    for (size_t i = 0; i < n_ref; i++) {
        if (got[i].frame != ref[i].frame || got[i].t_s != ref[i].t_s)
            fail_msg("frame %zu: index %lld at %.4f s, single pass %lld at %.4f s", i, (long long)got[i].frame,
                     got[i].t_s, (long long)ref[i].frame, ref[i].t_s);
        if (got[i].t_s < cut) {
            if (memcmp(got[i].lm, ref[i].lm, sizeof ref[i].lm) || got[i].found != ref[i].found)
                fail_msg("frame %zu (%.3f s, before the first cut at %.3f s): landmarks differ", i, got[i].t_s, cut);
            same_before_cut++;
        }
    }
    assert_true(same_before_cut >= 70);
    /* Found in every segment, the first frame of each after a detection. */
    for (size_t i = 0; i < n_ref; i++)
        assert_int_equal(got[i].found, 1);
    assert_true(st.detector_runs >= 4);

    /* Again with the same handles: they are reset, the results the same. */
    static fc_pose_result again[MAXF];
    sink k2 = {.got = again};
    assert_int_equal(fc_segpass_run(&st, poses, 2, sample, &o, on_frame, &k2, err, sizeof err), 0);
    assert_int_equal(k2.n, n_ref);
    for (size_t i = 0; i < n_ref; i++) /* all but the times spent (ms) */
        if (again[i].frame != got[i].frame || again[i].t_s != got[i].t_s || again[i].found != got[i].found ||
            memcmp(again[i].lm, got[i].lm, sizeof got[i].lm) ||
            memcmp(again[i].world, got[i].world, sizeof got[i].world))
            fail_msg("second run, frame %zu differs", i);
    fc_pose_free(poses[1]); /* it shares poses[0]'s detector: first */
    fc_pose_free(poses[0]);
}

static void test_stop_and_failing_callback(void **state)
{
    static fc_pose_result got[MAXF];
    char err[FC_ERRBUF_SIZE] = "";
    volatile sig_atomic_t stop = 0;
    fc_pose *poses[2];
    fc_segpass_stats st;
    (void)state;
    if (!n_ref)
        skip();
    start(poses);
    fc_segpass_opts o = seg_opts();
    o.stop = &stop;
    sink k = {.got = got, .stop_at = 30, .stop = &stop};
    assert_int_equal(fc_segpass_run(&st, poses, 2, sample, &o, on_frame, &k, err, sizeof err), FC_EINTR);
    assert_non_null(strstr(err, "stopped"));
    assert_true(k.n < n_ref);

    stop = 0;
    sink k2 = {.got = got, .fail_at = 10};
    assert_int_equal(fc_segpass_run(&st, poses, 2, sample, &o, on_frame, &k2, err, sizeof err), FC_ENOMEM);
    assert_int_equal(k2.n, 10);
    fc_pose_free(poses[1]);
    fc_pose_free(poses[0]);
}

static void test_not_cut(void **state)
{
    static fc_pose_result got[MAXF];
    char err[FC_ERRBUF_SIZE] = "";
    fc_pose *poses[2];
    fc_segpass_stats st;
    sink k = {.got = got};
    (void)state;
    if (!n_ref)
        skip();
    start(poses);
    fc_segpass_opts o = seg_opts();
    o.min_segment_s = 6; /* 9.7 s is less than two of them */
    assert_int_equal(fc_segpass_run(&st, poses, 2, sample, &o, on_frame, &k, err, sizeof err), FC_ENOTIMPL);
    assert_non_null(strstr(err, "too short"));
    assert_int_equal(k.n, 0);
    assert_null(poses[1]); /* not opened for nothing */
    assert_int_equal(st.segments, 0);
    assert_int_equal(st.info.width, 640);

    o = seg_opts();
    o.capture.format = "lavfi";
    assert_int_equal(fc_segpass_run(&st, poses, 2, "testsrc2=size=64x48:rate=30", &o, on_frame, &k, err, sizeof err),
                     FC_ENOTIMPL);
    assert_non_null(strstr(err, "live device"));

    assert_int_equal(fc_segpass_run(&st, poses, 1, sample, &o, on_frame, &k, err, sizeof err), FC_EINVAL);
    assert_int_equal(fc_segpass_run(&st, poses, 2, sample, &o, NULL, &k, err, sizeof err), FC_EINVAL);
    assert_int_equal(k.n, 0);
    fc_pose_free(poses[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matches_single_pass),
        cmocka_unit_test(test_stop_and_failing_callback),
        cmocka_unit_test(test_not_cut),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}

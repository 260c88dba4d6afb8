/* test_synth_render.c - the synthetic athlete's renderer: landmarks land where
 * the keypoints say (pixel-exact markers, ray probes), the figure's size and
 * colours, determinism, and the encoded video. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/log.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formcheck/error.h"
#include "synth.h"
#include "synth_render.h"

static fc_synth_render_opts clean_opts(void)
{
    fc_synth_render_opts o;
    fc_synth_render_default_opts(&o);
    o.noise = 0;
    return o;
}

/* Render with markers: every landmark's marker sits at (floor(x), floor(y)) of
 * the keypoints output (unless a later landmark shares the pixel). */
static void check_markers(const fc_synth_scenario *sc, int64_t frame)
{
    fc_synth_render_opts o = clean_opts();
    fc_synth_renderer *r = NULL;
    fc_synth_skeleton sk;
    fc_pose_result kp;
    char err[FC_ERRBUF_SIZE];
    int w = sc->cam.width, h = sc->cam.height, checked = 0;
    uint8_t *img = malloc((size_t)3 * w * h);

    assert_non_null(img);
    o.markers = 1;
    assert_int_equal(fc_synth_renderer_create(&r, sc, &o, err, sizeof err), 0);
    assert_int_equal(fc_synth_render_frame(r, img, 3 * w, frame), 0);
    fc_synth_pose_at(&sk, sc, frame / sc->cam.fps);
    fc_synth_keypoints(&kp, sc, &sk, frame);
    assert_int_equal(kp.found, 1);
    for (int i = 0; i < FC_NUM_LANDMARKS; i++) {
        int x = (int)floor(kp.lm[i].x), y = (int)floor(kp.lm[i].y), shared = 0;
        uint8_t want[3];
        const uint8_t *px = img + 3 * ((size_t)y * w + x);
        for (int j = i + 1; j < FC_NUM_LANDMARKS; j++)
            shared |= (int)floor(kp.lm[j].x) == x && (int)floor(kp.lm[j].y) == y;
        assert_true(x >= 0 && x < w && y >= 0 && y < h);
        if (shared)
            continue;
        fc_synth_marker_colour(i, want);
        assert_memory_equal(px, want, 3);
        checked++;
    }
    assert_true(checked >= 25);
    fc_synth_renderer_free(r);
    free(img);
}

static void test_markers(void **state)
{
    fc_synth_scenario sc;
    fc_synth_rep_times tm[FC_SYNTH_MAX_REPS];
    (void)state;

    fc_synth_default_scenario(&sc);
    sc.nreps = 1;
    fc_synth_timeline(tm, &sc);
    check_markers(&sc, 0);
    check_markers(&sc, (int64_t)llround(tm[0].bottom_s * sc.cam.fps));
    sc.cam.azimuth_deg = 0;
    sc.cam.mirror = 1;
    check_markers(&sc, 10);
    sc.exercise = FC_SYNTH_LUNGE_REVERSE;
    sc.rep[0].depth_deg = 90;
    sc.cam.azimuth_deg = 45;
    sc.cam.mirror = 0;
    sc.cam.shake_deg = 0.5;
    fc_synth_timeline(tm, &sc);
    check_markers(&sc, (int64_t)llround(tm[0].bottom_s * sc.cam.fps));
}

/* A ray through a landmark's projected pixel hits the body part it belongs to. */
static void test_probe(void **state)
{
    fc_synth_scenario sc;
    fc_synth_render_opts o = clean_opts();
    fc_synth_renderer *r = NULL;
    fc_synth_skeleton sk;
    fc_pose_result kp;
    char err[FC_ERRBUF_SIZE], part[64];
    (void)state;

    fc_synth_default_scenario(&sc);
    sc.nreps = 1;
    assert_int_equal(fc_synth_renderer_create(&r, &sc, &o, err, sizeof err), 0);
    fc_synth_pose_at(&sk, &sc, 1.5);
    fc_synth_keypoints(&kp, &sc, &sk, 45);
    /* side view from the left: the left knee and ankle are in plain sight */
    assert_true(fc_synth_render_probe(r, 45, kp.lm[FC_LM_LEFT_KNEE].x, kp.lm[FC_LM_LEFT_KNEE].y, part, sizeof part) > 0);
    assert_true(!strcmp(part, "left_thigh") || !strcmp(part, "left_shank") || !strcmp(part, "left_calf"));
    fc_synth_render_probe(r, 45, kp.lm[FC_LM_LEFT_ANKLE].x, kp.lm[FC_LM_LEFT_ANKLE].y, part, sizeof part);
    assert_true(!strcmp(part, "left_sock") || !strcmp(part, "left_shank") || !strcmp(part, "left_shoe"));
    fc_synth_render_probe(r, 45, kp.lm[FC_LM_LEFT_HIP].x, kp.lm[FC_LM_LEFT_HIP].y, part, sizeof part);
    assert_string_equal(part, "left_shorts");
    assert_int_equal(fc_synth_render_probe(r, 45, 2.5, 2.5, part, sizeof part), 0);
    assert_string_equal(part, "background");
    fc_synth_renderer_free(r);

    sc.cam.azimuth_deg = 0; /* front: the face */
    assert_int_equal(fc_synth_renderer_create(&r, &sc, &o, err, sizeof err), 0);
    fc_synth_pose_at(&sk, &sc, 0);
    fc_synth_keypoints(&kp, &sc, &sk, 0);
    fc_synth_render_probe(r, 0, kp.lm[FC_LM_LEFT_EYE].x, kp.lm[FC_LM_LEFT_EYE].y, part, sizeof part);
    assert_true(!strcmp(part, "left_eye") || !strcmp(part, "left_pupil"));
    fc_synth_render_probe(r, 0, kp.lm[FC_LM_NOSE].x, kp.lm[FC_LM_NOSE].y, part, sizeof part);
    assert_string_equal(part, "nose");
    fc_synth_render_probe(r, 0, kp.lm[FC_LM_RIGHT_SHOULDER].x, kp.lm[FC_LM_RIGHT_SHOULDER].y, part, sizeof part);
    assert_true(!strcmp(part, "right_deltoid") || !strcmp(part, "shoulders") || !strcmp(part, "chest"));
    fc_synth_renderer_free(r);
}

/* Standing at the default camera the figure is about 310 px tall; floor, wall
 * and shirt have the colours they should. */
static void test_figure_size_and_colours(void **state)
{
    fc_synth_scenario sc;
    fc_synth_render_opts o = clean_opts();
    fc_synth_renderer *r = NULL;
    char err[FC_ERRBUF_SIZE];
    int top = 10000, bottom = -1, w, h;
    uint8_t *img;
    (void)state;

    fc_synth_default_scenario(&sc);
    sc.nreps = 0;
    w = sc.cam.width;
    h = sc.cam.height;
    assert_int_equal(fc_synth_renderer_create(&r, &sc, &o, err, sizeof err), 0);
    for (int y = 0; y < h; y += 1)
        for (int x = 250; x < 400; x += 2)
            if (fc_synth_render_probe(r, 0, x + 0.5, y + 0.5, NULL, 0) > 0) {
                top = y < top ? y : top;
                bottom = y > bottom ? y : bottom;
            }
    assert_true(bottom - top + 1 >= 290 && bottom - top + 1 <= 345);
    img = malloc((size_t)3 * w * h);
    assert_non_null(img);
    fc_synth_render_frame(r, img, 3 * w, 0);
    {
        const uint8_t *floor_px = img + 3 * ((size_t)(h - 5) * w + 20), *wall = img + 3 * ((size_t)20 * w + 20);
        assert_true(floor_px[2] > floor_px[1] && floor_px[1] > floor_px[0]); /* wood: R > G > B */
        assert_true(wall[0] > 100 && wall[1] > 100 && wall[2] > 100);
        assert_true(abs(wall[0] - wall[2]) < 30); /* painted, nearly neutral */
    }
    fc_synth_renderer_free(r);
    free(img);
}

/* Same scenario, same pixels whatever the thread count; the seed changes the noise. */
static void test_render_deterministic(void **state)
{
    fc_synth_scenario sc;
    fc_synth_render_opts o;
    fc_synth_renderer *r = NULL;
    char err[FC_ERRBUF_SIZE];
    size_t n;
    uint8_t *a, *b;
    (void)state;

    fc_synth_default_scenario(&sc);
    fc_synth_render_default_opts(&o);
    n = (size_t)3 * sc.cam.width * sc.cam.height;
    a = malloc(n);
    b = malloc(n);
    assert_true(a && b);
    assert_int_equal(fc_synth_renderer_create(&r, &sc, &o, err, sizeof err), 0);
    fc_synth_render_frame(r, a, 3 * sc.cam.width, 40);
    fc_synth_renderer_free(r);
    o.threads = 2;
    assert_int_equal(fc_synth_renderer_create(&r, &sc, &o, err, sizeof err), 0);
    fc_synth_render_frame(r, b, 3 * sc.cam.width, 40);
    fc_synth_renderer_free(r);
    assert_memory_equal(a, b, n);
    sc.seed = 2;
    assert_int_equal(fc_synth_renderer_create(&r, &sc, &o, err, sizeof err), 0);
    fc_synth_render_frame(r, b, 3 * sc.cam.width, 40);
    fc_synth_renderer_free(r);
    assert_memory_not_equal(a, b, n);
    free(a);
    free(b);
}

/* The encoded clip decodes to the scenario's frame count and size, and encoding
 * twice gives the same bytes. */
static void test_video(void **state)
{
    fc_synth_scenario sc;
    fc_synth_render_opts o;
    fc_synth_render_stats st;
    char err[FC_ERRBUF_SIZE], p1[64], p2[64];
    AVFormatContext *fmt = NULL;
    AVPacket *pkt = av_packet_alloc();
    int64_t packets = 0;
    FILE *f1, *f2;
    int c1, c2, same = 1;
    (void)state;

    av_log_set_level(AV_LOG_ERROR);
    fc_synth_default_scenario(&sc);
    fc_synth_render_default_opts(&o);
    sc.nreps = 1;
    sc.lead_in_s = sc.lead_out_s = 0.2;
    sc.cam.width = 320;
    sc.cam.height = 240;
    sc.cam.fps = 10;
    snprintf(p1, sizeof p1, "/tmp/fc_synth_v1_%ld.mp4", (long)getpid());
    snprintf(p2, sizeof p2, "/tmp/fc_synth_v2_%ld.mp4", (long)getpid());
    assert_int_equal(fc_synth_render_video(p1, &sc, &o, &st, err, sizeof err), 0);
    assert_int_equal(st.frames, fc_synth_frame_count(&sc));
    assert_int_equal(fc_synth_render_video(p2, &sc, &o, &st, err, sizeof err), 0);
    f1 = fopen(p1, "rb");
    f2 = fopen(p2, "rb");
    assert_true(f1 && f2);
    do {
        c1 = fgetc(f1);
        c2 = fgetc(f2);
        same &= c1 == c2;
    } while (c1 != EOF && c2 != EOF);
    fclose(f1);
    fclose(f2);
    assert_true(same);
    assert_int_equal(avformat_open_input(&fmt, p1, NULL, NULL), 0);
    assert_true(avformat_find_stream_info(fmt, NULL) >= 0);
    assert_int_equal(fmt->streams[0]->codecpar->width, 320);
    assert_int_equal(fmt->streams[0]->codecpar->height, 240);
    assert_int_equal(fmt->streams[0]->codecpar->format, AV_PIX_FMT_YUV420P);
    while (av_read_frame(fmt, pkt) >= 0) {
        packets++;
        av_packet_unref(pkt);
    }
    assert_int_equal(packets, fc_synth_frame_count(&sc));
    avformat_close_input(&fmt);
    av_packet_free(&pkt);
    unlink(p1);
    unlink(p2);
    /* an unwritable place fails cleanly */
    assert_true(fc_synth_render_video("/nonexistent-dir/x.mp4", &sc, &o, &st, err, sizeof err) < 0);
    assert_non_null(strstr(err, "/nonexistent-dir/x.mp4"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_markers),
        cmocka_unit_test(test_probe),
        cmocka_unit_test(test_figure_size_and_colours),
        cmocka_unit_test(test_render_deterministic),
        cmocka_unit_test(test_video),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

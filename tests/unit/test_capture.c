/* test_capture.c - the capture stage on the fixtures of tests/data/make-fixtures.sh:
 * sizes, counts, timestamps, pixel colours, rotation, scaling, VFR, every bad
 * input's error code, and lavfi as a live device with the recording sink. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <libavutil/log.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "formcheck/capture.h"
#include "formcheck/imgwarp.h"

static const char *fixtures;
static char tmpdir[64];

static const char *fx(const char *name)
{
    static char path[4][512];
    static int slot;
    slot = (slot + 1) % 4;
    snprintf(path[slot], sizeof path[slot], "%s/%s", fixtures, name);
    return path[slot];
}

static const char *tmp(const char *name)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    return path;
}

static fc_capture *open_ok(const char *url, const fc_capture_opts *o)
{
    char err[FC_ERRBUF_SIZE] = "";
    fc_capture *cap = NULL;
    int rc = fc_capture_open(&cap, url, o, err, sizeof err);

    if (rc != 0)
        fail_msg("open %s: %d %s", url, rc, err);
    assert_non_null(cap);
    return cap;
}

/* Read to the end; checks index and strictly increasing time; returns the count. */
static int64_t read_all(fc_capture *cap, double *times, int max_times)
{
    fc_frame f;
    int64_t n = 0, base = 0;
    double last = -1;
    int rc;

    while ((rc = fc_capture_read(&f, cap)) == 0) {
        if (n == 0)
            base = f.index; /* the caller may have read some already */
        assert_int_equal(f.index, base + n);
        assert_true(f.t_s > last);
        last = f.t_s;
        if (times && n < max_times)
            times[n] = f.t_s;
        n++;
    }
    assert_int_equal(rc, FC_EEOF);
    assert_int_equal(fc_capture_read(&f, cap), FC_EEOF); /* stays at the end */
    return n;
}

static int64_t count_file(const char *path)
{
    fc_capture *cap = open_ok(path, NULL);
    int64_t n = read_all(cap, NULL, 0);
    fc_capture_free(cap);
    return n;
}

/* B, G, R at (x, y). */
static const uint8_t *px(const fc_frame *f, int x, int y)
{
    assert_true(x >= 0 && x < f->width && y >= 0 && y < f->height);
    return f->data + (size_t)y * f->stride + 3 * (size_t)x;
}

static void assert_red(const fc_frame *f, int x, int y)
{
    const uint8_t *p = px(f, x, y);
    if (!(p[2] > 200 && p[1] < 50 && p[0] < 50))
        fail_msg("(%d,%d) in %dx%d: BGR %d,%d,%d, expected red", x, y, f->width, f->height, p[0], p[1], p[2]);
}

static void assert_blue(const fc_frame *f, int x, int y)
{
    const uint8_t *p = px(f, x, y);
    if (!(p[0] > 200 && p[1] < 50 && p[2] < 50))
        fail_msg("(%d,%d) in %dx%d: BGR %d,%d,%d, expected blue", x, y, f->width, f->height, p[0], p[1], p[2]);
}

static void test_decode_each_codec(void **state)
{
    static const char *const names[] = {"h264.mp4", "vp9.webm", "mjpeg.avi"};
    static const char *const codecs[] = {"h264", "vp9", "mjpeg"};
    (void)state;

    for (int i = 0; i < 3; i++) {
        fc_capture_opts o = fc_capture_default_opts();
        double t[64];
        fc_capture *cap;
        const fc_capture_info *in;

        o.threads = 2;
        cap = open_ok(fx(names[i]), &o);
        in = fc_capture_get_info(cap);
        assert_string_equal(in->codec, codecs[i]);
        assert_int_equal(in->width, 320);
        assert_int_equal(in->height, 240);
        assert_int_equal(in->rotation_deg, 0);
        assert_int_equal(in->frames_estimate, 50);
        assert_true(fabs(in->fps_avg - 25) < 1e-6);
        assert_true(fabs(in->duration_s - 2.0) < 0.05);
        assert_false(in->is_vfr);
        assert_false(in->is_device);
        assert_int_equal(read_all(cap, t, 64), 50);
        for (int k = 0; k < 50; k++)
            if (fabs(t[k] - 0.04 * k) > 1e-3)
                fail_msg("%s frame %d at %.4f s, expected %.4f", names[i], k, t[k], 0.04 * k);
        assert_int_equal(fc_capture_skipped(cap), 0);
        fc_capture_free(cap);
    }
}

static void test_pixels_and_scaling(void **state)
{
    fc_capture_opts o = fc_capture_default_opts();
    fc_capture *cap;
    fc_frame f;
    (void)state;

    cap = open_ok(fx("quad.mp4"), &o); /* red 160x120 top-left, rest blue */
    assert_int_equal(fc_capture_read(&f, cap), 0);
    assert_int_equal(f.width, 320);
    assert_int_equal(f.height, 240);
    assert_true(f.stride >= 3 * 320);
    assert_red(&f, 5, 5);
    assert_red(&f, 150, 110);
    assert_blue(&f, 170, 5);
    assert_blue(&f, 5, 130);
    assert_blue(&f, 310, 230);
    fc_capture_free(cap);

    o.max_side = 80; /* exact size, aspect kept */
    cap = open_ok(fx("quad.mp4"), &o);
    assert_int_equal(fc_capture_get_info(cap)->width, 80);
    assert_int_equal(fc_capture_get_info(cap)->height, 60);
    assert_int_equal(fc_capture_read(&f, cap), 0);
    assert_int_equal(f.width, 80);
    assert_int_equal(f.height, 60);
    assert_red(&f, 10, 10);
    assert_blue(&f, 70, 10);
    assert_blue(&f, 10, 50);
    fc_capture_free(cap);

    o.max_side = 100; /* 320x240 -> 100x75 */
    cap = open_ok(fx("h264.mp4"), &o);
    assert_int_equal(read_all(cap, NULL, 0), 50);
    assert_int_equal(fc_capture_get_info(cap)->width, 100);
    assert_int_equal(fc_capture_get_info(cap)->height, 75);
    fc_capture_free(cap);

    o.max_side = 1000; /* never scaled up */
    cap = open_ok(fx("h264.mp4"), &o);
    assert_int_equal(fc_capture_get_info(cap)->width, 320);
    assert_int_equal(fc_capture_get_info(cap)->height, 240);
    fc_capture_free(cap);
}

/* rotN.mp4 carry a display matrix of N degrees counter-clockwise (ffprobe's
 * "rotation"), so frames are turned (360-N) clockwise to come out upright. */
static void check_rotation(const char *name, int max_side, int cw, int w, int h, int red_x, int red_y,
                           int blue_x, int blue_y)
{
    fc_capture_opts o = fc_capture_default_opts();
    fc_capture *cap;
    fc_frame f;

    o.max_side = max_side;
    cap = open_ok(fx(name), &o);
    assert_int_equal(fc_capture_get_info(cap)->rotation_deg, cw);
    assert_int_equal(fc_capture_get_info(cap)->width, w);
    assert_int_equal(fc_capture_get_info(cap)->height, h);
    assert_int_equal(fc_capture_get_info(cap)->src_width, 320);
    assert_int_equal(fc_capture_get_info(cap)->src_height, 240);
    assert_int_equal(fc_capture_read(&f, cap), 0);
    assert_int_equal(f.width, w);
    assert_int_equal(f.height, h);
    assert_red(&f, red_x, red_y);
    assert_blue(&f, blue_x, blue_y);
    assert_int_equal(read_all(cap, NULL, 0), 24);
    fc_capture_free(cap);
}

/* Every pixel of the upright frame is the coded frame's pixel, moved by the turn. */
static void check_rotation_exact(const char *name, int cw, int max_side)
{
    fc_capture_opts o = fc_capture_default_opts();
    fc_capture *up, *raw;
    fc_frame u, r;

    o.max_side = max_side;
    up = open_ok(fx(name), &o);
    o.apply_rotation = 0;
    raw = open_ok(fx(name), &o);
    for (int k = 0; k < 3; k++) {
        assert_int_equal(fc_capture_read(&u, up), 0);
        assert_int_equal(fc_capture_read(&r, raw), 0);
        assert_int_equal(u.width, cw % 180 ? r.height : r.width);
        assert_int_equal(u.height, cw % 180 ? r.width : r.height);
        for (int y = 0; y < r.height; y++)
            for (int x = 0; x < r.width; x++) {
                int ux = cw == 90 ? r.height - 1 - y : cw == 180 ? r.width - 1 - x : cw == 270 ? y : x;
                int uy = cw == 90 ? x : cw == 180 ? r.height - 1 - y : cw == 270 ? r.width - 1 - x : y;
                if (memcmp(px(&u, ux, uy), px(&r, x, y), 3))
                    fail_msg("%s: coded (%d,%d) is not at upright (%d,%d)", name, x, y, ux, uy);
            }
    }
    fc_capture_free(up);
    fc_capture_free(raw);
}

static void test_rotation(void **state)
{
    fc_capture_opts o = fc_capture_default_opts();
    fc_capture *cap;
    fc_frame f;
    (void)state;

    /* 90 ccw: portrait, the red top-left quadrant ends bottom-left. */
    check_rotation("rot90.mp4", 0, 270, 240, 320, 60, 240, 60, 80);
    check_rotation("rot90.mp4", 160, 270, 120, 160, 30, 120, 90, 120);
    /* 270 ccw = 90 clockwise: red ends top-right. */
    check_rotation("rot270.mp4", 0, 90, 240, 320, 180, 80, 60, 80);
    /* 180: red ends bottom-right. */
    check_rotation("rot180.mp4", 0, 180, 320, 240, 240, 180, 80, 60);

    check_rotation_exact("h264-rot90.mp4", 270, 0);
    check_rotation_exact("h264-rot270.mp4", 90, 0);
    check_rotation_exact("h264-rot180.mp4", 180, 0);
    check_rotation_exact("h264-rot90.mp4", 270, 201); /* odd sizes: 201x151 */

    o.apply_rotation = 0; /* as coded */
    cap = open_ok(fx("rot90.mp4"), &o);
    assert_int_equal(fc_capture_get_info(cap)->rotation_deg, 0);
    assert_int_equal(fc_capture_read(&f, cap), 0);
    assert_int_equal(f.width, 320);
    assert_red(&f, 80, 60);
    assert_blue(&f, 240, 180);
    fc_capture_free(cap);
}

/* fc_capture_read_into() gives the same pixels, indices and times as
 * fc_capture_read(), in the caller's buffer (a padded stride, padding untouched),
 * with and without a rotation pass; a buffer of the wrong size is refused. */
static void check_read_into(const char *name, int max_side)
{
    fc_capture_opts o = fc_capture_default_opts();
    o.max_side = max_side;
    fc_capture *a = open_ok(fx(name), &o), *b = open_ok(fx(name), &o);
    const fc_capture_info *in = fc_capture_get_info(b);
    int pad = 7, stride = FC_CAPTURE_STRIDE(in->width) + pad;
    uint8_t *buf = malloc((size_t)stride * in->height);
    assert_non_null(buf);
    memset(buf, 0xa5, (size_t)stride * in->height);
    fc_frame fa, fb;
    int n = 0, ra, rb;
    for (;;) {
        fb = (fc_frame){buf, in->width, in->height, stride, 0, 0.0, NULL};
        ra = fc_capture_read(&fa, a);
        rb = fc_capture_read_into(&fb, b);
        assert_int_equal(ra, rb);
        if (ra != 0)
            break;
        assert_ptr_equal(fb.data, buf);
        assert_int_equal(fb.stride, stride);
        assert_int_equal(fb.width, fa.width);
        assert_int_equal(fb.height, fa.height);
        assert_int_equal(fb.index, fa.index);
        assert_true(fb.t_s == fa.t_s);
        for (int y = 0; y < fa.height; y++) {
            assert_memory_equal(fb.data + (size_t)y * stride, fa.data + (size_t)y * fa.stride, 3 * (size_t)fa.width);
            for (int k = FC_CAPTURE_STRIDE(fa.width); k < stride; k++) /* beyond what the converter may use */
                assert_int_equal(fb.data[(size_t)y * stride + k], 0xa5);
        }
        n++;
    }
    assert_int_equal(ra, FC_EEOF);
    assert_true(n > 0);
    fb = (fc_frame){buf, in->width - 1, in->height, stride, 0, 0.0, NULL};
    assert_int_equal(fc_capture_read_into(&fb, b), FC_EINVAL);
    fb = (fc_frame){buf, in->width, in->height, FC_CAPTURE_STRIDE(in->width) - 1, 0, 0.0, NULL};
    assert_int_equal(fc_capture_read_into(&fb, b), FC_EINVAL);
    free(buf);
    fc_capture_free(a);
    fc_capture_free(b);
}

static void test_read_into(void **state)
{
    (void)state;
    check_read_into("h264.mp4", 0);
    check_read_into("h264.mp4", 100);      /* scaled */
    check_read_into("h264-rot90.mp4", 0);  /* turned after scaling */
    check_read_into("h264-rot180.mp4", 201);
}

static void test_vfr_times(void **state)
{
    fc_capture *cap = open_ok(fx("vfr.mkv"), NULL);
    double t[64];
    (void)state;

    assert_true(fc_capture_get_info(cap)->is_vfr);
    assert_int_equal(fc_capture_get_info(cap)->frames_estimate, 50);
    assert_true(fabs(fc_capture_get_info(cap)->fps_avg - 49 / 3.4) < 0.01);
    assert_int_equal(read_all(cap, t, 64), 50);
    for (int n = 0; n < 50; n++) {
        double want = n < 25 ? 0.04 * n : 1.0 + 0.1 * (n - 25);
        if (fabs(t[n] - want) > 1.5e-3)
            fail_msg("vfr frame %d at %.4f s, expected %.4f", n, t[n], want);
    }
    fc_capture_free(cap);
}

static void test_cut_file_is_not_fatal(void **state)
{
    fc_capture *cap = open_ok(fx("cut.mp4"), NULL);
    int64_t n = read_all(cap, NULL, 0);
    (void)state;

    /* 60% of the bytes: the first ~half of the frames decode, the rest is missing. */
    assert_true(n >= 20 && n < 50);
    fc_capture_free(cap);
}

/* A raw H.264 stream has no timestamps at all: times come from the frame rate. */
static void test_missing_timestamps(void **state)
{
    fc_capture *cap = open_ok(fx("raw.h264"), NULL);
    double t[64];
    (void)state;

    assert_int_equal(fc_capture_get_info(cap)->frames_estimate, 50);
    assert_true(fabs(fc_capture_get_info(cap)->duration_s - 2.0) < 1e-6);
    assert_int_equal(read_all(cap, t, 64), 50);
    for (int k = 0; k < 50; k++)
        if (fabs(t[k] - 0.04 * k) > 1e-6)
            fail_msg("raw.h264 frame %d at %.4f s, expected %.4f", k, t[k], 0.04 * k);
    fc_capture_free(cap);
}

/* Garbage inside the media data: the damaged frames are skipped and counted. */
static void test_damaged_frames_skipped(void **state)
{
    fc_capture *cap = open_ok(fx("damaged.mp4"), NULL);
    int64_t n = read_all(cap, NULL, 0);
    (void)state;

    assert_true(fc_capture_skipped(cap) >= 1);
    if (n < 40 || n + fc_capture_skipped(cap) > 50)
        fail_msg("damaged.mp4: %lld decoded, %lld skipped", (long long)n, (long long)fc_capture_skipped(cap));
    fc_capture_free(cap);
}

static void expect_error(const char *url, const fc_capture_opts *o, int code, const char *mention)
{
    char err[FC_ERRBUF_SIZE] = "";
    fc_capture *cap = (fc_capture *)&err; /* must be reset to NULL */
    int rc = fc_capture_open(&cap, url, o, err, sizeof err);

    if (rc != code)
        fail_msg("%s: got %d (%s), expected %d (%s)", url, rc, err, code, fc_strerror(code));
    assert_null(cap);
    assert_non_null(strstr(err, mention ? mention : url)); /* names the input */
    assert_null(strchr(err, '\n'));                        /* one line */
}

static void test_errors(void **state)
{
    fc_capture_opts o = fc_capture_default_opts();
    (void)state;

    expect_error(fx("missing.mp4"), NULL, FC_ENOENT, NULL);
    expect_error(fx("dir.mp4"), NULL, FC_EISDIR, NULL);
    expect_error(fx("empty.mp4"), NULL, FC_EFORMAT, NULL);
    expect_error(fx("random.mp4"), NULL, FC_EFORMAT, NULL);
    expect_error(fx("truncated.mp4"), NULL, FC_EFORMAT, NULL);
    expect_error(fx("audio.m4a"), NULL, FC_ENOVIDEO, NULL);
    expect_error(fx("unknown-codec.avi"), NULL, FC_ECODEC, NULL);
    expect_error("/dev/formcheck-no-such-camera", NULL, FC_ENODEV, NULL);
    o.format = "v4l2";
    expect_error("/dev/null", &o, FC_ENODEV, NULL);
    o.format = "no-such-format";
    expect_error("x", &o, FC_EINVAL, "no-such-format");
    o = fc_capture_default_opts();
    o.max_side = -1;
    expect_error(fx("h264.mp4"), &o, FC_EINVAL, NULL);
    if (geteuid() != 0) { /* root reads anything */
        char cmd[2048];
        snprintf(cmd, sizeof cmd, "cp '%s' '%s' && chmod 000 '%s'", fx("h264.mp4"), tmp("noread.mp4"),
                 tmp("noread.mp4"));
        assert_int_equal(system(cmd), 0);
        expect_error(tmp("noread.mp4"), NULL, FC_EACCES, NULL);
    }
    o.max_side = 0;
    o.record_path = tmp("no-such-dir/rec.mkv");
    expect_error(fx("mjpeg.avi"), &o, FC_ENOENT, "rec.mkv");
    o.record_path = fx("mjpeg.avi"); /* never over the input */
    expect_error(fx("mjpeg.avi"), &o, FC_EINVAL, NULL);
    o.record_path = tmp("rec.txt");
    expect_error(fx("mjpeg.avi"), &o, FC_EINVAL, "rec.txt");
    if (access("/dev/full", W_OK) == 0) { /* a full disk, behind a .mkv name */
        struct stat sb;
        assert_int_equal(symlink("/dev/full", tmp("full.mkv")), 0);
        o.record_path = tmp("full.mkv");
        o.format = "lavfi";
        expect_error("testsrc2=size=320x240:rate=30", &o, FC_ENOSPC, "full.mkv");
        assert_int_equal(stat("/dev/full", &sb), 0); /* not removed */
        assert_true(S_ISCHR(sb.st_mode));
        o.format = NULL;
    }
}

/* max_fps: a faster source keeps whole steps of its frames (60 -> 30: every
 * other one, source indices and times kept), a slower one is left whole. */
/* A frame's pixels, hashed (FNV-1a), to tell frames apart exactly. */
static uint64_t frame_hash(const fc_frame *f)
{
    uint64_t h = 1469598103934665603ull;
    for (int y = 0; y < f->height; y++)
        for (int x = 0; x < 3 * f->width; x++)
            h = (h ^ f->data[(size_t)y * f->stride + x]) * 1099511628211ull;
    return h;
}

/* After fc_capture_seek(t) the key frame at or before t comes first, then the
 * frames after it: the same times and pixels as a read from the start, indices
 * from 0 again; seeking back after the end works; bad times and inputs that
 * cannot seek are refused with the code the header gives. */
static void check_seek(const char *name, int gop)
{
    enum { MAXF = 64 };
    double t[MAXF];
    uint64_t hash[MAXF];
    int n = 0, rc;
    fc_frame f;
    fc_capture *cap = open_ok(fx(name), NULL);
    while (fc_capture_read(&f, cap) == 0 && n < MAXF) {
        t[n] = f.t_s;
        hash[n++] = frame_hash(&f);
    }
    fc_capture_free(cap);
    assert_int_equal(n, 50);

    /* 25 fps: 1.5 s is after a key frame at 1.0 s when the GOP is 25. */
    const double at[] = {1.5, 0.3, 1.0, 0.0, 1.96};
    cap = open_ok(fx(name), NULL);
    for (size_t c = 0; c < sizeof at / sizeof at[0]; c++) {
        if ((rc = fc_capture_seek(cap, at[c])) != 0)
            fail_msg("%s: seek %.2f: %d %s", name, at[c], rc, fc_capture_error(cap));
        int k = -1, got = 0;
        while ((rc = fc_capture_read(&f, cap)) == 0) {
            if (k < 0) { /* where it landed: a frame at or before the time asked */
                for (k = 0; k < n && t[k] != f.t_s; k++)
                    ;
                if (k == n || t[k] > at[c] + 1e-9 || (gop && k != (int)(at[c] * 25 + 1e-6) / gop * gop))
                    fail_msg("%s: seek %.2f landed at %.4f s (frame %d)", name, at[c], f.t_s, k);
                got = k;
            }
            assert_true(k < n);
            if (f.t_s != t[k] || frame_hash(&f) != hash[k] || f.index != k - got)
                fail_msg("%s: seek %.2f: frame %d: t %.4f (want %.4f), index %lld, pixels %s", name, at[c], k,
                         f.t_s, t[k], (long long)f.index, frame_hash(&f) == hash[k] ? "same" : "differ");
            k++;
            if (k - got == 8 && c % 2) /* some cases seek again mid-stream, the others after the end */
                break;
        }
        assert_true(k > got);
        if (!(c % 2) || k - got < 8) {
            assert_int_equal(rc, FC_EEOF);
            assert_int_equal(k, n);
        }
    }
    assert_int_equal(fc_capture_seek(cap, -1.0), FC_EINVAL);
    assert_int_equal(fc_capture_seek(cap, NAN), FC_EINVAL);
    assert_int_equal(fc_capture_seek(NULL, 1.0), FC_EINVAL);
    fc_capture_free(cap);
}

/* With max_fps, a seek keeps the frames a read from the start keeps: 60 fps at 30
 * keeps the even frames, also after landing on an odd key frame (25, 75). */
static void test_seek_max_fps(void **state)
{
    fc_capture_opts o = fc_capture_default_opts();
    fc_frame f;
    (void)state;
    o.max_fps = 30;
    fc_capture *cap = open_ok(fx("h264-60.mp4"), &o);
    const double at[] = {0.5, 1.3, 0.0, 1.9};
    for (size_t c = 0; c < sizeof at / sizeof at[0]; c++) {
        assert_int_equal(fc_capture_seek(cap, at[c]), 0);
        int n = 0, landed = -1;
        while (fc_capture_read(&f, cap) == 0) {
            int src = (int)lround(f.t_s * 60); /* the source frame number */
            if (landed < 0)
                landed = src;
            if (src % 2 || f.index != src - (landed / 25 * 25))
                fail_msg("seek %.2f: kept source frame %d (index %lld after landing at %d)", at[c], src,
                         (long long)f.index, landed);
            n++;
        }
        /* Landed on the key frame at or before the time; every even frame from there to 119. */
        int key = (int)(at[c] * 60) / 25 * 25;
        assert_int_equal(landed, key + key % 2);
        assert_int_equal(n, (120 - landed + 1) / 2);
    }
    fc_capture_free(cap);
}

/* fc_capture_skip_before() after a seek: the first frame read is the first at or
 * after the mark, index 0, the same pixels and times as a read from the start
 * (the frames before it were partly not decoded at all); with max_fps the kept
 * frames are still the even ones of the 60 fps clip. */
static void test_skip_before(void **state)
{
    enum { MAXF = 64 };
    double t[MAXF];
    uint64_t hash[MAXF];
    int n = 0;
    fc_frame f;
    (void)state;
    fc_capture *cap = open_ok(fx("h264.mp4"), NULL);
    while (fc_capture_read(&f, cap) == 0 && n < MAXF) {
        t[n] = f.t_s;
        hash[n++] = frame_hash(&f);
    }
    const double at[] = {1.5, 0.3, 1.0, 0.0, 1.96};
    for (size_t c = 0; c < sizeof at / sizeof at[0]; c++) {
        assert_int_equal(fc_capture_seek(cap, at[c]), 0);
        assert_int_equal(fc_capture_skip_before(cap, at[c]), 0);
        int k = 0, got = 0;
        while (k < n && t[k] < at[c] - 1e-9)
            k++;
        int first = k;
        while (fc_capture_read(&f, cap) == 0) {
            assert_true(k < n);
            if (f.t_s != t[k] || frame_hash(&f) != hash[k] || f.index != k - first)
                fail_msg("skip to %.2f: frame %d: t %.4f (want %.4f), index %lld", at[c], k, f.t_s, t[k],
                         (long long)f.index);
            k++;
            got++;
        }
        assert_int_equal(k, n);
        assert_true(got > 0);
    }
    assert_int_equal(fc_capture_skip_before(cap, -1), FC_EINVAL);
    assert_int_equal(fc_capture_skip_before(NULL, 1), FC_EINVAL);
    fc_capture_free(cap);

    fc_capture_opts o = fc_capture_default_opts();
    o.max_fps = 30;
    cap = open_ok(fx("h264-60.mp4"), &o);
    assert_int_equal(fc_capture_seek(cap, 1.3), 0);     /* lands on the key frame at 75 (odd) */
    assert_int_equal(fc_capture_skip_before(cap, 1.3), 0); /* 1.3 s = frame 78 */
    n = 0;
    while (fc_capture_read(&f, cap) == 0) {
        int src = (int)lround(f.t_s * 60);
        if (src != 78 + 2 * n || f.index != 2 * n)
            fail_msg("max_fps after skip: source frame %d, index %lld (want %d, %d)", src, (long long)f.index,
                     78 + 2 * n, 2 * n);
        n++;
    }
    assert_int_equal(n, 21); /* 78, 80 ... 118 */
    fc_capture_free(cap);
}

static void test_seek(void **state)
{
    fc_capture_opts o = fc_capture_default_opts();
    (void)state;
    check_seek("h264.mp4", 25);
    check_seek("vp9.webm", 0);
    o.format = "lavfi"; /* a live source cannot go back */
    fc_capture *cap = open_ok("testsrc2=size=64x48:rate=25", &o);
    assert_int_equal(fc_capture_seek(cap, 0.5), FC_ENOTIMPL);
    assert_non_null(strstr(fc_capture_error(cap), "cannot seek"));
    fc_capture_free(cap);
}

static void test_max_fps(void **state)
{
    fc_capture_opts o = fc_capture_default_opts();
    char err[FC_ERRBUF_SIZE];
    fc_capture *cap = NULL;
    fc_frame f;
    int64_t n = 0;
    (void)state;

    o.format = "lavfi";
    o.max_fps = 30;
    cap = open_ok("testsrc2=size=64x48:rate=60:duration=2", &o);
    while (fc_capture_read(&f, cap) == 0) {
        assert_int_equal(f.index, 2 * n);
        assert_true(fabs(f.t_s - (double)f.index / 60.0) < 1e-6);
        n++;
    }
    assert_int_equal(n, 60);
    assert_int_equal(fc_capture_rate_dropped(cap), 60);
    fc_capture_free(cap);

    o.max_fps = 24; /* not a divisor: steps of 2 and 3 source frames, 24 a second */
    cap = open_ok("testsrc2=size=64x48:rate=60:duration=2", &o);
    for (n = 0; fc_capture_read(&f, cap) == 0; n++)
        ;
    assert_true(n >= 47 && n <= 49);
    assert_int_equal(fc_capture_rate_dropped(cap), 120 - n);
    fc_capture_free(cap);

    o.max_fps = 30; /* a 25 fps source stays whole */
    cap = open_ok("testsrc2=size=64x48:rate=25:duration=2", &o);
    for (n = 0; fc_capture_read(&f, cap) == 0; n++)
        assert_int_equal(f.index, n);
    assert_int_equal(n, 50);
    assert_int_equal(fc_capture_rate_dropped(cap), 0);
    fc_capture_free(cap);

    o.max_fps = -1;
    assert_int_equal(fc_capture_open(&cap, "testsrc2=size=64x48:rate=25", &o, err, sizeof err), FC_EINVAL);
    assert_null(cap);
}

/* A forced file format is not a device: same answers as probing. */
static void test_forced_file_format(void **state)
{
    fc_capture_opts o = fc_capture_default_opts();
    fc_capture *cap;
    (void)state;

    o.format = "mov";
    cap = open_ok(fx("h264.mp4"), &o);
    assert_false(fc_capture_get_info(cap)->is_device);
    assert_int_equal(fc_capture_get_info(cap)->frames_estimate, 50);
    assert_int_equal(read_all(cap, NULL, 0), 50);
    fc_capture_free(cap);
    o.format = "avi"; /* the wrong one */
    expect_error(fx("h264.mp4"), &o, FC_EFORMAT, NULL);
}

/* Remux: a compressed source is copied packet for packet. */
static void test_record_remux(void **state)
{
    static const char *const outs[] = {"remux.mkv", "remux.mp4"};
    (void)state;

    for (int i = 0; i < 2; i++) {
        fc_capture_opts o = fc_capture_default_opts();
        fc_capture *cap;
        double t[64];

        o.record_path = tmp(outs[i]);
        cap = open_ok(fx("h264.mp4"), &o);
        assert_int_equal(read_all(cap, NULL, 0), 50);
        assert_int_equal(fc_capture_recorded_frames(cap), 50);
        assert_int_equal(fc_capture_stop_recording(cap), 0);
        assert_int_equal(fc_capture_stop_recording(cap), 0); /* idempotent */
        assert_int_equal(fc_capture_recorded_frames(cap), 50);
        fc_capture_free(cap);

        cap = open_ok(tmp(outs[i]), NULL);
        assert_string_equal(fc_capture_get_info(cap)->codec, "h264");
        assert_int_equal(read_all(cap, t, 64), 50);
        for (int k = 0; k < 50; k++)
            assert_true(fabs(t[k] - 0.04 * k) < 1.5e-3);
        fc_capture_free(cap);
    }
}

/* A recording keeps the source's display matrix (MP4 stores it). */
static void test_record_keeps_rotation(void **state)
{
    fc_capture_opts o = fc_capture_default_opts();
    fc_capture *cap;
    (void)state;

    o.record_path = tmp("rot.mp4");
    cap = open_ok(fx("h264-rot90.mp4"), &o);
    assert_int_equal(read_all(cap, NULL, 0), 50);
    fc_capture_free(cap);
    cap = open_ok(tmp("rot.mp4"), NULL);
    assert_int_equal(fc_capture_get_info(cap)->rotation_deg, 270);
    assert_int_equal(fc_capture_get_info(cap)->width, 240);
    assert_int_equal(fc_capture_get_info(cap)->height, 320);
    fc_capture_free(cap);
}

static fc_capture *lavfi_open(const char *record)
{
    fc_capture_opts o = fc_capture_default_opts();
    fc_capture *cap;

    o.format = "lavfi";
    o.record_path = record ? tmp(record) : NULL;
    cap = open_ok("testsrc2=size=320x240:rate=30", &o);
    assert_true(fc_capture_get_info(cap)->is_device);
    assert_string_equal(fc_capture_get_info(cap)->format, "lavfi");
    assert_int_equal(fc_capture_get_info(cap)->width, 320);
    return cap;
}

static void read_n(fc_capture *cap, int n)
{
    fc_frame f;

    for (int i = 0; i < n; i++) {
        assert_int_equal(fc_capture_read(&f, cap), 0);
        assert_int_equal(f.index, i);
        assert_true(fabs(f.t_s - i / 30.0) < 1e-3);
        assert_int_equal(f.width, 320);
        assert_int_equal(f.height, 240);
    }
}

/* Encode: raw frames from lavfi, into Matroska and (fragmented) MP4. */
static void test_record_lavfi(void **state)
{
    static const char *const outs[] = {"live.mkv", "live.mp4"};
    (void)state;

    for (int i = 0; i < 2; i++) {
        fc_capture *cap = lavfi_open(outs[i]);
        double t[64];

        read_n(cap, 45);
        if (i == 0) { /* stopping the recording early: capture goes on, the file stays at 45 */
            fc_frame f;
            assert_int_equal(fc_capture_stop_recording(cap), 0);
            for (int k = 0; k < 5; k++)
                assert_int_equal(fc_capture_read(&f, cap), 0);
            assert_int_equal(f.index, 49);
            assert_int_equal(fc_capture_recorded_frames(cap), 45);
        }
        fc_capture_free(cap); /* finalises the file */
        cap = open_ok(tmp(outs[i]), NULL);
        assert_int_equal(fc_capture_get_info(cap)->width, 320);
        assert_int_equal(fc_capture_get_info(cap)->height, 240);
        assert_int_equal(read_all(cap, t, 64), 45);
        for (int k = 0; k < 45; k++)
            assert_true(fabs(t[k] - k / 30.0) < 1.5e-3);
        fc_capture_free(cap);
    }
}

static fc_capture *volatile signalled_cap;

static void on_signal(int sig)
{
    (void)sig;
    fc_capture_interrupt(signalled_cap);
}

/* Ctrl-C: the handler interrupts, reads return FC_EINTR, the file keeps every frame. */
static void test_record_interrupt(void **state)
{
    struct sigaction sa, old;
    fc_capture *cap = lavfi_open("intr.mkv");
    fc_frame f;
    (void)state;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    assert_int_equal(sigaction(SIGUSR1, &sa, &old), 0);
    signalled_cap = cap;
    read_n(cap, 20);
    assert_int_equal(raise(SIGUSR1), 0);
    assert_int_equal(fc_capture_read(&f, cap), FC_EINTR);
    assert_int_equal(fc_capture_read(&f, cap), FC_EINTR);
    assert_non_null(strstr(fc_capture_error(cap), "interrupted"));
    assert_int_equal(fc_capture_recorded_frames(cap), 20);
    fc_capture_free(cap);
    sigaction(SIGUSR1, &old, NULL);
    signalled_cap = NULL;
    assert_int_equal(count_file(tmp("intr.mkv")), 20);
}

/* A read blocked on a stalled source (a FIFO fed half a file) returns FC_EINTR
 * when a signal handler calls fc_capture_interrupt(): the interrupt callback. */
typedef struct feeder {
    const char *fifo, *src;
    int stop_fd; /* read end of a pipe: closes when the test is done */
} feeder;

static void *feed_half(void *arg)
{
    const feeder *fd = arg;
    FILE *in = fopen(fd->src, "rb");
    int out = open(fd->fifo, O_WRONLY); /* waits for the reader */
    char buf[65536], c;
    size_t n = in ? fread(buf, 1, sizeof buf, in) : 0;

    if (out >= 0 && n > 0 && write(out, buf, n * 6 / 10) < 0)
        n = 0;
    if (read(fd->stop_fd, &c, 1) < 0) /* stall until the test ends (or gives up) */
        n = 0;
    if (out >= 0)
        close(out);
    if (in)
        fclose(in);
    return NULL;
}

static void test_interrupt_blocked_read(void **state)
{
    fc_capture_opts o = fc_capture_default_opts();
    struct sigaction sa, old;
    struct itimerval it = {{0, 0}, {0, 300000}};
    sigset_t alrm, prev;
    int stop[2];
    pthread_t th;
    feeder fd;
    fc_capture *cap;
    fc_frame f;
    int rc, n = 0;
    (void)state;

    assert_int_equal(mkfifo(tmp("stall.fifo"), 0600), 0);
    assert_int_equal(pipe(stop), 0);
    fd = (feeder){tmp("stall.fifo"), fx("vp9.webm"), stop[0]};
    /* Only this thread may take SIGALRM, so its blocked read() gets EINTR. */
    sigemptyset(&alrm);
    sigaddset(&alrm, SIGALRM);
    pthread_sigmask(SIG_BLOCK, &alrm, &prev);
    assert_int_equal(pthread_create(&th, NULL, feed_half, &fd), 0);
    o.threads = 1;
    cap = open_ok(fd.fifo, &o);
    assert_false(fc_capture_get_info(cap)->is_device);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: the read is interrupted */
    sigemptyset(&sa.sa_mask);
    assert_int_equal(sigaction(SIGALRM, &sa, &old), 0);
    signalled_cap = cap;
    pthread_sigmask(SIG_SETMASK, &prev, NULL);
    assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
    while ((rc = fc_capture_read(&f, cap)) == 0)
        n++;
    assert_int_equal(rc, FC_EINTR);
    assert_true(n > 5 && n < 50); /* what was fed decoded, then it waited */
    signalled_cap = NULL;
    sigaction(SIGALRM, &old, NULL);
    close(stop[1]);
    pthread_join(th, NULL);
    close(stop[0]);
    fc_capture_free(cap);
}

/* A process killed without closing anything: the file still plays up to the
 * last flushed cluster/fragment (1 s: a key frame each 30 frames). */
static void test_record_abrupt_exit(void **state)
{
    static const char *const outs[] = {"crash.mkv", "crash.mp4"};
    (void)state;

    for (int i = 0; i < 2; i++) {
        int status;
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) { /* no cmocka asserts here: a failure must not run the suite in the child */
            fc_capture_opts o = fc_capture_default_opts();
            fc_capture *cap = NULL;
            fc_frame f;
            int n = 0;

            o.format = "lavfi";
            o.record_path = tmp(outs[i]);
            if (fc_capture_open(&cap, "testsrc2=size=320x240:rate=30", &o, NULL, 0) < 0)
                _exit(3);
            while (n < 75 && fc_capture_read(&f, cap) == 0)
                n++;
            _exit(n == 75 ? 0 : 4); /* no free, no trailer (and no leak check: _exit) */
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        /* Under valgrind the child's deliberate leaks give another non-zero status. */
        assert_true(WIFEXITED(status));
        assert_int_not_equal(WEXITSTATUS(status), 3);
        assert_int_not_equal(WEXITSTATUS(status), 4);
        int64_t n = count_file(tmp(outs[i]));
        if (n < 30 || n > 75)
            fail_msg("%s: %lld frames readable after an abrupt exit", outs[i], (long long)n);
    }
}

static int group_setup(void **state)
{
    (void)state;
    av_log_set_level(AV_LOG_QUIET);
    fixtures = getenv("FC_FIXTURES");
    strcpy(tmpdir, "/tmp/fc_capture_XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int group_teardown(void **state)
{
    char cmd[256];
    (void)state;
    snprintf(cmd, sizeof cmd, "chmod -R u+rwx '%s'; rm -rf '%s'", tmpdir, tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* opts.planar: the frames of `name` as decoded (max_side_planar) against the
 * BGR ones at native size, through the same whole-frame crop to 64x64: the
 * planes' map (scale, quarter turns) and colour matrix must give the picture
 * the BGR path gives. Returns the mean absolute difference, 0..255. */
static double planar_vs_bgr(const char *name, int max_side_planar)
{
    enum { S = 64, N = 5 };
    fc_capture_opts op = fc_capture_default_opts(), ob = op;
    op.planar = 1;
    op.max_side = max_side_planar;
    fc_capture *cp = open_ok(fx(name), &op), *cb = open_ok(fx(name), &ob);
    fc_imgwarp *iw = NULL;
    char err[FC_ERRBUF_SIZE];
    float *a = malloc(sizeof(float) * 3 * S * S), *b = malloc(sizeof(float) * 3 * S * S);
    double sum = 0;
    assert_int_equal(fc_imgwarp_create(&iw, NULL, err, sizeof err), 0);
    for (int k = 0; k < N; k++) {
        fc_frame fp, fb;
        assert_int_equal(fc_capture_read(&fp, cp), 0);
        assert_int_equal(fc_capture_read(&fb, cb), 0);
        assert_null(fp.data);
        assert_non_null(fp.yuv);
        assert_null(fb.yuv);
        assert_int_equal(fp.width, fc_capture_get_info(cp)->width);
        assert_int_equal(fp.height, fc_capture_get_info(cp)->height);
        assert_int_equal(fp.index, fb.index);
        assert_true(fp.t_s == fb.t_s);
        fc_roi rp = {fp.width / 2.0f, fp.height / 2.0f, (float)fp.width, (float)fp.height, 0.0f};
        fc_roi rb = {fb.width / 2.0f, fb.height / 2.0f, (float)fb.width, (float)fb.height, 0.0f};
        assert_int_equal(fc_imgwarp_roi(iw, a, S, S, &fp, &rp, 0, 255, FC_BORDER_REPLICATE, err, sizeof err), 0);
        assert_int_equal(fc_imgwarp_roi(iw, b, S, S, &fb, &rb, 0, 255, FC_BORDER_REPLICATE, err, sizeof err), 0);
        for (int i = 0; i < 3 * S * S; i++)
            sum += fabs(a[i] - b[i]);
    }
    fc_imgwarp_free(iw);
    free(a);
    free(b);
    fc_capture_free(cp);
    fc_capture_free(cb);
    return sum / (N * 3.0 * S * S);
}

static void test_planar(void **state)
{
    static const char *names[] = {"quad.mp4", "rot90.mp4", "rot180.mp4", "rot270.mp4", "h264.mp4", "h264-rot90.mp4",
                                  "h264-rot270.mp4", "h264-rot180.mp4", "vp9.webm",
                                  "mjpeg.avi" /* yuvj420p: full range */};
    (void)state;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        for (int side = 0; side <= 201; side += 201) { /* 201: odd, scaled sizes */
            double d = planar_vs_bgr(names[i], side);
            print_message("%s max_side %d: mean |planar - bgr| %.2f\n", names[i], side, d);
            if (!(d < 4.0))
                fail_msg("%s, max_side %d: planar frames differ from BGR by %.2f on average", names[i], side, d);
        }
    /* not 4:2:0: converted as ever */
    fc_capture_opts o = fc_capture_default_opts();
    o.planar = 1;
    o.format = "lavfi";
    fc_capture *cap = open_ok("testsrc2=size=64x48:rate=25,format=rgb24", &o);
    fc_frame f;
    assert_int_equal(fc_capture_read(&f, cap), 0);
    assert_non_null(f.data);
    assert_null(f.yuv);
    fc_capture_free(cap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_each_codec), cmocka_unit_test(test_forced_file_format),
        cmocka_unit_test(test_pixels_and_scaling),
        cmocka_unit_test(test_rotation),          cmocka_unit_test(test_vfr_times),
        cmocka_unit_test(test_read_into),
        cmocka_unit_test(test_seek),              cmocka_unit_test(test_seek_max_fps),
        cmocka_unit_test(test_skip_before),
        cmocka_unit_test(test_cut_file_is_not_fatal),
        cmocka_unit_test(test_damaged_frames_skipped), cmocka_unit_test(test_missing_timestamps), cmocka_unit_test(test_errors),
        cmocka_unit_test(test_record_remux),
        cmocka_unit_test(test_record_keeps_rotation),      cmocka_unit_test(test_record_lavfi),
        cmocka_unit_test(test_record_interrupt),
        cmocka_unit_test(test_interrupt_blocked_read),  cmocka_unit_test(test_record_abrupt_exit),
        cmocka_unit_test(test_max_fps),           cmocka_unit_test(test_planar),
    };
    const char *dir = getenv("FC_FIXTURES");
    struct stat sb;

    if (!dir || stat(dir, &sb) != 0) {
        printf("SKIP: FC_FIXTURES is not set or missing (run through ctest: fixtures_video makes them)\n");
        return 77;
    }
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

/* test_grabber.c - newest-frame capture on a thread (lavfi sources, no camera needed). */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "formcheck/grabber.h"

static void sleep_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&ts, NULL);
}

static fc_capture_opts lavfi(void)
{
    fc_capture_opts o = fc_capture_default_opts();
    o.format = "lavfi";
    return o;
}

/* Paced at 30 fps, a consumer that is slow (200 ms per frame) gets the newest
 * frame each time: indices jump by ~6, the rest are counted as dropped. */
static void test_newest_frame(void **state)
{
    (void)state;
    char err[FC_ERRBUF_SIZE];
    fc_capture_opts o = lavfi();
    fc_grabber *g = NULL;
    assert_int_equal(fc_grabber_open(&g, "testsrc2=size=160x120:rate=30:duration=2", &o, 1, err, sizeof err), 0);
    assert_int_equal(fc_grabber_info(g)->width, 160);
    fc_frame f;
    double cap_s;
    int64_t last = -1, got = 0, max_jump = 0;
    double t0 = fc_grabber_now_s();
    int rc;
    while ((rc = fc_grabber_next(&f, &cap_s, g, 500)) != FC_EEOF) {
        if (rc == FC_EAGAIN)
            continue;
        assert_int_equal(rc, 0);
        assert_int_equal(f.width, 160);
        assert_true(f.index > last);
        if (last >= 0 && f.index - last > max_jump)
            max_jump = f.index - last;
        last = f.index;
        got++;
        /* Latency: the frame was read just now, not queued up. */
        assert_true(fc_grabber_now_s() - cap_s < 0.25);
        sleep_s(0.2);
    }
    double wall = fc_grabber_now_s() - t0;
    fc_grabber_stats st;
    fc_grabber_get_stats(&st, g);
    assert_int_equal(st.captured, 60);
    assert_int_equal(st.delivered, got);
    assert_int_equal(st.captured, st.delivered + st.dropped + (last < 59)); /* the last may be unread */
    assert_true(got >= 7 && got <= 13);                                  /* ~2 s / 0.2 s */
    assert_true(max_jump >= 4);
    assert_true(wall > 1.8); /* paced like a camera: 60 frames at 30 fps */
    assert_int_equal(fc_grabber_next(&f, &cap_s, g, 10), FC_EEOF); /* and again */
    assert_string_equal(fc_grabber_error(g), "end of the source");
    assert_int_equal(fc_grabber_close(g, err, sizeof err), 0);
}

/* Unpaced, a fast consumer; interrupt stops an endless source with FC_EINTR. */
static void test_interrupt(void **state)
{
    (void)state;
    char err[FC_ERRBUF_SIZE];
    fc_capture_opts o = lavfi();
    fc_grabber *g = NULL;
    assert_int_equal(fc_grabber_open(&g, "testsrc2=size=64x48:rate=30", &o, 1, err, sizeof err), 0);
    fc_frame f;
    int rc, frames = 0;
    while (frames < 5)
        frames += fc_grabber_next(&f, NULL, g, 500) == 0;
    fc_grabber_interrupt(g);
    while ((rc = fc_grabber_next(&f, NULL, g, 500)) == 0 || rc == FC_EAGAIN)
        ;
    assert_int_equal(rc, FC_EINTR);
    fc_grabber_close(g, NULL, 0);
}

/* FC_GRABBER_ALL: a slow consumer still gets every frame, in order, none dropped. */
static void test_keep_all(void **state)
{
    (void)state;
    char err[FC_ERRBUF_SIZE];
    fc_capture_opts o = lavfi();
    fc_grabber *g = NULL;
    assert_int_equal(fc_grabber_open(&g, "testsrc2=size=64x48:rate=30:duration=1", &o, FC_GRABBER_ALL, err, sizeof err),
                     0);
    fc_frame f;
    int rc;
    int64_t expect = 0;
    while ((rc = fc_grabber_next(&f, NULL, g, 500)) != FC_EEOF) {
        if (rc == FC_EAGAIN)
            continue;
        assert_int_equal(rc, 0);
        assert_int_equal(f.index, expect);
        expect++;
        if (expect % 10 == 0)
            sleep_s(0.05);
    }
    assert_int_equal(expect, 30);
    fc_grabber_stats st;
    fc_grabber_get_stats(&st, g);
    assert_int_equal(st.dropped, 0);
    assert_int_equal(st.delivered, 30);
    fc_grabber_close(g, NULL, 0);
    /* Closing while the reader waits for a consumer that stopped taking frames does not hang. */
    assert_int_equal(fc_grabber_open(&g, "testsrc2=size=64x48:rate=30", &o, FC_GRABBER_ALL, err, sizeof err), 0);
    assert_int_equal(fc_grabber_next(&f, NULL, g, 500), 0);
    sleep_s(0.1);
    assert_int_equal(fc_grabber_close(g, err, sizeof err), 0);
}

/* opts.planar: the grabber's frames are copies of the decoded planes (odd
 * sizes: chroma rounded up; 4 readable bytes past each row), byte for byte
 * what the capture hands out; a format that is not 4:2:0 comes as BGR. */
static void check_planar(const char *src)
{
    char err[FC_ERRBUF_SIZE];
    fc_capture_opts o = lavfi();
    o.planar = 1;
    fc_grabber *g = NULL;
    fc_capture *cap = NULL;
    assert_int_equal(fc_grabber_open(&g, src, &o, FC_GRABBER_ALL, err, sizeof err), 0);
    assert_int_equal(fc_capture_open(&cap, src, &o, err, sizeof err), 0);
    fc_frame f, c;
    int rc, n = 0;
    while ((rc = fc_grabber_next(&f, NULL, g, 500)) != FC_EEOF) {
        if (rc == FC_EAGAIN)
            continue;
        assert_int_equal(rc, 0);
        assert_int_equal(fc_capture_read(&c, cap), 0);
        assert_int_equal(f.index, c.index);
        assert_int_equal(f.width, c.width);
        assert_int_equal(f.height, c.height);
        assert_true((f.yuv == NULL) == (c.yuv == NULL));
        if (!c.yuv) {
            for (int y = 0; y < c.height; y++)
                assert_memory_equal(f.data + (size_t)y * f.stride, c.data + (size_t)y * c.stride, 3 * (size_t)c.width);
            n++;
            continue;
        }
        assert_null(f.data);
        assert_int_equal(f.yuv->width, c.yuv->width);
        assert_memory_equal(f.yuv->to_plane, c.yuv->to_plane, sizeof c.yuv->to_plane);
        assert_true(f.yuv->y_scale == c.yuv->y_scale && f.yuv->cr_r == c.yuv->cr_r);
        for (int i = 0; i < 3; i++) {
            int w = i ? (c.yuv->width + 1) / 2 : c.yuv->width, h = i ? (c.yuv->height + 1) / 2 : c.yuv->height;
            assert_true(f.yuv->stride[i] >= w + 4);
            for (int y = 0; y < h; y++)
                assert_memory_equal(f.yuv->plane[i] + (size_t)y * f.yuv->stride[i],
                                    c.yuv->plane[i] + (size_t)y * c.yuv->stride[i], (size_t)w);
        }
        n++;
    }
    assert_int_equal(n, 10);
    fc_capture_free(cap);
    assert_int_equal(fc_grabber_close(g, err, sizeof err), 0);
}

static void test_planar(void **state)
{
    (void)state;
    check_planar("testsrc2=size=65x47:rate=10:duration=1,format=yuv420p");
    check_planar("testsrc2=size=64x48:rate=10:duration=1,format=rgb24");
}

static void test_bad_source(void **state)
{
    (void)state;
    char err[FC_ERRBUF_SIZE];
    fc_capture_opts o = fc_capture_default_opts();
    fc_grabber *g = (fc_grabber *)&o;
    assert_int_equal(fc_grabber_open(&g, "/nonexistent/x.mp4", &o, 0, err, sizeof err), FC_ENOENT);
    assert_null(g);
    assert_non_null(strstr(err, "/nonexistent/x.mp4"));
    assert_int_equal(fc_grabber_close(NULL, NULL, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_newest_frame),
        cmocka_unit_test(test_interrupt),
        cmocka_unit_test(test_keep_all),
        cmocka_unit_test(test_planar),
        cmocka_unit_test(test_bad_source),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

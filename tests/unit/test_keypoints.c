/* test_keypoints.c - keypoints files: format, parse, round trip, errors. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formcheck/error.h"
#include "formcheck/keypoints.h"

static void fill(fc_pose_result *r, int64_t frame, double t)
{
    memset(r, 0, sizeof *r);
    r->frame = frame;
    r->t_s = t;
    r->width = 640;
    r->height = 480;
    r->found = 1;
    r->score = 0.9f;
    for (int i = 0; i < FC_NUM_LANDMARKS; i++) {
        r->lm[i] = (fc_landmark){10.0f * i + 1, 5.0f * i + 2, -3.0f * i, 0.5f + i / 100.0f, 0.75f};
        r->world[i] = (fc_point3){0.01f * i, -0.02f * i, 0.03f * i};
    }
}

static void test_round_trip(void **state)
{
    (void)state;
    char tmpl[] = "/tmp/fc_kp_XXXXXX";
    int fd = mkstemp(tmpl);
    char err[FC_ERRBUF_SIZE];
    fc_keypoints_writer *w = NULL;
    fc_pose_result r, *arr = NULL;
    size_t n = 0;

    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(fc_keypoints_writer_open(&w, tmpl, err, sizeof err), 0);
    fill(&r, 0, 0.0);
    assert_int_equal(fc_keypoints_writer_write(w, &r), 0);
    r.found = 0;
    r.frame = 1;
    r.t_s = 1.0 / 30;
    assert_int_equal(fc_keypoints_writer_write(w, &r), 0);
    fill(&r, 2, 2.0 / 30);
    assert_int_equal(fc_keypoints_writer_write(w, &r), 0);
    assert_int_equal(fc_keypoints_writer_close(w, err, sizeof err), 0);

    assert_int_equal(fc_keypoints_load(&arr, &n, tmpl, err, sizeof err), 0);
    assert_int_equal(n, 3);
    assert_int_equal(arr[0].found, 1);
    assert_int_equal(arr[1].found, 0);
    assert_int_equal(arr[2].frame, 2);
    assert_true(fabs(arr[2].t_s - 2.0 / 30) < 1e-6);
    assert_int_equal(arr[0].width, 640);
    assert_true(fabsf(arr[0].lm[7].x - 71.0f) < 1e-3f);
    assert_true(fabsf(arr[0].lm[7].y - 37.0f) < 1e-3f);
    assert_true(fabsf(arr[0].lm[7].z - -21.0f) < 1e-2f);
    assert_true(fabsf(arr[0].lm[7].visibility - 0.57f) < 1e-4f);
    assert_true(fabsf(arr[0].lm[7].presence - 0.75f) < 1e-4f);
    assert_true(fabsf(arr[0].world[32].z - 0.96f) < 1e-4f);
    assert_true(fabsf(arr[0].score - 0.9f) < 1e-4f);
    free(arr);
    unlink(tmpl);
}

static void test_parse_mediapipe_reference_line(void **state)
{
    (void)state;
    /* MediaPipe's reference files: ts_ms, 4-value landmarks and world rows. */
    char line[8192];
    size_t pos = 0;
    fc_pose_result r;
    char err[FC_ERRBUF_SIZE];

    pos += (size_t)snprintf(line + pos, sizeof line - pos,
                            "{\"frame\":3,\"file\":\"x.png\",\"ts_ms\":100,\"w\":200,\"h\":100,\"n\":1,\"landmarks\":[");
    for (int i = 0; i < 33; i++)
        pos += (size_t)snprintf(line + pos, sizeof line - pos, "%s[0.5,0.25,0.1,0.8]", i ? "," : "");
    pos += (size_t)snprintf(line + pos, sizeof line - pos, "],\"world\":[");
    for (int i = 0; i < 33; i++)
        pos += (size_t)snprintf(line + pos, sizeof line - pos, "%s[0.1,0.2,0.3,0.9]", i ? "," : "");
    pos += (size_t)snprintf(line + pos, sizeof line - pos, "]}");
    assert_int_equal(fc_keypoints_parse(&r, line, pos, err, sizeof err), 0);
    assert_int_equal(r.found, 1);
    assert_true(fabs(r.t_s - 0.1) < 1e-9);
    assert_true(fabsf(r.lm[0].x - 100.0f) < 1e-4f);
    assert_true(fabsf(r.lm[0].y - 25.0f) < 1e-4f);
    assert_true(fabsf(r.lm[0].presence - 0.8f) < 1e-6f);
    assert_true(fabsf(r.world[5].z - 0.3f) < 1e-6f);
}

static void expect_parse_error(const char *line, const char *needle)
{
    fc_pose_result r;
    char err[FC_ERRBUF_SIZE] = "";

    assert_int_equal(fc_keypoints_parse(&r, line, strlen(line), err, sizeof err), FC_EKEYPOINTS);
    if (!strstr(err, needle))
        fail_msg("error '%s' does not mention '%s'", err, needle);
}

static void test_parse_errors(void **state)
{
    (void)state;
    expect_parse_error("not json", "not a JSON object");
    expect_parse_error("[1,2]", "not a JSON object");
    expect_parse_error("{\"t_s\":0,\"w\":0,\"h\":10}", "\"w\"");
    expect_parse_error("{\"w\":10,\"h\":10,\"landmarks\":null}", "t_s");
    expect_parse_error("{\"t_s\":0,\"w\":10,\"h\":10,\"landmarks\":[[1,2,3,4]]}", "33 points");
    expect_parse_error("{\"t_s\":0,\"w\":10,\"h\":10,\"landmarks\":5}", "landmarks");
}

static void test_load_errors(void **state)
{
    (void)state;
    char err[FC_ERRBUF_SIZE];
    fc_pose_result *arr = (fc_pose_result *)1;
    size_t n = 7;
    char tmpl[] = "/tmp/fc_kp_XXXXXX";
    int fd;
    FILE *fp;

    assert_int_equal(fc_keypoints_load(&arr, &n, "/nonexistent/k.jsonl", err, sizeof err), FC_ENOENT);
    assert_null(arr);
    assert_non_null(strstr(err, "/nonexistent/k.jsonl"));
    assert_int_equal(fc_keypoints_load(&arr, &n, "/tmp", err, sizeof err), FC_EISDIR);

    fd = mkstemp(tmpl);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(fc_keypoints_load(&arr, &n, tmpl, err, sizeof err), FC_EKEYPOINTS); /* empty */
    assert_non_null(strstr(err, "no frames"));
    fp = fopen(tmpl, "w");
    fputs("{\"t_s\":1,\"w\":10,\"h\":10,\"landmarks\":null}\n\n{\"t_s\":0.5,\"w\":10,\"h\":10}\n", fp);
    fclose(fp);
    assert_int_equal(fc_keypoints_load(&arr, &n, tmpl, err, sizeof err), FC_EKEYPOINTS);
    assert_non_null(strstr(err, ":3: time goes backwards"));
    unlink(tmpl);
}

static void test_nan_written_as_null(void **state)
{
    (void)state;
    fc_pose_result r, back;
    char buf[FC_KEYPOINTS_MAX_LINE], err[FC_ERRBUF_SIZE];
    int n;

    fill(&r, 0, 0);
    r.world[4].y = NAN;
    n = fc_keypoints_format(buf, sizeof buf, &r);
    assert_true(n > 0);
    assert_non_null(strstr(buf, "null"));
    assert_int_equal(fc_keypoints_parse(&back, buf, (size_t)n, err, sizeof err), 0);
    assert_true(isnan(back.world[4].y));
    assert_int_equal(fc_keypoints_format(buf, 10, &r), FC_EINVAL);
}

static void test_too_big_refused_before_parsing(void **state)
{
    (void)state;
    /* A sparse file one byte over the limit: refused by its size, without reading
     * (all zeros would otherwise be a parse error on line 1). */
    char err[FC_ERRBUF_SIZE], tmpl[] = "/tmp/fc_kp_big_XXXXXX";
    fc_pose_result *arr = (fc_pose_result *)1;
    size_t n = 7;
    int fd = mkstemp(tmpl);
    assert_true(fd >= 0);
    if (ftruncate(fd, (off_t)(FC_KEYPOINTS_MAX_FILE + 1)) != 0) {
        close(fd);
        unlink(tmpl);
        skip(); /* the file system cannot hold a sparse 2 GiB file */
    }
    close(fd);
    assert_int_equal(fc_keypoints_load(&arr, &n, tmpl, err, sizeof err), FC_ETOOBIG);
    assert_null(arr);
    assert_non_null(strstr(err, tmpl));
    unlink(tmpl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_parse_mediapipe_reference_line),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_nan_written_as_null),
        cmocka_unit_test(test_too_big_refused_before_parsing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

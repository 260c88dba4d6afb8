/* test_pose.c - the pose module's API without real models: options, names, and the
 * errors for missing, unreadable and corrupt model files (each names the file). */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formcheck/error.h"
#include "formcheck/pose.h"

static void test_defaults_and_names(void **state)
{
    (void)state;
    fc_pose_opts o = fc_pose_default_opts();
    assert_null(o.model_dir);
    assert_int_equal(o.model, FC_POSE_FULL);
    assert_int_equal(o.mode, FC_POSE_VIDEO);
    assert_true(o.min_detection_score == 0.5f && o.min_tracking_score == 0.5f);
    assert_int_equal(o.smoothing, 1);
    fc_pose_model m = FC_POSE_FULL;
    assert_int_equal(fc_pose_model_parse("lite", &m), 0);
    assert_int_equal(m, FC_POSE_LITE);
    assert_int_equal(fc_pose_model_parse("heavy", &m), 0);
    assert_int_equal(m, FC_POSE_HEAVY);
    assert_int_equal(fc_pose_model_parse("Full", &m), FC_EINVAL);
    assert_int_equal(fc_pose_model_parse(NULL, &m), FC_EINVAL);
    assert_string_equal(fc_pose_model_file(FC_POSE_LITE), "pose_landmark_lite.tflite");
    assert_string_equal(fc_pose_model_file(FC_POSE_HEAVY), "pose_landmark_heavy.tflite");
    assert_string_equal(fc_pose_model_file((fc_pose_model)7), "?");
    assert_string_equal(fc_pose_detector_file(), "pose_detection.tflite");
    fc_pose_free(NULL);
    fc_pose_reset(NULL);
    assert_string_equal(fc_pose_error(NULL), "");
}

static void test_bad_options(void **state)
{
    (void)state;
    char err[FC_ERRBUF_SIZE];
    fc_pose *p = (fc_pose *)&err; /* must be reset to NULL on failure */
    fc_pose_opts o = fc_pose_default_opts();
    assert_int_equal(fc_pose_open(&p, &o, err, sizeof err), FC_EINVAL);
    assert_null(p);
    assert_non_null(strstr(err, "model directory"));
    o.model_dir = "/nonexistent";
    o.min_detection_score = 1.5f;
    assert_int_equal(fc_pose_open(&p, &o, err, sizeof err), FC_EINVAL);
    o.min_detection_score = 0.5f;
    o.model = (fc_pose_model)3;
    assert_int_equal(fc_pose_open(&p, &o, err, sizeof err), FC_EINVAL);
    o.model = FC_POSE_FULL;
    o.threads = -1;
    assert_int_equal(fc_pose_open(&p, &o, err, sizeof err), FC_EINVAL);
    assert_int_equal(fc_pose_open(&p, NULL, err, sizeof err), FC_EINVAL);
}

static void test_missing_model(void **state)
{
    (void)state;
    char err[FC_ERRBUF_SIZE];
    fc_pose *p = NULL;
    fc_pose_opts o = fc_pose_default_opts();
    o.model_dir = "/nonexistent/models";
    assert_int_equal(fc_pose_open(&p, &o, err, sizeof err), FC_ENOENT);
    assert_null(p);
    assert_non_null(strstr(err, "/nonexistent/models/pose_detection.tflite"));
}

static void write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static void test_corrupt_model(void **state)
{
    (void)state;
    char dir[] = "/tmp/fc_pose_XXXXXX", path[512], err[FC_ERRBUF_SIZE];
    assert_non_null(mkdtemp(dir));
    /* a detector that is not a TFLite file at all */
    snprintf(path, sizeof path, "%s/pose_detection.tflite", dir);
    write_file(path, "this is not a flatbuffer, just text\n", 36);
    fc_pose *p = NULL;
    fc_pose_opts o = fc_pose_default_opts();
    o.model_dir = dir;
    assert_int_equal(fc_pose_open(&p, &o, err, sizeof err), FC_EMODEL);
    assert_null(p);
    assert_non_null(strstr(err, path));
    /* a directory where the landmark model should be (the detector is still bad:
     * the detector's error comes first) */
    char lm[512];
    snprintf(lm, sizeof lm, "%s/pose_landmark_full.tflite", dir);
    assert_int_equal(mkdir(lm, 0700), 0);
    assert_int_equal(fc_pose_open(&p, &o, err, sizeof err), FC_EMODEL);
    assert_non_null(strstr(err, "pose_detection.tflite"));
    assert_int_equal(rmdir(lm), 0);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(rmdir(dir), 0);
}

/* The pinned sums are the ones models/fetch.sh verifies; the hash is SHA-256. */
static void test_pinned_checksums(void **state)
{
    (void)state;
    char dir[] = "/tmp/fc_pose_XXXXXX", path[512], hex[65], err[FC_ERRBUF_SIZE];
    const char *files[] = {"pose_detection.tflite", "pose_landmark_lite.tflite", "pose_landmark_full.tflite",
                           "pose_landmark_heavy.tflite"};
    assert_null(fc_pose_pinned_sha256("other.tflite"));
    const char *src = getenv("FC_SOURCE_DIR");
    char *fetch = NULL;
    if (src) {
        snprintf(path, sizeof path, "%s/models/fetch.sh", src);
        FILE *f = fopen(path, "r");
        assert_non_null(f);
        fetch = calloc(1, 65536);
        assert_non_null(fetch);
        assert_true(fread(fetch, 1, 65535, f) > 0);
        fclose(f);
    }
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        const char *sum = fc_pose_pinned_sha256(files[i]);
        assert_non_null(sum);
        assert_int_equal(strlen(sum), 64);
        if (fetch) { /* "NAME|PACKAGE FILE|SHA256" */
            char *line = strstr(fetch, files[i]);
            assert_non_null(line);
            char *eol = strchr(line, '\n');
            assert_non_null(eol);
            *eol = 0;
            assert_non_null(strstr(line, sum));
            *eol = '\n';
        }
    }
    free(fetch);

    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/pose_detection.tflite", dir);
    write_file(path, "abc", 3);
    assert_int_equal(fc_pose_file_sha256(hex, path, err, sizeof err), 0);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    /* Refused before parsing, both sums named. */
    fc_pose *p = NULL;
    fc_pose_opts o = fc_pose_default_opts();
    assert_int_equal(o.verify_checksums, 1);
    o.model_dir = dir;
    assert_int_equal(fc_pose_open(&p, &o, err, sizeof err), FC_EMODEL);
    assert_null(p);
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, "checksum mismatch: expected a63c614bef30d35947f13be361820b1e4e3bec9cfeebf4d11216a18373108e85, "
                                "got ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    /* Unverified, the parser says what is wrong instead. */
    o.verify_checksums = 0;
    assert_int_equal(fc_pose_open(&p, &o, err, sizeof err), FC_EMODEL);
    assert_null(strstr(err, "checksum"));
    assert_non_null(strstr(err, path));
    /* Over the bound: not even read (a sparse file). */
    o.verify_checksums = 1;
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(ftruncate(fileno(f), (off_t)1 << 30), 0);
    fclose(f);
    assert_int_equal(fc_pose_open(&p, &o, err, sizeof err), FC_EMODEL);
    assert_non_null(strstr(err, "1073741824 bytes, not the pinned model"));
    assert_int_equal(fc_pose_file_sha256(hex, "/nonexistent/x", err, sizeof err), FC_ENOENT);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_and_names),
        cmocka_unit_test(test_bad_options),
        cmocka_unit_test(test_missing_model),
        cmocka_unit_test(test_corrupt_model),
        cmocka_unit_test(test_pinned_checksums),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

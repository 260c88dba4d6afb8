/* test_net.c - fc_net on OpenCV DNN: the synthetic model of tflite_builder.h
 * against values computed here by hand (conv 1x1 + RELU6 + sigmoid, NHWC
 * output), error codes, and the real models' outputs (names, sizes, reuse).
 * Label "model" (links OpenCV, reads models/). */
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

#include "formcheck/net.h"
#include "tflite_builder.h"

static tb_buf g_buf;

/* Write the synthetic model to a temp file; returns its path (static buffer). */
static const char *write_model(const tb_knobs *k)
{
    static char path[64];
    size_t n = tb_model(&g_buf, k);
    strcpy(path, "/tmp/fc_test_net_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, g_buf.b, n), (ssize_t)n);
    close(fd);
    return path;
}

static void check_synthetic(int sparse)
{
    char err[FC_ERRBUF_SIZE];
    fc_net *net = NULL;
    tb_knobs k = tb_default_knobs();
    k.sparse = sparse;
    const char *path = write_model(&k);
    fc_net_opts o = fc_net_default_opts();
    o.threads = 1;
    int rc = fc_net_open(&net, path, &o, err, sizeof err);
    unlink(path);
    if (rc < 0)
        fail_msg("fc_net_open: %s", err);
    int h, w, c;
    fc_net_input_size(net, &h, &w, &c);
    assert_int_equal(h, 4);
    assert_int_equal(w, 4);
    assert_int_equal(c, 2);
    assert_int_equal(fc_net_num_outputs(net), 1);
    assert_string_equal(fc_net_output_name(net, 0), "output");
    float *in = fc_net_input(net);
    for (int ch = 0; ch < 2; ch++)
        for (int p = 0; p < 16; p++)
            in[ch * 16 + p] = ch ? (float)p * 0.5f - 3.0f : (float)p - 4.0f; /* planar NCHW */
    for (int pass = 0; pass < 2; pass++) {
        assert_int_equal(fc_net_forward(net, err, sizeof err), 0);
        size_t n = 0;
        const float *y = fc_net_output(net, 0, &n);
        assert_int_equal(n, 48);
        for (int p = 0; p < 16; p++)
            for (int oc = 0; oc < 3; oc++) {
                float x0 = (float)p - 4.0f, x1 = (float)p * 0.5f - 3.0f;
                float v = tb_weights[oc][0] * x0 + tb_weights[oc][1] * x1 + tb_bias[oc];
                v = v < 0 ? 0 : v > 6 ? 6 : v;
                float want = 1.0f / (1.0f + expf(-v));
                assert_float_equal(y[p * 3 + oc], want, 1e-5); /* NHWC */
            }
    }
    assert_ptr_equal(fc_net_input(net), in); /* reused */
    /* The per-layer profile: the synthetic graph's 1x1 conv (+ fused ReLU6) and
     * sigmoid are OpenCV layers with names and types. */
    fc_net_layer_time lt[8];
    int nl = fc_net_profile(lt, net, 8);
    assert_in_range(nl, 2, 8);
    int sigmoid = 0;
    for (int i = 0; i < nl; i++) {
        assert_non_null(lt[i].name);
        assert_true(lt[i].ms >= 0.0);
        sigmoid += !strcmp(lt[i].type, "Sigmoid");
    }
    assert_int_equal(sigmoid, 1);
    assert_int_equal(fc_net_profile(NULL, net, 0), nl);
    assert_int_equal(fc_net_profile(NULL, net, 1), FC_EINVAL);
    assert_int_equal(fc_net_profile(lt, NULL, 8), FC_EINVAL);
    fc_net_free(net);
}

static void test_synthetic(void **state)
{
    (void)state;
    check_synthetic(0);
}

static void test_synthetic_sparse(void **state)
{
    (void)state;
    check_synthetic(1);
}

static void test_errors(void **state)
{
    (void)state;
    char err[FC_ERRBUF_SIZE];
    fc_net *net = (fc_net *)1;
    assert_int_equal(fc_net_open(&net, "/nonexistent/m.tflite", NULL, err, sizeof err), FC_ENOENT);
    assert_null(net);
    assert_non_null(strstr(err, "/nonexistent/m.tflite"));
    assert_int_equal(fc_net_open(&net, "/tmp", NULL, err, sizeof err), FC_EISDIR);
    assert_int_equal(fc_net_open(NULL, "/tmp", NULL, err, sizeof err), FC_EINVAL);
    tb_knobs k = tb_default_knobs();
    k.op_code = 18;
    const char *path = write_model(&k);
    assert_int_equal(fc_net_open(&net, path, NULL, err, sizeof err), FC_EMODEL);
    unlink(path);
    assert_non_null(strstr(err, "MUL"));
    assert_null(net);
    assert_int_equal(fc_net_forward(NULL, err, sizeof err), FC_EINVAL);
    size_t n = 7;
    assert_null(fc_net_output(NULL, 0, &n));
    assert_int_equal(n, 0);
    assert_null(fc_net_output_name(NULL, 0));
    assert_int_equal(fc_net_num_outputs(NULL), 0);
    fc_net_free(NULL);
}

/* Byte-flipped variants of the all-ops model: whatever the reader accepts, the
 * wrapper must build and run, or refuse with FC_EMODEL/FC_ECV; never crash. */
static void test_flipped_all_ops(void **state)
{
    (void)state;
    char err[FC_ERRBUF_SIZE], path[64];
    size_t n = tb_model_all_ops(&g_buf);
    uint32_t seed = 0xc0ffeeu;
    int opened = 0, refused = 0;
    strcpy(path, "/tmp/fc_test_net_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    for (int it = 0; it < 400; it++) {
        uint8_t saved[TB_CAP];
        memcpy(saved, g_buf.b, n);
        for (int f = 0; f < 1 + it % 3; f++) {
            seed = seed * 1664525u + 1013904223u;
            g_buf.b[(seed >> 8) % n] ^= (uint8_t)(1u << (seed >> 29));
        }
        FILE *fp = fopen(path, "wb");
        assert_non_null(fp);
        assert_int_equal(fwrite(g_buf.b, 1, n, fp), n);
        fclose(fp);
        memcpy(g_buf.b, saved, n);
        fc_net *net = NULL;
        int rc = fc_net_open(&net, path, NULL, err, sizeof err);
        if (rc < 0) {
            assert_true(rc == FC_EMODEL || rc == FC_ECV);
            assert_null(net);
            refused++;
            continue;
        }
        opened++;
        assert_int_equal(fc_net_forward(net, err, sizeof err), 0);
        fc_net_free(net);
    }
    unlink(path);
    print_message("flipped all_ops: %d opened, %d refused\n", opened, refused);
    assert_true(opened > 0 && refused > 0);
}

static void check_real(const char *file, int in_hw, int n_out, const size_t *counts)
{
    const char *dir = getenv("FC_MODEL_DIR");
    char path[4096], err[FC_ERRBUF_SIZE];
    fc_net *net = NULL;
    snprintf(path, sizeof path, "%s/%s", dir ? dir : "models", file);
    if (access(path, R_OK) != 0) {
        print_message("SKIP: %s absent\n", path);
        skip();
    }
    fc_net_opts o = fc_net_default_opts();
    o.threads = 2;
    if (fc_net_open(&net, path, &o, err, sizeof err) < 0)
        fail_msg("%s", err);
    int h, w, c;
    fc_net_input_size(net, &h, &w, &c);
    assert_int_equal(h, in_hw);
    assert_int_equal(w, in_hw);
    assert_int_equal(c, 3);
    assert_int_equal(fc_net_num_outputs(net), n_out);
    float *in = fc_net_input(net);
    for (int i = 0; i < h * w * c; i++)
        in[i] = (float)(i % 251) / 251.0f;
    assert_int_equal(fc_net_forward(net, err, sizeof err), 0);
    float *first = malloc(sizeof(float) * counts[0]);
    size_t n;
    memcpy(first, fc_net_output(net, 0, &n), sizeof(float) * counts[0]);
    for (int i = 0; i < n_out; i++) {
        char name[32];
        snprintf(name, sizeof name, i ? "Identity_%d" : "Identity", i);
        assert_string_equal(fc_net_output_name(net, i), name);
        const float *v = fc_net_output(net, i, &n);
        assert_int_equal(n, counts[i]);
        for (size_t j = 0; j < n; j++)
            assert_true(isfinite(v[j]));
    }
    assert_null(fc_net_output(net, n_out, &n));
    /* Same input, same output: nothing depends on stale state. */
    assert_int_equal(fc_net_forward(net, err, sizeof err), 0);
    assert_memory_equal(first, fc_net_output(net, 0, &n), sizeof(float) * counts[0]);
    free(first);
    fc_net_free(net);
}

static void test_real_landmark_full(void **state)
{
    (void)state;
    static const size_t counts[5] = {195, 1, 256 * 256, 64 * 64 * 39, 117};
    check_real("pose_landmark_full.tflite", 256, 5, counts);
}

/* Skipping the segmentation (output 2) must not change the other outputs. */
static void test_skip_outputs(void **state)
{
    (void)state;
    const char *dir = getenv("FC_MODEL_DIR");
    char path[4096], err[FC_ERRBUF_SIZE];
    snprintf(path, sizeof path, "%s/pose_landmark_lite.tflite", dir ? dir : "models");
    if (access(path, R_OK) != 0) {
        print_message("SKIP: %s absent\n", path);
        skip();
    }
    fc_net *all = NULL, *some = NULL;
    fc_net_opts o = fc_net_default_opts();
    if (fc_net_open(&all, path, &o, err, sizeof err) < 0)
        fail_msg("%s", err);
    o.skip_outputs = 1u << 2;
    if (fc_net_open(&some, path, &o, err, sizeof err) < 0)
        fail_msg("%s", err);
    float *a = fc_net_input(all), *b = fc_net_input(some);
    for (int i = 0; i < 256 * 256 * 3; i++)
        a[i] = b[i] = (float)((i * 7919) % 1000) / 1000.0f;
    assert_int_equal(fc_net_forward(all, err, sizeof err), 0);
    assert_int_equal(fc_net_forward(some, err, sizeof err), 0);
    assert_int_equal(fc_net_num_outputs(some), 5);
    size_t n = 1;
    assert_null(fc_net_output(some, 2, &n));
    assert_int_equal(n, 0);
    assert_string_equal(fc_net_output_name(some, 2), "Identity_2");
    for (int i = 0; i < 5; i++) {
        size_t na, nb;
        const float *va = fc_net_output(all, i, &na), *vb = fc_net_output(some, i, &nb);
        if (i == 2)
            continue;
        assert_int_equal(na, nb);
        for (size_t j = 0; j < na; j++)
            assert_float_equal(va[j], vb[j], 1e-6);
    }
    fc_net_free(all);
    fc_net_free(some);
    o.skip_outputs = 0x1f;
    assert_int_equal(fc_net_open(&some, path, &o, err, sizeof err), FC_EMODEL);
    assert_non_null(strstr(err, "no output"));
}

static void test_real_detector(void **state)
{
    (void)state;
    static const size_t counts[2] = {2254 * 12, 2254};
    check_real("pose_detection.tflite", 224, 2, counts);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_synthetic),
        cmocka_unit_test(test_synthetic_sparse),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_flipped_all_ops),
        cmocka_unit_test(test_real_landmark_full),
        cmocka_unit_test(test_real_detector),
        cmocka_unit_test(test_skip_outputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_tflite.c - the TFLite reader: a synthetic model built here (valid, and with
 * one defect at a time), truncations and byte flips of it and of the real
 * detector model, and the parsed facts of the four real models. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formcheck/tflite.h"
#include "tflite_builder.h"

static tb_buf g_buf;

/* Parse the synthetic model built with `k`; returns rc, message in err. */
static int parse_knobs(const tb_knobs *k, fc_tfl_model **m, char *err, size_t errsz)
{
    size_t n = tb_model(&g_buf, k);
    return fc_tfl_parse(m, g_buf.b, n, "syn.tflite", err, errsz);
}

static void expect_error(const tb_knobs *k, const char *needle)
{
    char err[FC_ERRBUF_SIZE] = "";
    fc_tfl_model *m = (fc_tfl_model *)1;
    int rc = parse_knobs(k, &m, err, sizeof err);
    if (rc != FC_EMODEL || !strstr(err, needle))
        fail_msg("expected FC_EMODEL with '%s', got %d '%s'", needle, rc, err);
    assert_null(m);
    assert_non_null(strstr(err, "syn.tflite: ")); /* names the file */
}

static void test_half_to_float(void **state)
{
    (void)state;
    assert_true(fc_tfl_half_to_float(0x3c00) == 1.0f);
    assert_true(fc_tfl_half_to_float(0xc000) == -2.0f);
    assert_true(fc_tfl_half_to_float(0x3555) == 0.333251953125f);
    assert_true(fc_tfl_half_to_float(0x7bff) == 65504.0f);
    assert_true(fc_tfl_half_to_float(0x0001) == 5.9604644775390625e-08f); /* smallest subnormal */
    assert_true(fc_tfl_half_to_float(0x03ff) == 6.097555160522461e-05f);  /* largest subnormal */
    assert_true(fc_tfl_half_to_float(0x8000) == 0.0f);
    assert_true(fc_tfl_half_to_float(0x7c00) > 1e38f);
    float nan = fc_tfl_half_to_float(0x7e00);
    assert_true(nan != nan);
}

static void check_valid_model(const fc_tfl_model *m)
{
    assert_int_equal(m->version, 3);
    assert_int_equal(m->n_tensors, 7);
    assert_int_equal(m->n_inputs, 1);
    assert_int_equal(m->n_outputs, 1);
    assert_string_equal(m->tensors[m->inputs[0]].name, "input");
    assert_string_equal(m->tensors[m->outputs[0]].name, "output");
    assert_int_equal(fc_tfl_count_ops(m, FC_TFL_CONV_2D), 1);
    assert_int_equal(fc_tfl_count_ops(m, FC_TFL_DEQUANTIZE), 1);
    assert_int_equal(fc_tfl_count_ops(m, FC_TFL_LOGISTIC), 1);
    const fc_tfl_tensor *w = &m->tensors[2], *b = &m->tensors[3];
    assert_int_equal(w->rank, 4);
    assert_int_equal(w->count, 6);
    assert_non_null(w->f32); /* the DEQUANTIZE output became a constant */
    for (int o = 0; o < 3; o++)
        for (int i = 0; i < 2; i++)
            assert_true(w->f32[o * 2 + i] == tb_weights[o][i]);
    for (int i = 0; i < 3; i++)
        assert_true(b->f32[i] == tb_bias[i]);
    const fc_tfl_op *conv = NULL;
    for (int i = 0; i < m->n_ops; i++) {
        if (m->ops[i].code == FC_TFL_CONV_2D)
            conv = &m->ops[i];
        assert_int_equal(m->ops[i].folded, m->ops[i].code == FC_TFL_DEQUANTIZE || m->ops[i].code == FC_TFL_DENSIFY);
    }
    assert_non_null(conv);
    assert_int_equal(conv->padding, FC_TFL_PAD_VALID);
    assert_int_equal(conv->stride_w, 1);
    assert_int_equal(conv->act, FC_TFL_ACT_RELU6);
    assert_int_equal(conv->n_in, 3);
    assert_int_equal(conv->in[1], 2);
}

static void test_synthetic_valid(void **state)
{
    (void)state;
    char err[FC_ERRBUF_SIZE];
    fc_tfl_model *m = NULL;
    tb_knobs k = tb_default_knobs();
    assert_int_equal(parse_knobs(&k, &m, err, sizeof err), 0);
    check_valid_model(m);
    assert_false(m->tensors[1].sparse);
    fc_tfl_free(m);
    fc_tfl_free(NULL);
}

static void test_synthetic_sparse(void **state)
{
    (void)state;
    char err[FC_ERRBUF_SIZE];
    fc_tfl_model *m = NULL;
    tb_knobs k = tb_default_knobs();
    k.sparse = 1;
    assert_int_equal(parse_knobs(&k, &m, err, sizeof err), 0);
    check_valid_model(m); /* densified to the same weights */
    assert_true(m->tensors[1].sparse);
    assert_int_equal(fc_tfl_count_ops(m, FC_TFL_DENSIFY), 1);
    fc_tfl_free(m);
}

static void test_all_ops(void **state)
{
    (void)state;
    char err[FC_ERRBUF_SIZE];
    fc_tfl_model *m = NULL;
    size_t n = tb_model_all_ops(&g_buf);
    if (fc_tfl_parse(&m, g_buf.b, n, "all_ops", err, sizeof err) < 0)
        fail_msg("%s", err);
    static const int codes[] = {FC_TFL_PAD, FC_TFL_DEPTHWISE_CONV_2D, FC_TFL_ADD, FC_TFL_MAX_POOL_2D,
                                FC_TFL_RESIZE_BILINEAR, FC_TFL_CONV_2D, FC_TFL_DEPTH_TO_SPACE, FC_TFL_RESHAPE,
                                FC_TFL_CONCATENATION, FC_TFL_LOGISTIC};
    assert_int_equal(m->n_ops, 10);
    for (int i = 0; i < 10; i++) {
        assert_int_equal(m->ops[i].code, codes[i]);
        assert_int_equal(fc_tfl_count_ops(m, codes[i]), 1);
    }
    assert_int_equal(m->ops[1].act, FC_TFL_ACT_RELU6);
    assert_int_equal(m->ops[1].padding, FC_TFL_PAD_VALID);
    assert_int_equal(m->ops[3].filter_w, 2);
    assert_int_equal(m->ops[3].stride_h, 2);
    assert_int_equal(m->ops[4].half_pixel_centers, 1);
    assert_int_equal(m->ops[5].padding, FC_TFL_PAD_SAME);
    assert_int_equal(m->ops[6].block_size, 2);
    assert_int_equal(m->ops[8].axis, 1); /* -1 normalised */
    assert_int_equal(m->n_outputs, 2);
    assert_string_equal(m->tensors[m->outputs[1]].name, "pool");
    assert_int_equal(m->tensors[1].i32[2], 2); /* paddings */
    fc_tfl_free(m);
}

static void test_opcode_fields(void **state)
{
    (void)state;
    char err[FC_ERRBUF_SIZE];
    fc_tfl_model *m = NULL;
    tb_knobs k = tb_default_knobs();
    k.deprecated_code = 0; /* new files: deprecated byte 0, real code in builtin_code */
    assert_int_equal(parse_knobs(&k, &m, err, sizeof err), 0);
    assert_int_equal(fc_tfl_count_ops(m, FC_TFL_CONV_2D), 1);
    fc_tfl_free(m);
    /* DENSIFY (124) written by the builder as deprecated 124 + builtin 124; a code
     * > 127 only exists in builtin_code: 127 in the byte means "look there". */
    k = tb_default_knobs();
    k.op_code = 150; /* GELU */
    k.deprecated_code = 127;
    expect_error(&k, "(builtin code 150) is not supported");
}

static void test_errors(void **state)
{
    (void)state;
    tb_knobs k = tb_default_knobs();
    k.op_code = 18;
    expect_error(&k, "operator 1: MUL (builtin code 18) is not supported");
    k = tb_default_knobs();
    k.dilation = 2;
    expect_error(&k, "operator 1 (CONV_2D): dilation 2x2 not supported");
    k = tb_default_knobs();
    k.act = 4;
    expect_error(&k, "fused activation 4 not supported");
    k = tb_default_knobs();
    k.quantized = 1;
    expect_error(&k, "tensor 'bias': quantized tensors are not supported");
    k = tb_default_knobs();
    k.subgraphs = 2;
    expect_error(&k, "2 subgraphs, only models with exactly one");
    k = tb_default_knobs();
    k.conv_filter = 99;
    expect_error(&k, "operator 1: inputs 1 is tensor 99, out of range (7 tensors)");
    k = tb_default_knobs();
    k.conv_filter = -1;
    expect_error(&k, "filter must be a constant 4-D float tensor");
    k = tb_default_knobs();
    k.conv_input = 5; /* written later by LOGISTIC */
    expect_error(&k, "input tensor 'output' is read before any operator writes it");
}

static void test_magic_and_size(void **state)
{
    (void)state;
    char err[FC_ERRBUF_SIZE];
    fc_tfl_model *m = NULL;
    tb_knobs k = tb_default_knobs();
    size_t n = tb_model(&g_buf, &k);
    memcpy(g_buf.b + 4, "ONNX", 4);
    assert_int_equal(fc_tfl_parse(&m, g_buf.b, n, "x.tflite", err, sizeof err), FC_EMODEL);
    assert_string_equal(err, "x.tflite: not a TFLite model (file identifier 'ONNX', expected 'TFL3')");
    assert_int_equal(fc_tfl_parse(&m, g_buf.b, 5, "x.tflite", err, sizeof err), FC_EMODEL);
    assert_string_equal(err, "x.tflite: 5 bytes is not a plausible TFLite model size");
    assert_null(m);
    memcpy(g_buf.b + 4, "TFL3", 4);
    tb_w32(&g_buf, 0, 0x7ffffff0u); /* root offset far outside */
    assert_int_equal(fc_tfl_parse(&m, g_buf.b, n, "x.tflite", err, sizeof err), FC_EMODEL);
    assert_non_null(strstr(err, "outside the file"));
}

/* Every prefix shorter than the file must fail cleanly (ASan checks the reads). */
static void test_truncated_synthetic(void **state)
{
    (void)state;
    char err[FC_ERRBUF_SIZE];
    tb_knobs k = tb_default_knobs();
    k.sparse = 1;
    size_t n = tb_model(&g_buf, &k);
    for (size_t cut = 0; cut < n; cut++) {
        /* A heap copy of exactly `cut` bytes so ASan sees any overread. */
        uint8_t *p = malloc(cut ? cut : 1);
        fc_tfl_model *m = NULL;
        memcpy(p, g_buf.b, cut);
        int rc = fc_tfl_parse(&m, p, cut, "cut", err, sizeof err);
        /* The tail may hold only padding, so the last few cuts may still parse. */
        if (rc == 0)
            assert_true(cut > n - 8);
        else
            assert_int_equal(rc, FC_EMODEL);
        fc_tfl_free(m);
        free(p);
    }
}

static uint32_t rng(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

/* Flip 1-4 random bytes per iteration: ok or FC_EMODEL, never a crash. Half of
 * the flips land in [hot, n), where the tables are. */
static void flip_many(uint8_t *p, size_t n, int iters, uint32_t seed, size_t hot)
{
    char err[FC_ERRBUF_SIZE];
    int ok = 0, bad = 0;
    for (int it = 0; it < iters; it++) {
        size_t pos[4];
        uint8_t old[4];
        int nf = 1 + (int)(rng(&seed) % 4);
        for (int f = 0; f < nf; f++) {
            pos[f] = (rng(&seed) & 1) ? hot + rng(&seed) % (n - hot) : rng(&seed) % n;
            old[f] = p[pos[f]];
            p[pos[f]] ^= (uint8_t)(1 + rng(&seed) % 255);
        }
        fc_tfl_model *m = NULL;
        int rc = fc_tfl_parse(&m, p, n, "flip", err, sizeof err);
        assert_true(rc == 0 || rc == FC_EMODEL || rc == FC_ENOMEM);
        if (rc == 0)
            assert_non_null(m);
        else
            assert_true(err[0] != 0);
        rc == 0 ? ok++ : bad++;
        fc_tfl_free(m);
        for (int f = nf - 1; f >= 0; f--)
            p[pos[f]] = old[f];
    }
    print_message("flips: %d parsed, %d refused\n", ok, bad);
    assert_true(bad > 0);
}

static void test_flipped_synthetic(void **state)
{
    (void)state;
    tb_knobs k = tb_default_knobs();
    k.sparse = 1;
    size_t n = tb_model(&g_buf, &k);
    uint8_t *p = malloc(n);
    memcpy(p, g_buf.b, n);
    flip_many(p, n, 20000, 0x1234567u, 0);
    free(p);
}

/* ---- the real models (skipped without $FC_MODEL_DIR) ---- */

static uint8_t *read_model(const char *file, size_t *n)
{
    const char *dir = getenv("FC_MODEL_DIR");
    char path[4096];
    FILE *f;
    uint8_t *p = NULL;
    long len;
    if (!dir)
        return NULL;
    snprintf(path, sizeof path, "%s/%s", dir, file);
    if (!(f = fopen(path, "rb")))
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0
        && (p = malloc((size_t)len)) && fread(p, 1, (size_t)len, f) == (size_t)len)
        *n = (size_t)len;
    else {
        free(p);
        p = NULL;
    }
    fclose(f);
    return p;
}

static void test_real_detector_mutations(void **state)
{
    (void)state;
    size_t n = 0;
    uint8_t *p = read_model("pose_detection.tflite", &n);
    if (!p) {
        print_message("SKIP: pose_detection.tflite not found under $FC_MODEL_DIR\n");
        skip();
    }
    static const double cuts[] = {0.0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.999};
    char err[FC_ERRBUF_SIZE];
    for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++) {
        size_t cut = (size_t)(cuts[i] * (double)n) + 8 * (i == 0);
        uint8_t *q = malloc(cut);
        fc_tfl_model *m = NULL;
        memcpy(q, p, cut);
        assert_int_equal(fc_tfl_parse(&m, q, cut, "cut", err, sizeof err), FC_EMODEL);
        assert_null(m);
        free(q);
    }
    fc_tfl_model *m = NULL;
    assert_int_equal(fc_tfl_parse(&m, p, n - 1, "cut", err, sizeof err), FC_EMODEL);
    assert_null(m);
    /* In this file the subgraph, tensor and operator tables fill the last ~37 %
     * (weights come first): aim half of the flips there. */
    flip_many(p, n, 100, 0xbeefu, n / 10 * 6);
    free(p);
}

typedef struct model_facts {
    const char *file;
    int ops[12]; /* DEQUANTIZE CONV DW ADD PAD RESIZE RESHAPE DENSIFY D2S CONCAT MAXPOOL LOGISTIC */
    int in_h;
    int n_out;
} model_facts;

static void test_real_models(void **state)
{
    (void)state;
    static const int codes[12] = {FC_TFL_DEQUANTIZE, FC_TFL_CONV_2D, FC_TFL_DEPTHWISE_CONV_2D, FC_TFL_ADD,
                                  FC_TFL_PAD, FC_TFL_RESIZE_BILINEAR, FC_TFL_RESHAPE, FC_TFL_DENSIFY,
                                  FC_TFL_DEPTH_TO_SPACE, FC_TFL_CONCATENATION, FC_TFL_MAX_POOL_2D,
                                  FC_TFL_LOGISTIC};
    /* The op table of ../shared/notes/blazepose-on-opencv46.md. */
    static const model_facts facts[] = {
        {"pose_detection.tflite", {144, 45, 28, 15, 8, 2, 6, 38, 3, 2, 0, 0}, 224, 2},
        {"pose_landmark_lite.tflite", {176, 54, 34, 25, 5, 5, 3, 0, 0, 0, 2, 1}, 256, 5},
        {"pose_landmark_full.tflite", {192, 58, 38, 28, 5, 5, 3, 0, 0, 0, 2, 1}, 256, 5},
        {"pose_landmark_heavy.tflite", {396, 116, 82, 73, 8, 5, 3, 0, 0, 0, 5, 1}, 256, 5},
    };
    static const int lm_out[5][4] = {{1, 195, 0, 0}, {1, 1, 0, 0}, {1, 256, 256, 1}, {1, 64, 64, 39}, {1, 117, 0, 0}};
    int found = 0;
    for (size_t f = 0; f < sizeof facts / sizeof *facts; f++) {
        size_t n = 0;
        uint8_t *p = read_model(facts[f].file, &n);
        char err[FC_ERRBUF_SIZE];
        fc_tfl_model *m = NULL;
        if (!p)
            continue;
        found++;
        assert_int_equal(fc_tfl_parse(&m, p, n, facts[f].file, err, sizeof err), 0);
        free(p);
        for (int c = 0; c < 12; c++)
            if (fc_tfl_count_ops(m, codes[c]) != facts[f].ops[c])
                fail_msg("%s: %d %s ops, expected %d", facts[f].file, fc_tfl_count_ops(m, codes[c]),
                         fc_tfl_op_name(codes[c]), facts[f].ops[c]);
        const fc_tfl_tensor *in = &m->tensors[m->inputs[0]];
        assert_int_equal(m->n_inputs, 1);
        assert_string_equal(in->name, "input_1");
        assert_int_equal(in->rank, 4);
        assert_int_equal(in->shape[1], facts[f].in_h);
        assert_int_equal(in->shape[2], facts[f].in_h);
        assert_int_equal(in->shape[3], 3);
        assert_int_equal(m->n_outputs, facts[f].n_out);
        for (int o = 0; o < m->n_outputs; o++) {
            const fc_tfl_tensor *t = &m->tensors[m->outputs[o]];
            char name[32];
            snprintf(name, sizeof name, o ? "Identity_%d" : "Identity", o);
            assert_string_equal(t->name, name);
            if (facts[f].n_out == 2) { /* detector: [1,2254,12], [1,2254,1] */
                assert_int_equal(t->rank, 3);
                assert_int_equal(t->shape[1], 2254);
                assert_int_equal(t->shape[2], o ? 1 : 12);
            } else {
                for (int d = 0; d < t->rank; d++)
                    assert_int_equal(t->shape[d], lm_out[o][d]);
                assert_int_equal(t->rank, lm_out[o][2] ? 4 : 2);
            }
        }
        if (facts[f].ops[7]) { /* detector: every sparse weight densified */
            int sparse = 0;
            for (int i = 0; i < m->n_tensors; i++)
                if (m->tensors[i].sparse) {
                    sparse++;
                    assert_non_null(m->tensors[i].f32);
                }
            assert_int_equal(sparse, 38);
        }
        fc_tfl_free(m);
    }
    if (!found) {
        print_message("SKIP: no models under $FC_MODEL_DIR\n");
        skip();
    }
}

static void test_load_errors(void **state)
{
    (void)state;
    char err[FC_ERRBUF_SIZE];
    fc_tfl_model *m = NULL;
    assert_int_equal(fc_tfl_load(&m, "/nonexistent/x.tflite", err, sizeof err), FC_ENOENT);
    assert_non_null(strstr(err, "/nonexistent/x.tflite"));
    assert_int_equal(fc_tfl_load(&m, "/", err, sizeof err), FC_EISDIR);
    assert_null(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_half_to_float),
        cmocka_unit_test(test_synthetic_valid),
        cmocka_unit_test(test_synthetic_sparse),
        cmocka_unit_test(test_all_ops),
        cmocka_unit_test(test_opcode_fields),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_magic_and_size),
        cmocka_unit_test(test_truncated_synthetic),
        cmocka_unit_test(test_flipped_synthetic),
        cmocka_unit_test(test_real_detector_mutations),
        cmocka_unit_test(test_real_models),
        cmocka_unit_test(test_load_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_encode.c - the encoder: frames, sizes, colours and timestamps survive a
 * round trip through a file; errors; nothing left behind. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formcheck/capture.h"
#include "formcheck/encode.h"

#define W 160
#define H 120

static char dir[32];
static uint8_t px[W * H * 3];

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/fc_enc_XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[64];
    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static int entries(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d)))
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

/* Frame i: left half red, right half green, brightness ramps with i. */
static fc_frame make_frame(int i, double t_s)
{
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            uint8_t *p = px + y * W * 3 + x * 3;
            p[0] = 0;
            p[1] = x >= W / 2 ? (uint8_t)(100 + i * 3) : 0;
            p[2] = x < W / 2 ? (uint8_t)(100 + i * 3) : 0;
        }
    return (fc_frame){px, W, H, W * 3, i, t_s, NULL};
}

static void encode_opts(const char *path, const char *codec, int n, const double *times, int bitexact)
{
    fc_encoder_opts o = fc_encoder_default_opts();
    fc_encoder *enc = NULL;
    char err[FC_ERRBUF_SIZE];

    o.width = W;
    o.height = H;
    o.fps_num = 25;
    o.codec = codec;
    o.crf = 18;
    o.bitexact = bitexact;
    assert_int_equal(fc_encoder_open(&enc, path, &o, err, sizeof err), 0);
    if (codec)
        assert_string_equal(fc_encoder_codec(enc), codec);
    for (int i = 0; i < n; i++) {
        fc_frame f = make_frame(i, times ? times[i] : i / 25.0);
        assert_int_equal(fc_encoder_write(enc, &f), 0);
    }
    assert_int_equal(fc_encoder_frames(enc), n);
    assert_int_equal(fc_encoder_close(enc, err, sizeof err), 0);
}

static void encode(const char *path, const char *codec, int n, const double *times)
{
    encode_opts(path, codec, n, times, 0);
}

/* Whole file in a malloc'd buffer; size in *n. */
static char *slurp(const char *path, long *n)
{
    FILE *f = fopen(path, "rb");
    char *buf;

    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *n = ftell(f);
    rewind(f);
    buf = malloc((size_t)*n);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)*n, f), (size_t)*n);
    fclose(f);
    return buf;
}

static int contains(const char *buf, long n, const char *s)
{
    size_t k = strlen(s);
    for (long i = 0; i + (long)k <= n; i++)
        if (!memcmp(buf + i, s, k))
            return 1;
    return 0;
}

/* bitexact: two encodes give the same bytes, with no "Lavf"/"Lavc" version tag
 * (which a default encode does write). */
static void check_bitexact(const char *codec)
{
    char p1[96], p2[96], p3[96], *a, *b, *c;
    long na, nb, nc;

    snprintf(p1, sizeof p1, "%s/x1.mp4", dir);
    snprintf(p2, sizeof p2, "%s/x2.mp4", dir);
    snprintf(p3, sizeof p3, "%s/x3.mp4", dir);
    encode_opts(p1, codec, 12, NULL, 1);
    encode_opts(p2, codec, 12, NULL, 1);
    encode_opts(p3, codec, 12, NULL, 0);
    a = slurp(p1, &na);
    b = slurp(p2, &nb);
    c = slurp(p3, &nc);
    assert_true(na > 1000);
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, (size_t)na);
    assert_false(contains(a, na, "Lavf") || contains(a, na, "Lavc"));
    assert_true(contains(c, nc, "Lavf"));
    free(a);
    free(b);
    free(c);
}

static void test_bitexact_h264(void **state) { (void)state; check_bitexact("libx264"); }
static void test_bitexact_mpeg4(void **state) { (void)state; check_bitexact("mpeg4"); }

static void check_round_trip(const char *codec, const char *ext)
{
    char path[96], err[FC_ERRBUF_SIZE];
    fc_capture_opts co = fc_capture_default_opts();
    fc_capture *cap = NULL;
    fc_frame f;
    int n = 0;

    snprintf(path, sizeof path, "%s/out.%s", dir, ext);
    encode(path, codec, 40, NULL);
    assert_int_equal(entries(), 1); /* no temp file left */
    assert_int_equal(fc_capture_open(&cap, path, &co, err, sizeof err), 0);
    assert_int_equal(fc_capture_get_info(cap)->width, W);
    assert_int_equal(fc_capture_get_info(cap)->height, H);
    while (fc_capture_read(&f, cap) == 0) {
        const uint8_t *l = f.data + 60 * f.stride + 40 * 3, *r = f.data + 60 * f.stride + 120 * 3;
        int want = 100 + n * 3;
        assert_true(fabs(f.t_s - n / 25.0) < 0.002);
        assert_true(abs(l[2] - want) < 20 && l[1] < 30);  /* red left */
        assert_true(abs(r[1] - want) < 20 && r[2] < 30);  /* green right */
        n++;
    }
    assert_int_equal(n, 40);
    fc_capture_free(cap);
    unlink(path);
}

static void test_h264_mp4(void **state) { (void)state; check_round_trip("libx264", "mp4"); }
static void test_mpeg4_mkv(void **state) { (void)state; check_round_trip("mpeg4", "mkv"); }

static void test_variable_times(void **state)
{
    (void)state;
    double t[10] = {0, 0.04, 0.08, 0.2, 0.21, 0.5, 0.5 /* dup: dropped */, 0.9, 1.0, 1.04};
    char path[96], err[FC_ERRBUF_SIZE];
    fc_encoder_opts o = fc_encoder_default_opts();
    fc_encoder *enc = NULL;
    fc_capture_opts co = fc_capture_default_opts();
    fc_capture *cap = NULL;
    fc_frame f;
    int n = 0;

    snprintf(path, sizeof path, "%s/vfr.mkv", dir);
    o.width = W;
    o.height = H;
    o.fps_num = 25;
    assert_int_equal(fc_encoder_open(&enc, path, &o, err, sizeof err), 0);
    for (int i = 0; i < 10; i++) {
        fc_frame fr = make_frame(i, t[i]);
        assert_int_equal(fc_encoder_write(enc, &fr), 0);
    }
    assert_int_equal(fc_encoder_frames(enc), 9);
    assert_int_equal(fc_encoder_close(enc, err, sizeof err), 0);
    assert_int_equal(fc_capture_open(&cap, path, &co, err, sizeof err), 0);
    while (fc_capture_read(&f, cap) == 0) {
        double want = t[n < 6 ? n : n + 1];
        if (fabs(f.t_s - want) > 0.002)
            fail_msg("frame %d at %.4f s, expected %.4f", n, f.t_s, want);
        n++;
    }
    assert_int_equal(n, 9);
    fc_capture_free(cap);
}

static void test_errors_and_abandon(void **state)
{
    (void)state;
    char path[96], err[FC_ERRBUF_SIZE];
    fc_encoder_opts o = fc_encoder_default_opts();
    fc_encoder *enc = NULL;
    fc_frame f;

    o.width = W;
    o.height = H;
    snprintf(path, sizeof path, "%s/a.mp4", dir);
    encode(path, NULL, 3, NULL);
    assert_int_equal(fc_encoder_open(&enc, path, &o, err, sizeof err), FC_EEXIST);
    assert_non_null(strstr(err, path));
    assert_int_equal(fc_encoder_open(&enc, "/nonexistent-dir/a.mp4", &o, err, sizeof err), FC_ENOENT);
    assert_non_null(strstr(err, "/nonexistent-dir/a.mp4"));
    assert_int_equal(fc_encoder_open(&enc, dir, &o, err, sizeof err), FC_EISDIR);
    snprintf(path, sizeof path, "%s/a.unknownext", dir);
    assert_int_equal(fc_encoder_open(&enc, path, &o, err, sizeof err), FC_EINVAL);
    o.codec = "no-such-encoder";
    snprintf(path, sizeof path, "%s/b.mp4", dir);
    assert_int_equal(fc_encoder_open(&enc, path, &o, err, sizeof err), FC_ECODEC);
    o.codec = NULL;
    o.width = 0;
    assert_int_equal(fc_encoder_open(&enc, path, &o, err, sizeof err), FC_EINVAL);

    /* Abandoned mid-way: nothing under either name. */
    o.width = W;
    assert_int_equal(fc_encoder_open(&enc, path, &o, err, sizeof err), 0);
    f = make_frame(0, 0);
    assert_int_equal(fc_encoder_write(enc, &f), 0);
    f.width = W / 2; /* wrong size */
    assert_int_equal(fc_encoder_write(enc, &f), FC_EINVAL);
    fc_encoder_free(enc);
    assert_int_equal(entries(), 1); /* only a.mp4 */
    fc_encoder_free(NULL);
}

/* A device node or FIFO as the target is refused, even with force, and stays
 * what it was: renaming the finished file over it would replace the node. */
static void test_special_targets(void **state)
{
    (void)state;
    char fifo[96], link[96], late[96], err[FC_ERRBUF_SIZE];
    fc_encoder_opts o = fc_encoder_default_opts();
    fc_encoder *enc = NULL;
    struct stat st;
    o.width = W;
    o.height = H;
    o.force = 1;
    snprintf(fifo, sizeof fifo, "%s/fifo.mp4", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_int_equal(fc_encoder_open(&enc, fifo, &o, err, sizeof err), FC_EINVAL);
    assert_null(enc);
    assert_non_null(strstr(err, fifo));
    assert_non_null(strstr(err, "not a regular file"));
    /* A name with a video extension for /dev/null (the container comes from it). */
    snprintf(link, sizeof link, "%s/null.mp4", dir);
    assert_int_equal(symlink("/dev/null", link), 0);
    assert_int_equal(fc_encoder_open(&enc, link, &o, err, sizeof err), FC_EINVAL);
    assert_int_equal(fc_encoder_check_target(link, 1, err, sizeof err), FC_EINVAL);
    assert_non_null(strstr(err, link));
    assert_int_equal(stat("/dev/null", &st), 0);
    assert_true(S_ISCHR(st.st_mode));
    /* The FIFO appears while the video is written: close refuses, the FIFO stays,
     * the temp file goes. */
    snprintf(late, sizeof late, "%s/late.mp4", dir);
    assert_int_equal(fc_encoder_check_target(late, 0, err, sizeof err), 0);
    assert_int_equal(fc_encoder_open(&enc, late, &o, err, sizeof err), 0);
    fc_frame f = make_frame(0, 0);
    assert_int_equal(fc_encoder_write(enc, &f), 0);
    assert_int_equal(mkfifo(late, 0600), 0);
    assert_int_equal(fc_encoder_close(enc, err, sizeof err), FC_EINVAL);
    assert_non_null(strstr(err, late));
    assert_int_equal(lstat(late, &st), 0);
    assert_true(S_ISFIFO(st.st_mode));
    assert_int_equal(lstat(fifo, &st), 0);
    assert_true(S_ISFIFO(st.st_mode));
    assert_int_equal(entries(), 3); /* fifo.mp4, null.mp4, late.mp4: no temp file */
    /* A regular file is still replaced with force, and refused without. */
    char reg[96];
    snprintf(reg, sizeof reg, "%s/reg.mp4", dir);
    FILE *fp = fopen(reg, "w");
    assert_non_null(fp);
    fclose(fp);
    assert_int_equal(fc_encoder_check_target(reg, 1, err, sizeof err), 0);
    assert_int_equal(fc_encoder_check_target(reg, 0, err, sizeof err), FC_EEXIST);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_h264_mp4, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mpeg4_mkv, setup, teardown),
        cmocka_unit_test_setup_teardown(test_variable_times, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bitexact_h264, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bitexact_mpeg4, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors_and_abandon, setup, teardown),
        cmocka_unit_test_setup_teardown(test_special_targets, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

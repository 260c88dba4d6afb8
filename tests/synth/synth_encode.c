/* synth_encode.c - encode rendered frames: a whole clip through fc_encoder
 * (formcheck/encode.h) and single PNG frames with libavcodec. */
#define _POSIX_C_SOURCE 200809L
#include <libavcodec/avcodec.h>
#include <libavutil/rational.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "formcheck/atomicfile.h"
#include "formcheck/encode.h"
#include "formcheck/error.h"
#include "synth_render.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int av_fail(char *err, size_t errsz, int code, const char *path, const char *what, int averr)
{
    char buf[AV_ERROR_MAX_STRING_SIZE] = "";
    av_strerror(averr, buf, sizeof buf);
    return fc_set_error(err, errsz, code, "%s: %s: %s", path, what, buf);
}

/* Encoded by the library's fc_encoder with one thread and bitexact on, so the
 * bytes depend only on the scenario; "medium" keeps the committed clips small. */
int fc_synth_render_video(const char *path, const fc_synth_scenario *sc, const fc_synth_render_opts *o,
                          fc_synth_render_stats *stats, char *err, size_t errsz)
{
    fc_synth_renderer *r = NULL;
    fc_encoder_opts eo = fc_encoder_default_opts();
    fc_encoder *enc = NULL;
    AVRational fps = av_d2q(sc->cam.fps, 100000);
    fc_frame f = {NULL, sc->cam.width, sc->cam.height, 3 * sc->cam.width, 0, 0, NULL};
    int64_t n = fc_synth_frame_count(sc);
    double t0 = now_s(), t_render = 0;
    int rc;

    memset(stats, 0, sizeof *stats);
    if ((rc = fc_synth_renderer_create(&r, sc, o, err, errsz)) < 0)
        return rc;
    if (!(f.data = malloc((size_t)f.stride * f.height))) {
        rc = fc_set_error(err, errsz, FC_ENOMEM, "%s: out of memory", path);
        goto end;
    }
    eo.width = f.width;
    eo.height = f.height;
    eo.fps_num = fps.num;
    eo.fps_den = fps.den;
    eo.crf = o->crf;
    eo.preset = "medium";
    eo.force = 1;
    eo.use_timestamps = 0;
    eo.bitexact = 1;
    if ((rc = fc_encoder_open(&enc, path, &eo, err, errsz)) < 0)
        goto end;
    snprintf(stats->codec, sizeof stats->codec, "%s", fc_encoder_codec(enc));
    for (f.index = 0; f.index < n; f.index++) {
        double t1 = now_s();
        fc_synth_render_frame(r, f.data, f.stride, f.index);
        t_render += now_s() - t1;
        if ((rc = fc_encoder_write(enc, &f)) < 0) {
            rc = fc_set_error(err, errsz, rc, "%s: cannot encode frame %lld: %s", path, (long long)f.index,
                              fc_strerror(rc));
            goto end;
        }
    }
    rc = fc_encoder_close(enc, err, errsz);
    enc = NULL;
    if (rc < 0)
        goto end;
    stats->frames = n;
    stats->render_fps = t_render > 0 ? n / t_render : 0;
    stats->total_fps = n / fmax(now_s() - t0, 1e-9);
end:
    fc_encoder_free(enc);
    free(f.data);
    fc_synth_renderer_free(r);
    return rc;
}

int fc_synth_render_png(const char *path, const fc_synth_scenario *sc, const fc_synth_render_opts *o,
                        int64_t frame, char *err, size_t errsz)
{
    fc_synth_renderer *r = NULL;
    const AVCodec *codec = avcodec_find_encoder(AV_CODEC_ID_PNG);
    AVCodecContext *ctx = NULL;
    AVFrame *fr = NULL;
    AVPacket *pkt = av_packet_alloc();
    fc_atomic_file *af = NULL;
    uint8_t *bgr = NULL;
    int rc, w = sc->cam.width, h = sc->cam.height;

    if (frame < 0 || frame >= fc_synth_frame_count(sc)) {
        rc = fc_set_error(err, errsz, FC_EINVAL, "%s: frame %lld is outside the clip", path, (long long)frame);
        goto end;
    }
    if (!codec || !pkt) {
        rc = fc_set_error(err, errsz, FC_ECODEC, "%s: no PNG encoder", path);
        goto end;
    }
    if ((rc = fc_synth_renderer_create(&r, sc, o, err, errsz)) < 0)
        goto end;
    if (!(bgr = malloc((size_t)3 * w * h)) || !(ctx = avcodec_alloc_context3(codec)) || !(fr = av_frame_alloc())) {
        rc = fc_set_error(err, errsz, FC_ENOMEM, "%s: out of memory", path);
        goto end;
    }
    fc_synth_render_frame(r, bgr, 3 * w, frame);
    ctx->width = w;
    ctx->height = h;
    ctx->pix_fmt = AV_PIX_FMT_RGB24;
    ctx->time_base = (AVRational){1, 25};
    fr->format = AV_PIX_FMT_RGB24;
    fr->width = w;
    fr->height = h;
    if ((rc = avcodec_open2(ctx, codec, NULL)) < 0 || (rc = av_frame_get_buffer(fr, 0)) < 0) {
        rc = av_fail(err, errsz, FC_ECODEC, path, "png", rc);
        goto end;
    }
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            for (int c = 0; c < 3; c++)
                fr->data[0][y * fr->linesize[0] + 3 * x + c] = bgr[3 * (y * w + x) + 2 - c];
    if ((rc = avcodec_send_frame(ctx, fr)) < 0 || (rc = avcodec_send_frame(ctx, NULL)) < 0 ||
        (rc = avcodec_receive_packet(ctx, pkt)) < 0) {
        rc = av_fail(err, errsz, FC_ECODEC, path, "png", rc);
        goto end;
    }
    if ((rc = fc_atomic_open(&af, path, FC_ATOMIC_FORCE, err, errsz)) < 0)
        goto end;
    if (fwrite(pkt->data, 1, (size_t)pkt->size, fc_atomic_stream(af)) != (size_t)pkt->size) {
        fc_atomic_abort(af);
        rc = fc_set_error(err, errsz, FC_EIO, "%s: write failed", path);
        goto end;
    }
    rc = fc_atomic_commit(af, err, errsz);
end:
    av_packet_free(&pkt);
    av_frame_free(&fr);
    avcodec_free_context(&ctx);
    free(bgr);
    fc_synth_renderer_free(r);
    return rc;
}

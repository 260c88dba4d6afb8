/* synth_encode.c - encode rendered frames with libavcodec: an mp4 (H.264 via
 * libx264 with fixed parameters and one thread, so the bytes depend only on the
 * scenario; MPEG-4 part 2 otherwise) and single PNG frames. */
#define _POSIX_C_SOURCE 200809L
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "formcheck/atomicfile.h"
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

typedef struct enc {
    AVFormatContext *fmt;
    AVCodecContext *ctx;
    AVStream *st;
    AVFrame *frame;
    AVPacket *pkt;
    struct SwsContext *sws;
} enc;

static int drain(enc *e, int flush, const char *path, char *err, size_t errsz)
{
    int ret = avcodec_send_frame(e->ctx, flush ? NULL : e->frame);
    if (ret < 0)
        return av_fail(err, errsz, FC_ECODEC, path, "encode", ret);
    for (;;) {
        ret = avcodec_receive_packet(e->ctx, e->pkt);
        if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
            return 0;
        if (ret < 0)
            return av_fail(err, errsz, FC_ECODEC, path, "encode", ret);
        av_packet_rescale_ts(e->pkt, e->ctx->time_base, e->st->time_base);
        e->pkt->stream_index = e->st->index;
        if ((ret = av_interleaved_write_frame(e->fmt, e->pkt)) < 0)
            return av_fail(err, errsz, FC_EIO, path, "write", ret);
    }
}

static int open_encoder(enc *e, const char *tmp, const char *path, const fc_synth_scenario *sc,
                        const fc_synth_render_opts *o, char *codec_name, char *err, size_t errsz)
{
    const AVCodec *codec = avcodec_find_encoder_by_name("libx264");
    AVRational fps = av_d2q(sc->cam.fps, 100000);
    int ret, x264 = codec != NULL;
    char crf[16];

    if (!codec)
        codec = avcodec_find_encoder(AV_CODEC_ID_MPEG4);
    if (!codec)
        return fc_set_error(err, errsz, FC_ECODEC, "%s: no H.264 or MPEG-4 encoder in this FFmpeg", path);
    snprintf(codec_name, 32, "%s", codec->name);
    if ((ret = avformat_alloc_output_context2(&e->fmt, NULL, "mp4", tmp)) < 0)
        return av_fail(err, errsz, FC_EFORMAT, path, "mp4 muxer", ret);
    e->fmt->flags |= AVFMT_FLAG_BITEXACT;
    if (!(e->st = avformat_new_stream(e->fmt, NULL)) || !(e->ctx = avcodec_alloc_context3(codec)) ||
        !(e->frame = av_frame_alloc()) || !(e->pkt = av_packet_alloc()))
        return fc_set_error(err, errsz, FC_ENOMEM, "%s: out of memory", path);
    e->ctx->width = sc->cam.width;
    e->ctx->height = sc->cam.height;
    e->ctx->pix_fmt = AV_PIX_FMT_YUV420P;
    e->ctx->time_base = av_inv_q(fps);
    e->ctx->framerate = fps;
    e->ctx->gop_size = 60;
    e->ctx->thread_count = 1;
    e->ctx->flags |= AV_CODEC_FLAG_BITEXACT;
    if (e->fmt->oformat->flags & AVFMT_GLOBALHEADER)
        e->ctx->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    if (x264) {
        snprintf(crf, sizeof crf, "%d", o->crf);
        av_opt_set(e->ctx->priv_data, "preset", "medium", 0);
        av_opt_set(e->ctx->priv_data, "crf", crf, 0);
        av_opt_set(e->ctx->priv_data, "x264-params", "threads=1:lookahead-threads=1:sliced-threads=0", 0);
    } else {
        e->ctx->bit_rate = 900000;
        e->ctx->max_b_frames = 0;
    }
    if ((ret = avcodec_open2(e->ctx, codec, NULL)) < 0)
        return av_fail(err, errsz, FC_ECODEC, path, codec->name, ret);
    if ((ret = avcodec_parameters_from_context(e->st->codecpar, e->ctx)) < 0)
        return av_fail(err, errsz, FC_ECODEC, path, "parameters", ret);
    e->st->time_base = e->ctx->time_base;
    e->st->avg_frame_rate = fps;
    e->frame->format = AV_PIX_FMT_YUV420P;
    e->frame->width = sc->cam.width;
    e->frame->height = sc->cam.height;
    if ((ret = av_frame_get_buffer(e->frame, 0)) < 0)
        return av_fail(err, errsz, FC_ENOMEM, path, "frame", ret);
    e->sws = sws_getContext(sc->cam.width, sc->cam.height, AV_PIX_FMT_BGR24, sc->cam.width, sc->cam.height,
                            AV_PIX_FMT_YUV420P, SWS_BILINEAR | SWS_BITEXACT | SWS_ACCURATE_RND, NULL, NULL, NULL);
    if (!e->sws)
        return fc_set_error(err, errsz, FC_ECODEC, "%s: no BGR24 -> YUV420P converter", path);
    if ((ret = avio_open(&e->fmt->pb, tmp, AVIO_FLAG_WRITE)) < 0)
        return av_fail(err, errsz, FC_EIO, tmp, "open", ret);
    if ((ret = avformat_write_header(e->fmt, NULL)) < 0)
        return av_fail(err, errsz, FC_EIO, path, "header", ret);
    return 0;
}

static void close_encoder(enc *e)
{
    if (e->fmt && e->fmt->pb)
        avio_closep(&e->fmt->pb);
    avformat_free_context(e->fmt);
    avcodec_free_context(&e->ctx);
    av_frame_free(&e->frame);
    av_packet_free(&e->pkt);
    sws_freeContext(e->sws);
}

int fc_synth_render_video(const char *path, const fc_synth_scenario *sc, const fc_synth_render_opts *o,
                          fc_synth_render_stats *stats, char *err, size_t errsz)
{
    fc_synth_renderer *r = NULL;
    enc e = {0};
    uint8_t *bgr = NULL;
    char tmp[4096];
    int64_t n = fc_synth_frame_count(sc);
    double t0 = now_s(), t_render = 0;
    int rc, stride = 3 * sc->cam.width;

    memset(stats, 0, sizeof *stats);
    if (snprintf(tmp, sizeof tmp, "%s.tmp%ld.mp4", path, (long)getpid()) >= (int)sizeof tmp)
        return fc_set_error(err, errsz, FC_EINVAL, "%s: path too long", path);
    if ((rc = fc_synth_renderer_create(&r, sc, o, err, errsz)) < 0)
        return rc;
    if (!(bgr = malloc((size_t)stride * sc->cam.height))) {
        rc = fc_set_error(err, errsz, FC_ENOMEM, "%s: out of memory", path);
        goto end;
    }
    if ((rc = open_encoder(&e, tmp, path, sc, o, stats->codec, err, errsz)) < 0)
        goto end;
    for (int64_t i = 0; i < n; i++) {
        const uint8_t *src[1] = {bgr};
        int ss[1] = {stride};
        double t1 = now_s();
        fc_synth_render_frame(r, bgr, stride, i);
        t_render += now_s() - t1;
        if ((rc = av_frame_make_writable(e.frame)) < 0) {
            rc = av_fail(err, errsz, FC_ENOMEM, path, "frame", rc);
            goto end;
        }
        sws_scale(e.sws, src, ss, 0, sc->cam.height, e.frame->data, e.frame->linesize);
        e.frame->pts = i;
        if ((rc = drain(&e, 0, path, err, errsz)) < 0)
            goto end;
    }
    if ((rc = drain(&e, 1, path, err, errsz)) < 0)
        goto end;
    if ((rc = av_write_trailer(e.fmt)) < 0) {
        rc = av_fail(err, errsz, FC_EIO, path, "trailer", rc);
        goto end;
    }
    if ((rc = avio_closep(&e.fmt->pb)) < 0) {
        rc = av_fail(err, errsz, FC_EIO, path, "close", rc);
        goto end;
    }
    if (rename(tmp, path) != 0) {
        rc = fc_set_error(err, errsz, FC_EIO, "%s: cannot rename the temporary file into place", path);
        goto end;
    }
    stats->frames = n;
    stats->render_fps = t_render > 0 ? n / t_render : 0;
    stats->total_fps = n / fmax(now_s() - t0, 1e-9);
    rc = 0;
end:
    close_encoder(&e);
    if (rc < 0)
        unlink(tmp);
    free(bgr);
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

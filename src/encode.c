/* encode.c - BGR frames to H.264/MPEG-4 with libavcodec (see formcheck/encode.h). */
#define _POSIX_C_SOURCE 200809L
#include "formcheck/encode.h"

#include <errno.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct fc_encoder {
    fc_encoder_opts o;
    AVFormatContext *fmt;
    AVCodecContext *cc;
    AVStream *st;
    AVFrame *yuv;
    AVPacket *pkt;
    struct SwsContext *sws;
    char *path, *tmp;
    long long frames, dropped;
    int64_t last_pts;
};

fc_encoder_opts fc_encoder_default_opts(void)
{
    fc_encoder_opts o;

    memset(&o, 0, sizeof o);
    o.fps_num = 30;
    o.fps_den = 1;
    o.crf = 23;
    o.preset = "veryfast";
    o.threads = 1;
    o.use_timestamps = 1;
    return o;
}

/* AVERROR -> FC_E*, with the message naming the file. */
static int av_fail(char *err, size_t errsz, int averr, const char *path, const char *what)
{
    char buf[AV_ERROR_MAX_STRING_SIZE];
    int code = FC_EIO;

    av_strerror(averr, buf, sizeof buf);
    if (averr == AVERROR(ENOSPC))
        code = FC_ENOSPC;
    else if (averr == AVERROR(EACCES) || averr == AVERROR(EPERM) || averr == AVERROR(EROFS))
        code = FC_EACCES;
    else if (averr == AVERROR(ENOENT))
        code = FC_ENOENT;
    else if (averr == AVERROR(ENOMEM))
        code = FC_ENOMEM;
    return fc_set_error(err, errsz, code, "%s: %s: %s", path, what, buf);
}

static const AVCodec *pick_codec(const char *name)
{
    if (name)
        return avcodec_find_encoder_by_name(name);
    const AVCodec *c = avcodec_find_encoder_by_name("libx264");
    return c ? c : avcodec_find_encoder(AV_CODEC_ID_MPEG4);
}

static int setup_codec(fc_encoder *e, const AVCodec *codec, char *err, size_t errsz)
{
    AVDictionary *d = NULL;
    char crf[16];
    int ret;

    e->cc = avcodec_alloc_context3(codec);
    if (!e->cc)
        return fc_set_error(err, errsz, FC_ENOMEM, "%s: out of memory", e->path);
    e->cc->width = e->o.width & ~1;
    e->cc->height = e->o.height & ~1;
    e->cc->pix_fmt = AV_PIX_FMT_YUV420P;
    /* A fine time base keeps the source's (possibly variable) timestamps. */
    e->cc->time_base = (AVRational){e->o.fps_den, e->o.fps_num * 1000};
    e->cc->framerate = (AVRational){e->o.fps_num, e->o.fps_den};
    e->cc->gop_size = 2 * e->o.fps_num / (e->o.fps_den > 0 ? e->o.fps_den : 1);
    e->cc->thread_count = e->o.threads;
    if (e->o.bitexact)
        e->cc->flags |= AV_CODEC_FLAG_BITEXACT; /* no "Lavc" version in MPEG-4 user data */
    if (e->fmt->oformat->flags & AVFMT_GLOBALHEADER)
        e->cc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    if (codec->id == AV_CODEC_ID_H264) {
        snprintf(crf, sizeof crf, "%d", e->o.crf);
        av_dict_set(&d, "crf", crf, 0);
        av_dict_set(&d, "preset", e->o.preset ? e->o.preset : "veryfast", 0);
    } else {
        e->cc->flags |= AV_CODEC_FLAG_QSCALE;
        e->cc->global_quality = FF_QP2LAMBDA * (2 + e->o.crf / 8);
    }
    ret = avcodec_open2(e->cc, codec, &d);
    av_dict_free(&d);
    if (ret < 0)
        return av_fail(err, errsz, ret, e->path, "cannot open encoder");
    return FC_OK;
}

int fc_encoder_check_target(const char *path, int force, char *err, size_t errsz)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return FC_OK;
    if (S_ISDIR(st.st_mode))
        return fc_set_error(err, errsz, FC_EISDIR, "%s: is a directory", path);
    /* Renaming the finished file over a device node or a FIFO would replace the
     * node itself (as root, /dev/null would become a regular file); writing into
     * it in place does not work either: MP4 needs to seek back for its index and
     * the container is chosen from the file name. */
    if (!S_ISREG(st.st_mode))
        return fc_set_error(err, errsz, FC_EINVAL, "%s: not a regular file (a device or FIFO); a video needs a file",
                            path);
    if (!force)
        return fc_set_error(err, errsz, FC_EEXIST, "%s: already exists (use --force to replace it)", path);
    return FC_OK;
}

int fc_encoder_open(fc_encoder **out, const char *path, const fc_encoder_opts *opts, char *err, size_t errsz)
{
    fc_encoder *e = NULL;
    const AVOutputFormat *of;
    const AVCodec *codec;
    size_t n;
    int rc = FC_OK, ret;

    if (!out || !path || !opts)
        return FC_EINVAL;
    *out = NULL;
    if (opts->width < 2 || opts->height < 2 || opts->width > 16384 || opts->height > 16384 || opts->fps_num <= 0 ||
        opts->fps_den <= 0 || opts->fps_num / opts->fps_den > 1000)
        return fc_set_error(err, errsz, FC_EINVAL, "%s: invalid video size or frame rate", path);
    if ((rc = fc_encoder_check_target(path, opts->force, err, errsz)) < 0)
        return rc;
    of = av_guess_format(NULL, path, NULL);
    if (!of)
        return fc_set_error(err, errsz, FC_EINVAL, "%s: unknown video container (use .mp4, .mkv or .avi)", path);
    codec = pick_codec(opts->codec);
    if (!codec)
        return fc_set_error(err, errsz, FC_ECODEC, "%s: no encoder '%s' in this FFmpeg", path,
                            opts->codec ? opts->codec : "libx264/mpeg4");
    e = calloc(1, sizeof *e);
    if (!e)
        return fc_set_error(err, errsz, FC_ENOMEM, "%s: out of memory", path);
    e->o = *opts;
    e->last_pts = INT64_MIN;
    n = strlen(path);
    e->path = strdup(path);
    e->tmp = malloc(n + 32);
    if (!e->path || !e->tmp) {
        rc = fc_set_error(err, errsz, FC_ENOMEM, "%s: out of memory", path);
        goto end;
    }
    snprintf(e->tmp, n + 32, "%s.tmp.%ld", path, (long)getpid());
    ret = avformat_alloc_output_context2(&e->fmt, of, NULL, e->tmp);
    if (ret < 0) {
        rc = av_fail(err, errsz, ret, path, "cannot set up the container");
        goto end;
    }
    if (opts->bitexact)
        e->fmt->flags |= AVFMT_FLAG_BITEXACT; /* no "Lavf" encoder tag in the container */
    rc = setup_codec(e, codec, err, errsz);
    if (rc < 0)
        goto end;
    e->st = avformat_new_stream(e->fmt, NULL);
    e->yuv = av_frame_alloc();
    e->pkt = av_packet_alloc();
    if (!e->st || !e->yuv || !e->pkt) {
        rc = fc_set_error(err, errsz, FC_ENOMEM, "%s: out of memory", path);
        goto end;
    }
    e->st->time_base = e->cc->time_base;
    e->st->avg_frame_rate = e->cc->framerate;
    avcodec_parameters_from_context(e->st->codecpar, e->cc);
    e->yuv->format = AV_PIX_FMT_YUV420P;
    e->yuv->width = e->cc->width;
    e->yuv->height = e->cc->height;
    if ((ret = av_frame_get_buffer(e->yuv, 0)) < 0) {
        rc = av_fail(err, errsz, ret, path, "cannot allocate a frame");
        goto end;
    }
    e->sws = sws_getContext(e->cc->width, e->cc->height, AV_PIX_FMT_BGR24, e->cc->width, e->cc->height,
                            AV_PIX_FMT_YUV420P,
                            SWS_BILINEAR | (opts->bitexact ? SWS_BITEXACT | SWS_ACCURATE_RND : 0), NULL, NULL,
                            NULL);
    if (!e->sws) {
        rc = fc_set_error(err, errsz, FC_ENOMEM, "%s: cannot set up colour conversion", path);
        goto end;
    }
    if ((ret = avio_open(&e->fmt->pb, e->tmp, AVIO_FLAG_WRITE)) < 0) {
        rc = av_fail(err, errsz, ret, path, "cannot create file");
        goto end;
    }
    if ((ret = avformat_write_header(e->fmt, NULL)) < 0) {
        rc = av_fail(err, errsz, ret, path, "cannot write the header");
        goto end;
    }
end:
    if (rc < 0) {
        fc_encoder_free(e);
        return rc;
    }
    *out = e;
    return FC_OK;
}

/* Send one frame (or NULL to flush) and write every packet that comes out. */
static int encode_send(fc_encoder *e, AVFrame *f)
{
    int ret = avcodec_send_frame(e->cc, f);

    while (ret >= 0) {
        ret = avcodec_receive_packet(e->cc, e->pkt);
        if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
            return 0;
        if (ret < 0)
            break;
        av_packet_rescale_ts(e->pkt, e->cc->time_base, e->st->time_base);
        e->pkt->stream_index = e->st->index;
        ret = av_interleaved_write_frame(e->fmt, e->pkt);
    }
    return ret;
}

int fc_encoder_write(fc_encoder *enc, const fc_frame *frame)
{
    const uint8_t *src[1];
    int src_stride[1], ret;
    int64_t pts;

    if (!enc || !frame || !frame->data || frame->width != enc->o.width || frame->height != enc->o.height)
        return FC_EINVAL;
    if (enc->o.use_timestamps)
        pts = (int64_t)(frame->t_s * enc->cc->time_base.den / enc->cc->time_base.num + 0.5);
    else
        pts = enc->frames * (int64_t)enc->cc->time_base.den * enc->o.fps_den / enc->o.fps_num /
              enc->cc->time_base.num;
    if (pts <= enc->last_pts) {
        enc->dropped++;
        return FC_OK;
    }
    if ((ret = av_frame_make_writable(enc->yuv)) < 0)
        return FC_ENOMEM;
    src[0] = frame->data;
    src_stride[0] = frame->stride;
    sws_scale(enc->sws, src, src_stride, 0, enc->cc->height, enc->yuv->data, enc->yuv->linesize);
    enc->yuv->pts = pts;
    ret = encode_send(enc, enc->yuv);
    if (ret < 0)
        return ret == AVERROR(ENOSPC) ? FC_ENOSPC : FC_EIO;
    enc->last_pts = pts;
    enc->frames++;
    return FC_OK;
}

long long fc_encoder_frames(const fc_encoder *enc)
{
    return enc ? enc->frames : 0;
}

const char *fc_encoder_codec(const fc_encoder *enc)
{
    return enc ? enc->cc->codec->name : "";
}

int fc_encoder_close(fc_encoder *enc, char *err, size_t errsz)
{
    int rc = FC_OK, ret;

    if (!enc)
        return FC_EINVAL;
    ret = encode_send(enc, NULL);
    if (ret >= 0)
        ret = av_write_trailer(enc->fmt);
    if (ret >= 0)
        ret = avio_closep(&enc->fmt->pb);
    if (ret < 0) {
        rc = av_fail(err, errsz, ret, enc->path, "cannot finish the video");
        goto end;
    }
    if (!enc->o.force && link(enc->tmp, enc->path) != 0) {
        int e = errno;
        rc = fc_set_error(err, errsz, e == EEXIST ? FC_EEXIST : fc_error_from_errno(e), "%s: %s", enc->path,
                          e == EEXIST ? "already exists (use --force to replace it)" : strerror(e));
        goto end;
    }
    /* The target may have become a device or FIFO meanwhile: never rename over one. */
    if (enc->o.force && (rc = fc_encoder_check_target(enc->path, 1, err, errsz)) < 0)
        goto end;
    if (enc->o.force && rename(enc->tmp, enc->path) != 0) {
        int e = errno;
        rc = fc_set_error(err, errsz, fc_error_from_errno(e), "%s: %s", enc->path, strerror(e));
        goto end;
    }
end:
    fc_encoder_free(enc); /* removes the temp name (a hard link, or nothing after rename) */
    return rc;
}

void fc_encoder_free(fc_encoder *enc)
{
    if (!enc)
        return;
    if (enc->fmt) {
        if (enc->fmt->pb)
            avio_closep(&enc->fmt->pb);
        avformat_free_context(enc->fmt);
    }
    if (enc->tmp)
        unlink(enc->tmp);
    avcodec_free_context(&enc->cc);
    av_frame_free(&enc->yuv);
    av_packet_free(&enc->pkt);
    sws_freeContext(enc->sws);
    free(enc->tmp);
    free(enc->path);
    free(enc);
}

/* capture_record.c - recording sink of the capture stage (see capture_record.h). */
#define _POSIX_C_SOURCE 200809L
#include "capture_record.h"

#include <errno.h>
#include <libavutil/display.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct fc_rec {
    AVFormatContext *oc;
    AVStream *st;
    AVCodecContext *enc;     /* NULL when remuxing */
    AVFrame *yuv;            /* encoder input when a conversion is needed, reused */
    struct SwsContext *sws;
    int sws_w, sws_h, sws_fmt;
    AVPacket *pkt;           /* reused for copies and encoder output */
    AVRational in_tb;
    int64_t first_ts;        /* remux: input ts of the first packet (the file starts at 0) */
    int64_t last_dts;        /* in the output time base, to keep dts increasing */
    int64_t last_pts_ms;     /* encode: last pts given to the encoder */
    int64_t frames;
    int header_written;
    const char *path;
    fc_log_fn log;
    void *log_user;
};

static int map_averror(int ret)
{
    if (ret == AVERROR(ENOMEM))
        return FC_ENOMEM;
    if (ret < 0 && ret > -4096) /* AVERROR(errno) */
        return fc_error_from_errno(AVUNERROR(ret));
    return FC_EIO;
}

static int rec_fail(fc_rec *r, char *err, size_t errsz, int ret, const char *what)
{
    char msg[AV_ERROR_MAX_STRING_SIZE];

    av_strerror(ret, msg, sizeof msg);
    return fc_set_error(err, errsz, map_averror(ret), "%s: recording: %s: %s", r->path, what, msg);
}

/* libx264 if present (small files, plays everywhere), else FFmpeg's own MPEG-4. */
static const AVCodec *pick_encoder(const AVOutputFormat *of)
{
    const AVCodec *c = avcodec_find_encoder_by_name("libx264");

    if (c && avformat_query_codec(of, c->id, FF_COMPLIANCE_NORMAL) == 1)
        return c;
    c = avcodec_find_encoder(AV_CODEC_ID_MPEG4);
    if (c && avformat_query_codec(of, c->id, FF_COMPLIANCE_NORMAL) == 1)
        return c;
    return NULL;
}

static int open_encoder(fc_rec *r, const AVStream *in, double fps, char *err, size_t errsz)
{
    const AVCodec *codec = pick_encoder(r->oc->oformat);
    AVCodecContext *enc;
    int ret;

    if (!codec)
        return fc_set_error(err, errsz, FC_ECODEC, "%s: recording: no video encoder for this container",
                            r->path);
    enc = r->enc = avcodec_alloc_context3(codec);
    if (!enc)
        return fc_set_error(err, errsz, FC_ENOMEM, "%s: recording: out of memory", r->path);
    /* yuv420p needs even sizes; drop the odd last row/column. */
    enc->width = in->codecpar->width & ~1;
    enc->height = in->codecpar->height & ~1;
    enc->pix_fmt = AV_PIX_FMT_YUV420P;
    enc->time_base = (AVRational){1, 1000}; /* ms: keeps a variable device rate exact */
    enc->framerate = av_d2q(fps > 0 ? fps : 30, 1000);
    enc->gop_size = (int)lrint(fps > 0 ? fps : 30); /* a key frame (and fragment) per second */
    enc->max_b_frames = 0;                          /* live: no reordering delay */
    if (r->oc->oformat->flags & AVFMT_GLOBALHEADER)
        enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    if (codec->id == AV_CODEC_ID_H264) {
        av_opt_set(enc->priv_data, "preset", "veryfast", 0);
        av_opt_set(enc->priv_data, "tune", "zerolatency", 0);
        av_opt_set(enc->priv_data, "crf", "20", 0);
    } else {
        enc->flags |= AV_CODEC_FLAG_QSCALE;
        enc->global_quality = FF_QP2LAMBDA * 3;
    }
    if (enc->width <= 0 || enc->height <= 0)
        return fc_set_error(err, errsz, FC_EINVAL, "%s: recording: unknown frame size", r->path);
    if ((ret = avcodec_open2(enc, codec, NULL)) < 0)
        return rec_fail(r, err, errsz, ret, "cannot open the encoder");
    if ((ret = avcodec_parameters_from_context(r->st->codecpar, enc)) < 0)
        return rec_fail(r, err, errsz, ret, "encoder parameters");
    r->st->time_base = enc->time_base;
    r->yuv = av_frame_alloc();
    if (!r->yuv)
        return fc_set_error(err, errsz, FC_ENOMEM, "%s: recording: out of memory", r->path);
    r->yuv->format = enc->pix_fmt;
    r->yuv->width = enc->width;
    r->yuv->height = enc->height;
    if ((ret = av_frame_get_buffer(r->yuv, 0)) < 0)
        return rec_fail(r, err, errsz, ret, "frame buffer");
    return 0;
}

static int copy_display_matrix(fc_rec *r, const AVStream *in)
{
    const int32_t *m = fc_display_matrix(in);
    uint8_t *dst;

    if (!m)
        return 0;
#if LIBAVFORMAT_VERSION_INT >= AV_VERSION_INT(60, 15, 100)
    {
        AVPacketSideData *sd = av_packet_side_data_new(&r->st->codecpar->coded_side_data,
                                                       &r->st->codecpar->nb_coded_side_data,
                                                       AV_PKT_DATA_DISPLAYMATRIX, 9 * sizeof(int32_t), 0);
        dst = sd ? sd->data : NULL;
    }
#else
    dst = av_stream_new_side_data(r->st, AV_PKT_DATA_DISPLAYMATRIX, 9 * sizeof(int32_t));
#endif
    if (!dst)
        return FC_ENOMEM;
    memcpy(dst, m, 9 * sizeof(int32_t));
    return 0;
}

int fc_rec_open(fc_rec **out, const char *path, const AVStream *in, int remux, double fps, fc_log_fn log,
                void *log_user, char *err, size_t errsz)
{
    fc_rec *r = av_mallocz(sizeof *r);
    AVDictionary *mux_opts = NULL;
    int ret, rc = 0;

    *out = NULL;
    if (!r)
        return fc_set_error(err, errsz, FC_ENOMEM, "%s: recording: out of memory", path);
    r->path = path;
    r->log = log;
    r->log_user = log_user;
    r->in_tb = in->time_base;
    r->first_ts = AV_NOPTS_VALUE;
    r->last_dts = AV_NOPTS_VALUE;
    r->last_pts_ms = -1;
    if ((ret = avformat_alloc_output_context2(&r->oc, NULL, NULL, path)) < 0 || !r->oc) {
        rc = fc_set_error(err, errsz, FC_EINVAL, "%s: recording: unknown container for this file name "
                          "(use .mkv or .mp4)", path);
        goto end;
    }
    r->st = avformat_new_stream(r->oc, NULL);
    r->pkt = av_packet_alloc();
    if (!r->st || !r->pkt) {
        rc = fc_set_error(err, errsz, FC_ENOMEM, "%s: recording: out of memory", path);
        goto end;
    }
    if (remux) {
        if (avformat_query_codec(r->oc->oformat, in->codecpar->codec_id, FF_COMPLIANCE_NORMAL) != 1) {
            rc = fc_set_error(err, errsz, FC_ECODEC, "%s: recording: the container cannot hold %s (use .mkv)",
                              path, avcodec_get_name(in->codecpar->codec_id));
            goto end;
        }
        if ((ret = avcodec_parameters_copy(r->st->codecpar, in->codecpar)) < 0) {
            rc = rec_fail(r, err, errsz, ret, "stream parameters");
            goto end;
        }
        r->st->codecpar->codec_tag = 0; /* let the muxer pick its own tag */
        r->st->time_base = in->time_base;
    } else if ((rc = open_encoder(r, in, fps, err, errsz)) < 0) {
        goto end;
    }
    if ((rc = copy_display_matrix(r, in)) < 0) {
        fc_set_error(err, errsz, rc, "%s: recording: out of memory", path);
        goto end;
    }
    if ((ret = avio_open(&r->oc->pb, path, AVIO_FLAG_WRITE)) < 0) {
        rc = rec_fail(r, err, errsz, ret, "cannot create the file");
        goto end;
    }
    /* Playable when cut short: see the header comment. */
    r->oc->flags |= AVFMT_FLAG_FLUSH_PACKETS;
    av_dict_set(&mux_opts, "movflags", "+frag_keyframe+empty_moov+default_base_moof", 0);
    av_dict_set(&mux_opts, "cluster_time_limit", "1000", 0);
    ret = avformat_write_header(r->oc, &mux_opts);
    if (ret >= 0) { /* write errors are sticky in the AVIOContext, not returned */
        avio_flush(r->oc->pb);
        ret = r->oc->pb->error < 0 ? r->oc->pb->error : ret;
    }
    if (ret < 0) {
        rc = rec_fail(r, err, errsz, ret, "cannot write the header");
        goto end;
    }
    r->header_written = 1;
    fc_log(log, log_user, FC_LOG_INFO, "%s: recording (%s, %s)", path, remux ? "remux" : "encode",
           avcodec_get_name(r->st->codecpar->codec_id));
end:
    av_dict_free(&mux_opts);
    if (rc < 0) {
        struct stat sb;
        int created = r->oc && r->oc->pb;
        fc_rec_close(r, NULL, 0);
        /* A file without a header is no recording; but never unlink /dev/full & co. */
        if (created && !strcmp(avio_find_protocol_name(path), "file") && stat(path, &sb) == 0 &&
            S_ISREG(sb.st_mode))
            unlink(path);
        return rc;
    }
    *out = r;
    return 0;
}

/* Write r->pkt (already in the output time base), keeping dts strictly increasing. */
static int write_pkt(fc_rec *r, char *err, size_t errsz)
{
    AVPacket *p = r->pkt;
    int ret;

    if (p->dts == AV_NOPTS_VALUE)
        p->dts = p->pts;
    if (p->dts == AV_NOPTS_VALUE) /* no timestamps at all: next tick */
        p->dts = r->last_dts == AV_NOPTS_VALUE ? 0 : r->last_dts + 1;
    if (r->last_dts != AV_NOPTS_VALUE && p->dts <= r->last_dts)
        p->dts = r->last_dts + 1;
    if (p->pts == AV_NOPTS_VALUE || p->pts < p->dts)
        p->pts = p->dts;
    r->last_dts = p->dts;
    p->stream_index = r->st->index;
    ret = av_write_frame(r->oc, p);
    if (ret >= 0 && r->oc->pb->error < 0) /* a full disk shows here, not in ret */
        ret = r->oc->pb->error;
    av_packet_unref(p);
    if (ret < 0)
        return rec_fail(r, err, errsz, ret, "write failed");
    r->frames++;
    return 0;
}

int fc_rec_write_packet(fc_rec *r, const AVPacket *pkt, char *err, size_t errsz)
{
    int64_t ts;
    int ret;

    if ((ret = av_packet_ref(r->pkt, pkt)) < 0)
        return rec_fail(r, err, errsz, ret, "packet copy");
    ts = pkt->dts != AV_NOPTS_VALUE ? pkt->dts : pkt->pts;
    if (r->first_ts == AV_NOPTS_VALUE)
        r->first_ts = ts != AV_NOPTS_VALUE ? ts : 0;
    if (r->pkt->pts != AV_NOPTS_VALUE)
        r->pkt->pts -= r->first_ts;
    if (r->pkt->dts != AV_NOPTS_VALUE)
        r->pkt->dts -= r->first_ts;
    av_packet_rescale_ts(r->pkt, r->in_tb, r->st->time_base);
    return write_pkt(r, err, errsz);
}

static int drain_encoder(fc_rec *r, char *err, size_t errsz)
{
    int ret, rc;

    for (;;) {
        ret = avcodec_receive_packet(r->enc, r->pkt);
        if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
            return 0;
        if (ret < 0)
            return rec_fail(r, err, errsz, ret, "encoding failed");
        av_packet_rescale_ts(r->pkt, r->enc->time_base, r->st->time_base);
        if ((rc = write_pkt(r, err, errsz)) < 0)
            return rc;
    }
}

int fc_rec_write_frame(fc_rec *r, const AVFrame *frame, double t_s, char *err, size_t errsz)
{
    int64_t pts = llrint(t_s * 1000.0);
    int ret;

    if (pts <= r->last_pts_ms)
        pts = r->last_pts_ms + 1;
    r->last_pts_ms = pts;
    if (r->sws_w != frame->width || r->sws_h != frame->height || r->sws_fmt != frame->format || !r->sws) {
        sws_freeContext(r->sws);
        r->sws = sws_getContext(frame->width, frame->height, frame->format, r->enc->width, r->enc->height,
                                r->enc->pix_fmt, SWS_BILINEAR, NULL, NULL, NULL);
        if (!r->sws)
            return fc_set_error(err, errsz, FC_ECODEC, "%s: recording: cannot convert %s frames", r->path,
                                av_get_pix_fmt_name(frame->format));
        r->sws_w = frame->width;
        r->sws_h = frame->height;
        r->sws_fmt = frame->format;
    }
    /* The encoder may still hold the previous picture: copy-on-write only then. */
    if ((ret = av_frame_make_writable(r->yuv)) < 0)
        return rec_fail(r, err, errsz, ret, "frame buffer");
    sws_scale(r->sws, (const uint8_t *const *)frame->data, frame->linesize, 0, frame->height, r->yuv->data,
              r->yuv->linesize);
    r->yuv->pts = pts;
    if ((ret = avcodec_send_frame(r->enc, r->yuv)) < 0)
        return rec_fail(r, err, errsz, ret, "encoding failed");
    return drain_encoder(r, err, errsz);
}

int64_t fc_rec_frames(const fc_rec *r)
{
    return r ? r->frames : 0;
}

int fc_rec_close(fc_rec *r, char *err, size_t errsz)
{
    int rc = 0, ret;

    if (!r)
        return 0;
    if (r->header_written) {
        if (r->enc && avcodec_send_frame(r->enc, NULL) >= 0)
            rc = drain_encoder(r, err, errsz);
        if ((ret = av_write_trailer(r->oc)) < 0 && rc == 0)
            rc = rec_fail(r, err, errsz, ret, "cannot finish the file");
    }
    if (r->oc && r->oc->pb && (ret = avio_closep(&r->oc->pb)) < 0 && rc == 0)
        rc = rec_fail(r, err, errsz, ret, "cannot close the file");
    avformat_free_context(r->oc);
    avcodec_free_context(&r->enc);
    av_frame_free(&r->yuv);
    sws_freeContext(r->sws);
    av_packet_free(&r->pkt);
    av_free(r);
    return rc;
}

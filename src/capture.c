/* capture.c - frames from a video file or a live device (see formcheck/capture.h). */
#define _POSIX_C_SOURCE 200809L
#include "formcheck/capture.h"

#include <errno.h>
#include <libavcodec/avcodec.h>
#include <libavdevice/avdevice.h>
#include <libavformat/avformat.h>
#include <libavutil/avstring.h>
#include <libavutil/display.h>
#include <libavutil/pixdesc.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "capture_pixels.h"
#include "capture_record.h"

struct fc_capture {
    AVFormatContext *fmt;
    AVCodecContext *dec;
    AVStream *st;
    AVPacket *pkt;
    AVFrame *frame;          /* decoder output, reused */
    AVFrame *held;           /* opts.planar: the frame last handed out as planes, kept until the next read */
    int pkt_pending;         /* pkt was refused with EAGAIN: send it again */
    int draining;            /* the demuxer is at its end; the decoder is being flushed */

    fc_pix pix;              /* BGR24 output buffers */
    uint8_t *into;           /* fc_capture_read_into(): the caller's buffer for this read */
    int into_stride;
    int out_w, out_h;        /* scaled size before rotation */

    fc_capture_info info;
    int64_t t0;              /* stream ts of t = 0 (AV_NOPTS_VALUE until known) */
    double frame_dur_s;      /* fallback step when a pts is missing */
    double last_t_s;
    int64_t next_index;
    int64_t skipped;
    int64_t decoded;
    double max_fps;          /* 0 = every frame */
    int planar;              /* opts.planar */
    double next_due_s;       /* max_fps: stream time the next delivered frame is due (-1 = now) */
    int rate_realign;        /* after a seek: set next_due_s from the next frame's time */
    double skip_before_s;    /* fc_capture_skip_before(): frames before it are dropped (-1 = none) */
    int64_t rate_dropped;

    fc_rec *rec;
    int rec_remux;
    int rec_rc;              /* first recording error */
    int64_t rec_frames;      /* frames in the closed recording */
    char *url;
    atomic_int interrupted;
    fc_log_fn log;
    void *log_user;
    char err[FC_ERRBUF_SIZE];
};

static pthread_once_t devices_once = PTHREAD_ONCE_INIT;

static void register_devices(void)
{
    avdevice_register_all();
}

fc_capture_opts fc_capture_default_opts(void)
{
    fc_capture_opts o;

    memset(&o, 0, sizeof o);
    o.apply_rotation = 1;
    return o;
}

/* AVIOInterruptCB: makes blocking demuxer calls return AVERROR_EXIT. */
static int interrupt_cb(void *opaque)
{
    fc_capture *c = opaque;
    return atomic_load(&c->interrupted);
}

static int is_device_format(const AVInputFormat *f)
{
    const AVInputFormat *d = NULL;

    while ((d = av_input_video_device_next(d)))
        if (d == f)
            return 1;
    return 0;
}

/* The input format: opts.format, else v4l2 for /dev/..., else NULL (probe). A
 * device is a /dev/ path or a libavdevice format (lavfi, x11grab, v4l2...). */
static int find_format(fc_capture *c, const char *url, const fc_capture_opts *o, const AVInputFormat **ifmt,
                       char *err, size_t errsz)
{
    int dev_path = !strncmp(url, "/dev/", 5);
    const char *name = o->format && *o->format ? o->format : dev_path ? "v4l2" : NULL;

    *ifmt = NULL;
    pthread_once(&devices_once, register_devices);
    if (name && !(*ifmt = av_find_input_format(name)))
        return fc_set_error(err, errsz, FC_EINVAL, "%s: unknown input format '%s'", url, name);
    c->info.is_device = dev_path || (*ifmt && is_device_format(*ifmt));
    return 0;
}

/* Errors the file system can tell before FFmpeg tries: clearer than AVERROR. */
static int check_path(const char *url, int device, char *err, size_t errsz)
{
    struct stat sb;

    if (stat(url, &sb) != 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return device ? fc_set_error(err, errsz, FC_ENODEV, "%s: no such capture device", url)
                          : fc_set_error(err, errsz, FC_ENOENT, "%s: no such file", url);
        if (errno == EACCES)
            return fc_set_error(err, errsz, FC_EACCES, "%s: permission denied", url);
        return fc_set_error(err, errsz, fc_error_from_errno(errno), "%s: %s", url, strerror(errno));
    }
    if (S_ISDIR(sb.st_mode))
        return fc_set_error(err, errsz, FC_EISDIR, "%s: is a directory, not a video", url);
    if (access(url, R_OK) != 0)
        return fc_set_error(err, errsz, FC_EACCES, "%s: permission denied", url);
    if (!device && S_ISREG(sb.st_mode) && sb.st_size == 0)
        return fc_set_error(err, errsz, FC_EFORMAT, "%s: empty file, not a video", url);
    if (device && !S_ISCHR(sb.st_mode))
        return fc_set_error(err, errsz, FC_ENODEV, "%s: not a capture device", url);
    return 0;
}

/* Map an error of avformat_open_input/av_read_frame to an FC code + message. */
static int open_error(const char *url, int device, int ret, char *err, size_t errsz)
{
    char msg[AV_ERROR_MAX_STRING_SIZE];

    av_strerror(ret, msg, sizeof msg);
    if (ret == AVERROR(ENOMEM))
        return fc_set_error(err, errsz, FC_ENOMEM, "%s: out of memory", url);
    if (ret == AVERROR(EACCES) || ret == AVERROR(EPERM))
        return fc_set_error(err, errsz, FC_EACCES, "%s: permission denied", url);
    if (ret == AVERROR(EISDIR))
        return fc_set_error(err, errsz, FC_EISDIR, "%s: is a directory, not a video", url);
    if (device) {
        if (ret == AVERROR(EBUSY))
            return fc_set_error(err, errsz, FC_EBUSY, "%s: device busy (another program uses it?)", url);
        if (ret == AVERROR(ENOENT) || ret == AVERROR(ENODEV) || ret == AVERROR(ENXIO) ||
            ret == AVERROR(ENOTTY) || ret == AVERROR(EINVAL))
            return fc_set_error(err, errsz, FC_ENODEV, "%s: not a usable capture device (%s)", url, msg);
        return fc_set_error(err, errsz, FC_EIO, "%s: cannot open the device: %s", url, msg);
    }
    if (ret == AVERROR(ENOENT))
        return fc_set_error(err, errsz, FC_ENOENT, "%s: no such file", url);
    if (ret == AVERROR_INVALIDDATA || ret == AVERROR_EOF)
        return fc_set_error(err, errsz, FC_EFORMAT, "%s: not a recognised video file (damaged or truncated?)",
                            url);
    return fc_set_error(err, errsz, FC_EIO, "%s: cannot read: %s", url, msg);
}

static double q2d_or0(AVRational q)
{
    return q.num > 0 && q.den > 0 ? av_q2d(q) : 0.0;
}

/* Clockwise degrees (0/90/180/270) that make the picture upright. The display
 * matrix rotation is counter-clockwise; a flip in the matrix is ignored. */
static int stream_rotation_cw(const AVStream *st)
{
    const int32_t *m = fc_display_matrix(st);
    double ccw;
    int cw;

    if (!m)
        return 0;
    ccw = av_display_rotation_get(m);
    if (isnan(ccw))
        return 0;
    cw = (int)lrint(-ccw / 90.0) * 90;
    return ((cw % 360) + 360) % 360;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Files: read the first packets' timestamps on a second demuxer (no decoding;
 * the main one stays at the start) to tell a variable frame rate from a constant
 * one, which container headers often do not say. Sets is_vfr, and when the rate
 * varies, fps_avg from the packets; if the scan reached the end, the exact count. */
#define SCAN_PACKETS 300
static void scan_timing(fc_capture *c, const char *url)
{
    AVFormatContext *f = NULL;
    AVPacket *p = av_packet_alloc();
    int64_t *ts = av_malloc_array(SCAN_PACKETS, sizeof *ts);
    int n = 0, total = 0, reads = 0, at_end = 0, off = 0;
    int64_t span, med;
    double tick = av_q2d(c->st->time_base);

    if (!p || !ts || avformat_open_input(&f, url, c->fmt->iformat, NULL) < 0 ||
        f->nb_streams <= (unsigned)c->st->index)
        goto end;
    while (total < SCAN_PACKETS && reads++ < 4 * SCAN_PACKETS) {
        int ret = av_read_frame(f, p);
        if (ret < 0) {
            at_end = ret == AVERROR_EOF;
            break;
        }
        if (p->stream_index == c->st->index) {
            total++;
            if (p->pts != AV_NOPTS_VALUE)
                ts[n++] = p->pts;
        }
        av_packet_unref(p);
    }
    if (at_end && c->st->nb_frames <= 0) { /* saw them all: a count, not an estimate */
        c->info.frames_estimate = total;
        c->info.frames_exact = 1;
    }
    if (n < 3)
        goto end;
    qsort(ts, n, sizeof *ts, cmp_i64); /* presentation order (B-frames) */
    span = ts[n - 1] - ts[0];
    for (int i = n - 1; i > 0; i--) /* steps between frames, in place */
        ts[i] -= ts[i - 1];
    qsort(ts + 1, n - 1, sizeof *ts, cmp_i64);
    med = ts[1 + (n - 1) / 2];
    /* Variable: more than 10% of the steps are 1.5x off the median (beyond a
     * 1-tick rounding). One gap (a dropped frame, a cut file's missing B-frames)
     * does not make a clip VFR. */
    for (int i = 1; i < n; i++)
        if ((double)ts[i] > 1.5 * (double)med + 1 || (double)ts[i] < (double)med / 1.5 - 1)
            off++;
    if (span > 0 && off * 10 > n - 1) {
        c->info.is_vfr = 1;
        c->info.fps_avg = (n - 1) / ((double)span * tick);
    }
end:
    avformat_close_input(&f);
    av_packet_free(&p);
    av_free(ts);
}

static void fill_info(fc_capture *c, int max_side, int apply_rotation)
{
    fc_capture_info *in = &c->info;
    const AVCodecParameters *par = c->st->codecpar;
    int w = par->width, h = par->height;

    av_strlcpy(in->codec, avcodec_get_name(par->codec_id), sizeof in->codec);
    av_strlcpy(in->format, c->fmt->iformat->name, sizeof in->format);
    in->src_width = w;
    in->src_height = h;
    in->rotation_deg = apply_rotation ? stream_rotation_cw(c->st) : 0;
    fc_pix_fit(&c->out_w, &c->out_h, w, h, max_side);
    in->width = in->rotation_deg % 180 ? c->out_h : c->out_w;
    in->height = in->rotation_deg % 180 ? c->out_w : c->out_h;
    in->fps_real = q2d_or0(c->st->r_frame_rate);
    in->fps_avg = q2d_or0(c->st->avg_frame_rate);
    if (c->st->duration > 0)
        in->duration_s = c->st->duration * av_q2d(c->st->time_base);
    else if (c->fmt->duration > 0 && !in->is_device)
        in->duration_s = c->fmt->duration / (double)AV_TIME_BASE;
    if (in->fps_avg <= 0 && c->st->nb_frames > 0 && in->duration_s > 0)
        in->fps_avg = c->st->nb_frames / in->duration_s;
    if (in->fps_avg <= 0)
        in->fps_avg = in->fps_real;
    /* r_frame_rate is the lowest rate all timestamps fit; a different average means gaps or changes. */
    if (in->fps_avg > 0 && in->fps_real > 0 && fabs(in->fps_avg - in->fps_real) > 0.01 * in->fps_real)
        in->is_vfr = 1;
}

/* Frame count: the container's if it has one, else what the scan counted, else
 * duration x rate; a raw stream's duration from its count. */
static void complete_counts(fc_capture_info *in, const AVStream *st)
{
    if (st->nb_frames > 0) {
        in->frames_estimate = st->nb_frames;
        in->frames_exact = 1;
    } else if (!in->frames_estimate && in->duration_s > 0 && in->fps_avg > 0) {
        in->frames_estimate = llrint(in->duration_s * in->fps_avg);
    }
    if (in->duration_s <= 0 && in->frames_exact && in->fps_avg > 0)
        in->duration_s = in->frames_estimate / in->fps_avg;
}

static int open_decoder(fc_capture *c, const AVCodec *codec, int threads, char *err, size_t errsz)
{
    int ret;

    c->dec = avcodec_alloc_context3(codec);
    if (!c->dec)
        return fc_set_error(err, errsz, FC_ENOMEM, "%s: out of memory", c->url);
    if ((ret = avcodec_parameters_to_context(c->dec, c->st->codecpar)) < 0)
        return fc_set_error(err, errsz, FC_ECODEC, "%s: bad codec parameters", c->url);
    c->dec->pkt_timebase = c->st->time_base;
    c->dec->thread_count = threads > 0 ? threads : 0;
    /* Frame threading is fastest for files; a live source would wait for
     * thread_count frames before the first one comes out, so slices only. */
    c->dec->thread_type = c->info.is_device ? FF_THREAD_SLICE : FF_THREAD_FRAME | FF_THREAD_SLICE;
    if ((ret = avcodec_open2(c->dec, codec, NULL)) < 0)
        return fc_set_error(err, errsz, FC_ECODEC, "%s: cannot open the %s decoder", c->url,
                            avcodec_get_name(c->st->codecpar->codec_id));
    return 0;
}

static int alloc_buffers(fc_capture *c, char *err, size_t errsz)
{
    c->pkt = av_packet_alloc();
    c->frame = av_frame_alloc();
    c->held = av_frame_alloc();
    if (fc_pix_init(&c->pix, c->out_w, c->out_h, c->info.rotation_deg) < 0 || !c->pkt || !c->frame || !c->held)
        return fc_set_error(err, errsz, FC_ENOMEM, "%s: out of memory", c->url);
    return 0;
}

static int open_input(fc_capture *c, const char *url, const AVInputFormat *ifmt, const fc_capture_opts *o,
                      char *err, size_t errsz)
{
    AVDictionary *dopts = NULL;
    const AVDictionaryEntry *e = NULL;
    int ret, device = c->info.is_device, rc = 0;

    if (device) {
        if (o->video_size)
            av_dict_set(&dopts, "video_size", o->video_size, 0);
        if (o->framerate)
            av_dict_set(&dopts, "framerate", o->framerate, 0);
        if (o->input_format)
            av_dict_set(&dopts, "input_format", o->input_format, 0);
    }
    if (!(c->fmt = avformat_alloc_context()))
        return fc_set_error(err, errsz, FC_ENOMEM, "%s: out of memory", url);
    c->fmt->interrupt_callback.callback = interrupt_cb;
    c->fmt->interrupt_callback.opaque = c;
    if ((ret = avformat_open_input(&c->fmt, url, ifmt, &dopts)) < 0) {
        rc = ret == AVERROR_EXIT ? fc_set_error(err, errsz, FC_EINTR, "%s: interrupted", url)
                                 : open_error(url, device, ret, err, errsz);
        goto end;
    }
    while ((e = av_dict_get(dopts, "", e, AV_DICT_IGNORE_SUFFIX)))
        fc_log(c->log, c->log_user, FC_LOG_WARN, "%s: option %s=%s not used by format %s", url, e->key, e->value,
               c->fmt->iformat->name);
    if ((ret = avformat_find_stream_info(c->fmt, NULL)) < 0)
        rc = open_error(url, device, ret, err, errsz);
end:
    av_dict_free(&dopts);
    return rc;
}

static int codec_error(const fc_capture *c, const AVCodecParameters *par, char *err, size_t errsz)
{
    char tag[AV_FOURCC_MAX_STRING_SIZE];

    if (par->codec_id != AV_CODEC_ID_NONE)
        av_strlcpy(tag, avcodec_get_name(par->codec_id), sizeof tag);
    else /* unknown to this FFmpeg: the fourcc is all there is */
        av_fourcc_make_string(tag, par->codec_tag);
    return fc_set_error(err, errsz, FC_ECODEC, "%s: unsupported video codec '%s'", c->url, tag);
}

static int pick_stream(fc_capture *c, const AVCodec **codec, char *err, size_t errsz)
{
    int idx = av_find_best_stream(c->fmt, AVMEDIA_TYPE_VIDEO, -1, -1, codec, 0);

    if (idx == AVERROR_DECODER_NOT_FOUND) {
        for (unsigned i = 0; i < c->fmt->nb_streams; i++)
            if (c->fmt->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_VIDEO)
                return codec_error(c, c->fmt->streams[i]->codecpar, err, errsz);
        return fc_set_error(err, errsz, FC_ECODEC, "%s: unsupported video codec", c->url);
    }
    if (idx < 0 || (c->fmt->streams[idx]->disposition & AV_DISPOSITION_ATTACHED_PIC))
        return fc_set_error(err, errsz, FC_ENOVIDEO, "%s: no video stream (audio only?)", c->url);
    c->st = c->fmt->streams[idx];
    if (c->st->codecpar->width <= 0 || c->st->codecpar->height <= 0)
        return fc_set_error(err, errsz, FC_EFORMAT, "%s: video stream of unknown size (damaged?)", c->url);
    return 0;
}

/* Never record over the input being read. */
static int check_record_path(const char *url, const char *record_path, char *err, size_t errsz)
{
    struct stat a, b;

    if (stat(url, &a) == 0 && stat(record_path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
        return fc_set_error(err, errsz, FC_EINVAL, "%s: the recording would overwrite the input", record_path);
    return 0;
}

/* Copy compressed packets; encode raw frames, or packets the container cannot hold. */
static int open_recording(fc_capture *c, const char *path, double fps, char *err, size_t errsz)
{
    enum AVCodecID id = c->st->codecpar->codec_id;
    int rc;

    c->rec_remux = id != AV_CODEC_ID_RAWVIDEO && id != AV_CODEC_ID_WRAPPED_AVFRAME;
    rc = fc_rec_open(&c->rec, path, c->st, c->rec_remux, fps, c->log, c->log_user, err, errsz);
    if (rc == FC_ECODEC && c->rec_remux) {
        fc_log(c->log, c->log_user, FC_LOG_INFO, "%s: %s cannot be copied into this container, encoding", path,
               avcodec_get_name(id));
        c->rec_remux = 0;
        rc = fc_rec_open(&c->rec, path, c->st, 0, fps, c->log, c->log_user, err, errsz);
    }
    return rc;
}

int fc_capture_open(fc_capture **out, const char *url, const fc_capture_opts *opts, char *err, size_t errsz)
{
    fc_capture_opts o = opts ? *opts : fc_capture_default_opts();
    const AVCodec *codec = NULL;
    const AVInputFormat *ifmt = NULL;
    fc_capture *c = NULL;
    const char *fs_path = url && !strncmp(url, "file:", 5) ? url + 5 : url;
    double fps;
    int rc, is_path;
    struct stat sb;

    if (out)
        *out = NULL;
    if (!out || !url || !*url || o.max_side < 0 || o.threads < 0 || !(o.max_fps >= 0))
        return fc_set_error(err, errsz, FC_EINVAL, "%s: invalid capture arguments", url ? url : "(null)");
    if (!(c = av_mallocz(sizeof *c)) || !(c->url = av_strdup(url))) {
        av_free(c);
        return fc_set_error(err, errsz, FC_ENOMEM, "%s: out of memory", url);
    }
    atomic_init(&c->interrupted, 0);
    c->log = o.log;
    c->log_user = o.log_user;
    c->t0 = AV_NOPTS_VALUE;
    c->last_t_s = -1.0;
    c->skip_before_s = -1.0;
    c->max_fps = o.max_fps > 0 ? o.max_fps : 0;
    c->planar = o.planar != 0;
    c->next_due_s = -1.0;
    if ((rc = find_format(c, url, &o, &ifmt, err, errsz)) < 0)
        goto end;
    /* lavfi, x11grab... take a description, and "pipe:", "http://"... a URL:
     * nothing to stat. */
    is_path = !strncmp(url, "/dev/", 5) || (!c->info.is_device && !strstr(url, "://") && strncmp(url, "pipe:", 5));
    if (is_path && (rc = check_path(fs_path, c->info.is_device, err, errsz)) < 0)
        goto end;
    if (o.record_path && (rc = check_record_path(fs_path, o.record_path, err, errsz)) < 0)
        goto end;
    if ((rc = open_input(c, url, ifmt, &o, err, errsz)) < 0 || (rc = pick_stream(c, &codec, err, errsz)) < 0)
        goto end;
    fill_info(c, o.max_side, o.apply_rotation);
    /* Only a regular file can be read twice: a second reader of a FIFO would steal its data. */
    if (!c->info.is_device && is_path && stat(fs_path, &sb) == 0 && S_ISREG(sb.st_mode))
        scan_timing(c, url);
    complete_counts(&c->info, c->st);
    fps = c->info.fps_avg > 0 ? c->info.fps_avg : c->info.fps_real;
    c->frame_dur_s = fps > 0 && fps < 1000 ? 1.0 / fps : 1.0 / 30;
    if ((rc = open_decoder(c, codec, o.threads, err, errsz)) < 0 || (rc = alloc_buffers(c, err, errsz)) < 0)
        goto end;
    if (o.record_path && (rc = open_recording(c, o.record_path, fps, err, errsz)) < 0)
        goto end;
    fc_log(c->log, c->log_user, FC_LOG_DEBUG, "%s: %s %dx%d (%dx%d coded), rotation %d, %.3f fps", url,
           c->info.codec, c->info.width, c->info.height, c->info.src_width, c->info.src_height,
           c->info.rotation_deg, fps);
end:
    if (rc < 0) {
        fc_capture_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

const fc_capture_info *fc_capture_get_info(const fc_capture *cap)
{
    return cap ? &cap->info : NULL;
}

int64_t fc_capture_skipped(const fc_capture *cap)
{
    return cap ? cap->skipped : 0;
}

int64_t fc_capture_rate_dropped(const fc_capture *cap)
{
    return cap ? cap->rate_dropped : 0;
}

const char *fc_capture_error(const fc_capture *cap)
{
    return cap ? cap->err : "";
}

void fc_capture_interrupt(fc_capture *cap)
{
    if (cap)
        atomic_store(&cap->interrupted, 1);
}

int64_t fc_capture_recorded_frames(const fc_capture *cap)
{
    if (!cap)
        return 0;
    return cap->rec ? fc_rec_frames(cap->rec) : cap->rec_frames;
}

int fc_capture_stop_recording(fc_capture *cap)
{
    char err[FC_ERRBUF_SIZE];
    int rc;

    if (!cap || !cap->rec)
        return cap && cap->rec_rc < 0 ? cap->rec_rc : 0;
    cap->rec_frames = fc_rec_frames(cap->rec); /* still readable once closed */
    rc = fc_rec_close(cap->rec, err, sizeof err);
    cap->rec = NULL;
    if (rc < 0 && cap->rec_rc == 0) {
        cap->rec_rc = rc;
        av_strlcpy(cap->err, err, sizeof cap->err);
    }
    return cap->rec_rc;
}

void fc_capture_free(fc_capture *cap)
{
    if (!cap)
        return;
    fc_capture_stop_recording(cap);
    avcodec_free_context(&cap->dec);
    avformat_close_input(&cap->fmt);
    av_packet_free(&cap->pkt);
    av_frame_free(&cap->frame);
    av_frame_free(&cap->held);
    fc_pix_uninit(&cap->pix);
    av_free(cap->url);
    av_free(cap);
}


/* ---- reading ---- */

static int read_error(fc_capture *c, int code, const char *fmt, const char *detail)
{
    char line[FC_ERRBUF_SIZE];

    snprintf(line, sizeof line, fmt, detail);
    return fc_set_error(c->err, sizeof c->err, code, "%s: %s", c->url, line);
}

/* Seconds since the stream start, strictly increasing: best_effort_timestamp,
 * else (missing, or not after the previous one) previous + one frame. */
static double frame_time(fc_capture *c, const AVFrame *f)
{
    int64_t ts = f->best_effort_timestamp;
    double t;

    if (ts != AV_NOPTS_VALUE && c->t0 == AV_NOPTS_VALUE)
        c->t0 = c->st->start_time != AV_NOPTS_VALUE && c->st->start_time <= ts ? c->st->start_time : ts;
    if (ts != AV_NOPTS_VALUE)
        t = (double)(ts - c->t0) * av_q2d(c->st->time_base);
    else
        t = c->last_t_s < 0 ? 0.0 : c->last_t_s + c->frame_dur_s;
    if (t <= c->last_t_s)
        t = c->last_t_s + c->frame_dur_s;
    if (t < 0)
        t = 0;
    c->last_t_s = t;
    return t;
}

/* max_fps: 1 if the frame at `t` comes too soon after the last delivered one.
 * The due time advances by whole steps, so a 60 fps source at 30 keeps every
 * second frame exactly; half a source frame of slack keeps a source at or under
 * the limit whole despite timestamp jitter; after a gap it restarts from `t`. */
static int rate_skip(fc_capture *c, double t)
{
    double step = 1.0 / c->max_fps;
    if (c->rate_realign) {
        /* After a seek: the due time a read from t = 0 would have here, the first
         * multiple of the step the frame before this one did not reach. */
        double k = floor((t - 0.5 * c->frame_dur_s) * c->max_fps) + 1;
        c->next_due_s = k > 0 ? k * step : 0.0;
        c->rate_realign = 0;
    }
    if (c->next_due_s >= 0 && t + 0.5 * c->frame_dur_s < c->next_due_s)
        return 1;
    c->next_due_s = c->next_due_s < 0 || t >= c->next_due_s + step ? t + step : c->next_due_s + step;
    return 0;
}

/* 0 = *out filled, 1 = dropped for max_fps, < 0 = error. */
static int deliver(fc_capture *c, fc_frame *out, const AVFrame *f)
{
    int rc;
    double t = frame_time(c, f);

    if (c->rec && !c->rec_remux && (rc = fc_rec_write_frame(c->rec, f, t, c->err, sizeof c->err)) < 0) {
        c->rec_rc = rc;
        fc_capture_stop_recording(c);
        return rc;
    }
    c->decoded++;
    if (c->skip_before_s >= 0) {
        if (t < c->skip_before_s)
            return 1;
        c->skip_before_s = -1;
    }
    if (c->max_fps > 0 && rate_skip(c, t)) {
        c->next_index++;
        c->rate_dropped++;
        return 1;
    }
    if ((!c->planar || c->into || !fc_pix_planar(out, &c->pix, f)) &&
        (rc = fc_pix_convert(out, &c->pix, f, c->into, c->into_stride)) < 0)
        return read_error(c, rc, "cannot convert %s frames to BGR", av_get_pix_fmt_name(f->format));
    out->index = c->next_index++;
    out->t_s = t;
    return 0;
}

/* Feed the decoder one packet of our stream. Returns 0, 1 at the end of input, or an error. */
static int feed(fc_capture *c)
{
    int ret;

    if (!c->pkt_pending) {
        ret = av_read_frame(c->fmt, c->pkt);
        if (ret == AVERROR(EAGAIN)) { /* non-blocking device with nothing yet */
            nanosleep(&(struct timespec){0, 2000000}, NULL);
            return 0;
        }
        if (ret == AVERROR_EXIT || atomic_load(&c->interrupted))
            return read_error(c, FC_EINTR, "%s", "interrupted");
        if (ret < 0) {
            if (ret != AVERROR_EOF) {
                char msg[AV_ERROR_MAX_STRING_SIZE];
                av_strerror(ret, msg, sizeof msg);
                if (c->info.is_device)
                    return read_error(c, FC_EIO, "device error: %s", msg);
                /* A damaged or cut file: keep what decoded so far. */
                fc_log(c->log, c->log_user, FC_LOG_WARN, "%s: read error (%s), stopping there", c->url, msg);
            }
            return 1;
        }
        if (c->pkt->stream_index != c->st->index) {
            av_packet_unref(c->pkt);
            return 0;
        }
        /* fc_capture_skip_before(): decode every frame again from the first packet
         * shown near the mark on (packets come in decoding order: a B-frame shown
         * after the mark may be sent before frames shown before it). */
        if (c->dec->skip_frame != AVDISCARD_DEFAULT &&
            (c->pkt->pts == AV_NOPTS_VALUE ||
             (double)(c->pkt->pts - c->t0) * av_q2d(c->st->time_base) >= c->skip_before_s - 2 * c->frame_dur_s))
            c->dec->skip_frame = AVDISCARD_DEFAULT;
        if (c->rec && c->rec_remux && (ret = fc_rec_write_packet(c->rec, c->pkt, c->err, sizeof c->err)) < 0) {
            av_packet_unref(c->pkt);
            c->rec_rc = ret;
            fc_capture_stop_recording(c);
            return ret;
        }
    }
    ret = avcodec_send_packet(c->dec, c->pkt);
    c->pkt_pending = ret == AVERROR(EAGAIN);
    if (c->pkt_pending)
        return 0;
    av_packet_unref(c->pkt);
    if (ret < 0) {
        c->skipped++;
        fc_log(c->log, c->log_user, FC_LOG_DEBUG, "%s: damaged packet skipped", c->url);
    }
    return 0;
}

int fc_capture_seek(fc_capture *c, double t_s)
{
    int ret;

    if (!c || !(t_s >= 0) || !isfinite(t_s))
        return FC_EINVAL;
    if (c->info.is_device || c->rec || !c->fmt->pb || !(c->fmt->pb->seekable & AVIO_SEEKABLE_NORMAL))
        return read_error(c, FC_ENOTIMPL, "%s", "cannot seek in this input");
    /* Times count from the stream start: after a seek the first frame is no
     * longer the start, so the start must be known from the container. */
    if (c->t0 == AV_NOPTS_VALUE) {
        if (c->st->start_time == AV_NOPTS_VALUE)
            return read_error(c, FC_ENOTIMPL, "%s", "cannot seek: the stream start time is unknown");
        c->t0 = c->st->start_time;
    }
    int64_t ts = c->t0 + (int64_t)(t_s / av_q2d(c->st->time_base));
    if ((ret = av_seek_frame(c->fmt, c->st->index, ts, AVSEEK_FLAG_BACKWARD)) < 0) {
        char msg[AV_ERROR_MAX_STRING_SIZE];
        av_strerror(ret, msg, sizeof msg);
        return read_error(c, FC_EIO, "seek failed: %s", msg);
    }
    avcodec_flush_buffers(c->dec);
    av_packet_unref(c->pkt);
    c->pkt_pending = 0;
    c->draining = 0;
    c->last_t_s = -1.0;
    c->rate_realign = 1;
    c->next_index = 0;
    c->skip_before_s = -1.0;
    c->dec->skip_frame = AVDISCARD_DEFAULT;
    return 0;
}

int fc_capture_skip_before(fc_capture *c, double t_s)
{
    if (!c || !(t_s >= 0) || !isfinite(t_s) || c->info.is_device)
        return FC_EINVAL;
    c->skip_before_s = t_s;
    c->dec->skip_frame = AVDISCARD_NONREF; /* nothing refers to them: not decoded at all */
    return 0;
}

int fc_capture_read_into(fc_frame *frame, fc_capture *c)
{
    if (!frame || !c || !frame->data || frame->width != c->info.width || frame->height != c->info.height ||
        frame->stride < FC_CAPTURE_STRIDE(frame->width))
        return FC_EINVAL;
    c->into = frame->data;
    c->into_stride = frame->stride;
    int rc = fc_capture_read(frame, c);
    c->into = NULL;
    return rc;
}

int fc_capture_read(fc_frame *frame, fc_capture *c)
{
    int ret, errors_in_row = 0;

    if (!frame || !c)
        return FC_EINVAL;
    av_frame_unref(c->held); /* the last frame's planes are no longer used */
    for (;;) {
        if (atomic_load(&c->interrupted))
            return read_error(c, FC_EINTR, "%s", "interrupted");
        ret = avcodec_receive_frame(c->dec, c->frame);
        if (ret == 0) {
            if (c->frame->decode_error_flags || (c->frame->flags & AV_FRAME_FLAG_CORRUPT)) {
                c->skipped++;
                av_frame_unref(c->frame);
                continue;
            }
            ret = deliver(c, frame, c->frame);
            if (ret == 0 && frame->yuv) /* its planes must outlive this call */
                av_frame_move_ref(c->held, c->frame);
            av_frame_unref(c->frame);
            if (ret == 1)
                continue;
            return ret;
        }
        if (ret == AVERROR_EOF || (c->draining && ret == AVERROR(EAGAIN))) {
            if (c->decoded == 0)
                return read_error(c, FC_EDECODE, "%s", "no frame could be decoded");
            return FC_EEOF;
        }
        if (ret != AVERROR(EAGAIN)) { /* a damaged frame: skip it, go on */
            c->skipped++;
            if (++errors_in_row > 1000) /* a decoder stuck in errors: treat as the end */
                return c->decoded ? FC_EEOF : read_error(c, FC_EDECODE, "%s", "no frame could be decoded");
            continue;
        }
        ret = feed(c);
        if (ret < 0)
            return ret;
        if (ret == 1) {
            c->draining = 1;
            avcodec_send_packet(c->dec, NULL);
        }
    }
}

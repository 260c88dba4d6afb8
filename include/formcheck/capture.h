/*
 * formcheck/capture.h - frames from a video file or a live device (FFmpeg libav*).
 *
 * One API for files and cameras: open, read BGR frames with the source's
 * rotation applied and monotonic timestamps, optionally record what a device
 * captured to a file, close.
 *
 *     fc_capture_opts o = fc_capture_default_opts();
 *     o.max_side = 640;                       // scale down (keeps aspect), 0 = native
 *     fc_capture *cap = NULL;
 *     char err[FC_ERRBUF_SIZE];
 *     int rc = fc_capture_open(&cap, "squat.mp4", &o, err, sizeof err);
 *     if (rc < 0) { fprintf(stderr, "%s\n", err); return 1; }   // "squat.mp4: no such file"
 *     fc_frame f;
 *     while ((rc = fc_capture_read(&f, cap)) == 0) {
 *         // f.data is BGR24, valid until the next read or close
 *     }
 *     if (rc != FC_EEOF) fprintf(stderr, "%s\n", fc_capture_error(cap));
 *     fc_capture_free(cap);
 *
 * Devices: set o.format ("v4l2" is the default for /dev/...; "lavfi", "x11grab",
 * ... any libavdevice input) and o.video_size / o.framerate / o.input_format.
 * A format that is not a libavdevice input (e.g. "mov") just forces how a file
 * is read. For lavfi the "url" is the filter graph: "testsrc2=size=320x240:rate=30".
 * With o.record_path set, what is captured is also written to that file: the
 * packets are copied when the source is compressed (MJPEG, H.264, ...: remux),
 * raw frames are encoded (libx264 if available, else MPEG-4 part 2). The
 * container follows the extension (.mkv recommended, .mp4 is written
 * fragmented); both stay playable when the process dies, and the trailer is
 * written by fc_capture_stop_recording() or fc_capture_free(), also after
 * fc_capture_interrupt(). Meant for devices, works for files too.
 *
 * Frames: decoded with frame threading for files (slice threading only for
 * devices, where frame threading would add latency), converted and scaled to
 * BGR24 by one swscale pass, then turned upright by the display matrix (a
 * portrait phone clip comes out portrait). Times are best_effort_timestamp
 * minus the stream start, in seconds; a missing or non-increasing one becomes
 * previous + 1/fps, so t_s always increases. Damaged packets and frames are
 * skipped and counted; only a stream where nothing decodes is an error.
 *
 * Logging: the module never prints. Messages go to o.log; FFmpeg's own av_log
 * is process-wide, so silencing it (av_log_set_level) is the program's job
 * (formcheck's main() does it once), not the handle's.
 *
 * Thread-safety: handles are independent (opening from several threads is
 * fine); one thread per handle, except fc_capture_interrupt(), which may be
 * called from any thread or a signal handler (it only sets an atomic flag).
 */
#ifndef FORMCHECK_CAPTURE_H
#define FORMCHECK_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include "formcheck/error.h"
#include "formcheck/frame.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fc_capture fc_capture;

typedef struct fc_capture_opts {
    const char *format;       /**< libavdevice/libavformat input format name; NULL = probe
                                   (files) or "v4l2" for paths under /dev/ */
    const char *video_size;   /**< device option, e.g. "640x480"; NULL = device default */
    const char *framerate;    /**< device option, e.g. "30"; NULL = default */
    const char *input_format; /**< device pixel/codec format, e.g. "mjpeg"; NULL = default */
    int max_side;             /**< scale down so max(width,height) <= this, aspect kept, rounded to
                                   nearest (320x240 with 100 -> 100x75); never up; 0 = native */
    int threads;              /**< decoder threads; 0 = auto (one per core) */
    double max_fps;           /**< deliver at most this many frames per second of stream time: a frame
                                   less than 1/max_fps (minus half a source frame of slack) after the
                                   last delivered one is dropped after decoding, before the pixel
                                   conversion (so it costs no swscale pass); indices still count every
                                   source frame and a recording still gets it; 0 = every frame */
    int apply_rotation;       /**< 1 (default): rotate frames upright per the display matrix */
    int planar;               /**< 1: fc_capture_read() hands out 8-bit 4:2:0 frames as decoded
                                   (f.data NULL, f.yuv the planes and their map to the upright,
                                   scaled frame: see formcheck/frame.h) instead of converting
                                   them; other pixel formats are still converted. For readers
                                   that only crop (fc_imgwarp). 0 (default): always BGR */
    const char *record_path;  /**< devices: also save the captured stream here; NULL = off */
    fc_log_fn log;            /**< optional log callback */
    void *log_user;
} fc_capture_opts;

/** Stream information (sizes after rotation). */
typedef struct fc_capture_info {
    char codec[32];           /**< codec name, e.g. "h264", "vp9", "mjpeg", "rawvideo" */
    char format[32];          /**< container/device format name, e.g. "mov,mp4,m4a,3gp,3g2,mj2", "lavfi" */
    int width, height;        /**< of delivered frames: after rotation and scaling */
    int src_width, src_height;/**< coded size before rotation and scaling */
    int rotation_deg;         /**< clockwise rotation applied to be upright: 0, 90, 180 or 270 (the
                                   display matrix's counter-clockwise angle, negated; ffprobe's
                                   "rotation" 90 gives 270 here); 0 if apply_rotation is 0 */
    double fps_avg;           /**< average frame rate (avg_frame_rate; for a VFR file measured on
                                   the first 300 packets), 0 if unknown */
    double fps_real;          /**< r_frame_rate: base rate of the stream, 0 if unknown */
    double duration_s;        /**< duration in seconds, 0 if unknown (live) */
    int64_t frames_estimate;  /**< frame count (from the container or duration*fps), 0 if unknown */
    int frames_exact;         /**< 1 if frames_estimate is a count (container index, or all packets seen) */
    int is_device;            /**< 1 for a live device */
    int is_vfr;               /**< 1 if the frame rate looks variable: avg != base rate, or over 10%
                                   of the first 300 frame steps are 1.5x off their median (files) */
} fc_capture_info;

/** Defaults: probe format, native size, auto threads, rotation applied, no recording. */
fc_capture_opts fc_capture_default_opts(void);

/** Open a file or device, pick the best video stream, set up decoding (and the
 *  recording). `opts` may be NULL (defaults); its strings are only read during
 *  the call. *out is NULL on failure. Errors (one-line message naming `url` and
 *  the cause in `err`):
 *  FC_ENOENT (no such file), FC_EISDIR, FC_EACCES, FC_EFORMAT (empty, not media,
 *  truncated before the index), FC_ENOVIDEO (e.g. audio only), FC_ECODEC (no
 *  decoder), FC_EBUSY (device in use), FC_ENODEV (device absent, or not a capture
 *  device), FC_ENOMEM, FC_EINVAL (bad option, unknown format name);
 *  recording: FC_EACCES/FC_ENOENT/... naming record_path, FC_ECODEC (container
 *  cannot hold the stream). */
int fc_capture_open(fc_capture **out, const char *url, const fc_capture_opts *opts, char *err, size_t errsz);

/** Stream information, valid after open. */
const fc_capture_info *fc_capture_get_info(const fc_capture *cap);

/** Read the next frame. The pixels stay valid until the next call or free; they
 *  are reused, not reallocated. Returns 0, FC_EEOF at the end (after flushing the
 *  decoder; again on every later call), FC_EINTR after fc_capture_interrupt()
 *  (again on every later call), FC_EDECODE when nothing at all could be decoded,
 *  FC_EIO on a device error, FC_EIO/FC_ENOSPC when writing the recording failed
 *  (the recording is then closed; capture may go on). fc_capture_error() says
 *  what. A read error in the middle of a file ends it like EOF (logged).
 *  Damaged packets/frames are skipped and counted (fc_capture_skipped()). */
int fc_capture_read(fc_frame *frame, fc_capture *cap);

/** Bytes per row a buffer for fc_capture_read_into() needs at least: 3 * width
 *  rounded up to 32, because swscale's SIMD output may write up to there. */
#define FC_CAPTURE_STRIDE(width) ((3 * (width) + 31) / 32 * 32)

/** fc_capture_read() into the caller's buffer: frame->data, width, height and
 *  stride must be set, width x height the stream's (fc_capture_get_info()),
 *  stride >= FC_CAPTURE_STRIDE(width), stride * height bytes; the pixels are
 *  converted straight into it (no copy out of the capture's own buffer; the
 *  bytes of a row between 3 * width and FC_CAPTURE_STRIDE(width) may be
 *  overwritten) and the other fields filled. FC_EINVAL if the buffer does not
 *  fit; otherwise as fc_capture_read(). */
int fc_capture_read_into(fc_frame *frame, fc_capture *cap);

/** Files: go to the key frame at or before `t_s` seconds of stream time, so the
 *  next fc_capture_read() returns that key frame (or the first frame decodable
 *  from it) and the frames after it, with the same t_s values a read from the
 *  start would give. Frame indices count again from 0 at the seek point
 *  (dropped frames included, as ever). With max_fps, the frames kept are the
 *  ones a read from t = 0 keeps when the source's rate is constant (the due
 *  times are multiples of 1/max_fps). For the segmented pose pass
 *  (formcheck/segpass.h), which reads from the frames' t_s where it is. Errors:
 *  FC_EINVAL (t_s negative or not finite), FC_ENOTIMPL (a device, a recording
 *  capture, an input that cannot seek, or a stream whose start time the
 *  container does not give), FC_EIO (the demuxer's seek failed); fc_capture_error()
 *  says which. */
int fc_capture_seek(fc_capture *cap, double t_s);

/** Files, after fc_capture_seek(): drop the frames before `t_s` cheaply. Until
 *  the packets read are shown within two frames of it, frames no other frame
 *  refers to (most B-frames) are not decoded at all; frames before it are
 *  neither converted nor returned nor counted: the next fc_capture_read()
 *  returns the first frame at or after t_s, with index 0. For the segmented
 *  pose pass, which seeks to a key frame seconds before where it starts.
 *  Errors: FC_EINVAL (t_s negative or not finite, a device). */
int fc_capture_skip_before(fc_capture *cap, double t_s);

/** Number of packets or frames skipped as damaged so far. */
int64_t fc_capture_skipped(const fc_capture *cap);

/** Number of frames dropped so far to keep to opts.max_fps. */
int64_t fc_capture_rate_dropped(const fc_capture *cap);

/** The last error message (names the input); "" if none. */
const char *fc_capture_error(const fc_capture *cap);

/** Ask a blocked or future fc_capture_read() to return FC_EINTR. Async-signal-safe. */
void fc_capture_interrupt(fc_capture *cap);

/** Finish the recording file now (trailer written, playable). Idempotent; 0 if
 *  there was no recording. Errors: FC_EIO, FC_ENOSPC (what was written stays playable
 *  where the container allows). */
int fc_capture_stop_recording(fc_capture *cap);

/** Frames (packets) written to the recording so far; after it was closed, the
 *  final count. */
int64_t fc_capture_recorded_frames(const fc_capture *cap);

/** Close everything (finalising any recording). NULL-safe. */
void fc_capture_free(fc_capture *cap);

#ifdef __cplusplus
}
#endif
#endif /* FORMCHECK_CAPTURE_H */

/*
 * formcheck/encode.h - write BGR frames to a video file with libavcodec
 * (H.264 through libx264 when the encoder is there, else MPEG-4 part 2).
 *
 * Used for annotated videos and rendered samples. The file is written under a
 * temporary name and renamed into place by fc_encoder_close(), so a crash or an
 * interrupt never leaves a half-written video behind under the final name.
 *
 *     fc_encoder_opts o = fc_encoder_default_opts();
 *     o.width = 640; o.height = 480; o.fps_num = 30; o.fps_den = 1;
 *     fc_encoder *enc = NULL;
 *     char err[FC_ERRBUF_SIZE];
 *     if (fc_encoder_open(&enc, "out.mp4", &o, err, sizeof err) < 0) ...
 *     for (...) fc_encoder_write(enc, &frame);       // frame.t_s gives the timestamp
 *     if (fc_encoder_close(enc, err, sizeof err) < 0) ...   // always frees enc
 *
 * Thread-safety: one thread per handle.
 */
#ifndef FORMCHECK_ENCODE_H
#define FORMCHECK_ENCODE_H

#include <stddef.h>

#include "formcheck/error.h"
#include "formcheck/frame.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fc_encoder fc_encoder;

typedef struct fc_encoder_opts {
    int width, height;       /**< frame size in pixels (even numbers for yuv420p: odd sizes are rounded down) */
    int fps_num, fps_den;    /**< nominal frame rate (time base is 1/(fps*1000) so VFR times survive) */
    const char *codec;       /**< encoder name ("libx264", "mpeg4"); NULL = libx264 if present, else mpeg4 */
    int crf;                 /**< libx264 quality (0..51, default 23); mpeg4 uses qscale from it */
    const char *preset;      /**< libx264 preset (default "veryfast") */
    int threads;             /**< encoder threads; 1 = deterministic output (default), 0 = auto */
    int force;               /**< 1 = replace an existing file */
    int use_timestamps;      /**< 1 (default) = frame.t_s gives pts; 0 = frame i at i/fps */
    int bitexact;            /**< 1 = reproducible bytes for committed files: no FFmpeg version strings in
                                  the container or stream, bit-exact colour conversion (default 0). With
                                  threads = 1 the file then depends only on the frames, the options and the
                                  encoder (x264 still records its own version) */
    fc_log_fn log;
    void *log_user;
} fc_encoder_opts;

fc_encoder_opts fc_encoder_default_opts(void);

/** Open `path` (container from the extension: .mp4, .mkv, .avi ...). Errors: FC_EINVAL
 *  (bad size/rate, or `path` is a device or FIFO), FC_EEXIST (exists, no force), FC_EISDIR,
 *  FC_ECODEC (no encoder), FC_EACCES,
 *  FC_ENOENT (directory missing), FC_EIO; the message names `path`. */
int fc_encoder_open(fc_encoder **out, const char *path, const fc_encoder_opts *opts, char *err, size_t errsz);

/** Whether `path` may become the encoder's output: 0 if it does not exist, or is
 *  a regular file and `force` is set. Errors: FC_EISDIR, FC_EINVAL (a device node
 *  or FIFO: renaming over it would replace the node, so it is refused even with
 *  force), FC_EEXIST (exists, no force); the message names `path`. fc_encoder_open()
 *  and fc_encoder_close() check it; callers may check before a long job. */
int fc_encoder_check_target(const char *path, int force, char *err, size_t errsz);

/** Encode one frame (its size must be the opened size; t_s must increase when
 *  use_timestamps is set: frames whose time does not advance are dropped and counted).
 *  No allocation per frame. Errors: FC_EINVAL, FC_EIO, FC_ENOSPC. */
int fc_encoder_write(fc_encoder *enc, const fc_frame *frame);

/** Frames written so far. */
long long fc_encoder_frames(const fc_encoder *enc);

/** Name of the encoder in use ("libx264", "mpeg4"); owned by FFmpeg, valid while
 *  `enc` is open. "" for NULL. */
const char *fc_encoder_codec(const fc_encoder *enc);

/** Flush, write the trailer, rename into place, free. On error the temp file is
 *  removed. Always frees `enc`. */
int fc_encoder_close(fc_encoder *enc, char *err, size_t errsz);

/** Abandon: remove the temp file, free. NULL-safe. */
void fc_encoder_free(fc_encoder *enc);

#ifdef __cplusplus
}
#endif
#endif /* FORMCHECK_ENCODE_H */

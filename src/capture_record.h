/*
 * capture_record.h - internal to the capture module: the recording sink that
 * saves what a device captured (src/capture_record.c). Not installed.
 *
 * Two modes, chosen by the caller (fc_capture_open):
 *  - remux: the device's compressed packets (MJPEG, H.264, ...) are copied as
 *    they are read (fc_rec_write_packet);
 *  - encode: decoded frames (raw devices) are encoded with libx264 if this
 *    FFmpeg has it, else MPEG-4 part 2 (fc_rec_write_frame).
 * The container comes from the file name's extension (.mkv, .mp4, ...). MP4/MOV
 * are written fragmented (moov first, a fragment per key frame) and Matroska
 * with 1 s clusters, packets flushed as written, so a file cut short by a crash
 * still plays; fc_rec_close() writes the trailer for a complete file.
 *
 * The output has no interrupt callback on purpose: after fc_capture_interrupt()
 * the trailer must still be written.
 */
#ifndef FC_CAPTURE_RECORD_H
#define FC_CAPTURE_RECORD_H

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <stdint.h>

#include "formcheck/error.h"

typedef struct fc_rec fc_rec;

/** The stream's display matrix (9 int32), or NULL. FFmpeg 6.1 moved stream side
 *  data into codecpar; 5.1 (Debian 12) has only the AVStream accessors. */
static inline const int32_t *fc_display_matrix(const AVStream *st)
{
#if LIBAVFORMAT_VERSION_INT >= AV_VERSION_INT(60, 15, 100)
    const AVPacketSideData *sd = av_packet_side_data_get(st->codecpar->coded_side_data,
                                                         st->codecpar->nb_coded_side_data, AV_PKT_DATA_DISPLAYMATRIX);
    return sd && sd->size >= 9 * sizeof(int32_t) ? (const int32_t *)sd->data : NULL;
#else
    size_t size = 0;
    const uint8_t *m = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, &size);
    return m && size >= 9 * sizeof(int32_t) ? (const int32_t *)m : NULL;
#endif
}

/** Create `path` for the stream `in` (whose display matrix is copied). `fps` is
 *  the nominal frame rate (sets the key-frame interval when encoding). Errors:
 *  FC_EACCES/FC_ENOENT/FC_EISDIR/FC_ENOSPC/FC_EIO (file), FC_ECODEC (no encoder or the
 *  container cannot hold the codec), FC_ENOMEM; message in err names `path`. */
int fc_rec_open(fc_rec **out, const char *path, const AVStream *in, int remux, double fps, fc_log_fn log,
                void *log_user, char *err, size_t errsz);

/** Remux mode: write a copy of `pkt` (time base of the input stream). */
int fc_rec_write_packet(fc_rec *r, const AVPacket *pkt, char *err, size_t errsz);

/** Encode mode: encode `frame` (any pixel format, native size) at time `t_s`
 *  (seconds from the start, increasing). */
int fc_rec_write_frame(fc_rec *r, const AVFrame *frame, double t_s, char *err, size_t errsz);

/** Packets (= frames) written so far. */
int64_t fc_rec_frames(const fc_rec *r);

/** Flush the encoder, write the trailer, close and free. NULL-safe. Returns 0 or
 *  the first write error (what was written stays playable where the container allows). */
int fc_rec_close(fc_rec *r, char *err, size_t errsz);

#endif

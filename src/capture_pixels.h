/*
 * capture_pixels.h - internal to the capture module: decoded frame -> packed
 * BGR24, scaled and turned upright (src/capture_pixels.c). Not installed.
 *
 * One swscale pass scales and converts into a buffer allocated once; a
 * rotation of 90/180/270 degrees then copies into a second one. Nothing is
 * allocated per frame (the swscale context is rebuilt only if the decoded
 * size, pixel format or colour space change mid-stream).
 */
#ifndef FC_CAPTURE_PIXELS_H
#define FC_CAPTURE_PIXELS_H

#include <libavutil/frame.h>
#include <stdint.h>

#include "formcheck/frame.h"

typedef struct fc_pix {
    struct SwsContext *sws;
    int sws_w, sws_h, sws_fmt, sws_cs, sws_range; /* what sws was made for */
    uint8_t *bgr;         /* scaled BGR before rotation */
    int bgr_w, bgr_h, bgr_stride;
    uint8_t *rot;         /* turned BGR (rotation_deg != 0) */
    int rot_stride;
    int rotation_deg;     /* clockwise: 0, 90, 180, 270 */
    fc_frame_yuv yuv;     /* fc_pix_planar()'s view of the last frame */
} fc_pix;

/** Size of (w, h) scaled down so the longer side is <= max_side (0: no limit),
 *  aspect kept, rounded to nearest, at least 1. */
void fc_pix_fit(int *out_w, int *out_h, int w, int h, int max_side);

/** Buffers for frames scaled to (w, h) before rotation. FC_ENOMEM. */
int fc_pix_init(fc_pix *p, int w, int h, int rotation_deg);

/** Convert `f` and fill out->data, width, height, stride (valid until the next
 *  call). With `dst` non-NULL the pixels are written there instead (the
 *  caller's buffer, `dst_stride` bytes a row, sized for the output) and
 *  out->data = dst. FC_ECODEC if swscale cannot convert the pixel format. */
int fc_pix_convert(fc_frame *out, fc_pix *p, const AVFrame *f, uint8_t *dst, int dst_stride);

/** Instead of converting: when `f` is 8-bit 4:2:0 (yuv420p, yuvj420p) of at least
 *  2x2, describe its planes in p->yuv (valid while `f` is) and fill out->yuv,
 *  width, height (as fc_pix_convert() would give them) with out->data NULL and
 *  out->stride 0; returns 1. Otherwise 0 and nothing is touched. */
int fc_pix_planar(fc_frame *out, fc_pix *p, const AVFrame *f);

/** Free the buffers; zeroes *p. Safe on a zeroed or half-initialised fc_pix. */
void fc_pix_uninit(fc_pix *p);

#endif

/*
 * formcheck/frame.h - the image type passed between stages.
 *
 * A frame is packed 8-bit BGR (what OpenCV expects), row-major, `stride_px`
 * bytes between rows (>= 3 * width). The capture stage owns the pixels of the
 * frames it returns; other stages only read them.
 *
 *     fc_frame f;                       // filled by fc_capture_read()
 *     const uint8_t *px = f.data + y * f.stride + 3 * x;   // B, G, R
 *
 * A capture opened with opts.planar may instead hand out frames as the decoder
 * gave them (data NULL, yuv set): 8-bit 4:2:0 planes at the source's size and
 * orientation, with the map from frame pixels to plane pixels. Only the crops of
 * formcheck/imgwarp.h read them; it saves the whole-frame conversion and scaling
 * when nothing else looks at the pixels.
 */
#ifndef FORMCHECK_FRAME_H
#define FORMCHECK_FRAME_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A frame as decoded: 8-bit 4:2:0 planes (chroma at half the luma width and
 *  height, rounded up, sampled at the centre of each 2x2 luma block). */
typedef struct fc_frame_yuv {
    const uint8_t *plane[3]; /**< Y, Cb, Cr */
    int stride[3];           /**< bytes per row; each row readable 4 bytes past its last pixel */
    int width, height;       /**< luma plane size, pixels */
    /** Frame pixel (x, y) -> luma plane pixel (u, v), pixel centres at integers:
     *  u = m[0] x + m[1] y + m[2], v = m[3] x + m[4] y + m[5] (the scale and the
     *  quarter turns the BGR frame would have had applied). */
    double to_plane[6];
    /** To RGB in [0, 255] before clamping: l = y_scale (Y - y_offset);
     *  R = l + cr_r (Cr - 128), G = l - cb_g (Cb - 128) - cr_g (Cr - 128),
     *  B = l + cb_b (Cb - 128) (swscale's coefficients for the stream's matrix and range). */
    float y_offset, y_scale, cr_r, cb_g, cr_g, cb_b;
} fc_frame_yuv;

typedef struct fc_frame {
    uint8_t *data;   /**< BGR24 pixels, top row first; NULL when yuv is set */
    int width;       /**< pixels */
    int height;      /**< pixels */
    int stride;      /**< bytes per row */
    int64_t index;   /**< 0-based index of the delivered frame in its stream */
    double t_s;      /**< presentation time in seconds from the stream start, monotonic */
    const fc_frame_yuv *yuv; /**< the decoded planes instead of data (opts.planar), else NULL;
                                  valid as long as data would be */
} fc_frame;

#ifdef __cplusplus
}
#endif
#endif /* FORMCHECK_FRAME_H */

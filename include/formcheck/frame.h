/*
 * formcheck/frame.h - the image type passed between stages.
 *
 * A frame is packed 8-bit BGR (what OpenCV expects), row-major, `stride_px`
 * bytes between rows (>= 3 * width). The capture stage owns the pixels of the
 * frames it returns; other stages only read them.
 *
 *     fc_frame f;                       // filled by fc_capture_read()
 *     const uint8_t *px = f.data + y * f.stride + 3 * x;   // B, G, R
 */
#ifndef FORMCHECK_FRAME_H
#define FORMCHECK_FRAME_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fc_frame {
    uint8_t *data;   /**< BGR24 pixels, top row first */
    int width;       /**< pixels */
    int height;      /**< pixels */
    int stride;      /**< bytes per row */
    int64_t index;   /**< 0-based index of the delivered frame in its stream */
    double t_s;      /**< presentation time in seconds from the stream start, monotonic */
} fc_frame;

#ifdef __cplusplus
}
#endif
#endif /* FORMCHECK_FRAME_H */

/*
 * synth_render.h - the synthetic athlete's renderer and encoder (test-only).
 *
 *     fc_synth_render_opts ro;
 *     fc_synth_render_default_opts(&ro);
 *     fc_synth_render_stats st;
 *     char err[FC_ERRBUF_SIZE];
 *     if (fc_synth_render_video("squat.mp4", &sc, &ro, &st, err, sizeof err) < 0) ...
 *
 *     // or frame by frame into a BGR24 buffer:
 *     fc_synth_renderer *r = NULL;
 *     fc_synth_renderer_create(&r, &sc, &ro, err, sizeof err);
 *     fc_synth_render_frame(r, bgr, 3 * sc.cam.width, 17);
 *     fc_synth_renderer_free(r);
 *
 * The figure is ~40 capsules and ellipsoids placed on the skeleton of
 * fc_synth_pose_at(), ray-traced exactly through the same camera as
 * fc_synth_project() (pixel i covers [i, i+1)), 2x2 supersampled, Lambert +
 * ambient light with soft floor shadows, on a wood floor and a painted wall.
 * Webcam-like sensor noise is added per frame from the seed. Deterministic for
 * a scenario (and thread count-independent). A renderer is used by one thread
 * at a time; it may run worker threads internally (opts.threads).
 */
#ifndef FC_SYNTH_RENDER_H
#define FC_SYNTH_RENDER_H

#include <stddef.h>
#include <stdint.h>

#include "synth.h"

typedef struct fc_synth_render_opts {
    int markers;     /**< paint a 1-pixel marker (pure colours) at each projected landmark */
    int threads;     /**< render threads (1); output does not depend on it */
    int crf;         /**< H.264 constant rate factor (28) */
    int supersample; /**< 1 or 2 (2x2 anti-aliasing, default) */
    double noise;    /**< sensor noise s.d. in 8-bit levels (2.0); 0 for tests */
} fc_synth_render_opts;

typedef struct fc_synth_render_stats {
    int64_t frames;
    double render_fps;  /**< frames per second rendering only */
    double total_fps;   /**< including encoding and writing */
    char codec[32];
} fc_synth_render_stats;

typedef struct fc_synth_renderer fc_synth_renderer;

void fc_synth_render_default_opts(fc_synth_render_opts *o);

/** Errors: FC_EINVAL (bad scenario/opts, message in err), FC_ENOMEM. */
int fc_synth_renderer_create(fc_synth_renderer **out, const fc_synth_scenario *sc,
                             const fc_synth_render_opts *o, char *err, size_t errsz);

/** Render frame `frame` (time frame/fps) into a BGR24 image of the scenario's size. */
int fc_synth_render_frame(fc_synth_renderer *r, uint8_t *bgr, int stride, int64_t frame);

/** Which body part (0 = background/floor/wall, else a primitive index + 1) the ray
 *  through pixel position (u, v) (continuous coordinates) hits first on `frame`. */
int fc_synth_render_probe(fc_synth_renderer *r, int64_t frame, double u, double v, char *part, size_t partsz);

void fc_synth_renderer_free(fc_synth_renderer *r);

/** The marker colour of landmark `id` (BGR), painted unblended at pixel
 *  (floor(x), floor(y)) of its projection when opts.markers is set. */
void fc_synth_marker_colour(int id, uint8_t bgr[3]);

/** Render the whole clip and encode it to `path` with fc_encoder (mp4, yuv420p;
 *  libx264 preset medium at opts.crf, one thread and bitexact, so the bytes
 *  depend only on the scenario; MPEG-4 part 2 if libx264 is absent). Written to
 *  a temp file and renamed; an existing file is replaced. */
int fc_synth_render_video(const char *path, const fc_synth_scenario *sc, const fc_synth_render_opts *o,
                          fc_synth_render_stats *stats, char *err, size_t errsz);

/** Render frame `frame` to a PNG file (via libavcodec's PNG encoder). */
int fc_synth_render_png(const char *path, const fc_synth_scenario *sc, const fc_synth_render_opts *o,
                        int64_t frame, char *err, size_t errsz);

#endif

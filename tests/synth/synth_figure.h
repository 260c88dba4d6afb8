/* synth_figure.h - the dressed figure: primitives placed on a skeleton and
 * their exact ray intersections (private to the renderer). */
#ifndef FC_SYNTH_FIGURE_H
#define FC_SYNTH_FIGURE_H

#include "synth_internal.h"

#define FC_SYNTH_MAX_PRIMS 64

enum { FC_SYNTH_CAPSULE = 0, FC_SYNTH_ELLIPSOID = 1 };

typedef struct fc_synth_prim {
    int type;
    const char *name;     /* static: "left_thigh", "head", ... */
    v3 a, b;              /* capsule ends; ellipsoid centre in a */
    double r;             /* capsule radius */
    v3 m[3];              /* ellipsoid: axis_i / semi_i (maps to the unit sphere) */
    v3 bc;                /* bounding sphere */
    double br;
    float col[3];         /* albedo, display RGB 0..1 */
    int clip;             /* hair: keep only part of the surface */
    v3 clip_c, clip_f, clip_u;
    double clip_s;
    int x0, y0, x1, y1;   /* screen bounds (pixels, inclusive), empty if x1 < x0 */
    /* set by fc_synth_figure_prepare() for rays from one origin (the camera) */
    v3 o;                 /* the origin */
    v3 boc;               /* origin - bounding centre */
    double bcc;           /* |boc|^2 - br^2 */
    v3 lo;                /* ellipsoid: origin in unit-sphere space; capsule: origin - a */
    double lc;            /* ellipsoid: |lo|^2 - 1 */
    v3 ba;                /* capsule: b - a */
    double baba, baoa, oaoa;
} fc_synth_prim;

typedef struct fc_synth_figure {
    fc_synth_prim p[FC_SYNTH_MAX_PRIMS];
    int n;
    int skin, hair, shirt, shorts, shoe; /* palette indices */
} fc_synth_figure;

/* Pick the colours from the seed (skin tone, hair, shirt/shorts, shoes). */
void fc_synth_figure_palette(fc_synth_figure *f, uint64_t seed);
/* Place the primitives on the skeleton (palette kept). */
void fc_synth_figure_build(fc_synth_figure *f, const fc_synth_skeleton *sk, double trunk_len);
/* Precompute what depends only on the rays' common origin `o` (per frame). */
void fc_synth_figure_prepare(fc_synth_figure *f, v3 o);
/* Ray from the prepared origin along unit d: nearest t in (0, tmax) or -1;
 * *n = outward normal. */
double fc_synth_prim_hit(const fc_synth_prim *p, v3 d, double tmax, v3 *n);

#endif

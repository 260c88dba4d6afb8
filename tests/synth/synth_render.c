/* synth_render.c - ray-trace the dressed figure in a room (wood floor, painted
 * wall), Lambert + ambient light, soft floor shadows, 2x2 anti-aliasing,
 * vignetting and sensor noise. Screen-space tiles keep it fast: each 8x8 tile
 * lists the primitives whose projected bounds touch it. */
#define _POSIX_C_SOURCE 200809L
#include "synth_render.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formcheck/error.h"
#include "synth_figure.h"

#define TILE 8
#define SHADOW_N 160
#define SHADOW_CELL_M 0.025
#define AMBIENT 0.40
#define KEY 0.60
#define FILL 0.12

static const v3 UP = {0, 1, 0};

struct fc_synth_renderer {
    fc_synth_scenario sc;
    fc_synth_render_opts o;
    int w, h, tw, th;
    double trunk_len;
    fc_synth_figure fig;
    fc_synth_skeleton sk;
    fc_synth_view view;
    v3 light, fill, wall_n;
    double wall_d;        /* wall plane: dot(wall_n, p) + wall_d = 0 */
    float *bg;            /* w*h*3 background colour, unshadowed */
    float *floor_xz;      /* w*h*2 floor point under the pixel centre, NAN if not floor */
    float *vignette;      /* w*h */
    uint64_t *tiles;      /* tw*th primitive masks */
    float shadow[SHADOW_N * SHADOW_N];
    double sx0, sz0;      /* shadow grid origin (scene x, z) */
    int bg_static, bg_done;
    int frame_ready;      /* prims/tiles/shadows are set up for `frame` */
    int64_t frame;
    uint8_t *out;
    int stride;
};

void fc_synth_render_default_opts(fc_synth_render_opts *o)
{
    o->markers = 0;
    o->threads = 1;
    o->crf = 28;
    o->supersample = 2;
    o->noise = 2.0;
}

void fc_synth_marker_colour(int id, uint8_t bgr[3])
{
    bgr[0] = (uint8_t)(7 * id);
    bgr[1] = (uint8_t)(255 - 7 * id);
    bgr[2] = 255;
}

/* ---- background ---- */

static uint32_t hash3(int64_t a, int64_t b, uint64_t c)
{
    uint64_t h = (uint64_t)a * 0x9E3779B97F4A7C15ull ^ (uint64_t)b * 0xC2B2AE3D27D4EB4Full ^ c * 0x165667B19E3779F9ull;
    h ^= h >> 31;
    h *= 0xD6E8FEB86659FD93ull;
    h ^= h >> 32;
    return (uint32_t)h;
}

static double h01(int64_t a, int64_t b, uint64_t c)
{
    return hash3(a, b, c) * (1.0 / 4294967296.0);
}

/* Smooth value noise on a grid of spacing 1. */
static double vnoise(double x, double y, uint64_t seed)
{
    double fx = floor(x), fy = floor(y), tx = x - fx, ty = y - fy;
    int64_t ix = (int64_t)fx, iy = (int64_t)fy;
    double a = h01(ix, iy, seed), b = h01(ix + 1, iy, seed), c = h01(ix, iy + 1, seed), d = h01(ix + 1, iy + 1, seed);
    tx = tx * tx * (3 - 2 * tx);
    ty = ty * ty * (3 - 2 * ty);
    return (a + (b - a) * tx) * (1 - ty) + (c + (d - c) * tx) * ty;
}

/* Wood planks 14 cm wide along x, 1.2 m long, staggered, with grain. */
static void floor_albedo(float c[3], double x, double z, uint64_t seed)
{
    double pw = 0.14, pz = z / pw, iz = floor(pz), off = h01((int64_t)iz, 0, seed + 11) * 1.2;
    double px = (x + off) / 1.2, ix = floor(px), tone = h01((int64_t)iz, (int64_t)ix, seed + 12);
    double grain = 1 + 0.05 * sin(60 * (z + 0.012 * sin(9 * x + 6 * tone))) + 0.06 * (vnoise(x * 3, z * 40, seed) - 0.5);
    double k = (0.80 + 0.32 * tone) * grain;
    if (pz - iz < 0.035 || px - ix < 0.004)
        k *= 0.55; /* seams */
    c[0] = (float)(0.66 * k);
    c[1] = (float)(0.45 * k);
    c[2] = (float)(0.27 * k);
}

/* Painted wall with a slight roller texture and a white skirting board. */
static void wall_albedo(float c[3], v3 p, v3 along, uint64_t seed)
{
    double s = v3dot(p, along), n = 0.94 + 0.05 * vnoise(s * 12, p.y * 12, seed + 3) + 0.03 * vnoise(s * 60, p.y * 60, seed + 4);
    if (p.y < 0.10) {
        double k = p.y > 0.095 ? 0.7 : 1.0;
        c[0] = c[1] = (float)(0.90 * k);
        c[2] = (float)(0.88 * k);
        return;
    }
    c[0] = (float)(0.88 * n);
    c[1] = (float)(0.86 * n);
    c[2] = (float)(0.80 * n);
}

/* Background along ray (o, d): colour, and the floor point if it is the floor. */
static void trace_bg(const fc_synth_renderer *r, v3 o, v3 d, float c[3], double *fx, double *fz)
{
    double tf = d.y < -1e-9 ? -o.y / d.y : INFINITY;
    double dn = v3dot(r->wall_n, d), tw = dn < -1e-9 ? -(r->wall_d + v3dot(r->wall_n, o)) / dn : INFINITY;
    double lit;

    *fx = *fz = NAN;
    if (tf < tw) {
        v3 p = v3mad(o, d, tf);
        floor_albedo(c, p.x, p.z, r->sc.seed);
        lit = AMBIENT + KEY * r->light.y;
        *fx = p.x;
        *fz = p.z;
    } else if (isfinite(tw)) {
        v3 p = v3mad(o, d, tw);
        wall_albedo(c, p, v3cross(UP, r->wall_n), r->sc.seed);
        lit = AMBIENT + KEY * fmax(0, v3dot(r->wall_n, r->light));
    } else {
        c[0] = c[1] = c[2] = 0.8f;
        lit = 1;
    }
    for (int i = 0; i < 3; i++)
        c[i] = (float)(c[i] * lit);
}

/* Ray through continuous pixel position (u, v), as fc_synth_project() maps. */
static v3 ray_dir(const fc_synth_view *v, double u, double px)
{
    double x, y;
    if (v->mirror)
        u = v->width - u;
    x = (u - v->cx) / v->focal_px;
    y = (px - v->cy) / v->focal_px;
    return v3norm(v3add(v->fwd, v3add(v3scale(v->right, x), v3scale(v->down, y))));
}

static void background_row(fc_synth_renderer *r, int y)
{
    int ss = r->o.supersample;
    for (int x = 0; x < r->w; x++) {
        float acc[3] = {0, 0, 0}, c[3];
        double fx, fz;
        for (int sy = 0; sy < ss; sy++)
            for (int sx = 0; sx < ss; sx++) {
                trace_bg(r, r->view.pos, ray_dir(&r->view, x + (sx + 0.5) / ss, y + (sy + 0.5) / ss), c, &fx, &fz);
                for (int i = 0; i < 3; i++)
                    acc[i] += c[i];
            }
        trace_bg(r, r->view.pos, ray_dir(&r->view, x + 0.5, y + 0.5), c, &fx, &fz);
        for (int i = 0; i < 3; i++)
            r->bg[3 * ((size_t)y * r->w + x) + i] = acc[i] / (ss * ss);
        r->floor_xz[2 * ((size_t)y * r->w + x)] = (float)fx;
        r->floor_xz[2 * ((size_t)y * r->w + x) + 1] = (float)fz;
    }
}

/* ---- per-frame setup: primitives, tiles, shadows ---- */

static void sphere_bounds(const fc_synth_view *v, v3 c, double rad, int b[4])
{
    double u, px, z;
    if (fc_synth_project(&u, &px, &z, v, c) < 0 || z - rad < 0.05) {
        b[0] = b[1] = -100000;
        b[2] = b[3] = 100000;
        return;
    }
    {
        double rp = v->focal_px * rad / (z - rad) * 1.05 + 2;
        b[0] = (int)floor(u - rp);
        b[1] = (int)floor(px - rp);
        b[2] = (int)ceil(u + rp);
        b[3] = (int)ceil(px + rp);
    }
}

static void prim_bounds(const fc_synth_view *v, fc_synth_prim *p)
{
    int a[4], b[4];
    if (p->type == FC_SYNTH_CAPSULE) {
        sphere_bounds(v, p->a, p->r, a);
        sphere_bounds(v, p->b, p->r, b);
        a[0] = a[0] < b[0] ? a[0] : b[0];
        a[1] = a[1] < b[1] ? a[1] : b[1];
        a[2] = a[2] > b[2] ? a[2] : b[2];
        a[3] = a[3] > b[3] ? a[3] : b[3];
    } else {
        sphere_bounds(v, p->bc, p->br, a);
    }
    p->x0 = a[0];
    p->y0 = a[1];
    p->x1 = a[2];
    p->y1 = a[3];
}

static void build_tiles(fc_synth_renderer *r)
{
    memset(r->tiles, 0, sizeof(uint64_t) * (size_t)r->tw * r->th);
    for (int i = 0; i < r->fig.n; i++) {
        fc_synth_prim *p = &r->fig.p[i];
        int tx0, ty0, tx1, ty1;
        prim_bounds(&r->view, p);
        tx0 = p->x0 < 0 ? 0 : p->x0 / TILE;
        ty0 = p->y0 < 0 ? 0 : p->y0 / TILE;
        tx1 = p->x1 >= r->w ? r->tw - 1 : p->x1 / TILE;
        ty1 = p->y1 >= r->h ? r->th - 1 : p->y1 / TILE;
        for (int ty = ty0; ty <= ty1; ty++)
            for (int tx = tx0; tx <= tx1; tx++)
                r->tiles[(size_t)ty * r->tw + tx] |= 1ull << i;
    }
}

static double seg_dist2(double px, double pz, double ax, double az, double bx, double bz)
{
    double dx = bx - ax, dz = bz - az, l2 = dx * dx + dz * dz;
    double t = l2 > 1e-12 ? clampd(((px - ax) * dx + (pz - az) * dz) / l2, 0, 1) : 0;
    double ex = px - ax - t * dx, ez = pz - az - t * dz;
    return ex * ex + ez * ez;
}

/* Soft shadows on the floor: every primitive as a capsule/sphere projected along
 * the key light; penumbra grows with height. Coverage in [0,1] per 2.5 cm cell. */
static void build_shadows(fc_synth_renderer *r)
{
    v3 L = r->light;
    double kx = L.x / L.y, kz = L.z / L.y;
    v3 c = r->sk.pelvis;

    r->sx0 = c.x - kx * 0.8 - SHADOW_N * SHADOW_CELL_M / 2;
    r->sz0 = c.z - kz * 0.8 - SHADOW_N * SHADOW_CELL_M / 2;
    memset(r->shadow, 0, sizeof r->shadow);
    for (int i = 0; i < r->fig.n; i++) {
        const fc_synth_prim *p = &r->fig.p[i];
        v3 a = p->type == FC_SYNTH_CAPSULE ? p->a : p->bc, b = p->type == FC_SYNTH_CAPSULE ? p->b : p->bc;
        double rad = p->type == FC_SYNTH_CAPSULE ? p->r
                                                  : (1 / v3len(p->m[0]) + 1 / v3len(p->m[1]) + 1 / v3len(p->m[2])) / 3;
        double ax = a.x - kx * a.y, az = a.z - kz * a.y, bx = b.x - kx * b.y, bz = b.z - kz * b.y;
        double hgt = fmax(0, 0.5 * (a.y + b.y) - rad), pen = 0.012 + 0.07 * hgt, outer = rad + pen;
        int i0 = (int)floor((fmin(ax, bx) - outer - r->sx0) / SHADOW_CELL_M);
        int i1 = (int)ceil((fmax(ax, bx) + outer - r->sx0) / SHADOW_CELL_M);
        int j0 = (int)floor((fmin(az, bz) - outer - r->sz0) / SHADOW_CELL_M);
        int j1 = (int)ceil((fmax(az, bz) + outer - r->sz0) / SHADOW_CELL_M);
        if (p->clip || rad < 0.02) /* hair: the head casts it; face details: too small */
            continue;
        for (int j = j0 < 0 ? 0 : j0; j <= j1 && j < SHADOW_N; j++)
            for (int k = i0 < 0 ? 0 : i0; k <= i1 && k < SHADOW_N; k++) {
                double d = sqrt(seg_dist2(r->sx0 + k * SHADOW_CELL_M, r->sz0 + j * SHADOW_CELL_M, ax, az, bx, bz));
                double cov = clampd((outer - d) / (2 * pen), 0, 1);
                float *s = &r->shadow[j * SHADOW_N + k];
                cov = cov * cov * (3 - 2 * cov);
                if (cov > *s)
                    *s = (float)cov;
            }
    }
}

static double shadow_at(const fc_synth_renderer *r, double x, double z)
{
    double gx = (x - r->sx0) / SHADOW_CELL_M, gz = (z - r->sz0) / SHADOW_CELL_M;
    int ix = (int)floor(gx), iz = (int)floor(gz);
    double tx = gx - ix, tz = gz - iz;
    if (ix < 0 || iz < 0 || ix >= SHADOW_N - 1 || iz >= SHADOW_N - 1)
        return 1;
    {
        const float *s = &r->shadow[iz * SHADOW_N + ix];
        double cov = (s[0] * (1 - tx) + s[1] * tx) * (1 - tz) + (s[SHADOW_N] * (1 - tx) + s[SHADOW_N + 1] * tx) * tz;
        return 1 - 0.55 * cov;
    }
}

/* ---- the frame ---- */

/* Nearest primitive hit among `mask`; index or -1. */
static int hit_figure(const fc_synth_renderer *r, uint64_t mask, v3 o, v3 d, double *t_out, v3 *n_out)
{
    double best = 1e30;
    int idx = -1;
    while (mask) {
        int i = __builtin_ctzll(mask);
        v3 n;
        double t;
        mask &= mask - 1;
        t = fc_synth_prim_hit(&r->fig.p[i], d, best, &n);
        if (t > 0 && (o.y + t * d.y) >= 0) { /* below the floor is hidden by it */
            best = t;
            idx = i;
            *n_out = n;
        }
    }
    *t_out = best;
    return idx;
}

static void shade(const fc_synth_renderer *r, const fc_synth_prim *p, v3 n, v3 d, float c[3])
{
    double lit;
    if (v3dot(n, d) > 0)
        n = v3scale(n, -1);
    lit = AMBIENT + KEY * fmax(0, v3dot(n, r->light)) + FILL * fmax(0, v3dot(n, r->fill));
    for (int i = 0; i < 3; i++)
        c[i] = (float)(p->col[i] * lit);
}

static void render_row(fc_synth_renderer *r, int y)
{
    int ss = r->o.supersample, w = r->w;
    uint8_t *row = r->out + (size_t)y * r->stride;

    if (!r->bg_static)
        background_row(r, y);
    for (int x = 0; x < w; x++) {
        size_t pi = (size_t)y * w + x;
        uint64_t mask = r->tiles[(size_t)(y / TILE) * r->tw + x / TILE];
        float bgc[3], acc[3] = {0, 0, 0};
        double fx = r->floor_xz[2 * pi], sh = isnan(fx) ? 1 : shadow_at(r, fx, r->floor_xz[2 * pi + 1]);
        double vig = r->vignette[pi];

        for (int i = 0; i < 3; i++)
            bgc[i] = (float)(r->bg[3 * pi + i] * sh);
        if (!mask) {
            memcpy(acc, bgc, sizeof acc);
        } else {
            for (int sy = 0; sy < ss; sy++)
                for (int sx = 0; sx < ss; sx++) {
                    v3 d = ray_dir(&r->view, x + (sx + 0.5) / ss, y + (sy + 0.5) / ss), n;
                    double t;
                    int k = hit_figure(r, mask, r->view.pos, d, &t, &n);
                    float c[3];
                    if (k >= 0)
                        shade(r, &r->fig.p[k], n, d, c);
                    else
                        memcpy(c, bgc, sizeof c);
                    for (int i = 0; i < 3; i++)
                        acc[i] += c[i] / (ss * ss);
                }
        }
        {
            /* sensor noise: mostly luma, a little chroma, from a per-pixel hash */
            uint32_t hsh = hash3(r->frame, (int64_t)pi, r->sc.seed + 99);
            double nl = r->o.noise * (((hsh & 0xFF) + ((hsh >> 8) & 0xFF)) / 255.0 - 1.0) * 1.22;
            for (int i = 0; i < 3; i++) {
                double nc = r->o.noise * 0.35 * (((hsh >> (16 + 5 * i)) & 0x1F) / 31.0 - 0.5);
                double v = 255.0 * acc[2 - i] * vig + nl + nc; /* BGR */
                row[3 * x + i] = (uint8_t)clampd(floor(v + 0.5), 0, 255);
            }
        }
    }
}

typedef struct band {
    fc_synth_renderer *r;
    int y0, y1;
} band;

static void *band_main(void *arg)
{
    band *b = arg;
    for (int y = b->y0; y < b->y1; y++)
        render_row(b->r, y);
    return NULL;
}

static void paint_markers(fc_synth_renderer *r)
{
    fc_synth_scenario clean = r->sc;
    fc_pose_result kp;

    clean.noise_deg = clean.noise_px = clean.dropout = 0;
    fc_synth_keypoints(&kp, &clean, &r->sk, r->frame);
    for (int i = 0; kp.found && i < FC_NUM_LANDMARKS; i++) {
        int x = (int)floor(kp.lm[i].x), y = (int)floor(kp.lm[i].y);
        if (x >= 0 && y >= 0 && x < r->w && y < r->h)
            fc_synth_marker_colour(i, r->out + (size_t)y * r->stride + 3 * x);
    }
}

static void setup_frame(fc_synth_renderer *r, int64_t frame)
{
    double t = frame / r->sc.cam.fps;
    if (r->frame_ready && r->frame == frame)
        return;
    r->frame = frame;
    r->frame_ready = 1;
    fc_synth_pose_at(&r->sk, &r->sc, t);
    fc_synth_view_at(&r->view, &r->sc, t);
    fc_synth_figure_build(&r->fig, &r->sk, r->trunk_len);
    fc_synth_figure_prepare(&r->fig, r->view.pos);
    build_tiles(r);
    build_shadows(r);
}

int fc_synth_render_frame(fc_synth_renderer *r, uint8_t *bgr, int stride, int64_t frame)
{
    int nt = r->o.threads < 1 ? 1 : r->o.threads > 16 ? 16 : r->o.threads;
    pthread_t th[16];
    band bands[16];
    int started = 0;

    if (!r || !bgr || stride < 3 * r->w || frame < 0)
        return FC_EINVAL;
    setup_frame(r, frame);
    r->out = bgr;
    r->stride = stride;
    if (r->bg_static && !r->bg_done) {
        for (int y = 0; y < r->h; y++)
            background_row(r, y);
        r->bg_done = 1;
    }
    for (int i = 0; i < nt; i++) {
        bands[i] = (band){r, r->h * i / nt, r->h * (i + 1) / nt};
        if (i > 0 && pthread_create(&th[i], NULL, band_main, &bands[i]) == 0)
            started |= 1 << i;
        else if (i > 0)
            band_main(&bands[i]);
    }
    band_main(&bands[0]);
    for (int i = 1; i < nt; i++)
        if (started & (1 << i))
            pthread_join(th[i], NULL);
    if (r->o.markers)
        paint_markers(r);
    return 0;
}

int fc_synth_render_probe(fc_synth_renderer *r, int64_t frame, double u, double v, char *part, size_t partsz)
{
    v3 d, n;
    double t;
    int k;

    setup_frame(r, frame);
    d = ray_dir(&r->view, u, v);
    k = hit_figure(r, (r->fig.n >= 64 ? ~0ull : (1ull << r->fig.n) - 1), r->view.pos, d, &t, &n);
    if (part && partsz)
        snprintf(part, partsz, "%s", k >= 0 ? r->fig.p[k].name : "background");
    return k + 1;
}

int fc_synth_renderer_create(fc_synth_renderer **out, const fc_synth_scenario *sc, const fc_synth_render_opts *o,
                             char *err, size_t errsz)
{
    fc_synth_renderer *r = NULL;
    double seg[7];
    int rc;
    v3 fh;

    *out = NULL;
    if ((rc = fc_synth_scenario_check(sc, err, errsz)) < 0)
        return rc;
    if (o->supersample < 1 || o->supersample > 4 || !(o->noise >= 0 && o->noise <= 50) || o->threads < 1 ||
        o->threads > 16 || o->crf < 0 || o->crf > 51)
        return fc_set_error(err, errsz, FC_EINVAL,
                            "render options out of range (supersample 1-4, noise 0-50, threads 1-16, crf 0-51)");
    if (!(r = calloc(1, sizeof *r)))
        return fc_set_error(err, errsz, FC_ENOMEM, "out of memory");
    r->sc = *sc;
    r->o = *o;
    r->w = sc->cam.width;
    r->h = sc->cam.height;
    r->tw = (r->w + TILE - 1) / TILE;
    r->th = (r->h + TILE - 1) / TILE;
    r->bg = malloc(sizeof(float) * 3 * (size_t)r->w * r->h);
    r->floor_xz = malloc(sizeof(float) * 2 * (size_t)r->w * r->h);
    r->vignette = malloc(sizeof(float) * (size_t)r->w * r->h);
    r->tiles = malloc(sizeof(uint64_t) * (size_t)r->tw * r->th);
    if (!r->bg || !r->floor_xz || !r->vignette || !r->tiles) {
        fc_synth_renderer_free(r);
        return fc_set_error(err, errsz, FC_ENOMEM, "out of memory for %dx%d frames", sc->cam.width,
                            sc->cam.height);
    }
    fc_synth_segments(seg, sc);
    r->trunk_len = seg[6];
    fc_synth_figure_palette(&r->fig, sc->seed);
    fc_synth_view_at(&r->view, sc, 0);
    {
        /* lights and walls follow the unshaken camera */
        fc_synth_scenario still = *sc;
        fc_synth_view v0;
        double deep = 0;
        still.cam.shake_deg = 0;
        fc_synth_view_at(&v0, &still, 0);
        fh = v3norm(v3make(v0.fwd.x, 0, v0.fwd.z));
        r->light = v3norm(v3add(v3add(v3scale(fh, -0.6), UP), v3scale(v0.right, 0.35)));
        r->fill = v3norm(v3add(v3add(v3scale(fh, -0.5), v3scale(UP, 0.2)), v3scale(v0.right, -0.8)));
        r->wall_n = v3scale(fh, -1);
        /* behind the spot, and behind any walk in/out path (body x axis) */
        if (sc->walk_in || sc->walk_out)
            deep = 2.6 * sc->body.height_m / 1.75 * fabs(fh.x);
        r->wall_d = 1.8 + deep; /* plane through spot + fh * dist, normal -fh */
    }
    r->bg_static = sc->cam.shake_deg == 0;
    for (int y = 0; y < r->h; y++)
        for (int x = 0; x < r->w; x++) {
            double dx = (x + 0.5 - r->w / 2.0) / (r->w / 2.0), dy = (y + 0.5 - r->h / 2.0) / (r->w / 2.0);
            r->vignette[(size_t)y * r->w + x] = (float)(1 - 0.18 * (dx * dx + dy * dy));
        }
    *out = r;
    return 0;
}

void fc_synth_renderer_free(fc_synth_renderer *r)
{
    if (!r)
        return;
    free(r->bg);
    free(r->floor_xz);
    free(r->vignette);
    free(r->tiles);
    free(r);
}

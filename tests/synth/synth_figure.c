/* synth_figure.c - dress the skeleton: ~40 capsules and ellipsoids (head with
 * hair and face, neck, shirt, shorts, limbs, hands, socks, shoes), their exact
 * ray hits, and their screen-space bounds. */
#include <math.h>
#include <string.h>

#include "synth_figure.h"

static void capsule(fc_synth_figure *f, const char *name, v3 a, v3 b, double r, const float col[3])
{
    fc_synth_prim *p;
    if (f->n >= FC_SYNTH_MAX_PRIMS)
        return;
    p = &f->p[f->n++];
    memset(p, 0, sizeof *p);
    p->type = FC_SYNTH_CAPSULE;
    p->name = name;
    p->a = a;
    p->b = b;
    p->r = r;
    p->bc = v3scale(v3add(a, b), 0.5);
    p->br = 0.5 * v3len(v3sub(b, a)) + r;
    memcpy(p->col, col, sizeof p->col);
}

/* Ellipsoid with orthonormal axes ax[] and semi-axes s[]. */
static fc_synth_prim *ellipsoid(fc_synth_figure *f, const char *name, v3 c, v3 a0, v3 a1, v3 a2, double s0,
                                double s1, double s2, const float col[3])
{
    fc_synth_prim *p;
    if (f->n >= FC_SYNTH_MAX_PRIMS)
        return NULL;
    p = &f->p[f->n++];
    memset(p, 0, sizeof *p);
    p->type = FC_SYNTH_ELLIPSOID;
    p->name = name;
    p->a = c;
    p->m[0] = v3scale(a0, 1 / s0);
    p->m[1] = v3scale(a1, 1 / s1);
    p->m[2] = v3scale(a2, 1 / s2);
    p->bc = c;
    p->br = fmax(s0, fmax(s1, s2));
    memcpy(p->col, col, sizeof p->col);
    return p;
}

static void sphere(fc_synth_figure *f, const char *name, v3 c, double r, const float col[3])
{
    ellipsoid(f, name, c, v3make(1, 0, 0), v3make(0, 1, 0), v3make(0, 0, 1), r, r, r, col);
}

/* Palettes picked by the seed: skin tones, hair, shirt and shorts that contrast. */
static const float SKIN[4][3] = {{0.91f, 0.74f, 0.62f}, {0.80f, 0.60f, 0.46f}, {0.63f, 0.44f, 0.32f},
                                 {0.45f, 0.31f, 0.23f}};
static const float HAIR[3][3] = {{0.16f, 0.11f, 0.07f}, {0.07f, 0.06f, 0.05f}, {0.35f, 0.22f, 0.12f}};
static const float SHIRT[4][3] = {{0.80f, 0.16f, 0.16f}, {0.16f, 0.36f, 0.78f}, {0.15f, 0.56f, 0.36f},
                                  {0.95f, 0.62f, 0.12f}};
static const float SHORTS[2][3] = {{0.12f, 0.13f, 0.22f}, {0.18f, 0.18f, 0.20f}};
static const float SHOE[2][3] = {{0.93f, 0.93f, 0.90f}, {0.85f, 0.25f, 0.20f}};
static const float WHITE[3] = {0.95f, 0.95f, 0.93f};
static const float PUPIL[3] = {0.10f, 0.07f, 0.05f};
static const float LIPS[3] = {0.62f, 0.27f, 0.27f};

void fc_synth_figure_palette(fc_synth_figure *f, uint64_t seed)
{
    fc_synth_rng rng;
    fc_synth_rng_seed(&rng, seed, 7);
    f->skin = (int)(fc_synth_rng_uniform(&rng) * 4);
    f->hair = (int)(fc_synth_rng_uniform(&rng) * 3);
    f->shirt = (int)(fc_synth_rng_uniform(&rng) * 4);
    f->shorts = (int)(fc_synth_rng_uniform(&rng) * 2);
    f->shoe = (int)(fc_synth_rng_uniform(&rng) * 2);
}

static void head(fc_synth_figure *f, const fc_synth_skeleton *sk)
{
    double s = sk->scale;
    v3 c = sk->head, hf = sk->head_fwd, hu = sk->head_up, hl = sk->head_left;
    const float *skin = SKIN[f->skin], *hair = HAIR[f->hair];
    fc_synth_prim *h;

    ellipsoid(f, "head", c, hf, hu, hl, 0.10 * s, 0.12 * s, 0.08 * s, skin);
    h = ellipsoid(f, "hair", v3add(v3mad(c, hu, 0.012 * s), v3scale(hf, -0.01 * s)), hf, hu, hl, 0.107 * s,
                  0.125 * s, 0.087 * s, hair);
    if (h) {
        h->clip = 1; /* hairline: keep only the top and the back, see hair_kept() */
        h->clip_c = c;
        h->clip_f = hf;
        h->clip_u = hu;
        h->clip_s = s;
    }
    for (int side = 0; side < 2; side++) {
        double sg = side == 0 ? 1 : -1;
        v3 ear = sk->p[side == 0 ? FC_LM_LEFT_EAR : FC_LM_RIGHT_EAR];
        v3 eye = sk->p[side == 0 ? FC_LM_LEFT_EYE : FC_LM_RIGHT_EYE];
        ellipsoid(f, side == 0 ? "left_ear" : "right_ear", v3mad(ear, hl, sg * 0.005 * s), hf, hu, hl, 0.025 * s,
                  0.032 * s, 0.014 * s, skin);
        sphere(f, side == 0 ? "left_eye" : "right_eye", v3mad(eye, hf, 0.004 * s), 0.011 * s, WHITE);
        sphere(f, side == 0 ? "left_pupil" : "right_pupil", v3mad(eye, hf, 0.0115 * s), 0.0062 * s, PUPIL);
        ellipsoid(f, side == 0 ? "left_brow" : "right_brow", v3add(v3mad(eye, hu, 0.024 * s), v3scale(hf, 0.002 * s)),
                  hf, hu, hl, 0.006 * s, 0.005 * s, 0.019 * s, hair);
    }
    ellipsoid(f, "nose", v3add(v3mad(sk->p[FC_LM_NOSE], hf, -0.012 * s), v3scale(hu, 0.012 * s)), hf, hu, hl,
              0.018 * s, 0.028 * s, 0.013 * s, skin);
    ellipsoid(f, "mouth", v3scale(v3add(sk->p[FC_LM_MOUTH_LEFT], sk->p[FC_LM_MOUTH_RIGHT]), 0.5), hf, hu, hl,
              0.007 * s, 0.0065 * s, 0.025 * s, LIPS);
    capsule(f, "neck", v3mad(sk->neck, sk->trunk_up, -0.02 * s), v3mad(c, hu, -0.07 * s), 0.052 * s, skin);
}

static void trunk(fc_synth_figure *f, const fc_synth_skeleton *sk, double trunk_len)
{
    double s = sk->scale;
    v3 tf = sk->trunk_fwd, tu = sk->trunk_up, tl = sk->trunk_left, pel = sk->pelvis;
    const float *shirt = SHIRT[f->shirt];

    ellipsoid(f, "chest", v3mad(pel, tu, 0.70 * trunk_len), tf, tu, tl, 0.11 * s, 0.19 * s, 0.165 * s, shirt);
    ellipsoid(f, "belly", v3mad(pel, tu, 0.36 * trunk_len), tf, tu, tl, 0.10 * s, 0.17 * s, 0.148 * s, shirt);
    capsule(f, "shoulders", v3mad(sk->p[FC_LM_LEFT_SHOULDER], tu, -0.01 * s), v3mad(sk->p[FC_LM_RIGHT_SHOULDER], tu, -0.01 * s),
            0.055 * s, shirt);
    sphere(f, "left_deltoid", sk->p[FC_LM_LEFT_SHOULDER], 0.052 * s, shirt);
    sphere(f, "right_deltoid", sk->p[FC_LM_RIGHT_SHOULDER], 0.052 * s, shirt);
    ellipsoid(f, "pelvis", v3mad(pel, tu, 0.05 * s), tf, tu, tl, 0.115 * s, 0.13 * s, 0.175 * s, SHORTS[f->shorts]);
}

static void limbs(fc_synth_figure *f, const fc_synth_skeleton *sk)
{
    static const char *const names[2][11] = {
        {"left_shorts", "left_thigh", "left_shank", "left_calf", "left_sock", "left_shoe", "left_sleeve",
         "left_upper_arm", "left_forearm", "left_hand", "left_thumb"},
        {"right_shorts", "right_thigh", "right_shank", "right_calf", "right_sock", "right_shoe", "right_sleeve",
         "right_upper_arm", "right_forearm", "right_hand", "right_thumb"}};
    double s = sk->scale;
    const float *skin = SKIN[f->skin];

    for (int side = 0; side < 2; side++) {
        int L = side == 0;
        const char *const *nm = names[side];
        v3 hip = sk->p[L ? FC_LM_LEFT_HIP : FC_LM_RIGHT_HIP], knee = sk->p[L ? FC_LM_LEFT_KNEE : FC_LM_RIGHT_KNEE];
        v3 ank = sk->p[L ? FC_LM_LEFT_ANKLE : FC_LM_RIGHT_ANKLE];
        v3 sh = sk->p[L ? FC_LM_LEFT_SHOULDER : FC_LM_RIGHT_SHOULDER], el = sk->p[L ? FC_LM_LEFT_ELBOW : FC_LM_RIGHT_ELBOW];
        v3 wr = sk->p[L ? FC_LM_LEFT_WRIST : FC_LM_RIGHT_WRIST], th = sk->thumb_dir[side];
        v3 shank = v3norm(v3sub(ank, knee)), ff = sk->foot_fwd[side], fu = sk->foot_up[side];
        /* the shoe follows the foot's frame (heel rise included), from the ankle */
        v3 shoe_ax = v3norm(v3sub(ff, v3scale(fu, v3dot(ff, fu)))), shoe_up = fu;
        v3 shoe_c = v3add(v3mad(ank, shoe_ax, 0.075 * s), v3scale(fu, 0.0275 * s - sk->ankle_h_m));
        v3 calf_side = v3norm(v3cross(shank, ff)), calf_back = v3cross(calf_side, shank);
        v3 fore = v3norm(v3sub(wr, el)), palm = v3norm(v3cross(fore, th));

        capsule(f, nm[0], hip, v3lerp(hip, knee, 0.5), 0.088 * s, SHORTS[f->shorts]);
        capsule(f, nm[1], v3lerp(hip, knee, 0.45), knee, 0.068 * s, skin);
        capsule(f, nm[2], knee, ank, 0.049 * s, skin);
        ellipsoid(f, nm[3], v3add(v3lerp(knee, ank, 0.32), v3scale(calf_back, 0.016 * s)), shank, calf_back,
                  calf_side, 0.13 * s, 0.06 * s, 0.056 * s, skin);
        sphere(f, nm[4], ank, 0.043 * s, WHITE);
        ellipsoid(f, nm[5], shoe_c, shoe_ax, shoe_up,
                  v3cross(shoe_ax, shoe_up), 0.14 * s, 0.05 * s, 0.052 * s, SHOE[f->shoe]);
        capsule(f, nm[6], sh, v3lerp(sh, el, 0.45), 0.052 * s, SHIRT[f->shirt]);
        capsule(f, nm[7], v3lerp(sh, el, 0.4), el, 0.040 * s, skin);
        capsule(f, nm[8], el, wr, 0.034 * s, skin);
        ellipsoid(f, nm[9], v3mad(wr, fore, 0.05 * s), fore, th, palm, 0.055 * s, 0.04 * s, 0.017 * s, skin);
        capsule(f, nm[10], v3add(v3mad(wr, fore, 0.02 * s), v3scale(th, 0.022 * s)),
                v3mad(sk->p[L ? FC_LM_LEFT_THUMB : FC_LM_RIGHT_THUMB], th, 0.004 * s), 0.011 * s, skin);
    }
}

void fc_synth_figure_build(fc_synth_figure *f, const fc_synth_skeleton *sk, double trunk_len)
{
    f->n = 0;
    head(f, sk);
    trunk(f, sk, trunk_len);
    limbs(f, sk);
}

/* The hair cap: the back and the top of the head, above the nape. */
static int hair_kept(const fc_synth_prim *p, v3 x)
{
    v3 d = v3sub(x, p->clip_c);
    double fw = v3dot(d, p->clip_f) / p->clip_s, up = v3dot(d, p->clip_u) / p->clip_s;
    return up > -0.07 && (fw < 0.02 || up > 0.07);
}

void fc_synth_figure_prepare(fc_synth_figure *f, v3 o)
{
    for (int i = 0; i < f->n; i++) {
        fc_synth_prim *p = &f->p[i];
        p->o = o;
        p->boc = v3sub(o, p->bc);
        p->bcc = v3dot(p->boc, p->boc) - p->br * p->br;
        if (p->type == FC_SYNTH_ELLIPSOID) {
            v3 oc = v3sub(o, p->a);
            p->lo = v3make(v3dot(oc, p->m[0]), v3dot(oc, p->m[1]), v3dot(oc, p->m[2]));
            p->lc = v3dot(p->lo, p->lo) - 1;
        } else {
            p->lo = v3sub(o, p->a);
            p->ba = v3sub(p->b, p->a);
            p->baba = v3dot(p->ba, p->ba);
            p->baoa = v3dot(p->ba, p->lo);
            p->oaoa = v3dot(p->lo, p->lo);
        }
    }
}

static double ellipsoid_hit(const fc_synth_prim *p, v3 d, double tmax, v3 *n)
{
    v3 ld = v3make(v3dot(d, p->m[0]), v3dot(d, p->m[1]), v3dot(d, p->m[2]));
    double a = v3dot(ld, ld), b = v3dot(p->lo, ld), disc = b * b - a * p->lc, t;

    if (disc < 0)
        return -1;
    disc = sqrt(disc);
    for (int k = 0; k < 2; k++) {
        v3 lp;
        t = (-b + (k ? disc : -disc)) / a;
        if (t <= 1e-6 || t >= tmax)
            continue;
        if (p->clip && !hair_kept(p, v3mad(p->o, d, t)))
            continue;
        lp = v3mad(p->lo, ld, t);
        /* normal = M^T M (x - c) */
        *n = v3norm(v3add(v3add(v3scale(p->m[0], lp.x), v3scale(p->m[1], lp.y)), v3scale(p->m[2], lp.z)));
        return t;
    }
    return -1;
}

/* Capsule: Inigo Quilez's closed form, then the end spheres. */
static double capsule_hit(const fc_synth_prim *p, v3 d, double tmax, v3 *n)
{
    double bard = v3dot(p->ba, d), rdoa = v3dot(d, p->lo), baba = p->baba, baoa = p->baoa;
    double a = baba - bard * bard, b = baba * rdoa - baoa * bard;
    double c = baba * p->oaoa - baoa * baoa - p->r * p->r * baba, h = b * b - a * c, t = -1;

    if (h >= 0 && a > 1e-12) {
        double y;
        t = (-b - sqrt(h)) / a;
        y = baoa + t * bard;
        if (y <= 0 || y >= baba)
            t = -1;
    }
    if (t < 0) {
        for (int e = 0; e < 2; e++) {
            v3 oc = e ? v3sub(p->lo, p->ba) : p->lo;
            double bb = v3dot(d, oc), cc = v3dot(oc, oc) - p->r * p->r, hh = bb * bb - cc, te;
            if (hh < 0)
                continue;
            te = -bb - sqrt(hh);
            if (te > 1e-6 && (t < 0 || te < t))
                t = te;
        }
    }
    if (t <= 1e-6 || t >= tmax)
        return -1;
    {
        v3 pa = v3mad(p->lo, d, t);
        double hh = clampd(v3dot(pa, p->ba) / baba, 0, 1);
        *n = v3norm(v3sub(pa, v3scale(p->ba, hh)));
    }
    return t;
}

double fc_synth_prim_hit(const fc_synth_prim *p, v3 d, double tmax, v3 *n)
{
    /* bounding sphere first: a miss, or an entry beyond the best hit so far, ends it */
    double b = v3dot(p->boc, d), disc = b * b - p->bcc;
    if (disc < 0 || (p->bcc > 0 && -b - sqrt(disc) >= tmax))
        return -1;
    return p->type == FC_SYNTH_ELLIPSOID ? ellipsoid_hit(p, d, tmax, n) : capsule_hit(p, d, tmax, n);
}

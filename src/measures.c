/* measures.c - per-frame measures, depth signal, view (see formcheck/measures.h). */
#include "formcheck/measures.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "formcheck/error.h"
#include "formcheck/legplane.h"
#include "formcheck/smooth.h"

#define DEG (180.0 / 3.14159265358979323846)

typedef struct v3 {
    double x, y, z;
} v3;

const char *fc_view_name(int view)
{
    switch (view) {
    case FC_VIEW_SIDE: return "side";
    case FC_VIEW_FRONT: return "front";
    case FC_VIEW_OBLIQUE: return "oblique";
    default: return "unknown";
    }
}

static int ok(const fc_body *r, int lm, float minv)
{
    return r->found && r->lm[FC_B(lm)].visibility >= minv && r->lm[FC_B(lm)].presence >= minv;
}

static v3 px(const fc_body *r, int lm)
{
    return (v3){r->lm[FC_B(lm)].x, r->lm[FC_B(lm)].y, 0.0};
}

static v3 wd(const fc_body *r, int lm)
{
    return (v3){r->world[FC_B(lm)].x, r->world[FC_B(lm)].y, r->world[FC_B(lm)].z};
}

static v3 sub(v3 a, v3 b) { return (v3){a.x - b.x, a.y - b.y, a.z - b.z}; }
static v3 mid(v3 a, v3 b) { return (v3){0.5 * (a.x + b.x), 0.5 * (a.y + b.y), 0.5 * (a.z + b.z)}; }
static double dot(v3 a, v3 b) { return a.x * b.x + a.y * b.y + a.z * b.z; }
static double len(v3 a) { return sqrt(dot(a, a)); }

/* Angle between two vectors, degrees; NAN if either is degenerate. */
static double angle(v3 a, v3 b)
{
    double la = len(a), lb = len(b), c;
    if (la < 1e-9 || lb < 1e-9)
        return NAN;
    c = dot(a, b) / (la * lb);
    return acos(c > 1 ? 1 : c < -1 ? -1 : c) * DEG;
}

static const v3 UP = {0.0, -1.0, 0.0}; /* image and BlazePose world: y points down */

static v3 scale3(v3 a, double k) { return (v3){a.x * k, a.y * k, a.z * k}; }

/* a without its component along the unit vector u. */
static v3 flat(v3 a, v3 u) { return sub(a, scale3(u, dot(a, u))); }

/* Angle of a below the horizontal (degrees; + = pointing down) given "up". */
static double below_horizontal(v3 a, v3 up)
{
    return atan2(-dot(a, up), len(flat(a, up))) * DEG;
}

/* Floor-to-hip height in pixels. The floor under the hips is taken as the
 * mean of the two toe tips (they stay down when a heel lifts or the back foot
 * of a lunge is on its toes), or of the ankles when a toe is not seen: with
 * one foot forward, towards the camera, the mean is where the floor under the
 * hips projects, where the lower foot alone would overstate the height. */
static double hip_height_px(const fc_body *r, float minv)
{
    int toes = ok(r, FC_LM_LEFT_FOOT_INDEX, minv) && ok(r, FC_LM_RIGHT_FOOT_INDEX, minv);
    int a = toes ? FC_LM_LEFT_FOOT_INDEX : FC_LM_LEFT_ANKLE;
    double fl = 0.5 * (r->lm[FC_B(a)].y + r->lm[FC_B(a + 1)].y);
    return fl - 0.5 * (r->lm[FC_B(FC_LM_LEFT_HIP)].y + r->lm[FC_B(FC_LM_RIGHT_HIP)].y);
}

/* Which legs are usable: bit 0 left, bit 1 right (hip, knee and ankle seen). */
static int legs_ok(const fc_body *r, float minv)
{
    int mask = 0;
    for (int sd = 0; sd < 2; sd++)
        if (ok(r, FC_LM_LEFT_HIP + sd, minv) && ok(r, FC_LM_LEFT_KNEE + sd, minv) &&
            ok(r, FC_LM_LEFT_ANKLE + sd, minv))
            mask |= 1 << sd;
    return mask;
}

static int lower_ok(const fc_body *r, float minv)
{
    return legs_ok(r, minv) != 0;
}

/* A copy whose gated image points are replaced by their visible mirror, so
 * midpoints (hips, shoulders, floor) come from the side the camera sees; the
 * visibility stays, so per-side measures of the hidden side stay NAN. World
 * points are kept: they have no occlusion. */
static void prep(fc_body *out, const fc_body *in, float minv)
{
    *out = *in;
    for (int b = 0; b < FC_BODY_N; b++) {
        int i = fc_body_landmark(b), m = fc_landmark_mirror(i);
        if (m != i && !ok(in, i, minv) && ok(in, m, minv)) {
            out->lm[FC_B(i)].x = in->lm[FC_B(m)].x;
            out->lm[FC_B(i)].y = in->lm[FC_B(m)].y;
            out->lm[FC_B(i)].z = in->lm[FC_B(m)].z;
        }
    }
}

/* Segments whose image length over their real (world) length gives the image
 * scale at the hips: foreshortening only shortens, so the largest ratio is the
 * segment most parallel to the image (hip width in front view, the torso's
 * side side on). Not the shoulder width, thighs or shins: leaning or bending
 * brings them nearer the camera in front view, which would read as the whole
 * body getting bigger. The per-frame scale is then a median over +-1 s, as it
 * only changes when the person walks. */
static const int scale_segs[][2] = {
    {FC_LM_LEFT_HIP, FC_LM_RIGHT_HIP},
    {FC_LM_LEFT_SHOULDER, FC_LM_LEFT_HIP},
    {FC_LM_RIGHT_SHOULDER, FC_LM_RIGHT_HIP},
};
#define NSEGS (sizeof scale_segs / sizeof scale_segs[0])

/* Pixels per metre on frame r (prepped), or NAN. */
static double frame_scale(const fc_body *r, const fc_body *orig, const double segw[NSEGS], float minv)
{
    double best = NAN;
    for (size_t k = 0; k < NSEGS; k++) {
        int a = scale_segs[k][0], b = scale_segs[k][1];
        if (!(segw[k] > 0.05) || !ok(orig, a, minv) || !ok(orig, b, minv))
            continue;
        double v = len(sub(px(r, a), px(r, b))) / segw[k];
        if (!(v <= best))
            best = v;
    }
    return best;
}

#define MEDIAN_MAX 256

int fc_measures_depth(double *depth, double *leg_px, const fc_body *s, size_t n, float minv,
                      double window_s)
{
    double segw[NSEGS] = {0}, *hm, *raw;
    size_t cnt = 0;

    if ((n && (!depth || !leg_px || !s)) || !(window_s > 0))
        return FC_EINVAL;
    if (!n)
        return 0;
    if (!(hm = malloc(2 * n * sizeof *hm)))
        return FC_ENOMEM;
    raw = hm + n;
    /* Real segment lengths: world landmarks, averaged over the series. */
    for (size_t t = 0; t < n; t++) {
        if (!s[t].found)
            continue;
        for (size_t k = 0; k < NSEGS; k++)
            segw[k] += len(sub(wd(&s[t], scale_segs[k][0]), wd(&s[t], scale_segs[k][1])));
        cnt++;
    }
    for (size_t k = 0; k < NSEGS; k++)
        segw[k] = cnt ? segw[k] / cnt : 0;
    /* Pixels per metre per frame, then its running median over +-1 s. */
    for (size_t t = 0; t < n; t++) {
        fc_body p;
        raw[t] = NAN;
        if (!lower_ok(&s[t], minv))
            continue;
        prep(&p, &s[t], minv);
        raw[t] = frame_scale(&p, &s[t], segw, minv);
    }
    for (size_t t = 0; t < n; t++) {
        double win[MEDIAN_MAX];
        size_t k = 0;
        hm[t] = leg_px[t] = NAN;
        if (!isfinite(raw[t]))
            continue;
        for (size_t j = t + 1; j-- > 0 && s[t].t_s - s[j].t_s <= 1.0 && k < MEDIAN_MAX / 2;)
            if (isfinite(raw[j]))
                win[k++] = raw[j];
        for (size_t j = t + 1; j < n && s[j].t_s - s[t].t_s <= 1.0 && k < MEDIAN_MAX; j++)
            if (isfinite(raw[j]))
                win[k++] = raw[j];
        double sc = fc_median_small(win, k);
        if (!(sc > 1e-6))
            continue;
        /* Hip height above the floor in metres: a person walking towards or
         * away from the camera keeps their height. */
        fc_body p;
        prep(&p, &s[t], minv);
        hm[t] = hip_height_px(&p, minv) / sc;
        leg_px[t] = sc;
    }
    /* The standing height: the largest hip height within +-window_s. */
    for (size_t t = 0; t < n; t++) {
        double best = 0.0;
        depth[t] = NAN;
        if (!isfinite(hm[t]))
            continue;
        for (size_t j = t + 1; j-- > 0 && s[t].t_s - s[j].t_s <= window_s;)
            if (isfinite(hm[j]) && hm[j] > best)
                best = hm[j];
        for (size_t j = t + 1; j < n && s[j].t_s - s[t].t_s <= window_s; j++)
            if (isfinite(hm[j]) && hm[j] > best)
                best = hm[j];
        if (!(best > 0.05)) {
            leg_px[t] = NAN;
            continue;
        }
        depth[t] = 1.0 - hm[t] / best;
        leg_px[t] *= best;
    }
    free(hm);
    return 0;
}

/* Torso width over torso length: shoulders and hips. */
static double torso_ratio(v3 sl, v3 sr, v3 hl, v3 hr)
{
    double tl = len(sub(mid(sl, sr), mid(hl, hr)));
    return tl < 1e-9 ? NAN : (len(sub(sr, sl)) + len(sub(hr, hl))) / (2.0 * tl);
}

static double frame_yaw(const fc_body *r)
{
    double r2 = torso_ratio(px(r, FC_LM_LEFT_SHOULDER), px(r, FC_LM_LEFT_SHOULDER + 1), px(r, FC_LM_LEFT_HIP), px(r, FC_LM_LEFT_HIP + 1));
    double r3 = torso_ratio(wd(r, FC_LM_LEFT_SHOULDER), wd(r, FC_LM_LEFT_SHOULDER + 1), wd(r, FC_LM_LEFT_HIP), wd(r, FC_LM_LEFT_HIP + 1));
    double c;
    if (!isfinite(r2) || !isfinite(r3) || r3 < 0.1)
        return NAN;
    c = r2 / r3;
    return acos(c > 1 ? 1 : c < 0 ? 0 : c) * DEG;
}

/* Median of yaw samples through a 1-degree histogram (no allocation). */
static double hist_median(const unsigned hist[91], unsigned total)
{
    unsigned acc = 0;
    for (int i = 0; i <= 90; i++) {
        acc += hist[i];
        if (2 * acc >= total)
            return i;
    }
    return 90;
}

static int view_of(double yaw)
{
    return yaw < 30.0 ? FC_VIEW_FRONT : yaw > 60.0 ? FC_VIEW_SIDE : FC_VIEW_OBLIQUE;
}

int fc_view_detect(fc_view_info *out, const fc_body *s, size_t n, const double *depth, double t_from,
                   double t_to, float minv)
{
    unsigned hist[91] = {0}, total = 0;

    if (!out || (n && (!s || !depth)))
        return FC_EINVAL;
    memset(out, 0, sizeof *out);
    out->yaw_deg = NAN;
    for (size_t t = 0; t < n; t++) {
        double y;
        fc_body p;
        if (s[t].t_s < t_from || s[t].t_s > t_to || !(depth[t] < 0.08) ||
            !(ok(&s[t], FC_LM_LEFT_SHOULDER, minv) || ok(&s[t], FC_LM_LEFT_SHOULDER + 1, minv)))
            continue;
        prep(&p, &s[t], minv);
        if (!isfinite(y = frame_yaw(&p)))
            continue;
        hist[(int)lround(y)]++;
        total++;
    }
    if (!total)
        return 0;
    out->yaw_deg = hist_median(hist, total);
    out->view = view_of(out->yaw_deg);
    /* Camera moved (or the athlete turned): a 2 s window whose view differs
     * from the previous window's by more than 25 degrees. */
    double prev = NAN;
    size_t first = 0; /* frames are in time order: each window starts where the last ended */
    for (double w0 = n ? fmax(t_from, s[0].t_s) : 0; n && w0 < fmin(t_to, s[n - 1].t_s); w0 += 2.0) {
        unsigned wh[91] = {0}, wt = 0;
        while (first < n && s[first].t_s < w0)
            first++;
        for (size_t t = first; t < n && s[t].t_s < w0 + 2.0; t++) {
            double y;
            fc_body p;
            if (s[t].t_s > t_to || !(depth[t] < 0.08) || !s[t].found)
                continue;
            prep(&p, &s[t], minv);
            if (!isfinite(y = frame_yaw(&p)))
                continue;
            wh[(int)lround(y)]++;
            wt++;
        }
        if (wt < 5)
            continue;
        double yaw = hist_median(wh, wt);
        if (isfinite(prev) && fabs(yaw - prev) > 25.0 && out->n_moves < 8)
            out->move_t_s[out->n_moves++] = w0;
        prev = yaw;
    }
    return 0;
}

/* Heel-to-toe pitch from the world points, degrees, + = heel up. */
static double foot_pitch(const fc_body *r, int side, v3 up)
{
    return below_horizontal(sub(wd(r, FC_LM_LEFT_FOOT_INDEX + side), wd(r, FC_LM_LEFT_HEEL + side)), up);
}

/* A leg's hip, knee and ankle back-projected from the image onto its bending
 * plane (vertical, at the set's yaw; formcheck/legplane.h); camera axes, any
 * scale. -1 when the yaw is unknown or the plane is seen nearly edge-on. */
static int leg_in_plane(v3 out[3], const fc_body *r, int sd, double yaw, v3 up)
{
    double nrm[3], pxs[3][2], pts[3][3], upa[3] = {up.x, up.y, up.z};
    const int ids[3] = {FC_LM_LEFT_HIP + sd, FC_LM_LEFT_KNEE + sd, FC_LM_LEFT_ANKLE + sd};
    fc_pinhole cam = fc_pinhole_guess(r->width, r->height);

    if (!isfinite(yaw))
        return -1;
    fc_leg_plane_normal(nrm, yaw, upa);
    for (int i = 0; i < 3; i++) {
        pxs[i][0] = r->lm[FC_B(ids[i])].x;
        pxs[i][1] = r->lm[FC_B(ids[i])].y;
    }
    if (fc_plane_backproject(pts, (const double (*)[2])pxs, 3, 1, nrm, &cam) < 0)
        return -1;
    for (int i = 0; i < 3; i++)
        out[i] = (v3){pts[i][0], pts[i][1], pts[i][2]};
    return 0;
}

static void frame_measures(fc_measures *m, const fc_body *r, int view, double leg, v3 up, v3 fwdw,
                           double legw, const double yaw[2], float minv)
{
    /* Sagittal angles: side on and oblique, from the image points back-projected onto each
     * leg's plane (BlazePose's world landmarks read the knee 10-15 deg less
     * bent; the plain 2D angle is 1-3 deg off in perspective when the feet turn
     * out); otherwise from the world points (3D): in front view they are
     * reported but not judged. */
    v3 (*P)(const fc_body *, int) = wd;
    v3 hm = mid(P(r, FC_LM_LEFT_HIP), P(r, FC_LM_LEFT_HIP + 1)), sm = mid(P(r, FC_LM_LEFT_SHOULDER), P(r, FC_LM_LEFT_SHOULDER + 1));
    double rdir = r->lm[FC_B(FC_LM_LEFT_HIP + 1)].x >= r->lm[FC_B(FC_LM_LEFT_HIP)].x ? 1.0 : -1.0; /* the person's right in the image */

    m->trunk_lean_deg = angle(sub(sm, hm), up);
    for (int sd = 0; sd < 2; sd++) {
        v3 h = P(r, FC_LM_LEFT_HIP + sd), k = P(r, FC_LM_LEFT_KNEE + sd), a = P(r, FC_LM_LEFT_ANKLE + sd);
        v3 side_trunk = sub(P(r, FC_LM_LEFT_SHOULDER + sd), h), L[3];
        if ((view == FC_VIEW_SIDE || view == FC_VIEW_OBLIQUE) && leg_in_plane(L, r, sd, yaw[sd], up) == 0) {
            h = L[0];
            k = L[1];
            a = L[2];
        }
        v3 th = sub(k, h);
        m->knee_flex_deg[sd] = 180.0 - angle(sub(h, k), sub(a, k));
        m->hip_flex_deg[sd] = 180.0 - angle(side_trunk, th);
        m->shin_deg[sd] = angle(sub(k, a), up);
        /* True segment lengths in pixels: the leg length split by the world ratio. */
        v3 wh = wd(r, FC_LM_LEFT_HIP + sd), wk = wd(r, FC_LM_LEFT_KNEE + sd), wa = wd(r, FC_LM_LEFT_ANKLE + sd);
        double lt = len(sub(wk, wh)), ls = len(sub(wa, wk));
        double tl = lt + ls > 1e-6 ? leg * lt / (lt + ls) : 0.5 * leg, sl = leg - tl;
        if (view == FC_VIEW_FRONT) {
            /* The knee comes towards the camera as the hips go back: undo the
             * perspective with BlazePose's relative depth z (pixel scale), taking
             * the focal length as the image width (a ~53 deg webcam) and the
             * principal point at the centre. */
            double f = r->width > 0 ? r->width : 640.0, cy = 0.5 * r->height;
            double yk = cy + (r->lm[FC_B(FC_LM_LEFT_KNEE + sd)].y - cy) * (1.0 + r->lm[FC_B(FC_LM_LEFT_KNEE + sd)].z / f);
            double yh = cy + (r->lm[FC_B(FC_LM_LEFT_HIP + sd)].y - cy) * (1.0 + r->lm[FC_B(FC_LM_LEFT_HIP + sd)].z / f);
            double sn = (yk - yh) / tl;
            m->thigh_deg[sd] = asin(sn > 1 ? 1 : sn < -1 ? -1 : sn) * DEG;
        } else {
            m->thigh_deg[sd] = below_horizontal(th, up);
        }
        v3 h2 = px(r, FC_LM_LEFT_HIP + sd), k2 = px(r, FC_LM_LEFT_KNEE + sd), a2 = px(r, FC_LM_LEFT_ANKLE + sd);
        double line_x = fabs(a2.y - h2.y) > 1e-9 ? h2.x + (a2.x - h2.x) * (k2.y - h2.y) / (a2.y - h2.y) : h2.x;
        double medial = sd == 0 ? rdir : -rdir;
        double off = (k2.x - line_x) * medial;
        /* The frontal-plane projection angle as the literature measures it on
         * 2D video (Munro et al. 2012): 180 - the image angle at the knee. It
         * grows large as the thigh foreshortens in deep squats, so the check
         * uses knee_in_deg; FPPA is reported beside it. */
        double dev = angle(sub(k2, h2), sub(a2, k2));
        m->fppa_deg[sd] = off >= 0 ? dev : -dev;
        /* Knee over the toes: feet turn out, so in a sound squat the knee sits
         * outside the hip-ankle line but over the toes; caving in puts it inside.
         * The knees follow about half of a sideways pelvis shift; that is taken
         * out so a hip shift does not read as one knee caving in. */
        double toe_x = r->lm[FC_B(FC_LM_LEFT_FOOT_INDEX + sd)].x;
        double shift_x = 0.5 * (r->lm[FC_B(FC_LM_LEFT_HIP)].x + r->lm[FC_B(FC_LM_RIGHT_HIP)].x) -
                         0.5 * (r->lm[FC_B(FC_LM_LEFT_ANKLE)].x + r->lm[FC_B(FC_LM_RIGHT_ANKLE)].x);
        m->knee_in_deg[sd] = ok(r, FC_LM_LEFT_FOOT_INDEX + sd, minv)
                                 ? atan((k2.x - toe_x - 0.5 * shift_x) * medial / sl) * DEG
                                 : NAN;
        if (!ok(r, FC_LM_LEFT_HEEL + sd, minv) || !ok(r, FC_LM_LEFT_FOOT_INDEX + sd, minv))
            continue; /* foot measures stay NAN */
        /* Side on and oblique: the heel's image height (pixels, up = +), turned into a rise
         * over standing and then degrees by side_heel_lift(); BlazePose's toe
         * point moves 5 px as the shin tilts, its heel stays put, so the foot's
         * pitch would show a lift that is not there. Other views: world pitch. */
        m->heel_lift_deg[sd] =
            (view == FC_VIEW_SIDE || view == FC_VIEW_OBLIQUE) ? -r->lm[FC_B(FC_LM_LEFT_HEEL + sd)].y : foot_pitch(r, sd, up);
        m->knee_height_pct[sd] = 100.0 * (r->lm[FC_B(FC_LM_LEFT_FOOT_INDEX + sd)].y - r->lm[FC_B(FC_LM_LEFT_KNEE + sd)].y) / leg;
        m->knee_past_toe_pct[sd] = 100.0 * dot(sub(wd(r, FC_LM_LEFT_KNEE + sd), wd(r, FC_LM_LEFT_FOOT_INDEX + sd)), fwdw) / legw;
    }
    v3 hip2 = mid(px(r, FC_LM_LEFT_HIP), px(r, FC_LM_LEFT_HIP + 1)), ank2 = mid(px(r, FC_LM_LEFT_ANKLE), px(r, FC_LM_LEFT_ANKLE + 1));
    m->hip_below_knee = (hip2.y - 0.5 * (r->lm[FC_B(FC_LM_LEFT_KNEE)].y + r->lm[FC_B(FC_LM_LEFT_KNEE + 1)].y)) / leg;
    m->hip_shift_pct = 100.0 * (hip2.x - ank2.x) * rdir / leg;
    double kw = fabs(r->lm[FC_B(FC_LM_LEFT_KNEE)].x - r->lm[FC_B(FC_LM_LEFT_KNEE + 1)].x), aw = fabs(r->lm[FC_B(FC_LM_LEFT_ANKLE)].x - r->lm[FC_B(FC_LM_LEFT_ANKLE + 1)].x);
    m->knee_ankle_ratio = aw > 1e-6 ? kw / aw : NAN;
    m->step_ratio = fabs(dot(sub(wd(r, FC_LM_LEFT_ANKLE), wd(r, FC_LM_LEFT_ANKLE + 1)), fwdw)) / legw;
}

static void set_nan(fc_measures *m)
{
    double *f[] = {&m->trunk_lean_deg, &m->hip_below_knee, &m->knee_ankle_ratio, &m->hip_shift_pct,
                   &m->step_ratio};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        *f[i] = NAN;
    for (int sd = 0; sd < 2; sd++)
        m->knee_flex_deg[sd] = m->hip_flex_deg[sd] = m->shin_deg[sd] = m->thigh_deg[sd] = m->fppa_deg[sd] = m->knee_in_deg[sd] =
            m->heel_lift_deg[sd] = m->knee_height_pct[sd] = m->knee_past_toe_pct[sd] = NAN;
}

/* "Up" in world coordinates: BlazePose's world axes follow the camera, so a
 * tilted camera tilts them. Standing, the legs are vertical: the mean
 * ankle-to-hip direction over standing frames with parallel legs is up (y is down when
 * the camera is level, the default). Both legs' world points count even when
 * one leg is hidden side on: world points have no occlusion, and the two legs'
 * sideways lean (feet wider than the hips) cancels out in the mean. */
static v3 world_up(const fc_body *s, size_t n, const double *depth, float minv)
{
    v3 acc = {0, 0, 0};
    size_t k = 0;

    for (size_t t = 0; t < n; t++) {
        if (!(depth[t] < 0.03) || !lower_ok(&s[t], minv))
            continue;
        v3 dl = sub(wd(&s[t], FC_LM_LEFT_HIP), wd(&s[t], FC_LM_LEFT_ANKLE));
        v3 dr = sub(wd(&s[t], FC_LM_RIGHT_HIP), wd(&s[t], FC_LM_RIGHT_ANKLE));
        double ll = len(dl), lr = len(dr);
        /* Only with the legs parallel: a split stance's legs form a V. */
        if (!(ll > 0.3 && lr > 0.3) || dot(dl, dr) / (ll * lr) < cos(8.0 / DEG))
            continue;
        acc = (v3){acc.x + dl.x / ll + dr.x / lr, acc.y + dl.y / ll + dr.y / lr, acc.z + dl.z / ll + dr.z / lr};
        k++;
    }
    double l = len(acc);
    /* Standing legs tilt a degree or two themselves, and BlazePose's world legs
     * lean 5-9 degrees sideways in depth on level side-view clips (depth is its
     * weak axis), so the estimate only replaces the level-camera up when they
     * differ by 10-30 degrees (a camera tilted up or down). */
    double c = l > 0 ? dot(scale3(acc, 1.0 / l), UP) : 1.0;
    if (k < 5 || c > cos(10.0 / DEG) || c < cos(30.0 / DEG))
        return UP;
    return scale3(acc, 1.0 / l);
}

/* The feet's forward direction (world, horizontal) and the world leg length. */
static void forward_dirs(const fc_body *s, size_t n, float minv, v3 up, v3 *fw, double *legw)
{
    v3 acc = {0, 0, 0};
    double lw = 0;
    size_t k = 0;

    for (size_t t = 0; t < n; t++) {
        if (!lower_ok(&s[t], minv))
            continue;
        for (int sd = 0; sd < 2; sd++) {
            v3 dw = flat(sub(wd(&s[t], FC_LM_LEFT_FOOT_INDEX + sd), wd(&s[t], FC_LM_LEFT_HEEL + sd)), up);
            acc = (v3){acc.x + dw.x, acc.y + dw.y, acc.z + dw.z};
            lw += len(sub(wd(&s[t], FC_LM_LEFT_HIP + sd), wd(&s[t], FC_LM_LEFT_KNEE + sd))) +
                  len(sub(wd(&s[t], FC_LM_LEFT_KNEE + sd), wd(&s[t], FC_LM_LEFT_ANKLE + sd)));
            k++;
        }
    }
    double h = len(acc);
    *fw = h > 1e-9 ? scale3(acc, 1.0 / h) : (v3){0, 0, -1};
    *legw = k && lw / k > 0.1 ? lw / k : 0.9;
}

/* Foot length over standing hip height (heel to toe over toe to hip,
 * vertically), from the world points of standing frames; a typical 0.29
 * when there are none. */
static double foot_over_leg(const fc_body *s, size_t n, const double *depth, v3 up, float minv)
{
    double acc = 0;
    size_t k = 0;

    for (size_t t = 0; t < n; t++) {
        if (!(depth[t] < 0.03))
            continue;
        for (int sd = 0; sd < 2; sd++) {
            if (!(legs_ok(&s[t], minv) & (1 << sd)))
                continue;
            v3 toe = wd(&s[t], FC_LM_LEFT_FOOT_INDEX + sd);
            double fl = len(sub(toe, wd(&s[t], FC_LM_LEFT_HEEL + sd)));
            double hh = dot(sub(wd(&s[t], FC_LM_LEFT_HIP + sd), toe), up);
            if (hh > 0.3 && fl > 0.05) {
                acc += fl / hh;
                k++;
            }
        }
    }
    return k ? acc / k : 0.29;
}

/* Side and oblique views: out[t].heel_lift_deg holds the heel's image height (px, up +).
 * The lift is its rise over its median height on standing frames (depth
 * < 0.03) within +-3 s, as foot pitch about the toes: asin(rise / foot length
 * in pixels). A local baseline follows a person who stepped nearer or further.
 * Errors: FC_ENOMEM. */
static int side_heel_lift(fc_measures *out, size_t n, const double *leg_px, double foot_ratio)
{
    double *raw = malloc((n ? 2 * n : 1) * sizeof *raw);

    if (!raw)
        return FC_ENOMEM;
    for (size_t t = 0; t < n; t++) {
        raw[2 * t] = out[t].heel_lift_deg[0];
        raw[2 * t + 1] = out[t].heel_lift_deg[1];
    }
    for (size_t t = 0; t < n; t++) {
        for (int sd = 0; sd < 2; sd++) {
            double win[MEDIAN_MAX], foot = leg_px[t] * foot_ratio;
            size_t k = 0;
            out[t].heel_lift_deg[sd] = NAN;
            if (!isfinite(raw[2 * t + sd]) || !(foot > 1.0))
                continue;
            for (size_t j = t + 1; j-- > 0 && out[t].t_s - out[j].t_s <= 3.0 && k < MEDIAN_MAX / 2;)
                if (out[j].depth < 0.03 && isfinite(raw[2 * j + sd]))
                    win[k++] = raw[2 * j + sd];
            for (size_t j = t + 1; j < n && out[j].t_s - out[t].t_s <= 3.0 && k < MEDIAN_MAX; j++)
                if (out[j].depth < 0.03 && isfinite(raw[2 * j + sd]))
                    win[k++] = raw[2 * j + sd];
            if (!k)
                continue;
            double sn = (raw[2 * t + sd] - fc_median_small(win, k)) / foot;
            out[t].heel_lift_deg[sd] = asin(sn > 1 ? 1 : sn < -1 ? -1 : sn) * DEG;
        }
    }
    free(raw);
    return 0;
}

int fc_measures_compute(fc_measures *out, const fc_body *s, size_t n, const double *depth,
                        const double *leg_px, int view, float minv)
{
    v3 fw, up;
    double legw, base_pitch[2] = {0, 0}, base_shift = 0, yaw[2] = {NAN, NAN};
    size_t nb = 0, np[2] = {0, 0};

    if (n && (!out || !s || !depth || !leg_px))
        return FC_EINVAL;
    up = world_up(s, n, depth, minv);
    forward_dirs(s, n, minv, up, &fw, &legw);
    if ((view == FC_VIEW_SIDE || view == FC_VIEW_OBLIQUE)) {
        const double upa[3] = {up.x, up.y, up.z};
        fc_leg_plane_yaw(yaw, s, n, depth, upa, minv);
    }
    for (size_t t = 0; t < n; t++) {
        fc_measures *m = &out[t];
        memset(m, 0, sizeof *m);
        m->frame = s[t].frame;
        m->t_s = s[t].t_s;
        m->depth = depth[t];
        set_nan(m);
        if (!isfinite(depth[t]) || !isfinite(leg_px[t]) || !lower_ok(&s[t], minv))
            continue;
        fc_body p;
        int legs = legs_ok(&s[t], minv);
        m->valid = 1;
        prep(&p, &s[t], minv);
        frame_measures(m, &p, view, leg_px[t], up, fw, legw, yaw, minv);
        for (int sd = 0; sd < 2; sd++)
            if (!(legs & (1 << sd)))
                m->knee_flex_deg[sd] = m->hip_flex_deg[sd] = m->shin_deg[sd] = m->thigh_deg[sd] =
                    m->fppa_deg[sd] = m->knee_in_deg[sd] = m->heel_lift_deg[sd] = m->knee_height_pct[sd] = m->knee_past_toe_pct[sd] =
                        NAN;
        if (depth[t] < 0.03) {
            for (int sd = 0; sd < 2; sd++)
                if (isfinite(m->heel_lift_deg[sd])) {
                    base_pitch[sd] += m->heel_lift_deg[sd];
                    np[sd]++;
                }
            base_shift += m->hip_shift_pct;
            nb++;
        }
    }
    /* Standing baselines: heel lift and hip shift are changes from standing. */
    for (int sd = 0; sd < 2; sd++)
        if (np[sd])
            base_pitch[sd] /= np[sd];
    if (nb)
        base_shift /= nb;
    for (size_t t = 0; t < n; t++) {
        if (view != FC_VIEW_SIDE && view != FC_VIEW_OBLIQUE) {
            out[t].heel_lift_deg[0] -= base_pitch[0];
            out[t].heel_lift_deg[1] -= base_pitch[1];
        }
        out[t].hip_shift_pct -= base_shift;
    }
    return (view == FC_VIEW_SIDE || view == FC_VIEW_OBLIQUE) ? side_heel_lift(out, n, leg_px, foot_over_leg(s, n, depth, up, minv)) : 0;
}

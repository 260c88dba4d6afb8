/* legplane.c - leg-plane back-projection (see formcheck/legplane.h). */
#include "formcheck/legplane.h"

#include <math.h>
#include <string.h>

#include "formcheck/error.h"

#define DEG (180.0 / 3.14159265358979323846)

static double dot3(const double a[3], const double b[3]) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }

static void cross3(double out[3], const double a[3], const double b[3])
{
    double c[3] = {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
    memcpy(out, c, sizeof c);
}

/* a without its component along the unit vector u, normalised; 0 if degenerate. */
static double flat_unit(double out[3], const double a[3], const double u[3])
{
    double k = dot3(a, u), l;
    for (int i = 0; i < 3; i++)
        out[i] = a[i] - k * u[i];
    l = sqrt(dot3(out, out));
    if (l < 1e-12)
        return 0.0;
    for (int i = 0; i < 3; i++)
        out[i] /= l;
    return l;
}

/* The horizontal basis yaw is measured in: e1 = the camera's viewing
 * direction (+z) made horizontal, e2 = up x e1. */
static int yaw_basis(double e1[3], double e2[3], const double up[3])
{
    static const double z[3] = {0.0, 0.0, 1.0};
    if (flat_unit(e1, z, up) < 1e-6)
        return -1; /* camera looking straight up or down */
    cross3(e2, up, e1);
    return 0;
}

fc_pinhole fc_pinhole_guess(int width, int height)
{
    fc_pinhole c;
    c.f_px = width > 0 ? width : 640.0;
    c.cx = 0.5 * (width > 0 ? width : 640.0);
    c.cy = 0.5 * (height > 0 ? height : 480.0);
    return c;
}

void fc_leg_plane_normal(double normal[3], double yaw_deg, const double up[3])
{
    double e1[3], e2[3], c = cos(yaw_deg / DEG), s = sin(yaw_deg / DEG);
    if (yaw_basis(e1, e2, up) < 0) {
        normal[0] = normal[1] = normal[2] = NAN;
        return;
    }
    for (int i = 0; i < 3; i++)
        normal[i] = c * e1[i] + s * e2[i];
}

static int seen(const fc_body *r, int lm, float minv)
{
    return r->lm[FC_B(lm)].visibility >= minv && r->lm[FC_B(lm)].presence >= minv;
}

#define YAW_BINS 361 /* 0.5 deg over [-90, 90] */

int fc_leg_plane_yaw(double yaw_deg[2], const fc_body *s, size_t n, const double *depth, const double up[3],
                     float minv)
{
    unsigned hist[2][YAW_BINS];
    unsigned total[2] = {0, 0};
    double e1[3], e2[3];

    if (!yaw_deg || !up || (n && !s))
        return FC_EINVAL;
    yaw_deg[0] = yaw_deg[1] = NAN;
    if (yaw_basis(e1, e2, up) < 0)
        return 0;
    memset(hist, 0, sizeof hist);
    for (size_t t = 0; t < n; t++) {
        const fc_body *r = &s[t];
        if (!r->found || (depth && !(depth[t] >= 0.1)))
            continue;
        for (int sd = 0; sd < 2; sd++) {
            int h = FC_LM_LEFT_HIP + sd, k = FC_LM_LEFT_KNEE + sd, a = FC_LM_LEFT_ANKLE + sd;
            if (!seen(r, h, minv) || !seen(r, k, minv) || !seen(r, a, minv))
                continue;
            const fc_point3 *wh = &r->world[FC_B(h)], *wk = &r->world[FC_B(k)], *wa = &r->world[FC_B(a)];
            double th[3] = {wh->x - wk->x, wh->y - wk->y, wh->z - wk->z};
            double sh[3] = {wa->x - wk->x, wa->y - wk->y, wa->z - wk->z};
            double nrm[3], nh[3], lt = sqrt(dot3(th, th)), ls = sqrt(dot3(sh, sh));
            cross3(nrm, th, sh);
            /* |th x sh| = lt ls sin(inner angle): bent by >= 30 deg means sin >= 0.5. */
            if (!(lt > 1e-6 && ls > 1e-6) || sqrt(dot3(nrm, nrm)) < 0.5 * lt * ls)
                continue;
            double lh = flat_unit(nh, nrm, up);
            if (lh < 0.3 * sqrt(dot3(nrm, nrm)))
                continue; /* a plane far from vertical: its yaw means little */
            double c = dot3(nh, e1), si = dot3(nh, e2);
            if (c < 0) { /* the plane, not the normal's sign: keep it facing away */
                c = -c;
                si = -si;
            }
            double y = atan2(si, c) * DEG; /* [-90, 90] */
            int bin = (int)lround((y + 90.0) * 2.0);
            hist[sd][bin < 0 ? 0 : bin >= YAW_BINS ? YAW_BINS - 1 : bin]++;
            total[sd]++;
        }
    }
    for (int sd = 0; sd < 2; sd++) {
        unsigned acc = 0;
        if (total[sd] < 5)
            continue;
        for (int b = 0; b < YAW_BINS; b++) {
            acc += hist[sd][b];
            if (2 * acc >= total[sd]) {
                yaw_deg[sd] = b * 0.5 - 90.0;
                break;
            }
        }
    }
    return 0;
}

int fc_plane_backproject(double (*out)[3], const double (*px)[2], size_t n, size_t anchor, const double normal[3],
                         const fc_pinhole *cam)
{
    double ra[3], d;
    const double min_sin = sin(5.0 / DEG);

    if (!out || !px || !normal || !cam || anchor >= n || !(cam->f_px > 0) || !isfinite(dot3(normal, normal)) ||
        fabs(dot3(normal, normal) - 1.0) > 1e-6)
        return FC_EINVAL;
    ra[0] = (px[anchor][0] - cam->cx) / cam->f_px;
    ra[1] = (px[anchor][1] - cam->cy) / cam->f_px;
    ra[2] = 1.0;
    d = dot3(normal, ra); /* the plane: normal . X = d, through ra (z = 1) */
    for (size_t i = 0; i < n; i++) {
        double r[3] = {(px[i][0] - cam->cx) / cam->f_px, (px[i][1] - cam->cy) / cam->f_px, 1.0};
        double den = dot3(normal, r);
        if (!isfinite(den) || fabs(den) < min_sin * sqrt(dot3(r, r)))
            return FC_EINVAL;
        for (int k = 0; k < 3; k++)
            out[i][k] = r[k] * d / den;
    }
    return 0;
}

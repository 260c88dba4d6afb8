/* overlay.c - the athlete-facing drawing shared by annotated videos and the live view. */
#include "formcheck/overlay.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "formcheck/draw.h"

fc_overlay fc_overlay_default(void)
{
    fc_overlay o;
    memset(&o, 0, sizeof o);
    o.verdict_score = NAN;
    o.show_hint = 1;
    o.min_visibility = 0.5f;
    return o;
}

static double angle3(const fc_point3 *a, const fc_point3 *b, const fc_point3 *c)
{
    double ux = a->x - b->x, uy = a->y - b->y, uz = a->z - b->z;
    double vx = c->x - b->x, vy = c->y - b->y, vz = c->z - b->z;
    double nu = sqrt(ux * ux + uy * uy + uz * uz), nv = sqrt(vx * vx + vy * vy + vz * vz);
    if (nu < 1e-6 || nv < 1e-6)
        return NAN;
    double cs = (ux * vx + uy * vy + uz * vz) / (nu * nv);
    cs = cs > 1 ? 1 : cs < -1 ? -1 : cs;
    return acos(cs) * (180.0 / 3.14159265358979323846);
}

static int seen(const fc_pose_result *p, int id, float minv)
{
    const fc_landmark *l = &p->lm[id];
    return l->visibility >= minv && l->presence >= minv && l->x >= 0 && l->y >= 0 && l->x < p->width &&
           l->y < p->height;
}

void fc_overlay_angles(double *knee_deg, double *hip_deg, const fc_pose_result *p, int side, float minv)
{
    int o = side ? 1 : 0;
    int sh = FC_LM_LEFT_SHOULDER + o, hip = FC_LM_LEFT_HIP + o, knee = FC_LM_LEFT_KNEE + o,
        ank = FC_LM_LEFT_ANKLE + o;
    *knee_deg = *hip_deg = NAN;
    if (!p || !p->found)
        return;
    if (seen(p, hip, minv) && seen(p, knee, minv) && seen(p, ank, minv))
        *knee_deg = angle3(&p->world[hip], &p->world[knee], &p->world[ank]);
    if (seen(p, sh, minv) && seen(p, hip, minv) && seen(p, knee, minv))
        *hip_deg = angle3(&p->world[sh], &p->world[hip], &p->world[knee]);
}

int fc_overlay_legs_hidden(const fc_pose_result *p, float minv)
{
    if (!p || !p->found)
        return 1;
    for (int o = 0; o < 2; o++)
        if (seen(p, FC_LM_LEFT_HIP + o, minv) && seen(p, FC_LM_LEFT_KNEE + o, minv) &&
            seen(p, FC_LM_LEFT_ANKLE + o, minv))
            return 0;
    return 1;
}

char *fc_overlay_rep_verdict(char *buf, size_t size, const fc_rep_result *rep)
{
    const char *cue = NULL;
    for (int want = FC_FAIL; want >= FC_WARN && !cue; want--)
        for (size_t i = 0; i < rep->n_checks && !cue; i++)
            if ((int)rep->checks[i].status == want && rep->checks[i].cue[0])
                cue = rep->checks[i].cue;
    char ascii[200];
    size_t o = 0;
    /* The drawing fonts are ASCII: the cues' UTF-8 degree sign becomes " deg", other non-ASCII goes. */
    for (const unsigned char *c = (const unsigned char *)(cue ? cue : "good rep"); *c && o + 5 < sizeof ascii; c++) {
        if (c[0] == 0xC2 && c[1] == 0xB0) {
            memcpy(ascii + o, " deg", 4);
            o += 4;
            c++;
        } else if (*c < 0x80) {
            ascii[o++] = (char)*c;
        }
    }
    ascii[o] = 0;
    snprintf(buf, size, "Rep %d: %.0f - %s", rep->index, rep->score, ascii);
    return buf;
}

void fc_overlay_mirror_pose(fc_pose_result *p, int width)
{
    for (int i = 0; i < FC_NUM_LANDMARKS; i++)
        p->lm[i].x = (float)(width - 1) - p->lm[i].x;
}

void fc_overlay_mirror_frame(fc_frame *f)
{
    for (int y = 0; y < f->height; y++) {
        uint8_t *row = f->data + (size_t)y * (size_t)f->stride;
        for (int a = 0, b = f->width - 1; a < b; a++, b--) {
            uint8_t t[3];
            memcpy(t, row + 3 * a, 3);
            memcpy(row + 3 * a, row + 3 * b, 3);
            memcpy(row + 3 * b, t, 3);
        }
    }
}

/* Angles beside the knee and hip of each visible side. */
static int draw_angles(fc_frame *f, const fc_overlay *ov, float scale)
{
    const fc_pose_result *p = ov->pose;
    int rc = 0;
    for (int s = 0; s < 2 && rc == 0; s++) {
        double knee, hip;
        char txt[16];
        fc_overlay_angles(&knee, &hip, p, s, ov->min_visibility);
        int dx = (int)(12 * scale / 0.5f);
        if (!isnan(knee)) {
            const fc_landmark *l = &p->lm[FC_LM_LEFT_KNEE + s];
            snprintf(txt, sizeof txt, "%.0f", knee);
            rc = fc_draw_label(f, (int)l->x + dx, (int)l->y, txt, FC_RGB(255, 255, 120), scale);
        }
        if (!isnan(hip) && rc == 0) {
            const fc_landmark *l = &p->lm[FC_LM_LEFT_HIP + s];
            snprintf(txt, sizeof txt, "%.0f", hip);
            rc = fc_draw_label(f, (int)l->x + dx, (int)l->y, txt, FC_RGB(160, 255, 255), scale);
        }
    }
    return rc;
}

int fc_overlay_draw(fc_frame *f, const fc_overlay *ov)
{
    const char *lines[4];
    char reps[48], verdict[208];
    int n = 0, rc;
    if (!f || !ov || !f->data)
        return FC_EINVAL;
    float scale = f->height >= 720 ? 0.9f : f->height >= 400 ? 0.6f : 0.45f;
    if (ov->pose && ov->pose->found) {
        if ((rc = fc_draw_skeleton(f, ov->pose, ov->min_visibility)) < 0)
            return rc;
        if ((rc = draw_angles(f, ov, scale)) < 0)
            return rc;
    }
    if (ov->rep_target > 0)
        snprintf(reps, sizeof reps, "Reps: %d/%d", ov->reps, ov->rep_target);
    else
        snprintf(reps, sizeof reps, "Reps: %d", ov->reps);
    lines[n++] = reps;
    if (ov->verdict[0]) {
        char mark = ov->verdict_good ? '+' : (!isnan(ov->verdict_score) && ov->verdict_score < 50) ? '!' : '~';
        snprintf(verdict, sizeof verdict, "%c%s", mark, ov->verdict);
        lines[n++] = verdict;
    }
    if (ov->show_hint && ov->pose && fc_overlay_legs_hidden(ov->pose, ov->min_visibility))
        lines[n++] = "!Can't see your knees/feet: step back";
    if (ov->status)
        lines[n++] = ov->status;
    if ((rc = fc_draw_panel(f, lines, n, FC_CORNER_TOP_LEFT, scale)) < 0)
        return rc;
    double knee[2], hip;
    fc_overlay_angles(&knee[0], &hip, ov->pose, 0, ov->min_visibility);
    fc_overlay_angles(&knee[1], &hip, ov->pose, 1, ov->min_visibility);
    double flex = NAN;
    for (int s = 0; s < 2; s++)
        if (!isnan(knee[s]) && (isnan(flex) || 180 - knee[s] > flex))
            flex = 180 - knee[s];
    float scale_max = (float)(FC_OVERLAY_TARGET_FLEX_DEG * 1.3);
    if ((rc = fc_draw_gauge(f, isnan(flex) ? 0.0f : (float)flex / scale_max,
                            (float)(FC_OVERLAY_TARGET_FLEX_DEG / scale_max),
                            !isnan(flex) && flex >= FC_OVERLAY_TARGET_FLEX_DEG ? FC_RGB(90, 230, 110)
                                                                               : FC_RGB(255, 200, 60))) < 0)
        return rc;
    if (ov->big_text && ov->big_text[0])
        rc = fc_draw_label(f, f->width / 2 - (int)(40 * scale * 4), f->height / 2 + (int)(20 * scale * 4),
                           ov->big_text, FC_RGB(255, 255, 255), scale * 5);
    return rc;
}

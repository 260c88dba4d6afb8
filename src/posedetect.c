/* posedetect.c - BlazePose anchors, decoding, NMS, ROI and projection (see formcheck/posedetect.h). */
#include "formcheck/posedetect.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "formcheck/error.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* pose_detection_cpu.pbtxt: SsdAnchorsCalculator options. */
#define ANCHOR_LAYERS 5
static const int anchor_strides[ANCHOR_LAYERS] = {8, 16, 32, 32, 32};
/* TensorsToDetectionsCalculator: coordinates are in input pixels. */
#define DET_SCALE 224.0f
#define SCORE_CLIP 100.0f
/* RectTransformationCalculator in pose_detection_to_roi / pose_landmarks_to_roi. */
#define ROI_SCALE 1.25f

int fc_pose_anchors(fc_anchor *out, int cap)
{
    int n = 0;
    int layer = 0;
    while (layer < ANCHOR_LAYERS) {
        /* Layers sharing a stride share a feature map: each contributes an anchor
         * for aspect ratio 1 and one for the interpolated scale (also ratio 1); with
         * fixed_anchor_size all of them are 1x1, so only their count matters. */
        int per_cell = 0;
        int last = layer;
        while (last < ANCHOR_LAYERS && anchor_strides[last] == anchor_strides[layer]) {
            per_cell += 2;
            last++;
        }
        int stride = anchor_strides[layer];
        int fm = (FC_POSE_DET_SIZE + stride - 1) / stride;
        for (int y = 0; y < fm; y++)
            for (int x = 0; x < fm; x++)
                for (int a = 0; a < per_cell; a++) {
                    if (n >= cap)
                        return FC_EINVAL;
                    out[n++] = (fc_anchor){(x + 0.5f) / fm, (y + 0.5f) / fm, 1.0f, 1.0f};
                }
        layer = last;
    }
    return n;
}

int fc_pose_decode(fc_detection *out, int cap, const float *raw_boxes, const float *raw_scores,
                   const fc_anchor *anchors, int n, float min_score)
{
    int k = 0;
    for (int i = 0; i < n && k < cap; i++) {
        float logit = raw_scores[i];
        if (!(logit == logit))
            continue;
        if (logit < -SCORE_CLIP)
            logit = -SCORE_CLIP;
        if (logit > SCORE_CLIP)
            logit = SCORE_CLIP;
        float score = 1.0f / (1.0f + expf(-logit));
        if (score < min_score)
            continue;
        const float *r = raw_boxes + (size_t)i * FC_POSE_DET_COORDS;
        const fc_anchor *a = &anchors[i];
        /* reverse_output_order: the model emits x, y, w, h. */
        float cx = r[0] / DET_SCALE * a->w + a->x;
        float cy = r[1] / DET_SCALE * a->h + a->y;
        float w = r[2] / DET_SCALE * a->w;
        float h = r[3] / DET_SCALE * a->h;
        if (!(w >= 0.0f) || !(h >= 0.0f))
            continue; /* negative or NaN size: MediaPipe drops these too */
        fc_detection *d = &out[k++];
        d->score = score;
        d->xmin = cx - w / 2;
        d->ymin = cy - h / 2;
        d->xmax = cx + w / 2;
        d->ymax = cy + h / 2;
        for (int j = 0; j < FC_POSE_DET_KEYPOINTS; j++) {
            d->kp[j][0] = r[4 + 2 * j] / DET_SCALE * a->w + a->x;
            d->kp[j][1] = r[5 + 2 * j] / DET_SCALE * a->h + a->y;
        }
    }
    return k;
}

float fc_detection_iou(const fc_detection *a, const fc_detection *b)
{
    float ix0 = fmaxf(a->xmin, b->xmin), iy0 = fmaxf(a->ymin, b->ymin);
    float ix1 = fminf(a->xmax, b->xmax), iy1 = fminf(a->ymax, b->ymax);
    if (ix1 < ix0 || iy1 < iy0)
        return 0.0f;
    float inter = (ix1 - ix0) * (iy1 - iy0);
    float ua = (a->xmax - a->xmin) * (a->ymax - a->ymin) + (b->xmax - b->xmin) * (b->ymax - b->ymin) - inter;
    return ua > 0.0f ? inter / ua : 0.0f;
}

static int by_score_desc(const void *pa, const void *pb)
{
    const fc_detection *a = pa, *b = pb;
    return (a->score < b->score) - (a->score > b->score);
}

int fc_pose_nms_weighted(fc_detection *dets, int n, float iou_threshold)
{
    if (n <= 0)
        return 0;
    qsort(dets, (size_t)n, sizeof *dets, by_score_desc);
    int k = 0; /* merged outputs in dets[0..k) */
    int r = 0; /* remaining candidates in dets[r..n), best first */
    while (r < n) {
        const fc_detection top = dets[r];
        double sw = 0, sx0 = 0, sy0 = 0, sx1 = 0, sy1 = 0, skp[FC_POSE_DET_KEYPOINTS][2] = {{0}};
        int w = r + 1;
        for (int i = r; i < n; i++) {
            const fc_detection *d = &dets[i];
            if (i == r || fc_detection_iou(d, &top) > iou_threshold) {
                double s = d->score;
                sw += s;
                sx0 += d->xmin * s;
                sy0 += d->ymin * s;
                sx1 += d->xmax * s;
                sy1 += d->ymax * s;
                for (int j = 0; j < FC_POSE_DET_KEYPOINTS; j++) {
                    skp[j][0] += d->kp[j][0] * s;
                    skp[j][1] += d->kp[j][1] * s;
                }
            } else {
                dets[w++] = *d; /* w <= i: a stable compaction of what is left */
            }
        }
        fc_detection m = top;
        if (sw > 0) {
            m.xmin = (float)(sx0 / sw);
            m.ymin = (float)(sy0 / sw);
            m.xmax = (float)(sx1 / sw);
            m.ymax = (float)(sy1 / sw);
            for (int j = 0; j < FC_POSE_DET_KEYPOINTS; j++) {
                m.kp[j][0] = (float)(skp[j][0] / sw);
                m.kp[j][1] = (float)(skp[j][1] / sw);
            }
        }
        dets[k++] = m; /* k <= r: never overwrites a remaining candidate */
        r++;
        n = w;
    }
    return k;
}

void fc_letterbox_padding(int width, int height, float pad[4])
{
    /* ImageToTensorCalculator, keep_aspect_ratio on a square tensor (PadRoi). */
    float roi_aspect = (float)height / (float)width;
    float hpad = 0.0f, vpad = 0.0f;
    if (1.0f > roi_aspect)
        vpad = (1.0f - roi_aspect) / 2.0f;
    else
        hpad = (1.0f - 1.0f / roi_aspect) / 2.0f;
    pad[0] = hpad;
    pad[1] = vpad;
    pad[2] = hpad;
    pad[3] = vpad;
}

fc_roi fc_letterbox_roi(int width, int height)
{
    float side = (float)(width > height ? width : height);
    return (fc_roi){width / 2.0f, height / 2.0f, side, side, 0.0f};
}

void fc_detection_unletterbox(fc_detection *dets, int n, const float pad[4])
{
    float sx = 1.0f - pad[0] - pad[2], sy = 1.0f - pad[1] - pad[3];
    for (int i = 0; i < n; i++) {
        fc_detection *d = &dets[i];
        d->xmin = (d->xmin - pad[0]) / sx;
        d->xmax = (d->xmax - pad[0]) / sx;
        d->ymin = (d->ymin - pad[1]) / sy;
        d->ymax = (d->ymax - pad[1]) / sy;
        for (int j = 0; j < FC_POSE_DET_KEYPOINTS; j++) {
            d->kp[j][0] = (d->kp[j][0] - pad[0]) / sx;
            d->kp[j][1] = (d->kp[j][1] - pad[1]) / sy;
        }
    }
}

float fc_normalize_radians(float a)
{
    return a - 2.0f * (float)M_PI * floorf((a + (float)M_PI) / (2.0f * (float)M_PI));
}

fc_roi fc_roi_from_points(float x0, float y0, float x1, float y1)
{
    float dx = x1 - x0, dy = y1 - y0;
    float side = sqrtf(dx * dx + dy * dy) * 2.0f * ROI_SCALE;
    float rot = fc_normalize_radians((float)M_PI / 2.0f - atan2f(-dy, dx));
    return (fc_roi){x0, y0, side, side, rot};
}

void fc_roi_to_frame(const fc_roi *roi, float u, float v, float *x, float *y)
{
    float c = cosf(roi->rotation), s = sinf(roi->rotation);
    float du = u - 0.5f, dv = v - 0.5f;
    *x = (c * du - s * dv) * roi->w + roi->cx;
    *y = (s * du + c * dv) * roi->h + roi->cy;
}

int fc_roi_usable(const fc_roi *roi, int width, int height)
{
    float span = (float)width + (float)height;
    return roi && width > 0 && height > 0 && isfinite(roi->cx) && isfinite(roi->cy) && isfinite(roi->w) &&
           isfinite(roi->h) && isfinite(roi->rotation) && roi->w > 0.0f && roi->h > 0.0f &&
           fabsf(roi->cx) < 4.0f * span && fabsf(roi->cy) < 4.0f * span && roi->w < 8.0f * span &&
           roi->h < 8.0f * span;
}

int fc_pose_pick(const fc_detection *d, int n, int width, int height, const fc_roi *seen, float score_tie,
                 float same_dist)
{
    if (n <= 0)
        return -1;
    if (seen && seen->w > 0.0f) {
        int best = -1;
        float best_dist = same_dist;
        for (int i = 0; i < n; i++) {
            float dx = d[i].kp[0][0] * width - seen->cx, dy = d[i].kp[0][1] * height - seen->cy;
            float dist = sqrtf(dx * dx + dy * dy) / seen->w;
            if (dist < best_dist) {
                best_dist = dist;
                best = i;
            }
        }
        if (best >= 0)
            return best;
    }
    int best = 0;
    float best_key = -1.0f, half_diag = 0.5f * sqrtf((float)width * width + (float)height * height);
    for (int i = 0; i < n && d[i].score >= d[0].score - score_tie; i++) {
        float hx = d[i].kp[0][0] * width, hy = d[i].kp[0][1] * height;
        fc_roi r = fc_roi_from_points(hx, hy, d[i].kp[1][0] * width, d[i].kp[1][1] * height);
        float off = sqrtf((hx - width / 2.0f) * (hx - width / 2.0f) + (hy - height / 2.0f) * (hy - height / 2.0f));
        float central = 1.0f - off / half_diag;
        float key = r.w * r.w * (central > 0.0f ? central : 0.0f);
        if (key > best_key) {
            best_key = key;
            best = i;
        }
    }
    return best;
}

static float sigmoidf(float v)
{
    return 1.0f / (1.0f + expf(-v));
}

void fc_pose_refine_heatmap(float (*pts)[2], int n, const float *heatmap, int planar, int hm_w, int hm_h,
                            int kernel, float min_confidence)
{
    int half = (kernel - 1) / 2;
    /* Element (y, x, k) at y * ys + x * xs + k * ks. */
    size_t xs = planar ? 1 : (size_t)n, ys = xs * (size_t)hm_w, ks = planar ? (size_t)hm_w * hm_h : 1;
    for (int k = 0; k < n; k++) {
        /* Truncation toward zero, as MediaPipe's int conversion does. */
        int col = (int)(pts[k][0] * hm_w), row = (int)(pts[k][1] * hm_h);
        if (col < 0 || col >= hm_w || row < 0 || row >= hm_h)
            continue;
        int c0 = col - half < 0 ? 0 : col - half, c1 = col + half + 1 > hm_w ? hm_w : col + half + 1;
        int r0 = row - half < 0 ? 0 : row - half, r1 = row + half + 1 > hm_h ? hm_h : row + half + 1;
        float sum = 0, wc = 0, wr = 0, best = 0;
        for (int y = r0; y < r1; y++)
            for (int x = c0; x < c1; x++) {
                float c = sigmoidf(heatmap[(size_t)y * ys + (size_t)x * xs + (size_t)k * ks]);
                sum += c;
                wc += x * c;
                wr += y * c;
                if (c > best)
                    best = c;
            }
        if (best >= min_confidence && sum > 0) {
            pts[k][0] = wc / hm_w / sum;
            pts[k][1] = wr / hm_h / sum;
        }
    }
}

void fc_pose_landmarks_decode(fc_landmark *lm, float (*aux)[2], fc_point3 *world,
                              const float *raw, const float *heatmap, int planar, const float *world_raw,
                              const fc_roi *roi, int kernel, float min_confidence)
{
    float pts[FC_POSE_LM_POINTS][2];
    for (int i = 0; i < FC_POSE_LM_POINTS; i++) {
        pts[i][0] = raw[i * 5 + 0] / FC_POSE_LM_SIZE;
        pts[i][1] = raw[i * 5 + 1] / FC_POSE_LM_SIZE;
    }
    if (heatmap)
        fc_pose_refine_heatmap(pts, FC_POSE_LM_POINTS, heatmap, planar, FC_POSE_HEATMAP_SIZE, FC_POSE_HEATMAP_SIZE,
                               kernel, min_confidence);
    for (int i = 0; i < FC_NUM_LANDMARKS; i++) {
        fc_landmark *l = &lm[i];
        fc_roi_to_frame(roi, pts[i][0], pts[i][1], &l->x, &l->y);
        l->z = raw[i * 5 + 2] / FC_POSE_LM_SIZE * roi->w;
        l->visibility = sigmoidf(raw[i * 5 + 3]);
        l->presence = sigmoidf(raw[i * 5 + 4]);
    }
    if (aux)
        for (int i = 0; i < 2; i++)
            fc_roi_to_frame(roi, pts[FC_POSE_AUX_FIRST + i][0], pts[FC_POSE_AUX_FIRST + i][1], &aux[i][0],
                            &aux[i][1]);
    if (world && world_raw) {
        float c = cosf(roi->rotation), s = sinf(roi->rotation);
        for (int i = 0; i < FC_NUM_LANDMARKS; i++) {
            const float *w = world_raw + i * 3;
            world[i] = (fc_point3){c * w[0] - s * w[1], s * w[0] + c * w[1], w[2]};
        }
    }
}

// draw.cpp - overlays with OpenCV imgproc (see formcheck/draw.h). The only
// OpenCV drawing code; exceptions are caught here and never reach C callers.
#include "formcheck/draw.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <cstring>

#include "formcheck/error.h"

extern "C" const unsigned char fc_bones[FC_NUM_BONES][2] = {
    {0, 1}, {1, 2}, {2, 3}, {3, 7}, {0, 4}, {4, 5}, {5, 6}, {6, 8}, {9, 10},
    {11, 12}, {11, 13}, {13, 15}, {15, 17}, {15, 19}, {15, 21}, {17, 19},
    {12, 14}, {14, 16}, {16, 18}, {16, 20}, {16, 22}, {18, 20},
    {11, 23}, {12, 24}, {23, 24}, {23, 25}, {24, 26}, {25, 27}, {26, 28},
    {27, 29}, {28, 30}, {29, 31}, {30, 32}, {27, 31}, {28, 32},
};

namespace {

cv::Scalar bgr(fc_rgb c) { return cv::Scalar(c & 0xff, (c >> 8) & 0xff, (c >> 16) & 0xff); }

bool wrap(const fc_frame *f, cv::Mat &m)
{
    if (!f || !f->data || f->width <= 0 || f->height <= 0 || f->stride < 3 * f->width)
        return false;
    m = cv::Mat(f->height, f->width, CV_8UC3, f->data, (size_t)f->stride);
    return true;
}

// Side of a landmark: 0 centre (nose), 1 left, 2 right.
int side(int id)
{
    if (id == FC_LM_NOSE)
        return 0;
    return fc_landmark_mirror(id) > id ? 1 : 2;
}

const fc_rgb side_colour[3] = {FC_RGB(240, 240, 240), FC_RGB(255, 150, 40), FC_RGB(60, 160, 255)};

} // namespace

extern "C" int fc_draw_skeleton(fc_frame *frame, const fc_pose_result *pose, float min_visibility)
{
    cv::Mat m;
    if (!wrap(frame, m) || !pose)
        return FC_EINVAL;
    if (!pose->found)
        return FC_OK;
    try {
        int thick = std::max(2, frame->height / 240);
        for (const auto &b : fc_bones) {
            const fc_landmark &a = pose->lm[b[0]], &c = pose->lm[b[1]];
            if (a.visibility < min_visibility || c.visibility < min_visibility)
                continue;
            int s = side(b[0]) == side(b[1]) ? side(b[0]) : 0;
            cv::line(m, cv::Point2f(a.x, a.y), cv::Point2f(c.x, c.y), bgr(side_colour[s]), thick, cv::LINE_AA);
        }
        for (int i = 0; i < FC_NUM_LANDMARKS; i++) {
            const fc_landmark &l = pose->lm[i];
            if (l.visibility < min_visibility)
                continue;
            cv::circle(m, cv::Point2f(l.x, l.y), thick + 1, bgr(side_colour[side(i)]), cv::FILLED, cv::LINE_AA);
            cv::circle(m, cv::Point2f(l.x, l.y), thick + 1, cv::Scalar(20, 20, 20), 1, cv::LINE_AA);
        }
    } catch (const cv::Exception &) {
        return FC_ECV;
    }
    return FC_OK;
}

extern "C" int fc_draw_label(fc_frame *frame, int x_px, int y_px, const char *text, fc_rgb colour, float scale)
{
    cv::Mat m;
    if (!wrap(frame, m) || !text || scale <= 0)
        return FC_EINVAL;
    try {
        int t = std::max(1, (int)(scale * 2 + 0.5f));
        cv::putText(m, text, cv::Point(x_px, y_px), cv::FONT_HERSHEY_SIMPLEX, scale, cv::Scalar(0, 0, 0), t + 2,
                    cv::LINE_AA);
        cv::putText(m, text, cv::Point(x_px, y_px), cv::FONT_HERSHEY_SIMPLEX, scale, bgr(colour), t, cv::LINE_AA);
    } catch (const cv::Exception &) {
        return FC_ECV;
    }
    return FC_OK;
}

extern "C" int fc_draw_panel(fc_frame *frame, const char *const *lines, int n_lines, int corner, float scale)
{
    cv::Mat m;
    if (!wrap(frame, m) || (!lines && n_lines) || n_lines < 0 || scale <= 0)
        return FC_EINVAL;
    if (n_lines == 0)
        return FC_OK;
    try {
        int base = 0, w = 0, t = std::max(1, (int)(scale * 2 + 0.5f));
        int line_h = cv::getTextSize("Ag", cv::FONT_HERSHEY_SIMPLEX, scale, t, &base).height + base + 6;
        for (int i = 0; i < n_lines; i++) {
            const char *s = lines[i] ? lines[i] : "";
            if (*s == '!' || *s == '+' || *s == '~')
                s++;
            w = std::max(w, cv::getTextSize(s, cv::FONT_HERSHEY_SIMPLEX, scale, t, &base).width);
        }
        int pw = w + 16, ph = n_lines * line_h + 10, margin = 8;
        int x0 = (corner == FC_CORNER_TOP_RIGHT || corner == FC_CORNER_BOTTOM_RIGHT) ? m.cols - pw - margin : margin;
        int y0 = (corner == FC_CORNER_BOTTOM_LEFT || corner == FC_CORNER_BOTTOM_RIGHT) ? m.rows - ph - margin : margin;
        cv::Rect box = cv::Rect(x0, y0, pw, ph) & cv::Rect(0, 0, m.cols, m.rows);
        if (box.area() > 0) {
            cv::Mat roi = m(box);
            roi.convertTo(roi, -1, 0.35, 0); // darken in place: text stays readable on any background
        }
        for (int i = 0; i < n_lines; i++) {
            const char *s = lines[i] ? lines[i] : "";
            fc_rgb c = FC_RGB(255, 255, 255);
            if (*s == '!')
                c = FC_RGB(255, 80, 80), s++;
            else if (*s == '+')
                c = FC_RGB(90, 230, 110), s++;
            else if (*s == '~')
                c = FC_RGB(255, 200, 60), s++;
            cv::putText(m, s, cv::Point(x0 + 8, y0 + 5 + (i + 1) * line_h - base - 3), cv::FONT_HERSHEY_SIMPLEX,
                        scale, bgr(c), t, cv::LINE_AA);
        }
    } catch (const cv::Exception &) {
        return FC_ECV;
    }
    return FC_OK;
}

extern "C" int fc_draw_gauge(fc_frame *frame, float value, float target, fc_rgb colour)
{
    cv::Mat m;
    if (!wrap(frame, m))
        return FC_EINVAL;
    try {
        value = std::min(1.0f, std::max(0.0f, value));
        int w = std::max(8, m.cols / 40), h = m.rows / 2, x0 = m.cols - w - 10, y0 = (m.rows - h) / 2;
        cv::rectangle(m, cv::Rect(x0, y0, w, h), cv::Scalar(30, 30, 30), cv::FILLED);
        int fill = (int)(value * h + 0.5f);
        cv::rectangle(m, cv::Rect(x0, y0 + h - fill, w, fill), bgr(colour), cv::FILLED);
        if (target >= 0 && target <= 1) {
            int ty = y0 + h - (int)(target * h + 0.5f);
            cv::line(m, cv::Point(x0 - 4, ty), cv::Point(x0 + w + 4, ty), cv::Scalar(255, 255, 255), 2);
        }
        cv::rectangle(m, cv::Rect(x0, y0, w, h), cv::Scalar(220, 220, 220), 1);
    } catch (const cv::Exception &) {
        return FC_ECV;
    }
    return FC_OK;
}

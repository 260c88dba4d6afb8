// window.cpp - preview window with OpenCV highgui (see formcheck/window.h).
#include "formcheck/window.h"

#include <opencv2/core.hpp>
#include <opencv2/highgui.hpp>

#include <cstdlib>
#include <new>
#include <string>

struct fc_window {
    std::string title;
    bool shown = false;
};

extern "C" int fc_window_open(fc_window **out, const char *title, char *err, size_t errsz)
{
    if (!out || !title)
        return FC_EINVAL;
    *out = nullptr;
    // highgui aborts the process (GTK) without a display: check first.
    const char *d = std::getenv("DISPLAY"), *wl = std::getenv("WAYLAND_DISPLAY");
    if ((!d || !*d) && (!wl || !*wl))
        return fc_set_error(err, errsz, FC_ENODEV, "no display for the preview window (DISPLAY is not set; use --no-window)");
    fc_window *w = new (std::nothrow) fc_window;
    if (!w)
        return fc_set_error(err, errsz, FC_ENOMEM, "out of memory");
    try {
        w->title = title;
        cv::namedWindow(w->title, cv::WINDOW_AUTOSIZE);
    } catch (const cv::Exception &e) {
        delete w;
        return fc_set_error(err, errsz, FC_ECV, "cannot open the preview window: %s", e.what());
    } catch (...) {
        delete w;
        return fc_set_error(err, errsz, FC_ECV, "cannot open the preview window");
    }
    *out = w;
    return FC_OK;
}

extern "C" int fc_window_show(fc_window *win, const fc_frame *f)
{
    if (!win || !f || !f->data || f->width <= 0 || f->height <= 0)
        return FC_EINVAL;
    try {
        cv::Mat m(f->height, f->width, CV_8UC3, f->data, (size_t)f->stride);
        cv::imshow(win->title, m);
        win->shown = true;
    } catch (...) {
        return FC_ECV;
    }
    return FC_OK;
}

extern "C" int fc_window_poll_key(fc_window *win, int wait_ms)
{
    if (!win)
        return -1;
    try {
        int k = cv::waitKey(wait_ms < 1 ? 1 : wait_ms);
        return k < 0 ? -1 : (k & 0xff);
    } catch (...) {
        return -1;
    }
}

extern "C" int fc_window_is_open(fc_window *win)
{
    if (!win)
        return 0;
    if (!win->shown)
        return 1;
    try {
        return cv::getWindowProperty(win->title, cv::WND_PROP_VISIBLE) >= 1.0 ? 1 : 0;
    } catch (...) {
        return 0;
    }
}

extern "C" void fc_window_free(fc_window *win)
{
    if (!win)
        return;
    try {
        cv::destroyWindow(win->title);
        cv::waitKey(1);
    } catch (...) {
    }
    delete win;
}

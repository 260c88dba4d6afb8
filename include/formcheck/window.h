/*
 * formcheck/window.h - a preview window (OpenCV highgui behind a C API), for
 * `formcheck record`'s live view.
 *
 *     fc_window *win = NULL;
 *     char err[FC_ERRBUF_SIZE];
 *     if (fc_window_open(&win, "formcheck", err, sizeof err) < 0) ...  // FC_ENODEV: no display
 *     while (...) {
 *         fc_window_show(win, &frame);
 *         int key = fc_window_poll_key(win, 1);   // -1: none; 'q', 27 (Esc), ...
 *         if (key == 'q' || key == 27 || !fc_window_is_open(win)) break;
 *     }
 *     fc_window_free(win);
 *
 * Thread-safety: highgui wants every call from one thread (the one that opened it).
 */
#ifndef FORMCHECK_WINDOW_H
#define FORMCHECK_WINDOW_H

#include <stddef.h>

#include "formcheck/error.h"
#include "formcheck/frame.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fc_window fc_window;

/** Open a window titled `title`. Errors: FC_ENODEV when there is no display
 *  ($DISPLAY unset or unreachable), FC_ECV, FC_ENOMEM. */
int fc_window_open(fc_window **out, const char *title, char *err, size_t errsz);

/** Show a frame (copied by highgui). Errors: FC_EINVAL, FC_ECV. */
int fc_window_show(fc_window *win, const fc_frame *frame);

/** Process window events for up to `wait_ms` (>= 1) and return the key pressed
 *  (ASCII, 27 for Esc) or -1. */
int fc_window_poll_key(fc_window *win, int wait_ms);

/** 0 once the user closed the window. */
int fc_window_is_open(fc_window *win);

/** NULL-safe; closes the window. */
void fc_window_free(fc_window *win);

#ifdef __cplusplus
}
#endif
#endif /* FORMCHECK_WINDOW_H */

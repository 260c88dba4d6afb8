/*
 * formcheck/grabber.h - a capture (formcheck/capture.h) read on its own thread
 * that keeps only the newest frame, for live views: whoever consumes frames
 * (a pose model slower than the camera) always gets the latest one and never
 * queues up behind itself. Frames it had no time for are dropped (counted);
 * the capture's recording (record_path) still gets every frame.
 *
 *     fc_grabber *g = NULL;
 *     fc_capture_opts co = fc_capture_default_opts();
 *     co.format = "lavfi"; co.record_path = "out/set.mkv";
 *     if (fc_grabber_open(&g, "testsrc2=size=640x480:rate=30", &co, 1, err, sizeof err) < 0) ...
 *     fc_frame f; double captured_s;
 *     for (;;) {
 *         int rc = fc_grabber_next(&f, &captured_s, g, 100);   // waits up to 100 ms
 *         if (rc == FC_EAGAIN) continue;                        // nothing new yet
 *         if (rc < 0) break;                                    // FC_EEOF, FC_EIO, FC_ENOSPC, FC_EINTR...
 *         ...f is valid until the next fc_grabber_next()...
 *     }
 *     fc_grabber_free(g);          // stops the thread, finishes the recording
 *
 * Buffers: three frames allocated at open (triple buffering: the thread fills
 * one, one waits, the consumer holds one), so nothing is allocated per frame
 * and the consumer's frame is never written while it holds it. With
 * opts.planar the frames are the decoded planes (formcheck/frame.h), copied
 * into buffers of the source's size allocated at open (a copy is cheaper than
 * the conversion it replaces: 720p, 1.4 MB); a stream that grows mid-way
 * reallocates them once. Sources larger than 1080p are converted as without
 * opts.planar (three copies of 8K planes would hold 150 MB).
 *
 * Flags: FC_GRABBER_REALTIME paces a file (or any non-live source such as
 * lavfi without its realtime filter) to its timestamps, as a camera would
 * deliver it. FC_GRABBER_ALL drops nothing: the thread waits for the consumer
 * instead (a two-stage pipeline for files: decoding the next frame while the
 * consumer works on this one).
 *
 * Thread-safety: one consumer thread; fc_grabber_interrupt() may be called from
 * anywhere, including a signal handler.
 */
#ifndef FORMCHECK_GRABBER_H
#define FORMCHECK_GRABBER_H

#include <stddef.h>
#include <stdint.h>

#include "formcheck/capture.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fc_grabber fc_grabber;

enum fc_grabber_flags { FC_GRABBER_REALTIME = 1, FC_GRABBER_ALL = 2 };

typedef struct fc_grabber_stats {
    int64_t captured;   /**< frames read from the source */
    int64_t delivered;  /**< frames handed to the consumer */
    int64_t dropped;    /**< frames replaced by a newer one before the consumer took them */
    int64_t recorded;   /**< frames written to the recording */
    double first_t_s;   /**< time stamp of the first frame read (seconds, the source's clock); NAN before any */
    double last_t_s;    /**< time stamp of the last frame read; NAN before any */
    double read_s;      /**< wall seconds the thread spent getting frames (demux, decode, convert, copy),
                             not counting waits for the consumer or realtime pacing */
} fc_grabber_stats;

/** Open `url` with `opts` (errors as fc_capture_open, synchronously) and start
 *  the reading thread; `flags` are fc_grabber_flags. Frames larger than the first are an error (FC_EINVAL)
 *  for the thread: a device does not change size mid-stream. */
int fc_grabber_open(fc_grabber **out, const char *url, const fc_capture_opts *opts, int flags, char *err,
                    size_t errsz);

/** The capture's stream information. */
const fc_capture_info *fc_grabber_info(const fc_grabber *g);

/** The newest frame not yet delivered: 0 and *frame (valid until the next call),
 *  *captured_s = CLOCK_MONOTONIC seconds when it was read (for latency);
 *  FC_EAGAIN when none came within timeout_ms; once the source ended and the
 *  last frame was delivered, the reader's final status: FC_EEOF, FC_EINTR (after
 *  fc_grabber_interrupt), FC_EIO (device error), FC_ENOSPC (recording disk
 *  full) - again on every later call; fc_grabber_error() says what. */
int fc_grabber_next(fc_frame *frame, double *captured_s, fc_grabber *g, int timeout_ms);

/** Stop the reader (async-signal-safe; the thread ends at its next read). */
void fc_grabber_interrupt(fc_grabber *g);

/** Message of the reader's final status; "" while it runs. */
const char *fc_grabber_error(fc_grabber *g);

void fc_grabber_get_stats(fc_grabber_stats *out, fc_grabber *g);

/** Stop the thread, finish the recording (trailer written: playable) and free.
 *  Returns 0 or the recording's error (FC_EIO, FC_ENOSPC). NULL-safe. */
int fc_grabber_close(fc_grabber *g, char *err, size_t errsz);

/** CLOCK_MONOTONIC now, seconds. */
double fc_grabber_now_s(void);

#ifdef __cplusplus
}
#endif
#endif /* FORMCHECK_GRABBER_H */

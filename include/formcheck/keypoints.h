/*
 * formcheck/keypoints.h - keypoints files: one JSON object per frame (JSON Lines).
 *
 * The format written by `formcheck pose`, `formcheck analyze --keypoints-out` and
 * the synthetic athlete, and read by `formcheck analyze --from-keypoints`:
 *
 *   {"frame":0,"t_s":0.0,"w":640,"h":480,"ms":12.3,"score":0.99,
 *    "landmarks":[[x,y,z,visibility,presence] x 33] | null,
 *    "world":[[x,y,z] x 33] | null}
 *
 * x and y are normalised by the frame's width and height; z is BlazePose's
 * relative depth normalised by the width (as MediaPipe does); world points are
 * metres. The reader also accepts MediaPipe's reference files
 * (`ts_ms` instead of `t_s`, 4-element landmarks [x,y,z,visibility]; world
 * entries may carry a 4th value, ignored).
 *
 *     fc_keypoints_writer *w = NULL;
 *     char err[FC_ERRBUF_SIZE];
 *     if (fc_keypoints_writer_open(&w, "out.jsonl", err, sizeof err) < 0) { ...; }
 *     for (...) fc_keypoints_writer_write(w, &result);
 *     rc = fc_keypoints_writer_close(w, err, sizeof err); // renames the temp file into place
 *
 *     fc_pose_result *series = NULL; size_t n = 0;
 *     rc = fc_keypoints_load(&series, &n, "out.jsonl", err, sizeof err);
 *     ...
 *     free(series);
 *
 * Thread-safety: a writer is used by one thread at a time; the functions hold no
 * shared state.
 */
#ifndef FORMCHECK_KEYPOINTS_H
#define FORMCHECK_KEYPOINTS_H

#include <stddef.h>
#include <stdio.h>

#include "formcheck/landmarks.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Longest line the reader accepts (bytes); longer lines are an error. */
#define FC_KEYPOINTS_MAX_LINE (256 * 1024)
/** Largest file the loader accepts (bytes): refused before parsing. */
#define FC_KEYPOINTS_MAX_FILE ((long long)2 << 30)

typedef struct fc_keypoints_writer fc_keypoints_writer;

/** Open a writer on `path` ("-" = stdout). The data go to a temporary file beside
 *  `path` that fc_keypoints_writer_close() renames into place, so a reader never
 *  sees a half-written file. Existing files are replaced on close.
 *  Errors: FC_EINVAL, FC_ENOMEM, FC_EACCES/FC_ENOENT/FC_EIO (message names path). */
int fc_keypoints_writer_open(fc_keypoints_writer **out, const char *path, char *err, size_t errsz);

/** Append one frame. Does not allocate. Errors: FC_EIO, FC_ENOSPC. */
int fc_keypoints_writer_write(fc_keypoints_writer *w, const fc_pose_result *r);

/** Flush, close and rename into place, then free the writer (always freed, even
 *  on error; the temp file is removed on error). */
int fc_keypoints_writer_close(fc_keypoints_writer *w, char *err, size_t errsz);

/** Abandon a writer: remove the temp file and free. NULL-safe. */
void fc_keypoints_writer_free(fc_keypoints_writer *w);

/** Format one frame as a single JSON line (with '\n') into `buf`.
 *  Returns the length written, or FC_EINVAL if `size` is too small
 *  (FC_KEYPOINTS_MAX_LINE is always enough). */
int fc_keypoints_format(char *buf, size_t size, const fc_pose_result *r);

/** Parse one JSON line into `out` (pixel coordinates from w/h). Errors:
 *  FC_EKEYPOINTS with the problem in `err` (e.g. "landmarks[3]: expected 4 or 5 numbers"). */
int fc_keypoints_parse(fc_pose_result *out, const char *line, size_t len, char *err, size_t errsz);

/** Load a whole file. `*out` is malloc'd (caller frees), `*n` frames. Blank lines
 *  are skipped. Errors: FC_ENOENT/FC_EISDIR/FC_EACCES, FC_ETOOBIG, FC_EKEYPOINTS
 *  ("K.jsonl:12: ..." naming line and problem), FC_ENOMEM. On error *out is NULL. */
int fc_keypoints_load(fc_pose_result **out, size_t *n, const char *path, char *err, size_t errsz);

#ifdef __cplusplus
}
#endif
#endif /* FORMCHECK_KEYPOINTS_H */

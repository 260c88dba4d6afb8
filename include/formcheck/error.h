/*
 * formcheck/error.h - error codes, messages and the logging callback.
 *
 * Every fallible formcheck function returns an int: 0 on success, a negative
 * FC_E* code on failure. Detail (which file, which key, which op) goes into the
 * handle or a caller-supplied buffer, never into a global.
 *
 *     char err[FC_ERRBUF_SIZE];
 *     int rc = fc_profile_load(&prof, "squat.json", err, sizeof err);
 *     if (rc < 0)
 *         fprintf(stderr, "formcheck: %s\n", err); // "squat.json: key 'depth.warn_deg': expected a number"
 *
 * Thread-safety: everything here is thread-safe (no state).
 */
#ifndef FORMCHECK_ERROR_H
#define FORMCHECK_ERROR_H

#include <stdarg.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Suggested size of caller-supplied error buffers (bytes, with the NUL). */
#define FC_ERRBUF_SIZE 512

/** Error codes; always negative. Keep fc_strerror() in sync. */
enum fc_error {
    FC_OK = 0,
    FC_EINVAL = -1,        /**< invalid argument (a programming or usage error) */
    FC_ENOMEM = -2,        /**< out of memory */
    FC_EIO = -3,           /**< read/write error */
    FC_ENOENT = -4,        /**< no such file or device */
    FC_EISDIR = -5,        /**< a directory where a file was expected */
    FC_EACCES = -6,        /**< permission denied */
    FC_EFORMAT = -7,       /**< not a media file / not a recognised container */
    FC_ENOVIDEO = -8,      /**< the input has no video stream */
    FC_ECODEC = -9,        /**< no decoder/encoder for the codec */
    FC_EBUSY = -10,        /**< device busy */
    FC_ENODEV = -11,       /**< device absent or not a capture device */
    FC_EDECODE = -12,      /**< nothing could be decoded */
    FC_EEOF = -13,         /**< end of stream (not an error for loops) */
    FC_EMODEL = -14,       /**< model file missing, damaged or unsupported */
    FC_EPROFILE = -15,     /**< threshold profile invalid */
    FC_EREPORT = -16,      /**< report file invalid or from a newer schema */
    FC_EKEYPOINTS = -17,   /**< keypoints file invalid */
    FC_EEXIST = -18,       /**< output exists (and overwriting was not asked for) */
    FC_ENOSPC = -19,       /**< no space left on device */
    FC_EINTR = -20,        /**< interrupted by a signal or a stop request */
    FC_ECV = -21,          /**< OpenCV raised an exception */
    FC_ENOTIMPL = -22,     /**< feature not implemented (yet) */
    FC_ETOOBIG = -23,      /**< input larger than the sane bound */
    FC_EAGAIN = -24,       /**< nothing available right now, try again */
};

/** A static, human-readable description of an FC_E* code ("no such file or device").
 *  Unknown codes give "unknown error". Never NULL. */
const char *fc_strerror(int code);

/** Map an errno value to the closest FC_E* code (ENOENT -> FC_ENOENT, ...). */
int fc_error_from_errno(int errnum);

/** Log levels, most to least severe. */
enum fc_log_level { FC_LOG_ERROR = 0, FC_LOG_WARN = 1, FC_LOG_INFO = 2, FC_LOG_DEBUG = 3 };

/** Logging callback set by the caller through a module's options. `msg` is one line
 *  without a trailing newline, valid only during the call. May be called from any
 *  thread that calls into the module. */
typedef void (*fc_log_fn)(void *user, int level, const char *msg);

/** printf-style helper for modules: formats and calls `fn(user, level, ...)` if `fn`
 *  is non-NULL. Safe to call with fn == NULL (does nothing). */
void fc_log(fc_log_fn fn, void *user, int level, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/** printf-style write into a caller buffer (may be NULL or size 0: ignored).
 *  Always NUL-terminates; truncates silently. Returns `code` so callers can write
 *  `return fc_set_error(err, n, FC_EMODEL, "%s: bad magic", path);`. */
int fc_set_error(char *buf, size_t size, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

#ifdef __cplusplus
}
#endif
#endif /* FORMCHECK_ERROR_H */

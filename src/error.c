/* error.c - error strings and small logging helpers (see formcheck/error.h). */
#include "formcheck/error.h"

#include <errno.h>
#include <stdio.h>

const char *fc_strerror(int code)
{
    switch (code) {
    case FC_OK: return "success";
    case FC_EINVAL: return "invalid argument";
    case FC_ENOMEM: return "out of memory";
    case FC_EIO: return "input/output error";
    case FC_ENOENT: return "no such file or device";
    case FC_EISDIR: return "is a directory";
    case FC_EACCES: return "permission denied";
    case FC_EFORMAT: return "not a recognised media file";
    case FC_ENOVIDEO: return "no video stream";
    case FC_ECODEC: return "unsupported codec";
    case FC_EBUSY: return "device busy";
    case FC_ENODEV: return "no such capture device";
    case FC_EDECODE: return "no frame could be decoded";
    case FC_EEOF: return "end of stream";
    case FC_EMODEL: return "invalid or unsupported model";
    case FC_EPROFILE: return "invalid threshold profile";
    case FC_EREPORT: return "invalid report";
    case FC_EKEYPOINTS: return "invalid keypoints file";
    case FC_EEXIST: return "file exists";
    case FC_ENOSPC: return "no space left on device";
    case FC_EINTR: return "interrupted";
    case FC_ECV: return "OpenCV error";
    case FC_ENOTIMPL: return "not implemented yet";
    case FC_ETOOBIG: return "input too large";
    case FC_EAGAIN: return "try again";
    default: return "unknown error";
    }
}

int fc_error_from_errno(int errnum)
{
    switch (errnum) {
    case 0: return FC_OK;
    case ENOENT: return FC_ENOENT;
    case EISDIR: return FC_EISDIR;
    case EACCES:
    case EPERM:
    case EROFS: return FC_EACCES;
    case ENOMEM: return FC_ENOMEM;
    case EBUSY: return FC_EBUSY;
    case ENODEV:
    case ENXIO: return FC_ENODEV;
    case ENOSPC:
    case EDQUOT: return FC_ENOSPC;
    case EEXIST: return FC_EEXIST;
    case EINTR: return FC_EINTR;
    case EAGAIN: return FC_EAGAIN;
    case EFBIG: return FC_ETOOBIG;
    default: return FC_EIO;
    }
}

void fc_log(fc_log_fn fn, void *user, int level, const char *fmt, ...)
{
    char line[1024];
    va_list ap;

    if (!fn)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fn(user, level, line);
}

int fc_set_error(char *buf, size_t size, int code, const char *fmt, ...)
{
    va_list ap;

    if (!buf || size == 0)
        return code;
    va_start(ap, fmt);
    vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return code;
}

/* atomicfile.c - temp file + rename (see formcheck/atomicfile.h). */
#define _POSIX_C_SOURCE 200809L
#include "formcheck/atomicfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formcheck/error.h"

struct fc_atomic_file {
    FILE *fp;
    int is_stdout;
    int is_direct; /* target is a device or FIFO: written in place, never renamed over */
    int flags;
    char *path;
    char *tmp;
};

static int fail_errno(char *err, size_t errsz, const char *path, const char *what)
{
    int e = errno;
    return fc_set_error(err, errsz, fc_error_from_errno(e), "%s: %s: %s", path, what, strerror(e));
}

int fc_atomic_open(fc_atomic_file **out, const char *path, int flags, char *err, size_t errsz)
{
    fc_atomic_file *af = NULL;
    struct stat st;
    int fd = -1, rc = FC_OK;
    size_t n;

    if (!out || !path || !*path)
        return fc_set_error(err, errsz, FC_EINVAL, "no output path given");
    *out = NULL;
    af = calloc(1, sizeof *af);
    if (!af)
        return fc_set_error(err, errsz, FC_ENOMEM, "%s: out of memory", path);
    af->flags = flags;
    if (strcmp(path, "-") == 0) {
        af->is_stdout = 1;
        af->fp = stdout;
        *out = af;
        return FC_OK;
    }
    if (!(af->path = strdup(path))) {
        rc = fc_set_error(err, errsz, FC_ENOMEM, "%s: out of memory", path);
        goto end;
    }
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            rc = fc_set_error(err, errsz, FC_EISDIR, "%s: is a directory", path);
            goto end;
        }
        if (!S_ISREG(st.st_mode)) {
            /* /dev/null, /dev/full, a FIFO: a temp file renamed over it would replace
             * the device node itself (as root, in /dev), so write to it in place. */
            if ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0 || !(af->fp = fdopen(fd, "w"))) {
                rc = fail_errno(err, errsz, path, "cannot open for writing");
                if (fd >= 0)
                    close(fd);
                goto end;
            }
            af->is_direct = 1;
            goto end;
        }
        if (!(flags & FC_ATOMIC_FORCE)) {
            rc = fc_set_error(err, errsz, FC_EEXIST, "%s: already exists (use --force to replace it)", path);
            goto end;
        }
    }
    n = strlen(path);
    af->tmp = malloc(n + sizeof ".tmp.XXXXXX");
    if (!af->tmp) {
        rc = fc_set_error(err, errsz, FC_ENOMEM, "%s: out of memory", path);
        goto end;
    }
    memcpy(af->tmp, path, n);
    memcpy(af->tmp + n, ".tmp.XXXXXX", sizeof ".tmp.XXXXXX");
    fd = mkstemp(af->tmp);
    if (fd < 0) {
        free(af->tmp);
        af->tmp = NULL; /* nothing to remove */
        rc = fail_errno(err, errsz, path, "cannot create file");
        goto end;
    }
    /* mkstemp gives 0600; reports are ordinary user files. */
    (void)fchmod(fd, 0644);
    af->fp = fdopen(fd, "w");
    if (!af->fp) {
        rc = fail_errno(err, errsz, path, "cannot open stream");
        close(fd);
        goto end;
    }
end:
    if (rc < 0) {
        fc_atomic_abort(af);
        return rc;
    }
    *out = af;
    return FC_OK;
}

FILE *fc_atomic_stream(fc_atomic_file *af)
{
    return af ? af->fp : NULL;
}

const char *fc_atomic_temp_path(const fc_atomic_file *af)
{
    if (!af)
        return NULL;
    return af->is_stdout ? "-" : af->is_direct ? af->path : af->tmp;
}

int fc_atomic_commit(fc_atomic_file *af, char *err, size_t errsz)
{
    int rc = FC_OK;

    if (!af)
        return fc_set_error(err, errsz, FC_EINVAL, "no file to commit");
    if (af->is_stdout) {
        if (fflush(stdout) != 0 || ferror(stdout))
            rc = fail_errno(err, errsz, "<stdout>", "write failed");
        free(af);
        return rc;
    }
    if (af->is_direct) {
        int bad = fflush(af->fp) != 0 || ferror(af->fp);
        if (fclose(af->fp) != 0)
            bad = 1;
        af->fp = NULL;
        if (bad)
            rc = fail_errno(err, errsz, af->path, "write failed");
        goto end;
    }
    if (fflush(af->fp) != 0 || ferror(af->fp) || fsync(fileno(af->fp)) != 0) {
        rc = fail_errno(err, errsz, af->path, "write failed");
        goto end;
    }
    if (fclose(af->fp) != 0) {
        af->fp = NULL;
        rc = fail_errno(err, errsz, af->path, "write failed");
        goto end;
    }
    af->fp = NULL;
    if (!(af->flags & FC_ATOMIC_FORCE)) {
        /* link() fails if the target exists: no race with a second writer. */
        if (link(af->tmp, af->path) != 0) {
            rc = errno == EEXIST
                ? fc_set_error(err, errsz, FC_EEXIST, "%s: already exists (use --force to replace it)", af->path)
                : fail_errno(err, errsz, af->path, "cannot create file");
            goto end;
        }
        goto end; /* the temp name is unlinked below */
    }
    if (rename(af->tmp, af->path) != 0) {
        rc = fail_errno(err, errsz, af->path, "cannot rename into place");
        goto end;
    }
    free(af->tmp);
    af->tmp = NULL;
end:
    fc_atomic_abort(af);
    return rc;
}

void fc_atomic_abort(fc_atomic_file *af)
{
    if (!af)
        return;
    if (af->fp && !af->is_stdout)
        fclose(af->fp);
    if (af->tmp)
        unlink(af->tmp);
    free(af->tmp);
    free(af->path);
    free(af);
}

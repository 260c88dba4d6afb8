/* fileio.c - bounded whole-file reads (see formcheck/fileio.h). */
#define _POSIX_C_SOURCE 200809L
#include "formcheck/fileio.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

int fc_file_read_all(char **out, size_t *len, const char *path, long long max_bytes, char *err, size_t errsz)
{
    struct stat st;
    FILE *fp = NULL;
    char *buf = NULL;
    size_t got;
    int rc = FC_OK;

    if (!out || !len || !path)
        return fc_set_error(err, errsz, FC_EINVAL, "no file given");
    *out = NULL;
    *len = 0;
    /* fstat on the opened file, not stat on the name: no window between check and read. */
    if (!(fp = fopen(path, "rb"))) {
        int e = errno;
        return fc_set_error(err, errsz, fc_error_from_errno(e), "%s: %s", path, strerror(e));
    }
    if (fstat(fileno(fp), &st) < 0) {
        int e = errno;
        rc = fc_set_error(err, errsz, fc_error_from_errno(e), "%s: %s", path, strerror(e));
        goto end;
    }
    if (S_ISDIR(st.st_mode)) {
        rc = fc_set_error(err, errsz, FC_EISDIR, "%s: is a directory", path);
        goto end;
    }
    if ((long long)st.st_size > max_bytes) {
        rc = fc_set_error(err, errsz, FC_ETOOBIG, "%s: %lld bytes, more than the %lld allowed", path,
                          (long long)st.st_size, max_bytes);
        goto end;
    }
    if (!(buf = malloc((size_t)st.st_size + 1))) {
        rc = fc_set_error(err, errsz, FC_ENOMEM, "%s: out of memory", path);
        goto end;
    }
    got = fread(buf, 1, (size_t)st.st_size, fp);
    if (ferror(fp) || got != (size_t)st.st_size) {
        rc = fc_set_error(err, errsz, FC_EIO, "%s: read error", path);
        goto end;
    }
    buf[got] = '\0';
    *out = buf;
    *len = got;
    buf = NULL;
end:
    free(buf);
    fclose(fp);
    return rc;
}

struct cJSON *fc_json_parse_all(const char *text, size_t len, size_t *bad_at)
{
    const char *end = NULL;
    cJSON *root;

    if (bad_at)
        *bad_at = 0;
    if (!text)
        return NULL;
    /* return_parse_end is set on success and on failure, without cJSON's global. */
    root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (root) {
        while (end < text + len && (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r'))
            end++;
        if (end == text + len)
            return root;
        cJSON_Delete(root);
    }
    if (bad_at)
        *bad_at = end && end >= text && end <= text + len ? (size_t)(end - text) : len;
    return NULL;
}

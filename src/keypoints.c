/* keypoints.c - JSON Lines keypoints files (see formcheck/keypoints.h). */
#define _POSIX_C_SOURCE 200809L
#include "formcheck/keypoints.h"
#include "formcheck/fileio.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "formcheck/atomicfile.h"
#include "formcheck/error.h"

struct fc_keypoints_writer {
    fc_atomic_file *af;
    char line[FC_KEYPOINTS_MAX_LINE];
};

/* Append to buf at *pos, tracking overflow in *pos > size. */
static void put(char *buf, size_t size, size_t *pos, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (*pos >= size)
        return;
    va_start(ap, fmt);
    n = vsnprintf(buf + *pos, size - *pos, fmt, ap);
    va_end(ap);
    *pos += n < 0 ? size : (size_t)n;
}

/* JSON has no NaN/Inf: write null so the file stays valid. */
static void put_num(char *buf, size_t size, size_t *pos, double v, const char *fmt)
{
    if (isfinite(v))
        put(buf, size, pos, fmt, v);
    else
        put(buf, size, pos, "null");
}

int fc_keypoints_format(char *buf, size_t size, const fc_pose_result *r)
{
    size_t pos = 0;
    double w, h;

    if (!buf || !r || r->width <= 0 || r->height <= 0)
        return FC_EINVAL;
    w = r->width;
    h = r->height;
    put(buf, size, &pos, "{\"frame\":%lld,\"t_s\":", (long long)r->frame);
    put_num(buf, size, &pos, r->t_s, "%.6f");
    put(buf, size, &pos, ",\"w\":%d,\"h\":%d,\"ms\":", r->width, r->height);
    put_num(buf, size, &pos, r->ms, "%.3f");
    if (!r->found) {
        put(buf, size, &pos, ",\"score\":0,\"landmarks\":null,\"world\":null}\n");
    } else {
        put(buf, size, &pos, ",\"score\":");
        put_num(buf, size, &pos, r->score, "%.4f");
        if (r->events)
            put(buf, size, &pos, ",\"events\":%d", r->events);
        put(buf, size, &pos, ",\"landmarks\":[");
        for (int i = 0; i < FC_NUM_LANDMARKS; i++) {
            const fc_landmark *l = &r->lm[i];
            put(buf, size, &pos, i ? ",[" : "[");
            put_num(buf, size, &pos, l->x / w, "%.6f");
            put(buf, size, &pos, ",");
            put_num(buf, size, &pos, l->y / h, "%.6f");
            put(buf, size, &pos, ",");
            put_num(buf, size, &pos, l->z / w, "%.6f");
            put(buf, size, &pos, ",");
            put_num(buf, size, &pos, l->visibility, "%.4f");
            put(buf, size, &pos, ",");
            put_num(buf, size, &pos, l->presence, "%.4f");
            put(buf, size, &pos, "]");
        }
        put(buf, size, &pos, "],\"world\":[");
        for (int i = 0; i < FC_NUM_LANDMARKS; i++) {
            const fc_point3 *p = &r->world[i];
            put(buf, size, &pos, i ? ",[" : "[");
            put_num(buf, size, &pos, p->x, "%.5f");
            put(buf, size, &pos, ",");
            put_num(buf, size, &pos, p->y, "%.5f");
            put(buf, size, &pos, ",");
            put_num(buf, size, &pos, p->z, "%.5f");
            put(buf, size, &pos, "]");
        }
        put(buf, size, &pos, "]}\n");
    }
    if (pos >= size)
        return FC_EINVAL;
    return (int)pos;
}

int fc_keypoints_writer_open(fc_keypoints_writer **out, const char *path, char *err, size_t errsz)
{
    fc_keypoints_writer *w;
    int rc;

    if (!out)
        return FC_EINVAL;
    *out = NULL;
    w = calloc(1, sizeof *w);
    if (!w)
        return fc_set_error(err, errsz, FC_ENOMEM, "%s: out of memory", path ? path : "?");
    rc = fc_atomic_open(&w->af, path, FC_ATOMIC_FORCE, err, errsz);
    if (rc < 0) {
        free(w);
        return rc;
    }
    *out = w;
    return FC_OK;
}

int fc_keypoints_writer_write(fc_keypoints_writer *w, const fc_pose_result *r)
{
    int n;

    if (!w || !r)
        return FC_EINVAL;
    n = fc_keypoints_format(w->line, sizeof w->line, r);
    if (n < 0)
        return n;
    if (fwrite(w->line, 1, (size_t)n, fc_atomic_stream(w->af)) != (size_t)n)
        return fc_error_from_errno(errno);
    return FC_OK;
}

int fc_keypoints_writer_close(fc_keypoints_writer *w, char *err, size_t errsz)
{
    int rc;

    if (!w)
        return FC_EINVAL;
    rc = fc_atomic_commit(w->af, err, errsz);
    free(w);
    return rc;
}

void fc_keypoints_writer_free(fc_keypoints_writer *w)
{
    if (!w)
        return;
    fc_atomic_abort(w->af);
    free(w);
}

/* ---- reading ---- */

static int get_num(const cJSON *o, const char *key, double *v)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);

    if (!cJSON_IsNumber(it))
        return 0;
    *v = it->valuedouble;
    return 1;
}

/* Read array `a` of `n` rows, each with between min_k and max_k numbers, into
 * vals[row * max_k + k]; missing trailing values are left untouched. */
static int get_rows(const cJSON *a, int n, int min_k, int max_k, float *vals, const char *name, char *err,
                    size_t errsz)
{
    int i = 0;
    const cJSON *row;

    if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) != n)
        return fc_set_error(err, errsz, FC_EKEYPOINTS, "\"%s\": expected an array of %d points or null", name, n);
    cJSON_ArrayForEach(row, a) {
        int k = 0, cnt = cJSON_GetArraySize(row);
        const cJSON *v;

        if (!cJSON_IsArray(row) || cnt < min_k || cnt > max_k + 1)
            return fc_set_error(err, errsz, FC_EKEYPOINTS, "%s[%d]: expected %d to %d numbers", name, i, min_k,
                                max_k);
        cJSON_ArrayForEach(v, row) {
            if (k >= max_k)
                break;
            if (cJSON_IsNull(v)) /* written for NaN */
                vals[i * max_k + k] = NAN;
            else if (cJSON_IsNumber(v))
                vals[i * max_k + k] = (float)v->valuedouble;
            else
                return fc_set_error(err, errsz, FC_EKEYPOINTS, "%s[%d][%d]: expected a number", name, i, k);
            k++;
        }
        i++;
    }
    return FC_OK;
}

int fc_keypoints_parse(fc_pose_result *out, const char *line, size_t len, char *err, size_t errsz)
{
    cJSON *o = NULL;
    const cJSON *lm, *world;
    float vals[FC_NUM_LANDMARKS * 5];
    double v, w, h;
    int rc = FC_OK;

    if (!out || !line)
        return FC_EINVAL;
    memset(out, 0, sizeof *out);
    o = fc_json_parse_all(line, len, NULL);
    if (!cJSON_IsObject(o)) {
        rc = fc_set_error(err, errsz, FC_EKEYPOINTS, "not a JSON object");
        goto end;
    }
    if (!get_num(o, "w", &w) || !get_num(o, "h", &h) || !(w >= 1 && w <= 65536) || !(h >= 1 && h <= 65536)) {
        rc = fc_set_error(err, errsz, FC_EKEYPOINTS, "\"w\"/\"h\": expected the frame size in pixels");
        goto end;
    }
    out->width = (int)w;
    out->height = (int)h;
    if (get_num(o, "frame", &v) && v >= 0 && v < 9e15)
        out->frame = (int64_t)v;
    if (get_num(o, "t_s", &v))
        out->t_s = v;
    else if (get_num(o, "ts_ms", &v))
        out->t_s = v / 1000.0;
    else {
        rc = fc_set_error(err, errsz, FC_EKEYPOINTS, "\"t_s\": missing time");
        goto end;
    }
    if (!isfinite(out->t_s)) {
        rc = fc_set_error(err, errsz, FC_EKEYPOINTS, "\"t_s\": not a finite time");
        goto end;
    }
    if (get_num(o, "ms", &v))
        out->ms = (float)v;
    if (get_num(o, "events", &v) && v >= 0 && v < 256)
        out->events = (int)v;
    lm = cJSON_GetObjectItemCaseSensitive(o, "landmarks");
    if (!lm || cJSON_IsNull(lm)) {
        out->found = 0;
        goto end;
    }
    for (int i = 0; i < FC_NUM_LANDMARKS; i++)
        vals[i * 5 + 4] = -1.0f; /* presence absent: filled from visibility */
    rc = get_rows(lm, FC_NUM_LANDMARKS, 4, 5, vals, "landmarks", err, errsz);
    if (rc < 0)
        goto end;
    for (int i = 0; i < FC_NUM_LANDMARKS; i++) {
        fc_landmark *l = &out->lm[i];
        l->x = vals[i * 5 + 0] * (float)w;
        l->y = vals[i * 5 + 1] * (float)h;
        l->z = vals[i * 5 + 2] * (float)w;
        l->visibility = vals[i * 5 + 3];
        l->presence = vals[i * 5 + 4] < 0 ? l->visibility : vals[i * 5 + 4];
    }
    world = cJSON_GetObjectItemCaseSensitive(o, "world");
    if (world && !cJSON_IsNull(world)) {
        rc = get_rows(world, FC_NUM_LANDMARKS, 3, 3, vals, "world", err, errsz);
        if (rc < 0)
            goto end;
        for (int i = 0; i < FC_NUM_LANDMARKS; i++) {
            out->world[i].x = vals[i * 3 + 0];
            out->world[i].y = vals[i * 3 + 1];
            out->world[i].z = vals[i * 3 + 2];
        }
    } else {
        for (int i = 0; i < FC_NUM_LANDMARKS; i++)
            out->world[i].x = out->world[i].y = out->world[i].z = NAN;
    }
    out->found = 1;
    out->score = get_num(o, "score", &v) ? (float)v : 1.0f;
end:
    cJSON_Delete(o);
    return rc;
}

int fc_keypoints_load(fc_pose_result **out, size_t *n, const char *path, char *err, size_t errsz)
{
    FILE *fp = NULL;
    char *line = NULL;
    fc_pose_result *arr = NULL;
    size_t cap = 0, cnt = 0, lineno = 0;
    struct stat st;
    char msg[FC_ERRBUF_SIZE];
    int rc = FC_OK;

    if (!out || !n || !path)
        return FC_EINVAL;
    *out = NULL;
    *n = 0;
    if (stat(path, &st) != 0) {
        int e = errno;
        return fc_set_error(err, errsz, fc_error_from_errno(e), "%s: %s", path, strerror(e));
    }
    if (S_ISDIR(st.st_mode))
        return fc_set_error(err, errsz, FC_EISDIR, "%s: is a directory, not a keypoints file", path);
    if ((long long)st.st_size > FC_KEYPOINTS_MAX_FILE)
        return fc_set_error(err, errsz, FC_ETOOBIG, "%s: %lld bytes is larger than a keypoints file may be",
                            path, (long long)st.st_size);
    fp = fopen(path, "r");
    line = malloc(FC_KEYPOINTS_MAX_LINE + 2);
    if (!fp) {
        int e = errno;
        rc = fc_set_error(err, errsz, fc_error_from_errno(e), "%s: %s", path, strerror(e));
        goto end;
    }
    if (!line) {
        rc = fc_set_error(err, errsz, FC_ENOMEM, "%s: out of memory", path);
        goto end;
    }
    while (fgets(line, FC_KEYPOINTS_MAX_LINE + 2, fp)) {
        size_t len = strlen(line);

        lineno++;
        if (len > FC_KEYPOINTS_MAX_LINE) {
            rc = fc_set_error(err, errsz, FC_EKEYPOINTS, "%s:%zu: line longer than %d bytes", path, lineno,
                              FC_KEYPOINTS_MAX_LINE);
            goto end;
        }
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r' || line[len - 1] == ' '))
            line[--len] = '\0';
        if (len == 0)
            continue;
        if (cnt == cap) {
            size_t ncap = cap ? cap * 2 : 256;
            fc_pose_result *na = realloc(arr, ncap * sizeof *arr);
            if (!na) {
                rc = fc_set_error(err, errsz, FC_ENOMEM, "%s: out of memory", path);
                goto end;
            }
            arr = na;
            cap = ncap;
        }
        rc = fc_keypoints_parse(&arr[cnt], line, len, msg, sizeof msg);
        if (rc < 0) {
            fc_set_error(err, errsz, rc, "%s:%zu: %s", path, lineno, msg);
            goto end;
        }
        if (cnt > 0 && arr[cnt].t_s < arr[cnt - 1].t_s) {
            rc = fc_set_error(err, errsz, FC_EKEYPOINTS, "%s:%zu: time goes backwards", path, lineno);
            goto end;
        }
        cnt++;
    }
    if (ferror(fp)) {
        rc = fc_set_error(err, errsz, FC_EIO, "%s: read error", path);
        goto end;
    }
    if (cnt == 0) {
        rc = fc_set_error(err, errsz, FC_EKEYPOINTS, "%s: no frames in keypoints file", path);
        goto end;
    }
end:
    if (fp)
        fclose(fp);
    free(line);
    if (rc < 0) {
        free(arr);
        return rc;
    }
    *out = arr;
    *n = cnt;
    return FC_OK;
}

/* tflite.c - bounds-checked TFLite flatbuffer reader (see formcheck/tflite.h).
 *
 * Flatbuffer facts used (flatbuffers' binary format, TFLite's schema.fbs):
 * little-endian; the file starts with a uoffset to the root table and the
 * identifier "TFL3"; a table starts with an soffset to its vtable (vtable =
 * table - soffset); a vtable is [u16 vtable bytes, u16 table bytes, u16 field
 * offsets...], 0 = field absent; offset fields (tables, vectors, strings) hold a
 * uoffset relative to the field; vectors are [u32 count, elements]; a union is a
 * u8 type field followed by an offset field.
 *
 * Every read goes through the fb_* accessors, which check the position against
 * the buffer first. Errors are sticky: the first one is kept, later reads return
 * zeros, and the parser checks fb.bad at its checkpoints. */
#define _POSIX_C_SOURCE 200809L
#include "formcheck/fileio.h"
#include "formcheck/tflite.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tflite_internal.h"

/* ---- flatbuffer accessors ---- */

void fb_fail(fb *f, const char *fmt, ...)
{
    char msg[FC_ERRBUF_SIZE];
    va_list ap;

    if (f->bad)
        return;
    f->bad = 1;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fc_set_error(f->err, f->errsz, FC_EMODEL, "%s: %s", f->name, msg);
}

static bool fb_has(fb *f, size_t pos, size_t len, const char *what)
{
    if (f->bad)
        return false;
    if (pos > f->n || len > f->n - pos) {
        fb_fail(f, "%s at offset %zu (+%zu bytes) is outside the file (%zu bytes)", what, pos, len, f->n);
        return false;
    }
    return true;
}

uint32_t fb_u32(fb *f, size_t pos)
{
    const uint8_t *p;
    if (!fb_has(f, pos, 4, "a 32-bit value"))
        return 0;
    p = f->p + pos;
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t fb_u16(fb *f, size_t pos)
{
    if (!fb_has(f, pos, 2, "a 16-bit value"))
        return 0;
    return (uint16_t)(f->p[pos] | f->p[pos + 1] << 8);
}

static uint64_t fb_u64(fb *f, size_t pos)
{
    if (!fb_has(f, pos, 8, "a 64-bit value"))
        return 0;
    return (uint64_t)fb_u32(f, pos) | (uint64_t)fb_u32(f, pos + 4) << 32;
}

/* Table at `pos`: resolve and check its vtable. */
bool fb_table(fb *f, size_t pos, fbt *t, const char *what)
{
    memset(t, 0, sizeof *t);
    if (!fb_has(f, pos, 4, what))
        return false;
    int64_t vt = (int64_t)pos - (int32_t)fb_u32(f, pos);
    if (vt < 0 || !fb_has(f, (size_t)vt, 4, "a vtable")) {
        fb_fail(f, "%s at offset %zu: vtable offset out of range", what, pos);
        return false;
    }
    t->pos = pos;
    t->vt = (size_t)vt;
    t->vtsize = fb_u16(f, t->vt);
    t->tsize = fb_u16(f, t->vt + 2);
    if (t->vtsize < 4 || (t->vtsize & 1) || !fb_has(f, t->vt, t->vtsize, "a vtable") || t->tsize < 4
        || !fb_has(f, pos, t->tsize, what)) {
        fb_fail(f, "%s at offset %zu: malformed vtable", what, pos);
        return false;
    }
    return true;
}

/* Absolute position of field `id` (width bytes), 0 if absent. */
static size_t fb_field(fb *f, const fbt *t, int id, size_t width)
{
    size_t slot = 4 + 2 * (size_t)id;
    if (f->bad || !t->pos || slot + 2 > t->vtsize)
        return 0;
    uint16_t off = fb_u16(f, t->vt + slot);
    if (!off)
        return 0;
    if (off + width > t->tsize) {
        fb_fail(f, "table at offset %zu: field %d lies outside the table", t->pos, id);
        return 0;
    }
    return t->pos + off;
}

int64_t fb_int(fb *f, const fbt *t, int id, int width, int64_t def)
{
    size_t p = fb_field(f, t, id, (size_t)width);
    if (!p)
        return def;
    switch (width) {
    case 1: return (int8_t)f->p[p];
    case 2: return (int16_t)fb_u16(f, p);
    case 4: return (int32_t)fb_u32(f, p);
    default: return (int64_t)fb_u64(f, p);
    }
}

uint64_t fb_uint(fb *f, const fbt *t, int id, int width, uint64_t def)
{
    size_t p = fb_field(f, t, id, (size_t)width);
    if (!p)
        return def;
    switch (width) {
    case 1: return f->p[p];
    case 4: return fb_u32(f, p);
    default: return fb_u64(f, p);
    }
}

/* Follow the uoffset stored at `pos`. 0 on error. */
static size_t fb_deref(fb *f, size_t pos, const char *what)
{
    uint32_t off = fb_u32(f, pos);
    if (f->bad)
        return 0;
    if (!off || (size_t)off >= f->n - pos) {
        fb_fail(f, "%s: offset %u at %zu points outside the file", what, off, pos);
        return 0;
    }
    return pos + off;
}

bool fb_subtable(fb *f, const fbt *t, int id, fbt *sub, const char *what)
{
    size_t p = fb_field(f, t, id, 4);
    memset(sub, 0, sizeof *sub);
    if (!p)
        return false;
    size_t target = fb_deref(f, p, what);
    return target && fb_table(f, target, sub, what);
}

bool fb_vector_at(fb *f, size_t pos, size_t elem, fbv *v, const char *what)
{
    memset(v, 0, sizeof *v);
    uint32_t len = fb_u32(f, pos);
    if (f->bad)
        return false;
    if (len > (f->n - pos - 4) / elem) {
        fb_fail(f, "%s: vector of %u x %zu bytes at offset %zu runs past the end of the file", what, len, elem,
                pos);
        return false;
    }
    v->pos = pos + 4;
    v->len = len;
    v->elem = elem;
    return true;
}

bool fb_vector(fb *f, const fbt *t, int id, size_t elem, fbv *v, const char *what)
{
    size_t p = fb_field(f, t, id, 4);
    memset(v, 0, sizeof *v);
    if (!p)
        return false;
    size_t target = fb_deref(f, p, what);
    return target && fb_vector_at(f, target, elem, v, what);
}

int64_t fbv_int(fb *f, const fbv *v, uint32_t i)
{
    if (f->bad || i >= v->len)
        return 0;
    size_t p = v->pos + (size_t)i * v->elem;
    switch (v->elem) {
    case 1: return f->p[p];
    case 2: return fb_u16(f, p);
    default: return (int32_t)fb_u32(f, p);
    }
}

bool fbv_table(fb *f, const fbv *v, uint32_t i, fbt *t, const char *what)
{
    memset(t, 0, sizeof *t);
    if (f->bad || i >= v->len)
        return false;
    size_t target = fb_deref(f, v->pos + (size_t)i * 4, what);
    return target && fb_table(f, target, t, what);
}

/* A string field copied into a fresh NUL-terminated buffer ("" if absent). */
char *fb_string(fb *f, const fbt *t, int id, const char *what)
{
    fbv v;
    char *s;
    fb_vector(f, t, id, 1, &v, what);
    if (f->bad)
        return NULL;
    s = malloc((size_t)v.len + 1);
    if (!s) {
        f->nomem = 1;
        fb_fail(f, "out of memory");
        return NULL;
    }
    if (v.len)
        memcpy(s, f->p + v.pos, v.len);
    s[v.len] = 0;
    /* Names end up in error messages and logs: keep them printable. */
    for (uint32_t i = 0; i < v.len; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] == 0x7f)
            s[i] = '?';
    return s;
}

/* ---- public helpers ---- */

float fc_tfl_half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16, exp = (h >> 10) & 0x1f, mant = h & 0x3ffu, bits;
    float out;

    if (exp == 0x1f) {
        bits = sign | 0x7f800000u | mant << 13; /* Inf / NaN */
    } else if (exp) {
        bits = sign | (exp + 112) << 23 | mant << 13; /* rebias 15 -> 127 */
    } else if (mant) {
        /* Subnormal: normalise the mantissa. */
        int e = -1;
        do {
            e++;
            mant <<= 1;
        } while (!(mant & 0x400u));
        bits = sign | (uint32_t)(112 - e) << 23 | (mant & 0x3ffu) << 13;
    } else {
        bits = sign;
    }
    memcpy(&out, &bits, sizeof out);
    return out;
}

const char *fc_tfl_op_name(int code)
{
    switch (code) {
    case 0: return "ADD";
    case 1: return "AVERAGE_POOL_2D";
    case 2: return "CONCATENATION";
    case 3: return "CONV_2D";
    case 4: return "DEPTHWISE_CONV_2D";
    case 5: return "DEPTH_TO_SPACE";
    case 6: return "DEQUANTIZE";
    case 9: return "FULLY_CONNECTED";
    case 14: return "LOGISTIC";
    case 17: return "MAX_POOL_2D";
    case 18: return "MUL";
    case 19: return "RELU";
    case 21: return "RELU6";
    case 22: return "RESHAPE";
    case 23: return "RESIZE_BILINEAR";
    case 25: return "SOFTMAX";
    case 28: return "TANH";
    case 32: return "CUSTOM";
    case 34: return "PAD";
    case 39: return "TRANSPOSE";
    case 40: return "MEAN";
    case 41: return "SUB";
    case 49: return "SPLIT";
    case 60: return "PADV2";
    case 67: return "TRANSPOSE_CONV";
    case 97: return "RESIZE_NEAREST_NEIGHBOR";
    case 114: return "QUANTIZE";
    case 117: return "HARD_SWISH";
    case 124: return "DENSIFY";
    default: return "UNKNOWN";
    }
}

int fc_tfl_count_ops(const fc_tfl_model *m, int code)
{
    int n = 0;
    for (int i = 0; m && i < m->n_ops; i++)
        n += m->ops[i].code == code;
    return n;
}

void fc_tfl_free(fc_tfl_model *m)
{
    if (!m)
        return;
    for (int i = 0; m->tensors && i < m->n_tensors; i++) {
        fc_tfl_tensor *t = &m->tensors[i];
        if (t->owns_data)
            free(t->f32);
        free(t->i32);
        free((char *)t->name);
    }
    free(m->tensors);
    free(m->ops);
    free(m);
}

int fc_tfl_load(fc_tfl_model **out, const char *path, char *err, size_t errsz)
{
    char *buf = NULL;
    size_t len;
    int rc;

    *out = NULL;
    rc = fc_file_read_all(&buf, &len, path, (long long)FC_TFL_MAX_FILE, err, errsz);
    if (rc == FC_EISDIR)
        return fc_set_error(err, errsz, FC_EISDIR, "%s: is a directory, expected a .tflite file", path);
    if (rc == FC_OK)
        rc = fc_tfl_parse(out, (const uint8_t *)buf, len, path, err, errsz);
    free(buf);
    return rc;
}

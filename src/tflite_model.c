/* tflite_model.c - the TFLite schema on top of the flatbuffer accessors:
 * buffers, tensors (fp16 -> fp32, CSR densify), operators and the whitelist
 * checks (see formcheck/tflite.h). Field ids follow TFLite's schema.fbs. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formcheck/tflite.h"
#include "tflite_internal.h"

typedef struct fbuf { size_t pos, len; } fbuf;

typedef struct parse {
    fb f;
    fc_tfl_model *m;
    fbuf *bufs;
    uint32_t n_bufs;
    int *codes;
    uint32_t n_codes;
} parse;

/* Union type ids of BuiltinOptions for the whitelisted ops. */
enum { OPT_CONV = 1, OPT_DW = 2, OPT_POOL = 5, OPT_CONCAT = 10, OPT_ADD = 11, OPT_RESIZE = 15,
       OPT_RESHAPE = 17, OPT_PAD = 22, OPT_DEQUANT = 38, OPT_D2S = 94, OPT_DENSIFY = 99 };

static void *xcalloc(parse *ps, size_t n, size_t size)
{
    void *p = n ? calloc(n, size) : calloc(1, 1);
    if (!p) {
        ps->f.nomem = 1;
        fb_fail(&ps->f, "out of memory");
    }
    return p;
}

static const char *type_name(int t)
{
    static const char *names[] = {"FLOAT32", "FLOAT16", "INT32", "UINT8", "INT64", "STRING", "BOOL",
                                  "INT16", "COMPLEX64", "INT8", "FLOAT64"};
    return t >= 0 && t < (int)(sizeof names / sizeof *names) ? names[t] : "unknown type";
}

/* ---- model-level tables ---- */

static void read_buffers(parse *ps, const fbt *model)
{
    fb *f = &ps->f;
    fbv v;
    fb_vector(f, model, 4, 4, &v, "buffers");
    if (f->bad || !(ps->bufs = xcalloc(ps, v.len, sizeof *ps->bufs)))
        return;
    ps->n_bufs = v.len;
    for (uint32_t i = 0; i < v.len && !f->bad; i++) {
        fbt b;
        fbv data;
        if (!fbv_table(f, &v, i, &b, "buffer"))
            break;
        if (fb_vector(f, &b, 0, 1, &data, "buffer data")) {
            ps->bufs[i].pos = data.pos;
            ps->bufs[i].len = data.len;
        }
        /* Schema 3c: large models keep data after the flatbuffer (offset > 1). */
        uint64_t off = fb_uint(f, &b, 1, 8, 0), size = fb_uint(f, &b, 2, 8, 0);
        if (off > 1) {
            if (off > f->n || size > f->n - off)
                fb_fail(f, "buffer %u: external data [%llu, +%llu) is outside the file", i,
                        (unsigned long long)off, (unsigned long long)size);
            ps->bufs[i].pos = (size_t)off;
            ps->bufs[i].len = (size_t)size;
        }
    }
}

static void read_opcodes(parse *ps, const fbt *model)
{
    fb *f = &ps->f;
    fbv v;
    fb_vector(f, model, 1, 4, &v, "operator_codes");
    if (f->bad || !(ps->codes = xcalloc(ps, v.len, sizeof *ps->codes)))
        return;
    ps->n_codes = v.len;
    for (uint32_t i = 0; i < v.len && !f->bad; i++) {
        fbt c;
        if (!fbv_table(f, &v, i, &c, "operator code"))
            break;
        /* Codes > 127 live only in builtin_code; older files only fill the
         * deprecated byte. TFLite takes the larger of the two. */
        int64_t dep = fb_int(f, &c, 0, 1, 0), code = fb_int(f, &c, 3, 4, 0);
        ps->codes[i] = (int)(code > dep ? code : dep);
    }
}

/* ---- tensors ---- */

static bool shape_count(parse *ps, const fc_tfl_tensor *t, size_t *count)
{
    size_t n = 1;
    for (int d = 0; d < t->rank; d++) {
        if (t->shape[d] < 0 || (t->shape[d] && n > FC_TFL_MAX_ELEMS / (size_t)t->shape[d])) {
            fb_fail(&ps->f, "tensor '%s': shape dimension %d (%d) is negative or too large", t->name, d,
                    t->shape[d]);
            return false;
        }
        n *= (size_t)t->shape[d];
    }
    *count = n;
    return true;
}

static float value_at(const uint8_t *p, int type, size_t i)
{
    if (type == FC_TFL_FLOAT16)
        return fc_tfl_half_to_float((uint16_t)(p[2 * i] | p[2 * i + 1] << 8));
    uint32_t b = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 | (uint32_t)p[4 * i + 2] << 16
                 | (uint32_t)p[4 * i + 3] << 24;
    float v;
    memcpy(&v, &b, sizeof v);
    return v;
}

typedef struct sdim {
    int dense;      /* 1: DENSE, 0: SPARSE_CSR */
    int size;       /* dense_size */
    fbv seg, idx;   /* CSR segments and indices */
} sdim;

typedef struct densify {
    parse *ps;
    const fc_tfl_tensor *t;
    sdim dim[FC_TFL_MAX_RANK];
    int trav[FC_TFL_MAX_RANK];
    int coord[FC_TFL_MAX_RANK];
    const uint8_t *vals;
    size_t n_vals;
    float *out;
} densify;

/* Walk level `lvl` of the TACO-style tree; `pos` is the position in the parent level. */
static void densify_level(densify *d, int lvl, size_t pos)
{
    fb *f = &d->ps->f;
    const fc_tfl_tensor *t = d->t;
    if (f->bad)
        return;
    if (lvl == t->rank) {
        size_t flat = 0;
        if (pos >= d->n_vals) {
            fb_fail(f, "tensor '%s': sparse value %zu of %zu out of range", t->name, pos, d->n_vals);
            return;
        }
        for (int k = 0; k < t->rank; k++)
            flat = flat * (size_t)t->shape[k] + (size_t)d->coord[k];
        d->out[flat] = value_at(d->vals, t->type, pos);
        return;
    }
    sdim *s = &d->dim[lvl];
    int axis = d->trav[lvl];
    if (s->dense) {
        for (int i = 0; i < s->size && !f->bad; i++) {
            d->coord[axis] = i;
            densify_level(d, lvl + 1, pos * (size_t)s->size + (size_t)i);
        }
        return;
    }
    if (pos + 1 >= s->seg.len) {
        fb_fail(f, "tensor '%s': CSR segment %zu out of range (%u segments)", t->name, pos, s->seg.len);
        return;
    }
    int64_t a = fbv_int(f, &s->seg, (uint32_t)pos), b = fbv_int(f, &s->seg, (uint32_t)pos + 1);
    if (a < 0 || b < a || b > (int64_t)s->idx.len) {
        fb_fail(f, "tensor '%s': CSR segment [%lld, %lld) invalid for %u indices", t->name, (long long)a,
                (long long)b, s->idx.len);
        return;
    }
    for (int64_t k = a; k < b && !f->bad; k++) {
        int64_t c = fbv_int(f, &s->idx, (uint32_t)k);
        if (c < 0 || c >= t->shape[axis]) {
            fb_fail(f, "tensor '%s': CSR index %lld out of range for dimension %d", t->name, (long long)c, axis);
            return;
        }
        d->coord[axis] = (int)c;
        densify_level(d, lvl + 1, (size_t)k);
    }
}

static bool index_vector(parse *ps, const fbt *dm, int type_id, int id, fbv *v, const fc_tfl_tensor *t)
{
    static const size_t width[] = {0, 4, 2, 1}; /* SparseIndexVector: Int32, Uint16, Uint8 */
    fb *f = &ps->f;
    fbt vt;
    int64_t type = fb_int(f, dm, type_id, 1, 0);
    if (type < 1 || type > 3 || !fb_subtable(f, dm, id, &vt, "sparse index vector")) {
        fb_fail(f, "tensor '%s': CSR dimension without a valid index vector", t->name);
        return false;
    }
    if (!fb_vector(f, &vt, 0, width[type], v, "sparse index values"))
        fb_fail(f, "tensor '%s': CSR index vector has no values", t->name);
    return !f->bad;
}

static void read_sparse(parse *ps, fc_tfl_tensor *t, const fbt *sp, const fbuf *buf)
{
    fb *f = &ps->f;
    densify d;
    fbv trav, bmap, dims;
    int seen = 0;

    memset(&d, 0, sizeof d);
    d.ps = ps;
    d.t = t;
    fb_vector(f, sp, 0, 4, &trav, "traversal_order");
    fb_vector(f, sp, 1, 4, &bmap, "block_map");
    fb_vector(f, sp, 2, 4, &dims, "dim_metadata");
    if (f->bad)
        return;
    if (bmap.len || trav.len != (uint32_t)t->rank || dims.len != (uint32_t)t->rank || !t->rank) {
        fb_fail(f, "tensor '%s': only non-block sparsity with one entry per dimension is supported", t->name);
        return;
    }
    for (int l = 0; l < t->rank && !f->bad; l++) {
        fbt dm;
        int64_t a = fbv_int(f, &trav, (uint32_t)l);
        if (a < 0 || a >= t->rank || (seen >> a & 1)) {
            fb_fail(f, "tensor '%s': traversal order is not a permutation", t->name);
            return;
        }
        seen |= 1 << a;
        d.trav[l] = (int)a;
        if (!fbv_table(f, &dims, (uint32_t)l, &dm, "dimension metadata"))
            return;
        d.dim[l].dense = fb_int(f, &dm, 0, 1, 0) == 0;
        if (d.dim[l].dense) {
            d.dim[l].size = (int)fb_int(f, &dm, 1, 4, 0);
            if (d.dim[l].size != t->shape[a]) {
                fb_fail(f, "tensor '%s': dense_size %d does not match dimension %lld (%d)", t->name,
                        d.dim[l].size, (long long)a, t->shape[a]);
                return;
            }
        } else if (!index_vector(ps, &dm, 2, 3, &d.dim[l].seg, t) || !index_vector(ps, &dm, 4, 5, &d.dim[l].idx, t)) {
            return;
        }
    }
    size_t esz = t->type == FC_TFL_FLOAT16 ? 2 : 4;
    d.vals = f->p + buf->pos;
    d.n_vals = buf->len / esz;
    if (buf->len % esz) {
        fb_fail(f, "tensor '%s': sparse buffer of %zu bytes is not a whole number of %s", t->name, buf->len,
                type_name(t->type));
        return;
    }
    if (!(d.out = xcalloc(ps, t->count, sizeof(float))))
        return;
    t->f32 = d.out;
    t->owns_data = 1;
    densify_level(&d, 0, 0);
}

static void read_tensor(parse *ps, fc_tfl_tensor *t, uint32_t idx, const fbt *tt)
{
    fb *f = &ps->f;
    fbv shape;
    fbt q, sp;

    t->name = fb_string(f, tt, 3, "tensor name");
    if (f->bad)
        return;
    fb_vector(f, tt, 0, 4, &shape, "tensor shape");
    if (shape.len > FC_TFL_MAX_RANK) {
        fb_fail(f, "tensor %u '%s': rank %u above %d", idx, t->name, shape.len, FC_TFL_MAX_RANK);
        return;
    }
    t->rank = (int)shape.len;
    for (int d = 0; d < t->rank; d++)
        t->shape[d] = (int)fbv_int(f, &shape, (uint32_t)d);
    t->type = (int)fb_int(f, tt, 1, 1, 0);
    if (!shape_count(ps, t, &t->count))
        return;
    if (fb_subtable(f, tt, 4, &q, "quantization")) {
        fbv sc, zp;
        fb_vector(f, &q, 2, 4, &sc, "quantization scale");
        fb_vector(f, &q, 3, 8, &zp, "quantization zero point");
        if (sc.len || zp.len || fb_int(f, &q, 4, 1, 0)) {
            fb_fail(f, "tensor '%s': quantized tensors are not supported", t->name);
            return;
        }
    }
    if (fb_int(f, tt, 5, 1, 0)) {
        fb_fail(f, "tensor '%s': variable tensors are not supported", t->name);
        return;
    }
    uint32_t bi = (uint32_t)fb_uint(f, tt, 2, 4, 0);
    if (bi >= ps->n_bufs) {
        fb_fail(f, "tensor '%s': buffer index %u out of range (%u buffers)", t->name, bi, ps->n_bufs);
        return;
    }
    const fbuf *buf = &ps->bufs[bi];
    if (!buf->len || f->bad)
        return; /* an activation */
    if (fb_subtable(f, tt, 6, &sp, "sparsity")) {
        if (t->type != FC_TFL_FLOAT16 && t->type != FC_TFL_FLOAT32) {
            fb_fail(f, "tensor '%s': sparse %s tensors are not supported", t->name, type_name(t->type));
            return;
        }
        t->sparse = 1;
        read_sparse(ps, t, &sp, buf);
        return;
    }
    size_t esz = t->type == FC_TFL_FLOAT16 ? 2 : t->type == FC_TFL_FLOAT32 || t->type == FC_TFL_INT32 ? 4 : 0;
    if (!esz) {
        fb_fail(f, "tensor '%s': constant of type %s is not supported", t->name, type_name(t->type));
        return;
    }
    if (buf->len != t->count * esz) {
        fb_fail(f, "tensor '%s': buffer has %zu bytes, its shape needs %zu", t->name, buf->len, t->count * esz);
        return;
    }
    const uint8_t *p = f->p + buf->pos;
    if (t->type == FC_TFL_INT32) {
        if (!(t->i32 = xcalloc(ps, t->count, sizeof(int32_t))))
            return;
        for (size_t i = 0; i < t->count; i++)
            t->i32[i] = (int32_t)((uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 | (uint32_t)p[4 * i + 2] << 16
                                  | (uint32_t)p[4 * i + 3] << 24);
        return;
    }
    if (!(t->f32 = xcalloc(ps, t->count, sizeof(float))))
        return;
    t->owns_data = 1;
    for (size_t i = 0; i < t->count; i++)
        t->f32[i] = value_at(p, t->type, i);
}

/* ---- operators ---- */

/* `opi` < 0: the subgraph's own inputs/outputs. */
static void read_index_list(parse *ps, const fbt *t, int id, int *dst, int *n, const char *what, int opi)
{
    fb *f = &ps->f;
    char where[32];
    fbv v;
    if (opi >= 0)
        snprintf(where, sizeof where, "operator %d", opi);
    else
        snprintf(where, sizeof where, "subgraph");
    fb_vector(f, t, id, 4, &v, what);
    if (v.len > FC_TFL_MAX_IO) {
        fb_fail(f, "%s: %u %s, at most %d supported", where, v.len, what, FC_TFL_MAX_IO);
        return;
    }
    *n = (int)v.len;
    for (uint32_t i = 0; i < v.len; i++) {
        int64_t x = fbv_int(f, &v, i);
        if (x < -1 || x >= ps->m->n_tensors) {
            fb_fail(f, "%s: %s %u is tensor %lld, out of range (%d tensors)", where, what, i, (long long)x,
                    ps->m->n_tensors);
            return;
        }
        dst[i] = (int)x;
    }
}

static int expected_options(int code)
{
    switch (code) {
    case FC_TFL_CONV_2D: return OPT_CONV;
    case FC_TFL_DEPTHWISE_CONV_2D: return OPT_DW;
    case FC_TFL_MAX_POOL_2D: return OPT_POOL;
    case FC_TFL_CONCATENATION: return OPT_CONCAT;
    case FC_TFL_ADD: return OPT_ADD;
    case FC_TFL_RESIZE_BILINEAR: return OPT_RESIZE;
    case FC_TFL_RESHAPE: return OPT_RESHAPE;
    case FC_TFL_PAD: return OPT_PAD;
    case FC_TFL_DEQUANTIZE: return OPT_DEQUANT;
    case FC_TFL_DEPTH_TO_SPACE: return OPT_D2S;
    case FC_TFL_DENSIFY: return OPT_DENSIFY;
    case FC_TFL_LOGISTIC: return 0;
    default: return -1; /* not whitelisted */
    }
}

static void read_options(parse *ps, fc_tfl_op *op, const fbt *o, int opi)
{
    fb *f = &ps->f;
    const char *name = fc_tfl_op_name(op->code);
    int dil_w = 1, dil_h = 1, mult = 1;

    switch (op->code) {
    case FC_TFL_CONV_2D:
        op->padding = (int)fb_int(f, o, 0, 1, 0);
        op->stride_w = (int)fb_int(f, o, 1, 4, 0);
        op->stride_h = (int)fb_int(f, o, 2, 4, 0);
        op->act = (int)fb_int(f, o, 3, 1, 0);
        dil_w = (int)fb_int(f, o, 4, 4, 1);
        dil_h = (int)fb_int(f, o, 5, 4, 1);
        break;
    case FC_TFL_DEPTHWISE_CONV_2D:
        op->padding = (int)fb_int(f, o, 0, 1, 0);
        op->stride_w = (int)fb_int(f, o, 1, 4, 0);
        op->stride_h = (int)fb_int(f, o, 2, 4, 0);
        mult = (int)fb_int(f, o, 3, 4, 0);
        op->act = (int)fb_int(f, o, 4, 1, 0);
        dil_w = (int)fb_int(f, o, 5, 4, 1);
        dil_h = (int)fb_int(f, o, 6, 4, 1);
        break;
    case FC_TFL_MAX_POOL_2D:
        op->padding = (int)fb_int(f, o, 0, 1, 0);
        op->stride_w = (int)fb_int(f, o, 1, 4, 0);
        op->stride_h = (int)fb_int(f, o, 2, 4, 0);
        op->filter_w = (int)fb_int(f, o, 3, 4, 0);
        op->filter_h = (int)fb_int(f, o, 4, 4, 0);
        op->act = (int)fb_int(f, o, 5, 1, 0);
        if (op->filter_w < 1 || op->filter_h < 1 || op->filter_w > 64 || op->filter_h > 64)
            fb_fail(f, "operator %d (%s): filter %dx%d not supported", opi, name, op->filter_w, op->filter_h);
        break;
    case FC_TFL_CONCATENATION:
        op->axis = (int)fb_int(f, o, 0, 4, 0);
        op->act = (int)fb_int(f, o, 1, 1, 0);
        break;
    case FC_TFL_ADD:
        op->act = (int)fb_int(f, o, 0, 1, 0);
        break;
    case FC_TFL_RESIZE_BILINEAR:
        op->align_corners = fb_int(f, o, 2, 1, 0) != 0;
        op->half_pixel_centers = fb_int(f, o, 3, 1, 0) != 0;
        if (op->align_corners)
            fb_fail(f, "operator %d (%s): align_corners is not supported", opi, name);
        break;
    case FC_TFL_DEPTH_TO_SPACE:
        op->block_size = (int)fb_int(f, o, 0, 4, 0);
        if (op->block_size < 1 || op->block_size > 16)
            fb_fail(f, "operator %d (%s): block size %d not supported", opi, name, op->block_size);
        break;
    default:
        break;
    }
    if (op->code == FC_TFL_CONV_2D || op->code == FC_TFL_DEPTHWISE_CONV_2D || op->code == FC_TFL_MAX_POOL_2D) {
        if (op->padding != FC_TFL_PAD_SAME && op->padding != FC_TFL_PAD_VALID)
            fb_fail(f, "operator %d (%s): padding type %d not supported", opi, name, op->padding);
        if (op->stride_w < 1 || op->stride_h < 1 || op->stride_w > 64 || op->stride_h > 64)
            fb_fail(f, "operator %d (%s): strides %dx%d not supported", opi, name, op->stride_w, op->stride_h);
    }
    if (dil_w != 1 || dil_h != 1)
        fb_fail(f, "operator %d (%s): dilation %dx%d not supported (only 1)", opi, name, dil_w, dil_h);
    if (mult != 1)
        fb_fail(f, "operator %d (%s): depth multiplier %d not supported (only 1)", opi, name, mult);
    if (op->act != FC_TFL_ACT_NONE && op->act != FC_TFL_ACT_RELU6)
        fb_fail(f, "operator %d (%s): fused activation %d not supported (only NONE and RELU6)", opi, name, op->act);
}

static void read_op(parse *ps, fc_tfl_op *op, int opi, const fbt *ot)
{
    fb *f = &ps->f;
    fbt opts;
    uint32_t ci = (uint32_t)fb_uint(f, ot, 0, 4, 0);

    if (f->bad)
        return;
    if (ci >= ps->n_codes) {
        fb_fail(f, "operator %d: opcode index %u out of range (%u codes)", opi, ci, ps->n_codes);
        return;
    }
    op->code = ps->codes[ci];
    int want = expected_options(op->code);
    if (want < 0) {
        fb_fail(f, "operator %d: %s (builtin code %d) is not supported by this reader", opi,
                fc_tfl_op_name(op->code), op->code);
        return;
    }
    read_index_list(ps, ot, 1, op->in, &op->n_in, "inputs", opi);
    read_index_list(ps, ot, 2, op->out, &op->n_out, "outputs", opi);
    int64_t type = fb_int(f, ot, 3, 1, 0);
    memset(&opts, 0, sizeof opts);
    if (type && type != want) {
        fb_fail(f, "operator %d (%s): options of union type %lld, expected %d", opi, fc_tfl_op_name(op->code),
                (long long)type, want);
        return;
    }
    if (type)
        fb_subtable(f, ot, 4, &opts, "builtin options");
    read_options(ps, op, &opts, opi);
}

/* ---- the graph ---- */

static void read_subgraph(parse *ps, const fbt *model)
{
    fb *f = &ps->f;
    fc_tfl_model *m = ps->m;
    fbv subs, tensors, ops;
    fbt sg;

    fb_vector(f, model, 2, 4, &subs, "subgraphs");
    if (f->bad)
        return;
    if (subs.len != 1) {
        fb_fail(f, "%u subgraphs, only models with exactly one are supported", subs.len);
        return;
    }
    if (!fbv_table(f, &subs, 0, &sg, "subgraph"))
        return;
    fb_vector(f, &sg, 0, 4, &tensors, "tensors");
    fb_vector(f, &sg, 3, 4, &ops, "operators");
    if (f->bad || !(m->tensors = xcalloc(ps, tensors.len, sizeof *m->tensors))
        || !(m->ops = xcalloc(ps, ops.len, sizeof *m->ops)))
        return;
    m->n_tensors = (int)tensors.len;
    for (uint32_t i = 0; i < tensors.len && !f->bad; i++) {
        fbt tt;
        if (fbv_table(f, &tensors, i, &tt, "tensor"))
            read_tensor(ps, &m->tensors[i], i, &tt);
    }
    read_index_list(ps, &sg, 1, m->inputs, &m->n_inputs, "inputs", -1);
    read_index_list(ps, &sg, 2, m->outputs, &m->n_outputs, "outputs", -1);
    m->n_ops = (int)ops.len;
    for (uint32_t i = 0; i < ops.len && !f->bad; i++) {
        fbt ot;
        if (fbv_table(f, &ops, i, &ot, "operator"))
            read_op(ps, &m->ops[i], (int)i, &ot);
    }
}

int fc_tfl_parse(fc_tfl_model **out, const void *data, size_t size, const char *name, char *err, size_t errsz)
{
    parse ps;
    fbt model;
    int rc = 0;

    *out = NULL;
    memset(&ps, 0, sizeof ps);
    ps.f.p = data;
    ps.f.n = size;
    ps.f.name = name ? name : "model";
    ps.f.err = err;
    ps.f.errsz = errsz;
    if (!data || size < 8 || size > FC_TFL_MAX_FILE)
        return fc_set_error(err, errsz, FC_EMODEL, "%s: %zu bytes is not a plausible TFLite model size", ps.f.name,
                            size);
    if (memcmp(ps.f.p + 4, "TFL3", 4) != 0) {
        char id[5];
        for (int i = 0; i < 4; i++)
            id[i] = ps.f.p[4 + i] >= 0x20 && ps.f.p[4 + i] < 0x7f ? (char)ps.f.p[4 + i] : '?';
        id[4] = 0;
        return fc_set_error(err, errsz, FC_EMODEL, "%s: not a TFLite model (file identifier '%s', expected 'TFL3')",
                            ps.f.name, id);
    }
    if (!(ps.m = xcalloc(&ps, 1, sizeof *ps.m)))
        goto end;
    if (!fb_table(&ps.f, fb_u32(&ps.f, 0), &model, "model"))
        goto end;
    ps.m->version = (uint32_t)fb_uint(&ps.f, &model, 0, 4, 0);
    if (ps.m->version != 3) {
        fb_fail(&ps.f, "schema version %u, only 3 is supported", ps.m->version);
        goto end;
    }
    read_buffers(&ps, &model);
    read_opcodes(&ps, &model);
    read_subgraph(&ps, &model);
    if (!ps.f.bad)
        fc_tfl_check_graph(&ps.f, ps.m);
end:
    if (ps.f.bad || !ps.m) {
        rc = ps.f.nomem ? FC_ENOMEM : FC_EMODEL;
        if (ps.f.nomem)
            fc_set_error(err, errsz, FC_ENOMEM, "%s: out of memory", ps.f.name);
        fc_tfl_free(ps.m);
        ps.m = NULL;
    }
    free(ps.bufs);
    free(ps.codes);
    *out = ps.m;
    return rc;
}

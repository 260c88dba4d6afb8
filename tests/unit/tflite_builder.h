/* tflite_builder.h - a tiny forward flatbuffer writer and a synthetic TFLite
 * model with knobs, for test_tflite.c and the fuzz corpus generator. Writes
 * parents before children (uoffsets always point forward), each vtable right
 * before its table. Test-only; header-only so both users stay one file. */
#ifndef FC_TEST_TFLITE_BUILDER_H
#define FC_TEST_TFLITE_BUILDER_H

#include <stdint.h>
#include <string.h>

#define TB_CAP 16384

typedef struct tb_buf {
    uint8_t b[TB_CAP];
    size_t n;
} tb_buf;

typedef struct tb_tbl {
    size_t vt, pos;
} tb_tbl;

static inline void tb_w16(tb_buf *b, size_t at, uint16_t v)
{
    b->b[at] = (uint8_t)v;
    b->b[at + 1] = (uint8_t)(v >> 8);
}

static inline void tb_w32(tb_buf *b, size_t at, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b->b[at + (size_t)i] = (uint8_t)(v >> (8 * i));
}

static inline void tb_align(tb_buf *b, size_t a)
{
    while (b->n % a)
        b->b[b->n++] = 0;
}

static inline size_t tb_raw(tb_buf *b, const void *p, size_t len)
{
    size_t at = b->n;
    memcpy(b->b + b->n, p, len);
    b->n += len;
    return at;
}

static inline tb_tbl tb_begin(tb_buf *b, int nfields)
{
    tb_tbl t;
    size_t vts = 4 + 2 * (size_t)nfields;
    tb_align(b, 4);
    t.vt = b->n;
    memset(b->b + b->n, 0, (vts + 3) & ~(size_t)3);
    b->n += (vts + 3) & ~(size_t)3;
    t.pos = b->n;
    tb_w32(b, t.pos, (uint32_t)(t.pos - t.vt));
    b->n += 4;
    tb_w16(b, t.vt, (uint16_t)vts);
    return t;
}

static inline void tb_field(tb_buf *b, tb_tbl *t, int id, const void *v, size_t size)
{
    tb_align(b, size);
    tb_w16(b, t->vt + 4 + 2 * (size_t)id, (uint16_t)(b->n - t->pos));
    tb_raw(b, v, size);
}

static inline void tb_i32(tb_buf *b, tb_tbl *t, int id, int32_t v) { tb_field(b, t, id, &v, 4); }
static inline void tb_u8(tb_buf *b, tb_tbl *t, int id, uint8_t v) { tb_field(b, t, id, &v, 1); }

/* Reserve an offset field; link it later with tb_link. */
static inline size_t tb_ref(tb_buf *b, tb_tbl *t, int id)
{
    tb_align(b, 4);
    tb_w16(b, t->vt + 4 + 2 * (size_t)id, (uint16_t)(b->n - t->pos));
    b->n += 4;
    return b->n - 4;
}

static inline void tb_end(tb_buf *b, tb_tbl *t) { tb_w16(b, t->vt + 2, (uint16_t)(b->n - t->pos)); }

static inline void tb_link(tb_buf *b, size_t slot, size_t target) { tb_w32(b, slot, (uint32_t)(target - slot)); }

/* A vector of `n` elements of `elem` bytes; returns the count position. */
static inline size_t tb_vec(tb_buf *b, const void *data, uint32_t n, size_t elem)
{
    tb_align(b, 4);
    size_t at = b->n;
    tb_w32(b, at, n);
    b->n += 4;
    if (n)
        tb_raw(b, data, n * elem);
    return at;
}

static inline size_t tb_str(tb_buf *b, const char *s)
{
    size_t at = tb_vec(b, s, (uint32_t)strlen(s), 1);
    b->b[b->n++] = 0;
    return at;
}

/* Vector of offsets to fill with tb_link(b, slots + 4 * i, target). */
static inline size_t tb_refvec(tb_buf *b, uint32_t n)
{
    size_t at = tb_vec(b, NULL, 0, 4);
    tb_w32(b, at, n);
    memset(b->b + b->n, 0, 4 * (size_t)n);
    b->n += 4 * (size_t)n;
    return at + 4;
}

/* ---- the synthetic model ----
 * input [1,4,4,2] -> CONV_2D 1x1 (2 -> 3, weights fp16 [3,1,1,2] behind DEQUANTIZE,
 * optionally CSR-sparse behind DENSIFY too; bias [3]) -> LOGISTIC -> output. */
typedef struct tb_knobs {
    int op_code;          /* builtin code of the conv op (3); 18 = MUL etc. */
    int deprecated_code;  /* deprecated_builtin_code byte (-1: min(op_code, 127)) */
    int conv_input;       /* tensor index of the conv input (0) */
    int conv_filter;      /* tensor index of the conv filter (2) */
    int dilation;         /* conv dilation (1) */
    int act;              /* conv fused activation (3 = RELU6) */
    int quantized;        /* give the bias a quantization scale */
    int subgraphs;        /* 1 */
    int sparse;           /* weights CSR-sparse behind DENSIFY */
} tb_knobs;

static inline tb_knobs tb_default_knobs(void)
{
    tb_knobs k = {3, -1, 0, 2, 1, 3, 0, 1, 0};
    return k;
}

/* Dense weights: w[o][i]; the sparse variant stores the same values minus zeros. */
static const float tb_weights[3][2] = {{1.0f, 0.0f}, {0.0f, 0.0f}, {0.5f, -2.0f}};
static const float tb_bias[3] = {0.25f, -1.0f, 3.0f};

static inline size_t tb_tensor(tb_buf *b, const char *name, const int32_t *shape, uint32_t rank, int type, uint32_t buffer,
                        int quantized, int sparse)
{
    tb_tbl t = tb_begin(b, 7);
    size_t s_shape = tb_ref(b, &t, 0), s_name = tb_ref(b, &t, 3), s_q = 0, s_sp = 0;
    tb_i32(b, &t, 2, (int32_t)buffer);
    if (quantized)
        s_q = tb_ref(b, &t, 4);
    if (sparse)
        s_sp = tb_ref(b, &t, 6);
    tb_u8(b, &t, 1, (uint8_t)type);
    tb_end(b, &t);
    tb_link(b, s_shape, tb_vec(b, shape, rank, 4));
    tb_link(b, s_name, tb_str(b, name));
    if (quantized) {
        tb_tbl q = tb_begin(b, 4);
        size_t s_scale = tb_ref(b, &q, 2);
        tb_end(b, &q);
        tb_link(b, s_q, q.pos);
        float scale = 0.1f;
        tb_link(b, s_scale, tb_vec(b, &scale, 1, 4));
    }
    if (sparse) {
        /* traversal 0..3; dims DENSE 3, DENSE 1, DENSE 1, CSR over the input channels. */
        static const int32_t order[4] = {0, 1, 2, 3}, dense[3] = {3, 1, 1};
        static const uint8_t seg[4] = {0, 1, 1, 3}, idx[3] = {0, 0, 1};
        tb_tbl sp = tb_begin(b, 3);
        size_t s_order = tb_ref(b, &sp, 0), s_dims = tb_ref(b, &sp, 2);
        tb_end(b, &sp);
        tb_link(b, s_sp, sp.pos);
        tb_link(b, s_order, tb_vec(b, order, 4, 4));
        size_t dims = tb_refvec(b, 4);
        tb_link(b, s_dims, dims - 4);
        for (int d = 0; d < 4; d++) {
            tb_tbl dm = tb_begin(b, 6);
            if (d < 3) {
                tb_i32(b, &dm, 1, dense[d]);
                tb_end(b, &dm);
                tb_link(b, dims + 4 * (size_t)d, dm.pos);
                continue;
            }
            size_t s_seg = tb_ref(b, &dm, 3), s_idx = tb_ref(b, &dm, 5);
            tb_u8(b, &dm, 0, 1); /* SPARSE_CSR */
            tb_u8(b, &dm, 2, 3); /* Uint8Vector */
            tb_u8(b, &dm, 4, 3);
            tb_end(b, &dm);
            tb_link(b, dims + 4 * (size_t)d, dm.pos);
            tb_tbl v1 = tb_begin(b, 1);
            size_t s_v1 = tb_ref(b, &v1, 0);
            tb_end(b, &v1);
            tb_link(b, s_v1, tb_vec(b, seg, 4, 1));
            tb_link(b, s_seg, v1.pos);
            tb_tbl v2 = tb_begin(b, 1);
            size_t s_v2 = tb_ref(b, &v2, 0);
            tb_end(b, &v2);
            tb_link(b, s_v2, tb_vec(b, idx, 3, 1));
            tb_link(b, s_idx, v2.pos);
        }
    }
    return t.pos;
}

static inline size_t tb_op(tb_buf *b, uint32_t opcode, const int32_t *in, uint32_t nin, int32_t out, uint8_t opt_type,
                    size_t *opt_slot)
{
    tb_tbl t = tb_begin(b, 5);
    size_t s_in = tb_ref(b, &t, 1), s_out = tb_ref(b, &t, 2);
    tb_i32(b, &t, 0, (int32_t)opcode);
    if (opt_type) {
        *opt_slot = tb_ref(b, &t, 4);
        tb_u8(b, &t, 3, opt_type);
    }
    tb_end(b, &t);
    tb_link(b, s_in, tb_vec(b, in, nin, 4));
    tb_link(b, s_out, tb_vec(b, &out, 1, 4));
    return t.pos;
}

/* fp16 bits of the few exact values used. */
static inline uint16_t tb_half(float v)
{
    if (v == 0.0f) return 0x0000;
    if (v == 1.0f) return 0x3c00;
    if (v == 0.5f) return 0x3800;
    return 0xc000; /* -2.0 */
}

/* Build the model into b; returns its size. */
static inline size_t tb_model(tb_buf *b, const tb_knobs *k)
{
    static const int32_t s_in[4] = {1, 4, 4, 2}, s_w[4] = {3, 1, 1, 2}, s_b[1] = {3}, s_y[4] = {1, 4, 4, 3};
    uint16_t w16[6];
    int nw = 0;
    for (int o = 0; o < 3; o++)
        for (int i = 0; i < 2; i++)
            if (!k->sparse || tb_weights[o][i] != 0.0f)
                w16[nw++] = tb_half(tb_weights[o][i]);

    memset(b, 0, sizeof *b);
    b->n = 8;
    memcpy(b->b + 4, "TFL3", 4);
    tb_tbl m = tb_begin(b, 5);
    tb_w32(b, 0, (uint32_t)m.pos);
    tb_i32(b, &m, 0, 3);
    size_t s_codes = tb_ref(b, &m, 1), s_subs = tb_ref(b, &m, 2), s_bufs = tb_ref(b, &m, 4);
    tb_end(b, &m);

    /* operator codes: DEQUANTIZE, conv (knob), LOGISTIC, DENSIFY */
    int codes[4] = {6, k->op_code, 14, 124};
    size_t cv = tb_refvec(b, 4);
    tb_link(b, s_codes, cv - 4);
    for (int i = 0; i < 4; i++) {
        tb_tbl c = tb_begin(b, 4);
        int dep = i == 1 && k->deprecated_code >= 0 ? k->deprecated_code : codes[i] < 127 ? codes[i] : 127;
        tb_i32(b, &c, 3, codes[i]);
        tb_u8(b, &c, 0, (uint8_t)dep);
        tb_end(b, &c);
        tb_link(b, cv + 4 * (size_t)i, c.pos);
    }

    /* buffers: 0 empty, 1 weights fp16, 2 bias f32 */
    size_t bv = tb_refvec(b, 3);
    tb_link(b, s_bufs, bv - 4);
    for (int i = 0; i < 3; i++) {
        tb_tbl bt = tb_begin(b, 1);
        size_t s_data = i ? tb_ref(b, &bt, 0) : 0;
        tb_end(b, &bt);
        tb_link(b, bv + 4 * (size_t)i, bt.pos);
        if (i == 1)
            tb_link(b, s_data, tb_vec(b, w16, (uint32_t)nw * 2, 1)); /* [ubyte] */
        else if (i == 2)
            tb_link(b, s_data, tb_vec(b, tb_bias, sizeof tb_bias, 1));
    }

    size_t sv = tb_refvec(b, (uint32_t)k->subgraphs);
    tb_link(b, s_subs, sv - 4);
    tb_tbl sg = tb_begin(b, 5);
    for (int i = 0; i < k->subgraphs; i++)
        tb_link(b, sv + 4 * (size_t)i, sg.pos);
    size_t s_t = tb_ref(b, &sg, 0), s_gi = tb_ref(b, &sg, 1), s_go = tb_ref(b, &sg, 2), s_ops = tb_ref(b, &sg, 3);
    tb_end(b, &sg);
    int32_t gi = 0, go = 5;
    tb_link(b, s_gi, tb_vec(b, &gi, 1, 4));
    tb_link(b, s_go, tb_vec(b, &go, 1, 4));

    /* tensors: 0 input, 1 w16, 2 w (f32), 3 bias, 4 conv, 5 output, 6 w16 dense (DENSIFY out) */
    size_t tv = tb_refvec(b, 7);
    tb_link(b, s_t, tv - 4);
    size_t tp[7];
    tp[0] = tb_tensor(b, "input", s_in, 4, 0, 0, 0, 0);
    tp[1] = tb_tensor(b, "w16", s_w, 4, 1, 1, 0, k->sparse);
    tp[2] = tb_tensor(b, "w", s_w, 4, 0, 0, 0, 0);
    tp[3] = tb_tensor(b, "bias", s_b, 1, 0, 2, k->quantized, 0);
    tp[4] = tb_tensor(b, "conv", s_y, 4, 0, 0, 0, 0);
    tp[5] = tb_tensor(b, "output", s_y, 4, 0, 0, 0, 0);
    tp[6] = tb_tensor(b, "w16dense", s_w, 4, 1, 0, 0, 0);
    for (int i = 0; i < 7; i++)
        tb_link(b, tv + 4 * (size_t)i, tp[i]);

    int nops = k->sparse ? 4 : 3, o = 0;
    size_t ov = tb_refvec(b, (uint32_t)nops), slot = 0;
    tb_link(b, s_ops, ov - 4);
    if (k->sparse) {
        int32_t in = 1;
        tb_link(b, ov + 4 * (size_t)o++, tb_op(b, 3, &in, 1, 6, 99, &slot));
        tb_tbl e = tb_begin(b, 0);
        tb_end(b, &e);
        tb_link(b, slot, e.pos);
    }
    int32_t dq_in = k->sparse ? 6 : 1;
    tb_link(b, ov + 4 * (size_t)o++, tb_op(b, 0, &dq_in, 1, 2, 0, &slot));
    int32_t conv_in[3] = {k->conv_input, k->conv_filter, 3};
    tb_link(b, ov + 4 * (size_t)o++, tb_op(b, 1, conv_in, 3, 4, k->op_code == 3 ? 1 : 0, &slot));
    if (k->op_code == 3) {
        tb_tbl c = tb_begin(b, 6);
        tb_i32(b, &c, 1, 1);
        tb_i32(b, &c, 2, 1);
        tb_i32(b, &c, 4, k->dilation);
        tb_i32(b, &c, 5, k->dilation);
        tb_u8(b, &c, 0, 1); /* VALID */
        tb_u8(b, &c, 3, (uint8_t)k->act);
        tb_end(b, &c);
        tb_link(b, slot, c.pos);
    }
    int32_t lg_in = 4;
    tb_link(b, ov + 4 * (size_t)o++, tb_op(b, 2, &lg_in, 1, 5, 0, &slot));
    return b->n;
}

/* ---- a generic graph: every op and tensor given as a table ---- */
typedef struct tb_tspec {
    const char *name;
    int rank;
    int32_t shape[4];
    int type;           /* TensorType */
    const void *data;   /* constant bytes or NULL */
    uint32_t bytes;
} tb_tspec;

typedef struct tb_opt {
    int id, size;       /* field id, 1 or 4 bytes */
    int32_t v;
} tb_opt;

typedef struct tb_ospec {
    int code;           /* builtin code */
    int nin;
    int32_t in[4];
    int32_t out;
    int opt_type;       /* BuiltinOptions union type, 0 = none */
    int nopt;
    tb_opt opt[8];
} tb_ospec;

static inline size_t tb_graph(tb_buf *b, const tb_tspec *ts, int nt, const tb_ospec *os, int no, const int32_t *outs,
                       int nouts)
{
    memset(b, 0, sizeof *b);
    b->n = 8;
    memcpy(b->b + 4, "TFL3", 4);
    tb_tbl m = tb_begin(b, 5);
    tb_w32(b, 0, (uint32_t)m.pos);
    tb_i32(b, &m, 0, 3);
    size_t s_codes = tb_ref(b, &m, 1), s_subs = tb_ref(b, &m, 2), s_bufs = tb_ref(b, &m, 4);
    tb_end(b, &m);
    size_t cv = tb_refvec(b, (uint32_t)no); /* one operator code per op */
    tb_link(b, s_codes, cv - 4);
    for (int i = 0; i < no; i++) {
        tb_tbl c = tb_begin(b, 4);
        tb_i32(b, &c, 3, os[i].code);
        tb_u8(b, &c, 0, (uint8_t)(os[i].code < 127 ? os[i].code : 127));
        tb_end(b, &c);
        tb_link(b, cv + 4 * (size_t)i, c.pos);
    }
    size_t bv = tb_refvec(b, (uint32_t)nt + 1); /* buffer 0 empty, i + 1 for tensor i */
    tb_link(b, s_bufs, bv - 4);
    for (int i = 0; i <= nt; i++) {
        tb_tbl bt = tb_begin(b, 1);
        size_t s_data = i && ts[i - 1].data ? tb_ref(b, &bt, 0) : 0;
        tb_end(b, &bt);
        tb_link(b, bv + 4 * (size_t)i, bt.pos);
        if (s_data)
            tb_link(b, s_data, tb_vec(b, ts[i - 1].data, ts[i - 1].bytes, 1));
    }
    size_t sv = tb_refvec(b, 1);
    tb_link(b, s_subs, sv - 4);
    tb_tbl sg = tb_begin(b, 5);
    tb_link(b, sv, sg.pos);
    size_t s_t = tb_ref(b, &sg, 0), s_gi = tb_ref(b, &sg, 1), s_go = tb_ref(b, &sg, 2), s_ops = tb_ref(b, &sg, 3);
    tb_end(b, &sg);
    int32_t gi = 0;
    tb_link(b, s_gi, tb_vec(b, &gi, 1, 4));
    tb_link(b, s_go, tb_vec(b, outs, (uint32_t)nouts, 4));
    size_t tv = tb_refvec(b, (uint32_t)nt);
    tb_link(b, s_t, tv - 4);
    for (int i = 0; i < nt; i++)
        tb_link(b, tv + 4 * (size_t)i,
                tb_tensor(b, ts[i].name, ts[i].shape, (uint32_t)ts[i].rank, ts[i].type,
                          ts[i].data ? (uint32_t)i + 1 : 0, 0, 0));
    size_t ov = tb_refvec(b, (uint32_t)no);
    tb_link(b, s_ops, ov - 4);
    for (int i = 0; i < no; i++) {
        size_t slot = 0;
        tb_link(b, ov + 4 * (size_t)i, tb_op(b, (uint32_t)i, os[i].in, (uint32_t)os[i].nin, os[i].out,
                                             (uint8_t)os[i].opt_type, &slot));
        if (!os[i].opt_type)
            continue;
        tb_tbl o = tb_begin(b, 8);
        for (int k = 0; k < os[i].nopt; k++) /* 4-byte fields first keeps them aligned */
            if (os[i].opt[k].size == 4)
                tb_i32(b, &o, os[i].opt[k].id, os[i].opt[k].v);
        for (int k = 0; k < os[i].nopt; k++)
            if (os[i].opt[k].size == 1)
                tb_u8(b, &o, os[i].opt[k].id, (uint8_t)os[i].opt[k].v);
        tb_end(b, &o);
        tb_link(b, slot, o.pos);
    }
    return b->n;
}

/* Every whitelisted op except DENSIFY (see tb_model):
 * input [1,16,16,4] -> PAD 2 -> DEPTHWISE 5x5 VALID +RELU6 -> ADD input -> MAX_POOL 2x2/2
 * -> RESIZE_BILINEAR 16x16 (half-pixel) -> CONV 3x3 SAME stride 2 (4 -> 8) -> DEPTH_TO_SPACE 2
 * -> RESHAPE [1,512] -> CONCATENATION with itself (axis -1) -> LOGISTIC -> "out" [1,1024];
 * second output "pool" [1,8,8,4] (NHWC transpose on the way out). */
static inline size_t tb_model_all_ops(tb_buf *b)
{
    static float dw_w[100], dw_b[4], cv_w[8 * 9 * 4], cv_b[8];
    static const int32_t pads[8] = {0, 0, 2, 2, 2, 2, 0, 0}, size[2] = {16, 16}, shape[2] = {1, 512};
    for (int i = 0; i < 100; i++)
        dw_w[i] = (float)((i * 7) % 11 - 5) / 16.0f;
    for (int i = 0; i < 4; i++)
        dw_b[i] = (float)i * 0.25f - 0.5f;
    for (int i = 0; i < 8 * 9 * 4; i++)
        cv_w[i] = (float)((i * 5) % 13 - 6) / 16.0f;
    for (int i = 0; i < 8; i++)
        cv_b[i] = (float)i * 0.125f;
    const tb_tspec ts[] = {
        {"input", 4, {1, 16, 16, 4}, 0, NULL, 0},                  /* 0 */
        {"paddings", 2, {4, 2}, 2, pads, sizeof pads},             /* 1 */
        {"padded", 4, {1, 20, 20, 4}, 0, NULL, 0},                 /* 2 */
        {"dw_w", 4, {1, 5, 5, 4}, 0, dw_w, sizeof dw_w},           /* 3 */
        {"dw_b", 1, {4}, 0, dw_b, sizeof dw_b},                    /* 4 */
        {"dw", 4, {1, 16, 16, 4}, 0, NULL, 0},                     /* 5 */
        {"sum", 4, {1, 16, 16, 4}, 0, NULL, 0},                    /* 6 */
        {"pool", 4, {1, 8, 8, 4}, 0, NULL, 0},                     /* 7 */
        {"size", 1, {2}, 2, size, sizeof size},                    /* 8 */
        {"up", 4, {1, 16, 16, 4}, 0, NULL, 0},                     /* 9 */
        {"cv_w", 4, {8, 3, 3, 4}, 0, cv_w, sizeof cv_w},           /* 10 */
        {"cv_b", 1, {8}, 0, cv_b, sizeof cv_b},                    /* 11 */
        {"conv", 4, {1, 8, 8, 8}, 0, NULL, 0},                     /* 12 */
        {"d2s", 4, {1, 16, 16, 2}, 0, NULL, 0},                    /* 13 */
        {"shape", 1, {2}, 2, shape, sizeof shape},                 /* 14 */
        {"flat", 2, {1, 512}, 0, NULL, 0},                         /* 15 */
        {"cat", 2, {1, 1024}, 0, NULL, 0},                         /* 16 */
        {"out", 2, {1, 1024}, 0, NULL, 0},                         /* 17 */
    };
    const tb_ospec os[] = {
        {34, 2, {0, 1}, 2, 22, 0, {{0}}},
        {4, 3, {2, 3, 4}, 5, 2, 5, {{0, 1, 1}, {1, 4, 1}, {2, 4, 1}, {3, 4, 1}, {4, 1, 3}}},
        {0, 2, {5, 0}, 6, 11, 1, {{0, 1, 0}}},
        {17, 1, {6}, 7, 5, 5, {{0, 1, 1}, {1, 4, 2}, {2, 4, 2}, {3, 4, 2}, {4, 4, 2}}},
        {23, 2, {7, 8}, 9, 15, 1, {{3, 1, 1}}},
        {3, 3, {9, 10, 11}, 12, 1, 4, {{0, 1, 0}, {1, 4, 2}, {2, 4, 2}, {3, 1, 0}}},
        {5, 1, {12}, 13, 94, 1, {{0, 4, 2}}},
        {22, 2, {13, 14}, 15, 17, 0, {{0}}},
        {2, 2, {15, 15}, 16, 10, 1, {{0, 4, -1}}},
        {14, 1, {16}, 17, 0, 0, {{0}}},
    };
    static const int32_t outs[2] = {17, 7};
    return tb_graph(b, ts, (int)(sizeof ts / sizeof *ts), os, (int)(sizeof os / sizeof *os), outs, 2);
}

#endif

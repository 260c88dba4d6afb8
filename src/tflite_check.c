/* tflite_check.c - graph checks after reading: data flow (every input written
 * before it is read), per-op shape rules of the whitelist, and folding of the
 * load-time ops (DEQUANTIZE, DENSIFY) into constants. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "formcheck/tflite.h"
#include "tflite_internal.h"

typedef struct chk {
    fb *f;
    fc_tfl_model *m;
    unsigned char *ready; /* 1: written (graph input, constant or earlier op output) */
    int opi;
    const fc_tfl_op *op;
} chk;

#define OPNAME(c) fc_tfl_op_name((c)->op->code)

static const fc_tfl_tensor *T(chk *c, int idx) { return &c->m->tensors[idx]; }

static bool is_const(const fc_tfl_tensor *t) { return t->f32 || t->i32; }

static bool fail(chk *c, const char *what, const fc_tfl_tensor *t)
{
    fb_fail(c->f, "operator %d (%s): %s%s%s%s", c->opi, OPNAME(c), what, t ? " (tensor '" : "",
            t ? t->name : "", t ? "')" : "");
    return false;
}

/* An activation operand: written before, FLOAT32, rank `rank` (0 = any), batch 1 when 4-D. */
static bool act(chk *c, int idx, int rank)
{
    const fc_tfl_tensor *t;
    if (idx < 0)
        return fail(c, "a required tensor is missing", NULL);
    t = T(c, idx);
    if (is_const(t))
        return fail(c, "a constant where an activation is expected", t);
    if (t->type != FC_TFL_FLOAT32)
        return fail(c, "activation is not FLOAT32", t);
    if (rank && t->rank != rank)
        return fail(c, "activation has the wrong rank", t);
    if (t->rank < 1 || t->count == 0)
        return fail(c, "activation has an empty shape", t);
    if (t->rank == 4 && t->shape[0] != 1)
        return fail(c, "batch sizes other than 1 are not supported", t);
    return true;
}

static bool same_shape(const fc_tfl_tensor *a, const fc_tfl_tensor *b)
{
    return a->rank == b->rank && !memcmp(a->shape, b->shape, sizeof(int) * (size_t)a->rank);
}

/* TFLite's output size for SAME / VALID windows. */
static int out_size(int in, int k, int stride, int padding)
{
    return padding == FC_TFL_PAD_SAME ? (in + stride - 1) / stride : in >= k ? (in - k) / stride + 1 : 0;
}

static bool check_window(chk *c, const fc_tfl_tensor *x, const fc_tfl_tensor *y, int kh, int kw)
{
    const fc_tfl_op *op = c->op;
    if (y->shape[1] != out_size(x->shape[1], kh, op->stride_h, op->padding)
        || y->shape[2] != out_size(x->shape[2], kw, op->stride_w, op->padding))
        return fail(c, "output size does not follow from input, window, strides and padding", y);
    return true;
}

static bool check_conv(chk *c)
{
    const fc_tfl_op *op = c->op;
    bool dw = op->code == FC_TFL_DEPTHWISE_CONV_2D;
    if (op->n_in < 2 || op->n_in > 3 || op->n_out != 1 || !act(c, op->in[0], 4) || !act(c, op->out[0], 4))
        return c->f->bad ? false : fail(c, "expects input, filter, [bias] and one output", NULL);
    const fc_tfl_tensor *x = T(c, op->in[0]), *y = T(c, op->out[0]);
    if (op->in[1] < 0 || !T(c, op->in[1])->f32 || T(c, op->in[1])->rank != 4)
        return fail(c, "filter must be a constant 4-D float tensor", op->in[1] < 0 ? NULL : T(c, op->in[1]));
    const fc_tfl_tensor *w = T(c, op->in[1]);
    int cin = x->shape[3], cout = y->shape[3];
    if (dw ? (w->shape[0] != 1 || w->shape[3] != cin || cout != cin)
           : (w->shape[3] != cin || w->shape[0] != cout))
        return fail(c, "filter shape does not match the input/output channels", w);
    if (w->shape[1] > 64 || w->shape[2] > 64)
        return fail(c, "filter larger than 64x64", w);
    if (op->n_in == 3 && op->in[2] >= 0) {
        const fc_tfl_tensor *b = T(c, op->in[2]);
        if (!b->f32 || b->count != (size_t)cout)
            return fail(c, "bias must be a constant float vector of the output channels", b);
    }
    return check_window(c, x, y, w->shape[1], w->shape[2]);
}

static bool check_pad(chk *c)
{
    const fc_tfl_op *op = c->op;
    if (op->n_in != 2 || op->n_out != 1 || !act(c, op->in[0], 4) || !act(c, op->out[0], 4))
        return c->f->bad ? false : fail(c, "expects input, paddings and one output", NULL);
    const fc_tfl_tensor *x = T(c, op->in[0]), *y = T(c, op->out[0]);
    if (op->in[1] < 0 || !T(c, op->in[1])->i32 || T(c, op->in[1])->count != 8)
        return fail(c, "paddings must be a constant INT32 [4,2] tensor", op->in[1] < 0 ? NULL : T(c, op->in[1]));
    const int32_t *p = T(c, op->in[1])->i32;
    for (int d = 0; d < 4; d++) {
        if (p[2 * d] < 0 || p[2 * d + 1] < 0 || p[2 * d] > 1024 || p[2 * d + 1] > 1024 || (d == 0 && (p[0] || p[1])))
            return fail(c, "paddings must be 0..1024 and not on the batch", T(c, op->in[1]));
        if (y->shape[d] != x->shape[d] + p[2 * d] + p[2 * d + 1])
            return fail(c, "output shape does not match input + paddings", y);
    }
    return true;
}

static bool check_resize(chk *c)
{
    const fc_tfl_op *op = c->op;
    if (op->n_in != 2 || op->n_out != 1 || !act(c, op->in[0], 4) || !act(c, op->out[0], 4))
        return c->f->bad ? false : fail(c, "expects input, size and one output", NULL);
    const fc_tfl_tensor *x = T(c, op->in[0]), *y = T(c, op->out[0]);
    if (op->in[1] < 0 || !T(c, op->in[1])->i32 || T(c, op->in[1])->count != 2)
        return fail(c, "size must be a constant INT32 [2] tensor", op->in[1] < 0 ? NULL : T(c, op->in[1]));
    const int32_t *s = T(c, op->in[1])->i32;
    if (s[0] != y->shape[1] || s[1] != y->shape[2] || x->shape[3] != y->shape[3])
        return fail(c, "output shape does not match the requested size", y);
    return true;
}

static bool check_concat(chk *c)
{
    fc_tfl_op *op = &c->m->ops[c->opi];
    if (op->n_in < 1 || op->n_out != 1 || !act(c, op->out[0], 0))
        return c->f->bad ? false : fail(c, "expects inputs and one output", NULL);
    const fc_tfl_tensor *y = T(c, op->out[0]);
    int axis = op->axis < 0 ? op->axis + y->rank : op->axis;
    long sum = 0;
    if (axis < 0 || axis >= y->rank)
        return fail(c, "axis out of range", y);
    op->axis = axis;
    for (int i = 0; i < op->n_in; i++) {
        if (!act(c, op->in[i], y->rank))
            return false;
        const fc_tfl_tensor *x = T(c, op->in[i]);
        for (int d = 0; d < y->rank; d++)
            if (d != axis && x->shape[d] != y->shape[d])
                return fail(c, "inputs differ outside the concatenation axis", x);
        sum += x->shape[axis];
    }
    if (sum != y->shape[axis])
        return fail(c, "output size along the axis is not the sum of the inputs", y);
    return true;
}

static bool check_simple(chk *c)
{
    const fc_tfl_op *op = c->op;
    int code = op->code;
    int nin = code == FC_TFL_ADD ? 2 : 1;
    /* RESHAPE may carry its target shape as a second (constant) input. */
    if (code == FC_TFL_RESHAPE && op->n_in == 2 && op->in[1] >= 0 && T(c, op->in[1])->i32)
        nin = 2;
    if (op->n_in != nin || op->n_out != 1 || !act(c, op->in[0], 0) || !act(c, op->out[0], 0))
        return c->f->bad ? false : fail(c, "unexpected number of inputs or outputs", NULL);
    const fc_tfl_tensor *x = T(c, op->in[0]), *y = T(c, op->out[0]);
    switch (code) {
    case FC_TFL_ADD:
        if (!act(c, op->in[1], 0))
            return false;
        if (!same_shape(x, T(c, op->in[1])) || !same_shape(x, y))
            return fail(c, "operands must have the same shape (no broadcasting)", y);
        return true;
    case FC_TFL_LOGISTIC:
        return same_shape(x, y) ? true : fail(c, "output shape differs from the input", y);
    case FC_TFL_RESHAPE:
        return x->count == y->count ? true : fail(c, "element count changes", y);
    case FC_TFL_MAX_POOL_2D:
        if (x->rank != 4 || y->rank != 4 || x->shape[3] != y->shape[3])
            return fail(c, "expects 4-D input and output with equal channels", y);
        return check_window(c, x, y, op->filter_h, op->filter_w);
    case FC_TFL_DEPTH_TO_SPACE: {
        int b = op->block_size;
        if (x->rank != 4 || y->rank != 4 || x->shape[3] % (b * b) || y->shape[1] != x->shape[1] * b
            || y->shape[2] != x->shape[2] * b || y->shape[3] != x->shape[3] / (b * b))
            return fail(c, "output shape does not follow from the block size", y);
        return true;
    }
    default:
        return fail(c, "not supported", NULL);
    }
}

/* DEQUANTIZE / DENSIFY of a constant: the output shares the input's floats. */
static bool fold(chk *c)
{
    fc_tfl_op *op = &c->m->ops[c->opi];
    if (op->n_in != 1 || op->n_out != 1 || op->in[0] < 0 || op->out[0] < 0)
        return fail(c, "expects one input and one output", NULL);
    fc_tfl_tensor *x = &c->m->tensors[op->in[0]], *y = &c->m->tensors[op->out[0]];
    if (!x->f32)
        return fail(c, "only constant float inputs can be folded at load time", x);
    if (op->code == FC_TFL_DENSIFY && !x->sparse)
        return fail(c, "input is not sparse", x);
    if (op->code == FC_TFL_DEQUANTIZE && x->type != FC_TFL_FLOAT16)
        return fail(c, "only FLOAT16 inputs are supported", x);
    if (is_const(y) || !same_shape(x, y))
        return fail(c, "output must be a non-constant tensor of the input's shape", y);
    y->f32 = x->f32;
    y->owns_data = 0;
    op->folded = 1;
    return true;
}

static bool check_op(chk *c)
{
    switch (c->op->code) {
    case FC_TFL_CONV_2D:
    case FC_TFL_DEPTHWISE_CONV_2D: return check_conv(c);
    case FC_TFL_PAD: return check_pad(c);
    case FC_TFL_RESIZE_BILINEAR: return check_resize(c);
    case FC_TFL_CONCATENATION: return check_concat(c);
    case FC_TFL_DEQUANTIZE:
    case FC_TFL_DENSIFY: return fold(c);
    default: return check_simple(c);
    }
}

void fc_tfl_check_graph(fb *f, fc_tfl_model *m)
{
    chk c = {.f = f, .m = m};

    if (m->n_inputs < 1 || m->n_outputs < 1) {
        fb_fail(f, "the graph has %d inputs and %d outputs", m->n_inputs, m->n_outputs);
        return;
    }
    if (!(c.ready = calloc((size_t)m->n_tensors + 1, 1))) {
        f->nomem = 1;
        fb_fail(f, "out of memory");
        return;
    }
    for (int i = 0; i < m->n_tensors; i++)
        c.ready[i] = is_const(&m->tensors[i]);
    for (int i = 0; i < m->n_inputs; i++) {
        const fc_tfl_tensor *t = &m->tensors[m->inputs[i] < 0 ? 0 : m->inputs[i]];
        if (m->inputs[i] < 0 || is_const(t) || t->type != FC_TFL_FLOAT32 || t->rank < 1 || !t->count) {
            fb_fail(f, "graph input %d is not a FLOAT32 activation", i);
            goto end;
        }
        c.ready[m->inputs[i]] = 1;
    }
    for (c.opi = 0; c.opi < m->n_ops; c.opi++) {
        c.op = &m->ops[c.opi];
        for (int i = 0; i < c.op->n_in; i++) {
            int t = c.op->in[i];
            if (t >= 0 && !c.ready[t]) {
                fb_fail(f, "operator %d (%s): input tensor '%s' is read before any operator writes it", c.opi,
                        OPNAME(&c), m->tensors[t].name);
                goto end;
            }
        }
        for (int i = 0; i < c.op->n_out; i++) {
            int t = c.op->out[i];
            if (t < 0 || c.ready[t]) {
                fb_fail(f, "operator %d (%s): output %d is missing, constant or written twice", c.opi, OPNAME(&c), i);
                goto end;
            }
        }
        if (!check_op(&c))
            goto end;
        for (int i = 0; i < c.op->n_out; i++)
            c.ready[c.op->out[i]] = 1;
    }
    for (int i = 0; i < m->n_outputs; i++) {
        int t = m->outputs[i];
        if (t < 0 || is_const(&m->tensors[t]) || !c.ready[t] || m->tensors[t].type != FC_TFL_FLOAT32) {
            fb_fail(f, "graph output %d is not a computed FLOAT32 tensor", i);
            goto end;
        }
    }
end:
    free(c.ready);
}

#!/usr/bin/python3
"""Graph-level check of fc_net: an independent NumPy reference of the TFLite op
semantics, with its own minimal flatbuffer reader (shares no code with
src/tflite*.c), compared with what net_run (fc_net on OpenCV DNN) wrote.

    tflite_ref.py NET_RUN MODEL.tflite WORKDIR

Exit 0 when every output matches within tolerance, 1 otherwise, 77 (skip) when
the model file or NumPy is missing. Prints max abs / max relative error per output.
"""
import os
import struct
import subprocess
import sys
import time

try:
    import numpy as np
    from numpy.lib.stride_tricks import sliding_window_view
except ImportError:
    print("SKIP: NumPy is not installed (Debian: python3-numpy)")
    sys.exit(77)


# ---- flatbuffer reading (trusting: the input is a known-good model) ----

class Table:
    def __init__(self, buf, pos):
        self.b, self.pos = buf, pos
        self.vt = pos - struct.unpack_from("<i", buf, pos)[0]
        self.vtsize = struct.unpack_from("<H", buf, self.vt)[0]

    def _field(self, i):
        slot = 4 + 2 * i
        if slot >= self.vtsize:
            return None
        off = struct.unpack_from("<H", self.b, self.vt + slot)[0]
        return self.pos + off if off else None

    def scalar(self, i, fmt, default=0):
        p = self._field(i)
        return struct.unpack_from("<" + fmt, self.b, p)[0] if p is not None else default

    def _target(self, i):
        p = self._field(i)
        return None if p is None else p + struct.unpack_from("<I", self.b, p)[0]

    def table(self, i):
        t = self._target(i)
        return None if t is None else Table(self.b, t)

    def array(self, i, dtype):
        t = self._target(i)
        if t is None:
            return np.zeros(0, dtype)
        n = struct.unpack_from("<I", self.b, t)[0]
        return np.frombuffer(self.b, dtype, count=n, offset=t + 4)

    def tables(self, i):
        t = self._target(i)
        if t is None:
            return []
        n = struct.unpack_from("<I", self.b, t)[0]
        out = []
        for k in range(n):
            p = t + 4 + 4 * k
            out.append(Table(self.b, p + struct.unpack_from("<I", self.b, p)[0]))
        return out

    def string(self, i):
        return self.array(i, np.uint8).tobytes().decode("utf-8", "replace")


DTYPES = {0: "<f4", 1: "<f2", 2: "<i4"}
IDX_DTYPES = {1: "<i4", 2: "<u2", 3: "<u1"}


def densify(values, shape, sparsity):
    """TACO-style CSR walk (non-block): dims in traversal order, dense or CSR."""
    order = [int(v) for v in sparsity.array(0, "<i4")]
    dims = sparsity.tables(2)
    out = np.zeros(shape, np.float32)
    coord = [0] * len(shape)

    def walk(level, pos):
        if level == len(order):
            out[tuple(coord)] = values[pos]
            return
        d, axis = dims[level], order[level]
        if d.scalar(0, "b") == 0:  # DENSE
            size = d.scalar(1, "i")
            for k in range(size):
                coord[axis] = k
                walk(level + 1, pos * size + k)
        else:
            seg = d.table(3).array(0, IDX_DTYPES[d.scalar(2, "B")])
            idx = d.table(5).array(0, IDX_DTYPES[d.scalar(4, "B")])
            for k in range(int(seg[pos]), int(seg[pos + 1])):
                coord[axis] = int(idx[k])
                walk(level + 1, k)

    walk(0, 0)
    return out


def load(path):
    buf = open(path, "rb").read()
    assert buf[4:8] == b"TFL3", "not a TFLite file"
    model = Table(buf, struct.unpack_from("<I", buf, 0)[0])
    buffers = [b.array(0, np.uint8) for b in model.tables(4)]
    codes = [max(c.scalar(0, "b"), c.scalar(3, "i")) for c in model.tables(1)]
    (sg,) = model.tables(2)
    tensors = []
    for t in sg.tables(0):
        shape = tuple(int(v) for v in t.array(0, "<i4"))
        ttype, data = t.scalar(1, "b"), buffers[t.scalar(2, "I")]
        const = None
        if data.size:
            vals = np.frombuffer(data.tobytes(), DTYPES[ttype])
            sp = t.table(6)
            if sp is not None:
                const = densify(vals.astype(np.float32), shape, sp)
            else:
                const = vals.reshape(shape)
                if ttype in (0, 1):
                    const = const.astype(np.float32)
        tensors.append({"name": t.string(3), "shape": shape, "const": const})
    ops = []
    for o in sg.tables(3):
        ops.append({"code": codes[o.scalar(0, "I")], "in": [int(v) for v in o.array(1, "<i4")],
                    "out": [int(v) for v in o.array(2, "<i4")], "opt": o.table(4)})
    return tensors, ops, [int(v) for v in sg.array(1, "<i4")], [int(v) for v in sg.array(2, "<i4")]


# ---- op semantics (NHWC float32, batch 1) ----

def act(x, a):
    if a == 0:
        return x
    if a == 3:
        return np.clip(x, 0.0, 6.0)
    raise ValueError("activation %d" % a)


def same_pads(n, k, s):
    out = -(-n // s)
    total = max((out - 1) * s + k - n, 0)
    return total // 2, total - total // 2


def window_pad(x, kh, kw, sh, sw, padding, value=0.0):
    if padding == 0:  # SAME
        (t, b), (l, r) = same_pads(x.shape[1], kh, sh), same_pads(x.shape[2], kw, sw)
        x = np.pad(x, ((0, 0), (t, b), (l, r), (0, 0)), constant_values=value)
    return x


def conv2d(x, w, b, opt, depthwise):
    if depthwise:
        sw, sh, a, pad = opt.scalar(1, "i"), opt.scalar(2, "i"), opt.scalar(4, "b"), opt.scalar(0, "b")
        kh, kw = w.shape[1], w.shape[2]
    else:
        sw, sh, a, pad = opt.scalar(1, "i"), opt.scalar(2, "i"), opt.scalar(3, "b"), opt.scalar(0, "b")
        kh, kw = w.shape[1], w.shape[2]
    xp = window_pad(x, kh, kw, sh, sw, pad)[0]
    ho, wo = (xp.shape[0] - kh) // sh + 1, (xp.shape[1] - kw) // sw + 1
    if depthwise:
        y = np.zeros((ho, wo, w.shape[3]), np.float32)
        for i in range(kh):
            for j in range(kw):
                y += xp[i:i + sh * (ho - 1) + 1:sh, j:j + sw * (wo - 1) + 1:sw, :] * w[0, i, j, :]
    elif kh == 1 and kw == 1:
        y = xp[::sh, ::sw, :][:ho, :wo, :] @ w[:, 0, 0, :].T
    else:
        win = sliding_window_view(xp, (kh, kw), axis=(0, 1))[::sh, ::sw]  # [ho, wo, C, kh, kw]
        cols = np.ascontiguousarray(win.transpose(0, 1, 3, 4, 2)).reshape(ho * wo, -1)
        y = (cols @ w.reshape(w.shape[0], -1).T).reshape(ho, wo, -1)
    if b is not None:
        y = y + b
    return act(y[None].astype(np.float32), a)


def max_pool(x, opt):
    pad, sw, sh, fw, fh, a = (opt.scalar(0, "b"), opt.scalar(1, "i"), opt.scalar(2, "i"),
                              opt.scalar(3, "i"), opt.scalar(4, "i"), opt.scalar(5, "b"))
    xp = window_pad(x, fh, fw, sh, sw, pad, -np.inf)[0]
    win = sliding_window_view(xp, (fh, fw), axis=(0, 1))[::sh, ::sw]
    return act(win.max(axis=(3, 4))[None], a)


def resize_bilinear(x, size, opt):
    align, half = bool(opt.scalar(2, "B")), bool(opt.scalar(3, "B"))
    assert not align
    h, w = x.shape[1], x.shape[2]

    def axis_coords(n_out, n_in):
        scale = n_in / n_out
        c = np.arange(n_out, dtype=np.float64)
        c = (c + 0.5) * scale - 0.5 if half else c * scale
        lo = np.maximum(np.floor(c), 0).astype(int)
        hi = np.minimum(np.ceil(c), n_in - 1).astype(int)
        return lo, hi, (c - lo).astype(np.float32)

    y0, y1, fy = axis_coords(int(size[0]), h)
    x0, x1, fx = axis_coords(int(size[1]), w)
    fx = fx[None, :, None]
    top = x[0][y0][:, x0] * (1 - fx) + x[0][y0][:, x1] * fx
    bot = x[0][y1][:, x0] * (1 - fx) + x[0][y1][:, x1] * fx
    return (top * (1 - fy[:, None, None]) + bot * fy[:, None, None])[None]


def run(tensors, ops, inputs, outputs, x):
    val = {inputs[0]: x}

    def get(i):
        return val[i] if i in val else tensors[i]["const"]

    for op in ops:
        c, ins, opt = op["code"], op["in"], op["opt"]
        if c in (3, 4):  # CONV_2D, DEPTHWISE_CONV_2D
            b = get(ins[2]) if len(ins) > 2 and ins[2] >= 0 else None
            y = conv2d(get(ins[0]), get(ins[1]), b, opt, c == 4)
        elif c == 0:  # ADD
            y = act(get(ins[0]) + get(ins[1]), opt.scalar(0, "b"))
        elif c == 34:  # PAD
            y = np.pad(get(ins[0]), get(ins[1]).astype(int), constant_values=0.0)
        elif c == 23:  # RESIZE_BILINEAR
            y = resize_bilinear(get(ins[0]), get(ins[1]), opt)
        elif c == 22:  # RESHAPE
            y = get(ins[0]).reshape(tensors[op["out"][0]]["shape"])
        elif c == 5:  # DEPTH_TO_SPACE
            bs, v = opt.scalar(0, "i"), get(ins[0])
            n, h, w, ch = v.shape
            y = v.reshape(n, h, w, bs, bs, ch // (bs * bs)).transpose(0, 1, 3, 2, 4, 5)
            y = y.reshape(n, h * bs, w * bs, ch // (bs * bs))
        elif c == 2:  # CONCATENATION
            y = act(np.concatenate([get(i) for i in ins], axis=opt.scalar(0, "i")), opt.scalar(1, "b"))
        elif c == 17:  # MAX_POOL_2D
            y = max_pool(get(ins[0]), opt)
        elif c == 14:  # LOGISTIC
            y = 1.0 / (1.0 + np.exp(-get(ins[0])))
        elif c in (6, 124):  # DEQUANTIZE, DENSIFY: constants already float
            y = get(ins[0]).astype(np.float32)
        else:
            raise ValueError("op %d not in the reference" % c)
        val[op["out"][0]] = np.asarray(y, np.float32)
    return [val[o] for o in outputs]


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    net_run, model, work = sys.argv[1:]
    if not os.path.exists(model):
        print("SKIP: %s is absent (models/fetch.sh fetches it)" % model)
        return 77
    os.makedirs(work, exist_ok=True)
    # FC_NET_THREADS: the net's threads (default 1); 2 runs the layers' split paths.
    subprocess.run([net_run, model, work, os.environ.get("FC_NET_THREADS", "1")], check=True)
    tensors, ops, inputs, outputs = load(model)
    shape = tensors[inputs[0]]["shape"]
    x = np.fromfile(os.path.join(work, "input.f32"), np.float32).reshape(shape)
    t0 = time.time()
    refs = run(tensors, ops, inputs, outputs, x)
    print("%s: reference computed in %.1f s" % (os.path.basename(model), time.time() - t0))
    listed = [line.split() for line in open(os.path.join(work, "outputs.txt"))]
    ok = len(listed) == len(outputs)
    if not ok:
        print("FAIL: net gave %d outputs, the model has %d" % (len(listed), len(outputs)))
    for (i, name, count), o, ref in zip(listed, outputs, refs):
        got = np.fromfile(os.path.join(work, "out%s.f32" % i), np.float32)
        if name != tensors[o]["name"] or got.size != ref.size or int(count) != ref.size:
            print("FAIL: output %s: '%s' with %d values, expected '%s' with %d" %
                  (i, name, got.size, tensors[o]["name"], ref.size))
            ok = False
            continue
        ref = ref.ravel()
        err = np.abs(got - ref)
        scale = max(1.0, float(np.abs(ref).max()))
        rel = float(err.max()) / scale
        # float32 through ~100-300 layers with OpenCV's own summation order
        # (and Winograd 3x3): errors of 1e-5..1e-4 of the output range are normal.
        good = rel < 2e-3 and np.isfinite(got).all()
        print("%s %-10s n=%-7d max|ref|=%9.4f max abs err=%.3g mean abs err=%.3g rel=%.3g" %
              ("ok  " if good else "FAIL", name, ref.size, float(np.abs(ref).max()), float(err.max()),
               float(err.mean()), rel))
        ok = ok and good
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

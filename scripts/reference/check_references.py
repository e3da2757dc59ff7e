#!/usr/bin/python3
"""Independent check of the reference files: no PyTorch, only numpy in float64.

    /usr/bin/python3 scripts/reference/check_references.py [case ...]

For every tests/src/test/resources/reference/<case>/reference.safetensors it

  * parses the file with its own reader (header, offsets, shapes);
  * re-implements the forward pass from the layer list in the file's metadata, following the semantics written in
    README.md (not PyTorch's code), and compares act.*, output, loss and after.* (running statistics);
  * checks grad.input and grad.<param> against central finite differences of that forward pass (every coordinate
    of small tensors, a fixed sample of large ones);
  * checks sgd.* = p - lr * grad (first momentum-SGD step) and sgd2.* = sgd - lr * (momentum * grad + g2) with g2
    taken by finite differences at the sgd.* values.

It exists to catch a reference generator that silently does something other than the documented semantics.
"""

import json
import math
import os
import struct
import sys

import numpy as np

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
RES_DIR = os.path.join(REPO, "tests", "src", "test", "resources", "reference")
LR, MOMENTUM = 0.1, 0.9
SAMPLE = 24  # finite-difference coordinates per tensor when it is larger than this


def read(path):
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    meta = header.pop("__metadata__")
    data = blob[8 + n:]
    out = {}
    for name, e in header.items():
        b, end = e["data_offsets"]
        dt = {"F32": "<f4", "I64": "<i8"}[e["dtype"]]
        out[name] = np.frombuffer(data[b:end], dtype=dt).reshape(e["shape"]).copy()
    return meta, out


def pair(v):
    if isinstance(v, list):
        return (v[0], v[0]) if len(v) == 1 else (v[0], v[1])
    return (v, v)


def out_size(size, k, s, p, rounding):
    """Output size and the padding rows/columns (before, after) as the DSL defines them."""
    if p == "SAME":
        out = -(-size // s)
        total = max((out - 1) * s + k - size, 0)
        return out, total // 2, total - total // 2
    num = size + 2 * p - k
    if rounding == "CEIL" and num % s:
        out = -(-num // s) + 1
        if (out - 1) * s >= size + p:  # the last window must start inside the input or the left padding
            out -= 1
        return out, p, p
    return num // s + 1, p, p


def activate(x, act, slope):
    if act in (None, "NONE"):
        return x
    if act == "RELU":
        return np.where(x > 0, x, 0.0)
    if act == "LEAKY_RELU":
        return np.where(x > 0, x, slope * x)
    if act == "SIGMOID":
        return 1.0 / (1.0 + np.exp(-x))
    if act == "TANH":
        return np.tanh(x)
    if act == "SOFTMAX":
        e = np.exp(x - x.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    raise ValueError(act)


def conv(x, w, b, a):
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    sh, sw = pair(a.get("stride", 1))
    dh, dw = pair(a.get("dilation", 1))
    groups = a.get("groups", 1)
    p = a.get("padding", 0)
    ph, pw = ("SAME", "SAME") if p == "SAME" else pair(p)
    oh, pt, pb = out_size(h, dh * (kh - 1) + 1, sh, ph, "STRICT")
    ow, pl, pr = out_size(wd, dw * (kw - 1) + 1, sw, pw, "STRICT")
    xp = np.zeros((n, c, h + pt + pb, wd + pl + pr))
    xp[:, :, pt:pt + h, pl:pl + wd] = x
    y = np.zeros((n, o, oh, ow))
    og = o // groups
    for g in range(groups):
        xs = xp[:, g * cg:(g + 1) * cg]
        for i in range(kh):
            for j in range(kw):
                patch = xs[:, :, i * dh: i * dh + sh * (oh - 1) + 1: sh, j * dw: j * dw + sw * (ow - 1) + 1: sw]
                y[:, g * og:(g + 1) * og] += np.einsum("nchw,oc->nohw", patch, w[g * og:(g + 1) * og, :, i, j])
    if b is not None:
        y += b[None, :, None, None]
    return y


def pool(x, a, is_max, rounding):
    n, c, h, w = x.shape
    kh, kw = pair(a["window"])
    sh, sw = pair(a.get("stride", a["window"]))
    ph, pw = pair(a.get("padding", 0))
    count_pad = a.get("countPadding", True)
    oh, _, _ = out_size(h, kh, sh, ph, rounding)
    ow, _, _ = out_size(w, kw, sw, pw, rounding)
    y = np.zeros((n, c, oh, ow))
    for i in range(oh):
        r0 = i * sh - ph
        for j in range(ow):
            c0 = j * sw - pw
            rows = [r for r in range(r0, r0 + kh) if 0 <= r < h]
            cols = [q for q in range(c0, c0 + kw) if 0 <= q < w]
            cell = x[:, :, rows][:, :, :, cols]
            if is_max:
                y[:, :, i, j] = cell.max(axis=(2, 3))
            else:
                if count_pad:  # padded cells count, the cells CEIL adds beyond the padding do not
                    div = (min(r0 + kh, h + ph) - r0) * (min(c0 + kw, w + pw) - c0)
                else:
                    div = len(rows) * len(cols)
                y[:, :, i, j] = cell.sum(axis=(2, 3)) / div
    return y


def forward(layers, rounding_default, params, x, acts=None, stats=None, training=True):
    """acts gets every layer's output; stats gets the running statistics after the forward (training mode)."""
    for name, kind, a in layers:
        rounding = a.get("rounding", "INHERIT")
        rounding = rounding_default if rounding == "INHERIT" else rounding
        if kind == "Conv":
            x = activate(conv(x, params[name + ".weight"], params.get(name + ".bias"), a),
                         a.get("activation"), a.get("slope", 0.01))
        elif kind in ("MaxPool", "AvgPool"):
            x = pool(x, a, kind == "MaxPool", rounding)
        elif kind == "GlobalAvgPool":
            x = x.mean(axis=(2, 3), keepdims=True)
        elif kind == "Flatten":
            x = x.reshape(x.shape[0], -1)
        elif kind == "Dense":
            x = x.reshape(x.shape[0], -1) @ params[name + ".weight"].T
            if name + ".bias" in params:
                x = x + params[name + ".bias"]
            x = activate(x, a.get("activation"), a.get("slope", 0.01))
        elif kind == "BatchNorm":
            axes = (0, 2, 3) if x.ndim == 4 else (0,)
            shape = (1, -1, 1, 1) if x.ndim == 4 else (1, -1)
            m = x.size // x.shape[1]
            mean = x.mean(axis=axes)
            var = ((x - mean.reshape(shape)) ** 2).mean(axis=axes)  # biased: normalisation
            if not training:  # inference: the running statistics, no update
                mean, var = params[name + ".running_mean"], params[name + ".running_var"]
            eps = a.get("epsilon", 1e-5)
            mom = a.get("momentum", 0.1)
            x = ((x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps) * params[name + ".weight"].reshape(shape)
                 + params[name + ".bias"].reshape(shape))
            if stats is not None and training:  # unbiased variance for the running estimate
                stats[name + ".running_mean"] = (1 - mom) * params[name + ".running_mean"] + mom * mean
                stats[name + ".running_var"] = (1 - mom) * params[name + ".running_var"] + mom * var * m / (m - 1)
        else:
            act = {"ReLU": "RELU", "LeakyReLU": "LEAKY_RELU", "Sigmoid": "SIGMOID", "Tanh": "TANH",
                   "Softmax": "SOFTMAX"}[kind]
            x = activate(x, act, a.get("slope", 0.01))
        if acts is not None:
            acts[name] = x
    return x


def loss_of(loss, out, y):
    if loss == "SOFTMAX_CROSS_ENTROPY":
        z = out - out.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return -logp[np.arange(len(y)), y].mean()
    return ((out - y) ** 2).mean()


def close(name, got, want, rtol, atol, failures):
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    if got.shape != want.shape:
        failures.append("{}: shape {} != {}".format(name, got.shape, want.shape))
        return 0.0
    err = np.abs(got - want)
    tol = atol + rtol * np.abs(want)
    if not np.all(err <= tol):
        k = int(np.argmax(err - tol))
        failures.append("{}: max error {:.3g} at {} (got {:.9g}, want {:.9g})".format(
            name, err.max(), np.unravel_index(k, err.shape), got.reshape(-1)[k], want.reshape(-1)[k]))
    return float(err.max()) if err.size else 0.0


def fd_grads(f, tensors, names, rng, eps):
    """Central differences of f() with respect to sampled coordinates of tensors[name] (changed in place)."""
    out = {}
    for name in names:
        t = tensors[name]
        flat = t.reshape(-1)
        idx = np.arange(flat.size) if flat.size <= SAMPLE else rng.choice(flat.size, SAMPLE, replace=False)
        g = []
        for i in idx:
            old = flat[i]
            flat[i] = old + eps
            up = f()
            flat[i] = old - eps
            down = f()
            flat[i] = old
            g.append((up - down) / (2 * eps))
        out[name] = (idx, np.array(g))
    return out


def check(case):
    meta, t = read(os.path.join(RES_DIR, case, "reference.safetensors"))
    layers = json.loads(meta["layers"])
    loss_kind = meta["loss"]
    t64 = {k: (v.astype(np.float64) if v.dtype == np.float32 else v) for k, v in t.items()}
    params = {k: v.copy() for k, v in t64.items() if "." in k and k.split(".")[0] not in
              ("grad", "sgd", "sgd2", "after", "act", "eval")}
    trainable = sorted(k[len("grad."):] for k in t if k.startswith("grad.") and k != "grad.input")
    y = t64["labels"] if "labels" in t64 else t64["target"]
    x = t64["input"].copy()
    failures = []
    errs = {}

    acts, stats = {}, {}
    out = forward(layers, "STRICT", params, x, acts, stats)
    errs["output"] = close("output", t["output"], out, 1e-5, 1e-6, failures)
    for name in acts:
        errs["act." + name] = close("act." + name, t["act." + name], acts[name], 1e-5, 1e-6, failures)
    if "eval.output" in t:
        errs["eval.output"] = close("eval.output", t["eval.output"],
                                    forward(layers, "STRICT", params, x, training=False), 1e-5, 1e-6, failures)
    errs["loss"] = close("loss", t["loss"], [loss_of(loss_kind, out, y)], 1e-5, 1e-7, failures)
    for k, v in stats.items():
        errs["after." + k] = close("after." + k, t["after." + k], v, 1e-5, 1e-6, failures)

    rng = np.random.default_rng(12345)
    eps = 1e-6
    holder = dict(params)
    holder["input"] = x

    def f():
        return loss_of(loss_kind, forward(layers, "STRICT", holder, holder["input"]), y)

    for name, (idx, g) in fd_grads(f, holder, ["input"] + trainable, rng, eps).items():
        stored = t64["grad." + name].reshape(-1)[idx]
        errs["grad." + name] = close("grad." + name + " vs finite differences", stored, g, 1e-3, 1e-6, failures)

    if trainable:
        for k in trainable:
            errs["sgd." + k] = close("sgd." + k, t["sgd." + k], t64[k] - LR * t64["grad." + k], 1e-6, 1e-7, failures)
        after1 = dict(params)
        for k in trainable:
            after1[k] = t64["sgd." + k].copy()
        after1["input"] = x

        def f2():
            return loss_of(loss_kind, forward(layers, "STRICT", after1, x), y)

        errs["loss2"] = close("loss2", t["loss2"], [f2()], 1e-5, 1e-7, failures)
        for name, (idx, g2) in fd_grads(f2, after1, trainable, rng, eps).items():
            g1 = t64["grad." + name].reshape(-1)[idx]
            want = t64["sgd." + name].reshape(-1)[idx] - LR * (MOMENTUM * g1 + g2)
            errs["sgd2." + name] = close("sgd2." + name + " vs finite differences", t64["sgd2." + name].reshape(-1)[idx],
                                         want, 1e-5, 1e-6, failures)
    return failures, errs


def main():
    cases = sys.argv[1:] or sorted(os.listdir(RES_DIR))
    bad = 0
    for case in cases:
        failures, errs = check(case)
        worst = max(errs.items(), key=lambda kv: kv[1])
        print("{:28s} {} ({} checks, largest absolute difference {:.2g} in {})".format(
            case, "ok" if not failures else "FAILED", len(errs), worst[1], worst[0]))
        for f in failures:
            print("    " + f)
        bad += bool(failures)
    print("{} of {} cases agree with the independent numpy implementation".format(len(cases) - bad, len(cases)))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()

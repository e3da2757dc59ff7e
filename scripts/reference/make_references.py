#!/usr/bin/python3
"""PyTorch reference values for Strider's generated engines.

Run from the repository root with Debian's PyTorch interpreter:

    /usr/bin/python3 scripts/reference/make_references.py

For every case below it writes

    tests/src/test/resources/reference/<case>/reference.safetensors
    tests/src/test/java/dev/strider/tests/reference/nets/<JavaClass>.java

The Java class is the Strider DSL declaration of the same network; both come from the one layer list of the case,
so they cannot drift apart (edit the case here and re-run rather than editing the Java file). The output is
deterministic (fixed seeds, one thread, float32); see README.md next to this script for the format and the exact
semantics.

Options: --check-only   read back the existing files and compare them with a fresh computation, write nothing.
"""

import argparse
import copy
import json
import math
import os
import struct
import sys
import zlib

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
RES_DIR = os.path.join(REPO, "tests", "src", "test", "resources", "reference")
JAVA_DIR = os.path.join(REPO, "tests", "src", "test", "java", "dev", "strider", "tests", "reference", "nets")
JAVA_PACKAGE = "dev.strider.tests.reference.nets"
FORMAT = "strider-reference-v1"

LR, MOMENTUM = 0.1, 0.9
SAME = "SAME"

CE = "SOFTMAX_CROSS_ENTROPY"
MSE = "MEAN_SQUARED_ERROR"


# ---------------------------------------------------------------------------------------------------------------
# Cases. A layer is (name, Kind, {attributes exactly as in the DSL annotation, only the non-default ones}).
# ---------------------------------------------------------------------------------------------------------------

def L(name, kind, **attrs):
    """attrs as in the DSL annotation; from_=[...] is the layer's @From (the layers it takes, "input" included)."""
    if "from_" in attrs:
        attrs["from"] = list(attrs.pop("from_"))
    return (name, kind, attrs)


class Case:
    def __init__(self, name, java, doc, input_chw, loss, layers, batch=3, init="custom", expect_params=None,
                 relu_margin=1e-3, pool_margin=1e-3, extra=False, scale=1.0):
        self.name = name
        self.scale = scale  # multiplies the std of the custom initial weights
        self.java = java
        self.doc = doc
        self.input_chw = input_chw
        self.loss = loss
        self.layers = layers
        self.batch = batch
        self.init = init
        self.expect_params = expect_params
        self.relu_margin = relu_margin
        self.pool_margin = pool_margin
        self.extra = extra
        self.seed = zlib.crc32(name.encode("utf-8")) % 100_000


CASES = [
    Case("l2pool", "L2PoolNet",
         "L2 pooling (PyTorch's LPPool2d with norm 2): window 2 on a convolution's 6x6 output (-> 3x3), then window "
         "{3, 2} with stride 1 (-> 1x2); MSE.",
         (2, 6, 6), MSE, [L("conv", "Conv", filters=3, kernel=3, padding=1),
                          L("pool1", "L2Pool", window=2),
                          L("pool2", "L2Pool", window=[3, 2], stride=1)]),
    Case("resample", "ResampleNet",
         "Parameter-free resampling after a 1x1 convolution: channel shuffle in 2 groups, bilinear upsampling x2 "
         "(half-pixel centres, 3x3 -> 6x6), adaptive average pooling to 4x3 (overlapping bins for 6 -> 4), nearest "
         "upsampling by {1, 2} (-> 4x6); MSE.",
         (4, 3, 3), MSE, [L("mix", "Conv", filters=4, kernel=1),
                          L("shuffle", "ChannelShuffle", groups=2),
                          L("up", "Upsample", scale=2, mode="BILINEAR"),
                          L("pool", "AdaptiveAvgPool", size=[4, 3]),
                          L("widen", "Upsample", scale=[1, 2])]),
    Case("conv_transpose", "ConvTransposeNet",
         "Transposed convolutions: kernel 3, stride 2, padding 1, output padding 1 in 2 groups (3x3 -> 6x6) with a "
         "fused tanh, then kernel {2,3}, stride {1,2}, dilation 2, no bias (6x6 -> 8x15); MSE.",
         (4, 3, 3), MSE, [L("up1", "ConvTranspose", filters=4, kernel=3, stride=2, padding=1, outputPadding=1, groups=2,
                            activation="TANH"),
                          L("up2", "ConvTranspose", filters=3, kernel=[2, 3], stride=[1, 2], dilation=2, bias=False)]),
    Case("lrn", "LrnNet",
         "Local response normalization as AlexNet uses it, with a large alpha so that it matters: size 3 across the 6 "
         "channels of a convolution's output (k 2, alpha 1, beta 0.75), then size 4 (even: one channel more before "
         "than after) across the 5 units of a dense layer (k 1, alpha 0.5, beta 0.6); MSE.",
         (3, 4, 4), MSE, [L("conv", "Conv", filters=6, kernel=3, padding=1),
                          L("norm1", "LRN", size=3, alpha=1.0, beta=0.75, k=2.0),
                          L("fc", "Dense", units=5),
                          L("norm2", "LRN", size=4, alpha=0.5, beta=0.6)]),
    Case("relu6", "Relu6Net",
         "ReLU6 fused into a convolution (weights scaled up so that some outputs pass 6), a standalone ReLU6 after a "
         "dense layer, and an identity; MSE.",
         (2, 5, 5), MSE, scale=4.0, layers=[L("conv", "Conv", filters=3, kernel=3, activation="RELU6"),
                          L("same", "Identity"),
                          L("fc", "Dense", units=6),
                          L("clip", "ReLU6")]),
    Case("residual", "Residual",
         "A residual block: c1 feeds both c2 and the sum (so its gradient is the sum of two), c3's output plus c1's "
         "through a fused ReLU, then global average pooling and 3 logits; softmax cross-entropy.",
         (2, 6, 6), CE, [L("c1", "Conv", filters=4, kernel=3, padding=1, activation="RELU"),
                         L("c2", "Conv", filters=4, kernel=3, padding=1, activation="RELU"),
                         L("c3", "Conv", filters=4, kernel=3, padding=1),
                         L("sum", "Add", activation="RELU", from_=["c3", "c1"]),
                         L("gap", "GlobalAvgPool"),
                         L("fc", "Dense", units=3)]),
    Case("branches", "Branches",
         "Inception-like branches: the input feeds a 1x1 convolution, a 3x3 convolution and a max pooling (so the "
         "input gradient sums three), joined on channels (2 + 3 + 2 = 7), then a 1x1 convolution on a shortcut "
         "added to a dense path, and 4 logits; MSE.",
         (2, 5, 5), MSE, [L("b1", "Conv", filters=2, kernel=1, activation="RELU", from_=["input"]),
                          L("b2", "Conv", filters=3, kernel=3, padding=1, activation="TANH", from_=["input"]),
                          L("b3", "MaxPool", window=3, stride=1, padding=1, from_=["input"]),
                          L("cat", "Concat", from_=["b1", "b2", "b3"]),
                          L("fc1", "Dense", units=4, activation="SIGMOID"),
                          L("fc2", "Dense", units=4, from_=["cat"]),
                          L("both", "Add", from_=["fc1", "fc2", "fc1"])]),
    Case("conv_basic", "ConvBasic", "A 3x3 convolution with bias, 3 -> 4 channels on a 7x7 input; MSE on its output.",
         (3, 7, 7), MSE, [L("conv", "Conv", filters=4, kernel=3)]),
    Case("conv_stride_pad", "ConvStridePad",
         "A non-square convolution: kernel {3,2}, stride {2,1}, padding {1,0} on a 7x6 input; MSE on its output.",
         (2, 7, 6), MSE, [L("conv", "Conv", filters=3, kernel=[3, 2], stride=[2, 1], padding=[1, 0])]),
    Case("conv_dilation", "ConvDilation", "A 3x3 convolution with dilation 2 and padding 2 (size kept); MSE.",
         (2, 7, 7), MSE, [L("conv", "Conv", filters=3, kernel=3, padding=2, dilation=2)]),
    Case("conv_groups", "ConvGroups",
         "A grouped convolution, 4 -> 6 channels in 2 groups (weight [6, 2, 3, 3]), padding 1; MSE.",
         (4, 5, 5), MSE, [L("conv", "Conv", filters=6, kernel=3, padding=1, groups=2)]),
    Case("conv_same", "ConvSame",
         "padding = SAME with stride 2 on 7x7 (-> 4x4) and kernel {4,2}: height padded 1 top / 2 bottom, "
         "width 0 left / 1 right (the extra row/column goes bottom/right); MSE.",
         (2, 7, 7), MSE, [L("conv", "Conv", filters=3, kernel=[4, 2], stride=2, padding=SAME)]),
    Case("conv_no_bias_relu", "ConvNoBiasRelu", "A convolution without bias and with a fused ReLU; MSE.",
         (2, 6, 6), MSE, [L("conv", "Conv", filters=3, kernel=3, bias=False, activation="RELU")]),
    Case("maxpool", "MaxPoolNet",
         "Convolution, then max pooling window 3 stride 2 padding 1 on the 7x7 map (-> 4x4), then a dense layer "
         "giving 5 logits; softmax cross-entropy.",
         (2, 7, 7), CE, [L("conv", "Conv", filters=3, kernel=3, padding=1),
                         L("pool", "MaxPool", window=3, stride=2, padding=1),
                         L("fc", "Dense", units=5)]),
    Case("maxpool_ceil", "MaxPoolCeil",
         "Max pooling window 2 with rounding = CEIL on 5x5 (-> 3x3; the last window sees one row/column); MSE.",
         (2, 5, 5), MSE, [L("pool", "MaxPool", window=2, rounding="CEIL")]),
    Case("avgpool_pad", "AvgPoolPad",
         "Average pooling window 3 stride 2 padding 1 on 7x7 (-> 4x4), padded zeros counted in the divisor "
         "(always 9); MSE.",
         (2, 7, 7), MSE, [L("pool", "AvgPool", window=3, stride=2, padding=1)]),
    Case("avgpool_nopad_count", "AvgPoolNoPadCount",
         "As avgpool_pad but countPadding = false: border windows divide by the number of real cells (4 or 6); MSE.",
         (2, 7, 7), MSE, [L("pool", "AvgPool", window=3, stride=2, padding=1, countPadding=False)]),
    Case("global_avgpool", "GlobalAvgPoolNet",
         "Global average pooling of a 3x5x4 input (-> [3,1,1]), then a dense layer giving 4 logits; softmax "
         "cross-entropy.",
         (3, 5, 4), CE, [L("gap", "GlobalAvgPool"), L("fc", "Dense", units=4)]),
    Case("dense_spatial", "DenseSpatial",
         "A dense layer directly on a [2,3,3] input (flattened C-major), giving 5 logits; softmax cross-entropy.",
         (2, 3, 3), CE, [L("fc", "Dense", units=5)]),
    Case("leaky_relu", "LeakyReluNet", "A standalone LeakyReLU layer, slope 0.1; MSE.",
         (2, 3, 4), MSE, [L("leaky", "LeakyReLU", slope=0.1)]),
    Case("sigmoid", "SigmoidNet", "A standalone Sigmoid layer; MSE.", (2, 3, 4), MSE, [L("sigmoid", "Sigmoid")]),
    Case("tanh", "TanhNet", "A standalone Tanh layer; MSE.", (2, 3, 4), MSE, [L("tanh", "Tanh")]),
    Case("relu", "ReluNet", "A standalone ReLU layer; MSE.", (2, 3, 4), MSE, [L("relu", "ReLU")]),
    Case("softmax_mse", "SoftmaxMse",
         "A standalone Softmax (over the 4 channels, at each of the 2x3 positions) as the last layer, trained with "
         "MSE against a target that is itself a softmax.",
         (4, 2, 3), MSE, [L("softmax", "Softmax")]),
    Case("batchnorm2d", "BatchNorm2d",
         "Convolution then batch normalization per channel (PyTorch BatchNorm2d, training mode: batch statistics "
         "over N*H*W = 27 values per channel); MSE.",
         (3, 5, 5), MSE, [L("conv", "Conv", filters=4, kernel=3), L("bn", "BatchNorm")]),
    Case("batchnorm1d", "BatchNorm1d",
         "Dense layer then batch normalization per unit (PyTorch BatchNorm1d, training mode, statistics over the "
         "batch of 3) with epsilon 1e-3 and momentum 0.2; MSE.",
         (2, 3, 3), MSE, [L("fc", "Dense", units=6), L("bn", "BatchNorm", epsilon=1e-3, momentum=0.2)]),
    Case("mse_dense", "MseDense", "A dense layer (12 -> 5) trained with MSE.", (3, 2, 2), MSE,
         [L("fc", "Dense", units=5)]),
    Case("lenet5", "LeNet5",
         "LeNet-5 exactly as generated-samples' LeNet5 (1x28x28, 61,706 parameters), PyTorch default "
         "initialisation, batch of 4; softmax cross-entropy.",
         (1, 28, 28), CE, [L("c1", "Conv", filters=6, kernel=5, padding=2, activation="RELU"),
                           L("s2", "MaxPool", window=2),
                           L("c3", "Conv", filters=16, kernel=5, activation="RELU"),
                           L("s4", "MaxPool", window=2),
                           L("f5", "Dense", units=120, activation="RELU"),
                           L("f6", "Dense", units=84, activation="RELU"),
                           L("output", "Dense", units=10)],
         batch=4, init="default", expect_params=61_706, relu_margin=1e-5, pool_margin=1e-5),
    # ---- extras beyond the first list: semantics the cases above leave untested
    Case("avgpool_ceil", "AvgPoolCeil",
         "Average pooling window 3 stride 2 padding 1 with rounding = CEIL on 6x6 (-> 4x4), countPadding true. "
         "PyTorch's divisor counts the explicit padding but not the extra cells CEIL adds beyond it: the last "
         "row/column of windows divides by 2 (not 3) in that dimension; MSE.",
         (2, 6, 6), MSE, [L("pool", "AvgPool", window=3, stride=2, padding=1, rounding="CEIL")], extra=True),
    Case("conv_fused_leaky_relu", "ConvFusedLeakyRelu", "A convolution with a fused LeakyReLU, slope 0.2; MSE.",
         (2, 5, 5), MSE, [L("conv", "Conv", filters=3, kernel=3, padding=1, activation="LEAKY_RELU", slope=0.2)],
         extra=True),
    Case("dense_fused_tanh_sigmoid", "DenseFusedTanhSigmoid",
         "An explicit Flatten, a dense layer with fused Tanh, a dense layer with fused Sigmoid; MSE.",
         (2, 2, 2), MSE, [L("flat", "Flatten"), L("fc1", "Dense", units=6, activation="TANH"),
                          L("fc2", "Dense", units=4, activation="SIGMOID")], extra=True),
    Case("dense_fused_softmax_mse", "DenseFusedSoftmaxMse",
         "A dense layer with a fused Softmax activation trained with MSE against a softmax target.",
         (2, 2, 2), MSE, [L("fc", "Dense", units=4, activation="SOFTMAX")], extra=True),
]

DEFAULTS = {
    "Conv": dict(stride=1, padding=0, dilation=1, groups=1, bias=True, activation="NONE", slope=0.01,
                 rounding="INHERIT"),
    "MaxPool": dict(stride=None, padding=0, rounding="INHERIT"),
    "AvgPool": dict(stride=None, padding=0, countPadding=True, rounding="INHERIT"),
    "Dense": dict(bias=True, activation="NONE", slope=0.01),
    "BatchNorm": dict(epsilon=1e-5, momentum=0.1),
    "LeakyReLU": dict(slope=0.01),
    "Add": dict(activation="NONE", slope=0.01),
    "LRN": dict(alpha=1e-4, beta=0.75, k=1.0),
    "Upsample": dict(mode="NEAREST"),
    "L2Pool": dict(stride=None, padding=0, rounding="INHERIT"),
    "ConvTranspose": dict(stride=1, padding=0, outputPadding=0, dilation=1, groups=1, bias=True, activation="NONE", slope=0.01),
}


def full_attrs(kind, attrs):
    a = dict(DEFAULTS.get(kind, {}))
    a.update(attrs)
    return a


def pair(v):
    if isinstance(v, (list, tuple)):
        return (v[0], v[0]) if len(v) == 1 else (v[0], v[1])
    return (v, v)


# ---------------------------------------------------------------------------------------------------------------
# Geometry (as Strider's SpatialFilter computes it) and the PyTorch network.
# ---------------------------------------------------------------------------------------------------------------

def dim_geometry(size, k, s, p, d, rounding):
    """(out, pad_before, pad_after) for one dimension; p is an int or SAME."""
    eff = d * (k - 1) + 1
    if p == SAME:
        out = -(-size // s)
        total = max((out - 1) * s + eff - size, 0)
        return out, total // 2, total - total // 2
    num = size + 2 * p - eff
    if num < 0:
        raise ValueError("kernel too large")
    if num % s == 0:
        return num // s + 1, p, p
    if rounding == "FLOOR":
        return num // s + 1, p, p
    if rounding == "CEIL":
        out = -(-num // s) + 1
        if (out - 1) * s >= size + p:
            out -= 1
        return out, p, max(p, (out - 1) * s + eff - size - p)
    raise ValueError("fractional output under STRICT rounding")


class Net(nn.Module):
    """The case's layers as PyTorch modules named like the DSL fields; forward implements Strider's semantics."""

    def __init__(self, case):
        super().__init__()
        self.case = case
        self.plan = []  # (name, kind, attrs, in_shape, out_shape, extra)
        shape = tuple(case.input_chw)  # (C, H, W) or (F,)
        shapes = {"input": shape}
        prev = "input"
        for name, kind, attrs in case.layers:
            a = full_attrs(kind, attrs)
            extra = {"from": a.get("from", [prev])}
            shape = shapes[extra["from"][0]]
            if kind == "Add":
                assert all(shapes[f] == shape for f in extra["from"]), (name, [shapes[f] for f in extra["from"]])
                out = shape
            elif kind == "Concat":
                ins = [shapes[f] for f in extra["from"]]
                if len(shape) == 3:
                    out = (sum(i[0] for i in ins), shape[1], shape[2])
                else:
                    out = (sum(i[0] for i in ins),)
            elif kind == "Conv":
                c, h, w = shape
                kh, kw = pair(a["kernel"])
                sh, sw = pair(a["stride"])
                dh, dw = pair(a["dilation"])
                rounding = a["rounding"] if a["rounding"] != "INHERIT" else "STRICT"
                if a["padding"] == SAME:
                    ph = pw = SAME
                else:
                    ph, pw = pair(a["padding"])
                oh, pht, phb = dim_geometry(h, kh, sh, ph, dh, rounding)
                ow, pwl, pwr = dim_geometry(w, kw, sw, pw, dw, rounding)
                extra["pad"] = (pwl, pwr, pht, phb)  # F.pad order: left, right, top, bottom
                self.add_module(name, nn.Conv2d(c, a["filters"], (kh, kw), stride=(sh, sw), padding=0,
                                                dilation=(dh, dw), groups=a["groups"], bias=a["bias"]))
                out = (a["filters"], oh, ow)
            elif kind in ("MaxPool", "AvgPool"):
                c, h, w = shape
                kh, kw = pair(a["window"])
                sh, sw = pair(a["stride"] if a["stride"] is not None else a["window"])
                if a["padding"] == SAME:
                    raise NotImplementedError("SAME pooling is not used by any case")
                ph, pw = pair(a["padding"])
                rounding = a["rounding"] if a["rounding"] != "INHERIT" else "STRICT"
                oh, _, _ = dim_geometry(h, kh, sh, ph, 1, rounding)
                ow, _, _ = dim_geometry(w, kw, sw, pw, 1, rounding)
                ceil = rounding == "CEIL"
                if kind == "MaxPool":
                    m = nn.MaxPool2d((kh, kw), stride=(sh, sw), padding=(ph, pw), ceil_mode=ceil)
                else:
                    m = nn.AvgPool2d((kh, kw), stride=(sh, sw), padding=(ph, pw), ceil_mode=ceil,
                                     count_include_pad=a["countPadding"])
                self.add_module(name, m)
                out = (c, oh, ow)
            elif kind == "GlobalAvgPool":
                out = (shape[0], 1, 1)
            elif kind == "Flatten":
                out = (int(np.prod(shape)),)
            elif kind == "Dense":
                fan_in = int(np.prod(shape))
                self.add_module(name, nn.Linear(fan_in, a["units"], bias=a["bias"]))
                out = (a["units"],)
            elif kind == "BatchNorm":
                if len(shape) == 3:
                    m = nn.BatchNorm2d(shape[0], eps=a["epsilon"], momentum=a["momentum"])
                else:
                    m = nn.BatchNorm1d(shape[0], eps=a["epsilon"], momentum=a["momentum"])
                self.add_module(name, m)
                out = shape
            elif kind in ("ReLU", "LeakyReLU", "Sigmoid", "Tanh", "Softmax", "ReLU6", "Identity"):
                out = shape
            elif kind == "ConvTranspose":
                c, h, w = shape
                kh, kw = pair(a["kernel"])
                sh, sw = pair(a["stride"])
                ph, pw = pair(a["padding"])
                oph, opw = pair(a["outputPadding"])
                dh, dw = pair(a["dilation"])
                self.add_module(name, nn.ConvTranspose2d(c, a["filters"], (kh, kw), stride=(sh, sw), padding=(ph, pw),
                                                         output_padding=(oph, opw), groups=a["groups"], bias=a["bias"],
                                                         dilation=(dh, dw)))
                out = (a["filters"], (h - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1,
                       (w - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1)
            elif kind == "Upsample":
                sh, sw = pair(a["scale"])
                out = (shape[0], shape[1] * sh, shape[2] * sw)
            elif kind == "L2Pool":
                kh, kw = pair(a["window"])
                sh, sw = pair(a["stride"] if a["stride"] is not None else a["window"])
                assert a["padding"] == 0, "LPPool2d has no padding"
                self.add_module(name, nn.LPPool2d(2, (kh, kw), stride=(sh, sw)))
                out = (shape[0], (shape[1] - kh) // sh + 1, (shape[2] - kw) // sw + 1)
            elif kind == "AdaptiveAvgPool":
                oh, ow = pair(a["size"])
                out = (shape[0], oh, ow)
            elif kind == "ChannelShuffle":
                out = shape
            elif kind == "LRN":
                self.add_module(name, nn.LocalResponseNorm(a["size"], alpha=a["alpha"], beta=a["beta"], k=a["k"]))
                out = shape
            else:
                raise ValueError(kind)
            self.plan.append((name, kind, a, shape, out, extra))
            shapes[name] = out
            prev = name
            shape = out
        self.output_shape = shape

    @staticmethod
    def activate(x, act, slope):
        if act == "NONE":
            return x
        if act == "RELU":
            return F.relu(x)
        if act == "LEAKY_RELU":
            return F.leaky_relu(x, slope)
        if act == "RELU6":
            return F.relu6(x)
        if act == "SIGMOID":
            return torch.sigmoid(x)
        if act == "TANH":
            return torch.tanh(x)
        if act == "SOFTMAX":
            return F.softmax(x, dim=1)
        raise ValueError(act)

    def forward(self, x, trace=None):
        """trace, if given, gets (name, kind, attrs, layer input, pre-activation, output) per layer."""
        outs = {"input": x}
        for name, kind, a, _, _, extra in self.plan:
            x = outs[extra["from"][0]]
            inp = x
            pre = None
            if kind == "Add":
                pre = outs[extra["from"][0]]
                for f in extra["from"][1:]:
                    pre = pre + outs[f]  # left to right, as the engines add
                x = self.activate(pre, a["activation"], a["slope"])
            elif kind == "Concat":
                x = torch.cat([outs[f] for f in extra["from"]], dim=1)
            elif kind == "Conv":
                pre = getattr(self, name)(F.pad(x, extra["pad"]))
                x = self.activate(pre, a["activation"], a["slope"])
            elif kind in ("MaxPool", "AvgPool"):
                x = getattr(self, name)(x)
            elif kind == "GlobalAvgPool":
                x = x.mean(dim=(2, 3), keepdim=True)
            elif kind == "Flatten":
                x = torch.flatten(x, 1)
            elif kind == "Dense":
                pre = getattr(self, name)(torch.flatten(x, 1))
                x = self.activate(pre, a["activation"], a["slope"])
            elif kind == "BatchNorm":
                x = getattr(self, name)(x)
            elif kind == "Identity":
                pass
            elif kind == "Upsample":
                sh, sw = pair(a["scale"])
                if a["mode"] == "BILINEAR":
                    x = F.interpolate(x, scale_factor=(sh, sw), mode="bilinear", align_corners=False)
                else:
                    x = F.interpolate(x, scale_factor=(sh, sw), mode="nearest")
            elif kind == "L2Pool":
                x = getattr(self, name)(x)
            elif kind == "AdaptiveAvgPool":
                x = F.adaptive_avg_pool2d(x, pair(a["size"]))
            elif kind == "ChannelShuffle":
                n, c, h, w = x.shape
                g = a["groups"]
                x = x.reshape(n, g, c // g, h, w).transpose(1, 2).reshape(n, c, h, w)
            elif kind == "ConvTranspose":
                pre = getattr(self, name)(x)
                x = self.activate(pre, a["activation"], a["slope"])
            elif kind == "LRN":
                x = getattr(self, name)(x if x.dim() > 2 else x.unsqueeze(-1)).reshape(x.shape)
            else:
                pre = x
                act = {"ReLU": "RELU", "LeakyReLU": "LEAKY_RELU", "Sigmoid": "SIGMOID", "Tanh": "TANH",
                       "Softmax": "SOFTMAX", "ReLU6": "RELU6"}[kind]
                x = self.activate(x, act, a.get("slope", 0.0))
            outs[name] = x
            if trace is not None:
                trace.append((name, kind, a, inp, pre, x))
        return x


def loss_of(case, out, y):
    if case.loss == CE:
        return F.cross_entropy(out, y)
    return F.mse_loss(out, y)


# ---------------------------------------------------------------------------------------------------------------
# Stability margins: how far the reference is from a point where a tiny float difference flips a branch.
# ---------------------------------------------------------------------------------------------------------------

def margins(net, x):
    """(min |pre-activation| over ReLU/LeakyReLU inputs, min top1 - top2 gap over max-pooling windows)."""
    trace = []
    with torch.no_grad():
        net(x, trace)
    relu = math.inf
    gap = math.inf
    prev_relu = False
    for name, kind, a, inp, pre, out in trace:
        act = a.get("activation", {"ReLU": "RELU", "LeakyReLU": "LEAKY_RELU", "ReLU6": "RELU6"}.get(kind, "NONE"))
        if act in ("RELU", "LEAKY_RELU", "RELU6") and pre is not None:
            relu = min(relu, pre.abs().min().item())
        if act == "RELU6" and pre is not None:
            relu = min(relu, (pre - 6).abs().min().item())  # the upper kink
        if kind == "MaxPool":
            kh, kw = pair(a["window"])
            sh, sw = pair(a["stride"] if a["stride"] is not None else a["window"])
            ph, pw = pair(a["padding"])
            n, c, h, w = inp.shape
            oh, ow = out.shape[2], out.shape[3]
            # pad with -inf: explicit padding, plus whatever CEIL's last window needs beyond it
            need_h = max((oh - 1) * sh + kh - h - ph, ph)
            need_w = max((ow - 1) * sw + kw - w - pw, pw)
            padded = F.pad(inp, (pw, need_w, ph, need_h), value=-math.inf)
            cols = F.unfold(padded.reshape(n * c, 1, padded.shape[2], padded.shape[3]), (kh, kw), stride=(sh, sw))
            assert cols.shape[2] == oh * ow, (name, cols.shape, oh, ow)
            top = cols.topk(2, dim=1).values
            t1, t2 = top[:, 0, :], top[:, 1, :]
            valid = torch.isfinite(t2)
            if prev_relu:
                valid &= t1 > 0  # an all-zero window after a ReLU: the gradient is 0 whichever zero wins
            if valid.any():
                gap = min(gap, (t1 - t2)[valid].min().item())
        if kind != "MaxPool":
            prev_relu = act == "RELU"
    return relu, gap


# ---------------------------------------------------------------------------------------------------------------
# One case: initial values, forward, backward, SGD steps.
# ---------------------------------------------------------------------------------------------------------------

def init_params(net, case):
    if case.init == "default":
        return
    with torch.no_grad():
        for name, kind, a, in_shape, _, _ in net.plan:
            m = getattr(net, name, None)
            if kind in ("Conv", "Dense", "ConvTranspose"):
                fan_in = m.weight[0].numel()
                std = min(0.5, 2.0 / math.sqrt(fan_in)) * case.scale
                m.weight.copy_(torch.randn(m.weight.shape) * std)
                if m.bias is not None:
                    m.bias.copy_(torch.rand(m.bias.shape) - 0.5)
            elif kind == "BatchNorm":
                m.weight.copy_(torch.rand(m.weight.shape) + 0.5)        # gamma in [0.5, 1.5)
                m.bias.copy_(torch.rand(m.bias.shape) - 0.5)            # beta in [-0.5, 0.5)
                m.running_mean.copy_(torch.randn(m.running_mean.shape) * 0.3)
                m.running_var.copy_(torch.rand(m.running_var.shape) + 0.5)  # in [0.5, 1.5)


def state(net):
    """Parameters and buffers under PyTorch state_dict names, without num_batches_tracked."""
    return {k: v.detach().clone() for k, v in net.state_dict().items() if not k.endswith("num_batches_tracked")}


def buffer_names(net):
    return [k for k, _ in net.named_buffers() if not k.endswith("num_batches_tracked")]


def draw(case):
    """Deterministic initial network, input and labels/target for one attempt; returns (net, x, y, attempt)."""
    c, h, w = case.input_chw
    for attempt in range(200):
        torch.manual_seed(case.seed + 1000 * attempt)
        net = Net(case)
        init_params(net, case)
        x = torch.randn(case.batch, c, h, w)
        if case.loss == CE:
            y = torch.randint(0, net.output_shape[0], (case.batch,), dtype=torch.int64)
        else:
            y = torch.randn((case.batch,) + tuple(net.output_shape))
            if any(a.get("activation") == "SOFTMAX" or k == "Softmax" for _, k, a in case.layers[-1:]):
                y = F.softmax(y, dim=1)  # a target the softmax can reach
        net.train()
        relu, gap = margins(copy.deepcopy(net), x)
        if relu >= case.relu_margin and gap >= case.pool_margin:
            return net, x, y, attempt, relu, gap
    raise RuntimeError(case.name + ": no draw met the stability margins")


def run(case, net, x, y, dtype):
    """Everything recorded for one case, computed in dtype (the net and x are copied, not changed)."""
    net = copy.deepcopy(net).to(dtype)
    x = x.detach().clone().to(dtype).requires_grad_(True)
    if y.is_floating_point():
        y = y.to(dtype)
    net.train()
    t = {}
    initial = {k: v.clone() for k, v in net.state_dict().items()}
    for k, v in state(net).items():
        t[k] = v
    t["input"] = x.detach().clone()
    t["labels" if case.loss == CE else "target"] = y.clone()
    has_params = any(True for _ in net.parameters())
    opt = torch.optim.SGD(net.parameters(), lr=LR, momentum=MOMENTUM, dampening=0, nesterov=False,
                          weight_decay=0) if has_params else None
    trace = []
    out = net(x, trace)
    loss = loss_of(case, out, y)
    loss.backward()
    t["output"] = out.detach().clone()
    if buffer_names(net):
        # inference mode (running statistics instead of batch statistics) at the initial values in this file
        frozen = copy.deepcopy(net)
        frozen.load_state_dict(initial, strict=False)
        frozen.eval()
        with torch.no_grad():
            t["eval.output"] = frozen(x.detach()).clone()
    t["loss"] = loss.detach().reshape(1).clone()
    t["grad.input"] = x.grad.detach().clone()
    for name, _, _, _, _, o in trace:
        t["act." + name] = o.detach().clone()
    for k, p in net.named_parameters():
        t["grad." + k] = p.grad.detach().clone()
    after = state(net)
    for k in buffer_names(net):
        t["after." + k] = after[k]
    if not has_params:
        return t, net
    opt.step()
    for k, p in net.named_parameters():
        t["sgd." + k] = p.detach().clone()
    # A second step (same input and labels/target, forward at the sgd.* values) makes the momentum visible.
    opt.zero_grad()
    loss2 = loss_of(case, net(x.detach()), y)
    loss2.backward()
    opt.step()
    t["loss2"] = loss2.detach().reshape(1).clone()
    for k, p in net.named_parameters():
        t["sgd2." + k] = p.detach().clone()
    return t, net


# ---------------------------------------------------------------------------------------------------------------
# safetensors writer and an independent reader.
# ---------------------------------------------------------------------------------------------------------------

def to_bytes(t):
    if t.dtype == torch.int64:
        return "I64", t.numpy().astype("<i8").tobytes()
    if t.dtype == torch.float32:
        return "F32", t.numpy().astype("<f4").tobytes()
    raise TypeError(t.dtype)


def safetensors_bytes(tensors, metadata):
    header = {"__metadata__": metadata}
    chunks = []
    offset = 0
    for name in sorted(tensors):
        t = tensors[name].contiguous()
        dtype, data = to_bytes(t)
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    h = json.dumps(header, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + b"".join(chunks)


def read_safetensors(path):
    """Independent of the writer: plain struct/json/array parsing; returns (metadata, {name: (dtype, shape, list)})."""
    import array
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    assert n % 8 == 0, "header length not a multiple of 8"
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    data = blob[8 + n:]
    meta = header.pop("__metadata__", {})
    assert all(isinstance(v, str) for v in meta.values()), "metadata values must be strings"
    out = {}
    expected = 0
    for name in sorted(header, key=lambda k: header[k]["data_offsets"][0]):
        e = header[name]
        b, end = e["data_offsets"]
        assert b == expected, name + ": offsets not contiguous"
        expected = end
        code, size = {"F32": ("f", 4), "I64": ("q", 8)}[e["dtype"]]
        count = 1
        for s in e["shape"]:
            count *= s
        assert end - b == count * size, name + ": byte size does not match the shape"
        arr = array.array(code)
        arr.frombytes(data[b:end])
        if sys.byteorder != "little":
            arr.byteswap()
        out[name] = (e["dtype"], e["shape"], arr.tolist())
    assert expected == len(data), "trailing bytes after the last tensor"
    order = sorted(out, key=lambda k: header[k]["data_offsets"][0])
    assert order == sorted(out), "tensors are not stored in name order"
    return meta, out


def check_file(path, tensors):
    meta, got = read_safetensors(path)
    assert sorted(got) == sorted(tensors), path + ": tensor names differ"
    for k, t in tensors.items():
        dtype, shape, values = got[k]
        assert shape == list(t.shape), (path, k, shape, list(t.shape))
        want = t.reshape(-1).tolist()
        if dtype == "F32":
            # bitwise: compare the float32 values as Python floats (exact widening), NaN-free by construction
            assert values == want, path + ": values differ for " + k
        else:
            assert values == [int(v) for v in want], path + ": values differ for " + k
    return meta


# ---------------------------------------------------------------------------------------------------------------
# Java declarations.
# ---------------------------------------------------------------------------------------------------------------

def java_value(key, v):
    if v == SAME:
        return "Padding.SAME"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, tuple)):
        return "{" + ", ".join(str(i) for i in v) + "}"
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, str):
        return ("Activation." if key == "activation" else "Upsample.Mode." if key == "mode" else "Rounding.") + v
    return str(v)


def shape_text(s):
    return "[" + ", ".join(str(i) for i in s) + "]"


def java_source(case, net, params):
    imports = {"dev.strider.dsl.Input", "dev.strider.dsl.Layer", "dev.strider.dsl.Loss", "dev.strider.dsl.Network"}
    lines = []
    for (name, kind, attrs), (_, _, _, _, out, _) in zip(case.layers, net.plan):
        imports.add("dev.strider.dsl." + kind)
        for k, v in attrs.items():
            if v == SAME:
                imports.add("dev.strider.dsl.Padding")
            elif k == "activation":
                imports.add("dev.strider.dsl.Activation")
            elif k == "from":
                continue
            elif k == "rounding":
                imports.add("dev.strider.dsl.Rounding")
        args = ", ".join(k + " = " + java_value(k, v) for k, v in attrs.items() if k != "from")
        wiring = ""
        if "from" in attrs:
            imports.add("dev.strider.dsl.From")
            wiring = " @From(" + ("\"" + attrs["from"][0] + "\"" if len(attrs["from"]) == 1
                                  else "{" + ", ".join("\"" + f + "\"" for f in attrs["from"]) + "}") + ")"
        lines.append(("@" + kind + ("(" + args + ")" if args else "") + wiring + " Layer " + name + ";", shape_text(out)))
    width = max(len(a) for a, _ in lines)
    body = "\n".join("    " + a.ljust(width) + "   // " + b for a, b in lines)
    if case.expect_params is not None:
        assert case.expect_params == params, (case.name, case.expect_params, params)
    network = "maxBatch = 8, expectParams = " + ("{:_}".format(params) if params >= 10_000 else str(params))
    network += ", loss = Loss." + case.loss
    c, h, w = case.input_chw
    doc = wrap(case.doc, 112)
    return ("package " + JAVA_PACKAGE + ";\n\n"
            + "".join("import " + i + ";\n" for i in sorted(imports)) + "\n"
            + "/**\n"
            + "".join(" * " + l + "\n" for l in doc)
            + " *\n"
            + " * <p>Reference case {@code " + case.name + "} (" + "{:,}".format(params) + " trainable parameters): "
            + "PyTorch values in\n"
            + " * {@code tests/src/test/resources/reference/" + case.name + "/reference.safetensors}. Generated by\n"
            + " * {@code scripts/reference/make_references.py} together with those values: edit the case there and "
            + "re-run.\n"
            + " */\n"
            + "@Network(" + network + ")\n"
            + "@Input(channels = {}, height = {}, width = {})\n".format(c, h, w)
            + "public abstract class " + case.java + " {\n"
            + body + "\n"
            + "}\n")


def wrap(text, width):
    out, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = (line + " " + word) if line else word
    if line:
        out.append(line)
    return out


# ---------------------------------------------------------------------------------------------------------------

def margin_text(v):
    return "n/a" if v == math.inf else "{:.3g}".format(v)


def tensor_list(t):
    return ", ".join("{} {}".format(k, shape_text(v.shape)) for k, v in sorted(t.items()))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--check-only", action="store_true", help="compare existing files with a fresh run, write nothing")
    ap.add_argument("--case", action="append", help="only this case (repeatable)")
    args = ap.parse_args()

    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    torch.set_default_dtype(torch.float32)

    cases = [c for c in CASES if not args.case or c.name in args.case]
    total = 0
    report = []
    for case in cases:
        net, x, y, attempt, relu_m, gap_m = draw(case)
        t32, trained = run(case, net, x, y, torch.float32)
        t64, _ = run(case, net, x, y, torch.float64)
        # float32 reference vs the same computation in float64: a guide for the engine tests' tolerances
        worst = (0.0, "")
        for k, v in t32.items():
            if v.is_floating_point():
                ref = t64[k]
                # relative to the tensor's largest value, absolute for tensors that are (nearly) all zero
                err = (v.double() - ref).abs().max().item() / max(ref.abs().max().item(), 1e-3)
                if err > worst[0]:
                    worst = (err, k)
        relu2, gap2 = margins(trained, x)
        params = sum(p.numel() for p in net.parameters())
        metadata = {
            "format": FORMAT,
            "case": case.name,
            "java_class": JAVA_PACKAGE + "." + case.java,
            "description": case.doc,
            "loss": case.loss,
            "batch": str(case.batch),
            "input_shape": shape_text((case.batch,) + tuple(case.input_chw)),
            "output_shape": shape_text((case.batch,) + tuple(net.output_shape)),
            "layers": json.dumps([[n, k, a] for n, k, a in case.layers], separators=(",", ":")),
            "trainable_params": str(params),
            "init": "PyTorch default initialisation" if case.init == "default" else
                    ("weights N(0, ({} * min(0.5, 2/sqrt(fan_in)))^2)".format(case.scale) if case.scale != 1.0 else
                     "weights N(0, min(0.5, 2/sqrt(fan_in))^2)") + ", biases U(-0.5, 0.5); BatchNorm weight U(0.5, 1.5), "
                    "bias U(-0.5, 0.5), running_mean N(0, 0.3^2), running_var U(0.5, 1.5)",
            "seed": "torch.manual_seed({}) (case seed {} + 1000 * attempt {})".format(
                case.seed + 1000 * attempt, case.seed, attempt),
            "mode": "training (BatchNorm uses batch statistics; after.* = running stats after the forward)",
            "optimizer": "torch.optim.SGD lr={} momentum={} dampening=0 nesterov=False weight_decay=0; sgd.* after "
                         "step 1, sgd2.* after step 2 (gradient at sgd.*, same input)".format(LR, MOMENTUM),
            "margins": "min |relu/leaky_relu input| {} (step 2: {}); min max-pool top1-top2 gap {} "
                       "(step 2: {})".format(*(margin_text(v) for v in (relu_m, relu2, gap_m, gap2))),
            "float64_max_rel_error": "{:.3g} ({})".format(worst[0], worst[1]),
            "torch_version": torch.__version__,
        }
        data = safetensors_bytes(t32, metadata)
        java = java_source(case, net, params)
        res_path = os.path.join(RES_DIR, case.name, "reference.safetensors")
        java_path = os.path.join(JAVA_DIR, case.java + ".java")
        if args.check_only:
            check_file(res_path, t32)
            with open(java_path, encoding="utf-8") as f:
                assert f.read() == java, java_path + " differs from the generated declaration"
            with open(res_path, "rb") as f:
                same = f.read() == data
            print("checked {} ({} bytes{})".format(os.path.relpath(res_path, REPO), len(data),
                                                   "" if same else ", values equal but bytes differ"))
        else:
            os.makedirs(os.path.dirname(res_path), exist_ok=True)
            os.makedirs(JAVA_DIR, exist_ok=True)
            with open(res_path, "wb") as f:
                f.write(data)
            with open(java_path, "w", encoding="utf-8") as f:
                f.write(java)
            meta = check_file(res_path, t32)  # read back with the independent reader
            assert meta == metadata
            print("wrote {} ({:,} bytes, {} tensors)".format(os.path.relpath(res_path, REPO), len(data), len(t32)))
            print("wrote {}".format(os.path.relpath(java_path, REPO)))
            print("    " + tensor_list(t32))
        print("    loss {:.6f}, params {:,}, seed attempt {}, margins relu {:.3g} pool {:.3g} (step 2: {:.3g} / {:.3g}), "
              "float32 vs float64 max rel error {:.3g} ({})".format(
                  t32["loss"].item(), params, attempt, relu_m, gap_m, relu2, gap2, worst[0], worst[1]))
        total += len(data)
        report.append(case.name)
    print("{} cases, {:,} bytes of safetensors in total".format(len(report), total))


if __name__ == "__main__":
    main()

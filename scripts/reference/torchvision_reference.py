#!/usr/bin/python3
"""torchvision's ResNet-18, ResNet-50, GoogLeNet, SqueezeNet 1.1 and MobileNetV2 on weights both sides can draw: the reference for Strider's samples.

Run from the repository root with Debian's PyTorch interpreter:

    /usr/bin/python3 scripts/reference/resnet18_reference.py

Every tensor of torchvision.models.resnet18()'s state_dict, and the input, is filled from its own SplitMix64 stream
(Strider's Rng: seed = CRC-32 of the tensor's Strider name, e.g. layer1_0_conv1.weight; u = (next >>> 40) * 2^-24),
with float32 arithmetic that Java reproduces bit for bit:

    conv and linear weights   (2u - 1) * sqrt(6 / fan_in)       (Kaiming uniform)
    linear bias               (2u - 1) / sqrt(fan_in)         (fan_in 512 for ResNet-18, 2048 for ResNet-50, 1024 for GoogLeNet, 1280 for MobileNetV2)
    convolution bias          u - 0.5                          (SqueezeNet's convolutions have biases)
    batch-norm weight         0.5 + u;   bias  u - 0.5
    running mean              (u - 0.5) * 0.2;   running var  0.5 + u
    input [1, 3, 224, 224]    2u - 1

It then runs the network in evaluation mode in float64 and writes the 1,000 logits (rounded to float32), and in the
metadata every module's output shape under its Strider name ("shapes", JSON), to
tests/src/test/resources/torchvision/<model>_logits.safetensors (4 KB each). The weights themselves are not stored:
TorchvisionReferenceTest draws them again.
"""
import math
import os
import struct
import zlib
import json

import numpy as np
import torch
import torchvision

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUT_DIR = os.path.join(REPO, "tests", "src", "test", "resources", "torchvision")
MODELS = ("resnet18", "resnet50", "googlenet", "squeezenet1_1", "mobilenet_v2")
MASK = (1 << 64) - 1


def uniforms(name, n):
    """n floats in [0, 1) from the SplitMix64 stream seeded with crc32(name), as Strider's Rng.nextFloat."""
    state = zlib.crc32(name.encode("utf-8"))
    out = np.empty(n, dtype=np.float32)
    # vectorised SplitMix64: the k-th output depends only on state + k * gamma
    k = np.arange(1, n + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = np.uint64(state) + k * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    out[:] = (z >> np.uint64(40)).astype(np.float32) * np.float32(2.0 ** -24)
    return out


def strider_name(key):
    module, _, tensor = key.rpartition(".")
    return module.replace(".", "_") + "." + tensor


def fill(key, shape):
    name = strider_name(key)
    n = int(np.prod(shape))
    u = uniforms(name, n)
    one, two, half = np.float32(1), np.float32(2), np.float32(0.5)
    tensor = key.rpartition(".")[2]
    if tensor == "weight" and len(shape) > 1:
        bound = np.float32(math.sqrt(6.0 / int(np.prod(shape[1:]))))
        v = (two * u - one) * bound
    elif tensor == "bias" and FC_IN[0] > 0 and (key.startswith("fc.") or key.startswith("classifier.1.")):
        bound = np.float32(1.0 / math.sqrt(FC_IN[0]))
        v = (two * u - one) * bound
    elif tensor == "weight":
        v = half + u
    elif tensor == "bias":
        v = u - half
    elif tensor == "running_mean":
        v = (u - half) * np.float32(0.2)
    elif tensor == "running_var":
        v = half + u
    else:
        raise ValueError(key)
    return torch.from_numpy(v.astype(np.float32).reshape(shape))


FC_IN = [512]


def main():
    torch.set_num_threads(1)
    for name in MODELS:
        write(name)


def write(model_name):
    model = (torchvision.models.googlenet(aux_logits=False, init_weights=False) if model_name == "googlenet"
             else getattr(torchvision.models, model_name)())
    FC_IN[0] = model.fc.in_features if hasattr(model, "fc") else 1280 if model_name == "mobilenet_v2" else 0
    state = model.state_dict()
    for key, t in state.items():
        if key.endswith("num_batches_tracked"):
            continue
        t.copy_(fill(key, tuple(t.shape)))
    x = (np.float32(2) * uniforms("input", 3 * 224 * 224) - np.float32(1)).reshape(1, 3, 224, 224)
    model = model.double().eval()
    shapes = {}

    def record(name):
        def hook(module, inputs, output):
            if isinstance(output, torch.Tensor):
                shapes[name.replace(".", "_")] = list(output.shape[1:])
        return hook

    for name, module in model.named_modules():
        if name:
            module.register_forward_hook(record(name))
    with torch.no_grad():
        logits = model(torch.from_numpy(x).double())[0].float().numpy()
    header = {"logits": {"dtype": "F32", "shape": [1000], "data_offsets": [0, 4000]},
              "__metadata__": {"torch": torch.__version__, "torchvision": torchvision.__version__,
                               "shapes": json.dumps(shapes, separators=(",", ":")),
                               "what": "torchvision " + model_name + ", eval mode, float64, weights and input drawn as in "
                                       "scripts/reference/resnet18_reference.py"}}
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    out = os.path.join(OUT_DIR, model_name + "_logits.safetensors")
    with open(out, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + logits.astype("<f4").tobytes())
    print("wrote", os.path.relpath(out, REPO), "max |logit| %.4f, logit[0] %.6f" % (np.abs(logits).max(), logits[0]))


if __name__ == "__main__":
    main()

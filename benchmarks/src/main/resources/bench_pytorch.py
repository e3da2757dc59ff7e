"""PyTorch's side of Strider's benchmarks (run by `java -jar benchmarks/target/strider-benchmarks.jar --pytorch`, which
extracts it from its jar).

Usage: /usr/bin/python3 bench_pytorch.py DIR

DIR holds what the Java runner wrote: lenet5.safetensors and resnet18.safetensors (the Strider engines' weights),
lenet5_input.f32 / resnet18_input.f32 (float32 little-endian inputs, 64 and 1 images) and lenet5_output.f32 /
resnet18_output.f32 (Strider's outputs for them). The script builds the same networks in PyTorch (LeNet-5 as the
sample declares it, torchvision's ResNet-18), loads the same weights, checks that its outputs equal Strider's within
1e-4 |x| + 1e-5 max|x|, then times inference and a LeNet-5 training step (softmax cross-entropy, SGD 0.01 with
momentum 0.9, batch 64) on 1 and 2 threads. Prints one JSON object: median microseconds per call, and the spread.
"""
import json
import struct
import sys
import time

import torch
import torch.nn.functional as F
import torchvision

d = sys.argv[1]


def safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        a, b = t["data_offsets"]
        out[name] = torch.frombuffer(bytearray(data[a:b]), dtype=torch.float32).reshape(t["shape"])
    return out


def floats(path, shape):
    with open(path, "rb") as f:
        return torch.frombuffer(bytearray(f.read()), dtype=torch.float32).reshape(shape)


def agree(what, strider, mine):
    scale = strider.abs().max().item()
    bad = ((strider - mine).abs() > 1e-4 * strider.abs() + 1e-5 * scale + 1e-6).nonzero()
    if len(bad):
        i = tuple(bad[0].tolist())
        raise SystemExit(f"{what}: PyTorch and Strider differ at {i}: {mine[i].item()} vs {strider[i].item()}")


class LeNet5(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = torch.nn.Conv2d(1, 6, 5, padding=2)
        self.c3 = torch.nn.Conv2d(6, 16, 5)
        self.f5 = torch.nn.Linear(400, 120)
        self.f6 = torch.nn.Linear(120, 84)
        self.output = torch.nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.c1(x)), 2)
        x = F.max_pool2d(F.relu(self.c3(x)), 2)
        x = torch.flatten(x, 1)
        return self.output(F.relu(self.f6(F.relu(self.f5(x)))))


def timed(fn, seconds=1.0, rounds=5):
    """Median and range over `rounds` rounds of the mean time per call (microseconds), after a warm-up round."""
    fn()
    n = 1
    start = time.perf_counter()
    while time.perf_counter() - start < 0.2:
        fn()
        n += 1
    per_round = max(1, int(n * seconds / 0.2))
    results = []
    for _ in range(rounds + 1):
        start = time.perf_counter()
        for _ in range(per_round):
            fn()
        results.append((time.perf_counter() - start) / per_round * 1e6)
    results = sorted(results[1:])
    return {"median": results[len(results) // 2], "min": results[0], "max": results[-1]}


torch.manual_seed(0)
lenet = LeNet5()
lenet.load_state_dict(safetensors(d + "/lenet5.safetensors"))
lenet.eval()
x64 = floats(d + "/lenet5_input.f32", (64, 1, 28, 28))
with torch.no_grad():
    agree("LeNet-5", floats(d + "/lenet5_output.f32", (64, 10)), lenet(x64))

resnet = torchvision.models.resnet18()
state = {k.replace("_", ".").replace("running.", "running_"): v for k, v in safetensors(d + "/resnet18.safetensors").items()}
missing, unexpected = resnet.load_state_dict(state, strict=False)
if unexpected or any(not m.endswith("num_batches_tracked") for m in missing):
    raise SystemExit(f"ResNet-18 weights: missing {missing}, unexpected {unexpected}")
resnet.eval()
x1 = floats(d + "/resnet18_input.f32", (1, 3, 224, 224))
with torch.no_grad():
    agree("ResNet-18", floats(d + "/resnet18_output.f32", (1, 1000)), resnet(x1))

out = {"torch": torch.__version__}
labels = torch.randint(0, 10, (64,), generator=torch.Generator().manual_seed(4))
for threads in (1, 2):
    torch.set_num_threads(threads)
    with torch.no_grad():
        out[f"lenet5_infer_b1_t{threads}"] = timed(lambda: lenet(x64[:1]))
        out[f"lenet5_infer_b64_t{threads}"] = timed(lambda: lenet(x64))
        out[f"resnet18_infer_b1_t{threads}"] = timed(lambda: resnet(x1), rounds=3)
    train = LeNet5()
    train.load_state_dict(lenet.state_dict())
    opt = torch.optim.SGD(train.parameters(), lr=0.01, momentum=0.9)
    xt = (x64.abs() * 0.3)

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(train(xt), labels)
        loss.backward()
        opt.step()

    out[f"lenet5_train_b64_t{threads}"] = timed(step)
print(json.dumps(out))

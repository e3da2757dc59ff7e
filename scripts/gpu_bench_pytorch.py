#!/usr/bin/env python3
"""PyTorch's side of the GPU benchmark (see GpuBenchmark.java): the same LeNet-5, batches and figures, on CUDA with
cuDNN when available (else says so and measures the CPU); on CUDA also torchvision's ResNet-18 at batch 1 when
torchvision is installed. Prints lines in GpuBenchmark's format:
'<engine> <metric> <median> [<min>, <max>]'. Usage: gpu_bench_pytorch.py [seconds-per-round]"""
import sys
import time

try:
    import torch
    import torch.nn as nn
except ImportError:
    print("# PyTorch is not installed here: no PyTorch figures")
    sys.exit(0)

ROUNDS = 7
seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 0.5
cuda = torch.cuda.is_available()
device = torch.device("cuda" if cuda else "cpu")
torch.backends.cudnn.benchmark = True
name = "pytorch-cudnn" if cuda else "pytorch-cpu"
print("# PyTorch %s on %s%s" % (torch.__version__, torch.cuda.get_device_name(0) if cuda else "the CPU",
                                 ", cuDNN %s" % torch.backends.cudnn.version() if cuda else ""))


def lenet5():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def sync():
    if cuda:
        torch.cuda.synchronize()


def rounds(images, call):
    calls, start = 1, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _ in range(calls):
            call()
        sync()
        calls *= 2
    per_round = max(1, int(calls / 2 / (time.perf_counter() - start) * seconds))
    t = []
    for _ in range(ROUNDS):
        s = time.perf_counter()
        for _ in range(per_round):
            call()
        sync()
        t.append((time.perf_counter() - s) / per_round)
    t.sort()
    return t[ROUNDS // 2], t[0], t[-1], images


def report(metric, r, latency):
    med, lo, hi, images = r
    if latency:
        print("%s %s %.1f [%.1f, %.1f]" % (name, metric, med * 1e6, lo * 1e6, hi * 1e6))
    else:
        print("%s %s %.1f [%.1f, %.1f]" % (name, metric, images / med, images / hi, images / lo))


torch.manual_seed(1)
model = lenet5().to(device)
x = torch.rand(256, 1, 28, 28, device=device)
labels = torch.randint(0, 10, (64,), device=device)
model.eval()
with torch.no_grad():
    report("inference_batch1_latency_us", rounds(1, lambda: model(x[:1])), True)
    report("inference_batch256_images_per_s", rounds(256, lambda: model(x)), False)
model.train()
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
loss_fn = nn.CrossEntropyLoss()


def step():
    opt.zero_grad()
    loss_fn(model(x[:64]), labels).backward()
    opt.step()


report("training_batch64_images_per_s", rounds(64, step), False)


if cuda:
    try:
        import torchvision
        resnet = torchvision.models.resnet18().to(device).eval()
        image = torch.rand(1, 3, 224, 224, device=device)
        with torch.no_grad():
            report("resnet18_batch1_latency_us", rounds(1, lambda: resnet(image)), True)
    except ImportError:
        print("# torchvision is not installed here: no ResNet-18 figure from PyTorch")

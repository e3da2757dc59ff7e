"""ResNet-18 from torchvision, built from a fixed seed, exported to ONNX twice, with its outputs on a fixed input.

Usage: /usr/bin/python3 resnet18_to_onnx.py OUT_DIR

Writes, for OnnxImportTest (the round trip PyTorch -> ONNX -> Strider declaration -> compiled engine):
  resnet18_folded.onnx     the default export: evaluation mode, batch norm folded into the convolutions' biases
  resnet18_bn.onnx         TrainingMode.PRESERVE on an eval() model: BatchNormalization nodes kept (and Identity nodes)
  input.f32                two images [2, 3, 224, 224], float32 little-endian, row-major
  logits.f32               PyTorch's outputs [2, 1000] for them, same format
Both exports have a symbolic batch dimension. The batch-norm statistics and affine parameters are drawn too (a
fresh network has mean 0, variance 1, scale 1, shift 0, which would make folding them a no-op).
"""
import sys
import warnings

import torch
import torchvision

warnings.filterwarnings("ignore")
out = sys.argv[1]
torch.manual_seed(20261124)
torch.set_num_threads(1)
model = torchvision.models.resnet18()
with torch.no_grad():
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.2, 0.2)
            m.running_var.uniform_(0.5, 1.5)
            m.weight.uniform_(0.5, 1.5)
            m.bias.uniform_(-0.2, 0.2)
model.eval()
x = torch.randn(2, 3, 224, 224)
names = dict(input_names=["image"], output_names=["logits"], dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}})
torch.onnx.export(model, x, out + "/resnet18_folded.onnx", opset_version=13, **names)
torch.onnx.export(model, x, out + "/resnet18_bn.onnx", opset_version=13, training=torch.onnx.TrainingMode.PRESERVE, **names)
with torch.no_grad():
    y = model(x)
x.numpy().astype("<f4").tofile(out + "/input.f32")
y.numpy().astype("<f4").tofile(out + "/logits.f32")
print("wrote", out, tuple(x.shape), tuple(y.shape))

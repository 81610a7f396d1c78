"""Recover a trainable EmotionNet from a shipped ONNX file (the checkpoint of a past run may be gone).

The exporter folds each BatchNorm into the convolution before it, so the ONNX file holds per-conv weights and
biases only. We put the folded weights back into the convolutions and make each BatchNorm an identity that carries
the folded bias (mean 0, variance 1 - eps, scale 1): in eval mode the network computes exactly what the ONNX graph
computes (checked against the parity fixture). Fine-tuning then keeps BatchNorm in eval mode (frozen statistics).
"""
from __future__ import annotations

from pathlib import Path

import onnx
import torch
from onnx import numpy_helper
from torch import nn

from model import EmotionNet


def load_from_onnx(path: Path, widths: tuple[int, ...] = (32, 64, 128, 256)) -> tuple[EmotionNet, float]:
    """Returns (net in eval-equivalent form, temperature baked into the file)."""
    m = onnx.load(str(path))
    inits = {i.name: numpy_helper.to_array(i) for i in m.graph.initializer}
    # The mirrored TTA branch reads the same weights through Identity nodes.
    for node in m.graph.node:
        if node.op_type == "Identity" and node.input[0] in inits:
            inits[node.output[0]] = inits[node.input[0]]
    conv_params: list[tuple[str, str]] = []
    seen = set()
    for node in m.graph.node:
        if node.op_type == "Conv":
            key = inits[node.input[1]].tobytes()
            if key not in seen:
                seen.add(key)
                conv_params.append((node.input[1], node.input[2]))
    net = EmotionNet(tuple(widths), dropout=0.0)
    convs = [mod for mod in net.modules() if isinstance(mod, nn.Conv2d)]
    bns = [mod for mod in net.modules() if isinstance(mod, nn.BatchNorm2d)]
    if len(convs) != len(conv_params) or len(bns) != len(convs):
        raise SystemExit(f"{path}: {len(conv_params)} convolutions in the file, {len(convs)} in EmotionNet{widths}")
    with torch.no_grad():
        for conv, bn, (w, b) in zip(convs, bns, conv_params):
            conv.weight.copy_(torch.from_numpy(inits[w]))
            bn.weight.fill_(1.0)
            bn.bias.copy_(torch.from_numpy(inits[b]))
            bn.running_mean.zero_()
            bn.running_var.fill_(1.0 - bn.eps)
        net.head[3].weight.copy_(torch.from_numpy(inits["nets.0.head.3.weight"]))
        net.head[3].bias.copy_(torch.from_numpy(inits["nets.0.head.3.bias"]))
    # The temperature is the one scalar multiplier left (inv_t); find it among the scalar initializers.
    scalars = [float(v) for k, v in inits.items() if v.size == 1 and k.startswith("onnx::Mul")]
    inv_t = scalars[-1] if scalars else 1.0
    return net.eval(), 1.0 / inv_t

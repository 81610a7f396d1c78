"""The emotion CNN. Kept small (FLOP-lean) so that it trains on a 2-core CPU and
answers in well under 5 ms per face through ONNX Runtime."""
from __future__ import annotations

import torch
from torch import nn
import torch.nn.functional as F

# Mean/std of FER2013 training pixels after scaling to 0..1; baked into the graph so
# that callers only divide by 255 (the paper's scaling) and nothing else.
PIXEL_MEAN = 0.5077
PIXEL_STD = 0.2550


def conv_bn(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class ResBlock(nn.Module):
    def __init__(self, c: int):
        super().__init__()
        self.a = conv_bn(c, c)
        self.b = nn.Sequential(nn.Conv2d(c, c, 3, padding=1, bias=False), nn.BatchNorm2d(c))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(x + self.b(self.a(x)), inplace=True)


class EmotionNet(nn.Module):
    """VGG/ResNet hybrid: a cheap stem, then stages at 24, 12 and 6 px with one residual block each."""

    def __init__(self, widths: tuple[int, int, int, int] = (32, 64, 128, 256), classes: int = 7, dropout: float = 0.3):
        super().__init__()
        w0, w1, w2, w3 = widths
        self.stem = nn.Sequential(conv_bn(1, w0), conv_bn(w0, w0), nn.MaxPool2d(2))  # 48 -> 24
        self.s1 = nn.Sequential(conv_bn(w0, w1), ResBlock(w1), nn.MaxPool2d(2))  # 24 -> 12
        self.s2 = nn.Sequential(conv_bn(w1, w2), ResBlock(w2), nn.MaxPool2d(2))  # 12 -> 6
        self.s3 = nn.Sequential(conv_bn(w2, w3), ResBlock(w3))  # 6
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(dropout), nn.Linear(w3, classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = (x - PIXEL_MEAN) / PIXEL_STD
        return self.head(self.s3(self.s2(self.s1(self.stem(x)))))


class ExportWrapper(nn.Module):
    """What ships: pixels 0..1 in, calibrated probabilities out.

    One or more trained nets (an ensemble averages their logits) with the test-time augmentation and the temperature
    inside the graph, so the C# path cannot drift from the evaluated recipe. `tta`:
      - "flip": every net also sees the mirrored face (2 passes per net);
      - "none": one pass per net;
      - "cross": nets alternate between the face and its mirror (one pass per net, both kinds of diversity)."""

    def __init__(self, nets: list[nn.Module] | nn.Module, temperature: float, tta: str = "flip"):
        super().__init__()
        self.nets = nn.ModuleList(nets if isinstance(nets, list) else [nets])
        self.tta = tta
        self.register_buffer("inv_t", torch.tensor(1.0 / temperature))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mirrored = torch.flip(x, dims=[3])
        total = None
        for i, net in enumerate(self.nets):
            if self.tta == "flip":
                logits = (net(x) + net(mirrored)) * 0.5
            elif self.tta == "cross" and i % 2 == 1:
                logits = net(mirrored)
            else:
                logits = net(x)
            total = logits if total is None else total + logits
        return torch.softmax(total * (self.inv_t / len(self.nets)), dim=1)

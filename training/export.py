"""Export a trained checkpoint to ONNX with temperature scaling and flip-TTA inside the graph.

    python3 training/export.py --ckpt training/runs/main/best.pt --out models/emotion.onnx

Also fits the temperature on val (minimises NLL; accuracy is unchanged by it), checks that the
exported graph's structure is valid, and writes a parity fixture: probabilities of the first
512 val images, which the C# test suite compares with ONNX Runtime's output (tolerance 1e-4).
"""
from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import numpy as np
import onnx
import torch
import torch.nn.functional as F

from fer_data import CLASSES, load_split
from model import EmotionNet, ExportWrapper
from train import predict


def fit_temperature(logits: torch.Tensor, y: torch.Tensor) -> float:
    best_t, best_nll = 1.0, float("inf")
    for t in np.arange(0.5, 3.01, 0.01):
        nll = F.cross_entropy(logits / float(t), y).item()
        if nll < best_nll:
            best_t, best_nll = float(t), nll
    return round(best_t, 2)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--ckpt", type=Path, default=Path("training/runs/main/best.pt"))
    p.add_argument("--data", type=Path, default=Path("../shared/datasets/fer2013"))
    p.add_argument("--out", type=Path, default=Path("models/emotion.onnx"))
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--tta", type=int, default=1, help="1: average with the mirrored face inside the graph (2x cost)")
    a = p.parse_args()
    torch.set_num_threads(a.threads)

    ck = torch.load(a.ckpt)
    net = EmotionNet(tuple(ck["widths"]), dropout=0.0)
    net.load_state_dict(ck["net"])
    net.eval()
    xva, yva, paths = load_split(a.data / "val", a.ckpt.parent.parent / ".cache")
    logits = predict(net, xva, tta=bool(a.tta))
    y = torch.from_numpy(yva)
    t = fit_temperature(logits, y)
    probs = torch.softmax(logits / t, 1)
    pred = probs.argmax(1).numpy()
    acc = float((pred == yva).mean())
    conf = np.zeros((7, 7), dtype=int)
    for yt, yp in zip(yva, pred):
        conf[yt, yp] += 1
    recall = {CLASSES[i]: round(float(conf[i, i] / conf[i].sum()), 4) for i in range(7)}
    # Expected calibration error (15 bins) before/after temperature, to show the calibration helps.
    def ece(pr: torch.Tensor) -> float:
        c, pd = pr.max(1)
        ok = (pd.numpy() == yva)
        e = 0.0
        for lo in np.linspace(0, 1, 16)[:-1]:
            m = (c.numpy() > lo) & (c.numpy() <= lo + 1 / 15)
            if m.any():
                e += m.mean() * abs(ok[m].mean() - c.numpy()[m].mean())
        return round(float(e), 4)

    wrapper = ExportWrapper(net, t, tta=bool(a.tta)).eval()
    a.out.parent.mkdir(parents=True, exist_ok=True)
    dummy = torch.rand(2, 1, 48, 48)
    torch.onnx.export(wrapper, dummy, str(a.out), input_names=["face"], output_names=["probabilities"],
                      dynamic_axes={"face": {0: "batch"}, "probabilities": {0: "batch"}}, opset_version=17,
                      do_constant_folding=True)
    model = onnx.load(str(a.out))
    onnx.checker.check_model(model)

    # Parity fixture: what PyTorch says for the first 512 val images (sorted class/file order).
    n = 512
    with torch.no_grad():
        ref = wrapper(torch.from_numpy(xva[:n]).float().div(255).unsqueeze(1)).numpy()
    fixture = {"images": paths[:n], "probabilities": [[round(float(v), 7) for v in row] for row in ref]}
    a.out.with_suffix(".parity.json").write_text(json.dumps(fixture))

    sha = hashlib.sha256(a.out.read_bytes()).hexdigest()
    report = {"checkpoint_epoch": ck.get("epoch"), "tta": bool(a.tta), "val_accuracy_torch_tta": round(acc, 4), "temperature": t,
              "ece_before": ece(torch.softmax(logits, 1)), "ece_after": ece(probs), "per_class_recall": recall,
              "confusion": conf.tolist(), "size_bytes": a.out.stat().st_size, "sha256": sha,
              "params": sum(p.numel() for p in net.parameters())}
    a.out.with_suffix(".report.json").write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()

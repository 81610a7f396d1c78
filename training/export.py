"""Export trained checkpoint(s) to ONNX with temperature scaling and test-time augmentation inside the graph.

    python3 training/export.py --ckpt training/runs/main/best.pt --out models/emotion.onnx
    python3 training/export.py --ckpt training/runs/main/best.pt training/runs/seed14/best.pt --tta cross --fp16 1

Several checkpoints make an ensemble (logits averaged inside one graph). `--fp16 1` stores the weights as float16
(half the file; ONNX Runtime widens them once at load, so inference stays float32); the parity fixture is then made
with the same rounded weights.

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


def member_logits(net: torch.nn.Module, x: np.ndarray, mirrored: bool, batch: int = 512) -> torch.Tensor:
    out = []
    with torch.no_grad():
        for i in range(0, len(x), batch):
            xb = torch.from_numpy(x[i:i + batch]).float().div_(255).unsqueeze(1)
            out.append(net(xb.flip(3) if mirrored else xb))
    return torch.cat(out)


def weights_to_fp16(path: Path) -> None:
    """Stores large float32 initializers as float16 followed by a Cast back to float32."""
    from onnx import helper, numpy_helper, TensorProto
    model = onnx.load(str(path))
    g = model.graph
    keep, casts = [], []
    for init in g.initializer:
        arr = numpy_helper.to_array(init)
        if arr.dtype == np.float32 and arr.size >= 256:
            half = numpy_helper.from_array(arr.astype(np.float16), init.name + "_fp16")
            keep.append(half)
            casts.append(helper.make_node("Cast", [half.name], [init.name], to=TensorProto.FLOAT, name=init.name + "_widen"))
        else:
            keep.append(init)
    del g.initializer[:]
    g.initializer.extend(keep)
    nodes = casts + list(g.node)
    del g.node[:]
    g.node.extend(nodes)
    onnx.save(model, str(path))


def fit_temperature(logits: torch.Tensor, y: torch.Tensor) -> float:
    best_t, best_nll = 1.0, float("inf")
    for t in np.arange(0.5, 3.01, 0.01):
        nll = F.cross_entropy(logits / float(t), y).item()
        if nll < best_nll:
            best_t, best_nll = float(t), nll
    return round(best_t, 2)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--ckpt", type=Path, nargs="+", default=[Path("training/runs/main/best.pt")])
    p.add_argument("--data", type=Path, default=Path("../shared/datasets/fer2013"))
    p.add_argument("--out", type=Path, default=Path("models/emotion.onnx"))
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--tta", type=str, default="flip", choices=["flip", "none", "cross", "1", "0"],
                   help="flip: each net also sees the mirror (2x cost); cross: nets alternate face/mirror; none")
    p.add_argument("--fp16", type=int, default=0, help="1: store weights as float16 (half the file size)")
    a = p.parse_args()
    tta = {"1": "flip", "0": "none"}.get(a.tta, a.tta)
    torch.set_num_threads(a.threads)

    nets, epochs = [], []
    for path in a.ckpt:
        ck = torch.load(path)
        net = EmotionNet(tuple(ck["widths"]), dropout=0.0)
        state = ck["net"]
        if a.fp16:
            # The reference must use exactly the weights the file will hold.
            state = {k: (v.half().float() if v.is_floating_point() and v.numel() >= 256 else v) for k, v in state.items()}
        net.load_state_dict(state)
        net.eval()
        nets.append(net)
        epochs.append(ck.get("epoch"))
    xva, yva, paths = load_split(a.data / "val", a.ckpt[0].parent.parent / ".cache")
    parts = []
    for i, net in enumerate(nets):
        if tta == "flip":
            parts.append((member_logits(net, xva, False) + member_logits(net, xva, True)) * 0.5)
        else:
            parts.append(member_logits(net, xva, tta == "cross" and i % 2 == 1))
    logits = torch.stack(parts).mean(0)
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

    wrapper = ExportWrapper(nets, t, tta=tta).eval()
    a.out.parent.mkdir(parents=True, exist_ok=True)
    dummy = torch.rand(2, 1, 48, 48)
    torch.onnx.export(wrapper, dummy, str(a.out), input_names=["face"], output_names=["probabilities"],
                      dynamic_axes={"face": {0: "batch"}, "probabilities": {0: "batch"}}, opset_version=17,
                      do_constant_folding=True)
    if a.fp16:
        weights_to_fp16(a.out)
    model = onnx.load(str(a.out))
    onnx.checker.check_model(model)

    # Parity fixture: what PyTorch says for the first 512 val images (sorted class/file order).
    n = 512
    with torch.no_grad():
        ref = wrapper(torch.from_numpy(xva[:n]).float().div(255).unsqueeze(1)).numpy()
    fixture = {"images": paths[:n], "probabilities": [[round(float(v), 7) for v in row] for row in ref]}
    a.out.with_suffix(".parity.json").write_text(json.dumps(fixture))

    sha = hashlib.sha256(a.out.read_bytes()).hexdigest()
    report = {"checkpoints": [str(c) for c in a.ckpt], "checkpoint_epoch": epochs, "tta": tta, "fp16_weights": bool(a.fp16), "val_accuracy_torch_tta": round(acc, 4), "temperature": t,
              "ece_before": ece(torch.softmax(logits, 1)), "ece_after": ece(probs), "per_class_recall": recall,
              "confusion": conf.tolist(), "size_bytes": a.out.stat().st_size, "sha256": sha,
              "params": sum(p.numel() for n in nets for p in n.parameters())}
    a.out.with_suffix(".report.json").write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
